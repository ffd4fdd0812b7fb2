#!/bin/bash
# The VM part of `make check`, run inside the guest by ci/vm.sh:
#   guest-check.sh [phyr [big]]
# The smoke tests, TAP in /tmp/results/smoke.tap.  With "phyr" (kernels with
# the phyr code) also the get_user_phyr()/dma_map_phyr() tests
# (phyr_dma.tap) and the rxe data integrity tests (integrity.tap; "big"
# adds a 1.5 GiB MR, for a guest of 4 GiB).
here=$(cd "$(dirname "$0")" && pwd)
"$here/smoke.sh" > /tmp/results/smoke.tap
status=$?
cat /tmp/results/smoke.tap
if [ "${1:-}" = phyr ]; then
	"$here/guest-phyr-dma.sh" || status=1
	"$here/guest-integrity.sh" "${2:-}" || status=1
fi
exit "$status"
