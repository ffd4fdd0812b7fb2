// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * Packed physical-range lists: iteration, seeking and block walks.
 * See include/linux/phyr.h for the design.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#include <kunit/visibility.h>
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/log2.h>
#include <linux/math.h>
#include <linux/minmax.h>
#include <linux/phyr.h>

#include "phyr_enc.h"

static void iter_load(struct phyr_iter *it)
{
	st_decode(it->chunk, it->words + it->word, &it->cur);
}

/* Put the cursor's run on chunk @c (NULL: the head's entries). */
static void iter_enter(struct phyr_iter *it, const struct phyr_chunk *c)
{
	it->chunk = c;
	it->seg = c ? &c->seg : &it->list->seg;
	it->words = seg_words_const(it->list, c);
}

/* The untrimmed offset where the list's bytes end. */
static inline u64 iter_end(const struct phyr_iter *it)
{
	return it->list->offset + it->list->length;
}

/* Step to the next entry; false at the end of the list. */
static bool iter_step(struct phyr_iter *it)
{
	it->pos += it->cur.len;
	it->word += st_words(it->chunk, it->words + it->word);
	if (it->word >= it->seg->used) {
		if (!it->chunk || !it->chunk->next || it->pos >= iter_end(it)) {
			it->seg = NULL;
			return false;
		}
		iter_enter(it, it->chunk->next);
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
	it->word = 0;
	it->pos = 0;
	it->at = 0;
	if (phyr_list_empty(list)) {
		it->seg = NULL;
		it->chunk = NULL;
		return it;
	}
	iter_enter(it, list->height ? list->first : NULL);
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

/*
 * phyr_iter_fill() twice over: for a cursor in chunks (@packed, which a
 * cursor never leaves) and in the head, each compiled for its storage.
 */
static __always_inline unsigned int iter_fill(struct phyr_iter *it,
					      struct phyr *ranges,
					      unsigned int max,
					      const bool packed)
{
	const struct phyr_seg *seg = it->seg;
	const struct phyr_chunk *c = it->chunk;
	const u32 *w = it->words;
	u64 end = iter_end(it);
	u64 u = it->at + it->list->offset, pos = it->pos;
	const unsigned int bw = packed ? 1 : phyr_enc_words[PHYR_ENC_BLOCK];
	unsigned int word = it->word, n = 0, i, k;
	struct phyr cur = it->cur;

	if (!seg || u >= end || !max)
		return 0;
	do {
		u64 stop = min(pos + cur.len, end);

		ranges[n].addr = cur.addr + (u - pos);
		ranges[n].len = stop - u;
		n++;
		u = stop;
		pos += cur.len;
		if (seg->uniform != PHYR_MIXED && word + bw < seg->last) {
			/*
			 * The entries before the run's last one are whole
			 * blocks of one order, none cut by the list's ends:
			 * only their addresses differ.  This loop is all that
			 * walking fragmented memory costs per page.
			 */
			if (n < max) {
				struct phyr *r = ranges + n;
				const u32 *p = w + word;

				/* bw is 1 or 2 */
				k = min(max - n, ((seg->last - word) >> (bw - 1)) - 1);
				if (packed) {
					for (i = k; i; i--, r++) {
						p++;
						r->addr = pk_pfn(c->base, *p, seg->uniform) <<
							  PHYR_PFN_SHIFT;
						r->len = cur.len;
					}
				} else {
					for (i = k; i; i--, r++) {
						p += 2;
						r->addr = ent_base(p);
						r->len = cur.len;
					}
				}
				n += k;
				word += k * bw;
				pos += k * cur.len;
				u = pos;
			}
			if (word + bw < seg->last) {
				/* Batch full: the next one, of the same length */
				word += bw;
				cur.addr = packed ?
					   pk_pfn(c->base, w[word], seg->uniform) <<
					   PHYR_PFN_SHIFT :
					   ent_base(w + word);
				break;
			}
		}
		word += st_words(packed ? c : NULL, w + word);
		if (word >= seg->used) {
			if (!packed || !c->next || pos >= end) {
				seg = NULL;
				break;
			}
			c = c->next;
			seg = &c->seg;
			w = c->words;
			word = 0;
		}
		st_decode(packed ? c : NULL, w + word, &cur);
	} while (n < max && u < end);

	it->seg = seg;
	it->chunk = c;
	it->words = w;
	it->word = word;
	it->pos = pos;
	it->cur = cur;
	it->at = u - it->list->offset;
	return n;
}

/**
 * phyr_iter_fill() - The next ranges from the cursor, a batch at a time.
 * @it: the cursor.
 * @ranges: receives up to @max ranges, trimmed to the list.
 * @max: room in @ranges.
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
	return it->chunk ? iter_fill(it, ranges, max, true) :
			   iter_fill(it, ranges, max, false);
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
	const struct phyr_seg *seg = it->seg;
	const unsigned int bw = it->chunk ? 1 : phyr_enc_words[PHYR_ENC_BLOCK];
	unsigned int k;
	u64 bytes;

	/*
	 * Every entry of a uniform run before its last is such a block.  The
	 * list's end cuts only its last entry, the last of its run; its start
	 * cuts only its first, which the cursor is then inside.
	 */
	if (!seg || seg->uniform == PHYR_MIXED || it->word >= seg->last ||
	    it->at + it->list->offset != it->pos || it->at >= it->list->length)
		return 0;
	k = min(max, (seg->last - it->word) / bw);
	blocks->words = it->words + it->word;
	blocks->nr = k;
	blocks->shift = PHYR_PFN_SHIFT + seg->uniform;
	blocks->packed = !!it->chunk;
	blocks->window = it->chunk ? (u64)it->chunk->base << PHYR_PACK_SHIFT : 0;
	blocks->mask = ~(u32)(BIT(seg->uniform) - 1);
	bytes = (u64)k << blocks->shift;
	it->word += k * bw;
	it->pos += bytes;
	it->at += bytes;
	/* At most the run's last entry: the cursor stays in the run */
	iter_load(it);
	return k;
}
EXPORT_SYMBOL_IF_KUNIT(phyr_iter_blocks);

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * phyr_iter_entry() - The stored entry under the cursor.
 * @it: the cursor.
 * @phyr: receives the entry, untrimmed.
 * @enc: receives its encoding; may be NULL.
 *
 * For tests of the encoding.
 *
 * Context: Any context.
 * Return: false if the cursor is at the end.
 */
VISIBLE_IF_KUNIT bool phyr_iter_entry(const struct phyr_iter *it,
				      struct phyr *phyr, enum phyr_enc *enc)
{
	if (!it->seg || it->at >= it->list->length)
		return false;
	*phyr = it->cur;
	if (enc)
		*enc = st_enc(it->chunk, it->words + it->word);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(phyr_iter_entry);

/**
 * phyr_iter_stored() - Bytes the entry under the cursor is stored in.
 * @it: the cursor.
 *
 * For tests of the packed form.
 *
 * Context: Any context.
 * Return: 4 for a packed entry, its encoding's 8, 12 or 16 bytes in the
 * head, 4 more behind an escape in a chunk; 0 if the cursor is at the end.
 */
VISIBLE_IF_KUNIT unsigned int phyr_iter_stored(const struct phyr_iter *it)
{
	if (!it->seg || it->at >= it->list->length)
		return 0;
	return st_words(it->chunk, it->words + it->word) * sizeof(u32);
}
EXPORT_SYMBOL_IF_KUNIT(phyr_iter_stored);
#endif

/* Put the cursor on the entry holding untrimmed offset @u. */
static void iter_goto(struct phyr_iter *it, u64 u)
{
	const struct phyr_list *list = it->list;
	const struct phyr_chunk *c = NULL;
	const struct phyr_seg *seg;
	u64 start = 0;

	if (list->height) {
		c = phyr_find_chunk(list, u);
		start = c->start;
	}
	iter_enter(it, c);
	seg = it->seg;
	if (seg->nr > 1 && seg->uniform != PHYR_MIXED) {
		/* Equal blocks up to the last entry: index, don't scan */
		unsigned int shift = PHYR_PFN_SHIFT + seg->uniform;
		u64 idx = min_t(u64, (u - start) >> shift, seg->nr - 1);

		it->word = c ? idx : idx * phyr_enc_words[PHYR_ENC_BLOCK];
		it->pos = start + (idx << shift);
		iter_load(it);
		return;
	}
	/* Mixed entries: from the chunk's last mark at or before @u */
	it->word = c ? phyr_chunk_marks(list, c, u, &it->pos) : 0;
	if (!c)
		it->pos = 0;
	if (c) {
		/* Packed entries are a length each: skip them in registers */
		const u32 *w = it->words;
		unsigned int word = it->word;
		u64 pos = it->pos, len;

		for (; w[word] != PHYR_PACK_ESC; word++) {
			len = (u64)PHYR_PFN_SIZE << pk_order(w[word]);
			if (u < pos + len)
				break;
			pos += len;
		}
		it->word = word;
		it->pos = pos;
	}
	for (iter_load(it); u >= it->pos + it->cur.len;) {
		it->pos += it->cur.len;
		it->word += st_words(c, it->words + it->word);
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
 * Return: 0, or -ERANGE (cursor and @addr unchanged) if @offset is not in
 * the list.
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
 * phyr_iter_advance() - Move a cursor forward, onto another byte.
 * @it: the cursor, on a byte of the list.
 * @bytes: how far.
 * @addr: receives the physical address of the new byte; may be NULL.
 *
 * Context: Any context.  O(1) amortised for sequential access, O(log n) for
 * a jump beyond the current chunk.
 * Return: 0, or -ERANGE (cursor and @addr unchanged) if the cursor is at the
 * end or the new position is not a byte of the list (at or beyond its
 * end).
 */
int phyr_iter_advance(struct phyr_iter *it, u64 bytes, phys_addr_t *addr)
{
	const struct phyr_list *list = it->list;
	u64 at = it->at + bytes, u = at + list->offset;

	if (!it->seg || it->at >= list->length ||
	    bytes >= list->length - it->at)
		return -ERANGE;
	it->at = at;
	if (it->chunk && it->chunk->next && u >= it->chunk->next->start) {
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
 * phyr_num_blocks() - Blocks phyr_for_each_block() yields.
 * @length: bytes of the list.
 * @iova: device address of the list's first byte.
 * @pgsz: block size, a power of two.
 *
 * Context: Any context.
 * Return: the number of @pgsz-aligned windows of the device address space
 * that [@iova, @iova + @length) touches; 0 for no bytes.
 */
unsigned long phyr_num_blocks(u64 length, u64 iova, u64 pgsz)
{
	if (!length)
		return 0;
	return (ALIGN(iova + length, pgsz) - ALIGN_DOWN(iova, pgsz)) / pgsz;
}
EXPORT_SYMBOL_IF_KUNIT(phyr_num_blocks);

/**
 * phyr_block_iter_start() - Prepare to walk a list in blocks.
 * @bi: the block iterator.
 * @list: the list.
 * @offset: byte of the list the walk starts at, 0 for all of it.
 * @iova: address of byte @offset in the space the cuts fall in (an MR's
 *	IOVA, or a device address).
 * @pgsz: block size, a power of two.
 *
 * Context: Any context.
 * Return: @bi; phyr_block_iter_next() then runs exactly
 * phyr_num_blocks(length - @offset, @iova, @pgsz) times.
 */
struct phyr_block_iter *phyr_block_iter_start(struct phyr_block_iter *bi,
					      const struct phyr_list *list,
					      u64 offset, u64 iova, u64 pgsz)
{
	u64 length = phyr_list_length(list);

	WARN_ON_ONCE(!is_power_of_2(pgsz));
	bi->pgsz = pgsz;
	bi->iova = iova - offset;
	bi->next = offset;
	bi->left = 0;
	if (phyr_iter_seek(&bi->it, list, offset, NULL)) {
		phyr_iter_start(&bi->it, list);
		return bi;
	}
	bi->left = phyr_num_blocks(length - offset, iova, pgsz);
	return bi;
}
EXPORT_SYMBOL_GPL(phyr_block_iter_start);

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
	/* Blocks start on bytes of the list: the first, then at each cut */
	if (bi->next == bi->it.at)
		addr = iter_addr(&bi->it);
	else if (WARN_ON_ONCE(phyr_iter_advance(&bi->it, bi->next - bi->it.at,
						&addr)))
		return false;
	bi->first = addr;
	bi->next = ALIGN_DOWN(bi->iova + bi->next, bi->pgsz) + bi->pgsz -
		   bi->iova;
	bi->left--;
	return true;
}
EXPORT_SYMBOL_GPL(phyr_block_iter_next);
