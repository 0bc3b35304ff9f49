// SPDX-License-Identifier: MIT
/*
 * Policy `legacy`: Linux 5.18 and before, which is what the model's 5.18
 * is, so this design is a version (kernel.c): every rule of that kernel
 * (no ownership in the IOMMU core, no dma_cleanup, VFIO's viability walk
 * at GET_STATUS and GET_DEVICE_FD and its group notifier's BUG_ON, in
 * vfio.c) comes from the change table, and the policy only says that
 * there is nothing of the group's own to count or check.  Isolation,
 * judged on ghost state, still applies.
 */
#include "core/core.h"

/* The IOMMU core had no calls to make: nothing ever calls these at 5.18. */
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
	.check_group = legacy_check_group,
	.has_cleanup = false,
	.probe_fail_cleanup = false,
};
