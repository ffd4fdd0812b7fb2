// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * phyr_dma_test: pin_user_pages_phyr() and dma_map_phyr() from userspace,
 * through the test driver's /dev/test_phyr_dma (lib/test_phyr_dma.c).
 * Prints TAP.
 *
 *   phyr_dma_test pin            CPU lists against pagemap, bad input, and
 *                                no accounting (pinning charges nothing)
 *   phyr_dma_test dma REGIME     DMA lists and real DMA by the edu device;
 *                                REGIME: none, translated, passthrough, swiotlb
 *   phyr_dma_test faults REGIME  fail every allocation of pin + map in turn
 *                                (/proc/thread-self/fail-nth; debug kernel)
 *
 * After every test the kernel's pin counters (nr_foll_pin_acquired and
 * nr_foll_pin_released in /proc/vmstat) must have moved by the same amount
 * and VmPin must be back to 0.  Needs root, for pagemap and hugetlb.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest_util.h"
#include "layout.h"
#include "test_phyr_dma_uapi.h"

#define DEV		"/dev/test_phyr_dma"
#define MAX_RANGES	(1 << 16)

/* Pins taken minus pins released since pins_mark(). */
static long long pins_base;

static void pins_mark(void)
{
	pins_base = pins_held();
}

static long long pins_since_mark(void)
{
	return pins_held() - pins_base;
}

static bool no_pins_left(const char *name)
{
	long long held = pins_since_mark();
	long pin_kb = vm_pin_kb();

	return tap(!held && !pin_kb, name, "%lld pins still held, VmPin %ld kB",
		   held, pin_kb);
}

static int dev_open(void)
{
	int fd = open(DEV, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die(DEV);
	return fd;
}

static int pin(int fd, const void *addr, uint64_t len, uint32_t flags,
	       struct phyr_test_pin *p, uint64_t *ranges)
{
	memset(p, 0, sizeof(*p));
	p->addr = (uintptr_t)addr;
	p->len = len;
	p->flags = flags;
	p->ranges = (uintptr_t)ranges;
	p->max_ranges = ranges ? MAX_RANGES : 0;
	return ioctl(fd, PHYR_TEST_IOC_PIN, p) ? -errno : 0;
}

static int unpin(int fd, uint32_t dirty)
{
	return ioctl(fd, PHYR_TEST_IOC_UNPIN, &dirty) ? -errno : 0;
}

/*
 * Does the CPU list name exactly the pages pagemap shows for
 * [buf, buf + len), with the right first offset and total length?  And
 * does it have one entry per physically contiguous run?
 */
static const char *cpu_list_matches(const char *buf, size_t len,
				    const struct phyr_test_pin *p,
				    const uint64_t *ranges, size_t *runs)
{
	int fd = open("/proc/self/pagemap", O_RDONLY);
	uintptr_t va = (uintptr_t)buf, end = va + len;
	size_t r = 0;
	uint64_t off = 0, prev = 0;
	const char *bad = NULL;

	if (fd < 0)
		die("/proc/self/pagemap");
	*runs = 0;
	if (p->length != len)
		bad = "the list's length is not the buffer's";
	else if (p->nr_entries > MAX_RANGES)
		bad = "too many entries to check";
	for (uintptr_t pg = va & ~(PG - 1); !bad && pg < end; pg += PG) {
		uint64_t pfn = layout_pfn_of(fd, (const char *)pg);
		uintptr_t lo = pg < va ? va : pg;
		uint64_t want = pfn * PG + (lo - pg);

		if (!pfn) {
			bad = "a page is not present in pagemap";
			break;
		}
		if (pg == (va & ~(PG - 1)) || pfn != prev + 1)
			(*runs)++;
		prev = pfn;
		if (r >= p->nr_entries) {
			bad = "the list ends before the buffer";
			break;
		}
		if (ranges[2 * r] + off != want)
			bad = "a page's physical address differs from pagemap";
		off += (pg + PG < end ? pg + PG : end) - lo;
		if (off == ranges[2 * r + 1]) {
			r++;
			off = 0;
		} else if (off > ranges[2 * r + 1]) {
			bad = "an entry ends inside a page";
		}
	}
	if (!bad && r != p->nr_entries)
		bad = "the list has more entries than the buffer has pages";
	if (!bad && p->nr_entries != *runs)
		bad = "entries are not one per physically contiguous run";
	close(fd);
	return bad;
}

static char *map_layout(const char *name, size_t len)
{
	const struct layout *lay = layout_find(name);
	char *buf = lay ? lay->map(len) : NULL;
	const char *bad;

	if (!buf)
		return NULL;
	bad = layout_check(lay, buf, len);
	if (bad) {
		printf("# %s: %s\n", name, bad);
		return NULL;
	}
	return buf;
}

static bool hugetlb_ready(size_t pages)
{
	FILE *f = fopen("/proc/sys/vm/nr_hugepages", "w");

	if (!f)
		return false;
	fprintf(f, "%zu\n", pages);
	return !fclose(f);
}

/* Pin @len bytes at @off into a buffer of layout @name and check the list. */
static void test_cpu_list(const char *name, size_t len, size_t off,
			  uint64_t *ranges)
{
	size_t map_len = (off + len + PG - 1) & ~(PG - 1), runs = 0;
	const struct layout *lay = layout_find(name);
	struct phyr_test_pin p;
	char title[128];
	const char *bad;
	char *buf;
	int fd, ret;

	map_len = (map_len + lay->align - 1) & ~(lay->align - 1);
	snprintf(title, sizeof(title), "pin %s: %zu bytes at offset %zu", name,
		 len, off);
	buf = map_layout(name, map_len);
	if (!buf) {
		tap(false, title, "cannot map the buffer: %s", strerror(errno));
		return;
	}
	pins_mark();
	fd = dev_open();
	ret = pin(fd, buf + off, len, PHYR_TEST_PIN_WRITE, &p, ranges);
	if (tap(!ret, title, "PIN: %s", strerror(-ret))) {
		bad = cpu_list_matches(buf + off, len, &p, ranges, &runs);
		tap(!bad, "  the CPU list is the pagemap, one entry per run",
		    "%s (%llu entries, %zu runs)", bad ? bad : "",
		    (unsigned long long)p.nr_entries, runs);
		printf("# %s: %zu pages, %zu runs: %llu entries, %llu B of chunks + %llu B head = %.3f B/page\n",
		       name, map_len / PG, runs, (unsigned long long)p.nr_entries,
		       (unsigned long long)p.footprint, (unsigned long long)p.head,
		       (double)(p.footprint + p.head) / (double)(map_len / PG));
		tap(vm_pin_kb() == 0 && pins_since_mark() > 0,
		    "  pinned, and nothing charged (VmPin 0): accounting is the caller's",
		    "VmPin %ld kB, %lld pins", vm_pin_kb(), pins_since_mark());
	}
	close(fd);
	no_pins_left("  closing the file unpins everything");
	munmap(buf, map_len);
}

/* Each bad input: the errno, and nothing pinned afterwards. */
static void test_bad_input(void)
{
	static const struct {
		const char *name;
		int err;
	} cases[] = {
		{ "zero length", EINVAL },
		{ "range wraps the address space", EINVAL },
		{ "unmapped address", EFAULT },
		{ "second half unmapped", EFAULT },
		{ "read-only mapping pinned for write", EFAULT },
		{ "PROT_NONE mapping", EFAULT },
	};
	size_t len = 4 * MIB;
	struct phyr_test_pin p;
	char *rw, *ro, *none, *hole, name[128];
	int fd, ret;

	rw = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	none = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	hole = mmap(NULL, 2 * len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (rw == MAP_FAILED || ro == MAP_FAILED || none == MAP_FAILED || hole == MAP_FAILED)
		die("mmap");
	memset(rw, 1, len);
	memset(hole, 1, 2 * len);
	munmap(hole + len, len);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pins_mark();
		fd = dev_open();
		switch (i) {
		case 0: ret = pin(fd, rw, 0, 0, &p, NULL); break;
		case 1: ret = pin(fd, (void *)(UINTPTR_MAX - PG + 1), 2 * PG, 0, &p, NULL); break;
		case 2: ret = pin(fd, hole + len, PG, 0, &p, NULL); break;
		case 3: ret = pin(fd, hole, 2 * len, PHYR_TEST_PIN_WRITE, &p, NULL); break;
		case 4: ret = pin(fd, ro, len, PHYR_TEST_PIN_WRITE, &p, NULL); break;
		default: ret = pin(fd, none, len, 0, &p, NULL); break;
		}
		snprintf(name, sizeof(name), "bad input: %s gives %s", cases[i].name,
			 strerrorname_np(cases[i].err));
		tap(ret == -cases[i].err, name, "got %s",
		    ret ? strerrorname_np(-ret) : "success");
		snprintf(name, sizeof(name), "  %s: nothing pinned or charged", cases[i].name);
		no_pins_left(name);
		close(fd);
	}
	pins_mark();
	fd = dev_open();
	ret = pin(fd, ro, len, 0, &p, NULL);
	tap(!ret, "a read-only mapping pins for reading", "%s", strerror(-ret));
	tap(!unpin(fd, 1), "unpinning it with dirty=1 succeeds", "%s", strerror(errno));
	close(fd);
	no_pins_left("  nothing pinned afterwards");
	munmap(rw, len);
	munmap(ro, len);
	munmap(none, len);
	munmap(hole, len);
}

/*
 * Pinning does no accounting: in a child that gives up root, under an
 * RLIMIT_MEMLOCK of 64 KiB, 256 KiB pin and nothing is charged (VmPin
 * stays 0).  Limits are the pinning subsystem's users' (ib_umem_get(), whose
 * errors reg_errors checks).
 */
static void test_no_accounting(void)
{
	struct phyr_test_pin p;
	size_t len = 256 * 1024;
	int fd, code;
	char *buf;
	pid_t pid;

	fd = dev_open();
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (buf == MAP_FAILED)
		die("mmap");
	pins_mark();
	pid = fork_unprivileged(64 * 1024);
	if (!pid) {
		if (pin(fd, buf, len, PHYR_TEST_PIN_WRITE, &p, NULL))
			_exit(11);
		if (vm_pin_kb() != 0)
			_exit(12);
		if (unpin(fd, 0))
			_exit(13);
		_exit(0);
	}
	code = child_status(pid);
	tap(!code, "pinning charges nothing: 256 KiB pin under RLIMIT_MEMLOCK 64 KiB, VmPin stays 0",
	    "child step %d failed (see test_no_accounting)", code);
	close(fd);
	no_pins_left("  nothing pinned afterwards");
	munmap(buf, len);
}

static int floor_pin(int fd, const void *addr, uint64_t len, uint32_t flags,
		     uint32_t pad, struct phyr_test_floor *f)
{
	memset(f, 0, sizeof(*f));
	f->addr = (uintptr_t)addr;
	f->len = len;
	f->flags = flags;
	f->pad = pad;
	return ioctl(fd, PHYR_TEST_IOC_FLOOR, f) ? -errno : 0;
}

/*
 * The floor ioctl (pinning alone, for make bench): every page of the range
 * pinned once and released, nothing held afterwards, and the bad inputs
 * refused before anything is pinned.
 */
static void test_floor(void)
{
	size_t len = 4 * MIB;
	struct phyr_test_floor f;
	char *buf, *ro;
	int fd, ret;

	buf = mmap(NULL, 2 * len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (buf == MAP_FAILED || ro == MAP_FAILED)
		die("mmap");
	memset(buf, 1, len);
	munmap(buf + len, len);
	fd = dev_open();
	pins_mark();
	ret = floor_pin(fd, buf + 123, len - 1000, PHYR_TEST_PIN_WRITE, 0, &f);
	tap(!ret && f.pages == len / PG && f.pin_ns && f.unpin_ns,
	    "floor: 4 MiB from offset 123 pins and unpins its 1024 pages",
	    "%s, %llu pages, pin_ns %llu, unpin_ns %llu", ret ? strerror(-ret) : "ok",
	    (unsigned long long)f.pages, (unsigned long long)f.pin_ns,
	    (unsigned long long)f.unpin_ns);
	no_pins_left("  floor: no pin held afterwards");
	tap(floor_pin(fd, buf, 0, 0, 0, &f) == -EINVAL, "floor: zero length gives EINVAL", " ");
	tap(floor_pin(fd, buf, len, 0x2, 0, &f) == -EINVAL, "floor: unknown flag gives EINVAL", " ");
	tap(floor_pin(fd, buf, len, 0, 1, &f) == -EINVAL, "floor: nonzero pad gives EINVAL", " ");
	tap(floor_pin(fd, (void *)(UINTPTR_MAX - PG + 1), 2 * PG, 0, 0, &f) == -EINVAL,
	    "floor: a range that wraps gives EINVAL", " ");
	pins_mark();
	ret = floor_pin(fd, buf, 2 * len, PHYR_TEST_PIN_WRITE, 0, &f);
	tap(ret == -EFAULT, "floor: a range running into a hole gives EFAULT", "got %s",
	    ret ? strerrorname_np(-ret) : "success");
	no_pins_left("  floor: what was pinned before the hole is released");
	ret = floor_pin(fd, ro, len, PHYR_TEST_PIN_WRITE, 0, &f);
	tap(ret == -EFAULT, "floor: a read-only mapping pinned for write gives EFAULT",
	    "got %s", ret ? strerrorname_np(-ret) : "success");
	no_pins_left("  floor: nothing pinned afterwards");
	close(fd);
	munmap(buf, len);
	munmap(ro, len);
}

static void cmd_pin(void)
{
	uint64_t *ranges = malloc(2 * sizeof(uint64_t) * MAX_RANGES);

	if (!ranges)
		die("malloc");
	test_cpu_list("frag_4k", 4 * MIB, 0, ranges);
	test_cpu_list("frag_4k", 4 * MIB - 1000, 123, ranges);
	test_cpu_list("contig", 4 * MIB, 0, ranges);
	test_cpu_list("contig", 1, 4095, ranges);
	test_cpu_list("thp", 16 * MIB, 0, ranges);
	test_cpu_list("thp", 16 * MIB - 3 * PG, PG, ranges);
	if (hugetlb_ready(8)) {
		test_cpu_list("hugetlb_2m", 8 * MIB, 0, ranges);
		test_cpu_list("hugetlb_2m", 6 * MIB, 1 * MIB + 17, ranges);
	} else {
		tap(false, "pin hugetlb_2m", "cannot reserve huge pages: %s", strerror(errno));
	}
	hugetlb_ready(0);
	test_bad_input();
	test_no_accounting();
	test_floor();
	free(ranges);
}

static uint8_t fill(size_t page, size_t j)
{
	return (uint8_t)(page * 31 + j * 3 + 0x5a);
}

/* The byte the edu device left at byte @j of sample page number @k. */
static uint8_t edu_byte(uint32_t seed, unsigned int k, size_t j)
{
	size_t e = 8 * (k + 1) + j;

	return (uint8_t)(seed + e * 7 + (e >> 8));
}

static size_t sample_page(unsigned int k, unsigned int n, size_t npages)
{
	return n > 1 ? k * (npages - 1) / (n - 1) : 0;
}

/* enum phyr_dma_kind */
static const char *const kinds[] = { "none", "alias", "iova", "segments" };
#define KIND_ALIAS	1
#define KIND_IOVA	2
#define KIND_SEGMENTS	3
#define KIND(k)		kinds[(k) % 4]

/*
 * The DMA list's shape in @regime, for a map of @npages pages (or half
 * pages) whose CPU list has @cpu_entries entries: that CPU list itself
 * where nothing translates; under a translating IOMMU one IOVA range, or
 * for @halves one segment per half page; under swiotlb every page bounced.
 */
static void check_shape(const char *regime, const struct phyr_test_map *m,
			uint64_t cpu_entries, size_t npages, bool halves)
{
	unsigned long long nr = m->nr_entries, fp = m->footprint;

	if (!strcmp(regime, "none") || !strcmp(regime, "passthrough"))
		tap(m->kind == KIND_ALIAS && !fp && nr == cpu_entries,
		    halves ? "  the DMA list is the CPU list of half pages" :
			     "  the DMA list is the CPU list",
		    "kind %s, %llu entries, %llu B", KIND(m->kind), nr, fp);
	else if (!strcmp(regime, "translated") && !halves)
		tap(m->kind == KIND_IOVA && nr == 1 && !fp &&
		    m->domain == PHYR_TEST_DOMAIN_TRANSLATED,
		    "  one IOVA range for the whole list, in a translated domain, nothing allocated",
		    "kind %s, %llu entries, %llu B, domain %u", KIND(m->kind), nr, fp, m->domain);
	else if (!strcmp(regime, "translated"))
		tap(m->kind == KIND_SEGMENTS && nr == npages && fp > 0 &&
		    m->domain == PHYR_TEST_DOMAIN_TRANSLATED,
		    "  segment by segment in a translated domain, one entry per half page",
		    "kind %s, %llu entries, %llu B, domain %u", KIND(m->kind), nr, fp, m->domain);
	else
		tap(m->kind == KIND_SEGMENTS && m->bounced == npages && nr >= 1 && nr <= npages,
		    "  one DMA entry per bounced segment at most, every page bounced",
		    "kind %s, %llu entries, %llu bounced", KIND(m->kind), nr,
		    (unsigned long long)m->bounced);
}

/*
 * Pin @len bytes at @buf for writing and map them as @m asks, on a new fd:
 * one TAP line titled @title.  Returns the fd, or -1 (the fd closed) if
 * either step failed.
 */
static int pin_and_map(const char *title, char *buf, size_t len, struct phyr_test_pin *p,
		       struct phyr_test_map *m)
{
	int fd, ret;

	pins_mark();
	fd = dev_open();
	ret = pin(fd, buf, len, PHYR_TEST_PIN_WRITE, p, NULL);
	if (!ret)
		ret = ioctl(fd, PHYR_TEST_IOC_MAP, m) ? -errno : 0;
	if (!tap(!ret, title, "%s", strerror(-ret))) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Pin, map for the edu device, let it read a page and write the sample
 * pages, unmap, then check every byte of the buffer.  A @seg_boundary
 * (a mask, 0 for none) is the device's while it is mapped: a DMA list's
 * ranges are not the device's segments, so it changes nothing.
 */
static void test_dma(const char *regime, const char *name, size_t len,
		     uint64_t seg_boundary)
{
	uint32_t seed = (uint32_t)len ^ 0x9e37u;
	size_t npages = len / PG, bad_bytes = 0;
	struct phyr_test_map m = {
		.flags = PHYR_TEST_MAP_EDU | (seg_boundary ? PHYR_TEST_MAP_SEG_BOUNDARY : 0),
		.seed = seed, .seg_boundary = seg_boundary,
	};
	struct phyr_test_pin p;
	unsigned int n = npages < PHYR_TEST_EDU_SAMPLES ? npages : PHYR_TEST_EDU_SAMPLES;
	char title[160];
	char *buf;
	int fd, ret;

	snprintf(title, sizeof(title), "dma %s%s, %s, %zu KiB: pin and map", regime,
		 seg_boundary ? ", 64 KiB segment boundary" : "", name, len / 1024);
	buf = map_layout(name, len);
	if (!buf) {
		tap(false, title, "cannot map the buffer: %s", strerror(errno));
		return;
	}
	for (size_t i = 0; i < npages; i++)
		for (size_t j = 0; j < PG; j++)
			buf[i * PG + j] = (char)fill(i, j);
	fd = pin_and_map(title, buf, len, &p, &m);
	if (fd < 0)
		goto out;
	printf("# %s %s: cpu %llu entries %llu B; dma %s %llu entries %llu B; %llu pages, %llu bounced\n",
	       regime, name, (unsigned long long)p.nr_entries,
	       (unsigned long long)(p.footprint + p.head), KIND(m.kind),
	       (unsigned long long)m.nr_entries, (unsigned long long)m.footprint,
	       (unsigned long long)m.pages, (unsigned long long)m.bounced);
	check_shape(regime, &m, p.nr_entries, npages, false);
	tap(m.domain == (!strcmp(regime, "translated") ? PHYR_TEST_DOMAIN_TRANSLATED :
			 !strcmp(regime, "passthrough") ? PHYR_TEST_DOMAIN_IDENTITY :
			 PHYR_TEST_DOMAIN_NONE),
	    "  the device's IOMMU domain fits the regime", "domain %u", m.domain);
	tap(m.pages == npages && !m.mismatches && m.length == len,
	    "  every page's DMA address leads to its CPU page",
	    "%llu of %zu pages checked, %llu mismatches, length %llu",
	    (unsigned long long)m.pages, npages, (unsigned long long)m.mismatches,
	    (unsigned long long)m.length);
	tap(m.read_ok == 1, "  the device read a page back intact", "read_ok %u", m.read_ok);
	ret = ioctl(fd, PHYR_TEST_IOC_UNMAP) ? -errno : 0;
	tap(!ret && m.samples == n, "  the device wrote the sample pages, unmapped",
	    "%u of %u samples, unmap: %s", m.samples, n, strerror(-ret));
	for (size_t i = 0; i < npages; i++) {
		int k = -1;

		for (unsigned int s = 0; s < n; s++)
			if (sample_page(s, n, npages) == i)
				k = (int)s;
		for (size_t j = 0; j < PG; j++) {
			uint8_t want = k >= 0 && j < PHYR_TEST_EDU_LEN ?
				       edu_byte(seed, (unsigned int)k, j) : fill(i, j);

			if ((uint8_t)buf[i * PG + j] != want && !bad_bytes++)
				printf("# first bad byte: page %zu byte %zu: %#x, want %#x\n",
				       i, j, (uint8_t)buf[i * PG + j], want);
		}
	}
	tap(!bad_bytes, "  every byte of the buffer is what the device and the CPU wrote",
	    "%zu bytes differ", bad_bytes);
	tap(!unpin(fd, 1), "  unpin", "%s", strerror(errno));
out:
	close(fd);
	no_pins_left("  nothing pinned afterwards");
	munmap(buf, len);
}

/*
 * Map the second half of every page of a pinned buffer: a list no IOVA
 * range can hold (its interior ranges start inside IOMMU granules), so a
 * translating IOMMU maps it segment by segment, each half page on its own.
 */
static void test_split(const char *regime, const char *name, size_t len)
{
	size_t npages = len / PG;
	struct phyr_test_map m = { .flags = PHYR_TEST_MAP_SPLIT };
	struct phyr_test_pin p;
	char title[160];
	char *buf;
	int fd, ret;

	snprintf(title, sizeof(title), "dma %s, %s, %zu KiB, second half of each page: pin and map",
		 regime, name, len / 1024);
	buf = map_layout(name, len);
	if (!buf) {
		tap(false, title, "cannot map the buffer: %s", strerror(errno));
		return;
	}
	fd = pin_and_map(title, buf, len, &p, &m);
	if (fd < 0)
		goto out;
	printf("# %s %s halves: dma %s %llu entries %llu B; %llu half pages, %llu bounced\n",
	       regime, name, KIND(m.kind), (unsigned long long)m.nr_entries,
	       (unsigned long long)m.footprint, (unsigned long long)m.pages,
	       (unsigned long long)m.bounced);
	check_shape(regime, &m, npages, npages, true);
	tap(m.pages == npages && !m.mismatches && m.length == len / 2,
	    "  every half page's DMA address leads to it",
	    "%llu of %zu checked, %llu mismatches, length %llu",
	    (unsigned long long)m.pages, npages, (unsigned long long)m.mismatches,
	    (unsigned long long)m.length);
	ret = ioctl(fd, PHYR_TEST_IOC_UNMAP) ? -errno : 0;
	tap(!ret && !unpin(fd, 0), "  unmap and unpin", "%s", strerror(ret ? -ret : errno));
out:
	close(fd);
	no_pins_left("  nothing pinned afterwards");
	munmap(buf, len);
}

static void cmd_dma(const char *regime)
{
	test_dma(regime, "frag_4k", 4 * MIB, 0);
	/* A list longer than the device's segment boundary: still one range */
	if (!strcmp(regime, "translated"))
		test_dma(regime, "frag_4k", 4 * MIB, 64 * 1024 - 1);
	test_split(regime, "frag_4k", 1 * MIB);
	test_dma(regime, "contig", 64 * 1024, 0);
	test_dma(regime, "thp", 8 * MIB, 0);
	if (hugetlb_ready(4))
		test_dma(regime, "hugetlb_2m", 4 * MIB, 0);
	else
		tap(false, "dma hugetlb_2m", "cannot reserve huge pages: %s", strerror(errno));
	hugetlb_ready(0);
}

/*
 * Fail the n-th fault-injection point of pin + map (map with @flags), for
 * n = 1, 2, ... until both succeed with no fault injected.  Each run must
 * fail cleanly or succeed, and leave no pin behind; kmemleak (scanned after
 * the guest job) finds leaked memory, and an IOVA or bounce slot left
 * behind would show as a mapping that fails later in this loop.
 */
static void fault_sweep(int nfd, char *buf, size_t len, uint32_t flags, const char *what)
{
	size_t runs = 0, failed_runs = 0, unclean = 0, unexpected = 0;
	int fd, err_pin, err_map;
	struct phyr_test_map m;
	struct phyr_test_pin p;
	bool injected = true;
	char title[96];

	for (int n = 1; injected && n < 10000; n++) {
		pins_mark();
		fd = dev_open();
		memset(&m, 0, sizeof(m));
		m.flags = flags;
		fail_nth_arm(nfd, n);
		err_pin = pin(fd, buf, len, PHYR_TEST_PIN_WRITE, &p, NULL);
		err_map = err_pin ? 0 : (ioctl(fd, PHYR_TEST_IOC_MAP, &m) ? -errno : 0);
		injected = fail_nth_disarm(nfd);
		runs++;
		if (err_pin || err_map) {
			failed_runs++;
			/* What an allocation failure may give: ENOMEM, or EIO
			 * for a mapping that could not be made */
			if ((err_pin && err_pin != -ENOMEM) ||
			    (err_map && err_map != -ENOMEM && err_map != -EIO)) {
				unexpected++;
				printf("# n=%d: unexpected errors pin %s map %s\n", n,
				       strerrorname_np(-err_pin), strerrorname_np(-err_map));
			}
		}
		close(fd);
		if (pins_since_mark() || vm_pin_kb()) {
			unclean++;
			printf("# n=%d: %lld pins, VmPin %ld kB left (pin %d, map %d)\n", n,
			       pins_since_mark(), vm_pin_kb(), err_pin, err_map);
		}
	}
	printf("# %s: %zu runs, %zu failed by an injected fault\n", what, runs, failed_runs);
	snprintf(title, sizeof(title), "fault injection reached the end of %s", what);
	tap(!injected && runs > 1, title, "stopped after %zu runs", runs);
	tap(!unclean, "  every injected failure left no pin and no charge",
	    "%zu runs left pins behind", unclean);
	tap(!unexpected, "  every injected failure gave ENOMEM (EIO for a mapping)",
	    "%zu runs failed with another errno", unexpected);
}

/*
 * An allocation failure inside dma-debug turns it off for the rest of the
 * boot ("cacheline tracking ENOMEM, dma-debug disabled"), and every later
 * mapping goes unchecked: guest-phyr-dma.sh keeps injected faults out of
 * dma-debug's own code, and this says whether that held.  Nothing to say on
 * a kernel without CONFIG_DMA_API_DEBUG.
 */
static void dma_debug_still_on(void)
{
	char val[8] = "";
	FILE *f = fopen("/sys/kernel/debug/dma-api/disabled", "r");

	if (!f)
		return;
	if (!fgets(val, sizeof(val), f))
		val[0] = 0;
	fclose(f);
	tap(val[0] == 'N', "  dma-debug still checks every mapping after the sweep",
	    "dma-api/disabled is %.1s: an injected fault reached dma-debug itself", val);
}

/* fault_sweep() of the list as pinned, then of its half pages. */
static void cmd_faults(const char *regime)
{
	size_t len = 2 * MIB;
	char *buf;
	int nfd;

	nfd = fail_nth_open();
	if (nfd < 0) {
		tap(false, "fault injection", "no /proc/thread-self/fail-nth: %s", strerror(errno));
		return;
	}
	buf = map_layout("frag_4k", len);
	if (!buf)
		die("frag_4k buffer");
	fault_sweep(nfd, buf, len, 0, "pin + map");
	fault_sweep(nfd, buf, len, PHYR_TEST_MAP_SPLIT, "pin + map of the half pages");
	/* The device still maps and moves data after all those failures. */
	test_dma(regime, "frag_4k", 64 * 1024, 0);
	test_split(regime, "frag_4k", 64 * 1024);
	dma_debug_still_on();
	close(nfd);
	munmap(buf, len);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: phyr_dma_test COMMAND...\n"
		   "Tests pin_user_pages_phyr() and dma_map_phyr() through " DEV "; one TAP stream.\n"
		   "  pin             CPU lists against pagemap, bad input, no accounting\n"
		   "  dma REGIME      DMA lists and real DMA by QEMU's edu device\n"
		   "  faults REGIME   fail each allocation of pin + map in turn (fail-nth)\n"
		   "REGIME is what ci/vm.sh --iommu set up: none, translated, passthrough, swiotlb.\n");
}

static bool regime_known(const char *regime)
{
	static const char *const regimes[] = { "none", "translated", "passthrough", "swiotlb" };

	for (size_t i = 0; i < sizeof(regimes) / sizeof(regimes[0]); i++)
		if (!strcmp(regime, regimes[i]))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	int i;

	if (argc == 2 && !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	/* Check every argument before running anything. */
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "pin"))
			continue;
		if ((strcmp(argv[i], "dma") && strcmp(argv[i], "faults")) ||
		    i + 1 == argc || !regime_known(argv[i + 1]))
			break;
		i++;
	}
	if (argc < 2 || i < argc) {
		usage(stderr);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "pin"))
			cmd_pin();
		else if (!strcmp(argv[i], "dma"))
			cmd_dma(argv[++i]);
		else
			cmd_faults(argv[++i]);
	}
	printf("1..%d\n", tap_tests);
	return tap_failures ? 1 : 0;
}
