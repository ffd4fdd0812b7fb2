#!/bin/bash
# Inside the guest: is the DMA regime ci/vm.sh --iommu asked for in effect?
#   iommu-check.sh none|translated|passthrough|swiotlb
# Prints one TAP line and exits non-zero when the regime is not the one asked
# for (the IOMMU core's default domain in the kernel log, the swiotlb pool in
# debugfs).
set -u
mode=$1
log=$(dmesg)
iommus=$(ls /sys/class/iommu 2>/dev/null | wc -l)
case "$mode" in
none)
	ok=$([ "$iommus" = 0 ] && ! grep -q 'swiotlb=force' /proc/cmdline && echo 1) ;;
translated)
	ok=$([ "$iommus" -gt 0 ] && grep -q 'Default domain type: Translated' <<< "$log" && echo 1) ;;
passthrough)
	ok=$([ "$iommus" -gt 0 ] && grep -q 'Default domain type: Passthrough' <<< "$log" && echo 1) ;;
swiotlb)
	# The bounce pool exists and the kernel was told to bounce everything;
	# that devices really bounce is for the DMA tests to show.
	ok=$(grep -q 'swiotlb=force' /proc/cmdline &&
	     [ "$(cat /sys/kernel/debug/swiotlb/io_tlb_nslabs 2>/dev/null || echo 0)" -gt 0 ] && echo 1) ;;
*) echo "iommu-check.sh: unknown mode $mode" >&2; exit 2 ;;
esac
if [ -n "${ok:-}" ]; then
	echo "ok 1 - DMA regime is $mode"
else
	echo "not ok 1 - DMA regime is $mode"
	echo "# iommus: $iommus; cmdline: $(cat /proc/cmdline)"
	grep -iE 'iommu|dmar|swiotlb|IO TLB' <<< "$log" | sed 's/^/# /'
fi
echo "1..1"
[ -n "${ok:-}" ]
