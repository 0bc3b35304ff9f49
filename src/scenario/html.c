// SPDX-License-Identifier: MIT
/*
 * The pictures of a check (one SVG file per violation) and the page of a
 * whole run: one HTML file that a reviewer can open, mail or attach, with
 * nothing to fetch.  The page holds the verdict table (a row per scenario,
 * a column per policy, as docs/designs.md), each cell that found something
 * linking to its counterexamples; every counterexample with its schedule,
 * its replay command and its picture inline; the summary lines, exactly as
 * `dmaown check --quiet` prints them; and the command that made the run.
 *
 * The page has no script.  Its one interactive part is the pictures' own
 * folding switch (CSS :target, see svg.c), which works inline as it does
 * in a picture opened on its own.
 *
 * A check adds its cell once its report is printed, so the page shows the
 * run in the order it ran; nothing is written until the caller asks for
 * the page.  The report belongs to the one thread that runs the checks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmaown.h"
#include "scenario/scenario.h"

/* One counterexample on the page. */
struct html_viol {
	enum dmo_viol_kind kind;	/* DMO_VIOL_NR: the final condition's */
	char *message;
	char *schedule;
	char *replay;		/* the command, shell-quoted */
	char *svg;		/* the picture, NULL: the schedule no longer
				 * replays */
};

/* One scenario under one policy. */
struct html_cell {
	char *path;		/* the file: rows are keyed by it */
	char *test;
	char *description;	/* NULL: none */
	char *column;		/* the table's column: the policy */
	enum dmo__sc_result result;
	enum dmo__sc_judged judged;
	unsigned int kinds;
	char *summary;		/* the summary line, no newline */
	struct html_viol *viols;
	size_t nr_viols;
};

struct dmo_html_report {
	char *command;
	struct html_cell *cells;
	size_t nr;
	size_t cap;
	unsigned int pictures;	/* pictures made: their ids */
};

struct dmo_html_report *dmo_html_report_new(const char *command)
{
	struct dmo_html_report *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->command = strdup(command ? command : "dmaown check");
	if (!r->command) {
		free(r);
		return NULL;
	}
	return r;
}

static void cell_free(struct html_cell *c)
{
	for (size_t i = 0; i < c->nr_viols; i++) {
		free(c->viols[i].message);
		free(c->viols[i].schedule);
		free(c->viols[i].replay);
		free(c->viols[i].svg);
	}
	free(c->viols);
	free(c->path);
	free(c->test);
	free(c->description);
	free(c->column);
	free(c->summary);
}

void dmo_html_report_free(struct dmo_html_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nr; i++)
		cell_free(&r->cells[i]);
	free(r->cells);
	free(r->command);
	free(r);
}

/* A string printed into memory; NULL when out of memory. */
struct membuf {
	char *s;
	size_t len;
	FILE *f;
};

static bool mem_open(struct membuf *m)
{
	m->s = NULL;
	m->len = 0;
	m->f = open_memstream(&m->s, &m->len);
	return m->f != NULL;
}

static char *mem_close(struct membuf *m)
{
	if (fclose(m->f)) {
		free(m->s);
		return NULL;
	}
	return m->s;
}

/*
 * A run's column of the table, and its part of a picture's file name: the
 * policy, with "@V" when the run is not at the version the policy runs at
 * by default (dmaown check --kernel), so that the runs of one scenario at
 * several versions stay apart and a default run reads as in
 * docs/designs.md.
 */
static const char *run_column(const struct dmo__sc_outcome *o, char *buf,
			      size_t len)
{
	const char *pol = dmo_policy_name(o->policy);

	if (o->kernel == dmo_scenario_policy_kernel(o->sc, o->policy))
		return pol;
	snprintf(buf, len, "%s@%s", pol, dmo_kernel_name(o->kernel));
	return buf;
}

/* The replay command of @schedule; @kind < 0: without --violation. */
static char *replay_command(const struct dmo__sc_outcome *o,
			    const char *argv0, const char *schedule, int kind)
{
	struct membuf m;

	if (!mem_open(&m))
		return NULL;
	dmo__sc_shell_word(m.f, argv0 ? argv0 : "dmaown");
	fputs(" replay ", m.f);
	dmo__sc_shell_word(m.f, o->sc->path);
	fprintf(m.f, " --policy %s --kernel %s --schedule ",
		dmo_policy_name(o->policy), dmo_kernel_name(o->kernel));
	dmo__sc_shell_word(m.f, schedule);
	if (kind >= 0)
		fprintf(m.f, " --violation %s",
			dmo_viol_kind_name((enum dmo_viol_kind)kind));
	return mem_close(&m);
}

/*
 * The file one violation's picture goes to: TEST.POLICY.KIND.svg, with
 * -2, -3, ... for a second and third violation of one kind; @i past the
 * violations: the final condition's counterexample, TEST.POLICY.condition.svg.
 */
static char *svg_path(const char *dir, const struct dmo__sc_outcome *o,
		      size_t i)
{
	const struct dmo__sc_viol *v = i < o->nr_viols ? &o->viols[i] : NULL;
	size_t same = 1, n;
	char col[64];
	char *p;

	for (size_t j = 0; v && j < i; j++)
		same += o->viols[j].kind == v->kind;
	n = strlen(dir) + strlen(o->sc->name) + 64;
	p = malloc(n);
	if (!p)
		return NULL;
	if (!v)
		snprintf(p, n, "%s/%s.%s.condition.svg", dir, o->sc->name,
			 run_column(o, col, sizeof(col)));
	else if (same > 1)
		snprintf(p, n, "%s/%s.%s.%s-%zu.svg", dir, o->sc->name,
			 run_column(o, col, sizeof(col)),
			 dmo_viol_kind_name(v->kind), same);
	else
		snprintf(p, n, "%s/%s.%s.%s.svg", dir, o->sc->name,
			 run_column(o, col, sizeof(col)),
			 dmo_viol_kind_name(v->kind));
	return p;
}

static int write_svg_file(const char *path, const struct dmo__sc_pic *pic)
{
	FILE *f = fopen(path, "w");
	int err;

	if (!f)
		return -errno;
	err = dmo__sc_svg(f, pic);
	if (fclose(f) && !err)
		err = -EIO;
	return err;
}

static int add_cell(struct dmo_html_report *r, const struct dmo__sc_outcome *o)
{
	struct html_cell *c;
	struct membuf m;
	char col[64];
	size_t n;

	if (r->nr == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		void *v = realloc(r->cells, cap * sizeof(*r->cells));

		if (!v)
			return -ENOMEM;
		r->cells = v;
		r->cap = cap;
	}
	c = &r->cells[r->nr];
	memset(c, 0, sizeof(*c));
	r->nr++;
	c->path = strdup(o->sc->path);
	c->test = strdup(o->sc->name);
	c->description = o->sc->description ? strdup(o->sc->description) :
					       NULL;
	c->column = strdup(run_column(o, col, sizeof(col)));
	c->result = o->result;
	c->judged = o->judged;
	c->kinds = o->kinds;
	c->viols = calloc(o->nr_viols + 2, sizeof(*c->viols));
	if (!c->path || !c->test || !c->column || !c->viols ||
	    (o->sc->description && !c->description))
		return -ENOMEM;
	if (!mem_open(&m))
		return -ENOMEM;
	dmo__sc_report_text(m.f, o, true, NULL, NULL, NULL);
	c->summary = mem_close(&m);
	if (!c->summary)
		return -ENOMEM;
	n = strlen(c->summary);
	if (n && c->summary[n - 1] == '\n')
		c->summary[n - 1] = '\0';
	return 0;
}

/**
 * dmo__sc_pictures() - the pictures of one check: files and the page
 * @o: the outcome, its report already printed
 * @opts: svg_dir and html say what is wanted
 * @replay: replays a schedule into steps
 * @replay_arg: for @replay
 *
 * Each violation is drawn alone (the execution's other violations are
 * drawn as context, not highlighted), then the final condition's
 * counterexample, if any, with none highlighted; a schedule shared by
 * several is replayed once.
 *
 * Return: 0, -ENOMEM, or the negative errno of a file that could not be
 * written.
 * Context: any.
 */
int dmo__sc_pictures(const struct dmo__sc_outcome *o,
		     const struct dmo_check_opts *opts,
		     dmo__sc_replay_fn replay, void *replay_arg)
{
	struct dmo_html_report *r = opts->html;
	struct dmo__sc_steps steps = { 0 };
	const char *replayed = NULL;
	struct html_cell *cell = NULL;
	bool fits = false;
	int err = 0;

	if (r) {
		err = add_cell(r, o);
		if (err)
			return err;
		cell = &r->cells[r->nr - 1];
	}
	for (size_t i = 0; i < o->nr_viols + (o->counter != NULL) && !err;
	     i++) {
		/* Past the violations: the final condition's counterexample. */
		const struct dmo__sc_viol *v = i < o->nr_viols ? &o->viols[i] :
							       NULL;
		const struct dmo__sc_viol *feat[1] = { v };
		const char *sched = v ? v->schedule : o->counter->schedule;
		struct dmo__sc_pic pic = {
			.sc = o->sc, .policy = o->policy, .kernel = o->kernel,
			.schedule = sched, .argv0 = opts->argv0,
			.steps = &steps, .viols = feat, .nr_viols = v ? 1 : 0,
			.known = o->viols, .nr_known = o->nr_viols,
			.name_kind = v != NULL,
			.title = v ? NULL : dmo__sc_counter_text(o),
		};
		struct html_viol *hv = NULL;
		char id[32];

		if (!sched)
			continue;
		if (!replayed || strcmp(replayed, sched) != 0) {
			dmo__sc_steps_free(&steps);
			err = replay(replay_arg, sched, &steps);
			if (err == -ENOMEM)
				break;
			fits = !err;
			err = 0;
			replayed = sched;
		}
		if (cell) {
			hv = &cell->viols[cell->nr_viols++];
			hv->kind = v ? v->kind : DMO_VIOL_NR;
			hv->message = strdup(v ? v->message :
						 dmo__sc_counter_text(o));
			hv->schedule = strdup(sched);
			hv->replay = replay_command(o, opts->argv0, sched,
						    v ? (int)v->kind : -1);
			if (!hv->message || !hv->schedule || !hv->replay) {
				err = -ENOMEM;
				break;
			}
		}
		if (!fits)
			continue;
		if (opts->svg_dir) {
			char *path = svg_path(opts->svg_dir, o, i);

			pic.standalone = true;
			err = path ? write_svg_file(path, &pic) : -ENOMEM;
			free(path);
			pic.standalone = false;
		}
		if (hv && !err) {
			struct membuf m;

			snprintf(id, sizeof(id), "p%u", ++r->pictures);
			pic.id = id;
			if (!mem_open(&m)) {
				err = -ENOMEM;
				break;
			}
			err = dmo__sc_svg(m.f, &pic);
			hv->svg = mem_close(&m);
			if (!err && !hv->svg)
				err = -ENOMEM;
		}
	}
	dmo__sc_steps_free(&steps);
	return err;
}

/* The page. */

static void html_put(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '&')
			fputs("&amp;", out);
		else if (*s == '<')
			fputs("&lt;", out);
		else if (*s == '>')
			fputs("&gt;", out);
		else if (*s == '"')
			fputs("&quot;", out);
		else
			fputc(*s, out);
	}
}

/* Index of @s in @v (adding it when new), -1 when out of memory. */
static long intern(const char ***v, size_t *nr, const char *s)
{
	const char **n;

	for (size_t i = 0; i < *nr; i++)
		if (strcmp((*v)[i], s) == 0)
			return (long)i;
	n = realloc(*v, (*nr + 1) * sizeof(*n));
	if (!n)
		return -1;
	n[*nr] = s;
	*v = n;
	return (long)(*nr)++;
}

static const char *const page_style =
	"body{font-family:'DejaVu Sans',sans-serif;margin:24px;color:#222;"
	"max-width:1600px}\n"
	"code,pre{font-family:'DejaVu Sans Mono',monospace;font-size:13px}\n"
	"pre{background:#f6f6f6;padding:8px;overflow-x:auto}\n"
	"table.verdicts{border-collapse:collapse;font-size:13px}\n"
	".verdicts th,.verdicts td{border:1px solid #ccc;padding:3px 8px;"
	"text-align:left;white-space:nowrap}\n"
	".verdicts thead th{background:#eee}\n"
	"td.ok{color:#2e7d32}\n"
	"td.violation{background:#fdecea}\n"
	"td.incomplete{background:#fff8e1}\n"
	"td.na{color:#777}\n"
	"td.fail{outline:2px solid #c62828}\n"
	".mark{font-size:11px;color:#c62828;font-weight:bold}\n"
	"section.cell{border-top:1px solid #ccc;margin-top:24px}\n"
	"article.viol{margin:16px 0 28px 0}\n"
	".kind{font-family:'DejaVu Sans Mono',monospace;color:#c62828}\n"
	".picture{overflow-x:auto;border:1px solid #ddd;padding:4px;"
	"background:#fff}\n"
	":target>h3,:target>h4{background:#fff3c4}\n";

static void put_cell(FILE *out, const struct html_cell *c, size_t idx)
{
	const char *cls = c->result == DMO__SC_INCOMPLETE ? "incomplete" :
			  c->kinds ? "violation" : "ok";

	fprintf(out, "<td class=\"%s%s\">", cls,
		c->judged == DMO__SC_FAIL ? " fail" : "");
	if (c->nr_viols)
		fprintf(out, "<a href=\"#c%zu\">", idx);
	if (c->result == DMO__SC_INCOMPLETE) {
		fputs("incomplete", out);
	} else if (c->kinds) {
		const char *sep = "";

		for (int k = 0; k < DMO_VIOL_NR; k++) {
			if (c->kinds & (1u << k)) {
				fprintf(out, "%s%s", sep,
					dmo_viol_kind_name(k));
				sep = ", ";
			}
		}
	} else {
		fputs("ok", out);
	}
	if (c->nr_viols)
		fputs("</a>", out);
	if (c->judged == DMO__SC_FAIL)
		fputs(" <span class=\"mark\">FAIL</span>", out);
	fputs("</td>", out);
}

static int put_table(FILE *out, const struct dmo_html_report *r)
{
	const char **rows = NULL, **cols = NULL;
	size_t nrows = 0, ncols = 0;
	long *at = NULL;
	int err = -ENOMEM;

	for (size_t i = 0; i < r->nr; i++)
		if (intern(&rows, &nrows, r->cells[i].path) < 0 ||
		    intern(&cols, &ncols, r->cells[i].column) < 0)
			goto out;
	at = malloc((nrows * ncols + 1) * sizeof(*at));
	if (!at)
		goto out;
	for (size_t i = 0; i < nrows * ncols; i++)
		at[i] = -1;
	for (size_t i = 0; i < r->nr; i++) {
		long row = intern(&rows, &nrows, r->cells[i].path);
		long col = intern(&cols, &ncols, r->cells[i].column);

		at[(size_t)row * ncols + (size_t)col] = (long)i;
	}
	fputs("<table class=\"verdicts\">\n<thead><tr><th>scenario</th>", out);
	for (size_t j = 0; j < ncols; j++) {
		fputs("<th>", out);
		html_put(out, cols[j]);
		fputs("</th>", out);
	}
	fputs("</tr></thead>\n<tbody>\n", out);
	for (size_t i = 0; i < nrows; i++) {
		const struct html_cell *first = NULL;

		for (size_t j = 0; j < ncols && !first; j++)
			if (at[i * ncols + j] >= 0)
				first = &r->cells[at[i * ncols + j]];
		fputs("<tr><th title=\"", out);
		html_put(out, rows[i]);
		fputs("\">", out);
		html_put(out, first ? first->test : rows[i]);
		fputs("</th>", out);
		for (size_t j = 0; j < ncols; j++) {
			long k = at[i * ncols + j];

			if (k < 0)
				fputs("<td class=\"na\">n/a</td>", out);
			else
				put_cell(out, &r->cells[k], (size_t)k);
		}
		fputs("</tr>\n", out);
	}
	fputs("</tbody>\n</table>\n", out);
	err = 0;
out:
	free(rows);
	free(cols);
	free(at);
	return err;
}

static void put_counts(FILE *out, const struct dmo_html_report *r)
{
	size_t ok = 0, viol = 0, inc = 0, fail = 0, cex = 0;

	for (size_t i = 0; i < r->nr; i++) {
		const struct html_cell *c = &r->cells[i];

		ok += c->result == DMO__SC_OK;
		viol += c->result == DMO__SC_VIOLATION;
		inc += c->result == DMO__SC_INCOMPLETE;
		fail += c->judged == DMO__SC_FAIL;
		cex += c->nr_viols;
	}
	fprintf(out,
		"<p>%zu checks (scenario and policy): %zu ok, %zu with a "
		"violation, %zu incomplete; %zu failed their expectations; %zu "
		"counterexamples.</p>\n",
		r->nr, ok, viol, inc, fail, cex);
}

static void put_counterexamples(FILE *out, const struct dmo_html_report *r)
{
	for (size_t i = 0; i < r->nr; i++) {
		const struct html_cell *c = &r->cells[i];

		if (!c->nr_viols)
			continue;
		fprintf(out, "<section class=\"cell\" id=\"c%zu\">\n<h3>", i);
		html_put(out, c->test);
		fputs(" under policy ", out);
		html_put(out, c->column);
		fputs("</h3>\n", out);
		if (c->description) {
			fputs("<p>&ldquo;", out);
			html_put(out, c->description);
			fputs("&rdquo; (<code>", out);
			html_put(out, c->path);
			fputs("</code>)</p>\n", out);
		}
		fputs("<pre>", out);
		html_put(out, c->summary);
		fputs("</pre>\n", out);
		for (size_t k = 0; k < c->nr_viols; k++) {
			const struct html_viol *v = &c->viols[k];

			fprintf(out,
				"<article class=\"viol\" "
				"id=\"c%zu-v%zu\">\n<h4><span "
				"class=\"kind\">%s</span> ",
				i, k + 1,
				v->kind == DMO_VIOL_NR ?
					"condition" :
					dmo_viol_kind_name(v->kind));
			html_put(out, v->message);
			fputs("</h4>\n<p>schedule <code>", out);
			html_put(out, v->schedule);
			fputs("</code>, replay with</p>\n<pre>", out);
			html_put(out, v->replay);
			fputs("</pre>\n", out);
			if (v->svg) {
				fputs("<div class=\"picture\">\n", out);
				fputs(v->svg, out);
				fputs("</div>\n", out);
			} else {
				fputs(
					"<p>(the schedule no longer "
					"replays)</p>\n",
				      out);
			}
			fputs("</article>\n", out);
		}
		fputs("</section>\n", out);
	}
}

int dmo_html_report_write(const struct dmo_html_report *r, FILE *out)
{
	int err;

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	      "<meta charset=\"utf-8\">\n<title>dmaown check</title>\n"
	      "<style>\n",
	      out);
	fputs(page_style, out);
	fputs("</style>\n</head>\n<body>\n<h1>dmaown check</h1>\n"
	      "<p>Made by</p>\n<pre id=\"command\">", out);
	html_put(out, r->command);
	fputs("</pre>\n", out);
	put_counts(out, r);
	fputs("<p><a href=\"#verdicts\">Verdicts</a> &middot; "
	      "<a href=\"#summary\">Summary lines</a> &middot; "
	      "<a href=\"#counterexamples\">Counterexamples</a></p>\n"
	      "<h2 id=\"verdicts\">Verdicts</h2>\n"
	      "<p>A cell is <code>ok</code> (no violation in any execution), "
	      "<code>incomplete</code> (a limit stopped the search), or the "
	      "kinds of violation found, linking to the counterexamples; "
	      "FAIL marks a check whose expect lines failed; "
	      "<code>n/a</code> where the design does not run the file "
	      "(not for its kernel, or the file uses what that kernel "
	      "lacks).</p>\n",
	      out);
	err = put_table(out, r);
	if (err)
		return err;
	fputs("<h2 id=\"summary\">Summary lines</h2>\n<pre>", out);
	for (size_t i = 0; i < r->nr; i++) {
		html_put(out, r->cells[i].summary);
		fputc('\n', out);
	}
	fputs("</pre>\n<h2 id=\"counterexamples\">Counterexamples</h2>\n"
	      "<p>Each picture has a lane per thread of the scenario, the "
	      "steps in the order they ran, the locks held as bars beside "
	      "the lane, and the steps the violation names highlighted and "
	      "joined by arrows; rows marked &#x22ef; fold the steps that "
	      "touch none of the violation's objects (follow the link under "
	      "a picture to show them).</p>\n",
	      out);
	put_counterexamples(out, r);
	fputs("</body>\n</html>\n", out);
	return ferror(out) ? -EIO : 0;
}
