// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * The interposer of a preload library (interpose.h): libibverbs' MR
 * registrations under libibverbs' own symbol versions (interpose.map), a
 * footprint query of each new MR, a note at its deregistration, and the
 * list handed to the sink at exit.
 *
 * libibverbs' ibv_reg_mr() itself calls ibv_reg_mr_iova2(): a thread-local
 * depth counts an MR at the outermost interposed call only.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <infiniband/verbs.h>
#include "interpose.h"

/* verbs.h wraps these two in macros */
#undef ibv_reg_mr
#undef ibv_reg_mr_iova

#define EXPORT	__attribute__((visibility("default")))

struct node {
	struct node *next;
	struct ibv_mr *mr;	/* while registered */
	struct ibphyr_mr_rec m;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct node *head, **tail = &head;
static size_t count;
static uint32_t seq;
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
	count = 0;
}

static void record(struct ibv_mr *mr, unsigned int fn, uint64_t addr,
		   uint64_t length)
{
	struct node *n;

	if (!enabled || !mr)
		return;
	n = calloc(1, sizeof(*n));
	if (!n)
		return;
	n->mr = mr;
	n->m.addr = addr;
	n->m.r.pid = (uint32_t)getpid();
	n->m.r.fn = fn;
	n->m.r.length = length;
	n->m.r.err = ibphyr_query_mr(mr, &n->m.r.fp);
	if (ibphyr_sink.reg)
		ibphyr_sink.reg(mr, &n->m);
	pthread_mutex_lock(&lock);
	n->m.r.seq = seq++;
	*tail = n;
	tail = &n->next;
	count++;
	pthread_mutex_unlock(&lock);
}

/*
 * After an interposed registration: the MR is recorded by the outermost
 * one (depth was raised before the call into libibverbs).
 */
static struct ibv_mr *registered(struct ibv_mr *mr, unsigned int fn,
				 uint64_t addr, uint64_t length)
{
	if (!--depth)
		record(mr, fn, addr, length);
	return mr;
}

/* The default version, IBVERBS_1.1 */
__attribute__((symver("ibv_reg_mr@@IBVERBS_1.1"))) EXPORT
struct ibv_mr *ibphyr_rep_reg_mr(struct ibv_pd *pd, void *addr, size_t length,
				 int access)
{
	static struct ibv_mr *(*fn)(struct ibv_pd *, void *, size_t, int);

	REAL(fn, "ibv_reg_mr", "IBVERBS_1.1");
	depth++;
	return registered(fn(pd, addr, length, access), IBPHYR_FN_REG_MR,
			  (uintptr_t)addr, length);
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

	REAL(fn, "ibv_reg_mr_iova", "IBVERBS_1.7");
	depth++;
	return registered(fn(pd, addr, length, iova, access),
			  IBPHYR_FN_REG_MR_IOVA, (uintptr_t)addr, length);
}

EXPORT struct ibv_mr *ibv_reg_mr_iova2(struct ibv_pd *pd, void *addr,
				       size_t length, uint64_t iova,
				       unsigned int access)
{
	static struct ibv_mr *(*fn)(struct ibv_pd *, void *, size_t, uint64_t,
				    unsigned int);

	REAL(fn, "ibv_reg_mr_iova2", "IBVERBS_1.8");
	depth++;
	return registered(fn(pd, addr, length, iova, access),
			  IBPHYR_FN_REG_MR_IOVA2, (uintptr_t)addr, length);
}

EXPORT struct ibv_mr *ibv_reg_dmabuf_mr(struct ibv_pd *pd, uint64_t offset,
					size_t length, uint64_t iova, int fd,
					int access)
{
	static struct ibv_mr *(*fn)(struct ibv_pd *, uint64_t, size_t, uint64_t,
				    int, int);

	REAL(fn, "ibv_reg_dmabuf_mr", "IBVERBS_1.12");
	depth++;
	return registered(fn(pd, offset, length, iova, fd, access),
			  IBPHYR_FN_REG_DMABUF_MR, iova, length);
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
			n->m.r.dereg = 1;
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

__attribute__((constructor)) static void interpose_init(void)
{
	if (!ibphyr_sink.init())
		return;
	enabled = !pthread_atfork(fork_prepare, fork_parent, fork_child);
}

__attribute__((destructor)) static void interpose_fini(void)
{
	struct ibphyr_mr_rec *v = NULL;
	unsigned int tries = 0;
	struct node *n;
	size_t nr = 0;

	if (!enabled)
		return;
	/*
	 * Another thread holds the lock for a few instructions at most; this
	 * one would only if exit() came from a signal handler that interrupted
	 * it there: then no report rather than a hang.
	 */
	while (pthread_mutex_trylock(&lock)) {
		if (++tries > 200)
			return;
		usleep(1000);
	}
	if (count)
		v = malloc(count * sizeof(*v));
	for (n = head; v && n; n = n->next)
		v[nr++] = n->m;
	free_all();
	enabled = false;
	pthread_mutex_unlock(&lock);
	if (nr)
		ibphyr_sink.fini(v, nr);
	free(v);
}
