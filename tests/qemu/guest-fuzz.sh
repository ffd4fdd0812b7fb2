#!/bin/bash
# Inside the guest: the differential fuzz of reg_mr/rereg_mr/dereg_mr
# (mr_fuzz), CALLS calls on rxe0 (default 20000), SIW_CALLS on siw0
# (default 20000) and 5000 on rxe0 without root under a 1 MiB
# RLIMIT_MEMLOCK, all from seed SEED (default 1).  Each run's stream goes to /tmp/results/fuzz/, where the
# host compares the kernels' streams (tests/fuzz-compare.sh); TAP in
# /tmp/results/fuzz.tap.
#   guest-fuzz.sh [CALLS [SIW_CALLS [SEED]]]
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tap=/tmp/results/fuzz.tap
calls=${1:-20000}
siw_calls=${2:-20000}
seed=${3:-1}
. "$here/tap.sh"
dir=/tmp/results/fuzz
rm -rf "$dir"
mkdir -p "$dir"
{
	include_tap "rxe: " "$top/build/tests/mr_fuzz" -d rxe0 -s "$seed" -n "$calls" -o "$dir/rxe0.stream"
	include_tap "siw: " "$top/build/tests/mr_fuzz" -d siw0 -s "$seed" -n "$siw_calls" -o "$dir/siw0.stream"
	include_tap "rxe, unprivileged: " "$top/build/tests/mr_fuzz" -d rxe0 -s "$seed" -n 5000 \
		-U 1048576 -o "$dir/rxe0-unprivileged.stream"
} > "$tap"
tap_end >> "$tap"
status=$?
cat "$tap"
exit "$status"
