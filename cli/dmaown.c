// SPDX-License-Identifier: MIT
/*
 * dmaown: check, replay and run .own scenario files (see dmaown(1)).
 *
 * A thin layer over the public API: it reads the command line, finds the
 * files, and folds the per-scenario results into one exit status, whose
 * precedence is fixed by the contract: a usage or file error (2) beats a
 * failed expectation (1), which beats a search stopped by a limit (3).
 * Every error about the command line is one line on standard error,
 * "dmaown: error: ...", so that scripts can show it as is.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dmaown.h"
#include "host.h"

#include "cli.h"

/* Both come from the Makefile, which holds the one copy of each. */
#if !defined(DMAOWN_DATADIR) || !defined(DMAOWN_VERSION)
#error "build dmaown with its Makefile: DMAOWN_DATADIR and DMAOWN_VERSION"
#endif

/* The policy option: a policy, or one of these. */
#define POLICY_FROM_FILE (-2)
#define POLICY_ALL (-1)

static const char usage_text[] =
	"usage: dmaown check [--policy P|all] [--kernel V|all]\n"
	"                    [--max-executions N] [--time-limit SECONDS]\n"
	"                    [--json] [--quiet] [--first]\n"
	"                    [--random N [--seed S]] [--jobs N] [--threads N]\n"
	"                    [--shard I/N|N] [--svg DIR] [--html FILE]\n"
	"                    [FILE|DIR ...]\n"
	"       dmaown replay FILE --schedule S [--policy P] [--kernel V]\n"
	"                     [--violation K] [--svg FILE]\n"
	"       dmaown run FILE [--iterations N] [--seed S] [--policy P]\n"
	"                  [--kernel V] [--time-limit SECONDS]\n"
	"       dmaown versions\n"
	"       dmaown merge [--json] FILE ...\n"
	"       dmaown groups [GROUP|DEVICE...] [--sysfs DIR] [--kernel V] [--json]\n"
	"       dmaown plan vfio TARGET... [--force] [--json] [--sysfs DIR]\n"
	"                    [--kernel V]\n"
	"       dmaown apply vfio TARGET... --journal FILE [--force] [--dry-run]\n"
	"                    [--simulate [--fail-write N,...]] [--sysfs DIR] [--kernel V]\n"
	"       dmaown undo JOURNAL [--simulate [--fail-write N,...]] [--sysfs DIR]\n"
	"       dmaown export TARGET... [-o FILE] [--order unbind-first] [--force]\n"
	"                    [--sysfs DIR] [--kernel V]\n"
	"       dmaown help | --help | --version\n"
	"\n"
	"check   explore every interleaving of each scenario and judge it\n"
	"        against its expect lines (no FILE: the bundled scenarios)\n"
	"replay  re-run the one execution a schedule names, step by step\n"
	"run     run a scenario on real threads and compare the final states\n"
	"        with the ones the explorer lists\n"
	"merge   put the shards of a check --shard run back together\n"
	"groups  every IOMMU group of a machine (/sys, or a saved tree): its\n"
	"        devices, a verdict per device and per group, by the kernel\n"
	"        version's rule\n"
	"plan    the sysfs writes that hand groups to vfio (TARGET: a group\n"
	"        number, or a device meaning its group), blockers, warnings\n"
	"apply   carry a plan out with a journal, checking each write and\n"
	"        rolling back on failure (--simulate: on a saved tree)\n"
	"undo    restore what a journal records\n"
	"export  a plan as a scenario file for check\n"
	"versions\n"
	"        the modelled kernel versions and the changes of each\n"
	"\n"
	"policies: upstream legacy v6 recompute no-probe-cleanup\n"
	"          recompute-late-store recompute-early-cleanup cdx-fix\n"
	"exit status: 0 all expectations held, 1 one failed, 2 bad usage or\n"
	"bad file, 3 a limit stopped the search; host commands: 0 done, 1 no\n"
	"plan possible or apply rolled back, 2 bad usage or unreadable tree,\n"
	"3 a rollback step failed too (the journal says what is left)\n"
	"\n"
	"'dmaown COMMAND --help' (or -h) gives the options of one command.\n";

/* What `dmaown COMMAND --help` prints. */
static const char check_help[] =
	"usage: dmaown check [OPTIONS] [FILE|DIR ...]\n"
	"\n"
	"Explores every interleaving of each scenario that can make a\n"
	"difference and judges it against its expect lines.  A directory\n"
	"stands for the .own files in it; with no FILE, the bundled\n"
	"scenarios are checked.\n"
	"\n"
	"  --policy P|all        the design (default: the file's policy line,\n"
	"                        else upstream); all: every policy\n"
	"  --kernel V|all        the kernel version (default: the file's kernel\n"
	"                        line, else the newest; legacy: 5.18); all:\n"
	"                        every version the file runs at\n"
	"  --max-executions N    stop after N executions (default 0: no limit)\n"
	"  --time-limit SECONDS  stop each test and policy after SECONDS\n"
	"                        (default 60; 0: no limit)\n"
	"  --first               stop at the first violation\n"
	"  --random N            N random schedules instead of every one\n"
	"  --seed S              the seed of --random (default: the clock)\n"
	"  --json                one JSON object per test and policy\n"
	"  --quiet               summary lines only\n"
	"  --svg DIR             one SVG picture per violation, in DIR\n"
	"  --html FILE           the whole run as one self-contained page\n"
	"  --jobs N              run N explorations at a time (default: the\n"
	"                        number of online CPUs); the output is the\n"
	"                        same as with --jobs 1 but for the times\n"
	"  --threads N           N workers inside each exploration (default\n"
	"                        1); the same states and violations, and\n"
	"                        redundant= executions that repeat a trace\n"
	"  --shard I/N           run only shard I of N of the explorations,\n"
	"                        as JSON lines for dmaown merge; N alone: I\n"
	"                        from JOB_COMPLETION_INDEX (+1),\n"
	"                        SLURM_ARRAY_TASK_ID or PARALLEL_SEQ\n"
	"  -h, --help            this text\n"
	"\n"
	"exit status: 0 every expectation held, 1 one failed or a violation no\n"
	"expect line names was found, 2 bad usage or a bad file, 3 a limit or\n"
	"--first stopped a search before its expectations could be judged\n";

static const char replay_help[] =
	"usage: dmaown replay FILE --schedule S [--policy P] [--kernel V]\n"
	"                          [--violation KIND] [--svg FILE]\n"
	"\n"
	"Re-runs the one execution that schedule S names and prints every\n"
	"step, the final state and the violations it shows.\n"
	"\n"
	"  --schedule S          the schedule, as dmaown check prints it\n"
	"  --policy P            the design (default: the file's policy line,\n"
	"                        else upstream)\n"
	"  --kernel V            the kernel version, as in the replay command\n"
	"                        dmaown check prints (default: as for check)\n"
	"  --violation KIND      the kind the schedule was reported for, as in\n"
	"                        the replay command dmaown check prints\n"
	"  --svg FILE            draw the execution as an SVG picture\n"
	"  -h, --help            this text\n"
	"\n"
	"exit status: with --violation, 0 the execution shows a violation of\n"
	"that kind, 1 it does not; without, 0 nothing in it contradicts the\n"
	"file's expect lines, 1 something does; 2 bad usage, a bad file or a\n"
	"schedule that does not fit\n";

static const char run_help[] =
	"usage: dmaown run FILE [--iterations N] [--seed S] [--policy P]\n"
	"                       [--kernel V] [--time-limit SECONDS]\n"
	"\n"
	"Explores the scenario to learn its final states, then runs it N times\n"
	"on real threads and prints the histogram of the final states seen.\n"
	"The expect lines are judged as far as real-thread runs can judge them;\n"
	"the report says which they cannot.\n"
	"\n"
	"  --iterations N        how many runs (default 1000, at least 1)\n"
	"  --seed S              seeds the choices of probe=maybe drivers\n"
	"                        (default: the clock; printed either way)\n"
	"  --policy P            the design (default: the file's policy line,\n"
	"                        else upstream)\n"
	"  --kernel V            the kernel version (default: as for check)\n"
	"  --time-limit SECONDS  for the explorer's listing of the final states\n"
	"                        (default 60; 0: no limit); past it, no run\n"
	"  -h, --help            this text\n"
	"\n"
	"exit status: 0 every run ended in a state the explorer lists and none\n"
	"contradicted an expectation, 1 one did not, 2 bad usage or a bad file,\n"
	"3 no run was made: the explorer finds a use after free or a deadlock\n"
	"(which real threads would not survive) and the file expects it, or\n"
	"the time limit stopped the explorer's listing\n";

static const char merge_help[] =
	"usage: dmaown merge [--json] FILE ...\n"
	"\n"
	"Reads the JSON lines that the shards of one dmaown check --shard run\n"
	"wrote (FILE -: standard input) and prints what the run unsharded\n"
	"prints with --quiet, its summary lines, then a blank line and the\n"
	"verdict table of scripts/verdict-table; it exits as that run does.\n"
	"A set of shards that is incomplete, overlaps or mixes runs is\n"
	"refused, naming what is missing or doubled and where.\n"
	"\n"
	"  --json                print the run's JSON lines instead, as\n"
	"                        check --json prints them\n"
	"  -h, --help            this text\n"
	"\n"
	"exit status: that of the unsharded run (0, 1, 2, 3); 2 when the set\n"
	"is refused or a line is malformed\n";

/* The options of each command, for "did you mean" hints. */
static const char versions_help[] =
	"usage: dmaown versions\n"
	"\n"
	"Prints every modelled kernel version, oldest first, with the changes\n"
	"that take effect there: each with its commit id, its subject and what\n"
	"it changes in the model.\n"
	"\n"
	"  -h, --help            this text\n"
	"\n"
	"exit status: 0; 2 bad usage\n";

static const char *const check_opts[] = {
	"--jobs", "--threads", "--shard", "--policy", "--kernel",
	"--max-executions",
	"--time-limit",
	"--json", "--quiet", "--first", "--random", "--seed", "--svg",
	"--html", "--help", NULL,
};
static const char *const replay_opts[] = {
	"--schedule", "--policy", "--kernel", "--violation", "--svg", "--help",
	NULL,
};
static const char *const run_opts[] = {
	"--iterations", "--seed", "--policy", "--kernel", "--time-limit",
	"--help", NULL,
};
static const char *const merge_opts[] = {
	"--json", "--help", NULL,
};
static const char *const commands[] = {
	"check", "replay", "run", "merge", "versions", "help", NULL,
};

/* The default --time-limit of check, in seconds (dmaown(1), LIMITS). */
#define DEFAULT_TIME_LIMIT 60.0

static int usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("dmaown: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (try 'dmaown --help')\n", stderr);
	return EXIT_USAGE;
}

/* Edit distance of two short words, capped: enough for a typo hint. */
static size_t edit_distance(const char *a, size_t la, const char *b)
{
	size_t lb = strlen(b), row[64], prev, tmp;

	if (la >= 63 || lb >= 63)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t best = prev + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

/* The word of @words closest to @w (before any '='), if close enough. */
static const char *closest(const char *w, const char *const *words)
{
	size_t lw = strcspn(w, "="), best = 3;
	const char *hit = NULL;

	for (; *words; words++) {
		size_t d = edit_distance(w, lw, *words);

		if (d < best) {
			best = d;
			hit = *words;
		}
	}
	return hit;
}

/* An option @cmd does not know, with a hint when one is close. */
static int unknown_option(const char *cmd, const char *arg,
			  const char *const *opts)
{
	const char *hint = closest(arg, opts);

	fprintf(stderr, "dmaown: error: unknown option '%s' for %s", arg, cmd);
	if (hint)
		fprintf(stderr, "; did you mean '%s'?", hint);
	fprintf(stderr, " (try 'dmaown %s --help')\n", cmd);
	return EXIT_USAGE;
}

/*
 * Whether the arguments of a command ask for its help: "-h" or "--help"
 * anywhere among them, as most tools take it.
 */
static bool wants_help(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	return false;
}

/* Option parsing.  The command is single-threaded: no struct has a lock. */

struct opt_iter {
	int argc;
	char **argv;
	int i;			/* next argument */
	const char *value;	/* the value of the option just matched */
	int err;		/* a usage error was printed */
};

/*
 * Whether argv[i] is option @name, taking a value when @has_value, given
 * either as "--name=VALUE" or as the next argument.
 */
static bool opt_match(struct opt_iter *it, const char *arg, const char *name,
		      bool has_value)
{
	size_t n = strlen(name);

	if (strncmp(arg, name, n) != 0)
		return false;
	if (arg[n] == '\0') {
		if (!has_value)
			return true;
		if (it->i >= it->argc) {
			it->err = usage_error("option '%s' needs an argument",
					      name);
			return true;
		}
		it->value = it->argv[it->i++];
		return true;
	}
	if (arg[n] != '=')
		return false;
	if (!has_value) {
		it->err = usage_error("option '%s' takes no argument", name);
		return true;
	}
	it->value = arg + n + 1;
	return true;
}

static int parse_u64(const char *opt, const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return usage_error("option '%s' needs a number, not '%s'", opt,
				   s);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end != '\0' || errno)
		return usage_error("option '%s' needs a number, not '%s'", opt,
				   s);
	*out = v;
	return 0;
}

/* Decimal digits with at most one '.', and at least one digit. */
static bool is_decimal(const char *s)
{
	size_t digits = strspn(s, "0123456789");

	if (s[digits] == '.')
		return strspn(s + digits + 1, "0123456789") ==
			       strlen(s + digits + 1) &&
		       (digits || s[digits + 1]);
	return digits && s[digits] == '\0';
}

static int parse_seconds(const char *opt, const char *s, double *out)
{
	char *end;
	double v;

	/* strtod() alone would take "0x10", "1e3" and "inf". */
	if (!is_decimal(s))
		return usage_error("option '%s' needs a number of seconds, "
				   "not '%s'", opt, s);
	errno = 0;
	v = strtod(s, &end);
	if (*end != '\0' || errno || !isfinite(v))
		return usage_error("option '%s' needs a number of seconds, "
				   "not '%s'", opt, s);
	*out = v;
	return 0;
}

/*
 * The kernel option: every modelled version, one, or (neither) the one
 * each policy runs the file at by default.
 */
struct kernel_opt {
	bool all;
	const struct dmo_kernel *k;
};

static int parse_kernel(const char *s, bool allow_all, struct kernel_opt *out)
{
	char known[256];
	size_t n = 0;

	if (allow_all && strcmp(s, "all") == 0) {
		out->all = true;
		return 0;
	}
	out->k = dmo_kernel_find(s);
	if (out->k)
		return 0;
	for (int i = 0; i < dmo_kernel_count(); i++)
		n += (size_t)snprintf(known + n, sizeof(known) - n, "%s%s",
				      i ? " " : "",
				      dmo_kernel_name(dmo_kernel_at(i)));
	return usage_error("unknown kernel version '%s' (known: %s%s)", s, known,
			   allow_all ? " all" : "");
}

static int parse_policy(const char *s, bool allow_all, int *out)
{
	int p;

	if (allow_all && strcmp(s, "all") == 0) {
		*out = POLICY_ALL;
		return 0;
	}
	p = dmo_policy_parse(s);
	if (p < 0)
		return usage_error("unknown policy '%s'", s);
	*out = p;
	return 0;
}

static int parse_kind(const char *s, int *out)
{
	int k = dmo_viol_kind_parse(s);

	if (k < 0)
		return usage_error("unknown violation kind '%s' (isolation, "
				   "accounting, bug, warn, deadlock, race, uaf)",
				   s);
	*out = k;
	return 0;
}

static int parse_jobs(const char *s, unsigned int *out)
{
	uint64_t v;
	int err = parse_u64("--jobs", s, &v);

	if (err)
		return err;
	if (v < 1 || v > DMO_CLI_MAX_JOBS)
		return usage_error("option '--jobs' needs 1 to %d, not '%s'",
				   DMO_CLI_MAX_JOBS, s);
	*out = (unsigned int)v;
	return 0;
}

static int parse_threads(const char *s, int *out)
{
	uint64_t v;
	int err = parse_u64("--threads", s, &v);

	if (err)
		return err;
	if (v < 1 || v > DMO_EXPLORE_MAX_THREADS)
		return usage_error("option '--threads' needs 1 to %d, not '%s'",
				   DMO_EXPLORE_MAX_THREADS, s);
	*out = (int)v;
	return 0;
}

static int parse_shard(const char *s, struct dmo__jobs *j)
{
	char why[512];

	if (dmo__jobs_shard_parse(s, &j->shard, &j->shards, why, sizeof(why)))
		return usage_error("%s", why);
	return 0;
}

/* A growing list of file names. */
struct file_list {
	char **v;
	size_t nr;
	size_t cap;
};

static int list_add(struct file_list *l, const char *dir, const char *name)
{
	size_t dl = dir ? strlen(dir) : 0;
	bool slash = dl && dir[dl - 1] != '/';
	char *p;

	if (l->nr == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		char **nv = realloc(l->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = cap;
	}
	p = malloc(dl + slash + strlen(name) + 1);
	if (!p)
		return -ENOMEM;
	sprintf(p, "%s%s%s", dir ? dir : "", slash ? "/" : "", name);
	l->v[l->nr++] = p;
	return 0;
}

static void list_free(struct file_list *l)
{
	for (size_t i = 0; i < l->nr; i++)
		free(l->v[i]);
	free(l->v);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * What @path is when it exists and is no regular file ("a FIFO", ...), or
 * NULL.  Opening a FIFO would wait for a writer for ever, so every path is
 * looked at before the parser opens it; one that does not exist is left to
 * the parser, whose message says so.
 */
static const char *not_regular(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0 || S_ISREG(st.st_mode))
		return NULL;
	if (S_ISDIR(st.st_mode))
		return "a directory";
	if (S_ISFIFO(st.st_mode))
		return "a FIFO";
	if (S_ISSOCK(st.st_mode))
		return "a socket";
	if (S_ISCHR(st.st_mode))
		return "a character device";
	if (S_ISBLK(st.st_mode))
		return "a block device";
	return "not a file";
}

const char *dmo__cli_not_regular(const char *path)
{
	return not_regular(path);
}

/* Adds every .own file of @dir, sorted; 0, or a printed error (2). */
static int list_add_dir(struct file_list *l, const char *dir)
{
	size_t first = l->nr;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d) {
		fprintf(stderr, "dmaown: error: %s: %s\n", dir,
			strerror(errno));
		return EXIT_USAGE;
	}
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n > 4 && strcmp(de->d_name + n - 4, ".own") == 0 &&
		    list_add(l, dir, de->d_name)) {
			closedir(d);
			fputs("dmaown: error: out of memory\n", stderr);
			return EXIT_USAGE;
		}
	}
	closedir(d);
	/* A directory without scenarios must not pass as one that held. */
	if (l->nr == first) {
		fprintf(stderr, "%s: error: no .own file in this directory\n",
			dir);
		return EXIT_USAGE;
	}
	qsort(l->v + first, l->nr - first, sizeof(*l->v), cmp_str);
	return 0;
}

/*
 * The bundled corpus: in a source tree, the binary is BUILD/dmaown (BUILD
 * possibly nested, as build/asan), with scenarios/ at the top of the tree;
 * an installed binary uses the data directory it was built for.
 */
static const char *find_corpus(char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char marker[PATH_MAX + 32];
	char *slash;

	if (n > 0) {
		exe[n] = '\0';
		for (int up = 0; up < 3; up++) {
			slash = strrchr(exe, '/');
			if (!slash || slash == exe)
				break;
			*slash = '\0';
			snprintf(marker, sizeof(marker), "%s/include/dmaown.h",
				 exe);
			snprintf(buf, len, "%s/scenarios", exe);
			if (up > 0 && is_dir(buf) && is_file(marker))
				return buf;
		}
	}
	snprintf(buf, len, "%s", DMAOWN_DATADIR "/scenarios");
	return buf;
}

/* Folds one result into the overall status. */
struct status {
	bool usage;
	bool failed;
	bool incomplete;
};

static int status_exit(const struct status *st)
{
	if (st->usage)
		return EXIT_USAGE;
	if (st->failed)
		return EXIT_FAILED;
	if (st->incomplete)
		return EXIT_INCOMPLETE;
	return EXIT_PASS;
}

/* Parses @path; a file that does not parse is reported on @msg, if any. */
static struct dmo_scenario *load_to(const char *path, FILE *msg,
				    struct status *st)
{
	struct dmo_scenario *sc = NULL;
	char err[1024];

	/* The library refuses what is no regular file, FIFOs at once. */
	if (dmo_scenario_parse_file(path, &sc, err, sizeof(err))) {
		if (msg)
			fprintf(msg, "%s\n", err);
		st->usage = true;
		return NULL;
	}
	return sc;
}

static struct dmo_scenario *load(const char *path, struct status *st)
{
	return load_to(path, stderr, st);
}

static int default_policy(const struct dmo_scenario *sc, int opt)
{
	if (opt >= 0)
		return opt;
	return dmo_scenario_default_policy(sc);
}

/*
 * Whether the pair (@p, @k) runs: 1 yes, 0 skip it (it came from expanding
 * `all` and does not apply), -1 an error (printed on @msg unless NULL).
 */
static int pair_runs(const char *path, const struct dmo_scenario *sc, int p,
		     const struct dmo_kernel *k, bool any_policy,
		     bool any_kernel, FILE *msg)
{
	char why[512];
	int na = dmo_scenario_applies(sc, p, k, why, sizeof(why));

	if (!na)
		return 1;
	if (any_kernel || (na == DMO_SCENARIO_NA_POLICY && any_policy))
		return 0;
	if (!msg)
		return -1;
	if (na == DMO_SCENARIO_NA_KERNEL)
		fprintf(msg, "%s\n", why);
	else
		fprintf(msg, "dmaown: error: %s: %s\n", path, why);
	return -1;
}

/*
 * The explorations of a check run, numbered in the order of its output:
 * file by file (as given, a directory's files sorted), then policy by
 * policy, then kernel version by version.  Exploration k is file
 * k / per_file; within the file, slot k % per_file is policy slot
 * slot / nr_kernels and version slot slot % nr_kernels.  The numbering
 * needs no parse, so that every shard of a run counts the same
 * explorations.  A file that does not parse is reported by its first
 * exploration, and its others do nothing, as the sequential run reports
 * it once; so is a file no pair of the run applies to.  A pair that the
 * command line named and that does not apply is reported by its own
 * exploration, and the file's later ones do nothing, as a sequential run
 * stops at it.
 */
struct check_run {
	const struct file_list *files;
	int policy;		/* a policy, POLICY_ALL or _FROM_FILE */
	const struct kernel_opt *ko;
	size_t nr_kernels;	/* versions per policy: all of them, or 1 */
	size_t per_file;	/* explorations per file */
	const struct dmo_check_opts *opts;
	/* The last file parsed, for the next exploration of the same file. */
	size_t file;
	struct dmo_scenario *sc;
	/* ... its first slot whose pair is an error, or per_file: none */
	size_t bad_slot;
	bool runs_any;		/* ... some slot before bad_slot runs */
};

/*
 * The policy and version of @slot of the file @c holds, and whether that
 * pair runs (pair_runs(), messages on @msg).
 */
static int check_pair(const struct check_run *c, size_t slot, int *p,
		      const struct dmo_kernel **k, FILE *msg)
{
	const struct dmo_scenario *sc = c->sc;
	const struct dmo_kernel *fk = dmo_scenario_kernel(sc);
	const struct kernel_opt *ko = c->ko;
	bool any_policy = c->policy == POLICY_ALL, pinned;

	*p = any_policy ? (int)(slot / c->nr_kernels) :
			  default_policy(sc, c->policy);
	*k = ko->all ? dmo_kernel_at((int)(slot % c->nr_kernels)) :
	     ko->k  ? ko->k :
		      dmo_scenario_policy_kernel(sc, *p);
	/*
	 * A policy that runs at a version of its own (legacy at 5.18) and
	 * came with --policy all is skipped where the file needs more than
	 * that version has, as a policy the version rules out would be.
	 */
	if (!fk)
		fk = dmo_kernel_newest();
	pinned = !ko->k && !dmo_policy_applies(*p, fk);
	return pair_runs(c->files->v[c->file], sc, *p, *k, any_policy,
			 ko->all || (any_policy && pinned), msg);
}

static void check_name(void *arg, size_t k, char *buf, size_t len)
{
	const struct check_run *c = arg;
	size_t slot = k % c->per_file;
	const char *path = c->files->v[k / c->per_file];
	const char *kernel = c->ko->all ?
		dmo_kernel_name(dmo_kernel_at((int)(slot % c->nr_kernels))) :
		NULL;

	if (c->policy == POLICY_ALL && kernel)
		snprintf(buf, len, "%s (policy %s, kernel %s)", path,
			 dmo_policy_name((int)(slot / c->nr_kernels)), kernel);
	else if (c->policy == POLICY_ALL)
		snprintf(buf, len, "%s (policy %s)", path,
			 dmo_policy_name((int)(slot / c->nr_kernels)));
	else if (kernel)
		snprintf(buf, len, "%s (kernel %s)", path, kernel);
	else
		snprintf(buf, len, "%s", path);
}

/* Folds the result of one check into @st, messages on @err. */
static void check_status(const char *path, int ret, FILE *err,
			 struct status *st)
{
	if (ret == -EINVAL) {
		fprintf(err, "dmaown: error: %s: the explorer cannot run it "
			"(too many threads?)\n", path);
		st->usage = true;
	} else if (ret < 0) {
		fprintf(err, "dmaown: error: %s: %s\n", path, strerror(-ret));
		st->usage = true;
	} else if (ret == 1) {
		st->failed = true;
	} else if (ret == 3) {
		st->incomplete = true;
	}
}

/* Parses file @f into @c and finds which of its slots run. */
static bool check_load(struct check_run *c, size_t f, FILE *msg,
		       struct status *st)
{
	dmo_scenario_free(c->sc);
	c->file = f;
	c->sc = load_to(c->files->v[f], msg, st);
	if (!c->sc)
		return false;
	c->runs_any = false;
	for (c->bad_slot = 0; c->bad_slot < c->per_file; c->bad_slot++) {
		const struct dmo_kernel *k;
		int p, r = check_pair(c, c->bad_slot, &p, &k, NULL);

		if (r < 0)
			break;
		c->runs_any |= r > 0;
	}
	return true;
}

static int check_unit(void *arg, size_t k, FILE *out, FILE *err,
		      bool worker)
{
	struct check_run *c = arg;
	size_t f = k / c->per_file, slot = k % c->per_file;
	const char *path = c->files->v[f];
	struct dmo_check_opts opts = *c->opts;
	const struct dmo_kernel *kernel;
	struct status st = { 0 };
	int policy;

	if ((!c->sc || c->file != f) &&
	    !check_load(c, f, slot == 0 ? err : NULL, &st))
		return slot == 0 ? EXIT_USAGE : EXIT_PASS;
	if (slot > c->bad_slot)
		return EXIT_PASS;
	if (slot == c->bad_slot) {
		check_pair(c, slot, &policy, &kernel, err);
		return EXIT_USAGE;
	}
	if (!c->runs_any && c->bad_slot == c->per_file) {
		if (slot)
			return EXIT_PASS;
		fprintf(err,
			"dmaown: error: %s: no kernel version runs it under the policies asked for\n",
			path);
		return EXIT_USAGE;
	}
	if (check_pair(c, slot, &policy, &kernel, NULL) <= 0)
		return EXIT_PASS;
	/* A worker shares standard error with others: no progress line. */
	if (worker)
		opts.explore.progress = false;
	check_status(path, dmo_scenario_check_at(c->sc, policy, kernel, &opts,
						 out),
		     err, &st);
	return status_exit(&st);
}

/* Runs the explorations of @files, or the shard of them @j names. */
static int check_files(const struct file_list *files, int policy,
		       const struct kernel_opt *ko,
		       const struct dmo_check_opts *opts, struct dmo__jobs *j,
		       int argc, char **argv)
{
	struct check_run c = {
		.files = files,
		.policy = policy,
		.ko = ko,
		.nr_kernels = ko->all ? (size_t)dmo_kernel_count() : 1,
		.opts = opts,
	};
	int ret;

	c.per_file = (policy == POLICY_ALL ? DMO_POLICY_NR : 1) * c.nr_kernels;
	j->nr = files->nr * c.per_file;
	j->run = check_unit;
	j->name = check_name;
	j->arg = &c;
	if (j->shard)
		dmo__jobs_run_id(j->run_id, argc, argv, files->v, files->nr,
				 j->shards, j->nr);
	ret = dmo__jobs_run(j);
	dmo_scenario_free(c.sc);
	return ret;
}

/*
 * Pictures.  Where they go is checked before anything runs, so that a bad
 * path costs no exploration: a directory for --svg (made when missing), a
 * regular file or a new one in an existing directory for --svg and --html
 * (never a FIFO, whose open would block).
 */
static int picture_dir(const char *opt, const char *dir)
{
	struct stat st;

	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			return usage_error("option '%s': '%s' is not a directory",
					   opt, dir);
		return 0;
	}
	if (errno != ENOENT || mkdir(dir, 0777) != 0) {
		fprintf(stderr, "dmaown: error: option '%s': %s: %s\n", opt,
			dir, strerror(errno));
		return EXIT_USAGE;
	}
	return 0;
}

static int picture_file(const char *opt, const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (stat(path, &st) == 0) {
		if (!S_ISREG(st.st_mode))
			return usage_error("option '%s': '%s' is not a regular file",
					   opt, path);
		return 0;
	}
	if (errno != ENOENT) {
		fprintf(stderr, "dmaown: error: option '%s': %s: %s\n", opt,
			path, strerror(errno));
		return EXIT_USAGE;
	}
	if (!slash)
		return 0;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path + 1), path);
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return usage_error("option '%s': no directory '%s' for '%s'",
				   opt, dir, path);
	return 0;
}

/* Writes @path through @write; 0, or a printed error (2). */
static FILE *picture_open(const char *opt, const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		fprintf(stderr, "dmaown: error: option '%s': %s: %s\n", opt,
			path, strerror(errno));
	return f;
}

/* The command line, as the page shows it: words a shell reads back. */
static char *command_line(const char *argv0, const char *cmd, int argc,
			  char **argv)
{
	size_t len = 0;
	char *s = NULL;
	FILE *f = open_memstream(&s, &len);

	if (!f)
		return NULL;
	for (int i = -2; i < argc; i++) {
		const char *w = i == -2 ? argv0 : i == -1 ? cmd : argv[i];

		if (i > -2)
			fputc(' ', f);
		if (*w && strspn(w, "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789_./:,=+@%-") == strlen(w)) {
			fputs(w, f);
			continue;
		}
		fputc('\'', f);
		for (; *w; w++)
			fputs(*w == '\'' ? "'\\''" : (char[]){ *w, 0 }, f);
		fputc('\'', f);
	}
	if (fclose(f)) {
		free(s);
		return NULL;
	}
	return s;
}

/* Writes the page of the run; 0, or a printed error (2). */
static int write_page(const char *path, struct dmo_html_report *page)
{
	FILE *f = picture_open("--html", path);
	int err;

	if (!f)
		return EXIT_USAGE;
	err = dmo_html_report_write(page, f);
	if (fclose(f) && !err)
		err = -EIO;
	if (err) {
		fprintf(stderr, "dmaown: error: option '--html': %s: %s\n",
			path, strerror(-err));
		return EXIT_USAGE;
	}
	return 0;
}

static int cmd_check(int argc, char **argv, const char *argv0)
{
	struct opt_iter it = { .argc = argc, .argv = argv, .i = 0 };
	struct dmo_check_opts opts = { .argv0 = argv0 };
	struct dmo__jobs jobs = { .jobs = dmo__jobs_online() };
	struct file_list files = { 0 };
	struct status st = { 0 };
	int policy = POLICY_FROM_FILE;
	struct kernel_opt ko = { 0 };
	bool any_path = false, have_seed = false, have_limit = false;
	char corpus[PATH_MAX + 16];
	const char *html = NULL;
	int ret;

	if (wants_help(argc, argv)) {
		fputs(check_help, stdout);
		return EXIT_PASS;
	}
	opts.explore.mode = DMO_EXPLORE_DPOR;
	while (it.i < argc) {
		const char *arg = argv[it.i++];

		if (arg[0] != '-' || arg[1] == '\0') {
			any_path = true;
			if (is_dir(arg)) {
				if (list_add_dir(&files, arg))
					st.usage = true;
			} else if (list_add(&files, NULL, arg)) {
				list_free(&files);
				fputs("dmaown: error: out of memory\n", stderr);
				return EXIT_USAGE;
			}
			continue;
		}
		if (opt_match(&it, arg, "--jobs", true)) {
			if (!it.err)
				it.err = parse_jobs(it.value, &jobs.jobs);
		} else if (opt_match(&it, arg, "--threads", true)) {
			if (!it.err)
				it.err = parse_threads(it.value,
						       &opts.threads);
		} else if (opt_match(&it, arg, "--shard", true)) {
			if (!it.err)
				it.err = parse_shard(it.value, &jobs);
		} else if (opt_match(&it, arg, "--policy", true)) {
			if (!it.err)
				it.err = parse_policy(it.value, true, &policy);
		} else if (opt_match(&it, arg, "--kernel", true)) {
			if (!it.err)
				it.err = parse_kernel(it.value, true, &ko);
		} else if (opt_match(&it, arg, "--max-executions", true)) {
			if (!it.err)
				it.err = parse_u64(
					"--max-executions", it.value,
					&opts.explore.max_executions);
		} else if (opt_match(&it, arg, "--time-limit", true)) {
			if (!it.err)
				it.err = parse_seconds(
					"--time-limit", it.value,
					&opts.explore.time_limit);
			have_limit = true;
		} else if (opt_match(&it, arg, "--json", false)) {
			if (!it.err)
				opts.json = true;
		} else if (opt_match(&it, arg, "--quiet", false)) {
			if (!it.err)
				opts.quiet = true;
		} else if (opt_match(&it, arg, "--first", false)) {
			if (!it.err)
				opts.explore.first = true;
		} else if (opt_match(&it, arg, "--random", true)) {
			if (!it.err)
				it.err = parse_u64("--random", it.value,
						   &opts.explore.iterations);
			if (!it.err && opts.explore.iterations == 0)
				it.err = usage_error(
					"option '--random' needs at least 1 schedule");
			opts.explore.mode = DMO_EXPLORE_RANDOM;
		} else if (opt_match(&it, arg, "--seed", true)) {
			if (!it.err)
				it.err = parse_u64("--seed", it.value,
						   &opts.explore.seed);
			have_seed = true;
		} else if (opt_match(&it, arg, "--svg", true)) {
			if (!it.err)
				it.err = picture_dir("--svg", it.value);
			opts.svg_dir = it.value;
		} else if (opt_match(&it, arg, "--html", true)) {
			if (!it.err)
				it.err = picture_file("--html", it.value);
			html = it.value;
		} else {
			it.err = unknown_option("check", arg, check_opts);
		}
		if (it.err) {
			list_free(&files);
			return EXIT_USAGE;
		}
	}
	if (have_seed && opts.explore.mode != DMO_EXPLORE_RANDOM) {
		list_free(&files);
		return usage_error("option '--seed' of check goes with '--random'");
	}
	if (opts.threads > 1 && opts.explore.mode == DMO_EXPLORE_RANDOM) {
		list_free(&files);
		return usage_error("option '--threads' shares one exhaustive "
				   "search: not with '--random'");
	}
	if (jobs.shard && opts.explore.mode == DMO_EXPLORE_RANDOM &&
	    !have_seed) {
		list_free(&files);
		return usage_error("option '--shard' with '--random' needs "
				   "'--seed', so that every shard draws the "
				   "same sample");
	}
	if (opts.explore.mode == DMO_EXPLORE_RANDOM) {
		/*
		 * A sample proves nothing about the schedules it missed: every
		 * such run is incomplete.  The seed is printed so that the
		 * same sample can be drawn again.
		 */
		if (!have_seed)
			opts.explore.seed = (uint64_t)time(NULL) * 1000003u ^
					    (uint64_t)getpid();
		fprintf(stderr,
			"dmaown: %" PRIu64 " random schedules per test and policy, "
			"--seed %" PRIu64 "\n",
			opts.explore.iterations, opts.explore.seed);
	}
	if (!any_path &&
	    list_add_dir(&files, find_corpus(corpus, sizeof(corpus))))
		st.usage = true;
	/* A search that would not end on its own still ends (LIMITS). */
	if (!have_limit)
		opts.explore.time_limit = DEFAULT_TIME_LIMIT;
	opts.explore.progress = isatty(STDERR_FILENO);
	jobs.progress = opts.explore.progress;
	/* A shard writes JSON lines, for merge. */
	opts.json |= jobs.shard != 0;
	/*
	 * Merge could not tell that a path of the run was bad (a directory
	 * without scenarios): every shard stops at once (dmaown(1)).
	 */
	if (jobs.shard && st.usage) {
		list_free(&files);
		return EXIT_USAGE;
	}
	if (html) {
		char *cmd;

		/* The page gathers the whole run in this process. */
		if (jobs.shard) {
			list_free(&files);
			return usage_error("option '--html' draws a whole run: "
					   "not with '--shard'");
		}
		jobs.jobs = 1;
		cmd = command_line(argv0, "check", argc, argv);
		opts.html = cmd ? dmo_html_report_new(cmd) : NULL;
		free(cmd);
		if (!opts.html) {
			list_free(&files);
			fputs("dmaown: error: out of memory\n", stderr);
			return EXIT_USAGE;
		}
	}
	ret = check_files(&files, policy, &ko, &opts, &jobs, argc, argv);
	list_free(&files);
	if (html && write_page(html, opts.html))
		st.usage = true;
	dmo_html_report_free(opts.html);
	return dmo__status_worse(status_exit(&st), ret);
}

/* The picture of a replayed execution; as dmo_scenario_replay_svg(). */
static int replay_svg(const struct dmo_scenario *sc, int policy,
		      const struct dmo_kernel *kernel, const char *schedule,
		      const char *argv0, const char *path, char *err,
		      size_t errlen)
{
	FILE *f = picture_open("--svg", path);
	int ret;

	if (!f) {
		snprintf(err, errlen, "option '--svg': %s: %s", path,
			 strerror(errno));
		return -EIO;
	}
	ret = dmo_scenario_replay_svg(sc, policy, kernel, schedule, argv0, f,
				      err, errlen);
	if (fclose(f) && ret >= 0) {
		snprintf(err, errlen, "option '--svg': %s: %s", path,
			 strerror(errno));
		ret = -EIO;
	}
	return ret;
}

static int cmd_replay(int argc, char **argv, const char *argv0)
{
	struct opt_iter it = { .argc = argc, .argv = argv, .i = 0 };
	const char *file = NULL, *schedule = NULL, *svg = NULL;
	struct status st = { 0 };
	struct dmo_scenario *sc;
	int policy = POLICY_FROM_FILE, kind = -1;
	struct kernel_opt ko = { 0 };
	const struct dmo_kernel *k;
	char err[1024];
	int ret;

	if (wants_help(argc, argv)) {
		fputs(replay_help, stdout);
		return EXIT_PASS;
	}
	while (it.i < argc) {
		const char *arg = argv[it.i++];

		if (arg[0] != '-' || arg[1] == '\0') {
			if (file)
				return usage_error(
					"replay takes one file ('%s', '%s')",
					file, arg);
			file = arg;
			continue;
		}
		if (opt_match(&it, arg, "--schedule", true)) {
			if (!it.err)
				schedule = it.value;
		} else if (opt_match(&it, arg, "--policy", true)) {
			if (!it.err)
				it.err = parse_policy(it.value, false, &policy);
		} else if (opt_match(&it, arg, "--violation", true)) {
			if (!it.err)
				it.err = parse_kind(it.value, &kind);
		} else if (opt_match(&it, arg, "--svg", true)) {
			if (!it.err)
				it.err = picture_file("--svg", it.value);
			svg = it.value;
		} else if (opt_match(&it, arg, "--kernel", true)) {
			if (!it.err)
				it.err = parse_kernel(it.value, false, &ko);
		} else {
			it.err = unknown_option("replay", arg, replay_opts);
		}
		if (it.err)
			return EXIT_USAGE;
	}
	if (!file)
		return usage_error("replay needs a scenario file");
	if (!schedule)
		return usage_error("replay needs --schedule");
	sc = load(file, &st);
	if (!sc)
		return EXIT_USAGE;
	policy = default_policy(sc, policy);
	k = ko.k ? ko.k : dmo_scenario_policy_kernel(sc, policy);
	if (pair_runs(file, sc, policy, k, false, false, stderr) < 0) {
		dmo_scenario_free(sc);
		return EXIT_USAGE;
	}
	ret = dmo_scenario_replay_at(sc, policy, k, schedule, kind, stdout,
				     err, sizeof(err));
	/* The picture changes nothing of the verdict, unless it fails. */
	if (ret >= 0 && svg) {
		int drawn = replay_svg(sc, policy, k, schedule, argv0, svg,
				       err, sizeof(err));

		if (drawn < 0)
			ret = drawn;
	}
	dmo_scenario_free(sc);
	if (ret < 0) {
		fprintf(stderr, "dmaown: error: %s\n", err);
		return EXIT_USAGE;
	}
	return ret ? EXIT_FAILED : EXIT_PASS;
}

static int cmd_run(int argc, char **argv)
{
	struct opt_iter it = { .argc = argc, .argv = argv, .i = 0 };
	struct dmo_explore_opts explore = {
		.mode = DMO_EXPLORE_DPOR,
		.time_limit = DEFAULT_TIME_LIMIT,
		.progress = isatty(STDERR_FILENO),
	};
	uint64_t iterations = 1000, seed;
	bool have_seed = false;
	const char *file = NULL;
	struct status st = { 0 };
	struct dmo_scenario *sc;
	int policy = POLICY_FROM_FILE;
	struct kernel_opt ko = { 0 };
	const struct dmo_kernel *k;
	int ret;

	if (wants_help(argc, argv)) {
		fputs(run_help, stdout);
		return EXIT_PASS;
	}
	while (it.i < argc) {
		const char *arg = argv[it.i++];

		if (arg[0] != '-' || arg[1] == '\0') {
			if (file)
				return usage_error(
					"run takes one file ('%s', '%s')",
					file, arg);
			file = arg;
			continue;
		}
		if (opt_match(&it, arg, "--iterations", true)) {
			if (!it.err)
				it.err = parse_u64("--iterations", it.value,
						   &iterations);
			/* No run at all would judge nothing and pass. */
			if (!it.err && iterations == 0)
				it.err = usage_error(
					"option '--iterations' needs at least 1 run");
		} else if (opt_match(&it, arg, "--seed", true)) {
			if (!it.err)
				it.err = parse_u64("--seed", it.value, &seed);
			have_seed = true;
		} else if (opt_match(&it, arg, "--policy", true)) {
			if (!it.err)
				it.err = parse_policy(it.value, false, &policy);
		} else if (opt_match(&it, arg, "--time-limit", true)) {
			if (!it.err)
				it.err = parse_seconds("--time-limit", it.value,
						       &explore.time_limit);
		} else if (opt_match(&it, arg, "--kernel", true)) {
			if (!it.err)
				it.err = parse_kernel(it.value, false, &ko);
		} else {
			it.err = unknown_option("run", arg, run_opts);
		}
		if (it.err)
			return EXIT_USAGE;
	}
	if (!file)
		return usage_error("run needs a scenario file");
	/* Any seed will do, as long as it is printed for the rerun. */
	if (!have_seed)
		seed = (uint64_t)time(NULL) * 1000003u ^ (uint64_t)getpid();
	sc = load(file, &st);
	if (!sc)
		return EXIT_USAGE;
	policy = default_policy(sc, policy);
	k = ko.k ? ko.k : dmo_scenario_policy_kernel(sc, policy);
	if (pair_runs(file, sc, policy, k, false, false, stderr) < 0) {
		dmo_scenario_free(sc);
		return EXIT_USAGE;
	}
	ret = dmo_scenario_run_at(sc, policy, k, iterations, seed, &explore,
				  stdout);
	dmo_scenario_free(sc);
	if (ret < 0) {
		fprintf(stderr, "dmaown: error: %s: %s\n", file,
			strerror(-ret));
		return EXIT_USAGE;
	}
	return ret == 3 ? EXIT_INCOMPLETE : ret ? EXIT_FAILED : EXIT_PASS;
}

static int cmd_merge(int argc, char **argv)
{
	struct opt_iter it = { .argc = argc, .argv = argv, .i = 0 };
	struct file_list files = { 0 };
	bool json = false;
	int ret;

	if (wants_help(argc, argv)) {
		fputs(merge_help, stdout);
		return EXIT_PASS;
	}
	while (it.i < argc) {
		const char *arg = argv[it.i++];

		if (arg[0] != '-' || arg[1] == '\0') {
			if (list_add(&files, NULL, arg)) {
				list_free(&files);
				fputs("dmaown: error: out of memory\n", stderr);
				return EXIT_USAGE;
			}
			continue;
		}
		if (opt_match(&it, arg, "--json", false)) {
			if (!it.err)
				json = true;
		} else {
			it.err = unknown_option("merge", arg, merge_opts);
		}
		if (it.err) {
			list_free(&files);
			return EXIT_USAGE;
		}
	}
	if (!files.nr)
		return usage_error("merge needs the files the shards wrote");
	ret = dmo__merge(files.v, files.nr, json);
	list_free(&files);
	return ret;
}

static int unknown_command(const char *cmd)
{
	const char *hint = closest(cmd, commands);

	if (hint)
		return usage_error("unknown command '%s'; did you mean '%s'?",
				   cmd, hint);
	return usage_error("unknown command '%s'", cmd);
}

/* `dmaown help COMMAND`: that command's help. */
static int cmd_help(const char *cmd)
{
	if (strcmp(cmd, "check") == 0)
		fputs(check_help, stdout);
	else if (strcmp(cmd, "replay") == 0)
		fputs(replay_help, stdout);
	else if (strcmp(cmd, "run") == 0)
		fputs(run_help, stdout);
	else if (strcmp(cmd, "merge") == 0)
		fputs(merge_help, stdout);
	else if (strcmp(cmd, "versions") == 0)
		fputs(versions_help, stdout);
	else if (strcmp(cmd, "help") == 0)
		fputs(usage_text, stdout);
	else if (!dmaown_host_help(cmd))
		return unknown_command(cmd);
	return EXIT_PASS;
}

/* dmaown versions: every modelled version and what lands in it. */
static int cmd_versions(int argc, char **argv)
{
	if (wants_help(argc, argv)) {
		fputs(versions_help, stdout);
		return EXIT_PASS;
	}
	if (argc > 0)
		return usage_error("'versions' takes no argument");
	for (int i = 0; i < dmo_kernel_count(); i++) {
		const struct dmo_kernel *k = dmo_kernel_at(i);
		const char *what = dmo_kernel_summary(k);

		printf("%s%s%s%s\n", dmo_kernel_name(k),
		       k == dmo_kernel_newest() ? " (default)" : "",
		       what ? ": " : "", what ? what : "");
		for (int c = 0; c < DMO_CHG_NR; c++) {
			if (dmo_change_kernel(c) != k)
				continue;
			printf("  %s %s\n", dmo_change_commit(c),
			       dmo_change_subject(c));
			printf("      %s: %s\n", dmo_change_name(c),
			       dmo_change_summary(c));
		}
	}
	return EXIT_PASS;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;
	const char *argv0 = argc > 0 ? argv[0] : "dmaown";

	if (!cmd)
		return usage_error("no command given");
	if (strcmp(cmd, "help") == 0 && argc == 3)
		return cmd_help(argv[2]);
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
	    strcmp(cmd, "help") == 0) {
		if (argc > 2)
			return usage_error("'%s' takes no argument", cmd);
		fputs(usage_text, stdout);
		return EXIT_PASS;
	}
	if (strcmp(cmd, "--version") == 0) {
		if (argc > 2)
			return usage_error("'%s' takes no argument", cmd);
		printf("dmaown %s\n", DMAOWN_VERSION);
		return EXIT_PASS;
	}
	if (strcmp(cmd, "check") == 0)
		return cmd_check(argc - 2, argv + 2, argv0);
	if (strcmp(cmd, "replay") == 0)
		return cmd_replay(argc - 2, argv + 2, argv0);
	if (strcmp(cmd, "run") == 0)
		return cmd_run(argc - 2, argv + 2);
	if (dmaown_is_host_command(cmd))
		return dmaown_host_main(cmd, argc - 2, argv + 2);
	if (strcmp(cmd, "merge") == 0)
		return cmd_merge(argc - 2, argv + 2);
	if (strcmp(cmd, "versions") == 0)
		return cmd_versions(argc - 2, argv + 2);
	if (cmd[0] == '-')
		return usage_error("unknown option '%s'", cmd);
	return unknown_command(cmd);
}
