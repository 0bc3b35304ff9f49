// SPDX-License-Identifier: MIT
/*
 * Policy `cdx-fix`: upstream with the change to drivers/cdx/cdx.c that
 * would remove HISTORY.md's K12, which no kernel has: cdx_dma_configure()
 * returns the error of iommu_device_use_default_domain() instead of 0, as
 * platform_dma_configure() and pci_dma_configure() do.  A kernel driver
 * binding into a group user space holds then fails with -EBUSY, so it is
 * never bound without a count, and cdx_dma_cleanup()'s unconditional
 * unuse always gives back a count its configure took.  Everything else is
 * upstream's.
 */
#include "core/core.h"

const struct dmo__policy_ops dmo__policy_cdx_fix = {
	.has_cleanup = true,
	.probe_fail_cleanup = true,
	.cdx_return_error = true,
};
