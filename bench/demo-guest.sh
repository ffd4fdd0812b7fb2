#!/bin/bash
# Inside a demo guest (booted with ci/vm.sh --icount --smp 1): what one MR
# costs the kernel, for scattered 4 KiB pages (256 MiB) and for THP (1 GiB),
# then perftest's three bandwidth tests at 64 KiB over rxe, timed in
# instructions.  Writes "key value" lines to /tmp/results/demo; prints
# progress on the console.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
out=/tmp/results/demo
: > "$out"
status=0
# Scattered pages: one VMA each
echo 4000000 > /proc/sys/vm/max_map_count
echo madvise > /sys/kernel/mm/transparent_hugepage/enabled
for spec in frag_4k:256M thp:1G; do
	layout=${spec%%:*}
	if line=$("$top/build/bench/mr_bench" -l "$layout" -s "${spec#*:}" -r 5); then
		echo "$line"
		bpp=$(echo "$line" | tr ' ' '\n' | sed -n 's/^bytes_per_page=//p')
		echo "bytes_per_page_$layout $bpp" >> "$out"
	else
		status=1
	fi
done
for t in write read send; do
	if gbps=$("$top/tests/qemu/perftest-pair.sh" "$t" 65536 1024); then
		echo "ib_${t}_bw 65536: $gbps Gb/s (instruction time)"
		echo "bw_${t}_65536 $gbps" >> "$out"
	else
		status=1
	fi
done
exit "$status"
