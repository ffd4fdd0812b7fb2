// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * Built against an installed libibphyr through pkg-config: the header, the
 * library and its exported symbols.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <infiniband/phyr.h>

int main(void)
{
	struct ibphyr_footprint fp;
	struct ibphyr_estimate est;

	memset(&fp, 0, sizeof(fp));
	fp.version = 1;
	fp.flags = IBPHYR_FP_EXACT;
	fp.page_size = 4096;
	fp.pages = fp.runs = 16;
	if (ibphyr_stock_estimate(&fp, 65536, &est) || est.sg_bytes != 512)
		return 1;
	if (ibphyr_query_mr(NULL, &fp) != EINVAL)
		return 1;
	if (strcmp(ibphyr_enc_name(IBPHYR_ENC_BLOCK), "block"))
		return 1;
	ibphyr_free_mrs(NULL);
	/* Linked, not called: it needs a kernel */
	int (*list)(const char *, struct ibphyr_mr_info **, size_t *) = ibphyr_list_mrs;
	void *volatile keep = (void *)&list;

	return keep ? 0 : 1;
}
