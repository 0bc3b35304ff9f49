// SPDX-License-Identifier: MIT
/*
 * The invariants of SPEC.md section 4, checked from outside the protocol:
 * between explorer steps with every thread paused, or at quiescence.
 *
 * Isolation is judged on ghost state, what the kernel's users believe
 * (a device past dma_configure with a DMA-API driver; a VFIO open; an
 * iommufd binding), never on the group's own fields, so that a policy
 * whose bookkeeping lies is caught by the same rule as one that is right.
 *
 * The field invariants read a group's fields, which are only consistent
 * when nobody is inside group->mutex: between steps a thread may be
 * halfway through an update, so those groups are skipped until the
 * mutex is free (the ghost lock flag says when).
 */
#include <stdarg.h>
#include <stdio.h>

#include "core/core.h"

void dmo__checkf(dmo_check_fn cb, void *arg, enum dmo_viol_kind kind,
		 const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cb)
		cb(arg, kind, msg);
}

/* Members bound past dma_configure to a driver that uses the DMA API. */
int dmo__group_kdma_users(const struct dmo_group *g)
{
	int n = 0;

	for (int i = 0; i < g->nr_devs; i++)
		n += g->devs[i]->ghost_kdma > 0;
	return n;
}

static int check_isolation(const struct dmo_world *w,
			   const struct dmo_group *g, dmo_check_fn cb,
			   void *arg)
{
	const struct dmo_device *kdev = NULL, *udev = NULL;

	for (int i = 0; i < g->nr_devs; i++) {
		const struct dmo_device *dev = g->devs[i];

		if (dev->ghost_kdma > 0 && !kdev)
			kdev = dev;
		if (dev->ghost_iommufd > 0 && !udev)
			udev = dev;
	}
	if (!kdev || (!udev && g->ghost_user <= 0))
		return 0;
	if (g->ghost_user > 0)
		dmo__checkf(cb, arg, DMO_VIOL_ISOLATION,
			    "group %d: %s does kernel DMA while VFIO holds the group (owner %s)",
			    g->id, kdev->name, dmo_owner_name(w, g->owner));
	else
		dmo__checkf(cb, arg, DMO_VIOL_ISOLATION,
			    "group %d: %s does kernel DMA while iommufd holds %s (owner %s)",
			    g->id, kdev->name, udev->name,
			    dmo_owner_name(w, g->owner));
	return 1;
}

/* A user-space owner keeps the group off the default domain, and off none. */
int dmo__check_user_domain(const struct dmo_world *w,
			   const struct dmo_group *g, dmo_check_fn cb,
			   void *arg)
{
	if (g->domain != DMO_DOM_DEFAULT && g->domain != DMO_DOM_NONE)
		return 0;
	dmo__checkf(cb, arg, DMO_VIOL_ACCOUNTING,
		    "group %d: owned by %s but on %s domain", g->id,
		    dmo_owner_name(w, g->owner),
		    g->domain == DMO_DOM_NONE ? "no" : "the default");
	return 1;
}

/* At quiescence, a group user space holds must have an owner. */
int dmo__check_held_owned(const struct dmo_group *g, dmo_check_fn cb,
			  void *arg)
{
	if (g->owner || !dmo__group_user_held(g))
		return 0;
	dmo__checkf(cb, arg, DMO_VIOL_ACCOUNTING,
		    "group %d: held by user space but owner none", g->id);
	return 1;
}

bool dmo__group_user_held(const struct dmo_group *g)
{
	if (g->ghost_user > 0)
		return true;
	for (int i = 0; i < g->nr_devs; i++)
		if (g->devs[i]->ghost_iommufd > 0)
			return true;
	return false;
}

/* The field invariants of the policies that keep owner_cnt. */
int dmo__check_counted_group(const struct dmo_world *w,
			     const struct dmo_group *g, bool quiescent,
			     dmo_check_fn cb, void *arg)
{
	const char *owner = dmo_owner_name(w, g->owner);
	int cnt = g->owner_cnt, n = 0, kdma;

	if (cnt < 0 || (g->owner && cnt < 1)) {
		dmo__checkf(cb, arg, DMO_VIOL_ACCOUNTING,
			    "group %d: owner %s but owner_cnt %d", g->id, owner,
			    cnt);
		n++;
	}
	if (g->owner)
		n += dmo__check_user_domain(w, g, cb, arg);
	if (g->nr_devs && !g->nr_members && cnt > 0) {
		dmo__checkf(cb, arg, DMO_VIOL_ACCOUNTING,
			    "group %d: empty but owner_cnt %d (owner %s)",
			    g->id, cnt, owner);
		n++;
	}
	if (!quiescent)
		return n;
	kdma = dmo__group_kdma_users(g);
	if (!g->owner && cnt != kdma) {
		dmo__checkf(cb, arg, DMO_VIOL_ACCOUNTING,
			    "group %d: owner_cnt %d but %d kernel DMA user%s bound",
			    g->id, cnt, kdma, kdma == 1 ? "" : "s");
		n++;
	}
	return n + dmo__check_held_owned(g, cb, arg);
}

/*
 * What dmo_world_check() reads between steps, told to the backend so that
 * the explorer judges the checks on every state some schedule reaches,
 * not only on those its reduction happens to pass through.  Two classes
 * per group, so that the updates of unrelated groups stay independent.
 * The first is what is judged mid-update too: isolation (the members'
 * kernel-DMA and iommufd ghosts, VFIO's hold, the owner its message
 * names) and kernel DMA before the default domain exists (that flag).
 * The second is what is judged only while nobody holds group->mutex: the
 * lock flag, the fields the mutex guards, and for each member whether it
 * is in the group and where its dev->iommu is (release_device() before
 * 6.4 drops it without the mutex).  A member's dev->iommu->domain needs
 * no watch of its own: it changes only inside the group's critical
 * sections, which the mutex orders and the lock flag brackets.
 * Everything else the checks read is immutable after set-up, and what
 * only the quiescent checks read is judged on final states, which the
 * reduction keeps exact.
 */
void dmo__world_watch(struct dmo_world *w)
{
	for (int i = 0; i < w->nr_groups; i++) {
		struct dmo_group *g = w->groups[i];
		const void *iso = &g->ghost_user, *fields = &g->ghost_locked;

		for (int d = 0; d < g->nr_devs; d++) {
			struct dmo_device *dev = g->devs[d];

			dmo_watch(w->s, &dev->ghost_kdma, iso);
			dmo_watch(w->s, &dev->ghost_iommufd, iso);
			dmo_watch(w->s, &dev->in_group, fields);
			dmo_watch(w->s, &dev->iommu, fields);
		}
		dmo_watch(w->s, &g->ghost_user, iso);
		dmo_watch(w->s, &g->owner, iso);
		dmo_watch(w->s, &g->has_default, iso);
		dmo_watch(w->s, &g->ghost_locked, fields);
		dmo_watch(w->s, &g->owner, fields);
		dmo_watch(w->s, &g->owner_cnt, fields);
		dmo_watch(w->s, &g->domain, fields);
		dmo_watch(w->s, &g->nr_members, fields);
	}
}

static const char *domain_name(int domain)
{
	switch (domain) {
	case DMO_DOM_NONE:
		return "no";
	case DMO_DOM_DEFAULT:
		return "default";
	case DMO_DOM_BLOCKING:
		return "blocking";
	default:
		return "driver's or owner's";
	}
}

/*
 * From 6.7 (every IOMMU driver has default domains) no kernel DMA user is
 * bound before its group has one: the window b46064a18810 closed.  It
 * reads one flag and the members' kernel-DMA ghosts, each meaningful on
 * its own, so like isolation it is judged mid-update too: a device doing
 * DMA while the default domain is still being set up is the bug itself.
 */
static int check_default_domain(const struct dmo_world *w,
				const struct dmo_group *g, dmo_check_fn cb,
				void *arg)
{
	if (g->has_default || g->emulated ||
	    !dmo_kernel_has(w->kernel, DMO_CHG_DEFAULT_DOMAIN))
		return 0;
	for (int i = 0; i < g->nr_devs; i++) {
		if (g->devs[i]->ghost_kdma <= 0)
			continue;
		dmo__checkf(cb, arg, DMO_VIOL_ACCOUNTING,
			    "group %d: %s does kernel DMA before the group has its default domain",
			    g->id, g->devs[i]->name);
		return 1;
	}
	return 0;
}

/*
 * The invariants of the group's domains that every design shares: each
 * member is attached to the group's domain, and at quiescence every group
 * reference taken has been put.
 */
static int check_domains(const struct dmo_group *g, bool quiescent,
			 dmo_check_fn cb, void *arg)
{
	int n = 0;

	for (int i = 0; i < g->nr_devs; i++) {
		const struct dmo_device *dev = g->devs[i];

		if (!dev->in_group || !dev->iommu ||
		    dev->iommu->domain == g->domain)
			continue;
		dmo__checkf(cb, arg, DMO_VIOL_ACCOUNTING,
			    "group %d: %s is attached to the %s domain, the group to the %s domain",
			    g->id, dev->name, domain_name(dev->iommu->domain),
			    domain_name(g->domain));
		n++;
		break;
	}
	if (quiescent && g->ghost_refs) {
		dmo__checkf(cb, arg, DMO_VIOL_ACCOUNTING,
			    "group %d: %d reference%s taken and never put",
			    g->id, g->ghost_refs, g->ghost_refs == 1 ? "" : "s");
		n++;
	}
	return n;
}

int dmo_world_check(const struct dmo_world *w, bool quiescent, dmo_check_fn cb,
		    void *arg)
{
	int n = 0;

	for (int i = 0; i < w->nr_groups; i++) {
		const struct dmo_group *g = w->groups[i];

		n += check_isolation(w, g, cb, arg);
		n += check_default_domain(w, g, cb, arg);
		if (!quiescent && g->ghost_locked > 0)
			continue;
		n += check_domains(g, quiescent, cb, arg);
		n += w->pol->check_group(w, g, quiescent, cb, arg);
	}
	return n;
}
