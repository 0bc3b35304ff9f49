// SPDX-License-Identifier: MIT
/*
 * IOMMU groups and their domains (drivers/iommu/iommu.c's group half):
 * membership, the blocking domain, a kernel driver's own domain
 * (iommu_attach_device()), and the IOMMU core's own probe of a device.
 *
 * A group's domain is only ever changed under group->mutex, and only to
 * one of four things: the default domain (kernel use), the blocking
 * domain (claimed, nothing attached yet), a domain a kernel driver or an
 * owner attached, or none (a group without a default domain, or the v6
 * design's claim).  Which of the first two a detach returns to depends on
 * whether the group is owned, which is why dmo__group_core_domain() takes
 * that as its argument.  Every change of the group's domain is also an
 * attach of each member (dmo_dev_iommu), so that:
 *
 *  - a member attached to something else than its group is seen: before
 *    e7f85dfbbc9c (6.5) a device joining an unowned group whose domain is
 *    not the default one was put on the default domain anyway;
 *  - an attach to a device the IOMMU driver has released is a use after
 *    free: before dba9ca9d41f5 (6.4) release_device() ran outside
 *    group->mutex, ahead of the device's removal from the group list.
 *
 * From 6.6 (a48ce36e2786) a group with a member that firmware requires to
 * keep its direct mappings refuses the blocking domain.
 */
#include <errno.h>

#include "core/core.h"

/* The domain the group returns to: blocking if owned, else the default. */
int dmo__group_core_domain(struct dmo_world *w, struct dmo_group *g,
			   bool owned)
{
	dmo_assert_held(w->s, &g->mutex);
	if (owned)
		return DMO_DOM_BLOCKING;
	return dmo_load_bool(w->s, &g->has_default) ? DMO_DOM_DEFAULT :
						       DMO_DOM_NONE;
}

/*
 * __iommu_group_set_domain(): attach @domain to every member.  A member
 * that requires direct mapping refuses the blocking domain from 6.6,
 * before anything changes.
 */
int dmo__group_set_domain_locked(struct dmo_world *w, struct dmo_group *g,
				 int domain)
{
	struct dmo_sync *s = w->s;

	dmo_assert_held(s, &g->mutex);
	if (domain == DMO_DOM_BLOCKING && g->direct &&
	    dmo__kernel_has(w, DMO_CHG_RESV_DIRECT))
		return -EINVAL;
	dmo_store_int(s, &g->domain, domain);
	for (int i = 0; i < g->nr_devs; i++) {
		struct dmo_device *dev = g->devs[i];
		struct dmo_dev_iommu *di;

		if (!dmo_load_bool(s, &dev->in_group))
			continue;
		di = dmo_load_ptr(s, &dev->iommu);
		if (di)
			dmo_store_int(s, &di->domain, domain);
	}
	return 0;
}

/* __iommu_group_set_core_domain(), which cannot fail but WARNs. */
void dmo__group_set_core_domain_locked(struct dmo_world *w,
				       struct dmo_group *g, bool owned)
{
	DMO_WARN_ON(w, dmo__group_set_domain_locked(
			       w, g, dmo__group_core_domain(w, g, owned)) != 0);
}

/*
 * iommu_group_add_device() and iommu_probe_device()'s attach, with the
 * device's lock held.  From 6.5 the new device gets the group's current
 * domain.  Before, iommu_probe_device() gave an unowned group's new member
 * the default domain whatever the group was on ("if the device joined a
 * group that has been claimed, don't attach the default domain").
 */
void dmo__group_add_device_locked(struct dmo_world *w, struct dmo_device *dev)
{
	struct dmo_sync *s = w->s;
	struct dmo_group *g = dev->group;
	struct dmo_dev_iommu *di;
	int dom;

	dmo_assert_held(s, &dev->lock);
	if (!g)
		return;
	di = dmo_alloc(s, sizeof(*di), dev->iommu_label);
	dmo__group_lock(w, g);
	dmo_store_int(s, &g->nr_members, dmo_load_int(s, &g->nr_members) + 1);
	dmo_store_bool(s, &dev->in_group, true);
	dom = dmo_load_int(s, &g->domain);
	if (!dmo__kernel_has(w, DMO_CHG_PROBE_DEVICE_DOMAIN) &&
	    !dmo_load_ptr(s, &g->owner) && dmo_load_bool(s, &g->has_default))
		dom = DMO_DOM_DEFAULT;
	if (di)
		dmo_store_int(s, &di->domain, dom);
	dmo_store_ptr(s, &dev->iommu, di);
	dmo__group_unlock(w, g);
}

/* The IOMMU driver's release_device(): its per-device data goes. */
static void release_device(struct dmo_world *w, struct dmo_device *dev)
{
	struct dmo_dev_iommu *di = dmo_load_ptr(w->s, &dev->iommu);

	if (di)
		dmo_free(w->s, di);
}

/*
 * iommu_release_device(), with the device's lock held and its driver gone.
 * Until 6.4 the IOMMU driver released the device before the group mutex
 * was taken to unlink it, so a domain change in between attached the
 * released device.  From 6.4 both happen in one critical section, which
 * WARNs when the group is left empty with a count or off its default
 * domain.
 */
void dmo__group_remove_device_locked(struct dmo_world *w,
				     struct dmo_device *dev)
{
	struct dmo_sync *s = w->s;
	struct dmo_group *g = dev->group;
	bool one_section = dmo__kernel_has(w, DMO_CHG_EMPTY_GROUP_WARN);
	int n, cnt, dom;

	dmo_assert_held(s, &dev->lock);
	if (!g)
		return;
	if (!one_section)
		release_device(w, dev);
	dmo__group_lock(w, g);
	dmo_store_bool(s, &dev->in_group, false);
	n = dmo_load_int(s, &g->nr_members) - 1;
	dmo_store_int(s, &g->nr_members, n);
	if (one_section) {
		cnt = dmo_load_int(s, &g->owner_cnt);
		dom = dmo_load_int(s, &g->domain);
		if (dom == dmo__group_core_domain(w, g, false))
			dom = -1;
		if (n == 0 && (cnt || dom >= 0))
			dmo__reportf(w, DMO_VIOL_WARN, __func__,
				     "WARN_ON(group->owner_cnt || group->domain != group->default_domain): group %d emptied by %s with owner_cnt %d",
				     g->id, dev->name, cnt);
		release_device(w, dev);
	}
	dmo_store_ptr(s, &dev->iommu, NULL);
	dmo__group_unlock(w, g);
}

/*
 * __iommu_take_dma_ownership() without the count, which the policies keep
 * differently: move the group to the blocking domain and record @owner.
 * Making the blocking domain is a fault point, and impossible for a group
 * with no IOMMU behind it (an emulated or no-IOMMU group: the -EINVAL
 * VFIO met before a3da1ab6fbea); failing it changes nothing, and neither
 * does a member refusing it (6.6), though the domain then stays made.
 */
int dmo__group_take_ownership_locked(struct dmo_world *w, struct dmo_group *g,
				     const void *owner)
{
	struct dmo_sync *s = w->s;
	int dom, ret;

	dmo_assert_held(s, &g->mutex);
	dom = dmo_load_int(s, &g->domain);
	if (dom != DMO_DOM_NONE && dom != DMO_DOM_DEFAULT)
		return -EBUSY;
	if (!dmo_load_bool(s, &g->blocking)) {
		if (g->emulated || dmo__fault(w))
			return -EINVAL;
		dmo_store_bool(s, &g->blocking, true);
	}
	ret = dmo__group_set_domain_locked(w, g, DMO_DOM_BLOCKING);
	if (ret)
		return ret;
	dmo_store_ptr(s, &g->owner, owner);
	return 0;
}

/*
 * iommu_attach_device(): a kernel driver's own domain for a group of one
 * device.  There is no ownership check at all: it is the caller's.
 */
int dmo_attach_device(struct dmo_world *w, struct dmo_device *dev)
{
	struct dmo_sync *s = w->s;
	struct dmo_group *g = dev->group;
	int ret = 0, dom;

	if (!g)
		return -ENODEV;
	dmo__group_lock(w, g);
	if (dmo_load_int(s, &g->nr_members) != 1) {
		ret = -EINVAL;
		goto out_unlock;
	}
	dom = dmo_load_int(s, &g->domain);
	if (dom == DMO_DOM_USER) {
		ret = -EBUSY;
		goto out_unlock;
	}
	/* The device has no IOMMU behind it: its ops cannot take a domain. */
	if (g->emulated) {
		ret = -EINVAL;
		goto out_unlock;
	}
	ret = dmo__group_set_domain_locked(w, g, DMO_DOM_USER);
	if (!ret)
		dmo_store_ptr(s, &g->user_dev, dev);
out_unlock:
	dmo__group_unlock(w, g);
	return ret;
}

/*
 * iommu_detach_device(): WARNs, changing nothing, unless @dev's driver's
 * domain is the group's and the group still has one device; then back to
 * the core domain, blocking if owned.
 */
void dmo_detach_device(struct dmo_world *w, struct dmo_device *dev)
{
	struct dmo_sync *s = w->s;
	struct dmo_group *g = dev->group;
	const void *owner;
	bool domain_is_groups;
	int devices;

	if (!g)
		return;
	dmo__group_lock(w, g);
	domain_is_groups = dmo_load_int(s, &g->domain) == DMO_DOM_USER &&
			   dmo_load_ptr(s, &g->user_dev) == dev;
	devices = dmo_load_int(s, &g->nr_members);
	/* The kernel's two WARN_ON()s, in its order. */
	if (DMO_WARN_ON(w, !domain_is_groups) || DMO_WARN_ON(w, devices != 1))
		goto out_unlock;
	dmo_store_ptr(s, &g->user_dev, NULL);
	owner = dmo_load_ptr(s, &g->owner);
	/* recompute's kernel token keeps the group in kernel use. */
	dmo__group_set_core_domain_locked(w, g,
					  owner && owner != w->tok_dma_api);
out_unlock:
	dmo__group_unlock(w, g);
}

/*
 * The IOMMU core probing @dev while its IOMMU driver registers (a bus
 * walk).  From 6.15 (bcb81ac6ae3c) it first calls the bus's dma_configure
 * when the device has no driver yet, without device_lock and before the
 * device is in its group, for the firmware parsing buried there.  From
 * 6.7 (98ac73f99bc4) a group the walk left without a default domain gets
 * it here, and the deferred probes are kicked, as the IOMMU driver's own
 * successful probe does.
 */
int dmo_device_iommu_probe(struct dmo_world *w, struct dmo_device *dev)
{
	struct dmo_sync *s = w->s;
	struct dmo_group *g = dev->group;
	bool set_up = false;

	if (dmo__kernel_has(w, DMO_CHG_IOMMU_PROBE_CONFIGURE))
		dmo__bus_dma_configure_iommu(w, dev);
	if (!g || g->emulated || !dmo__kernel_has(w, DMO_CHG_DEFAULT_DOMAIN))
		return 0;
	dmo__group_lock(w, g);
	if (!dmo_load_bool(s, &g->has_default)) {
		dmo_store_bool(s, &g->has_default, true);
		if (dmo_load_int(s, &g->domain) == DMO_DOM_NONE)
			dmo__group_set_domain_locked(w, g, DMO_DOM_DEFAULT);
		set_up = true;
	}
	dmo__group_unlock(w, g);
	if (set_up) {
		dmo_fetch_add_int(s, &w->trigger_count, 1);
		dmo__deferred_probe_trigger(w);
	}
	return 0;
}
