/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * The records the preload reporter writes for `ibphyr run`: one text line
 * per MR, appended by each process of the command in a single write.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#ifndef IBPHYR_RECORD_H
#define IBPHYR_RECORD_H

#include <stdint.h>
#include <stdio.h>
#include <infiniband/phyr.h>

/* The environment between the CLI and the reporter */
#define IBPHYR_ENV_REPORT_FILE	"IBPHYR_REPORT_FILE"
#define IBPHYR_ENV_REPORT_LIB	"IBPHYR_REPORT_LIB"

enum ibphyr_reg_fn {
	IBPHYR_FN_REG_MR,
	IBPHYR_FN_REG_MR_IOVA,
	IBPHYR_FN_REG_MR_IOVA2,
	IBPHYR_FN_REG_DMABUF_MR,
	IBPHYR_NR_FN,
};

struct ibphyr_record {
	uint32_t pid;
	uint32_t seq;		/* registration order in its process */
	uint32_t fn;		/* enum ibphyr_reg_fn */
	uint32_t dereg;		/* deregistered before exit */
	int32_t err;		/* 0, or ibphyr_query_mr()'s errno */
	uint64_t length;
	struct ibphyr_footprint fp;	/* valid when !err */
};

#define IBPHYR_RECORD_MAX	512	/* a line's length bound */

const char *ibphyr_reg_fn_name(unsigned int fn);
/* The line for @r, with its newline: its length, or -1 if @size is short */
int ibphyr_record_format(char *buf, size_t size, const struct ibphyr_record *r);
/* 0, or -1 for a line that is not a record */
int ibphyr_record_parse(const char *line, struct ibphyr_record *r);
/* Every record of @f (lines that do not parse are counted in *bad) */
int ibphyr_records_read(FILE *f, struct ibphyr_record **v, size_t *nr,
			size_t *bad);

#endif
