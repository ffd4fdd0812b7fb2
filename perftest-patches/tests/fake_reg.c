// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * The host tests' stand-in for a perftest binary, linked against
 * libfakeverbs.so: it registers MRs as MODE says, prints a last line of
 * its own and ends as MODE says.
 *   fake_reg none|two|exit|_exit|fork|orphan [ARGS...]
 * ARGS are for the preload library, which reads them from the command line.
 *   none   no MR
 *   two    4 pages through ibv_reg_mr(), deregistered, and 1 MiB at an
 *          offset of 100 bytes into a page through ibv_reg_mr_iova2(), kept;
 *          then returns from main()
 *   exit   1 page, then exit(3) from a function
 *   _exit  1 page, then _exit(4)
 *   fork   two's MRs, then a child that registers 1 page and returns; the
 *          parent waits for it and returns
 *   orphan two's MRs, then a child that writes its pid to the file ARGS
 *          names, waits for the parent to end, registers 1 page and
 *          returns; the parent returns at once
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <infiniband/verbs.h>

static struct ibv_device dev = { .name = "fake0" };
static struct ibv_context ctx = { .device = &dev, .cmd_fd = -1 };
static struct ibv_pd pd = { .context = &ctx };
static size_t page;

static void *buf(size_t size)
{
	void *p = aligned_alloc(page, (size + page - 1) / page * page);

	if (!p) {
		perror("fake_reg: aligned_alloc");
		exit(1);
	}
	return p;
}

static struct ibv_mr *reg(void *addr, size_t length, int iova2)
{
	struct ibv_mr *mr = iova2 ?
		ibv_reg_mr_iova2(&pd, addr, length, (uintptr_t)addr,
				 IBV_ACCESS_LOCAL_WRITE) :
		ibv_reg_mr(&pd, addr, length, IBV_ACCESS_LOCAL_WRITE);

	if (!mr) {
		fprintf(stderr, "fake_reg: no MR\n");
		exit(1);
	}
	return mr;
}

static void two(void)
{
	ibv_dereg_mr(reg(buf(4 * page), 4 * page, 0));
	reg((char *)buf((1 << 20) + page) + 100, 1 << 20, 1);
}

/* two(), then fork(): 0 in the child */
static pid_t two_then_fork(void)
{
	pid_t child;

	two();
	fflush(stdout);
	child = fork();
	if (child < 0) {
		perror("fake_reg: fork");
		exit(1);
	}
	return child;
}

/* The child of "orphan": its pid in @path, then it outlives its parent */
static int orphan(const char *path)
{
	pid_t parent = getppid();
	FILE *f = fopen(path, "w");
	int i;

	if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f)) {
		perror("fake_reg: pid file");
		return 1;
	}
	for (i = 0; i < 1000 && getppid() == parent; i++)
		usleep(10000);
	reg(buf(page), page, 1);
	printf("fake_reg: child's end of report\n");
	return 0;
}

static void leave(int status)
{
	printf("fake_reg: end of report\n");
	exit(status);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	pid_t child;
	int status;

	page = (size_t)sysconf(_SC_PAGESIZE);
	if (!strcmp(mode, "two")) {
		two();
	} else if (!strcmp(mode, "exit")) {
		reg(buf(page), page, 0);
		leave(3);
	} else if (!strcmp(mode, "_exit")) {
		reg(buf(page), page, 0);
		printf("fake_reg: end of report\n");
		fflush(stdout);
		_exit(4);
	} else if (!strcmp(mode, "fork")) {
		child = two_then_fork();
		if (!child) {
			reg(buf(page), page, 1);
			printf("fake_reg: child's end of report\n");
			return 0;
		}
		if (waitpid(child, &status, 0) != child || status) {
			fprintf(stderr, "fake_reg: child status %d\n", status);
			return 1;
		}
	} else if (!strcmp(mode, "orphan") && argc > 2) {
		if (!two_then_fork())
			return orphan(argv[2]);
	} else if (strcmp(mode, "none")) {
		fprintf(stderr, "usage: fake_reg none|two|exit|_exit|fork|orphan [ARGS...]\n");
		return 2;
	}
	printf("fake_reg: end of report\n");
	return 0;
}
