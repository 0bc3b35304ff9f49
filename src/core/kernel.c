// SPDX-License-Identifier: MIT
/*
 * Kernel versions as data (SPEC.md section 7).
 *
 * The model knows a list of releases and a list of named changes; each
 * change landed in one release, with one commit.  A version is the set of
 * changes in effect: every change whose release is not newer than it.
 * The code that behaves differently from one kernel to the next asks
 * dmo__kernel_has(w, DMO_CHG_...) and never compares version numbers, so
 * that moving a rule to another release is a one-line change here, and
 * `dmaown versions` prints exactly what the model does.
 *
 * The releases are those where a modelled rule changes, plus the ones the
 * history of the kernel's own bugs needs on either side of a fix (6.0
 * before 6.1, 6.3 before 6.4).  Two release candidates are modelled
 * because a bug lived only there: the device-claim reference leak of
 * 6.2-rc1 (fixed in 6.2-rc4) and the IOMMU-layer dma_configure of 6.15-rc1
 * before the platform fix of 6.15-rc6.  5.18 stands for every kernel
 * before the ownership series.
 *
 * Stable backports are not modelled: b46064a18810, for instance, also
 * went to 6.14.2 and 6.6.y, which the model does not distinguish from
 * their mainline releases.
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

/* A modelled release; its place in the list is its order. */
struct dmo_kernel {
	const char *name;
	int major, minor;
	int rc;			/* release candidate, or RC_FINAL */
	const char *what;	/* what the model is at this release */
};

#define RC_FINAL 1000

static const struct dmo_kernel kernels[] = {
	{ "5.18", 5, 18, RC_FINAL,
	  "before the ownership series: VFIO's viability check and its BUG_ON" },
	{ "5.19", 5, 19, RC_FINAL, "the DMA ownership series" },
	{ "6.0", 6, 0, RC_FINAL, "as 5.19" },
	{ "6.1", 6, 1, RC_FINAL, NULL },
	{ "6.2-rc1", 6, 2, 1, NULL },
	{ "6.2", 6, 2, RC_FINAL, NULL },
	{ "6.3", 6, 3, RC_FINAL, "as 6.2" },
	{ "6.4", 6, 4, RC_FINAL, NULL },
	{ "6.5", 6, 5, RC_FINAL, NULL },
	{ "6.6", 6, 6, RC_FINAL, NULL },
	{ "6.7", 6, 7, RC_FINAL, NULL },
	{ "6.15-rc1", 6, 15, 1, NULL },
	{ "6.15", 6, 15, RC_FINAL, NULL },
	{ "6.17", 6, 17, RC_FINAL, NULL },
};

#define NR_KERNELS ((int)(sizeof(kernels) / sizeof(kernels[0])))

/* One named change: where it landed and what it changes in the model. */
struct change {
	const char *name;	/* short, for messages */
	const char *release;	/* the modelled release it lands in */
	const char *commit;	/* 12 hex digits */
	const char *subject;	/* the commit's subject line */
	const char *what;	/* what the model does differently from then */
};

static const struct change changes[DMO_CHG_NR] = {
	[DMO_CHG_DMA_OWNER] = {
		"dma-owner", "5.19", "1ea2a07a532b",
		"iommu: Add DMA ownership management interfaces",
		"groups keep owner and owner_cnt; kernel DMA and user claims exclude each other",
	},
	[DMO_CHG_DMA_CLEANUP] = {
		"dma-cleanup", "5.19", "25f3bcfc54bc",
		"driver core: Add dma_cleanup callback in bus_type",
		"unbind and a failed probe call bus->dma_cleanup",
	},
	[DMO_CHG_BUS_DMA_OWNER] = {
		"bus-dma-owner", "5.19", "512881eacfa7",
		"bus: platform,amba,fsl-mc,PCI: Add device DMA ownership management",
		"dma_configure takes a count unless the driver has driver_managed_dma",
	},
	[DMO_CHG_VFIO_DMA_OWNER] = {
		"vfio-dma-owner", "5.19", "70693f470848",
		"vfio: Set DMA ownership for VFIO devices",
		"attaching a group to a container claims it",
	},
	[DMO_CHG_VFIO_NO_VIABLE] = {
		"vfio-no-viable", "5.19", "31076af0cb00",
		"vfio: Remove use of vfio_group_viable()",
		"no viability walk: GET_STATUS reports the claim, GET_DEVICE_FD checks nothing",
	},
	[DMO_CHG_VFIO_NO_UNBOUND_LIST] = {
		"vfio-no-unbound-list", "5.19", "93219ea94388",
		"vfio: Delete the unbound_list",
		"a vfio device being unbound no longer counts as viable",
	},
	[DMO_CHG_VFIO_NO_NOTIFIER] = {
		"vfio-no-notifier", "5.19", "3b86f317c9c7",
		"vfio: Remove iommu group notifier",
		"no BUG_ON at BUS_NOTIFY_BOUND_DRIVER, no WARN at hot-add",
	},
	[DMO_CHG_BLOCKING_DOMAIN] = {
		"blocking-domain", "5.19", "0286300e6045",
		"iommu: iommu_group_claim_dma_owner() must always assign a domain",
		"a claim attaches the blocking domain",
	},
	[DMO_CHG_VFIO_FAKE_GROUPS] = {
		"vfio-fake-groups", "5.19", "a3da1ab6fbea",
		"vfio: Do not manipulate iommu dma_owner for fake iommu groups",
		"VFIO never claims an emulated group",
	},
	[DMO_CHG_VFIO_DISASSOCIATE] = {
		"vfio-disassociate", "6.1", "3dd59a7dcb97",
		"vfio: Make the group FD disassociate from the iommu_group",
		"the last vfio device's removal releases the group, though its file stays open",
	},
	[DMO_CHG_DEVICE_OWNER] = {
		"device-owner", "6.2-rc1", "89395ccedbc1",
		"iommu: Add device-centric DMA ownership interfaces",
		"device claims (iommufd); a NULL owner is refused with a WARN",
	},
	[DMO_CHG_CLAIM_REF_FIX] = {
		"claim-ref-fix", "6.2", "a6a9a5da6808",
		"iommu: Fix refcount leak in iommu_device_claim_dma_owner",
		"a refused device claim no longer leaks a group reference",
	},
	[DMO_CHG_EMPTY_GROUP_WARN] = {
		"empty-group-warn", "6.4", "dba9ca9d41f5",
		"iommu: Same critical region for device release and removal",
		"release_device under group->mutex; WARN when a group empties with owner_cnt or off its default domain",
	},
	[DMO_CHG_CDX_BUS] = {
		"cdx-bus", "6.4", "2959ab247061",
		"cdx: add the cdx bus driver",
		"the cdx bus, its dma_configure without a count",
	},
	[DMO_CHG_PROBE_DEVICE_DOMAIN] = {
		"probe-device-domain", "6.5", "e7f85dfbbc9c",
		"iommu: Fix iommu_probe_device() to attach the right domain",
		"a device joining a group is attached to the group's current domain",
	},
	[DMO_CHG_CDX_DMA_OWNER] = {
		"cdx-dma-owner", "6.5", "b8c5ff76059d",
		"cdx: fix driver managed dma support",
		"cdx takes and gives back the count (returning 0 even when taking it failed)",
	},
	[DMO_CHG_TEST_REMOVE_CLEANUP] = {
		"test-remove-cleanup", "6.6", "0d5df49d0989",
		"driver core: Call dma_cleanup() on the test_remove path",
		"DEBUG_TEST_DRIVER_REMOVE's remove calls dma_cleanup",
	},
	[DMO_CHG_RESV_DIRECT] = {
		"resv-direct", "6.6", "a48ce36e2786",
		"iommu: Prevent RESV_DIRECT devices from blocking domains",
		"a group with a direct-mapped member refuses the blocking domain (-EINVAL)",
	},
	[DMO_CHG_VFIO_CDEV] = {
		"vfio-cdev", "6.6", "5fcc26969a16",
		"vfio: Add VFIO_DEVICE_BIND_IOMMUFD",
		"iommufd_bind is the device cdev bind, exclusive with the group file",
	},
	[DMO_CHG_DEFAULT_DOMAIN] = {
		"default-domain", "6.7", "98ac73f99bc4",
		"iommu: Require a default_domain for all iommu drivers",
		"a group without a default domain is one whose set-up is still to come",
	},
	[DMO_CHG_IOMMU_PROBE_CONFIGURE] = {
		"iommu-probe-configure", "6.15-rc1", "bcb81ac6ae3c",
		"iommu: Get DT/ACPI parsing into the proper probe path",
		"the IOMMU core calls bus->dma_configure at IOMMU probe, without device_lock",
	},
	[DMO_CHG_DEFER_NO_DEFAULT] = {
		"defer-no-default", "6.15-rc1", "b46064a18810",
		"iommu: Handle race with default domain setup",
		"use_default_domain returns -EPROBE_DEFER before the default domain exists",
	},
	[DMO_CHG_DEVICE_SET_DRIVER] = {
		"device-set-driver", "6.15", "18daa52418e7",
		"driver core: fix potential NULL pointer dereference in dev_uevent()",
		"dev->driver is stored with WRITE_ONCE (device_set_driver(), 04d3e5461c1f)",
	},
	[DMO_CHG_PLATFORM_SNAPSHOT] = {
		"platform-snapshot", "6.15", "95deee37a123",
		"platform: Fix race condition during DMA configure at IOMMU probe time",
		"platform's dma_configure reads dev->driver once",
	},
	[DMO_CHG_PCI_SNAPSHOT] = {
		"pci-snapshot", "6.17", "78447d4545b2",
		"PCI: Fix driver_managed_dma check",
		"PCI's dma_configure reads dev->driver once",
	},
};

static const char *const config_names[DMO_CONFIG_NR] = {
	[DMO_CONFIG_DEBUG_TEST_DRIVER_REMOVE] = "DEBUG_TEST_DRIVER_REMOVE",
};

static int kernel_index(const struct dmo_kernel *k)
{
	return (int)(k - kernels);
}

int dmo_kernel_count(void)
{
	return NR_KERNELS;
}

const struct dmo_kernel *dmo_kernel_at(int i)
{
	return i >= 0 && i < NR_KERNELS ? &kernels[i] : NULL;
}

const struct dmo_kernel *dmo_kernel_newest(void)
{
	return &kernels[NR_KERNELS - 1];
}

const struct dmo_kernel *dmo_kernel_find(const char *name)
{
	for (int i = 0; i < NR_KERNELS; i++)
		if (strcmp(kernels[i].name, name) == 0)
			return &kernels[i];
	return NULL;
}

const char *dmo_kernel_name(const struct dmo_kernel *k)
{
	return k ? k->name : "?";
}

const char *dmo_kernel_summary(const struct dmo_kernel *k)
{
	return k ? k->what : NULL;
}

int dmo_kernel_cmp(const struct dmo_kernel *a, const struct dmo_kernel *b)
{
	return kernel_index(a) - kernel_index(b);
}

/*
 * "MAJOR.MINOR", then ".PATCH", "-rcN" or anything else (a distribution's
 * suffix); false for anything that does not start so.
 */
static bool parse_release(const char *s, int *major, int *minor, int *rc)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return false;
	v = strtol(s, &end, 10);
	if (*end != '.' || v > 1000)
		return false;
	*major = (int)v;
	s = end + 1;
	if (*s < '0' || *s > '9')
		return false;
	v = strtol(s, &end, 10);
	if (v > 1000)
		return false;
	*minor = (int)v;
	*rc = RC_FINAL;
	if (strncmp(end, "-rc", 3) == 0 && end[3] >= '0' && end[3] <= '9') {
		v = strtol(end + 3, &end, 10);
		*rc = v < RC_FINAL ? (int)v : RC_FINAL;
	}
	return true;
}

static int release_cmp(int ma, int mi, int rc, const struct dmo_kernel *k)
{
	if (ma != k->major)
		return ma - k->major;
	if (mi != k->minor)
		return mi - k->minor;
	return rc - k->rc;
}

const struct dmo_kernel *dmo_kernel_for_release(const char *release)
{
	int major, minor, rc;

	if (!release || !parse_release(release, &major, &minor, &rc))
		return NULL;
	for (int i = NR_KERNELS - 1; i > 0; i--)
		if (release_cmp(major, minor, rc, &kernels[i]) >= 0)
			return &kernels[i];
	return &kernels[0];
}

/* The modelled release a change lands in (the table names one). */
static const struct dmo_kernel *change_kernel(enum dmo_change c)
{
	const struct dmo_kernel *k = dmo_kernel_find(changes[c].release);

	return k ? k : dmo_kernel_newest();
}

bool dmo_kernel_has(const struct dmo_kernel *k, enum dmo_change c)
{
	if (!k || (unsigned)c >= DMO_CHG_NR)
		return false;
	return kernel_index(change_kernel(c)) <= kernel_index(k);
}

const struct dmo_kernel *dmo_change_kernel(enum dmo_change c)
{
	return (unsigned)c < DMO_CHG_NR ? change_kernel(c) : NULL;
}

const char *dmo_change_name(enum dmo_change c)
{
	return (unsigned)c < DMO_CHG_NR ? changes[c].name : "?";
}

const char *dmo_change_commit(enum dmo_change c)
{
	return (unsigned)c < DMO_CHG_NR ? changes[c].commit : "?";
}

const char *dmo_change_subject(enum dmo_change c)
{
	return (unsigned)c < DMO_CHG_NR ? changes[c].subject : "?";
}

const char *dmo_change_summary(enum dmo_change c)
{
	return (unsigned)c < DMO_CHG_NR ? changes[c].what : "?";
}

const char *dmo_config_name(enum dmo_config c)
{
	return (unsigned)c < DMO_CONFIG_NR ? config_names[c] : "?";
}

int dmo_config_parse(const char *name)
{
	for (int i = 0; i < DMO_CONFIG_NR; i++)
		if (strcmp(config_names[i], name) == 0)
			return i;
	return -1;
}

/*
 * Which designs make sense on which kernel.  `legacy` is the kernel before
 * the ownership series, so it runs at 5.18 only, and the others are
 * variants of that series, so they run from 5.19 on; `cdx-fix` changes
 * the cdx callbacks, which take a count from 6.5 on.
 */
bool dmo_policy_applies(enum dmo_policy p, const struct dmo_kernel *k)
{
	bool owner = dmo_kernel_has(k, DMO_CHG_DMA_OWNER);

	switch (p) {
	case DMO_POLICY_LEGACY:
		return k && !owner;
	case DMO_POLICY_CDX_FIX:
		return dmo_kernel_has(k, DMO_CHG_CDX_DMA_OWNER);
	default:
		return (unsigned)p < DMO_POLICY_NR && owner;
	}
}

const char *dmo_policy_rule(enum dmo_policy p)
{
	switch (p) {
	case DMO_POLICY_LEGACY:
		return "legacy is kernel 5.18 alone";
	case DMO_POLICY_CDX_FIX:
		return "cdx-fix changes the cdx callbacks, which take counts from 6.5 on";
	default:
		return "it is a variant of the 5.19 ownership series";
	}
}

const struct dmo_kernel *dmo_policy_kernel(enum dmo_policy p)
{
	return p == DMO_POLICY_LEGACY ? &kernels[0] : dmo_kernel_newest();
}
