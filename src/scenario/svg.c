// SPDX-License-Identifier: MIT
/*
 * Counterexamples drawn the way kernel developers draw a race in mail: one
 * column per CPU (here, per thread of the scenario, named as in the file),
 * the steps in order down the page, each in its thread's column and
 * labelled with what it did and the modelled kernel function it was in.
 *
 * Input is the replay of one schedule (every step the explorer printed,
 * struct dmo__sc_step) and the violations to feature.  For each featured
 * violation the picture highlights the steps it names and joins them with
 * arrows in the order they ran:
 *
 *  - a data race: the two accesses of its message, the one that raised it
 *    (the access its thread made just before the report) and the other
 *    thread's latest matching access to the same location;
 *  - a use after free: the access and the free the message names;
 *  - a lock-order inversion: the two acquisitions that close the cycle;
 *    a deadlock: the acquisitions of the locks the threads wait for;
 *  - a BUG_ON, a WARN_ON, an isolation or accounting violation: the step
 *    where it fired (for the check between steps, a band across every
 *    lane where it fired first), and the bus's latest dma_configure or
 *    dma_cleanup of every device the message names (of every device of
 *    the group it names, when it names no device): the callback where
 *    counted ownership is taken, refused or given back.
 *
 * The set-up the runner's thread 0 performs before it starts the threads,
 * and its joins, are not drawn: the lanes are the file's threads.  Locks
 * held are bars beside the lane, from the acquisition to the release.
 *
 * Long traces fold: the steps that touch none of the violation's objects
 * (the blocks and locations its highlighted steps touched, and the devices
 * and group its message names) collapse into one row per run of them.  The
 * picture holds both views; a CSS :target switch, links inside the
 * picture, shows the full one, so a browser needs no script.  A renderer
 * that ignores :target (rsvg, an <img> element) shows the folded view.
 *
 * Text is measured as monospace, 0.602 em a character (DejaVu Sans Mono,
 * the first face asked for), so no font metrics are needed.  Everything is
 * computed from the steps alone: the same replay draws the same bytes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmaown.h"
#include "scenario/scenario.h"

/* Layout, in pixels. */
#define PIC_FONT 12		/* labels */
#define PIC_SMALL 11		/* functions, statements, footer */
#define PIC_TITLE 13		/* the violations' lines */
#define PIC_ROW 20		/* one step */
#define PIC_GUTTER 44		/* step numbers */
#define PIC_BAR 6		/* one lock bar and its gap */
#define PIC_MIN_W 560
/* Longest label and function drawn; the tooltip keeps the whole text. */
#define PIC_MAX_ACT 64
#define PIC_MAX_FN 28
/* A trace with more shown steps than this folds. */
#define PIC_FOLD_MIN 18
/* Featured violations that get highlights (a bit each). */
#define PIC_MAX_FEAT 64
#define PIC_MAX_TOKS 64

/**
 * dmo__sc_steps_add() - keep a copy of one replayed step
 * @s: the list
 * @st: the step, as the explorer hands it to the callback
 *
 * Return: 0 or -ENOMEM (the list stays as it was).
 * Context: any.
 */
int dmo__sc_steps_add(struct dmo__sc_steps *s, const struct dmo_step *st)
{
	struct dmo__sc_step *n;

	if (s->nr == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 128;
		void *v = realloc(s->v, cap * sizeof(*s->v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	n = &s->v[s->nr];
	memset(n, 0, sizeof(*n));
	n->index = st->index;
	n->thread = st->thread;
	n->object = st->object;
	n->thread_name = strdup(st->thread_name ? st->thread_name : "-");
	n->op = strdup(st->op ? st->op : "-");
	n->fn = strdup(st->fn ? st->fn : "-");
	n->text = strdup(st->text ? st->text : "");
	n->within = st->within ? strdup(st->within) : NULL;
	if (!n->thread_name || !n->op || !n->fn || !n->text ||
	    (st->within && !n->within)) {
		free(n->thread_name);
		free(n->op);
		free(n->fn);
		free(n->text);
		free(n->within);
		return -ENOMEM;
	}
	s->nr++;
	return 0;
}

/**
 * dmo__sc_steps_free() - drop every step kept
 * @s: the list; left empty
 *
 * Context: any.
 */
void dmo__sc_steps_free(struct dmo__sc_steps *s)
{
	for (size_t i = 0; i < s->nr; i++) {
		free(s->v[i].thread_name);
		free(s->v[i].op);
		free(s->v[i].fn);
		free(s->v[i].text);
		free(s->v[i].within);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static void appendf(char *buf, size_t len, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void appendf(char *buf, size_t len, size_t *n, const char *fmt, ...)
{
	va_list ap;

	if (*n >= len)
		return;
	va_start(ap, fmt);
	*n += (size_t)vsnprintf(buf + *n, len - *n, fmt, ap);
	va_end(ap);
}

/**
 * dmo__sc_stmt_text() - a statement as the file spells it
 * @sc: the scenario
 * @t: its thread
 * @st: the statement
 * @buf: filled with "r0 = bind 0000:01:00.1 snd_hda"
 * @len: size of @buf, at least 1
 *
 * Context: any.
 */
void dmo__sc_stmt_text(const struct dmo_scenario *sc,
		       const struct dmo_sc_thread *t,
		       const struct dmo_sc_stmt *st, char *buf, size_t len)
{
	bool owner = st->op == DMO_OP_CLAIM || st->op == DMO_OP_CLAIM_DEV ||
		     st->op == DMO_OP_IOMMUFD_BIND;
	size_t n = 0;

	buf[0] = '\0';
	if (st->reg >= 0 && st->reg < t->nr_regs)
		appendf(buf, len, &n, "%s = ", t->regs[st->reg]);
	appendf(buf, len, &n, "%s", dmo__op_name(st->op));
	if (st->group >= 0 && st->group < sc->nr_groups)
		appendf(buf, len, &n, " %d", sc->groups[st->group].id);
	if (st->dev >= 0 && st->dev < sc->nr_devices)
		appendf(buf, len, &n, " %s", sc->devices[st->dev].name);
	if (st->drv >= 0 && st->drv < sc->nr_drivers)
		appendf(buf, len, &n, " %s", sc->drivers[st->drv].name);
	if (st->owner >= 0 && st->owner < sc->nr_owners)
		appendf(buf, len, &n, " %s", sc->owners[st->owner]);
	else if (owner)
		appendf(buf, len, &n, " none");
}

/* What a row of the trace is in the picture. */
enum row_role {
	ROW_HIDDEN,		/* not drawn: set-up, joins, a repeat */
	ROW_LANE,		/* a step in its thread's lane */
	ROW_BAND,		/* the check between steps: across the lanes */
};

struct row {
	enum row_role role;
	int lane;		/* ROW_LANE */
	int part;		/* execution of a '+' schedule, from 0 */
	uint64_t hl;		/* featured violations that name it */
	bool keep;		/* drawn in the folded view */
	bool viol;		/* a violation's own row */
};

struct lane {
	const char *name;
	int tid;
	int left;		/* left edge */
	int x;			/* the lane's line */
	int width;
	int depth;		/* deepest nesting of locks held */
	int label_w;		/* widest label, from the line on */
};

enum item_kind {
	IT_ROW,			/* one row */
	IT_FOLD,		/* rows folded into one */
	IT_PART,		/* a '+' schedule's next execution starts */
};

struct item {
	enum item_kind kind;
	size_t row;		/* IT_ROW: the row; IT_FOLD: the first */
	size_t count;		/* IT_FOLD: rows folded */
	int part;		/* IT_PART */
};

/* One way of drawing the body: every row, or the folded rows. */
struct view {
	struct item *v;
	size_t nr;
	int *at;		/* per row: the item it is drawn in, -1 */
};

/* A featured violation, as found in the trace. */
struct feat {
	const struct dmo__sc_viol *v;
	long anchor;		/* its row, -1: not found */
	const char *color;
};

/* The picture being drawn: private to one call of dmo__sc_svg(). */
struct pic {
	const struct dmo__sc_pic *in;
	const struct dmo__sc_step *st;
	size_t n;
	struct row *rows;
	struct lane *lanes;
	int nlanes;
	struct feat *feat;
	size_t nfeat;
	/* The violation's objects, for folding. */
	const char **names;	/* block names ("device 0000:01:00.1") */
	size_t nnames;
	const void **objs;	/* locations, mutexes, blocks */
	size_t nobjs;
	const char **devs;	/* device names the messages name */
	size_t ndevs;
	bool folds;
	size_t setup;		/* rows of thread 0 not drawn */
	int width;
	int head;		/* height of title and lane headers */
	char **title;		/* wrapped title lines */
	size_t ntitle;
	int *title_feat;	/* per line: its violation, -1: continued */
	char *replay;		/* the replay command */
	int err;
};

static size_t u8len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Width of @chars monospace characters at @font pixels. */
static int text_w(size_t chars, int font)
{
	return (int)((chars * (size_t)font * 602 + 999) / 1000);
}

/*
 * Writes @s escaped for XML text and attributes, cut to @max characters
 * (0: no limit) with an ellipsis.
 */
static void xml_put(FILE *out, const char *s, size_t max)
{
	size_t n = 0;
	bool cut = max && u8len(s) > max;

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch & 0xc0) != 0x80 && cut && ++n > max - 1) {
			fputs("\xe2\x80\xa6", out);
			return;
		}
		if (ch == '&')
			fputs("&amp;", out);
		else if (ch == '<')
			fputs("&lt;", out);
		else if (ch == '>')
			fputs("&gt;", out);
		else if (ch == '"')
			fputs("&quot;", out);
		else if (ch < 0x20 || ch == 0x7f)
			fputc('?', out);
		else
			fputc(ch, out);
	}
}

static size_t min_sz(size_t a, size_t b)
{
	return a < b ? a : b;
}

static bool is_op(const struct dmo__sc_step *s, const char *op)
{
	return strcmp(s->op, op) == 0;
}

static bool is_access(const struct dmo__sc_step *s)
{
	return is_op(s, "read") || is_op(s, "write") || is_op(s, "rmw") ||
	       is_op(s, "free");
}

/*
 * Whether a step's text says what it did on its own: a value read or
 * written does; an access that never happened (the one a use after free
 * stopped) names only its location, and gets its verb.
 */
static bool says_itself(const struct dmo__sc_step *s)
{
	if (is_op(s, "note") || is_op(s, "violation"))
		return true;
	if (!is_op(s, "read") && !is_op(s, "write") && !is_op(s, "rmw"))
		return false;
	return strstr(s->text, " = ") || strstr(s->text, " == ") ||
	       strstr(s->text, " += ") || strncmp(s->text, "cmpxchg ", 8) == 0;
}

/* The label of a step: what it did, as the trace says it. */
static void label_put(FILE *out, const struct dmo__sc_step *s, size_t max)
{
	char buf[512];

	if (says_itself(s))
		snprintf(buf, sizeof(buf), "%s", s->text);
	else if (*s->text)
		snprintf(buf, sizeof(buf), "%s %s", s->op, s->text);
	else
		snprintf(buf, sizeof(buf), "%s", s->op);
	xml_put(out, buf, max);
}

static size_t label_len(const struct dmo__sc_step *s)
{
	size_t n = u8len(s->text);

	if (!says_itself(s))
		n = *s->text ? u8len(s->op) + 1 + n : u8len(s->op);
	return min_sz(n, PIC_MAX_ACT);
}

static bool has_fn(const struct dmo__sc_step *s)
{
	return strcmp(s->fn, "-") != 0;
}

/* Characters of a lane row: its label, and its function after a gap. */
static size_t row_chars(const struct dmo__sc_step *s)
{
	size_t n = label_len(s);

	if (has_fn(s))
		n += 2 + min_sz(u8len(s->fn), PIC_MAX_FN);
	return n;
}

static const char *kind_color(enum dmo_viol_kind k)
{
	switch (k) {
	case DMO_VIOL_BUG:
	case DMO_VIOL_UAF:
	case DMO_VIOL_DEADLOCK:
		return "#c62828";
	case DMO_VIOL_ISOLATION:
		return "#e65100";
	case DMO_VIOL_ACCOUNTING:
		return "#ad1457";
	case DMO_VIOL_WARN:
		return "#8d6e00";
	default:
		return "#6a1b9a";
	}
}

/* Lock bars: one colour per lock name, the same in every picture. */
static const char *lock_color(const char *name)
{
	static const char *const palette[] = {
		"#1565c0", "#2e7d32", "#00838f", "#5d4037", "#455a64",
		"#827717",
	};
	uint32_t h = 2166136261u;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return palette[h % (sizeof(palette) / sizeof(palette[0]))];
}

/* Does @word occur in @s, delimited by characters no name holds? */
static bool has_word(const char *s, const char *word)
{
	static const char namech[] = "abcdefghijklmnopqrstuvwxyz"
				     "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				     "0123456789_.:-";
	size_t n = strlen(word);

	if (!n)
		return false;
	for (const char *p = strstr(s, word); p; p = strstr(p + 1, word)) {
		bool before = p == s || !strchr(namech, p[-1]);
		char after = p[n];

		/* A trailing '.' or ':' ends a sentence, not a name. */
		if (after && strchr(namech, after) &&
		    !((after == '.' || after == ':') &&
		      !strchr(namech, p[n + 1] ? p[n + 1] : ' ')))
			continue;
		if (before)
			return true;
	}
	return false;
}

static bool add_ptr(struct pic *p, const void ***v, size_t *nr,
		    const void *x)
{
	const void **n;

	if (!x)
		return true;
	for (size_t i = 0; i < *nr; i++)
		if ((*v)[i] == x)
			return true;
	n = realloc(*v, (*nr + 1) * sizeof(*n));
	if (!n) {
		p->err = -ENOMEM;
		return false;
	}
	n[(*nr)++] = x;
	*v = n;
	return true;
}

static bool add_name(struct pic *p, const char ***v, size_t *nr,
		     const char *s)
{
	const char **n;

	if (!s)
		return true;
	for (size_t i = 0; i < *nr; i++)
		if (strcmp((*v)[i], s) == 0)
			return true;
	n = realloc(*v, (*nr + 1) * sizeof(*n));
	if (!n) {
		p->err = -ENOMEM;
		return false;
	}
	n[(*nr)++] = s;
	*v = n;
	return true;
}

static const char *viol_kind_prefix(const struct dmo__sc_step *s,
				    const struct dmo__sc_viol *v)
{
	const char *k = dmo_viol_kind_name(v->kind);
	size_t n = strlen(k);

	if (strncmp(s->text, k, n) != 0 || strncmp(s->text + n, ": ", 2))
		return NULL;
	return s->text + n + 2;
}

/* A message split at spaces, in a buffer of its own. */
struct toks {
	char buf[1024];
	char *t[PIC_MAX_TOKS];
	int n;
};

static void tokenize(struct toks *k, const char *msg)
{
	char *save = NULL;

	snprintf(k->buf, sizeof(k->buf), "%s", msg);
	k->n = 0;
	for (char *t = strtok_r(k->buf, " ", &save); t && k->n < PIC_MAX_TOKS;
	     t = strtok_r(NULL, " ", &save))
		k->t[k->n++] = t;
}

/* Strips one trailing character of @set from token @t. */
static void strip(char *t, const char *set)
{
	size_t n = strlen(t);

	if (n && strchr(set, t[n - 1]))
		t[n - 1] = '\0';
}

static bool tok_is(const struct toks *k, int i, const char *s)
{
	return i >= 0 && i < k->n && strcmp(k->t[i], s) == 0;
}

/*
 * The latest row before @before of thread @thread in function @fn doing
 * @op (NULL: any access) on @what (the text's first word, NULL: any) on
 * @object (NULL: any); -1 when none.
 */
static long find_back(const struct pic *p, long before, const char *thread,
		      const char *fn, const char *op, const char *what,
		      const void *object)
{
	for (long r = before - 1; r >= 0; r--) {
		const struct dmo__sc_step *s = &p->st[r];
		size_t wl = what ? strlen(what) : 0;
		const char *t = s->text;

		if (thread && strcmp(s->thread_name, thread) != 0)
			continue;
		if (fn && strcmp(s->fn, fn) != 0)
			continue;
		if (op ? !is_op(s, op) : !is_access(s))
			continue;
		if (object && s->object != object)
			continue;
		if (what && strncmp(t, "cmpxchg ", 8) == 0)
			t += 8;
		if (what && (strncmp(t, what, wl) != 0 ||
			     (t[wl] != ' ' && t[wl] != '\0')))
			continue;
		return r;
	}
	return -1;
}

static void mark(struct pic *p, long r, size_t f)
{
	if (r >= 0 && f < PIC_MAX_FEAT)
		p->rows[r].hl |= UINT64_C(1) << f;
}

/*
 * The access that raised a report: the latest access before it by the
 * thread the violation names.  The report's own row may sit in another
 * lane, that of the thread whose stack performed the step.
 */
static long raising_access(const struct pic *p, size_t f, long a)
{
	const char *thread = p->feat[f].v->thread;

	for (long r = a - 1; r >= 0; r--) {
		const struct dmo__sc_step *s = &p->st[r];

		if (strcmp(thread, "-") == 0 ? s->thread != p->st[a].thread :
					       strcmp(s->thread_name, thread))
			continue;
		if (is_op(s, "violation") || is_op(s, "note"))
			continue;
		return is_access(s) ? r : -1;
	}
	return -1;
}

/*
 * "data race: OP WHAT in FN by T, OP WHAT in FN by T": the access that
 * raised it and the other side's.
 */
static void name_race(struct pic *p, size_t f, long a)
{
	long cur = raising_access(p, f, a);
	const void *obj = cur >= 0 ? p->st[cur].object : NULL;
	long from = cur >= 0 ? cur : a;
	struct toks k;

	tokenize(&k, p->feat[f].v->message);
	mark(p, cur, f);
	for (int i = 2; i + 5 < k.n; i++) {
		const char *op = k.t[i], *what = k.t[i + 1], *fn = k.t[i + 3];
		const char *thread = k.t[i + 5];
		long r;

		if (!tok_is(&k, i + 2, "in") || !tok_is(&k, i + 4, "by"))
			continue;
		strip(k.t[i + 5], ",");
		i += 5;
		if (cur >= 0 && strcmp(thread, p->st[cur].thread_name) == 0)
			continue;
		op = strcmp(op, "read") == 0 ? "read" : NULL;
		r = find_back(p, from, thread, fn, op, what, obj);
		if (r < 0)
			r = find_back(p, from, thread, fn, op, what, NULL);
		mark(p, r, f);
	}
}

/*
 * "use after free: OP WHAT in FN by T (BLOCK freed in FN2 by T2)" or
 * "double free of BLOCK in FN by T (first freed in FN2 by T2)".
 */
static void name_uaf(struct pic *p, size_t f, long a)
{
	const char *msg = p->feat[f].v->message;
	const char *open = strrchr(msg, '(');
	char block[256] = "", fn[128] = "", thread[64] = "";
	const char *fr, *by;
	long r;

	mark(p, raising_access(p, f, a), f);
	if (!open)
		return;
	fr = strstr(open, " freed in ");
	by = fr ? strstr(fr, " by ") : NULL;
	if (!fr || !by)
		return;
	snprintf(block, sizeof(block), "%.*s", (int)(fr - open - 1),
		 open + 1);
	snprintf(fn, sizeof(fn), "%.*s", (int)(by - fr - 10), fr + 10);
	snprintf(thread, sizeof(thread), "%s", by + 4);
	strip(thread, ")");
	if (strcmp(block, "first") == 0) {
		const char *of = strstr(msg, "double free of ");
		const char *in = of ? strstr(of, " in ") : NULL;

		if (!in)
			return;
		snprintf(block, sizeof(block), "%.*s", (int)(in - of - 15),
			 of + 15);
	}
	for (r = a - 1; r >= 0; r--) {
		const struct dmo__sc_step *s = &p->st[r];

		if (is_op(s, "free") && strcmp(s->thread_name, thread) == 0 &&
		    strcmp(s->fn, fn) == 0 && strcmp(s->text, block) == 0)
			break;
	}
	mark(p, r, f);
}

/*
 * "lock order inversion: A then B in FN by T, but C then D ... in FN2 by
 * T2": the acquisition of B that closed the cycle, and the earlier one of
 * D (which may lie in the schedule's first execution).
 */
static void name_lock_order(struct pic *p, size_t f, long a)
{
	struct toks k;
	int side = 0;

	tokenize(&k, p->feat[f].v->message);
	for (int i = 0; i + 4 < k.n && side < 2; i++) {
		const char *lock, *fn, *thread;
		long r = -1;

		if (!tok_is(&k, i, "then") || i + 2 >= k.n)
			continue;
		lock = k.t[i + 1];
		/* Skip the parenthesised remark before " in ". */
		for (i += 2; i < k.n && !tok_is(&k, i, "in"); i++)
			;
		if (i + 3 >= k.n || !tok_is(&k, i + 2, "by"))
			break;
		fn = k.t[i + 1];
		strip(k.t[i + 3], ",");
		thread = k.t[i + 3];
		/*
		 * The closing acquisition is reported before its own step
		 * is traced: look ahead for it first.
		 */
		for (size_t q = (size_t)a + 1; side == 0 && q < p->n; q++) {
			const struct dmo__sc_step *s = &p->st[q];

			if (s->thread != p->st[a].thread)
				continue;
			if (is_op(s, "lock") && strcmp(s->text, lock) == 0 &&
			    strcmp(s->fn, fn) == 0)
				r = (long)q;
			break;
		}
		if (r < 0)
			r = find_back(p, a, thread, fn, "lock", lock, NULL);
		mark(p, r, f);
		side++;
	}
}

/*
 * "deadlock: T waits for L held by O; ...": the holders' acquisitions of
 * the locks waited for.
 */
static void name_deadlock(struct pic *p, size_t f, long a)
{
	struct toks k;

	tokenize(&k, p->feat[f].v->message);
	for (int i = 0; i + 4 < k.n; i++) {
		if (!tok_is(&k, i, "waits") || !tok_is(&k, i + 1, "for") ||
		    !tok_is(&k, i + 3, "held") || !tok_is(&k, i + 4, "by") ||
		    i + 5 >= k.n)
			continue;
		strip(k.t[i + 5], ";");
		mark(p, find_back(p, a, k.t[i + 5], NULL, "lock", k.t[i + 2],
				  NULL),
		     f);
	}
}

/* The latest dma_configure or dma_cleanup of device @dev before @a. */
static long last_callback(const struct pic *p, long a, const char *dev)
{
	for (long r = a - 1; r >= 0; r--) {
		const struct dmo__sc_step *s = &p->st[r];
		size_t n = strlen(s->fn);

		if (!is_op(s, "note") || s->thread == 0)
			continue;
		if (strcmp(s->fn, "dma_configure") != 0 &&
		    strcmp(s->fn, "dma_cleanup") != 0)
			continue;
		if (strncmp(s->text, s->fn, n) == 0 && s->text[n] == ' ' &&
		    has_word(s->text + n, dev))
			return r;
	}
	return -1;
}

/*
 * The devices a message names, or the members of the group it names:
 * their latest bus callback in the threads is where ownership was last
 * taken, refused or given back.
 */
static void name_devices(struct pic *p, size_t f, long a)
{
	const struct dmo_scenario *sc = p->in->sc;
	const char *msg = p->feat[f].v->message;
	char block[300];
	bool any = false;
	long gid = -1;
	const char *g;

	for (int d = 0; d < sc->nr_devices; d++) {
		if (!has_word(msg, sc->devices[d].name))
			continue;
		any = true;
		add_name(p, &p->devs, &p->ndevs, sc->devices[d].name);
		mark(p, last_callback(p, a, sc->devices[d].name), f);
	}
	g = strstr(msg, "group ");
	if (g && g[6] >= '0' && g[6] <= '9')
		gid = strtol(g + 6, NULL, 10);
	for (int i = 0; gid >= 0 && i < sc->nr_groups; i++) {
		if (sc->groups[i].id != gid)
			continue;
		snprintf(block, sizeof(block), "iommu_group %ld", gid);
		for (size_t r = 0; r < p->n; r++)
			if (p->st[r].within &&
			    strcmp(p->st[r].within, block) == 0)
				add_name(p, &p->names, &p->nnames,
					 p->st[r].within);
		for (int d = 0; d < sc->nr_devices && !any; d++)
			if (sc->devices[d].group == i)
				mark(p, last_callback(p, a,
						      sc->devices[d].name),
				     f);
	}
}

/* Finds each featured violation's row and the steps it names. */
static void name_all(struct pic *p)
{
	for (size_t f = 0; f < p->nfeat; f++) {
		const struct dmo__sc_viol *v = p->feat[f].v;
		long a = -1;

		for (size_t r = 0; r < p->n && a < 0; r++) {
			const char *m;

			if (!is_op(&p->st[r], "violation"))
				continue;
			m = viol_kind_prefix(&p->st[r], v);
			if (m && strcmp(m, v->message) == 0)
				a = (long)r;
		}
		p->feat[f].anchor = a;
		p->feat[f].color = kind_color(v->kind);
		if (a < 0)
			continue;
		switch (v->kind) {
		case DMO_VIOL_RACE:
			name_race(p, f, a);
			break;
		case DMO_VIOL_UAF:
			name_uaf(p, f, a);
			break;
		case DMO_VIOL_DEADLOCK:
			if (strncmp(v->message, "lock order", 10) == 0) {
				name_lock_order(p, f, a);
			} else {
				mark(p, a, f);
				name_deadlock(p, f, a);
			}
			break;
		default:
			mark(p, a, f);
			name_devices(p, f, a);
			break;
		}
	}
}

/* Lanes: the file's threads, and thread 0 only where it is named. */
static int make_lanes(struct pic *p)
{
	const struct dmo_scenario *sc = p->in->sc;
	bool main_lane = false;
	int n = 0;

	for (size_t r = 0; r < p->n; r++)
		if (p->st[r].thread == 0 && p->rows[r].hl)
			main_lane = true;
	p->lanes = calloc((size_t)sc->nr_threads + 1, sizeof(*p->lanes));
	if (!p->lanes)
		return -ENOMEM;
	if (main_lane)
		p->lanes[n++] = (struct lane){ .name = "main", .tid = 0 };
	for (int t = 0; t < sc->nr_threads; t++)
		p->lanes[n++] = (struct lane){ .name = sc->threads[t].name,
					       .tid = t + 1 };
	p->nlanes = n;
	return 0;
}

static int lane_of(const struct pic *p, int tid)
{
	for (int l = 0; l < p->nlanes; l++)
		if (p->lanes[l].tid == tid)
			return l;
	return -1;
}

static bool same_viol(const struct dmo__sc_step *s,
		      const struct dmo__sc_viol *v)
{
	const char *m = viol_kind_prefix(s, v);

	return m && strcmp(m, v->message) == 0;
}

/*
 * The lane of a violation's row: that of the thread the violation names,
 * which is not always the thread whose stack performed the step.
 */
static int viol_lane(const struct pic *p, size_t r)
{
	const struct dmo__sc_viol *v = NULL;

	for (size_t f = 0; f < p->nfeat && !v; f++)
		if (same_viol(&p->st[r], p->feat[f].v))
			v = p->feat[f].v;
	for (size_t i = 0; i < p->in->nr_known && !v; i++)
		if (same_viol(&p->st[r], &p->in->known[i]))
			v = &p->in->known[i];
	for (int l = 0; v && l < p->nlanes; l++)
		if (strcmp(p->lanes[l].name, v->thread) == 0)
			return l;
	return lane_of(p, p->st[r].thread);
}

/*
 * Which rows are drawn, where, and which survive folding.  A violation is
 * drawn once, where it first fired; the report of a race, a use after
 * free or a lock-order inversion that is featured gives way to the
 * accesses it names, which carry its highlight.
 */
static void classify(struct pic *p)
{
	int part = 0;
	bool main_ended = false;
	size_t shown = 0, kept = 0;

	for (size_t r = 0; r < p->n; r++) {
		const struct dmo__sc_step *s = &p->st[r];
		struct row *w = &p->rows[r];

		if (s->thread == 0 && main_ended) {
			part++;
			main_ended = false;
		}
		if (s->thread == 0 && is_op(s, "end"))
			main_ended = true;
		w->part = part;
		w->viol = is_op(s, "violation");
		w->lane = s->thread < 0 ? -1 :
			  w->viol	? viol_lane(p, r) :
					  lane_of(p, s->thread);
		w->role = s->thread < 0 ? ROW_BAND :
			  w->lane >= 0	? ROW_LANE :
					  ROW_HIDDEN;
		if (s->thread == 0 && w->role == ROW_HIDDEN)
			p->setup++;
		if (w->viol) {
			for (size_t q = 0; q < r; q++)
				if (p->rows[q].viol &&
				    strcmp(p->st[q].text, s->text) == 0)
					w->role = ROW_HIDDEN;
			for (size_t f = 0; f < p->nfeat; f++) {
				enum dmo_viol_kind k = p->feat[f].v->kind;

				if (p->feat[f].anchor != (long)r)
					continue;
				if (k == DMO_VIOL_RACE || k == DMO_VIOL_UAF ||
				    (k == DMO_VIOL_DEADLOCK &&
				     strncmp(p->feat[f].v->message,
					     "lock order", 10) == 0))
					w->role = ROW_HIDDEN;
			}
		}
	}
	/* The violations' objects. */
	for (size_t r = 0; r < p->n; r++) {
		if (!p->rows[r].hl)
			continue;
		add_ptr(p, &p->objs, &p->nobjs, p->st[r].object);
		add_name(p, &p->names, &p->nnames, p->st[r].within);
	}
	for (size_t d = 0; d < p->ndevs; d++) {
		char block[300];

		snprintf(block, sizeof(block), "device %s", p->devs[d]);
		for (size_t r = 0; r < p->n; r++)
			if (p->st[r].within &&
			    strcmp(p->st[r].within, block) == 0)
				add_name(p, &p->names, &p->nnames,
					 p->st[r].within);
	}
	for (size_t r = 0; r < p->n; r++) {
		const struct dmo__sc_step *s = &p->st[r];
		struct row *w = &p->rows[r];
		bool keep = w->hl || w->viol;

		if (w->role == ROW_HIDDEN)
			continue;
		for (size_t i = 0; !keep && i < p->nnames; i++)
			keep = s->within && strcmp(s->within, p->names[i]) == 0;
		for (size_t i = 0; !keep && i < p->nobjs; i++)
			keep = s->object == p->objs[i];
		for (size_t i = 0; !keep && is_op(s, "note") && i < p->ndevs;
		     i++)
			keep = has_word(s->text, p->devs[i]);
		w->keep = keep;
		shown++;
		kept += keep;
	}
	p->folds = p->nfeat && shown > PIC_FOLD_MIN && shown - kept >= 4;
}

/* Lock nesting and label widths, over every row. */
static void measure_lanes(struct pic *p)
{
	const struct dmo_scenario *sc = p->in->sc;
	int held[64] = { 0 };

	for (size_t r = 0; r < p->n; r++) {
		const struct dmo__sc_step *s = &p->st[r];
		const struct row *w = &p->rows[r];
		struct lane *l;

		if (w->role != ROW_LANE)
			continue;
		l = &p->lanes[w->lane];
		if (is_op(s, "lock") && w->lane < 64) {
			if (held[w->lane] + 1 > l->depth)
				l->depth = held[w->lane] + 1;
			held[w->lane]++;
		} else if (is_op(s, "unlock") && w->lane < 64 &&
			   held[w->lane] > 0) {
			held[w->lane]--;
		}
		if (text_w(row_chars(s), PIC_FONT) > l->label_w)
			l->label_w = text_w(row_chars(s), PIC_FONT);
	}
	for (int i = 0, x = PIC_GUTTER; i < p->nlanes; i++) {
		struct lane *l = &p->lanes[i];
		int head = text_w(u8len(l->name), PIC_TITLE) + 20;
		int tid = l->tid;

		if (tid > 0 && tid <= sc->nr_threads) {
			const struct dmo_sc_thread *t = &sc->threads[tid - 1];

			for (int k = 0; k < t->nr_stmts; k++) {
				char buf[512];
				int wd;

				dmo__sc_stmt_text(sc, t, &t->stmts[k], buf,
						  sizeof(buf));
				wd = text_w(u8len(buf), PIC_SMALL) + 20;
				if (wd > head)
					head = wd;
			}
		}
		l->left = x;
		l->x = x + 10 + PIC_BAR * l->depth;
		l->width = l->x - x + l->label_w + 28;
		if (l->width < head)
			l->width = head;
		if (l->width < 180)
			l->width = 180;
		x += l->width;
	}
}

/* Items of one view; at[] says where each row went. */
static int build_view(struct pic *p, struct view *v, bool fold)
{
	int part = -1;

	v->v = calloc(p->n + (size_t)p->n + 1, sizeof(*v->v));
	v->at = calloc(p->n + 1, sizeof(*v->at));
	if (!v->v || !v->at)
		return -ENOMEM;
	v->nr = 0;
	for (size_t r = 0; r < p->n; r++) {
		const struct row *w = &p->rows[r];
		struct item *last = v->nr ? &v->v[v->nr - 1] : NULL;

		v->at[r] = -1;
		if (w->role == ROW_HIDDEN)
			continue;
		if (w->part != part) {
			if (part >= 0)
				v->v[v->nr++] = (struct item){
					.kind = IT_PART, .part = w->part };
			part = w->part;
			last = NULL;
		}
		if (fold && !w->keep) {
			if (last && last->kind == IT_FOLD) {
				last->count++;
			} else {
				v->v[v->nr++] = (struct item){
					.kind = IT_FOLD, .row = r, .count = 1 };
			}
		} else {
			v->v[v->nr++] = (struct item){ .kind = IT_ROW,
						       .row = r };
		}
		v->at[r] = (int)v->nr - 1;
	}
	/* A fold of one row saves nothing: draw the row. */
	for (size_t i = 0; i < v->nr; i++)
		if (v->v[i].kind == IT_FOLD && v->v[i].count == 1)
			v->v[i].kind = IT_ROW;
	return 0;
}

static int item_y(const struct pic *p, int item)
{
	return p->head + item * PIC_ROW + PIC_ROW / 2;
}

/* Wraps @s into lines of at most @max characters, at spaces. */
static int wrap(struct pic *p, const char *s, size_t max, int feat)
{
	size_t len = strlen(s);

	while (len) {
		size_t cut = len;
		char **nt;
		int *nf;

		if (u8len(s) > max) {
			cut = max;
			while (cut > max / 2 && s[cut] != ' ')
				cut--;
			if (s[cut] != ' ')
				cut = max;
		}
		nt = realloc(p->title, (p->ntitle + 1) * sizeof(*nt));
		if (!nt)
			return -ENOMEM;
		p->title = nt;
		nf = realloc(p->title_feat, (p->ntitle + 1) * sizeof(*nf));
		if (!nf)
			return -ENOMEM;
		p->title_feat = nf;
		p->title[p->ntitle] = strndup(s, cut);
		if (!p->title[p->ntitle])
			return -ENOMEM;
		p->title_feat[p->ntitle++] = feat;
		feat = -1;
		while (s[cut] == ' ')
			cut++;
		s += cut;
		len = strlen(s);
	}
	return 0;
}

/* The replay command, as the text report prints it. */
static int make_replay(struct pic *p)
{
	size_t len = 0;
	FILE *f = open_memstream(&p->replay, &len);

	if (!f)
		return -ENOMEM;
	dmo__sc_shell_word(f, p->in->argv0 ? p->in->argv0 : "dmaown");
	fputs(" replay ", f);
	dmo__sc_shell_word(f, p->in->sc->path);
	fprintf(f, " --policy %s", dmo_policy_name(p->in->policy));
	if (p->in->kernel)
		fprintf(f, " --kernel %s", dmo_kernel_name(p->in->kernel));
	fputs(" --schedule ", f);
	dmo__sc_shell_word(f, p->in->schedule);
	if (p->in->name_kind && p->nfeat == 1)
		fprintf(f, " --violation %s",
			dmo_viol_kind_name(p->feat[0].v->kind));
	if (fclose(f) || !p->replay)
		return -ENOMEM;
	return 0;
}

/* Title, sub-title and lane headers: p->width and p->head. */
static int measure_head(struct pic *p)
{
	const struct dmo_scenario *sc = p->in->sc;
	int lanes_w = PIC_GUTTER + 8, stmts = 0, err;
	size_t max;

	for (int i = 0; i < p->nlanes; i++) {
		int tid = p->lanes[i].tid;

		lanes_w += p->lanes[i].width;
		if (tid > 0 && tid <= sc->nr_threads &&
		    sc->threads[tid - 1].nr_stmts > stmts)
			stmts = sc->threads[tid - 1].nr_stmts;
	}
	p->width = lanes_w;
	if (text_w(u8len(p->replay) + 10, PIC_SMALL) + 24 > p->width)
		p->width = text_w(u8len(p->replay) + 10, PIC_SMALL) + 24;
	if (p->width < PIC_MIN_W)
		p->width = PIC_MIN_W;
	max = (size_t)(p->width - 40) * 1000 / (PIC_TITLE * 602);
	for (size_t f = 0; f < p->nfeat; f++) {
		char line[1024];

		snprintf(line, sizeof(line), "%s: %s",
			 dmo_viol_kind_name(p->feat[f].v->kind),
			 p->feat[f].v->message);
		err = wrap(p, line, max, (int)f);
		if (err)
			return err;
	}
	if (!p->nfeat) {
		err = wrap(p, p->in->title ? p->in->title :
				      "no violation in this execution",
			   max, -1);
		if (err)
			return err;
	}
	p->head = 14 + (int)p->ntitle * 18 + 2 * 15 + 10 + 24 + stmts * 14 +
		  10;
	return 0;
}

static void put_title(FILE *out, const struct pic *p)
{
	const struct dmo_scenario *sc = p->in->sc;
	int y = 14;

	for (size_t i = 0; i < p->ntitle; i++) {
		int f = p->title_feat[i];

		y += 18;
		if (f >= 0)
			fprintf(out,
				"<rect x=\"12\" y=\"%d\" width=\"10\" "
				"height=\"10\" fill=\"%s\"/>\n",
				y - 10, p->feat[f].color);
		fprintf(out, "<text class=\"title\" x=\"30\" y=\"%d\">", y);
		xml_put(out, p->title[i], 0);
		fputs("</text>\n", out);
	}
	y += 15;
	fprintf(out, "<text class=\"sub\" x=\"30\" y=\"%d\">", y);
	xml_put(out, sc->name, 0);
	fprintf(out, " under policy %s, schedule ",
		dmo_policy_name(p->in->policy));
	xml_put(out, p->in->schedule, 0);
	fputs("</text>\n", out);
	y += 15;
	if (sc->description) {
		fprintf(out, "<text class=\"sub\" x=\"30\" y=\"%d\">\"", y);
		xml_put(out, sc->description, 0);
		fputs("\"</text>\n", out);
	}
}

static void put_lane_heads(FILE *out, const struct pic *p)
{
	const struct dmo_scenario *sc = p->in->sc;
	int top = 14 + (int)p->ntitle * 18 + 2 * 15 + 10;
	int h = p->head - top - 6;

	for (int i = 0; i < p->nlanes; i++) {
		const struct lane *l = &p->lanes[i];
		int y = top + 18;

		fprintf(out, "<g class=\"lane\" data-thread=\"");
		xml_put(out, l->name, 0);
		fprintf(out,
			"\">\n<rect class=\"head\" x=\"%d\" y=\"%d\" "
			"width=\"%d\" height=\"%d\" rx=\"4\"/>\n",
			l->left + 2, top, l->width - 6, h);
		fprintf(out, "<text class=\"thread\" x=\"%d\" y=\"%d\">",
			l->left + 10, y);
		xml_put(out, l->name, 0);
		fputs("</text>\n", out);
		if (l->tid > 0 && l->tid <= sc->nr_threads) {
			const struct dmo_sc_thread *t =
				&sc->threads[l->tid - 1];

			for (int k = 0; k < t->nr_stmts; k++) {
				char buf[512];

				dmo__sc_stmt_text(sc, t, &t->stmts[k], buf,
						  sizeof(buf));
				y += 14;
				fprintf(out,
					"<text class=\"stmt\" x=\"%d\" "
					"y=\"%d\">",
					l->left + 10, y);
				xml_put(out, buf, 0);
				fputs("</text>\n", out);
			}
		}
		fputs("</g>\n", out);
	}
}

/* The last item each lane is drawn in, for its line and open bars. */
static int lane_last(const struct pic *p, const struct view *v, int lane)
{
	int last = -1;

	for (size_t r = 0; r < p->n; r++)
		if (p->rows[r].role == ROW_LANE && p->rows[r].lane == lane &&
		    v->at[r] > last)
			last = v->at[r];
	return last;
}

static void put_bars(FILE *out, const struct pic *p, const struct view *v)
{
	for (int l = 0; l < p->nlanes; l++) {
		const struct lane *ln = &p->lanes[l];
		size_t stack[64];
		int depth = 0, end = lane_last(p, v, l);

		if (end >= 0)
			fprintf(out,
				"<line class=\"lane-line\" x1=\"%d\" y1=\"%d\" "
				"x2=\"%d\" y2=\"%d\"/>\n",
				ln->x, p->head - 4, ln->x,
				item_y(p, end) + PIC_ROW / 2);
		for (size_t r = 0; r <= p->n; r++) {
			const struct dmo__sc_step *s = r < p->n ? &p->st[r] :
								 NULL;
			size_t lo;
			int at;

			if (s && (p->rows[r].role != ROW_LANE ||
				  p->rows[r].lane != l))
				continue;
			if (s && is_op(s, "lock")) {
				if (depth < 64)
					stack[depth++] = r;
				continue;
			}
			if (s && !is_op(s, "unlock"))
				continue;
			/* An unlock closes its lock; the end, all of them. */
			for (int d = depth - 1; d >= 0; d--) {
				const struct dmo__sc_step *k = &p->st[stack[d]];
				int y0, y1, x;

				if (s && k->object != s->object)
					continue;
				lo = stack[d];
				at = s ? v->at[r] : end;
				y0 = item_y(p, v->at[lo]) - 7;
				y1 = item_y(p, at) + 7;
				x = ln->x - 8 - PIC_BAR * d;
				fprintf(out,
					"<rect class=\"bar%s\" x=\"%d\" "
					"y=\"%d\" width=\"4\" height=\"%d\" "
					"fill=\"%s\"><title>",
					s ? "" : " open", x, y0, y1 - y0,
					lock_color(k->text));
				xml_put(out, k->text, 0);
				fputs(s ? " held" : " held to the end",
				      out);
				fputs("</title></rect>\n", out);
				memmove(&stack[d], &stack[d + 1],
					(size_t)(depth - d - 1) *
						sizeof(stack[0]));
				depth--;
				if (s)
					break;
			}
		}
	}
}

/* Right edge of a lane row's highlight box. */
static int box_right(const struct pic *p, size_t r)
{
	const struct lane *l = &p->lanes[p->rows[r].lane];

	return l->x + 16 + text_w(row_chars(&p->st[r]), PIC_FONT);
}

/*
 * The arrow from row @a to row @b, drawn in @view: out of the side of one
 * box that faces the other and into the other's dot, so that it crosses
 * no label of either; within one lane it bows out to the left, over the
 * lock bars; a band is met at its edge, straight below or above the other
 * end.
 */
static void put_join(FILE *out, const struct pic *p, const struct view *v,
		     size_t a, size_t b, const char *color, const char *marker)
{
	const struct row *ra = &p->rows[a], *rb = &p->rows[b];
	int ya = item_y(p, v->at[a]), yb = item_y(p, v->at[b]);
	int xa, xb, la, lb;

	if (ra->role == ROW_BAND && rb->role == ROW_BAND)
		return;
	if (ra->role == ROW_BAND || rb->role == ROW_BAND) {
		const struct row *ro = ra->role == ROW_BAND ? rb : ra;
		int x = p->lanes[ro->lane].x;

		if (ra->role == ROW_BAND)
			ya += yb > ya ? 9 : -9;
		else
			yb += ya > yb ? 9 : -9;
		fprintf(out,
			"<path class=\"join\" stroke=\"%s\" "
			"marker-end=\"url(#%s)\" d=\"M%d %d C%d %d %d %d %d "
			"%d\"/>\n",
			color, marker, x, ya, x - 30, ya, x - 30, yb, x, yb);
		return;
	}
	la = p->lanes[ra->lane].x;
	lb = p->lanes[rb->lane].x;
	if (la == lb) {
		xa = la;
		xb = lb;
		fprintf(out,
			"<path class=\"join\" stroke=\"%s\" "
			"marker-end=\"url(#%s)\" d=\"M%d %d C%d %d %d %d %d "
			"%d\"/>\n",
			color, marker, xa - 6, ya, xa - 36, ya, xb - 36, yb,
			xb - 6, yb);
		return;
	}
	if (la < lb) {
		xa = box_right(p, a);
		xb = lb - 8;
	} else {
		xa = la - 8;
		xb = box_right(p, b);
	}
	fprintf(out,
		"<path class=\"join\" stroke=\"%s\" marker-end=\"url(#%s)\" "
		"d=\"M%d %d C%d %d %d %d %d %d\"/>\n",
		color, marker, xa, ya, (xa + xb) / 2, ya, (xa + xb) / 2, yb, xb,
		yb);
}

static void put_joins(FILE *out, const struct pic *p, const struct view *v,
		      const char *id)
{
	for (size_t f = 0; f < p->nfeat && f < PIC_MAX_FEAT; f++) {
		char marker[64];
		long prev = -1;

		snprintf(marker, sizeof(marker), "%s-a%zu", id, f);
		for (size_t r = 0; r < p->n; r++) {
			if (!(p->rows[r].hl & UINT64_C(1) << f) ||
			    p->rows[r].role == ROW_HIDDEN || v->at[r] < 0)
				continue;
			if (prev >= 0 && v->at[prev] != v->at[r])
				put_join(out, p, v, (size_t)prev, r,
					 p->feat[f].color, marker);
			prev = (long)r;
		}
	}
}

static void put_hl_attr(FILE *out, uint64_t hl)
{
	const char *sep = "";

	fputs(" data-viol=\"", out);
	for (int f = 0; f < PIC_MAX_FEAT; f++) {
		if (hl & UINT64_C(1) << f) {
			fprintf(out, "%s%d", sep, f);
			sep = " ";
		}
	}
	fputc('"', out);
}

static const char *hl_color(const struct pic *p, uint64_t hl)
{
	for (size_t f = 0; f < p->nfeat && f < PIC_MAX_FEAT; f++)
		if (hl & UINT64_C(1) << f)
			return p->feat[f].color;
	return "#888";
}

static void put_row(FILE *out, const struct pic *p, const struct view *v,
		    size_t r)
{
	const struct dmo__sc_step *s = &p->st[r];
	const struct row *w = &p->rows[r];
	int y = item_y(p, v->at[r]);
	const char *cls = w->hl ? "step hl" : w->viol ? "step viol" : "step";

	fprintf(out, "<g class=\"%s\" data-step=\"%d\" data-thread=\"", cls,
		s->index);
	xml_put(out, s->thread_name, 0);
	fprintf(out, "\" data-op=\"%s\" data-fn=\"", s->op);
	xml_put(out, s->fn, 0);
	fputc('"', out);
	if (w->hl)
		put_hl_attr(out, w->hl);
	fputs(">\n<title>", out);
	xml_put(out, s->text, 0);
	fputs(" (", out);
	xml_put(out, s->fn, 0);
	fputs(")</title>\n", out);
	fprintf(out, "<text class=\"idx\" x=\"%d\" y=\"%d\">%d</text>\n",
		PIC_GUTTER - 8, y + 4, s->index);
	if (w->role == ROW_BAND) {
		int x0 = PIC_GUTTER, x1 = p->width - 8;
		size_t max = (size_t)(x1 - x0 - 20) * 1000 / (PIC_FONT * 602);

		fprintf(out,
			"<rect class=\"band\" x=\"%d\" y=\"%d\" width=\"%d\" "
			"height=\"%d\" rx=\"3\" stroke=\"%s\"/>\n",
			x0, y - 9, x1 - x0, 18,
			w->hl ? hl_color(p, w->hl) : "#d9a0a0");
		fprintf(out, "<text class=\"act%s\" x=\"%d\" y=\"%d\">",
			w->hl ? "" : " muted", x0 + 10, y + 4);
		label_put(out, s, max > 24 ? max - 22 : max);
		fputs(" (check between steps)</text>\n</g>\n", out);
		return;
	}
	{
		const struct lane *l = &p->lanes[w->lane];
		int tx = l->x + 10;
		int lw = text_w(label_len(s), PIC_FONT);

		if (w->hl)
			fprintf(out,
				"<rect class=\"mark\" x=\"%d\" y=\"%d\" "
				"width=\"%d\" height=\"18\" rx=\"3\" "
				"stroke=\"%s\" fill=\"%s\"/>\n",
				l->x - 6, y - 9,
				text_w(row_chars(s), PIC_FONT) + 22,
				hl_color(p, w->hl), hl_color(p, w->hl));
		fprintf(out,
			"<circle cx=\"%d\" cy=\"%d\" r=\"3.5\" fill=\"%s\"/>\n",
			l->x, y,
			w->hl ? hl_color(p, w->hl) :
			(is_op(s, "lock") || is_op(s, "unlock")) ?
				lock_color(s->text) :
				"#888");
		fprintf(out, "<text class=\"act%s\" x=\"%d\" y=\"%d\">",
			w->viol && !w->hl ? " muted" : "", tx, y + 4);
		label_put(out, s, PIC_MAX_ACT);
		fputs("</text>\n", out);
		if (has_fn(s)) {
			fprintf(out, "<text class=\"fn\" x=\"%d\" y=\"%d\">",
				tx + lw + text_w(2, PIC_FONT), y + 4);
			xml_put(out, s->fn, PIC_MAX_FN);
			fputs("</text>\n", out);
		}
	}
	fputs("</g>\n", out);
}

static void put_fold(FILE *out, const struct pic *p, const struct view *v,
		     int it, const char *id)
{
	int y = item_y(p, it);

	fprintf(out,
		"<g class=\"fold\">\n<rect class=\"fold-bg\" x=\"%d\" y=\"%d\" "
		"width=\"%d\" height=\"16\"/>\n",
		PIC_GUTTER, y - 8, p->width - 8 - PIC_GUTTER);
	for (int l = 0; l < p->nlanes; l++) {
		size_t count = 0;

		for (size_t r = 0; r < p->n; r++)
			if (v->at[r] == it && p->rows[r].role == ROW_LANE &&
			    p->rows[r].lane == l)
				count++;
		if (!count)
			continue;
		fprintf(out,
			"<a href=\"#%s\"><text class=\"folded\" x=\"%d\" "
			"y=\"%d\">\xe2\x8b\xaf %zu step%s</text></a>\n",
			id, p->lanes[l].x + 10, y + 4, count,
			count == 1 ? "" : "s");
	}
	fputs("</g>\n", out);
}

static void put_part(FILE *out, const struct pic *p, int it, int part)
{
	int y = item_y(p, it);

	fprintf(out,
		"<line class=\"part\" x1=\"%d\" y1=\"%d\" x2=\"%d\" "
		"y2=\"%d\"/>\n",
		PIC_GUTTER, y, p->width - 8, y);
	fprintf(out,
		"<text class=\"sub\" x=\"%d\" y=\"%d\">execution %d of the "
		"schedule (after its '+')</text>\n",
		PIC_GUTTER + 6, y - 4, part + 1);
}

/* One view: the body, its bars and arrows, then its footer. */
static void put_view(FILE *out, const struct pic *p, const struct view *v,
		     const char *id, bool folded)
{
	int y = item_y(p, (int)v->nr) + 6;
	size_t shown = 0;

	put_bars(out, p, v);
	put_joins(out, p, v, id);
	for (size_t i = 0; i < v->nr; i++) {
		const struct item *it = &v->v[i];

		if (it->kind == IT_ROW)
			put_row(out, p, v, it->row);
		else if (it->kind == IT_FOLD)
			put_fold(out, p, v, (int)i, id);
		else
			put_part(out, p, (int)i, it->part);
	}
	for (size_t r = 0; r < p->n; r++)
		shown += p->rows[r].role != ROW_HIDDEN;
	fprintf(out, "<text class=\"foot\" x=\"12\" y=\"%d\">", y);
	if (folded)
		fprintf(out,
			"\xe2\x8b\xaf rows fold steps that touch none of the "
			"violation's objects: <a href=\"#%s\"><tspan "
			"class=\"link\">show all %zu steps</tspan></a>",
			id, shown);
	else if (p->folds)
		fprintf(out,
			"every step of the threads: <a "
			"href=\"#%s-fold\"><tspan class=\"link\">fold the "
			"steps that touch none of the violation's "
			"objects</tspan></a>",
			id);
	else
		fprintf(out, "every step of the threads (%zu)", shown);
	fputs("</text>\n", out);
	y += 15;
	fprintf(out,
		"<text class=\"foot\" x=\"12\" y=\"%d\">bars beside a lane: "
		"locks held; the set-up by thread 0 (%zu steps) is not "
		"drawn</text>\n",
		y, p->setup);
	y += 15;
	fprintf(out, "<text class=\"foot cmd\" x=\"12\" y=\"%d\">replay: ", y);
	xml_put(out, p->replay, 0);
	fputs("</text>\n", out);
}

static int view_height(const struct pic *p, const struct view *v)
{
	return item_y(p, (int)v->nr) + 6 + 2 * 15 + 12;
}

static void put_style(FILE *out, const char *id, bool folds, int full_h)
{
	fputs("<style>\n"
	      "text{font-family:'DejaVu Sans "
	      "Mono',monospace;font-size:12px;fill:#222}\n"
	      ".title{font-size:13px;font-weight:bold}\n"
	      ".sub,.stmt,.foot,.fn,.folded{font-size:11px}\n"
	      ".sub,.fn,.foot{fill:#666}\n"
	      ".stmt{fill:#333}\n"
	      ".thread{font-size:13px;font-weight:bold}\n"
	      ".idx{font-size:10px;fill:#999;text-anchor:end}\n"
	      ".head{fill:#f4f4f4;stroke:#ccc}\n"
	      ".lane-line{stroke:#bbb;stroke-width:1.5}\n"
	      ".mark{fill-opacity:0.13;stroke-width:1.5}\n"
	      ".hl .act{font-weight:bold}\n"
	      ".muted{fill:#a04040}\n"
	      ".band{fill:#fdf0f0;stroke-width:1.5}\n"
	      ".join{fill:none;stroke-width:2;"
	      "stroke-dasharray:6 3;stroke-opacity:0.8}\n"
	      ".bar{fill-opacity:0.75}\n"
	      ".bar.open{fill-opacity:0.4}\n"
	      ".fold-bg{fill:#f6f6f6}\n"
	      ".folded{fill:#777;font-style:italic}\n"
	      ".part{stroke:#999;stroke-dasharray:2 3}\n"
	      ".link{fill:#1565c0;text-decoration:underline}\n",
	      out);
	/*
	 * The picture itself is the target that shows every step, so that
	 * following the link scrolls to its top and it can grow to the full
	 * view's height; any other target folds again.
	 */
	if (folds) {
		fprintf(out, "#%s-all{display:none}\n", id);
		fprintf(out, "#%s:target #%s-all{display:inline}\n", id, id);
		fprintf(out, "#%s:target #%s-fold{display:none}\n", id, id);
		fprintf(out, "#%s:target{height:%dpx}\n", id, full_h);
	}
	fputs("</style>\n", out);
}

static void put_markers(FILE *out, const struct pic *p, const char *id)
{
	fputs("<defs>\n", out);
	for (size_t f = 0; f < p->nfeat && f < PIC_MAX_FEAT; f++)
		fprintf(out,
			"<marker id=\"%s-a%zu\" viewBox=\"0 0 10 10\" "
			"refX=\"9\" refY=\"5\" markerWidth=\"7\" "
			"markerHeight=\"7\" orient=\"auto\"><path d=\"M0 0 L10 "
			"5 L0 10 z\" fill=\"%s\"/></marker>\n",
			id, f, p->feat[f].color);
	fputs("</defs>\n", out);
}

static void pic_free(struct pic *p)
{
	free(p->rows);
	free(p->lanes);
	free(p->feat);
	free(p->names);
	free(p->objs);
	free(p->devs);
	for (size_t i = 0; i < p->ntitle; i++)
		free(p->title[i]);
	free(p->title);
	free(p->title_feat);
	free(p->replay);
}

/**
 * dmo__sc_svg() - draw one replayed execution as an SVG picture
 * @out: the stream
 * @in: the scenario, the steps and the violations to feature
 *
 * Writes one <svg> element (an XML document of its own when
 * @in->standalone); element ids start with @in->id, so that several
 * pictures can share an HTML page.
 *
 * Return: 0 or -ENOMEM.
 * Context: any.
 */
int dmo__sc_svg(FILE *out, const struct dmo__sc_pic *in)
{
	struct view all = { 0 }, fold = { 0 };
	const char *id = in->id ? in->id : "dmaown";
	struct pic p = {
		.in = in,
		.st = in->steps->v,
		.n = in->steps->nr,
	};
	int err = -ENOMEM, h_all, h_fold;

	p.rows = calloc(p.n + 1, sizeof(*p.rows));
	p.feat = calloc(in->nr_viols + 1, sizeof(*p.feat));
	if (!p.rows || !p.feat)
		goto out;
	p.nfeat = in->nr_viols;
	for (size_t f = 0; f < p.nfeat; f++)
		p.feat[f].v = in->viols[f];
	name_all(&p);
	err = make_lanes(&p);
	if (err)
		goto out;
	classify(&p);
	measure_lanes(&p);
	err = make_replay(&p);
	if (!err)
		err = measure_head(&p);
	if (!err)
		err = build_view(&p, &all, false);
	if (!err && p.folds)
		err = build_view(&p, &fold, true);
	if (!err)
		err = p.err;
	if (err)
		goto out;
	h_all = view_height(&p, &all);
	h_fold = p.folds ? view_height(&p, &fold) : h_all;
	if (in->standalone)
		fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fprintf(out,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"%s\" "
		"class=\"dmaown-picture\" width=\"%d\" height=\"%d\" "
		"data-scenario=\"",
		id, p.width, h_fold);
	xml_put(out, in->sc->name, 0);
	fprintf(out, "\" data-policy=\"%s\" data-schedule=\"",
		dmo_policy_name(in->policy));
	xml_put(out, in->schedule, 0);
	fputs("\">\n<title>", out);
	for (size_t f = 0; f < p.nfeat; f++) {
		fprintf(out, "%s%s: ", f ? "; " : "",
			dmo_viol_kind_name(p.feat[f].v->kind));
		xml_put(out, p.feat[f].v->message, 0);
	}
	if (!p.nfeat)
		xml_put(out, in->sc->name, 0);
	fputs("</title>\n", out);
	put_style(out, id, p.folds, h_all);
	put_markers(out, &p, id);
	fprintf(out,
		"<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" "
		"fill=\"#fff\"/>\n",
		p.width, h_all > h_fold ? h_all : h_fold);
	put_title(out, &p);
	put_lane_heads(out, &p);
	fprintf(out, "<g id=\"%s-all\" class=\"view%s\">\n", id,
		p.folds ? " full" : "");
	put_view(out, &p, &all, id, false);
	fputs("</g>\n", out);
	if (p.folds) {
		fprintf(out, "<g id=\"%s-fold\" class=\"view compact\">\n", id);
		put_view(out, &p, &fold, id, true);
		fputs("</g>\n", out);
	}
	fputs("</svg>\n", out);
	err = ferror(out) ? -EIO : 0;
out:
	free(all.v);
	free(all.at);
	free(fold.v);
	free(fold.at);
	pic_free(&p);
	return err;
}
