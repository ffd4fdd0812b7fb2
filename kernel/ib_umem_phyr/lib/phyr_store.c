// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * Packed physical-range lists: storage.  The head's array, chunks, the
 * index over them, the sub-index of chunks of mixed entries, shrinking and
 * freeing.  See include/linux/phyr.h for the design.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#include <linux/bug.h>
#include <linux/export.h>
#include <linux/log2.h>
#include <linux/math.h>
#include <linux/minmax.h>
#include <linux/phyr.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "phyr_enc.h"

/*
 * Chunks and index nodes: a page each where pages are 4 KiB, so a list
 * costs exactly its pages; kmalloc() elsewhere.  Only a list's last chunk
 * may be smaller, kmalloc()ed by phyr_shrink_tail().
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

static void chunk_free(struct phyr_chunk *c)
{
	if (BIT(c->seg.size) == PHYR_CHUNK_SIZE)
		block_free(c);
	else
		kfree(c);
}

/* A fresh, empty page-sized chunk. */
struct phyr_chunk *phyr_chunk_get(struct phyr_append *app)
{
	struct phyr_chunk *c = block_alloc(app->gfp);

	if (c) {
		memset(c, 0, sizeof(*c));
		c->seg.size = ilog2(PHYR_CHUNK_SIZE);
	}
	return c;
}

/* Index nodes */

/* Nodes an index over @chunks chunks has: a full left-packed tree. */
static unsigned long index_nodes(unsigned long chunks)
{
	unsigned long nodes = 0;

	if (chunks <= PHYR_CHAIN_MAX)
		return 0;
	do {
		chunks = DIV_ROUND_UP(chunks, PHYR_NODE_SLOTS);
		nodes += chunks;
	} while (chunks > 1);
	return nodes;
}

/* The rightmost node at each level, path[1] just above the chunks. */
static void right_path(const struct phyr_list *list, struct phyr_node **path)
{
	int level;

	path[list->height - 1] = list->root;
	for (level = list->height - 1; level > 1; level--)
		path[level - 1] = path[level]->slot[path[level]->nr - 1];
}

/*
 * Hook chunk @c in after the last chunk, in the index if there is one: the
 * first index when the chain passes %PHYR_CHAIN_MAX chunks, new nodes on
 * the right edge when the nodes there are full.
 */
static int index_insert(struct phyr_list *list, struct phyr_append *app,
			struct phyr_chunk *c)
{
	struct phyr_node *path[PHYR_MAX_HEIGHT], *fresh[PHYR_MAX_HEIGHT];
	unsigned long need = index_nodes(list->nr_chunks + 1) - list->nr_nodes;
	struct phyr_chunk *p;
	void *child = c;
	int level, top;
	unsigned int i;

	if (list->height + 1 > PHYR_MAX_HEIGHT && need)
		return -ENOMEM;
	for (i = 0; i < need; i++) {
		fresh[i] = block_alloc(app->gfp);
		if (!fresh[i]) {
			while (i--)
				block_free(fresh[i]);
			return -ENOMEM;
		}
		fresh[i]->nr = 0;
	}
	list->nr_nodes += need;

	if (list->height == 1) {
		if (!need)
			return 0;
		/* The first index: one node over the chain and @c */
		for (p = list->first; p; p = p->next) {
			fresh[0]->start[fresh[0]->nr] = p->start;
			fresh[0]->slot[fresh[0]->nr++] = p;
		}
		fresh[0]->start[fresh[0]->nr] = c->start;
		fresh[0]->slot[fresh[0]->nr++] = c;
		list->root = fresh[0];
		list->height = 2;
		return 0;
	}

	/* New nodes below the first one with room, and a root if none has */
	right_path(list, path);
	for (top = 1; top < list->height; top++)
		if (path[top]->nr < PHYR_NODE_SLOTS)
			break;
	for (level = 1; level < top; level++) {
		struct phyr_node *n = fresh[level - 1];

		n->nr = 1;
		n->start[0] = c->start;
		n->slot[0] = child;
		child = n;
	}
	if (top == list->height) {
		struct phyr_node *root = fresh[top - 1];

		root->nr = 2;
		root->start[0] = 0;
		root->slot[0] = list->root;
		root->start[1] = c->start;
		root->slot[1] = child;
		list->root = root;
		list->height++;
	} else {
		struct phyr_node *n = path[top];

		n->start[n->nr] = c->start;
		n->slot[n->nr++] = child;
	}
	return 0;
}

/**
 * phyr_find_chunk() - The chunk holding an untrimmed offset.
 * @list: a list of height 1 or more.
 * @u: the untrimmed offset, below the list's end.
 *
 * Along the chain while a list has at most %PHYR_CHAIN_MAX chunks, else
 * down the index.
 *
 * Return: the chunk.
 */
const struct phyr_chunk *phyr_find_chunk(const struct phyr_list *list, u64 u)
{
	const struct phyr_chunk *c;
	const void *p = list->root;
	int level;

	if (list->height == 1) {
		for (c = list->first; c->next && c->next->start <= u;)
			c = c->next;
		return c;
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
	return p;
}

/* The chunk before the last one. */
static struct phyr_chunk *prev_chunk(const struct phyr_list *list)
{
	return (struct phyr_chunk *)phyr_find_chunk(list, list->tail->start - 1);
}

/*
 * The sub-index of a chunk of mixed entries, written once it is complete:
 * see %PHYR_MARKS.  A mark is two words: the entry's offset from the
 * chunk's start in 4 KiB frames, then its word in bits 15:0 and the rest of
 * the offset (byte ranges start anywhere) in bits 27:16.
 */
static void mark_put(u32 *m, u64 pos, unsigned int word)
{
	m[0] = pos >> PHYR_PFN_SHIFT;
	m[1] = word | (u32)(pos & (PHYR_PFN_SIZE - 1)) << 16;
}

static u64 mark_pos(const u32 *m)
{
	return (u64)m[0] << PHYR_PFN_SHIFT | m[1] >> 16;
}

void phyr_chunk_seal(const struct phyr_list *list, struct phyr_chunk *c)
{
	unsigned int cap = seg_cap(list, c), word = 0, i = 0, k = 0;
	u32 *marks = c->words + cap - PHYR_MARK_WORDS;
	u64 pos = 0;
	struct phyr e;

	c->seg.marked = 0;
	if (c->seg.uniform != PHYR_MIXED || c->seg.used + PHYR_MARK_WORDS > cap)
		return;
	for (; word < c->seg.used; word += ent_words(c->words + word), i++) {
		/* Mark k at entry (k + 1) * nr / (PHYR_MARKS + 1) */
		while (k < PHYR_MARKS &&
		       i == (k + 1) * c->seg.nr / (PHYR_MARKS + 1)) {
			if (pos >> PHYR_PFN_SHIFT > U32_MAX)
				return;
			mark_put(marks + 2 * k, pos, word);
			k++;
		}
		ent_decode(c->words + word, &e);
		pos += e.len;
	}
	/* Fewer entries than marks: the rest point at the first entry */
	for (; k < PHYR_MARKS; k++)
		mark_put(marks + 2 * k, 0, 0);
	c->seg.marked = 1;
}

/**
 * phyr_chunk_marks() - Where a scan for an offset in a chunk may start.
 * @list: the list.
 * @c: a chunk of mixed entries.
 * @u: an untrimmed offset inside the chunk.
 * @pos: receives the untrimmed offset of the entry returned.
 *
 * Return: the word of the last marked entry at or before @u, or 0.
 */
unsigned int phyr_chunk_marks(const struct phyr_list *list,
			      const struct phyr_chunk *c, u64 u, u64 *pos)
{
	const u32 *marks = c->words + seg_cap(list, c) - PHYR_MARK_WORDS;
	u64 rel = u - c->start;
	int k;

	*pos = c->start;
	if (!c->seg.marked)
		return 0;
	for (k = PHYR_MARKS - 1; k >= 0; k--) {
		if (mark_pos(marks + 2 * k) <= rel) {
			*pos = c->start + mark_pos(marks + 2 * k);
			return marks[2 * k + 1] & 0xffff;
		}
	}
	return 0;
}

/**
 * phyr_chunk_push() - Make a fresh chunk the list's last.
 * @list: the list, of height 1 or more.
 * @app: the append state (for index nodes).
 * @c: the chunk, from phyr_chunk_get(), its start set.
 *
 * The chunk that was last is complete: it gets its sub-index.
 *
 * Return: 0, or -ENOMEM (for an index node) with nothing changed.
 */
int phyr_chunk_push(struct phyr_list *list, struct phyr_append *app,
		    struct phyr_chunk *c)
{
	int ret = index_insert(list, app, c);

	if (ret)
		return ret;
	phyr_chunk_seal(list, list->tail);
	list->tail->next = c;
	list->tail = c;
	list->nr_chunks++;
	return 0;
}

/* Unhook and free the last chunk; the inverse of phyr_chunk_push(). */
void phyr_chunk_pop(struct phyr_list *list)
{
	struct phyr_node *path[PHYR_MAX_HEIGHT];
	struct phyr_chunk *c = list->tail;
	unsigned long keep = index_nodes(list->nr_chunks - 1);
	int level;

	if (list->height == 2 && list->nr_chunks == PHYR_CHAIN_MAX + 1) {
		/* Back to a chain */
		block_free(list->root);
		list->height = 1;
	}
	if (list->height == 1) {
		list->tail = prev_chunk(list);
	} else {
		right_path(list, path);
		for (level = 1; level < list->height; level++) {
			if (--path[level]->nr)
				break;
			block_free(path[level]);
		}
		while (list->height > 2) {
			struct phyr_node *root = list->root;

			if (root->nr != 1)
				break;
			list->root = root->slot[0];
			block_free(root);
			list->height--;
		}
		/* The new tail: the rightmost chunk left */
		right_path(list, path);
		list->tail = path[1]->slot[path[1]->nr - 1];
	}
	list->nr_nodes = keep;
	list->nr_chunks--;
	chunk_free(c);
	list->tail->next = NULL;
}

/* Move the entries kept in the head into a first chunk @c. */
void phyr_to_chunked(struct phyr_list *list, struct phyr_chunk *c)
{
	c->seg = list->seg;
	c->seg.size = ilog2(PHYR_CHUNK_SIZE);
	c->start = 0;
	memcpy(c->words, seg_words(list, NULL), list->seg.used * sizeof(u32));
	list->first = c;
	list->tail = c;
	list->nr_chunks = 1;
	list->nr_nodes = 0;
	list->height = 1;
}

/**
 * phyr_grow_head() - Make room in a list kept in its head.
 * @list: the list, of height 0.
 * @app: the append state.
 * @words: the words the head must be able to hold.
 * @old: receives the array the head used before, for the caller to free
 *	(NULL if none).
 *
 * An array of the next power of two bytes that holds @words, or a first
 * chunk when that would pass %PHYR_SMALL_MAX_BYTES.
 *
 * Return: 0, or -ENOMEM with nothing changed.
 */
int phyr_grow_head(struct phyr_list *list, struct phyr_append *app,
		   unsigned int words, u32 **old)
{
	size_t bytes = max_t(size_t, roundup_pow_of_two(words * sizeof(u32)),
			     PHYR_SMALL_MIN_BYTES);
	struct phyr_chunk *c;
	u32 *w;

	*old = list->seg.size ? list->ext : NULL;
	if (bytes > PHYR_SMALL_MAX_BYTES) {
		c = phyr_chunk_get(app);
		if (!c)
			return -ENOMEM;
		phyr_to_chunked(list, c);
		return 0;
	}
	w = kmalloc(bytes, app->gfp);
	if (!w)
		return -ENOMEM;
	memcpy(w, seg_words(list, NULL), list->seg.used * sizeof(u32));
	list->seg.size = ilog2(bytes);
	list->ext = w;
	return 0;
}

/* Chunk @c takes the last chunk's place, in the chain and in the index. */
static void replace_tail(struct phyr_list *list, struct phyr_chunk *c)
{
	struct phyr_node *path[PHYR_MAX_HEIGHT];

	if (list->nr_chunks == 1)
		list->first = c;
	else
		prev_chunk(list)->next = c;
	if (list->height > 1) {
		right_path(list, path);
		path[1]->slot[path[1]->nr - 1] = c;
	}
	list->tail = c;
}

/**
 * phyr_grow_tail() - Give a shrunk last chunk its page back.
 * @list: the list, of height 1 or more.
 * @app: the append state.
 *
 * Keeps "only the last chunk is smaller than a page" true once more
 * chunks follow it.
 *
 * Return: 0, or -ENOMEM with nothing changed.
 */
int phyr_grow_tail(struct phyr_list *list, struct phyr_append *app)
{
	struct phyr_chunk *small = list->tail, *c;

	if (BIT(small->seg.size) == PHYR_CHUNK_SIZE)
		return 0;
	c = phyr_chunk_get(app);
	if (!c)
		return -ENOMEM;
	c->start = small->start;
	c->seg = small->seg;
	c->seg.size = ilog2(PHYR_CHUNK_SIZE);
	c->seg.marked = 0;
	memcpy(c->words, small->words, small->seg.used * sizeof(u32));
	replace_tail(list, c);
	kfree(small);
	return 0;
}

/*
 * Shrink the last chunk to the power of two its entries (and sub-index)
 * need: a list of a few chunks would otherwise pay a mostly empty page (a
 * 1 GiB THP list has 512 entries, 509 in a first chunk and 3 in a second).
 * An only chunk moves back into the head's array if that is large enough.
 * Best effort: without memory the chunk stays as it is.
 */
void phyr_shrink_tail(struct phyr_list *list, gfp_t gfp)
{
	struct phyr_chunk *c = list->tail, *small;
	size_t need, bytes;
	u32 *words;

	if (!list->height || BIT(c->seg.size) != PHYR_CHUNK_SIZE)
		return;
	if (list->nr_chunks == 1) {
		need = c->seg.used * sizeof(u32);
		if (need > PHYR_SMALL_MAX_BYTES)
			goto seal;
		bytes = max_t(size_t, roundup_pow_of_two(need),
			      PHYR_SMALL_MIN_BYTES);
		words = kmalloc(bytes, gfp);
		if (!words)
			goto seal;
		memcpy(words, c->words, need);
		list->seg = c->seg;
		list->seg.size = ilog2(bytes);
		list->seg.marked = 0;
		list->ext = words;
		list->height = 0;
		list->nr_chunks = 0;
		block_free(c);
		return;
	}
	need = sizeof(*c) + c->seg.used * sizeof(u32);
	if (c->seg.uniform == PHYR_MIXED)
		need += PHYR_MARK_WORDS * sizeof(u32);
	bytes = max_t(size_t, roundup_pow_of_two(need), PHYR_SMALL_MIN_BYTES);
	if (bytes >= PHYR_CHUNK_SIZE)
		goto seal;
	small = kmalloc(bytes, gfp);
	if (!small)
		goto seal;
	memcpy(small, c, sizeof(*c) + c->seg.used * sizeof(u32));
	small->seg.size = ilog2(bytes);
	replace_tail(list, small);
	block_free(c);
	c = small;
seal:
	phyr_chunk_seal(list, c);
}

static void free_nodes(struct phyr_node *n, int level)
{
	u64 i;

	if (level > 1)
		for (i = 0; i < n->nr; i++)
			free_nodes(n->slot[i], level - 1);
	block_free(n);
}

/* Free every chunk from @c on. */
void phyr_free_chunks(struct phyr_chunk *c)
{
	struct phyr_chunk *next;

	for (; c; c = next) {
		next = c->next;
		chunk_free(c);
	}
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
	if (!list->height) {
		if (list->seg.size)
			kfree(list->ext);
	} else {
		if (list->height > 1)
			free_nodes(list->root, list->height - 1);
		phyr_free_chunks(list->first);
	}
	phyr_list_init(list);
}
EXPORT_SYMBOL_GPL(phyr_list_destroy);

/**
 * phyr_list_footprint() - Memory allocated for a list.
 * @list: the list.
 *
 * The head itself (sizeof(struct phyr_list)) is the caller's and not
 * counted.
 *
 * Context: Any context.
 * Return: bytes allocated for entries and index: the array of a short list,
 * else the chunks and index nodes.
 */
size_t phyr_list_footprint(const struct phyr_list *list)
{
	if (!list->height)
		return list->seg.size ? BIT(list->seg.size) : 0;
	/* Every chunk but the last is a page */
	return (size_t)(list->nr_chunks - 1) * PHYR_CHUNK_SIZE +
	       BIT(list->tail->seg.size) +
	       (size_t)list->nr_nodes * PHYR_NODE_SIZE;
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
		return list->seg.nr;
	for (nr = 0, c = list->first; c; c = c->next)
		nr += c->seg.nr;
	return nr;
}
EXPORT_SYMBOL_GPL(phyr_list_nr_entries);

/**
 * phyr_list_first_addr() - Physical address of a list's first byte.
 * @list: the list.
 * @addr: receives the address.
 *
 * Context: Any context.
 * Return: true, or false with @addr untouched if the list is empty.
 */
bool phyr_list_first_addr(const struct phyr_list *list, phys_addr_t *addr)
{
	struct phyr p;

	if (phyr_list_empty(list))
		return false;
	ent_decode(seg_words_const(list, list->height ? list->first : NULL), &p);
	*addr = p.addr + list->offset;
	return true;
}
EXPORT_SYMBOL_GPL(phyr_list_first_addr);
