// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * The MRs of RDMA netlink resource dumps (RDMA_NLDEV_CMD_RES_MR_GET), with
 * the footprint the phyr kernel adds to each MR's driver attributes, over a
 * plain NETLINK_RDMA socket.  Every attribute is bounds-checked: a reply
 * that does not parse is EPROTO, never a read past its end.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <rdma/rdma_netlink.h>
#include "ibphyr_priv.h"

#define NL_RECV_SIZE	65536
#define CHARDEV_TYPE_SIZE	32	/* the kernel's RDMA_NLDEV_ATTR_CHARDEV_TYPE_SIZE */

int ibphyr_priv_nla_next(struct ibphyr_nla_iter *it, struct ibphyr_nla *a)
{
	struct nlattr h;
	size_t step;

	if (!it->left)
		return 0;
	if (it->left < NLA_HDRLEN)
		return -EPROTO;
	memcpy(&h, it->p, sizeof(h));
	if (h.nla_len < NLA_HDRLEN || h.nla_len > it->left)
		return -EPROTO;
	a->type = h.nla_type & NLA_TYPE_MASK;
	a->len = h.nla_len - NLA_HDRLEN;
	a->data = it->p + NLA_HDRLEN;
	step = NLA_ALIGN(h.nla_len);
	/* The last attribute's padding may be missing */
	if (step > it->left)
		step = it->left;
	it->p += step;
	it->left -= step;
	return 1;
}

int ibphyr_priv_nla_u32(const struct ibphyr_nla *a, uint32_t *v)
{
	if (a->len != sizeof(*v))
		return -EPROTO;
	memcpy(v, a->data, sizeof(*v));
	return 0;
}

int ibphyr_priv_nla_u64(const struct ibphyr_nla *a, uint64_t *v)
{
	uint32_t v32;

	if (a->len == sizeof(v32)) {
		memcpy(&v32, a->data, sizeof(v32));
		*v = v32;
		return 0;
	}
	if (a->len != sizeof(*v))
		return -EPROTO;
	memcpy(v, a->data, sizeof(*v));
	return 0;
}

/* A NUL-terminated string that fits @size (with its NUL) */
int ibphyr_priv_nla_str(const struct ibphyr_nla *a, char *buf, size_t size)
{
	const char *s = a->data;
	size_t n;

	if (!a->len)
		return -EPROTO;
	n = strnlen(s, a->len);
	if (n == a->len || n >= size)
		return -EPROTO;
	memcpy(buf, s, n + 1);
	return 0;
}

static size_t put_attr(uint8_t *buf, size_t off, size_t size, uint16_t type,
		       const void *data, uint16_t len)
{
	struct nlattr h = { .nla_len = NLA_HDRLEN + len, .nla_type = type };
	size_t end = off + NLA_ALIGN(NLA_HDRLEN + len);

	if (!off || end > size)
		return 0;
	memset(buf + off, 0, end - off);
	memcpy(buf + off, &h, sizeof(h));
	memcpy(buf + off + NLA_HDRLEN, data, len);
	return end;
}

size_t ibphyr_priv_nl_request(void *buf, size_t size, uint16_t cmd,
			      uint16_t nlflags, uint32_t seq, int64_t index,
			      const char *chardev)
{
	struct nlmsghdr h = { 0 };
	size_t off = NLMSG_HDRLEN;
	uint32_t idx = (uint32_t)index;

	if (size < NLMSG_HDRLEN)
		return 0;
	memset(buf, 0, NLMSG_HDRLEN);
	if (index >= 0)
		off = put_attr(buf, off, size, RDMA_NLDEV_ATTR_DEV_INDEX, &idx,
			       sizeof(idx));
	if (chardev) {
		size_t n = strlen(chardev) + 1;

		if (n > CHARDEV_TYPE_SIZE)
			return 0;
		off = put_attr(buf, off, size, RDMA_NLDEV_ATTR_CHARDEV_TYPE,
			       chardev, (uint16_t)n);
	}
	if (!off)
		return 0;
	h.nlmsg_len = (uint32_t)off;
	h.nlmsg_type = RDMA_NL_GET_TYPE(RDMA_NL_NLDEV, cmd);
	h.nlmsg_flags = NLM_F_REQUEST | nlflags;
	h.nlmsg_seq = seq;
	memcpy(buf, &h, sizeof(h));
	return off;
}

/* --- the footprint in an MR's driver attributes ------------------------ */

enum fp_field {
	F_VERSION, F_FLAGS, F_DRIVER_ID, F_PAGE_SHIFT, F_PAGES, F_CPU, F_DMA,
	F_DRIVER, F_KERNEL, F_RUNS, F_DMA_ENTRIES, F_ENT0,
	F_NR = F_ENT0 + IBPHYR_NR_ENC,
};

static const char *const fp_names[F_NR] = {
	[F_VERSION] = "fp_version", [F_FLAGS] = "fp_flags",
	[F_DRIVER_ID] = "driver_id", [F_PAGE_SHIFT] = "page_shift",
	[F_PAGES] = "pages", [F_CPU] = "cpu_bytes", [F_DMA] = "dma_bytes",
	[F_DRIVER] = "driver_bytes", [F_KERNEL] = "kernel_bytes",
	[F_RUNS] = "runs", [F_DMA_ENTRIES] = "dma_entries",
	[F_ENT0 + IBPHYR_ENC_PACKED] = "ent_packed",
	[F_ENT0 + IBPHYR_ENC_BLOCK] = "ent_block",
	[F_ENT0 + IBPHYR_ENC_COUNT] = "ent_count",
	[F_ENT0 + IBPHYR_ENC_BYTES] = "ent_bytes",
	[F_ENT0 + IBPHYR_ENC_LARGE] = "ent_large",
};

static int driver_value(const struct ibphyr_nla *a, uint64_t *v)
{
	int32_t s32;
	uint32_t u32;

	switch (a->type) {
	case RDMA_NLDEV_ATTR_DRIVER_U32:
		if (ibphyr_priv_nla_u32(a, &u32))
			return -EPROTO;
		*v = u32;
		return 0;
	case RDMA_NLDEV_ATTR_DRIVER_S32:
		if (ibphyr_priv_nla_u32(a, &u32))
			return -EPROTO;
		memcpy(&s32, &u32, sizeof(s32));
		*v = (uint64_t)(int64_t)s32;
		return 0;
	case RDMA_NLDEV_ATTR_DRIVER_U64:
	case RDMA_NLDEV_ATTR_DRIVER_S64:
		if (a->len != sizeof(*v))
			return -EPROTO;
		memcpy(v, a->data, sizeof(*v));
		return 0;
	}
	return 1;	/* not a value */
}

int ibphyr_priv_parse_driver(const void *data, size_t len,
			     struct ibphyr_footprint *fp, bool *reported)
{
	struct ibphyr_nla_iter it = { data, len };
	uint64_t val[F_NR] = { 0 };
	bool seen[F_NR] = { false };
	char name[IBPHYR_NAME_MAX];
	bool have_name = false;
	struct ibphyr_nla a;
	unsigned int i;
	uint64_t v;
	int ret;

	*reported = false;
	memset(fp, 0, sizeof(*fp));
	while ((ret = ibphyr_priv_nla_next(&it, &a)) == 1) {
		if (a.type == RDMA_NLDEV_ATTR_DRIVER_STRING) {
			/* A name longer than ours is another driver's */
			have_name = !ibphyr_priv_nla_str(&a, name, sizeof(name));
			if (!have_name && strnlen(a.data, a.len) == a.len)
				return -EPROTO;
			continue;
		}
		ret = driver_value(&a, &v);
		if (ret < 0)
			return ret;
		if (ret)	/* PRINT_TYPE, PAD, anything else */
			continue;
		if (!have_name)
			continue;
		have_name = false;
		for (i = 0; i < F_NR; i++)
			if (!strcmp(name, fp_names[i])) {
				val[i] = v;
				seen[i] = true;
			}
	}
	if (ret < 0)
		return ret;
	if (!seen[F_VERSION])
		return 0;	/* not reported */

	for (i = F_VERSION; i <= F_PAGE_SHIFT; i++)
		if (val[i] > UINT32_MAX)
			return -EPROTO;
	if (!val[F_VERSION] || !seen[F_PAGE_SHIFT] ||
	    val[F_PAGE_SHIFT] < 9 || val[F_PAGE_SHIFT] > 30)
		return -EPROTO;
	fp->version = (uint32_t)val[F_VERSION];
	fp->flags = (uint32_t)val[F_FLAGS];
	fp->driver_id = (uint32_t)val[F_DRIVER_ID];
	fp->page_size = 1u << val[F_PAGE_SHIFT];
	fp->pages = val[F_PAGES];
	fp->cpu_bytes = val[F_CPU];
	fp->dma_bytes = val[F_DMA];
	fp->driver_bytes = val[F_DRIVER];
	fp->kernel_bytes = seen[F_KERNEL] ? val[F_KERNEL] :
			   val[F_CPU] + val[F_DMA] + val[F_DRIVER];
	fp->runs = val[F_RUNS];
	fp->dma_entries = val[F_DMA_ENTRIES];
	for (i = 0; i < IBPHYR_NR_ENC; i++)
		fp->entries[i] = val[F_ENT0 + i];
	*reported = true;
	return 0;
}

int ibphyr_priv_parse_mr_entry(const void *data, size_t len,
			       struct ibphyr_mr_info *mr)
{
	struct ibphyr_nla_iter it = { data, len };
	bool reported, rkey = false, lkey = false;
	struct ibphyr_nla a;
	int ret = 0;

	memset(mr, 0, sizeof(*mr));
	while ((ret = ibphyr_priv_nla_next(&it, &a)) == 1) {
		switch (a.type) {
		case RDMA_NLDEV_ATTR_RES_MRN:
			ret = ibphyr_priv_nla_u32(&a, &mr->mrn);
			break;
		case RDMA_NLDEV_ATTR_RES_MRLEN:
			ret = ibphyr_priv_nla_u64(&a, &mr->length);
			break;
		case RDMA_NLDEV_ATTR_RES_PID:
			ret = ibphyr_priv_nla_u32(&a, &mr->pid);
			break;
		case RDMA_NLDEV_ATTR_RES_KERN_NAME:
			ret = ibphyr_priv_nla_str(&a, mr->comm, sizeof(mr->comm));
			mr->flags |= IBPHYR_MR_KERNEL;
			break;
		case RDMA_NLDEV_ATTR_RES_PDN:
			ret = ibphyr_priv_nla_u32(&a, &mr->pdn);
			break;
		case RDMA_NLDEV_ATTR_RES_RKEY:
			ret = ibphyr_priv_nla_u32(&a, &mr->rkey);
			rkey = true;
			break;
		case RDMA_NLDEV_ATTR_RES_LKEY:
			ret = ibphyr_priv_nla_u32(&a, &mr->lkey);
			lkey = true;
			break;
		case RDMA_NLDEV_ATTR_DRIVER:
			ret = ibphyr_priv_parse_driver(a.data, a.len, &mr->fp,
						       &reported);
			if (!ret && reported)
				mr->flags |= IBPHYR_MR_REPORTED;
			break;
		default:
			break;
		}
		if (ret)
			break;
	}
	if (ret < 0)
		return -EPROTO;
	if (rkey && lkey)
		mr->flags |= IBPHYR_MR_KEYS;
	if (mr->flags & IBPHYR_MR_KERNEL)
		mr->pid = 0;
	return 0;
}

/* --- messages ---------------------------------------------------------- */

int ibphyr_priv_nl_walk(const void *buf, size_t len, uint32_t seq,
			int (*msg)(const void *attrs, size_t len, void *arg),
			void *arg)
{
	const uint8_t *p = buf;
	struct nlmsghdr h;
	int ret;

	while (len) {
		size_t step;

		if (len < NLMSG_HDRLEN)
			return -EPROTO;
		memcpy(&h, p, sizeof(h));
		if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > len)
			return -EPROTO;
		if (h.nlmsg_seq == seq) {
			if (h.nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr e;

				if (h.nlmsg_len < NLMSG_HDRLEN + sizeof(e.error))
					return -EPROTO;
				memcpy(&e.error, p + NLMSG_HDRLEN, sizeof(e.error));
				if (e.error > 0 || e.error < -4095)
					return -EPROTO;
				return e.error ? e.error : 1;
			}
			if (h.nlmsg_type == NLMSG_DONE) {
				int err = 0;

				if (h.nlmsg_len >= NLMSG_HDRLEN + sizeof(err))
					memcpy(&err, p + NLMSG_HDRLEN, sizeof(err));
				return err < 0 && err >= -4095 ? err : 1;
			}
			if (h.nlmsg_type != NLMSG_NOOP &&
			    h.nlmsg_type != NLMSG_OVERRUN) {
				ret = msg(p + NLMSG_HDRLEN,
					  h.nlmsg_len - NLMSG_HDRLEN, arg);
				if (ret)
					return ret < 0 ? ret : -EPROTO;
				if (!(h.nlmsg_flags & NLM_F_MULTI))
					return 1;
			}
		}
		step = NLMSG_ALIGN(h.nlmsg_len);
		if (step > len)
			step = len;
		p += step;
		len -= step;
	}
	return 0;
}

static int grow(void **v, size_t *cap, size_t nr, size_t elem)
{
	size_t ncap;
	void *n;

	if (nr < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	n = realloc(*v, ncap * elem);
	if (!n)
		return -ENOMEM;
	*v = n;
	*cap = ncap;
	return 0;
}

/* The device index and name at a message's top level */
/* The device a message is about: -EPROTO without its index and name. */
static int msg_dev(const void *attrs, size_t len, struct ibphyr_dev *d)
{
	struct ibphyr_nla_iter it = { attrs, len };
	bool have_index = false, have_name = false;
	struct ibphyr_nla a;
	int ret;

	memset(d, 0, sizeof(*d));
	while ((ret = ibphyr_priv_nla_next(&it, &a)) == 1) {
		if (a.type == RDMA_NLDEV_ATTR_DEV_INDEX) {
			if (ibphyr_priv_nla_u32(&a, &d->index))
				return -EPROTO;
			have_index = true;
		} else if (a.type == RDMA_NLDEV_ATTR_DEV_NAME) {
			if (ibphyr_priv_nla_str(&a, d->name, sizeof(d->name)))
				return -EPROTO;
			have_name = true;
		}
	}
	if (ret)
		return ret;
	return have_index && have_name ? 0 : -EPROTO;
}

int ibphyr_priv_dev_msg(const void *attrs, size_t len, void *arg)
{
	struct ibphyr_dev_vec *devs = arg;
	struct ibphyr_dev d;
	int ret;

	ret = msg_dev(attrs, len, &d);
	if (ret)
		return ret;
	if (grow((void **)&devs->v, &devs->cap, devs->nr, sizeof(d)))
		return -ENOMEM;
	devs->v[devs->nr++] = d;
	return 0;
}

int ibphyr_priv_mr_msg(const void *attrs, size_t len, void *arg)
{
	struct ibphyr_mr_vec *mrs = arg;
	struct ibphyr_nla_iter it = { attrs, len };
	struct ibphyr_nla a, e;
	struct ibphyr_dev d;
	int ret;

	ret = msg_dev(attrs, len, &d);
	if (ret)
		return ret;
	while ((ret = ibphyr_priv_nla_next(&it, &a)) == 1) {
		struct ibphyr_nla_iter in = { a.data, a.len };

		if (a.type != RDMA_NLDEV_ATTR_RES_MR)
			continue;
		while ((ret = ibphyr_priv_nla_next(&in, &e)) == 1) {
			struct ibphyr_mr_info *mr;

			if (e.type != RDMA_NLDEV_ATTR_RES_MR_ENTRY)
				continue;
			if (grow((void **)&mrs->v, &mrs->cap, mrs->nr,
				 sizeof(*mr)))
				return -ENOMEM;
			mr = &mrs->v[mrs->nr];
			ret = ibphyr_priv_parse_mr_entry(e.data, e.len, mr);
			if (ret)
				return ret;
			memcpy(mr->ibdev, d.name, sizeof(mr->ibdev));
			mr->dev_index = d.index;
			mrs->nr++;
		}
		if (ret)
			return ret;
	}
	return ret;
}

struct chardev_reply {
	uint32_t driver_id;
	bool found;
};

int ibphyr_priv_chardev_msg(const void *attrs, size_t len, void *arg)
{
	struct ibphyr_nla_iter it = { attrs, len };
	struct chardev_reply *r = arg;
	struct ibphyr_nla a;
	uint64_t v;
	int ret;

	while ((ret = ibphyr_priv_nla_next(&it, &a)) == 1) {
		if (a.type != RDMA_NLDEV_ATTR_UVERBS_DRIVER_ID)
			continue;
		/* The uAPI comment says u64, the kernel puts a u32 */
		if (ibphyr_priv_nla_u64(&a, &v) || v > UINT32_MAX)
			return -EPROTO;
		r->driver_id = (uint32_t)v;
		r->found = true;
	}
	return ret;
}

/* --- the socket -------------------------------------------------------- */

static int nl_transact(const void *req, size_t len, uint32_t seq,
		       int (*msg)(const void *attrs, size_t len, void *arg),
		       void *arg)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	uint8_t *buf;
	int fd, ret;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_RDMA);
	if (fd < 0)
		return errno;
	buf = malloc(NL_RECV_SIZE);
	if (!buf) {
		close(fd);
		return ENOMEM;
	}
	if (sendto(fd, req, len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = errno;
		goto out;
	}
	do {
		ssize_t n = recv(fd, buf, NL_RECV_SIZE, MSG_TRUNC);

		if (n < 0) {
			if (errno == EINTR) {
				ret = 0;
				continue;
			}
			ret = errno;
			goto out;
		}
		if (n > NL_RECV_SIZE) {
			ret = EMSGSIZE;
			goto out;
		}
		ret = ibphyr_priv_nl_walk(buf, (size_t)n, seq, msg, arg);
		if (n == 0 && !ret)
			ret = -EPROTO;
	} while (!ret);
	ret = ret < 0 ? -ret : 0;
out:
	free(buf);
	close(fd);
	return ret;
}

static uint32_t next_seq(void)
{
	static uint32_t seq;

	return __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED) ^ (uint32_t)getpid() << 12;
}

int ibphyr_priv_nl_devices(struct ibphyr_dev_vec *devs)
{
	uint8_t req[64];
	uint32_t seq = next_seq();
	size_t len;
	int ret;

	len = ibphyr_priv_nl_request(req, sizeof(req), RDMA_NLDEV_CMD_GET,
				     NLM_F_DUMP, seq, -1, NULL);
	ret = nl_transact(req, len, seq, ibphyr_priv_dev_msg, devs);
	if (ret) {
		free(devs->v);
		memset(devs, 0, sizeof(*devs));
	}
	return ret;
}

int ibphyr_priv_nl_driver_id(uint32_t index, uint32_t *driver_id)
{
	struct chardev_reply r = { 0 };
	uint32_t seq = next_seq();
	uint8_t req[64];
	size_t len;
	int ret;

	len = ibphyr_priv_nl_request(req, sizeof(req),
				     RDMA_NLDEV_CMD_GET_CHARDEV, 0, seq,
				     index, "uverbs");
	ret = nl_transact(req, len, seq, ibphyr_priv_chardev_msg, &r);
	if (ret)
		return ret;
	/* A driver without driver ID binding: the ioctl wants UNKNOWN (0) */
	*driver_id = r.found ? r.driver_id : 0;
	return 0;
}

static void read_comm(struct ibphyr_mr_info *mr)
{
	char path[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/comm", mr->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, mr->comm, sizeof(mr->comm) - 1);
	close(fd);
	if (n <= 0) {
		mr->comm[0] = 0;
		return;
	}
	mr->comm[n] = 0;
	mr->comm[strcspn(mr->comm, "\n")] = 0;
}

int ibphyr_list_mrs(const char *ibdev, struct ibphyr_mr_info **mrs, size_t *nr)
{
	struct ibphyr_mr_vec v = { 0 };
	struct ibphyr_dev_vec devs = { 0 };
	bool found = false;
	size_t i;
	int ret;

	if (!mrs || !nr)
		return EINVAL;
	*mrs = NULL;
	*nr = 0;
	ret = ibphyr_priv_nl_devices(&devs);
	if (ret)
		return ret;
	for (i = 0; i < devs.nr; i++) {
		uint8_t req[64];
		uint32_t seq = next_seq();
		size_t len, before = v.nr;

		if (ibdev && strcmp(ibdev, devs.v[i].name))
			continue;
		found = true;
		len = ibphyr_priv_nl_request(req, sizeof(req),
					     RDMA_NLDEV_CMD_RES_MR_GET,
					     NLM_F_DUMP, seq, devs.v[i].index,
					     NULL);
		ret = nl_transact(req, len, seq, ibphyr_priv_mr_msg, &v);
		/* A device gone since the device dump has no MRs */
		if (ret == ENODEV || (ret == EINVAL && !ibdev)) {
			v.nr = before;
			ret = 0;
		}
		if (ret)
			goto err;
	}
	if (ibdev && !found) {
		ret = ENODEV;
		goto err;
	}
	for (i = 0; i < v.nr; i++)
		if (v.v[i].pid && !(v.v[i].flags & IBPHYR_MR_KERNEL))
			read_comm(&v.v[i]);
	free(devs.v);
	if (!v.nr) {
		free(v.v);
		v.v = NULL;
	}
	*mrs = v.v;
	*nr = v.nr;
	return 0;
err:
	free(devs.v);
	free(v.v);
	return ret;
}
