#!/bin/bash
# Inside a benchmark guest: perftest's write, read and send bandwidth at
# 4 KiB, 64 KiB and 1 MiB between rxe0 and rxe1, about 64 MiB moved per run.
# Lines "test size gbps" in /tmp/results/bw.txt; a failed run writes "null".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
out=/tmp/results/bw.txt
: > "$out"
for t in write read send; do
	for size in 4096 65536 1048576; do
		iters=$(( (64 << 20) / size ))
		[ "$iters" -ge 64 ] || iters=64
		gbps=$("$top/tests/qemu/perftest-pair.sh" "$t" "$size" "$iters") || gbps=null
		echo "bench: ib_${t}_bw $size: $gbps Gb/s" >&2
		echo "$t $size $gbps" >> "$out"
	done
done
