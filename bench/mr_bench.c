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
 *   mixed       2 MiB slots, half of them (a fixed shuffle) transparent huge
 *               pages and half single 4 KiB pages as in frag_4k: 50/50 by
 *               bytes
 *
 * With --with-heap, the user memory registering touches is counted too (the
 * structure libibverbs mallocs per MR, the array of MR pointers): the heap
 * is trimmed before each round instead of pre-faulted once.
 *
 * With --max, finds the largest single MR that registers instead: doubling
 * from 64 MiB, then bisecting to 64 MiB, up to --limit bytes.
 *
 * With -d umem_probe, the MRs are umems alone: /dev/umem_probe (the
 * out-of-tree module of bench/umem_probe/, built for each kernel) calls
 * ib_umem_get() with QEMU's edu PCI device as the DMA device, so the
 * figure is what the hardware path's umem keeps under the DMA regime the
 * guest runs, without any driver's per-MR arrays.  The line adds the DMA
 * runs per MR (runs of consecutive DMA addresses, one per IOVA range when
 * translated), the device's segment and mapping limits, and the part of
 * the footprint that is IOMMU page tables (iommu_bytes_per_page, from
 * nr_iommu_pages: the IOMMU's cost of the mapping, on either kernel).
 *
 * With --floor, registers nothing: the phyr kernel's test driver
 * (/dev/test_phyr_dma) pins the same memory as ib_umem_get() pins it
 * (pin_user_pages_fast(), a page of page pointers at a time) and unpins
 * each batch again as ib_umem_release() unpins (one
 * unpin_user_page_range_dirty_lock() per physically contiguous run), and
 * the time those calls take is printed (pin_ms_per_gib, unpin_ms_per_gib):
 * the floor registration is read against.  No RDMA device is needed.  With
 * --pin-phyr instead, the same driver pins the memory into a phyr list
 * with pin_user_pages_phyr() and unpins it with unpin_user_pages_phyr()
 * (what ib_umem_get() and ib_umem_release() call), each ioctl timed from
 * here: the pinning layer with its list, without the RDMA core or driver.
 *
 * Every footprint line also gives the information bound of the pages
 * registered (bound_bytes_per_page): read from pagemap while the MRs are
 * registered, the order-0 entropy of the differences between consecutive
 * page frames within each MR, plus each MR's first frame in full.  No
 * coder that stores a page's frame as a difference from the previous one,
 * by its frequency, can use less.  small_pages counts the pages that lie
 * in physically contiguous runs shorter than 2 MiB (all of frag_4k, half
 * of mixed).
 *
 * Beside what was measured, what the kernel says the MRs keep
 * (reported_bytes_per_page: the kernel bytes libibphyr reports for them,
 * exact for root), or reported=none from a kernel that does not report
 * footprints.  Not for umem_probe's umems, which are no MRs.
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
#include <infiniband/phyr.h>
#include <infiniband/verbs.h>
#include <malloc.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "layout.h"
#include "test_phyr_dma_uapi.h"
#include "umem_probe/umem_probe_uapi.h"

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
 * Pages of IOMMU page tables (nr_iommu_pages in /proc/vmstat), part of
 * what free_and_pcp_pages() sees go when a translating IOMMU maps an MR:
 * the IOMMU's cost, not the MR's lists.  Read just after
 * free_and_pcp_pages(), whose stat_refresh folds it too.  0 where the
 * kernel does not count them.
 */
static long long iommu_pages(void)
{
	FILE *f = fopen("/proc/vmstat", "r");
	char line[256];
	long long v = 0;

	if (!f)
		die("/proc/vmstat");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "nr_iommu_pages %lld", &v) == 1)
			break;
	fclose(f);
	return v;
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

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/*
 * The information bound of @count MRs of @size bytes at @buf, in bytes per
 * page: see the comment at the top.  Reads pagemap in blocks.
 */
static double bound_bytes_per_page(const char *buf, size_t size, size_t count,
				   size_t *small)
{
	size_t per_mr = size / PG, n = per_mr * count, nd = 0, block = 1 << 16;
	size_t run = 0;
	uint64_t *pfn = malloc(block * sizeof(*pfn)), prev = 0, max_pfn = 0;
	int64_t *delta = malloc(n * sizeof(*delta));
	double bits = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (!pfn || !delta)
		die("malloc");
	if (fd < 0)
		die("/proc/self/pagemap");
	for (size_t i = 0; i < n; i += block) {
		size_t m = n - i < block ? n - i : block;
		off_t at = (off_t)((uintptr_t)buf / PG + i) * 8;

		if (pread(fd, pfn, m * 8, at) != (ssize_t)(m * 8))
			die("reading pagemap");
		for (size_t j = 0; j < m; j++) {
			uint64_t f = pfn[j] & ((1ULL << 55) - 1);

			if (!(pfn[j] >> 63) || !f) {
				errno = EIO;
				die("pagemap: a registered page without a frame");
			}
			if ((i + j) % per_mr)
				delta[nd++] = (int64_t)(f - prev);
			/* A run ends where the frames stop following on */
			if (!((i + j) % per_mr) || f != prev + 1) {
				*small += run < 2 * MIB / PG ? run : 0;
				run = 0;
			}
			run++;
			if (f > max_pfn)
				max_pfn = f;
			prev = f;
		}
	}
	*small += run < 2 * MIB / PG ? run : 0;
	close(fd);
	qsort(delta, nd, sizeof(*delta), cmp_i64);
	for (size_t i = 0, j; i < nd; i = j) {
		for (j = i + 1; j < nd && delta[j] == delta[i]; j++)
			;
		bits += (double)(j - i) * log2((double)nd / (double)(j - i));
	}
	/* Each MR's first frame, in full */
	bits += (double)count * ceil(log2((double)max_pfn + 1));
	free(pfn);
	free(delta);
	return bits / 8 / (double)n;
}

/* --with-heap: count user memory too; see usage() */
static bool with_heap;

static const int access_flags = IBV_ACCESS_LOCAL_WRITE |
				IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ;

/* -d umem_probe: /dev/umem_probe, and the DMA runs its umems had */
#define PROBE_DEV "umem_probe"
static int probe_fd = -1;
static uint64_t probe_runs;

/*
 * One MR over [@addr, @addr + @len): an ibv_mr, or with -d umem_probe the
 * probe's handle (never 0) as a pointer.  NULL with errno set on failure.
 */
static void *reg_mr(struct ibv_pd *pd, char *addr, size_t len)
{
	struct umem_probe_reg r = { .addr = (uintptr_t)addr, .length = len };

	if (probe_fd < 0)
		return ibv_reg_mr(pd, addr, len, access_flags);
	if (ioctl(probe_fd, UMEM_PROBE_IOC_REG, &r))
		return NULL;
	if (r.pages != len / PG || r.dma_blocks != len / PG) {
		errno = EIO;
		die("UMEM_PROBE_IOC_REG: pages missing");
	}
	probe_runs += r.dma_runs;
	return (void *)(uintptr_t)r.handle;
}

static void dereg_mr(void *mr)
{
	uint32_t handle = (uint32_t)(uintptr_t)mr;

	if (probe_fd < 0 ? ibv_dereg_mr(mr) :
	    ioctl(probe_fd, UMEM_PROBE_IOC_DEREG, &handle))
		die(probe_fd < 0 ? "ibv_dereg_mr" : "UMEM_PROBE_IOC_DEREG");
}

/* -d umem_probe: what the line adds; see the top. */
static void probe_line_end(uint64_t runs, size_t count, double iommu_bpp)
{
	struct umem_probe_info info;

	if (ioctl(probe_fd, UMEM_PROBE_IOC_INFO, &info))
		die("UMEM_PROBE_IOC_INFO");
	printf(" device=umem_probe iommu_bytes_per_page=%.3f dma_runs_per_mr=%.1f "
	       "max_seg=%u max_mapping=%llu", iommu_bpp,
	       (double)runs / (double)count, info.max_seg,
	       (unsigned long long)info.max_mapping);
}

/*
 * The kernel bytes libibphyr reports for @count MRs, exact for root; -1
 * if the kernel does not report footprints.
 */
static double reported_bytes(void **mr, size_t count)
{
	struct ibphyr_footprint fp;
	double sum = 0;

	for (size_t i = 0; i < count; i++) {
		int ret = ibphyr_query_mr(mr[i], &fp);

		if (ret == EOPNOTSUPP)
			return -1;
		if (ret) {
			errno = ret;
			die("ibphyr_query_mr");
		}
		sum += (double)fp.kernel_bytes;
	}
	return sum;
}

/* Register COUNT MRs of SIZE over @buf, REPEAT times; print the medians. */
static int measure(struct ibv_pd *pd, const struct layout *lay, char *buf,
		   size_t size, size_t count, int repeat)
{
	void **mr = calloc(count, sizeof(*mr));
	double *per_page = calloc(repeat, sizeof(double));
	double *iommu_pp = calloc(repeat, sizeof(double));
	double *reg = calloc(repeat, sizeof(double));
	double *dereg = calloc(repeat, sizeof(double));
	double gib = (double)size * count / GIB;
	/*
	 * Many small MRs: register a tenth of them first and keep those while
	 * measuring, so the free objects slab caches already hold are used up
	 * and the figure is the steady-state cost of one more MR.
	 */
	size_t nwarm = count >= 100 ? count / 10 : 0;
	void **warm = calloc(nwarm + 1, sizeof(*warm));
	int err = 0;

	if (!mr || !per_page || !iommu_pp || !reg || !dereg || !warm)
		die("calloc");
	for (size_t i = 0; i < nwarm; i++) {
		warm[i] = reg_mr(pd, buf + i * size, size);
		if (!warm[i])
			die("registering (warm-up)");
	}
	double bound = -1, reported = -1;
	size_t small = 0;
	uint64_t runs = 0;

	for (int r = 0; r < repeat && !err; r++) {
		long long before, after, iommu_before, iommu_after;
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
		iommu_before = iommu_pages();
		probe_runs = 0;
		t0 = now_ms();
		for (i = 0; i < count; i++) {
			mr[i] = reg_mr(pd, buf + i * size, size);
			if (!mr[i]) {
				err = errno;
				break;
			}
		}
		t1 = now_ms();
		after = free_and_pcp_pages();
		iommu_after = iommu_pages();
		if (!r)
			runs = probe_runs;
		/* The pages as registered (FOLL_LONGTERM may have moved some) */
		if (!r && i == count)
			bound = bound_bytes_per_page(buf, size, count, &small);
		/* What the kernel says the MRs keep, beside what was measured */
		if (!r && i == count && probe_fd < 0)
			reported = reported_bytes(mr, count);
		/* Neither is part of deregistering */
		t2 = now_ms();
		while (i--)
			dereg_mr(mr[i]);
		t3 = now_ms();
		per_page[r] = (double)(before - after) * PG / (size * count / PG);
		iommu_pp[r] = (double)(iommu_after - iommu_before) * PG /
			      (size * count / PG);
		reg[r] = (t1 - t0) / gib;
		dereg[r] = (t3 - t2) / gib;
	}
	if (err) {
		printf("layout=%s size=%zu count=%zu reg_errno=%s\n", lay->name,
		       size, count, strerrorname_np(err));
	} else {
		double bpp = median(per_page, repeat);

		printf("layout=%s size=%zu count=%zu bytes_per_page=%.3f "
		       "bytes_per_mr=%.1f reg_ms_per_gib=%.2f dereg_ms_per_gib=%.2f "
		       "bound_bytes_per_page=%.4f small_pages=%zu",
		       lay->name, size, count, bpp, bpp * (size / PG),
		       median(reg, repeat), median(dereg, repeat), bound, small);
		if (probe_fd >= 0)
			probe_line_end(runs, count, median(iommu_pp, repeat));
		else if (reported >= 0)
			printf(" reported_bytes_per_page=%.3f",
			       reported / (double)(size * count / PG));
		else
			printf(" reported=none");
		putchar('\n');
	}
	for (size_t i = 0; i < nwarm; i++)
		dereg_mr(warm[i]);
	free(warm);
	free(mr);
	free(per_page);
	free(iommu_pp);
	free(reg);
	free(dereg);
	return err ? 1 : 0;
}

/* --pin-phyr: one pin_user_pages_phyr() and its unpin; times in ns. */
static void pin_phyr_once(int fd, char *buf, size_t size, uint64_t *pin_ns,
			  uint64_t *unpin_ns)
{
	struct phyr_test_pin p = {
		.addr = (uintptr_t)buf,
		.len = size,
		.flags = PHYR_TEST_PIN_WRITE,
	};
	uint32_t dirty = 1;
	double t0, t1, t2;

	t0 = now_ms();
	if (ioctl(fd, PHYR_TEST_IOC_PIN, &p))
		die("PHYR_TEST_IOC_PIN");
	t1 = now_ms();
	if (ioctl(fd, PHYR_TEST_IOC_UNPIN, &dirty))
		die("PHYR_TEST_IOC_UNPIN");
	t2 = now_ms();
	if (p.length != size) {
		errno = EIO;
		die("PHYR_TEST_IOC_PIN: bytes missing");
	}
	*pin_ns += (uint64_t)((t1 - t0) * 1e6);
	*unpin_ns += (uint64_t)((t2 - t1) * 1e6);
}

/* --floor: one PHYR_TEST_IOC_FLOOR; the driver's times in ns. */
static void floor_once(int fd, char *buf, size_t size, uint64_t *pin_ns,
		       uint64_t *unpin_ns)
{
	struct phyr_test_floor f = {
		.addr = (uintptr_t)buf,
		.len = size,
		.flags = PHYR_TEST_PIN_WRITE,
	};

	if (ioctl(fd, PHYR_TEST_IOC_FLOOR, &f))
		die("PHYR_TEST_IOC_FLOOR");
	if (f.pages != size / PG) {
		errno = EIO;
		die("PHYR_TEST_IOC_FLOOR: pages missing");
	}
	*pin_ns += f.pin_ns;
	*unpin_ns += f.unpin_ns;
}

/*
 * --floor (@phyr false) or --pin-phyr (@phyr true): pin and unpin what
 * measure() would register; see the top.
 */
static int measure_floor(const struct layout *lay, char *buf, size_t size,
			 size_t count, int repeat, bool phyr)
{
	void (*once)(int, char *, size_t, uint64_t *, uint64_t *) =
		phyr ? pin_phyr_once : floor_once;
	double *pin = calloc(repeat, sizeof(double));
	double *unpin = calloc(repeat, sizeof(double));
	double gib = (double)size * count / GIB;
	int fd = open("/dev/test_phyr_dma", O_RDWR | O_CLOEXEC);

	if (!pin || !unpin)
		die("calloc");
	if (fd < 0)
		die("/dev/test_phyr_dma (the phyr kernel's test driver)");
	for (int r = 0; r < repeat; r++) {
		uint64_t pin_ns = 0, unpin_ns = 0;

		for (size_t i = 0; i < count; i++)
			once(fd, buf + i * size, size, &pin_ns, &unpin_ns);
		pin[r] = pin_ns / 1e6 / gib;
		unpin[r] = unpin_ns / 1e6 / gib;
	}
	close(fd);
	printf("layout=%s size=%zu count=%zu what=%s pin_ms_per_gib=%.2f unpin_ms_per_gib=%.2f\n",
	       lay->name, size, count, phyr ? "pin_user_pages_phyr" : "floor",
	       median(pin, repeat), median(unpin, repeat));
	free(pin);
	free(unpin);
	return 0;
}

/* @len bytes in @lay, faulted in and checked; exits 2 if the layout is wrong. */
static char *map_checked(const struct layout *lay, size_t len)
{
	char *buf = lay->map(len);
	const char *bad;

	if (!buf)
		die("mapping the buffer");
	bad = layout_check(lay, buf, len);
	if (bad) {
		fprintf(stderr, "mr_bench: %s layout: %s\n", lay->name, bad);
		exit(2);
	}
	return buf;
}

/* Does one MR of @len bytes register?  Maps, registers, unmaps. */
static int registers(struct ibv_pd *pd, const struct layout *lay, size_t len)
{
	char *buf = lay->map(len);
	void *mr;

	if (!buf)
		return -1;	/* not even the memory: treat as too large */
	mr = reg_mr(pd, buf, len);
	if (mr)
		dereg_mr(mr);
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
		"       mr_bench --floor|--pin-phyr [-l LAYOUT] [-s SIZE] [-n COUNT] [-r REPEAT]\n"
		"Kernel bytes per registered 4 KiB page and registration time for\n"
		"COUNT MRs of SIZE bytes (K, M, G suffixes) in LAYOUT: frag_4k,\n"
		"contig, thp, hugetlb_2m, hugetlb_1g, mixed.  Defaults: rxe0, frag_4k,\n"
		"64M, 1 MR, 5 repeats.  --max finds the largest MR that registers.\n"
		"-d umem_probe registers umems alone, with QEMU's edu device as the\n"
		"DMA device, through /dev/umem_probe (bench/umem_probe/umem_probe.ko).\n"
		"--with-heap also counts the user memory registering touches (the\n"
		"MR structure libibverbs mallocs, the array of MR pointers), as a\n"
		"plain free-page count without a pre-faulted heap sees it.\n"
		"--floor registers nothing: it times pinning and unpinning the same\n"
		"memory alone, through the phyr kernel's /dev/test_phyr_dma;\n"
		"--pin-phyr the same with pin_user_pages_phyr(), its list included.\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "max", no_argument, NULL, 'M' },
		{ "limit", required_argument, NULL, 'L' },
		{ "with-heap", no_argument, NULL, 'U' },
		{ "floor", no_argument, NULL, 'F' },
		{ "pin-phyr", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dev = "rxe0", *layout = "frag_4k";
	size_t size = 64 * MIB, count = 1, limit = 0;
	const struct layout *lay = NULL;
	int repeat = 5, opt, max = 0, floor_only = 0, pin_phyr = 0, ret;
	struct ibv_device **list;
	struct ibv_context *ctx = NULL;
	struct ibv_pd *pd = NULL;
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
		case 'F': floor_only = 1; break;
		case 'P': pin_phyr = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	lay = layout_find(layout);
	if (!lay || !count || repeat < 1 || (max && !limit) ||
	    ((floor_only || pin_phyr) && (max || with_heap)) ||
	    (floor_only && pin_phyr) || !size || size % lay->align) {
		fprintf(stderr, "mr_bench: bad arguments (SIZE must be a multiple of "
			"the layout's page size)\n");
		usage(stderr);
		return 2;
	}

	if (floor_only || pin_phyr) {
		buf = map_checked(lay, size * count);
		ret = measure_floor(lay, buf, size, count, repeat, pin_phyr);
		munmap(buf, size * count);
		return ret;
	}

	if (!strcmp(dev, PROBE_DEV)) {
		probe_fd = open("/dev/" PROBE_DEV, O_RDWR | O_CLOEXEC);
		if (probe_fd < 0)
			die("/dev/" PROBE_DEV " (insmod bench/umem_probe's umem_probe.ko)");
	} else {
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
	}
	if (!with_heap)
		prefault_heap();

	if (max) {
		find_max(pd, lay, limit);
		ret = 0;
	} else {
		buf = map_checked(lay, size * count);
		ret = measure(pd, lay, buf, size, count, repeat);
		munmap(buf, size * count);
	}
	if (probe_fd >= 0) {
		close(probe_fd);
		return ret;
	}
	ibv_dealloc_pd(pd);
	ibv_close_device(ctx);
	return ret;
}
