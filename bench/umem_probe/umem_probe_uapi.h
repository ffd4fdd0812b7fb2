/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * umem_probe: ib_umem_get() with QEMU's edu PCI device as the DMA device.
 * The interface bench/mr_bench.c uses; see umem_probe.c.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#ifndef UMEM_PROBE_UAPI_H
#define UMEM_PROBE_UAPI_H

#ifdef __KERNEL__
#include <linux/ioctl.h>
#include <linux/types.h>
#else
#include <linux/types.h>
#include <sys/ioctl.h>
#endif

/* Register [addr, addr + length) as one umem, writable. */
struct umem_probe_reg {
	__u64 addr;		/* in */
	__u64 length;		/* in */
	__u32 handle;		/* out: for UMEM_PROBE_IOC_DEREG, never 0 */
	__u32 reserved;		/* in: 0 */
	__u64 pages;		/* out: ib_umem_num_pages() */
	__u64 dma_blocks;	/* out: ib_umem_num_dma_blocks(PAGE_SIZE) */
	__u64 dma_runs;		/* out: runs of consecutive DMA addresses */
	__u64 dma_first;	/* out: the first page's DMA address */
};

/* What the DMA layer lets one mapping and one segment be, for the report. */
struct umem_probe_info {
	__u64 max_mapping;	/* dma_max_mapping_size() of edu */
	__u32 max_seg;		/* dma_get_max_seg_size() of edu, as set */
	__u32 reserved;
};

#define UMEM_PROBE_IOC_REG	_IOWR('u', 1, struct umem_probe_reg)
#define UMEM_PROBE_IOC_DEREG	_IOW('u', 2, __u32)
#define UMEM_PROBE_IOC_INFO	_IOR('u', 3, struct umem_probe_info)

#endif
