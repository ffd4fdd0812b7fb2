#!/usr/bin/env bash
# `make bench`: the stock and the phyr kernel side by side, in figures that
# repeat on any host.  One 12 GiB guest per kernel for the footprint and
# size figures (mr_bench: exact page counts, and the information bound of
# the pages registered), and meanwhile the hardware path's umem alone for
# QEMU's edu device under four DMA regimes (bench/guest-hwpath.sh, one
# 4 GiB guest at a time beside the others), then both kernels under QEMU -icount, one vCPU,
# PHYR_BENCH_ICOUNT_ROUNDS (default 3) rounds of registration time,
# pinning alone (the floor, on phyr) and perftest, timed in instructions
# (bench/guest-icount.sh), and last, alone on the host, perftest between
# two guests on one wire, the phyr pair against the stock pair in
# alternating wall-clock rounds (bench/pair.sh: results/pair.md).  About
# 27 minutes under TCG.
#
# The wall-clock rounds, which this kind of host times to tens of percent
# only, are `make bench-wall` (bench/wall.sh); the report shows them
# beside these figures when they were taken on the same kernels.
#
# Writes results/bench.json, bench.md and the plots; raw output stays in
# build/bench-raw.
set -euo pipefail
. "$(dirname "$0")/../ci/lib.sh"
. "$(dirname "$0")/host-lib.sh"

icount_rounds=${PHYR_BENCH_ICOUNT_ROUNDS:-3}
[[ "$icount_rounds" =~ ^[1-9][0-9]*$ ]] ||
	die "PHYR_BENCH_ICOUNT_ROUNDS must be a positive count"
raw=$PHYR_TOP/build/bench-raw
start=$(date +%s)
step() { note "[$(($(date +%s) - start)) s] $*"; }

bench_prepare build/bench/phyr_list_bench
mkdir -p "$raw"
# Wall-clock rounds of other kernels do not belong beside these figures
if [ -d "$raw/wall" ] && [ "$(cat "$raw/wall/kernels" 2>/dev/null)" != "$(bench_kernels_id)" ]; then
	note "dropping the wall-clock rounds of build/bench-raw/wall: other kernels"
	rm -rf "$raw/wall"
fi
rm -rf "$raw/stock" "$raw/phyr" "$raw/phyr_list.tsv"

step "the phyr list alone (userspace)"
"$PHYR_TOP/build/bench/phyr_list_bench" > "$raw/phyr_list.tsv"

# The hardware path: one 4 GiB guest per kernel and DMA regime, one at a
# time, beside the footprint and instruction-time guests.  It makes them
# slower, not different: their figures are exact page counts or counted in
# instructions, and so are its own.  Each takes about 35 s alone.
hw_path() {
	local regime k pool

	for regime in none passthrough translated swiotlb; do
		# swiotlb's default pool (64 MiB) holds no registered MR: 1 GiB of
		# 2 KiB slabs (the most a 4 GiB q35 guest's low 2 GiB gives: the
		# kernel rounds the count up to a power of two) holds 768 MiB
		# registered with room for the guest's own bounced I/O
		pool=()
		[ "$regime" != swiotlb ] || pool=(-a "swiotlb=524288")
		for k in stock phyr; do
			step "hardware path: the umem alone for QEMU's edu device, $k kernel, DMA regime $regime"
			if "$PHYR_TOP/ci/vm.sh" --quiet -k "$k" -m 4G -i "$regime" "${pool[@]}" -t 1800 \
				-r "$raw/$k/hw-$regime" "$PHYR_TOP/bench/guest-hwpath.sh" "$regime" \
				"$PHYR_TOP/build/umem_probe/$k/umem_probe.ko"; then
				cat "$raw/$k/hw-$regime/hwpath.txt" >> "$raw/$k/hwpath.txt"
			else
				# What a failed guest printed does not count (report.py)
				note "the $k hardware-path run under $regime failed (console: $raw/$k/hw-$regime/console.log)"
				echo "regime=$regime error=guest_failed" >> "$raw/$k/hwpath.txt"
			fi
		done
	done
}
"$PHYR_TOP/bench/umem_probe/build.sh" stock phyr
mkdir -p "$raw/stock" "$raw/phyr"
# In a process group of its own (job control on while it starts), so that
# a make bench stopped early stops its guests too
set -m
hw_path &
hw_path_pid=$!
set +m
trap 'kill -- -"$hw_path_pid" 2> /dev/null' EXIT

for k in stock phyr; do
	step "footprint and largest MR on the $k kernel (12 GiB guest)"
	# Stock WARNs when rxe asks kcalloc for more than 4 MiB (MRs > 1 GiB)
	"$PHYR_TOP/ci/vm.sh" --quiet --allow-warn -k "$k" -m 12G -a "hugepagesz=1G hugepages=2" \
		-t 5400 -r "$raw/$k/footprint" "$PHYR_TOP/bench/guest-footprint.sh" ||
		note "the $k footprint run failed (console: $raw/$k/footprint/console.log); its figures are null"
	cp "$raw/$k/footprint/footprint.txt" "$raw/$k/footprint.txt" 2>/dev/null || true
done

step "registration, pinning alone and perftest in instructions (QEMU -icount): both kernels, $icount_rounds rounds"
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

wait "$hw_path_pid" || true
trap - EXIT
step "two guests on one wire: perftest between them, the phyr pair against the stock pair (wall clock, alone on the host)"
PHYR_BENCH_PREPARED=1 "$PHYR_TOP/bench/pair.sh" > "$raw/pair.log" 2>&1 ||
	note "a cross-kernel round failed (build/bench-raw/pair.log); results/pair.md has what was measured"
step "report"
bench_report
note "make bench took $(($(date +%s) - start)) s"
