// SPDX-License-Identifier: MIT
/*
 * The bus callbacks that the driver core runs around a probe: every bus
 * with DMA (pci, platform, amba, fsl-mc, cdx) has this same shape, so one
 * pair serves all of ours.
 *
 * A driver with driver_managed_dma does its own DMA management (vfio-pci,
 * pci-stub, pcieport): its probe claims nothing, and its removal must
 * release nothing, which is why the flag is read by both halves and the
 * driver core hands the same value to both.
 *
 * The ghost counts here are what claim C6 is judged on: every successful
 * configure must meet exactly one cleanup.
 */
#include "core/core.h"

int dmo__bus_dma_configure(struct dmo_world *w, struct dmo_device *dev,
			   bool managed)
{
	int ret = 0;

	dmo_assert_held(w->s, &dev->lock);
	if (!dev->bus->has_dma)
		return 0;
	if (!managed)
		ret = w->pol->use_default_domain(w, dev);
	if (ret)
		dmo_ghost_add(w->s, &dev->ghost_configure_err, 1);
	else
		dmo_ghost_add(w->s, &dev->ghost_configure_ok, 1);
	return ret;
}

void dmo__bus_dma_cleanup(struct dmo_world *w, struct dmo_device *dev,
			  bool managed)
{
	dmo_assert_held(w->s, &dev->lock);
	if (!dev->bus->has_dma)
		return;
	dmo_ghost_add(w->s, &dev->ghost_cleanup, 1);
	if (!managed)
		w->pol->unuse_default_domain(w, dev);
}
