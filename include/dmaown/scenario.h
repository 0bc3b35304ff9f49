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

#include "dmaown/core.h"
#include "dmaown/explore.h"
#include "dmaown/types.h"

struct dmo_scenario;
struct dmo_html_report;

/**
 * dmo_scenario_parse_file() - read and parse a .own file
 * @path: the file
 * @out: set to the scenario on success
 * @err: filled with "FILE:LINE:COL: error: ..." on failure
 * @errlen: size of @err
 *
 * Only a regular file is read: a FIFO, a socket, a device or a directory
 * is refused at once (the open does not wait for a FIFO's writer).
 *
 * Return: 0, or -EINVAL for a malformed file, -ENOENT/-EIO/-EFBIG when it
 * cannot be read or is no regular file (@err says which, naming @path).
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

/**
 * dmo_scenario_kernel() - the kernel version the file asks for
 * @sc: the scenario
 *
 * Return: its `kernel` line, or NULL when it has none.
 * Context: any.
 */
const struct dmo_kernel *dmo_scenario_kernel(const struct dmo_scenario *sc);

/**
 * dmo_scenario_default_policy() - the design a run without --policy uses
 * @sc: the scenario
 *
 * Return: the `policy` line; else `legacy` when the `kernel` line is
 * 5.18; else `upstream`.
 * Context: any.
 */
enum dmo_policy dmo_scenario_default_policy(const struct dmo_scenario *sc);

/**
 * dmo_scenario_policy_kernel() - the version a design runs the file at
 * when no version is chosen
 * @sc: the scenario
 * @policy: the design
 *
 * Return: 5.18 for `legacy`; else the `kernel` line, or the newest
 * version.
 * Context: any.
 */
const struct dmo_kernel *
dmo_scenario_policy_kernel(const struct dmo_scenario *sc,
			   enum dmo_policy policy);

/* Why a run does not apply (dmo_scenario_applies()). */
#define DMO_SCENARIO_NA_POLICY 1	/* the design is not for that kernel */
#define DMO_SCENARIO_NA_KERNEL 2	/* the file uses what it lacks */

/**
 * dmo_scenario_applies() - whether a scenario runs under a design and kernel
 * @sc: the scenario
 * @policy: the design
 * @kernel: the version
 * @why: filled with the reason when it does not (may be NULL); for
 *       DMO_SCENARIO_NA_KERNEL it is "FILE:LINE:COL: error: ..." naming
 *       what the file uses
 * @whylen: size of @why
 *
 * Return: 0, DMO_SCENARIO_NA_POLICY or DMO_SCENARIO_NA_KERNEL.
 * Context: any.
 */
int dmo_scenario_applies(const struct dmo_scenario *sc, enum dmo_policy policy,
			 const struct dmo_kernel *kernel, char *why,
			 size_t whylen);

/* How to check. */
struct dmo_check_opts {
	struct dmo_explore_opts explore;
	bool json;		/* one JSON object per test and policy */
	bool quiet;		/* summary lines only */
	const char *argv0;	/* how replay commands name the program */
	const char *svg_dir;	/* NULL, or where one SVG per violation goes */
	struct dmo_html_report *html;	/* NULL, or the page the run adds to */
	/*
	 * Workers of each search (dmo_explore_parallel()); 0 or 1: one.
	 * Exhaustive searches only.
	 */
	int threads;
};

/**
 * dmo_scenario_check() - explore a scenario under one policy and report
 * @sc: the scenario
 * @policy: the design
 * @opts: how
 * @out: where the report goes (SCENARIO.md's format)
 *
 * A search cut short (a limit, --first, a random sample) judges only what
 * it saw: an expectation that nothing seen decides is reported unjudged,
 * never as held.
 *
 * Return: 0 when every expectation held, 1 when one failed or an
 * unexpected violation was found, 3 when a limit or @opts->explore.first
 * stopped the search and nothing failed; -ENOMEM.
 * Context: any.
 */
int dmo_scenario_check(const struct dmo_scenario *sc, enum dmo_policy policy,
		       const struct dmo_check_opts *opts, FILE *out);

/**
 * dmo_scenario_check_at() - dmo_scenario_check() at a chosen kernel version
 * @sc: the scenario
 * @policy: the design
 * @kernel: the version; the pair must apply (dmo_scenario_applies())
 * @opts: how
 * @out: where the report goes
 *
 * dmo_scenario_check() runs at dmo_scenario_policy_kernel().
 * Return: as dmo_scenario_check(); -EINVAL when the pair does not apply.
 * Context: any.
 */
int dmo_scenario_check_at(const struct dmo_scenario *sc,
			  enum dmo_policy policy,
			  const struct dmo_kernel *kernel,
			  const struct dmo_check_opts *opts, FILE *out);

/**
 * dmo_scenario_replay() - print every step of one execution
 * @sc: the scenario
 * @policy: the design
 * @schedule: a schedule printed by dmo_scenario_check()
 * @kind: the violation kind @schedule was reported for, or -1
 * @out: where the trace goes
 * @err: filled with a message when @schedule does not fit
 * @errlen: size of @err
 *
 * With @kind, the execution is judged by whether it shows a violation of
 * that kind; without, by the scenario's expect lines for @policy, as far as
 * one execution can judge them (a violation no line names, or a final
 * state that an `ok`, `Always` or `Never` line rules out, contradicts
 * them).  The verdict is printed before the last line.
 *
 * Return: 0 when the execution ran and its verdict is good, 1 when not,
 * -EINVAL when @schedule does not fit, -ENOMEM.
 * Context: any.
 */
int dmo_scenario_replay(const struct dmo_scenario *sc, enum dmo_policy policy,
			const char *schedule, int kind, FILE *out, char *err,
			size_t errlen);

/**
 * dmo_scenario_replay_at() - dmo_scenario_replay() at a chosen version
 * @sc: the scenario
 * @policy: the design
 * @kernel: the version
 * @schedule: a schedule printed by dmo_scenario_check_at()
 * @kind: as for dmo_scenario_replay()
 * @out: where the trace goes
 * @err: filled with a message when the pair does not apply or @schedule
 *       does not fit
 * @errlen: size of @err
 *
 * Return: as dmo_scenario_replay().
 * Context: any.
 */
int dmo_scenario_replay_at(const struct dmo_scenario *sc,
			   enum dmo_policy policy,
			   const struct dmo_kernel *kernel,
			   const char *schedule, int kind, FILE *out,
			   char *err, size_t errlen);

/**
 * dmo_scenario_run() - run a scenario on real threads, like litmus7
 * @sc: the scenario
 * @policy: the design
 * @iterations: how many runs
 * @seed: seeds the choices of probe=maybe drivers
 * @explore: how the explorer lists the final states first (NULL: every
 *	schedule, no limit); when a limit stops it, no run is made
 * @out: where the histogram goes
 *
 * The expect lines of @policy are judged as far as real-thread runs can
 * judge them (each verdict, and why, is printed): a run can show a
 * violation or a final state that contradicts a line, never that something
 * cannot happen, and it never shows a race, a use after free or a
 * deadlock.
 *
 * Return: 0 when every run ended in a final state the explorer lists and
 * none contradicted an expectation; 1 when one did not, or when the
 * explorer finds a use after free or a deadlock that the file does not
 * expect (no run is made then); 3 when no run was made for such a
 * violation the file expects, or because a limit of @explore stopped the
 * listing; -ENOMEM.
 * Context: any.
 */
int dmo_scenario_run(const struct dmo_scenario *sc, enum dmo_policy policy,
		     uint64_t iterations, uint64_t seed,
		     const struct dmo_explore_opts *explore, FILE *out);

/**
 * dmo_scenario_replay_svg() - draw one execution as an SVG picture
 * @sc: the scenario
 * @policy: the design
 * @kernel: the version (NULL: dmo_scenario_policy_kernel()); the pair
 *          must apply (dmo_scenario_applies())
 * @schedule: a schedule printed by dmo_scenario_check()
 * @argv0: how the picture's replay command names the program
 * @out: where the SVG document goes
 * @err: filled with a message when @schedule does not fit
 * @errlen: size of @err
 *
 * One lane per thread of the file, the steps down the page, the locks
 * held as bars, the steps each violation of the execution names
 * highlighted and joined, the violations as the title and the replay
 * command in the footer (dmaown(1), section PICTURES).  Nothing is
 * written when @schedule does not fit.
 *
 * Return: 0 when the execution showed no violation, 1 when it showed
 * one, -EINVAL when the pair does not apply or @schedule does not fit,
 * -ENOMEM, -EIO.
 * Context: any.
 */
int dmo_scenario_replay_svg(const struct dmo_scenario *sc,
			    enum dmo_policy policy,
			    const struct dmo_kernel *kernel,
			    const char *schedule, const char *argv0, FILE *out,
			    char *err, size_t errlen);

/**
 * dmo_html_report_new() - start the page of one run of checks
 * @command: the command line that makes the run, shown on the page
 *
 * Hand the report to dmo_scenario_check() in dmo_check_opts.html: each
 * check adds its verdict, its summary line and its counterexamples with
 * their pictures.
 *
 * Return: the report, or NULL when out of memory.
 * Context: any.
 */
struct dmo_html_report *dmo_html_report_new(const char *command);

/**
 * dmo_html_report_write() - write the page: one self-contained HTML file
 * @r: the report
 * @out: the stream
 *
 * The verdict table (scenario by policy), each cell linking to its
 * counterexamples, every picture inline, the summary lines and the
 * command; no script, no font and nothing else from the network.
 *
 * Return: 0, -ENOMEM or -EIO.
 * Context: any.
 */
int dmo_html_report_write(const struct dmo_html_report *r, FILE *out);

/**
 * dmo_html_report_free() - free a report
 * @r: the report, or NULL
 * Context: any.
 */
void dmo_html_report_free(struct dmo_html_report *r);

/**
 * dmo_scenario_run_at() - dmo_scenario_run() at a chosen kernel version
 * @sc: the scenario
 * @policy: the design
 * @kernel: the version; the pair must apply (dmo_scenario_applies())
 * @iterations: how many runs
 * @seed: seeds the choices of probe=maybe drivers
 * @explore: as for dmo_scenario_run()
 * @out: where the histogram goes
 *
 * Return: as dmo_scenario_run(); -EINVAL when the pair does not apply.
 * Context: any.
 */
int dmo_scenario_run_at(const struct dmo_scenario *sc, enum dmo_policy policy,
			const struct dmo_kernel *kernel, uint64_t iterations,
			uint64_t seed, const struct dmo_explore_opts *explore,
			FILE *out);

#endif /* DMAOWN_SCENARIO_H */
