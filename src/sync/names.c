// SPDX-License-Identifier: MIT
/*
 * Spellings of the shared enumerations: one table each, read both ways.
 */
#include <string.h>

#include "dmaown/types.h"

static const char *const viol_names[DMO_VIOL_NR] = {
	[DMO_VIOL_ISOLATION] = "isolation",
	[DMO_VIOL_ACCOUNTING] = "accounting",
	[DMO_VIOL_BUG] = "bug",
	[DMO_VIOL_WARN] = "warn",
	[DMO_VIOL_DEADLOCK] = "deadlock",
	[DMO_VIOL_RACE] = "race",
	[DMO_VIOL_UAF] = "uaf",
};

static const char *const policy_names[DMO_POLICY_NR] = {
	[DMO_POLICY_UPSTREAM] = "upstream",
	[DMO_POLICY_LEGACY] = "legacy",
	[DMO_POLICY_V6] = "v6",
	[DMO_POLICY_RECOMPUTE] = "recompute",
	[DMO_POLICY_NO_PROBE_CLEANUP] = "no-probe-cleanup",
	[DMO_POLICY_RECOMPUTE_LATE_STORE] = "recompute-late-store",
	[DMO_POLICY_RECOMPUTE_EARLY_CLEANUP] = "recompute-early-cleanup",
	[DMO_POLICY_CDX_FIX] = "cdx-fix",
};

static int lookup(const char *const *names, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

const char *dmo_viol_kind_name(enum dmo_viol_kind kind)
{
	return (unsigned)kind < DMO_VIOL_NR ? viol_names[kind] : "?";
}

int dmo_viol_kind_parse(const char *name)
{
	return lookup(viol_names, DMO_VIOL_NR, name);
}

const char *dmo_policy_name(enum dmo_policy policy)
{
	return (unsigned)policy < DMO_POLICY_NR ? policy_names[policy] : "?";
}

int dmo_policy_parse(const char *name)
{
	return lookup(policy_names, DMO_POLICY_NR, name);
}
