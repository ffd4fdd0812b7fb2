#!/bin/bash
# The VM part of `make check`, run inside the guest by ci/vm.sh: the smoke
# tests, with their TAP in /tmp/results/smoke.tap, and with "phyr" (kernels
# that have the phyr code) the get_user_phyr()/dma_map_phyr() tests, TAP in
# /tmp/results/phyr_dma.tap.
here=$(cd "$(dirname "$0")" && pwd)
"$here/smoke.sh" > /tmp/results/smoke.tap
status=$?
cat /tmp/results/smoke.tap
if [ "${1:-}" = phyr ]; then
	"$here/guest-phyr-dma.sh" || status=1
fi
exit "$status"
