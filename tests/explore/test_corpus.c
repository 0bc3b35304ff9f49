// SPDX-License-Identifier: MIT
/*
 * The differential check at the scenario level: every bundled scenario
 * under every policy, explored by DPOR, against the naive enumeration of
 * every interleaving where that finishes within a bound, and against a
 * seeded sample of random schedules where it does not.
 *
 * Against the naive search, DPOR must list the same final states and the
 * same violations (by kind and message; a lock-order inversion by kind
 * alone, since which of its two orders is named depends on the order of
 * exploration).  Against a sample, nothing the sample sees (a state, a
 * violation) may be missing from what DPOR lists.
 *
 *   test_corpus.t                  the bounds `make check` uses
 *   test_corpus.t NAIVE RANDOM     other bounds: naive executions allowed,
 *                                  random schedules drawn where it gives up
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmaown.h"
#include "tap.h"

/* What one check printed: its states and violations, one per line. */
struct seen {
	char **line;
	int nr, cap;
	bool complete;
	unsigned long long executions;
};

static void seen_free(struct seen *s)
{
	for (int i = 0; i < s->nr; i++)
		free(s->line[i]);
	free(s->line);
	memset(s, 0, sizeof(*s));
}

static bool seen_has(const struct seen *s, const char *l)
{
	for (int i = 0; i < s->nr; i++)
		if (strcmp(s->line[i], l) == 0)
			return true;
	return false;
}

static void seen_add(struct seen *s, const char *l)
{
	if (seen_has(s, l))
		return;
	if (s->nr == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->line = realloc(s->line, (size_t)s->cap * sizeof(*s->line));
		if (!s->line)
			abort();
	}
	s->line[s->nr] = strdup(l);
	if (!s->line[s->nr])
		abort();
	s->nr++;
}

/*
 * The report's lines that matter: "state: ..." for each final state
 * ("COUNT  *> TEXT"), "KIND: MESSAGE" for each violation, and whether the
 * summary line says the search was complete.
 */
static void parse(char *buf, struct seen *s)
{
	for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n")) {
		char *p = l, line[1024];

		if (strncmp(l, "Violation ", 10) == 0) {
			p = l + 10;
			if (strstr(p, ": lock order inversion: "))
				*strstr(p, ": lock order inversion: ") = '\0';
			seen_add(s, p);
			continue;
		}
		while (*p >= '0' && *p <= '9')
			p++;
		if (p != l && (*p == ' ' || *p == '\t')) {
			while (*p == ' ' || *p == '\t')
				p++;
			if ((p[0] == '*' || p[0] == ':') && p[1] == '>') {
				snprintf(line, sizeof(line), "state: %s",
					 p + 3);
				seen_add(s, line);
				continue;
			}
		}
		if (strncmp(l, "ok ", 3) == 0 ||
		    strncmp(l, "violation ", 10) == 0 ||
		    strncmp(l, "incomplete ", 11) == 0) {
			char *e = strstr(l, " executions=");

			s->complete = strncmp(l, "incomplete ", 11) != 0;
			if (e)
				s->executions = strtoull(e + 12, NULL, 10);
		}
	}
}

static int check(const struct dmo_scenario *sc, enum dmo_policy pol,
		 const struct dmo_explore_opts *eo, struct seen *s)
{
	struct dmo_check_opts o = { .explore = *eo, .argv0 = "dmaown" };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int ret;

	if (!f)
		return -1;
	ret = dmo_scenario_check(sc, pol, &o, f);
	fclose(f);
	parse(buf, s);
	free(buf);
	return ret;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every line of @a is in @b; the first one missing goes to @miss. */
static bool subset(const struct seen *a, const struct seen *b,
		   const char **miss)
{
	for (int i = 0; i < a->nr; i++)
		if (!seen_has(b, a->line[i])) {
			*miss = a->line[i];
			return false;
		}
	return true;
}

int main(int argc, char **argv)
{
	const char *src = getenv("DMAOWN_SRC");
	unsigned long long naive_max = 1000, random_n = 100;
	char dir[4096], path[8192];
	char **names = NULL;
	int nnames = 0, naive_done = 0, sampled = 0, skipped = 0;
	DIR *d;

	if (argc == 3) {
		naive_max = strtoull(argv[1], NULL, 10);
		random_n = strtoull(argv[2], NULL, 10);
	}
	snprintf(dir, sizeof(dir), "%s/scenarios", src ? src : ".");
	d = opendir(dir);
	if (!d) {
		printf("Bail out! cannot open %s\n", dir);
		return 1;
	}
	for (struct dirent *e; (e = readdir(d));) {
		size_t n = strlen(e->d_name);

		if (n < 5 || strcmp(e->d_name + n - 4, ".own") != 0)
			continue;
		names = realloc(names, (size_t)(nnames + 1) * sizeof(*names));
		if (!names || !(names[nnames++] = strdup(e->d_name)))
			abort();
	}
	closedir(d);
	qsort(names, (size_t)nnames, sizeof(*names), cmp_names);
	for (int i = 0; i < nnames; i++) {
		struct dmo_scenario *sc;
		char err[512];

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (dmo_scenario_parse_file(path, &sc, err, sizeof(err))) {
			ok(0, "%s parses: %s", names[i], err);
			continue;
		}
		for (int p = 0; p < DMO_POLICY_NR; p++) {
			struct dmo_explore_opts dpor = { 0 };
			struct dmo_explore_opts naive = {
				.mode = DMO_EXPLORE_NAIVE,
				.max_executions = naive_max,
			};
			struct dmo_explore_opts rnd = {
				.mode = DMO_EXPLORE_RANDOM,
				.iterations = random_n,
				.seed = (uint64_t)(i * 31 + p + 1),
			};
			struct seen sd = { 0 }, sn = { 0 };
			const char *pol = dmo_policy_name(p), *miss = "";

			/* A design that is not for the file's kernel, or a
			 * file using what that kernel lacks, has nothing to
			 * explore. */
			if (dmo_scenario_applies(sc, p,
						 dmo_scenario_policy_kernel(sc, p),
						 NULL, 0)) {
				skipped++;
				continue;
			}
			check(sc, p, &dpor, &sd);
			if (!sd.complete) {
				ok(0, "%s %s: dpor complete", names[i], pol);
				goto next;
			}
			check(sc, p, &naive, &sn);
			if (sn.complete) {
				bool same = subset(&sn, &sd, &miss) &&
					    subset(&sd, &sn, &miss);

				naive_done++;
				ok(same,
				   "%s %s: dpor (%llu executions) lists what naive (%llu) does",
				   names[i], pol, sd.executions,
				   sn.executions);
				if (!same)
					printf("#   only one lists: %s\n", miss);
				goto next;
			}
			seen_free(&sn);
			check(sc, p, &rnd, &sn);
			sampled++;
			ok(subset(&sn, &sd, &miss),
			   "%s %s: dpor (%llu executions) lists all %llu random schedules show",
			   names[i], pol, sd.executions, random_n);
			if (miss[0])
				printf("#   dpor misses: %s\n", miss);
next:
			seen_free(&sd);
			seen_free(&sn);
		}
		dmo_scenario_free(sc);
		free(names[i]);
	}
	free(names);
	diag("%d checks against the naive search, %d against %llu random schedules, %d pairs that do not apply",
	     naive_done, sampled, random_n, skipped);
	return done_testing();
}
