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
	DMO_POLICY_NR
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
 * "recompute-late-store" or "recompute-early-cleanup"; "?" for anything
 * else.
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
