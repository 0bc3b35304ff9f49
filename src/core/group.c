// SPDX-License-Identifier: MIT
/*
 * IOMMU groups and their domains (drivers/iommu/iommu.c's group half):
 * membership, the blocking domain, and attaching a user domain.
 *
 * A group's domain is only ever changed under group->mutex, and only to
 * one of three things: the default domain (kernel use), the blocking
 * domain (claimed, nothing attached yet) or a user domain.  Which of the
 * first two a detach returns to depends on whether the group is owned,
 * which is why dmo__group_core_domain() takes that as its argument.
 */
#include <errno.h>

#include "core/core.h"

int dmo__group_core_domain(const struct dmo_group *g, bool owned)
{
	if (owned)
		return DMO_DOM_BLOCKING;
	return g->has_default ? DMO_DOM_DEFAULT : DMO_DOM_NONE;
}

/* iommu_group_add_device(), with the device's lock held. */
void dmo__group_add_device_locked(struct dmo_world *w, struct dmo_device *dev)
{
	struct dmo_sync *s = w->s;
	struct dmo_group *g = dev->group;

	dmo_assert_held(s, &dev->lock);
	if (!g)
		return;
	dmo__group_lock(w, g);
	dmo_store_int(s, &g->nr_members, dmo_load_int(s, &g->nr_members) + 1);
	dmo_store_bool(s, &dev->in_group, true);
	dmo__group_unlock(w, g);
}

/*
 * iommu_group_remove_device(), with the device's lock held and its driver
 * gone.  A group that loses its last member while still owned has lost
 * track of a claim for good: newer kernels WARN there.
 */
void dmo__group_remove_device_locked(struct dmo_world *w,
				     struct dmo_device *dev)
{
	struct dmo_sync *s = w->s;
	struct dmo_group *g = dev->group;
	int n, cnt;

	dmo_assert_held(s, &dev->lock);
	if (!g)
		return;
	dmo__group_lock(w, g);
	dmo_store_bool(s, &dev->in_group, false);
	n = dmo_load_int(s, &g->nr_members) - 1;
	dmo_store_int(s, &g->nr_members, n);
	if (n == 0) {
		cnt = dmo_load_int(s, &g->owner_cnt);
		if (cnt || dmo_load_ptr(s, &g->owner))
			dmo__reportf(w, DMO_VIOL_WARN, __func__,
				     "group %d: last device %s left while owned (owner_cnt %d)",
				     g->id, dev->name, cnt);
	}
	dmo__group_unlock(w, g);
}

/*
 * __iommu_take_dma_ownership() without the count, which the policies keep
 * differently: move the group to the blocking domain and record @owner.
 * Allocating the blocking domain is a fault point; failing it changes
 * nothing.
 */
int dmo__group_take_ownership_locked(struct dmo_world *w, struct dmo_group *g,
				     const void *owner)
{
	struct dmo_sync *s = w->s;
	int dom;

	dmo_assert_held(s, &g->mutex);
	dom = dmo_load_int(s, &g->domain);
	if (dom != DMO_DOM_NONE && dom != DMO_DOM_DEFAULT)
		return -EBUSY;
	if (!dmo_load_bool(s, &g->blocking)) {
		if (dmo__fault(w))
			return -EINVAL;
		dmo_store_bool(s, &g->blocking, true);
	}
	dmo_store_int(s, &g->domain, DMO_DOM_BLOCKING);
	dmo_store_ptr(s, &g->owner, owner);
	return 0;
}

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
	dmo_store_int(s, &g->domain, DMO_DOM_USER);
out_unlock:
	dmo__group_unlock(w, g);
	return ret;
}

void dmo_detach_device(struct dmo_world *w, struct dmo_device *dev)
{
	struct dmo_sync *s = w->s;
	struct dmo_group *g = dev->group;
	const void *owner;
	bool owned;

	if (!g)
		return;
	dmo__group_lock(w, g);
	owner = dmo_load_ptr(s, &g->owner);
	/* recompute's kernel token keeps the group in kernel use. */
	owned = owner && owner != w->tok_dma_api;
	dmo_store_int(s, &g->domain, dmo__group_core_domain(g, owned));
	dmo__group_unlock(w, g);
}
