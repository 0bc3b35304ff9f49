// SPDX-License-Identifier: MIT
/*
 * Replayed traces name pointers by the dmo_alloc() block they point into
 * (live, freed, or at an offset), print NULL as NULL, and leave every
 * other value hexadecimal: no heap address of this process reaches a
 * line that points into a block.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dmaown/explore.h"
#include "sync/sync.h"
#include "tap.h"

#define MAXL 32

struct t {
	void *slot;
	int x;
	/* Out. */
	char lines[MAXL][200];
	int nlines;
};

static void run(struct dmo_sync *s, void *arg)
{
	struct t *t = arg;
	char *drv = dmo_alloc(s, 32, "snd_hda");
	char *dev = dmo_alloc(s, 16, "device 0000:01:00.1");

	if (!drv || !dev)
		return;
	dmo_store_ptr(s, &t->slot, drv);
	dmo_store_ptr(s, &t->slot, drv + 8);
	(void)dmo_load_ptr(s, &t->slot);
	dmo_store_ptr(s, &t->slot, NULL);
	dmo_store_ptr(s, &t->slot, &t->x);
	dmo_store_int(s, &t->x, 5);
	dmo_free(s, drv);
	/* Only the value is a dangling pointer: nothing reads through it. */
	dmo_store_ptr(s, &t->slot, drv);
	dmo_store_ptr(s, &t->slot, drv + 4);
	dmo_store_ptr(s, &t->slot, dev);
}

static void on_step(void *arg, const struct dmo_step *st)
{
	struct t *t = arg;

	if (t->nlines < MAXL)
		snprintf(t->lines[t->nlines++], sizeof(t->lines[0]), "%s",
			 st->line);
}

static const struct dmo_program prog = { .run = run };

int main(void)
{
	static const char *const want[] = {
		"   0 main   alloc  snd_hda, 32 bytes   in -",
		"   1 main   alloc  device 0000:01:00.1, 16 bytes   in -",
		"   2 main   write  &t->slot = snd_hda   in run",
		"   3 main   write  &t->slot = snd_hda+8   in run",
		"   4 main   read   &t->slot == snd_hda+8   in run",
		"   5 main   write  &t->slot = NULL   in run",
		NULL,	/* &t->x: in no block, so an address */
		"   7 main   write  &t->x = 0x5   in run",
		"   8 main   free   snd_hda   in run",
		"   9 main   write  &t->slot = snd_hda (freed)   in run",
		"  10 main   write  &t->slot = snd_hda+4 (freed)   in run",
		"  11 main   write  &t->slot = device 0000:01:00.1   in run",
		"  12 main   end       in -",
	};
	const int n = (int)(sizeof(want) / sizeof(want[0]));
	static struct t t, u;
	char hex[64];

	is_int(dmo_explore_replay(&prog, &t, "0x13", on_step, NULL, &t), 0,
	       "the one schedule replays");
	is_int(t.nlines, n, "one line per step");
	for (int i = 0; i < n && i < t.nlines; i++) {
		if (want[i])
			is_str(t.lines[i], want[i], "step %d", i);
	}
	snprintf(hex, sizeof(hex),
		 "   6 main   write  &t->slot = 0x%" PRIxPTR "   in run",
		 (uintptr_t)&t.x);
	is_str(t.lines[6], hex, "a pointer into no block stays an address");

	/* A second explorer, with arenas of its own, prints the same lines. */
	is_int(dmo_explore_replay(&prog, &u, "0x13", on_step, NULL, &u), 0,
	       "it replays again");
	for (int i = 0; i < n && i < u.nlines; i++) {
		if (want[i])
			is_str(u.lines[i], t.lines[i], "step %d again", i);
	}
	is_int(dmo_explore_replay(&prog, &u, "0x12", NULL, NULL, NULL),
	       -EINVAL, "a schedule one step short does not fit");
	return done_testing();
}
