// SPDX-License-Identifier: MIT
/*
 * The IOMMU core's version-dependent rules on one thread: the NULL owner
 * before and after 6.2 (and 6.2-rc1's reference leak), the empty-group
 * WARN from 6.4, the hot-added device's domain from 6.5, direct-mapped
 * and emulated groups, v6's claim to no domain, a kernel driver's own
 * domain, and the late default domain of 6.7 and 6.15.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "dmaown.h"
#include "tap.h"

struct fx {
	struct dmo_sync *s;
	struct dmo_world *w;
	struct dmo_driver *snd, *vfio;
	struct dmo_group *g1, *g2, *g3, *g4, *g5;
	struct dmo_device *a, *b, *c, *d, *e, *f, *h;
	const char *kernel;
};

static void fx_init(struct fx *x, enum dmo_policy policy, const char *kernel)
{
	struct dmo_bus *pci;

	x->kernel = kernel;
	x->s = dmo_sync_pthread_create(9);
	x->w = dmo_world_create(x->s, policy);
	is_int(dmo_world_set_kernel(x->w, dmo_kernel_find(kernel)), 0,
	       "%s: kernel", kernel);
	pci = dmo_bus_add(x->w, "pci", true);
	x->snd = dmo_driver_add(x->w, "snd_hda", pci, false, DMO_PROBE_OK);
	x->vfio = dmo_driver_add(x->w, "vfio-pci", pci, true, DMO_PROBE_OK);
	x->g1 = dmo_group_add(x->w, 1);
	x->g2 = dmo_group_add(x->w, 2);
	x->g3 = dmo_group_add(x->w, 3);
	x->g4 = dmo_group_add(x->w, 4);
	x->g5 = dmo_group_add(x->w, 5);
	dmo_group_set_direct(x->g3);
	dmo_group_set_emulated(x->g4);
	dmo_group_set_nodefault(x->g5);
	x->a = dmo_device_add(x->w, "a", pci, x->g1);
	x->b = dmo_device_add(x->w, "b", pci, x->g2);
	x->c = dmo_device_add(x->w, "c", pci, x->g2);
	x->d = dmo_device_add(x->w, "d", pci, x->g3);
	x->e = dmo_device_add(x->w, "e", pci, x->g4);
	x->f = dmo_device_add(x->w, "f", pci, x->g5);
	x->h = dmo_device_add(x->w, "h", pci, x->g5);
	dmo_device_add_match(x->f, x->snd);
	bool present[] = { true, true, false, true, true, true, true };
	is_int(dmo_world_start(x->w, NULL, present), 0, "%s: start", kernel);
}

static void fx_fini(struct fx *x)
{
	dmo_world_destroy(x->w);
	dmo_sync_pthread_destroy(x->s);
}

static int warns(struct fx *x)
{
	return dmo_sync_pthread_reported(x->s, DMO_VIOL_WARN, NULL);
}

/* Collects the first accounting message of a check. */
struct found {
	int n;
	char first[256];
};

static void collect(void *arg, enum dmo_viol_kind kind, const char *msg)
{
	struct found *f = arg;

	if (kind == DMO_VIOL_ACCOUNTING && !f->n++)
		snprintf(f->first, sizeof(f->first), "%s", msg);
}

static struct found check(struct fx *x)
{
	struct found f;

	memset(&f, 0, sizeof(f));
	dmo_world_check(x->w, true, collect, &f);
	return f;
}

static void test_null_owner(void)
{
	struct fx x;
	struct found f;

	fx_init(&x, DMO_POLICY_UPSTREAM, "6.1");
	is_int(dmo_group_claim_dma_owner(x.w, x.g1, NULL), 0,
	       "6.1: a NULL owner is accepted");
	is_int(warns(&x), 0, "6.1: without a WARN");
	is_int(dmo_group_owner_cnt(x.g1), 1, "6.1: counted");
	dmo_group_release_dma_owner(x.w, x.g1);
	is_int(warns(&x), 1, "6.1: the release WARNs");
	is_int(dmo_group_owner_cnt(x.g1), 1, "6.1: and changes nothing");
	is_int(dmo_device_bind(x.w, x.a, x.snd), -EBUSY,
	       "6.1: the group is stuck off its default domain");
	f = check(&x);
	is_str(f.first, "group 1: owner_cnt 1 but 0 kernel DMA users bound",
	       "6.1: accounting says so");
	fx_fini(&x);

	fx_init(&x, DMO_POLICY_UPSTREAM, "6.2-rc1");
	is_int(dmo_device_claim_dma_owner(x.w, x.a, NULL), -EINVAL,
	       "6.2-rc1: device claim refuses a NULL owner");
	is_int(warns(&x), 1, "6.2-rc1: with a WARN");
	f = check(&x);
	is_str(f.first, "group 1: 1 reference taken and never put",
	       "6.2-rc1: the group reference leaked");
	fx_fini(&x);

	fx_init(&x, DMO_POLICY_UPSTREAM, "6.2");
	is_int(dmo_group_claim_dma_owner(x.w, x.g1, NULL), -EINVAL,
	       "6.2: group claim refuses a NULL owner");
	is_int(dmo_device_claim_dma_owner(x.w, x.a, NULL), -EINVAL,
	       "6.2: device claim too");
	is_int(warns(&x), 2, "6.2: both WARN");
	is_int(check(&x).n, 0, "6.2: no leak");
	fx_fini(&x);
}

static void test_empty_and_hotplug(const char *kernel, bool warn_v,
				   bool joins)
{
	struct fx x;
	struct found f;

	fx_init(&x, DMO_POLICY_UPSTREAM, kernel);
	is_int(dmo_attach_device(x.w, x.b), 0, "%s: attach b's domain",
	       kernel);
	is_int(dmo_device_hotplug(x.w, x.c), 0, "%s: hotplug c", kernel);
	f = check(&x);
	is_int(f.n, joins ? 0 : 1, "%s: c %s the group's domain", kernel,
	       joins ? "joins" : "is not on");
	if (!joins)
		is_str(f.first,
		       "group 2: c is attached to the default domain, the group to the driver's or owner's domain",
		       "%s: the mismatch", kernel);
	is_int(dmo_device_unplug(x.w, x.c), 0, "%s: unplug c", kernel);
	is_int(dmo_device_unplug(x.w, x.b), 0, "%s: unplug b", kernel);
	is_int(warns(&x), warn_v ? 1 : 0, "%s: empty group off its default %s",
	       kernel, warn_v ? "WARNs" : "is silent");
	fx_fini(&x);
}

static void test_direct_emulated(void)
{
	struct fx x;
	const void *u;

	fx_init(&x, DMO_POLICY_UPSTREAM, "6.5");
	u = dmo_owner_get(x.w, "u");
	is_int(dmo_group_claim_dma_owner(x.w, x.g3, u), 0,
	       "6.5: a direct group can be claimed");
	dmo_group_release_dma_owner(x.w, x.g3);
	is_int(dmo_group_claim_dma_owner(x.w, x.g4, u), -EINVAL,
	       "6.5: no blocking domain for an emulated group");
	is_int(dmo_attach_device(x.w, x.e), -EINVAL,
	       "6.5: nor a driver's domain");
	fx_fini(&x);

	fx_init(&x, DMO_POLICY_UPSTREAM, "6.6");
	u = dmo_owner_get(x.w, "u");
	is_int(dmo_group_claim_dma_owner(x.w, x.g3, u), -EINVAL,
	       "6.6: a direct group refuses the blocking domain");
	is_str(dmo_owner_name(x.w, dmo_group_owner(x.g3)), "none",
	       "6.6: nothing changes");
	is_int(dmo_device_bind(x.w, x.d, x.snd), 0,
	       "6.6: a kernel driver still binds");
	fx_fini(&x);
}

static void test_v6_and_detach(void)
{
	struct fx x;
	struct found f;
	const void *u;

	fx_init(&x, DMO_POLICY_V6, "6.17");
	u = dmo_owner_get(x.w, "u");
	is_int(dmo_group_claim_dma_owner(x.w, x.g1, u), 0, "v6: claim");
	f = check(&x);
	is_str(f.first, "group 1: owned by u but on no domain",
	       "v6: the claim left the group on no domain");
	dmo_group_release_dma_owner(x.w, x.g1);
	is_int(check(&x).n, 0, "v6: released back to the default domain");
	fx_fini(&x);

	fx_init(&x, DMO_POLICY_UPSTREAM, "6.17");
	dmo_detach_device(x.w, x.a);
	is_int(warns(&x), 1, "detach of a domain never attached WARNs");
	is_int(dmo_attach_device(x.w, x.a), 0, "attach a's domain");
	is_int(dmo_attach_device(x.w, x.a), -EBUSY, "attach twice");
	dmo_detach_device(x.w, x.a);
	is_int(warns(&x), 1, "the detach of it does not");
	is_int(dmo_device_bind(x.w, x.a, x.snd), 0,
	       "back on the default domain");
	is_int(dmo_device_hotplug(x.w, x.c), 0, "c joins b's group");
	is_int(dmo_attach_device(x.w, x.b), -EINVAL,
	       "a driver's domain needs a group of one device");
	fx_fini(&x);
}

static void test_late_default(const char *kernel, int bind, int cnt,
			      const char *after)
{
	struct fx x;

	fx_init(&x, DMO_POLICY_UPSTREAM, kernel);
	is_int(dmo_device_attach(x.w, x.f), bind, "%s: attach f", kernel);
	is_int(dmo_group_owner_cnt(x.g5), cnt, "%s: owner_cnt", kernel);
	is_int(dmo_device_iommu_probe(x.w, x.h), 0, "%s: iommu_probe h",
	       kernel);
	is_str(dmo_device_driver_name(x.f), after, "%s: f after", kernel);
	fx_fini(&x);
}

int main(void)
{
	test_null_owner();
	test_empty_and_hotplug("6.3", false, false);
	test_empty_and_hotplug("6.4", true, false);
	test_empty_and_hotplug("6.5", true, true);
	test_direct_emulated();
	test_v6_and_detach();
	test_late_default("6.6", 1, 1, "snd_hda");
	test_late_default("6.15", -DMO_EPROBE_DEFER, 0, "snd_hda");
	return done_testing();
}
