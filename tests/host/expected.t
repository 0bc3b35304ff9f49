#!/bin/sh
# SPDX-License-Identifier: MIT
# Every expected answer of TOPOLOGIES.md (tests/host/expected), checked in
# the JSON of dmaown groups on the saved trees.
set -u
dmaown=${DMAOWN_BUILD:?}/dmaown
src=${DMAOWN_SRC:?}
trees=$DMAOWN_BUILD/trees
tmp=$(mktemp "${TMPDIR:-/tmp}/dmaown-expected.XXXXXX") || exit 1
trap 'rm -f "$tmp"' EXIT
n=0

check() {
	n=$((n + 1))
	if [ "$1" = yes ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		echo "#   got: $3"
	fi
}

grep -v '^#' "$src/tests/host/expected" | grep -v '^$' |
while read -r tree kernel what rest; do
	set -- --json --sysfs "$trees/$tree/sys"
	[ "$kernel" = - ] || set -- "$@" --kernel "$kernel"
	"$dmaown" groups "$@" >"$tmp"
	desc="$tree${kernel#-}: $what $rest"
	if [ "$what" = machine ]; then
		line=$(head -1 "$tmp")
		case $line in *"$rest"*) r=yes ;; *) r=no ;; esac
		check "$r" "$desc" "$line"
		continue
	fi
	line=$(grep "^{\"group\":$what," "$tmp")
	set -- $rest
	case $1 in
	verdict)
		got=$(printf '%s' "$line" | sed -n 's/^{"group":[0-9]*,"verdict":"\([^"]*\)","moves":\([0-9]*\).*/\1 \2/p')
		want="$2 ${3:-0}"
		[ "$2" = needs-moves ] || got=${got% *}" "0
		[ "$got" = "$want" ] && r=yes || r=no
		check "$r" "$desc" "$got"
		;;
	device)
		got=$(printf '%s' "$line" | sed -n "s/.*{\"name\":\"$2\",[^}]*\"verdict\":\"\([^\"]*\)\".*/\1/p")
		[ "$got" = "$3" ] && r=yes || r=no
		check "$r" "$desc" "$got"
		;;
	flag)
		got=$(printf '%s' "$line" | sed -n "s/.*{\"name\":\"$2\",[^}]*\"flags\":\[\([^]]*\)\].*/\1/p")
		case $got in *"\"$3\""*) r=yes ;; *) r=no ;; esac
		check "$r" "$desc" "$got"
		;;
	says)
		shift
		case $line in *"$*"*) r=yes ;; *) r=no ;; esac
		check "$r" "$desc" "$line"
		;;
	*)
		check no "$desc" "an unknown check"
		;;
	esac
	echo "$n" >"$tmp.n"
done
n=$(cat "$tmp.n" 2>/dev/null || echo 0)
rm -f "$tmp.n"
echo "1..$n"
