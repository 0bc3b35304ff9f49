#!/bin/sh
# SPDX-License-Identifier: MIT
# Kernel versions on the command line: `dmaown versions` lists every one
# with its commits; --kernel V and --kernel all choose them and summary
# lines, JSON and replay commands name them; a bad `kernel` or `config`
# line, an unknown --kernel, an operation the chosen version lacks and a
# design that does not run there are usage errors (exit 2, one line).
set -u
dmaown=${DMAOWN_BUILD:?}/dmaown
src=${DMAOWN_SRC:?}
d=$src/tests/cli/kernel
tmp=${TMPDIR:-/tmp}/dmaown-kernel.$$
n=0

pass() { n=$((n + 1)); echo "ok $n - $1"; }
fail() { n=$((n + 1)); echo "not ok $n - $1"; }

# bad PATTERN DESC ARGS...: exit 2, nothing on stdout, one stderr line.
bad() {
	pat=$1
	desc=$2
	shift 2
	"$dmaown" "$@" >"$tmp.out" 2>"$tmp.err"
	st=$?
	lines=$(wc -l <"$tmp.err")
	if [ "$st" = 2 ] && [ "$lines" = 1 ] && [ ! -s "$tmp.out" ] &&
		grep -q -- "$pat" "$tmp.err"; then
		pass "$desc"
	else
		fail "$desc"
		echo "#   exit $st (want 2), $lines stderr lines (want 1): $*"
		sed 's/^/#   stderr: /' "$tmp.err"
	fi
}

echo "1..23"
"$dmaown" versions >"$tmp.v" 2>&1
st=$?
if [ "$st" = 0 ]; then pass "versions exits 0"; else fail "versions exits 0 ($st)"; fi
missing=
for v in 5.18 5.19 6.0 6.1 6.2-rc1 6.2 6.3 6.4 6.5 6.6 6.7 6.15-rc1 6.15 6.17; do
	grep -q "^$v[: ]" "$tmp.v" || grep -qx "$v" "$tmp.v" || missing="$missing $v"
done
if [ -z "$missing" ]; then pass "versions lists every version"
else fail "versions lists every version (missing:$missing)"; fi
commits=$(grep -c '^  [0-9a-f]\{12\} ' "$tmp.v")
if [ "$commits" -ge 25 ]; then pass "versions names $commits commits"
else fail "versions names $commits commits, want 25 or more"; fi
if grep -q '^6.17 (default)' "$tmp.v"; then pass "the newest is the default"
else fail "the newest is the default"; fi

E='^dmaown: error: '
bad "${E}unknown kernel version '6.9' (known: 5.18 .* 6.17 all)" \
	"unknown --kernel for check" check --kernel 6.9 "$d/claim-dev.own"
bad "${E}unknown kernel version 'all' (known: 5.18 .* 6.17)" \
	"replay takes one version" replay "$d/claim-dev.own" --kernel all \
	--schedule 0
bad "${E}unknown kernel version '5.4'" "unknown --kernel for run" \
	run "$d/claim-dev.own" --kernel 5.4
bad "${E}option '--kernel' needs an argument" "missing --kernel value" \
	check "$d/claim-dev.own" --kernel
bad "bad-kernel.own:2:8: error: unknown kernel version '6.9' (known: 5.18, " \
	"a bad kernel line" check "$d/bad-kernel.own"
bad "bad-config.own:2:8: error: unknown kernel configuration option 'DEBUG_KOBJECT'" \
	"an unknown config" check "$d/bad-config.own"
bad "claim-dev.own:9:8: error: 'claim_dev' needs kernel 6.2-rc1 or later (89395ccedbc1 iommu: Add device-centric DMA ownership interfaces); this run is kernel 6.1" \
	"an op the chosen version lacks" check --kernel 6.1 "$d/claim-dev.own"
bad "old-kernel.own:9:8: error: 'claim_dev' needs kernel 6.2-rc1" \
	"an op the file's own kernel lacks" check "$d/old-kernel.own"
bad "claim-dev.own:9:8: error: 'claim_dev' needs kernel 6.2-rc1" \
	"replay at a version without the op" replay "$d/claim-dev.own" \
	--kernel 6.0 --schedule 0
bad "cdx-bus.own:4:9: error: bus shape 'cdx' needs kernel 6.4 or later (2959ab247061 cdx: add the cdx bus driver); this run is kernel 6.3" \
	"a bus shape the chosen version lacks" check --kernel 6.3 "$d/cdx-bus.own"
bad "${E}.*cdx-bus.own: policy cdx-fix does not run at kernel 6.4 (cdx-fix changes the cdx callbacks, which take counts from 6.5 on)" \
	"cdx-fix before cdx took counts" \
	check --kernel 6.4 --policy cdx-fix "$d/cdx-bus.own"
bad "${E}.*claim-dev.own: policy legacy does not run at kernel 6.2 (legacy is kernel 5.18 alone)" \
	"a design at a version it does not run at" \
	check --kernel 6.2 --policy legacy "$d/claim-dev.own"
bad "${E}.*claim-dev.own: no kernel version runs it under the policies asked for" \
	"legacy cannot run a file with a device claim" \
	check --kernel all --policy legacy "$d/claim-dev.own"

out=$("$dmaown" check --quiet --kernel 6.2 "$d/claim-dev.own")
st=$?
if [ "$st" = 0 ] && printf '%s\n' "$out" |
	grep -q '^ok cli-kernel-claim-dev upstream kernel=6.2 executions=1 '; then
	pass "kernel=V right after the policy"
else fail "kernel=V right after the policy"; printf '%s\n' "$out" | sed 's/^/#   /'; fi
out=$("$dmaown" check --json --kernel 6.2 "$d/claim-dev.own")
if printf '%s\n' "$out" | grep -q '"policy":"upstream","kernel":"6.2",'; then
	pass "JSON has a kernel member"
else fail "JSON has a kernel member"; fi
out=$("$dmaown" check --quiet --kernel all --policy all "$d/claim-dev.own")
st=$?
lines=$(printf '%s\n' "$out" | grep -c ' kernel=')
skipped=$(printf '%s\n' "$out" | grep -c -e ' legacy ' -e 'kernel=6.1 ' -e 'kernel=5.19 ')
if [ "$st" = 0 ] && [ "$lines" -gt 40 ] && [ "$skipped" = 0 ]; then
	pass "--kernel all runs every version that has the op ($lines runs)"
else fail "--kernel all runs every version that has the op ($lines runs, $skipped wrong, exit $st)"; fi
out=$("$dmaown" check --quiet --kernel all --policy all "$d/by-version.own")
st=$?
judged=$(printf '%s\n' "$out" | grep -c 'expect=PASS')
legacy=$(printf '%s\n' "$out" | grep -c '^ok cli-kernel-by-version legacy kernel=5.18 .*expect=PASS')
v6=$(printf '%s\n' "$out" | grep 'kernel=6.1 ' | grep -c '^violation cli-kernel-by-version v6 .*expect=PASS')
v6other=$(printf '%s\n' "$out" | grep 'kernel=6.2 ' | grep ' v6 ' | grep -c 'expect=')
if [ "$st" = 0 ] && [ "$legacy" = 1 ] && [ "$v6" = 1 ] && [ "$v6other" = 0 ] &&
	[ "$judged" = 15 ]; then
	pass "@V lines apply to their versions only"
else fail "@V lines apply to their versions only (exit $st, $judged judged, legacy $legacy, v6 $v6/$v6other)"
	printf '%s\n' "$out" | sed 's/^/#   /'; fi
out=$("$dmaown" check --policy legacy --kernel 5.18 "$src/scenarios/vfio-sibling-bind.own")
if printf '%s\n' "$out" | grep -q '^  replay: .* replay .*vfio-sibling-bind.own --policy legacy --kernel 5.18 --schedule '; then
	pass "replay commands name the version"
else fail "replay commands name the version"; fi
"$dmaown" check --kernel all --policy all --quiet "$src/scenarios" >"$tmp.all" 2>&1
st=$?
if [ "$st" = 0 ] && ! grep -q 'expect=FAIL' "$tmp.all"; then
	pass "the corpus holds at every version and policy ($(wc -l <"$tmp.all") runs)"
else fail "the corpus holds at every version and policy (exit $st)"
	grep -v 'expect=PASS' "$tmp.all" | grep -v '^ok.* time=' | head -20 | sed 's/^/#   /'; fi
rm -f "$tmp".*
