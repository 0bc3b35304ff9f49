// SPDX-License-Identifier: MIT
/*
 * The pthread backend of the sync seam on its own: lock ownership,
 * thread indexes, atomic read-modify-writes from many threads, the
 * seeded choice, reports, and the blocks it hands out.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dmaown.h"
#include "sync/sync.h"
#include "tap.h"

#define NR 4
#define ADDS 10000

struct shared {
	struct dmo_mutex m;
	int counter;		/* fetch_add */
	int locked_sum;		/* plain, under m */
	int index[NR];
	bool held_elsewhere;
};

struct arg {
	struct shared *sh;
	int slot;
};

static void body(struct dmo_sync *s, void *p)
{
	struct arg *a = p;
	struct shared *sh = a->sh;

	sh->index[a->slot] = dmo_thread_self(s);
	for (int i = 0; i < ADDS; i++) {
		dmo_fetch_add_int(s, &sh->counter, 1);
		dmo_mutex_lock(s, &sh->m);
		dmo_store_int(s, &sh->locked_sum,
			      dmo_load_int(s, &sh->locked_sum) + 2);
		dmo_mutex_unlock(s, &sh->m);
	}
}

static void peek(struct dmo_sync *s, void *p)
{
	struct shared *sh = p;

	sh->held_elsewhere = dmo_mutex_held(s, &sh->m);
}

int main(void)
{
	struct dmo_sync *s = dmo_sync_pthread_create(42);
	struct dmo_sync *s2 = dmo_sync_pthread_create(42);
	struct dmo_thread *t[NR], *pt;
	struct arg args[NR];
	struct shared sh;
	const char *msg;
	bool same = true, in_range = true, seen[NR + 1] = { false };
	int v, *blk;

	memset(&sh, 0, sizeof(sh));
	dmo_mutex_init(s, &sh.m, "m");
	is_int(dmo_thread_self(s), 0, "the starting thread is thread 0");
	ok(!dmo_mutex_held(s, &sh.m), "not held before lock");
	dmo_mutex_lock(s, &sh.m);
	ok(dmo_mutex_held(s, &sh.m), "held after lock");
	is_int(dmo_thread_create(s, &pt, "peek", peek, &sh), 0, "peek starts");
	dmo_thread_join(s, pt);
	ok(!sh.held_elsewhere, "another thread does not hold it");
	dmo_mutex_unlock(s, &sh.m);
	ok(!dmo_mutex_held(s, &sh.m), "not held after unlock");
	is_int(dmo_sync_pthread_reported(s, DMO_VIOL_WARN, NULL), 0,
	       "no WARN so far");

	for (int i = 0; i < NR; i++) {
		args[i] = (struct arg){ .sh = &sh, .slot = i };
		is_int(dmo_thread_create(s, &t[i], "adder", body, &args[i]), 0,
		       "adder %d starts", i);
	}
	for (int i = 0; i < NR; i++)
		dmo_thread_join(s, t[i]);
	is_int(sh.counter, NR * ADDS, "fetch_add lost nothing");
	is_int(sh.locked_sum, 2 * NR * ADDS, "the mutex excluded");
	for (int i = 0; i < NR; i++) {
		ok(sh.index[i] >= 2 && sh.index[i] <= NR + 1,
		   "thread index %d in range", sh.index[i]);
		if (sh.index[i] >= 2 && sh.index[i] <= NR + 1) {
			ok(!seen[sh.index[i] - 1], "index %d unique",
			   sh.index[i]);
			seen[sh.index[i] - 1] = true;
		}
	}

	v = 5;
	ok(dmo_cmpxchg_int(s, &sh.counter, &v, 7) == false && v == NR * ADDS,
	   "cmpxchg fails and reports the value");
	ok(dmo_cmpxchg_int(s, &sh.counter, &v, 7) && sh.counter == 7,
	   "cmpxchg succeeds");

	for (int i = 0; i < 1000; i++) {
		int a = dmo_choose(s, 3, "x"), b = dmo_choose(s2, 3, "x");

		same &= a == b;
		in_range &= a >= 0 && a < 3;
	}
	ok(same, "the same seed chooses the same values");
	ok(in_range, "choices in range");
	is_int(dmo_choose(s, 1, "x"), 0, "a choice of one");

	dmo_report(s, DMO_VIOL_BUG, "first");
	dmo_report(s, DMO_VIOL_BUG, "second");
	is_int(dmo_sync_pthread_reported(s, DMO_VIOL_BUG, &msg), 2,
	       "two BUGs counted");
	is_str(msg, "main: first", "the first message is kept");
	dmo_sync_pthread_reset(s);
	is_int(dmo_sync_pthread_reported(s, DMO_VIOL_BUG, &msg), 0,
	       "reset forgets");
	ok(msg == NULL, "no message after reset");

	dmo_mutex_lock(s, &sh.m);
	is_int(dmo_thread_create(s, &pt, "peek", peek, &sh), 0, "peek again");
	dmo_thread_join(s, pt);
	dmo_mutex_unlock(s, &sh.m);
	dmo_assert_held(s, &sh.m);
	is_int(dmo_sync_pthread_reported(s, DMO_VIOL_WARN, &msg), 1,
	       "assert_held of a free mutex WARNs");
	is_str(msg, "main: lock not held where the caller must hold it",
	       "assert_held message");

	blk = dmo_alloc(s, 64 * sizeof(int), "blk");
	ok(blk != NULL, "alloc");
	v = 0;
	for (int i = 0; i < 64; i++)
		v |= blk[i];
	is_int(v, 0, "alloc zero-fills");
	dmo_free(s, blk);
	/* Left for the backend to reclaim: ASan's leak check watches. */
	ok(dmo_alloc(s, 16, "kept") != NULL, "a block left allocated");

	dmo_mutex_destroy(s, &sh.m);
	dmo_sync_pthread_destroy(s);
	dmo_sync_pthread_destroy(s2);
	return done_testing();
}
