// SPDX-License-Identifier: MIT
/*
 * Unrelated binds commute: K threads, each binding its own driver to its
 * own device in its own group, share no lock and no field (unregister's
 * drain is per driver and per bus, dd.c), so optimal DPOR explores
 * exactly one execution, for every K the scenario format allows.  With a
 * world-wide lock around the driver pick-up it took K! of them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmaown.h"
#include "tap.h"

/* The scenario of K binds, in @buf. */
static void k_binds(char *buf, size_t len, int k, const char *how)
{
	size_t n = 0;

	n += (size_t)snprintf(buf + n, len - n, "test binds-%d\nbus pci\n", k);
	for (int i = 0; i < k; i++)
		n += (size_t)snprintf(buf + n, len - n,
				      "driver drv%d pci\n"
				      "device 0000:%02x:00.0 pci group %d match drv%d\n",
				      i, i + 1, i + 1, i);
	for (int i = 0; i < k; i++)
		n += (size_t)snprintf(buf + n, len - n,
				      "thread P%d {\n  r0 = %s 0000:%02x:00.0 drv%d\n}\n",
				      i, how, i + 1, i);
	snprintf(buf + n, len - n, "forall (P0:r0 == 0 /\\ owner_cnt(1) == 1)\n"
		 "expect upstream Always\n");
}

/* The executions= of a quiet check, or -1. */
static long executions(const char *text, enum dmo_policy policy)
{
	struct dmo_check_opts opts = { .quiet = true };
	struct dmo_scenario *sc = NULL;
	char err[512], *out = NULL, *e;
	size_t outlen = 0;
	FILE *f;
	long n = -1;
	int ret;

	if (dmo_scenario_parse_buffer("binds.own", text, strlen(text), &sc, err,
				      sizeof(err))) {
		diag("parse: %s", err);
		return -1;
	}
	opts.explore.mode = DMO_EXPLORE_DPOR;
	f = open_memstream(&out, &outlen);
	ret = dmo_scenario_check(sc, policy, &opts, f);
	fclose(f);
	e = out ? strstr(out, " executions=") : NULL;
	if (ret == 0 && e)
		n = strtol(e + 12, NULL, 10);
	else
		diag("check returned %d: %s", ret, out ? out : "");
	free(out);
	dmo_scenario_free(sc);
	return n;
}

int main(void)
{
	static char text[8192];

	for (int k = 1; k <= 8; k++) {
		k_binds(text, sizeof(text), k, "bind");
		is_int(executions(text, DMO_POLICY_UPSTREAM), 1,
		       "%d binds of %d drivers take one execution", k, k);
		k_binds(text, sizeof(text), k, "sysfs_bind");
		is_int(executions(text, DMO_POLICY_UPSTREAM), 1,
		       "%d sysfs binds take one execution", k);
	}
	k_binds(text, sizeof(text), 4, "bind");
	is_int(executions(text, DMO_POLICY_V6), 1,
	       "the same under v6, which shares the driver core");
	return done_testing();
}
