#!/bin/bash
# Inside the benchmark guest (12 GiB, booted with hugepagesz=1G hugepages=2):
# every footprint, time and size figure of `make bench`, one mr_bench line
# each, prefixed with the figure's name, in /tmp/results/footprint.txt; on
# rxe0, and the footprint figures again on siw0 (names prefixed "siw_").
# A figure that cannot be measured gets "figure=NAME error=REASON".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bench=$top/build/bench/mr_bench
out=/tmp/results/footprint.txt
: > "$out"

# frag_4k gives each page its own VMA (mremap cannot merge them)
echo 4000000 > /proc/sys/vm/max_map_count
echo madvise > /sys/kernel/mm/transparent_hugepage/enabled

figure() {
	local name=$1 line rc
	shift
	echo "bench: $name: mr_bench $*" >&2
	line=$("$bench" "$@" 2> /tmp/mr_bench.err)
	rc=$?
	if [ "$rc" -le 1 ] && [ -n "$line" ]; then
		echo "figure=$name $line" >> "$out"
	else
		echo "figure=$name error=$(tail -n 1 /tmp/mr_bench.err | tr ' =' '_:')" >> "$out"
	fi
}

# 1 GiB pages first, then give them back for the large MRs
figure bpp_hugetlb_1g -l hugetlb_1g -s 1G -n 2 -r 3
figure siw_bpp_hugetlb_1g -d siw0 -l hugetlb_1g -s 1G -n 2 -r 3
echo 0 > /sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages

# THP and hugetlb 2 MiB: 8 MRs of 1 GiB, the largest stock registers.
# Counting pages resolves one page per measurement: over 8 GiB that is
# 0.002 B/page, a tenth of phyr's 0.02 target, where 4 MRs of 256 MiB
# resolved 0.016 and read 0 or 0.03 by the luck of the slab caches.
echo 4112 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
figure bpp_hugetlb_2m -l hugetlb_2m -s 1G -n 8 -r 3
figure siw_bpp_hugetlb_2m -d siw0 -l hugetlb_2m -s 1G -n 8 -r 3
echo 0 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages

figure bpp_frag_4k -l frag_4k -s 256M -n 4 -r 3
figure siw_bpp_frag_4k -d siw0 -l frag_4k -s 256M -n 4 -r 3
# Half 2 MiB folios, half single pages (THP is madvise: only the folio half)
figure bpp_mixed -l mixed -s 256M -n 4 -r 3
figure siw_bpp_mixed -d siw0 -l mixed -s 256M -n 4 -r 3
figure bpp_thp -l thp -s 1G -n 8 -r 3
figure siw_bpp_thp -d siw0 -l thp -s 1G -n 8 -r 3
figure mr_4k -l frag_4k -s 4K -n 10000 -r 3
figure siw_mr_4k -d siw0 -l frag_4k -s 4K -n 10000 -r 3
# The same with the user memory registering takes (libibverbs' per-MR
# structure, the array of pointers): how the 845 B stock reference (bench/report.py) counts
figure mr_4k_heap -l frag_4k -s 4K -n 10000 -r 3 --with-heap
figure mr_64k -l frag_4k -s 64K -n 5000 -r 3
figure siw_mr_64k -d siw0 -l frag_4k -s 64K -n 5000 -r 3
for g in 1 4 8; do
	figure "mr_${g}g" -l contig -s "${g}G" -n 1 -r 1
done
avail_kb=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
figure max_mr -l contig --max --limit "$(( (avail_kb / 1024 - 1024) / 64 * 64 ))M"
figure siw_max_mr -d siw0 -l contig --max --limit "$(( (avail_kb / 1024 - 1024) / 64 * 64 ))M"
cat "$out"
