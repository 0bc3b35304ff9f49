#!/bin/sh
# SPDX-License-Identifier: MIT
# Help: every command takes --help and -h, anywhere among its arguments,
# and prints its own usage on standard output with exit 0, as does
# `dmaown help COMMAND`; --version prints the version.  Each command's help
# lists every option dmaown(1)'s SYNOPSIS gives it, and the command takes
# every option its help lists.  A typo gets a hint.
set -u
dmaown=${DMAOWN_BUILD:?}/dmaown
src=${DMAOWN_SRC:?}
f=$src/tests/cli/scenarios/claim-ok.own
tmp=${TMPDIR:-/tmp}/dmaown-help.$$
mkdir -p "$tmp"
n=0
res() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else
		echo "not ok $n - $2"; shift 2
		for l in "$@"; do printf '%s\n' "$l" | sed 's/^/#   /'; done
	fi
}
# helps CMD DESC ARGS...: `dmaown ARGS` prints CMD's usage, exit 0.
helps() {
	cmd=$1
	desc=$2
	shift 2
	"$dmaown" "$@" >"$tmp/out" 2>"$tmp/err"
	st=$?
	res "$([ "$st" = 0 ] && [ ! -s "$tmp/err" ] &&
		head -n 1 "$tmp/out" | grep -q "^usage: dmaown $cmd "; echo $?)" \
		"$desc" "exit $st: dmaown $*" "$(head -n 2 "$tmp/out")" \
		"$(cat "$tmp/err")"
}

echo "1..55"
for c in check replay run merge; do
	helps "$c" "$c --help" "$c" --help
	helps "$c" "$c -h" "$c" -h
	helps "$c" "$c FILE ... --help: help wins" "$c" "$f" --policy upstream --help
	helps "$c" "help $c" help "$c"
	# The options dmaown(1)'s SYNOPSIS gives the command.
	syn=$(sed -n "/^\\.B dmaown $c\$/,/^\\.br\$/p" "$src/doc/dmaown.1" |
		grep -o '\\-\\-[a-z-]*' | sed 's/\\-/-/g' | sort -u)
	"$dmaown" "$c" --help >"$tmp/help"
	missing=
	for o in $syn; do grep -q -- "$o" "$tmp/help" || missing="$missing $o"; done
	res "$([ -n "$syn" ] && [ -z "$missing" ]; echo $?)" \
		"$c --help lists every option of its synopsis" "missing:$missing" \
		"synopsis: $(echo $syn)"
	# ... and the command knows each option its help lists.
	unknown=
	for o in $(grep -o '^  \(-h, \)\{0,1\}--[a-z-]*' "$tmp/help" | sed 's/.*--/--/'); do
		# /dev/null: refused at once, after the options were read.
		"$dmaown" "$c" /dev/null "$o" 2>&1 | grep -q "unknown option" &&
			unknown="$unknown $o"
	done
	res "$([ -z "$unknown" ]; echo $?)" "$c takes every option its help lists" \
		"unknown:$unknown"
done
# The host commands (dmaown-host(1)) answer --help the same way.
for c in groups plan apply undo export; do
	helps "$c" "$c --help" "$c" --help
	helps "$c" "$c -h" "$c" -h
	helps "$c" "$c ARGS ... --help: help wins" "$c" 1 --sysfs /nonexistent --help
	helps "$c" "help $c" help "$c"
	"$dmaown" "$c" --help >"$tmp/help"
	unknown=
	for o in $(grep -o '^  \(-[a-z], \)\{0,1\}--[a-z-]*' "$tmp/help" | sed 's/.*--/--/'); do
		"$dmaown" "$c" "$o" 2>&1 | grep -q "unknown option" &&
			unknown="$unknown $o"
	done
	res "$([ -z "$unknown" ]; echo $?)" "$c takes every option its help lists" \
		"unknown:$unknown"
done
"$dmaown" --help >"$tmp/out" 2>&1
res "$(grep -q "'dmaown COMMAND --help'" "$tmp/out"; echo $?)" \
	"dmaown --help points to each command's help"
v=$(sed -n 's/^VERSION := //p' "$src/Makefile")
res "$([ "$("$dmaown" --version 2>&1)" = "dmaown $v" ]; echo $?)" \
	"--version prints the Makefile's version ($v)" "$("$dmaown" --version 2>&1)"
"$dmaown" check --polcy all "$f" >"$tmp/out" 2>"$tmp/err"
st=$?
res "$([ "$st" = 2 ] && [ ! -s "$tmp/out" ] && [ "$(cat "$tmp/err")" = "dmaown: error: unknown option '--polcy' for check; did you mean '--policy'? (try 'dmaown check --help')" ]; echo $?)" \
	"a typo'd option: one line, a hint, exit 2" "exit $st" "$(cat "$tmp/err")"
"$dmaown" replay "$f" --schedlue 0 >"$tmp/out" 2>"$tmp/err"
st=$?
res "$([ "$st" = 2 ] && [ "$(cat "$tmp/err")" = "dmaown: error: unknown option '--schedlue' for replay; did you mean '--schedule'? (try 'dmaown replay --help')" ]; echo $?)" \
	"... for replay too" "exit $st" "$(cat "$tmp/err")"
"$dmaown" chekc "$f" >"$tmp/out" 2>"$tmp/err"
st=$?
res "$([ "$st" = 2 ] && [ "$(cat "$tmp/err")" = "dmaown: error: unknown command 'chekc'; did you mean 'check'? (try 'dmaown --help')" ]; echo $?)" \
	"a typo'd command: a hint" "exit $st" "$(cat "$tmp/err")"
"$dmaown" help frob >"$tmp/out" 2>"$tmp/err"
st=$?
res "$([ "$st" = 2 ] && [ "$(cat "$tmp/err")" = "dmaown: error: unknown command 'frob' (try 'dmaown --help')" ]; echo $?)" \
	"help of an unknown command" "exit $st" "$(cat "$tmp/err")"
rm -rf "$tmp"
