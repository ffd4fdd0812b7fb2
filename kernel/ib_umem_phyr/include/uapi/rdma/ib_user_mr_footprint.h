/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR Linux-OpenIB) */
/*
 * The kernel memory a memory region keeps: an optional output of
 * UVERBS_METHOD_QUERY_MR.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#ifndef IB_USER_MR_FOOTPRINT_H
#define IB_USER_MR_FOOTPRINT_H

#include <linux/types.h>
#include <rdma/ib_user_ioctl_cmds.h>

/*
 * The attribute's ID, in UVERBS_METHOD_QUERY_MR of UVERBS_OBJECT_MR.  It
 * takes the last ID of the driver namespace (UVERBS_ID_DRIVER_NS, spelt
 * through UVERBS_ID_NS_SHIFT so that older uAPI headers have it too): IDs
 * the core adds upstream count up from UVERBS_ATTR_QUERY_MR_HANDLE and
 * driver attributes count up from UVERBS_ID_DRIVER_NS_WITH_UHW, so neither
 * reaches it.
 */
#define UVERBS_ATTR_QUERY_MR_RESP_FOOTPRINT	((1U << UVERBS_ID_NS_SHIFT) | 30)

#define IB_UVERBS_MR_FOOTPRINT_VERSION	1

/**
 * enum ib_uverbs_mr_footprint_flags - What a footprint says.
 * @IB_UVERBS_MR_FOOTPRINT_EXACT: the bytes are exact and @runs, @dma_entries
 *	and @entries are filled in.  Only for a caller with CAP_SYS_ADMIN:
 *	for any other caller the bytes are rounded up to whole pages and the
 *	counts are 0, since they tell how physically contiguous the memory is.
 * @IB_UVERBS_MR_FOOTPRINT_DMA_ALIAS: the DMA list is the CPU list (the
 *	device sees physical addresses): @dma_bytes is 0.
 * @IB_UVERBS_MR_FOOTPRINT_DMA_IOVA: the DMA list is one range of I/O
 *	virtual addresses: @dma_bytes is 0.
 * @IB_UVERBS_MR_FOOTPRINT_NO_LIST: the MR keeps no list of pinned pages
 *	(on-demand paging, a dmabuf, no user memory): @cpu_bytes and
 *	@dma_bytes are 0, and what it keeps instead (an ODP umem's page and
 *	DMA arrays, a dmabuf's table) is not counted.
 */
enum ib_uverbs_mr_footprint_flags {
	IB_UVERBS_MR_FOOTPRINT_EXACT = 1 << 0,
	IB_UVERBS_MR_FOOTPRINT_DMA_ALIAS = 1 << 1,
	IB_UVERBS_MR_FOOTPRINT_DMA_IOVA = 1 << 2,
	IB_UVERBS_MR_FOOTPRINT_NO_LIST = 1 << 3,
};

/**
 * enum ib_uverbs_mr_footprint_enc - How an entry of the CPU list is stored.
 * @IB_UVERBS_MR_ENC_PACKED: 4 bytes, an aligned block of pages in a chunk.
 * @IB_UVERBS_MR_ENC_BLOCK: 8 bytes, an aligned block of pages.
 * @IB_UVERBS_MR_ENC_COUNT: 12 bytes, a count of equal aligned blocks.
 * @IB_UVERBS_MR_ENC_BYTES: 12 bytes, up to 32 MiB at any byte address.
 * @IB_UVERBS_MR_ENC_LARGE: 16 bytes, any other range.
 * @IB_UVERBS_MR_NR_ENC: the number of encodings this header knows.
 * @IB_UVERBS_MR_MAX_ENC: the room for encodings in the struct: later ones
 *	take unused slots, so the struct need not move.
 *
 * An entry stored behind a 4-byte escape word in a chunk counts under its
 * own encoding.
 */
enum ib_uverbs_mr_footprint_enc {
	IB_UVERBS_MR_ENC_PACKED,
	IB_UVERBS_MR_ENC_BLOCK,
	IB_UVERBS_MR_ENC_COUNT,
	IB_UVERBS_MR_ENC_BYTES,
	IB_UVERBS_MR_ENC_LARGE,
	IB_UVERBS_MR_NR_ENC,
	IB_UVERBS_MR_MAX_ENC = 8,
};

/**
 * struct ib_uverbs_mr_footprint - The kernel memory of one MR.
 * @version: %IB_UVERBS_MR_FOOTPRINT_VERSION of the kernel that wrote it.
 * @flags: &enum ib_uverbs_mr_footprint_flags.
 * @driver_id: the device's &enum rdma_driver_id.
 * @page_shift: the kernel's PAGE_SHIFT.
 * @pages: pinned pages of (1 << @page_shift) bytes.
 * @cpu_bytes: memory of the list of pinned pages (CPU physical ranges).
 * @dma_bytes: memory of the DMA list, when it has its own.
 * @driver_bytes: memory the driver keeps for the MR's pages beside the
 *	lists, when it keeps any.
 * @runs: the entries a scatterlist of the pinned pages has: physically
 *	contiguous runs, each at most the device's DMA segment size.
 * @dma_entries: ranges of the DMA list.
 * @entries: entries of the CPU list, per &enum ib_uverbs_mr_footprint_enc;
 *	0 in the slots of encodings the kernel does not have.
 *
 * The kernel writes as many bytes as userspace gave, up to its own size,
 * and zeroes what userspace gave beyond it; the minimum userspace may give
 * ends at @driver_bytes.  Fields are only ever added at the end.
 */
struct ib_uverbs_mr_footprint {
	__u32 version;
	__u32 flags;
	__u32 driver_id;
	__u32 page_shift;
	__aligned_u64 pages;
	__aligned_u64 cpu_bytes;
	__aligned_u64 dma_bytes;
	__aligned_u64 driver_bytes;
	__aligned_u64 runs;
	__aligned_u64 dma_entries;
	__aligned_u64 entries[IB_UVERBS_MR_MAX_ENC];
};

#endif
