#!/bin/sh
# SPDX-License-Identifier: MIT
# The pictures the docs embed are what `make docs` draws today: each line
# of docs/pictures.list has its picture in docs/img/, byte for byte as
# scripts/doc-pictures draws it now; docs/img/ holds nothing else; every
# picture is embedded by a page of docs/.
set -u
src=${DMAOWN_SRC:?}
dmaown=${DMAOWN_BUILD:?}/dmaown
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dmaown-docs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; }

if "$src/scripts/doc-pictures" "$dmaown" "$tmp/img" 2>"$tmp/err"; then
	ok "scripts/doc-pictures draws every picture of docs/pictures.list"
else
	not_ok "scripts/doc-pictures draws every picture of docs/pictures.list"
	sed 's/^/#   /' "$tmp/err"
fi
grep -v '^#' "$src/docs/pictures.list" | awk 'NF { gsub("/", "-", $1); print $1 "." $2 ".svg" }' |
	sort >"$tmp/listed"
(cd "$src/docs/img" && ls) | sort >"$tmp/present"
if cmp -s "$tmp/listed" "$tmp/present"; then
	ok "docs/img holds exactly the pictures docs/pictures.list names"
else
	not_ok "docs/img holds exactly the pictures docs/pictures.list names"
	diff "$tmp/listed" "$tmp/present" | sed 's/^/#   /'
fi
count=$(wc -l <"$tmp/listed")
if [ "$count" -ge 7 ]; then ok "docs/pictures.list names $count pictures"
else not_ok "docs/pictures.list names $count pictures, want 7 or more"; fi
while read -r img; do
	if cmp -s "$tmp/img/$img" "$src/docs/img/$img"; then
		ok "docs/img/$img is up to date (make docs)"
	else
		not_ok "docs/img/$img is up to date (make docs)"
		diff "$src/docs/img/$img" "$tmp/img/$img" 2>&1 | head -8 |
			sed 's/^/#   /'
	fi
	if grep -qF "(img/$img)" "$src"/docs/*.md; then
		ok "a page of docs/ embeds img/$img"
	else
		not_ok "a page of docs/ embeds img/$img"
	fi
done <"$tmp/listed"
echo "1..$n"
