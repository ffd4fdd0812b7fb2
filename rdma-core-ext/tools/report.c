// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * libibphyr-report.so: preloaded by `ibphyr run`, it interposes libibverbs'
 * MR registrations, queries each new MR's footprint and, when the process
 * exits, appends one record per MR to $IBPHYR_REPORT_FILE.
 *
 * libibverbs' ibv_reg_mr() itself calls ibv_reg_mr_iova2(): a thread-local
 * depth counts an MR at the outermost interposed call only.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <infiniband/verbs.h>
#include "record.h"

/* verbs.h wraps these two in macros */
#undef ibv_reg_mr
#undef ibv_reg_mr_iova

#define EXPORT	__attribute__((visibility("default")))

struct node {
	struct node *next;
	struct ibv_mr *mr;	/* while registered */
	struct ibphyr_record r;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct node *head, **tail = &head;
static uint32_t seq;
static char path[PATH_MAX];
static bool enabled;
static __thread unsigned int depth;

static void *real(const char *name, const char *version)
{
	void *f = dlvsym(RTLD_NEXT, name, version);

	return f ? f : dlsym(RTLD_NEXT, name);
}

#define REAL(var, name, version)					\
	do {								\
		if (!var)						\
			var = real(name, version);			\
		if (!var) {						\
			errno = ENOSYS;					\
			return NULL;					\
		}							\
	} while (0)

static void free_all(void)
{
	struct node *n = head, *next;

	for (; n; n = next) {
		next = n->next;
		free(n);
	}
	head = NULL;
	tail = &head;
}

static void record(struct ibv_mr *mr, unsigned int fn, uint64_t length)
{
	struct node *n;

	if (!enabled || !mr)
		return;
	n = calloc(1, sizeof(*n));
	if (!n)
		return;
	n->mr = mr;
	n->r.pid = (uint32_t)getpid();
	n->r.fn = fn;
	n->r.length = length;
	n->r.err = ibphyr_query_mr(mr, &n->r.fp);
	pthread_mutex_lock(&lock);
	n->r.seq = seq++;
	*tail = n;
	tail = &n->next;
	pthread_mutex_unlock(&lock);
}

/* The default version, IBVERBS_1.1 */
__attribute__((symver("ibv_reg_mr@@IBVERBS_1.1"))) EXPORT
struct ibv_mr *ibphyr_rep_reg_mr(struct ibv_pd *pd, void *addr, size_t length,
				 int access)
{
	static struct ibv_mr *(*fn)(struct ibv_pd *, void *, size_t, int);
	struct ibv_mr *mr;

	REAL(fn, "ibv_reg_mr", "IBVERBS_1.1");
	depth++;
	mr = fn(pd, addr, length, access);
	depth--;
	if (!depth)
		record(mr, IBPHYR_FN_REG_MR, length);
	return mr;
}

/*
 * The IBVERBS_1.0 compatibility ABI has its own structs: passed through,
 * the MR it registers underneath is counted if it calls an interposed entry.
 */
__attribute__((symver("ibv_reg_mr@IBVERBS_1.0"))) EXPORT
void *ibphyr_rep_reg_mr_1_0(void *pd, void *addr, size_t length, int access)
{
	static void *(*fn)(void *, void *, size_t, int);

	REAL(fn, "ibv_reg_mr", "IBVERBS_1.0");
	return fn(pd, addr, length, access);
}

EXPORT struct ibv_mr *ibv_reg_mr_iova(struct ibv_pd *pd, void *addr,
				      size_t length, uint64_t iova, int access)
{
	static struct ibv_mr *(*fn)(struct ibv_pd *, void *, size_t, uint64_t, int);
	struct ibv_mr *mr;

	REAL(fn, "ibv_reg_mr_iova", "IBVERBS_1.7");
	depth++;
	mr = fn(pd, addr, length, iova, access);
	depth--;
	if (!depth)
		record(mr, IBPHYR_FN_REG_MR_IOVA, length);
	return mr;
}

EXPORT struct ibv_mr *ibv_reg_mr_iova2(struct ibv_pd *pd, void *addr,
				       size_t length, uint64_t iova,
				       unsigned int access)
{
	static struct ibv_mr *(*fn)(struct ibv_pd *, void *, size_t, uint64_t,
				    unsigned int);
	struct ibv_mr *mr;

	REAL(fn, "ibv_reg_mr_iova2", "IBVERBS_1.8");
	depth++;
	mr = fn(pd, addr, length, iova, access);
	depth--;
	if (!depth)
		record(mr, IBPHYR_FN_REG_MR_IOVA2, length);
	return mr;
}

EXPORT struct ibv_mr *ibv_reg_dmabuf_mr(struct ibv_pd *pd, uint64_t offset,
					size_t length, uint64_t iova, int fd,
					int access)
{
	static struct ibv_mr *(*fn)(struct ibv_pd *, uint64_t, size_t, uint64_t,
				    int, int);
	struct ibv_mr *mr;

	REAL(fn, "ibv_reg_dmabuf_mr", "IBVERBS_1.12");
	depth++;
	mr = fn(pd, offset, length, iova, fd, access);
	depth--;
	if (!depth)
		record(mr, IBPHYR_FN_REG_DMABUF_MR, length);
	return mr;
}

EXPORT int ibv_dereg_mr(struct ibv_mr *mr)
{
	static int (*fn)(struct ibv_mr *);
	struct node *n;
	int ret;

	if (!fn)
		fn = (int (*)(struct ibv_mr *))real("ibv_dereg_mr", "IBVERBS_1.1");
	if (!fn)
		return ENOSYS;
	ret = fn(mr);
	if (ret || !enabled)
		return ret;
	pthread_mutex_lock(&lock);
	for (n = head; n; n = n->next)
		if (n->mr == mr) {
			n->mr = NULL;
			n->r.dereg = 1;
			break;
		}
	pthread_mutex_unlock(&lock);
	return ret;
}

static void fork_prepare(void)
{
	pthread_mutex_lock(&lock);
}

static void fork_parent(void)
{
	pthread_mutex_unlock(&lock);
}

/* The parent's MRs are the parent's to report */
static void fork_child(void)
{
	pthread_mutex_unlock(&lock);
	free_all();
	seq = 0;
}

__attribute__((constructor)) static void report_init(void)
{
	const char *p = getenv(IBPHYR_ENV_REPORT_FILE);

	if (!p || !*p || strlen(p) >= sizeof(path))
		return;
	strcpy(path, p);
	enabled = !pthread_atfork(fork_prepare, fork_parent, fork_child);
}

__attribute__((destructor)) static void report_fini(void)
{
	size_t len = 0, cap = 0;
	char *buf = NULL;
	struct node *n;
	int fd;

	if (!enabled)
		return;
	pthread_mutex_lock(&lock);
	for (n = head; n; n = n->next)
		cap += IBPHYR_RECORD_MAX;
	if (cap)
		buf = malloc(cap);
	for (n = head; buf && n; n = n->next) {
		int k = ibphyr_record_format(buf + len, cap - len, &n->r);

		if (k > 0)
			len += (size_t)k;
	}
	free_all();
	enabled = false;
	pthread_mutex_unlock(&lock);
	if (!len) {
		free(buf);
		return;
	}
	/* One write per process: the command's processes share the file */
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd >= 0) {
		size_t off = 0;

		while (off < len) {
			ssize_t k = write(fd, buf + off, len - off);

			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				break;
			off += (size_t)k;
		}
		close(fd);
	}
	free(buf);
}
