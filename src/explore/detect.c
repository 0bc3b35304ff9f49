// SPDX-License-Identifier: MIT
/*
 * The detectors: data races, lock-order inversions, deadlocks, and the
 * bookkeeping of violations (each distinct one reported once, with the
 * schedule of the execution that showed it).
 *
 * Two happens-before relations live side by side.  The search's relation
 * (one clock per event, in dmo__explorer.vc) orders every pair of
 * dependent events, marked accesses included, because it describes which
 * reorderings lead to a different trace.  The race detector's relation
 * (one clock per thread, dmo__xthread.sync) orders only what the kernel's
 * memory model would: program order, thread creation and join, and an
 * unlock followed by a lock of the same mutex.  Marked accesses do not
 * synchronise, so two of them can be unordered without being a race, but
 * a plain access unordered with any conflicting access is one.
 *
 * Both are fed from one table of locations per execution (keyed by start
 * address, so the model must access a field always with the same width,
 * which the typed seam macros guarantee).  For each location it keeps the
 * last write and the last read of each thread since: enough for the search
 * (an earlier read of the same thread is ordered before the later one) and
 * for the detector (FastTrack's observation that only those can race with
 * what comes next).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explore/explore.h"

static const uint32_t zero_clock[DMO_XMAX_THREADS];

static uint32_t *clock_of(struct dmo__explorer *x, int e)
{
	return x->vc + (size_t)e * DMO_XMAX_THREADS;
}

/* Does event @e happen before (or equal) the point described by @c? */
static bool before(struct dmo__explorer *x, int e, const uint32_t *c)
{
	return x->evs[e].tidx <= c[x->evs[e].ev.tid];
}

void dmo__viol(struct dmo__explorer *x, enum dmo_viol_kind kind,
	       const char *fn, const char *thread, const char *msg)
{
	struct dmo__pviol *pv;

	if (x->mode == DMO__X_REPLAY) {
		struct dmo_violation v = {
			.kind = kind, .message = msg, .fn = fn ? fn : "-",
			.thread = thread ? thread : "-",
			.schedule = x->sched_full,
		};

		dmo__trace_step(x, x->cur >= 0 ? x->cur : -1, "violation",
				v.fn, "%s: %s", dmo_viol_kind_name(kind), msg);
		if (x->on_viol)
			x->on_viol(x->cb, &v);
	} else {
		x->res->violations++;
	}
	if (x->npv == x->cap_pv) {
		int cap = x->cap_pv ? 2 * x->cap_pv : 8;
		void *n = realloc(x->pv, (size_t)cap * sizeof(*x->pv));

		if (!n)
			return;
		x->pv = n;
		x->cap_pv = cap;
	}
	pv = &x->pv[x->npv++];
	pv->kind = kind;
	pv->at = x->nev;
	snprintf(pv->msg, sizeof(pv->msg), "%s", msg);
	pv->fn = fn ? fn : "-";
	snprintf(pv->thread, sizeof(pv->thread), "%s", thread ? thread : "-");
	pv->lockpair = -1;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

/* Insert "kind\tmsg" into the seen set; false when it was there. */
static bool first_sighting(struct dmo__explorer *x, const char *key)
{
	uint64_t h;
	int i;

	if ((x->nseen + 1) * 2 > x->cap_seen) {
		int cap = x->cap_seen ? 2 * x->cap_seen : 64;
		char **n = calloc((size_t)cap, sizeof(*n));

		if (!n)
			return false;
		for (int j = 0; j < x->cap_seen; j++) {
			char *k = x->seen[j];

			if (!k)
				continue;
			i = (int)(hash_str(k) & (uint64_t)(cap - 1));
			while (n[i])
				i = (i + 1) & (cap - 1);
			n[i] = k;
		}
		free(x->seen);
		x->seen = n;
		x->cap_seen = cap;
	}
	h = hash_str(key);
	i = (int)(h & (uint64_t)(x->cap_seen - 1));
	while (x->seen[i]) {
		if (strcmp(x->seen[i], key) == 0)
			return false;
		i = (i + 1) & (x->cap_seen - 1);
	}
	x->seen[i] = strdup(key);
	if (!x->seen[i])
		return false;
	x->nseen++;
	return true;
}

/*
 * How many steps of this execution the schedule of something seen after
 * @at steps names.  An execution in which a thread stopped at a BUG goes
 * on with the others, but what was seen up to that point is named by the
 * schedule up to it, as if the execution had ended there: a replay stops
 * where the schedule does once a thread has stopped.  What was seen later
 * is named up to the step that showed it.
 */
static int sched_len(const struct dmo__explorer *x, int at)
{
	if (x->first_cut < 0)
		return x->nev;
	return at > x->first_cut ? at : x->first_cut;
}

bool dmo__viol_seen(const struct dmo__explorer *x, enum dmo_viol_kind kind,
		    const char *msg)
{
	for (int i = 0; i < x->npv; i++)
		if (x->pv[i].kind == kind &&
		    strncmp(x->pv[i].msg, msg, sizeof(x->pv[i].msg) - 1) == 0)
			return true;
	return false;
}

void dmo__viol_flush(struct dmo__explorer *x)
{
	const char *cur = NULL;
	int cur_len = -1;

	if (x->mode == DMO__X_REPLAY) {
		x->npv = 0;
		return;
	}
	for (int i = 0; i < x->npv; i++) {
		struct dmo__pviol *pv = &x->pv[i];
		char key[DMO_XMSG + 16];
		struct dmo_violation v;
		char *joined = NULL;

		snprintf(key, sizeof(key), "%d\t%s", (int)pv->kind, pv->msg);
		if (!first_sighting(x, key))
			continue;
		if (!x->res->on_violation)
			continue;
		if (cur_len != sched_len(x, pv->at)) {
			cur_len = sched_len(x, pv->at);
			cur = dmo__sched_prefix(x, cur_len);
		}
		v.kind = pv->kind;
		v.message = pv->msg;
		v.fn = pv->fn;
		v.thread = pv->thread;
		v.schedule = cur;
		if (pv->lockpair >= 0 && x->edges[pv->lockpair].sched) {
			const char *a = x->edges[pv->lockpair].sched;
			size_t n = strlen(a) + strlen(cur) + 2;

			joined = malloc(n);
			if (joined) {
				snprintf(joined, n, "%s+%s", a, cur);
				v.schedule = joined;
			}
		}
		x->res->on_violation(x->res->arg, &v);
		free(joined);
	}
	if (x->npv && x->opts.first)
		x->stop = true;
	/* Edges first seen in this execution remember its schedule. */
	for (int i = 0; i < x->nedges; i++) {
		if (x->edges[i].sched)
			continue;
		if (x->edges[i].foreign) {
			x->edges[i].sched = dmo__board_sched(x,
							     x->edges[i].board);
			continue;
		}
		if (cur_len != sched_len(x, x->edges[i].at)) {
			cur_len = sched_len(x, x->edges[i].at);
			cur = dmo__sched_prefix(x, cur_len);
		}
		x->edges[i].sched = strdup(cur);
		if (x->par && x->edges[i].sched)
			dmo__board_set_sched(x, x->edges[i].board,
					     x->edges[i].sched);
	}
	x->npv = 0;
}

static int find_edge(struct dmo__explorer *x, const char *a, const char *b)
{
	for (int i = 0; i < x->nedges; i++)
		if (strcmp(x->edges[i].a, a) == 0 &&
		    strcmp(x->edges[i].b, b) == 0)
			return i;
	return -1;
}

/* First edge of a path from @from to @to, or -1; @seen marks edges. */
static int path(struct dmo__explorer *x, const char *from, const char *to,
		char *seen)
{
	for (int i = 0; i < x->nedges; i++) {
		struct dmo__ledge *e = &x->edges[i];

		if (seen[i] || strcmp(e->a, from) != 0)
			continue;
		seen[i] = 1;
		if (strcmp(e->b, to) == 0 || path(x, e->b, to, seen) >= 0)
			return i;
	}
	return -1;
}

/*
 * Record that @tid takes mutex @slot while holding others.  The graph is
 * keyed by mutex name, not address, so that what one execution does with
 * its device_lock and another with its group mutex meet in one graph, as
 * lock classes do in lockdep.
 */
static void new_edge(struct dmo__explorer *x, struct dmo__xthread *t,
		     const char *a, const char *b, const char *fn);

void dmo__lock_order(struct dmo__explorer *x, int tid, int slot,
		     const char *fn)
{
	struct dmo__xthread *t = &x->th[tid];
	const char *b = x->mtx[slot].name;

	for (int h = 0; h < t->nheld; h++) {
		const char *a = x->mtx[t->held[h]].name;

		if (strcmp(a, b) == 0 || find_edge(x, a, b) >= 0)
			continue;
		if (x->par) {
			/*
			 * A parallel search keeps one graph: another worker
			 * may have made this edge, or the other half of a
			 * cycle, and the board is locked until this edge is
			 * on it too, so that of two workers making the two
			 * halves at once, the second sees the first.
			 */
			dmo__board_lock(x);
			dmo__board_import(x);
			if (find_edge(x, a, b) < 0)
				new_edge(x, t, a, b, fn);
			dmo__board_unlock(x);
			continue;
		}
		new_edge(x, t, a, b, fn);
	}
}

struct dmo__ledge *dmo__edge_append(struct dmo__explorer *x, const char *a,
				    const char *b)
{
	struct dmo__ledge *e;

	if (x->nedges == x->cap_edges) {
		int cap = x->cap_edges ? 2 * x->cap_edges : 16;
		void *n = realloc(x->edges,
				  (size_t)cap * sizeof(*x->edges));

		if (!n)
			return NULL;
		x->edges = n;
		x->cap_edges = cap;
	}
	e = &x->edges[x->nedges];
	memset(e, 0, sizeof(*e));
	e->board = -1;
	e->a = strdup(a);
	e->b = strdup(b);
	if (!e->a || !e->b) {
		free(e->a);
		free(e->b);
		return NULL;
	}
	x->nedges++;
	return e;
}

/* Edge @a then @b, new, made by thread @t in @fn. */
static void new_edge(struct dmo__explorer *x, struct dmo__xthread *t,
		     const char *a, const char *b, const char *fn)
{
	struct dmo__ledge *e = dmo__edge_append(x, a, b);
	char *seen;
	int rev;

	if (!e)
		return;
	e->fn = fn;
	e->at = x->nev;
	snprintf(e->thread, sizeof(e->thread), "%s", t->name);
	if (x->par)
		dmo__board_publish(x, x->nedges - 1);
	seen = calloc((size_t)x->nedges, 1);
	if (!seen)
		return;
	rev = path(x, b, a, seen);
	free(seen);
	if (rev >= 0) {
		struct dmo__ledge *r = &x->edges[rev];
		char msg[DMO_XMSG];

		snprintf(msg, sizeof(msg),
			 "lock order inversion: %s then %s in %s by %s, but %s then %s%s in %s by %s",
			 a, b, fn, t->name, r->a, r->b,
			 strcmp(r->b, a) ? " (then on to the first)" :
					   "",
			 r->fn, r->thread);
		dmo__viol(x, DMO_VIOL_DEADLOCK, fn, t->name, msg);
		if (x->npv > 0 && x->mode != DMO__X_REPLAY)
			x->pv[x->npv - 1].lockpair = rev;
	}
}

/* The thread that blocked thread @t waits for: a mutex's owner, a joinee. */
static int waits_for(struct dmo__explorer *x, const struct dmo__xthread *t)
{
	if (t->op.kind == DMO__OP_LOCK)
		return x->mtx[dmo__x_mutex_slot(x, t->op.p)].owner;
	if (t->op.kind == DMO__OP_JOIN)
		return t->op.target;
	return -1;
}

/*
 * Nobody can run.  A thread that waits, directly or through others, for
 * one that stopped at a BUG waits because of that BUG, which is reported
 * already: only the others, if any, are a deadlock.
 */
bool dmo__deadlock(struct dmo__explorer *x)
{
	char msg[DMO_XMSG];
	size_t n = 0;
	const char *fn = "-", *who = "-";
	bool doomed[DMO_XMAX_THREADS] = { false };
	bool changed = x->ndead > 0;
	int nreal = 0;

	while (changed) {
		changed = false;
		for (int i = 0; i < x->nthreads; i++) {
			int o;

			if (x->th[i].state != DMO__T_LIVE || doomed[i])
				continue;
			o = waits_for(x, &x->th[i]);
			if (o >= 0 && (x->th[o].state == DMO__T_DEAD ||
				       doomed[o])) {
				doomed[i] = true;
				changed = true;
			}
		}
	}
	for (int i = 0; i < x->nthreads; i++)
		nreal += x->th[i].state == DMO__T_LIVE && !doomed[i];
	if (!nreal)
		return false;
	n += (size_t)snprintf(msg, sizeof(msg), "deadlock:");
	for (int i = 0; i < x->nthreads && n < sizeof(msg); i++) {
		struct dmo__xthread *t = &x->th[i];

		if (t->state != DMO__T_LIVE || doomed[i])
			continue;
		if (who[0] == '-') {
			who = t->name;
			fn = t->op.fn;
		}
		if (t->op.kind == DMO__OP_LOCK) {
			int s = dmo__x_mutex_slot(x, t->op.p);
			int o = x->mtx[s].owner;

			n += (size_t)snprintf(msg + n, sizeof(msg) - n,
					      "%s %s waits for %s held by %s",
					      n > 10 ? ";" : "", t->name,
					      x->mtx[s].name,
					      o >= 0 ? x->th[o].name : "?");
		} else {
			n += (size_t)snprintf(msg + n, sizeof(msg) - n,
					      "%s %s waits to join %s",
					      n > 10 ? ";" : "", t->name,
					      x->th[t->op.target].name);
		}
	}
	dmo__viol(x, DMO_VIOL_DEADLOCK, fn, who, msg);
	return true;
}

static uint64_t hash_addr(uintptr_t a)
{
	uint64_t h = (uint64_t)a * 0x9e3779b97f4a7c15ull;

	return h ^ (h >> 29);
}

static struct dmo__xloc *loc_slot(struct dmo__xloc *tab, int cap,
				  uint32_t gen, uintptr_t a)
{
	int i = (int)(hash_addr(a) & (uint64_t)(cap - 1));

	while (tab[i].gen == gen && tab[i].addr != a)
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

static int grow_locs(struct dmo__explorer *x)
{
	int cap = x->cap_locs ? 2 * x->cap_locs : 16;
	struct dmo__xloc *n = calloc((size_t)cap, sizeof(*n));

	if (!n)
		return -ENOMEM;
	for (int i = 0; i < x->cap_locs; i++) {
		struct dmo__xloc *o = &x->locs[i];

		if (o->gen == x->gen)
			*loc_slot(n, cap, x->gen, o->addr) = *o;
	}
	free(x->locs);
	x->locs = n;
	x->cap_locs = cap;
	return 0;
}

static inline __attribute__((always_inline)) struct dmo__xloc *
loc_get(struct dmo__explorer *x, uintptr_t a,
				 uint32_t size)
{
	struct dmo__xloc *l;

	if ((x->nlocs + 1) * 2 > x->cap_locs && grow_locs(x))
		abort();
	l = loc_slot(x->locs, x->cap_locs, x->gen, a);
	if (l->gen == x->gen)
		return l;
	l->gen = x->gen;
	l->addr = a;
	l->size = size;
	l->wev = -1;
	l->nreads = 0;
	x->nlocs++;
	if (x->any_freed) {
		for (int i = 0; i < x->nblocks; i++) {
			struct dmo__xblock *b = &x->blocks[i];

			if (b->freed && a >= (uintptr_t)b->p &&
			    a < (uintptr_t)b->p + b->size) {
				l->wev = b->last_free_ev;
				l->wtid = x->evs[b->last_free_ev].ev.tid;
				l->wmarked = true;
				l->wwhat = b->what;
				l->wfn = b->free_fn;
			}
		}
	}
	return l;
}

/*
 * Racy programs race in almost every execution, always between the same
 * few pairs of accesses: remember the pairs already reported by the
 * identity of their parts, so that a repeat costs a lookup, not a
 * formatted message.
 */
static bool race_seen(struct dmo__explorer *x, const struct dmo__racekey *k)
{
	uint64_t h = (uintptr_t)k->what * 0x9e3779b97f4a7c15ull;
	int i;

	h = (h ^ (uintptr_t)k->fn) * 0xbf58476d1ce4e5b9ull;
	h = (h ^ (uintptr_t)k->owhat) * 0x94d049bb133111ebull;
	h = (h ^ (uintptr_t)k->ofn) * 0x9e3779b97f4a7c15ull;
	h ^= (uint64_t)(k->tid * 131 + k->otid * 7 + k->write * 2 + k->owrite);
	h ^= h >> 31;
	if ((x->nraces + 1) * 2 > x->cap_races) {
		int cap = x->cap_races ? 2 * x->cap_races : 64;
		struct dmo__racekey *n = calloc((size_t)cap, sizeof(*n));

		if (!n)
			return false;
		for (int j = 0; j < x->cap_races; j++) {
			struct dmo__racekey *o = &x->races[j];

			if (!o->used)
				continue;
			i = (int)(o->hash & (uint64_t)(cap - 1));
			while (n[i].used)
				i = (i + 1) & (cap - 1);
			n[i] = *o;
		}
		free(x->races);
		x->races = n;
		x->cap_races = cap;
	}
	i = (int)(h & (uint64_t)(x->cap_races - 1));
	while (x->races[i].used) {
		struct dmo__racekey *o = &x->races[i];

		if (o->hash == h && o->what == k->what && o->fn == k->fn &&
		    o->owhat == k->owhat && o->ofn == k->ofn &&
		    o->tid == k->tid && o->otid == k->otid &&
		    o->write == k->write && o->owrite == k->owrite)
			return true;
		i = (i + 1) & (x->cap_races - 1);
	}
	x->races[i] = *k;
	x->races[i].hash = h;
	x->races[i].used = true;
	x->nraces++;
	return false;
}

/* One side of a data race, as its message names it. */
struct race_side {
	const char *what;
	const char *fn;
	const char *thread;
	bool write;
	int tid;
};

/*
 * The order the two sides of a race are named in: by the access text,
 * then the function, then the thread, then read before write.  It must
 * not depend on which access the schedule happened to run first, or one
 * race would show up as two distinct violations, one per order.
 */
static int race_side_cmp(const struct race_side *a, const struct race_side *b)
{
	int c = strcmp(a->what, b->what);

	if (!c)
		c = strcmp(a->fn, b->fn);
	if (!c)
		c = strcmp(a->thread, b->thread);
	if (!c)
		c = (int)a->write - (int)b->write;
	return c;
}

/* Report a race new to this execution: once per pair of accesses. */
static __attribute__((noinline)) void
race_report(struct dmo__explorer *x, int tid, bool write, const char *what,
	    const char *fn, int otid, bool owrite, const char *owhat,
	    const char *ofn)
{
	char msg[DMO_XMSG];
	struct dmo__racekey k;
	struct race_side me = { what, fn, x->th[tid].name, write, tid };
	struct race_side other = { owhat, ofn, x->th[otid].name, owrite,
				   otid };
	const struct race_side *s1 = &other, *s2 = &me;

	/*
	 * The key only has to be the same for both orders, so it orders
	 * the sides by their string pointers, which costs no strcmp().
	 */
	memset(&k, 0, sizeof(k));
	if ((uintptr_t)what < (uintptr_t)owhat ||
	    (what == owhat && ((uintptr_t)fn < (uintptr_t)ofn ||
			       (fn == ofn && tid < otid)))) {
		k.what = what;
		k.fn = fn;
		k.tid = tid;
		k.write = write;
		k.owhat = owhat;
		k.ofn = ofn;
		k.otid = otid;
		k.owrite = owrite;
	} else {
		k.what = owhat;
		k.fn = ofn;
		k.tid = otid;
		k.write = owrite;
		k.owhat = what;
		k.ofn = fn;
		k.otid = tid;
		k.owrite = write;
	}
	if (x->mode != DMO__X_REPLAY && race_seen(x, &k)) {
		x->res->violations++;
		return;
	}
	if (race_side_cmp(&me, &other) < 0) {
		s1 = &me;
		s2 = &other;
	}
	snprintf(msg, sizeof(msg),
		 "data race: %s %s in %s by %s, %s %s in %s by %s",
		 s1->write ? "write" : "read", s1->what, s1->fn, s1->thread,
		 s2->write ? "write" : "read", s2->what, s2->fn, s2->thread);
	dmo__viol(x, DMO_VIOL_RACE, fn, x->th[tid].name, msg);
}

/*
 * A race between the access being made and an earlier one.  Inline, with
 * the reporting out of line: most races a search sees are in the replayed
 * prefix, where they only count.
 */
static inline void data_race(struct dmo__explorer *x, int tid, bool write,
			     const char *what, const char *fn, int otid,
			     bool owrite, const char *owhat, const char *ofn)
{
	/*
	 * An event of the replayed prefix raced the same way when the
	 * prefix first ran, and was reported then: only count it.
	 */
	if (x->mode != DMO__X_REPLAY && x->nev - 1 < x->race_from) {
		x->res->violations++;
		return;
	}
	race_report(x, tid, write, what, fn, otid, owrite, owhat, ofn);
}

/* The write-side of an access (a store, an rmw, a free) on one location. */
static void write_deps(struct dmo__explorer *x, struct dmo__xloc *l, int tid,
		       int e, bool marked,
		       const char *what, const char *fn, bool check)
{
	struct dmo__xthread *t = &x->th[tid];
	uint32_t *cv = clock_of(x, e);

	if (l->wev >= 0) {
		int w = l->wev;

		if (x->need_vc) {
			dmo__clock_join(cv, clock_of(x, w), x->nthreads);
			dmo__pred(x, w,
				  l->nreads == 0 && l->wtid != tid ?
					  DMO__PRED_RACE :
					  DMO__PRED_ORDER);
		}
		if (check && l->wtid != tid && !(marked && l->wmarked) &&
		    x->evs[w].tidx > t->sync[l->wtid])
			data_race(x, tid, true, what, fn, l->wtid, true,
				  l->wwhat, l->wfn);
	}
	for (int i = 0; i < l->nreads; i++) {
		struct dmo__xread *r = &l->reads[i];

		if (x->need_vc) {
			dmo__clock_join(cv, clock_of(x, r->ev), x->nthreads);
			dmo__pred(x, r->ev,
				  r->tid != tid ? DMO__PRED_RACE :
						  DMO__PRED_ORDER);
		}
		if (r->tid == tid)
			continue;
		if (check && !(marked && r->marked) &&
		    x->evs[r->ev].tidx > t->sync[r->tid])
			data_race(x, tid, true, what, fn, r->tid, false,
				  r->what, r->fn);
	}
	l->wev = e;
	l->wtid = (uint8_t)tid;
	l->wmarked = marked;
	l->wwhat = what;
	l->wfn = fn;
	l->nreads = 0;
}

static const uint32_t *base_of(struct dmo__explorer *x, int tid)
{
	int le = x->th[tid].last_ev;

	return le >= 0 ? clock_of(x, le) : zero_clock;
}

void dmo__access(struct dmo__explorer *x, int tid, int e, uintptr_t addr,
		 uint32_t size, bool write, bool marked, const char *what,
		 const char *fn)
{
	struct dmo__xloc *l = loc_get(x, addr, size);
	struct dmo__xthread *t = &x->th[tid];
	int i;

	if (write) {
		write_deps(x, l, tid, e, marked, what, fn, true);
		return;
	}
	if (l->wev >= 0) {
		int w = l->wev;

		if (x->need_vc) {
			dmo__clock_join(clock_of(x, e), clock_of(x, w),
					x->nthreads);
			dmo__pred(x, w,
				  l->wtid != tid ? DMO__PRED_RACE :
						   DMO__PRED_ORDER);
		}
		if (l->wtid != tid && !(marked && l->wmarked) &&
		    x->evs[w].tidx > t->sync[l->wtid])
			data_race(x, tid, false, what, fn, l->wtid, true,
				  l->wwhat, l->wfn);
	}
	for (i = 0; i < l->nreads; i++)
		if (l->reads[i].tid == tid)
			break;
	if (i == l->nreads)
		l->nreads++;
	l->reads[i] = (struct dmo__xread){
		.ev = e, .tid = (uint8_t)tid, .marked = marked, .what = what,
		.fn = fn,
	};
}

void dmo__access_free(struct dmo__explorer *x, int tid, int e,
		      uintptr_t addr, size_t size, const char *fn)
{
	/* The block's first byte stands for it: two frees meet there. */
	loc_get(x, addr, 1);
	for (int i = 0; i < x->cap_locs; i++) {
		struct dmo__xloc *l = &x->locs[i];

		if (l->gen != x->gen || l->addr < addr ||
		    l->addr >= addr + size)
			continue;
		write_deps(x, l, tid, e, true, "", fn, false);
	}
}

static struct dmo__xloc *loc_find(struct dmo__explorer *x, uintptr_t a)
{
	struct dmo__xloc *l;

	if (!x->cap_locs)
		return NULL;
	l = loc_slot(x->locs, x->cap_locs, x->gen, a);
	return l->gen == x->gen ? l : NULL;
}

/*
 * An execution that ends with threads still waiting (a deadlock, or
 * threads left waiting for a lock or a join that a thread stopped at a
 * BUG will never give up) leaves them with an operation they never
 * performed.  Those operations race with what ran all the same: the
 * thread left waiting for a lock might have taken it first and avoided
 * the deadlock, or the BUG.  So each pending op is treated as the event
 * that would come next, and its races are reversed like any other.
 */
void dmo__pending_races(struct dmo__explorer *x)
{
	int e2 = x->nev;

	for (int tid = 0; tid < x->nthreads; tid++) {
		struct dmo__xthread *t = &x->th[tid];
		const uint32_t *base;
		struct dmo__ev pe;
		struct dmo__xloc *l;

		if (t->state != DMO__T_LIVE)
			continue;
		base = base_of(x, tid);
		pe = dmo__x_pending_ev(x, tid);
		if (pe.kind == DMO__EV_LOCK) {
			int s = dmo__x_mutex_slot(x, t->op.p);
			int k = x->mtx[s].last_lock;

			if (k >= 0 && x->evs[k].ev.tid != tid &&
			    !before(x, k, base))
				dmo__search_race_ev(x, k, e2, &pe);
			continue;
		}
		if (pe.kind != DMO__EV_READ && pe.kind != DMO__EV_WRITE)
			continue;
		l = loc_find(x, pe.addr);
		if (!l)
			continue;
		if (pe.kind == DMO__EV_WRITE && l->nreads) {
			for (int i = 0; i < l->nreads; i++) {
				int r = l->reads[i].ev;

				if (l->reads[i].tid != tid &&
				    !before(x, r, base))
					dmo__search_race_ev(x, r, e2, &pe);
			}
		} else if (l->wev >= 0 && l->wtid != tid &&
			   !before(x, l->wev, base)) {
			dmo__search_race_ev(x, l->wev, e2, &pe);
		}
	}
}

/*
 * Dependences, judged once the step is done.
 *
 * A step may depend on several earlier events: the accesses to its
 * location, its mutex's previous operations, the latest writers of the
 * invariant classes it writes.  They are gathered while it runs and
 * judged together at its end, because each is a race only if nothing
 * else orders it before the step: not its thread's previous event, nor
 * any other event the step depends on (a class writer that wrote the
 * step's location too before another thread read it races with nothing
 * here).  The previous acquisition of a mutex is the exception: it races
 * with the next acquisition whatever happened inside the critical
 * section between them, since the later acquisition could not have run
 * anywhere inside it.  And an event that orders the step in a way no
 * reordering undoes (an unlock before a lock, an end before its join) is
 * no race, whatever else the two share.
 */
void dmo__pred_grow(struct dmo__explorer *x)
{
	int cap = x->cap_pred ? 2 * x->cap_pred : 64;
	void *n = realloc(x->pred, (size_t)cap * sizeof(*x->pred));

	if (!n)
		abort();
	x->pred = n;
	x->cap_pred = cap;
}

void dmo__finish_event_slow(struct dmo__explorer *x)
{
	int e = x->pred_ev, tid;
	const uint32_t *base;

	x->pred_ev = -1;
	/*
	 * Only the clock of an event before the branching point was wanted
	 * (a worker's first run of a branch handed to it, see par.c): its
	 * races are another worker's.
	 */
	if (e < x->race_from) {
		x->npred = 0;
		return;
	}
	tid = x->evs[e].ev.tid;
	base = x->pred_base >= 0 ? clock_of(x, x->pred_base) : zero_clock;
	for (int i = 0; i < x->npred; i++) {
		int c = x->pred[i].ev, kind = x->pred[i].kind;

		if (kind == DMO__PRED_ORDER || x->evs[c].ev.tid == tid ||
		    before(x, c, base))
			continue;
		for (int j = 0; j < x->npred; j++) {
			int k = x->pred[j].kind;

			if (x->pred[j].ev != c || j == i)
				continue;
			/* One race per event; an undoable order is none. */
			if ((k == DMO__PRED_ORDER && kind != DMO__PRED_LOCK) ||
			    k > kind || (k == kind && j < i))
				goto next;
		}
		if (kind == DMO__PRED_RACE)
			for (int j = 0; j < x->npred; j++)
				if (x->pred[j].ev != c &&
				    before(x, c, clock_of(x, x->pred[j].ev)))
					goto next;
		dmo__search_race(x, c, e);
next:;
	}
	x->npred = 0;
}

/*
 * Watched locations.  A between-steps check reads shared state that no
 * event of the program reads, so the reduction would otherwise treat the
 * updates it sees as independent, and pick an order of them in which a
 * bad combination never exists.  Every location a check reads is watched
 * in a class (one per invariant that reads it); every write to a watched
 * location, and every event whose local code updates a watched ghost,
 * writes its class, and two writes of one class are dependent.  Within a
 * trace the writes of a class are then totally ordered, so every
 * execution of the trace passes through the same sequence of states of
 * that class's locations, and the check of that class sees each of them.
 * Classes of unrelated invariants stay independent.
 */
int dmo__watch_add(struct dmo__explorer *x, const void *p, size_t size,
		   const void *cls)
{
	uintptr_t a = (uintptr_t)p;
	struct dmo__xwatch *w;
	uint64_t h;
	int k, i;

	for (k = 0; k < x->ncls; k++)
		if (x->cls[k] == cls)
			break;
	if (k == x->ncls) {
		if (x->ncls == x->cap_cls) {
			int cap = x->cap_cls ? 2 * x->cap_cls : 16;
			void *n = realloc(x->cls,
					  (size_t)cap * sizeof(*x->cls));

			if (!n)
				return -ENOMEM;
			x->cls = n;
			x->cap_cls = cap;
		}
		x->cls[x->ncls++] = cls;
	}
	if ((x->nwatch + 1) * 2 > x->cap_watch) {
		int cap = x->cap_watch ? 2 * x->cap_watch : 64;
		struct dmo__xwatch *n = calloc((size_t)cap, sizeof(*n));
		struct dmo__xwatch *old = x->watch;
		int ocap = x->cap_watch;

		if (!n)
			return -ENOMEM;
		x->watch = n;
		x->cap_watch = cap;
		for (int j = 0; j < ocap; j++) {
			if (old[j].gen != x->gen)
				continue;
			h = (uint64_t)old[j].addr * 0x9e3779b97f4a7c15ull;
			i = (int)((h ^ (h >> 29)) & (uint64_t)(cap - 1));
			while (n[i].gen == x->gen)
				i = (i + 1) & (cap - 1);
			n[i] = old[j];
		}
		free(old);
	}
	h = (uint64_t)a * 0x9e3779b97f4a7c15ull;
	i = (int)((h ^ (h >> 29)) & (uint64_t)(x->cap_watch - 1));
	while (x->watch[i].gen == x->gen && x->watch[i].addr != a)
		i = (i + 1) & (x->cap_watch - 1);
	w = &x->watch[i];
	if (w->gen != x->gen) {
		w->gen = x->gen;
		w->addr = a;
		w->mask = 0;
		w->size = (uint32_t)size;
		x->nwatch++;
	}
	w->mask |= (uint32_t)1 << (k % 32);
	return 0;
}

/* The classes of every watched location in [@a, @a + @size): a free. */
uint32_t dmo__watch_range(struct dmo__explorer *x, uintptr_t a, size_t size)
{
	uint32_t m = 0;

	if (!x->nwatch)
		return 0;
	for (int i = 0; i < x->cap_watch; i++)
		if (x->watch[i].gen == x->gen && x->watch[i].addr >= a &&
		    x->watch[i].addr < a + size)
			m |= x->watch[i].mask;
	return m;
}

/* Event @e writes the classes in @bits, after each one's latest writer. */
void dmo__class_write(struct dmo__explorer *x, int e, uint32_t bits)
{
	bool dpor = x->mode == DMO__X_DPOR && e >= x->vc_from &&
		    x->pred_ev == e;

	while (bits) {
		int b = __builtin_ctz(bits);
		int w = x->cls_last[b];

		bits &= bits - 1;
		if (w >= 0 && w != e && dpor) {
			dmo__clock_join(clock_of(x, e), clock_of(x, w),
					x->nthreads);
			dmo__pred(x, w, DMO__PRED_RACE);
		}
		x->cls_last[b] = e;
	}
}

void dmo__detect_destroy(struct dmo__explorer *x)
{
	for (int i = 0; i < x->cap_seen; i++)
		free(x->seen[i]);
	free(x->seen);
	for (int i = 0; i < x->nedges; i++) {
		free(x->edges[i].a);
		free(x->edges[i].b);
		free(x->edges[i].sched);
	}
	free(x->edges);
	free(x->races);
	free(x->pred);
	free(x->watch);
	free(x->cls);
}
