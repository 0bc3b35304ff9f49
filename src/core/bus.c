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
#include <errno.h>
#include <stdio.h>

#include "core/core.h"

/*
 * The callback as a trace line naming the device and, for configure, what
 * it returned: the line a counterexample's reader looks for, as this is
 * where upstream refuses a kernel driver in a group user space owns.
 */
static void note_callback(struct dmo_world *w, const char *fn,
			  const struct dmo_device *dev, bool managed,
			  const int *ret)
{
	const char *flag = managed ? " (driver_managed_dma)" : "";
	char msg[160];

	if (!ret)
		snprintf(msg, sizeof(msg), "%s %s%s", fn, dev->name, flag);
	else if (*ret == -EBUSY)
		snprintf(msg, sizeof(msg), "%s %s = -EBUSY%s", fn, dev->name,
			 flag);
	else if (*ret == -DMO_EPROBE_DEFER)
		snprintf(msg, sizeof(msg), "%s %s = -EPROBE_DEFER%s", fn,
			 dev->name, flag);
	else
		snprintf(msg, sizeof(msg), "%s %s = %d%s", fn, dev->name,
			 *ret, flag);
	w->s->ops->note(w->s, fn, msg);
}

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
	note_callback(w, "dma_configure", dev, managed, &ret);
	return ret;
}

void dmo__bus_dma_cleanup(struct dmo_world *w, struct dmo_device *dev,
			  bool managed)
{
	dmo_assert_held(w->s, &dev->lock);
	if (!dev->bus->has_dma)
		return;
	dmo_ghost_add(w->s, &dev->ghost_cleanup, 1);
	note_callback(w, "dma_cleanup", dev, managed, NULL);
	if (!managed)
		w->pol->unuse_default_domain(w, dev);
}
