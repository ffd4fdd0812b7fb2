#!/bin/bash
# Inside the guest, on kernels with ib_umem_phyr: data integrity of rxe user
# MRs across whole MRs of every layout (mr_rdma -l: random RDMA WRITE/READ
# pairs and atomics, guard bytes checked).  With "big", also one MR of
# 1.5 GiB, which stock rxe cannot register (its page_info array is one
# kcalloc above the 4 MiB limit); the guest needs about 3 GiB for it.
# TAP in /tmp/results/integrity.tap.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tap=/tmp/results/integrity.tap
log=$(mktemp)
n=0
failed=0
runs=("frag_4k 64M" "contig 64M" "thp 64M" "hugetlb_2m 64M")
[ "${1:-}" != big ] || runs+=("thp 1536M")
echo 32 > /proc/sys/vm/nr_hugepages
: > "$tap"
for run in "${runs[@]}"; do
	set -- $run
	if "$top/build/tests/mr_rdma" -l "$1" -s "$2" -n 300 > "$log" 2>&1; then
		rc=0
	else
		rc=$?
	fi
	# Renumber mr_rdma's TAP into this stream; a setup error counts as a failure
	seen=0
	while IFS= read -r line; do
		case "$line" in
		"ok "*|"not ok "*)
			n=$((n + 1)); seen=$((seen + 1))
			ok=${line%%ok *}ok
			[ "$ok" = ok ] || failed=$((failed + 1))
			echo "$ok $n - ${line#* - }" ;;
		"1.."*) ;;
		*) echo "# $line" ;;
		esac
	done < "$log" >> "$tap"
	if [ "$rc" != 0 ] && [ "$seen" = 0 ]; then
		n=$((n + 1)); failed=$((failed + 1))
		echo "not ok $n - mr_rdma -l $1 -s $2 ran (exit status $rc)" >> "$tap"
	fi
done
echo 0 > /proc/sys/vm/nr_hugepages
echo "1..$n" >> "$tap"
rm -f "$log"
cat "$tap"
[ "$failed" = 0 ]
