# shellcheck shell=bash
# Sourced by bench/run.sh (make bench), bench/wall.sh (make bench-wall)
# and bench/pair.sh (make bench-pair), after ci/lib.sh.

# What every benchmark run needs first: packages, the guest programs (and
# any further make targets given), the stock and phyr kernels.
bench_prepare() {
	"$PHYR_TOP/ci/deps.sh" kernel vm bench
	make -s -C "$PHYR_TOP" guest-programs "$@"
	"$PHYR_TOP/ci/build-kernel.sh" stock phyr
}

# The two kernels the raw figures come from: their build inputs.
bench_kernels_id() {
	local k
	for k in stock phyr; do
		printf '%s=%s ' "$k" "$(cat "$PHYR_CACHE/out-$k/.phyr-inputs" 2>/dev/null || echo none)"
	done
	echo
}

# results/ from build/bench-raw: bench.json, bench.md and the plots.
bench_report() {
	local raw=$PHYR_TOP/build/bench-raw res=$PHYR_TOP/results
	mkdir -p "$res"
	PHYR_RDMA_PATCHES=$(grep -l '^+++ b/drivers/infiniband/' "$PHYR_TOP"/kernel/ib_umem_phyr/patches/*.patch 2>/dev/null | wc -l) \
	PHYR_LINUX_VERSION=$(cat "$PHYR_CACHE/linux-6.12/.phyr-source" 2>/dev/null || echo unknown) \
		python3 "$PHYR_TOP/bench/report.py" "$raw" "$res"
	gnuplot -e "datafile='$res/footprint.dat'; outfile='$res/footprint.png'" \
		"$PHYR_TOP/bench/footprint.gp"
	gnuplot -e "datafile='$res/footprint.dat'; outfile='$res/footprint-per-tib.png'" \
		"$PHYR_TOP/bench/per-tib.gp"
	cat "$res/bench.md"
	note "wrote $res/bench.json, $res/bench.md, $res/footprint.png and $res/footprint-per-tib.png"
}
