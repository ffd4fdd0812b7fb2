/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * Packed physical-range lists.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#ifndef _LINUX_PHYR_H
#define _LINUX_PHYR_H

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/gfp.h>
#include <linux/types.h>
#include <asm/page.h>

/**
 * DOC: phyr lists
 *
 * A phyr list describes a sequence of physical byte ranges, for instance the
 * pages of pinned user memory (a CPU list) or the mapping a device sees (a
 * DMA list).  It replaces the scatterlist where only addresses and lengths
 * are needed for a long time: 32 bytes per segment there, at most 8.2 bytes
 * per fully fragmented 4 KiB page here and one 8-byte entry per naturally
 * aligned huge folio.
 *
 * Each entry starts with one 64-bit word: bits 51:0 hold a pfn counted in
 * 4 KiB units whatever PAGE_SIZE is, bits 56:52 an order, bits 63:62 the
 * encoding (&enum phyr_enc).  Entries are 8, 12 or 16 bytes and stored as
 * 32-bit words.  Page entries (BLOCK, COUNT) cover whole 4 KiB pages; byte
 * entries (BYTES, LARGE) cover exact bytes.  The list holds the byte offset
 * into its first entry and its total length, so a list of pages that starts
 * and ends in the middle of a page stays page granular inside.
 *
 * Storage: up to 32 bytes of entries live inline in &struct phyr_list.  A
 * longer list keeps its entries in one kmalloc()ed array of a power of two
 * from 64 bytes up to %PHYR_SMALL_MAX_BYTES (doubling, or sized at once for
 * the batch being appended), the header staying in the list head, so a
 * list costs at most twice its entries and exactly their size at a power of
 * two (128 huge folios: 1 KiB).  Beyond that, entries go
 * to chained chunks of %PHYR_CHUNK_SIZE bytes (one page where pages are
 * 4 KiB, taken from the page allocator so no slab rounds them up), found by
 * byte offset along the chain up to %PHYR_CHAIN_MAX chunks and through index
 * nodes of the same size beyond.  Ending a series of appends shrinks the last
 * chunk to the power of two its entries need.  Nothing is vmalloc()ed and no
 * allocation exceeds PAGE_SIZE.
 *
 * Complexity: appending is O(1) amortised; iterating is O(1) per entry, and
 * phyr_iter_fill() hands out a batch per call; seeking to a byte offset is
 * O(log n): a walk of at most %PHYR_CHAIN_MAX chunks or a search of the
 * index, then O(1) inside a chunk of equal blocks (single pages, huge
 * folios) or a scan of at most one chunk otherwise.
 * phyr_iter_blocks() hands out the equal blocks of such a chunk where they
 * are stored, for walks that do little per page.
 *
 * Appending: phyr_append_begin(), then any number of phyr_append_*() calls,
 * then phyr_append_end() (or phyr_append_abort() to undo every append since
 * begin).  Each add either succeeds or leaves the list exactly as it was.
 * Adds allocate with the gfp given to begin; to append where sleeping is not
 * allowed, reserve memory first with phyr_append_preload() and begin with
 * GFP_NOWAIT.
 *
 * Locking: none.  The caller serialises appends and readers of one list.
 */

/* Physical frame numbers in phyr entries are always of 4 KiB units. */
#define PHYR_PFN_SHIFT		12
#define PHYR_PFN_SIZE		BIT(PHYR_PFN_SHIFT)
#define PHYR_PFN_BITS		52
#define PHYR_ORDER_SHIFT	52
#define PHYR_ORDER_BITS		5
#define PHYR_MODE_SHIFT		62
#define PHYR_PFN_MASK		GENMASK_ULL(51, 0)
#define PHYR_ORDER_MASK		GENMASK_ULL(56, 52)
#define PHYR_HIGH_MASK		GENMASK_ULL(61, 52)
/* Largest order of a BLOCK or COUNT entry. */
#define PHYR_MAX_ORDER		31
/* BYTES entries hold less than this many bytes (25-bit length). */
#define PHYR_BYTES_LIMIT	BIT_ULL(25)
/* LARGE entries hold less than this many bytes (62-bit length). */
#define PHYR_LARGE_LIMIT	BIT_ULL(62)

/**
 * enum phyr_enc - How an entry is encoded (bits 63:62 of its first word).
 * @PHYR_ENC_BLOCK: 8 bytes: a naturally aligned block of 2^order 4 KiB pages.
 * @PHYR_ENC_COUNT: 12 bytes: a 32-bit count of blocks of 2^order pages from
 *	an order-aligned pfn.
 * @PHYR_ENC_BYTES: 12 bytes: 1 to %PHYR_BYTES_LIMIT - 1 bytes at any byte
 *	address.  Word 2: bits 11:0 the start offset in the page, bits 31:12
 *	length bits 19:0; the order field holds length bits 24:20.
 * @PHYR_ENC_LARGE: 16 bytes: 1 to %PHYR_LARGE_LIMIT - 1 bytes at any byte
 *	address.  Bits 61:52 of word 0 hold length bits 61:52; the second
 *	64-bit word holds the start offset in the page in bits 11:0 and length
 *	bits 51:0 in bits 63:12.
 */
enum phyr_enc {
	PHYR_ENC_BLOCK,
	PHYR_ENC_COUNT,
	PHYR_ENC_BYTES,
	PHYR_ENC_LARGE,
};

/* The on-list layout of each encoding: the first word split in halves. */
struct phyr_ent_block {
	u32 lo;
	u32 hi;
};

struct phyr_ent_count {
	u32 lo;
	u32 hi;
	u32 count;
};

struct phyr_ent_bytes {
	u32 lo;
	u32 hi;
	u32 off_len;
};

struct phyr_ent_large {
	u32 lo;
	u32 hi;
	u32 off_len_lo;
	u32 len_hi;
};

static_assert(sizeof(struct phyr_ent_block) == 8);
static_assert(sizeof(struct phyr_ent_count) == 12);
static_assert(sizeof(struct phyr_ent_bytes) == 12);
static_assert(sizeof(struct phyr_ent_large) == 16);
#define PHYR_ENT_MAX_WORDS	(sizeof(struct phyr_ent_large) / sizeof(u32))

/**
 * struct phyr - One decoded physical range.
 * @addr: physical (or DMA) address of the first byte.
 * @len: number of bytes, at least 1.
 */
struct phyr {
	phys_addr_t addr;
	u64 len;
};

/*
 * Header of a chunk of entries; a list kept in its head (inline or in one
 * array) has the same header there.  @start is the offset of the chunk's
 * first entry in the list's untrimmed byte sequence, @last the word index of
 * its last entry and @uniform the order shared by every entry but the last
 * when all those are BLOCK entries (PHYR_MIXED otherwise), which makes
 * seeking inside the chunk O(1).  @size is log2 of a chunk's bytes; in a
 * list head it is 0 for inline entries, or %PHYR_SIZE_EXT plus log2 of the
 * bytes of the separate array that holds the entries (its address follows
 * the header).
 */
#define PHYR_MIXED		0xff
#define PHYR_SIZE_EXT		0x80
struct phyr_chunk_hdr {
	u64 start;
	struct phyr_chunk *next;
	u16 used;
	u16 last;
	u16 nr;
	u8 uniform;
	u8 size;
};

#define PHYR_CHUNK_SIZE		4096
#define PHYR_CHUNK_WORDS	\
	((PHYR_CHUNK_SIZE - sizeof(struct phyr_chunk_hdr)) / sizeof(u32))
#define PHYR_INLINE_WORDS	(2 * PHYR_ENT_MAX_WORDS)
/* The array a list in its head grows to before it moves to chunks. */
#define PHYR_SMALL_MIN_BYTES	64
#define PHYR_SMALL_MAX_BYTES	2048
#define PHYR_SMALL_CLASSES	6	/* 64, 128, ... 2048 */
/* Chunks a list may have before it needs an index. */
#define PHYR_CHAIN_MAX		16

/**
 * struct phyr_list - A list of physical ranges.
 *
 * Initialise with phyr_list_init(), free with phyr_list_destroy().  The
 * fields are private to lib/phyr.c.
 */
struct phyr_list {
	/* private: */
	u64 length;
	u64 end;
	u32 offset;
	u8 height;
	union {
		struct {
			struct phyr_chunk_hdr hdr;
			u32 words[PHYR_INLINE_WORDS];
		} inl;
		struct {
			struct phyr_chunk_hdr hdr;
			u32 *words;
		} ext;
		struct {
			void *root;	/* the index, from height 2 */
			struct phyr_chunk *first;
			struct phyr_chunk *tail;
			unsigned long nr_chunks;
			unsigned long bytes;	/* chunks and nodes */
		};
	};
};

/* What undoing appends needs: the list head and the last entry's chunk. */
struct phyr_snap {
	struct phyr_list head;
	struct phyr_chunk_hdr tail_hdr;
	u32 tail[PHYR_ENT_MAX_WORDS];
};

/**
 * struct phyr_append - State of a series of appends to one list.
 *
 * Declared on the stack with PHYR_APPEND() and driven by phyr_append_begin()
 * ... phyr_append_end().  Holds what is needed to undo the series: a
 * snapshot, and the arrays a growing list left behind, which are freed only
 * when the series ends; and the memory reserved by phyr_append_preload().
 */
struct phyr_append {
	/* private: */
	struct phyr_list *list;
	gfp_t gfp;
	struct phyr_snap begin;
	void *spare;
	unsigned int nr_spare;
	unsigned int batch_words;	/* what the current batch needs at least */
	unsigned int nr_retired;
	u32 *retired[PHYR_SMALL_CLASSES];
};

#define PHYR_APPEND(name) struct phyr_append name = {}

/**
 * struct phyr_iter - A cursor over a list.
 *
 * Declared with PHYR_ITER(), positioned with phyr_iter_start() or
 * phyr_iter_seek().  A cheap value: copying it saves a position.
 */
struct phyr_iter {
	/* private: */
	const struct phyr_list *list;
	const struct phyr_chunk_hdr *chunk;
	u32 word;
	u64 at;			/* the cursor: byte offset in the list */
	u64 pos;		/* untrimmed offset of the current entry */
	struct phyr cur;	/* the current entry, untrimmed */
};

#define PHYR_ITER(name) struct phyr_iter name = {}

void phyr_list_init(struct phyr_list *list);
void phyr_list_destroy(struct phyr_list *list);

/**
 * phyr_list_empty() - Does the list describe no bytes?
 * @list: the list.
 *
 * Return: true if nothing was appended since phyr_list_init().
 */
static inline bool phyr_list_empty(const struct phyr_list *list)
{
	return !list->length;
}

/**
 * phyr_list_length() - Bytes described by a list.
 * @list: the list.
 *
 * Return: the sum of the lengths of all ranges.
 */
static inline u64 phyr_list_length(const struct phyr_list *list)
{
	return list->length;
}

size_t phyr_list_footprint(const struct phyr_list *list);
unsigned long phyr_list_nr_entries(const struct phyr_list *list);

void phyr_append_begin(struct phyr_append *app, struct phyr_list *list,
		       gfp_t gfp);
int __must_check phyr_append_preload(struct phyr_append *app,
				     unsigned long nr_entries, gfp_t gfp);
int __must_check phyr_append_range(struct phyr_append *app,
				   phys_addr_t addr, u64 len);
int __must_check phyr_append_ranges(struct phyr_append *app,
				    const struct phyr *ranges,
				    unsigned int nr);
int __must_check phyr_append_blocks(struct phyr_append *app,
				    unsigned long pfn, unsigned int order,
				    u64 count);
void phyr_append_end(struct phyr_append *app);
void phyr_append_abort(struct phyr_append *app);

/**
 * phyr_append_pages() - Append a run of physically contiguous pages.
 * @app: append state.
 * @pfn: pfn (of PAGE_SIZE pages) of the first page.
 * @nr: number of pages.
 *
 * Context: Allocates with the gfp given to phyr_append_begin().
 * Return: as phyr_append_range().
 */
static inline int __must_check phyr_append_pages(struct phyr_append *app,
						 unsigned long pfn,
						 unsigned long nr)
{
	return phyr_append_range(app, (phys_addr_t)pfn << PAGE_SHIFT,
				 (u64)nr << PAGE_SHIFT);
}

/**
 * phyr_append_folio() - Append a naturally aligned block of pages.
 * @app: append state.
 * @pfn: pfn in 4 KiB units, aligned to 2^@order.
 * @order: log2 of the number of 4 KiB pages, at most %PHYR_MAX_ORDER.
 *
 * Context: Allocates with the gfp given to phyr_append_begin().
 * Return: as phyr_append_blocks().
 */
static inline int __must_check phyr_append_folio(struct phyr_append *app,
						 unsigned long pfn,
						 unsigned int order)
{
	return phyr_append_blocks(app, pfn, order, 1);
}

struct phyr_iter *phyr_iter_start(struct phyr_iter *it,
				  const struct phyr_list *list);
bool phyr_iter_next(struct phyr_iter *it, struct phyr *phyr);
unsigned int phyr_iter_fill(struct phyr_iter *it, struct phyr *ranges,
			    unsigned int max);
int phyr_iter_seek(struct phyr_iter *it, const struct phyr_list *list,
		   u64 offset, phys_addr_t *addr);
int phyr_iter_advance(struct phyr_iter *it, u64 bytes, phys_addr_t *addr);
bool phyr_iter_entry(const struct phyr_iter *it, struct phyr *phyr,
		     enum phyr_enc *enc);

/**
 * struct phyr_blocks - Equal blocks of a list, read where they are stored.
 * @ent: the first of @nr consecutive BLOCK entries.
 * @nr: number of entries.
 * @order: the order of every one of them.
 *
 * Filled by phyr_iter_blocks(); read with phyr_blocks_addr() and
 * phyr_blocks_len().  Valid while the list is not appended to or destroyed.
 */
struct phyr_blocks {
	const struct phyr_ent_block *ent;
	unsigned int nr;
	unsigned int order;
};

unsigned int phyr_iter_blocks(struct phyr_iter *it, struct phyr_blocks *blocks,
			      unsigned int max);

/**
 * phyr_blocks_addr() - Physical address of one block.
 * @blocks: blocks from phyr_iter_blocks().
 * @i: which, below @blocks->nr.
 *
 * Return: the block's first byte, aligned to phyr_blocks_len().
 */
static inline phys_addr_t phyr_blocks_addr(const struct phyr_blocks *blocks,
					   unsigned int i)
{
	const struct phyr_ent_block *e = &blocks->ent[i];

	/* The shift drops the order and encoding bits above the pfn */
	return ((u64)e->hi << 32 | e->lo) << PHYR_PFN_SHIFT;
}

/**
 * phyr_blocks_len() - Length of each block.
 * @blocks: blocks from phyr_iter_blocks().
 *
 * Return: bytes per block, 4 KiB << @blocks->order.
 */
static inline u64 phyr_blocks_len(const struct phyr_blocks *blocks)
{
	return PHYR_PFN_SIZE << blocks->order;
}

/**
 * phyr_for_each() - Iterate over the ranges of a list.
 * @list: the list.
 * @it: a &struct phyr_iter.
 * @phyr: a &struct phyr receiving each range, trimmed to the list.
 *
 * Runs once per entry; adjacent entries are not merged.
 */
#define phyr_for_each(list, it, phyr) \
	for (struct phyr_iter *__pi = phyr_iter_start(it, list); \
	     phyr_iter_next(__pi, phyr);)

/**
 * struct phyr_block_iter - Iterate DMA blocks of a power-of-two size.
 *
 * The contract of rdma_umem_for_each_dma_block(): with @iova the address
 * the list's first byte has in the device's address space (an MR's IOVA),
 * the list is cut at every multiple of the block size in that space.  Each
 * block's address is the address of its first byte rounded down to the
 * block size, so the first and last block cover the bytes before and after
 * the list that share their alignment.
 */
struct phyr_block_iter {
	/* private: */
	struct phyr_iter it;
	u64 pgsz;
	u64 first_cut;		/* list offset of the second block */
	u64 next;		/* list offset of the next block's first byte */
	unsigned long left;	/* blocks left */
	phys_addr_t addr;
};

unsigned long phyr_num_blocks(const struct phyr_list *list, u64 iova,
			      u64 pgsz);
struct phyr_block_iter *phyr_block_iter_start(struct phyr_block_iter *bi,
					      const struct phyr_list *list,
					      u64 iova, u64 pgsz);
struct phyr_block_iter *phyr_page_iter_start(struct phyr_block_iter *bi,
					     const struct phyr_list *list);
bool phyr_block_iter_next(struct phyr_block_iter *bi);

/**
 * phyr_block_addr() - Address of the current block.
 * @bi: block iterator after phyr_block_iter_next() returned true.
 *
 * Return: the block's address, aligned to the block size.
 */
static inline phys_addr_t phyr_block_addr(const struct phyr_block_iter *bi)
{
	return bi->addr;
}

/**
 * phyr_for_each_block() - Iterate over the blocks of a list.
 * @list: the list.
 * @bi: a &struct phyr_block_iter.
 * @iova: device address of the list's first byte.
 * @pgsz: block size, a power of two.
 *
 * Runs exactly phyr_num_blocks(@list, @iova, @pgsz) times.
 */
#define phyr_for_each_block(list, bi, iova, pgsz) \
	for (struct phyr_block_iter *__pbi = \
		phyr_block_iter_start(bi, list, iova, pgsz); \
	     phyr_block_iter_next(__pbi);)

/**
 * phyr_for_each_page() - Iterate over the PAGE_SIZE pages of a list.
 * @list: the list.
 * @bi: a &struct phyr_block_iter; phyr_block_addr() gives each page.
 *
 * Pages are cut in physical address space: a list that starts in the middle
 * of a page yields that page first.
 */
#define phyr_for_each_page(list, bi) \
	for (struct phyr_block_iter *__pbi = phyr_page_iter_start(bi, list); \
	     phyr_block_iter_next(__pbi);)

phys_addr_t phyr_list_first_addr(const struct phyr_list *list);

#endif /* _LINUX_PHYR_H */
