#!/usr/bin/env bash
# `make bench-wall`: registration time and perftest bandwidth in wall-clock
# time, stock and phyr booted at once and measuring in turns, seconds apart
# (bench/turns.sh): PHYR_BENCH_PAIRS (default 5) rounds of both, and of
# registration time alone up to PHYR_BENCH_REG_PAIRS (default 15).  Under
# TCG on a shared host these spread by tens of percent; `make bench`'s
# instruction-time figures are the ones that repeat.  The rounds land in
# build/bench-raw/wall and the report (results/) is written again with them
# beside make bench's figures.  About 20 minutes.
set -euo pipefail
. "$(dirname "$0")/../ci/lib.sh"
. "$(dirname "$0")/host-lib.sh"

pairs=${PHYR_BENCH_PAIRS:-5}
[[ "$pairs" =~ ^[1-9][0-9]*$ ]] || die "PHYR_BENCH_PAIRS must be a positive count"
reg_pairs=${PHYR_BENCH_REG_PAIRS:-15}
[[ "$reg_pairs" =~ ^[1-9][0-9]*$ ]] && [ "$reg_pairs" -ge "$pairs" ] ||
	die "PHYR_BENCH_REG_PAIRS must be a count of at least PHYR_BENCH_PAIRS ($pairs)"
raw=$PHYR_TOP/build/bench-raw
start=$(date +%s)

bench_prepare
rm -rf "$raw/wall"
mkdir -p "$raw/wall"
note "registration time and perftest in wall-clock time: stock and phyr in turns, $pairs rounds (registration: $reg_pairs)"
status=0
"$PHYR_TOP/bench/turns.sh" "$raw/wall" "$pairs" "$reg_pairs" ||
	{ note "the side-by-side run failed; what it measured is reported, the rest is null"; status=1; }
bench_kernels_id > "$raw/wall/kernels"
bench_report
[ -d "$raw/stock/footprint" ] ||
	note "no make bench figures in build/bench-raw: the report has the wall-clock rounds only"
note "make bench-wall took $(($(date +%s) - start)) s"
exit "$status"
