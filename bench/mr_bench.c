// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * mr_bench: what ibv_reg_mr costs the kernel, measured from outside the code
 * under test.
 *
 * The buffer is faulted in first, in the chosen physical layout, and the
 * layout is checked through /proc/self/pagemap.  Then free pages plus the
 * pages parked on the per-cpu lists (/proc/zoneinfo: "pages free" and every
 * "count:") are read before and after registering COUNT MRs of SIZE bytes
 * each, after the slab caches gave back their empty slabs; the difference
 * is what registration keeps.  MemFree alone misses
 * the per-cpu lists and is off by megabytes.  Registration and
 * deregistration are timed.  Everything is repeated and the medians are
 * printed.
 *
 * Layouts:
 *   frag_4k     no two virtually consecutive pages physically adjacent: the
 *               pages are faulted in one mapping and moved one by one, in
 *               reverse order, into the buffer with mremap
 *   contig      anonymous memory without THP, as the kernel hands it out
 *   thp         transparent huge pages, 2 MiB aligned
 *   hugetlb_2m  hugetlbfs pages of 2 MiB (vm.nr_hugepages must be set)
 *   hugetlb_1g  hugetlbfs pages of 1 GiB (boot with hugepagesz=1G hugepages=N)
 *
 * With --with-heap, the user memory registering touches is counted too (the
 * structure libibverbs mallocs per MR, the array of MR pointers): the heap
 * is trimmed before each round instead of pre-faulted once.
 *
 * With --max, finds the largest single MR that registers instead: doubling
 * from 64 MiB, then bisecting to 64 MiB, up to --limit bytes.
 *
 * Output: one line of key=value pairs.  Exit status 0; 1 if registration
 * failed (the errno is printed as reg_errno=NAME); 2 on a setup error.
 * Needs root (pagemap PFNs) and an RDMA device.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <infiniband/verbs.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "layout.h"

static void die(const char *what)
{
	fprintf(stderr, "mr_bench: %s: %s\n", what, strerror(errno));
	exit(2);
}

/*
 * Free pages plus per-cpu list pages, summed over all zones.  "pages free"
 * is a vmstat counter whose per-cpu deltas (up to a threshold per CPU) are
 * folded in only now and then: writing stat_refresh folds them first, or
 * the figure drifts by dozens of pages.
 */
static long long free_and_pcp_pages(void)
{
	FILE *f = fopen("/proc/sys/vm/stat_refresh", "w");
	char line[256];
	long long sum = 0, v;

	if (!f || fputs("1", f) < 0 || fclose(f))
		die("/proc/sys/vm/stat_refresh");
	f = fopen("/proc/zoneinfo", "r");
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

/*
 * Give every slab cache's empty slabs back to the page allocator
 * (/sys/kernel/slab/CACHE/shrink).  Otherwise slabs emptied by the previous
 * round's deregistration are reused by the next round without showing in
 * free memory, and whatever allocates from slab caches (phyr chunks,
 * kmalloc) looks cheaper than what allocates pages.
 *
 * A kernel built with CONFIG_SLUB_TINY has no /sys/kernel/slab; it also
 * keeps no per-CPU partial slabs, so there is less to give back and the
 * measurement goes on without it.
 */
static void shrink_slabs(void)
{
	DIR *d = opendir("/sys/kernel/slab");
	static bool warned;
	struct dirent *e;
	char path[512];
	FILE *f;

	if (!d) {
		if (errno != ENOENT)
			die("/sys/kernel/slab");
		if (!warned)
			fprintf(stderr, "mr_bench: no /sys/kernel/slab (CONFIG_SLUB_TINY?): slabs not shrunk\n");
		warned = true;
		return;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink", e->d_name);
		f = fopen(path, "w");
		if (f) {
			fputs("1", f);
			fclose(f);
		}
	}
	closedir(d);
}

/*
 * Wait until free memory stops moving: deregistration frees part of its
 * memory later (RCU callbacks, deferred work), and those pages must not land
 * in the next measurement.
 */
static void settle(void)
{
	long long prev, cur;

	shrink_slabs();
	prev = free_and_pcp_pages();

	for (int i = 0; i < 40; i++) {
		usleep(250000);
		cur = free_and_pcp_pages();
		if (llabs(cur - prev) < 8)
			return;
		prev = cur;
	}
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* --with-heap: count user memory too; see usage() */
static bool with_heap;

static const int access_flags = IBV_ACCESS_LOCAL_WRITE |
				IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ;

/* Register COUNT MRs of SIZE over @buf, REPEAT times; print the medians. */
static int measure(struct ibv_pd *pd, const struct layout *lay, char *buf,
		   size_t size, size_t count, int repeat)
{
	struct ibv_mr **mr = calloc(count, sizeof(*mr));
	double *per_page = calloc(repeat, sizeof(double));
	double *reg = calloc(repeat, sizeof(double));
	double *dereg = calloc(repeat, sizeof(double));
	double gib = (double)size * count / GIB;
	/*
	 * Many small MRs: register a tenth of them first and keep those while
	 * measuring, so the free objects slab caches already hold are used up
	 * and the figure is the steady-state cost of one more MR.
	 */
	size_t nwarm = count >= 100 ? count / 10 : 0;
	struct ibv_mr **warm = calloc(nwarm + 1, sizeof(*warm));
	int err = 0;

	if (!mr || !per_page || !reg || !dereg || !warm)
		die("calloc");
	for (size_t i = 0; i < nwarm; i++) {
		warm[i] = ibv_reg_mr(pd, buf + i * size, size, access_flags);
		if (!warm[i])
			die("ibv_reg_mr (warm-up)");
	}
	for (int r = 0; r < repeat && !err; r++) {
		long long before, after;
		double t0, t1, t2, t3;
		size_t i;

		if (with_heap) {
			/*
			 * Hand the heap back so that every round, not only the
			 * first, shows the user memory registering takes: the
			 * structure libibverbs mallocs per MR, the pointers.
			 */
			free(mr);
			malloc_trim(0);
			mr = calloc(count, sizeof(*mr));
			if (!mr)
				die("calloc");
		}
		settle();
		before = free_and_pcp_pages();
		t0 = now_ms();
		for (i = 0; i < count; i++) {
			mr[i] = ibv_reg_mr(pd, buf + i * size, size, access_flags);
			if (!mr[i]) {
				err = errno;
				break;
			}
		}
		t1 = now_ms();
		after = free_and_pcp_pages();
		/* Reading /proc/zoneinfo is not part of deregistering */
		t2 = now_ms();
		while (i--)
			if (ibv_dereg_mr(mr[i]))
				die("ibv_dereg_mr");
		t3 = now_ms();
		per_page[r] = (double)(before - after) * PG / (size * count / PG);
		reg[r] = (t1 - t0) / gib;
		dereg[r] = (t3 - t2) / gib;
	}
	if (err) {
		printf("layout=%s size=%zu count=%zu reg_errno=%s\n", lay->name,
		       size, count, strerrorname_np(err));
	} else {
		double bpp = median(per_page, repeat);

		printf("layout=%s size=%zu count=%zu bytes_per_page=%.3f "
		       "bytes_per_mr=%.1f reg_ms_per_gib=%.2f dereg_ms_per_gib=%.2f\n",
		       lay->name, size, count, bpp, bpp * (size / PG),
		       median(reg, repeat), median(dereg, repeat));
	}
	for (size_t i = 0; i < nwarm; i++)
		if (ibv_dereg_mr(warm[i]))
			die("ibv_dereg_mr");
	free(warm);
	free(mr);
	free(per_page);
	free(reg);
	free(dereg);
	return err ? 1 : 0;
}

/* Does one MR of @len bytes register?  Maps, registers, unmaps. */
static int registers(struct ibv_pd *pd, const struct layout *lay, size_t len)
{
	char *buf = lay->map(len);
	struct ibv_mr *mr;

	if (!buf)
		return -1;	/* not even the memory: treat as too large */
	mr = ibv_reg_mr(pd, buf, len, access_flags);
	if (mr && ibv_dereg_mr(mr))
		die("ibv_dereg_mr");
	munmap(buf, len);
	return mr ? 1 : 0;
}

static void find_max(struct ibv_pd *pd, const struct layout *lay, size_t limit)
{
	size_t step = 64 * MIB, good = 0, bad = 0, len;

	for (len = step; len <= limit; len *= 2) {
		fprintf(stderr, "mr_bench: trying %zu MiB\n", len / MIB);
		if (registers(pd, lay, len) == 1) {
			good = len;
		} else {
			bad = len;
			break;
		}
	}
	if (!bad)
		bad = limit + step;
	while (bad - good > step) {
		len = (good + (bad - good) / 2) & ~(step - 1);
		fprintf(stderr, "mr_bench: trying %zu MiB\n", len / MIB);
		if (registers(pd, lay, len) == 1)
			good = len;
		else
			bad = len;
	}
	printf("layout=%s max_mr_bytes=%zu limit=%zu\n", lay->name, good, limit);
}

/*
 * libibverbs mallocs a little per MR.  Grow and fault in the heap now and
 * keep it (no trimming, no mmap for small blocks), so that user pages the
 * library touches while registering are not counted as kernel memory.
 */
static void prefault_heap(void)
{
	const size_t len = 32 * MIB;
	char *p;

	mallopt(M_TRIM_THRESHOLD, 1 << 30);
	mallopt(M_MMAP_THRESHOLD, len * 2);
	p = malloc(len);
	if (!p)
		die("malloc");
	memset(p, 1, len);
	free(p);
}

static size_t parse_size(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	switch (*end) {
	case 'G': v <<= 10; /* fall through */
	case 'M': v <<= 10; /* fall through */
	case 'K': v <<= 10; end++; break;
	default: break;
	}
	return *end ? 0 : v;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: mr_bench [-d DEV] [-l LAYOUT] [-s SIZE] [-n COUNT] [-r REPEAT]\n"
		"                [--with-heap]\n"
		"       mr_bench [-d DEV] [-l LAYOUT] --max --limit BYTES\n"
		"Kernel bytes per registered 4 KiB page and registration time for\n"
		"COUNT MRs of SIZE bytes (K, M, G suffixes) in LAYOUT: frag_4k,\n"
		"contig, thp, hugetlb_2m, hugetlb_1g.  Defaults: rxe0, frag_4k,\n"
		"64M, 1 MR, 5 repeats.  --max finds the largest MR that registers.\n"
		"--with-heap also counts the user memory registering touches (the\n"
		"MR structure libibverbs mallocs, the array of MR pointers), as a\n"
		"plain free-page count without a pre-faulted heap sees it.\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "max", no_argument, NULL, 'M' },
		{ "limit", required_argument, NULL, 'L' },
		{ "with-heap", no_argument, NULL, 'U' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dev = "rxe0", *layout = "frag_4k", *bad;
	size_t size = 64 * MIB, count = 1, limit = 0;
	const struct layout *lay = NULL;
	int repeat = 5, opt, max = 0, ret;
	struct ibv_device **list;
	struct ibv_context *ctx = NULL;
	struct ibv_pd *pd;
	char *buf;

	while ((opt = getopt_long(argc, argv, "d:l:s:n:r:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd': dev = optarg; break;
		case 'l': layout = optarg; break;
		case 's': size = parse_size(optarg); break;
		case 'n': count = strtoul(optarg, NULL, 0); break;
		case 'r': repeat = atoi(optarg); break;
		case 'M': max = 1; break;
		case 'L': limit = parse_size(optarg); break;
		case 'U': with_heap = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	lay = layout_find(layout);
	if (!lay || !count || repeat < 1 || (max && !limit) ||
	    !size || size % lay->align) {
		fprintf(stderr, "mr_bench: bad arguments (SIZE must be a multiple of "
			"the layout's page size)\n");
		usage(stderr);
		return 2;
	}

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
	if (!with_heap)
		prefault_heap();

	if (max) {
		find_max(pd, lay, limit);
		ret = 0;
	} else {
		buf = lay->map(size * count);
		if (!buf)
			die("mapping the buffer");
		bad = layout_check(lay, buf, size * count);
		if (bad) {
			fprintf(stderr, "mr_bench: %s layout: %s\n", layout, bad);
			return 2;
		}
		ret = measure(pd, lay, buf, size, count, repeat);
		munmap(buf, size * count);
	}
	ibv_dealloc_pd(pd);
	ibv_close_device(ctx);
	return ret;
}
