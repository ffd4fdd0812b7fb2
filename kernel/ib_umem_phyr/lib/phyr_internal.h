/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * Private to lib/phyr.c and lib/phyr_iter.c: the storage layout and entry
 * decoding that appending and iterating share.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#ifndef _LIB_PHYR_INTERNAL_H
#define _LIB_PHYR_INTERNAL_H

#include <linux/bitops.h>
#include <linux/compiler.h>
#include <linux/phyr.h>
#include <linux/stddef.h>

/*
 * Chunk size: a fully fragmented list stores one 8-byte entry per page, so
 * the cost per page is (chunk + its index slot) / entries per chunk:
 *
 *	chunk	entries	B/page	(24-byte header, nodes of chunk size)
 *	 512	  61	 8.66
 *	1024	 125	 8.32
 *	2048	 253	 8.16
 *	4096	 509	 8.08	(this layout)
 *
 * A slab of 2 KiB objects is 32 KiB, and a list's chunks and nodes came
 * from two caches, so small lists paid up to 64 KiB of slab rounding and
 * large ones measured 8.22-8.25.  Page-sized chunks and nodes from the page
 * allocator cost exactly what they hold.  The scan inside a chunk of mixed
 * entries is longer, but chunks of equal blocks (single pages, huge folios)
 * are indexed in O(1) and sequential access uses the cursor.
 */
struct phyr_chunk {
	struct phyr_chunk_hdr hdr;
	u32 words[PHYR_CHUNK_WORDS];
};

static_assert(sizeof(struct phyr_chunk) == PHYR_CHUNK_SIZE);

/*
 * Index nodes map byte offsets to chunks (level 1) or to lower nodes.  Each
 * slot holds the untrimmed start offset of the first chunk below it.  Nodes
 * are chunk sized, 255 slots: one node indexes a 509 MiB fragmented list,
 * and 255^7 chunks exceed any physical memory.  Lists of up to
 * %PHYR_CHAIN_MAX chunks have no index (height 1): a node page would cost
 * more than their entries (a 4 GiB THP list has 4 chunks) and a walk of a
 * few chunks is as quick as a binary search.
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

/* The array of a list kept in its head covers up to half a chunk. */
static_assert(PHYR_SMALL_MIN_BYTES << (PHYR_SMALL_CLASSES - 1) ==
	      PHYR_SMALL_MAX_BYTES);
static_assert(PHYR_SMALL_MAX_BYTES / sizeof(u32) <= PHYR_CHUNK_WORDS);

/* Entry decoding */

static const u8 phyr_enc_words[] __maybe_unused = {
	[PHYR_ENC_BLOCK] = sizeof(struct phyr_ent_block) / sizeof(u32),
	[PHYR_ENC_COUNT] = sizeof(struct phyr_ent_count) / sizeof(u32),
	[PHYR_ENC_BYTES] = sizeof(struct phyr_ent_bytes) / sizeof(u32),
	[PHYR_ENC_LARGE] = sizeof(struct phyr_ent_large) / sizeof(u32),
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

/* The page-aligned address every encoding starts with */
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

static inline u32 *hdr_words(const struct phyr_chunk_hdr *hdr)
{
	if (hdr->size & PHYR_SIZE_EXT)
		return *(u32 *const *)(hdr + 1);
	return (u32 *)(hdr + 1);
}

static inline const struct phyr_chunk_hdr *
first_hdr(const struct phyr_list *list)
{
	if (!list->end)
		return NULL;
	return list->height ? &list->first->hdr : &list->inl.hdr;
}

/*
 * The chunk holding untrimmed offset @u: along the chain while a list has
 * at most %PHYR_CHAIN_MAX chunks, else through the index.
 */
static inline const struct phyr_chunk_hdr *
find_chunk(const struct phyr_list *list, u64 u)
{
	const struct phyr_chunk *c;
	const void *p = list->root;
	int level;

	if (!list->height)
		return &list->inl.hdr;
	if (list->height == 1) {
		for (c = list->first; c->hdr.next && c->hdr.next->hdr.start <= u;)
			c = c->hdr.next;
		return &c->hdr;
	}
	for (level = list->height - 1; level >= 1; level--) {
		const struct phyr_node *n = p;
		u64 lo = 0, hi = n->nr - 1;

		/* The last slot whose start is at or before @u */
		while (lo < hi) {
			u64 mid = (lo + hi + 1) / 2;

			if (n->start[mid] <= u)
				lo = mid;
			else
				hi = mid - 1;
		}
		p = n->slot[lo];
	}
	return &((const struct phyr_chunk *)p)->hdr;
}

static_assert(offsetof(struct phyr_chunk, words) ==
	      sizeof(struct phyr_chunk_hdr));
static_assert(offsetof(struct phyr_list, inl.words) -
	      offsetof(struct phyr_list, inl.hdr) ==
	      sizeof(struct phyr_chunk_hdr));
static_assert(offsetof(struct phyr_list, ext.hdr) ==
	      offsetof(struct phyr_list, inl.hdr));
static_assert(offsetof(struct phyr_list, ext.words) ==
	      offsetof(struct phyr_list, inl.words));

#endif /* _LIB_PHYR_INTERNAL_H */
