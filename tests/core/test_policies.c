// SPDX-License-Identifier: MIT
/*
 * What sets each design of SPEC.md section 6 apart, on one thread: the
 * legacy viability walk and BUG_ON, v6's nesting and claim to no domain,
 * recompute's lost iommufd claim (C4), and the count no-probe-cleanup
 * leaks.  Device v is bound to vfio-pci throughout, so that the group has
 * its VFIO file.
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
	struct dmo_driver *vfio, *snd, *stub, *port, *bad;
	struct dmo_group *g1;
	struct dmo_device *a, *b, *c, *v;
	const void *u1, *u2, *ctx;
};

static void fx_init(struct fx *x, enum dmo_policy policy)
{
	struct dmo_bus *pci;

	x->s = dmo_sync_pthread_create(3);
	x->w = dmo_world_create(x->s, policy);
	pci = dmo_bus_add(x->w, "pci", true);
	x->vfio = dmo_driver_add(x->w, "vfio-pci", pci, true, DMO_PROBE_OK);
	x->snd = dmo_driver_add(x->w, "snd_hda", pci, false, DMO_PROBE_OK);
	x->stub = dmo_driver_add(x->w, "pci-stub", pci, false, DMO_PROBE_OK);
	x->port = dmo_driver_add(x->w, "pcieport", pci, false, DMO_PROBE_OK);
	x->bad = dmo_driver_add(x->w, "broken", pci, false, DMO_PROBE_FAIL);
	x->g1 = dmo_group_add(x->w, 1);
	x->a = dmo_device_add(x->w, "a", pci, x->g1);
	x->b = dmo_device_add(x->w, "b", pci, x->g1);
	x->c = dmo_device_add(x->w, "c", pci, x->g1);
	x->v = dmo_device_add(x->w, "v", pci, x->g1);
	dmo_device_set_bridge(x->c);
	x->u1 = dmo_owner_get(x->w, "u1");
	x->u2 = dmo_owner_get(x->w, "u2");
	x->ctx = dmo_owner_get(x->w, "ctx");
	is_int(dmo_world_start(x->w, NULL, NULL), 0, "%s: world starts",
	       dmo_policy_name(policy));
	is_int(dmo_device_driver_attach(x->w, x->v, x->vfio), 0,
	       "%s: v bound to vfio-pci", dmo_policy_name(policy));
}

static void fx_fini(struct fx *x)
{
	dmo_world_destroy(x->w);
	dmo_sync_pthread_destroy(x->s);
}

static void group_is(struct fx *x, const char *owner, int cnt,
		     const char *what)
{
	is_str(dmo_owner_name(x->w, dmo_group_owner(x->g1)), owner,
	       "%s: owner", what);
	is_int(dmo_group_owner_cnt(x->g1), cnt, "%s: owner_cnt", what);
}

/* Collects what dmo_world_check() finds. */
struct found {
	int n[DMO_VIOL_NR];
	char first[DMO_VIOL_NR][256];
};

static void collect(void *arg, enum dmo_viol_kind kind, const char *msg)
{
	struct found *f = arg;

	if (!f->n[kind]++)
		snprintf(f->first[kind], sizeof(f->first[kind]), "%s", msg);
}

static struct found check(struct fx *x)
{
	struct found f;

	memset(&f, 0, sizeof(f));
	dmo_world_check(x->w, true, collect, &f);
	return f;
}

static int reported(struct fx *x, enum dmo_viol_kind kind, const char **msg)
{
	return dmo_sync_pthread_reported(x->s, kind, msg);
}

static void test_legacy(void)
{
	struct fx x;
	struct found f;
	struct dmo_device_stats st;
	const char *msg;

	fx_init(&x, DMO_POLICY_LEGACY);
	is_int(dmo_device_bind(x.w, x.b, x.snd), 0, "legacy: b snd_hda");
	group_is(&x, "none", 0, "legacy: no ownership kept");
	is_int(dmo_vfio_group_status(x.w, x.g1), 0,
	       "legacy: not viable with snd_hda bound");
	is_int(dmo_vfio_group_open(x.w, x.g1), 0,
	       "legacy: SET_CONTAINER checks nothing");
	f = check(&x);
	is_int(f.n[DMO_VIOL_ISOLATION], 1,
	       "legacy: a careless open breaks isolation");
	is_int(dmo_vfio_device_open(x.w, x.v), -EINVAL,
	       "legacy: GET_DEVICE_FD refuses a group that is not viable");
	is_int(dmo_vfio_group_close(x.w, x.g1), 0, "legacy: close");
	is_int(dmo_device_unbind(x.w, x.b), 0, "legacy: unbind b");
	dmo_device_get_stats(x.b, &st);
	is_int(st.configure_ok, 1, "legacy: configure ran");
	is_int(st.cleanup, 0, "legacy: no dma_cleanup path");
	is_int(dmo_device_bind(x.w, x.a, x.vfio), 0, "legacy: a vfio-pci");
	is_int(dmo_device_bind(x.w, x.b, x.stub), 0, "legacy: b pci-stub");
	is_int(dmo_device_bind(x.w, x.c, x.port), 0,
	       "legacy: c, a bridge, pcieport");
	is_int(dmo_vfio_group_status(x.w, x.g1), 1, "legacy: viable group");
	is_int(dmo_vfio_group_open(x.w, x.g1), 0, "legacy: open");
	is_int(dmo_vfio_device_open(x.w, x.a), 0, "legacy: device FD");
	group_is(&x, "none", 0, "legacy: open takes no ownership");
	is_int(dmo_device_unbind(x.w, x.b), 0, "legacy: unbind pci-stub");
	is_int(reported(&x, DMO_VIOL_BUG, NULL), 0, "legacy: no BUG yet");
	is_int(dmo_device_bind(x.w, x.b, x.snd), 0,
	       "legacy: nothing refuses the bind");
	is_int(reported(&x, DMO_VIOL_BUG, &msg), 1,
	       "legacy: the group notifier hits BUG_ON");
	is_str(msg, "dmo__vfio_bound_notify: BUG_ON: group 1 is in use by VFIO and b bound a driver that is not viable",
	       "legacy: BUG message");
	f = check(&x);
	is_int(f.n[DMO_VIOL_ISOLATION], 1, "legacy: isolation broken again");
	is_str(f.first[DMO_VIOL_ISOLATION],
	       "group 1: b does kernel DMA while VFIO holds the group (owner none)",
	       "legacy: isolation message");
	is_int(f.n[DMO_VIOL_ACCOUNTING], 0, "legacy: no accounting to check");
	fx_fini(&x);
}

static void test_v6(void)
{
	struct fx x;

	fx_init(&x, DMO_POLICY_V6);
	is_int(dmo_group_claim_dma_owner(x.w, x.g1, x.u1), 0, "v6: claim");
	is_int(dmo_group_claim_dma_owner(x.w, x.g1, x.u1), 0,
	       "v6: the same owner nests");
	group_is(&x, "u1", 2, "v6: nested");
	is_int(dmo_group_claim_dma_owner(x.w, x.g1, x.u2), -EPERM,
	       "v6: another owner");
	is_int(dmo_world_check(x.w, true, NULL, NULL), 1,
	       "v6: owned on no domain");
	dmo_group_release_dma_owner(x.w, x.g1);
	group_is(&x, "u1", 1, "v6: one release leaves a count (C5)");
	is_int(dmo_device_bind(x.w, x.a, x.snd), -EBUSY,
	       "v6: still owned after one release");
	dmo_group_release_dma_owner(x.w, x.g1);
	group_is(&x, "none", 0, "v6: second release");
	is_int(dmo_device_bind(x.w, x.a, x.snd), 0, "v6: kernel driver");
	is_int(dmo_group_claim_dma_owner(x.w, x.g1, x.u1), -EPERM,
	       "v6: kernel users refuse a claim");
	is_int(reported(&x, DMO_VIOL_WARN, NULL), 0, "v6: no WARN");
	is_int(dmo_world_check(x.w, true, NULL, NULL), 0, "v6: consistent");
	fx_fini(&x);
}

static void test_recompute(void)
{
	struct fx x;
	struct found f;

	fx_init(&x, DMO_POLICY_RECOMPUTE);
	is_int(dmo_device_bind(x.w, x.a, x.snd), 0, "recompute: a snd_hda");
	is_int(dmo_device_bind(x.w, x.b, x.snd), 0, "recompute: b snd_hda");
	group_is(&x, "dma-api", 0, "recompute: kernel token, no count");
	is_int(dmo_vfio_group_open(x.w, x.g1), -EPERM,
	       "recompute: VFIO refused");
	is_int(dmo_device_unbind(x.w, x.a), 0, "recompute: unbind a");
	group_is(&x, "dma-api", 0, "recompute: b still maps to dma-api");
	is_int(dmo_device_unbind(x.w, x.b), 0, "recompute: unbind b");
	group_is(&x, "none", 0, "recompute: the walk dropped the owner");
	is_int(dmo_world_check(x.w, true, NULL, NULL), 0,
	       "recompute: consistent");

	is_int(dmo_vfio_group_open(x.w, x.g1), 0, "recompute: VFIO opens");
	group_is(&x, "vfio", 0, "recompute: VFIO owns");
	is_int(dmo_device_bind(x.w, x.a, x.snd), -EBUSY,
	       "recompute: kernel driver refused");
	is_int(dmo_device_bind(x.w, x.a, x.vfio), 0,
	       "recompute: a vfio-pci");
	is_int(dmo_device_unbind(x.w, x.a), 0, "recompute: unbind vfio-pci");
	group_is(&x, "vfio", 0, "recompute: the VFIO claim is a record");
	is_int(dmo_vfio_group_close(x.w, x.g1), 0, "recompute: VFIO closes");
	group_is(&x, "none", 0, "recompute: released");

	/* C4: two devices of one context, one released. */
	is_int(dmo_device_bind(x.w, x.a, x.vfio), 0, "recompute: a vfio-pci");
	is_int(dmo_device_bind(x.w, x.b, x.vfio), 0, "recompute: b vfio-pci");
	is_int(dmo_iommufd_bind(x.w, x.a, x.ctx), 0, "recompute: iommufd a");
	is_int(dmo_iommufd_bind(x.w, x.b, x.ctx), 0, "recompute: iommufd b");
	group_is(&x, "ctx", 0, "recompute: context owns");
	is_int(dmo_iommufd_unbind(x.w, x.a), 0, "recompute: unbind a");
	group_is(&x, "none", 0, "recompute: owner dropped while b is bound");
	f = check(&x);
	is_int(f.n[DMO_VIOL_ACCOUNTING], 1, "recompute: accounting broken");
	is_str(f.first[DMO_VIOL_ACCOUNTING],
	       "group 1: held by user space but owner none",
	       "recompute: accounting message");
	is_int(f.n[DMO_VIOL_ISOLATION], 0, "recompute: not yet isolation");
	is_int(dmo_device_bind(x.w, x.c, x.snd), 0,
	       "recompute: a kernel driver now binds");
	group_is(&x, "dma-api", 0, "recompute: kernel took the group");
	f = check(&x);
	is_int(f.n[DMO_VIOL_ISOLATION], 1, "recompute: isolation broken");
	is_str(f.first[DMO_VIOL_ISOLATION],
	       "group 1: c does kernel DMA while iommufd holds b (owner dma-api)",
	       "recompute: isolation message");
	is_int(reported(&x, DMO_VIOL_WARN, NULL), 0, "recompute: no WARN");
	fx_fini(&x);
}

static void test_no_probe_cleanup(void)
{
	struct fx x;
	struct found f;
	struct dmo_device_stats st;

	fx_init(&x, DMO_POLICY_NO_PROBE_CLEANUP);
	is_int(dmo_device_bind(x.w, x.a, x.bad), -ENXIO,
	       "no-probe-cleanup: probe fails");
	is_str(dmo_device_driver_name(x.a), "none",
	       "no-probe-cleanup: a unbound");
	group_is(&x, "none", 1, "no-probe-cleanup: the count leaks");
	dmo_device_get_stats(x.a, &st);
	is_int(st.configure_ok, 1, "no-probe-cleanup: configured");
	is_int(st.cleanup, 0, "no-probe-cleanup: never cleaned up");
	f = check(&x);
	is_int(f.n[DMO_VIOL_ACCOUNTING], 1,
	       "no-probe-cleanup: accounting broken");
	is_str(f.first[DMO_VIOL_ACCOUNTING],
	       "group 1: owner_cnt 1 but 0 kernel DMA users bound",
	       "no-probe-cleanup: accounting message");
	is_int(dmo_vfio_group_open(x.w, x.g1), -EPERM,
	       "no-probe-cleanup: VFIO locked out for good");
	fx_fini(&x);
}

int main(void)
{
	test_legacy();
	test_v6();
	test_recompute();
	test_no_probe_cleanup();
	return done_testing();
}
