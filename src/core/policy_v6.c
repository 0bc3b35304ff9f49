// SPDX-License-Identifier: MIT
/*
 * Policy `v6`: the series as posted in its sixth version, where a group
 * claim by the owner that already holds the group nests.  Robin's
 * objection in the seed thread is the point: every claim then needs its
 * own release, and a caller that releases once after claiming twice
 * leaves the group owned for good (claim C5).
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
	} else {
		ret = dmo__group_take_ownership_locked(w, g, owner);
		if (!ret)
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
		dmo_store_int(s, &g->domain, dmo__group_core_domain(g, false));
	}
out_unlock:
	dmo__group_unlock(w, g);
}

const struct dmo__policy_ops dmo__policy_v6 = {
	.group_claim = v6_group_claim,
	.group_release = v6_group_release,
	.has_cleanup = true,
	.probe_fail_cleanup = true,
};
