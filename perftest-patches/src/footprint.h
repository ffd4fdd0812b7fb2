/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * libperftest-phyr.so's pure parts, unit-tested apart from any process:
 * perftest's JSON options, the MRs' totals, the footprint block and its
 * JSON.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#ifndef PERFTEST_PHYR_FOOTPRINT_H
#define PERFTEST_PHYR_FOOTPRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <infiniband/phyr.h>
#include "interpose.h"

/* The environment between phyr-perftest and the library */
#define PT_ENV_ON		"PHYR_PERFTEST_FOOTPRINT"	/* "1": report */
#define PT_ENV_JSON		"PHYR_PERFTEST_JSON"		/* JSON here */
#define PT_JSON_DEFAULT		"perftest_out.json"	/* perftest's default */
#define PT_JSON_SUFFIX		".footprint.json"

/* perftest's options that place its JSON report */
struct pt_args {
	bool out_json;		/* --out_json */
	const char *json_file;	/* --out_json_file's last value, or NULL */
};

/*
 * perftest's getopt_long() view of --out_json and --out_json_file[=]F
 * (unambiguous abbreviations too) in argv[1..argc-1], up to "--".
 */
void pt_parse_args(int argc, char *const *argv, struct pt_args *a);

/*
 * /proc/self/cmdline's @len bytes in @buf as argv: at most @max pointers
 * into @buf, the last argument NUL-terminated in place (@buf has room for
 * one byte more than @len).  Returns argc.
 */
int pt_split_cmdline(char *buf, size_t len, char **argv, int max);

/* @json with ".json" replaced by ".footprint.json" (or that appended) */
int pt_sibling_json(const char *json, char *buf, size_t size);

/* One MR's figures as the block and the JSON show them */
struct pt_mr {
	bool reported;		/* the kernel reported its footprint */
	uint32_t page_size;	/* the kernel's, or the system's when not reported */
	uint64_t pages;		/* the kernel's, else the pages of the range */
	uint64_t kernel_bytes;	/* when reported */
	int est_err;		/* 0: est is valid */
	struct ibphyr_estimate est;
};

/* @page_size: the system's, for MRs the kernel did not report */
void pt_mr_figures(const struct ibphyr_mr_rec *m, uint32_t page_size,
		   struct pt_mr *f);

struct pt_total {
	uint64_t mrs, length, pages;	/* every MR */
	uint64_t reported, kernel_pages, kernel_bytes;	/* reported MRs */
	uint64_t not_reported;		/* EOPNOTSUPP: the kernel does not */
	uint64_t failed;		/* another error of the query */
	int first_err;			/* the first of those */
	uint64_t estimated, est_pages, stock_bytes;	/* MRs with an estimate */
	bool upper_bound, driver_unknown;
	uint32_t page_size;		/* the first MR's */
};

void pt_total(const struct ibphyr_mr_rec *v, size_t nr, uint32_t page_size,
	      struct pt_total *t);

/* The block in perftest's table style, after perftest's own report */
void pt_print_block(FILE *f, const struct pt_total *t, const char *program,
		    uint32_t pid);

/* The same figures and each MR's as one JSON object, with a newline */
void pt_print_json(FILE *f, const struct ibphyr_mr_rec *v, size_t nr,
		   uint32_t page_size, const char *program, uint32_t pid);

#endif
