#!/bin/sh
# SPDX-License-Identifier: MIT
# Every replay command docs/history.md quotes names a schedule that
# `dmaown check` prints for that file, policy and version today, and
# replays to a violation; every check command it quotes runs and exits 0.
set -u
src=${DMAOWN_SRC:?}
dmaown=${DMAOWN_BUILD:?}/dmaown
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dmaown-history-sched.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; }

sed -n 's/^build\/dmaown \(replay scenarios\/history\/.*\)$/\1/p' \
	"$src/docs/history.md" >"$tmp/replays"
sed -n 's/^build\/dmaown \(check scenarios\/history\/.*\)$/\1/p' \
	"$src/docs/history.md" >"$tmp/checks"
while read -r _ file _ pol _ kernel _ sched rest; do
	if [ -n "$rest" ]; then
		not_ok "replay $file: want FILE --policy P --kernel V --schedule S, not '$rest'"
		continue
	fi
	(cd "$src" && "$dmaown" check "$file" --policy "$pol" --kernel "$kernel") \
		2>/dev/null | sed -n 's/^  schedule: //p' >"$tmp/printed"
	if grep -qxF "$sched" "$tmp/printed"; then
		ok "$file $pol@$kernel: $sched is printed by dmaown check"
	else
		not_ok "$file $pol@$kernel: $sched is printed by dmaown check"
		sed 's/^/#   printed: /' "$tmp/printed"
	fi
	(cd "$src" && "$dmaown" replay "$file" --policy "$pol" \
		--kernel "$kernel" --schedule "$sched") >"$tmp/replay" 2>&1
	st=$?
	if [ "$st" = 0 ] && grep -q '^Violation ' "$tmp/replay"; then
		ok "$file $pol@$kernel: the replay shows a violation the file expects"
	else
		not_ok "$file $pol@$kernel: the replay shows a violation the file expects (exit $st)"
	fi
done <"$tmp/replays"
while read -r cmd; do
	# shellcheck disable=SC2086
	(cd "$src" && "$dmaown" $cmd) >/dev/null 2>&1
	st=$?
	if [ "$st" = 0 ]; then ok "dmaown $cmd exits 0"
	else not_ok "dmaown $cmd exits 0 (exit $st)"; fi
done <"$tmp/checks"
count=$(wc -l <"$tmp/replays")
if [ "$count" -ge 10 ]; then ok "docs/history.md quotes $count replay commands"
else not_ok "docs/history.md quotes $count replay commands, want 10 or more"; fi
echo "1..$n"
