// SPDX-License-Identifier: MIT
/*
 * Which kernel version and design a scenario runs under.
 *
 * A run is a pair (policy, kernel version).  Not every pair makes sense:
 * `legacy` is the kernel before the ownership series and runs at 5.18
 * alone, the other designs are variants of that series (5.19 on), and a
 * file may use something a version lacks (device claims before 6.2, the
 * cdx bus before 6.4).  dmo_scenario_applies() says which, and why, so
 * that `--kernel all` and `--policy all` can skip what does not apply
 * while an explicit choice that does not apply is an error naming the
 * place in the file.
 */
#include <stdio.h>

#include "scenario/scenario.h"

const struct dmo_kernel *dmo_scenario_kernel(const struct dmo_scenario *sc)
{
	return sc->kernel;
}

enum dmo_policy dmo_scenario_default_policy(const struct dmo_scenario *sc)
{
	if (sc->policy >= 0)
		return (enum dmo_policy)sc->policy;
	if (sc->kernel && dmo_policy_applies(DMO_POLICY_LEGACY, sc->kernel))
		return DMO_POLICY_LEGACY;
	return DMO_POLICY_UPSTREAM;
}

const struct dmo_kernel *
dmo_scenario_policy_kernel(const struct dmo_scenario *sc,
			   enum dmo_policy policy)
{
	if (policy == DMO_POLICY_LEGACY)
		return dmo_policy_kernel(policy);
	return sc->kernel ? sc->kernel : dmo_policy_kernel(policy);
}

int dmo_scenario_applies(const struct dmo_scenario *sc, enum dmo_policy policy,
			 const struct dmo_kernel *kernel, char *why,
			 size_t whylen)
{
	if (!kernel || (unsigned)policy >= DMO_POLICY_NR)
		return DMO_SCENARIO_NA_POLICY;
	if (!dmo_policy_applies(policy, kernel)) {
		if (why && whylen)
			snprintf(why, whylen,
				 "policy %s does not run at kernel %s (%s)",
				 dmo_policy_name(policy),
				 dmo_kernel_name(kernel),
				 dmo_policy_rule(policy));
		return DMO_SCENARIO_NA_POLICY;
	}
	for (int i = 0; i < sc->nr_needs; i++) {
		const struct dmo_sc_need *n = &sc->needs[i];

		if (dmo_kernel_has(kernel, n->change))
			continue;
		if (why && whylen)
			snprintf(why, whylen,
				 "%s:%d:%d: error: %s needs kernel %s or later (%s %s); this run is kernel %s",
				 sc->path, n->loc.line, n->loc.col, n->what,
				 dmo_kernel_name(dmo_change_kernel(n->change)),
				 dmo_change_commit(n->change),
				 dmo_change_subject(n->change),
				 dmo_kernel_name(kernel));
		return DMO_SCENARIO_NA_KERNEL;
	}
	return 0;
}
