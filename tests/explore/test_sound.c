// SPDX-License-Identifier: MIT
/*
 * The search never misses what some schedule shows: the smallest programs
 * of each way it could, with the exact number of executions an optimal
 * search takes for each, checked against the naive enumeration.
 *
 *  - A BUG that stops one thread must not hide the schedules in which it
 *    never fires, nor the races of the threads it did not stop.
 *  - A check between steps must see every state some schedule reaches,
 *    while updates that no check relates stay independent.
 *  - Choices keep the search optimal: no execution blocked.
 * And the scenario that showed the first of these in the protocol.
 */
#include <stdio.h>
#include <string.h>

#include "dmaown.h"
#include "sync/sync.h"
#include "tap.h"

#define MAXT 8

struct w {
	int which;
	int x[MAXT], y[MAXT], g[MAXT];
	struct dmo_mutex m;
	struct dmo_thread *t[MAXT];
	int idx[MAXT];
	int r[MAXT];
	/* Out. */
	int complete, states, nstate;
	uint64_t state[16];
	unsigned kinds;
	int flagged;
};

static struct w *outer(void *idx)
{
	int *p = idx;

	return (struct w *)((char *)(p - *p) - offsetof(struct w, idx));
}

/* P0 reads x1 and BUGs on 0; P1 reads x2, then writes x1 = 1. */
static void bug_hides(struct dmo_sync *s, struct w *w, int id)
{
	if (id == 0) {
		w->r[0] = dmo_read_once_int(s, &w->x[1]);
		if (w->r[0] == 0)
			dmo_report(s, DMO_VIOL_BUG, "read 0");
	} else {
		w->r[1] = dmo_read_once_int(s, &w->x[2]);
		dmo_write_once_int(s, &w->x[1], 1);
	}
}

/* P0 BUGs at once; P1 reads x0 and P2 writes it, both plain. */
static void bug_at_once(struct dmo_sync *s, struct w *w, int id)
{
	if (id == 0)
		dmo_report(s, DMO_VIOL_BUG, "at once");
	else if (id == 1)
		w->r[1] = dmo_load_int(s, &w->x[0]);
	else
		dmo_store_int(s, &w->x[0], 1);
}

/* P0 increments x0 twice, P1 writes x2 = 1: never x0 == 1 && x2 == 1. */
static void between(struct dmo_sync *s, struct w *w, int id)
{
	if (id == 0) {
		dmo_fetch_add_int(s, &w->x[0], 1);
		dmo_fetch_add_int(s, &w->x[0], 1);
	} else {
		dmo_write_once_int(s, &w->x[2], 1);
	}
}

/*
 * The same with ghost counters, which are no step of their own: each
 * update takes effect with its thread's next step.
 */
static void ghosts(struct dmo_sync *s, struct w *w, int id)
{
	if (id == 0) {
		dmo_ghost_add(s, &w->g[0], 1);
		dmo_write_once_int(s, &w->y[0], 1);
		dmo_ghost_add(s, &w->g[0], 1);
		dmo_write_once_int(s, &w->y[0], 2);
	} else {
		dmo_ghost_add(s, &w->g[1], 1);
		dmo_write_once_int(s, &w->y[1], 1);
	}
}

/* Thread k writes x[k] and updates g[k], both watched by check k. */
static void apart(struct dmo_sync *s, struct w *w, int id)
{
	dmo_ghost_add(s, &w->g[id], 1);
	dmo_write_once_int(s, &w->x[id], 1);
	dmo_ghost_add(s, &w->g[id], -1);
	dmo_write_once_int(s, &w->y[id], 1);
}

/* P0 adds 2 to x0; P1 chooses 0 or 1 and, on 1, writes x0 = 1. */
static void choice(struct dmo_sync *s, struct w *w, int id)
{
	if (id == 0) {
		dmo_fetch_add_int(s, &w->x[0], 2);
	} else {
		w->r[1] = dmo_choose(s, 2, "write");
		if (w->r[1])
			dmo_write_once_int(s, &w->x[0], 1);
	}
}

/* The same with a critical section instead of the accesses. */
static void choice_lock(struct dmo_sync *s, struct w *w, int id)
{
	if (id == 1) {
		w->r[1] = dmo_choose(s, 2, "lock");
		if (!w->r[1])
			return;
	}
	dmo_mutex_lock(s, &w->m);
	dmo_mutex_unlock(s, &w->m);
}

struct prog {
	const char *name;
	void (*fn)(struct dmo_sync *s, struct w *w, int id);
	int threads;
	/* Watch: 0 nothing, 1 x0 and x2 in one class, 2 g0 and g1, 3 x[k]
	 * and g[k] in class k, 4 x[k] in one class. */
	int watch;
};

static const struct prog progs[] = {
	{ "bug hides a schedule", bug_hides, 2, 0 },
	{ "bug at once", bug_at_once, 3, 0 },
	{ "check between steps", between, 2, 1 },
	{ "check of ghosts", ghosts, 2, 2 },
	{ "eight unrelated checks", apart, 8, 3 },
	{ "three writes one check reads", apart, 3, 4 },
	{ "choice and a write", choice, 2, 0 },
	{ "choice and a lock", choice_lock, 2, 0 },
};

static void body(struct dmo_sync *s, void *arg)
{
	struct w *w = outer(arg);

	progs[w->which].fn(s, w, *(int *)arg);
}

static void run(struct dmo_sync *s, void *arg)
{
	struct w *w = arg;
	const struct prog *p = &progs[w->which];

	memset(w->x, 0, sizeof(w->x));
	memset(w->y, 0, sizeof(w->y));
	memset(w->g, 0, sizeof(w->g));
	memset(w->r, 0, sizeof(w->r));
	dmo_mutex_init(s, &w->m, "m");
	for (int k = 0; k < p->threads; k++) {
		switch (p->watch) {
		case 1:
			if (k == 0) {
				dmo_watch(s, &w->x[0], w);
				dmo_watch(s, &w->x[2], w);
			}
			break;
		case 2:
			dmo_watch(s, &w->g[k], w);
			break;
		case 3:
			dmo_watch(s, &w->x[k], &w->x[k]);
			dmo_watch(s, &w->g[k], &w->x[k]);
			break;
		case 4:
			dmo_watch(s, &w->x[k], w);
			break;
		}
	}
	for (int k = 0; k < p->threads; k++) {
		w->idx[k] = k;
		dmo_thread_create(s, &w->t[k], "P", body, &w->idx[k]);
	}
	for (int k = 0; k < p->threads; k++)
		dmo_thread_join(s, w->t[k]);
}

static void step_check(struct dmo_sync *s, void *arg)
{
	struct w *w = arg;

	switch (progs[w->which].watch) {
	case 1:
		if (w->x[0] == 1 && w->x[2] == 1)
			dmo_explore_flag(s, DMO_VIOL_ACCOUNTING,
					 "x0 == 1 and x2 == 1");
		break;
	case 2:
		if (w->g[0] == 1 && w->g[1] == 1)
			dmo_explore_flag(s, DMO_VIOL_ACCOUNTING,
					 "g0 == 1 and g1 == 1");
		break;
	case 3:
		for (int k = 0; k < progs[w->which].threads; k++)
			if (w->g[k] && !w->x[k])
				dmo_explore_flag(s, DMO_VIOL_ACCOUNTING,
						 "updated, not written");
		break;
	}
}

static void finish(struct dmo_sync *s, void *arg, bool complete)
{
	struct w *w = arg;
	uint64_t h = 1469598103934665603ull;

	(void)s;
	if (!complete)
		return;
	w->complete++;
	for (int k = 0; k < MAXT; k++)
		h = (h ^ (uint32_t)(w->x[k] * 7 + w->r[k] * 131 + w->g[k])) *
		    1099511628211ull;
	for (int i = 0; i < w->nstate; i++)
		if (w->state[i] == h)
			return;
	if (w->nstate < 16)
		w->state[w->nstate++] = h;
}

/* The violations of the last search, with the schedule of each. */
static struct {
	int kind;
	char msg[256], sched[256];
} seen[16];
static int nseen;

static void on_violation(void *arg, const struct dmo_violation *v)
{
	struct w *w = arg;

	w->kinds |= 1u << v->kind;
	if (v->kind == DMO_VIOL_ACCOUNTING)
		w->flagged++;
	if (nseen < 16) {
		seen[nseen].kind = v->kind;
		snprintf(seen[nseen].msg, sizeof(seen[0].msg), "%s",
			 v->message);
		snprintf(seen[nseen].sched, sizeof(seen[0].sched), "%s",
			 v->schedule);
		nseen++;
	}
}

static bool replay_found;
static const char *replay_want;

static void on_replay_violation(void *arg, const struct dmo_violation *v)
{
	(void)arg;
	if (strcmp(v->message, replay_want) == 0)
		replay_found = true;
}

static const struct dmo_program program = {
	.run = run,
	.step_check = step_check,
	.finish = finish,
};

static void explore(int which, enum dmo_explore_mode mode, struct w *w,
		    struct dmo_explore_result *r)
{
	struct dmo_explore_opts o = { .mode = mode };

	memset(w, 0, sizeof(*w));
	memset(r, 0, sizeof(*r));
	nseen = 0;
	w->which = which;
	r->on_violation = on_violation;
	r->arg = w;
	dmo_explore(&program, w, &o, r);
}

/*
 * DPOR takes exactly @execs executions, none blocked, @complete of them
 * complete, with the kinds @kinds; the naive search agrees on the final
 * states and the kinds.
 */
static void expect(int which, uint64_t execs, int complete, unsigned kinds)
{
	static struct w d, n;
	struct dmo_explore_result rd, rn;
	const char *name = progs[which].name;
	bool same = true;

	explore(which, DMO_EXPLORE_DPOR, &d, &rd);
	is_int(rd.executions, execs, "%s: %llu executions", name,
	       (unsigned long long)execs);
	is_int(rd.blocked, 0, "%s: none blocked", name);
	is_int(d.complete, complete, "%s: %d complete", name, complete);
	is_int(rd.cut, execs - (uint64_t)complete, "%s: the others cut short",
	       name);
	is_int(d.kinds, kinds, "%s: the violations", name);
	/* Eight threads of five steps are beyond the naive search. */
	if (progs[which].threads > 3)
		return;
	explore(which, DMO_EXPLORE_NAIVE, &n, &rn);
	ok(rn.complete, "%s: the naive search ran to its end", name);
	is_int(n.kinds, kinds, "%s: the naive search's violations", name);
	same = d.nstate == n.nstate;
	for (int i = 0; i < d.nstate && same; i++) {
		int j = 0;

		while (j < n.nstate && n.state[j] != d.state[i])
			j++;
		same = j < n.nstate;
	}
	ok(same, "%s: the naive search's %d final states", name, n.nstate);
}

/*
 * Every violation's schedule replays to it, those seen after a thread
 * stopped at a BUG too: the schedule ends where the violation was seen.
 */
static void replays(int which)
{
	static struct w w;
	struct dmo_explore_result r;

	explore(which, DMO_EXPLORE_DPOR, &w, &r);
	for (int i = 0; i < nseen; i++) {
		static struct w rw;

		memset(&rw, 0, sizeof(rw));
		rw.which = which;
		replay_found = false;
		replay_want = seen[i].msg;
		is_int(dmo_explore_replay(&program, &rw, seen[i].sched, NULL,
					  on_replay_violation, NULL),
		       0, "%s: %s replays", progs[which].name, seen[i].sched);
		ok(replay_found, "%s: the replay shows %s", progs[which].name,
		   seen[i].msg);
	}
}

/* The protocol case: what dmaown check says of it under legacy. */
static void legacy_case(void)
{
	const char *src = getenv("DMAOWN_SRC");
	char path[4096], err[256], *out = NULL;
	size_t len = 0;
	struct dmo_scenario *sc;
	struct dmo_check_opts o = { .quiet = true, .argv0 = "dmaown" };
	FILE *f;

	snprintf(path, sizeof(path), "%s/scenarios/vfio-open-bind-vs-close.own",
		 src ? src : ".");
	if (!ok(dmo_scenario_parse_file(path, &sc, err, sizeof(err)) == 0,
		"the legacy case parses: %s", err))
		return;
	f = open_memstream(&out, &len);
	is_int(dmo_scenario_check(sc, DMO_POLICY_LEGACY, &o, f), 0,
	       "legacy: every expectation holds");
	fclose(f);
	/* The close first: a complete execution, every result 0. */
	ok(out && strstr(out, " executions=1 states=1 cut=5 observation=Always "),
	   "legacy: the complete execution is there: %s", out ? out : "");
	free(out);
	dmo_scenario_free(sc);
}

int main(void)
{
	const unsigned bug = 1u << DMO_VIOL_BUG;
	const unsigned race = 1u << DMO_VIOL_RACE;
	const unsigned flag = 1u << DMO_VIOL_ACCOUNTING;

	/* The BUG first, or the write first and a complete execution. */
	expect(0, 2, 1, bug);
	/* Both orders of the race, each cut by the BUG. */
	expect(1, 2, 0, bug | race);
	/* The write before, between or after the increments. */
	expect(2, 3, 3, flag);
	expect(3, 3, 3, flag);
	/* Eight unrelated checks: one execution. */
	expect(4, 1, 1, 0);
	/* Three writes one check reads: every order of them. */
	expect(5, 6, 6, 0);
	/* 0, or 1 before or after the add: three traces. */
	expect(6, 3, 3, 0);
	expect(7, 3, 3, 0);
	replays(0);
	replays(1);
	legacy_case();
	return done_testing();
}
