// SPDX-License-Identifier: MIT
/*
 * The bus callbacks that the driver core runs around a probe.  pci,
 * platform, amba and fsl-mc share one shape: dma_configure takes a count
 * of the group's default domain unless the driver manages its own DMA,
 * and returns the error; dma_cleanup gives the count back.  cdx is
 * different: until b8c5ff76059d (6.5) it took no count at all, and since
 * then its dma_configure returns 0 even when taking the count failed
 * (iommu_device_use_default_domain()'s -EBUSY in a group user space
 * holds), while its dma_cleanup gives a count back unconditionally: in
 * every tree read, 6.5 to 2025, with no fix known.  The `cdx-fix` design
 * is that shape with the error returned, as the common shape does.  The
 * host1x context bus has no callbacks at all.
 *
 * A driver with driver_managed_dma does its own DMA management (vfio-pci,
 * pci-stub, pcieport): its probe claims nothing, and its removal must
 * release nothing, which is why the flag is read by both halves and the
 * driver core hands the same value to both.
 *
 * The ghost counts here are what claim C6 is judged on: every successful
 * configure must meet exactly one cleanup.
 *
 * From 6.15 the IOMMU core also calls dma_configure, while probing a
 * device for its IOMMU, with no device_lock and before the device is in
 * its group (so that no count is taken).  The buses computed the driver
 * from dev->driver on entry and tested dev->driver again later: if
 * really_probe() set it in between, a driver pointer computed from NULL
 * was dereferenced.  platform (95deee37a123, 6.15) and PCI (78447d4545b2,
 * 6.17) read it once, marked; the other buses of this shape keep the
 * double read in the trees read.
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
	/* Before 5.19 it was the firmware's DMA set-up alone. */
	if (!managed && dmo__kernel_has(w, DMO_CHG_BUS_DMA_OWNER) &&
	    (dev->bus->shape != DMO_BUS_CDX ||
	     dmo__kernel_has(w, DMO_CHG_CDX_DMA_OWNER)))
		ret = w->pol->use_default_domain(w, dev);
	/* cdx tears the DMA ops down, and says nothing of it. */
	if (dev->bus->shape == DMO_BUS_CDX && !w->pol->cdx_return_error)
		ret = 0;
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
	/* The first cdx bus (6.4) had no dma_cleanup. */
	if (dev->bus->shape == DMO_BUS_CDX &&
	    !dmo__kernel_has(w, DMO_CHG_CDX_DMA_OWNER))
		return;
	dmo_ghost_add(w->s, &dev->ghost_cleanup, 1);
	note_callback(w, "dma_cleanup", dev, managed, NULL);
	if (!managed && dmo__kernel_has(w, DMO_CHG_BUS_DMA_OWNER))
		w->pol->unuse_default_domain(w, dev);
}

/* The IOMMU-layer call of dma_configure (dmo_device_iommu_probe()). */
void dmo__bus_dma_configure_iommu(struct dmo_world *w, struct dmo_device *dev)
{
	struct dmo_sync *s = w->s;
	struct dmo_bus *bus = dev->bus;
	struct dmo_drv_obj *first, *again;

	if (!bus->has_dma)
		return;
	/*
	 * iommu_init_device() calls it only for a device with no driver
	 * yet.  The kernel's test is unmarked; the model marks it, so that
	 * only the bus's own reads below are judged.
	 */
	if (dmo_read_once_ptr(s, &dev->driver))
		return;
	if (bus->snapshot >= 0 && dmo__kernel_has(w, bus->snapshot)) {
		first = dmo_read_once_ptr(s, &dev->driver);
		/* A driver seen: the use of the default domain finds no
		 * group yet and takes nothing. */
		if (first)
			dmo_load_bool(s, &first->managed_dma);
		return;
	}
	first = dmo_load_ptr(s, &dev->driver);
	/* ... the firmware's DMA configuration ... */
	again = dmo_load_ptr(s, &dev->driver);
	if (!again)
		return;
	if (!first) {
		dmo__reportf(w, DMO_VIOL_BUG, __func__,
			     "Oops: %s's dma_configure dereferences a driver computed from dev->driver while it was NULL (really_probe() set it in between)",
			     dev->name);
		return;
	}
	dmo_load_bool(s, &first->managed_dma);
}
