// SPDX-License-Identifier: MIT
/*
 * iommufd, device-centric (drivers/iommu/iommufd/device.c), and from 6.6
 * the VFIO device cdev that user space binds to it (drivers/vfio/
 * device_cdev.c).
 *
 * Binding a device to a context claims the device with the context as
 * owner, so two devices of one group bound to one context share the
 * group's claim, one count each.  iommufd_device_bind() checks, in order,
 * cache coherency (which a device with no IOMMU lacks: -EINVAL), the
 * group (-ENODEV), MSI isolation (not modelled), then claims.
 *
 * From 6.6 (5fcc26969a16) the bind is VFIO_DEVICE_BIND_IOMMUFD on
 * /dev/vfio/devices/vfioX, which exists for a registered VFIO device
 * (-ENOENT otherwise).  A cdev bind blocks the group file (-EBUSY while it
 * is open) and the group file blocks cdev binds; a device is bound once
 * (-EINVAL).  Before 6.6 the op is the kernel API called directly, with
 * the model's one context per device (-EBUSY when already bound).
 *
 * The binding is under the device's ulock (dev_set->lock), taken after
 * the group's VFIO ulock and before group->mutex.
 */
#include <errno.h>

#include "core/core.h"

/* iommufd_device_bind(), under dev->ulock; the claim's error. */
static int bind_locked(struct dmo_world *w, struct dmo_device *dev,
		       const void *ctx)
{
	struct dmo_sync *s = w->s;
	int ret;

	dmo_assert_held(s, &dev->ulock);
	ret = w->pol->device_claim(w, dev, ctx);
	if (ret)
		return ret;
	dmo_ghost_add(s, &dev->ghost_iommufd, 1);
	dmo_store_ptr(s, &dev->ictx, ctx);
	return 0;
}

/* iommufd_device_unbind(); whether the device was bound. */
static bool unbind_locked(struct dmo_world *w, struct dmo_device *dev)
{
	struct dmo_sync *s = w->s;

	dmo_assert_held(s, &dev->ulock);
	if (!dmo_load_ptr(s, &dev->ictx))
		return false;
	dmo_store_ptr(s, &dev->ictx, NULL);
	dmo_ghost_add(s, &dev->ghost_iommufd, -1);
	w->pol->device_release(w, dev);
	return true;
}

/* VFIO_DEVICE_BIND_IOMMUFD on the device's cdev. */
static int cdev_bind(struct dmo_world *w, struct dmo_device *dev,
		     const void *ctx)
{
	struct dmo_sync *s = w->s;
	struct dmo_group *g = dev->group;
	int ret;

	if (!g)
		return -ENOENT;
	dmo_mutex_lock(s, &g->ulock);
	if (!dmo_load_bool(s, &dev->vfio_reg)) {
		ret = -ENOENT;
		goto out_unlock;
	}
	/* vfio_device_block_group() */
	if (dmo_load_bool(s, &g->vfio_open)) {
		ret = -EBUSY;
		goto out_unlock;
	}
	dmo_mutex_lock(s, &dev->ulock);
	if (dmo_load_ptr(s, &dev->ictx))
		ret = -EINVAL;
	else
		ret = bind_locked(w, dev, ctx);
	dmo_mutex_unlock(s, &dev->ulock);
	if (!ret)
		dmo_store_int(s, &g->vfio_cdevs,
			      dmo_load_int(s, &g->vfio_cdevs) + 1);
out_unlock:
	dmo_mutex_unlock(s, &g->ulock);
	return ret;
}

int dmo_iommufd_bind(struct dmo_world *w, struct dmo_device *dev,
		     const void *ctx)
{
	struct dmo_sync *s = w->s;
	int ret;

	if (dmo__kernel_has(w, DMO_CHG_VFIO_CDEV))
		return cdev_bind(w, dev, ctx);
	/* No IOMMU, no cache coherency: the first check. */
	if (!dev->group)
		return -EINVAL;
	dmo_mutex_lock(s, &dev->ulock);
	if (dmo_load_ptr(s, &dev->ictx))
		ret = -EBUSY;
	else
		ret = bind_locked(w, dev, ctx);
	dmo_mutex_unlock(s, &dev->ulock);
	return ret;
}

/* The cdev's close, with its group's VFIO ulock held. */
void dmo__iommufd_cdev_close_locked(struct dmo_world *w,
				    struct dmo_device *dev)
{
	struct dmo_sync *s = w->s;
	struct dmo_group *g = dev->group;
	bool was;

	dmo_assert_held(s, &g->ulock);
	dmo_mutex_lock(s, &dev->ulock);
	was = unbind_locked(w, dev);
	dmo_mutex_unlock(s, &dev->ulock);
	if (was)
		dmo_store_int(s, &g->vfio_cdevs,
			      dmo_load_int(s, &g->vfio_cdevs) - 1);
}

int dmo_iommufd_unbind(struct dmo_world *w, struct dmo_device *dev)
{
	struct dmo_sync *s = w->s;
	struct dmo_group *g = dev->group;
	bool was;

	if (dmo__kernel_has(w, DMO_CHG_VFIO_CDEV)) {
		if (!g)
			return -ENODEV;
		dmo_mutex_lock(s, &g->ulock);
		was = dmo_load_ptr(s, &dev->ictx) != NULL;
		if (was)
			dmo__iommufd_cdev_close_locked(w, dev);
		dmo_mutex_unlock(s, &g->ulock);
		return was ? 0 : -ENODEV;
	}
	dmo_mutex_lock(s, &dev->ulock);
	was = unbind_locked(w, dev);
	dmo_mutex_unlock(s, &dev->ulock);
	return was ? 0 : -ENODEV;
}
