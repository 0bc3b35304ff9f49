/* SPDX-License-Identifier: MIT */
/*
 * The DMA ownership protocol: a world of buses, drivers, devices and IOMMU
 * groups, and the driver-core, IOMMU-core, VFIO and iommufd operations on
 * it, under one of the policies of SPEC.md section 6.
 *
 * Two phases.  Set-up (dmo_bus_add() .. dmo_world_start()) runs on one
 * thread before any other exists.  After dmo_world_start() the operations
 * may be called from any number of threads of the world's sync backend;
 * every shared access goes through that backend.
 *
 * The inspection calls (dmo_group_owner() and friends, dmo_world_check())
 * read without locks: call them only when no operation is running, or from
 * the explorer's between-steps hook, where every thread is paused.
 */
#ifndef DMAOWN_CORE_H
#define DMAOWN_CORE_H

#include <stdbool.h>
#include <stdint.h>

#include "dmaown/types.h"

/*
 * The kernel's "probe again later" error, which no libc defines; returned
 * negated, like every other error here.
 */
#define DMO_EPROBE_DEFER 517

struct dmo_world;
struct dmo_bus;
struct dmo_driver;
struct dmo_device;
struct dmo_group;

/* The shape of a bus's callbacks (SPEC.md section 4). */
enum dmo_bus_shape {
	DMO_BUS_COMMON,		/* pci, platform, amba, fsl-mc */
	DMO_BUS_NODMA,		/* no dma_configure/dma_cleanup */
	DMO_BUS_CDX,		/* cdx (6.4): see dmo_bus_add_shape() */
	DMO_BUS_HOST1X,		/* no callbacks at all: host1x context */
};

/* What a driver's probe does. */
enum dmo_probe {
	DMO_PROBE_OK,		/* returns 0 */
	DMO_PROBE_FAIL,		/* returns -ENXIO */
	DMO_PROBE_MAYBE,	/* either: a nondeterministic choice */
};

/* Per-device counts of the bus callbacks, for claim C6. */
struct dmo_device_stats {
	int configure_ok;	/* dma_configure calls that succeeded */
	int configure_err;	/* dma_configure calls that failed */
	int cleanup;		/* dma_cleanup calls */
};

/* Kernel versions (SPEC.md section 7). */

/* A modelled kernel release; the model's own objects, never freed. */
struct dmo_kernel;

/**
 * dmo_kernel_count() - how many kernel versions the model knows
 *
 * Return: the count; dmo_kernel_at() takes 0 up to it, oldest first.
 * Context: any.
 */
int dmo_kernel_count(void);

/**
 * dmo_kernel_at() - the i-th modelled version, oldest first
 * @i: the index
 *
 * Return: the version, or NULL when @i is out of range.
 * Context: any.
 */
const struct dmo_kernel *dmo_kernel_at(int i);

/**
 * dmo_kernel_newest() - the newest modelled version, the default one
 *
 * Return: the version.
 * Context: any.
 */
const struct dmo_kernel *dmo_kernel_newest(void);

/**
 * dmo_kernel_find() - the modelled version of that name
 * @name: "6.1", "6.2-rc1", ...
 *
 * Return: the version, or NULL when the model has none of that name.
 * Context: any.
 */
const struct dmo_kernel *dmo_kernel_find(const char *name);

/**
 * dmo_kernel_for_release() - the modelled version a running kernel is
 * @release: a release as uname(2) gives it ("6.8.0-45-generic", "6.15-rc3")
 *
 * The newest modelled version not newer than @release, so that a release
 * the model does not list behaves as the last one it does; 5.18 for any
 * release before it.  Stable backports are not told apart.  With it a
 * host tool asks, say, whether the kernel has the ownership series:
 * dmo_kernel_has(dmo_kernel_for_release(r), DMO_CHG_DMA_OWNER).
 * Return: the version, or NULL when @release does not start with
 * MAJOR.MINOR.
 * Context: any.
 */
const struct dmo_kernel *dmo_kernel_for_release(const char *release);

/**
 * dmo_kernel_name() - the name of a modelled version
 * @k: the version
 *
 * Return: "6.1" and the like; "?" for NULL.
 * Context: any.
 */
const char *dmo_kernel_name(const struct dmo_kernel *k);

/**
 * dmo_kernel_summary() - what a version is when no change lands in it
 * @k: the version
 *
 * Return: a phrase ("as 5.19"), or NULL when the changes say it all.
 * Context: any.
 */
const char *dmo_kernel_summary(const struct dmo_kernel *k);

/**
 * dmo_kernel_cmp() - order two modelled versions
 * @a: one
 * @b: the other
 *
 * Return: negative, 0 or positive as @a is older than, the same as or
 * newer than @b.
 * Context: any.
 */
int dmo_kernel_cmp(const struct dmo_kernel *a, const struct dmo_kernel *b);

/**
 * dmo_kernel_has() - whether a change is in effect in a version
 * @k: the version
 * @c: the change
 *
 * Return: true when @c landed in @k or an older version.
 * Context: any.
 */
bool dmo_kernel_has(const struct dmo_kernel *k, enum dmo_change c);

/**
 * dmo_change_kernel() - the modelled version a change landed in
 * @c: the change
 *
 * Return: the version, or NULL for an unknown change.
 * Context: any.
 */
const struct dmo_kernel *dmo_change_kernel(enum dmo_change c);

/**
 * dmo_change_name() - the short name of a change ("dma-owner")
 * @c: the change
 *
 * Return: the name; "?" for an unknown change.
 * Context: any.
 */
const char *dmo_change_name(enum dmo_change c);

/**
 * dmo_change_commit() - the commit that made a change
 * @c: the change
 *
 * Return: its first 12 hex digits; "?" for an unknown change.
 * Context: any.
 */
const char *dmo_change_commit(enum dmo_change c);

/**
 * dmo_change_subject() - the subject line of that commit
 * @c: the change
 *
 * Return: the subject; "?" for an unknown change.
 * Context: any.
 */
const char *dmo_change_subject(enum dmo_change c);

/**
 * dmo_change_summary() - what the model does differently from then on
 * @c: the change
 *
 * Return: one line; "?" for an unknown change.
 * Context: any.
 */
const char *dmo_change_summary(enum dmo_change c);

/**
 * dmo_config_name() - the name of a kernel configuration option
 * @c: the option
 *
 * Return: "DEBUG_TEST_DRIVER_REMOVE" and the like (without "CONFIG_");
 * "?" for an unknown option.
 * Context: any.
 */
const char *dmo_config_name(enum dmo_config c);

/**
 * dmo_config_parse() - the option a name names
 * @name: "DEBUG_TEST_DRIVER_REMOVE" and the like
 *
 * Return: the option, or -1.
 * Context: any.
 */
int dmo_config_parse(const char *name);

/**
 * dmo_policy_applies() - whether a design makes sense on a kernel
 * @p: the design
 * @k: the version
 *
 * `legacy` is the kernel before the ownership series and applies to 5.18
 * alone; every other design is a variant of that series and applies from
 * 5.19 on, `cdx-fix` from 6.5 (when cdx took counts).
 * Return: whether dmo_world_set_kernel() accepts @k for a world of @p.
 * Context: any.
 */
bool dmo_policy_applies(enum dmo_policy p, const struct dmo_kernel *k);

/**
 * dmo_policy_rule() - the rule of dmo_policy_applies() for a design, in words
 * @p: the design
 *
 * Return: a static string such as "legacy is kernel 5.18 alone", for
 * messages that refuse a version.
 * Context: any.
 */
const char *dmo_policy_rule(enum dmo_policy p);

/**
 * dmo_policy_kernel() - the version a design runs at when none is chosen
 * @p: the design
 *
 * Return: 5.18 for `legacy`, the newest version for every other design.
 * Context: any.
 */
const struct dmo_kernel *dmo_policy_kernel(enum dmo_policy p);

/**
 * dmo_world_create() - make an empty world
 * @s: the sync backend every operation of the world will use
 * @policy: the design to model
 *
 * Return: the world, or NULL when memory ran out.
 * Context: set-up.
 */
struct dmo_world *dmo_world_create(struct dmo_sync *s, enum dmo_policy policy);

/**
 * dmo_world_set_kernel() - choose the kernel version whose rules apply
 * @w: the world
 * @k: the version; a world starts at dmo_policy_kernel() of its policy
 *
 * Return: 0; -EINVAL when the world's policy does not apply at @k
 * (dmo_policy_applies()); -EBUSY once the world has started.
 * Context: set-up.
 */
int dmo_world_set_kernel(struct dmo_world *w, const struct dmo_kernel *k);

/**
 * dmo_world_kernel() - the kernel version of a world
 * @w: the world
 *
 * Return: the version.
 * Context: any.
 */
const struct dmo_kernel *dmo_world_kernel(const struct dmo_world *w);

/**
 * dmo_world_set_config() - turn a kernel configuration option on or off
 * @w: the world
 * @c: the option
 * @on: whether it is set
 *
 * Return: 0; -EINVAL for an unknown option; -EBUSY once started.
 * Context: set-up.
 */
int dmo_world_set_config(struct dmo_world *w, enum dmo_config c, bool on);

/**
 * dmo_world_destroy() - free a world and everything in it
 * @w: the world, or NULL
 *
 * Works in any state, including one left by an execution cut short.
 * Driver objects (the ones dev->driver points to) come from dmo_alloc()
 * and belong to the sync backend, which reclaims them: the explorer when
 * the execution ends, pthread in dmo_sync_pthread_destroy().  So this
 * never calls the backend's free and may run after an execution ended.
 * Context: no operation running.
 */
void dmo_world_destroy(struct dmo_world *w);

/**
 * dmo_bus_add() - add a bus
 * @w: the world
 * @name: its name (copied)
 * @has_dma: whether it has dma_configure/dma_cleanup
 *
 * Return: the bus, or NULL (no memory, or the name is taken).
 * Context: set-up.
 */
struct dmo_bus *dmo_bus_add(struct dmo_world *w, const char *name,
			    bool has_dma);

/**
 * dmo_bus_add_shape() - add a bus with the given callbacks
 * @w: the world
 * @name: its name (copied); "platform" and "pci" name the buses whose
 *        driver-pointer snapshot fixes the change table knows
 * @shape: DMO_BUS_COMMON: dma_configure takes a count unless the driver
 *         has driver_managed_dma, returning the error; DMO_BUS_NODMA:
 *         neither callback; DMO_BUS_CDX: until 6.5 no count at all, from
 *         6.5 (b8c5ff76059d) dma_configure returns 0 even when taking the
 *         count failed and dma_cleanup gives one back unconditionally,
 *         and an override matches only a driver whose table lists the
 *         device (a vfio driver's table lists every device); needs 6.4;
 *         DMO_BUS_HOST1X: no match (every driver of the bus matches), no
 *         dma_configure, no dma_cleanup, no driver_override
 *
 * Return: the bus, or NULL (no memory, the name is taken, or a cdx bus
 * before 6.4).
 * Context: set-up.
 */
struct dmo_bus *dmo_bus_add_shape(struct dmo_world *w, const char *name,
				  enum dmo_bus_shape shape);

/**
 * dmo_driver_add() - describe a driver, not yet registered
 * @w: the world
 * @name: its name (copied)
 * @bus: its bus
 * @managed_dma: the driver_managed_dma flag
 * @probe: what its probe does
 *
 * Return: a handle that outlives unregistering, or NULL.
 * Context: set-up.
 */
struct dmo_driver *dmo_driver_add(struct dmo_world *w, const char *name,
				  struct dmo_bus *bus, bool managed_dma,
				  enum dmo_probe probe);

/**
 * dmo_group_add() - add an IOMMU group, or find the one with that id
 * @w: the world
 * @id: the group number
 *
 * Return: the group, or NULL when memory ran out.
 * Context: set-up.
 */
struct dmo_group *dmo_group_add(struct dmo_world *w, int id);

/**
 * dmo_group_set_nodefault() - give a group no default domain
 * @g: the group
 *
 * Before 6.7 some IOMMU drivers had no default domains; from 6.7 every one
 * has, and a group without it is one whose set-up a bus walk has still to
 * finish (dmo_device_iommu_probe() finishes it).
 * Context: set-up.
 */
void dmo_group_set_nodefault(struct dmo_group *g);

/**
 * dmo_group_set_emulated() - make a group an emulated or no-IOMMU group
 * @g: the group
 *
 * No IOMMU is behind it (mdev, vfio-noiommu): it has no default domain,
 * no blocking domain can be made for it, and VFIO never claims it
 * (a3da1ab6fbea).
 * Context: set-up.
 */
void dmo_group_set_emulated(struct dmo_group *g);

/**
 * dmo_group_set_direct() - a member of the group requires direct mapping
 * @g: the group
 *
 * Firmware asks that a device keep its 1:1 mappings (IOMMU_RESV_DIRECT):
 * from 6.6 such a group refuses the blocking domain, so claims fail with
 * -EINVAL.
 * Context: set-up.
 */
void dmo_group_set_direct(struct dmo_group *g);

/**
 * dmo_device_add() - describe a device, not yet present
 * @w: the world
 * @name: its name (copied)
 * @bus: its bus
 * @group: its IOMMU group, or NULL for none
 *
 * Return: the device, or NULL.
 * Context: set-up.
 */
struct dmo_device *dmo_device_add(struct dmo_world *w, const char *name,
				  struct dmo_bus *bus, struct dmo_group *group);

/**
 * dmo_device_set_bridge() - a PCI device whose header type is not normal
 * @dev: the device
 *
 * Before 5.19 VFIO counts such a device (a bridge) viable whatever its
 * driver.
 * Context: set-up.
 */
void dmo_device_set_bridge(struct dmo_device *dev);

/**
 * dmo_device_add_match() - list a driver in the device's id-table matches
 * @dev: the device
 * @drv: a driver of the same bus, tried by dmo_device_attach() in the
 *       order the matches were added
 *
 * Return: 0, -EINVAL when the buses differ, -ENOMEM.
 * Context: set-up.
 */
int dmo_device_add_match(struct dmo_device *dev, struct dmo_driver *drv);

/**
 * dmo_owner_get() - the owner token for a name
 * @w: the world
 * @name: any owner or iommufd context name; "none" gives NULL
 *
 * The same name always gives the same token.  "vfio" is the token of
 * VFIO's group claims and "dma-api" the recompute policy's kernel token,
 * so a scenario can name them.
 * Return: the token, NULL for "none" (and when memory ran out).
 * Context: set-up.
 */
const void *dmo_owner_get(struct dmo_world *w, const char *name);

/**
 * dmo_owner_name() - the name of an owner token
 * @w: the world
 * @owner: a token, or NULL
 *
 * Return: "none" for NULL, "vfio" for a VFIO group claim, "dma-api" for
 * the recompute policy's kernel token, else the name given to
 * dmo_owner_get().
 * Context: any.
 */
const char *dmo_owner_name(const struct dmo_world *w, const void *owner);

/**
 * dmo_world_start() - end set-up: register drivers and add devices
 * @w: the world
 * @registered: per driver, in the order added, whether it starts
 *              registered (NULL: all)
 * @present: per device, in the order added, whether it starts present
 *           (NULL: all)
 *
 * Registers the drivers without probing, adds the present devices to
 * their groups without attaching them.  Initial bindings are then made
 * with dmo_device_bind(), through the normal probe path.
 * Return: 0 or a negative errno.
 * Context: set-up; the world's sync backend must be able to run it.
 */
int dmo_world_start(struct dmo_world *w, const bool *registered,
		    const bool *present);

/* Driver core (drivers/base/dd.c, bus.c, core.c). */

/**
 * dmo_device_bind() - sysfs bind through driver_override
 * @w: the world
 * @dev: the device
 * @drv: the driver
 *
 * Writes @drv's name to @dev's driver_override (which stays), then binds
 * as dmo_device_sysfs_bind().
 * Return: as dmo_device_sysfs_bind().
 * Context: thread.
 */
int dmo_device_bind(struct dmo_world *w, struct dmo_device *dev,
		    struct dmo_driver *drv);

/**
 * dmo_device_sysfs_bind() - the write of a device name to drivers/DRV/bind
 * @w: the world
 * @dev: the device
 * @drv: the driver
 *
 * bind_store(): the device must be on @drv's bus and @drv must match it
 * (its id table, or an override naming it; the match is made without the
 * device lock, as the kernel makes it).
 * Return: 0; -ENODEV when @drv is not registered, @dev is absent, on
 * another bus or not matched; -EBUSY when @dev is bound; else the error
 * of dma_configure or of the driver's probe, -EPROBE_DEFER given as
 * -EAGAIN.
 * Context: thread.
 */
int dmo_device_sysfs_bind(struct dmo_world *w, struct dmo_device *dev,
			  struct dmo_driver *drv);

/**
 * dmo_device_driver_attach() - device_driver_attach(): probe without a match
 * @w: the world
 * @dev: the device
 * @drv: the driver
 *
 * The probe bind_store() makes once it has matched; a machine booting with
 * @drv bound to @dev is this call made before any other thread runs.
 * Return: as dmo_device_sysfs_bind(), except that no match is needed.
 * Context: thread.
 */
int dmo_device_driver_attach(struct dmo_world *w, struct dmo_device *dev,
			     struct dmo_driver *drv);

/**
 * dmo_override_get() - the driver_override token for a name
 * @w: the world
 * @name: a driver name, or any name (one no driver has keeps a device
 *        driverless); NULL gives NULL
 *
 * The same name always gives the same token; every driver's name has one
 * from dmo_driver_add() on.
 * Return: the token, or NULL (memory ran out, or a new name after set-up).
 * Context: set-up; any, for a name already interned.
 */
const void *dmo_override_get(struct dmo_world *w, const char *name);

/**
 * dmo_device_set_override() - write a device's driver_override
 * @w: the world
 * @dev: the device (on a bus with driver_override: not host1x)
 * @override: a token of dmo_override_get(), or NULL to clear it
 *
 * From then on only the driver of that name matches @dev, on every path
 * (a name no driver has keeps it driverless); writing it neither unbinds
 * nor probes, and an unbind leaves it.
 * Return: 0, or -ENOENT for a bus with no driver_override file.
 * Context: thread.
 */
int dmo_device_set_override(struct dmo_world *w, struct dmo_device *dev,
			    const void *override);

/**
 * dmo_device_drivers_probe() - the write of a device name to drivers_probe
 * @w: the world
 * @dev: the device
 *
 * bus_rescan_devices_helper(): nothing when @dev has a driver (tested
 * without the device lock), else device_attach().
 * Return: 0 (whether or not a driver bound); -ENODEV when @dev is absent;
 * -EINVAL when device_attach() returned an error.
 * Context: thread.
 */
int dmo_device_drivers_probe(struct dmo_world *w, struct dmo_device *dev);

/**
 * dmo_device_unbind() - sysfs unbind
 * @w: the world
 * @dev: the device
 *
 * Return: 0, or -ENODEV when @dev is not bound.
 * Context: thread.
 */
int dmo_device_unbind(struct dmo_world *w, struct dmo_device *dev);

/**
 * dmo_device_attach() - device_attach(): probe the first matching driver
 * @w: the world
 * @dev: the device
 *
 * Tries the registered drivers that match @dev (an override, else its
 * match list) in the order they registered: a driver's failed probe lets
 * the next one try, an error of the core (dma_configure's -EBUSY or
 * -EPROBE_DEFER) stops the walk.  A deferred device is probed again after
 * the next successful bind.
 * Return: 1 when @dev is (or already was) bound; 0 when no driver bound;
 * -ENODEV when @dev is absent; else the error that stopped the walk.
 * Context: thread.
 */
int dmo_device_attach(struct dmo_world *w, struct dmo_device *dev);

/**
 * dmo_device_hotplug() - device_add(): join the group, then attach
 * @w: the world
 * @dev: the device
 *
 * Return: 0 whether or not a driver bound; -EEXIST when already present.
 * Context: thread.
 */
int dmo_device_hotplug(struct dmo_world *w, struct dmo_device *dev);

/**
 * dmo_device_unplug() - device_del(): unbind, then leave the group
 * @w: the world
 * @dev: the device
 *
 * Return: 0, or -ENODEV when @dev is absent.
 * Context: thread.
 */
int dmo_device_unplug(struct dmo_world *w, struct dmo_device *dev);

/**
 * dmo_driver_register() - driver_register(): probe matching unbound devices
 * @w: the world
 * @drv: the driver
 *
 * Allocates a fresh driver object.
 * Probes every unbound device of its bus that it matches.
 * Return: 0 (probe failures do not fail registration), -EBUSY when already
 * registered, -ENOMEM.
 * Context: thread.
 */
int dmo_driver_register(struct dmo_world *w, struct dmo_driver *drv);

/**
 * dmo_driver_unregister() - driver_unregister(): unbind all, then free
 * @w: the world
 * @drv: the driver
 *
 * Return: 0, or -ENODEV when not registered.
 * Context: thread.
 */
int dmo_driver_unregister(struct dmo_world *w, struct dmo_driver *drv);

/* IOMMU core (drivers/iommu/iommu.c); return codes as in SPEC.md 4. */

/**
 * dmo_device_use_default_domain() - iommu_device_use_default_domain()
 * @w: the world
 * @dev: the device
 *
 * Return: 0, -EBUSY, -EPROBE_DEFER (no default domain).
 * Context: thread.
 */
int dmo_device_use_default_domain(struct dmo_world *w, struct dmo_device *dev);

/**
 * dmo_device_unuse_default_domain() - iommu_device_unuse_default_domain()
 * @w: the world
 * @dev: the device
 * Context: thread.
 */
void dmo_device_unuse_default_domain(struct dmo_world *w,
				     struct dmo_device *dev);

/**
 * dmo_group_claim_dma_owner() - iommu_group_claim_dma_owner()
 * @w: the world
 * @g: the group
 * @owner: the owner token; NULL is refused
 *
 * Return: 0, -EINVAL, -EPERM, -EBUSY, or -ENOMEM/-EINVAL when no blocking
 * domain can be made.
 * Context: thread.
 */
int dmo_group_claim_dma_owner(struct dmo_world *w, struct dmo_group *g,
			      const void *owner);

/**
 * dmo_group_release_dma_owner() - iommu_group_release_dma_owner()
 * @w: the world
 * @g: the group
 * Context: thread.
 */
void dmo_group_release_dma_owner(struct dmo_world *w, struct dmo_group *g);

/**
 * dmo_group_dma_owner_claimed() - iommu_group_dma_owner_claimed()
 * @w: the world
 * @g: the group
 *
 * Return: whether owner_cnt is non-zero.
 * Context: thread.
 */
bool dmo_group_dma_owner_claimed(struct dmo_world *w, struct dmo_group *g);

/**
 * dmo_device_claim_dma_owner() - iommu_device_claim_dma_owner()
 * @w: the world
 * @dev: the device
 * @owner: the owner token; NULL is refused
 *
 * Return: 0, -EINVAL, -ENODEV, -EPERM, -EBUSY.
 * Context: thread.
 */
int dmo_device_claim_dma_owner(struct dmo_world *w, struct dmo_device *dev,
			       const void *owner);

/**
 * dmo_device_release_dma_owner() - iommu_device_release_dma_owner()
 * @w: the world
 * @dev: the device
 * Context: thread.
 */
void dmo_device_release_dma_owner(struct dmo_world *w, struct dmo_device *dev);

/**
 * dmo_attach_device() - iommu_attach_device() of a kernel driver's domain
 * @w: the world
 * @dev: the device whose driver attaches its own domain
 *
 * No ownership check: an owned group's blocking domain is replaced too.
 * Return: 0; -ENODEV (no group); -EINVAL (a group of more than one
 * device, or no IOMMU behind it); -EBUSY (a domain of that kind is
 * already attached).
 * Context: thread.
 */
int dmo_attach_device(struct dmo_world *w, struct dmo_device *dev);

/**
 * dmo_detach_device() - iommu_detach_device()
 * @w: the world
 * @dev: the device whose driver attached the domain
 *
 * WARNs and changes nothing unless the group's domain is the one @dev's
 * driver attached and the group has one device; else back to the blocking
 * domain if owned, the default domain if not.  Silent for a device with no
 * group.
 * Context: thread.
 */
void dmo_detach_device(struct dmo_world *w, struct dmo_device *dev);

/**
 * dmo_device_iommu_probe() - the IOMMU core probing a device
 * @w: the world
 * @dev: the device
 *
 * A bus walk of a registering IOMMU driver reaching @dev: from 6.15 the
 * bus's dma_configure is called first when @dev has no driver, with no
 * device_lock (what the driver-pointer snapshot fixes are about); from 6.7
 * a group left without a default domain gets it here, and the deferred
 * probes are kicked.
 * Return: 0.
 * Context: thread.
 */
int dmo_device_iommu_probe(struct dmo_world *w, struct dmo_device *dev);

/* User-space owners (drivers/vfio, drivers/iommu/iommufd). */

/**
 * dmo_vfio_group_open() - open /dev/vfio/N and attach it to a container
 * @w: the world
 * @g: the group
 *
 * The file exists while a vfio driver (a driver whose name starts with
 * "vfio") is bound to a member, and before 6.1 while it is open.
 * SET_CONTAINER claims the group (from 5.19; never an emulated group), with
 * no viability check of its own: before 5.19 a careful user calls
 * dmo_vfio_group_status() first.
 * Return: 0; -ENOENT when there is no such file; -ENODEV when the open
 * raced the removal of the group's last VFIO device (6.1 on); -EBUSY when
 * the file is open, or (6.6) a device cdev of the group is bound; else the
 * claim's error, and the file is closed again.
 * Context: thread.
 */
int dmo_vfio_group_open(struct dmo_world *w, struct dmo_group *g);

/**
 * dmo_vfio_group_close() - close the group's file
 * @w: the world
 * @g: the group
 *
 * The container goes, and the claim with it, once no device FD holds the
 * file any more.
 * Return: 0, or -ENODEV when it was not open.
 * Context: thread.
 */
int dmo_vfio_group_close(struct dmo_world *w, struct dmo_group *g);

/**
 * dmo_vfio_group_status() - VFIO_GROUP_GET_STATUS: is the group viable
 * @w: the world
 * @g: the group
 *
 * Before 5.19 the viability walk (every member driverless, a bridge, bound
 * to pci-stub, a VFIO device, or being unbound from one); from 5.19
 * viable once it has a container, or while no kernel driver or other
 * owner holds it.
 * Return: 1 viable, 0 not; -ENODEV when the group has no file (or, from
 * 6.1, has lost its last VFIO device).
 * Context: thread.
 */
int dmo_vfio_group_status(struct dmo_world *w, struct dmo_group *g);

/**
 * dmo_vfio_device_open() - VFIO_GROUP_GET_DEVICE_FD on the open group
 * @w: the world
 * @dev: the device
 *
 * Return: 0; -EINVAL when the group has no container (not opened with
 * dmo_vfio_group_open()), or before 5.19 is not viable; -ENODEV when @dev
 * is not a VFIO device of its group.
 * Context: thread.
 */
int dmo_vfio_device_open(struct dmo_world *w, struct dmo_device *dev);

/**
 * dmo_vfio_device_close() - close a device FD of dmo_vfio_device_open()
 * @w: the world
 * @dev: the device
 *
 * The last one releases a group file already closed.
 * Return: 0, or -EINVAL when @dev has no open FD.
 * Context: thread.
 */
int dmo_vfio_device_close(struct dmo_world *w, struct dmo_device *dev);

/**
 * dmo_iommufd_bind() - bind a device to an iommufd context
 * @w: the world
 * @dev: the device
 * @ctx: the context token
 *
 * iommufd_device_bind(): a device claim with owner @ctx.  From 6.6 it is
 * the VFIO device cdev's VFIO_DEVICE_BIND_IOMMUFD, for a registered VFIO
 * device, exclusive with the group's file.
 * Return: 0; -EINVAL for a device with no IOMMU (before 6.6), or bound
 * twice (6.6); -EBUSY when bound already (before 6.6) or the group file
 * is open (6.6); -ENOENT for a device with no cdev (6.6); else the device
 * claim's error.
 * Context: thread.
 */
int dmo_iommufd_bind(struct dmo_world *w, struct dmo_device *dev,
		     const void *ctx);

/**
 * dmo_iommufd_unbind() - unbind a device from its iommufd context
 * @w: the world
 * @dev: the device
 *
 * Return: 0, or -ENODEV when it was not bound.
 * Context: thread.
 */
int dmo_iommufd_unbind(struct dmo_world *w, struct dmo_device *dev);

/* Faults. */

/**
 * dmo_world_fail_nth() - make the n-th fault point fail
 * @w: the world
 * @n: 1 for the first fault point reached, 0 to fail none
 *
 * Fault points: the blocking-domain allocation and every driver probe.
 * Context: set-up, or no operation running.
 */
void dmo_world_fail_nth(struct dmo_world *w, int n);

/**
 * dmo_world_faults_seen() - fault points reached since creation
 * @w: the world
 *
 * Return: the count; a fail-nth sweep stops when n exceeds it.
 * Context: no operation running.
 */
int dmo_world_faults_seen(const struct dmo_world *w);

/* Lookup and inspection (no operation running, or between steps). */

/**
 * dmo_world_bus() - find a bus by name
 * @w: the world
 * @name: its name
 *
 * Return: the bus, or NULL.
 * Context: any, once set-up is over.
 */
struct dmo_bus *dmo_world_bus(const struct dmo_world *w, const char *name);

/**
 * dmo_world_driver() - find a driver by name
 * @w: the world
 * @name: its name
 *
 * Return: the driver's handle (registered or not), or NULL.
 * Context: any, once set-up is over.
 */
struct dmo_driver *dmo_world_driver(const struct dmo_world *w,
				    const char *name);

/**
 * dmo_world_device() - find a device by name
 * @w: the world
 * @name: its name
 *
 * Return: the device (present or not), or NULL.
 * Context: any, once set-up is over.
 */
struct dmo_device *dmo_world_device(const struct dmo_world *w,
				    const char *name);

/**
 * dmo_world_group() - find a group by number
 * @w: the world
 * @id: the group number
 *
 * Return: the group, or NULL.
 * Context: any, once set-up is over.
 */
struct dmo_group *dmo_world_group(const struct dmo_world *w, int id);

/**
 * dmo_world_nr_groups() - how many groups the world has
 * @w: the world
 *
 * Return: the count; dmo_world_group_at() takes 0 up to it.
 * Context: any, once set-up is over.
 */
int dmo_world_nr_groups(const struct dmo_world *w);

/**
 * dmo_world_group_at() - the i-th group, in the order added
 * @w: the world
 * @i: the index
 *
 * Return: the group, or NULL when @i is out of range.
 * Context: any, once set-up is over.
 */
struct dmo_group *dmo_world_group_at(const struct dmo_world *w, int i);

/**
 * dmo_world_nr_devices() - how many devices the world has
 * @w: the world
 *
 * Return: the count, present or not.
 * Context: any, once set-up is over.
 */
int dmo_world_nr_devices(const struct dmo_world *w);

/**
 * dmo_world_device_at() - the i-th device, in the order added
 * @w: the world
 * @i: the index
 *
 * Return: the device, or NULL when @i is out of range.
 * Context: any, once set-up is over.
 */
struct dmo_device *dmo_world_device_at(const struct dmo_world *w, int i);

/**
 * dmo_group_id() - a group's number
 * @g: the group
 *
 * Return: the number given to dmo_group_add().
 * Context: any.
 */
int dmo_group_id(const struct dmo_group *g);

/**
 * dmo_group_owner() - a group's DMA owner
 * @g: the group
 *
 * Return: the owner token (see dmo_owner_name()), NULL for none.
 * Context: no operation running, or between steps.
 */
const void *dmo_group_owner(const struct dmo_group *g);

/**
 * dmo_group_owner_cnt() - a group's owner_cnt
 * @g: the group
 *
 * Return: the count (always 0 under the recompute and legacy policies).
 * Context: no operation running, or between steps.
 */
int dmo_group_owner_cnt(const struct dmo_group *g);

/**
 * dmo_device_name() - a device's name
 * @dev: the device
 *
 * Return: the name given to dmo_device_add().
 * Context: any.
 */
const char *dmo_device_name(const struct dmo_device *dev);

/**
 * dmo_driver_name() - a driver's name
 * @drv: the driver's handle
 *
 * Return: the name given to dmo_driver_add().
 * Context: any.
 */
const char *dmo_driver_name(const struct dmo_driver *drv);

/**
 * dmo_device_driver_name() - the driver a device is bound to
 * @dev: the device
 *
 * Return: the driver's name, or "none".
 * Context: no operation running, or between steps.
 */
const char *dmo_device_driver_name(const struct dmo_device *dev);

/**
 * dmo_device_get_stats() - the bus callback counts of a device
 * @dev: the device
 * @st: filled in
 * Context: no operation running.
 */
void dmo_device_get_stats(const struct dmo_device *dev,
			  struct dmo_device_stats *st);

/* Checking. */

/** A sink for invariant violations: kind and a one-line explanation. */
typedef void (*dmo_check_fn)(void *arg, enum dmo_viol_kind kind,
			     const char *msg);

/**
 * dmo_world_check() - check the world against SPEC.md's invariants
 * @w: the world
 * @quiescent: no operation is in progress, so the accounting invariant
 *             (owner_cnt against the bound drivers) applies too
 * @cb: called once per broken invariant
 * @arg: for @cb
 *
 * Isolation is judged on what the kernel's users believe (bound kernel
 * DMA drivers, VFIO opens, iommufd bindings), whatever the group's own
 * fields say.  Groups whose mutex is held are skipped for the field
 * invariants unless @quiescent.
 * Return: the number of violations found.
 * Context: no operation running, or between steps.
 */
int dmo_world_check(const struct dmo_world *w, bool quiescent, dmo_check_fn cb,
		    void *arg);

/* The pthread backend. */

/**
 * dmo_sync_pthread_create() - a backend that runs on real threads
 * @seed: seeds dmo_choose()'s generator
 *
 * Return: the backend, or NULL.
 * Context: any.
 */
struct dmo_sync *dmo_sync_pthread_create(uint64_t seed);

/**
 * dmo_sync_pthread_destroy() - free a pthread backend
 * @s: the backend, or NULL
 *
 * Also frees every block still allocated through it (the driver objects
 * of worlds that ran on it): destroy those worlds first.
 * Context: no thread of it running.
 */
void dmo_sync_pthread_destroy(struct dmo_sync *s);

/**
 * dmo_sync_pthread_reported() - violations reported to the backend
 * @s: the backend
 * @kind: which kind
 * @first: set to the first message of that kind, as "function: message"
 *         (NULL when none); valid until the backend is reset or destroyed
 *
 * Return: how many of @kind were reported.
 * Context: no thread of it running.
 */
int dmo_sync_pthread_reported(const struct dmo_sync *s, enum dmo_viol_kind kind,
			      const char **first);

/**
 * dmo_sync_pthread_reset() - forget reported violations
 * @s: the backend
 * Context: no thread of it running.
 */
void dmo_sync_pthread_reset(struct dmo_sync *s);

#endif /* DMAOWN_CORE_H */
