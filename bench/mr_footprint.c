// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * mr_footprint: kernel memory that ibv_reg_mr keeps per registered 4 KiB
 * page, measured from outside the code under test.
 *
 * The buffer is faulted in first, in the chosen physical layout, and checked
 * through /proc/self/pagemap.  Then free pages plus the pages parked on the
 * per-cpu lists (/proc/zoneinfo: "pages free" and every "count:") are read
 * before and after ibv_reg_mr; the difference is what registration took.
 * MemFree alone misses the per-cpu lists and is off by megabytes.  Repeated
 * --repeat times; the median is printed.
 *
 * Layouts:
 *   frag_4k  no two virtually consecutive pages physically adjacent: the
 *            pages are faulted in one mapping and moved one by one, in
 *            reverse order, into the buffer with mremap
 *   contig   plain anonymous memory without THP (what the kernel hands out)
 *
 * Output, one line: "LAYOUT BYTES B/page MEDIAN_BYTES_PER_PAGE".
 * Needs root (pagemap PFNs) and an RDMA device.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <infiniband/verbs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PG 4096UL

static void die(const char *what)
{
	fprintf(stderr, "mr_footprint: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* Free pages plus per-cpu list pages, summed over all zones. */
static long long free_and_pcp_pages(void)
{
	FILE *f = fopen("/proc/zoneinfo", "r");
	char line[256];
	long long sum = 0, v;

	if (!f)
		die("/proc/zoneinfo");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " pages free %lld", &v) == 1 ||
		    sscanf(line, " count: %lld", &v) == 1)
			sum += v;
	}
	fclose(f);
	return sum;
}

/* Physical frame of each page of [buf, buf + n pages), from pagemap. */
static void read_pfns(const void *buf, size_t n, uint64_t *pfn)
{
	int fd = open("/proc/self/pagemap", O_RDONLY);
	off_t off = (off_t)((uintptr_t)buf / PG * 8);

	if (fd < 0)
		die("/proc/self/pagemap");
	if (pread(fd, pfn, n * 8, off) != (ssize_t)(n * 8))
		die("reading pagemap");
	close(fd);
	for (size_t i = 0; i < n; i++) {
		if (!(pfn[i] >> 63) || !(pfn[i] & ((1ULL << 55) - 1))) {
			errno = EFAULT;
			die("a page is not present or its PFN is hidden (root?)");
		}
		pfn[i] &= (1ULL << 55) - 1;
	}
}

static char *map_frag_4k(size_t n)
{
	char *src, *dst;

	src = mmap(NULL, n * PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	dst = mmap(NULL, n * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (src == MAP_FAILED || dst == MAP_FAILED)
		die("mmap");
	madvise(src, n * PG, MADV_NOHUGEPAGE);
	for (size_t i = 0; i < n; i++)
		src[i * PG] = 1;
	for (size_t i = 0; i < n; i++)
		if (mremap(src + i * PG, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED,
			   dst + (n - 1 - i) * PG) == MAP_FAILED)
			die("mremap");
	return dst;
}

static char *map_contig(size_t n)
{
	char *p = mmap(NULL, n * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	madvise(p, n * PG, MADV_NOHUGEPAGE);
	for (size_t i = 0; i < n; i++)
		p[i * PG] = 1;
	return p;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: mr_footprint [-d DEV] [-l frag_4k|contig] [-m MIB] [-r N]\n"
		"Kernel bytes per registered 4 KiB page (median of N runs)\n"
		"for one MR of MIB MiB in the given layout (default frag_4k,\n"
		"64 MiB, 5 runs, device rxe0).\n");
}

int main(int argc, char **argv)
{
	const char *dev = "rxe0", *layout = "frag_4k";
	size_t mib = 64, n, adjacent = 0;
	int repeat = 5, opt;
	struct ibv_device **list;
	struct ibv_context *ctx = NULL;
	struct ibv_pd *pd;
	uint64_t *pfn;
	double *per_page;
	char *buf;

	while ((opt = getopt(argc, argv, "d:l:m:r:h")) != -1) {
		switch (opt) {
		case 'd': dev = optarg; break;
		case 'l': layout = optarg; break;
		case 'm': mib = strtoul(optarg, NULL, 0); break;
		case 'r': repeat = atoi(optarg); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!mib || repeat < 1) {
		usage(stderr);
		return 2;
	}
	n = mib * (1 << 20) / PG;

	list = ibv_get_device_list(NULL);
	for (int i = 0; list && list[i]; i++)
		if (!strcmp(ibv_get_device_name(list[i]), dev))
			ctx = ibv_open_device(list[i]);
	if (list)
		ibv_free_device_list(list);
	if (!ctx) {
		errno = ENODEV;
		die(dev);
	}
	pd = ibv_alloc_pd(ctx);
	if (!pd)
		die("ibv_alloc_pd");

	if (!strcmp(layout, "frag_4k")) {
		buf = map_frag_4k(n);
	} else if (!strcmp(layout, "contig")) {
		buf = map_contig(n);
	} else {
		usage(stderr);
		return 2;
	}

	/* The layout is checked before it is measured. */
	pfn = malloc(n * sizeof(*pfn));
	per_page = malloc(repeat * sizeof(*per_page));
	if (!pfn || !per_page)
		die("malloc");
	read_pfns(buf, n, pfn);
	for (size_t i = 1; i < n; i++)
		adjacent += pfn[i] == pfn[i - 1] + 1;
	if (!strcmp(layout, "frag_4k") && adjacent) {
		fprintf(stderr, "mr_footprint: frag_4k has %zu adjacent pairs\n",
			adjacent);
		return 2;
	}

	for (int r = 0; r < repeat; r++) {
		long long before, after;
		struct ibv_mr *mr;

		before = free_and_pcp_pages();
		mr = ibv_reg_mr(pd, buf, n * PG, IBV_ACCESS_LOCAL_WRITE |
				IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ);
		after = free_and_pcp_pages();
		if (!mr)
			die("ibv_reg_mr");
		per_page[r] = (double)(before - after) * PG / n;
		if (ibv_dereg_mr(mr))
			die("ibv_dereg_mr");
	}
	qsort(per_page, repeat, sizeof(*per_page), cmp_double);
	printf("%s %zu B/page %.2f\n", layout, n * PG, per_page[repeat / 2]);

	free(pfn);
	free(per_page);
	munmap(buf, n * PG);
	ibv_dealloc_pd(pd);
	ibv_close_device(ctx);
	return 0;
}
