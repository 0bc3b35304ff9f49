// SPDX-License-Identifier: MIT
/*
 * dmaown merge: the shards of a check --shard run, back together.
 *
 * Every line a shard writes is one JSON object: the report of one
 * exploration (or, for a file that does not parse, its message alone),
 * with the members that place it: "run" (the identity of the run, the
 * same in every shard of it), "shard" ("I/N"), "index" (its place in the
 * run, from 0), "total" (the run's explorations) and "status" (the exit
 * status it alone gives), and "stderr" when it printed a message.  So the
 * set proves its own completeness: merge takes it only when every index of
 * 0..total-1 is there exactly once, all of one run, and then prints what
 * the unsharded run prints with --quiet (or with --json), its messages in
 * their places on standard error, the verdict table, and the run's exit
 * status.
 *
 * The JSON reader is small and strict (RFC 8259, a depth limit, no NUL in
 * a string): it reads what the shards write and refuses the rest with
 * FILE:LINE:COL.  Numbers are kept as the text they were written in, so a
 * summary line made from a report is the one check prints.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dmaown.h"

#include "cli.h"

/* The most explorations one run may have for merge. */
#define MAX_TOTAL 10000000ul
/* How deep a JSON value may nest. */
#define MAX_DEPTH 32

enum jtype { J_NULL, J_FALSE, J_TRUE, J_NUM, J_STR, J_ARR, J_OBJ };

struct jval {
	enum jtype type;
	char *s;		/* J_STR: its characters; J_NUM: its text */
	size_t len;		/* of s */
	size_t n;		/* J_ARR, J_OBJ: elements */
	struct jval *v;
	char **keys;		/* J_OBJ: the name of each member */
};

static void jfree(struct jval *j)
{
	for (size_t i = 0; i < j->n; i++) {
		jfree(&j->v[i]);
		if (j->keys)
			free(j->keys[i]);
	}
	free(j->v);
	free(j->keys);
	free(j->s);
	memset(j, 0, sizeof(*j));
}

/* Reading one line. */

struct reader {
	const char *start;
	const char *p;
	const char *end;
	int depth;
	const char *why;	/* what went wrong, at p */
};

static void skip_ws(struct reader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' ||
				 *r->p == '\r' || *r->p == '\n'))
		r->p++;
}

static int fail(struct reader *r, const char *why)
{
	if (!r->why)
		r->why = why;
	return -EINVAL;
}

static bool lit(struct reader *r, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
		return false;
	r->p += n;
	return true;
}

static int hex4(struct reader *r, unsigned int *out)
{
	unsigned int v = 0;

	if (r->end - r->p < 4)
		return fail(r, "a \\u escape needs four hexadecimal digits");
	for (int i = 0; i < 4; i++) {
		char c = *r->p++;

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned int)(c - 'A' + 10);
		else
			return fail(r, "a \\u escape needs four hexadecimal "
				    "digits");
	}
	*out = v;
	return 0;
}

static void put_utf8(char *b, size_t *n, unsigned int c)
{
	if (c < 0x80) {
		b[(*n)++] = (char)c;
	} else if (c < 0x800) {
		b[(*n)++] = (char)(0xc0 | c >> 6);
		b[(*n)++] = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		b[(*n)++] = (char)(0xe0 | c >> 12);
		b[(*n)++] = (char)(0x80 | (c >> 6 & 0x3f));
		b[(*n)++] = (char)(0x80 | (c & 0x3f));
	} else {
		b[(*n)++] = (char)(0xf0 | c >> 18);
		b[(*n)++] = (char)(0x80 | (c >> 12 & 0x3f));
		b[(*n)++] = (char)(0x80 | (c >> 6 & 0x3f));
		b[(*n)++] = (char)(0x80 | (c & 0x3f));
	}
}

/* A string, the opening quote at r->p; its characters, NUL-terminated. */
static int read_string(struct reader *r, char **out, size_t *len)
{
	/* Escapes never take more room than they hold: \uXXXX is 6 for 3. */
	char *b = malloc((size_t)(r->end - r->p) + 1);
	size_t n = 0;

	if (!b)
		return fail(r, "out of memory");
	r->p++;
	for (;;) {
		unsigned char c;

		if (r->p == r->end) {
			free(b);
			return fail(r, "a string that does not end");
		}
		c = (unsigned char)*r->p;
		if (c == '"') {
			r->p++;
			break;
		}
		if (c == '\n' || c == '\r') {
			free(b);
			return fail(r, "a string that does not end");
		}
		if (c < 0x20) {
			free(b);
			return fail(r, "a control character in a string");
		}
		if (c != '\\') {
			b[n++] = (char)c;
			r->p++;
			continue;
		}
		r->p++;
		if (r->p == r->end) {
			free(b);
			return fail(r, "a string that does not end");
		}
		c = (unsigned char)*r->p++;
		switch (c) {
		case '"':
		case '\\':
		case '/':
			b[n++] = (char)c;
			break;
		case 'b':
			b[n++] = '\b';
			break;
		case 'f':
			b[n++] = '\f';
			break;
		case 'n':
			b[n++] = '\n';
			break;
		case 'r':
			b[n++] = '\r';
			break;
		case 't':
			b[n++] = '\t';
			break;
		case 'u': {
			unsigned int u, lo;

			if (hex4(r, &u))
				goto bad;
			if (u >= 0xdc00 && u <= 0xdfff)
				goto bad_surrogate;
			if (u >= 0xd800 && u <= 0xdbff) {
				if (!lit(r, "\\u") || hex4(r, &lo) ||
				    lo < 0xdc00 || lo > 0xdfff)
					goto bad_surrogate;
				u = 0x10000 + ((u - 0xd800) << 10) +
				    (lo - 0xdc00);
			}
			if (u == 0) {
				free(b);
				return fail(r, "a NUL character in a string");
			}
			put_utf8(b, &n, u);
			break;
		}
		default:
			r->p--;
			free(b);
			return fail(r, "an unknown escape in a string");
		}
	}
	b[n] = '\0';
	*out = b;
	*len = n;
	return 0;
bad_surrogate:
	free(b);
	return fail(r, "a \\u escape that is half a surrogate pair");
bad:
	free(b);
	return -EINVAL;
}

static bool digit(const struct reader *r)
{
	return r->p < r->end && *r->p >= '0' && *r->p <= '9';
}

static int read_number(struct reader *r, struct jval *v)
{
	const char *s = r->p;

	if (r->p < r->end && *r->p == '-')
		r->p++;
	if (!digit(r))
		return fail(r, "a number needs a digit here");
	if (*r->p == '0')
		r->p++;
	else
		while (digit(r))
			r->p++;
	if (r->p < r->end && *r->p == '.') {
		r->p++;
		if (!digit(r))
			return fail(r, "a number needs a digit after '.'");
		while (digit(r))
			r->p++;
	}
	if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
		r->p++;
		if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
			r->p++;
		if (!digit(r))
			return fail(r, "a number needs a digit in its "
				    "exponent");
		while (digit(r))
			r->p++;
	}
	v->type = J_NUM;
	v->len = (size_t)(r->p - s);
	v->s = malloc(v->len + 1);
	if (!v->s)
		return fail(r, "out of memory");
	memcpy(v->s, s, v->len);
	v->s[v->len] = '\0';
	return 0;
}

static int read_value(struct reader *r, struct jval *v);

/* Appends an element (and, for an object, its name) to @v. */
static struct jval *grow(struct jval *v, char *key)
{
	struct jval *nv = realloc(v->v, (v->n + 1) * sizeof(*nv));

	if (!nv)
		return NULL;
	v->v = nv;
	if (v->type == J_OBJ) {
		char **nk = realloc(v->keys, (v->n + 1) * sizeof(*nk));

		if (!nk)
			return NULL;
		v->keys = nk;
		v->keys[v->n] = key;
	}
	memset(&v->v[v->n], 0, sizeof(v->v[v->n]));
	return &v->v[v->n++];
}

static int read_members(struct reader *r, struct jval *v, char close)
{
	r->p++;
	skip_ws(r);
	if (r->p < r->end && *r->p == close) {
		r->p++;
		return 0;
	}
	for (;;) {
		char *key = NULL;
		size_t klen;
		struct jval *e;

		skip_ws(r);
		if (close == '}') {
			if (r->p == r->end || *r->p != '"')
				return fail(r, "a member name (a string) "
					    "belongs here");
			if (read_string(r, &key, &klen))
				return -EINVAL;
			for (size_t i = 0; i < v->n; i++) {
				if (strcmp(v->keys[i], key) == 0) {
					free(key);
					return fail(r, "a member given "
						    "twice");
				}
			}
			skip_ws(r);
			if (r->p == r->end || *r->p != ':') {
				free(key);
				return fail(r, "':' belongs after a member "
					    "name");
			}
			r->p++;
		}
		e = grow(v, key);
		if (!e) {
			free(key);
			return fail(r, "out of memory");
		}
		if (read_value(r, e))
			return -EINVAL;
		skip_ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == close) {
			r->p++;
			return 0;
		}
		return fail(r, close == '}' ? "',' or '}' belongs here" :
					      "',' or ']' belongs here");
	}
}

static int read_value(struct reader *r, struct jval *v)
{
	int err;

	skip_ws(r);
	if (r->p == r->end)
		return fail(r, "a value belongs here");
	switch (*r->p) {
	case '{':
	case '[':
		if (++r->depth > MAX_DEPTH)
			return fail(r, "nested too deep");
		v->type = *r->p == '{' ? J_OBJ : J_ARR;
		err = read_members(r, v, *r->p == '{' ? '}' : ']');
		r->depth--;
		return err;
	case '"':
		v->type = J_STR;
		return read_string(r, &v->s, &v->len);
	case 't':
		v->type = J_TRUE;
		return lit(r, "true") ? 0 : fail(r, "not a JSON value");
	case 'f':
		v->type = J_FALSE;
		return lit(r, "false") ? 0 : fail(r, "not a JSON value");
	case 'n':
		v->type = J_NULL;
		return lit(r, "null") ? 0 : fail(r, "not a JSON value");
	default:
		if (*r->p == '-' || (*r->p >= '0' && *r->p <= '9'))
			return read_number(r, v);
		return fail(r, "not a JSON value");
	}
}

/* The records of a run. */

struct record {
	const char *file;
	size_t line;
	struct jval obj;
	char run[17];
	unsigned long shard;
	unsigned long shards;
	unsigned long index;
	unsigned long total;
	int status;
	const char *err;	/* "stderr", or NULL */
	bool report;		/* it holds a report ("test") */
};

/* The members merge itself reads, which --json leaves out. */
static const char *const placing[] = {
	"run", "shard", "index", "total", "status", "stderr", NULL,
};

static const struct jval *member(const struct jval *o, const char *name)
{
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->keys[i], name) == 0)
			return &o->v[i];
	return NULL;
}

static bool is_placing(const char *key)
{
	for (int i = 0; placing[i]; i++)
		if (strcmp(placing[i], key) == 0)
			return true;
	return false;
}

/* A message about line @rec, "FILE:LINE: error: ...". */
static int line_error(const struct record *rec, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int line_error(const struct record *rec, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%zu: error: ", rec->file, rec->line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

/* A non-negative integer written in digits only, up to @max. */
static bool count_of(const struct jval *v, unsigned long max,
		     unsigned long *out)
{
	unsigned long n = 0;

	if (!v || v->type != J_NUM || v->len == 0 || v->len > 12)
		return false;
	for (size_t i = 0; i < v->len; i++) {
		if (v->s[i] < '0' || v->s[i] > '9')
			return false;
		n = n * 10 + (unsigned long)(v->s[i] - '0');
	}
	if (n > max)
		return false;
	*out = n;
	return true;
}

static bool is_str(const struct jval *v)
{
	return v && v->type == J_STR;
}

static bool str_or_null(const struct jval *v)
{
	return v && (v->type == J_STR || v->type == J_NULL);
}

static bool one_of(const struct jval *v, const char *const *words)
{
	if (!is_str(v))
		return false;
	for (; *words; words++)
		if (strcmp(v->s, *words) == 0)
			return true;
	return false;
}

/* The members a summary line is made of, each of its type. */
static int check_report(const struct record *rec)
{
	static const char *const results[] = {
		"ok", "violation", "incomplete", NULL,
	};
	static const char *const judged[] = {
		"PASS", "FAIL", "INCOMPLETE", NULL,
	};
	static const char *const verdicts[] = {
		"HELD", "FAIL", "UNJUDGED", NULL,
	};
	const struct jval *o = &rec->obj, *v;
	unsigned long n;

	if (!one_of(member(o, "result"), results))
		return line_error(rec, "\"result\" is none of \"ok\", "
				  "\"violation\", \"incomplete\"");
	if (!is_str(member(o, "test")) || !is_str(member(o, "policy")))
		return line_error(rec, "\"test\" and \"policy\" must be "
				  "strings");
	v = member(o, "kernel");
	if (v && !is_str(v))
		return line_error(rec, "\"kernel\" must be a string");
	if (!count_of(member(o, "executions"), ULONG_MAX / 20, &n) ||
	    !count_of(member(o, "states"), ULONG_MAX / 20, &n) ||
	    !count_of(member(o, "cut"), ULONG_MAX / 20, &n))
		return line_error(rec, "\"executions\", \"states\" and "
				  "\"cut\" must be counts");
	if (!str_or_null(member(o, "observation")) ||
	    !str_or_null(member(o, "stopped")))
		return line_error(rec, "\"observation\" and \"stopped\" must "
				  "be strings or null");
	v = member(o, "violations");
	if (!v || v->type != J_ARR)
		return line_error(rec, "\"violations\" must be an array");
	for (size_t i = 0; i < v->n; i++) {
		const struct jval *k = v->v[i].type == J_OBJ ?
				       member(&v->v[i], "kind") : NULL;

		if (!is_str(k) || dmo_viol_kind_parse(k->s) < 0)
			return line_error(rec, "violation %zu has no known "
					  "\"kind\"", i + 1);
	}
	v = member(o, "expect");
	if (!v || (v->type != J_NULL && !one_of(v, judged)))
		return line_error(rec, "\"expect\" is none of null, \"PASS\", "
				  "\"FAIL\", \"INCOMPLETE\"");
	v = member(o, "expectations");
	if (!v || v->type != J_ARR)
		return line_error(rec, "\"expectations\" must be an array");
	for (size_t i = 0; i < v->n; i++)
		if (v->v[i].type != J_OBJ ||
		    !one_of(member(&v->v[i], "verdict"), verdicts))
			return line_error(rec, "expectation %zu has no "
					  "\"verdict\" of \"HELD\", \"FAIL\", "
					  "\"UNJUDGED\"", i + 1);
	v = member(o, "time");
	if (!v || v->type != J_NUM)
		return line_error(rec, "\"time\" must be a number");
	return 0;
}

/* The members that place a record in its run. */
static int check_record(struct record *rec)
{
	const struct jval *o = &rec->obj, *v;
	const char *slash;

	if (o->type != J_OBJ)
		return line_error(rec, "not a JSON object");
	v = member(o, "run");
	if (!is_str(v) || v->len != 16 ||
	    strspn(v->s, "0123456789abcdef") != 16)
		return line_error(rec, "no \"run\" of 16 hexadecimal digits "
				  "(is this the output of check --shard?)");
	memcpy(rec->run, v->s, 17);
	v = member(o, "shard");
	slash = is_str(v) ? strchr(v->s, '/') : NULL;
	if (!slash || strspn(v->s, "0123456789/") != v->len ||
	    strchr(slash + 1, '/') || slash == v->s || !slash[1] ||
	    (size_t)(slash - v->s) > 7 || strlen(slash + 1) > 7)
		return line_error(rec, "no \"shard\" of the form \"I/N\"");
	rec->shard = strtoul(v->s, NULL, 10);
	rec->shards = strtoul(slash + 1, NULL, 10);
	if (rec->shard < 1 || rec->shard > rec->shards)
		return line_error(rec, "shard \"%s\" is not one of 1 to N",
				  v->s);
	if (!count_of(member(o, "total"), MAX_TOTAL, &rec->total) ||
	    rec->total == 0)
		return line_error(rec, "no \"total\" of 1 to %lu explorations",
				  MAX_TOTAL);
	if (!count_of(member(o, "index"), rec->total - 1, &rec->index))
		return line_error(rec, "no \"index\" of 0 to %lu",
				  rec->total - 1);
	if (rec->index % rec->shards + 1 != rec->shard)
		return line_error(rec, "exploration %lu belongs to shard "
				  "%lu/%lu, not to %lu/%lu", rec->index,
				  rec->index % rec->shards + 1, rec->shards,
				  rec->shard, rec->shards);
	{
		unsigned long st;

		if (!count_of(member(o, "status"), 3, &st))
			return line_error(rec, "no \"status\" of 0 to 3");
		rec->status = (int)st;
	}
	v = member(o, "stderr");
	if (v && !is_str(v))
		return line_error(rec, "\"stderr\" must be a string");
	rec->err = v ? v->s : NULL;
	rec->report = member(o, "test") != NULL;
	return rec->report ? check_report(rec) : 0;
}

/* Reads every record of @path into @recs; 0, or 2 with a message. */
struct records {
	struct record *v;
	size_t nr;
	size_t cap;
};

static int read_file(const char *path, struct records *recs)
{
	bool std = strcmp(path, "-") == 0;
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	FILE *f;
	int ret = 0;

	if (!std && dmo__cli_not_regular(path)) {
		fprintf(stderr, "%s: error: not a regular file (%s)\n", path,
			dmo__cli_not_regular(path));
		return EXIT_USAGE;
	}
	f = std ? stdin : fopen(path, "r");
	if (!f) {
		fprintf(stderr, "%s: error: %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		struct reader r = { .start = line, .p = line, .end = line + n };
		struct record *rec;

		lineno++;
		skip_ws(&r);
		if (r.p == r.end)
			continue;	/* a blank line */
		if (memchr(line, '\0', (size_t)n)) {
			fprintf(stderr, "%s:%zu: error: a NUL byte\n", path,
				lineno);
			ret = EXIT_USAGE;
			break;
		}
		if (recs->nr == recs->cap) {
			size_t c = recs->cap ? recs->cap * 2 : 64;
			struct record *nv = realloc(recs->v, c * sizeof(*nv));

			if (!nv) {
				fputs("dmaown: error: out of memory\n", stderr);
				ret = EXIT_USAGE;
				break;
			}
			recs->v = nv;
			recs->cap = c;
		}
		rec = &recs->v[recs->nr++];
		memset(rec, 0, sizeof(*rec));
		rec->file = path;
		rec->line = lineno;
		if (read_value(&r, &rec->obj) == 0) {
			skip_ws(&r);
			if (r.p != r.end)
				fail(&r, "more after the JSON value");
		}
		if (r.why) {
			fprintf(stderr, "%s:%zu:%zu: error: %s\n", path, lineno,
				(size_t)(r.p - line) + 1, r.why);
			ret = EXIT_USAGE;
			break;
		}
		ret = check_record(rec);
		if (ret)
			break;
	}
	if (!ret && ferror(f)) {
		fprintf(stderr, "%s: error: %s\n", path, strerror(errno));
		ret = EXIT_USAGE;
	}
	free(line);
	if (!std)
		fclose(f);
	return ret;
}

/* The set: one run, every exploration once. */

static const char *name_of(const struct record *rec, char *buf, size_t len)
{
	const struct jval *t = member(&rec->obj, "test");
	const struct jval *p = member(&rec->obj, "policy");

	if (rec->report)
		snprintf(buf, len, " (%s %s)", t->s, p->s);
	else
		buf[0] = '\0';
	return buf;
}

/* Lists up to 8 numbers of @n, "1, 5, 9 and 3 more". */
static void print_some(const unsigned long *v, size_t n)
{
	for (size_t i = 0; i < n && i < 8; i++)
		fprintf(stderr, "%s%lu", i ? ", " : "", v[i]);
	if (n > 8)
		fprintf(stderr, " and %zu more", n - 8);
}

/* One line per shard with explorations missing; 0 when none is. */
static int report_missing(const struct record *first,
			  struct record *const *slot)
{
	unsigned long n = first->shards, total = first->total;
	unsigned long *miss = malloc(((total + n - 1) / n) * sizeof(*miss));
	int ret = 0;

	if (!miss) {
		fputs("dmaown: error: out of memory\n", stderr);
		return EXIT_USAGE;
	}
	for (unsigned long s = 0; s < n && s < total; s++) {
		const struct record *some = NULL;
		size_t nr = 0, of = 0;

		for (unsigned long k = s; k < total; k += n, of++) {
			if (slot[k])
				some = slot[k];
			else
				miss[nr++] = k;
		}
		if (!nr)
			continue;
		ret = EXIT_USAGE;
		if (!some) {
			fprintf(stderr,
				"dmaown: error: merge: shard %lu/%lu is "
				"missing: no file given holds its %zu "
				"exploration%s (", s + 1, n, of,
				of == 1 ? "" : "s");
			print_some(miss, nr);
			fputs(")\n", stderr);
			continue;
		}
		fprintf(stderr, "dmaown: error: merge: shard %lu/%lu is "
			"incomplete in %s: %zu of its %zu explorations are "
			"missing (", s + 1, n, some->file, nr, of);
		print_some(miss, nr);
		fputs(")\n", stderr);
	}
	free(miss);
	return ret;
}

/* The slot of every record by its index; 2 on a set merge refuses. */
static int place(const struct records *recs, struct record ***out)
{
	const struct record *first = recs->nr ? &recs->v[0] : NULL;
	struct record **slot;
	char name[512];
	int ret;

	if (!first) {
		fputs("dmaown: error: merge: no exploration in the files "
		      "given, nothing to merge\n", stderr);
		return EXIT_USAGE;
	}
	slot = calloc(first->total, sizeof(*slot));
	if (!slot) {
		fputs("dmaown: error: out of memory\n", stderr);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < recs->nr; i++) {
		struct record *rec = &recs->v[i];

		if (strcmp(rec->run, first->run) ||
		    rec->total != first->total ||
		    rec->shards != first->shards) {
			line_error(rec, "a shard of another run (run %s, %lu "
				   "shards, %lu explorations) than %s:%zu "
				   "(run %s, %lu shards, %lu explorations)",
				   rec->run, rec->shards, rec->total,
				   first->file, first->line, first->run,
				   first->shards, first->total);
			free(slot);
			return EXIT_USAGE;
		}
		if (slot[rec->index] && slot[rec->index]->line == rec->line &&
		    strcmp(slot[rec->index]->file, rec->file) == 0) {
			line_error(rec, "exploration %lu%s is doubled: the "
				   "file is given twice", rec->index,
				   name_of(rec, name, sizeof(name)));
			free(slot);
			return EXIT_USAGE;
		}
		if (slot[rec->index]) {
			line_error(rec, "exploration %lu%s is doubled: %s:%zu "
				   "has it too", rec->index,
				   name_of(rec, name, sizeof(name)),
				   slot[rec->index]->file,
				   slot[rec->index]->line);
			free(slot);
			return EXIT_USAGE;
		}
		slot[rec->index] = rec;
	}
	ret = report_missing(first, slot);
	if (ret) {
		free(slot);
		return ret;
	}
	*out = slot;
	return 0;
}

/* What merge prints. */

/* The summary line check --quiet prints for this report. */
static char *summary(const struct record *rec)
{
	const struct jval *o = &rec->obj, *v;
	unsigned int kinds = 0;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (!out)
		return NULL;
	fprintf(out, "%s %s %s", member(o, "result")->s, member(o, "test")->s,
		member(o, "policy")->s);
	v = member(o, "kernel");
	if (v)
		fprintf(out, " kernel=%s", v->s);
	fprintf(out, " executions=%s states=%s", member(o, "executions")->s,
		member(o, "states")->s);
	v = member(o, "cut");
	if (strcmp(v->s, "0") != 0)
		fprintf(out, " cut=%s", v->s);
	/* check --threads: as its summary line says them. */
	v = member(o, "threads");
	if (v && v->type == J_NUM && member(o, "redundant") &&
	    member(o, "redundant")->type == J_NUM)
		fprintf(out, " threads=%s redundant=%s", v->s,
			member(o, "redundant")->s);
	v = member(o, "observation");
	if (v->type == J_STR)
		fprintf(out, " observation=%s", v->s);
	v = member(o, "violations");
	for (size_t i = 0; i < v->n; i++)
		kinds |= 1u << dmo_viol_kind_parse(member(&v->v[i], "kind")->s);
	if (kinds) {
		const char *sep = "";

		fputs(" violation=", out);
		for (int k = 0; k < DMO_VIOL_NR; k++) {
			if (kinds & (1u << k)) {
				fprintf(out, "%s%s", sep,
					dmo_viol_kind_name(k));
				sep = ",";
			}
		}
	}
	v = member(o, "expect");
	if (v->type == J_STR && strcmp(v->s, "INCOMPLETE") == 0) {
		const struct jval *e = member(o, "expectations");
		size_t held = 0, open = 0;

		for (size_t i = 0; i < e->n; i++) {
			const char *w = member(&e->v[i], "verdict")->s;

			held += strcmp(w, "HELD") == 0;
			open += strcmp(w, "UNJUDGED") == 0;
		}
		fprintf(out, " expect=INCOMPLETE:held=%zu,unjudged=%zu", held,
			open);
	} else if (v->type == J_STR) {
		fprintf(out, " expect=%s", v->s);
	}
	v = member(o, "stopped");
	if (v->type == J_STR)
		fprintf(out, " stopped=%s", v->s);
	fprintf(out, " time=%s", member(o, "time")->s);
	if (fclose(out)) {
		free(text);
		return NULL;
	}
	return text;
}

/* A value again, as the reports of libdmaown write it. */
static void print_json(FILE *out, const struct jval *v, bool top)
{
	bool first = true;

	switch (v->type) {
	case J_NULL:
		fputs("null", out);
		return;
	case J_FALSE:
		fputs("false", out);
		return;
	case J_TRUE:
		fputs("true", out);
		return;
	case J_NUM:
		fputs(v->s, out);
		return;
	case J_STR:
		fputc('"', out);
		dmo__json_chars(out, v->s, v->len);
		fputc('"', out);
		return;
	case J_ARR:
		fputc('[', out);
		for (size_t i = 0; i < v->n; i++) {
			if (i)
				fputc(',', out);
			print_json(out, &v->v[i], false);
		}
		fputc(']', out);
		return;
	case J_OBJ:
		fputc('{', out);
		for (size_t i = 0; i < v->n; i++) {
			if (top && is_placing(v->keys[i]))
				continue;
			if (!first)
				fputc(',', out);
			first = false;
			fputc('"', out);
			dmo__json_chars(out, v->keys[i], strlen(v->keys[i]));
			fputs("\":", out);
			print_json(out, &v->v[i], false);
		}
		fputc('}', out);
		return;
	}
}

/* The verdict table, as scripts/verdict-table makes it. */
struct table {
	char **tests;
	size_t nr_tests;
	char **pols;
	size_t nr_pols;
	struct cell {
		size_t test;
		size_t pol;
		char *text;
	} *cells;
	size_t nr_cells;
};

/* The index of @w in @v, added when new; SIZE_MAX when out of memory. */
static size_t intern(char ***v, size_t *nr, const char *w)
{
	char **nv;

	for (size_t i = 0; i < *nr; i++)
		if (strcmp((*v)[i], w) == 0)
			return i;
	nv = realloc(*v, (*nr + 1) * sizeof(*nv));
	if (!nv)
		return SIZE_MAX;
	*v = nv;
	nv[*nr] = strdup(w);
	if (!nv[*nr])
		return SIZE_MAX;
	return (*nr)++;
}

/*
 * The script reads the words of each summary line: the test is the
 * second, the policy the third, and the cell the result, or the kinds of
 * the last violation= word with ", " between them, or "incomplete".
 */
static int table_add(struct table *t, char *line)
{
	char *words[64], *save = NULL, *cell, *kinds = NULL;
	size_t nw = 0, ti, pi;
	struct cell *nc;

	for (char *w = strtok_r(line, " \t", &save); w && nw < 64;
	     w = strtok_r(NULL, " \t", &save))
		words[nw++] = w;
	if (nw < 3)
		return 0;
	for (size_t i = 3; i < nw; i++)
		if (strncmp(words[i], "violation=", 10) == 0)
			kinds = words[i] + 10;
	if (strcmp(words[0], "incomplete") == 0)
		kinds = NULL;
	cell = malloc(kinds ? 2 * strlen(kinds) + 1 : strlen(words[0]) + 1);
	if (!cell)
		return -ENOMEM;
	if (kinds) {
		char *c = cell;

		for (const char *k = kinds; *k; k++) {
			*c++ = *k;
			if (*k == ',')
				*c++ = ' ';
		}
		*c = '\0';
	} else {
		strcpy(cell, words[0]);
	}
	ti = intern(&t->tests, &t->nr_tests, words[1]);
	pi = intern(&t->pols, &t->nr_pols, words[2]);
	nc = realloc(t->cells, (t->nr_cells + 1) * sizeof(*nc));
	if (ti == SIZE_MAX || pi == SIZE_MAX || !nc) {
		free(cell);
		if (nc)
			t->cells = nc;
		return -ENOMEM;
	}
	t->cells = nc;
	nc[t->nr_cells++] = (struct cell){ ti, pi, cell };
	return 0;
}

static int table_print(const struct table *t)
{
	const char **grid = calloc(t->nr_tests * t->nr_pols + 1,
				   sizeof(*grid));

	if (!grid)
		return -ENOMEM;
	/* A later line for the same test and policy wins, as in awk. */
	for (size_t i = 0; i < t->nr_cells; i++)
		grid[t->cells[i].test * t->nr_pols + t->cells[i].pol] =
			t->cells[i].text;
	fputs("| scenario |", stdout);
	for (size_t j = 0; j < t->nr_pols; j++)
		printf(" %s |", t->pols[j]);
	fputs("\n|---|", stdout);
	for (size_t j = 0; j < t->nr_pols; j++)
		fputs("---|", stdout);
	fputc('\n', stdout);
	for (size_t i = 0; i < t->nr_tests; i++) {
		printf("| %s |", t->tests[i]);
		for (size_t j = 0; j < t->nr_pols; j++) {
			const char *c = grid[i * t->nr_pols + j];

			printf(" %s |", c ? c : "n/a");
		}
		fputc('\n', stdout);
	}
	free(grid);
	return 0;
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->nr_tests; i++)
		free(t->tests[i]);
	for (size_t i = 0; i < t->nr_pols; i++)
		free(t->pols[i]);
	for (size_t i = 0; i < t->nr_cells; i++)
		free(t->cells[i].text);
	free(t->tests);
	free(t->pols);
	free(t->cells);
}

/* Prints the run, exploration by exploration; its exit status, or 2. */
static int print_run(struct record *const *slot, size_t total, bool json)
{
	struct table t = { 0 };
	int worst = EXIT_PASS, err = 0;

	for (size_t k = 0; k < total && !err; k++) {
		const struct record *rec = slot[k];
		char *line;

		worst = dmo__status_worse(worst, rec->status);
		if (rec->err) {
			fflush(stdout);
			fputs(rec->err, stderr);
		}
		if (!rec->report)
			continue;
		if (json) {
			print_json(stdout, &rec->obj, true);
			fputc('\n', stdout);
			continue;
		}
		line = summary(rec);
		if (!line) {
			err = -ENOMEM;
			break;
		}
		fputs(line, stdout);
		fputc('\n', stdout);
		err = table_add(&t, line);
		free(line);
	}
	if (!json && !err) {
		fputc('\n', stdout);
		err = table_print(&t);
	}
	table_free(&t);
	fflush(stdout);
	if (err) {
		fputs("dmaown: error: out of memory\n", stderr);
		return EXIT_USAGE;
	}
	return worst;
}

int dmo__merge(char *const *files, size_t nr, bool json)
{
	struct records recs = { 0 };
	struct record **slot = NULL;
	int ret = 0;

	for (size_t i = 0; i < nr && !ret; i++)
		ret = read_file(files[i], &recs);
	if (!ret)
		ret = place(&recs, &slot);
	if (!ret)
		ret = print_run(slot, recs.v[0].total, json);
	free(slot);
	for (size_t i = 0; i < recs.nr; i++)
		jfree(&recs.v[i].obj);
	free(recs.v);
	return ret;
}
