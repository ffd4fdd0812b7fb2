#!/usr/bin/env bash
# `make bench-pair`: perftest between two guests on one wire (127.0.0.1),
# the phyr pair (both guests phyr) against the stock pair, in alternating
# rounds: stock pair, phyr pair, stock pair, ... PHYR_BENCH_PAIR_ROUNDS
# (default 3) of each, every round one boot of its two guests running
# tests/pair/bench.plan.  Two guests keep two instruction clocks, so this
# is wall-clock bandwidth: the table gives each pair's median over its
# rounds, the spread (lowest to highest) and the ratio of the medians.
# Writes results/pair.md; raw output in build/bench-raw/pair.  About
# 1.5 minutes a round.  make bench ends with it, when its other guests are
# done (nothing else may run beside wall-clock rounds).
set -euo pipefail
. "$(dirname "$0")/../ci/lib.sh"
. "$(dirname "$0")/host-lib.sh"

rounds=${PHYR_BENCH_PAIR_ROUNDS:-3}
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || die "PHYR_BENCH_PAIR_ROUNDS must be a positive count"
raw=$PHYR_TOP/build/bench-raw/pair
start=$(date +%s)

# make bench calls this at its end, everything built
[ -n "${PHYR_BENCH_PREPARED:-}" ] || bench_prepare
rm -rf "$raw"
mkdir -p "$raw"
status=0
for r in $(seq "$rounds"); do
	for k in stock phyr; do
		note "[$(($(date +%s) - start)) s] round $r of $rounds: the $k pair"
		"$PHYR_TOP/perftest-patches/phyr-perftest-pair" --quiet -k "$k,$k" -t 900 \
			--plan "$PHYR_TOP/tests/pair/bench.plan" -o "$raw/$k-$r" \
			> "$raw/$k-$r.txt" 2>&1 || {
			note "round $r, $k pair: $(grep -m1 FAILED "$raw/$k-$r.txt" || tail -n 1 "$raw/$k-$r.txt")"
			status=1
		}
	done
done
python3 "$PHYR_TOP/bench/pair-report.py" "$raw" "$rounds" "$PHYR_TOP/tests/pair/bench.plan" \
	"$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || echo unknown)" > "$PHYR_TOP/results/pair.md"
cat "$PHYR_TOP/results/pair.md"
note "make bench-pair took $(($(date +%s) - start)) s"
exit "$status"
