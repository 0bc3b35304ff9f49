// SPDX-License-Identifier: MIT
/*
 * The simulated kernel: a saved tree that reacts to writes as the kernel
 * would (HOST.md "Tests never touch the real /sys").
 *
 * Binding and ownership are libdmaown's own: the tree's buses, drivers,
 * groups and devices become one world on the pthread backend, bound at
 * the start as the tree shows through the normal probe path, and every
 * write that binds or unbinds calls the library (dmo_device_bind(),
 * dmo_device_unbind()), whose errors are the kernel's (-EBUSY when the
 * device is bound or its group is owned, the probe's error).  What the
 * library does not model yet lives here, each in one function:
 *
 *  - driver_override and its matching (sim_matches()): an override lets
 *    only the driver it names bind, on every path, and survives unbind;
 *    without one a driver matches by its id table, read from the
 *    modules.alias beside sys/ (the kernel's modalias patterns);
 *  - drivers_probe's device_attach() honouring the override
 *    (sim_attach()): the matching drivers in turn, a probe error letting
 *    the next one try, any other error stopping the walk;
 *  - vfio-pci's own refusals in its probe: a header that is not normal
 *    (-EINVAL), a PF with VFs enabled (-EBUSY), and probes made to fail on
 *    demand (-ENXIO);
 *  - drivers_probe's and bind's return values (drivers/base/bus.c):
 *    -ENODEV for no such device, or a driver that does not match;
 *    -EINVAL from drivers_probe when device_attach() failed; -EAGAIN for
 *    a probe deferred.
 *
 * When libdmaown grows driver_override, sim_matches() and sim_attach()
 * become its calls and the rest stays.
 *
 * A group the tree shows open (a process holding /dev/vfio/N) is opened
 * in the model too, so that a kernel driver's bind into it fails as the
 * kernel's would (-EBUSY from 5.19).
 *
 * After every write the tree's files are made to say what the world now
 * says: the device's driver link and the driver's link back, and the
 * driver_override file, written exactly as the kernel shows them (the
 * links relative, as mktree makes them), so that undoing a plan brings
 * every file back byte for byte.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/host.h"

#define MAX_FAILS 64

struct sim_drv {
	struct dmo_driver *drv;
	char *name;
	char *bus;
	bool fail_probe;	/* its probe fails (-ENXIO) from now on */
};

struct sim_dev {
	struct dmo_device *dev;
	const struct dmo__hdev *hd;
	char *override;		/* NULL: unset */
	char *bound;		/* the driver the tree's links show */
	size_t *matches;	/* sim_drv indices, id-table order */
	size_t nr_matches;
};

struct dmo_hostsim {
	struct dmo_host *h;
	struct dmo_sync *s;
	struct dmo_world *w;
	struct sim_drv *drvs;
	size_t nr_drvs;
	struct sim_dev *devs;
	size_t nr_devs;
	int nr_writes;
	int fail_at[MAX_FAILS];
	int fail_err[MAX_FAILS];
	int nr_fails;
	void (*hook)(struct dmo_hostsim *sim, int nth, void *arg);
	void *hook_arg;
};

static struct sim_drv *find_drv(struct dmo_hostsim *sim, const char *bus,
				const char *name)
{
	for (size_t i = 0; i < sim->nr_drvs; i++)
		if (strcmp(sim->drvs[i].name, name) == 0 &&
		    strcmp(sim->drvs[i].bus, bus) == 0)
			return &sim->drvs[i];
	return NULL;
}

static struct sim_dev *find_dev(struct dmo_hostsim *sim, const char *bus,
				const char *name)
{
	for (size_t i = 0; i < sim->nr_devs; i++)
		if (strcmp(sim->devs[i].hd->name, name) == 0 &&
		    strcmp(sim->devs[i].hd->bus, bus) == 0)
			return &sim->devs[i];
	return NULL;
}

/* Whether @drv may bind @d: the override decides, else the id table. */
static bool sim_matches(struct dmo_hostsim *sim, const struct sim_dev *d,
			const struct sim_drv *drv)
{
	if (strcmp(drv->bus, d->hd->bus) != 0)
		return false;
	if (d->override)
		return strcmp(d->override, drv->name) == 0;
	for (size_t i = 0; i < d->nr_matches; i++)
		if (&sim->drvs[d->matches[i]] == drv)
			return true;
	return false;
}

/* The driver's own probe refusing the device: a positive probe error. */
static int probe_refuses(const struct sim_dev *d, const struct sim_drv *drv)
{
	if (drv->fail_probe)
		return -ENXIO;
	if (!dmo__driver_is_vfio(drv->name) || !d->hd->pci)
		return 0;
	if (dmo__dev_is_bridge(d->hd))
		return -EINVAL;
	if (d->hd->numvfs > 0 || d->hd->nr_vfs > 0)
		return -EBUSY;
	return 0;
}

static bool is_bound(const struct sim_dev *d)
{
	return strcmp(dmo_device_driver_name(d->dev), "none") != 0;
}

/* device_attach(): 1 bound, 0 nothing bound, or the error that stopped it. */
static int sim_attach(struct dmo_hostsim *sim, struct sim_dev *d)
{
	if (is_bound(d))
		return 1;
	for (size_t i = 0; i < sim->nr_drvs; i++) {
		struct sim_drv *drv = &sim->drvs[i];
		int ret;

		/* Override: that driver only; else the id table's order. */
		if (!d->override) {
			if (i >= d->nr_matches)
				break;
			drv = &sim->drvs[d->matches[i]];
		}
		if (!sim_matches(sim, d, drv) || probe_refuses(d, drv))
			continue;
		ret = dmo_device_bind(sim->w, d->dev, drv->drv);
		if (ret == 0)
			return 1;
		if (ret != -ENXIO)
			return ret;
	}
	return 0;
}

static int write_file(const char *path, const char *text)
{
	size_t n = strlen(text);
	int fd = open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
	ssize_t w;

	if (fd < 0)
		return -errno;
	w = write(fd, text, n);
	if (close(fd) || w != (ssize_t)n)
		return -EIO;
	return 0;
}

/* "../" once per component of @rel. */
static void ups(struct dmo__buf *b, const char *rel)
{
	dmo__buf_add(b, "../");
	for (; *rel; rel++)
		if (*rel == '/')
			dmo__buf_add(b, "../");
}

/* Makes the tree's files show what the world now says about @d. */
static int sync_files(struct dmo_hostsim *sim, struct sim_dev *d)
{
	const char *root = sim->h->root;
	const char *now = dmo_device_driver_name(d->dev);
	char path[PATH_MAX];
	struct dmo__buf b = { 0 };
	char *target;
	int ret;

	snprintf(path, sizeof(path), "%s/%s/driver_override", root,
		 d->hd->path);
	target = dmo__asprintf("%s\n", d->override ? d->override : "(null)");
	ret = target ? write_file(path, target) : -ENOMEM;
	free(target);
	if (ret)
		return ret;
	if (strcmp(now, "none") == 0)
		now = NULL;
	if ((!now && !d->bound) || (now && d->bound && !strcmp(now, d->bound)))
		return 0;
	if (d->bound) {
		snprintf(path, sizeof(path), "%s/%s/driver", root, d->hd->path);
		if (unlink(path))
			return -errno;
		snprintf(path, sizeof(path), "%s/bus/%s/drivers/%s/%s", root,
			 d->hd->bus, d->bound, d->hd->name);
		if (unlink(path))
			return -errno;
		free(d->bound);
		d->bound = NULL;
	}
	if (!now)
		return 0;
	ups(&b, d->hd->path);
	dmo__buf_addf(&b, "bus/%s/drivers/%s", d->hd->bus, now);
	target = dmo__buf_take(&b);
	snprintf(path, sizeof(path), "%s/%s/driver", root, d->hd->path);
	if (!target || symlink(target, path)) {
		free(target);
		return target ? -errno : -ENOMEM;
	}
	free(target);
	target = dmo__asprintf("../../../../%s", d->hd->path);
	snprintf(path, sizeof(path), "%s/bus/%s/drivers/%s/%s", root,
		 d->hd->bus, now, d->hd->name);
	if (!target || symlink(target, path)) {
		free(target);
		return target ? -errno : -ENOMEM;
	}
	free(target);
	d->bound = dmo__strdup(now);
	return d->bound ? 0 : -ENOMEM;
}

static int write_override(struct dmo_hostsim *sim, struct sim_dev *d,
			  const char *value)
{
	char *v = NULL;

	if (strlen(value) >= 4096)
		return -EINVAL;
	if (*value) {
		v = dmo__strdup(value);
		if (!v)
			return -ENOMEM;
	}
	free(d->override);
	d->override = v;
	return sync_files(sim, d);
}

static int write_bind(struct dmo_hostsim *sim, struct sim_dev *d,
		      struct sim_drv *drv)
{
	int ret;

	if (!sim_matches(sim, d, drv))
		return -ENODEV;
	if (is_bound(d))
		return -EBUSY;
	ret = probe_refuses(d, drv);
	if (!ret)
		ret = dmo_device_bind(sim->w, d->dev, drv->drv);
	if (ret == -DMO_EPROBE_DEFER)
		ret = -EAGAIN;
	if (!ret)
		ret = sync_files(sim, d);
	return ret;
}

static int write_unbind(struct dmo_hostsim *sim, struct sim_dev *d,
			struct sim_drv *drv)
{
	int ret;

	if (strcmp(dmo_device_driver_name(d->dev), drv->name) != 0)
		return -ENODEV;
	ret = dmo_device_unbind(sim->w, d->dev);
	if (!ret)
		ret = sync_files(sim, d);
	return ret;
}

static int write_probe(struct dmo_hostsim *sim, struct sim_dev *d)
{
	int ret = sim_attach(sim, d);

	if (ret < 0)
		return -EINVAL;
	return sync_files(sim, d);
}

int dmo_hostsim_write(void *arg, const char *path, const char *value)
{
	struct dmo_hostsim *sim = arg;
	size_t rl = strlen(sim->h->root);
	char bus[256], name[256], attr[64], v[4096];
	const char *rel;
	struct sim_dev *d;
	struct sim_drv *drv;
	int n = ++sim->nr_writes;

	if (sim->hook)
		sim->hook(sim, n, sim->hook_arg);
	for (int i = 0; i < sim->nr_fails; i++)
		if (sim->fail_at[i] == n)
			return sim->fail_err[i];
	if (strncmp(path, sim->h->root, rl) != 0 || path[rl] != '/')
		return -ENOENT;
	rel = path + rl + 1;
	snprintf(v, sizeof(v), "%s", value);
	v[strcspn(v, "\n")] = '\0';
	if (sscanf(rel, "bus/%255[^/]/devices/%255[^/]/%63s", bus, name,
		   attr) == 3 &&
	    strcmp(attr, "driver_override") == 0) {
		d = find_dev(sim, bus, name);
		return d ? write_override(sim, d, v) : -ENOENT;
	}
	if (sscanf(rel, "bus/%255[^/]/drivers/%255[^/]/%63s", bus, name,
		   attr) == 3 &&
	    (strcmp(attr, "bind") == 0 || strcmp(attr, "unbind") == 0)) {
		drv = find_drv(sim, bus, name);
		if (!drv)
			return -ENOENT;
		d = find_dev(sim, bus, v);
		if (!d)
			return -ENODEV;
		return attr[0] == 'b' ? write_bind(sim, d, drv) :
					write_unbind(sim, d, drv);
	}
	if (sscanf(rel, "bus/%255[^/]/%63s", bus, attr) == 2 &&
	    strcmp(attr, "drivers_probe") == 0) {
		d = find_dev(sim, bus, v);
		return d ? write_probe(sim, d) : -ENODEV;
	}
	return -EACCES;
}

/* The drivers whose modules.alias patterns match the device's modalias. */
static int add_matches(struct dmo_hostsim *sim, struct sim_dev *d,
		       const struct dmo__strv *alias)
{
	char path[PATH_MAX], modalias[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", sim->h->root, d->hd->path);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (dmo__read_attr(fd, "modalias", modalias, sizeof(modalias)) < 0)
		modalias[0] = '\0';
	close(fd);
	for (size_t i = 0; i < alias->nr; i++) {
		char pat[512], drvname[256];
		struct sim_drv *drv;
		size_t *nm;
		bool dup = false;

		if (sscanf(alias->v[i], "alias %511s %255s", pat, drvname) != 2 ||
		    fnmatch(pat, modalias, 0) != 0)
			continue;
		drv = find_drv(sim, d->hd->bus, drvname);
		if (!drv)
			continue;
		for (size_t k = 0; k < d->nr_matches; k++)
			dup |= d->matches[k] == (size_t)(drv - sim->drvs);
		if (dup)
			continue;
		nm = realloc(d->matches, (d->nr_matches + 1) * sizeof(*nm));
		if (!nm)
			return -ENOMEM;
		d->matches = nm;
		nm[d->nr_matches++] = (size_t)(drv - sim->drvs);
		if (dmo_device_add_match(d->dev, drv->drv))
			return -ENOMEM;
	}
	return 0;
}

static int read_aliases(const struct dmo_host *h, struct dmo__strv *out)
{
	char path[PATH_MAX], line[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/../modules.alias", h->root);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "alias ", 6) == 0 && dmo__strv_add(out, line)) {
			fclose(f);
			return -ENOMEM;
		}
	}
	fclose(f);
	return 0;
}

static int build_world(struct dmo_hostsim *sim, char *err, size_t errlen)
{
	const struct dmo_host *h = sim->h;
	enum dmo_policy policy = h->rule == DMO_RULE_LEGACY ?
					 DMO_POLICY_LEGACY :
					 DMO_POLICY_UPSTREAM;
	struct dmo__strv alias = { 0 };
	int ret;

	sim->s = dmo_sync_pthread_create(1);
	sim->w = sim->s ? dmo_world_create(sim->s, policy) : NULL;
	sim->drvs = calloc(h->drivers.nr + 1, sizeof(*sim->drvs));
	sim->devs = calloc(h->nr_devs + 1, sizeof(*sim->devs));
	if (!sim->w || !sim->drvs || !sim->devs)
		return -ENOMEM;
	for (size_t i = 0; i < h->drivers.nr; i++) {
		const char *slash = strchr(h->drivers.v[i], '/');
		char bus[256];
		struct dmo_bus *b;
		struct sim_drv *sd = &sim->drvs[sim->nr_drvs];

		snprintf(bus, sizeof(bus), "%.*s",
			 (int)(slash - h->drivers.v[i]), h->drivers.v[i]);
		b = dmo_world_bus(sim->w, bus);
		if (!b)
			b = dmo_bus_add(sim->w, bus, true);
		sd->name = dmo__strdup(slash + 1);
		sd->bus = dmo__strdup(bus);
		if (!b || !sd->name || !sd->bus)
			return -ENOMEM;
		sd->drv = dmo_driver_add(sim->w, sd->name, b,
					 dmo__driver_is_vfio(sd->name) ||
						 !strcmp(sd->name, "pci-stub") ||
						 !strcmp(sd->name, "pcieport"),
					 DMO_PROBE_OK);
		if (!sd->drv)
			sd->drv = dmo_driver_add(sim->w, h->drivers.v[i], b,
						 false, DMO_PROBE_OK);
		if (!sd->drv)
			return -ENOMEM;
		sim->nr_drvs++;
	}
	for (size_t i = 0; i < h->nr_groups; i++)
		if (!dmo_group_add(sim->w, h->groups[i].id))
			return -ENOMEM;
	ret = read_aliases(h, &alias);
	for (size_t i = 0; !ret && i < h->nr_devs; i++) {
		const struct dmo__hdev *hd = &h->devs[i];
		struct sim_dev *d = &sim->devs[sim->nr_devs];
		struct dmo_bus *b = dmo_world_bus(sim->w, hd->bus);
		struct dmo_group *g;

		if (!b)
			b = dmo_bus_add(sim->w, hd->bus, true);
		if (!b) {
			ret = -ENOMEM;
			break;
		}
		d->hd = hd;
		g = hd->group >= 0 ? dmo_world_group(sim->w, hd->group) : NULL;
		d->dev = dmo_device_add(sim->w, hd->name, b, g);
		if (!d->dev) {
			ret = -ENOMEM;
			break;
		}
		sim->nr_devs++;
		if (hd->override) {
			d->override = dmo__strdup(hd->override);
			if (!d->override) {
				ret = -ENOMEM;
				break;
			}
		}
		ret = add_matches(sim, d, &alias);
		/* Without an alias, its driver in the tree matches it. */
		if (!ret && hd->driver && !d->nr_matches) {
			struct sim_drv *drv =
				find_drv(sim, hd->bus, hd->driver);

			d->matches = drv ? malloc(sizeof(*d->matches)) : NULL;
			if (drv && !d->matches)
				ret = -ENOMEM;
			else if (drv)
				d->matches[d->nr_matches++] =
					(size_t)(drv - sim->drvs);
		}
	}
	dmo__strv_free(&alias);
	if (ret)
		return ret;
	ret = dmo_world_start(sim->w, NULL, NULL);
	if (ret)
		return ret;
	for (size_t i = 0; i < sim->nr_devs; i++) {
		struct sim_dev *d = &sim->devs[i];
		struct sim_drv *drv;

		if (!d->hd->driver)
			continue;
		drv = find_drv(sim, d->hd->bus, d->hd->driver);
		ret = drv ? dmo_device_bind(sim->w, d->dev, drv->drv) : -ENOENT;
		if (ret) {
			dmo__errf(err, errlen,
				  "%s: the model refuses to bind %s to %s as the tree shows: %s",
				  h->root, d->hd->name, d->hd->driver,
				  strerror(-ret));
			return -EINVAL;
		}
		d->bound = dmo__strdup(d->hd->driver);
		if (!d->bound)
			return -ENOMEM;
	}
	/* A group some process holds open is held in the model too. */
	for (size_t i = 0; i < h->nr_groups; i++) {
		if (!h->groups[i].owner)
			continue;
		ret = dmo_vfio_group_open(sim->w,
					  dmo_world_group(sim->w, h->groups[i].id));
		if (ret) {
			dmo__errf(err, errlen,
				  "%s: the model refuses VFIO's open of group %d as the tree shows it (%s): %s",
				  h->root, h->groups[i].id, h->groups[i].owner,
				  strerror(-ret));
			return -EINVAL;
		}
	}
	return 0;
}

int dmo_hostsim_create(const char *sysfs, const char *kernel,
		       struct dmo_hostsim **out, char *err, size_t errlen)
{
	struct dmo_host_opts o = { .sysfs = sysfs, .kernel = kernel };
	struct dmo_hostsim *sim;
	int ret;

	ret = dmo_host_may_write(sysfs, true, err, errlen);
	if (ret)
		return -EPERM;
	sim = calloc(1, sizeof(*sim));
	if (!sim) {
		dmo__errf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = dmo_host_open(&o, &sim->h, err, errlen);
	if (ret) {
		free(sim);
		return ret;
	}
	ret = build_world(sim, err, errlen);
	if (ret) {
		if (ret == -ENOMEM)
			dmo__errf(err, errlen, "out of memory");
		dmo_hostsim_destroy(sim);
		return ret;
	}
	*out = sim;
	return 0;
}

void dmo_hostsim_destroy(struct dmo_hostsim *sim)
{
	if (!sim)
		return;
	dmo_world_destroy(sim->w);
	dmo_sync_pthread_destroy(sim->s);
	for (size_t i = 0; i < sim->nr_drvs; i++) {
		free(sim->drvs[i].name);
		free(sim->drvs[i].bus);
	}
	free(sim->drvs);
	for (size_t i = 0; i < sim->nr_devs; i++) {
		free(sim->devs[i].override);
		free(sim->devs[i].bound);
		free(sim->devs[i].matches);
	}
	free(sim->devs);
	dmo_host_close(sim->h);
	free(sim);
}

void dmo_hostsim_fail_write(struct dmo_hostsim *sim, int nth, int err)
{
	if (sim->nr_fails == MAX_FAILS || nth < 1)
		return;
	sim->fail_at[sim->nr_fails] = sim->nr_writes + nth;
	sim->fail_err[sim->nr_fails++] = err;
}

int dmo_hostsim_fail_probe(struct dmo_hostsim *sim, const char *driver)
{
	bool found = false;

	for (size_t i = 0; i < sim->nr_drvs; i++)
		if (strcmp(sim->drvs[i].name, driver) == 0) {
			sim->drvs[i].fail_probe = true;
			found = true;
		}
	return found ? 0 : -ENOENT;
}

int dmo_hostsim_autoprobe(struct dmo_hostsim *sim, const char *dev)
{
	struct sim_dev *d = NULL;
	int ret;

	for (size_t i = 0; i < sim->nr_devs && !d; i++)
		if (strcmp(sim->devs[i].hd->name, dev) == 0)
			d = &sim->devs[i];
	if (!d)
		return -ENODEV;
	if (is_bound(d))
		return 0;
	ret = sim_attach(sim, d);
	if (ret < 0)
		return 0;
	return sync_files(sim, d) ? 0 : ret;
}

void dmo_hostsim_before_write(struct dmo_hostsim *sim,
			      void (*fn)(struct dmo_hostsim *sim, int nth,
					 void *arg),
			      void *arg)
{
	sim->hook = fn;
	sim->hook_arg = arg;
}

int dmo_hostsim_nr_writes(const struct dmo_hostsim *sim)
{
	return sim->nr_writes;
}
