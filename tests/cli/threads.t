#!/bin/sh
# SPDX-License-Identifier: MIT
# check --threads N: one search shared by N workers finds what the
# sequential search finds.  On the whole corpus under every policy and
# every version, the summary lines are those of the plain run but for the
# counts (executions=, cut=, and the threads= redundant= the option adds,
# masked here) and the times; under every policy at the newest version,
# the full text has the same tests, final states (their counts masked)
# and violations (kind and message; the parallel run lists them sorted);
# the exit status is the same; shards run with it merge into those summary
# lines, threads= and redundant= kept.  A bad --threads is bad usage.
set -u
dmaown=${DMAOWN_BUILD:?}/dmaown
src=${DMAOWN_SRC:?}
tmp=${TMPDIR:-/tmp}/dmaown-threads.$$
rm -rf "$tmp"
mkdir -p "$tmp"
n=0
res() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else
		echo "not ok $n - $2"; shift 2
		for l in "$@"; do printf '%s\n' "$l" | sed 's/^/#   /'; done
	fi
}
# The summary lines, their counts and times masked.
summary() {
	sed -E -e 's/ executions=[0-9]+/ executions=N/' -e 's/ cut=[0-9]+//' \
		-e 's/ threads=[0-9]+ redundant=[0-9]+//' \
		-e 's/ time=[0-9]+\.[0-9]+/ time=T/' "$1"
}
# What a full report finds, one line each, under its test's header, sorted:
# the final states without their counts, and the violations.
findings() {
	awk '/^Test / { t = $0; next }
	     /^[0-9]+ +[:*]> / { sub(/^[0-9]+ +/, ""); print t " | " $0; next }
	     /^Violation / { print t " | " $0 }' "$1" | LC_ALL=C sort
}

echo "1..9"

"$dmaown" check --jobs 2 --quiet --policy all --kernel all "$src/scenarios" \
	>"$tmp/k1" 2>"$tmp/k1.err"
st1=$?
"$dmaown" check --jobs 2 --threads 2 --quiet --policy all --kernel all \
	"$src/scenarios" >"$tmp/k2" 2>"$tmp/k2.err"
st2=$?
lines=$(wc -l <"$tmp/k1")
summary "$tmp/k1" >"$tmp/k1.m"
summary "$tmp/k2" >"$tmp/k2.m"
res "$([ "$lines" -gt 4000 ] && cmp -s "$tmp/k1.m" "$tmp/k2.m"; echo $?)" \
	"--threads 2: the corpus's $lines summary lines under every policy and version" \
	"$(diff "$tmp/k1.m" "$tmp/k2.m" | head -n 20)"
res "$([ "$st1" = "$st2" ] && [ ! -s "$tmp/k1.err" ] && [ ! -s "$tmp/k2.err" ]; echo $?)" \
	"... the same exit status ($st2), and nothing on standard error" \
	"exit $st1 and $st2" "$(head -n 5 "$tmp/k2.err")"
bad=$(grep -c -v ' threads=2 redundant=[0-9]* ' "$tmp/k2")
res "$([ "$bad" = 0 ]; echo $?)" "... each line says threads=2 and redundant=" \
	"$(grep -v ' threads=2 redundant=[0-9]* ' "$tmp/k2" | head -n 3)"
# The plain lines never have them.
bad=$(grep -c ' threads=' "$tmp/k1")
res "$([ "$bad" = 0 ]; echo $?)" "the plain run's lines have neither"

"$dmaown" check --jobs 2 --policy all "$src/scenarios" >"$tmp/f1" 2>&1
st1=$?
"$dmaown" check --jobs 2 --threads 3 --policy all "$src/scenarios" \
	>"$tmp/f2" 2>&1
st2=$?
findings "$tmp/f1" >"$tmp/f1.m"
findings "$tmp/f2" >"$tmp/f2.m"
count=$(wc -l <"$tmp/f1.m")
res "$([ "$count" -gt 500 ] && [ "$st1" = "$st2" ] && cmp -s "$tmp/f1.m" "$tmp/f2.m"; echo $?)" \
	"--threads 3: the same $count final states and violations, exit $st2" \
	"exit $st1 and $st2" "$(diff "$tmp/f1.m" "$tmp/f2.m" | head -n 20)"

# JSON: the members the option adds.
"$dmaown" check --threads 2 --json "$src/tests/cli/scenarios/sibling.own" \
	>"$tmp/j" 2>&1
res "$(grep -q '"threads":2,"redundant":[0-9]*,' "$tmp/j"; echo $?)" \
	"--json: threads and redundant members" "$(head -c 300 "$tmp/j")"

# Shards with --threads, merged: the unsharded run's summary lines.
for i in 1 2 3; do
	"$dmaown" check --jobs 1 --threads 2 --shard "$i/3" --policy all \
		"$src/scenarios" >"$tmp/s$i.json" 2>/dev/null
done
"$dmaown" merge "$tmp/s1.json" "$tmp/s2.json" "$tmp/s3.json" 2>&1 |
	grep ' executions=' >"$tmp/m"
"$dmaown" check --jobs 2 --quiet --policy all "$src/scenarios" >"$tmp/q" 2>&1
summary "$tmp/m" >"$tmp/m.m"
summary "$tmp/q" >"$tmp/q.m"
res "$(grep -q ' threads=2 redundant=' "$tmp/m" && cmp -s "$tmp/m.m" "$tmp/q.m"; echo $?)" \
	"3 shards with --threads 2, merged: threads= redundant= and the plain run's $(wc -l <"$tmp/q.m") lines" \
	"$(diff "$tmp/m.m" "$tmp/q.m" | head -n 10)"

for a in 0 65 x; do
	"$dmaown" check --threads "$a" "$src/tests/cli/scenarios/sibling.own" \
		>/dev/null 2>"$tmp/u"
	st=$?
	[ "$st" = 2 ] && grep -q "option '--threads' needs 1 to 64\|--threads" "$tmp/u" ||
		{ echo "# --threads $a: exit $st: $(cat "$tmp/u")"; st=x; }
	echo "$st" >>"$tmp/us"
done
res "$([ "$(sort -u "$tmp/us")" = 2 ]; echo $?)" \
	"--threads 0, 65 and x: bad usage (exit 2)"
"$dmaown" check --threads 2 --random 5 --seed 1 \
	"$src/tests/cli/scenarios/sibling.own" >/dev/null 2>"$tmp/u"
st=$?
res "$([ "$st" = 2 ] && grep -q "not with '--random'" "$tmp/u"; echo $?)" \
	"--threads with --random: bad usage (exit 2)" "exit $st: $(cat "$tmp/u")"
rm -rf "$tmp"
