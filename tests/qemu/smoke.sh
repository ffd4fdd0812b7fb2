#!/bin/bash
# Smoke tests run inside the test guest after ci/guest-setup.sh: the rxe
# devices are there, perftest's three bandwidth tests complete between them,
# data moved by RDMA WRITE and READ lands intact in registered MRs, and bad
# registrations fail with stock's errno leaving nothing pinned.
# Prints TAP on stdout; bandwidth figures go to $PHYR_RESULTS/bw (tab separated).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
results=${PHYR_RESULTS:-/tmp/results}
. "$here/tap.sh"

devices_present() {
	ibv_devinfo -l && ibv_devinfo -l | grep -qx '[[:space:]]*rxe0' &&
		ibv_devinfo -l | grep -qx '[[:space:]]*rxe1' &&
		[ "$(ibv_devinfo -d rxe0 | grep -c PORT_ACTIVE)" = 1 ] &&
		[ "$(ibv_devinfo -d rxe1 | grep -c PORT_ACTIVE)" = 1 ]
}

bandwidth() {
	local gbps
	gbps=$("$here/perftest-pair.sh" "$1" "$2") || return 1
	echo "$gbps"
	printf '%s\t%s\t%s\n' "$1" "$2" "$gbps" >> "$results/bw"
}

check "ibv_devinfo sees rxe0 and rxe1, ports active" devices_present
check "ib_write_bw rxe0 -> rxe1 completes" bandwidth write 65536
check "ib_read_bw rxe0 -> rxe1 completes" bandwidth read 65536
check "ib_send_bw rxe0 -> rxe1 completes" bandwidth send 65536

include_tap "mr_rdma: " "$top/build/tests/mr_rdma"
include_tap "reg_errors: " "$top/build/tests/reg_errors"
tap_end
