// SPDX-License-Identifier: MIT
/*
 * The parallel search: one optimal-DPOR tree explored by several workers,
 * each on an OS thread of its own, running the program with an argument
 * of its own, in explorers of its own (their coroutines, arenas and
 * search stacks).
 *
 * Work moves by donation.  A worker with nothing to do says so; a busy
 * one, between two of its executions, hands over the first branch nobody
 * has started of the shallowest state of its tree that has one
 * (dmo__search_donate()), and keeps it in its own tree marked given.  The
 * branch's new owner explores it as the giver would have, from the same
 * sleep sets: so its executions are those of the sequential search there.
 *
 * Above the branch.  A race found in the branch whose earlier event lies
 * above it asks for a sequence at a state the giver owns.  The sequential
 * search inserts it there while the branch is being explored, before it
 * leaves the state; so the new owner mails it to the giver (a gift), and
 * the giver, which takes its mail between executions, does not leave a
 * state that a branch it gave lies below until that branch is explored.
 * While it waits it helps: it takes branches from the others, in a
 * second explorer of its own (struct worker keeps them), and comes back
 * when the branch it waits for is done.  A worker only ever waits for the
 * owners of branches it gave, which never wait for it: nobody waits for
 * ever.
 *
 * So every sequence some race asks for is inserted where the sequential
 * search inserts it, nothing is lost, and nothing is blocked.  What can
 * differ is the order: a given branch is explored before the sequences
 * the giver inserts into it later, not after (the giver explores those
 * itself), and so may run a trace they run too.  Every execution's trace
 * is hashed (its events, each with its clock of the dependence order,
 * which the executions of one trace share), and a trace run again, by
 * the same explorer or another, counts as redundant.
 *
 * Between workers: the task list, the count of tasks not finished and
 * each gift's done flag are under pool.lock (the count of idle workers is
 * written under it too, and read without it as a hint; done is atomic);
 * a gift's mail and open states under its lock; the lock-order graph is
 * one graph, kept on a board under pool.board_lock (see
 * dmo__lock_order()); the stop flag and the execution count are atomics.
 * Everything else belongs to one worker, its sets of traces too, merged
 * when all are done.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "explore/explore.h"

struct board_edge {
	char *a, *b;
	const char *fn;
	char thread[32];
	char *sched;
};

/* A race reversal sent up to the giver of a branch. */
struct mail {
	int at;			/* the state to insert it at */
	int n;
	struct dmo__ev *w;	/* canonical */
};

/*
 * A branch given away, as its giver and its new owner share it: the
 * giver's states below open still have the branch they had when it was
 * given, so that a sequence a race of the new owner inserts at one of
 * them can go into the giver's own forest there, as in the sequential
 * search, and is explored once.  The giver takes its mail and closes
 * the states it leaves in one hold of the lock, in dmo__search_next().
 */
struct dmo__gift {
	pthread_mutex_t lock;
	int at;			/* the branch's state in the giver's tree */
	int node;		/* ... and its node in the giver's pool */
	int open;
	struct mail *mail;
	int nmail, cap;
	bool done;		/* its owner is done with it: atomic */
	/*
	 * The giver's own states from up_at down are not its own but those
	 * of the worker that gave it its branch, by gift up (NULL: the
	 * giver's tree is the root's, all its own).
	 */
	struct dmo__gift *up;
	int up_at;
};

/* Explorers one worker may stack, each waiting for the one above. */
#define MAX_LEVELS 16

struct worker {
	struct dmo__par *pool;
	int k;
	void *arg;
	struct dmo_explore_result res;
	struct dmo__explorer *x[MAX_LEVELS];	/* made when first needed */
};

struct dmo__par {
	pthread_mutex_t lock;
	pthread_cond_t work;	/* a task, a gift done, or the end */
	struct dmo__task *tasks;
	int active;		/* tasks given out, the first one too, not done */
	int hungry;		/* workers waiting: read without the lock */
	bool stop;		/* a limit, --first, an error: atomic */
	uint64_t executions;	/* all workers': atomic */
	int error;
	void (*on_exec)(void *cb, const struct dmo__explorer *x,
			bool complete);
	void *exec_cb;
	const struct dmo_program *prog;
	size_t arg_size;
	struct worker *wk;

	pthread_mutex_t board_lock;
	struct board_edge *edges;
	int nedges, cap_edges;

	const struct dmo_explore_opts *opts;
	double t0;
};

static void fail(struct dmo__par *pool, int err);

/* Room for more mail; under the gift's lock. */
static bool grow_mail(struct dmo__gift *g)
{
	int cap = g->cap ? 2 * g->cap : 16;
	struct mail *n = realloc(g->mail, (size_t)cap * sizeof(*n));

	if (!n)
		return false;
	g->mail = n;
	g->cap = cap;
	return true;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

/*
 * The trace of the execution that just ended, as a hash: the sum over
 * its events of a hash of the event (its thread, its place in the thread,
 * what it did) and its clock.  The clock of an event is its set of
 * dependence predecessors, which every execution of one trace shares, and
 * a sum does not depend on the order of the events.  The events before
 * the branching point are the previous execution's, clocks and all: their
 * partial sums are kept.  0 when memory runs out.
 */
uint64_t dmo__trace_hash(struct dmo__explorer *x)
{
	int from = x->vc_from;

	if (x->nev + 1 > x->cap_hsum) {
		int cap = x->nev + 1 > 2 * x->cap_hsum ? x->nev + 1 :
							  2 * x->cap_hsum;
		uint64_t *n = realloc(x->hsum, (size_t)cap * sizeof(*n));

		if (!n)
			return 0;
		x->hsum = n;
		x->cap_hsum = cap;
		from = 0;
	}
	if (from > x->nev)
		from = x->nev;
	x->hsum[0] = 0;
	for (int k = from; k < x->nev; k++) {
		const struct dmo__xevent *e = &x->evs[k];
		const uint32_t *vc = x->vc + (size_t)k * DMO_XMAX_THREADS;
		uint64_t h = ((uint64_t)e->ev.tid << 48) ^
			     ((uint64_t)e->ev.kind << 40) ^
			     ((uint64_t)(uint16_t)e->choice << 24) ^ e->tidx;

		h = h * 0x9e3779b97f4a7c15ull + e->ev.cmask;
		for (int t = 0; t < x->nthreads; t++)
			h = (h ^ vc[t]) * 0x100000001b3ull;
		x->hsum[k + 1] = x->hsum[k] + mix(h);
	}
	return x->hsum[x->nev] ? x->hsum[x->nev] : 1;
}

/* Add @h to the set @*v of @*cap slots holding @*nr; 1: already there. */
static int set_add(uint64_t **v, size_t *cap, size_t *nr, uint64_t h)
{
	size_t i;

	if ((*nr + 1) * 2 > *cap) {
		size_t ncap = *cap ? 2 * *cap : 1024;
		uint64_t *n = calloc(ncap, sizeof(*n));

		if (!n)
			return -ENOMEM;
		for (size_t j = 0; j < *cap; j++) {
			if (!(*v)[j])
				continue;
			i = (size_t)(*v)[j] & (ncap - 1);
			while (n[i])
				i = (i + 1) & (ncap - 1);
			n[i] = (*v)[j];
		}
		free(*v);
		*v = n;
		*cap = ncap;
	}
	/* @h is a hash already. */
	i = (size_t)h & (*cap - 1);
	while ((*v)[i] && (*v)[i] != h)
		i = (i + 1) & (*cap - 1);
	if ((*v)[i])
		return 1;
	(*v)[i] = h;
	(*nr)++;
	return 0;
}

/* Count the trace of @x's last execution in @x's own set. */
static void trace_add(struct dmo__par *pool, struct dmo__explorer *x,
		      bool complete)
{
	uint64_t h;

	if (pool->on_exec) {
		pthread_mutex_lock(&pool->lock);
		pool->on_exec(pool->exec_cb, x, complete);
		pthread_mutex_unlock(&pool->lock);
	}
	h = dmo__trace_hash(x);
	if (!h || set_add(&x->traces, &x->cap_traces, &x->ntraces, h) < 0)
		fail(pool, -ENOMEM);
}

/*
 * A branch to explore; NULL when the search is over or stopped, or, with
 * @wait, as soon as that gift is done.
 */
static struct dmo__task *take(struct dmo__par *pool, struct dmo__gift *wait)
{
	struct dmo__task *t = NULL;

	pthread_mutex_lock(&pool->lock);
	for (;;) {
		if (__atomic_load_n(&pool->stop, __ATOMIC_RELAXED))
			break;
		if (wait && __atomic_load_n(&wait->done, __ATOMIC_ACQUIRE))
			break;
		if (pool->tasks) {
			t = pool->tasks;
			pool->tasks = t->next;
			break;
		}
		if (!wait && !pool->active)
			break;
		__atomic_add_fetch(&pool->hungry, 1, __ATOMIC_RELAXED);
		pthread_cond_wait(&pool->work, &pool->lock);
		__atomic_sub_fetch(&pool->hungry, 1, __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&pool->lock);
	return t;
}

static void give(struct dmo__par *pool, struct dmo__task *t)
{
	pthread_mutex_lock(&pool->lock);
	t->next = pool->tasks;
	pool->tasks = t;
	pool->active++;
	pthread_cond_broadcast(&pool->work);
	pthread_mutex_unlock(&pool->lock);
}

/* A task (NULL: the first one) is explored. */
static void finish(struct dmo__par *pool, struct dmo__task *t)
{
	pthread_mutex_lock(&pool->lock);
	pool->active--;
	if (t && t->gift)
		__atomic_store_n(&t->gift->done, true, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&pool->work);
	pthread_mutex_unlock(&pool->lock);
}

static void halt_all(struct dmo__par *pool)
{
	pthread_mutex_lock(&pool->lock);
	__atomic_store_n(&pool->stop, true, __ATOMIC_RELAXED);
	pthread_cond_broadcast(&pool->work);
	pthread_mutex_unlock(&pool->lock);
}

static void fail(struct dmo__par *pool, int err)
{
	pthread_mutex_lock(&pool->lock);
	if (!pool->error)
		pool->error = err;
	pthread_mutex_unlock(&pool->lock);
	halt_all(pool);
}

/* Worker @w's explorer at @level, made if need be; NULL: no memory. */
static struct dmo__explorer *explorer(struct worker *w, int level)
{
	struct dmo__explorer *x = w->x[level];

	if (x)
		return x;
	x = dmo__x_new(w->pool->prog, w->arg);
	if (!x || dmo__x_map(x)) {
		dmo__x_delete(x);
		return NULL;
	}
	x->opts = *w->pool->opts;
	x->mode = DMO__X_DPOR;
	x->res = &w->res;
	x->par = w->pool;
	x->worker = w->k;
	x->level = level;
	x->arg_size = w->pool->arg_size;
	w->x[level] = x;
	return x;
}

static bool explore_branch(struct dmo__explorer *x);

/*
 * @x waits for gift @g: explore others' branches, in the explorer above
 * it, until @g is done.  False when the search stopped.
 */
static bool help(struct dmo__explorer *x, struct dmo__gift *g)
{
	struct dmo__par *pool = x->par;
	struct worker *w = &pool->wk[x->worker];
	struct dmo__explorer *up = NULL;
	struct dmo__task *t;

	if (x->level + 1 < MAX_LEVELS)
		up = explorer(w, x->level + 1);
	/* With no explorer to spare, only wait. */
	while ((t = up ? take(pool, g) : NULL)) {
		if (dmo__search_install(up, t)) {
			fail(pool, -ENOMEM);
		} else {
			explore_branch(up);
		}
		finish(pool, t);
		dmo__task_free(t);
	}
	if (!up) {
		pthread_mutex_lock(&pool->lock);
		while (!__atomic_load_n(&g->done, __ATOMIC_ACQUIRE) &&
		       !__atomic_load_n(&pool->stop, __ATOMIC_RELAXED))
			pthread_cond_wait(&pool->work, &pool->lock);
		pthread_mutex_unlock(&pool->lock);
	}
	return !__atomic_load_n(&pool->stop, __ATOMIC_RELAXED);
}

/*
 * Explore from where @x stands until its tree is done (true) or the pool
 * stops (false).
 */
static bool explore_branch(struct dmo__explorer *x)
{
	struct dmo__par *pool = x->par;
	const struct dmo_explore_opts *o = pool->opts;
	struct dmo_explore_result *r = x->res;

	for (;;) {
		int rc = dmo__x_run(x);
		uint64_t total;

		if (rc < 0) {
			fail(pool, rc);
			return false;
		}
		dmo__x_count(x, r);
		trace_add(pool, x, rc == 1);
		total = __atomic_add_fetch(&pool->executions, 1,
					   __ATOMIC_RELAXED);
		if (x->rule_error) {
			fail(pool, x->rule_error);
			return false;
		}
		if (x->stop) {
			halt_all(pool);
			return false;
		}
		if (__atomic_load_n(&pool->stop, __ATOMIC_RELAXED))
			return false;
		while (!dmo__search_next(x)) {
			struct dmo__gift *g = x->waiting;

			if (!g)
				return true;
			x->waiting = NULL;
			if (!help(x, g))
				return false;
		}
		if (o->max_executions && total >= o->max_executions) {
			halt_all(pool);
			return false;
		}
		if (o->time_limit > 0 && !(r->executions & 63) &&
		    now() - pool->t0 >= o->time_limit) {
			halt_all(pool);
			return false;
		}
		if (__atomic_load_n(&pool->hungry, __ATOMIC_RELAXED)) {
			struct dmo__task *t = dmo__search_donate(x);

			if (t)
				give(pool, t);
		}
	}
}

static void *worker(void *arg)
{
	struct worker *w = arg;
	struct dmo__explorer *x = w->x[0];
	struct dmo__task *t;

	if (w->k == 0) {
		explore_branch(x);
		finish(w->pool, NULL);
	}
	while ((t = take(w->pool, NULL))) {
		if (dmo__search_install(x, t))
			fail(w->pool, -ENOMEM);
		else
			explore_branch(x);
		finish(w->pool, t);
		dmo__task_free(t);
	}
	return NULL;
}

static void gift_free(struct dmo__gift *g)
{
	for (int m = 0; m < g->nmail; m++)
		free(g->mail[m].w);
	free(g->mail);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

struct dmo__gift *dmo__gift_new(struct dmo__explorer *x, int at, int node)
{
	struct dmo__gift *g;

	if (x->ngifts == x->cap_gifts) {
		int cap = x->cap_gifts ? 2 * x->cap_gifts : 8;
		void *n = realloc(x->gifts, (size_t)cap * sizeof(*x->gifts));

		if (!n)
			return NULL;
		x->gifts = n;
		x->cap_gifts = cap;
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	pthread_mutex_init(&g->lock, NULL);
	g->at = at;
	g->node = node;
	g->open = at + 1;
	g->up = x->from;
	g->up_at = x->from ? x->from_at : -1;
	x->gifts[x->ngifts++] = g;
	return g;
}

void dmo__gifts_open(struct dmo__explorer *x)
{
	for (int k = 0; k < x->ngifts; k++) {
		struct dmo__gift *g = x->gifts[k];

		pthread_mutex_lock(&g->lock);
		for (int m = 0; m < g->nmail; m++) {
			dmo__search_mail(x, g->mail[m].at, g->mail[m].w,
					 g->mail[m].n,
					 g->mail[m].at == g->at ? g->node : -1);
			free(g->mail[m].w);
		}
		g->nmail = 0;
	}
}

bool dmo__gifts_wait(struct dmo__explorer *x, int i)
{
	int to = i < 0 ? 0 : i;

	for (int k = 0; k < x->ngifts; k++) {
		struct dmo__gift *g = x->gifts[k];

		if (g->open > to &&
		    !__atomic_load_n(&g->done, __ATOMIC_ACQUIRE)) {
			x->waiting = g;
			for (int j = 0; j < x->ngifts; j++)
				pthread_mutex_unlock(&x->gifts[j]->lock);
			return true;
		}
	}
	return false;
}

void dmo__gifts_close(struct dmo__explorer *x, int i)
{
	int kept = 0;

	for (int k = 0; k < x->ngifts; k++) {
		struct dmo__gift *g = x->gifts[k];
		int to = i < 0 ? 0 : i;

		if (g->open > to)
			g->open = to;
		/*
		 * Its owner is done: no more mail can come, and nobody else
		 * looks at it (the gifts that owner gave in turn, which
		 * point to it, are done too).
		 */
		if (__atomic_load_n(&g->done, __ATOMIC_ACQUIRE)) {
			pthread_mutex_unlock(&g->lock);
			gift_free(g);
			continue;
		}
		x->gifts[kept++] = g;
		pthread_mutex_unlock(&g->lock);
	}
	x->ngifts = kept;
}

bool dmo__gift_forward(struct dmo__explorer *x, int e,
		       const struct dmo__ev *w, int n)
{
	struct dmo__gift *g = x->from;
	struct mail m = { .at = e, .n = n };
	bool sent = false;

	/* To the worker whose state @e is. */
	while (g->up && e <= g->up_at)
		g = g->up;

	m.w = malloc((size_t)n * sizeof(*m.w));
	if (!m.w)
		return false;
	memcpy(m.w, w, (size_t)n * sizeof(*m.w));
	for (int k = 0; k < n; k++)
		if (!dmo__canon(x, &m.w[k])) {
			free(m.w);
			return false;
		}
	pthread_mutex_lock(&g->lock);
	if (e < g->open && (g->nmail < g->cap || grow_mail(g))) {
		g->mail[g->nmail++] = m;
		sent = true;
	}
	pthread_mutex_unlock(&g->lock);
	if (!sent)
		free(m.w);
	return sent;
}

void dmo__board_lock(struct dmo__explorer *x)
{
	pthread_mutex_lock(&x->par->board_lock);
}

void dmo__board_unlock(struct dmo__explorer *x)
{
	pthread_mutex_unlock(&x->par->board_lock);
}

/* Under the board lock. */
void dmo__board_import(struct dmo__explorer *x)
{
	struct dmo__par *pool = x->par;

	for (; x->board_seen < pool->nedges; x->board_seen++) {
		const struct board_edge *be = &pool->edges[x->board_seen];
		struct dmo__ledge *e;
		bool mine = false;

		for (int i = 0; i < x->nedges && !mine; i++)
			mine = x->edges[i].board == x->board_seen;
		if (mine)
			continue;
		e = dmo__edge_append(x, be->a, be->b);
		if (!e)
			return;
		e->sched = be->sched ? strdup(be->sched) : NULL;
		e->fn = be->fn;
		memcpy(e->thread, be->thread, sizeof(e->thread));
		e->foreign = true;
		e->board = x->board_seen;
	}
}

/* Under the board lock. */
void dmo__board_publish(struct dmo__explorer *x, int i)
{
	struct dmo__par *pool = x->par;
	struct dmo__ledge *e = &x->edges[i];
	struct board_edge *be;

	if (pool->nedges == pool->cap_edges) {
		int cap = pool->cap_edges ? 2 * pool->cap_edges : 16;
		void *n = realloc(pool->edges, (size_t)cap * sizeof(*be));

		if (!n)
			return;
		pool->edges = n;
		pool->cap_edges = cap;
	}
	be = &pool->edges[pool->nedges];
	memset(be, 0, sizeof(*be));
	be->a = strdup(e->a);
	be->b = strdup(e->b);
	if (!be->a || !be->b) {
		free(be->a);
		free(be->b);
		return;
	}
	be->fn = e->fn;
	memcpy(be->thread, e->thread, sizeof(be->thread));
	e->board = pool->nedges++;
	/* Its own edge: nothing to import. */
	if (x->board_seen == e->board)
		x->board_seen++;
}

char *dmo__board_sched(struct dmo__explorer *x, int i)
{
	char *s = NULL;

	if (i < 0)
		return NULL;
	dmo__board_lock(x);
	if (x->par->edges[i].sched)
		s = strdup(x->par->edges[i].sched);
	dmo__board_unlock(x);
	return s;
}

void dmo__board_set_sched(struct dmo__explorer *x, int i, const char *s)
{
	if (i < 0)
		return;
	dmo__board_lock(x);
	if (!x->par->edges[i].sched)
		x->par->edges[i].sched = strdup(s);
	dmo__board_unlock(x);
}

int dmo__explore_parallel_hooked(
	const struct dmo_program *p, void *const *args, size_t arg_size, int n,
	const struct dmo_explore_opts *opts, struct dmo_explore_result *r,
	void (*on_exec)(void *cb, const struct dmo__explorer *x,
			bool complete),
	void *cb)
{
	static const struct dmo_explore_opts defaults;
	pthread_t tid[DMO_EXPLORE_MAX_THREADS];
	bool started[DMO_EXPLORE_MAX_THREADS] = { false };
	struct dmo__par pool;
	struct worker *wk;
	uint64_t *all = NULL;
	size_t cap = 0, nr = 0;
	int ret = 0;

	if (!opts)
		opts = &defaults;
	if (!p || !p->run || !r || !args || n < 1 || n > DMO_EXPLORE_MAX_THREADS ||
	    opts->mode != DMO_EXPLORE_DPOR)
		return -EINVAL;
	wk = calloc((size_t)n, sizeof(*wk));
	if (!wk)
		return -ENOMEM;
	memset(&pool, 0, sizeof(pool));
	pthread_mutex_init(&pool.lock, NULL);
	pthread_mutex_init(&pool.board_lock, NULL);
	pthread_cond_init(&pool.work, NULL);
	pool.opts = opts;
	pool.on_exec = on_exec;
	pool.exec_cb = cb;
	pool.prog = p;
	pool.arg_size = arg_size;
	pool.wk = wk;
	/* The root, worker 0's. */
	pool.active = 1;
	for (int k = 0; k < n; k++) {
		wk[k].pool = &pool;
		wk[k].k = k;
		wk[k].arg = args[k];
		wk[k].res.on_violation = r->on_violation;
		wk[k].res.arg = args[k];
		if (!explorer(&wk[k], 0)) {
			ret = -ENOMEM;
			goto out;
		}
	}
	pool.t0 = now();
	for (int k = 1; k < n; k++) {
		if (pthread_create(&tid[k], NULL, worker, &wk[k])) {
			fail(&pool, -ENOMEM);
			break;
		}
		started[k] = true;
	}
	worker(&wk[0]);
	for (int k = 1; k < n; k++)
		if (started[k])
			pthread_join(tid[k], NULL);
	ret = pool.error;
	r->executions = 0;
	r->blocked = 0;
	r->events = 0;
	r->violations = 0;
	r->cut = 0;
	r->redundant = 0;
	/*
	 * Each explorer counted its traces once: those it ran again are
	 * redundant, and so are those another one ran too.
	 */
	for (int k = 0; k < n; k++) {
		uint64_t distinct = 0;

		r->executions += wk[k].res.executions;
		r->blocked += wk[k].res.blocked;
		r->events += wk[k].res.events;
		r->violations += wk[k].res.violations;
		r->cut += wk[k].res.cut;
		for (int l = 0; l < MAX_LEVELS && wk[k].x[l]; l++) {
			const struct dmo__explorer *x = wk[k].x[l];

			distinct += x->ntraces;
			for (size_t i = 0; i < x->cap_traces; i++) {
				int dup;

				if (!x->traces[i])
					continue;
				dup = set_add(&all, &cap, &nr, x->traces[i]);
				if (dup < 0 && !ret)
					ret = -ENOMEM;
				r->redundant += dup > 0;
			}
		}
		r->redundant += wk[k].res.executions - distinct;
	}
	free(all);
	r->complete = !pool.stop && !ret;
	r->seconds = now() - pool.t0;
out:
	/* A search that stopped leaves gifts behind: every one is a giver's. */
	for (int k = 0; k < n; k++)
		for (int l = 0; l < MAX_LEVELS; l++) {
			struct dmo__explorer *x = wk[k].x[l];

			for (int i = 0; x && i < x->ngifts; i++)
				gift_free(x->gifts[i]);
			dmo__x_delete(x);
		}
	free(wk);
	while (pool.tasks) {
		struct dmo__task *t = pool.tasks;

		pool.tasks = t->next;
		dmo__task_free(t);
	}
	for (int i = 0; i < pool.nedges; i++) {
		free(pool.edges[i].a);
		free(pool.edges[i].b);
		free(pool.edges[i].sched);
	}
	free(pool.edges);
	pthread_cond_destroy(&pool.work);
	pthread_mutex_destroy(&pool.board_lock);
	pthread_mutex_destroy(&pool.lock);
	return ret;
}

int dmo_explore_parallel(const struct dmo_program *p, void *const *args,
			 size_t arg_size, int n,
			 const struct dmo_explore_opts *opts,
			 struct dmo_explore_result *r)
{
	return dmo__explore_parallel_hooked(p, args, arg_size, n, opts, r,
					    NULL, NULL);
}

