// SPDX-License-Identifier: MIT
/*
 * Policy `upstream`: the protocol as merged for Linux 5.19 and extended in
 * 6.2 (SPEC.md sections 3 to 5).  Everything it needs lives in owner.c,
 * because the other counting policies reuse most of it.
 */
#include "core/core.h"

const struct dmo__policy_ops dmo__policy_upstream = {
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
	.probe_fail_cleanup = true,
};
