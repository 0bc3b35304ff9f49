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

struct bench_case {
	const char *name;
	void (*run)(struct dmo_sync *s, void *arg);
	int n;
	uint64_t want;
};

static const struct bench_case cases[] = {
	{ "readers", readers_run, 3, 8 },
	{ "readers", readers_run, 8, 256 },
	{ "readers", readers_run, 12, 4096 },
	{ "lastzero", lastzero_run, 5, 64 },
	{ "lastzero", lastzero_run, 10, 3328 },
	{ "lastzero", lastzero_run, 15, 147456 },
	{ "indexer", indexer_run, 12, 8 },
	{ "indexer", indexer_run, 15, 4096 },
	{ "filesystem", fs_run, 16, 8 },
	{ "filesystem", fs_run, 18, 32 },
	{ "ainc", ainc_run, 4, 24 },
	{ "ainc", ainc_run, 7, 5040 },
	{ "ownership", own_run, 2, 6 },
	{ "ownership", own_run, 4, 2520 },
};

int main(int argc, char **argv)
{
	int bad = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bench_case *c = &cases[i];
		struct dmo_program p = { .run = c->run };
		struct dmo_explore_result r = { 0 };
		struct bench *b = calloc(1, sizeof(*b));
		char name[64];
		int ret;

		if (!b)
			return 1;
		snprintf(name, sizeof(name), "%s(%d)", c->name, c->n);
		if (argc > 1 && strcmp(argv[1], name) != 0) {
			free(b);
			continue;
		}
		b->n = c->n;
		ret = dmo_explore(&p, b, NULL, &r);
		printf("BENCH %s executions=%llu blocked=%llu time=%.3f rate=%.0f/s%s\n",
		       name, (unsigned long long)r.executions,
		       (unsigned long long)r.blocked, r.seconds,
		       r.seconds > 0 ? (double)r.executions / r.seconds : 0.0,
		       ret == 0 && r.complete && r.executions == c->want &&
				       r.blocked == 0 ?
			       "" :
			       " MISMATCH");
		if (ret || !r.complete || r.executions != c->want || r.blocked)
			bad = 1;
		free(b);
	}
	return bad;
}
