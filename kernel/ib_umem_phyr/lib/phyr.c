// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * Packed physical-range lists: storage, appending, iteration and seeking.
 * See include/linux/phyr.h for the design.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
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

#include "phyr_internal.h"

static inline void ent_put_w0(u32 *w, enum phyr_enc enc, u64 pfn, u64 high)
{
	u64 w0 = pfn | high | (u64)enc << PHYR_MODE_SHIFT;

	w[0] = lower_32_bits(w0);
	w[1] = upper_32_bits(w0);
}

/* The largest order a block starting at @pfn can have. */
static inline unsigned int pfn_align(u64 pfn)
{
	return pfn ? min_t(unsigned int, __ffs64(pfn), PHYR_MAX_ORDER) :
		     PHYR_MAX_ORDER;
}

/*
 * Encode the largest prefix of a run of whole pages that one entry holds:
 * a BLOCK when the run is a naturally aligned power of two, else a COUNT of
 * blocks as large as the start's alignment allows.  Returns the number of
 * words written; *@len is cut to the bytes encoded.
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

/* As ent_encode_pages(), for a range of bytes that need not be pages. */
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

/* Storage */

static inline struct phyr_chunk_hdr *tail_hdr(struct phyr_list *list)
{
	return list->height ? &list->tail->hdr : &list->inl.hdr;
}

static inline bool head_ext(const struct phyr_list *list)
{
	return list->inl.hdr.size & PHYR_SIZE_EXT;
}

/* Words the tail chunk, or the head, holds. */
static inline unsigned int hdr_cap(const struct phyr_list *list)
{
	if (list->height)
		return (BIT(list->tail->hdr.size) -
			sizeof(struct phyr_chunk_hdr)) / sizeof(u32);
	if (head_ext(list))
		return BIT(list->inl.hdr.size & ~PHYR_SIZE_EXT) / sizeof(u32);
	return PHYR_INLINE_WORDS;
}

/*
 * Chunks and index nodes: a page each where pages are 4 KiB, so a list
 * costs exactly its pages with no slab rounding; kmalloc() elsewhere.  Only
 * a last chunk shrunk by phyr_append_end() is smaller, and kmalloc()ed.
 */
static void *block_alloc(gfp_t gfp)
{
	if (PAGE_SIZE == PHYR_CHUNK_SIZE)
		return (void *)__get_free_page(gfp);
	return kmalloc(PHYR_CHUNK_SIZE, gfp);
}

static void block_free(void *p)
{
	if (PAGE_SIZE == PHYR_CHUNK_SIZE)
		free_page((unsigned long)p);
	else
		kfree(p);
}

static void chunk_free(struct phyr_list *list, struct phyr_chunk *c)
{
	list->bytes -= BIT(c->hdr.size);
	if (BIT(c->hdr.size) == PHYR_CHUNK_SIZE)
		block_free(c);
	else
		kfree(c);
}

/* A chunk or node: from the reservation if there is one. */
static void *block_get(struct phyr_append *app)
{
	void **p = app->spare;

	if (!p)
		return block_alloc(app->gfp);
	app->spare = *p;
	app->nr_spare--;
	return p;
}

static struct phyr_chunk *chunk_get(struct phyr_append *app)
{
	struct phyr_chunk *c = block_get(app);

	if (c) {
		memset(&c->hdr, 0, sizeof(c->hdr));
		c->hdr.size = ilog2(PHYR_CHUNK_SIZE);
	}
	return c;
}

static struct phyr_node *node_get(struct phyr_list *list,
				  struct phyr_append *app)
{
	struct phyr_node *n = block_get(app);

	if (n) {
		n->nr = 0;
		list->bytes += PHYR_NODE_SIZE;
	}
	return n;
}

static void node_put(struct phyr_list *list, struct phyr_node *n)
{
	list->bytes -= PHYR_NODE_SIZE;
	block_free(n);
}

/* The rightmost node at each level, path[1] just above the chunks. */
static void right_path(const struct phyr_list *list, struct phyr_node **path)
{
	int level;

	path[list->height - 1] = list->root;
	for (level = list->height - 1; level > 1; level--)
		path[level - 1] = path[level]->slot[path[level]->nr - 1];
}

/* The first index: one node over the chain and chunk @c after it. */
static int index_build(struct phyr_list *list, struct phyr_append *app,
		       struct phyr_chunk *c)
{
	struct phyr_node *n = node_get(list, app);
	struct phyr_chunk *p;

	if (!n)
		return -ENOMEM;
	for (p = list->first; p; p = p->hdr.next) {
		n->start[n->nr] = p->hdr.start;
		n->slot[n->nr++] = p;
	}
	n->start[n->nr] = c->hdr.start;
	n->slot[n->nr++] = c;
	list->root = n;
	list->height = 2;
	return 0;
}

/* Hook chunk @c in after the last chunk, in the index if there is one. */
static int index_insert(struct phyr_list *list, struct phyr_append *app,
			struct phyr_chunk *c)
{
	struct phyr_node *path[PHYR_MAX_HEIGHT], *fresh[PHYR_MAX_HEIGHT];
	int level, top, need, i;
	void *child = c;
	bool grow;

	if (list->height == 1)
		return list->nr_chunks < PHYR_CHAIN_MAX ? 0 :
		       index_build(list, app, c);

	right_path(list, path);
	for (top = 1; top < list->height; top++)
		if (path[top]->nr < PHYR_NODE_SLOTS)
			break;
	/* New nodes below the first one with room, and a root if none has */
	grow = top == list->height;
	need = top - 1 + grow;
	if (list->height + grow > PHYR_MAX_HEIGHT)
		return -ENOMEM;
	for (i = 0; i < need; i++) {
		fresh[i] = node_get(list, app);
		if (!fresh[i]) {
			while (i--)
				node_put(list, fresh[i]);
			return -ENOMEM;
		}
	}
	for (level = 1; level < top; level++) {
		struct phyr_node *n = fresh[level - 1];

		n->nr = 1;
		n->start[0] = c->hdr.start;
		n->slot[0] = child;
		child = n;
	}
	if (grow) {
		struct phyr_node *root = fresh[need - 1];

		root->nr = 2;
		root->start[0] = 0;
		root->slot[0] = list->root;
		root->start[1] = c->hdr.start;
		root->slot[1] = child;
		list->root = root;
		list->height++;
	} else {
		struct phyr_node *n = path[top];

		n->start[n->nr] = c->hdr.start;
		n->slot[n->nr++] = child;
	}
	return 0;
}

/* The chunk before the last one. */
static struct phyr_chunk *prev_chunk(const struct phyr_list *list)
{
	const struct phyr_chunk_hdr *hdr;

	hdr = find_chunk(list, list->tail->hdr.start - 1);
	return container_of((struct phyr_chunk_hdr *)hdr, struct phyr_chunk,
			    hdr);
}

/* Unhook and free the last chunk; the inverse of index_insert(). */
static void index_pop(struct phyr_list *list)
{
	struct phyr_node *path[PHYR_MAX_HEIGHT];
	struct phyr_chunk *c = list->tail;
	int level;

	if (list->height == 2 && list->nr_chunks == PHYR_CHAIN_MAX + 1) {
		/* Back to a chain: the inverse of index_build() */
		node_put(list, list->root);
		list->height = 1;
	}
	if (list->height == 1) {
		list->tail = prev_chunk(list);
	} else {
		right_path(list, path);
		for (level = 1; level < list->height; level++) {
			if (--path[level]->nr)
				break;
			node_put(list, path[level]);
		}
		while (list->height > 2) {
			struct phyr_node *root = list->root;

			if (root->nr != 1)
				break;
			list->root = root->slot[0];
			node_put(list, root);
			list->height--;
		}
		/* The new tail is the last chunk left: the rightmost leaf */
		right_path(list, path);
		list->tail = path[1]->slot[path[1]->nr - 1];
	}
	list->nr_chunks--;
	chunk_free(list, c);
	list->tail->hdr.next = NULL;
}

/*
 * An array outgrown within a series of appends: kept until the series ends,
 * since undoing it may need the array back.
 */
static void retire(struct phyr_append *app, u32 *words)
{
	if (WARN_ON_ONCE(app->nr_retired == PHYR_SMALL_CLASSES))
		return;		/* cannot happen: one array per size class */
	app->retired[app->nr_retired++] = words;
}

/* Move the entries kept in the list head into a first chunk. */
static int to_chunked(struct phyr_list *list, struct phyr_append *app)
{
	struct phyr_chunk_hdr *hdr = &list->inl.hdr;
	struct phyr_chunk *c = chunk_get(app);

	if (!c)
		return -ENOMEM;
	c->hdr = *hdr;
	c->hdr.size = ilog2(PHYR_CHUNK_SIZE);
	memcpy(c->words, hdr_words(hdr), hdr->used * sizeof(u32));
	if (head_ext(list))
		retire(app, list->ext.words);
	list->first = c;
	list->tail = c;
	list->nr_chunks = 1;
	list->bytes = PHYR_CHUNK_SIZE;
	list->height = 1;
	return 0;
}

/*
 * Make room in a list kept in its head: an array twice the size, or large
 * enough for the batch being appended if that is more, or the first chunk
 * once the array would pass %PHYR_SMALL_MAX_BYTES (or when chunks were
 * reserved: an append that preloaded may not allocate).  Sizing for the
 * batch spares a GUP batch of fragmented pages five arrays it would outgrow
 * at once.
 */
static int grow_small(struct phyr_list *list, struct phyr_append *app)
{
	struct phyr_chunk_hdr *hdr = &list->inl.hdr;
	unsigned int want = max(2 * hdr_cap(list), hdr->used + app->batch_words);
	unsigned int bytes = max_t(unsigned int,
				   roundup_pow_of_two(want * sizeof(u32)),
				   PHYR_SMALL_MIN_BYTES);
	u32 *words;

	if (app->spare || bytes > PHYR_SMALL_MAX_BYTES)
		return to_chunked(list, app);
	words = kmalloc(bytes, app->gfp);
	if (!words)
		return -ENOMEM;
	memcpy(words, hdr_words(hdr), hdr->used * sizeof(u32));
	if (head_ext(list))
		retire(app, list->ext.words);
	hdr->size = PHYR_SIZE_EXT | ilog2(bytes);
	list->ext.words = words;
	return 0;
}

/* A fresh tail chunk whose first entry starts at untrimmed offset @start. */
static int add_chunk(struct phyr_list *list, struct phyr_append *app,
		     u64 start)
{
	struct phyr_chunk *c;
	int ret;

	c = chunk_get(app);
	if (!c)
		return -ENOMEM;
	c->hdr.start = start;
	list->bytes += PHYR_CHUNK_SIZE;
	ret = index_insert(list, app, c);
	if (ret) {
		chunk_free(list, c);
		return ret;
	}
	list->tail->hdr.next = c;
	list->tail = c;
	list->nr_chunks++;
	return 0;
}

/*
 * The entry at word @last stops being the chunk's last one: fold it into
 * the chunk's uniform order, which describes every entry but the last (the
 * last one still changes as contiguous pages merge into it).
 */
static void hdr_commit(struct phyr_chunk_hdr *hdr, const u32 *w)
{
	bool block = ent_enc(w) == PHYR_ENC_BLOCK;

	if (hdr->nr == 1)
		hdr->uniform = block ? ent_order(w) : PHYR_MIXED;
	else if (!block || ent_order(w) != hdr->uniform)
		hdr->uniform = PHYR_MIXED;
}

/* Append one encoded entry of @len bytes. */
static int push_entry(struct phyr_list *list, struct phyr_append *app,
		      const u32 *w, unsigned int n, u64 len)
{
	struct phyr_chunk_hdr *hdr = tail_hdr(list);
	int ret;

	if (hdr->used + n > hdr_cap(list)) {
		if (list->height)
			ret = add_chunk(list, app, list->end);
		else
			ret = grow_small(list, app);
		if (ret)
			return ret;
		hdr = tail_hdr(list);
	}
	if (hdr->nr)
		hdr_commit(hdr, hdr_words(hdr) + hdr->last);
	memcpy(hdr_words(hdr) + hdr->used, w, n * sizeof(u32));
	hdr->last = hdr->used;
	hdr->used += n;
	hdr->nr++;
	list->end += len;
	return 0;
}

/* Replace the last entry, of @old_len bytes, by one of @len bytes. */
static int replace_tail(struct phyr_list *list, struct phyr_append *app,
			const u32 *w, unsigned int n, u64 old_len, u64 len)
{
	struct phyr_chunk_hdr *hdr = tail_hdr(list);
	unsigned int word;
	int ret;

	if (hdr->last + n > hdr_cap(list)) {
		if (list->height) {
			/* Full chunk: the entry moves to a new one */
			ret = add_chunk(list, app, list->end - old_len);
			if (ret)
				return ret;
			hdr->used = hdr->last;
			hdr->nr--;
			for (word = 0; word + ent_words(hdr_words(hdr) + word) <
			     hdr->used; word += ent_words(hdr_words(hdr) + word))
				;
			hdr->last = word;
			list->end -= old_len;
			return push_entry(list, app, w, n, len);
		}
		ret = grow_small(list, app);
		if (ret)
			return ret;
		hdr = tail_hdr(list);
	}
	memcpy(hdr_words(hdr) + hdr->last, w, n * sizeof(u32));
	hdr->used = hdr->last + n;
	list->end += len - old_len;
	return 0;
}

/* One entry for the largest prefix of the run, of either kind. */
static unsigned int ent_encode(u32 *w, phys_addr_t addr, u64 *len, bool pages)
{
	return pages ? ent_encode_pages(w, addr, len) :
		       ent_encode_bytes(w, addr, len);
}

/*
 * Append [addr, addr + len) as page entries (@pages: both page aligned) or
 * byte entries, as many as it takes.
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
	struct phyr_chunk_hdr *hdr = tail_hdr(list);
	const u32 *w = hdr_words(hdr) + hdr->last;

	ent_decode(w, t);
	*pages = ent_is_pages(w);
}

static int __phyr_append(struct phyr_list *list, struct phyr_append *app,
			 phys_addr_t addr, u64 len)
{
	u64 off = addr & (PHYR_PFN_SIZE - 1), slack;
	struct phyr t;
	bool pages;
	int ret;

	if (!list->end) {
		ret = push_run(list, app, addr - off,
			       round_up(off + len, PHYR_PFN_SIZE), true);
		list->offset = off;
		list->length = len;
		return ret;
	}

	tail_entry(list, &t, &pages);
	slack = list->end - list->offset - list->length;
	if (addr == t.addr + t.len - slack) {
		/* Physically contiguous with the end: grow the last entry */
		if (len > slack) {
			u64 grown = pages ? round_up(addr + len, PHYR_PFN_SIZE) :
					    addr + len;

			ret = regrow_tail(list, app, &t, pages, grown - t.addr);
			if (ret)
				return ret;
		}
		list->length += len;
		return 0;
	}

	if (slack) {
		/* The last page is cut short: make its used bytes exact */
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
	if (!ret)
		list->length += len;
	return ret;
}

/*
 * Undo: a copy of the list head, plus the last entry when it is not in the
 * head (it changes in place as contiguous ranges merge into it).
 */

static void snap_take(const struct phyr_list *list, struct phyr_snap *snap)
{
	const struct phyr_chunk_hdr *hdr = list->height ? &list->tail->hdr :
							  &list->inl.hdr;

	snap->head = *list;
	if (list->height || head_ext(list)) {
		snap->tail_hdr = *hdr;
		memcpy(snap->tail, hdr_words(hdr) + hdr->last,
		       ent_words(hdr_words(hdr) + hdr->last) * sizeof(u32));
	}
}

static void free_nodes(struct phyr_node *n, int level)
{
	u64 i;

	if (level > 1)
		for (i = 0; i < n->nr; i++)
			free_nodes(n->slot[i], level - 1);
	block_free(n);
}

static void free_storage(struct phyr_list *list)
{
	struct phyr_chunk *c, *next;

	if (!list->height) {
		if (head_ext(list))
			kfree(list->ext.words);
		return;
	}
	for (c = list->first; c; c = next) {
		next = c->hdr.next;
		chunk_free(list, c);
	}
	if (list->height > 1)
		free_nodes(list->root, list->height - 1);
}

/*
 * Going back to a state whose entries were in array @words (NULL: inline):
 * arrays retired after it are garbage, and it is live again.
 */
static void unretire(struct phyr_append *app, u32 *words)
{
	unsigned int i, keep = 0;

	for (i = 0; i < app->nr_retired; i++)
		if (app->retired[i] == words)
			keep = i + 1;
	if (words && !keep)
		return;		/* still the list's array: nothing newer */
	for (i = keep; i < app->nr_retired; i++)
		kfree(app->retired[i]);
	app->nr_retired = words ? keep - 1 : 0;
}

static void snap_restore(struct phyr_list *list, struct phyr_append *app,
			 const struct phyr_snap *snap)
{
	const struct phyr_list *saved = &snap->head;
	struct phyr_chunk_hdr *hdr;
	u32 *words;

	if (!saved->height) {
		words = head_ext(saved) ? saved->ext.words : NULL;
		if (list->height || !head_ext(list) ||
		    list->ext.words != words)
			free_storage(list);
		unretire(app, words);
		*list = *saved;
		if (!words)
			return;
	} else {
		while (list->nr_chunks > saved->nr_chunks)
			index_pop(list);
		*list = *saved;
	}
	hdr = tail_hdr(list);
	*hdr = snap->tail_hdr;
	memcpy(hdr_words(hdr) + hdr->last, snap->tail,
	       ent_words(snap->tail) * sizeof(u32));
}

/**
 * phyr_list_init() - Initialise an empty list.
 * @list: the list.
 *
 * Context: Any context.
 */
void phyr_list_init(struct phyr_list *list)
{
	memset(list, 0, sizeof(*list));
}
EXPORT_SYMBOL_GPL(phyr_list_init);

/**
 * phyr_list_destroy() - Free a list's storage.
 * @list: the list, initialised; may be empty.
 *
 * The list is empty afterwards and may be reused.
 *
 * Context: Any context.
 */
void phyr_list_destroy(struct phyr_list *list)
{
	free_storage(list);
	phyr_list_init(list);
}
EXPORT_SYMBOL_GPL(phyr_list_destroy);

/**
 * phyr_list_footprint() - Memory allocated for a list.
 * @list: the list.
 *
 * The head itself (sizeof(struct phyr_list)) is the caller's and not
 * counted; neither is memory preloaded for an append in progress.
 *
 * Context: Any context.
 * Return: bytes allocated for entries and index: the array of a short list,
 * else the chunks and index nodes.
 */
size_t phyr_list_footprint(const struct phyr_list *list)
{
	if (!list->height)
		return head_ext(list) ?
		       BIT(list->inl.hdr.size & ~PHYR_SIZE_EXT) : 0;
	return list->bytes;
}
EXPORT_SYMBOL_GPL(phyr_list_footprint);

/**
 * phyr_list_nr_entries() - Entries stored in a list.
 * @list: the list.
 *
 * Context: Any context.  O(number of chunks).
 * Return: the number of entries.
 */
unsigned long phyr_list_nr_entries(const struct phyr_list *list)
{
	const struct phyr_chunk *c;
	unsigned long nr;

	if (!list->height)
		return list->inl.hdr.nr;
	for (nr = 0, c = list->first; c; c = c->hdr.next)
		nr += c->hdr.nr;
	return nr;
}
EXPORT_SYMBOL_GPL(phyr_list_nr_entries);

/**
 * phyr_append_begin() - Start a series of appends.
 * @app: append state, from PHYR_APPEND().
 * @list: the list to append to.
 * @gfp: allocation flags for the adds.
 *
 * Context: Any context.
 */
void phyr_append_begin(struct phyr_append *app, struct phyr_list *list,
		       gfp_t gfp)
{
	app->list = list;
	app->gfp = gfp;
	snap_take(list, &app->begin);
}
EXPORT_SYMBOL_GPL(phyr_append_begin);

/**
 * phyr_append_preload() - Reserve memory for later appends.
 * @app: append state.
 * @nr_entries: entries the coming adds will at most create.
 * @gfp: allocation flags for the reservation.
 *
 * Adds take chunks and index nodes from the reservation before allocating
 * with the flags given to phyr_append_begin(); a list still kept in its head
 * moves straight to a reserved chunk instead of growing its array.
 * phyr_append_end() frees what is left.
 *
 * Context: Process context if @gfp may sleep.
 * Return: 0, or -ENOMEM (what was reserved stays reserved).
 */
int phyr_append_preload(struct phyr_append *app, unsigned long nr_entries,
			gfp_t gfp)
{
	unsigned long chunks, nodes, i;
	void **p;

	might_alloc(gfp);
	/* Worst case: 16-byte entries, one spilled chunk, a full index path */
	chunks = DIV_ROUND_UP(nr_entries * PHYR_ENT_MAX_WORDS,
			      PHYR_CHUNK_WORDS) + 1;
	nodes = DIV_ROUND_UP(chunks, PHYR_NODE_SLOTS - 1) + PHYR_MAX_HEIGHT;
	for (i = app->nr_spare; i < chunks + nodes; i++) {
		p = block_alloc(gfp);
		if (!p)
			return -ENOMEM;
		*p = app->spare;
		app->spare = p;
		app->nr_spare++;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(phyr_append_preload);

/*
 * Whether @r may be appended to @list: 0, -EINVAL if it is empty, or
 * -EOVERFLOW if it reaches the last pfn or the list would exceed U64_MAX / 2
 * bytes.  Checked range by range as each is appended (a failure undoes the
 * whole batch), not in a pass of its own over the batch beforehand.
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
 * What a GUP batch mostly appends: naturally aligned blocks of whole pages,
 * none continuing the one before, to a list that ends on a page boundary.
 * Writes as many of @ranges as qualify straight into the tail, the tail's
 * header held in locals meanwhile, and returns how many it took; 0 when the
 * first must go through __phyr_append() (any other range, a full tail, or
 * one that range_check() would refuse).  On fragmented memory this loop
 * runs once per page of every registration: a lone page, the common case,
 * skips the order computation.
 */
static unsigned int append_blocks_burst(struct phyr_list *list,
					const struct phyr *ranges,
					unsigned int nr)
{
	struct phyr_chunk_hdr *hdr = tail_hdr(list);
	unsigned int cap = hdr_cap(list), used = hdr->used, last = hdr->last;
	unsigned int cnt = hdr->nr, i;
	int uniform = hdr->uniform, prev;
	u32 *w = hdr_words(hdr);
	u64 end = list->end, max_end = list->offset + U64_MAX / 2;
	phys_addr_t tail_end;
	struct phyr t;

	if (!end || end != list->offset + list->length)
		return 0;
	ent_decode(w + last, &t);
	tail_end = t.addr + t.len;
	/* The order of the last entry if it is a BLOCK, else -1 */
	prev = ent_enc(w + last) == PHYR_ENC_BLOCK ? (int)ent_order(w + last) : -1;
	for (i = 0; i < nr; i++) {
		phys_addr_t addr = ranges[i].addr;
		u64 len = ranges[i].len;
		u64 pfn = addr >> PHYR_PFN_SHIFT, n;
		int order = 0;

		if ((addr & (PHYR_PFN_SIZE - 1)) || addr == tail_end ||
		    used + phyr_enc_words[PHYR_ENC_BLOCK] > cap)
			break;
		if (len != PHYR_PFN_SIZE) {
			n = len >> PHYR_PFN_SHIFT;
			if ((len & (PHYR_PFN_SIZE - 1)) || !is_power_of_2(n) ||
			    (pfn & (n - 1)) || ilog2(n) > PHYR_MAX_ORDER)
				break;
			order = ilog2(n);
		}
		/* range_check(): the block ends below the last pfn... */
		if (addr > U64_MAX - PHYR_PFN_SIZE + 1 - len)
			break;
		/* ...and the list stays within U64_MAX / 2 bytes */
		if (end + len > max_end)
			break;
		/* As hdr_commit(): the last entry stops being the last */
		if (cnt == 1)
			uniform = prev < 0 ? PHYR_MIXED : prev;
		else if (prev != uniform)
			uniform = PHYR_MIXED;
		prev = order;
		ent_put_w0(w + used, PHYR_ENC_BLOCK, pfn,
			   (u64)order << PHYR_ORDER_SHIFT);
		last = used;
		used += phyr_enc_words[PHYR_ENC_BLOCK];
		cnt++;
		end += len;
		tail_end = addr + len;
	}
	if (i) {
		hdr->used = used;
		hdr->last = last;
		hdr->nr = cnt;
		hdr->uniform = uniform;
		list->length += end - list->end;
		list->end = end;
	}
	return i;
}

/**
 * phyr_append_ranges() - Append physical byte ranges, all or nothing.
 * @app: append state.
 * @ranges: the ranges, in order.
 * @nr: how many.
 *
 * As phyr_append_range() on each in turn, but the undo state is taken once
 * for the whole batch: the way to append many short ranges, such as the
 * pages of a GUP batch.
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
	unsigned int i, burst;
	struct phyr_snap snap;
	int ret = 0;

	if (!nr)
		return 0;
	might_alloc(app->gfp);

	/* Each range takes an 8-byte entry at least */
	app->batch_words = min_t(unsigned int, nr, PHYR_CHUNK_WORDS) *
			   phyr_enc_words[PHYR_ENC_BLOCK];
	snap_take(list, &snap);
	for (i = 0; i < nr && !ret;) {
		burst = append_blocks_burst(list, ranges + i, nr - i);
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
	return ret;
}
EXPORT_SYMBOL_GPL(phyr_append_ranges);

/**
 * phyr_append_range() - Append a physical byte range.
 * @app: append state.
 * @addr: physical address of the first byte.
 * @len: number of bytes.
 *
 * The range is merged with the end of the list when physically contiguous
 * and stored in the smallest encoding that holds it.
 *
 * Context: Allocates with the gfp given to phyr_append_begin().
 * Return: 0; -EINVAL for a zero @len; -EOVERFLOW if the range wraps the
 * physical address space or the list would exceed U64_MAX / 2 bytes;
 * -ENOMEM.  On error the list is exactly as before the call.
 */
int phyr_append_range(struct phyr_append *app, phys_addr_t addr, u64 len)
{
	const struct phyr r = { .addr = addr, .len = len };

	return phyr_append_ranges(app, &r, 1);
}
EXPORT_SYMBOL_GPL(phyr_append_range);

/**
 * phyr_append_blocks() - Append blocks of naturally aligned pages.
 * @app: append state.
 * @pfn: first pfn, in 4 KiB units, aligned to 2^@order.
 * @order: log2 of the pages per block, at most %PHYR_MAX_ORDER.
 * @count: number of blocks, 1 to U32_MAX (one COUNT entry's worth).
 *
 * Context: Allocates with the gfp given to phyr_append_begin().
 * Return: 0; -EINVAL for a zero @count, a too large @order or an unaligned
 * @pfn; -EOVERFLOW for a @count above U32_MAX or blocks beyond the pfn
 * space; -ENOMEM.  On error the list is exactly as before the call.
 */
int phyr_append_blocks(struct phyr_append *app, unsigned long pfn,
		       unsigned int order, u64 count)
{
	if (!count || order > PHYR_MAX_ORDER || (pfn & (BIT_ULL(order) - 1)))
		return -EINVAL;
	if (count > U32_MAX || pfn > PHYR_PFN_MASK ||
	    (count << order) > PHYR_PFN_MASK - pfn)
		return -EOVERFLOW;
	return phyr_append_range(app, (phys_addr_t)pfn << PHYR_PFN_SHIFT,
				 (count << order) << PHYR_PFN_SHIFT);
}
EXPORT_SYMBOL_GPL(phyr_append_blocks);

/*
 * Shrink the last chunk to the power of two its entries need: a list of a
 * few chunks would otherwise pay a mostly empty page (a 1 GiB THP list has
 * 512 entries, 509 in a first chunk and 3 in a second).  An only chunk
 * moves back into the head's array if that is large enough.  Best effort:
 * without memory the chunk stays as it is.
 */
static void shrink_tail(struct phyr_list *list, gfp_t gfp)
{
	struct phyr_chunk *c = list->tail, *small;
	struct phyr_node *path[PHYR_MAX_HEIGHT];
	size_t need, bytes;
	u32 *words;

	if (!list->height || BIT(c->hdr.size) != PHYR_CHUNK_SIZE)
		return;
	if (list->nr_chunks == 1) {
		need = c->hdr.used * sizeof(u32);
		if (need > PHYR_SMALL_MAX_BYTES)
			return;
		bytes = max_t(size_t, roundup_pow_of_two(need),
			      PHYR_SMALL_MIN_BYTES);
		words = kmalloc(bytes, gfp);
		if (!words)
			return;
		memcpy(words, c->words, need);
		list->inl.hdr = c->hdr;
		list->inl.hdr.size = PHYR_SIZE_EXT | ilog2(bytes);
		list->ext.words = words;
		list->height = 0;
		block_free(c);
		return;
	}
	need = sizeof(c->hdr) + c->hdr.used * sizeof(u32);
	bytes = max_t(size_t, roundup_pow_of_two(need), PHYR_SMALL_MIN_BYTES);
	if (bytes >= PHYR_CHUNK_SIZE)
		return;
	small = kmalloc(bytes, gfp);
	if (!small)
		return;
	memcpy(small, c, need);
	small->hdr.size = ilog2(bytes);
	prev_chunk(list)->hdr.next = small;
	if (list->height > 1) {
		right_path(list, path);
		path[1]->slot[path[1]->nr - 1] = small;
	}
	list->tail = small;
	list->bytes += bytes;
	chunk_free(list, c);
}

static void free_spares(struct phyr_append *app)
{
	void **p;

	while ((p = app->spare)) {
		app->spare = *p;
		block_free(p);
	}
	app->nr_spare = 0;
}

/**
 * phyr_append_end() - Finish a series of appends.
 * @app: append state.
 *
 * Frees whatever phyr_append_preload() reserved and was not used, and the
 * arrays the list outgrew, and shrinks the list's last chunk to fit its
 * entries (allocating with the gfp given to phyr_append_begin(); the chunk
 * stays as it is if that fails).
 *
 * Context: Any context.
 */
void phyr_append_end(struct phyr_append *app)
{
	while (app->nr_retired)
		kfree(app->retired[--app->nr_retired]);
	free_spares(app);
	if (app->list)
		shrink_tail(app->list, app->gfp | __GFP_NOWARN);
	app->list = NULL;
}
EXPORT_SYMBOL_GPL(phyr_append_end);

/**
 * phyr_append_abort() - Undo a series of appends.
 * @app: append state.
 *
 * Leaves the list as it was at phyr_append_begin() and frees the
 * reservation.
 *
 * Context: Any context.
 */
void phyr_append_abort(struct phyr_append *app)
{
	snap_restore(app->list, app, &app->begin);
	phyr_append_end(app);
}
EXPORT_SYMBOL_GPL(phyr_append_abort);
