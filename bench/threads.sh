#!/bin/sh
# SPDX-License-Identifier: MIT
#
# bench/threads.sh [ROUNDS]: what --threads 2 buys inside one exploration.
# Runs each of lastzero(15), indexer(15) (build/bench/dpor) and the largest
# scenario of the corpus, scenarios/host/t1-gpu-audio.own (dmaown check
# --jobs 1), ROUNDS times (default 5) with one worker and with two, round
# by round, and prints for each the median of the search's own time (the
# time= each prints), their ratio, and the two-worker runs' executions and
# redundant ones (the largest seen):
#
#   BENCH threads NAME t1=SECONDS t2=SECONDS ratio=X executions=N redundant=R
#
# DPOR (default build/bench/dpor) and DMAOWN (default build/dmaown) are
# the programs.
set -eu
rounds=${1:-5}
src=$(cd "$(dirname "$0")/.." && pwd)
dpor=${DPOR:-$src/build/bench/dpor}
dmaown=${DMAOWN:-$src/build/dmaown}
tmp=${TMPDIR:-/tmp}/dmaown-bench-threads.$$
median() {
	sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
field() {
	sed -n "s/.* $1=\\([0-9.]*\\).*/\\1/p"
}
# run NAME WORKERS: one run, its line on standard output.
run() {
	case $1 in
	*.own)
		"$dmaown" check --jobs 1 --threads "$2" --quiet "$src/$1" ||
			[ $? -ne 2 ]
		;;
	*)
		"$dpor" --threads "$2" "$1"
		;;
	esac
}
for name in 'lastzero(15)' 'indexer(15)' scenarios/host/t1-gpu-audio.own; do
	: >"$tmp.1"
	: >"$tmp.2"
	: >"$tmp.e"
	: >"$tmp.r"
	i=0
	while [ "$i" -lt "$rounds" ]; do
		run "$name" 1 | field time >>"$tmp.1"
		line=$(run "$name" 2)
		echo "$line" | field time >>"$tmp.2"
		echo "$line" | field executions >>"$tmp.e"
		echo "$line" | field redundant >>"$tmp.r"
		i=$((i + 1))
	done
	t1=$(median "$tmp.1")
	t2=$(median "$tmp.2")
	echo "BENCH threads $name t1=$t1 t2=$t2" \
		"ratio=$(echo "$t1 $t2" | awk '{ printf "%.2f", $2 / $1 }')" \
		"executions=$(sort -n "$tmp.e" | tail -n 1)" \
		"redundant=$(sort -n "$tmp.r" | tail -n 1)"
done
rm -f "$tmp.1" "$tmp.2" "$tmp.e" "$tmp.r"
