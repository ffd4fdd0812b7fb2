/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * The preload interposer of libibverbs' MR registrations, shared by the
 * preload libraries built on it: libibphyr-report.so (`ibphyr run`,
 * report.c) and perftest-patches' libperftest-phyr.so.  interpose.c
 * counts each MR once, queries its footprint right after registration,
 * notes its deregistration and keeps the list; a sink, linked beside it,
 * says whether to record and takes the list at exit.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#ifndef IBPHYR_INTERPOSE_H
#define IBPHYR_INTERPOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <infiniband/verbs.h>
#include "record.h"

/* One MR a process registered */
struct ibphyr_mr_rec {
	struct ibphyr_record r;	/* what `ibphyr run` records of it */
	uint64_t addr;		/* the start registered (the IOVA for dmabuf) */
	uint32_t driver_id;	/* the device's uverbs driver ID, if the sink's
				 * reg hook found it; else 0 (unknown) */
	uint32_t reserved;
};

/*
 * A sink: the preload library's own part, defined once as ibphyr_sink.
 * The hooks run outside the interposer's lock.
 */
struct ibphyr_sink {
	/* In the library's constructor: true to record this process's MRs */
	bool (*init)(void);
	/* Optional: after each new MR's footprint query, before it is listed */
	void (*reg)(struct ibv_mr *mr, struct ibphyr_mr_rec *m);
	/*
	 * In the library's destructor (normal exit and exit(), not signals or
	 * _exit()): the process's MRs in registration order, nr > 0.  A forked
	 * child has its own list, empty at the fork.
	 */
	void (*fini)(const struct ibphyr_mr_rec *v, size_t nr);
};

extern const struct ibphyr_sink ibphyr_sink;

#endif
