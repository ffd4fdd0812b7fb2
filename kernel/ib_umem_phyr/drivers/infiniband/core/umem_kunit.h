/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * What the ib_umem KUnit suite offers the drivers' suites: user memory laid
 * out in the test's own mm, and the scatterlist umem of earlier kernels
 * built from the same pages, to hold a driver's results against.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#ifndef _IB_UMEM_KUNIT_H
#define _IB_UMEM_KUNIT_H

#include <kunit/test.h>
#include <linux/scatterlist.h>
#include <rdma/iter.h>

enum ib_umem_kunit_layout {
	UMEM_FRAGMENTED,	/* 4 KiB pages faulted from the last to the first */
	UMEM_THP,		/* transparent huge pages */
	UMEM_HUGETLB_2M,	/* hugetlb, 2 MiB pages */
	UMEM_HUGETLB_1G,	/* hugetlb, 1 GiB pages */
};

/* The scatterlist umem of earlier kernels, pinned and mapped as it was. */
struct ib_umem_kunit_ref {
	struct ib_device *dev;
	struct sg_append_table sgt;
	unsigned long address;
	size_t length;
	unsigned long npages;
};

const char *ib_umem_kunit_layout_name(enum ib_umem_kunit_layout layout);
unsigned long ib_umem_kunit_map_user(struct kunit *test,
				     enum ib_umem_kunit_layout layout,
				     size_t len);
void ib_umem_kunit_ref_get(struct kunit *test, struct ib_device *dev,
			   unsigned long addr, size_t size,
			   struct ib_umem_kunit_ref *ref);
unsigned long ib_umem_kunit_ref_best_pgsz(const struct ib_umem_kunit_ref *ref,
					  unsigned long pgsz_bitmap, u64 virt);
void ib_umem_kunit_ref_block_start(struct ib_block_iter *biter,
				   const struct ib_umem_kunit_ref *ref,
				   unsigned long pgsz, size_t numblocks);
bool ib_umem_kunit_ref_block_next(struct ib_block_iter *biter);

#endif /* _IB_UMEM_KUNIT_H */
