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
 * Full chunks and index nodes: a page each where pages are 4 KiB, so a
 * list costs exactly its pages; kmalloc() elsewhere.  Only a list's last
 * chunk may be smaller, kmalloc()ed by phyr_shrink_tail(), and the index
 * nodes on the right edge, kmalloc()ed at the size their slots need.
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
		memset(c, 0, PHYR_CHUNK_HDR);
		c->seg.size = ilog2(PHYR_CHUNK_SIZE);
	}
	return c;
}

/* Index nodes */

/* A node of 2^@size bytes, no slot used: a page when full-sized. */
static struct phyr_node *node_alloc(unsigned int size, gfp_t gfp)
{
	struct phyr_node *n = size == ilog2(PHYR_NODE_SIZE) ? block_alloc(gfp) :
			      kmalloc(BIT(size), gfp);

	if (n) {
		n->nr = 0;
		n->size = size;
	}
	return n;
}

static void node_release(struct phyr_node *n)
{
	if (n->size == ilog2(PHYR_NODE_SIZE))
		block_free(n);
	else
		kfree(n);
}

/* A node joins the list's index, or leaves it and is freed. */
static void node_account(struct phyr_list *list, struct phyr_node *n)
{
	list->node_units += BIT(n->size) / PHYR_NODE_MIN;
}

static void node_free(struct phyr_list *list, struct phyr_node *n)
{
	list->node_units -= BIT(n->size) / PHYR_NODE_MIN;
	node_release(n);
}

/* The smallest node size that holds @nr slots. */
static unsigned int node_size(unsigned int nr)
{
	size_t bytes = sizeof(struct phyr_node) + nr * sizeof(struct phyr_slot);

	return ilog2(max_t(size_t, roundup_pow_of_two(bytes), PHYR_NODE_MIN));
}

static void node_push(struct phyr_node *n, u64 start, void *p)
{
	n->s[n->nr].start = start;
	n->s[n->nr++].p = p;
}

/* The rightmost node at each level, path[1] just above the chunks. */
static void right_path(const struct phyr_list *list, struct phyr_node **path)
{
	int level;

	path[list->height - 1] = list->root;
	for (level = list->height - 1; level > 1; level--)
		path[level - 1] = path[level]->s[path[level]->nr - 1].p;
}

/*
 * Hook chunk @c in after the last chunk, in the index if there is one: the
 * first index when the chain passes %PHYR_CHAIN_MAX chunks, then a slot in
 * the lowest node of the right edge that is not full, doubled first if it
 * has no room left, with new nodes below it and a new root if every node
 * there is full.  Everything is allocated before anything changes.  The
 * inverse, phyr_chunk_pop(), leaves a doubled node as it is.
 */
static int index_insert(struct phyr_list *list, struct phyr_append *app,
			struct phyr_chunk *c)
{
	struct phyr_node *path[PHYR_MAX_HEIGHT], *fresh[PHYR_MAX_HEIGHT];
	struct phyr_node *grown = NULL, *n;
	unsigned int i, need = 0;
	bool new_root;
	struct phyr_chunk *p;
	void *child = c;
	int level, top;

	if (list->height == 1) {
		if (list->nr_chunks < PHYR_CHAIN_MAX)
			return 0;
		/* The first index: one node over the chain and @c */
		n = node_alloc(node_size(list->nr_chunks + 1), app->gfp);
		if (!n)
			return -ENOMEM;
		for (p = list->first; p; p = p->next)
			node_push(n, p->start, p);
		node_push(n, c->start, c);
		node_account(list, n);
		list->root = n;
		list->height = 2;
		return 0;
	}

	right_path(list, path);
	for (top = 1; top < list->height; top++)
		if (path[top]->nr < PHYR_NODE_SLOTS)
			break;
	/* A node for each full level, and a root above them all if need be */
	new_root = top == list->height;
	need = top - 1 + new_root;
	if (new_root && list->height == PHYR_MAX_HEIGHT)
		return -ENOMEM;
	for (i = 0; i < need; i++) {
		fresh[i] = node_alloc(ilog2(PHYR_NODE_MIN), app->gfp);
		if (!fresh[i])
			goto fail;
	}
	if (top < list->height &&
	    path[top]->nr == PHYR_NODE_CAP(path[top]->size)) {
		grown = node_alloc(path[top]->size + 1, app->gfp);
		if (!grown)
			goto fail;
	}

	for (level = 1; level < top; level++) {
		n = fresh[level - 1];
		node_account(list, n);
		node_push(n, c->start, child);
		child = n;
	}
	if (new_root) {
		n = fresh[top - 1];
		node_account(list, n);
		node_push(n, 0, list->root);
		node_push(n, c->start, child);
		list->root = n;
		list->height++;
		return 0;
	}
	n = path[top];
	if (grown) {
		/* Doubled: the copy takes the node's place in its parent */
		memcpy(grown->s, n->s, n->nr * sizeof(n->s[0]));
		grown->nr = n->nr;
		if (top == list->height - 1)
			list->root = grown;
		else
			path[top + 1]->s[path[top + 1]->nr - 1].p = grown;
		node_account(list, grown);
		node_free(list, n);
		n = grown;
	}
	node_push(n, c->start, child);
	return 0;

fail:
	while (i--)
		node_release(fresh[i]);
	return -ENOMEM;
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

			if (n->s[mid].start <= u)
				lo = mid;
			else
				hi = mid - 1;
		}
		p = n->s[lo].p;
	}
	return p;
}

/* The chunk before the last one. */
static struct phyr_chunk *prev_chunk(const struct phyr_list *list)
{
	return (struct phyr_chunk *)phyr_find_chunk(list, list->tail->start - 1);
}

/* The sub-index of a chunk of mixed entries, written once it is complete. */
static void mark_put(u32 *m, u64 pos, unsigned int word)
{
	*m = word | (u32)(pos >> PHYR_PFN_SHIFT) << PHYR_MARK_WORD_BITS;
}

static u64 mark_pos(const u32 *m)
{
	return (u64)(*m >> PHYR_MARK_WORD_BITS) << PHYR_PFN_SHIFT;
}

static unsigned int mark_word(const u32 *m)
{
	return *m & (BIT(PHYR_MARK_WORD_BITS) - 1);
}

/* Half-word @j of a sub-index of exceptions. */
static unsigned int except_get(const u32 *x, unsigned int j)
{
	return (x[j / 2] >> (16 * (j % 2))) & 0xffff;
}

static void except_put(u32 *x, unsigned int j, unsigned int v)
{
	x[j / 2] = (x[j / 2] & ~(0xffffU << (16 * (j % 2)))) |
		   v << (16 * (j % 2));
}

/*
 * The exceptions of chunk @c at @x, if no more than %PHYR_EXCEPTS of its
 * entries but the last are not packed blocks of the order most are.
 */
static bool seal_excepts(struct phyr_chunk *c, u32 *x)
{
	unsigned int nr[PHYR_PACK_MAX_ORDER + 1] = {}, order = 0, word, k = 0;
	const u32 *w;

	for (word = 0; word < c->seg.last; word += st_words(c, w)) {
		w = c->words + word;
		if (st_packed(c, w))
			nr[pk_order(*w)]++;
	}
	for (k = 1; k <= PHYR_PACK_MAX_ORDER; k++)
		if (nr[k] > nr[order])
			order = k;
	if (c->seg.nr - 1 - nr[order] > PHYR_EXCEPTS)
		return false;
	except_put(x, 0, order);
	for (word = 0, k = 1; word < c->seg.last; word += st_words(c, w)) {
		w = c->words + word;
		if (!st_packed(c, w) || pk_order(*w) != order)
			except_put(x, k++, word);
	}
	for (; k <= PHYR_EXCEPTS; k++)
		except_put(x, k, PHYR_EXCEPT_END);
	c->seg.marked = PHYR_SUB_EXCEPTS;
	return true;
}

void phyr_chunk_seal(const struct phyr_list *list, struct phyr_chunk *c)
{
	unsigned int cap = seg_cap(list, c), word = 0, i = 0, k = 0;
	u32 *marks = c->words + cap - PHYR_MARK_WORDS;
	u64 pos = 0;
	struct phyr e;

	c->seg.marked = PHYR_SUB_NONE;
	if (c->seg.uniform != PHYR_MIXED || c->seg.used + PHYR_MARK_WORDS > cap)
		return;
	if (seal_excepts(c, marks))
		return;
	for (; word < c->seg.used; word += st_words(c, c->words + word), i++) {
		/* Mark k at entry (k + 1) * nr / (PHYR_MARKS + 1) */
		while (k < PHYR_MARKS &&
		       i == (k + 1) * c->seg.nr / (PHYR_MARKS + 1)) {
			/* On a frame less than 16 GiB in, else the marks so far */
			if ((pos & (PHYR_PFN_SIZE - 1)) ||
			    pos >> PHYR_PFN_SHIFT >= BIT(PHYR_MARK_POS_BITS))
				goto fill;
			mark_put(marks + k, pos, word);
			k++;
		}
		st_decode(c, c->words + word, &e);
		pos += e.len;
	}
fill:
	/* The rest repeat the last mark, or point at the first entry */
	for (i = k; i < PHYR_MARKS; i++)
		marks[i] = k ? marks[k - 1] : 0;
	c->seg.marked = PHYR_SUB_MARKS;
}

/*
 * The entry holding offset @rel of chunk @c from its exceptions @x: the
 * runs of equal blocks between them are indexed, the exceptions decoded.
 */
static unsigned int find_excepted(const struct phyr_chunk *c, const u32 *x,
				  u64 rel, u64 *pos)
{
	unsigned int shift = PHYR_PFN_SHIFT + except_get(x, 0);
	unsigned int run = 0, word, j;
	u64 at = 0, next;
	struct phyr e;

	for (j = 1; j <= PHYR_EXCEPTS; j++) {
		word = except_get(x, j);
		if (word == PHYR_EXCEPT_END)
			break;
		/* A run of packed blocks, one word each, up to the exception */
		next = at + ((u64)(word - run) << shift);
		if (rel < next)
			break;
		st_decode(c, c->words + word, &e);
		if (rel < next + e.len) {
			*pos = next;
			return word;
		}
		at = next + e.len;
		run = word + st_words(c, c->words + word);
	}
	/* In the run from @run on, or in the chunk's last entry after it */
	word = min_t(u64, run + ((rel - at) >> shift), c->seg.last);
	*pos = at + ((u64)(word - run) << shift);
	return word;
}

/**
 * phyr_chunk_marks() - Where a scan for an offset in a chunk may start.
 * @list: the list.
 * @c: a chunk of mixed entries.
 * @u: an untrimmed offset inside the chunk.
 * @pos: receives the untrimmed offset of the entry returned.
 *
 * Return: the word of the entry holding @u if the chunk has exceptions, of
 * the last marked entry at or before @u if it has marks, else 0.
 */
unsigned int phyr_chunk_marks(const struct phyr_list *list,
			      const struct phyr_chunk *c, u64 u, u64 *pos)
{
	const u32 *marks = c->words + seg_cap(list, c) - PHYR_MARK_WORDS;
	u64 rel = u - c->start, at;
	unsigned int word;
	int k;

	*pos = c->start;
	if (c->seg.marked == PHYR_SUB_EXCEPTS) {
		word = find_excepted(c, marks, rel, &at);
		*pos = c->start + at;
		return word;
	}
	if (c->seg.marked != PHYR_SUB_MARKS)
		return 0;
	for (k = PHYR_MARKS - 1; k >= 0; k--) {
		if (mark_pos(marks + k) <= rel) {
			*pos = c->start + mark_pos(marks + k);
			return mark_word(marks + k);
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
	int level;

	if (list->height == 2 && list->nr_chunks == PHYR_CHAIN_MAX + 1) {
		/* Back to a chain */
		node_free(list, list->root);
		list->height = 1;
	}
	if (list->height == 1) {
		list->tail = prev_chunk(list);
	} else {
		right_path(list, path);
		for (level = 1; level < list->height; level++) {
			if (--path[level]->nr)
				break;
			node_free(list, path[level]);
		}
		while (list->height > 2) {
			struct phyr_node *root = list->root;

			if (root->nr != 1)
				break;
			list->root = root->s[0].p;
			node_free(list, root);
			list->height--;
		}
		/* The new tail: the rightmost chunk left */
		right_path(list, path);
		list->tail = path[1]->s[path[1]->nr - 1].p;
	}
	list->nr_chunks--;
	chunk_free(c);
	list->tail->next = NULL;
}

/*
 * Move the entries kept in the head into a first chunk @c, packing them:
 * they need at most one word more each, and a chunk holds twice what the
 * head's largest array does.
 */
void phyr_to_chunked(struct phyr_list *list, struct phyr_chunk *c)
{
	const u32 *w = seg_words(list, NULL);
	unsigned int word, n;

	c->start = 0;
	c->seg.size = ilog2(PHYR_CHUNK_SIZE);
	for (word = 0; word < list->seg.used; word += n) {
		n = ent_words(w + word);
		if (c->seg.nr)
			c->seg.uniform = seg_uniform_after(c, &c->seg,
							   c->words + c->seg.last);
		c->seg.last = c->seg.used;
		c->seg.used += st_put(c, c->words + c->seg.used, w + word, n);
		c->seg.nr++;
	}
	list->first = c;
	list->tail = c;
	list->nr_chunks = 1;
	list->node_units = 0;
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
		path[1]->s[path[1]->nr - 1].p = c;
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
	c->base = small->base;
	memcpy(c->words, small->words, small->seg.used * sizeof(u32));
	replace_tail(list, c);
	kfree(small);
	return 0;
}

/* Words chunk @c's entries take unpacked, in the head. */
static unsigned int unpacked_words(const struct phyr_chunk *c)
{
	unsigned int word, n = 0;

	for (word = 0; word < c->seg.used; word += st_words(c, c->words + word))
		n += st_packed(c, c->words + word) ?
		     phyr_enc_words[PHYR_ENC_BLOCK] :
		     ent_words(c->words + word + 1);
	return n;
}

/*
 * Unpack chunk @c's entries into @out, as the head holds them; returns the
 * word of the last one there.
 */
static unsigned int unpack(const struct phyr_chunk *c, u32 *out)
{
	unsigned int word, n, order, at = 0, last = 0;
	const u32 *w;

	for (word = 0; word < c->seg.used; word += st_words(c, w)) {
		w = c->words + word;
		last = at;
		if (st_packed(c, w)) {
			order = pk_order(*w);
			ent_put_w0(out + at, PHYR_ENC_BLOCK,
				   pk_pfn(c->base, *w, order),
				   (u64)order << PHYR_ORDER_SHIFT);
			at += phyr_enc_words[PHYR_ENC_BLOCK];
		} else {
			n = ent_words(w + 1);
			memcpy(out + at, w + 1, n * sizeof(u32));
			at += n;
		}
	}
	return last;
}

/*
 * Shrink the last chunk to the power of two its entries (and sub-index)
 * need: a list of a few chunks would otherwise pay a mostly empty page (a
 * list of 1100 fragmented pages has 1017 in a first chunk and 83 in a
 * second).  An only chunk moves back into the head's array, unpacked, if
 * that is large enough, or shrinks.  Best effort: without memory the chunk
 * stays as it is.
 */
void phyr_shrink_tail(struct phyr_list *list, gfp_t gfp)
{
	struct phyr_chunk *c = list->tail, *small;
	size_t need, bytes;
	unsigned int used;
	u32 *words;

	if (!list->height)
		return;
	if (BIT(c->seg.size) != PHYR_CHUNK_SIZE) {
		/* Shrunk by a series before: its sub-index back */
		phyr_chunk_seal(list, c);
		return;
	}
	if (list->nr_chunks == 1) {
		used = unpacked_words(c);
		need = used * sizeof(u32);
		if (need > PHYR_SMALL_MAX_BYTES)
			goto shrink;
		bytes = max_t(size_t, roundup_pow_of_two(need),
			      PHYR_SMALL_MIN_BYTES);
		words = kmalloc(bytes, gfp);
		if (!words)
			goto seal;
		list->seg = c->seg;
		list->seg.last = unpack(c, words);
		list->seg.used = used;
		list->seg.size = ilog2(bytes);
		list->seg.marked = 0;
		list->ext = words;
		list->height = 0;
		list->nr_chunks = 0;
		block_free(c);
		return;
	}
shrink:
	need = PHYR_CHUNK_HDR + c->seg.used * sizeof(u32);
	if (c->seg.uniform == PHYR_MIXED)
		need += PHYR_MARK_WORDS * sizeof(u32);
	bytes = max_t(size_t, roundup_pow_of_two(need), PHYR_SMALL_MIN_BYTES);
	if (bytes >= PHYR_CHUNK_SIZE)
		goto seal;
	small = kmalloc(bytes, gfp);
	if (!small)
		goto seal;
	memcpy(small, c, PHYR_CHUNK_HDR + c->seg.used * sizeof(u32));
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
			free_nodes(n->s[i].p, level - 1);
	node_release(n);
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
	       (size_t)list->node_units * PHYR_NODE_MIN;
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

/* Add the forms of the @nr entries stored from @w to @forms. */
static void count_forms(const struct phyr_chunk *c, const u32 *w,
			unsigned int nr, unsigned long *forms)
{
	static const u8 form[] = {
		[PHYR_ENC_BLOCK] = PHYR_FORM_BLOCK,
		[PHYR_ENC_COUNT] = PHYR_FORM_COUNT,
		[PHYR_ENC_BYTES] = PHYR_FORM_BYTES,
		[PHYR_ENC_LARGE] = PHYR_FORM_LARGE,
	};

	for (; nr; nr--, w += st_words(c, w))
		forms[st_packed(c, w) ? PHYR_FORM_PACKED :
		      form[ent_enc(st_ent(c, w))]]++;
}

/**
 * phyr_list_count_forms() - Entries of a list per form of storage.
 * @list: the list.
 * @forms: receives the number of entries stored in each &enum phyr_form.
 *
 * Context: Any context.  O(number of entries).
 */
void phyr_list_count_forms(const struct phyr_list *list,
			   unsigned long forms[PHYR_NR_FORMS])
{
	const struct phyr_chunk *c;

	memset(forms, 0, PHYR_NR_FORMS * sizeof(*forms));
	if (!list->height) {
		count_forms(NULL, seg_words_const(list, NULL), list->seg.nr,
			    forms);
		return;
	}
	for (c = list->first; c; c = c->next)
		count_forms(c, c->words, c->seg.nr, forms);
}
EXPORT_SYMBOL_GPL(phyr_list_count_forms);

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
	st_decode(list->height ? list->first : NULL,
		  seg_words_const(list, list->height ? list->first : NULL), &p);
	*addr = p.addr + list->offset;
	return true;
}
EXPORT_SYMBOL_GPL(phyr_list_first_addr);
