// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * mr_rdma: register memory with ibv_reg_mr on one Soft-RoCE device and move
 * data into and out of it with RDMA WRITE and READ from a second device, then
 * check that the bytes landed intact at the first, a middle and the last byte
 * of the MR, and that nothing beside them changed.
 *
 * Runs in the test guest between rxe0 and rxe1 (ci/guest-setup.sh) and prints
 * TAP, one line per check.  Exit status: 0 if every check passed, 1 if one
 * failed, 2 on a setup error (no device, a verbs call failed).
 */
#include <errno.h>
#include <getopt.h>
#include <infiniband/verbs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* One end of the connection: a device, its PD, CQ and RC QP. */
struct end {
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	struct ibv_cq *cq;
	struct ibv_qp *qp;
	union ibv_gid gid;
};

#define CHUNK 64	/* bytes moved by each RDMA operation */

static int tap_count;
static int tap_failed;

static void tap(int ok, const char *fmt, size_t a, size_t b, size_t c)
{
	tap_count++;
	if (!ok)
		tap_failed++;
	printf("%sok %d - ", ok ? "" : "not ", tap_count);
	printf(fmt, a, b, c);
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

static int end_open(struct end *e, const char *name)
{
	struct ibv_qp_init_attr qpa = {
		.qp_type = IBV_QPT_RC,
		.cap = { .max_send_wr = 4, .max_recv_wr = 1,
			 .max_send_sge = 1, .max_recv_sge = 1 },
	};

	e->ctx = open_device(name);
	if (!e->ctx)
		return -1;
	e->pd = ibv_alloc_pd(e->ctx);
	if (!e->pd)
		return -1;
	e->cq = ibv_create_cq(e->ctx, 8, NULL, NULL, 0);
	if (!e->cq)
		return -1;
	qpa.send_cq = e->cq;
	qpa.recv_cq = e->cq;
	e->qp = ibv_create_qp(e->pd, &qpa);
	if (!e->qp)
		return -1;
	return ibv_query_gid(e->ctx, 1, 0, &e->gid) ? -1 : 0;
}

static void end_close(struct end *e)
{
	if (e->qp)
		ibv_destroy_qp(e->qp);
	if (e->cq)
		ibv_destroy_cq(e->cq);
	if (e->pd)
		ibv_dealloc_pd(e->pd);
	if (e->ctx)
		ibv_close_device(e->ctx);
}

/* Walk the QP of @e through INIT, RTR and RTS towards @peer. */
static int end_connect(struct end *e, const struct end *peer)
{
	struct ibv_qp_attr a = {
		.qp_state = IBV_QPS_INIT,
		.port_num = 1,
		.qp_access_flags = IBV_ACCESS_REMOTE_WRITE |
				   IBV_ACCESS_REMOTE_READ,
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
	a.timeout = 14;
	a.retry_cnt = 7;
	a.rnr_retry = 7;
	a.sq_psn = 0;
	a.max_rd_atomic = 1;
	return ibv_modify_qp(e->qp, &a, IBV_QP_STATE | IBV_QP_TIMEOUT |
			     IBV_QP_RETRY_CNT | IBV_QP_RNR_RETRY |
			     IBV_QP_SQ_PSN | IBV_QP_MAX_QP_RD_ATOMIC);
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
	struct ibv_send_wr *bad;
	struct ibv_wc wc;
	int n;

	if (ibv_post_send(e->qp, &wr, &bad))
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
	const int access = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE |
			   IBV_ACCESS_REMOTE_READ;
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

	tmr = ibv_reg_mr(target->pd, tmr_base, size, access);
	lmr = ibv_reg_mr(init->pd, lbuf, 2 * CHUNK, access);
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
		if (rdma_op(init, IBV_WR_RDMA_WRITE, lmr, lbuf, tmr, raddr, len)) {
			setup_error("RDMA WRITE");
			goto out;
		}
		memcpy(shadow + at, lbuf, len);
		tap(!memcmp(tmr_base, shadow, size),
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
		tap(!memcmp(lbuf + CHUNK, tmr_base + at, len) &&
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

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: mr_rdma [-a DEV] [-b DEV]\n"
		"RDMA WRITE and READ from DEV a into MRs registered on DEV b\n"
		"(defaults rxe0 and rxe1), checked at the first, a middle and\n"
		"the last byte of MRs of several sizes.  Prints TAP.\n");
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
	const char *a_name = "rxe0", *b_name = "rxe1";
	struct end a = { 0 }, b = { 0 };
	int opt, status = 2;

	while ((opt = getopt(argc, argv, "a:b:h")) != -1) {
		switch (opt) {
		case 'a': a_name = optarg; break;
		case 'b': b_name = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}

	if (end_open(&a, a_name) || end_open(&b, b_name)) {
		setup_error("opening the devices");
		goto out;
	}
	if (end_connect(&a, &b) || end_connect(&b, &a)) {
		setup_error("connecting the QPs");
		goto out;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (test_mr(&a, &b, cases[i].size, cases[i].offset))
			goto out;
	printf("1..%d\n", tap_count);
	status = tap_failed ? 1 : 0;
out:
	end_close(&a);
	end_close(&b);
	return status;
}
