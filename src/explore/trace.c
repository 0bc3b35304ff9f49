// SPDX-License-Identifier: MIT
/*
 * Schedules and replay.
 *
 * A schedule names one execution as the threads that ran each step, run
 * length encoded, with the value of every choice: "0x5.1c1.2x3" is five
 * steps of thread 0, one of thread 1 choosing value 1, three of thread 2.
 * Only digits, 'x', 'c', '.' and '+' appear, so a schedule can be pasted
 * into a shell unquoted.  '+' chains executions replayed one after the
 * other in one explorer: a lock-order inversion is a property of two runs
 * (one taking A then B, the other B then A), and its schedule names both.
 *
 * Because a program is deterministic given the scheduler's decisions,
 * following the schedule re-creates the execution exactly, down to the
 * values read; a schedule that names a thread that cannot run, a choice
 * where there is none, or ends while threads can still run does not fit
 * the program, and replay says so (-EINVAL) instead of guessing.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explore/explore.h"

static bool reserve(struct dmo__explorer *x, size_t need)
{
	char *n;

	if (need <= x->schedbuf_cap)
		return true;
	need = need < 256 ? 256 : 2 * need;
	n = realloc(x->schedbuf, need);
	if (!n)
		return false;
	x->schedbuf = n;
	x->schedbuf_cap = need;
	return true;
}

const char *dmo__sched_string(struct dmo__explorer *x)
{
	return dmo__sched_prefix(x, x->nev);
}

/* The schedule of the first @n steps of the current execution. */
const char *dmo__sched_prefix(struct dmo__explorer *x, int n)
{
	size_t len = 0;

	if (!reserve(x, (size_t)n * 24 + 1))
		return "";
	x->schedbuf[0] = '\0';
	for (int k = 0; k < n;) {
		const struct dmo__xevent *e = &x->evs[k];
		const char *sep = k ? "." : "";
		int run = 1;

		if (e->choice >= 0) {
			len += (size_t)sprintf(x->schedbuf + len, "%s%dc%d",
					       sep, e->ev.tid, e->choice);
			k++;
			continue;
		}
		while (k + run < n &&
		       x->evs[k + run].ev.tid == e->ev.tid &&
		       x->evs[k + run].choice < 0)
			run++;
		if (run == 1)
			len += (size_t)sprintf(x->schedbuf + len, "%s%d", sep,
					       e->ev.tid);
		else
			len += (size_t)sprintf(x->schedbuf + len, "%s%dx%d",
					       sep, e->ev.tid, run);
		k += run;
	}
	return x->schedbuf;
}

static bool number(const char **s, long *v)
{
	char *end;

	if (**s < '0' || **s > '9')
		return false;
	*v = strtol(*s, &end, 10);
	if (*v > 1000000000L)
		return false;
	*s = end;
	return true;
}

/*
 * The next step of the schedule being replayed.
 * Return: 0, or -1 at the end of this part (or on a malformed token, which
 * also sets sched_bad).
 */
int dmo__sched_next(struct dmo__explorer *x, int *tid, int *choice)
{
	const char *s = x->sched;
	long t, v;

	*choice = -1;
	if (x->sched_run > 0) {
		x->sched_run--;
		*tid = x->sched_tid;
		return 0;
	}
	if (*s == '\0' || *s == '+')
		return -1;
	if (!number(&s, &t) || t >= DMO_XMAX_THREADS)
		goto bad;
	if (*s == 'x') {
		s++;
		if (!number(&s, &v) || v < 1)
			goto bad;
		x->sched_run = (int)v - 1;
	} else if (*s == 'c') {
		s++;
		if (!number(&s, &v) || v >= 64)
			goto bad;
		*choice = (int)v;
	}
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			goto bad;
	} else if (*s != '\0' && *s != '+') {
		goto bad;
	}
	x->sched = s;
	x->sched_tid = (int)t;
	*tid = (int)t;
	return 0;
bad:
	x->sched_bad = true;
	return -1;
}

bool dmo__sched_done(struct dmo__explorer *x)
{
	return !x->sched_bad && x->sched_run == 0 &&
	       (*x->sched == '\0' || *x->sched == '+');
}

/*
 * A pointer that a replayed step read or wrote, as its trace line shows
 * it: by the name dmo_alloc() gave the block it points into, which reads
 * better than an address and, unlike one, is the same in every process
 * (ASLR moves the arenas and the heap).  Blocks are never reused within an
 * execution, so at most one of them holds @v; the newest is taken first
 * all the same.  Anything else stays hexadecimal, as the integers are.
 * Only replay formats steps, so this linear walk costs the search nothing.
 */
const char *dmo__trace_value(const struct dmo__explorer *x, uint64_t v,
			     size_t size, char *buf, size_t len)
{
	if (size != sizeof(void *)) {
		snprintf(buf, len, "0x%" PRIx64, v);
		return buf;
	}
	if (!v)
		return "NULL";
	for (int i = x->nblocks - 1; i >= 0; i--) {
		const struct dmo__xblock *b = &x->blocks[i];
		uintptr_t p = (uintptr_t)b->p;
		const char *freed = b->freed ? " (freed)" : "";

		if (v < p || v - p >= (b->size ? b->size : 1))
			continue;
		if (v == p)
			snprintf(buf, len, "%s%s", b->what, freed);
		else
			snprintf(buf, len, "%s+%" PRIu64 "%s", b->what, v - p,
				 freed);
		return buf;
	}
	snprintf(buf, len, "0x%" PRIx64, v);
	return buf;
}

/*
 * What a replayed step touched, for pictures that group the steps by
 * object: the address of its operation (the block, for an alloc) and the
 * block that address lies in.  The op that just ran is still posted in
 * its thread, so nothing needs to be passed down.
 */
static void trace_object(const struct dmo__explorer *x, int tid,
			 const char *op, struct dmo_step *st)
{
	static const char *const touching[] = {
		"read", "write", "rmw", "lock", "unlock", "free", "alloc",
	};
	const struct dmo__op *o;
	uintptr_t v;

	st->object = NULL;
	st->within = NULL;
	if (tid < 0)
		return;
	for (size_t i = 0; i < sizeof(touching) / sizeof(touching[0]); i++) {
		if (strcmp(op, touching[i]) != 0)
			continue;
		o = &x->th[tid].op;
		v = strcmp(op, "alloc") == 0 ? (uintptr_t)o->result :
					       (uintptr_t)o->p;
		st->object = (const void *)v;
		for (int b = x->nblocks - 1; b >= 0 && v; b--) {
			uintptr_t p = (uintptr_t)x->blocks[b].p;
			size_t size = x->blocks[b].size;

			if (v >= p && v - p < (size ? size : 1)) {
				st->within = x->blocks[b].what;
				break;
			}
		}
		return;
	}
}

void dmo__trace_step(struct dmo__explorer *x, int tid, const char *op,
		     const char *fn, const char *fmt, ...)
{
	char desc[DMO_XMSG], line[DMO_XMSG + 128];
	struct dmo_step st;
	const char *name = tid >= 0 ? x->th[tid].name : "-";
	va_list ap;

	if (x->mode != DMO__X_REPLAY || !x->on_step)
		return;
	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	st.index = x->replay_base + (x->nev > 0 ? x->nev - 1 : 0);
	snprintf(line, sizeof(line), "%4d %-6s %-6s %s   in %s", st.index,
		 name, op, desc, fn ? fn : "-");
	st.thread = tid;
	st.thread_name = name;
	st.op = op;
	st.fn = fn ? fn : "-";
	st.line = line;
	st.text = desc;
	trace_object(x, tid, op, &st);
	x->on_step(x->cb, &st);
}

int dmo_explore_replay(const struct dmo_program *p, void *arg,
		       const char *schedule,
		       void (*on_step)(void *cb_arg, const struct dmo_step *st),
		       void (*on_violation)(void *cb_arg,
					    const struct dmo_violation *v),
		       void *cb_arg)
{
	struct dmo_explore_result dummy = { 0 };
	struct dmo__explorer *x;
	const char *part;
	int ret = 0;

	if (!p || !p->run || !schedule || !*schedule ||
	    strspn(schedule, "0123456789xc.+") != strlen(schedule))
		return -EINVAL;
	x = dmo__x_new(p, arg);
	if (!x)
		return -ENOMEM;
	x->mode = DMO__X_REPLAY;
	x->res = &dummy;
	x->on_step = on_step;
	x->on_viol = on_violation;
	x->cb = cb_arg;
	x->sched_full = schedule;
	part = schedule;
	for (;;) {
		int rc;

		x->sched = part;
		x->sched_run = 0;
		x->sched_bad = false;
		rc = dmo__x_run(x);
		if (rc < 0) {
			ret = rc;
			break;
		}
		if (x->rule_error || !dmo__sched_done(x)) {
			ret = -EINVAL;
			break;
		}
		if (*x->sched != '+')
			break;
		part = x->sched + 1;
		x->replay_base += x->nev;
	}
	dmo__x_delete(x);
	return ret;
}
