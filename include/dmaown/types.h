/* SPDX-License-Identifier: MIT */
/*
 * Types shared by every part of the public API.
 */
#ifndef DMAOWN_TYPES_H
#define DMAOWN_TYPES_H

/*
 * Kinds of violation, as named in scenario files and reports
 * (dmo_viol_kind_name() gives the spelling).
 */
enum dmo_viol_kind {
	DMO_VIOL_ISOLATION,	/* kernel DMA and a user-space hold at once */
	DMO_VIOL_ACCOUNTING,	/* an owner / owner_cnt invariant */
	DMO_VIOL_BUG,		/* BUG_ON, or an assertion of a program */
	DMO_VIOL_WARN,		/* WARN_ON */
	DMO_VIOL_DEADLOCK,	/* all live threads blocked, or lock order */
	DMO_VIOL_RACE,		/* a data race on a plain access */
	DMO_VIOL_UAF,		/* an access to freed memory */
	DMO_VIOL_NR
};

/*
 * The designs of SPEC.md section 6 (dmo_policy_name() gives the
 * spelling used on the command line).
 */
enum dmo_policy {
	DMO_POLICY_UPSTREAM,
	DMO_POLICY_LEGACY,
	DMO_POLICY_V6,
	DMO_POLICY_RECOMPUTE,
	DMO_POLICY_NO_PROBE_CLEANUP,
	/*
	 * Two orderings of recompute that claim C3 is about: dev->driver
	 * stored only after dma_configure (as if the store were not ordered
	 * before the group mutex), and dma_cleanup run before dev->driver is
	 * cleared.
	 */
	DMO_POLICY_RECOMPUTE_LATE_STORE,
	DMO_POLICY_RECOMPUTE_EARLY_CLEANUP,
	/*
	 * upstream with the change to cdx that no kernel has: its
	 * dma_configure returns the error of taking the count (6.5 on).
	 */
	DMO_POLICY_CDX_FIX,
	DMO_POLICY_NR
};

/*
 * The named changes of the kernel that the model tells apart (SPEC.md
 * section 7): each landed in one release, with one commit (kernel.c holds
 * the table: dmo_change_commit() and friends).  A modelled kernel version
 * is the set of changes in effect; the code that differs asks
 * dmo_kernel_has().
 */
enum dmo_change {
	DMO_CHG_DMA_OWNER,		/* 5.19 owner and owner_cnt */
	DMO_CHG_DMA_CLEANUP,		/* 5.19 bus->dma_cleanup */
	DMO_CHG_BUS_DMA_OWNER,		/* 5.19 buses take the count */
	DMO_CHG_VFIO_DMA_OWNER,		/* 5.19 VFIO claims its groups */
	DMO_CHG_VFIO_NO_VIABLE,		/* 5.19 no viability walk */
	DMO_CHG_VFIO_NO_UNBOUND_LIST,	/* 5.19 no mid-unbind list */
	DMO_CHG_VFIO_NO_NOTIFIER,	/* 5.19 no group notifier BUG_ON */
	DMO_CHG_BLOCKING_DOMAIN,	/* 5.19 claims attach blocking */
	DMO_CHG_VFIO_FAKE_GROUPS,	/* 5.19 emulated groups unclaimed */
	DMO_CHG_VFIO_DISASSOCIATE,	/* 6.1 release at last device */
	DMO_CHG_DEVICE_OWNER,		/* 6.2-rc1 device claims */
	DMO_CHG_CLAIM_REF_FIX,		/* 6.2 no group reference leak */
	DMO_CHG_EMPTY_GROUP_WARN,	/* 6.4 one critical section, WARN */
	DMO_CHG_CDX_BUS,		/* 6.4 the cdx bus */
	DMO_CHG_PROBE_DEVICE_DOMAIN,	/* 6.5 hot-add gets group->domain */
	DMO_CHG_CDX_DMA_OWNER,		/* 6.5 cdx takes the count */
	DMO_CHG_TEST_REMOVE_CLEANUP,	/* 6.6 dma_cleanup on test_remove */
	DMO_CHG_RESV_DIRECT,		/* 6.6 direct devices refuse blocking */
	DMO_CHG_VFIO_CDEV,		/* 6.6 the VFIO device cdev */
	DMO_CHG_DEFAULT_DOMAIN,		/* 6.7 default domains mandatory */
	DMO_CHG_IOMMU_PROBE_CONFIGURE,	/* 6.15-rc1 IOMMU-layer configure */
	DMO_CHG_DEFER_NO_DEFAULT,	/* 6.15-rc1 -EPROBE_DEFER */
	DMO_CHG_DEVICE_SET_DRIVER,	/* 6.15 marked dev->driver store */
	DMO_CHG_PLATFORM_SNAPSHOT,	/* 6.15 platform reads driver once */
	DMO_CHG_PCI_SNAPSHOT,		/* 6.17 PCI reads driver once */
	DMO_CHG_NR
};

/* Kernel configuration options that change behaviour (`config NAME`). */
enum dmo_config {
	DMO_CONFIG_DEBUG_TEST_DRIVER_REMOVE,	/* probe, remove, probe */
	DMO_CONFIG_NR
};

/* A backend of the concurrency seam (pthread or explorer). */
struct dmo_sync;

/**
 * dmo_viol_kind_name() - the scenario-file spelling of a violation kind
 * @kind: a kind below DMO_VIOL_NR
 *
 * Return: "isolation", "accounting", "bug", "warn", "deadlock", "race" or
 * "uaf"; "?" for anything else.
 * Context: any.
 */
const char *dmo_viol_kind_name(enum dmo_viol_kind kind);

/**
 * dmo_viol_kind_parse() - the kind a scenario-file word names
 * @name: a word such as "isolation"
 *
 * Return: the kind, or -1 when @name names none.
 * Context: any.
 */
int dmo_viol_kind_parse(const char *name);

/**
 * dmo_policy_name() - the command-line spelling of a policy
 * @policy: a policy below DMO_POLICY_NR
 *
 * Return: "upstream", "legacy", "v6", "recompute", "no-probe-cleanup",
 * "recompute-late-store", "recompute-early-cleanup" or "cdx-fix"; "?" for
 * anything else.
 * Context: any.
 */
const char *dmo_policy_name(enum dmo_policy policy);

/**
 * dmo_policy_parse() - the policy a word names
 * @name: a word such as "v6"
 *
 * Return: the policy, or -1 when @name names none.
 * Context: any.
 */
int dmo_policy_parse(const char *name);

#endif /* DMAOWN_TYPES_H */
