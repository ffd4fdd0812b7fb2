// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * The reporter's record lines:
 *   ibphyr1 PID SEQ FN DEREG ERR LENGTH VERSION FLAGS DRIVER_ID PAGE_SIZE
 *           PAGES CPU DMA DRIVER KERNEL RUNS DMA_ENTRIES ENT0..ENT4
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "record.h"

#define MAGIC		"ibphyr1"
#define NR_FIELDS	(17 + IBPHYR_NR_ENC)

const char *ibphyr_reg_fn_name(unsigned int fn)
{
	static const char *const names[IBPHYR_NR_FN] = {
		[IBPHYR_FN_REG_MR] = "ibv_reg_mr",
		[IBPHYR_FN_REG_MR_IOVA] = "ibv_reg_mr_iova",
		[IBPHYR_FN_REG_MR_IOVA2] = "ibv_reg_mr_iova2",
		[IBPHYR_FN_REG_DMABUF_MR] = "ibv_reg_dmabuf_mr",
	};

	return fn < IBPHYR_NR_FN ? names[fn] : "?";
}

int ibphyr_record_format(char *buf, size_t size, const struct ibphyr_record *r)
{
	const struct ibphyr_footprint *f = &r->fp;
	int n;

	n = snprintf(buf, size, MAGIC " %" PRIu32 " %" PRIu32 " %" PRIu32
		     " %" PRIu32 " %" PRId32 " %" PRIu64 " %" PRIu32 " %" PRIu32
		     " %" PRIu32 " %" PRIu32 " %" PRIu64 " %" PRIu64 " %" PRIu64
		     " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
		     " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
		     r->pid, r->seq, r->fn, r->dereg, r->err, r->length,
		     f->version, f->flags, f->driver_id, f->page_size, f->pages,
		     f->cpu_bytes, f->dma_bytes, f->driver_bytes, f->kernel_bytes,
		     f->runs, f->dma_entries, f->entries[0], f->entries[1],
		     f->entries[2], f->entries[3], f->entries[4]);
	return n < 0 || (size_t)n >= size ? -1 : n;
}

int ibphyr_record_parse(const char *line, struct ibphyr_record *r)
{
	uint64_t v[NR_FIELDS];
	const char *p = line;
	unsigned int i;

	memset(r, 0, sizeof(*r));
	if (strncmp(p, MAGIC " ", sizeof(MAGIC)))
		return -1;
	p += sizeof(MAGIC);
	for (i = 0; i < NR_FIELDS; i++) {
		char *end;
		int neg = 0;

		if (*p != ' ' && i)
			return -1;
		while (*p == ' ')
			p++;
		if (*p == '-' && i == 4) {	/* ERR only may be negative */
			neg = 1;
			p++;
		}
		if (*p < '0' || *p > '9')
			return -1;
		errno = 0;
		v[i] = strtoull(p, &end, 10);
		if (errno)
			return -1;
		if (neg) {
			if (v[i] > 4095)
				return -1;
			v[i] = (uint64_t)-(int64_t)v[i];
		}
		p = end;
	}
	if (*p != '\n' && *p != 0)
		return -1;
	for (i = 0; i <= 10; i++)
		if (i != 4 && i != 5 && v[i] > UINT32_MAX)
			return -1;
	if ((int64_t)v[4] > 4095 || (int64_t)v[4] < -4095 || v[2] >= IBPHYR_NR_FN)
		return -1;
	r->pid = (uint32_t)v[0];
	r->seq = (uint32_t)v[1];
	r->fn = (uint32_t)v[2];
	r->dereg = (uint32_t)v[3];
	r->err = (int32_t)(int64_t)v[4];
	r->length = v[5];
	r->fp.version = (uint32_t)v[6];
	r->fp.flags = (uint32_t)v[7];
	r->fp.driver_id = (uint32_t)v[8];
	r->fp.page_size = (uint32_t)v[9];
	r->fp.pages = v[10];
	r->fp.cpu_bytes = v[11];
	r->fp.dma_bytes = v[12];
	r->fp.driver_bytes = v[13];
	r->fp.kernel_bytes = v[14];
	r->fp.runs = v[15];
	r->fp.dma_entries = v[16];
	for (i = 0; i < IBPHYR_NR_ENC; i++)
		r->fp.entries[i] = v[17 + i];
	return 0;
}

int ibphyr_records_read(FILE *f, struct ibphyr_record **v, size_t *nr,
			size_t *bad)
{
	struct ibphyr_record *a = NULL, r;
	size_t n = 0, cap = 0;
	char line[IBPHYR_RECORD_MAX];

	*bad = 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strchr(line, '\n') && !feof(f)) {
			int c;

			/* Too long: not ours; skip the rest of it */
			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			(*bad)++;
			continue;
		}
		if (ibphyr_record_parse(line, &r)) {
			(*bad)++;
			continue;
		}
		if (n == cap) {
			size_t ncap = cap ? 2 * cap : 16;
			struct ibphyr_record *na = realloc(a, ncap * sizeof(*a));

			if (!na) {
				free(a);
				return ENOMEM;
			}
			a = na;
			cap = ncap;
		}
		a[n++] = r;
	}
	if (ferror(f)) {
		free(a);
		return EIO;
	}
	*v = a;
	*nr = n;
	return 0;
}
