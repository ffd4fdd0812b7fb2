// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * ibphyr's options and output.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <string.h>
#include "cli.h"

const char ibphyr_cli_usage[] =
"Usage: ibphyr [list] [-d DEV] [--json] [-v]\n"
"       ibphyr probe [-d DEV] [--json] [-v]\n"
"       ibphyr run [--json] [-v] [-o FILE] -- CMD [ARGS...]\n"
"       ibphyr --help | --version\n"
"\n"
"The kernel memory of RDMA memory regions (MRs), as the phyr kernel\n"
"reports it, beside an estimate of what a stock kernel keeps for them.\n"
"\n"
"Commands:\n"
"  list               the MRs visible to the caller, per device (default)\n"
"  probe              register a 64 KiB MR on each device, query its footprint\n"
"  run                run CMD, report the MRs it registers\n"
"\n"
"Options:\n"
"  -d, --device=DEV   only the RDMA device DEV (list, probe)\n"
"  -j, --json         JSON output\n"
"  -v, --verbose      also the flags, runs and entries per encoding\n"
"  -o, --output=FILE  write the report to FILE, not standard output (run)\n"
"  -h, --help         show this help and exit\n"
"  -V, --version      show the version and exit\n"
"\n"
"Exit status: 0 ok, 1 error, 2 usage error, 3 not reported by this kernel;\n"
"run exits with CMD's status (128+N when signal N killed it).\n";

static const struct option longopts[] = {
	{ "device", required_argument, NULL, 'd' },
	{ "json", no_argument, NULL, 'j' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static int usage_err(FILE *err, const char *fmt, const char *arg)
{
	fprintf(err, "ibphyr: ");
	fprintf(err, fmt, arg);
	fprintf(err, "\nTry 'ibphyr --help'.\n");
	return IBPHYR_EXIT_USAGE;
}

/* Options of argv[1..] up to the first non-option; *dashdash if "--" ended them */
static int parse_opts(int argc, char **argv, struct ibphyr_cli *c, bool *help,
		      bool *version, bool *dashdash, int *next, FILE *err)
{
	const char *last_arg = NULL;
	int o;

	optind = 0;	/* full reinitialisation of GNU getopt */
	opterr = 0;
	while ((o = getopt_long(argc, argv, "+:d:jvo:hV", longopts, NULL)) != -1) {
		last_arg = NULL;
		switch (o) {
		case 'd':
			if (!*optarg)
				return usage_err(err, "empty device name%s", "");
			c->device = optarg;
			last_arg = optarg;
			break;
		case 'o':
			if (!*optarg)
				return usage_err(err, "empty output file name%s", "");
			c->output = optarg;
			last_arg = optarg;
			break;
		case 'j':
			c->json = true;
			break;
		case 'v':
			c->verbose = true;
			break;
		case 'h':
			*help = true;
			break;
		case 'V':
			*version = true;
			break;
		case ':':
			return usage_err(err, "option '%s' needs an argument",
					 argv[optind - 1]);
		default:
			if (optopt) {
				char s[3] = { '-', (char)optopt, 0 };

				return usage_err(err, "unknown option '%s'", s);
			}
			return usage_err(err, "unknown option '%s'",
					 argv[optind - 1]);
		}
	}
	*dashdash = optind > 1 && !strcmp(argv[optind - 1], "--") &&
		    last_arg != argv[optind - 1];
	*next = optind;
	return 0;
}

int ibphyr_cli_parse(int argc, char **argv, struct ibphyr_cli *c, FILE *err)
{
	bool help = false, version = false, dashdash = false, have_cmd = false;
	int next, ret;

	memset(c, 0, sizeof(*c));
	c->cmd = IBPHYR_CMD_LIST;
	if (argc < 1)
		return usage_err(err, "no arguments%s", "");
	ret = parse_opts(argc, argv, c, &help, &version, &dashdash, &next, err);
	if (ret)
		return ret;
	if (next < argc && !dashdash) {
		const char *w = argv[next];

		if (!strcmp(w, "list"))
			c->cmd = IBPHYR_CMD_LIST;
		else if (!strcmp(w, "probe"))
			c->cmd = IBPHYR_CMD_PROBE;
		else if (!strcmp(w, "run"))
			c->cmd = IBPHYR_CMD_RUN;
		else if (!help && !version)
			return usage_err(err, "unknown command '%s'", w);
		have_cmd = true;
		/* The command's own options: argv[next] is its argv[0] */
		argv += next;
		argc -= next;
		ret = parse_opts(argc, argv, c, &help, &version, &dashdash,
				 &next, err);
		if (ret)
			return ret;
	}
	if (help) {
		c->cmd = IBPHYR_CMD_HELP;
		return 0;
	}
	if (version) {
		c->cmd = IBPHYR_CMD_VERSION;
		return 0;
	}
	if (c->cmd == IBPHYR_CMD_RUN) {
		if (c->device)
			return usage_err(err, "run takes no device%s", "");
		if (next >= argc)
			return usage_err(err, "run needs a command%s", "");
		c->run_argv = argv + next;
		c->run_argc = argc - next;
		return 0;
	}
	if (!have_cmd && next < argc)
		return usage_err(err, "unexpected '%s'", argv[next]);
	if (have_cmd && next < argc)
		return usage_err(err, "unexpected argument '%s'", argv[next]);
	if (c->output)
		return usage_err(err, "--output is for run only%s", "");
	return 0;
}

/* --- output ------------------------------------------------------------ */

void ibphyr_cli_json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

struct row {
	const char *dev;
	uint32_t mrn;
	uint32_t pid;
	const char *comm;
	const char *fn;
	uint32_t seq;
	bool dereg;
	bool kernel;
	uint64_t length;
	int err;		/* 0: fp valid */
	const char *step;
	const struct ibphyr_footprint *fp;
};

struct totals {
	uint64_t mrs, reported, pages, kernel, stock, length;
	bool stock_upper;
};

static void add(struct totals *t, const struct row *r)
{
	struct ibphyr_estimate e;

	t->mrs++;
	t->length += r->length;
	if (r->err)
		return;
	t->reported++;
	t->pages += r->fp->pages;
	t->kernel += r->fp->kernel_bytes;
	if (!ibphyr_stock_estimate(r->fp, r->length, &e)) {
		t->stock += e.total_bytes;
		if (e.flags & (IBPHYR_EST_UPPER_BOUND | IBPHYR_EST_DRIVER_UNKNOWN))
			t->stock_upper = true;
	}
}

static void per_page(char *buf, size_t size, uint64_t bytes, uint64_t pages)
{
	if (pages)
		snprintf(buf, size, "%.3f", (double)bytes / (double)pages);
	else
		snprintf(buf, size, "-");
}

/* The footprint's columns: PAGES KERNEL_B B/PAGE STOCK~ STOCK~/PAGE */
static void fp_cols(FILE *f, const struct row *r)
{
	struct ibphyr_estimate e;
	char bpp[32], sbpp[32], stock[40];

	if (r->err == EOPNOTSUPP) {
		fprintf(f, " %8s %12s", "-", "not reported");
		return;
	}
	if (r->err) {
		fprintf(f, " %8s error: %s%s%s", "-", r->step ? r->step : "",
			r->step ? ": " : "", strerror(r->err));
		return;
	}
	per_page(bpp, sizeof(bpp), r->fp->kernel_bytes, r->fp->pages);
	if (ibphyr_stock_estimate(r->fp, r->length, &e)) {
		snprintf(stock, sizeof(stock), "-");
		snprintf(sbpp, sizeof(sbpp), "-");
	} else {
		snprintf(stock, sizeof(stock), "%s%" PRIu64,
			 e.flags & IBPHYR_EST_UPPER_BOUND ? "\u2264" : "~",
			 e.total_bytes);
		per_page(sbpp, sizeof(sbpp), e.total_bytes, r->fp->pages);
		if (e.flags & IBPHYR_EST_DRIVER_UNKNOWN)
			strncat(sbpp, "+drv?", sizeof(sbpp) - strlen(sbpp) - 1);
	}
	fprintf(f, " %8" PRIu64 " %12" PRIu64 " %8s %12s %10s", r->fp->pages,
		r->fp->kernel_bytes, bpp, stock, sbpp);
}

static void fp_detail(FILE *f, const struct row *r)
{
	const struct ibphyr_footprint *fp = r->fp;
	unsigned int i;

	if (r->err)
		return;
	fprintf(f, "    version %" PRIu32 " flags 0x%" PRIx32 "%s%s%s%s driver_id %"
		PRIu32 " page_size %" PRIu32 "\n", fp->version, fp->flags,
		fp->flags & IBPHYR_FP_EXACT ? " exact" : " rounded",
		fp->flags & IBPHYR_FP_DMA_ALIAS ? " dma_alias" : "",
		fp->flags & IBPHYR_FP_DMA_IOVA ? " dma_iova" : "",
		fp->flags & IBPHYR_FP_NO_LIST ? " no_list" : "",
		fp->driver_id, fp->page_size);
	fprintf(f, "    cpu_bytes %" PRIu64 " dma_bytes %" PRIu64
		" driver_bytes %" PRIu64 " runs %" PRIu64 " dma_entries %"
		PRIu64 "\n    entries", fp->cpu_bytes, fp->dma_bytes,
		fp->driver_bytes, fp->runs, fp->dma_entries);
	for (i = 0; i < IBPHYR_NR_ENC; i++)
		fprintf(f, " %s %" PRIu64, ibphyr_enc_name(i), fp->entries[i]);
	fputc('\n', f);
}

static void fp_head(FILE *f)
{
	fprintf(f, " %8s %12s %8s %12s %10s\n", "PAGES", "KERNEL_B", "B/PAGE",
		"STOCK_B~", "STOCK/PAGE");
}

static void total_line(FILE *f, const char *what, const struct totals *t)
{
	char bpp[32], sbpp[32];

	per_page(bpp, sizeof(bpp), t->kernel, t->pages);
	per_page(sbpp, sizeof(sbpp), t->stock, t->pages);
	fprintf(f, "total %s: %" PRIu64 " MRs, %" PRIu64 " reported", what,
		t->mrs, t->reported);
	if (t->reported)
		fprintf(f, ", %" PRIu64 " pages, %" PRIu64 " kernel bytes (%s B/page),"
			" stock estimate %s%" PRIu64 " bytes (%s B/page)", t->pages,
			t->kernel, bpp, t->stock_upper ? "\u2264" : "~", t->stock,
			sbpp);
	fputc('\n', f);
}

static void json_u64(FILE *f, const char *k, uint64_t v, bool comma)
{
	fprintf(f, "\"%s\":%" PRIu64 "%s", k, v, comma ? "," : "");
}

static void json_ratio(FILE *f, const char *k, uint64_t bytes, uint64_t pages)
{
	if (pages)
		fprintf(f, "\"%s\":%.3f", k, (double)bytes / (double)pages);
	else
		fprintf(f, "\"%s\":null", k);
}

/* "reported", "error", "footprint", "stock_estimate" of a row */
static void json_fp(FILE *f, const struct row *r)
{
	const struct ibphyr_footprint *fp = r->fp;
	struct ibphyr_estimate e;
	unsigned int i;

	fprintf(f, "\"reported\":%s,", r->err ? "false" : "true");
	if (r->err) {
		fprintf(f, "\"error\":");
		ibphyr_cli_json_str(f, r->err == EOPNOTSUPP ?
				    "not reported by this kernel" : strerror(r->err));
		fprintf(f, ",\"footprint\":null,\"stock_estimate\":null");
		return;
	}
	fprintf(f, "\"error\":null,\"footprint\":{");
	json_u64(f, "version", fp->version, true);
	json_u64(f, "flags", fp->flags, true);
	fprintf(f, "\"exact\":%s,", fp->flags & IBPHYR_FP_EXACT ? "true" : "false");
	json_u64(f, "driver_id", fp->driver_id, true);
	json_u64(f, "page_size", fp->page_size, true);
	json_u64(f, "pages", fp->pages, true);
	json_u64(f, "cpu_bytes", fp->cpu_bytes, true);
	json_u64(f, "dma_bytes", fp->dma_bytes, true);
	json_u64(f, "driver_bytes", fp->driver_bytes, true);
	json_u64(f, "kernel_bytes", fp->kernel_bytes, true);
	json_ratio(f, "bytes_per_page", fp->kernel_bytes, fp->pages);
	fputc(',', f);
	json_u64(f, "runs", fp->runs, true);
	json_u64(f, "dma_entries", fp->dma_entries, true);
	fprintf(f, "\"entries\":{");
	for (i = 0; i < IBPHYR_NR_ENC; i++)
		json_u64(f, ibphyr_enc_name(i), fp->entries[i], i + 1 < IBPHYR_NR_ENC);
	fprintf(f, "}},\"stock_estimate\":");
	if (ibphyr_stock_estimate(fp, r->length, &e)) {
		fprintf(f, "null");
		return;
	}
	fputc('{', f);
	json_u64(f, "sg_entries", e.sg_entries, true);
	json_u64(f, "sg_bytes", e.sg_bytes, true);
	json_u64(f, "driver_bytes", e.driver_bytes, true);
	json_u64(f, "total_bytes", e.total_bytes, true);
	json_ratio(f, "bytes_per_page", e.total_bytes, fp->pages);
	fprintf(f, ",\"upper_bound\":%s,\"driver_unknown\":%s}",
		e.flags & IBPHYR_EST_UPPER_BOUND ? "true" : "false",
		e.flags & IBPHYR_EST_DRIVER_UNKNOWN ? "true" : "false");
}

static void json_totals(FILE *f, const struct totals *t)
{
	fputc('{', f);
	json_u64(f, "mrs", t->mrs, true);
	json_u64(f, "reported", t->reported, true);
	json_u64(f, "length", t->length, true);
	json_u64(f, "pages", t->pages, true);
	json_u64(f, "kernel_bytes", t->kernel, true);
	json_ratio(f, "bytes_per_page", t->kernel, t->pages);
	fputc(',', f);
	json_u64(f, "stock_estimate_bytes", t->stock, true);
	fprintf(f, "\"stock_estimate_upper_bound\":%s}",
		t->stock_upper ? "true" : "false");
}

static void list_row(const struct ibphyr_mr_info *m, struct row *r)
{
	memset(r, 0, sizeof(*r));
	r->dev = m->ibdev;
	r->mrn = m->mrn;
	r->pid = m->pid;
	r->comm = m->comm;
	r->kernel = m->flags & IBPHYR_MR_KERNEL;
	r->length = m->length;
	r->err = m->flags & IBPHYR_MR_REPORTED ? 0 : EOPNOTSUPP;
	r->fp = &m->fp;
}

void ibphyr_cli_print_list(FILE *f, const struct ibphyr_mr_info *mrs,
			   size_t nr, bool json, bool verbose)
{
	struct totals all = { 0 }, dev = { 0 };
	struct row r;
	size_t i;

	if (json) {
		fprintf(f, "{\"mrs\":[");
		for (i = 0; i < nr; i++) {
			list_row(&mrs[i], &r);
			fprintf(f, "%s{\"device\":", i ? "," : "");
			ibphyr_cli_json_str(f, r.dev);
			fprintf(f, ",\"dev_index\":%" PRIu32 ",\"mrn\":%" PRIu32
				",\"pid\":%" PRIu32 ",\"kernel\":%s,\"comm\":",
				mrs[i].dev_index, r.mrn, r.pid,
				r.kernel ? "true" : "false");
			ibphyr_cli_json_str(f, r.comm);
			fprintf(f, ",\"length\":%" PRIu64 ",", r.length);
			json_fp(f, &r);
			fputc('}', f);
		}
		fprintf(f, "],\"devices\":[");
		for (i = 0; i < nr; i++) {
			list_row(&mrs[i], &r);
			add(&dev, &r);
			add(&all, &r);
			if (i + 1 < nr && !strcmp(mrs[i + 1].ibdev, mrs[i].ibdev))
				continue;
			fprintf(f, "%s{\"device\":", dev.mrs == all.mrs ? "" : ",");
			ibphyr_cli_json_str(f, r.dev);
			fprintf(f, ",\"total\":");
			json_totals(f, &dev);
			fputc('}', f);
			memset(&dev, 0, sizeof(dev));
		}
		fprintf(f, "],\"total\":");
		json_totals(f, &all);
		fprintf(f, "}\n");
		return;
	}

	fprintf(f, "%-10s %6s %7s %-16s %12s", "DEVICE", "MRN", "PID", "COMM",
		"LENGTH");
	fp_head(f);
	for (i = 0; i < nr; i++) {
		list_row(&mrs[i], &r);
		fprintf(f, "%-10s %6" PRIu32 " %7" PRIu32 " %-16s %12" PRIu64,
			r.dev, r.mrn, r.pid, r.comm[0] ? r.comm : "-", r.length);
		fp_cols(f, &r);
		fputc('\n', f);
		if (verbose)
			fp_detail(f, &r);
		add(&dev, &r);
		add(&all, &r);
		if (i + 1 < nr && !strcmp(mrs[i + 1].ibdev, mrs[i].ibdev))
			continue;
		total_line(f, r.dev, &dev);
		memset(&dev, 0, sizeof(dev));
	}
	total_line(f, "all", &all);
	if (all.reported)
		fprintf(f, "STOCK_B~: an estimate of a stock 6.12 kernel's "
			"scatterlist and driver page array (\u2264: an upper bound)\n");
}

static void run_row(const struct ibphyr_record *m, struct row *r)
{
	memset(r, 0, sizeof(*r));
	r->pid = m->pid;
	r->seq = m->seq;
	r->fn = ibphyr_reg_fn_name(m->fn);
	r->dereg = m->dereg;
	r->length = m->length;
	r->err = m->err;
	r->fp = &m->fp;
}

void ibphyr_cli_print_run(FILE *f, const struct ibphyr_record *recs, size_t nr,
			  bool json, bool verbose)
{
	struct totals all = { 0 };
	struct row r;
	size_t i;

	if (json) {
		fprintf(f, "{\"mrs\":[");
		for (i = 0; i < nr; i++) {
			run_row(&recs[i], &r);
			fprintf(f, "%s{\"pid\":%" PRIu32 ",\"seq\":%" PRIu32
				",\"call\":\"%s\",\"deregistered\":%s,\"length\":%"
				PRIu64 ",", i ? "," : "", r.pid, r.seq, r.fn,
				r.dereg ? "true" : "false", r.length);
			json_fp(f, &r);
			fputc('}', f);
			add(&all, &r);
		}
		fprintf(f, "],\"total\":");
		json_totals(f, &all);
		fprintf(f, "}\n");
		return;
	}
	fprintf(f, "%7s %5s %-18s %5s %12s", "PID", "SEQ", "CALL", "DEREG",
		"LENGTH");
	fp_head(f);
	for (i = 0; i < nr; i++) {
		run_row(&recs[i], &r);
		fprintf(f, "%7" PRIu32 " %5" PRIu32 " %-18s %5s %12" PRIu64,
			r.pid, r.seq, r.fn, r.dereg ? "yes" : "no", r.length);
		fp_cols(f, &r);
		fputc('\n', f);
		if (verbose)
			fp_detail(f, &r);
		add(&all, &r);
	}
	total_line(f, "all", &all);
}

void ibphyr_cli_print_probe(FILE *f, const struct ibphyr_probe *p, size_t nr,
			    bool json, bool verbose)
{
	struct row r;
	size_t i;

	if (json)
		fprintf(f, "{\"devices\":[");
	else {
		fprintf(f, "%-10s %12s", "DEVICE", "LENGTH");
		fp_head(f);
	}
	for (i = 0; i < nr; i++) {
		memset(&r, 0, sizeof(r));
		r.dev = p[i].ibdev;
		r.length = p[i].length;
		r.err = p[i].err;
		r.step = p[i].step;
		r.fp = &p[i].fp;
		if (json) {
			fprintf(f, "%s{\"device\":", i ? "," : "");
			ibphyr_cli_json_str(f, r.dev);
			fprintf(f, ",\"length\":%" PRIu64 ",", r.length);
			json_fp(f, &r);
			fputc('}', f);
			continue;
		}
		fprintf(f, "%-10s %12" PRIu64, r.dev, r.length);
		fp_cols(f, &r);
		fputc('\n', f);
		if (r.err == EOPNOTSUPP)
			fprintf(f, "%s: footprints not reported by this kernel\n",
				r.dev);
		if (verbose)
			fp_detail(f, &r);
	}
	if (json)
		fprintf(f, "]}\n");
}
