#!/bin/sh
# SPDX-License-Identifier: MIT
# `bound DRV` means bound: the device is bound when the threads start, in
# every execution under every policy, or the file is refused with
# FILE:LINE:COL.  And `none` is reserved where the condition language
# gives it a meaning: driver(DEV) == none means unbound, so no driver may
# be called none.
set -u
dmaown=${DMAOWN_BUILD:?}/dmaown
tmp=${TMPDIR:-/tmp}/dmaown-bound.$$
mkdir -p "$tmp"
f=$tmp/t.own
n=0

# refused LINE DESC: the declarations on standard input, with one thread
# after them, give exit 2 and exactly the error LINE (FILE stands for
# the file), under every policy.
refused() {
	{ cat; printf 'thread P0 {\n  r0 = unbind d\n}\n'; } >"$f"
	want=$(printf '%s' "$1" | sed "s|^FILE|$f|")
	"$dmaown" check --policy all "$f" >"$tmp/out" 2>"$tmp/err"
	st=$?
	n=$((n + 1))
	if [ "$st" = 2 ] && [ "$(cat "$tmp/err")" = "$want" ] &&
		[ ! -s "$tmp/out" ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		echo "#   exit $st (want 2)"
		sed 's/^/#   stderr: /' "$tmp/err"
		echo "#     want: $want"
		sed 's/^/#   stdout: /' "$tmp/out" | head -n 3
	fi
}

echo "1..9"
refused "FILE:3:28: error: driver 'k' has probe=maybe and cannot be bound at start in every execution" \
	"bound to a probe=maybe driver: refused" <<'EOF'
bus pci
driver k pci probe=maybe
device d pci group 1 bound k
EOF
refused "FILE:4:28: error: group 1 has no default domain (line 3), so kernel driver 'k' cannot be bound at start" \
	"bound to a kernel driver in a group without default domain: refused" <<'EOF'
bus pci
driver k pci
group 1 nodefault
device d pci group 1 bound k
EOF
refused "FILE:4:9: error: group 1 cannot lose its default domain: device 'd' (line 3) is bound at start to kernel driver 'k'" \
	"... also when the group line comes after the device" <<'EOF'
bus pci
driver k pci
device d pci group 1 bound k
group 1 nodefault
EOF
refused "FILE:2:8: error: driver name 'none' is reserved: driver(DEV) == none means unbound" \
	"driver none: refused" <<'EOF'
bus pci
driver none pci
device d pci group 1
EOF
refused "FILE:3:28: error: 'bound none' is not a driver: leave 'bound' out for a device that starts unbound" \
	"bound none: refused" <<'EOF'
bus pci
driver k pci
device d pci group 1 bound none
EOF

# What is accepted starts bound in every execution: each condition below
# holds in every final state, under every policy, and the threads never
# touch the devices' bindings.
cat >"$f" <<'EOF'
test bound-at-start
bus pci
bus platform nodma
driver k pci
driver vfio-pci pci managed_dma
driver p platform
group 1 nodefault
group 2 nodefault
device a pci group 1 bound vfio-pci
device b pci group 3 bound k
device c platform group 2 bound p
device e pci group 3
thread P0 {
  r0 = owned 3
}
thread P1 {
  r0 = owned 1
}
forall (driver(a) == vfio-pci /\ driver(b) == k /\ driver(c) == p /\ driver(e) == none)
expect Always
EOF
"$dmaown" check --policy all --quiet "$f" >"$tmp/out" 2>&1
st=$?
n=$((n + 1))
if [ "$st" = 0 ] && [ "$(grep -c 'observation=Always expect=PASS' "$tmp/out")" = 7 ]; then
	echo "ok $n - managed_dma, a nodma bus, a group with a default domain: bound at start, always"
else
	echo "not ok $n - managed_dma, a nodma bus, a group with a default domain: bound at start, always"
	echo "#   exit $st"
	sed 's/^/#   /' "$tmp/out"
fi
# driver(X) == none is false for a bound device, true for an unbound one.
cat >"$f" <<'EOF'
test none-means-unbound
bus pci
driver k pci
device a pci group 1 bound k
device b pci group 1
thread P0 {
  r0 = owned 1
}
exists (driver(a) == none \/ driver(b) != none)
expect Never
EOF
"$dmaown" check --policy all --quiet "$f" >"$tmp/out" 2>&1
st=$?
n=$((n + 1))
if [ "$st" = 0 ]; then
	echo "ok $n - driver(DEV) == none means unbound, under every policy"
else
	echo "not ok $n - driver(DEV) == none means unbound, under every policy"
	sed 's/^/#   /' "$tmp/out"
fi
# A statement naming driver none finds no such driver.
printf 'bus pci\ndevice d pci group 1\nthread P0 {\n  r0 = bind d none\n}\n' >"$f"
"$dmaown" check "$f" >/dev/null 2>"$tmp/err"
st=$?
n=$((n + 1))
if [ "$st" = 2 ] && [ "$(cat "$tmp/err")" = "$f:4:15: error: undeclared driver 'none'" ]; then
	echo "ok $n - bind DEV none: no driver is called none"
else
	echo "not ok $n - bind DEV none: no driver is called none"
	echo "#   exit $st"; sed 's/^/#   /' "$tmp/err"
fi
# The owner none stays the NULL owner, as the contract says: the IOMMU
# core refuses it with -EINVAL and a WARN.
printf 'bus pci\ndevice d pci group 1\nthread P0 {\n  r0 = claim 1 none\n}\nforall (P0:r0 == -EINVAL /\\ owner(1) == none)\nexpect upstream violation warn\n' >"$f"
"$dmaown" check --quiet "$f" >"$tmp/out" 2>&1
st=$?
n=$((n + 1))
if [ "$st" = 0 ] && grep -q ' observation=Always violation=warn expect=PASS' "$tmp/out"; then
	echo "ok $n - claim G none is the NULL owner: -EINVAL, owner none"
else
	echo "not ok $n - claim G none is the NULL owner: -EINVAL, owner none"
	echo "#   exit $st"; sed 's/^/#   /' "$tmp/out"
fi
rm -rf "$tmp"
