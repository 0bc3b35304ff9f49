/* SPDX-License-Identifier: MIT */
/*
 * The explorer's private header: one execution engine shared by the seam
 * backend (src/sync/explore.c), the coroutines (coro.c), the search
 * (dpor.c), the detectors (detect.c) and the traces (trace.c).
 *
 * Model.  The threads of one execution are coroutines on stacks that live
 * as long as the explorer.  A thread runs until it reaches the seam and
 * posts the operation it is about to perform in its struct
 * dmo__xthread.op.  Then the search picks a thread, its pending operation
 * is performed (with every other thread stopped at the seam, so the
 * operation and its bookkeeping are atomic), recorded as an event, and
 * that thread resumes: it returns from the seam and runs its local code up
 * to its next seam call.  The picking and performing happen either on the
 * scheduler's stack (the caller's own) or, to save context switches, on
 * the stack of the thread that just posted (see post() in
 * src/sync/explore.c).  An execution is therefore the
 * sequence of events, and the schedule of an execution is the sequence of
 * thread indices (plus the value of every choice) that produced it.
 *
 * Every execution starts again from nothing: thread 0 is a fresh coroutine
 * running the program's run(), and the search replays the prefix it wants
 * before branching.  Nothing survives from one execution to the next but
 * the search's own stack of nodes, the lock-order graph and the set of
 * violations already reported.
 *
 * Locking: none.  The scheduler and every coroutine of an explorer run on
 * the one OS thread that called dmo_explore(), one at a time, so every
 * field below belongs to that thread and no structure here takes a lock;
 * the comments say what each field means instead.  Two explorers share
 * nothing and may run on two OS threads at once, except the workers of
 * one parallel search, which share what par.c says, under its locks.
 */
#ifndef DMO_EXPLORE_PRIV_H
#define DMO_EXPLORE_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dmaown/explore.h"
#include "sync/sync.h"

/* Threads of one execution, thread 0 included. */
#define DMO_XMAX_THREADS 32
/* Events of one execution; a longer one is cut and reported as a bug. */
#define DMO_XMAX_EVENTS 8192
/* Locks one thread may hold at once. */
#define DMO_XMAX_HELD 16
/* Watched ghosts one thread may update between two of its steps. */
#define DMO_XMAX_GHOST 16
/* Longest violation message kept. */
#define DMO_XMSG 320

#if defined(__SANITIZE_ADDRESS__)
#define DMO_XASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DMO_XASAN 1
#endif
#endif

/* What a thread is about to do (the op it posted at the seam). */
enum dmo__opk {
	DMO__OP_LOAD,
	DMO__OP_STORE,
	DMO__OP_ADD,
	DMO__OP_CAS,
	DMO__OP_LOCK,
	DMO__OP_UNLOCK,
	DMO__OP_CHOOSE,
	DMO__OP_ALLOC,
	DMO__OP_FREE,
	DMO__OP_SPAWN,
	DMO__OP_JOIN,
	DMO__OP_END,
};

/*
 * An event as the search sees it: only what decides dependence.  For a
 * sleeping choice, addr holds the mask of the values already explored.
 */
enum dmo__evk {
	DMO__EV_LOCAL,		/* alloc: independent of everything */
	DMO__EV_CHOOSE,		/* aux: the value */
	DMO__EV_READ,		/* addr, size; aux: DMO__AUX_CAS */
	DMO__EV_WRITE,		/* addr, size (a free covers its block) */
	DMO__EV_LOCK,		/* addr: the mutex */
	DMO__EV_UNLOCK,
	DMO__EV_SPAWN,		/* aux: the child */
	DMO__EV_JOIN,		/* aux: the joined thread */
	DMO__EV_END,
};

/* An access's aux: a cmpxchg, which reads or writes by what it finds. */
#define DMO__AUX_CAS 1

struct dmo__ev {
	uint8_t kind;		/* enum dmo__evk */
	uint8_t tid;
	uint16_t aux;
	uint32_t size;
	uintptr_t addr;
	uint32_t tidx;		/* 1-based position in its thread */
	/*
	 * The invariant classes it writes (bit k: class k modulo 32): a
	 * write to a watched location, or a ghost update of one that its
	 * thread's local code made since its previous step and that takes
	 * effect with it.  Two events that share a bit are dependent,
	 * whatever else they touch.
	 */
	uint32_t cmask;
};

struct dmo__op {
	enum dmo__opk kind;
	void *p;		/* address, mutex, or block */
	size_t size;
	uint64_t val;		/* value to store / add / desired */
	uint64_t expected;	/* cmpxchg */
	uint64_t result;	/* what the op returns */
	int n;			/* choose: number of values */
	int target;		/* join: thread index; spawn: child */
	const char *what;
	const char *fn;
	dmo_thread_fn tfn;	/* spawn */
	void *targ;
	const char *tname;
};

enum dmo__tstate {
	DMO__T_FREE,
	DMO__T_LIVE,
	DMO__T_DONE,
	DMO__T_DEAD,		/* stopped by a BUG or a use after free */
};

/* One coroutine; all fields belong to the scheduler's single thread. */
struct dmo__xthread {
	void *sp;		/* saved stack pointer while suspended */
	void *stack;		/* lowest usable byte */
	size_t stack_size;
	void *fake_stack;	/* ASan's per-fiber fake stack */
	void *tsan_fiber;	/* TSan's fiber for it */
	bool tsan_ended;	/* ... whose coroutine returned */
	enum dmo__tstate state;
	bool joined;
	char name[32];
	dmo_thread_fn fn;
	void *arg;
	struct dmo__op op;	/* the pending operation */
	uint32_t nev;		/* events executed so far */
	int last_ev;		/* index of its latest event, or -1 */
	int held[DMO_XMAX_HELD];	/* mutex slots held, in order */
	int nheld;
	uint32_t sync[DMO_XMAX_THREADS];	/* race detector's clock */
	/* Watched ghost updates awaiting its next step; their classes. */
	struct {
		int *p;
		int delta;
	} ghost[DMO_XMAX_GHOST];
	int nghost;
	uint32_t gmask;
};

/* A mutex as one execution knows it (slot in dmo__explorer.mtx). */
struct dmo__xmutex {
	const struct dmo_mutex *m;
	const char *name;
	int owner;		/* thread index, -1 when free */
	int last_ev;		/* latest lock or unlock event, -1: none */
	int last_lock;		/* latest lock event, -1: none */
	uint32_t sync[DMO_XMAX_THREADS];
};

/* The last read of one location by one thread. */
struct dmo__xread {
	int ev;			/* event index */
	uint8_t tid;
	bool marked;
	const char *what;
	const char *fn;
};

/* One accessed location (by start address) in one execution. */
struct dmo__xloc {
	uintptr_t addr;
	uint32_t gen;		/* execution it belongs to */
	uint32_t size;
	int wev;		/* last write event, -1: none */
	bool wmarked;
	uint8_t wtid;
	const char *wwhat;
	const char *wfn;
	int nreads;
	struct dmo__xread reads[DMO_XMAX_THREADS];
};

/* A block from dmo_alloc in this execution. */
struct dmo__xblock {
	void *p;
	size_t size;
	const char *what;
	bool freed;
	bool heap;		/* from calloc: the arena ran out */
	int free_ev;
	const char *free_fn;
	int free_tid;
	int last_free_ev;	/* the latest free of it, a double one too */
	/* What it held when first freed (NULL: too large to keep). */
	unsigned char *last;
};

/* A watched location (see dmo__watch_mask()), in one execution. */
struct dmo__xwatch {
	uintptr_t addr;
	uint32_t gen;		/* execution it belongs to */
	uint32_t mask;		/* its classes' bits */
	uint32_t size;
};

/*
 * An event the running step depends on, kept until the step is done and
 * every dependence is known (dmo__finish_event()).
 */
enum dmo__predk {
	DMO__PRED_ORDER,	/* orders it, is never reversed */
	DMO__PRED_RACE,		/* a race, unless something else orders it */
	DMO__PRED_LOCK,		/* its mutex's previous acquisition */
};

struct dmo__xpred {
	int ev;
	int kind;		/* enum dmo__predk */
};

/* One executed event, kept for the whole execution. */
struct dmo__xevent {
	struct dmo__ev ev;
	uint32_t tidx;		/* 1-based position in its thread */
	int16_t choice;		/* choose: the value; else -1 */
	uint64_t pre;		/* an access: its location's value before it */
	uint64_t expect;	/* a cmpxchg: the value it expected */
};

/* A wakeup tree node (pool index; -1 is none). */
struct dmo__wnode {
	struct dmo__ev ev;
	int child;
	int next;
	uint32_t gen;		/* execution whose addresses ev holds */
	/*
	 * Handed to another worker of a parallel search (par.c), which
	 * explores it; a node inserted below it later is not.
	 */
	bool given;
};

/*
 * A branch handed from one worker of a parallel search to another: the
 * state it starts from (the events leading there and every sleep set on
 * the way) and the wakeup forest below its first event.  Addresses are
 * canonical (see dmo__canon()): each worker's memory is its own.
 */
struct dmo__tnode {
	struct dmo__ev ev;
	int child;		/* index in forest, -1: none */
	int next;
};

struct dmo__task {
	struct dmo__task *next;
	int at;			/* the branch's state: path has at + 1 */
	struct dmo__ev *path;	/* path[k]: what runs at state k */
	int *nsleep;		/* at + 1 of them */
	struct dmo__ev *sleep;	/* DMO_XMAX_THREADS per state */
	struct dmo__tnode *forest;
	int nforest;
	int root;		/* first of the forest below path[at], -1 */
	/* Where races above the branch insert while the giver is there. */
	struct dmo__gift *gift;
};

/* One position of the search's current execution. */
struct dmo__node {
	struct dmo__ev ev;	/* what runs here (tid, choice in aux) */
	int wut;		/* remaining wakeup forest, -1: none */
	int nsleep;		/* entries at sleep[i * DMO_XMAX_THREADS] */
	uint32_t sleep_mask;	/* their threads: spares most lookups */
	uint32_t sleep_gen;	/* execution whose addresses they hold */
	uint64_t alts;		/* naive: threads still to try */
	int nchoice;		/* choose: number of values */
};

struct dmo__pviol {
	enum dmo_viol_kind kind;
	int at;			/* events executed when it was seen */
	char msg[DMO_XMSG];
	const char *fn;
	char thread[32];
	int lockpair;		/* lock-order edge closing a cycle, or -1 */
};

/* A data race already reported, by the identity of its two accesses. */
struct dmo__racekey {
	uint64_t hash;
	const char *what, *fn, *owhat, *ofn;
	int tid, otid;
	bool write, owrite;
	bool used;
};

/* An edge of the lock-order graph: a held while b was taken. */
struct dmo__ledge {
	char *a;
	char *b;
	const char *fn;
	char thread[32];
	char *sched;		/* execution that first showed it */
	int at;			/* events executed when it was made */
	bool cycle_reported;
	bool foreign;		/* made by another worker (par.c) */
	int board;		/* its index on the shared board, -1 */
};

enum dmo__xmode {
	DMO__X_DPOR,
	DMO__X_NAIVE,
	DMO__X_RANDOM,
	DMO__X_REPLAY,
};

struct dmo__explorer {
	struct dmo_sync sync;	/* first: the seam hands us this */
	const struct dmo_program *prog;
	void *arg;
	enum dmo__xmode mode;
	struct dmo_explore_opts opts;
	struct dmo_explore_result *res;
	int rule_error;		/* -EINVAL: the program broke a rule */

	/* Scheduler context. */
	void *sched_sp;
	void *sched_fake;
	void *sched_fiber;	/* TSan: the fiber that resumed a thread */
	const void *main_stack;
	size_t main_stack_size;
	int cur;		/* running thread, -1: the scheduler */
	bool spawning;		/* a child runs inside its spawn step */
	int spawner;		/* thread taking that step, -1: scheduler */
	bool stashed;		/* a thread already asked the search: */
	int stash_tid;		/* who runs next (-1: nobody) */
	int stash_choice;

	/* The current execution. */
	struct dmo__xthread th[DMO_XMAX_THREADS];
	int nthreads;
	int nlive;		/* threads started and not ended */
	uint32_t gen;
	int nev;
	int cap_ev;		/* events the tables below have room for */
	struct dmo__xevent *evs;
	/*
	 * [(tidx - 1) * DMO_XMAX_THREADS + tid]: the k-th events of all
	 * threads side by side, not each thread's row DMO_XMAX_EVENTS
	 * apart, where the rows' hot heads would share L1 sets.
	 */
	int *thr_ev;
	uint32_t *vc;		/* DMO_XMAX_THREADS clocks per event */
	bool cut;		/* ended by BUG / UAF / deadlock */
	struct dmo__xthread outsider;	/* what seam calls from a hook see */
	struct dmo__xmutex *mtx;
	int nmtx, cap_mtx;
	struct dmo__xloc *locs;	/* open-addressed, power of two */
	int cap_locs, nlocs;
	void *stacks;		/* every slot's coroutine stack, one map */
	char *arenas;		/* every slot's arena, one map */
	char *arena[DMO_XMAX_THREADS];	/* dmo_alloc memory, per thread */
	size_t arena_used[DMO_XMAX_THREADS];
	size_t arena_peak[DMO_XMAX_THREADS];	/* most ever used */
	bool heap_block;
	struct dmo__xblock *blocks;
	int nblocks, cap_blocks;
	bool any_freed;
	struct dmo__pviol *pv;
	int npv, cap_pv;
	int race_from;		/* first event new to this execution */
	bool need_vc;		/* the running step's clock is computed */
	int ndead;		/* threads stopped by a BUG or a UAF */
	int first_cut;		/* events run when one first stopped, -1 */
	bool halt;		/* end the execution now (a limit was hit) */
	/* Watched locations, open-addressed by address, and their classes. */
	struct dmo__xwatch *watch;
	int cap_watch, nwatch;
	const void **cls;	/* class keys, in the order first watched */
	int ncls, cap_cls;
	int cls_last[32];	/* latest event writing each class bit, -1 */
	/* The dependences of event pred_ev, its thread's previous event. */
	struct dmo__xpred *pred;
	int npred, cap_pred;
	int pred_ev, pred_base;

	/* Search state. */
	struct dmo__node *nodes;
	int depth;		/* nodes valid */
	int prefix;		/* replay nodes[0..prefix) as they are */
	int pending;		/* wakeup forest for the next new node */
	struct dmo__ev *sleep;	/* DMO_XMAX_THREADS entries per node */
	struct dmo__ev *scratch;	/* a race's reversing sequence */
	struct dmo__wnode *wpool;
	int wcap;		/* slots in wpool */
	int *wstack;		/* freed slots, wnstack of them */
	int wnstack;
	int wtop;		/* slots from here up never used yet */
	bool blocked_exec;

	/* Random mode. */
	uint64_t rng;
	int prio[DMO_XMAX_THREADS];
	int change_at[8];
	int nchange;
	int est_len;

	/* Replay mode. */
	const char *sched_full;	/* the schedule being replayed */
	const char *sched;	/* what is left of it */
	int replay_base;	/* step index where this part began */
	int sched_run;		/* steps left of the current run */
	int sched_tid;
	int sched_choice;
	bool sched_bad;
	void (*on_step)(void *cb, const struct dmo_step *st);
	void (*on_viol)(void *cb, const struct dmo_violation *v);
	void *cb;

	/* Across executions. */
	struct dmo__ledge *edges;
	int nedges, cap_edges;
	char **seen;		/* reported "kind\tmessage", hashed */
	int cap_seen, nseen;
	struct dmo__racekey *races;
	int cap_races, nraces;
	char *schedbuf;
	size_t schedbuf_cap;
	bool stop;		/* `first` hit */

	/* Parallel search (par.c): NULL when searching alone. */
	struct dmo__par *par;
	int worker;		/* this worker's index */
	size_t arg_size;	/* bytes at arg that are the program's */
	int vc_from;		/* first event whose clock is computed */
	int board_seen;		/* lock-order edges imported from others */
	bool no_donate;		/* an address no other worker can map */
	/* Branches this worker gave whose states above may still get mail. */
	struct dmo__gift **gifts;
	int ngifts, cap_gifts;
	struct dmo__gift *waiting;	/* dmo__search_next() waits for it */
	int level;		/* explorers of this worker below it (par.c) */
	struct dmo__gift *from;	/* the branch being explored came so */
	int from_at;		/* ... and starts at this state */
	/* hsum[k]: the trace hash of events 0..k-1 (dmo__trace_hash()). */
	uint64_t *hsum;
	int cap_hsum;
	/* The traces this worker ran: open addressing, 0 is empty. */
	uint64_t *traces;
	size_t cap_traces, ntraces;

	/* Tests: every execution's events, as it ends. */
	void (*on_exec)(void *cb, const struct dmo__explorer *x,
			bool complete);
	void *exec_cb;
};

typedef uint32_t dmo__clock4 __attribute__((vector_size(16)));

/*
 * Join the first @n components of clock @from into @to (componentwise
 * maximum).  Joins run at every join, lock and conflicting access of a
 * new event, so they work four components at a time without branches
 * (a data-dependent branch per component mispredicts often).  @n is
 * rounded up to a multiple of four: DMO_XMAX_THREADS is one, and the
 * components of threads not yet created are zero in every clock of the
 * execution, so the extra ones join zero with zero.
 */
static inline void dmo__clock_join(uint32_t *to, const uint32_t *from, int n)
{
	for (int i = 0; i < n; i += 4) {
		dmo__clock4 a, b, gt;

		memcpy(&a, to + i, sizeof(a));
		memcpy(&b, from + i, sizeof(b));
		gt = (dmo__clock4)(b > a);
		a = (a & ~gt) | (b & gt);
		memcpy(to + i, &a, sizeof(a));
	}
}

_Static_assert(DMO_XMAX_THREADS % 4 == 0, "clocks join four at a time");
_Static_assert(DMO_XMAX_THREADS <= 32, "a sleep set's threads fit a mask");

static inline struct dmo__explorer *dmo__x(struct dmo_sync *s)
{
	return (struct dmo__explorer *)s;
}

/* coro.c */
int dmo__coro_map(struct dmo__explorer *x);
size_t dmo__coro_span(void);
int dmo__coro_init(struct dmo__explorer *x, struct dmo__xthread *t);
void dmo__coro_resume(struct dmo__explorer *x, struct dmo__xthread *t);
void dmo__coro_yield(struct dmo__explorer *x, struct dmo__xthread *t,
		     bool dying);
void dmo__coro_free(struct dmo__explorer *x);
void dmo__coro_switch(struct dmo__explorer *x, struct dmo__xthread *from,
		      struct dmo__xthread *to, bool dying);

/* engine (sync/explore.c) */
extern const struct dmo_sync_ops dmo__explore_ops;
void dmo__x_end(struct dmo__explorer *x);
struct dmo__ev dmo__x_pending_ev(struct dmo__explorer *x, int tid);
bool dmo__x_cas_moved(struct dmo__explorer *x, int e, int e2,
		      const struct dmo__ev *cas);
int dmo__x_run(struct dmo__explorer *x);
int dmo__x_mutex_slot(struct dmo__explorer *x, const struct dmo_mutex *m);
void dmo__x_free_execution(struct dmo__explorer *x);
/* Map the arenas and stacks now; 0 or -ENOMEM. */
int dmo__x_map(struct dmo__explorer *x);
/*
 * Where this explorer's program memory lies: the arenas, the stacks and
 * the program's argument, in that order (size 0: not mapped).
 */
void dmo__x_regions(const struct dmo__explorer *x, uintptr_t base[3],
		    size_t size[3]);

/*
 * Can thread @tid perform its pending op now?  Inline: the search and the
 * threads ask it about every thread at every new step.
 */
static inline bool dmo__x_enabled(struct dmo__explorer *x, int tid)
{
	const struct dmo__xthread *t = &x->th[tid];

	if (t->state != DMO__T_LIVE)
		return false;
	switch (t->op.kind) {
	case DMO__OP_LOCK:
		return x->mtx[dmo__x_mutex_slot(x, t->op.p)].owner < 0;
	case DMO__OP_JOIN:
		return x->th[t->op.target].state == DMO__T_DONE;
	default:
		return true;
	}
}

/* dpor.c */
struct dmo__explorer *dmo__x_new(const struct dmo_program *p, void *arg);
int dmo__x_grow(struct dmo__explorer *x, int cap);
void dmo__x_delete(struct dmo__explorer *x);
/* Count the execution @x just ran into @r. */
void dmo__x_count(const struct dmo__explorer *x, struct dmo_explore_result *r);
int dmo__search_pick(struct dmo__explorer *x, int *choice);

/*
 * Most steps of an exhaustive search replay the prefix, where the answer
 * is already written in the node: this inline fast path spares them the
 * call into the search, whose frame is large.  The last node of the
 * prefix still goes through dmo__search_pick(), which may have to set up
 * the branch taken there.
 */
static inline int dmo__pick(struct dmo__explorer *x, int *choice)
{
	if ((x->mode == DMO__X_DPOR || x->mode == DMO__X_NAIVE) &&
	    x->nev < x->prefix - 1) {
		const struct dmo__ev *ev = &x->nodes[x->nev].ev;

		if (ev->kind == DMO__EV_CHOOSE)
			*choice = ev->aux;
		return ev->tid;
	}
	return dmo__search_pick(x, choice);
}
void dmo__search_race(struct dmo__explorer *x, int e, int e2);
void dmo__search_race_ev(struct dmo__explorer *x, int e, int e2,
			 const struct dmo__ev *last);
bool dmo__search_next(struct dmo__explorer *x);
/*
 * Parallel search: a branch of this worker's tree for another one (NULL:
 * none can be handed over), and a task installed as the start of the
 * next execution.
 */
struct dmo__task *dmo__search_donate(struct dmo__explorer *x);
int dmo__search_install(struct dmo__explorer *x, const struct dmo__task *t);
/* @e's address as every worker knows it; false: it has none. */
bool dmo__canon(const struct dmo__explorer *x, struct dmo__ev *e);
/*
 * Mail from a worker that was given a branch: insert @w at state @j,
 * walking past node @skip of the forest there (the branch, when @j is its
 * state; else -1).
 */
void dmo__search_mail(struct dmo__explorer *x, int j, struct dmo__ev *w,
		      int n, int skip);
void dmo__task_free(struct dmo__task *t);
bool dmo__dep(const struct dmo__ev *a, const struct dmo__ev *b);
/*
 * dmo_explore(), and @on_exec called with @cb at the end of every
 * execution, its events in x->evs[0..x->nev): the differential tests
 * count traces with it.
 */
int dmo__explore_hooked(const struct dmo_program *p, void *arg,
			const struct dmo_explore_opts *opts,
			struct dmo_explore_result *r,
			void (*on_exec)(void *cb, const struct dmo__explorer *x,
					bool complete),
			void *cb);

/* par.c */
uint64_t dmo__trace_hash(struct dmo__explorer *x);
/* Branch @node given at state @at: where its owner's mail comes; NULL. */
struct dmo__gift *dmo__gift_new(struct dmo__explorer *x, int at, int node);
/* Lock this worker's gifts and insert their mail. */
void dmo__gifts_open(struct dmo__explorer *x);
/*
 * The next execution would branch at state @i (-1: none): whether a gift
 * below it is still being explored (set in x->waiting, and the gifts are
 * unlocked).
 */
bool dmo__gifts_wait(struct dmo__explorer *x, int i);
/*
 * The next execution branches at state @i (-1: the search is over): the
 * states from there on close, and the gifts unlock.
 */
void dmo__gifts_close(struct dmo__explorer *x, int i);
/*
 * The race reversal @w (@n events) at state @e, above the branch this
 * worker was given: sent to the giver while it is still there (true),
 * else this worker's to insert.
 */
bool dmo__gift_forward(struct dmo__explorer *x, int e,
		       const struct dmo__ev *w, int n);
void dmo__board_lock(struct dmo__explorer *x);
void dmo__board_unlock(struct dmo__explorer *x);
/* Another worker's lock-order edges this one has not seen yet: copy them. */
void dmo__board_import(struct dmo__explorer *x);
/* Edge @i of this worker, new: on the board. */
void dmo__board_publish(struct dmo__explorer *x, int i);
/* The schedule of board edge @i once known, malloc'd, or NULL. */
char *dmo__board_sched(struct dmo__explorer *x, int i);
void dmo__board_set_sched(struct dmo__explorer *x, int i, const char *s);

/*
 * dmo_explore_parallel(), and @on_exec as for dmo__explore_hooked(),
 * called for one execution at a time.
 */
int dmo__explore_parallel_hooked(
	const struct dmo_program *p, void *const *args, size_t arg_size, int n,
	const struct dmo_explore_opts *opts, struct dmo_explore_result *r,
	void (*on_exec)(void *cb, const struct dmo__explorer *x,
			bool complete),
	void *cb);

/* detect.c */
void dmo__viol(struct dmo__explorer *x, enum dmo_viol_kind kind,
	       const char *fn, const char *thread, const char *msg);
/* Whether this execution has reported @kind with @msg already. */
bool dmo__viol_seen(const struct dmo__explorer *x, enum dmo_viol_kind kind,
		    const char *msg);
void dmo__viol_flush(struct dmo__explorer *x);
void dmo__lock_order(struct dmo__explorer *x, int tid, int slot,
		     const char *fn);
/*
 * A new lock-order edge @a then @b at the end of x->edges, on no board,
 * its other fields zero; NULL when memory runs out.
 */
struct dmo__ledge *dmo__edge_append(struct dmo__explorer *x, const char *a,
				    const char *b);
bool dmo__deadlock(struct dmo__explorer *x);
void dmo__access(struct dmo__explorer *x, int tid, int ev, uintptr_t addr,
		 uint32_t size, bool write, bool marked, const char *what,
		 const char *fn);
void dmo__access_free(struct dmo__explorer *x, int tid, int ev,
		      uintptr_t addr, size_t size, const char *fn);
void dmo__pending_races(struct dmo__explorer *x);
void dmo__detect_destroy(struct dmo__explorer *x);
void dmo__pred_grow(struct dmo__explorer *x);
void dmo__finish_event_slow(struct dmo__explorer *x);

/* Event @p is one the running step depends on (see detect.c). */
static inline void dmo__pred(struct dmo__explorer *x, int p,
			     enum dmo__predk kind)
{
	if (__builtin_expect(x->npred == x->cap_pred, 0))
		dmo__pred_grow(x);
	x->pred[x->npred].ev = p;
	x->pred[x->npred].kind = kind;
	x->npred++;
}

/* The running step is done: judge the races among its dependences. */
static inline void dmo__finish_event(struct dmo__explorer *x)
{
	if (x->pred_ev < 0)
		return;
	if (!x->npred) {
		x->pred_ev = -1;
		return;
	}
	dmo__finish_event_slow(x);
}
int dmo__watch_add(struct dmo__explorer *x, const void *p, size_t size,
		   const void *cls);
uint32_t dmo__watch_range(struct dmo__explorer *x, uintptr_t a, size_t size);
void dmo__class_write(struct dmo__explorer *x, int e, uint32_t bits);

/*
 * The classes watched at @a, an address accessed with its own width (the
 * typed seam macros guarantee it).  Inline: every write asks, and a
 * program that watches nothing pays one test.
 */
static inline uint32_t dmo__watch_mask(const struct dmo__explorer *x,
				       uintptr_t a)
{
	uint64_t h;
	int i;

	if (!x->nwatch)
		return 0;
	h = (uint64_t)a * 0x9e3779b97f4a7c15ull;
	i = (int)((h ^ (h >> 29)) & (uint64_t)(x->cap_watch - 1));
	while (x->watch[i].gen == x->gen) {
		if (x->watch[i].addr == a)
			return x->watch[i].mask;
		i = (i + 1) & (x->cap_watch - 1);
	}
	return 0;
}

/* trace.c */
const char *dmo__sched_string(struct dmo__explorer *x);
const char *dmo__sched_prefix(struct dmo__explorer *x, int n);
int dmo__sched_next(struct dmo__explorer *x, int *tid, int *choice);
bool dmo__sched_done(struct dmo__explorer *x);
void dmo__trace_step(struct dmo__explorer *x, int tid, const char *op,
		     const char *fn, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Room for a value from dmo__trace_value(); a longer one is cut. */
#define DMO_XVAL 128
const char *dmo__trace_value(const struct dmo__explorer *x, uint64_t v,
			     size_t size, char *buf, size_t len);

#endif /* DMO_EXPLORE_PRIV_H */
