// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * Buffers in a chosen physical layout, faulted in, and the check of a
 * layout through /proc/self/pagemap.  Shared by the benchmark (mr_bench)
 * and the DMA tests (phyr_dma_test): both need memory whose physical shape
 * is known, and a fresh guest hands out contiguous pages unless told not to.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "layout.h"

#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#endif

/* Setup errors are fatal to every user: exit 2, as the tools document. */
static void die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what,
		strerror(errno));
	exit(2);
}

static void *map_anon(size_t len, int flags)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void touch(char *p, size_t len)
{
	for (size_t i = 0; i < len; i += PG)
		p[i] = 1;
}

/* Physical frame of the page at @p, from pagemap (0 if unknown). */
uint64_t layout_pfn_of(int fd, const char *p)
{
	uint64_t e;

	if (pread(fd, &e, 8, (off_t)((uintptr_t)p / PG) * 8) != 8)
		die("reading pagemap");
	return (e >> 63) ? e & ((1ULL << 55) - 1) : 0;
}

/* Swap the pages at @a and @b through the spare page slot @tmp. */
static void swap_pages(char *a, char *b, char *tmp)
{
	const int f = MREMAP_MAYMOVE | MREMAP_FIXED;

	if (mremap(a, PG, PG, f, tmp) == MAP_FAILED ||
	    mremap(b, PG, PG, f, a) == MAP_FAILED ||
	    mremap(tmp, PG, PG, f, b) == MAP_FAILED)
		die("mremap");
}

/*
 * Fault the pages in one mapping, then move them one by one into the buffer
 * in a strided order (page i to slot i * stride mod n, stride odd and
 * coprime with n), so the allocator's runs end up far apart.  Whatever
 * neighbours are still physically adjacent get swapped with a page half the
 * buffer away until none is.
 */
static char *map_frag_4k(size_t len)
{
	size_t n = len / PG, stride = 1021, fixes = 0;
	char *src = map_anon(len, 0), *dst;
	int fd;

	/* One extra slot at the end serves as the spare for swaps */
	dst = mmap(NULL, len + PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!src || dst == MAP_FAILED)
		return NULL;
	madvise(src, len, MADV_NOHUGEPAGE);
	touch(src, len);
	while (n % stride == 0 || stride % 2 == 0)
		stride += 2;
	for (size_t i = 0; i < n; i++)
		if (mremap(src + i * PG, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED,
			   dst + (i * stride % n) * PG) == MAP_FAILED)
			die("mremap");
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0)
		die("/proc/self/pagemap");
	for (int pass = 0; pass < 8 && n > 2; pass++) {
		size_t swapped = 0;

		for (size_t i = 1; i < n; i++) {
			if (layout_pfn_of(fd, dst + i * PG) != layout_pfn_of(fd, dst + (i - 1) * PG) + 1)
				continue;
			swap_pages(dst + i * PG, dst + ((i + n / 2) % n) * PG,
				   dst + n * PG);
			swapped++;
		}
		fixes += swapped;
		if (!swapped)
			break;
	}
	close(fd);
	if (fixes)
		fprintf(stderr, "%s: frag_4k: %zu adjacent neighbours swapped apart\n",
			program_invocation_short_name, fixes);
	return dst;
}

static char *map_contig(size_t len)
{
	char *p = map_anon(len, 0);

	if (p) {
		madvise(p, len, MADV_NOHUGEPAGE);
		touch(p, len);
	}
	return p;
}

static char *map_thp(size_t len)
{
	/* Over-allocate to place the buffer on a 2 MiB boundary */
	char *raw = map_anon(len + 2 * MIB, 0), *p;

	if (!raw)
		return NULL;
	p = (char *)(((uintptr_t)raw + 2 * MIB - 1) & ~(2 * MIB - 1));
	madvise(p, len, MADV_HUGEPAGE);
	touch(p, len);
	return p;
}

static char *map_hugetlb(size_t len, int shift)
{
	char *p = map_anon(len, MAP_HUGETLB | shift << MAP_HUGE_SHIFT);

	if (p)
		touch(p, len);
	return p;
}

static char *map_hugetlb_2m(size_t len)
{
	return map_hugetlb(len, 21);
}

static char *map_hugetlb_1g(size_t len)
{
	return map_hugetlb(len, 30);
}

/*
 * Which 2 MiB slots of a mixed buffer of @k slots are huge: a fixed
 * shuffle of the slots (xorshift, constant seed), the first half of it.
 * Deterministic, so that every run and both kernels get the same layout.
 */
static bool *mixed_slots(size_t k)
{
	size_t *order = malloc(k * sizeof(*order));
	bool *huge = calloc(k, sizeof(*huge));
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	if (!order || !huge)
		die("malloc");
	for (size_t i = 0; i < k; i++)
		order[i] = i;
	for (size_t i = k; i > 1; i--) {
		size_t j, t;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		j = x % i;
		t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
	for (size_t i = 0; i < k / 2; i++)
		huge[order[i]] = true;
	free(order);
	return huge;
}

/*
 * Half of the 2 MiB slots (by mixed_slots()) a transparent huge page each,
 * the other half single 4 KiB pages from a frag_4k mapping: both faulted
 * in their own mappings, then moved slot by slot (a whole PMD for a huge
 * page, page by page otherwise) into one 2 MiB aligned buffer.
 */
static char *map_mixed(size_t len)
{
	size_t k = len / (2 * MIB), nh = k / 2, h = 0, f = 0;
	char *thp = nh ? map_thp(nh * 2 * MIB) : NULL;
	char *frag = k - nh ? map_frag_4k((k - nh) * 2 * MIB) : NULL;
	char *raw, *dst;
	bool *huge;

	if ((nh && !thp) || (k - nh && !frag))
		return NULL;
	raw = mmap(NULL, len + 2 * MIB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	dst = (char *)(((uintptr_t)raw + 2 * MIB - 1) & ~(2 * MIB - 1));
	huge = mixed_slots(k);
	for (size_t i = 0; i < k; i++) {
		char *to = dst + i * 2 * MIB;

		if (huge[i]) {
			if (mremap(thp + h++ * 2 * MIB, 2 * MIB, 2 * MIB,
				   MREMAP_MAYMOVE | MREMAP_FIXED, to) == MAP_FAILED)
				die("mremap");
			continue;
		}
		for (size_t j = 0; j < 2 * MIB / PG; j++, f++)
			if (mremap(frag + f * PG, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED,
				   to + j * PG) == MAP_FAILED)
				die("mremap");
	}
	free(huge);
	return dst;
}

const struct layout layouts[] = {
	{ "frag_4k", PG, map_frag_4k },
	{ "contig", PG, map_contig },
	{ "thp", 2 * MIB, map_thp },
	{ "hugetlb_2m", 2 * MIB, map_hugetlb_2m },
	{ "hugetlb_1g", GIB, map_hugetlb_1g },
	{ "mixed", 2 * MIB, map_mixed },
};

const size_t nr_layouts = sizeof(layouts) / sizeof(layouts[0]);

const struct layout *layout_find(const char *name)
{
	for (size_t i = 0; i < nr_layouts; i++)
		if (!strcmp(layouts[i].name, name))
			return &layouts[i];
	return NULL;
}

/*
 * mixed: each 2 MiB slot mixed_slots() makes huge is one physically
 * contiguous, aligned run; the others have no physically adjacent
 * neighbours.  The buffer must be 2 MiB aligned.
 */
static const char *mixed_check(int fd, const char *buf, size_t len)
{
	size_t k = len / (2 * MIB), per = 2 * MIB / PG;
	uint64_t *pfn = malloc(per * sizeof(*pfn));
	bool *huge = mixed_slots(k);
	const char *bad = NULL;

	if (!pfn)
		die("malloc");
	for (size_t i = 0; i < k && !bad; i++) {
		off_t off = (off_t)((uintptr_t)buf / PG + i * per) * 8;

		if (pread(fd, pfn, per * 8, off) != (ssize_t)(per * 8))
			die("reading pagemap");
		for (size_t j = 0; j < per && !bad; j++) {
			uint64_t p = pfn[j] & ((1ULL << 55) - 1);
			uint64_t prev = j ? pfn[j - 1] & ((1ULL << 55) - 1) : 0;

			if (!(pfn[j] >> 63) || !p)
				bad = "a page is not present or its PFN is hidden";
			else if (huge[i] && !j && p % per)
				bad = "a huge page is not physically aligned";
			else if (huge[i] && j && p != prev + 1)
				bad = "a huge page is not physically contiguous";
			else if (!huge[i] && j && p == prev + 1)
				bad = "two small pages are physically adjacent";
		}
	}
	free(huge);
	free(pfn);
	return bad;
}

/*
 * Check the layout through pagemap: frag_4k has no physically adjacent
 * neighbours; mixed as mixed_check(); the others are runs of lay->align
 * bytes, each physically contiguous and aligned.  Returns NULL or what is
 * wrong.
 */
const char *layout_check(const struct layout *lay, const char *buf,
			 size_t len)
{
	size_t n = len / PG, run = lay->align / PG;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	const size_t batch = 4096;
	uint64_t pfn[4096], prev = 0;
	const char *bad = NULL;

	if (fd < 0)
		die("/proc/self/pagemap");
	if (!strcmp(lay->name, "mixed")) {
		bad = mixed_check(fd, buf, len);
		close(fd);
		return bad;
	}
	for (size_t i = 0; i < n && !bad; i += batch) {
		size_t m = n - i < batch ? n - i : batch;
		off_t off = (off_t)((uintptr_t)buf / PG + i) * 8;

		if (pread(fd, pfn, m * 8, off) != (ssize_t)(m * 8))
			die("reading pagemap");
		for (size_t j = 0; j < m && !bad; j++) {
			size_t k = i + j;
			uint64_t p = pfn[j] & ((1ULL << 55) - 1);

			if (!(pfn[j] >> 63) || !p)
				bad = "a page is not present or its PFN is hidden";
			else if (!strcmp(lay->name, "frag_4k") && k && p == prev + 1)
				bad = "two neighbours are physically adjacent";
			else if (run > 1 && k % run == 0 && p % run)
				bad = "a huge page is not physically aligned";
			else if (run > 1 && k % run && p != prev + 1)
				bad = "a huge page is not physically contiguous";
			prev = p;
		}
	}
	close(fd);
	return bad;
}
