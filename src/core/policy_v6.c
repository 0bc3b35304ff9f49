// SPDX-License-Identifier: MIT
/*
 * Policy `v6`: the series as posted in its sixth version, where a group
 * claim by the owner that already holds the group nests.  Robin's
 * objection in the seed thread is the point: every claim then needs its
 * own release, and a caller that releases once after claiming twice
 * leaves the group owned for good (claim C5).
 *
 * v6 had no blocking domain either: a claim detached the group from its
 * default domain and left it on none, for the owner to attach its own.
 * That is the state 0286300e6045 ("iommu_group_claim_dma_owner() must
 * always assign a domain", merged for 5.19) removed, after the SMMUv3
 * use after free it allowed (HISTORY K2): the invariant that an owned
 * group is on neither the default domain nor none fires on every v6
 * claim.
 */
#include <errno.h>

#include "core/core.h"

static int v6_group_claim(struct dmo_world *w, struct dmo_group *g,
			  const void *owner)
{
	struct dmo_sync *s = w->s;
	int cnt, ret = 0;

	if (DMO_WARN_ON(w, !owner))
		return -EINVAL;
	dmo__group_lock(w, g);
	cnt = dmo_load_int(s, &g->owner_cnt);
	if (cnt) {
		if (dmo_load_ptr(s, &g->owner) != owner)
			ret = -EPERM;
		else
			dmo_store_int(s, &g->owner_cnt, cnt + 1);
	} else if (dmo_load_int(s, &g->domain) != DMO_DOM_NONE &&
		   dmo_load_int(s, &g->domain) != DMO_DOM_DEFAULT) {
		ret = -EBUSY;
	} else {
		/* The detach to no domain: nothing to make, nothing refused. */
		dmo__group_set_domain_locked(w, g, DMO_DOM_NONE);
		dmo_store_ptr(s, &g->owner, owner);
		dmo_store_int(s, &g->owner_cnt, 1);
	}
	dmo__group_unlock(w, g);
	return ret;
}

static void v6_group_release(struct dmo_world *w, struct dmo_group *g)
{
	struct dmo_sync *s = w->s;
	const void *owner;
	int cnt;

	dmo__group_lock(w, g);
	cnt = dmo_load_int(s, &g->owner_cnt);
	owner = dmo_load_ptr(s, &g->owner);
	if (DMO_WARN_ON(w, !cnt || !owner))
		goto out_unlock;
	dmo_store_int(s, &g->owner_cnt, cnt - 1);
	if (cnt == 1) {
		dmo_store_ptr(s, &g->owner, NULL);
		dmo__group_set_core_domain_locked(w, g, false);
	}
out_unlock:
	dmo__group_unlock(w, g);
}

/* The device-centric claims of 6.2 on top of v6 claim the same way. */
static int v6_device_claim(struct dmo_world *w, struct dmo_device *dev,
			   const void *owner)
{
	if (DMO_WARN_ON(w, !owner))
		return -EINVAL;
	if (!dev->group)
		return -ENODEV;
	return v6_group_claim(w, dev->group, owner);
}

const struct dmo__policy_ops dmo__policy_v6 = {
	.group_claim = v6_group_claim,
	.group_release = v6_group_release,
	.device_claim = v6_device_claim,
	.has_cleanup = true,
	.probe_fail_cleanup = true,
};
