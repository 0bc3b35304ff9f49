// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness of the scenario parser (`make fuzz`).  Any input must
 * either parse or be refused with one "FILE:LINE:COL: error:" line; a
 * crash, a leak, a sanitizer report or a malformed message is a finding.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dmaown.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char prefix[] = "fuzz.own:";
	struct dmo_scenario *sc = NULL;
	char err[1024];
	int ret;

	err[0] = '\0';
	ret = dmo_scenario_parse_buffer("fuzz.own", (const char *)data, size,
					&sc, err, sizeof(err));
	if (ret == 0) {
		if (!sc || !dmo_scenario_name(sc))
			abort();
		dmo_scenario_free(sc);
		return 0;
	}
	/* A refusal names the place and is a single line. */
	if (sc || ret != -EINVAL ||
	    strncmp(err, prefix, sizeof(prefix) - 1) != 0 ||
	    !strstr(err, ": error: ") || strchr(err, '\n'))
		abort();
	return 0;
}
