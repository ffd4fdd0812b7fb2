/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * DMA address lists mapped from phyr lists.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#ifndef _LINUX_PHYR_DMA_H
#define _LINUX_PHYR_DMA_H

#include <linux/dma-direction.h>
#include <linux/phyr.h>

struct device;

/**
 * enum phyr_dma_kind - How a DMA list was made.
 * @PHYR_DMA_NONE: not mapped (initialised, or unmapped).
 * @PHYR_DMA_ALIAS: the device sees each byte at its physical address plus
 *	one constant (dma-direct with nothing to translate or bounce, IOMMU
 *	passthrough, or the kernel addresses software devices use): the DMA
 *	list is the CPU list read through that offset.  Nothing is allocated.
 * @PHYR_DMA_IOVA: a translating IOMMU mapped the list into one IOVA range:
 *	one DMA range, nothing allocated beyond the IOMMU's page tables.
 * @PHYR_DMA_SEGMENTS: every other case (bouncing, untrusted or
 *	non-coherent devices, dma_map_ops, a range the IOMMU path refuses):
 *	each segment mapped on its own, one DMA entry per segment, fewer
 *	where mapped segments happen to be contiguous.
 */
enum phyr_dma_kind {
	PHYR_DMA_NONE,
	PHYR_DMA_ALIAS,
	PHYR_DMA_IOVA,
	PHYR_DMA_SEGMENTS,
};

/**
 * struct phyr_dma - One DMA address range.
 * @addr: device address of the first byte.
 * @len: number of bytes, at least 1.
 */
struct phyr_dma {
	dma_addr_t addr;
	u64 len;
};

/**
 * struct phyr_dma_list - What a device sees of a phyr CPU list.
 *
 * Filled by dma_map_phyr() (or phyr_dma_init_alias()), read with the
 * iterators below, released with dma_unmap_phyr().  It records the CPU list
 * it was mapped from, which must outlive it unchanged, and how it was made.
 * 24 bytes on 64-bit.
 */
struct phyr_dma_list {
	/* private: */
	const struct phyr_list *cpu;
	union {
		dma_addr_t offset;	/* ALIAS: device minus physical address */
		dma_addr_t iova;	/* IOVA: the first byte's */
		struct phyr_list *segs;	/* SEGMENTS: the mapped ranges */
	};
	u8 kind;
};

/**
 * phyr_dma_kind() - How a DMA list was made.
 * @dma: the DMA list.
 *
 * Return: its &enum phyr_dma_kind.
 */
static inline enum phyr_dma_kind phyr_dma_kind(const struct phyr_dma_list *dma)
{
	return dma->kind;
}

/**
 * phyr_dma_length() - Bytes a DMA list describes.
 * @dma: the DMA list.
 *
 * Return: the length of the CPU list it was mapped from, 0 if unmapped.
 */
static inline u64 phyr_dma_length(const struct phyr_dma_list *dma)
{
	return dma->kind == PHYR_DMA_NONE ? 0 : phyr_list_length(dma->cpu);
}

int dma_map_phyr(struct device *dev, const struct phyr_list *cpu,
		 struct phyr_dma_list *dma, enum dma_data_direction dir,
		 unsigned long attrs);
void dma_unmap_phyr(struct device *dev, struct phyr_dma_list *dma,
		    enum dma_data_direction dir, unsigned long attrs);
void phyr_dma_init_alias(struct phyr_dma_list *dma,
			 const struct phyr_list *cpu, dma_addr_t offset);

size_t phyr_dma_footprint(const struct phyr_dma_list *dma);
unsigned long phyr_dma_nr_entries(const struct phyr_dma_list *dma);
bool phyr_dma_first_addr(const struct phyr_dma_list *dma, dma_addr_t *addr);

/**
 * struct phyr_dma_iter - A cursor over a DMA list.
 *
 * Declared with PHYR_DMA_ITER(), positioned with phyr_dma_iter_start() or
 * phyr_dma_iter_seek().
 */
struct phyr_dma_iter {
	/* private: */
	const struct phyr_dma_list *dma;
	struct phyr_iter it;	/* ALIAS: over the CPU list; SEGMENTS */
	u64 at;			/* IOVA: the cursor */
};

#define PHYR_DMA_ITER(name) struct phyr_dma_iter name = {}

struct phyr_dma_iter *phyr_dma_iter_start(struct phyr_dma_iter *it,
					  const struct phyr_dma_list *dma);
bool phyr_dma_iter_next(struct phyr_dma_iter *it, struct phyr_dma *range);
int phyr_dma_iter_seek(struct phyr_dma_iter *it,
		       const struct phyr_dma_list *dma, u64 offset,
		       dma_addr_t *addr);
int phyr_dma_iter_advance(struct phyr_dma_iter *it, u64 bytes,
			  dma_addr_t *addr);

/**
 * phyr_dma_for_each() - Iterate over the ranges of a DMA list.
 * @dma: the DMA list.
 * @it: a &struct phyr_dma_iter.
 * @range: a &struct phyr_dma receiving each range.
 */
#define phyr_dma_for_each(dma, it, range) \
	for (struct phyr_dma_iter *__pdi = phyr_dma_iter_start(it, dma); \
	     phyr_dma_iter_next(__pdi, range);)

/**
 * struct phyr_dma_block_iter - Iterate a DMA list in blocks.
 *
 * The contract of rdma_for_each_block() on a mapped scatterlist: blocks of
 * device address space, cut by the device address of the walk's first
 * byte; see phyr_dma_block_iter_start().
 */
struct phyr_dma_block_iter {
	/* private: */
	const struct phyr_dma_list *dma;
	u64 pgsz;
	union {
		struct phyr_block_iter bi;	/* ALIAS, SEGMENTS */
		struct {			/* IOVA: one range */
			u64 iova;
			u64 next;
			unsigned long left;
		} one;
	};
	dma_addr_t addr;
};

struct phyr_dma_block_iter *
phyr_dma_block_iter_start(struct phyr_dma_block_iter *dbi,
			  const struct phyr_dma_list *dma, u64 offset, u64 pgsz);
bool phyr_dma_block_iter_next(struct phyr_dma_block_iter *dbi);

/**
 * phyr_dma_block_addr() - Device address of the current block.
 * @dbi: block iterator after phyr_dma_block_iter_next() returned true.
 *
 * Return: the block's address, aligned to the block size.
 */
static inline dma_addr_t
phyr_dma_block_addr(const struct phyr_dma_block_iter *dbi)
{
	return dbi->addr;
}

#endif /* _LINUX_PHYR_DMA_H */
