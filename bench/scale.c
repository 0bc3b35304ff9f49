// SPDX-License-Identifier: MIT
/*
 * Does the cost of a check follow the interactions or the size?  Generated
 * scenarios with G groups of D devices each and T threads, of which P
 * pairs share a group and the rest each work alone in a group of their
 * own; every thread binds its own driver to one device and unbinds it
 * again.  The idle groups and devices are the size, the lone threads are
 * concurrency that touches nothing shared, and only the pairs interact.
 * One line per configuration:
 *
 *   BENCH scale(G,D,T,P) executions=N states=N time=SECONDS
 *
 * When what touches nothing shared is independent in the model, an
 * optimal search explores the same number of executions for every
 * configuration with the same P, whatever G, D and T: the line ends in
 * MISMATCH, and the exit status is 1, when one does not.  `make bench`
 * runs it with the others.
 *
 *   bench/scale              the recorded table (bench/README.md)
 *   bench/scale G D T P      one configuration
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dmaown.h"

#define MAX_P 8

struct config {
	int g, d, t, p;
};

static const struct config table[] = {
	/* the size: groups */
	{ 4, 4, 4, 1 }, { 16, 4, 4, 1 }, { 32, 4, 4, 1 }, { 64, 4, 4, 1 },
	/* the size: devices per group */
	{ 8, 2, 4, 1 }, { 8, 8, 4, 1 }, { 8, 32, 4, 1 },
	/* concurrency that touches nothing shared */
	{ 16, 4, 2, 1 }, { 16, 4, 3, 1 }, { 16, 4, 5, 1 }, { 16, 4, 6, 1 },
	{ 16, 4, 8, 1 },
	/* the interactions */
	{ 16, 4, 6, 0 }, { 16, 4, 6, 2 }, { 16, 4, 6, 3 },
	{ 16, 4, 8, 0 }, { 16, 4, 8, 2 }, { 16, 4, 8, 3 },
};

struct buf {
	char *p;
	size_t len, cap;
};

static void put(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < b->cap - b->len)
			break;
		b->cap = b->cap * 2 + (size_t)n + 64;
		b->p = realloc(b->p, b->cap);
		if (!b->p) {
			perror("scale");
			exit(2);
		}
	}
	b->len += (size_t)n;
}

/* Thread i's group and device: pairs first, then one group per loner. */
static void place(const struct config *c, int i, int *grp, int *dev)
{
	if (i < 2 * c->p) {
		*grp = i / 2;
		*dev = i % 2;
	} else {
		*grp = c->p + (i - 2 * c->p);
		*dev = 0;
	}
}

static void generate(const struct config *c, struct buf *b)
{
	put(b, "test scale-%d-%d-%d-%d\nbus pci\n", c->g, c->d, c->t, c->p);
	for (int i = 0; i < c->t; i++)
		put(b, "driver drv%d pci\n", i);
	for (int g = 0; g < c->g; g++)
		for (int d = 0; d < c->d; d++)
			put(b, "device dev%d.%d pci group %d\n", g, d, g);
	for (int i = 0; i < c->t; i++) {
		int g, d;

		place(c, i, &g, &d);
		put(b, "thread P%d {\n  r0 = bind dev%d.%d drv%d\n", i, g, d,
		    i);
		put(b, "  r1 = unbind dev%d.%d\n}\n", g, d);
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A field "name=N" of the summary line, or -1. */
static long long field(const char *text, const char *name)
{
	const char *p = strstr(text, name);

	return p ? strtoll(p + strlen(name), NULL, 10) : -1;
}

static int valid(const struct config *c)
{
	return c->g >= 1 && c->d >= 1 && c->t >= 1 && c->t <= 8 &&
	       c->p >= 0 && c->p <= MAX_P && 2 * c->p <= c->t &&
	       (c->p == 0 || c->d >= 2) && c->g >= c->t - c->p;
}

/*
 * Runs one configuration and prints its line; @want is the count of the
 * first configuration with the same P (-1: none yet).  Returns the count,
 * or -1 on failure.
 */
static long long run(const struct config *c, long long want)
{
	struct dmo_check_opts opts = { .quiet = true, .argv0 = "dmaown" };
	struct buf b = { 0 };
	struct dmo_scenario *sc;
	char err[512], *text = NULL;
	size_t len = 0;
	long long execs, states;
	double t0, t;
	FILE *out;
	int ret;

	generate(c, &b);
	if (dmo_scenario_parse_buffer("scale.own", b.p, b.len, &sc, err,
				      sizeof(err))) {
		fprintf(stderr, "scale: %s\n", err);
		free(b.p);
		return -1;
	}
	out = open_memstream(&text, &len);
	if (!out) {
		perror("scale");
		exit(2);
	}
	t0 = now();
	ret = dmo_scenario_check(sc, DMO_POLICY_UPSTREAM, &opts, out);
	t = now() - t0;
	fclose(out);
	execs = field(text, " executions=");
	states = field(text, " states=");
	printf("BENCH scale(%d,%d,%d,%d) executions=%lld states=%lld time=%.3f%s\n",
	       c->g, c->d, c->t, c->p, execs, states, t,
	       want >= 0 && execs != want ? " MISMATCH" : "");
	fflush(stdout);
	free(text);
	free(b.p);
	dmo_scenario_free(sc);
	return ret < 0 || execs < 0 ? -1 : execs;
}

int main(int argc, char **argv)
{
	long long first[MAX_P + 1];
	int status = 0;

	if (argc == 5) {
		struct config c = { atoi(argv[1]), atoi(argv[2]),
				    atoi(argv[3]), atoi(argv[4]) };

		if (!valid(&c)) {
			fprintf(stderr,
				"scale: want G D T P with 1 <= T <= 8, 2P <= T, D >= 2 when P > 0, G >= T - P\n");
			return 2;
		}
		return run(&c, -1) < 0;
	}
	if (argc != 1) {
		fprintf(stderr, "usage: %s [G D T P]\n", argv[0]);
		return 2;
	}
	for (int p = 0; p <= MAX_P; p++)
		first[p] = -1;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct config *c = &table[i];
		long long n = run(c, first[c->p]);

		if (n < 0 || (first[c->p] >= 0 && n != first[c->p]))
			status = 1;
		if (first[c->p] < 0)
			first[c->p] = n;
	}
	return status;
}
