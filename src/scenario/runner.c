// SPDX-License-Identifier: MIT
/*
 * The scenario runner: one parsed .own file becomes one program, and the
 * same program is run three ways.
 *
 *  - check: the explorer runs it under every schedule that can make a
 *    difference.  Thread 0 rebuilds the whole world from the scenario at
 *    the start of every execution, so no state leaks from one execution to
 *    the next except through the context below, whose per-execution part
 *    run() resets and whose per-search part (the final states, the
 *    violations) only the between-steps hooks touch, with every thread of
 *    the program paused.
 *  - replay: the explorer runs it under one schedule, printing each step.
 *  - run: the pthread backend runs it on real threads, many times, and the
 *    final states seen are compared with the ones the explorer listed.
 *
 * Registers are the one thing the scenario threads write outside the sync
 * seam.  Each register belongs to one thread, which alone writes it; it is
 * read only in finish() or after the threads were joined, so the join
 * orders every write before every read on either backend.
 *
 * Final states are kept as their canonical text ("P0:r0=0; owner(1)=none;
 * ..."), one copy per distinct state in a hash set, so memory grows with
 * the number of distinct outcomes, not with the number of executions.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dmaown.h"
#include "scenario/scenario.h"
#include "sync/sync.h"

enum sc_mode {
	SC_EXPLORE,		/* record final states and violations */
	SC_REPLAY,		/* one schedule: remember its final state */
	SC_REAL,		/* real threads: record states and violations */
};

/*
 * A set of distinct final states, keyed by their text.  No lock: touched
 * only by the hooks, with every program thread paused, and by the caller
 * of the explorer once it returned.
 */
struct sc_state_set {
	struct dmo__sc_state **slots;	/* open addressing, NULL: empty */
	size_t cap;			/* a power of two, or 0 */
	size_t nr;
};

/* The distinct violations seen, in order.  No lock, as the state set. */
struct sc_viol_list {
	struct dmo__sc_viol *v;
	size_t nr;
	size_t cap;
	unsigned int kinds;	/* bit per kind present */
};

struct sc_ctx;

/* What a scenario thread is started with: immutable after set-up. */
struct sc_thread_arg {
	struct sc_ctx *ctx;
	int idx;
};

/*
 * The program's argument.  No lock guards any of it: the fields marked
 * "run" are written by thread 0 while it builds the world, before any other
 * thread of the execution exists, and read by the hooks with every thread
 * paused; "thread T" fields are written only by scenario thread T (see the
 * essay on registers); "hooks" fields are touched only by the hooks and by
 * the caller of the explorer once it returned.
 */
struct sc_ctx {
	const struct dmo_scenario *sc;	/* immutable after set-up */
	enum dmo_policy policy;		/* immutable after set-up */
	const struct dmo_kernel *kernel;	/* immutable after set-up */
	enum sc_mode mode;		/* set between explorer calls */

	struct dmo_sync *s;		/* run */
	struct dmo_world *w;		/* run; reset() clears it */
	bool started;			/* run: set-up is over */
	int setup_err;			/* run */
	struct dmo_bus **buses;		/* run */
	struct dmo_driver **drivers;	/* run */
	struct dmo_group **groups;	/* run */
	struct dmo_device **devices;	/* run */
	const void **owners;		/* run */
	const void *ov_none;		/* run: the override "none" */
	bool *registered;		/* immutable after set-up */
	bool *present;			/* immutable after set-up */
	struct dmo_thread **th;		/* run */
	struct sc_thread_arg *targs;	/* immutable after set-up */
	long **regs;			/* regs[t]: thread t */

	int failed;			/* hooks: sticky error */
	struct sc_state_set states;	/* hooks */
	uint64_t complete;		/* hooks: complete executions */
	uint64_t cond_true;		/* hooks: ... with the condition */
	struct sc_viol_list viols;	/* hooks */
	const struct sc_state_set *listed; /* immutable: SC_REAL's reference */
	uint64_t cut;			/* hooks: executions cut short */
	char stopped[48];		/* what cut the search short, or "" */
	const char *cut_why;		/* ... as a phrase for verdicts */

	char *last_state;		/* hooks: SC_REPLAY's final state */
	bool last_cond;			/* hooks: the condition held in it */
	FILE *out;			/* SC_REPLAY: where steps go */
	struct dmo__sc_steps *steps;	/* SC_REPLAY: steps kept, or NULL */

	char *buf;			/* hooks: scratch for a state's text */
	size_t len;
	size_t buflen;
};

static double sc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *sc_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p)
		memcpy(p, s, n);
	return p;
}

/*
 * Schedule @*from into @*to when @*to has none, or @*from is shorter, or
 * as long and before it in byte order; true when it was taken.
 */
static bool sc_sched_take(char **to, char **from)
{
	size_t lt, lf;

	if (!*from)
		return false;
	if (*to) {
		lt = strlen(*to);
		lf = strlen(*from);
		if (lf > lt || (lf == lt && strcmp(*from, *to) >= 0))
			return false;
	}
	free(*to);
	*to = *from;
	*from = NULL;
	return true;
}

/* State set. */

static uint64_t sc_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return h;
}

static struct dmo__sc_state **sc_set_slot(const struct sc_state_set *set,
					  const char *text)
{
	size_t mask = set->cap - 1;
	size_t i = (size_t)sc_hash(text) & mask;

	while (set->slots[i] && strcmp(set->slots[i]->text, text) != 0)
		i = (i + 1) & mask;
	return &set->slots[i];
}

static struct dmo__sc_state *sc_set_find(const struct sc_state_set *set,
					 const char *text)
{
	if (set->cap == 0)
		return NULL;
	return *sc_set_slot(set, text);
}

static int sc_set_grow(struct sc_state_set *set)
{
	struct sc_state_set bigger = { .cap = set->cap ? set->cap * 2 : 16 };

	bigger.slots = calloc(bigger.cap, sizeof(*bigger.slots));
	if (!bigger.slots)
		return -ENOMEM;
	for (size_t i = 0; i < set->cap; i++)
		if (set->slots[i])
			*sc_set_slot(&bigger, set->slots[i]->text) =
				set->slots[i];
	bigger.nr = set->nr;
	free(set->slots);
	*set = bigger;
	return 0;
}

/* The state with that text, made with count 0 if new; NULL: no memory. */
static struct dmo__sc_state *sc_set_add(struct sc_state_set *set,
					const char *text, bool cond)
{
	struct dmo__sc_state **slot;

	if ((set->nr + 1) * 2 > set->cap && sc_set_grow(set))
		return NULL;
	slot = sc_set_slot(set, text);
	if (*slot)
		return *slot;
	*slot = calloc(1, sizeof(**slot));
	if (!*slot)
		return NULL;
	(*slot)->text = sc_strdup(text);
	if (!(*slot)->text) {
		free(*slot);
		*slot = NULL;
		return NULL;
	}
	(*slot)->cond = cond;
	set->nr++;
	return *slot;
}

static void sc_set_free(struct sc_state_set *set)
{
	for (size_t i = 0; i < set->cap; i++) {
		if (set->slots[i]) {
			free(set->slots[i]->text);
			free(set->slots[i]->schedule);
			free(set->slots[i]);
		}
	}
	free(set->slots);
	memset(set, 0, sizeof(*set));
}

static int sc_state_cmp(const void *a, const void *b)
{
	const struct dmo__sc_state *const *x = a, *const *y = b;

	return strcmp((*x)->text, (*y)->text);
}

/* The states of @set sorted by text, in a new array; NULL: no memory. */
static struct dmo__sc_state **sc_set_sorted(const struct sc_state_set *set)
{
	struct dmo__sc_state **v = malloc((set->nr + 1) * sizeof(*v));
	size_t n = 0;

	if (!v)
		return NULL;
	for (size_t i = 0; i < set->cap; i++)
		if (set->slots[i])
			v[n++] = set->slots[i];
	qsort(v, n, sizeof(*v), sc_state_cmp);
	return v;
}

/* Violation list. */

static void sc_viol_free(struct sc_viol_list *l)
{
	for (size_t i = 0; i < l->nr; i++) {
		free(l->v[i].message);
		free(l->v[i].fn);
		free(l->v[i].thread);
		free(l->v[i].schedule);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* The violation of @l with @kind and @msg, or NULL. */
static struct dmo__sc_viol *sc_viol_find(const struct sc_viol_list *l,
					 enum dmo_viol_kind kind,
					 const char *msg)
{
	for (size_t i = 0; i < l->nr; i++)
		if (l->v[i].kind == kind && strcmp(l->v[i].message, msg) == 0)
			return &l->v[i];
	return NULL;
}

static int sc_viol_add(struct sc_viol_list *l, enum dmo_viol_kind kind,
		       const char *msg, const char *fn, const char *thread,
		       const char *schedule)
{
	struct dmo__sc_viol *v;

	if (!msg)
		msg = "";
	v = sc_viol_find(l, kind, msg);
	if (v) {
		v->count++;
		return 0;
	}
	if (l->nr == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct dmo__sc_viol *nv = realloc(l->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = cap;
	}
	v = &l->v[l->nr];
	memset(v, 0, sizeof(*v));
	v->kind = kind;
	v->count = 1;
	v->message = sc_strdup(msg);
	v->fn = sc_strdup(fn ? fn : "-");
	v->thread = sc_strdup(thread ? thread : "-");
	v->schedule = schedule ? sc_strdup(schedule) : NULL;
	if (!v->message || !v->fn || !v->thread || (schedule && !v->schedule)) {
		free(v->message);
		free(v->fn);
		free(v->thread);
		free(v->schedule);
		return -ENOMEM;
	}
	l->nr++;
	if ((unsigned)kind < DMO_VIOL_NR)
		l->kinds |= 1u << kind;
	return 0;
}

/* Building and running the world. */

/* The token an override of the scenario stores (NULL: cleared). */
static const void *sc_override(struct sc_ctx *c, int which)
{
	if (which == DMO_SC_OV_CLEAR)
		return NULL;
	return which == DMO_SC_OV_NONE ? c->ov_none :
	       dmo_override_get(c->w, c->sc->drivers[which].name);
}

static int sc_exec(struct sc_ctx *c, const struct dmo_sc_stmt *st)
{
	struct dmo_world *w = c->w;
	struct dmo_device *dev = st->dev >= 0 ? c->devices[st->dev] : NULL;
	struct dmo_driver *drv = st->drv >= 0 ? c->drivers[st->drv] : NULL;
	struct dmo_group *g = st->group >= 0 ? c->groups[st->group] : NULL;
	const void *owner = st->owner >= 0 ? c->owners[st->owner] : NULL;

	switch (st->op) {
	case DMO_OP_BIND:
		return dmo_device_bind(w, dev, drv);
	case DMO_OP_UNBIND:
		return dmo_device_unbind(w, dev);
	case DMO_OP_ATTACH:
		return dmo_device_attach(w, dev);
	case DMO_OP_HOTPLUG:
		return dmo_device_hotplug(w, dev);
	case DMO_OP_UNPLUG:
		return dmo_device_unplug(w, dev);
	case DMO_OP_LOAD:
		return dmo_driver_register(w, drv);
	case DMO_OP_UNLOAD:
		return dmo_driver_unregister(w, drv);
	case DMO_OP_CLAIM:
		return dmo_group_claim_dma_owner(w, g, owner);
	case DMO_OP_RELEASE:
		dmo_group_release_dma_owner(w, g);
		return 0;
	case DMO_OP_CLAIM_DEV:
		return dmo_device_claim_dma_owner(w, dev, owner);
	case DMO_OP_RELEASE_DEV:
		dmo_device_release_dma_owner(w, dev);
		return 0;
	case DMO_OP_OWNED:
		return dmo_group_dma_owner_claimed(w, g) ? 1 : 0;
	case DMO_OP_VFIO_OPEN:
		return dmo_vfio_group_open(w, g);
	case DMO_OP_VFIO_CLOSE:
		return dmo_vfio_group_close(w, g);
	case DMO_OP_IOMMUFD_BIND:
		return dmo_iommufd_bind(w, dev, owner);
	case DMO_OP_IOMMUFD_UNBIND:
		return dmo_iommufd_unbind(w, dev);
	case DMO_OP_OVERRIDE:
		return dmo_device_set_override(w, dev, sc_override(c, st->drv));
	case DMO_OP_SYSFS_BIND:
		return dmo_device_sysfs_bind(w, dev, drv);
	case DMO_OP_PROBE:
		return dmo_device_drivers_probe(w, dev);
	case DMO_OP_IOMMU_PROBE:
		return dmo_device_iommu_probe(w, dev);
	case DMO_OP_ATTACH_DOMAIN:
		return dmo_attach_device(w, dev);
	case DMO_OP_DETACH_DOMAIN:
		dmo_detach_device(w, dev);
		return 0;
	case DMO_OP_VFIO_STATUS:
		return dmo_vfio_group_status(w, g);
	case DMO_OP_VFIO_DEVICE_OPEN:
		return dmo_vfio_device_open(w, dev);
	case DMO_OP_VFIO_DEVICE_CLOSE:
		return dmo_vfio_device_close(w, dev);
	case DMO_OP_NR:
		break;
	}
	return -EINVAL;
}

static void sc_thread(struct dmo_sync *s, void *arg)
{
	struct sc_thread_arg *ta = arg;
	struct sc_ctx *c = ta->ctx;
	const struct dmo_sc_thread *t = &c->sc->threads[ta->idx];

	(void)s;
	for (int i = 0; i < t->nr_stmts; i++) {
		const struct dmo_sc_stmt *st = &t->stmts[i];
		int v = sc_exec(c, st);

		if (st->reg >= 0)
			c->regs[ta->idx][st->reg] = v;
	}
}

/* Adds what the scenario declares; 0 or -ENOMEM/-EINVAL. */
static int sc_build(struct sc_ctx *c)
{
	const struct dmo_scenario *sc = c->sc;
	struct dmo_world *w = c->w;

	for (int i = 0; i < sc->nr_buses; i++) {
		c->buses[i] = dmo_bus_add_shape(w, sc->buses[i].name,
						sc->buses[i].shape);
		if (!c->buses[i])
			return -ENOMEM;
	}
	for (int i = 0; i < sc->nr_drivers; i++) {
		const struct dmo_sc_driver *d = &sc->drivers[i];

		c->drivers[i] = dmo_driver_add(w, d->name, c->buses[d->bus],
					       d->managed_dma, d->probe);
		if (!c->drivers[i])
			return -ENOMEM;
	}
	for (int i = 0; i < sc->nr_groups; i++) {
		c->groups[i] = dmo_group_add(w, sc->groups[i].id);
		if (!c->groups[i])
			return -ENOMEM;
		if (sc->groups[i].nodefault)
			dmo_group_set_nodefault(c->groups[i]);
		if (sc->groups[i].emulated)
			dmo_group_set_emulated(c->groups[i]);
		if (sc->groups[i].direct)
			dmo_group_set_direct(c->groups[i]);
	}
	for (int i = 0; i < sc->nr_devices; i++) {
		const struct dmo_sc_device *d = &sc->devices[i];

		c->devices[i] = dmo_device_add(w, d->name, c->buses[d->bus],
					       d->group >= 0 ?
					       c->groups[d->group] : NULL);
		if (!c->devices[i])
			return -ENOMEM;
		if (d->bridge)
			dmo_device_set_bridge(c->devices[i]);
		for (int m = 0; m < d->nr_match; m++) {
			int err = dmo_device_add_match(c->devices[i],
						       c->drivers[d->match[m]]);

			if (err)
				return err;
		}
	}
	for (int i = 0; i < sc->nr_owners; i++)
		c->owners[i] = dmo_owner_get(w, sc->owners[i]);
	c->ov_none = dmo_override_get(w, "none");
	return c->ov_none ? 0 : -ENOMEM;
}

/* The kernel version and configuration of the run; 0 or -EINVAL. */
static int sc_configure(struct sc_ctx *c)
{
	int err = dmo_world_set_kernel(c->w, c->kernel);

	for (int i = 0; !err && i < DMO_CONFIG_NR; i++)
		err = dmo_world_set_config(c->w, i, c->sc->config & (1u << i));
	return err;
}

static void sc_run(struct dmo_sync *s, void *arg)
{
	struct sc_ctx *c = arg;
	const struct dmo_scenario *sc = c->sc;
	int nr_started = 0;
	int err;

	c->s = s;
	c->started = false;
	c->setup_err = 0;
	for (int t = 0; t < sc->nr_threads; t++)
		memset(c->regs[t], 0, sc->threads[t].nr_regs * sizeof(long));

	c->w = dmo_world_create(s, c->policy);
	if (!c->w) {
		c->setup_err = -ENOMEM;
		return;
	}
	err = sc_configure(c);
	if (!err)
		err = sc_build(c);
	if (!err)
		err = dmo_world_start(c->w, c->registered, c->present);
	if (err) {
		c->setup_err = err;
		return;
	}
	c->started = true;

	/*
	 * Overrides are set first, then the initial bindings go through the
	 * normal probe path (device_driver_attach(), no override written),
	 * one after the other in declaration order; a bind that fails simply
	 * leaves the device unbound, as it would on a booting machine.
	 */
	for (int i = 0; i < sc->nr_devices; i++) {
		int ov = sc->devices[i].override;

		if (ov != DMO_SC_OV_CLEAR)
			dmo_device_set_override(c->w, c->devices[i],
						sc_override(c, ov));
	}
	for (int i = 0; i < sc->nr_devices; i++) {
		int drv = sc->devices[i].bound;

		if (drv >= 0)
			dmo_device_driver_attach(c->w, c->devices[i],
						 c->drivers[drv]);
	}

	for (; nr_started < sc->nr_threads; nr_started++) {
		err = dmo_thread_create(s, &c->th[nr_started],
					sc->threads[nr_started].name, sc_thread,
					&c->targs[nr_started]);
		if (err) {
			c->setup_err = err < 0 ? err : -ENOMEM;
			break;
		}
	}
	for (int t = 0; t < nr_started; t++)
		dmo_thread_join(s, c->th[t]);
}

/* The final state and the condition. */

static void sc_buf_printf(struct sc_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sc_buf_printf(struct sc_ctx *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(c->buf + c->len, c->buflen - c->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			c->failed = -EINVAL;
			return;
		}
		if (c->len + (size_t)n < c->buflen)
			break;
		size_t cap = (c->buflen + (size_t)n + 1) * 2;
		char *nb = realloc(c->buf, cap);

		if (!nb) {
			c->failed = -ENOMEM;
			return;
		}
		c->buf = nb;
		c->buflen = cap;
	}
	c->len += (size_t)n;
}

static void sc_print_value(struct sc_ctx *c, long v)
{
	const char *name = dmo__sc_errno_name(v);

	if (name)
		sc_buf_printf(c, "%s", name);
	else
		sc_buf_printf(c, "%ld", v);
}

/* The canonical text of the current final state, in c->buf; NULL: no memory. */
static const char *sc_state_text(struct sc_ctx *c)
{
	const struct dmo_scenario *sc = c->sc;
	const char *sep = "";

	c->len = 0;
	if (c->buflen)
		c->buf[0] = '\0';
	for (int t = 0; t < sc->nr_threads; t++) {
		for (int r = 0; r < sc->threads[t].nr_regs; r++) {
			sc_buf_printf(c, "%s%s:%s=", sep, sc->threads[t].name,
				      sc->threads[t].regs[r]);
			sc_print_value(c, c->regs[t][r]);
			sep = " ";
			sc_buf_printf(c, ";");
		}
	}
	for (int i = 0; i < sc->nr_groups; i++) {
		const struct dmo_group *g = c->groups[i];

		sc_buf_printf(c, "%sowner(%d)=%s; owner_cnt(%d)=%d;", sep,
			      sc->groups[i].id,
			      dmo_owner_name(c->w, dmo_group_owner(g)),
			      sc->groups[i].id, dmo_group_owner_cnt(g));
		sep = " ";
	}
	for (int i = 0; i < sc->nr_devices; i++) {
		sc_buf_printf(c, "%sdriver(%s)=%s;", sep, sc->devices[i].name,
			      dmo_device_driver_name(c->devices[i]));
		sep = " ";
	}
	return c->failed ? NULL : (c->buf ? c->buf : "");
}

static bool sc_cond_eval(const struct sc_ctx *c, const struct dmo_sc_cond *e)
{
	const struct dmo_scenario *sc = c->sc;
	bool v;

	switch (e->kind) {
	case DMO_COND_AND:
		return sc_cond_eval(c, e->left) && sc_cond_eval(c, e->right);
	case DMO_COND_OR:
		return sc_cond_eval(c, e->left) || sc_cond_eval(c, e->right);
	case DMO_COND_NOT:
		return !sc_cond_eval(c, e->left);
	case DMO_COND_REG:
		v = c->regs[e->thread][e->reg] == e->value;
		break;
	case DMO_COND_OWNER:
		v = strcmp(dmo_owner_name(c->w,
					  dmo_group_owner(c->groups[e->group])),
			   e->owner >= 0 ? sc->owners[e->owner] : "none") == 0;
		break;
	case DMO_COND_OWNER_CNT:
		v = dmo_group_owner_cnt(c->groups[e->group]) == e->value;
		break;
	case DMO_COND_DRIVER:
		v = strcmp(dmo_device_driver_name(c->devices[e->dev]),
			   e->drv >= 0 ? sc->drivers[e->drv].name :
			   "none") == 0;
		break;
	default:
		return false;
	}
	return e->negated ? !v : v;
}

/* Records the final state of a complete execution (or real run). */
static void sc_record(struct sc_ctx *c)
{
	const char *text = sc_state_text(c);
	bool cond = c->sc->cond ? sc_cond_eval(c, c->sc->cond) : false;
	struct dmo__sc_state *st;

	if (!text)
		return;
	if (c->mode == SC_REPLAY) {
		free(c->last_state);
		c->last_state = sc_strdup(text);
		c->last_cond = cond;
		if (!c->last_state)
			c->failed = -ENOMEM;
		return;
	}
	st = sc_set_add(&c->states, text, cond);
	if (!st) {
		c->failed = -ENOMEM;
		return;
	}
	if (c->listed)
		st->listed = sc_set_find(c->listed, text) != NULL;
	if (c->mode == SC_EXPLORE && st->count == 0) {
		/* "": the explorer had no memory to spell it. */
		const char *sched = dmo_explore_schedule(c->s);

		st->schedule = *sched ? sc_strdup(sched) : NULL;
		if (!st->schedule)
			c->failed = -ENOMEM;
	}
	st->count++;
	c->complete++;
	if (cond)
		c->cond_true++;
}

/* Explorer hooks. */

static void sc_flag(void *arg, enum dmo_viol_kind kind, const char *msg)
{
	struct sc_ctx *c = arg;

	if (c->mode == SC_REAL) {
		if (sc_viol_add(&c->viols, kind, msg, "dmo_world_check", "-",
				NULL))
			c->failed = -ENOMEM;
		return;
	}
	dmo_explore_flag(c->s, kind, msg);
}

static void sc_step_check(struct dmo_sync *s, void *arg)
{
	struct sc_ctx *c = arg;

	(void)s;
	if (c->w && c->started)
		dmo_world_check(c->w, false, sc_flag, c);
}

/*
 * An execution that a BUG, a use after free or a deadlock ended has no
 * final state: it is not among the executions= of the summary, which says
 * how many there were instead.  Traces replayed for the report are not
 * counted.
 */
static void sc_count_cut(struct sc_ctx *c)
{
	if (c->mode == SC_EXPLORE)
		c->cut++;
}

static void sc_finish(struct dmo_sync *s, void *arg, bool complete)
{
	struct sc_ctx *c = arg;

	(void)s;
	if (!c->w || !c->started || c->setup_err) {
		if (c->setup_err && !c->failed)
			c->failed = c->setup_err;
		return;
	}
	if (!complete) {
		sc_count_cut(c);
		return;
	}
	dmo_world_check(c->w, true, sc_flag, c);
	sc_record(c);
}

static void sc_reset(void *arg)
{
	struct sc_ctx *c = arg;

	dmo_world_destroy(c->w);
	c->w = NULL;
	c->started = false;
}

static const struct dmo_program sc_program = {
	.run = sc_run,
	.step_check = sc_step_check,
	.finish = sc_finish,
	.reset = sc_reset,
};

static void sc_on_violation(void *arg, const struct dmo_violation *v)
{
	struct sc_ctx *c = arg;

	if (sc_viol_add(&c->viols, v->kind, v->message, v->fn, v->thread,
			v->schedule))
		c->failed = -ENOMEM;
}

/* Context life. */

static void sc_ctx_free(struct sc_ctx *c)
{
	if (c->regs)
		for (int t = 0; t < c->sc->nr_threads; t++)
			free(c->regs[t]);
	free(c->regs);
	free(c->buses);
	free(c->drivers);
	free(c->groups);
	free(c->devices);
	free(c->owners);
	free(c->registered);
	free(c->present);
	free(c->th);
	free(c->targs);
	sc_set_free(&c->states);
	sc_viol_free(&c->viols);
	free(c->last_state);
	free(c->buf);
}

/* calloc that gives a valid pointer for zero elements too. */
static void *sc_calloc(int n, size_t size)
{
	return calloc(n > 0 ? (size_t)n : 1, size);
}

static int sc_ctx_init(struct sc_ctx *c, const struct dmo_scenario *sc,
		       enum dmo_policy policy, enum sc_mode mode)
{
	memset(c, 0, sizeof(*c));
	c->sc = sc;
	c->policy = policy;
	c->kernel = dmo_scenario_policy_kernel(sc, policy);
	c->mode = mode;
	c->buses = sc_calloc(sc->nr_buses, sizeof(*c->buses));
	c->drivers = sc_calloc(sc->nr_drivers, sizeof(*c->drivers));
	c->groups = sc_calloc(sc->nr_groups, sizeof(*c->groups));
	c->devices = sc_calloc(sc->nr_devices, sizeof(*c->devices));
	c->owners = sc_calloc(sc->nr_owners, sizeof(*c->owners));
	c->registered = sc_calloc(sc->nr_drivers, sizeof(*c->registered));
	c->present = sc_calloc(sc->nr_devices, sizeof(*c->present));
	c->th = sc_calloc(sc->nr_threads, sizeof(*c->th));
	c->targs = sc_calloc(sc->nr_threads, sizeof(*c->targs));
	c->regs = sc_calloc(sc->nr_threads, sizeof(*c->regs));
	if (!c->buses || !c->drivers || !c->groups || !c->devices ||
	    !c->owners || !c->registered || !c->present || !c->th ||
	    !c->targs || !c->regs)
		goto err_free;
	for (int t = 0; t < sc->nr_threads; t++) {
		c->regs[t] = sc_calloc(sc->threads[t].nr_regs, sizeof(long));
		if (!c->regs[t])
			goto err_free;
		c->targs[t].ctx = c;
		c->targs[t].idx = t;
	}
	for (int i = 0; i < sc->nr_drivers; i++)
		c->registered[i] = !sc->drivers[i].unloaded;
	for (int i = 0; i < sc->nr_devices; i++)
		c->present[i] = !sc->devices[i].absent;
	return 0;

err_free:
	sc_ctx_free(c);
	return -ENOMEM;
}

/* Judging. */

static const char *sc_observation(const struct sc_ctx *c)
{
	/* Without a complete execution there is nothing to observe. */
	if (c->sc->quant == DMO_QUANT_NONE || c->complete == 0)
		return NULL;
	if (c->cond_true == 0)
		return "Never";
	if (c->cond_true == c->complete)
		return "Always";
	return "Sometimes";
}

/*
 * Judging, line by line.
 *
 * What was seen decides an expectation only as far as it reaches.  A full
 * search saw every execution, so each line either held or failed.  A search
 * cut short (--first, a limit, a random sample), a sample of real-thread
 * runs or one replayed execution saw only some: what they saw can
 * contradict a line (a violation where `ok` forbids one, the condition true
 * once under `Never`) or show it true for good (a violation that
 * `violation KIND` expects), but it can never show that something does not
 * happen.  Such a line stays unjudged, and a result with an unjudged line
 * and no failed one is neither PASS nor FAIL: never PASS.
 */

/* What a judgement is made from.  On the caller's stack: no lock. */
struct sc_seen {
	unsigned int kinds;	/* kinds seen */
	uint64_t seen;		/* executions or runs seen, cut short or not */
	uint64_t complete;	/* ... that reached a final state */
	uint64_t cond_true;	/* ... in which the condition held */
	bool partial;		/* not every execution was seen */
	unsigned int blind;	/* kinds that what ran can never show */
	const char *what;	/* what was seen: "execution", "real-thread run" */
	const char *how;	/* after it: " explored" */
	const char *cut;	/* partial: why the rest is unknown */
	const char *found;	/* who found the kinds: "" or " by the explorer" */
};

static void sc_kinds_text(char *buf, size_t len, unsigned int kinds)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int k = 0; k < DMO_VIOL_NR && n < len; k++)
		if (kinds & (1u << k))
			n += (size_t)snprintf(buf + n, len - n, "%s%s",
					      n ? "," : "",
					      dmo_viol_kind_name(k));
	if (!kinds)
		snprintf(buf, len, "none");
}

static void sc_set_verdict(struct dmo__sc_verdict *v,
			   enum dmo__sc_verdict_state state, const char *fmt,
			   ...) __attribute__((format(printf, 3, 4)));

static void sc_set_verdict(struct dmo__sc_verdict *v,
			   enum dmo__sc_verdict_state state, const char *fmt,
			   ...)
{
	va_list ap;

	v->state = state;
	va_start(ap, fmt);
	vsnprintf(v->why, sizeof(v->why), fmt, ap);
	va_end(ap);
}

/* "3 executions explored", "1 real-thread run", ...: what was seen. */
static const char *sc_seen_count(char *buf, size_t len,
				 const struct sc_seen *s, uint64_t n)
{
	int k = snprintf(buf, len, "%llu ", (unsigned long long)n);

	if (k > 0 && (size_t)k < len)
		snprintf(buf + k, len - (size_t)k, "%s%s%s", s->what,
			 n == 1 ? "" : "s", s->how ? s->how : "");
	return buf;
}

/* @fact held in everything seen: held for good, or unjudged. */
static void sc_held_so_far(struct dmo__sc_verdict *v, const struct sc_seen *s,
			   const char *fact)
{
	char seen[64];

	sc_seen_count(seen, sizeof(seen), s, s->seen);
	if (s->partial)
		sc_set_verdict(v, DMO__SC_OPEN, "%s in %s, but %s", fact, seen,
			       s->cut);
	else
		sc_set_verdict(v, DMO__SC_HELD, "%s in %s%s", fact,
			       s->seen == 1 ? "the " : "all ", seen);
}

static const char *sc_obs_name(uint64_t t, uint64_t n)
{
	return t == 0 ? "Never" : t == n ? "Always" : "Sometimes";
}

/* Always, Sometimes or Never, once no violation was seen. */
static void sc_verdict_obs(struct dmo__sc_verdict *v, const struct sc_seen *s,
			   enum dmo_sc_result want)
{
	unsigned long long t = s->cond_true, n = s->complete;
	char fact[96], seen[64];

	if (n == 0) {
		if (s->partial)
			sc_set_verdict(v, DMO__SC_OPEN,
				       "no execution with a final state yet, and %s",
				       s->cut);
		else
			sc_set_verdict(v, DMO__SC_FAILED,
				       "no execution reached a final state, so nothing was observed");
		return;
	}
	snprintf(fact, sizeof(fact), "the condition held in %llu of %s", t,
		 sc_seen_count(seen, sizeof(seen), s, n));
	if ((want == DMO_RES_ALWAYS && t != n) ||
	    (want == DMO_RES_NEVER && t != 0) ||
	    (want == DMO_RES_SOMETIMES && !s->partial && (t == 0 || t == n))) {
		sc_set_verdict(v, DMO__SC_FAILED, "%s (%s)", fact,
			       sc_obs_name(t, n));
		return;
	}
	if (!s->partial) {
		sc_set_verdict(v, DMO__SC_HELD, "%s (%s)", fact,
			       sc_obs_name(t, n));
		return;
	}
	if (want == DMO_RES_SOMETIMES && t != 0 && t != n)
		sc_set_verdict(v, DMO__SC_OPEN,
			       "%s (Sometimes, as expected), but that no violation can happen is unknown: %s",
			       fact, s->cut);
	else
		sc_set_verdict(v, DMO__SC_OPEN, "%s so far, but %s", fact,
			       s->cut);
}

static void sc_verdict_line(struct dmo__sc_verdict *v, const struct sc_seen *s,
			    const struct dmo_sc_expect *e)
{
	unsigned int bit = 1u << e->kind;
	char kinds[96], seen[64];

	sc_kinds_text(kinds, sizeof(kinds), s->kinds);
	v->e = e;
	switch (e->result) {
	case DMO_RES_OK:
		if (s->kinds)
			sc_set_verdict(v, DMO__SC_FAILED,
				       "found violation %s", kinds);
		else
			sc_held_so_far(v, s, "no violation");
		return;
	case DMO_RES_ALWAYS:
	case DMO_RES_SOMETIMES:
	case DMO_RES_NEVER:
		if (s->kinds && !e->bare)
			sc_set_verdict(v, DMO__SC_FAILED,
				       "found violation %s (an observation implies ok)",
				       kinds);
		else
			sc_verdict_obs(v, s, e->result);
		return;
	case DMO_RES_VIOLATION:
		break;
	}
	if (s->kinds & bit)
		sc_set_verdict(v, DMO__SC_HELD, "%s found%s",
			       dmo_viol_kind_name(e->kind),
			       s->found ? s->found : "");
	else if (s->blind & bit)
		sc_set_verdict(v, DMO__SC_OPEN, "%s: %s",
			       e->kind == DMO_VIOL_RACE ?
			       "real threads have no race detector" :
			       "no real-thread run is made where it can happen (it would crash or hang)",
			       "only the explorer can judge it");
	else if (s->partial)
		sc_set_verdict(v, DMO__SC_OPEN, "no %s in %s, but %s",
			       dmo_viol_kind_name(e->kind),
			       sc_seen_count(seen, sizeof(seen), s, s->seen),
			       s->cut);
	else
		sc_set_verdict(v, DMO__SC_FAILED,
			       "no execution shows a %s violation (found: %s)",
			       dmo_viol_kind_name(e->kind), kinds);
}

/* A file without expect lines: SCENARIO.md's default rule. */
static void sc_verdict_default(struct dmo__sc_verdict *v,
			       const struct sc_seen *s,
			       enum dmo_sc_quant quant)
{
	unsigned long long t = s->cond_true, n = s->complete;
	char kinds[96], seen[64];

	v->rule = "no expect line: no violation, and the condition as its quantifier says";
	sc_kinds_text(kinds, sizeof(kinds), s->kinds);
	if (s->kinds) {
		sc_set_verdict(v, DMO__SC_FAILED, "found violation %s", kinds);
		return;
	}
	if ((quant == DMO_QUANT_EXISTS && t == 0 && !s->partial) ||
	    (quant == DMO_QUANT_FORALL &&
	     (t != n || (n == 0 && !s->partial))) ||
	    (quant == DMO_QUANT_NOT_EXISTS && t != 0)) {
		sc_set_verdict(v, DMO__SC_FAILED,
			       "the condition held in %llu of %s (%s)", t,
			       sc_seen_count(seen, sizeof(seen), s, n),
			       n ? sc_obs_name(t, n) : "nothing observed");
		return;
	}
	sc_held_so_far(v, s, "no violation");
}

/* Whether an expect line speaks of this run: its policy and its kernel. */
static bool sc_expect_for_run(const struct sc_ctx *c,
			      const struct dmo_sc_expect *e)
{
	if (e->policy >= 0 && e->policy != (int)c->policy)
		return false;
	if (e->kmin && dmo_kernel_cmp(c->kernel, e->kmin) < 0)
		return false;
	return !e->kmax || dmo_kernel_cmp(c->kernel, e->kmax) <= 0;
}

/*
 * Judges every applicable expect line of the scenario, then the rule that
 * every kind found is named, into o->verdicts (a new array; freed by the
 * caller).  Return: the overall judgement, or -ENOMEM.
 */
static int sc_judge_all(const struct sc_ctx *c, const struct sc_seen *s,
			struct dmo__sc_outcome *o)
{
	const struct dmo_scenario *sc = c->sc;
	unsigned int named = 0;
	bool failed = false, open = false;
	size_t n = 0;

	o->verdicts = calloc((size_t)sc->nr_expects + 1, sizeof(*o->verdicts));
	if (!o->verdicts)
		return -ENOMEM;
	for (int i = 0; i < sc->nr_expects; i++) {
		const struct dmo_sc_expect *e = &sc->expects[i];

		if (!sc_expect_for_run(c, e))
			continue;
		if (e->result == DMO_RES_VIOLATION)
			named |= 1u << e->kind;
		sc_verdict_line(&o->verdicts[n++], s, e);
	}
	if (named) {
		struct dmo__sc_verdict *v = &o->verdicts[n++];
		char kinds[96];

		v->rule = "every kind found is named by an expect line";
		sc_kinds_text(kinds, sizeof(kinds), s->kinds & ~named);
		if (s->kinds & ~named)
			sc_set_verdict(v, DMO__SC_FAILED,
				       "found violation %s, which no expect line for %s names",
				       kinds, dmo_policy_name(c->policy));
		else
			sc_held_so_far(v, s, "no other kind");
	} else if (n == 0 && sc->nr_expects == 0) {
		sc_verdict_default(&o->verdicts[n++], s, sc->quant);
	}
	o->nr_verdicts = n;
	for (size_t i = 0; i < n; i++) {
		failed |= o->verdicts[i].state == DMO__SC_FAILED;
		open |= o->verdicts[i].state == DMO__SC_OPEN;
	}
	if (n == 0)
		return DMO__SC_UNJUDGED;
	if (failed)
		return DMO__SC_FAIL;
	return open ? DMO__SC_UNDECIDED : DMO__SC_PASS;
}

/* What the explorer's search saw, for sc_judge_all(). */
static void sc_seen_explored(struct sc_seen *s, const struct sc_ctx *c,
			     bool partial)
{
	memset(s, 0, sizeof(*s));
	s->kinds = c->viols.kinds;
	s->seen = c->complete + c->cut;
	s->complete = c->complete;
	s->cond_true = c->cond_true;
	s->partial = partial;
	s->what = "execution";
	s->how = " explored";
	s->cut = c->cut_why;
}

/*
 * What cut a search short, as the summary's stopped= field and as a
 * phrase for the verdicts, into c->stopped and c->cut_why.
 */
static void sc_stop_reason(struct sc_ctx *c, const struct dmo_explore_opts *o,
			   const struct dmo_explore_result *r)
{
	if (o->first && c->viols.nr) {
		snprintf(c->stopped, sizeof(c->stopped), "first");
		c->cut_why = "--first stopped the search";
	} else if (o->max_executions && r->executions >= o->max_executions) {
		snprintf(c->stopped, sizeof(c->stopped),
			 "max-executions:%llu",
			 (unsigned long long)o->max_executions);
		c->cut_why = "--max-executions stopped the search";
	} else if (o->mode == DMO_EXPLORE_RANDOM &&
		   r->executions >= o->iterations) {
		snprintf(c->stopped, sizeof(c->stopped), "random:%llu",
			 (unsigned long long)o->iterations);
		c->cut_why = "a random sample of schedules misses others";
	} else if (o->time_limit > 0) {
		snprintf(c->stopped, sizeof(c->stopped), "time-limit:%g",
			 o->time_limit);
		c->cut_why = "the time limit stopped the search";
	} else {
		snprintf(c->stopped, sizeof(c->stopped), "early");
		c->cut_why = "the search stopped before its end";
	}
}

/* Fills @o from @c; o->states is a new array (NULL: no memory). */
static int sc_outcome(struct dmo__sc_outcome *o, const struct sc_ctx *c)
{
	memset(o, 0, sizeof(*o));
	o->sc = c->sc;
	o->policy = c->policy;
	o->kernel = c->kernel;
	o->executions = c->complete;
	o->states = sc_set_sorted(&c->states);
	if (!o->states)
		return -ENOMEM;
	o->nr_states = c->states.nr;
	o->observation = sc_observation(c);
	for (size_t i = 0; i < o->nr_states && !o->counter; i++) {
		const struct dmo__sc_state *st = o->states[i];

		if (st->schedule &&
		    ((c->sc->quant == DMO_QUANT_FORALL && !st->cond) ||
		     (c->sc->quant == DMO_QUANT_NOT_EXISTS && st->cond)))
			o->counter = st;
	}
	o->viols = c->viols.v;
	o->nr_viols = c->viols.nr;
	o->kinds = c->viols.kinds;
	return 0;
}

/* The trace of one schedule, for the text report. */

static void sc_trace_step(void *arg, const struct dmo_step *st)
{
	struct sc_ctx *c = arg;

	fprintf(c->out, "    %s\n", st->line);
}

static void sc_trace(void *arg, const char *schedule, FILE *out)
{
	struct sc_ctx *c = arg;

	c->mode = SC_REPLAY;
	c->out = out;
	if (dmo_explore_replay(&sc_program, c, schedule, sc_trace_step, NULL,
			       c))
		fprintf(out, "    (the schedule no longer replays)\n");
	c->mode = SC_EXPLORE;
}

/* The steps of one schedule, kept for a picture. */

static void sc_keep_step(void *arg, const struct dmo_step *st)
{
	struct sc_ctx *c = arg;

	if (c->steps && dmo__sc_steps_add(c->steps, st))
		c->failed = -ENOMEM;
}

static int sc_keep(void *arg, const char *schedule,
		   struct dmo__sc_steps *steps)
{
	struct sc_ctx *c = arg;
	enum sc_mode mode = c->mode;
	int ret;

	c->mode = SC_REPLAY;
	c->steps = steps;
	ret = dmo_explore_replay(&sc_program, c, schedule, sc_keep_step,
				 NULL, c);
	c->steps = NULL;
	c->mode = mode;
	return ret ? ret : c->failed;
}

/*
 * Worker @w's findings into @c: its states (with the first schedule of
 * each, when @c has none), its violations, its counts.  A violation's
 * schedule is the shortest of those found, then the first in byte order,
 * so that which worker found it first does not show.
 */
static int sc_ctx_join(struct sc_ctx *c, struct sc_ctx *w)
{
	for (size_t i = 0; i < w->states.cap; i++) {
		struct dmo__sc_state *st = w->states.slots[i], *to;

		if (!st)
			continue;
		to = sc_set_add(&c->states, st->text, st->cond);
		if (!to)
			return -ENOMEM;
		to->count += st->count;
		sc_sched_take(&to->schedule, &st->schedule);
	}
	for (size_t i = 0; i < w->viols.nr; i++) {
		struct dmo__sc_viol *v = &w->viols.v[i];
		struct dmo__sc_viol *to = sc_viol_find(&c->viols, v->kind,
						       v->message);

		if (!to) {
			if (sc_viol_add(&c->viols, v->kind, v->message, v->fn,
					v->thread, v->schedule))
				return -ENOMEM;
			c->viols.v[c->viols.nr - 1].count = v->count;
			continue;
		}
		to->count += v->count;
		/* The function and thread go with the schedule shown. */
		if (sc_sched_take(&to->schedule, &v->schedule)) {
			free(to->fn);
			free(to->thread);
			to->fn = v->fn;
			to->thread = v->thread;
			v->fn = NULL;
			v->thread = NULL;
		}
	}
	c->complete += w->complete;
	c->cond_true += w->cond_true;
	c->cut += w->cut;
	if (!c->failed)
		c->failed = w->failed;
	return 0;
}

static int sc_viol_cmp(const void *a, const void *b)
{
	const struct dmo__sc_viol *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return strcmp(x->message, y->message);
}

/*
 * The search of @c's scenario by @n workers (dmo_explore_parallel()),
 * each with a context of its own, joined into @c.  The workers find
 * violations in an order of their own: the list is sorted by kind and
 * message instead, so that the report of one run is the report of every
 * run.
 */
static int sc_explore_parallel(struct sc_ctx *c, int n,
			       const struct dmo_explore_opts *eo,
			       struct dmo_explore_result *r)
{
	struct sc_ctx *w = calloc((size_t)n, sizeof(*w));
	void *args[DMO_EXPLORE_MAX_THREADS];
	int err = 0, k;

	if (!w)
		return -ENOMEM;
	args[0] = c;
	for (k = 1; k < n && !err; k++) {
		err = sc_ctx_init(&w[k], c->sc, c->policy, SC_EXPLORE);
		w[k].kernel = c->kernel;
		args[k] = &w[k];
	}
	if (!err)
		err = dmo_explore_parallel(&sc_program, args, 0, n, eo, r);
	for (int j = 1; j < k; j++) {
		if (!err)
			err = sc_ctx_join(c, &w[j]);
		sc_ctx_free(&w[j]);
	}
	free(w);
	if (!err && c->viols.nr > 1)
		qsort(c->viols.v, c->viols.nr, sizeof(*c->viols.v),
		      sc_viol_cmp);
	return err;
}

int dmo_scenario_check(const struct dmo_scenario *sc, enum dmo_policy policy,
		       const struct dmo_check_opts *opts, FILE *out)
{
	return dmo_scenario_check_at(sc, policy,
				     dmo_scenario_policy_kernel(sc, policy),
				     opts, out);
}

int dmo_scenario_check_at(const struct dmo_scenario *sc,
			  enum dmo_policy policy,
			  const struct dmo_kernel *kernel,
			  const struct dmo_check_opts *opts, FILE *out)
{
	static const struct dmo_check_opts defaults;
	struct dmo_explore_result r = { .on_violation = sc_on_violation };
	struct dmo__sc_outcome o;
	struct sc_seen seen;
	struct sc_ctx c;
	bool stopped, limited;
	double t0;
	int err, judged;

	if (!opts)
		opts = &defaults;
	if (dmo_scenario_applies(sc, policy, kernel, NULL, 0))
		return -EINVAL;
	err = sc_ctx_init(&c, sc, policy, SC_EXPLORE);
	if (err)
		return err;
	c.kernel = kernel;
	r.arg = &c;
	t0 = sc_now();
	if (opts->threads > 1)
		err = sc_explore_parallel(&c, opts->threads, &opts->explore,
					  &r);
	else
		err = dmo_explore(&sc_program, &c, &opts->explore, &r);
	if (!err)
		err = c.failed;
	if (err)
		goto out_free;
	err = sc_outcome(&o, &c);
	if (err)
		goto out_free;
	o.seconds = sc_now() - t0;

	stopped = !r.complete;
	limited = stopped && !(opts->explore.first && c.viols.nr);
	if (limited)
		o.result = DMO__SC_INCOMPLETE;
	else
		o.result = c.viols.nr ? DMO__SC_VIOLATION : DMO__SC_OK;
	if (stopped) {
		sc_stop_reason(&c, &opts->explore, &r);
		o.stopped = c.stopped;
	}
	o.cut_short = c.cut;
	if (opts->threads > 1) {
		o.threads = opts->threads;
		o.redundant = r.redundant;
	}
	sc_seen_explored(&seen, &c, stopped);
	judged = sc_judge_all(&c, &seen, &o);
	if (judged < 0) {
		free(o.states);
		err = judged;
		goto out_free;
	}
	o.judged = (enum dmo__sc_judged)judged;

	if (opts->json)
		dmo__sc_report_json(out, &o);
	else
		dmo__sc_report_text(out, &o, opts->quiet,
				    opts->argv0 ? opts->argv0 : "dmaown",
				    sc_trace, &c);
	fflush(out);
	if (opts->svg_dir || opts->html)
		err = dmo__sc_pictures(&o, opts, sc_keep, &c);
	free(o.states);
	free(o.verdicts);
	if (err)
		goto out_free;
	/* A cut-short search whose expectations held so far: not a pass. */
	if (o.judged == DMO__SC_FAIL)
		err = 1;
	else if (o.result == DMO__SC_INCOMPLETE ||
		 o.judged == DMO__SC_UNDECIDED)
		err = 3;
	else
		err = 0;
out_free:
	sc_ctx_free(&c);
	return err;
}

/* Replay. */

static void sc_replay_step(void *arg, const struct dmo_step *st)
{
	struct sc_ctx *c = arg;

	fprintf(c->out, "  %s\n", st->line);
}

/*
 * The verdict on one replayed execution: whether it shows the kind its
 * schedule was reported for (@kind), or, without one, whether it
 * contradicts the expect lines.  Return: 0 good, 1 not, -ENOMEM.
 */
static int sc_replay_verdict(const struct sc_ctx *c, int kind, FILE *out)
{
	struct dmo__sc_outcome o;
	struct sc_seen s;
	char kinds[96];
	int judged;

	if (kind >= 0 && kind < DMO_VIOL_NR) {
		bool shown = c->viols.kinds & (1u << kind);

		sc_kinds_text(kinds, sizeof(kinds), c->viols.kinds);
		fprintf(out, "Verdict %s: the execution %s the %s violation "
			"it was reported for (it shows: %s)\n",
			shown ? "HELD" : "FAIL",
			shown ? "shows" : "does not show",
			dmo_viol_kind_name(kind), kinds);
		return shown ? 0 : 1;
	}
	memset(&o, 0, sizeof(o));
	o.sc = c->sc;
	memset(&s, 0, sizeof(s));
	s.kinds = c->viols.kinds;
	s.seen = 1;
	s.complete = c->last_state ? 1 : 0;
	s.cond_true = c->last_state && c->last_cond;
	s.partial = true;
	s.what = "execution";
	s.how = " replayed";
	s.cut = "one execution says nothing of the others";
	judged = sc_judge_all(c, &s, &o);
	if (judged < 0)
		return judged;
	dmo__sc_report_verdicts(out, &o, "");
	free(o.verdicts);
	if (judged == DMO__SC_UNJUDGED)
		fprintf(out, "Verdict UNJUDGED: no expect line of the file "
			"applies to policy %s\n", dmo_policy_name(c->policy));
	return judged == DMO__SC_FAIL;
}

int dmo_scenario_replay(const struct dmo_scenario *sc, enum dmo_policy policy,
			const char *schedule, int kind, FILE *out, char *err,
			size_t errlen)
{
	return dmo_scenario_replay_at(sc, policy,
				      dmo_scenario_policy_kernel(sc, policy),
				      schedule, kind, out, err, errlen);
}

int dmo_scenario_replay_at(const struct dmo_scenario *sc,
			   enum dmo_policy policy,
			   const struct dmo_kernel *kernel,
			   const char *schedule, int kind, FILE *out,
			   char *err, size_t errlen)
{
	struct sc_ctx c;
	char *trace = NULL;
	size_t trace_len = 0;
	int ret;

	if (dmo_scenario_applies(sc, policy, kernel, err, errlen))
		return -EINVAL;
	ret = sc_ctx_init(&c, sc, policy, SC_REPLAY);
	if (ret)
		return ret;
	c.kernel = kernel;
	/*
	 * Whether a schedule fits is known only once it has run out: the
	 * trace waits in memory so that a bad schedule prints nothing but
	 * its error.
	 */
	c.out = open_memstream(&trace, &trace_len);
	if (!c.out) {
		sc_ctx_free(&c);
		return -ENOMEM;
	}
	ret = dmo_explore_replay(&sc_program, &c, schedule, sc_replay_step,
				 sc_on_violation, &c);
	fclose(c.out);
	c.out = out;
	if (!ret)
		ret = c.failed;
	if (!ret) {
		fprintf(out, "Replay %s (policy %s, kernel %s)\n", sc->name,
			dmo_policy_name(policy), dmo_kernel_name(kernel));
		fprintf(out, "Schedule: %s\n", schedule);
		fprintf(out, "Trace:\n");
		fwrite(trace, 1, trace_len, out);
	}
	free(trace);
	if (ret == -EINVAL) {
		snprintf(err, errlen,
			 "schedule '%s' does not fit %s under policy %s at kernel %s",
			 schedule, sc->name, dmo_policy_name(policy),
			 dmo_kernel_name(kernel));
		goto out_free;
	}
	if (ret) {
		snprintf(err, errlen, "%s", strerror(-ret));
		goto out_free;
	}
	if (c.last_state) {
		fprintf(out, "Final state: %s\n", c.last_state);
		if (sc->cond)
			fprintf(out, "Condition: %s\n",
				c.last_cond ? "true" : "false");
	} else {
		fputs("Final state: none (the execution was cut short)\n",
		      out);
	}
	for (size_t i = 0; i < c.viols.nr; i++) {
		const struct dmo__sc_viol *v = &c.viols.v[i];

		fprintf(out, "Violation %s: %s\n", dmo_viol_kind_name(v->kind),
			v->message);
		fprintf(out, "  in %s, thread %s\n", v->fn, v->thread);
	}
	ret = sc_replay_verdict(&c, kind, out);
	if (ret < 0)
		goto out_free;
	fprintf(out, "%s %s %s kernel=%s%s", c.viols.nr ? "violation" : "ok",
		sc->name, dmo_policy_name(policy), dmo_kernel_name(kernel),
		c.viols.nr ? " violation=" : "");
	if (c.viols.nr)
		dmo__sc_print_kinds(out, c.viols.kinds);
	fprintf(out, "\n");
	fflush(out);
out_free:
	sc_ctx_free(&c);
	return ret;
}

int dmo_scenario_replay_svg(const struct dmo_scenario *sc,
			    enum dmo_policy policy,
			    const struct dmo_kernel *kernel,
			    const char *schedule, const char *argv0, FILE *out,
			    char *err, size_t errlen)
{
	struct dmo__sc_steps steps = { 0 };
	const struct dmo__sc_viol **feat = NULL;
	struct sc_ctx c;
	int ret;

	if (!kernel)
		kernel = dmo_scenario_policy_kernel(sc, policy);
	if (dmo_scenario_applies(sc, policy, kernel, err, errlen))
		return -EINVAL;
	ret = sc_ctx_init(&c, sc, policy, SC_REPLAY);
	if (ret)
		return ret;
	c.kernel = kernel;
	c.steps = &steps;
	ret = dmo_explore_replay(&sc_program, &c, schedule, sc_keep_step,
				 sc_on_violation, &c);
	c.steps = NULL;
	if (!ret)
		ret = c.failed;
	if (ret == -EINVAL) {
		snprintf(err, errlen,
			 "schedule '%s' does not fit %s under policy %s at kernel %s",
			 schedule, sc->name, dmo_policy_name(policy),
			 dmo_kernel_name(kernel));
		goto out_free;
	}
	feat = calloc(c.viols.nr + 1, sizeof(*feat));
	if (!ret && !feat)
		ret = -ENOMEM;
	if (!ret) {
		struct dmo__sc_pic pic = {
			.sc = sc, .policy = policy, .kernel = kernel,
			.schedule = schedule, .argv0 = argv0, .steps = &steps,
			.viols = feat,
			.nr_viols = c.viols.nr, .known = c.viols.v,
			.nr_known = c.viols.nr, .standalone = true,
		};

		for (size_t i = 0; i < c.viols.nr; i++)
			feat[i] = &c.viols.v[i];
		ret = dmo__sc_svg(out, &pic);
	}
	if (ret) {
		snprintf(err, errlen, "%s", strerror(-ret));
		goto out_free;
	}
	ret = c.viols.nr ? 1 : 0;
out_free:
	free(feat);
	dmo__sc_steps_free(&steps);
	sc_ctx_free(&c);
	return ret;
}

/* Real threads. */

/*
 * Judges the expect lines by what the real-thread runs showed (@skipped:
 * none was made, and @why says why): a sample can contradict a line, or
 * show a kind it expects, but never that something cannot happen, and it
 * never sees a race, a use after free or a deadlock.
 * Return: the judgement, or -ENOMEM.
 */
static int sc_judge_real(const struct sc_ctx *real, struct dmo__sc_outcome *o,
			 uint64_t runs, bool skipped, const char *why)
{
	struct sc_seen s;

	memset(&s, 0, sizeof(s));
	s.kinds = real->viols.kinds;
	s.seen = runs;
	s.complete = real->complete;
	s.cond_true = real->cond_true;
	s.partial = true;
	s.what = "real-thread run";
	if (skipped) {
		s.cut = why;
		s.found = " by the explorer";
	} else {
		s.blind = 1u << DMO_VIOL_RACE | 1u << DMO_VIOL_UAF |
			  1u << DMO_VIOL_DEADLOCK;
		s.cut = "a sample of runs cannot show what never happens";
	}
	return sc_judge_all(real, &s, o);
}

int dmo_scenario_run(const struct dmo_scenario *sc, enum dmo_policy policy,
		     uint64_t iterations, uint64_t seed,
		     const struct dmo_explore_opts *explore, FILE *out)
{
	return dmo_scenario_run_at(sc, policy,
				   dmo_scenario_policy_kernel(sc, policy),
				   iterations, seed, explore, out);
}

int dmo_scenario_run_at(const struct dmo_scenario *sc, enum dmo_policy policy,
			const struct dmo_kernel *kernel, uint64_t iterations,
			uint64_t seed, const struct dmo_explore_opts *explore,
			FILE *out)
{
	struct dmo_explore_result r = { .on_violation = sc_on_violation };
	const unsigned int unsafe = 1u << DMO_VIOL_UAF |
				    1u << DMO_VIOL_DEADLOCK;
	struct dmo__sc_outcome o;
	struct sc_ctx ex, real;
	struct dmo_sync *s = NULL;
	char skipped[128] = "";
	size_t unlisted = 0;
	uint64_t cut_short = 0;
	double t0 = sc_now();
	int err;

	if (dmo_scenario_applies(sc, policy, kernel, NULL, 0))
		return -EINVAL;
	err = sc_ctx_init(&ex, sc, policy, SC_EXPLORE);
	if (err)
		return err;
	ex.kernel = kernel;
	err = sc_ctx_init(&real, sc, policy, SC_REAL);
	if (err)
		goto out_free_ex;
	real.kernel = kernel;
	real.listed = &ex.states;
	r.arg = &ex;
	err = dmo_explore(&sc_program, &ex, explore, &r);
	if (!err)
		err = ex.failed;
	if (err)
		goto out_free;

	/*
	 * On real threads a use after free is a real one and a deadlock
	 * hangs for ever: when the explorer shows either can happen, the
	 * scenario is not run.  That fails when the file does not expect
	 * the kind, and is incomplete when it does.  Without the whole list
	 * of final states there is nothing to compare the runs with.
	 */
	if (!r.complete) {
		snprintf(skipped, sizeof(skipped),
			 "the explorer's list of final states stopped at its "
			 "limit (%gs): not run on real threads",
			 explore ? explore->time_limit : 0.0);
		iterations = 0;
	} else if (ex.viols.kinds & unsafe) {
		real.viols.kinds = ex.viols.kinds & unsafe;
		snprintf(skipped, sizeof(skipped),
			 "the explorer finds %s%s%s: not run on real threads",
			 ex.viols.kinds & 1u << DMO_VIOL_UAF ? "uaf" : "",
			 (ex.viols.kinds & unsafe) == unsafe ? " and " : "",
			 ex.viols.kinds & 1u << DMO_VIOL_DEADLOCK ?
			 "deadlock" : "");
		iterations = 0;
	} else {
		s = dmo_sync_pthread_create(seed);
		if (!s) {
			err = -ENOMEM;
			goto out_free;
		}
	}

	for (uint64_t i = 0; i < iterations; i++) {
		bool bug = false;

		dmo_sync_pthread_reset(s);
		sc_run(s, &real);
		err = real.setup_err;
		if (!err) {
			dmo_world_check(real.w, true, sc_flag, &real);
			for (int k = 0; k < DMO_VIOL_NR; k++) {
				const char *first = NULL;

				if (!dmo_sync_pthread_reported(s, k, &first))
					continue;
				bug |= k == DMO_VIOL_BUG;
				if (sc_viol_add(&real.viols, k, first, "-", "-",
						NULL))
					real.failed = -ENOMEM;
			}
			/*
			 * The pthread backend returns from a BUG_ON that
			 * would have stopped the kernel: what follows is no
			 * final state, as the explorer too would say.
			 */
			if (bug)
				cut_short++;
			else
				sc_record(&real);
			err = real.failed;
		}
		sc_reset(&real);
		if (err)
			goto out_free;
	}

	err = sc_outcome(&o, &real);
	if (err)
		goto out_free;
	o.seconds = sc_now() - t0;
	o.kinds = real.viols.kinds;
	o.cut_short = cut_short;
	for (size_t i = 0; i < o.nr_states; i++)
		if (!o.states[i]->listed)
			unlisted++;
	err = sc_judge_real(&real, &o, iterations, skipped[0] != '\0',
			    skipped);
	if (err < 0) {
		free(o.states);
		goto out_free;
	}
	o.judged = (enum dmo__sc_judged)err;
	if (unlisted || o.judged == DMO__SC_FAIL)
		o.result = DMO__SC_VIOLATION;
	else if (skipped[0])
		o.result = DMO__SC_INCOMPLETE;
	else
		o.result = DMO__SC_OK;
	dmo__sc_report_run(out, &o, iterations, seed, unlisted,
			   skipped[0] ? skipped : NULL);
	fflush(out);
	free(o.states);
	free(o.verdicts);
	if (o.result == DMO__SC_OK)
		err = 0;
	else
		err = o.result == DMO__SC_INCOMPLETE ? 3 : 1;
out_free:
	dmo_sync_pthread_destroy(s);
	sc_ctx_free(&real);
out_free_ex:
	sc_ctx_free(&ex);
	return err;
}
