#!/bin/sh
# SPDX-License-Identifier: MIT
# docs/designs.md's verdict table is what `dmaown check --policy all` finds
# over the bundled corpus today, cell for cell.
set -u
echo "1..2"
src=${DMAOWN_SRC:?}
got=$("$src/scripts/verdict-table" "${DMAOWN_BUILD:?}/dmaown")
want=$(sed -n '/^<!-- verdict-table:begin -->$/,/^<!-- verdict-table:end -->$/p' \
	"$src/docs/designs.md" | sed '1d;$d')
if [ -n "$got" ]; then echo "ok 1 - the corpus produced a table"; else
	echo "not ok 1 - the corpus produced a table"; fi
if [ "$got" = "$want" ]; then
	echo "ok 2 - docs/designs.md matches dmaown check --policy all"
else
	echo "not ok 2 - docs/designs.md matches dmaown check --policy all"
	printf '%s\n' "$want" > /tmp/verdict-want.$$
	printf '%s\n' "$got" > /tmp/verdict-got.$$
	diff -u /tmp/verdict-want.$$ /tmp/verdict-got.$$ | sed 's/^/# /'
	rm -f /tmp/verdict-want.$$ /tmp/verdict-got.$$
fi
