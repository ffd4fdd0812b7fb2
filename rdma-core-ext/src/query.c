// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * ibphyr_query_mr(): UVERBS_METHOD_QUERY_MR with the optional footprint
 * output.  A kernel that does not know the attribute ignores it (it is not
 * mandatory) and does not flag it UVERBS_ATTR_F_VALID_OUTPUT.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <rdma/ib_user_ioctl_cmds.h>
#include "ibphyr_priv.h"

_Static_assert(IBPHYR_FP_EXACT == IB_UVERBS_MR_FOOTPRINT_EXACT, "flag");
_Static_assert(IBPHYR_FP_DMA_ALIAS == IB_UVERBS_MR_FOOTPRINT_DMA_ALIAS, "flag");
_Static_assert(IBPHYR_FP_DMA_IOVA == IB_UVERBS_MR_FOOTPRINT_DMA_IOVA, "flag");
_Static_assert(IBPHYR_FP_NO_LIST == IB_UVERBS_MR_FOOTPRINT_NO_LIST, "flag");
_Static_assert((int)IBPHYR_NR_ENC == (int)IB_UVERBS_MR_NR_ENC, "encodings");
_Static_assert(IBPHYR_QUERY_HDR_LEN % sizeof(uint64_t) == 0, "hdr");

static int sys_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg);
}

static int nl_driver_id(struct ibv_context *ctx, uint32_t *id);

int (*ibphyr_priv_ioctl)(int fd, unsigned long req, void *arg) = sys_ioctl;
int (*ibphyr_priv_driver_id)(struct ibv_context *ctx, uint32_t *id) = nl_driver_id;

static void fill_ptr(struct ib_uverbs_attr *a, uint16_t id, void *p,
		     uint16_t len, uint16_t flags)
{
	a->attr_id = id;
	a->len = len;
	a->flags = flags;
	a->attr_data.reserved = 0;
	a->data = (uintptr_t)p;
}

void ibphyr_priv_query_encode(struct ibphyr_query_cmd *c, uint32_t handle,
			      uint32_t driver_id)
{
	struct ib_uverbs_ioctl_hdr *h = ibphyr_query_hdr(c);
	struct ib_uverbs_attr *a = h->attrs;

	memset(c, 0, sizeof(*c));
	h->length = IBPHYR_QUERY_HDR_LEN;
	h->object_id = UVERBS_OBJECT_MR;
	h->method_id = UVERBS_METHOD_QUERY_MR;
	h->num_attrs = IBPHYR_QUERY_NATTRS;
	/* reserved1 and reserved2 must be 0 (else EPROTONOSUPPORT) */
	h->driver_id = driver_id;	/* must be the device's (else EINVAL) */

	/* An IDR: the handle inline, len 0 */
	a[IBPHYR_QA_HANDLE].attr_id = UVERBS_ATTR_QUERY_MR_HANDLE;
	a[IBPHYR_QA_HANDLE].flags = UVERBS_ATTR_F_MANDATORY;
	a[IBPHYR_QA_HANDLE].data = handle;
	/* Outputs are always pointers, of exactly their type's size */
	fill_ptr(&a[IBPHYR_QA_LKEY], UVERBS_ATTR_QUERY_MR_RESP_LKEY, &c->lkey,
		 sizeof(c->lkey), UVERBS_ATTR_F_MANDATORY);
	fill_ptr(&a[IBPHYR_QA_RKEY], UVERBS_ATTR_QUERY_MR_RESP_RKEY, &c->rkey,
		 sizeof(c->rkey), UVERBS_ATTR_F_MANDATORY);
	fill_ptr(&a[IBPHYR_QA_LENGTH], UVERBS_ATTR_QUERY_MR_RESP_LENGTH,
		 &c->length, sizeof(c->length), UVERBS_ATTR_F_MANDATORY);
	/* Never mandatory: a kernel without it skips it */
	fill_ptr(&a[IBPHYR_QA_FOOTPRINT], UVERBS_ATTR_QUERY_MR_RESP_FOOTPRINT,
		 &c->fp, sizeof(c->fp), 0);
}

int ibphyr_priv_fp_from_uapi(const struct ib_uverbs_mr_footprint *k,
			     struct ibphyr_footprint *fp)
{
	unsigned int i;

	memset(fp, 0, sizeof(*fp));
	if (!k->version || k->page_shift < 9 || k->page_shift > 30)
		return EPROTO;
	fp->version = k->version;
	fp->flags = k->flags;
	fp->driver_id = k->driver_id;
	fp->page_size = 1u << k->page_shift;
	fp->pages = k->pages;
	fp->cpu_bytes = k->cpu_bytes;
	fp->dma_bytes = k->dma_bytes;
	fp->driver_bytes = k->driver_bytes;
	fp->kernel_bytes = k->cpu_bytes + k->dma_bytes + k->driver_bytes;
	fp->runs = k->runs;
	fp->dma_entries = k->dma_entries;
	for (i = 0; i < IBPHYR_NR_ENC; i++)
		fp->entries[i] = k->entries[i];
	return 0;
}

int ibphyr_priv_query_decode(struct ibphyr_query_cmd *c,
			     struct ibphyr_footprint *fp)
{
	const struct ib_uverbs_attr *a = &ibphyr_query_hdr(c)->attrs[IBPHYR_QA_FOOTPRINT];

	memset(fp, 0, sizeof(*fp));
	/* Not written: not reported (never read as 0) */
	if (!(a->flags & UVERBS_ATTR_F_VALID_OUTPUT))
		return EOPNOTSUPP;
	return ibphyr_priv_fp_from_uapi(&c->fp, fp);
}

/* Driver IDs per device index, found once through netlink */
#define DRV_CACHE 32
static struct {
	uint32_t index;
	uint32_t driver_id;
	bool valid;
} drv_cache[DRV_CACHE];
static pthread_mutex_t drv_lock = PTHREAD_MUTEX_INITIALIZER;

static int nl_driver_id(struct ibv_context *ctx, uint32_t *id)
{
	int index = ibv_get_device_index(ctx->device);
	unsigned int i;
	int ret;

	if (index < 0) {
		/* Not from netlink at open: find the index by name */
		struct ibphyr_dev_vec devs = { 0 };
		const char *name = ibv_get_device_name(ctx->device);

		ret = ibphyr_priv_nl_devices(&devs);
		if (ret)
			return ret;
		for (i = 0; i < devs.nr; i++)
			if (name && !strcmp(devs.v[i].name, name))
				index = (int)devs.v[i].index;
		free(devs.v);
		if (index < 0)
			return ENODEV;
	}

	pthread_mutex_lock(&drv_lock);
	for (i = 0; i < DRV_CACHE; i++)
		if (drv_cache[i].valid && drv_cache[i].index == (uint32_t)index) {
			*id = drv_cache[i].driver_id;
			pthread_mutex_unlock(&drv_lock);
			return 0;
		}
	pthread_mutex_unlock(&drv_lock);

	ret = ibphyr_priv_nl_driver_id((uint32_t)index, id);
	if (ret)
		return ret;

	pthread_mutex_lock(&drv_lock);
	for (i = 0; i < DRV_CACHE; i++)
		if (!drv_cache[i].valid) {
			drv_cache[i].index = (uint32_t)index;
			drv_cache[i].driver_id = *id;
			drv_cache[i].valid = true;
			break;
		}
	pthread_mutex_unlock(&drv_lock);
	return 0;
}

int ibphyr_query_mr(struct ibv_mr *mr, struct ibphyr_footprint *fp)
{
	struct ibphyr_query_cmd c;
	uint32_t driver_id;
	int ret;

	if (!fp)
		return EINVAL;
	memset(fp, 0, sizeof(*fp));
	if (!mr || !mr->context || !mr->context->device)
		return EINVAL;

	ret = ibphyr_priv_driver_id(mr->context, &driver_id);
	if (ret)
		return ret;

	ibphyr_priv_query_encode(&c, mr->handle, driver_id);
	if (ibphyr_priv_ioctl(mr->context->cmd_fd, RDMA_VERBS_IOCTL,
			      ibphyr_query_hdr(&c))) {
		ret = errno;
		/* No QUERY_MR, or no ioctl interface: not reported */
		if (ret == EOPNOTSUPP || ret == EPROTONOSUPPORT ||
		    ret == EINVAL || ret == ENOTTY)
			return EOPNOTSUPP;
		return ret ? ret : EIO;
	}
	return ibphyr_priv_query_decode(&c, fp);
}
