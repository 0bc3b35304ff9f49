#!/bin/sh
# SPDX-License-Identifier: MIT
# Limits that protect the user.  A file within every limit of the format
# (8 threads of 64 statements) has more schedules than any machine can
# explore: check stops it at the time limit (60 s unless --time-limit
# says otherwise), says so in the summary, and on a terminal shows its
# progress meanwhile (tested on a pseudo-terminal, by what is printed,
# not by how long it takes).  Executions cut short by a BUG are counted;
# --time-limit takes decimal seconds only; 0 means no limit for both
# limits.
set -u
dmaown=${DMAOWN_BUILD:?}/dmaown
src=${DMAOWN_SRC:?}
d=$src/tests/cli/scenarios
tmp=${TMPDIR:-/tmp}/dmaown-limits.$$
mkdir -p "$tmp"
n=0
res() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else
		echo "not ok $n - $2"; shift 2
		for l in "$@"; do printf '%s\n' "$l" | sed 's/^/#   /'; done
	fi
}

# Eight threads of 32 statements, each binding and unbinding its own
# device of one group: the orders of the group mutex alone are countless.
big=$tmp/big.own
{
	echo "test big"
	echo "bus pci"
	echo "driver k pci"
	for i in 0 1 2 3 4 5 6 7; do echo "device d$i pci group 1"; done
	for i in 0 1 2 3 4 5 6 7; do
		echo "thread P$i {"
		j=0
		while [ $j -lt 16 ]; do
			printf '  bind d%s k\n  unbind d%s\n' "$i" "$i"
			j=$((j + 1))
		done
		echo "}"
	done
	echo "expect ok"
} >"$big"

echo "1..17"
# On a pseudo-terminal: the progress line, then the summary.
script -qc "'$dmaown' check --quiet --time-limit 2 '$big'" /dev/null \
	</dev/null >"$tmp/tty" 2>&1
st=$?
tr '\r' '\n' <"$tmp/tty" >"$tmp/tty.lines"
grep -q '^explored [0-9]* executions, [0-9]* events, [0-9.]*s$' "$tmp/tty.lines"
res $? "on a terminal, a long search shows its progress" "$(cat "$tmp/tty.lines")"
grep -q '^incomplete big upstream kernel=6.17 executions=[0-9]* states=1 expect=INCOMPLETE:held=0,unjudged=1 stopped=time-limit:2 time=' \
	"$tmp/tty.lines"
res $? "the time limit stops it, and the summary says so" "$(cat "$tmp/tty.lines")"

# Off a terminal: no progress line, and the exit status of a limit.
"$dmaown" check --time-limit 1 "$big" >"$tmp/out" 2>"$tmp/err"
st=$?
res "$([ "$st" = 3 ] && [ ! -s "$tmp/err" ]; echo $?)" \
	"off a terminal: exit 3, nothing on standard error" "exit $st" \
	"$(cat "$tmp/err")"
grep -qxF 'Stopped: at the time limit of 1 s (--time-limit 1; 0 for no limit)' "$tmp/out"
res $? "a Stopped: line says how to go further" "$(tail -n 4 "$tmp/out")"

# run lists the final states first, under the same limit.
"$dmaown" run "$big" --time-limit 1 --seed 1 >"$tmp/run" 2>&1
st=$?
res "$([ "$st" = 3 ] && grep -qxF "Skipped: the explorer's list of final states stopped at its limit (1s): not run on real threads" "$tmp/run"; echo $?)" \
	"run: a listing the time limit stops is no reference: no run, exit 3" \
	"exit $st" "$(cat "$tmp/run")"

# The default: what the code applies is what --help and dmaown(1) say.
grep -q '^#define DEFAULT_TIME_LIMIT 60\.0$' "$src/cli/dmaown.c" &&
	"$dmaown" check --help | grep -qF '(default 60; 0: no limit)' &&
	grep -qx 'stops each test and policy after 60 seconds unless' "$src/doc/dmaown.1" &&
	grep -qF '.B stopped=time\-limit:60' "$src/doc/dmaown.1"
res $? "the default time limit is 60 s, in the code, --help and LIMITS"

# 0: no limit, for either option.
"$dmaown" check --quiet --time-limit 0 --max-executions 0 "$d/race-claims.own" \
	>"$tmp/zero" 2>&1
st=$?
grep -q '^ok cli-race-claims upstream kernel=6.17 executions=2 states=2 observation=Never expect=PASS time=' "$tmp/zero"
res "$([ "$st" = 0 ] && grep -q 'expect=PASS' "$tmp/zero"; echo $?)" \
	"--time-limit 0 --max-executions 0: no limit, the search ends" \
	"exit $st: $(cat "$tmp/zero")"

# Decimal seconds only: strtod() would take these.
for v in 0x10 1e3 inf nan -1 1.2.3; do
	"$dmaown" check --time-limit "$v" "$d/claim-ok.own" >"$tmp/out" 2>"$tmp/err"
	st=$?
	[ "$st" = 2 ] && [ ! -s "$tmp/out" ] &&
		[ "$(cat "$tmp/err")" = "dmaown: error: option '--time-limit' needs a number of seconds, not '$v' (try 'dmaown --help')" ]
	res $? "--time-limit $v is refused" "exit $st" "$(cat "$tmp/err")"
done
"$dmaown" check --quiet --time-limit .5 "$d/claim-ok.own" >/dev/null 2>&1
res $? "--time-limit .5 is taken"

# Executions a BUG cut short: counted in the summary and in JSON.
"$dmaown" check --quiet --policy legacy "$d/sibling.own" >"$tmp/cut" 2>&1
grep -q '^violation cli-sibling legacy kernel=5.18 executions=1 states=1 cut=2 ' "$tmp/cut"
res $? "cut=N counts the executions a BUG_ON ended" "$(cat "$tmp/cut")"
"$dmaown" check --json --policy legacy "$d/sibling.own" >"$tmp/cutj" 2>&1
grep -q '"executions":1,"states":1,"cut":2,' "$tmp/cutj"
res $? "... and so does JSON's cut" "$(cat "$tmp/cutj")"
"$dmaown" check --quiet --policy upstream "$d/sibling.own" >"$tmp/nocut" 2>&1
! grep -q ' cut=' "$tmp/nocut"
res $? "no cut= when none was cut short" "$(cat "$tmp/nocut")"
rm -rf "$tmp"
