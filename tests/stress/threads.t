#!/bin/sh
# SPDX-License-Identifier: MIT
# check --threads 2 under the sanitizer the build was made with: the TSan
# pass of make check runs this too.  The workers are OS threads of one
# process sharing the search; no sanitizer report, and the summary lines
# and exit status of the sequential search (their counts masked).
set -u
dmaown=${DMAOWN_BUILD:?}/dmaown
d=${DMAOWN_SRC:?}/tests/cli/scenarios
tmp=${TMPDIR:-/tmp}/dmaown-threads-san.$$
mask() {
	sed -E -e 's/ executions=[0-9]+//' -e 's/ cut=[0-9]+//' \
		-e 's/ threads=[0-9]+ redundant=[0-9]+//' \
		-e 's/ time=[0-9]+\.[0-9]+//'
}
echo "1..2"
"$dmaown" check --jobs 1 --threads 2 --quiet --policy all "$d" \
	>"$tmp.2" 2>"$tmp.2e"
st2=$?
"$dmaown" check --jobs 1 --quiet --policy all "$d" >"$tmp.1" 2>"$tmp.1e"
st1=$?
if grep -q -e 'Sanitizer' -e 'runtime error' "$tmp.2e"; then
	echo "not ok 1 - --threads 2: a sanitizer report"
	sed 's/^/#   /' "$tmp.2e" | head -n 40
else
	echo "ok 1 - --threads 2: no sanitizer report"
fi
mask <"$tmp.1" >"$tmp.1.m"
mask <"$tmp.2" >"$tmp.2.m"
if [ "$st1" = "$st2" ] && [ -s "$tmp.1.m" ] && cmp -s "$tmp.1.m" "$tmp.2.m"
then
	echo "ok 2 - ... and the summary lines and exit status ($st2) of one thread"
else
	echo "not ok 2 - ... and the summary lines and exit status of one thread"
	echo "#   exit $st1 and $st2"
	diff "$tmp.1.m" "$tmp.2.m" | sed 's/^/#   /' | head -n 20
fi
rm -f "$tmp.1" "$tmp.1e" "$tmp.1.m" "$tmp.2" "$tmp.2e" "$tmp.2.m"
