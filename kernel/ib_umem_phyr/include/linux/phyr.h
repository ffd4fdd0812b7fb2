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

/**
 * DOC: phyr lists
 *
 * A phyr list describes a sequence of physical byte ranges, for instance the
 * pages of pinned user memory.  It replaces the scatterlist where only
 * addresses and lengths are kept for a long time: a scatterlist costs 32
 * bytes per physically contiguous segment, that is per page once memory is
 * fragmented; a phyr list costs about 4.05 bytes per fragmented 4 KiB page
 * and 4 bytes per naturally aligned huge folio.  Unlike a bio_vec array it
 * holds no struct page pointers and merges contiguous memory of any size
 * into one entry.
 *
 * Entries are 8, 12 or 16 bytes: a naturally aligned block of 4 KiB pages,
 * a counted run of such blocks, or an exact byte range.  Only the list's
 * two ends are cut inside a page: the list itself records the offset into
 * its first entry and its length.  DMA address ranges have a type of their
 * own, &struct phyr_dma_list in <linux/phyr_dma.h>.
 *
 * Storage: a few entries live in &struct phyr_list itself; a longer list
 * keeps them in one kmalloc()ed array of up to 2 KiB, then in chained chunks
 * of one page, found through index nodes of up to one page beyond 16
 * chunks.  A chunk packs each block of up to 4 TiB that lies in its 8 TiB
 * window of physical memory into 4 bytes (every block, on machines with
 * less than 8 TiB of physical address space) and keeps any other entry
 * behind a 4-byte escape.  Nothing is vmalloc()ed and no allocation exceeds
 * PAGE_SIZE.
 *
 * Complexity: appending is O(1) amortised; iterating is O(1) per entry;
 * seeking to a byte offset is O(log n): the index, then O(1) inside a chunk
 * of equal blocks (single pages, huge folios) or of equal blocks with a few
 * others among them, and a bounded scan from a chunk's sub-index otherwise.
 *
 * Appending: phyr_append_begin(), any number of phyr_append_range() or
 * phyr_append_ranges() calls, phyr_append_end().  Each call reserves the
 * memory its ranges can need before it changes anything, so it either
 * appends all of its ranges or fails with the list unchanged.
 *
 * Locking: none.  The caller serialises appends and readers of one list;
 * readers of a list nobody appends to need no locking among themselves.
 */

/**
 * struct phyr - One physical byte range.
 * @addr: physical address of the first byte.
 * @len: number of bytes, at least 1.
 */
struct phyr {
	phys_addr_t addr;
	u64 len;
};

/*
 * Where a list keeps a run of entries: in its head, or in one chunk.
 * @used and @last count 32-bit words; @uniform is the order shared by every
 * entry but the last when all of them are BLOCK entries (packed ones, in a
 * chunk), else PHYR_MIXED; @size is log2 of the bytes of the storage (0: inline);
 * @marked says which sub-index a chunk of mixed entries carries, if any.
 */
struct phyr_seg {
	u16 used;
	u16 last;
	u16 nr;
	u8 uniform;
	u8 size : 6;
	u8 marked : 2;
};

struct phyr_chunk;

/**
 * struct phyr_list - A list of physical ranges.
 *
 * Initialise with phyr_list_init(), free with phyr_list_destroy().  56 bytes
 * on 64-bit; the fields are private to lib/phyr*.c.
 */
struct phyr_list {
	/* private: */
	u64 length;
	u16 offset;		/* into the first entry */
	u16 slack;		/* bytes of the last entry after the end */
	u8 height;		/* 0: entries in the head; 1: a chain; > 1: indexed */
	struct phyr_seg seg;	/* the head's entries, at height 0 */
	union {
		u32 words[8];	/* inline, when seg.size == 0 */
		u32 *ext;	/* a kmalloc()ed array, when seg.size != 0 */
		struct {
			void *root;	/* index root, from height 2 */
			struct phyr_chunk *first;
			struct phyr_chunk *tail;
			u32 nr_chunks;
			u32 node_units;	/* index bytes / 64 */
		};
	};
};

/**
 * struct phyr_append - State of a series of appends to one list.
 *
 * Declared on the stack with PHYR_APPEND(), driven by phyr_append_begin()
 * ... phyr_append_end().
 */
struct phyr_append {
	/* private: */
	struct phyr_list *list;
	gfp_t gfp;
	u64 end;		/* during a call: the list's untrimmed end */
	u32 *retired;		/* during a call: the head's array before */
};

#define PHYR_APPEND(name) struct phyr_append name = {}

/**
 * struct phyr_iter - A cursor over a list.
 *
 * Declared with PHYR_ITER(), positioned with phyr_iter_start() or
 * phyr_iter_seek().  A cheap value: copying it saves a position.  Valid
 * while the list is not appended to or destroyed.
 */
struct phyr_iter {
	/* private: */
	const struct phyr_list *list;
	const struct phyr_seg *seg;	/* NULL at the end */
	const struct phyr_chunk *chunk;	/* NULL for entries in the head */
	const u32 *words;
	u32 word;		/* the current entry */
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

/**
 * enum phyr_form - How a list stores an entry.
 * @PHYR_FORM_PACKED: 4 bytes, an aligned block of pages in a chunk.
 * @PHYR_FORM_BLOCK: 8 bytes, an aligned block of pages.
 * @PHYR_FORM_COUNT: 12 bytes, a count of equal aligned blocks.
 * @PHYR_FORM_BYTES: 12 bytes, up to 32 MiB at any byte address.
 * @PHYR_FORM_LARGE: 16 bytes, any other range.
 * @PHYR_NR_FORMS: the number of forms.
 *
 * An entry of a chunk that is not packed takes 4 bytes more (the escape)
 * and counts under its own form.
 */
enum phyr_form {
	PHYR_FORM_PACKED,
	PHYR_FORM_BLOCK,
	PHYR_FORM_COUNT,
	PHYR_FORM_BYTES,
	PHYR_FORM_LARGE,
	PHYR_NR_FORMS,
};

size_t phyr_list_footprint(const struct phyr_list *list);
void phyr_list_count_forms(const struct phyr_list *list,
			   unsigned long forms[PHYR_NR_FORMS]);
unsigned long phyr_list_nr_entries(const struct phyr_list *list);
bool phyr_list_first_addr(const struct phyr_list *list, phys_addr_t *addr);

void phyr_append_begin(struct phyr_append *app, struct phyr_list *list,
		       gfp_t gfp);
int __must_check phyr_append_ranges(struct phyr_append *app,
				    const struct phyr *ranges,
				    unsigned int nr);
int __must_check phyr_append_range(struct phyr_append *app,
				   phys_addr_t addr, u64 len);
void phyr_append_end(struct phyr_append *app);

struct phyr_iter *phyr_iter_start(struct phyr_iter *it,
				  const struct phyr_list *list);
bool phyr_iter_next(struct phyr_iter *it, struct phyr *phyr);
unsigned int phyr_iter_fill(struct phyr_iter *it, struct phyr *ranges,
			    unsigned int max);
int phyr_iter_seek(struct phyr_iter *it, const struct phyr_list *list,
		   u64 offset, phys_addr_t *addr);
int phyr_iter_advance(struct phyr_iter *it, u64 bytes, phys_addr_t *addr);

/**
 * phyr_iter_offset() - Where a cursor is.
 * @it: the cursor.
 *
 * Return: the byte offset in the list of the byte the cursor is on, or the
 * list's length at the end.
 */
static inline u64 phyr_iter_offset(const struct phyr_iter *it)
{
	return it->at;
}

/**
 * struct phyr_blocks - Equal blocks of a list, read where they are stored.
 * @words: the first of @nr consecutive entries: 8-byte BLOCK entries, or
 *	4-byte packed ones.
 * @nr: number of entries.
 * @shift: log2 of the bytes of every one of them.
 * @packed: the entries are packed, in a chunk's window.
 * @window: the first frame number of that window.
 * @mask: the bits of a packed entry's frame offset, shifted right by one.
 *
 * Filled by phyr_iter_blocks(); read with phyr_blocks_pfn() or
 * phyr_blocks_addr(), and phyr_blocks_len().  Valid while the list is not appended to or destroyed.
 */
struct phyr_blocks {
	const u32 *words;
	unsigned int nr;
	unsigned int shift;
	bool packed;
	u32 mask;
	u64 window;
};

unsigned int phyr_iter_blocks(struct phyr_iter *it, struct phyr_blocks *blocks,
			      unsigned int max);

/**
 * phyr_blocks_pfn() - 4 KiB frame number of one block.
 * @blocks: blocks from phyr_iter_blocks().
 * @i: which, below @blocks->nr.
 *
 * A BLOCK entry is the frame number in bits 51:0 of a 64-bit word stored as
 * two 32-bit halves, the order and encoding above it.  A packed entry is
 * twice the frame's offset in the window plus 2^order - 1: shifting it
 * right by one and clearing the order's bits gives the offset.
 *
 * Return: the frame number of the block's first byte, in 4 KiB frames
 * whatever PAGE_SIZE is.
 */
static inline u64 phyr_blocks_pfn(const struct phyr_blocks *blocks,
				  unsigned int i)
{
	const u32 *w;

	if (blocks->packed)
		return blocks->window | ((blocks->words[i] >> 1) & blocks->mask);
	w = blocks->words + 2 * i;
	return ((u64)w[1] << 32 | w[0]) & GENMASK_ULL(51, 0);
}

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
	return phyr_blocks_pfn(blocks, i) << 12;
}

/**
 * phyr_blocks_len() - Length of each block.
 * @blocks: blocks from phyr_iter_blocks().
 *
 * Return: bytes per block.
 */
static inline u64 phyr_blocks_len(const struct phyr_blocks *blocks)
{
	return 1ULL << blocks->shift;
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
 * struct phyr_block_iter - Iterate blocks of a power-of-two size.
 *
 * The contract of rdma_umem_for_each_dma_block(): the list is walked from
 * a byte on and cut every time the walk crosses a multiple of the block
 * size in an address space given by the address of that first byte there
 * (an MR's IOVA, or a device address).  Each block's address is the
 * address of its first byte rounded down to the block size, so the first
 * and last block cover the bytes before and after the list that share
 * their alignment.
 */
struct phyr_block_iter {
	/* private: */
	struct phyr_iter it;
	u64 pgsz;
	u64 iova;		/* where the cuts fall: byte 0's address */
	u64 next;		/* list offset of the next block's first byte */
	unsigned long left;	/* blocks left */
	phys_addr_t first;	/* the current block's first byte in the list */
};

unsigned long phyr_num_blocks(u64 length, u64 iova, u64 pgsz);
struct phyr_block_iter *phyr_block_iter_start(struct phyr_block_iter *bi,
					      const struct phyr_list *list,
					      u64 offset, u64 iova, u64 pgsz);
bool phyr_block_iter_next(struct phyr_block_iter *bi);

/**
 * phyr_block_addr() - Address of the current block.
 * @bi: block iterator after phyr_block_iter_next() returned true.
 *
 * Return: the block's address, aligned to the block size.
 */
static inline phys_addr_t phyr_block_addr(const struct phyr_block_iter *bi)
{
	return bi->first & ~(bi->pgsz - 1);
}

/**
 * phyr_block_first() - Address of the current block's first byte in the list.
 * @bi: block iterator after phyr_block_iter_next() returned true.
 *
 * Return: the physical address of the first byte of the list the block
 * holds, which phyr_block_addr() rounds down.
 */
static inline phys_addr_t phyr_block_first(const struct phyr_block_iter *bi)
{
	return bi->first;
}

/**
 * phyr_for_each_block() - Iterate over the blocks of a list.
 * @list: the list.
 * @bi: a &struct phyr_block_iter.
 * @iova: device address of the list's first byte.
 * @pgsz: block size, a power of two.
 *
 * Runs exactly phyr_num_blocks(phyr_list_length(@list), @iova, @pgsz) times.
 */
#define phyr_for_each_block(list, bi, iova, pgsz) \
	for (struct phyr_block_iter *__pbi = \
		phyr_block_iter_start(bi, list, 0, iova, pgsz); \
	     phyr_block_iter_next(__pbi);)

#endif /* _LINUX_PHYR_H */
