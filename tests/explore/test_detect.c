// SPDX-License-Identifier: MIT
/*
 * The detectors and replay: each detector fires on a broken program with
 * a schedule that replays to the same violation and the same final state,
 * and stays silent on the corrected program.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dmaown/explore.h"
#include "sync/sync.h"
#include "tap.h"

#define MAXV 16

struct viol {
	enum dmo_viol_kind kind;
	char msg[320];
	char sched[512];
	char thread[32];
	char fn[64];
};

struct w {
	int which;
	struct dmo_mutex a, b;
	int x, y;
	int *blk;
	struct dmo_thread *t[2];
	int idx[2];
	/* Out. */
	struct viol v[MAXV];
	int nv;
	int checks, finishes, incomplete, resets, after_bug;
	int final_x, final_y;
	char lines[64][200];
	int nlines;
};

static struct w *outer(void *idx)
{
	int *p = idx;

	return (struct w *)((char *)(p - *p) - offsetof(struct w, idx));
}

/* 0: two unlocked increments (race); 1: the same under a mutex. */
static void incr(struct dmo_sync *s, void *arg)
{
	struct w *w = outer(arg);
	bool locked = w->which == 1;

	if (locked)
		dmo_mutex_lock(s, &w->a);
	dmo_store_int(s, &w->x, dmo_load_int(s, &w->x) + 1);
	if (locked)
		dmo_mutex_unlock(s, &w->a);
}

/* 2: marked accesses only: no race. */
static void marked(struct dmo_sync *s, void *arg)
{
	struct w *w = outer(arg);

	dmo_write_once_int(s, &w->y, *(int *)arg + 1);
	dmo_store_int(s, &w->x, 0);
	(void)dmo_read_once_int(s, &w->y);
}

/* 3: ABBA (deadlock); 4: both take A then B (silent). */
static void locker(struct dmo_sync *s, void *arg)
{
	struct w *w = outer(arg);
	bool swap = w->which == 3 && *(int *)arg == 1;
	struct dmo_mutex *first = swap ? &w->b : &w->a;
	struct dmo_mutex *second = swap ? &w->a : &w->b;

	dmo_mutex_lock(s, first);
	dmo_mutex_lock(s, second);
	dmo_store_int(s, &w->x, dmo_load_int(s, &w->x) + 1);
	dmo_mutex_unlock(s, second);
	dmo_mutex_unlock(s, first);
}

/* 6: a reader that may run after the free; 7: joined first (silent). */
static void user(struct dmo_sync *s, void *arg)
{
	struct w *w = outer(arg);

	if (*(int *)arg == 0)
		w->y = dmo_load_int(s, w->blk);
	else if (w->which == 6)
		dmo_free(s, w->blk);
}

/* 11: a plain read and a plain write of x, in two functions. */
static void race_write(struct dmo_sync *s, struct w *w)
{
	dmo_store_int(s, &w->x, 5);
}

static int race_read(struct dmo_sync *s, struct w *w)
{
	return dmo_load_int(s, &w->x);
}

static void reorder(struct dmo_sync *s, void *arg)
{
	struct w *w = outer(arg);

	if (*(int *)arg == 0)
		w->y = race_read(s, w);
	else
		race_write(s, w);
}

/* 9: BUG inside a critical section, in one of the choices. */
static void buggy(struct dmo_sync *s, void *arg)
{
	struct w *w = outer(arg);

	dmo_mutex_lock(s, &w->a);
	dmo_store_int(s, &w->x, 1);
	if (*(int *)arg == 0 && dmo_choose(s, 2, "fail") == 1) {
		dmo_report(s, DMO_VIOL_BUG, "chose to fail");
		w->after_bug++;
	}
	dmo_store_int(s, &w->x, 2);
	dmo_mutex_unlock(s, &w->a);
}

static void run(struct dmo_sync *s, void *arg)
{
	struct w *w = arg;
	static const dmo_thread_fn fns[] = {
		incr, incr, marked, locker, locker, NULL, user, user, NULL,
		buggy, incr, reorder,
	};

	w->x = w->y = 0;
	dmo_mutex_init(s, &w->a, "A");
	dmo_mutex_init(s, &w->b, "B");
	switch (w->which) {
	case 5: {
		/* Lock order from two executions: never a deadlock. */
		bool ab = dmo_choose(s, 2, "order") == 0;

		dmo_mutex_lock(s, ab ? &w->a : &w->b);
		dmo_mutex_lock(s, ab ? &w->b : &w->a);
		dmo_mutex_unlock(s, ab ? &w->b : &w->a);
		dmo_mutex_unlock(s, ab ? &w->a : &w->b);
		return;
	}
	case 8: {
		int *p = dmo_alloc(s, sizeof(int), "blk");

		dmo_free(s, p);
		dmo_free(s, p);
		return;
	}
	case 6:
	case 7:
		w->blk = dmo_alloc(s, sizeof(int), "blk");
		break;
	}
	for (int i = 0; i < 2; i++) {
		w->idx[i] = i;
		dmo_thread_create(s, &w->t[i], i ? "P1" : "P0", fns[w->which],
				  &w->idx[i]);
		if (w->which == 7 && i == 0)
			dmo_thread_join(s, w->t[0]);
	}
	for (int i = w->which == 7 ? 1 : 0; i < 2; i++)
		dmo_thread_join(s, w->t[i]);
	if (w->which == 7)
		dmo_free(s, w->blk);
}

static void step_check(struct dmo_sync *s, void *arg)
{
	struct w *w = arg;

	w->checks++;
	/* 10: an invariant broken between steps. */
	if (w->which == 10 && w->x == 2)
		dmo_explore_flag(s, DMO_VIOL_ACCOUNTING, "x reached 2");
}

static void finish(struct dmo_sync *s, void *arg, bool complete)
{
	struct w *w = arg;

	(void)s;
	w->finishes++;
	if (!complete)
		w->incomplete++;
	w->final_x = w->x;
	w->final_y = w->y;
}

static void reset(void *arg)
{
	((struct w *)arg)->resets++;
}

static const struct dmo_program prog = {
	.run = run,
	.step_check = step_check,
	.finish = finish,
	.reset = reset,
};

static void on_viol(void *arg, const struct dmo_violation *v)
{
	struct w *w = arg;
	struct viol *o;

	if (w->nv == MAXV)
		return;
	o = &w->v[w->nv++];
	o->kind = v->kind;
	snprintf(o->msg, sizeof(o->msg), "%s", v->message);
	snprintf(o->sched, sizeof(o->sched), "%s", v->schedule);
	snprintf(o->thread, sizeof(o->thread), "%s", v->thread);
	snprintf(o->fn, sizeof(o->fn), "%s", v->fn);
}

static void on_step(void *arg, const struct dmo_step *st)
{
	struct w *w = arg;

	if (w->nlines < 64)
		snprintf(w->lines[w->nlines++], sizeof(w->lines[0]), "%s",
			 st->line);
}

static struct w W, R;

static int explore(int which, struct dmo_explore_result *r)
{
	memset(&W, 0, sizeof(W));
	memset(r, 0, sizeof(*r));
	W.which = which;
	r->on_violation = on_viol;
	r->arg = &W;
	return dmo_explore(&prog, &W, NULL, r);
}

static const struct viol *find(const struct w *w, enum dmo_viol_kind kind,
			       const char *prefix)
{
	for (int i = 0; i < w->nv; i++)
		if (w->v[i].kind == kind &&
		    strncmp(w->v[i].msg, prefix, strlen(prefix)) == 0)
			return &w->v[i];
	return NULL;
}

static int count_kind(const struct w *w, enum dmo_viol_kind kind)
{
	int n = 0;

	for (int i = 0; i < w->nv; i++)
		n += w->v[i].kind == kind;
	return n;
}

/* Replay @v and check that the same violation comes back. */
static void replays(int which, const struct viol *v, const char *what)
{
	int ret;

	memset(&R, 0, sizeof(R));
	R.which = which;
	ret = dmo_explore_replay(&prog, &R, v->sched, on_step, on_viol, &R);
	is_int(ret, 0, "%s: schedule %s replays", what, v->sched);
	ok(find(&R, v->kind, v->msg) != NULL, "%s: replay shows it again",
	   what);
	ok(R.nlines > 0, "%s: replay printed %d steps", what, R.nlines);
}

static void test_race(void)
{
	struct dmo_explore_result r;
	const struct viol *v;

	is_int(explore(0, &r), 0, "race: explored");
	v = find(&W, DMO_VIOL_RACE, "data race:");
	ok(v != NULL, "race: found");
	if (v) {
		ok(strstr(v->msg, "w->x in incr by P0") &&
			   strstr(v->msg, "w->x in incr by P1"),
		   "race: message names both accesses: %s", v->msg);
		is_str(v->fn, "incr", "race: fn");
		replays(0, v, "race");
	}
	ok(r.violations >= (uint64_t)W.nv,
	   "race: every occurrence counted (%llu >= %d reported)",
	   (unsigned long long)r.violations, W.nv);

	is_int(explore(1, &r), 0, "locked counter: explored");
	is_int(W.nv, 0, "locked counter: no race");
	is_int(r.executions, 2, "locked counter: two executions");

	is_int(explore(2, &r), 0, "marked: explored");
	is_int(count_kind(&W, DMO_VIOL_RACE), 1,
	       "marked: the plain stores race, one race whichever runs first");
	for (int i = 0; i < W.nv; i++)
		ok(strstr(W.v[i].msg, "w->y") == NULL &&
			   strstr(W.v[i].msg, "write &w->x in marked"),
		   "marked: %s", W.v[i].msg);
}

/*
 * Both orders of one racing pair run (the read first and the write
 * first): still one distinct race, its accesses named in a fixed order.
 */
static void test_race_canonical(void)
{
	struct dmo_explore_result r;
	const struct viol *v;

	is_int(explore(11, &r), 0, "race both ways: explored");
	is_int(r.executions, 2, "race both ways: both orders ran");
	is_int((int)r.violations, 2, "race both ways: raced in both");
	is_int(count_kind(&W, DMO_VIOL_RACE), 1,
	       "race both ways: one distinct race reported");
	is_int(W.nv, 1, "race both ways: nothing else reported");
	v = find(&W, DMO_VIOL_RACE, "data race:");
	if (v) {
		is_str(v->msg,
		       "data race: read &w->x in race_read by P0, write &w->x in race_write by P1",
		       "race both ways: canonical message");
		replays(11, v, "race both ways");
	} else {
		ok(0, "race both ways: found");
	}
}

static void test_deadlock(void)
{
	struct dmo_explore_result r;
	const struct viol *d, *inv;

	is_int(explore(3, &r), 0, "abba: explored");
	d = find(&W, DMO_VIOL_DEADLOCK, "deadlock:");
	inv = find(&W, DMO_VIOL_DEADLOCK, "lock order inversion:");
	ok(d != NULL, "abba: deadlock found");
	ok(inv != NULL, "abba: inversion found");
	if (d) {
		is_str(d->msg,
		       "deadlock: main waits to join P0; P0 waits for B held by P1; P1 waits for A held by P0",
		       "abba: deadlock message");
		replays(3, d, "deadlock");
		is_int(R.incomplete, 1, "deadlock: replay cut short");
	}
	if (inv)
		replays(3, inv, "inversion");
	is_int(W.incomplete, 1, "abba: one execution deadlocks");
	is_int(W.resets, W.finishes, "abba: reset after every finish");

	is_int(explore(4, &r), 0, "ab-ab: explored");
	is_int(W.nv, 0, "ab-ab: no deadlock, no inversion");

	is_int(explore(5, &r), 0, "order by choice: explored");
	inv = find(&W, DMO_VIOL_DEADLOCK, "lock order inversion:");
	ok(inv != NULL, "order by choice: inversion without a deadlock");
	is_int(W.incomplete, 0, "order by choice: nothing deadlocked");
	if (inv) {
		ok(strchr(inv->sched, '+') != NULL,
		   "order by choice: schedule names both runs: %s",
		   inv->sched);
		replays(5, inv, "inversion over two runs");
	}
}

static void test_uaf(void)
{
	struct dmo_explore_result r;
	const struct viol *v;

	is_int(explore(6, &r), 0, "uaf: explored");
	v = find(&W, DMO_VIOL_UAF, "use after free:");
	ok(v != NULL, "uaf: found");
	if (v) {
		is_str(v->msg,
		       "use after free: read w->blk in user by P0 (blk freed in user by P1)",
		       "uaf: message");
		is_str(v->thread, "P0", "uaf: thread");
		replays(6, v, "uaf");
		is_int(R.incomplete, 1, "uaf: replay cut short");
	}
	is_int(count_kind(&W, DMO_VIOL_RACE), 0,
	       "uaf: not also reported as a race");

	is_int(explore(7, &r), 0, "joined before free: explored");
	is_int(W.nv, 0, "joined before free: silent");

	is_int(explore(8, &r), 0, "double free: explored");
	v = find(&W, DMO_VIOL_UAF, "double free of blk");
	ok(v != NULL, "double free: found");
	if (v)
		replays(8, v, "double free");
}

static void test_bug_and_flag(void)
{
	struct dmo_explore_result r;
	const struct viol *v;

	is_int(explore(9, &r), 0, "bug: explored");
	v = find(&W, DMO_VIOL_BUG, "chose to fail");
	ok(v != NULL, "bug: found");
	is_int(W.after_bug, 0, "bug: the thread never resumed");
	ok(W.incomplete > 0 && W.incomplete < W.finishes,
	   "bug: %d of %d executions cut", W.incomplete, W.finishes);
	is_int(W.resets, W.finishes, "bug: reset after every finish");
	if (v) {
		replays(9, v, "bug");
		is_int(R.final_x, 1, "bug: replay stops mid-section (x == 1)");
	}

	is_int(explore(10, &r), 0, "flag: explored");
	v = find(&W, DMO_VIOL_ACCOUNTING, "x reached 2");
	ok(v != NULL, "flag: step_check violation found");
	if (v) {
		is_str(v->thread, "-", "flag: between steps");
		replays(10, v, "flag");
	}
	ok(W.checks > 0 && (uint64_t)W.checks == r.events,
	   "step_check after every step (%d checks, %llu events)", W.checks,
	   (unsigned long long)r.events);
}

static void test_replay(void)
{
	struct dmo_explore_result r;
	const struct viol *v;
	static const char *const bad[] = {
		"", "x", "0x", "0.", ".0", "0xx2", "abc", "0 1", "9", "0x999",
		"0c1",
	};

	is_int(explore(0, &r), 0, "replay: explored");
	v = find(&W, DMO_VIOL_RACE, "data race:");
	if (!v) {
		ok(0, "replay: no race to replay");
		return;
	}
	memset(&R, 0, sizeof(R));
	R.which = 0;
	is_int(dmo_explore_replay(&prog, &R, v->sched, on_step, NULL, &R), 0,
	       "replay: runs");
	is_int(R.finishes, 1, "replay: one execution");
	ok(R.final_x == 1 || R.final_x == 2, "replay: x is %d", R.final_x);
	{
		int x1 = R.final_x;

		memset(&R, 0, sizeof(R));
		dmo_explore_replay(&prog, &R, v->sched, NULL, NULL, NULL);
		is_int(R.final_x, x1, "replay: the same final state twice");
	}
	is_str(R.lines[0], "", "replay: no steps without on_step");
	memset(&R, 0, sizeof(R));
	dmo_explore_replay(&prog, &R, v->sched, on_step, NULL, &R);
	is_str(R.lines[0], "   0 main   spawn  P0   in thread_create",
	       "replay: first line");
	ok(strstr(R.lines[2], "read   &w->x == 0x0   in incr") != NULL,
	   "replay: a read line: %s", R.lines[2]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&R, 0, sizeof(R));
		is_int(dmo_explore_replay(&prog, &R, bad[i], NULL, NULL, NULL),
		       -EINVAL, "replay: \"%s\" rejected", bad[i]);
	}
	memset(&R, 0, sizeof(R));
	is_int(dmo_explore_replay(&prog, &R, "0x3", NULL, NULL, NULL),
	       -EINVAL, "replay: a schedule too short does not fit");
}

int main(void)
{
	test_race();
	test_race_canonical();
	test_deadlock();
	test_uaf();
	test_bug_and_flag();
	test_replay();
	return done_testing();
}
