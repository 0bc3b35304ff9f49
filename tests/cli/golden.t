#!/bin/sh
# SPDX-License-Identifier: MIT
# The text (full and --quiet) and JSON output of dmaown check, and the
# output of dmaown replay, on small scenarios, pinned byte for byte.  Times
# vary, so time= and "time" are masked; so is the program's path, which
# the replay commands print.
# Traces name pointers by the objects they point to, never by address, so
# the trace_ cases keep their traces whole but for the sizes of the
# model's structs on the alloc lines; the others leave their trace lines
# (indented by four) out, as replay.t checks those against dmaown replay.
# DMAOWN_REGEN=1 rewrites the golden files instead (review the diff!).
set -u
dmaown=${DMAOWN_BUILD:?}/dmaown
cd "${DMAOWN_SRC:?}" || exit 1
golden=tests/cli/golden
tmp=${TMPDIR:-/tmp}/dmaown-golden.$$
n=0

# case_ NAME ARGS...: compare the masked output of `dmaown ARGS` with NAME.
# trace_ NAME ARGS...: the same, keeping the traces.
trace_() {
	traces='s/^\(    .* alloc  .*, \)[0-9]* bytes   in /\1N bytes   in /'
	compare "$@"
}
case_() {
	traces='/^    /d'
	compare "$@"
}
compare() {
	name=$1
	shift
	"$dmaown" "$@" 2>&1 | sed -e 's/time=[0-9]*\.[0-9][0-9]/time=T/' \
		-e 's/"time":[0-9]*\.[0-9][0-9]/"time":T/' \
		-e "$traces" \
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
echo "1..12"
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
trace_ sibling.legacy.trace check --policy legacy "$s/sibling.own"
trace_ race-claims.replay replay "$s/race-claims.own" \
	--schedule 0x12.1x13.2x4.0x3
rm -f "$tmp"
