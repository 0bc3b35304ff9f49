#!/bin/sh
# SPDX-License-Identifier: MIT
# Every kind of bad usage: exit 2, nothing on standard output, and exactly
# one line on standard error, "dmaown: error: ...".  A typo in a scenario
# gives the parser's one FILE:LINE:COL line instead.
set -u
dmaown=${DMAOWN_BUILD:?}/dmaown
d=${DMAOWN_SRC:?}/tests/cli/scenarios
f=$d/claim-ok.own
tmp=${TMPDIR:-/tmp}/dmaown-usage.$$
n=0

# bad PATTERN DESC ARGS...: exit 2, one stderr line matching PATTERN.
bad() {
	pat=$1
	desc=$2
	shift 2
	"$dmaown" "$@" >"$tmp.out" 2>"$tmp.err"
	st=$?
	lines=$(wc -l <"$tmp.err")
	n=$((n + 1))
	if [ "$st" = 2 ] && [ "$lines" = 1 ] && [ ! -s "$tmp.out" ] &&
		grep -q -- "$pat" "$tmp.err"; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		echo "#   exit $st (want 2), $lines stderr lines (want 1): $*"
		sed 's/^/#   stderr: /' "$tmp.err"
		sed 's/^/#   stdout: /' "$tmp.out"
	fi
}

E='^dmaown: error: '
echo "1..27"
bad "${E}no command" "no command"
bad "${E}unknown command 'frobnicate'" "unknown command" frobnicate
bad "${E}unknown option '--frob'" "unknown top-level option" --frob
bad "${E}unknown option '--frob'" "unknown check option" check --frob "$f"
bad "${E}unknown option '-x'" "unknown short option" check -x "$f"
bad "${E}option '--policy' needs an argument" "missing policy" check --policy
bad "${E}unknown policy 'bogus'" "unknown policy" check --policy bogus "$f"
bad "${E}option '--max-executions' needs an argument" "missing count" \
	check "$f" --max-executions
bad "${E}option '--max-executions' needs a number, not 'abc'" \
	"non-numeric count" check --max-executions abc "$f"
bad "${E}option '--max-executions' needs a number, not '-1'" \
	"negative count" check --max-executions=-1 "$f"
bad "${E}option '--max-executions' needs a number, not '5x'" \
	"trailing junk" check --max-executions 5x "$f"
bad "${E}option '--time-limit' needs a number of seconds, not 'soon'" \
	"non-numeric time limit" check --time-limit soon "$f"
bad "${E}option '--json' takes no argument" "flag with a value" \
	check --json=yes "$f"
bad "${E}replay needs a scenario file" "replay without file" \
	replay --schedule x
bad "${E}replay needs --schedule" "replay without schedule" replay "$f"
bad "${E}option '--schedule' needs an argument" "replay schedule missing" \
	replay "$f" --schedule
bad "${E}unknown policy 'all'" "replay under all policies" \
	replay "$f" --schedule x --policy all
bad "${E}replay takes one file" "replay of two files" \
	replay "$f" "$f" --schedule x
bad "${E}schedule '0x99' does not fit" "a schedule too long for the file" \
	replay "$f" --schedule 0x99
bad "${E}schedule '0.7' does not fit" "a schedule naming no such thread" \
	replay "$f" --schedule 0.7
bad "${E}run needs a scenario file" "run without file" run
bad "${E}option '--iterations' needs a number, not 'many'" \
	"non-numeric iterations" run "$f" --iterations many
bad "${E}option '--seed' needs an argument" "run seed missing" run "$f" --seed
bad "${E}unknown option '--first' for run" "check option given to run" \
	run "$f" --first
bad "${E}'--version' takes no argument" "--version with an argument" \
	--version now
bad "typo.own:6:8: error: unknown operation 'clam'" "a typo in a file" \
	check "$d/typo.own"
bad "no-such-file.own" "a file that does not exist" \
	check "$d/no-such-file.own"
rm -f "$tmp.out" "$tmp.err"
