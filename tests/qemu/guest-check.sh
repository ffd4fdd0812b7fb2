#!/bin/bash
# The VM part of `make check`, run inside the guest by ci/vm.sh:
#   guest-check.sh [phyr [big]] [FUZZ_CALLS]
# mlx5_core and mlx5_ib loaded and unloaded (mlx5.tap; on kernels with the
# phyr code this runs mlx5_ib's KUnit suite), the smoke tests (smoke.tap),
# MR footprints through rdma-core-ext (footprint.tap), perftest with the
# footprint extension of perftest-patches/ (perftest-fp.tap), the hardware
# path's umem through bench/umem_probe (umem_probe.tap) and
# the data integrity tests on rxe and siw (integrity.tap).  With "phyr"
# (kernels with the phyr code) also the pin_user_pages_phyr()/dma_map_phyr() tests (phyr_dma.tap),
# and "big" adds a 1.5 GiB MR to the integrity tests, for a guest of 4 GiB.
# Last, the differential fuzz (fuzz.tap; FUZZ_CALLS calls on rxe, default
# 20000), whose streams the host compares across kernels.
# What each part took goes to the console and to /tmp/results/times.
here=$(cd "$(dirname "$0")" && pwd)
status=0
# took NAME: the seconds since the last part ended
took() {
	echo "$1: $((SECONDS - mark)) s" | tee -a /tmp/results/times
	mark=$SECONDS
}
mark=$SECONDS
"$here/guest-mlx5.sh" > /tmp/results/mlx5.tap || status=1
cat /tmp/results/mlx5.tap
took "mlx5_core and mlx5_ib, their KUnit suite"
"$here/smoke.sh" > /tmp/results/smoke.tap || status=1
cat /tmp/results/smoke.tap
took "smoke tests"
"$here/guest-footprint.sh" "${1:-}" || status=1
took "MR footprints (rdma-core-ext)"
"$here/guest-perftest-fp.sh" "$([ "${1:-}" = phyr ] && echo phyr || echo stock)" > /dev/null || status=1
took "perftest with the footprint extension (perftest-patches)"
"$here/guest-umem-probe.sh" || status=1
took "hardware path (umem_probe)"
if [ "${1:-}" = phyr ]; then
	"$here/guest-phyr-dma.sh" || status=1
	took "pin_user_pages_phyr and dma_map_phyr"
fi
"$here/guest-integrity.sh" "${2:-}" || status=1
took "data integrity, munmap, fork, files, threads, exits"
"$here/guest-fuzz.sh" "${3:-20000}" || status=1
took "differential fuzz"
exit "$status"
