#!/bin/bash
# Smoke tests run inside the test guest after ci/guest-setup.sh, on rxe and
# on siw: the devices are there, perftest's three bandwidth tests complete
# (between rxe0 and rxe1; over siw0, both ends through rdma_cm), data moved
# by RDMA WRITE and READ lands intact in registered MRs, and bad
# registrations fail with stock's errno leaving nothing pinned.
# Prints TAP on stdout; bandwidth figures go to $PHYR_RESULTS/bw (tab separated).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
results=${PHYR_RESULTS:-/tmp/results}
. "$here/tap.sh"

devices_present() {
	local d

	ibv_devinfo -l || return 1
	for d in rxe0 rxe1 siw0; do
		ibv_devinfo -l | grep -qx "[[:space:]]*$d" &&
			[ "$(ibv_devinfo -d "$d" | grep -c PORT_ACTIVE)" = 1 ] || return 1
	done
}

# bandwidth [--siw] TEST SIZE
bandwidth() {
	local gbps driver=rxe
	[ "$1" != --siw ] || driver=siw
	gbps=$("$here/perftest-pair.sh" "$@") || return 1
	echo "$gbps"
	[ "$driver" = rxe ] || shift
	printf '%s\t%s\t%s\t%s\n' "$driver" "$1" "$2" "$gbps" >> "$results/bw"
}

check "ibv_devinfo sees rxe0, rxe1 and siw0, ports active" devices_present
check "ib_write_bw rxe0 -> rxe1 completes" bandwidth write 65536
check "ib_read_bw rxe0 -> rxe1 completes" bandwidth read 65536
check "ib_send_bw rxe0 -> rxe1 completes" bandwidth send 65536
check "ib_write_bw over siw0 (rdma_cm) completes" bandwidth --siw write 65536
check "ib_read_bw over siw0 (rdma_cm) completes" bandwidth --siw read 65536
check "ib_send_bw over siw0 (rdma_cm) completes" bandwidth --siw send 65536

include_tap "mr_rdma rxe: " "$top/build/tests/mr_rdma"
include_tap "mr_rdma siw: " "$top/build/tests/mr_rdma" -c 10.0.9.1
include_tap "reg_errors rxe: " "$top/build/tests/reg_errors"
include_tap "reg_errors siw: " "$top/build/tests/reg_errors" -d siw0
tap_end
