#!/bin/bash
# The benchmark's tools on the host, without a guest: bench/report.py on
# made-up raw output, and mr_bench's command line (help, bad arguments, a
# missing device) up to the point where it would need rxe.  Prints TAP.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tests/qemu/tap.sh"
mr_bench=$top/build/bench/mr_bench

# expect STATUS PATTERN COMMAND...: exits with STATUS, output matches PATTERN
expect() {
	local want=$1 pattern=$2 rc=0 out
	shift 2
	out=$("$@" 2>&1) || rc=$?
	echo "$out"
	[ "$rc" = "$want" ] || { echo "exit status $rc, expected $want"; return 1; }
	grep -qE -- "$pattern" <<< "$out" || { echo "no match for: $pattern"; return 1; }
}

include_tap "" python3 "$here/test_report.py"
check "mr_bench --help documents --with-heap" expect 0 '^ +\[--with-heap\]' "$mr_bench" --help
check "mr_bench rejects an unknown layout" expect 2 'bad arguments' "$mr_bench" -l nope
check "mr_bench rejects a size not a multiple of the page size" \
	expect 2 'bad arguments' "$mr_bench" -l thp -s 4K
check "mr_bench rejects --max without --limit" expect 2 'bad arguments' "$mr_bench" --max
check "mr_bench names a missing device" expect 2 'nodev: No such device' "$mr_bench" -d nodev
tap_end
