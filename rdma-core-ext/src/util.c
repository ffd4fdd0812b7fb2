// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * Small helpers.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#include <stdlib.h>
#include <infiniband/phyr.h>

const char *ibphyr_enc_name(unsigned int enc)
{
	static const char *const names[IBPHYR_NR_ENC] = {
		[IBPHYR_ENC_PACKED] = "packed",
		[IBPHYR_ENC_BLOCK] = "block",
		[IBPHYR_ENC_COUNT] = "count",
		[IBPHYR_ENC_BYTES] = "bytes",
		[IBPHYR_ENC_LARGE] = "large",
	};

	return enc < IBPHYR_NR_ENC ? names[enc] : NULL;
}

void ibphyr_free_mrs(struct ibphyr_mr_info *mrs)
{
	free(mrs);
}
