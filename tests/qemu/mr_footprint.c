// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * mr_footprint: what libibphyr reports of MRs against what the MRs are.
 *
 *   mr_footprint -d DEV -e     a kernel that reports footprints (phyr)
 *   mr_footprint -d DEV        one that does not (stock)
 *   mr_footprint -d DEV -H N   register N MRs of 1 MiB (fragmented pages),
 *                              print "ready", keep them until standard
 *                              input closes
 *
 * With -e, for MRs of fragmented pages, transparent huge pages and a small
 * buffer: the footprint's fields against the layout (pages, runs, entries
 * per encoding, the DMA list aliasing the CPU list, 4 bytes a fragmented
 * page), the netlink listing against the ioctl for the same MR, and an
 * unprivileged process's view of its own MR (bytes in whole pages, no
 * counts) against root's.  Without -e: "not reported" from both paths,
 * never a figure.  TAP on standard output.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <infiniband/verbs.h>
#include <infiniband/phyr.h>
#include <rdma/ib_user_ioctl_verbs.h>

#include "guest_util.h"
#include "guest_verbs.h"
#include "layout.h"

#define ACCESS (IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | \
		IBV_ACCESS_REMOTE_READ)

static const char *dev_name;

static uint64_t entries_sum(const struct ibphyr_footprint *fp)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < IBPHYR_NR_ENC; i++)
		n += fp->entries[i];
	return n;
}

static uint32_t want_driver(void)
{
	if (!strncmp(dev_name, "rxe", 3))
		return RDMA_DRIVER_RXE;
	if (!strncmp(dev_name, "siw", 3))
		return RDMA_DRIVER_SIW;
	return RDMA_DRIVER_UNKNOWN;
}

/*
 * The MR of @lkey in the netlink listing of the device, or without keys
 * (no CAP_NET_ADMIN) this process's MR of @len bytes; 0 if found.
 */
static int listed(uint32_t lkey, size_t len, struct ibphyr_mr_info *out)
{
	struct ibphyr_mr_info *mrs;
	size_t nr;
	int ret = ibphyr_list_mrs(dev_name, &mrs, &nr);

	if (ret)
		return ret;
	ret = ENOENT;
	for (size_t i = 0; i < nr; i++)
		if ((mrs[i].flags & IBPHYR_MR_KEYS) ? mrs[i].lkey == lkey :
		    mrs[i].pid == (uint32_t)getpid() && mrs[i].length == len) {
			*out = mrs[i];
			ret = 0;
		}
	ibphyr_free_mrs(mrs);
	return ret;
}

static bool same_fp(const struct ibphyr_footprint *a,
		    const struct ibphyr_footprint *b)
{
	bool same = a->flags == b->flags && a->driver_id == b->driver_id &&
		    a->page_size == b->page_size && a->pages == b->pages &&
		    a->cpu_bytes == b->cpu_bytes && a->dma_bytes == b->dma_bytes &&
		    a->driver_bytes == b->driver_bytes &&
		    a->kernel_bytes == b->kernel_bytes && a->runs == b->runs &&
		    a->dma_entries == b->dma_entries;

	for (unsigned int i = 0; i < IBPHYR_NR_ENC; i++)
		same = same && a->entries[i] == b->entries[i];
	return same;
}

/* One MR of @len bytes at @buf with what its layout says it must report. */
static void check_layout(struct ibv_pd *pd, const char *what, char *buf,
			 size_t len, bool frag, size_t block)
{
	struct ibphyr_footprint fp;
	struct ibphyr_estimate est;
	struct ibphyr_mr_info info;
	struct ibv_mr *mr = ibv_reg_mr(pd, buf, len, ACCESS);
	uint64_t pages = len / PG;
	char name[128];
	int ret;

	if (!mr)
		die("ibv_reg_mr");
	ret = ibphyr_query_mr(mr, &fp);
	snprintf(name, sizeof(name), "%s: %s: reported", dev_name, what);
	if (!tap(!ret, name, "ibphyr_query_mr: %s", strerror(ret)))
		goto out;
	snprintf(name, sizeof(name), "%s: %s: version, driver, page size, pages",
		 dev_name, what);
	tap(fp.version == 1 && fp.driver_id == want_driver() &&
	    fp.page_size == PG && fp.pages == pages, name,
	    "version %u driver %u page %u pages %llu (want %llu)", fp.version,
	    fp.driver_id, fp.page_size, (unsigned long long)fp.pages,
	    (unsigned long long)pages);
	snprintf(name, sizeof(name), "%s: %s: exact for root, DMA list is the CPU list",
		 dev_name, what);
	tap((fp.flags & IBPHYR_FP_EXACT) && (fp.flags & IBPHYR_FP_DMA_ALIAS) &&
	    !(fp.flags & IBPHYR_FP_NO_LIST) && fp.dma_bytes == 0 &&
	    fp.dma_entries == entries_sum(&fp) &&
	    fp.kernel_bytes == fp.cpu_bytes + fp.dma_bytes + fp.driver_bytes,
	    name, "flags %#x dma_bytes %llu dma_entries %llu entries %llu",
	    fp.flags, (unsigned long long)fp.dma_bytes,
	    (unsigned long long)fp.dma_entries,
	    (unsigned long long)entries_sum(&fp));
	snprintf(name, sizeof(name), "%s: %s: runs and entries follow the layout",
		 dev_name, what);
	if (frag)
		/* No two pages adjacent: a run and a packed entry each */
		tap(fp.runs == pages && fp.entries[IBPHYR_ENC_PACKED] >= pages - 64 &&
		    entries_sum(&fp) == pages &&
		    fp.cpu_bytes >= 4 * pages && fp.cpu_bytes <= 4.2 * pages,
		    name, "runs %llu packed %llu entries %llu cpu_bytes %llu, %llu pages",
		    (unsigned long long)fp.runs,
		    (unsigned long long)fp.entries[IBPHYR_ENC_PACKED],
		    (unsigned long long)entries_sum(&fp),
		    (unsigned long long)fp.cpu_bytes, (unsigned long long)pages);
	else
		/* Aligned blocks of @block bytes: at most one entry each */
		tap(entries_sum(&fp) >= 1 && entries_sum(&fp) <= len / block &&
		    fp.runs >= 1 && fp.runs <= len / block &&
		    fp.cpu_bytes <= 64 + 8 * len / block,
		    name, "runs %llu entries %llu cpu_bytes %llu, %zu blocks",
		    (unsigned long long)fp.runs, (unsigned long long)entries_sum(&fp),
		    (unsigned long long)fp.cpu_bytes, len / block);
	snprintf(name, sizeof(name), "%s: %s: netlink lists the same footprint",
		 dev_name, what);
	ret = listed(mr->lkey, len, &info);
	tap(!ret && (info.flags & IBPHYR_MR_REPORTED) && info.length == len &&
	    same_fp(&info.fp, &fp), name,
	    "listed: %s, flags %#x length %llu kernel_bytes %llu (ioctl %llu) runs %llu (%llu)",
	    strerror(ret), info.flags, (unsigned long long)info.length,
	    (unsigned long long)info.fp.kernel_bytes,
	    (unsigned long long)fp.kernel_bytes, (unsigned long long)info.fp.runs,
	    (unsigned long long)fp.runs);
	if (frag) {
		snprintf(name, sizeof(name),
			 "%s: %s: the stock estimate is a scatterlist entry a page and more",
			 dev_name, what);
		ret = ibphyr_stock_estimate(&fp, len, &est);
		tap(!ret && est.total_bytes >= 32 * pages &&
		    !(est.flags & IBPHYR_EST_UPPER_BOUND), name,
		    "estimate: %s, %llu bytes, flags %#x", strerror(ret),
		    (unsigned long long)est.total_bytes, est.flags);
	}
out:
	if (ibv_dereg_mr(mr))
		die("ibv_dereg_mr");
}

/*
 * An unprivileged process's own MR: bytes rounded up to whole pages, no
 * counts, from the ioctl and from netlink; root sees the exact figures of
 * the same MR, which round up to what the process saw.
 */
static void check_unprivileged(void)
{
	const size_t len = 64 * PG;
	struct { uint32_t lkey; int ret; struct ibphyr_footprint fp, nl; } got;
	struct ibphyr_mr_info info;
	int pipe_up[2], pipe_down[2], pid, ret;
	char c = 0;

	if (pipe(pipe_up) || pipe(pipe_down))
		die("pipe");
	pid = fork_unprivileged(16 * MIB);
	if (!pid) {
		struct ibv_context *ctx = open_device_named(dev_name);
		struct ibv_pd *pd = ctx ? ibv_alloc_pd(ctx) : NULL;
		char *buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		struct ibv_mr *mr;

		memset(&got, 0, sizeof(got));
		if (!pd || buf == MAP_FAILED)
			_exit(11);
		memset(buf, 1, len);
		mr = ibv_reg_mr(pd, buf, len, ACCESS);
		if (!mr)
			_exit(12);
		got.lkey = mr->lkey;
		got.ret = ibphyr_query_mr(mr, &got.fp);
		if (!got.ret && listed(mr->lkey, len, &info) == 0)
			got.nl = info.fp;
		else if (!got.ret)
			got.ret = -1;
		if (write(pipe_up[1], &got, sizeof(got)) != sizeof(got))
			_exit(13);
		/* Keep the MR until root has looked */
		if (read(pipe_down[0], &c, 1) < 0)
			_exit(14);
		ibv_dereg_mr(mr);
		ibv_dealloc_pd(pd);
		ibv_close_device(ctx);
		_exit(0);
	}
	close(pipe_up[1]);
	close(pipe_down[0]);
	if (read(pipe_up[0], &got, sizeof(got)) != sizeof(got)) {
		tap(false, "unprivileged: the child reports", "child status %d",
		    child_status(pid));
		return;
	}
	ret = listed(got.lkey, len, &info);
	if (write(pipe_down[1], &c, 1) != 1)
		die("write");
	close(pipe_down[1]);
	close(pipe_up[0]);
	tap(child_status(pid) == 0 && got.ret == 0, "unprivileged: own MR reported",
	    "query %d", got.ret);
	tap(!(got.fp.flags & IBPHYR_FP_EXACT) && got.fp.runs == 0 &&
	    got.fp.dma_entries == 0 && entries_sum(&got.fp) == 0 &&
	    got.fp.cpu_bytes % PG == 0 && got.fp.driver_bytes % PG == 0 &&
	    got.fp.pages == len / PG,
	    "unprivileged: ioctl gives whole pages and no counts",
	    "flags %#x runs %llu entries %llu cpu_bytes %llu driver_bytes %llu",
	    got.fp.flags, (unsigned long long)got.fp.runs,
	    (unsigned long long)entries_sum(&got.fp),
	    (unsigned long long)got.fp.cpu_bytes,
	    (unsigned long long)got.fp.driver_bytes);
	tap(same_fp(&got.nl, &got.fp), "unprivileged: netlink gives the same",
	    "netlink flags %#x cpu_bytes %llu runs %llu", got.nl.flags,
	    (unsigned long long)got.nl.cpu_bytes, (unsigned long long)got.nl.runs);
	tap(!ret && (info.fp.flags & IBPHYR_FP_EXACT) &&
	    ((info.fp.cpu_bytes + PG - 1) & ~(PG - 1)) == got.fp.cpu_bytes &&
	    ((info.fp.driver_bytes + PG - 1) & ~(PG - 1)) == got.fp.driver_bytes &&
	    info.fp.runs >= 1 && entries_sum(&info.fp) >= 1,
	    "unprivileged: root sees the exact figures, which round to the child's",
	    "listed: %s, root cpu_bytes %llu runs %llu, child %llu", strerror(ret),
	    (unsigned long long)info.fp.cpu_bytes, (unsigned long long)info.fp.runs,
	    (unsigned long long)got.fp.cpu_bytes);
}

/* A kernel that does not report: not reported from both paths. */
static void check_not_reported(struct ibv_pd *pd)
{
	struct ibphyr_footprint fp;
	struct ibphyr_mr_info info;
	char *buf = malloc(16 * PG);
	struct ibv_mr *mr;
	int ret;

	if (!buf)
		die("malloc");
	memset(buf, 1, 16 * PG);
	mr = ibv_reg_mr(pd, buf, 16 * PG, ACCESS);
	if (!mr)
		die("ibv_reg_mr");
	memset(&fp, 0xa5, sizeof(fp));
	ret = ibphyr_query_mr(mr, &fp);
	tap(ret == EOPNOTSUPP && fp.kernel_bytes == 0 && fp.pages == 0,
	    "ioctl: not reported by this kernel", "ibphyr_query_mr: %d (%s)",
	    ret, strerror(ret));
	ret = listed(mr->lkey, 16 * PG, &info);
	tap(!ret && !(info.flags & IBPHYR_MR_REPORTED) && info.length == 16 * PG,
	    "netlink: the MR is listed, its footprint not reported",
	    "listed: %s, flags %#x", strerror(ret), info.flags);
	ibv_dereg_mr(mr);
	free(buf);
}

/*
 * -H: @n MRs of 1 MiB of fragmented pages (so that each keeps a list of
 * its own) for the CLI checks, until standard input closes.
 */
static int hold(struct ibv_pd *pd, int n)
{
	struct ibv_mr **mr = calloc(n, sizeof(*mr));
	char *buf = layout_find("frag_4k")->map((size_t)n * MIB);
	char c;

	if (!mr || !buf)
		die("frag_4k");
	for (int i = 0; i < n; i++)
		if (!(mr[i] = ibv_reg_mr(pd, buf + (size_t)i * MIB, MIB, ACCESS)))
			die("ibv_reg_mr");
	printf("ready\n");
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	for (int i = 0; i < n; i++)
		ibv_dereg_mr(mr[i]);
	free(mr);
	return 0;
}

int main(int argc, char **argv)
{
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	bool expect = false;
	int opt, nhold = 0;
	char *buf;

	while ((opt = getopt(argc, argv, "d:eH:")) != -1) {
		switch (opt) {
		case 'd': dev_name = optarg; break;
		case 'e': expect = true; break;
		case 'H': nhold = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: mr_footprint -d DEV [-e] [-H N]\n");
			return 2;
		}
	}
	if (!dev_name) {
		fprintf(stderr, "usage: mr_footprint -d DEV [-e] [-H N]\n");
		return 2;
	}
	ctx = open_device_named(dev_name);
	if (!ctx)
		die(dev_name);
	pd = ibv_alloc_pd(ctx);
	if (!pd)
		die("ibv_alloc_pd");
	if (nhold)
		return hold(pd, nhold);
	if (!expect) {
		check_not_reported(pd);
	} else {
		buf = layout_find("frag_4k")->map(16 * MIB);
		if (!buf)
			die("frag_4k");
		check_layout(pd, "frag_4k 16 MiB", buf, 16 * MIB, true, PG);
		munmap(buf, 16 * MIB + PG);
		buf = layout_find("thp")->map(16 * MIB);
		if (!buf)
			die("thp");
		check_layout(pd, "thp 16 MiB", buf, 16 * MIB, false, 2 * MIB);
		munmap(buf, 16 * MIB);
		buf = layout_find("contig")->map(2 * PG);
		if (!buf)
			die("contig");
		check_layout(pd, "8 KiB", buf, 2 * PG, false, PG);
		check_unprivileged();
	}
	ibv_dealloc_pd(pd);
	ibv_close_device(ctx);
	printf("1..%d\n", tap_tests);
	return tap_failures ? 1 : 0;
}
