#!/bin/bash
# Inside a guest booted with movablecore= and about 10 GiB (tests/check.sh
# boots one per kernel): registration under memory pressure and the
# movable zone (mr_pressure, rxe and siw), and SIGKILL while an 8 GiB MR
# registers (mr_exit -s 8192, the pages faulted in by the pinning itself,
# the kill timed from a 1 GiB registration):
# on siw on every kernel, on rxe with "phyr" (stock rxe cannot register
# 8 GiB: its per-page array is one kcalloc() beyond kmalloc's 4 MiB).
# TAP in /tmp/results/pressure.tap.
#   guest-pressure.sh [phyr]
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tap=/tmp/results/pressure.tap
. "$here/tap.sh"
{
	include_tap "rxe: " "$top/build/tests/mr_pressure" -d rxe0
	include_tap "siw: " "$top/build/tests/mr_pressure" -d siw0
	# The kill's delay from 1 GiB's registration time, scaled to 8 GiB
	include_tap "siw, 8 GiB: " "$top/build/tests/mr_exit" -d siw0 -s 8192 -n 1 -t 1024 -z
	[ "${1:-}" != phyr ] ||
		include_tap "rxe, 8 GiB: " "$top/build/tests/mr_exit" -d rxe0 -s 8192 -n 1 -t 1024 -z
} > "$tap"
tap_end >> "$tap"
status=$?
cat "$tap"
exit "$status"
