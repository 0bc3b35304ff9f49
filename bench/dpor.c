// SPDX-License-Identifier: MIT
/*
 * The classic DPOR benchmarks, written against the sync seam from their
 * published descriptions, with the number of executions an optimal DPOR
 * must explore for each.  One line per benchmark:
 *
 *   BENCH NAME executions=N blocked=N time=SECONDS rate=EXECUTIONS/s
 *
 * Exit status 1 when a count differs from the known optimum.
 *
 * readers(N)    one writer and N readers of one variable: 2^N traces.
 * lastzero(N)   thread 0 scans an array from the top for the last zero
 *               while threads 1..N each set a[i] = a[i-1] + 1:
 *               (N+3) * 2^(N-2) traces.
 * indexer(N)    N threads insert 4 values each into a 128-slot hash table
 *               with compare-and-swap and linear probing; only N >= 12
 *               collides: 8 traces for 12, 4096 for 15.
 * filesystem(N) N threads each give their inode a free disk block, under
 *               per-inode and per-block mutexes (26 blocks, 32 inodes):
 *               8 traces for 16, 32 for 18.
 * ainc(N)       N threads atomically increment one counter: N! traces.
 * ownership(N)  N threads each claim and then release one owner field
 *               under a mutex, the kernel protocol in miniature: every
 *               order of the 2N critical sections, (2N)! / 2^N traces.
 * casrot(N)     thread i (1..N) tries one compare-and-swap of x from i-1
 *               to i, so the successful ones always form a chain from 0:
 *               2, 5, 14, 43, 144, 523, 2048, 8597 traces for 2..9.
 *
 * With no argument every case below runs; `dpor 'NAME(N)' ...` runs the
 * named benchmarks at any size, judging the count where the optimum is
 * known.  An unknown name or a malformed one is exit status 2.
 * `dpor --threads N ...` explores with dmo_explore_parallel() on N
 * workers: the line adds threads= and redundant=, and the count judged is
 * that of distinct traces, executions less redundant ones.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmaown/explore.h"
#include "sync/sync.h"

#define MAXN 32

struct bench {
	int n;
	struct dmo_thread *t[MAXN];
	int idx[MAXN];
	/* readers, lastzero, ainc */
	int x;
	int a[MAXN + 1];
	/* indexer */
	int table[128];
	/* filesystem */
	struct dmo_mutex locki[32];
	struct dmo_mutex lockb[26];
	int inode[32];
	int busy[26];
	/* ownership */
	struct dmo_mutex lock;
	int owner;
};

static void spawn_all(struct dmo_sync *s, struct bench *b, int n,
		      dmo_thread_fn fn)
{
	for (int i = 0; i < n; i++) {
		b->idx[i] = i;
		dmo_thread_create(s, &b->t[i], "T", fn, &b->idx[i]);
	}
	for (int i = 0; i < n; i++)
		dmo_thread_join(s, b->t[i]);
}

static struct bench *outer(void *idx)
{
	int *p = idx;

	return (struct bench *)((char *)(p - *p) - offsetof(struct bench, idx));
}

static void reader(struct dmo_sync *s, void *arg)
{
	struct bench *b = outer(arg);

	if (*(int *)arg == 0)
		dmo_store_int(s, &b->x, 1);
	else
		(void)dmo_load_int(s, &b->x);
}

static void readers_run(struct dmo_sync *s, void *arg)
{
	struct bench *b = arg;

	b->x = 0;
	spawn_all(s, b, b->n + 1, reader);
}

static void lastzero_thread(struct dmo_sync *s, void *arg)
{
	struct bench *b = outer(arg);
	int id = *(int *)arg;

	if (id == 0) {
		int i;

		for (i = b->n; dmo_load_int(s, &b->a[i]) != 0; i--)
			;
	} else {
		int v = dmo_load_int(s, &b->a[id - 1]);

		dmo_store_int(s, &b->a[id], v + 1);
	}
}

static void lastzero_run(struct dmo_sync *s, void *arg)
{
	struct bench *b = arg;

	memset(b->a, 0, sizeof(b->a));
	spawn_all(s, b, b->n + 1, lastzero_thread);
}

static void indexer_thread(struct dmo_sync *s, void *arg)
{
	struct bench *b = outer(arg);
	int tid = *(int *)arg;

	for (int m = 1; m <= 4; m++) {
		int w = m * 11 + tid;
		int h = (w * 7) % 128;

		for (;;) {
			int zero = 0;

			if (dmo_cmpxchg_int(s, &b->table[h], &zero, w))
				break;
			h = (h + 1) % 128;
		}
	}
}

static void indexer_run(struct dmo_sync *s, void *arg)
{
	struct bench *b = arg;

	memset(b->table, 0, sizeof(b->table));
	spawn_all(s, b, b->n, indexer_thread);
}

static void fs_thread(struct dmo_sync *s, void *arg)
{
	struct bench *b = outer(arg);
	int i = *(int *)arg % 32;

	dmo_mutex_lock(s, &b->locki[i]);
	if (dmo_load_int(s, &b->inode[i]) == 0) {
		int blk = (i * 2) % 26;

		for (;;) {
			dmo_mutex_lock(s, &b->lockb[blk]);
			if (!dmo_load_int(s, &b->busy[blk])) {
				dmo_store_int(s, &b->busy[blk], 1);
				dmo_store_int(s, &b->inode[i], blk + 1);
				dmo_mutex_unlock(s, &b->lockb[blk]);
				break;
			}
			dmo_mutex_unlock(s, &b->lockb[blk]);
			blk = (blk + 1) % 26;
		}
	}
	dmo_mutex_unlock(s, &b->locki[i]);
}

static void fs_run(struct dmo_sync *s, void *arg)
{
	struct bench *b = arg;

	memset(b->inode, 0, sizeof(b->inode));
	memset(b->busy, 0, sizeof(b->busy));
	for (int i = 0; i < 32; i++)
		dmo_mutex_init(s, &b->locki[i], "locki");
	for (int i = 0; i < 26; i++)
		dmo_mutex_init(s, &b->lockb[i], "lockb");
	spawn_all(s, b, b->n, fs_thread);
}

static void ainc_thread(struct dmo_sync *s, void *arg)
{
	struct bench *b = outer(arg);

	dmo_fetch_add_int(s, &b->x, 1);
}

static void ainc_run(struct dmo_sync *s, void *arg)
{
	struct bench *b = arg;

	b->x = 0;
	spawn_all(s, b, b->n, ainc_thread);
}

static void own_thread(struct dmo_sync *s, void *arg)
{
	struct bench *b = outer(arg);
	int me = *(int *)arg + 1;

	dmo_mutex_lock(s, &b->lock);
	if (dmo_load_int(s, &b->owner) == 0)
		dmo_store_int(s, &b->owner, me);
	dmo_mutex_unlock(s, &b->lock);
	dmo_mutex_lock(s, &b->lock);
	if (dmo_load_int(s, &b->owner) == me)
		dmo_store_int(s, &b->owner, 0);
	dmo_mutex_unlock(s, &b->lock);
}

static void own_run(struct dmo_sync *s, void *arg)
{
	struct bench *b = arg;

	b->owner = 0;
	dmo_mutex_init(s, &b->lock, "owner_lock");
	spawn_all(s, b, b->n, own_thread);
}

static void casrot_thread(struct dmo_sync *s, void *arg)
{
	struct bench *b = outer(arg);
	int me = *(int *)arg + 1;
	int from = me - 1;

	dmo_cmpxchg_int(s, &b->x, &from, me);
}

static void casrot_run(struct dmo_sync *s, void *arg)
{
	struct bench *b = arg;

	b->x = 0;
	spawn_all(s, b, b->n, casrot_thread);
}

/* The optimal counts, where a closed form or a table gives them; 0: none. */
static uint64_t fact(int n)
{
	uint64_t f = 1;

	for (int i = 2; i <= n; i++)
		f *= (uint64_t)i;
	return f;
}

static uint64_t want_readers(int n)
{
	return n < 63 ? (uint64_t)1 << n : 0;
}

static uint64_t want_lastzero(int n)
{
	if (n == 1)
		return 2;
	return n < 60 ? (uint64_t)(n + 3) << (n - 2) : 0;
}

static uint64_t want_indexer(int n)
{
	/* Only 12 or more threads collide in the table. */
	if (n < 12)
		return 1;
	return n == 12 ? 8 : n == 15 ? 4096 : 0;
}

static uint64_t want_filesystem(int n)
{
	return n <= 13 ? 1 : n == 16 ? 8 : n == 18 ? 32 : 0;
}

static uint64_t want_ainc(int n)
{
	return n <= 20 ? fact(n) : 0;
}

static uint64_t want_ownership(int n)
{
	uint64_t r = 1;

	if (n > 10)
		return 0;
	for (int i = 1; i <= 2 * n; i++)
		r *= (uint64_t)i;
	return r >> n;
}

static uint64_t want_casrot(int n)
{
	static const uint64_t t[] = {
		1, 1, 2, 5, 14, 43, 144, 523, 2048, 8597,
	};

	return n < (int)(sizeof(t) / sizeof(t[0])) ? t[n] : 0;
}

/* A benchmark: its program, sizes from 1 to max_n, its known optimum. */
struct bench_kind {
	const char *name;
	void (*run)(struct dmo_sync *s, void *arg);
	int max_n;
	uint64_t (*want)(int n);
};

static const struct bench_kind kinds[] = {
	{ "readers", readers_run, MAXN - 2, want_readers },
	{ "lastzero", lastzero_run, MAXN - 2, want_lastzero },
	{ "indexer", indexer_run, MAXN - 1, want_indexer },
	{ "filesystem", fs_run, MAXN - 1, want_filesystem },
	{ "ainc", ainc_run, MAXN - 1, want_ainc },
	{ "ownership", own_run, MAXN - 1, want_ownership },
	{ "casrot", casrot_run, MAXN - 1, want_casrot },
};

struct bench_case {
	const char *name;
	int n;
};

/* What `make bench` runs. */
static const struct bench_case cases[] = {
	{ "readers", 3 },     { "readers", 8 },	      { "readers", 12 },
	{ "lastzero", 5 },    { "lastzero", 10 },     { "lastzero", 15 },
	{ "indexer", 12 },    { "indexer", 15 },      { "filesystem", 16 },
	{ "filesystem", 18 }, { "ainc", 4 },	      { "ainc", 7 },
	{ "ownership", 2 },   { "ownership", 4 },     { "casrot", 2 },
	{ "casrot", 3 },      { "casrot", 4 },	      { "casrot", 5 },
	{ "casrot", 6 },      { "casrot", 7 },	      { "casrot", 8 },
	{ "casrot", 9 },
};

static const struct bench_kind *find_kind(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strlen(kinds[i].name) == len &&
		    strncmp(kinds[i].name, name, len) == 0)
			return &kinds[i];
	return NULL;
}

/*
 * Runs one benchmark on @threads workers (1: dmo_explore() itself); 1
 * when its count of distinct traces is known and differs.
 */
static int run_one(const struct bench_kind *k, int n, int threads)
{
	struct dmo_program p = { .run = k->run };
	struct dmo_explore_result r = { 0 };
	struct bench *b = calloc((size_t)threads, sizeof(*b));
	void *args[DMO_EXPLORE_MAX_THREADS];
	uint64_t want = k->want(n);
	bool bad;
	int ret;

	if (!b) {
		fprintf(stderr, "dpor: out of memory\n");
		exit(1);
	}
	for (int i = 0; i < threads; i++) {
		b[i].n = n;
		args[i] = &b[i];
	}
	if (threads == 1)
		ret = dmo_explore(&p, b, NULL, &r);
	else
		ret = dmo_explore_parallel(&p, args, sizeof(*b), threads,
					   NULL, &r);
	bad = ret || !r.complete || r.blocked ||
	      (want && r.executions - r.redundant != want);
	printf("BENCH %s(%d) executions=%llu blocked=%llu",
	       k->name, n, (unsigned long long)r.executions,
	       (unsigned long long)r.blocked);
	if (threads > 1)
		printf(" threads=%d redundant=%llu", threads,
		       (unsigned long long)r.redundant);
	printf(" time=%.3f rate=%.0f/s%s\n", r.seconds,
	       r.seconds > 0 ? (double)r.executions / r.seconds : 0.0,
	       bad ? " MISMATCH" : want ? "" : " (optimum unknown)");
	free(b);
	return bad;
}

static void usage_names(void)
{
	fprintf(stderr, "dpor: benchmarks:");
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		fprintf(stderr, " %s(1..%d)", kinds[i].name, kinds[i].max_n);
	fprintf(stderr, "\n");
}

/*
 * "NAME(N)": the benchmark and its size, or NULL after a message naming
 * what is wrong with @arg.
 */
static const struct bench_kind *parse(const char *arg, int *n)
{
	const char *open = strchr(arg, '(');
	const struct bench_kind *k;
	char *end;
	long v;

	if (!open) {
		fprintf(stderr, "dpor: '%s': expected NAME(N), as in 'lastzero(15)'\n",
			arg);
		return NULL;
	}
	k = find_kind(arg, (size_t)(open - arg));
	if (!k) {
		fprintf(stderr, "dpor: '%s': unknown benchmark '%.*s'\n", arg,
			(int)(open - arg), arg);
		usage_names();
		return NULL;
	}
	if (open[1] < '0' || open[1] > '9') {
		fprintf(stderr, "dpor: '%s': N must be a number\n", arg);
		return NULL;
	}
	v = strtol(open + 1, &end, 10);
	if (end[0] != ')' || end[1] != '\0') {
		fprintf(stderr, "dpor: '%s': expected NAME(N), as in 'lastzero(15)'\n",
			arg);
		return NULL;
	}
	if (v < 1 || v > k->max_n) {
		fprintf(stderr, "dpor: '%s': N must be from 1 to %d for %s\n",
			arg, k->max_n, k->name);
		return NULL;
	}
	*n = (int)v;
	return k;
}

int main(int argc, char **argv)
{
	const struct bench_kind *k[64];
	int n[64], bad = 0, threads = 1;

	if (argc > 2 && strcmp(argv[1], "--threads") == 0) {
		char *end;
		long v = strtol(argv[2], &end, 10);

		if (*end || end == argv[2] || v < 1 ||
		    v > DMO_EXPLORE_MAX_THREADS) {
			fprintf(stderr, "dpor: --threads '%s': a number from 1 to %d\n",
				argv[2], DMO_EXPLORE_MAX_THREADS);
			return 2;
		}
		threads = (int)v;
		argv += 2;
		argc -= 2;
	}
	if (argc - 1 > 64) {
		fprintf(stderr, "dpor: at most 64 benchmarks at once\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		k[i - 1] = parse(argv[i], &n[i - 1]);
		if (!k[i - 1])
			return 2;
	}
	if (argc > 1) {
		for (int i = 0; i < argc - 1; i++)
			bad |= run_one(k[i], n[i], threads);
		return bad;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		bad |= run_one(find_kind(cases[i].name, strlen(cases[i].name)),
			       cases[i].n, threads);
	return bad;
}
