// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * What the stock Linux 6.12 kernel keeps for an MR of a given layout: the
 * umem's scatterlist (lib/scatterlist.c, sg_alloc_append_table_from_pages()
 * as ib_umem_get() calls it) and the driver's own per-page array.  A model,
 * so an estimate: it counts what the allocators hand out, not the structs
 * around them (struct ib_umem, the driver's MR).
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#include <errno.h>
#include <string.h>
#include <rdma/ib_user_ioctl_verbs.h>
#include "ibphyr_priv.h"

#define SG_ENTRY_SIZE	32	/* struct scatterlist on 64-bit */
#define PTR_SIZE	8
#define RXE_PAGE_INFO	16	/* struct rxe_mr_page */
#define SIW_CHUNK_SHIFT	9	/* drivers/infiniband/sw/siw/siw_mem.h */

/* What kmalloc(size) takes: its slab class, or whole pages beyond them */
uint64_t ibphyr_priv_kmalloc_size(uint64_t size, uint32_t page_size)
{
	static const uint64_t small[] = { 8, 16, 32, 64, 96, 128, 192 };
	uint64_t c;
	unsigned int i;

	if (!size)
		return 0;
	for (i = 0; i < sizeof(small) / sizeof(small[0]); i++)
		if (size <= small[i])
			return small[i];
	/* Power-of-two caches up to KMALLOC_MAX_CACHE_SIZE = 2 pages */
	for (c = 256; c <= 2 * (uint64_t)page_size; c <<= 1)
		if (size <= c)
			return c;
	/* The page allocator: PAGE_SIZE << get_order(size) */
	for (c = page_size; c < size; c <<= 1)
		;
	return c;
}

/*
 * Tables of SG_MAX_SINGLE_ALLOC entries chained through their last entry:
 * a full table is a page, a short last one a kmalloc() of its entries.
 */
static uint64_t sg_tables(uint64_t entries, uint32_t page_size,
			  bool short_last_ok)
{
	uint64_t max = page_size / SG_ENTRY_SIZE, bytes = 0;

	if (!entries)
		return 0;
	while (entries > max) {
		bytes += page_size;
		entries -= max - 1;
	}
	if (entries == max || !short_last_ok)
		return bytes + page_size;
	return bytes + ibphyr_priv_kmalloc_size(entries * SG_ENTRY_SIZE,
						 page_size);
}

uint64_t ibphyr_priv_sg_bytes(uint64_t entries, uint32_t page_size)
{
	return sg_tables(entries, page_size, true);
}

/*
 * ib_umem_get() pins batches of PAGE_SIZE / 8 pages and asks for tables of
 * min(entries left in the batch + pages left after it, max) entries: every
 * table is full but one begun in the last batch.  With the runs spread
 * evenly, the last table is short if its entries fit in the last batch.
 */
static uint64_t umem_sg_bytes(uint64_t runs, uint64_t pages, uint32_t page_size)
{
	uint64_t batch = page_size / PTR_SIZE, max = page_size / SG_ENTRY_SIZE;
	uint64_t last_pages, last_entries, rest;

	if (!runs)
		return 0;
	if (pages <= batch)
		return sg_tables(runs, page_size, true);
	last_pages = pages % batch ? pages % batch : batch;
	/* Entries in the last table */
	rest = runs;
	while (rest > max)
		rest -= max - 1;
	/* ceil(runs * last_pages / pages) without overflow for sane sizes */
	last_entries = (runs / pages) * last_pages +
		       ((runs % pages) * last_pages + pages - 1) / pages;
	return sg_tables(runs, page_size, rest <= last_entries);
}

static uint64_t driver_array(uint32_t driver_id, uint64_t pages,
			     uint32_t page_size, uint32_t *flags)
{
	uint64_t chunks, bytes, n;

	switch (driver_id) {
	case RDMA_DRIVER_RXE:
		/* rxe_mr_fill_pages_from_sgt(): kcalloc(pages, 16) */
		return ibphyr_priv_kmalloc_size(pages * RXE_PAGE_INFO, page_size);
	case RDMA_DRIVER_SIW:
		/* siw_umem_get(): the chunk array, then a pointer per page */
		chunks = (pages >> SIW_CHUNK_SHIFT) + 1;
		bytes = ibphyr_priv_kmalloc_size(chunks * PTR_SIZE, page_size);
		while (pages) {
			n = pages < (1u << SIW_CHUNK_SHIFT) ?
			    pages : (1u << SIW_CHUNK_SHIFT);
			bytes += ibphyr_priv_kmalloc_size(n * PTR_SIZE, page_size);
			pages -= n;
		}
		return bytes;
	case RDMA_DRIVER_MLX5:
		/* The device's own translation tables: no host array */
		return 0;
	default:
		*flags |= IBPHYR_EST_DRIVER_UNKNOWN;
		return 0;
	}
}

int ibphyr_stock_estimate(const struct ibphyr_footprint *fp, uint64_t length,
			  struct ibphyr_estimate *est)
{
	uint64_t pages, entries;

	if (est)
		memset(est, 0, sizeof(*est));
	if (!fp || !est || !fp->page_size ||
	    (fp->page_size & (fp->page_size - 1)) || fp->page_size < 512)
		return EINVAL;
	/* ODP, dmabuf: the stock kernel keeps no page list either */
	if (fp->flags & IBPHYR_FP_NO_LIST)
		return 0;

	pages = fp->pages;
	if (!pages && length) {
		pages = length / fp->page_size + !!(length % fp->page_size);
		est->flags |= IBPHYR_EST_UPPER_BOUND;
	}
	if ((fp->flags & IBPHYR_FP_EXACT) && fp->runs && fp->runs <= pages) {
		entries = fp->runs;
	} else {
		entries = pages;
		est->flags |= IBPHYR_EST_UPPER_BOUND;
	}
	est->sg_entries = entries;
	est->sg_bytes = umem_sg_bytes(entries, pages, fp->page_size);
	est->driver_bytes = driver_array(fp->driver_id, pages, fp->page_size,
					 &est->flags);
	est->total_bytes = est->sg_bytes + est->driver_bytes;
	return 0;
}
