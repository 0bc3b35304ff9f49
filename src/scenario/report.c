// SPDX-License-Identifier: MIT
/*
 * The reports of dmaown check and dmaown run, in text (herd7- and
 * litmus7-like, for people) and JSON (one object per line, for scripts).
 *
 * The text is a contract as much as the JSON: scripts grep the summary
 * line, tests pin the whole output, and a printed replay command must run
 * as printed.  So every field has one spelling, the final states are
 * printed sorted, and words that a shell would split or expand are quoted.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "dmaown.h"
#include "scenario/scenario.h"

/**
 * dmo__sc_errno_name() - the kernel spelling of a negative errno
 * @v: a register value
 *
 * Return: "-EBUSY" and the like for the errors the protocol returns, NULL
 * for any other value (printed as a number).
 * Context: any.
 */
const char *dmo__sc_errno_name(long v)
{
	switch (-v) {
	case EPERM:
		return "-EPERM";
	case ENOENT:
		return "-ENOENT";
	case ENXIO:
		return "-ENXIO";
	case ENOMEM:
		return "-ENOMEM";
	case EBUSY:
		return "-EBUSY";
	case EEXIST:
		return "-EEXIST";
	case ENODEV:
		return "-ENODEV";
	case EINVAL:
		return "-EINVAL";
	case DMO_EPROBE_DEFER:
		return "-EPROBE_DEFER";
	default:
		return NULL;
	}
}

/**
 * dmo__sc_shell_word() - print a word so that sh reads it back unchanged
 * @out: the stream
 * @s: the word
 *
 * Words made only of characters no shell treats specially are printed
 * bare, so that common replay commands stay easy to read.
 * Context: any.
 */
void dmo__sc_shell_word(FILE *out, const char *s)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyz"
				   "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789_./:,=+@%-";

	if (*s && strspn(s, safe) == strlen(s)) {
		fputs(s, out);
		return;
	}
	fputc('\'', out);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", out);
		else
			fputc(*s, out);
	}
	fputc('\'', out);
}

/**
 * dmo__sc_print_kinds() - print a set of kinds, comma-separated
 * @out: the stream
 * @kinds: a bit per enum dmo_viol_kind
 *
 * The order is the enumeration's: isolation, accounting, bug, warn,
 * deadlock, race, uaf.
 * Context: any.
 */
void dmo__sc_print_kinds(FILE *out, unsigned int kinds)
{
	const char *sep = "";

	for (int k = 0; k < DMO_VIOL_NR; k++) {
		if (kinds & (1u << k)) {
			fprintf(out, "%s%s", sep, dmo_viol_kind_name(k));
			sep = ",";
		}
	}
}

static const char *const result_names[] = {
	[DMO__SC_OK] = "ok",
	[DMO__SC_VIOLATION] = "violation",
	[DMO__SC_INCOMPLETE] = "incomplete",
};

static void report_states(FILE *out, const struct dmo__sc_outcome *o,
			  bool mark_unlisted)
{
	for (size_t i = 0; i < o->nr_states; i++) {
		const struct dmo__sc_state *st = o->states[i];

		/* litmus7's marks: "*>" where the condition holds. */
		fprintf(out, "%-8" PRIu64 "%s> %s%s\n", st->count,
			st->cond ? "*" : ":", st->text,
			mark_unlisted && !st->listed ?
			"   <- not found by the explorer" : "");
	}
}

static void report_summary(FILE *out, const struct dmo__sc_outcome *o)
{
	fprintf(out, "%s %s %s executions=%" PRIu64 " states=%zu",
		result_names[o->result], o->sc->name,
		dmo_policy_name(o->policy), o->executions, o->nr_states);
	if (o->observation)
		fprintf(out, " observation=%s", o->observation);
	if (o->kinds) {
		fputs(" violation=", out);
		dmo__sc_print_kinds(out, o->kinds);
	}
	if (o->judged != DMO__SC_UNJUDGED)
		fprintf(out, " expect=%s",
			o->judged == DMO__SC_PASS ? "PASS" : "FAIL");
	fprintf(out, " time=%.2f\n", o->seconds);
}

/**
 * dmo__sc_report_text() - the text report of one scenario under one policy
 * @out: the stream
 * @o: the outcome
 * @quiet: print the summary line only
 * @argv0: how the replay commands name the program
 * @trace: prints the steps of a schedule
 * @trace_arg: for @trace
 *
 * Context: any.
 */
void dmo__sc_report_text(FILE *out, const struct dmo__sc_outcome *o,
			 bool quiet, const char *argv0, dmo__sc_trace_fn trace,
			 void *trace_arg)
{
	const char *pol = dmo_policy_name(o->policy);

	if (quiet) {
		report_summary(out, o);
		return;
	}
	fprintf(out, "Test %s (policy %s)\n", o->sc->name, pol);
	if (o->sc->description)
		fprintf(out, "\"%s\"\n", o->sc->description);
	fprintf(out, "States %zu\n", o->nr_states);
	report_states(out, o, false);
	for (size_t i = 0; i < o->nr_viols; i++) {
		const struct dmo__sc_viol *v = &o->viols[i];

		const struct dmo__sc_viol *same = NULL;

		fprintf(out, "Violation %s: %s\n", dmo_viol_kind_name(v->kind),
			v->message);
		if (strcmp(v->thread, "-") == 0)
			fputs("  where: the invariant check between steps\n",
			      out);
		else
			fprintf(out, "  where: %s, thread %s\n", v->fn,
				v->thread);
		if (!v->schedule)
			continue;
		fprintf(out, "  schedule: %s\n", v->schedule);
		fputs("  replay: ", out);
		dmo__sc_shell_word(out, argv0);
		fputs(" replay ", out);
		dmo__sc_shell_word(out, o->sc->path);
		fprintf(out, " --policy %s --schedule ", pol);
		dmo__sc_shell_word(out, v->schedule);
		fputc('\n', out);
		/* One execution often shows several kinds: one trace does. */
		for (size_t j = 0; j < i && !same; j++)
			if (o->viols[j].schedule &&
			    strcmp(o->viols[j].schedule, v->schedule) == 0)
				same = &o->viols[j];
		if (same) {
			fprintf(out, "  trace: as for the %s violation above\n",
				dmo_viol_kind_name(same->kind));
			continue;
		}
		fputs("  trace:\n", out);
		trace(trace_arg, v->schedule, out);
	}
	report_summary(out, o);
	fputc('\n', out);
}

static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", out);
		else if (ch == '\t')
			fputs("\\t", out);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

/**
 * dmo__sc_report_json() - the JSON line of one scenario under one policy
 * @out: the stream
 * @o: the outcome
 *
 * Context: any.
 */
void dmo__sc_report_json(FILE *out, const struct dmo__sc_outcome *o)
{
	fputs("{\"test\":", out);
	json_string(out, o->sc->name);
	fprintf(out, ",\"policy\":\"%s\",\"result\":\"%s\"",
		dmo_policy_name(o->policy), result_names[o->result]);
	fprintf(out, ",\"executions\":%" PRIu64 ",\"states\":%zu",
		o->executions, o->nr_states);
	fputs(",\"observation\":", out);
	if (o->observation)
		json_string(out, o->observation);
	else
		fputs("null", out);
	fputs(",\"violations\":[", out);
	for (size_t i = 0; i < o->nr_viols; i++) {
		const struct dmo__sc_viol *v = &o->viols[i];

		fprintf(out, "%s{\"kind\":\"%s\",\"message\":", i ? "," : "",
			dmo_viol_kind_name(v->kind));
		json_string(out, v->message);
		fputs(",\"schedule\":", out);
		if (v->schedule)
			json_string(out, v->schedule);
		else
			fputs("null", out);
		fputc('}', out);
	}
	fputs("],\"expect\":", out);
	if (o->judged == DMO__SC_UNJUDGED)
		fputs("null", out);
	else
		fputs(o->judged == DMO__SC_PASS ? "\"PASS\"" : "\"FAIL\"", out);
	fprintf(out, ",\"time\":%.2f}\n", o->seconds);
}

/**
 * dmo__sc_report_run() - the report of dmaown run
 * @out: the stream
 * @o: the histogram of the real-thread runs, and their violations
 * @iterations: runs made
 * @seed: the seed they were made with
 * @unlisted: distinct states the explorer does not list
 * @skipped: why no run was made, or NULL
 *
 * Context: any.
 */
void dmo__sc_report_run(FILE *out, const struct dmo__sc_outcome *o,
			uint64_t iterations, uint64_t seed, size_t unlisted,
			const char *skipped)
{
	fprintf(out, "Run %s (policy %s)\n", o->sc->name,
		dmo_policy_name(o->policy));
	if (o->sc->description)
		fprintf(out, "\"%s\"\n", o->sc->description);
	fprintf(out, "Seed %" PRIu64 "\n", seed);
	if (skipped)
		fprintf(out, "Skipped: %s\n", skipped);
	fprintf(out, "Histogram (%zu states)\n", o->nr_states);
	report_states(out, o, true);
	if (o->cut_short)
		fprintf(out, "%-8" PRIu64
			"   (cut short by a BUG_ON: no final state)\n",
			o->cut_short);
	for (size_t i = 0; i < o->nr_viols; i++) {
		const struct dmo__sc_viol *v = &o->viols[i];

		fprintf(out, "Violation %s: %s (%" PRIu64 " times)\n",
			dmo_viol_kind_name(v->kind), v->message, v->count);
	}
	fprintf(out, "%s %s %s runs=%" PRIu64 " states=%zu unlisted=%zu",
		o->result == DMO__SC_OK ? "ok" : "fail", o->sc->name,
		dmo_policy_name(o->policy), iterations, o->nr_states,
		unlisted);
	if (o->kinds) {
		fputs(" violation=", out);
		dmo__sc_print_kinds(out, o->kinds);
	}
	fprintf(out, " seed=%" PRIu64 " time=%.2f\n", seed, o->seconds);
}
