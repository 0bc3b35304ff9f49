// SPDX-License-Identifier: MIT
/*
 * The driver core's probe and remove ladder (drivers/base/dd.c) and the
 * paths that lead into it: sysfs bind and unbind, device_attach(), driver
 * register and unregister.
 *
 * Probe and remove run under device_lock(dev).  The rule they keep
 * (claim C6) is that a successful dma_configure meets exactly one
 * dma_cleanup and a failed one meets none; the policies that break it
 * (legacy has no cleanup at all, no-probe-cleanup skips the one on the
 * probe-failure path) say so in their ops, never by a test of the policy
 * here.
 *
 * Driver lifetime.  The object dev->driver points to is freed by
 * unregister, while sysfs binds and device_attach() of other threads may
 * be about to use it.  The kernel drains those first: removing the bind
 * attribute waits for every bind_store() in flight (kernfs active
 * references), and unlinking the driver from the bus waits for every
 * device_attach() iterating over it (klist references).  Both in-flight
 * users hold device_lock(dev) from the moment they pick the object up
 * until they are done with it, and they pick it up under world->lock,
 * noting in dev->picked which object they took.  So unregister models the
 * drain by unpublishing the object under world->lock, noting in the same
 * critical section every device that picked it up, and then taking and
 * dropping device_lock of each of those: once it has passed a device, no
 * bind of that device can still hold the old object, and any later one
 * finds it unpublished.  Only then is the object freed.  Devices that
 * never picked the driver up are not touched, as driver_detach() only
 * walks the driver's own devices: a concurrent remover of another device
 * is not serialised against the free, which is what lets the recompute
 * policy's unlocked walk reach a freed driver.  Binds of one driver to
 * different devices still run concurrently, as in the kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

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
 * The registered object of @drv, or NULL, picked up for a probe of @dev
 * (whose device_lock the caller holds until done with it): world->lock
 * publishes the object and records the pick for unregister's drain.
 */
static struct dmo_drv_obj *driver_obj(struct dmo_world *w,
				      struct dmo_driver *drv,
				      struct dmo_device *dev)
{
	struct dmo_drv_obj *obj;

	dmo_assert_held(w->s, &dev->lock);
	dmo_mutex_lock(w->s, &w->lock);
	obj = dmo_load_ptr(w->s, &drv->obj);
	if (obj)
		dmo_store_ptr(w->s, &dev->picked, obj);
	dmo_mutex_unlock(w->s, &w->lock);
	return obj;
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

/* really_probe(): SPEC.md section 3, steps 1 to 5, in that order. */
static int really_probe_locked(struct dmo_world *w, struct dmo_device *dev,
			       const struct dmo_driver *handle,
			       struct dmo_drv_obj *drv)
{
	struct dmo_sync *s = w->s;
	const struct dmo__policy_ops *pol = w->pol;
	bool managed, kdma, cleanup;
	int ret;

	dmo_assert_held(s, &dev->lock);
	if (!pol->driver_after_configure)
		dmo_store_ptr(s, &dev->driver, drv);
	managed = dmo_load_bool(s, &drv->managed_dma);
	ret = dmo__bus_dma_configure(w, dev, managed);
	if (ret)
		goto err_unset_driver;
	if (pol->driver_after_configure)
		dmo_store_ptr(s, &dev->driver, drv);
	kdma = dev->bus->has_dma && !managed;
	if (kdma)
		dmo_ghost_add(s, &dev->ghost_kdma, 1);

	notify(w, "BUS_NOTIFY_BIND_DRIVER", dev);
	ret = call_probe(w, handle);
	if (ret)
		goto err_dma_cleanup;
	notify(w, "BUS_NOTIFY_BOUND_DRIVER", dev);
	if (pol->bound_notify)
		pol->bound_notify(w, dev, drv);
	return 0;

err_dma_cleanup:
	notify(w, "BUS_NOTIFY_DRIVER_NOT_BOUND", dev);
	if (kdma)
		dmo_ghost_add(s, &dev->ghost_kdma, -1);
	cleanup = pol->has_cleanup && pol->probe_fail_cleanup;
	if (cleanup && !pol->cleanup_after_unset)
		dmo__bus_dma_cleanup(w, dev, managed);
	dmo_store_ptr(s, &dev->driver, NULL);
	if (cleanup && pol->cleanup_after_unset)
		dmo__bus_dma_cleanup(w, dev, managed);
	return ret;

err_unset_driver:
	if (!pol->driver_after_configure)
		dmo_store_ptr(s, &dev->driver, NULL);
	return ret;
}

/* __device_release_driver(): @drv is what dev->driver holds. */
void dmo__device_release_driver_locked(struct dmo_world *w,
				       struct dmo_device *dev,
				       struct dmo_drv_obj *drv)
{
	struct dmo_sync *s = w->s;
	const struct dmo__policy_ops *pol = w->pol;
	bool managed;

	dmo_assert_held(s, &dev->lock);
	notify(w, "BUS_NOTIFY_UNBIND_DRIVER", dev);
	managed = dmo_load_bool(s, &drv->managed_dma);
	if (dev->bus->has_dma && !managed)
		dmo_ghost_add(s, &dev->ghost_kdma, -1);
	if (pol->has_cleanup && !pol->cleanup_after_unset)
		dmo__bus_dma_cleanup(w, dev, managed);
	dmo_store_ptr(s, &dev->driver, NULL);
	if (pol->has_cleanup && pol->cleanup_after_unset)
		dmo__bus_dma_cleanup(w, dev, managed);
	notify(w, "BUS_NOTIFY_UNBOUND_DRIVER", dev);
}

/*
 * __device_attach() for a present, unbound device: the first registered
 * driver of its match list that probes successfully wins.
 */
int dmo__device_attach_locked(struct dmo_world *w, struct dmo_device *dev)
{
	int ret = -ENODEV;

	dmo_assert_held(w->s, &dev->lock);
	for (int i = 0; i < dev->nr_match; i++) {
		struct dmo_drv_obj *drv = driver_obj(w, dev->match[i], dev);

		if (!drv)
			continue;
		ret = really_probe_locked(w, dev, dev->match[i], drv);
		if (!ret)
			return 0;
	}
	return ret;
}

int dmo_device_attach(struct dmo_world *w, struct dmo_device *dev)
{
	struct dmo_sync *s = w->s;
	int ret;

	dmo_mutex_lock(s, &dev->lock);
	if (!dmo_load_bool(s, &dev->present))
		ret = -ENODEV;
	else if (dmo_load_ptr(s, &dev->driver))
		ret = 0;
	else
		ret = dmo__device_attach_locked(w, dev);
	dmo_mutex_unlock(s, &dev->lock);
	return ret;
}

int dmo_device_bind(struct dmo_world *w, struct dmo_device *dev,
		    struct dmo_driver *drv)
{
	struct dmo_sync *s = w->s;
	struct dmo_drv_obj *obj;
	int ret;

	if (drv->bus != dev->bus)
		return -EINVAL;
	dmo_mutex_lock(s, &dev->lock);
	if (!dmo_load_bool(s, &dev->present)) {
		ret = -ENODEV;
		goto out_unlock;
	}
	/*
	 * Only an unbound device picks a driver up, so a bound device's
	 * dev->picked is always the object it is bound to.
	 */
	if (dmo_load_ptr(s, &dev->driver)) {
		ret = -EBUSY;
		goto out_unlock;
	}
	obj = driver_obj(w, drv, dev);
	if (!obj) {
		ret = -ENODEV;
		goto out_unlock;
	}
	ret = really_probe_locked(w, dev, drv, obj);
out_unlock:
	dmo_mutex_unlock(s, &dev->lock);
	return ret;
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

static bool matches(const struct dmo_device *dev, const struct dmo_driver *drv)
{
	for (int i = 0; i < dev->nr_match; i++)
		if (dev->match[i] == drv)
			return true;
	return false;
}

int dmo_driver_register(struct dmo_world *w, struct dmo_driver *drv)
{
	struct dmo_sync *s = w->s;
	struct dmo_drv_obj *obj, *cur;

	obj = dmo_alloc(s, sizeof(*obj), drv->name);
	if (!obj)
		return -ENOMEM;
	/* Not yet published: no other thread can reach it. */
	obj->handle = drv;
	obj->managed_dma = drv->managed_dma;

	dmo_mutex_lock(s, &w->lock);
	cur = dmo_load_ptr(s, &drv->obj);
	if (!cur)
		dmo_store_ptr(s, &drv->obj, obj);
	dmo_mutex_unlock(s, &w->lock);
	if (cur) {
		dmo_free(s, obj);
		return -EBUSY;
	}

	/* driver_attach(): probe failures do not fail the registration. */
	for (int i = 0; i < w->nr_devices; i++) {
		struct dmo_device *dev = w->devices[i];

		if (dev->bus != drv->bus || !matches(dev, drv))
			continue;
		dmo_mutex_lock(s, &dev->lock);
		if (dmo_load_bool(s, &dev->present) &&
		    !dmo_load_ptr(s, &dev->driver)) {
			/* A concurrent unregister may have freed @obj. */
			cur = driver_obj(w, drv, dev);
			if (cur)
				really_probe_locked(w, dev, drv, cur);
		}
		dmo_mutex_unlock(s, &dev->lock);
	}
	return 0;
}

int dmo_driver_unregister(struct dmo_world *w, struct dmo_driver *drv)
{
	struct dmo_sync *s = w->s;
	struct dmo_drv_obj *obj;
	bool *visit;

	/* Without memory for the list, draining every device is still safe. */
	visit = calloc((size_t)w->nr_devices + 1, sizeof(*visit));
	dmo_mutex_lock(s, &w->lock);
	obj = dmo_load_ptr(s, &drv->obj);
	if (obj) {
		dmo_store_ptr(s, &drv->obj, NULL);
		for (int i = 0; visit && i < w->nr_devices; i++)
			visit[i] = w->devices[i]->bus == drv->bus &&
				   dmo_load_ptr(s, &w->devices[i]->picked) ==
					   obj;
	}
	dmo_mutex_unlock(s, &w->lock);
	if (!obj) {
		free(visit);
		return -ENODEV;
	}

	/* driver_detach(), which is also the drain: see the essay above. */
	for (int i = 0; i < w->nr_devices; i++) {
		struct dmo_device *dev = w->devices[i];

		if (dev->bus != drv->bus || (visit && !visit[i]))
			continue;
		dmo_mutex_lock(s, &dev->lock);
		if (dmo_load_ptr(s, &dev->driver) == obj)
			dmo__device_release_driver_locked(w, dev, obj);
		dmo_mutex_unlock(s, &dev->lock);
	}
	free(visit);
	dmo_free(s, obj);
	return 0;
}
