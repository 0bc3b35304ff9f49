// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness of the scenario parser (`make fuzz`).  Any input must
 * either parse or be refused with one "FILE:LINE:COL: error:" line; a
 * crash, a leak, a sanitizer report or a malformed message is a finding.
 *
 * The parser's limits lie far beyond the inputs a fuzzer likes to grow: a
 * line of 4096 bytes, a file of 1 MiB.  So an input that starts with the
 * byte 0xff, which no scenario file may hold, is a recipe instead:
 *
 *   0xff 'L' K TEXT   TEXT with its first line grown, by repeating its
 *                     last byte, to DMO_SC_MAX_LINE - 8 + K % 16 bytes
 *   0xff 'F' K TEXT   TEXT repeated, the last copy cut, to a file of
 *                     DMO_SC_MAX_BYTES - 8 + K % 16 bytes
 *
 * both of which straddle the limit, so that the fuzzer explores either
 * side of it from the few bytes it mutates.  Any other input is parsed as
 * it is, with the raw input's own limit (make fuzz's -max_len) past the
 * line limit.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dmaown.h"
#include "scenario/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void parse_one(const char *buf, size_t size)
{
	static const char prefix[] = "fuzz.own:";
	struct dmo_scenario *sc = NULL;
	char err[1024];
	int ret;

	err[0] = '\0';
	ret = dmo_scenario_parse_buffer("fuzz.own", buf, size, &sc, err,
					sizeof(err));
	if (ret == 0) {
		if (!sc || !dmo_scenario_name(sc))
			abort();
		dmo_scenario_free(sc);
		return;
	}
	/* A refusal names the place and is a single line. */
	if (sc || ret != -EINVAL ||
	    strncmp(err, prefix, sizeof(prefix) - 1) != 0 ||
	    !strstr(err, ": error: ") || strchr(err, '\n'))
		abort();
}

/* Recipe 'L': the first line of @text grown to @len bytes. */
static char *grow_line(const uint8_t *text, size_t size, size_t len,
		       size_t *out)
{
	const uint8_t *nl = memchr(text, '\n', size);
	size_t first = nl ? (size_t)(nl - text) : size;
	char *buf;

	if (first == 0 || first >= len)
		return NULL;
	buf = malloc(len + (size - first));
	if (!buf)
		return NULL;
	memcpy(buf, text, first);
	memset(buf + first, text[first - 1], len - first);
	memcpy(buf + len, text + first, size - first);
	*out = len + (size - first);
	return buf;
}

/* Recipe 'F': @text repeated to @len bytes. */
static char *repeat(const uint8_t *text, size_t size, size_t len)
{
	char *buf;

	if (size == 0)
		return NULL;
	buf = malloc(len);
	if (!buf)
		return NULL;
	for (size_t at = 0; at < len; at += size)
		memcpy(buf + at, text, at + size <= len ? size : len - at);
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len, n = 0;
	char *buf = NULL;

	if (size < 3 || data[0] != 0xff || (data[1] != 'L' && data[1] != 'F')) {
		parse_one((const char *)data, size);
		return 0;
	}
	if (data[1] == 'L') {
		len = DMO_SC_MAX_LINE - 8 + (data[2] & 15);
		buf = grow_line(data + 3, size - 3, len, &n);
	} else {
		n = DMO_SC_MAX_BYTES - 8 + (data[2] & 15);
		buf = repeat(data + 3, size - 3, n);
	}
	if (buf)
		parse_one(buf, n);
	else
		parse_one((const char *)data, size);
	free(buf);
	return 0;
}
