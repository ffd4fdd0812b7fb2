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
#include <linux/string.h>
#include <linux/wordpart.h>

/**
 * enum phyr_enc - How an entry is encoded.
 * @PHYR_ENC_BLOCK: 8 bytes: a naturally aligned block of 2^order 4 KiB pages
 *	(4 bytes packed, in a chunk).
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
 * Packed entries.  Chunks store a naturally aligned block of 2^order 4 KiB
 * frames that lies in the chunk's window (the 8 TiB of frames whose number
 * shifted right by %PHYR_PACK_SHIFT is the chunk's @base) in one 32-bit
 * word:
 *
 *	word = 2 * (frame - (base << PHYR_PACK_SHIFT)) + 2^order - 1
 *
 * The order is the number of trailing one bits; shifting right by one and
 * clearing the order's low bits gives the frame back, since the block's
 * alignment keeps them clear.  A fragmented page costs 4 bytes.  Any other
 * entry (a count, a byte range, a block outside the window) is the word
 * %PHYR_PACK_ESC followed by its 8, 12 or 16-byte encoding.  The list's
 * head and its kmalloc()ed array hold unpacked entries only: a few of
 * them, where the window's base would cost more than it saves.
 */
#define PHYR_PACK_SHIFT		31
#define PHYR_PACK_MAX_ORDER	30
#define PHYR_PACK_ESC		U32_MAX
/* The largest stored entry, in 32-bit words. */
#define PHYR_STORED_MAX_WORDS	(PHYR_ENT_MAX_WORDS + 1)

/*
 * Storage.  Up to 32 bytes of entries live in the list head; then one
 * kmalloc()ed array, doubling from 64 bytes to 2 KiB; then chunks of
 * packed entries:
 *
 *	chunk	entries	B/page	(28-byte header, fully fragmented pages)
 *	 512	  121	 4.23
 *	1024	  249	 4.11
 *	2048	  505	 4.06
 *	4096	 1017	 4.03	(this layout, one page each)
 *
 * Page-sized chunks and index nodes come from the page allocator, so a list
 * costs exactly its pages with no slab rounding.  Ending a series of
 * appends shrinks the last chunk to the power of two it needs; the index
 * nodes still filling are as small (see struct phyr_node).
 */
#define PHYR_CHUNK_SIZE		4096
#define PHYR_INLINE_WORDS	8
#define PHYR_SMALL_MIN_BYTES	64
#define PHYR_SMALL_MAX_BYTES	2048
/* Chunks a list may have before it needs an index. */
#define PHYR_CHAIN_MAX		16

/*
 * @start is the untrimmed offset of the chunk's first entry in the list;
 * @base the window of its packed entries, set by its first entry.
 */
struct phyr_chunk {
	u64 start;
	struct phyr_chunk *next;
	struct phyr_seg seg;
	u32 base;
	u32 words[];
};

/* Bytes of a chunk before its words. */
#define PHYR_CHUNK_HDR		offsetof(struct phyr_chunk, words)
#define PHYR_CHUNK_WORDS	\
	((PHYR_CHUNK_SIZE - PHYR_CHUNK_HDR) / sizeof(u32))

static_assert(PHYR_CHUNK_HDR == 28 || sizeof(void *) < 8);
static_assert(PHYR_SMALL_MAX_BYTES / sizeof(u32) <= PHYR_CHUNK_WORDS);
static_assert(sizeof(struct phyr_list) <= 56 || sizeof(void *) < 8);

/*
 * The sub-index of a chunk of mixed entries: %PHYR_MARKS marks at the end
 * of its storage, one word each: bits 9:0 the word of an entry, bits 31:10
 * that entry's offset from the chunk's start in 4 KiB frames, so a seek
 * scans at most a fifth of the chunk.  Written when the chunk is complete
 * (a chunk after it, or the end of a series of appends) if room is left
 * and every marked entry starts on a frame less than 16 GiB from the
 * chunk's start; a chunk that turns mixed keeps that room free.  Chunks of
 * equal blocks need no marks.
 */
#define PHYR_MARKS		4U
#define PHYR_MARK_WORDS		PHYR_MARKS
#define PHYR_MARK_WORD_BITS	10
#define PHYR_MARK_POS_BITS	(32 - PHYR_MARK_WORD_BITS)

static_assert(BIT(PHYR_MARK_WORD_BITS) >= PHYR_CHUNK_WORDS);

/*
 * A chunk of equal packed blocks but for a few others (2 MiB folios among
 * single pages) keeps its exceptions in those words instead, half a word
 * each: the order of the others first, then the words of the up to
 * %PHYR_EXCEPTS entries before the last that are not packed blocks of it,
 * in order, %PHYR_EXCEPT_END after them.  A seek then indexes the runs of
 * equal blocks between the exceptions, as in a chunk of equal blocks.
 */
#define PHYR_EXCEPTS		(2 * PHYR_MARK_WORDS - 1)
#define PHYR_EXCEPT_END		0xffff

/* What a chunk's sub-index is: &phyr_seg.marked */
enum {
	PHYR_SUB_NONE,
	PHYR_SUB_MARKS,
	PHYR_SUB_EXCEPTS,
};

/*
 * Index nodes map byte offsets to chunks (level 1) or to lower nodes; each
 * slot holds the untrimmed start offset of the first chunk below it.  A
 * full node is a page of 255 slots: it indexes a 1 GiB fragmented list,
 * and 255^7 chunks exceed any physical memory.  Nodes on the index's right
 * edge, still filling, are kmalloc()ed at the power of two their slots
 * need, from 64 bytes, and doubled as they fill.  Lists of up to
 * %PHYR_CHAIN_MAX chunks have no index (height 1): a walk of a few chunks
 * is as quick as a search.
 */
#define PHYR_NODE_SIZE	PHYR_CHUNK_SIZE
#define PHYR_NODE_MIN	64
#define PHYR_MAX_HEIGHT	8

struct phyr_slot {
	u64 start;
	void *p;
};

struct phyr_node {
	u32 nr;
	u32 size;		/* log2 of its bytes */
	struct phyr_slot s[];
};

/* Slots a node of 2^@size bytes holds. */
#define PHYR_NODE_CAP(size)	\
	((BIT(size) - sizeof(struct phyr_node)) / sizeof(struct phyr_slot))
#define PHYR_NODE_SLOTS		\
	((PHYR_NODE_SIZE - sizeof(struct phyr_node)) / sizeof(struct phyr_slot))

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
		p->len = (u64)PHYR_PFN_SIZE << order;
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

static inline void ent_put_w0(u32 *w, enum phyr_enc enc, u64 pfn, u64 high)
{
	u64 w0 = pfn | high | (u64)enc << PHYR_MODE_SHIFT;

	w[0] = lower_32_bits(w0);
	w[1] = upper_32_bits(w0);
}

/* Packed entries, in chunks */

static inline unsigned int pk_order(u32 w)
{
	return __ffs(~w);
}

/* The first frame of the packed block @w in a chunk of window @base. */
static inline u64 pk_pfn(u32 base, u32 w, unsigned int order)
{
	return (u64)base << PHYR_PACK_SHIFT | ((w >> 1) & ~(BIT(order) - 1));
}

/* Whether frame @pfn lies in chunk @c's window. */
static inline bool pk_in_window(const struct phyr_chunk *c, u64 pfn)
{
	return pfn >> PHYR_PACK_SHIFT == c->base;
}

/* The packed word of a block of 2^@order frames at @pfn, in its window. */
static inline u32 pk_word(u64 pfn, unsigned int order)
{
	return lower_32_bits(pfn << 1) + (u32)(BIT(order) - 1);
}

/*
 * Stored entries: packed or escaped in a chunk (@c), as encoded in the
 * head (@c NULL).
 */
static inline bool st_packed(const struct phyr_chunk *c, const u32 *w)
{
	return c && *w != PHYR_PACK_ESC;
}

/* The encoded entry behind a stored one that is not packed. */
static inline const u32 *st_ent(const struct phyr_chunk *c, const u32 *w)
{
	return c ? w + 1 : w;
}

static inline unsigned int st_words(const struct phyr_chunk *c, const u32 *w)
{
	if (!c)
		return ent_words(w);
	return *w != PHYR_PACK_ESC ? 1 : 1 + ent_words(w + 1);
}

static inline enum phyr_enc st_enc(const struct phyr_chunk *c, const u32 *w)
{
	return st_packed(c, w) ? PHYR_ENC_BLOCK : ent_enc(st_ent(c, w));
}

static inline bool st_is_pages(const struct phyr_chunk *c, const u32 *w)
{
	return st_enc(c, w) <= PHYR_ENC_COUNT;
}

/*
 * The order of a stored entry that runs of equal blocks may be made of:
 * packed in a chunk, a BLOCK in the head; -1 for any other.
 */
static inline int st_block_order(const struct phyr_chunk *c, const u32 *w)
{
	if (c)
		return *w != PHYR_PACK_ESC ? (int)pk_order(*w) : -1;
	return ent_enc(w) == PHYR_ENC_BLOCK ? (int)ent_order(w) : -1;
}

static inline void st_decode(const struct phyr_chunk *c, const u32 *w,
			     struct phyr *p)
{
	unsigned int order;

	if (st_packed(c, w)) {
		order = pk_order(*w);
		p->addr = pk_pfn(c->base, *w, order) << PHYR_PFN_SHIFT;
		p->len = (u64)PHYR_PFN_SIZE << order;
		return;
	}
	ent_decode(st_ent(c, w), p);
}

/*
 * The order the run's entries but the last share once the entry at @w, now
 * the last, stops being the last (PHYR_MIXED when they differ).
 */
static inline u8 seg_uniform_after(const struct phyr_chunk *c,
				   const struct phyr_seg *seg, const u32 *w)
{
	int order = st_block_order(c, w);

	if (seg->nr == 1)
		return order < 0 ? PHYR_MIXED : order;
	if (order < 0 || order != seg->uniform)
		return PHYR_MIXED;
	return seg->uniform;
}

/*
 * Store the encoded entry @w of @n words as chunk @c keeps it (@c NULL:
 * the head), in @out; returns the words stored.  A chunk's first entry
 * sets its window.
 */
static inline unsigned int st_put(struct phyr_chunk *c, u32 *out,
				  const u32 *w, unsigned int n)
{
	u64 pfn;

	if (!c) {
		memcpy(out, w, n * sizeof(u32));
		return n;
	}
	pfn = ent_base(w) >> PHYR_PFN_SHIFT;
	if (!c->seg.nr)
		c->base = pfn >> PHYR_PACK_SHIFT;
	if (ent_enc(w) == PHYR_ENC_BLOCK && ent_order(w) <= PHYR_PACK_MAX_ORDER &&
	    pk_in_window(c, pfn)) {
		out[0] = pk_word(pfn, ent_order(w));
		return 1;
	}
	out[0] = PHYR_PACK_ESC;
	memcpy(out + 1, w, n * sizeof(u32));
	return n + 1;
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
		return (BIT(c->seg.size) - PHYR_CHUNK_HDR) / sizeof(u32);
	return list->seg.size ? BIT(list->seg.size) / sizeof(u32) :
	       PHYR_INLINE_WORDS;
}

#if IS_ENABLED(CONFIG_KUNIT)
/* lib/phyr_iter.c, for the tests of the encoding */
bool phyr_iter_entry(const struct phyr_iter *it, struct phyr *phyr,
		     enum phyr_enc *enc);
unsigned int phyr_iter_stored(const struct phyr_iter *it);
#endif

#endif /* _LIB_PHYR_ENC_H */
