#!/bin/sh
# SPDX-License-Identifier: MIT
# The host commands on the saved trees (scripts/mktree from tests/host/topo),
# pinned byte for byte: dmaown groups (text and JSON) on every tree, plan
# and export on the cases TOPOLOGIES.md asks about, and apply and undo on
# a copy through the simulated kernel.  The commands run in the directory
# of the trees, so that the paths they print are the trees' own names.
# DMAOWN_REGEN=1 rewrites the golden files instead (review the diff!).
set -u
dmaown=${DMAOWN_BUILD:?}/dmaown
src=${DMAOWN_SRC:?}
golden=$src/tests/host/golden
trees=$DMAOWN_BUILD/trees
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dmaown-golden.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0

# case_ NAME ARGS...: compare the output (stdout, stderr, exit status) of
# `dmaown ARGS`, run in the current directory, with golden/NAME.
# show_ NAME FILE: the same for a file the commands wrote.
case_() {
	name=$1
	shift
	"$dmaown" "$@" >"$tmp/out" 2>&1
	echo "exit $?" >>"$tmp/out"
	compare "$name"
}
show_() {
	cp "$2" "$tmp/out"
	compare "$1"
}
compare() {
	name=$1
	# Journals name the copy's real path and hash it into each line.
	sed -e "s|$tmp|TMP|g" -e 's/ ~[0-9a-f]\{8\}$/ ~SUM/' "$tmp/out" \
		>"$tmp/masked"
	n=$((n + 1))
	if [ "${DMAOWN_REGEN:-}" = 1 ]; then
		cp "$tmp/masked" "$golden/$name"
		echo "ok $n - $name # regenerated"
	elif cmp -s "$tmp/masked" "$golden/$name"; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		diff -u "$golden/$name" "$tmp/masked" | sed 's/^/# /'
	fi
}

cd "$trees" || exit 1
for t in $(ls "$src/tests/host/topo" | sed 's/\.topo$//'); do
	case_ "$t.groups.txt" groups --sysfs "$t/sys"
	case_ "$t.groups.json" groups --json --sysfs "$t/sys"
done

# The questions of TOPOLOGIES.md, one plan each.
case_ t1-g1.plan plan vfio 1 --sysfs t1-desktop/sys
case_ t1-g1.plan.json plan vfio 1 --json --sysfs t1-desktop/sys
case_ t1-g2.plan plan vfio 0000:00:14.0 --sysfs t1-desktop/sys
case_ t1-g13.plan plan vfio 13 --sysfs t1-desktop/sys
case_ t1-g1.5.18.plan plan vfio 1 --kernel 5.18 --sysfs t1-desktop/sys
case_ t1b-g3.plan plan vfio 3 --sysfs t1b-cometlake/sys
case_ t1b-g3-sram.plan plan vfio 0000:00:14.2 --sysfs t1b-cometlake/sys
case_ t1c-g2.plan plan vfio 2 --sysfs t1c-turing/sys
case_ t3b-direct.plan plan vfio 9 --sysfs t3b-pch-direct/sys
case_ t3b-relaxable.plan plan vfio 9 --sysfs t3b-pch-relaxable/sys
case_ t3b-relaxable.force.plan plan vfio 9 --force --sysfs t3b-pch-relaxable/sys
case_ t3c-g5.plan plan vfio 5 --sysfs t3c-apu/sys
case_ t3d-g1.plan plan vfio 1 --sysfs t3d-haswell/sys
case_ t4-g98.plan plan vfio 0000:86:00.1 --sysfs t4-sriov/sys
case_ t4-g94.plan plan vfio 94 --sysfs t4-sriov/sys
case_ t4-a10-g44.plan plan vfio 44 --sysfs t4-a10/sys
case_ t4b-g1.plan plan vfio 1 --sysfs t4b-pf-vfs/sys
case_ t5-g45-g49.plan plan vfio 45 49 --sysfs t5-switches/sys
case_ t5-g50.plan plan vfio 50 --sysfs t5-switches/sys
case_ t5-ids-g45.plan plan vfio 45 --sysfs t5-ids/sys
case_ s04-g38.plan plan vfio 38 --sysfs s04-quad-nic/sys
case_ s04-g38.force.plan plan vfio 38 --force --sysfs s04-quad-nic/sys
case_ s06-g7.plan plan vfio 7 --sysfs s06-pci-bridge/sys
case_ s06-g7.5.18.plan plan vfio 7 --kernel 5.18 --sysfs s06-pci-bridge/sys
case_ s07-g12.plan plan vfio 12 --sysfs s07-amd-chipset/sys
case_ s14.plan plan vfio 0000:01:00.0 --sysfs s14-no-iommu/sys
case_ s19-g13.plan plan vfio 13 --sysfs s19-owned/sys
case_ odd-g21-g40.plan plan vfio 21 40 --sysfs odd-members/sys

# Scenarios for dmaown check.
case_ t1-g1.own export 1 --sysfs t1-desktop/sys
case_ t1-g1.unbind-first.own export 1 --order unbind-first --sysfs t1-desktop/sys
case_ t1-g1.5.18.own export 1 --kernel 5.18 --sysfs t1-desktop/sys
case_ t1c-g2.own export 2 --sysfs t1c-turing/sys
case_ s06-g7.own export 7 --sysfs s06-pci-bridge/sys
case_ t4-g94.own export 94 --sysfs t4-sriov/sys
case_ t3c-g5.own export 5 --sysfs t3c-apu/sys

# The bundled examples are what export writes today.
for order in override-first unbind-first; do
	f=t1-gpu-audio
	[ $order = unbind-first ] && f=t1-gpu-audio-unbind-first
	"$dmaown" export 1 --order $order --sysfs t1-desktop/sys -o "$tmp/$f.own"
	n=$((n + 1))
	if cmp -s "$tmp/$f.own" "$src/scenarios/host/$f.own"; then
		echo "ok $n - scenarios/host/$f.own is what export writes"
	else
		echo "not ok $n - scenarios/host/$f.own is what export writes"
		diff -u "$src/scenarios/host/$f.own" "$tmp/$f.own" | sed 's/^/# /'
	fi
done

# apply and undo on a copy, through the simulated kernel.
cp -a t1-desktop s04-quad-nic "$tmp/"
cd "$tmp" || exit 1
case_ t1-g1.dry-run apply vfio 1 --dry-run --sysfs t1-desktop/sys
case_ t1-g1.apply apply vfio 1 --journal j1 --simulate --sysfs t1-desktop/sys
case_ t1-g1.applied groups 1 --sysfs t1-desktop/sys
show_ t1-g1.journal j1
case_ t1-g1.undo undo j1 --simulate --sysfs t1-desktop/sys
case_ t1-g1.undo-again undo j1 --simulate --sysfs t1-desktop/sys
case_ t1-g1.apply-fail5 apply vfio 1 --journal j2 --simulate --fail-write 5 --sysfs t1-desktop/sys
case_ t1-g1.apply-fail5-6 apply vfio 1 --journal j3 --simulate --fail-write 5,6 --sysfs t1-desktop/sys
show_ t1-g1.journal-incomplete j3
case_ t1-g1.undo-incomplete undo j3 --simulate --sysfs t1-desktop/sys
case_ t1-g1.apply-again apply vfio 1 --journal j1 --simulate --sysfs t1-desktop/sys
case_ t1-g13.apply apply vfio 13 --journal j4 --simulate --sysfs t1-desktop/sys
case_ s04-g38.apply apply vfio 38 --journal j5 --simulate --sysfs s04-quad-nic/sys
echo "1..$n"
