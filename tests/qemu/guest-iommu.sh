#!/bin/bash
# Inside the guest, for each DMA regime ci/vm.sh offers: the regime is in
# effect, and RDMA WRITE/READ through rxe still lands intact (TAP in
# /tmp/results/iommu.tap); then the phyr DMA tests (phyr_dma.tap) and the
# hardware path's umem (umem_probe.tap).
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tap=/tmp/results/iommu.tap
(
	"$here/iommu-check.sh" "$1" | grep -v '^1\.\.'
	status=${PIPESTATUS[0]}
	if "$top/build/tests/mr_rdma" > /tmp/mr_rdma.log 2>&1; then
		echo "ok 2 - RDMA WRITE/READ data intact under $1"
	else
		status=1
		echo "not ok 2 - RDMA WRITE/READ data intact under $1"
		sed 's/^/# /' /tmp/mr_rdma.log
	fi
	echo "1..2"
	exit "$status"
) > "$tap"
status=$?
cat "$tap"
# pin_user_pages_phyr() and dma_map_phyr() under this regime: phyr_dma.tap
"$here/guest-phyr-dma.sh" || status=1
# ib_umem_get() for a PCI device under this regime: umem_probe.tap
"$here/guest-umem-probe.sh" || status=1
exit "$status"
