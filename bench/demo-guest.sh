#!/bin/bash
# Inside the guest for `make demo`: the footprint of one 64 MiB MR per
# layout, then perftest's three bandwidth tests.  Writes "key value" lines
# to /tmp/results/demo; prints progress on the console.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
out=/tmp/results/demo
: > "$out"
status=0
for layout in frag_4k contig; do
	if line=$("$top/build/bench/mr_bench" -l "$layout" -s 64M -r 5); then
		echo "$line"
		bpp=$(echo "$line" | tr ' ' '\n' | sed -n 's/^bytes_per_page=//p')
		echo "bytes_per_page_$layout $bpp" >> "$out"
	else
		status=1
	fi
done
for t in write read send; do
	if gbps=$("$top/tests/qemu/perftest-pair.sh" "$t" 65536 2000); then
		echo "ib_${t}_bw 65536: $gbps Gb/s"
		echo "bw_${t}_65536 $gbps" >> "$out"
	else
		status=1
	fi
done
exit "$status"
