/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * The ioctls of /dev/test_phyr_dma (lib/test_phyr_dma.c), shared with the
 * userspace test that drives them.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#ifndef _LIB_TEST_PHYR_DMA_UAPI_H
#define _LIB_TEST_PHYR_DMA_UAPI_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* phyr_test_pin.flags: pin for writing (FOLL_WRITE). */
#define PHYR_TEST_PIN_WRITE	0x1U

/**
 * struct phyr_test_pin - pin_user_pages_phyr() on the caller's memory.
 * @addr: in: first byte.
 * @len: in: bytes.
 * @flags: in: %PHYR_TEST_PIN_WRITE or 0.
 * @max_ranges: in: room at @ranges, in ranges.
 * @ranges: in: user pointer to @max_ranges {address, length} pairs of
 *	__u64 that receive the CPU list's entries; 0 for none.
 * @nr_entries: out: entries in the CPU list.
 * @footprint: out: bytes the list allocated beyond its head.
 * @head: out: sizeof(struct phyr_list), the head a user keeps.
 * @length: out: bytes the list describes.
 */
struct phyr_test_pin {
	__u64 addr;
	__u64 len;
	__u32 flags;
	__u32 max_ranges;
	__u64 ranges;
	__u64 nr_entries;
	__u64 footprint;
	__u64 head;
	__u64 length;
};

/* phyr_test_map.flags: have the edu device move data through the map. */
#define PHYR_TEST_MAP_EDU		0x1U
/* phyr_test_map.flags: map with the device's segment boundary seg_boundary. */
#define PHYR_TEST_MAP_SEG_BOUNDARY	0x2U
/*
 * phyr_test_map.flags: map the second half of every pinned page instead of
 * the pinned list (the pinned list must be whole pages; not with EDU).
 */
#define PHYR_TEST_MAP_SPLIT		0x4U

/* phyr_test_map.domain: what the device's IOMMU domain is. */
#define PHYR_TEST_DOMAIN_NONE		0
#define PHYR_TEST_DOMAIN_IDENTITY	1
#define PHYR_TEST_DOMAIN_TRANSLATED	2

/* The edu device writes PHYR_TEST_EDU_LEN bytes per sample page. */
#define PHYR_TEST_EDU_SAMPLES	8
#define PHYR_TEST_EDU_LEN	4000

/**
 * struct phyr_test_map - dma_map_phyr() of the pinned list for the edu
 *	device, checks, and optionally real DMA.
 * @flags: in: %PHYR_TEST_MAP_EDU, %PHYR_TEST_MAP_SEG_BOUNDARY,
 *	%PHYR_TEST_MAP_SPLIT, or 0.
 * @seed: in: the pattern the device writes (see test_phyr_dma.c).
 * @kind: out: enum phyr_dma_kind: 1 alias, 2 IOVA, 3 segments.
 * @domain: out: PHYR_TEST_DOMAIN_*.
 * @nr_entries: out: entries in the DMA list.
 * @footprint: out: bytes the DMA list allocated, head included; 0 when it
 *	is the CPU list.
 * @length: out: bytes the DMA list describes.
 * @pages: out: pages checked (half pages with %PHYR_TEST_MAP_SPLIT):
 *	through iommu_iova_to_phys() under a translating domain, against
 *	the CPU list otherwise.
 * @mismatches: out: pages whose DMA address did not lead to the CPU page.
 * @bounced: out: pages whose DMA address is in the swiotlb pool.
 * @samples: out: pages the device wrote.
 * @read_ok: out: 1 if the device read a page back byte for byte.
 * @map_ns: out: nanoseconds dma_map_phyr() took.
 * @seg_boundary: in, with %PHYR_TEST_MAP_SEG_BOUNDARY: the segment boundary
 *	mask the device has while it is mapped (a power of two minus 1).
 */
struct phyr_test_map {
	__u32 flags;
	__u32 seed;
	__u32 kind;
	__u32 domain;
	__u64 nr_entries;
	__u64 footprint;
	__u64 length;
	__u64 pages;
	__u64 mismatches;
	__u64 bounced;
	__u32 samples;
	__u32 read_ok;
	__u64 map_ns;
	__u64 seg_boundary;
};

/**
 * struct phyr_test_floor - the cost of pinning alone: pin_user_pages_fast()
 *	over the caller's memory, a page of page pointers at a time as
 *	ib_umem_get() pins, and unpin_user_page_range_dirty_lock() per
 *	physically contiguous run of each batch, as ib_umem_release() unpins,
 *	before the next batch is pinned.  Nothing is kept and no list is
 *	built.
 * @addr: in: first byte.
 * @len: in: bytes (not 0).
 * @flags: in: %PHYR_TEST_PIN_WRITE (pin for writing, unpin dirty) or 0.
 * @pad: in: 0.
 * @pages: out: pages pinned and unpinned.
 * @pin_ns: out: nanoseconds spent in pin_user_pages_fast().
 * @unpin_ns: out: nanoseconds spent in unpin_user_page_range_dirty_lock().
 */
struct phyr_test_floor {
	__u64 addr;
	__u64 len;
	__u32 flags;
	__u32 pad;
	__u64 pages;
	__u64 pin_ns;
	__u64 unpin_ns;
};

#define PHYR_TEST_IOC_PIN	_IOWR('p', 0x70, struct phyr_test_pin)
#define PHYR_TEST_IOC_UNPIN	_IOW('p', 0x71, __u32)
#define PHYR_TEST_IOC_MAP	_IOWR('p', 0x72, struct phyr_test_map)
#define PHYR_TEST_IOC_UNMAP	_IO('p', 0x73)
#define PHYR_TEST_IOC_FLOOR	_IOWR('p', 0x74, struct phyr_test_floor)

#endif /* _LIB_TEST_PHYR_DMA_UAPI_H */
