// SPDX-License-Identifier: MIT
/*
 * Policy `legacy`: Linux 5.18 and before.  The IOMMU core keeps no
 * ownership at all and the driver core never calls dma_cleanup; VFIO
 * alone guards isolation, twice and after the fact:
 *
 *  - when a group is attached to a container it must be *viable*: every
 *    member driverless, bound to a driver that manages its own DMA (vfio
 *    drivers), to pci-stub, or a bridge (pcieport).  The check reads each
 *    member's dev->driver under the group mutex but without that device's
 *    lock, so a bind racing with it is not excluded;
 *  - a group notifier sees every BUS_NOTIFY_BOUND_DRIVER; if the group is
 *    in use by user space and the new driver is not viable, nothing can be
 *    undone any more, and it hits BUG_ON: the crash the upstream series was
 *    written to remove.
 */
#include <errno.h>
#include <string.h>

#include "core/core.h"

static int legacy_use(struct dmo_world *w, struct dmo_device *dev)
{
	(void)w;
	(void)dev;
	return 0;
}

static void legacy_unuse(struct dmo_world *w, struct dmo_device *dev)
{
	(void)w;
	(void)dev;
}

static int legacy_group_claim(struct dmo_world *w, struct dmo_group *g,
			      const void *owner)
{
	(void)w;
	(void)g;
	(void)owner;
	return 0;
}

static void legacy_group_release(struct dmo_world *w, struct dmo_group *g)
{
	(void)w;
	(void)g;
}

static bool legacy_group_claimed(struct dmo_world *w, struct dmo_group *g)
{
	(void)w;
	(void)g;
	return false;
}

static int legacy_device_claim(struct dmo_world *w, struct dmo_device *dev,
			       const void *owner)
{
	(void)w;
	(void)dev;
	(void)owner;
	return 0;
}

static void legacy_device_release(struct dmo_world *w, struct dmo_device *dev)
{
	(void)w;
	(void)dev;
}

/* vfio_dev_driver_allowed(): a driver VFIO tolerates in a user group. */
static bool driver_viable(struct dmo_world *w, struct dmo_drv_obj *drv)
{
	struct dmo_sync *s = w->s;
	const struct dmo_driver *h;

	if (!drv || dmo_load_bool(s, &drv->managed_dma))
		return true;
	h = dmo_load_ptr(s, &drv->handle);
	return strcmp(h->name, "pci-stub") == 0 ||
	       strcmp(h->name, "pcieport") == 0;
}

static int legacy_vfio_claim(struct dmo_world *w, struct dmo_group *g)
{
	struct dmo_sync *s = w->s;
	int ret = 0;

	dmo__group_lock(w, g);
	for (int i = 0; i < g->nr_devs && !ret; i++) {
		struct dmo_device *dev = g->devs[i];

		if (!dmo_load_bool(s, &dev->in_group))
			continue;
		if (!driver_viable(w, dmo_read_once_ptr(s, &dev->driver)))
			ret = -EPERM;
	}
	dmo__group_unlock(w, g);
	return ret;
}

static void legacy_vfio_release(struct dmo_world *w, struct dmo_group *g)
{
	(void)w;
	(void)g;
}

/* vfio_iommu_group_notifier() at BUS_NOTIFY_BOUND_DRIVER. */
static void legacy_bound_notify(struct dmo_world *w, struct dmo_device *dev,
				struct dmo_drv_obj *drv)
{
	struct dmo_group *g = dev->group;

	if (!g || !dmo_read_once_bool(w->s, &g->vfio_open))
		return;
	if (!driver_viable(w, drv))
		dmo__reportf(w, DMO_VIOL_BUG, __func__,
			     "BUG_ON: group %d is in use by VFIO and %s bound a driver that is not viable",
			     g->id, dev->name);
}

/*
 * Before 5.19 the group had no ownership fields, so there is nothing of the
 * group's own to check; isolation, judged on ghost state, still applies.
 */
static int legacy_check_group(const struct dmo_world *w,
			      const struct dmo_group *g, bool quiescent,
			      dmo_check_fn cb, void *arg)
{
	(void)w;
	(void)g;
	(void)quiescent;
	(void)cb;
	(void)arg;
	return 0;
}

const struct dmo__policy_ops dmo__policy_legacy = {
	.use_default_domain = legacy_use,
	.unuse_default_domain = legacy_unuse,
	.group_claim = legacy_group_claim,
	.group_release = legacy_group_release,
	.group_claimed = legacy_group_claimed,
	.device_claim = legacy_device_claim,
	.device_release = legacy_device_release,
	.vfio_claim = legacy_vfio_claim,
	.vfio_release = legacy_vfio_release,
	.bound_notify = legacy_bound_notify,
	.check_group = legacy_check_group,
	.has_cleanup = false,
	.probe_fail_cleanup = false,
};
