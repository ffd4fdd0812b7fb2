// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * ib_umem_phyr: the pinned user memory of an RDMA MR as phyr lists.
 *
 * ib_umem_get() keeps a scatterlist for the life of the MR: 32 bytes per
 * physically contiguous segment, per page once memory is fragmented.  Here
 * the pages live in a phyr CPU list from get_user_phyr() and the device's
 * view in a phyr DMA list from dma_map_phyr(), which is the CPU list itself
 * whenever the device sees physical addresses.  Errors, memlock accounting
 * and the page sizes and DMA blocks drivers get are those of ib_umem.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/count_zeros.h>
#include <linux/phyr_dma.h>
#include <linux/slab.h>
#include <rdma/ib_umem_phyr.h>

/*
 * One kmalloc-128 object per MR, inline list included: a 4 KiB MR costs
 * less than ib_umem (kmalloc-96) plus its scatterlist plus rxe's page_info.
 */
static_assert(sizeof(struct ib_umem_phyr) <= 128);

/**
 * ib_umem_phyr_get() - Pin and DMA-map user memory for an MR.
 * @device: the IB device the memory is for.
 * @addr: user virtual address of the first byte.
 * @size: bytes.
 * @access: IB_ACCESS_* flags of the MR.
 *
 * The replacement of ib_umem_get() for pinned (not ODP) MRs: same checks,
 * same errors, same RLIMIT_MEMLOCK accounting.
 *
 * Context: Process context; sleeps.
 * Return: the umem, or an ERR_PTR(): -EINVAL for a range that wraps or is
 * empty, -EPERM if the caller may not lock memory, -EOPNOTSUPP for ODP,
 * -ENOMEM over RLIMIT_MEMLOCK or out of memory, -EFAULT if a page cannot
 * be pinned, or what dma_map_phyr() returned.
 */
struct ib_umem_phyr *ib_umem_phyr_get(struct ib_device *device,
				      unsigned long addr, size_t size,
				      int access)
{
	struct ib_umem_phyr *umem;
	unsigned long attrs = 0;
	int ret;

	if (addr + size < addr || PAGE_ALIGN(addr + size) < addr + size)
		return ERR_PTR(-EINVAL);
	if (!can_do_mlock())
		return ERR_PTR(-EPERM);
	if (access & IB_ACCESS_ON_DEMAND)
		return ERR_PTR(-EOPNOTSUPP);

	umem = kzalloc(sizeof(*umem), GFP_KERNEL);
	if (!umem)
		return ERR_PTR(-ENOMEM);
	umem->ibdev = device;
	umem->address = addr;
	umem->iova = addr;

	ret = get_user_phyr(&umem->pin, addr, size,
			    ib_access_writable(access) ? FOLL_WRITE : 0);
	if (ret)
		goto free;

	if (ib_uses_virt_dma(device)) {
		/* Software devices reach the pages through the CPU list */
		umem->dma = &umem->pin.list;
		return umem;
	}
	if (access & IB_ACCESS_RELAXED_ORDERING)
		attrs |= DMA_ATTR_WEAK_ORDERING;
	umem->dma = dma_map_phyr(device->dma_device, &umem->pin.list,
				 DMA_BIDIRECTIONAL, attrs);
	if (IS_ERR(umem->dma)) {
		ret = PTR_ERR(umem->dma);
		goto unpin;
	}
	return umem;

unpin:
	unpin_user_phyr(&umem->pin, false);
free:
	kfree(umem);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL(ib_umem_phyr_get);

/**
 * ib_umem_phyr_release() - Unmap, unpin and free a umem.
 * @umem: what ib_umem_phyr_get() returned, or NULL.
 *
 * Writable pages are marked dirty, as ib_umem_release() does.
 *
 * Context: Process context; sleeps.
 */
void ib_umem_phyr_release(struct ib_umem_phyr *umem)
{
	if (!umem)
		return;
	if (umem->dma != &umem->pin.list)
		dma_unmap_phyr(umem->ibdev->dma_device, &umem->pin.list,
			       umem->dma, DMA_BIDIRECTIONAL, 0);
	unpin_user_phyr(&umem->pin, true);
	kfree(umem);
}
EXPORT_SYMBOL(ib_umem_phyr_release);

/**
 * ib_umem_phyr_find_best_pgsz() - The largest page size the MR can use.
 * @umem: the umem.
 * @pgsz_bitmap: page sizes the device supports.
 * @virt: the MR's IOVA; becomes @umem->iova.
 *
 * The result of ib_umem_find_best_pgsz() for the same memory: the largest
 * supported size such that the IOVA and the DMA address agree in the bits
 * below it at every DMA discontinuity, and every discontinuity falls on a
 * multiple of it.  Devices with virtual DMA are judged on physical
 * addresses, which agree with the kernel's direct map up to its alignment.
 *
 * Context: Any context.
 * Return: the page size, or 0 if no supported size fits.
 */
unsigned long ib_umem_phyr_find_best_pgsz(struct ib_umem_phyr *umem,
					  unsigned long pgsz_bitmap, u64 virt)
{
	PHYR_ITER(it);
	unsigned long mask = 0;
	phys_addr_t end = 0;
	bool first = true;
	unsigned int bits;
	struct phyr r;
	u64 last_va;
	u64 va = virt;

	umem->iova = virt;
	if (check_add_overflow(ib_umem_phyr_length(umem) - 1, virt, &last_va))
		return 0;
	bits = bits_per(virt ^ last_va);
	if (bits < BITS_PER_LONG)
		mask = pgsz_bitmap & GENMASK(BITS_PER_LONG - 1, bits);

	phyr_for_each(umem->dma, &it, &r) {
		if (first || r.addr != end) {
			/* A discontinuity: VA and DMA bits must agree here */
			mask |= r.addr ^ va;
			if (!first)
				mask |= va;
		}
		first = false;
		end = r.addr + r.len;
		va += r.len;
	}

	if (mask)
		pgsz_bitmap &= GENMASK(count_trailing_zeros(mask), 0);
	return pgsz_bitmap ? rounddown_pow_of_two(pgsz_bitmap) : 0;
}
EXPORT_SYMBOL(ib_umem_phyr_find_best_pgsz);

/**
 * ib_umem_phyr_copy_from() - Copy bytes out of the MR's memory.
 * @dst: the destination, @length bytes.
 * @umem: the umem.
 * @offset: offset of the first byte in the MR.
 * @length: bytes to copy.
 *
 * Context: Any context that may kmap.
 * Return: 0, or -EINVAL if the range is not inside the MR.
 */
int ib_umem_phyr_copy_from(void *dst, struct ib_umem_phyr *umem,
			   size_t offset, size_t length)
{
	PHYR_ITER(it);
	phys_addr_t pa;
	size_t n;
	void *va;

	if (offset > ib_umem_phyr_length(umem) ||
	    length > ib_umem_phyr_length(umem) - offset)
		return -EINVAL;
	if (!length)
		return 0;
	if (phyr_iter_seek(&it, &umem->pin.list, offset, &pa))
		return -EINVAL;
	for (;;) {
		n = min_t(size_t, length, PAGE_SIZE - offset_in_page(pa));
		va = kmap_local_page(pfn_to_page(PHYS_PFN(pa)));
		memcpy(dst, va + offset_in_page(pa), n);
		kunmap_local(va);
		dst += n;
		length -= n;
		if (!length)
			return 0;
		if (phyr_iter_advance(&it, n, &pa))
			return -EINVAL;
	}
}
EXPORT_SYMBOL(ib_umem_phyr_copy_from);

/**
 * ib_umem_phyr_footprint() - Kernel memory a umem keeps while it lives.
 * @umem: the umem.
 *
 * Context: Any context.
 * Return: bytes: the umem itself, the CPU list's storage and, when it is
 * not the CPU list, the DMA list's.
 */
size_t ib_umem_phyr_footprint(const struct ib_umem_phyr *umem)
{
	size_t bytes = sizeof(*umem) + phyr_list_footprint(&umem->pin.list);

	if (umem->dma != &umem->pin.list)
		bytes += sizeof(*umem->dma) + phyr_list_footprint(umem->dma);
	return bytes;
}
EXPORT_SYMBOL(ib_umem_phyr_footprint);
