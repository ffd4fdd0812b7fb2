#!/bin/bash
# Inside the guest: the DMA regime ci/vm.sh --iommu booted, read back from
# the kernel command line it set (none, translated, passthrough, swiotlb).
cmdline=$(cat /proc/cmdline)
case " $cmdline " in
*" swiotlb=force "*) echo swiotlb ;;
*" iommu.passthrough=1 "*) echo passthrough ;;
*" intel_iommu=on "*) echo translated ;;
*) echo none ;;
esac
