// SPDX-License-Identifier: MIT
/*
 * The driver core's probe and remove ladder (drivers/base/dd.c) and the
 * paths that lead into it (drivers/base/bus.c): matching and
 * driver_override, sysfs bind and unbind, drivers_probe, device_attach(),
 * driver register and unregister, and the deferred-probe lists.
 *
 * Probe and remove run under device_lock(dev).  The rule they keep
 * (claim C6) is that a successful dma_configure meets exactly one
 * dma_cleanup and a failed one meets none; the policies that break it
 * (legacy has no cleanup at all, no-probe-cleanup skips the one on the
 * probe-failure path) say so in their ops, never by a test of the policy
 * here, and the kernel versions that break it (DEBUG_TEST_DRIVER_REMOVE
 * before 6.6) say so in the change table.
 *
 * Return values follow the kernel's convention inside this file: the
 * core's own errors (dma_configure's -EBUSY or -EPROBE_DEFER, a device
 * gone, a device already bound) are negative, a driver's probe failure is
 * returned positive, so that device_attach() can tell the two apart: a
 * failed probe lets the next matching driver try, a core error stops the
 * walk.  The public calls turn them back into negative errnos the way the
 * kernel's callers do.
 *
 * Driver lifetime.  The object dev->driver points to is freed by
 * unregister, while sysfs binds and device_attach() walks of other threads
 * may be about to use it.  The kernel drains those first, per driver and
 * per bus: removing the bind attribute waits for every bind_store() in
 * flight (kernfs active references), and unlinking the driver from the
 * bus's klist waits for every device_attach() standing on it (klist node
 * references).  Each in-flight user holds device_lock(dev) from the moment
 * it picks the object up until it is done with it, and picks it up under
 * the lock of the way it came in: the driver's bind_lock for a sysfs bind
 * and the driver's own registration walk, the bus's klist_lock for
 * device_attach(); it notes in dev->picked which object it took, and once
 * the probe is over it drops its reference under the same lock, still
 * holding device_lock.  A bound device is on its driver's device list,
 * which bind_lock also stands for: unbind leaves it under that lock.
 * Unregister takes both of its driver's locks, unpublishes the object and
 * notes, in the same critical section, every device that picked it up;
 * then it takes and drops device_lock of each of those: once it has passed
 * a device, no bind of that device can still hold the old object, and any
 * later one finds it unpublished.  Last it takes both locks once more,
 * which orders every reference dropped and every unbind before the free;
 * only then is the object freed.  Binds
 * of different drivers to different devices share no lock and no field,
 * so they commute, as in the kernel.  Devices that never picked the driver
 * up are not touched, as driver_detach() only walks the driver's own
 * devices: a concurrent remover of another device is not serialised
 * against the free, which is what lets the recompute policy's unlocked
 * walk reach a freed driver.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

/* A bus notifier firing, as a trace line naming the device. */
static void notify_fn(struct dmo_world *w, const char *fn, const char *event,
		      const struct dmo_device *dev)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "%s %s", event, dev->name);
	w->s->ops->note(w->s, fn, msg);
}

#define notify(w, event, dev) notify_fn((w), __func__, (event), (dev))

/*
 * device_set_driver(): a plain store until 6.15, a WRITE_ONCE since (the
 * dev_uevent() fix), which is what decides whether an unlocked reader of
 * dev->driver races with it.
 */
static void set_driver(struct dmo_world *w, struct dmo_device *dev,
		       struct dmo_drv_obj *drv)
{
	if (dmo__kernel_has(w, DMO_CHG_DEVICE_SET_DRIVER))
		dmo_write_once_ptr(w->s, &dev->driver, drv);
	else
		dmo_store_ptr(w->s, &dev->driver, drv);
}

static bool listed(const struct dmo_device *dev, const struct dmo_driver *drv)
{
	for (int i = 0; i < dev->nr_match; i++)
		if (dev->match[i] == drv)
			return true;
	return false;
}

/*
 * The bus's match() (driver_match_device()), given the override read by
 * the caller.  pci and platform: an override names the one driver that
 * matches, whatever its id table; without one, the id table decides.  cdx
 * needs the table too, where vfio-cdx lists every device with an
 * override_only entry.  A bus with no match() (host1x context) matches
 * every driver of its own.
 */
static bool bus_match(const struct dmo_device *dev,
		      const struct dmo_driver *drv,
		      const struct dmo_owner *override)
{
	if (drv->bus != dev->bus)
		return false;
	if (dev->bus->shape == DMO_BUS_HOST1X)
		return true;
	if (override && strcmp(override->name, drv->name) != 0)
		return false;
	if (override && dev->bus->shape == DMO_BUS_CDX)
		return listed(dev, drv) || drv->vfio;
	return override || listed(dev, drv);
}

/*
 * The same, reading the override as bind_store() and driver_attach() do,
 * without device_lock.  The buses read it unmarked; the model marks both
 * sides (the write is under device_lock) so that the library stays free
 * of data races on real threads, and so reports no race of its own here.
 */
static bool match_unlocked(struct dmo_world *w, struct dmo_device *dev,
			   const struct dmo_driver *drv)
{
	return bus_match(dev, drv, dmo_read_once_ptr(w->s, &dev->override));
}

/*
 * The registered object of @drv, picked up for a probe of @dev through the
 * driver's bind attribute (the caller holds device_lock until done).
 */
static struct dmo_drv_obj *pick_bind(struct dmo_world *w,
				     struct dmo_driver *drv,
				     struct dmo_device *dev)
{
	struct dmo_drv_obj *obj;

	dmo_assert_held(w->s, &dev->lock);
	dmo_mutex_lock(w->s, &drv->bind_lock);
	obj = dmo_load_ptr(w->s, &drv->obj);
	if (obj)
		dmo_write_once_ptr(w->s, &dev->picked, obj);
	dmo_mutex_unlock(w->s, &drv->bind_lock);
	return obj;
}

/*
 * bus_for_each_drv()'s next step: the registered driver that matches @dev
 * and comes next after @*after in the bus's list, picked up under the
 * bus's klist_lock; NULL at the end of the list.
 */
static struct dmo_drv_obj *pick_next(struct dmo_world *w,
				     struct dmo_device *dev,
				     const struct dmo_owner *override,
				     int *after)
{
	struct dmo_sync *s = w->s;
	struct dmo_drv_obj *best = NULL;
	int best_seq = 0;

	dmo_assert_held(s, &dev->lock);
	dmo_mutex_lock(s, &dev->bus->klist_lock);
	for (int i = 0; i < w->nr_drivers; i++) {
		struct dmo_driver *drv = w->drivers[i];
		struct dmo_drv_obj *obj;
		int seq;

		if (!bus_match(dev, drv, override))
			continue;
		obj = dmo_load_ptr(s, &drv->obj);
		if (!obj)
			continue;
		seq = dmo_load_int(s, &obj->seq);
		if (seq > *after && (!best || seq < best_seq)) {
			best = obj;
			best_seq = seq;
		}
	}
	if (best) {
		dmo_write_once_ptr(s, &dev->picked, best);
		*after = best_seq;
	}
	dmo_mutex_unlock(s, &dev->bus->klist_lock);
	return best;
}

/*
 * The end of a pick: the kernfs active reference or the klist node
 * reference is dropped under the lock it was taken under.
 */
static void unpick(struct dmo_world *w, struct dmo_mutex *lock)
{
	dmo_mutex_lock(w->s, lock);
	dmo_mutex_unlock(w->s, lock);
}

/* The driver's own probe: a fault point, then what the driver does. */
static int call_probe(struct dmo_world *w, const struct dmo_driver *drv)
{
	if (dmo__fault(w))
		return -ENXIO;
	switch (drv->probe) {
	case DMO_PROBE_OK:
		return 0;
	case DMO_PROBE_FAIL:
		return -ENXIO;
	case DMO_PROBE_MAYBE:
		return dmo_choose(w->s, 2, "probe fails") ? -ENXIO : 0;
	}
	return -ENXIO;
}

/* Whether a bound driver of this bus does DMA through the IOMMU core. */
static bool does_kdma(const struct dmo_device *dev, bool managed)
{
	return dev->bus->has_dma && !managed;
}

/*
 * device_remove() (when @remove: the driver's remove, which unregisters a
 * vfio driver's VFIO device) then dma_cleanup, in the order the policy
 * asks for around clearing dev->driver: the half of the unbind ladder
 * that really_probe()'s test_remove and failure path share with
 * __device_release_driver().
 */
static void remove_and_cleanup(struct dmo_world *w, struct dmo_device *dev,
			       const struct dmo_driver *handle, bool managed,
			       bool remove, bool cleanup)
{
	const struct dmo__policy_ops *pol = w->pol;

	if (remove && handle->vfio)
		dmo__vfio_unregister(w, dev);
	if (does_kdma(dev, managed))
		dmo_ghost_add(w->s, &dev->ghost_kdma, -1);
	cleanup = cleanup && pol->has_cleanup &&
		  dmo__kernel_has(w, DMO_CHG_DMA_CLEANUP);
	if (cleanup && !pol->cleanup_after_unset)
		dmo__bus_dma_cleanup(w, dev, managed);
	set_driver(w, dev, NULL);
	if (cleanup && pol->cleanup_after_unset)
		dmo__bus_dma_cleanup(w, dev, managed);
}

/*
 * really_probe(): SPEC.md section 3's ladder.  Returns 0 bound, a
 * negative core error, or a positive probe error.
 */
static int really_probe_locked(struct dmo_world *w, struct dmo_device *dev,
			       const struct dmo_driver *handle,
			       struct dmo_drv_obj *drv)
{
	struct dmo_sync *s = w->s;
	const struct dmo__policy_ops *pol = w->pol;
	bool test_remove, managed, kdma, cleanup;
	int ret;

	dmo_assert_held(s, &dev->lock);
	test_remove = dmo__config(w, DMO_CONFIG_DEBUG_TEST_DRIVER_REMOVE);
re_probe:
	if (!pol->driver_after_configure)
		set_driver(w, dev, drv);
	managed = dmo_load_bool(s, &drv->managed_dma);
	ret = dmo__bus_dma_configure(w, dev, managed);
	if (ret)
		goto err_unset_driver;
	if (pol->driver_after_configure)
		set_driver(w, dev, drv);
	kdma = does_kdma(dev, managed);
	if (kdma)
		dmo_ghost_add(s, &dev->ghost_kdma, 1);

	notify(w, "BUS_NOTIFY_BIND_DRIVER", dev);
	ret = call_probe(w, handle);
	if (!ret && handle->vfio)
		ret = dmo__vfio_register(w, dev);
	if (ret)
		goto err_dma_cleanup;
	if (test_remove) {
		/*
		 * CONFIG_DEBUG_TEST_DRIVER_REMOVE: remove the driver and
		 * probe it again, once, with no UNBIND notifier.  Until
		 * 0d5df49d0989 (6.6) this remove skipped dma_cleanup, so the
		 * second dma_configure took a second count.
		 */
		test_remove = false;
		cleanup = dmo__kernel_has(w, DMO_CHG_TEST_REMOVE_CLEANUP);
		remove_and_cleanup(w, dev, handle, managed, true, cleanup);
		goto re_probe;
	}
	notify(w, "BUS_NOTIFY_BOUND_DRIVER", dev);
	dmo__vfio_bound_notify(w, dev);
	return 0;

err_dma_cleanup:
	notify(w, "BUS_NOTIFY_DRIVER_NOT_BOUND", dev);
	cleanup = pol->probe_fail_cleanup;
	remove_and_cleanup(w, dev, handle, managed, false, cleanup);
	/* Probe errors travel positive, so callers tell them from ours. */
	return -ret;

err_unset_driver:
	if (!pol->driver_after_configure)
		set_driver(w, dev, NULL);
	return ret;
}

/* __device_release_driver(): @drv is what dev->driver holds. */
void dmo__device_release_driver_locked(struct dmo_world *w,
				       struct dmo_device *dev,
				       struct dmo_drv_obj *drv)
{
	struct dmo_sync *s = w->s;
	struct dmo_driver *handle;
	bool managed;

	dmo_assert_held(s, &dev->lock);
	notify(w, "BUS_NOTIFY_UNBIND_DRIVER", dev);
	managed = dmo_load_bool(s, &drv->managed_dma);
	handle = dmo_load_ptr(s, &drv->handle);
	remove_and_cleanup(w, dev, handle, managed, true, true);
	/* klist_remove() from the driver's list of devices. */
	unpick(w, &handle->bind_lock);
	notify(w, "BUS_NOTIFY_UNBOUND_DRIVER", dev);
	if (handle->vfio)
		dmo__vfio_unbound(w, dev);
}

/*
 * The deferred-probe lists (driver_deferred_probe_add() and the trigger):
 * a device whose probe returned -EPROBE_DEFER on a path through
 * driver_probe_device() waits on the pending list; every successful bind
 * moves the pending list to the active one and probes each device on it
 * once more, as the deferred-probe work does.
 */
static void deferred_probe_add(struct dmo_world *w, struct dmo_device *dev)
{
	struct dmo_sync *s = w->s;

	dmo_mutex_lock(s, &w->defer_lock);
	if (!dmo_load_bool(s, &dev->defer_pending)) {
		dmo_store_bool(s, &dev->defer_pending, true);
		dmo_write_once_int(s, &w->nr_pending,
				   dmo_read_once_int(s, &w->nr_pending) + 1);
	}
	dmo_mutex_unlock(s, &w->defer_lock);
}

/* driver_probe_device(): really_probe(), deferring on -EPROBE_DEFER. */
static int driver_probe_device_locked(struct dmo_world *w,
				      struct dmo_device *dev,
				      const struct dmo_driver *handle,
				      struct dmo_drv_obj *drv)
{
	int ret = really_probe_locked(w, dev, handle, drv);

	if (ret == -DMO_EPROBE_DEFER || ret == DMO_EPROBE_DEFER)
		deferred_probe_add(w, dev);
	return ret;
}

/*
 * __device_attach() for a present, unbound device: bus_for_each_drv() over
 * the registered drivers in the order they registered, skipping those
 * that do not match.  A driver's failed probe (positive) lets the next
 * one try; a core error (negative: dma_configure's -EBUSY or
 * -EPROBE_DEFER) stops the walk.  Returns 1 bound, 0 nothing bound, or
 * that error.
 */
int dmo__device_attach_locked(struct dmo_world *w, struct dmo_device *dev)
{
	const struct dmo_owner *override;
	int after = 0;

	dmo_assert_held(w->s, &dev->lock);
	override = dmo_load_ptr(w->s, &dev->override);
	for (;;) {
		struct dmo_drv_obj *drv = pick_next(w, dev, override, &after);
		int ret;

		if (!drv)
			return 0;
		ret = driver_probe_device_locked(w, dev,
						 dmo_load_ptr(w->s,
							      &drv->handle),
						 drv);
		unpick(w, &dev->bus->klist_lock);
		if (!ret)
			return 1;
		if (ret < 0)
			return ret;
	}
}

/* Moves the pending list to the active one; whether it held anything. */
static bool deferred_probe_activate(struct dmo_world *w)
{
	struct dmo_sync *s = w->s;
	bool any = false;

	dmo_mutex_lock(s, &w->defer_lock);
	for (int i = 0; i < w->nr_devices; i++) {
		struct dmo_device *dev = w->devices[i];

		if (!dmo_load_bool(s, &dev->defer_pending))
			continue;
		dmo_store_bool(s, &dev->defer_pending, false);
		dmo_store_bool(s, &dev->defer_active, true);
		any = true;
	}
	dmo_write_once_int(s, &w->nr_pending, 0);
	dmo_mutex_unlock(s, &w->defer_lock);
	return any;
}

static bool deferred_probe_take(struct dmo_world *w, struct dmo_device *dev)
{
	struct dmo_sync *s = w->s;
	bool active;

	dmo_mutex_lock(s, &w->defer_lock);
	active = dmo_load_bool(s, &dev->defer_active);
	if (active)
		dmo_store_bool(s, &dev->defer_active, false);
	dmo_mutex_unlock(s, &w->defer_lock);
	return active;
}

/*
 * Whether a probe that deferred missed a trigger: "did a trigger occur
 * while probing?" (driver_probe_device()), with @seen the count read
 * before the probe.  Only the triggers that can change a deferral's
 * outcome are counted (dmo_device_iommu_probe()'s), so that unrelated
 * binds still commute.
 */
static bool missed_trigger(struct dmo_world *w, int ret, int seen)
{
	return ret == -DMO_EPROBE_DEFER &&
	       dmo_read_once_int(w->s, &w->trigger_count) != seen;
}

/*
 * driver_deferred_probe_trigger() and the work it queues, run by the
 * thread whose bind succeeded once it holds no lock: each device on the
 * active list gets one more device_attach(); a device that defers again
 * waits for the next trigger, which a bind made here is.
 */
void dmo__deferred_probe_trigger(struct dmo_world *w)
{
	struct dmo_sync *s = w->s;
	bool again = true;

	while (again && dmo_read_once_int(s, &w->nr_pending)) {
		again = false;
		if (!deferred_probe_activate(w))
			break;
		for (int i = 0; i < w->nr_devices; i++) {
			struct dmo_device *dev = w->devices[i];
			int seen, ret = 0;

			if (!deferred_probe_take(w, dev))
				continue;
			seen = dmo_read_once_int(s, &w->trigger_count);
			dmo_mutex_lock(s, &dev->lock);
			if (dmo_load_bool(s, &dev->present) &&
			    !dmo_load_ptr(s, &dev->driver))
				ret = dmo__device_attach_locked(w, dev);
			dmo_mutex_unlock(s, &dev->lock);
			again |= ret == 1 || missed_trigger(w, ret, seen);
		}
	}
}

int dmo_device_attach(struct dmo_world *w, struct dmo_device *dev)
{
	struct dmo_sync *s = w->s;
	int seen = dmo_read_once_int(s, &w->trigger_count);
	int ret;

	dmo_mutex_lock(s, &dev->lock);
	if (!dmo_load_bool(s, &dev->present))
		ret = -ENODEV;
	else if (dmo_load_ptr(s, &dev->driver))
		ret = 1;
	else
		ret = dmo__device_attach_locked(w, dev);
	dmo_mutex_unlock(s, &dev->lock);
	if (ret == 1 || missed_trigger(w, ret, seen))
		dmo__deferred_probe_trigger(w);
	return ret;
}

/*
 * __driver_probe_device() behind device_driver_attach(): probes @dev with
 * @drv, whether or not it matches (the caller matched).
 */
static int driver_attach_locked(struct dmo_world *w, struct dmo_device *dev,
				struct dmo_driver *drv)
{
	struct dmo_sync *s = w->s;
	struct dmo_drv_obj *obj;
	int ret;

	dmo_assert_held(s, &dev->lock);
	if (!dmo_load_bool(s, &dev->present))
		return -ENODEV;
	/*
	 * Only an unbound device picks a driver up, so a bound device's
	 * dev->picked is always the object it is bound to.
	 */
	if (dmo_load_ptr(s, &dev->driver))
		return -EBUSY;
	obj = pick_bind(w, drv, dev);
	if (!obj)
		return -ENODEV;
	ret = really_probe_locked(w, dev, drv, obj);
	unpick(w, &drv->bind_lock);
	return ret;
}

/* device_driver_attach()'s view of a result, for user space. */
static int user_errno(int ret)
{
	if (ret > 0)
		ret = -ret;
	return ret == -DMO_EPROBE_DEFER ? -EAGAIN : ret;
}

int dmo_device_driver_attach(struct dmo_world *w, struct dmo_device *dev,
			     struct dmo_driver *drv)
{
	struct dmo_sync *s = w->s;
	int ret;

	if (drv->bus != dev->bus)
		return -ENODEV;
	dmo_mutex_lock(s, &dev->lock);
	ret = driver_attach_locked(w, dev, drv);
	dmo_mutex_unlock(s, &dev->lock);
	if (!ret)
		dmo__deferred_probe_trigger(w);
	return user_errno(ret);
}

/*
 * bind_store(): the driver's bind file exists while it is registered; the
 * device is looked up on the driver's own bus, so a device of another bus
 * is not found; the match is made without the device lock.
 */
int dmo_device_sysfs_bind(struct dmo_world *w, struct dmo_device *dev,
			  struct dmo_driver *drv)
{
	if (!dmo_read_once_ptr(w->s, &drv->obj) || drv->bus != dev->bus ||
	    !match_unlocked(w, dev, drv))
		return -ENODEV;
	return dmo_device_driver_attach(w, dev, drv);
}

int dmo_device_set_override(struct dmo_world *w, struct dmo_device *dev,
			    const void *override)
{
	struct dmo_sync *s = w->s;

	if (dev->bus->shape == DMO_BUS_HOST1X)
		return -ENOENT;
	dmo_mutex_lock(s, &dev->lock);
	dmo_write_once_ptr(s, &dev->override, override);
	dmo_mutex_unlock(s, &dev->lock);
	return 0;
}

/*
 * The override write, then the bind, as driverctl and users do it; a bus
 * without the file gets the bind alone.
 */
int dmo_device_bind(struct dmo_world *w, struct dmo_device *dev,
		    struct dmo_driver *drv)
{
	dmo_device_set_override(w, dev, drv->override);
	return dmo_device_sysfs_bind(w, dev, drv);
}

int dmo_device_unbind(struct dmo_world *w, struct dmo_device *dev)
{
	struct dmo_sync *s = w->s;
	struct dmo_drv_obj *drv;

	dmo_mutex_lock(s, &dev->lock);
	drv = dmo_load_ptr(s, &dev->driver);
	if (drv)
		dmo__device_release_driver_locked(w, dev, drv);
	dmo_mutex_unlock(s, &dev->lock);
	return drv ? 0 : -ENODEV;
}

/*
 * drivers_probe_store() and bus_rescan_devices_helper(): the device's
 * driver is tested without the device lock (unmarked in the kernel,
 * marked here, as for the override above), and any error of
 * device_attach() reaches user space as -EINVAL.
 */
int dmo_device_drivers_probe(struct dmo_world *w, struct dmo_device *dev)
{
	struct dmo_sync *s = w->s;
	bool present;

	dmo_mutex_lock(s, &dev->lock);
	present = dmo_load_bool(s, &dev->present);
	dmo_mutex_unlock(s, &dev->lock);
	if (!present)
		return -ENODEV;
	if (dmo_read_once_ptr(s, &dev->driver))
		return 0;
	return dmo_device_attach(w, dev) < 0 ? -EINVAL : 0;
}

/* A new driver object, not yet published: no other thread can reach it. */
struct dmo_drv_obj *dmo__drv_obj_alloc(struct dmo_world *w,
				       struct dmo_driver *drv)
{
	struct dmo_drv_obj *obj;

	obj = dmo_alloc(w->s, sizeof(*obj) + (size_t)w->nr_devices,
			drv->name);
	if (!obj)
		return NULL;
	obj->handle = drv;
	obj->managed_dma = drv->managed_dma;
	return obj;
}

int dmo_driver_register(struct dmo_world *w, struct dmo_driver *drv)
{
	struct dmo_sync *s = w->s;
	struct dmo_drv_obj *obj, *cur;
	struct dmo_bus *bus = drv->bus;
	bool bound = false;
	int seq, seen, ret;

	obj = dmo__drv_obj_alloc(w, drv);
	if (!obj)
		return -ENOMEM;

	/* bus_add_driver(): onto the bus's list, with a bind file. */
	dmo_mutex_lock(s, &bus->klist_lock);
	dmo_mutex_lock(s, &drv->bind_lock);
	cur = dmo_load_ptr(s, &drv->obj);
	if (!cur) {
		seq = dmo_load_int(s, &bus->next_seq) + 1;
		dmo_store_int(s, &bus->next_seq, seq);
		obj->seq = seq;
		dmo_write_once_ptr(s, &drv->obj, obj);
	}
	dmo_mutex_unlock(s, &drv->bind_lock);
	dmo_mutex_unlock(s, &bus->klist_lock);
	if (cur) {
		dmo_free(s, obj);
		return -EBUSY;
	}

	/*
	 * driver_attach(): every device of the bus that matches, matched
	 * without its lock; probe results do not fail the registration.
	 */
	for (int i = 0; i < w->nr_devices; i++) {
		struct dmo_device *dev = w->devices[i];

		if (dev->bus != bus || !match_unlocked(w, dev, drv))
			continue;
		seen = dmo_read_once_int(s, &w->trigger_count);
		ret = -ENODEV;
		dmo_mutex_lock(s, &dev->lock);
		if (dmo_load_bool(s, &dev->present) &&
		    !dmo_load_ptr(s, &dev->driver)) {
			/* A concurrent unregister may have freed @obj. */
			cur = pick_bind(w, drv, dev);
			if (cur) {
				ret = driver_probe_device_locked(w, dev, drv,
								 cur);
				unpick(w, &drv->bind_lock);
			}
		}
		dmo_mutex_unlock(s, &dev->lock);
		bound |= ret == 0 || missed_trigger(w, ret, seen);
	}
	if (bound)
		dmo__deferred_probe_trigger(w);
	return 0;
}

int dmo_driver_unregister(struct dmo_world *w, struct dmo_driver *drv)
{
	struct dmo_sync *s = w->s;
	struct dmo_drv_obj *obj;

	/*
	 * bus_remove_driver(): the bind file goes (draining bind_store())
	 * and the driver leaves the bus's list (draining device_attach()).
	 */
	dmo_mutex_lock(s, &drv->bus->klist_lock);
	dmo_mutex_lock(s, &drv->bind_lock);
	obj = dmo_load_ptr(s, &drv->obj);
	if (obj) {
		dmo_write_once_ptr(s, &drv->obj, NULL);
		for (int i = 0; i < w->nr_devices; i++) {
			struct dmo_device *dev = w->devices[i];

			obj->drain[i] = dev->bus == drv->bus &&
					dmo_read_once_ptr(s, &dev->picked) ==
						obj;
		}
	}
	dmo_mutex_unlock(s, &drv->bind_lock);
	dmo_mutex_unlock(s, &drv->bus->klist_lock);
	if (!obj)
		return -ENODEV;

	/* driver_detach(), which is also the drain: see the essay above. */
	for (int i = 0; i < w->nr_devices; i++) {
		struct dmo_device *dev = w->devices[i];

		if (!obj->drain[i])
			continue;
		dmo_mutex_lock(s, &dev->lock);
		if (dmo_load_ptr(s, &dev->driver) == obj)
			dmo__device_release_driver_locked(w, dev, obj);
		dmo_mutex_unlock(s, &dev->lock);
	}
	/* The last references dropped, the last devices gone: free it. */
	dmo_mutex_lock(s, &drv->bus->klist_lock);
	dmo_mutex_lock(s, &drv->bind_lock);
	dmo_mutex_unlock(s, &drv->bind_lock);
	dmo_mutex_unlock(s, &drv->bus->klist_lock);
	dmo_free(s, obj);
	return 0;
}
