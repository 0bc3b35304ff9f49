// SPDX-License-Identifier: MIT
/*
 * Benchmarks of the host commands (bench/README.md, "Host commands"):
 *
 *   groups     reading a synthetic tree of 1,000 PCI functions in 200
 *              groups (scripts/mktree --synthetic) and writing the report
 *              of `dmaown groups`, in-process; best and median of 20 runs
 *   export     per group of the saved trees of TOPOLOGIES.md with a plan:
 *              the plan, its scenario (dmaown export), and `dmaown check`
 *              of it, timed together
 *
 * One line each:
 *
 *   BENCH groups(1000,200) devices=N groups=N best=S median=S
 *   BENCH export+check(TREE/GROUP) writes=N executions=N time=S
 *
 * A scenario the explorer cannot take yet (SCENARIO.md's additions, not
 * in the parser) gets check=unavailable and the parser's message.
 * Exit status 1 when a tree cannot be read or a plan exported.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "dmaown.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static bool is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int bench_groups(const char *build, const char *src)
{
	char dir[PATH_MAX], sys[PATH_MAX + 8], cmd[3 * PATH_MAX], err[512];
	double t[20];
	FILE *devnull = fopen("/dev/null", "w");
	size_t nr_groups = 0, nr_devs = 0;
	int runs = (int)(sizeof(t) / sizeof(t[0]));

	snprintf(dir, sizeof(dir), "%s/bench-trees/synthetic-1000-200", build);
	snprintf(sys, sizeof(sys), "%s/sys", dir);
	if (!is_dir(sys)) {
		snprintf(cmd, sizeof(cmd),
			 "mkdir -p '%s/bench-trees' && '%s/scripts/mktree' --synthetic 1000 200 '%s'",
			 build, src, dir);
		if (system(cmd) != 0) {
			fprintf(stderr, "bench: %s failed\n", cmd);
			return 1;
		}
	}
	for (int i = -1; i < runs; i++) {
		struct dmo_host_opts o = { .sysfs = sys };
		struct dmo_host *h;
		double t0 = now();
		FILE *f;

		if (dmo_host_open(&o, &h, err, sizeof(err))) {
			fprintf(stderr, "bench: %s\n", err);
			return 1;
		}
		dmo_host_groups(h, NULL, 0, false, devnull);
		dmo_host_close(h);
		if (i >= 0)
			t[i] = now() - t0;
		/* Once: count what was read, in the JSON report. */
		if (i == -1) {
			char *text = NULL;
			size_t len = 0;

			f = open_memstream(&text, &len);
			dmo_host_open(&o, &h, err, sizeof(err));
			dmo_host_groups(h, NULL, 0, true, f);
			dmo_host_close(h);
			fclose(f);
			for (char *p = text; (p = strstr(p, "{\"group\":")); p++)
				nr_groups++;
			for (char *p = text; (p = strstr(p, "{\"name\":")); p++)
				nr_devs++;
			free(text);
		}
	}
	qsort(t, (size_t)runs, sizeof(*t), cmp_double);
	printf("BENCH groups(1000,200) devices=%zu groups=%zu best=%.4f median=%.4f\n",
	       nr_devs, nr_groups, t[0], t[runs / 2]);
	fclose(devnull);
	return 0;
}

static int export_one(const char *trees, const char *tree, const char *group)
{
	char sys[2 * PATH_MAX], err[1024], name[PATH_MAX];
	struct dmo_host_opts o = { .sysfs = sys };
	struct dmo_check_opts copts = { .quiet = true, .argv0 = "dmaown" };
	struct dmo_scenario *sc = NULL;
	struct dmo_host_plan *p = NULL;
	struct dmo_host *h = NULL;
	const char *t = group;
	char *text = NULL;
	size_t len = 0;
	double t0 = now(), t1;
	FILE *f, *devnull;
	int ret;

	snprintf(sys, sizeof(sys), "%s/%s/sys", trees, tree);
	if (dmo_host_open(&o, &h, err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", err);
		return 1;
	}
	ret = dmo_host_plan_vfio(h, &t, 1, false, &p, err, sizeof(err));
	if (ret || !dmo_host_plan_nr_writes(p)) {
		dmo_host_plan_free(p);
		dmo_host_close(h);
		return ret < 0 ? 1 : 0;
	}
	f = open_memstream(&text, &len);
	dmo_host_export(p, DMO_HOST_OVERRIDE_FIRST, f);
	fclose(f);
	snprintf(name, sizeof(name), "%s-%s.own", tree, group);
	ret = dmo_scenario_parse_buffer(name, text, len, &sc, err, sizeof(err));
	if (ret) {
		printf("BENCH export+check(%s/%s) writes=%zu check=unavailable time=%.4f # %s\n",
		       tree, group, dmo_host_plan_nr_writes(p), now() - t0,
		       err);
	} else {
		enum dmo_policy pol = DMO_POLICY_UPSTREAM;

		/* A 5.18 tree's file runs under the design of its kernel. */
		if (dmo_scenario_applies(sc, pol,
					 dmo_scenario_policy_kernel(sc, pol),
					 err, sizeof(err)))
			pol = DMO_POLICY_LEGACY;
		copts.explore.mode = DMO_EXPLORE_DPOR;
		devnull = fopen("/dev/null", "w");
		ret = dmo_scenario_check(sc, pol, &copts, devnull);
		fclose(devnull);
		t1 = now();
		printf("BENCH export+check(%s/%s) writes=%zu result=%d time=%.4f\n",
		       tree, group, dmo_host_plan_nr_writes(p), ret, t1 - t0);
		dmo_scenario_free(sc);
	}
	free(text);
	dmo_host_plan_free(p);
	dmo_host_close(h);
	return 0;
}

/* The groups TOPOLOGIES.md asks about that have a plan without --force. */
static const char *const cases[][2] = {
	{ "t1-desktop", "1" },	  { "t1-desktop", "2" },
	{ "t1-desktop", "4" },	  { "t1-desktop", "5" },
	{ "t1-desktop", "10" },	  { "t1b-cometlake", "3" },
	{ "t1b-cometlake", "14" }, { "t1c-turing", "2" },
	{ "t3d-haswell", "1" },	  { "t3d-haswell", "2" },
	{ "t3d-haswell", "10" },  { "t3d-haswell", "12" },
	{ "t3d-haswell", "13" },  { "t4-sriov", "98" },
	{ "t4-sriov", "141" },	  { "t4-i350", "40" },
	{ "t5-switches", "45" },  { "t5-switches", "49" },
};

int main(int argc, char **argv)
{
	const char *build = getenv("DMAOWN_BUILD");
	const char *src = getenv("DMAOWN_SRC");
	const char *only = argc > 1 ? argv[1] : NULL;
	char trees[PATH_MAX];
	int ret = 0;

	if (!build || !src) {
		fprintf(stderr, "bench: run it through make bench (DMAOWN_BUILD, DMAOWN_SRC)\n");
		return 1;
	}
	if (!only || strcmp(only, "groups") == 0)
		ret |= bench_groups(build, src);
	snprintf(trees, sizeof(trees), "%s/trees", build);
	if (!only || strcmp(only, "export") == 0)
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			ret |= export_one(trees, cases[i][0], cases[i][1]);
	return ret;
}
