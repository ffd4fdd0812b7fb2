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
 *	chunk	entries	B/page
 *	 512	  58	 9.10
 *	1024	 122	 8.52
 *	2048	 250	 8.26
 *	2048	 253	 8.16	(24-byte header, this layout)
 *	4096	 506	 8.13
 *
 * 2048 meets the 8.2 B/page budget while keeping a linear scan inside a
 * mixed chunk short; chunks of single pages are seeked in O(1) anyway.
 */
struct phyr_chunk {
	struct phyr_chunk_hdr hdr;
	u32 words[PHYR_CHUNK_WORDS];
};

static_assert(sizeof(struct phyr_chunk) == PHYR_CHUNK_SIZE);

/*
 * Index nodes map byte offsets to chunks (level 1) or to lower nodes.  Each
 * slot holds the untrimmed start offset of the first chunk below it.  1 KiB
 * nodes (63 slots) keep small lists cheap: a list of a few huge folios
 * needs one node, not a page; 63^7 chunks exceed any physical memory.
 */
#define PHYR_NODE_SIZE	1024
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

static inline void ent_decode(const u32 *w, struct phyr *p)
{
	u64 w0 = w[0] | (u64)w[1] << 32;
	phys_addr_t base = (w0 & PHYR_PFN_MASK) << PHYR_PFN_SHIFT;
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
	return (u32 *)(hdr + 1);
}

static inline const struct phyr_chunk_hdr *
first_hdr(const struct phyr_list *list)
{
	if (!list->end)
		return NULL;
	return list->height ? &list->first->hdr : &list->inl.hdr;
}

static_assert(offsetof(struct phyr_chunk, words) ==
	      sizeof(struct phyr_chunk_hdr));
static_assert(offsetof(struct phyr_list, inl.words) -
	      offsetof(struct phyr_list, inl.hdr) ==
	      sizeof(struct phyr_chunk_hdr));

#endif /* _LIB_PHYR_INTERNAL_H */
