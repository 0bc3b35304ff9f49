// SPDX-License-Identifier: MIT
/*
 * Fault sweep: fail the 1st, 2nd, ... fault point (blocking-domain
 * allocations and driver probes) of a script that sets up and tears down
 * every kind of ownership, until a run reaches no failing point.  After
 * each run every group must be back at its baseline, every successful
 * dma_configure matched by one dma_cleanup, no invariant broken, no WARN;
 * ASan's leak checker (make check) covers the memory.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "dmaown.h"
#include "tap.h"

struct run {
	struct dmo_sync *s;
	struct dmo_world *w;
};

static void build(struct run *r, int n)
{
	struct dmo_world *w;
	struct dmo_bus *pci;
	struct dmo_group *g1, *g2;
	struct dmo_device *a, *b, *c, *d;
	struct dmo_driver *vfio, *snd, *later;

	r->s = dmo_sync_pthread_create(7);
	w = r->w = dmo_world_create(r->s, DMO_POLICY_UPSTREAM);
	pci = dmo_bus_add(w, "pci", true);
	vfio = dmo_driver_add(w, "vfio-pci", pci, true, DMO_PROBE_OK);
	snd = dmo_driver_add(w, "snd_hda", pci, false, DMO_PROBE_OK);
	later = dmo_driver_add(w, "later", pci, false, DMO_PROBE_OK);
	g1 = dmo_group_add(w, 1);
	g2 = dmo_group_add(w, 2);
	a = dmo_device_add(w, "a", pci, g1);
	b = dmo_device_add(w, "b", pci, g1);
	c = dmo_device_add(w, "c", pci, g2);
	d = dmo_device_add(w, "d", pci, g2);
	dmo_device_add_match(c, later);
	dmo_device_add_match(d, snd);
	(void)vfio;
	(void)a;
	(void)b;
	bool reg[] = { true, true, false };
	bool present[] = { true, true, true, false };
	dmo_world_fail_nth(w, n);
	dmo_world_start(w, reg, present);
}

/* Every operation undone, whatever failed; returns how many failed. */
static int script(struct run *r)
{
	struct dmo_world *w = r->w;
	struct dmo_group *g1 = dmo_world_group(w, 1);
	struct dmo_group *g2 = dmo_world_group(w, 2);
	struct dmo_device *a = dmo_world_device(w, "a");
	struct dmo_device *b = dmo_world_device(w, "b");
	struct dmo_device *c = dmo_world_device(w, "c");
	struct dmo_device *d = dmo_world_device(w, "d");
	struct dmo_driver *vfio = dmo_world_driver(w, "vfio-pci");
	struct dmo_driver *snd = dmo_world_driver(w, "snd_hda");
	struct dmo_driver *later = dmo_world_driver(w, "later");
	const void *ctx = dmo_owner_get(w, "ctx");
	int failed = 0, ret;
	bool bound;

	/* Without a's VFIO device the group has no file: no second failure. */
	bound = dmo_device_bind(w, a, vfio) == 0;
	failed += !bound;
	ret = dmo_vfio_group_open(w, g1);
	failed += bound && ret != 0;
	ret = dmo_device_bind(w, b, snd);
	failed += ret != -EBUSY && ret != 0;
	dmo_vfio_group_close(w, g1);
	dmo_device_unbind(w, b);
	failed += dmo_device_bind(w, b, snd) != 0;
	/* From 6.6 iommufd binds a VFIO device's cdev. */
	bound = dmo_device_bind(w, c, vfio) == 0;
	failed += !bound;
	ret = dmo_iommufd_bind(w, c, ctx);
	failed += bound && ret != 0;
	dmo_iommufd_unbind(w, c);
	dmo_device_unbind(w, c);
	dmo_device_set_override(w, c, NULL);
	dmo_driver_register(w, later);
	failed += dmo_device_hotplug(w, d) != 0;
	failed += strcmp(dmo_device_driver_name(d), "snd_hda") != 0;
	failed += dmo_device_unplug(w, d) != 0;
	dmo_driver_unregister(w, later);
	failed += dmo_group_claim_dma_owner(w, g2, ctx) != 0;
	dmo_group_release_dma_owner(w, g2);
	dmo_device_unbind(w, a);
	dmo_device_unbind(w, b);
	return failed;
}

static void finish(struct run *r, int n)
{
	struct dmo_world *w = r->w;

	for (int i = 0; i < dmo_world_nr_groups(w); i++) {
		struct dmo_group *g = dmo_world_group_at(w, i);

		is_str(dmo_owner_name(w, dmo_group_owner(g)), "none",
		       "n=%d: group %d owner back to none", n, dmo_group_id(g));
		is_int(dmo_group_owner_cnt(g), 0,
		       "n=%d: group %d owner_cnt back to 0", n,
		       dmo_group_id(g));
	}
	for (int i = 0; i < dmo_world_nr_devices(w); i++) {
		struct dmo_device *dev = dmo_world_device_at(w, i);
		struct dmo_device_stats st;

		dmo_device_get_stats(dev, &st);
		is_int(st.configure_ok, st.cleanup,
		       "n=%d: %s configure_ok == cleanup", n,
		       dmo_device_name(dev));
		is_str(dmo_device_driver_name(dev), "none", "n=%d: %s unbound",
		       n, dmo_device_name(dev));
	}
	is_int(dmo_world_check(w, true, NULL, NULL), 0,
	       "n=%d: no invariant broken", n);
	is_int(dmo_sync_pthread_reported(r->s, DMO_VIOL_WARN, NULL), 0,
	       "n=%d: no WARN", n);
	dmo_world_destroy(w);
	dmo_sync_pthread_destroy(r->s);
}

int main(void)
{
	int n, seen;

	for (n = 1;; n++) {
		struct run r;
		int failed;

		build(&r, n);
		failed = script(&r);
		seen = dmo_world_faults_seen(r.w);
		if (seen < n) {
			is_int(failed, 0, "n=%d: past the last fault point",
			       n);
			finish(&r, n);
			break;
		}
		ok(failed <= 1, "n=%d: at most the faulted op fails (%d)", n,
		   failed);
		ok(seen >= n, "n=%d: the fault point was reached", n);
		finish(&r, n);
	}
	/*
	 * bind a, open g1's blocking domain, bind b, bind c, c's iommufd
	 * claim makes g2's blocking domain, probe c at register, probe d at
	 * hotplug.
	 */
	is_int(n, 8, "seven fault points swept");
	return done_testing();
}
