/* SPDX-License-Identifier: MIT */
/*
 * What the files of the dmaown command share.  dmaown.c reads the command
 * line and knows what an exploration is; jobs.c runs the explorations of a
 * check run, in this process or in worker processes, whole or as one shard
 * of it; merge.c puts the shards of a run back together.
 *
 * The command is single-threaded: nothing here has a lock.  Its worker
 * processes share no memory with it, only a socket each.
 */
#ifndef DMAOWN_CLI_H
#define DMAOWN_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum {
	EXIT_PASS = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
	EXIT_INCOMPLETE = 3,
};

/* The most --jobs can ask for, and the most shards a run splits into. */
#define DMO_CLI_MAX_JOBS 1024
#define DMO_CLI_MAX_SHARDS 1000000

/*
 * Runs exploration @k of a run: its report goes to @out, its messages to
 * @err, and it returns the exit status it alone would give (0, 1, 2, 3).
 * @worker: it runs in a worker process, whose standard error others share
 * (so no progress line).
 */
typedef int (*dmo__unit_fn)(void *arg, size_t k, FILE *out, FILE *err,
			    bool worker);
/* What exploration @k is, for messages: "FILE (policy P)". */
typedef void (*dmo__unit_name_fn)(void *arg, size_t k, char *buf, size_t len);

/* A run of explorations, and how to run it. */
struct dmo__jobs {
	size_t nr;		/* explorations in the whole run */
	dmo__unit_fn run;
	dmo__unit_name_fn name;
	void *arg;
	unsigned int jobs;	/* worker processes; 1: in this process */
	bool progress;		/* a progress line on standard error */
	unsigned int shard;	/* 1..shards: run only this shard; 0: all */
	unsigned int shards;
	char run_id[17];	/* with shard: dmo__jobs_run_id() */
};

/**
 * dmo__jobs_run() - run the explorations of a run and print their reports
 * @j: the run
 *
 * The reports and messages come out in the order of the explorations,
 * whatever the order they finish in.  With @j->shard, only the
 * explorations of that shard run, and each report is one JSON object that
 * also says which exploration of which run it is (dmaown(1), PARALLEL
 * RUNS).
 *
 * Return: the worst exit status of the explorations run, in the order 2,
 * 1, 3, 0.
 * Context: the dmaown command, single-threaded; it forks.
 */
int dmo__jobs_run(const struct dmo__jobs *j);

/**
 * dmo__jobs_online() - the default of --jobs
 *
 * Return: the number of online CPUs, at least 1, at most
 * DMO_CLI_MAX_JOBS.
 */
unsigned int dmo__jobs_online(void);

/**
 * dmo__jobs_shard_parse() - the value of --shard
 * @s: "I/N", or "N" for an index taken from the environment of a job
 *	runner (JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID, PARALLEL_SEQ)
 * @shard: set to I, 1..N
 * @shards: set to N
 * @why: filled with the reason when the value is refused
 * @len: its size
 *
 * Return: 0, or -EINVAL.
 */
int dmo__jobs_shard_parse(const char *s, unsigned int *shard,
			  unsigned int *shards, char *why, size_t len);

/**
 * dmo__jobs_run_id() - the identity of a sharded run
 * @out: filled with 16 hexadecimal digits
 * @argc: the arguments of check
 * @argv: they
 * @files: the files of the run, in order
 * @nr_files: how many
 * @shards: N of --shard
 * @total: explorations in the run
 *
 * A hash of dmaown's version, the arguments but --jobs and --shard (and
 * their values), N, the number of explorations, and the name and the
 * contents of every file: the same for every shard of one run.
 */
void dmo__jobs_run_id(char out[17], int argc, char **argv,
		      char *const *files, size_t nr_files, unsigned int shards,
		      size_t total);

/**
 * dmo__status_worse() - the worse of two exit statuses
 * @a: one, 0..3
 * @b: another
 *
 * Return: the one that wins in the order 2, 1, 3, 0.
 */
int dmo__status_worse(int a, int b);

/**
 * dmo__cli_not_regular() - what a path is when it is no regular file
 * @path: the path
 *
 * Return: "a FIFO", "a directory" and the like, or NULL for a regular
 * file or a path that does not exist (left to the open that follows).
 */
const char *dmo__cli_not_regular(const char *path);

/**
 * dmo__json_chars() - the characters of a JSON string, escaped
 * @out: the stream
 * @s: the characters
 * @len: how many
 *
 * Escapes as the reports of libdmaown do, so that a string read back
 * from a report is printed again byte for byte.
 */
void dmo__json_chars(FILE *out, const char *s, size_t len);

/**
 * dmo__merge() - dmaown merge: the shards of a run, back together
 * @files: the files of JSON lines written by check --shard ("-": standard
 *	input)
 * @nr: how many
 * @json: print the JSON lines of the unsharded run instead of its summary
 *	lines and verdict table
 *
 * Return: the exit status of the unsharded run; 2, with one line on
 * standard error per problem, for a set of shards that is incomplete,
 * overlaps or mixes runs, or a malformed line.
 */
int dmo__merge(char *const *files, size_t nr, bool json);

#endif /* DMAOWN_CLI_H */
