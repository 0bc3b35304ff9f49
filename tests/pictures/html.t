#!/bin/sh
# SPDX-License-Identifier: MIT
# dmaown check --html: the page of a run, tried as a new user would
# (`dmaown check --html out.html scenarios/` from the top of the tree) and
# over every policy.  The page must not change what check prints; its
# verdict table must be the one docs/designs.md shows, cell for cell; every
# counterexample the report prints must be on it with its picture inline;
# its summary lines must be the run's; it must fetch nothing.  Then real
# headless Chromium loads it, and every link of the DOM it built must
# resolve.
# The checks are in check_page.py; without python3 they are skipped, not
# passed.
command -v python3 >/dev/null 2>&1 || {
	echo "1..0 # SKIP python3 is not installed"
	exit 0
}
exec python3 "$(dirname "$0")/check_page.py"
