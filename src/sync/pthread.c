// SPDX-License-Identifier: MIT
/*
 * The pthread backend of the sync seam: every operation is the real one,
 * so the protocol code runs on real threads and ThreadSanitizer judges it
 * as written.  Plain accesses are plain loads and stores of the field's
 * width (a conflicting pair is a race TSan reports); marked accesses are
 * relaxed atomics, like READ_ONCE/WRITE_ONCE, which order nothing.
 *
 * The only state shared between threads here is the backend object: its
 * lock guards the generator, the reports and the list of blocks handed out
 * by alloc (which the backend owns and frees when it is destroyed, as the
 * explorer does at the end of an execution).
 *
 * Threads are told apart by the struct dmo_thread this backend gave them,
 * found through a thread-specific key; any thread it did not start (the
 * one that runs the program) is thread 0.
 */
#include <errno.h>
#include <pthread.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmaown/core.h"
#include "sync/sync.h"

struct dmo_thread {
	struct pt_sync *ps;		/* immutable */
	dmo_thread_fn fn;		/* immutable */
	void *arg;			/* immutable */
	int index;			/* immutable */
	pthread_t tid;			/* set by create, read by join */
};

/* What lives in struct dmo_mutex's impl[]. */
struct pt_mutex {
	pthread_mutex_t m;
	const struct dmo_thread *holder;	/* atomic: who holds @m */
};

_Static_assert(sizeof(struct pt_mutex) <= sizeof(((struct dmo_mutex *)0)->impl),
	       "pthread mutex does not fit in struct dmo_mutex");
_Static_assert(alignof(struct pt_mutex) <= 16,
	       "pthread mutex needs more alignment than struct dmo_mutex has");

/* The header of a block from alloc, before the caller's bytes. */
struct pt_block {
	struct pt_block *prev, *next;	/* pt_sync.lock */
	max_align_t payload[];
};

struct pt_sync {
	struct dmo_sync base;
	pthread_key_t self;		/* immutable: whose thread is it */
	struct dmo_thread main;		/* immutable: thread 0 */
	int next_index;			/* atomic */

	pthread_mutex_t lock;
	uint64_t rng;			/* lock */
	int counts[DMO_VIOL_NR];	/* lock */
	char *first[DMO_VIOL_NR];	/* lock */
	struct pt_block blocks;		/* lock: list head */
};

static struct pt_sync *to_pt(struct dmo_sync *s)
{
	return (struct pt_sync *)s;
}

static const struct dmo_thread *me(struct pt_sync *ps)
{
	const struct dmo_thread *t = pthread_getspecific(ps->self);

	return t ? t : &ps->main;
}

static struct pt_mutex *to_pm(struct dmo_mutex *m)
{
	return (struct pt_mutex *)(void *)m->impl;
}

static void pt_mutex_init(struct dmo_sync *s, struct dmo_mutex *m,
			  const char *name)
{
	struct pt_mutex *pm = to_pm(m);

	(void)s;
	m->name = name;
	pthread_mutex_init(&pm->m, NULL);
	pm->holder = NULL;
}

static void pt_mutex_destroy(struct dmo_sync *s, struct dmo_mutex *m)
{
	(void)s;
	pthread_mutex_destroy(&to_pm(m)->m);
}

static void pt_mutex_lock(struct dmo_sync *s, struct dmo_mutex *m,
			  const char *fn)
{
	struct pt_mutex *pm = to_pm(m);

	(void)fn;
	pthread_mutex_lock(&pm->m);
	__atomic_store_n(&pm->holder, me(to_pt(s)), __ATOMIC_RELAXED);
}

static void pt_mutex_unlock(struct dmo_sync *s, struct dmo_mutex *m,
			    const char *fn)
{
	struct pt_mutex *pm = to_pm(m);

	if (__atomic_load_n(&pm->holder, __ATOMIC_RELAXED) != me(to_pt(s)))
		s->ops->report(s, DMO_VIOL_WARN, fn,
			       "unlock of a mutex the thread does not hold");
	__atomic_store_n(&pm->holder, NULL, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&pm->m);
}

static bool pt_mutex_held(struct dmo_sync *s, const struct dmo_mutex *m)
{
	const struct pt_mutex *pm = (const void *)m->impl;

	return __atomic_load_n(&pm->holder, __ATOMIC_RELAXED) == me(to_pt(s));
}

/*
 * memcpy of a constant width compiles to one plain access of that width,
 * without the aliasing questions a cast would raise.
 */
static uint64_t pt_load(struct dmo_sync *s, const void *p, size_t size,
			enum dmo_access acc, const char *what, const char *fn)
{
	uint8_t v1;
	uint16_t v2;
	uint32_t v4;
	uint64_t v8;

	(void)s;
	(void)what;
	(void)fn;
	if (acc == DMO_ACC_MARKED) {
		switch (size) {
		case 1:
			return __atomic_load_n((const uint8_t *)p,
					       __ATOMIC_RELAXED);
		case 2:
			return __atomic_load_n((const uint16_t *)p,
					       __ATOMIC_RELAXED);
		case 4:
			return __atomic_load_n((const uint32_t *)p,
					       __ATOMIC_RELAXED);
		default:
			return __atomic_load_n((const uint64_t *)p,
					       __ATOMIC_RELAXED);
		}
	}
	switch (size) {
	case 1:
		memcpy(&v1, p, 1);
		return v1;
	case 2:
		memcpy(&v2, p, 2);
		return v2;
	case 4:
		memcpy(&v4, p, 4);
		return v4;
	default:
		memcpy(&v8, p, 8);
		return v8;
	}
}

static void pt_store(struct dmo_sync *s, void *p, size_t size, uint64_t v,
		     enum dmo_access acc, const char *what, const char *fn)
{
	uint8_t v1 = (uint8_t)v;
	uint16_t v2 = (uint16_t)v;
	uint32_t v4 = (uint32_t)v;

	(void)s;
	(void)what;
	(void)fn;
	if (acc == DMO_ACC_MARKED) {
		switch (size) {
		case 1:
			__atomic_store_n((uint8_t *)p, v1, __ATOMIC_RELAXED);
			return;
		case 2:
			__atomic_store_n((uint16_t *)p, v2, __ATOMIC_RELAXED);
			return;
		case 4:
			__atomic_store_n((uint32_t *)p, v4, __ATOMIC_RELAXED);
			return;
		default:
			__atomic_store_n((uint64_t *)p, v, __ATOMIC_RELAXED);
			return;
		}
	}
	switch (size) {
	case 1:
		memcpy(p, &v1, 1);
		return;
	case 2:
		memcpy(p, &v2, 2);
		return;
	case 4:
		memcpy(p, &v4, 4);
		return;
	default:
		memcpy(p, &v, 8);
		return;
	}
}

/* Value-returning read-modify-writes are fully ordered, as in the kernel. */
static uint64_t pt_fetch_add(struct dmo_sync *s, void *p, size_t size,
			     uint64_t v, const char *what, const char *fn)
{
	(void)s;
	(void)what;
	(void)fn;
	switch (size) {
	case 1:
		return __atomic_fetch_add((uint8_t *)p, (uint8_t)v,
					  __ATOMIC_SEQ_CST);
	case 2:
		return __atomic_fetch_add((uint16_t *)p, (uint16_t)v,
					  __ATOMIC_SEQ_CST);
	case 4:
		return __atomic_fetch_add((uint32_t *)p, (uint32_t)v,
					  __ATOMIC_SEQ_CST);
	default:
		return __atomic_fetch_add((uint64_t *)p, v, __ATOMIC_SEQ_CST);
	}
}

static bool pt_cmpxchg(struct dmo_sync *s, void *p, size_t size,
		       uint64_t *expected, uint64_t desired, const char *what,
		       const char *fn)
{
	bool ok;

	(void)s;
	(void)what;
	(void)fn;
	switch (size) {
	case 1: {
		uint8_t e = (uint8_t)*expected;

		ok = __atomic_compare_exchange_n((uint8_t *)p, &e,
						 (uint8_t)desired, false,
						 __ATOMIC_SEQ_CST,
						 __ATOMIC_SEQ_CST);
		*expected = e;
		return ok;
	}
	case 2: {
		uint16_t e = (uint16_t)*expected;

		ok = __atomic_compare_exchange_n((uint16_t *)p, &e,
						 (uint16_t)desired, false,
						 __ATOMIC_SEQ_CST,
						 __ATOMIC_SEQ_CST);
		*expected = e;
		return ok;
	}
	case 4: {
		uint32_t e = (uint32_t)*expected;

		ok = __atomic_compare_exchange_n((uint32_t *)p, &e,
						 (uint32_t)desired, false,
						 __ATOMIC_SEQ_CST,
						 __ATOMIC_SEQ_CST);
		*expected = e;
		return ok;
	}
	default:
		return __atomic_compare_exchange_n((uint64_t *)p, expected,
						   desired, false,
						   __ATOMIC_SEQ_CST,
						   __ATOMIC_SEQ_CST);
	}
}

/* xorshift64*: small, seeded, and good enough to pick probe outcomes. */
static int pt_choose(struct dmo_sync *s, int n, const char *what,
		     const char *fn)
{
	struct pt_sync *ps = to_pt(s);
	uint64_t x;

	(void)what;
	(void)fn;
	if (n <= 1)
		return 0;
	pthread_mutex_lock(&ps->lock);
	x = ps->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	ps->rng = x;
	pthread_mutex_unlock(&ps->lock);
	return (int)(((x * 0x2545f4914f6cdd1dULL) >> 33) % (uint64_t)n);
}

static void *pt_alloc(struct dmo_sync *s, size_t size, const char *what)
{
	struct pt_sync *ps = to_pt(s);
	struct pt_block *b;

	(void)what;
	b = calloc(1, sizeof(*b) + size);
	if (!b)
		return NULL;
	pthread_mutex_lock(&ps->lock);
	b->next = ps->blocks.next;
	b->prev = &ps->blocks;
	b->next->prev = b;
	ps->blocks.next = b;
	pthread_mutex_unlock(&ps->lock);
	return b->payload;
}

static void pt_free(struct dmo_sync *s, void *p, const char *fn)
{
	struct pt_sync *ps = to_pt(s);
	struct pt_block *b;

	(void)fn;
	if (!p)
		return;
	b = (struct pt_block *)((char *)p - offsetof(struct pt_block, payload));
	pthread_mutex_lock(&ps->lock);
	b->prev->next = b->next;
	b->next->prev = b->prev;
	pthread_mutex_unlock(&ps->lock);
	free(b);
}

static void *trampoline(void *arg)
{
	struct dmo_thread *t = arg;

	pthread_setspecific(t->ps->self, t);
	t->fn(&t->ps->base, t->arg);
	return NULL;
}

static int pt_thread_create(struct dmo_sync *s, struct dmo_thread **tp,
			    const char *name, dmo_thread_fn fn, void *arg)
{
	struct pt_sync *ps = to_pt(s);
	struct dmo_thread *t;
	int err;

	(void)name;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->ps = ps;
	t->fn = fn;
	t->arg = arg;
	t->index = __atomic_add_fetch(&ps->next_index, 1, __ATOMIC_RELAXED);
	err = pthread_create(&t->tid, NULL, trampoline, t);
	if (err) {
		free(t);
		return -err;
	}
	*tp = t;
	return 0;
}

static void pt_thread_join(struct dmo_sync *s, struct dmo_thread *t,
			   const char *fn)
{
	(void)s;
	(void)fn;
	pthread_join(t->tid, NULL);
	free(t);
}

static int pt_thread_self(struct dmo_sync *s)
{
	return me(to_pt(s))->index;
}

static void pt_report(struct dmo_sync *s, enum dmo_viol_kind kind,
		      const char *fn, const char *msg)
{
	struct pt_sync *ps = to_pt(s);
	size_t len;
	char *copy;

	if ((unsigned)kind >= DMO_VIOL_NR)
		return;
	len = strlen(fn) + strlen(msg) + 3;
	copy = malloc(len);
	if (copy)
		snprintf(copy, len, "%s: %s", fn, msg);
	pthread_mutex_lock(&ps->lock);
	ps->counts[kind]++;
	if (!ps->first[kind]) {
		ps->first[kind] = copy;
		copy = NULL;
	}
	pthread_mutex_unlock(&ps->lock);
	free(copy);
}

static void pt_note(struct dmo_sync *s, const char *fn, const char *msg)
{
	(void)s;
	(void)fn;
	(void)msg;
}

static int pt_ghost_add(struct dmo_sync *s, int *p, int delta)
{
	(void)s;
	return __atomic_add_fetch(p, delta, __ATOMIC_SEQ_CST);
}

/* Real threads have no between-steps checks to tell. */
static void pt_watch(struct dmo_sync *s, const void *p, size_t size,
		     const void *cls)
{
	(void)s;
	(void)p;
	(void)size;
	(void)cls;
}

static const struct dmo_sync_ops pt_ops = {
	.mutex_init = pt_mutex_init,
	.mutex_destroy = pt_mutex_destroy,
	.mutex_lock = pt_mutex_lock,
	.mutex_unlock = pt_mutex_unlock,
	.mutex_held = pt_mutex_held,
	.load = pt_load,
	.store = pt_store,
	.fetch_add = pt_fetch_add,
	.cmpxchg = pt_cmpxchg,
	.choose = pt_choose,
	.alloc = pt_alloc,
	.free = pt_free,
	.thread_create = pt_thread_create,
	.thread_join = pt_thread_join,
	.thread_self = pt_thread_self,
	.report = pt_report,
	.note = pt_note,
	.ghost_add = pt_ghost_add,
	.watch = pt_watch,
};

struct dmo_sync *dmo_sync_pthread_create(uint64_t seed)
{
	struct pt_sync *ps = calloc(1, sizeof(*ps));

	if (!ps)
		return NULL;
	if (pthread_key_create(&ps->self, NULL)) {
		free(ps);
		return NULL;
	}
	pthread_mutex_init(&ps->lock, NULL);
	ps->base.ops = &pt_ops;
	ps->main.ps = ps;
	ps->blocks.next = ps->blocks.prev = &ps->blocks;
	/* splitmix64 of the seed: never the zero state xorshift sticks in. */
	seed += 0x9e3779b97f4a7c15ULL;
	seed = (seed ^ (seed >> 30)) * 0xbf58476d1ce4e5b9ULL;
	seed = (seed ^ (seed >> 27)) * 0x94d049bb133111ebULL;
	seed ^= seed >> 31;
	ps->rng = seed ? seed : 1;
	return &ps->base;
}

void dmo_sync_pthread_reset(struct dmo_sync *s)
{
	struct pt_sync *ps = to_pt(s);

	for (int k = 0; k < DMO_VIOL_NR; k++) {
		free(ps->first[k]);
		ps->first[k] = NULL;
		ps->counts[k] = 0;
	}
}

void dmo_sync_pthread_destroy(struct dmo_sync *s)
{
	struct pt_sync *ps;
	struct pt_block *b, *next;

	if (!s)
		return;
	ps = to_pt(s);
	dmo_sync_pthread_reset(s);
	for (b = ps->blocks.next; b != &ps->blocks; b = next) {
		next = b->next;
		free(b);
	}
	pthread_mutex_destroy(&ps->lock);
	pthread_key_delete(ps->self);
	free(ps);
}

int dmo_sync_pthread_reported(const struct dmo_sync *s, enum dmo_viol_kind kind,
			      const char **first)
{
	const struct pt_sync *ps = (const struct pt_sync *)s;

	if ((unsigned)kind >= DMO_VIOL_NR) {
		if (first)
			*first = NULL;
		return 0;
	}
	if (first)
		*first = ps->first[kind];
	return ps->counts[kind];
}
