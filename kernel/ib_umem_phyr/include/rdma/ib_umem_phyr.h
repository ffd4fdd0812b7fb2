/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * User memory for RDMA memory regions, kept as phyr lists.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#ifndef IB_UMEM_PHYR_H
#define IB_UMEM_PHYR_H

#include <linux/phyr.h>
#include <linux/phyr_user.h>
#include <rdma/ib_verbs.h>

/**
 * struct ib_umem_phyr - Pinned, DMA-mapped user memory of an MR.
 * @ibdev: the device it is mapped for.
 * @pin: the pinned pages: @pin.list is the CPU list, exactly the user bytes.
 * @dma: the DMA list: &@pin.list itself where the device sees physical
 *	addresses (dma-direct, IOMMU passthrough, and software devices that
 *	use virtual DMA), else a list of its own.
 * @iova: the device address of the first byte (set by
 *	ib_umem_phyr_find_best_pgsz(), @address until then).
 * @address: user virtual address of the first byte.
 *
 * What struct ib_umem is for a pinned MR, without the scatterlist: 8 bytes
 * or less per fragmented page, one entry per huge folio.  The length and
 * whether the pin is writable live in @pin; 128 bytes on 64-bit.
 */
struct ib_umem_phyr {
	struct ib_device *ibdev;
	struct user_phyr pin;
	struct phyr_list *dma;
	u64 iova;
	unsigned long address;
};

/**
 * ib_umem_phyr_length() - Bytes of the MR.
 * @umem: the umem.
 *
 * Return: the length given to ib_umem_phyr_get().
 */
static inline size_t ib_umem_phyr_length(const struct ib_umem_phyr *umem)
{
	return phyr_list_length(&umem->pin.list);
}

/**
 * ib_umem_phyr_offset() - Offset of the first byte in its page.
 * @umem: the umem.
 *
 * Return: the offset, below PAGE_SIZE.
 */
static inline unsigned int ib_umem_phyr_offset(const struct ib_umem_phyr *umem)
{
	return umem->address & ~PAGE_MASK;
}

/**
 * ib_umem_phyr_num_dma_blocks() - Blocks of @pgsz the MR needs.
 * @umem: the umem, after ib_umem_phyr_find_best_pgsz() set its IOVA.
 * @pgsz: block size, a power of two.
 *
 * Same as ib_umem_num_dma_blocks() for the same memory and IOVA.
 *
 * Return: the number of @pgsz-aligned blocks of IOVA space the MR touches.
 */
static inline size_t ib_umem_phyr_num_dma_blocks(const struct ib_umem_phyr *umem,
						 unsigned long pgsz)
{
	return (size_t)((ALIGN(umem->iova + ib_umem_phyr_length(umem), pgsz) -
			 ALIGN_DOWN(umem->iova, pgsz))) / pgsz;
}

/**
 * rdma_umem_phyr_block_iter_start() - Prepare to iterate a umem's DMA blocks.
 * @bi: the iterator.
 * @umem: the umem.
 * @pgsz: block size, a power of two the umem supports.
 *
 * Return: @bi, for phyr_block_iter_next().
 */
static inline struct phyr_block_iter *
rdma_umem_phyr_block_iter_start(struct phyr_block_iter *bi,
				const struct ib_umem_phyr *umem,
				unsigned long pgsz)
{
	return phyr_block_iter_start(bi, umem->dma, umem->iova, pgsz);
}

/**
 * rdma_umem_phyr_for_each_dma_block() - Iterate the DMA blocks of a umem.
 * @umem: the umem.
 * @bi: a &struct phyr_block_iter; phyr_block_addr() gives each block.
 * @pgsz: block size, a power of two the umem supports (see
 *	ib_umem_phyr_find_best_pgsz()).
 *
 * Same blocks, in the same order, as rdma_umem_for_each_dma_block() on an
 * ib_umem of the same memory.
 */
#define rdma_umem_phyr_for_each_dma_block(umem, bi, pgsz) \
	for (struct phyr_block_iter *__ubi = \
		rdma_umem_phyr_block_iter_start(bi, umem, pgsz); \
	     phyr_block_iter_next(__ubi);)

/**
 * ib_umem_phyr_check_rereg() - May an MR's umem be kept across a rereg?
 * @umem: the MR's umem, or NULL.
 * @flags: IB_MR_REREG_* flags.
 * @access: the new IB_ACCESS_* flags.
 *
 * As ib_umem_check_rereg(): a read-only pin cannot become writable without
 * pinning anew.
 *
 * Return: 0, or -EACCES.
 */
static inline int ib_umem_phyr_check_rereg(const struct ib_umem_phyr *umem,
					   int flags, int access)
{
	if (umem && (flags & IB_MR_REREG_ACCESS) &&
	    !(flags & IB_MR_REREG_TRANS) && ib_access_writable(access) &&
	    !umem->pin.writable)
		return -EACCES;
	return 0;
}

#ifdef CONFIG_INFINIBAND_UMEM_PHYR
struct ib_umem_phyr *ib_umem_phyr_get(struct ib_device *device,
				      unsigned long addr, size_t size,
				      int access);
void ib_umem_phyr_release(struct ib_umem_phyr *umem);
unsigned long ib_umem_phyr_find_best_pgsz(struct ib_umem_phyr *umem,
					  unsigned long pgsz_bitmap, u64 virt);
int ib_umem_phyr_copy_from(void *dst, struct ib_umem_phyr *umem,
			   size_t offset, size_t length);
size_t ib_umem_phyr_footprint(const struct ib_umem_phyr *umem);
#else
static inline struct ib_umem_phyr *ib_umem_phyr_get(struct ib_device *device,
						    unsigned long addr,
						    size_t size, int access)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static inline void ib_umem_phyr_release(struct ib_umem_phyr *umem) { }
#endif /* CONFIG_INFINIBAND_UMEM_PHYR */

#endif /* IB_UMEM_PHYR_H */
