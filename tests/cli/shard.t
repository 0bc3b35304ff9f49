#!/bin/sh
# SPDX-License-Identifier: MIT
# check --shard and merge: the corpus under every policy, run as 3 shards
# (with different --jobs), merges back into the summary lines of the
# unsharded run, the verdict table of scripts/verdict-table and its exit
# status; so does a run with bad files, messages and all, and, with
# --json, into the JSON lines of the unsharded run; so do more shards
# than explorations; the shard index comes from each job runner's
# variable; merge refuses a set that is incomplete, overlaps or mixes
# runs, and malformed lines, naming the place; and the GNU parallel
# example of dmaown(1), pasted into a shell, gives the verdicts of make
# demo.  Times are masked (time= and "time").
set -u
dmaown=${DMAOWN_BUILD:?}/dmaown
src=${DMAOWN_SRC:?}
d=$src/tests/cli/scenarios
corpus=$src/scenarios
tmp=${TMPDIR:-/tmp}/dmaown-shard.$$
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
# run NAME ARGS...: dmaown ARGS, with NAME.raw, NAME.out (masked), NAME.err
# and NAME.st.
run() {
	name=$1
	shift
	"$dmaown" "$@" >"$tmp/$name.raw" 2>"$tmp/$name.err" </dev/null
	echo $? >"$tmp/$name.st"
	mask <"$tmp/$name.raw" >"$tmp/$name.out"
}
# same A B DESC: the same masked output, messages and exit status.
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
# want NAME: the masked summary lines of run NAME, a blank line and the
# verdict table scripts/verdict-table makes of them (from a stand-in for
# dmaown that prints them), its messages and exit status, as NAME.want.
want() {
	printf '#!/bin/sh\ncat %s\n' "$tmp/$1.raw" >"$tmp/fake-dmaown"
	chmod +x "$tmp/fake-dmaown"
	{
		cat "$tmp/$1.out"
		echo
		sh "$src/scripts/verdict-table" "$tmp/fake-dmaown"
	} >"$tmp/$1.want.out"
	cp "$tmp/$1.err" "$tmp/$1.want.err"
	cp "$tmp/$1.st" "$tmp/$1.want.st"
}
# refused NAME PATTERN DESC: exit 2, nothing on standard output, and a
# message matching PATTERN.
refused() {
	st=$(cat "$tmp/$1.st")
	res "$([ "$st" = 2 ] && [ ! -s "$tmp/$1.raw" ] &&
		grep -q -- "$2" "$tmp/$1.err"; echo $?)" "$3" \
		"exit $st, want 2; want a message matching: $2" \
		"$(head -n 3 "$tmp/$1.err")" "$(head -c 300 "$tmp/$1.raw")"
}

echo "1..30"

# The corpus, whole and as 3 shards.
run plain check --policy all --quiet "$corpus"
want plain
run s1 check --shard 1/3 --jobs 1 --policy all "$corpus"
run s2 check --shard 2/3 --jobs 2 --policy all "$corpus"
run s3 check --policy all --shard=3/3 "$corpus"
# Every file under every policy is one exploration; one whose pair does
# not apply (legacy, 5.18, on a file that needs a later kernel) writes a
# line without a report, so that merge can count it.
total=$(($(ls "$corpus"/*.own | wc -l) * 8))
got=$(cat "$tmp/s1.raw" "$tmp/s2.raw" "$tmp/s3.raw" | wc -l)
reports=$(cat "$tmp/s1.raw" "$tmp/s2.raw" "$tmp/s3.raw" | grep -c '^{"test":')
res "$([ "$total" -gt 200 ] && [ "$got" = "$total" ] &&
	[ "$reports" = "$(wc -l <"$tmp/plain.out")" ] &&
	[ "$(cat "$tmp/s1.st" "$tmp/s2.st" "$tmp/s3.st" | sort -u)" = "$(cat "$tmp/plain.st")" ]
	echo $?)" "3 shards write the $total explorations of the run, one line each, a report for each summary line" \
	"$got lines, $reports reports; exits $(cat "$tmp/s1.st" "$tmp/s2.st" "$tmp/s3.st" | tr '\n' ' ')"
first=$(sed -n 1p "$tmp/s2.raw")
res "$(printf '%s\n' "$first" |
	grep -q '^{"test":".*,"time":[0-9.]*,"run":"[0-9a-f]\{16\}","shard":"2/3","index":1,"total":'"$total"',"status":0}$'
	echo $?)" "... each a report with run, shard, index, total and status" \
	"$first"
ids=$(cat "$tmp/s1.raw" "$tmp/s2.raw" "$tmp/s3.raw" |
	sed 's/.*"run":"\([0-9a-f]*\)".*/\1/' | sort -u | wc -l)
res "$([ "$ids" = 1 ]; echo $?)" "... all of one run" "$ids run identities"
run merged merge "$tmp/s1.raw" "$tmp/s2.raw" "$tmp/s3.raw"
same merged plain.want "merge prints the summary lines, verdict table and exit status of the unsharded run"
cat "$tmp/s1.raw" "$tmp/s2.raw" "$tmp/s3.raw" | sort >"$tmp/all.json"
"$dmaown" merge - <"$tmp/all.json" >"$tmp/stdin.raw" 2>"$tmp/stdin.err"
echo $? >"$tmp/stdin.st"
mask <"$tmp/stdin.raw" >"$tmp/stdin.out"
same stdin plain.want "... and so does one file of them all, shuffled, on standard input"

# A run with bad files: the same messages, in the same order.
bad="$d $d/claim-fail.own $d/no-such-file.own /dev/null"
# shellcheck disable=SC2086
run bplain check --policy all --quiet $bad
want bplain
# shellcheck disable=SC2086
run b1 check --shard 1/2 --policy all $bad
# shellcheck disable=SC2086
run b2 check --shard 2/2 --policy all $bad
run bmerged merge "$tmp/b2.raw" "$tmp/b1.raw"
same bmerged bplain.want "bad files: merge prints the messages and exit status 2 of the unsharded run"
# shellcheck disable=SC2086
run bplainj check --policy all --json $bad
run bmergedj merge --json "$tmp/b2.raw" "$tmp/b1.raw"
same bmergedj bplainj "merge --json prints the JSON lines of the unsharded run"
# A file that does not parse is reported by its first exploration, so by
# one shard, which exits 2.
res "$([ "$(cat "$tmp/b1.st" "$tmp/b2.st" | sort -n | tail -n 1)" = 2 ] &&
	[ "$(cat "$tmp/b1.err" "$tmp/b2.err" | sort)" = "$(sort "$tmp/bplain.err")" ]
	echo $?)" "... each shard reports the bad files of its own explorations" \
	"$(cat "$tmp/b1.err")" "$(cat "$tmp/b2.err")"

# More shards than explorations.
run one check --quiet "$d/claim-ok.own" "$d/sibling.own"
want one
for i in 1 2 3 4; do
	"$dmaown" check --shard "$i/4" "$d/claim-ok.own" "$d/sibling.own" \
		>"$tmp/o$i.json" 2>&1
done
empty=$(for i in 3 4; do [ -s "$tmp/o$i.json" ] || echo "$i"; done | wc -l)
run omerged merge "$tmp"/o*.json
same omerged one.want "4 shards of 2 explorations: two are empty, and merge is not fooled"
res "$([ "$empty" = 2 ]; echo $?)" "... (shards 3 and 4 are empty)"

# The index from the environment: the same lines as --shard I/N.
f=$d/sibling.own
run e2 check --shard 2/3 --policy all "$f"
bad_env=
for v in JOB_COMPLETION_INDEX=1 PARALLEL_SEQ=2 \
	"SLURM_ARRAY_TASK_ID=6 SLURM_ARRAY_TASK_MIN=5" \
	"SLURM_ARRAY_TASK_ID=14 SLURM_ARRAY_TASK_MIN=10 SLURM_ARRAY_TASK_STEP=4"; do
	# shellcheck disable=SC2086
	env -u JOB_COMPLETION_INDEX -u SLURM_ARRAY_TASK_ID -u PARALLEL_SEQ $v \
		"$dmaown" check --shard 3 --policy all "$f" 2>&1 | mask |
		cmp -s - "$tmp/e2.out" || bad_env="$bad_env [$v]"
done
res "$([ -z "$bad_env" ] && [ -s "$tmp/e2.out" ]; echo $?)" \
	"--shard 3 takes shard 2 from JOB_COMPLETION_INDEX=1, PARALLEL_SEQ=2, SLURM_ARRAY_TASK_ID (- MIN) / STEP" \
	"differ:$bad_env"
bad_env=
for v in "" "JOB_COMPLETION_INDEX=0 PARALLEL_SEQ=1" PARALLEL_SEQ=4 \
	JOB_COMPLETION_INDEX=3 PARALLEL_SEQ=x "SLURM_ARRAY_TASK_ID=3 SLURM_ARRAY_TASK_MIN=4"; do
	# shellcheck disable=SC2086
	env -u JOB_COMPLETION_INDEX -u SLURM_ARRAY_TASK_ID -u PARALLEL_SEQ $v \
		"$dmaown" check --shard 3 "$f" >"$tmp/u.out" 2>"$tmp/u.err"
	st=$?
	[ "$st" = 2 ] && [ ! -s "$tmp/u.out" ] && [ "$(wc -l <"$tmp/u.err")" = 1 ] &&
		grep -q "^dmaown: error: option '--shard 3" "$tmp/u.err" ||
		bad_env="$bad_env [$v: exit $st: $(cat "$tmp/u.err")]"
done
res "$([ -z "$bad_env" ]; echo $?)" \
	"--shard N with no variable, two, or one out of range or not a number: one line, exit 2" \
	"$bad_env"
bad_opt=
for v in 0/3 4/3 1/0 x/3 3/3/3 1/1000001; do
	"$dmaown" check --shard "$v" "$f" >"$tmp/u.out" 2>"$tmp/u.err"
	st=$?
	[ "$st" = 2 ] && [ ! -s "$tmp/u.out" ] && [ "$(wc -l <"$tmp/u.err")" = 1 ] &&
		grep -q "^dmaown: error: option '--shard' needs I/N" "$tmp/u.err" ||
		bad_opt="$bad_opt [$v: exit $st: $(cat "$tmp/u.err")]"
done
res "$([ -z "$bad_opt" ]; echo $?)" "--shard 0/3, 4/3, 1/0, x/3, 3/3/3, 1/1000001: one line, exit 2" \
	"$bad_opt"
run rnd check --shard 1/2 --random 3 "$f"
refused rnd "needs '--seed'" "--shard with --random needs --seed"
run rplain check --quiet --random 3 --seed 7 "$d/claim-ok.own" "$f"
want rplain
run r1 check --shard 1/2 --random 3 --seed 7 "$d/claim-ok.own" "$f"
run r2 check --shard 2/2 --random 3 --seed 7 "$d/claim-ok.own" "$f"
run rmerged merge "$tmp/r1.raw" "$tmp/r2.raw"
# The line on the seed is the run's, not an exploration's: not merged.
: >"$tmp/rplain.want.err"
same rmerged rplain.want "... and with it merges into the sample of the unsharded run (exit 3)"
mkdir "$tmp/empty"
run pathbad check --shard 1/2 "$f" "$tmp/empty"
refused pathbad "no .own file in this directory" "a path error stops a shard at once"

# What merge refuses.
run miss merge "$tmp/s1.raw" "$tmp/s2.raw"
refused miss "^dmaown: error: merge: shard 3/3 is missing: no file given holds its" \
	"a shard missing: refused, naming it"
head -n 5 "$tmp/s3.raw" >"$tmp/s3-part.json"
run part merge "$tmp/s1.raw" "$tmp/s2.raw" "$tmp/s3-part.json"
refused part "^dmaown: error: merge: shard 3/3 is incomplete in $tmp/s3-part.json: [0-9]* of its [0-9]* explorations are missing (17, 20," \
	"a shard cut short: refused, naming the file and the explorations"
run twice merge "$tmp/s1.raw" "$tmp/s2.raw" "$tmp/s3.raw" "$tmp/s2.raw"
refused twice "^$tmp/s2.raw:1: error: exploration 1 (.*) is doubled: the file is given twice" \
	"a file given twice: refused"
sed -n 2p "$tmp/s1.raw" >"$tmp/dup.json"
run dup merge "$tmp/s1.raw" "$tmp/s2.raw" "$tmp/s3.raw" "$tmp/dup.json"
refused dup "^$tmp/dup.json:1: error: exploration 3 (.*) is doubled: $tmp/s1.raw:2 has it too" \
	"an exploration twice: refused, naming both places"
run o1 check --shard 1/3 --policy upstream "$corpus"
run mixed merge "$tmp/s1.raw" "$tmp/o1.raw" "$tmp/s2.raw" "$tmp/s3.raw"
refused mixed "^$tmp/o1.raw:1: error: a shard of another run (run [0-9a-f]*, 3 shards, [0-9]* explorations) than $tmp/s1.raw:1" \
	"shards of two runs: refused, naming both"
{ sed -n 1p "$tmp/s1.raw"; sed -n 2p "$tmp/s1.raw" | cut -c 1-12; } >"$tmp/cut.json"
run cut merge "$tmp/cut.json"
refused cut "^$tmp/cut.json:2:13: error: a string that does not end" \
	"a line cut short: FILE:LINE:COL"
printf '{"test":"x"}\n' >"$tmp/plainline.json"
run notshard merge "$tmp/plainline.json"
refused notshard "^$tmp/plainline.json:1: error: no \"run\"" \
	"a line of check --json, not --shard: FILE:LINE"
sed -n 1p "$tmp/s1.raw" | sed 's/"executions":[0-9]*/"executions":"many"/' >"$tmp/type.json"
run type merge "$tmp/type.json"
refused type "^$tmp/type.json:1: error: \"executions\", \"states\" and \"cut\" must be counts" \
	"a member of the wrong type: FILE:LINE"
sed -n 1p "$tmp/s1.raw" | sed 's/"index":0,/"index":1,/' >"$tmp/wrong.json"
run wrong merge "$tmp/wrong.json"
refused wrong "^$tmp/wrong.json:1: error: exploration 1 belongs to shard 2/3, not to 1/3" \
	"an exploration in the wrong shard: refused"
: >"$tmp/nothing.json"
run nothing merge "$tmp/nothing.json"
refused nothing "^dmaown: error: merge: no exploration in the files given" \
	"only empty files: nothing to merge"
run noarg merge
refused noarg "^dmaown: error: merge needs the files" "merge with no file"
run fifo merge /dev/null
refused fifo "^/dev/null: error: not a regular file (a character device)" \
	"merge of something that is no file"
run nofile merge "$tmp/no-such.json"
refused nofile "^$tmp/no-such.json: error: No such file or directory" \
	"merge of a file that does not exist"

# The GNU parallel example of dmaown(1), as a new user pastes it.
if ! parallel --version 2>/dev/null | grep -q '^GNU parallel'; then
	n=$((n + 1))
	echo "ok $n # skip GNU parallel is not installed (apt-get install parallel)"
else
	sed -n '/^\.SS GNU parallel$/,/^\.fi$/p' "$src/doc/dmaown.1" |
		sed -n '/^\.RS$/,/^\.RE$/p' | sed -e '1d' -e '$d' \
		-e 's/\\(aq/'"'"'/g' -e 's/\\-/-/g' -e 's/\\e/\\/g' >"$tmp/example.sh"
	mkdir "$tmp/user"
	(
		cd "$tmp/user" &&
			HOME=$tmp/user PATH=$DMAOWN_BUILD:$PATH sh "$tmp/example.sh"
	) >"$tmp/par.raw" 2>"$tmp/par.err"
	echo $? >"$tmp/par.st"
	mask <"$tmp/par.raw" >"$tmp/par.out"
	# make demo: dmaown check --policy all --quiet scenarios/.
	same par plain.want "the GNU parallel example of dmaown(1) gives the verdicts of make demo"
fi
rm -rf "$tmp"
