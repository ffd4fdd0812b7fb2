# shellcheck shell=bash
# Sourced by the benchmark guests (bench/guest-turns.sh, guest-icount.sh):
# the guest's set-up and one measurement of each kind, answered the same
# way whichever script asks.  Needs $top, the checkout.

# Room for fragmented MRs' mappings, THP only where asked, 2 MiB pages.
guest_setup() {
	echo 4000000 > /proc/sys/vm/max_map_count
	echo madvise > /sys/kernel/mm/transparent_hugepage/enabled
	echo 128 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
}

# measure_reg LAYOUT SIZE REPEAT [MR_BENCH_OPTION...]: mr_bench's line, or
# "layout=LAYOUT error=REASON" and status 1.
measure_reg() {
	local out

	out=$("${top:?}/build/bench/mr_bench" -l "$1" -s "$2" -r "$3" "${@:4}" 2> /tmp/err) ||
		{ echo "layout=$1 error=$(tail -n 1 /tmp/err | tr ' =' '_:')"; return 1; }
	echo "$out"
}

# measure_bw [--siw] TEST SIZE ITERATIONS: Gb/s, or "null" and status 1.
# perftest-pair.sh's notes (a run repeated) and failures go to stderr, the
# guest's console.
measure_bw() {
	local rc=0

	"${top:?}/tests/qemu/perftest-pair.sh" "$@" 2> /tmp/err || { echo null; rc=1; }
	cat /tmp/err >&2
	return "$rc"
}
