#!/bin/sh
# SPDX-License-Identifier: MIT
#
# bench/jobs.sh [ROUNDS [DIR]]: what --jobs buys.  Runs
# `dmaown check --quiet --policy all DIR` (default: the bundled corpus)
# ROUNDS times (default 21) in each of three ways, round by round: with
# --jobs 1, with --jobs 2, and as two --jobs 1 runs at once (the control:
# how much of a second CPU the machine gives at all).  Prints the median
# wall-clock time and CPU time (user + system, children included) of each,
# and the ratios of the medians of wall-clock time:
#
#   BENCH jobs1 runs=R wall=SECONDS cpu=SECONDS
#   BENCH jobs2 runs=R wall=SECONDS cpu=SECONDS
#   BENCH two-at-once runs=R wall=SECONDS
#   BENCH ratio jobs2/jobs1=X two-at-once/jobs1=Y
#
# On an idle 2-CPU machine Y is near 1 and X is what --jobs 2 saves; when
# other work holds the second CPU, Y nears 2 and no X can be below 1.
# DMAOWN (default build/dmaown) is the program.  Needs GNU time
# (/usr/bin/time, Debian package "time").
set -eu
rounds=${1:-21}
src=$(cd "$(dirname "$0")/.." && pwd)
dir=${2:-$src/scenarios}
dmaown=${DMAOWN:-$src/build/dmaown}
tmp=${TMPDIR:-/tmp}/dmaown-bench-jobs.$$
: >"$tmp.1"
: >"$tmp.2"
: >"$tmp.both"
now() {
	date +%s.%N
}
check() {
	"$dmaown" check --jobs "$1" --quiet --policy all "$dir" >/dev/null ||
		[ $? -ne 2 ]
}
i=0
while [ "$i" -lt "$rounds" ]; do
	for j in 1 2; do
		/usr/bin/time -f '%e %U %S' -a -o "$tmp.$j" \
			"$dmaown" check --jobs "$j" --quiet --policy all "$dir" \
			>/dev/null || [ $? -ne 2 ]
	done
	t0=$(now)
	check 1 &
	check 1
	wait
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", b - a }' \
		>>"$tmp.both"
	i=$((i + 1))
done
median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
for j in 1 2; do
	wall=$(awk '{ print $1 }' "$tmp.$j" | median)
	cpu=$(awk '{ printf "%.2f\n", $2 + $3 }' "$tmp.$j" | median)
	echo "BENCH jobs$j runs=$rounds wall=$wall cpu=$cpu"
	eval "wall$j=$wall"
done
both=$(median <"$tmp.both")
echo "BENCH two-at-once runs=$rounds wall=$both"
# shellcheck disable=SC2154
awk -v a="$wall2" -v b="$wall1" -v c="$both" 'BEGIN {
	printf "BENCH ratio jobs2/jobs1=%.2f two-at-once/jobs1=%.2f\n", a / b,
		c / b }'
rm -f "$tmp.1" "$tmp.2" "$tmp.both"
