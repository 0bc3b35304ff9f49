// SPDX-License-Identifier: MIT
/*
 * VFIO, group-centric (drivers/vfio/group.c): opening a group and setting
 * its container claims the group for user space; closing releases it.
 *
 * The open flag is VFIO's own state, under its group lock, which is taken
 * before the IOMMU group's mutex.  How the claim is made is the policy's:
 * an ownership claim (upstream and its variants) or the legacy viability
 * check.  The ghost hold is taken only once the claim has succeeded and
 * dropped before the release starts, so the checker never blames a user
 * hold that the IOMMU core has not granted.
 */
#include <errno.h>

#include "core/core.h"

int dmo_vfio_group_open(struct dmo_world *w, struct dmo_group *g)
{
	struct dmo_sync *s = w->s;
	int ret;

	dmo_mutex_lock(s, &g->ulock);
	if (dmo_load_bool(s, &g->vfio_open)) {
		ret = -EBUSY;
		goto out_unlock;
	}
	ret = w->pol->vfio_claim(w, g);
	if (ret)
		goto out_unlock;
	dmo_ghost_add(s, &g->ghost_user, 1);
	dmo_write_once_bool(s, &g->vfio_open, true);
out_unlock:
	dmo_mutex_unlock(s, &g->ulock);
	return ret;
}

int dmo_vfio_group_close(struct dmo_world *w, struct dmo_group *g)
{
	struct dmo_sync *s = w->s;
	int ret = 0;

	dmo_mutex_lock(s, &g->ulock);
	if (!dmo_load_bool(s, &g->vfio_open)) {
		ret = -ENODEV;
		goto out_unlock;
	}
	dmo_write_once_bool(s, &g->vfio_open, false);
	dmo_ghost_add(s, &g->ghost_user, -1);
	w->pol->vfio_release(w, g);
out_unlock:
	dmo_mutex_unlock(s, &g->ulock);
	return ret;
}
