/* SPDX-License-Identifier: MIT */
/*
 * The host commands' private header: a machine as read from a sysfs tree
 * (struct dmo_host), the verdicts the kernel version's rule gives it, and
 * plans.  Built on the public API only (dmaown.h): the simulated kernel
 * drives libdmaown through it like any other program.
 *
 * A machine is read once and then only read: every function here that
 * takes a const struct dmo_host leaves it alone, so that the commands are
 * single-threaded and nothing here has a lock.
 *
 * Paths inside a machine are relative to its sysfs root ("devices/...",
 * "bus/pci/drivers/nouveau"); they are made absolute only to open or to
 * print.
 */
#ifndef DMO_HOST_PRIV_H
#define DMO_HOST_PRIV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dmaown.h"
#include "dmaown/host.h"

/* A growing list of strings, each owned by the list. */
struct dmo__strv {
	char **v;
	size_t nr;
	size_t cap;
};

int dmo__strv_add(struct dmo__strv *l, const char *s);
int dmo__strv_addf(struct dmo__strv *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool dmo__strv_has(const struct dmo__strv *l, const char *s);
void dmo__strv_free(struct dmo__strv *l);

/* A growing string. */
struct dmo__buf {
	char *s;
	size_t len;
	size_t cap;
	bool oom;	/* an append failed: the text is cut short */
};

void dmo__buf_add(struct dmo__buf *b, const char *s);
void dmo__buf_addf(struct dmo__buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *dmo__buf_take(struct dmo__buf *b);

char *dmo__strdup(const char *s);
char *dmo__asprintf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
void dmo__errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void dmo__json_str(FILE *out, const char *s);

/*
 * Reading a tree.  dmo__path_resolve() walks @rel below @root one
 * component at a time, expanding links itself, and fails rather than
 * leave the tree: -EXDEV for a link out of it (absolute, or ".." above
 * the root), -ELOOP after 40 links, -ENOENT, -ENOTDIR.  On success @out
 * holds the path with no link in it, relative to @root ("" for the root).
 */
int dmo__path_resolve(const char *root, const char *rel, char **out);
/* @rel's last link target, made relative to @root by hand: no lstat. */
int dmo__link_rel(const char *root, const char *rel, char **out);
/* The same, for @rel's last component read in the open directory @dirfd. */
int dmo__link_rel_at(int dirfd, const char *rel, char **out);
/*
 * Reads a small attribute: -ENOENT, -EISDIR, -EINVAL for anything but a
 * regular file (a FIFO, a device: never opened for reading, never
 * blocking), -ELOOP for a link, or read(2)'s error.  The text keeps no
 * trailing newline; @out is NUL-terminated.
 */
int dmo__read_attr(int dirfd, const char *name, char *out, size_t len);
const char *dmo__attr_error(int err);
/*
 * The entries of directory @name below @dirfd (AT_FDCWD: a path), sorted,
 * without "." and "..": readdir's own order differs from one file system
 * to the next, and reports must not.  0 or a negative errno.
 */
int dmo__list_dir(int dirfd, const char *name, struct dmo__strv *out);
/*
 * The entries of the open directory @fd, sorted, each name after a letter
 * for its type: 'd', 'l', 'f' (regular), 'o' (a FIFO, a device), '?'.
 */
int dmo__dir_entries(int fd, struct dmo__strv *out);
/* The type letter of @name among @ents, or 0 when it is not there. */
char dmo__dir_type(const struct dmo__strv *ents, const char *name);
/*
 * dmo__read_attr() for an attribute of a directory already listed: a
 * regular file is read at once, anything else told as dmo__read_attr()
 * tells it.
 */
int dmo__read_attr_in(int dirfd, const struct dmo__strv *ents,
		      const char *name, char *out, size_t len);
/*
 * Opens directory @rel of the tree with no link on the way and without
 * leaving it (openat2's RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS from
 * @rootfd): -ELOOP for a link, -EXDEV for a way out.  Without openat2,
 * a plain open that refuses only a last link.
 */
int dmo__open_beneath(int rootfd, const char *root, const char *rel);
bool dmo__is_name(const char *s);

/* Kernel versions: the table of the changes the verdicts depend on. */
struct dmo__kver {
	int major;
	int minor;
};

int dmo__kver_parse(const char *s, struct dmo__kver *v);
bool dmo__kver_at_least(struct dmo__kver v, int major, int minor);

/* The rule a version picks (SPEC.md section 7, HOST.md "Verdicts"). */
enum dmo__rule {
	DMO_RULE_LEGACY,	/* 5.18 and before: VFIO's own viability test */
	DMO_RULE_OWNERSHIP,	/* 5.19 on: the IOMMU core's DMA ownership */
};

enum dmo__rule dmo__kver_rule(struct dmo__kver v);
/* Whether a direct region makes the claim itself fail (6.6 on). */
bool dmo__kver_direct_refuses_claim(struct dmo__kver v);
/* The modelled version a scenario for @v should name. */
const char *dmo__kver_model(struct dmo__kver v);

/* One member of a machine. */
struct dmo__hdev {
	char *name;
	char *bus;		/* from the subsystem link */
	char *path;		/* its directory, no link in it */
	int group;		/* -1: none */
	char *driver;		/* NULL: none */
	char *override;		/* NULL: unset */
	bool has_override;	/* a driver_override file was read */
	bool pci;
	bool have_class;
	bool have_ids;
	unsigned int class;	/* 0xccsspp */
	unsigned int vendor;
	unsigned int device;
	int header;		/* config[0x0e] & 0x7f; -1: unknown */
	bool has_reset;
	int boot_vga;		/* -1: no boot_vga file */
	char *physfn;		/* the PF of a VF */
	int nr_vfs;		/* virtfn links */
	int numvfs;		/* sriov_numvfs; -1: none */
	char *critical;		/* why the host needs it, or NULL */
	struct dmo__strv nets;	/* network interfaces below it */
	struct dmo__strv blocks;	/* block devices below it */
	struct dmo__strv held;	/* "NAME HOLDER": a block device's holders */
	struct dmo__strv findings;	/* missing or odd files */
};

/* One line of a group's reserved_regions. */
struct dmo__region {
	uint64_t start;
	uint64_t end;
	char *type;
};

struct dmo__hgroup {
	int id;
	size_t *members;	/* indices in the machine's devs, sorted */
	size_t nr_members;
	struct dmo__region *regions;
	size_t nr_regions;
	char *type;		/* the default domain's type, or NULL */
	char *owner;		/* who holds /dev/vfio/N open, or NULL */
	long owner_pid;
	int unreadable;		/* members or files it could not read */
	struct dmo__strv findings;
};

struct dmo__pciname {
	uint32_t key;		/* vendor << 16 | device */
	bool vendor_only;	/* a vendor's name: key is vendor << 16 */
	char *name;
};

struct dmo_host {
	char *root;		/* the sysfs root as given */
	int rootfd;		/* open on root while reading; -1 after */
	char *proc;		/* the proc/ beside it, or /proc */
	bool live;		/* root is the live /sys */
	char *kernel;		/* the version's text */
	char *kernel_from;	/* where it came from */
	struct dmo__kver kv;
	enum dmo__rule rule;
	struct dmo__hdev *devs;
	size_t nr_devs;
	struct dmo__hgroup *groups;	/* sorted by id */
	size_t nr_groups;
	struct dmo__strv drivers;	/* "BUS/NAME" of every driver */
	struct dmo__strv findings;	/* machine-level */
	struct dmo__strv ids;	/* vfio-pci.ids / pci-stub.ids: "vvvv:dddd" */
	char *cmdline;
	bool groups_dir;	/* kernel/iommu_groups exists */
	struct dmo__pciname *names;
	size_t nr_names;
};

int dmo__host_read(struct dmo_host *h, char *err, size_t errlen);
const struct dmo__hdev *dmo__host_dev(const struct dmo_host *h,
				      const char *name);
const struct dmo__hgroup *dmo__host_group(const struct dmo_host *h, int id);
bool dmo__host_has_driver(const struct dmo_host *h, const char *bus,
			  const char *drv);
/* "Vendor Device" by pci.ids, or "Vendor vvvv Device dddd". */
void dmo__host_pci_name(const struct dmo_host *h, const struct dmo__hdev *d,
			char *out, size_t len);
char *dmo__host_abs(const struct dmo_host *h, const char *rel);
/* The report's header: kernel, rule, machine-level warnings. */
void dmo__host_header(const struct dmo_host *h, FILE *out);

/* Verdicts (HOST.md "Verdicts"). */
enum dmo__dverdict {
	DMO_DV_DRIVERLESS,
	DMO_DV_VFIO,
	DMO_DV_MANAGED,
	DMO_DV_BRIDGE_OK,
	DMO_DV_BLOCKER,
};

#define DMO_DF_CRITICAL 0x1
#define DMO_DF_NO_RESET 0x2
#define DMO_DF_PF_VFS 0x4

enum dmo__gverdict {
	DMO_GV_UNREADABLE,	/* a member is missing from the tree */
	DMO_GV_REFUSED,
	DMO_GV_OWNED,
	DMO_GV_BLOCKED,
	DMO_GV_MOVES,
	DMO_GV_VIABLE,
};

struct dmo__gjudge {
	enum dmo__gverdict verdict;
	int moves;
	char *reason;		/* the text after "group N: VERDICT" */
	struct dmo__strv warnings;
	struct dmo__strv notes;
};

bool dmo__driver_is_vfio(const char *drv);
bool dmo__driver_is_managed(const struct dmo_host *h, const char *drv);
bool dmo__dev_is_bridge(const struct dmo__hdev *d);
const char *dmo__vfio_driver(const char *bus);
enum dmo__dverdict dmo__dev_verdict(const struct dmo_host *h,
				    const struct dmo__hdev *d,
				    unsigned int *flags);
const char *dmo__dverdict_name(enum dmo__dverdict v);
const char *dmo__gverdict_name(enum dmo__gverdict v);
int dmo__group_judge(const struct dmo_host *h, const struct dmo__hgroup *g,
		     struct dmo__gjudge *j);
void dmo__gjudge_free(struct dmo__gjudge *j);
/* The rule's one-line description, for headers. */
const char *dmo__rule_text(const struct dmo_host *h);

/* Plans. */
enum dmo__step_kind {
	DMO_STEP_OVERRIDE,	/* write driver_override */
	DMO_STEP_UNBIND,	/* write drivers/DRV/unbind */
	DMO_STEP_PROBE,		/* write drivers_probe */
};

struct dmo__step {
	enum dmo__step_kind kind;
	size_t dev;		/* index in the machine's devs */
	char *path;		/* relative to the root */
	char *value;
	char *why;
};

struct dmo_host_plan {
	const struct dmo_host *h;
	int *groups;
	size_t nr_groups;
	size_t *devs;		/* every device a step touches, in order */
	size_t nr_devs;
	struct dmo__step *steps;
	size_t nr_steps;
	struct dmo__strv blockers;
	struct dmo__strv warnings;
	struct dmo__strv stays;	/* members the plan leaves as they are */
};

const char *dmo__step_kind_name(enum dmo__step_kind k);

/*
 * The safety checks of HOST.md "Safety", shared by apply and undo: @rel
 * must be an attribute a plan may write, of a device or driver that
 * exists, inside @root once resolved, and @value a name (or "" for
 * clearing an override).
 */
int dmo__check_write(const char *root, const char *rel, const char *value,
		     char *err, size_t errlen);

/* dmo_host_may_write() judged for the user @euid (for tests). */
int dmo__may_write(const char *sysfs, bool simulate, unsigned int euid,
		   char *err, size_t errlen);

/* The state of one device as the tree shows it now. */
int dmo__dev_state(const char *root, const char *bus, const char *dev,
		   char **driver, char **override);

#endif /* DMO_HOST_PRIV_H */
