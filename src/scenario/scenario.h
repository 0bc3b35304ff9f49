/* SPDX-License-Identifier: MIT */
/*
 * The private header of src/scenario/: the parsed form of a .own file
 * (SCENARIO.md), shared by the parser, the runner and the reports.
 *
 * Everything is resolved at parse time: statements and conditions refer to
 * declarations by index, so the runner never looks a name up while threads
 * run.  Strings are owned by the scenario and freed with it.
 *
 * No field below has a lock: every one is immutable after parsing, set
 * by the parser alone and only read afterwards, so any number of threads
 * (explorer runs, checks of several policies) may share one scenario.
 */
#ifndef DMO_SCENARIO_PRIV_H
#define DMO_SCENARIO_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dmaown.h"

/* Where something was written, for messages. */
struct dmo_loc {
	int line;
	int col;
};

struct dmo_sc_bus {
	char *name;
	bool nodma;
	enum dmo_bus_shape shape;
	struct dmo_loc loc;
};

struct dmo_sc_driver {
	char *name;
	int bus;		/* index into buses */
	bool managed_dma;
	enum dmo_probe probe;
	bool unloaded;
	struct dmo_loc loc;
};

struct dmo_sc_group {
	int id;
	bool nodefault;
	bool emulated;
	bool direct;
	struct dmo_loc loc;
};

struct dmo_sc_device {
	char *name;
	int bus;		/* index into buses */
	int group;		/* index into groups, -1: none */
	int bound;		/* index into drivers, -1: none */
	int override;		/* index into drivers, or DMO_SC_OV_* */
	bool absent;
	bool bridge;
	int *match;		/* indexes into drivers */
	int nr_match;
	struct dmo_loc loc;
};

enum dmo_sc_op {
	DMO_OP_BIND,		/* dev, drv */
	DMO_OP_UNBIND,		/* dev */
	DMO_OP_ATTACH,		/* dev */
	DMO_OP_HOTPLUG,		/* dev */
	DMO_OP_UNPLUG,		/* dev */
	DMO_OP_LOAD,		/* drv */
	DMO_OP_UNLOAD,		/* drv */
	DMO_OP_CLAIM,		/* group, owner */
	DMO_OP_RELEASE,		/* group */
	DMO_OP_CLAIM_DEV,	/* dev, owner */
	DMO_OP_RELEASE_DEV,	/* dev */
	DMO_OP_OWNED,		/* group */
	DMO_OP_VFIO_OPEN,	/* group */
	DMO_OP_VFIO_CLOSE,	/* group */
	DMO_OP_IOMMUFD_BIND,	/* dev, owner (the context) */
	DMO_OP_IOMMUFD_UNBIND,	/* dev */
	DMO_OP_OVERRIDE,	/* dev, drv (or DMO_SC_OV_*) */
	DMO_OP_SYSFS_BIND,	/* dev, drv */
	DMO_OP_PROBE,		/* dev */
	DMO_OP_IOMMU_PROBE,	/* dev */
	DMO_OP_ATTACH_DOMAIN,	/* dev */
	DMO_OP_DETACH_DOMAIN,	/* dev */
	DMO_OP_VFIO_STATUS,	/* group */
	DMO_OP_VFIO_DEVICE_OPEN,	/* dev */
	DMO_OP_VFIO_DEVICE_CLOSE,	/* dev */
	DMO_OP_NR
};

/* An override that names no declared driver: none set, or "none". */
#define DMO_SC_OV_CLEAR (-2)
#define DMO_SC_OV_NONE (-3)

struct dmo_sc_stmt {
	enum dmo_sc_op op;
	int reg;		/* index into the thread's regs, -1: none */
	int dev;		/* index into devices, -1 */
	int drv;		/* index into drivers, -1 */
	int group;		/* index into groups, -1 */
	int owner;		/* index into owners, -1: none (NULL owner) */
	struct dmo_loc loc;
};

struct dmo_sc_thread {
	char *name;
	struct dmo_sc_stmt *stmts;
	int nr_stmts;
	char **regs;		/* register names, in order of first use */
	int nr_regs;
	struct dmo_loc loc;
};

/* The final condition. */
enum dmo_sc_cond_kind {
	DMO_COND_AND,
	DMO_COND_OR,
	DMO_COND_NOT,
	DMO_COND_REG,		/* thread, reg  ==/!= value */
	DMO_COND_OWNER,		/* group        ==/!= owner (-1: none) */
	DMO_COND_OWNER_CNT,	/* group        ==/!= value */
	DMO_COND_DRIVER,	/* dev          ==/!= drv (-1: none) */
};

struct dmo_sc_cond {
	enum dmo_sc_cond_kind kind;
	struct dmo_sc_cond *left;	/* AND, OR, NOT */
	struct dmo_sc_cond *right;	/* AND, OR */
	bool negated;			/* != rather than == */
	int thread;
	int reg;
	int group;
	int dev;
	int drv;
	int owner;
	long value;
};

enum dmo_sc_quant {
	DMO_QUANT_NONE,		/* no final condition */
	DMO_QUANT_EXISTS,
	DMO_QUANT_NOT_EXISTS,
	DMO_QUANT_FORALL,
};

enum dmo_sc_result {
	DMO_RES_OK,
	DMO_RES_ALWAYS,
	DMO_RES_SOMETIMES,
	DMO_RES_NEVER,
	DMO_RES_VIOLATION,
};

struct dmo_sc_expect {
	int policy;			/* -1: every policy */
	/* The versions it applies to, oldest and newest; NULL: unbounded. */
	const struct dmo_kernel *kmin;
	const struct dmo_kernel *kmax;
	enum dmo_sc_result result;
	/*
	 * "condition OBSERVATION": the observation alone, which implies
	 * nothing of violations (the file's violation lines speak of them).
	 */
	bool bare;
	enum dmo_viol_kind kind;	/* DMO_RES_VIOLATION */
	struct dmo_loc loc;
};

/*
 * Something a file uses that not every kernel has: an operation, a bus
 * shape.  A run at a version without the change is refused, naming the
 * place.
 */
struct dmo_sc_need {
	enum dmo_change change;
	char what[32];		/* "'claim_dev'", "bus shape 'cdx'" */
	struct dmo_loc loc;
};

struct dmo_scenario {
	char *path;		/* as given, for messages */
	char *name;		/* `test NAME`, else the file's base name */
	char *description;	/* the quoted line, or NULL */
	int policy;		/* `policy P`, -1: none */
	const struct dmo_kernel *kernel;	/* `kernel V`, NULL: none */
	struct dmo_loc kernel_loc;
	unsigned int config;	/* `config NAME` lines: bit per dmo_config */
	struct dmo_sc_need *needs;
	int nr_needs;

	struct dmo_sc_bus *buses;
	int nr_buses;
	struct dmo_sc_driver *drivers;
	int nr_drivers;
	struct dmo_sc_group *groups;
	int nr_groups;
	struct dmo_sc_device *devices;
	int nr_devices;
	/*
	 * Owner / context names of statements, then vfio / dma-api if the
	 * condition names them.
	 */
	char **owners;
	int nr_owners;
	struct dmo_sc_thread *threads;
	int nr_threads;

	enum dmo_sc_quant quant;
	struct dmo_sc_cond *cond;
	struct dmo_sc_expect *expects;
	int nr_expects;
};

/* Largest file the parser reads; anything longer is refused. */
#define DMO_SC_MAX_BYTES (1 << 20)

/*
 * Bounds against hostile input.  They keep every allocation and every
 * recursion of the parser (and of the explorer behind it) small, far
 * above what a readable scenario needs.
 */
#define DMO_SC_MAX_LINE 4096		/* bytes a line, newline excluded */
#define DMO_SC_MAX_THREADS 8
#define DMO_SC_MAX_STMTS 64		/* per thread */
#define DMO_SC_MAX_BUSES 64
#define DMO_SC_MAX_DRIVERS 256
#define DMO_SC_MAX_DEVICES 256
#define DMO_SC_MAX_GROUPS 256
#define DMO_SC_MAX_OWNERS 256
#define DMO_SC_MAX_EXPECTS 64
#define DMO_SC_MAX_COND_DEPTH 64	/* nesting of ( and ~ */

/* The owner names the library itself reports (dmo_owner_name()). */
#define DMO_SC_OWNER_VFIO "vfio"
#define DMO_SC_OWNER_DMA_API "dma-api"

/**
 * dmo__op_name() - the scenario-file spelling of an operation
 * @op: an operation below DMO_OP_NR
 *
 * Return: "bind", "claim_dev", ...; "?" for anything else.
 * Context: any.
 */
const char *dmo__op_name(enum dmo_sc_op op);

/* Tokens of one line (lexer.c, for parser.c). */
enum dmo_tok_kind {
	DMO_TOK_END,		/* end of the line (or a comment) */
	DMO_TOK_NAME,		/* [A-Za-z0-9_.:-]+ */
	DMO_TOK_STRING,		/* "text": s/len exclude the quotes */
	DMO_TOK_LBRACE,
	DMO_TOK_RBRACE,
	DMO_TOK_LPAREN,
	DMO_TOK_RPAREN,
	DMO_TOK_ASSIGN,		/* = */
	DMO_TOK_EQ,		/* == */
	DMO_TOK_NE,		/* != */
	DMO_TOK_AND,		/* the two characters slash, backslash */
	DMO_TOK_OR,		/* the two characters backslash, slash */
	DMO_TOK_NOT,		/* ~ */
	DMO_TOK_COMMA,
	DMO_TOK_AT,		/* @, before the kernel versions of an expect */
};

struct dmo_tok {
	enum dmo_tok_kind kind;
	const char *s;		/* into the line; not NUL-terminated */
	int len;
	int col;		/* 1-based */
};

/* A line has at most one token per byte, plus the end. */
#define DMO_SC_MAX_TOKS (DMO_SC_MAX_LINE + 1)

/**
 * dmo__sc_lex_line() - split one line into tokens
 * @line: the line, without its newline
 * @len: its length, at most DMO_SC_MAX_LINE
 * @toks: room for DMO_SC_MAX_TOKS tokens; the last one filled is END
 * @nr: set to the number of tokens, END included
 * @col: on error, set to the 1-based column of the offending byte
 * @msg: on error, filled with the message
 * @msglen: size of @msg
 *
 * Return: 0, or -EINVAL with @col and @msg set.
 * Context: any.
 */
int dmo__sc_lex_line(const char *line, int len, struct dmo_tok *toks, int *nr,
		     int *col, char *msg, size_t msglen);

/*
 * Pictures of counterexamples (svg.c) and the page of a run (html.c).
 * The steps of one replayed schedule are kept so that they can be drawn.
 * No lock: kept, drawn and freed by the one thread that called the check
 * or the replay.
 */
struct dmo__sc_outcome;
struct dmo__sc_viol;

struct dmo__sc_step {
	int index;
	int thread;		/* -1: the check between steps */
	const void *object;	/* an identity only, never dereferenced */
	char *thread_name;
	char *op;
	char *fn;
	char *text;
	char *within;		/* NULL: in no block */
};

struct dmo__sc_steps {
	struct dmo__sc_step *v;
	size_t nr;
	size_t cap;
};

/* One picture to draw: every field is read only. */
struct dmo__sc_pic {
	const struct dmo_scenario *sc;
	enum dmo_policy policy;
	const struct dmo_kernel *kernel;	/* the replay command's */
	const char *schedule;
	const char *argv0;		/* the replay command's program */
	const struct dmo__sc_steps *steps;
	const struct dmo__sc_viol *const *viols;	/* to feature */
	size_t nr_viols;
	const struct dmo__sc_viol *known;	/* every one the run saw */
	size_t nr_known;
	const char *id;			/* element ids' prefix: [a-z0-9-] */
	bool standalone;		/* an XML document of its own */
	bool name_kind;			/* the replay command names the
					 * featured violation's kind, as
					 * check prints it */
	const char *title;		/* with no violation featured, or
					 * NULL for "no violation ..." */
};

/* Replays @schedule into @steps: 0, -EINVAL when it does not fit, -ENOMEM. */
typedef int (*dmo__sc_replay_fn)(void *arg, const char *schedule,
				 struct dmo__sc_steps *steps);

/* svg.c */
int dmo__sc_steps_add(struct dmo__sc_steps *s, const struct dmo_step *st);
void dmo__sc_steps_free(struct dmo__sc_steps *s);
void dmo__sc_stmt_text(const struct dmo_scenario *sc,
		       const struct dmo_sc_thread *t,
		       const struct dmo_sc_stmt *st, char *buf, size_t len);
int dmo__sc_svg(FILE *out, const struct dmo__sc_pic *in);

/* html.c */
int dmo__sc_pictures(const struct dmo__sc_outcome *o,
		     const struct dmo_check_opts *opts,
		     dmo__sc_replay_fn replay, void *replay_arg);

/*
 * What the runner (runner.c) hands to the reports (report.c): the outcome
 * of checking one scenario under one policy, the histogram of a
 * real-thread run, and the spellings both share.  Nothing of it is shared
 * between threads: an outcome is built by the one thread that called
 * dmo_scenario_check() after the explorer returned, and printed by it.
 */

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
	char *schedule;		/* check: the first execution ending in it */
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
	DMO__SC_UNDECIDED,	/* nothing failed, not all could be judged */
};

/* How one expectation fared against what was seen. */
enum dmo__sc_verdict_state {
	DMO__SC_HELD,		/* what was seen shows it true */
	DMO__SC_FAILED,		/* what was seen contradicts it */
	DMO__SC_OPEN,		/* what was seen cannot decide it */
};

/*
 * The verdict on one expect line, or on one rule of the file as a whole
 * (@e NULL: @rule says which).  No lock, as for struct dmo__sc_viol.
 */
struct dmo__sc_verdict {
	const struct dmo_sc_expect *e;
	const char *rule;
	enum dmo__sc_verdict_state state;
	char why[224];
};

/*
 * Everything a report prints about one scenario under one policy.
 * Immutable after set-up: filled in once the search is over, then printed.
 */
struct dmo__sc_outcome {
	const struct dmo_scenario *sc;
	enum dmo_policy policy;
	const struct dmo_kernel *kernel;
	uint64_t executions;		/* complete executions */
	uint64_t cut_short;		/* run: runs ended by a BUG_ON */
	struct dmo__sc_state **states;	/* sorted by text */
	size_t nr_states;
	const char *observation;	/* "Always"..., NULL: no condition */
	/*
	 * A state that refutes a forall (the condition false) or a ~exists
	 * (true), the first in text order that an explored execution
	 * reached, with that execution's schedule; NULL: none.
	 */
	const struct dmo__sc_state *counter;
	struct dmo__sc_viol *viols;	/* in the order found */
	size_t nr_viols;
	unsigned int kinds;		/* bit per enum dmo_viol_kind found */
	enum dmo__sc_result result;
	enum dmo__sc_judged judged;
	struct dmo__sc_verdict *verdicts;	/* one per judgement made */
	size_t nr_verdicts;
	const char *stopped;		/* what cut the search short, or NULL */
	double seconds;
	int threads;			/* --threads N: N; 0: one */
	uint64_t redundant;		/* with threads: traces run again */
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
const char *dmo__sc_counter_text(const struct dmo__sc_outcome *o);
void dmo__sc_report_run(FILE *out, const struct dmo__sc_outcome *o,
			uint64_t iterations, uint64_t seed, size_t unlisted,
			const char *skipped);
const char *dmo__sc_expect_text(char *buf, size_t len,
				const struct dmo_sc_expect *e);
void dmo__sc_report_verdicts(FILE *out, const struct dmo__sc_outcome *o,
			     const char *indent);
void dmo__sc_print_judged(FILE *out, const struct dmo__sc_outcome *o,
			  const char *undecided);

#endif /* DMO_SCENARIO_PRIV_H */
