#!/bin/sh
# SPDX-License-Identifier: MIT
# Exit statuses of run and replay.  run judges the file's expect lines as
# far as real-thread runs can and says plainly which it cannot; a
# violation the file expects, or one under a policy no line judges, is no
# failure.  replay exits by whether the execution shows what its schedule
# was reported for (--violation, which check's replay commands carry), or,
# without it, by whether it contradicts the expect lines.
set -u
dmaown=${DMAOWN_BUILD:?}/dmaown
src=${DMAOWN_SRC:?}
d=$src/tests/cli/scenarios
tmp=${TMPDIR:-/tmp}/dmaown-runreplay.$$
mkdir -p "$tmp"
n=0

run() {
	name=$1
	shift
	"$dmaown" "$@" >"$tmp/$name" 2>&1
	st=$?
}
# check_ STATUS NAME DESC [LINE...]: the exit status, and each LINE whole
# in the output.
check_() {
	want=$1
	name=$2
	desc=$3
	shift 3
	bad=
	[ "$st" = "$want" ] || bad="exit $st, want $want"
	for l in "$@"; do
		grep -qxF -- "$l" "$tmp/$name" || bad="$bad; missing: $l"
	done
	n=$((n + 1))
	if [ -z "$bad" ]; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		echo "#   $bad"
		sed 's/^/#   got: /' "$tmp/$name" | grep -v '^#   got:     '
	fi
}
mask() { sed 's/ seed=.*//; s/ time=[0-9.]*$//' "$tmp/$1" >"$tmp/$1.m"; }
# Which final states real threads reach, and so which violations, is up
# to the machine: those checks look at what does not depend on it.
nofail() {
	n=$((n + 1))
	if grep -q "$2" "$tmp/$1" && ! grep -q '^Verdict FAIL' "$tmp/$1"; then
		echo "ok $n - $3"
	else
		echo "not ok $n - $3"
		sed 's/^/#   got: /' "$tmp/$1"
	fi
}

echo "1..14"
run fail run "$d/claim-fail.own" --iterations 5 --seed 1
mask fail
check_ 1 fail "run: a real run that contradicts an expect line fails" \
	"Verdict FAIL $d/claim-fail.own:13: expect Always: the condition held in 0 of 5 real-thread runs (Never)"

# The file's race line, which real threads cannot judge.
{ cat "$d/sibling.own"; echo "expect legacy violation race"; } >"$tmp/sibling-race.own"
run legacy run "$tmp/sibling-race.own" --policy legacy --iterations 20 --seed 1
mask legacy
check_ 0 legacy.m "run: violations the file expects are no failure" \
	"Verdict UNJUDGED $tmp/sibling-race.own:23: expect legacy violation race: real threads have no race detector: only the explorer can judge it"
nofail legacy.m '^ok cli-sibling legacy kernel=5.18 runs=20 .* expect=UNREFUTED:' \
	"... and its summary says so"

sed '/^expect legacy/d' "$d/sibling.own" >"$tmp/upstream-only.own"
run unjudged run "$tmp/upstream-only.own" --policy legacy --iterations 20 --seed 1
mask unjudged
check_ 0 unjudged.m "run: a policy no expect line judges is not judged"
grep -v ' expect=' "$tmp/unjudged.m" >"$tmp/unjudged.n"
nofail unjudged.n '^ok cli-sibling legacy kernel=5.18 runs=20 ' \
	"... and its summary has no expect= field"

run never run "$d/race-claims.own" --iterations 10 --seed 2
check_ 0 never "run: a sample does not prove Never, and says so" \
	"Verdict UNJUDGED $d/race-claims.own:15: expect Never: the condition held in 0 of 10 real-thread runs so far, but a sample of runs cannot show what never happens"

u=$src/scenarios/c3-recompute-unload-uaf.own
run uaf run "$u" --policy recompute --iterations 5 --seed 1
mask uaf
check_ 3 uaf.m "run: an expected use after free is not run, and that is incomplete" \
	"Skipped: the explorer finds uaf: not run on real threads" \
	"Verdict HELD $u:24: expect recompute violation uaf: uaf found by the explorer" \
	"incomplete c3-recompute-unload-uaf recompute kernel=6.17 runs=0 states=0 unlisted=0 violation=uaf expect=UNREFUTED:held=1,unjudged=1"
# Without the uaf line, and with the race line for every version, so that
# an expect line judges recompute at the default version.
sed -e '/violation uaf/d' -e 's/^expect recompute@\.\.6\.15-rc1 /expect recompute /' "$u" \
	>"$tmp/uaf-unexpected.own"
run uaf2 run "$tmp/uaf-unexpected.own" --policy recompute --iterations 5 --seed 1
check_ 1 uaf2 "run: an unexpected use after free fails" \
	"Verdict FAIL $tmp/uaf-unexpected.own: every kind found is named by an expect line: found violation uaf, which no expect line for recompute names"

# replay: the command check prints, as printed.
cmd=$("$dmaown" check --policy legacy "$d/sibling.own" |
	sed -n 's/^  replay: //p' | grep -- '--violation bug$')
sh -c "$cmd" >"$tmp/printed" 2>&1
st=$?
check_ 0 printed "replay: the printed command shows what it was reported for" \
	"Verdict HELD: the execution shows the bug violation it was reported for (it shows: isolation,bug)"
sh -c "${cmd% bug} warn" >"$tmp/other" 2>&1
st=$?
check_ 1 other "replay --violation KIND: 1 when the execution does not show it" \
	"Verdict FAIL: the execution does not show the warn violation it was reported for (it shows: isolation,bug)"
run plain replay "$d/sibling.own" --policy legacy --schedule 0x37.1x11.0.2x21
check_ 0 plain "replay without --violation: violations the file expects are no failure" \
	"Verdict HELD $d/sibling.own:21: expect legacy violation bug: bug found"
run unjudged-replay replay "$tmp/upstream-only.own" --policy legacy --schedule 0x37.1x11.0.2x21
check_ 0 unjudged-replay "replay under a policy no expect line judges: 0" \
	"Verdict UNJUDGED: no expect line of the file applies to policy legacy"

# A WARN the file does not expect: check fails, and so does its replay
# without --violation; with it, the replay shows what it was reported for.
w=$tmp/warn.own
printf 'test warn\nbus pci\ndevice d pci group 1\nthread P0 {\n  release 1\n}\nexpect ok\n' >"$w"
sched=$("$dmaown" check "$w" | sed -n 's/^  schedule: //p')
run wplain replay "$w" --schedule "$sched"
check_ 1 wplain "replay: a violation no expect line allows is 1" \
	"Verdict FAIL $w:7: expect ok: found violation warn"
run wkind replay "$w" --schedule "$sched" --violation warn
check_ 0 wkind "replay --violation warn of that execution: 0" \
	"Verdict HELD: the execution shows the warn violation it was reported for (it shows: warn)"
rm -rf "$tmp"
