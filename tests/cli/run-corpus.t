#!/bin/sh
# SPDX-License-Identifier: MIT
# dmaown run never sees, on real threads, a final state that the explorer
# missed: every bundled scenario, those of the history corpus too, a few
# runs each with a printed seed (few, as this runs under ASan in make
# check).
set -u
dmaown=${DMAOWN_BUILD:?}/dmaown
corpus=${DMAOWN_SRC:?}/scenarios
seed=${DMAOWN_SEED:-20261123}
n=0
files=$(ls "$corpus"/*.own "$corpus"/history/*.own 2>/dev/null)
count=$(printf '%s\n' "$files" | grep -c .)
echo "1..$((count + 1))"
echo "# seed $seed"
if [ "$count" -gt 0 ]; then
	echo "ok 1 - the corpus has $count scenarios"
else
	echo "not ok 1 - the corpus has scenarios"
fi
n=1
for f in $files; do
	n=$((n + 1))
	out=$("$dmaown" run "$f" --iterations 10 --seed "$seed" 2>&1)
	st=$?
	if [ "$st" -le 1 ] &&
		printf '%s\n' "$out" | grep -q "^Seed $seed\$" &&
		printf '%s\n' "$out" | grep -q ' unlisted=0 ' &&
		! printf '%s\n' "$out" | grep -q 'not found by the explorer'
	then
		echo "ok $n - ${f#"$corpus"/}"
	else
		echo "not ok $n - ${f#"$corpus"/} (exit $st)"
		printf '%s\n' "$out" | sed 's/^/#   /'
	fi
done
