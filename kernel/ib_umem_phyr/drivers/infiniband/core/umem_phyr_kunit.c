// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * KUnit: ib_umem_phyr against the stock ib_umem on the same user memory.
 *
 * Each case maps anonymous memory into the test's own mm, lays it out
 * (fragmented: pages faulted from the last to the first, so no two
 * neighbours are physically adjacent; THP; or 2 MiB hugetlb pages, which
 * the kernel must have been booted for: hugepages=16), pins it once with
 * each umem and checks that they agree on the best page size for every
 * page-size bitmap tried, on the DMA block count and on every block's
 * address for every page size up to the best, and on bytes copied out.
 * The device is a software one (no dma_device): the stock umem's DMA
 * addresses are kernel virtual addresses, compared through virt_to_phys().
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#include <kunit/test.h>
#include <linux/mman.h>
#include <linux/random.h>
#include <linux/sizes.h>
#include <linux/uaccess.h>
#include <rdma/ib_umem.h>
#include <rdma/ib_umem_phyr.h>
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

static unsigned long nr_discontinuities(struct ib_umem_phyr *umem)
{
	PHYR_ITER(it);
	unsigned long n = 0;
	phys_addr_t end = 0;
	struct phyr r;

	phyr_for_each(umem->dma, &it, &r) {
		n += r.addr != end;
		end = r.addr + r.len;
	}
	return n;
}

/* Both umems give the same blocks of @pgsz, after find_best set the IOVA. */
static void expect_same_blocks(struct kunit *test, struct ib_umem *stock,
			       struct ib_umem_phyr *umem, unsigned long pgsz)
{
	struct phyr_block_iter bi;
	struct ib_block_iter biter;
	struct phyr_block_iter *pbi;
	size_t n = 0, bad = 0;

	KUNIT_EXPECT_EQ(test, ib_umem_num_dma_blocks(stock, pgsz),
			ib_umem_phyr_num_dma_blocks(umem, pgsz));
	pbi = phyr_block_iter_start(&bi, umem->dma, umem->iova, pgsz);
	rdma_umem_for_each_dma_block(stock, &biter, pgsz) {
		phys_addr_t want;

		want = virt_to_phys((void *)(uintptr_t)
				    rdma_block_iter_dma_address(&biter));
		if (!phyr_block_iter_next(pbi) || phyr_block_addr(pbi) != want)
			bad++;
		n++;
	}
	KUNIT_EXPECT_FALSE(test, phyr_block_iter_next(pbi));
	KUNIT_EXPECT_EQ_MSG(test, bad, 0, "%zu of %zu blocks of %lu differ",
			    bad, n, pgsz);
	KUNIT_EXPECT_EQ(test, n, ib_umem_num_dma_blocks(stock, pgsz));
}

static void compare(struct kunit *test, enum layout layout, size_t head,
		    size_t tail, u64 virt_delta)
{
	static const unsigned long bitmaps[] = {
		GENMASK(30, 12), SZ_4K, SZ_4K | SZ_2M, SZ_4K | SZ_64K | SZ_2M,
		SZ_8K | SZ_16M, SZ_2M | SZ_1G, GENMASK(20, 16),
	};
	unsigned long base = map_user(test, layout, MAP_SIZE);
	unsigned long addr = base + head, pgsz, best, i;
	size_t len = MAP_SIZE - head - tail, off, n;
	struct ib_device *dev;
	struct ib_umem_phyr *umem;
	struct ib_umem *stock;
	u8 *a, *b;

	dev = kunit_kzalloc(test, sizeof(*dev), GFP_KERNEL);
	a = kunit_kmalloc(test, SZ_64K, GFP_KERNEL);
	b = kunit_kmalloc(test, SZ_64K, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, dev && a && b);

	stock = ib_umem_get(dev, addr, len, IB_ACCESS_LOCAL_WRITE);
	KUNIT_ASSERT_FALSE(test, IS_ERR(stock));
	umem = ib_umem_phyr_get(dev, addr, len, IB_ACCESS_LOCAL_WRITE);
	if (IS_ERR(umem)) {
		ib_umem_release(stock);
		KUNIT_FAIL(test, "ib_umem_phyr_get: %ld", PTR_ERR(umem));
		return;
	}
	kunit_info(test, "%s, %zu bytes at +%zu: %lu DMA runs, %lu entries, %zu bytes\n",
		   layout_names[layout], len, head,
		   nr_discontinuities(umem),
		   phyr_list_nr_entries(&umem->pin.list),
		   ib_umem_phyr_footprint(umem));
	/* The layout itself: faulting backwards leaves a few neighbours */
	if (layout == FRAGMENTED)
		KUNIT_EXPECT_GE_MSG(test, nr_discontinuities(umem),
				    ib_umem_num_pages(stock) * 9 / 10,
				    "the buffer is not fragmented");
	/* Hugetlb: an entry per 2 MiB page at most, whatever the cut */
	if (layout == HUGETLB)
		KUNIT_EXPECT_LE(test, phyr_list_nr_entries(&umem->pin.list),
				len / SZ_2M + 2);

	for (i = 0; i < ARRAY_SIZE(bitmaps); i++) {
		u64 virt = addr + virt_delta;

		best = ib_umem_find_best_pgsz(stock, bitmaps[i], virt);
		KUNIT_EXPECT_EQ_MSG(test, best,
				    ib_umem_phyr_find_best_pgsz(umem, bitmaps[i],
								virt),
				    "bitmap %#lx", bitmaps[i]);
		for (pgsz = SZ_4K; best && pgsz <= best; pgsz <<= 1)
			if (pgsz & bitmaps[i])
				expect_same_blocks(test, stock, umem, pgsz);
	}

	for (i = 0; i < 16; i++) {
		off = get_random_u32_below(len);
		n = min_t(size_t, len - off, get_random_u32_below(SZ_64K) + 1);
		memset(a, 0, n);
		memset(b, 1, n);
		KUNIT_EXPECT_EQ(test, ib_umem_copy_from(a, stock, off, n), 0);
		KUNIT_EXPECT_EQ(test, ib_umem_phyr_copy_from(b, umem, off, n), 0);
		KUNIT_EXPECT_EQ_MSG(test, memcmp(a, b, n), 0,
				    "copy_from(%zu, %zu) differs", off, n);
	}
	KUNIT_EXPECT_EQ(test, ib_umem_phyr_copy_from(a, umem, len, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, ib_umem_phyr_copy_from(a, umem, 1, len), -EINVAL);

	ib_umem_phyr_release(umem);
	ib_umem_release(stock);
}

static void umem_phyr_fragmented(struct kunit *test)
{
	compare(test, FRAGMENTED, 0, 0, 0);
}

static void umem_phyr_fragmented_unaligned(struct kunit *test)
{
	compare(test, FRAGMENTED, 123, 4000, 0);
}

static void umem_phyr_thp(struct kunit *test)
{
	compare(test, THP, 0, 0, 0);
}

static void umem_phyr_thp_unaligned(struct kunit *test)
{
	compare(test, THP, SZ_1M + 17, SZ_2M + 1, 0);
}

static void umem_phyr_thp_other_iova(struct kunit *test)
{
	/* An IOVA 1 GiB + 64 KiB away: only pages up to 64 KiB line up */
	compare(test, THP, 0, 0, SZ_1G + SZ_64K);
}

static void umem_phyr_hugetlb(struct kunit *test)
{
	compare(test, HUGETLB, 0, 0, 0);
}

static void umem_phyr_hugetlb_unaligned(struct kunit *test)
{
	compare(test, HUGETLB, SZ_2M + 4095, SZ_1M + 3, 0);
}

static void umem_phyr_bad_input(struct kunit *test)
{
	unsigned long base = map_user(test, FRAGMENTED, SZ_64K);
	struct ib_device *dev = kunit_kzalloc(test, sizeof(*dev), GFP_KERNEL);
	/* addr 0 stands for the mapped buffer */
	static const struct {
		unsigned long addr;
		size_t len;
		int access;
	} cases[] = {
		{ 0, 0, 0 },				/* empty */
		{ 0, SIZE_MAX, 0 },			/* wraps */
		{ 0, SZ_64K, IB_ACCESS_ON_DEMAND },	/* ODP */
		{ PAGE_SIZE, PAGE_SIZE, 0 },		/* never mapped */
	};
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, dev);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned long addr = base;
		struct ib_umem_phyr *umem;
		struct ib_umem *stock;

		if (cases[i].addr)
			addr = cases[i].addr;
		stock = ib_umem_get(dev, addr, cases[i].len, cases[i].access);
		umem = ib_umem_phyr_get(dev, addr, cases[i].len,
					cases[i].access);
		KUNIT_EXPECT_TRUE_MSG(test, IS_ERR(stock) && IS_ERR(umem),
				      "case %u", i);
		if (IS_ERR(stock) && IS_ERR(umem))
			KUNIT_EXPECT_EQ_MSG(test, PTR_ERR(umem), PTR_ERR(stock),
					    "case %u", i);
		if (!IS_ERR(stock))
			ib_umem_release(stock);
		if (!IS_ERR(umem))
			ib_umem_phyr_release(umem);
	}
	KUNIT_EXPECT_EQ(test, atomic64_read(&current->mm->pinned_vm), 0);
}

static struct kunit_case umem_phyr_cases[] = {
	KUNIT_CASE(umem_phyr_fragmented),
	KUNIT_CASE(umem_phyr_fragmented_unaligned),
	KUNIT_CASE(umem_phyr_thp),
	KUNIT_CASE(umem_phyr_thp_unaligned),
	KUNIT_CASE(umem_phyr_thp_other_iova),
	KUNIT_CASE(umem_phyr_hugetlb),
	KUNIT_CASE(umem_phyr_hugetlb_unaligned),
	KUNIT_CASE(umem_phyr_bad_input),
	{}
};

static struct kunit_suite umem_phyr_suite = {
	.name = "ib_umem_phyr",
	.test_cases = umem_phyr_cases,
};

kunit_test_suite(umem_phyr_suite);
