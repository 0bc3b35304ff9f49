// SPDX-License-Identifier: MIT
/*
 * The scenario parser: the example of SCENARIO.md parses to exactly the
 * structure it describes; every class of malformed input gives exactly one
 * well-formed error line; no prefix of a valid file and no file of the
 * fuzz corpus or of the bundled corpus crashes it.
 */
#include <dirent.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dmaown.h"
#include "scenario/scenario.h"
#include "tap.h"

static const char example[] =
	"test vfio-sibling-bind\n"
	"\"A kernel driver binds to a sibling while VFIO opens the group\"\n"
	"\n"
	"bus pci\n"
	"driver vfio-pci pci managed_dma\n"
	"driver snd_hda pci\n"
	"device 0000:01:00.0 pci group 1 bound vfio-pci\n"
	"device 0000:01:00.1 pci group 1\n"
	"\n"
	"thread P0 {\n"
	"  r0 = vfio_open 1\n"
	"}\n"
	"thread P1 {\n"
	"  r0 = bind 0000:01:00.1 snd_hda\n"
	"}\n"
	"\n"
	"exists (P0:r0 == 0 /\\ P1:r0 == 0)\n"
	"expect upstream Never\n"
	"expect legacy violation bug\n";

static void test_example(void)
{
	struct dmo_scenario *sc = NULL;
	char err[512] = "";
	const struct dmo_sc_cond *c;
	int ret;

	ret = dmo_scenario_parse_buffer("ex.own", example, strlen(example),
					&sc, err, sizeof(err));
	is_int(ret, 0, "the SCENARIO.md example parses");
	is_str(err, "", "no error message");
	if (!sc)
		return;
	is_str(dmo_scenario_name(sc), "vfio-sibling-bind", "test name");
	is_str(sc->path, "ex.own", "path kept");
	is_str(sc->description,
	       "A kernel driver binds to a sibling while VFIO opens the group",
	       "description without quotes");
	is_int(dmo_scenario_policy(sc), -1, "no policy line");

	is_int(sc->nr_buses, 1, "one bus");
	is_str(sc->buses[0].name, "pci", "bus name");
	is_int(sc->buses[0].nodma, 0, "bus has dma callbacks");
	is_int(sc->buses[0].loc.line, 4, "bus line");
	is_int(sc->buses[0].loc.col, 5, "bus column");

	is_int(sc->nr_drivers, 2, "two drivers");
	is_str(sc->drivers[0].name, "vfio-pci", "driver 0");
	is_int(sc->drivers[0].bus, 0, "driver 0 on pci");
	is_int(sc->drivers[0].managed_dma, 1, "vfio-pci managed_dma");
	is_int(sc->drivers[0].probe, DMO_PROBE_OK, "vfio-pci probe ok");
	is_int(sc->drivers[0].unloaded, 0, "vfio-pci loaded");
	is_str(sc->drivers[1].name, "snd_hda", "driver 1");
	is_int(sc->drivers[1].managed_dma, 0, "snd_hda kernel DMA");

	is_int(sc->nr_groups, 1, "one group");
	is_int(sc->groups[0].id, 1, "group id 1");
	is_int(sc->groups[0].nodefault, 0, "group has a default domain");
	is_int(sc->groups[0].loc.line, 7, "group declared by first device");

	is_int(sc->nr_devices, 2, "two devices");
	is_str(sc->devices[0].name, "0000:01:00.0", "device 0");
	is_int(sc->devices[0].bus, 0, "device 0 bus");
	is_int(sc->devices[0].group, 0, "device 0 group index");
	is_int(sc->devices[0].bound, 0, "device 0 bound to vfio-pci");
	is_int(sc->devices[0].absent, 0, "device 0 present");
	is_int(sc->devices[0].nr_match, 0, "device 0 no match list");
	is_str(sc->devices[1].name, "0000:01:00.1", "device 1");
	is_int(sc->devices[1].group, 0, "device 1 group index");
	is_int(sc->devices[1].bound, -1, "device 1 unbound");

	is_int(sc->nr_owners, 0, "no owner names");
	is_int(sc->nr_threads, 2, "two threads");
	is_str(sc->threads[0].name, "P0", "thread 0");
	is_int(sc->threads[0].loc.line, 10, "thread 0 line");
	is_int(sc->threads[0].nr_stmts, 1, "P0 one statement");
	is_int(sc->threads[0].nr_regs, 1, "P0 one register");
	is_str(sc->threads[0].regs[0], "r0", "P0 register r0");
	is_int(sc->threads[0].stmts[0].op, DMO_OP_VFIO_OPEN, "P0 vfio_open");
	is_int(sc->threads[0].stmts[0].reg, 0, "P0 stores in r0");
	is_int(sc->threads[0].stmts[0].group, 0, "P0 group index");
	is_int(sc->threads[0].stmts[0].dev, -1, "P0 no device");
	is_int(sc->threads[0].stmts[0].drv, -1, "P0 no driver");
	is_int(sc->threads[0].stmts[0].loc.line, 11, "P0 statement line");
	is_int(sc->threads[0].stmts[0].loc.col, 3, "P0 statement column");
	is_str(sc->threads[1].name, "P1", "thread 1");
	is_int(sc->threads[1].stmts[0].op, DMO_OP_BIND, "P1 bind");
	is_int(sc->threads[1].stmts[0].dev, 1, "P1 binds device 1");
	is_int(sc->threads[1].stmts[0].drv, 1, "P1 binds snd_hda");
	is_int(sc->threads[1].stmts[0].group, -1, "P1 no group");
	is_int(sc->threads[1].stmts[0].owner, -1, "P1 no owner");

	is_int(sc->quant, DMO_QUANT_EXISTS, "exists");
	c = sc->cond;
	ok(c && c->kind == DMO_COND_AND, "condition is an AND");
	if (c && c->kind == DMO_COND_AND && c->left && c->right) {
		is_int(c->left->kind, DMO_COND_REG, "left is a register atom");
		is_int(c->left->thread, 0, "left: P0");
		is_int(c->left->reg, 0, "left: r0");
		is_int(c->left->value, 0, "left: == 0");
		is_int(c->left->negated, 0, "left: ==");
		is_int(c->right->kind, DMO_COND_REG,
		       "right is a register atom");
		is_int(c->right->thread, 1, "right: P1");
		is_int(c->right->reg, 0, "right: r0");
	}
	is_int(sc->nr_expects, 2, "two expect lines");
	is_int(sc->expects[0].policy, DMO_POLICY_UPSTREAM, "expect upstream");
	is_int(sc->expects[0].result, DMO_RES_NEVER, "... Never");
	is_int(sc->expects[0].loc.line, 18, "expect line");
	is_int(sc->expects[1].policy, DMO_POLICY_LEGACY, "expect legacy");
	is_int(sc->expects[1].result, DMO_RES_VIOLATION, "... violation");
	is_int(sc->expects[1].kind, DMO_VIOL_BUG, "... bug");
	dmo_scenario_free(sc);
}

/* Conditions: precedence, every atom, error names, special owners. */
static void test_conditions(void)
{
	static const char text[] =
		"bus pci\n"
		"driver d pci\n"
		"device a pci group 3 match d\n"
		"thread T:x {\n"
		" r = claim 3 ctx\n"
		"}\n"
		"thread Q {\n"
		" q = iommufd_bind a ctx2\n"
		"}\n"
		"forall ~T:x:r == -EPERM /\\ owner(3) != vfio \\/ "
		"owner_cnt(3) == 2 /\\ (driver(a) == d \\/ Q:q != -517)\n";
	struct dmo_scenario *sc = NULL;
	const struct dmo_sc_cond *c, *l, *r;
	char err[512] = "";
	int ret;

	ret = dmo_scenario_parse_buffer("dir/cond.own", text, strlen(text),
					&sc, err, sizeof(err));
	is_int(ret, 0, "conditions parse");
	is_str(err, "", "no error");
	if (!sc)
		return;
	is_str(dmo_scenario_name(sc), "cond", "name defaults to base name");
	is_int(sc->quant, DMO_QUANT_FORALL, "forall");
	is_int(sc->nr_owners, 3, "ctx, ctx2 and vfio stored");
	is_str(sc->owners[0], "ctx", "owner 0");
	is_str(sc->owners[1], "ctx2", "owner 1");
	is_str(sc->owners[2], "vfio", "special owner from the condition");
	is_int(sc->devices[0].nr_match, 1, "match list");
	c = sc->cond;
	/* \/ is loosest: OR(AND(NOT reg, owner), AND(cnt, OR(drv, reg))). */
	is_int(c->kind, DMO_COND_OR, "top is OR");
	l = c->left;
	r = c->right;
	is_int(l->kind, DMO_COND_AND, "left AND");
	is_int(l->left->kind, DMO_COND_NOT, "~ binds tightest");
	is_int(l->left->left->kind, DMO_COND_REG, "~ over a register");
	is_int(l->left->left->thread, 0, "thread with a colon in its name");
	is_int(l->left->left->value, -EPERM, "-EPERM");
	is_int(l->right->kind, DMO_COND_OWNER, "owner atom");
	is_int(l->right->negated, 1, "!=");
	is_int(l->right->owner, 2, "vfio index");
	is_int(r->kind, DMO_COND_AND, "right AND");
	is_int(r->left->kind, DMO_COND_OWNER_CNT, "owner_cnt atom");
	is_int(r->left->value, 2, "owner_cnt == 2");
	is_int(r->right->kind, DMO_COND_OR, "parenthesised OR");
	is_int(r->right->left->kind, DMO_COND_DRIVER, "driver atom");
	is_int(r->right->left->dev, 0, "driver(a)");
	is_int(r->right->left->drv, 0, "== d");
	is_int(r->right->right->value, -517, "plain integer");
	is_int(sc->threads[1].stmts[0].owner, 1, "iommufd_bind context");
	dmo_scenario_free(sc);
}

static const char prelude[] =
	"bus pci\n"
	"bus platform\n"
	"driver snd_hda pci\n"
	"driver gpu platform\n"
	"device 0000:01:00.2 pci group 1\n";

struct bad {
	const char *text;	/* appended to the prelude unless raw */
	bool raw;
	const char *want;
	size_t len;		/* of text, when it holds a NUL; 0: strlen */
};

static const struct bad bad[] = {
	{ "", true, "t.own:1:1: error: file is empty" },
	{ "bus pci\n\0x", true, "t.own:2:1: error: binary data (NUL byte)",
	  10 },
	{ "# only a comment\n", true,
	  "t.own:1:17: error: a file needs at least one thread" },
	{ "bus pci\ntest x\n", true,
	  "t.own:2:1: error: 'test' must be the first line" },
	{ "test x y\n", true,
	  "t.own:1:8: error: unexpected 'y' at end of line" },
	{ "\"lost\"\n", true,
	  "t.own:1:1: error: a description must come right after the 'test' line" },
	{ "test x\n\"open\n", true, "t.own:2:1: error: unterminated string" },
	{ "bus pci\nbus pci\n", true, "t.own:2:5: error: duplicate bus 'pci'" },
	{ "bus pci $\n", true, "t.own:1:9: error: unexpected character '$'" },
	{ "bus pci \x01\n", true, "t.own:1:9: error: unexpected byte 0x01" },
	{ "policy v7\n", true, "t.own:1:8: error: unknown policy 'v7'" },
	{ "policy v6\npolicy v6\n", true,
	  "t.own:2:1: error: duplicate 'policy' line" },
	{ "frobnicate\n", true,
	  "t.own:1:1: error: unknown keyword 'frobnicate'" },
	{ "driver d isa\n", true, "t.own:1:10: error: undeclared bus 'isa'" },
	{ "device snd_hda pci\ndevice snd_hda pci\n", false,
	  "t.own:7:8: error: duplicate device 'snd_hda'" },
	{ "device x platform bound snd_hda\n", false,
	  "t.own:6:25: error: driver 'snd_hda' is on bus 'pci', device 'x' on bus 'platform'" },
	{ "device x platform match gpu,snd_hda\n", false,
	  "t.own:6:29: error: driver 'snd_hda' is on bus 'pci', device 'x' on bus 'platform'" },
	{ "device x platform match gpu, gpu\n", false,
	  "t.own:6:30: error: driver 'gpu' listed twice in 'match'" },
	{ "device x platform bound nope\n", false,
	  "t.own:6:25: error: undeclared driver 'nope'" },
	{ "driver u platform unloaded\ndevice x platform bound u\n", false,
	  "t.own:7:25: error: driver 'u' is unloaded and cannot be bound at start" },
	{ "driver f platform probe=fail\ndevice x platform bound f\n", false,
	  "t.own:7:25: error: driver 'f' has probe=fail and cannot be bound at start" },
	{ "device x platform bound gpu absent\n", false,
	  "t.own:6:25: error: device 'x' is absent and cannot be bound at start" },
	{ "device x platform group one\n", false,
	  "t.own:6:25: error: expected a group number, got 'one'" },
	{ "device x platform group 99999999999\n", false,
	  "t.own:6:25: error: group number '99999999999' out of range" },
	{ "device x platform group 2 group 3\n", false,
	  "t.own:6:27: error: duplicate option 'group'" },
	{ "device x platform fast\n", false,
	  "t.own:6:19: error: unknown device option 'fast' (group, bound, override, bridge, absent, match)" },
	{ "driver f platform probe=often\n", false,
	  "t.own:6:25: error: unknown probe outcome 'often' (ok, fail or maybe)" },
	{ "driver f platform probe fail\n", false,
	  "t.own:6:25: error: expected '=' after 'probe', got 'fail'" },
	{ "driver f platform managed_dma managed_dma\n", false,
	  "t.own:6:31: error: duplicate option 'managed_dma'" },
	{ "group 1\n", false,
	  "t.own:6:7: error: duplicate group 1 (declared at line 5)" },
	{ "group 1 nodefault\ngroup 1 nodefault\n", false,
	  "t.own:7:7: error: duplicate group 1 (declared at line 5)" },
	{ "thread P0 {\n r0 = unbind 0000:01:00.9\n}\n", false,
	  "t.own:7:14: error: undeclared device '0000:01:00.9'" },
	{ "thread P0 {\n r0 = unbind snd_hda\n}\n", false,
	  "t.own:7:14: error: expected a device, got driver 'snd_hda'" },
	{ "thread P0 {\n load 0000:01:00.2\n}\n", false,
	  "t.own:7:7: error: expected a driver, got device '0000:01:00.2'" },
	{ "thread P0 {\n claim 0000:01:00.2 x\n}\n", false,
	  "t.own:7:8: error: expected a group number, got device '0000:01:00.2'" },
	{ "thread P0 {\n claim 7 x\n}\n", false,
	  "t.own:7:8: error: undeclared group 7" },
	{ "thread P0 {\n claim 1 vfio\n}\n", false,
	  "t.own:7:10: error: owner name 'vfio' is reserved for the library's own claims" },
	{ "thread P0 {\n r0 = bind 0000:01:00.2\n}\n", false,
	  "t.own:7:24: error: 'bind' needs a driver" },
	{ "thread P0 {\n unbind 0000:01:00.2 now\n}\n", false,
	  "t.own:7:22: error: unexpected 'now' at end of line" },
	{ "thread P0 {\n r0 = fly 1\n}\n", false,
	  "t.own:7:7: error: unknown operation 'fly'" },
	{ "thread P0 {\n r0 =\n}\n", false,
	  "t.own:7:6: error: expected an operation, got end of line" },
	{ "thread P0 {\n bus x\n}\n", false,
	  "t.own:7:2: error: declarations must come before the first thread" },
	{ "thread P0 {\n}\nbus x\n", false,
	  "t.own:8:1: error: declarations must come before the first thread" },
	{ "thread P0 {\n owned 1\n", false,
	  "t.own:7:9: error: expected '}' to close thread 'P0' opened at line 6" },
	{ "thread P0 {\n owned 1\nthread P1 {\n}\n", false,
	  "t.own:8:1: error: expected '}' to close thread 'P0' opened at line 6" },
	{ "thread P0 {\n}\nthread P0 {\n}\n", false,
	  "t.own:8:8: error: duplicate thread 'P0'" },
	{ "thread P0\n}\n", false,
	  "t.own:6:10: error: expected '{', got end of line" },
	{ "thread P0 { owned 1 }\n", false,
	  "t.own:6:13: error: unexpected 'owned' at end of line" },
	{ "expect ok\nthread P0 {\n}\n", false,
	  "t.own:6:1: error: 'expect' must come after the threads" },
	{ "~exists (0 == 0)\nthread P0 {\n}\n", false,
	  "t.own:6:1: error: the final condition must come after the threads" },
	{ "thread P0 {\n}\nexpect ok\nthread P1 {\n}\n", false,
	  "t.own:9:1: error: threads must come before the final condition and the expectations" },
	{ "thread P0 {\n r0 = owned 1\n}\nexists (P0:r3 == 0)\n", false,
	  "t.own:9:9: error: register 'r3' is never assigned in thread 'P0'" },
	{ "thread P0 {\n r0 = owned 1\n}\nexists (P9:r0 == 0)\n", false,
	  "t.own:9:9: error: undeclared thread 'P9'" },
	{ "thread P0 {\n r0 = owned 1\n}\nexists (P0:r0 == -EFOO)\n", false,
	  "t.own:9:18: error: unknown error name '-EFOO'" },
	{ "thread P0 {\n r0 = owned 1\n}\nexists (P0:r0 == 3000000000)\n",
	  false, "t.own:9:18: error: integer '3000000000' out of range" },
	{ "thread P0 {\n r0 = owned 1\n}\nexists (P0:r0 = 0)\n", false,
	  "t.own:9:15: error: expected '==' or '!=', got '='" },
	{ "thread P0 {\n r0 = owned 1\n}\nexists (P0:r0 == 0\n", false,
	  "t.own:9:19: error: expected ')' to close the '(' at column 8" },
	{ "thread P0 {\n r0 = owned 1\n}\nexists (P0:r0 == 0) junk\n", false,
	  "t.own:9:21: error: unexpected 'junk' at end of line" },
	{ "thread P0 {\n r0 = owned 1\n}\nexists (P0:r0 == 0 /\\)\n", false,
	  "t.own:9:22: error: expected a condition atom, got ')'" },
	{ "thread P0 {\n claim 1 x\n}\nexists (owner(1) == y)\n", false,
	  "t.own:9:21: error: unknown owner 'y' (no statement uses it; the library's own are vfio and dma-api)" },
	{ "thread P0 {\n claim 1 x\n}\nexists (owner(2) == x)\n", false,
	  "t.own:9:15: error: undeclared group 2" },
	{ "thread P0 {\n claim 1 x\n}\nexists (driver(snd_hda) == none)\n",
	  false, "t.own:9:16: error: expected a device, got driver 'snd_hda'" },
	{ "thread P0 {\n claim 1 x\n}\nexists (driver(0000:01:00.2) == gpx)\n",
	  false, "t.own:9:33: error: undeclared driver 'gpx'" },
	{ "thread P0 {\n claim 1 x\n}\nexists (size(1) == 0)\n", false,
	  "t.own:9:9: error: unknown function 'size' (owner, owner_cnt, driver)" },
	{ "thread P0 {\n r0 = owned 1\n}\nexists P0:r0 == 0\n"
	  "forall P0:r0 == 1\n", false,
	  "t.own:10:1: error: a file has at most one final condition (the first is at line 9)" },
	{ "thread P0 {\n}\n~forall (0 == 0)\n", false,
	  "t.own:8:2: error: expected 'exists' after '~', got 'forall'" },
	{ "thread P0 {\n}\nexpect upstream violation oops\n", false,
	  "t.own:8:27: error: unknown violation kind 'oops'" },
	{ "thread P0 {\n}\nexpect v7 ok\n", false,
	  "t.own:8:8: error: unknown policy 'v7'" },
	{ "thread P0 {\n}\nexpect upstream Maybe\n", false,
	  "t.own:8:17: error: unknown result 'Maybe' (ok, Always, Sometimes, Never, condition OBSERVATION, violation KIND)" },
	{ "thread P0 {\n}\nexpect Never\n", false,
	  "t.own:8:1: error: an observation (Always, Sometimes, Never) needs a final condition" },
	{ "thread P0 {\n}\nexpect upstream condition ok\n", false,
	  "t.own:8:27: error: expected an observation after 'condition' (Always, Sometimes, Never), got 'ok'" },
	{ "thread P0 {\n}\nexpect condition\n", false,
	  "t.own:8:17: error: expected an observation after 'condition' (Always, Sometimes, Never), got end of line" },
	{ "thread P0 {\n}\nexpect condition Always\n", false,
	  "t.own:8:1: error: an observation (Always, Sometimes, Never) needs a final condition" },
	{ "bus x\n", false, "t.own:6:6: error: a file needs at least one thread" },
};

static char *with_prelude(const struct bad *b, size_t *len)
{
	size_t tl = b->len ? b->len : strlen(b->text);
	size_t pl = b->raw ? 0 : strlen(prelude);
	char *s;

	s = malloc(pl + tl + 1);
	memcpy(s, prelude, pl);
	memcpy(s + pl, b->text, tl + 1);
	*len = pl + tl;
	return s;
}

static void test_errors(void)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct dmo_scenario *sc = (struct dmo_scenario *)1;
		char err[512] = "";
		size_t len;
		char *text = with_prelude(&bad[i], &len);
		int ret = dmo_scenario_parse_buffer("t.own", text, len, &sc,
						    err, sizeof(err));

		is_int(ret, -EINVAL, "case %zu is refused", i);
		ok(sc == NULL, "case %zu: no scenario", i);
		is_str(err, bad[i].want, "case %zu: exact message", i);
		free(text);
	}
}

/* `kernel`, `config` and `expect ...@V`: what they parse to, and errors. */
static const struct bad bad_kernel[] = {
	{ "kernel 6.8\n", true,
	  "t.own:1:8: error: unknown kernel version '6.8' (known: 5.18, 5.19, 6.0, 6.1, 6.2-rc1, 6.2, 6.3, 6.4, 6.5, 6.6, 6.7, 6.15-rc1, 6.15, 6.17)" },
	{ "kernel\n", true,
	  "t.own:1:7: error: expected a kernel version, got end of line" },
	{ "kernel 6.1\nkernel 6.2\n", true,
	  "t.own:2:1: error: duplicate 'kernel' line (the first is at line 1)" },
	{ "kernel 6.1 6.2\n", true,
	  "t.own:1:12: error: unexpected '6.2' at end of line" },
	{ "config DEBUG_PAGEALLOC\n", true,
	  "t.own:1:8: error: unknown kernel configuration option 'DEBUG_PAGEALLOC' (DEBUG_TEST_DRIVER_REMOVE)" },
	{ "config DEBUG_TEST_DRIVER_REMOVE\nconfig DEBUG_TEST_DRIVER_REMOVE\n",
	  true, "t.own:2:8: error: duplicate 'config DEBUG_TEST_DRIVER_REMOVE'" },
	{ "thread P0 {\n}\nexpect upstream@6.9 ok\n", false,
	  "t.own:8:17: error: unknown kernel version '6.9' (known: 5.18, 5.19, 6.0, 6.1, 6.2-rc1, 6.2, 6.3, 6.4, 6.5, 6.6, 6.7, 6.15-rc1, 6.15, 6.17)" },
	{ "thread P0 {\n}\nexpect upstream@6.1..6.9 ok\n", false,
	  "t.own:8:22: error: unknown kernel version '6.9' (known: 5.18, 5.19, 6.0, 6.1, 6.2-rc1, 6.2, 6.3, 6.4, 6.5, 6.6, 6.7, 6.15-rc1, 6.15, 6.17)" },
	{ "thread P0 {\n}\nexpect @6.4..6.1 ok\n", false,
	  "t.own:8:9: error: kernel versions out of order: 6.4 is newer than 6.1" },
	{ "thread P0 {\n}\nexpect @.. ok\n", false,
	  "t.own:8:9: error: expected a kernel version around '..'" },
	{ "thread P0 {\n}\nexpect upstream@ ok\n", false,
	  "t.own:8:18: error: unknown kernel version 'ok' (known: 5.18, 5.19, 6.0, 6.1, 6.2-rc1, 6.2, 6.3, 6.4, 6.5, 6.6, 6.7, 6.15-rc1, 6.15, 6.17)" },
	{ "thread P0 {\n}\nexpect upstream@\n", false,
	  "t.own:8:17: error: expected kernel versions after '@' (V, V..W, V.. or ..W), got end of line" },
	{ "thread P0 {\n}\nexpect legacy@6.1 ok\n", false,
	  "t.own:8:15: error: policy legacy runs at none of these kernel versions (legacy is kernel 5.18 alone)" },
	{ "thread P0 {\n}\nexpect v6@5.18 ok\n", false,
	  "t.own:8:11: error: policy v6 runs at none of these kernel versions (it is a variant of the 5.19 ownership series)" },
	{ "thread P0 {\n}\nexpect cdx-fix@..6.4 ok\n", false,
	  "t.own:8:16: error: policy cdx-fix runs at none of these kernel versions (cdx-fix changes the cdx callbacks, which take counts from 6.5 on)" },
	{ "bus h host1x nodma\n", true,
	  "t.own:1:14: error: unexpected 'nodma' at end of line" },
	{ "bus h pcie\n", true,
	  "t.own:1:7: error: unknown bus shape 'pcie' (nodma, cdx, host1x)" },
	{ "thread P0 {\n}\nexpect upstream @6.1 @6.2 ok\n", false,
	  "t.own:8:22: error: expected a result (ok, Always, Sometimes, Never, condition OBSERVATION, violation KIND), got '@'" },
};

static void test_kernel_lines(void)
{
	static const char text[] =
		"test k\n"
		"kernel 6.2-rc1\n"
		"config DEBUG_TEST_DRIVER_REMOVE\n"
		"bus pci\n"
		"device a pci group 1\n"
		"thread P0 {\n"
		" r0 = claim_dev a ctx\n"
		"}\n"
		"expect upstream@6.1 ok\n"
		"expect @6.2.. violation warn\n"
		"expect v6 @..6.4 ok\n"
		"expect recompute@6.2-rc1..6.6 ok\n";
	struct dmo_scenario *sc = NULL;
	char err[512] = "";
	char why[512] = "";
	int ret;

	for (size_t i = 0; i < sizeof(bad_kernel) / sizeof(bad_kernel[0]);
	     i++) {
		struct dmo_scenario *bsc = (struct dmo_scenario *)1;
		size_t len;
		char *btext = with_prelude(&bad_kernel[i], &len);

		ret = dmo_scenario_parse_buffer("t.own", btext, len, &bsc, err,
						sizeof(err));
		is_int(ret, -EINVAL, "kernel case %zu is refused", i);
		ok(bsc == NULL, "kernel case %zu: no scenario", i);
		is_str(err, bad_kernel[i].want, "kernel case %zu: message", i);
		free(btext);
	}
	err[0] = '\0';
	ret = dmo_scenario_parse_buffer("k.own", text, strlen(text), &sc, err,
					sizeof(err));
	is_int(ret, 0, "kernel lines parse");
	is_str(err, "", "no error");
	if (!sc)
		return;
	is_str(dmo_kernel_name(dmo_scenario_kernel(sc)), "6.2-rc1",
	       "the kernel line");
	is_int(sc->config, 1u << DMO_CONFIG_DEBUG_TEST_DRIVER_REMOVE,
	       "the config line");
	is_int(sc->nr_expects, 4, "four expect lines");
	is_str(dmo_kernel_name(sc->expects[0].kmin), "6.1", "@6.1 from");
	is_str(dmo_kernel_name(sc->expects[0].kmax), "6.1", "@6.1 to");
	is_int(sc->expects[1].policy, -1, "@V alone: every policy");
	is_str(dmo_kernel_name(sc->expects[1].kmin), "6.2", "@6.2.. from");
	ok(sc->expects[1].kmax == NULL, "@6.2.. has no end");
	ok(sc->expects[2].kmin == NULL, "@..6.4 has no start");
	is_str(dmo_kernel_name(sc->expects[2].kmax), "6.4", "@..6.4 to");
	is_str(dmo_kernel_name(sc->expects[3].kmin), "6.2-rc1", "rc from");
	is_str(dmo_kernel_name(sc->expects[3].kmax), "6.6", "range to");
	is_int(sc->nr_needs, 1, "claim_dev needs a version");
	is_int(dmo_scenario_applies(sc, DMO_POLICY_UPSTREAM,
				    dmo_kernel_find("6.2-rc1"), why,
				    sizeof(why)),
	       0, "upstream at the file's kernel applies");
	is_int(dmo_scenario_applies(sc, DMO_POLICY_UPSTREAM,
				    dmo_kernel_find("6.1"), why, sizeof(why)),
	       DMO_SCENARIO_NA_KERNEL, "6.1 lacks claim_dev");
	is_str(why,
	       "k.own:7:7: error: 'claim_dev' needs kernel 6.2-rc1 or later (89395ccedbc1 iommu: Add device-centric DMA ownership interfaces); this run is kernel 6.1",
	       "the message names the place");
	is_int(dmo_scenario_applies(sc, DMO_POLICY_LEGACY,
				    dmo_kernel_find("6.1"), why, sizeof(why)),
	       DMO_SCENARIO_NA_POLICY, "legacy does not run at 6.1");
	is_str(why,
	       "policy legacy does not run at kernel 6.1 (legacy is kernel 5.18 alone)",
	       "and says why");
	ok(dmo_scenario_policy_kernel(sc, DMO_POLICY_LEGACY) ==
		   dmo_kernel_find("5.18"),
	   "legacy runs the file at 5.18");
	ok(dmo_scenario_policy_kernel(sc, DMO_POLICY_V6) ==
		   dmo_kernel_find("6.2-rc1"),
	   "v6 at the file's kernel");
	is_int(dmo_scenario_default_policy(sc), DMO_POLICY_UPSTREAM,
	       "upstream by default");
	dmo_scenario_free(sc);
}

static void test_limits(void)
{
	struct dmo_scenario *sc;
	char err[512];
	size_t big = DMO_SC_MAX_BYTES + 1, n = 0;
	char *s = malloc(big);
	int ret;

	memset(s, '#', big);
	ret = dmo_scenario_parse_buffer("t.own", s, big, &sc, err,
					sizeof(err));
	is_int(ret, -EINVAL, "oversized buffer refused");
	is_str(err, "t.own:1:1: error: file larger than 1048576 bytes",
	       "oversized message");

	memset(s, ' ', DMO_SC_MAX_LINE + 1);
	s[DMO_SC_MAX_LINE + 1] = '\n';
	ret = dmo_scenario_parse_buffer("t.own", s, DMO_SC_MAX_LINE + 2, &sc,
					err, sizeof(err));
	is_int(ret, -EINVAL, "long line refused");
	is_str(err, "t.own:1:4097: error: line too long (more than 4096 bytes)",
	       "long line message");

	/* A line of exactly the limit is fine. */
	n = (size_t)snprintf(s, big, "bus pci");
	memset(s + n, ' ', DMO_SC_MAX_LINE - n);
	n = DMO_SC_MAX_LINE;
	n += (size_t)snprintf(s + n, big - n, "\nthread P {\n}\n");
	ret = dmo_scenario_parse_buffer("t.own", s, n, &sc, err, sizeof(err));
	is_int(ret, 0, "a line of exactly 4096 bytes parses");
	dmo_scenario_free(sc);

	n = 0;
	for (int i = 0; i <= DMO_SC_MAX_THREADS; i++)
		n += (size_t)snprintf(s + n, big - n, "thread P%d {\n}\n", i);
	ret = dmo_scenario_parse_buffer("t.own", s, n, &sc, err, sizeof(err));
	is_int(ret, -EINVAL, "nine threads refused");
	is_str(err, "t.own:17:8: error: too many threads (at most 8)",
	       "thread limit message");

	n = (size_t)snprintf(s, big, "bus b\ndevice d b group 0\nthread P {\n");
	for (int i = 0; i <= DMO_SC_MAX_STMTS; i++)
		n += (size_t)snprintf(s + n, big - n, "owned 0\n");
	n += (size_t)snprintf(s + n, big - n, "}\n");
	ret = dmo_scenario_parse_buffer("t.own", s, n, &sc, err, sizeof(err));
	is_int(ret, -EINVAL, "65 statements refused");
	is_str(err,
	       "t.own:68:1: error: too many statements in thread 'P' (at most 64)",
	       "statement limit message");

	n = (size_t)snprintf(s, big, "bus b\n");
	for (int i = 0; i <= DMO_SC_MAX_DEVICES; i++)
		n += (size_t)snprintf(s + n, big - n, "device d%d b\n", i);
	ret = dmo_scenario_parse_buffer("t.own", s, n, &sc, err, sizeof(err));
	is_int(ret, -EINVAL, "257 devices refused");
	is_str(err, "t.own:258:8: error: too many devices (at most 256)",
	       "device limit message");

	n = (size_t)snprintf(s, big,
			     "bus b\ndevice d b group 0\nthread P {\nr = owned 0\n}\nexists ");
	for (int i = 0; i <= DMO_SC_MAX_COND_DEPTH; i++)
		s[n++] = i % 2 ? '(' : '~';
	n += (size_t)snprintf(s + n, big - n, "P:r == 0");
	for (int i = 0; i <= DMO_SC_MAX_COND_DEPTH / 2; i++)
		s[n++] = ')';
	s[n++] = '\n';
	ret = dmo_scenario_parse_buffer("t.own", s, n, &sc, err, sizeof(err));
	is_int(ret, -EINVAL, "deep nesting refused");
	is_str(err,
	       "t.own:6:72: error: condition nested too deeply (at most 64 levels)",
	       "nesting limit message");
	free(s);
}

/* Line @i of limit test @k (see test_decl_limits()). */
static int limit_line(char *s, size_t cap, size_t k, int i)
{
	switch (k) {
	case 0:
		return snprintf(s, cap, "bus b%d\n", i);
	case 1:
		return snprintf(s, cap, "driver d%d b\n", i);
	case 2:
		return snprintf(s, cap, "group %d\n", i);
	case 3:
		/* 50 claims a thread: the owner limit comes first. */
		if (i % 50 == 0)
			return snprintf(s, cap, "%sthread P%d {\nclaim 0 o%d\n",
					i ? "}\n" : "", i, i);
		return snprintf(s, cap, "claim 0 o%d\n", i);
	default:
		return snprintf(s, cap, "expect ok # %d\n", i);
	}
}

/* One past each declaration limit, each refused with its own message. */
static void test_decl_limits(void)
{
	static const struct {
		const char *head;
		int max;
		const char *tail;
		const char *want;	/* after "t.own:LINE:COL: error: " */
	} lim[] = {
		{ "", 64, "", "too many buses (at most 64)" },
		{ "bus b\n", 256, "", "too many drivers (at most 256)" },
		{ "bus b\n", 256, "", "too many groups (at most 256)" },
		{ "bus b\ndevice x b group 0\n", 256, "}\n",
		  "too many owner names (at most 256)" },
		{ "bus b\nthread P {\n}\n", 64, "",
		  "too many 'expect' lines (at most 64)" },
	};
	size_t cap = 1 << 16;
	char *s = malloc(cap);

	for (size_t k = 0; k < sizeof(lim) / sizeof(lim[0]); k++) {
		struct dmo_scenario *sc = NULL;
		char err[512];
		const char *msg;
		size_t n = (size_t)snprintf(s, cap, "%s", lim[k].head);
		int ret;

		for (int i = 0; i <= lim[k].max; i++)
			n += (size_t)limit_line(s + n, cap - n, k, i);
		n += (size_t)snprintf(s + n, cap - n, "%s", lim[k].tail);
		ret = dmo_scenario_parse_buffer("t.own", s, n, &sc, err,
						sizeof(err));
		is_int(ret, -EINVAL, "limit %zu refused", k);
		msg = strstr(err, ": error: ");
		is_str(msg ? msg + 9 : err, lim[k].want, "limit %zu message",
		       k);
		dmo_scenario_free(sc);
	}
	free(s);
}

static void test_files(void)
{
	struct dmo_scenario *sc = (struct dmo_scenario *)1;
	char err[512], fifo[256], want[512];
	int ret;

	ret = dmo_scenario_parse_file("/nonexistent/x.own", &sc, err,
				      sizeof(err));
	is_int(ret, -ENOENT, "missing file: -ENOENT");
	ok(sc == NULL, "missing file: no scenario");
	is_str(err,
	       "/nonexistent/x.own: error: cannot open: No such file or directory",
	       "missing file message");
	ret = dmo_scenario_parse_file("/", &sc, err, sizeof(err));
	is_int(ret, -EIO, "directory: -EIO");
	is_str(err, "/: error: not a regular file (a directory)",
	       "directory message");
	/* A FIFO with no writer: refused at once, not waited on. */
	snprintf(fifo, sizeof(fifo), "%s/dmaown-parse-fifo.%ld",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());
	unlink(fifo);
	if (!ok(mkfifo(fifo, 0600) == 0, "mkfifo %s", fifo))
		return;
	alarm(10);
	ret = dmo_scenario_parse_file(fifo, &sc, err, sizeof(err));
	alarm(0);
	is_int(ret, -EIO, "FIFO: -EIO");
	snprintf(want, sizeof(want), "%s: error: not a regular file (a FIFO)",
		 fifo);
	is_str(err, want, "FIFO message");
	unlink(fifo);
	ret = dmo_scenario_parse_file("/dev/null", &sc, err, sizeof(err));
	is_int(ret, -EIO, "character device: -EIO");
	is_str(err, "/dev/null: error: not a regular file (a character device)",
	       "character device message");
}

/* Writes @len bytes of @text (repeated) to a fresh file; returns its path. */
static char *temp_file(const char *text, size_t len)
{
	static char path[64];
	size_t tl = strlen(text), done = 0;
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/dmo_parse_XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	f = fdopen(fd, "w");
	while (done < len) {
		size_t n = len - done < tl ? len - done : tl;

		fwrite(text, 1, n, f);
		done += n;
	}
	fclose(f);
	return path;
}

static void test_file_sizes(void)
{
	struct dmo_scenario *sc = NULL;
	char err[512], want[512];
	char *path;
	int ret;

	path = temp_file("bus pci\nthread P {\n}\n", 21);
	ok(path != NULL, "temporary file made");
	if (!path)
		return;
	ret = dmo_scenario_parse_file(path, &sc, err, sizeof(err));
	is_int(ret, 0, "a file on disk parses");
	ok(sc && sc->nr_threads == 1 && sc->nr_buses == 1,
	   "... to one bus and one thread");
	dmo_scenario_free(sc);
	unlink(path);

	path = temp_file("#", DMO_SC_MAX_BYTES + 1);
	ok(path != NULL, "big temporary file made");
	if (!path)
		return;
	ret = dmo_scenario_parse_file(path, &sc, err, sizeof(err));
	is_int(ret, -EFBIG, "a file over the limit: -EFBIG");
	snprintf(want, sizeof(want),
		 "%s:1:1: error: file larger than 1048576 bytes", path);
	is_str(err, want, "oversized file message");
	ok(sc == NULL, "no scenario for an oversized file");
	unlink(path);
}

/* Every prefix of the example: parses, or fails with one error line. */
static void test_prefixes(void)
{
	size_t len = strlen(example);
	int bad_lines = 0, parsed = 0;
	regex_t re;

	regcomp(&re, "^p\\.own:[0-9]+:[0-9]+: error: [^\n]+$",
		REG_EXTENDED | REG_NOSUB);
	for (size_t n = 0; n <= len; n++) {
		struct dmo_scenario *sc = NULL;
		char err[512] = "";
		int ret = dmo_scenario_parse_buffer("p.own", example, n, &sc,
						    err, sizeof(err));

		if (ret == 0)
			parsed++;
		else if (ret != -EINVAL || regexec(&re, err, 0, NULL, 0))
			bad_lines++;
		dmo_scenario_free(sc);
	}
	regfree(&re);
	is_int(bad_lines, 0, "every prefix parses or gives one error line");
	/*
	 * Exactly eleven are whole files: ending after P0's brace (2: "}"
	 * and its newline; one thread is enough), after P1's (3: with the
	 * blank line), after the condition's ')' (2) and after each expect
	 * line's last word (2 each).
	 */
	is_int(parsed, 11, "the prefixes that are whole files parse");
}

/* Runs @fn on every file of @dir whose name ends in @suffix. */
static int each_file(const char *dir, const char *suffix,
		     void (*fn)(const char *path, void *arg), void *arg)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name), sl = strlen(suffix);

		if (e->d_name[0] == '.' || l < sl ||
		    strcmp(e->d_name + l - sl, suffix))
			continue;
		names = realloc(names, (size_t)(n + 1) * sizeof(*names));
		names[n] = malloc(strlen(dir) + l + 2);
		sprintf(names[n], "%s/%s", dir, e->d_name);
		n++;
	}
	closedir(d);
	for (int i = 0; i < n; i++) {
		fn(names[i], arg);
		free(names[i]);
	}
	free(names);
	return n;
}

static void corpus_one(const char *path, void *arg)
{
	struct dmo_scenario *sc = NULL;
	char err[1024] = "";
	char pat[2048];
	regex_t re;
	int ret = dmo_scenario_parse_file(path, &sc, err, sizeof(err));

	(void)arg;
	if (ret == 0) {
		ok(sc != NULL, "%s parses", path);
		dmo_scenario_free(sc);
		return;
	}
	snprintf(pat, sizeof(pat), "^%s:[0-9]+:[0-9]+: error: [^\n]+$", path);
	regcomp(&re, pat, REG_EXTENDED | REG_NOSUB);
	ok(ret == -EINVAL && regexec(&re, err, 0, NULL, 0) == 0,
	   "%s: %s", path, err);
	regfree(&re);
}

static void bundled_one(const char *path, void *arg)
{
	struct dmo_scenario *sc = NULL;
	char err[1024] = "";
	int ret = dmo_scenario_parse_file(path, &sc, err, sizeof(err));

	(void)arg;
	is_int(ret, 0, "%s parses%s%s", path, err[0] ? ": " : "", err);
	if (sc) {
		ok(sc->nr_expects > 0 && sc->description,
		   "%s has a description and expect lines", path);
		dmo_scenario_free(sc);
	}
}

static void test_corpora(void)
{
	const char *src = getenv("DMAOWN_SRC");
	char dir[4096];
	int n;

	if (!src)
		src = ".";
	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus", src);
	n = each_file(dir, "", corpus_one, NULL);
	ok(n >= 20, "fuzz corpus has at least 20 seeds (%d)", n);
	snprintf(dir, sizeof(dir), "%s/scenarios", src);
	n = each_file(dir, ".own", bundled_one, NULL);
	ok(n >= 34, "bundled corpus has at least 34 scenarios (%d)", n);
}

static void test_names(void)
{
	is_str(dmo__op_name(DMO_OP_BIND), "bind", "op name bind");
	is_str(dmo__op_name(DMO_OP_IOMMUFD_UNBIND), "iommufd_unbind",
	       "op name iommufd_unbind");
	is_str(dmo__op_name(DMO_OP_NR), "?", "op name out of range");
}

int main(void)
{
	test_example();
	test_conditions();
	test_errors();
	test_kernel_lines();
	test_limits();
	test_decl_limits();
	test_files();
	test_file_sizes();
	test_prefixes();
	test_corpora();
	test_names();
	return done_testing();
}
