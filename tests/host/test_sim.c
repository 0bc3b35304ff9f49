// SPDX-License-Identifier: MIT
/*
 * apply and undo against the simulated kernel, on copies of the saved
 * trees (never the real /sys):
 *
 *  - the sweep: every plan of every tree (with --force), carried out
 *    whole, then undone; then each of its writes failed in turn, and the
 *    apply must roll back to a tree equal to the original in every file
 *    and link, byte for byte; then each write failed together with the
 *    first rollback write after it, and apply must say so (3) and a
 *    later undo restore everything;
 *  - the kernel's answers the simulator gives, one by one;
 *  - the order of the plan against an autoprobe between any two writes,
 *    and the wrong order losing the device to its old driver;
 *  - journals that do not check out, refused before any write;
 *  - who may write where.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dmaown.h"
#include "host/host.h"
#include "tap.h"

/* Short enough that every path made from them fits PATH_MAX. */
static char trees[1024];
static char tmp[1024];
static FILE *devnull;

/* Copies a tree as it is: directories, files, links (never followed). */
static int copy_tree(const char *src, const char *dst)
{
	struct dmo__strv ents = { 0 };
	struct stat st;
	int ret = 0;

	if (lstat(src, &st))
		return -errno;
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlink(src, target, sizeof(target) - 1);

		if (n < 0)
			return -errno;
		target[n] = '\0';
		return symlink(target, dst) ? -errno : 0;
	}
	if (S_ISREG(st.st_mode)) {
		char buf[65536];
		int in = open(src, O_RDONLY), out;
		ssize_t n;

		if (in < 0)
			return -errno;
		out = open(dst, O_WRONLY | O_CREAT | O_EXCL, st.st_mode & 0777);
		if (out < 0) {
			close(in);
			return -errno;
		}
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)n) != n)
				ret = -EIO;
		close(in);
		close(out);
		return ret;
	}
	if (!S_ISDIR(st.st_mode))
		return 0;
	if (mkdir(dst, 0755))
		return -errno;
	ret = dmo__list_dir(AT_FDCWD, src, &ents);
	for (size_t i = 0; !ret && i < ents.nr; i++) {
		char s[PATH_MAX + 256], d[PATH_MAX + 256];

		snprintf(s, sizeof(s), "%s/%s", src, ents.v[i]);
		snprintf(d, sizeof(d), "%s/%s", dst, ents.v[i]);
		ret = copy_tree(s, d);
	}
	dmo__strv_free(&ents);
	return ret;
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void rm_tree(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Every entry below @dir: "TYPE PATH CONTENT-OR-TARGET", sorted. */
static void snapshot(const char *dir, const char *rel, struct dmo__strv *out)
{
	struct dmo__strv ents = { 0 };
	char path[2 * PATH_MAX];

	snprintf(path, sizeof(path), "%s%s%s", dir, *rel ? "/" : "", rel);
	dmo__list_dir(AT_FDCWD, path, &ents);
	for (size_t i = 0; i < ents.nr; i++) {
		char sub[PATH_MAX], full[3 * PATH_MAX], buf[8192];
		struct stat st;

		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "",
			 ents.v[i]);
		snprintf(full, sizeof(full), "%s/%s", dir, sub);
		if (lstat(full, &st))
			continue;
		if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlink(full, buf, sizeof(buf) - 1);

			buf[n > 0 ? n : 0] = '\0';
			dmo__strv_addf(out, "l %s -> %s", sub, buf);
		} else if (S_ISDIR(st.st_mode)) {
			dmo__strv_addf(out, "d %s", sub);
			snapshot(dir, sub, out);
		} else {
			int fd = open(full, O_RDONLY);
			ssize_t n =
				fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
			struct dmo__buf hex = { 0 };

			if (fd >= 0)
				close(fd);
			for (ssize_t k = 0; k < n; k++)
				dmo__buf_addf(&hex, "%02x", (unsigned char)buf[k]);
			dmo__strv_addf(out, "f %s %s", sub, hex.s ? hex.s : "");
			free(hex.s);
		}
	}
	dmo__strv_free(&ents);
}

/* Whether two snapshots are equal; the first difference goes to @diff. */
static bool same_snap(const struct dmo__strv *a, const struct dmo__strv *b,
		      char *diff, size_t len)
{
	size_t i = 0;

	for (; i < a->nr && i < b->nr; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			break;
	if (i == a->nr && i == b->nr)
		return true;
	snprintf(diff, len, "was '%.200s', now '%.200s'",
		 i < a->nr ? a->v[i] : "(nothing)",
		 i < b->nr ? b->v[i] : "(nothing)");
	return false;
}

/* A fresh copy of tree @name at TMP/@name; its sys/ in @sys. */
static bool fresh(const char *name, char *sys, size_t len)
{
	char src[2048], dst[2048];

	snprintf(src, sizeof(src), "%s/%s", trees, name);
	snprintf(dst, sizeof(dst), "%s/%s", tmp, name);
	rm_tree(dst);
	snprintf(sys, len, "%s/sys", dst);
	return copy_tree(src, dst) == 0;
}

struct sim_run {
	struct dmo_host *h;
	struct dmo_host_plan *p;
	struct dmo_hostsim *sim;
};

/* Reads @sys and plans group @g; false when it cannot. */
static bool plan_group(const char *sys, int g, struct sim_run *r)
{
	struct dmo_host_opts o = { .sysfs = sys };
	char target[16], err[512];
	const char *t = target;

	memset(r, 0, sizeof(*r));
	snprintf(target, sizeof(target), "%d", g);
	if (dmo_host_open(&o, &r->h, err, sizeof(err)))
		return false;
	if (dmo_host_plan_vfio(r->h, &t, 1, true, &r->p, err, sizeof(err))) {
		dmo_host_plan_free(r->p);
		dmo_host_close(r->h);
		r->p = NULL;
		r->h = NULL;
		return false;
	}
	return true;
}

static void run_free(struct sim_run *r)
{
	dmo_hostsim_destroy(r->sim);
	dmo_host_plan_free(r->p);
	dmo_host_close(r->h);
	memset(r, 0, sizeof(*r));
}

/* apply with the writes @fail (0-terminated) failing; its exit status. */
static int apply_failing(const char *sys, int g, const int *fail,
			 const char *journal)
{
	struct sim_run r;
	struct dmo_host_writer w;
	char err[512];
	int ret;

	if (!plan_group(sys, g, &r))
		return -1000;
	if (dmo_hostsim_create(sys, NULL, &r.sim, err, sizeof(err))) {
		diag("sim: %s", err);
		run_free(&r);
		return -1001;
	}
	for (; *fail; fail++)
		dmo_hostsim_fail_write(r.sim, *fail, -EIO);
	w = (struct dmo_host_writer){ dmo_hostsim_write, r.sim };
	unlink(journal);
	ret = dmo_host_apply(r.p, journal, &w, devnull, err, sizeof(err));
	if (ret < 0)
		diag("apply: %s", err);
	run_free(&r);
	return ret;
}

static int undo(const char *sys, const char *journal, const int *fail)
{
	struct dmo_hostsim *sim;
	struct dmo_host_writer w;
	char err[512];
	int ret;

	if (dmo_hostsim_create(sys, NULL, &sim, err, sizeof(err)))
		return -1001;
	for (; fail && *fail; fail++)
		dmo_hostsim_fail_write(sim, *fail, -EIO);
	w = (struct dmo_host_writer){ dmo_hostsim_write, sim };
	ret = dmo_host_undo(sys, journal, &w, devnull, err, sizeof(err));
	if (ret < 0)
		diag("undo: %s", err);
	dmo_hostsim_destroy(sim);
	return ret;
}

/*
 * What a write to the simulator can change: the members' directories
 * and the drivers' directories.  Each run is checked there exactly; the
 * whole tree, byte for byte, after the runs of every plan of the tree,
 * which catches any change anywhere that a run left behind.
 */
static void snapshot_touched(const char *sys, const struct dmo_host *h,
			     int g, struct dmo__strv *out)
{
	const struct dmo__hgroup *grp = dmo__host_group(h, g);
	struct dmo__strv buses = { 0 };
	char path[PATH_MAX];

	for (size_t i = 0; i < grp->nr_members; i++) {
		dmo__strv_addf(out, "device %s", h->devs[grp->members[i]].path);
		snapshot(sys, h->devs[grp->members[i]].path, out);
	}
	snprintf(path, sizeof(path), "%s/bus", sys);
	dmo__list_dir(AT_FDCWD, path, &buses);
	for (size_t i = 0; i < buses.nr; i++) {
		char rel[PATH_MAX];

		snprintf(rel, sizeof(rel), "bus/%s/drivers", buses.v[i]);
		snapshot(sys, rel, out);
	}
	dmo__strv_free(&buses);
}

/* One plan swept: its writes failed one by one, then two by two. */
static bool sweep_plan(const char *sys, const char *journal, int g,
		       struct sim_run *r, int *runs, char *diff, size_t len)
{
	struct dmo__strv orig = { 0 }, now = { 0 };
	struct dmo_host_writer w = { dmo_hostsim_write, r->sim };
	int writes = (int)dmo_host_plan_nr_writes(r->p);
	char err[512];
	bool good = true;
	int ret;

	snapshot_touched(sys, r->h, g, &orig);
	for (int n = 0; good && n <= writes; n++) {
		/* n == 0: the plan whole, then undone. */
		for (int twice = 0; good && twice < (n ? 2 : 1); twice++) {
			if (n) {
				dmo_hostsim_fail_write(r->sim, n, -EIO);
				if (twice)
					dmo_hostsim_fail_write(r->sim, n + 1,
							       -EIO);
			}
			unlink(journal);
			ret = dmo_host_apply(r->p, journal, &w, devnull, err,
					     sizeof(err));
			(*runs)++;
			if (ret != (n ? 1 : 0) && !(twice && ret == 3)) {
				snprintf(diff, len,
					 "write %d%s failing: exit %d (%s)", n,
					 twice ? " and the next" : "", ret,
					 ret < 0 ? err : "");
				good = false;
				break;
			}
			if ((ret == 0 || ret == 3) &&
			    dmo_host_undo(sys, journal, &w, devnull, err,
					  sizeof(err)) != 0) {
				snprintf(diff, len, "write %d: undo failed: %s",
					 n, err);
				good = false;
				break;
			}
			snapshot_touched(sys, r->h, g, &now);
			good = same_snap(&orig, &now, diff, len);
			dmo__strv_free(&now);
		}
	}
	dmo__strv_free(&orig);
	return good;
}

/* The sweep over every group of one tree; counts what it did. */
static void sweep_tree(const char *name, int *plans, int *runs)
{
	struct dmo__strv orig = { 0 }, now = { 0 };
	char sys[4096], journal[2048], err[512], diff_all[1024] = "";
	int nr_groups, ids[512];
	struct dmo_host_opts o;
	struct dmo_host *h;

	if (!fresh(name, sys, sizeof(sys))) {
		ok(0, "%s: copied", name);
		return;
	}
	snapshot(sys, "", &orig);
	snprintf(journal, sizeof(journal), "%s/journal", tmp);
	o = (struct dmo_host_opts){ .sysfs = sys };
	if (dmo_host_open(&o, &h, err, sizeof(err))) {
		ok(0, "%s: %s", name, err);
		dmo__strv_free(&orig);
		return;
	}
	nr_groups = (int)h->nr_groups;
	for (int i = 0; i < nr_groups && i < 512; i++)
		ids[i] = h->groups[i].id;
	dmo_host_close(h);
	for (int gi = 0; gi < nr_groups && gi < 512; gi++) {
		char diff[1024] = "";
		struct sim_run r;
		bool good;

		if (!plan_group(sys, ids[gi], &r))
			continue;
		if (!dmo_host_plan_nr_writes(r.p)) {
			run_free(&r);
			continue;
		}
		(*plans)++;
		if (dmo_hostsim_create(sys, NULL, &r.sim, err, sizeof(err))) {
			ok(0, "%s group %d: a simulator: %s", name, ids[gi],
			   err);
			run_free(&r);
			continue;
		}
		good = sweep_plan(sys, journal, ids[gi], &r, runs, diff,
				  sizeof(diff));
		if (!ok(good, "%s group %d: %zu writes, each failed in turn: back byte for byte",
			name, ids[gi], dmo_host_plan_nr_writes(r.p)))
			diag("%s", diff);
		run_free(&r);
		if (!good && !fresh(name, sys, sizeof(sys)))
			break;
	}
	/* Any change a run left anywhere in the tree is still there. */
	snapshot(sys, "", &now);
	if (!ok(same_snap(&orig, &now, diff_all, sizeof(diff_all)),
		"%s: after every plan's runs, every file of the tree as it was",
		name))
		diag("%s", diff_all);
	dmo__strv_free(&now);
	dmo__strv_free(&orig);
}

static void test_sweep(void)
{
	struct dmo__strv names = { 0 };
	int plans = 0, runs = 0;

	dmo__list_dir(AT_FDCWD, trees, &names);
	for (size_t i = 0; i < names.nr; i++)
		if (names.v[i][0] != '.')
			sweep_tree(names.v[i], &plans, &runs);
	ok(plans >= 100, "the sweep covered %d plans in %d runs", plans, runs);
	dmo__strv_free(&names);
}

static int wr(struct dmo_hostsim *sim, const char *sys, const char *rel,
	      const char *value)
{
	char path[2 * PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", sys, rel);
	return dmo_hostsim_write(sim, path, value);
}

static const char *state(const char *sys, const char *dev, char *buf,
			 size_t len)
{
	char *drv = NULL, *ovr = NULL;

	if (dmo__dev_state(sys, "pci", dev, &drv, &ovr))
		snprintf(buf, len, "unreadable");
	else
		snprintf(buf, len, "%s/%s", drv ? drv : "none",
			 ovr ? ovr : "(null)");
	free(drv);
	free(ovr);
	return buf;
}

/* The kernel's answers, as the simulator gives them. */
static void test_kernel_answers(void)
{
	struct dmo_hostsim *sim;
	char sys[PATH_MAX], err[512], st[128];
	const char *a = "0000:01:00.1";

	if (!ok(fresh("t1-desktop", sys, sizeof(sys)) &&
			dmo_hostsim_create(sys, NULL, &sim, err,
					   sizeof(err)) == 0,
		"a simulator over a copy of t1-desktop"))
		return;
	is_int(wr(sim, sys, "bus/pci/drivers/snd_hda_intel/bind", a), -EBUSY,
	       "bind while bound: -EBUSY");
	is_int(wr(sim, sys, "bus/pci/drivers/nouveau/unbind", a), -ENODEV,
	       "unbind from a driver it is not on: -ENODEV");
	is_int(wr(sim, sys, "bus/pci/drivers_probe", "0000:09:00.0"), -ENODEV,
	       "drivers_probe of no such device: -ENODEV");
	is_int(wr(sim, sys, "bus/pci/devices/0000:01:00.1/driver_override",
		  "vfio-pci"),
	       0, "driver_override written");
	is_str(state(sys, a, st, sizeof(st)), "snd_hda_intel/vfio-pci",
	       "the override alone neither unbinds nor probes");
	is_int(wr(sim, sys, "bus/pci/drivers/snd_hda_intel/unbind", a), 0,
	       "unbind");
	is_str(state(sys, a, st, sizeof(st)), "none/vfio-pci",
	       "the override survives the unbind");
	is_int(wr(sim, sys, "bus/pci/drivers/snd_hda_intel/bind", a), -ENODEV,
	       "bind of a driver the override does not name: -ENODEV");
	is_int(dmo_hostsim_autoprobe(sim, a), 1,
	       "an autoprobe binds the override's driver");
	is_str(state(sys, a, st, sizeof(st)), "vfio-pci/vfio-pci",
	       "autoprobe honours the override");
	is_int(wr(sim, sys, "bus/pci/drivers_probe", a), 0,
	       "drivers_probe of a bound device: 0, nothing changes");
	is_int(wr(sim, sys, "bus/pci/devices/0000:01:00.1/vendor", "1"),
	       -EACCES, "a read-only attribute: -EACCES");
	is_int(wr(sim, sys, "bus/pci/drivers/vfio-pci/unbind", a), 0,
	       "unbind from vfio-pci");
	is_int(wr(sim, sys, "bus/pci/devices/0000:01:00.1/driver_override",
		  "\n"),
	       0, "a lone newline clears the override");
	is_int(wr(sim, sys, "bus/pci/drivers_probe", a), 0,
	       "drivers_probe without override: 0");
	is_str(state(sys, a, st, sizeof(st)), "snd_hda_intel/(null)",
	       "the id table (modules.alias) matches snd_hda_intel again");
	dmo_hostsim_destroy(sim);

	if (!ok(fresh("s06-pci-bridge", sys, sizeof(sys)) &&
			dmo_hostsim_create(sys, NULL, &sim, err,
					   sizeof(err)) == 0,
		"a simulator over a copy of s06-pci-bridge"))
		return;
	wr(sim, sys, "bus/pci/devices/0000:00:1e.0/driver_override",
	   "vfio-pci");
	wr(sim, sys, "bus/pci/drivers/shpchp/unbind", "0000:00:1e.0");
	is_int(wr(sim, sys, "bus/pci/drivers/vfio-pci/bind", "0000:00:1e.0"),
	       -EINVAL, "vfio-pci refuses a bridge: -EINVAL");
	is_int(wr(sim, sys, "bus/pci/drivers_probe", "0000:00:1e.0"), 0,
	       "drivers_probe of the bridge: 0 (a probe error is no failure)");
	is_str(state(sys, "0000:00:1e.0", st, sizeof(st)), "none/vfio-pci",
	       "and the bridge stays driverless");
	dmo_hostsim_destroy(sim);

	if (!ok(fresh("t4b-pf-vfs", sys, sizeof(sys)) &&
			dmo_hostsim_create(sys, NULL, &sim, err,
					   sizeof(err)) == 0,
		"a simulator over a copy of t4b-pf-vfs"))
		return;
	wr(sim, sys, "bus/pci/devices/0000:01:00.0/driver_override",
	   "vfio-pci");
	wr(sim, sys, "bus/pci/drivers/mlx5_core/unbind", "0000:01:00.0");
	is_int(wr(sim, sys, "bus/pci/drivers/vfio-pci/bind", "0000:01:00.0"),
	       -EBUSY, "vfio-pci refuses a PF with VFs: -EBUSY");
	dmo_hostsim_destroy(sim);

	/* A group VFIO holds: a kernel driver's bind into it is refused. */
	if (!ok(fresh("s19-owned", sys, sizeof(sys)) &&
			dmo_hostsim_create(sys, NULL, &sim, err,
					   sizeof(err)) == 0,
		"a simulator over a copy of s19-owned (QEMU holds group 13)"))
		return;
	is_int(wr(sim, sys, "bus/pci/drivers/vfio-pci/unbind", "0000:06:00.1"),
	       0, "one function of the held group unbound from vfio-pci");
	wr(sim, sys, "bus/pci/devices/0000:06:00.1/driver_override",
	   "snd_hda_intel");
	is_int(wr(sim, sys, "bus/pci/drivers/snd_hda_intel/bind",
		  "0000:06:00.1"),
	       -EBUSY, "a kernel driver's bind into a group VFIO holds: -EBUSY");
	is_str(state(sys, "0000:06:00.1", st, sizeof(st)),
	       "none/snd_hda_intel", "and the device stays unbound");
	dmo_hostsim_destroy(sim);

	/* A probe that fails: the check after drivers_probe catches it. */
	{
		struct sim_run r;
		struct dmo__strv before = { 0 }, after = { 0 };
		struct dmo_host_writer w;
		char journal[2048], diff[512];

		fresh("t1-desktop", sys, sizeof(sys));
		snapshot(sys, "", &before);
		snprintf(journal, sizeof(journal), "%s/journal-probe", tmp);
		unlink(journal);
		plan_group(sys, 1, &r);
		dmo_hostsim_create(sys, NULL, &r.sim, err, sizeof(err));
		is_int(dmo_hostsim_fail_probe(r.sim, "vfio-pci"), 0,
		       "vfio-pci's probe made to fail");
		w = (struct dmo_host_writer){ dmo_hostsim_write, r.sim };
		is_int(dmo_host_apply(r.p, journal, &w, devnull, err,
				      sizeof(err)),
		       1, "a probe that binds nothing fails the check: rolled back (1)");
		snapshot(sys, "", &after);
		if (!ok(same_snap(&before, &after, diff, sizeof(diff)),
			"and the tree is as it was"))
			diag("%s", diff);
		dmo__strv_free(&before);
		dmo__strv_free(&after);
		run_free(&r);
	}
}

/* Before write @nth: the host probes both GPU functions. */
static void probe_both(struct dmo_hostsim *sim, int nth, void *arg)
{
	(void)nth;
	(void)arg;
	dmo_hostsim_autoprobe(sim, "0000:01:00.0");
	dmo_hostsim_autoprobe(sim, "0000:01:00.1");
}

static void test_order(void)
{
	char sys[PATH_MAX], err[512], journal[2048], st[128];
	struct dmo_hostsim *sim;
	struct sim_run r;
	int writes = 0;

	snprintf(journal, sizeof(journal), "%s/journal-order", tmp);
	/* The plan's order survives an autoprobe before any of its writes. */
	for (int n = 1;; n++) {
		struct dmo_host_writer w;
		int ret;

		fresh("t1-desktop", sys, sizeof(sys));
		plan_group(sys, 1, &r);
		writes = (int)dmo_host_plan_nr_writes(r.p);
		if (n > writes) {
			run_free(&r);
			break;
		}
		dmo_hostsim_create(sys, NULL, &r.sim, err, sizeof(err));
		w = (struct dmo_host_writer){ dmo_hostsim_write, r.sim };
		dmo_hostsim_before_write(r.sim, probe_both, NULL);
		unlink(journal);
		ret = dmo_host_apply(r.p, journal, &w, devnull, err,
				     sizeof(err));
		is_int(ret, 0, "override first: an autoprobe around write %d changes nothing",
		       n);
		is_str(state(sys, "0000:01:00.1", st, sizeof(st)),
		       "vfio-pci/vfio-pci", "and 0000:01:00.1 ends on vfio-pci");
		run_free(&r);
	}
	ok(writes == 6, "the plan of t1-desktop group 1 has 6 writes (%d)",
	   writes);
	/* The unbind first: an autoprobe in the window takes it back. */
	fresh("t1-desktop", sys, sizeof(sys));
	dmo_hostsim_create(sys, NULL, &sim, err, sizeof(err));
	wr(sim, sys, "bus/pci/drivers/snd_hda_intel/unbind", "0000:01:00.1");
	dmo_hostsim_autoprobe(sim, "0000:01:00.1");
	wr(sim, sys, "bus/pci/devices/0000:01:00.1/driver_override",
	   "vfio-pci");
	wr(sim, sys, "bus/pci/drivers_probe", "0000:01:00.1");
	is_str(state(sys, "0000:01:00.1", st, sizeof(st)),
	       "snd_hda_intel/vfio-pci",
	       "unbind first: the autoprobe rebinds snd_hda_intel, drivers_probe finds it bound");
	dmo_hostsim_destroy(sim);
}

/* A journal line with its checksum, as dmaown writes them. */
static uint32_t jsum(uint32_t prev, const char *line)
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

static void write_journal(const char *path, const char *const *lines,
			  size_t nr)
{
	FILE *f = fopen(path, "w");
	uint32_t sum = 0;

	for (size_t i = 0; i < nr; i++) {
		sum = jsum(sum, lines[i]);
		fprintf(f, "%s ~%08x\n", lines[i], sum);
	}
	fclose(f);
}

static void refused(const char *sys, const char *journal, const char *want,
		    const char *what)
{
	struct dmo__strv before = { 0 }, after = { 0 };
	struct dmo_hostsim *sim = NULL;
	struct dmo_host_writer w;
	char err[1024] = "", diff[512];
	int ret;

	snapshot(sys, "", &before);
	dmo_hostsim_create(sys, NULL, &sim, err, sizeof(err));
	w = (struct dmo_host_writer){ dmo_hostsim_write, sim };
	ret = dmo_host_undo(sys, journal, &w, devnull, err, sizeof(err));
	is_int(ret, -EINVAL, "%s: refused", what);
	if (!ok(strstr(err, want) != NULL, "%s: the message names it", what))
		diag("got '%s', want '%s'", err, want);
	is_int(dmo_hostsim_nr_writes(sim), 0, "%s: nothing written", what);
	snapshot(sys, "", &after);
	if (!ok(same_snap(&before, &after, diff, sizeof(diff)),
		"%s: the tree unchanged", what))
		diag("%s", diff);
	dmo__strv_free(&before);
	dmo__strv_free(&after);
	dmo_hostsim_destroy(sim);
}

static void test_journals(void)
{
	char sys[PATH_MAX], real[PATH_MAX], journal[2048], line[PATH_MAX + 8];
	char cmd[PATH_MAX * 3];
	int fail[] = { 5, 6, 0 };
	const char *lines[8];

	fresh("t1-desktop", sys, sizeof(sys));
	snprintf(journal, sizeof(journal), "%s/journal-j", tmp);
	is_int(apply_failing(sys, 1, fail, journal), 3,
	       "a failed rollback step leaves the journal incomplete (3)");
	snprintf(cmd, sizeof(cmd), "cp %s %s.orig", journal, journal);
	ok(system(cmd) == 0, "the journal kept");
	snprintf(cmd, sizeof(cmd),
		 "sed -i 's/^device 0000:01:00.1 pci snd_hda_intel/device 0000:01:00.1 pci nouveau/' %s",
		 journal);
	ok(system(cmd) == 0, "a device line edited");
	refused(sys, journal,
		"journal-j:5: error: the checksum does not match: the journal was edited or damaged here",
		"an edited line");
	snprintf(cmd, sizeof(cmd), "head -c 200 %s.orig > %s", journal,
		 journal);
	ok(system(cmd) == 0, "a journal cut after 200 bytes");
	refused(sys, journal, "the line is cut short (no newline): the journal was truncated",
		"a truncated journal");
	/* Valid checksums, but a path that no step of a plan writes. */
	realpath(sys, real);
	snprintf(line, sizeof(line), "sysfs %s", real);
	lines[0] = "dmaown-journal 1";
	lines[1] = line;
	lines[2] = "kernel 6.8.9-arch1-1";
	lines[3] = "device 0000:01:00.1 pci snd_hda_intel -";
	lines[4] = "step 1 probe 0000:01:00.1 bus/pci/devices/0000:01:00.1/remove 0000:01:00.1";
	write_journal(journal, lines, 5);
	refused(sys, journal,
		"error: the step names bus/pci/devices/0000:01:00.1/remove, which its device and kind do not lead to",
		"a step naming another path");
	lines[4] = "step 1 override 0000:01:00.1 bus/pci/devices/0000:01:00.1/driver_override ../../etc";
	write_journal(journal, lines, 5);
	refused(sys, journal, "'../../etc' is not a driver name",
		"a value that is no name");
	lines[1] = "sysfs /sys";
	lines[4] = "step 1 override 0000:01:00.1 bus/pci/devices/0000:01:00.1/driver_override vfio-pci";
	write_journal(journal, lines, 5);
	refused(sys, journal, "the journal is about /sys, not ",
		"a journal about another tree");
	/* The original, untouched, undoes what is left. */
	snprintf(cmd, sizeof(cmd), "cp %s.orig %s", journal, journal);
	ok(system(cmd) == 0, "the journal as written");
	is_int(undo(sys, journal, NULL), 0, "undo of the incomplete journal: 0");
}

static void test_who_writes(void)
{
	char sys[PATH_MAX], err[512];

	fresh("t1-desktop", sys, sizeof(sys));
	is_int(dmo__may_write("/sys", false, 1000, err, sizeof(err)), -EPERM,
	       "a user who is not root may not write under /sys");
	if (!ok(strstr(err, "writing under /sys needs root") != NULL,
		"and is told so"))
		diag("%s", err);
	is_int(dmo__may_write("/sys", true, 0, err, sizeof(err)), -EINVAL,
	       "--simulate refuses the live /sys");
	is_int(dmo__may_write(sys, false, 0, err, sizeof(err)), -EINVAL,
	       "real writes refuse a saved tree, even for root");
	is_int(dmo__may_write(sys, true, 1000, err, sizeof(err)), 0,
	       "anyone may simulate on a saved tree");
	{
		struct dmo_hostsim *sim = NULL;

		is_int(dmo_hostsim_create("/sys", NULL, &sim, err, sizeof(err)),
		       -EPERM, "no simulator over the live /sys");
	}
}

int main(void)
{
	const char *build = getenv("DMAOWN_BUILD");

	if (!build) {
		printf("1..0 # SKIP DMAOWN_BUILD is not set (run by make check)\n");
		return 0;
	}
	snprintf(trees, sizeof(trees), "%s/trees", build);
	/*
	 * Every apply fsyncs its journal line by line: on a memory file
	 * system when there is one, so that the sweep's runs cost no disk.
	 */
	snprintf(tmp, sizeof(tmp), "%s/dmaown-sim.XXXXXX",
		 getenv("TMPDIR")	   ? getenv("TMPDIR") :
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" :
						 "/tmp");
	if (!mkdtemp(tmp)) {
		printf("1..0 # SKIP no temporary directory\n");
		return 0;
	}
	devnull = fopen("/dev/null", "w");
	test_kernel_answers();
	test_order();
	test_journals();
	test_who_writes();
	test_sweep();
	fclose(devnull);
	rm_tree(tmp);
	return done_testing();
}
