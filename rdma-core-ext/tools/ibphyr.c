// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * ibphyr: list, probe and run (see ibphyr(1)).
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "cli.h"

#define PROBE_LEN	(64 * 1024)

static int cmd_list(const struct ibphyr_cli *c)
{
	struct ibphyr_mr_info *mrs;
	size_t nr, i, reported = 0;
	int ret;

	ret = ibphyr_list_mrs(c->device, &mrs, &nr);
	if (ret) {
		fprintf(stderr, "ibphyr: listing the MRs%s%s: %s\n",
			c->device ? " of " : "", c->device ? c->device : "",
			strerror(ret));
		return IBPHYR_EXIT_ERROR;
	}
	ibphyr_cli_print_list(stdout, mrs, nr, c->json, c->verbose);
	for (i = 0; i < nr; i++)
		reported += !!(mrs[i].flags & IBPHYR_MR_REPORTED);
	ibphyr_free_mrs(mrs);
	if (nr && !reported) {
		if (!c->json)
			fprintf(stderr, "ibphyr: footprints not reported by this kernel\n");
		return IBPHYR_EXIT_NOT_REPORTED;
	}
	return IBPHYR_EXIT_OK;
}

static void probe_one(struct ibv_device *dev, struct ibphyr_probe *p)
{
	struct ibv_context *ctx;
	struct ibv_pd *pd = NULL;
	struct ibv_mr *mr = NULL;
	void *buf = NULL;

	snprintf(p->ibdev, sizeof(p->ibdev), "%s", ibv_get_device_name(dev));
	p->length = PROBE_LEN;
	ctx = ibv_open_device(dev);
	if (!ctx) {
		p->err = errno ? errno : ENODEV;
		p->step = "ibv_open_device";
		return;
	}
	pd = ibv_alloc_pd(ctx);
	if (!pd) {
		p->err = errno ? errno : ENOMEM;
		p->step = "ibv_alloc_pd";
		goto out;
	}
	p->err = posix_memalign(&buf, (size_t)sysconf(_SC_PAGESIZE), PROBE_LEN);
	if (p->err) {
		buf = NULL;
		p->step = "posix_memalign";
		goto out;
	}
	memset(buf, 0, PROBE_LEN);
	mr = ibv_reg_mr(pd, buf, PROBE_LEN, IBV_ACCESS_LOCAL_WRITE);
	if (!mr) {
		p->err = errno ? errno : ENOMEM;
		p->step = "ibv_reg_mr";
		goto out;
	}
	p->err = ibphyr_query_mr(mr, &p->fp);
	p->step = p->err == EOPNOTSUPP ? NULL : "ibphyr_query_mr";
out:
	if (mr && ibv_dereg_mr(mr))
		fprintf(stderr, "ibphyr: %s: ibv_dereg_mr failed\n", p->ibdev);
	if (pd && ibv_dealloc_pd(pd))
		fprintf(stderr, "ibphyr: %s: ibv_dealloc_pd failed\n", p->ibdev);
	if (ibv_close_device(ctx))
		fprintf(stderr, "ibphyr: %s: ibv_close_device failed\n", p->ibdev);
	free(buf);
}

static int cmd_probe(const struct ibphyr_cli *c)
{
	struct ibphyr_probe *p = NULL;
	struct ibv_device **devs;
	int n, i, nr = 0, ok = 0, notrep = 0, ret;

	devs = ibv_get_device_list(&n);
	if (!devs) {
		fprintf(stderr, "ibphyr: no RDMA devices: %s\n", strerror(errno));
		return IBPHYR_EXIT_ERROR;
	}
	if (n > 0)
		p = calloc((size_t)n, sizeof(*p));
	if (n > 0 && !p) {
		ibv_free_device_list(devs);
		fprintf(stderr, "ibphyr: %s\n", strerror(ENOMEM));
		return IBPHYR_EXIT_ERROR;
	}
	for (i = 0; i < n; i++) {
		if (c->device && strcmp(c->device, ibv_get_device_name(devs[i])))
			continue;
		probe_one(devs[i], &p[nr]);
		ok += !p[nr].err;
		notrep += p[nr].err == EOPNOTSUPP;
		nr++;
	}
	ibv_free_device_list(devs);
	if (!nr) {
		fprintf(stderr, "ibphyr: %s%s\n", c->device ? "no RDMA device " :
			"no RDMA devices", c->device ? c->device : "");
		free(p);
		return IBPHYR_EXIT_ERROR;
	}
	ibphyr_cli_print_probe(stdout, p, (size_t)nr, c->json, c->verbose);
	free(p);
	if (ok + notrep < nr)
		ret = IBPHYR_EXIT_ERROR;
	else if (!ok)
		ret = IBPHYR_EXIT_NOT_REPORTED;
	else
		ret = IBPHYR_EXIT_OK;
	return ret;
}

/* The reporter: $IBPHYR_REPORT_LIB, next to this program, or in LIBDIR */
static int find_reporter(char *path, size_t size)
{
	const char *env = getenv(IBPHYR_ENV_REPORT_LIB);
	char self[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		snprintf(path, size, "%s", env);
		return access(path, R_OK) ? errno : 0;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		char *slash;

		self[n] = 0;
		slash = strrchr(self, '/');
		if (slash) {
			*slash = 0;
			if (snprintf(path, size, "%s/libibphyr-report.so",
				     self) < (int)size && !access(path, R_OK))
				return 0;
		}
	}
	snprintf(path, size, "%s/libibphyr-report.so", IBPHYR_LIBDIR);
	return access(path, R_OK) ? errno : 0;
}

static int cmd_run(const struct ibphyr_cli *c)
{
	char lib[PATH_MAX], tmpl[] = "/tmp/ibphyr-run.XXXXXX", *preload;
	struct sigaction ign = { .sa_handler = SIG_IGN }, oint, oquit;
	struct ibphyr_record *recs = NULL;
	size_t nr = 0, bad = 0;
	const char *old;
	int fd, status, ret, code;
	FILE *in, *out = stdout;
	pid_t pid;

	ret = find_reporter(lib, sizeof(lib));
	if (ret) {
		fprintf(stderr, "ibphyr: no reporter %s: %s (set %s)\n", lib,
			strerror(ret), IBPHYR_ENV_REPORT_LIB);
		return IBPHYR_EXIT_ERROR;
	}
	fd = mkstemp(tmpl);
	if (fd < 0) {
		fprintf(stderr, "ibphyr: %s: %s\n", tmpl, strerror(errno));
		return IBPHYR_EXIT_ERROR;
	}
	old = getenv("LD_PRELOAD");
	if (asprintf(&preload, "%s%s%s", lib, old && *old ? ":" : "",
		     old ? old : "") < 0) {
		close(fd);
		unlink(tmpl);
		return IBPHYR_EXIT_ERROR;
	}

	/* Like time(1): the command takes the keyboard's signals */
	sigaction(SIGINT, &ign, &oint);
	sigaction(SIGQUIT, &ign, &oquit);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		sigaction(SIGINT, &oint, NULL);
		sigaction(SIGQUIT, &oquit, NULL);
		close(fd);
		if (setenv("LD_PRELOAD", preload, 1) ||
		    setenv(IBPHYR_ENV_REPORT_FILE, tmpl, 1))
			_exit(127);
		execvp(c->run_argv[0], c->run_argv);
		fprintf(stderr, "ibphyr: %s: %s\n", c->run_argv[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	free(preload);
	if (pid < 0) {
		fprintf(stderr, "ibphyr: fork: %s\n", strerror(errno));
		close(fd);
		unlink(tmpl);
		return IBPHYR_EXIT_ERROR;
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "ibphyr: waitpid: %s\n", strerror(errno));
			close(fd);
			unlink(tmpl);
			return IBPHYR_EXIT_ERROR;
		}
	}
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGQUIT, &oquit, NULL);
	code = WIFEXITED(status) ? WEXITSTATUS(status) :
	       WIFSIGNALED(status) ? 128 + WTERMSIG(status) : IBPHYR_EXIT_ERROR;

	in = fdopen(fd, "r");
	if (!in) {
		close(fd);
		unlink(tmpl);
		return code ? code : IBPHYR_EXIT_ERROR;
	}
	ret = ibphyr_records_read(in, &recs, &nr, &bad);
	fclose(in);
	unlink(tmpl);
	if (ret) {
		fprintf(stderr, "ibphyr: reading the records: %s\n", strerror(ret));
		return code ? code : IBPHYR_EXIT_ERROR;
	}
	if (bad)
		fprintf(stderr, "ibphyr: %zu malformed records skipped\n", bad);
	if (c->output) {
		out = fopen(c->output, "w");
		if (!out) {
			fprintf(stderr, "ibphyr: %s: %s\n", c->output, strerror(errno));
			free(recs);
			return code ? code : IBPHYR_EXIT_ERROR;
		}
	}
	ibphyr_cli_print_run(out, recs, nr, c->json, c->verbose);
	if (out != stdout && fclose(out)) {
		fprintf(stderr, "ibphyr: %s: %s\n", c->output, strerror(errno));
		code = code ? code : IBPHYR_EXIT_ERROR;
	}
	free(recs);
	return code;
}

int main(int argc, char **argv)
{
	struct ibphyr_cli c;
	int ret;

	ret = ibphyr_cli_parse(argc, argv, &c, stderr);
	if (ret)
		return ret;
	switch (c.cmd) {
	case IBPHYR_CMD_HELP:
		fputs(ibphyr_cli_usage, stdout);
		return IBPHYR_EXIT_OK;
	case IBPHYR_CMD_VERSION:
		printf("ibphyr %s\n", IBPHYR_VERSION);
		return IBPHYR_EXIT_OK;
	case IBPHYR_CMD_PROBE:
		return cmd_probe(&c);
	case IBPHYR_CMD_RUN:
		return cmd_run(&c);
	case IBPHYR_CMD_LIST:
	default:
		return cmd_list(&c);
	}
}
