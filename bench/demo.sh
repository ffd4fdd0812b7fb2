#!/usr/bin/env bash
# `make demo`: build what is missing, boot the stock and the phyr kernel in
# turn, register memory with ibv_reg_mr on Soft-RoCE and run perftest in
# each, and print a stock-vs-phyr table.  The full benchmark is `make bench`.
set -euo pipefail
. "$(dirname "$0")/../ci/lib.sh"

"$PHYR_TOP/ci/deps.sh" kernel vm
make -s -C "$PHYR_TOP" guest-programs
out=$PHYR_TOP/build/demo
rm -rf "$out"
for k in stock phyr; do
	"$PHYR_TOP/ci/build-kernel.sh" "$k"
done
for k in stock phyr; do
	note "booting the $k kernel (TCG: about a minute)"
	"$PHYR_TOP/ci/vm.sh" --quiet -k "$k" -r "$out/$k" -t 900 "$PHYR_TOP/bench/demo-guest.sh" ||
		die "the demo failed on the $k kernel (console: $out/$k/console.log)"
done

get() { awk -v k="$2" '$1 == k { print $2 }' "$out/$1/demo"; }
row() {
	local s p ratio
	s=$(get stock "$2") p=$(get phyr "$2")
	ratio=$(awk -v s="$s" -v p="$p" 'BEGIN { if (s > 0) printf "%.2f", p / s; else print "-" }')
	printf '| %-34s | %10s | %10s | %6s | %-22s |\n' "$1" "$s" "$p" "$ratio" "$3"
}
# Until a patch of the series touches the RDMA stack, rxe registers through
# the stock ib_umem on both kernels: say so beside the figures.
rdma_patches=$(grep -l '^+++ b/drivers/infiniband/' "$PHYR_TOP"/kernel/ib_umem_phyr/patches/*.patch 2>/dev/null | wc -l)
echo
echo "Stock vs phyr, Linux $(cat "$PHYR_CACHE/linux-6.12/.phyr-source"), Soft-RoCE in a QEMU guest"
printf '| %-34s | %10s | %10s | %6s | %-22s |\n' figure stock phyr ratio "target (phyr)"
printf '|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..36})" "------------" "------------" "--------" "------------------------"
row "kernel B/page, 64 MiB MR, frag_4k" bytes_per_page_frag_4k "<= 8.2 B/page"
row "kernel B/page, 64 MiB MR, contig" bytes_per_page_contig "below stock"
row "ib_write_bw 64 KiB, Gb/s" bw_write_65536 "ratio >= 0.97"
row "ib_read_bw 64 KiB, Gb/s" bw_read_65536 "ratio >= 0.97"
row "ib_send_bw 64 KiB, Gb/s" bw_send_65536 "ratio >= 0.97"
echo
echo "Footprint: free plus per-cpu pages around ibv_reg_mr, median of 5; a few"
echo "pages of background activity show at phyr's scale (a 64 MiB fragmented"
echo "MR's list is 32 pages).  Bandwidth: one run each under TCG emulation,"
echo "indicative only (make bench alternates runs)."
if [ "$rdma_patches" = 0 ]; then
	echo "The phyr kernel has the phyr list but no RDMA patches yet: rxe still"
	echo "registers through the stock ib_umem, so its footprint equals stock."
fi
