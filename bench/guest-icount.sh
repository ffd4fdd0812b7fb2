#!/bin/bash
# Inside a benchmark guest booted with ci/vm.sh --icount --smp 1 (4 GiB,
# hugepagesz=1G hugepages=1): the guest's clock counts one nanosecond per
# instruction executed, so a time is an instruction count and repeats to
# within about 1 % whatever the host is doing.  This cannot tell a cache
# miss from an add, and it counts what both sides of a perftest pair do,
# polling included: it is the cost of the same work on both kernels, not a
# hardware bandwidth.
#
#   guest-icount.sh ROUNDS
#
# Each round writes /tmp/results/reg-ROUND.txt (one mr_bench line per
# layout, 3 repeats) and bw-ROUND.txt ("test size gbps" lines, 64 MiB moved
# per perftest run), the formats bench/turns.sh writes, and where the
# kernel has the phyr test driver, floor-ROUND.txt: the same memory pinned
# and unpinned alone (mr_bench --floor), what registration cannot go below,
# and pinned into a phyr list by pin_user_pages_phyr() (mr_bench
# --pin-phyr), the pinning layer without the RDMA core and driver.
# Progress goes to the console.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
res=/tmp/results
rounds=${1:?usage: guest-icount.sh ROUNDS}

. "$top/bench/guest-lib.sh"
guest_setup

status=0
for i in $(seq "$rounds"); do
	: > "$res/reg-$i.txt"
	: > "$res/bw-$i.txt"
	for spec in frag_4k:256M thp:256M hugetlb_2m:256M hugetlb_1g:1G; do
		lay=${spec%%:*}
		echo "icount: round $i: mr_bench $lay" >&2
		measure_reg "$lay" "${spec#*:}" 3 >> "$res/reg-$i.txt" || status=1
		[ -e /dev/test_phyr_dma ] || continue
		echo "icount: round $i: mr_bench --floor $lay" >&2
		measure_reg "$lay" "${spec#*:}" 3 --floor >> "$res/floor-$i.txt" || status=1
		echo "icount: round $i: mr_bench --pin-phyr $lay" >&2
		measure_reg "$lay" "${spec#*:}" 3 --pin-phyr >> "$res/floor-$i.txt" || status=1
	done
	for t in write read send; do
		for size in 4096 65536 1048576; do
			echo "icount: round $i: ib_${t}_bw $size" >&2
			out=$(measure_bw "$t" "$size" $(((64 << 20) / size))) || status=1
			echo "$t $size $out" >> "$res/bw-$i.txt"
			echo "icount: round $i: siw ib_${t}_bw $size" >&2
			out=$(measure_bw --siw "$t" "$size" $(((64 << 20) / size))) || status=1
			echo "siw-$t $size $out" >> "$res/bw-$i.txt"
		done
	done
done
exit "$status"
