// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * KUnit: what mlx5 computes from a user MR's umem, on phyr lists, against
 * the scatterlist umem of earlier kernels on the same user memory, with no
 * device.
 *
 * mr.c includes this file, so that the suite calls the MR code's static
 * helpers as they are.  Each case lays out user memory in the test's own
 * mm (fragmented, THP, hugetlb 2 MiB or 1 GiB, cut or not, with an IOVA
 * equal to the address or not), pins it with ib_umem_get() and again into
 * the reference scatterlist the ib_umem suite builds as ib_umem_get() did
 * before phyr lists, and compares, for both values of the
 * umr_log_entity_size_5 capability: the page size of the mkey, the number
 * of blocks (the mkey cache's key), the octoword sizes, every PAS entry of
 * mlx5_ib_populate_pas() with and without the access bits, every MTT and
 * KSM entry the UMR path writes, in chunks of several sizes, and the page
 * sizes and offsets of the queue, CQ and SRQ mailboxes.  The reference
 * entries are written as the loops of earlier kernels wrote them, from the
 * reference's blocks.
 *
 * mlx5r_umr_update_mr_pas(), which loads an MR from the mkey cache with
 * its translation table and swaps the table on rereg, runs as it is, with
 * mlx5r_umr_post_send_wait() redirected to a stub that copies each post's
 * entries to their offset: the table the device would have must be the
 * reference's.
 *
 * The device is a stub: a zeroed mlx5_ib_dev whose mlx5_core_dev carries
 * only the two capability pages these functions read, and a PCI device
 * that dma-direct maps the XLT buffer for.  What needs firmware otherwise
 * (creating and destroying mkeys, the mkey cache's work) is not driven:
 * reg_create(), alloc_cacheable_mr(), rereg and dereg themselves are
 * covered by build only, and by the values above, which are all they take
 * from the umem.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/sizes.h>
#include "../../core/umem_kunit.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/*
 * The stub: the capability pages, a PCI device that maps the XLT buffer
 * (dma-direct, 64-bit mask, never registered) and the UMR's PD.
 */
struct mr_kunit_dev {
	struct mlx5_ib_dev ibdev;
	struct mlx5_core_dev mdev;
	struct mlx5_hca_cap gen;
	struct mlx5_hca_cap gen2;
	struct pci_dev pdev;
	struct ib_pd umr_pd;
};

static struct mlx5_ib_dev *mr_kunit_stub_dev(struct kunit *test)
{
	struct mr_kunit_dev *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, d);
	d->mdev.caps.hca[MLX5_CAP_GENERAL] = &d->gen;
	d->mdev.caps.hca[MLX5_CAP_GENERAL_2] = &d->gen2;
	d->pdev.dma_mask = DMA_BIT_MASK(64);
	d->pdev.dev.dma_mask = &d->pdev.dma_mask;
	d->pdev.dev.coherent_dma_mask = DMA_BIT_MASK(64);
	d->mdev.pdev = &d->pdev;
	d->ibdev.mdev = &d->mdev;
	d->ibdev.umrc.pd = &d->umr_pd;
	return &d->ibdev;
}

#define MR_KUNIT_POISON	0xa5a5a5a5a5a5a5a5ULL
#define MR_KUNIT_KEY	0x5eed1234

struct mr_kunit_case {
	enum ib_umem_kunit_layout layout;
	size_t size;		/* bytes mapped */
	size_t head;		/* cut from the start of the mapping */
	size_t tail;		/* cut from its end */
	u64 iova_delta;		/* IOVA - address */
};

static const struct mr_kunit_case mr_kunit_cases[] = {
	{ UMEM_FRAGMENTED, SZ_16M, 0, 0, 0 },
	{ UMEM_FRAGMENTED, SZ_16M, 123, 4000, 0 },
	{ UMEM_FRAGMENTED, SZ_16M, 0x100, 0, SZ_1G },
	/* More than 2^16 pages: past MLX5_MAX_UMR_PAGES */
	{ UMEM_FRAGMENTED, SZ_256M + SZ_64K, 0, 0, 0 },
	{ UMEM_THP, SZ_16M, 0, 0, 0 },
	{ UMEM_THP, SZ_16M, SZ_1M + 17, SZ_2M + 1, 0 },
	/* Only blocks up to 64 KiB line up with this IOVA */
	{ UMEM_THP, SZ_16M, 0, 0, SZ_1G + SZ_64K },
	{ UMEM_HUGETLB_2M, SZ_16M, 0, 0, 0 },
	{ UMEM_HUGETLB_2M, SZ_16M, SZ_2M + 4095, SZ_1M + 3, 0 },
	{ UMEM_HUGETLB_1G, SZ_1G, 0, 0, 0 },
	{ UMEM_HUGETLB_1G, SZ_1G, 4095, 3, SZ_2M },
};

static void mr_kunit_case_desc(const struct mr_kunit_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s %zu MiB +%zu -%zu iova+%llu",
		 ib_umem_kunit_layout_name(c->layout), c->size >> 20, c->head,
		 c->tail, (unsigned long long)c->iova_delta);
}

KUNIT_ARRAY_PARAM(mr_kunit, mr_kunit_cases, mr_kunit_case_desc);

static void mr_kunit_umem_release(void *umem)
{
	ib_umem_release(umem);
}

static void mr_kunit_kvfree(void *p)
{
	kvfree(p);
}

static void *mr_kunit_kvcalloc(struct kunit *test, size_t n, size_t size)
{
	void *p = kvcalloc(n, size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, mr_kunit_kvfree, p),
			0);
	return p;
}

/*
 * The reference's DMA blocks of @pgsz, walked as rdma_umem_for_each_dma_block()
 * walked the scatterlist, into @addrs (room for @max): their number.
 */
static size_t mr_kunit_ref_blocks(struct ib_umem_kunit_ref *ref,
				  unsigned long pgsz, size_t numblocks,
				  u64 *addrs, size_t max)
{
	struct ib_block_iter biter;
	size_t n = 0;

	ib_umem_kunit_ref_block_start(&biter, ref, pgsz, numblocks);
	while (ib_umem_kunit_ref_block_next(&biter) && n < max)
		addrs[n++] = rdma_block_iter_dma_address(&biter);
	return n;
}

/* mlx5_ib_populate_pas() as reg_create() calls it, with and without pg_cap. */
static void mr_kunit_expect_pas(struct kunit *test, struct ib_umem *umem,
				unsigned long pgsz, const u64 *ref, size_t n)
{
	static const u64 access[] = { MLX5_IB_MTT_PRESENT, 0 };
	__be64 *pas = mr_kunit_kvcalloc(test, n + 1, sizeof(*pas));
	size_t bad, i, a;

	for (a = 0; a < ARRAY_SIZE(access); a++) {
		memset(pas, 0xa5, (n + 1) * sizeof(*pas));
		mlx5_ib_populate_pas(umem, pgsz, pas, access[a]);
		for (bad = 0, i = 0; i < n; i++)
			bad += pas[i] != cpu_to_be64(ref[i] | access[a]);
		KUNIT_EXPECT_EQ_MSG(test, bad, 0,
				    "%zu of %zu PAS entries of %lu differ (access %#llx)",
				    bad, n, pgsz, access[a]);
		KUNIT_EXPECT_EQ_MSG(test, be64_to_cpu(pas[n]), MR_KUNIT_POISON,
				    "PAS written past its %zu entries", n);
	}
}

enum mr_kunit_xlt { XLT_MTT, XLT_MTT_ZAP, XLT_KSM };

/*
 * The UMR path's entries for @umem in chunks of @room entries, against the
 * reference's blocks: what the loop of earlier kernels wrote, entry by
 * entry, and the chunks it posted (every one full but the last).
 */
static void mr_kunit_expect_xlt(struct kunit *test, struct ib_umem *umem,
				unsigned long pgsz, const u64 *ref, size_t n,
				enum mr_kunit_xlt kind, size_t room)
{
	size_t esize = kind == XLT_KSM ? sizeof(struct mlx5_ksm) :
					 sizeof(struct mlx5_mtt);
	u8 *xlt = kunit_kmalloc(test, (room + 1) * esize, GFP_KERNEL);
	size_t total = 0, chunks = 0, bad = 0, got, i;
	struct mlx5r_xlt_fill fill;

	KUNIT_ASSERT_NOT_NULL(test, xlt);
	mlx5r_umr_fill_start(&fill, umem, pgsz);
	fill.ksm = kind == XLT_KSM;
	fill.ksm_key = fill.ksm ? cpu_to_be32(MR_KUNIT_KEY) : 0;
	fill.zap = kind == XLT_MTT_ZAP;
	do {
		memset(xlt, 0xa5, (room + 1) * esize);
		got = mlx5r_umr_fill_xlt(&fill, xlt, room);
		chunks++;
		if (fill.pending && got != room)
			bad++;	/* a chunk posted before the last is full */
		for (i = 0; i < got; i++) {
			u64 addr = total + i < n ? ref[total + i] : ~0ULL;

			if (kind == XLT_KSM) {
				struct mlx5_ksm *k = (struct mlx5_ksm *)xlt + i;

				bad += k->va != cpu_to_be64(addr) ||
				       k->key != cpu_to_be32(MR_KUNIT_KEY) ||
				       k->reserved != cpu_to_be32(0xa5a5a5a5);
			} else {
				struct mlx5_mtt *m = (struct mlx5_mtt *)xlt + i;

				bad += m->ptag != (kind == XLT_MTT_ZAP ? 0 :
					cpu_to_be64(addr | MLX5_IB_MTT_PRESENT));
			}
		}
		/* Nothing written past what was reported */
		bad += memchr_inv(xlt + got * esize, 0xa5,
				  (room + 1 - got) * esize) != NULL;
		total += got;
	} while (fill.pending && chunks <= n);
	KUNIT_EXPECT_EQ_MSG(test, bad, 0,
			    "%zu bad entries or chunks (kind %d, chunks of %zu, blocks of %lu)",
			    bad, kind, room, pgsz);
	KUNIT_EXPECT_EQ(test, total, n);
	KUNIT_EXPECT_EQ(test, chunks, n ? DIV_ROUND_UP(n, room) : 1);
	KUNIT_EXPECT_FALSE(test, fill.pending);
}

/* What the UMR path posted, in place of the device: its translation table. */
struct mr_kunit_posted {
	u8 *xlt;
	size_t size;
	size_t end;
	unsigned int posts;
	bool bad;
};

/*
 * mlx5r_umr_post_send_wait() redirected: copy the posted entries to their
 * offset in the table, as the device would take them.  dma-direct mapped
 * the XLT buffer to its physical address.
 */
static int mr_kunit_post_send_wait(struct mlx5_ib_dev *dev, u32 mkey,
				   struct mlx5r_umr_wqe *wqe, bool with_data)
{
	struct mr_kunit_posted *p = kunit_get_current_test()->priv;
	u64 off = (be16_to_cpu(wqe->ctrl_seg.xlt_offset) |
		   (u64)be32_to_cpu(wqe->ctrl_seg.xlt_offset_47_16) << 16) *
		  MLX5_IB_UMR_OCTOWORD;
	u32 len = be32_to_cpu(wqe->data_seg.byte_count);

	p->posts++;
	if (!with_data || mkey != MR_KUNIT_KEY || off + len > p->size ||
	    be16_to_cpu(wqe->ctrl_seg.xlt_octowords) * MLX5_IB_UMR_OCTOWORD != len) {
		p->bad = true;
		return 0;
	}
	memcpy(p->xlt + off, phys_to_virt(be64_to_cpu(wqe->data_seg.addr)), len);
	p->end = max_t(size_t, p->end, off + len);
	return 0;
}

/*
 * mlx5r_umr_update_mr_pas() as registration from the mkey cache and rereg's
 * PAS swap call it, posting to the stub: the table it builds must be the
 * reference's blocks, then zeroes to the end of the last post.
 */
static void mr_kunit_expect_umr(struct kunit *test, struct mlx5_ib_dev *dev,
				struct ib_umem *umem, u64 iova,
				unsigned long pgsz, const u64 *ref, size_t n)
{
	struct mr_kunit_posted *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	struct mlx5_ib_pd *pd = kunit_kzalloc(test, sizeof(*pd), GFP_KERNEL);
	struct mlx5_ib_mr *mr = kunit_kzalloc(test, sizeof(*mr), GFP_KERNEL);
	size_t table = n * sizeof(struct mlx5_mtt), bad = 0, i;
	struct mlx5_mtt *mtt;

	KUNIT_ASSERT_TRUE(test, p && pd && mr);
	p->size = ALIGN(table, MLX5_UMR_FLEX_ALIGNMENT);
	p->xlt = mr_kunit_kvcalloc(test, p->size, 1);
	memset(p->xlt, 0xa5, p->size);
	mr->ibmr.device = &dev->ib_dev;
	mr->ibmr.pd = &pd->ibpd;
	mr->ibmr.iova = iova;
	mr->ibmr.length = umem->length;
	mr->umem = umem;
	mr->page_shift = __ffs(pgsz);
	mr->mmkey.key = MR_KUNIT_KEY;

	test->priv = p;
	kunit_activate_static_stub(test, mlx5r_umr_post_send_wait,
				   mr_kunit_post_send_wait);
	KUNIT_EXPECT_EQ(test, mlx5r_umr_update_mr_pas(mr, MLX5_IB_UPD_XLT_ENABLE),
			0);
	kunit_deactivate_static_stub(test, mlx5r_umr_post_send_wait);
	test->priv = NULL;

	mtt = (struct mlx5_mtt *)p->xlt;
	for (i = 0; i < n; i++)
		bad += mtt[i].ptag != cpu_to_be64(ref[i] | MLX5_IB_MTT_PRESENT);
	KUNIT_EXPECT_FALSE_MSG(test, p->bad, "a post out of the table's bounds");
	KUNIT_EXPECT_EQ_MSG(test, bad, 0, "%zu of %zu posted entries of %lu differ",
			    bad, n, pgsz);
	KUNIT_EXPECT_EQ(test, p->end, p->size);
	KUNIT_EXPECT_NULL(test, memchr_inv(p->xlt + table, 0, p->size - table));
	/* One post per XLT buffer, of umr.c's MLX5_MAX_UMR_CHUNK at most */
	KUNIT_EXPECT_GE(test, p->posts,
			DIV_ROUND_UP(table, (1 << (MLX5_MAX_UMR_SHIFT + 4)) -
					    MLX5_UMR_FLEX_ALIGNMENT));
	kunit_info(test, "UMR: %zu entries of %lu in %u posts\n", n, pgsz,
		   p->posts);
}

/* Everything mlx5 computes from the umem for an mkey of @pgsz pages. */
static void mr_kunit_expect_mkey(struct kunit *test, struct ib_umem *umem,
				 struct ib_umem_kunit_ref *ref, u64 iova,
				 unsigned long pgsz)
{
	static const size_t rooms[] = { 1, 3, 8, 64, PAGE_SIZE / 8 };
	size_t n, ndescs = ib_umem_num_dma_blocks(umem, pgsz);
	size_t ref_ndescs = (ALIGN(iova + ref->length, pgsz) -
			     ALIGN_DOWN(iova, pgsz)) / pgsz;
	unsigned int kind, r;
	u64 *addrs;

	/* The mkey cache's key, the size of the PAS and of the XLT */
	KUNIT_ASSERT_EQ_MSG(test, ndescs, ref_ndescs, "blocks of %lu", pgsz);
	addrs = mr_kunit_kvcalloc(test, ndescs + 1, sizeof(*addrs));
	n = mr_kunit_ref_blocks(ref, pgsz, ndescs, addrs, ndescs + 1);
	KUNIT_ASSERT_EQ_MSG(test, n, ndescs, "reference blocks of %lu", pgsz);
	/* translations_octword_size and _actual_size, MTT and KSM */
	KUNIT_EXPECT_EQ(test, get_octo_len(iova, umem->length, __ffs(pgsz)),
			DIV_ROUND_UP(n, 2));

	mr_kunit_expect_pas(test, umem, pgsz, addrs, n);
	mr_kunit_expect_umr(test, container_of(umem->ibdev, struct mlx5_ib_dev,
					       ib_dev), umem, iova, pgsz, addrs, n);
	for (kind = XLT_MTT; kind <= XLT_KSM; kind++)
		for (r = 0; r < ARRAY_SIZE(rooms); r++)
			mr_kunit_expect_xlt(test, umem, pgsz, addrs, n, kind,
					    rooms[r]);
}

/*
 * __mlx5_umem_find_best_quantized_pgoff() of earlier kernels: the same
 * steps, on the reference's first DMA address.
 */
static unsigned long mr_kunit_ref_quantized(struct ib_umem_kunit_ref *ref,
					    unsigned long bitmap,
					    unsigned int offset_bits,
					    u64 pgoff_mask, unsigned int scale,
					    unsigned int *quantized)
{
	const u64 offset_mask = (1UL << offset_bits) - 1;
	u64 dma = sg_dma_address(ref->sgt.sgt.sgl) +
		  (ref->address & ~PAGE_MASK);
	unsigned long pgsz;

	pgsz = ib_umem_kunit_ref_best_pgsz(ref, bitmap, dma & pgoff_mask);
	if (!pgsz)
		return 0;
	while ((dma & (pgsz - 1)) & ~(u64)(offset_mask * (pgsz / scale)))
		pgsz /= 2;
	if (!(bitmap & pgsz))
		return 0;
	*quantized = (dma & (pgsz - 1)) / (pgsz / scale);
	return *quantized > offset_mask ? 0 : pgsz;
}

/*
 * A mailbox's page size and quantized offset, as mlx5 computed them (@pgsz,
 * @q), against the reference's, for a mailbox with fields of @log_bits and
 * @offset_bits bits and offsets in units of a 64th of a page.
 */
static void mr_kunit_expect_quantized(struct kunit *test,
				      struct ib_umem_kunit_ref *ref,
				      const char *what, unsigned long pgsz,
				      unsigned int q, unsigned int log_bits,
				      unsigned int offset_bits, u64 pgoff_mask)
{
	unsigned long bitmap, ref_pgsz;
	unsigned int ref_q = ~0U;

	bitmap = __mlx5_log_page_size_to_bitmap(log_bits,
						MLX5_ADAPTER_PAGE_SHIFT);
	ref_pgsz = mr_kunit_ref_quantized(ref, bitmap, offset_bits, pgoff_mask,
					  64, &ref_q);
	KUNIT_EXPECT_EQ_MSG(test, pgsz, ref_pgsz, "%s page size", what);
	if (ref_pgsz)
		KUNIT_EXPECT_EQ_MSG(test, q, ref_q, "%s page_offset", what);
}

/* The page sizes and offsets of the QP, WQ and CQ mailboxes. */
static void mr_kunit_expect_queues(struct kunit *test, struct ib_umem *umem,
				   struct ib_umem_kunit_ref *ref)
{
	unsigned long pgsz;
	unsigned int q;

	q = ~0U;
	pgsz = mlx5_umem_find_best_quantized_pgoff(umem, qpc, log_page_size,
						   MLX5_ADAPTER_PAGE_SHIFT,
						   page_offset, 64, &q);
	mr_kunit_expect_quantized(test, ref, "qpc", pgsz, q,
				  __mlx5_bit_sz(qpc, log_page_size),
				  __mlx5_bit_sz(qpc, page_offset),
				  GENMASK(31, order_base_2(64)));
	q = ~0U;
	pgsz = mlx5_umem_find_best_quantized_pgoff(umem, wq, log_wq_pg_sz,
						   MLX5_ADAPTER_PAGE_SHIFT,
						   page_offset, 64, &q);
	mr_kunit_expect_quantized(test, ref, "wq", pgsz, q,
				  __mlx5_bit_sz(wq, log_wq_pg_sz),
				  __mlx5_bit_sz(wq, page_offset),
				  GENMASK(31, order_base_2(64)));
	q = ~0U;
	pgsz = mlx5_umem_find_best_cq_quantized_pgoff(umem, cqc, log_page_size,
						      MLX5_ADAPTER_PAGE_SHIFT,
						      page_offset, 64, &q);
	mr_kunit_expect_quantized(test, ref, "cqc", pgsz, q,
				  __mlx5_bit_sz(cqc, log_page_size),
				  __mlx5_bit_sz(cqc, page_offset), 0);
}

static void mr_kunit_compare(struct kunit *test)
{
	const struct mr_kunit_case *c = test->param_value;
	struct mlx5_ib_dev *dev = mr_kunit_stub_dev(test);
	unsigned long base = ib_umem_kunit_map_user(test, c->layout, c->size);
	size_t len = c->size - c->head - c->tail;
	unsigned long addr = base + c->head;
	u64 iova = addr + c->iova_delta;
	unsigned long bitmap, pgsz, ref_pgsz;
	struct ib_umem_kunit_ref *ref;
	struct ib_umem *umem;
	unsigned int e5;

	ref = kunit_kzalloc(test, sizeof(*ref), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ref);
	umem = ib_umem_get(&dev->ib_dev, addr, len, IB_ACCESS_LOCAL_WRITE);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(umem), "ib_umem_get: %ld",
			       PTR_ERR(umem));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, mr_kunit_umem_release,
							umem), 0);
	ib_umem_kunit_ref_get(test, &dev->ib_dev, addr, len, ref);
	kunit_info(test, "%s: %lu pages, %u reference DMA segments\n",
		   ib_umem_kunit_layout_name(c->layout), ref->npages,
		   ref->sgt.sgt.nents);
	/* The layout is what it says: a DMA segment per 1 GiB page at most */
	if (c->layout == UMEM_HUGETLB_1G)
		KUNIT_EXPECT_LE(test, ref->sgt.sgt.nents, len / SZ_1G + 2);

	for (e5 = 0; e5 < 2; e5++) {
		MLX5_SET(cmd_hca_cap_2, dev->mdev->caps.hca[MLX5_CAP_GENERAL_2]->cur,
			 umr_log_entity_size_5, e5);
		pgsz = mlx5_umem_mkc_find_best_pgsz(dev, umem, iova);
		bitmap = __mlx5_log_page_size_to_bitmap(e5 ? 6 : 5, 0);
		ref_pgsz = ib_umem_kunit_ref_best_pgsz(ref, bitmap, iova);
		KUNIT_EXPECT_EQ_MSG(test, pgsz, ref_pgsz,
				    "mkey page size, umr_log_entity_size_5 %u", e5);
		KUNIT_ASSERT_NE_MSG(test, ref_pgsz, 0, "no page size for the mkey");
		mr_kunit_expect_mkey(test, umem, ref, iova, pgsz);
	}
	/* Every 4 KiB page too, where the best page size is larger */
	if (pgsz != PAGE_SIZE)
		mr_kunit_expect_mkey(test, umem, ref, iova, PAGE_SIZE);
	mr_kunit_expect_queues(test, umem, ref);

	/* The MTT limits for this length, as the capabilities say */
	KUNIT_EXPECT_EQ(test, mlx5r_umr_can_load_pas(dev, umem->length),
			len < (size_t)MLX5_MAX_UMR_PAGES * PAGE_SIZE);
	MLX5_SET(cmd_hca_cap, dev->mdev->caps.hca[MLX5_CAP_GENERAL]->cur,
		 umr_extended_translation_offset, 1);
	KUNIT_EXPECT_TRUE(test, mlx5r_umr_can_load_pas(dev, umem->length));
}

/*
 * Bad input: what earlier kernels refused is refused.  A page size mlx5
 * cannot use (an IOVA whose offset in the page is not the address's, or
 * whose end wraps) makes alloc_cacheable_mr() fail with -EINVAL; an MR too
 * long for UMR without the extended translation offset goes without UMR;
 * lengths that overflow never make a umem.
 */
static void mr_kunit_bad_input(struct kunit *test)
{
	struct mlx5_ib_dev *dev = mr_kunit_stub_dev(test);
	unsigned long base = ib_umem_kunit_map_user(test, UMEM_FRAGMENTED, SZ_1M);
	unsigned long addr = base + 0x100;
	static const u64 bad_iova[] = { 0x700, U64_MAX - SZ_64K };
	unsigned long bitmap = __mlx5_log_page_size_to_bitmap(5, 0);
	struct ib_umem_kunit_ref *ref;
	struct ib_umem *umem;
	unsigned int i;
	u64 iova;

	ref = kunit_kzalloc(test, sizeof(*ref), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ref);
	umem = ib_umem_get(&dev->ib_dev, addr, SZ_512K, IB_ACCESS_LOCAL_WRITE);
	KUNIT_ASSERT_FALSE(test, IS_ERR(umem));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, mr_kunit_umem_release,
							umem), 0);
	ib_umem_kunit_ref_get(test, &dev->ib_dev, addr, SZ_512K, ref);
	for (i = 0; i < ARRAY_SIZE(bad_iova); i++) {
		iova = i ? bad_iova[i] : addr + bad_iova[i];
		KUNIT_EXPECT_EQ_MSG(test, ib_umem_kunit_ref_best_pgsz(ref, bitmap, iova),
				    0, "reference, iova %#llx", iova);
		KUNIT_EXPECT_EQ_MSG(test, mlx5_umem_mkc_find_best_pgsz(dev, umem, iova),
				    0, "iova %#llx", iova);
	}

	KUNIT_EXPECT_TRUE(test, mlx5r_umr_can_load_pas(dev, SZ_256M - PAGE_SIZE));
	KUNIT_EXPECT_FALSE(test, mlx5r_umr_can_load_pas(dev, SZ_256M));
	MLX5_SET(cmd_hca_cap, dev->mdev->caps.hca[MLX5_CAP_GENERAL]->cur,
		 umr_extended_translation_offset, 1);
	KUNIT_EXPECT_TRUE(test, mlx5r_umr_can_load_pas(dev, SZ_256M));
	MLX5_SET(cmd_hca_cap, dev->mdev->caps.hca[MLX5_CAP_GENERAL]->cur,
		 umr_modify_entity_size_disabled, 1);
	KUNIT_EXPECT_FALSE(test, mlx5r_umr_can_load_pas(dev, 0));

	KUNIT_EXPECT_EQ(test, PTR_ERR(ib_umem_get(&dev->ib_dev, addr, SIZE_MAX,
						  IB_ACCESS_LOCAL_WRITE)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(ib_umem_get(&dev->ib_dev, addr,
						  -addr + PAGE_SIZE,
						  IB_ACCESS_LOCAL_WRITE)),
			-EINVAL);
}

static struct kunit_case mr_kunit_test_cases[] = {
	KUNIT_CASE_PARAM(mr_kunit_compare, mr_kunit_gen_params),
	KUNIT_CASE(mr_kunit_bad_input),
	{}
};

static struct kunit_suite mr_kunit_suite = {
	.name = "mlx5_ib_mr_phyr",
	.test_cases = mr_kunit_test_cases,
};

kunit_test_suite(mr_kunit_suite);
