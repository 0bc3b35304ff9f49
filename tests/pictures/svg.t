#!/bin/sh
# SPDX-License-Identifier: MIT
# The pictures of counterexamples: the pre-5.19 BUG_ON of the seed drawn as
# the thread draws the race (two lanes, the bind's dma_configure, the
# isolation check that fires after it and the notifier's BUG_ON), its
# structure (XML, one lane per thread, the highlighted steps exactly those
# the violations name, a folded and a full view), its rendering to PNG by
# rsvg-convert (the size the SVG states, not blank, the highlight colours
# drawn); then every picture `dmaown check --svg` draws over the bundled
# corpus, one per violation, each judged by the same rules.
# The checks are in check_svg.py; without python3 they are skipped, not
# passed.
command -v python3 >/dev/null 2>&1 || {
	echo "1..0 # SKIP python3 is not installed"
	exit 0
}
exec python3 "$(dirname "$0")/check_svg.py"
