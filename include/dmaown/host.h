/* SPDX-License-Identifier: MIT */
/*
 * dmaown on a real machine (see dmaown(1), "HOST COMMANDS"): read a sysfs
 * tree, judge every IOMMU group by the kernel version's rule, plan the
 * writes that hand groups to VFIO, carry them out with a journal and roll
 * them back, and turn a plan into a scenario file for the explorer.
 *
 * Reading never writes.  Writing goes through a writer: the sysfs one
 * (plain writes to the files of a live sysfs) or the simulated kernel of
 * dmo_hostsim_create(), which reacts to writes on a saved tree as the
 * kernel would, on libdmaown's own model.
 *
 * Messages are one line, name the path or the journal line they are
 * about, and go to the @err buffers; reports go to a FILE.
 */
#ifndef DMAOWN_HOST_H
#define DMAOWN_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct dmo_host;
struct dmo_host_plan;
struct dmo_hostsim;

/* How to read a machine. */
struct dmo_host_opts {
	const char *sysfs;	/* the tree's sys/ directory; NULL: "/sys" */
	const char *kernel;	/* a version ("6.8", "5.18.19"); NULL: read */
};

/**
 * dmo_host_kernel_valid() - whether a string names a kernel version
 * @v: such as "6.8", "5.18.19-arch1-1" or "6.1-rc3"
 *
 * Return: true when @v starts with MAJOR.MINOR.
 * Context: any.
 */
bool dmo_host_kernel_valid(const char *v);

/**
 * dmo_host_open() - read a machine from a sysfs tree
 * @opts: where (NULL: the live /sys, kernel from /proc)
 * @out: set to the machine on success
 * @err: filled with a one-line message on failure
 * @errlen: size of @err
 *
 * Reads the IOMMU groups, their members and everything the verdicts need
 * (see dmaown(1)).  A missing or odd file is a finding about its device or
 * group, never a failure; only a directory that is no sysfs tree at all
 * is.  The kernel version comes from @opts->kernel, else from the tree's
 * proc/sys/kernel/osrelease, else from uname(2).
 * Return: 0; -ENOTDIR when @opts->sysfs is no sysfs tree; -EINVAL for a
 * kernel version that is none; -ENOMEM.
 * Context: any.
 */
int dmo_host_open(const struct dmo_host_opts *opts, struct dmo_host **out,
		  char *err, size_t errlen);

/**
 * dmo_host_close() - free a machine
 * @h: the machine, or NULL
 * Context: no plan of it still in use.
 */
void dmo_host_close(struct dmo_host *h);

/**
 * dmo_host_target() - the group a command-line TARGET names
 * @h: the machine
 * @target: a group number, or a device name (meaning its group)
 * @group: set to the group's number, or -1 for a device in no group
 * @err: filled with a message when there is no such group or device
 * @errlen: size of @err
 *
 * Return: 0, or -ENOENT (@err names what was looked for, and where).
 * Context: any.
 */
int dmo_host_target(const struct dmo_host *h, const char *target, int *group,
		    char *err, size_t errlen);

/**
 * dmo_host_groups() - the report of `dmaown groups`
 * @h: the machine
 * @groups: the groups to report, by number (NULL: every group)
 * @nr: how many
 * @json: one JSON object per line instead of text
 * @out: where
 *
 * Machine-level findings first (the kernel version and the rule it picks,
 * no IOMMU, no interrupt remapping, no-IOMMU mode), then per group its
 * members, a verdict per member and one for the group, and warnings.
 * Context: any.
 */
void dmo_host_groups(const struct dmo_host *h, const int *groups, size_t nr,
		     bool json, FILE *out);

/**
 * dmo_host_plan_vfio() - plan handing groups to VFIO
 * @h: the machine
 * @targets: group numbers or device names
 * @nr: how many (at least one)
 * @force: take host-critical devices too
 * @out: set to the plan (also when it is impossible: it says why)
 * @err: filled with a message for a target that names nothing
 * @errlen: size of @err
 *
 * Per device to move: driver_override first, then the unbind, then
 * drivers_probe, each checked afterwards.  Driverless members get an
 * override only, unless named as a target.
 * Return: 0 when the plan can be carried out, 1 when it cannot (blockers
 * listed in it), -ENOENT for a bad target, -ENOMEM.
 * Context: any.
 */
int dmo_host_plan_vfio(const struct dmo_host *h, const char *const *targets,
		       size_t nr, bool force, struct dmo_host_plan **out,
		       char *err, size_t errlen);

/**
 * dmo_host_plan_free() - free a plan
 * @p: the plan, or NULL
 * Context: any.
 */
void dmo_host_plan_free(struct dmo_host_plan *p);

/**
 * dmo_host_plan_print() - the report of `dmaown plan`
 * @p: the plan
 * @json: one JSON object instead of text
 * @out: where
 * Context: any.
 */
void dmo_host_plan_print(const struct dmo_host_plan *p, bool json, FILE *out);

/**
 * dmo_host_plan_nr_writes() - how many writes a plan makes
 * @p: the plan
 *
 * Return: the number of its steps.
 * Context: any.
 */
size_t dmo_host_plan_nr_writes(const struct dmo_host_plan *p);

/* Where writes go: 0 or a negative errno, as write(2) would fail. */
struct dmo_host_writer {
	int (*write)(void *arg, const char *path, const char *value);
	void *arg;
};

/**
 * dmo_host_sysfs_write() - the writer of a live sysfs
 * @arg: unused
 * @path: an attribute
 * @value: what to write, in one write(2)
 *
 * Return: 0, or the negative errno of open(2) or write(2).
 * Context: any.
 */
int dmo_host_sysfs_write(void *arg, const char *path, const char *value);

/**
 * dmo_host_may_write() - whether apply and undo may write to a tree
 * @sysfs: the tree's sys/
 * @simulate: writes are to go to the simulated kernel
 * @err: filled with the reason when not
 * @errlen: size of @err
 *
 * A live sysfs (a sysfs mount, or /sys) takes real writes, and only from
 * root; a saved tree takes only simulated ones.
 * Return: 0, or -EPERM / -EINVAL with @err saying why.
 * Context: any.
 */
int dmo_host_may_write(const char *sysfs, bool simulate, char *err,
		       size_t errlen);

/**
 * dmo_host_apply() - carry a plan out, with a journal
 * @p: a plan that can be carried out
 * @journal: the journal file to create (it must not exist)
 * @w: where the writes go
 * @out: progress, one line per step
 * @err: filled when the apply could not start
 * @errlen: size of @err
 *
 * Checks every step first (the attribute kinds a plan may write, inside
 * the tree, names that are names), then per step: journal line, fsync,
 * write, verification.  On any failure every step begun is rolled back,
 * in reverse order, each rollback step journaled too.
 * Return: 0 done and verified; 1 failed and rolled back, the tree as it
 * was; 3 failed and a rollback step failed too (the journal says what is
 * left; dmo_host_undo() retries); -errno when it could not start, nothing
 * written.
 * Context: any.
 */
int dmo_host_apply(const struct dmo_host_plan *p, const char *journal,
		   const struct dmo_host_writer *w, FILE *out, char *err,
		   size_t errlen);

/**
 * dmo_host_undo() - restore what a journal records
 * @sysfs: the tree the journal must be about (NULL: "/sys")
 * @journal: the journal
 * @w: where the writes go
 * @out: progress, one line per step
 * @err: filled when the journal is refused
 * @errlen: size of @err
 *
 * The whole journal is checked before the first write: its checksums,
 * its tree, and every path and value it names; one that does not check
 * out is refused with the line that failed.  Steps are undone in reverse
 * order; one already undone, or whose effect is not there, is skipped.
 * Return: 0 restored (or nothing to undo); 3 an undo step failed (the
 * journal says what is left; run it again); -EINVAL for a refused
 * journal, -errno when it cannot be read.
 * Context: any.
 */
int dmo_host_undo(const char *sysfs, const char *journal,
		  const struct dmo_host_writer *w, FILE *out, char *err,
		  size_t errlen);

/* The order of the writes of an exported plan. */
enum dmo_host_order {
	DMO_HOST_OVERRIDE_FIRST,	/* the plan's: override, unbind */
	DMO_HOST_UNBIND_FIRST,		/* the wrong one: unbind first */
};

/**
 * dmo_host_export() - a plan as a scenario file for `dmaown check`
 * @p: the plan
 * @order: the plan's order, or the wrong one to show why it matters
 * @out: where the scenario goes
 *
 * The groups' members and drivers, the plan's writes as one thread, and
 * what could race them on the host (autoprobe of the moved devices, a
 * reload of their driver, a device hot-added into the group), with the
 * final condition that every moved device ends on VFIO and the expected
 * result for the machine's kernel version.
 * Context: any.
 */
void dmo_host_export(const struct dmo_host_plan *p, enum dmo_host_order order,
		     FILE *out);

/**
 * dmo_hostsim_create() - a simulated kernel over a saved tree
 * @sysfs: the tree's sys/ (never a live sysfs)
 * @kernel: the version whose rules apply (NULL: as dmo_host_open() finds)
 * @out: set to the simulator
 * @err: filled with a message on failure
 * @errlen: size of @err
 *
 * The tree's devices, drivers and groups become a libdmaown world (the
 * pthread backend; upstream rules from 5.19, legacy before), bound as the
 * tree shows.  Writes to driver_override, drivers/DRV/bind and unbind and
 * drivers_probe then act on that world and change the tree's files as
 * the kernel would (driver links appear and vanish); the id tables are
 * read from modules.alias beside sys/.
 * Return: 0; -EPERM for a live sysfs; else as dmo_host_open().
 * Context: any.
 */
int dmo_hostsim_create(const char *sysfs, const char *kernel,
		       struct dmo_hostsim **out, char *err, size_t errlen);

/**
 * dmo_hostsim_destroy() - free a simulator (the tree stays as it is)
 * @sim: the simulator, or NULL
 * Context: any.
 */
void dmo_hostsim_destroy(struct dmo_hostsim *sim);

/**
 * dmo_hostsim_write() - a write to the simulated kernel (a writer)
 * @arg: the simulator
 * @path: the attribute, under the tree's sys/
 * @value: what is written
 *
 * Return: 0, or what the kernel returns: -ENODEV (no such device, or a
 * driver that does not match), -EBUSY (bound; or the group is owned), -EINVAL
 * (drivers_probe found nothing to bind it with), -EACCES (an attribute
 * that cannot be written), or the failure asked for.
 * Context: one thread at a time.
 */
int dmo_hostsim_write(void *arg, const char *path, const char *value);

/**
 * dmo_hostsim_fail_write() - make a later write fail
 * @sim: the simulator
 * @nth: 1 for the next write, 2 for the one after, ...
 * @err: the negative errno it returns, without any effect
 * Context: between writes.
 */
void dmo_hostsim_fail_write(struct dmo_hostsim *sim, int nth, int err);

/**
 * dmo_hostsim_fail_probe() - make a driver's probe fail from now on
 * @sim: the simulator
 * @driver: the driver's name
 *
 * Return: 0, or -ENOENT when the tree has no such driver.
 * Context: between writes.
 */
int dmo_hostsim_fail_probe(struct dmo_hostsim *sim, const char *driver);

/**
 * dmo_hostsim_autoprobe() - something on the host probes a device
 * @sim: the simulator
 * @dev: the device's name
 *
 * What udev, a driver load or another tool does: device_attach() of an
 * unbound device, honouring driver_override.
 * Return: 1 bound, 0 nothing bound, -ENODEV for no such device.
 * Context: between writes.
 */
int dmo_hostsim_autoprobe(struct dmo_hostsim *sim, const char *dev);

/**
 * dmo_hostsim_before_write() - run something before every write
 * @sim: the simulator
 * @fn: called with the write's number (1, 2, ...), or NULL
 * @arg: for @fn
 *
 * For tests: an event (dmo_hostsim_autoprobe()) between two writes.
 * Context: between writes.
 */
void dmo_hostsim_before_write(struct dmo_hostsim *sim,
			      void (*fn)(struct dmo_hostsim *sim, int nth,
					 void *arg),
			      void *arg);

/**
 * dmo_hostsim_nr_writes() - writes made so far
 * @sim: the simulator
 *
 * Return: the count, failed ones included.
 * Context: between writes.
 */
int dmo_hostsim_nr_writes(const struct dmo_hostsim *sim);

#endif /* DMAOWN_HOST_H */
