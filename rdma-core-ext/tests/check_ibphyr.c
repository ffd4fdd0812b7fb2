// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * libibphyr and ibphyr unit tests, without a kernel: the ioctl's encoding
 * and decoding, the stock estimate, netlink building and parsing from
 * hand-made bytes, option parsing, output and the reporter's records.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <rdma/rdma_netlink.h>
#include <rdma/ib_user_ioctl_verbs.h>
#include "ibphyr_priv.h"
#include "cli.h"
#include "record.h"

/* --- a tiny JSON validator --------------------------------------------- */

static const char *js_val(const char *p);

static const char *js_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static const char *js_str(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p && *p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				int i;

				for (i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
						return NULL;
				p += 4;
			} else if (!*p || !strchr("\"\\/bfnrt", *p)) {
				return NULL;
			}
		}
		p++;
	}
	return *p == '"' ? p + 1 : NULL;
}

static const char *js_num(const char *p)
{
	const char *s = p;

	if (*p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return NULL;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return p > s ? p : NULL;
}

static const char *js_val(const char *p)
{
	p = js_ws(p);
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';
		bool obj = *p == '{';

		p = js_ws(p + 1);
		if (*p == close)
			return p + 1;
		for (;;) {
			if (obj) {
				p = js_str(js_ws(p));
				if (!p)
					return NULL;
				p = js_ws(p);
				if (*p++ != ':')
					return NULL;
			}
			p = js_val(p);
			if (!p)
				return NULL;
			p = js_ws(p);
			if (*p == close)
				return p + 1;
			if (*p++ != ',')
				return NULL;
		}
	}
	if (*p == '"')
		return js_str(p);
	if (!strncmp(p, "true", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	if (!strncmp(p, "null", 4))
		return p + 4;
	return js_num(p);
}

static bool json_valid(const char *s)
{
	const char *p = js_val(s);

	return p && !*js_ws(p);
}

/* Output into a string */
struct membuf {
	char *s;
	size_t len;
	FILE *f;
};

static FILE *mb_open(struct membuf *m)
{
	m->s = NULL;
	m->len = 0;
	m->f = open_memstream(&m->s, &m->len);
	ck_assert_ptr_nonnull(m->f);
	return m->f;
}

static char *mb_close(struct membuf *m)
{
	fclose(m->f);
	return m->s;
}

static void sample_fp(struct ibphyr_footprint *fp, uint32_t driver_id,
		      uint64_t pages, bool exact)
{
	memset(fp, 0, sizeof(*fp));
	fp->version = 1;
	fp->flags = exact ? IBPHYR_FP_EXACT : 0;
	fp->driver_id = driver_id;
	fp->page_size = 4096;
	fp->pages = pages;
	fp->cpu_bytes = 8 * pages;
	fp->kernel_bytes = fp->cpu_bytes;
	fp->runs = exact ? pages : 0;
	if (exact)
		fp->entries[IBPHYR_ENC_PACKED] = pages;
}

/* --- ioctl ------------------------------------------------------------- */

START_TEST(test_encode)
{
	struct ibphyr_query_cmd c;
	struct ib_uverbs_ioctl_hdr *h = ibphyr_query_hdr(&c);
	struct ib_uverbs_attr *a = h->attrs;

	memset(&c, 0xa5, sizeof(c));
	ibphyr_priv_query_encode(&c, 0x1234, RDMA_DRIVER_RXE);
	ck_assert_uint_eq(h->length, sizeof(*h) + 5 * sizeof(*a));
	ck_assert_uint_eq(h->length, 104);
	ck_assert_uint_eq(h->object_id, UVERBS_OBJECT_MR);
	ck_assert_uint_eq(h->method_id, UVERBS_METHOD_QUERY_MR);
	ck_assert_uint_eq(h->num_attrs, 5);
	ck_assert_uint_eq(h->reserved1, 0);
	ck_assert_uint_eq(h->reserved2, 0);
	ck_assert_uint_eq(h->driver_id, RDMA_DRIVER_RXE);

	ck_assert_uint_eq(a[0].attr_id, UVERBS_ATTR_QUERY_MR_HANDLE);
	ck_assert_uint_eq(a[0].len, 0);
	ck_assert_uint_eq(a[0].flags, UVERBS_ATTR_F_MANDATORY);
	ck_assert_uint_eq(a[0].attr_data.reserved, 0);
	ck_assert_uint_eq(a[0].data, 0x1234);

	ck_assert_uint_eq(a[1].attr_id, UVERBS_ATTR_QUERY_MR_RESP_LKEY);
	ck_assert_uint_eq(a[1].len, 4);
	ck_assert_uint_eq(a[1].data, (uintptr_t)&c.lkey);
	ck_assert_uint_eq(a[1].flags, UVERBS_ATTR_F_MANDATORY);
	ck_assert_uint_eq(a[2].attr_id, UVERBS_ATTR_QUERY_MR_RESP_RKEY);
	ck_assert_uint_eq(a[2].len, 4);
	ck_assert_uint_eq(a[2].data, (uintptr_t)&c.rkey);
	ck_assert_uint_eq(a[3].attr_id, UVERBS_ATTR_QUERY_MR_RESP_LENGTH);
	ck_assert_uint_eq(a[3].len, 8);
	ck_assert_uint_eq(a[3].data, (uintptr_t)&c.length);
	ck_assert_uint_eq(a[3].attr_data.reserved, 0);

	ck_assert_uint_eq(a[4].attr_id, 0x1000 | 30);
	ck_assert_uint_eq(a[4].len, sizeof(struct ib_uverbs_mr_footprint));
	ck_assert_uint_eq(a[4].len, 128);	/* version 1, 8 encoding slots */
	ck_assert_uint_eq(a[4].flags, 0);	/* never mandatory */
	ck_assert_uint_eq(a[4].attr_data.reserved, 0);
	ck_assert_uint_eq(a[4].data, (uintptr_t)&c.fp);
	/* Outputs start zeroed */
	ck_assert_uint_eq(c.fp.version, 0);
	ck_assert_uint_eq(c.fp.entries[4], 0);
}
END_TEST

static void kernel_fp(struct ib_uverbs_mr_footprint *k)
{
	unsigned int i;

	k->version = 1;
	k->flags = IB_UVERBS_MR_FOOTPRINT_EXACT;
	k->driver_id = RDMA_DRIVER_SIW;
	k->page_shift = 12;
	k->pages = 16;
	k->cpu_bytes = 64;
	k->dma_bytes = 32;
	k->driver_bytes = 8;
	k->runs = 3;
	k->dma_entries = 2;
	for (i = 0; i < IB_UVERBS_MR_NR_ENC; i++)
		k->entries[i] = i + 1;
}

START_TEST(test_decode)
{
	struct ibphyr_query_cmd c;
	struct ibphyr_footprint fp;
	struct ib_uverbs_attr *a;

	ibphyr_priv_query_encode(&c, 1, 0);
	a = &ibphyr_query_hdr(&c)->attrs[IBPHYR_QA_FOOTPRINT];
	/* Written but not flagged: still not reported */
	kernel_fp(&c.fp);
	ck_assert_int_eq(ibphyr_priv_query_decode(&c, &fp), EOPNOTSUPP);
	ck_assert_uint_eq(fp.pages, 0);
	ck_assert_uint_eq(fp.version, 0);

	a->flags |= UVERBS_ATTR_F_VALID_OUTPUT;
	ck_assert_int_eq(ibphyr_priv_query_decode(&c, &fp), 0);
	ck_assert_uint_eq(fp.version, 1);
	ck_assert_uint_eq(fp.flags, IBPHYR_FP_EXACT);
	ck_assert_uint_eq(fp.driver_id, RDMA_DRIVER_SIW);
	ck_assert_uint_eq(fp.page_size, 4096);
	ck_assert_uint_eq(fp.pages, 16);
	ck_assert_uint_eq(fp.kernel_bytes, 104);
	ck_assert_uint_eq(fp.runs, 3);
	ck_assert_uint_eq(fp.dma_entries, 2);
	ck_assert_uint_eq(fp.entries[0], 1);
	ck_assert_uint_eq(fp.entries[4], 5);
	ck_assert_uint_eq(fp.reserved[0], 0);

	/* An older kernel writes up to driver_bytes, the rest stays zero */
	memset((char *)&c.fp + offsetof(struct ib_uverbs_mr_footprint, runs), 0,
	       sizeof(c.fp) - offsetof(struct ib_uverbs_mr_footprint, runs));
	ck_assert_int_eq(ibphyr_priv_query_decode(&c, &fp), 0);
	ck_assert_uint_eq(fp.kernel_bytes, 104);
	ck_assert_uint_eq(fp.runs, 0);
	ck_assert_uint_eq(fp.entries[4], 0);

	/* Version 0 or a silly page shift: not a footprint */
	c.fp.version = 0;
	ck_assert_int_eq(ibphyr_priv_query_decode(&c, &fp), EPROTO);
	c.fp.version = 1;
	c.fp.page_shift = 63;
	ck_assert_int_eq(ibphyr_priv_query_decode(&c, &fp), EPROTO);
}
END_TEST

static int fake_errno;
static bool fake_valid;
static uint32_t fake_seen_driver;

static int fake_ioctl(int fd, unsigned long req, void *arg)
{
	struct ib_uverbs_ioctl_hdr *h = arg;
	struct ib_uverbs_attr *a = h->attrs;
	unsigned int i;

	ck_assert_int_eq(fd, 42);
	ck_assert_uint_eq(req, RDMA_VERBS_IOCTL);
	fake_seen_driver = h->driver_id;
	if (fake_errno) {
		errno = fake_errno;
		return -1;
	}
	for (i = 0; i < h->num_attrs; i++) {
		if (a[i].attr_id == UVERBS_ATTR_QUERY_MR_RESP_FOOTPRINT && fake_valid) {
			kernel_fp((void *)(uintptr_t)a[i].data);
			a[i].flags |= UVERBS_ATTR_F_VALID_OUTPUT;
		} else if (a[i].attr_id == UVERBS_ATTR_QUERY_MR_RESP_LENGTH) {
			*(uint64_t *)(uintptr_t)a[i].data = 65536;
			a[i].flags |= UVERBS_ATTR_F_VALID_OUTPUT;
		}
	}
	return 0;
}

static int fake_drv_ret;

static int fake_driver_id(struct ibv_context *ctx, uint32_t *id)
{
	(void)ctx;
	*id = RDMA_DRIVER_RXE;
	return fake_drv_ret;
}

START_TEST(test_query_mr)
{
	struct ibv_device dev;
	struct ibv_context ctx;
	struct ibv_mr mr;
	struct ibphyr_footprint fp;

	memset(&dev, 0, sizeof(dev));
	memset(&ctx, 0, sizeof(ctx));
	memset(&mr, 0, sizeof(mr));
	ctx.device = &dev;
	ctx.cmd_fd = 42;
	mr.context = &ctx;
	mr.handle = 7;
	ibphyr_priv_ioctl = fake_ioctl;
	ibphyr_priv_driver_id = fake_driver_id;

	fake_errno = 0;
	fake_valid = true;
	ck_assert_int_eq(ibphyr_query_mr(&mr, &fp), 0);
	ck_assert_uint_eq(fake_seen_driver, RDMA_DRIVER_RXE);
	ck_assert_uint_eq(fp.pages, 16);

	/* A stock kernel ignores the attribute */
	fake_valid = false;
	ck_assert_int_eq(ibphyr_query_mr(&mr, &fp), EOPNOTSUPP);
	ck_assert_uint_eq(fp.pages, 0);
	/* No method, unknown attribute marked mandatory, bad driver ID */
	fake_errno = EPROTONOSUPPORT;
	ck_assert_int_eq(ibphyr_query_mr(&mr, &fp), EOPNOTSUPP);
	fake_errno = EINVAL;
	ck_assert_int_eq(ibphyr_query_mr(&mr, &fp), EOPNOTSUPP);
	fake_errno = EOPNOTSUPP;
	ck_assert_int_eq(ibphyr_query_mr(&mr, &fp), EOPNOTSUPP);
	fake_errno = EFAULT;
	ck_assert_int_eq(ibphyr_query_mr(&mr, &fp), EFAULT);
	fake_errno = ENOENT;
	ck_assert_int_eq(ibphyr_query_mr(&mr, &fp), ENOENT);

	fake_errno = 0;
	fake_drv_ret = ENODEV;
	ck_assert_int_eq(ibphyr_query_mr(&mr, &fp), ENODEV);
	fake_drv_ret = 0;

	ck_assert_int_eq(ibphyr_query_mr(NULL, &fp), EINVAL);
	ck_assert_int_eq(ibphyr_query_mr(&mr, NULL), EINVAL);
	mr.context = NULL;
	ck_assert_int_eq(ibphyr_query_mr(&mr, &fp), EINVAL);
}
END_TEST

/* --- estimate ---------------------------------------------------------- */

START_TEST(test_kmalloc)
{
	ck_assert_uint_eq(ibphyr_priv_kmalloc_size(0, 4096), 0);
	ck_assert_uint_eq(ibphyr_priv_kmalloc_size(1, 4096), 8);
	ck_assert_uint_eq(ibphyr_priv_kmalloc_size(65, 4096), 96);
	ck_assert_uint_eq(ibphyr_priv_kmalloc_size(97, 4096), 128);
	ck_assert_uint_eq(ibphyr_priv_kmalloc_size(129, 4096), 192);
	ck_assert_uint_eq(ibphyr_priv_kmalloc_size(193, 4096), 256);
	ck_assert_uint_eq(ibphyr_priv_kmalloc_size(1032, 4096), 2048);
	ck_assert_uint_eq(ibphyr_priv_kmalloc_size(8192, 4096), 8192);
	ck_assert_uint_eq(ibphyr_priv_kmalloc_size(8193, 4096), 16384);
	ck_assert_uint_eq(ibphyr_priv_kmalloc_size(1048576, 4096), 1048576);
	ck_assert_uint_eq(ibphyr_priv_kmalloc_size(1048577, 4096), 2097152);
	/* Chained tables of 128 entries, 127 usable but in the last */
	ck_assert_uint_eq(ibphyr_priv_sg_bytes(1, 4096), 32);
	ck_assert_uint_eq(ibphyr_priv_sg_bytes(3, 4096), 96);
	ck_assert_uint_eq(ibphyr_priv_sg_bytes(127, 4096), 4096);
	ck_assert_uint_eq(ibphyr_priv_sg_bytes(128, 4096), 4096);
	ck_assert_uint_eq(ibphyr_priv_sg_bytes(129, 4096), 4096 + 64);
	ck_assert_uint_eq(ibphyr_priv_sg_bytes(255, 4096), 8192);
	ck_assert_uint_eq(ibphyr_priv_sg_bytes(65536, 4096), 516 * 4096 + 128);
}
END_TEST

START_TEST(test_estimate_measured)
{
	struct ibphyr_footprint fp;
	struct ibphyr_estimate e;
	double bpp;

	/* 256 MiB, every page its own run: measured rxe 48.25 B/page */
	sample_fp(&fp, RDMA_DRIVER_RXE, 65536, true);
	ck_assert_int_eq(ibphyr_stock_estimate(&fp, 256 << 20, &e), 0);
	ck_assert_uint_eq(e.flags, 0);
	ck_assert_uint_eq(e.sg_entries, 65536);
	ck_assert_uint_eq(e.driver_bytes, 1048576);
	ck_assert_uint_eq(e.total_bytes, e.sg_bytes + e.driver_bytes);
	bpp = (double)e.total_bytes / 65536;
	ck_assert_double_eq_tol(bpp, 48.25, 0.01);

	/* siw: measured 40.125 B/page */
	fp.driver_id = RDMA_DRIVER_SIW;
	ck_assert_int_eq(ibphyr_stock_estimate(&fp, 256 << 20, &e), 0);
	ck_assert_uint_eq(e.flags, 0);
	/* 128 chunks of 512 pointers and the 129-entry chunk array */
	ck_assert_uint_eq(e.driver_bytes, 128 * 4096 + 2048);
	bpp = (double)e.total_bytes / 65536;
	ck_assert_double_eq_tol(bpp, 40.125, 0.2);

	/* Without CAP_SYS_ADMIN: one entry per page, an upper bound */
	sample_fp(&fp, RDMA_DRIVER_RXE, 65536, false);
	ck_assert_int_eq(ibphyr_stock_estimate(&fp, 256 << 20, &e), 0);
	ck_assert_uint_eq(e.flags, IBPHYR_EST_UPPER_BOUND);
	ck_assert_double_eq_tol((double)e.total_bytes / 65536, 48.25, 0.01);
}
END_TEST

START_TEST(test_estimate_other)
{
	struct ibphyr_footprint fp;
	struct ibphyr_estimate e;

	/* Contiguous: 512 pages in 1 run, one pin batch */
	sample_fp(&fp, RDMA_DRIVER_MLX5, 512, true);
	fp.runs = 1;
	ck_assert_int_eq(ibphyr_stock_estimate(&fp, 2 << 20, &e), 0);
	ck_assert_uint_eq(e.sg_bytes, 32);
	ck_assert_uint_eq(e.driver_bytes, 0);
	ck_assert_uint_eq(e.flags, 0);
	/* More than a batch: the first table is a whole page */
	fp.pages = 4096;
	fp.runs = 8;
	ck_assert_int_eq(ibphyr_stock_estimate(&fp, 16 << 20, &e), 0);
	ck_assert_uint_eq(e.sg_bytes, 4096);

	fp.driver_id = RDMA_DRIVER_EFA;
	ck_assert_int_eq(ibphyr_stock_estimate(&fp, 16 << 20, &e), 0);
	ck_assert_uint_eq(e.flags, IBPHYR_EST_DRIVER_UNKNOWN);
	ck_assert_uint_eq(e.driver_bytes, 0);

	fp.flags |= IBPHYR_FP_NO_LIST;
	ck_assert_int_eq(ibphyr_stock_estimate(&fp, 16 << 20, &e), 0);
	ck_assert_uint_eq(e.total_bytes, 0);

	/* Pages unknown: from the length */
	sample_fp(&fp, RDMA_DRIVER_RXE, 0, false);
	ck_assert_int_eq(ibphyr_stock_estimate(&fp, 3 * 4096 + 1, &e), 0);
	ck_assert_uint_eq(e.sg_entries, 4);
	ck_assert(e.flags & IBPHYR_EST_UPPER_BOUND);

	ck_assert_int_eq(ibphyr_stock_estimate(NULL, 1, &e), EINVAL);
	ck_assert_int_eq(ibphyr_stock_estimate(&fp, 1, NULL), EINVAL);
	fp.page_size = 3000;
	ck_assert_int_eq(ibphyr_stock_estimate(&fp, 1, &e), EINVAL);
	fp.page_size = 0;
	ck_assert_int_eq(ibphyr_stock_estimate(&fp, 1, &e), EINVAL);
}
END_TEST

START_TEST(test_enc_name)
{
	ck_assert_str_eq(ibphyr_enc_name(IBPHYR_ENC_PACKED), "packed");
	ck_assert_str_eq(ibphyr_enc_name(IBPHYR_ENC_LARGE), "large");
	ck_assert_ptr_null(ibphyr_enc_name(IBPHYR_NR_ENC));
	ibphyr_free_mrs(NULL);
}
END_TEST

/* --- netlink ----------------------------------------------------------- */

struct nlb {
	uint8_t b[8192];
	size_t len;
};

static size_t nl_put(struct nlb *n, uint16_t type, const void *data, size_t len)
{
	struct nlattr h = { .nla_len = (uint16_t)(NLA_HDRLEN + len), .nla_type = type };
	size_t at = n->len;

	ck_assert_uint_le(n->len + NLA_ALIGN(NLA_HDRLEN + len), sizeof(n->b));
	memcpy(n->b + n->len, &h, sizeof(h));
	if (len)
		memcpy(n->b + n->len + NLA_HDRLEN, data, len);
	memset(n->b + n->len + NLA_HDRLEN + len, 0,
	       NLA_ALIGN(NLA_HDRLEN + len) - NLA_HDRLEN - len);
	n->len += NLA_ALIGN(NLA_HDRLEN + len);
	return at;
}

static void nl_u32(struct nlb *n, uint16_t type, uint32_t v)
{
	nl_put(n, type, &v, sizeof(v));
}

static void nl_u64(struct nlb *n, uint16_t type, uint64_t v)
{
	nl_put(n, type, &v, sizeof(v));
}

static void nl_str(struct nlb *n, uint16_t type, const char *s)
{
	nl_put(n, type, s, strlen(s) + 1);
}

static size_t nl_nest(struct nlb *n, uint16_t type)
{
	return nl_put(n, type | NLA_F_NESTED, NULL, 0);
}

static void nl_nest_end(struct nlb *n, size_t at)
{
	struct nlattr h;

	memcpy(&h, n->b + at, sizeof(h));
	h.nla_len = (uint16_t)(n->len - at);
	memcpy(n->b + at, &h, sizeof(h));
}

static void drv_u64(struct nlb *n, const char *name, uint64_t v)
{
	uint8_t pt = RDMA_NLDEV_PRINT_TYPE_UNSPEC;

	nl_str(n, RDMA_NLDEV_ATTR_DRIVER_STRING, name);
	if (v & 1)	/* with and without a print type */
		nl_put(n, RDMA_NLDEV_ATTR_DRIVER_PRINT_TYPE, &pt, 1);
	nl_u64(n, RDMA_NLDEV_ATTR_DRIVER_U64, v);
}

static void drv_u32(struct nlb *n, const char *name, uint32_t v)
{
	nl_str(n, RDMA_NLDEV_ATTR_DRIVER_STRING, name);
	nl_u32(n, RDMA_NLDEV_ATTR_DRIVER_U32, v);
}

/* The phyr kernel's driver nest, privileged or not */
static void driver_nest(struct nlb *n, bool exact)
{
	size_t at = nl_nest(n, RDMA_NLDEV_ATTR_DRIVER);

	nl_str(n, RDMA_NLDEV_ATTR_DRIVER_STRING, "odp");	/* mlx5's */
	nl_str(n, RDMA_NLDEV_ATTR_DRIVER_STRING, "no");
	drv_u32(n, "fp_version", 1);
	drv_u32(n, "fp_flags", exact ? IBPHYR_FP_EXACT : 0);
	drv_u32(n, "driver_id", RDMA_DRIVER_RXE);
	drv_u32(n, "page_shift", 12);
	drv_u64(n, "pages", 16);
	drv_u64(n, "cpu_bytes", 4096);
	drv_u64(n, "dma_bytes", 0);
	drv_u64(n, "driver_bytes", 0);
	drv_u64(n, "kernel_bytes", 4096);
	drv_u64(n, "future_thing", 99);
	if (exact) {
		drv_u64(n, "runs", 3);
		drv_u64(n, "dma_entries", 0);
		drv_u64(n, "ent_packed", 2);
		drv_u64(n, "ent_block", 1);
		drv_u64(n, "ent_count", 0);
		drv_u64(n, "ent_bytes", 0);
		drv_u64(n, "ent_large", 7);
	}
	nl_nest_end(n, at);
}

static void mr_entry(struct nlb *n, uint32_t mrn, uint32_t pid, bool phyr)
{
	size_t at = nl_nest(n, RDMA_NLDEV_ATTR_RES_MR_ENTRY);

	nl_u32(n, RDMA_NLDEV_ATTR_RES_MRN, mrn);
	nl_u32(n, RDMA_NLDEV_ATTR_RES_RKEY, 0x11);
	nl_u32(n, RDMA_NLDEV_ATTR_RES_LKEY, 0x22);
	nl_u64(n, RDMA_NLDEV_ATTR_RES_MRLEN, 65536);
	if (pid)
		nl_u32(n, RDMA_NLDEV_ATTR_RES_PID, pid);
	else
		nl_str(n, RDMA_NLDEV_ATTR_RES_KERN_NAME, "ib_srpt");
	nl_u32(n, RDMA_NLDEV_ATTR_RES_PDN, 3);
	if (phyr)
		driver_nest(n, true);
	nl_nest_end(n, at);
}

START_TEST(test_nl_driver)
{
	struct ibphyr_footprint fp;
	struct nlb n = { .len = 0 };
	bool rep;
	size_t l;

	driver_nest(&n, true);
	/* The nest's payload */
	ck_assert_int_eq(ibphyr_priv_parse_driver(n.b + NLA_HDRLEN, n.len - NLA_HDRLEN,
						  &fp, &rep), 0);
	ck_assert(rep);
	ck_assert_uint_eq(fp.version, 1);
	ck_assert_uint_eq(fp.flags, IBPHYR_FP_EXACT);
	ck_assert_uint_eq(fp.driver_id, RDMA_DRIVER_RXE);
	ck_assert_uint_eq(fp.page_size, 4096);
	ck_assert_uint_eq(fp.pages, 16);
	ck_assert_uint_eq(fp.kernel_bytes, 4096);
	ck_assert_uint_eq(fp.runs, 3);
	ck_assert_uint_eq(fp.entries[IBPHYR_ENC_PACKED], 2);
	ck_assert_uint_eq(fp.entries[IBPHYR_ENC_BLOCK], 1);
	ck_assert_uint_eq(fp.entries[IBPHYR_ENC_LARGE], 7);

	/* Every truncation: an error or a (partial) parse, never a bad read */
	for (l = 0; l < n.len - NLA_HDRLEN; l++) {
		uint8_t *copy = malloc(l ? l : 1);
		int ret;

		memcpy(copy, n.b + NLA_HDRLEN, l);
		ret = ibphyr_priv_parse_driver(copy, l, &fp, &rep);
		ck_assert(ret == 0 || ret == -EPROTO);
		free(copy);
	}

	/* A stock kernel: no fp_version */
	n.len = 0;
	drv_u64(&n, "pages", 16);
	nl_str(&n, RDMA_NLDEV_ATTR_DRIVER_STRING, "odp");
	ck_assert_int_eq(ibphyr_priv_parse_driver(n.b, n.len, &fp, &rep), 0);
	ck_assert(!rep);
	ck_assert_int_eq(ibphyr_priv_parse_driver(n.b, 0, &fp, &rep), 0);
	ck_assert(!rep);

	/* A value of the wrong size */
	n.len = 0;
	nl_str(&n, RDMA_NLDEV_ATTR_DRIVER_STRING, "fp_version");
	nl_put(&n, RDMA_NLDEV_ATTR_DRIVER_U64, "abc", 3);
	ck_assert_int_eq(ibphyr_priv_parse_driver(n.b, n.len, &fp, &rep), -EPROTO);
	/* A name without its NUL */
	n.len = 0;
	nl_put(&n, RDMA_NLDEV_ATTR_DRIVER_STRING, "fp_version", 10);
	drv_u32(&n, "page_shift", 12);
	ck_assert_int_eq(ibphyr_priv_parse_driver(n.b, n.len, &fp, &rep), -EPROTO);
	/* An attribute longer than the buffer */
	n.len = 0;
	drv_u32(&n, "fp_version", 1);
	n.b[n.len - 8] = 200;	/* the U32's nla_len */
	ck_assert_int_eq(ibphyr_priv_parse_driver(n.b, n.len, &fp, &rep), -EPROTO);
	/* fp_version without page_shift */
	n.len = 0;
	drv_u32(&n, "fp_version", 1);
	ck_assert_int_eq(ibphyr_priv_parse_driver(n.b, n.len, &fp, &rep), -EPROTO);
	/* A u32 field that does not fit */
	n.len = 0;
	drv_u64(&n, "fp_version", 1ull << 40);
	drv_u32(&n, "page_shift", 12);
	ck_assert_int_eq(ibphyr_priv_parse_driver(n.b, n.len, &fp, &rep), -EPROTO);
	/* nla_len below the header */
	n.len = 0;
	nl_u32(&n, RDMA_NLDEV_ATTR_DRIVER_U32, 1);
	n.b[0] = 2;
	n.b[1] = 0;
	ck_assert_int_eq(ibphyr_priv_parse_driver(n.b, n.len, &fp, &rep), -EPROTO);
	/* A trailing half header */
	n.len = 0;
	drv_u32(&n, "fp_version", 1);
	drv_u32(&n, "page_shift", 12);
	ck_assert_int_eq(ibphyr_priv_parse_driver(n.b, n.len + 2, &fp, &rep), -EPROTO);
}
END_TEST

static size_t nl_msg_begin(struct nlb *n, uint32_t seq, uint16_t type, uint16_t flags)
{
	struct nlmsghdr h = { .nlmsg_type = type, .nlmsg_flags = flags, .nlmsg_seq = seq };
	size_t at = n->len;

	memcpy(n->b + n->len, &h, sizeof(h));
	n->len += NLMSG_HDRLEN;
	return at;
}

static void nl_msg_end(struct nlb *n, size_t at)
{
	struct nlmsghdr h;

	memcpy(&h, n->b + at, sizeof(h));
	h.nlmsg_len = (uint32_t)(n->len - at);
	memcpy(n->b + at, &h, sizeof(h));
	n->len = at + NLMSG_ALIGN(h.nlmsg_len);
}

static void mr_msg(struct nlb *n, uint32_t seq, const char *dev, uint32_t idx,
		   int nr, bool phyr)
{
	size_t m = nl_msg_begin(n, seq, RDMA_NL_GET_TYPE(RDMA_NL_NLDEV,
				RDMA_NLDEV_CMD_RES_MR_GET), NLM_F_MULTI);
	size_t t;
	int i;

	nl_u32(n, RDMA_NLDEV_ATTR_DEV_INDEX, idx);
	nl_str(n, RDMA_NLDEV_ATTR_DEV_NAME, dev);
	t = nl_nest(n, RDMA_NLDEV_ATTR_RES_MR);
	for (i = 0; i < nr; i++)
		mr_entry(n, (uint32_t)i + 1, i ? 1000 + (uint32_t)i : 0, phyr);
	nl_nest_end(n, t);
	nl_msg_end(n, m);
}

static void done_msg(struct nlb *n, uint32_t seq)
{
	size_t m = nl_msg_begin(n, seq, NLMSG_DONE, NLM_F_MULTI);
	int zero = 0;

	memcpy(n->b + n->len, &zero, sizeof(zero));
	n->len += sizeof(zero);
	nl_msg_end(n, m);
}

START_TEST(test_nl_mr_dump)
{
	struct ibphyr_mr_vec v = { 0 };
	struct nlb n = { .len = 0 };
	size_t l, full;

	mr_msg(&n, 5, "rxe0", 2, 2, true);
	mr_msg(&n, 9, "other", 3, 1, true);	/* another request's */
	mr_msg(&n, 5, "rxe0", 2, 1, false);
	full = n.len;
	ck_assert_int_eq(ibphyr_priv_nl_walk(n.b, n.len, 5, ibphyr_priv_mr_msg, &v), 0);
	ck_assert_uint_eq(v.nr, 3);
	done_msg(&n, 5);
	ck_assert_int_eq(ibphyr_priv_nl_walk(n.b + full, n.len - full, 5,
					     ibphyr_priv_mr_msg, &v), 1);
	ck_assert_uint_eq(v.nr, 3);

	ck_assert_str_eq(v.v[0].ibdev, "rxe0");
	ck_assert_uint_eq(v.v[0].dev_index, 2);
	ck_assert_uint_eq(v.v[0].mrn, 1);
	ck_assert_uint_eq(v.v[0].pid, 0);
	ck_assert_str_eq(v.v[0].comm, "ib_srpt");
	ck_assert_uint_eq(v.v[0].flags, IBPHYR_MR_REPORTED | IBPHYR_MR_KEYS | IBPHYR_MR_KERNEL);
	ck_assert_uint_eq(v.v[0].length, 65536);
	ck_assert_uint_eq(v.v[0].pdn, 3);
	ck_assert_uint_eq(v.v[0].rkey, 0x11);
	ck_assert_uint_eq(v.v[0].fp.runs, 3);
	ck_assert_uint_eq(v.v[1].pid, 1001);
	ck_assert_uint_eq(v.v[1].flags, IBPHYR_MR_REPORTED | IBPHYR_MR_KEYS);
	ck_assert_uint_eq(v.v[2].flags, IBPHYR_MR_KEYS | IBPHYR_MR_KERNEL);	/* stock */
	free(v.v);

	/* Every truncation of the first message's bytes */
	n.len = 0;
	mr_msg(&n, 5, "rxe0", 2, 2, true);
	for (l = 0; l < n.len; l++) {
		struct ibphyr_mr_vec w = { 0 };
		uint8_t *copy = malloc(n.len);
		struct nlmsghdr h;
		int ret;

		memcpy(copy, n.b, n.len);
		ret = ibphyr_priv_nl_walk(copy, l, 5, ibphyr_priv_mr_msg, &w);
		ck_assert_int_eq(ret, l ? -EPROTO : 0);
		/* The header claims l bytes: the attributes are cut */
		if (l >= NLMSG_HDRLEN) {
			memcpy(&h, copy, sizeof(h));
			h.nlmsg_len = (uint32_t)l;
			memcpy(copy, &h, sizeof(h));
			ret = ibphyr_priv_nl_walk(copy, l, 5, ibphyr_priv_mr_msg, &w);
			ck_assert(ret == 0 || ret == -EPROTO);
		}
		free(w.v);
		free(copy);
	}
}
END_TEST

START_TEST(test_nl_errors)
{
	struct ibphyr_mr_vec v = { 0 };
	struct ibphyr_dev_vec d = { 0 };
	struct nlb n = { .len = 0 };
	size_t m;
	int err = -EPERM;

	m = nl_msg_begin(&n, 1, NLMSG_ERROR, 0);
	memcpy(n.b + n.len, &err, sizeof(err));
	n.len += sizeof(struct nlmsgerr);
	memset(n.b + n.len - sizeof(struct nlmsghdr), 0, sizeof(struct nlmsghdr));
	nl_msg_end(&n, m);
	ck_assert_int_eq(ibphyr_priv_nl_walk(n.b, n.len, 1, ibphyr_priv_mr_msg, &v), -EPERM);
	/* An ACK */
	err = 0;
	memcpy(n.b + NLMSG_HDRLEN, &err, sizeof(err));
	ck_assert_int_eq(ibphyr_priv_nl_walk(n.b, n.len, 1, ibphyr_priv_mr_msg, &v), 1);
	/* An error message too short for its error */
	n.len = 0;
	m = nl_msg_begin(&n, 1, NLMSG_ERROR, 0);
	nl_msg_end(&n, m);
	ck_assert_int_eq(ibphyr_priv_nl_walk(n.b, n.len, 1, ibphyr_priv_mr_msg, &v), -EPROTO);

	/* A device dump: index and name */
	n.len = 0;
	m = nl_msg_begin(&n, 4, RDMA_NL_GET_TYPE(RDMA_NL_NLDEV, RDMA_NLDEV_CMD_GET), NLM_F_MULTI);
	nl_u32(&n, RDMA_NLDEV_ATTR_DEV_INDEX, 7);
	nl_str(&n, RDMA_NLDEV_ATTR_DEV_NAME, "siw0");
	nl_u64(&n, RDMA_NLDEV_ATTR_NODE_GUID, 1);
	nl_msg_end(&n, m);
	done_msg(&n, 4);
	ck_assert_int_eq(ibphyr_priv_nl_walk(n.b, n.len, 4, ibphyr_priv_dev_msg, &d), 1);
	ck_assert_uint_eq(d.nr, 1);
	ck_assert_uint_eq(d.v[0].index, 7);
	ck_assert_str_eq(d.v[0].name, "siw0");
	free(d.v);
	/* A device without its name */
	n.len = 0;
	m = nl_msg_begin(&n, 4, RDMA_NL_GET_TYPE(RDMA_NL_NLDEV, RDMA_NLDEV_CMD_GET), NLM_F_MULTI);
	nl_u32(&n, RDMA_NLDEV_ATTR_DEV_INDEX, 7);
	nl_msg_end(&n, m);
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(ibphyr_priv_nl_walk(n.b, n.len, 4, ibphyr_priv_dev_msg, &d), -EPROTO);
	free(d.v);
	/* A device index of the wrong size */
	n.len = 0;
	m = nl_msg_begin(&n, 4, RDMA_NL_GET_TYPE(RDMA_NL_NLDEV, RDMA_NLDEV_CMD_GET), NLM_F_MULTI);
	nl_put(&n, RDMA_NLDEV_ATTR_DEV_INDEX, "ab", 2);
	nl_str(&n, RDMA_NLDEV_ATTR_DEV_NAME, "siw0");
	nl_msg_end(&n, m);
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(ibphyr_priv_nl_walk(n.b, n.len, 4, ibphyr_priv_dev_msg, &d), -EPROTO);
	free(d.v);
	/* A message length past the buffer */
	ck_assert_int_eq(ibphyr_priv_nl_walk(n.b, n.len - 1, 4, ibphyr_priv_dev_msg, &d), -EPROTO);
}
END_TEST

START_TEST(test_nl_chardev)
{
	struct { uint32_t driver_id; bool found; } r = { 0, false };
	struct nlb n = { .len = 0 };
	uint8_t req[64];
	struct nlmsghdr h;
	struct nlattr a;
	size_t len, m;

	len = ibphyr_priv_nl_request(req, sizeof(req), RDMA_NLDEV_CMD_GET_CHARDEV,
				     0, 77, 3, "uverbs");
	/* header 16, DEV_INDEX 8, CHARDEV_TYPE 4 + 7 -> 12 */
	ck_assert_uint_eq(len, 36);
	memcpy(&h, req, sizeof(h));
	ck_assert_uint_eq(h.nlmsg_len, 36);
	ck_assert_uint_eq(h.nlmsg_type, (RDMA_NL_NLDEV << 10) + RDMA_NLDEV_CMD_GET_CHARDEV);
	ck_assert_uint_eq(h.nlmsg_flags, NLM_F_REQUEST);
	ck_assert_uint_eq(h.nlmsg_seq, 77);
	memcpy(&a, req + 16, sizeof(a));
	ck_assert_uint_eq(a.nla_len, 8);
	ck_assert_uint_eq(a.nla_type, RDMA_NLDEV_ATTR_DEV_INDEX);
	ck_assert_uint_eq(*(uint32_t *)(req + 20), 3);
	memcpy(&a, req + 24, sizeof(a));
	ck_assert_uint_eq(a.nla_len, 11);
	ck_assert_uint_eq(a.nla_type, RDMA_NLDEV_ATTR_CHARDEV_TYPE);
	ck_assert_str_eq((char *)req + 28, "uverbs");
	ck_assert_uint_eq(req[35], 0);

	len = ibphyr_priv_nl_request(req, sizeof(req), RDMA_NLDEV_CMD_RES_MR_GET,
				     NLM_F_DUMP, 1, 0, NULL);
	ck_assert_uint_eq(len, 24);
	memcpy(&h, req, sizeof(h));
	ck_assert_uint_eq(h.nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	ck_assert_uint_eq(ibphyr_priv_nl_request(req, 20, RDMA_NLDEV_CMD_RES_MR_GET,
						 NLM_F_DUMP, 1, 0, NULL), 0);
	ck_assert_uint_eq(ibphyr_priv_nl_request(req, 8, RDMA_NLDEV_CMD_GET,
						 NLM_F_DUMP, 1, -1, NULL), 0);

	/* The reply (not NLM_F_MULTI: it ends the answer) */
	m = nl_msg_begin(&n, 77, RDMA_NL_GET_TYPE(RDMA_NL_NLDEV, RDMA_NLDEV_CMD_GET_CHARDEV), 0);
	nl_u64(&n, RDMA_NLDEV_ATTR_CHARDEV, 1);
	nl_str(&n, RDMA_NLDEV_ATTR_CHARDEV_NAME, "uverbs0");
	nl_u32(&n, RDMA_NLDEV_ATTR_UVERBS_DRIVER_ID, RDMA_DRIVER_SIW);
	nl_msg_end(&n, m);
	ck_assert_int_eq(ibphyr_priv_nl_walk(n.b, n.len, 77, ibphyr_priv_chardev_msg, &r), 1);
	ck_assert(r.found);
	ck_assert_uint_eq(r.driver_id, RDMA_DRIVER_SIW);
}
END_TEST

/* --- the CLI ----------------------------------------------------------- */

static int parse(struct ibphyr_cli *c, char **err, ...)
{
	static char *argv[16];	/* c->run_argv points into it */
	struct membuf m;
	va_list ap;
	int argc = 0, ret;

	va_start(ap, err);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	mb_open(&m);
	ret = ibphyr_cli_parse(argc, argv, c, m.f);
	*err = mb_close(&m);
	return ret;
}

START_TEST(test_cli_good)
{
	struct ibphyr_cli c;
	char *e;

	ck_assert_int_eq(parse(&c, &e, "ibphyr", NULL), 0);
	ck_assert_int_eq(c.cmd, IBPHYR_CMD_LIST);
	ck_assert_str_eq(e, "");
	free(e);
	ck_assert_int_eq(parse(&c, &e, "ibphyr", "-d", "rxe0", "--json", NULL), 0);
	ck_assert_int_eq(c.cmd, IBPHYR_CMD_LIST);
	ck_assert_str_eq(c.device, "rxe0");
	ck_assert(c.json);
	free(e);
	ck_assert_int_eq(parse(&c, &e, "ibphyr", "-j", "list", "--device=mlx5_0", "-v", NULL), 0);
	ck_assert_str_eq(c.device, "mlx5_0");
	ck_assert(c.json && c.verbose);
	free(e);
	ck_assert_int_eq(parse(&c, &e, "ibphyr", "probe", "-d", "siw0", NULL), 0);
	ck_assert_int_eq(c.cmd, IBPHYR_CMD_PROBE);
	free(e);
	ck_assert_int_eq(parse(&c, &e, "ibphyr", "run", "--json", "-o", "out", "--",
			       "sh", "-c", "exit 3", NULL), 0);
	ck_assert_int_eq(c.cmd, IBPHYR_CMD_RUN);
	ck_assert_str_eq(c.output, "out");
	ck_assert_int_eq(c.run_argc, 3);
	ck_assert_str_eq(c.run_argv[0], "sh");
	ck_assert_str_eq(c.run_argv[2], "exit 3");
	ck_assert_ptr_null(c.run_argv[3]);
	free(e);
	/* CMD's own options stay CMD's */
	ck_assert_int_eq(parse(&c, &e, "ibphyr", "run", "ls", "-l", "--json", NULL), 0);
	ck_assert(!c.json);
	ck_assert_int_eq(c.run_argc, 3);
	free(e);
	/* "--" as -o's argument is a file name */
	ck_assert_int_eq(parse(&c, &e, "ibphyr", "run", "-o", "--", "true", NULL), 0);
	ck_assert_str_eq(c.output, "--");
	ck_assert_str_eq(c.run_argv[0], "true");
	free(e);
	ck_assert_int_eq(parse(&c, &e, "ibphyr", "--help", NULL), 0);
	ck_assert_int_eq(c.cmd, IBPHYR_CMD_HELP);
	free(e);
	ck_assert_int_eq(parse(&c, &e, "ibphyr", "probe", "-h", NULL), 0);
	ck_assert_int_eq(c.cmd, IBPHYR_CMD_HELP);
	free(e);
	ck_assert_int_eq(parse(&c, &e, "ibphyr", "-V", NULL), 0);
	ck_assert_int_eq(c.cmd, IBPHYR_CMD_VERSION);
	free(e);
}
END_TEST

static void bad(const char *want, ...)
{
	struct ibphyr_cli c;
	char *argv[16], *e;
	struct membuf m;
	va_list ap;
	int argc = 0;

	va_start(ap, want);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	mb_open(&m);
	ck_assert_int_eq(ibphyr_cli_parse(argc, argv, &c, m.f), IBPHYR_EXIT_USAGE);
	e = mb_close(&m);
	ck_assert_msg(strstr(e, want), "'%s' not in '%s'", want, e);
	ck_assert_ptr_nonnull(strstr(e, "Try 'ibphyr --help'."));
	free(e);
}

START_TEST(test_cli_bad)
{
	bad("unknown command 'lst'", "ibphyr", "lst", NULL);
	bad("unknown option '--bogus'", "ibphyr", "--bogus", NULL);
	bad("unknown option '-x'", "ibphyr", "list", "-x", NULL);
	bad("option '-d' needs an argument", "ibphyr", "-d", NULL);
	bad("option '--device' needs an argument", "ibphyr", "probe", "--device", NULL);
	bad("empty device name", "ibphyr", "-d", "", NULL);
	bad("run needs a command", "ibphyr", "run", NULL);
	bad("run needs a command", "ibphyr", "run", "--", NULL);
	bad("run takes no device", "ibphyr", "run", "-d", "rxe0", "true", NULL);
	bad("--output is for run only", "ibphyr", "list", "-o", "x", NULL);
	bad("unexpected argument 'extra'", "ibphyr", "probe", "extra", NULL);
	bad("unexpected 'true'", "ibphyr", "--", "true", NULL);
}
END_TEST

static struct ibphyr_mr_info *sample_mrs(size_t *nr)
{
	struct ibphyr_mr_info *m = calloc(3, sizeof(*m));

	strcpy(m[0].ibdev, "rxe0");
	m[0].mrn = 1;
	m[0].pid = 10;
	strcpy(m[0].comm, "a\"b\\c\x01");
	m[0].length = 256 << 20;
	m[0].flags = IBPHYR_MR_REPORTED;
	sample_fp(&m[0].fp, RDMA_DRIVER_RXE, 65536, true);
	m[1] = m[0];
	m[1].mrn = 2;
	m[1].flags = 0;
	memset(&m[1].fp, 0, sizeof(m[1].fp));
	m[2] = m[0];
	strcpy(m[2].ibdev, "siw0");
	m[2].mrn = 9;
	sample_fp(&m[2].fp, RDMA_DRIVER_SIW, 65536, false);
	*nr = 3;
	return m;
}

START_TEST(test_out_list)
{
	struct ibphyr_mr_info *mrs;
	struct membuf m;
	size_t nr;
	char *s;

	mrs = sample_mrs(&nr);
	ibphyr_cli_print_list(mb_open(&m), mrs, nr, false, true);
	s = mb_close(&m);
	ck_assert_ptr_nonnull(strstr(s, "not reported"));
	ck_assert_ptr_nonnull(strstr(s, "~3162240"));		/* rxe exact */
	ck_assert_ptr_nonnull(strstr(s, "\u2264"));		/* siw upper bound */
	ck_assert_ptr_nonnull(strstr(s, "8.000"));		/* B/page */
	ck_assert_ptr_nonnull(strstr(s, "total rxe0: 2 MRs, 1 reported"));
	ck_assert_ptr_nonnull(strstr(s, "total siw0: 1 MRs, 1 reported"));
	ck_assert_ptr_nonnull(strstr(s, "total all: 3 MRs, 2 reported, 131072 pages"));
	ck_assert_ptr_nonnull(strstr(s, "entries packed 65536 block 0"));
	free(s);

	ibphyr_cli_print_list(mb_open(&m), mrs, nr, true, false);
	s = mb_close(&m);
	ck_assert_msg(json_valid(s), "invalid JSON: %s", s);
	ck_assert_ptr_nonnull(strstr(s, "\"comm\":\"a\\\"b\\\\c\\u0001\""));
	ck_assert_ptr_nonnull(strstr(s, "\"reported\":false,\"error\":\"not reported by this kernel\",\"footprint\":null"));
	ck_assert_ptr_nonnull(strstr(s, "\"kernel_bytes\":524288,\"bytes_per_page\":8.000"));
	ck_assert_ptr_nonnull(strstr(s, "\"total_bytes\":3162240,\"bytes_per_page\":48.252,\"upper_bound\":false"));
	ck_assert_ptr_nonnull(strstr(s, "\"devices\":[{\"device\":\"rxe0\",\"total\":{\"mrs\":2,\"reported\":1,"));
	ck_assert_ptr_nonnull(strstr(s, "\"total\":{\"mrs\":3,\"reported\":2,"));
	free(s);

	/* Nothing: still valid */
	ibphyr_cli_print_list(mb_open(&m), NULL, 0, true, false);
	s = mb_close(&m);
	ck_assert_str_eq(s, "{\"mrs\":[],\"devices\":[],\"total\":{\"mrs\":0,\"reported\":0,"
			 "\"length\":0,\"pages\":0,\"kernel_bytes\":0,\"bytes_per_page\":null,"
			 "\"stock_estimate_bytes\":0,\"stock_estimate_upper_bound\":false}}\n");
	free(s);
	free(mrs);
}
END_TEST

START_TEST(test_out_run_probe)
{
	struct ibphyr_record r[2];
	struct ibphyr_probe p[2];
	struct membuf m;
	char *s;

	memset(r, 0, sizeof(r));
	r[0].pid = 5;
	r[0].fn = IBPHYR_FN_REG_MR;
	r[0].length = 65536;
	sample_fp(&r[0].fp, RDMA_DRIVER_RXE, 16, true);
	r[1].pid = 5;
	r[1].seq = 1;
	r[1].fn = IBPHYR_FN_REG_DMABUF_MR;
	r[1].dereg = 1;
	r[1].err = EOPNOTSUPP;
	ibphyr_cli_print_run(mb_open(&m), r, 2, false, false);
	s = mb_close(&m);
	ck_assert_ptr_nonnull(strstr(s, "ibv_reg_dmabuf_mr"));
	ck_assert_ptr_nonnull(strstr(s, "not reported"));
	ck_assert_ptr_nonnull(strstr(s, "yes"));
	free(s);
	ibphyr_cli_print_run(mb_open(&m), r, 2, true, false);
	s = mb_close(&m);
	ck_assert_msg(json_valid(s), "invalid JSON: %s", s);
	ck_assert_ptr_nonnull(strstr(s, "\"call\":\"ibv_reg_mr\",\"deregistered\":false"));
	free(s);

	memset(p, 0, sizeof(p));
	strcpy(p[0].ibdev, "rxe0");
	p[0].length = 65536;
	sample_fp(&p[0].fp, RDMA_DRIVER_RXE, 16, true);
	strcpy(p[1].ibdev, "siw0");
	p[1].err = EOPNOTSUPP;
	ibphyr_cli_print_probe(mb_open(&m), p, 2, false, false);
	s = mb_close(&m);
	ck_assert_ptr_nonnull(strstr(s, "siw0: footprints not reported by this kernel"));
	free(s);
	ibphyr_cli_print_probe(mb_open(&m), p, 2, true, true);
	s = mb_close(&m);
	ck_assert_msg(json_valid(s), "invalid JSON: %s", s);
	free(s);
	p[1].err = EPERM;
	p[1].step = "ibv_reg_mr";
	ibphyr_cli_print_probe(mb_open(&m), p, 2, false, false);
	s = mb_close(&m);
	ck_assert_ptr_nonnull(strstr(s, "error: ibv_reg_mr: "));
	free(s);
}
END_TEST

START_TEST(test_json_validator)
{
	ck_assert(json_valid("{\"a\":[1,2.5,-3,true,false,null,\"x\\u0001\"]}"));
	ck_assert(!json_valid("{\"a\":}"));
	ck_assert(!json_valid("{\"a\":1,}"));
	ck_assert(!json_valid("[1 2]"));
	ck_assert(!json_valid("\"\x01\""));
	ck_assert(!json_valid("{} x"));
}
END_TEST

/* --- records ----------------------------------------------------------- */

START_TEST(test_records)
{
	struct ibphyr_record r, q, *v;
	char line[IBPHYR_RECORD_MAX], *s;
	size_t nr, bad, n;
	FILE *f;

	memset(&r, 0, sizeof(r));
	r.pid = 123;
	r.seq = 4;
	r.fn = IBPHYR_FN_REG_MR_IOVA2;
	r.dereg = 1;
	r.length = 1ull << 40;
	sample_fp(&r.fp, RDMA_DRIVER_SIW, 1ull << 28, true);
	r.fp.entries[4] = UINT64_MAX;
	ck_assert_int_gt(ibphyr_record_format(line, sizeof(line), &r), 0);
	ck_assert_int_eq(ibphyr_record_parse(line, &q), 0);
	ck_assert_mem_eq(&r, &q, sizeof(r));
	r.err = -EPERM;		/* the parser takes a negative ERR */
	ck_assert_int_gt(ibphyr_record_format(line, sizeof(line), &r), 0);
	ck_assert_int_eq(ibphyr_record_parse(line, &q), 0);
	ck_assert_int_eq(q.err, -EPERM);
	ck_assert_int_eq(ibphyr_record_format(line, 20, &r), -1);

	ck_assert_int_eq(ibphyr_record_parse("", &q), -1);
	ck_assert_int_eq(ibphyr_record_parse("ibphyr1 1 2 3", &q), -1);
	ck_assert_int_eq(ibphyr_record_parse("ibphyr2 1 2 0 0 0 1 1 0 0 4096 1 1 1 1 1 1 1 0 0 0 0 0\n", &q), -1);
	ck_assert_int_eq(ibphyr_record_parse("ibphyr1 1 2 0 0 0 1 1 0 0 4096 1 1 1 1 1 1 1 0 0 0 0 0\n", &q), 0);
	ck_assert_int_eq(ibphyr_record_parse("ibphyr1 1 2 0 0 0 1 1 0 0 4096 1 1 1 1 1 1 1 0 0 0 0 0 9\n", &q), -1);
	ck_assert_int_eq(ibphyr_record_parse("ibphyr1 1 2 9 0 0 1 1 0 0 4096 1 1 1 1 1 1 1 0 0 0 0 0\n", &q), -1);
	ck_assert_int_eq(ibphyr_record_parse("ibphyr1 1 -2 0 0 0 1 1 0 0 4096 1 1 1 1 1 1 1 0 0 0 0 0\n", &q), -1);
	ck_assert_int_eq(ibphyr_record_parse("ibphyr1 99999999999 2 0 0 0 1 1 0 0 4096 1 1 1 1 1 1 1 0 0 0 0 0\n", &q), -1);
	ck_assert_int_eq(ibphyr_record_parse("ibphyr1 1 2 0 0 0 1 1 0 0 4096 1 1 1 1 1 1 1 0 0 0 0 99999999999999999999\n", &q), -1);

	/* A file: two records, a cut line and a long junk line */
	f = tmpfile();
	ck_assert_ptr_nonnull(f);
	r.err = 0;
	ibphyr_record_format(line, sizeof(line), &r);
	fputs(line, f);
	fputs("ibphyr1 1 2\n", f);
	for (n = 0; n < 2000; n++)
		fputc('x', f);
	fputc('\n', f);
	fputs(line, f);
	line[30] = 0;
	fputs(line, f);		/* cut, no newline */
	rewind(f);
	ck_assert_int_eq(ibphyr_records_read(f, &v, &nr, &bad), 0);
	ck_assert_uint_eq(nr, 2);
	ck_assert_uint_eq(bad, 3);
	ck_assert_uint_eq(v[1].fp.pages, 1ull << 28);
	free(v);
	fclose(f);
	s = NULL;
	(void)s;
	ck_assert_str_eq(ibphyr_reg_fn_name(IBPHYR_FN_REG_MR), "ibv_reg_mr");
	ck_assert_str_eq(ibphyr_reg_fn_name(99), "?");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("libibphyr");
	TCase *t;

#define ADD(name, fn)					\
	do {						\
		t = tcase_create(name);			\
		tcase_add_test(t, fn);			\
		suite_add_tcase(s, t);			\
	} while (0)
	ADD("ioctl_encode", test_encode);
	ADD("ioctl_decode", test_decode);
	ADD("query_mr", test_query_mr);
	ADD("kmalloc_sg_model", test_kmalloc);
	ADD("estimate_measured", test_estimate_measured);
	ADD("estimate_other", test_estimate_other);
	ADD("enc_name", test_enc_name);
	ADD("nl_driver_nest", test_nl_driver);
	ADD("nl_mr_dump", test_nl_mr_dump);
	ADD("nl_errors", test_nl_errors);
	ADD("nl_chardev", test_nl_chardev);
	ADD("cli_parse_good", test_cli_good);
	ADD("cli_parse_bad", test_cli_bad);
	ADD("output_list", test_out_list);
	ADD("output_run_probe", test_out_run_probe);
	ADD("json_validator", test_json_validator);
	ADD("records", test_records);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
