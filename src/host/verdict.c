// SPDX-License-Identifier: MIT
/*
 * Verdicts (HOST.md "Verdicts"): what each member of a group is to VFIO,
 * and what the group is, under the rule of the machine's kernel version.
 *
 * Two rules.  Up to 5.18 VFIO judged a group itself, when user space
 * asked: viable when every member is driverless, on a vfio driver, on
 * pci-stub (by name), or a PCI bridge of any kind on any driver.  From
 * 5.19 the IOMMU core counts the members bound to drivers that use the
 * kernel's DMA API (every driver without driver_managed_dma), and VFIO's
 * claim fails while the count is not zero: pcieport and pci-stub set the
 * flag, so a bridge on pcieport is fine and one on shpchp is not.  The
 * version picks the rule through the table of changes below, never by a
 * comparison written where a verdict is made.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host/host.h"

/* The kernel changes the verdicts turn on. */
#define DIRECT_COMMIT "a48ce36e2786"
enum kchange_id {
	KC_OWNERSHIP,
	KC_DIRECT_REFUSES_CLAIM,
};

static const struct kchange {
	struct dmo__kver since;
	const char *commit;
	const char *what;
} kchanges[] = {
	[KC_OWNERSHIP] = {
		{ 5, 19 }, "1ea2a07a532b",
		"iommu: Add DMA ownership management interfaces: a member on "
		"a driver without driver_managed_dma makes VFIO's claim fail, "
		"and a bind into a claimed group fails with -EBUSY",
	},
	[KC_DIRECT_REFUSES_CLAIM] = {
		{ 6, 6 }, DIRECT_COMMIT,
		"iommu: Prevent RESV_DIRECT devices from blocking domains: "
		"VFIO's claim of a group with a direct region fails with "
		"-EINVAL (and d3aedf94f480 drops VT-d's RMRR check at attach)",
	},
};

int dmo__kver_parse(const char *s, struct dmo__kver *v)
{
	char *end;
	long major, minor;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	major = strtol(s, &end, 10);
	if (*end != '.' || end[1] < '0' || end[1] > '9')
		return -EINVAL;
	minor = strtol(end + 1, &end, 10);
	if (major < 2 || major > 99 || minor > 999)
		return -EINVAL;
	if (*end && *end != '.' && *end != '-' && *end != '+' && *end != '_')
		return -EINVAL;
	v->major = (int)major;
	v->minor = (int)minor;
	return 0;
}

bool dmo_host_kernel_valid(const char *v)
{
	struct dmo__kver k;

	return dmo__kver_parse(v, &k) == 0;
}

bool dmo__kver_at_least(struct dmo__kver v, int major, int minor)
{
	return v.major > major || (v.major == major && v.minor >= minor);
}

static bool has_change(struct dmo__kver v, enum kchange_id id)
{
	return dmo__kver_at_least(v, kchanges[id].since.major,
				  kchanges[id].since.minor);
}

enum dmo__rule dmo__kver_rule(struct dmo__kver v)
{
	return has_change(v, KC_OWNERSHIP) ? DMO_RULE_OWNERSHIP :
					     DMO_RULE_LEGACY;
}

bool dmo__kver_direct_refuses_claim(struct dmo__kver v)
{
	return has_change(v, KC_DIRECT_REFUSES_CLAIM);
}

const char *dmo__kver_model(struct dmo__kver v)
{
	char release[24];

	snprintf(release, sizeof(release), "%d.%d", v.major, v.minor);
	return dmo_kernel_name(dmo_kernel_for_release(release));
}

const char *dmo__rule_text(const struct dmo_host *h)
{
	if (h->rule == DMO_RULE_OWNERSHIP)
		return "the 5.19+ rule: a group can go to VFIO when every "
		       "member is driverless, on vfio, or on a driver that "
		       "manages its own DMA (pcieport, pci-stub)";
	return "the 5.18 rule: a group can go to VFIO when every member is "
	       "driverless, on vfio or pci-stub, or a PCI bridge";
}

bool dmo__driver_is_vfio(const char *drv)
{
	return drv && strstr(drv, "vfio") != NULL;
}

bool dmo__driver_is_managed(const struct dmo_host *h, const char *drv)
{
	if (dmo__driver_is_vfio(drv) || strcmp(drv, "pci-stub") == 0)
		return true;
	return h->rule == DMO_RULE_OWNERSHIP && strcmp(drv, "pcieport") == 0;
}

bool dmo__dev_is_bridge(const struct dmo__hdev *d)
{
	if (!d->pci)
		return false;
	if (d->header >= 0)
		return d->header != 0;
	return d->have_class && (d->class >> 16) == 0x06 &&
	       ((d->class >> 8) & 0xff) != 0x00 &&
	       (((d->class >> 8) & 0xff) == 0x04 ||
		((d->class >> 8) & 0xff) == 0x07);
}

const char *dmo__vfio_driver(const char *bus)
{
	static const char *const map[][2] = {
		{ "pci", "vfio-pci" },
		{ "platform", "vfio-platform" },
		{ "amba", "vfio-amba" },
		{ "fsl-mc", "vfio-fsl-mc" },
		{ "cdx", "vfio-cdx" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i][0], bus) == 0)
			return map[i][1];
	return NULL;
}

enum dmo__dverdict dmo__dev_verdict(const struct dmo_host *h,
				    const struct dmo__hdev *d,
				    unsigned int *flags)
{
	bool bridge = dmo__dev_is_bridge(d);
	unsigned int f = 0;

	if (d->critical && !dmo__driver_is_vfio(d->driver))
		f |= DMO_DF_CRITICAL;
	if (d->pci && !bridge && !d->has_reset)
		f |= DMO_DF_NO_RESET;
	if (d->numvfs > 0 || d->nr_vfs > 0)
		f |= DMO_DF_PF_VFS;
	*flags = f;
	if (!d->driver)
		return DMO_DV_DRIVERLESS;
	if (dmo__driver_is_vfio(d->driver))
		return DMO_DV_VFIO;
	if (dmo__driver_is_managed(h, d->driver))
		return DMO_DV_MANAGED;
	if (h->rule == DMO_RULE_LEGACY && bridge)
		return DMO_DV_BRIDGE_OK;
	return DMO_DV_BLOCKER;
}

const char *dmo__dverdict_name(enum dmo__dverdict v)
{
	static const char *const names[] = {
		[DMO_DV_DRIVERLESS] = "driverless",
		[DMO_DV_VFIO] = "vfio",
		[DMO_DV_MANAGED] = "managed",
		[DMO_DV_BRIDGE_OK] = "bridge-ok",
		[DMO_DV_BLOCKER] = "blocker",
	};

	return names[v];
}

const char *dmo__gverdict_name(enum dmo__gverdict v)
{
	static const char *const names[] = {
		[DMO_GV_UNREADABLE] = "unreadable",
		[DMO_GV_REFUSED] = "refused",
		[DMO_GV_OWNED] = "owned",
		[DMO_GV_BLOCKED] = "blocked",
		[DMO_GV_MOVES] = "needs-moves",
		[DMO_GV_VIABLE] = "viable",
	};

	return names[v];
}

void dmo__gjudge_free(struct dmo__gjudge *j)
{
	free(j->reason);
	j->reason = NULL;
	dmo__strv_free(&j->warnings);
	dmo__strv_free(&j->notes);
}

static bool member_of(const struct dmo__hgroup *g, const struct dmo_host *h,
		      const char *name)
{
	for (size_t i = 0; i < g->nr_members; i++)
		if (strcmp(h->devs[g->members[i]].name, name) == 0)
			return true;
	return false;
}

/* vfio-pci.ids= and pci-stub.ids= that catch devices outside @g. */
static void id_warnings(const struct dmo_host *h, const struct dmo__hgroup *g,
			struct dmo__strv *w)
{
	struct dmo__buf covered = { 0 }, missed = { 0 };
	const char *which = NULL;
	char *taken, *left;

	/* Members the IDs take, and members on host drivers they miss. */
	for (size_t j = 0; h->ids.nr && j < g->nr_members; j++) {
		const struct dmo__hdev *d = &h->devs[g->members[j]];
		bool hit = false;

		for (size_t i = 0; i < h->ids.nr && d->have_ids; i++) {
			unsigned int v, dv;

			if (sscanf(h->ids.v[i], "%x:%x", &v, &dv) == 2 &&
			    v == d->vendor && dv == d->device) {
				hit = true;
				which = strchr(h->ids.v[i], ' ') + 1;
			}
		}
		if (hit)
			dmo__buf_addf(&covered, "%s%s", covered.len ? ", " : "",
				      d->name);
		else if (d->driver && !dmo__dev_is_bridge(d) &&
			 !dmo__driver_is_managed(h, d->driver))
			dmo__buf_addf(&missed, "%s%s", missed.len ? ", " : "",
				      d->name);
	}
	taken = dmo__buf_take(&covered);
	left = dmo__buf_take(&missed);
	if (taken && left && *taken && *left)
		dmo__strv_addf(w,
			       "%s= on the kernel command line takes %s but not %s, which stay%s on host drivers: the group is not VFIO's until they move too",
			       which, taken, left, strchr(left, ',') ? "" : "s");
	free(taken);
	free(left);
	for (size_t i = 0; i < h->ids.nr; i++) {
		unsigned int v, dv;
		char key[32];
		struct dmo__buf b = { 0 };
		bool inside = false;
		char *s;

		if (sscanf(h->ids.v[i], "%x:%x %31s", &v, &dv, key) != 3)
			continue;
		for (size_t j = 0; j < g->nr_members; j++) {
			const struct dmo__hdev *d = &h->devs[g->members[j]];

			inside |= d->have_ids && d->vendor == v &&
				  d->device == dv;
		}
		if (!inside)
			continue;
		for (size_t j = 0; j < h->nr_devs; j++) {
			const struct dmo__hdev *d = &h->devs[j];

			if (!d->pci || !d->have_ids || d->vendor != v ||
			    d->device != dv || d->group == g->id)
				continue;
			if (b.len)
				dmo__buf_add(&b, ", ");
			if (d->group >= 0)
				dmo__buf_addf(&b, "%s (group %d)", d->name,
					      d->group);
			else
				dmo__buf_add(&b, d->name);
		}
		s = dmo__buf_take(&b);
		if (s && *s)
			dmo__strv_addf(w,
				       "%s=%04x:%04x on the kernel command line also takes %s: an ID cannot tell identical devices apart; drop it and pin each device with driver_override, as dmaown plan does",
				       key, v, dv, s);
		free(s);
	}
}

/**
 * dmo__group_judge() - the verdict of one group, its warnings and notes
 * @h: the machine
 * @g: the group
 * @j: filled in (free with dmo__gjudge_free())
 *
 * Return: 0 or -ENOMEM.
 * Context: any.
 */
int dmo__group_judge(const struct dmo_host *h, const struct dmo__hgroup *g,
		     struct dmo__gjudge *j)
{
	struct dmo__buf crit = { 0 }, moves = { 0 };
	const struct dmo__region *direct = NULL;
	struct dmo__strv pfs = { 0 }, noreset = { 0 };
	bool any_driver = false;

	memset(j, 0, sizeof(*j));
	for (size_t i = 0; i < g->findings.nr; i++)
		dmo__strv_add(&j->warnings, g->findings.v[i]);
	for (size_t i = 0; i < g->nr_regions; i++) {
		const struct dmo__region *r = &g->regions[i];

		if (strcmp(r->type, "direct") == 0 && !direct)
			direct = r;
		if (strcmp(r->type, "direct-relaxable") == 0)
			dmo__strv_addf(&j->warnings,
				       "reserved region 0x%016llx-0x%016llx is direct-relaxable: the firmware asked for a 1:1 mapping that the kernel lets VFIO drop; if the firmware still uses it (USB legacy emulation), turn that off in the firmware setup",
				       (unsigned long long)r->start,
				       (unsigned long long)r->end);
	}
	for (size_t i = 0; i < g->nr_members; i++) {
		const struct dmo__hdev *d = &h->devs[g->members[i]];
		unsigned int flags;
		enum dmo__dverdict v = dmo__dev_verdict(h, d, &flags);

		for (size_t k = 0; k < d->findings.nr; k++)
			dmo__strv_add(&j->warnings, d->findings.v[k]);
		any_driver |= d->driver != NULL;
		if (flags & DMO_DF_CRITICAL) {
			if (crit.len)
				dmo__buf_add(&crit, ", ");
			dmo__buf_addf(&crit, "%s (%s)", d->name, d->critical);
		}
		if (v == DMO_DV_BLOCKER) {
			j->moves++;
			if (moves.len)
				dmo__buf_add(&moves, ", ");
			dmo__buf_addf(&moves, "%s off %s", d->name, d->driver);
		}
		if ((flags & DMO_DF_NO_RESET) &&
		    (v == DMO_DV_VFIO || v == DMO_DV_BLOCKER))
			dmo__strv_add(&noreset, d->name);
		if ((flags & DMO_DF_PF_VFS) && v != DMO_DV_VFIO)
			dmo__strv_addf(&j->warnings,
				       "%s has %d VF%s enabled: vfio-pci refuses a PF with VFs (\"Cannot bind to PF with SR-IOV enabled\", -EBUSY); write 0 to its sriov_numvfs first, which removes the VFs",
				       d->name,
				       d->numvfs > 0 ? d->numvfs : d->nr_vfs,
				       (d->numvfs > 0 ? d->numvfs :
							d->nr_vfs) == 1 ?
					       "" :
					       "s");
		if (d->physfn && member_of(g, h, d->physfn) &&
		    !dmo__strv_has(&pfs, d->physfn)) {
			dmo__strv_add(&pfs, d->physfn);
			dmo__strv_addf(&j->warnings,
				       "the VFs of %s share group %d with it: giving VFs to guests one by one needs ACS on the port above the PF, and that port has none",
				       d->physfn, g->id);
		}
		if (d->boot_vga == 1 && d->driver &&
		    !dmo__driver_is_vfio(d->driver))
			dmo__strv_addf(&j->warnings,
				       "%s is the boot VGA device: the host console (efifb, simpledrm) runs on it; stop the display manager and whatever else holds it on %s (a framebuffer console; for nvidia, nvidia-persistenced) first, or the unbind can hang",
				       d->name, d->driver);
		if (d->driver && strcmp(d->driver, "nvidia-gpu") == 0)
			dmo__strv_addf(&j->warnings,
				       "%s is the GPU's USB-C controller (UCSI) on nvidia-gpu, an i2c driver that vfio-pci.ids lists often miss: it must move with the GPU",
				       d->name);
		if (v == DMO_DV_BLOCKER && dmo__dev_is_bridge(d))
			dmo__strv_addf(&j->warnings,
				       "%s is a bridge on %s, which uses the kernel's DMA API as far as the IOMMU core knows (no driver_managed_dma): from 5.19 VFIO needs it driverless or on pcieport; the plan leaves it driverless, and hot-plug below it stops",
				       d->name, d->driver);
		if (d->pci && d->have_class && (d->class >> 8) == 0x0302)
			dmo__strv_addf(&j->notes,
				       "%s is a 3D controller: it has no display outputs of its own (as in laptops), so a guest shows nothing unless its output goes through the iGPU",
				       d->name);
	}
	if (noreset.nr) {
		struct dmo__buf b = { 0 };

		for (size_t i = 0; i < noreset.nr; i++)
			dmo__buf_addf(&b, "%s%s",
				      i == 0		     ? "" :
				      i + 1 == noreset.nr ? " and " :
							     ", ",
				      noreset.v[i]);
		dmo__strv_addf(&j->warnings,
			       "%s %s no reset method (no reset file): the guest gets %s in whatever state the host left %s, and VFIO cannot reset %s between guests",
			       b.s ? b.s : "", noreset.nr == 1 ? "has" : "have",
			       noreset.nr == 1 ? "it" : "them",
			       noreset.nr == 1 ? "it" : "them",
			       noreset.nr == 1 ? "it" : "them");
		free(b.s);
	}
	id_warnings(h, g, &j->warnings);
	if (g->type && strcmp(g->type, "identity") == 0)
		dmo__strv_add(&j->notes,
			      "the default domain is identity (iommu=pt): that does not stand in VFIO's way");
	if (g->nr_members && !any_driver)
		dmo__strv_add(&j->notes,
			      "no member has a driver: VFIO can have the group, if a guest has a use for it");
	if (g->unreadable) {
		j->verdict = DMO_GV_UNREADABLE;
		j->reason = dmo__asprintf(
			"%d of its entries could not be read (see the warnings), so there is no verdict: a member the tree does not show may be on any driver",
			g->unreadable);
	} else if (direct) {
		j->verdict = DMO_GV_REFUSED;
		j->reason = dmo__asprintf(
			"reserved region 0x%016llx-0x%016llx is direct: the firmware needs a 1:1 mapping there, so the kernel will not give the group to user space (%s)",
			(unsigned long long)direct->start,
			(unsigned long long)direct->end,
			dmo__kver_direct_refuses_claim(h->kv) ?
				"VFIO's claim fails with -EINVAL, since " DIRECT_COMMIT ": \"Firmware has requested this device have a 1:1 IOMMU mapping\"" :
				"the IOMMU driver refuses the guest's domain, on VT-d with \"ineligible for IOMMU domain attach due to platform RMRR requirement\"");
	} else if (g->owner) {
		j->verdict = DMO_GV_OWNED;
		j->reason = dmo__asprintf("/dev/vfio/%d is open in %s", g->id,
					  g->owner);
		dmo__strv_add(&j->notes,
			      h->rule == DMO_RULE_OWNERSHIP ?
				      "while it is owned, a host driver's bind to a member fails with -EBUSY and the guest goes on unharmed" :
				      "on 5.18 and before, binding a host driver to a member now hits VFIO's BUG_ON and takes the host down: do not");
	} else if (crit.len) {
		j->verdict = DMO_GV_BLOCKED;
		j->reason = dmo__asprintf("the host needs %s", crit.s);
		if (j->moves > 1 || g->nr_members > 2)
			dmo__strv_add(&j->notes,
				      "a group is given away whole: for one of its devices alone, move that device to a slot with a group of its own (one on the CPU's lanes), or accept the ACS override patch, which gives up the isolation the group stands for");
	} else if (j->moves) {
		j->verdict = DMO_GV_MOVES;
		j->reason = dmo__strdup(moves.s);
	} else {
		j->verdict = DMO_GV_VIABLE;
		j->reason = dmo__strdup("");
	}
	free(crit.s);
	free(moves.s);
	dmo__strv_free(&pfs);
	dmo__strv_free(&noreset);
	if (!j->reason || crit.oom || moves.oom) {
		dmo__gjudge_free(j);
		return -ENOMEM;
	}
	return 0;
}
