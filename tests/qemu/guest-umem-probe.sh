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
regime=$("$here/dma-regime.sh")
if ! insmod "$ko" 2> /tmp/insmod.err; then
	{ echo "not ok 1 - insmod $ko"; sed 's/^/# /' /tmp/insmod.err; echo "1..1"; } > "$tap"
	cat "$tap"
	exit 1
fi
"$top/build/tests/umem_probe_test" "$regime" > /tmp/probe.tap 2>&1
status=$?
n=$(grep -cE '^(not )?ok ' /tmp/probe.tap)
{
	grep -v '^1\.\.' /tmp/probe.tap
	if rmmod umem_probe 2> /tmp/rmmod.err; then
		echo "ok $((n + 1)) - rmmod umem_probe"
	else
		echo "not ok $((n + 1)) - rmmod umem_probe"
		sed 's/^/# /' /tmp/rmmod.err
		status=1
	fi
	echo "1..$((n + 1))"
} > "$tap"
cat "$tap"
exit "$status"
