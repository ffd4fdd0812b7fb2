#!/bin/bash
# mlx5 in the guest, inside ci/vm.sh: mlx5_core and mlx5_ib load by path
# from the kernel's build folder (PHYR_KBUILD; the shared root is read-only),
# with no device to bind, and unload.  On kernels with the phyr code,
# loading mlx5_ib runs its KUnit suite, mlx5_ib_mr_phyr, whose results go
# to the console with the built-in suites' (make check reads them there).
# The suite's hugetlb 1 GiB cases use the page the kernel was booted with
# (hugepagesz=1G hugepages=1); it goes back to the other tests afterwards.
# TAP on stdout.
set -u
kbuild=${PHYR_KBUILD:?PHYR_KBUILD: the kernel build folder, set by ci/vm.sh}
core=$kbuild/drivers/net/ethernet/mellanox/mlx5/core/mlx5_core.ko
ib=$kbuild/drivers/infiniband/hw/mlx5/mlx5_ib.ko
gig=/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages
n=0 status=0

result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		status=1
	fi
}

# check WHAT COMMAND...: one TAP line, and the command's output if it fails.
check() {
	local what=$1 out rc=0

	shift
	out=$("$@" 2>&1) || rc=$?
	result "$rc" "$what"
	[ "$rc" = 0 ] || printf '%s\n' "$out" | sed 's/^/# /'
}

check "insmod mlx5_core, no device to bind" insmod "$core"
check "insmod mlx5_ib" insmod "$ib"
check "rmmod mlx5_ib" rmmod mlx5_ib
check "rmmod mlx5_core" rmmod mlx5_core
! grep -q '^mlx5' /proc/modules
result $? "no mlx5 module left loaded"
if [ -e "$gig" ]; then
	echo 0 > "$gig"
	result $? "the 1 GiB hugetlb page given back"
fi
echo "1..$n"
exit "$status"
