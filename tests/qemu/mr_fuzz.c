// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * mr_fuzz: a differential fuzz of memory registration.
 *
 *   mr_fuzz [-d DEV] [-s SEED] [-n CALLS] [-o STREAM] [-U MEMLOCK]
 *
 * CALLS (default 20000) random reg_mr, rereg_mr and dereg_mr calls on DEV
 * (default rxe0), half through libibverbs (ibv_reg_mr, ibv_rereg_mr,
 * ibv_dereg_mr) and half as raw uverbs write() commands on the context's
 * cmd_fd (6.12 has no ioctl method for them): addresses in a fixed arena
 * (read-write, PROT_NONE, read-only, shared and unmapped parts), NULL, kernel,
 * non-canonical, wrapping and random ones; lengths 0, 1, up to the arena,
 * across its holes, huge and near 2^64; every access-flag bit; every rereg
 * flag; bad PD and MR handles, deregistered MRs, truncated commands and
 * response buffers the kernel cannot write.  The arguments come from SEED
 * alone, so the same seed makes the same calls on any kernel: STREAM gets
 * one line per call (its arguments and what it returned), and two kernels
 * agree when their streams are identical (tests/check.sh compares stock,
 * phyr and debug).  Handles and keys are left out of the stream; every
 * other result is in it.
 *
 * One deliberate difference is named rather than compared: stock siw
 * allocates an array of one pointer per 512 pages before it pins
 * (siw_umem_get(), from an int page count); where that array would exceed
 * 512 KiB or its size is negative, stock's answer is that allocation's
 * (ENOMEM, or success only if a high-order allocation does), while phyr's
 * siw has no such array and answers as ib_umem_get() does.  The stream
 * marks those calls "siw-chunks" before the errno, on both kernels, and
 * tests/check.sh compares only the mark between stock and phyr.  Beyond
 * kmalloc()'s 4 MiB, where stock WARNs, siw gets no such call at all.
 *
 * Checked here, on every kernel: VmPin always equals the pages of the live
 * MRs (the model of stock's accounting), and after the last MR is
 * deregistered VmPin is 0 and the pins held system-wide are back where they
 * were.  With -U, the calls run in a child without root (so without
 * CAP_IPC_LOCK) under RLIMIT_MEMLOCK = MEMLOCK bytes, where registrations
 * beyond the limit fail with ENOMEM.  TAP on stdout; needs root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <infiniband/verbs.h>
#include <rdma/ib_user_verbs.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest_util.h"
#include "guest_verbs.h"

#define PG		4096ULL
#define MIB		(1ULL << 20)
/* The arena: fixed, far from where mmap() places anything by itself */
#define ARENA		0x5a5a00000000ULL
#define ARENA_LEN	(16 * MIB)
#define ARENA_RESERVE	(64 * MIB)
#define MAX_LIVE	48

/* Arena layout: [0,8M) rw private, [8M,9M) PROT_NONE, [9M,11M) read-only,
 * [11M,12M) unmapped, [12M,16M) rw shared; unmapped beyond. */
static const uint64_t edges[] = { 0, 8 * MIB, 9 * MIB, 11 * MIB, 12 * MIB, 16 * MIB };

struct live {
	uint64_t addr, len;
	struct ibv_mr *mr;	/* libibverbs MRs */
	uint32_t handle;	/* raw ones */
};

static struct {
	const char *dev;
	bool siw;
	struct ibv_context *ctx;
	struct ibv_pd *pd[2];
	FILE *out;
	uint64_t rng;
	struct live verbs[MAX_LIVE], raw[MAX_LIVE];
	int nverbs, nraw;
	uint32_t stale;		/* a raw handle deregistered since the last registration */
	unsigned long calls, ok, named;
	unsigned long errs[160];
	unsigned long model_bad;
} f = { .dev = "rxe0" };

/* splitmix64: the whole stream follows from the seed */
static uint64_t rnd(void)
{
	uint64_t z = (f.rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static bool chance(unsigned int pct)
{
	return below(100) < pct;
}

static uint64_t pick_addr(void)
{
	uint64_t off;

	switch (below(20)) {
	case 0: return 0;
	case 1: return below(PG);
	case 2: return 0x100000000000ULL + below(1024) * PG;	/* unmapped */
	case 3: return 0xffff888000000000ULL + below(1 << 20) * PG;	/* direct map */
	case 4: return 0x0000800000000000ULL - PG * below(4);	/* last user pages, then non-canonical */
	case 5: return (~0ULL & ~(PG - 1)) - below(4) * PG;	/* top of the address space */
	case 6: return rnd();
	case 7: /* an arena edge, give or take a page */
		off = edges[below(sizeof(edges) / sizeof(edges[0]))];
		return ARENA + off - PG + below(3) * PG;
	default:
		off = below(ARENA_LEN / PG) * PG;
		if (chance(25))
			off += below(PG);
		return ARENA + off;
	}
}

static uint64_t pick_len(uint64_t addr)
{
	uint64_t e;

	switch (below(20)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return 1ULL << (40 + below(13));	/* huge */
	case 3: return ~0ULL - below(PG);		/* near 2^64 */
	case 4: return -addr - below(2) * PG;		/* to the top, exactly */
	case 5: return rnd();
	case 6: /* to an arena edge, give or take a page */
		e = ARENA + edges[below(sizeof(edges) / sizeof(edges[0]))];
		return e - addr - PG + below(3) * PG;
	default: /* log-uniform, 1 byte to 16 MiB, mostly small */
		e = below(below(2) ? 17 : 25);
		return (1ULL << e) + below(1ULL << e);
	}
}

static uint32_t pick_access(void)
{
	switch (below(4)) {
	case 0: return IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ;
	case 1: return (uint32_t)below(0x400);		/* the defined bits */
	case 2: return 1U << below(32);
	default: return (uint32_t)(chance(50) ? below(16) : rnd());
	}
}

static bool in_arena(uint64_t addr, uint64_t len)
{
	return addr >= ARENA && len <= ARENA_RESERVE && addr - ARENA < ARENA_RESERVE;
}

static void addr_str(char *buf, size_t n, uint64_t addr)
{
	if (in_arena(addr, 0))
		snprintf(buf, n, "A+%#llx", (unsigned long long)(addr - ARENA));
	else
		snprintf(buf, n, "%#llx", (unsigned long long)addr);
}

/* Pages a registration of [addr, addr + len) pins and charges. */
static uint64_t pages_of(uint64_t addr, uint64_t len)
{
	return ((addr + len + PG - 1) & ~(PG - 1)) / PG - addr / PG;
}

/*
 * The size of the array stock siw's siw_umem_get() allocates for
 * [addr, addr + len) before it pins: one pointer per 512 pages, from an
 * int page count; -1 where that count is negative (kcalloc() overflows).
 */
static long long siw_chunk_bytes(uint64_t addr, uint64_t len)
{
	uint64_t first = addr & ~(PG - 1);
	int num_pages = (int)(((addr + len - first + PG - 1) & ~(PG - 1)) >> 12);
	int num_chunks = (num_pages >> 9) + 1;

	return num_chunks < 0 ? -1 : num_chunks * 8LL;
}

/* Where stock siw's answer is named rather than compared (see the header) */
static bool siw_chunks(uint64_t addr, uint64_t len)
{
	long long bytes = siw_chunk_bytes(addr, len);

	return f.siw && len && (bytes < 0 || bytes > 512 * 1024);
}

/*
 * A length for a registration at @addr.  On siw, none whose chunk array
 * stock would ask kmalloc() for beyond its 4 MiB limit: stock WARNs there
 * (a stock bug, not one of phyr's), and a kernel warning fails the guest.
 */
static uint64_t pick_reg_len(uint64_t addr)
{
	uint64_t len;

	do
		len = pick_len(addr);
	while (f.siw && len && siw_chunk_bytes(addr, len) > 4 * (long long)MIB);
	return len;
}

/* One stream line: the call, then its result. */
static void record(const char *what, int err, bool named)
{
	f.calls++;
	if (named) {
		f.named++;
		fprintf(f.out, "%lu %s -> siw-chunks %s\n", f.calls, what,
			err ? (strerrorname_np(err) ?: "?") : "0");
		return;
	}
	if (!err)
		f.ok++;
	if (err >= 0 && err < (int)(sizeof(f.errs) / sizeof(f.errs[0])))
		f.errs[err]++;
	fprintf(f.out, "%lu %s -> %s\n", f.calls, what,
		err ? (strerrorname_np(err) ?: "?") : "0");
}

static void verbs_reg(void)
{
	int p = (int)below(2);
	uint64_t addr = pick_addr(), len = pick_reg_len(addr);
	uint32_t acc = pick_access();
	char what[160], a[40];
	struct ibv_mr *mr;
	int err;

	addr_str(a, sizeof(a), addr);
	snprintf(what, sizeof(what), "ibv_reg_mr pd%d %s %#llx %#x", p, a,
		 (unsigned long long)len, acc);
	errno = 0;
	mr = ibv_reg_mr(f.pd[p], (void *)(uintptr_t)addr, len, (int)acc);
	err = mr ? 0 : (errno ?: -1);
	record(what, err, siw_chunks(addr, len));
	if (mr) {
		f.verbs[f.nverbs++] = (struct live){ addr, len, mr, 0 };
		f.stale = 0;	/* its handle may be the stale one */
	}
}

static void verbs_dereg(void)
{
	int i = (int)below(f.nverbs), ret;
	char what[64];

	ret = ibv_dereg_mr(f.verbs[i].mr);
	snprintf(what, sizeof(what), "ibv_dereg_mr #%d", i);
	record(what, ret, false);
	if (!ret)
		f.verbs[i] = f.verbs[--f.nverbs];
}

static void verbs_rereg(void)
{
	int i = (int)below(f.nverbs), flags = (int)below(chance(80) ? 8 : 64);
	int p = (int)below(2), ret;
	uint64_t addr = pick_addr(), len = pick_len(addr);
	uint32_t acc = pick_access();
	char what[200], a[40];

	addr_str(a, sizeof(a), addr);
	snprintf(what, sizeof(what), "ibv_rereg_mr #%d %#x pd%d %s %#llx %#x", i,
		 flags, p, a, (unsigned long long)len, acc);
	errno = 0;
	ret = ibv_rereg_mr(f.verbs[i].mr, flags, f.pd[p], (void *)(uintptr_t)addr,
			   len, (int)acc);
	/* The library's own code, then the kernel's errno */
	snprintf(what + strlen(what), sizeof(what) - strlen(what), " ret=%d", ret);
	record(what, ret ? (errno ?: -1) : 0, false);
	if (!ret && (flags & IBV_REREG_MR_CHANGE_TRANSLATION)) {
		f.verbs[i].addr = addr;
		f.verbs[i].len = len;
	}
}

/* How raw_write() mangled a command */
enum { INTACT, SHORT, LONG, NO_RESP, BAD_RESP };

/*
 * One raw write() of a uverbs command: header, command, driver data (siw's
 * struct siw_ureq_reg_mr, zeroed).  With @mangle, now and then the command
 * is truncated or padded, or its response buffer is missing or points
 * where the kernel cannot write; @what says so.  Returns 0 or the errno.
 */
static size_t body_seen;	/* bytes of the last raw command after its header */

static int raw_write(uint32_t cmd, const void *body, size_t len, void *resp,
		     size_t resp_len, char *what, bool mangle, int *kind)
{
	uint64_t buf[32] = { 0 };
	struct ib_uverbs_cmd_hdr *hdr = (void *)buf;
	size_t total = sizeof(*hdr) + len, words;
	ssize_t ret;

	memcpy(hdr + 1, body, len);
	if (f.siw && cmd == IB_USER_VERBS_CMD_REG_MR)
		total += 8;
	words = total / 4;
	*kind = INTACT;
	switch (mangle ? below(40) : 40) {
	case 0: *kind = SHORT; words = 1 + below(total / 4 - 1); strcat(what, " short"); break;
	case 1: *kind = LONG; words = total / 4 + 1 + below(8); strcat(what, " long"); break;
	case 2: *kind = NO_RESP; resp_len = 0; strcat(what, " no-resp"); break;
	case 3:
	case 4:
		if (len < 8)	/* no response pointer in this command */
			break;
		*kind = BAD_RESP;
		/* Read-only memory, or the kernel's */
		buf[1] = below(2) ? ARENA + 9 * MIB : 0xffff888000000000ULL;
		strcat(what, buf[1] >> 63 ? " resp-kernel" : " resp-ro");
		break;
	}
	hdr->command = cmd;
	body_seen = words * 4 - sizeof(*hdr);
	hdr->in_words = (uint16_t)words;
	hdr->out_words = (uint16_t)(resp_len / 4);
	if (resp)
		memset(resp, 0, resp_len);
	ret = write(f.ctx->cmd_fd, buf, words * 4);
	if (ret < 0)
		return errno;
	return ret == (ssize_t)(words * 4) ? 0 : EIO;
}

static uint32_t pick_pd_handle(void)
{
	if (chance(90))
		return f.pd[below(2)]->handle;
	return chance(50) ? (uint32_t)rnd() : 1000 + (uint32_t)below(1000);
}

static void raw_reg(void)
{
	struct ib_uverbs_reg_mr cmd = { 0 };
	struct { struct ib_uverbs_reg_mr_resp r; uint32_t drv[2]; } resp;
	uint64_t addr = pick_addr(), len = pick_reg_len(addr);
	char what[200], a[40];
	int err, kind;

	cmd.response = (uintptr_t)&resp;
	cmd.start = addr;
	cmd.length = len;
	cmd.hca_va = chance(80) ? addr : (chance(50) ? rnd() : (rnd() & ~(PG - 1)) | (addr & (PG - 1)));
	cmd.pd_handle = pick_pd_handle();
	cmd.access_flags = pick_access();
	addr_str(a, sizeof(a), addr);
	snprintf(what, sizeof(what), "REG_MR %s %#llx va=%#llx pd=%s %#x", a,
		 (unsigned long long)len, (unsigned long long)cmd.hca_va,
		 cmd.pd_handle == f.pd[0]->handle ? "pd0" :
		 cmd.pd_handle == f.pd[1]->handle ? "pd1" : "bad", cmd.access_flags);
	err = raw_write(IB_USER_VERBS_CMD_REG_MR, &cmd, sizeof(cmd), &resp,
			sizeof(resp.r) + (f.siw ? 8 : 0), what, true, &kind);
	/* A short command's missing fields are zero to the kernel */
	record(what, err, siw_chunks(body_seen >= 16 ? addr : 0, body_seen >= 24 ? len : 0));
	/* A padded command registers too (the padding is driver data) */
	if (!err && (kind == INTACT || kind == LONG)) {
		f.raw[f.nraw++] = (struct live){ addr, len, NULL, resp.r.mr_handle };
		f.stale = 0;
	}
}

static uint32_t pick_mr_handle(int *idx, char *name, size_t n)
{
	*idx = -1;
	if (f.nraw && chance(85)) {
		*idx = (int)below(f.nraw);
		snprintf(name, n, "#%d", *idx);
		return f.raw[*idx].handle;
	}
	if (f.stale && chance(50)) {
		snprintf(name, n, "stale");
		return f.stale;
	}
	snprintf(name, n, "bad");
	return chance(50) ? ~0U - (uint32_t)below(4) : (1U << 20) + (uint32_t)below(1 << 20);
}

static void raw_dereg(void)
{
	struct ib_uverbs_dereg_mr cmd = { 0 };
	char what[80], h[16];
	int idx, err, kind;

	cmd.mr_handle = pick_mr_handle(&idx, h, sizeof(h));
	snprintf(what, sizeof(what), "DEREG_MR %s", h);
	err = raw_write(IB_USER_VERBS_CMD_DEREG_MR, &cmd, sizeof(cmd), NULL, 0,
			what, true, &kind);
	record(what, err, false);
	if (!err && idx >= 0 && kind != SHORT) {
		f.stale = f.raw[idx].handle;
		f.raw[idx] = f.raw[--f.nraw];
	}
}

static void raw_rereg(void)
{
	struct ib_uverbs_rereg_mr cmd = { 0 };
	struct ib_uverbs_rereg_mr_resp resp;
	uint64_t addr = pick_addr(), len = pick_len(addr);
	char what[220], a[40], h[16];
	int idx, err, kind;

	cmd.response = (uintptr_t)&resp;
	cmd.mr_handle = pick_mr_handle(&idx, h, sizeof(h));
	cmd.flags = (uint32_t)(chance(80) ? below(8) : rnd());
	cmd.start = addr;
	cmd.length = len;
	cmd.hca_va = addr;
	cmd.pd_handle = pick_pd_handle();
	cmd.access_flags = pick_access();
	addr_str(a, sizeof(a), addr);
	snprintf(what, sizeof(what), "REREG_MR %s %#x %s %#llx pd=%s %#x", h, cmd.flags, a,
		 (unsigned long long)len,
		 cmd.pd_handle == f.pd[0]->handle ? "pd0" :
		 cmd.pd_handle == f.pd[1]->handle ? "pd1" : "bad", cmd.access_flags);
	err = raw_write(IB_USER_VERBS_CMD_REREG_MR, &cmd, sizeof(cmd), &resp,
			sizeof(resp), what, true, &kind);
	record(what, err, false);
	if (!err && idx >= 0 && kind != SHORT && (cmd.flags & IBV_REREG_MR_CHANGE_TRANSLATION)) {
		f.raw[idx].addr = addr;
		f.raw[idx].len = len;
	}
}

/* VmPin against the pages of the live MRs; a line in the stream too. */
static void checkpoint(void)
{
	uint64_t pages = 0;
	long kb = vm_pin_kb();

	for (int i = 0; i < f.nverbs; i++)
		pages += pages_of(f.verbs[i].addr, f.verbs[i].len);
	for (int i = 0; i < f.nraw; i++)
		pages += pages_of(f.raw[i].addr, f.raw[i].len);
	if ((uint64_t)kb != pages * 4 && !f.model_bad++)
		printf("# after call %lu: VmPin %ld kB, the %d + %d live MRs %llu kB\n",
		       f.calls, kb, f.nverbs, f.nraw, (unsigned long long)pages * 4);
	fprintf(f.out, "%lu check live=%d+%d vmpin=%ldkB\n", f.calls, f.nverbs, f.nraw, kb);
}

static void open_dev(void)
{
	f.ctx = open_device_named(f.dev);
	if (!f.ctx)
		die(f.dev);
	f.pd[0] = ibv_alloc_pd(f.ctx);
	f.pd[1] = ibv_alloc_pd(f.ctx);
	if (!f.pd[0] || !f.pd[1])
		die("ibv_alloc_pd");
}

static void map_arena(void)
{
	char *a = mmap((void *)ARENA, ARENA_RESERVE, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (a != (char *)ARENA)
		die("the fuzz arena's fixed address");
	if (mmap(a, 8 * MIB, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE, -1, 0) == MAP_FAILED ||
	    mmap(a + 9 * MIB, 2 * MIB, PROT_READ,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE, -1, 0) == MAP_FAILED ||
	    mmap(a + 12 * MIB, 4 * MIB, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE, -1, 0) == MAP_FAILED ||
	    munmap(a + 11 * MIB, MIB) || munmap(a + ARENA_LEN, ARENA_RESERVE - ARENA_LEN))
		die("mmap of the arena");
	/* The same bytes everywhere, so that nothing depends on old contents */
	memset(a, 0x5a, 8 * MIB);
	memset(a + 12 * MIB, 0xa5, 4 * MIB);
}

static void fuzz(unsigned long n)
{
	uint64_t op;

	while (f.calls < n) {
		op = below(100);
		if ((op < 30 && f.nverbs == MAX_LIVE) || (op >= 30 && op < 50 && f.nraw == MAX_LIVE))
			op = op < 30 ? 60 : 80;
		if (op < 30)
			verbs_reg();
		else if (op < 50)
			raw_reg();
		else if (op < 58)
			f.nverbs ? verbs_rereg() : verbs_reg();
		else if (op < 65)
			raw_rereg();
		else if (op < 85)
			f.nverbs ? verbs_dereg() : verbs_reg();
		else
			raw_dereg();
		if (f.calls % 1000 == 0)
			checkpoint();
	}
	/* Deregister what is left, in order; a failure is in the stream */
	while (f.nverbs)
		record("ibv_dereg_mr last", ibv_dereg_mr(f.verbs[--f.nverbs].mr), false);
	while (f.nraw) {
		struct ib_uverbs_dereg_mr cmd = { f.raw[--f.nraw].handle };
		char what[32] = "DEREG_MR last";
		int kind;

		record(what, raw_write(IB_USER_VERBS_CMD_DEREG_MR, &cmd, sizeof(cmd),
				       NULL, 0, what, false, &kind), false);
	}
	checkpoint();
}

static void usage(FILE *to)
{
	fprintf(to, "usage: mr_fuzz [-d DEV] [-s SEED] [-n CALLS] [-o STREAM] [-U MEMLOCK]\n"
		"A differential fuzz of reg_mr/rereg_mr/dereg_mr on DEV (default rxe0): CALLS\n"
		"(default 20000) calls from SEED (default 1), through libibverbs and raw uverbs\n"
		"write(); one line per call in STREAM (default /dev/null).  -U: in a child\n"
		"without root under RLIMIT_MEMLOCK = MEMLOCK bytes.  Prints TAP.\n");
}

int main(int argc, char **argv)
{
	const char *stream = "/dev/null";
	unsigned long n = 20000, memlock = 0;
	struct timespec t0, t1;
	long long pins0;
	int c, pid = -1, code;
	double secs;

	f.rng = 1;
	while ((c = getopt(argc, argv, "d:s:n:o:U:h")) != -1) {
		switch (c) {
		case 'd': f.dev = optarg; break;
		case 's': f.rng = strtoull(optarg, NULL, 0); break;
		case 'n': n = strtoul(optarg, NULL, 0); break;
		case 'o': stream = optarg; break;
		case 'U': memlock = strtoul(optarg, NULL, 0); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || !n) {
		usage(stderr);
		return 2;
	}
	f.siw = !strncmp(f.dev, "siw", 3);
	f.out = fopen(stream, "w");
	if (!f.out)
		die(stream);
	pins0 = pins_held();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (memlock) {
		pid = fork_unprivileged(memlock);
		if (pid) {
			code = child_status(pid);
			tap(!code, "unprivileged: the fuzz ran to its end in the child",
			    "child status %d", code);
		}
	}
	if (pid <= 0) {
		map_arena();
		open_dev();
		fuzz(n);
		ibv_dealloc_pd(f.pd[0]);
		ibv_dealloc_pd(f.pd[1]);
		ibv_close_device(f.ctx);
		fflush(f.out);
		printf("# %lu calls: %lu succeeded, %lu named (siw-chunks);", f.calls, f.ok, f.named);
		for (int e = 1; e < (int)(sizeof(f.errs) / sizeof(f.errs[0])); e++)
			if (f.errs[e])
				printf(" %s %lu", strerrorname_np(e) ?: "?", f.errs[e]);
		printf("\n");
		tap(!f.model_bad, "VmPin always equals the pages of the live MRs",
		    "%lu checkpoints disagreed", f.model_bad);
		tap(vm_pin_kb() == 0, "VmPin is 0 after the last deregistration", "%ld kB", vm_pin_kb());
		if (!pid)
			_exit(tap_failures ? 1 : 0);
	}
	fclose(f.out);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("# %s: %lu calls from seed in %.1f s%s\n", f.dev, n, secs,
	       memlock ? ", unprivileged" : "");
	tap(pins_held() == pins0, "nothing left pinned system-wide afterwards",
	    "%lld pins held", pins_held() - pins0);
	printf("1..%d\n", tap_tests);
	return tap_failures ? 1 : 0;
}
