// SPDX-License-Identifier: MIT
/*
 * Reading a machine: a sysfs tree and the proc/ beside it (HOST.md "Where
 * it reads").
 *
 * The devices are the members of the IOMMU groups
 * (kernel/iommu_groups/N/devices/) and the PCI devices
 * (bus/pci/devices/), each known by its directory once every link on the
 * way there is expanded, so that a device reached both ways is one
 * device.  Everything about a device is read from its own directory:
 * attributes with dmo__read_attr(), links with dmo__link_rel() (which
 * reads where a link points without following it), and what lies below it
 * (network interfaces, block devices) by a walk that never follows a
 * link and stops at the next PCI device down.
 *
 * Nothing read here can fail the read: a missing or odd file becomes a
 * finding about its device, group or machine, worded for the report.
 * Only a root that is no sysfs tree at all fails, as the user gave the
 * wrong directory.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "host/host.h"

/* How deep below a device the walk for interfaces and disks goes. */
#define WALK_DEPTH 10
/* And how many directories it visits, at most, per device. */
#define WALK_BUDGET 4096

/* What proc/ says about the host's use of interfaces and disks. */
struct host_use {
	struct dmo__strv routed;	/* interfaces with an IPv4 route */
	struct dmo__strv addr6;		/* "IFACE ADDR", non-link-local */
	struct dmo__strv mounts;	/* "NAME TARGET" for /dev/NAME */
	struct dmo__strv swaps;		/* NAME */
};

static void use_free(struct host_use *u)
{
	dmo__strv_free(&u->routed);
	dmo__strv_free(&u->addr6);
	dmo__strv_free(&u->mounts);
	dmo__strv_free(&u->swaps);
}

char *dmo__host_abs(const struct dmo_host *h, const char *rel)
{
	if (!*rel)
		return dmo__strdup(h->root);
	return dmo__asprintf("%s/%s", h->root, rel);
}

const struct dmo__hdev *dmo__host_dev(const struct dmo_host *h,
				      const char *name)
{
	for (size_t i = 0; i < h->nr_devs; i++)
		if (strcmp(h->devs[i].name, name) == 0)
			return &h->devs[i];
	return NULL;
}

const struct dmo__hgroup *dmo__host_group(const struct dmo_host *h, int id)
{
	size_t lo = 0, hi = h->nr_groups;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (h->groups[mid].id == id)
			return &h->groups[mid];
		if (h->groups[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool dmo__host_has_driver(const struct dmo_host *h, const char *bus,
			  const char *drv)
{
	char key[600];

	snprintf(key, sizeof(key), "%s/%s", bus, drv);
	return dmo__strv_has(&h->drivers, key);
}

/* Reads a file of proc/ (not below sys/): "" when there is none. */
static char *read_proc(const struct dmo_host *h, const char *name)
{
	char path[PATH_MAX];
	struct dmo__buf b = { 0 };
	char chunk[4096];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", h->proc, name);
	if (lstat(path, &st) || !S_ISREG(st.st_mode))
		return dmo__strdup("");
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return dmo__strdup("");
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk) - 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		chunk[n] = '\0';
		dmo__buf_add(&b, chunk);
		if (b.len > (16u << 20))
			break;
	}
	close(fd);
	return dmo__buf_take(&b);
}

static unsigned int parse_hex(const char *s, bool *ok)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 16);
	*ok = *s && *end == '\0' && !errno && v <= 0xffffffu;
	return (unsigned int)v;
}

/* One device's directory while it is read: its fd and its entries. */
struct devdir {
	int fd;
	struct dmo__strv ents;	/* typed, see dmo__dir_entries() */
};

/*
 * A device attribute into @out; a finding when it is there but odd, or
 * missing while @needed.  Returns whether @out holds a value.
 */
static bool dev_attr(struct dmo__hdev *d, const struct devdir *dd,
		     const char *name, bool needed, char *out, size_t len)
{
	int ret = dmo__read_attr_in(dd->fd, &dd->ents, name, out, len);

	if (ret >= 0)
		return true;
	if (ret != -ENOENT || needed)
		dmo__strv_addf(&d->findings, "%s: %s is %s", d->name, name,
			       dmo__attr_error(ret));
	return false;
}

static unsigned int dev_hex(struct dmo__hdev *d, const struct devdir *dd,
			    const char *name, bool *have)
{
	char buf[64];
	unsigned int v;
	bool ok;

	*have = false;
	if (!dev_attr(d, dd, name, true, buf, sizeof(buf)))
		return 0;
	v = parse_hex(buf, &ok);
	if (!ok) {
		dmo__strv_addf(&d->findings, "%s: %s holds '%s', not a number",
			       d->name, name, buf);
		return 0;
	}
	*have = true;
	return v;
}

/* The last component of @rel when it is PREFIX/NAME, else NULL. */
static const char *under(const char *rel, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncmp(rel, prefix, n) != 0 || rel[n] != '/' ||
	    strchr(rel + n + 1, '/'))
		return NULL;
	return rel + n + 1;
}

/* Where a link of the device points, relative to the root; NULL if none. */
static char *dev_link(struct dmo__hdev *d,
		      const struct devdir *dd, const char *name)
{
	char type = dmo__dir_type(&dd->ents, name);
	char *rel, *target = NULL;
	int ret;

	if (!type)
		return NULL;
	if (type != 'l' && type != '?') {
		dmo__strv_addf(&d->findings, "%s: %s is not a link", d->name,
			       name);
		return NULL;
	}
	rel = dmo__asprintf("%s/%s", d->path, name);
	if (!rel)
		return NULL;
	ret = dmo__link_rel_at(dd->fd, rel, &target);
	free(rel);
	if (ret == -ENOENT)
		return NULL;
	if (ret) {
		dmo__strv_addf(&d->findings, "%s: %s %s", d->name, name,
			       ret == -EINVAL ? "is not a link" :
			       ret == -EXDEV  ? "points outside the tree" :
						strerror(-ret));
		return NULL;
	}
	return target;
}

static void read_bus_and_driver(struct dmo__hdev *d,
				const struct devdir *dd, const char *found_on)
{
	char *t = dev_link(d, dd, "subsystem");
	const char *name = t ? under(t, "bus") : NULL;
	char bus[300];

	if (name && dmo__is_name(name)) {
		d->bus = dmo__strdup(name);
	} else {
		dmo__strv_addf(&d->findings,
			       "%s: no subsystem link to bus/BUS (a truncated tree?)",
			       d->name);
		d->bus = dmo__strdup(found_on);
	}
	free(t);
	if (!d->bus)
		return;
	t = dev_link(d, dd, "driver");
	if (t) {
		snprintf(bus, sizeof(bus), "bus/%s/drivers", d->bus);
		name = under(t, bus);
		if (name && dmo__is_name(name))
			d->driver = dmo__strdup(name);
		else
			dmo__strv_addf(&d->findings,
				       "%s: the driver link points to %s, not to a driver of bus/%s",
				       d->name, t, d->bus);
		free(t);
	}
}

/* A device found on its bus only: does its iommu_group link agree? */
static void read_group_link(struct dmo__hdev *d,
			    const struct devdir *dd)
{
	char *t = dev_link(d, dd, "iommu_group");
	const char *n;

	if (!t)
		return;
	n = under(t, "kernel/iommu_groups");
	if (!n || !*n || strspn(n, "0123456789") != strlen(n))
		dmo__strv_addf(&d->findings,
			       "%s: the iommu_group link points to %s, not to a group",
			       d->name, t);
	else
		dmo__strv_addf(&d->findings,
			       "%s: its iommu_group link names group %s, which does not list it",
			       d->name, n);
	free(t);
}

static bool is_pci_name(const char *n)
{
	unsigned int dom, bus, slot, fn;
	char end;

	return sscanf(n, "%x:%2x:%2x.%1x%c", &dom, &bus, &slot, &fn, &end) ==
	       4;
}

/*
 * Interfaces and disks below a device: directories whose subsystem link
 * ends in class/net or class/block.  Never follows a link, and stops at
 * the next PCI device down (its own member of the machine).  The
 * directories every device has and that hold neither are skipped.
 */
static void walk_below(struct dmo__hdev *d, int dfd,
		       const struct dmo__strv *ents, int depth, int *budget)
{
	static const char *const skip[] = { "power", "msi_irqs", "link",
					    "firmware_node", "iommu" };

	for (size_t i = 0; i < ents->nr && *budget > 0; i++) {
		const char *name = ents->v[i] + 1;
		struct dmo__strv sub_ents = { 0 }, holders = { 0 };
		char type = ents->v[i][0], target[PATH_MAX];
		const char *cls = NULL;
		bool skipped = false;
		struct stat st;
		ssize_t n;
		int sub;

		for (size_t k = 0; k < sizeof(skip) / sizeof(*skip); k++)
			skipped |= strcmp(name, skip[k]) == 0;
		/* A PCI device below a bridge is a member of its own. */
		if (skipped || name[0] == '.' || is_pci_name(name))
			continue;
		if (type == '?' &&
		    (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		     S_ISDIR(st.st_mode)))
			type = 'd';
		if (type != 'd')
			continue;
		sub = openat(dfd, name,
			     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			continue;
		(*budget)--;
		if (dmo__dir_entries(sub, &sub_ents)) {
			close(sub);
			dmo__strv_free(&sub_ents);
			continue;
		}
		if (dmo__dir_type(&sub_ents, "subsystem")) {
			n = readlinkat(sub, "subsystem", target,
				       sizeof(target) - 1);
			if (n > 0) {
				target[n] = '\0';
				cls = strrchr(target, '/');
				cls = cls ? cls + 1 : target;
			}
		}
		if (cls && strcmp(cls, "pci") == 0) {
			close(sub);
			dmo__strv_free(&sub_ents);
			continue;
		}
		if (cls && strcmp(cls, "net") == 0)
			dmo__strv_add(&d->nets, name);
		if (cls && strcmp(cls, "block") == 0) {
			dmo__strv_add(&d->blocks, name);
			if (dmo__dir_type(&sub_ents, "holders") == 'd')
				dmo__list_dir(sub, "holders", &holders);
			for (size_t k = 0; k < holders.nr; k++)
				dmo__strv_addf(&d->held, "%s %s", name,
					       holders.v[k]);
			dmo__strv_free(&holders);
		}
		if (depth < WALK_DEPTH)
			walk_below(d, sub, &sub_ents, depth + 1, budget);
		dmo__strv_free(&sub_ents);
		close(sub);
	}
}

/*
 * The IDs from modalias (pci:vVVVVVVVVdDDDDDDDDsv...sd...bcCCscSSiPP),
 * which the kernel writes from the same fields as the class, vendor and
 * device files; false when it does not parse.
 */
static bool parse_modalias(struct dmo__hdev *d, const char *m)
{
	unsigned int v, dv, sv, sd, bc, sc, pi;

	if (sscanf(m, "pci:v%8xd%8xsv%8xsd%8xbc%2xsc%2xi%2x", &v, &dv, &sv,
		   &sd, &bc, &sc, &pi) != 7)
		return false;
	d->vendor = v;
	d->device = dv;
	d->class = bc << 16 | sc << 8 | pi;
	d->have_ids = d->have_class = true;
	return true;
}

static void read_pci(struct dmo__hdev *d, const struct devdir *dd)
{
	unsigned char cfg[64];
	char buf[256];
	char type;
	bool have;

	d->pci = true;
	if (!dev_attr(d, dd, "modalias", false, buf, sizeof(buf)) ||
	    !parse_modalias(d, buf)) {
		d->class = dev_hex(d, dd, "class", &d->have_class);
		d->vendor = dev_hex(d, dd, "vendor", &have);
		d->device = dev_hex(d, dd, "device", &d->have_ids);
		d->have_ids = d->have_ids && have;
	}
	d->header = -1;
	type = dmo__dir_type(&dd->ents, "config");
	if (!type) {
		dmo__strv_addf(&d->findings,
			       "%s: config is missing (header type unknown)",
			       d->name);
	} else if (type != 'f' && type != '?') {
		dmo__strv_addf(&d->findings, "%s: config is %s", d->name,
			       dmo__attr_error(type == 'd' ? -EISDIR :
					       type == 'l' ? -ELOOP :
							     -EINVAL));
	} else {
		ssize_t n = -1;
		int fd = openat(dd->fd, "config",
				O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		struct stat st;

		if (fd >= 0 && (type == 'f' ||
				(fstat(fd, &st) == 0 && S_ISREG(st.st_mode))))
			n = pread(fd, cfg, sizeof(cfg), 0);
		if (fd >= 0)
			close(fd);
		if (n > 0x0e)
			d->header = cfg[0x0e] & 0x7f;
		else
			dmo__strv_addf(&d->findings,
				       "%s: config is too short to hold the header type",
				       d->name);
	}
	d->has_reset = dmo__dir_type(&dd->ents, "reset") != 0;
	d->boot_vga = -1;
	if (dev_attr(d, dd, "boot_vga", false, buf, sizeof(buf)))
		d->boot_vga = strcmp(buf, "1") == 0;
	d->numvfs = -1;
	if (dev_attr(d, dd, "sriov_numvfs", false, buf, sizeof(buf)))
		d->numvfs = atoi(buf);
}

/* Reads device @d, whose directory @dfd is open (or -1 to open it). */
static void read_dev(const struct dmo_host *h, struct dmo__hdev *d, int dfd,
		     const char *found_on)
{
	struct devdir dd = { .fd = dfd };
	int budget = WALK_BUDGET;
	char buf[4096];
	int ret;
	char *t;

	if (dd.fd < 0)
		dd.fd = dmo__open_beneath(h->rootfd, h->root, d->path);
	if (dd.fd < 0) {
		dmo__strv_addf(&d->findings, "%s: %s: %s", d->name, d->path,
			       strerror(-dd.fd));
		d->bus = dmo__strdup(found_on);
		return;
	}
	if (dmo__dir_entries(dd.fd, &dd.ents))
		dmo__strv_addf(&d->findings, "%s: %s cannot be listed",
			       d->name, d->path);
	read_bus_and_driver(d, &dd, found_on);
	if (!d->bus)
		goto out;
	if (d->group < 0)
		read_group_link(d, &dd);
	ret = dmo__read_attr_in(dd.fd, &dd.ents, "driver_override", buf,
				sizeof(buf));
	if (ret >= 0) {
		d->has_override = true;
		if (strcmp(buf, "(null)") != 0 && *buf) {
			if (dmo__is_name(buf))
				d->override = dmo__strdup(buf);
			else
				dmo__strv_addf(&d->findings,
					       "%s: driver_override holds '%.40s', not a driver name",
					       d->name, buf);
		}
	} else if (ret != -ENOENT) {
		dmo__strv_addf(&d->findings, "%s: driver_override is %s",
			       d->name, dmo__attr_error(ret));
	}
	if (strcmp(d->bus, "pci") == 0) {
		read_pci(d, &dd);
		if (ret == -ENOENT)
			dmo__strv_addf(&d->findings,
				       "%s: driver_override is missing",
				       d->name);
		t = dev_link(d, &dd, "physfn");
		if (t) {
			const char *slash = strrchr(t, '/');

			d->physfn = dmo__strdup(slash ? slash + 1 : t);
			free(t);
		}
		for (size_t i = 0; i < dd.ents.nr; i++)
			if (strncmp(dd.ents.v[i] + 1, "virtfn", 6) == 0 &&
			    isdigit((unsigned char)dd.ents.v[i][7]))
				d->nr_vfs++;
	}
	walk_below(d, dd.fd, &dd.ents, 0, &budget);
out:
	dmo__strv_free(&dd.ents);
	close(dd.fd);
}

/*
 * The devices by directory, so that one reached both from its group and
 * from bus/pci/devices is one device: open addressing on FNV-1a.
 */
struct pathset {
	size_t *slots;		/* device index + 1; 0: empty */
	size_t cap;		/* a power of two */
};

static uint32_t fnv1a(const char *s)
{
	uint32_t hash = 2166136261u;

	for (; *s; s++)
		hash = (hash ^ (unsigned char)*s) * 16777619u;
	return hash;
}

static int pathset_grow(struct pathset *ps, const struct dmo_host *h)
{
	size_t cap = ps->cap ? ps->cap * 2 : 256;
	size_t *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < h->nr_devs; i++) {
		size_t at = fnv1a(h->devs[i].path) & (cap - 1);

		while (slots[at])
			at = (at + 1) & (cap - 1);
		slots[at] = i + 1;
	}
	free(ps->slots);
	ps->slots = slots;
	ps->cap = cap;
	return 0;
}

/*
 * Adds the device found at @path (no link in it) unless known, and reads
 * it, from @dfd when it is open already (which this closes).  Its index
 * goes to @idx.
 */
static int add_dev(struct dmo_host *h, struct pathset *ps, size_t *cap,
		   const char *name, const char *path, int group, int dfd,
		   const char *found_on, size_t *idx)
{
	struct dmo__hdev *d;
	size_t at;

	if ((h->nr_devs + 1) * 2 > ps->cap && pathset_grow(ps, h)) {
		if (dfd >= 0)
			close(dfd);
		return -ENOMEM;
	}
	for (at = fnv1a(path) & (ps->cap - 1); ps->slots[at];
	     at = (at + 1) & (ps->cap - 1)) {
		if (strcmp(h->devs[ps->slots[at] - 1].path, path) == 0) {
			*idx = ps->slots[at] - 1;
			if (dfd >= 0)
				close(dfd);
			return 0;
		}
	}
	if (h->nr_devs == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct dmo__hdev *nd = realloc(h->devs, ncap * sizeof(*nd));

		if (!nd) {
			if (dfd >= 0)
				close(dfd);
			return -ENOMEM;
		}
		h->devs = nd;
		*cap = ncap;
	}
	d = &h->devs[h->nr_devs];
	memset(d, 0, sizeof(*d));
	d->name = dmo__strdup(name);
	d->path = dmo__strdup(path);
	d->group = group;
	d->header = -1;
	d->boot_vga = -1;
	d->numvfs = -1;
	if (!d->name || !d->path) {
		free(d->name);
		free(d->path);
		if (dfd >= 0)
			close(dfd);
		return -ENOMEM;
	}
	ps->slots[at] = h->nr_devs + 1;
	*idx = h->nr_devs++;
	read_dev(h, d, dfd, found_on);
	return d->bus ? 0 : -ENOMEM;
}

static const char *resolve_error(int ret)
{
	switch (ret) {
	case -ELOOP:
		return "a link loop";
	case -EXDEV:
		return "a link that points outside the tree";
	case -ENOENT:
		return "a link to a directory that is missing (a truncated tree?)";
	case -ENOTDIR:
		return "a link to something that is not a directory";
	default:
		return strerror(-ret);
	}
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static int parse_regions(struct dmo__hgroup *g, char *text, const char *rel)
{
	char *save = NULL;
	int line = 0;

	for (char *l = strtok_r(text, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		unsigned long long a, b;
		char type[64];
		struct dmo__region *nr;

		line++;
		if (sscanf(l, "%llx %llx %63s", &a, &b, type) != 3) {
			dmo__strv_addf(&g->findings,
				       "%s/reserved_regions line %d reads '%.60s', not START END TYPE",
				       rel, line, l);
			continue;
		}
		nr = realloc(g->regions, (g->nr_regions + 1) * sizeof(*nr));
		if (!nr)
			return -ENOMEM;
		g->regions = nr;
		nr[g->nr_regions].start = a;
		nr[g->nr_regions].end = b;
		nr[g->nr_regions].type = dmo__strdup(type);
		if (!nr[g->nr_regions].type)
			return -ENOMEM;
		g->nr_regions++;
	}
	return 0;
}

static const char *guess_bus(const char *name)
{
	/* DDDD:BB:SS.F is PCI; a device-tree or ACPI name is platform. */
	return strchr(name, ':') && strchr(name, '.') ? "pci" : "platform";
}

/*
 * Adds the device the link @rel leads to.  Where a link points is read
 * without following it; the directory it names is then opened with no
 * link on the way (one openat2), and only when that fails is the way
 * walked by hand, for the exact reason (a loop, a way out, a hole).
 * Returns 0 and sets @err to 0, or sets @err to why there is no device.
 */
static int add_linked(struct dmo_host *h, struct pathset *ps, size_t *cap,
		      const char *rel, const char *name, int group, int *err)
{
	char *target = NULL, *path = NULL;
	size_t idx;
	int fd, ret;

	*err = dmo__link_rel(h->root, rel, &target);
	if (*err == -EINVAL)
		*err = dmo__path_resolve(h->root, rel, &target);
	if (*err)
		return *err == -ENOMEM ? -ENOMEM : 0;
	fd = dmo__open_beneath(h->rootfd, h->root, target);
	if (fd >= 0) {
		ret = add_dev(h, ps, cap, name, target, group, fd,
			      guess_bus(name), &idx);
		free(target);
		return ret;
	}
	free(target);
	*err = dmo__path_resolve(h->root, rel, &path);
	if (*err)
		return *err == -ENOMEM ? -ENOMEM : 0;
	ret = add_dev(h, ps, cap, name, path, group, -1, guess_bus(name),
		      &idx);
	free(path);
	return ret;
}

static int read_group_members(struct dmo_host *h, struct pathset *ps,
			      size_t *cap, struct dmo__hgroup *g,
			      const char *rel)
{
	struct dmo__strv names = { 0 };
	char full[PATH_MAX];
	int ret;

	snprintf(full, sizeof(full), "%s/%s/devices", h->root, rel);
	ret = dmo__list_dir(AT_FDCWD, full, &names);
	if (ret && ret != -ENOMEM) {
		g->unreadable++;
		dmo__strv_addf(&g->findings, "%s/devices is %s", rel,
			       dmo__attr_error(ret));
		ret = 0;
	}
	for (size_t i = 0; !ret && i < names.nr; i++) {
		char *link;
		int r = 0;

		link = dmo__asprintf("%s/devices/%s", rel, names.v[i]);
		if (!link) {
			ret = -ENOMEM;
			break;
		}
		if (dmo__is_name(names.v[i]))
			ret = add_linked(h, ps, cap, link, names.v[i], g->id,
					 &r);
		else
			r = -EINVAL;
		if (!ret && r) {
			g->unreadable++;
			dmo__strv_addf(&g->findings, "%s: %s", link,
				       r == -EINVAL ? "not a device name" :
						      resolve_error(r));
		}
		free(link);
	}
	dmo__strv_free(&names);
	return ret;
}

static int read_groups(struct dmo_host *h, struct pathset *ps, size_t *cap)
{
	struct dmo__strv names = { 0 };
	char full[PATH_MAX];
	int *ids = NULL;
	size_t nr = 0;
	int ret;

	snprintf(full, sizeof(full), "%s/kernel/iommu_groups", h->root);
	ret = dmo__list_dir(AT_FDCWD, full, &names);
	if (ret == -ENOMEM)
		return ret;
	if (ret)
		return 0;
	h->groups_dir = true;
	ids = calloc(names.nr ? names.nr : 1, sizeof(*ids));
	if (!ids) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < names.nr; i++) {
		const char *n = names.v[i];

		if (!*n || strspn(n, "0123456789") != strlen(n) ||
		    strlen(n) > 9) {
			dmo__strv_addf(&h->findings,
				       "kernel/iommu_groups/%.60s is not a group number: left out",
				       n);
			continue;
		}
		ids[nr++] = atoi(n);
	}
	qsort(ids, nr, sizeof(*ids), cmp_int);
	h->groups = calloc(nr ? nr : 1, sizeof(*h->groups));
	if (!h->groups) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < nr; i++) {
		struct dmo__hgroup *g = &h->groups[h->nr_groups++];
		char rel[64], buf[8192];
		int gfd, r;

		g->id = ids[i];
		snprintf(rel, sizeof(rel), "kernel/iommu_groups/%d", g->id);
		snprintf(full, sizeof(full), "%s/%s", h->root, rel);
		gfd = open(full,
			   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (gfd < 0) {
			g->unreadable++;
			dmo__strv_addf(&g->findings, "%s is %s", rel,
				       errno == ENOTDIR ? "not a directory" :
				       errno == ELOOP	? "a link, not a directory" :
							  strerror(errno));
			continue;
		}
		r = dmo__read_attr(gfd, "reserved_regions", buf, sizeof(buf));
		if (r >= 0) {
			ret = parse_regions(g, buf, rel);
		} else {
			g->unreadable++;
			dmo__strv_addf(&g->findings, "%s/reserved_regions is %s",
				       rel, dmo__attr_error(r));
		}
		if (!ret && dmo__read_attr(gfd, "type", buf, sizeof(buf)) >= 0 &&
		    *buf) {
			g->type = dmo__strdup(buf);
			if (!g->type)
				ret = -ENOMEM;
		}
		close(gfd);
		if (!ret)
			ret = read_group_members(h, ps, cap, g, rel);
		if (ret)
			goto out;
	}
out:
	dmo__strv_free(&names);
	free(ids);
	return ret;
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* bus/pci/devices: the PCI devices that are in no group, too. */
static int read_bus_devices(struct dmo_host *h, struct pathset *ps,
			    size_t *cap, const char *bus)
{
	struct dmo__strv names = { 0 };
	char full[PATH_MAX];
	const char **known;
	size_t nr_known = 0;
	int ret;

	/* Names are unique on a bus: a member of a group is read already. */
	known = calloc(h->nr_devs + 1, sizeof(*known));
	if (!known)
		return -ENOMEM;
	for (size_t i = 0; i < h->nr_devs; i++)
		if (h->devs[i].bus && strcmp(h->devs[i].bus, bus) == 0)
			known[nr_known++] = h->devs[i].name;
	qsort(known, nr_known, sizeof(*known), cmp_strp);
	snprintf(full, sizeof(full), "%s/bus/%s/devices", h->root, bus);
	ret = dmo__list_dir(AT_FDCWD, full, &names);
	if (ret != -ENOMEM)
		ret = 0;
	for (size_t i = 0; !ret && i < names.nr; i++) {
		const char *name = names.v[i];
		char *link;
		int r = 0;

		if (name[0] == '.' || !dmo__is_name(name) ||
		    bsearch(&name, known, nr_known, sizeof(*known), cmp_strp))
			continue;
		link = dmo__asprintf("bus/%s/devices/%s", bus, name);
		if (!link) {
			ret = -ENOMEM;
			break;
		}
		ret = add_linked(h, ps, cap, link, name, -1, &r);
		if (!ret && r)
			dmo__strv_addf(&h->findings, "%s: %s", link,
				       resolve_error(r));
		free(link);
	}
	dmo__strv_free(&names);
	free(known);
	return ret;
}

static int read_drivers(struct dmo_host *h)
{
	struct dmo__strv buses = { 0 };
	char full[PATH_MAX];
	int ret;

	snprintf(full, sizeof(full), "%s/bus", h->root);
	ret = dmo__list_dir(AT_FDCWD, full, &buses);
	if (ret != -ENOMEM)
		ret = 0;
	for (size_t i = 0; !ret && i < buses.nr; i++) {
		struct dmo__strv drivers = { 0 };

		if (!dmo__is_name(buses.v[i]))
			continue;
		snprintf(full, sizeof(full), "%s/bus/%s/drivers", h->root,
			 buses.v[i]);
		ret = dmo__list_dir(AT_FDCWD, full, &drivers);
		if (ret != -ENOMEM)
			ret = 0;
		for (size_t k = 0; !ret && k < drivers.nr; k++)
			if (dmo__is_name(drivers.v[k]))
				ret = dmo__strv_addf(&h->drivers, "%s/%s",
						     buses.v[i], drivers.v[k]);
		dmo__strv_free(&drivers);
	}
	dmo__strv_free(&buses);
	return ret;
}

/* The fd directories of proc/PID: who holds /dev/vfio/N open. */
static void read_owners(struct dmo_host *h)
{
	struct dmo__strv pids = { 0 };

	if (dmo__list_dir(AT_FDCWD, h->proc, &pids))
		return;
	for (size_t i = 0; i < pids.nr; i++) {
		const char *pid = pids.v[i];
		struct dmo__strv fds = { 0 };
		char path[PATH_MAX];

		if (!*pid || strspn(pid, "0123456789") != strlen(pid))
			continue;
		snprintf(path, sizeof(path), "%s/%s/fd", h->proc, pid);
		if (dmo__list_dir(AT_FDCWD, path, &fds))
			continue;
		for (size_t k = 0; k < fds.nr; k++) {
			char file[PATH_MAX + 300], target[PATH_MAX];
			char comm[256] = "?", cpath[PATH_MAX + 16];
			struct dmo__hgroup *g;
			const char *n;
			ssize_t len;
			int cfd;

			snprintf(file, sizeof(file), "%s/%s", path, fds.v[k]);
			len = readlink(file, target, sizeof(target) - 1);
			if (len <= 0)
				continue;
			target[len] = '\0';
			if (strncmp(target, "/dev/vfio/", 10) != 0)
				continue;
			n = target + 10;
			if (!*n || strspn(n, "0123456789") != strlen(n))
				continue;
			g = (struct dmo__hgroup *)dmo__host_group(h, atoi(n));
			/* The lowest pid names the owner: sorted by number. */
			if (!g || (g->owner && g->owner_pid < atol(pid)))
				continue;
			snprintf(cpath, sizeof(cpath), "%s/%s/comm", h->proc,
				 pid);
			cfd = open(cpath,
				   O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
					   O_CLOEXEC);
			if (cfd >= 0) {
				ssize_t c = read(cfd, comm, sizeof(comm) - 1);

				comm[c > 0 ? c : 0] = '\0';
				comm[strcspn(comm, "\n")] = '\0';
				close(cfd);
			}
			free(g->owner);
			g->owner = dmo__asprintf("%s (pid %s)", comm, pid);
			g->owner_pid = atol(pid);
		}
		dmo__strv_free(&fds);
	}
	dmo__strv_free(&pids);
}

/* Undoes the octal escapes of /proc/mounts (\040 for a space). */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
				      (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

static void read_use(const struct dmo_host *h, struct host_use *u)
{
	char *text, *save = NULL;
	int line = 0;

	text = read_proc(h, "net/route");
	for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save)) {
		char iface[64];

		if (line++ == 0)
			continue;
		if (sscanf(l, "%63s", iface) == 1 &&
		    !dmo__strv_has(&u->routed, iface))
			dmo__strv_add(&u->routed, iface);
	}
	free(text);
	text = read_proc(h, "net/if_inet6");
	for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save)) {
		char hex[40], iface[64], addr[INET6_ADDRSTRLEN];
		unsigned int idx, plen, scope, flags;
		unsigned char bytes[16];

		if (sscanf(l, "%39s %x %x %x %x %63s", hex, &idx, &plen,
			   &scope, &flags, iface) != 6 ||
		    strlen(hex) != 32)
			continue;
		/* 0x20: link-local, 0x10: host (loopback). */
		if (scope == 0x20 || scope == 0x10)
			continue;
		for (int i = 0; i < 16; i++) {
			unsigned int b;

			sscanf(hex + 2 * i, "%2x", &b);
			bytes[i] = (unsigned char)b;
		}
		if (!inet_ntop(AF_INET6, bytes, addr, sizeof(addr)))
			continue;
		dmo__strv_addf(&u->addr6, "%s %s", iface, addr);
	}
	free(text);
	text = read_proc(h, "mounts");
	for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save)) {
		char src[PATH_MAX], target[PATH_MAX];

		if (sscanf(l, "%4095s %4095s", src, target) != 2 ||
		    strncmp(src, "/dev/", 5) != 0)
			continue;
		unescape(target);
		dmo__strv_addf(&u->mounts, "%s %s", src + 5, target);
	}
	free(text);
	text = read_proc(h, "swaps");
	line = 0;
	for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save)) {
		char src[PATH_MAX];

		if (line++ == 0)
			continue;
		if (sscanf(l, "%4095s", src) == 1 &&
		    strncmp(src, "/dev/", 5) == 0)
			dmo__strv_add(&u->swaps, src + 5);
	}
	free(text);
}

/* Why the host needs @d (HOST.md "host-critical"), or NULL. */
static char *critical(const struct dmo__hdev *d, const struct host_use *u)
{
	struct dmo__buf b = { 0 };
	unsigned int cls = d->class >> 8;

#define REASON(...) \
	do { \
		if (b.len) \
			dmo__buf_add(&b, "; "); \
		dmo__buf_addf(&b, __VA_ARGS__); \
	} while (0)

	if (d->boot_vga == 1)
		REASON("the boot VGA device, the host's console");
	if (d->pci && d->have_class) {
		if (cls == 0x0601)
			REASON("an LPC/ISA bridge");
		if (cls == 0x0c05)
			REASON("an SMBus controller");
		if (cls == 0x0c07)
			REASON("the IPMI interface to the BMC");
		if (cls == 0x1080 && d->driver && strcmp(d->driver, "ccp") == 0)
			REASON("the platform security processor: firmware TPM, SEV");
	}
	for (size_t i = 0; i < d->nets.nr; i++) {
		const char *n = d->nets.v[i];
		const char *addr = NULL;
		size_t len = strlen(n);
		bool routed = dmo__strv_has(&u->routed, n);

		for (size_t j = 0; j < u->addr6.nr && !addr; j++)
			if (strncmp(u->addr6.v[j], n, len) == 0 &&
			    u->addr6.v[j][len] == ' ')
				addr = u->addr6.v[j] + len + 1;
		if (routed && addr)
			REASON("%s carries routes and the address %s", n, addr);
		else if (routed)
			REASON("%s carries routes", n);
		else if (addr)
			REASON("%s has the address %s", n, addr);
	}
	for (size_t i = 0; i < d->blocks.nr; i++) {
		const char *n = d->blocks.v[i];
		size_t len = strlen(n);

		for (size_t j = 0; j < u->mounts.nr; j++)
			if (strncmp(u->mounts.v[j], n, len) == 0 &&
			    u->mounts.v[j][len] == ' ')
				REASON("%s is mounted on %s", n,
				       u->mounts.v[j] + len + 1);
		if (dmo__strv_has(&u->swaps, n))
			REASON("%s is swap", n);
	}
	for (size_t i = 0; i < d->held.nr; i++) {
		const char *sp = strchr(d->held.v[i], ' ');

		REASON("%.*s is held by %s", (int)(sp - d->held.v[i]),
		       d->held.v[i], sp + 1);
	}
#undef REASON
	return b.len ? dmo__buf_take(&b) : NULL;
}

static int dev_cmp(const void *a, const void *b, void *arg)
{
	const struct dmo_host *h = arg;
	const struct dmo__hdev *x = &h->devs[*(const size_t *)a];
	const struct dmo__hdev *y = &h->devs[*(const size_t *)b];

	return strcmp(x->name, y->name);
}

/* Sorts the index array @v by device name (insertion: groups are small). */
static void sort_members(const struct dmo_host *h, size_t *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && dev_cmp(&v[j - 1], &v[j],
						    (void *)h) > 0; j--) {
			size_t t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

static int read_cmdline(struct dmo_host *h)
{
	char *save = NULL;
	char *copy;

	h->cmdline = read_proc(h, "cmdline");
	if (!h->cmdline)
		return -ENOMEM;
	h->cmdline[strcspn(h->cmdline, "\n")] = '\0';
	copy = dmo__strdup(h->cmdline);
	if (!copy)
		return -ENOMEM;
	for (char *w = strtok_r(copy, " \t", &save); w;
	     w = strtok_r(NULL, " \t", &save)) {
		static const char *const keys[] = {
			"vfio-pci.ids=", "vfio_pci.ids=", "pci-stub.ids=",
			"pci_stub.ids=",
		};
		char *s2 = NULL;

		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			size_t n = strlen(keys[k]);

			if (strncmp(w, keys[k], n) != 0)
				continue;
			for (char *id = strtok_r(w + n, ",", &s2); id;
			     id = strtok_r(NULL, ",", &s2)) {
				unsigned int v, d;

				if (sscanf(id, "%4x:%4x", &v, &d) == 2)
					dmo__strv_addf(&h->ids,
						       "%04x:%04x %.*s", v, d,
						       (int)(n - 1), keys[k]);
			}
		}
	}
	free(copy);
	return 0;
}

/* Whether the kernel command line has the word @w (or starts with it=). */
static bool cmdline_has(const struct dmo_host *h, const char *w)
{
	size_t n = strlen(w);
	const char *p = h->cmdline;

	while (p && (p = strstr(p, w))) {
		bool start = p == h->cmdline || p[-1] == ' ';
		bool end = p[n] == '\0' || p[n] == ' ';

		if (start && end)
			return true;
		p += n;
	}
	return false;
}

static void machine_findings(struct dmo_host *h)
{
	char full[PATH_MAX], buf[256];
	size_t nogroup = 0, intel = 0, intel_ir = 0;
	struct dmo__strv units = { 0 };
	bool noiommu = false;
	int fd;

	for (size_t i = 0; i < h->nr_devs; i++)
		if (h->devs[i].pci && h->devs[i].group < 0)
			nogroup++;
	snprintf(full, sizeof(full), "%s/module/vfio/parameters", h->root);
	fd = open(full,
			   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		noiommu = dmo__read_attr(fd, "enable_unsafe_noiommu_mode", buf,
					 sizeof(buf)) >= 0 &&
			  (buf[0] == 'Y' || buf[0] == '1');
		close(fd);
	}
	if (!h->nr_groups) {
		dmo__strv_addf(&h->findings,
			       "no IOMMU groups (%s/kernel/iommu_groups is %s): the IOMMU is disabled or absent, and VFIO can take no device",
			       h->root, h->groups_dir ? "empty" : "missing");
		if (cmdline_has(h, "intel_iommu=off"))
			dmo__strv_add(&h->findings,
				      "the kernel command line has intel_iommu=off: remove it, or make it intel_iommu=on");
		if (cmdline_has(h, "amd_iommu=off"))
			dmo__strv_add(&h->findings,
				      "the kernel command line has amd_iommu=off: remove it");
		if (cmdline_has(h, "iommu=off"))
			dmo__strv_add(&h->findings,
				      "the kernel command line has iommu=off: remove it");
		dmo__strv_add(&h->findings,
			      "check that VT-d (Intel) or AMD-Vi/IOMMU (AMD) is enabled in the firmware setup, and the kernel command line: Intel needs intel_iommu=on on kernels built without CONFIG_INTEL_IOMMU_DEFAULT_ON; AMD's IOMMU is on unless amd_iommu=off or iommu=off");
		if (nogroup)
			dmo__strv_addf(&h->findings,
				       "%zu PCI device%s in no IOMMU group",
				       nogroup, nogroup == 1 ? " is" : "s are");
		if (noiommu)
			dmo__strv_add(&h->findings,
				      "VFIO's no-IOMMU mode is on (module/vfio/parameters/enable_unsafe_noiommu_mode): user space gets devices with no isolation at all, fit for a trusted driver such as DPDK's, never for a guest");
		else
			dmo__strv_add(&h->findings,
				      "VFIO's no-IOMMU mode (vfio.enable_unsafe_noiommu_mode=1) would give devices to user space with no isolation at all: for trusted user-space drivers only, never for a guest");
		return;
	}
	if (noiommu)
		dmo__strv_add(&h->findings,
			      "VFIO's no-IOMMU mode is on (module/vfio/parameters/enable_unsafe_noiommu_mode): devices outside any IOMMU group can be opened with no isolation");
	snprintf(full, sizeof(full), "%s/class/iommu", h->root);
	dmo__list_dir(AT_FDCWD, full, &units);
	for (size_t i = 0; i < units.nr; i++) {
		char rel[PATH_MAX], *path = NULL;
		int dfd;

		if (!dmo__is_name(units.v[i]))
			continue;
		snprintf(rel, sizeof(rel), "class/iommu/%s/intel-iommu",
			 units.v[i]);
		if (dmo__path_resolve(h->root, rel, &path))
			continue;
		snprintf(full, sizeof(full), "%s/%s", h->root, path);
		free(path);
		dfd = open(full,
			   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dfd < 0)
			continue;
		intel++;
		if (dmo__read_attr(dfd, "ecap", buf, sizeof(buf)) >= 0) {
			unsigned long long ecap = strtoull(buf, NULL, 16);

			/* ECAP.IR, bit 3: interrupt remapping. */
			if (ecap & 0x8)
				intel_ir++;
		} else {
			intel_ir++;
		}
		close(dfd);
	}
	dmo__strv_free(&units);
	if (cmdline_has(h, "intremap=off") || cmdline_has(h, "nointremap") ||
	    (intel && !intel_ir)) {
		char allow[16] = "";

		snprintf(full, sizeof(full),
			 "%s/module/vfio_iommu_type1/parameters", h->root);
		fd = open(full,
			   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0) {
			if (dmo__read_attr(fd, "allow_unsafe_interrupts", buf,
					   sizeof(buf)) >= 0)
				snprintf(allow, sizeof(allow), ", now %.8s",
					 buf);
			close(fd);
		}
		dmo__strv_addf(&h->findings,
			       "no interrupt remapping (%s): VFIO refuses to attach devices unless vfio_iommu_type1.allow_unsafe_interrupts=1 (allow_unsafe_interrupts%s), which lets a guest's device raise interrupts the host cannot tell from its own: only for guests you trust",
			       intel && !intel_ir ?
				       "the IOMMU does not support it" :
				       "intremap=off on the kernel command line",
			       allow);
	}
}

static int cmp_name(const void *a, const void *b)
{
	const struct dmo__pciname *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return (int)x->vendor_only - (int)y->vendor_only;
}

/* Names from pci.ids, for the vendors the machine has. */
static void read_pci_ids(struct dmo_host *h)
{
	static const char *const live[] = {
		"/usr/share/hwdata/pci.ids", "/usr/share/misc/pci.ids",
		"/usr/share/pci.ids",
	};
	char path[PATH_MAX];
	char line[1024];
	unsigned int vendor = 0;
	bool keep = false;
	FILE *f = NULL;

	if (h->live) {
		for (size_t i = 0; !f && i < sizeof(live) / sizeof(*live); i++)
			f = fopen(live[i], "re");
	} else {
		struct stat st;

		snprintf(path, sizeof(path), "%s/../pci.ids", h->root);
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
			f = fopen(path, "re");
	}
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned int id;
		char *name;
		bool dev = line[0] == '\t' && line[1] != '\t';
		struct dmo__pciname *nn;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == 'C' && line[1] == ' ')
			break;
		if (line[0] == '#' || !line[0] || (line[0] == '\t' && !dev))
			continue;
		if (sscanf(line + dev, "%4x", &id) != 1 ||
		    strlen(line + dev) < 7)
			continue;
		name = line + dev + 6;
		if (!dev) {
			vendor = id;
			keep = false;
			for (size_t i = 0; i < h->nr_devs && !keep; i++)
				keep = h->devs[i].pci && h->devs[i].have_ids &&
				       h->devs[i].vendor == id;
			if (!keep)
				continue;
		} else if (!keep) {
			continue;
		}
		nn = realloc(h->names, (h->nr_names + 1) * sizeof(*nn));
		if (!nn)
			break;
		h->names = nn;
		nn[h->nr_names].key = dev ? (vendor << 16 | id) : id << 16;
		nn[h->nr_names].vendor_only = !dev;
		nn[h->nr_names].name = dmo__strdup(name);
		if (!nn[h->nr_names].name)
			break;
		h->nr_names++;
	}
	fclose(f);
	qsort(h->names, h->nr_names, sizeof(*h->names), cmp_name);
}

static const char *find_name(const struct dmo_host *h, uint32_t key,
			     bool vendor_only)
{
	struct dmo__pciname k = { .key = key, .vendor_only = vendor_only };
	struct dmo__pciname *n = bsearch(&k, h->names, h->nr_names,
					 sizeof(*h->names), cmp_name);

	return n ? n->name : NULL;
}

void dmo__host_pci_name(const struct dmo_host *h, const struct dmo__hdev *d,
			char *out, size_t len)
{
	const char *v = find_name(h, d->vendor << 16, true);
	const char *n = find_name(h, d->vendor << 16 | d->device, false);
	char vb[32], db[32];

	if (!v) {
		snprintf(vb, sizeof(vb), "Vendor %04x", d->vendor);
		v = vb;
	}
	if (!n) {
		snprintf(db, sizeof(db), "Device %04x", d->device);
		n = db;
	}
	snprintf(out, len, "%s %s", v, n);
}

static int read_kernel(struct dmo_host *h, const char *opt, char *err,
		       size_t errlen)
{
	char path[PATH_MAX], buf[256];
	struct utsname u;
	int r;

	if (opt) {
		if (dmo__kver_parse(opt, &h->kv)) {
			dmo__errf(err, errlen,
				  "'%s' is not a kernel version (such as 6.8 or 5.18.19)",
				  opt);
			return -EINVAL;
		}
		h->kernel = dmo__strdup(opt);
		h->kernel_from = dmo__strdup("--kernel");
		return h->kernel && h->kernel_from ? 0 : -ENOMEM;
	}
	snprintf(path, sizeof(path), "%s/sys/kernel/osrelease", h->proc);
	r = dmo__read_attr(AT_FDCWD, path, buf, sizeof(buf));
	if (r > 0 && dmo__kver_parse(buf, &h->kv) == 0) {
		h->kernel = dmo__strdup(buf);
		h->kernel_from = dmo__strdup(path);
		return h->kernel && h->kernel_from ? 0 : -ENOMEM;
	}
	if (r > 0)
		dmo__strv_addf(&h->findings,
			       "%s reads '%.40s', not a kernel version: using uname -r",
			       path, buf);
	if (uname(&u) || dmo__kver_parse(u.release, &h->kv)) {
		dmo__errf(err, errlen,
			  "no kernel version: %s is %s and uname -r gives none (give --kernel)",
			  path, r < 0 ? dmo__attr_error(r) : "empty");
		return -EINVAL;
	}
	h->kernel = dmo__strdup(u.release);
	h->kernel_from = dmo__strdup("uname -r");
	return h->kernel && h->kernel_from ? 0 : -ENOMEM;
}

static bool is_dir_at(const char *root, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", root, name);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/**
 * dmo__host_read() - read the machine whose root and options are set
 * @h: the machine, with root set
 * @err: filled with a message on failure
 * @errlen: size of @err
 *
 * Return: 0, -ENOTDIR for a root that is no sysfs tree, -ENOMEM.
 * Context: any.
 */
int dmo__host_read(struct dmo_host *h, char *err, size_t errlen)
{
	struct host_use use = { 0 };
	struct pathset ps = { 0 };
	char real[PATH_MAX];
	size_t cap = 0;
	struct stat st;
	int ret;

	if (stat(h->root, &st)) {
		dmo__errf(err, errlen, "%s: %s", h->root,
			  errno == ENOENT ? "no such directory" :
					    strerror(errno));
		return -ENOTDIR;
	}
	if (!S_ISDIR(st.st_mode)) {
		dmo__errf(err, errlen, "%s: not a directory", h->root);
		return -ENOTDIR;
	}
	if (!is_dir_at(h->root, "bus") && !is_dir_at(h->root, "devices")) {
		if (is_dir_at(h->root, "sys"))
			dmo__errf(err, errlen,
				  "%s: not a sysfs tree (no bus/ or devices/ in it); a saved tree's sysfs is its sys/: --sysfs %s/sys",
				  h->root, h->root);
		else
			dmo__errf(err, errlen,
				  "%s: not a sysfs tree (no bus/ or devices/ in it)",
				  h->root);
		return -ENOTDIR;
	}
	h->live = realpath(h->root, real) && strcmp(real, "/sys") == 0;
	h->rootfd = open(h->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ret = read_groups(h, &ps, &cap);
	if (!ret)
		ret = read_bus_devices(h, &ps, &cap, "pci");
	if (!ret)
		ret = read_drivers(h);
	if (!ret)
		ret = read_cmdline(h);
	if (ret)
		goto out;
	for (size_t i = 0; i < h->nr_groups; i++) {
		struct dmo__hgroup *g = &h->groups[i];

		for (size_t j = 0; j < h->nr_devs; j++)
			if (h->devs[j].group == g->id)
				g->nr_members++;
		g->members = calloc(g->nr_members ? g->nr_members : 1,
				    sizeof(*g->members));
		if (!g->members) {
			ret = -ENOMEM;
			goto out;
		}
		g->nr_members = 0;
		for (size_t j = 0; j < h->nr_devs; j++)
			if (h->devs[j].group == g->id)
				g->members[g->nr_members++] = j;
		sort_members(h, g->members, g->nr_members);
	}
	read_use(h, &use);
	for (size_t i = 0; i < h->nr_devs; i++)
		h->devs[i].critical = critical(&h->devs[i], &use);
	read_owners(h);
	machine_findings(h);
	read_pci_ids(h);
out:
	if (h->rootfd >= 0)
		close(h->rootfd);
	h->rootfd = -1;
	free(ps.slots);
	use_free(&use);
	if (ret == -ENOMEM)
		dmo__errf(err, errlen, "out of memory");
	return ret;
}

int dmo_host_open(const struct dmo_host_opts *opts, struct dmo_host **out,
		  char *err, size_t errlen)
{
	const char *root = opts && opts->sysfs ? opts->sysfs : "/sys";
	struct dmo_host *h = calloc(1, sizeof(*h));
	size_t n;
	int ret;

	if (!h) {
		dmo__errf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	h->rootfd = -1;
	h->root = dmo__strdup(root);
	if (!h->root) {
		ret = -ENOMEM;
		goto err;
	}
	n = strlen(h->root);
	while (n > 1 && h->root[n - 1] == '/')
		h->root[--n] = '\0';
	{
		const char *slash = strrchr(h->root, '/');

		if (!slash)
			h->proc = dmo__strdup("proc");
		else if (slash == h->root)
			h->proc = dmo__strdup("/proc");
		else
			h->proc = dmo__asprintf("%.*s/proc",
						(int)(slash - h->root),
						h->root);
	}
	if (!h->proc) {
		ret = -ENOMEM;
		goto err;
	}
	ret = read_kernel(h, opts ? opts->kernel : NULL, err, errlen);
	if (ret)
		goto err;
	h->rule = dmo__kver_rule(h->kv);
	ret = dmo__host_read(h, err, errlen);
	if (ret)
		goto err;
	*out = h;
	return 0;
err:
	if (ret == -ENOMEM)
		dmo__errf(err, errlen, "out of memory");
	dmo_host_close(h);
	return ret;
}

void dmo_host_close(struct dmo_host *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->nr_devs; i++) {
		struct dmo__hdev *d = &h->devs[i];

		free(d->name);
		free(d->bus);
		free(d->path);
		free(d->driver);
		free(d->override);
		free(d->physfn);
		free(d->critical);
		dmo__strv_free(&d->nets);
		dmo__strv_free(&d->blocks);
		dmo__strv_free(&d->held);
		dmo__strv_free(&d->findings);
	}
	free(h->devs);
	for (size_t i = 0; i < h->nr_groups; i++) {
		struct dmo__hgroup *g = &h->groups[i];

		free(g->members);
		for (size_t j = 0; j < g->nr_regions; j++)
			free(g->regions[j].type);
		free(g->regions);
		free(g->type);
		free(g->owner);
		dmo__strv_free(&g->findings);
	}
	free(h->groups);
	for (size_t i = 0; i < h->nr_names; i++)
		free(h->names[i].name);
	free(h->names);
	dmo__strv_free(&h->drivers);
	dmo__strv_free(&h->findings);
	dmo__strv_free(&h->ids);
	free(h->cmdline);
	free(h->kernel);
	free(h->kernel_from);
	free(h->proc);
	free(h->root);
	free(h);
}

int dmo_host_target(const struct dmo_host *h, const char *target, int *group,
		    char *err, size_t errlen)
{
	const struct dmo__hdev *d;

	if (*target && strspn(target, "0123456789") == strlen(target) &&
	    strlen(target) <= 9) {
		if (!dmo__host_group(h, atoi(target))) {
			dmo__errf(err, errlen, "no group %s in %s/kernel/iommu_groups",
				  target, h->root);
			return -ENOENT;
		}
		*group = atoi(target);
		return 0;
	}
	d = dmo__host_dev(h, target);
	if (!d) {
		dmo__errf(err, errlen,
			  "no device '%s' in %s (neither a group number nor a device of an IOMMU group or of bus/pci)",
			  target, h->root);
		return -ENOENT;
	}
	*group = d->group;
	return 0;
}
