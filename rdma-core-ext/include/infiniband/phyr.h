/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * libibphyr: the kernel memory an RDMA memory region keeps, as the phyr
 * kernel reports it, and what a stock kernel would keep for it.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#ifndef INFINIBAND_PHYR_H
#define INFINIBAND_PHYR_H

#include <stddef.h>
#include <stdint.h>
#include <infiniband/verbs.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Encodings of the entries of the CPU list (the kernel's enum, same values) */
enum ibphyr_enc {
	IBPHYR_ENC_PACKED,	/* 4 bytes: an aligned block in a chunk */
	IBPHYR_ENC_BLOCK,	/* 8 bytes: an aligned block of pages */
	IBPHYR_ENC_COUNT,	/* 12 bytes: a count of equal aligned blocks */
	IBPHYR_ENC_BYTES,	/* 12 bytes: up to 32 MiB at any byte address */
	IBPHYR_ENC_LARGE,	/* 16 bytes: any other range */
	IBPHYR_NR_ENC,
};

/* ibphyr_footprint.flags: the kernel's bits, same values */
#define IBPHYR_FP_EXACT		(1u << 0)	/* exact bytes; counts filled */
#define IBPHYR_FP_DMA_ALIAS	(1u << 1)	/* DMA list is the CPU list */
#define IBPHYR_FP_DMA_IOVA	(1u << 2)	/* DMA list is one IOVA range */
#define IBPHYR_FP_NO_LIST	(1u << 3)	/* no list of pinned pages */

/*
 * The kernel memory of one MR.  Without IBPHYR_FP_EXACT (a caller without
 * CAP_SYS_ADMIN) the byte counts are rounded up to whole pages and runs,
 * dma_entries and entries[] are 0.  reserved[] is zero: later versions
 * fill it from its start, so the struct's size never changes.
 */
struct ibphyr_footprint {
	uint32_t version;	/* the kernel's footprint version (>= 1) */
	uint32_t flags;		/* IBPHYR_FP_* */
	uint32_t driver_id;	/* enum rdma_driver_id */
	uint32_t page_size;	/* the kernel's page size in bytes */
	uint64_t pages;		/* pinned pages of page_size bytes */
	uint64_t cpu_bytes;	/* the list of pinned pages */
	uint64_t dma_bytes;	/* the DMA list, when it has its own */
	uint64_t driver_bytes;	/* what the driver keeps beside the lists */
	uint64_t kernel_bytes;	/* cpu_bytes + dma_bytes + driver_bytes */
	uint64_t runs;		/* physically contiguous runs (scatterlist entries) */
	uint64_t dma_entries;	/* ranges of the DMA list */
	uint64_t entries[IBPHYR_NR_ENC];	/* CPU list entries per encoding */
	uint64_t reserved[8];
};

/* ibphyr_estimate.flags */
#define IBPHYR_EST_UPPER_BOUND		(1u << 0)	/* runs unknown: one per page */
#define IBPHYR_EST_DRIVER_UNKNOWN	(1u << 1)	/* driver array not modelled */

/* What the stock kernel would keep for the same MR: an estimate. */
struct ibphyr_estimate {
	uint32_t flags;		/* IBPHYR_EST_* */
	uint32_t reserved0;
	uint64_t sg_entries;	/* scatterlist entries, chain entries excluded */
	uint64_t sg_bytes;	/* the scatterlist's tables */
	uint64_t driver_bytes;	/* the driver's per-page array */
	uint64_t total_bytes;	/* sg_bytes + driver_bytes */
	uint64_t reserved[4];
};

/* ibphyr_mr_info.flags */
#define IBPHYR_MR_REPORTED	(1u << 0)	/* fp is valid */
#define IBPHYR_MR_KEYS		(1u << 1)	/* rkey and lkey are valid */
#define IBPHYR_MR_KERNEL	(1u << 2)	/* owned by the kernel: comm is its name */

#define IBPHYR_NAME_MAX		64

/* One MR of a netlink resource dump */
struct ibphyr_mr_info {
	char ibdev[IBPHYR_NAME_MAX];	/* device name */
	uint32_t dev_index;		/* device index */
	uint32_t mrn;			/* MR number (restrack ID) */
	uint32_t pid;			/* owner, 0 for a kernel MR */
	uint32_t pdn;			/* PD number */
	char comm[IBPHYR_NAME_MAX];	/* owner's comm, or kernel owner's name */
	uint64_t length;		/* MR length in bytes */
	uint32_t flags;			/* IBPHYR_MR_* */
	uint32_t rkey;
	uint32_t lkey;
	uint32_t reserved0;
	struct ibphyr_footprint fp;	/* valid with IBPHYR_MR_REPORTED */
};

/*
 * The footprint of @mr through UVERBS_METHOD_QUERY_MR.  Returns 0, or an
 * errno value: EOPNOTSUPP if the kernel does not report footprints, EINVAL
 * for bad arguments, the ioctl's errno otherwise.  @fp is zeroed unless 0.
 */
int ibphyr_query_mr(struct ibv_mr *mr, struct ibphyr_footprint *fp);

/*
 * What the stock Linux 6.12 kernel would have kept for an MR of @fp's
 * layout and @length bytes (the scatterlist and the driver's page array).
 * Returns 0 or EINVAL.
 */
int ibphyr_stock_estimate(const struct ibphyr_footprint *fp, uint64_t length,
			  struct ibphyr_estimate *est);

/*
 * The MRs the caller may see, through an RDMA netlink resource dump, of
 * @ibdev or of every device when NULL.  *@mrs is an array of *@nr entries
 * (NULL when 0) to free with ibphyr_free_mrs().  Returns 0 or an errno
 * value: ENODEV if @ibdev does not exist, EPROTO for a malformed reply.
 */
int ibphyr_list_mrs(const char *ibdev, struct ibphyr_mr_info **mrs, size_t *nr);
void ibphyr_free_mrs(struct ibphyr_mr_info *mrs);

/* "packed", "block", "count", "bytes", "large"; NULL when out of range */
const char *ibphyr_enc_name(unsigned int enc);

#ifdef __cplusplus
}
#endif

#endif
