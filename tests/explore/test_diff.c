// SPDX-License-Identifier: MIT
/*
 * The differential tester: seeded random programs against the seam, each
 * explored by optimal DPOR and by the naive enumeration of every
 * interleaving, which must agree on everything that some schedule shows.
 *
 * A program is two or three threads of a few instructions over three
 * shared words, a block of two more that a thread may free, two mutexes,
 * two ghost counters and up to two between-steps invariants: plain and
 * marked loads and stores, fetch_add, cmpxchg, choices, BUG_ON on a value
 * read or chosen, a free, a ghost update, and a jump on a value, so that
 * what a thread does next depends on what it saw.  Each invariant forbids
 * one combination of values of one or two watched words.
 *
 * For each program both searches must report the same set of final
 * states, the same violations (kind and message: BUGs, uses after free,
 * data races, deadlocks, broken invariants; a lock-order inversion by its
 * kind, since which of its two orders is named depends on the order of
 * exploration), and DPOR must run exactly one execution per Mazurkiewicz
 * trace and none blocked: the traces are counted from the naive search's
 * executions, each reduced to a canonical form (the lexicographically
 * least interleaving of its dependence order), and DPOR's executions must
 * be those traces, each once.  The parallel search (two workers) must
 * find the same final states and violations, none blocked, and run
 * every one of those traces and no other, its executions less its
 * redundant= ones being exactly the traces (redundant= is checked
 * against the traces seen again).
 *
 *   test_diff.t                 the programs `make check` runs
 *   test_diff.t N SEED          N programs from SEED, a progress line
 *                               every 10000, the seeds of any mismatch
 *   test_diff.t -p SEED         one program, printed, and both results
 *
 * DMAOWN_DIFF_WORKERS=W sets the parallel search's workers (0: none, at
 * most 3; 2 unless set).
 *
 * On a mismatch the program is shrunk (threads, instructions and
 * invariants dropped while the mismatch remains) and printed.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "explore/explore.h"
#include "sync/sync.h"
#include "tap.h"

#define MAXT 3		/* worker threads */
#define MAXI 6		/* instructions per thread */
#define NVAR 3		/* shared words x0..x2 */
#define NBLK 2		/* words of the block, b0..b1 */
#define NLOC (NVAR + NBLK)
#define NGHOST 2	/* ghost counters g0..g1 */
#define NLOCK 2
#define NINV 2
#define NREG 2
#define MAXW 3		/* workers of the parallel search */

enum iop {
	I_LOAD,		/* r = var (marked or plain) */
	I_STORE,	/* var = a, or r + a when b */
	I_ADD,		/* r = fetch_add(var, a) */
	I_CAS,		/* r = cmpxchg(var, a -> b) */
	I_LOCK,		/* lock m[var] */
	I_UNLOCK,	/* unlock m[var] */
	I_CHOOSE,	/* r = choose(a) */
	I_BUG,		/* BUG_ON(r == a) */
	I_FREE,		/* free the block */
	I_GHOST,	/* g[var] += a: local code, seen with the next step */
	I_SKIP,		/* if (r == a) skip b instructions */
	I_NR,
};

struct ins {
	uint8_t op, var, reg, marked;
	int8_t a, b;
};

/* An invariant: never loc[0] == val[0] (and loc[1] == val[1]). */
struct inv {
	int nloc;
	uint8_t loc[2];		/* 0..NVAR-1: x, NVAR..: g */
	int8_t val[2];
};

struct prog {
	int nt;
	int ni[MAXT];
	struct ins code[MAXT][MAXI];
	int ninv;
	struct inv inv[NINV];
};

/* A set of 64-bit hashes. */
struct hset {
	uint64_t *v;
	size_t cap, nr;
};

static void hset_clear(struct hset *h)
{
	if (h->v)
		memset(h->v, 0, h->cap * sizeof(*h->v));
	h->nr = 0;
}

/* Adds @k (never 0); true when it was new. */
static bool hset_add(struct hset *h, uint64_t k)
{
	size_t i;

	k |= 1;
	if ((h->nr + 1) * 2 > h->cap) {
		struct hset n = { .cap = h->cap ? 2 * h->cap : 256 };

		n.v = calloc(n.cap, sizeof(*n.v));
		if (!n.v)
			abort();
		for (i = 0; i < h->cap; i++)
			if (h->v[i])
				hset_add(&n, h->v[i]);
		free(h->v);
		*h = n;
	}
	for (i = k & (h->cap - 1); h->v[i]; i = (i + 1) & (h->cap - 1))
		if (h->v[i] == k)
			return false;
	h->v[i] = k;
	h->nr++;
	return true;
}

static bool hset_has(const struct hset *h, uint64_t k)
{
	k |= 1;
	if (!h->cap)
		return false;
	for (size_t i = k & (h->cap - 1); h->v[i]; i = (i + 1) & (h->cap - 1))
		if (h->v[i] == k)
			return true;
	return false;
}

static bool hset_same(const struct hset *a, const struct hset *b)
{
	if (a->nr != b->nr)
		return false;
	for (size_t i = 0; i < a->cap; i++)
		if (a->v[i] && !hset_has(b, a->v[i]))
			return false;
	return true;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h * 0xbf58476d1ce4e5b9ull;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

/* What one search found. */
struct outcome {
	struct hset states;	/* final states of complete executions */
	struct hset viols;	/* "kind\tmessage" */
	struct hset traces;	/* canonical forms of maximal executions */
	unsigned kinds;
	char msg[16][160];	/* the first violations, to show */
	int nmsg;
	uint64_t executions, blocked, redundant;
	bool complete;
	bool redundant_ok;	/* parallel: redundant= is what on_exec saw */
	int ret;
};

/* The program's world: one per search, reset by run(). */
struct world {
	const struct prog *p;
	struct outcome *out;
	int x[NVAR];
	int g[NGHOST];
	int *blk;
	struct dmo_mutex m[NLOCK];
	struct dmo_thread *t[MAXT];
	int idx[MAXT];
	/* Written only by thread T (registers): read after the joins. */
	int reg[MAXT][NREG];
	bool freed[MAXT];
};

static const char *const loc_name[NLOC] = { "x0", "x1", "x2", "b0", "b1" };
static const char *const thr_name[MAXT] = { "T0", "T1", "T2" };
static const char *const lock_name[NLOCK] = { "m0", "m1" };
static const char *const bug_msg[MAXT][MAXI] = {
	{ "bug T0.0", "bug T0.1", "bug T0.2", "bug T0.3", "bug T0.4",
	  "bug T0.5" },
	{ "bug T1.0", "bug T1.1", "bug T1.2", "bug T1.3", "bug T1.4",
	  "bug T1.5" },
	{ "bug T2.0", "bug T2.1", "bug T2.2", "bug T2.3", "bug T2.4",
	  "bug T2.5" },
};
static const char *const inv_msg[NINV] = { "inv 0", "inv 1" };

static struct world *outer(void *idx)
{
	int *p = idx;

	return (struct world *)((char *)(p - *p) - offsetof(struct world, idx));
}

static int *loc(struct world *w, int var)
{
	return var < NVAR ? &w->x[var] : &w->blk[var - NVAR];
}

static void body(struct dmo_sync *s, void *arg)
{
	struct world *w = outer(arg);
	int t = *(int *)arg;
	const struct ins *code = w->p->code[t];
	const char *fn = thr_name[t];
	int *r = w->reg[t];

	for (int pc = 0; pc < w->p->ni[t]; pc++) {
		const struct ins *in = &code[pc];
		int *v = in->op < I_LOCK ? loc(w, in->var) : NULL;
		enum dmo_access acc = in->marked ? DMO_ACC_MARKED :
						   DMO_ACC_PLAIN;
		uint64_t e;

		switch (in->op) {
		case I_LOAD:
			r[in->reg] = (int)(uint32_t)s->ops->load(
				s, v, sizeof(*v), acc, loc_name[in->var], fn);
			break;
		case I_STORE:
			s->ops->store(s, v, sizeof(*v),
				      (uint32_t)(in->b ? r[in->reg] + in->a :
							 in->a),
				      acc, loc_name[in->var], fn);
			break;
		case I_ADD:
			r[in->reg] = (int)(uint32_t)s->ops->fetch_add(
				s, v, sizeof(*v), (uint32_t)in->a,
				loc_name[in->var], fn);
			break;
		case I_CAS:
			e = (uint32_t)in->a;
			r[in->reg] = s->ops->cmpxchg(s, v, sizeof(*v), &e,
						     (uint32_t)in->b,
						     loc_name[in->var], fn);
			break;
		case I_LOCK:
			s->ops->mutex_lock(s, &w->m[in->var], fn);
			break;
		case I_UNLOCK:
			s->ops->mutex_unlock(s, &w->m[in->var], fn);
			break;
		case I_CHOOSE:
			r[in->reg] = s->ops->choose(s, in->a, "c", fn);
			break;
		case I_BUG:
			if (r[in->reg] == in->a)
				s->ops->report(s, DMO_VIOL_BUG, fn,
					       bug_msg[t][pc]);
			break;
		case I_FREE:
			s->ops->free(s, w->blk, fn);
			w->freed[t] = true;
			break;
		case I_GHOST:
			dmo_ghost_add(s, &w->g[in->var], in->a);
			break;
		case I_SKIP:
			if (r[in->reg] == in->a)
				pc += in->b;
			break;
		}
	}
}

static int inv_value(const struct world *w, int l)
{
	return l < NVAR ? w->x[l] : w->g[l - NVAR];
}

static void run(struct dmo_sync *s, void *arg)
{
	struct world *w = arg;
	const struct prog *p = w->p;

	memset(w->x, 0, sizeof(w->x));
	memset(w->g, 0, sizeof(w->g));
	memset(w->reg, 0, sizeof(w->reg));
	memset(w->freed, 0, sizeof(w->freed));
	w->blk = dmo_alloc(s, NBLK * sizeof(int), "blk");
	for (int i = 0; i < NLOCK; i++)
		dmo_mutex_init(s, &w->m[i], lock_name[i]);
	for (int k = 0; k < p->ninv; k++)
		for (int j = 0; j < p->inv[k].nloc; j++) {
			int l = p->inv[k].loc[j];

			if (l < NVAR)
				dmo_watch(s, &w->x[l], &p->inv[k]);
			else
				dmo_watch(s, &w->g[l - NVAR], &p->inv[k]);
		}
	for (int i = 0; i < p->nt; i++) {
		w->idx[i] = i;
		dmo_thread_create(s, &w->t[i], thr_name[i], body, &w->idx[i]);
	}
	for (int i = 0; i < p->nt; i++)
		dmo_thread_join(s, w->t[i]);
}

static void step_check(struct dmo_sync *s, void *arg)
{
	struct world *w = arg;

	for (int k = 0; k < w->p->ninv; k++) {
		const struct inv *in = &w->p->inv[k];
		bool bad = true;

		for (int j = 0; j < in->nloc; j++)
			bad = bad && inv_value(w, in->loc[j]) == in->val[j];
		if (bad)
			dmo_explore_flag(s, DMO_VIOL_ACCOUNTING, inv_msg[k]);
	}
}

static void finish(struct dmo_sync *s, void *arg, bool complete)
{
	struct world *w = arg;
	uint64_t h = 1;
	bool freed = false;

	(void)s;
	if (!complete)
		return;
	for (int i = 0; i < NVAR; i++)
		h = mix(h, (uint32_t)w->x[i]);
	for (int i = 0; i < NGHOST; i++)
		h = mix(h, (uint32_t)w->g[i]);
	for (int t = 0; t < w->p->nt; t++) {
		for (int i = 0; i < NREG; i++)
			h = mix(h, (uint32_t)w->reg[t][i]);
		freed = freed || w->freed[t];
	}
	/* A freed block stays poisoned until the execution ends. */
	for (int i = 0; i < NBLK && !freed; i++)
		h = mix(h, (uint32_t)w->blk[i]);
	hset_add(&w->out->states, mix(h, freed));
}

static const struct dmo_program program = {
	.run = run,
	.step_check = step_check,
	.finish = finish,
};

static void on_violation(void *arg, const struct dmo_violation *v)
{
	struct world *w = arg;
	const char *m = v->message;
	char key[512];

	/* Which order of an inversion is named depends on the search. */
	if (strncmp(m, "lock order inversion", 20) == 0)
		m = "lock order inversion";
	snprintf(key, sizeof(key), "%d\t%s", (int)v->kind, m);
	if (hset_add(&w->out->viols, hash_str(key)) && w->out->nmsg < 16)
		snprintf(w->out->msg[w->out->nmsg++], sizeof(w->out->msg[0]),
			 "%s: %s [%s]", dmo_viol_kind_name(v->kind), m,
			 v->schedule);
	w->out->kinds |= 1u << v->kind;
}

/*
 * The canonical form of the trace of the execution that just ended: the
 * interleaving of its events that takes, at every point, the lowest
 * thread whose next event has every earlier event it depends on behind
 * it.  Two executions are one trace exactly when they agree on it.
 */
static void on_exec(void *cb, const struct dmo__explorer *x, bool complete)
{
	struct world *w = cb;
	static bool done[DMO_XMAX_EVENTS];
	int next[DMO_XMAX_THREADS];
	int n = x->nev, left = x->nev;
	uint64_t h = 7;

	(void)complete;
	if (x->blocked_exec)
		return;
	memset(done, 0, (size_t)n * sizeof(done[0]));
	for (int t = 0; t < DMO_XMAX_THREADS; t++)
		next[t] = -1;
	for (int k = n - 1; k >= 0; k--)
		next[x->evs[k].ev.tid] = k;
	while (left) {
		int pick = -1;

		for (int t = 0; t < x->nthreads && pick < 0; t++) {
			int k = next[t];

			if (k < 0)
				continue;
			for (int j = 0; j < k; j++)
				if (!done[j] &&
				    dmo__dep(&x->evs[j].ev, &x->evs[k].ev))
					goto blocked;
			pick = k;
blocked:;
		}
		if (pick < 0)
			abort();
		done[pick] = true;
		left--;
		h = mix(h, x->evs[pick].ev.tid);
		h = mix(h, x->evs[pick].ev.kind);
		h = mix(h, x->evs[pick].choice + 1u);
		h = mix(h, x->evs[pick].ev.cmask);
		next[x->evs[pick].ev.tid] = -1;
		for (int k = pick + 1; k < n; k++)
			if (x->evs[k].ev.tid == x->evs[pick].ev.tid) {
				next[x->evs[k].ev.tid] = k;
				break;
			}
	}
	if (!hset_add(&w->out->traces, h))
		w->out->redundant++;
}

/* @o as before any search. */
static void outcome_clear(struct outcome *o)
{
	hset_clear(&o->states);
	hset_clear(&o->viols);
	hset_clear(&o->traces);
	o->kinds = 0;
	o->nmsg = 0;
	o->redundant = 0;
}

static void explore(const struct prog *p, enum dmo_explore_mode mode,
		    uint64_t limit, struct outcome *o)
{
	static struct world w;
	struct dmo_explore_opts opts = { .mode = mode,
					 .max_executions = limit };
	struct dmo_explore_result r = { .on_violation = on_violation,
					.arg = &w };

	outcome_clear(o);
	memset(&w, 0, sizeof(w));
	w.p = p;
	w.out = o;
	o->ret = dmo__explore_hooked(&program, &w, &opts, &r, on_exec, &w);
	o->executions = r.executions;
	o->blocked = r.blocked;
	o->complete = r.complete;
}

/* Adds every member of @b to @a. */
static void hset_union(struct hset *a, const struct hset *b)
{
	for (size_t i = 0; i < b->cap; i++)
		if (b->v[i])
			hset_add(a, b->v[i]);
}

/*
 * The parallel search on @nw workers, each with a world and an outcome of
 * its own, joined into @o; the traces are counted one execution at a
 * time (the hook is called so), into @o directly.
 */
static void explore_par(const struct prog *p, int nw, struct outcome *o)
{
	static struct world w[MAXW], wt;
	static struct outcome part[MAXW];
	struct dmo_explore_opts opts = { .mode = DMO_EXPLORE_DPOR };
	struct dmo_explore_result r = { .on_violation = on_violation };
	void *args[MAXW];

	outcome_clear(o);
	memset(&wt, 0, sizeof(wt));
	wt.out = o;
	for (int k = 0; k < nw; k++) {
		outcome_clear(&part[k]);
		memset(&w[k], 0, sizeof(w[k]));
		w[k].p = p;
		w[k].out = &part[k];
		args[k] = &w[k];
	}
	o->ret = dmo__explore_parallel_hooked(&program, args, sizeof(w[0]),
					      nw, &opts, &r, on_exec, &wt);
	o->executions = r.executions;
	o->blocked = r.blocked;
	o->complete = r.complete;
	for (int k = 0; k < nw; k++) {
		hset_union(&o->states, &part[k].states);
		hset_union(&o->viols, &part[k].viols);
		o->kinds |= part[k].kinds;
		for (int i = 0; i < part[k].nmsg && o->nmsg < 16; i++)
			memcpy(o->msg[o->nmsg++], part[k].msg[i],
			       sizeof(o->msg[0]));
	}
	if (r.redundant != o->redundant)
		snprintf(o->msg[0], sizeof(o->msg[0]),
			 "redundant=%llu, but %llu executions repeat a trace",
			 (unsigned long long)r.redundant,
			 (unsigned long long)o->redundant);
	o->redundant_ok = r.redundant == o->redundant;
}

/* Seeded, and the same sequence on every machine. */
static uint64_t rnd(uint64_t *st)
{
	uint64_t z = (*st += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static int pick(uint64_t *st, int n)
{
	return (int)(rnd(st) % (uint64_t)n);
}

static void gen_thread(uint64_t *st, struct prog *p, int t, int len)
{
	struct ins *c = p->code[t];
	int n = 0, held = -1;

	while (n < len) {
		struct ins in = { .reg = (uint8_t)pick(st, NREG),
				  .marked = (uint8_t)pick(st, 2) };
		int k = pick(st, 100);

		if (held >= 0 && (k < 25 || n == len - 1)) {
			in.op = I_UNLOCK;
			in.var = (uint8_t)held;
			held = -1;
		} else if (k < 20) {
			in.op = I_LOAD;
			in.var = (uint8_t)pick(st, NLOC);
		} else if (k < 38) {
			in.op = I_STORE;
			in.var = (uint8_t)pick(st, NLOC);
			in.a = (int8_t)pick(st, 3);
			in.b = (int8_t)(pick(st, 3) == 0);
		} else if (k < 45) {
			in.op = I_ADD;
			in.var = (uint8_t)pick(st, NLOC);
			in.a = (int8_t)(1 + pick(st, 2));
		} else if (k < 52) {
			in.op = I_CAS;
			in.var = (uint8_t)pick(st, NLOC);
			in.a = (int8_t)pick(st, 2);
			in.b = (int8_t)(1 + pick(st, 2));
		} else if (k < 62 && held < 0 && n < len - 1) {
			in.op = I_LOCK;
			in.var = (uint8_t)pick(st, NLOCK);
			held = in.var;
		} else if (k < 69) {
			in.op = I_CHOOSE;
			in.a = (int8_t)(2 + pick(st, 2));
		} else if (k < 76) {
			in.op = I_BUG;
			in.a = (int8_t)pick(st, 2);
		} else if (k < 79) {
			in.op = I_FREE;
		} else if (k < 91) {
			in.op = I_GHOST;
			in.var = (uint8_t)pick(st, NGHOST);
			in.a = (int8_t)(pick(st, 2) ? 1 : -1);
		} else if (k < 96) {
			in.op = I_SKIP;
			in.a = (int8_t)pick(st, 2);
			in.b = (int8_t)(1 + pick(st, 2));
		} else {
			/* Most often an unlock of a mutex not held: a BUG. */
			in.op = I_UNLOCK;
			in.var = (uint8_t)pick(st, NLOCK);
			if (held == in.var)
				held = -1;
		}
		c[n++] = in;
	}
	p->ni[t] = n;
}

/*
 * Interleavings of the workers' events (one per instruction that is a
 * step, and the end), times the values of their choices: what the naive
 * search pays, within the small factor of where the spawns fall.
 */
static double interleavings(const struct prog *p)
{
	double r = 1;
	int total = 0;

	for (int t = 0; t < p->nt; t++) {
		int n = 1;

		for (int i = 0; i < p->ni[t]; i++) {
			int op = p->code[t][i].op;

			if (op == I_CHOOSE)
				r *= p->code[t][i].a;
			n += op != I_BUG && op != I_GHOST && op != I_SKIP;
		}
		for (int k = 1; k <= n; k++)
			r = r * (total + k) / k;
		total += n;
	}
	return r;
}

/*
 * The naive search's budget: programs above it are drawn again.  `make
 * check` runs smaller programs than `make difftest`, to stay quick.
 */
static double max_interleavings = 100;

static void gen(uint64_t seed, struct prog *p)
{
	uint64_t st = seed;

again:
	memset(p, 0, sizeof(*p));
	p->nt = pick(&st, 10) < 6 ? 2 : 3;
	for (int t = 0; t < p->nt; t++)
		gen_thread(&st, p, t,
			   1 + pick(&st, p->nt == 2 ? 5 : 3));
	if (interleavings(p) > max_interleavings)
		goto again;
	p->ninv = pick(&st, 10) < 4 ? 0 : 1 + pick(&st, NINV);
	for (int k = 0; k < p->ninv; k++) {
		struct inv *in = &p->inv[k];

		in->nloc = 1 + pick(&st, 2);
		for (int j = 0; j < in->nloc; j++) {
			in->loc[j] = (uint8_t)pick(&st, NVAR + NGHOST);
			in->val[j] = (int8_t)(in->loc[j] < NVAR ?
						      1 + pick(&st, 2) :
						      pick(&st, 3) - 1);
		}
	}
}

static void print_prog(FILE *f, const struct prog *p)
{
	static const char *const ops[I_NR] = {
		"load", "store", "add", "cas", "lock", "unlock", "choose",
		"bug_on", "free", "ghost", "skip",
	};

	for (int t = 0; t < p->nt; t++) {
		fprintf(f, "#   %s:", thr_name[t]);
		for (int i = 0; i < p->ni[t]; i++) {
			const struct ins *in = &p->code[t][i];

			fprintf(f, "%s %s", i ? ";" : "", ops[in->op]);
			switch (in->op) {
			case I_LOAD:
				fprintf(f, "%s r%d = %s",
					in->marked ? "_once" : "", in->reg,
					loc_name[in->var]);
				break;
			case I_STORE:
				if (in->b)
					fprintf(f, "%s %s = r%d + %d",
						in->marked ? "_once" : "",
						loc_name[in->var], in->reg,
						in->a);
				else
					fprintf(f, "%s %s = %d",
						in->marked ? "_once" : "",
						loc_name[in->var], in->a);
				break;
			case I_ADD:
				fprintf(f, " r%d = %s += %d", in->reg,
					loc_name[in->var], in->a);
				break;
			case I_CAS:
				fprintf(f, " r%d = %s %d -> %d", in->reg,
					loc_name[in->var], in->a, in->b);
				break;
			case I_LOCK:
			case I_UNLOCK:
				fprintf(f, " %s", lock_name[in->var]);
				break;
			case I_CHOOSE:
				fprintf(f, " r%d of %d", in->reg, in->a);
				break;
			case I_BUG:
				fprintf(f, " r%d == %d", in->reg, in->a);
				break;
			case I_GHOST:
				fprintf(f, " g%d += %d", in->var, in->a);
				break;
			case I_SKIP:
				fprintf(f, " %d if r%d == %d", in->b, in->reg,
					in->a);
				break;
			default:
				break;
			}
		}
		fprintf(f, "\n");
	}
	for (int k = 0; k < p->ninv; k++) {
		const struct inv *in = &p->inv[k];

		fprintf(f, "#   inv %d: never", k);
		for (int j = 0; j < in->nloc; j++) {
			int l = in->loc[j];

			if (l < NVAR)
				fprintf(f, "%s %s == %d", j ? " &&" : "",
					loc_name[l], in->val[j]);
			else
				fprintf(f, "%s g%d == %d", j ? " &&" : "",
					l - NVAR, in->val[j]);
		}
		fprintf(f, "\n");
	}
}

/* The naive search gives up on a program larger than this. */
#define NAIVE_LIMIT 1000000

static struct outcome od, on, op;
/* Workers of the parallel search compare() runs too; 0: none. */
static int par_workers = 2;

enum verdict { V_SAME, V_SKIP, V_DIFF };

/* Compares both searches on @p; @why says how they differ. */
static enum verdict compare(const struct prog *p, char *why, size_t len)
{
	explore(p, DMO_EXPLORE_NAIVE, NAIVE_LIMIT, &on);
	if (on.ret || !on.complete)
		return V_SKIP;
	explore(p, DMO_EXPLORE_DPOR, 0, &od);
	if (od.ret || !od.complete)
		snprintf(why, len, "dpor returned %d, complete %d", od.ret,
			 od.complete);
	else if (!hset_same(&od.states, &on.states))
		snprintf(why, len, "final states: dpor %zu, naive %zu",
			 od.states.nr, on.states.nr);
	else if (!hset_same(&od.viols, &on.viols))
		snprintf(why, len,
			 "violations: dpor %zu (kinds %#x), naive %zu (kinds %#x)",
			 od.viols.nr, od.kinds, on.viols.nr, on.kinds);
	else if (od.blocked)
		snprintf(why, len, "dpor: %llu executions blocked",
			 (unsigned long long)od.blocked);
	else if (od.executions != on.traces.nr || od.redundant ||
		 !hset_same(&od.traces, &on.traces))
		snprintf(why, len,
			 "traces: dpor %llu executions (%zu distinct), naive %zu traces in %llu executions",
			 (unsigned long long)od.executions, od.traces.nr,
			 on.traces.nr, (unsigned long long)on.executions);
	else if (par_workers < 2)
		return V_SAME;
	else if (explore_par(p, par_workers, &op), op.ret || !op.complete)
		snprintf(why, len, "parallel: returned %d, complete %d",
			 op.ret, op.complete);
	else if (!hset_same(&op.states, &on.states))
		snprintf(why, len, "parallel: final states: %zu, naive %zu",
			 op.states.nr, on.states.nr);
	else if (!hset_same(&op.viols, &on.viols))
		snprintf(why, len,
			 "parallel: violations: %zu (kinds %#x), naive %zu (kinds %#x)",
			 op.viols.nr, op.kinds, on.viols.nr, on.kinds);
	else if (op.blocked)
		snprintf(why, len, "parallel: %llu executions blocked",
			 (unsigned long long)op.blocked);
	else if (!hset_same(&op.traces, &on.traces) ||
		 op.executions - op.redundant != on.traces.nr ||
		 !op.redundant_ok)
		snprintf(why, len,
			 "parallel: %llu executions (%zu distinct, redundant=%llu%s), naive %zu traces",
			 (unsigned long long)op.executions, op.traces.nr,
			 (unsigned long long)op.redundant,
			 op.redundant_ok ? "" : " miscounted", on.traces.nr);
	else
		return V_SAME;
	return V_DIFF;
}

/* Drops what the mismatch does not need, one piece at a time. */
static void shrink(struct prog *p)
{
	char why[256];
	bool progress = true;

	while (progress) {
		progress = false;
		for (int t = 0; t < p->nt && p->nt > 1; t++) {
			struct prog q = *p;

			for (int u = t; u + 1 < q.nt; u++) {
				q.ni[u] = q.ni[u + 1];
				memcpy(q.code[u], q.code[u + 1],
				       sizeof(q.code[u]));
			}
			q.nt--;
			if (compare(&q, why, sizeof(why)) == V_DIFF) {
				*p = q;
				progress = true;
			}
		}
		for (int t = 0; t < p->nt; t++)
			for (int i = 0; i < p->ni[t]; i++) {
				struct prog q = *p;

				memmove(&q.code[t][i], &q.code[t][i + 1],
					(size_t)(q.ni[t] - i - 1) *
						sizeof(q.code[t][i]));
				q.ni[t]--;
				if (compare(&q, why, sizeof(why)) == V_DIFF) {
					*p = q;
					progress = true;
				}
			}
		for (int k = 0; k < p->ninv; k++) {
			struct prog q = *p;

			memmove(&q.inv[k], &q.inv[k + 1],
				(size_t)(q.ninv - k - 1) * sizeof(q.inv[k]));
			q.ninv--;
			if (compare(&q, why, sizeof(why)) == V_DIFF) {
				*p = q;
				progress = true;
			}
		}
	}
}

static void print_outcomes(void)
{
	printf("# naive: %llu executions, %zu traces, %zu states, %zu violations (kinds %#x)\n",
	       (unsigned long long)on.executions, on.traces.nr,
	       on.states.nr, on.viols.nr, on.kinds);
	for (int i = 0; i < on.nmsg; i++)
		printf("#     %s\n", on.msg[i]);
	printf("# dpor: %llu executions, %llu blocked, %zu states, %zu violations (kinds %#x)\n",
	       (unsigned long long)od.executions,
	       (unsigned long long)od.blocked, od.states.nr, od.viols.nr,
	       od.kinds);
	for (int i = 0; i < od.nmsg; i++)
		printf("#     %s\n", od.msg[i]);
	printf("# parallel: %llu executions, %llu redundant, %llu blocked, %zu states, %zu violations (kinds %#x)\n",
	       (unsigned long long)op.executions,
	       (unsigned long long)op.redundant,
	       (unsigned long long)op.blocked, op.states.nr, op.viols.nr,
	       op.kinds);
	for (int i = 0; i < op.nmsg; i++)
		printf("#     %s\n", op.msg[i]);
}

static void report_diff(uint64_t seed, const struct prog *p0)
{
	struct prog p = *p0;
	char why[256];

	compare(&p, why, sizeof(why));
	printf("# seed %llu: %s\n", (unsigned long long)seed, why);
	shrink(&p);
	compare(&p, why, sizeof(why));
	printf("# shrunk: %s\n", why);
	print_prog(stdout, &p);
	print_outcomes();
	fflush(stdout);
}

struct tally {
	uint64_t programs, same, skipped, diff, dpor_exec, naive_exec;
	uint64_t par_exec, par_redundant;
};

static void run_range(uint64_t seed, uint64_t n, bool progress,
		      struct tally *ty)
{
	time_t t0 = time(NULL);

	for (uint64_t i = 0; i < n; i++) {
		struct prog p;
		char why[256];
		enum verdict v;

		gen(seed + i, &p);
		v = compare(&p, why, sizeof(why));
		ty->programs++;
		if (v == V_SKIP) {
			ty->skipped++;
			continue;
		}
		ty->naive_exec += on.executions;
		ty->dpor_exec += od.executions;
		ty->par_exec += op.executions;
		ty->par_redundant += op.redundant;
		if (v == V_SAME) {
			ty->same++;
		} else {
			ty->diff++;
			report_diff(seed + i, &p);
		}
		if (progress && (i + 1) % 10000 == 0)
			printf("# %llu programs, seeds %llu..%llu, %llu mismatches, %lds\n",
			       (unsigned long long)(i + 1),
			       (unsigned long long)seed,
			       (unsigned long long)(seed + i),
			       (unsigned long long)ty->diff,
			       (long)(time(NULL) - t0));
		fflush(stdout);
	}
}

static void show(uint64_t seed)
{
	struct prog p;
	char why[256];
	enum verdict v;

	gen(seed, &p);
	print_prog(stdout, &p);
	v = compare(&p, why, sizeof(why));
	print_outcomes();
	printf("# %s\n", v == V_SAME ? "same" :
			  v == V_SKIP ? "skipped" : why);
}

int main(int argc, char **argv)
{
	struct tally ty = { 0 };
	uint64_t n = 3000, seed = 1;

	if (getenv("DMAOWN_DIFF_WORKERS")) {
		par_workers = atoi(getenv("DMAOWN_DIFF_WORKERS"));
		if (par_workers > MAXW || par_workers < 0) {
			fprintf(stderr, "DMAOWN_DIFF_WORKERS: 0 (none) to %d\n",
				MAXW);
			return 2;
		}
	}
	if (argc == 3 && strcmp(argv[1], "-p") == 0) {
		max_interleavings = 1500;
		show(strtoull(argv[2], NULL, 10));
		return 0;
	}
	if (argc == 3) {
		max_interleavings = 1500;
		n = strtoull(argv[1], NULL, 10);
		seed = strtoull(argv[2], NULL, 10);
	} else if (argc != 1) {
		fprintf(stderr, "usage: %s [N SEED | -p SEED]\n", argv[0]);
		return 2;
	}
	run_range(seed, n, argc == 3, &ty);
	is_int(ty.diff, 0,
	       "%llu programs from seed %llu: dpor and naive agree (%llu dpor, %llu naive executions)",
	       (unsigned long long)ty.programs, (unsigned long long)seed,
	       (unsigned long long)ty.dpor_exec,
	       (unsigned long long)ty.naive_exec);
	is_int(ty.skipped, 0, "no program too large for the naive search");
	printf("# parallel search on %d workers: %llu executions, %llu redundant\n",
	       par_workers, (unsigned long long)ty.par_exec,
	       (unsigned long long)ty.par_redundant);
	return done_testing();
}
