// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * Packed physical-range lists: appending.  Ranges are encoded in the
 * smallest entry that holds them and merged with the end of the list when
 * physically contiguous; a call either appends all its ranges or leaves the
 * list as it was.  See include/linux/phyr.h for the design.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#include <kunit/visibility.h>
#include <linux/bitops.h>
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/log2.h>
#include <linux/math.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/phyr.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wordpart.h>

#include "phyr_enc.h"

/* Encoding */

/* The largest order a block starting at @pfn can have. */
static inline unsigned int pfn_align(u64 pfn)
{
	return pfn ? min_t(unsigned int, __ffs64(pfn), PHYR_MAX_ORDER) :
		     PHYR_MAX_ORDER;
}

/*
 * Encode the largest prefix of a run of whole 4 KiB frames that one entry
 * holds: a BLOCK when the run is a naturally aligned power of two, else a
 * COUNT of blocks as large as the start's alignment allows.  Returns the
 * number of words written; *@len is cut to the bytes encoded.
 */
static unsigned int ent_encode_pages(u32 *w, phys_addr_t addr, u64 *len)
{
	u64 pfn = addr >> PHYR_PFN_SHIFT, n = *len >> PHYR_PFN_SHIFT;
	unsigned int order;

	if (is_power_of_2(n) && ilog2(n) <= PHYR_MAX_ORDER &&
	    !(pfn & (n - 1))) {
		ent_put_w0(w, PHYR_ENC_BLOCK, pfn, (u64)ilog2(n) << PHYR_ORDER_SHIFT);
		return phyr_enc_words[PHYR_ENC_BLOCK];
	}
	order = min_t(unsigned int, pfn_align(pfn), __ffs64(n));
	if ((n >> order) > U32_MAX) {
		/* Too long for one entry: the alignment of the start decides */
		order = pfn_align(pfn);
		n = min_t(u64, n, (u64)U32_MAX << order) & ~(BIT_ULL(order) - 1);
		*len = n << PHYR_PFN_SHIFT;
	}
	ent_put_w0(w, PHYR_ENC_COUNT, pfn, (u64)order << PHYR_ORDER_SHIFT);
	w[2] = n >> order;
	return phyr_enc_words[PHYR_ENC_COUNT];
}

/* As ent_encode_pages(), for a range of bytes that need not be frames. */
static unsigned int ent_encode_bytes(u32 *w, phys_addr_t addr, u64 *len)
{
	u64 pfn = addr >> PHYR_PFN_SHIFT, off = addr & (PHYR_PFN_SIZE - 1);
	u64 l = *len;

	if (l < PHYR_BYTES_LIMIT) {
		ent_put_w0(w, PHYR_ENC_BYTES, pfn, (l >> 20) << PHYR_ORDER_SHIFT);
		w[2] = off | lower_32_bits(l & (BIT(20) - 1)) << PHYR_PFN_SHIFT;
		return phyr_enc_words[PHYR_ENC_BYTES];
	}
	if (l >= PHYR_LARGE_LIMIT)
		*len = l = PHYR_LARGE_LIMIT - 1;
	ent_put_w0(w, PHYR_ENC_LARGE, pfn, l & PHYR_HIGH_MASK);
	w[2] = lower_32_bits(off | (l << PHYR_PFN_SHIFT));
	w[3] = upper_32_bits(l << PHYR_PFN_SHIFT);
	return phyr_enc_words[PHYR_ENC_LARGE];
}

/* One entry for the largest prefix of the run, of either kind. */
static unsigned int ent_encode(u32 *w, phys_addr_t addr, u64 *len, bool pages)
{
	return pages ? ent_encode_pages(w, addr, len) :
		       ent_encode_bytes(w, addr, len);
}

/* The run of entries appends go to: the last chunk's, or the head's. */
static inline struct phyr_seg *tail_seg(struct phyr_list *list)
{
	return list->height ? &list->tail->seg : &list->seg;
}

/*
 * Words the run may use: a chunk that is, or is about to become, mixed
 * keeps room for its sub-index.
 */
static inline unsigned int seg_room(const struct phyr_list *list,
				    const struct phyr_chunk *c, u8 uniform)
{
	unsigned int cap = seg_cap(list, c);

	return c && uniform == PHYR_MIXED ? cap - PHYR_MARK_WORDS : cap;
}

/*
 * The head outgrew its storage during a call: its array (the one a failed
 * call restores) is kept until the call ends; arrays grown and outgrown
 * within the call are freed at once.
 */
static int grow_head(struct phyr_list *list, struct phyr_append *app,
		     unsigned int words)
{
	u32 *old;
	int ret;

	ret = phyr_grow_head(list, app, max(words, 2 * seg_cap(list, NULL)),
			     &old);
	if (ret)
		return ret;
	if (!app->retired)
		app->retired = old;
	else
		kfree(old);
	return 0;
}

/* A fresh last chunk whose first entry starts at untrimmed offset @start. */
static int add_chunk(struct phyr_list *list, struct phyr_append *app,
		     u64 start)
{
	struct phyr_chunk *c = phyr_chunk_get(app);
	int ret;

	if (!c)
		return -ENOMEM;
	c->start = start;
	ret = phyr_chunk_push(list, app, c);
	if (ret)
		phyr_free_chunks(c);
	return ret;
}

/* Append one encoded entry of @n words and @len bytes. */
static int push_entry(struct phyr_list *list, struct phyr_append *app,
		      const u32 *w, unsigned int n, u64 len)
{
	struct phyr_chunk *c = tail_chunk(list);
	struct phyr_seg *seg = tail_seg(list);
	u32 *words = seg_words(list, c), st[PHYR_STORED_MAX_WORDS];
	unsigned int sn = st_put(c, st, w, n);
	u8 uniform = seg->nr ? seg_uniform_after(c, seg, words + seg->last) :
			       seg->uniform;
	int ret;

	if (seg->used + sn > seg_room(list, c, uniform)) {
		if (list->height)
			ret = add_chunk(list, app, app->end);
		else
			ret = grow_head(list, app, seg->used + sn);
		if (ret)
			return ret;
		c = tail_chunk(list);
		seg = tail_seg(list);
		words = seg_words(list, c);
		sn = st_put(c, st, w, n);
		uniform = seg->nr ? seg_uniform_after(c, seg, words + seg->last) :
				    seg->uniform;
	}
	seg->uniform = uniform;
	memcpy(words + seg->used, st, sn * sizeof(u32));
	seg->last = seg->used;
	seg->used += sn;
	seg->nr++;
	app->end += len;
	return 0;
}

/* Replace the last entry, of @old_len bytes, by one of @n words, @len bytes. */
static int replace_tail(struct phyr_list *list, struct phyr_append *app,
			const u32 *w, unsigned int n, u64 old_len, u64 len)
{
	struct phyr_chunk *c = tail_chunk(list);
	struct phyr_seg *seg = tail_seg(list);
	u32 *words = seg_words(list, c), st[PHYR_STORED_MAX_WORDS];
	unsigned int word, sn = st_put(c, st, w, n);
	int ret;

	if (seg->last + sn > seg_room(list, c, seg->uniform)) {
		if (list->height) {
			/*
			 * Full chunk: the entry moves to a new one.  Taken out
			 * first, so that the chunk's sub-index, written when
			 * the new chunk is added, does not count it (a failure
			 * undoes the whole call).
			 */
			seg->used = seg->last;
			seg->nr--;
			for (word = 0; word + st_words(c, words + word) < seg->used;
			     word += st_words(c, words + word))
				;
			seg->last = word;
			app->end -= old_len;
			ret = add_chunk(list, app, app->end);
			if (ret)
				return ret;
			return push_entry(list, app, w, n, len);
		}
		ret = grow_head(list, app, seg->last + sn);
		if (ret)
			return ret;
		/* A larger array, or a first chunk that packed the entries */
		c = tail_chunk(list);
		seg = tail_seg(list);
		words = seg_words(list, c);
		sn = st_put(c, st, w, n);
	}
	memcpy(words + seg->last, st, sn * sizeof(u32));
	seg->used = seg->last + sn;
	app->end += len - old_len;
	return 0;
}

/*
 * Append [addr, addr + len) as page entries (@pages: both 4 KiB aligned)
 * or byte entries, as many as it takes.
 */
static int push_run(struct phyr_list *list, struct phyr_append *app,
		    phys_addr_t addr, u64 len, bool pages)
{
	u32 w[PHYR_ENT_MAX_WORDS];
	unsigned int n;
	u64 part;
	int ret;

	for (; len; addr += part, len -= part) {
		part = len;
		n = ent_encode(w, addr, &part, pages);
		ret = push_entry(list, app, w, n, part);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Make the last entry [@t->addr, + @len) in its encoding kind, spilling
 * what one entry cannot hold into new entries.
 */
static int regrow_tail(struct phyr_list *list, struct phyr_append *app,
		       const struct phyr *t, bool pages, u64 len)
{
	u32 w[PHYR_ENT_MAX_WORDS];
	u64 part = len;
	unsigned int n;
	int ret;

	n = ent_encode(w, t->addr, &part, pages);
	ret = replace_tail(list, app, w, n, t->len, part);
	if (ret || part == len)
		return ret;
	return push_run(list, app, t->addr + part, len - part, pages);
}

static void tail_entry(struct phyr_list *list, struct phyr *t, bool *pages)
{
	struct phyr_chunk *c = tail_chunk(list);
	struct phyr_seg *seg = tail_seg(list);
	const u32 *w = seg_words(list, c) + seg->last;

	st_decode(c, w, t);
	*pages = st_is_pages(c, w);
}

static int __phyr_append(struct phyr_list *list, struct phyr_append *app,
			 phys_addr_t addr, u64 len)
{
	u64 off = addr & (PHYR_PFN_SIZE - 1), slack = list->slack;
	struct phyr t;
	bool pages;
	int ret;

	if (!list->length) {
		/* The first range: whole frames, the list cut to its bytes */
		ret = push_run(list, app, addr - off,
			       round_up(off + len, PHYR_PFN_SIZE), true);
		if (ret)
			return ret;
		list->offset = off;
		goto done;
	}

	tail_entry(list, &t, &pages);
	if (addr == t.addr + t.len - slack) {
		/* Physically contiguous with the end: grow the last entry */
		if (len > slack) {
			u64 grown = pages ? round_up(addr + len, PHYR_PFN_SIZE) :
					    addr + len;

			ret = regrow_tail(list, app, &t, pages, grown - t.addr);
			if (ret)
				return ret;
		}
		goto done;
	}

	if (slack) {
		/* The last frame is cut short: make its used bytes exact */
		u64 used = PHYR_PFN_SIZE - slack;

		if (t.len > PHYR_PFN_SIZE) {
			ret = regrow_tail(list, app, &t, true,
					  t.len - PHYR_PFN_SIZE);
			if (!ret)
				ret = push_run(list, app, t.addr + t.len -
					       PHYR_PFN_SIZE, used, false);
		} else {
			ret = regrow_tail(list, app, &t, false, used);
		}
		if (ret)
			return ret;
	}
	if (off)
		ret = push_run(list, app, addr, len, false);
	else
		ret = push_run(list, app, addr, round_up(len, PHYR_PFN_SIZE), true);
	if (ret)
		return ret;
done:
	list->length += len;
	list->slack = app->end - list->offset - list->length;
	return 0;
}

/*
 * Undo of one call: a copy of the list head, plus the last entry and its
 * run's header when they are not in the head (the entry changes in place
 * as contiguous ranges merge into it).
 */
struct phyr_snap {
	struct phyr_list head;
	struct phyr_seg tail_seg;
	u32 tail[PHYR_STORED_MAX_WORDS];
};

static void snap_take(struct phyr_list *list, struct phyr_snap *snap)
{
	struct phyr_chunk *c = tail_chunk(list);
	struct phyr_seg *seg = tail_seg(list);
	const u32 *w = seg_words(list, c);

	snap->head = *list;
	snap->tail_seg = *seg;
	if (seg->nr)
		memcpy(snap->tail, w + seg->last,
		       st_words(c, w + seg->last) * sizeof(u32));
}

static void snap_restore(struct phyr_list *list, struct phyr_append *app,
			 const struct phyr_snap *snap)
{
	const struct phyr_list *saved = &snap->head;
	struct phyr_seg *seg;
	u32 node_units = 0;
	void *root = NULL;
	u32 *w;

	if (!saved->height) {
		/* The head's storage then, and whatever replaced it since */
		if (list->height || list->seg.size != saved->seg.size ||
		    (list->seg.size && list->ext != saved->ext))
			phyr_list_destroy(list);
		app->retired = NULL;
	} else {
		while (list->nr_chunks > saved->nr_chunks)
			phyr_chunk_pop(list);
		/* The index as it is now: a node doubled meanwhile stays so */
		root = list->root;
		node_units = list->node_units;
	}
	*list = *saved;
	if (list->height > 1) {
		list->root = root;
		list->node_units = node_units;
	}
	seg = tail_seg(list);
	*seg = snap->tail_seg;
	w = seg_words(list, tail_chunk(list));
	if (seg->nr)
		memcpy(w + seg->last, snap->tail,
		       st_words(tail_chunk(list), snap->tail) * sizeof(u32));
}

/**
 * phyr_append_begin() - Start a series of appends.
 * @app: append state, from PHYR_APPEND().
 * @list: the list to append to.
 * @gfp: allocation flags for the appends.
 *
 * Context: Any context.
 */
void phyr_append_begin(struct phyr_append *app, struct phyr_list *list,
		       gfp_t gfp)
{
	app->list = list;
	app->gfp = gfp;
	app->retired = NULL;
	/* The last chunk grows again: its sub-index is written at the end */
	tail_seg(list)->marked = 0;
}
EXPORT_SYMBOL_GPL(phyr_append_begin);

/*
 * Whether @r may be appended to @list: 0, -EINVAL if it is empty, or
 * -EOVERFLOW if it reaches the last frame or the list would exceed
 * U64_MAX / 2 bytes.
 */
static int range_check(const struct phyr_list *list, const struct phyr *r)
{
	u64 last;

	if (!r->len)
		return -EINVAL;
	if (check_add_overflow((u64)r->addr, r->len - 1, &last) ||
	    last > U64_MAX - PHYR_PFN_SIZE ||
	    r->len > U64_MAX / 2 - list->length)
		return -EOVERFLOW;
	return 0;
}

/*
 * A lone 4 KiB frame not continuing the last entry (which ends at @end),
 * and not the last frame of the address space (range_check()).
 */
static inline bool lone_frame(const struct phyr *r, phys_addr_t end)
{
	return !((r->addr & (PHYR_PFN_SIZE - 1)) | (r->len ^ PHYR_PFN_SIZE)) &&
	       r->addr != end && r->addr <= U64_MAX - 2 * PHYR_PFN_SIZE + 1;
}

/*
 * Write the longest prefix of the @k ranges at @r that are single 4 KiB
 * frames, none continuing the one before (*@tail_end is where the list's
 * last entry ends), as order-0 entries at @out: BLOCK entries in the head,
 * packed ones in chunk @c, whose window they must then lie in.  Each costs
 * a few checks and one or two stores.  Returns how many; *@tail_end
 * follows.
 */
static unsigned int put_single_pages(const struct phyr_chunk *c, u32 *out,
				     const struct phyr *r, unsigned int k,
				     phys_addr_t *tail_end)
{
	phys_addr_t end = *tail_end, addr;
	unsigned int j;

	if (c) {
		/*
		 * pk_in_window() and pk_word() of order 0, by hand: @out is
		 * in the chunk, so its window would be read again after each
		 * store, and the frame is twice the address shifted by 11.
		 */
		const u64 window = c->base;

		for (j = 0; j < k && lone_frame(&r[j], end); j++) {
			addr = r[j].addr;
			if ((addr >> PHYR_PFN_SHIFT) >> PHYR_PACK_SHIFT != window)
				break;
			out[j] = lower_32_bits(addr >> (PHYR_PFN_SHIFT - 1));
			end = addr + PHYR_PFN_SIZE;
		}
	} else {
		/* A BLOCK of order 0 is its frame number */
		for (j = 0; j < k && lone_frame(&r[j], end); j++) {
			addr = r[j].addr;
			out[2 * j] = lower_32_bits(addr >> PHYR_PFN_SHIFT);
			out[2 * j + 1] = upper_32_bits(addr >> PHYR_PFN_SHIFT);
			end = addr + PHYR_PFN_SIZE;
		}
	}
	*tail_end = end;
	return j;
}

/*
 * What a GUP batch mostly appends: naturally aligned blocks of whole
 * frames, none continuing the one before, to a list that ends on a frame
 * boundary.  Writes as many of @ranges as qualify straight into the last
 * run, its header held in locals meanwhile, and returns how many it took;
 * 0 when the first must go through __phyr_append() (any other range, a
 * full run, a block outside a chunk's window, or one that range_check()
 * would refuse).  On fragmented memory this loop runs once per page of
 * every registration: a lone page, the common case, skips the order
 * computation.
 */
static unsigned int append_blocks_burst(struct phyr_list *list,
					struct phyr_append *app,
					const struct phyr *ranges,
					unsigned int nr)
{
	struct phyr_chunk *c = tail_chunk(list);
	struct phyr_seg *seg = tail_seg(list);
	unsigned int cap = seg_cap(list, c), used = seg->used, last = seg->last;
	const unsigned int bw = c ? 1 : phyr_enc_words[PHYR_ENC_BLOCK];
	const unsigned int max_order = c ? PHYR_PACK_MAX_ORDER : PHYR_MAX_ORDER;
	unsigned int cnt = seg->nr, i;
	u8 uniform = seg->uniform, next;
	u32 *w = seg_words(list, c);
	u64 end = app->end, max_end = list->offset + U64_MAX / 2;
	phys_addr_t tail_end;
	struct phyr t;
	int prev;

	if (!cnt || list->slack)
		return 0;
	st_decode(c, w + last, &t);
	tail_end = t.addr + t.len;
	/* The order of the last entry if runs of blocks may hold it, else -1 */
	prev = st_block_order(c, w + last);
	for (i = 0; i < nr; i++) {
		phys_addr_t addr = ranges[i].addr;
		u64 len = ranges[i].len;
		u64 pfn = addr >> PHYR_PFN_SHIFT, n;
		int order = 0;

		if (!prev && (cnt == 1 || !uniform)) {
			/*
			 * Single pages after a single page keep the run
			 * uniform of order 0: only the room and the list's
			 * size limit bound how many follow.
			 */
			unsigned int k = min_t(unsigned int, nr - i,
					       (cap - used) / bw);

			k = end < max_end ?
			    min_t(u64, k, (max_end - end) >> PHYR_PFN_SHIFT) : 0;
			k = put_single_pages(c, w + used, ranges + i, k, &tail_end);
			if (k) {
				uniform = 0;
				used += k * bw;
				last = used - bw;
				cnt += k;
				end += (u64)k << PHYR_PFN_SHIFT;
				/* The next range, whatever it is, from the top */
				i += k - 1;
				continue;
			}
		}
		if ((addr & (PHYR_PFN_SIZE - 1)) || addr == tail_end)
			break;
		if (len != PHYR_PFN_SIZE) {
			n = len >> PHYR_PFN_SHIFT;
			if ((len & (PHYR_PFN_SIZE - 1)) || !is_power_of_2(n) ||
			    (pfn & (n - 1)) || ilog2(n) > max_order)
				break;
			order = ilog2(n);
		}
		/* A chunk's packed entries lie in its window */
		if (c && !pk_in_window(c, pfn))
			break;
		/* range_check(): the block ends below the last frame... */
		if (addr > U64_MAX - PHYR_PFN_SIZE + 1 - len)
			break;
		/* ...and the list stays within U64_MAX / 2 bytes */
		if (end + len > max_end)
			break;
		/* As seg_uniform_after(): the last entry stops being the last */
		if (cnt == 1)
			next = prev < 0 ? PHYR_MIXED : prev;
		else
			next = prev == uniform ? uniform : PHYR_MIXED;
		if (used + bw >
		    (c && next == PHYR_MIXED ? cap - PHYR_MARK_WORDS : cap))
			break;
		uniform = next;
		prev = order;
		if (c)
			w[used] = pk_word(pfn, order);
		else
			ent_put_w0(w + used, PHYR_ENC_BLOCK, pfn,
				   (u64)order << PHYR_ORDER_SHIFT);
		last = used;
		used += bw;
		cnt++;
		end += len;
		tail_end = addr + len;
	}
	if (i) {
		seg->used = used;
		seg->last = last;
		seg->nr = cnt;
		seg->uniform = uniform;
		list->length += end - app->end;
		app->end = end;
	}
	return i;
}

/**
 * phyr_append_ranges() - Append physical byte ranges, all or nothing.
 * @app: append state.
 * @ranges: the ranges, in order.
 * @nr: how many.
 *
 * Each range is merged with the end of the list when physically contiguous
 * and stored in the smallest encoding that holds it.  The way to append
 * many ranges, such as the pages of a GUP batch: the undo state is taken
 * once for the whole batch.
 *
 * Context: Allocates with the gfp given to phyr_append_begin().
 * Return: 0; -EINVAL if a range is empty; -EOVERFLOW if a range wraps the
 * physical address space or the list would exceed U64_MAX / 2 bytes;
 * -ENOMEM.  On error the list is exactly as before the call.
 */
int phyr_append_ranges(struct phyr_append *app, const struct phyr *ranges,
		       unsigned int nr)
{
	struct phyr_list *list = app->list;
	unsigned int i, burst, want;
	struct phyr_snap snap;
	u32 *old;
	int ret = 0;

	if (!nr)
		return 0;
	might_alloc(app->gfp);

	/*
	 * Room first, while nothing needs undoing: the head's array sized
	 * for the batch (each range takes 8 bytes at least), a shrunk last
	 * chunk back to a page.
	 */
	if (!list->height) {
		want = list->seg.used + 2 * min_t(unsigned int, nr, PHYR_CHUNK_WORDS);
		if (want > seg_cap(list, NULL)) {
			ret = phyr_grow_head(list, app, want, &old);
			if (ret)
				return ret;
			kfree(old);
		}
	} else {
		ret = phyr_grow_tail(list, app);
		if (ret)
			return ret;
	}

	app->end = list_end(list);
	snap_take(list, &snap);
	for (i = 0; i < nr && !ret;) {
		burst = append_blocks_burst(list, app, ranges + i, nr - i);
		if (burst) {
			i += burst;
			continue;
		}
		ret = range_check(list, &ranges[i]);
		if (!ret)
			ret = __phyr_append(list, app, ranges[i].addr,
					    ranges[i].len);
		i++;
	}
	if (ret)
		snap_restore(list, app, &snap);
	kfree(app->retired);
	app->retired = NULL;
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(phyr_append_ranges);

/**
 * phyr_append_range() - Append a physical byte range.
 * @app: append state.
 * @addr: physical address of the first byte.
 * @len: number of bytes.
 *
 * As phyr_append_ranges() of one range.
 *
 * Context: Allocates with the gfp given to phyr_append_begin().
 * Return: as phyr_append_ranges().  On error the list is exactly as before
 * the call.
 */
int phyr_append_range(struct phyr_append *app, phys_addr_t addr, u64 len)
{
	const struct phyr r = { .addr = addr, .len = len };

	return phyr_append_ranges(app, &r, 1);
}
EXPORT_SYMBOL_GPL(phyr_append_range);

/**
 * phyr_append_end() - Finish a series of appends.
 * @app: append state.
 *
 * Shrinks the list's last chunk to fit its entries (allocating with the
 * gfp given to phyr_append_begin(), without warning; the chunk stays as it
 * is if that fails) and writes its sub-index.
 *
 * Context: As phyr_append_begin()'s gfp allows.
 */
void phyr_append_end(struct phyr_append *app)
{
	if (app->list)
		phyr_shrink_tail(app->list, app->gfp | __GFP_NOWARN);
	app->list = NULL;
}
EXPORT_SYMBOL_GPL(phyr_append_end);
