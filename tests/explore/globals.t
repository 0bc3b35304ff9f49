#!/bin/sh
# SPDX-License-Identifier: MIT
# libdmaown keeps no writable global state: every exploration owns what it
# touches (its world, its explorer, the explorer's arenas and stacks), so
# explorations can run side by side (check --jobs forks them, a program
# may run them on threads of its own) and one never sees another.  The
# proof: no object file of the library defines a variable in a writable
# section (.data, .bss, thread-local), file-scope or static in a function;
# tables of constants sit in .rodata or .data.rel.ro.  What the sanitizers
# add (__odr_asan.* and the like) is theirs, not the library's.
set -u
obj=${DMAOWN_BUILD:?}/obj/src
if ! command -v objdump >/dev/null 2>&1; then
	echo "1..0 # SKIP objdump (binutils) is not installed"
	exit 0
fi
files=$(find "$obj" -name '*.o' | sort)
count=$(printf '%s\n' "$files" | grep -c .)
echo "1..$((count + 1))"
if [ "$count" -ge 20 ]; then
	echo "ok 1 - $count object files of the library"
else
	echo "not ok 1 - the library's object files are in $obj (found $count)"
fi
n=1
for o in $files; do
	n=$((n + 1))
	bad=$(objdump -t "$o" | awk '$3 == "O" || $2 == "O" {
		sec = ""
		for (i = 1; i <= NF; i++) if ($i ~ /^\./ || $i == "*COM*") sec = $i
		name = $NF
		if (sec ~ /^(\.(data|bss|tdata|tbss)|\*COM\*)/ &&
		    sec !~ /^\.data\.rel\.ro/ &&
		    name !~ /^__(odr_asan|asan|ubsan|tsan|sancov)/)
			print sec " " name
	}')
	rel=${o#"$obj"/}
	if [ -z "$bad" ]; then
		echo "ok $n - $rel: no writable global"
	else
		echo "not ok $n - $rel: writable globals"
		printf '%s\n' "$bad" | sed 's/^/#   /'
	fi
done
