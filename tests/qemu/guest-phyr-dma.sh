#!/bin/bash
# Inside the guest, on kernels with the phyr test driver: pin_user_pages_phyr()
# and dma_map_phyr() under the DMA regime this guest was booted with, plus
# the fault-injection sweep where the kernel has fail-nth (debug kernel).
# TAP in /tmp/results/phyr_dma.tap; exits non-zero if a test failed.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tap=/tmp/results/phyr_dma.tap
if [ ! -e /dev/test_phyr_dma ]; then
	printf 'not ok 1 - /dev/test_phyr_dma exists (CONFIG_TEST_PHYR_DMA)\n1..1\n' > "$tap"
	cat "$tap"
	exit 1
fi
regime=$("$here/dma-regime.sh")
cmds=(pin dma "$regime")
[ ! -e /proc/self/fail-nth ] || cmds+=(faults "$regime")
"$top/build/tests/phyr_dma_test" "${cmds[@]}" > "$tap" 2>&1
status=$?
cat "$tap"
exit "$status"
