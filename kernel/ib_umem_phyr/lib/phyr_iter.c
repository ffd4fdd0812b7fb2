// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * Packed physical-range lists: iteration, seeking and DMA-block walks.
 * See include/linux/phyr.h for the design.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/log2.h>
#include <linux/math.h>
#include <linux/minmax.h>
#include <linux/phyr.h>

#include "phyr_internal.h"

static void iter_load(struct phyr_iter *it)
{
	ent_decode(hdr_words(it->chunk) + it->word, &it->cur);
}

/* Step to the next entry; false at the end of the list. */
static bool iter_step(struct phyr_iter *it)
{
	it->pos += it->cur.len;
	it->word += ent_words(hdr_words(it->chunk) + it->word);
	if (it->word >= it->chunk->used) {
		if (!it->chunk->next || it->pos >= it->list->end) {
			it->chunk = NULL;
			return false;
		}
		it->chunk = &it->chunk->next->hdr;
		it->word = 0;
	}
	iter_load(it);
	return true;
}

/**
 * phyr_iter_start() - Put a cursor on the first byte of a list.
 * @it: the cursor.
 * @list: the list.
 *
 * Context: Any context.
 * Return: @it.
 */
struct phyr_iter *phyr_iter_start(struct phyr_iter *it,
				  const struct phyr_list *list)
{
	it->list = list;
	it->chunk = first_hdr(list);
	it->word = 0;
	it->pos = 0;
	it->at = 0;
	if (it->chunk)
		iter_load(it);
	return it;
}
EXPORT_SYMBOL_GPL(phyr_iter_start);

/**
 * phyr_iter_next() - The range from the cursor to the end of its entry.
 * @it: the cursor.
 * @phyr: receives the range, trimmed to the list.
 *
 * Moves the cursor to the start of the next entry.
 *
 * Context: Any context.
 * Return: false, with @phyr untouched, if the cursor is at the end.
 */
bool phyr_iter_next(struct phyr_iter *it, struct phyr *phyr)
{
	return phyr_iter_fill(it, phyr, 1);
}
EXPORT_SYMBOL_GPL(phyr_iter_next);

/**
 * phyr_iter_fill() - The next ranges from the cursor, a batch at a time.
 * @it: the cursor.
 * @ranges: receives up to @max ranges, trimmed to the list.
 * @max: room in @ranges, at least 1.
 *
 * Does what up to @max calls of phyr_iter_next() do, keeping the cursor in
 * registers meanwhile: for walks that do little per range, where iterating
 * would otherwise cost about as much as the work.  phyr_iter_blocks() does
 * without the copy where the list holds equal blocks.
 *
 * Context: Any context.
 * Return: the number of ranges stored, 0 at the end of the list.
 */
unsigned int phyr_iter_fill(struct phyr_iter *it, struct phyr *ranges,
			    unsigned int max)
{
	const struct phyr_list *list = it->list;
	const struct phyr_chunk_hdr *hdr = it->chunk;
	u64 end = list->offset + list->length;
	u64 u = it->at + list->offset, pos = it->pos;
	const unsigned int bw = phyr_enc_words[PHYR_ENC_BLOCK];
	unsigned int word = it->word, n = 0, i, k;
	struct phyr cur = it->cur;
	const u32 *w;

	if (!hdr || u >= end || !max)
		return 0;
	w = hdr_words(hdr);
	do {
		u64 stop = min(pos + cur.len, end);

		ranges[n].addr = cur.addr + (u - pos);
		ranges[n].len = stop - u;
		n++;
		u = stop;
		pos += cur.len;
		if (hdr->uniform != PHYR_MIXED && word + bw < hdr->last) {
			/*
			 * The entries before the chunk's last one are whole
			 * blocks of one order, none cut by the list's ends:
			 * only their addresses differ.  This loop is all that
			 * walking fragmented memory costs per page.
			 */
			struct phyr *r = ranges + n;
			const u32 *p = w + word;

			k = min(max - n, (hdr->last - word) / bw - 1);
			for (i = k; i; i--, r++) {
				p += bw;
				r->addr = ent_base(p);
				r->len = cur.len;
			}
			n += k;
			word += k * bw;
			pos += k * cur.len;
			u = pos;
			if (word + bw < hdr->last) {
				/* Batch full: the next one needs no decoding */
				word += bw;
				cur.addr = ent_base(w + word);
				break;
			}
		}
		word += ent_words(w + word);
		if (word >= hdr->used) {
			if (!hdr->next || pos >= list->end) {
				hdr = NULL;
				break;
			}
			hdr = &hdr->next->hdr;
			w = hdr_words(hdr);
			word = 0;
		}
		ent_decode(w + word, &cur);
	} while (n < max && u < end);

	it->chunk = hdr;
	it->word = word;
	it->pos = pos;
	it->cur = cur;
	it->at = u - list->offset;
	return n;
}
EXPORT_SYMBOL_GPL(phyr_iter_fill);

/**
 * phyr_iter_blocks() - The next equal blocks, where they are stored.
 * @it: the cursor.
 * @blocks: receives up to @max entries.
 * @max: at most this many, at least 1.
 *
 * Where the cursor is at the start of an entry in a run of BLOCK entries of
 * one order (fragmented pages, huge folios) that the list's ends do not
 * cut, points @blocks at up to @max of them and moves the cursor past them:
 * a walk that does little per page then costs a load per page, without
 * copying.  Anywhere else, including the last entry of each chunk, it
 * stores nothing and phyr_iter_fill() gives the next ranges.
 *
 * Context: Any context.
 * Return: the number of entries in @blocks, 0 if the cursor is not on such
 * a run or is at the end.
 */
unsigned int phyr_iter_blocks(struct phyr_iter *it, struct phyr_blocks *blocks,
			      unsigned int max)
{
	const struct phyr_chunk_hdr *hdr = it->chunk;
	const unsigned int bw = phyr_enc_words[PHYR_ENC_BLOCK];
	unsigned int k;
	u64 bytes;

	/*
	 * Every entry of a uniform chunk before its last is such a block.
	 * The list's end cuts only its last entry, the last of its chunk;
	 * its start cuts only its first, which the cursor is then inside.
	 */
	if (!hdr || hdr->uniform == PHYR_MIXED || it->word >= hdr->last ||
	    it->at + it->list->offset != it->pos || it->at >= it->list->length)
		return 0;
	k = min(max, (hdr->last - it->word) / bw);
	blocks->ent = (const struct phyr_ent_block *)(hdr_words(hdr) + it->word);
	blocks->nr = k;
	blocks->order = hdr->uniform;
	bytes = (u64)k << (PHYR_PFN_SHIFT + hdr->uniform);
	it->word += k * bw;
	it->pos += bytes;
	it->at += bytes;
	/* At most the chunk's last entry: the cursor stays in the chunk */
	iter_load(it);
	return k;
}
EXPORT_SYMBOL_GPL(phyr_iter_blocks);

/**
 * phyr_iter_entry() - The stored entry under the cursor.
 * @it: the cursor.
 * @phyr: receives the entry, untrimmed.
 * @enc: receives its encoding; may be NULL.
 *
 * Context: Any context.
 * Return: false if the cursor is at the end.
 */
bool phyr_iter_entry(const struct phyr_iter *it, struct phyr *phyr,
		     enum phyr_enc *enc)
{
	if (!it->chunk || it->at >= it->list->length)
		return false;
	*phyr = it->cur;
	if (enc)
		*enc = ent_enc(hdr_words(it->chunk) + it->word);
	return true;
}
EXPORT_SYMBOL_GPL(phyr_iter_entry);

static void iter_goto(struct phyr_iter *it, u64 u)
{
	const struct phyr_chunk_hdr *hdr = find_chunk(it->list, u);
	const u32 *w = hdr_words(hdr);

	it->chunk = hdr;
	if (hdr->nr > 1 && hdr->uniform != PHYR_MIXED) {
		/* Equal blocks up to the last entry: index, don't scan */
		unsigned int shift = PHYR_PFN_SHIFT + hdr->uniform;
		u64 idx = min_t(u64, (u - hdr->start) >> shift, hdr->nr - 1);

		it->word = idx * phyr_enc_words[PHYR_ENC_BLOCK];
		it->pos = hdr->start + (idx << shift);
		iter_load(it);
		return;
	}
	it->word = 0;
	it->pos = hdr->start;
	for (iter_load(it); u >= it->pos + it->cur.len;) {
		it->pos += it->cur.len;
		it->word += ent_words(w + it->word);
		iter_load(it);
	}
}

static inline phys_addr_t iter_addr(const struct phyr_iter *it)
{
	return it->cur.addr + (it->at + it->list->offset - it->pos);
}

/**
 * phyr_iter_seek() - Put a cursor on a byte of a list.
 * @it: the cursor.
 * @list: the list.
 * @offset: byte offset in the list.
 * @addr: receives the byte's physical address; may be NULL.
 *
 * Context: Any context.  O(log n).
 * Return: 0, or -ERANGE (cursor unchanged) if @offset is not in the list.
 */
int phyr_iter_seek(struct phyr_iter *it, const struct phyr_list *list,
		   u64 offset, phys_addr_t *addr)
{
	if (offset >= list->length)
		return -ERANGE;
	it->list = list;
	it->at = offset;
	iter_goto(it, offset + list->offset);
	if (addr)
		*addr = iter_addr(it);
	return 0;
}
EXPORT_SYMBOL_GPL(phyr_iter_seek);

/**
 * phyr_iter_advance() - Move a cursor forward.
 * @it: the cursor, on a byte of the list.
 * @bytes: how far.
 * @addr: receives the physical address of the new byte; may be NULL.  Not
 *	written when the cursor reaches the end of the list.
 *
 * Context: Any context.  O(1) amortised for sequential access, O(log n) for
 * a jump beyond the current chunk.
 * Return: 0, or -ERANGE (cursor unchanged) if that is beyond the end.
 */
int phyr_iter_advance(struct phyr_iter *it, u64 bytes, phys_addr_t *addr)
{
	const struct phyr_list *list = it->list;
	u64 at = it->at + bytes, u = at + list->offset;
	const struct phyr_chunk *next;

	if (!it->chunk || bytes > list->length - it->at)
		return -ERANGE;
	it->at = at;
	if (at == list->length)
		return 0;
	next = it->chunk->next;
	if (next && u >= next->hdr.start) {
		iter_goto(it, u);
	} else {
		while (u >= it->pos + it->cur.len)
			iter_step(it);
	}
	if (addr)
		*addr = iter_addr(it);
	return 0;
}
EXPORT_SYMBOL_GPL(phyr_iter_advance);

/**
 * phyr_list_first_addr() - Physical address of a list's first byte.
 * @list: the list, not empty.
 *
 * Context: Any context.
 * Return: the address, 0 for an empty list.
 */
phys_addr_t phyr_list_first_addr(const struct phyr_list *list)
{
	struct phyr p;

	if (phyr_list_empty(list))
		return 0;
	ent_decode(hdr_words(first_hdr(list)), &p);
	return p.addr + list->offset;
}
EXPORT_SYMBOL_GPL(phyr_list_first_addr);

/**
 * phyr_num_blocks() - Blocks phyr_for_each_block() yields.
 * @list: the list.
 * @iova: device address of the list's first byte.
 * @pgsz: block size, a power of two.
 *
 * Context: Any context.
 * Return: the number of @pgsz-aligned windows of the device address space
 * that [@iova, @iova + length) touches.
 */
unsigned long phyr_num_blocks(const struct phyr_list *list, u64 iova,
			      u64 pgsz)
{
	if (phyr_list_empty(list))
		return 0;
	return (ALIGN(iova + list->length, pgsz) - ALIGN_DOWN(iova, pgsz)) /
	       pgsz;
}
EXPORT_SYMBOL_GPL(phyr_num_blocks);

/**
 * phyr_block_iter_start() - Prepare to walk a list in blocks.
 * @bi: the block iterator.
 * @list: the list.
 * @iova: device address of the list's first byte.
 * @pgsz: block size, a power of two.
 *
 * Context: Any context.
 * Return: @bi.
 */
struct phyr_block_iter *phyr_block_iter_start(struct phyr_block_iter *bi,
					      const struct phyr_list *list,
					      u64 iova, u64 pgsz)
{
	WARN_ON_ONCE(!is_power_of_2(pgsz));
	phyr_iter_start(&bi->it, list);
	bi->pgsz = pgsz;
	bi->next = 0;
	bi->first_cut = pgsz - (iova & (pgsz - 1));
	bi->left = phyr_num_blocks(list, iova, pgsz);
	return bi;
}
EXPORT_SYMBOL_GPL(phyr_block_iter_start);

/**
 * phyr_page_iter_start() - Prepare to walk a list in PAGE_SIZE pages.
 * @bi: the block iterator.
 * @list: the list.
 *
 * Pages are cut in physical address space, from the list's first byte.
 *
 * Context: Any context.
 * Return: @bi.
 */
struct phyr_block_iter *phyr_page_iter_start(struct phyr_block_iter *bi,
					     const struct phyr_list *list)
{
	return phyr_block_iter_start(bi, list, phyr_list_first_addr(list),
				     PAGE_SIZE);
}
EXPORT_SYMBOL_GPL(phyr_page_iter_start);

/**
 * phyr_block_iter_next() - Step to the next block.
 * @bi: the block iterator.
 *
 * Context: Any context.
 * Return: true with phyr_block_addr() giving the block, false at the end.
 */
bool phyr_block_iter_next(struct phyr_block_iter *bi)
{
	phys_addr_t addr;

	if (!bi->left)
		return false;
	if (bi->next)
		phyr_iter_advance(&bi->it, bi->next - bi->it.at, &addr);
	else
		addr = iter_addr(&bi->it);
	bi->addr = addr & ~(bi->pgsz - 1);
	bi->next = bi->next ? bi->next + bi->pgsz : bi->first_cut;
	bi->left--;
	return true;
}
EXPORT_SYMBOL_GPL(phyr_block_iter_next);
