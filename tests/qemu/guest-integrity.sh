#!/bin/bash
# Inside the guest: data integrity of user MRs across whole MRs of every
# layout (mr_rdma -l: random RDMA WRITE/READ pairs and atomics, guard bytes
# checked), on rxe (rxe0 -> rxe1) and on siw (siw0 through rdma_cm, no
# atomics).  With "big", also one rxe MR of 1.5 GiB, which stock rxe cannot
# register (its page_info array is one kcalloc above the 4 MiB limit); the
# guest needs about 3 GiB for it.  Then on both devices MRs that outlive
# munmap, mremap and MADV_DONTNEED of their buffers (mr_rdma -u), fork()
# with registered MRs (mr_rdma -f, -F), file-backed MRs (mr_rdma -k),
# concurrent registration beside traffic (mr_rdma -S), and processes that
# exit or are killed while registering (mr_exit).
# TAP in /tmp/results/integrity.tap.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tap=/tmp/results/integrity.tap
. "$here/tap.sh"
runs=("frag_4k 64M" "contig 64M" "thp 64M" "hugetlb_2m 64M")
[ "${1:-}" != big ] || runs+=("thp 1536M")
echo 32 > /proc/sys/vm/nr_hugepages
for run in "${runs[@]}"; do
	set -- $run
	include_tap "rxe: " "$top/build/tests/mr_rdma" -l "$1" -s "$2" -n 300
	[ "$2" = 1536M ] ||
		include_tap "siw: " "$top/build/tests/mr_rdma" -c 10.0.9.1 -l "$1" -s "$2" -n 300
done > "$tap"
# MRs that outlive munmap, mremap and MADV_DONTNEED of their buffers
for lay in contig thp; do
	include_tap "rxe: " "$top/build/tests/mr_rdma" -u -l "$lay"
	include_tap "siw: " "$top/build/tests/mr_rdma" -c 10.0.9.1 -u -l "$lay"
done >> "$tap"
# fork() with registered MRs, without and with ibv_fork_init()
for fi in "" -F; do
	include_tap "rxe: " "$top/build/tests/mr_rdma" -f $fi
	include_tap "siw: " "$top/build/tests/mr_rdma" -c 10.0.9.1 -f $fi
done >> "$tap"
# File-backed memory: tmpfs, memfd, and ci/vm.sh's scratch share mounted
# with cache=mmap, whose shared mappings are dirty-tracked
mkdir -p /tmp/dirty
if mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=mmap scratch /tmp/dirty; then
	include_tap "rxe: " "$top/build/tests/mr_rdma" -k /tmp/dirty
	include_tap "siw: " "$top/build/tests/mr_rdma" -c 10.0.9.1 -k /tmp/dirty
	umount /tmp/dirty
else
	check "the scratch share mounts with cache=mmap" false
fi >> "$tap"
# Concurrency: 8 threads x 1000 register/deregister cycles beside checked
# traffic on other MRs of the same PDs (about 6 s per device; 70 on debug)
include_tap "rxe: " "$top/build/tests/mr_rdma" -S 8 -n 1000 >> "$tap"
include_tap "siw: " "$top/build/tests/mr_rdma" -c 10.0.9.1 -S 8 -n 1000 >> "$tap"
# Processes that exit or are killed (while registering too) with MRs
for dev in rxe0 siw0; do
	include_tap "${dev%0}: " "$top/build/tests/mr_exit" -d "$dev" -s 256 -n 6
done >> "$tap"
echo 0 > /proc/sys/vm/nr_hugepages
tap_end >> "$tap"
status=$?
cat "$tap"
exit "$status"
