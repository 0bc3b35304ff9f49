#!/bin/sh
# SPDX-License-Identifier: MIT
# Expectations are judged line by line.  A FAIL names the expect line
# (FILE:LINE) and why, in text and JSON.  A search cut short (--first,
# --max-executions, --time-limit) judges only what it saw: what it did not
# see is unjudged, and the result is never PASS: a failure it saw is FAIL
# (exit 1), else INCOMPLETE (exit 3), with expect= saying how many lines
# held and how many could not be judged.
set -u
dmaown=${DMAOWN_BUILD:?}/dmaown
d=${DMAOWN_SRC:?}/tests/cli/scenarios
tmp=${TMPDIR:-/tmp}/dmaown-expect.$$
mkdir -p "$tmp"
n=0

# Only the WARN of a release without owner can happen; the file also
# expects a deadlock, so it must fail, and --first, which stops at the
# WARN, must not turn that into a pass.
w=$tmp/warn.own
cat >"$w" <<'EOF'
test warn-not-deadlock
bus pci
device d pci group 1
thread P0 {
  release 1
}
thread P1 {
  r0 = claim 1 alice
}
expect violation warn
expect violation deadlock
EOF
# The same WARN where the file expects none: a cut search that saw it
# fails.
u=$tmp/unexpected.own
sed -e 's/^test .*/test warn-unexpected/' -e '/^expect/d' "$w" >"$u"
echo 'expect ok' >>"$u"

# run NAME ARGS...: output in $tmp/NAME, status in $st.
run() {
	name=$1
	shift
	"$dmaown" "$@" >"$tmp/$name" 2>&1
	st=$?
}
# has NAME LINE DESC: the output holds LINE, once, whole.
has() {
	n=$((n + 1))
	if [ "$(grep -cxF -- "$2" "$tmp/$1")" = 1 ]; then
		echo "ok $n - $3"
	else
		echo "not ok $n - $3"
		echo "#   wanted the line: $2"
		sed 's/^/#   got: /' "$tmp/$1" | grep -v '^#   got:     '
	fi
}
status() {
	n=$((n + 1))
	if [ "$st" = "$1" ]; then echo "ok $n - $2"
	else echo "not ok $n - $2"; echo "#   exit $st, want $1"; fi
}
mask() { sed 's/ time=[0-9.]*$//; s/,"time":[0-9.]*}$/}/' "$tmp/$1" >"$tmp/$1.m"; }

echo "1..21"
run full check "$w"
status 1 "a file expecting a deadlock that cannot happen fails"
has full "Verdict FAIL $w:11: expect violation deadlock: no execution shows a deadlock violation (found: warn)" \
	"the FAIL names the line and why"
has full "Verdict HELD $w:10: expect violation warn: warn found" \
	"and says which line held"

run first check --first "$w"
status 3 "--first, stopped at the WARN, is incomplete, not a pass"
mask first
has first.m "violation warn-not-deadlock upstream kernel=6.17 executions=1 states=1 violation=warn expect=INCOMPLETE:held=1,unjudged=2 stopped=first" \
	"its summary says what could and could not be judged"
has first "Verdict UNJUDGED $w:11: expect violation deadlock: no deadlock in 1 execution explored, but --first stopped the search" \
	"the deadlock line is unjudged, and says why"

run firstjson check --first --json "$w"
mask firstjson
has firstjson.m '{"test":"warn-not-deadlock","policy":"upstream","kernel":"6.17","result":"violation","executions":1,"states":1,"cut":0,"observation":null,"violations":[{"kind":"warn","message":"WARN_ON(!owner_cnt || !owner)","schedule":"0x11.1x5.0.2x13.0x2"}],"expect":"INCOMPLETE","expectations":[{"where":"'"$w"':10","expect":"expect violation warn","verdict":"HELD","why":"warn found"},{"where":"'"$w"':11","expect":"expect violation deadlock","verdict":"UNJUDGED","why":"no deadlock in 1 execution explored, but --first stopped the search"},{"where":"'"$w"'","expect":"every kind found is named by an expect line","verdict":"UNJUDGED","why":"no other kind in 1 execution explored, but --first stopped the search"}],"stopped":"first"}' \
	"the same in JSON"

run unexp check --first "$u"
status 1 "a violation a cut search saw and no line allows fails"
has unexp "Verdict FAIL $u:10: expect ok: found violation warn" \
	"and names the expect ok line"

run limit check --quiet --max-executions 1 "$d/race-claims.own"
status 3 "--max-executions 1 of 2: incomplete"
mask limit
has limit.m "incomplete cli-race-claims upstream kernel=6.17 executions=1 states=1 observation=Never expect=INCOMPLETE:held=0,unjudged=1 stopped=max-executions:1" \
	"an expect line a limit left open is counted as unjudged"

run fail check "$d/claim-fail.own"
has fail "Verdict FAIL $d/claim-fail.own:13: expect Always: the condition held in 0 of 1 execution explored (Never)" \
	"an observation that failed: the line, the counts, the observation"
run failjson check --json "$d/claim-fail.own"
mask failjson
has failjson.m '{"test":"cli-claim-fail","policy":"upstream","kernel":"6.17","result":"ok","executions":1,"states":1,"cut":0,"observation":"Never","violations":[],"counterexample":{"state":"P0:r0=-EPERM; owner(3)=none; owner_cnt(3)=1; driver(0000:03:00.0)=e1000e;","schedule":"0x31.1x4.0x2"},"expect":"FAIL","expectations":[{"where":"'"$d"'/claim-fail.own:13","expect":"expect Always","verdict":"FAIL","why":"the condition held in 0 of 1 execution explored (Never)"}],"stopped":null}' \
	"the same in JSON"

run default check "$d/default-exists.own"
has default "Verdict FAIL $d/default-exists.own: no expect line: no violation, and the condition as its quantifier says: the condition held in 0 of 2 executions explored (Never)" \
	"a file without expect lines: the default rule is what failed"
run pass check "$d/claim-ok.own"
n=$((n + 1))
if grep -q '^Verdict' "$tmp/pass"; then
	echo "not ok $n - a pass prints no verdict lines"
	grep '^Verdict' "$tmp/pass" | sed 's/^/#   /'
else
	echo "ok $n - a pass prints no verdict lines"
fi
# "condition OBSERVATION": the observation alone, beside a violation the
# file names; a bare observation still implies ok.
c=$tmp/cond.own
cat >"$c" <<'EOF'
test cond-beside-warn
bus pci
device d pci group 1
thread P0 {
  release 1
}
thread P1 {
  r0 = claim 1 alice
}
forall (P1:r0 == 0)
expect condition Always
expect violation warn
EOF
run cond check --quiet "$c"
status 0 "condition Always beside the violation it names: the file passes"
mask cond
has cond.m "violation cond-beside-warn upstream kernel=6.17 executions=2 states=2 observation=Always violation=warn expect=PASS" \
	"with the observation and the violation on the summary line"
sed 's/^expect condition Always$/expect Always/' "$c" >"$tmp/bare.own"
run bare check "$tmp/bare.own"
status 1 "a bare Always beside the same violation fails"
has bare "Verdict FAIL $tmp/bare.own:11: expect Always: found violation warn (an observation implies ok)" \
	"since an observation implies ok"
sed 's/^expect condition Always$/expect condition Never/' "$c" >"$tmp/never.own"
run never check "$tmp/never.own"
status 1 "condition Never where it always holds fails"
has never "Verdict FAIL $tmp/never.own:11: expect condition Never: the condition held in 2 of 2 executions explored (Always)" \
	"naming the line as written"
rm -rf "$tmp"
