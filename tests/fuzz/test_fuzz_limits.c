// SPDX-License-Identifier: MIT
/*
 * The fuzz harness without libFuzzer: every seed of tests/fuzz/corpus goes
 * through it as the fuzzer would feed it (a crash or an abort() is a
 * failure), and its two recipes reach both sides of the parser's line and
 * file limits, which the tests below check against the parser's own
 * answers.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz_scenario.c"
#include "tap.h"

/* Feeds every seed to the harness; returns how many there were. */
static int feed_seeds(void)
{
	const char *src = getenv("DMAOWN_SRC");
	char dir[4096], path[8192];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus", src ? src : ".");
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		FILE *f;
		char *buf;
		long len;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		f = fopen(path, "rb");
		if (!f)
			continue;
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		buf = malloc(len > 0 ? (size_t)len : 1);
		if (buf && fread(buf, 1, (size_t)len, f) == (size_t)len) {
			LLVMFuzzerTestOneInput((const uint8_t *)buf,
					       (size_t)len);
			n++;
		}
		free(buf);
		fclose(f);
	}
	closedir(d);
	return n;
}

/* The parser's answer to what a recipe makes: 0, or the error text. */
static int answer(const char *buf, size_t len, char *err, size_t errlen)
{
	struct dmo_scenario *sc = NULL;
	int ret = dmo_scenario_parse_buffer("fuzz.own", buf, len, &sc, err,
					    errlen);

	dmo_scenario_free(sc);
	return ret;
}

static const char line_text[] = "# a comment, grown\n"
				"bus pci\ndevice d pci group 1\n"
				"thread P0 {\n  r0 = owned 1\n}\n";
static const char file_text[] = "# one line of comment, repeated\n";

int main(void)
{
	char err[1024], want[1024];
	int seeds = feed_seeds();
	int across = 0;

	ok(seeds >= 20, "every seed goes through the harness (%d)", seeds);

	/* 'L': the first line from 4088 to 4103 bytes. */
	for (int k = 0; k < 16; k++) {
		size_t len = DMO_SC_MAX_LINE - 8 + (size_t)k, n = 0;
		char *buf = grow_line((const uint8_t *)line_text,
				      sizeof(line_text) - 1, len, &n);
		int ret = buf ? answer(buf, n, err, sizeof(err)) : -ENOMEM;

		if (len <= DMO_SC_MAX_LINE) {
			if (ret != 0)
				diag("%zu bytes: %s", len, err);
			across += ret == 0;
		} else {
			snprintf(want, sizeof(want),
				 "fuzz.own:1:%d: error: line too long (more "
				 "than %d bytes)",
				 DMO_SC_MAX_LINE + 1, DMO_SC_MAX_LINE);
			if (ret != -EINVAL || strcmp(err, want) != 0)
				diag("%zu bytes: %d %s", len, ret, err);
			across += ret == -EINVAL && strcmp(err, want) == 0;
		}
		free(buf);
	}
	is_int(across, 16,
	       "recipe L: lines up to 4096 bytes parse, longer "
	       "ones are refused at column 4097");

	/* 'F': the file from 1048568 to 1048583 bytes. */
	across = 0;
	for (int k = 0; k < 16; k++) {
		size_t len = DMO_SC_MAX_BYTES - 8 + (size_t)k;
		char *buf = repeat((const uint8_t *)file_text,
				   sizeof(file_text) - 1, len);
		int ret = buf ? answer(buf, len, err, sizeof(err)) : -ENOMEM;

		if (len <= DMO_SC_MAX_BYTES)
			snprintf(want, sizeof(want), "%s",
				 ": error: a file needs at least one thread");
		else
			snprintf(want, sizeof(want),
				 "fuzz.own:1:1: error: file larger than %d "
				 "bytes",
				 DMO_SC_MAX_BYTES);
		if (ret != -EINVAL || !strstr(err, want))
			diag("%zu bytes: %d %s", len, ret, err);
		across += ret == -EINVAL && strstr(err, want) != NULL;
		free(buf);
	}
	is_int(across, 16,
	       "recipe F: files up to 1 MiB are read, longer ones "
	       "are refused at 1:1");

	/* Through the harness itself, each side of each limit: it aborts
	 * on anything wrong, so getting past it is the check. */
	for (int k = 0; k < 16; k += 15, across++) {
		uint8_t in[sizeof(line_text) + 3] = {0xff, 'L', (uint8_t)k};

		memcpy(in + 3, line_text, sizeof(line_text) - 1);
		LLVMFuzzerTestOneInput(in, sizeof(in) - 1);
		in[1] = 'F';
		LLVMFuzzerTestOneInput(in, sizeof(in) - 1);
	}
	is_int(across, 18,
	       "the harness took both recipes on both sides of "
	       "the limits without an abort");
	return done_testing();
}
