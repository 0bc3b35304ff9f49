#!/bin/sh
# SPDX-License-Identifier: MIT
# dmaown groups on this machine's own /sys: it only reads.  It must exit
# 0 and either list IOMMU groups or say that there are none and why; and
# every device's driver and driver_override must be as they were.
set -u
dmaown=${DMAOWN_BUILD:?}/dmaown
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dmaown-live.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

state() {
	for d in /sys/bus/pci/devices/*; do
		[ -e "$d" ] || continue
		printf '%s %s %s\n' "$d" "$(readlink "$d/driver" 2>/dev/null)" \
			"$(cat "$d/driver_override" 2>/dev/null)"
	done
}

echo "1..4"
state >"$tmp/before"
"$dmaown" groups >"$tmp/out" 2>"$tmp/err"
st=$?
[ "$st" = 0 ] && echo "ok 1 - dmaown groups on /sys: exit 0" ||
	{ echo "not ok 1 - dmaown groups on /sys: exit $st"; sed 's/^/# /' "$tmp/err"; }
if grep -q '^IOMMU Group ' "$tmp/out" ||
	grep -q '^warning: no IOMMU groups (/sys/kernel/iommu_groups is .*): the IOMMU is disabled or absent' "$tmp/out"; then
	echo "ok 2 - it lists the groups, or says there are none"
else
	echo "not ok 2 - it lists the groups, or says there are none"
	sed 's/^/# /' "$tmp/out" | head
fi
"$dmaown" groups --json >"$tmp/json" 2>&1
case $(head -1 "$tmp/json") in
'{"machine":{"sysfs":"/sys",'*) echo "ok 3 - --json starts with the machine" ;;
*) echo "not ok 3 - --json starts with the machine"; head -1 "$tmp/json" | sed 's/^/# /' ;;
esac
state >"$tmp/after"
cmp -s "$tmp/before" "$tmp/after" && echo "ok 4 - no driver or override changed" ||
	{ echo "not ok 4 - no driver or override changed"; diff "$tmp/before" "$tmp/after" | sed 's/^/# /'; }
