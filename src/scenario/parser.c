// SPDX-License-Identifier: MIT
/*
 * The parser of .own files (SCENARIO.md, dmaown-scenario(5)).
 *
 * A scenario is untrusted input: it may come from anyone, and the fuzz
 * harness feeds this file arbitrary bytes.  So the parser holds to three
 * rules.  Every byte is accounted for: each token of each line is either
 * consumed by the rule the line's first word selects or reported, so no
 * misspelt option is silently ignored.  Every name is resolved here, once,
 * to an index: the runner and the explorer never meet an unknown name or a
 * dangling reference, and a mistake is reported where it was written,
 * FILE:LINE:COL, rather than as a wrong verdict later.  Every count is
 * bounded (scenario.h), so that no input makes the parser, or the
 * exploration behind it, allocate or recurse without limit.
 *
 * The file has a fixed order: an optional `test` line first, with an
 * optional description right after it; declarations; threads; then the
 * final condition and the expectations, in any order.  The parser walks
 * it as a small state machine over lines (enum phase).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scenario/scenario.h"

static const char *const op_names[DMO_OP_NR] = {
	[DMO_OP_BIND] = "bind",
	[DMO_OP_UNBIND] = "unbind",
	[DMO_OP_ATTACH] = "attach",
	[DMO_OP_HOTPLUG] = "hotplug",
	[DMO_OP_UNPLUG] = "unplug",
	[DMO_OP_LOAD] = "load",
	[DMO_OP_UNLOAD] = "unload",
	[DMO_OP_CLAIM] = "claim",
	[DMO_OP_RELEASE] = "release",
	[DMO_OP_CLAIM_DEV] = "claim_dev",
	[DMO_OP_RELEASE_DEV] = "release_dev",
	[DMO_OP_OWNED] = "owned",
	[DMO_OP_VFIO_OPEN] = "vfio_open",
	[DMO_OP_VFIO_CLOSE] = "vfio_close",
	[DMO_OP_IOMMUFD_BIND] = "iommufd_bind",
	[DMO_OP_IOMMUFD_UNBIND] = "iommufd_unbind",
	[DMO_OP_OVERRIDE] = "override",
	[DMO_OP_SYSFS_BIND] = "sysfs_bind",
	[DMO_OP_PROBE] = "probe",
	[DMO_OP_IOMMU_PROBE] = "iommu_probe",
	[DMO_OP_ATTACH_DOMAIN] = "attach_domain",
	[DMO_OP_DETACH_DOMAIN] = "detach_domain",
	[DMO_OP_VFIO_STATUS] = "vfio_status",
	[DMO_OP_VFIO_DEVICE_OPEN] = "vfio_device_open",
	[DMO_OP_VFIO_DEVICE_CLOSE] = "vfio_device_close",
};

/* What each operation takes, in order. */
enum arg_kind {
	ARG_NONE,
	ARG_DEV,
	ARG_DRV,
	ARG_GROUP,
	ARG_OWNER,
	ARG_OVERRIDE,	/* optional: a driver, or none */
};

static const enum arg_kind op_args[DMO_OP_NR][2] = {
	[DMO_OP_BIND] = { ARG_DEV, ARG_DRV },
	[DMO_OP_UNBIND] = { ARG_DEV, ARG_NONE },
	[DMO_OP_ATTACH] = { ARG_DEV, ARG_NONE },
	[DMO_OP_HOTPLUG] = { ARG_DEV, ARG_NONE },
	[DMO_OP_UNPLUG] = { ARG_DEV, ARG_NONE },
	[DMO_OP_LOAD] = { ARG_DRV, ARG_NONE },
	[DMO_OP_UNLOAD] = { ARG_DRV, ARG_NONE },
	[DMO_OP_CLAIM] = { ARG_GROUP, ARG_OWNER },
	[DMO_OP_RELEASE] = { ARG_GROUP, ARG_NONE },
	[DMO_OP_CLAIM_DEV] = { ARG_DEV, ARG_OWNER },
	[DMO_OP_RELEASE_DEV] = { ARG_DEV, ARG_NONE },
	[DMO_OP_OWNED] = { ARG_GROUP, ARG_NONE },
	[DMO_OP_VFIO_OPEN] = { ARG_GROUP, ARG_NONE },
	[DMO_OP_VFIO_CLOSE] = { ARG_GROUP, ARG_NONE },
	[DMO_OP_IOMMUFD_BIND] = { ARG_DEV, ARG_OWNER },
	[DMO_OP_IOMMUFD_UNBIND] = { ARG_DEV, ARG_NONE },
	[DMO_OP_OVERRIDE] = { ARG_DEV, ARG_OVERRIDE },
	[DMO_OP_SYSFS_BIND] = { ARG_DEV, ARG_DRV },
	[DMO_OP_PROBE] = { ARG_DEV, ARG_NONE },
	[DMO_OP_IOMMU_PROBE] = { ARG_DEV, ARG_NONE },
	[DMO_OP_ATTACH_DOMAIN] = { ARG_DEV, ARG_NONE },
	[DMO_OP_DETACH_DOMAIN] = { ARG_DEV, ARG_NONE },
	[DMO_OP_VFIO_STATUS] = { ARG_GROUP, ARG_NONE },
	[DMO_OP_VFIO_DEVICE_OPEN] = { ARG_DEV, ARG_NONE },
	[DMO_OP_VFIO_DEVICE_CLOSE] = { ARG_DEV, ARG_NONE },
};

/*
 * The operations that not every modelled kernel has, and the change that
 * brought each (-1: every kernel has it).
 */
static int op_need(enum dmo_sc_op op)
{
	switch (op) {
	case DMO_OP_CLAIM:
	case DMO_OP_RELEASE:
	case DMO_OP_OWNED:
		return DMO_CHG_DMA_OWNER;
	case DMO_OP_CLAIM_DEV:
	case DMO_OP_RELEASE_DEV:
	case DMO_OP_IOMMUFD_BIND:
	case DMO_OP_IOMMUFD_UNBIND:
		return DMO_CHG_DEVICE_OWNER;
	default:
		return -1;
	}
}

static const char *const arg_names[] = {
	[ARG_NONE] = "nothing",
	[ARG_DEV] = "a device",
	[ARG_DRV] = "a driver",
	[ARG_GROUP] = "a group number",
	[ARG_OWNER] = "an owner name",
	[ARG_OVERRIDE] = "a driver name or none",
};

/* Error names a register may be compared with (SCENARIO.md, plus two). */
static const struct {
	const char *name;
	int value;
} err_names[] = {
	{ "-EPERM", -EPERM },
	{ "-ENOENT", -ENOENT },
	{ "-ENXIO", -ENXIO },
	{ "-EAGAIN", -EAGAIN },
	{ "-ENOMEM", -ENOMEM },
	{ "-EBUSY", -EBUSY },
	{ "-EEXIST", -EEXIST },
	{ "-ENODEV", -ENODEV },
	{ "-EINVAL", -EINVAL },
	{ "-EPROBE_DEFER", -DMO_EPROBE_DEFER },
};

const char *dmo__op_name(enum dmo_sc_op op)
{
	return (unsigned)op < DMO_OP_NR ? op_names[op] : "?";
}

enum phase {
	PH_START,	/* nothing but blank lines and comments yet */
	PH_AFTER_TEST,	/* the `test` line was the last one */
	PH_DECL,	/* declarations */
	PH_THREAD,	/* inside thread { ... } */
	PH_THREADS,	/* after a thread closed */
	PH_FINAL,	/* after a condition or an expectation */
};

/* The state of one parse call, private to it: no lock. */
struct parser {
	const char *path;
	char *err;
	size_t errlen;
	int ret;			/* first error, 0 while none */
	struct dmo_scenario *sc;

	enum phase phase;
	int line;			/* 1-based, of the current line */
	int line_len;
	struct dmo_tok *toks;		/* the current line's tokens */
	int nr_toks;
	int pos;			/* next token to consume */

	int cond_line;			/* of the condition, 0: none */
	int stmt_cap;			/* capacity of the open thread */
	int reg_cap;
};

/* Records the first error only: later ones are consequences of it. */
static int fail_at(struct parser *p, int line, int col, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->ret)
		return p->ret;
	p->ret = -EINVAL;
	if (!p->err || !p->errlen)
		return p->ret;
	n = snprintf(p->err, p->errlen, "%s:%d:%d: error: ", p->path, line,
		     col);
	if (n >= 0 && (size_t)n < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return p->ret;
}

#define fail(p, t, ...) fail_at((p), (p)->line, (t)->col, __VA_ARGS__)

static int fail_nomem(struct parser *p)
{
	if (p->ret)
		return p->ret;
	p->ret = -ENOMEM;
	if (p->err && p->errlen)
		snprintf(p->err, p->errlen, "%s: error: out of memory",
			 p->path);
	return p->ret;
}

static struct dmo_tok *peek(struct parser *p)
{
	return &p->toks[p->pos];
}

static struct dmo_tok *next(struct parser *p)
{
	struct dmo_tok *t = &p->toks[p->pos];

	if (t->kind != DMO_TOK_END)
		p->pos++;
	return t;
}

/* How a token reads in a message. */
static const char *tok_kind_text(enum dmo_tok_kind k)
{
	switch (k) {
	case DMO_TOK_END:
		return "end of line";
	case DMO_TOK_NAME:
		return "name";
	case DMO_TOK_STRING:
		return "string";
	case DMO_TOK_LBRACE:
		return "'{'";
	case DMO_TOK_RBRACE:
		return "'}'";
	case DMO_TOK_LPAREN:
		return "'('";
	case DMO_TOK_RPAREN:
		return "')'";
	case DMO_TOK_ASSIGN:
		return "'='";
	case DMO_TOK_EQ:
		return "'=='";
	case DMO_TOK_NE:
		return "'!='";
	case DMO_TOK_AND:
		return "'/\\'";
	case DMO_TOK_OR:
		return "'\\/'";
	case DMO_TOK_NOT:
		return "'~'";
	case DMO_TOK_COMMA:
		return "','";
	case DMO_TOK_AT:
		return "'@'";
	}
	return "?";
}

/* "expected X, got Y" for any token. */
static int fail_expected(struct parser *p, const struct dmo_tok *t,
			 const char *what)
{
	if (t->kind == DMO_TOK_NAME)
		return fail(p, t, "expected %s, got '%.*s'", what, t->len,
			    t->s);
	if (t->kind == DMO_TOK_STRING)
		return fail(p, t, "expected %s, got a string", what);
	return fail(p, t, "expected %s, got %s", what, tok_kind_text(t->kind));
}

/* The line must end here. */
static int expect_end(struct parser *p)
{
	struct dmo_tok *t = peek(p);

	if (t->kind == DMO_TOK_END)
		return 0;
	if (t->kind == DMO_TOK_NAME)
		return fail(p, t, "unexpected '%.*s' at end of line", t->len,
			    t->s);
	if (t->kind == DMO_TOK_STRING)
		return fail(p, t, "unexpected string at end of line");
	return fail(p, t, "unexpected %s at end of line",
		    tok_kind_text(t->kind));
}

static char *tok_strdup(const struct dmo_tok *t)
{
	char *s = malloc((size_t)t->len + 1);

	if (s) {
		memcpy(s, t->s, (size_t)t->len);
		s[t->len] = '\0';
	}
	return s;
}

static bool tok_eq(const struct dmo_tok *t, const char *s)
{
	return t->kind == DMO_TOK_NAME && strlen(s) == (size_t)t->len &&
	       memcmp(t->s, s, (size_t)t->len) == 0;
}

/*
 * Grows *arr (of *cap elements of @size) to hold one more than @nr.
 * Capacities start small and double: the limits of scenario.h bound them.
 */
static int grow(struct parser *p, void **arr, int *cap, int nr, size_t size)
{
	void *n;
	int ncap;

	if (nr < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 4;
	n = realloc(*arr, (size_t)ncap * size);
	if (!n)
		return fail_nomem(p);
	*arr = n;
	*cap = ncap;
	return 0;
}

/* Lookups; each returns an index or -1. */

static int find_bus(const struct dmo_scenario *sc, const struct dmo_tok *t)
{
	for (int i = 0; i < sc->nr_buses; i++)
		if (tok_eq(t, sc->buses[i].name))
			return i;
	return -1;
}

static int find_driver(const struct dmo_scenario *sc, const struct dmo_tok *t)
{
	for (int i = 0; i < sc->nr_drivers; i++)
		if (tok_eq(t, sc->drivers[i].name))
			return i;
	return -1;
}

static int find_device(const struct dmo_scenario *sc, const struct dmo_tok *t)
{
	for (int i = 0; i < sc->nr_devices; i++)
		if (tok_eq(t, sc->devices[i].name))
			return i;
	return -1;
}

static int find_group(const struct dmo_scenario *sc, int id)
{
	for (int i = 0; i < sc->nr_groups; i++)
		if (sc->groups[i].id == id)
			return i;
	return -1;
}

static int find_thread(const struct dmo_scenario *sc, const char *s, int len)
{
	for (int i = 0; i < sc->nr_threads; i++)
		if (strlen(sc->threads[i].name) == (size_t)len &&
		    memcmp(sc->threads[i].name, s, (size_t)len) == 0)
			return i;
	return -1;
}

static int find_reg(const struct dmo_sc_thread *th, const char *s, int len)
{
	for (int i = 0; i < th->nr_regs; i++)
		if (strlen(th->regs[i]) == (size_t)len &&
		    memcmp(th->regs[i], s, (size_t)len) == 0)
			return i;
	return -1;
}

static int find_owner(const struct dmo_scenario *sc, const struct dmo_tok *t)
{
	for (int i = 0; i < sc->nr_owners; i++)
		if (tok_eq(t, sc->owners[i]))
			return i;
	return -1;
}

/*
 * A decimal integer, optionally negative, that fits an int: what every
 * operation returns, and what a group number is.
 */
static bool tok_int(const struct dmo_tok *t, long *out)
{
	int i = 0;
	long v = 0;
	bool neg = false;

	if (t->kind != DMO_TOK_NAME)
		return false;
	if (t->len > 0 && t->s[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i >= t->len)
		return false;
	for (; i < t->len; i++) {
		if (t->s[i] < '0' || t->s[i] > '9')
			return false;
		v = v * 10 + (t->s[i] - '0');
		/* One past INT_MAX still fits a long: -INT_MIN. */
		if (v > (long)INT_MAX + 1)
			v = (long)INT_MAX + 2;
	}
	*out = neg ? -v : v;
	return true;
}

static bool tok_is_digits(const struct dmo_tok *t)
{
	if (t->kind != DMO_TOK_NAME)
		return false;
	for (int i = 0; i < t->len; i++)
		if (t->s[i] < '0' || t->s[i] > '9')
			return false;
	return true;
}

/* A group number; @t must be a NAME.  Returns the id, or -1 (reported). */
static int parse_group_id(struct parser *p, const struct dmo_tok *t)
{
	long v;

	if (!tok_is_digits(t) || !tok_int(t, &v)) {
		if (t->kind == DMO_TOK_NAME && find_device(p->sc, t) >= 0)
			fail(p, t, "expected a group number, got device '%.*s'",
			     t->len, t->s);
		else
			fail_expected(p, t, "a group number");
		return -1;
	}
	if (v > INT_MAX) {
		fail(p, t, "group number '%.*s' out of range", t->len, t->s);
		return -1;
	}
	return (int)v;
}

static int add_group(struct parser *p, const struct dmo_tok *t, int id)
{
	struct dmo_scenario *sc = p->sc;
	struct dmo_sc_group *g;

	if (sc->nr_groups >= DMO_SC_MAX_GROUPS) {
		fail(p, t, "too many groups (at most %d)", DMO_SC_MAX_GROUPS);
		return -1;
	}
	g = realloc(sc->groups, (size_t)(sc->nr_groups + 1) * sizeof(*g));
	if (!g) {
		fail_nomem(p);
		return -1;
	}
	sc->groups = g;
	g = &sc->groups[sc->nr_groups];
	g->id = id;
	g->nodefault = false;
	g->emulated = false;
	g->direct = false;
	g->loc.line = p->line;
	g->loc.col = t->col;
	return sc->nr_groups++;
}

/* Declarations. */

static int add_need(struct parser *p, enum dmo_change change,
		    const struct dmo_tok *t, const char *what);

static int parse_bus(struct parser *p)
{
	struct dmo_scenario *sc = p->sc;
	struct dmo_tok *name = next(p);
	struct dmo_sc_bus *b;
	enum dmo_bus_shape shape = DMO_BUS_COMMON;
	struct dmo_tok *t;

	if (name->kind != DMO_TOK_NAME)
		return fail_expected(p, name, "a bus name");
	if (find_bus(sc, name) >= 0)
		return fail(p, name, "duplicate bus '%.*s'", name->len,
			    name->s);
	t = peek(p);
	if (tok_eq(t, "nodma") || tok_eq(t, "cdx") || tok_eq(t, "host1x")) {
		next(p);
		shape = tok_eq(t, "nodma") ? DMO_BUS_NODMA :
			tok_eq(t, "cdx")   ? DMO_BUS_CDX :
					     DMO_BUS_HOST1X;
		if (shape == DMO_BUS_CDX &&
		    add_need(p, DMO_CHG_CDX_BUS, t, "bus shape 'cdx'"))
			return p->ret;
	} else if (t->kind == DMO_TOK_NAME) {
		return fail(p, t,
			    "unknown bus shape '%.*s' (nodma, cdx, host1x)",
			    t->len, t->s);
	}
	if (expect_end(p))
		return p->ret;
	if (sc->nr_buses >= DMO_SC_MAX_BUSES)
		return fail(p, name, "too many buses (at most %d)",
			    DMO_SC_MAX_BUSES);
	b = realloc(sc->buses, (size_t)(sc->nr_buses + 1) * sizeof(*b));
	if (!b)
		return fail_nomem(p);
	sc->buses = b;
	b = &sc->buses[sc->nr_buses];
	b->name = tok_strdup(name);
	if (!b->name)
		return fail_nomem(p);
	sc->nr_buses++;
	b->nodma = shape == DMO_BUS_NODMA;
	b->shape = shape;
	b->loc.line = p->line;
	b->loc.col = name->col;
	return 0;
}

static int parse_driver(struct parser *p)
{
	struct dmo_scenario *sc = p->sc;
	struct dmo_tok *name = next(p);
	struct dmo_tok *bus, *t;
	struct dmo_sc_driver *d;
	bool managed = false, unloaded = false, have_probe = false;
	enum dmo_probe probe = DMO_PROBE_OK;
	int b;

	if (name->kind != DMO_TOK_NAME)
		return fail_expected(p, name, "a driver name");
	if (tok_eq(name, "none"))
		return fail(p, name,
			    "driver name 'none' is reserved: driver(DEV) == none means unbound");
	if (find_driver(sc, name) >= 0)
		return fail(p, name, "duplicate driver '%.*s'", name->len,
			    name->s);
	bus = next(p);
	if (bus->kind != DMO_TOK_NAME)
		return fail_expected(p, bus, "the driver's bus");
	b = find_bus(sc, bus);
	if (b < 0)
		return fail(p, bus, "undeclared bus '%.*s'", bus->len, bus->s);
	while ((t = next(p))->kind != DMO_TOK_END) {
		if (tok_eq(t, "managed_dma")) {
			if (managed)
				return fail(p, t, "duplicate option '%.*s'",
					    t->len, t->s);
			managed = true;
		} else if (tok_eq(t, "unloaded")) {
			if (unloaded)
				return fail(p, t, "duplicate option '%.*s'",
					    t->len, t->s);
			unloaded = true;
		} else if (tok_eq(t, "probe")) {
			struct dmo_tok *eq, *v;

			if (have_probe)
				return fail(p, t, "duplicate option 'probe'");
			have_probe = true;
			eq = next(p);
			if (eq->kind != DMO_TOK_ASSIGN)
				return fail_expected(p, eq,
						     "'=' after 'probe'");
			v = next(p);
			if (tok_eq(v, "ok"))
				probe = DMO_PROBE_OK;
			else if (tok_eq(v, "fail"))
				probe = DMO_PROBE_FAIL;
			else if (tok_eq(v, "maybe"))
				probe = DMO_PROBE_MAYBE;
			else if (v->kind == DMO_TOK_NAME)
				return fail(p, v,
					    "unknown probe outcome '%.*s' (ok, fail or maybe)",
					    v->len, v->s);
			else
				return fail_expected(p, v,
						     "ok, fail or maybe");
		} else if (t->kind == DMO_TOK_NAME) {
			return fail(p, t,
				    "unknown driver option '%.*s' (managed_dma, probe=, unloaded)",
				    t->len, t->s);
		} else {
			return fail_expected(p, t, "a driver option");
		}
	}
	if (sc->nr_drivers >= DMO_SC_MAX_DRIVERS)
		return fail(p, name, "too many drivers (at most %d)",
			    DMO_SC_MAX_DRIVERS);
	d = realloc(sc->drivers, (size_t)(sc->nr_drivers + 1) * sizeof(*d));
	if (!d)
		return fail_nomem(p);
	sc->drivers = d;
	d = &sc->drivers[sc->nr_drivers];
	d->name = tok_strdup(name);
	if (!d->name)
		return fail_nomem(p);
	sc->nr_drivers++;
	d->bus = b;
	d->managed_dma = managed;
	d->probe = probe;
	d->unloaded = unloaded;
	d->loc.line = p->line;
	d->loc.col = name->col;
	return 0;
}

/*
 * A driver that a device line names (bound, match): declared, and on the
 * device's bus, since the driver core only ever matches within a bus.
 */
static int device_driver(struct parser *p, const struct dmo_tok *t,
			 const struct dmo_tok *dev, int bus)
{
	struct dmo_scenario *sc = p->sc;
	int d;

	if (t->kind != DMO_TOK_NAME) {
		fail_expected(p, t, "a driver name");
		return -1;
	}
	d = find_driver(sc, t);
	if (d < 0) {
		fail(p, t, "undeclared driver '%.*s'", t->len, t->s);
		return -1;
	}
	if (sc->drivers[d].bus != bus) {
		fail(p, t,
		     "driver '%s' is on bus '%s', device '%.*s' on bus '%s'",
		     sc->drivers[d].name, sc->buses[sc->drivers[d].bus].name,
		     dev->len, dev->s, sc->buses[bus].name);
		return -1;
	}
	return d;
}

/*
 * Whether a kernel driver's probe of a device on @bus in group @g (-1:
 * none) fails for want of a default domain: the bus's dma_configure asks
 * for the group's default domain for every driver that does not manage
 * DMA itself, and a group without one defers it.
 */
static bool defers_without_default(const struct dmo_scenario *sc, int bus,
				   int g, int drv)
{
	return g >= 0 && sc->groups[g].nodefault && !sc->buses[bus].nodma &&
	       !sc->drivers[drv].managed_dma;
}

/*
 * `bound DRV` promises the device is bound when the threads start, in
 * every execution under every policy: a probe that may fail, or that a
 * group without a default domain defers, could not keep that promise.
 */
static int bound_start_refused(struct parser *p, const struct dmo_tok *t,
			       const struct dmo_sc_device *dv, int g)
{
	const struct dmo_scenario *sc = p->sc;
	const struct dmo_sc_driver *d = &sc->drivers[dv->bound];

	if (d->probe == DMO_PROBE_MAYBE)
		return fail(p, t,
			    "driver '%s' has probe=maybe and cannot be bound at start in every execution",
			    d->name);
	if (defers_without_default(sc, dv->bus, g, dv->bound))
		return fail(p, t,
			    "group %d has no default domain (line %d), so kernel driver '%s' cannot be bound at start",
			    sc->groups[g].id, sc->groups[g].loc.line, d->name);
	return 0;
}

static int parse_device(struct parser *p)
{
	struct dmo_scenario *sc = p->sc;
	struct dmo_tok *name = next(p);
	struct dmo_tok *bus, *t, *bound_tok = NULL, *absent_tok = NULL;
	struct dmo_tok *group_tok = NULL, *match_tok = NULL, *ov_tok = NULL;
	struct dmo_sc_device dv = { .group = -1, .bound = -1,
				    .override = DMO_SC_OV_CLEAR };
	struct dmo_sc_device *nd;
	int match_cap = 0;
	int group_id = -1;

	if (name->kind != DMO_TOK_NAME)
		return fail_expected(p, name, "a device name");
	if (find_device(sc, name) >= 0)
		return fail(p, name, "duplicate device '%.*s'", name->len,
			    name->s);
	bus = next(p);
	if (bus->kind != DMO_TOK_NAME)
		return fail_expected(p, bus, "the device's bus");
	dv.bus = find_bus(sc, bus);
	if (dv.bus < 0)
		return fail(p, bus, "undeclared bus '%.*s'", bus->len, bus->s);
	while ((t = next(p))->kind != DMO_TOK_END) {
		if (tok_eq(t, "group")) {
			if (group_tok) {
				fail(p, t, "duplicate option 'group'");
				goto err;
			}
			group_tok = next(p);
			group_id = parse_group_id(p, group_tok);
			if (group_id < 0)
				goto err;
		} else if (tok_eq(t, "bound")) {
			if (bound_tok) {
				fail(p, t, "duplicate option 'bound'");
				goto err;
			}
			bound_tok = next(p);
			if (tok_eq(bound_tok, "none")) {
				fail(p, bound_tok,
				     "'bound none' is not a driver: leave 'bound' out for a device that starts unbound");
				goto err;
			}
			dv.bound = device_driver(p, bound_tok, name, dv.bus);
			if (dv.bound < 0)
				goto err;
		} else if (tok_eq(t, "override")) {
			if (ov_tok) {
				fail(p, t, "duplicate option 'override'");
				goto err;
			}
			ov_tok = next(p);
			if (tok_eq(ov_tok, "none")) {
				dv.override = DMO_SC_OV_NONE;
			} else {
				dv.override = device_driver(p, ov_tok, name,
							    dv.bus);
				if (dv.override < 0)
					goto err;
			}
		} else if (tok_eq(t, "bridge")) {
			if (dv.bridge) {
				fail(p, t, "duplicate option 'bridge'");
				goto err;
			}
			dv.bridge = true;
		} else if (tok_eq(t, "absent")) {
			if (absent_tok) {
				fail(p, t, "duplicate option 'absent'");
				goto err;
			}
			absent_tok = t;
			dv.absent = true;
		} else if (tok_eq(t, "match")) {
			if (match_tok) {
				fail(p, t, "duplicate option 'match'");
				goto err;
			}
			match_tok = t;
			for (;;) {
				struct dmo_tok *m = next(p);
				int d = device_driver(p, m, name, dv.bus);

				if (d < 0)
					goto err;
				for (int i = 0; i < dv.nr_match; i++) {
					if (dv.match[i] == d) {
						fail(p, m,
						     "driver '%.*s' listed twice in 'match'",
						     m->len, m->s);
						goto err;
					}
				}
				if (grow(p, (void **)&dv.match, &match_cap,
					 dv.nr_match, sizeof(int)))
					goto err;
				dv.match[dv.nr_match++] = d;
				if (peek(p)->kind != DMO_TOK_COMMA)
					break;
				next(p);
			}
		} else if (t->kind == DMO_TOK_NAME) {
			fail(p, t,
			     "unknown device option '%.*s' (group, bound, override, bridge, absent, match)",
			     t->len, t->s);
			goto err;
		} else {
			fail_expected(p, t, "a device option");
			goto err;
		}
	}
	if (bound_tok) {
		const struct dmo_sc_driver *d = &sc->drivers[dv.bound];

		if (d->unloaded) {
			fail(p, bound_tok,
			     "driver '%s' is unloaded and cannot be bound at start",
			     d->name);
			goto err;
		}
		if (d->probe == DMO_PROBE_FAIL) {
			fail(p, bound_tok,
			     "driver '%s' has probe=fail and cannot be bound at start",
			     d->name);
			goto err;
		}
		if (absent_tok) {
			fail(p, bound_tok,
			     "device '%.*s' is absent and cannot be bound at start",
			     name->len, name->s);
			goto err;
		}
		if (bound_start_refused(p, bound_tok, &dv, group_tok ?
					find_group(sc, group_id) : -1))
			goto err;
	}
	if (sc->nr_devices >= DMO_SC_MAX_DEVICES) {
		fail(p, name, "too many devices (at most %d)",
		     DMO_SC_MAX_DEVICES);
		goto err;
	}
	if (group_tok) {
		dv.group = find_group(sc, group_id);
		if (dv.group < 0)
			dv.group = add_group(p, group_tok, group_id);
		if (dv.group < 0)
			goto err;
	}
	nd = realloc(sc->devices, (size_t)(sc->nr_devices + 1) * sizeof(*nd));
	if (!nd) {
		fail_nomem(p);
		goto err;
	}
	sc->devices = nd;
	dv.name = tok_strdup(name);
	if (!dv.name) {
		fail_nomem(p);
		goto err;
	}
	dv.loc.line = p->line;
	dv.loc.col = name->col;
	sc->devices[sc->nr_devices++] = dv;
	return 0;

err:
	free(dv.match);
	return p->ret;
}

/*
 * `group G nodefault` after a device line that declared G bound to a
 * kernel driver: that binding could not be made (see
 * bound_start_refused()).
 */
static int nodefault_after_bound(struct parser *p, int g,
				 const struct dmo_tok *t)
{
	const struct dmo_scenario *sc = p->sc;

	for (int i = 0; i < sc->nr_devices; i++) {
		const struct dmo_sc_device *dv = &sc->devices[i];

		if (dv->group == g && dv->bound >= 0 &&
		    defers_without_default(sc, dv->bus, g, dv->bound))
			return fail(p, t,
				    "group %d cannot lose its default domain: device '%s' (line %d) is bound at start to kernel driver '%s'",
				    sc->groups[g].id, dv->name, dv->loc.line,
				    sc->drivers[dv->bound].name);
	}
	return 0;
}

static int parse_group(struct parser *p)
{
	struct dmo_tok *t = next(p), *f, *nd_tok = NULL;
	int id, g;
	bool nodefault = false, emulated = false, direct = false;

	if (t->kind == DMO_TOK_END)
		return fail_expected(p, t, "a group number");
	id = parse_group_id(p, t);
	if (id < 0)
		return p->ret;
	while ((f = peek(p))->kind != DMO_TOK_END) {
		bool *flag = tok_eq(f, "nodefault") ? &nodefault :
			     tok_eq(f, "emulated")  ? &emulated :
			     tok_eq(f, "direct")    ? &direct :
						      NULL;

		if (!flag && f->kind == DMO_TOK_NAME)
			return fail(p, f,
				    "unknown group option '%.*s' (nodefault, emulated, direct)",
				    f->len, f->s);
		if (!flag)
			return fail_expected(p, f, "a group option");
		if (*flag)
			return fail(p, f, "duplicate option '%.*s'", f->len,
				    f->s);
		*flag = true;
		if (flag == &nodefault)
			nd_tok = f;
		next(p);
	}
	g = find_group(p->sc, id);
	if (g >= 0) {
		struct dmo_sc_group *gr = &p->sc->groups[g];

		/*
		 * A device line may have declared the group already; a
		 * `group` line may still add what only it can say, once.
		 */
		if ((!nodefault && !emulated && !direct) ||
		    gr->nodefault || gr->emulated || gr->direct)
			return fail(p, t,
				    "duplicate group %d (declared at line %d)",
				    id, gr->loc.line);
		gr->emulated = emulated;
		gr->direct = direct;
		if (!nodefault)
			return 0;
		gr->nodefault = true;
		return nodefault_after_bound(p, g, nd_tok);
	}
	g = add_group(p, t, id);
	if (g < 0)
		return p->ret;
	p->sc->groups[g].nodefault = nodefault;
	p->sc->groups[g].emulated = emulated;
	p->sc->groups[g].direct = direct;
	return 0;
}

/* "5.18, 5.19, ..., 6.17": the versions a message lists. */
static void known_kernels(char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < dmo_kernel_count() && n < len; i++) {
		int k = snprintf(buf + n, len - n, "%s%s", i ? ", " : "",
				 dmo_kernel_name(dmo_kernel_at(i)));

		if (k < 0)
			break;
		n += (size_t)k;
	}
}

/* A modelled version named by @t, or NULL (reported). */
static const struct dmo_kernel *kernel_tok(struct parser *p,
					   const struct dmo_tok *t, int len,
					   int col)
{
	const struct dmo_kernel *k = NULL;
	char buf[32], known[256];

	if (len > 0 && (size_t)len < sizeof(buf)) {
		memcpy(buf, t->s + (col - t->col), (size_t)len);
		buf[len] = '\0';
		k = dmo_kernel_find(buf);
	}
	if (!k) {
		known_kernels(known, sizeof(known));
		fail_at(p, p->line, col,
			"unknown kernel version '%.*s' (known: %s)", len,
			t->s + (col - t->col), known);
	}
	return k;
}

static int parse_kernel(struct parser *p)
{
	struct dmo_tok *t = next(p);
	const struct dmo_kernel *k;

	if (p->sc->kernel)
		return fail(p, &p->toks[0],
			    "duplicate 'kernel' line (the first is at line %d)",
			    p->sc->kernel_loc.line);
	if (t->kind != DMO_TOK_NAME)
		return fail_expected(p, t, "a kernel version");
	k = kernel_tok(p, t, t->len, t->col);
	if (!k)
		return p->ret;
	if (expect_end(p))
		return p->ret;
	p->sc->kernel = k;
	p->sc->kernel_loc.line = p->line;
	p->sc->kernel_loc.col = t->col;
	return 0;
}

static int parse_config(struct parser *p)
{
	struct dmo_tok *t = next(p);
	char buf[64];
	int c = -1;

	if (t->kind != DMO_TOK_NAME)
		return fail_expected(p, t, "a kernel configuration option");
	if ((size_t)t->len < sizeof(buf)) {
		memcpy(buf, t->s, (size_t)t->len);
		buf[t->len] = '\0';
		c = dmo_config_parse(buf);
	}
	if (c < 0)
		return fail(p, t,
			    "unknown kernel configuration option '%.*s' (DEBUG_TEST_DRIVER_REMOVE)",
			    t->len, t->s);
	if (p->sc->config & (1u << c))
		return fail(p, t, "duplicate 'config %s'", dmo_config_name(c));
	if (expect_end(p))
		return p->ret;
	p->sc->config |= 1u << c;
	return 0;
}

/*
 * Records that what @t starts needs @change: a run at a version without it
 * is refused, naming this place (dmo_scenario_applies()).
 */
static int add_need(struct parser *p, enum dmo_change change,
		    const struct dmo_tok *t, const char *what)
{
	struct dmo_scenario *sc = p->sc;
	struct dmo_sc_need *n;

	for (int i = 0; i < sc->nr_needs; i++)
		if (sc->needs[i].change == change &&
		    strcmp(sc->needs[i].what, what) == 0)
			return 0;
	n = realloc(sc->needs, (size_t)(sc->nr_needs + 1) * sizeof(*n));
	if (!n)
		return fail_nomem(p);
	sc->needs = n;
	n = &sc->needs[sc->nr_needs++];
	n->change = change;
	snprintf(n->what, sizeof(n->what), "%s", what);
	n->loc.line = p->line;
	n->loc.col = t->col;
	return 0;
}

static int parse_policy(struct parser *p)
{
	struct dmo_tok *t = next(p);
	char buf[64];
	int pol;

	if (p->sc->policy >= 0)
		return fail(p, &p->toks[0], "duplicate 'policy' line");
	if (t->kind != DMO_TOK_NAME)
		return fail_expected(p, t, "a policy");
	if ((size_t)t->len >= sizeof(buf))
		return fail(p, t, "unknown policy '%.*s'", t->len, t->s);
	memcpy(buf, t->s, (size_t)t->len);
	buf[t->len] = '\0';
	pol = dmo_policy_parse(buf);
	if (pol < 0)
		return fail(p, t, "unknown policy '%.*s'", t->len, t->s);
	if (expect_end(p))
		return p->ret;
	p->sc->policy = pol;
	return 0;
}

/* Threads and statements. */

static int parse_thread_open(struct parser *p)
{
	struct dmo_scenario *sc = p->sc;
	struct dmo_tok *name = next(p), *brace;
	struct dmo_sc_thread *th;

	if (name->kind != DMO_TOK_NAME)
		return fail_expected(p, name, "a thread name");
	if (find_thread(sc, name->s, name->len) >= 0)
		return fail(p, name, "duplicate thread '%.*s'", name->len,
			    name->s);
	brace = next(p);
	if (brace->kind != DMO_TOK_LBRACE)
		return fail_expected(p, brace, "'{'");
	if (expect_end(p))
		return p->ret;
	if (sc->nr_threads >= DMO_SC_MAX_THREADS)
		return fail(p, name, "too many threads (at most %d)",
			    DMO_SC_MAX_THREADS);
	th = realloc(sc->threads, (size_t)(sc->nr_threads + 1) * sizeof(*th));
	if (!th)
		return fail_nomem(p);
	sc->threads = th;
	th = &sc->threads[sc->nr_threads];
	memset(th, 0, sizeof(*th));
	th->name = tok_strdup(name);
	if (!th->name)
		return fail_nomem(p);
	th->loc.line = p->line;
	th->loc.col = name->col;
	sc->nr_threads++;
	p->stmt_cap = 0;
	p->reg_cap = 0;
	p->phase = PH_THREAD;
	return 0;
}

/* Owner names the library reports itself; a statement may not take them. */
static bool owner_reserved(const struct dmo_tok *t)
{
	return tok_eq(t, DMO_SC_OWNER_VFIO) || tok_eq(t, DMO_SC_OWNER_DMA_API);
}

static int intern_owner(struct parser *p, const struct dmo_tok *t)
{
	struct dmo_scenario *sc = p->sc;
	char **o;
	int i = find_owner(sc, t);

	if (i >= 0)
		return i;
	if (sc->nr_owners >= DMO_SC_MAX_OWNERS) {
		fail(p, t, "too many owner names (at most %d)",
		     DMO_SC_MAX_OWNERS);
		return -1;
	}
	o = realloc(sc->owners, (size_t)(sc->nr_owners + 1) * sizeof(*o));
	if (!o) {
		fail_nomem(p);
		return -1;
	}
	sc->owners = o;
	o[sc->nr_owners] = tok_strdup(t);
	if (!o[sc->nr_owners]) {
		fail_nomem(p);
		return -1;
	}
	return sc->nr_owners++;
}

/* One operand of a statement, checked for kind and declaration. */
static int parse_operand(struct parser *p, enum dmo_sc_op op,
			 enum arg_kind kind, struct dmo_sc_stmt *st)
{
	struct dmo_scenario *sc = p->sc;
	struct dmo_tok *t;
	int i;

	if (kind == ARG_OVERRIDE && peek(p)->kind == DMO_TOK_END) {
		st->drv = DMO_SC_OV_CLEAR;
		return 0;
	}
	t = next(p);
	if (t->kind == DMO_TOK_END)
		return fail(p, t, "'%s' needs %s", op_names[op],
			    arg_names[kind]);
	if (t->kind != DMO_TOK_NAME)
		return fail_expected(p, t, arg_names[kind]);
	switch (kind) {
	case ARG_DEV:
		st->dev = find_device(sc, t);
		if (st->dev >= 0)
			return 0;
		if (find_driver(sc, t) >= 0)
			return fail(p, t,
				    "expected a device, got driver '%.*s'",
				    t->len, t->s);
		if (find_bus(sc, t) >= 0)
			return fail(p, t, "expected a device, got bus '%.*s'",
				    t->len, t->s);
		return fail(p, t, "undeclared device '%.*s'", t->len, t->s);
	case ARG_DRV:
		st->drv = find_driver(sc, t);
		if (st->drv >= 0)
			return 0;
		if (find_device(sc, t) >= 0)
			return fail(p, t,
				    "expected a driver, got device '%.*s'",
				    t->len, t->s);
		if (find_bus(sc, t) >= 0)
			return fail(p, t, "expected a driver, got bus '%.*s'",
				    t->len, t->s);
		return fail(p, t, "undeclared driver '%.*s'", t->len, t->s);
	case ARG_GROUP:
		i = parse_group_id(p, t);
		if (i < 0)
			return p->ret;
		st->group = find_group(sc, i);
		if (st->group < 0)
			return fail(p, t, "undeclared group %d", i);
		return 0;
	case ARG_OWNER:
		if (tok_eq(t, "none")) {
			st->owner = -1;
			return 0;
		}
		if (owner_reserved(t))
			return fail(p, t,
				    "owner name '%.*s' is reserved for the library's own claims",
				    t->len, t->s);
		st->owner = intern_owner(p, t);
		return st->owner < 0 ? p->ret : 0;
	case ARG_OVERRIDE:
		if (tok_eq(t, "none")) {
			st->drv = DMO_SC_OV_NONE;
			return 0;
		}
		st->drv = find_driver(sc, t);
		if (st->drv >= 0)
			return 0;
		return fail(p, t, "undeclared driver '%.*s' (or none)", t->len,
			    t->s);
	case ARG_NONE:
		break;
	}
	return fail(p, t, "internal: no operand expected");
}

static int find_op(const struct dmo_tok *t)
{
	for (int i = 0; i < DMO_OP_NR; i++)
		if (tok_eq(t, op_names[i]))
			return i;
	return -1;
}

static int parse_stmt(struct parser *p)
{
	struct dmo_scenario *sc = p->sc;
	struct dmo_sc_thread *th = &sc->threads[sc->nr_threads - 1];
	struct dmo_sc_stmt st = {
		.reg = -1, .dev = -1, .drv = -1, .group = -1, .owner = -1,
	};
	struct dmo_tok *first = peek(p), *optok, *reg = NULL;
	int op;

	st.loc.line = p->line;
	st.loc.col = first->col;
	if (first->kind == DMO_TOK_NAME &&
	    p->toks[p->pos + 1].kind == DMO_TOK_ASSIGN) {
		reg = next(p);
		next(p);
	}
	optok = next(p);
	if (optok->kind != DMO_TOK_NAME)
		return fail_expected(p, optok, reg ? "an operation" :
				     "a statement or '}'");
	op = find_op(optok);
	if (op < 0)
		return fail(p, optok, "unknown operation '%.*s'", optok->len,
			    optok->s);
	st.op = (enum dmo_sc_op)op;
	if (op_need(st.op) >= 0) {
		char what[32];

		snprintf(what, sizeof(what), "'%s'", op_names[op]);
		if (add_need(p, (enum dmo_change)op_need(st.op), optok, what))
			return p->ret;
	}
	for (int a = 0; a < 2 && op_args[op][a] != ARG_NONE; a++)
		if (parse_operand(p, st.op, op_args[op][a], &st))
			return p->ret;
	if (expect_end(p))
		return p->ret;
	if (th->nr_stmts >= DMO_SC_MAX_STMTS)
		return fail(p, first,
			    "too many statements in thread '%s' (at most %d)",
			    th->name, DMO_SC_MAX_STMTS);
	if (reg) {
		st.reg = find_reg(th, reg->s, reg->len);
		if (st.reg < 0) {
			if (grow(p, (void **)&th->regs, &p->reg_cap,
				 th->nr_regs, sizeof(char *)))
				return p->ret;
			th->regs[th->nr_regs] = tok_strdup(reg);
			if (!th->regs[th->nr_regs])
				return fail_nomem(p);
			st.reg = th->nr_regs++;
		}
	}
	if (grow(p, (void **)&th->stmts, &p->stmt_cap, th->nr_stmts,
		 sizeof(st)))
		return p->ret;
	th->stmts[th->nr_stmts++] = st;
	return 0;
}

/* The final condition. */

static struct dmo_sc_cond *new_cond(struct parser *p,
				    enum dmo_sc_cond_kind kind)
{
	struct dmo_sc_cond *c = calloc(1, sizeof(*c));

	if (!c) {
		fail_nomem(p);
		return NULL;
	}
	c->kind = kind;
	c->thread = c->reg = c->group = c->dev = c->drv = c->owner = -1;
	return c;
}

static void free_cond(struct dmo_sc_cond *c)
{
	/*
	 * Iterative on the left spine: a long chain of /\ builds a tree as
	 * deep as the line is long, and the right side is at most as deep
	 * as the nesting limit.
	 */
	while (c) {
		struct dmo_sc_cond *left = c->left;

		free_cond(c->right);
		free(c);
		c = left;
	}
}

/* An integer or an error name, the value of a register atom. */
static int parse_value(struct parser *p, const struct dmo_tok *t, long *v)
{
	if (t->kind != DMO_TOK_NAME)
		return fail_expected(p, t, "an integer or an error name");
	if (t->len > 1 && t->s[0] == '-' && t->s[1] >= 'A' && t->s[1] <= 'Z') {
		for (size_t i = 0; i < sizeof(err_names) / sizeof(err_names[0]);
		     i++) {
			if (tok_eq(t, err_names[i].name)) {
				*v = err_names[i].value;
				return 0;
			}
		}
		return fail(p, t, "unknown error name '%.*s'", t->len, t->s);
	}
	if (!tok_int(t, v))
		return fail_expected(p, t, "an integer or an error name");
	if (*v > INT_MAX || *v < INT_MIN)
		return fail(p, t, "integer '%.*s' out of range", t->len, t->s);
	return 0;
}

/*
 * T:REG.  Thread names may themselves hold a colon, so every split is
 * tried and the first that names a thread and one of its registers wins.
 */
static int parse_reg_atom(struct parser *p, const struct dmo_tok *t,
			  struct dmo_sc_cond *c)
{
	struct dmo_scenario *sc = p->sc;
	int first_thread = -1, first_colon = -1;

	for (int i = 0; i < t->len; i++) {
		int th, r;

		if (t->s[i] != ':')
			continue;
		if (first_colon < 0)
			first_colon = i;
		th = find_thread(sc, t->s, i);
		if (th < 0)
			continue;
		if (first_thread < 0)
			first_thread = i;
		r = find_reg(&sc->threads[th], t->s + i + 1, t->len - i - 1);
		if (r >= 0) {
			c->thread = th;
			c->reg = r;
			return 0;
		}
	}
	if (first_colon < 0)
		return fail(p, t,
			    "expected a condition atom (T:REG, owner(G), owner_cnt(G), driver(DEV)), got '%.*s'",
			    t->len, t->s);
	if (first_thread < 0)
		return fail(p, t, "undeclared thread '%.*s'", first_colon,
			    t->s);
	if (first_thread + 1 >= t->len)
		return fail(p, t, "expected a register after '%.*s'",
			    first_thread + 1, t->s);
	return fail(p, t, "register '%.*s' is never assigned in thread '%.*s'",
		    t->len - first_thread - 1, t->s + first_thread + 1,
		    first_thread, t->s);
}

static struct dmo_sc_cond *parse_atom(struct parser *p)
{
	struct dmo_scenario *sc = p->sc;
	struct dmo_tok *t = next(p), *arg = NULL, *op, *v, *close;
	struct dmo_sc_cond *c;
	enum dmo_sc_cond_kind kind = DMO_COND_REG;
	long value;

	if (t->kind != DMO_TOK_NAME) {
		fail_expected(p, t, "a condition atom");
		return NULL;
	}
	if (peek(p)->kind == DMO_TOK_LPAREN) {
		if (tok_eq(t, "owner"))
			kind = DMO_COND_OWNER;
		else if (tok_eq(t, "owner_cnt"))
			kind = DMO_COND_OWNER_CNT;
		else if (tok_eq(t, "driver"))
			kind = DMO_COND_DRIVER;
		else {
			fail(p, t,
			     "unknown function '%.*s' (owner, owner_cnt, driver)",
			     t->len, t->s);
			return NULL;
		}
		next(p);
		arg = next(p);
		if (arg->kind != DMO_TOK_NAME) {
			fail_expected(p, arg, kind == DMO_COND_DRIVER ?
				      "a device" : "a group number");
			return NULL;
		}
		close = next(p);
		if (close->kind != DMO_TOK_RPAREN) {
			fail_expected(p, close, "')'");
			return NULL;
		}
	}
	c = new_cond(p, kind);
	if (!c)
		return NULL;
	if (kind == DMO_COND_REG) {
		if (parse_reg_atom(p, t, c))
			goto err;
	} else if (kind == DMO_COND_DRIVER) {
		c->dev = find_device(sc, arg);
		if (c->dev < 0) {
			if (find_driver(sc, arg) >= 0)
				fail(p, arg,
				     "expected a device, got driver '%.*s'",
				     arg->len, arg->s);
			else
				fail(p, arg, "undeclared device '%.*s'",
				     arg->len, arg->s);
			goto err;
		}
	} else {
		int id = parse_group_id(p, arg);

		if (id < 0)
			goto err;
		c->group = find_group(sc, id);
		if (c->group < 0) {
			fail(p, arg, "undeclared group %d", id);
			goto err;
		}
	}
	op = next(p);
	if (op->kind != DMO_TOK_EQ && op->kind != DMO_TOK_NE) {
		fail_expected(p, op, "'==' or '!='");
		goto err;
	}
	c->negated = op->kind == DMO_TOK_NE;
	v = next(p);
	switch (kind) {
	case DMO_COND_REG:
	case DMO_COND_OWNER_CNT:
		if (parse_value(p, v, &value))
			goto err;
		c->value = value;
		break;
	case DMO_COND_OWNER:
		if (v->kind != DMO_TOK_NAME) {
			fail_expected(p, v, "an owner name or 'none'");
			goto err;
		}
		if (tok_eq(v, "none"))
			break;
		c->owner = find_owner(sc, v);
		if (c->owner < 0 && owner_reserved(v))
			c->owner = intern_owner(p, v);
		else if (c->owner < 0)
			fail(p, v,
			     "unknown owner '%.*s' (no statement uses it; the library's own are vfio and dma-api)",
			     v->len, v->s);
		if (c->owner < 0)
			goto err;
		break;
	case DMO_COND_DRIVER:
		if (v->kind != DMO_TOK_NAME) {
			fail_expected(p, v, "a driver name or 'none'");
			goto err;
		}
		if (tok_eq(v, "none"))
			break;
		c->drv = find_driver(sc, v);
		if (c->drv < 0) {
			fail(p, v, "undeclared driver '%.*s'", v->len, v->s);
			goto err;
		}
		break;
	default:
		break;
	}
	return c;

err:
	free_cond(c);
	return NULL;
}

static struct dmo_sc_cond *parse_or(struct parser *p, int depth);

static struct dmo_sc_cond *parse_unary(struct parser *p, int depth)
{
	struct dmo_tok *t = peek(p);
	struct dmo_sc_cond *c, *inner;

	if (t->kind != DMO_TOK_NOT && t->kind != DMO_TOK_LPAREN)
		return parse_atom(p);
	if (depth >= DMO_SC_MAX_COND_DEPTH) {
		fail(p, t, "condition nested too deeply (at most %d levels)",
		     DMO_SC_MAX_COND_DEPTH);
		return NULL;
	}
	next(p);
	if (t->kind == DMO_TOK_NOT) {
		inner = parse_unary(p, depth + 1);
		if (!inner)
			return NULL;
		c = new_cond(p, DMO_COND_NOT);
		if (!c) {
			free_cond(inner);
			return NULL;
		}
		c->left = inner;
		return c;
	}
	inner = parse_or(p, depth + 1);
	if (!inner)
		return NULL;
	if (peek(p)->kind != DMO_TOK_RPAREN) {
		fail(p, peek(p), "expected ')' to close the '(' at column %d",
		     t->col);
		free_cond(inner);
		return NULL;
	}
	next(p);
	return inner;
}

static struct dmo_sc_cond *parse_binary(struct parser *p, int depth,
					enum dmo_tok_kind tk,
					enum dmo_sc_cond_kind ck)
{
	struct dmo_sc_cond *l, *r, *c;

	l = tk == DMO_TOK_OR ? parse_binary(p, depth, DMO_TOK_AND, DMO_COND_AND)
			     : parse_unary(p, depth);
	while (l && peek(p)->kind == tk) {
		next(p);
		r = tk == DMO_TOK_OR ?
			parse_binary(p, depth, DMO_TOK_AND, DMO_COND_AND) :
			parse_unary(p, depth);
		c = r ? new_cond(p, ck) : NULL;
		if (!c) {
			free_cond(l);
			free_cond(r);
			return NULL;
		}
		c->left = l;
		c->right = r;
		l = c;
	}
	return l;
}

static struct dmo_sc_cond *parse_or(struct parser *p, int depth)
{
	return parse_binary(p, depth, DMO_TOK_OR, DMO_COND_OR);
}

static int parse_condition(struct parser *p, enum dmo_sc_quant q)
{
	struct dmo_sc_cond *c;

	if (p->cond_line)
		return fail(p, &p->toks[0],
			    "a file has at most one final condition (the first is at line %d)",
			    p->cond_line);
	if (peek(p)->kind == DMO_TOK_END)
		return fail(p, peek(p), "expected a condition");
	c = parse_or(p, 0);
	if (!c)
		return p->ret;
	if (expect_end(p)) {
		free_cond(c);
		return p->ret;
	}
	p->sc->cond = c;
	p->sc->quant = q;
	p->cond_line = p->line;
	return 0;
}

/*
 * The versions after '@': V, V..W, V.. or ..W (one NAME token, since '.'
 * is a name character), each V a modelled version.
 */
static int parse_expect_kernels(struct parser *p, struct dmo_sc_expect *e)
{
	const struct dmo_tok *t = next(p);
	const char *dots;
	int lo_len, hi_col;

	if (t->kind != DMO_TOK_NAME)
		return fail_expected(p, t,
				     "kernel versions after '@' (V, V..W, V.. or ..W)");
	dots = NULL;
	for (int i = 0; i + 1 < t->len; i++) {
		if (t->s[i] == '.' && t->s[i + 1] == '.') {
			dots = t->s + i;
			break;
		}
	}
	lo_len = dots ? (int)(dots - t->s) : t->len;
	if (lo_len > 0) {
		e->kmin = kernel_tok(p, t, lo_len, t->col);
		if (!e->kmin)
			return p->ret;
	}
	if (!dots) {
		e->kmax = e->kmin;
		goto check;
	}
	hi_col = t->col + lo_len + 2;
	if (hi_col < t->col + t->len) {
		e->kmax = kernel_tok(p, t, t->col + t->len - hi_col, hi_col);
		if (!e->kmax)
			return p->ret;
	} else if (!e->kmin) {
		return fail(p, t, "expected a kernel version around '..'");
	}
check:
	if (e->kmin && e->kmax && dmo_kernel_cmp(e->kmin, e->kmax) > 0)
		return fail(p, t, "kernel versions out of order: %s is newer than %s",
			    dmo_kernel_name(e->kmin), dmo_kernel_name(e->kmax));
	if (e->policy >= 0) {
		const struct dmo_kernel *lo = e->kmin ? e->kmin :
						dmo_kernel_at(0);
		const struct dmo_kernel *hi = e->kmax ? e->kmax :
						dmo_kernel_newest();
		bool any = false;

		for (int i = 0; i < dmo_kernel_count(); i++) {
			const struct dmo_kernel *k = dmo_kernel_at(i);

			if (dmo_kernel_cmp(k, lo) >= 0 &&
			    dmo_kernel_cmp(k, hi) <= 0 &&
			    dmo_policy_applies(e->policy, k))
				any = true;
		}
		if (!any)
			return fail(p, t,
				    "policy %s runs at none of these kernel versions (%s)",
				    dmo_policy_name(e->policy),
				    dmo_policy_rule(e->policy));
	}
	return 0;
}

static int parse_expect(struct parser *p)
{
	struct dmo_scenario *sc = p->sc;
	struct dmo_tok *t = next(p);
	struct dmo_sc_expect e = { .policy = -1, .kind = DMO_VIOL_NR };
	struct dmo_sc_expect *ne;
	char buf[64];
	int v;

	e.loc.line = p->line;
	e.loc.col = p->toks[0].col;
	if (t->kind != DMO_TOK_NAME && t->kind != DMO_TOK_AT)
		return fail_expected(p, t,
				     "a policy or a result (ok, Always, Sometimes, Never, condition, violation)");
	if (t->kind == DMO_TOK_NAME && !tok_eq(t, "ok") &&
	    !tok_eq(t, "Always") && !tok_eq(t, "Sometimes") &&
	    !tok_eq(t, "Never") && !tok_eq(t, "violation") &&
	    !tok_eq(t, "condition")) {
		v = -1;
		if ((size_t)t->len < sizeof(buf)) {
			memcpy(buf, t->s, (size_t)t->len);
			buf[t->len] = '\0';
			v = dmo_policy_parse(buf);
		}
		if (v < 0)
			return fail(p, t, "unknown policy '%.*s'", t->len,
				    t->s);
		e.policy = v;
		t = next(p);
	}
	if (t->kind == DMO_TOK_AT) {
		if (parse_expect_kernels(p, &e))
			return p->ret;
		t = next(p);
	}
	if (tok_eq(t, "condition")) {
		/* The observation alone: violations are for other lines. */
		e.bare = true;
		t = next(p);
		if (!tok_eq(t, "Always") && !tok_eq(t, "Sometimes") &&
		    !tok_eq(t, "Never"))
			return fail_expected(p, t,
					     "an observation after 'condition' (Always, Sometimes, Never)");
	}
	if (tok_eq(t, "ok")) {
		e.result = DMO_RES_OK;
	} else if (tok_eq(t, "Always")) {
		e.result = DMO_RES_ALWAYS;
	} else if (tok_eq(t, "Sometimes")) {
		e.result = DMO_RES_SOMETIMES;
	} else if (tok_eq(t, "Never")) {
		e.result = DMO_RES_NEVER;
	} else if (tok_eq(t, "violation")) {
		struct dmo_tok *k = next(p);

		e.result = DMO_RES_VIOLATION;
		if (k->kind != DMO_TOK_NAME)
			return fail_expected(p, k, "a violation kind");
		v = -1;
		if ((size_t)k->len < sizeof(buf)) {
			memcpy(buf, k->s, (size_t)k->len);
			buf[k->len] = '\0';
			v = dmo_viol_kind_parse(buf);
		}
		if (v < 0)
			return fail(p, k, "unknown violation kind '%.*s'",
				    k->len, k->s);
		e.kind = (enum dmo_viol_kind)v;
	} else if (t->kind == DMO_TOK_NAME) {
		return fail(p, t,
			    "unknown result '%.*s' (ok, Always, Sometimes, Never, condition OBSERVATION, violation KIND)",
			    t->len, t->s);
	} else {
		return fail_expected(p, t,
				     "a result (ok, Always, Sometimes, Never, condition OBSERVATION, violation KIND)");
	}
	if (expect_end(p))
		return p->ret;
	if (sc->nr_expects >= DMO_SC_MAX_EXPECTS)
		return fail(p, &p->toks[0],
			    "too many 'expect' lines (at most %d)",
			    DMO_SC_MAX_EXPECTS);
	ne = realloc(sc->expects, (size_t)(sc->nr_expects + 1) * sizeof(*ne));
	if (!ne)
		return fail_nomem(p);
	sc->expects = ne;
	sc->expects[sc->nr_expects++] = e;
	return 0;
}

/* The line dispatcher. */

static bool is_decl_word(const struct dmo_tok *t)
{
	return tok_eq(t, "bus") || tok_eq(t, "driver") ||
	       tok_eq(t, "device") || tok_eq(t, "group") ||
	       tok_eq(t, "policy") || tok_eq(t, "kernel") ||
	       tok_eq(t, "config");
}

/* The first word of a line that cannot appear inside a thread. */
static bool is_toplevel_word(const struct dmo_tok *t)
{
	return tok_eq(t, "thread") || tok_eq(t, "exists") ||
	       tok_eq(t, "forall") || tok_eq(t, "expect") ||
	       tok_eq(t, "test") || t->kind == DMO_TOK_NOT ||
	       t->kind == DMO_TOK_STRING;
}

static int fail_unclosed(struct parser *p, int line, int col)
{
	const struct dmo_sc_thread *th = &p->sc->threads[p->sc->nr_threads - 1];

	return fail_at(p, line, col,
		       "expected '}' to close thread '%s' opened at line %d",
		       th->name, th->loc.line);
}

static int parse_in_thread(struct parser *p)
{
	struct dmo_tok *t = peek(p);

	if (t->kind == DMO_TOK_RBRACE) {
		next(p);
		if (expect_end(p))
			return p->ret;
		p->phase = PH_THREADS;
		return 0;
	}
	if (is_toplevel_word(t))
		return fail_unclosed(p, p->line, t->col);
	if (is_decl_word(t) && p->toks[1].kind != DMO_TOK_ASSIGN)
		return fail(p, t,
			    "declarations must come before the first thread");
	return parse_stmt(p);
}

static int parse_line(struct parser *p)
{
	struct dmo_tok *t = peek(p);
	enum phase was = p->phase;

	if (t->kind == DMO_TOK_END)
		return 0;
	if (p->phase == PH_THREAD)
		return parse_in_thread(p);

	/* From here on, a line of something: leave the opening phases. */
	if (p->phase == PH_START || p->phase == PH_AFTER_TEST)
		p->phase = PH_DECL;

	if (tok_eq(t, "test")) {
		struct dmo_tok *n;

		if (was != PH_START)
			return fail(p, t, "'test' must be the first line");
		next(p);
		n = next(p);
		if (n->kind != DMO_TOK_NAME)
			return fail_expected(p, n, "a test name");
		if (expect_end(p))
			return p->ret;
		free(p->sc->name);
		p->sc->name = tok_strdup(n);
		if (!p->sc->name)
			return fail_nomem(p);
		p->phase = PH_AFTER_TEST;
		return 0;
	}
	if (t->kind == DMO_TOK_STRING) {
		if (was != PH_AFTER_TEST)
			return fail(p, t,
				    "a description must come right after the 'test' line");
		next(p);
		if (expect_end(p))
			return p->ret;
		p->sc->description = tok_strdup(t);
		if (!p->sc->description)
			return fail_nomem(p);
		return 0;
	}
	if (is_decl_word(t)) {
		if (p->phase != PH_DECL)
			return fail(p, t,
				    "declarations must come before the first thread");
		next(p);
		if (tok_eq(t, "bus"))
			return parse_bus(p);
		if (tok_eq(t, "driver"))
			return parse_driver(p);
		if (tok_eq(t, "device"))
			return parse_device(p);
		if (tok_eq(t, "group"))
			return parse_group(p);
		if (tok_eq(t, "kernel"))
			return parse_kernel(p);
		if (tok_eq(t, "config"))
			return parse_config(p);
		return parse_policy(p);
	}
	if (tok_eq(t, "thread")) {
		if (p->phase == PH_FINAL)
			return fail(p, t,
				    "threads must come before the final condition and the expectations");
		next(p);
		return parse_thread_open(p);
	}
	if (tok_eq(t, "exists") || tok_eq(t, "forall") ||
	    t->kind == DMO_TOK_NOT || tok_eq(t, "expect")) {
		enum dmo_sc_quant q = DMO_QUANT_EXISTS;

		if (p->phase == PH_DECL)
			return fail(p, t, "%s must come after the threads",
				    tok_eq(t, "expect") ? "'expect'" :
				    "the final condition");
		p->phase = PH_FINAL;
		next(p);
		if (tok_eq(t, "expect"))
			return parse_expect(p);
		if (t->kind == DMO_TOK_NOT) {
			struct dmo_tok *e = next(p);

			if (!tok_eq(e, "exists"))
				return fail_expected(p, e,
						     "'exists' after '~'");
			q = DMO_QUANT_NOT_EXISTS;
		} else if (tok_eq(t, "forall")) {
			q = DMO_QUANT_FORALL;
		}
		return parse_condition(p, q);
	}
	if (t->kind == DMO_TOK_NAME)
		return fail(p, t, "unknown keyword '%.*s'", t->len, t->s);
	return fail_expected(p, t, "a declaration");
}

/* Checks that need the whole file. */
static int finish(struct parser *p, int last_line, int last_col)
{
	struct dmo_scenario *sc = p->sc;

	if (p->phase == PH_THREAD)
		return fail_unclosed(p, last_line, last_col);
	if (sc->nr_threads == 0)
		return fail_at(p, last_line, last_col,
			       "a file needs at least one thread");
	for (int i = 0; i < sc->nr_expects; i++) {
		const struct dmo_sc_expect *e = &sc->expects[i];

		if (sc->quant != DMO_QUANT_NONE)
			break;
		if (e->result == DMO_RES_ALWAYS ||
		    e->result == DMO_RES_SOMETIMES ||
		    e->result == DMO_RES_NEVER)
			return fail_at(p, e->loc.line, e->loc.col,
				       "an observation (Always, Sometimes, Never) needs a final condition");
	}
	return 0;
}

/* The default test name: the file's base name without ".own". */
static char *default_name(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;
	char *s;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 4 && strcmp(base + n - 4, ".own") == 0)
		n -= 4;
	s = malloc(n + 1);
	if (s) {
		memcpy(s, base, n);
		s[n] = '\0';
	}
	return s;
}

static int parse(struct parser *p, const char *buf, size_t len)
{
	const char *nul, *s = buf, *end = buf + len;
	char msg[128];
	int col, last_line = 1, last_col = 1;

	if (len == 0)
		return fail_at(p, 1, 1, "file is empty");
	if (len > DMO_SC_MAX_BYTES)
		return fail_at(p, 1, 1, "file larger than %d bytes",
			       DMO_SC_MAX_BYTES);
	nul = memchr(buf, '\0', len);
	if (nul) {
		int line = 1;
		const char *ls = buf;

		for (const char *q = buf; q < nul; q++) {
			if (*q == '\n') {
				line++;
				ls = q + 1;
			}
		}
		return fail_at(p, line, (int)(nul - ls) + 1,
			       "binary data (NUL byte)");
	}
	p->toks = malloc(DMO_SC_MAX_TOKS * sizeof(*p->toks));
	if (!p->toks)
		return fail_nomem(p);
	for (p->line = 1; s < end; p->line++) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);

		if (n > DMO_SC_MAX_LINE)
			return fail_at(p, p->line, DMO_SC_MAX_LINE + 1,
				       "line too long (more than %d bytes)",
				       DMO_SC_MAX_LINE);
		p->line_len = (int)n;
		if (dmo__sc_lex_line(s, (int)n, p->toks, &p->nr_toks, &col,
				     msg, sizeof(msg)))
			return fail_at(p, p->line, col, "%s", msg);
		p->pos = 0;
		if (parse_line(p))
			return p->ret;
		last_line = p->line;
		last_col = (int)n + 1;
		s = nl ? nl + 1 : end;
	}
	return finish(p, last_line, last_col);
}

int dmo_scenario_parse_buffer(const char *path, const char *buf, size_t len,
			      struct dmo_scenario **out, char *err,
			      size_t errlen)
{
	struct parser p = {
		.path = path ? path : "<buffer>",
		.err = err,
		.errlen = errlen,
	};
	int ret;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	p.sc = calloc(1, sizeof(*p.sc));
	if (!p.sc)
		return fail_nomem(&p);
	p.sc->policy = -1;
	p.sc->quant = DMO_QUANT_NONE;
	p.sc->path = strdup(p.path);
	p.sc->name = default_name(p.path);
	if (!p.sc->path || !p.sc->name)
		ret = fail_nomem(&p);
	else
		ret = parse(&p, buf ? buf : "", buf ? len : 0);
	free(p.toks);
	if (ret) {
		dmo_scenario_free(p.sc);
		return ret;
	}
	*out = p.sc;
	return 0;
}

/* What a path that is no regular file is, for the message. */
static const char *not_regular_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	return "not a file";
}

int dmo_scenario_parse_file(const char *path, struct dmo_scenario **out,
			    char *err, size_t errlen)
{
	struct stat st;
	size_t len = 0;
	ssize_t n;
	char *buf;
	int fd, ret;

	*out = NULL;
	/*
	 * Without O_NONBLOCK, opening a FIFO waits for a writer; with it, the
	 * open returns at once and fstat() says what the path is.  Only a
	 * regular file is read.
	 */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		ret = errno == ENOENT ? -ENOENT : -EIO;
		if (err && errlen)
			snprintf(err, errlen, "%s: error: cannot open: %s",
				 path, strerror(errno));
		return ret;
	}
	if (fstat(fd, &st) != 0) {
		ret = errno;
		close(fd);
		if (err && errlen)
			snprintf(err, errlen, "%s: error: cannot read: %s",
				 path, strerror(ret));
		return -EIO;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		if (err && errlen)
			snprintf(err, errlen,
				 "%s: error: not a regular file (%s)", path,
				 not_regular_kind(st.st_mode));
		return -EIO;
	}
	/* One byte over the limit is enough to know the file is too big. */
	buf = malloc(DMO_SC_MAX_BYTES + 1);
	if (!buf) {
		close(fd);
		if (err && errlen)
			snprintf(err, errlen, "%s: error: out of memory", path);
		return -ENOMEM;
	}
	while (len < DMO_SC_MAX_BYTES + 1) {
		n = read(fd, buf + len, DMO_SC_MAX_BYTES + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (err && errlen)
				snprintf(err, errlen,
					 "%s: error: cannot read: %s", path,
					 strerror(errno));
			free(buf);
			close(fd);
			return -EIO;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (len > DMO_SC_MAX_BYTES) {
		if (err && errlen)
			snprintf(err, errlen,
				 "%s:1:1: error: file larger than %d bytes",
				 path, DMO_SC_MAX_BYTES);
		free(buf);
		return -EFBIG;
	}
	ret = dmo_scenario_parse_buffer(path, buf, len, out, err, errlen);
	free(buf);
	return ret;
}

void dmo_scenario_free(struct dmo_scenario *sc)
{
	if (!sc)
		return;
	for (int i = 0; i < sc->nr_buses; i++)
		free(sc->buses[i].name);
	free(sc->buses);
	for (int i = 0; i < sc->nr_drivers; i++)
		free(sc->drivers[i].name);
	free(sc->drivers);
	free(sc->groups);
	for (int i = 0; i < sc->nr_devices; i++) {
		free(sc->devices[i].name);
		free(sc->devices[i].match);
	}
	free(sc->devices);
	for (int i = 0; i < sc->nr_owners; i++)
		free(sc->owners[i]);
	free(sc->owners);
	for (int i = 0; i < sc->nr_threads; i++) {
		struct dmo_sc_thread *th = &sc->threads[i];

		free(th->name);
		free(th->stmts);
		for (int r = 0; r < th->nr_regs; r++)
			free(th->regs[r]);
		free(th->regs);
	}
	free(sc->threads);
	free_cond(sc->cond);
	free(sc->expects);
	free(sc->needs);
	free(sc->description);
	free(sc->name);
	free(sc->path);
	free(sc);
}

const char *dmo_scenario_name(const struct dmo_scenario *sc)
{
	return sc->name;
}

int dmo_scenario_policy(const struct dmo_scenario *sc)
{
	return sc->policy;
}
