/* SPDX-License-Identifier: MIT */
/*
 * What the scenario runner (runner.c) hands to the reports (report.c): the
 * outcome of checking one scenario under one policy, the histogram of a
 * real-thread run, and the spellings both share.
 *
 * Nothing here is shared between threads: an outcome is built by the one
 * thread that called dmo_scenario_check() after the explorer returned, and
 * printed by the same thread.
 */
#ifndef DMO_SCENARIO_RUNNER_H
#define DMO_SCENARIO_RUNNER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "scenario/scenario.h"

/*
 * One distinct (kind, message), as first seen.  No lock: only the thread
 * that called the explorer (or ran the real threads) touches it.
 */
struct dmo__sc_viol {
	enum dmo_viol_kind kind;
	char *message;
	char *fn;		/* modelled function, or "-" */
	char *thread;		/* thread name, or "-" */
	char *schedule;		/* NULL for a real-thread run */
	uint64_t count;		/* real-thread runs that showed it */
};

/* One distinct final state.  No lock, as for struct dmo__sc_viol. */
struct dmo__sc_state {
	char *text;		/* canonical: "P0:r0=0; owner(1)=none; ..." */
	uint64_t count;		/* executions (or runs) that ended in it */
	bool cond;		/* the final condition holds in it */
	bool listed;		/* run: the explorer found it too */
};

/* How a check ended, as the summary line's first word. */
enum dmo__sc_result {
	DMO__SC_OK,
	DMO__SC_VIOLATION,
	DMO__SC_INCOMPLETE,
};

/* What an expectation judgement gave. */
enum dmo__sc_judged {
	DMO__SC_UNJUDGED,	/* no applicable expect line: no field */
	DMO__SC_PASS,
	DMO__SC_FAIL,
};

/*
 * Everything a report prints about one scenario under one policy.
 * Immutable after set-up: filled in once the search is over, then printed.
 */
struct dmo__sc_outcome {
	const struct dmo_scenario *sc;
	enum dmo_policy policy;
	uint64_t executions;		/* complete executions */
	uint64_t cut_short;		/* run: runs ended by a BUG_ON */
	struct dmo__sc_state **states;	/* sorted by text */
	size_t nr_states;
	const char *observation;	/* "Always"..., NULL: no condition */
	struct dmo__sc_viol *viols;	/* in the order found */
	size_t nr_viols;
	unsigned int kinds;		/* bit per enum dmo_viol_kind found */
	enum dmo__sc_result result;
	enum dmo__sc_judged judged;
	double seconds;
};

/* Prints the step-by-step trace of one schedule, each line indented. */
typedef void (*dmo__sc_trace_fn)(void *arg, const char *schedule, FILE *out);

/* report.c */
const char *dmo__sc_errno_name(long v);
void dmo__sc_shell_word(FILE *out, const char *s);
void dmo__sc_print_kinds(FILE *out, unsigned int kinds);
void dmo__sc_report_text(FILE *out, const struct dmo__sc_outcome *o,
			 bool quiet, const char *argv0, dmo__sc_trace_fn trace,
			 void *trace_arg);
void dmo__sc_report_json(FILE *out, const struct dmo__sc_outcome *o);
void dmo__sc_report_run(FILE *out, const struct dmo__sc_outcome *o,
			uint64_t iterations, uint64_t seed, size_t unlisted,
			const char *skipped);

#endif /* DMO_SCENARIO_RUNNER_H */
