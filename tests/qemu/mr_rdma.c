// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * mr_rdma: register memory with ibv_reg_mr on one Soft-RoCE device and move
 * data into and out of it with RDMA WRITE and READ from a second device, then
 * check that the bytes landed intact at the first, a middle and the last byte
 * of the MR, and that nothing beside them changed.
 *
 * With -l LAYOUT -s SIZE, one MR of SIZE bytes over a buffer of that physical
 * layout (bench/layout.c, checked through pagemap) instead: -n random RDMA
 * WRITEs, each read back with RDMA READ, and atomic fetch-and-adds, at
 * random offsets across the whole MR; each checked with guard bytes around
 * it.  For MRs larger than a shadow copy could hold.
 *
 * With -u -l LAYOUT, the MR outlives what the process does to the mapping
 * under it: for munmap, mremap to another address and MADV_DONTNEED of a
 * registered 4 MiB buffer, RDMA READ of the whole MR returns what it held
 * (the pinned pages, not what the address maps now), an RDMA WRITE of the
 * whole MR reads back, after mremap the process sees that WRITE at the new
 * address and its own writes there reach the MR (the same pages), after
 * MADV_DONTNEED the address reads fresh zeroes; deregistering gives every
 * pin back (nr_foll_pin_acquired - nr_foll_pin_released in /proc/vmstat,
 * so needs root).  What stock does; under KASAN a freed page touched
 * would report.  LAYOUT is contig or thp: a buffer mremap moves whole.
 *
 * With -f, fork() with registered MRs: the process forks with a registered
 * 4 MiB buffer, the child writes its own pattern into the buffer (or, with
 * MADV_DONTFORK on it, finds no mapping there: SIGSEGV), and the MR keeps
 * the parent's pages: RDMA READ returns the parent's bytes, the parent's
 * writes after the fork reach the MR.  Then one thread registers and
 * deregisters MRs while another forks children.  -F calls ibv_fork_init()
 * first, after which every MR is MADV_DONTFORK too; the TAP output says
 * what ibv_is_fork_initialized() reports (IBV_FORK_UNNEEDED, 2, on 6.12
 * with or without it).
 *
 * With -k DIR, file-backed memory: MRs over a tmpfs file (MAP_SHARED and
 * MAP_PRIVATE), a memfd (and one sealed against writes: read-only MRs
 * only), and a file in DIR, on a filesystem whose shared mappings are
 * dirty-tracked (page_mkwrite: 9p with cache=mmap, ext4): MAP_SHARED there
 * takes read-only MRs and refuses writable ones with EFAULT (GUP will not
 * pin such pages long-term for writing), as stock does; MAP_PRIVATE takes
 * both (the pages are the process's copies).
 * Where an MR registers, RDMA WRITE lands where the mapping shows it (and
 * in the file exactly for MAP_SHARED) and RDMA READ returns it.
 *
 * With -S THREADS -n CYCLES, concurrency: THREADS threads each register
 * and deregister CYCLES MRs of random sizes (4 KiB to 64 MiB, powers of
 * two, at random page offsets of a 64 MiB buffer of their own: THP for
 * even threads, 4 KiB pages for odd ones) on DEV b's PD, while another
 * thread moves random RDMA WRITE/READ pairs through two other MRs of the
 * same PDs and checks every byte.  Every registration must succeed, every
 * transfer land, and every pin come back.
 *
 * Runs in the test guest between rxe0 and rxe1 (ci/guest-setup.sh), their
 * QPs connected by their GIDs, or with -c ADDR between two QPs that rdma_cm
 * connects over the device owning ADDR (siw0: -c 10.0.9.1), and
 * prints TAP, one line per check.  A device without atomics (siw) skips the
 * atomics, saying so.  Exit status: 0 if every check passed, 1 if one
 * failed, 2 on a setup error (no device, a verbs call failed).
 */
#define _GNU_SOURCE	/* mremap() */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <infiniband/verbs.h>
#include <pthread.h>
#include <rdma/rdma_cma.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest_util.h"
#include "layout.h"

/* One end of the connection: a device, its PD, CQ and RC QP. */
struct end {
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	struct ibv_cq *cq;
	struct ibv_qp *qp;
	union ibv_gid gid;
	struct rdma_cm_id *id;	/* -c: the connection's, which owns ctx */
};

/* Does the device do atomics?  siw does not (atomic_cap 0). */
static int has_atomics;
/*
 * iWARP completes an RDMA WRITE at the requester once the data is sent, not
 * once it is placed: a READ after it on the same QP is answered only after
 * the WRITE landed, so the checks wait for one.
 */
static int iwarp;

#define CHUNK 64	/* bytes moved by each RDMA operation */

/* What every MR of the tests allows */
static const int mr_access = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE |
			     IBV_ACCESS_REMOTE_READ;

static int tap_count;
static int tap_failed;

static void __attribute__((format(printf, 2, 3))) report(int ok, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	if (!ok)
		tap_failed++;
	printf("%sok %d - ", ok ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void setup_error(const char *what)
{
	fprintf(stderr, "mr_rdma: %s: %s\n", what, strerror(errno ? errno : EIO));
}

static struct ibv_context *open_device(const char *name)
{
	struct ibv_device **list = ibv_get_device_list(NULL);
	struct ibv_context *ctx = NULL;

	if (!list)
		return NULL;
	for (int i = 0; list[i]; i++)
		if (!strcmp(ibv_get_device_name(list[i]), name))
			ctx = ibv_open_device(list[i]);
	ibv_free_device_list(list);
	if (!ctx)
		errno = ENODEV;
	return ctx;
}

/* PD, CQ and RC QP on @e->ctx; through rdma_cm when @e->id is set. */
static int end_setup(struct end *e)
{
	struct ibv_qp_init_attr qpa = {
		.qp_type = IBV_QPT_RC,
		.cap = { .max_send_wr = 4, .max_recv_wr = 1,
			 .max_send_sge = 1, .max_recv_sge = 1 },
	};
	struct ibv_device_attr attr;

	if (ibv_query_device(e->ctx, &attr))
		return -1;
	has_atomics = attr.atomic_cap != IBV_ATOMIC_NONE;
	iwarp = e->ctx->device->transport_type == IBV_TRANSPORT_IWARP;
	e->pd = ibv_alloc_pd(e->ctx);
	if (!e->pd)
		return -1;
	e->cq = ibv_create_cq(e->ctx, 8, NULL, NULL, 0);
	if (!e->cq)
		return -1;
	qpa.send_cq = e->cq;
	qpa.recv_cq = e->cq;
	if (e->id) {
		if (rdma_create_qp(e->id, e->pd, &qpa))
			return -1;
		e->qp = e->id->qp;
		return 0;
	}
	e->qp = ibv_create_qp(e->pd, &qpa);
	if (!e->qp)
		return -1;
	return ibv_query_gid(e->ctx, 1, 0, &e->gid) ? -1 : 0;
}

static int end_open(struct end *e, const char *name)
{
	e->ctx = open_device(name);
	return e->ctx ? end_setup(e) : -1;
}

static void end_close(struct end *e)
{
	if (e->id && e->qp)
		rdma_destroy_qp(e->id);
	else if (e->qp)
		ibv_destroy_qp(e->qp);
	if (e->cq)
		ibv_destroy_cq(e->cq);
	if (e->pd)
		ibv_dealloc_pd(e->pd);
	if (e->id)
		rdma_destroy_id(e->id);
	else if (e->ctx)
		ibv_close_device(e->ctx);
}

/* -c: the passive side, on its own thread, as rdma_cm's synchronous calls
 * block until the other side answers. */
struct cm_server {
	struct rdma_cm_id *listen;
	struct end *end;
	int ret;
};

static const struct rdma_conn_param conn_param = {
	.responder_resources = 1, .initiator_depth = 1,
	.retry_count = 7, .rnr_retry_count = 7,
};

static void *cm_accept(void *arg)
{
	struct cm_server *s = arg;

	s->ret = -1;
	if (rdma_get_request(s->listen, &s->end->id))
		return NULL;
	s->end->ctx = s->end->id->verbs;
	if (end_setup(s->end) || rdma_accept(s->end->id, (struct rdma_conn_param *)&conn_param))
		return NULL;
	s->ret = 0;
	return NULL;
}

/* Connect @a (active) and @b (passive) through rdma_cm at @addr. */
static int cm_connect(struct end *a, struct end *b, const char *addr)
{
	struct rdma_addrinfo hints = { .ai_port_space = RDMA_PS_TCP }, *res = NULL;
	struct cm_server s = { .end = b };
	char port[8];
	pthread_t t;
	int ret = -1;

	hints.ai_flags = RAI_PASSIVE;
	if (rdma_getaddrinfo(addr, "0", &hints, &res) ||
	    rdma_create_ep(&s.listen, res, NULL, NULL) || rdma_listen(s.listen, 1))
		goto out;
	snprintf(port, sizeof(port), "%u", ntohs(rdma_get_src_port(s.listen)));
	rdma_freeaddrinfo(res);
	res = NULL;
	if (pthread_create(&t, NULL, cm_accept, &s))
		goto out;
	hints.ai_flags = 0;
	if (!rdma_getaddrinfo(addr, port, &hints, &res) &&
	    !rdma_create_ep(&a->id, res, NULL, NULL)) {
		a->ctx = a->id->verbs;
		if (!end_setup(a))
			ret = rdma_connect(a->id, (struct rdma_conn_param *)&conn_param);
	}
	/*
	 * A connect that failed leaves the server waiting for a request that
	 * never comes: return, and the program exits with a setup error.
	 */
	if (ret)
		return -1;
	pthread_join(t, NULL);
	if (s.ret)
		ret = -1;
out:
	if (res)
		rdma_freeaddrinfo(res);
	if (s.listen)
		rdma_destroy_id(s.listen);
	return ret;
}

/* Walk the QP of @e through INIT, RTR and RTS towards @peer. */
static int end_connect(struct end *e, const struct end *peer)
{
	struct ibv_qp_attr a = {
		.qp_state = IBV_QPS_INIT,
		.port_num = 1,
		.qp_access_flags = IBV_ACCESS_REMOTE_WRITE |
				   IBV_ACCESS_REMOTE_READ |
				   IBV_ACCESS_REMOTE_ATOMIC,
	};

	if (ibv_modify_qp(e->qp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX |
			  IBV_QP_PORT | IBV_QP_ACCESS_FLAGS))
		return -1;

	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_RTR;
	a.path_mtu = IBV_MTU_1024;
	a.dest_qp_num = peer->qp->qp_num;
	a.rq_psn = 0;
	a.max_dest_rd_atomic = 1;
	a.min_rnr_timer = 12;
	a.ah_attr.is_global = 1;
	a.ah_attr.grh.dgid = peer->gid;
	a.ah_attr.grh.sgid_index = 0;
	a.ah_attr.grh.hop_limit = 1;
	a.ah_attr.port_num = 1;
	if (ibv_modify_qp(e->qp, &a, IBV_QP_STATE | IBV_QP_AV |
			  IBV_QP_PATH_MTU | IBV_QP_DEST_QPN | IBV_QP_RQ_PSN |
			  IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER))
		return -1;

	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_RTS;
	/*
	 * 4.3 s (4.096 us << 20): under KASAN a 4 MiB READ's responses take
	 * longer than 67 ms (14), rxe retransmits the request, and a READ
	 * retried while its responses stream was seen to stall for good
	 */
	a.timeout = 20;
	a.retry_cnt = 7;
	a.rnr_retry = 7;
	a.sq_psn = 0;
	a.max_rd_atomic = 1;
	return ibv_modify_qp(e->qp, &a, IBV_QP_STATE | IBV_QP_TIMEOUT |
			     IBV_QP_RETRY_CNT | IBV_QP_RNR_RETRY |
			     IBV_QP_SQ_PSN | IBV_QP_MAX_QP_RD_ATOMIC);
}

/* Post @wr (one signalled operation) and wait for its completion. */
static int post_wait(struct end *e, struct ibv_send_wr *wr)
{
	struct ibv_send_wr *bad;
	struct ibv_wc wc;
	int n;

	if (ibv_post_send(e->qp, wr, &bad))
		return -1;
	/* rxe completes in software; a lost completion would hang here, and
	 * the VM runner's timeout turns that into a failed run. */
	while ((n = ibv_poll_cq(e->cq, 1, &wc)) == 0)
		;
	if (n < 0)
		return -1;
	if (wc.status != IBV_WC_SUCCESS) {
		fprintf(stderr, "mr_rdma: completion status %s\n",
			ibv_wc_status_str(wc.status));
		errno = EIO;
		return -1;
	}
	return 0;
}

/* Post one RDMA operation of @len bytes and wait for its completion. */
static int rdma_op(struct end *e, enum ibv_wr_opcode op, struct ibv_mr *lmr,
		   void *laddr, struct ibv_mr *rmr, uint64_t raddr, size_t len)
{
	struct ibv_sge sge = {
		.addr = (uintptr_t)laddr, .length = len, .lkey = lmr->lkey,
	};
	struct ibv_send_wr wr = {
		.sg_list = &sge, .num_sge = 1, .opcode = op,
		.send_flags = IBV_SEND_SIGNALED,
		.wr.rdma = { .remote_addr = raddr, .rkey = rmr->rkey },
	};

	return post_wait(e, &wr);
}

/* Atomic fetch-and-add of @add at @raddr; the old value lands at @laddr. */
static int fetch_add(struct end *e, struct ibv_mr *lmr, uint64_t *laddr,
		     struct ibv_mr *rmr, uint64_t raddr, uint64_t add)
{
	struct ibv_sge sge = {
		.addr = (uintptr_t)laddr, .length = 8, .lkey = lmr->lkey,
	};
	struct ibv_send_wr wr = {
		.sg_list = &sge, .num_sge = 1,
		.opcode = IBV_WR_ATOMIC_FETCH_AND_ADD,
		.send_flags = IBV_SEND_SIGNALED,
		.wr.atomic = { .remote_addr = raddr, .compare_add = add,
			       .rkey = rmr->rkey },
	};

	return post_wait(e, &wr);
}

/* After an RDMA WRITE at @raddr: wait until it is placed (see iwarp). */
static int write_placed(struct end *e, struct ibv_mr *lmr, void *scratch,
			struct ibv_mr *rmr, uint64_t raddr)
{
	return iwarp ? rdma_op(e, IBV_WR_RDMA_READ, lmr, scratch, rmr, raddr, 1) : 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fill(unsigned char *p, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(seed * 131 + i * 7 + 1);
}

/*
 * One MR of @size bytes starting @offset bytes into a fresh mapping on the
 * target side.  Returns 0 when every check ran (pass or fail), -1 on setup
 * errors.
 */
static int test_mr(struct end *init, struct end *target, size_t size,
		   size_t offset)
{
	size_t map_len = size + offset;
	size_t pos[3] = { 0, size / 2, size - 1 };
	unsigned char *tbuf, *tmr_base, *lbuf, *shadow;
	struct ibv_mr *tmr = NULL, *lmr = NULL;
	int ret = -1;

	tbuf = mmap(NULL, map_len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	lbuf = malloc(2 * CHUNK);
	shadow = malloc(size);
	if (tbuf == MAP_FAILED || !lbuf || !shadow) {
		setup_error("allocating buffers");
		goto out;
	}
	tmr_base = tbuf + offset;
	fill(tmr_base, size, 1);
	memcpy(shadow, tmr_base, size);

	tmr = ibv_reg_mr(target->pd, tmr_base, size, mr_access);
	lmr = ibv_reg_mr(init->pd, lbuf, 2 * CHUNK, mr_access);
	if (!tmr || !lmr) {
		setup_error("ibv_reg_mr");
		goto out;
	}

	for (int i = 0; i < 3; i++) {
		if (i && pos[i] == pos[i - 1])
			continue;	/* tiny MRs: first == middle == last */
		/* Keep the chunk inside the MR: the last one ends at its end. */
		size_t len = size < CHUNK ? size : CHUNK;
		size_t at = pos[i] + len > size ? size - len : pos[i];
		uint64_t raddr = (uintptr_t)tmr_base + at;

		fill(lbuf, len, 100 + i);
		if (rdma_op(init, IBV_WR_RDMA_WRITE, lmr, lbuf, tmr, raddr, len) ||
		    write_placed(init, lmr, lbuf + CHUNK, tmr, raddr)) {
			setup_error("RDMA WRITE");
			goto out;
		}
		memcpy(shadow + at, lbuf, len);
		report(!memcmp(tmr_base, shadow, size),
		    "RDMA WRITE lands at byte %zu of a %zu-byte MR at page offset %zu",
		    pos[i], size, offset);

		fill(tmr_base + at, len, 200 + i);
		memcpy(shadow + at, tmr_base + at, len);
		memset(lbuf + CHUNK, 0, len);
		if (rdma_op(init, IBV_WR_RDMA_READ, lmr, lbuf + CHUNK, tmr,
			    raddr, len)) {
			setup_error("RDMA READ");
			goto out;
		}
		report(!memcmp(lbuf + CHUNK, tmr_base + at, len) &&
		    !memcmp(tmr_base, shadow, size),
		    "RDMA READ returns byte %zu of a %zu-byte MR at page offset %zu",
		    pos[i], size, offset);
	}
	ret = 0;
out:
	if (lmr && ibv_dereg_mr(lmr))
		ret = -1;
	if (tmr && ibv_dereg_mr(tmr))
		ret = -1;
	if (tbuf != MAP_FAILED)
		munmap(tbuf, map_len);
	free(lbuf);
	free(shadow);
	return ret;
}

#define RANDOM_MAX	(64 * 1024)	/* longest random WRITE/READ */
#define GUARD		16		/* bytes checked on each side */

/* A random 64-bit value from the C library's generator, seeded per run. */
static uint64_t rnd(void)
{
	return (uint64_t)random() << 33 ^ (uint64_t)random() << 11 ^ (uint64_t)random();
}

/*
 * @ops random WRITE + READ pairs and as many fetch-and-adds across one MR of
 * @size bytes in @layout.  Each WRITE must land exactly (guard bytes around
 * it unchanged), each READ return what the MR holds, each atomic return the
 * old word and leave the new one.  Returns -1 on setup errors.
 */
static int test_random(struct end *init, struct end *target,
		       const char *layout, size_t size, int ops)
{
	const int access = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE |
			   IBV_ACCESS_REMOTE_READ | IBV_ACCESS_REMOTE_ATOMIC;
	const struct layout *lay = layout_find(layout);
	size_t lsize = 2 * RANDOM_MAX + 8, bad_ops = 0, bad_atomics = 0;
	unsigned char *tbuf, *lbuf, *want;
	struct ibv_mr *tmr = NULL, *lmr = NULL;
	const char *wrong;
	int ret = -1;

	if (!lay || size % lay->align) {
		fprintf(stderr, "mr_rdma: bad layout or size\n");
		return -1;
	}
	tbuf = (unsigned char *)lay->map(size);
	lbuf = malloc(lsize);
	want = malloc(RANDOM_MAX + 2 * GUARD);
	if (!tbuf || !lbuf || !want) {
		setup_error("allocating buffers");
		goto out;
	}
	wrong = layout_check(lay, (char *)tbuf, size);
	if (wrong) {
		fprintf(stderr, "mr_rdma: %s buffer: %s\n", layout, wrong);
		goto out;
	}
	tmr = ibv_reg_mr(target->pd, tbuf, size, access);
	lmr = ibv_reg_mr(init->pd, lbuf, lsize, access);
	if (!tmr || !lmr) {
		setup_error("ibv_reg_mr");
		goto out;
	}
	srandom((unsigned int)size ^ 0x5eed);
	for (int i = 0; i < ops; i++) {
		size_t len = 1 + rnd() % RANDOM_MAX, at = rnd() % (size - len + 1);
		size_t lo = at < GUARD ? at : GUARD;
		size_t hi = size - at - len < GUARD ? size - at - len : GUARD;
		uint64_t raddr = (uintptr_t)tbuf + at, old, word;
		size_t w = (rnd() % (size / 8)) * 8;

		fill(lbuf, len, (unsigned int)i);
		memcpy(want, tbuf + at - lo, lo);
		memcpy(want + lo, lbuf, len);
		memcpy(want + lo + len, tbuf + at + len, hi);
		if (rdma_op(init, IBV_WR_RDMA_WRITE, lmr, lbuf, tmr, raddr, len) ||
		    write_placed(init, lmr, lbuf + RANDOM_MAX, tmr, raddr)) {
			setup_error("RDMA WRITE");
			goto out;
		}
		fill(tbuf + at, len, (unsigned int)i + 7);
		memcpy(want + lo, tbuf + at, len);
		if (memcmp(tbuf + at - lo, want, lo + len + hi) && !bad_ops++)
			fprintf(stderr, "mr_rdma: WRITE of %zu at %zu did not land exactly\n",
				len, at);
		if (rdma_op(init, IBV_WR_RDMA_READ, lmr, lbuf + RANDOM_MAX, tmr,
			    raddr, len)) {
			setup_error("RDMA READ");
			goto out;
		}
		if (memcmp(lbuf + RANDOM_MAX, tbuf + at, len) && !bad_ops++)
			fprintf(stderr, "mr_rdma: READ of %zu at %zu returned other bytes\n",
				len, at);

		if (!has_atomics)
			continue;
		memcpy(&word, tbuf + w, 8);
		if (fetch_add(init, lmr, (uint64_t *)(lbuf + 2 * RANDOM_MAX), tmr,
			      (uintptr_t)tbuf + w, (uint64_t)i + 1)) {
			setup_error("atomic fetch-and-add");
			goto out;
		}
		memcpy(&old, lbuf + 2 * RANDOM_MAX, 8);
		if (old != word && !bad_atomics++)
			fprintf(stderr, "mr_rdma: atomic at %zu returned %#llx, want %#llx\n",
				w, (unsigned long long)old, (unsigned long long)word);
		memcpy(&old, tbuf + w, 8);
		if (old != word + (uint64_t)i + 1 && !bad_atomics++)
			fprintf(stderr, "mr_rdma: atomic at %zu left %#llx\n", w,
				(unsigned long long)old);
	}
	report(!bad_ops, "%zu random RDMA WRITEs and READs across a %zu-byte %s MR land exactly",
	    (size_t)ops, size, layout);
	if (has_atomics)
		report(!bad_atomics, "%zu random atomic fetch-and-adds across a %zu-byte %s MR",
		    (size_t)ops, size, layout);
	else
		report(1, "%zu random atomic fetch-and-adds across a %zu-byte %s MR # SKIP the device has no atomics (atomic_cap 0)",
		    (size_t)ops, size, layout);
	ret = 0;
out:
	if (lmr && ibv_dereg_mr(lmr))
		ret = -1;
	if (tmr && ibv_dereg_mr(tmr))
		ret = -1;
	if (tbuf)
		munmap(tbuf, size);
	free(lbuf);
	free(want);
	return ret;
}

#define UNMAP_SIZE	(4UL << 20)

/*
 * -u, one case: the MR over @tbuf outlives @op (0 munmap, 1 mremap, 2
 * MADV_DONTNEED).  RDMA failures are failed checks, not setup errors:
 * what the MR does after the op is what is tested.  Returns -1 on a
 * setup error, with nothing left registered or mapped.
 */
static int unmapped_case(struct end *init, struct end *target, const char *layout,
			 int op, struct ibv_mr *lmr, unsigned char *lbuf,
			 unsigned char *want)
{
	static const char *const what[] = { "munmap", "mremap", "MADV_DONTNEED" };
	const size_t size = UNMAP_SIZE;
	long long pins = pins_held();
	unsigned char *tbuf = (unsigned char *)layout_find(layout)->map(size);
	unsigned char *mapped = tbuf;	/* what to unmap at the end */
	struct ibv_mr *tmr;
	uint64_t base;
	int err = 0;

	if (!tbuf) {
		setup_error("mapping the buffer");
		return -1;
	}
	fill(tbuf, size, 300 + op);
	memcpy(want, tbuf, size);
	tmr = ibv_reg_mr(target->pd, tbuf, size, mr_access);
	if (!tmr) {
		setup_error("ibv_reg_mr");
		munmap(tbuf, size);
		return -1;
	}
	base = (uintptr_t)tbuf;
	if (op == 0) {
		err = munmap(tbuf, size);
		mapped = NULL;
	} else if (op == 1) {
		void *dest = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		void *moved = dest == MAP_FAILED ? MAP_FAILED :
			mremap(tbuf, size, size, MREMAP_MAYMOVE | MREMAP_FIXED, dest);

		err = moved == MAP_FAILED;
		if (err && dest != MAP_FAILED)
			munmap(dest, size);
		else if (!err)
			mapped = moved;
	} else {
		err = madvise(tbuf, size, MADV_DONTNEED);
	}
	if (err) {
		setup_error(what[op]);
		goto out;
	}
	memset(lbuf, 0, size);
	report(!rdma_op(init, IBV_WR_RDMA_READ, lmr, lbuf, tmr, base, size) &&
	       !memcmp(lbuf, want, size),
	       "after %s of a registered %s MR, RDMA READ returns what it held",
	       what[op], layout);
	if (op == 2)
		report(!tbuf[0] && !tbuf[size - 1],
		       "after MADV_DONTNEED the address reads fresh zeroes, the MR its pages");
	fill(lbuf, size, 400 + op);
	memcpy(want, lbuf, size);
	err = rdma_op(init, IBV_WR_RDMA_WRITE, lmr, lbuf, tmr, base, size) ||
	      write_placed(init, lmr, lbuf, tmr, base);
	memset(lbuf, 0, size);
	report(!err && !rdma_op(init, IBV_WR_RDMA_READ, lmr, lbuf, tmr, base, size) &&
	       !memcmp(lbuf, want, size),
	       "after %s, an RDMA WRITE of the whole MR reads back", what[op]);
	if (op == 1) {
		report(!memcmp(mapped, want, size),
		       "after mremap the process sees that WRITE at the new address");
		fill(mapped + size / 2, CHUNK, 500);
		report(!rdma_op(init, IBV_WR_RDMA_READ, lmr, lbuf, tmr, base + size / 2, CHUNK) &&
		       !memcmp(lbuf, mapped + size / 2, CHUNK),
		       "after mremap the process's writes at the new address reach the MR");
	}
	err = 0;
out:
	if (ibv_dereg_mr(tmr)) {
		setup_error("ibv_dereg_mr");
		err = 1;
	}
	if (mapped)
		munmap(mapped, size);
	if (!err)
		report(pins_held() == pins, "after %s, deregistering gives every pin back (%+lld)",
		       what[op], pins_held() - pins);
	return err ? -1 : 0;
}

/* -u: see the top.  0 when every check ran, -1 on setup errors. */
static int test_unmapped(struct end *init, struct end *target, const char *layout)
{
	unsigned char *lbuf = malloc(UNMAP_SIZE), *want = malloc(UNMAP_SIZE);
	struct ibv_mr *lmr = NULL;
	int ret = -1;

	if (!lbuf || !want) {
		setup_error("allocating buffers");
		goto out;
	}
	lmr = ibv_reg_mr(init->pd, lbuf, UNMAP_SIZE, mr_access);
	if (!lmr) {
		setup_error("ibv_reg_mr");
		goto out;
	}
	ret = 0;
	for (int op = 0; op < 3 && !ret; op++)
		ret = unmapped_case(init, target, layout, op, lmr, lbuf, want);
out:
	if (lmr && ibv_dereg_mr(lmr))
		ret = -1;
	free(lbuf);
	free(want);
	return ret;
}

#define FORK_SIZE	(4UL << 20)

/* -F: ibv_fork_init() was called */
static bool fork_inited;

/* -f, one fork: see the top.  @dontfork: MADV_DONTFORK the buffer first. */
static int fork_case(struct end *init, struct end *target, struct ibv_mr *lmr,
		     unsigned char *lbuf, bool dontfork)
{
	/*
	 * After ibv_fork_init(), ibv_reg_mr() MADV_DONTFORKs the MR's pages,
	 * even where ibv_is_fork_initialized() says IBV_FORK_UNNEEDED (the
	 * kernel copies pinned pages for the child: 6.12 with rdma-core 44)
	 */
	bool gone = dontfork || fork_inited;
	const char *how = dontfork ? "MADV_DONTFORK" : "a plain mapping";
	unsigned char *tbuf = mmap(NULL, FORK_SIZE, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct ibv_mr *tmr = NULL;
	long long pins = pins_held();
	int status, ret = -1;
	pid_t pid;

	if (tbuf == MAP_FAILED) {
		setup_error("mmap");
		return -1;
	}
	fill(tbuf, FORK_SIZE, 600 + dontfork);
	if (dontfork && madvise(tbuf, FORK_SIZE, MADV_DONTFORK)) {
		setup_error("MADV_DONTFORK");
		goto out;
	}
	tmr = ibv_reg_mr(target->pd, tbuf, FORK_SIZE, mr_access);
	if (!tmr) {
		setup_error("ibv_reg_mr");
		goto out;
	}
	memcpy(lbuf, tbuf, FORK_SIZE);	/* the parent's bytes */
	pid = fork();
	if (pid < 0) {
		setup_error("fork");
		goto out;
	}
	if (!pid) {
		/*
		 * The child: its own copy, or no mapping at all.  It maps
		 * nothing: a new mapping could land in the hole MADV_DONTFORK
		 * left and hide it.
		 */
		fill(tbuf, FORK_SIZE, 700);
		for (size_t i = 0; i < FORK_SIZE; i++)
			if (tbuf[i] != (unsigned char)(700 * 131 + i * 7 + 1))
				_exit(1);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid) {
		setup_error("waitpid");
		goto out;
	}
	if (!(gone ? WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV :
		     WIFEXITED(status) && !WEXITSTATUS(status)))
		fprintf(stderr, "mr_rdma: fork with %s: the child's wait status is %#x\n",
			how, status);
	if (gone)
		report(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV,
		       "fork with %s (fork status %d): the child has no mapping there (SIGSEGV)",
		       how, ibv_is_fork_initialized());
	else
		report(WIFEXITED(status) && !WEXITSTATUS(status),
		       "fork with %s (fork status %d): the child writes a copy of its own",
		       how, ibv_is_fork_initialized());
	report(!memcmp(tbuf, lbuf, FORK_SIZE), "fork with %s: the parent's bytes stay", how);
	memset(lbuf + FORK_SIZE, 0, FORK_SIZE);
	report(!rdma_op(init, IBV_WR_RDMA_READ, lmr, lbuf + FORK_SIZE, tmr, (uintptr_t)tbuf,
			FORK_SIZE) && !memcmp(lbuf + FORK_SIZE, lbuf, FORK_SIZE),
	       "fork with %s: RDMA READ returns the parent's bytes, not the child's", how);
	fill(tbuf, FORK_SIZE, 800 + dontfork);
	memset(lbuf + FORK_SIZE, 0, FORK_SIZE);
	report(!rdma_op(init, IBV_WR_RDMA_READ, lmr, lbuf + FORK_SIZE, tmr, (uintptr_t)tbuf,
			FORK_SIZE) && !memcmp(lbuf + FORK_SIZE, tbuf, FORK_SIZE),
	       "fork with %s: the parent's writes after the fork reach the MR", how);
	ret = 0;
out:
	if (tmr && ibv_dereg_mr(tmr))
		ret = -1;
	munmap(tbuf, FORK_SIZE);
	if (!ret)
		report(pins_held() == pins, "fork with %s: deregistering gives every pin back", how);
	return ret;
}

struct reg_loop {
	struct ibv_pd *pd;
	unsigned char *buf;
	int done, failed;
};

/* -f: the registering thread, 200 MRs of 1 MiB one after another */
static void *reg_loop(void *arg)
{
	struct reg_loop *r = arg;

	for (int i = 0; i < 200; i++) {
		struct ibv_mr *mr = ibv_reg_mr(r->pd, r->buf + (i % 4) * (1 << 20),
					       1 << 20, mr_access);

		if (!mr || ibv_dereg_mr(mr))
			r->failed++;
		else
			r->done++;
	}
	return NULL;
}

/* -f: see the top.  0 when every check ran, -1 on setup errors. */
static int test_fork(struct end *init, struct end *target)
{
	unsigned char *lbuf = malloc(2 * FORK_SIZE);
	struct reg_loop r = { .pd = target->pd };
	struct ibv_mr *lmr = NULL;
	long long pins;
	int forks = 0, ret = -1;
	pthread_t t;

	r.buf = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!lbuf || r.buf == MAP_FAILED) {
		setup_error("allocating buffers");
		goto out;
	}
	memset(r.buf, 1, 4 << 20);
	lmr = ibv_reg_mr(init->pd, lbuf, 2 * FORK_SIZE, mr_access);
	if (!lmr) {
		setup_error("ibv_reg_mr");
		goto out;
	}
	if (fork_case(init, target, lmr, lbuf, false) ||
	    fork_case(init, target, lmr, lbuf, true))
		goto out;
	pins = pins_held();
	if (pthread_create(&t, NULL, reg_loop, &r)) {
		setup_error("pthread_create");
		goto out;
	}
	for (int i = 0; i < 20; i++) {
		int status;
		pid_t pid = fork();

		if (!pid)
			_exit(0);
		if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status))
			forks++;
	}
	pthread_join(t, NULL);
	report(forks == 20 && r.done == 200 && !r.failed && pins_held() == pins,
	       "20 forks while another thread registers and deregisters 200 MRs "
	       "(%d forks, %d MRs, %d failed, pins %+lld)", forks, r.done, r.failed,
	       pins_held() - pins);
	ret = 0;
out:
	if (lmr && ibv_dereg_mr(lmr))
		ret = -1;
	if (r.buf != MAP_FAILED)
		munmap(r.buf, 4 << 20);
	free(lbuf);
	return ret;
}

#define KIND_SIZE	(1UL << 20)

/*
 * -k, one kind of memory: @len bytes of @fd mapped with @flags, registered
 * with @access; @want_errno 0 if it registers.  0 when the checks ran.
 */
static int kind_case(struct end *init, struct end *target, struct ibv_mr *lmr,
		     unsigned char *lbuf, const char *name, int fd, int prot, int flags,
		     int access, int want_errno)
{
	static unsigned int seed = 900;	/* a new pattern for every WRITE */
	unsigned char *p = mmap(NULL, KIND_SIZE, prot, flags, fd, 0);
	long long pins = pins_held();
	struct ibv_mr *tmr;
	int err;

	if (p == MAP_FAILED) {
		setup_error(name);
		return -1;
	}
	tmr = ibv_reg_mr(target->pd, p, KIND_SIZE, access);
	err = tmr ? 0 : errno;
	report(err == want_errno, "%s: %s (%s)", name,
	       want_errno ? "refused with the errno stock gives" : "registers",
	       err ? strerror(err) : "registered");
	if (tmr && (access & IBV_ACCESS_REMOTE_WRITE)) {
		unsigned char *file = malloc(KIND_SIZE);
		bool shared = flags & MAP_SHARED, same;

		fill(lbuf, KIND_SIZE, seed++);
		err = rdma_op(init, IBV_WR_RDMA_WRITE, lmr, lbuf, tmr, (uintptr_t)p, KIND_SIZE) ||
		      write_placed(init, lmr, lbuf + KIND_SIZE, tmr, (uintptr_t)p);
		same = file && pread(fd, file, KIND_SIZE, 0) == (ssize_t)KIND_SIZE &&
		       !memcmp(file, lbuf, KIND_SIZE);
		report(!err && !memcmp(p, lbuf, KIND_SIZE) && same == shared,
		       "%s: RDMA WRITE shows in the mapping%s", name,
		       shared ? " and in the file" : ", not in the file");
		free(file);
	}
	if (tmr) {
		memset(lbuf + KIND_SIZE, 0, KIND_SIZE);
		report(!rdma_op(init, IBV_WR_RDMA_READ, lmr, lbuf + KIND_SIZE, tmr, (uintptr_t)p,
				KIND_SIZE) && !memcmp(lbuf + KIND_SIZE, p, KIND_SIZE),
		       "%s: RDMA READ returns what the mapping shows", name);
		if (ibv_dereg_mr(tmr)) {
			setup_error("ibv_dereg_mr");
			munmap(p, KIND_SIZE);
			return -1;
		}
	}
	munmap(p, KIND_SIZE);
	report(pins_held() == pins, "%s: no pin left", name);
	return 0;
}

/*
 * KIND_SIZE bytes of a pattern in the file at @path (which the caller
 * removes once closed: 9p does no I/O on unlinked files), or in a memfd
 * named @name that takes seals if @path is NULL.
 */
static int kind_file(const char *path, const char *name)
{
	unsigned char *buf = malloc(KIND_SIZE);
	int fd = path ? open(path, O_RDWR | O_CREAT | O_TRUNC, 0600) :
			memfd_create(name, MFD_ALLOW_SEALING);

	if (fd < 0 || !buf) {
		if (fd >= 0)
			close(fd);
		free(buf);
		return -1;
	}
	fill(buf, KIND_SIZE, 950);
	if (pwrite(fd, buf, KIND_SIZE, 0) != (ssize_t)KIND_SIZE) {
		close(fd);
		fd = -1;
	}
	free(buf);
	return fd;
}

/* -k DIR: see the top.  0 when every check ran, -1 on setup errors. */
static int test_kinds(struct end *init, struct end *target, const char *dir)
{
	const int ro = IBV_ACCESS_REMOTE_READ;
	const int prw = PROT_READ | PROT_WRITE;
	unsigned char *lbuf = malloc(2 * KIND_SIZE);
	const char *tmpfs_path = "/tmp/mr_rdma.tmpfs";
	char dirty_path[4096];
	struct ibv_mr *lmr = NULL;
	int tmpfs, memfd, sealed, dirty, ret = -1;

	snprintf(dirty_path, sizeof(dirty_path), "%s/mr_rdma.dirty", dir);
	tmpfs = kind_file(tmpfs_path, NULL);
	memfd = kind_file(NULL, "mr_rdma");
	sealed = kind_file(NULL, "mr_rdma.sealed");
	dirty = kind_file(dirty_path, NULL);

	if (!lbuf || tmpfs < 0 || memfd < 0 || sealed < 0 || dirty < 0 ||
	    fcntl(sealed, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW)) {
		setup_error("making the files");
		goto out;
	}
	lmr = ibv_reg_mr(init->pd, lbuf, 2 * KIND_SIZE, mr_access);
	if (!lmr) {
		setup_error("ibv_reg_mr");
		goto out;
	}
	if (kind_case(init, target, lmr, lbuf, "tmpfs MAP_SHARED", tmpfs, prw, MAP_SHARED, mr_access, 0) ||
	    kind_case(init, target, lmr, lbuf, "tmpfs MAP_PRIVATE", tmpfs, prw, MAP_PRIVATE, mr_access, 0) ||
	    kind_case(init, target, lmr, lbuf, "memfd MAP_SHARED", memfd, prw, MAP_SHARED, mr_access, 0) ||
	    kind_case(init, target, lmr, lbuf, "sealed memfd, read-only MR", sealed, PROT_READ,
		      MAP_SHARED, ro, 0) ||
	    kind_case(init, target, lmr, lbuf, "sealed memfd, writable MR", sealed, PROT_READ,
		      MAP_SHARED, mr_access, EFAULT) ||
	    kind_case(init, target, lmr, lbuf, "dirty-tracked MAP_SHARED, read-only MR", dirty, PROT_READ,
		      MAP_SHARED, ro, 0) ||
	    kind_case(init, target, lmr, lbuf, "dirty-tracked MAP_SHARED, writable MR", dirty, prw,
		      MAP_SHARED, mr_access, EFAULT) ||
	    kind_case(init, target, lmr, lbuf, "dirty-tracked MAP_PRIVATE, writable MR", dirty, prw,
		      MAP_PRIVATE, mr_access, 0))
		goto out;
	ret = 0;
out:
	if (lmr && ibv_dereg_mr(lmr))
		ret = -1;
	if (tmpfs >= 0)
		close(tmpfs);
	if (memfd >= 0)
		close(memfd);
	if (sealed >= 0)
		close(sealed);
	if (dirty >= 0)
		close(dirty);
	unlink(tmpfs_path);
	unlink(dirty_path);
	free(lbuf);
	return ret;
}

#define STRESS_BUF	(64UL << 20)
#define STRESS_MR	(1UL << 20)

struct stress {
	struct end *init, *target;
	int cycles;
	atomic_int stop;
	/* results */
	int regs, reg_failed, ops, bad_ops;
	pthread_mutex_t lock;
};

struct stress_worker {
	struct stress *st;
	unsigned int seed;
	bool thp;
};

/* -S: one registering thread */
static void *stress_reg(void *arg)
{
	struct stress_worker *w = arg;
	struct stress *st = w->st;
	unsigned char *buf = mmap(NULL, STRESS_BUF, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int regs = 0, failed = 0;

	if (buf == MAP_FAILED ||
	    madvise(buf, STRESS_BUF, w->thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE)) {
		failed = st->cycles;
		goto out;
	}
	memset(buf, 3, STRESS_BUF);
	for (int i = 0; i < st->cycles; i++) {
		size_t len = 4096UL << (rand_r(&w->seed) % 15);
		size_t at = (rand_r(&w->seed) % ((STRESS_BUF - len) / 4096 + 1)) * 4096;
		struct ibv_mr *mr = ibv_reg_mr(st->target->pd, buf + at, len, mr_access);

		if (!mr || ibv_dereg_mr(mr))
			failed++;
		else
			regs++;
	}
	munmap(buf, STRESS_BUF);
out:
	pthread_mutex_lock(&st->lock);
	st->regs += regs;
	st->reg_failed += failed;
	pthread_mutex_unlock(&st->lock);
	return NULL;
}

/* -S: the traffic thread, until told to stop */
static void *stress_traffic(void *arg)
{
	struct stress *st = arg;
	unsigned char *tbuf = malloc(STRESS_MR), *lbuf = malloc(2 * STRESS_MR);
	struct ibv_mr *tmr = tbuf ? ibv_reg_mr(st->target->pd, tbuf, STRESS_MR, mr_access) : NULL;
	struct ibv_mr *lmr = lbuf ? ibv_reg_mr(st->init->pd, lbuf, 2 * STRESS_MR, mr_access) : NULL;
	unsigned int seed = 77;
	int ops = 0, bad = 0;

	if (!tmr || !lmr) {
		bad = 1;
		goto out;
	}
	while (!st->stop) {
		size_t len = 1 + rand_r(&seed) % (64 << 10);
		size_t at = rand_r(&seed) % (STRESS_MR - len + 1);
		uint64_t raddr = (uintptr_t)tbuf + at;

		fill(lbuf, len, (unsigned int)ops);
		memset(lbuf + STRESS_MR, 0, len);
		if (rdma_op(st->init, IBV_WR_RDMA_WRITE, lmr, lbuf, tmr, raddr, len) ||
		    write_placed(st->init, lmr, lbuf + STRESS_MR, tmr, raddr) ||
		    rdma_op(st->init, IBV_WR_RDMA_READ, lmr, lbuf + STRESS_MR, tmr, raddr, len) ||
		    memcmp(lbuf, lbuf + STRESS_MR, len) || memcmp(tbuf + at, lbuf, len))
			bad++;
		ops++;
	}
out:
	if (lmr)
		ibv_dereg_mr(lmr);
	if (tmr)
		ibv_dereg_mr(tmr);
	free(tbuf);
	free(lbuf);
	st->ops = ops;
	st->bad_ops = bad;
	return NULL;
}

/* -S: see the top.  0 when every check ran, -1 on setup errors. */
static int test_stress(struct end *init, struct end *target, int threads, int cycles)
{
	struct stress st = { .init = init, .target = target, .cycles = cycles,
			     .lock = PTHREAD_MUTEX_INITIALIZER };
	struct stress_worker *w = calloc(threads, sizeof(*w));
	pthread_t *t = calloc(threads, sizeof(*t)), traffic;
	long long pins = pins_held();
	double t0 = now_s();
	int started = 0;

	if (!w || !t || pthread_create(&traffic, NULL, stress_traffic, &st)) {
		setup_error("starting the threads");
		free(w);
		free(t);
		return -1;
	}
	for (int i = 0; i < threads; i++) {
		w[i] = (struct stress_worker){ .st = &st, .seed = 1000 + i, .thp = !(i % 2) };
		if (pthread_create(&t[i], NULL, stress_reg, &w[i]))
			break;
		started++;
	}
	for (int i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	st.stop = 1;
	pthread_join(traffic, NULL);
	report(started == threads && st.regs == threads * cycles && !st.reg_failed,
	       "%d threads x %d register/deregister cycles of 4 KiB to 64 MiB", threads, cycles);
	report(st.ops > 0 && !st.bad_ops,
	       "RDMA WRITE/READ pairs to other MRs of the same PDs meanwhile land exactly");
	report(pins_held() == pins, "every pin comes back");
	printf("# %d of %d registrations, %d failed, %d transfers, %d bad, %.1f s\n",
	       st.regs, threads * cycles, st.reg_failed, st.ops, st.bad_ops, now_s() - t0);
	free(w);
	free(t);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: mr_rdma [-a DEV] [-b DEV | -c ADDR] [-l LAYOUT -s SIZE [-n OPS]]\n"
		"       mr_rdma [-a DEV] [-b DEV | -c ADDR] -u -l LAYOUT\n"
		"       mr_rdma [-a DEV] [-b DEV | -c ADDR] -f [-F]\n"
		"       mr_rdma [-a DEV] [-b DEV | -c ADDR] -k DIR\n"
		"       mr_rdma [-a DEV] [-b DEV | -c ADDR] -S THREADS [-n CYCLES]\n"
		"RDMA WRITE and READ from DEV a into MRs registered on DEV b\n"
		"(defaults rxe0 and rxe1), or between two QPs rdma_cm connects\n"
		"at ADDR (-c 10.0.9.1: siw0), checked at the first, a\n"
		"middle and the last byte of MRs of several sizes.  With -l and\n"
		"-s, one MR of SIZE bytes (K, M, G suffixes) in LAYOUT (frag_4k,\n"
		"contig, thp, hugetlb_2m, hugetlb_1g) taking OPS (default 200)\n"
		"random WRITE/READ pairs and atomics (skipped on a device\n"
		"without atomics).  With -u, a 4 MiB MR in LAYOUT (contig, thp:\n"
		"one mapping, for mremap) outlives munmap, mremap and\n"
		"MADV_DONTNEED of its buffer: its pages move data, and every pin\n"
		"is given back (needs root).  With -f, fork() with registered MRs\n"
		"(-F: after ibv_fork_init()): the MR keeps the parent's pages.\n"
		"With -k DIR (9p with cache=mmap, ext4: dirty-tracked), MRs over\n"
		"tmpfs, memfd and DIR's files\n"
		"register or are refused as stock does them.  With -S, THREADS\n"
		"threads register and deregister CYCLES (default 200) MRs each\n"
		"while RDMA traffic to other MRs is checked.\n"
		"Prints TAP.\n");
}

int main(int argc, char **argv)
{
	static const struct { size_t size, offset; } cases[] = {
		{ 4096, 0 },			/* one page */
		{ 1, 4095 },			/* one byte, last of a page */
		{ 65536 + 100, 100 },		/* unaligned start and end */
		{ 4 << 20, 0 },			/* several huge-page sizes */
		{ (16 << 20) + 4000, 1000 },
	};
	const char *a_name = "rxe0", *b_name = "rxe1", *layout = NULL, *cm = NULL, *kinds = NULL;
	struct end a = { 0 }, b = { 0 };
	int opt, status = 2, ops = 200, unmapped = 0, forking = 0, stress = 0;
	size_t size = 0;

	while ((opt = getopt(argc, argv, "a:b:c:l:s:n:ufFk:S:h")) != -1) {
		switch (opt) {
		case 'a': a_name = optarg; break;
		case 'b': b_name = optarg; break;
		case 'c': cm = optarg; break;
		case 'l': layout = optarg; break;
		case 's': size = parse_size(optarg); break;
		case 'n': ops = atoi(optarg); break;
		case 'u': unmapped = 1; break;
		case 'f': forking |= 1; break;
		case 'F': forking |= 2; break;
		case 'k': kinds = optarg; break;
		case 'S': stress = atoi(optarg); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	/* -u: one mapping, which mremap moves whole (not frag_4k's many) */
	if ((!unmapped && !layout != !size) ||
	    (unmapped && (!layout || size || (strcmp(layout, "contig") && strcmp(layout, "thp")))) ||
	    (layout && !layout_find(layout)) || ops < 1 || (size && size < 8) ||
	    (forking && (forking == 2 || unmapped || layout)) ||
	    (kinds && (forking || unmapped || layout)) || stress < 0 ||
	    (stress && (kinds || forking || unmapped || layout))) {
		usage(stderr);
		return 2;
	}

	/* Before any other verbs call, as libibverbs asks */
	if (forking & 2) {
		if (ibv_fork_init()) {
			setup_error("ibv_fork_init");
			return 2;
		}
		fork_inited = true;
	}
	if (cm) {
		if (cm_connect(&a, &b, cm)) {
			setup_error("connecting through rdma_cm");
			goto out;
		}
	} else if (end_open(&a, a_name) || end_open(&b, b_name)) {
		setup_error("opening the devices");
		goto out;
	} else if (end_connect(&a, &b) || end_connect(&b, &a)) {
		setup_error("connecting the QPs");
		goto out;
	}
	if (stress) {
		if (test_stress(&a, &b, stress, ops))
			goto out;
	} else if (kinds) {
		if (test_kinds(&a, &b, kinds))
			goto out;
	} else if (forking) {
		if (test_fork(&a, &b))
			goto out;
	} else if (unmapped) {
		if (test_unmapped(&a, &b, layout))
			goto out;
	} else if (layout) {
		if (test_random(&a, &b, layout, size, ops))
			goto out;
	} else {
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			if (test_mr(&a, &b, cases[i].size, cases[i].offset))
				goto out;
	}
	printf("1..%d\n", tap_count);
	status = tap_failed ? 1 : 0;
out:
	end_close(&a);
	end_close(&b);
	return status;
}
