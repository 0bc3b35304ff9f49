// SPDX-License-Identifier: MIT
/*
 * The explorer backend of the sync seam, and the engine that runs one
 * execution.
 *
 * Each seam call made by a thread only posts what it wants to do; step()
 * performs it once the search has picked that thread, with every other
 * thread stopped at its own seam call.  So an operation is atomic with
 * respect to every other thread by construction, and every bit of
 * bookkeeping (happens-before clocks, the race and use-after-free checks,
 * the trace line) sees the world exactly as the operation did.  Whether
 * step() runs on the scheduler's stack or, when the search picks the
 * thread that is already running, on that thread's own (see post()),
 * makes no difference to what it does.
 *
 * A thread that hits a BUG or a use after free stops where it stands:
 * its coroutine is abandoned and never resumed, what it holds stays held,
 * and the other threads go on.  An execution ends when nobody can run:
 * every thread has returned (complete), or the live ones are blocked (a
 * deadlock, unless they only wait for a stopped thread), or a limit was
 * hit.  finish() is told whether it was complete, and the explorer
 * reclaims every dmo_alloc() block itself, so nothing an abandoned stack
 * pointed to leaks.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "explore/explore.h"

#ifdef DMO_XASAN
#include <sanitizer/asan_interface.h>
#endif

#define MUTEX_MAGIC 0x646d6f78u

/* What a mutex's storage holds under this backend. */
struct xmutex_impl {
	uint32_t magic;
	uint32_t gen;		/* execution that initialised it */
	int32_t slot;		/* into dmo__explorer.mtx */
};

_Static_assert(sizeof(struct xmutex_impl) <=
		       sizeof(((struct dmo_mutex *)0)->impl),
	       "mutex storage too small");

static struct dmo__xthread *self(struct dmo__explorer *x)
{
	return x->cur >= 0 ? &x->th[x->cur] : &x->outsider;
}

static bool step(struct dmo__explorer *x, int tid, int choice);
static inline __attribute__((always_inline)) bool
step_in(struct dmo__explorer *x, int tid, int choice);
static void after_step(struct dmo__explorer *x);

/*
 * Thread @tid hit a BUG or a use after free: it stops where it stands,
 * holding what it holds, and the others go on.  In the kernel the task
 * that oopses dies there; until it does it is just a thread that has not
 * taken its next step yet, so what the others do meanwhile is what some
 * schedule shows, and the search must see it: the write that would have
 * kept the BUG away may come from a thread that had not reached it when
 * the BUG fired.
 */
static void stop_thread(struct dmo__explorer *x, int tid)
{
	struct dmo__xthread *t = &x->th[tid];

	if (t->state != DMO__T_LIVE)
		return;
	t->state = DMO__T_DEAD;
	x->nlive--;
	x->ndead++;
	x->cut = true;
	if (x->first_cut < 0)
		x->first_cut = x->nev;
}

/* The running thread @t has stopped: leave its stack for good. */
static __attribute__((noreturn)) void leave(struct dmo__explorer *x,
					    struct dmo__xthread *t)
{
	if (x->spawning && x->spawner >= 0 && t != &x->th[x->spawner])
		dmo__coro_switch(x, t, &x->th[x->spawner], true);
	else
		dmo__coro_yield(x, t, true);
	__builtin_trap();
}

/*
 * May the running thread @me ask the search who runs next, instead of
 * going back to the scheduler?  Yes when the answer is known to be some
 * thread: in the replayed prefix, or when a thread can run.  Otherwise
 * (nobody can run: the execution is over, or deadlocked) the scheduler
 * handles the end.
 */
static bool may_pick(struct dmo__explorer *x, int me)
{
	if (x->nev < x->prefix || dmo__x_enabled(x, me))
		return true;
	for (int i = 0; i < x->nthreads; i++)
		if (i != me && dmo__x_enabled(x, i))
			return true;
	return false;
}

/*
 * Post the pending op and wait until it has been performed.
 *
 * A round trip through the scheduler's stack costs two context switches
 * and a mispredicted return each, and most steps need none: the thread
 * asks the search itself, on its own stack, who runs next.  When the
 * answer is itself (a replayed prefix is mostly long runs of one thread)
 * it performs the step in place and carries on; when it is another
 * thread, it performs that thread's step and switches straight to it,
 * leaving its own op pending for whoever picks it later.  A thread that
 * cannot run (blocked, or just ended: see dmo__x_end()) does the same,
 * switching away for good when it has ended.  Only what needs the
 * scheduler (nobody can run, the execution is over, a child being
 * spawned) goes there, with the search's answer left for it so that the
 * search is asked exactly once per step.
 */
static uint64_t post(struct dmo__explorer *x)
{
	struct dmo__xthread *t = self(x);
	int me = x->cur;

	if (me < 0) {
		/* step_check or finish called the seam: a broken program. */
		dmo__viol(x, DMO_VIOL_BUG, t->op.fn, "-",
			  "seam called from a between-steps hook");
		return 0;
	}
	if (x->spawning && x->spawner >= 0) {
		/* First op of a child being spawned: back to the spawner. */
		dmo__coro_switch(x, t, &x->th[x->spawner], false);
		return t->op.result;
	}
	while (!x->spawning && !x->halt && !x->rule_error &&
	       x->nev < DMO_XMAX_EVENTS && may_pick(x, me)) {
		int choice = -1;
		int tid;
		bool go_on;

		tid = dmo__pick(x, &choice);
		if (tid < 0) {
			x->stashed = true;
			x->stash_tid = tid;
			x->stash_choice = choice;
			break;
		}
		go_on = step(x, tid, choice);
		if (x->halt) {
			/* The execution is over; nobody is resumed. */
			dmo__coro_yield(x, t, tid == me);
			__builtin_trap();
		}
		after_step(x);
		if (t->state == DMO__T_DEAD)
			leave(x, t);
		if (tid == me && go_on)
			return t->op.result;
		if (go_on) {
			/*
			 * Our op is still pending: whoever picks us runs it.
			 * An ended thread is never picked: it leaves for good.
			 */
			dmo__coro_switch(x, t, &x->th[tid],
					 t->state == DMO__T_DONE);
			return t->op.result;
		}
		/* @tid (maybe this very thread) ended or stopped: ask again. */
	}
	dmo__coro_yield(x, t, t->state == DMO__T_DONE);
	return t->op.result;
}

/*
 * The calling thread's next operation, with what every kind shares filled
 * in; the caller adds its own fields and posts it.
 */
static inline struct dmo__op *op_begin(struct dmo__explorer *x,
				       enum dmo__opk kind, const char *what,
				       const char *fn)
{
	struct dmo__op *op = &self(x)->op;

	op->kind = kind;
	op->what = what;
	op->fn = fn;
	return op;
}

/*
 * A thread's body returned: its end is a step like any other, taken in
 * place when the search picks it at once.  Once it is taken, the thread
 * carries on asking the search and hands the CPU straight to the next
 * thread, never to be resumed; it returns only when its end is still
 * pending (the scheduler or another thread will take it), and the caller
 * then leaves for good.
 */
void dmo__x_end(struct dmo__explorer *x)
{
	op_begin(x, DMO__OP_END, "", "-");
	post(x);
}

static int new_mutex_slot(struct dmo__explorer *x, const struct dmo_mutex *m,
			  const char *name)
{
	struct xmutex_impl *im = (struct xmutex_impl *)(void *)m->impl;
	struct dmo__xmutex *xm;

	if (x->nmtx == x->cap_mtx) {
		int cap = x->cap_mtx ? 2 * x->cap_mtx : 64;
		void *n = realloc(x->mtx, (size_t)cap * sizeof(*x->mtx));

		if (!n)
			abort();
		x->mtx = n;
		x->cap_mtx = cap;
	}
	xm = &x->mtx[x->nmtx];
	memset(xm, 0, sizeof(*xm));
	xm->m = m;
	xm->name = name ? name : "mutex";
	xm->owner = -1;
	xm->last_ev = -1;
	xm->last_lock = -1;
	im->magic = MUTEX_MAGIC;
	im->gen = x->gen;
	im->slot = x->nmtx;
	return x->nmtx++;
}

int dmo__x_mutex_slot(struct dmo__explorer *x, const struct dmo_mutex *m)
{
	const struct xmutex_impl *im = (const void *)m->impl;

	if (im->magic == MUTEX_MAGIC && im->gen == x->gen &&
	    im->slot >= 0 && im->slot < x->nmtx && x->mtx[im->slot].m == m)
		return im->slot;
	/* Not initialised in this execution: adopt it as it is. */
	return new_mutex_slot(x, m, m->name);
}

static void op_mutex_init(struct dmo_sync *s, struct dmo_mutex *m,
			  const char *name)
{
	m->name = name;
	new_mutex_slot(dmo__x(s), m, name);
}

static void op_mutex_destroy(struct dmo_sync *s, struct dmo_mutex *m)
{
	(void)s;
	memset(m->impl, 0, sizeof(m->impl));
}

static void op_mutex_lock(struct dmo_sync *s, struct dmo_mutex *m,
			  const char *fn)
{
	struct dmo__explorer *x = dmo__x(s);

	op_begin(x, DMO__OP_LOCK, m->name, fn)->p = m;
	post(x);
}

static void op_mutex_unlock(struct dmo_sync *s, struct dmo_mutex *m,
			    const char *fn)
{
	struct dmo__explorer *x = dmo__x(s);

	op_begin(x, DMO__OP_UNLOCK, m->name, fn)->p = m;
	post(x);
}

static bool op_mutex_held(struct dmo_sync *s, const struct dmo_mutex *m)
{
	struct dmo__explorer *x = dmo__x(s);

	if (x->cur < 0)
		return false;
	return x->mtx[dmo__x_mutex_slot(x, m)].owner == x->cur;
}

static uint64_t op_load(struct dmo_sync *s, const void *p, size_t size,
			enum dmo_access acc, const char *what, const char *fn)
{
	struct dmo__explorer *x = dmo__x(s);
	struct dmo__op *op = op_begin(x, DMO__OP_LOAD, what, fn);

	op->p = (void *)(uintptr_t)p;
	op->size = size;
	op->val = acc;
	return post(x);
}

static void op_store(struct dmo_sync *s, void *p, size_t size, uint64_t v,
		     enum dmo_access acc, const char *what, const char *fn)
{
	struct dmo__explorer *x = dmo__x(s);
	struct dmo__op *op = op_begin(x, DMO__OP_STORE, what, fn);

	op->p = p;
	op->size = size;
	op->val = v;
	op->expected = acc;
	post(x);
}

static uint64_t op_fetch_add(struct dmo_sync *s, void *p, size_t size,
			     uint64_t v, const char *what, const char *fn)
{
	struct dmo__explorer *x = dmo__x(s);
	struct dmo__op *op = op_begin(x, DMO__OP_ADD, what, fn);

	op->p = p;
	op->size = size;
	op->val = v;
	return post(x);
}

static bool op_cmpxchg(struct dmo_sync *s, void *p, size_t size,
		       uint64_t *expected, uint64_t desired, const char *what,
		       const char *fn)
{
	struct dmo__explorer *x = dmo__x(s);
	struct dmo__op *op = op_begin(x, DMO__OP_CAS, what, fn);
	bool ok;

	op->p = p;
	op->size = size;
	op->val = desired;
	op->expected = *expected;
	ok = post(x) != 0;
	*expected = op->expected;
	return ok;
}

static int op_choose(struct dmo_sync *s, int n, const char *what,
		     const char *fn)
{
	struct dmo__explorer *x = dmo__x(s);

	if (n <= 1)
		return 0;
	if (n > 64)
		n = 64;
	op_begin(x, DMO__OP_CHOOSE, what, fn)->n = n;
	return (int)post(x);
}

static void *op_alloc(struct dmo_sync *s, size_t size, const char *what)
{
	struct dmo__explorer *x = dmo__x(s);

	/* The seam is not told who allocates: no function. */
	op_begin(x, DMO__OP_ALLOC, what, "-")->size = size;
	return (void *)(uintptr_t)post(x);
}

static void op_free(struct dmo_sync *s, void *p, const char *fn)
{
	struct dmo__explorer *x = dmo__x(s);

	if (!p)
		return;
	op_begin(x, DMO__OP_FREE, "", fn)->p = p;
	post(x);
}

static int op_thread_create(struct dmo_sync *s, struct dmo_thread **t,
			    const char *name, dmo_thread_fn fn, void *arg)
{
	struct dmo__explorer *x = dmo__x(s);
	struct dmo__op *op = op_begin(x, DMO__OP_SPAWN, name, "thread_create");
	int ret;

	op->tfn = fn;
	op->targ = arg;
	op->tname = name;
	ret = (int)post(x);
	if (ret == 0)
		*t = (struct dmo_thread *)&x->th[op->target];
	return ret;
}

static void op_thread_join(struct dmo_sync *s, struct dmo_thread *t,
			   const char *fn)
{
	struct dmo__explorer *x = dmo__x(s);
	struct dmo__xthread *xt = (struct dmo__xthread *)t;

	op_begin(x, DMO__OP_JOIN, xt->name, fn)->target = (int)(xt - x->th);
	post(x);
}

static int op_thread_self(struct dmo_sync *s)
{
	return dmo__x(s)->cur;
}

static void op_report(struct dmo_sync *s, enum dmo_viol_kind kind,
		      const char *fn, const char *msg)
{
	struct dmo__explorer *x = dmo__x(s);
	const char *tname = x->cur >= 0 ? self(x)->name : "-";

	dmo__viol(x, kind, fn, tname, msg);
	if (x->cur < 0 || (kind != DMO_VIOL_BUG && kind != DMO_VIOL_UAF &&
			   kind != DMO_VIOL_DEADLOCK))
		return;
	/* The thread stops here; this coroutine is never resumed. */
	stop_thread(x, x->cur);
	leave(x, self(x));
}

static void op_note(struct dmo_sync *s, const char *fn, const char *msg)
{
	struct dmo__explorer *x = dmo__x(s);

	if (x->mode == DMO__X_REPLAY)
		dmo__trace_step(x, x->cur, "note", fn, "%s", msg);
}

/*
 * A ghost update is not a step.  One that a check watches takes effect
 * with its thread's next step, as part of it: the update is local code,
 * and the local code between two steps may run at any moment between
 * them, so placing it at the second is as true as placing it at the
 * first.  What decides is that the step's dependences are then known
 * when the step is posted, from the thread's own history alone, as the
 * reduction requires of every event: a ghost made part of the step
 * before it would make that step's dependences hang on what its local
 * code did next, which can change with what it read.  A thread that
 * stops at a BUG before its next step never makes the updates it had
 * pending.  Unwatched ghosts (read only at the end) change at once.
 */
static int op_ghost_add(struct dmo_sync *s, int *p, int delta)
{
	struct dmo__explorer *x = dmo__x(s);
	struct dmo__xthread *t;
	uint32_t m;
	int i;

	m = x->cur >= 0 ? dmo__watch_mask(x, (uintptr_t)p) : 0;
	if (!m) {
		*p += delta;
		return *p;
	}
	t = self(x);
	for (i = 0; i < t->nghost && t->ghost[i].p != p; i++)
		;
	if (i == t->nghost) {
		if (i == DMO_XMAX_GHOST) {
			x->rule_error = -EINVAL;
			*p += delta;
			return *p;
		}
		t->ghost[i].p = p;
		t->ghost[i].delta = 0;
		t->nghost++;
	}
	t->ghost[i].delta += delta;
	t->gmask |= m;
	return *p + t->ghost[i].delta;
}

/* The ghost updates @t's local code made since its last step, applied. */
static void apply_ghosts(struct dmo__xthread *t)
{
	for (int i = 0; i < t->nghost; i++)
		*t->ghost[i].p += t->ghost[i].delta;
	t->nghost = 0;
	t->gmask = 0;
}

static void op_watch(struct dmo_sync *s, const void *p, size_t size,
		     const void *cls)
{
	if (dmo__watch_add(dmo__x(s), p, size, cls))
		abort();
}

const struct dmo_sync_ops dmo__explore_ops = {
	.mutex_init = op_mutex_init,
	.mutex_destroy = op_mutex_destroy,
	.mutex_lock = op_mutex_lock,
	.mutex_unlock = op_mutex_unlock,
	.mutex_held = op_mutex_held,
	.load = op_load,
	.store = op_store,
	.fetch_add = op_fetch_add,
	.cmpxchg = op_cmpxchg,
	.choose = op_choose,
	.alloc = op_alloc,
	.free = op_free,
	.thread_create = op_thread_create,
	.thread_join = op_thread_join,
	.thread_self = op_thread_self,
	.report = op_report,
	.note = op_note,
	.ghost_add = op_ghost_add,
	.watch = op_watch,
};

/* The scheduler's side. */

static uint64_t mem_read(const void *p, size_t size)
{
	switch (size) {
	case 1:
		return *(const uint8_t *)p;
	case 2:
		return *(const uint16_t *)p;
	case 4:
		return *(const uint32_t *)p;
	default:
		return *(const uint64_t *)p;
	}
}

static void mem_write(void *p, size_t size, uint64_t v)
{
	switch (size) {
	case 1:
		*(uint8_t *)p = (uint8_t)v;
		break;
	case 2:
		*(uint16_t *)p = (uint16_t)v;
		break;
	case 4:
		*(uint32_t *)p = (uint32_t)v;
		break;
	default:
		*(uint64_t *)p = v;
		break;
	}
}

static uint64_t size_mask(size_t size)
{
	return size >= 8 ? ~(uint64_t)0 : ((uint64_t)1 << (8 * size)) - 1;
}

static struct dmo__xblock *freed_block(struct dmo__explorer *x, uintptr_t a)
{
	if (!x->any_freed)
		return NULL;
	for (int i = 0; i < x->nblocks; i++) {
		struct dmo__xblock *b = &x->blocks[i];

		if (b->freed && a >= (uintptr_t)b->p &&
		    a < (uintptr_t)b->p + (b->size ? b->size : 1))
			return b;
	}
	return NULL;
}

/* The pending op of @tid as an event, judged on the current state. */
static inline __attribute__((always_inline)) struct dmo__ev
pending_ev(struct dmo__explorer *x, int tid)
{
	const struct dmo__op *op = &x->th[tid].op;
	struct dmo__ev ev = { .tid = (uint8_t)tid,
			      .tidx = x->th[tid].nev + 1,
			      .cmask = x->th[tid].gmask };

	switch (op->kind) {
	case DMO__OP_LOAD:
		ev.kind = DMO__EV_READ;
		break;
	case DMO__OP_STORE:
	case DMO__OP_ADD:
		ev.kind = DMO__EV_WRITE;
		break;
	case DMO__OP_CAS:
		ev.aux = DMO__AUX_CAS;
		if (freed_block(x, (uintptr_t)op->p)) {
			ev.kind = DMO__EV_WRITE;
			break;
		}
		ev.kind = (mem_read(op->p, op->size) & size_mask(op->size)) ==
					  (op->expected & size_mask(op->size)) ?
				  DMO__EV_WRITE :
				  DMO__EV_READ;
		break;
	case DMO__OP_LOCK:
		ev.kind = DMO__EV_LOCK;
		ev.addr = (uintptr_t)op->p;
		return ev;
	case DMO__OP_UNLOCK:
		/*
		 * An unlock by a thread that does not hold the mutex fails
		 * (a BUG) whatever the others do: it depends on nothing.
		 */
		if (x->mtx[dmo__x_mutex_slot(x, op->p)].owner != tid) {
			ev.kind = DMO__EV_LOCAL;
			return ev;
		}
		ev.kind = DMO__EV_UNLOCK;
		ev.addr = (uintptr_t)op->p;
		return ev;
	case DMO__OP_CHOOSE:
		ev.kind = DMO__EV_CHOOSE;
		return ev;
	case DMO__OP_ALLOC:
		ev.kind = DMO__EV_LOCAL;
		return ev;
	case DMO__OP_FREE: {
		ev.kind = DMO__EV_WRITE;
		ev.addr = (uintptr_t)op->p;
		ev.size = 1;
		for (int i = 0; i < x->nblocks; i++)
			if (x->blocks[i].p == op->p)
				ev.size = (uint32_t)x->blocks[i].size;
		ev.cmask |= dmo__watch_range(x, ev.addr, ev.size);
		return ev;
	}
	case DMO__OP_SPAWN:
		ev.kind = DMO__EV_SPAWN;
		ev.aux = (uint16_t)x->nthreads;
		return ev;
	case DMO__OP_JOIN:
		ev.kind = DMO__EV_JOIN;
		ev.aux = (uint16_t)op->target;
		return ev;
	case DMO__OP_END:
		ev.kind = DMO__EV_END;
		return ev;
	}
	ev.addr = (uintptr_t)op->p;
	ev.size = (uint32_t)op->size;
	if (ev.kind == DMO__EV_WRITE)
		ev.cmask |= dmo__watch_mask(x, ev.addr);
	return ev;
}

struct dmo__ev dmo__x_pending_ev(struct dmo__explorer *x, int tid)
{
	return pending_ev(x, tid);
}

/*
 * Would the cmpxchg @cas (event @e2 of this execution, or when @e2 is
 * x->nev the op its thread was left waiting to perform) succeed if it ran
 * just before event @e, as a race reversal moves it?  Only the events
 * between that do not happen after @e run before it then, in their order,
 * and every write to its location that it followed is among them: one
 * that happened after @e would order @e before the cmpxchg, and the two
 * would be no race.  So it finds what it found where it ran, unless @e
 * itself wrote the location: then it finds what was there before @e, and
 * if @e freed the block, what the block held when freed.  A block freed
 * by another event before it stays freed: it writes, as a use after free.
 */
bool dmo__x_cas_moved(struct dmo__explorer *x, int e, int e2,
		      const struct dmo__ev *cas)
{
	const struct dmo__ev *a = &x->evs[e].ev;
	const struct dmo__xblock *b = NULL;
	uint64_t m = size_mask(cas->size), v, expect;

	for (int i = 0; i < x->nblocks; i++)
		if (cas->addr >= (uintptr_t)x->blocks[i].p &&
		    cas->addr < (uintptr_t)x->blocks[i].p + x->blocks[i].size)
			b = &x->blocks[i];
	if (b && b->freed && b->free_ev != e && b->free_ev < e2)
		return true;
	if (b && b->freed && b->free_ev == e) {
		if (!b->last)
			return true;
		v = mem_read(b->last + (cas->addr - (uintptr_t)b->p), cas->size);
	} else if (a->kind == DMO__EV_WRITE && a->addr < cas->addr + cas->size &&
		   cas->addr < a->addr + a->size) {
		if (a->addr != cas->addr || a->size != cas->size)
			return true;
		v = x->evs[e].pre;
	} else if (e2 < x->nev) {
		v = x->evs[e2].pre;
	} else {
		v = mem_read((const void *)cas->addr, cas->size);
	}
	if (e2 < x->nev)
		expect = x->evs[e2].expect;
	else
		expect = x->th[cas->tid].op.expected;
	return (v & m) == (expect & m);
}

static const char *op_verb(const struct dmo__op *op)
{
	switch (op->kind) {
	case DMO__OP_LOAD:
		return "read";
	case DMO__OP_STORE:
		return "write";
	case DMO__OP_FREE:
		return "free";
	case DMO__OP_LOCK:
		return "lock";
	case DMO__OP_UNLOCK:
		return "unlock";
	default:
		return "rmw";
	}
}

static void use_after_free(struct dmo__explorer *x, int tid,
			   const struct dmo__xblock *b)
{
	struct dmo__xthread *t = &x->th[tid];
	char msg[DMO_XMSG];

	if (t->op.kind == DMO__OP_FREE)
		snprintf(msg, sizeof(msg),
			 "double free of %s in %s by %s (first freed in %s by %s)",
			 b->what, t->op.fn, t->name, b->free_fn,
			 x->th[b->free_tid].name);
	else
		snprintf(msg, sizeof(msg),
			 "use after free: %s %s in %s by %s (%s freed in %s by %s)",
			 op_verb(&t->op), t->op.what, t->op.fn, t->name,
			 b->what, b->free_fn, x->th[b->free_tid].name);
	if (x->mode == DMO__X_REPLAY)
		dmo__trace_step(x, tid, op_verb(&t->op), t->op.fn, "%s",
				t->op.what);
	dmo__viol(x, DMO_VIOL_UAF, t->op.fn, t->name, msg);
	stop_thread(x, tid);
}

static void trace_access(struct dmo__explorer *x, int tid,
			 const struct dmo__op *op, uint64_t old, bool ok)
{
	const char *w = op->what;
	char v[DMO_XVAL];

	switch (op->kind) {
	case DMO__OP_LOAD:
		dmo__trace_step(x, tid, "read", op->fn, "%s == %s", w,
				dmo__trace_value(x, old, op->size, v,
						 sizeof(v)));
		break;
	case DMO__OP_STORE:
		dmo__trace_step(x, tid, "write", op->fn, "%s = %s", w,
				dmo__trace_value(x,
						 op->val & size_mask(op->size),
						 op->size, v, sizeof(v)));
		break;
	case DMO__OP_ADD:
		dmo__trace_step(x, tid, "rmw", op->fn,
				"%s += 0x%" PRIx64 " (was 0x%" PRIx64 ")", w,
				op->val & size_mask(op->size), old);
		break;
	default:
		dmo__trace_step(x, tid, "rmw", op->fn,
				"cmpxchg %s 0x%" PRIx64 " -> 0x%" PRIx64
				" %s (saw 0x%" PRIx64 ")",
				w, op->expected & size_mask(op->size),
				op->val & size_mask(op->size),
				ok ? "done" : "failed", old);
		break;
	}
}

static void do_access(struct dmo__explorer *x, int tid, int e)
{
	struct dmo__xthread *t = &x->th[tid];
	struct dmo__op *op = &t->op;
	uintptr_t a = (uintptr_t)op->p;
	struct dmo__xblock *b = freed_block(x, a);
	uint64_t m = size_mask(op->size);
	uint64_t old;
	bool write = x->evs[e].ev.kind == DMO__EV_WRITE;
	bool marked = op->kind != DMO__OP_LOAD && op->kind != DMO__OP_STORE;
	bool ok = false;

	if (op->kind == DMO__OP_LOAD || op->kind == DMO__OP_STORE)
		marked = (op->kind == DMO__OP_LOAD ? op->val : op->expected) ==
			 DMO_ACC_MARKED;
	x->evs[e].pre = 0;
	x->evs[e].expect = op->expected;
	if (b) {
		dmo__access(x, tid, e, a, (uint32_t)op->size, write, true,
			    op->what, op->fn);
		use_after_free(x, tid, b);
		return;
	}
	old = mem_read(op->p, op->size);
	x->evs[e].pre = old;
	switch (op->kind) {
	case DMO__OP_LOAD:
		op->result = old;
		break;
	case DMO__OP_STORE:
		mem_write(op->p, op->size, op->val);
		break;
	case DMO__OP_ADD:
		mem_write(op->p, op->size, old + op->val);
		op->result = old;
		break;
	default:
		ok = (old & m) == (op->expected & m);
		if (ok)
			mem_write(op->p, op->size, op->val);
		else
			op->expected = old;
		op->result = ok;
		break;
	}
	if (x->mode == DMO__X_REPLAY)
		trace_access(x, tid, op, old, ok);
	/* After the trace line, so that a race reads as its consequence. */
	dmo__access(x, tid, e, a, (uint32_t)op->size, write, marked, op->what,
		    op->fn);
}

static void do_lock(struct dmo__explorer *x, int tid, int e,
		    const uint32_t *base)
{
	struct dmo__xthread *t = &x->th[tid];
	int slot = dmo__x_mutex_slot(x, t->op.p);
	struct dmo__xmutex *xm = &x->mtx[slot];
	uint32_t *cv = x->vc + (size_t)e * DMO_XMAX_THREADS;

	if (t->op.kind == DMO__OP_UNLOCK && xm->owner != tid) {
		char msg[DMO_XMSG];

		/* Depends on nothing (see pending_ev()): a BUG, and no step. */
		snprintf(msg, sizeof(msg),
			 "unlock of %s, which %s does not hold", xm->name,
			 t->name);
		dmo__viol(x, DMO_VIOL_BUG, t->op.fn, t->name, msg);
		stop_thread(x, tid);
		return;
	}
	if (xm->last_ev >= 0 && x->need_vc) {
		dmo__clock_join(cv,
				x->vc + (size_t)xm->last_ev * DMO_XMAX_THREADS,
				x->nthreads);
		dmo__pred(x, xm->last_ev, DMO__PRED_ORDER);
	}
	if (t->op.kind == DMO__OP_LOCK) {
		int l = xm->last_lock;

		/*
		 * Two acquisitions of one mutex race when nothing but the
		 * mutex itself orders them: the later one could have come
		 * first.  The unlock between them is deliberately left out.
		 */
		if (l >= 0 && x->evs[l].ev.tid != tid &&
		    x->evs[l].tidx > base[x->evs[l].ev.tid] && x->need_vc)
			dmo__pred(x, l, DMO__PRED_LOCK);
		dmo__lock_order(x, tid, slot, t->op.fn);
		xm->owner = tid;
		xm->last_lock = e;
		if (t->nheld < DMO_XMAX_HELD)
			t->held[t->nheld++] = slot;
		dmo__clock_join(t->sync, xm->sync, x->nthreads);
		if (x->mode == DMO__X_REPLAY)
			dmo__trace_step(x, tid, "lock", t->op.fn, "%s",
					xm->name);
	} else {
		xm->owner = -1;
		for (int i = t->nheld - 1; i >= 0; i--) {
			if (t->held[i] == slot) {
				memmove(&t->held[i], &t->held[i + 1],
					(size_t)(t->nheld - i - 1) *
						sizeof(t->held[0]));
				t->nheld--;
				break;
			}
		}
		memcpy(xm->sync, t->sync, sizeof(xm->sync));
		if (x->mode == DMO__X_REPLAY)
			dmo__trace_step(x, tid, "unlock", t->op.fn, "%s",
					xm->name);
	}
	xm->last_ev = e;
}

/*
 * dmo_alloc() hands out memory from one arena per thread slot, reset at
 * every execution, so that the k-th block a thread allocates sits at the
 * same address in every execution.  The search compares events of
 * different executions by address (a sleeping thread's pending write, a
 * step of a wakeup sequence); with calloc() the addresses would depend on
 * the allocator's reuse order and, under ASan, on its quarantine.  Blocks
 * are never reused within an execution, which is what keeps freed ones
 * poisoned until it ends.  Only an arena that runs out falls back to the
 * heap.
 */
#define ARENA_SIZE ((size_t)16 << 20)

static void arena_map(struct dmo__explorer *x)
{
	void *m;

	if (x->arenas)
		return;
	m = mmap(NULL, ARENA_SIZE * DMO_XMAX_THREADS, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED)
		return;
	x->arenas = m;
	for (int i = 0; i < DMO_XMAX_THREADS; i++)
		x->arena[i] = x->arenas + ARENA_SIZE * (size_t)i;
}

int dmo__x_map(struct dmo__explorer *x)
{
	arena_map(x);
	if (!x->arenas)
		return -ENOMEM;
	return dmo__coro_map(x);
}

void dmo__x_regions(const struct dmo__explorer *x, uintptr_t base[3],
		    size_t size[3])
{
	base[0] = (uintptr_t)x->arenas;
	size[0] = x->arenas ? ARENA_SIZE * DMO_XMAX_THREADS : 0;
	base[1] = (uintptr_t)x->stacks;
	size[1] = x->stacks ? dmo__coro_span() : 0;
	base[2] = (uintptr_t)x->arg;
	size[2] = x->arg ? x->arg_size : 0;
}

static void *arena_alloc(struct dmo__explorer *x, int tid, size_t size)
{
	size_t need = ((size ? size : 1) + 15) & ~(size_t)15;
	char *p;

	arena_map(x);
	if (!x->arena[tid] || x->arena_used[tid] + need + 16 > ARENA_SIZE) {
		x->heap_block = true;
		return calloc(1, need);
	}
	x->heap_block = false;
	p = x->arena[tid] + x->arena_used[tid];
	x->arena_used[tid] += need + 16;	/* a gap between blocks */
#ifdef DMO_XASAN
	__asan_unpoison_memory_region(p, need);
	__asan_poison_memory_region(p + need, 16);
#endif
	memset(p, 0, need);
	return p;
}

static void copy_name(char *to, const char *from)
{
	size_t n = strlen(from);

	if (n > 31)
		n = 31;
	memcpy(to, from, n);
	to[n] = '\0';
}

static int do_spawn(struct dmo__explorer *x, int tid, int e)
{
	struct dmo__xthread *t = &x->th[tid];
	struct dmo__xthread *c;
	int idx = x->nthreads;

	if (idx >= DMO_XMAX_THREADS) {
		x->rule_error = -EINVAL;
		return -EAGAIN;
	}
	c = &x->th[idx];
	if (dmo__coro_init(x, c))
		return -ENOMEM;
	x->nthreads++;
	x->nlive++;
	c->state = DMO__T_LIVE;
	c->joined = false;
	copy_name(c->name, t->op.tname ? t->op.tname : "thread");
	c->fn = t->op.tfn;
	c->arg = t->op.targ;
	c->nev = 0;
	c->last_ev = e;
	c->nheld = 0;
	c->nghost = 0;
	c->gmask = 0;
	memcpy(c->sync, t->sync, sizeof(c->sync));
	t->op.target = idx;
	if (x->mode == DMO__X_REPLAY)
		dmo__trace_step(x, tid, "spawn", "thread_create", "%s",
				c->name);
	/*
	 * The child runs up to its first op inside this step, then hands
	 * the CPU back to whoever is taking the step.
	 */
	x->spawning = true;
	x->spawner = x->cur;
	if (x->cur >= 0)
		dmo__coro_switch(x, &x->th[x->cur], c, false);
	else
		dmo__coro_resume(x, c);
	x->spawning = false;
	return 0;
}

/*
 * Perform the pending op of @tid as event number x->nev.
 * Return: whether @tid goes on running (resume it).
 */
static bool step(struct dmo__explorer *x, int tid, int choice)
{
	/* Room for this event and the node after it, before any pointer. */
	bool go_on;

	if (__builtin_expect(x->nev + 2 > x->cap_ev, 0) &&
	    x->cap_ev < DMO_XMAX_EVENTS && dmo__x_grow(x, x->nev + 2))
		abort();
	go_on = step_in(x, tid, choice);
	/* Every dependence of the step is known: judge its races. */
	dmo__finish_event(x);
	return go_on;
}

static inline __attribute__((always_inline)) bool
step_in(struct dmo__explorer *x, int tid, int choice)
{
	struct dmo__xthread *t = &x->th[tid];
	struct dmo__op *op = &t->op;
	int e = x->nev++;
	struct dmo__xevent *ev = &x->evs[e];
	uint32_t *cv = x->vc + (size_t)e * DMO_XMAX_THREADS;
	static const uint32_t zero[DMO_XMAX_THREADS];
	const uint32_t *base = t->last_ev >= 0 ?
		x->vc + (size_t)t->last_ev * DMO_XMAX_THREADS : zero;

	ev->ev = pending_ev(x, tid);
	if (t->nghost)
		apply_ghosts(t);
	ev->tidx = ++t->nev;
	if (ev->tidx <= DMO_XMAX_EVENTS)
		x->thr_ev[(size_t)(ev->tidx - 1) * DMO_XMAX_THREADS + tid] = e;
	ev->choice = -1;
	/*
	 * The search's clocks matter only to DPOR, and an event replayed in
	 * the prefix has the very clock it had in the previous execution.
	 */
	x->need_vc = x->mode == DMO__X_DPOR && e >= x->vc_from;
	if (x->need_vc) {
		memcpy(cv, base, sizeof(zero));
		cv[tid] = ev->tidx;
		x->pred_ev = e;
		x->pred_base = t->last_ev;
		x->npred = 0;
	}
	t->sync[tid] = ev->tidx;

	switch (op->kind) {
	case DMO__OP_LOAD:
	case DMO__OP_STORE:
	case DMO__OP_ADD:
	case DMO__OP_CAS:
		do_access(x, tid, e);
		break;
	case DMO__OP_LOCK:
	case DMO__OP_UNLOCK:
		do_lock(x, tid, e, base);
		break;
	case DMO__OP_CHOOSE:
		if (choice < 0 || choice >= op->n)
			choice = 0;
		ev->choice = (int16_t)choice;
		ev->ev.aux = (uint16_t)choice;
		op->result = (uint64_t)choice;
		if (x->mode == DMO__X_REPLAY)
			dmo__trace_step(x, tid, "choose", op->fn,
					"%s = %d (of %d)", op->what, choice,
					op->n);
		break;
	case DMO__OP_ALLOC: {
		void *p = arena_alloc(x, tid, op->size);

		if (p && x->nblocks == x->cap_blocks) {
			int cap = x->cap_blocks ? 2 * x->cap_blocks : 64;
			void *n = realloc(x->blocks,
					  (size_t)cap * sizeof(*x->blocks));

			if (!n) {
				if (x->heap_block)
					free(p);
				p = NULL;
			} else {
				x->blocks = n;
				x->cap_blocks = cap;
			}
		}
		if (p) {
			x->blocks[x->nblocks++] = (struct dmo__xblock){
				.p = p, .size = op->size, .what = op->what,
				.free_ev = -1, .heap = x->heap_block,
			};
		}
		op->result = (uintptr_t)p;
		if (x->mode == DMO__X_REPLAY)
			dmo__trace_step(x, tid, "alloc", op->fn,
					"%s, %zu bytes", op->what, op->size);
		break;
	}
	case DMO__OP_FREE: {
		struct dmo__xblock *b = NULL;

		for (int i = 0; i < x->nblocks; i++)
			if (x->blocks[i].p == op->p)
				b = &x->blocks[i];
		if (!b) {
			dmo__viol(x, DMO_VIOL_BUG, op->fn, t->name,
				  "free of a block dmo_alloc did not return");
			stop_thread(x, tid);
			break;
		}
		if (b->freed) {
			/* A write of the whole block, as pending_ev() says. */
			dmo__access_free(x, tid, e, (uintptr_t)b->p, b->size,
					 op->fn);
			b->last_free_ev = e;
			use_after_free(x, tid, b);
			break;
		}
		dmo__access_free(x, tid, e, (uintptr_t)b->p, b->size,
				 op->fn);
		/* For a cmpxchg that a race reversal moves before this free. */
		if (b->size <= 4096) {
			b->last = malloc(b->size ? b->size : 1);
			if (b->last)
				memcpy(b->last, b->p, b->size);
		}
		b->freed = true;
#ifdef DMO_XASAN
		if (!b->heap)
			__asan_poison_memory_region(b->p, b->size);
#endif
		b->free_ev = e;
		b->last_free_ev = e;
		b->free_fn = op->fn;
		b->free_tid = tid;
		x->any_freed = true;
		if (x->mode == DMO__X_REPLAY)
			dmo__trace_step(x, tid, "free", op->fn, "%s",
					b->what);
		break;
	}
	case DMO__OP_SPAWN:
		op->result = (uint64_t)(int64_t)do_spawn(x, tid, e);
		break;
	case DMO__OP_JOIN: {
		struct dmo__xthread *c = &x->th[op->target];

		if (x->need_vc) {
			dmo__clock_join(cv,
					x->vc + (size_t)c->last_ev *
							DMO_XMAX_THREADS,
					x->nthreads);
			dmo__pred(x, c->last_ev, DMO__PRED_ORDER);
		}
		dmo__clock_join(t->sync, c->sync, x->nthreads);
		c->joined = true;
		if (x->mode == DMO__X_REPLAY)
			dmo__trace_step(x, tid, "join", op->fn, "%s", c->name);
		break;
	}
	case DMO__OP_END:
		t->state = DMO__T_DONE;
		x->nlive--;
		if (x->mode == DMO__X_REPLAY)
			dmo__trace_step(x, tid, "end", "-", "%s", "");
		if (tid == 0) {
			for (int i = 1; i < x->nthreads; i++)
				if (!x->th[i].joined)
					x->rule_error = -EINVAL;
		}
		break;
	}
	if (ev->ev.cmask && x->mode == DMO__X_DPOR)
		dmo__class_write(x, e, ev->ev.cmask);
	t->last_ev = e;
	return t->state == DMO__T_LIVE && op->kind != DMO__OP_END;
}

static void run_check(struct dmo__explorer *x)
{
	int cur = x->cur;

	/* The hook runs as nobody, even when a thread took the step. */
	x->cur = -1;
	x->prog->step_check(&x->sync, x->arg);
	x->cur = cur;
}

/*
 * A thread that stopped at a BUG stays where it stood, and the states the
 * others reach meanwhile are checked like any other.
 */
static void after_step(struct dmo__explorer *x)
{
	if (x->prog->step_check)
		run_check(x);
}

static void reclaim(struct dmo__explorer *x)
{
	for (int i = 0; i < x->nblocks; i++) {
		if (x->blocks[i].heap)
			free(x->blocks[i].p);
		free(x->blocks[i].last);
	}
	x->nblocks = 0;
	x->any_freed = false;
	for (int t = 0; t < DMO_XMAX_THREADS; t++) {
		if (x->arena_used[t] > x->arena_peak[t])
			x->arena_peak[t] = x->arena_used[t];
		x->arena_used[t] = 0;
	}
}

static void *run_thread0(struct dmo__explorer *x)
{
	struct dmo__xthread *t = &x->th[0];

	if (dmo__coro_init(x, t))
		return NULL;
	t->state = DMO__T_LIVE;
	t->joined = true;
	copy_name(t->name, "main");
	t->fn = x->prog->run;
	t->arg = x->arg;
	t->nev = 0;
	t->last_ev = -1;
	t->nheld = 0;
	t->nghost = 0;
	t->gmask = 0;
	memset(t->sync, 0, sizeof(t->sync));
	x->nthreads = 1;
	x->nlive = 1;
	dmo__coro_resume(x, t);
	return t;
}

/*
 * Run one execution to its end, asking the search who runs at each step.
 * Return: 1 when it completed, 0 when cut short or blocked, -ENOMEM.
 */
int dmo__x_run(struct dmo__explorer *x)
{
	bool complete = false;

	x->gen++;
	x->nev = 0;
	x->cut = false;
	x->halt = false;
	x->ndead = 0;
	x->first_cut = -1;
	x->nwatch = 0;
	/* Only a program that watched something has class writers to forget. */
	if (x->ncls)
		for (int i = 0; i < 32; i++)
			x->cls_last[i] = -1;
	x->ncls = 0;
	x->pred_ev = -1;
	x->npred = 0;
	x->nmtx = 0;
	x->nlocs = 0;
	x->npv = 0;
	x->blocked_exec = false;
	for (int i = 0; i < DMO_XMAX_THREADS; i++)
		x->th[i].state = DMO__T_FREE;
	x->stashed = false;
	x->spawning = false;
	if (!run_thread0(x))
		return -ENOMEM;
	for (;;) {
		bool any = x->nev < x->prefix, go_on;
		int tid, choice = -1;

		if (x->stashed) {
			x->stashed = false;
			tid = x->stash_tid;
			choice = x->stash_choice;
			if (tid < 0)
				break;
			goto run;
		}
		if (x->halt || x->rule_error)
			break;
		if (!x->nlive) {
			complete = !x->ndead;
			break;
		}
		/* A replayed prefix is known to run: skip the scan. */
		for (int i = 0; i < x->nthreads && !any; i++)
			any = dmo__x_enabled(x, i);
		if (!any) {
			dmo__deadlock(x);
			x->cut = true;
			break;
		}
		if (x->nev >= DMO_XMAX_EVENTS) {
			/*
			 * After a BUG, a thread may spin for ever on what the
			 * stopped one would have done: that is the BUG's doing.
			 */
			if (!x->cut)
				dmo__viol(x, DMO_VIOL_BUG, "-", "-",
					  "execution longer than the explorer's limit");
			x->cut = true;
			x->halt = true;
			break;
		}
		tid = dmo__pick(x, &choice);
		if (tid < 0)
			break;
run:
		go_on = step(x, tid, choice);
		after_step(x);
		if (go_on)
			dmo__coro_resume(x, &x->th[tid]);
	}
	if (!complete && x->mode == DMO__X_DPOR)
		dmo__pending_races(x);
	if (x->on_exec)
		x->on_exec(x->exec_cb, x, complete);
	if (x->prog->finish)
		x->prog->finish(&x->sync, x->arg, complete);
	dmo__viol_flush(x);
	if (x->prog->reset)
		x->prog->reset(x->arg);
	reclaim(x);
	return complete ? 1 : 0;
}

void dmo__x_free_execution(struct dmo__explorer *x)
{
	dmo__coro_free(x);
	for (int i = 0; i < DMO_XMAX_THREADS && x->arenas; i++) {
#ifdef DMO_XASAN
		/*
		 * Whatever is mapped here next must not inherit poison;
		 * only what blocks ever covered was poisoned.
		 */
		__asan_unpoison_memory_region(x->arena[i],
					      x->arena_peak[i] >
							      x->arena_used[i] ?
						      x->arena_peak[i] :
						      x->arena_used[i]);
#endif
	}
	if (x->arenas)
		munmap(x->arenas, ARENA_SIZE * DMO_XMAX_THREADS);
	free(x->mtx);
	free(x->locs);
	free(x->blocks);
	free(x->pv);
	free(x->evs);
	free(x->thr_ev);
	free(x->vc);
}
