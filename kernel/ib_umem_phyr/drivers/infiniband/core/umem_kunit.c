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
#include <linux/count_zeros.h>
#include <linux/mman.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/uaccess.h>
#include <rdma/ib_umem.h>
#include <rdma/iter.h>

#define MAP_SIZE	(8 * SZ_2M)

enum layout { FRAGMENTED, THP, HUGETLB };

static const char *const layout_names[] = {
	[FRAGMENTED] = "fragmented", [THP] = "THP", [HUGETLB] = "hugetlb 2 MiB",
};

/* User memory of @len bytes plus room to align to 2 MiB, laid out. */
static unsigned long map_user(struct kunit *test, enum layout layout,
			      size_t len)
{
	unsigned long flags = MAP_ANONYMOUS | MAP_PRIVATE;
	unsigned long raw, base, va;
	int advice;
	u8 byte;

	if (layout == HUGETLB)
		flags |= MAP_HUGETLB | MAP_HUGE_2MB;
	raw = kunit_vm_mmap(test, NULL, 0, len + SZ_2M, PROT_READ | PROT_WRITE,
			    flags, 0);
	if (layout == HUGETLB && IS_ERR_VALUE(raw))
		kunit_skip(test, "no 2 MiB hugetlb pages (%ld): boot with hugepages=16",
			   (long)raw);
	KUNIT_ASSERT_FALSE_MSG(test, !raw || IS_ERR_VALUE(raw),
			       "no user memory (%ld)", (long)raw);
	base = ALIGN(raw, SZ_2M);
	if (layout != HUGETLB) {
		advice = layout == THP ? MADV_HUGEPAGE : MADV_NOHUGEPAGE;
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

/* The scatterlist umem of earlier kernels, pinned and mapped as it was. */
struct ref_umem {
	struct ib_device *dev;
	struct sg_append_table sgt;
	unsigned long address;
	size_t length;
	unsigned long npages;
};

static void ref_release(void *arg)
{
	struct ref_umem *ref = arg;
	struct scatterlist *sg;
	unsigned int i;

	ib_dma_unmap_sgtable_attrs(ref->dev, &ref->sgt.sgt, DMA_BIDIRECTIONAL, 0);
	for_each_sgtable_sg(&ref->sgt.sgt, sg, i)
		unpin_user_page_range_dirty_lock(sg_page(sg),
						 DIV_ROUND_UP(sg->length, PAGE_SIZE),
						 false);
	sg_free_append_table(&ref->sgt);
}

static void ref_get(struct kunit *test, struct ib_device *dev,
		    unsigned long addr, size_t size, struct ref_umem *ref)
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

/* What ib_umem_find_best_pgsz() computed from the scatterlist. */
static unsigned long ref_best_pgsz(const struct ref_umem *ref,
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

/* The blocks rdma_umem_for_each_dma_block() walked on the scatterlist. */
static void expect_same_blocks(struct kunit *test, struct ref_umem *ref,
			       struct ib_umem *umem, unsigned long pgsz)
{
	size_t numblocks = ib_umem_num_dma_blocks(umem, pgsz), n = 0, bad = 0;
	struct ib_block_iter stock, phyr;

	__rdma_block_iter_start(&stock, ref->sgt.sgt.sgl, ref->sgt.sgt.nents,
				pgsz);
	stock.__sg_advance = (ref->address & ~PAGE_MASK) & ~(pgsz - 1);
	__rdma_umem_block_iter_start(&phyr, umem, pgsz);
	while (__rdma_block_iter_next(&stock) && numblocks--) {
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
					   struct ref_umem *ref,
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
	enum layout layout;
	size_t head;
	size_t tail;
	u64 virt_delta;
};

static const struct layout_case layout_cases[] = {
	{ FRAGMENTED, 0, 0, 0 },
	{ FRAGMENTED, 123, 4000, 0 },
	{ THP, 0, 0, 0 },
	{ THP, SZ_1M + 17, SZ_2M + 1, 0 },
	/* An IOVA 1 GiB + 64 KiB away: only pages up to 64 KiB line up */
	{ THP, 0, 0, SZ_1G + SZ_64K },
	/* An IOVA whose offset in the page is not the address's */
	{ FRAGMENTED, 0x100, 0x100, 0x700 },
	{ HUGETLB, 0, 0, 0 },
	{ HUGETLB, SZ_2M + 4095, SZ_1M + 3, 0 },
};

static void layout_case_desc(const struct layout_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s +%zu -%zu iova+%llu",
		 layout_names[c->layout], c->head, c->tail,
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
	unsigned long base = map_user(test, c->layout, MAP_SIZE);
	unsigned long addr = base + c->head, pgsz, best, i;
	size_t len = MAP_SIZE - c->head - c->tail, off, n;
	struct ref_umem *ref;
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
	ref_get(test, dev, addr, len, ref);

	kunit_info(test, "%s, %zu bytes at +%zu: %lu reference DMA segments, %lu entries, %zu bytes\n",
		   layout_names[c->layout], len, c->head,
		   (unsigned long)ref->sgt.sgt.nents,
		   phyr_list_nr_entries(&umem->cpu),
		   phyr_list_footprint(&umem->cpu) +
		   phyr_dma_footprint(&umem->dma));
	KUNIT_EXPECT_EQ(test, phyr_dma_kind(&umem->dma), PHYR_DMA_ALIAS);
	KUNIT_EXPECT_EQ(test, phyr_list_length(&umem->cpu), ref->npages * PAGE_SIZE);
	/* The layout itself: faulting backwards leaves a few neighbours */
	if (c->layout == FRAGMENTED)
		KUNIT_EXPECT_GE_MSG(test, ref->sgt.sgt.nents, ref->npages * 9 / 10,
				    "the buffer is not fragmented");
	/* Hugetlb: an entry per 2 MiB page at most, whatever the cut */
	if (c->layout == HUGETLB)
		KUNIT_EXPECT_LE(test, phyr_list_nr_entries(&umem->cpu),
				len / SZ_2M + 2);

	expect_same_pages_and_segments(test, ref, umem);
	for (i = 0; i < ARRAY_SIZE(bitmaps); i++) {
		u64 virt = addr + c->virt_delta;

		best = ref_best_pgsz(ref, bitmaps[i], virt);
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
			ref_best_pgsz(ref, GENMASK(30, 12),
				      (sg_dma_address(ref->sgt.sgt.sgl) +
				       (addr & ~PAGE_MASK)) & GENMASK(20, 6)));

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
	unsigned long base = map_user(test, FRAGMENTED, SZ_64K);
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
