/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * libibphyr internals: not exported (see libibphyr.map), declared here for
 * the library's sources and its unit tests.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#ifndef IBPHYR_PRIV_H
#define IBPHYR_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <rdma/rdma_user_ioctl_cmds.h>
#include <rdma/ib_user_ioctl_cmds.h>
#include <rdma/ib_user_mr_footprint.h>
#include <infiniband/phyr.h>

/* --- UVERBS_METHOD_QUERY_MR ------------------------------------------- */

enum {
	IBPHYR_QA_HANDLE,
	IBPHYR_QA_LKEY,
	IBPHYR_QA_RKEY,
	IBPHYR_QA_LENGTH,
	IBPHYR_QA_FOOTPRINT,
	IBPHYR_QUERY_NATTRS,
};

#define IBPHYR_QUERY_HDR_LEN	(sizeof(struct ib_uverbs_ioctl_hdr) + \
				 IBPHYR_QUERY_NATTRS * sizeof(struct ib_uverbs_attr))

/* The ioctl's argument and the outputs it points to, in one block */
struct ibphyr_query_cmd {
	uint64_t buf[IBPHYR_QUERY_HDR_LEN / sizeof(uint64_t)];
	uint32_t lkey;
	uint32_t rkey;
	uint64_t length;
	struct ib_uverbs_mr_footprint fp;
};

static inline struct ib_uverbs_ioctl_hdr *
ibphyr_query_hdr(struct ibphyr_query_cmd *c)
{
	return (struct ib_uverbs_ioctl_hdr *)c->buf;
}

void ibphyr_priv_query_encode(struct ibphyr_query_cmd *c, uint32_t handle,
			      uint32_t driver_id);
int ibphyr_priv_query_decode(struct ibphyr_query_cmd *c,
			     struct ibphyr_footprint *fp);
int ibphyr_priv_fp_from_uapi(const struct ib_uverbs_mr_footprint *k,
			     struct ibphyr_footprint *fp);

/* Test hooks: the ioctl and the device's driver ID */
extern int (*ibphyr_priv_ioctl)(int fd, unsigned long req, void *arg);
extern int (*ibphyr_priv_driver_id)(struct ibv_context *ctx, uint32_t *id);

/* --- netlink ---------------------------------------------------------- */

/* A netlink attribute walk over [p, p + left) */
struct ibphyr_nla_iter {
	const uint8_t *p;
	size_t left;
};

struct ibphyr_nla {
	uint16_t type;		/* NLA_TYPE_MASK applied */
	uint16_t len;		/* payload length */
	const void *data;
};

/* 1: an attribute in *a, 0: the end, -EPROTO: truncated or malformed */
int ibphyr_priv_nla_next(struct ibphyr_nla_iter *it, struct ibphyr_nla *a);
int ibphyr_priv_nla_u32(const struct ibphyr_nla *a, uint32_t *v);
int ibphyr_priv_nla_u64(const struct ibphyr_nla *a, uint64_t *v);
int ibphyr_priv_nla_str(const struct ibphyr_nla *a, char *buf, size_t size);

/*
 * One request: header, then DEV_INDEX when @index >= 0, then CHARDEV_TYPE
 * when @chardev.  Returns its length, or 0 when @size is too small.
 */
size_t ibphyr_priv_nl_request(void *buf, size_t size, uint16_t cmd,
			      uint16_t nlflags, uint32_t seq, int64_t index,
			      const char *chardev);

/* The RDMA_NLDEV_ATTR_DRIVER nest of an MR into *fp; sets *reported */
int ibphyr_priv_parse_driver(const void *data, size_t len,
			     struct ibphyr_footprint *fp, bool *reported);
/* One RDMA_NLDEV_ATTR_RES_MR_ENTRY nest */
int ibphyr_priv_parse_mr_entry(const void *data, size_t len,
			       struct ibphyr_mr_info *mr);

struct ibphyr_mr_vec {
	struct ibphyr_mr_info *v;
	size_t nr;
	size_t cap;
};

struct ibphyr_dev {
	uint32_t index;
	char name[IBPHYR_NAME_MAX];
};

struct ibphyr_dev_vec {
	struct ibphyr_dev *v;
	size_t nr;
	size_t cap;
};

/*
 * Walk a buffer of netlink messages answering request @seq.  Each message
 * of the answer goes to @msg (its attributes after the nlmsghdr).  Returns
 * 1 when the answer ended (NLMSG_DONE, an ACK, or a message without
 * NLM_F_MULTI), 0 when more is to be received, a negative errno for an error
 * message or a malformed buffer.
 */
int ibphyr_priv_nl_walk(const void *buf, size_t len, uint32_t seq,
			int (*msg)(const void *attrs, size_t len, void *arg),
			void *arg);

/* @msg callbacks: a device of RDMA_NLDEV_CMD_GET, MRs of RES_MR_GET */
int ibphyr_priv_dev_msg(const void *attrs, size_t len, void *arg);
int ibphyr_priv_mr_msg(const void *attrs, size_t len, void *arg);

/* The uverbs driver ID of device @index through RDMA_NLDEV_CMD_GET_CHARDEV */
int ibphyr_priv_chardev_msg(const void *attrs, size_t len, void *arg);
int ibphyr_priv_nl_driver_id(uint32_t index, uint32_t *driver_id);
int ibphyr_priv_nl_devices(struct ibphyr_dev_vec *devs);

/* --- estimate --------------------------------------------------------- */

uint64_t ibphyr_priv_kmalloc_size(uint64_t size, uint32_t page_size);
uint64_t ibphyr_priv_sg_bytes(uint64_t entries, uint32_t page_size);

#endif
