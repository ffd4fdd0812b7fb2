// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * libperftest-phyr.so: preloaded into perftest's ib_*_bw and ib_*_lat (by
 * phyr-perftest, which sets PHYR_PERFTEST_FOOTPRINT=1), it records the MRs
 * the process registers (rdma-core-ext/tools/interpose.c, the interposer
 * `ibphyr run` uses) and at exit prints their footprint block after
 * perftest's report, and its JSON beside perftest's JSON file when perftest
 * writes one (--out_json) or where $PHYR_PERFTEST_JSON says.  This file is
 * its sink: the process's side; footprint.c formats.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ibphyr_priv.h"
#include "footprint.h"

static pid_t owner;		/* the process that read the command line */
static uint32_t page_size;
static char program[64];
static char json_path[PATH_MAX];	/* empty: no JSON */

/* /proc/self/cmdline whole, with room for a NUL after it */
static char *read_cmdline(size_t *len)
{
	FILE *f = fopen("/proc/self/cmdline", "re");
	size_t cap = 0, got = 0, k;
	char *buf = NULL, *nb;

	*len = 0;
	if (!f)
		return NULL;
	do {
		if (got == cap) {
			cap = cap ? 2 * cap : 4096;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		k = fread(buf + got, 1, cap - got, f);
		got += k;
	} while (k);
	fclose(f);
	*len = got;
	return buf;
}

static bool pt_init(void)
{
	const char *on = getenv(PT_ENV_ON), *json = getenv(PT_ENV_JSON), *base;
	char *buf, **argv = NULL;
	struct pt_args a;
	size_t len = 0, i, nargs = 1;
	long ps;
	int argc = 0;

	if (!on || strcmp(on, "1"))
		return false;
	ps = sysconf(_SC_PAGESIZE);
	page_size = ps > 0 ? (uint32_t)ps : 4096;
	owner = getpid();

	buf = read_cmdline(&len);
	for (i = 0; buf && i < len; i++)
		nargs += !buf[i];
	if (buf)
		argv = calloc(nargs, sizeof(*argv));
	if (argv)
		argc = pt_split_cmdline(buf, len, argv, (int)nargs);
	base = argc ? strrchr(argv[0], '/') : NULL;
	snprintf(program, sizeof(program), "%s", base ? base + 1 :
		 argc ? argv[0] : program_invocation_short_name);

	pt_parse_args(argc, argv, &a);
	if (json && *json) {
		if (strlen(json) < sizeof(json_path))
			strcpy(json_path, json);
	} else if (a.out_json &&
		   pt_sibling_json(a.json_file ? a.json_file : PT_JSON_DEFAULT,
				   json_path, sizeof(json_path))) {
		json_path[0] = 0;
	}
	free(argv);
	free(buf);
	return true;
}

/* A stock kernel reports no footprint: the driver, for the stock estimate */
static void pt_reg(struct ibv_mr *mr, struct ibphyr_mr_rec *m)
{
	uint32_t id;

	if (m->r.err && mr->context && mr->context->device &&
	    !ibphyr_priv_driver_id(mr->context, &id))
		m->driver_id = id;
}

static void write_json(const struct ibphyr_mr_rec *v, size_t nr, uint32_t pid)
{
	char tmp[PATH_MAX + 32];
	int n, err = 0;
	FILE *f;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp%" PRIu32, json_path, pid);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		err = ENAMETOOLONG;
	} else if (!(f = fopen(tmp, "we"))) {
		err = errno;
	} else {
		pt_print_json(f, v, nr, page_size, program, pid);
		if (ferror(f))
			err = EIO;
		if (fclose(f) && !err)
			err = errno;
		if (!err && rename(tmp, json_path))
			err = errno;
		if (err)
			unlink(tmp);
	}
	if (err)
		fprintf(stderr, "phyr-perftest: cannot write %s: %s\n", json_path,
			strerror(err));
}

static void pt_fini(const struct ibphyr_mr_rec *v, size_t nr)
{
	uint32_t pid = (uint32_t)getpid();
	struct pt_total t;

	/* Whoever reads perftest's output may be gone: no SIGPIPE at exit */
	signal(SIGPIPE, SIG_IGN);
	pt_total(v, nr, page_size, &t);
	pt_print_block(stdout, &t, program, pid);
	fflush(stdout);
	/* A forked child prints its own block; the JSON is perftest's */
	if (json_path[0] && getpid() == owner)
		write_json(v, nr, pid);
}

const struct ibphyr_sink ibphyr_sink = {
	.init = pt_init,
	.reg = pt_reg,
	.fini = pt_fini,
};
