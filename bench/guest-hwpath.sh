#!/bin/bash
# Inside a hardware-path guest of `make bench` (4 GiB, ci/vm.sh -i REGIME):
# the umem alone, registered for QEMU's edu PCI device through the umem
# probe, in fragmented, THP and hugetlb 2 MiB memory: one mr_bench line
# each, prefixed with the figure's name, in /tmp/results/hwpath.txt.
#   guest-hwpath.sh REGIME PROBE_KO
# REGIME is checked first (tests/qemu/iommu-check.sh): a guest whose
# regime is not in effect measures nothing.  Each layout keeps its MRs
# (at most 1 GiB) registered at once; the swiotlb guest's bounce pool
# (1 GiB, bench/run.sh) holds its 768 MiB with room for the guest's own I/O.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/guest-lib.sh"
usage="usage: guest-hwpath.sh REGIME PROBE_KO"
regime=${1:?$usage} ko=${2:?$usage}
out=/tmp/results/hwpath.txt
: > "$out"

fail() {
	echo "regime=$regime error=$1" >> "$out"
	cat "$out"
	exit 1
}

if ! "$top/tests/qemu/iommu-check.sh" "$regime" > /tmp/regime.tap; then
	sed 's/^/bench: /' /tmp/regime.tap >&2
	fail not_in_effect
fi
if [ "$regime" = swiotlb ]; then
	slabs=$(cat /sys/kernel/debug/swiotlb/io_tlb_nslabs 2>/dev/null || echo 0)
	echo "bench: swiotlb pool: $((slabs / 512)) MiB" >&2
fi
insmod "$ko" 2> /tmp/insmod.err ||
	fail "insmod_$(tr ' =' '_:' < /tmp/insmod.err | tail -n 1)"
echo 4000000 > /proc/sys/vm/max_map_count
echo madvise > /sys/kernel/mm/transparent_hugepage/enabled

figure() {
	local name=$1 line

	shift
	echo "bench: $regime: $name: mr_bench -d umem_probe $*" >&2
	line=$(measure_reg "$@" -d umem_probe -n 2)
	echo "figure=$name regime=$regime $line" >> "$out"
}

# 2 x 256 MiB fragmented: one page counted is 0.03 B/page; the huge-page
# layouts 2 x 512 MiB (0.016 B/page), where one entry per folio is 0.03
# (2 x 384 MiB under swiotlb: the pool's 1 GiB keeps room for the guest's
# own bounced I/O)
huge=512M
[ "$regime" != swiotlb ] || huge=384M
figure hw_frag_4k frag_4k 256M 3
figure hw_thp thp "$huge" 3
echo 520 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
figure hw_hugetlb_2m hugetlb_2m "$huge" 3
echo 0 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
rmmod umem_probe || fail rmmod
cat "$out"
