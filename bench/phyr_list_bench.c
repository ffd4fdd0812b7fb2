// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * phyr_list_bench: the phyr list alone, in userspace (lib/phyr.c built
 * through the compat headers, optimised, no sanitizers).  For each layout
 * of 4 GiB of memory it builds a list page by page, as pinning does, and
 * prints:
 *
 *   bytes/page   phyr_list_footprint() / 4 KiB pages (exact; the list head
 *                itself is the caller's and not counted)
 *   entries      entries stored
 *   append       4 KiB pages appended per second
 *   iterate      entries iterated per second (phyr_for_each)
 *   seek         random seeks per second
 *
 * Rates are wall-clock on this machine and only indicative; bytes/page is
 * exact.  Output: one tab-separated line per layout after a header.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <linux/phyr.h>

#define GIB_PAGES	(1UL << 18)
#define NR_PAGES	(4 * GIB_PAGES)
#define NR_SEEKS	1000000UL

/* pfn of virtual page @i in each layout */
static unsigned long frag_4k(unsigned long i)
{
	return 2 * (NR_PAGES - i);		/* no two neighbours adjacent */
}

static unsigned long contig(unsigned long i)
{
	return 0x100000 + i;
}

static unsigned long thp(unsigned long i)
{
	/* 2 MiB folios, every other one: never merged with the next */
	return ((i >> 9) * 2 + 1) * 512 + (i & 511);
}

static unsigned long hugetlb_1g(unsigned long i)
{
	return ((i >> 18) * 2 + 1) * GIB_PAGES + (i & (GIB_PAGES - 1));
}

/*
 * Half 2 MiB folios, half lone pages, in turns of 2 MiB: chunks of mixed
 * entries, sought through their sub-index.
 */
static unsigned long mixed(unsigned long i)
{
	unsigned long g = i >> 10, j = i & 1023;

	if (j < 512)
		return ((0x1000 + 4 * g) << 9) + j;
	return 2 * (NR_PAGES + i) + 1;		/* odd: never adjacent */
}

static const struct layout {
	const char *name;
	unsigned long (*pfn)(unsigned long i);
	const char *target;
} layouts[] = {
	{ "frag_4k", frag_4k, "<= 4.1" },
	{ "contig", contig, "one entry" },
	{ "thp", thp, "<= 8 B per 2 MiB folio" },
	{ "hugetlb_1g", hugetlb_1g, "<= 8 B per 1 GiB folio" },
	{ "mixed", mixed, "50/50 4 KiB pages, 2 MiB folios: <= 2.05" },
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
	printf("layout\tbytes/page\tentries\tappend_pages/s\titerate_entries/s\tseeks/s\ttarget\n");
	for (size_t l = 0; l < sizeof(layouts) / sizeof(layouts[0]); l++) {
		const struct layout *lay = &layouts[l];
		struct phyr_list list;
		PHYR_APPEND(app);
		PHYR_ITER(it);
		unsigned long i, n = 0;
		struct phyr p;
		double t0, t1, t2, t3;
		u64 sum = 0, seed = 88172645463325252ULL;

		phyr_list_init(&list);
		t0 = now();
		phyr_append_begin(&app, &list, GFP_KERNEL);
		for (i = 0; i < NR_PAGES; i++) {
			if (phyr_append_range(&app, (phys_addr_t)lay->pfn(i) * 4096, 4096)) {
				fprintf(stderr, "phyr_list_bench: append failed\n");
				return 1;
			}
		}
		phyr_append_end(&app);
		t1 = now();
		phyr_for_each(&list, &it, &p) {
			sum += p.addr;
			n++;
		}
		t2 = now();
		for (i = 0; i < NR_SEEKS; i++) {
			phys_addr_t a;

			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			if (phyr_iter_seek(&it, &list, seed % (NR_PAGES * 4096), &a))
				return 1;
			sum += a;
		}
		t3 = now();
		printf("%s\t%.4f\t%lu\t%.3g\t%.3g\t%.3g\t%s\n", lay->name,
		       (double)phyr_list_footprint(&list) / NR_PAGES,
		       phyr_list_nr_entries(&list), NR_PAGES / (t1 - t0),
		       n / (t2 - t1), NR_SEEKS / (t3 - t2), lay->target);
		if (n != phyr_list_nr_entries(&list) || !sum)
			return 1;
		phyr_list_destroy(&list);
	}
	return 0;
}
