// SPDX-License-Identifier: MIT
/*
 * VFIO, group-centric (drivers/vfio/group.c, container.c, vfio_main.c;
 * before 5.19 drivers/vfio/vfio.c).
 *
 * A vfio driver registers a VFIO device from its probe and unregisters it
 * from its remove; the group file /dev/vfio/N exists while the group has a
 * registered VFIO device, and, before 3dd59a7dcb97 (6.1), for as long as
 * the file stays open (the vfio_group was reference counted).  Opening it
 * is exclusive.  `vfio_open` is the open and SET_CONTAINER together, which
 * claims the group for user space (5.19 on), except an emulated group,
 * which VFIO never claims (a3da1ab6fbea).  Closing releases it; from 6.1
 * so does the removal of the group's last VFIO device, although the file
 * stays open, disassociated.  Device FDs hold the group file: it is
 * released when the last of them closes.  A vfio driver's remove waits
 * for its device's users; the model has them answer the driver's request
 * at once, so the remove closes the device's FDs and its cdev.
 *
 * Before 5.19 VFIO had no ownership to claim.  It checked the group's
 * viability instead, at VFIO_GROUP_GET_STATUS and VFIO_GROUP_GET_DEVICE_FD
 * (never at SET_CONTAINER: a careful user asks for the status first), and
 * its group notifier hit BUG_ON when a driver that is not viable bound
 * while the group had container users.  Viable: no driver, a PCI device
 * whose header is not normal whatever its driver, the driver named
 * pci-stub, a registered VFIO device of the group, or one being unbound
 * (the unbound_list).  The walk reads each member's dev->driver with
 * READ_ONCE and no device lock.
 *
 * The VFIO state of a group is under its ulock (vfio.group_lock), taken
 * under device_lock by the vfio drivers and before group->mutex by the
 * claims.  The ghost hold is taken only once the claim has succeeded and
 * dropped before the release starts, so the checker never blames a user
 * hold that the IOMMU core has not granted.
 */
#include <errno.h>
#include <string.h>

#include "core/core.h"

/* The file /dev/vfio/N exists. */
static bool file_exists_locked(struct dmo_world *w, struct dmo_group *g)
{
	struct dmo_sync *s = w->s;

	dmo_assert_held(s, &g->ulock);
	if (dmo_load_int(s, &g->vfio_devs))
		return true;
	return !dmo__kernel_has(w, DMO_CHG_VFIO_DISASSOCIATE) &&
	       dmo_load_bool(s, &g->vfio_open);
}

/*
 * vfio_group_detach_container(): the container goes, and the claim with
 * it.  Emulated groups were never claimed, 5.18 groups had no claims.
 */
static void detach_container_locked(struct dmo_world *w, struct dmo_group *g)
{
	struct dmo_sync *s = w->s;

	dmo_assert_held(s, &g->ulock);
	if (!dmo_load_bool(s, &g->vfio_container))
		return;
	dmo_store_bool(s, &g->vfio_container, false);
	dmo_ghost_add(s, &g->ghost_user, -1);
	if (dmo_load_bool(s, &g->vfio_claimed)) {
		dmo_store_bool(s, &g->vfio_claimed, false);
		w->pol->vfio_release(w, g);
	}
}

/* vfio_group_fops_release(): the last reference to the file is gone. */
static void file_release_locked(struct dmo_world *w, struct dmo_group *g)
{
	struct dmo_sync *s = w->s;

	detach_container_locked(w, g);
	dmo_store_bool(s, &g->vfio_close_pending, false);
	dmo_write_once_bool(s, &g->vfio_open, false);
}

/* vfio_dev_viable() of 5.18, with the group's ulock held. */
static bool dev_viable_locked(struct dmo_world *w, struct dmo_device *dev)
{
	struct dmo_sync *s = w->s;
	struct dmo_drv_obj *drv;
	const struct dmo_driver *h;

	if (dmo_load_bool(s, &dev->vfio_unbinding))
		return true;
	drv = dmo_read_once_ptr(s, &dev->driver);
	if (!drv || dev->bridge)
		return true;
	h = dmo_load_ptr(s, &drv->handle);
	return strcmp(h->name, "pci-stub") == 0 ||
	       dmo_load_bool(s, &dev->vfio_reg);
}

/* vfio_group_viable(): every member, under iommu_group_for_each_dev(). */
static bool group_viable_locked(struct dmo_world *w, struct dmo_group *g)
{
	struct dmo_sync *s = w->s;
	bool viable = true;

	dmo__group_lock(w, g);
	for (int i = 0; i < g->nr_devs && viable; i++)
		if (dmo_load_bool(s, &g->devs[i]->in_group))
			viable = dev_viable_locked(w, g->devs[i]);
	dmo__group_unlock(w, g);
	return viable;
}

int dmo__vfio_register(struct dmo_world *w, struct dmo_device *dev)
{
	struct dmo_sync *s = w->s;
	struct dmo_group *g = dev->group;

	dmo_assert_held(s, &dev->lock);
	/* vfio_device_set_group(): no IOMMU group and no noiommu mode. */
	if (!g)
		return -EINVAL;
	dmo_mutex_lock(s, &g->ulock);
	dmo_store_bool(s, &dev->vfio_reg, true);
	dmo_store_int(s, &g->vfio_devs, dmo_load_int(s, &g->vfio_devs) + 1);
	dmo_mutex_unlock(s, &g->ulock);
	return 0;
}

void dmo__vfio_unregister(struct dmo_world *w, struct dmo_device *dev)
{
	struct dmo_sync *s = w->s;
	struct dmo_group *g = dev->group;
	int n;

	dmo_assert_held(s, &dev->lock);
	dmo_mutex_lock(s, &g->ulock);
	if (!dmo__kernel_has(w, DMO_CHG_VFIO_NO_UNBOUND_LIST))
		dmo_store_bool(s, &dev->vfio_unbinding, true);
	/* The users answer the driver's request: their FDs close. */
	n = dmo_load_int(s, &dev->vfio_fds);
	if (n) {
		dmo_store_int(s, &dev->vfio_fds, 0);
		dmo_store_int(s, &g->vfio_fds,
			      dmo_load_int(s, &g->vfio_fds) - n);
		if (!dmo_load_int(s, &g->vfio_fds) &&
		    dmo_load_bool(s, &g->vfio_close_pending))
			file_release_locked(w, g);
	}
	if (dmo__kernel_has(w, DMO_CHG_VFIO_CDEV))
		dmo__iommufd_cdev_close_locked(w, dev);
	dmo_store_bool(s, &dev->vfio_reg, false);
	n = dmo_load_int(s, &g->vfio_devs) - 1;
	dmo_store_int(s, &g->vfio_devs, n);
	/*
	 * 3dd59a7dcb97: the last device takes the container (and the
	 * claim) away from a file that stays open, disassociated.  Before
	 * 6.1 the claim lived as long as the file.
	 */
	if (!n && dmo__kernel_has(w, DMO_CHG_VFIO_DISASSOCIATE) &&
	    dmo_load_bool(s, &g->vfio_open)) {
		detach_container_locked(w, g);
		dmo_write_once_bool(s, &g->vfio_open, false);
		dmo_store_bool(s, &g->vfio_orphan, true);
		dmo_store_bool(s, &g->vfio_close_pending, false);
	}
	dmo_mutex_unlock(s, &g->ulock);
}

/* 5.18's IOMMU_GROUP_NOTIFY_UNBOUND_DRIVER: off the unbound_list. */
void dmo__vfio_unbound(struct dmo_world *w, struct dmo_device *dev)
{
	struct dmo_sync *s = w->s;
	struct dmo_group *g = dev->group;

	if (!g || dmo__kernel_has(w, DMO_CHG_VFIO_NO_UNBOUND_LIST))
		return;
	dmo_mutex_lock(s, &g->ulock);
	dmo_store_bool(s, &dev->vfio_unbinding, false);
	dmo_mutex_unlock(s, &g->ulock);
}

/*
 * 5.18's vfio_iommu_group_notifier() at BUS_NOTIFY_BOUND_DRIVER: a group
 * with container users and a driver that is not viable is BUG_ON.
 */
void dmo__vfio_bound_notify(struct dmo_world *w, struct dmo_device *dev)
{
	struct dmo_sync *s = w->s;
	struct dmo_group *g = dev->group;
	bool bug;

	if (!g || dmo__kernel_has(w, DMO_CHG_VFIO_NO_NOTIFIER) ||
	    !dmo_read_once_bool(s, &g->vfio_open))
		return;
	dmo_mutex_lock(s, &g->ulock);
	bug = !dev_viable_locked(w, dev);
	dmo_mutex_unlock(s, &g->ulock);
	if (bug)
		dmo__reportf(w, DMO_VIOL_BUG, __func__,
			     "BUG_ON: group %d is in use by VFIO and %s bound a driver that is not viable",
			     g->id, dev->name);
}

/* ... and at IOMMU_GROUP_NOTIFY_ADD_DEVICE: a WARN, and nothing else. */
void dmo__vfio_add_notify(struct dmo_world *w, struct dmo_device *dev)
{
	struct dmo_group *g = dev->group;

	if (!g || dmo__kernel_has(w, DMO_CHG_VFIO_NO_NOTIFIER) ||
	    !dmo_read_once_bool(w->s, &g->vfio_open))
		return;
	dmo__reportf(w, DMO_VIOL_WARN, __func__,
		     "dev_WARN: Device added to live group %d! (%s)", g->id,
		     dev->name);
}

int dmo_vfio_group_open(struct dmo_world *w, struct dmo_group *g)
{
	struct dmo_sync *s = w->s;
	bool exists, claim;
	int ret = 0;

	/* The path lookup: no file, no open. */
	dmo_mutex_lock(s, &g->ulock);
	exists = file_exists_locked(w, g);
	dmo_mutex_unlock(s, &g->ulock);
	if (!exists)
		return -ENOENT;

	/* vfio_group_fops_open() */
	dmo_mutex_lock(s, &g->ulock);
	if (dmo__kernel_has(w, DMO_CHG_VFIO_DISASSOCIATE) &&
	    !dmo_load_int(s, &g->vfio_devs)) {
		/* It raced the removal of the last VFIO device. */
		ret = -ENODEV;
		goto out_unlock;
	}
	if (dmo_load_int(s, &g->vfio_cdevs) || dmo_load_bool(s, &g->vfio_open)) {
		ret = -EBUSY;
		goto out_unlock;
	}
	dmo_write_once_bool(s, &g->vfio_open, true);

	/* VFIO_GROUP_SET_CONTAINER */
	claim = dmo__kernel_has(w, DMO_CHG_VFIO_DMA_OWNER) &&
		!(g->emulated && dmo__kernel_has(w, DMO_CHG_VFIO_FAKE_GROUPS));
	if (claim)
		ret = w->pol->vfio_claim(w, g);
	if (ret) {
		/* The user gives up and closes the file again. */
		dmo_write_once_bool(s, &g->vfio_open, false);
		goto out_unlock;
	}
	dmo_store_bool(s, &g->vfio_claimed, claim);
	dmo_store_bool(s, &g->vfio_container, true);
	dmo_ghost_add(s, &g->ghost_user, 1);
out_unlock:
	dmo_mutex_unlock(s, &g->ulock);
	return ret;
}

int dmo_vfio_group_close(struct dmo_world *w, struct dmo_group *g)
{
	struct dmo_sync *s = w->s;
	int ret = 0;

	dmo_mutex_lock(s, &g->ulock);
	if (dmo_load_bool(s, &g->vfio_orphan)) {
		dmo_store_bool(s, &g->vfio_orphan, false);
		goto out_unlock;
	}
	if (!dmo_load_bool(s, &g->vfio_open) ||
	    dmo_load_bool(s, &g->vfio_close_pending)) {
		ret = -ENODEV;
		goto out_unlock;
	}
	/* Device FDs hold the file: it is released with the last of them. */
	if (dmo_load_int(s, &g->vfio_fds))
		dmo_store_bool(s, &g->vfio_close_pending, true);
	else
		file_release_locked(w, g);
out_unlock:
	dmo_mutex_unlock(s, &g->ulock);
	return ret;
}

int dmo_vfio_group_status(struct dmo_world *w, struct dmo_group *g)
{
	struct dmo_sync *s = w->s;
	int ret;

	dmo_mutex_lock(s, &g->ulock);
	if (!file_exists_locked(w, g))
		ret = -ENODEV;
	else if (!dmo__kernel_has(w, DMO_CHG_VFIO_NO_VIABLE))
		ret = group_viable_locked(w, g);
	else if (dmo_load_bool(s, &g->vfio_container))
		ret = 1;
	else
		ret = !w->pol->group_claimed(w, g);
	dmo_mutex_unlock(s, &g->ulock);
	return ret;
}

int dmo_vfio_device_open(struct dmo_world *w, struct dmo_device *dev)
{
	struct dmo_sync *s = w->s;
	struct dmo_group *g = dev->group;
	bool container;
	int ret = 0;

	if (!g)
		return -ENODEV;
	dmo_mutex_lock(s, &g->ulock);
	if (dmo_load_bool(s, &g->vfio_orphan)) {
		/* A disassociated group has no devices left to find. */
		ret = -ENODEV;
		goto out_unlock;
	}
	container = dmo_load_bool(s, &g->vfio_container);
	if (!dmo__kernel_has(w, DMO_CHG_VFIO_NO_VIABLE)) {
		/* 5.18: the container, the viability, then the lookup. */
		if (!container || !group_viable_locked(w, g))
			ret = -EINVAL;
		else if (!dmo_load_bool(s, &dev->vfio_reg))
			ret = -ENODEV;
	} else if (!container) {
		ret = -EINVAL;
	} else if (!dmo_load_bool(s, &dev->vfio_reg)) {
		ret = -ENODEV;
	}
	if (ret)
		goto out_unlock;
	dmo_store_int(s, &dev->vfio_fds, dmo_load_int(s, &dev->vfio_fds) + 1);
	dmo_store_int(s, &g->vfio_fds, dmo_load_int(s, &g->vfio_fds) + 1);
out_unlock:
	dmo_mutex_unlock(s, &g->ulock);
	return ret;
}

int dmo_vfio_device_close(struct dmo_world *w, struct dmo_device *dev)
{
	struct dmo_sync *s = w->s;
	struct dmo_group *g = dev->group;
	int ret = 0, n;

	if (!g)
		return -EINVAL;
	dmo_mutex_lock(s, &g->ulock);
	n = dmo_load_int(s, &dev->vfio_fds);
	if (!n) {
		ret = -EINVAL;
		goto out_unlock;
	}
	dmo_store_int(s, &dev->vfio_fds, n - 1);
	n = dmo_load_int(s, &g->vfio_fds) - 1;
	dmo_store_int(s, &g->vfio_fds, n);
	if (!n && dmo_load_bool(s, &g->vfio_close_pending))
		file_release_locked(w, g);
out_unlock:
	dmo_mutex_unlock(s, &g->ulock);
	return ret;
}
