#!/usr/bin/env bash
# `make demo`: build what is missing, boot the stock and the phyr kernel
# (both at once, each on one vCPU whose clock counts instructions), register
# memory with ibv_reg_mr on Soft-RoCE and run perftest in each, and print a
# stock-vs-phyr table.  The full benchmark is `make bench`.
set -euo pipefail
. "$(dirname "$0")/../ci/lib.sh"

"$PHYR_TOP/ci/deps.sh" kernel vm
make -s -C "$PHYR_TOP" guest-programs
out=$PHYR_TOP/build/demo
rm -rf "$out"
for k in stock phyr; do
	"$PHYR_TOP/ci/build-kernel.sh" "$k"
done
# Instruction time (QEMU -icount): the same work takes the same time
# whatever else the host runs, so the two guests can run side by side.
note "booting the stock and the phyr kernel (QEMU TCG, instruction-counted: about a minute)"
declare -A pid
for k in stock phyr; do
	"$PHYR_TOP/ci/vm.sh" --quiet --icount -s 1 -k "$k" -m 3G -r "$out/$k" -t 1800 \
		"$PHYR_TOP/bench/demo-guest.sh" &
	pid[$k]=$!
done
for k in stock phyr; do
	wait "${pid[$k]}" || die "the demo failed on the $k kernel (console: $out/$k/console.log)"
done

get() { awk -v k="$2" '$1 == k { print $2 }' "$out/$1/demo"; }
# row WHAT KEY TARGET_TEXT CHECK: CHECK is an awk condition on s (stock), p
# (phyr) and r (phyr/stock) saying whether the target is met.
row() {
	local s p ratio met
	s=$(get stock "$2") p=$(get phyr "$2")
	ratio=$(awk -v s="$s" -v p="$p" 'BEGIN { if (s > 0) printf "%.3f", p / s; else print "-" }')
	met=$(awk -v s="$s" -v p="$p" "BEGIN { r = s > 0 ? p / s : -1; print ($4) ? \"yes\" : \"NO\" }")
	[ -n "$s" ] && [ -n "$p" ] || { met="-"; s=${s:-failed} p=${p:-failed}; }
	printf '| %-52s | %8s | %8s | %6s | %-26s | %-4s |\n' "$1" "$s" "$p" "$ratio" "$3" "$met"
}
rdma_patches=$(grep -l '^+++ b/drivers/infiniband/' "$PHYR_TOP"/kernel/ib_umem_phyr/patches/*.patch 2>/dev/null | wc -l)
echo
echo "Stock vs phyr, Linux $(cat "$PHYR_CACHE/linux-6.12/.phyr-source"), Soft-RoCE in QEMU guests"
printf '| %-52s | %8s | %8s | %6s | %-26s | %-4s |\n' "what" stock phyr ratio "target" met
printf '|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..54})" "----------" "----------" "--------" \
	"----------------------------" "------"
row "kernel bytes per page, 256 MiB MR of scattered pages" bytes_per_page_frag_4k \
	"phyr <= 4.1" "p <= 4.1"
row "kernel bytes per page, 1 GiB MR of 2 MiB THP pages" bytes_per_page_thp \
	"phyr at most 2 % of stock" "r >= 0 && r <= 0.02"
row "RDMA WRITE bandwidth, 64 KiB messages, Gb/s" bw_write_65536 "phyr/stock >= 0.97" "r >= 0.97"
row "RDMA READ bandwidth, 64 KiB messages, Gb/s" bw_read_65536 "phyr/stock >= 0.97" "r >= 0.97"
row "SEND bandwidth, 64 KiB messages, Gb/s" bw_send_65536 "phyr/stock >= 0.97" "r >= 0.97"
echo
echo "Kernel bytes per page: the pages ibv_reg_mr keeps, counted from outside (free"
echo "and per-cpu pages before and after), per 4 KiB page registered, median of 5;"
echo "one page counted more or less is 0.0625 B/page at 256 MiB and 0.0156 at"
echo "1 GiB, so 0.000 means less than one page."
echo "Stock keeps a scatterlist entry per scattered page plus rxe's own arrays."
echo "Bandwidth: perftest between two rxe devices, timed in instructions (QEMU"
echo "-icount: the guest's clock counts one nanosecond per instruction), so the same"
echo "work gives the same figure on any host and the ratio is the cost of the same"
echo "transfer on both kernels, not a hardware speed.  make bench has every layout,"
echo "siw, registration time against the floor, and more rounds."
if [ "$rdma_patches" = 0 ]; then
	echo "The phyr kernel has the phyr list but no RDMA patches yet: rxe still"
	echo "registers through the stock ib_umem, so its footprint equals stock."
fi
