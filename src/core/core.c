// SPDX-License-Identifier: MIT
/*
 * The world (drivers/base/core.c's part): set-up of buses, drivers, devices
 * and groups, device hot-add and hot-remove, lookup and inspection.
 *
 * Set-up arrays only grow before dmo_world_start(); afterwards they are
 * immutable, which is why lookups and the checker walk them with no lock.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

static const struct dmo__policy_ops *const policies[DMO_POLICY_NR] = {
	[DMO_POLICY_UPSTREAM] = &dmo__policy_upstream,
	[DMO_POLICY_LEGACY] = &dmo__policy_legacy,
	[DMO_POLICY_V6] = &dmo__policy_v6,
	[DMO_POLICY_RECOMPUTE] = &dmo__policy_recompute,
	[DMO_POLICY_NO_PROBE_CLEANUP] = &dmo__policy_no_probe_cleanup,
	[DMO_POLICY_RECOMPUTE_LATE_STORE] = &dmo__policy_recompute_late_store,
	[DMO_POLICY_RECOMPUTE_EARLY_CLEANUP] =
		&dmo__policy_recompute_early_cleanup,
	[DMO_POLICY_CDX_FIX] = &dmo__policy_cdx_fix,
};

/* Appends @p to a pointer array; false when memory ran out. */
static bool push(void *arrayp, int *nr, void *p)
{
	void ***array = arrayp;
	void **n = realloc(*array, (size_t)(*nr + 1) * sizeof(*n));

	if (!n)
		return false;
	n[(*nr)++] = p;
	*array = n;
	return true;
}

bool dmo__report_on(struct dmo_world *w, bool cond, enum dmo_viol_kind kind,
		    const char *what, const char *fn)
{
	if (cond)
		w->s->ops->report(w->s, kind, fn, what);
	return cond;
}

void dmo__reportf(struct dmo_world *w, enum dmo_viol_kind kind,
		  const char *fn, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	w->s->ops->report(w->s, kind, fn, msg);
}

bool dmo__fault(struct dmo_world *w)
{
	int n = dmo_ghost_add(w->s, &w->ghost_faults, 1);

	return w->fail_nth > 0 && n == w->fail_nth;
}

/*
 * "@kind @name", the name to give dmo_alloc() for an object, so that a
 * trace shows a pointer to it as, say, "device 0000:01:00.1" rather than
 * an address.  The backend keeps the string's address and the explorer
 * may read it until the execution ends, so it lives as long as the world,
 * which a program destroys once the execution is over (its reset hook).
 * It is in w->labels before the allocation, which is a step the explorer
 * may never resume: the world still frees it, once dmo_world_create() has
 * handed it to the caller.  NULL when memory ran out.
 */
static const char *label(struct dmo_world *w, const char *kind,
			 const char *name)
{
	size_t n = strlen(kind) + 1 + strlen(name) + 1;
	char *l = malloc(n);

	if (!l)
		return NULL;
	snprintf(l, n, "%s %s", kind, name);
	if (!push(&w->labels, &w->nr_labels, l)) {
		free(l);
		return NULL;
	}
	return l;
}

/*
 * A new name token on @list, its block named @what.  Its name lives in the
 * block too, so the token owns nothing to free: the allocation may be a
 * step the explorer never resumes, even inside dmo_world_create().
 */
static struct dmo_owner *token_new(struct dmo_world *w,
				   struct dmo_owner **list, const char *name,
				   const char *what)
{
	size_t len = strlen(name) + 1;
	struct dmo_owner *o = dmo_alloc(w->s, sizeof(*o) + len, what);

	if (!o)
		return NULL;
	o->name = memcpy(o + 1, name, len);
	o->next = *list;
	*list = o;
	return o;
}

static struct dmo_owner *owner_new(struct dmo_world *w, const char *name,
				   const char *what)
{
	return token_new(w, &w->owners, name, what);
}

struct dmo_owner *dmo__override_intern(struct dmo_world *w, const char *name)
{
	const char *lbl;
	struct dmo_owner *o;

	for (o = w->overrides; o; o = o->next)
		if (strcmp(o->name, name) == 0)
			return o;
	if (w->started)
		return NULL;
	lbl = label(w, "driver_override", name);
	return lbl ? token_new(w, &w->overrides, name, lbl) : NULL;
}

const void *dmo_override_get(struct dmo_world *w, const char *name)
{
	return name ? dmo__override_intern(w, name) : NULL;
}

struct dmo_owner *dmo__owner_intern(struct dmo_world *w, const char *name)
{
	const char *lbl;
	struct dmo_owner *o;

	for (o = w->owners; o; o = o->next)
		if (strcmp(o->name, name) == 0)
			return o;
	lbl = label(w, "owner", name);
	return lbl ? owner_new(w, name, lbl) : NULL;
}

/* @pol with every operation it leaves unset taken from upstream. */
static void policy_complete(struct dmo__policy_ops *ops,
			    const struct dmo__policy_ops *pol)
{
	const struct dmo__policy_ops *up = &dmo__policy_upstream;

	*ops = *pol;
#define FILL(op) (ops->op = ops->op ? ops->op : up->op)
	FILL(use_default_domain);
	FILL(unuse_default_domain);
	FILL(group_claim);
	FILL(group_release);
	FILL(group_claimed);
	FILL(device_claim);
	FILL(device_release);
	FILL(vfio_claim);
	FILL(vfio_release);
	FILL(check_group);
#undef FILL
}

struct dmo_world *dmo_world_create(struct dmo_sync *s, enum dmo_policy policy)
{
	struct dmo_world *w;

	if ((unsigned)policy >= DMO_POLICY_NR)
		return NULL;
	w = dmo_alloc(s, sizeof(*w), "world");
	if (!w)
		return NULL;
	w->s = s;
	w->policy = policy;
	w->kernel = dmo_policy_kernel(policy);
	policy_complete(&w->ops, policies[policy]);
	w->pol = &w->ops;
	dmo_mutex_init(s, &w->defer_lock, "deferred_probe_mutex");
	/*
	 * Named by literals: until this returns, a step the explorer never
	 * resumes would leave a label behind with no one to free it.
	 */
	w->tok_vfio = owner_new(w, "vfio", "owner vfio");
	w->tok_dma_api = owner_new(w, "dma-api", "owner dma-api");
	if (!w->tok_vfio || !w->tok_dma_api) {
		dmo_world_destroy(w);
		return NULL;
	}
	return w;
}

int dmo_world_set_kernel(struct dmo_world *w, const struct dmo_kernel *k)
{
	if (w->started)
		return -EBUSY;
	if (!dmo_policy_applies(w->policy, k))
		return -EINVAL;
	w->kernel = k;
	return 0;
}

const struct dmo_kernel *dmo_world_kernel(const struct dmo_world *w)
{
	return w->kernel;
}

int dmo_world_set_config(struct dmo_world *w, enum dmo_config c, bool on)
{
	if ((unsigned)c >= DMO_CONFIG_NR)
		return -EINVAL;
	if (w->started)
		return -EBUSY;
	if (on)
		w->config |= 1u << c;
	else
		w->config &= ~(1u << c);
	return 0;
}

/*
 * The world, its groups, devices, owner tokens and driver handles, and
 * the driver objects still registered are not freed here: they come from
 * dmo_alloc(), whose memory belongs to the backend and is reclaimed by it
 * (the explorer when the execution ends, pthread when it is destroyed).
 * Only the strings and arrays they point to are ours to free.  That lets
 * this run after an execution the explorer cut short, and it puts every
 * object threads share at the same address in every execution, which
 * the explorer's memory of earlier executions relies on.
 */
void dmo_world_destroy(struct dmo_world *w)
{
	int i;

	if (!w)
		return;
	for (i = 0; i < w->nr_devices; i++) {
		struct dmo_device *dev = w->devices[i];

		dmo_mutex_destroy(w->s, &dev->lock);
		dmo_mutex_destroy(w->s, &dev->ulock);
		free(dev->match);
		free(dev->name);
	}
	for (i = 0; i < w->nr_groups; i++) {
		struct dmo_group *g = w->groups[i];

		dmo_mutex_destroy(w->s, &g->mutex);
		dmo_mutex_destroy(w->s, &g->ulock);
		free(g->devs);
	}
	for (i = 0; i < w->nr_drivers; i++) {
		dmo_mutex_destroy(w->s, &w->drivers[i]->bind_lock);
		free(w->drivers[i]->name);
	}
	for (i = 0; i < w->nr_buses; i++) {
		dmo_mutex_destroy(w->s, &w->buses[i]->klist_lock);
		free(w->buses[i]->name);
	}
	for (i = 0; i < w->nr_labels; i++)
		free(w->labels[i]);
	free(w->labels);
	free(w->devices);
	free(w->groups);
	free(w->drivers);
	free(w->buses);
	dmo_mutex_destroy(w->s, &w->defer_lock);
}

struct dmo_bus *dmo_bus_add(struct dmo_world *w, const char *name,
			    bool has_dma)
{
	return dmo_bus_add_shape(w, name, has_dma ? DMO_BUS_COMMON :
						    DMO_BUS_NODMA);
}

struct dmo_bus *dmo_bus_add_shape(struct dmo_world *w, const char *name,
				  enum dmo_bus_shape shape)
{
	const char *lbl;
	struct dmo_bus *bus;
	bool has_dma = shape == DMO_BUS_COMMON || shape == DMO_BUS_CDX;

	if (w->started || dmo_world_bus(w, name) ||
	    (unsigned)shape > DMO_BUS_HOST1X ||
	    (shape == DMO_BUS_CDX && !dmo__kernel_has(w, DMO_CHG_CDX_BUS)))
		return NULL;
	lbl = label(w, "bus", name);
	bus = lbl ? dmo_alloc(w->s, sizeof(*bus), lbl) : NULL;
	if (!bus)
		return NULL;
	bus->name = strdup(name);
	bus->has_dma = has_dma;
	bus->shape = shape;
	/* The buses whose driver-pointer snapshot fix has landed. */
	if (shape != DMO_BUS_COMMON)
		bus->snapshot = -1;
	else if (strcmp(name, "platform") == 0)
		bus->snapshot = DMO_CHG_PLATFORM_SNAPSHOT;
	else if (strcmp(name, "pci") == 0)
		bus->snapshot = DMO_CHG_PCI_SNAPSHOT;
	else
		bus->snapshot = -1;
	if (!bus->name || !push(&w->buses, &w->nr_buses, bus)) {
		free(bus->name);
		dmo_free(w->s, bus);
		return NULL;
	}
	dmo_mutex_init(w->s, &bus->klist_lock, "bus->p->klist_drivers");
	return bus;
}

struct dmo_driver *dmo_driver_add(struct dmo_world *w, const char *name,
				  struct dmo_bus *bus, bool managed_dma,
				  enum dmo_probe probe)
{
	const char *lbl;
	struct dmo_driver *drv;

	if (w->started || !bus || dmo_world_driver(w, name))
		return NULL;
	lbl = label(w, "driver", name);
	drv = lbl ? dmo_alloc(w->s, sizeof(*drv), lbl) : NULL;
	if (!drv)
		return NULL;
	drv->name = strdup(name);
	drv->bus = bus;
	drv->managed_dma = managed_dma;
	drv->probe = probe;
	drv->vfio = strncmp(name, "vfio", 4) == 0;
	if (!drv->name || !push(&w->drivers, &w->nr_drivers, drv)) {
		free(drv->name);
		dmo_free(w->s, drv);
		return NULL;
	}
	dmo_mutex_init(w->s, &drv->bind_lock, "drivers/DRV/bind");
	drv->override = dmo__override_intern(w, name);
	return drv;
}

struct dmo_group *dmo_group_add(struct dmo_world *w, int id)
{
	struct dmo_group *g = dmo_world_group(w, id);
	const char *lbl;
	char num[16];

	if (g)
		return g;
	if (w->started)
		return NULL;
	snprintf(num, sizeof(num), "%d", id);
	lbl = label(w, "iommu_group", num);
	g = lbl ? dmo_alloc(w->s, sizeof(*g), lbl) : NULL;
	if (!g)
		return NULL;
	g->w = w;
	g->id = id;
	g->has_default = true;
	g->domain = DMO_DOM_DEFAULT;
	if (!push(&w->groups, &w->nr_groups, g)) {
		dmo_free(w->s, g);
		return NULL;
	}
	dmo_mutex_init(w->s, &g->mutex, "group->mutex");
	dmo_mutex_init(w->s, &g->ulock, "vfio_group->group_lock");
	return g;
}

void dmo_group_set_nodefault(struct dmo_group *g)
{
	g->has_default = false;
	g->domain = DMO_DOM_NONE;
}

void dmo_group_set_emulated(struct dmo_group *g)
{
	g->emulated = true;
	dmo_group_set_nodefault(g);
}

void dmo_group_set_direct(struct dmo_group *g)
{
	g->direct = true;
}

struct dmo_device *dmo_device_add(struct dmo_world *w, const char *name,
				  struct dmo_bus *bus, struct dmo_group *group)
{
	const char *lbl;
	struct dmo_device *dev;

	if (w->started || !bus || dmo_world_device(w, name))
		return NULL;
	lbl = label(w, "device", name);
	dev = lbl ? dmo_alloc(w->s, sizeof(*dev), lbl) : NULL;
	if (!dev)
		return NULL;
	dev->w = w;
	dev->name = strdup(name);
	dev->bus = bus;
	dev->group = group;
	dev->iommu_label = group ? label(w, "dev_iommu", name) : NULL;
	if (group && !dev->iommu_label)
		goto err_free;
	if (!dev->name || !push(&w->devices, &w->nr_devices, dev))
		goto err_free;
	if (group && !push(&group->devs, &group->nr_devs, dev)) {
		w->nr_devices--;
		goto err_free;
	}
	dmo_mutex_init(w->s, &dev->lock, "device_lock");
	dmo_mutex_init(w->s, &dev->ulock, "vfio_device->dev_set->lock");
	return dev;

err_free:
	free(dev->name);
	dmo_free(w->s, dev);
	return NULL;
}

void dmo_device_set_bridge(struct dmo_device *dev)
{
	dev->bridge = true;
}

int dmo_device_add_match(struct dmo_device *dev, struct dmo_driver *drv)
{
	if (drv->bus != dev->bus)
		return -EINVAL;
	if (!push(&dev->match, &dev->nr_match, drv))
		return -ENOMEM;
	return 0;
}

const void *dmo_owner_get(struct dmo_world *w, const char *name)
{
	if (strcmp(name, "none") == 0)
		return NULL;
	return dmo__owner_intern(w, name);
}

const char *dmo_owner_name(const struct dmo_world *w, const void *owner)
{
	(void)w;
	return owner ? ((const struct dmo_owner *)owner)->name : "none";
}

/*
 * Runs on thread 0 before any other thread exists, so the stores need no
 * seam: thread creation orders them before everything the threads do.
 */
int dmo_world_start(struct dmo_world *w, const bool *registered,
		    const bool *present)
{
	int i;

	if (w->started)
		return -EBUSY;
	for (i = 0; i < w->nr_drivers; i++) {
		struct dmo_driver *drv = w->drivers[i];
		struct dmo_drv_obj *obj;

		if (registered && !registered[i])
			continue;
		obj = dmo__drv_obj_alloc(w, drv);
		if (!obj)
			return -ENOMEM;
		obj->handle = drv;
		obj->managed_dma = drv->managed_dma;
		obj->seq = ++drv->bus->next_seq;
		drv->obj = obj;
	}
	for (i = 0; i < w->nr_devices; i++) {
		struct dmo_device *dev = w->devices[i];

		if (present && !present[i])
			continue;
		dev->present = true;
		if (dev->group) {
			dev->iommu = dmo_alloc(w->s, sizeof(*dev->iommu),
					       dev->iommu_label);
			if (!dev->iommu)
				return -ENOMEM;
			dev->iommu->domain = dev->group->domain;
			dev->in_group = true;
			dev->group->nr_members++;
		}
	}
	dmo__world_watch(w);
	w->started = true;
	return 0;
}

/*
 * device_add(): the IOMMU core puts the device in its group before the
 * driver core makes it visible to probing, so no probe ever sees a
 * present device outside its group.
 */
int dmo_device_hotplug(struct dmo_world *w, struct dmo_device *dev)
{
	struct dmo_sync *s = w->s;
	int seen = dmo_read_once_int(s, &w->trigger_count);
	int ret;

	dmo_mutex_lock(s, &dev->lock);
	if (dmo_load_bool(s, &dev->present)) {
		dmo_mutex_unlock(s, &dev->lock);
		return -EEXIST;
	}
	dmo__group_add_device_locked(w, dev);
	dmo__vfio_add_notify(w, dev);
	dmo_store_bool(s, &dev->present, true);
	/* bus_probe_device(): the result does not matter to device_add(). */
	ret = dmo__device_attach_locked(w, dev);
	dmo_mutex_unlock(s, &dev->lock);
	if (ret == 1 ||
	    (ret == -DMO_EPROBE_DEFER &&
	     dmo_read_once_int(s, &w->trigger_count) != seen))
		dmo__deferred_probe_trigger(w);
	return 0;
}

/* device_del(): unbind first, then the IOMMU core drops it from its group. */
int dmo_device_unplug(struct dmo_world *w, struct dmo_device *dev)
{
	struct dmo_sync *s = w->s;
	struct dmo_drv_obj *drv;

	dmo_mutex_lock(s, &dev->lock);
	if (!dmo_load_bool(s, &dev->present)) {
		dmo_mutex_unlock(s, &dev->lock);
		return -ENODEV;
	}
	drv = dmo_load_ptr(s, &dev->driver);
	if (drv)
		dmo__device_release_driver_locked(w, dev, drv);
	dmo__group_remove_device_locked(w, dev);
	dmo_store_bool(s, &dev->present, false);
	dmo_mutex_unlock(s, &dev->lock);
	return 0;
}

void dmo_world_fail_nth(struct dmo_world *w, int n)
{
	w->fail_nth = n;
}

int dmo_world_faults_seen(const struct dmo_world *w)
{
	return w->ghost_faults;
}

struct dmo_bus *dmo_world_bus(const struct dmo_world *w, const char *name)
{
	for (int i = 0; i < w->nr_buses; i++)
		if (strcmp(w->buses[i]->name, name) == 0)
			return w->buses[i];
	return NULL;
}

struct dmo_driver *dmo_world_driver(const struct dmo_world *w,
				    const char *name)
{
	for (int i = 0; i < w->nr_drivers; i++)
		if (strcmp(w->drivers[i]->name, name) == 0)
			return w->drivers[i];
	return NULL;
}

struct dmo_device *dmo_world_device(const struct dmo_world *w,
				    const char *name)
{
	for (int i = 0; i < w->nr_devices; i++)
		if (strcmp(w->devices[i]->name, name) == 0)
			return w->devices[i];
	return NULL;
}

struct dmo_group *dmo_world_group(const struct dmo_world *w, int id)
{
	for (int i = 0; i < w->nr_groups; i++)
		if (w->groups[i]->id == id)
			return w->groups[i];
	return NULL;
}

int dmo_world_nr_groups(const struct dmo_world *w)
{
	return w->nr_groups;
}

struct dmo_group *dmo_world_group_at(const struct dmo_world *w, int i)
{
	return i >= 0 && i < w->nr_groups ? w->groups[i] : NULL;
}

int dmo_world_nr_devices(const struct dmo_world *w)
{
	return w->nr_devices;
}

struct dmo_device *dmo_world_device_at(const struct dmo_world *w, int i)
{
	return i >= 0 && i < w->nr_devices ? w->devices[i] : NULL;
}

int dmo_group_id(const struct dmo_group *g)
{
	return g->id;
}

const void *dmo_group_owner(const struct dmo_group *g)
{
	return g->owner;
}

int dmo_group_owner_cnt(const struct dmo_group *g)
{
	return g->owner_cnt;
}

const char *dmo_device_name(const struct dmo_device *dev)
{
	return dev->name;
}

const char *dmo_driver_name(const struct dmo_driver *drv)
{
	return drv->name;
}

/*
 * dev->driver never points to a freed object: unregister clears every
 * binding before it frees (dd.c), so reading through it here is safe.
 */
const char *dmo_device_driver_name(const struct dmo_device *dev)
{
	return dev->driver ? dev->driver->handle->name : "none";
}

void dmo_device_get_stats(const struct dmo_device *dev,
			  struct dmo_device_stats *st)
{
	st->configure_ok = dev->ghost_configure_ok;
	st->configure_err = dev->ghost_configure_err;
	st->cleanup = dev->ghost_cleanup;
}
