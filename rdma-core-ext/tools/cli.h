/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * ibphyr's option parsing and output, apart from the kernel so that they
 * are unit-tested.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#ifndef IBPHYR_CLI_H
#define IBPHYR_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include <infiniband/phyr.h>
#include "record.h"

enum {
	IBPHYR_EXIT_OK = 0,
	IBPHYR_EXIT_ERROR = 1,
	IBPHYR_EXIT_USAGE = 2,
	IBPHYR_EXIT_NOT_REPORTED = 3,
};

enum ibphyr_cmd {
	IBPHYR_CMD_LIST,
	IBPHYR_CMD_PROBE,
	IBPHYR_CMD_RUN,
	IBPHYR_CMD_HELP,
	IBPHYR_CMD_VERSION,
};

struct ibphyr_cli {
	enum ibphyr_cmd cmd;
	const char *device;	/* -d */
	const char *output;	/* -o */
	bool json;
	bool verbose;
	char **run_argv;	/* run: the command, NULL-terminated */
	int run_argc;
};

extern const char ibphyr_cli_usage[];

/* 0, or IBPHYR_EXIT_USAGE with a message on @err */
int ibphyr_cli_parse(int argc, char **argv, struct ibphyr_cli *c, FILE *err);

/* A probe's outcome on one device */
struct ibphyr_probe {
	char ibdev[IBPHYR_NAME_MAX];
	int err;		/* 0, or ibphyr_query_mr()'s errno / a setup errno */
	const char *step;	/* the failing step when err is not EOPNOTSUPP */
	uint64_t length;
	struct ibphyr_footprint fp;
};

void ibphyr_cli_print_list(FILE *f, const struct ibphyr_mr_info *mrs,
			   size_t nr, bool json, bool verbose);
void ibphyr_cli_print_run(FILE *f, const struct ibphyr_record *r, size_t nr,
			  bool json, bool verbose);
void ibphyr_cli_print_probe(FILE *f, const struct ibphyr_probe *p, size_t nr,
			    bool json, bool verbose);
/* A JSON string, quoted and escaped */
void ibphyr_cli_json_str(FILE *f, const char *s);

#endif
