// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * KUnit: ib_umem on phyr lists against the scatterlist umem of earlier
 * kernels, on the same user memory.
 *
 * Each case maps anonymous memory into the test's own mm, lays it out
 * (fragmented: pages faulted from the last to the first, so no two
 * neighbours are physically adjacent; THP; or 2 MiB hugetlb pages, which
 * the kernel must have been booted for: hugepages=16), and pins it twice:
 * with ib_umem_get(), and into a reference scatterlist built exactly as
 * ib_umem_get() built one before (pin_user_pages_fast() a page of pointers
 * at a time, sg_alloc_append_table_from_pages() with the device's maximum
 * segment size, ib_dma_map_sgtable_attrs()), walked as the old helpers
 * walked it.  The two must agree on the best page size for every page-size
 * bitmap tried, on every DMA block for every page size up to the best, on
 * DMA offsets, pages, DMA segments and bytes copied out.  The device is a
 * software one (no dma_device): DMA addresses are kernel virtual addresses.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/count_zeros.h>
#include <linux/file.h>
#include <linux/hugetlb.h>
#include <linux/mman.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/uaccess.h>
#include <rdma/ib_umem.h>
#include <rdma/iter.h>

#include "umem_kunit.h"

#define MAP_SIZE	(8 * SZ_2M)

static const char *const layout_names[] = {
	[UMEM_FRAGMENTED] = "fragmented", [UMEM_THP] = "THP",
	[UMEM_HUGETLB_2M] = "hugetlb 2 MiB", [UMEM_HUGETLB_1G] = "hugetlb 1 GiB",
};

/**
 * ib_umem_kunit_layout_name() - what a layout is called in a case's name
 * @layout: the layout
 *
 * Context: Any context.
 * Return: a constant string.
 */
const char *ib_umem_kunit_layout_name(enum ib_umem_kunit_layout layout)
{
	return layout_names[layout];
}
EXPORT_SYMBOL_IF_KUNIT(ib_umem_kunit_layout_name);

/**
 * ib_umem_kunit_map_user() - map user memory in the test's mm, laid out
 * @test: the test, which unmaps it at its end
 * @layout: the layout
 * @len: bytes, a multiple of the layout's page size
 *
 * Maps @len bytes aligned to 2 MiB (to 1 GiB for hugetlb 1 GiB pages) and
 * faults them in from the last page to the first, so that fragmented
 * memory has no two neighbours physically adjacent.  Hugetlb pages must
 * have been reserved (e.g. "hugepagesz=2M hugepages=16 hugepagesz=1G
 * hugepages=1" on the command line): the case skips, saying so, if they
 * were not.
 *
 * Context: Process context of the test; sleeps.
 * Return: the address of the memory.
 */
unsigned long ib_umem_kunit_map_user(struct kunit *test,
				     enum ib_umem_kunit_layout layout,
				     size_t len)
{
	unsigned long flags = MAP_ANONYMOUS | MAP_PRIVATE;
	struct file *file = NULL;
	unsigned long raw, base, va;
	int advice, shift = 0;
	u8 byte;

	if (layout == UMEM_HUGETLB_2M)
		shift = 21;
	if (layout == UMEM_HUGETLB_1G)
		shift = 30;
	if (shift) {
		/*
		 * As mmap(MAP_HUGETLB) does it (vm_mmap() knows no
		 * MAP_HUGETLB, only hugetlbfs files): the mapping reserves
		 * the pages, or fails.
		 */
		file = hugetlb_file_setup(HUGETLB_ANON_FILE, len, VM_NORESERVE,
					  HUGETLB_ANONHUGE_INODE, shift);
		KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(file), "no hugetlbfs (%ld)",
				       PTR_ERR(file));
		flags |= MAP_HUGETLB;
	}
	/* Room to align to 2 MiB; hugetlb mappings come aligned */
	raw = kunit_vm_mmap(test, file, 0, len + (file ? 0 : SZ_2M),
			    PROT_READ | PROT_WRITE, flags, 0);
	if (file)
		fput(file);
	if (shift && IS_ERR_VALUE(raw))
		kunit_skip(test, "no %zu free %s pages (%ld): reserve them first",
			   len >> shift, layout_names[layout], (long)raw);
	KUNIT_ASSERT_FALSE_MSG(test, !raw || IS_ERR_VALUE(raw),
			       "no user memory (%ld)", (long)raw);
	base = ALIGN(raw, shift ? BIT(shift) : SZ_2M);
	if (!file) {
		advice = layout == UMEM_THP ? MADV_HUGEPAGE : MADV_NOHUGEPAGE;
		KUNIT_ASSERT_EQ(test, do_madvise(current->mm, base, len, advice), 0);
	}
	/* Fault in backwards: the allocator's runs end up reversed */
	for (va = base + len - PAGE_SIZE; va >= base; va -= PAGE_SIZE) {
		byte = va >> PAGE_SHIFT;
		KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)va, &byte, 1),
				0);
		if (va == base)
			break;
	}
	return base;
}
EXPORT_SYMBOL_IF_KUNIT(ib_umem_kunit_map_user);

static void ref_release(void *arg)
{
	struct ib_umem_kunit_ref *ref = arg;
	struct scatterlist *sg;
	unsigned int i;

	ib_dma_unmap_sgtable_attrs(ref->dev, &ref->sgt.sgt, DMA_BIDIRECTIONAL, 0);
	for_each_sgtable_sg(&ref->sgt.sgt, sg, i)
		unpin_user_page_range_dirty_lock(sg_page(sg),
						 DIV_ROUND_UP(sg->length, PAGE_SIZE),
						 false);
	sg_free_append_table(&ref->sgt);
}

/**
 * ib_umem_kunit_ref_get() - pin and map user memory as earlier kernels did
 * @test: the test, which unmaps, unpins and frees it all at its end
 * @dev: the device
 * @addr: user address
 * @size: bytes
 * @ref: filled in
 *
 * Builds the scatterlist ib_umem_get() built before phyr lists: the pages
 * pinned a page of pointers at a time, appended with the device's maximum
 * segment size, then DMA-mapped.
 *
 * Context: Process context of the test; sleeps.
 */
void ib_umem_kunit_ref_get(struct kunit *test, struct ib_device *dev,
			   unsigned long addr, size_t size,
			   struct ib_umem_kunit_ref *ref)
{
	unsigned long cur = addr & PAGE_MASK, left;
	struct page **pages;
	long pinned;

	ref->dev = dev;
	ref->address = addr;
	ref->length = size;
	ref->npages = (PAGE_ALIGN(addr + size) - cur) >> PAGE_SHIFT;
	pages = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pages);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ref_release, ref), 0);
	for (left = ref->npages; left; left -= pinned, cur += pinned * PAGE_SIZE) {
		unsigned long batch = min_t(unsigned long, left,
					    PAGE_SIZE / sizeof(*pages));
		int ret;

		pinned = pin_user_pages_fast(cur, batch, FOLL_LONGTERM | FOLL_WRITE,
					     pages);
		KUNIT_ASSERT_GT(test, pinned, 0);
		ret = sg_alloc_append_table_from_pages(&ref->sgt, pages, pinned, 0,
						       pinned << PAGE_SHIFT,
						       ib_dma_max_seg_size(dev),
						       left - pinned, GFP_KERNEL);
		KUNIT_ASSERT_EQ(test, ret, 0);
	}
	KUNIT_ASSERT_EQ(test, ib_dma_map_sgtable_attrs(dev, &ref->sgt.sgt,
						       DMA_BIDIRECTIONAL, 0), 0);
}
EXPORT_SYMBOL_IF_KUNIT(ib_umem_kunit_ref_get);

/**
 * ib_umem_kunit_ref_best_pgsz() - ib_umem_find_best_pgsz() of earlier kernels
 * @ref: the reference
 * @pgsz_bitmap: the page sizes the device can use
 * @virt: the IOVA of the first byte
 *
 * Context: Any context.
 * Return: what ib_umem_find_best_pgsz() computed from the scatterlist.
 */
unsigned long ib_umem_kunit_ref_best_pgsz(const struct ib_umem_kunit_ref *ref,
					  unsigned long pgsz_bitmap, u64 virt)
{
	unsigned long mask = 0, pgoff = ref->address & ~PAGE_MASK;
	dma_addr_t base = ~0, len = 0, end;
	struct scatterlist *sg;
	unsigned int bits, i;
	u64 va = virt, last;

	if (check_add_overflow(ref->length - 1, virt, &last))
		return 0;
	bits = bits_per(virt ^ last);
	if (bits < BITS_PER_LONG)
		mask = pgsz_bitmap & GENMASK(BITS_PER_LONG - 1, bits);
	for_each_sgtable_dma_sg(&ref->sgt.sgt, sg, i) {
		if (check_add_overflow(base, len, &end) ||
		    end != sg_dma_address(sg)) {
			base = sg_dma_address(sg);
			len = 0;
			mask |= (base + pgoff) ^ va;
			if (i)
				mask |= va;
		}
		len += sg_dma_len(sg);
		va += sg_dma_len(sg) - pgoff;
		pgoff = 0;
	}
	if (mask)
		pgsz_bitmap &= GENMASK(count_trailing_zeros(mask), 0);
	return pgsz_bitmap ? rounddown_pow_of_two(pgsz_bitmap) : 0;
}
EXPORT_SYMBOL_IF_KUNIT(ib_umem_kunit_ref_best_pgsz);

/**
 * ib_umem_kunit_ref_block_start() - start rdma_umem_for_each_dma_block() of
 * earlier kernels on the reference
 * @biter: the iterator
 * @ref: the reference
 * @pgsz: the block size
 * @numblocks: ib_umem_num_dma_blocks() of the umem: the walk stops there
 *
 * Context: Any context.
 */
void ib_umem_kunit_ref_block_start(struct ib_block_iter *biter,
				   const struct ib_umem_kunit_ref *ref,
				   unsigned long pgsz, size_t numblocks)
{
	__rdma_block_iter_start(biter, ref->sgt.sgt.sgl, ref->sgt.sgt.nents,
				pgsz);
	biter->__sg_advance = (ref->address & ~PAGE_MASK) & ~(pgsz - 1);
	biter->__sg_numblocks = numblocks;
}
EXPORT_SYMBOL_IF_KUNIT(ib_umem_kunit_ref_block_start);

/**
 * ib_umem_kunit_ref_block_next() - the next block of the reference's walk
 * @biter: the iterator, from ib_umem_kunit_ref_block_start()
 *
 * Context: Any context.
 * Return: true while there is a block; rdma_block_iter_dma_address() gives
 * its address.
 */
bool ib_umem_kunit_ref_block_next(struct ib_block_iter *biter)
{
	return __rdma_block_iter_next(biter) && biter->__sg_numblocks--;
}
EXPORT_SYMBOL_IF_KUNIT(ib_umem_kunit_ref_block_next);

/* The blocks rdma_umem_for_each_dma_block() walked on the scatterlist. */
static void expect_same_blocks(struct kunit *test, struct ib_umem_kunit_ref *ref,
			       struct ib_umem *umem, unsigned long pgsz)
{
	size_t numblocks = ib_umem_num_dma_blocks(umem, pgsz), n = 0, bad = 0;
	struct ib_block_iter stock, phyr;

	ib_umem_kunit_ref_block_start(&stock, ref, pgsz, numblocks);
	__rdma_umem_block_iter_start(&phyr, umem, pgsz);
	while (ib_umem_kunit_ref_block_next(&stock)) {
		if (!__rdma_umem_block_iter_next(&phyr) ||
		    rdma_block_iter_dma_address(&phyr) !=
		    rdma_block_iter_dma_address(&stock))
			bad++;
		n++;
	}
	KUNIT_EXPECT_FALSE(test, __rdma_umem_block_iter_next(&phyr));
	KUNIT_EXPECT_EQ_MSG(test, bad, 0, "%zu of %zu blocks of %lu differ",
			    bad, n, pgsz);
	/*
	 * ib_umem_num_dma_blocks() of them, or fewer where an IOVA whose
	 * offset in the page differs from the address's needs one more block
	 * than the pages hold: the old walk ran out of pages first.
	 */
	KUNIT_EXPECT_LE(test, n, ib_umem_num_dma_blocks(umem, pgsz));
	KUNIT_EXPECT_GE(test, n + 1, ib_umem_num_dma_blocks(umem, pgsz));
}

/* Pages and DMA segments (merged where contiguous) in the same order. */
static void expect_same_pages_and_segments(struct kunit *test,
					   struct ib_umem_kunit_ref *ref,
					   struct ib_umem *umem)
{
	struct ib_umem_dma_seg_iter seg;
	struct ib_umem_page_iter pi;
	struct sg_page_iter sgi;
	struct scatterlist *sg;
	dma_addr_t start = 0, end = 0;
	size_t bad = 0, n = 0, runs = 0;
	unsigned int i;

	__sg_page_iter_start(&sgi, ref->sgt.sgt.sgl, ref->sgt.sgt.orig_nents, 0);
	rdma_umem_for_each_page(umem, &pi) {
		if (!__sg_page_iter_next(&sgi) ||
		    sg_page_iter_page(&sgi) != rdma_umem_page_iter_page(&pi))
			bad++;
		n++;
	}
	KUNIT_EXPECT_FALSE(test, __sg_page_iter_next(&sgi));
	KUNIT_EXPECT_EQ(test, n, ref->npages);
	KUNIT_EXPECT_EQ_MSG(test, bad, 0, "%zu of %zu pages differ", bad, n);

	/* Both as maximal runs: the umem's, then the reference's in turn */
	sg = ref->sgt.sgt.sgl;
	i = 0;
	rdma_umem_for_each_dma_seg(umem, &seg) {
		if (rdma_umem_dma_seg_addr(&seg) == end && runs) {
			end += rdma_umem_dma_seg_len(&seg);
			continue;
		}
		if (runs) {
			/* The reference's run: as many entries as it takes */
			dma_addr_t s = sg_dma_address(sg), e = s;

			for (; i < ref->sgt.sgt.nents && sg_dma_address(sg) == e;
			     i++, sg = sg_next(sg))
				e += sg_dma_len(sg);
			bad += s != start || e != end;
		}
		start = rdma_umem_dma_seg_addr(&seg);
		end = start + rdma_umem_dma_seg_len(&seg);
		runs++;
	}
	KUNIT_EXPECT_GT(test, runs, 0);
	KUNIT_EXPECT_EQ_MSG(test, bad, 0, "%zu of %zu DMA runs differ", bad, runs);
}

struct layout_case {
	enum ib_umem_kunit_layout layout;
	size_t head;
	size_t tail;
	u64 virt_delta;
};

static const struct layout_case layout_cases[] = {
	{ UMEM_FRAGMENTED, 0, 0, 0 },
	{ UMEM_FRAGMENTED, 123, 4000, 0 },
	{ UMEM_THP, 0, 0, 0 },
	{ UMEM_THP, SZ_1M + 17, SZ_2M + 1, 0 },
	/* An IOVA 1 GiB + 64 KiB away: only pages up to 64 KiB line up */
	{ UMEM_THP, 0, 0, SZ_1G + SZ_64K },
	/* An IOVA whose offset in the page is not the address's */
	{ UMEM_FRAGMENTED, 0x100, 0x100, 0x700 },
	{ UMEM_HUGETLB_2M, 0, 0, 0 },
	{ UMEM_HUGETLB_2M, SZ_2M + 4095, SZ_1M + 3, 0 },
};

static void layout_case_desc(const struct layout_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s +%zu -%zu iova+%llu",
		 ib_umem_kunit_layout_name(c->layout), c->head, c->tail,
		 (unsigned long long)c->virt_delta);
}

KUNIT_ARRAY_PARAM(layout, layout_cases, layout_case_desc);

static void umem_release_action(void *umem)
{
	ib_umem_release(umem);
}

static void umem_phyr_compare(struct kunit *test)
{
	static const unsigned long bitmaps[] = {
		GENMASK(30, 12), SZ_4K, SZ_4K | SZ_2M, SZ_4K | SZ_64K | SZ_2M,
		SZ_8K | SZ_16M, SZ_2M | SZ_1G, GENMASK(20, 16), SZ_1K | SZ_4K,
		GENMASK(11, 9),
	};
	const struct layout_case *c = test->param_value;
	unsigned long base = ib_umem_kunit_map_user(test, c->layout, MAP_SIZE);
	unsigned long addr = base + c->head, pgsz, best, i;
	size_t len = MAP_SIZE - c->head - c->tail, off, n;
	struct ib_umem_kunit_ref *ref;
	struct ib_device *dev;
	struct ib_umem *umem;
	u8 *a, *b;

	dev = kunit_kzalloc(test, sizeof(*dev), GFP_KERNEL);
	ref = kunit_kzalloc(test, sizeof(*ref), GFP_KERNEL);
	a = kunit_kmalloc(test, SZ_64K, GFP_KERNEL);
	b = kunit_kmalloc(test, SZ_64K, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, dev && ref && a && b);

	umem = ib_umem_get(dev, addr, len, IB_ACCESS_LOCAL_WRITE);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(umem), "ib_umem_get: %ld",
			       PTR_ERR(umem));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, umem_release_action,
							umem), 0);
	ib_umem_kunit_ref_get(test, dev, addr, len, ref);

	kunit_info(test, "%s, %zu bytes at +%zu: %lu reference DMA segments, %lu entries, %zu bytes\n",
		   ib_umem_kunit_layout_name(c->layout), len, c->head,
		   (unsigned long)ref->sgt.sgt.nents,
		   phyr_list_nr_entries(&umem->cpu),
		   phyr_list_footprint(&umem->cpu) +
		   phyr_dma_footprint(&umem->dma));
	KUNIT_EXPECT_EQ(test, phyr_dma_kind(&umem->dma), PHYR_DMA_ALIAS);
	KUNIT_EXPECT_EQ(test, phyr_list_length(&umem->cpu), ref->npages * PAGE_SIZE);
	/* The layout itself: faulting backwards leaves a few neighbours */
	if (c->layout == UMEM_FRAGMENTED)
		KUNIT_EXPECT_GE_MSG(test, ref->sgt.sgt.nents, ref->npages * 9 / 10,
				    "the buffer is not fragmented");
	/* Hugetlb: an entry per 2 MiB page at most, whatever the cut */
	if (c->layout == UMEM_HUGETLB_2M)
		KUNIT_EXPECT_LE(test, phyr_list_nr_entries(&umem->cpu),
				len / SZ_2M + 2);

	expect_same_pages_and_segments(test, ref, umem);
	for (i = 0; i < ARRAY_SIZE(bitmaps); i++) {
		u64 virt = addr + c->virt_delta;

		best = ib_umem_kunit_ref_best_pgsz(ref, bitmaps[i], virt);
		KUNIT_EXPECT_EQ_MSG(test, ib_umem_find_best_pgsz(umem, bitmaps[i], virt),
				    best, "bitmap %#lx", bitmaps[i]);
		/* Every page size the device has, up to the best or a page */
		for (pgsz = SZ_1K; pgsz <= max(best, PAGE_SIZE); pgsz <<= 1) {
			if (!(pgsz & bitmaps[i]))
				continue;
			expect_same_blocks(test, ref, umem, pgsz);
			KUNIT_EXPECT_EQ(test, ib_umem_dma_offset(umem, pgsz),
					(sg_dma_address(ref->sgt.sgt.sgl) +
					 (addr & ~PAGE_MASK)) & (pgsz - 1));
		}
	}
	KUNIT_EXPECT_EQ(test, ib_umem_first_dma_addr(umem),
			sg_dma_address(ref->sgt.sgt.sgl));
	KUNIT_EXPECT_PTR_EQ(test, ib_umem_first_page(umem),
			    sg_page(ref->sgt.sgt.sgl));
	KUNIT_EXPECT_EQ(test, ib_umem_find_best_pgoff(umem, GENMASK(30, 12),
						      GENMASK(20, 6)),
			ib_umem_kunit_ref_best_pgsz(ref, GENMASK(30, 12),
						    (sg_dma_address(ref->sgt.sgt.sgl) +
						     (addr & ~PAGE_MASK)) &
						    GENMASK(20, 6)));

	for (i = 0; i < 16; i++) {
		off = get_random_u32_below(len);
		n = min_t(size_t, len - off, get_random_u32_below(SZ_64K) + 1);
		memset(a, 0, n);
		memset(b, 1, n);
		KUNIT_EXPECT_EQ(test, sg_pcopy_to_buffer(ref->sgt.sgt.sgl,
							 ref->sgt.sgt.orig_nents,
							 a, n, off + (addr & ~PAGE_MASK)),
				n);
		KUNIT_EXPECT_EQ(test, ib_umem_copy_from(b, umem, off, n), 0);
		KUNIT_EXPECT_EQ_MSG(test, memcmp(a, b, n), 0,
				    "copy_from(%zu, %zu) differs", off, n);
	}
	KUNIT_EXPECT_EQ(test, ib_umem_copy_from(a, umem, len, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, ib_umem_copy_from(a, umem, 1, len), -EINVAL);
	KUNIT_EXPECT_EQ(test, ib_umem_copy_from(a, umem, len, 0), 0);
}

/*
 * Bad input: the errors of earlier kernels, and nothing left pinned or
 * charged.
 */
static void umem_phyr_bad_input(struct kunit *test)
{
	unsigned long base = ib_umem_kunit_map_user(test, UMEM_FRAGMENTED, SZ_64K);
	struct ib_device *dev = kunit_kzalloc(test, sizeof(*dev), GFP_KERNEL);
	/* addr 0 stands for the mapped buffer */
	static const struct {
		unsigned long addr;
		size_t len;
		int access;
		int err;
	} cases[] = {
		{ 0, 0, 0, -EINVAL },				/* empty */
		{ 0, SIZE_MAX, 0, -EINVAL },			/* wraps */
		{ 0, SZ_64K, IB_ACCESS_ON_DEMAND, -EOPNOTSUPP },	/* ODP */
		{ PAGE_SIZE, PAGE_SIZE, 0, -EFAULT },		/* never mapped */
		{ 0, 1ULL << 45, 0, -EINVAL },			/* > 2^32 pages */
	};
	s64 pinned_vm = atomic64_read(&current->mm->pinned_vm);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, dev);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned long addr = base;
		struct ib_umem *umem;

		if (cases[i].addr)
			addr = cases[i].addr;
		umem = ib_umem_get(dev, addr, cases[i].len, cases[i].access);
		KUNIT_EXPECT_TRUE_MSG(test, IS_ERR(umem), "case %u", i);
		if (IS_ERR(umem))
			KUNIT_EXPECT_EQ_MSG(test, PTR_ERR(umem), cases[i].err,
					    "case %u", i);
		else
			ib_umem_release(umem);
		KUNIT_EXPECT_EQ_MSG(test, atomic64_read(&current->mm->pinned_vm),
				    pinned_vm, "case %u", i);
	}
}

static struct kunit_case umem_phyr_cases[] = {
	KUNIT_CASE_PARAM(umem_phyr_compare, layout_gen_params),
	KUNIT_CASE(umem_phyr_bad_input),
	{}
};

static struct kunit_suite umem_phyr_suite = {
	.name = "ib_umem_phyr",
	.test_cases = umem_phyr_cases,
};

kunit_test_suite(umem_phyr_suite);
