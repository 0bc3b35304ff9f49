#!/bin/sh
# SPDX-License-Identifier: MIT
# The history corpus judges itself on every version and design it runs
# at, one file per entry K1..K12 of HISTORY.md, and docs/history.md's
# table is what `dmaown check --kernel all --policy all` finds over it
# today, cell for cell.
set -u
src=${DMAOWN_SRC:?}
dmaown=${DMAOWN_BUILD:?}/dmaown
dir=$src/scenarios/history
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dmaown-history.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; }

"$dmaown" check --kernel all --policy all --quiet "$dir" >"$tmp/out" 2>&1
st=$?
if [ "$st" = 0 ]; then
	ok "check --kernel all --policy all scenarios/history/ exits 0"
else
	not_ok "check --kernel all --policy all scenarios/history/ exits 0 (exit $st)"
	grep -v 'expect=PASS' "$tmp/out" | grep 'expect=' | sed 's/^/#   /'
fi
# Every run of upstream and legacy is judged: the file says what each
# version must show.
unjudged=$(awk '($3 == "upstream" || $3 == "legacy") && !/ expect=/' "$tmp/out")
if [ -z "$unjudged" ]; then
	ok "every upstream and legacy run of the history corpus is judged"
else
	not_ok "every upstream and legacy run of the history corpus is judged"
	printf '%s\n' "$unjudged" | sed 's/^/#   /'
fi
# One file per entry, its test named as the file.
for k in 01 02 03 04 05 06 07 08 09 10 11 12; do
	set -- "$dir"/k$k-*.own
	if [ $# = 1 ] && [ -f "$1" ] &&
		[ "$(sed -n '1s/^test //p' "$1")" = "$(basename "$1" .own)" ]
	then ok "K${k#0} has one file, its test named as the file"
	else not_ok "K${k#0} has one file, its test named as the file ($*)"; fi
done
count=$(ls "$dir"/*.own | wc -l)
if [ "$count" = 12 ]; then ok "scenarios/history/ holds 12 entries"
else not_ok "scenarios/history/ holds 12 entries, not $count"; fi
# Each entry shows its bug on some version or design and not on the
# newest version, except K12, which no kernel has fixed.
"$src/scripts/history-table" "$dmaown" >"$tmp/got"
while IFS='|' read -r _ entry rest; do
	entry=$(echo "$entry" | tr -d ' ')
	case $entry in k[0-9]*) ;; *) continue ;; esac
	newest=$(echo "$rest" | awk -F'|' '{ print $14 }' | sed 's/^ *//; s/ *$//')
	case $entry in
	k03-*|k06-*) want="ok (*" ;;	# an outcome, not a broken invariant
	k05-*) want="warn (Always)" ;;	# the WARN refusing a NULL owner
	k12-*) want="isolation, accounting, warn (*" ;;
	*) want="ok*" ;;
	esac
	# shellcheck disable=SC2254
	case $newest in
	$want) ok "$entry at the newest version: $newest" ;;
	*) not_ok "$entry at the newest version: $newest, want $want" ;;
	esac
done <"$tmp/got"
sed -n '/^<!-- history-table:begin -->$/,/^<!-- history-table:end -->$/p' \
	"$src/docs/history.md" | sed '1d;$d' >"$tmp/want"
if [ -s "$tmp/got" ] && cmp -s "$tmp/want" "$tmp/got"; then
	ok "docs/history.md's table matches dmaown check --kernel all --policy all"
else
	not_ok "docs/history.md's table matches dmaown check --kernel all --policy all (scripts/history-table)"
	diff -u "$tmp/want" "$tmp/got" | sed 's/^/# /'
fi
echo "1..$n"
