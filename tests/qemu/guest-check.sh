#!/bin/bash
# The VM part of `make check`, run inside the guest by ci/vm.sh:
#   guest-check.sh [phyr [big]] [FUZZ_CALLS]
# mlx5_core and mlx5_ib loaded and unloaded (mlx5.tap; on kernels with the
# phyr code this runs mlx5_ib's KUnit suite), the smoke tests (smoke.tap),
# the hardware path's umem through bench/umem_probe (umem_probe.tap) and
# the data integrity tests on rxe and siw (integrity.tap).  With "phyr"
# (kernels with the phyr code) also the pin_user_pages_phyr()/dma_map_phyr() tests (phyr_dma.tap),
# and "big" adds a 1.5 GiB MR to the integrity tests, for a guest of 4 GiB.
# Last, the differential fuzz (fuzz.tap; FUZZ_CALLS calls on rxe, default
# 20000), whose streams the host compares across kernels.
here=$(cd "$(dirname "$0")" && pwd)
"$here/guest-mlx5.sh" > /tmp/results/mlx5.tap
status=$?
cat /tmp/results/mlx5.tap
"$here/smoke.sh" > /tmp/results/smoke.tap || status=1
cat /tmp/results/smoke.tap
"$here/guest-umem-probe.sh" || status=1
[ "${1:-}" != phyr ] || "$here/guest-phyr-dma.sh" || status=1
"$here/guest-integrity.sh" "${2:-}" || status=1
"$here/guest-fuzz.sh" "${3:-20000}" || status=1
exit "$status"
