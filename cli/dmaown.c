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

/* Both come from the Makefile, which holds the one copy of each. */
#if !defined(DMAOWN_DATADIR) || !defined(DMAOWN_VERSION)
#error "build dmaown with its Makefile: DMAOWN_DATADIR and DMAOWN_VERSION"
#endif

enum {
	EXIT_PASS = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
	EXIT_INCOMPLETE = 3,
};

/* The policy option: a policy, or one of these. */
#define POLICY_FROM_FILE (-2)
#define POLICY_ALL (-1)

static const char usage_text[] =
	"usage: dmaown check [--policy P|all] [--max-executions N]\n"
	"                    [--time-limit SECONDS] [--json] [--quiet]\n"
	"                    [--first] [--random N [--seed S]] [FILE|DIR ...]\n"
	"       dmaown replay FILE --schedule S [--policy P]\n"
	"       dmaown run FILE [--iterations N] [--seed S] [--policy P]\n"
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
	"groups  every IOMMU group of a machine (/sys, or a saved tree): its\n"
	"        devices, a verdict per device and per group, by the kernel\n"
	"        version's rule\n"
	"plan    the sysfs writes that hand groups to vfio (TARGET: a group\n"
	"        number, or a device meaning its group), blockers, warnings\n"
	"apply   carry a plan out with a journal, checking each write and\n"
	"        rolling back on failure (--simulate: on a saved tree)\n"
	"undo    restore what a journal records\n"
	"export  a plan as a scenario file for check\n"
	"\n"
	"policies: upstream legacy v6 recompute no-probe-cleanup\n"
	"          recompute-late-store recompute-early-cleanup\n"
	"exit status: 0 all expectations held, 1 one failed, 2 bad usage or\n"
	"bad file, 3 a limit stopped the search; host commands: 0 done, 1 no\n"
	"plan possible or apply rolled back, 2 bad usage or unreadable tree,\n"
	"3 a rollback step failed too (the journal says what is left)\n";

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

static int parse_seconds(const char *opt, const char *s, double *out)
{
	char *end;
	double v;

	if ((*s < '0' || *s > '9') && *s != '.')
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

static struct dmo_scenario *load(const char *path, struct status *st)
{
	struct dmo_scenario *sc = NULL;
	char err[1024];

	if (dmo_scenario_parse_file(path, &sc, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		st->usage = true;
		return NULL;
	}
	return sc;
}

static int default_policy(const struct dmo_scenario *sc, int opt)
{
	if (opt >= 0)
		return opt;
	if (dmo_scenario_policy(sc) >= 0)
		return dmo_scenario_policy(sc);
	return DMO_POLICY_UPSTREAM;
}

static void check_one(const char *path, int policy_opt,
		      const struct dmo_check_opts *opts, struct status *st)
{
	struct dmo_scenario *sc = load(path, st);
	int lo, hi;

	if (!sc)
		return;
	if (policy_opt == POLICY_ALL) {
		lo = 0;
		hi = DMO_POLICY_NR - 1;
	} else {
		lo = hi = default_policy(sc, policy_opt);
	}
	for (int p = lo; p <= hi; p++) {
		int ret = dmo_scenario_check(sc, p, opts, stdout);

		if (ret == -EINVAL) {
			fprintf(stderr,
				"dmaown: error: %s: the explorer cannot run it "
				"(too many threads?)\n", path);
			st->usage = true;
		} else if (ret < 0) {
			fprintf(stderr, "dmaown: error: %s: %s\n", path,
				strerror(-ret));
			st->usage = true;
		} else if (ret == 1) {
			st->failed = true;
		} else if (ret == 3) {
			st->incomplete = true;
		}
	}
	dmo_scenario_free(sc);
}

static int cmd_check(int argc, char **argv, const char *argv0)
{
	struct opt_iter it = { .argc = argc, .argv = argv, .i = 0 };
	struct dmo_check_opts opts = { .argv0 = argv0 };
	struct file_list files = { 0 };
	struct status st = { 0 };
	int policy = POLICY_FROM_FILE;
	bool any_path = false, have_seed = false;
	char corpus[PATH_MAX + 16];

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
		if (opt_match(&it, arg, "--policy", true)) {
			if (!it.err)
				it.err = parse_policy(it.value, true, &policy);
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
		} else {
			it.err = usage_error("unknown option '%s' for check",
					     arg);
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
	opts.explore.progress = isatty(STDERR_FILENO);
	for (size_t i = 0; i < files.nr; i++)
		check_one(files.v[i], policy, &opts, &st);
	list_free(&files);
	return status_exit(&st);
}

static int cmd_replay(int argc, char **argv)
{
	struct opt_iter it = { .argc = argc, .argv = argv, .i = 0 };
	const char *file = NULL, *schedule = NULL;
	struct status st = { 0 };
	struct dmo_scenario *sc;
	int policy = POLICY_FROM_FILE;
	char err[1024];
	int ret;

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
		} else {
			it.err = usage_error("unknown option '%s' for replay",
					     arg);
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
	ret = dmo_scenario_replay(sc, default_policy(sc, policy), schedule,
				  stdout, err, sizeof(err));
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
	uint64_t iterations = 1000, seed;
	bool have_seed = false;
	const char *file = NULL;
	struct status st = { 0 };
	struct dmo_scenario *sc;
	int policy = POLICY_FROM_FILE;
	int ret;

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
		} else if (opt_match(&it, arg, "--seed", true)) {
			if (!it.err)
				it.err = parse_u64("--seed", it.value, &seed);
			have_seed = true;
		} else if (opt_match(&it, arg, "--policy", true)) {
			if (!it.err)
				it.err = parse_policy(it.value, false, &policy);
		} else {
			it.err = usage_error("unknown option '%s' for run",
					     arg);
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
	ret = dmo_scenario_run(sc, default_policy(sc, policy), iterations,
			       seed, stdout);
	dmo_scenario_free(sc);
	if (ret < 0) {
		fprintf(stderr, "dmaown: error: %s: %s\n", file,
			strerror(-ret));
		return EXIT_USAGE;
	}
	return ret ? EXIT_FAILED : EXIT_PASS;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;
	const char *argv0 = argc > 0 ? argv[0] : "dmaown";

	if (!cmd)
		return usage_error("no command given");
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
		return cmd_replay(argc - 2, argv + 2);
	if (strcmp(cmd, "run") == 0)
		return cmd_run(argc - 2, argv + 2);
	if (dmaown_is_host_command(cmd))
		return dmaown_host_main(cmd, argc - 2, argv + 2);
	if (cmd[0] == '-')
		return usage_error("unknown option '%s'", cmd);
	return usage_error("unknown command '%s'", cmd);
}
