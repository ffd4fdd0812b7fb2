#!/bin/bash
# Inside the guest, on any kernel: the hardware path's umem through
# bench/umem_probe (ib_umem_get() for QEMU's edu device), built for this
# kernel as build/umem_probe/FLAVOUR/umem_probe.ko (FLAVOUR from the build
# folder ci/vm.sh exports in PHYR_KBUILD), under the DMA regime this guest
# was booted with: insmod, build/tests/umem_probe_test, rmmod.
# TAP in /tmp/results/umem_probe.tap; exits non-zero if a test failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
kbuild=${PHYR_KBUILD:?PHYR_KBUILD: the kernel build folder, set by ci/vm.sh}
flavour=$(basename "$kbuild")
ko=$top/build/umem_probe/${flavour#out-}/umem_probe.ko
tap=/tmp/results/umem_probe.tap
. "$here/tap.sh"
regime=$("$here/dma-regime.sh")
{
	check "insmod $ko" insmod "$ko"
	if [ "$failed" = 0 ]; then
		include_tap "" "$top/build/tests/umem_probe_test" "$regime"
		check "rmmod umem_probe" rmmod umem_probe
	fi
	tap_end
} > "$tap"
status=$?
cat "$tap"
exit "$status"
