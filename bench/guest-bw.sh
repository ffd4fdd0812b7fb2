#!/bin/bash
# Inside a benchmark guest of an alternating stock/phyr pair (4 GiB, booted
# with hugepagesz=1G hugepages=1): registration time per layout, then
# perftest's write, read and send bandwidth at 4 KiB, 64 KiB and 1 MiB
# between rxe0 and rxe1, about 64 MiB moved per run.
# /tmp/results/reg.txt: one mr_bench line per layout ("error=..." if none),
# the median of 7 repeats: a huge-page MR deregisters in well under a
# millisecond, where 3 repeats left ratios spread from 0.1 to 8.
# /tmp/results/bw.txt: "test size gbps" lines; a failed run writes "null".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
out=/tmp/results/bw.txt
reg=/tmp/results/reg.txt
: > "$out"
: > "$reg"

echo 4000000 > /proc/sys/vm/max_map_count
echo madvise > /sys/kernel/mm/transparent_hugepage/enabled
echo 128 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
for spec in frag_4k:256M thp:256M hugetlb_2m:256M hugetlb_1g:1G; do
	lay=${spec%%:*}
	if line=$("$top/build/bench/mr_bench" -l "$lay" -s "${spec#*:}" -r 7 2> /tmp/mr_bench.err); then
		echo "$line" >> "$reg"
	else
		echo "layout=$lay error=$(tail -n 1 /tmp/mr_bench.err | tr ' =' '_:')" >> "$reg"
	fi
	echo "bench: registration $lay: $(tail -n 1 "$reg")" >&2
done
echo 0 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
for t in write read send; do
	for size in 4096 65536 1048576; do
		iters=$(( (64 << 20) / size ))
		[ "$iters" -ge 64 ] || iters=64
		gbps=$("$top/tests/qemu/perftest-pair.sh" "$t" "$size" "$iters") || gbps=null
		echo "bench: ib_${t}_bw $size: $gbps Gb/s" >&2
		echo "$t $size $gbps" >> "$out"
	done
done
