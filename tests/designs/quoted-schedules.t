#!/bin/sh
# SPDX-License-Identifier: MIT
# The schedules docs/designs.md quotes are ones dmaown check prints today,
# and the replay command in the README reproduces the pre-5.19 BUG as it
# says: the evidence the project cites must replay.
set -u
src=${DMAOWN_SRC:?}
dmaown=${DMAOWN_BUILD:?}/dmaown
tmp=${TMPDIR:-/tmp}/dmaown-quoted.$$
# At each policy's default version, and at 6.15-rc1 for what the marked
# dev->driver store of 6.15 took away (the recompute walk's data races).
{
	"$dmaown" check --policy all "$src/scenarios"
	"$dmaown" check --policy all --kernel 6.15-rc1 "$src/scenarios"
} 2>/dev/null | sed -n 's/^  schedule: //p' | sort -u >"$tmp.printed"
grep -o '`0x[0-9][0-9x.]*`' "$src/docs/designs.md" | tr -d '`' | sort -u \
	>"$tmp.quoted"
count=$(wc -l <"$tmp.quoted")
echo "1..$((count + 2))"
n=0
while read -r s; do
	n=$((n + 1))
	if grep -qxF "$s" "$tmp.printed"; then
		echo "ok $n - docs/designs.md schedule $s is printed by dmaown check"
	else
		echo "not ok $n - docs/designs.md schedule $s is printed by dmaown check"
	fi
done <"$tmp.quoted"
n=$((n + 1))
if [ "$count" -ge 7 ]; then echo "ok $n - docs/designs.md quotes $count schedules"
else echo "not ok $n - docs/designs.md quotes $count schedules, want 7 or more"; fi
# The README's example, run as written from the source tree.
cmd=$(sed -n 's/^build\/dmaown \(replay .*\)$/\1/p' "$src/README.md")
n=$((n + 1))
# shellcheck disable=SC2086
(cd "$src" && "$dmaown" $cmd) >"$tmp.out" 2>&1
st=$?
# It names the kind it shows, so it exits 0 when it still shows it.
if [ -n "$cmd" ] && [ "$st" = 0 ] && grep -q '^Violation bug: BUG_ON' "$tmp.out"
then echo "ok $n - the README's replay command shows the BUG_ON"
else echo "not ok $n - the README's replay command shows the BUG_ON"
	echo "#   command: $cmd (exit $st)"; fi
rm -f "$tmp".*
