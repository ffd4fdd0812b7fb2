// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * Helpers of the guest test programs; see guest_util.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest_util.h"

int tap_tests, tap_failures;

bool tap(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - %s\n", ok ? "ok" : "not ok", ++tap_tests, name);
	if (!ok) {
		tap_failures++;
		printf("# ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
	}
	fflush(stdout);
	return ok;
}

void die(const char *what)
{
	printf("Bail out! %s: %s\n", what, strerror(errno));
	exit(2);
}

void write_file(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(val, f) < 0 || fclose(f))
		die(path);
}

long long pins_held(void)
{
	long long acq = -1, rel = -1, v;
	char name[64];
	FILE *f;

	/* Fold the per-cpu deltas in first: /proc/vmstat shows only totals */
	write_file("/proc/sys/vm/stat_refresh", "1");
	f = fopen("/proc/vmstat", "r");
	if (!f)
		die("/proc/vmstat");
	while (fscanf(f, "%63s %lld", name, &v) == 2) {
		if (!strcmp(name, "nr_foll_pin_acquired"))
			acq = v;
		else if (!strcmp(name, "nr_foll_pin_released"))
			rel = v;
	}
	fclose(f);
	if (acq < 0 || rel < 0) {
		errno = ENOENT;
		die("pin counters in /proc/vmstat");
	}
	return acq - rel;
}

long vm_pin_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[128];
	long v = -1;

	if (!f)
		die("/proc/self/status");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPin: %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

size_t parse_size(const char *s)
{
	char *end;
	size_t v = strtoull(s, &end, 0);

	switch (*end) {
	case 'G': v <<= 10; /* fall through */
	case 'M': v <<= 10; /* fall through */
	case 'K': v <<= 10; end++; break;
	case 0: break;
	default: return 0;
	}
	return *end ? 0 : v;
}

int fork_unprivileged(unsigned long memlock)
{
	struct rlimit lim = { memlock, memlock };
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid && (setrlimit(RLIMIT_MEMLOCK, &lim) || setgid(65534) ||
		     setuid(65534)))
		_exit(10);
	return pid;
}

int child_status(int pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int fail_nth_open(void)
{
	int fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -1;
	/* By default both skip allocations that may sleep: the ones we want */
	write_file("/sys/kernel/debug/failslab/ignore-gfp-wait", "N");
	write_file("/sys/kernel/debug/failslab/verbose", "0");
	write_file("/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N");
	write_file("/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N");
	write_file("/sys/kernel/debug/fail_page_alloc/min-order", "0");
	write_file("/sys/kernel/debug/fail_page_alloc/verbose", "0");
	return fd;
}

void fail_nth_arm(int fd, int n)
{
	char nth[32];

	snprintf(nth, sizeof(nth), "%d", n);
	if (pwrite(fd, nth, strlen(nth), 0) < 0)
		die("writing fail-nth");
}

bool fail_nth_disarm(int fd)
{
	char nth[32];
	ssize_t r = pread(fd, nth, sizeof(nth) - 1, 0);

	if (r < 0 || pwrite(fd, "0", 1, 0) < 0)
		die("fail-nth");
	nth[r] = 0;
	/* 0: the armed fault was injected; otherwise the countdown is left */
	return atoi(nth) == 0;
}
