/* SPDX-License-Identifier: MIT */
/*
 * The private header of src/core/: the objects of the world and the
 * seams between the files that model one kernel file each.
 *
 * Locking, written once (sync.h states the same order):
 *
 *   device_lock(dev)           dev->lock: binding, presence, override
 *   -> bus->klist_lock         a bus's list of registered drivers
 *   -> drv->bind_lock          a driver's bind attribute, device list
 *   -> world->defer_lock       the deferred-probe lists
 *   -> group->ulock            VFIO's group: its file, container, devices
 *   -> dev->ulock              VFIO's device: its cdev's iommufd binding
 *   -> group->mutex            every ownership and domain field
 *
 * klist_lock, bind_lock and defer_lock are held only around a few
 * pointers (dd.c's essay), never across a call into a bus, VFIO or the
 * IOMMU core.  A vfio driver's probe and remove take VFIO's locks under
 * device_lock; VFIO and iommufd never take a device lock.  No path takes
 * two locks of the same class, so the order is total.
 *
 * Shared fields are touched only through the sync seam, so that the
 * explorer sees every access.  Fields marked "immutable after set-up" are
 * written before dmo_world_start() and read directly.  Fields marked
 * "ghost" are the model's own bookkeeping (what the kernel's users
 * believe, fault counters): they change through dmo_ghost_add(), never a
 * scheduling point, and the modelled code never reads them.
 */
#ifndef DMO_CORE_PRIV_H
#define DMO_CORE_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include "dmaown/core.h"
#include "sync/sync.h"

/* What a group's current domain is. */
enum dmo_domain {
	DMO_DOM_NONE,		/* nothing attached */
	DMO_DOM_DEFAULT,	/* the kernel DMA API's domain */
	DMO_DOM_BLOCKING,	/* blocks all DMA: a claimed, idle group */
	DMO_DOM_USER,		/* an owner's unmanaged domain */
};

/*
 * What the IOMMU driver keeps per device (dev->iommu and its private
 * data): allocated when the device joins its group, freed by
 * release_device().  Every attach writes it through the seam, so an
 * attach to a released device is a use after free the explorer reports.
 */
struct dmo_dev_iommu {
	int domain;			/* group->mutex: what it is attached
					 * to, enum dmo_domain */
};

/* An owner token: its address is the token, its name is for reports. */
struct dmo_owner {
	char *name;			/* immutable: in the token's block */
	struct dmo_owner *next;		/* immutable after set-up */
};

struct dmo_bus {
	char *name;			/* immutable after set-up */
	bool has_dma;			/* immutable after set-up */
	enum dmo_bus_shape shape;	/* immutable after set-up */
	/*
	 * immutable after set-up: the change with which the bus's
	 * dma_configure reads dev->driver once (platform, pci), or -1.
	 */
	int snapshot;
	/*
	 * bus->p->klist_drivers: the registered drivers' objects are
	 * published under it (and their bind_lock), and device_attach()
	 * picks them up under it.
	 */
	struct dmo_mutex klist_lock;
	int next_seq;			/* klist_lock: registrations so far */
};

/*
 * The registered driver object: what dev->driver points to.  Allocated at
 * register, freed at unregister; every read of it goes through the seam,
 * so a read after the free is a use after free the explorer reports.
 */
struct dmo_drv_obj {
	struct dmo_driver *handle;	/* immutable while registered */
	bool managed_dma;		/* immutable while registered */
	int seq;			/* immutable while registered: its
					 * place in the bus's driver list */
	/*
	 * Unregister's list of devices to drain, one per device of the
	 * world: only the thread that unpublished the object uses it.
	 */
	bool drain[];
};

/* The description of a driver: outlives its registrations. */
struct dmo_driver {
	char *name;			/* immutable after set-up */
	struct dmo_bus *bus;		/* immutable after set-up */
	bool managed_dma;		/* immutable after set-up */
	enum dmo_probe probe;		/* immutable after set-up */
	bool vfio;			/* immutable after set-up: its probe
					 * registers a VFIO device (its name
					 * starts with "vfio") */
	/* drivers/NAME/bind's active references, modelled as a lock. */
	struct dmo_mutex bind_lock;
	/*
	 * Written under bus->klist_lock and bind_lock, read under either;
	 * NULL: not registered.  The bind file exists while it is set,
	 * which a sysfs bind reads marked, with neither lock.
	 */
	struct dmo_drv_obj *obj;
	/* immutable after set-up: the override token naming it */
	const struct dmo_owner *override;
};

struct dmo_device {
	struct dmo_world *w;		/* immutable after set-up */
	char *name;			/* immutable after set-up */
	struct dmo_bus *bus;		/* immutable after set-up */
	struct dmo_group *group;	/* immutable after set-up */
	struct dmo_driver **match;	/* immutable after set-up */
	int nr_match;			/* immutable after set-up */

	struct dmo_mutex lock;		/* device_lock(dev) */
	/*
	 * driver_override, a name token (dmo_override_get()), NULL: none
	 * set; device_lock for writes, marked.  device_attach() reads it
	 * under the lock; bind_store() and driver_attach() match without
	 * it, marked, as the kernel reads it without the lock.
	 */
	const struct dmo_owner *override;
	bool defer_pending;		/* world->defer_lock */
	bool defer_active;		/* world->defer_lock */
	/*
	 * device_lock for writes.  The legacy VFIO viability check and the
	 * recompute release walk read it with no device lock, marked.
	 */
	struct dmo_drv_obj *driver;
	bool present;			/* device_lock */
	bool in_group;			/* group->mutex */
	/*
	 * group->mutex for writes (release_device() before 6.4 frees it
	 * without); NULL while the device is in no group.
	 */
	struct dmo_dev_iommu *iommu;
	const char *iommu_label;	/* immutable after set-up */
	/*
	 * The driver object a bind or attach of this device last picked
	 * up, marked; written under device_lock and the klist_lock or
	 * bind_lock the pick was made under.  Unregister drains exactly
	 * these devices.
	 */
	struct dmo_drv_obj *picked;

	bool bridge;			/* immutable after set-up: a PCI
					 * header that is not normal */
	/* group->ulock: a registered vfio device (vfio_register_group_dev) */
	bool vfio_reg;
	/* group->ulock: on 5.18's unbound_list, mid-unbind */
	bool vfio_unbinding;
	int vfio_fds;			/* group->ulock: device FDs open */
	/* dev_set->lock: the iommufd binding of its device (cdev, 6.6) */
	struct dmo_mutex ulock;
	const void *ictx;		/* ulock: the iommufd context bound */

	int ghost_kdma;		/* ghost: bound to a kernel-DMA driver */
	int ghost_iommufd;	/* ghost: iommufd holds it */
	int ghost_configure_ok;	/* ghost: dma_configure succeeded */
	int ghost_configure_err;	/* ghost: dma_configure failed */
	int ghost_cleanup;	/* ghost: dma_cleanup ran */
};

struct dmo_group {
	struct dmo_world *w;		/* immutable after set-up */
	int id;				/* immutable after set-up */
	/*
	 * group->mutex: a default domain exists.  From 6.7 every IOMMU
	 * driver has one, and a group without it is one whose set-up a
	 * bus walk has still to finish (dmo_device_iommu_probe()).
	 */
	bool has_default;
	bool emulated;			/* immutable after set-up: no IOMMU */
	bool direct;			/* immutable after set-up: a member
					 * requires direct mapping */
	/* immutable after set-up: every device that may join */
	struct dmo_device **devs;
	int nr_devs;			/* immutable after set-up */

	struct dmo_mutex mutex;		/* group->mutex */
	int nr_members;			/* group->mutex: devices in it */
	int domain;			/* group->mutex: enum dmo_domain */
	bool blocking;			/* group->mutex: blocking made */
	const void *owner;		/* group->mutex */
	int owner_cnt;			/* group->mutex */
	/* group->mutex: whose driver attached the current user domain */
	const struct dmo_device *user_dev;
	/* group->mutex: recompute's record of a VFIO group claim. */
	const void *user_claim;

	/*
	 * vfio.group_lock, for everything below it: the vfio_group of this
	 * IOMMU group.  Its file /dev/vfio/N exists while a vfio device is
	 * registered (and, before 6.1, while the file is open).
	 */
	struct dmo_mutex ulock;
	int vfio_devs;			/* ulock: registered vfio devices */
	/* ulock for writes, marked: the file is open; 5.18's group
	 * notifier reads it for "container users" */
	bool vfio_open;
	bool vfio_container;		/* ulock: SET_CONTAINER done */
	bool vfio_claimed;		/* ulock: ... and ownership claimed */
	bool vfio_close_pending;	/* ulock: closed, device FDs open */
	bool vfio_orphan;		/* ulock: open, but disassociated */
	int vfio_fds;			/* ulock: device FDs of the file */
	int vfio_cdevs;			/* ulock: device cdevs bound (6.6) */

	int ghost_user;		/* ghost: VFIO holds the group open */
	int ghost_locked;	/* ghost: someone holds group->mutex */
	int ghost_refs;		/* ghost: references taken, not put */
};

/*
 * What differs between the designs of SPEC.md section 6.  Everything not
 * here (the driver core, VFIO and iommufd bookkeeping, domains) is shared.
 * A policy sets the flags and only the operations in which it departs
 * from upstream: the world fills the rest from dmo__policy_upstream when
 * it is created.
 */
struct dmo__policy_ops {
	int (*use_default_domain)(struct dmo_world *w, struct dmo_device *dev);
	void (*unuse_default_domain)(struct dmo_world *w,
				     struct dmo_device *dev);
	int (*group_claim)(struct dmo_world *w, struct dmo_group *g,
			   const void *owner);
	void (*group_release)(struct dmo_world *w, struct dmo_group *g);
	bool (*group_claimed)(struct dmo_world *w, struct dmo_group *g);
	int (*device_claim)(struct dmo_world *w, struct dmo_device *dev,
			    const void *owner);
	void (*device_release)(struct dmo_world *w, struct dmo_device *dev);
	/* VFIO attaching the group to a container, and detaching it. */
	int (*vfio_claim)(struct dmo_world *w, struct dmo_group *g);
	void (*vfio_release)(struct dmo_world *w, struct dmo_group *g);
	/* The field invariants of one group, for dmo_world_check(). */
	int (*check_group)(const struct dmo_world *w,
			   const struct dmo_group *g, bool quiescent,
			   dmo_check_fn cb, void *arg);
	bool has_cleanup;		/* the driver core calls dma_cleanup */
	bool cdx_return_error;		/* cdx's dma_configure returns the
					 * error of taking the count */
	bool probe_fail_cleanup;	/* ... also when probe fails */
	bool cleanup_after_unset;	/* ... after dev->driver is cleared */
	bool driver_after_configure;	/* probe stores dev->driver only
					 * once dma_configure succeeded */
};

struct dmo_world {
	struct dmo_sync *s;		/* immutable */
	enum dmo_policy policy;		/* immutable */
	const struct dmo_kernel *kernel;	/* immutable after set-up */
	unsigned int config;		/* immutable after set-up: bit per
					 * enum dmo_config */
	struct dmo__policy_ops ops;	/* immutable: the policy, completed */
	const struct dmo__policy_ops *pol;	/* immutable: &ops */
	/* deferred_probe_mutex: the pending and active lists */
	struct dmo_mutex defer_lock;
	int nr_pending;			/* defer_lock for writes, marked */
	/*
	 * deferred_trigger_count, marked: bumped by the triggers that can
	 * change a deferral's outcome (a group's default domain set up).
	 */
	int trigger_count;
	bool started;			/* immutable after set-up */

	struct dmo_bus **buses;		/* immutable after set-up */
	int nr_buses;			/* immutable after set-up */
	struct dmo_driver **drivers;	/* immutable after set-up */
	int nr_drivers;			/* immutable after set-up */
	struct dmo_device **devices;	/* immutable after set-up */
	int nr_devices;			/* immutable after set-up */
	struct dmo_group **groups;	/* immutable after set-up */
	int nr_groups;			/* immutable after set-up */
	struct dmo_owner *owners;	/* immutable after set-up */
	struct dmo_owner *overrides;	/* immutable after set-up */
	/* immutable after set-up: its blocks' names (core.c's label()) */
	char **labels;
	int nr_labels;			/* immutable after set-up */
	struct dmo_owner *tok_vfio;	/* immutable: VFIO's group claims */
	struct dmo_owner *tok_dma_api;	/* immutable: recompute's */

	int fail_nth;			/* set while no operation runs */
	int ghost_faults;		/* ghost: fault points reached */
};


/*
 * Whether a change is in effect in the world's kernel: the one way the
 * code asks which version it models (kernel.c holds the table).
 */
static inline bool dmo__kernel_has(const struct dmo_world *w,
				   enum dmo_change c)
{
	return dmo_kernel_has(w->kernel, c);
}

static inline bool dmo__config(const struct dmo_world *w, enum dmo_config c)
{
	return w->config & (1u << c);
}

extern const struct dmo__policy_ops dmo__policy_upstream;
extern const struct dmo__policy_ops dmo__policy_legacy;
extern const struct dmo__policy_ops dmo__policy_v6;
extern const struct dmo__policy_ops dmo__policy_recompute;
extern const struct dmo__policy_ops dmo__policy_no_probe_cleanup;
extern const struct dmo__policy_ops dmo__policy_recompute_late_store;
extern const struct dmo__policy_ops dmo__policy_recompute_early_cleanup;
extern const struct dmo__policy_ops dmo__policy_cdx_fix;

/*
 * WARN_ON() and BUG_ON(): evaluate to @cond and, when it holds, report it
 * through the world's backend.  Under the explorer a BUG stops the
 * calling thread where it stands; under pthread it is recorded and the
 * caller goes on.
 */
#define DMO_WARN_ON(w, cond) \
	dmo__report_on((w), (cond), DMO_VIOL_WARN, "WARN_ON(" #cond ")", \
		       __func__)
#define DMO_BUG_ON(w, cond) \
	dmo__report_on((w), (cond), DMO_VIOL_BUG, "BUG_ON(" #cond ")", \
		       __func__)
bool dmo__report_on(struct dmo_world *w, bool cond, enum dmo_viol_kind kind,
		    const char *what, const char *fn);
/* Reports @kind with a formatted message naming the object concerned. */
void dmo__reportf(struct dmo_world *w, enum dmo_viol_kind kind,
		  const char *fn, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * group->mutex, with the ghost flag that tells the checker a group's
 * fields may be mid-update.  Macros, so that traces name the caller.
 */
#define dmo__group_lock(w, g) \
	do { \
		dmo_mutex_lock((w)->s, &(g)->mutex); \
		dmo_ghost_add((w)->s, &(g)->ghost_locked, 1); \
	} while (0)
#define dmo__group_unlock(w, g) \
	do { \
		dmo_ghost_add((w)->s, &(g)->ghost_locked, -1); \
		dmo_mutex_unlock((w)->s, &(g)->mutex); \
	} while (0)

/* A fault point: true when dmo_world_fail_nth() picked this one. */
bool dmo__fault(struct dmo_world *w);

/* core.c */
struct dmo_owner *dmo__owner_intern(struct dmo_world *w, const char *name);
struct dmo_owner *dmo__override_intern(struct dmo_world *w, const char *name);

/* vfio.c: a vfio driver's probe and remove, and 5.18's notifiers. */
int dmo__vfio_register(struct dmo_world *w, struct dmo_device *dev);
void dmo__vfio_unregister(struct dmo_world *w, struct dmo_device *dev);
void dmo__vfio_unbound(struct dmo_world *w, struct dmo_device *dev);
void dmo__vfio_bound_notify(struct dmo_world *w, struct dmo_device *dev);
void dmo__vfio_add_notify(struct dmo_world *w, struct dmo_device *dev);

/* iommufd.c: closing a device's cdev for its unregistering driver. */
void dmo__iommufd_cdev_close_locked(struct dmo_world *w,
				    struct dmo_device *dev);

/* bus.c: the bus callbacks, called by dd.c with device_lock held. */
int dmo__bus_dma_configure(struct dmo_world *w, struct dmo_device *dev,
			   bool managed);
void dmo__bus_dma_configure_iommu(struct dmo_world *w, struct dmo_device *dev);
void dmo__bus_dma_cleanup(struct dmo_world *w, struct dmo_device *dev,
			  bool managed);

/* dd.c */
void dmo__device_release_driver_locked(struct dmo_world *w,
				       struct dmo_device *dev,
				       struct dmo_drv_obj *drv);
int dmo__device_attach_locked(struct dmo_world *w, struct dmo_device *dev);
void dmo__deferred_probe_trigger(struct dmo_world *w);
struct dmo_drv_obj *dmo__drv_obj_alloc(struct dmo_world *w,
				       struct dmo_driver *drv);

/* group.c */
void dmo__group_add_device_locked(struct dmo_world *w, struct dmo_device *dev);
void dmo__group_remove_device_locked(struct dmo_world *w,
				     struct dmo_device *dev);
int dmo__group_core_domain(struct dmo_world *w, struct dmo_group *g,
			   bool owned);
int dmo__group_set_domain_locked(struct dmo_world *w, struct dmo_group *g,
				 int domain);
void dmo__group_set_core_domain_locked(struct dmo_world *w,
				       struct dmo_group *g, bool owned);
int dmo__group_take_ownership_locked(struct dmo_world *w, struct dmo_group *g,
				     const void *owner);

/* owner.c: the upstream IOMMU core, shared by the policies built on it. */
int dmo__up_use_default_domain(struct dmo_world *w, struct dmo_device *dev);
void dmo__up_unuse_default_domain(struct dmo_world *w, struct dmo_device *dev);
int dmo__up_group_claim(struct dmo_world *w, struct dmo_group *g,
			const void *owner);
void dmo__up_group_release(struct dmo_world *w, struct dmo_group *g);
void dmo__up_release_locked(struct dmo_world *w, struct dmo_group *g);
bool dmo__up_group_claimed(struct dmo_world *w, struct dmo_group *g);
int dmo__up_device_claim(struct dmo_world *w, struct dmo_device *dev,
			 const void *owner);
void dmo__up_device_release(struct dmo_world *w, struct dmo_device *dev);
int dmo__up_vfio_claim(struct dmo_world *w, struct dmo_group *g);
void dmo__up_vfio_release(struct dmo_world *w, struct dmo_group *g);

/* check.c */
void dmo__world_watch(struct dmo_world *w);
int dmo__check_counted_group(const struct dmo_world *w,
			     const struct dmo_group *g, bool quiescent,
			     dmo_check_fn cb, void *arg);
int dmo__group_kdma_users(const struct dmo_group *g);
bool dmo__group_user_held(const struct dmo_group *g);
int dmo__check_user_domain(const struct dmo_world *w,
			   const struct dmo_group *g, dmo_check_fn cb,
			   void *arg);
int dmo__check_held_owned(const struct dmo_group *g, dmo_check_fn cb,
			  void *arg);
void dmo__checkf(dmo_check_fn cb, void *arg, enum dmo_viol_kind kind,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif /* DMO_CORE_PRIV_H */
