// SPDX-License-Identifier: MIT
/*
 * Real threads over one upstream world: every thread runs random
 * operations (binds, unbinds, attaches, VFIO opens and closes, iommufd
 * binds, claims, driver loads and unloads); afterwards everything is
 * undone and the world must be consistent, with no WARN and no BUG.
 * TSan (make test-tsan) judges the locking; ASan the driver lifetime.
 * DMAOWN_SEED=N reruns one seed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <time.h>

#include "dmaown.h"
#include "sync/sync.h"
#include "tap.h"

#define NR_THREADS 8
#define NR_OPS 2000

struct shared {
	struct dmo_world *w;
	struct dmo_device *devs[7];
	struct dmo_driver *drvs[6];
	struct dmo_group *groups[3];
	struct dmo_driver *later;
	struct dmo_device *lone;
	const void *ctx[2];
};

struct worker {
	struct shared *sh;
	uint64_t rng;
	const void *token;
	int bad;		/* return codes outside the documented set */
	int last_bad_op, last_bad_ret;
};

static uint64_t next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static int pick(struct worker *wk, int n)
{
	return (int)(next(&wk->rng) % (uint64_t)n);
}

static bool in(int ret, const int *set, int n)
{
	for (int i = 0; i < n; i++)
		if (set[i] == ret)
			return true;
	return false;
}

#define EXPECT(wk, op, ret, ...) \
	do { \
		static const int set_[] = { __VA_ARGS__ }; \
		if (!in((ret), set_, (int)(sizeof(set_) / sizeof(set_[0])))) { \
			(wk)->bad++; \
			(wk)->last_bad_op = (op); \
			(wk)->last_bad_ret = (ret); \
		} \
	} while (0)

static void body(struct dmo_sync *s, void *arg)
{
	struct worker *wk = arg;
	struct shared *sh = wk->sh;
	struct dmo_world *w = sh->w;
	struct dmo_group *held_group = NULL;
	struct dmo_device *held_dev = NULL;
	int ret;

	(void)s;
	for (int i = 0; i < NR_OPS; i++) {
		int op = pick(wk, 12);
		struct dmo_device *dev = sh->devs[pick(wk, 7)];
		struct dmo_group *g = sh->groups[pick(wk, 3)];

		switch (op) {
		case 0:
		case 1:
			ret = dmo_device_bind(w, dev, sh->drvs[pick(wk, 6)]);
			/* -EINVAL: vfio-pci on the device with no group. */
			EXPECT(wk, op, ret, 0, -EBUSY, -ENXIO, -ENODEV,
			       -EINVAL);
			break;
		case 2:
			ret = dmo_device_unbind(w, dev);
			EXPECT(wk, op, ret, 0, -ENODEV);
			break;
		case 3:
			ret = dmo_device_attach(w, dev);
			EXPECT(wk, op, ret, 1, 0, -EBUSY, -ENODEV);
			break;
		case 4:
			ret = dmo_vfio_group_open(w, g);
			EXPECT(wk, op, ret, 0, -EBUSY, -EPERM, -ENOENT,
			       -ENODEV);
			break;
		case 5:
			ret = dmo_vfio_group_close(w, g);
			EXPECT(wk, op, ret, 0, -ENODEV);
			break;
		case 6:
			ret = dmo_iommufd_bind(w, dev, sh->ctx[pick(wk, 2)]);
			EXPECT(wk, op, ret, 0, -EBUSY, -EPERM, -EINVAL,
			       -ENOENT);
			break;
		case 7:
			ret = dmo_iommufd_unbind(w, dev);
			EXPECT(wk, op, ret, 0, -ENODEV);
			break;
		case 8:
			if (held_group) {
				dmo_group_release_dma_owner(w, held_group);
				held_group = NULL;
				break;
			}
			if (held_dev)
				break;
			ret = dmo_group_claim_dma_owner(w, g, wk->token);
			EXPECT(wk, op, ret, 0, -EPERM);
			if (!ret)
				held_group = g;
			break;
		case 9:
			if (held_dev) {
				dmo_device_release_dma_owner(w, held_dev);
				held_dev = NULL;
				break;
			}
			/*
			 * One claim at a time: a group release drops every
			 * count, device claims of the same owner included.
			 */
			if (held_group)
				break;
			ret = dmo_device_claim_dma_owner(w, dev, wk->token);
			EXPECT(wk, op, ret, 0, -EPERM, -ENODEV);
			if (!ret)
				held_dev = dev;
			break;
		case 10:
			if (pick(wk, 2))
				ret = dmo_driver_register(w, sh->later);
			else
				ret = dmo_driver_unregister(w, sh->later);
			EXPECT(wk, op, ret, 0, -EBUSY, -ENODEV);
			break;
		case 11:
			if (pick(wk, 2))
				ret = dmo_device_hotplug(w, sh->lone);
			else
				ret = dmo_device_unplug(w, sh->lone);
			EXPECT(wk, op, ret, 0, -EEXIST, -ENODEV);
			dmo_group_dma_owner_claimed(w, g);
			break;
		}
	}
	if (held_group)
		dmo_group_release_dma_owner(w, held_group);
	if (held_dev)
		dmo_device_release_dma_owner(w, held_dev);
}

int main(void)
{
	const char *env = getenv("DMAOWN_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);
	struct dmo_sync *s = dmo_sync_pthread_create(seed);
	struct dmo_thread *t[NR_THREADS];
	struct worker wk[NR_THREADS];
	struct shared sh;
	struct dmo_bus *pci;
	const char *msg;
	int bad = 0;

	diag("seed %" PRIu64 " (rerun with DMAOWN_SEED=%" PRIu64 ")", seed,
	     seed);
	sh.w = dmo_world_create(s, DMO_POLICY_UPSTREAM);
	pci = dmo_bus_add(sh.w, "pci", true);
	sh.drvs[0] = dmo_driver_add(sh.w, "vfio-pci", pci, true, DMO_PROBE_OK);
	sh.drvs[1] = dmo_driver_add(sh.w, "snd_hda", pci, false, DMO_PROBE_OK);
	sh.drvs[2] = dmo_driver_add(sh.w, "flaky", pci, false,
				    DMO_PROBE_MAYBE);
	sh.drvs[3] = dmo_driver_add(sh.w, "broken", pci, false,
				    DMO_PROBE_FAIL);
	sh.drvs[4] = dmo_driver_add(sh.w, "pci-stub", pci, true,
				    DMO_PROBE_OK);
	sh.drvs[5] = dmo_driver_add(sh.w, "later", pci, false, DMO_PROBE_OK);
	sh.later = sh.drvs[5];
	for (int i = 0; i < 3; i++)
		sh.groups[i] = dmo_group_add(sh.w, i + 1);
	static const int in_group[7] = { 0, 0, 0, 1, 1, 2, -1 };
	for (int i = 0; i < 7; i++) {
		char name[32];

		snprintf(name, sizeof(name), "0000:0%d:00.%d", in_group[i] + 1,
			 i);
		sh.devs[i] = dmo_device_add(sh.w, name, pci,
					    in_group[i] < 0 ? NULL :
					    sh.groups[in_group[i]]);
		dmo_device_add_match(sh.devs[i], sh.later);
		dmo_device_add_match(sh.devs[i], sh.drvs[i % 3]);
	}
	sh.lone = sh.devs[6];
	sh.ctx[0] = dmo_owner_get(sh.w, "ctx0");
	sh.ctx[1] = dmo_owner_get(sh.w, "ctx1");
	for (int i = 0; i < NR_THREADS; i++) {
		char name[16];

		snprintf(name, sizeof(name), "t%d", i);
		wk[i] = (struct worker){
			.sh = &sh,
			.token = dmo_owner_get(sh.w, name),
			.rng = seed * 2654435761u + (uint64_t)i + 1,
		};
	}
	is_int(dmo_world_start(sh.w, NULL, NULL), 0, "world starts");

	for (int i = 0; i < NR_THREADS; i++)
		is_int(dmo_thread_create(s, &t[i], "worker", body, &wk[i]), 0,
		       "thread %d starts", i);
	for (int i = 0; i < NR_THREADS; i++)
		dmo_thread_join(s, t[i]);
	for (int i = 0; i < NR_THREADS; i++) {
		if (wk[i].bad)
			diag("thread %d: op %d returned %d", i,
			     wk[i].last_bad_op, wk[i].last_bad_ret);
		bad += wk[i].bad;
	}
	is_int(bad, 0, "every return code documented");

	/* Undo everything. */
	for (int i = 0; i < 3; i++)
		dmo_vfio_group_close(sh.w, sh.groups[i]);
	for (int i = 0; i < 7; i++) {
		dmo_iommufd_unbind(sh.w, sh.devs[i]);
		dmo_device_unbind(sh.w, sh.devs[i]);
	}
	dmo_driver_unregister(sh.w, sh.later);
	for (int i = 0; i < 3; i++) {
		is_str(dmo_owner_name(sh.w, dmo_group_owner(sh.groups[i])),
		       "none", "group %d: owner none", i + 1);
		is_int(dmo_group_owner_cnt(sh.groups[i]), 0,
		       "group %d: owner_cnt 0", i + 1);
	}
	for (int i = 0; i < 7; i++) {
		struct dmo_device_stats st;

		dmo_device_get_stats(sh.devs[i], &st);
		is_int(st.configure_ok, st.cleanup,
		       "%s: configure_ok == cleanup",
		       dmo_device_name(sh.devs[i]));
		diag("%s: %d configures, %d refused",
		     dmo_device_name(sh.devs[i]), st.configure_ok,
		     st.configure_err);
	}
	is_int(dmo_world_check(sh.w, true, NULL, NULL), 0,
	       "world consistent at the end");
	for (int k = 0; k < DMO_VIOL_NR; k++) {
		is_int(dmo_sync_pthread_reported(s, k, &msg), 0,
		       "no %s reported", dmo_viol_kind_name(k));
		if (msg)
			diag("first %s: %s", dmo_viol_kind_name(k), msg);
	}
	dmo_world_destroy(sh.w);
	dmo_sync_pthread_destroy(s);
	return done_testing();
}
