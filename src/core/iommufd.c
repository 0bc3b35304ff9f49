// SPDX-License-Identifier: MIT
/*
 * iommufd, device-centric (drivers/iommu/iommufd/device.c): binding a
 * device to a context claims the device with the context as owner, so two
 * devices of one group bound to one context share the group's claim, one
 * count each.  The binding itself is iommufd's state, under the device's
 * VFIO lock, taken before the IOMMU group's mutex.
 */
#include <errno.h>

#include "core/core.h"

int dmo_iommufd_bind(struct dmo_world *w, struct dmo_device *dev,
		     const void *ctx)
{
	struct dmo_sync *s = w->s;
	int ret;

	dmo_mutex_lock(s, &dev->ulock);
	if (dmo_load_ptr(s, &dev->ictx)) {
		ret = -EBUSY;
		goto out_unlock;
	}
	ret = w->pol->device_claim(w, dev, ctx);
	if (ret)
		goto out_unlock;
	dmo_ghost_add(s, &dev->ghost_iommufd, 1);
	dmo_store_ptr(s, &dev->ictx, ctx);
out_unlock:
	dmo_mutex_unlock(s, &dev->ulock);
	return ret;
}

int dmo_iommufd_unbind(struct dmo_world *w, struct dmo_device *dev)
{
	struct dmo_sync *s = w->s;
	int ret = 0;

	dmo_mutex_lock(s, &dev->ulock);
	if (!dmo_load_ptr(s, &dev->ictx)) {
		ret = -ENODEV;
		goto out_unlock;
	}
	dmo_store_ptr(s, &dev->ictx, NULL);
	dmo_ghost_add(s, &dev->ghost_iommufd, -1);
	w->pol->device_release(w, dev);
out_unlock:
	dmo_mutex_unlock(s, &dev->ulock);
	return ret;
}
