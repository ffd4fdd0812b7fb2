/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * What the guest test programs (phyr_dma_test, reg_errors) share: TAP
 * output, the kernel's pin accounting, fail-nth fault injection and size
 * arguments.
 */
#ifndef PHYR_GUEST_UTIL_H
#define PHYR_GUEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>

extern int tap_tests, tap_failures;

/* One TAP line; when @ok is false, the reason in @fmt as a diagnostic. */
bool tap(bool ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Bail out of the TAP stream on a setup error: exit status 2. */
void die(const char *what) __attribute__((noreturn));
void write_file(const char *path, const char *val);

/* Pins held system-wide: nr_foll_pin_acquired - nr_foll_pin_released. */
long long pins_held(void);
/* VmPin of this process in kB (mm->pinned_vm). */
long vm_pin_kb(void);

/* @s in bytes, with an optional K, M or G suffix; 0 if it is not a size. */
size_t parse_size(const char *s);

/*
 * Fork a child that runs without root (so without CAP_IPC_LOCK) under
 * RLIMIT_MEMLOCK = @memlock bytes; returns 0 in the child (which exits 10
 * if it cannot drop privileges), the pid in the parent.  child_status()
 * waits for it: its exit status, -1 if it did not exit.
 */
int fork_unprivileged(unsigned long memlock);
int child_status(int pid);

/*
 * Fault injection through /proc/thread-self/fail-nth: fail_nth_open()
 * returns its fd (-1 if the kernel has none) and makes failslab and
 * fail_page_alloc apply to sleeping allocations, quietly.  fail_nth_arm()
 * fails the n-th fault point from now on; fail_nth_disarm() says whether a
 * fault was injected since.
 */
int fail_nth_open(void);
void fail_nth_arm(int fd, int n);
bool fail_nth_disarm(int fd);

#endif /* PHYR_GUEST_UTIL_H */
