/* SPDX-License-Identifier: MIT */
/*
 * The concurrency seam.
 *
 * Every lock, every thread operation and every access to a field that more
 * than one thread can reach goes through this header.  The protocol code in
 * src/core/ never names a threading library: it calls these wrappers, and a
 * backend decides what they mean.
 *
 *  - The pthread backend (pthread.c) makes them real: mutexes are pthread
 *    mutexes, marked accesses are relaxed atomics, plain accesses are plain
 *    loads and stores, so ThreadSanitizer judges the code as it stands.
 *  - The explorer backend (explore.c) makes each of them a scheduling point:
 *    the calling thread stops, the scheduler picks who runs next, and the
 *    access is then performed with nothing else running.  Because the code
 *    above the seam is the same in both, what the explorer proves is proved
 *    about the code that runs on real threads.
 *
 * Accesses come in two flavours, as in the kernel: plain (an ordinary C
 * load or store, which is a data race if it conflicts with an access that
 * happens-before does not order) and marked (READ_ONCE/WRITE_ONCE, which
 * can never be a data race by itself, but orders nothing either).
 *
 * Each wrapper passes the caller's __func__ and, for accesses, the text of
 * the expression, so a trace can say "read g->owner_cnt == 1 in
 * dmo_device_use_default_domain" without any table of names.
 *
 * Lock order, written once: device_lock(dev) is taken before
 * group->mutex; the world's own list lock is taken last and never held
 * across a call back into the driver core.
 */
#ifndef DMO_SYNC_H
#define DMO_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dmaown/types.h"

struct dmo_sync;
struct dmo_thread;

/* How an access is marked (see the essay above). */
enum dmo_access {
	DMO_ACC_PLAIN = 0,
	DMO_ACC_MARKED = 1,
};

/*
 * A mutex.  The storage belongs to the backend: pthread keeps its
 * own mutex in it, the explorer its owner and bookkeeping.
 */
struct dmo_mutex {
	const char *name;
	_Alignas(16) unsigned char impl[64];
};

/* A thread body: runs with the backend it was started on. */
typedef void (*dmo_thread_fn)(struct dmo_sync *s, void *arg);

/*
 * What a backend provides.  @fn is always the modelled function making the
 * call, @what the source text of the accessed expression.  Sizes are 1, 2,
 * 4 or 8; values travel as the unsigned integer of that width.
 */
struct dmo_sync_ops {
	void (*mutex_init)(struct dmo_sync *s, struct dmo_mutex *m,
			   const char *name);
	void (*mutex_destroy)(struct dmo_sync *s, struct dmo_mutex *m);
	void (*mutex_lock)(struct dmo_sync *s, struct dmo_mutex *m,
			   const char *fn);
	void (*mutex_unlock)(struct dmo_sync *s, struct dmo_mutex *m,
			     const char *fn);
	/* Does the calling thread hold @m?  Not a scheduling point. */
	bool (*mutex_held)(struct dmo_sync *s, const struct dmo_mutex *m);

	uint64_t (*load)(struct dmo_sync *s, const void *p, size_t size,
			 enum dmo_access acc, const char *what, const char *fn);
	void (*store)(struct dmo_sync *s, void *p, size_t size, uint64_t v,
		      enum dmo_access acc, const char *what, const char *fn);
	/* Atomic read-modify-writes: always marked. */
	uint64_t (*fetch_add)(struct dmo_sync *s, void *p, size_t size,
			      uint64_t v, const char *what, const char *fn);
	bool (*cmpxchg)(struct dmo_sync *s, void *p, size_t size,
			uint64_t *expected, uint64_t desired, const char *what,
			const char *fn);

	/*
	 * A nondeterministic choice in 0..n-1 (a probe that may fail, an
	 * injected fault): the explorer tries every value, pthread draws one
	 * from its seeded generator.
	 */
	int (*choose)(struct dmo_sync *s, int n, const char *what,
		      const char *fn);

	/*
	 * Memory of objects that threads share and that the modelled code
	 * frees (a driver on unregister).  Zero-filled.  The explorer keeps
	 * freed blocks poisoned until the execution ends, so that any later
	 * access through the seam is reported as a use after free, and it
	 * reclaims every block itself when an execution ends, even one cut
	 * short by a BUG.  NULL means out of memory.
	 */
	void *(*alloc)(struct dmo_sync *s, size_t size, const char *what);
	void (*free)(struct dmo_sync *s, void *p, const char *fn);

	int (*thread_create)(struct dmo_sync *s, struct dmo_thread **t,
			     const char *name, dmo_thread_fn fn, void *arg);
	void (*thread_join)(struct dmo_sync *s, struct dmo_thread *t,
			    const char *fn);
	/* Index of the calling thread: 0 is the one that started the run. */
	int (*thread_self)(struct dmo_sync *s);

	/*
	 * A problem found by the modelled code (BUG_ON, WARN_ON, a broken
	 * invariant).  For DMO_VIOL_BUG, DMO_VIOL_UAF and DMO_VIOL_DEADLOCK
	 * the explorer stops the calling thread where it stands (it never
	 * returns; what it holds stays held) and lets the others go on;
	 * pthread records it and returns.
	 */
	void (*report)(struct dmo_sync *s, enum dmo_viol_kind kind,
		       const char *fn, const char *msg);
	/* A line for the trace (a bus notifier firing); not a step. */
	void (*note)(struct dmo_sync *s, const char *fn, const char *msg);
	/*
	 * Model-only bookkeeping ("ghost" state that the invariant checker
	 * reads, never the modelled code): atomic, and never a scheduling
	 * point.  Under the explorer an update of a watched location takes
	 * effect with the calling thread's next step, as part of it (what
	 * it returns counts it already).  Returns the new value.
	 */
	int (*ghost_add)(struct dmo_sync *s, int *p, int delta);
	/*
	 * Declare that a between-steps check reads the @size bytes at @p,
	 * as part of invariant class @cls (any address that names the
	 * check; checks of unrelated objects should use different ones).
	 * The explorer then judges that check on every state some schedule
	 * reaches (see step_check in dmaown/explore.h); pthread ignores
	 * it.  Not a scheduling point; made by set-up code, before the
	 * threads that touch @p start, in every execution.
	 */
	void (*watch)(struct dmo_sync *s, const void *p, size_t size,
		      const void *cls);
};

/* Every backend object starts with this. */
struct dmo_sync {
	const struct dmo_sync_ops *ops;
};

/* Locks. */
#define dmo_mutex_init(s, m, name) ((s)->ops->mutex_init((s), (m), (name)))
#define dmo_mutex_destroy(s, m) ((s)->ops->mutex_destroy((s), (m)))
#define dmo_mutex_lock(s, m) ((s)->ops->mutex_lock((s), (m), __func__))
#define dmo_mutex_unlock(s, m) ((s)->ops->mutex_unlock((s), (m), __func__))
#define dmo_mutex_held(s, m) ((s)->ops->mutex_held((s), (m)))

static inline void dmo__assert_held(struct dmo_sync *s,
				    const struct dmo_mutex *m, const char *fn)
{
	if (!s->ops->mutex_held(s, m))
		s->ops->report(s, DMO_VIOL_WARN, fn,
			       "lock not held where the caller must hold it");
}

/* lockdep_assert_held(): a WARN when the calling thread does not hold @m. */
#define dmo_assert_held(s, m) dmo__assert_held((s), (m), __func__)

/* Typed accesses.  The static inlines type-check, the macros name. */
static inline int dmo__load_int(struct dmo_sync *s, const int *p,
				enum dmo_access a, const char *what,
				const char *fn)
{
	return (int)(uint32_t)s->ops->load(s, p, sizeof(*p), a, what, fn);
}

static inline void dmo__store_int(struct dmo_sync *s, int *p, int v,
				  enum dmo_access a, const char *what,
				  const char *fn)
{
	s->ops->store(s, p, sizeof(*p), (uint32_t)v, a, what, fn);
}

static inline bool dmo__load_bool(struct dmo_sync *s, const bool *p,
				  enum dmo_access a, const char *what,
				  const char *fn)
{
	return s->ops->load(s, p, sizeof(*p), a, what, fn) != 0;
}

static inline void dmo__store_bool(struct dmo_sync *s, bool *p, bool v,
				   enum dmo_access a, const char *what,
				   const char *fn)
{
	s->ops->store(s, p, sizeof(*p), v ? 1 : 0, a, what, fn);
}

static inline void *dmo__load_ptr(struct dmo_sync *s, const void *p,
				  enum dmo_access a, const char *what,
				  const char *fn)
{
	return (void *)(uintptr_t)s->ops->load(s, p, sizeof(void *), a, what,
					       fn);
}

static inline void dmo__store_ptr(struct dmo_sync *s, void *p, const void *v,
				  enum dmo_access a, const char *what,
				  const char *fn)
{
	s->ops->store(s, p, sizeof(void *), (uintptr_t)v, a, what, fn);
}

/* Fails to compile unless *(p) has the size of a pointer. */
#define DMO__PTR_SIZED(p) ((void)sizeof(char[sizeof(*(p)) == sizeof(void *) ? 1 : -1]))

#define dmo_load_int(s, p) dmo__load_int((s), (p), DMO_ACC_PLAIN, #p, __func__)
#define dmo_store_int(s, p, v) \
	dmo__store_int((s), (p), (v), DMO_ACC_PLAIN, #p, __func__)
#define dmo_read_once_int(s, p) \
	dmo__load_int((s), (p), DMO_ACC_MARKED, #p, __func__)
#define dmo_write_once_int(s, p, v) \
	dmo__store_int((s), (p), (v), DMO_ACC_MARKED, #p, __func__)

#define dmo_load_bool(s, p) \
	dmo__load_bool((s), (p), DMO_ACC_PLAIN, #p, __func__)
#define dmo_store_bool(s, p, v) \
	dmo__store_bool((s), (p), (v), DMO_ACC_PLAIN, #p, __func__)
#define dmo_read_once_bool(s, p) \
	dmo__load_bool((s), (p), DMO_ACC_MARKED, #p, __func__)
#define dmo_write_once_bool(s, p, v) \
	dmo__store_bool((s), (p), (v), DMO_ACC_MARKED, #p, __func__)

#define dmo_load_ptr(s, p) \
	(DMO__PTR_SIZED(p), \
	 dmo__load_ptr((s), (p), DMO_ACC_PLAIN, #p, __func__))
#define dmo_store_ptr(s, p, v) \
	(DMO__PTR_SIZED(p), \
	 dmo__store_ptr((s), (p), (v), DMO_ACC_PLAIN, #p, __func__))
#define dmo_read_once_ptr(s, p) \
	(DMO__PTR_SIZED(p), \
	 dmo__load_ptr((s), (p), DMO_ACC_MARKED, #p, __func__))
#define dmo_write_once_ptr(s, p, v) \
	(DMO__PTR_SIZED(p), \
	 dmo__store_ptr((s), (p), (v), DMO_ACC_MARKED, #p, __func__))

static inline int dmo__fetch_add_int(struct dmo_sync *s, int *p, int v,
				     const char *what, const char *fn)
{
	return (int)(uint32_t)s->ops->fetch_add(s, p, sizeof(*p), (uint32_t)v,
						what, fn);
}

static inline bool dmo__cmpxchg_int(struct dmo_sync *s, int *p, int *expected,
				    int desired, const char *what,
				    const char *fn)
{
	uint64_t e = (uint32_t)*expected;
	bool ok = s->ops->cmpxchg(s, p, sizeof(*p), &e, (uint32_t)desired,
				  what, fn);

	*expected = (int)(uint32_t)e;
	return ok;
}

/* atomic_fetch_add() / atomic_try_cmpxchg() on an int. */
#define dmo_fetch_add_int(s, p, v) \
	dmo__fetch_add_int((s), (p), (v), #p, __func__)
#define dmo_cmpxchg_int(s, p, e, d) \
	dmo__cmpxchg_int((s), (p), (e), (d), #p, __func__)

/* Everything else. */
#define dmo_choose(s, n, what) ((s)->ops->choose((s), (n), (what), __func__))
#define dmo_alloc(s, size, what) ((s)->ops->alloc((s), (size), (what)))
#define dmo_free(s, p) ((s)->ops->free((s), (p), __func__))
#define dmo_thread_create(s, t, name, fn, arg) \
	((s)->ops->thread_create((s), (t), (name), (fn), (arg)))
#define dmo_thread_join(s, t) ((s)->ops->thread_join((s), (t), __func__))
#define dmo_thread_self(s) ((s)->ops->thread_self((s)))
#define dmo_report(s, kind, msg) ((s)->ops->report((s), (kind), __func__, (msg)))
#define dmo_note(s, msg) ((s)->ops->note((s), __func__, (msg)))
#define dmo_ghost_add(s, p, d) ((s)->ops->ghost_add((s), (p), (d)))
#define dmo_watch(s, p, cls) \
	((s)->ops->watch((s), (p), sizeof(*(p)), (cls)))

#endif /* DMO_SYNC_H */
