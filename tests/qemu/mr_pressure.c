// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * mr_pressure: registration under memory pressure, and the movable zone.
 *
 *   mr_pressure [-d DEV] [-m MEMLOCK_MIB] [-s SECONDS] [-r ROUND_MIB]
 *
 * Needs a guest booted with movablecore= (so that it has a ZONE_MOVABLE)
 * and root.  On DEV (default rxe0):
 *
 * 1. Movable zone: a 64 MiB buffer is faulted in and filled; some of its
 *    pages must lie in ZONE_MOVABLE (else the test tests nothing).  After
 *    ibv_reg_mr() none may: a long-term pin migrates them first, as stock
 *    does (GUP's FOLL_LONGTERM), and the contents must have moved with them.
 *    Physical addresses come from /proc/self/pagemap.
 * 2. Pressure: while a second process compacts memory
 *    (/proc/sys/vm/compact_memory) and a third faults in THP and splits it
 *    (MADV_DONTNEED of one page per 2 MiB, mprotect of another, munmap),
 *    a child without root under RLIMIT_MEMLOCK = MEMLOCK_MIB (default 256)
 *    registers 4 MiB MRs of fresh memory until the kernel refuses: the
 *    refusal must be ENOMEM exactly at the limit, every registered buffer
 *    keeps its contents and none of its pages is in ZONE_MOVABLE; then it
 *    deregisters everything (VmPin 0).  Then as root (CAP_IPC_LOCK, no
 *    limit) 16 MiB MRs up to half of MemAvailable or ROUND_MIB (default
 *    1024), the same checks and none of their pages in ZONE_MOVABLE, in
 *    rounds for SECONDS (default 5) of pressure.
 * 3. Afterwards the system is back where it was: pins held system-wide
 *    (nr_foll_pin_acquired - nr_foll_pin_released) unchanged, and
 *    free memory (the buddy allocator's and the per-CPU lists') within 16 MiB
 *    of where it started (a round registers far more than that, so a
 *    registration that kept its memory shows).
 *
 * Prints counts and seconds; TAP on stdout.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <infiniband/verbs.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest_util.h"
#include "guest_verbs.h"

#define PG	4096UL
#define MIB	(1UL << 20)
#define ACCESS	(IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ)

static const char *dev_name = "rxe0";
static uint64_t movable_start, movable_end;	/* PFNs of ZONE_MOVABLE */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ZONE_MOVABLE's PFN span from /proc/zoneinfo; false if it has none. */
static bool find_movable(void)
{
	FILE *f = fopen("/proc/zoneinfo", "r");
	char line[256], zone[32];
	unsigned long long v, spanned = 0, start = 0;
	bool in = false;

	if (!f)
		die("/proc/zoneinfo");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Node %*d, zone %31s", zone) == 1)
			in = !strcmp(zone, "Movable");
		else if (in && sscanf(line, " spanned %llu", &v) == 1)
			spanned = v;
		else if (in && sscanf(line, " start_pfn: %llu", &v) == 1)
			start = v;
	}
	fclose(f);
	movable_start = start;
	movable_end = start + spanned;
	return spanned > 0;
}

/* Pages of [buf, buf + len) whose frame lies in ZONE_MOVABLE, -1 if unknown. */
static long in_movable(const char *buf, size_t len)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	uint64_t ent, pfn;
	long n = 0;

	if (fd < 0)
		return -1;
	for (size_t off = 0; off < len; off += PG) {
		if (pread(fd, &ent, sizeof(ent), (off_t)(((uintptr_t)buf + off) / PG * 8)) != sizeof(ent) ||
		    !(ent >> 63)) {
			n = -1;	/* not present: an unknown frame is not a pass */
			break;
		}
		pfn = ent & ((1ULL << 55) - 1);
		if (!pfn) {	/* PFNs hidden: not root */
			n = -1;
			break;
		}
		n += pfn >= movable_start && pfn < movable_end;
	}
	close(fd);
	return n;
}

/*
 * Free memory in kB: the buddy allocator's free pages plus those waiting
 * on the per-CPU lists (which MemFree leaves out, and which freeing
 * gigabytes fills), from /proc/zoneinfo.
 */
static long free_kb(void)
{
	FILE *f = fopen("/proc/zoneinfo", "r");
	char line[256];
	long v, pages = 0;

	if (!f)
		die("/proc/zoneinfo");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " nr_free_pages %ld", &v) == 1 ||
		    sscanf(line, " count: %ld", &v) == 1)
			pages += v;
	fclose(f);
	return pages * (long)(PG / 1024);
}

static long mem_available_kb(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long v = -1;

	if (!f)
		die("/proc/meminfo");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

static struct ibv_pd *open_pd(void)
{
	struct ibv_context *ctx = open_device_named(dev_name);

	return ctx ? ibv_alloc_pd(ctx) : NULL;
}

static void fill(char *buf, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i += 8)
		*(uint64_t *)(buf + i) = (i * 0x9e3779b97f4a7c15ULL) ^ seed;
}

static bool intact(const char *buf, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i += 8)
		if (*(const uint64_t *)(buf + i) != ((i * 0x9e3779b97f4a7c15ULL) ^ seed))
			return false;
	return true;
}

/* 1: a long-term pin moves pages out of ZONE_MOVABLE first */
static void test_movable(struct ibv_pd *pd)
{
	size_t len = 64 * MIB;
	char *buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long before, after;
	struct ibv_mr *mr;

	if (buf == MAP_FAILED || madvise(buf, len, MADV_NOHUGEPAGE))
		die("mmap");
	fill(buf, len, 1);
	before = in_movable(buf, len);
	printf("# ZONE_MOVABLE: PFN %#llx-%#llx; %ld of %zu pages of a fresh buffer in it\n",
	       (unsigned long long)movable_start, (unsigned long long)movable_end, before, len / PG);
	tap(before > 0, "a fresh buffer has pages in ZONE_MOVABLE", "%ld", before);
	mr = ibv_reg_mr(pd, buf, len, ACCESS);
	if (!mr)
		die("ibv_reg_mr");
	after = in_movable(buf, len);
	tap(after == 0, "after ibv_reg_mr none of its pages is in ZONE_MOVABLE (migrated first)",
	    "%ld pages still there", after);
	tap(intact(buf, len, 1), "  and its contents moved with them", "a page differs");
	if (ibv_dereg_mr(mr))
		die("ibv_dereg_mr");
	munmap(buf, len);
}

/* A process that loops until killed: compaction, or THP made and split. */
static pid_t spawn(int what)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid)
		return pid;
	/* Gone with the parent, whatever way it exits */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() == 1)
		_exit(2);
	for (unsigned long round = 0;; round++) {
		if (what == 0) {
			int fd = open("/proc/sys/vm/compact_memory", O_WRONLY);

			if (fd < 0 || write(fd, "1", 1) != 1)
				_exit(3);
			close(fd);
			usleep(20000);
		} else {
			size_t len = 64 * MIB;
			char *raw = mmap(NULL, len + 2 * MIB, PROT_READ | PROT_WRITE,
					 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			char *p;

			if (raw == MAP_FAILED)
				_exit(4);
			p = (char *)(((uintptr_t)raw + 2 * MIB - 1) & ~(2 * MIB - 1));
			madvise(p, len, MADV_HUGEPAGE);
			memset(p, (int)round, len);
			for (size_t off = 0; off < len; off += 2 * MIB) {
				madvise(p + off + PG * (round % 512), PG, MADV_DONTNEED);
				mprotect(p + off + MIB, PG, PROT_READ);
			}
			munmap(raw, len + 2 * MIB);
		}
	}
}

struct held {
	char *buf;
	size_t len;
	struct ibv_mr *mr;
};

/*
 * Register @each-byte MRs of fresh memory until @max of them or a refusal;
 * check them; deregister.  Returns the count; the refusal's errno in *err
 * (0: none); bad counts of moved-but-still-movable and changed buffers.
 */
static int register_until(struct ibv_pd *pd, size_t each, int max, int *err,
			  int *movable, int *changed)
{
	struct held *h = calloc((size_t)max, sizeof(*h));
	int n = 0;

	if (!h)
		die("calloc");
	*err = 0;
	*movable = *changed = 0;
	while (n < max) {
		h[n].len = each;
		h[n].buf = mmap(NULL, each, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (h[n].buf == MAP_FAILED)
			die("mmap");
		fill(h[n].buf, each, (unsigned int)n);
		h[n].mr = ibv_reg_mr(pd, h[n].buf, each, ACCESS);
		if (!h[n].mr) {
			*err = errno;
			munmap(h[n].buf, each);
			break;
		}
		n++;
	}
	for (int i = 0; i < n; i++) {
		/* The child has no root: pagemap hides PFNs, so only contents */
		if (!getuid() && in_movable(h[i].buf, h[i].len) != 0)
			(*movable)++;
		if (!intact(h[i].buf, h[i].len, (unsigned int)i))
			(*changed)++;
		if (ibv_dereg_mr(h[i].mr))
			die("ibv_dereg_mr");
		munmap(h[i].buf, h[i].len);
	}
	free(h);
	return n;
}

int main(int argc, char **argv)
{
	unsigned long memlock_mib = 256;
	double secs = 5, t0;
	unsigned long round_mib = 1024;
	long avail0, avail1;
	long long pins0;
	int opt, code, rounds = 0, bad_rounds = 0, total = 0;
	pid_t compact, thp, child;
	struct ibv_pd *pd;

	while ((opt = getopt(argc, argv, "d:m:s:r:h")) != -1) {
		switch (opt) {
		case 'd': dev_name = optarg; break;
		case 'm': memlock_mib = strtoul(optarg, NULL, 0); break;
		case 's': secs = atof(optarg); break;
		case 'r': round_mib = strtoul(optarg, NULL, 0); break;
		case 'h':
			printf("usage: mr_pressure [-d DEV] [-m MEMLOCK_MIB] [-s SECONDS] [-r ROUND_MIB]\n"
			       "Registration under compaction and THP splitting, and ZONE_MOVABLE\n"
			       "(boot with movablecore=); needs root.  Prints TAP.\n");
			return 0;
		default: return 2;
		}
	}
	if (!memlock_mib || memlock_mib % 4 || secs <= 0 || round_mib < 16) {
		fprintf(stderr, "mr_pressure: MEMLOCK_MIB must be a multiple of 4, SECONDS > 0, ROUND_MIB >= 16\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!find_movable()) {
		errno = ENOENT;
		die("ZONE_MOVABLE (boot with movablecore=)");
	}
	write_file("/proc/sys/vm/drop_caches", "3");
	pins0 = pins_held();
	avail0 = free_kb();
	pd = open_pd();
	if (!pd) {
		errno = ENODEV;
		die(dev_name);
	}
	test_movable(pd);

	compact = spawn(0);
	thp = spawn(1);
	t0 = now_s();
	child = fork_unprivileged(memlock_mib * MIB);
	if (!child) {
		struct ibv_pd *cpd = open_pd();
		int err, movable, changed, n;

		if (!cpd)
			_exit(20);
		n = register_until(cpd, 4 * MIB, (int)(memlock_mib / 4) + 4, &err, &movable, &changed);
		printf("# unprivileged, RLIMIT_MEMLOCK %lu MiB: %d MRs of 4 MiB, then %s\n",
		       memlock_mib, n, err ? strerrorname_np(err) : "no refusal");
		if (n != (int)(memlock_mib / 4) || err != ENOMEM)
			_exit(21);
		if (changed)
			_exit(22);
		if (vm_pin_kb() != 0)
			_exit(23);
		_exit(0);
	}
	code = child_status(child);
	tap(!code, "unprivileged under compaction and THP splitting: ENOMEM exactly at RLIMIT_MEMLOCK, contents intact, VmPin 0 after",
	    "child step %d failed (21: count or errno, 22: contents, 23: VmPin)", code);
	while (now_s() - t0 < secs || !rounds) {
		int err, movable, changed, n;
		int max = (int)(mem_available_kb() / 2 / 16384);

		if (max > (int)(round_mib / 16))
			max = (int)(round_mib / 16);

		n = register_until(pd, 16 * MIB, max, &err, &movable, &changed);
		rounds++;
		total += n;
		if (err || movable || changed || n != max) {
			if (!bad_rounds++)
				printf("# round %d: %d of %d MRs, %s, %d in ZONE_MOVABLE, %d changed\n",
				       rounds, n, max, err ? strerrorname_np(err) : "no refusal",
				       movable, changed);
		}
	}
	kill(compact, SIGKILL);
	kill(thp, SIGKILL);
	child_status(compact);
	child_status(thp);
	printf("# root: %d rounds, %d MRs of 16 MiB in %.1f s of compaction and THP splitting\n",
	       rounds, total, now_s() - t0);
	tap(!bad_rounds, "root under compaction and THP splitting: every MR registers, none in ZONE_MOVABLE, contents intact",
	    "%d of %d rounds went wrong", bad_rounds, rounds);
	tap(vm_pin_kb() == 0, "VmPin is 0 after the last deregistration", "%ld kB", vm_pin_kb());
	ibv_dealloc_pd(pd);
	write_file("/proc/sys/vm/drop_caches", "3");
	write_file("/proc/sys/vm/compact_memory", "1");
	tap(pins_held() == pins0, "nothing left pinned system-wide", "%+lld pins", pins_held() - pins0);
	avail1 = free_kb();
	printf("# free memory (buddy and per-CPU lists) %ld kB before, %ld kB after\n", avail0, avail1);
	tap(avail1 >= avail0 - 16 * 1024, "free memory back within 16 MiB of where it was",
	    "%ld kB less", avail0 - avail1);
	printf("1..%d\n", tap_tests);
	return tap_failures ? 1 : 0;
}
