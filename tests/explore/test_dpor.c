// SPDX-License-Identifier: MIT
/*
 * The search: optimal counts on the classic benchmarks, soundness against
 * the naive enumeration (same final states, same kinds of violation), the
 * limits, and seeded random sampling.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "dmaown/explore.h"
#include "sync/sync.h"
#include "tap.h"

#define MAXT 20
#define MAXSTATES 512

struct w {
	int n;
	int which;
	struct dmo_thread *t[MAXT];
	int idx[MAXT];
	int x, y, a, b, r[MAXT];
	int arr[MAXT + 1];
	int table[128];
	struct dmo_mutex m, m2;
	struct dmo_mutex locki[32], lockb[26];
	int inode[32], busy[26];
	char names[MAXT][16];
	int *p;
	struct heapobj *heap;
	void *junk;
	int runs;
	/* Out: the distinct final states and the kinds seen. */
	uint64_t states[MAXSTATES];
	int nstates;
	unsigned kinds;
	int finishes, incomplete;
};

static struct w *outer(void *idx)
{
	int *p = idx;

	return (struct w *)((char *)(p - *p) - offsetof(struct w, idx));
}

static void spawn_join(struct dmo_sync *s, struct w *w, int n,
		       dmo_thread_fn fn)
{
	for (int i = 0; i < n; i++) {
		w->idx[i] = i;
		snprintf(w->names[i], sizeof(w->names[i]), "P%d", i);
		dmo_thread_create(s, &w->t[i], w->names[i], fn, &w->idx[i]);
	}
	for (int i = 0; i < n; i++)
		dmo_thread_join(s, w->t[i]);
}

static void reset_shared(struct w *w)
{
	w->x = w->y = w->a = w->b = 0;
	memset(w->r, 0, sizeof(w->r));
	memset(w->arr, 0, sizeof(w->arr));
	memset(w->table, 0, sizeof(w->table));
	memset(w->inode, 0, sizeof(w->inode));
	memset(w->busy, 0, sizeof(w->busy));
	w->p = NULL;
}

/* Benchmarks (small sizes; bench/dpor.c has the big ones). */

static void readers_thread(struct dmo_sync *s, void *arg)
{
	struct w *w = outer(arg);

	if (*(int *)arg == 0)
		dmo_store_int(s, &w->x, 1);
	else
		(void)dmo_load_int(s, &w->x);
}

static void lastzero_thread(struct dmo_sync *s, void *arg)
{
	struct w *w = outer(arg);
	int id = *(int *)arg;

	if (id == 0) {
		int i;

		for (i = w->n; dmo_load_int(s, &w->arr[i]) != 0; i--)
			;
		w->r[0] = i;
	} else {
		dmo_store_int(s, &w->arr[id],
			      dmo_load_int(s, &w->arr[id - 1]) + 1);
	}
}

static void ainc_thread(struct dmo_sync *s, void *arg)
{
	struct w *w = outer(arg);

	w->r[*(int *)arg] = dmo_fetch_add_int(s, &w->x, 1);
}

/* Hash-table inserts with compare-and-swap and linear probing. */
static void indexer_thread(struct dmo_sync *s, void *arg)
{
	struct w *w = outer(arg);
	int tid = *(int *)arg;

	for (int m = 1; m <= 4; m++) {
		int v = m * 11 + tid;
		int h = (v * 7) % 128;
		int zero = 0;

		while (!dmo_cmpxchg_int(s, &w->table[h], &zero, v)) {
			zero = 0;
			h = (h + 1) % 128;
		}
	}
}

/* Each thread gives its inode a free block. */
static void fs_thread(struct dmo_sync *s, void *arg)
{
	struct w *w = outer(arg);
	int i = *(int *)arg;
	int b = (i * 2) % 26;

	dmo_mutex_lock(s, &w->locki[i]);
	if (dmo_load_int(s, &w->inode[i]) == 0) {
		for (;;) {
			dmo_mutex_lock(s, &w->lockb[b]);
			if (!dmo_load_int(s, &w->busy[b])) {
				dmo_store_int(s, &w->busy[b], 1);
				dmo_store_int(s, &w->inode[i], b + 1);
				dmo_mutex_unlock(s, &w->lockb[b]);
				break;
			}
			dmo_mutex_unlock(s, &w->lockb[b]);
			b = (b + 1) % 26;
		}
	}
	dmo_mutex_unlock(s, &w->locki[i]);
}

/* Differential programs. */

/* Two locked increments and an unlocked reader. */
static void p_locks(struct dmo_sync *s, void *arg)
{
	struct w *w = outer(arg);
	int id = *(int *)arg;

	if (id == 2) {
		w->r[2] = dmo_load_int(s, &w->x);
		return;
	}
	dmo_mutex_lock(s, &w->m);
	dmo_store_int(s, &w->x, dmo_load_int(s, &w->x) + 1);
	dmo_mutex_unlock(s, &w->m);
}

/* Store buffering with marked accesses, plus an rmw and a cmpxchg. */
static void p_marked(struct dmo_sync *s, void *arg)
{
	struct w *w = outer(arg);
	int id = *(int *)arg;
	int zero = 0;

	if (id == 0) {
		dmo_write_once_int(s, &w->a, 1);
		w->r[0] = dmo_read_once_int(s, &w->b);
		dmo_fetch_add_int(s, &w->y, 1);
	} else {
		dmo_write_once_int(s, &w->b, 1);
		w->r[1] = dmo_read_once_int(s, &w->a);
		if (!dmo_cmpxchg_int(s, &w->y, &zero, 5))
			w->r[2] = zero;
	}
}

/* Choices, one of which hits a BUG inside a critical section. */
static void p_choose(struct dmo_sync *s, void *arg)
{
	struct w *w = outer(arg);
	int id = *(int *)arg;

	if (id == 0) {
		int c = dmo_choose(s, 3, "c");

		dmo_mutex_lock(s, &w->m);
		dmo_store_int(s, &w->x, c);
		if (c == 2 && dmo_load_int(s, &w->y) == 1)
			dmo_report(s, DMO_VIOL_BUG, "c == 2 after y");
		dmo_mutex_unlock(s, &w->m);
	} else {
		dmo_mutex_lock(s, &w->m);
		dmo_store_int(s, &w->y, 1);
		w->r[1] = dmo_load_int(s, &w->x);
		dmo_mutex_unlock(s, &w->m);
	}
}

static void grandchild(struct dmo_sync *s, void *arg)
{
	struct w *w = arg;

	dmo_write_once_int(s, &w->y, 7);
}

/* Nested spawn and join: a read before the join may miss the write. */
static void p_spawn(struct dmo_sync *s, void *arg)
{
	struct w *w = outer(arg);
	int id = *(int *)arg;

	if (id == 0) {
		struct dmo_thread *g;

		dmo_thread_create(s, &g, "G", grandchild, w);
		w->r[0] = dmo_read_once_int(s, &w->y);
		dmo_thread_join(s, g);
		w->r[1] = dmo_read_once_int(s, &w->y);
	} else {
		dmo_write_once_int(s, &w->x, 1);
		w->r[2] = dmo_read_once_int(s, &w->y);
	}
}

/* ABBA: a deadlock in some runs, an inversion in the graph. */
static void p_abba(struct dmo_sync *s, void *arg)
{
	struct w *w = outer(arg);
	int id = *(int *)arg;
	struct dmo_mutex *first = id ? &w->m2 : &w->m;
	struct dmo_mutex *second = id ? &w->m : &w->m2;

	dmo_mutex_lock(s, first);
	dmo_mutex_lock(s, second);
	dmo_write_once_int(s, &w->x, id + 1);
	dmo_mutex_unlock(s, second);
	dmo_mutex_unlock(s, first);
}

/* A block freed by one thread while another may still read it. */
static void p_uaf(struct dmo_sync *s, void *arg)
{
	struct w *w = outer(arg);
	int id = *(int *)arg;

	if (id == 0) {
		int *p = dmo_read_once_ptr(s, &w->p);

		dmo_write_once_ptr(s, &w->p, NULL);
		dmo_free(s, p);
	} else {
		int *p = dmo_read_once_ptr(s, &w->p);

		if (p)
			w->r[1] = dmo_read_once_int(s, p) + 1;
	}
}

/*
 * Shared memory that run() takes from malloc afresh each time, at an
 * address that differs from one execution to the next.
 */
struct heapobj {
	struct dmo_mutex m;
	int x, y;
};

static void p_heap(struct dmo_sync *s, void *arg)
{
	struct w *w = outer(arg);
	struct heapobj *o = w->heap;

	if (*(int *)arg == 0) {
		dmo_mutex_lock(s, &o->m);
		dmo_store_int(s, &o->x, dmo_load_int(s, &o->x) + 1);
		dmo_mutex_unlock(s, &o->m);
		w->r[0] = dmo_read_once_int(s, &o->y);
	} else {
		dmo_write_once_int(s, &o->y, 1);
		dmo_mutex_lock(s, &o->m);
		dmo_store_int(s, &o->x, dmo_load_int(s, &o->x) * 3);
		w->r[1] = dmo_load_int(s, &o->x);
		dmo_mutex_unlock(s, &o->m);
	}
}

struct prog {
	const char *name;
	dmo_thread_fn fn;
	int threads;
};

static const struct prog progs[] = {
	{ "readers", readers_thread, 0 },
	{ "lastzero", lastzero_thread, 0 },
	{ "ainc", ainc_thread, 0 },
	{ "indexer", indexer_thread, 0 },
	{ "filesystem", fs_thread, 0 },
	{ "locks", p_locks, 3 },
	{ "marked", p_marked, 2 },
	{ "choose", p_choose, 2 },
	{ "spawn", p_spawn, 2 },
	{ "abba", p_abba, 2 },
	{ "uaf", p_uaf, 2 },
	{ "heap", p_heap, 2 },
};

static void run(struct dmo_sync *s, void *arg)
{
	struct w *w = arg;
	const struct prog *p = &progs[w->which];
	int n = p->threads ? p->threads : w->n;

	reset_shared(w);
	dmo_mutex_init(s, &w->m, "m");
	dmo_mutex_init(s, &w->m2, "m2");
	if (p->fn == fs_thread) {
		for (int i = 0; i < 32; i++)
			dmo_mutex_init(s, &w->locki[i], "locki");
		for (int i = 0; i < 26; i++)
			dmo_mutex_init(s, &w->lockb[i], "lockb");
	}
	if (p->fn == readers_thread)
		n = w->n + 1;
	if (p->fn == lastzero_thread)
		n = w->n + 1;
	if (p->fn == p_heap) {
		void *j = malloc(16 * (size_t)(1 + w->runs++ % 3));

		w->heap = calloc(1, sizeof(*w->heap));
		free(w->junk);
		w->junk = j;
		dmo_mutex_init(s, &w->heap->m, "heap");
	}
	if (p->fn == p_uaf) {
		w->p = dmo_alloc(s, sizeof(int), "block");
		*w->p = 41;
	}
	spawn_join(s, w, n, p->fn);
}

static void finish(struct dmo_sync *s, void *arg, bool complete)
{
	struct w *w = arg;
	uint64_t h = 1469598103934665603ull;
	int vals[] = { w->heap ? w->heap->x : w->x, w->y, w->a, w->b, w->r[0], w->r[1], w->r[2],
		       w->r[3], complete };

	(void)s;
	w->finishes++;
	if (!complete)
		w->incomplete++;
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		h = (h ^ (uint32_t)vals[i]) * 1099511628211ull;
	for (int i = 0; i < w->nstates; i++)
		if (w->states[i] == h)
			return;
	if (w->nstates < MAXSTATES)
		w->states[w->nstates++] = h;
}

static void on_viol(void *arg, const struct dmo_violation *v)
{
	struct w *w = arg;

	w->kinds |= 1u << v->kind;
}

static void reset(void *arg)
{
	struct w *w = arg;

	free(w->heap);
	w->heap = NULL;
}

static const struct dmo_program program = {
	.run = run,
	.finish = finish,
	.reset = reset,
};

static int explore(struct w *w, int which, int n, enum dmo_explore_mode mode,
		   struct dmo_explore_result *r)
{
	struct dmo_explore_opts o = { .mode = mode };

	memset(w, 0, sizeof(*w));
	memset(r, 0, sizeof(*r));
	w->which = which;
	w->n = n;
	r->on_violation = on_viol;
	r->arg = w;
	return dmo_explore(&program, w, &o, r);
}

static bool same_states(const struct w *a, const struct w *b)
{
	if (a->nstates != b->nstates)
		return false;
	for (int i = 0; i < a->nstates; i++) {
		int j;

		for (j = 0; j < b->nstates; j++)
			if (a->states[i] == b->states[j])
				break;
		if (j == b->nstates)
			return false;
	}
	return true;
}

static void count(int which, int n, uint64_t want)
{
	static struct w w;
	struct dmo_explore_result r;
	int ret = explore(&w, which, n, DMO_EXPLORE_DPOR, &r);

	is_int(ret, 0, "%s(%d): explored", progs[which].name, n);
	is_int(r.executions, want, "%s(%d): %llu executions",
	       progs[which].name, n, (unsigned long long)want);
	is_int(r.blocked, 0, "%s(%d): none sleep-set blocked",
	       progs[which].name, n);
	ok(r.complete, "%s(%d): complete", progs[which].name, n);
}

static void differential(int which, int n)
{
	static struct w d, v;
	struct dmo_explore_result rd, rn;
	const char *name = progs[which].name;

	is_int(explore(&d, which, n, DMO_EXPLORE_DPOR, &rd), 0, "%s: dpor",
	       name);
	is_int(explore(&v, which, n, DMO_EXPLORE_NAIVE, &rn), 0, "%s: naive",
	       name);
	ok(rn.complete && rd.complete, "%s: both complete", name);
	ok(rd.executions <= rn.executions,
	   "%s: dpor %llu executions, naive %llu", name,
	   (unsigned long long)rd.executions,
	   (unsigned long long)rn.executions);
	is_int(d.nstates, v.nstates, "%s: as many final states", name);
	ok(same_states(&d, &v), "%s: the same final states", name);
	free(d.junk);
	free(v.junk);
	is_int(d.kinds, v.kinds, "%s: the same kinds of violation", name);
	is_int(rd.blocked, 0, "%s: dpor never blocked", name);
}

static void nothing(struct dmo_sync *s, void *arg)
{
	(void)s;
	(void)arg;
}

/* Breaks the rules: leaves a thread unjoined, or starts too many. */
static void rude(struct dmo_sync *s, void *arg)
{
	struct w *w = arg;
	struct dmo_thread *t;
	int n = w->n ? 40 : 1;

	for (int i = 0; i < n; i++)
		if (dmo_thread_create(s, &t, "T", nothing, NULL) == 0 && w->n)
			dmo_thread_join(s, t);
}

static void rules(void)
{
	static struct w w;
	struct dmo_program p = { .run = rude };
	struct dmo_explore_result r = { 0 };

	memset(&w, 0, sizeof(w));
	is_int(dmo_explore(&p, &w, NULL, &r), -EINVAL, "unjoined thread");
	w.n = 1;
	is_int(dmo_explore(&p, &w, NULL, &r), -EINVAL, "too many threads");
}

static void limits(void)
{
	static struct w w;
	struct dmo_explore_result r = { 0 };
	struct dmo_explore_opts o = { .max_executions = 10 };
	struct dmo_explore_opts first = { .first = true };
	struct dmo_explore_opts rnd = { .mode = DMO_EXPLORE_RANDOM,
					.seed = 42, .iterations = 50 };
	struct dmo_explore_opts tl = { .time_limit = 1e-9 };
	int states1;

	memset(&w, 0, sizeof(w));
	w.which = 1;
	w.n = 5;
	is_int(dmo_explore(&program, &w, &o, &r), 0, "max_executions: ok");
	is_int(r.executions, 10, "max_executions stops at 10");
	ok(!r.complete, "max_executions: not complete");

	memset(&w, 0, sizeof(w));
	w.which = 1;
	w.n = 10;
	is_int(dmo_explore(&program, &w, &tl, &r), 0, "time_limit: ok");
	ok(!r.complete && r.executions < 3328,
	   "time_limit stops early (%llu executions)",
	   (unsigned long long)r.executions);

	memset(&w, 0, sizeof(w));
	w.which = 7;
	r.on_violation = on_viol;
	r.arg = &w;
	is_int(dmo_explore(&program, &w, &first, &r), 0, "first: ok");
	is_int(r.violations, 1, "first: one violation");
	ok(!r.complete, "first: not complete");
	is_int(w.kinds, 1u << DMO_VIOL_BUG, "first: the bug");

	memset(&w, 0, sizeof(w));
	w.which = 6;
	r.on_violation = NULL;
	is_int(dmo_explore(&program, &w, &rnd, &r), 0, "random: ok");
	is_int(r.executions, 50, "random: 50 iterations");
	ok(!r.complete, "random: never complete");
	states1 = w.nstates;
	{
		static struct w all;
		struct dmo_explore_result ra;

		explore(&all, 6, 0, DMO_EXPLORE_DPOR, &ra);
		ok(states1 >= 2 && states1 <= all.nstates,
		   "random: %d of the %d final states", states1,
		   all.nstates);
	}
	memset(&w, 0, sizeof(w));
	w.which = 6;
	is_int(dmo_explore(&program, &w, &rnd, &r), 0, "random again");
	is_int(w.nstates, states1, "random: same seed, same states");

	is_int(dmo_explore(NULL, &w, NULL, &r), -EINVAL, "no program");
}

int main(void)
{
	count(0, 3, 8);		/* readers(3) */
	count(0, 5, 32);	/* readers(5) */
	count(1, 5, 64);	/* lastzero(5) */
	count(1, 6, 144);	/* lastzero(6) = 9 * 2^4 */
	count(2, 4, 24);	/* ainc(4) */
	count(3, 12, 8);	/* indexer(12) */
	count(4, 16, 8);	/* filesystem(16) */
	count(5, 0, 6);		/* locks: 2 orders x 3 reader places */
	count(9, 0, 3);		/* abba: two orders and the deadlock */

	for (int i = 5; i < (int)(sizeof(progs) / sizeof(progs[0])); i++)
		differential(i, 0);
	differential(1, 2);
	differential(2, 3);
	limits();
	rules();
	return done_testing();
}
