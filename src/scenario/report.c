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
	case EAGAIN:
		return "-EAGAIN";
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

static const char *const verdict_names[] = {
	[DMO__SC_HELD] = "HELD",
	[DMO__SC_FAILED] = "FAIL",
	[DMO__SC_OPEN] = "UNJUDGED",
};

/**
 * dmo__sc_expect_text() - an expect line as the file spells it
 * @buf: filled with "expect [POLICY] RESULT [KIND]"
 * @len: its size
 * @e: the expectation
 *
 * Return: @buf.
 * Context: any.
 */
const char *dmo__sc_expect_text(char *buf, size_t len,
				const struct dmo_sc_expect *e)
{
	static const char *const results[] = {
		[DMO_RES_OK] = "ok",
		[DMO_RES_ALWAYS] = "Always",
		[DMO_RES_SOMETIMES] = "Sometimes",
		[DMO_RES_NEVER] = "Never",
		[DMO_RES_VIOLATION] = "violation",
	};

	snprintf(buf, len, "expect%s%s %s%s%s%s", e->policy >= 0 ? " " : "",
		 e->policy >= 0 ? dmo_policy_name(e->policy) : "",
		 e->bare ? "condition " : "", results[e->result],
		 e->result == DMO_RES_VIOLATION ? " " : "",
		 e->result == DMO_RES_VIOLATION ?
		 dmo_viol_kind_name(e->kind) : "");
	return buf;
}

/**
 * dmo__sc_report_verdicts() - one line per expectation judged
 * @out: the stream
 * @o: the outcome
 * @indent: printed before each line
 *
 * "Verdict HELD|FAIL|UNJUDGED FILE:LINE: expect ...: why", or, for a rule
 * of the file as a whole, "Verdict ... FILE: the rule: why".
 * Context: any.
 */
void dmo__sc_report_verdicts(FILE *out, const struct dmo__sc_outcome *o,
			     const char *indent)
{
	for (size_t i = 0; i < o->nr_verdicts; i++) {
		const struct dmo__sc_verdict *v = &o->verdicts[i];

		char text[96];

		fprintf(out, "%sVerdict %s %s", indent,
			verdict_names[v->state], o->sc->path);
		if (v->e)
			fprintf(out, ":%d: %s", v->e->loc.line,
				dmo__sc_expect_text(text, sizeof(text), v->e));
		else
			fprintf(out, ": %s", v->rule);
		fprintf(out, ": %s\n", v->why);
	}
}

/**
 * dmo__sc_print_judged() - the expect= field of a summary line
 * @out: the stream
 * @o: the outcome
 * @undecided: the word for a judgement that nothing failed but some
 *	expectation could not be judged ("INCOMPLETE" for check)
 *
 * Prints nothing when no expect line applies; otherwise " expect=PASS",
 * " expect=FAIL" or " expect=WORD:held=H,unjudged=U".
 * Context: any.
 */
void dmo__sc_print_judged(FILE *out, const struct dmo__sc_outcome *o,
			  const char *undecided)
{
	size_t held = 0, open = 0;

	switch (o->judged) {
	case DMO__SC_UNJUDGED:
		return;
	case DMO__SC_PASS:
		fputs(" expect=PASS", out);
		return;
	case DMO__SC_FAIL:
		fputs(" expect=FAIL", out);
		return;
	case DMO__SC_UNDECIDED:
		break;
	}
	for (size_t i = 0; i < o->nr_verdicts; i++) {
		held += o->verdicts[i].state == DMO__SC_HELD;
		open += o->verdicts[i].state == DMO__SC_OPEN;
	}
	fprintf(out, " expect=%s:held=%zu,unjudged=%zu", undecided, held, open);
}

static void report_summary(FILE *out, const struct dmo__sc_outcome *o)
{
	fprintf(out, "%s %s %s kernel=%s executions=%" PRIu64 " states=%zu",
		result_names[o->result], o->sc->name,
		dmo_policy_name(o->policy), dmo_kernel_name(o->kernel),
		o->executions, o->nr_states);
	if (o->cut_short)
		fprintf(out, " cut=%" PRIu64, o->cut_short);
	if (o->threads > 1)
		fprintf(out, " threads=%d redundant=%" PRIu64, o->threads,
			o->redundant);
	if (o->observation)
		fprintf(out, " observation=%s", o->observation);
	if (o->kinds) {
		fputs(" violation=", out);
		dmo__sc_print_kinds(out, o->kinds);
	}
	dmo__sc_print_judged(out, o, "INCOMPLETE");
	if (o->stopped)
		fprintf(out, " stopped=%s", o->stopped);
	fprintf(out, " time=%.2f\n", o->seconds);
}

/* Why a search was cut short, in words, with how to go further. */
static void report_stopped(FILE *out, const struct dmo__sc_outcome *o)
{
	const char *s = o->stopped;

	if (strcmp(s, "first") == 0)
		fputs("Stopped: at the first violation (--first); the "
		      "executions not explored may show more\n", out);
	else if (strncmp(s, "max-executions:", 15) == 0)
		fprintf(out, "Stopped: after %s executions (--max-executions "
			"%s; 0 for no limit)\n", s + 15, s + 15);
	else if (strncmp(s, "time-limit:", 11) == 0)
		fprintf(out, "Stopped: at the time limit of %s s (--time-limit "
			"%s; 0 for no limit)\n", s + 11, s + 11);
	else if (strncmp(s, "random:", 7) == 0)
		fprintf(out, "Stopped: a sample of %s random schedules "
			"(--random %s) is not the whole space\n", s + 7,
			s + 7);
	else
		fprintf(out, "Stopped: before the end of the search\n");
}

/*
 * "  schedule: S", "  replay: COMMAND" (naming @kind, which replay then
 * says it still shows, unless @kind < 0) and the trace of @schedule, or,
 * when one of the first @nr_before violations has that schedule, a line
 * saying so: one execution often shows several kinds, and one trace does.
 */
static void report_schedule(FILE *out, const struct dmo__sc_outcome *o,
			    const char *argv0, const char *schedule, int kind,
			    size_t nr_before, dmo__sc_trace_fn trace,
			    void *trace_arg)
{
	fprintf(out, "  schedule: %s\n", schedule);
	fputs("  replay: ", out);
	dmo__sc_shell_word(out, argv0);
	fputs(" replay ", out);
	dmo__sc_shell_word(out, o->sc->path);
	fprintf(out, " --policy %s --kernel %s --schedule ",
		dmo_policy_name(o->policy), dmo_kernel_name(o->kernel));
	dmo__sc_shell_word(out, schedule);
	if (kind >= 0)
		fprintf(out, " --violation %s",
			dmo_viol_kind_name((enum dmo_viol_kind)kind));
	fputc('\n', out);
	for (size_t j = 0; j < nr_before; j++) {
		if (o->viols[j].schedule &&
		    strcmp(o->viols[j].schedule, schedule) == 0) {
			fprintf(out, "  trace: as for the %s violation above\n",
				dmo_viol_kind_name(o->viols[j].kind));
			return;
		}
	}
	fputs("  trace:\n", out);
	trace(trace_arg, schedule, out);
}

/**
 * dmo__sc_counter_text() - what the final condition's counterexample shows
 * @o: an outcome with a counter state
 *
 * Return: a phrase, static.
 * Context: any.
 */
const char *dmo__sc_counter_text(const struct dmo__sc_outcome *o)
{
	return o->sc->quant == DMO_QUANT_FORALL ?
		       "a final state in which the forall condition is false" :
		       "a final state in which the ~exists condition is true";
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
	fprintf(out, "Test %s (policy %s, kernel %s)\n", o->sc->name, pol,
		dmo_kernel_name(o->kernel));
	if (o->sc->description)
		fprintf(out, "\"%s\"\n", o->sc->description);
	fprintf(out, "States %zu\n", o->nr_states);
	report_states(out, o, false);
	for (size_t i = 0; i < o->nr_viols; i++) {
		const struct dmo__sc_viol *v = &o->viols[i];

		fprintf(out, "Violation %s: %s\n", dmo_viol_kind_name(v->kind),
			v->message);
		if (strcmp(v->thread, "-") == 0)
			fputs("  where: the invariant check between steps\n",
			      out);
		else
			fprintf(out, "  where: %s, thread %s\n", v->fn,
				v->thread);
		if (v->schedule)
			report_schedule(out, o, argv0, v->schedule,
					(int)v->kind, i, trace, trace_arg);
	}
	if (o->counter) {
		fprintf(out, "Counterexample: %s\n", dmo__sc_counter_text(o));
		fprintf(out, "  state: %s\n", o->counter->text);
		report_schedule(out, o, argv0, o->counter->schedule, -1,
				o->nr_viols, trace, trace_arg);
	}
	if (o->judged == DMO__SC_FAIL || o->judged == DMO__SC_UNDECIDED)
		dmo__sc_report_verdicts(out, o, "");
	if (o->stopped)
		report_stopped(out, o);
	report_summary(out, o);
	fputc('\n', out);
}

/* The characters of a JSON string, escaped, without the quotes. */
static void json_chars(FILE *out, const char *s)
{
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
}

static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	json_chars(out, s);
	fputc('"', out);
}

/* "expect", "expectations" (one object per verdict) and "stopped". */
static void json_judged(FILE *out, const struct dmo__sc_outcome *o)
{
	static const char *const judged[] = {
		[DMO__SC_UNJUDGED] = "null",
		[DMO__SC_PASS] = "\"PASS\"",
		[DMO__SC_FAIL] = "\"FAIL\"",
		[DMO__SC_UNDECIDED] = "\"INCOMPLETE\"",
	};
	char text[96];

	fputs(judged[o->judged], out);
	fputs(",\"expectations\":[", out);
	for (size_t i = 0; i < o->nr_verdicts; i++) {
		const struct dmo__sc_verdict *v = &o->verdicts[i];

		fprintf(out, "%s{\"where\":\"", i ? "," : "");
		json_chars(out, o->sc->path);
		if (v->e)
			fprintf(out, ":%d", v->e->loc.line);
		fputs("\",\"expect\":", out);
		json_string(out, v->e ? dmo__sc_expect_text(text, sizeof(text),
							   v->e) : v->rule);
		fprintf(out, ",\"verdict\":\"%s\",\"why\":",
			verdict_names[v->state]);
		json_string(out, v->why);
		fputc('}', out);
	}
	fputs("],\"stopped\":", out);
	if (o->stopped)
		json_string(out, o->stopped);
	else
		fputs("null", out);
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
	fprintf(out, ",\"policy\":\"%s\",\"kernel\":\"%s\",\"result\":\"%s\"",
		dmo_policy_name(o->policy), dmo_kernel_name(o->kernel),
		result_names[o->result]);
	fprintf(out, ",\"executions\":%" PRIu64 ",\"states\":%zu",
		o->executions, o->nr_states);
	fprintf(out, ",\"cut\":%" PRIu64, o->cut_short);
	if (o->threads > 1)
		fprintf(out, ",\"threads\":%d,\"redundant\":%" PRIu64,
			o->threads, o->redundant);
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
	fputc(']', out);
	if (o->counter) {
		fputs(",\"counterexample\":{\"state\":", out);
		json_string(out, o->counter->text);
		fputs(",\"schedule\":", out);
		json_string(out, o->counter->schedule);
		fputc('}', out);
	}
	fputs(",\"expect\":", out);
	json_judged(out, o);
	fprintf(out, ",\"time\":%.2f}\n", o->seconds);
}

/* The first word of run's last line: the exit status, in a word. */
static const char *const run_names[] = {
	[DMO__SC_OK] = "ok",
	[DMO__SC_VIOLATION] = "fail",
	[DMO__SC_INCOMPLETE] = "incomplete",
};

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
	fprintf(out, "Run %s (policy %s, kernel %s)\n", o->sc->name,
		dmo_policy_name(o->policy), dmo_kernel_name(o->kernel));
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
	dmo__sc_report_verdicts(out, o, "");
	fprintf(out, "%s %s %s kernel=%s runs=%" PRIu64 " states=%zu unlisted=%zu",
		run_names[o->result], o->sc->name,
		dmo_policy_name(o->policy), dmo_kernel_name(o->kernel),
		iterations, o->nr_states, unlisted);
	if (o->kinds) {
		fputs(" violation=", out);
		dmo__sc_print_kinds(out, o->kinds);
	}
	dmo__sc_print_judged(out, o, "UNREFUTED");
	fprintf(out, " seed=%" PRIu64 " time=%.2f\n", seed, o->seconds);
}
