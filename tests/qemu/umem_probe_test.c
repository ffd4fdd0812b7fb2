// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * umem_probe_test: the hardware path's umem, through bench/umem_probe's
 * /dev/umem_probe (ib_umem_get() with QEMU's edu PCI device as the DMA
 * device), on any kernel the probe is built for, stock included.
 *
 *   umem_probe_test REGIME
 *
 * REGIME is the DMA regime the guest runs (tests/qemu/dma-regime.sh).  For
 * fragmented, THP and unaligned memory: the umem holds the pages asked
 * for, one DMA block per page; its DMA addresses run as the regime makes
 * them (the physical runs without an IOMMU and in passthrough, one IOVA
 * range when translated); pins and VmPin rise by the pages and fall back
 * on deregistration and on close.  Bad input gets ib_umem_get()'s errors.
 * TAP on stdout; exit status 1 if a test failed, 2 on a setup error.
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
#include <unistd.h>

#include "../../bench/layout.h"
#include "../../bench/umem_probe/umem_probe_uapi.h"
#include "guest_util.h"

static const char *regime;
static int probe;

/*
 * Runs of consecutive frames among the pages of [@p, @p + @len); the first
 * page's physical address in @first_pa.
 */
static uint64_t phys_runs(const char *p, size_t len, uint64_t *first_pa)
{
	int fd = open("/proc/self/pagemap", O_RDONLY);
	uintptr_t first = (uintptr_t)p & ~(PG - 1), end = (uintptr_t)p + len;
	uint64_t runs = 0, prev = 0;

	if (fd < 0)
		die("/proc/self/pagemap");
	for (uintptr_t a = first; a < end; a += PG) {
		uint64_t f = layout_pfn_of(fd, (const char *)a);

		if (!f)
			die("pagemap: a page without a frame");
		if (!runs)
			*first_pa = f * PG;
		if (!runs || f != prev + 1)
			runs++;
		prev = f;
	}
	close(fd);
	return runs;
}

static int reg(const void *addr, uint64_t len, struct umem_probe_reg *r)
{
	memset(r, 0, sizeof(*r));
	r->addr = (uintptr_t)addr;
	r->length = len;
	return ioctl(probe, UMEM_PROBE_IOC_REG, r) ? errno : 0;
}

static int dereg(uint32_t handle)
{
	return ioctl(probe, UMEM_PROBE_IOC_DEREG, &handle) ? errno : 0;
}

/* One umem over @len bytes at @p (@name): its pages, runs and pins. */
static void one(const char *name, char *p, size_t len)
{
	uint64_t pages = (((uintptr_t)p + len + PG - 1) & ~(PG - 1)) / PG -
			 (uintptr_t)p / PG;
	long long pins = pins_held();
	long vmpin = vm_pin_kb();
	struct umem_probe_reg r;
	int err = reg(p, len, &r);
	uint64_t runs, first = 0;
	bool direct;

	if (!tap(!err, name, "UMEM_PROBE_IOC_REG: %s", strerror(err)))
		return;
	/* The pages as pinned: a long-term pin may have migrated them */
	runs = phys_runs(p, len, &first);
	direct = !strcmp(regime, "none") || !strcmp(regime, "passthrough");
	tap(direct == (r.dma_first == first),
	    direct ? "the device sees the first page at its physical address" :
		     "the device sees the first page elsewhere (IOVA or bounce buffer)",
	    "DMA address %#llx, physical %#llx under %s", (unsigned long long)r.dma_first,
	    (unsigned long long)first, regime);
	tap(r.handle && r.pages == pages && r.dma_blocks == pages,
	    "its pages, one DMA block each", "handle %u, %llu pages, %llu blocks; %llu expected",
	    r.handle, (unsigned long long)r.pages, (unsigned long long)r.dma_blocks,
	    (unsigned long long)pages);
	if (!strcmp(regime, "translated"))
		tap(r.dma_runs == 1, "one IOVA range", "%llu DMA runs",
		    (unsigned long long)r.dma_runs);
	else if (!strcmp(regime, "swiotlb"))
		tap(r.dma_runs >= 1 && r.dma_runs <= pages, "bounced: 1 to one DMA run per page",
		    "%llu DMA runs for %llu pages", (unsigned long long)r.dma_runs,
		    (unsigned long long)pages);
	else
		tap(r.dma_runs == runs, "DMA runs are the physical runs",
		    "%llu DMA runs, %llu physical", (unsigned long long)r.dma_runs,
		    (unsigned long long)runs);
	tap(pins_held() - pins == (long long)pages && vm_pin_kb() - vmpin == (long)(pages * 4),
	    "pins and VmPin rise by its pages", "pins +%lld, VmPin +%ld kB for %llu pages",
	    pins_held() - pins, vm_pin_kb() - vmpin, (unsigned long long)pages);
	err = dereg(r.handle);
	tap(!err && pins_held() == pins && vm_pin_kb() == vmpin,
	    "deregistered, pins and VmPin back", "%s; pins %+lld, VmPin %+ld kB",
	    strerror(err), pins_held() - pins, vm_pin_kb() - vmpin);
}

static void bad_input(char *buf)
{
	struct umem_probe_reg r;
	void *hole = mmap(NULL, 4 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int err;

	if (hole == MAP_FAILED)
		die("mmap");
	err = reg(buf, 0, &r);
	tap(err == EINVAL, "length 0: EINVAL", "%s", strerror(err));
	err = reg((void *)(UINTPTR_MAX & ~(PG - 1)), 2 * PG, &r);
	tap(err == EINVAL, "address + length overflows: EINVAL", "%s", strerror(err));
	err = reg(hole, 4 * PG, &r);
	tap(err == EFAULT, "inaccessible memory: EFAULT", "%s", strerror(err));
	memset(&r, 0, sizeof(r));
	r.addr = (uintptr_t)buf;
	r.length = PG;
	r.reserved = 1;
	err = ioctl(probe, UMEM_PROBE_IOC_REG, &r) ? errno : 0;
	tap(err == EINVAL, "reserved field set: EINVAL", "%s", strerror(err));
	err = dereg(12345);
	tap(err == ENOENT, "deregistering an unknown handle: ENOENT", "%s", strerror(err));
	err = reg(buf, PG, &r);
	if (!err)
		err = dereg(r.handle);
	if (!err)
		err = dereg(r.handle) == ENOENT ? 0 : -1;
	tap(!err, "deregistering twice: ENOENT the second time", "%s",
	    err < 0 ? "not ENOENT" : strerror(err));
	munmap(hole, 4 * PG);
}

int main(int argc, char **argv)
{
	const size_t len = 8 * MIB;
	struct umem_probe_info info;
	char *frag, *thp;
	long long pins;
	long vmpin;
	int held = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: umem_probe_test none|passthrough|translated|swiotlb\n");
		return 2;
	}
	regime = argv[1];
	setvbuf(stdout, NULL, _IOLBF, 0);
	probe = open("/dev/umem_probe", O_RDWR | O_CLOEXEC);
	if (!tap(probe >= 0, "/dev/umem_probe opens", "%s (insmod umem_probe.ko)",
		 strerror(errno))) {
		printf("1..%d\n", tap_tests);
		return 1;
	}
	if (ioctl(probe, UMEM_PROBE_IOC_INFO, &info))
		die("UMEM_PROBE_IOC_INFO");
	tap(info.max_seg == (info.max_mapping < (2ULL << 30) ? info.max_mapping : 2ULL << 30) &&
	    (strcmp(regime, "swiotlb") ? info.max_mapping >= (2ULL << 30) :
	     info.max_mapping == 256 * 1024),
	    "edu's segment: 2 GiB, capped at the longest mapping (256 KiB bounced)",
	    "max_seg %u, max_mapping %llu under %s", info.max_seg,
	    (unsigned long long)info.max_mapping, regime);

	frag = layout_find("frag_4k")->map(len);
	thp = layout_find("thp")->map(len);
	if (!frag || !thp)
		die("mapping the buffers");
	one("fragmented 8 MiB registers", frag, len);
	one("THP 8 MiB registers", thp, len);
	one("unaligned start and end register", frag + 100, 3 * PG + 5);
	bad_input(frag);

	/* Closing the file releases what is still registered */
	pins = pins_held();
	vmpin = vm_pin_kb();
	for (int i = 0; i < 4; i++) {
		struct umem_probe_reg r;

		held += !reg(frag + i * MIB, MIB, &r);
	}
	tap(held == 4 && pins_held() - pins == 4 * 256, "four umems held",
	    "%d registered, pins +%lld", held, pins_held() - pins);
	close(probe);
	tap(pins_held() == pins && vm_pin_kb() == vmpin, "closing the file releases them",
	    "pins %+lld, VmPin %+ld kB", pins_held() - pins, vm_pin_kb() - vmpin);
	printf("1..%d\n", tap_tests);
	return tap_failures ? 1 : 0;
}
