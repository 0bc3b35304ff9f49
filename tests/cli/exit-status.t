#!/bin/sh
# SPDX-License-Identifier: MIT
# Every exit status of the contract, each on a scenario written for it:
# 0 all held, 1 an expectation failed, 2 bad file or usage, 3 a limit.
set -u
dmaown=${DMAOWN_BUILD:?}/dmaown
d=${DMAOWN_SRC:?}/tests/cli/scenarios
n=0

t() {
	want=$1
	desc=$2
	shift 2
	"$@" >/dev/null 2>&1
	got=$?
	n=$((n + 1))
	if [ "$got" = "$want" ]; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		echo "#   got exit $got, expected $want: $*"
	fi
}

echo "1..18"
t 0 "expect ok holds" "$dmaown" check "$d/claim-ok.own"
t 1 "a failed expectation" "$dmaown" check "$d/claim-fail.own"
t 1 "1 beats 0" "$dmaown" check "$d/claim-ok.own" "$d/claim-fail.own"
t 2 "a typo in a file" "$dmaown" check "$d/typo.own"
t 2 "2 beats 1" "$dmaown" check "$d/claim-fail.own" "$d/typo.own"
t 2 "a directory holding a bad file" "$dmaown" check --quiet "$d"
t 2 "a missing file" "$dmaown" check "$d/no-such-file.own"
t 3 "--max-executions 1 stops a search of more" \
	"$dmaown" check --max-executions 1 "$d/race-claims.own"
t 1 "1 beats 3" "$dmaown" check --max-executions 1 \
	"$d/race-claims.own" "$d/claim-fail.own"
t 0 "an expected violation holds" \
	"$dmaown" check --policy legacy "$d/sibling.own"
t 3 "--first leaves what it did not see unjudged: 3, never a pass" \
	"$dmaown" check --first --policy legacy "$d/sibling.own"
t 0 "unjudged policies do not count" \
	"$dmaown" check --policy all "$d/sibling.own"
t 0 "several good files" "$dmaown" check --quiet \
	"$d/claim-ok.own" "$d/race-claims.own" "$d/sibling.own"
t 2 "replay of a schedule that does not fit" \
	"$dmaown" replay "$d/sibling.own" --schedule 'no such schedule'
t 0 "run on real threads, nothing unlisted" \
	"$dmaown" run "$d/race-claims.own" --iterations 20 --seed 3
t 0 "--help" "$dmaown" --help
t 1 "no expect line: exists that is Never fails" \
	"$dmaown" check "$d/default-exists.own"
t 0 "no expect line: ~exists that is Never passes" \
	"$dmaown" check "$d/default-not-exists.own"
