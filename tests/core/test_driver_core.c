// SPDX-License-Identifier: MIT
/*
 * The driver core's paths into probe on one thread (drivers/base/dd.c,
 * bus.c): matching and driver_override on every path, bind_store() and
 * drivers_probe's return codes, device_attach() stopping at a core error,
 * the deferred-probe retry, and CONFIG_DEBUG_TEST_DRIVER_REMOVE before
 * and after 0d5df49d0989.
 */
#include <errno.h>
#include <stdbool.h>

#include "dmaown.h"
#include "tap.h"

struct fx {
	struct dmo_sync *s;
	struct dmo_world *w;
	struct dmo_bus *pci, *plat;
	struct dmo_driver *snd, *vfio, *bad, *nvme, *dwc;
	struct dmo_group *g1, *g2, *g3;
	struct dmo_device *a, *b, *c, *d, *e, *p;
};

static void fx_init(struct fx *x, const char *kernel, bool test_remove)
{
	x->s = dmo_sync_pthread_create(5);
	x->w = dmo_world_create(x->s, DMO_POLICY_UPSTREAM);
	is_int(dmo_world_set_kernel(x->w, dmo_kernel_find(kernel)), 0,
	       "kernel %s", kernel);
	dmo_world_set_config(x->w, DMO_CONFIG_DEBUG_TEST_DRIVER_REMOVE,
			     test_remove);
	x->pci = dmo_bus_add(x->w, "pci", true);
	x->plat = dmo_bus_add(x->w, "platform", true);
	x->bad = dmo_driver_add(x->w, "broken", x->pci, false,
				DMO_PROBE_FAIL);
	x->snd = dmo_driver_add(x->w, "snd_hda", x->pci, false, DMO_PROBE_OK);
	x->vfio = dmo_driver_add(x->w, "vfio-pci", x->pci, true,
				 DMO_PROBE_OK);
	x->nvme = dmo_driver_add(x->w, "nvme", x->pci, false, DMO_PROBE_OK);
	x->dwc = dmo_driver_add(x->w, "dwc3", x->plat, false, DMO_PROBE_OK);
	x->g1 = dmo_group_add(x->w, 1);
	x->g2 = dmo_group_add(x->w, 2);
	x->g3 = dmo_group_add(x->w, 3);
	dmo_group_set_nodefault(x->g3);
	x->a = dmo_device_add(x->w, "a", x->pci, x->g1);
	x->b = dmo_device_add(x->w, "b", x->pci, x->g1);
	x->c = dmo_device_add(x->w, "c", x->pci, x->g2);
	x->d = dmo_device_add(x->w, "d", x->pci, x->g2);
	x->e = dmo_device_add(x->w, "e", x->pci, x->g3);
	x->p = dmo_device_add(x->w, "p", x->plat, NULL);
	dmo_device_add_match(x->a, x->bad);
	dmo_device_add_match(x->a, x->snd);
	dmo_device_add_match(x->a, x->vfio);
	dmo_device_add_match(x->c, x->snd);
	dmo_device_add_match(x->e, x->nvme);
	ok(dmo_override_get(x->w, "none") != NULL, "an override token");
	is_int(dmo_world_start(x->w, NULL, NULL), 0, "world starts");
}

static void fx_fini(struct fx *x)
{
	dmo_world_destroy(x->w);
	dmo_sync_pthread_destroy(x->s);
}

static void test_matching(void)
{
	struct fx x;

	fx_init(&x, "6.17", false);
	is_int(dmo_device_sysfs_bind(x.w, x.b, x.snd), -ENODEV,
	       "sysfs bind: no match");
	is_int(dmo_device_sysfs_bind(x.w, x.p, x.snd), -ENODEV,
	       "sysfs bind: a device of another bus is not found");
	is_int(dmo_device_bind(x.w, x.p, x.snd), -ENODEV,
	       "bind: the override cannot make another bus's driver match");
	is_int(dmo_device_sysfs_bind(x.w, x.p, x.dwc), -ENODEV,
	       "and p's override now names snd_hda, blocking dwc3");
	is_int(dmo_device_set_override(x.w, x.p, NULL), 0, "clear it");
	is_int(dmo_device_bind(x.w, x.p, x.dwc), 0,
	       "bind writes its own override and binds");
	is_int(dmo_device_unbind(x.w, x.p), 0, "unbind p");

	is_int(dmo_device_attach(x.w, x.a), 1,
	       "attach: broken fails its probe, snd_hda binds next");
	is_str(dmo_device_driver_name(x.a), "snd_hda", "a: snd_hda");
	is_int(dmo_device_attach(x.w, x.a), 1, "attach: already bound");
	is_int(dmo_device_drivers_probe(x.w, x.a), 0,
	       "drivers_probe: a bound device is left alone");
	is_int(dmo_device_unbind(x.w, x.a), 0, "unbind a");

	is_int(dmo_device_set_override(x.w, x.a,
				       dmo_override_get(x.w, "vfio-pci")),
	       0, "a's override names vfio-pci");
	is_str(dmo_device_driver_name(x.a), "none",
	       "writing an override binds nothing");
	is_int(dmo_device_sysfs_bind(x.w, x.a, x.snd), -ENODEV,
	       "the override blocks snd_hda, which a's table lists");
	is_int(dmo_device_attach(x.w, x.a), 1, "attach binds the override");
	is_str(dmo_device_driver_name(x.a), "vfio-pci", "a: vfio-pci");
	is_int(dmo_device_unbind(x.w, x.a), 0, "unbind a");
	is_int(dmo_device_drivers_probe(x.w, x.a), 0,
	       "the override survives unbind: drivers_probe");
	is_str(dmo_device_driver_name(x.a), "vfio-pci", "a: vfio-pci again");
	is_int(dmo_device_unbind(x.w, x.a), 0, "unbind a");
	is_int(dmo_device_set_override(x.w, x.a, dmo_override_get(x.w, "none")),
	       0, "an override naming no driver");
	is_int(dmo_device_attach(x.w, x.a), 0, "attach: nothing matches");
	is_str(dmo_device_driver_name(x.a), "none", "a stays driverless");
	ok(dmo_override_get(x.w, "none") == dmo_override_get(x.w, "none"),
	   "one token per name");
	ok(dmo_override_get(x.w, "a-new-name") == NULL,
	   "no new name once started");

	is_int(dmo_group_claim_dma_owner(x.w, x.g2, dmo_owner_get(x.w, "u")),
	       0, "claim g2");
	is_int(dmo_device_attach(x.w, x.c), -EBUSY,
	       "attach: dma_configure's -EBUSY stops the walk");
	is_int(dmo_device_drivers_probe(x.w, x.c), -EINVAL,
	       "drivers_probe: any attach error is -EINVAL");
	is_int(dmo_device_drivers_probe(x.w, x.d), 0,
	       "drivers_probe: nothing matches, nothing bound, 0");
	is_int(dmo_device_driver_attach(x.w, x.d, x.snd), -EBUSY,
	       "device_driver_attach: no match needed, the owner refuses");
	is_int(dmo_device_driver_attach(x.w, x.d, x.vfio), 0,
	       "a managed driver binds in the owned group");
	is_int(dmo_device_driver_attach(x.w, x.d, x.snd), -EBUSY,
	       "a bound device is busy");
	fx_fini(&x);
}

static void test_deferral(void)
{
	struct fx x;
	struct dmo_device_stats st;

	fx_init(&x, "6.17", false);
	is_int(dmo_device_sysfs_bind(x.w, x.e, x.nvme), -EAGAIN,
	       "sysfs bind: -EPROBE_DEFER reaches user space as -EAGAIN");
	dmo_device_get_stats(x.e, &st);
	is_int(st.configure_err, 1, "one refused configure");
	is_int(dmo_device_bind(x.w, x.c, x.snd), 0,
	       "a bind elsewhere: the sysfs bind did not defer e");
	dmo_device_get_stats(x.e, &st);
	is_int(st.configure_err, 1, "so nothing retried it");
	is_int(dmo_device_attach(x.w, x.e), -DMO_EPROBE_DEFER,
	       "device_attach: -EPROBE_DEFER, e is deferred");
	dmo_device_get_stats(x.e, &st);
	is_int(st.configure_err, 2, "two refused configures");
	is_int(dmo_device_bind(x.w, x.b, x.snd), 0,
	       "a successful bind triggers the deferred probes");
	dmo_device_get_stats(x.e, &st);
	is_int(st.configure_err, 3, "e was probed again (and deferred again)");
	is_int(dmo_device_bind(x.w, x.d, x.snd), 0, "one more bind");
	dmo_device_get_stats(x.e, &st);
	is_int(st.configure_err, 4, "and e once more");
	is_int(dmo_sync_pthread_reported(x.s, DMO_VIOL_WARN, NULL), 0,
	       "no WARN");
	fx_fini(&x);
}

static void test_remove_config(const char *kernel, int cnt_bound,
			       int cnt_after)
{
	struct fx x;
	struct dmo_device_stats st;

	fx_init(&x, kernel, true);
	is_int(dmo_device_bind(x.w, x.c, x.snd), 0, "%s: bind", kernel);
	is_int(dmo_group_owner_cnt(x.g2), cnt_bound, "%s: owner_cnt bound",
	       kernel);
	dmo_device_get_stats(x.c, &st);
	is_int(st.configure_ok, 2, "%s: configured twice", kernel);
	is_int(st.cleanup, cnt_bound == 1 ? 1 : 0,
	       "%s: the test remove cleaned up", kernel);
	is_int(dmo_device_unbind(x.w, x.c), 0, "%s: unbind", kernel);
	is_int(dmo_group_owner_cnt(x.g2), cnt_after, "%s: owner_cnt after",
	       kernel);
	is_int(dmo_world_check(x.w, true, NULL, NULL), cnt_after ? 1 : 0,
	       "%s: the count is %s", kernel,
	       cnt_after ? "off by one" : "right");
	fx_fini(&x);
}

int main(void)
{
	test_matching();
	test_deferral();
	test_remove_config("6.5", 2, 1);
	test_remove_config("6.6", 1, 0);
	return done_testing();
}
