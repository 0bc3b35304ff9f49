// SPDX-License-Identifier: MIT
/*
 * The reader's own pieces: the walk that never leaves a tree, attributes
 * read without ever blocking, kernel versions and the rule each picks.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dmaown.h"
#include "host/host.h"
#include "tap.h"

static char root[1024];

static void mk(const char *rel, const char *text)
{
	char path[2048];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void dir(const char *rel)
{
	char path[2048];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	mkdir(path, 0755);
}

static void lnk(const char *target, const char *rel)
{
	char path[2048];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (symlink(target, path))
		diag("symlink %s: %s", rel, strerror(errno));
}

static void resolves(const char *rel, int want, const char *want_path)
{
	char *out = NULL;
	int ret = dmo__path_resolve(root, rel, &out);

	is_int(ret, want, "resolve %s", rel);
	if (want_path)
		is_str(ret ? NULL : out, want_path, "resolve %s: the path", rel);
	free(out);
}

static void test_walk(void)
{
	dir("devices");
	dir("devices/a");
	dir("bus");
	lnk("../devices/a", "bus/a");
	lnk("loop2", "bus/loop1");
	lnk("loop1", "bus/loop2");
	lnk("/etc", "bus/abs");
	lnk("../../..", "bus/up");
	lnk("../devices/none", "bus/hole");
	mk("devices/a/file", "x\n");
	resolves("bus/a", 0, "devices/a");
	resolves("bus/a/file", 0, "devices/a/file");
	resolves("bus/a/../a/./file", 0, "devices/a/file");
	resolves("bus/loop1", -ELOOP, NULL);
	resolves("bus/abs", -EXDEV, NULL);
	resolves("bus/up", -EXDEV, NULL);
	resolves("bus/hole", -ENOENT, NULL);
	resolves("devices/a/file/x", -ENOTDIR, NULL);
	resolves("..", -EXDEV, NULL);
}

static void test_attrs(void)
{
	char path[2048], buf[64];
	int fd;

	mk("devices/a/class", "0x030000\n");
	snprintf(path, sizeof(path), "%s/devices/a/fifo", root);
	mkfifo(path, 0644);
	snprintf(path, sizeof(path), "%s/devices/a", root);
	fd = open(path, O_RDONLY | O_DIRECTORY);
	is_int(dmo__read_attr(fd, "class", buf, sizeof(buf)), 8,
	       "an attribute reads without its newline");
	is_str(buf, "0x030000", "its text");
	is_int(dmo__read_attr(fd, "fifo", buf, sizeof(buf)), -EINVAL,
	       "a FIFO is refused, not opened (no hang)");
	is_int(dmo__read_attr(fd, "none", buf, sizeof(buf)), -ENOENT,
	       "a missing attribute: -ENOENT");
	mkdir(strcat(path, "/sub"), 0755);
	is_int(dmo__read_attr(fd, "sub", buf, sizeof(buf)), -EISDIR,
	       "a directory: -EISDIR");
	{
		struct dmo__strv ents = { 0 };

		is_int(dmo__dir_entries(fd, &ents), 0, "the directory listed");
		is_int(dmo__dir_type(&ents, "fifo"), 'o', "a FIFO is 'other'");
		is_int(dmo__dir_type(&ents, "class"), 'f', "a file is 'f'");
		is_int(dmo__dir_type(&ents, "sub"), 'd', "a directory is 'd'");
		is_int(dmo__dir_type(&ents, "none"), 0, "absent: 0");
		is_int(dmo__read_attr_in(fd, &ents, "fifo", buf, sizeof(buf)),
		       -EINVAL, "a FIFO among the listed entries: -EINVAL");
		dmo__strv_free(&ents);
	}
	close(fd);
	ok(dmo__is_name("0000:01:00.0") && dmo__is_name("snd_hda_intel") &&
		   dmo__is_name("vfio-pci") && !dmo__is_name("..") &&
		   !dmo__is_name("a/b") && !dmo__is_name("") &&
		   !dmo__is_name("(null)"),
	   "names: device and driver names, never a path");
}

static void test_versions(void)
{
	static const struct {
		const char *v;
		int ok;
		int rule;	/* 0: legacy, 1: ownership */
		const char *model;
	} cases[] = {
		{ "5.18", 1, 0, "5.18" },
		{ "5.18.19-arch1-1", 1, 0, "5.18" },
		{ "5.15.0-91-generic", 1, 0, "5.18" },
		{ "5.19", 1, 1, "5.19" },
		{ "5.19.0-46-generic", 1, 1, "5.19" },
		{ "6.1-rc3", 1, 1, "6.1" },
		{ "6.8.9-arch1-1", 1, 1, "6.7" },
		{ "6.18.44-fc-v1045", 1, 1, "6.17" },
		{ "banana", 0, 0, NULL },
		{ "6", 0, 0, NULL },
		{ "6.x", 0, 0, NULL },
		{ "6.8x", 0, 0, NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dmo__kver k;
		int ret = dmo__kver_parse(cases[i].v, &k);

		is_int(ret == 0, cases[i].ok, "%s: %s a version", cases[i].v,
		       cases[i].ok ? "is" : "is not");
		if (ret)
			continue;
		is_int(dmo__kver_rule(k) == DMO_RULE_OWNERSHIP, cases[i].rule,
		       "%s: the %s rule", cases[i].v,
		       cases[i].rule ? "5.19+" : "5.18");
		is_str(dmo__kver_model(k), cases[i].model,
		       "%s: scenarios name version %s", cases[i].v,
		       cases[i].model);
	}
	{
		struct dmo__kver a, b;

		dmo__kver_parse("6.5.9", &a);
		dmo__kver_parse("6.6", &b);
		ok(!dmo__kver_direct_refuses_claim(a) &&
			   dmo__kver_direct_refuses_claim(b),
		   "a direct region refuses the claim itself from 6.6");
	}
}

int main(void)
{
	char cmd[1100];

	snprintf(root, sizeof(root), "%s/dmaown-read.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(root)) {
		printf("1..0 # SKIP no temporary directory\n");
		return 0;
	}
	test_walk();
	test_attrs();
	test_versions();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd))
		diag("could not remove %s", root);
	return done_testing();
}
