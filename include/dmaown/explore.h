/* SPDX-License-Identifier: MIT */
/*
 * The interleaving explorer: runs a program written against the sync seam
 * under every schedule that can make a difference (optimal DPOR), or a
 * seeded sample of schedules, or exactly one schedule (replay).
 *
 * A program is a thread-0 body that builds its state, starts threads with
 * dmo_thread_create() and joins them.  It runs again from the beginning for
 * every execution, in the same process, so it must keep no state between
 * runs other than through @arg, which the hooks below reset.
 */
#ifndef DMAOWN_EXPLORE_H
#define DMAOWN_EXPLORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dmaown/types.h"

/* One program to explore. */
struct dmo_program {
	/* Thread 0's body. */
	void (*run)(struct dmo_sync *s, void *arg);
	/*
	 * Optional: called after every step with every thread paused.  It may
	 * read shared state directly and call dmo_explore_flag(); it must not
	 * call the seam.
	 *
	 * It is judged on every state some schedule reaches only as far as
	 * it reads locations that the program declared to the seam's watch
	 * operation (dmo_watch() in src/sync/sync.h, made by set-up code in
	 * every execution), each in the class of the check that reads it:
	 * the reduction then orders the writes of each class, and every
	 * state of a class's locations that some schedule reaches is passed
	 * through by an execution it runs.  A check that reads anything else
	 * shared is not sound under DPOR: it sees only the states the
	 * reduction happens to visit, and may miss a combination that
	 * exists.  Ghost updates of a watched location (the seam's ghost_add)
	 * take effect with their thread's next step; a thread that stops at a
	 * BUG first never makes them.  Under DMO_EXPLORE_NAIVE every state is
	 * checked whatever the check reads.
	 */
	void (*step_check)(struct dmo_sync *s, void *arg);
	/*
	 * Optional: called when an execution ends, complete (every thread
	 * returned) or not (@complete false: a thread stopped at a BUG or a
	 * use after free, and the others ran on until none could; or a
	 * deadlock; or a limit).  Same rules as step_check; what it reads at
	 * the end of a complete execution is always exact, since a final
	 * state depends only on the trace.
	 */
	void (*finish)(struct dmo_sync *s, void *arg, bool complete);
	/*
	 * Optional: called after finish, to drop what run built.  Memory from
	 * dmo_alloc() is reclaimed by the explorer itself.
	 */
	void (*reset)(void *arg);
};

/* How to search. */
enum dmo_explore_mode {
	DMO_EXPLORE_DPOR,	/* optimal DPOR: one execution per trace */
	DMO_EXPLORE_NAIVE,	/* every interleaving: for differential tests */
	DMO_EXPLORE_RANDOM,	/* seeded random schedules (PCT) */
};

struct dmo_explore_opts {
	enum dmo_explore_mode mode;
	uint64_t max_executions;	/* 0: no limit */
	double time_limit;		/* seconds; 0: no limit */
	bool first;			/* stop at the first violation */
	bool progress;			/* a progress line on stderr */
	uint64_t seed;			/* DMO_EXPLORE_RANDOM */
	uint64_t iterations;		/* DMO_EXPLORE_RANDOM */
	int pct_depth;			/* DMO_EXPLORE_RANDOM; 0: 3 */
};

/* A violation, as handed to dmo_explore_result.on_violation. */
struct dmo_violation {
	enum dmo_viol_kind kind;
	const char *message;	/* one line */
	const char *fn;		/* modelled function where it fired */
	const char *thread;	/* thread name, or "-" for a between-steps check */
	const char *schedule;	/* for dmo_explore_replay() */
};

/* One step of a replayed execution. */
struct dmo_step {
	int index;		/* 0, 1, ... */
	int thread;		/* thread index */
	const char *thread_name;
	const char *op;		/* "lock", "unlock", "read", "write", "rmw",
				 * "choose", "alloc", "free", "spawn", "join",
				 * "end", "note", "violation" */
	const char *fn;		/* modelled function */
	const char *line;	/* the whole step, formatted for people */
	const char *text;	/* what it did: @line without the index,
				 * thread, op and function */
	const void *object;	/* the location, mutex or block it touched,
				 * as an identity within the execution;
				 * NULL for the other ops */
	const char *within;	/* the name dmo_alloc() gave the block
				 * holding @object ("device 0000:01:00.1"),
				 * NULL when none does */
};

struct dmo_explore_result {
	/* In: called once for each distinct (kind, message). */
	void (*on_violation)(void *arg, const struct dmo_violation *v);
	void *arg;

	/* Out. */
	uint64_t executions;	/* every execution, cut or blocked too */
	uint64_t blocked;	/* sleep-set blocked: 0 for optimal DPOR */
	uint64_t events;	/* steps run, over all executions */
	uint64_t violations;	/* every occurrence */
	bool complete;		/* the whole space was explored */
	double seconds;
	/* executions cut short: a BUG, a use after free, a deadlock */
	uint64_t cut;
	/*
	 * dmo_explore_parallel(): executions whose trace another execution
	 * ran already (0 for dmo_explore()).
	 */
	uint64_t redundant;
};

/**
 * dmo_explore() - explore a program
 * @p: the program
 * @arg: passed to its hooks
 * @opts: how; NULL for DPOR with no limits
 * @r: on_violation/arg in, counts out
 *
 * Return: 0 when the search ran to its end or to a limit (see
 * @r->complete), -ENOMEM, or -EINVAL for a program that breaks the rules
 * (too many threads, a thread left unjoined, ghost updates of more than
 * 16 watched locations by one thread between two of its steps).
 * Context: not from a program run by an explorer.
 */
int dmo_explore(const struct dmo_program *p, void *arg,
		const struct dmo_explore_opts *opts,
		struct dmo_explore_result *r);

/* Most workers of one dmo_explore_parallel(). */
#define DMO_EXPLORE_MAX_THREADS 64

/**
 * dmo_explore_parallel() - dmo_explore() by @n workers sharing one search
 * @p: the program
 * @args: @n arguments, one for each worker's copy of the program, which
 *	runs its hooks with it, on that worker's OS thread
 * @arg_size: how many bytes at each of @args the program's threads access
 *	through the seam (0: none)
 * @n: workers, 1..DMO_EXPLORE_MAX_THREADS
 * @opts: as for dmo_explore(); the mode must be DMO_EXPLORE_DPOR
 * @r: as for dmo_explore(), but @r->on_violation is called on worker k's
 *	thread with @args[k], not @r->arg; counts out, summed over workers
 *
 * The search finds every final state, violation and trace that
 * dmo_explore() finds and no other, and never a blocked execution; it may
 * run some traces more than once (@r->redundant says how many times).
 * What the program's threads share must live in memory from dmo_alloc(),
 * on their stacks, or within the @arg_size bytes of the argument: a
 * branch that touches other memory is not handed between workers, and the
 * search is then sequential from there.
 *
 * Return: as dmo_explore(); -EINVAL also for a mode other than DPOR.
 * Context: as dmo_explore().  The hooks of one worker are never called at
 * the same time as each other, but those of two workers may be.
 */
int dmo_explore_parallel(const struct dmo_program *p, void *const *args,
			 size_t arg_size, int n,
			 const struct dmo_explore_opts *opts,
			 struct dmo_explore_result *r);

/**
 * dmo_explore_replay() - run the one execution a schedule names
 * @p: the program
 * @arg: passed to its hooks
 * @schedule: as given in a dmo_violation
 * @on_step: called for every step, in order (may be NULL)
 * @on_violation: called for every violation of that execution (may be NULL)
 * @cb_arg: for both callbacks
 *
 * Return: 0; -EINVAL when @schedule is malformed or does not fit the
 * program (the execution diverges from it).
 * Context: as dmo_explore().
 */
int dmo_explore_replay(const struct dmo_program *p, void *arg,
		       const char *schedule,
		       void (*on_step)(void *cb_arg, const struct dmo_step *st),
		       void (*on_violation)(void *cb_arg,
					    const struct dmo_violation *v),
		       void *cb_arg);

/**
 * dmo_explore_flag() - record a violation from a between-steps hook
 * @s: the explorer backend passed to the hook
 * @kind: the kind
 * @msg: one line
 *
 * Never ends the execution.
 * Context: step_check or finish.
 */
void dmo_explore_flag(struct dmo_sync *s, enum dmo_viol_kind kind,
		      const char *msg);

/**
 * dmo_explore_schedule() - the schedule of the execution so far
 * @s: the explorer backend passed to the hook
 *
 * Return: a schedule for dmo_explore_replay(), valid until the hook
 * returns; "" when memory runs out.  From the finish hook of a complete
 * execution, it replays that whole execution.
 * Context: step_check or finish.
 */
const char *dmo_explore_schedule(struct dmo_sync *s);

#endif /* DMAOWN_EXPLORE_H */
