#!/bin/sh
# SPDX-License-Identifier: MIT
# The text (full and --quiet) and JSON output of dmaown check on small
# scenarios, pinned byte for byte.  Times vary, so time= and "time" are
# masked; so is the program's path, which the replay commands print.  The
# lines of a trace (indented by four) name heap addresses and struct sizes
# of the model, so they are left out here: replay.t checks them against
# dmaown replay instead.
# DMAOWN_REGEN=1 rewrites the golden files instead (review the diff!).
set -u
dmaown=${DMAOWN_BUILD:?}/dmaown
cd "${DMAOWN_SRC:?}" || exit 1
golden=tests/cli/golden
tmp=${TMPDIR:-/tmp}/dmaown-golden.$$
n=0

# case NAME ARGS...: compare the masked output of `dmaown ARGS` with NAME.
case_() {
	name=$1
	shift
	"$dmaown" "$@" 2>&1 | sed -e 's/time=[0-9]*\.[0-9][0-9]/time=T/' \
		-e 's/"time":[0-9]*\.[0-9][0-9]/"time":T/' \
		-e '/^    /d' \
		-e "s|$dmaown|DMAOWN|g" >"$tmp"
	n=$((n + 1))
	if [ "${DMAOWN_REGEN:-}" = 1 ]; then
		cp "$tmp" "$golden/$name"
		echo "ok $n - $name # regenerated"
	elif cmp -s "$tmp" "$golden/$name"; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		diff -u "$golden/$name" "$tmp" | sed 's/^/# /'
	fi
}

s=tests/cli/scenarios
echo "1..10"
case_ sibling.all.txt check --policy all "$s/sibling.own"
case_ sibling.all.quiet check --policy all --quiet "$s/sibling.own"
case_ sibling.all.json check --policy all --json "$s/sibling.own"
case_ race-claims.txt check "$s/race-claims.own"
case_ race-claims.json check --json "$s/race-claims.own"
case_ claim-fail.txt check "$s/claim-fail.own"
case_ claim-ok.json check --json "$s/claim-ok.own"
case_ dir.quiet check --quiet "$s"
case_ race-claims.limit.quiet check --quiet --max-executions 1 \
	"$s/race-claims.own"
case_ sibling.first.quiet check --quiet --first --policy all "$s/sibling.own"
rm -f "$tmp"
