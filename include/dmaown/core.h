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
 * Context: set-up.
 */
void dmo_group_set_nodefault(struct dmo_group *g);

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
 * Return: 0; -EBUSY when @dev is bound; -ENODEV when @dev is absent or
 * @drv is not registered; -EINVAL when the buses differ; else the error
 * of dma_configure or of the driver's probe.
 * Context: thread.
 */
int dmo_device_bind(struct dmo_world *w, struct dmo_device *dev,
		    struct dmo_driver *drv);

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
 * Tries the registered drivers of @dev's match list in order until one
 * binds.
 * Return: 0 when @dev is (or already was) bound; -ENODEV when @dev is
 * absent or no registered driver matches; else the error of the last
 * probe tried.
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
 * dmo_attach_device() - iommu_attach_device() of a fresh user domain
 * @w: the world
 * @dev: the device
 *
 * Return: 0, -ENODEV, -EINVAL (group of several devices), -EBUSY.
 * Context: thread.
 */
int dmo_attach_device(struct dmo_world *w, struct dmo_device *dev);

/**
 * dmo_detach_device() - iommu_detach_device()
 * @w: the world
 * @dev: the device
 * Context: thread.
 */
void dmo_detach_device(struct dmo_world *w, struct dmo_device *dev);

/* User-space owners (drivers/vfio, drivers/iommu/iommufd). */

/**
 * dmo_vfio_group_open() - open a VFIO group and attach it to a container
 * @w: the world
 * @g: the group
 *
 * Return: 0; -EBUSY when already open; else the claim's error (upstream)
 * or -EPERM when the group is not viable (legacy).
 * Context: thread.
 */
int dmo_vfio_group_open(struct dmo_world *w, struct dmo_group *g);

/**
 * dmo_vfio_group_close() - close the group: detach and release
 * @w: the world
 * @g: the group
 *
 * Return: 0, or -ENODEV when it was not open.
 * Context: thread.
 */
int dmo_vfio_group_close(struct dmo_world *w, struct dmo_group *g);

/**
 * dmo_iommufd_bind() - bind a device to an iommufd context
 * @w: the world
 * @dev: the device
 * @ctx: the context token
 *
 * Return: 0; -EBUSY when @dev is already bound to a context; else the
 * device claim's error.
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
