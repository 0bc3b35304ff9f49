#!/bin/sh
# SPDX-License-Identifier: MIT
# The documentation says what happens.  The example of dmaown-scenario(5)
# passes under every policy it names; each statement of dmaown(1)'s EXIT
# STATUS is there, word for word, next to a command that does what it
# says; the edge results the scenario manual documents are the ones the
# model returns; the man pages carry one date; the README lists every
# manual; and an installed copy (a PREFIX the dynamic linker does not
# search) has the README its manual promises and links, by the manual's
# own recipe, a program that runs: the example of libdmaown(3).
set -u
dmaown=${DMAOWN_BUILD:?}/dmaown
src=${DMAOWN_SRC:?}
d=$src/tests/cli/scenarios
tmp=${TMPDIR:-/tmp}/dmaown-docs.$$
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
# status WANT DESC ARGS...: dmaown ARGS exits WANT.
status() {
	want=$1
	desc=$2
	shift 2
	"$dmaown" "$@" >"$tmp/st.out" 2>&1 </dev/null
	st=$?
	res "$([ "$st" = "$want" ]; echo $?)" "$desc" "exit $st, want $want: dmaown $*" \
		"$(head -n 5 "$tmp/st.out")"
}

# A man page as one line of plain text: macros' fonts dropped (the
# alternating ones join their words), escapes read, spaces squeezed.
plain() {
	awk '
	/^\.(BR|RB|BI|IB|IR|RI) / {
		line = substr($0, 5); out = ""
		while (line != "") {
			if (substr(line, 1, 1) == "\"") {
				i = index(substr(line, 2), "\"")
				out = out substr(line, 2, i - 1)
				line = substr(line, i + 2)
			} else {
				i = index(line, " ")
				if (i == 0) { out = out line; line = "" }
				else { out = out substr(line, 1, i - 1)
					line = substr(line, i + 1) }
			}
			sub(/^ +/, "", line)
		}
		print out; next
	}
	/^\.(B|I) / { print substr($0, 4); next }
	/^\./ { next }
	{ print }' "$1" |
		sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/\\e/\\/g' \
			-e 's/\\(lq/"/g' -e 's/\\(rq/"/g' -e 's/\\(dq/"/g' |
		tr '\n' ' ' | tr -s ' '
}
plain "$src/doc/dmaown.1" >"$tmp/dmaown.1.txt"
# says TEXT: dmaown(1) says TEXT.
says() {
	grep -qF -- "$1" "$tmp/dmaown.1.txt"
}

echo "1..38"

# The example of dmaown-scenario(5), under every policy it names.
ex=$tmp/example.own
sed -n '/^\.SS Example$/,/^\.ft$/p' "$src/doc/dmaown-scenario.5" |
	sed -e '1,3d' -e '$d' -e 's/\\e/\\/g' >"$ex"
pols=$(sed -n 's/^expect \([a-z0-9-]*\) .*/\1/p' "$ex" | sort -u)
res "$([ -n "$pols" ] && [ "$(grep -c '^thread' "$ex")" = 2 ]; echo $?)" \
	"the example is extracted ($(echo $pols))" "$(cat "$ex")"
for p in $pols; do
	"$dmaown" check --quiet --policy "$p" "$ex" >"$tmp/ex.out" 2>&1
	st=$?
	res "$([ "$st" = 0 ] && grep -q ' expect=PASS ' "$tmp/ex.out"; echo $?)" \
		"the example passes under $p" "exit $st" "$(cat "$tmp/ex.out")"
done
"$dmaown" check --quiet --policy all "$ex" >"$tmp/ex.out" 2>&1
res $? "... and check --policy all of it exits 0" "$(cat "$tmp/ex.out")"

# EXIT STATUS, statement by statement.
says "a file with no expect line holds when no violation was found and its condition held in at least one execution for exists (the observation is not Never), in every execution for forall (Always), and in none for ~exists (Never)."
res $? "dmaown(1): the rule for a file without expect lines"
q() {
	printf 'bus pci\ndevice d pci group 1\nthread P0 {\n  r0 = claim 1 a\n}\nthread P1 {\n  r0 = claim 1 b\n}\n%s\n' "$1" >"$tmp/$2.own"
}
q '~exists (P0:r0 == 0 /\ P1:r0 == 0)' notex-never
q '~exists (P0:r0 == 0)' notex-some
q 'forall (owner_cnt(1) == 1)' forall-always
q 'forall (P0:r0 == 0)' forall-some
q 'exists (P0:r0 == 0)' exists-some
status 1 "... exists that is Never fails" check "$d/default-exists.own"
status 0 "... exists that is Sometimes holds" check "$tmp/exists-some.own"
status 0 "... forall that is Always holds" check "$tmp/forall-always.own"
status 1 "... forall that is Sometimes fails" check "$tmp/forall-some.own"
status 0 "... ~exists that is Never holds" check "$tmp/notex-never.own"
status 1 "... ~exists that is Sometimes fails" check "$tmp/notex-some.own"

cmd=$("$dmaown" check --policy legacy "$d/sibling.own" |
	sed -n 's/^  replay: //p' | grep -- '--violation bug$')
says "For replay: with --violation, the execution shows a violation of that kind; without it, nothing in the execution contradicts the file's expect lines for the policy."
res $? "dmaown(1): replay's 0"
sh -c "$cmd" >/dev/null 2>&1
res $? "... the replay command check prints exits 0" "$cmd"
says "For replay: with --violation, the execution does not show that kind; without it, the execution shows a violation no expect line names, or contradicts a line"
res $? "dmaown(1): replay's 1"
status 1 "... --violation of a kind the execution does not show" \
	replay "$d/sibling.own" --policy legacy --schedule 0x37.1x11.0.2x21 --violation uaf
says "For run: every run ended in a final state the explorer lists, and no run contradicted an expectation."
res $? "dmaown(1): run's 0"
status 0 "... run of a file its runs agree with" run "$d/race-claims.own" --iterations 5 --seed 1
says "For run: a run ended in a state the explorer does not list, or contradicted an expectation, or the explorer finds a use after free or a deadlock that the file does not expect."
res $? "dmaown(1): run's 1"
status 1 "... run of a file a run contradicts" run "$d/claim-fail.own" --iterations 5 --seed 1
says "Bad usage, a bad scenario file, a path that is no regular file, a directory without .own files, or a schedule that does not fit."
res $? "dmaown(1): 2"
mkdir "$tmp/empty"
status 2 "... a directory without .own files" check "$tmp/empty"
status 2 "... a path that is no regular file" check /dev/null
says "For check: a limit (--max-executions, --time-limit, the default time limit, a --random sample) or --first stopped a search before the expectations could all be judged, and nothing failed. For run: no run was made, because the explorer finds a use after free or a deadlock that the file expects, or because the time limit stopped the explorer's list of final states."
res $? "dmaown(1): 3"
status 3 "... --first" check --first --policy legacy "$d/sibling.own"
status 3 "... run of an expected use after free" \
	run "$src/scenarios/c3-recompute-unload-uaf.own" --policy recompute --iterations 1
says "The status of several files is the worst one, in the order 2, 1, 3, 0."
res $? "dmaown(1): several files"
status 1 "... 1 beats 3" check --max-executions 1 "$d/race-claims.own" "$d/claim-fail.own"
status 2 "... 2 beats 1" check "$d/claim-fail.own" /dev/null

# The edge results dmaown-scenario(5) documents.
plain "$src/doc/dmaown-scenario.5" >"$tmp/scenario.5.txt"
grep -qF 'remove it from its group; -ENODEV if it is absent.' "$tmp/scenario.5.txt" &&
	grep -qF 'probe the unbound devices that match it (driver_attach, which ignores every error); -EBUSY if it is registered already' "$tmp/scenario.5.txt" &&
	grep -qF 'free the driver object; -ENODEV if it is not registered' "$tmp/scenario.5.txt"
res $? "dmaown-scenario(5) documents unplug, load and unload at their edges"
cat >"$tmp/edges.own" <<'EOF'
bus pci
driver k pci
driver u pci unloaded
device gone pci group 1 absent
thread P0 {
  r0 = unplug gone
  r1 = load k
  r2 = unload u
}
forall (P0:r0 == -ENODEV /\ P0:r1 == -EBUSY /\ P0:r2 == -ENODEV)
expect Always
EOF
status 0 "... and the model returns just that, under every policy" \
	check --policy all "$tmp/edges.own"

# One date on every man page, and the README names every one.
dates=$(sed -n 's/^\.TH [^ ]* [0-9] \([^ ]*\) .*/\1/p' "$src"/doc/*.[135] | sort -u)
res "$([ "$(printf '%s\n' "$dates" | wc -l)" = 1 ]; echo $?)" \
	"the man pages carry one date" "$dates"
missing=
for m in "$src"/doc/*.[135]; do
	grep -q "^.*Manuals:.*man doc/${m##*/}" "$src/README.md" ||
		grep -A2 'Manuals:' "$src/README.md" | grep -q "man doc/${m##*/}" ||
		missing="$missing ${m##*/}"
done
res "$([ -z "$missing" ]; echo $?)" "the README's manuals line names every manual" \
	"missing:$missing"

# make fuzz goes past the line limit, and its knob is documented.
maxlen=$(sed -n 's/^FUZZ_MAX_LEN ?= \([0-9]*\)$/\1/p' "$src/Makefile")
res "$([ "${maxlen:-0}" -gt 4097 ] && grep -q 'FUZZ_SECONDS' "$src/README.md"; echo $?)" \
	"make fuzz: inputs past 4096 bytes, FUZZ_SECONDS in the README" "max_len ${maxlen:-none}"

# An install into a PREFIX of its own, as libdmaown(3) describes it.
pfx=$tmp/prefix
env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s -C "$src" -j2 \
	BUILD="$tmp/build" OPT=-O0 SAN= CFLAGS= LDFLAGS= PREFIX="$pfx" install \
	>"$tmp/make.log" 2>&1
res $? "make install PREFIX=... works" "$(tail -n 5 "$tmp/make.log")"
[ -f "$pfx/share/dmaown/scenarios/README" ] &&
	grep -q 'together with README' "$tmp/scenario.5.txt"
res $? "the corpus README that dmaown-scenario(5)'s FILES names is installed"
sed -n '/^\.SH EXAMPLE$/,/^\.SH /p' "$src/doc/libdmaown.3" |
	sed -n '/^\.nf$/,/^\.fi$/p' | sed -e '1d' -e '$d' \
		-e 's/\\e/\\/g' -e 's/\\-/-/g' >"$tmp/prog.c"
export PKG_CONFIG_PATH="$pfx/lib/pkgconfig"
# shellcheck disable=SC2046
cc -o "$tmp/prog" "$tmp/prog.c" $(pkg-config --cflags --libs dmaown) \
	-lpthread >"$tmp/cc.log" 2>&1
res $? "libdmaown(3)'s example builds with its first recipe" "$(cat "$tmp/cc.log")"
"$tmp/prog" >"$tmp/prog.out" 2>&1
res "$([ $? != 0 ] && grep -q 'libdmaown.so.0' "$tmp/prog.out"; echo $?)" \
	"... which cannot find libdmaown.so.0 outside the system's directories" \
	"$(cat "$tmp/prog.out")"
# shellcheck disable=SC2046
cc -o "$tmp/prog" "$tmp/prog.c" $(pkg-config --cflags --libs dmaown) \
	$(pkg-config --variable=rpath dmaown) -lpthread >"$tmp/cc.log" 2>&1 &&
	[ "$("$tmp/prog" 2>&1)" = -16 ]
res $? "with the rpath recipe of its SYNOPSIS it runs and prints -16" \
	"$(cat "$tmp/cc.log")"
rm -rf "$tmp"
