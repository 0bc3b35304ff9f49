#!/bin/sh
# SPDX-License-Identifier: MIT
# dmaown export, then dmaown check, on the saved trees: the plan's order
# passes under every interleaving, and the wrong order (the unbind before
# driver_override) fails with a schedule that dmaown replay re-runs.
#
# The plan's file expects "condition Always" beside the data race that
# drivers_probe has before 6.15 (dmaown-host(1), EXPORT), so that the
# wrong order fails on the condition alone.
set -u
dmaown=${DMAOWN_BUILD:?}/dmaown
src=${DMAOWN_SRC:?}
trees=$DMAOWN_BUILD/trees
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dmaown-export.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0

result() {
	n=$((n + 1))
	if [ "$1" = yes ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		sed 's/^/# /' "$tmp/out" | head -40
	fi
}

# The bundled pair: the plan passes, the wrong order fails with a trace.
"$dmaown" check "$src/scenarios/host/t1-gpu-audio.own" >"$tmp/out" 2>&1
st=$?
[ $st = 0 ] && r=yes || r=no
result $r "t1-gpu-audio.own: check passes (exit $st)"
grep -q '^ok\|^violation .* observation=Always violation=race expect=PASS' \
	"$tmp/out" && r=yes || r=no
result $r "t1-gpu-audio.own: the host driver never comes back, in every interleaving"

"$dmaown" check "$src/scenarios/host/t1-gpu-audio-unbind-first.own" \
	>"$tmp/out" 2>&1
st=$?
[ $st = 1 ] && r=yes || r=no
result $r "t1-gpu-audio-unbind-first.own: check fails (exit $st)"
grep -q 'expect=FAIL' "$tmp/out" && r=yes || r=no
result $r "t1-gpu-audio-unbind-first.own: the condition fails"
schedule=$(sed -n '/^Counterexample:/,/replay:/s/^  schedule: //p' "$tmp/out")
[ -n "$schedule" ] && r=yes || r=no
result $r "t1-gpu-audio-unbind-first.own: a schedule to replay"
"$dmaown" replay "$src/scenarios/host/t1-gpu-audio-unbind-first.own" \
	--schedule "$schedule" >"$tmp/out" 2>&1
grep -q '^Final state: .*driver(0000:01:00.0)=nouveau;' "$tmp/out" &&
	grep -q '^Condition: false$' "$tmp/out" && r=yes || r=no
result $r "t1-gpu-audio-unbind-first.own: the replay ends with nouveau back on the GPU"
grep -q '^ *[0-9]* autoprobe *write *&dev->driver = nouveau' "$tmp/out" &&
	r=yes || r=no
result $r "t1-gpu-audio-unbind-first.own: the autoprobe is what binds it"

# The 5.18 rule: the same pair, under the legacy model's violations.
cd "$trees" || exit 1
for order in override-first unbind-first; do
	"$dmaown" export 1 --kernel 5.18 --order $order --sysfs t1-desktop/sys \
		-o "$tmp/x.own" >"$tmp/out" 2>&1 &&
		"$dmaown" check --quiet "$tmp/x.own" >"$tmp/out" 2>&1
	st=$?
	want=0 obs=Always
	[ $order = unbind-first ] && want=1 obs=Sometimes
	[ $st = $want ] && grep -q " legacy kernel=5.18 .* observation=$obs violation=isolation,bug,warn,race " "$tmp/out" &&
		r=yes || r=no
	result $r "t1-desktop group 1, 5.18, $order: exit $st, observation $obs"
done

# Every plan of the trees of TOPOLOGIES.md that needs no --force: its
# scenario passes check.
for spec in "t1-desktop 1" "t1-desktop 2" "t1-desktop 4" "t1-desktop 5" \
	"t1-desktop 10" "t1b-cometlake 3" "t1b-cometlake 14" \
	"t1c-turing 2" "t3d-haswell 1" "t3d-haswell 2" "t3d-haswell 12" \
	"t4-sriov 98" "t4-sriov 141" "t4-i350 40" "t5-switches 45" \
	"t5-switches 49" "s06-pci-bridge 7" "odd-members 21"; do
	set -- $spec
	"$dmaown" export "$2" --sysfs "$1/sys" -o "$tmp/x.own" >"$tmp/out" 2>&1 &&
		"$dmaown" check --quiet "$tmp/x.own" >>"$tmp/out" 2>&1
	st=$?
	[ $st = 0 ] && r=yes || r=no
	result $r "$1 group $2: export, then check passes (exit $st)"
done
echo "1..$n"
