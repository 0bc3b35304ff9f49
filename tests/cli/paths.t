#!/bin/sh
# SPDX-License-Identifier: MIT
# Paths that hold no scenario: a FIFO given as FILE to check, replay and
# run, a FIFO named *.own inside a directory, a device, a directory where a
# file is needed, a directory without .own files.  Each answers at once
# with exit 2 and one line naming it; the other arguments are still
# checked; nothing passes vacuously.  (timeout only keeps a regression
# from hanging the suite: it is no measure of anything.)
set -u
dmaown=${DMAOWN_BUILD:?}/dmaown
d=${DMAOWN_SRC:?}/tests/cli/scenarios
tmp=${TMPDIR:-/tmp}/dmaown-paths.$$
rm -rf "$tmp"
mkdir -p "$tmp/empty" "$tmp/noown" "$tmp/fifodir"
mkfifo "$tmp/f.own" "$tmp/fifodir/g.own"
cp "$d/claim-ok.own" "$tmp/fifodir/"
: >"$tmp/noown/notes.txt"
n=0

# one STATUS STDERR STDOUT DESC ARGS...: the exit status, the whole of
# standard error and the whole of standard output ('-': ignored).
one() {
	want=$1
	werr=$2
	wout=$3
	desc=$4
	shift 4
	timeout 60 "$dmaown" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	st=$?
	n=$((n + 1))
	gerr=$(cat "$tmp/err")
	gout=$(sed 's/ time=.*//' "$tmp/out")
	if [ "$st" = "$want" ] && [ "$gerr" = "$werr" ] &&
		{ [ "$wout" = - ] || [ "$gout" = "$wout" ]; }; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		echo "#   dmaown $*"
		echo "#   exit $st, want $want"
		echo "#   stderr: $gerr"
		echo "#     want: $werr"
		[ "$wout" = - ] || { echo "#   stdout: $gout"; echo "#     want: $wout"; }
	fi
}

okline='ok cli-claim-ok upstream kernel=6.17 executions=1 states=1 observation=Always expect=PASS'
echo "1..13"
one 2 "$tmp/f.own: error: not a regular file (a FIFO)" "" \
	"check of a FIFO answers at once" check "$tmp/f.own"
one 2 "$tmp/f.own: error: not a regular file (a FIFO)" "" \
	"replay of a FIFO answers at once" replay "$tmp/f.own" --schedule 0
one 2 "$tmp/f.own: error: not a regular file (a FIFO)" "" \
	"run of a FIFO answers at once" run "$tmp/f.own" --iterations 1
one 2 "$tmp/fifodir/g.own: error: not a regular file (a FIFO)" "$okline" \
	"a FIFO named .own in a directory: refused, its sibling checked" \
	check --quiet "$tmp/fifodir"
one 2 "/dev/null: error: not a regular file (a character device)" "" \
	"a device" check /dev/null
one 2 "$tmp/empty: error: not a regular file (a directory)" "" \
	"a directory where replay needs a file" replay "$tmp/empty" --schedule 0
one 2 "$tmp/empty: error: not a regular file (a directory)" "" \
	"a directory where run needs a file" run "$tmp/empty"
one 2 "$tmp/empty: error: no .own file in this directory" "" \
	"an empty directory does not pass" check "$tmp/empty"
one 2 "$tmp/noown: error: no .own file in this directory" "" \
	"a directory with no .own file does not pass" check "$tmp/noown"
# The empty list once reached qsort() with a NULL base: UBSan aborted.
one 2 "$tmp/empty: error: no .own file in this directory" "$okline" \
	"an empty directory does not stop the next file" \
	check --quiet "$tmp/empty" "$d/claim-ok.own"
one 2 "$tmp/empty: error: no .own file in this directory" "$okline" \
	"... nor does it when it comes last" \
	check --quiet "$d/claim-ok.own" "$tmp/empty"
one 2 "dmaown: error: option '--iterations' needs at least 1 run (try 'dmaown --help')" "" \
	"run --iterations 0 would judge nothing: refused" \
	run "$d/claim-ok.own" --iterations 0
ln -s "$tmp/gone.own" "$tmp/noown/dangling.own"
one 2 "$tmp/noown/dangling.own: error: cannot open: No such file or directory" "" \
	"a dangling link named .own" check "$tmp/noown"
rm -rf "$tmp"
