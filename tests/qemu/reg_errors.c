// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * reg_errors: the error paths of ibv_reg_mr on rxe (or -d DEV: siw0).  Each bad registration
 * must fail with the errno the stock kernel gives (the same table runs on
 * stock, which is how the table is known to be stock's) and leave nothing
 * pinned: the kernel's pin counters (nr_foll_pin_acquired/released in
 * /proc/vmstat, folded first) must have moved equally and VmPin must be 0.
 *
 * Where the kernel has /proc/thread-self/fail-nth (the debug kernel), the
 * n-th fault-injection point of one registration is failed, n = 1, 2, ...
 * until a registration passes untouched: each must fail cleanly (ENOMEM)
 * or succeed, and leave no pin; kmemleak, scanned after the guest job,
 * finds leaked memory.  Prints TAP.  Needs root and the device.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <infiniband/verbs.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest_util.h"
#include "guest_verbs.h"

#define PG	4096UL
#define ACCESS	(IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | \
		 IBV_ACCESS_REMOTE_READ)

static struct ibv_pd *open_pd(const char *dev)
{
	struct ibv_context *ctx = open_device_named(dev);
	struct ibv_pd *pd;

	if (!ctx)
		die(dev);
	pd = ibv_alloc_pd(ctx);
	if (!pd)
		die("ibv_alloc_pd");
	return pd;
}

/* Register and expect @want; nothing may stay pinned afterwards. */
static void expect_errno(struct ibv_pd *pd, const char *name, void *addr,
			 size_t len, int access, int want)
{
	long long before = pins_held();
	struct ibv_mr *mr;
	char title[160];
	int err;

	errno = 0;
	mr = ibv_reg_mr(pd, addr, len, access);
	err = mr ? 0 : errno;
	if (mr)
		ibv_dereg_mr(mr);
	snprintf(title, sizeof(title), "ibv_reg_mr: %s gives %s", name,
		 strerrorname_np(want));
	tap(err == want, title, "got %s", err ? strerrorname_np(err) : "success");
	snprintf(title, sizeof(title), "  %s: nothing left pinned or charged", name);
	tap(pins_held() == before && vm_pin_kb() == 0, title,
	    "%lld pins left, VmPin %ld kB", pins_held() - before, vm_pin_kb());
}

/*
 * RLIMIT_MEMLOCK, in a child that gives up root (and CAP_IPC_LOCK): over
 * the limit is ENOMEM, a limit of 0 is EPERM.  The child reports which
 * step failed through its exit status.
 */
static void test_memlock(struct ibv_pd *pd, char *buf)
{
	struct rlimit lim = { 64 * 1024, 64 * 1024 };
	struct ibv_mr *mr;
	int code;
	pid_t pid;

	pid = fork_unprivileged(64 * 1024);
	if (!pid) {
		mr = ibv_reg_mr(pd, buf, 32 * 1024, ACCESS);
		if (!mr)
			_exit(11);
		if (ibv_reg_mr(pd, buf, 64 * 1024, ACCESS) || errno != ENOMEM)
			_exit(12);
		if (vm_pin_kb() != 32 || ibv_dereg_mr(mr) || vm_pin_kb() != 0)
			_exit(13);
		lim.rlim_cur = 0;
		if (setrlimit(RLIMIT_MEMLOCK, &lim))
			_exit(14);
		if (ibv_reg_mr(pd, buf, PG, ACCESS) || errno != EPERM)
			_exit(15);
		_exit(0);
	}
	code = child_status(pid);
	tap(!code, "ibv_reg_mr: RLIMIT_MEMLOCK exceeded gives ENOMEM and charges nothing, limit 0 gives EPERM",
	    "child step %d failed (see test_memlock)", code);
}

/* Fail each fault-injection point of one registration in turn. */
static void test_faults(struct ibv_pd *pd, char *buf, size_t len)
{
	size_t runs = 0, failed = 0, odd = 0, unclean = 0;
	int nfd = fail_nth_open();
	bool injected = true;
	struct ibv_mr *mr;
	long long base;
	int n, err;

	if (nfd < 0)
		return;		/* stock and phyr kernels: no fault injection */
	for (n = 1; injected && n < 10000; n++) {
		base = pins_held();
		fail_nth_arm(nfd, n);
		errno = 0;
		mr = ibv_reg_mr(pd, buf, len, ACCESS);
		err = mr ? 0 : errno;
		injected = fail_nth_disarm(nfd);
		runs++;
		if (mr && ibv_dereg_mr(mr))
			die("ibv_dereg_mr");
		if (err) {
			failed++;
			if (err != ENOMEM && !odd++)
				printf("# n=%d: %s\n", n, strerrorname_np(err));
		}
		if (pins_held() != base || vm_pin_kb()) {
			unclean++;
			printf("# n=%d: %lld pins, VmPin %ld kB left\n", n,
			       pins_held() - base, vm_pin_kb());
		}
	}
	close(nfd);
	printf("# %zu registrations, %zu failed by an injected fault\n", runs, failed);
	tap(!injected && runs > 1, "fault injection reached the end of ibv_reg_mr",
	    "stopped after %zu runs", runs);
	tap(!odd, "  every injected failure gives ENOMEM", "%zu gave another errno", odd);
	tap(!unclean, "  every injected failure left no pin and no charge",
	    "%zu runs left pins behind", unclean);
}

int main(int argc, char **argv)
{
	size_t len = 1 << 20;
	struct ibv_pd *pd;
	char *rw, *ro, *hole;

	const char *dev = "rxe0";

	if (argc == 3 && !strcmp(argv[1], "-d")) {
		dev = argv[2];
	} else if (argc > 1) {
		fprintf(argc == 2 && !strcmp(argv[1], "--help") ? stdout : stderr,
			"usage: reg_errors [-d DEV]\nibv_reg_mr error paths on DEV (default rxe0); prints TAP.\n");
		return argc == 2 && !strcmp(argv[1], "--help") ? 0 : 2;
	}
	pd = open_pd(dev);
	rw = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ro = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	hole = mmap(NULL, 2 * len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (rw == MAP_FAILED || ro == MAP_FAILED || hole == MAP_FAILED)
		die("mmap");
	munmap(hole + len, len);

	expect_errno(pd, "an unmapped range", hole + len, PG, ACCESS, EFAULT);
	expect_errno(pd, "a range whose second half is unmapped", hole, 2 * len, ACCESS, EFAULT);
	expect_errno(pd, "a read-only mapping registered for writing", ro, len, ACCESS, EFAULT);
	expect_errno(pd, "a range that wraps the address space",
		     (void *)(UINTPTR_MAX & ~(PG - 1)), 2 * PG, ACCESS, EINVAL);
	test_memlock(pd, rw);
	test_faults(pd, rw, len);

	munmap(rw, len);
	munmap(ro, len);
	munmap(hole, len);
	ibv_dealloc_pd(pd);
	printf("1..%d\n", tap_tests);
	return tap_failures ? 1 : 0;
}
