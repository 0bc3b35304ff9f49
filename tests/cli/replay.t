#!/bin/sh
# SPDX-License-Identifier: MIT
# The replay command that dmaown check prints for a violation runs as
# printed and reproduces that violation.
set -u
dmaown=${DMAOWN_BUILD:?}/dmaown
cd "${DMAOWN_SRC:?}" || exit 1
s=tests/cli/scenarios/sibling.own
echo "1..6"

out=$("$dmaown" check --policy legacy "$s")
cmd=$(printf '%s\n' "$out" | sed -n 's/^  replay: //p' | head -n 1)
viol=$(printf '%s\n' "$out" | grep '^Violation ' | head -n 1)
if [ -n "$cmd" ] && [ -n "$viol" ]; then
	echo "ok 1 - check printed a violation and its replay command"
else
	echo "not ok 1 - check printed a violation and its replay command"
	printf '%s\n' "$out" | sed 's/^/# /'
fi

rout=$(sh -c "$cmd")
st=$?
if [ "$st" = 0 ]; then
	echo "ok 2 - the replay exits 0: it shows what it was reported for"
else
	echo "not ok 2 - the replay exits 0: it shows what it was reported for"
	echo "#   got $st from: $cmd"
fi
if printf '%s\n' "$rout" | grep -qxF -- "$viol"; then
	echo "ok 3 - the replay shows the same violation"
else
	echo "not ok 3 - the replay shows the same violation"
	echo "#   wanted: $viol"
	printf '%s\n' "$rout" | sed 's/^/#   got: /'
fi
kind=$(printf '%s\n' "$viol" | sed 's/^Violation \([a-z]*\):.*/\1/')
if printf '%s\n' "$rout" | tail -n 1 |
	grep -q "^violation cli-sibling legacy kernel=5.18 violation=.*$kind"; then
	echo "ok 4 - the replay's summary names the kind ($kind)"
else
	echo "not ok 4 - the replay's summary names the kind ($kind)"
	printf '%s\n' "$rout" | tail -n 3 | sed 's/^/#   got: /'
fi

# The trace printed by check is the trace the replay prints, but for the
# addresses of heap objects.
mask='s/0x[0-9a-f]\{6,\}/ADDR/g'
ctrace=$(printf '%s\n' "$out" | awk '/^  trace:$/ { f = 1; next }
	f && /^    / { print substr($0, 5); next } f { exit }' | sed "$mask")
rtrace=$(printf '%s\n' "$rout" | sed -n '/^Trace:$/,/^[^ ]/p' |
	sed -n 's/^  //p' | sed "$mask")
if [ -n "$ctrace" ] && [ "$ctrace" = "$rtrace" ]; then
	echo "ok 5 - check's trace and the replay's trace agree"
else
	echo "not ok 5 - check's trace and the replay's trace agree"
	printf '%s\n' "$ctrace" | head -n 5 | sed 's/^/#   check: /'
	printf '%s\n' "$rtrace" | head -n 5 | sed 's/^/#   replay: /'
fi

# The same schedule under upstream does not fit or shows no violation.
sched=$(printf '%s\n' "$out" | sed -n 's/^  schedule: //p' | head -n 1)
"$dmaown" replay "$s" --policy upstream --schedule "$sched" >/dev/null 2>&1
st=$?
if [ "$st" = 0 ] || [ "$st" = 2 ]; then
	echo "ok 6 - upstream refuses the legacy counterexample (exit $st)"
else
	echo "not ok 6 - upstream refuses the legacy counterexample (exit $st)"
fi
