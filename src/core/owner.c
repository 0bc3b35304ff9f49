// SPDX-License-Identifier: MIT
/*
 * DMA ownership of IOMMU groups (drivers/iommu/iommu.c), upstream
 * semantics, and the public entry points, which hand each call to the
 * world's policy.
 *
 * The state machine.  A group is in one of three modes:
 *
 *   unused  owner_cnt == 0, owner none, on its default domain
 *   kernel  owner_cnt >= 1, owner none: one count per bound driver that
 *           uses the DMA API (dma_configure took it, dma_cleanup gives
 *           it back)
 *   user    owner_cnt >= 1, owner set: one count per claim of that
 *           owner; never on the default domain, so no kernel DMA
 *           reaches memory the owner controls
 *
 * Every transition happens under group->mutex and goes through unused:
 * kernel -> user needs every kernel user gone (claims fail with -EPERM
 * while owner_cnt counts them), user -> kernel needs every claim released
 * (dma_configure fails with -EBUSY, which is how the driver core refuses
 * a bind into a group user space holds, instead of crashing after the
 * fact as the legacy design did).  The count is what makes this safe
 * without reading any device's driver: the only writers of a device's
 * count are its own probe and remove, under its device lock, so the
 * count is exact whenever group->mutex is free.
 *
 * What changed since 5.19 (kernel.c): a NULL owner was accepted by the
 * group claim until 89395ccedbc1 (6.2), leaving a group counted by
 * nobody on the blocking domain; the device claim refuses it with a WARN,
 * and in 6.2-rc1 leaked a group reference doing so (a6a9a5da6808).  A
 * group without a default domain counted kernel users against none until
 * b46064a18810 (6.15) made that -EPROBE_DEFER.
 */
#include <errno.h>

#include "core/core.h"

int dmo__up_use_default_domain(struct dmo_world *w, struct dmo_device *dev)
{
	struct dmo_sync *s = w->s;
	struct dmo_group *g = dev->group;
	int cnt, ret = 0;

	if (!g)
		return 0;
	dmo__group_lock(w, g);
	if (!dmo_load_bool(s, &g->has_default) &&
	    dmo__kernel_has(w, DMO_CHG_DEFER_NO_DEFAULT)) {
		ret = -DMO_EPROBE_DEFER;
		goto out_unlock;
	}
	cnt = dmo_load_int(s, &g->owner_cnt);
	if (cnt && (dmo_load_ptr(s, &g->owner) ||
		    dmo_load_int(s, &g->domain) !=
			    dmo__group_core_domain(w, g, false))) {
		ret = -EBUSY;
		goto out_unlock;
	}
	dmo_store_int(s, &g->owner_cnt, cnt + 1);
out_unlock:
	dmo__group_unlock(w, g);
	return ret;
}

void dmo__up_unuse_default_domain(struct dmo_world *w, struct dmo_device *dev)
{
	struct dmo_sync *s = w->s;
	struct dmo_group *g = dev->group;
	int cnt;

	if (!g)
		return;
	dmo__group_lock(w, g);
	cnt = dmo_load_int(s, &g->owner_cnt);
	if (!DMO_WARN_ON(w, cnt == 0))
		dmo_store_int(s, &g->owner_cnt, cnt - 1);
	dmo__group_unlock(w, g);
}

/* __iommu_take_dma_ownership(): the first claim of an unused group. */
static int take_locked(struct dmo_world *w, struct dmo_group *g,
		       const void *owner)
{
	int ret;

	dmo_assert_held(w->s, &g->mutex);
	ret = dmo__group_take_ownership_locked(w, g, owner);
	if (!ret)
		dmo_store_int(w->s, &g->owner_cnt, 1);
	return ret;
}

int dmo__up_group_claim(struct dmo_world *w, struct dmo_group *g,
			const void *owner)
{
	int ret;

	/* Before 6.2 a NULL owner went through, owning the group for none. */
	if (dmo__kernel_has(w, DMO_CHG_DEVICE_OWNER) && DMO_WARN_ON(w, !owner))
		return -EINVAL;
	dmo__group_lock(w, g);
	if (dmo_load_int(w->s, &g->owner_cnt))
		ret = -EPERM;
	else
		ret = take_locked(w, g, owner);
	dmo__group_unlock(w, g);
	return ret;
}

/* __iommu_release_dma_ownership(): back to unused, on the default domain. */
void dmo__up_release_locked(struct dmo_world *w, struct dmo_group *g)
{
	struct dmo_sync *s = w->s;
	int owner_cnt;
	const void *owner;

	dmo_assert_held(s, &g->mutex);
	owner_cnt = dmo_load_int(s, &g->owner_cnt);
	owner = dmo_load_ptr(s, &g->owner);
	if (DMO_WARN_ON(w, !owner_cnt || !owner))
		return;
	dmo_store_int(s, &g->owner_cnt, 0);
	dmo_store_ptr(s, &g->owner, NULL);
	dmo__group_set_core_domain_locked(w, g, false);
}

void dmo__up_group_release(struct dmo_world *w, struct dmo_group *g)
{
	dmo__group_lock(w, g);
	dmo__up_release_locked(w, g);
	dmo__group_unlock(w, g);
}

bool dmo__up_group_claimed(struct dmo_world *w, struct dmo_group *g)
{
	int cnt;

	dmo__group_lock(w, g);
	cnt = dmo_load_int(w->s, &g->owner_cnt);
	dmo__group_unlock(w, g);
	return cnt != 0;
}

/*
 * iommu_device_claim_dma_owner(): device-centric, so a second device of a
 * group claimed by the same owner only adds a count.
 */
int dmo__up_device_claim(struct dmo_world *w, struct dmo_device *dev,
			 const void *owner)
{
	struct dmo_sync *s = w->s;
	struct dmo_group *g = dev->group;
	int cnt, ret = 0;

	if (!dmo__kernel_has(w, DMO_CHG_CLAIM_REF_FIX)) {
		/*
		 * 6.2-rc1: iommu_group_get() first, and the NULL-owner
		 * refusal returned without putting the reference.
		 */
		if (!g)
			return -ENODEV;
		if (DMO_WARN_ON(w, !owner)) {
			dmo_ghost_add(s, &g->ghost_refs, 1);
			return -EINVAL;
		}
	}
	if (DMO_WARN_ON(w, !owner))
		return -EINVAL;
	if (!g)
		return -ENODEV;
	dmo__group_lock(w, g);
	cnt = dmo_load_int(s, &g->owner_cnt);
	if (!cnt)
		ret = take_locked(w, g, owner);
	else if (dmo_load_ptr(s, &g->owner) != owner)
		ret = -EPERM;
	else
		dmo_store_int(s, &g->owner_cnt, cnt + 1);
	dmo__group_unlock(w, g);
	return ret;
}

void dmo__up_device_release(struct dmo_world *w, struct dmo_device *dev)
{
	struct dmo_sync *s = w->s;
	struct dmo_group *g = dev->group;
	int cnt;

	if (!g)
		return;
	dmo__group_lock(w, g);
	cnt = dmo_load_int(s, &g->owner_cnt);
	if (cnt > 1)
		dmo_store_int(s, &g->owner_cnt, cnt - 1);
	else
		dmo__up_release_locked(w, g);
	dmo__group_unlock(w, g);
}

/* VFIO attaching a group to a container claims it for the group file. */
int dmo__up_vfio_claim(struct dmo_world *w, struct dmo_group *g)
{
	return w->pol->group_claim(w, g, w->tok_vfio);
}

void dmo__up_vfio_release(struct dmo_world *w, struct dmo_group *g)
{
	w->pol->group_release(w, g);
}

/* The public calls: one dispatch each, so policies never leak into callers. */

int dmo_device_use_default_domain(struct dmo_world *w, struct dmo_device *dev)
{
	return w->pol->use_default_domain(w, dev);
}

void dmo_device_unuse_default_domain(struct dmo_world *w,
				     struct dmo_device *dev)
{
	w->pol->unuse_default_domain(w, dev);
}

int dmo_group_claim_dma_owner(struct dmo_world *w, struct dmo_group *g,
			      const void *owner)
{
	return w->pol->group_claim(w, g, owner);
}

void dmo_group_release_dma_owner(struct dmo_world *w, struct dmo_group *g)
{
	w->pol->group_release(w, g);
}

bool dmo_group_dma_owner_claimed(struct dmo_world *w, struct dmo_group *g)
{
	return w->pol->group_claimed(w, g);
}

int dmo_device_claim_dma_owner(struct dmo_world *w, struct dmo_device *dev,
			       const void *owner)
{
	return w->pol->device_claim(w, dev, owner);
}

void dmo_device_release_dma_owner(struct dmo_world *w, struct dmo_device *dev)
{
	w->pol->device_release(w, dev);
}
