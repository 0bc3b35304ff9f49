#!/bin/sh
# SPDX-License-Identifier: MIT
# Trees that are broken: each gives its exact message, never a crash or a
# hang.  A directory that is no sysfs tree is exit 2 with one line naming
# it; a hole in a tree (a truncated copy, a link loop, a link out of the
# tree, a group that is no number, an unreadable file) is a finding about
# its device or group, and a group with a member it cannot read gets no
# verdict and no plan.  All on copies in a temporary directory.
set -u
dmaown=${DMAOWN_BUILD:?}/dmaown
trees=$DMAOWN_BUILD/trees
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dmaown-bad.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0

# has DESC WANT-EXIT TEXT ARGS...: the exit status, and TEXT as a whole
# line of the output (stdout and stderr).
has() {
	desc=$1 want=$2 text=$3
	shift 3
	timeout 20 "$dmaown" "$@" >"$tmp/out" 2>&1
	st=$?
	n=$((n + 1))
	if [ "$st" = "$want" ] && grep -qxF -- "$text" "$tmp/out"; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		echo "#   exit $st (want $want), want the line: $text"
		sed 's/^/#   got: /' "$tmp/out" | head -20
	fi
}

# usage DESC TEXT ARGS...: exit 2, TEXT as the one line on stderr,
# nothing on stdout.
usage() {
	desc=$1 text=$2
	shift 2
	"$dmaown" "$@" >"$tmp/out" 2>"$tmp/err"
	st=$?
	n=$((n + 1))
	if [ "$st" = 2 ] && [ ! -s "$tmp/out" ] &&
		[ "$(wc -l <"$tmp/err")" = 1 ] && grep -qxF -- "$text" "$tmp/err"; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		echo "#   exit $st, want the one line: $text"
		sed 's/^/#   stderr: /' "$tmp/err"
		sed 's/^/#   stdout: /' "$tmp/out"
	fi
}

cd "$tmp" || exit 1
cp -a "$trees/t1-desktop" t
d=t/sys/devices/pci0000:00

# Not a tree at all.
mkdir empty
usage "an empty directory" \
	"dmaown: error: empty: not a sysfs tree (no bus/ or devices/ in it)" \
	groups --sysfs empty
usage "a saved tree's folder instead of its sys/" \
	"dmaown: error: t: not a sysfs tree (no bus/ or devices/ in it); a saved tree's sysfs is its sys/: --sysfs t/sys" \
	groups --sysfs t
usage "no such directory" "dmaown: error: nowhere: no such directory" \
	groups --sysfs nowhere
usage "a file instead of a directory" \
	"dmaown: error: t/sys/kernel/iommu_groups/1/reserved_regions: not a directory" \
	groups --sysfs t/sys/kernel/iommu_groups/1/reserved_regions

# A truncated copy: a member's directory is gone.
rm -r t/sys/devices/pci0000:06/0000:06:00.1
has "a truncated tree: the missing member named" 0 \
	"  warning: kernel/iommu_groups/13/devices/0000:06:00.1: a link to a directory that is missing (a truncated tree?)" \
	groups 13 --sysfs t/sys
has "a truncated tree: no verdict for its group" 0 \
	"group 13: unreadable: 1 of its entries could not be read (see the warnings), so there is no verdict: a member the tree does not show may be on any driver" \
	groups 13 --sysfs t/sys
has "a truncated tree: no plan for its group" 1 \
	"blocker: group 13 cannot be judged: 1 of its entries could not be read (see the warnings), so there is no verdict: a member the tree does not show may be on any driver" \
	plan vfio 13 --sysfs t/sys
has "a truncated tree: the bus view's dangling link" 0 \
	"warning: bus/pci/devices/0000:06:00.1: a link to a directory that is missing (a truncated tree?)" \
	groups 13 --sysfs t/sys

# Link loops, and links out of the tree.
ln -s loop1 t/sys/kernel/iommu_groups/5/devices/loop0
ln -s loop0 t/sys/kernel/iommu_groups/5/devices/loop1
ln -s /etc t/sys/kernel/iommu_groups/4/devices/etc
ln -s ../../../../../../.. t/sys/kernel/iommu_groups/10/devices/up
has "a link loop" 0 \
	"  warning: kernel/iommu_groups/5/devices/loop0: a link loop" \
	groups 5 --sysfs t/sys
has "an absolute link" 0 \
	"  warning: kernel/iommu_groups/4/devices/etc: a link that points outside the tree" \
	groups 4 --sysfs t/sys
has "a link that climbs out of the tree" 0 \
	"  warning: kernel/iommu_groups/10/devices/up: a link that points outside the tree" \
	groups 10 --sysfs t/sys
rm "$d/0000:00:1b.0/driver" && ln -s driver "$d/0000:00:1b.0/driver"
has "a driver link that loops on itself" 0 \
	"  warning: 0000:00:1b.0: the driver link points to devices/pci0000:00/0000:00:1b.0/driver, not to a driver of bus/pci" \
	groups 5 --sysfs t/sys

# A group that is no number.
mkdir t/sys/kernel/iommu_groups/gpu
has "a group that is no number" 0 \
	"warning: kernel/iommu_groups/gpu is not a group number: left out" \
	groups --sysfs t/sys

# Unreadable files: a FIFO, a directory, garbage.
rm "$d/0000:00:14.0/driver_override"
mkfifo "$d/0000:00:14.0/driver_override"
has "a FIFO where a file should be: named, never opened" 0 \
	"  warning: 0000:00:14.0: driver_override is not a regular file (a FIFO or a device?)" \
	groups 2 --sysfs t/sys
has "a FIFO where driver_override should be: the move is refused" 1 \
	"blocker: 0000:00:14.0 has no driver_override file: its driver cannot be pinned to vfio-pci" \
	plan vfio 2 --sysfs t/sys
rm "$d/0000:00:1a.0/config"
mkdir "$d/0000:00:1a.0/config"
has "a directory where config should be" 0 \
	"  warning: 0000:00:1a.0: config is a directory, not a file" \
	groups --sysfs t/sys
rm "$d/0000:00:1a.0/modalias" "$d/0000:00:1a.0/class"
echo "VGA" >"$d/0000:00:1a.0/class"
has "a class that is no number" 0 \
	"  warning: 0000:00:1a.0: class holds 'VGA', not a number" \
	groups --sysfs t/sys
printf 'garbage\n' >>t/sys/kernel/iommu_groups/1/reserved_regions
has "a reserved_regions line that does not parse" 0 \
	"  warning: kernel/iommu_groups/1/reserved_regions line 2 reads 'garbage', not START END TYPE" \
	groups 1 --sysfs t/sys
echo banana >t/proc/sys/kernel/osrelease
has "an osrelease that is no version: uname -r instead" 0 \
	"warning: t/proc/sys/kernel/osrelease reads 'banana', not a kernel version: using uname -r" \
	groups 1 --sysfs t/sys
echo "1..$n"
