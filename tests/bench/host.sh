#!/bin/bash
# The benchmark's tools on the host, without a guest: bench/report.py on
# made-up raw output, and mr_bench's and turns.sh's command lines (help, bad
# arguments, a missing device) up to the point where they would need rxe or
# a guest.  Prints TAP.
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
check "mr_bench --help documents --floor" expect 0 '^ +mr_bench --floor' "$mr_bench" --help
check "mr_bench rejects --floor with --max" expect 2 'bad arguments' "$mr_bench" --floor --max --limit 1G
check "mr_bench --floor names the missing test driver" \
	expect 2 "/dev/test_phyr_dma \\(the phyr kernel's test driver\\): No such file" \
	"$mr_bench" --floor -l contig -s 64K -r 1
check "turns.sh rejects fewer registration rounds than rounds" \
	expect 1 'REG_ROUNDS must be a count of at least ROUNDS \(5\)' "$top/bench/turns.sh" /nonexistent 5 3
check "turns.sh rejects a round count of 0" \
	expect 1 'ROUNDS must be a positive count' "$top/bench/turns.sh" /nonexistent 0

# perftest-pair.sh against a fake perftest: FAKE_BAD client runs fail the
# CPU frequency sampling, the others report FAKE_AVG MB/s.
fake=$(mktemp -d)
trap 'rm -rf "$fake"' EXIT
for name in ib_write_bw ib_read_bw ib_send_bw ss; do
	ln -s "$here/fake-perftest.sh" "$fake/$name"
done
pair() {
	rm -f "$fake/runs" "$fake/port"
	echo "$1" > "$fake/bad"
	echo "$2" > "$fake/avg"
	shift 2
	FAKE_DIR=$fake PATH=$fake:$PATH "$top/tests/qemu/perftest-pair.sh" "$@"
}
check "perftest-pair.sh prints the client's average in Gb/s" \
	expect 0 '^0\.2097$' pair 0 25.00 write 65536 100
check "perftest-pair.sh runs again after a failed frequency sampling" \
	expect 0 'attempt 2\), running again' pair 2 25.00 send 1048576 100
check "perftest-pair.sh reports the good run after failed samplings" \
	expect 0 '^0\.2097$' pair 2 25.00 send 1048576 100
check "perftest-pair.sh fails after three failed samplings" \
	expect 1 'client: Correlation coefficient' pair 3 25.00 read 4096 100
check "perftest-pair.sh fails on an average of 0" \
	expect 1 'ib_write_bw 4096 failed' pair 0 0.00 write 4096 100
check "perftest-pair.sh rejects an unknown test" \
	expect 2 'unknown test' pair 0 25.00 atomic 4096
tap_end
