// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * Randomised property test of phyr lists against a plain reference: an
 * array of (address, length) ranges.  From a fixed seed it builds 100 000
 * lists mixing fragmented pages, contiguous runs, huge folios, unaligned
 * heads and tails and batches of pages long enough to be packed into chunks
 * (around the edges of the chunks' 8 TiB windows, with few or many blocks
 * of other orders among them), with injected allocation failures, and
 * checks that the list describes exactly the reference's bytes: by
 * iteration, by seek at random offsets and by DMA-block iteration.  A failing input is shrunk
 * (operations dropped while it still fails) and printed.  A second test
 * grows deep lists (index height 2 and 3) in GUP-sized batches, failing
 * each allocation of each batch in turn (index nodes included), and checks
 * that each failure leaves the list as it was.
 */
#include <inttypes.h>
#include <stdio.h>
#include <linux/phyr.h>
#include "unit.h"

#define LISTS_PER_RUN	10000
#define RUNS		10
#define MAX_OPS		48
#define PG		4096ULL

enum op_kind { OP_RANGE, OP_BLOCKS, OP_FAIL_NEXT, OP_RANGES, OP_PAGES };

/* OP_RANGES: @order ranges of @len bytes from @addr, a gap after half */
#define RANGES_MAX	8
/*
 * OP_PAGES: @len pages and small blocks in one batch, around frame @addr
 * (often the edge of a chunk's 8 TiB window of packed entries), drawn from
 * seed @order: enough to fill the head and pack into chunks.
 */
#define PAGES_MAX	600
#define PACK_WINDOW	(1ULL << 31)	/* frames */
#define REF_MAX		(MAX_OPS * PAGES_MAX)

struct op {
	enum op_kind kind;
	uint64_t addr;		/* or pfn */
	uint64_t len;		/* or count */
	unsigned int order;
	long fail_at;
};

struct ref {
	uint64_t addr[REF_MAX];
	uint64_t len[REF_MAX];
	unsigned int n;
	uint64_t total;
};

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: fixed seed, same lists on every machine */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint64_t rnd_below(uint64_t n)
{
	return rnd() % n;
}

/* Address of range @i of an OP_RANGES batch. */
static uint64_t range_addr(const struct op *op, unsigned int i)
{
	return op->addr + i * op->len + (i >= op->order / 2 ? 3 * op->len : 0);
}

/* Range @i of an OP_PAGES batch. */
static struct phyr pages_range(const struct op *op, unsigned int i)
{
	/* splitmix64 of the batch's seed and @i */
	uint64_t z = (op->order + (i + 1) * 0x9e3779b97f4a7c15ULL);
	unsigned int order;
	uint64_t pfn;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	/* Blocks of order 1 to 9 among the pages: often, or seldom */
	order = z % (op->order & 1 ? 8 : 256) ? 0 : 1 + (z >> 8) % 9;
	pfn = op->addr + ((z >> 16) % 1024) - 512;
	pfn &= ~((1ULL << order) - 1);
	return (struct phyr){ pfn * PG, PG << order };
}

/* One random operation; @prev_end is where the last range ended. */
static struct op random_op(uint64_t *prev_end)
{
	struct op op = { .kind = OP_RANGE };
	unsigned int pick = rnd_below(100);

	if (pick < 35) {			/* a lone page somewhere */
		op.addr = rnd_below(1 << 24) * PG;
		op.len = PG;
	} else if (pick < 55) {			/* continue the last range */
		op.addr = *prev_end;
		op.len = (1 + rnd_below(8)) * PG - (rnd_below(4) ? 0 : rnd_below(PG));
	} else if (pick < 65) {			/* a huge folio */
		op.kind = OP_BLOCKS;
		op.order = rnd_below(3) ? 9 : 18;
		op.addr = rnd_below(1 << 8) << op.order;
		op.len = 1 + rnd_below(3);
	} else if (pick < 80) {			/* unaligned bytes */
		op.addr = rnd_below(1ULL << 36);
		op.len = 1 + rnd_below(rnd_below(4) ? 3 * PG : 40ULL << 20);
	} else if (pick < 85) {			/* a batch of ranges */
		op.kind = OP_RANGES;
		op.order = 1 + rnd_below(RANGES_MAX);
		op.addr = rnd_below(1ULL << 34) * (rnd_below(2) ? PG : 1);
		op.len = 1 + rnd_below(rnd_below(2) ? 2 * PG : 64);
		if (op.addr % PG == 0 && rnd_below(2))
			op.len = (op.len / 64 + 1) * PG;
	} else if (pick < 87) {			/* pages, packed in chunks */
		op.kind = OP_PAGES;
		op.order = rnd();
		op.len = 1 + rnd_below(PAGES_MAX);
		op.addr = rnd_below(2) ? (1 + rnd_below(4)) * PACK_WINDOW :
			  512 + rnd_below(1 << 24);
	} else if (pick < 90) {			/* a run of pages */
		op.addr = rnd_below(1 << 22) * PG;
		op.len = (1 + rnd_below(2048)) * PG;
	} else {				/* an allocation fails soon */
		op.kind = OP_FAIL_NEXT;
		op.fail_at = rnd_below(3);
	}
	if (op.kind == OP_RANGE)
		*prev_end = op.addr + op.len;
	else if (op.kind == OP_RANGES)
		*prev_end = range_addr(&op, op.order - 1) + op.len;
	else if (op.kind == OP_BLOCKS)
		*prev_end = (op.addr + (op.len << op.order)) * PG;
	else if (op.kind == OP_PAGES) {
		struct phyr last = pages_range(&op, op.len - 1);

		*prev_end = last.addr + last.len;
	}
	return op;
}

static void ref_add(struct ref *r, uint64_t addr, uint64_t len)
{
	if (r->n && r->addr[r->n - 1] + r->len[r->n - 1] == addr) {
		r->len[r->n - 1] += len;
	} else {
		r->addr[r->n] = addr;
		r->len[r->n++] = len;
	}
	r->total += len;
}

/* Address of byte @off of the reference. */
static uint64_t ref_addr(const struct ref *r, uint64_t off)
{
	unsigned int i;

	for (i = 0; off >= r->len[i]; i++)
		off -= r->len[i];
	return r->addr[i] + off;
}

static void print_ops(const struct op *ops, unsigned int n)
{
	static const char *const names[] = { "range", "blocks", "fail_next",
					     "ranges", "pages" };
	unsigned int i;

	for (i = 0; i < n; i++)
		fprintf(stderr, "  %s addr=0x%" PRIx64 " len=0x%" PRIx64
			" order=%u fail_at=%ld\n", names[ops[i].kind],
			ops[i].addr, ops[i].len, ops[i].order, ops[i].fail_at);
}

/*
 * Apply @ops to a fresh list and compare with the reference.  Returns NULL
 * if all holds, else what failed.
 */
static const char *run_ops(const struct op *ops, unsigned int n, uint64_t seed)
{
	/* Static: too large for the stack, and run_ops() is not reentered */
	static struct ref ref, got;
	const char *why = NULL;
	struct phyr_block_iter bi;
	struct phyr_list list;
	PHYR_APPEND(app);
	uint64_t off, pgsz, iova, k, cut;
	unsigned int i;
	PHYR_ITER(it);
	struct phyr_iter it2;
	struct phyr p;
	long live = phyr_compat_live;

	ref.n = 0;
	ref.total = 0;
	got.n = 0;
	got.total = 0;
	phyr_list_init(&list);
	phyr_append_begin(&app, &list, GFP_KERNEL);
	for (i = 0; i < n; i++) {
		const struct op *op = &ops[i];
		int ret = 0;

		switch (op->kind) {
		case OP_FAIL_NEXT:
			phyr_compat_fail_at = op->fail_at;
			continue;
		case OP_RANGE:
			ret = phyr_append_range(&app, op->addr, op->len);
			if (!ret)
				ref_add(&ref, op->addr, op->len);
			break;
		case OP_PAGES: {
			static struct phyr r[PAGES_MAX];

			for (unsigned int k = 0; k < op->len; k++)
				r[k] = pages_range(op, k);
			ret = phyr_append_ranges(&app, r, op->len);
			for (unsigned int k = 0; !ret && k < op->len; k++)
				ref_add(&ref, r[k].addr, r[k].len);
			break;
		}
		case OP_RANGES: {
			struct phyr r[RANGES_MAX];

			for (unsigned int k = 0; k < op->order; k++)
				r[k] = (struct phyr){ range_addr(op, k), op->len };
			ret = phyr_append_ranges(&app, r, op->order);
			for (unsigned int k = 0; !ret && k < op->order; k++)
				ref_add(&ref, r[k].addr, r[k].len);
			break;
		}
		case OP_BLOCKS:
			ret = phyr_append_range(&app, op->addr * PG,
						(op->len << op->order) * PG);
			if (!ret)
				ref_add(&ref, op->addr * PG,
					(op->len << op->order) * PG);
			break;
		}
		if (ret && ret != -ENOMEM) {
			why = "append refused valid input";
			goto out;
		}
	}
	phyr_compat_fail_at = -1;
	phyr_append_end(&app);

	if (phyr_list_length(&list) != ref.total) {
		why = "length differs from the reference";
		goto out;
	}
	/* Iteration, merged where contiguous, equals the reference */
	phyr_for_each(&list, &it, &p) {
		bool joins = got.n && got.addr[got.n - 1] + got.len[got.n - 1] == p.addr;

		if (!joins && got.n == ref.n) {
			why = "iteration yields more than the reference";
			goto out;
		}
		ref_add(&got, p.addr, p.len);
	}
	if (got.n != ref.n || got.total != ref.total ||
	    memcmp(got.addr, ref.addr, ref.n * sizeof(ref.addr[0])) ||
	    memcmp(got.len, ref.len, ref.n * sizeof(ref.len[0]))) {
		why = "iteration differs from the reference";
		goto out;
	}
	/*
	 * Batches from phyr_iter_fill() and blocks from phyr_iter_blocks(),
	 * after a seek, equal phyr_iter_next()
	 */
	rng_state = seed ^ 0x5bd1e995;
	off = ref.total ? rnd_below(ref.total) : 0;
	if (phyr_iter_seek(&it, &list, off, NULL))
		phyr_iter_start(&it, &list);
	it2 = it;
	for (;;) {
		/* Short batches, and long ones that run through uniform chunks */
		struct phyr batch[40], one;
		unsigned int max = rnd_below(2) ? 1 + rnd_below(7) : 8 + rnd_below(33);
		struct phyr_blocks bl;
		unsigned int nb = 0, j;

		if (rnd_below(2)) {
			nb = phyr_iter_blocks(&it, &bl, max);
			if (nb > max) {
				why = "phyr_iter_blocks gives more than asked";
				goto out;
			}
			for (j = 0; j < nb; j++)
				batch[j] = (struct phyr){ phyr_blocks_addr(&bl, j),
							  phyr_blocks_len(&bl) };
		}
		if (!nb)
			nb = phyr_iter_fill(&it, batch, max);
		for (j = 0; j < nb; j++)
			if (!phyr_iter_next(&it2, &one) || one.addr != batch[j].addr ||
			    one.len != batch[j].len) {
				why = "phyr_iter_fill differs from phyr_iter_next";
				goto out;
			}
		if (!nb)
			break;
	}
	if (phyr_iter_next(&it2, &p)) {
		why = "phyr_iter_fill stops early";
		goto out;
	}
	if (!ref.total)
		goto out;

	/* Seek and advance at random offsets */
	rng_state = seed;
	for (i = 0; i < 16; i++) {
		phys_addr_t a;

		off = rnd_below(ref.total);
		if (phyr_iter_seek(&it, &list, off, &a) || a != ref_addr(&ref, off)) {
			why = "seek gives the wrong address";
			goto out;
		}
		k = rnd_below(ref.total - off);
		if (phyr_iter_advance(&it, k, &a) || a != ref_addr(&ref, off + k)) {
			why = "advance gives the wrong address";
			goto out;
		}
		/* The end is no byte of the list: refused, cursor kept */
		if (phyr_iter_advance(&it, ref.total - off - k, &a) != -ERANGE ||
		    phyr_iter_offset(&it) != off + k) {
			why = "advance onto the end is not refused";
			goto out;
		}
	}

	/* DMA blocks: cut in IOVA space, addresses rounded down */
	pgsz = PG << rnd_below(10);
	while (ref.total / pgsz > 1024)	/* bounded work per list */
		pgsz <<= 1;
	iova = rnd_below(1ULL << 40);
	k = 0;
	cut = pgsz - (iova & (pgsz - 1));
	phyr_for_each_block(&list, &bi, iova, pgsz) {
		off = k ? cut + (k - 1) * pgsz : 0;
		if (off >= ref.total ||
		    phyr_block_addr(&bi) != (ref_addr(&ref, off) & ~(pgsz - 1))) {
			why = "a DMA block has the wrong address";
			goto out;
		}
		k++;
	}
	if (k != phyr_num_blocks(phyr_list_length(&list), iova, pgsz))
		why = "wrong number of DMA blocks";
out:
	phyr_compat_fail_at = -1;
	if (app.list)
		phyr_append_end(&app);
	phyr_list_destroy(&list);
	if (!why && phyr_compat_live != live)
		why = "memory leaked";
	return why;
}

/* Drop operations one by one while the failure persists, then print. */
static void shrink_and_report(struct op *ops, unsigned int n, uint64_t seed,
			      const char *why)
{
	unsigned int i = 0, j;

	while (i < n) {
		struct op trial[MAX_OPS];

		for (j = 0; j < n - 1; j++)
			trial[j] = ops[j < i ? j : j + 1];
		if (run_ops(trial, n - 1, seed)) {
			memcpy(ops, trial, (n - 1) * sizeof(*ops));
			n--;
		} else {
			i++;
		}
	}
	fprintf(stderr, "phyr property failed (%s); smallest input found (%s):\n",
		why, run_ops(ops, n, seed));
	print_ops(ops, n);
}

START_TEST(phyr_property)
{
	unsigned int l, failures = 0;

	for (l = 0; l < LISTS_PER_RUN; l++) {
		uint64_t seed = 0x9e3779b97f4a7c15ULL * (_i * LISTS_PER_RUN + l + 1);
		struct op ops[MAX_OPS];
		uint64_t prev_end = 0;
		unsigned int n, i;
		const char *why;

		rng_state = seed;
		n = 1 + rnd_below(MAX_OPS);
		for (i = 0; i < n; i++)
			ops[i] = random_op(&prev_end);
		why = run_ops(ops, n, seed);
		if (why) {
			if (!failures++)
				shrink_and_report(ops, n, seed, why);
		}
	}
	ck_assert_msg(!failures, "%u of %u random lists failed", failures,
		      LISTS_PER_RUN);
}
END_TEST

/*
 * Deep lists: fragmented pages with runs, huge folios and byte ranges mixed
 * in, and jumps to another 8 TiB window of packed entries, appended in
 * batches of up to 2048 ranges as pinning appends them, until the index has
 * height 3 (more than 255 chunks).  A third of the
 * batches has an allocation fail inside it: in the head's array, in a
 * chunk, in an index node, at the chain-to-index step or where the index
 * grows a level.  A failed batch must leave the list as it was, byte for
 * byte of its head and entry for entry; at the end the whole list must
 * equal the reference, and nothing may leak.
 */
#define DEEP_LISTS	6
#define DEEP_ENTRIES	300000
#define DEEP_BATCH	2048

struct deep_ref {
	uint64_t *addr, *len, *start;	/* start: offset of each range */
	size_t n, cap;
	uint64_t total;
};

static void deep_add(struct deep_ref *r, uint64_t addr, uint64_t len)
{
	if (r->n && r->addr[r->n - 1] + r->len[r->n - 1] == addr) {
		r->len[r->n - 1] += len;
	} else {
		if (r->n == r->cap) {
			r->cap = r->cap ? 2 * r->cap : 1024;
			r->addr = realloc(r->addr, r->cap * sizeof(*r->addr));
			r->len = realloc(r->len, r->cap * sizeof(*r->len));
			r->start = realloc(r->start, r->cap * sizeof(*r->start));
			ck_assert(r->addr && r->len && r->start);
		}
		r->addr[r->n] = addr;
		r->start[r->n] = r->total;
		r->len[r->n++] = len;
	}
	r->total += len;
}

/* Byte @off of the reference, by bisection over its running offsets. */
static uint64_t deep_addr(const struct deep_ref *r, uint64_t off)
{
	const uint64_t *start = r->start;
	size_t lo = 0, hi = r->n - 1;

	while (lo < hi) {
		size_t mid = (lo + hi + 1) / 2;

		if (start[mid] <= off)
			lo = mid;
		else
			hi = mid - 1;
	}
	return r->addr[lo] + (off - start[lo]);
}

/*
 * A random batch, continuing at *@next (frames handed out downwards); with
 * @seldom, pages with only a few others among them, as chunks whose
 * sub-index lists its exceptions hold them.
 */
static unsigned int deep_batch(struct phyr *b, uint64_t *next, bool seldom)
{
	unsigned int n = 1 + rnd_below(DEEP_BATCH), i;

	for (i = 0; i < n; i++) {
		unsigned int pick = seldom && rnd_below(200) ? 0 : rnd_below(100);

		/* Now and then, the top of the next 8 TiB window down */
		if (!rnd_below(2000))
			*next = (*next & ~(PACK_WINDOW * PG - 1)) - PG;
		if (pick < 80) {			/* a lone page */
			*next -= 2 * PG;
			b[i] = (struct phyr){ *next, PG };
		} else if (pick < 90) {			/* pages that merge */
			b[i] = (struct phyr){ *next + PG, PG };
		} else if (pick < 97) {			/* a 2 MiB folio */
			*next = (*next & ~((2ULL << 20) - 1)) - (4ULL << 20);
			b[i] = (struct phyr){ *next, 2ULL << 20 };
		} else {				/* bytes */
			*next -= 4 * PG;
			b[i] = (struct phyr){ *next + 17, 1 + rnd_below(3 * PG) };
		}
	}
	return n;
}

/* The list holds the reference's bytes: at its last byte and at samples. */
static void deep_spot_check(const struct phyr_list *list, const struct deep_ref *r)
{
	for (unsigned int k = 0; k < 9; k++) {
		uint64_t off = k ? rnd_below(r->total) : r->total - 1;
		PHYR_ITER(it);
		phys_addr_t a;

		ck_assert_int_eq(phyr_iter_seek(&it, list, off, &a), 0);
		ck_assert_uint_eq(a, deep_addr(r, off));
	}
}

/*
 * Every batch is appended as fail-nth would: with its first allocation
 * failed, then its second, ... until one attempt reaches none.  So every
 * allocation a batch makes fails once, the index nodes of the batches that
 * grow the index above all; each failure must leave the list as it was.
 */
START_TEST(phyr_deep_lists)
{
	struct phyr *batch = malloc(DEEP_BATCH * sizeof(*batch));
	unsigned int failures = 0, max_height = 0, grown_after_failures = 0;
	long live = phyr_compat_live;
	struct deep_ref ref = { 0 };
	struct phyr_list list;
	uint64_t next;
	size_t i;

	ck_assert(batch);
	rng_state = 0xd1b54a32d192ed03ULL * (_i + 1);
	next = 1ULL << 52;
	phyr_list_init(&list);
	while (phyr_list_nr_entries(&list) < DEEP_ENTRIES) {
		unsigned int n = deep_batch(batch, &next, _i % 2),
			     height = list.height;
		size_t entries = phyr_list_nr_entries(&list);
		uint64_t length = list.length;
		long nth;
		int ret;

		for (nth = 0;; nth++) {
			PHYR_APPEND(app);

			phyr_compat_fail_at = nth;
			phyr_append_begin(&app, &list, GFP_KERNEL);
			ret = phyr_append_ranges(&app, batch, n);
			phyr_compat_fail_at = -1;
			phyr_append_end(&app);
			if (!ret)
				break;
			ck_assert_int_eq(ret, -ENOMEM);
			failures++;
			ck_assert_uint_eq(phyr_list_nr_entries(&list), entries);
			ck_assert_uint_eq(list.length, length);
			ck_assert_uint_eq(list.height, height);
			if (entries)
				deep_spot_check(&list, &ref);
		}
		for (i = 0; i < n; i++)
			deep_add(&ref, batch[i].addr, batch[i].len);
		if (list.height > height && height >= 1 && nth > 0)
			grown_after_failures++;
		if (list.height > max_height)
			max_height = list.height;
	}
	ck_assert_msg(max_height >= 3, "index height %u only", max_height);
	/* Growing to height 2 and to 3 each failed at the new root first */
	ck_assert_msg(grown_after_failures >= 2, "%u index growths met a failure",
		      grown_after_failures);
	ck_assert_msg(failures > 100, "%u failed appends", failures);

	/* The whole list, merged where contiguous, is the reference */
	{
		PHYR_ITER(it);
		struct deep_ref got = { 0 };
		struct phyr p;

		phyr_for_each(&list, &it, &p)
			deep_add(&got, p.addr, p.len);
		ck_assert_uint_eq(got.n, ref.n);
		ck_assert_uint_eq(got.total, ref.total);
		ck_assert(!memcmp(got.addr, ref.addr, ref.n * sizeof(*ref.addr)));
		ck_assert(!memcmp(got.len, ref.len, ref.n * sizeof(*ref.len)));
		free(got.addr);
		free(got.len);
		free(got.start);
	}
	/* Seeks anywhere, through every level of the index */
	for (i = 0; i < 20000; i++) {
		uint64_t off = rnd_below(ref.total);
		PHYR_ITER(it);
		phys_addr_t a;

		ck_assert_int_eq(phyr_iter_seek(&it, &list, off, &a), 0);
		ck_assert_uint_eq(a, deep_addr(&ref, off));
	}
	phyr_list_destroy(&list);
	ck_assert_int_eq(phyr_compat_live, live);
	free(ref.addr);
	free(ref.len);
	free(ref.start);
	free(batch);
}
END_TEST

Suite *phyr_property_suite(void)
{
	Suite *s = suite_create("phyr_property");
	TCase *tc = tcase_create("random_lists");
	TCase *deep = tcase_create("deep_lists");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, phyr_property, 0, RUNS);
	suite_add_tcase(s, tc);
	tcase_set_timeout(deep, 120);
	tcase_add_loop_test(deep, phyr_deep_lists, 0, DEEP_LISTS);
	suite_add_tcase(s, deep);
	return s;
}
