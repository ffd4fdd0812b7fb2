/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * Private to lib/phyr*.c: how entries are encoded, and how a list stores
 * them.  See include/linux/phyr.h for the design.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#ifndef _LIB_PHYR_ENC_H
#define _LIB_PHYR_ENC_H

#include <linux/bitops.h>
#include <linux/compiler.h>
#include <linux/phyr.h>
#include <linux/stddef.h>

/**
 * enum phyr_enc - How an entry is encoded.
 * @PHYR_ENC_BLOCK: 8 bytes: a naturally aligned block of 2^order 4 KiB pages.
 * @PHYR_ENC_COUNT: 12 bytes: a count of such blocks from an aligned start.
 * @PHYR_ENC_BYTES: 12 bytes: up to 32 MiB - 1 bytes at any byte address.
 * @PHYR_ENC_LARGE: 16 bytes: any other byte range.
 */
enum phyr_enc {
	PHYR_ENC_BLOCK,
	PHYR_ENC_COUNT,
	PHYR_ENC_BYTES,
	PHYR_ENC_LARGE,
};

/*
 * The encoding.  Each entry starts with one 64-bit word, stored as two
 * 32-bit halves (entries are 4-byte aligned):
 *
 *	bits 51:0	frame number of the first byte, in 4 KiB units
 *			whatever PAGE_SIZE is
 *	bits 56:52	order (BLOCK, COUNT), or length bits 24:20 (BYTES)
 *	bits 61:52	length bits 61:52 (LARGE)
 *	bits 63:62	enum phyr_enc
 *
 * COUNT adds a 32-bit count of 2^order-page blocks.  BYTES adds one word:
 * bits 11:0 the offset of the first byte in its 4 KiB frame, bits 31:12
 * length bits 19:0.  LARGE adds one 64-bit word: the offset in bits 11:0
 * and length bits 51:0 in bits 63:12.
 */
#define PHYR_PFN_SHIFT		12
#define PHYR_PFN_SIZE		BIT(PHYR_PFN_SHIFT)
#define PHYR_ORDER_SHIFT	52
#define PHYR_ORDER_BITS		5
#define PHYR_MODE_SHIFT		62
#define PHYR_PFN_MASK		GENMASK_ULL(51, 0)
#define PHYR_HIGH_MASK		GENMASK_ULL(61, 52)
/* Largest order of a BLOCK or COUNT entry: 8 TiB. */
#define PHYR_MAX_ORDER		31
/* BYTES entries hold less than this many bytes (25-bit length). */
#define PHYR_BYTES_LIMIT	BIT_ULL(25)
/* LARGE entries hold less than this many bytes (62-bit length). */
#define PHYR_LARGE_LIMIT	BIT_ULL(62)
/* The largest entry, in 32-bit words. */
#define PHYR_ENT_MAX_WORDS	4

/* A chunk holds this order in PHYR_MIXED when its entries differ. */
#define PHYR_MIXED		0xff

/*
 * Storage.  Up to 32 bytes of entries live in the list head; then one
 * kmalloc()ed array, doubling from 64 bytes to 2 KiB; then chunks:
 *
 *	chunk	entries	B/page	(24-byte header, fully fragmented pages)
 *	 512	  61	 8.66
 *	1024	 125	 8.32
 *	2048	 253	 8.16
 *	4096	 509	 8.08	(this layout, one page each)
 *
 * Page-sized chunks and index nodes come from the page allocator, so a list
 * costs exactly its pages with no slab rounding.  Ending a series of
 * appends shrinks the last chunk to the power of two it needs.
 */
#define PHYR_CHUNK_SIZE		4096
#define PHYR_INLINE_WORDS	8
#define PHYR_SMALL_MIN_BYTES	64
#define PHYR_SMALL_MAX_BYTES	2048
/* Chunks a list may have before it needs an index. */
#define PHYR_CHAIN_MAX		16

/*
 * @start is the untrimmed offset of the chunk's first entry in the list.
 */
struct phyr_chunk {
	u64 start;
	struct phyr_chunk *next;
	struct phyr_seg seg;
	u32 words[];
};

#define PHYR_CHUNK_WORDS	\
	((PHYR_CHUNK_SIZE - sizeof(struct phyr_chunk)) / sizeof(u32))

static_assert(sizeof(struct phyr_chunk) == 24);
static_assert(PHYR_SMALL_MAX_BYTES / sizeof(u32) <= PHYR_CHUNK_WORDS);
static_assert(sizeof(struct phyr_list) <= 56 || sizeof(void *) < 8);

/*
 * The sub-index of a chunk of mixed entries: %PHYR_MARKS marks at the end
 * of its storage, mark i the word of an entry and that entry's untrimmed
 * offset from the chunk's start, so a seek scans at most one ninth of the
 * chunk.  Written when the chunk is complete (a chunk
 * after it, or the end of a series of appends) if room is left and the
 * chunk spans less than 2^32 frames; a chunk that turns mixed keeps that
 * room free.  Chunks of equal blocks need no marks.
 */
#define PHYR_MARKS		8U
#define PHYR_MARK_WORDS		(2 * PHYR_MARKS)

/*
 * Index nodes map byte offsets to chunks (level 1) or to lower nodes; each
 * slot holds the untrimmed start offset of the first chunk below it.  255
 * slots: one node indexes a 509 MiB fragmented list, and 255^7 chunks
 * exceed any physical memory.  Lists of up to %PHYR_CHAIN_MAX chunks have
 * no index (height 1): a node page would cost more than their entries and
 * a walk of a few chunks is as quick as a search.
 */
#define PHYR_NODE_SIZE	PHYR_CHUNK_SIZE
#define PHYR_NODE_SLOTS	((PHYR_NODE_SIZE - sizeof(u64)) / (sizeof(u64) + sizeof(void *)))
#define PHYR_MAX_HEIGHT	8

struct phyr_node {
	u64 nr;
	u64 start[PHYR_NODE_SLOTS];
	void *slot[PHYR_NODE_SLOTS];
};

static_assert(sizeof(struct phyr_node) <= PHYR_NODE_SIZE);

/* Entry decoding */

static const u8 phyr_enc_words[] __maybe_unused = {
	[PHYR_ENC_BLOCK] = 2,
	[PHYR_ENC_COUNT] = 3,
	[PHYR_ENC_BYTES] = 3,
	[PHYR_ENC_LARGE] = 4,
};

static inline enum phyr_enc ent_enc(const u32 *w)
{
	return w[1] >> (PHYR_MODE_SHIFT - 32);
}

static inline unsigned int ent_words(const u32 *w)
{
	return phyr_enc_words[ent_enc(w)];
}

static inline unsigned int ent_order(const u32 *w)
{
	return (w[1] >> (PHYR_ORDER_SHIFT - 32)) & (BIT(PHYR_ORDER_BITS) - 1);
}

static inline bool ent_is_pages(const u32 *w)
{
	return ent_enc(w) <= PHYR_ENC_COUNT;
}

/* The 4 KiB-aligned address every encoding starts with */
static inline phys_addr_t ent_base(const u32 *w)
{
	return ((w[0] | (u64)w[1] << 32) & PHYR_PFN_MASK) << PHYR_PFN_SHIFT;
}

static inline void ent_decode(const u32 *w, struct phyr *p)
{
	u64 w0 = w[0] | (u64)w[1] << 32;
	phys_addr_t base = ent_base(w);
	unsigned int order = ent_order(w);
	u64 w1;

	switch (ent_enc(w)) {
	case PHYR_ENC_BLOCK:
		p->addr = base;
		p->len = PHYR_PFN_SIZE << order;
		break;
	case PHYR_ENC_COUNT:
		p->addr = base;
		p->len = ((u64)w[2] << order) << PHYR_PFN_SHIFT;
		break;
	case PHYR_ENC_BYTES:
		p->addr = base | (w[2] & (PHYR_PFN_SIZE - 1));
		p->len = (w[2] >> PHYR_PFN_SHIFT) | (u64)order << 20;
		break;
	case PHYR_ENC_LARGE:
		w1 = w[2] | (u64)w[3] << 32;
		p->addr = base | (w1 & (PHYR_PFN_SIZE - 1));
		p->len = (w1 >> PHYR_PFN_SHIFT) | (w0 & PHYR_HIGH_MASK);
		break;
	}
}

/* Storage access, shared by appending and iterating */

/* The words a run of entries is stored in. */
static inline u32 *seg_words(struct phyr_list *list, struct phyr_chunk *c)
{
	if (c)
		return c->words;
	return list->seg.size ? list->ext : list->words;
}

static inline const u32 *seg_words_const(const struct phyr_list *list,
					 const struct phyr_chunk *c)
{
	return seg_words((struct phyr_list *)list, (struct phyr_chunk *)c);
}

/* The list's last chunk, NULL when its entries are in the head. */
static inline struct phyr_chunk *tail_chunk(const struct phyr_list *list)
{
	return list->height ? list->tail : NULL;
}

/* The chunk of untrimmed offset @u, at height 1 or more. */
const struct phyr_chunk *phyr_find_chunk(const struct phyr_list *list, u64 u);

/* Untrimmed bytes of a list: the sum of its entries' lengths. */
static inline u64 list_end(const struct phyr_list *list)
{
	return list->length ? list->offset + list->length + list->slack : 0;
}

/* lib/phyr_store.c, for appending and iterating */
struct phyr_chunk *phyr_chunk_get(struct phyr_append *app);
int phyr_chunk_push(struct phyr_list *list, struct phyr_append *app,
		    struct phyr_chunk *c);
void phyr_chunk_pop(struct phyr_list *list);
void phyr_chunk_seal(const struct phyr_list *list, struct phyr_chunk *c);
unsigned int phyr_chunk_marks(const struct phyr_list *list,
			      const struct phyr_chunk *c, u64 u, u64 *pos);
void phyr_to_chunked(struct phyr_list *list, struct phyr_chunk *c);
int phyr_grow_head(struct phyr_list *list, struct phyr_append *app,
		   unsigned int words, u32 **old);
int phyr_grow_tail(struct phyr_list *list, struct phyr_append *app);
void phyr_shrink_tail(struct phyr_list *list, gfp_t gfp);
void phyr_free_chunks(struct phyr_chunk *c);

/* Words a chunk or the head's array can hold, marks aside. */
static inline unsigned int seg_cap(const struct phyr_list *list,
				   const struct phyr_chunk *c)
{
	if (c)
		return (BIT(c->seg.size) - sizeof(*c)) / sizeof(u32);
	return list->seg.size ? BIT(list->seg.size) / sizeof(u32) :
	       PHYR_INLINE_WORDS;
}

#if IS_ENABLED(CONFIG_KUNIT)
/* lib/phyr_iter.c, for the tests of the encoding */
bool phyr_iter_entry(const struct phyr_iter *it, struct phyr *phyr,
		     enum phyr_enc *enc);
#endif

#endif /* _LIB_PHYR_ENC_H */
