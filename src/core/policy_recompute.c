// SPDX-License-Identifier: MIT
/*
 * Policy `recompute`: Robin Murphy's proposal in the seed thread.  The
 * group keeps no count, only its owner.  A probe of a driver that uses the
 * DMA API claims the shared "dma-api" token; a release does not give a
 * count back but asks whether anybody still needs the owner, by walking
 * the group's devices:
 *
 *	for each other member: token = dev->driver ? (managed ? none :
 *	dma-api) : none; if token == owner, the owner stays.
 *
 * Two things make the walk fragile, and modelling them faithfully is the
 * point of this policy (claims C2, C3, C4):
 *
 *  - it reads each sibling's dev->driver with READ_ONCE and without the
 *    sibling's device lock, then dereferences it for driver_managed_dma.
 *    The sibling's probe or remove may be running; a sibling driver that
 *    is being unregistered may already be freed (a use after free the
 *    explorer reports).  The release runs after dev->driver is cleared,
 *    as Robin's remark requires, so that the walk never counts the
 *    departing device.
 *  - the only records are drivers: a VFIO group claim is one record on
 *    the group, but iommufd's per-device claims leave none, so when one of
 *    two devices bound to a context is released the walk finds nothing
 *    that maps to the context and drops the owner while the other device
 *    is still held (Jason's point, C4).
 *
 * owner_cnt stays 0 throughout; isolation is judged on ghost state, so the
 * checker sees what the walk gets wrong.
 */
#include <errno.h>

#include "core/core.h"

/* What a sibling's binding says about ownership: driver_or_DMA_API_token. */
static const void *device_token(struct dmo_world *w, struct dmo_device *dev)
{
	struct dmo_drv_obj *drv = dmo_read_once_ptr(w->s, &dev->driver);

	if (!drv || dmo_load_bool(w->s, &drv->managed_dma))
		return NULL;
	return w->tok_dma_api;
}

/*
 * Drops the owner unless a member other than @dev (NULL: none excluded) or
 * a VFIO group claim still maps to it.
 */
static void release_walk_locked(struct dmo_world *w, struct dmo_group *g,
				struct dmo_device *dev)
{
	struct dmo_sync *s = w->s;
	const void *owner;

	dmo_assert_held(s, &g->mutex);
	owner = dmo_load_ptr(s, &g->owner);
	if (!owner || dmo_load_ptr(s, &g->user_claim) == owner)
		return;
	for (int i = 0; i < g->nr_devs; i++) {
		struct dmo_device *tmp = g->devs[i];

		if (tmp == dev || !dmo_load_bool(s, &tmp->in_group))
			continue;
		if (device_token(w, tmp) == owner)
			return;
	}
	dmo_store_ptr(s, &g->owner, NULL);
	dmo__group_set_core_domain_locked(w, g, false);
}

/* The claim at probe, for a driver that uses the DMA API. */
static int rc_use(struct dmo_world *w, struct dmo_device *dev)
{
	struct dmo_sync *s = w->s;
	struct dmo_group *g = dev->group;
	const void *owner;
	int ret = 0;

	if (!g)
		return 0;
	dmo__group_lock(w, g);
	if (!dmo_load_bool(s, &g->has_default) &&
	    dmo__kernel_has(w, DMO_CHG_DEFER_NO_DEFAULT)) {
		ret = -DMO_EPROBE_DEFER;
		goto out_unlock;
	}
	owner = dmo_load_ptr(s, &g->owner);
	if (!owner)
		dmo_store_ptr(s, &g->owner, w->tok_dma_api);
	else if (owner != w->tok_dma_api)
		ret = -EBUSY;
out_unlock:
	dmo__group_unlock(w, g);
	return ret;
}

/* The release at remove: only a departing DMA-API user can matter. */
static void rc_unuse(struct dmo_world *w, struct dmo_device *dev)
{
	struct dmo_group *g = dev->group;

	if (!g)
		return;
	dmo__group_lock(w, g);
	if (dmo_load_ptr(w->s, &g->owner) == w->tok_dma_api)
		release_walk_locked(w, g, dev);
	dmo__group_unlock(w, g);
}

static int claim_locked(struct dmo_world *w, struct dmo_group *g,
			const void *owner)
{
	dmo_assert_held(w->s, &g->mutex);
	if (dmo_load_ptr(w->s, &g->owner))
		return -EPERM;
	return dmo__group_take_ownership_locked(w, g, owner);
}

static int rc_group_claim(struct dmo_world *w, struct dmo_group *g,
			  const void *owner)
{
	int ret;

	if (DMO_WARN_ON(w, !owner))
		return -EINVAL;
	dmo__group_lock(w, g);
	ret = claim_locked(w, g, owner);
	if (!ret)
		dmo_store_ptr(w->s, &g->user_claim, owner);
	dmo__group_unlock(w, g);
	return ret;
}

static void rc_group_release(struct dmo_world *w, struct dmo_group *g)
{
	struct dmo_sync *s = w->s;
	const void *owner;

	dmo__group_lock(w, g);
	owner = dmo_load_ptr(s, &g->owner);
	if (!DMO_WARN_ON(w, !owner || owner == w->tok_dma_api)) {
		dmo_store_ptr(s, &g->user_claim, NULL);
		release_walk_locked(w, g, NULL);
	}
	dmo__group_unlock(w, g);
}

static bool rc_group_claimed(struct dmo_world *w, struct dmo_group *g)
{
	const void *owner;

	dmo__group_lock(w, g);
	owner = dmo_load_ptr(w->s, &g->owner);
	dmo__group_unlock(w, g);
	return owner != NULL;
}

static int rc_device_claim(struct dmo_world *w, struct dmo_device *dev,
			   const void *owner)
{
	struct dmo_group *g = dev->group;
	int ret = 0;

	if (DMO_WARN_ON(w, !owner))
		return -EINVAL;
	if (!g)
		return -ENODEV;
	dmo__group_lock(w, g);
	if (dmo_load_ptr(w->s, &g->owner) != owner)
		ret = claim_locked(w, g, owner);
	dmo__group_unlock(w, g);
	return ret;
}

static void rc_device_release(struct dmo_world *w, struct dmo_device *dev)
{
	struct dmo_group *g = dev->group;

	if (!g)
		return;
	dmo__group_lock(w, g);
	release_walk_locked(w, g, dev);
	dmo__group_unlock(w, g);
}

/*
 * With no count the group's fields say little; what can be checked is
 * that owner_cnt is unused, that a user owner keeps the group off the
 * default domain, and, at quiescence, that the owner agrees with the
 * bindings.
 */
static int rc_check_group(const struct dmo_world *w, const struct dmo_group *g,
			  bool quiescent, dmo_check_fn cb, void *arg)
{
	const char *owner = dmo_owner_name(w, g->owner);
	bool user = g->owner && g->owner != w->tok_dma_api;
	int n = 0, kdma;

	if (g->owner_cnt) {
		dmo__checkf(cb, arg, DMO_VIOL_ACCOUNTING,
			    "group %d: owner_cnt %d under a policy without counts",
			    g->id, g->owner_cnt);
		n++;
	}
	if (user)
		n += dmo__check_user_domain(w, g, cb, arg);
	if (!quiescent)
		return n;
	kdma = dmo__group_kdma_users(g);
	if (kdma && g->owner != w->tok_dma_api) {
		dmo__checkf(cb, arg, DMO_VIOL_ACCOUNTING,
			    "group %d: %d kernel DMA user%s bound but owner %s",
			    g->id, kdma, kdma == 1 ? "" : "s", owner);
		n++;
	} else if (!kdma && g->owner == w->tok_dma_api) {
		dmo__checkf(cb, arg, DMO_VIOL_ACCOUNTING,
			    "group %d: owner dma-api but no kernel DMA user bound",
			    g->id);
		n++;
	}
	return n + dmo__check_held_owned(g, cb, arg);
}

/*
 * The recompute design and the two orderings of it that claim C3 is
 * about.  The late store keeps dev->driver unset until dma_configure has
 * returned: under sequential consistency that is what a store not ordered
 * before the group mutex looks like to the other CPU.  The early cleanup
 * runs the walk where upstream runs dma_cleanup, before dev->driver is
 * cleared, which Robin's own remark in the thread rules out.
 */
#define RECOMPUTE_OPS \
	.use_default_domain = rc_use, \
	.unuse_default_domain = rc_unuse, \
	.group_claim = rc_group_claim, \
	.group_release = rc_group_release, \
	.group_claimed = rc_group_claimed, \
	.device_claim = rc_device_claim, \
	.device_release = rc_device_release, \
	.check_group = rc_check_group, \
	.has_cleanup = true, \
	.probe_fail_cleanup = true

const struct dmo__policy_ops dmo__policy_recompute = {
	RECOMPUTE_OPS,
	.cleanup_after_unset = true,
};

const struct dmo__policy_ops dmo__policy_recompute_late_store = {
	RECOMPUTE_OPS,
	.cleanup_after_unset = true,
	.driver_after_configure = true,
};

const struct dmo__policy_ops dmo__policy_recompute_early_cleanup = {
	RECOMPUTE_OPS,
	.cleanup_after_unset = false,
};
