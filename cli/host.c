// SPDX-License-Identifier: MIT
/*
 * dmaown groups, plan, apply, undo and export: the host commands (see
 * dmaown(1), "HOST COMMANDS").  A thin layer over dmaown/host.h, with the
 * command-line conventions of cli/dmaown.c: a usage error is one line on
 * standard error, "dmaown: error: ... (try 'dmaown --help')", exit 2, and
 * nothing on standard output.
 *
 * Exit status (HOST.md): 0 the command did what was asked; 1 a plan is
 * impossible, or apply failed and rolled everything back; 2 bad usage or
 * an unreadable tree; 3 apply failed and a rollback step failed too (the
 * journal says what is left; undo retries it).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmaown.h"
#include "host.h"

enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
	EXIT_LEFT = 3,
};

#define MAX_FAILS 16

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

static int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int error(const char *fmt, ...)
{
	va_list ap;

	fputs("dmaown: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

/* What the host commands' command lines can hold. */
struct host_args {
	const char *cmd;
	const char *sysfs;
	const char *kernel;
	const char *journal;
	const char *output;
	const char *order;
	bool json;
	bool force;
	bool dry_run;
	bool simulate;
	int fails[MAX_FAILS];	/* --fail-write: write numbers */
	int nr_fails;
	const char **pos;	/* positional arguments */
	int nr_pos;
};

/* Which options each command takes. */
enum {
	O_SYSFS = 1 << 0,
	O_KERNEL = 1 << 1,
	O_JSON = 1 << 2,
	O_FORCE = 1 << 3,
	O_JOURNAL = 1 << 4,
	O_DRY_RUN = 1 << 5,
	O_SIMULATE = 1 << 6,
	O_FAIL = 1 << 7,
	O_OUTPUT = 1 << 8,
	O_ORDER = 1 << 9,
};

/* The options every host command shares, for its --help text. */
#define HELP_TREE \
	"  --sysfs DIR           the sysfs tree to read (default: $DMAOWN_SYSFS,\n" \
	"                        else /sys); a saved tree's proc/ beside it\n"
#define HELP_KERNEL \
	"  --kernel V            the kernel version whose rules apply (default:\n" \
	"                        the tree's osrelease, else uname -r)\n"
#define HELP_SIMULATE \
	"  --simulate            write to a simulated kernel on a saved tree\n" \
	"  --fail-write N,...    with --simulate: fail those writes (1 is the\n" \
	"                        first)\n"
#define HELP_END \
	"  -h, --help            this text\n" \
	"\n" \
	"exit status: 0 done, 1 no plan possible or apply rolled back, 2 bad\n" \
	"usage or an unreadable tree, 3 a rollback step failed too (the journal\n" \
	"says what is left); see dmaown-host(1)\n"

static const struct host_cmd {
	const char *name;
	unsigned int opts;
	const char *help;	/* what `dmaown CMD --help` prints */
} host_cmds[] = {
	{ "groups", O_SYSFS | O_KERNEL | O_JSON,
	  "usage: dmaown groups [GROUP|DEVICE...] [--sysfs DIR] [--kernel V]\n"
	  "                     [--json]\n"
	  "\n"
	  "Every IOMMU group of the machine (or the ones named): its devices,\n"
	  "their drivers, a verdict per device and per group.\n"
	  "\n" HELP_TREE HELP_KERNEL
	  "  --json                one JSON object per group, per line\n"
	  HELP_END },
	{ "plan", O_SYSFS | O_KERNEL | O_JSON | O_FORCE,
	  "usage: dmaown plan vfio TARGET... [--force] [--json] [--sysfs DIR]\n"
	  "                                  [--kernel V]\n"
	  "\n"
	  "The ordered sysfs writes that hand the groups of the TARGETs (a group\n"
	  "number, or a device meaning its group) to vfio-pci, the blockers and\n"
	  "the warnings.  Nothing is written.\n"
	  "\n" HELP_TREE HELP_KERNEL
	  "  --force               plan host-critical devices too\n"
	  "  --json                the plan as one JSON object\n"
	  HELP_END },
	{ "apply", O_SYSFS | O_KERNEL | O_FORCE | O_JOURNAL | O_DRY_RUN |
			   O_SIMULATE | O_FAIL,
	  "usage: dmaown apply vfio TARGET... --journal FILE [--force]\n"
	  "                    [--dry-run] [--simulate [--fail-write N,...]]\n"
	  "                    [--sysfs DIR] [--kernel V]\n"
	  "\n"
	  "Carries the plan out, writing each step to the journal before doing\n"
	  "it and checking it after; on any failure every done step is rolled\n"
	  "back in reverse order.\n"
	  "\n" HELP_TREE HELP_KERNEL
	  "  --journal FILE        where the steps are recorded (for undo)\n"
	  "  --dry-run             print what would be written, write nothing\n"
	  "  --force               take host-critical devices too\n"
	  HELP_SIMULATE HELP_END },
	{ "undo", O_SYSFS | O_SIMULATE | O_FAIL,
	  "usage: dmaown undo JOURNAL [--simulate [--fail-write N,...]]\n"
	  "                   [--sysfs DIR]\n"
	  "\n"
	  "Restores what a journal records, in reverse order.  A journal that\n"
	  "does not check out is refused whole, and nothing is written.\n"
	  "\n" HELP_TREE HELP_SIMULATE HELP_END },
	{ "export", O_SYSFS | O_KERNEL | O_FORCE | O_OUTPUT | O_ORDER,
	  "usage: dmaown export TARGET... [-o FILE] [--order unbind-first]\n"
	  "                     [--force] [--sysfs DIR] [--kernel V]\n"
	  "\n"
	  "Writes a scenario file for dmaown check: the group, the plan as one\n"
	  "thread, and what could race it (a hot-add, a driver load, autoprobe).\n"
	  "\n" HELP_TREE HELP_KERNEL
	  "  -o, --output FILE     write the scenario there (default: stdout)\n"
	  "  --order O             override-first (the plan's) or unbind-first\n"
	  "                        (the wrong order, to see it fail)\n"
	  "  --force               take host-critical devices too\n"
	  HELP_END },
};

static const struct host_cmd *find_cmd(const char *cmd)
{
	for (size_t i = 0; i < sizeof(host_cmds) / sizeof(host_cmds[0]); i++)
		if (strcmp(host_cmds[i].name, cmd) == 0)
			return &host_cmds[i];
	return NULL;
}

bool dmaown_is_host_command(const char *cmd)
{
	return find_cmd(cmd) != NULL;
}

bool dmaown_host_help(const char *cmd)
{
	const struct host_cmd *c = find_cmd(cmd);

	if (c)
		fputs(c->help, stdout);
	return c != NULL;
}

/*
 * Whether @arg is option @name (as "--name VALUE" or "--name=VALUE" when
 * @value is set); 2 for a usage error already printed.
 */
static int opt(const char *arg, const char *name, const char **value,
	       int argc, char **argv, int *i)
{
	size_t n = strlen(name);

	if (strncmp(arg, name, n) != 0 || (arg[n] != '\0' && arg[n] != '='))
		return 0;
	if (!value) {
		if (arg[n] == '=')
			return usage_error("option '%s' takes no argument",
					   name);
		return 1;
	}
	if (arg[n] == '=') {
		*value = arg + n + 1;
		return 1;
	}
	if (*i >= argc)
		return usage_error("option '%s' needs an argument", name);
	*value = argv[(*i)++];
	return 1;
}

static int parse_fails(struct host_args *a, const char *s)
{
	char *copy = strdup(s), *save = NULL;

	if (!copy)
		return error("out of memory");
	for (char *t = strtok_r(copy, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		char *end;
		long v = strtol(t, &end, 10);

		if (*t < '1' || *t > '9' || *end || v > 100000 ||
		    a->nr_fails == MAX_FAILS) {
			free(copy);
			return usage_error("option '--fail-write' needs write numbers such as 2 or 2,3, not '%s'",
					   s);
		}
		a->fails[a->nr_fails++] = (int)v;
	}
	free(copy);
	return a->nr_fails ? 0 : usage_error("option '--fail-write' needs write numbers such as 2 or 2,3, not '%s'", s);
}

static int parse_args(const struct host_cmd *c, int argc, char **argv,
		      struct host_args *a)
{
	static const struct {
		const char *name;
		unsigned int bit;
		bool value;
	} table[] = {
		{ "--sysfs", O_SYSFS, true },
		{ "--kernel", O_KERNEL, true },
		{ "--json", O_JSON, false },
		{ "--force", O_FORCE, false },
		{ "--journal", O_JOURNAL, true },
		{ "--dry-run", O_DRY_RUN, false },
		{ "--simulate", O_SIMULATE, false },
		{ "--fail-write", O_FAIL, true },
		{ "--output", O_OUTPUT, true },
		{ "-o", O_OUTPUT, true },
		{ "--order", O_ORDER, true },
	};
	int i = 0;

	a->pos = calloc((size_t)argc + 1, sizeof(*a->pos));
	if (!a->pos)
		return error("out of memory");
	while (i < argc) {
		const char *arg = argv[i++];
		bool matched = false;

		if (arg[0] != '-' || arg[1] == '\0' || strcmp(arg, "--") == 0) {
			if (strcmp(arg, "--") == 0) {
				while (i < argc)
					a->pos[a->nr_pos++] = argv[i++];
				break;
			}
			a->pos[a->nr_pos++] = arg;
			continue;
		}
		for (size_t t = 0; t < sizeof(table) / sizeof(table[0]); t++) {
			const char *value = NULL;
			int r;

			if (!(c->opts & table[t].bit))
				continue;
			r = opt(arg, table[t].name,
				table[t].value ? &value : NULL, argc, argv, &i);
			if (r == 0)
				continue;
			if (r == EXIT_USAGE)
				return EXIT_USAGE;
			matched = true;
			switch (table[t].bit) {
			case O_SYSFS:
				a->sysfs = value;
				break;
			case O_KERNEL:
				a->kernel = value;
				if (!dmo_host_kernel_valid(value))
					return usage_error("option '--kernel' needs a version such as 6.8 or 5.18, not '%s'",
							   value);
				break;
			case O_JSON:
				a->json = true;
				break;
			case O_FORCE:
				a->force = true;
				break;
			case O_JOURNAL:
				a->journal = value;
				break;
			case O_DRY_RUN:
				a->dry_run = true;
				break;
			case O_SIMULATE:
				a->simulate = true;
				break;
			case O_FAIL:
				if (parse_fails(a, value))
					return EXIT_USAGE;
				break;
			case O_OUTPUT:
				a->output = value;
				break;
			case O_ORDER:
				a->order = value;
				if (strcmp(value, "override-first") &&
				    strcmp(value, "unbind-first"))
					return usage_error("option '--order' needs override-first or unbind-first, not '%s'",
							   value);
				break;
			}
			break;
		}
		if (!matched)
			return usage_error("unknown option '%s' for %s", arg,
					   c->name);
	}
	if (!a->sysfs) {
		a->sysfs = getenv("DMAOWN_SYSFS");
		if (a->sysfs && !*a->sysfs)
			a->sysfs = NULL;
	}
	if (a->nr_fails && !a->simulate)
		return usage_error("option '--fail-write' goes with '--simulate'");
	return 0;
}

static struct dmo_host *open_host(const struct host_args *a)
{
	struct dmo_host_opts o = { .sysfs = a->sysfs, .kernel = a->kernel };
	struct dmo_host *h = NULL;
	char err[1024];

	if (dmo_host_open(&o, &h, err, sizeof(err))) {
		error("%s", err);
		return NULL;
	}
	return h;
}

static int cmd_groups(const struct host_args *a)
{
	struct dmo_host *h = open_host(a);
	int *groups = NULL;
	int ret = EXIT_OK;
	char err[1024];

	if (!h)
		return EXIT_USAGE;
	if (a->nr_pos) {
		groups = calloc((size_t)a->nr_pos, sizeof(*groups));
		if (!groups) {
			dmo_host_close(h);
			return error("out of memory");
		}
		for (int i = 0; i < a->nr_pos; i++) {
			if (dmo_host_target(h, a->pos[i], &groups[i], err,
					    sizeof(err))) {
				ret = error("%s", err);
				goto out;
			}
			if (groups[i] < 0) {
				ret = error("%s is in no IOMMU group", a->pos[i]);
				goto out;
			}
		}
	}
	dmo_host_groups(h, groups, (size_t)a->nr_pos, a->json, stdout);
out:
	free(groups);
	dmo_host_close(h);
	return ret;
}

/* The plan of "plan vfio TARGET..." and "apply vfio TARGET...". */
static int make_plan(const struct host_args *a, struct dmo_host **hp,
		     struct dmo_host_plan **pp, int first)
{
	char err[1024];
	int ret;

	if (first == 1) {
		if (a->nr_pos == 0)
			return usage_error("%s needs 'vfio' and a target: %s vfio GROUP|DEVICE...",
					   a->cmd, a->cmd);
		if (strcmp(a->pos[0], "vfio") != 0)
			return usage_error("%s hands groups to vfio only: '%s vfio %s', not '%s'",
					   a->cmd, a->cmd, a->pos[0],
					   a->pos[0]);
	}
	if (a->nr_pos <= first)
		return usage_error("%s needs a target: a group number or a device name",
				   a->cmd);
	*hp = open_host(a);
	if (!*hp)
		return EXIT_USAGE;
	ret = dmo_host_plan_vfio(*hp, (const char *const *)a->pos + first,
				 (size_t)(a->nr_pos - first), a->force, pp, err,
				 sizeof(err));
	if (ret < 0) {
		dmo_host_close(*hp);
		*hp = NULL;
		return error("%s", err);
	}
	return ret ? EXIT_FAILED : EXIT_OK;
}

static int cmd_plan(const struct host_args *a)
{
	struct dmo_host_plan *p = NULL;
	struct dmo_host *h = NULL;
	int ret = make_plan(a, &h, &p, 1);

	if (ret == EXIT_USAGE)
		return ret;
	dmo_host_plan_print(p, a->json, stdout);
	dmo_host_plan_free(p);
	dmo_host_close(h);
	return ret;
}

static int cmd_apply(const struct host_args *a)
{
	const char *root = a->sysfs ? a->sysfs : "/sys";
	struct dmo_host_writer w = { dmo_host_sysfs_write, NULL };
	struct dmo_hostsim *sim = NULL;
	struct dmo_host_plan *p = NULL;
	struct dmo_host *h = NULL;
	char err[1024];
	int ret;

	if (!a->journal && !a->dry_run)
		return usage_error("apply needs --journal FILE (or --dry-run)");
	if (!a->dry_run && dmo_host_may_write(root, a->simulate, err,
					      sizeof(err)))
		return error("%s", err);
	ret = make_plan(a, &h, &p, 1);
	if (ret == EXIT_USAGE)
		return ret;
	if (ret == EXIT_FAILED || a->dry_run) {
		dmo_host_plan_print(p, false, stdout);
		if (a->dry_run && ret == EXIT_OK)
			fputs("# --dry-run: nothing was written\n", stdout);
		goto out;
	}
	if (a->simulate) {
		if (dmo_hostsim_create(root, a->kernel, &sim, err,
				       sizeof(err))) {
			ret = error("%s", err);
			goto out;
		}
		for (int i = 0; i < a->nr_fails; i++)
			dmo_hostsim_fail_write(sim, a->fails[i], -EIO);
		w.write = dmo_hostsim_write;
		w.arg = sim;
	}
	ret = dmo_host_apply(p, a->journal, &w, stdout, err, sizeof(err));
	if (ret < 0)
		ret = error("%s", err);
out:
	dmo_hostsim_destroy(sim);
	dmo_host_plan_free(p);
	dmo_host_close(h);
	return ret;
}

static int cmd_undo(const struct host_args *a)
{
	const char *root = a->sysfs ? a->sysfs : "/sys";
	struct dmo_host_writer w = { dmo_host_sysfs_write, NULL };
	struct dmo_hostsim *sim = NULL;
	char err[1024];
	int ret;

	if (a->nr_pos != 1)
		return a->nr_pos ? usage_error("undo takes one journal ('%s', '%s')",
					       a->pos[0], a->pos[1]) :
				   usage_error("undo needs a journal file");
	if (dmo_host_may_write(root, a->simulate, err, sizeof(err)))
		return error("%s", err);
	if (a->simulate) {
		if (dmo_hostsim_create(root, NULL, &sim, err, sizeof(err)))
			return error("%s", err);
		for (int i = 0; i < a->nr_fails; i++)
			dmo_hostsim_fail_write(sim, a->fails[i], -EIO);
		w.write = dmo_hostsim_write;
		w.arg = sim;
	}
	ret = dmo_host_undo(root, a->pos[0], &w, stdout, err, sizeof(err));
	/* A refused journal's message is FILE:LINE: error: ... already. */
	if (ret == -EINVAL && strstr(err, ": error: ")) {
		fprintf(stderr, "%s\n", err);
		ret = EXIT_USAGE;
	} else if (ret < 0) {
		ret = error("%s", err);
	}
	dmo_hostsim_destroy(sim);
	return ret;
}

static int cmd_export(const struct host_args *a)
{
	struct dmo_host_plan *p = NULL;
	struct dmo_host *h = NULL;
	FILE *out = stdout;
	int ret = make_plan(a, &h, &p, 0);

	if (ret == EXIT_USAGE)
		return ret;
	if (ret == EXIT_FAILED) {
		fputs("dmaown: export: the plan cannot be carried out:\n",
		      stderr);
		dmo_host_plan_print(p, false, stderr);
		goto out;
	}
	if (a->output && strcmp(a->output, "-") != 0) {
		out = fopen(a->output, "w");
		if (!out) {
			ret = error("%s: %s", a->output, strerror(errno));
			goto out;
		}
	}
	dmo_host_export(p,
			a->order && strcmp(a->order, "unbind-first") == 0 ?
				DMO_HOST_UNBIND_FIRST :
				DMO_HOST_OVERRIDE_FIRST,
			out);
	if (out != stdout && fclose(out))
		ret = error("%s: %s", a->output, strerror(errno));
out:
	dmo_host_plan_free(p);
	dmo_host_close(h);
	return ret;
}

int dmaown_host_main(const char *cmd, int argc, char **argv)
{
	const struct host_cmd *c = find_cmd(cmd);
	struct host_args a = { .cmd = cmd };
	int ret;

	if (!c)
		return usage_error("unknown command '%s'", cmd);
	/* -h or --help anywhere before "--", as for the other commands. */
	for (int i = 0; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			fputs(c->help, stdout);
			return EXIT_OK;
		}
	}
	ret = parse_args(c, argc, argv, &a);
	if (ret)
		goto out;
	if (strcmp(cmd, "groups") == 0)
		ret = cmd_groups(&a);
	else if (strcmp(cmd, "plan") == 0)
		ret = cmd_plan(&a);
	else if (strcmp(cmd, "apply") == 0)
		ret = cmd_apply(&a);
	else if (strcmp(cmd, "undo") == 0)
		ret = cmd_undo(&a);
	else
		ret = cmd_export(&a);
out:
	free(a.pos);
	return ret;
}
