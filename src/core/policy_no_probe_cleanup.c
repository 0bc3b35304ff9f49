// SPDX-License-Identifier: MIT
/*
 * Policy `no-probe-cleanup`: upstream as it was before the seed patch's
 * really_probe() hunk, with no dma_cleanup when the driver's probe fails.
 * The count that dma_configure took is then never given back: the group
 * stays in kernel mode with no kernel user, and no user-space claim can
 * ever succeed on it again.
 */
#include "core/core.h"

const struct dmo__policy_ops dmo__policy_no_probe_cleanup = {
	.use_default_domain = dmo__up_use_default_domain,
	.unuse_default_domain = dmo__up_unuse_default_domain,
	.group_claim = dmo__up_group_claim,
	.group_release = dmo__up_group_release,
	.group_claimed = dmo__up_group_claimed,
	.device_claim = dmo__up_device_claim,
	.device_release = dmo__up_device_release,
	.vfio_claim = dmo__up_vfio_claim,
	.vfio_release = dmo__up_vfio_release,
	.check_group = dmo__check_counted_group,
	.has_cleanup = true,
	.probe_fail_cleanup = false,
};
