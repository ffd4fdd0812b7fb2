#!/usr/bin/env bash
# `make bench`: the stock and the phyr kernel side by side.  One 12 GiB
# guest per kernel for the footprint and size figures (mr_bench), then both
# kernels booted at once for PHYR_BENCH_PAIRS (default 5) rounds of
# registration time and perftest and more of registration time alone, up
# to PHYR_BENCH_REG_PAIRS (default 15), taken in turns (bench/turns.sh),
# then the same measured in instructions: both kernels under QEMU -icount,
# one vCPU, PHYR_BENCH_ICOUNT_ROUNDS (default 2) rounds
# (bench/guest-icount.sh).
# Writes results/bench.json, bench.md and footprint.png; raw output stays in
# build/bench-raw.  Takes about an hour under TCG.
set -euo pipefail
. "$(dirname "$0")/../ci/lib.sh"

pairs=${PHYR_BENCH_PAIRS:-5}
[[ "$pairs" =~ ^[1-9][0-9]*$ ]] || die "PHYR_BENCH_PAIRS must be a positive count"
reg_pairs=${PHYR_BENCH_REG_PAIRS:-15}
[[ "$reg_pairs" =~ ^[1-9][0-9]*$ ]] && [ "$reg_pairs" -ge "$pairs" ] ||
	die "PHYR_BENCH_REG_PAIRS must be a count of at least PHYR_BENCH_PAIRS ($pairs)"
icount_rounds=${PHYR_BENCH_ICOUNT_ROUNDS:-2}
[[ "$icount_rounds" =~ ^[1-9][0-9]*$ ]] ||
	die "PHYR_BENCH_ICOUNT_ROUNDS must be a positive count"
raw=$PHYR_TOP/build/bench-raw
res=$PHYR_TOP/results
start=$(date +%s)
step() { note "[$(($(date +%s) - start)) s] $*"; }

"$PHYR_TOP/ci/deps.sh" kernel vm bench
make -s -C "$PHYR_TOP" guest-programs build/bench/phyr_list_bench
"$PHYR_TOP/ci/build-kernel.sh" stock phyr
rm -rf "$raw"
mkdir -p "$raw" "$res"

step "the phyr list alone (userspace)"
"$PHYR_TOP/build/bench/phyr_list_bench" > "$raw/phyr_list.tsv"

for k in stock phyr; do
	step "footprint, registration time and largest MR on the $k kernel (12 GiB guest)"
	# Stock WARNs when rxe asks kcalloc for more than 4 MiB (MRs > 1 GiB)
	"$PHYR_TOP/ci/vm.sh" --quiet --allow-warn -k "$k" -m 12G -a "hugepagesz=1G hugepages=2" \
		-t 5400 -r "$raw/$k/footprint" "$PHYR_TOP/bench/guest-footprint.sh" ||
		note "the $k footprint run failed (console: $raw/$k/footprint/console.log); its figures are null"
	cp "$raw/$k/footprint/footprint.txt" "$raw/$k/footprint.txt" 2>/dev/null || true
done

step "registration time and perftest: stock and phyr side by side, in turns, $pairs rounds (registration: $reg_pairs)"
"$PHYR_TOP/bench/turns.sh" "$raw" "$pairs" "$reg_pairs" ||
	note "the side-by-side run failed; what it measured is reported, the rest is null"

step "registration time and perftest in instructions (QEMU -icount): both kernels, $icount_rounds rounds"
# The guest's clock counts instructions, so the two guests may run at once:
# sharing the host changes how long they take, not what they measure.
declare -A icount_pid
for k in stock phyr; do
	"$PHYR_TOP/ci/vm.sh" --quiet --icount -s 1 -k "$k" -m 4G \
		-a "hugepagesz=1G hugepages=1" -t 5400 -r "$raw/$k/icount" \
		"$PHYR_TOP/bench/guest-icount.sh" "$icount_rounds" &
	icount_pid[$k]=$!
done
for k in stock phyr; do
	wait "${icount_pid[$k]}" ||
		note "the $k instruction-time run failed (console: $raw/$k/icount/console.log); what it measured is reported, the rest is null"
done

step "report"
PHYR_RDMA_PATCHES=$(grep -l '^+++ b/drivers/infiniband/' "$PHYR_TOP"/kernel/ib_umem_phyr/patches/*.patch 2>/dev/null | wc -l) \
	python3 "$PHYR_TOP/bench/report.py" "$raw" "$res"
gnuplot -e "datafile='$res/footprint.dat'; outfile='$res/footprint.png'" \
	"$PHYR_TOP/bench/footprint.gp"
cat "$res/bench.md"
note "wrote $res/bench.json, $res/bench.md and $res/footprint.png"
