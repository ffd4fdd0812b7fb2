// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * libibphyr-report.so: preloaded by `ibphyr run`, it records the MRs a
 * process registers (interpose.c) and, when the process exits, appends one
 * record per MR to $IBPHYR_REPORT_FILE.  This file is its sink.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "interpose.h"

static char path[PATH_MAX];

static bool report_init(void)
{
	const char *p = getenv(IBPHYR_ENV_REPORT_FILE);

	if (!p || !*p || strlen(p) >= sizeof(path))
		return false;
	strcpy(path, p);
	return true;
}

static void report_fini(const struct ibphyr_mr_rec *v, size_t nr)
{
	size_t len = 0, cap = nr * IBPHYR_RECORD_MAX, i, off = 0;
	char *buf = malloc(cap);
	int fd;

	for (i = 0; buf && i < nr; i++) {
		int k = ibphyr_record_format(buf + len, cap - len, &v[i].r);

		if (k > 0)
			len += (size_t)k;
	}
	if (!len) {
		free(buf);
		return;
	}
	/* One write per process: the command's processes share the file */
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd >= 0) {
		while (off < len) {
			ssize_t k = write(fd, buf + off, len - off);

			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				break;
			off += (size_t)k;
		}
		close(fd);
	}
	free(buf);
}

const struct ibphyr_sink ibphyr_sink = {
	.init = report_init,
	.fini = report_fini,
};
