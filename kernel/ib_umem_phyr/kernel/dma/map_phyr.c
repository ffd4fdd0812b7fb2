// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * dma_map_phyr(): map a phyr CPU list for a device, giving a phyr DMA list.
 *
 * Three ways, chosen from the device alone so that unmapping can choose the
 * same way again:
 *
 * - dma-direct, coherent, every range below the DMA mask with bus address
 *   equal to physical address and no forced bouncing: the DMA list is the
 *   CPU list.  Nothing is allocated or mapped.
 * - dma-iommu (a translating domain), coherent, trusted: one IOVA range.
 *   Natively, iommu_dma_map_phyr() allocates the IOVA, maps each range and
 *   synchronises the IOTLB once.  Where it cannot (a segment boundary the
 *   single range would cross, an interior that is not granule aligned), or
 *   with map_phyr.native=0, the compatibility path: the list goes through
 *   dma_map_sgtable(), which also puts all of it into one IOVA allocation;
 *   the temporary scatterlist (chained page-sized arrays, 32 bytes per
 *   range) is freed before dma_map_phyr() returns.
 * - anything else: each range, cut at dma_max_mapping_size(), is mapped
 *   with dma_map_page_attrs(), which bounces, offsets or calls dma_map_ops
 *   as the device needs.  No scatterlist at all.
 *
 * Unmapping needs only the two lists: the IOVA range is the DMA list's
 * span; the segments are recomputed from the CPU list and their DMA
 * addresses read from the DMA list.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/iommu-dma.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/phyr_dma.h>
#include <linux/scatterlist.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>

/* Largest scatterlist segment built for the IOMMU path. */
#define PHYR_SG_MAX	SZ_1G

static bool dev_untrusted(struct device *dev)
{
	return dev_is_pci(dev) && to_pci_dev(dev)->untrusted;
}

static bool dev_linear(struct device *dev)
{
	return use_dma_iommu(dev) && dev_is_dma_coherent(dev) &&
	       !dev_untrusted(dev);
}

static bool dev_direct(struct device *dev, const struct phyr_list *cpu)
{
	PHYR_ITER(it);
	struct phyr r;

	if (use_dma_iommu(dev) || get_dma_ops(dev) ||
	    !dev_is_dma_coherent(dev) || is_swiotlb_force_bounce(dev))
		return false;
	phyr_for_each(cpu, &it, &r) {
		if (phys_to_dma(dev, r.addr) != r.addr ||
		    !dma_capable(dev, r.addr, r.len, true))
			return false;
	}
	return true;
}

/*
 * Length of the segment at @addr with @left bytes of its range to go: at
 * most @max bytes, cut at a page boundary when cut at all.
 */
static u64 seg_len(phys_addr_t addr, u64 left, u64 max)
{
	if (left <= max)
		return left;
	return ALIGN_DOWN(addr + max, PAGE_SIZE) - addr;
}

static u64 seg_max(struct device *dev)
{
	return max_t(u64, ALIGN_DOWN(min_t(u64, dma_max_mapping_size(dev),
					   PHYR_SG_MAX), PAGE_SIZE),
		     PAGE_SIZE);
}

/* A cursor over the segments of a CPU list: its ranges cut at @max bytes. */
struct seg_iter {
	struct phyr_iter it;
	struct phyr r;		/* the range being cut */
	phys_addr_t addr;	/* the current segment */
	u64 len;
	u64 max;
};

static void seg_start(struct seg_iter *si, const struct phyr_list *cpu,
		      u64 max)
{
	memset(si, 0, sizeof(*si));
	phyr_iter_start(&si->it, cpu);
	si->max = max;
}

/* Move to the next segment; false after the last. */
static bool seg_next(struct seg_iter *si)
{
	si->addr += si->len;
	if (si->addr == si->r.addr + si->r.len) {
		if (!phyr_iter_next(&si->it, &si->r))
			return false;
		si->addr = si->r.addr;
	}
	si->len = seg_len(si->addr, si->r.addr + si->r.len - si->addr,
			  si->max);
	return true;
}

static unsigned long count_segs(const struct phyr_list *cpu, u64 max)
{
	struct seg_iter si;
	unsigned long n = 0;

	seg_start(&si, cpu, max);
	while (seg_next(&si))
		n++;
	return n;
}

/* Unmap the segments holding the first @limit bytes of @cpu. */
static void unmap_segments(struct device *dev, const struct phyr_list *cpu,
			   const struct phyr_list *dma, u64 limit,
			   enum dma_data_direction dir, unsigned long attrs)
{
	PHYR_ITER(dit);
	u64 done = 0, prev = 0;
	struct seg_iter si;
	phys_addr_t d;

	if (!limit || phyr_iter_seek(&dit, dma, 0, &d))
		return;
	seg_start(&si, cpu, seg_max(dev));
	while (done < limit && seg_next(&si)) {
		if (prev && WARN_ON_ONCE(phyr_iter_advance(&dit, prev, &d)))
			return;
		dma_unmap_page_attrs(dev, d, si.len, dir, attrs);
		done += si.len;
		prev = si.len;
	}
}

static int map_segments(struct device *dev, const struct phyr_list *cpu,
			struct phyr_list *dma, enum dma_data_direction dir,
			unsigned long attrs)
{
	PHYR_APPEND(app);
	struct seg_iter si;
	u64 done = 0;
	dma_addr_t d;
	int ret = 0;

	phyr_append_begin(&app, dma, GFP_KERNEL);
	seg_start(&si, cpu, seg_max(dev));
	while (seg_next(&si)) {
		d = dma_map_page_attrs(dev, pfn_to_page(PHYS_PFN(si.addr)),
				       offset_in_page(si.addr), si.len, dir,
				       attrs);
		if (dma_mapping_error(dev, d)) {
			ret = -EIO;
			break;
		}
		ret = phyr_append_range(&app, d, si.len);
		if (ret) {
			dma_unmap_page_attrs(dev, d, si.len, dir, attrs);
			break;
		}
		done += si.len;
		cond_resched();
	}
	phyr_append_end(&app);
	if (ret) {
		unmap_segments(dev, cpu, dma, done, dir, attrs);
		phyr_list_destroy(dma);
	}
	return ret;
}

/*
 * The compatibility path of a translating IOMMU: a temporary scatterlist
 * through dma_map_sgtable(), which puts the whole list in one IOVA range.
 */
static int map_linear_sg(struct device *dev, const struct phyr_list *cpu,
			 struct phyr_list *dma, enum dma_data_direction dir,
			 unsigned long attrs)
{
	PHYR_APPEND(app);
	unsigned long nents = count_segs(cpu, PHYR_SG_MAX);
	struct scatterlist *sg;
	struct seg_iter si;
	struct sg_table sgt;
	unsigned int i;
	int ret;

	if (nents > UINT_MAX)
		return -EINVAL;
	ret = sg_alloc_table(&sgt, nents, GFP_KERNEL);
	if (ret)
		return ret;
	sg = sgt.sgl;
	seg_start(&si, cpu, PHYR_SG_MAX);
	while (seg_next(&si)) {
		sg_set_page(sg, pfn_to_page(PHYS_PFN(si.addr)), si.len,
			    offset_in_page(si.addr));
		sg = sg_next(sg);
	}

	ret = dma_map_sgtable(dev, &sgt, dir, attrs);
	if (ret)
		goto free;
	phyr_append_begin(&app, dma, GFP_KERNEL);
	for_each_sgtable_dma_sg(&sgt, sg, i) {
		ret = phyr_append_range(&app, sg_dma_address(sg),
					sg_dma_len(sg));
		if (ret)
			break;
	}
	if (ret) {
		phyr_append_abort(&app);
		dma_unmap_sgtable(dev, &sgt, dir, attrs);
	} else {
		phyr_append_end(&app);
	}
free:
	sg_free_table(&sgt);
	return ret;
}

static bool native = true;
module_param(native, bool, 0644);
MODULE_PARM_DESC(native,
		 "map through dma-iommu's phyr path, not a temporary scatterlist");

static int map_linear(struct device *dev, const struct phyr_list *cpu,
		      struct phyr_list *dma, enum dma_data_direction dir,
		      unsigned long attrs)
{
	PHYR_APPEND(app);
	u64 len = phyr_list_length(cpu);
	dma_addr_t iova;
	int ret;

	if (!READ_ONCE(native))
		return map_linear_sg(dev, cpu, dma, dir, attrs);
	ret = iommu_dma_map_phyr(dev, cpu, dir, attrs, &iova);
	if (ret == -EOPNOTSUPP)
		return map_linear_sg(dev, cpu, dma, dir, attrs);
	if (ret)
		return ret;
	phyr_append_begin(&app, dma, GFP_KERNEL);
	ret = phyr_append_range(&app, iova, len);
	phyr_append_end(&app);
	if (ret)
		dma_unmap_page_attrs(dev, iova, len, dir, attrs);
	return ret;
}

/*
 * The whole IOVA allocation of a linear mapping: from the first DMA byte to
 * the last, including any padding dma-iommu put at segment boundaries.
 */
static void unmap_linear(struct device *dev, const struct phyr_list *dma,
			 enum dma_data_direction dir, unsigned long attrs)
{
	PHYR_ITER(it);
	phys_addr_t first = phyr_list_first_addr(dma), end = first;
	struct phyr r;

	phyr_for_each(dma, &it, &r)
		end = r.addr + r.len;
	dma_unmap_page_attrs(dev, first, end - first, dir, attrs);
}

/**
 * dma_map_phyr() - Map a phyr CPU list for DMA by a device.
 * @dev: the device.
 * @cpu: the CPU list, for instance from get_user_phyr(); unchanged until
 *	dma_unmap_phyr().
 * @dir: DMA direction.
 * @attrs: DMA_ATTR_* flags, as for dma_map_sgtable().
 *
 * Returns the list of DMA address ranges @dev sees, in the order of @cpu
 * and with the same total length.  Under dma-direct with nothing to
 * translate or bounce (no IOMMU, or IOMMU passthrough) that is @cpu itself,
 * and nothing is allocated.  Under a translating IOMMU it is one range.
 * Otherwise it has one range per mapped segment.  dma_phyr_kind() tells
 * which.
 *
 * Context: Process context; may sleep.
 * Return: the DMA list, or an ERR_PTR(): -EINVAL for an empty @cpu or a bad
 * @dir, -ENOMEM, -EIO if a segment cannot be mapped (for instance the
 * bounce buffer is full).  On error nothing stays mapped or allocated.
 */
struct phyr_list *dma_map_phyr(struct device *dev, struct phyr_list *cpu,
			       enum dma_data_direction dir,
			       unsigned long attrs)
{
	struct phyr_list *dma;
	int ret;

	if (!valid_dma_direction(dir) || phyr_list_empty(cpu))
		return ERR_PTR(-EINVAL);
	if (dev_direct(dev, cpu))
		return cpu;

	dma = kmalloc(sizeof(*dma), GFP_KERNEL);
	if (!dma)
		return ERR_PTR(-ENOMEM);
	phyr_list_init(dma);
	if (dev_linear(dev))
		ret = map_linear(dev, cpu, dma, dir, attrs);
	else
		ret = map_segments(dev, cpu, dma, dir, attrs);
	if (ret) {
		kfree(dma);
		return ERR_PTR(ret);
	}
	return dma;
}
EXPORT_SYMBOL_GPL(dma_map_phyr);

/**
 * dma_unmap_phyr() - Undo dma_map_phyr().
 * @dev: the device given to dma_map_phyr().
 * @cpu: the CPU list given to dma_map_phyr().
 * @dma: the list dma_map_phyr() returned; freed unless it is @cpu.
 * @dir: the direction given to dma_map_phyr().
 * @attrs: DMA_ATTR_* flags, as given to dma_map_phyr().
 *
 * Works from the two lists alone: no state outlives dma_map_phyr().  With
 * CONFIG_DMA_API_DEBUG, a mapping made through the IOMMU path is released
 * as one page-style mapping and the checker reports a type mismatch.
 *
 * Context: Process context; may sleep.
 */
void dma_unmap_phyr(struct device *dev, struct phyr_list *cpu,
		    struct phyr_list *dma, enum dma_data_direction dir,
		    unsigned long attrs)
{
	if (dma == cpu)
		return;
	if (dev_linear(dev))
		unmap_linear(dev, dma, dir, attrs);
	else
		unmap_segments(dev, cpu, dma, U64_MAX, dir, attrs);
	phyr_list_destroy(dma);
	kfree(dma);
}
EXPORT_SYMBOL_GPL(dma_unmap_phyr);

/**
 * dma_phyr_kind() - How a list was mapped.
 * @dev: the device given to dma_map_phyr().
 * @cpu: the CPU list given to dma_map_phyr().
 * @dma: the list dma_map_phyr() returned.
 *
 * Context: Any context.
 * Return: the &enum phyr_dma_kind of the mapping.
 */
enum phyr_dma_kind dma_phyr_kind(struct device *dev,
				 const struct phyr_list *cpu,
				 const struct phyr_list *dma)
{
	if (dma == cpu)
		return PHYR_DMA_DIRECT;
	return dev_linear(dev) ? PHYR_DMA_LINEAR : PHYR_DMA_SEGMENTS;
}
EXPORT_SYMBOL_GPL(dma_phyr_kind);
