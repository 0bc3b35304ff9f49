#!/bin/sh
# SPDX-License-Identifier: MIT
# Where pictures go: a bad --svg or --html path is refused at once, before
# any exploration, with one line naming the option and the path and exit
# status 2 (a FIFO is refused, not opened: opening it would block); a
# schedule that does not fit writes no picture; a missing --svg directory
# is made; an execution without a violation is drawn with no highlight.
set -u
dmaown=${DMAOWN_BUILD:?}/dmaown
cd "${DMAOWN_SRC:?}" || exit 1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dmaown-picture-usage.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; }

# expect NAME STATUS STDERR ARGS...: exit status, the whole standard error,
# and an empty standard output; a hang fails after 20 seconds.
expect() {
	name=$1 want_st=$2 want_err=$3
	shift 3
	timeout 20 "$dmaown" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	st=$?
	got_err=$(cat "$tmp/err")
	if [ "$st" = "$want_st" ] && [ "$got_err" = "$want_err" ] &&
	    [ ! -s "$tmp/out" ]; then
		ok "$name"
	else
		not_ok "$name"
		echo "#   status: got $st, want $want_st"
		echo "#   stderr: got  '$got_err'"
		echo "#   stderr: want '$want_err'"
		sed 's/^/#   stdout: /' "$tmp/out" | head -5
	fi
}

seed=scenarios/vfio-sibling-bind.own
: >"$tmp/file"
mkfifo "$tmp/fifo"
mkdir "$tmp/dir"
help=" (try 'dmaown --help')"

expect "check --svg on a file" 2 \
	"dmaown: error: option '--svg': '$tmp/file' is not a directory$help" \
	check --svg "$tmp/file" "$seed"
expect "check --svg under a missing directory" 2 \
	"dmaown: error: option '--svg': $tmp/no/such: No such file or directory" \
	check --svg "$tmp/no/such" "$seed"
expect "check --html on a FIFO" 2 \
	"dmaown: error: option '--html': '$tmp/fifo' is not a regular file$help" \
	check --html "$tmp/fifo" "$seed"
expect "check --html on a directory" 2 \
	"dmaown: error: option '--html': '$tmp/dir' is not a regular file$help" \
	check --html "$tmp/dir" "$seed"
expect "check --html in a missing directory" 2 \
	"dmaown: error: option '--html': no directory '$tmp/no/' for '$tmp/no/x.html'$help" \
	check --html "$tmp/no/x.html" "$seed"
expect "check --html without its file" 2 \
	"dmaown: error: option '--html' needs an argument$help" \
	check "$seed" --html
expect "check --html with --shard: a shard is not a whole run" 2 \
	"dmaown: error: option '--html' draws a whole run: not with '--shard'$help" \
	check --html "$tmp/run.html" --shard 1/2 "$seed"
# The page gathers the run in one process, whatever --jobs says.
timeout 60 "$dmaown" check --quiet --policy all --jobs 2 --html "$tmp/j2.html" \
	scenarios/ >/dev/null 2>&1
timeout 60 "$dmaown" check --quiet --policy all --jobs 1 --html "$tmp/j1.html" \
	scenarios/ >/dev/null 2>&1
if [ -s "$tmp/j2.html" ] &&
    [ "$(grep -c '<svg' "$tmp/j2.html")" = "$(grep -c '<svg' "$tmp/j1.html")" ]; then
	ok "check --jobs 2 --html: every counterexample on the page"
else
	not_ok "check --jobs 2 --html: every counterexample on the page"
	echo "#   $(grep -c '<svg' "$tmp/j2.html" 2>&1) pictures, want $(grep -c '<svg' "$tmp/j1.html" 2>&1)"
fi
expect "replay --svg on a FIFO" 2 \
	"dmaown: error: option '--svg': '$tmp/fifo' is not a regular file$help" \
	replay "$seed" --policy legacy --schedule 0x37.1x11.0.2x21 \
	--svg "$tmp/fifo"
expect "replay --svg with a schedule that does not fit" 2 \
	"dmaown: error: schedule '0x1' does not fit vfio-sibling-bind under policy legacy at kernel 5.18" \
	replay "$seed" --policy legacy --schedule 0x1 --svg "$tmp/bad.svg"
if [ -e "$tmp/bad.svg" ]; then not_ok "a schedule that does not fit writes no picture"
else ok "a schedule that does not fit writes no picture"; fi

# A missing --svg directory is made; a page in a new file is written.
"$dmaown" check --policy legacy --svg "$tmp/new" --html "$tmp/page.html" \
	"$seed" >/dev/null 2>&1
st=$?
count=$(ls "$tmp/new" 2>/dev/null | wc -l)
if [ "$st" = 0 ] && [ "$count" = 2 ] && [ -s "$tmp/page.html" ]; then
	ok "check --svg makes its directory: 2 pictures, and the page"
else
	not_ok "check --svg makes its directory: 2 pictures, and the page"
	echo "#   status $st, $count pictures"
fi

# No violation: the execution drawn, nothing highlighted, exit 0.
"$dmaown" replay tests/cli/scenarios/race-claims.own \
	--schedule 0x12.1x13.2x4.0x3 --svg "$tmp/none.svg" >/dev/null 2>&1
st=$?
hl=$(grep -c 'class="step hl"' "$tmp/none.svg" 2>/dev/null)
steps=$(grep -c 'class="step' "$tmp/none.svg" 2>/dev/null)
if [ "$st" = 0 ] && [ "$hl" = 0 ] && [ "$steps" -gt 5 ] &&
    grep -q '>no violation in this execution<' "$tmp/none.svg"; then
	ok "an execution without a violation: $steps steps, none highlighted"
else
	not_ok "an execution without a violation: $steps steps, none highlighted"
	echo "#   status $st, $hl highlighted"
fi
echo "1..$n"
