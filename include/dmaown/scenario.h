/* SPDX-License-Identifier: MIT */
/*
 * Scenario files (.own, see dmaown-scenario(5)): parse them, check them
 * with the explorer, replay one execution, run them on real threads.
 * The dmaown command is a thin layer over these calls.
 */
#ifndef DMAOWN_SCENARIO_H
#define DMAOWN_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dmaown/explore.h"
#include "dmaown/types.h"

struct dmo_scenario;

/**
 * dmo_scenario_parse_file() - read and parse a .own file
 * @path: the file
 * @out: set to the scenario on success
 * @err: filled with "FILE:LINE:COL: error: ..." on failure
 * @errlen: size of @err
 *
 * Return: 0, or -EINVAL for a malformed file, -ENOENT/-EIO/-EFBIG when it
 * cannot be read (@err says which, naming @path).
 * Context: any.
 */
int dmo_scenario_parse_file(const char *path, struct dmo_scenario **out,
			    char *err, size_t errlen);

/**
 * dmo_scenario_parse_buffer() - parse a scenario held in memory
 * @path: the name used in messages and as the default test name
 * @buf: the text (need not be NUL-terminated; a NUL byte is an error)
 * @len: its length
 * @out: set to the scenario on success
 * @err: filled with "FILE:LINE:COL: error: ..." on failure
 * @errlen: size of @err
 *
 * Return: 0 or -EINVAL.
 * Context: any.
 */
int dmo_scenario_parse_buffer(const char *path, const char *buf, size_t len,
			      struct dmo_scenario **out, char *err,
			      size_t errlen);

/**
 * dmo_scenario_free() - free a parsed scenario
 * @sc: the scenario, or NULL
 * Context: any.
 */
void dmo_scenario_free(struct dmo_scenario *sc);

/**
 * dmo_scenario_name() - the scenario's test name
 * @sc: the scenario
 *
 * Return: the `test` name, or the file's base name without ".own".
 * Context: any.
 */
const char *dmo_scenario_name(const struct dmo_scenario *sc);

/**
 * dmo_scenario_policy() - the policy the file asks for
 * @sc: the scenario
 *
 * Return: its `policy` line, or -1 when it has none.
 * Context: any.
 */
int dmo_scenario_policy(const struct dmo_scenario *sc);

/* How to check. */
struct dmo_check_opts {
	struct dmo_explore_opts explore;
	bool json;		/* one JSON object per test and policy */
	bool quiet;		/* summary lines only */
	const char *argv0;	/* how replay commands name the program */
};

/**
 * dmo_scenario_check() - explore a scenario under one policy and report
 * @sc: the scenario
 * @policy: the design
 * @opts: how
 * @out: where the report goes (SCENARIO.md's format)
 *
 * Return: 0 when every expectation held, 1 when one failed or an
 * unexpected violation was found, 3 when a limit stopped the search and
 * nothing failed; -ENOMEM.
 * Context: any.
 */
int dmo_scenario_check(const struct dmo_scenario *sc, enum dmo_policy policy,
		       const struct dmo_check_opts *opts, FILE *out);

/**
 * dmo_scenario_replay() - print every step of one execution
 * @sc: the scenario
 * @policy: the design
 * @schedule: a schedule printed by dmo_scenario_check()
 * @out: where the trace goes
 * @err: filled with a message when @schedule does not fit
 * @errlen: size of @err
 *
 * Return: 0 when the execution ran and showed no violation, 1 when it
 * showed one (printed), -EINVAL when @schedule does not fit.
 * Context: any.
 */
int dmo_scenario_replay(const struct dmo_scenario *sc, enum dmo_policy policy,
			const char *schedule, FILE *out, char *err,
			size_t errlen);

/**
 * dmo_scenario_run() - run a scenario on real threads, like litmus7
 * @sc: the scenario
 * @policy: the design
 * @iterations: how many runs
 * @seed: seeds the choices of probe=maybe drivers
 * @out: where the histogram goes
 *
 * Return: 0, or 1 when a run ended in a final state the explorer does not
 * list or broke an invariant; -ENOMEM.
 * Context: any.
 */
int dmo_scenario_run(const struct dmo_scenario *sc, enum dmo_policy policy,
		     uint64_t iterations, uint64_t seed, FILE *out);

#endif /* DMAOWN_SCENARIO_H */
