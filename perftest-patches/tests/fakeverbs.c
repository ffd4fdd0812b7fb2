// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * A stand-in for libibverbs under its own symbol versions (fakeverbs.map),
 * for the host tests of the preload libraries: "MRs" of no device, made as
 * libibverbs makes them in the one way that matters here, ibv_reg_mr()
 * registering through the exported ibv_reg_mr_iova2().  No device index
 * or known name, so a footprint query fails before any ioctl.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#include <stdint.h>
#include <stdlib.h>
#include <infiniband/verbs.h>

#undef ibv_reg_mr

static uint32_t handles;

struct ibv_mr *ibv_reg_mr_iova2(struct ibv_pd *pd, void *addr, size_t length,
				uint64_t iova, unsigned int access)
{
	struct ibv_mr *mr = calloc(1, sizeof(*mr));

	(void)iova;
	(void)access;
	if (!mr)
		return NULL;
	mr->context = pd->context;
	mr->pd = pd;
	mr->addr = addr;
	mr->length = length;
	mr->handle = ++handles;
	mr->lkey = mr->handle;
	mr->rkey = mr->handle;
	return mr;
}

/* Through the dynamic symbol, as libibverbs' own ibv_reg_mr() */
struct ibv_mr *ibv_reg_mr(struct ibv_pd *pd, void *addr, size_t length,
			  int access)
{
	return ibv_reg_mr_iova2(pd, addr, length, (uintptr_t)addr,
				(unsigned int)access);
}

int ibv_dereg_mr(struct ibv_mr *mr)
{
	free(mr);
	return 0;
}

int ibv_get_device_index(struct ibv_device *device)
{
	(void)device;
	return -1;
}

const char *ibv_get_device_name(struct ibv_device *device)
{
	return device->name;
}
