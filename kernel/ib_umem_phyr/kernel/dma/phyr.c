// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * dma_map_phyr(): map a phyr CPU list for a device, giving a phyr DMA list.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/export.h>
#include <linux/mm.h>
#include <linux/phyr_dma.h>
#include <linux/sched.h>
#include <linux/slab.h>

/**
 * DOC: mapping
 *
 * Three ways, tried in turn, the way the DMA list records:
 *
 * - Alias: every range is one dma-direct would only translate (no bounce
 *   buffer, no cache maintenance) by one and the same offset, as with no
 *   IOMMU or an IOMMU in passthrough: the DMA list is the CPU list read
 *   through that offset.  Nothing is allocated or mapped.
 * - IOVA: dma_iova_try_alloc() gives one IOVA range for the whole list,
 *   each range is linked into it with dma_iova_link() and the IOTLB is
 *   synchronised once.  The DMA list is that one range.
 * - Segments: every other device, and lists the IOVA range cannot serve
 *   (interior ranges not on the IOMMU's granule): each range, cut at
 *   dma_max_mapping_size(), is mapped with dma_map_page_attrs(), which
 *   bounces, offsets or calls dma_map_ops as the device needs.  The DMA
 *   list holds the mapped ranges.
 *
 * The ranges of a DMA list are ranges of device addresses, not the
 * device's scatter/gather segments: like the IOVA API's one range, a range
 * may be longer than dma_get_max_seg_size() and cross
 * dma_get_seg_boundary().  Callers that program segments cut the ranges
 * themselves, as the RDMA block iterators cut them into pages.  Honouring
 * the boundary here would map any list longer than it (4 GiB for PCI
 * devices by default) segment by segment, one IOVA allocation and one
 * IOTLB sync per range.
 *
 * No scatterlist is built on any path.  Unmapping needs only the DMA list:
 * it records the CPU list it was made from.  With CONFIG_DMA_API_DEBUG the
 * alias and IOVA paths register each range with the DMA-API checker at its
 * device address, as dma_map_page_attrs() does on the segment path, and
 * unregister them range by range at unmap.
 */

#include "debug.h"
#include "direct.h"

/* Ranges looked at per phyr_iter_fill() call: 512 bytes of stack. */
#define PHYR_DMA_BATCH	32

/* Largest segment mapped on the segment path. */
#define PHYR_SEG_MAX	SZ_1G

/*
 * Alias: does the device reach every range at its physical address plus one
 * constant, through dma-direct with nothing to bounce or sync?
 */
static bool map_alias(struct device *dev, const struct phyr_list *cpu,
		      enum dma_data_direction dir, dma_addr_t *offset)
{
	PHYR_ITER(it);
	struct phyr r[PHYR_DMA_BATCH];
	unsigned int n, i;
	bool first = true;

	phyr_iter_start(&it, cpu);
	while ((n = phyr_iter_fill(&it, r, ARRAY_SIZE(r)))) {
		for (i = 0; i < n; i++) {
			dma_addr_t off = phys_to_dma(dev, r[i].addr) - r[i].addr;

			if (!dma_map_is_translation(dev, r[i].addr, r[i].len, dir))
				return false;
			if (!first && off != *offset)
				return false;
			*offset = off;
			first = false;
		}
	}
	return true;
}

/*
 * DMA-API debugging of the alias and IOVA paths: each CPU range, at its
 * device address.
 */
static void debug_map_ranges(struct device *dev, const struct phyr_dma_list *dma,
			     enum dma_data_direction dir, unsigned long attrs,
			     bool map)
{
	PHYR_ITER(it);
	struct phyr r;
	u64 off = 0;

	if (!IS_ENABLED(CONFIG_DMA_API_DEBUG))
		return;
	phyr_for_each(dma->cpu, &it, &r) {
		dma_addr_t addr = dma->kind == PHYR_DMA_IOVA ? dma->iova + off :
				  r.addr + dma->offset;

		if (map) {
			debug_dma_map_page(dev, pfn_to_page(PHYS_PFN(r.addr)),
					   offset_in_page(r.addr), r.len, dir,
					   addr, attrs);
			/* Nothing here can fail: the checker need not wait */
			debug_dma_mapping_error(dev, addr);
		} else {
			debug_dma_unmap_page(dev, addr, r.len, dir);
		}
		off += r.len;
	}
}

/* The IOVA path's state, which this backport of the IOVA API keeps whole. */
static void iova_state(const struct phyr_dma_list *dma,
		       struct dma_iova_state *state)
{
	state->addr = dma->iova;
	state->__size = phyr_list_length(dma->cpu);
}

/*
 * Can one IOVA range hold the list?  Inside it every range must start and
 * end on the IOMMU's granule (@mask: the granule minus 1); only the first
 * may start and the last end anywhere.
 */
static bool on_granule(const struct phyr_list *cpu, unsigned long mask)
{
	PHYR_ITER(it);
	u64 len = phyr_list_length(cpu), at = 0;
	struct phyr r;

	phyr_for_each(cpu, &it, &r) {
		if ((at && (r.addr & mask)) ||
		    (at + r.len < len && ((r.addr + r.len) & mask)))
			return false;
		at += r.len;
	}
	return true;
}

static int map_iova(struct device *dev, const struct phyr_list *cpu,
		    struct phyr_dma_list *dma, enum dma_data_direction dir,
		    unsigned long attrs)
{
	PHYR_ITER(it);
	unsigned long boundary = dma_get_merge_boundary(dev);
	u64 len = phyr_list_length(cpu);
	struct dma_iova_state state;
	size_t mapped = 0;
	phys_addr_t first;
	struct phyr r;
	int ret;

	phyr_list_first_addr(cpu, &first);
	if (!boundary || !on_granule(cpu, boundary) ||
	    !dma_iova_try_alloc(dev, &state, first, len))
		return -EOPNOTSUPP;
	phyr_for_each(cpu, &it, &r) {
		ret = dma_iova_link(dev, &state, r.addr, mapped, r.len, dir,
				    attrs);
		if (ret)
			goto unlink;
		mapped += r.len;
		cond_resched();
	}
	ret = dma_iova_sync(dev, &state, 0, len);
	if (ret)
		goto unlink;
	dma->iova = state.addr;
	dma->kind = PHYR_DMA_IOVA;
	return 0;

unlink:
	if (mapped)
		dma_iova_unlink(dev, &state, 0, mapped, dir, attrs);
	dma_iova_free(dev, &state);
	return ret;
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
					   PHYR_SEG_MAX), PAGE_SIZE),
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

/* Unmap the segments holding the first @limit bytes of the CPU list. */
static void unmap_segments(struct device *dev, const struct phyr_list *cpu,
			   const struct phyr_list *segs, u64 limit,
			   enum dma_data_direction dir, unsigned long attrs)
{
	PHYR_ITER(dit);
	u64 done = 0, prev = 0;
	struct seg_iter si;
	phys_addr_t d;

	if (!limit || phyr_iter_seek(&dit, segs, 0, &d))
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
			struct phyr_dma_list *dma, enum dma_data_direction dir,
			unsigned long attrs)
{
	PHYR_APPEND(app);
	struct phyr_list *segs;
	struct seg_iter si;
	u64 done = 0;
	dma_addr_t d;
	int ret = 0;

	segs = kmalloc(sizeof(*segs), GFP_KERNEL);
	if (!segs)
		return -ENOMEM;
	phyr_list_init(segs);
	phyr_append_begin(&app, segs, GFP_KERNEL);
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
		unmap_segments(dev, cpu, segs, done, dir, attrs);
		phyr_list_destroy(segs);
		kfree(segs);
		return ret;
	}
	dma->segs = segs;
	dma->kind = PHYR_DMA_SEGMENTS;
	return 0;
}

/**
 * dma_map_phyr() - Map a phyr CPU list for DMA by a device.
 * @dev: the device.
 * @cpu: the CPU list, for instance from pin_user_pages_phyr(); must stay
 *	unchanged until dma_unmap_phyr().
 * @dma: receives the DMA list.
 * @dir: DMA direction.
 * @attrs: DMA_ATTR_* flags, as for dma_map_page_attrs().
 *
 * Fills @dma with the ranges of device addresses @dev sees, in the order of
 * @cpu and with the same total length.  Under dma-direct with nothing to
 * translate but a constant or to bounce (no IOMMU, or an IOMMU in
 * passthrough) that is @cpu itself and nothing is allocated; under a
 * translating IOMMU it is one range; otherwise one range per mapped
 * segment.  phyr_dma_kind() tells which.
 *
 * Context: Process context; may sleep.
 * Return: 0; -EINVAL for an empty @cpu or a bad @dir; -ENOMEM; -EIO if a
 * segment cannot be mapped (for instance the bounce buffer is full), or
 * another error of the IOMMU driver.  On error nothing stays mapped or
 * allocated and @dma is unmapped (%PHYR_DMA_NONE).
 */
int dma_map_phyr(struct device *dev, const struct phyr_list *cpu,
		 struct phyr_dma_list *dma, enum dma_data_direction dir,
		 unsigned long attrs)
{
	dma_addr_t offset;
	int ret;

	memset(dma, 0, sizeof(*dma));
	if (!valid_dma_direction(dir) || phyr_list_empty(cpu))
		return -EINVAL;
	dma->cpu = cpu;
	if (map_alias(dev, cpu, dir, &offset)) {
		dma->offset = offset;
		dma->kind = PHYR_DMA_ALIAS;
		debug_map_ranges(dev, dma, dir, attrs, true);
		return 0;
	}
	ret = map_iova(dev, cpu, dma, dir, attrs);
	if (!ret) {
		debug_map_ranges(dev, dma, dir, attrs, true);
		return 0;
	}
	if (ret == -EOPNOTSUPP)
		ret = map_segments(dev, cpu, dma, dir, attrs);
	if (ret)
		memset(dma, 0, sizeof(*dma));
	return ret;
}
EXPORT_SYMBOL_GPL(dma_map_phyr);

/**
 * dma_unmap_phyr() - Undo dma_map_phyr().
 * @dev: the device given to dma_map_phyr().
 * @dma: the DMA list dma_map_phyr() filled; unmapped afterwards.
 * @dir: the direction given to dma_map_phyr().
 * @attrs: DMA_ATTR_* flags, as given to dma_map_phyr().
 *
 * Works from the DMA list alone and the CPU list it records.  Does nothing
 * to a list that is not mapped, or made by phyr_dma_init_alias().
 *
 * Context: Process context; may sleep.
 */
void dma_unmap_phyr(struct device *dev, struct phyr_dma_list *dma,
		    enum dma_data_direction dir, unsigned long attrs)
{
	struct dma_iova_state state;

	switch (dma->kind) {
	case PHYR_DMA_NONE:
		break;
	case PHYR_DMA_ALIAS:
		if (dev)
			debug_map_ranges(dev, dma, dir, attrs, false);
		break;
	case PHYR_DMA_IOVA:
		debug_map_ranges(dev, dma, dir, attrs, false);
		iova_state(dma, &state);
		dma_iova_destroy(dev, &state, phyr_list_length(dma->cpu), dir,
				 attrs);
		break;
	case PHYR_DMA_SEGMENTS:
		unmap_segments(dev, dma->cpu, dma->segs, U64_MAX, dir, attrs);
		phyr_list_destroy(dma->segs);
		kfree(dma->segs);
		break;
	}
	memset(dma, 0, sizeof(*dma));
}
EXPORT_SYMBOL_GPL(dma_unmap_phyr);

/**
 * phyr_dma_init_alias() - A DMA list that is a CPU list plus an offset.
 * @dma: receives the DMA list.
 * @cpu: the CPU list; must stay unchanged while @dma is used.
 * @offset: what to add to each physical address.
 *
 * For callers whose "device" addresses are CPU addresses, such as the
 * kernel virtual addresses RDMA software devices use: nothing is mapped,
 * and dma_unmap_phyr() with a NULL device releases it.
 *
 * Context: Any context.
 */
void phyr_dma_init_alias(struct phyr_dma_list *dma,
			 const struct phyr_list *cpu, dma_addr_t offset)
{
	dma->cpu = cpu;
	dma->offset = offset;
	dma->kind = PHYR_DMA_ALIAS;
}
EXPORT_SYMBOL_GPL(phyr_dma_init_alias);

/**
 * phyr_dma_footprint() - Memory a DMA list allocated.
 * @dma: the DMA list.
 *
 * The &struct phyr_dma_list itself is the caller's and not counted.
 *
 * Context: Any context.
 * Return: bytes: 0 for an alias or an IOVA range, the mapped ranges' list
 * and its storage for segments.
 */
size_t phyr_dma_footprint(const struct phyr_dma_list *dma)
{
	if (dma->kind != PHYR_DMA_SEGMENTS)
		return 0;
	return sizeof(*dma->segs) + phyr_list_footprint(dma->segs);
}
EXPORT_SYMBOL_GPL(phyr_dma_footprint);

/**
 * phyr_dma_nr_entries() - Ranges a DMA list holds.
 * @dma: the DMA list.
 *
 * Context: Any context.  O(number of chunks).
 * Return: the entries of the CPU list for an alias, 1 for an IOVA range,
 * the mapped ranges for segments, 0 if unmapped.
 */
unsigned long phyr_dma_nr_entries(const struct phyr_dma_list *dma)
{
	switch (dma->kind) {
	case PHYR_DMA_ALIAS:
		return phyr_list_nr_entries(dma->cpu);
	case PHYR_DMA_IOVA:
		return 1;
	case PHYR_DMA_SEGMENTS:
		return phyr_list_nr_entries(dma->segs);
	}
	return 0;
}
EXPORT_SYMBOL_GPL(phyr_dma_nr_entries);

/**
 * phyr_dma_first_addr() - Device address of a DMA list's first byte.
 * @dma: the DMA list.
 * @addr: receives the address.
 *
 * Context: Any context.
 * Return: true, or false with @addr untouched if the list is not mapped.
 */
bool phyr_dma_first_addr(const struct phyr_dma_list *dma, dma_addr_t *addr)
{
	phys_addr_t a;

	switch (dma->kind) {
	case PHYR_DMA_ALIAS:
		if (!phyr_list_first_addr(dma->cpu, &a))
			return false;
		*addr = a + dma->offset;
		return true;
	case PHYR_DMA_IOVA:
		*addr = dma->iova;
		return true;
	case PHYR_DMA_SEGMENTS:
		if (!phyr_list_first_addr(dma->segs, &a))
			return false;
		*addr = a;
		return true;
	}
	return false;
}
EXPORT_SYMBOL_GPL(phyr_dma_first_addr);

/* The list of device ranges to walk: the CPU list, or the mapped ranges. */
static const struct phyr_list *walked(const struct phyr_dma_list *dma)
{
	return dma->kind == PHYR_DMA_SEGMENTS ? dma->segs : dma->cpu;
}

static dma_addr_t walked_offset(const struct phyr_dma_list *dma)
{
	return dma->kind == PHYR_DMA_ALIAS ? dma->offset : 0;
}

/**
 * phyr_dma_iter_start() - Put a cursor on the first byte of a DMA list.
 * @it: the cursor.
 * @dma: the DMA list.
 *
 * Context: Any context.
 * Return: @it.
 */
struct phyr_dma_iter *phyr_dma_iter_start(struct phyr_dma_iter *it,
					  const struct phyr_dma_list *dma)
{
	it->dma = dma;
	it->at = 0;
	if (dma->kind == PHYR_DMA_ALIAS || dma->kind == PHYR_DMA_SEGMENTS)
		phyr_iter_start(&it->it, walked(dma));
	return it;
}
EXPORT_SYMBOL_GPL(phyr_dma_iter_start);

/**
 * phyr_dma_iter_next() - The range from the cursor to the end of its entry.
 * @it: the cursor.
 * @range: receives the range.
 *
 * Context: Any context.
 * Return: false, with @range untouched, at the end.
 */
bool phyr_dma_iter_next(struct phyr_dma_iter *it, struct phyr_dma *range)
{
	const struct phyr_dma_list *dma = it->dma;
	u64 len = phyr_dma_length(dma);
	struct phyr r;

	switch (dma->kind) {
	case PHYR_DMA_NONE:
		return false;
	case PHYR_DMA_IOVA:
		if (it->at >= len)
			return false;
		range->addr = dma->iova + it->at;
		range->len = len - it->at;
		it->at = len;
		return true;
	default:
		if (!phyr_iter_next(&it->it, &r))
			return false;
		range->addr = r.addr + walked_offset(dma);
		range->len = r.len;
		return true;
	}
}
EXPORT_SYMBOL_GPL(phyr_dma_iter_next);

/**
 * phyr_dma_iter_seek() - Put a cursor on a byte of a DMA list.
 * @it: the cursor.
 * @dma: the DMA list.
 * @offset: byte offset in the list.
 * @addr: receives the byte's device address; may be NULL.
 *
 * Context: Any context.  O(log n).
 * Return: 0, or -ERANGE (cursor unchanged) if @offset is not in the list.
 */
int phyr_dma_iter_seek(struct phyr_dma_iter *it,
		       const struct phyr_dma_list *dma, u64 offset,
		       dma_addr_t *addr)
{
	phys_addr_t a;
	int ret;

	if (offset >= phyr_dma_length(dma))
		return -ERANGE;
	it->dma = dma;
	if (dma->kind == PHYR_DMA_IOVA) {
		it->at = offset;
		if (addr)
			*addr = dma->iova + offset;
		return 0;
	}
	ret = phyr_iter_seek(&it->it, walked(dma), offset, &a);
	if (!ret && addr)
		*addr = a + walked_offset(dma);
	return ret;
}
EXPORT_SYMBOL_GPL(phyr_dma_iter_seek);

/**
 * phyr_dma_iter_advance() - Move a DMA cursor forward, onto another byte.
 * @it: the cursor, on a byte of the list.
 * @bytes: how far.
 * @addr: receives the device address of the new byte; may be NULL.
 *
 * Context: Any context.
 * Return: 0, or -ERANGE (cursor unchanged) if the new position is not a
 * byte of the list.
 */
int phyr_dma_iter_advance(struct phyr_dma_iter *it, u64 bytes,
			  dma_addr_t *addr)
{
	const struct phyr_dma_list *dma = it->dma;
	phys_addr_t a;
	int ret;

	if (dma->kind == PHYR_DMA_IOVA) {
		if (it->at >= phyr_dma_length(dma) ||
		    bytes >= phyr_dma_length(dma) - it->at)
			return -ERANGE;
		it->at += bytes;
		if (addr)
			*addr = dma->iova + it->at;
		return 0;
	}
	if (dma->kind == PHYR_DMA_NONE)
		return -ERANGE;
	ret = phyr_iter_advance(&it->it, bytes, &a);
	if (!ret && addr)
		*addr = a + walked_offset(dma);
	return ret;
}
EXPORT_SYMBOL_GPL(phyr_dma_iter_advance);

/**
 * phyr_dma_block_iter_start() - Prepare to walk a DMA list in blocks.
 * @dbi: the block iterator.
 * @dma: the DMA list.
 * @offset: byte of the list the walk starts at, 0 for all of it.
 * @pgsz: block size, a power of two.
 *
 * Blocks of @pgsz bytes of device address space from the one holding byte
 * @offset on: the first block's address is the device address of byte
 * @offset rounded down, and each next block starts where the walk has gone
 * on by the rest of the block before, across discontinuities of the list
 * too, as rdma_for_each_block() walks a mapped scatterlist.
 *
 * Context: Any context.  O(log n).
 * Return: @dbi; phyr_dma_block_iter_next() then runs exactly
 * phyr_num_blocks(length - @offset, device address of byte @offset, @pgsz)
 * times, none for an @offset at or past the end.
 */
struct phyr_dma_block_iter *
phyr_dma_block_iter_start(struct phyr_dma_block_iter *dbi,
			  const struct phyr_dma_list *dma, u64 offset, u64 pgsz)
{
	PHYR_DMA_ITER(it);
	u64 len = phyr_dma_length(dma);
	dma_addr_t addr = 0;

	dbi->dma = dma;
	dbi->pgsz = pgsz;
	if (phyr_dma_iter_seek(&it, dma, offset, &addr))
		offset = len;
	if (dma->kind == PHYR_DMA_ALIAS || dma->kind == PHYR_DMA_SEGMENTS) {
		phyr_block_iter_start(&dbi->bi, walked(dma), offset, addr, pgsz);
		return dbi;
	}
	/* One range, or none: cut arithmetically */
	dbi->one.iova = addr - offset;
	dbi->one.next = offset;
	dbi->one.left = offset < len ? phyr_num_blocks(len - offset, addr, pgsz) : 0;
	return dbi;
}
EXPORT_SYMBOL_GPL(phyr_dma_block_iter_start);

/**
 * phyr_dma_block_iter_next() - Step to the next block.
 * @dbi: the block iterator.
 *
 * Context: Any context.
 * Return: true with phyr_dma_block_addr() giving the block, false at the end.
 */
bool phyr_dma_block_iter_next(struct phyr_dma_block_iter *dbi)
{
	const struct phyr_dma_list *dma = dbi->dma;
	dma_addr_t first;

	if (dma->kind == PHYR_DMA_ALIAS || dma->kind == PHYR_DMA_SEGMENTS) {
		if (!phyr_block_iter_next(&dbi->bi))
			return false;
		first = phyr_block_first(&dbi->bi) + walked_offset(dma);
	} else {
		if (!dbi->one.left)
			return false;
		first = dma->iova + dbi->one.next;
		dbi->one.next = ALIGN_DOWN(dbi->one.iova + dbi->one.next,
					   dbi->pgsz) + dbi->pgsz - dbi->one.iova;
		dbi->one.left--;
	}
	dbi->addr = first & ~(dbi->pgsz - 1);
	return true;
}
EXPORT_SYMBOL_GPL(phyr_dma_block_iter_next);
