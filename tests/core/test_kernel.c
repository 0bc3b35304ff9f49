// SPDX-License-Identifier: MIT
/*
 * Kernel versions as data: every change lands in a modelled version and
 * names a commit; a version has exactly the changes of its own and older
 * releases; a running kernel's release maps to the newest modelled version
 * not newer than it; designs say where they apply and worlds refuse the
 * rest.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "dmaown.h"
#include "tap.h"

static void test_table(void)
{
	int n = dmo_kernel_count();

	ok(n >= 14, "the model knows %d versions", n);
	is_str(dmo_kernel_name(dmo_kernel_at(0)), "5.18", "oldest is 5.18");
	ok(dmo_kernel_at(n - 1) == dmo_kernel_newest(), "newest is last");
	is_str(dmo_kernel_name(dmo_kernel_newest()), "6.17",
	       "newest is 6.17");
	ok(dmo_kernel_at(n) == NULL && dmo_kernel_at(-1) == NULL,
	   "out of range gives NULL");
	for (int i = 0; i + 1 < n; i++)
		ok(dmo_kernel_cmp(dmo_kernel_at(i), dmo_kernel_at(i + 1)) < 0,
		   "%s is older than %s", dmo_kernel_name(dmo_kernel_at(i)),
		   dmo_kernel_name(dmo_kernel_at(i + 1)));
	for (int i = 0; i < n; i++)
		ok(dmo_kernel_find(dmo_kernel_name(dmo_kernel_at(i))) ==
			   dmo_kernel_at(i),
		   "find %s", dmo_kernel_name(dmo_kernel_at(i)));
	ok(dmo_kernel_find("6.8") == NULL, "6.8 is not modelled");
	for (int c = 0; c < DMO_CHG_NR; c++) {
		const struct dmo_kernel *k = dmo_change_kernel(c);

		ok(k != NULL, "%s lands in a modelled version (%s)",
		   dmo_change_name(c), dmo_kernel_name(k));
		is_int((int)strspn(dmo_change_commit(c), "0123456789abcdef"),
		       12, "%s names a 12-digit commit", dmo_change_name(c));
		ok(strlen(dmo_change_subject(c)) > 8 &&
			   strlen(dmo_change_summary(c)) > 8,
		   "%s has a subject and a summary", dmo_change_name(c));
		for (int i = 0; i < n; i++) {
			const struct dmo_kernel *v = dmo_kernel_at(i);

			if (dmo_kernel_has(v, c) != (dmo_kernel_cmp(v, k) >= 0))
				ok(0, "%s at %s", dmo_change_name(c),
				   dmo_kernel_name(v));
		}
	}
	ok(!dmo_kernel_has(dmo_kernel_find("5.18"), DMO_CHG_DMA_OWNER),
	   "5.18 has no ownership");
	ok(dmo_kernel_has(dmo_kernel_find("5.19"), DMO_CHG_DMA_OWNER),
	   "5.19 has it");
	ok(dmo_kernel_has(dmo_kernel_find("6.2-rc1"), DMO_CHG_DEVICE_OWNER) &&
		   !dmo_kernel_has(dmo_kernel_find("6.2-rc1"),
				   DMO_CHG_CLAIM_REF_FIX),
	   "6.2-rc1: device claims, the leak not yet fixed");
	ok(dmo_kernel_has(dmo_kernel_find("6.15-rc1"),
			  DMO_CHG_IOMMU_PROBE_CONFIGURE) &&
		   !dmo_kernel_has(dmo_kernel_find("6.15-rc1"),
				   DMO_CHG_PLATFORM_SNAPSHOT),
	   "6.15-rc1: IOMMU-layer configure, no platform fix yet");
	ok(!dmo_kernel_has(NULL, DMO_CHG_DMA_OWNER), "no version, no change");
	is_int(dmo_config_parse("DEBUG_TEST_DRIVER_REMOVE"),
	       DMO_CONFIG_DEBUG_TEST_DRIVER_REMOVE, "config by name");
	is_int(dmo_config_parse("CONFIG_DEBUG_TEST_DRIVER_REMOVE"), -1,
	       "config names go without CONFIG_");
	is_str(dmo_config_name(DMO_CONFIG_NR), "?", "unknown config");
}

static void release_is(const char *release, const char *want)
{
	const struct dmo_kernel *k = dmo_kernel_for_release(release);

	is_str(k ? dmo_kernel_name(k) : NULL, want, "release %s", release);
}

static void test_releases(void)
{
	release_is("6.8.0-45-generic", "6.7");
	release_is("6.1.0", "6.1");
	release_is("6.2-rc3", "6.2-rc1");
	release_is("6.2-rc4+", "6.2-rc1");
	release_is("6.2", "6.2");
	release_is("6.15-rc5", "6.15-rc1");
	release_is("6.15.3", "6.15");
	release_is("6.16", "6.15");
	release_is("6.18.1", "6.17");
	release_is("7.0", "6.17");
	release_is("5.19.17", "5.19");
	release_is("5.10.0", "5.18");
	release_is("4.19", "5.18");
	release_is("6", NULL);
	release_is("linux", NULL);
	release_is("", NULL);
	ok(dmo_kernel_has(dmo_kernel_for_release("6.8.0-45-generic"),
			  DMO_CHG_DMA_OWNER),
	   "a 6.8 host has the ownership series");
	ok(!dmo_kernel_has(dmo_kernel_for_release("5.15.0-91-generic"),
			   DMO_CHG_DMA_OWNER),
	   "a 5.15 host has VFIO's viability check");
}

static void test_policies(void)
{
	const struct dmo_kernel *k518 = dmo_kernel_find("5.18");
	const struct dmo_kernel *k61 = dmo_kernel_find("6.1");
	struct dmo_sync *s = dmo_sync_pthread_create(1);
	struct dmo_world *w;

	ok(dmo_policy_applies(DMO_POLICY_LEGACY, k518), "legacy at 5.18");
	ok(!dmo_policy_applies(DMO_POLICY_LEGACY, k61), "not legacy at 6.1");
	ok(!dmo_policy_applies(DMO_POLICY_UPSTREAM, k518),
	   "not upstream at 5.18");
	ok(dmo_policy_applies(DMO_POLICY_V6, k61), "v6 at 6.1");
	ok(!dmo_policy_applies(DMO_POLICY_NR, k61), "no such policy");
	ok(dmo_policy_kernel(DMO_POLICY_LEGACY) == k518, "legacy runs at 5.18");
	ok(dmo_policy_kernel(DMO_POLICY_RECOMPUTE) == dmo_kernel_newest(),
	   "recompute at the newest");

	w = dmo_world_create(s, DMO_POLICY_LEGACY);
	ok(dmo_world_kernel(w) == k518, "a legacy world is 5.18");
	is_int(dmo_world_set_kernel(w, k61), -EINVAL,
	       "a legacy world refuses 6.1");
	dmo_world_destroy(w);
	w = dmo_world_create(s, DMO_POLICY_UPSTREAM);
	ok(dmo_world_kernel(w) == dmo_kernel_newest(),
	   "an upstream world starts at the newest");
	is_int(dmo_world_set_kernel(w, k518), -EINVAL,
	       "an upstream world refuses 5.18");
	is_int(dmo_world_set_kernel(w, k61), 0, "and takes 6.1");
	ok(dmo_world_kernel(w) == k61, "now 6.1");
	is_int(dmo_world_set_config(w, DMO_CONFIG_NR, true), -EINVAL,
	       "unknown config");
	is_int(dmo_world_set_config(w, DMO_CONFIG_DEBUG_TEST_DRIVER_REMOVE,
				    true),
	       0, "config set");
	is_int(dmo_world_start(w, NULL, NULL), 0, "start");
	is_int(dmo_world_set_kernel(w, dmo_kernel_newest()), -EBUSY,
	       "too late to change the kernel");
	is_int(dmo_world_set_config(w, DMO_CONFIG_DEBUG_TEST_DRIVER_REMOVE,
				    false),
	       -EBUSY, "too late to change the config");
	dmo_world_destroy(w);
	dmo_sync_pthread_destroy(s);
}

int main(void)
{
	test_table();
	test_releases();
	test_policies();
	return done_testing();
}
