// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * KUnit tests for phyr lists.  The same file runs in userspace under Check
 * (tests/user/, through a compat <kunit/test.h>).
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#include <kunit/test.h>
#include <linux/log2.h>
#include <linux/phyr.h>
#include <linux/slab.h>

#include "phyr_enc.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define PFN_4K		4096ULL
#define PER_CHUNK	PHYR_CHUNK_WORDS	/* packed entries in a chunk */

static void list_destroy_action(void *list)
{
	phyr_list_destroy(list);
	kfree(list);
}

/* An empty list, destroyed and freed when the case ends. */
static struct phyr_list *new_list(struct kunit *test)
{
	struct phyr_list *list = kmalloc(sizeof(*list), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, list);
	phyr_list_init(list);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, list_destroy_action,
							list), 0);
	return list;
}

/*
 * Entries of a list, decoded and untrimmed, for comparing lists; @enc
 * receives their encodings and @bytes what each is stored in, either NULL
 * if not wanted.
 */
static unsigned int stored(const struct phyr_list *list, struct phyr *out,
			   enum phyr_enc *enc, unsigned int *bytes,
			   unsigned int max)
{
	PHYR_ITER(it);
	struct phyr p;
	unsigned int n = 0;

	phyr_iter_start(&it, list);
	while (n < max && phyr_iter_entry(&it, &out[n], enc ? &enc[n] : NULL)) {
		if (bytes)
			bytes[n] = phyr_iter_stored(&it);
		phyr_iter_next(&it, &p);
		n++;
	}
	return n;
}

static unsigned int entries(const struct phyr_list *list, struct phyr *out,
			    enum phyr_enc *enc, unsigned int max)
{
	return stored(list, out, enc, NULL, max);
}

/*
 * phyr_list_count_forms() against the list's entries one by one: packed
 * if stored in 4 bytes in a chunk, else the form of their encoding.
 */
static void expect_forms(struct kunit *test, const struct phyr_list *list)
{
	static const u8 form[] = {
		[PHYR_ENC_BLOCK] = PHYR_FORM_BLOCK,
		[PHYR_ENC_COUNT] = PHYR_FORM_COUNT,
		[PHYR_ENC_BYTES] = PHYR_FORM_BYTES,
		[PHYR_ENC_LARGE] = PHYR_FORM_LARGE,
	};
	unsigned long n = phyr_list_nr_entries(list), i;
	unsigned long want[PHYR_NR_FORMS] = {}, got[PHYR_NR_FORMS];
	unsigned int *bytes = kunit_kcalloc(test, n + 1, sizeof(*bytes),
					    GFP_KERNEL);
	enum phyr_enc *enc = kunit_kcalloc(test, n + 1, sizeof(*enc),
					   GFP_KERNEL);
	struct phyr *e = kunit_kcalloc(test, n + 1, sizeof(*e), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, bytes);
	KUNIT_ASSERT_NOT_NULL(test, enc);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_ASSERT_EQ(test, stored(list, e, enc, bytes, n + 1), n);
	for (i = 0; i < n; i++)
		want[bytes[i] == 4 ? PHYR_FORM_PACKED : form[enc[i]]]++;
	phyr_list_count_forms(list, got);
	for (i = 0; i < PHYR_NR_FORMS; i++)
		KUNIT_EXPECT_EQ_MSG(test, got[i], want[i], "form %lu", i);
}

/* The one entry of a list, which must have exactly one. */
static enum phyr_enc only_entry(struct kunit *test, struct phyr_list *list,
				struct phyr *p)
{
	enum phyr_enc enc[2];
	struct phyr e[2];

	KUNIT_ASSERT_EQ(test, entries(list, e, enc, 2), 1);
	*p = e[0];
	return enc[0];
}

static int append_one(struct phyr_list *list, phys_addr_t addr, u64 len)
{
	PHYR_APPEND(app);
	int ret;

	phyr_append_begin(&app, list, GFP_KERNEL);
	ret = phyr_append_range(&app, addr, len);
	phyr_append_end(&app);
	return ret;
}

/*
 * Append @n blocks of 2^@order frames at 2n, 2(n - 1), ... 2 blocks, none
 * adjacent to the previous, in one series; returns 0 or an errno.
 */
static int append_folios(struct phyr_list *list, unsigned long n,
			 unsigned int order)
{
	PHYR_APPEND(app);
	const u64 blk = PFN_4K << order;
	unsigned long i;
	int ret = 0;

	phyr_append_begin(&app, list, GFP_KERNEL);
	for (i = 0; i < n && !ret; i++)
		ret = phyr_append_range(&app, 2 * (n - i) * blk, blk);
	phyr_append_end(&app);
	return ret;
}

static int append_fragmented(struct phyr_list *list, unsigned long n)
{
	return append_folios(list, n, 0);
}

static void phyr_test_empty(struct kunit *test)
{
	PHYR_ITER(it);
	struct phyr_list *list = new_list(test);
	phys_addr_t a = 0x1234;
	struct phyr p;

	KUNIT_EXPECT_TRUE(test, phyr_list_empty(list));
	KUNIT_EXPECT_EQ(test, phyr_list_length(list), 0);
	KUNIT_EXPECT_EQ(test, phyr_list_footprint(list), 0);
	KUNIT_EXPECT_EQ(test, phyr_list_nr_entries(list), 0);
	/* No first address: 0 would be one */
	KUNIT_EXPECT_FALSE(test, phyr_list_first_addr(list, &a));
	KUNIT_EXPECT_EQ(test, a, 0x1234);
	phyr_iter_start(&it, list);
	KUNIT_EXPECT_FALSE(test, phyr_iter_next(&it, &p));
	KUNIT_EXPECT_EQ(test, phyr_iter_advance(&it, 0, &a), -ERANGE);
	KUNIT_EXPECT_EQ(test, phyr_iter_seek(&it, list, 0, NULL), -ERANGE);
	KUNIT_EXPECT_EQ(test, phyr_num_blocks(0, 0, PFN_4K), 0);
	phyr_list_destroy(list);
	phyr_list_destroy(list);
}

/* Every order from a single frame to 8 TiB is one 8-byte entry. */
static void phyr_test_block_orders(struct kunit *test)
{
	unsigned int order;

	for (order = 0; order <= PHYR_MAX_ORDER; order++) {
		struct phyr_list *list = new_list(test);
		phys_addr_t addr = (3ULL << order) * PFN_4K;
		struct phyr p;

		KUNIT_EXPECT_EQ(test, append_one(list, addr, PFN_4K << order), 0);
		KUNIT_EXPECT_EQ(test, only_entry(test, list, &p), PHYR_ENC_BLOCK);
		KUNIT_EXPECT_EQ(test, p.addr, addr);
		KUNIT_EXPECT_EQ(test, p.len, PFN_4K << order);
		KUNIT_EXPECT_EQ(test, phyr_list_length(list), PFN_4K << order);
		KUNIT_EXPECT_EQ(test, phyr_list_footprint(list), 0);
	}
}

/* A run that is not a power of two is a count of aligned blocks. */
static void phyr_test_count_limits(struct kunit *test)
{
	struct phyr_list *list = new_list(test);
	u64 len = ((u64)U32_MAX << 1) * PFN_4K;
	struct phyr p;

	/* The largest count at order 1: 2^33 - 2 frames, one 12-byte entry */
	KUNIT_ASSERT_EQ(test, append_one(list, 2 * PFN_4K, len), 0);
	KUNIT_EXPECT_EQ(test, only_entry(test, list, &p), PHYR_ENC_COUNT);
	KUNIT_EXPECT_EQ(test, p.addr, 2 * PFN_4K);
	KUNIT_EXPECT_EQ(test, p.len, len);
	/* Lengths at and above 2^63 are refused, whatever the type */
	KUNIT_EXPECT_EQ(test, append_one(list, 1ULL << 40, 1ULL << 63),
			-EOVERFLOW);
	KUNIT_EXPECT_EQ(test, phyr_list_length(list), len);
}

struct bytes_case {
	u64 len;
	enum phyr_enc enc;
};

static const struct bytes_case bytes_cases[] = {
	{ 1, PHYR_ENC_BYTES },
	{ PHYR_BYTES_LIMIT - 1, PHYR_ENC_BYTES },
	{ PHYR_BYTES_LIMIT, PHYR_ENC_LARGE },
	{ 5 * PHYR_BYTES_LIMIT + 17, PHYR_ENC_LARGE },
};

static void bytes_case_desc(const struct bytes_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%llu bytes",
		 (unsigned long long)c->len);
}

KUNIT_ARRAY_PARAM(bytes, bytes_cases, bytes_case_desc);

/* Byte entries: 32 MiB - 1 fits 12 bytes, 32 MiB needs 16. */
static void phyr_test_bytes_limits(struct kunit *test)
{
	PHYR_ITER(it);
	const struct bytes_case *c = test->param_value;
	struct phyr_list *list = new_list(test);
	phys_addr_t at = 0x40000000ULL + 0x123, a;
	enum phyr_enc enc[3];
	struct phyr e[3];

	/* A frame first, so the range is not the list's head */
	KUNIT_ASSERT_EQ(test, append_one(list, 0x1000, PFN_4K), 0);
	KUNIT_ASSERT_EQ(test, append_one(list, at, c->len), 0);
	KUNIT_ASSERT_EQ(test, entries(list, e, enc, 3), 2);
	KUNIT_EXPECT_EQ(test, enc[1], c->enc);
	KUNIT_EXPECT_EQ(test, e[1].addr, at);
	KUNIT_EXPECT_EQ(test, e[1].len, c->len);
	KUNIT_EXPECT_EQ(test, phyr_list_length(list), PFN_4K + c->len);
	KUNIT_ASSERT_EQ(test, phyr_iter_seek(&it, list, PFN_4K + c->len - 1,
					     &a), 0);
	KUNIT_EXPECT_EQ(test, a, at + c->len - 1);
}

/* The first and the last frame are sliced by the list, not by entries. */
static void phyr_test_slicing(struct kunit *test)
{
	PHYR_ITER(it);
	struct phyr_list *list = new_list(test);
	phys_addr_t addr = 0x200000 + 0x123, a;
	u64 len = 3 * PFN_4K;
	struct phyr p;

	KUNIT_ASSERT_EQ(test, append_one(list, addr, len), 0);
	/* Stored as the 4 frames it touches: an aligned order-2 block */
	KUNIT_EXPECT_EQ(test, only_entry(test, list, &p), PHYR_ENC_BLOCK);
	KUNIT_EXPECT_EQ(test, p.addr, 0x200000);
	KUNIT_EXPECT_EQ(test, p.len, 4 * PFN_4K);
	phyr_iter_start(&it, list);
	KUNIT_ASSERT_TRUE(test, phyr_iter_next(&it, &p));
	KUNIT_EXPECT_EQ(test, p.addr, addr);
	KUNIT_EXPECT_EQ(test, p.len, len);
	KUNIT_EXPECT_FALSE(test, phyr_iter_next(&it, &p));
	KUNIT_ASSERT_TRUE(test, phyr_list_first_addr(list, &a));
	KUNIT_EXPECT_EQ(test, a, addr);

	/* A non-contiguous frame after a sliced last frame: bytes stay exact */
	KUNIT_ASSERT_EQ(test, append_one(list, 0x900000, PFN_4K), 0);
	phyr_iter_start(&it, list);
	KUNIT_ASSERT_TRUE(test, phyr_iter_next(&it, &p));
	KUNIT_EXPECT_EQ(test, p.addr, addr);
	KUNIT_ASSERT_TRUE(test, phyr_iter_next(&it, &p));
	KUNIT_ASSERT_TRUE(test, phyr_iter_next(&it, &p));
	KUNIT_EXPECT_EQ(test, p.addr, 0x900000);
	KUNIT_EXPECT_EQ(test, p.len, PFN_4K);
	KUNIT_EXPECT_EQ(test, phyr_list_length(list), len + PFN_4K);
}

/* Contiguous appends merge; an aligned power of two ends as one block. */
static void phyr_test_merge(struct kunit *test)
{
	PHYR_APPEND(app);
	struct phyr_list *list = new_list(test);
	unsigned int i;
	struct phyr p;

	phyr_append_begin(&app, list, GFP_KERNEL);
	for (i = 0; i < 512; i++)
		KUNIT_ASSERT_EQ(test, phyr_append_range(&app, (1024 + i) * PFN_4K,
							PFN_4K), 0);
	phyr_append_end(&app);
	KUNIT_EXPECT_EQ(test, only_entry(test, list, &p), PHYR_ENC_BLOCK);
	KUNIT_EXPECT_EQ(test, p.len, 512 * PFN_4K);

	/* A 1 GiB folio is one 8-byte entry too */
	list = new_list(test);
	KUNIT_ASSERT_EQ(test, append_one(list, 1ULL << 30, 1ULL << 30), 0);
	KUNIT_EXPECT_EQ(test, only_entry(test, list, &p), PHYR_ENC_BLOCK);
	KUNIT_EXPECT_EQ(test, p.len, 1ULL << 30);
}

/*
 * Storage as a list grows: inline, then an array of the next power of two
 * from 64 bytes, then a chunk of packed entries, shrunk to a power of two.
 * Every entry stays readable.
 */
static void phyr_test_inline_to_chunked(struct kunit *test)
{
	const unsigned int small = PHYR_SMALL_MAX_BYTES / 8;
	unsigned int n;

	for (n = 1; n <= small + 2; n++) {
		PHYR_ITER(it);
		struct phyr_list *list = new_list(test);
		unsigned int i = 0;
		size_t want = 0;
		struct phyr p;

		if (n > small)
			want = roundup_pow_of_two(PHYR_CHUNK_HDR + 4 * n);
		else if (n > PHYR_INLINE_WORDS / 2)
			want = max_t(size_t, PHYR_SMALL_MIN_BYTES,
				     roundup_pow_of_two(8 * n));
		KUNIT_ASSERT_EQ(test, append_fragmented(list, n), 0);
		KUNIT_EXPECT_EQ(test, phyr_list_nr_entries(list), n);
		KUNIT_EXPECT_EQ_MSG(test, phyr_list_footprint(list), want,
				    "%u entries", n);
		phyr_for_each(list, &it, &p) {
			KUNIT_EXPECT_EQ(test, p.addr, 2 * (n - i) * PFN_4K);
			i++;
		}
		KUNIT_EXPECT_EQ(test, i, n);
	}
}

struct folio_case {
	unsigned long folios;
	size_t bytes;
};

/*
 * Lists of 2 MiB folios cost little: 8-byte entries in the head's array up
 * to 256 entries, then packed 4-byte entries in full chunks and a last
 * chunk shrunk to a power of two, without an index node up to
 * %PHYR_CHAIN_MAX chunks.
 */
static const struct folio_case folio_cases[] = {
	{ 128, 1024 },				/* 256 MiB */
	{ 256, 2048 },
	{ 512, PHYR_CHUNK_SIZE },		/* 28 + 4 * 512 bytes */
	{ 1024, PHYR_CHUNK_SIZE + 64 },		/* 1017 + 7 */
	{ 2048, 2 * PHYR_CHUNK_SIZE + 128 },	/* 2 * 1017 + 14 */
	{ 4096, 4 * PHYR_CHUNK_SIZE + 256 },	/* 8 GiB */
};

static void folio_case_desc(const struct folio_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%lu folios", c->folios);
}

KUNIT_ARRAY_PARAM(folio, folio_cases, folio_case_desc);

static void phyr_test_huge_folio_lists(struct kunit *test)
{
	PHYR_ITER(it);
	const struct folio_case *c = test->param_value;
	struct phyr_list *list = new_list(test);
	unsigned long n = c->folios, i = 0;
	struct phyr p;

	static_assert(PER_CHUNK == 1017 || sizeof(void *) < 8);
	KUNIT_ASSERT_EQ(test, append_folios(list, n, 9), 0);
	KUNIT_EXPECT_EQ(test, phyr_list_footprint(list), c->bytes);
	/* At most 0.02 bytes per 4 KiB page */
	KUNIT_EXPECT_LE(test, phyr_list_footprint(list) * 50, n * 512);
	phyr_for_each(list, &it, &p) {
		KUNIT_EXPECT_EQ(test, p.addr, (2 * (n - i)) << 21);
		i++;
	}
	KUNIT_EXPECT_EQ(test, i, n);
}

static const unsigned long boundary_sizes[] = {
	PER_CHUNK - 1, PER_CHUNK, PER_CHUNK + 1, 3 * PER_CHUNK + 7,
	PHYR_CHAIN_MAX * PER_CHUNK, PHYR_CHAIN_MAX * PER_CHUNK + 1,
	300 * PER_CHUNK,
};

static void boundary_desc(const unsigned long *n, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%lu pages", *n);
}

KUNIT_ARRAY_PARAM(boundary, boundary_sizes, boundary_desc);

/* Lists around chunk and index boundaries: every page found by seek. */
static void phyr_test_chunk_boundaries(struct kunit *test)
{
	PHYR_ITER(it);
	const unsigned long n = *(const unsigned long *)test->param_value;
	struct phyr_list *list = new_list(test);
	unsigned long i, chunks = DIV_ROUND_UP(n, PER_CHUNK);
	phys_addr_t a;
	struct phyr p;

	KUNIT_ASSERT_EQ(test, append_fragmented(list, n), 0);
	KUNIT_EXPECT_EQ(test, phyr_list_nr_entries(list), n);
	KUNIT_EXPECT_EQ(test, phyr_list_length(list), n * PFN_4K);
	/* Fully fragmented pages: chunks, index nodes and nothing else */
	KUNIT_EXPECT_LE(test, phyr_list_footprint(list),
			chunks * PHYR_CHUNK_SIZE +
			(chunks > PHYR_CHAIN_MAX ?
			 DIV_ROUND_UP(chunks, PHYR_NODE_SLOTS) + 1 : 0) *
			PHYR_NODE_SIZE);
	KUNIT_EXPECT_LE(test, phyr_list_footprint(list) * 10,
			41 * n + 10 * (PHYR_CHUNK_SIZE + 2 * PAGE_SIZE));
	i = 0;
	phyr_for_each(list, &it, &p) {
		KUNIT_EXPECT_EQ(test, p.addr, 2 * (n - i) * PFN_4K);
		i++;
	}
	KUNIT_EXPECT_EQ(test, i, n);
	for (i = 0; i < n; i += 1 + i / 16) {
		KUNIT_ASSERT_EQ(test, phyr_iter_seek(&it, list, i * PFN_4K + 5,
						     &a), 0);
		KUNIT_EXPECT_EQ(test, a, 2 * (n - i) * PFN_4K + 5);
	}
	/* Walk the cursor from the start, a page at a time */
	KUNIT_ASSERT_EQ(test, phyr_iter_seek(&it, list, 0, &a), 0);
	for (i = 1; i < n; i++) {
		KUNIT_ASSERT_EQ(test, phyr_iter_advance(&it, PFN_4K, &a), 0);
		KUNIT_EXPECT_EQ(test, a, 2 * (n - i) * PFN_4K);
	}
	/*
	 * From the last page, neither past the end nor onto it: the end is
	 * no byte, the cursor and the address stay where they are.
	 */
	a = 1;
	KUNIT_EXPECT_EQ(test, phyr_iter_advance(&it, PFN_4K + 1, &a), -ERANGE);
	KUNIT_EXPECT_EQ(test, phyr_iter_advance(&it, PFN_4K, &a), -ERANGE);
	KUNIT_EXPECT_EQ(test, a, 1);
	KUNIT_EXPECT_EQ(test, phyr_iter_offset(&it), (n - 1) * PFN_4K);
	KUNIT_EXPECT_EQ(test, phyr_iter_advance(&it, PFN_4K - 1, &a), 0);
	KUNIT_EXPECT_EQ(test, a, 2 * PFN_4K + PFN_4K - 1);
}

/*
 * Mixed entries (single pages and order-1 blocks in turn) defeat the O(1)
 * index of equal blocks: seeks go through the chunks' sub-index, and
 * every byte is still found, in each chunk and at its edges.
 */
/* Entries per form: one of each that the head stores, none when empty. */
static void phyr_test_count_forms(struct kunit *test)
{
	PHYR_APPEND(app);
	struct phyr_list *list = new_list(test);
	unsigned long forms[PHYR_NR_FORMS], i;

	memset(forms, 0xff, sizeof(forms));
	phyr_list_count_forms(list, forms);
	for (i = 0; i < PHYR_NR_FORMS; i++)
		KUNIT_EXPECT_EQ(test, forms[i], 0);
	phyr_append_begin(&app, list, GFP_KERNEL);
	KUNIT_ASSERT_EQ(test, phyr_append_range(&app, 0x3000, PFN_4K), 0);
	KUNIT_ASSERT_EQ(test, phyr_append_range(&app, 0x10001, 100), 0);
	KUNIT_ASSERT_EQ(test, phyr_append_range(&app, 0x100000005ULL, 64ULL << 20), 0);
	phyr_append_end(&app);
	phyr_list_count_forms(list, forms);
	KUNIT_EXPECT_EQ(test, forms[PHYR_FORM_PACKED], 0);
	KUNIT_EXPECT_EQ(test, forms[PHYR_FORM_BLOCK], 1);
	KUNIT_EXPECT_EQ(test, forms[PHYR_FORM_COUNT], 0);
	KUNIT_EXPECT_EQ(test, forms[PHYR_FORM_BYTES], 1);
	KUNIT_EXPECT_EQ(test, forms[PHYR_FORM_LARGE], 1);
	expect_forms(test, list);
}

static void phyr_test_mixed_seek(struct kunit *test)
{
	PHYR_APPEND(app);
	PHYR_ITER(it);
	const unsigned long n = 3 * PER_CHUNK;
	const unsigned long per_mixed = PHYR_CHUNK_WORDS - PHYR_MARK_WORDS;
	struct phyr_list *list = new_list(test);
	u64 *offs = kmalloc_array(n, sizeof(*offs), GFP_KERNEL);
	unsigned long i, pages = 0, full, forms[PHYR_NR_FORMS];
	phys_addr_t a;

	KUNIT_ASSERT_NOT_NULL(test, offs);
	phyr_append_begin(&app, list, GFP_KERNEL);
	for (i = 0; i < n; i++) {
		unsigned int order = i % 2;

		offs[i] = pages * PFN_4K;
		KUNIT_ASSERT_EQ(test, phyr_append_range(&app, (4 * (n - i)) * PFN_4K,
							PFN_4K << order), 0);
		pages += 1 << order;
	}
	phyr_append_end(&app);
	KUNIT_EXPECT_EQ(test, phyr_list_nr_entries(list), n);
	phyr_list_count_forms(list, forms);
	KUNIT_EXPECT_EQ(test, forms[PHYR_FORM_PACKED], n);
	KUNIT_EXPECT_EQ(test, forms[PHYR_FORM_BLOCK], 0);
	/*
	 * Chunks of mixed entries hold fewer: room for their sub-index, in
	 * the last chunk too, shrunk to the power of two that holds both.
	 */
	full = n / per_mixed;
	KUNIT_EXPECT_EQ(test, phyr_list_footprint(list),
			full * PHYR_CHUNK_SIZE +
			roundup_pow_of_two(PHYR_CHUNK_HDR +
					   4 * (n - full * per_mixed) +
					   4 * PHYR_MARK_WORDS));
	for (i = 0; i < n; i++) {
		u64 len = PFN_4K << (i % 2);

		KUNIT_ASSERT_EQ(test, phyr_iter_seek(&it, list, offs[i], &a), 0);
		KUNIT_EXPECT_EQ(test, a, 4 * (n - i) * PFN_4K);
		KUNIT_ASSERT_EQ(test, phyr_iter_seek(&it, list, offs[i] + len - 1,
						     &a), 0);
		KUNIT_EXPECT_EQ(test, a, 4 * (n - i) * PFN_4K + len - 1);
	}
	kfree(offs);
}

/* Blocks follow rdma_umem_for_each_dma_block(): cut in IOVA space. */
static void phyr_test_blocks(struct kunit *test)
{
	struct phyr_list *list = new_list(test);
	const u64 len = (4 << 20) - 0x1800;
	struct phyr_block_iter bi;
	unsigned long n = 0;

	/* 2 MiB-aligned 4 MiB of memory, starting 0x1800 bytes in */
	KUNIT_ASSERT_EQ(test, append_one(list, 0x40000000 + 0x1800, len), 0);
	/* IOVA 0x10001800: 4 KiB blocks = 1024 - 1, the first sliced */
	KUNIT_EXPECT_EQ(test, phyr_num_blocks(len, 0x10001800, PFN_4K), 1023);
	phyr_for_each_block(list, &bi, 0x10001800, PFN_4K) {
		KUNIT_EXPECT_EQ(test, phyr_block_addr(&bi),
				0x40001000 + n * PFN_4K);
		n++;
	}
	KUNIT_EXPECT_EQ(test, n, 1023);
	/* 2 MiB blocks: two, each rounded down to 2 MiB */
	n = 0;
	phyr_for_each_block(list, &bi, 0x10001800, 2 << 20) {
		KUNIT_EXPECT_EQ(test, phyr_block_addr(&bi),
				0x40000000 + n * (2 << 20));
		n++;
	}
	KUNIT_EXPECT_EQ(test, n, 2);
	/* One block spanning everything */
	KUNIT_EXPECT_EQ(test, phyr_num_blocks(len, 0x1800, 1ULL << 30), 1);
	/* An IOVA whose cuts fall elsewhere than the physical pages' */
	n = 0;
	phyr_for_each_block(list, &bi, 0x10000000, PFN_4K) {
		KUNIT_EXPECT_EQ(test, phyr_block_addr(&bi),
				0x40001000 + n * PFN_4K);
		n++;
	}
	KUNIT_EXPECT_EQ(test, n, phyr_num_blocks(len, 0x10000000, PFN_4K));
}

/*
 * A list of @n blocks of @order at 2n, 2(n - 1), ... 2 blocks, cut 100 B
 * into the first and 50 B short of the end: chunks of equal blocks, and
 * both ends cut inside a frame.
 */
static void append_descending(struct kunit *test, struct phyr_list *list,
			      unsigned int order, unsigned long n)
{
	PHYR_APPEND(app);
	const u64 blk = PFN_4K << order;
	unsigned long i;
	int ret;

	phyr_append_begin(&app, list, GFP_KERNEL);
	ret = phyr_append_range(&app, 2 * n * blk + 100, blk - 100);
	for (i = 1; i < n - 1 && !ret; i++)
		ret = phyr_append_range(&app, 2 * (n - i) * blk, blk);
	if (!ret)
		ret = phyr_append_range(&app, 2 * blk, blk - 50);
	phyr_append_end(&app);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_EQ(test, phyr_list_nr_entries(list), n);
}

/* Range @i of append_descending()'s list */
static void expect_descending(struct kunit *test, const struct phyr *r,
			      unsigned int order, unsigned long n,
			      unsigned long i)
{
	const u64 blk = PFN_4K << order;
	u64 cut = (i ? 0 : 100) + (i == n - 1 ? 50 : 0);

	KUNIT_EXPECT_EQ(test, r->addr, 2 * (n - i) * blk + (i ? 0 : 100));
	KUNIT_EXPECT_EQ(test, r->len, blk - cut);
}

static const unsigned int iter_orders[] = { 0, 9 };

/*
 * phyr_iter_fill() hands out what phyr_iter_next() does, in batches of any
 * size: through chunks of equal blocks (copied without decoding them), over
 * each chunk's last entry and into the next chunk, with both ends of the
 * list cut inside a frame.
 */
static void phyr_test_iter_fill(struct kunit *test)
{
	static const unsigned int batches[] = { 1, 2, 7, 32, 200 };
	const unsigned long n = 3 * PER_CHUNK + 7;
	struct phyr *r = kunit_kmalloc(test, 200 * sizeof(*r), GFP_KERNEL);
	unsigned int o, b, got, j;

	KUNIT_ASSERT_NOT_NULL(test, r);
	for (o = 0; o < ARRAY_SIZE(iter_orders); o++) {
		struct phyr_list *list = new_list(test);
		unsigned long i;

		append_descending(test, list, iter_orders[o], n);
		for (b = 0; b < ARRAY_SIZE(batches); b++) {
			PHYR_ITER(it);

			i = 0;
			phyr_iter_start(&it, list);
			while ((got = phyr_iter_fill(&it, r, batches[b]))) {
				KUNIT_EXPECT_LE(test, got, batches[b]);
				for (j = 0; j < got; j++, i++)
					expect_descending(test, &r[j],
							  iter_orders[o], n, i);
			}
			KUNIT_EXPECT_EQ(test, i, n);
		}
	}
}

/*
 * phyr_iter_blocks() gives the entries of chunks of equal blocks where they
 * are stored, and nothing on the list's cut ends, on each chunk's last
 * entry or inside an entry; phyr_iter_fill() takes the walk on from there.
 */
static void phyr_test_iter_blocks(struct kunit *test)
{
	static const unsigned int maxes[] = { 1, 3, 512 };
	const unsigned long n = 3 * PER_CHUNK + 7;
	unsigned int o, m, got, j;

	for (o = 0; o < ARRAY_SIZE(iter_orders); o++) {
		PHYR_ITER(it);
		const unsigned int order = iter_orders[o];
		struct phyr_list *list = new_list(test);
		unsigned long i, from_blocks;
		struct phyr_blocks bl;
		struct phyr r;

		append_descending(test, list, order, n);
		for (m = 0; m < ARRAY_SIZE(maxes); m++) {
			i = 0;
			from_blocks = 0;
			phyr_iter_start(&it, list);
			/* The first entry is cut 100 B in */
			KUNIT_EXPECT_EQ(test, phyr_iter_blocks(&it, &bl, 1), 0);
			for (;;) {
				got = phyr_iter_blocks(&it, &bl, maxes[m]);
				if (!got) {
					if (!phyr_iter_fill(&it, &r, 1))
						break;
					expect_descending(test, &r, order, n, i++);
					continue;
				}
				KUNIT_EXPECT_LE(test, got, maxes[m]);
				KUNIT_EXPECT_EQ(test, bl.shift, PHYR_PFN_SHIFT + order);
				KUNIT_EXPECT_EQ(test, phyr_blocks_len(&bl),
						PFN_4K << order);
				/* Neither end of the list */
				KUNIT_EXPECT_GT(test, i, 0);
				KUNIT_EXPECT_LT(test, i + got, n);
				for (j = 0; j < got; j++, i++) {
					r.addr = phyr_blocks_addr(&bl, j);
					r.len = phyr_blocks_len(&bl);
					expect_descending(test, &r, order, n, i);
				}
				from_blocks += got;
			}
			KUNIT_EXPECT_EQ(test, i, n);
			/* All but the ends and the last entry of each chunk */
			KUNIT_EXPECT_GE(test, from_blocks, n - 2 - 4);
			KUNIT_EXPECT_EQ(test, phyr_iter_blocks(&it, &bl, 1), 0);
		}

		/* Inside an entry nothing; at its start, from there on */
		KUNIT_ASSERT_EQ(test, phyr_iter_seek(&it, list,
						     3 * (PFN_4K << order) + 1,
						     NULL), 0);
		KUNIT_EXPECT_EQ(test, phyr_iter_blocks(&it, &bl, 8), 0);
		KUNIT_ASSERT_EQ(test, phyr_iter_seek(&it, list,
						     3 * (PFN_4K << order) - 100,
						     NULL), 0);
		KUNIT_ASSERT_EQ(test, phyr_iter_blocks(&it, &bl, 8), 8);
		r.addr = phyr_blocks_addr(&bl, 0);
		r.len = phyr_blocks_len(&bl);
		expect_descending(test, &r, order, n, 3);
		KUNIT_ASSERT_TRUE(test, phyr_iter_next(&it, &r));
		expect_descending(test, &r, order, n, 11);
	}
}

/* Rejected input leaves the list exactly as it was. */
static void phyr_test_bad_input(struct kunit *test)
{
	PHYR_APPEND(app);
	struct phyr batch[] = {
		{ 0x100000, 4096 }, { 0x101000, 0 }, { 0x200000, 8192 },
	};
	struct phyr_list *list = new_list(test), before;

	KUNIT_ASSERT_EQ(test, append_fragmented(list, 5), 0);
	before = *list;
	phyr_append_begin(&app, list, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, phyr_append_range(&app, 0x1000, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, phyr_append_range(&app, U64_MAX - 10, 20),
			-EOVERFLOW);
	KUNIT_EXPECT_EQ(test, phyr_append_range(&app, U64_MAX - 4096, 4096),
			-EOVERFLOW);
	/* A batch with one bad range appends none of its good ones */
	KUNIT_EXPECT_EQ(test, phyr_append_ranges(&app, batch, 3), -EINVAL);
	batch[1].len = 4096;
	batch[2].addr = U64_MAX - 10;
	KUNIT_EXPECT_EQ(test, phyr_append_ranges(&app, batch, 3), -EOVERFLOW);
	/* The same for a whole frame, which takes the batch's fast path */
	batch[2].addr = U64_MAX - PHYR_PFN_SIZE + 1;
	batch[2].len = PHYR_PFN_SIZE;
	KUNIT_EXPECT_EQ(test, phyr_append_ranges(&app, batch, 3), -EOVERFLOW);
	phyr_append_end(&app);
	KUNIT_EXPECT_MEMEQ(test, list, &before, sizeof(*list));
}

/*
 * A batch of single pages after a single page (the batch's fastest path)
 * keeps range_check()'s limits: the physical address space's last frame,
 * and a list of at most U64_MAX / 2 bytes.  What is refused leaves the list
 * as it was; the frame below the last and the byte below the limit fit.
 */
static void phyr_test_page_batch_limits(struct kunit *test)
{
	PHYR_APPEND(app);
	const phys_addr_t last = U64_MAX - PHYR_PFN_SIZE + 1;
	struct phyr batch[] = {
		{ 0x300000, PHYR_PFN_SIZE }, { 0x305000, PHYR_PFN_SIZE },
		{ last, PHYR_PFN_SIZE },
	};
	struct phyr_list *list = new_list(test), before;
	const unsigned long m = 2 * PER_CHUNK;
	const u64 half = U64_MAX / 2;
	unsigned long i, n;

	KUNIT_ASSERT_EQ(test, append_fragmented(list, 5), 0);
	before = *list;
	phyr_append_begin(&app, list, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, phyr_append_ranges(&app, batch, 3), -EOVERFLOW);
	phyr_append_end(&app);
	KUNIT_EXPECT_MEMEQ(test, list, &before, sizeof(*list));
	batch[2].addr = last - PHYR_PFN_SIZE;
	phyr_append_begin(&app, list, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, phyr_append_ranges(&app, batch, 3), 0);
	phyr_append_end(&app);
	KUNIT_EXPECT_EQ(test, phyr_list_length(list),
			phyr_list_length(&before) + 3 * PHYR_PFN_SIZE);

	/*
	 * A list one page short of U64_MAX / 2 bytes whose last chunk holds
	 * single pages only: a huge range, then pages far above it
	 */
	list = new_list(test);
	KUNIT_ASSERT_EQ(test, append_one(list, 0, half + 1 - (m + 1) * PHYR_PFN_SIZE), 0);
	phyr_append_begin(&app, list, GFP_KERNEL);
	for (i = 0; i < m; i++)
		KUNIT_ASSERT_EQ(test, phyr_append_range(&app, (1ULL << 63) +
							2 * i * PHYR_PFN_SIZE,
							PHYR_PFN_SIZE), 0);
	phyr_append_end(&app);
	KUNIT_ASSERT_EQ(test, phyr_list_length(list), half + 1 - PHYR_PFN_SIZE);
	n = phyr_list_nr_entries(list);
	batch[0].addr = (1ULL << 63) + 2 * (m + 1) * PHYR_PFN_SIZE;
	batch[1].addr = batch[0].addr + 2 * PHYR_PFN_SIZE;
	phyr_append_begin(&app, list, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, phyr_append_ranges(&app, batch, 2), -EOVERFLOW);
	phyr_append_end(&app);
	KUNIT_EXPECT_EQ(test, phyr_list_length(list), half + 1 - PHYR_PFN_SIZE);
	KUNIT_EXPECT_EQ(test, phyr_list_nr_entries(list), n);
	/* Up to the limit's last byte: one page less one byte still fits */
	KUNIT_EXPECT_EQ(test, append_one(list, batch[0].addr, PHYR_PFN_SIZE - 1), 0);
	KUNIT_EXPECT_EQ(test, phyr_list_length(list), half);
}

/*
 * A series after a series: the last chunk, shrunk when the first ended,
 * gets its page back when more chunks follow it; only a list's last chunk
 * is ever smaller than a page, and footprints stay exact.
 */
static void phyr_test_two_series(struct kunit *test)
{
	PHYR_APPEND(app);
	PHYR_ITER(it);
	struct phyr_list *list = new_list(test);
	const unsigned long n = PER_CHUNK + 3, m = 2 * PER_CHUNK;
	unsigned long i;
	phys_addr_t a;

	KUNIT_ASSERT_EQ(test, append_fragmented(list, n), 0);
	KUNIT_EXPECT_EQ(test, phyr_list_footprint(list), PHYR_CHUNK_SIZE + 64);
	phyr_append_begin(&app, list, GFP_KERNEL);
	for (i = 0; i < m; i++)
		KUNIT_ASSERT_EQ(test, phyr_append_range(&app, (1ULL << 32) + 2 * i * PFN_4K,
							PFN_4K), 0);
	phyr_append_end(&app);
	/* 3 x 1017 + 3 entries: three pages and a shrunk last chunk */
	KUNIT_EXPECT_EQ(test, phyr_list_footprint(list), 3 * PHYR_CHUNK_SIZE + 64);
	KUNIT_EXPECT_EQ(test, phyr_list_nr_entries(list), n + m);
	KUNIT_ASSERT_EQ(test, phyr_iter_seek(&it, list, (n + m - 1) * PFN_4K, &a), 0);
	KUNIT_EXPECT_EQ(test, a, (1ULL << 32) + 2 * (m - 1) * PFN_4K);
	KUNIT_ASSERT_EQ(test, phyr_iter_seek(&it, list, (n - 1) * PFN_4K, &a), 0);
	KUNIT_EXPECT_EQ(test, a, 2 * PFN_4K);
}

#define WIN		(PFN_4K << PHYR_PACK_SHIFT)	/* 8 TiB */
#define WIN5		(5 * WIN)
#define PACK_FILL	300	/* pages before the cases: the head is full */

struct packed_case {
	phys_addr_t addr;
	u64 len;
	unsigned int bytes;	/* stored in */
};

/*
 * Appended after PACK_FILL pages of window 5, none contiguous with the
 * entry before it: blocks inside the window at both of its edges, up to
 * order 30, take 4 bytes; outside it, or of order 31, or not blocks, they
 * take their encoding behind a 4-byte escape.
 */
static const struct packed_case packed_cases[] = {
	{ WIN5, PFN_4K, 4 },				/* first frame */
	{ WIN5 + WIN - PFN_4K, PFN_4K, 4 },		/* last frame */
	{ WIN5 - PFN_4K, PFN_4K, 12 },			/* just below */
	{ WIN5 + WIN, PFN_4K, 12 },			/* just above */
	{ WIN5 + WIN - (2 << 20), 2 << 20, 4 },		/* order 9, at the top */
	{ WIN5 + WIN / 2, WIN / 2, 4 },			/* order 30 */
	{ WIN5, WIN, 12 },				/* order 31 */
	{ WIN5 + 3 * PFN_4K, 3 * PFN_4K, 16 },		/* a count */
	{ WIN5 + 2 * PFN_4K + 17, 100, 16 },		/* bytes */
	{ WIN5 + 64 * PFN_4K, 2 * PFN_4K, 4 },		/* order 1 */
	{ 9 * WIN + (1ULL << 30), 1ULL << 30, 12 },	/* 1 GiB, window 9 */
	{ WIN5 + 96 * PFN_4K, PFN_4K, 4 },		/* back in the window */
};

#define PACK_N	(PACK_FILL + ARRAY_SIZE(packed_cases))

static phys_addr_t fill_addr(unsigned int i)
{
	return WIN5 + (1ULL << 30) + 2 * i * PFN_4K;
}

static void packed_append(struct kunit *test, struct phyr_list *list)
{
	PHYR_APPEND(app);
	unsigned int i;

	phyr_append_begin(&app, list, GFP_KERNEL);
	for (i = 0; i < PACK_FILL; i++)
		KUNIT_ASSERT_EQ(test, phyr_append_range(&app, fill_addr(i),
							PFN_4K), 0);
	for (i = 0; i < ARRAY_SIZE(packed_cases); i++)
		KUNIT_ASSERT_EQ(test, phyr_append_range(&app, packed_cases[i].addr,
							packed_cases[i].len), 0);
	phyr_append_end(&app);
}

static void phyr_test_packed_window(struct kunit *test)
{
	PHYR_ITER(it);
	PHYR_ITER(it2);
	struct phyr_list *list = new_list(test);
	struct phyr *e = kunit_kcalloc(test, PACK_N + 1, sizeof(*e), GFP_KERNEL);
	unsigned int *bytes = kunit_kcalloc(test, PACK_N + 1, sizeof(*bytes),
					    GFP_KERNEL);
	struct phyr batch[8], one;
	unsigned int i, n, total = 0;
	u64 off = 0;
	phys_addr_t a;

	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_ASSERT_NOT_NULL(test, bytes);
	packed_append(test, list);
	n = stored(list, e, NULL, bytes, PACK_N + 1);
	KUNIT_ASSERT_EQ(test, n, PACK_N);
	for (i = 0; i < PACK_FILL; i++) {
		KUNIT_EXPECT_EQ(test, e[i].addr, fill_addr(i));
		KUNIT_EXPECT_EQ(test, bytes[i], 4);
	}
	for (i = 0; i < ARRAY_SIZE(packed_cases); i++) {
		const struct packed_case *c = &packed_cases[i];
		const struct phyr *got = &e[PACK_FILL + i];

		KUNIT_EXPECT_EQ_MSG(test, got->addr, c->addr, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, got->len, c->len, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, bytes[PACK_FILL + i], c->bytes,
				    "case %u", i);
	}
	/* One chunk, shrunk to what its entries and sub-index take */
	for (i = 0; i < n; i++)
		total += bytes[i];
	KUNIT_EXPECT_EQ(test, phyr_list_footprint(list),
			roundup_pow_of_two(PHYR_CHUNK_HDR + total +
					   4 * PHYR_MARK_WORDS));
	/* Seek finds the first and the last byte of every entry */
	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_EQ(test, phyr_iter_seek(&it, list, off, &a), 0);
		KUNIT_EXPECT_EQ_MSG(test, a, e[i].addr, "entry %u", i);
		KUNIT_ASSERT_EQ(test, phyr_iter_seek(&it, list, off + e[i].len - 1,
						     &a), 0);
		KUNIT_EXPECT_EQ_MSG(test, a, e[i].addr + e[i].len - 1,
				    "entry %u", i);
		off += e[i].len;
	}
	/* Batches across the forms equal entry by entry */
	phyr_iter_start(&it, list);
	phyr_iter_start(&it2, list);
	while ((n = phyr_iter_fill(&it, batch, ARRAY_SIZE(batch)))) {
		for (i = 0; i < n; i++) {
			KUNIT_ASSERT_TRUE(test, phyr_iter_next(&it2, &one));
			KUNIT_EXPECT_EQ(test, one.addr, batch[i].addr);
			KUNIT_EXPECT_EQ(test, one.len, batch[i].len);
		}
	}
	KUNIT_EXPECT_FALSE(test, phyr_iter_next(&it2, &one));
	expect_forms(test, list);
}

/*
 * The same entries in chunks of their own: a window set by an entry
 * outside the others' (the first of a chunk is stored behind an escape if
 * it is not a block), and a list whose pages all lie outside the window of
 * its first chunk costs 12 bytes a page there and 4 in the next chunks.
 */
static void phyr_test_packed_windows(struct kunit *test)
{
	PHYR_APPEND(app);
	PHYR_ITER(it);
	struct phyr_list *list = new_list(test);
	const unsigned long n = 3 * PER_CHUNK;
	unsigned long i, escaped, full, rest, forms[PHYR_NR_FORMS];
	struct phyr p;

	phyr_append_begin(&app, list, GFP_KERNEL);
	/* Window 3's first page, then pages of window 4 */
	KUNIT_ASSERT_EQ(test, phyr_append_range(&app, 3 * WIN, PFN_4K), 0);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, phyr_append_range(&app, 4 * WIN + 2 * i * PFN_4K,
							PFN_4K), 0);
	phyr_append_end(&app);
	i = 0;
	phyr_for_each(list, &it, &p) {
		KUNIT_EXPECT_EQ(test, p.addr, i ? 4 * WIN + 2 * (i - 1) * PFN_4K :
					  3 * WIN);
		i++;
	}
	KUNIT_EXPECT_EQ(test, i, n + 1);
	/*
	 * 256 entries in the head, packed into the first chunk when it
	 * filled: window 3, the others escaped (12 bytes) there, room kept
	 * for its sub-index; then chunks of window 4, the last shrunk
	 */
	escaped = (PHYR_CHUNK_WORDS - PHYR_MARK_WORDS - 1) / 3;
	full = (n - escaped) / PER_CHUNK;
	rest = (n - escaped) % PER_CHUNK;
	KUNIT_EXPECT_EQ(test, phyr_list_footprint(list),
			(1 + full) * PHYR_CHUNK_SIZE +
			(rest ? roundup_pow_of_two(PHYR_CHUNK_HDR + 4 * rest) : 0));
	phyr_iter_start(&it, list);
	phyr_iter_next(&it, &p);
	KUNIT_EXPECT_EQ(test, phyr_iter_stored(&it), 12);
	KUNIT_ASSERT_EQ(test, phyr_iter_seek(&it, list, (n - 1) * PFN_4K, NULL), 0);
	KUNIT_EXPECT_EQ(test, phyr_iter_stored(&it), 4);
	/* The escaped pages are blocks, the rest packed */
	phyr_list_count_forms(list, forms);
	KUNIT_EXPECT_EQ(test, forms[PHYR_FORM_PACKED], n + 1 - escaped);
	KUNIT_EXPECT_EQ(test, forms[PHYR_FORM_BLOCK], escaped);
	expect_forms(test, list);
}

/*
 * A call that fails leaves every entry stored as it was: a packed last
 * page that merged into an escaped count, packed and escaped entries and a
 * new chunk after it, all undone by the empty range that ends the batch.
 */
static void phyr_test_packed_undo(struct kunit *test)
{
	PHYR_APPEND(app);
	struct phyr_list *list = new_list(test);
	struct phyr *before = kunit_kcalloc(test, PACK_N + 1, sizeof(*before),
					    GFP_KERNEL);
	struct phyr *after = kunit_kcalloc(test, PACK_N + 1, sizeof(*after),
					   GFP_KERNEL);
	unsigned int *b1 = kunit_kcalloc(test, PACK_N + 1, sizeof(*b1), GFP_KERNEL);
	unsigned int *b2 = kunit_kcalloc(test, PACK_N + 1, sizeof(*b2), GFP_KERNEL);
	const unsigned int nb = PER_CHUNK + 2;
	struct phyr *batch = kunit_kcalloc(test, nb, sizeof(*batch), GFP_KERNEL);
	const struct packed_case *last = &packed_cases[ARRAY_SIZE(packed_cases) - 1];
	unsigned int i, n1, n2;
	size_t foot;
	u64 len;

	KUNIT_ASSERT_NOT_NULL(test, before);
	KUNIT_ASSERT_NOT_NULL(test, after);
	KUNIT_ASSERT_NOT_NULL(test, b1);
	KUNIT_ASSERT_NOT_NULL(test, b2);
	KUNIT_ASSERT_NOT_NULL(test, batch);
	packed_append(test, list);
	n1 = stored(list, before, NULL, b1, PACK_N + 1);
	foot = phyr_list_footprint(list);
	len = phyr_list_length(list);
	/* The last page grows to three (a count), then pages, then nothing */
	batch[0] = (struct phyr){ last->addr + PFN_4K, 2 * PFN_4K };
	for (i = 1; i < nb - 1; i++)
		batch[i] = (struct phyr){ i % 7 ? WIN5 + (2ULL << 30) + 2 * i * PFN_4K :
				 (i + 11) * WIN, PFN_4K };
	batch[nb - 1] = (struct phyr){ 0, 0 };
	phyr_append_begin(&app, list, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, phyr_append_ranges(&app, batch, nb), -EINVAL);
	/* Without the empty range the same batch is taken */
	n2 = stored(list, after, NULL, b2, PACK_N + 1);
	KUNIT_ASSERT_EQ(test, n2, n1);
	KUNIT_EXPECT_EQ(test, phyr_list_length(list), len);
	for (i = 0; i < n1; i++) {
		KUNIT_EXPECT_EQ_MSG(test, after[i].addr, before[i].addr, "entry %u", i);
		KUNIT_EXPECT_EQ_MSG(test, after[i].len, before[i].len, "entry %u", i);
		KUNIT_EXPECT_EQ_MSG(test, b2[i], b1[i], "entry %u", i);
	}
	KUNIT_EXPECT_EQ(test, phyr_append_ranges(&app, batch, nb - 1), 0);
	phyr_append_end(&app);
	KUNIT_EXPECT_GT(test, phyr_list_footprint(list), foot);
	KUNIT_EXPECT_EQ(test, phyr_list_nr_entries(list), n1 + nb - 2);
	KUNIT_EXPECT_EQ(test, phyr_list_length(list),
			len + 2 * PFN_4K + (nb - 2) * PFN_4K);
}

/*
 * Pages with a few others among them (2 MiB folios, a run of three pages
 * behind an escape), as many per chunk as its sub-index lists as
 * exceptions and more: every entry is found at its first and last byte,
 * and the chunks hold as many entries as chunks with marks.
 */
static void phyr_test_excepted_seek(struct kunit *test)
{
	static const unsigned int nx[] = { 1, 2, PHYR_EXCEPTS, PHYR_EXCEPTS + 1, 40 };
	const unsigned long n = 2 * PER_CHUNK + 5;
	struct phyr *e = kunit_kcalloc(test, n, sizeof(*e), GFP_KERNEL);
	u64 *offs = kunit_kcalloc(test, n, sizeof(*offs), GFP_KERNEL);
	unsigned int x, k;

	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_ASSERT_NOT_NULL(test, offs);
	for (x = 0; x < ARRAY_SIZE(nx); x++) {
		PHYR_APPEND(app);
		PHYR_ITER(it);
		struct phyr_list *list = new_list(test);
		unsigned long i, step = PER_CHUNK / nx[x], folios = 0;
		u64 off = 0;
		phys_addr_t a;
		struct phyr p;

		for (i = 0; i < n; i++) {
			e[i] = (struct phyr){ (1ULL << 40) - 2 * i * PFN_4K, PFN_4K };
			/* Exceptions from entry 0 on, two adjacent ones among them */
			k = i % PER_CHUNK;
			if (k % step == 0 || (k == 1 && nx[x] > 1)) {
				if (k % 3 == 2)
					e[i].len = 3 * PFN_4K;
				else
					e[i] = (struct phyr){ (1ULL << 36) +
						(4ULL << 20) * folios++, 2 << 20 };
			}
			offs[i] = off;
			off += e[i].len;
		}
		phyr_append_begin(&app, list, GFP_KERNEL);
		KUNIT_ASSERT_EQ(test, phyr_append_ranges(&app, e, n), 0);
		phyr_append_end(&app);
		KUNIT_EXPECT_EQ(test, phyr_list_nr_entries(list), n);
		i = 0;
		phyr_for_each(list, &it, &p) {
			KUNIT_EXPECT_EQ(test, p.addr, e[i].addr);
			KUNIT_EXPECT_EQ(test, p.len, e[i].len);
			i++;
		}
		for (i = 0; i < n; i++) {
			KUNIT_ASSERT_EQ(test, phyr_iter_seek(&it, list, offs[i], &a), 0);
			KUNIT_EXPECT_EQ_MSG(test, a, e[i].addr, "%u exceptions, entry %lu",
					    nx[x], i);
			KUNIT_ASSERT_EQ(test, phyr_iter_seek(&it, list,
							     offs[i] + e[i].len - 1, &a), 0);
			KUNIT_EXPECT_EQ_MSG(test, a, e[i].addr + e[i].len - 1,
					    "%u exceptions, entry %lu", nx[x], i);
		}
		/* Two full chunks of mixed entries, a shrunk third */
		KUNIT_EXPECT_LE(test, phyr_list_footprint(list), 3 * PHYR_CHUNK_SIZE);
	}
}

/*
 * A last entry that grows (a page and the next) in the call whose earlier
 * ranges, each longer than a BLOCK, filled the head: the head becomes a
 * chunk, packed, and the grown entry is written there, whole.
 */
static void phyr_test_grow_into_chunk(struct kunit *test)
{
	static const struct phyr batch[] = {
		{ 0x40000000, 3 * PFN_4K }, { 0x40100000, 3 * PFN_4K },
		{ 0x40200000, 3 * PFN_4K }, { 0x40300000, 3 * PFN_4K },
		{ 0x40401000, PFN_4K }, { 0x40402000, PFN_4K },
	};
	PHYR_APPEND(app);
	PHYR_ITER(it);
	struct phyr_list *list = new_list(test);
	const unsigned int n = PHYR_SMALL_MAX_BYTES / 8 - 7;
	unsigned int i;
	phys_addr_t a;
	struct phyr p;

	phyr_append_begin(&app, list, GFP_KERNEL);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, phyr_append_range(&app, 0x10000000 + 2 * i * PFN_4K,
							PFN_4K), 0);
	KUNIT_ASSERT_EQ(test, list->height, 0);
	KUNIT_ASSERT_EQ(test, phyr_append_ranges(&app, batch, ARRAY_SIZE(batch)), 0);
	phyr_append_end(&app);
	KUNIT_EXPECT_EQ(test, phyr_list_length(list), (n + 14) * PFN_4K);
	KUNIT_EXPECT_EQ(test, phyr_list_nr_entries(list), n + 5);
	KUNIT_ASSERT_EQ(test, phyr_iter_seek(&it, list, (n + 12) * PFN_4K, &a), 0);
	KUNIT_EXPECT_TRUE(test, phyr_iter_entry(&it, &p, NULL));
	KUNIT_EXPECT_EQ(test, p.addr, 0x40401000);
	KUNIT_EXPECT_EQ(test, p.len, 2 * PFN_4K);
	KUNIT_EXPECT_EQ(test, a, 0x40401000);
	KUNIT_ASSERT_EQ(test, phyr_iter_seek(&it, list, (n + 13) * PFN_4K, &a), 0);
	KUNIT_EXPECT_EQ(test, a, 0x40402000);
}

static struct kunit_case phyr_test_cases[] = {
	KUNIT_CASE(phyr_test_empty),
	KUNIT_CASE(phyr_test_block_orders),
	KUNIT_CASE(phyr_test_count_limits),
	KUNIT_CASE_PARAM(phyr_test_bytes_limits, bytes_gen_params),
	KUNIT_CASE(phyr_test_slicing),
	KUNIT_CASE(phyr_test_merge),
	KUNIT_CASE(phyr_test_inline_to_chunked),
	KUNIT_CASE_PARAM(phyr_test_huge_folio_lists, folio_gen_params),
	KUNIT_CASE_PARAM(phyr_test_chunk_boundaries, boundary_gen_params),
	KUNIT_CASE(phyr_test_count_forms),
	KUNIT_CASE(phyr_test_mixed_seek),
	KUNIT_CASE(phyr_test_blocks),
	KUNIT_CASE(phyr_test_iter_fill),
	KUNIT_CASE(phyr_test_iter_blocks),
	KUNIT_CASE(phyr_test_bad_input),
	KUNIT_CASE(phyr_test_page_batch_limits),
	KUNIT_CASE(phyr_test_two_series),
	KUNIT_CASE(phyr_test_packed_window),
	KUNIT_CASE(phyr_test_packed_windows),
	KUNIT_CASE(phyr_test_packed_undo),
	KUNIT_CASE(phyr_test_excepted_seek),
	KUNIT_CASE(phyr_test_grow_into_chunk),
	{}
};

static struct kunit_suite phyr_test_suite = {
	.name = "phyr",
	.test_cases = phyr_test_cases,
};

kunit_test_suite(phyr_test_suite);

MODULE_DESCRIPTION("KUnit tests for phyr lists");
MODULE_LICENSE("Dual BSD/GPL");
