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
	.has_cleanup = true,
	.probe_fail_cleanup = false,
};
