// SPDX-License-Identifier: MIT
/*
 * The upstream protocol on one thread: every row of SPEC.md section 4's
 * table with its exact return code and resulting owner/owner_cnt, every
 * probe and unbind path of section 3 with the callback counts of claim
 * C6, the driver-core entry points, and the seed's case end to end.
 */
#include <errno.h>
#include <stdbool.h>

#include "dmaown.h"
#include "tap.h"

struct fx {
	struct dmo_sync *s;
	struct dmo_world *w;
	struct dmo_bus *pci, *isa;
	struct dmo_driver *vfio, *snd, *bad, *isadrv, *other;
	struct dmo_group *g1, *g2, *g3, *g4;
	/* g1: a, b, c   g2: d   g3 (no default domain): e   g4: f (isa) */
	struct dmo_device *a, *b, *c, *d, *e, *f, *lone;
	const void *u1, *u2;
};

static void fx_init_at(struct fx *x, const char *kernel)
{
	x->s = dmo_sync_pthread_create(1);
	x->w = dmo_world_create(x->s, DMO_POLICY_UPSTREAM);
	if (kernel)
		dmo_world_set_kernel(x->w, dmo_kernel_find(kernel));
	x->pci = dmo_bus_add(x->w, "pci", true);
	x->isa = dmo_bus_add(x->w, "isa", false);
	x->vfio = dmo_driver_add(x->w, "vfio-pci", x->pci, true,
				 DMO_PROBE_OK);
	x->snd = dmo_driver_add(x->w, "snd_hda", x->pci, false, DMO_PROBE_OK);
	x->bad = dmo_driver_add(x->w, "broken", x->pci, false,
				DMO_PROBE_FAIL);
	x->isadrv = dmo_driver_add(x->w, "isa-drv", x->isa, false,
				   DMO_PROBE_OK);
	x->other = dmo_driver_add(x->w, "later", x->pci, false, DMO_PROBE_OK);
	x->g1 = dmo_group_add(x->w, 1);
	x->g2 = dmo_group_add(x->w, 2);
	x->g3 = dmo_group_add(x->w, 3);
	x->g4 = dmo_group_add(x->w, 4);
	dmo_group_set_nodefault(x->g3);
	x->a = dmo_device_add(x->w, "0000:01:00.0", x->pci, x->g1);
	x->b = dmo_device_add(x->w, "0000:01:00.1", x->pci, x->g1);
	x->c = dmo_device_add(x->w, "0000:01:00.2", x->pci, x->g1);
	x->d = dmo_device_add(x->w, "0000:02:00.0", x->pci, x->g2);
	x->e = dmo_device_add(x->w, "0000:03:00.0", x->pci, x->g3);
	x->f = dmo_device_add(x->w, "isa0", x->isa, x->g4);
	x->lone = dmo_device_add(x->w, "0000:04:00.0", x->pci, NULL);
	x->u1 = dmo_owner_get(x->w, "u1");
	x->u2 = dmo_owner_get(x->w, "u2");
	/* "later" starts unregistered. */
	bool reg[] = { true, true, true, true, false };
	is_int(dmo_world_start(x->w, reg, NULL), 0, "world starts");
}

static void fx_init(struct fx *x)
{
	fx_init_at(x, NULL);
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

static void group_is(struct dmo_world *w, struct dmo_group *g,
		     const char *owner, int cnt, const char *what)
{
	is_str(dmo_owner_name(w, dmo_group_owner(g)), owner, "%s: owner",
	       what);
	is_int(dmo_group_owner_cnt(g), cnt, "%s: owner_cnt", what);
}

static void stats_are(struct dmo_device *dev, int ok_, int err, int cleanup,
		      const char *what)
{
	struct dmo_device_stats st;

	dmo_device_get_stats(dev, &st);
	is_int(st.configure_ok, ok_, "%s: configure_ok", what);
	is_int(st.configure_err, err, "%s: configure_err", what);
	is_int(st.cleanup, cleanup, "%s: cleanup", what);
}

static void quiet(struct fx *x, const char *what)
{
	is_int(dmo_world_check(x->w, true, NULL, NULL), 0,
	       "%s: no invariant broken", what);
}

static void test_use_unuse(void)
{
	struct fx x;

	fx_init(&x);
	is_int(dmo_device_use_default_domain(x.w, x.lone), 0, "use: no group");
	dmo_device_unuse_default_domain(x.w, x.lone);
	is_int(warns(&x), 0, "unuse: no group is silent");

	is_int(dmo_device_use_default_domain(x.w, x.a), 0, "use: cnt 0");
	group_is(x.w, x.g1, "none", 1, "use: cnt 0");
	is_int(dmo_device_use_default_domain(x.w, x.b), 0, "use: kernel mode");
	group_is(x.w, x.g1, "none", 2, "use: kernel mode");
	dmo_device_unuse_default_domain(x.w, x.b);
	group_is(x.w, x.g1, "none", 1, "unuse: decrements");
	dmo_device_unuse_default_domain(x.w, x.a);
	group_is(x.w, x.g1, "none", 0, "unuse: last");
	dmo_device_unuse_default_domain(x.w, x.a);
	is_int(warns(&x), 1, "unuse: cnt 0 WARNs");
	group_is(x.w, x.g1, "none", 0, "unuse: cnt 0 changes nothing");

	is_int(dmo_group_claim_dma_owner(x.w, x.g1, x.u1), 0, "claim");
	is_int(dmo_device_use_default_domain(x.w, x.a), -EBUSY,
	       "use: owned group");
	group_is(x.w, x.g1, "u1", 1, "use: owned group");
	dmo_group_release_dma_owner(x.w, x.g1);

	/* Kernel use, but a user domain attached to the only member. */
	is_int(dmo_device_use_default_domain(x.w, x.d), 0, "use: g2");
	is_int(dmo_attach_device(x.w, x.d), 0, "attach: single-device group");
	is_int(dmo_device_use_default_domain(x.w, x.d), -EBUSY,
	       "use: domain is not the default domain");
	group_is(x.w, x.g2, "none", 1, "use: not default domain");
	dmo_detach_device(x.w, x.d);
	is_int(dmo_device_use_default_domain(x.w, x.d), 0,
	       "use: detach went back to the default domain");
	group_is(x.w, x.g2, "none", 2, "use after detach");

	is_int(dmo_device_use_default_domain(x.w, x.e), -DMO_EPROBE_DEFER,
	       "use: no default domain");
	group_is(x.w, x.g3, "none", 0, "use: no default domain");
	is_int(warns(&x), 1, "no other WARN");
	fx_fini(&x);
}

static void test_group_claim(void)
{
	struct fx x;

	fx_init(&x);
	is_int(dmo_group_claim_dma_owner(x.w, x.g1, NULL), -EINVAL,
	       "claim: owner none");
	is_int(warns(&x), 1, "claim: owner none WARNs");
	group_is(x.w, x.g1, "none", 0, "claim: owner none");

	is_int(dmo_device_use_default_domain(x.w, x.a), 0, "kernel user");
	is_int(dmo_group_claim_dma_owner(x.w, x.g1, x.u1), -EPERM,
	       "claim: kernel users");
	group_is(x.w, x.g1, "none", 1, "claim: kernel users");
	dmo_group_release_dma_owner(x.w, x.g1);
	is_int(warns(&x), 2, "release: owner none WARNs");
	group_is(x.w, x.g1, "none", 1, "release: owner none changes nothing");
	is_int(dmo_group_dma_owner_claimed(x.w, x.g1), 1,
	       "owned: true for kernel users");
	dmo_device_unuse_default_domain(x.w, x.a);
	is_int(dmo_group_dma_owner_claimed(x.w, x.g1), 0, "owned: unused");

	dmo_group_release_dma_owner(x.w, x.g1);
	is_int(warns(&x), 3, "release: cnt 0 WARNs");
	group_is(x.w, x.g1, "none", 0, "release: cnt 0 changes nothing");

	is_int(dmo_group_claim_dma_owner(x.w, x.g1, x.u1), 0, "claim");
	group_is(x.w, x.g1, "u1", 1, "claim");
	is_int(dmo_group_dma_owner_claimed(x.w, x.g1), 1, "owned: claimed");
	is_int(dmo_group_claim_dma_owner(x.w, x.g1, x.u1), -EPERM,
	       "claim: same owner again");
	is_int(dmo_group_claim_dma_owner(x.w, x.g1, x.u2), -EPERM,
	       "claim: other owner");
	group_is(x.w, x.g1, "u1", 1, "claims refused");
	dmo_group_release_dma_owner(x.w, x.g1);
	group_is(x.w, x.g1, "none", 0, "release");

	/* An unused group on a user domain. */
	is_int(dmo_attach_device(x.w, x.d), 0, "attach d");
	is_int(dmo_group_claim_dma_owner(x.w, x.g2, x.u1), -EBUSY,
	       "claim: domain not the default domain");
	group_is(x.w, x.g2, "none", 0, "claim: not default domain");
	dmo_detach_device(x.w, x.d);

	/* The group without a default domain can be claimed. */
	is_int(dmo_group_claim_dma_owner(x.w, x.g3, x.u1), 0,
	       "claim: no default domain");
	dmo_group_release_dma_owner(x.w, x.g3);
	group_is(x.w, x.g3, "none", 0, "release: no default domain");
	is_int(warns(&x), 3, "no other WARN");
	quiet(&x, "group claims");
	fx_fini(&x);
}

static void test_blocking_fault(void)
{
	struct fx x;

	fx_init(&x);
	dmo_world_fail_nth(x.w, 1);
	is_int(dmo_group_claim_dma_owner(x.w, x.g1, x.u1), -EINVAL,
	       "claim: no blocking domain can be made");
	group_is(x.w, x.g1, "none", 0, "claim: failed allocation");
	is_int(dmo_world_faults_seen(x.w), 1, "one fault point reached");
	is_int(dmo_group_claim_dma_owner(x.w, x.g1, x.u1), 0,
	       "claim: the next allocation works");
	is_int(dmo_world_faults_seen(x.w), 2, "two fault points reached");
	dmo_group_release_dma_owner(x.w, x.g1);
	is_int(dmo_group_claim_dma_owner(x.w, x.g1, x.u1), 0,
	       "claim: blocking domain kept");
	is_int(dmo_world_faults_seen(x.w), 2, "no allocation the third time");
	dmo_group_release_dma_owner(x.w, x.g1);
	fx_fini(&x);
}

static void test_device_claim(void)
{
	struct fx x;

	fx_init(&x);
	is_int(dmo_device_claim_dma_owner(x.w, x.a, NULL), -EINVAL,
	       "claim_dev: owner none");
	is_int(warns(&x), 1, "claim_dev: owner none WARNs");
	is_int(dmo_device_claim_dma_owner(x.w, x.lone, x.u1), -ENODEV,
	       "claim_dev: no group");
	is_int(dmo_device_use_default_domain(x.w, x.a), 0, "kernel user");
	is_int(dmo_device_claim_dma_owner(x.w, x.b, x.u1), -EPERM,
	       "claim_dev: kernel use");
	dmo_device_unuse_default_domain(x.w, x.a);
	is_int(dmo_device_claim_dma_owner(x.w, x.a, x.u1), 0,
	       "claim_dev: cnt 0");
	group_is(x.w, x.g1, "u1", 1, "claim_dev: first");
	is_int(dmo_device_claim_dma_owner(x.w, x.b, x.u1), 0,
	       "claim_dev: same owner");
	group_is(x.w, x.g1, "u1", 2, "claim_dev: same owner");
	is_int(dmo_device_claim_dma_owner(x.w, x.c, x.u2), -EPERM,
	       "claim_dev: other owner");
	is_int(dmo_group_claim_dma_owner(x.w, x.g1, x.u1), -EPERM,
	       "group claim while device-claimed");
	dmo_device_release_dma_owner(x.w, x.b);
	group_is(x.w, x.g1, "u1", 1, "release_dev: cnt > 1");
	dmo_device_release_dma_owner(x.w, x.a);
	group_is(x.w, x.g1, "none", 0, "release_dev: last");
	dmo_device_release_dma_owner(x.w, x.a);
	is_int(warns(&x), 2, "release_dev: unowned WARNs");
	group_is(x.w, x.g1, "none", 0, "release_dev: unowned");
	fx_fini(&x);
}

static void test_attach_domain(void)
{
	struct fx x;

	fx_init(&x);
	is_int(dmo_attach_device(x.w, x.lone), -ENODEV, "attach: no group");
	is_int(dmo_attach_device(x.w, x.a), -EINVAL,
	       "attach: group of several devices");
	is_int(dmo_group_claim_dma_owner(x.w, x.g2, x.u1), 0, "claim g2");
	is_int(dmo_attach_device(x.w, x.d), 0, "attach: blocking domain");
	is_int(dmo_attach_device(x.w, x.d), -EBUSY, "attach: user domain");
	dmo_detach_device(x.w, x.d);
	is_int(dmo_attach_device(x.w, x.d), 0,
	       "attach: detach went back to the blocking domain");
	dmo_detach_device(x.w, x.d);
	dmo_group_release_dma_owner(x.w, x.g2);
	group_is(x.w, x.g2, "none", 0, "released");
	quiet(&x, "attach");
	fx_fini(&x);
}

static void test_probe_paths(void)
{
	struct fx x;

	fx_init(&x);
	/* Success, then unbind: one configure, one cleanup. */
	is_int(dmo_device_bind(x.w, x.a, x.snd), 0, "bind snd_hda");
	is_str(dmo_device_driver_name(x.a), "snd_hda", "a bound");
	group_is(x.w, x.g1, "none", 1, "bound kernel driver");
	stats_are(x.a, 1, 0, 0, "bound");
	quiet(&x, "bound");
	is_int(dmo_device_bind(x.w, x.a, x.vfio), -EBUSY, "bind: bound");
	is_int(dmo_device_unbind(x.w, x.a), 0, "unbind");
	is_str(dmo_device_driver_name(x.a), "none", "a unbound");
	group_is(x.w, x.g1, "none", 0, "unbound");
	stats_are(x.a, 1, 0, 1, "unbound");
	is_int(dmo_device_unbind(x.w, x.a), -ENODEV, "unbind: not bound");

	/* Probe fails: exactly one cleanup. */
	is_int(dmo_device_bind(x.w, x.b, x.bad), -ENXIO, "probe fails");
	is_str(dmo_device_driver_name(x.b), "none", "b stays unbound");
	group_is(x.w, x.g1, "none", 0, "failed probe gave its count back");
	stats_are(x.b, 1, 0, 1, "probe failed");

	/* Configure fails: no cleanup. */
	is_int(dmo_group_claim_dma_owner(x.w, x.g1, x.u1), 0, "claim g1");
	is_int(dmo_device_bind(x.w, x.c, x.snd), -EBUSY, "configure fails");
	is_str(dmo_device_driver_name(x.c), "none", "c stays unbound");
	stats_are(x.c, 0, 1, 0, "configure failed");
	group_is(x.w, x.g1, "u1", 1, "claim untouched");
	dmo_group_release_dma_owner(x.w, x.g1);

	/* A managed driver: configure counted, no owner_cnt change. */
	is_int(dmo_device_bind(x.w, x.c, x.vfio), 0, "bind vfio-pci");
	group_is(x.w, x.g1, "none", 0, "managed driver takes no count");
	stats_are(x.c, 1, 1, 0, "managed bound (after the refused one)");
	is_int(dmo_device_unbind(x.w, x.c), 0, "unbind vfio-pci");
	stats_are(x.c, 1, 1, 1, "managed unbound");

	/* A bus without DMA callbacks: neither. */
	is_int(dmo_device_bind(x.w, x.f, x.isadrv), 0, "bind on isa");
	group_is(x.w, x.g4, "none", 0, "nodma bus takes no count");
	stats_are(x.f, 0, 0, 0, "nodma bound");
	is_int(dmo_device_unbind(x.w, x.f), 0, "unbind on isa");
	stats_are(x.f, 0, 0, 0, "nodma unbound");

	/* A device in no group binds freely. */
	is_int(dmo_device_bind(x.w, x.lone, x.snd), 0, "bind groupless");
	stats_are(x.lone, 1, 0, 0, "groupless");
	is_int(dmo_device_unbind(x.w, x.lone), 0, "unbind groupless");

	/* No default domain: user space is told to try again. */
	is_int(dmo_device_bind(x.w, x.e, x.snd), -EAGAIN,
	       "bind: no default domain");
	stats_are(x.e, 0, 1, 0, "deferred");

	is_int(dmo_device_bind(x.w, x.a, x.isadrv), -ENODEV,
	       "bind: the driver's bus has no such device");
	is_int(dmo_device_bind(x.w, x.a, x.other), -ENODEV,
	       "bind: driver not registered");
	for (int i = 0; i < dmo_world_nr_devices(x.w); i++) {
		struct dmo_device_stats st;

		dmo_device_get_stats(dmo_world_device_at(x.w, i), &st);
		is_int(st.configure_ok, st.cleanup,
		       "C6: %s configure_ok == cleanup",
		       dmo_device_name(dmo_world_device_at(x.w, i)));
	}
	is_int(warns(&x), 0, "no WARN");
	quiet(&x, "probe paths");
	fx_fini(&x);
}

static void test_driver_core(void)
{
	struct fx x;

	fx_init(&x);
	is_int(dmo_device_add_match(x.a, x.isadrv), -EINVAL,
	       "match: buses differ");
	is_int(dmo_device_add_match(x.a, x.other), 0, "match a: later");
	is_int(dmo_device_add_match(x.b, x.bad), 0, "match b: broken");
	is_int(dmo_device_add_match(x.b, x.other), 0, "match b: later");
	is_int(dmo_device_attach(x.w, x.a), 0,
	       "attach: no registered match binds nothing");
	is_int(dmo_driver_register(x.w, x.other), 0, "register later");
	is_str(dmo_device_driver_name(x.a), "later", "register probed a");
	is_str(dmo_device_driver_name(x.b), "later",
	       "register probed b");
	group_is(x.w, x.g1, "none", 2, "two kernel users");
	is_int(dmo_driver_register(x.w, x.other), -EBUSY, "register twice");
	is_int(dmo_device_attach(x.w, x.a), 1, "attach: already bound");
	is_int(dmo_driver_unregister(x.w, x.other), 0, "unregister later");
	is_str(dmo_device_driver_name(x.a), "none", "unregister unbound a");
	is_str(dmo_device_driver_name(x.b), "none", "unregister unbound b");
	group_is(x.w, x.g1, "none", 0, "no kernel users left");
	is_int(dmo_driver_unregister(x.w, x.other), -ENODEV,
	       "unregister twice");
	is_int(dmo_device_attach(x.w, x.b), 0,
	       "attach: a failed probe is no error of device_attach");
	is_int(dmo_driver_register(x.w, x.other), 0, "register again");
	is_int(dmo_driver_unregister(x.w, x.other), 0, "unregister again");

	/* Hot-remove and hot-add. */
	is_int(dmo_device_bind(x.w, x.d, x.snd), 0, "bind d");
	is_int(dmo_device_hotplug(x.w, x.d), -EEXIST, "hotplug: present");
	is_int(dmo_device_unplug(x.w, x.d), 0, "unplug d");
	is_str(dmo_device_driver_name(x.d), "none", "unplug unbound d");
	group_is(x.w, x.g2, "none", 0, "unplug gave the count back");
	is_int(dmo_device_unplug(x.w, x.d), -ENODEV, "unplug: absent");
	is_int(dmo_device_bind(x.w, x.d, x.snd), -ENODEV, "bind: absent");
	is_int(dmo_device_attach(x.w, x.d), -ENODEV, "attach: absent");
	is_int(dmo_device_add_match(x.d, x.snd), 0, "match d: snd_hda");
	is_int(dmo_device_hotplug(x.w, x.d), 0, "hotplug d");
	is_str(dmo_device_driver_name(x.d), "snd_hda", "hotplug attached d");
	group_is(x.w, x.g2, "none", 1, "hotplugged kernel user");
	is_int(dmo_device_unplug(x.w, x.d), 0, "unplug d again");

	/* Losing the last member while owned WARNs. */
	is_int(dmo_group_claim_dma_owner(x.w, x.g2, x.u1), 0, "claim g2");
	is_int(warns(&x), 0, "no WARN yet");
	is_int(dmo_device_hotplug(x.w, x.d), 0, "hotplug d into owned g2");
	is_str(dmo_device_driver_name(x.d), "none",
	       "attach refused by the owner");
	is_int(dmo_device_unplug(x.w, x.d), 0, "unplug the last member");
	is_int(warns(&x), 1, "empty while owned WARNs");
	dmo_group_release_dma_owner(x.w, x.g2);
	fx_fini(&x);
}

/* The seed's case: a kernel driver binding into a group VFIO holds. */
static void test_seed(void)
{
	struct fx x;

	fx_init(&x);
	is_int(dmo_device_bind(x.w, x.a, x.vfio), 0, "a bound to vfio-pci");
	is_int(dmo_vfio_group_open(x.w, x.g1), 0, "VFIO opens group 1");
	group_is(x.w, x.g1, "vfio", 1, "VFIO owns group 1");
	is_int(dmo_vfio_group_open(x.w, x.g1), -EBUSY, "VFIO open twice");
	is_int(dmo_device_bind(x.w, x.b, x.snd), -EBUSY,
	       "kernel driver refused");
	is_str(dmo_device_driver_name(x.b), "none", "b stays unbound");
	is_str(dmo_device_driver_name(x.a), "vfio-pci", "a untouched");
	group_is(x.w, x.g1, "vfio", 1, "nothing else changes");
	stats_are(x.b, 0, 1, 0, "refused bind");
	is_int(dmo_device_bind(x.w, x.c, x.vfio), 0,
	       "a vfio driver may bind");
	quiet(&x, "VFIO holds group 1");
	is_int(dmo_vfio_group_close(x.w, x.g1), 0, "VFIO closes");
	is_int(dmo_vfio_group_close(x.w, x.g1), -ENODEV, "close twice");
	group_is(x.w, x.g1, "none", 0, "released");
	is_int(dmo_device_bind(x.w, x.b, x.snd), 0, "now the bind works");
	is_int(dmo_vfio_group_open(x.w, x.g1), -EPERM,
	       "VFIO open with a kernel driver bound");
	group_is(x.w, x.g1, "none", 1, "kernel mode kept");
	quiet(&x, "seed");
	is_int(warns(&x), 0, "no WARN");
	fx_fini(&x);
}

static void test_iommufd(void)
{
	struct fx x;
	const void *ctx, *ctx2;

	/* iommufd_device_bind() itself, before 6.6's device cdev. */
	fx_init_at(&x, "6.5");
	ctx = dmo_owner_get(x.w, "ictx");
	ctx2 = dmo_owner_get(x.w, "ictx2");
	is_int(dmo_device_bind(x.w, x.a, x.vfio), 0, "a: vfio-pci");
	is_int(dmo_device_bind(x.w, x.b, x.vfio), 0, "b: vfio-pci");
	is_int(dmo_iommufd_bind(x.w, x.a, ctx), 0, "iommufd binds a");
	group_is(x.w, x.g1, "ictx", 1, "one device");
	is_int(dmo_iommufd_bind(x.w, x.b, ctx), 0, "iommufd binds b");
	group_is(x.w, x.g1, "ictx", 2, "two devices share one count");
	is_int(dmo_iommufd_bind(x.w, x.b, ctx), -EBUSY, "bind b twice");
	is_int(dmo_iommufd_bind(x.w, x.c, ctx2), -EPERM,
	       "another context is refused");
	is_int(dmo_iommufd_bind(x.w, x.lone, ctx), -EINVAL,
	       "no IOMMU: no cache coherency, checked first");
	is_int(dmo_device_bind(x.w, x.c, x.snd), -EBUSY,
	       "kernel driver refused");
	quiet(&x, "iommufd holds two devices");
	is_int(dmo_iommufd_unbind(x.w, x.a), 0, "unbind a");
	group_is(x.w, x.g1, "ictx", 1, "b still holds the group");
	is_int(dmo_device_bind(x.w, x.c, x.snd), -EBUSY,
	       "kernel driver still refused");
	is_int(dmo_iommufd_unbind(x.w, x.b), 0, "unbind b");
	is_int(dmo_iommufd_unbind(x.w, x.b), -ENODEV, "unbind b twice");
	group_is(x.w, x.g1, "none", 0, "released");
	is_int(dmo_device_bind(x.w, x.c, x.snd), 0, "now the bind works");
	is_int(dmo_iommufd_bind(x.w, x.a, ctx), -EPERM,
	       "iommufd refused with a kernel driver bound");
	quiet(&x, "iommufd");
	is_int(warns(&x), 0, "no WARN");
	fx_fini(&x);
}

int main(void)
{
	test_use_unuse();
	test_group_claim();
	test_blocking_fault();
	test_device_claim();
	test_attach_domain();
	test_probe_paths();
	test_driver_core();
	test_seed();
	test_iommufd();
	return done_testing();
}
