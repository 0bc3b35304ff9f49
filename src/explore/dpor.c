// SPDX-License-Identifier: MIT
/*
 * The search: optimal DPOR (source sets, wakeup trees, sleep sets), the
 * naive enumeration it is checked against, and seeded PCT sampling.
 *
 * What the search keeps.  nodes[i] describes the state reached after the
 * first i events of the current execution E: which thread ran next there
 * (ev), the sleep set of that state (threads whose every continuation from
 * here has already been covered, each with the event it would perform),
 * and the wakeup forest still to explore there (wut).  A new execution
 * replays nodes[0..prefix) exactly and then continues, taking at each new
 * state the leftmost branch of the wakeup forest handed down from above,
 * or any enabled thread not asleep when there is none.  Everything is
 * bounded by the length of one execution: the search is a depth-first
 * walk and no state is kept for executions already finished.
 *
 * Races.  When an event e2 runs, the detectors (detect.c, and the lock
 * code) gather the earlier events it depends on, and once the step is done
 * they keep those it is in an immediate race with: e and e2 are dependent,
 * of different threads, and nothing but their own conflict orders them
 * (neither e2's thread's previous event nor any other event e2 depends on
 * had seen e).  For each, v = the events between e and e2 that do not
 * happen after e, followed by e2, is a sequence that reverses the race.
 * Unless a thread asleep at e's state is a weak initial of v (the
 * reversal is then already covered), v is inserted into the wakeup forest
 * at e's state.  The insertion walks down the forest, following a child
 * whenever its thread is a weak initial of what is left of v, and stops
 * at a leaf: the property that makes the algorithm optimal, since it never
 * schedules two equivalent sequences from one state, and never needs to
 * abandon an execution because every enabled thread is asleep.  Races
 * whose later event lies in the replayed prefix were handled when that
 * prefix first ran, so only events from the branching point on are
 * examined.
 *
 * Dependence.  Two events of different threads are dependent when they
 * access overlapping memory and one writes (an rmw and a successful
 * cmpxchg write, a failed cmpxchg only reads, a free writes its whole
 * block), when they operate on the same mutex (an unlock by a thread that
 * does not hold it fails whatever the others do, and depends on nothing),
 * when they write the same invariant class (see below), when one spawns
 * the other's thread, or when one is a thread's end and the other its
 * join.  What an event depends on is known when its thread posts it, from
 * that thread's history alone: the reduction's arguments need no less.
 * The one exception is a cmpxchg, which reads or writes by the value it
 * finds: every record of one (in a sleep set, in a wakeup tree) keeps the
 * kind it has at its own place, and a race reversal that moves one before
 * the event it raced with judges it at its new place, from the values
 * the two found (dmo__x_cas_moved()).
 * An acquisition whose mutex is held is not enabled, so acquisitions race
 * with each other directly, the unlock and the critical section between
 * them being ignored when deciding whether they are ordered by anything
 * else; an unlock before a lock and an end before its join order what
 * follows them for good and are never reversed.
 *
 * Checks between steps.  A program's step_check reads shared state after
 * every step, state that no event of the program reads: left alone, the
 * reduction would treat the updates it sees as independent and pick an
 * order of them in which a bad combination never exists.  So each
 * location a check reads is watched in the check's class, every event
 * that writes a watched location (a ghost update too: it takes effect
 * with its thread's next step) writes the class, and two writes of one
 * class are dependent.  Within a trace the writes of a class are then
 * totally ordered, every execution of the trace passes through the same
 * states of the class's locations, and the check sees all of them; the
 * classes of checks that read unrelated state stay independent, so K
 * unrelated updates still take one execution.
 *
 * BUGs.  A BUG or a use after free stops the thread that hits it, where it
 * stands and holding what it holds, and the others go on: until the task
 * dies it is just a thread that has not taken its next step, so what the
 * others do meanwhile is what some schedule shows, and the write that
 * would have kept the BUG away may come from a thread that had not
 * reached it yet.  An execution ends when nobody can run; the threads
 * left waiting then (a deadlock, or a lock or a join the stopped thread
 * will never give up) each have an op that never ran, which races with
 * what ran all the same and is reversed like any other.
 *
 * Choices.  dmo_choose() is thread-local, so it is independent of every
 * other event, but each value leads somewhere else: the values are
 * events in conflict with each other (only one can run), so whenever a
 * state runs a choice, every other value is a race reversed at that
 * state, inserted into its wakeup forest unless a sleeping thread covers
 * it, and a sleeping choice remembers the set of values explored.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "explore/explore.h"

static bool overlap(const struct dmo__ev *a, const struct dmo__ev *b)
{
	return a->addr < b->addr + b->size && b->addr < a->addr + a->size;
}

static bool is_access(const struct dmo__ev *e)
{
	return e->kind == DMO__EV_READ || e->kind == DMO__EV_WRITE;
}

static bool is_mutex(const struct dmo__ev *e)
{
	return e->kind == DMO__EV_LOCK || e->kind == DMO__EV_UNLOCK;
}

/*
 * Static inline: the search asks this millions of times from its inner
 * loops (sleep sets, weak initials), which should not pay a call each.
 */
static inline bool dep(const struct dmo__ev *a, const struct dmo__ev *b)
{
	if (a->tid == b->tid)
		return false;
	if (a->cmask & b->cmask)
		return true;
	if (is_access(a) && is_access(b))
		return (a->kind == DMO__EV_WRITE || b->kind == DMO__EV_WRITE) &&
		       overlap(a, b);
	if (is_mutex(a) && is_mutex(b))
		return a->addr == b->addr;
	if (a->kind == DMO__EV_SPAWN && a->aux == b->tid)
		return true;
	if (b->kind == DMO__EV_SPAWN && b->aux == a->tid)
		return true;
	if (a->kind == DMO__EV_END && b->kind == DMO__EV_JOIN)
		return b->aux == a->tid;
	if (b->kind == DMO__EV_END && a->kind == DMO__EV_JOIN)
		return a->aux == b->tid;
	return false;
}

bool dmo__dep(const struct dmo__ev *a, const struct dmo__ev *b)
{
	return dep(a, b);
}

/*
 * Wakeup-tree nodes come from a pool.  The pool moves when it grows, so
 * callers that hold pointers into it reserve first.  It reaches hundreds
 * of thousands of nodes (lastzero(15)), far more than the caches hold, so
 * two things keep it cheap: freed slots are kept on a stack of indices
 * rather than a list threaded through the nodes, so that taking one reads
 * no cold node, and slots from wtop up, never used yet, are handed out in
 * order once that stack is empty, so that growing the pool touches no
 * memory.
 */
static inline void wreserve(struct dmo__explorer *x, int n)
{
	while (x->wnstack + (x->wcap - x->wtop) < n) {
		int cap = x->wcap ? 2 * x->wcap : 1024;
		struct dmo__wnode *p = realloc(x->wpool,
					       (size_t)cap * sizeof(*p));
		int *st;

		if (!p)
			abort();
		x->wpool = p;
		st = realloc(x->wstack, (size_t)cap * sizeof(*st));
		if (!st)
			abort();
		x->wstack = st;
		x->wcap = cap;
	}
}

static int wnew(struct dmo__explorer *x, const struct dmo__ev *ev)
{
	int n;

	wreserve(x, 1);
	n = x->wnstack ? x->wstack[--x->wnstack] : x->wtop++;
	x->wpool[n].ev = *ev;
	x->wpool[n].child = -1;
	x->wpool[n].next = -1;
	x->wpool[n].gen = x->gen;
	x->wpool[n].given = false;
	return n;
}

static void wrelease(struct dmo__explorer *x, int n)
{
	x->wstack[x->wnstack++] = n;
}

static void wfree_forest(struct dmo__explorer *x, int n)
{
	while (n >= 0) {
		int next = x->wpool[n].next;

		wfree_forest(x, x->wpool[n].child);
		wrelease(x, n);
		n = next;
	}
}

static struct dmo__ev *sleep_of(struct dmo__explorer *x, int i)
{
	return x->sleep + (size_t)i * DMO_XMAX_THREADS;
}

/*
 * An event remembered from an earlier execution (in a sleep set or a
 * wakeup tree), as the current execution knows it.  Memory that run()
 * takes from malloc() need not sit at the same address in every
 * execution, so an address is only trusted within the execution that saw
 * it: the event is looked up by its thread and position in that thread,
 * which name the same event in every execution sharing its history.  A
 * thread that has not got that far yet is about to perform it (its
 * pending op) when it is its very next event; otherwise the old record
 * is the best there is.
 */
static struct dmo__ev resolve(struct dmo__explorer *x, const struct dmo__ev *q)
{
	struct dmo__ev r = *q;
	const struct dmo__xthread *t;

	if (!is_access(q) && !is_mutex(q))
		return r;
	if (q->tid >= x->nthreads)
		return r;
	t = &x->th[q->tid];
	if (q->tidx >= 1 && q->tidx <= t->nev) {
		int e = x->thr_ev[(size_t)(q->tidx - 1) * DMO_XMAX_THREADS +
				  q->tid];

		r = x->evs[e].ev;
	} else if (q->tidx == t->nev + 1 && t->state == DMO__T_LIVE) {
		r = dmo__x_pending_ev(x, q->tid);
	}
	if (r.kind != q->kind && !(is_access(&r) && is_access(q)))
		return *q;
	/*
	 * A cmpxchg reads or writes by the value it finds, which differs
	 * from one place in an execution to another: the record was made
	 * for the state it stands at, and keeps its kind.
	 */
	r.kind = q->kind;
	r.aux = q->aux;
	return r;
}

/*
 * Is the thread of @q (about to perform @q; for a choice, any of the
 * values in @mask) a weak initial of @w: its first event in @w (@k, or -1
 * when it has none) has no earlier event of @w happening before it, or it
 * has none in @w and is independent of all of @w?
 */
static bool weak_initial_at(const struct dmo__ev *q, uint64_t mask,
			    const struct dmo__ev *w, int n, int k)
{
	if (k >= 0) {
		if (w[k].kind == DMO__EV_CHOOSE &&
		    !(mask & ((uint64_t)1 << w[k].aux)))
			return false;
		for (int j = 0; j < k; j++)
			if (dep(&w[j], &w[k]))
				return false;
		return true;
	}
	for (k = 0; k < n; k++)
		if (dep(q, &w[k]))
			return false;
	return true;
}

/* weak_initial_at() with @k found: the first event of @q's thread in @w. */
static bool weak_initial(const struct dmo__ev *q, uint64_t mask,
			 const struct dmo__ev *w, int n)
{
	int k = 0;

	while (k < n && w[k].tid != q->tid)
		k++;
	return weak_initial_at(q, mask, w, n, k < n ? k : -1);
}

static uint64_t ev_mask(const struct dmo__ev *e)
{
	return e->kind == DMO__EV_CHOOSE ? (uint64_t)1 << e->aux : 0;
}

/* Drop the first event of @tid from @w, if any. */
static int drop_first(struct dmo__ev *w, int n, int tid)
{
	for (int k = 0; k < n; k++) {
		if (w[k].tid != tid)
			continue;
		memmove(&w[k], &w[k + 1], (size_t)(n - k - 1) * sizeof(*w));
		return n - 1;
	}
	return n;
}

static void wut_insert(struct dmo__explorer *x, int *link,
		       struct dmo__ev *w, int n)
{
	int c;

	wreserve(x, n);
restart:
	for (c = *link; c >= 0; c = x->wpool[c].next) {
		struct dmo__wnode *wn = &x->wpool[c];
		const struct dmo__ev *ce = &wn->ev;

		if (wn->gen != x->gen) {
			wn->ev = resolve(x, &wn->ev);
			wn->gen = x->gen;
		}
		if (!weak_initial(ce, ev_mask(ce), w, n))
			continue;
		if (x->wpool[c].child < 0)
			return;
		n = drop_first(w, n, ce->tid);
		if (n == 0)
			return;
		link = &x->wpool[c].child;
		goto restart;
	}
	while (*link >= 0)
		link = &x->wpool[*link].next;
	for (int k = 0; k < n; k++) {
		*link = wnew(x, &w[k]);
		link = &x->wpool[*link].child;
	}
}

/* Bring the sleep set of state @i up to this execution's addresses. */
static void refresh_sleep(struct dmo__explorer *x, int i)
{
	struct dmo__ev *sl = sleep_of(x, i);

	for (int s = 0; s < x->nodes[i].nsleep; s++)
		if (sl[s].kind != DMO__EV_CHOOSE)
			sl[s] = resolve(x, &sl[s]);
	x->nodes[i].sleep_gen = x->gen;
}

static void uncanon(const struct dmo__explorer *x, struct dmo__ev *e);

void dmo__search_race(struct dmo__explorer *x, int e, int e2)
{
	dmo__search_race_ev(x, e, e2, &x->evs[e2].ev);
}

/*
 * The race of event @e with @last, which would run as event @e2: an
 * executed event, or the op a thread was left waiting to perform when the
 * execution ended early.
 */
void dmo__search_race_ev(struct dmo__explorer *x, int e, int e2,
			 const struct dmo__ev *last)
{
	struct dmo__node *node = &x->nodes[e];
	const struct dmo__ev *sl = sleep_of(x, e);
	struct dmo__ev *w = x->scratch;
	int te = x->evs[e].ev.tid;
	uint32_t idx = x->evs[e].tidx;
	int n = 0;
	/* Each thread's first event in w: every sleeper asks for its own. */
	int first[DMO_XMAX_THREADS];

	memset(first, -1, sizeof(first));
	for (int k = e + 1; k < e2; k++) {
		if (x->vc[(size_t)k * DMO_XMAX_THREADS + te] >= idx)
			continue;
		if (first[x->evs[k].ev.tid] < 0)
			first[x->evs[k].ev.tid] = n;
		w[n++] = x->evs[k].ev;
	}
	if (first[last->tid] < 0)
		first[last->tid] = n;
	w[n] = *last;
	/*
	 * A cmpxchg moved before @e may find another value there, and read
	 * where it wrote or write where it read: judge it at its new place.
	 */
	if (is_access(last) && (last->aux & DMO__AUX_CAS))
		w[n].kind = dmo__x_cas_moved(x, e, e2, last) ? DMO__EV_WRITE :
							       DMO__EV_READ;
	n++;
	if (node->sleep_gen != x->gen) {
		refresh_sleep(x, e);
		sl = sleep_of(x, e);
	}
	for (int s = 0; s < node->nsleep; s++) {
		uint64_t mask = sl[s].kind == DMO__EV_CHOOSE ? sl[s].addr : 0;

		if (weak_initial_at(&sl[s], mask, w, n, first[sl[s].tid]))
			return;
	}
	/*
	 * Above the branch this worker was given, while its giver is still
	 * there, the giver inserts it, into its own forest as the sequential
	 * search would (par.c).
	 */
	if (x->from && e <= x->from_at && dmo__gift_forward(x, e, w, n))
		return;
	wut_insert(x, &node->wut, w, n);
}

void dmo__search_mail(struct dmo__explorer *x, int j, struct dmo__ev *w,
		      int n, int skip)
{
	int *link = &x->nodes[j].wut;

	for (int k = 0; k < n; k++)
		uncanon(x, &w[k]);
	/*
	 * At the state of the branch given away, the sequential search
	 * would be exploring that branch, not holding it in the forest: a
	 * sequence from the branch's own races does not walk into it (it
	 * stays where it was, before whatever is inserted after it).
	 */
	while (skip >= 0 && *link >= 0 && *link != skip)
		link = &x->wpool[*link].next;
	if (skip >= 0 && *link == skip) {
		*link = x->wpool[skip].next;
		wut_insert(x, &x->nodes[j].wut, w, n);
		x->wpool[skip].next = *link;
		*link = skip;
		return;
	}
	wut_insert(x, &x->nodes[j].wut, w, n);
}

static struct dmo__ev *sleep_find(struct dmo__explorer *x, int i, int tid)
{
	struct dmo__ev *sl = sleep_of(x, i);

	if (!(x->nodes[i].sleep_mask & ((uint32_t)1 << tid)))
		return NULL;
	for (int s = 0; s < x->nodes[i].nsleep; s++)
		if (sl[s].tid == tid)
			return &sl[s];
	return NULL;
}

/*
 * A choice run at state @i: each other value is another event its thread
 * could have performed there instead, and in conflict with this one (only
 * one of them can run), so each is a race reversed like any other: the
 * one-event sequence of that value is inserted into @i's wakeup forest,
 * unless a sleeping thread already covers it.  A thread asleep at @i and
 * independent of the choice is a weak initial of that sequence: every
 * execution from @i that starts with the other value and lets the
 * sleeper go first was explored under the sleeper, and one that cannot
 * let it go first races with it, a race the sleeper's own exploration
 * reverses.  Scheduling the value anyway would run an execution that the
 * sleep set then blocks.
 */
static void choice_siblings(struct dmo__explorer *x, int i)
{
	struct dmo__node *node = &x->nodes[i];
	const struct dmo__ev *me = sleep_find(x, i, node->ev.tid);
	uint64_t done = me ? me->addr : 0;
	const struct dmo__ev *sl;
	int tid = node->ev.tid;

	done |= (uint64_t)1 << node->ev.aux;
	for (int c = node->wut; c >= 0; c = x->wpool[c].next)
		if (x->wpool[c].ev.tid == tid &&
		    x->wpool[c].ev.kind == DMO__EV_CHOOSE)
			done |= (uint64_t)1 << x->wpool[c].ev.aux;
	if (node->sleep_gen != x->gen)
		refresh_sleep(x, i);
	sl = sleep_of(x, i);
	for (int v = 0; v < node->nchoice; v++) {
		struct dmo__ev ev = node->ev;

		if (done & ((uint64_t)1 << v))
			continue;
		ev.aux = (uint16_t)v;
		for (int s = 0; s < node->nsleep; s++) {
			uint64_t mask = sl[s].kind == DMO__EV_CHOOSE ?
						sl[s].addr : 0;

			if (weak_initial(&sl[s], mask, &ev, 1))
				goto covered;
		}
		wut_insert(x, &node->wut, &ev, 1);
covered:;
	}
}

static void sleep_add(struct dmo__explorer *x, int i,
		      const struct dmo__ev *e);

/*
 * Parallel search (par.c).  A branch handed to another worker stays in
 * the wakeup forest it came from, marked given, so that what is inserted
 * later walks it as before: a sequence that ends in a given leaf is
 * covered by the worker exploring it, and one that ends below a given
 * node makes a node that is not given, which this worker explores when
 * it comes to the branch.  A given branch with nothing below it that is
 * not given is passed over as explored: it joins the sleep set, as the
 * worker that explored it would have left it.
 */
static bool wlate(const struct dmo__explorer *x, int n)
{
	if (!x->wpool[n].given)
		return true;
	for (int c = x->wpool[n].child; c >= 0; c = x->wpool[c].next)
		if (wlate(x, c))
			return true;
	return false;
}

/* Pass over given branch @c of state @i, out of its forest already. */
static void wskip(struct dmo__explorer *x, int i, int c)
{
	struct dmo__ev ev = resolve(x, &x->wpool[c].ev);

	if (x->nodes[i].sleep_gen != x->gen)
		refresh_sleep(x, i);
	sleep_add(x, i, &ev);
	wfree_forest(x, x->wpool[c].child);
	wrelease(x, c);
}

static int dpor_new_node(struct dmo__explorer *x, int i)
{
	struct dmo__node *node = &x->nodes[i];
	struct dmo__ev *sl = sleep_of(x, i);

	node->nsleep = 0;
	node->sleep_mask = 0;
	node->nchoice = 0;
	node->sleep_gen = x->gen;
	if (i > 0) {
		const struct dmo__ev *e = &x->evs[i - 1].ev;
		const struct dmo__ev *psl = sleep_of(x, i - 1);

		/*
		 * Entries of a node this execution created are its own;
		 * those of a replayed one are brought up to date here, once.
		 */
		if (x->nodes[i - 1].sleep_gen != x->gen)
			refresh_sleep(x, i - 1);
		for (int s = 0; s < x->nodes[i - 1].nsleep; s++) {
			if (psl[s].tid == e->tid || dep(&psl[s], e))
				continue;
			sl[node->nsleep++] = psl[s];
			node->sleep_mask |= (uint32_t)1 << psl[s].tid;
		}
	}
	node->wut = x->pending;
	x->pending = -1;
	while (node->wut >= 0) {
		int c = node->wut;
		struct dmo__ev ev = x->wpool[c].ev;

		node->wut = x->wpool[c].next;
		if (x->wpool[c].given && !wlate(x, c)) {
			wskip(x, i, c);
			continue;
		}
		if (ev.tid < x->nthreads && dmo__x_enabled(x, ev.tid)) {
			node->ev = ev;
			x->pending = x->wpool[c].child;
			/*
			 * The pool is large and cold: fetch the next node of
			 * the branch while this step runs.
			 */
			if (x->pending >= 0)
				__builtin_prefetch(&x->wpool[x->pending]);
			wrelease(x, c);
			goto chosen;
		}
		/* A branch that no longer fits: cannot happen, but safe. */
		wfree_forest(x, x->wpool[c].child);
		wrelease(x, c);
	}
	for (int p = 0; p < x->nthreads; p++) {
		struct dmo__ev pe;
		const struct dmo__ev *s;

		if (!dmo__x_enabled(x, p))
			continue;
		s = sleep_find(x, i, p);
		/* Only a choice has something left to do while asleep. */
		if (s && x->th[p].op.kind != DMO__OP_CHOOSE)
			continue;
		pe = dmo__x_pending_ev(x, p);
		if (pe.kind == DMO__EV_CHOOSE) {
			uint64_t done = s ? s->addr : 0;

			for (int v = 0; v < x->th[p].op.n; v++) {
				if (done & ((uint64_t)1 << v))
					continue;
				pe.aux = (uint16_t)v;
				node->ev = pe;
				goto chosen;
			}
			continue;
		}
		if (!s) {
			node->ev = pe;
			goto chosen;
		}
	}
	x->blocked_exec = true;
	return -1;
chosen:
	x->depth = i + 1;
	if (node->ev.kind == DMO__EV_CHOOSE) {
		node->nchoice = x->th[node->ev.tid].op.n;
		choice_siblings(x, i);
	}
	return node->ev.tid;
}

static int naive_new_node(struct dmo__explorer *x, int i)
{
	struct dmo__node *node = &x->nodes[i];

	node->alts = 0;
	for (int p = 0; p < x->nthreads; p++)
		if (dmo__x_enabled(x, p))
			node->alts |= (uint64_t)1 << p;
	node->ev = dmo__x_pending_ev(x, __builtin_ctzll(node->alts));
	node->ev.aux = 0;
	node->nchoice = node->ev.kind == DMO__EV_CHOOSE ?
				x->th[node->ev.tid].op.n : 0;
	x->depth = i + 1;
	return node->ev.tid;
}

static uint64_t rnd(struct dmo__explorer *x)
{
	/* splitmix64: seeded, and the same sequence on every machine. */
	uint64_t z = (x->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/*
 * PCT: every thread gets a random priority above d, the highest enabled
 * one runs, and at d-1 random steps the running thread drops below every
 * initial priority.  A bug of depth d shows with probability at least
 * 1/(n k^(d-1)) per run.
 */
static int random_pick(struct dmo__explorer *x, int i, int *choice)
{
	int d = x->opts.pct_depth > 0 ? x->opts.pct_depth : 3;
	int best = -1;

	if (i == 0) {
		for (int t = 0; t < DMO_XMAX_THREADS; t++)
			x->prio[t] = -1;
		x->nchange = d - 1 < 8 ? d - 1 : 8;
		for (int k = 0; k < x->nchange; k++)
			x->change_at[k] =
				(int)(rnd(x) % (uint64_t)(x->est_len + 1));
	}
	for (int t = 0; t < x->nthreads; t++) {
		if (x->prio[t] < 0)
			x->prio[t] = d + (int)(rnd(x) % 1000);
		if (dmo__x_enabled(x, t) &&
		    (best < 0 || x->prio[t] > x->prio[best]))
			best = t;
	}
	for (int k = 0; k < x->nchange; k++) {
		if (x->change_at[k] != i)
			continue;
		x->prio[best] = d - 1 - k;
		for (int t = 0; t < x->nthreads; t++)
			if (dmo__x_enabled(x, t) &&
			    x->prio[t] > x->prio[best])
				best = t;
	}
	if (x->th[best].op.kind == DMO__OP_CHOOSE)
		*choice = (int)(rnd(x) % (uint64_t)x->th[best].op.n);
	return best;
}

static int replay_pick(struct dmo__explorer *x, int *choice)
{
	int tid, c;

	/*
	 * A schedule may end as soon as a thread has stopped at a BUG: what
	 * the execution was reported for is behind it.
	 */
	if (x->cut && dmo__sched_done(x)) {
		x->halt = true;
		return -1;
	}
	if (dmo__sched_next(x, &tid, &c) < 0 || tid >= x->nthreads ||
	    !dmo__x_enabled(x, tid) ||
	    (x->th[tid].op.kind == DMO__OP_CHOOSE) != (c >= 0) ||
	    (c >= 0 && c >= x->th[tid].op.n)) {
		x->sched_bad = true;
		return -1;
	}
	*choice = c;
	return tid;
}

int dmo__search_pick(struct dmo__explorer *x, int *choice)
{
	int i = x->nev;
	struct dmo__node *node = &x->nodes[i];
	int tid;

	switch (x->mode) {
	case DMO__X_REPLAY:
		return replay_pick(x, choice);
	case DMO__X_RANDOM:
		return random_pick(x, i, choice);
	default:
		break;
	}
	if (i < x->prefix) {
		if (i == x->prefix - 1 && x->mode == DMO__X_NAIVE &&
		    node->ev.kind != DMO__EV_CHOOSE) {
			node->ev = dmo__x_pending_ev(x, node->ev.tid);
			node->ev.aux = 0;
			node->nchoice = node->ev.kind == DMO__EV_CHOOSE ?
				x->th[node->ev.tid].op.n : 0;
		}
		if (i == x->prefix - 1 && x->mode == DMO__X_DPOR &&
		    node->ev.kind == DMO__EV_CHOOSE) {
			node->nchoice = x->th[node->ev.tid].op.n;
			choice_siblings(x, i);
		}
		tid = node->ev.tid;
	} else if (x->mode == DMO__X_NAIVE) {
		tid = naive_new_node(x, i);
	} else {
		tid = dpor_new_node(x, i);
	}
	if (tid >= 0 && node->ev.kind == DMO__EV_CHOOSE)
		*choice = node->ev.aux;
	return tid;
}

static void sleep_add(struct dmo__explorer *x, int i, const struct dmo__ev *e)
{
	struct dmo__ev *s = sleep_find(x, i, e->tid);

	if (s && e->kind == DMO__EV_CHOOSE) {
		s->addr |= (uint64_t)1 << e->aux;
		return;
	}
	if (s)
		return;
	s = &sleep_of(x, i)[x->nodes[i].nsleep++];
	x->nodes[i].sleep_mask |= (uint32_t)1 << e->tid;
	*s = *e;
	if (e->kind == DMO__EV_CHOOSE)
		s->addr = (uint64_t)1 << e->aux;
}

/* The state the next execution branches at, as below; -1: none. */
static int next_branch(const struct dmo__explorer *x)
{
	for (int i = x->depth - 1; i >= 0; i--)
		for (int c = x->nodes[i].wut; c >= 0; c = x->wpool[c].next)
			if (!x->wpool[c].given || wlate(x, c))
				return i;
	return -1;
}

/* Set up the next execution; false when the search is over. */
bool dmo__search_next(struct dmo__explorer *x)
{
	if (x->mode == DMO__X_RANDOM) {
		if (x->nev > x->est_len)
			x->est_len = x->nev;
		return x->res->executions < x->opts.iterations;
	}
	if (x->pending >= 0) {
		wfree_forest(x, x->pending);
		x->pending = -1;
	}
	/*
	 * A worker that gave branches away takes their mail, and does not
	 * leave a state that one of them lies below before it is explored:
	 * it would leave sequences there unexplored (x->waiting says which).
	 */
	if (x->ngifts) {
		dmo__gifts_open(x);
		if (dmo__gifts_wait(x, next_branch(x)))
			return false;
	}
	for (int i = x->depth - 1; i >= 0; i--) {
		struct dmo__node *node = &x->nodes[i];

		if (x->mode == DMO__X_NAIVE) {
			if (node->ev.kind == DMO__EV_CHOOSE &&
			    node->ev.aux + 1 < node->nchoice) {
				node->ev.aux++;
				goto branch;
			}
			node->alts &= ~((uint64_t)1 << node->ev.tid);
			if (node->alts) {
				node->ev.tid =
					(uint8_t)__builtin_ctzll(node->alts);
				node->ev.kind = DMO__EV_LOCAL;
				goto branch;
			}
			continue;
		}
		if (node->wut < 0)
			continue;
		/* This state has more to explore: its last child sleeps. */
		if (i < x->nev)
			sleep_add(x, i, &x->evs[i].ev);
		while (node->wut >= 0 && x->wpool[node->wut].given &&
		       !wlate(x, node->wut)) {
			int c = node->wut;

			node->wut = x->wpool[c].next;
			wskip(x, i, c);
		}
		if (node->wut < 0)
			continue;
		{
			int c = node->wut;

			node->wut = x->wpool[c].next;
			node->ev = x->wpool[c].ev;
			x->pending = x->wpool[c].child;
			/* Cold: fetch it while the prefix replays. */
			if (x->pending >= 0)
				__builtin_prefetch(&x->wpool[x->pending]);
			wrelease(x, c);
		}
branch:
		x->prefix = i + 1;
		x->depth = i + 1;
		x->race_from = i;
		x->vc_from = i;
		if (x->ngifts)
			dmo__gifts_close(x, i);
		return true;
	}
	if (x->ngifts)
		dmo__gifts_close(x, -1);
	return false;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct dmo__explorer *dmo__x_new(const struct dmo_program *p, void *arg)
{
	struct dmo__explorer *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->sync.ops = &dmo__explore_ops;
	x->prog = p;
	x->arg = arg;
	x->cur = -1;
	x->pending = -1;
	for (int i = 0; i < 32; i++)
		x->cls_last[i] = -1;
	if (dmo__x_grow(x, 64)) {
		dmo__x_delete(x);
		return NULL;
	}
	return x;
}

/*
 * The per-event tables, for executions of up to @cap events (nodes and
 * sleep sets one more).  They grow with the longest execution seen, by
 * doubling, rather than being made for the longest one allowed: most
 * programs are short, and a search that sets up its tables for 8192
 * events touches megabytes it never uses (under ASan, with its shadow,
 * that dominated the cost of exploring a small program).
 */
int dmo__x_grow(struct dmo__explorer *x, int cap)
{
	size_t t = DMO_XMAX_THREADS, old;
	void *p;

	if (cap <= x->cap_ev)
		return 0;
	if (cap < 2 * x->cap_ev)
		cap = 2 * x->cap_ev;
	if (cap > DMO_XMAX_EVENTS)
		cap = DMO_XMAX_EVENTS;
#define DMO__GROW(field, n)                                           \
	do {                                                          \
		p = realloc(x->field, (n) * sizeof(*x->field));       \
		if (!p)                                               \
			return -ENOMEM;                               \
		x->field = p;                                         \
	} while (0)
	DMO__GROW(evs, (size_t)cap);
	DMO__GROW(vc, (size_t)cap * t);
	DMO__GROW(thr_ev, (size_t)cap * t);
	DMO__GROW(scratch, (size_t)cap);
	DMO__GROW(sleep, (size_t)(cap + 1) * t);
	DMO__GROW(nodes, (size_t)(cap + 1));
#undef DMO__GROW
	old = x->cap_ev ? (size_t)x->cap_ev + 1 : 0;
	memset(x->nodes + old, 0, ((size_t)cap + 1 - old) * sizeof(*x->nodes));
	x->cap_ev = cap;
	return 0;
}

void dmo__x_delete(struct dmo__explorer *x)
{
	if (!x)
		return;
	dmo__x_free_execution(x);
	dmo__detect_destroy(x);
	free(x->nodes);
	free(x->sleep);
	free(x->scratch);
	free(x->wpool);
	free(x->wstack);
	free(x->schedbuf);
	free(x->hsum);
	free(x->traces);
	free(x->gifts);
	free(x);
}

void dmo__x_count(const struct dmo__explorer *x, struct dmo_explore_result *r)
{
	r->executions++;
	r->events += (uint64_t)x->nev;
	if (x->blocked_exec)
		r->blocked++;
	if (x->cut)
		r->cut++;
}

int dmo_explore(const struct dmo_program *p, void *arg,
		const struct dmo_explore_opts *opts,
		struct dmo_explore_result *r)
{
	return dmo__explore_hooked(p, arg, opts, r, NULL, NULL);
}

int dmo__explore_hooked(const struct dmo_program *p, void *arg,
			const struct dmo_explore_opts *opts,
			struct dmo_explore_result *r,
			void (*on_exec)(void *cb, const struct dmo__explorer *x,
					bool complete),
			void *cb)
{
	static const struct dmo_explore_opts defaults;
	struct dmo__explorer *x;
	double t0, last;
	bool printed = false;
	int ret = 0;

	if (!p || !p->run || !r)
		return -EINVAL;
	x = dmo__x_new(p, arg);
	if (!x)
		return -ENOMEM;
	x->opts = opts ? *opts : defaults;
	x->res = r;
	x->on_exec = on_exec;
	x->exec_cb = cb;
	switch (x->opts.mode) {
	case DMO_EXPLORE_NAIVE:
		x->mode = DMO__X_NAIVE;
		break;
	case DMO_EXPLORE_RANDOM:
		x->mode = DMO__X_RANDOM;
		if (!x->opts.iterations)
			x->opts.iterations = 1000;
		x->rng = x->opts.seed;
		break;
	default:
		x->mode = DMO__X_DPOR;
		break;
	}
	r->executions = 0;
	r->blocked = 0;
	r->events = 0;
	r->violations = 0;
	r->cut = 0;
	r->redundant = 0;
	r->complete = false;
	t0 = now();
	last = t0;
	for (;;) {
		int rc = dmo__x_run(x);
		double t;

		if (rc < 0) {
			ret = rc;
			break;
		}
		dmo__x_count(x, r);
		if (x->rule_error) {
			ret = x->rule_error;
			break;
		}
		if (x->stop)
			break;
		if (!dmo__search_next(x)) {
			r->complete = x->mode != DMO__X_RANDOM;
			break;
		}
		if (x->opts.max_executions &&
		    r->executions >= x->opts.max_executions)
			break;
		if ((r->executions & 63) && !x->opts.progress)
			continue;
		t = now();
		if (x->opts.time_limit > 0 && t - t0 >= x->opts.time_limit)
			break;
		if (x->opts.progress && t - last >= 0.5) {
			fprintf(stderr,
				"\rexplored %llu executions, %llu events, %.1fs",
				(unsigned long long)r->executions,
				(unsigned long long)r->events, t - t0);
			printed = true;
			last = t;
		}
	}
	if (printed)
		fputc('\n', stderr);
	r->seconds = now() - t0;
	dmo__x_delete(x);
	return ret;
}

void dmo_explore_flag(struct dmo_sync *s, enum dmo_viol_kind kind,
		      const char *msg)
{
	struct dmo__explorer *x = dmo__x(s);

	/*
	 * A check between steps sees a bad state again at every step until
	 * it is undone: the execution reports it once, where it began.
	 */
	if (!dmo__viol_seen(x, kind, msg))
		dmo__viol(x, kind, "-", "-", msg);
}

const char *dmo_explore_schedule(struct dmo_sync *s)
{
	return dmo__sched_string(dmo__x(s));
}

/*
 * Parallel search: handing a branch to another worker.  Each worker runs
 * the program in its own memory, so an address one records means nothing
 * to another: an event crosses over with its address canonical, the
 * region it lies in (the arenas, the stacks, the program's argument) in
 * the top byte and its offset in that region below.  An address in none
 * of them cannot cross, and the branch stays where it is.
 */
#define DMO__CANON_SHIFT 56

bool dmo__canon(const struct dmo__explorer *x, struct dmo__ev *e)
{
	uintptr_t base[3];
	size_t size[3];

	if (!is_access(e) && !is_mutex(e))
		return true;
	dmo__x_regions(x, base, size);
	for (int r = 0; r < 3; r++) {
		if (e->addr >= base[r] && e->addr - base[r] < size[r]) {
			e->addr = ((uintptr_t)(r + 1) << DMO__CANON_SHIFT) |
				  (e->addr - base[r]);
			return true;
		}
	}
	return false;
}

static void uncanon(const struct dmo__explorer *x, struct dmo__ev *e)
{
	uintptr_t base[3];
	size_t size[3];
	int r;

	if (!is_access(e) && !is_mutex(e))
		return;
	dmo__x_regions(x, base, size);
	r = (int)(e->addr >> DMO__CANON_SHIFT) - 1;
	e->addr &= ((uintptr_t)1 << DMO__CANON_SHIFT) - 1;
	if (r >= 0 && r < 3)
		e->addr += base[r];
}

void dmo__task_free(struct dmo__task *t)
{
	if (!t)
		return;
	free(t->path);
	free(t->nsleep);
	free(t->sleep);
	free(t->forest);
	free(t);
}

/*
 * Add @e to the sleep set of state @k of task @t, one entry per thread:
 * @set, an entry of a sleep set (a choice holds the mask of its values
 * explored); else an event (a choice: its one value).
 */
static void task_sleep(struct dmo__task *t, int k, const struct dmo__ev *e,
		       bool set)
{
	struct dmo__ev *sl = t->sleep + (size_t)k * DMO_XMAX_THREADS;
	uint64_t mask = e->kind != DMO__EV_CHOOSE ? 0 :
			set ? e->addr : (uint64_t)1 << e->aux;

	for (int s = 0; s < t->nsleep[k]; s++) {
		if (sl[s].tid != e->tid)
			continue;
		if (sl[s].kind == DMO__EV_CHOOSE)
			sl[s].addr |= mask;
		return;
	}
	sl[t->nsleep[k]] = *e;
	if (e->kind == DMO__EV_CHOOSE)
		sl[t->nsleep[k]].addr = mask;
	t->nsleep[k]++;
}

/* Copy the forest at @n (a sibling list) into @t; its first index, -1. */
static int task_forest(struct dmo__explorer *x, struct dmo__task *t, int n,
		       bool *ok)
{
	int first = -1, *link = &first;

	for (; n >= 0; n = x->wpool[n].next) {
		struct dmo__wnode *wn = &x->wpool[n];
		int k = t->nforest++;

		if (wn->gen != x->gen) {
			wn->ev = resolve(x, &wn->ev);
			wn->gen = x->gen;
		}
		t->forest[k].ev = wn->ev;
		if (!dmo__canon(x, &t->forest[k].ev))
			*ok = false;
		t->forest[k].next = -1;
		*link = k;
		t->forest[k].child = task_forest(x, t, wn->child, ok);
		link = &t->forest[k].next;
	}
	return first;
}

static int forest_size(const struct dmo__explorer *x, int n)
{
	int k = 0;

	for (; n >= 0; n = x->wpool[n].next)
		k += 1 + forest_size(x, x->wpool[n].child);
	return k;
}

static void mark_given(struct dmo__explorer *x, int n)
{
	x->wpool[n].given = true;
	for (int c = x->wpool[n].child; c >= 0; c = x->wpool[c].next)
		mark_given(x, c);
}

/*
 * Between two executions (dmo__search_next() has set up the next one):
 * the first branch that nobody has started, of the shallowest state that
 * has one, for another worker.  It explores the branch as this worker
 * would have, from the state's sleep set joined by every branch before it
 * there (the one running, those explored, and those this worker will
 * explore first: each of them covers what it starts), and whatever its
 * races insert above the branch, it explores itself.
 */
struct dmo__task *dmo__search_donate(struct dmo__explorer *x)
{
	struct dmo__task *t;
	int at = -1, b = -1;
	bool ok = true;

	if (x->mode != DMO__X_DPOR || x->no_donate)
		return NULL;
	/*
	 * A branch at a state of the path holds nothing given unless it is
	 * given itself: only such branches are ever given, and below one
	 * only what it was given with or what is inserted later.
	 */
	for (int i = 0; i < x->prefix && i < x->nev && at < 0; i++)
		for (int c = x->nodes[i].wut; c >= 0; c = x->wpool[c].next)
			if (!x->wpool[c].given) {
				at = i;
				b = c;
				break;
			}
	if (at < 0)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->at = at;
	t->root = -1;
	t->path = calloc((size_t)at + 1, sizeof(*t->path));
	t->nsleep = calloc((size_t)at + 1, sizeof(*t->nsleep));
	t->sleep = calloc(((size_t)at + 1) * DMO_XMAX_THREADS,
			  sizeof(*t->sleep));
	t->forest = calloc((size_t)forest_size(x, x->wpool[b].child) + 1,
			   sizeof(*t->forest));
	if (!t->path || !t->nsleep || !t->sleep || !t->forest)
		goto fail;
	for (int k = 0; k <= at; k++) {
		const struct dmo__ev *sl;

		if (x->nodes[k].sleep_gen != x->gen)
			refresh_sleep(x, k);
		sl = sleep_of(x, k);
		for (int s = 0; s < x->nodes[k].nsleep; s++)
			task_sleep(t, k, &sl[s], true);
		/* An executed choice holds its value in aux. */
		if (k < at)
			t->path[k] = x->evs[k].ev;
	}
	/*
	 * What runs at the state now, and every branch before the one given
	 * (resolve() keeps a choice's value).
	 */
	{
		struct dmo__ev cur = at < x->prefix - 1 ?
					     x->evs[at].ev :
					     resolve(x, &x->nodes[at].ev);

		task_sleep(t, at, &cur, false);
	}
	for (int c = x->nodes[at].wut; c != b; c = x->wpool[c].next) {
		struct dmo__ev ev = resolve(x, &x->wpool[c].ev);

		task_sleep(t, at, &ev, false);
	}
	/* The other values of a choice given away are this worker's. */
	if (x->wpool[b].ev.kind == DMO__EV_CHOOSE)
		for (int c = x->wpool[b].next; c >= 0; c = x->wpool[c].next)
			if (x->wpool[c].ev.tid == x->wpool[b].ev.tid &&
			    x->wpool[c].ev.kind == DMO__EV_CHOOSE)
				task_sleep(t, at, &x->wpool[c].ev,
					   false);
	t->path[at] = resolve(x, &x->wpool[b].ev);
	t->root = task_forest(x, t, x->wpool[b].child, &ok);
	for (int k = 0; k <= at && ok; k++) {
		struct dmo__ev *sl = t->sleep + (size_t)k * DMO_XMAX_THREADS;

		/* Only the branch's own event is ever compared with others. */
		if (!dmo__canon(x, &t->path[k])) {
			t->path[k].addr = 0;
			ok = k < at;
		}
		for (int s = 0; s < t->nsleep[k] && ok; s++)
			ok = sl[s].kind == DMO__EV_CHOOSE || dmo__canon(x, &sl[s]);
	}
	if (!ok) {
		x->no_donate = true;
		goto fail;
	}
	t->gift = dmo__gift_new(x, at, b);
	mark_given(x, b);
	return t;
fail:
	dmo__task_free(t);
	return NULL;
}

/* Start the next execution at the branch of task @t. */
int dmo__search_install(struct dmo__explorer *x, const struct dmo__task *t)
{
	int at = t->at, *idx;

	if (dmo__x_grow(x, at + 2))
		return -ENOMEM;
	idx = calloc((size_t)t->nforest + 1, sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (int k = 0; k <= at; k++) {
		struct dmo__node *node = &x->nodes[k];
		struct dmo__ev *sl = sleep_of(x, k);

		memset(node, 0, sizeof(*node));
		node->ev = t->path[k];
		uncanon(x, &node->ev);
		node->wut = -1;
		node->nsleep = t->nsleep[k];
		/* Stale on purpose: brought up to date where first used. */
		node->sleep_gen = 0;
		for (int s = 0; s < node->nsleep; s++) {
			sl[s] = t->sleep[(size_t)k * DMO_XMAX_THREADS + s];
			if (sl[s].kind != DMO__EV_CHOOSE)
				uncanon(x, &sl[s]);
			node->sleep_mask |= (uint32_t)1 << sl[s].tid;
		}
	}
	wreserve(x, t->nforest);
	for (int k = 0; k < t->nforest; k++) {
		idx[k] = wnew(x, &t->forest[k].ev);
		uncanon(x, &x->wpool[idx[k]].ev);
		x->wpool[idx[k]].gen = 0;
	}
	for (int k = 0; k < t->nforest; k++) {
		if (t->forest[k].child >= 0)
			x->wpool[idx[k]].child = idx[t->forest[k].child];
		if (t->forest[k].next >= 0)
			x->wpool[idx[k]].next = idx[t->forest[k].next];
	}
	x->pending = t->root >= 0 ? idx[t->root] : -1;
	free(idx);
	x->prefix = at + 1;
	x->depth = at + 1;
	x->race_from = at;
	/* The first run computes the clocks of the path too. */
	x->vc_from = 0;
	x->from = t->gift;
	x->from_at = at;
	return 0;
}
