#!/bin/sh
# SPDX-License-Identifier: MIT
# check --jobs N: the explorations run in worker processes, and the output
# is the one of --jobs 1, byte for byte and in the same order, but for the
# times (time= and "time", masked here): on the whole corpus under every
# policy (the full text, traces and all) and every version (the summary
# lines), on smaller sets as JSON and with
# other numbers of jobs, more than there are explorations too; with bad
# files among good ones (the same messages on standard error, in the same
# order); with no process to fork (fewer workers, or none); and the
# exit status is the same.  An exploration whose worker dies (here: killed
# at a CPU limit) is reported in its place, and the others are still
# reported.
set -u
dmaown=${DMAOWN_BUILD:?}/dmaown
src=${DMAOWN_SRC:?}
d=$src/tests/cli/scenarios
tmp=${TMPDIR:-/tmp}/dmaown-jobs.$$
rm -rf "$tmp"
mkdir -p "$tmp"
n=0
res() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else
		echo "not ok $n - $2"; shift 2
		for l in "$@"; do printf '%s\n' "$l" | sed 's/^/#   /'; done
	fi
}
mask() {
	sed -e 's/time=[0-9]*\.[0-9][0-9]/time=T/' \
		-e 's/"time":[0-9]*\.[0-9][0-9]/"time":T/'
}
# run NAME ARGS...: dmaown ARGS; NAME.out (masked), NAME.err, NAME.st.
run() {
	name=$1
	shift
	"$dmaown" "$@" >"$tmp/$name.raw" 2>"$tmp/$name.err" </dev/null
	echo $? >"$tmp/$name.st"
	mask <"$tmp/$name.raw" >"$tmp/$name.out"
}
# same A B DESC: runs A and B printed the same and exited the same.
same() {
	if cmp -s "$tmp/$1.out" "$tmp/$2.out" &&
		cmp -s "$tmp/$1.err" "$tmp/$2.err" &&
		cmp -s "$tmp/$1.st" "$tmp/$2.st"; then
		res 0 "$3"
	else
		res 1 "$3" "exit $(cat "$tmp/$1.st") and $(cat "$tmp/$2.st")" \
			"$(diff "$tmp/$1.out" "$tmp/$2.out" | head -n 20)" \
			"$(diff "$tmp/$1.err" "$tmp/$2.err" | head -n 10)"
	fi
}
# status NAME WANT DESC
status() {
	res "$([ "$(cat "$tmp/$1.st")" = "$2" ]; echo $?)" "$3" \
		"exit $(cat "$tmp/$1.st"), want $2" "$(head -n 3 "$tmp/$1.err")"
}

echo "1..20"

run seq check --jobs 1 --policy all "$src/scenarios"
lines=$(wc -l <"$tmp/seq.out")
res "$([ "$lines" -gt 1000 ] && [ ! -s "$tmp/seq.err" ]; echo $?)" \
	"--jobs 1: the corpus under every policy ($lines lines)" \
	"$(head -n 5 "$tmp/seq.err")"
run par2 check --jobs 2 --policy all "$src/scenarios"
same seq par2 "--jobs 2 prints what --jobs 1 prints"
run kseq check --jobs 1 --quiet --policy all --kernel all "$src/scenarios"
run kpar check --jobs 2 --quiet --policy all --kernel all "$src/scenarios"
same kseq kpar "--kernel all: --jobs 2 prints what --jobs 1 prints ($(wc -l <"$tmp/kseq.out") lines)"
run dflt check --jobs 1 --policy all "$d/sibling.own" "$d/race-claims.own" \
	"$d/claim-ok.own"
run dfltp check --policy all "$d/sibling.own" "$d/race-claims.own" \
	"$d/claim-ok.own"
same dflt dfltp "the default, one job per CPU, prints what --jobs 1 prints"
run par5 check --jobs 5 --policy all "$d/sibling.own" "$d/race-claims.own" \
	"$d/claim-ok.own"
same dflt par5 "--jobs 5 too (more workers than CPUs)"
run seqj check --jobs 1 --json --policy all "$d/sibling.own" \
	"$d/race-claims.own" "$d/claim-fail.own"
run parj check --jobs 2 --json --policy all "$d/sibling.own" \
	"$d/race-claims.own" "$d/claim-fail.own"
same seqj parj "--json: --jobs 2 prints what --jobs 1 prints"
res "$(grep -q '"time":T' "$tmp/parj.out" && grep -q 'time=T' "$tmp/par2.out"
	echo $?)" "... the times, and only they, were masked"

# Bad files among good ones, each kind at its place.
bad="$d $d/claim-fail.own $d/no-such-file.own /dev/null $d/typo.own $d/sibling.own"
# shellcheck disable=SC2086
run bseq check --jobs 1 --policy all $bad
# shellcheck disable=SC2086
run bpar check --jobs 3 --policy all $bad
same bseq bpar "bad files among good: the same output, messages, exit status"
status bpar 2 "... which is 2"
res "$([ "$(wc -l <"$tmp/bpar.err")" = 4 ] &&
	[ "$(sed -n 1p "$tmp/bpar.err")" = "$d/typo.own:6:8: error: unknown operation 'clam'" ] &&
	[ "$(sed -n 4p "$tmp/bpar.err")" = "$d/typo.own:6:8: error: unknown operation 'clam'" ] &&
	grep -q '^/dev/null: error: not a regular file (a character device)$' "$tmp/bpar.err"
	echo $?)" "... one message per bad file, in the order of the files" \
	"$(cat "$tmp/bpar.err")"

run f1 check --jobs 1 "$d/claim-ok.own" "$d/claim-fail.own" "$d/race-claims.own"
run f2 check --jobs 2 "$d/claim-ok.own" "$d/claim-fail.own" "$d/race-claims.own"
same f1 f2 "a failed expectation: the same"
status f2 1 "... exit 1"
run l1 check --jobs 1 --quiet --max-executions 1 "$d/race-claims.own" \
	"$d/claim-ok.own" "$d/sibling.own"
run l2 check --jobs 2 --quiet --max-executions 1 "$d/race-claims.own" \
	"$d/claim-ok.own" "$d/sibling.own"
same l1 l2 "a search cut by a limit: the same"
status l2 3 "... exit 3"
run m1 check --jobs 1 --quiet --policy all "$d/sibling.own" "$d/claim-ok.own"
run m64 check --jobs 64 --quiet --policy all "$d/sibling.own" "$d/claim-ok.own"
same m1 m64 "--jobs 64 for 14 explorations: the same"

# A worker that dies.  Seven threads of binds on one group explore for
# far longer than the CPU second the limit gives each process.
big=$tmp/big.own
{
	echo "bus pci"
	for i in 0 1 2 3 4 5 6; do echo "driver drv$i pci"; done
	for i in 0 1 2 3 4 5 6; do echo "device dev$i pci group 1"; done
	for i in 0 1 2 3 4 5 6; do
		printf 'thread P%s {\n  r0 = bind dev%s drv%s\n  r1 = unbind dev%s\n}\n' \
			"$i" "$i" "$i" "$i"
	done
} >"$big"
(
	ulimit -c 0
	ulimit -t 1
	exec "$dmaown" check --jobs 2 --quiet --time-limit 0 "$d/claim-ok.own" \
		"$big" "$d/race-claims.own"
) >"$tmp/die.raw" 2>"$tmp/die.err"
echo $? >"$tmp/die.st"
mask <"$tmp/die.raw" >"$tmp/die.out"
status die 2 "a worker killed mid-exploration: exit 2"
res "$([ "$(cat "$tmp/die.err")" = "dmaown: error: $big: the exploration was killed by signal 9 (Killed)" ] ||
	grep -q "^dmaown: error: $big: the exploration was killed by signal [0-9]* (" "$tmp/die.err"
	echo $?)" "... reported as such, naming its file" "$(cat "$tmp/die.err")"
printf '%s\n' "ok cli-claim-ok upstream kernel=6.17 executions=1 states=1 observation=Always expect=PASS time=T" \
	"ok cli-race-claims upstream kernel=6.17 executions=2 states=2 observation=Never expect=PASS time=T" >"$tmp/die.want"
res "$(cmp -s "$tmp/die.out" "$tmp/die.want"; echo $?)" \
	"... and the explorations before and after it are reported" \
	"$(diff "$tmp/die.want" "$tmp/die.out")"

# No process to be had (a user with a limit of 1 and 2 processes, the
# second taken by the first worker): the run goes on with fewer workers,
# or none, and prints the same.  (LeakSanitizer would need a process of
# its own at exit: not here.)
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 &&
	command -v prlimit >/dev/null 2>&1; then
	bad_np=
	for np in 1 2; do
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
			setpriv --reuid=65534 --regid=65534 --clear-groups \
			prlimit --nproc="$np" "$dmaown" check --jobs 3 --policy all \
			"$d/sibling.own" "$d/race-claims.own" "$d/claim-ok.own" \
			>"$tmp/np.raw" 2>"$tmp/np.err" </dev/null
		echo $? >"$tmp/np.st"
		mask <"$tmp/np.raw" >"$tmp/np.out"
		cmp -s "$tmp/np.out" "$tmp/dflt.out" &&
			cmp -s "$tmp/np.err" "$tmp/dflt.err" &&
			cmp -s "$tmp/np.st" "$tmp/dflt.st" ||
			bad_np="$bad_np [nproc $np: exit $(cat "$tmp/np.st"): $(head -n 2 "$tmp/np.err")]"
	done
	res "$([ -z "$bad_np" ]; echo $?)" \
		"no process to fork: fewer workers or none, the same output" "$bad_np"
else
	n=$((n + 1))
	echo "ok $n # skip needs root, setpriv and prlimit to limit processes"
fi

# Bad values: exit 2, one line, nothing on standard output.
bad_jobs=
for v in 0 1025 x -1; do
	"$dmaown" check --jobs "$v" "$d/claim-ok.own" >"$tmp/u.out" 2>"$tmp/u.err"
	st=$?
	[ "$st" = 2 ] && [ ! -s "$tmp/u.out" ] && [ "$(wc -l <"$tmp/u.err")" = 1 ] &&
		grep -q "^dmaown: error: option '--jobs' needs" "$tmp/u.err" ||
		bad_jobs="$bad_jobs [$v: exit $st: $(cat "$tmp/u.err")]"
done
res "$([ -z "$bad_jobs" ]; echo $?)" "--jobs 0, 1025, x, -1: one line, exit 2" \
	"$bad_jobs"
rm -rf "$tmp"
