#!/bin/sh
# SPDX-License-Identifier: MIT
# Bad usage of the host commands: exit 2, nothing on standard output, and
# exactly one line on standard error naming the option or the path.
set -u
dmaown=${DMAOWN_BUILD:?}/dmaown
t=$DMAOWN_BUILD/trees/t1-desktop/sys
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dmaown-hostusage.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0

# bad LINE DESC ARGS...: exit 2, LINE the one line on stderr, no stdout.
bad() {
	want=$1 desc=$2
	shift 2
	"$dmaown" "$@" >"$tmp/out" 2>"$tmp/err"
	st=$?
	n=$((n + 1))
	if [ "$st" = 2 ] && [ ! -s "$tmp/out" ] &&
		[ "$(wc -l <"$tmp/err")" = 1 ] &&
		[ "$(cat "$tmp/err")" = "$want" ]; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		echo "#   exit $st (want 2): $*"
		echo "#   want: $want"
		sed 's/^/#   stderr: /' "$tmp/err"
		sed 's/^/#   stdout: /' "$tmp/out"
	fi
}

E='dmaown: error:'
H="(try 'dmaown --help')"
bad "$E unknown option '--frob' for groups $H" "unknown option" \
	groups --frob --sysfs "$t"
bad "$E unknown option '--force' for groups $H" "an option of another command" \
	groups --force --sysfs "$t"
bad "$E option '--sysfs' needs an argument $H" "--sysfs without a directory" \
	groups --sysfs
bad "$E option '--json' takes no argument $H" "a flag with a value" \
	groups --json=yes --sysfs "$t"
bad "$E option '--kernel' needs a version such as 6.8 or 5.18, not 'banana' $H" \
	"a kernel that is no version" groups --kernel banana --sysfs "$t"
bad "$E no group 99 in $t/kernel/iommu_groups" "groups: no such group" \
	groups 99 --sysfs "$t"
bad "$E plan needs 'vfio' and a target: plan vfio GROUP|DEVICE... $H" \
	"plan without anything" plan --sysfs "$t"
bad "$E plan hands groups to vfio only: 'plan vfio 1', not '1' $H" \
	"plan without vfio" plan 1 --sysfs "$t"
bad "$E plan needs a target: a group number or a device name $H" \
	"plan vfio without a target" plan vfio --sysfs "$t"
bad "$E no group 99 in $t/kernel/iommu_groups" "plan: no such group" \
	plan vfio 99 --sysfs "$t"
bad "$E no device '0000:99:00.0' in $t (neither a group number nor a device of an IOMMU group or of bus/pci)" \
	"plan: no such device" plan vfio 0000:99:00.0 --sysfs "$t"
bad "$E apply needs --journal FILE (or --dry-run) $H" "apply without a journal" \
	apply vfio 1 --sysfs "$t"
bad "$E option '--fail-write' goes with '--simulate' $H" \
	"--fail-write without --simulate" \
	apply vfio 1 --journal "$tmp/j" --fail-write 2 --sysfs "$t"
bad "$E option '--fail-write' needs write numbers such as 2 or 2,3, not 'x' $H" \
	"--fail-write x" apply vfio 1 --journal "$tmp/j" --simulate --fail-write x \
	--sysfs "$t"
bad "$E $t is not a live sysfs (a saved tree?): writing to its files would change nothing; rehearse the plan on it with --simulate, or print it with --dry-run" \
	"apply on a saved tree without --simulate" \
	apply vfio 1 --journal "$tmp/j" --sysfs "$t"
bad "$E /sys is a live sysfs: --simulate works on saved trees only" \
	"--simulate on the live /sys" \
	apply vfio 1 --journal "$tmp/j" --simulate --sysfs /sys
bad "$E undo needs a journal file $H" "undo without a journal" \
	undo --simulate --sysfs "$t"
bad "$E undo takes one journal ('a', 'b') $H" "undo of two journals" \
	undo a b --simulate --sysfs "$t"
bad "$E $tmp/none: No such file or directory" "undo of a journal that is not there" \
	undo "$tmp/none" --simulate --sysfs "$t"
bad "$E option '--order' needs override-first or unbind-first, not 'sideways' $H" \
	"export --order sideways" export 1 --order sideways --sysfs "$t"
bad "$E export needs a target: a group number or a device name $H" \
	"export without a target" export --sysfs "$t"
bad "$E /nonexistent/x.own: No such file or directory" "export to a directory that is not there" \
	export 1 -o /nonexistent/x.own --sysfs "$t"
DMAOWN_SYSFS=/nowhere bad "$E /nowhere: no such directory" "DMAOWN_SYSFS names the tree" \
	groups
[ -e "$tmp/j" ] && echo "not ok $((n + 1)) - no journal was made" ||
	echo "ok $((n + 1)) - no journal was made"
n=$((n + 1))
echo "1..$n"
