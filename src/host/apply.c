// SPDX-License-Identifier: MIT
/*
 * apply and undo (HOST.md "Plans", "Safety", "Exit status"): carrying a
 * plan out with a journal, verifying each step, rolling back, and
 * restoring what a journal records.
 *
 * The journal.  A text file, one line per event, each written and
 * fsync()ed before the event it announces:
 *
 *	dmaown-journal 1
 *	sysfs ROOT			the tree, as realpath(3) gives it
 *	kernel VERSION
 *	device NAME BUS DRIVER OVERRIDE	the state before any write ("-": none)
 *	step N KIND NAME PATH VALUE	about to write VALUE to ROOT/PATH
 *	done N				written and verified
 *	failed N WHAT			the write or its check failed
 *	undo N PATH VALUE		about to write, to undo step N
 *	undone N			step N's effect is gone
 *	undo-failed N WHAT
 *	end applied|rolled-back|restored|incomplete
 *
 * Each line ends in " ~XXXXXXXX", a hash chained over every line up to
 * it, so that a line edited, dropped or cut short is found, and the
 * journal refused as a whole before anything is written.
 *
 * Undoing is by state, not by replaying inverses blindly: the undo of a
 * step first reads what the device's driver and override are now, and
 * writes only what is needed to put back what the journal recorded.  So
 * an undo after a crash in the middle of a step, or a second undo, does
 * the right thing, and the order of the undo writes can be the one that
 * works: putting a device back on its old driver needs an override that
 * lets that driver bind, so the undo of an unbind writes the old driver's
 * name into driver_override before the bind, and the undo of the first
 * step then restores the old override itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "host/host.h"

/* statfs(2)'s f_type of a sysfs mount. */
#define SYSFS_MAGIC 0x62656572
#define JOURNAL_MAX (1u << 20)

static const char *err_name(int err)
{
	switch (err) {
	case -EBUSY:
		return "-EBUSY";
	case -ENODEV:
		return "-ENODEV";
	case -EINVAL:
		return "-EINVAL";
	case -EIO:
		return "-EIO";
	case -EACCES:
		return "-EACCES";
	case -EPERM:
		return "-EPERM";
	case -ENOENT:
		return "-ENOENT";
	case -EAGAIN:
		return "-EAGAIN";
	case -ENXIO:
		return "-ENXIO";
	case -ENOMEM:
		return "-ENOMEM";
	default:
		return "error";
	}
}

/* The value as the journal and the messages show it. */
static const char *shown(const char *value)
{
	return strcmp(value, "\n") == 0 ? "(null)" : value;
}

int dmo_host_sysfs_write(void *arg, const char *path, const char *value)
{
	size_t n = strlen(value);
	ssize_t w;
	int fd;

	(void)arg;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	w = write(fd, value, n);
	if (w < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	if (close(fd))
		return -errno;
	return (size_t)w == n ? 0 : -EIO;
}

/**
 * dmo__may_write() - dmo_host_may_write() for a given user
 * @sysfs: the tree's sys/
 * @simulate: the writes go to the simulated kernel
 * @euid: the effective user id to judge by
 * @err: filled with the reason when not
 * @errlen: size of @err
 *
 * Return: 0, -EPERM or -EINVAL.
 * Context: any.
 */
int dmo__may_write(const char *sysfs, bool simulate, unsigned int euid,
		   char *err, size_t errlen)
{
	char real[PATH_MAX];
	struct statfs sf;
	bool live;

	if (!realpath(sysfs, real)) {
		dmo__errf(err, errlen, "%s: %s", sysfs, strerror(errno));
		return -EINVAL;
	}
	live = strcmp(real, "/sys") == 0 || strncmp(real, "/sys/", 5) == 0 ||
	       (statfs(real, &sf) == 0 && (unsigned long)sf.f_type ==
						  (unsigned long)SYSFS_MAGIC);
	if (simulate && live) {
		dmo__errf(err, errlen,
			  "%s is a live sysfs: --simulate works on saved trees only",
			  sysfs);
		return -EINVAL;
	}
	if (!simulate && !live) {
		dmo__errf(err, errlen,
			  "%s is not a live sysfs (a saved tree?): writing to its files would change nothing; rehearse the plan on it with --simulate, or print it with --dry-run",
			  sysfs);
		return -EINVAL;
	}
	if (!simulate && euid != 0) {
		dmo__errf(err, errlen,
			  "writing under %s needs root (or print the plan with --dry-run)",
			  sysfs);
		return -EPERM;
	}
	return 0;
}

int dmo_host_may_write(const char *sysfs, bool simulate, char *err,
		       size_t errlen)
{
	return dmo__may_write(sysfs, simulate, (unsigned int)geteuid(), err,
			      errlen);
}

/* Splits "bus/B/..." into B and the rest; false when it is not. */
static bool split_bus(const char *rel, char *bus, size_t len,
		      const char **rest)
{
	const char *p, *slash;

	if (strncmp(rel, "bus/", 4) != 0)
		return false;
	p = rel + 4;
	slash = strchr(p, '/');
	if (!slash || (size_t)(slash - p) >= len)
		return false;
	memcpy(bus, p, (size_t)(slash - p));
	bus[slash - p] = '\0';
	*rest = slash + 1;
	return dmo__is_name(bus);
}

/* Whether ROOT/@rel is a regular file, with no link on the way but ours. */
static int attr_exists(const char *root, const char *rel, char *err,
		       size_t errlen)
{
	const char *slash = strrchr(rel, '/');
	char *dir = NULL, *parent;
	char full[PATH_MAX];
	struct stat st;
	int ret;

	parent = dmo__asprintf("%.*s", (int)(slash - rel), rel);
	if (!parent)
		return -ENOMEM;
	ret = dmo__path_resolve(root, parent, &dir);
	free(parent);
	if (ret) {
		dmo__errf(err, errlen, "%s/%s: %s", root, rel,
			  ret == -EXDEV ? "it leads outside the tree" :
			  ret == -ELOOP ? "a link loop on the way" :
					  strerror(-ret));
		return -EINVAL;
	}
	snprintf(full, sizeof(full), "%s/%s/%s", root, dir, slash + 1);
	free(dir);
	if (lstat(full, &st) || !S_ISREG(st.st_mode)) {
		dmo__errf(err, errlen, "%s/%s: %s", root, rel,
			  errno == ENOENT ? "no such attribute" :
					    "not an attribute file");
		return -EINVAL;
	}
	return 0;
}

int dmo__check_write(const char *root, const char *rel, const char *value,
		     char *err, size_t errlen)
{
	char bus[256], name[256], attr[64];
	const char *rest;
	char *devrel;
	int ret;

	if (!split_bus(rel, bus, sizeof(bus), &rest))
		goto bad_path;
	if (strcmp(rest, "drivers_probe") == 0) {
		strcpy(attr, "drivers_probe");
		name[0] = '\0';
	} else if (sscanf(rest, "devices/%255[^/]/%63s", name, attr) == 2 &&
		   strcmp(attr, "driver_override") == 0) {
		if (!dmo__is_name(name))
			goto bad_path;
		if (strcmp(value, "\n") != 0 && !dmo__is_name(value)) {
			dmo__errf(err, errlen,
				  "%s/%s: '%.60s' is not a driver name",
				  root, rel, value);
			return -EINVAL;
		}
		return attr_exists(root, rel, err, errlen);
	} else if (sscanf(rest, "drivers/%255[^/]/%63s", name, attr) == 2 &&
		   (strcmp(attr, "bind") == 0 || strcmp(attr, "unbind") == 0)) {
		if (!dmo__is_name(name))
			goto bad_path;
	} else {
		goto bad_path;
	}
	/* bind, unbind, drivers_probe: the value names a device of the bus. */
	if (!dmo__is_name(value)) {
		dmo__errf(err, errlen, "%s/%s: '%.60s' is not a device name",
			  root, rel, value);
		return -EINVAL;
	}
	ret = attr_exists(root, rel, err, errlen);
	if (ret)
		return ret;
	devrel = dmo__asprintf("bus/%s/devices/%s/driver_override", bus,
			       value);
	if (!devrel)
		return -ENOMEM;
	ret = attr_exists(root, devrel, err, errlen);
	free(devrel);
	if (ret)
		dmo__errf(err, errlen, "%s/%s: no device %s on bus %s", root,
			  rel, value, bus);
	return ret;
bad_path:
	dmo__errf(err, errlen,
		  "%s/%s: not an attribute a plan may write (driver_override, bind, unbind, drivers_probe)",
		  root, rel);
	return -EINVAL;
}

int dmo__dev_state(const char *root, const char *bus, const char *dev,
		   char **driver, char **override)
{
	char *rel = dmo__asprintf("bus/%s/devices/%s", bus, dev);
	char *path = NULL, *link = NULL, *target = NULL;
	char full[PATH_MAX], buf[512];
	int ret, fd;

	*driver = *override = NULL;
	if (!rel)
		return -ENOMEM;
	ret = dmo__path_resolve(root, rel, &path);
	free(rel);
	if (ret)
		return ret;
	link = dmo__asprintf("%s/driver", path);
	if (!link) {
		free(path);
		return -ENOMEM;
	}
	ret = dmo__link_rel(root, link, &target);
	free(link);
	if (ret == 0) {
		const char *slash = strrchr(target, '/');

		*driver = dmo__strdup(slash ? slash + 1 : target);
		free(target);
	} else if (ret != -ENOENT) {
		free(path);
		return ret;
	}
	snprintf(full, sizeof(full), "%s/%s", root, path);
	free(path);
	fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto err;
	}
	ret = dmo__read_attr(fd, "driver_override", buf, sizeof(buf));
	close(fd);
	if (ret < 0)
		goto err;
	if (*buf && strcmp(buf, "(null)") != 0)
		*override = dmo__strdup(buf);
	return 0;
err:
	free(*driver);
	*driver = NULL;
	return ret;
}

/* Writing the journal: each line hashed into the chain, then fsync. */
struct journal {
	int fd;
	uint32_t sum;
	bool failed;	/* a journal write failed: stop writing sysfs */
};

static uint32_t chain(uint32_t prev, const char *line)
{
	char seed[16];
	uint32_t h = 2166136261u;

	snprintf(seed, sizeof(seed), "%08x\n", prev);
	for (const char *p = seed; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	for (const char *p = line; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h;
}

static int jline(struct journal *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int jline(struct journal *j, const char *fmt, ...)
{
	char line[PATH_MAX + 512];
	char *text;
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	j->sum = chain(j->sum, line);
	text = dmo__asprintf("%s ~%08x\n", line, j->sum);
	if (!text) {
		j->failed = true;
		return -ENOMEM;
	}
	n = strlen(text);
	if (write(j->fd, text, n) != (ssize_t)n || fsync(j->fd)) {
		free(text);
		j->failed = true;
		return -EIO;
	}
	free(text);
	return 0;
}

/* One step as apply and undo see it. */
struct jstep {
	int n;
	enum dmo__step_kind kind;
	char *dev;
	char *path;	/* relative to the root */
	char *value;	/* as written ("\n" clears an override) */
	bool undone;
};

/* One device as the journal recorded it before the first write. */
struct jdev {
	char *name;
	char *bus;
	char *driver;	/* NULL: none */
	char *override;	/* NULL: unset */
};

struct run {
	const char *root;
	const struct dmo_host_writer *w;
	struct journal j;
	FILE *out;
	struct jdev *devs;
	size_t nr_devs;
	struct jstep *steps;
	size_t nr_steps;
	size_t nr_begun;	/* steps whose write was announced */
	int writes;		/* writes made so far */
};

static const struct jdev *find_jdev(const struct run *r, const char *name)
{
	for (size_t i = 0; i < r->nr_devs; i++)
		if (strcmp(r->devs[i].name, name) == 0)
			return &r->devs[i];
	return NULL;
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* One write, announced in the journal first; 0 or its error. */
static int do_write(struct run *r, int n, bool undo, const char *rel,
		    const char *value)
{
	char *abs = dmo__asprintf("%s/%s", r->root, rel);
	int ret;

	if (!abs)
		return -ENOMEM;
	if (undo && jline(&r->j, "undo %d %s %s", n, rel, shown(value))) {
		free(abs);
		return -EIO;
	}
	ret = r->w->write(r->w->arg, abs, value);
	r->writes++;
	fprintf(r->out, "%s %d: write %s %s: %s\n", undo ? "undo" : "step", n,
		abs, shown(value),
		ret ? strerror(-ret) : "ok");
	free(abs);
	return ret;
}

/* Whether the device now has @driver (NULL: none) and @override. */
static int check_state(struct run *r, const struct jdev *d,
		       const char *driver, bool check_override,
		       const char *override, char *what, size_t len)
{
	char *cur_drv = NULL, *cur_ovr = NULL;
	int ret = dmo__dev_state(r->root, d->bus, d->name, &cur_drv, &cur_ovr);

	if (ret) {
		snprintf(what, len, "cannot read the state of %s: %s", d->name,
			 strerror(-ret));
		return ret;
	}
	if (!same(cur_drv, driver))
		snprintf(what, len, "%s is on %s, not on %s", d->name,
			 cur_drv ? cur_drv : "no driver",
			 driver ? driver : "no driver");
	else if (check_override && !same(cur_ovr, override))
		snprintf(what, len, "the driver_override of %s reads %s, not %s",
			 d->name, cur_ovr ? cur_ovr : "(null)",
			 override ? override : "(null)");
	else
		what[0] = '\0';
	free(cur_drv);
	free(cur_ovr);
	return what[0] ? -EAGAIN : 0;
}

/* The check after a step of the plan. */
static int verify(struct run *r, const struct jstep *s, char *what,
		  size_t len)
{
	const struct jdev *d = find_jdev(r, s->dev);

	switch (s->kind) {
	case DMO_STEP_OVERRIDE: {
		char *drv = NULL, *ovr = NULL;
		int ret = dmo__dev_state(r->root, d->bus, d->name, &drv, &ovr);

		if (!ret && !same(ovr, s->value)) {
			snprintf(what, len,
				 "the driver_override of %s reads %s, not %s",
				 d->name, ovr ? ovr : "(null)", s->value);
			ret = -EAGAIN;
		}
		free(drv);
		free(ovr);
		return ret;
	}
	case DMO_STEP_UNBIND:
		return check_state(r, d, NULL, false, NULL, what, len);
	case DMO_STEP_PROBE:
		return check_state(r, d, dmo__vfio_driver(d->bus), false, NULL,
				   what, len);
	}
	return -EINVAL;
}

/*
 * Undoes step @s by the state the device is in now (see the comment at
 * the top); 0 when its effect is gone.
 */
static int undo_step(struct run *r, struct jstep *s)
{
	const struct jdev *d = find_jdev(r, s->dev);
	char *drv = NULL, *ovr = NULL;
	char what[600] = "";
	int writes = r->writes;
	char *rel = NULL;
	int ret;

	ret = dmo__dev_state(r->root, d->bus, d->name, &drv, &ovr);
	if (ret) {
		snprintf(what, sizeof(what), "cannot read the state of %s: %s",
			 d->name, strerror(-ret));
		goto out;
	}
	switch (s->kind) {
	case DMO_STEP_PROBE: {
		const char *vfio = dmo__vfio_driver(d->bus);

		if (!drv)
			break;
		if (strcmp(drv, vfio) != 0) {
			snprintf(what, sizeof(what),
				 "%s is on %s, which this step did not bind: left alone",
				 d->name, drv);
			ret = -EBUSY;
			break;
		}
		rel = dmo__asprintf("bus/%s/drivers/%s/unbind", d->bus, vfio);
		ret = rel ? do_write(r, s->n, true, rel, d->name) : -ENOMEM;
		if (!ret)
			ret = check_state(r, d, NULL, false, NULL, what,
					  sizeof(what));
		break;
	}
	case DMO_STEP_UNBIND:
		if (same(drv, d->driver))
			break;
		if (drv) {
			snprintf(what, sizeof(what),
				 "%s is on %s, so %s cannot have it back",
				 d->name, drv, d->driver);
			ret = -EBUSY;
			break;
		}
		if (!same(ovr, d->driver)) {
			rel = dmo__asprintf("bus/%s/devices/%s/driver_override",
					    d->bus, d->name);
			ret = rel ? do_write(r, s->n, true, rel, d->driver) :
				    -ENOMEM;
			free(rel);
			rel = NULL;
			if (ret)
				break;
		}
		rel = dmo__asprintf("bus/%s/drivers/%s/bind", d->bus, d->driver);
		ret = rel ? do_write(r, s->n, true, rel, d->name) : -ENOMEM;
		if (!ret)
			ret = check_state(r, d, d->driver, false, NULL, what,
					  sizeof(what));
		if (ret || same(d->override, d->driver))
			break;
		/* The override as it was, as no later undo may restore it. */
		free(rel);
		rel = dmo__asprintf("bus/%s/devices/%s/driver_override", d->bus,
				    d->name);
		ret = rel ? do_write(r, s->n, true, rel,
				     d->override ? d->override : "\n") :
			    -ENOMEM;
		if (!ret)
			ret = check_state(r, d, d->driver, true, d->override,
					  what, sizeof(what));
		break;
	case DMO_STEP_OVERRIDE:
		if (same(ovr, d->override))
			break;
		rel = dmo__asprintf("bus/%s/devices/%s/driver_override", d->bus,
				    d->name);
		ret = rel ? do_write(r, s->n, true, rel,
				     d->override ? d->override : "\n") :
			    -ENOMEM;
		if (!ret)
			ret = check_state(r, d, drv, true, d->override, what,
					  sizeof(what));
		break;
	}
out:
	free(rel);
	free(drv);
	free(ovr);
	if (ret) {
		if (!what[0])
			snprintf(what, sizeof(what), "%s", strerror(-ret));
		jline(&r->j, "undo-failed %d %s", s->n, what);
		fprintf(r->out, "undo %d: failed: %s\n", s->n, what);
		return ret;
	}
	if (writes == r->writes)
		fprintf(r->out, "undo %d: nothing to write: %s %s as recorded\n",
			s->n, d->name,
			s->kind == DMO_STEP_OVERRIDE ? "has its driver_override" :
						       "is on its driver");
	s->undone = true;
	return jline(&r->j, "undone %d", s->n) ? -EIO : 0;
}

/* Undoes every step begun and not undone, last first; 0 or 3. */
static int undo_all(struct run *r)
{
	bool failed = false;

	for (size_t i = r->nr_begun; i-- > 0;) {
		if (r->steps[i].undone)
			continue;
		if (undo_step(r, &r->steps[i]))
			failed = true;
		if (r->j.failed)
			return 3;
	}
	return failed ? 3 : 0;
}

static void run_free(struct run *r)
{
	for (size_t i = 0; i < r->nr_devs; i++) {
		free(r->devs[i].name);
		free(r->devs[i].bus);
		free(r->devs[i].driver);
		free(r->devs[i].override);
	}
	free(r->devs);
	for (size_t i = 0; i < r->nr_steps; i++) {
		free(r->steps[i].dev);
		free(r->steps[i].path);
		free(r->steps[i].value);
	}
	free(r->steps);
}

int dmo_host_apply(const struct dmo_host_plan *p, const char *journal,
		   const struct dmo_host_writer *w, FILE *out, char *err,
		   size_t errlen)
{
	const struct dmo_host *h = p->h;
	struct run r = { .root = h->root, .w = w, .out = out };
	char real[PATH_MAX], what[600];
	int ret = 0;

	if (p->blockers.nr) {
		dmo__errf(err, errlen, "the plan cannot be carried out: %s",
			  p->blockers.v[0]);
		return -EINVAL;
	}
	if (!realpath(h->root, real)) {
		dmo__errf(err, errlen, "%s: %s", h->root, strerror(errno));
		return -EINVAL;
	}
	if (!p->nr_steps) {
		fputs("nothing to write: no member needs to change (no journal made)\n",
		      out);
		return 0;
	}
	r.devs = calloc(p->nr_devs ? p->nr_devs : 1, sizeof(*r.devs));
	r.steps = calloc(p->nr_steps ? p->nr_steps : 1, sizeof(*r.steps));
	if (!r.devs || !r.steps) {
		ret = -ENOMEM;
		goto out_nomem;
	}
	/* Every check before the first write. */
	for (size_t i = 0; i < p->nr_steps; i++) {
		const struct dmo__step *s = &p->steps[i];

		ret = dmo__check_write(h->root, s->path, s->value, err, errlen);
		if (ret)
			goto out;
		r.steps[i] = (struct jstep){
			.n = (int)i + 1,
			.kind = s->kind,
			.dev = dmo__strdup(h->devs[s->dev].name),
			.path = dmo__strdup(s->path),
			.value = dmo__strdup(s->value),
		};
		r.nr_steps++;
		if (!r.steps[i].dev || !r.steps[i].path || !r.steps[i].value) {
			ret = -ENOMEM;
			goto out_nomem;
		}
	}
	for (size_t i = 0; i < p->nr_devs; i++) {
		const struct dmo__hdev *d = &h->devs[p->devs[i]];
		struct jdev *jd = &r.devs[r.nr_devs++];

		jd->name = dmo__strdup(d->name);
		jd->bus = dmo__strdup(d->bus);
		if (!jd->name || !jd->bus) {
			ret = -ENOMEM;
			goto out_nomem;
		}
		ret = dmo__dev_state(h->root, d->bus, d->name, &jd->driver,
				     &jd->override);
		if (ret) {
			dmo__errf(err, errlen, "%s: cannot read %s: %s", h->root,
				  d->name, strerror(-ret));
			goto out;
		}
		if (!same(jd->driver, d->driver) ||
		    !same(jd->override, d->override)) {
			dmo__errf(err, errlen,
				  "%s changed since the plan was made (now on %s): plan again",
				  d->name, jd->driver ? jd->driver : "no driver");
			ret = -EAGAIN;
			goto out;
		}
	}
	r.j.fd = open(journal, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (r.j.fd < 0) {
		ret = -errno;
		dmo__errf(err, errlen, "%s: %s%s", journal, strerror(errno),
			  errno == EEXIST ?
				  " (a journal of an earlier apply? undo it, or name another file)" :
				  "");
		goto out;
	}
	r.j.sum = 0;
	jline(&r.j, "dmaown-journal 1");
	jline(&r.j, "sysfs %s", real);
	jline(&r.j, "kernel %s", h->kernel);
	for (size_t i = 0; i < r.nr_devs; i++)
		jline(&r.j, "device %s %s %s %s", r.devs[i].name, r.devs[i].bus,
		      r.devs[i].driver ? r.devs[i].driver : "-",
		      r.devs[i].override ? r.devs[i].override : "-");
	if (r.j.failed) {
		dmo__errf(err, errlen, "%s: cannot write the journal", journal);
		ret = -EIO;
		goto out_close;
	}
	fprintf(out, "journal: %s\n", journal);
	for (size_t i = 0; i < r.nr_steps; i++) {
		struct jstep *s = &r.steps[i];

		if (jline(&r.j, "step %d %s %s %s %s", s->n,
			  dmo__step_kind_name(s->kind), s->dev, s->path,
			  shown(s->value))) {
			fprintf(out, "the journal cannot be written: stopping\n");
			r.nr_begun = i;
			ret = 1;
			break;
		}
		ret = do_write(&r, s->n, false, s->path, s->value);
		if (ret) {
			jline(&r.j, "failed %d %s %s", s->n, err_name(ret),
			      strerror(-ret));
			ret = 1;
			r.nr_begun = i + 1;
			break;
		}
		ret = verify(&r, s, what, sizeof(what));
		if (ret) {
			jline(&r.j, "failed %d verify: %s", s->n, what);
			fprintf(out, "step %d: check failed: %s\n", s->n, what);
			ret = 1;
			r.nr_begun = i + 1;
			break;
		}
		jline(&r.j, "done %d", s->n);
	}
	if (ret == 0) {
		jline(&r.j, "end applied");
		fprintf(out,
			"applied: %zu write%s, each checked (undo with: dmaown undo %s)\n",
			r.nr_steps, r.nr_steps == 1 ? "" : "s", journal);
		goto out_close;
	}
	fprintf(out, "rolling back %zu step%s, last first\n", r.nr_begun,
		r.nr_begun == 1 ? "" : "s");
	ret = undo_all(&r) ? 3 : 1;
	jline(&r.j, "end %s", ret == 1 ? "rolled-back" : "incomplete");
	if (ret == 1)
		fprintf(out, "rolled back: everything is as it was\n");
	else
		fprintf(out,
			"rollback incomplete: %s says what is left; run dmaown undo %s to retry\n",
			journal, journal);
out_close:
	close(r.j.fd);
out:
	run_free(&r);
	return ret;
out_nomem:
	dmo__errf(err, errlen, "out of memory");
	run_free(&r);
	return ret;
}

/* Reading a journal back: every line checked before anything is done. */
static int parse_journal(struct run *r, const char *path, const char *text,
			 size_t len, const char *real, char *err, size_t errlen)
{
	char *copy = malloc(len + 1), *line, *next;
	uint32_t sum = 0;
	int nr = 0, ret = 0;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, text, len);
	copy[len] = '\0';
	for (line = copy; *line; line = next) {
		char *nl = strchr(line, '\n'), *tilde, *f[8], *save = NULL;
		unsigned int got;
		int nf = 0;

		nr++;
		if (!nl) {
			dmo__errf(err, errlen,
				  "%s:%d: error: the line is cut short (no newline): the journal was truncated",
				  path, nr);
			goto bad;
		}
		*nl = '\0';
		next = nl + 1;
		tilde = strrchr(line, '~');
		if (!tilde || tilde == line || tilde[-1] != ' ' ||
		    strlen(tilde + 1) != 8 ||
		    sscanf(tilde + 1, "%8x", &got) != 1) {
			dmo__errf(err, errlen,
				  "%s:%d: error: no checksum at the end of the line: not a dmaown journal line",
				  path, nr);
			goto bad;
		}
		tilde[-1] = '\0';
		sum = chain(sum, line);
		if (sum != got) {
			dmo__errf(err, errlen,
				  "%s:%d: error: the checksum does not match: the journal was edited or damaged here",
				  path, nr);
			goto bad;
		}
		for (char *t = strtok_r(line, " ", &save); t && nf < 8;
		     t = strtok_r(NULL, " ", &save))
			f[nf++] = t;
		if (nf == 0)
			goto bad_line;
		if (nr == 1) {
			if (nf != 2 || strcmp(f[0], "dmaown-journal") ||
			    strcmp(f[1], "1")) {
				dmo__errf(err, errlen,
					  "%s:1: error: not a dmaown journal (it starts with no 'dmaown-journal 1')",
					  path);
				goto bad;
			}
			continue;
		}
		if (nr == 2) {
			if (nf != 2 || strcmp(f[0], "sysfs"))
				goto bad_line;
			if (strcmp(f[1], real)) {
				dmo__errf(err, errlen,
					  "%s:2: error: the journal is about %s, not %s (give --sysfs %s)",
					  path, f[1], real, f[1]);
				goto bad;
			}
			continue;
		}
		if (strcmp(f[0], "kernel") == 0 && nf == 2)
			continue;
		if (strcmp(f[0], "device") == 0 && nf == 5) {
			struct jdev *nd;

			if (r->nr_steps || !dmo__is_name(f[1]) ||
			    !dmo__is_name(f[2]) || find_jdev(r, f[1]))
				goto bad_line;
			nd = realloc(r->devs, (r->nr_devs + 1) * sizeof(*nd));
			if (!nd)
				goto nomem;
			r->devs = nd;
			nd[r->nr_devs] = (struct jdev){
				dmo__strdup(f[1]), dmo__strdup(f[2]),
				strcmp(f[3], "-") ? dmo__strdup(f[3]) : NULL,
				strcmp(f[4], "-") ? dmo__strdup(f[4]) : NULL,
			};
			r->nr_devs++;
			if ((strcmp(f[3], "-") && !dmo__is_name(f[3])) ||
			    (strcmp(f[4], "-") && !dmo__is_name(f[4])))
				goto bad_line;
			continue;
		}
		if (strcmp(f[0], "step") == 0 && nf == 6) {
			const struct jdev *d = find_jdev(r, f[3]);
			struct jstep *ns, s = { .n = atoi(f[1]) };
			char *want = NULL;
			char werr[600];

			if (s.n != (int)r->nr_steps + 1 || !d)
				goto bad_line;
			if (strcmp(f[2], "override") == 0) {
				s.kind = DMO_STEP_OVERRIDE;
				want = dmo__asprintf("bus/%s/devices/%s/driver_override",
						     d->bus, d->name);
			} else if (strcmp(f[2], "unbind") == 0 && d->driver) {
				s.kind = DMO_STEP_UNBIND;
				want = dmo__asprintf("bus/%s/drivers/%s/unbind",
						     d->bus, d->driver);
			} else if (strcmp(f[2], "probe") == 0) {
				s.kind = DMO_STEP_PROBE;
				want = dmo__asprintf("bus/%s/drivers_probe",
						     d->bus);
			} else {
				goto bad_line;
			}
			if (!want)
				goto nomem;
			if (strcmp(want, f[4]) ||
			    (s.kind != DMO_STEP_OVERRIDE &&
			     strcmp(f[5], d->name))) {
				free(want);
				dmo__errf(err, errlen,
					  "%s:%d: error: the step names %s, which its device and kind do not lead to",
					  path, nr, f[4]);
				goto bad;
			}
			free(want);
			s.dev = dmo__strdup(f[3]);
			s.path = dmo__strdup(f[4]);
			s.value = dmo__strdup(strcmp(f[5], "(null)") ? f[5] : "\n");
			if (!s.dev || !s.path || !s.value) {
				free(s.dev);
				free(s.path);
				free(s.value);
				goto nomem;
			}
			ns = realloc(r->steps, (r->nr_steps + 1) * sizeof(*ns));
			if (!ns) {
				free(s.dev);
				free(s.path);
				free(s.value);
				goto nomem;
			}
			r->steps = ns;
			ns[r->nr_steps++] = s;
			if (dmo__check_write(r->root, s.path, s.value, werr,
					     sizeof(werr))) {
				dmo__errf(err, errlen, "%s:%d: error: %s", path,
					  nr, werr);
				goto bad;
			}
			continue;
		}
		if ((strcmp(f[0], "done") == 0 || strcmp(f[0], "undone") == 0) &&
		    nf == 2) {
			int n = atoi(f[1]);

			if (n < 1 || n > (int)r->nr_steps)
				goto bad_line;
			if (f[0][0] == 'u')
				r->steps[n - 1].undone = true;
			continue;
		}
		if (strcmp(f[0], "undo") == 0 && nf == 4) {
			char werr[600];
			int n = atoi(f[1]);

			if (n < 1 || n > (int)r->nr_steps)
				goto bad_line;
			if (dmo__check_write(r->root, f[2],
					     strcmp(f[3], "(null)") ? f[3] : "\n",
					     werr, sizeof(werr))) {
				dmo__errf(err, errlen, "%s:%d: error: %s", path,
					  nr, werr);
				goto bad;
			}
			continue;
		}
		if ((strcmp(f[0], "failed") == 0 ||
		     strcmp(f[0], "undo-failed") == 0) && nf >= 3) {
			int n = atoi(f[1]);

			if (n < 1 || n > (int)r->nr_steps)
				goto bad_line;
			continue;
		}
		if (strcmp(f[0], "end") == 0 && nf == 2)
			continue;
		goto bad_line;
	}
	if (nr < 2) {
		dmo__errf(err, errlen,
			  "%s:%d: error: the journal ends before it names its tree",
			  path, nr + 1);
		goto bad;
	}
	free(copy);
	r->j.sum = sum;
	return 0;
bad_line:
	dmo__errf(err, errlen, "%s:%d: error: not a line of a dmaown journal",
		  path, nr);
bad:
	ret = -EINVAL;
	free(copy);
	return ret;
nomem:
	dmo__errf(err, errlen, "out of memory");
	free(copy);
	return -ENOMEM;
}

int dmo_host_undo(const char *sysfs, const char *journal,
		  const struct dmo_host_writer *w, FILE *out, char *err,
		  size_t errlen)
{
	struct run r = { .root = sysfs ? sysfs : "/sys", .w = w, .out = out };
	char real[PATH_MAX];
	char *text = NULL;
	struct stat st;
	size_t pending = 0;
	ssize_t n;
	int fd, ret;

	if (!realpath(r.root, real)) {
		dmo__errf(err, errlen, "%s: %s", r.root, strerror(errno));
		return -EINVAL;
	}
	fd = open(journal, O_RDWR | O_APPEND | O_NOFOLLOW | O_NONBLOCK |
				   O_CLOEXEC);
	if (fd < 0) {
		dmo__errf(err, errlen, "%s: %s", journal, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    st.st_size > JOURNAL_MAX) {
		dmo__errf(err, errlen, "%s: %s", journal,
			  S_ISREG(st.st_mode) ? "too big for a journal" :
						"not a regular file");
		close(fd);
		return -EINVAL;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		close(fd);
		dmo__errf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	n = pread(fd, text, (size_t)st.st_size, 0);
	if (n != st.st_size) {
		dmo__errf(err, errlen, "%s: cannot read it", journal);
		ret = -EIO;
		goto out;
	}
	ret = parse_journal(&r, journal, text, (size_t)n, real, err, errlen);
	if (ret)
		goto out;
	if (!n) {
		dmo__errf(err, errlen, "%s:1: error: the journal is empty",
			  journal);
		ret = -EINVAL;
		goto out;
	}
	r.nr_begun = r.nr_steps;
	for (size_t i = 0; i < r.nr_steps; i++)
		pending += !r.steps[i].undone;
	if (!pending) {
		fprintf(out,
			"nothing to undo: every step %s records is undone already\n",
			journal);
		ret = 0;
		goto out;
	}
	r.j.fd = fd;
	fprintf(out, "undoing %zu step%s of %s, last first\n", pending,
		pending == 1 ? "" : "s", journal);
	ret = undo_all(&r);
	jline(&r.j, "end %s", ret ? "incomplete" : "restored");
	if (ret)
		fprintf(out,
			"undo incomplete: %s says what is left; run dmaown undo %s again\n",
			journal, journal);
	else
		fprintf(out, "restored: everything %s recorded is back\n",
			journal);
out:
	close(fd);
	free(text);
	run_free(&r);
	return ret;
}
