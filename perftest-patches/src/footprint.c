// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * The footprint block libperftest-phyr.so prints after perftest's report,
 * its JSON, and perftest's options that place perftest's own JSON file.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include "cli.h"
#include "footprint.h"

/* --- perftest's command line ------------------------------------------- */

/* getopt_long(): the name exactly, or an abbreviation no other option has */
static bool is_json_file_opt(const char *name)
{
	static const char opt[] = "out_json_file";

	/* "out_json" itself is an option: only "out_json_..." abbreviates this */
	return strlen(name) > strlen("out_json") && !strncmp(opt, name, strlen(name));
}

void pt_parse_args(int argc, char *const *argv, struct pt_args *a)
{
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 1; i < argc; i++) {
		const char *s = argv[i], *eq;
		char name[32];
		size_t n;

		if (!strcmp(s, "--"))
			break;
		if (strncmp(s, "--", 2))
			continue;
		s += 2;
		eq = strchr(s, '=');
		n = eq ? (size_t)(eq - s) : strlen(s);
		if (!n || n >= sizeof(name))
			continue;
		memcpy(name, s, n);
		name[n] = 0;
		if (!strcmp(name, "out_json")) {
			/* Takes no argument: "--out_json=x" is perftest's error */
			if (!eq)
				a->out_json = true;
		} else if (is_json_file_opt(name)) {
			if (eq)
				a->json_file = eq + 1;
			else if (i + 1 < argc)
				a->json_file = argv[++i];
		}
	}
}

int pt_split_cmdline(char *buf, size_t len, char **argv, int max)
{
	size_t off = 0;
	int argc = 0;

	buf[len] = 0;
	while (off < len && argc < max) {
		argv[argc++] = buf + off;
		off += strlen(buf + off) + 1;
	}
	return argc;
}

int pt_sibling_json(const char *json, char *buf, size_t size)
{
	static const char ext[] = ".json";
	size_t n = strlen(json), e = sizeof(ext) - 1;
	int k;

	if (!n)
		return EINVAL;
	if (n >= e && !strcmp(json + n - e, ext))
		n -= e;
	k = snprintf(buf, size, "%.*s%s", (int)n, json, PT_JSON_SUFFIX);
	return k < 0 || (size_t)k >= size ? ENAMETOOLONG : 0;
}

/* --- figures ------------------------------------------------------------ */

/* The pages of [addr, addr + length) */
static uint64_t range_pages(uint64_t addr, uint64_t length, uint32_t page_size)
{
	uint64_t last;

	if (!length || !page_size)
		return 0;
	last = length - 1 > UINT64_MAX - addr ? UINT64_MAX : addr + length - 1;
	return last / page_size - addr / page_size + 1;
}

void pt_mr_figures(const struct ibphyr_mr_rec *m, uint32_t page_size,
		   struct pt_mr *f)
{
	struct ibphyr_footprint fp;

	memset(f, 0, sizeof(*f));
	if (!m->r.err) {
		fp = m->r.fp;
		f->reported = true;
		f->kernel_bytes = fp.kernel_bytes;
	} else {
		/*
		 * Not reported: the pages of the range, as a stock kernel pins
		 * them, their runs unknown (so an upper bound).  A dmabuf MR
		 * pins no pages: stock keeps no list for it either.
		 */
		memset(&fp, 0, sizeof(fp));
		fp.page_size = page_size;
		fp.driver_id = m->driver_id;
		fp.pages = range_pages(m->addr, m->r.length, page_size);
		if (m->r.fn == IBPHYR_FN_REG_DMABUF_MR)
			fp.flags = IBPHYR_FP_NO_LIST;
	}
	f->page_size = fp.page_size;
	f->pages = fp.pages;
	f->est_err = ibphyr_stock_estimate(&fp, m->r.length, &f->est);
}

void pt_total(const struct ibphyr_mr_rec *v, size_t nr, uint32_t page_size,
	      struct pt_total *t)
{
	struct pt_mr f;
	size_t i;

	memset(t, 0, sizeof(*t));
	t->page_size = page_size;
	for (i = 0; i < nr; i++) {
		pt_mr_figures(&v[i], page_size, &f);
		if (!i)
			t->page_size = f.page_size;
		t->mrs++;
		t->length += v[i].r.length;
		t->pages += f.pages;
		if (f.reported) {
			t->reported++;
			t->kernel_pages += f.pages;
			t->kernel_bytes += f.kernel_bytes;
		} else if (v[i].r.err == EOPNOTSUPP) {
			t->not_reported++;
		} else if (!t->failed++) {
			t->first_err = v[i].r.err;
		}
		if (f.est_err)
			continue;
		t->estimated++;
		t->est_pages += f.pages;
		t->stock_bytes += f.est.total_bytes;
		t->upper_bound |= f.est.flags & IBPHYR_EST_UPPER_BOUND;
		t->driver_unknown |= f.est.flags & IBPHYR_EST_DRIVER_UNKNOWN;
	}
}

/* --- the block ------------------------------------------------------------ */

/* perftest's RESULT_LINE: its tables begin and end with it */
#define PT_LINE \
	"---------------------------------------------------------------------------------------\n"
#define PT_COLS		" %-6s %-18s %-13s %-15s %-15s %s\n"

static const char *bytes_per_page(char *buf, size_t size, uint64_t bytes,
				  uint64_t pages)
{
	if (!pages)
		return "-";
	snprintf(buf, size, "%.3f", (double)bytes / (double)pages);
	return buf;
}

static const char *why_not(const struct pt_total *t)
{
	return t->failed ? strerror(t->first_err) : "not reported by this kernel";
}

void pt_print_block(FILE *f, const struct pt_total *t, const char *program,
		    uint32_t pid)
{
	char mrs[24], len[24], kern[24], kbpp[32], stock[32], sbpp[32];

	snprintf(mrs, sizeof(mrs), "%" PRIu64, t->mrs);
	snprintf(len, sizeof(len), "%" PRIu64, t->length);
	if (t->reported)
		snprintf(kern, sizeof(kern), "%" PRIu64, t->kernel_bytes);
	else
		snprintf(kern, sizeof(kern), "not reported");
	if (t->estimated)
		snprintf(stock, sizeof(stock), "%s%" PRIu64,
			 t->upper_bound ? "<=" : "~", t->stock_bytes);
	else
		snprintf(stock, sizeof(stock), "-");

	fprintf(f, " MR footprint of %s (pid %" PRIu32 "), by phyr-perftest:\n",
		program, pid);
	fputs(PT_LINE, f);
	fprintf(f, PT_COLS, "#MRs", "#bytes registered", "kernel[B]",
		"kernel[B/page]", "stock est.[B]", "stock[B/page]");
	fprintf(f, PT_COLS, mrs, len, kern,
		bytes_per_page(kbpp, sizeof(kbpp), t->kernel_bytes, t->kernel_pages),
		stock, bytes_per_page(sbpp, sizeof(sbpp), t->stock_bytes, t->est_pages));

	if (!t->reported && !t->failed)
		fprintf(f, " kernel[B]: not reported by this kernel\n");
	else if (!t->reported)
		fprintf(f, " kernel[B]: not reported: the footprint query failed (%s)\n",
			why_not(t));
	else if (t->reported < t->mrs)
		fprintf(f, " kernel[B]: %" PRIu64 " of the %" PRIu64 " MRs, %" PRIu64
			" pages; the others: %s\n", t->reported, t->mrs,
			t->kernel_pages, why_not(t));
	else
		fprintf(f, " kernel[B]: what the kernel keeps for the MRs, as it reports it\n");
	if (!t->estimated)
		fprintf(f, " stock est.: none (no page size for these MRs)\n");
	else if (t->upper_bound && t->reported < t->mrs)
		fprintf(f, " stock est.: <= an upper bound, a scatterlist entry per page"
			" of the MRs' ranges\n");
	else if (t->upper_bound)
		fprintf(f, " stock est.: <= an upper bound, a scatterlist entry per page"
			" (runs not reported)\n");
	else
		fprintf(f, " stock est.: ~ a stock 6.12 kernel's scatterlist and driver"
			" page array\n");
	if (t->estimated && t->driver_unknown)
		fprintf(f, " stock est.: without the driver's page array (driver unknown)\n");
	if (t->estimated && t->estimated < t->mrs)
		fprintf(f, " stock est.: %" PRIu64 " of the %" PRIu64 " MRs\n",
			t->estimated, t->mrs);
	fputs(PT_LINE, f);
}

/* --- JSON ------------------------------------------------------------------ */

struct jw {
	FILE *f;
	bool first;
};

static void j_key(struct jw *w, const char *k)
{
	fprintf(w->f, "%s\"%s\":", w->first ? "" : ",", k);
	w->first = false;
}

static void j_u64(struct jw *w, const char *k, bool have, uint64_t v)
{
	j_key(w, k);
	if (have)
		fprintf(w->f, "%" PRIu64, v);
	else
		fputs("null", w->f);
}

static void j_bool(struct jw *w, const char *k, bool v)
{
	j_key(w, k);
	fputs(v ? "true" : "false", w->f);
}

static void j_str(struct jw *w, const char *k, const char *s)
{
	j_key(w, k);
	if (s)
		ibphyr_cli_json_str(w->f, s);
	else
		fputs("null", w->f);
}

static void j_ratio(struct jw *w, const char *k, bool have, uint64_t bytes,
		    uint64_t pages)
{
	j_key(w, k);
	if (have && pages)
		fprintf(w->f, "%.3f", (double)bytes / (double)pages);
	else
		fputs("null", w->f);
}

static void json_mr(struct jw *w, const struct ibphyr_mr_rec *m, uint32_t page_size)
{
	const struct ibphyr_footprint *fp = &m->r.fp;
	bool est, rep;
	struct pt_mr f;

	pt_mr_figures(m, page_size, &f);
	rep = f.reported;
	est = !f.est_err;
	j_u64(w, "seq", true, m->r.seq);
	j_u64(w, "pid", true, m->r.pid);
	j_str(w, "call", ibphyr_reg_fn_name(m->r.fn));
	j_u64(w, "length", true, m->r.length);
	j_bool(w, "deregistered", m->r.dereg);
	j_bool(w, "reported", rep);
	j_str(w, "error", rep ? NULL : m->r.err == EOPNOTSUPP ?
	      "not reported by this kernel" : strerror(m->r.err));
	j_u64(w, "page_size", true, f.page_size);
	j_u64(w, "pages", true, f.pages);
	j_str(w, "pages_from", rep ? "kernel" : "range");
	j_u64(w, "kernel_bytes", rep, f.kernel_bytes);
	j_ratio(w, "bytes_per_page", rep, f.kernel_bytes, f.pages);
	j_u64(w, "cpu_bytes", rep, fp->cpu_bytes);
	j_u64(w, "dma_bytes", rep, fp->dma_bytes);
	j_u64(w, "driver_bytes", rep, fp->driver_bytes);
	j_u64(w, "runs", rep && (fp->flags & IBPHYR_FP_EXACT), fp->runs);
	j_key(w, "exact");
	fputs(!rep ? "null" : fp->flags & IBPHYR_FP_EXACT ? "true" : "false", w->f);
	j_u64(w, "driver_id", rep || m->driver_id, rep ? fp->driver_id : m->driver_id);
	j_u64(w, "stock_estimate_bytes", est, f.est.total_bytes);
	j_ratio(w, "stock_estimate_bytes_per_page", est, f.est.total_bytes, f.pages);
	j_bool(w, "estimate_upper_bound", f.est.flags & IBPHYR_EST_UPPER_BOUND);
	j_bool(w, "estimate_driver_unknown", f.est.flags & IBPHYR_EST_DRIVER_UNKNOWN);
}

void pt_print_json(FILE *f, const struct ibphyr_mr_rec *v, size_t nr,
		   uint32_t page_size, const char *program, uint32_t pid)
{
	struct jw w = { .f = f, .first = true };
	bool all;
	struct pt_total t;
	size_t i;

	pt_total(v, nr, page_size, &t);
	all = t.mrs && t.reported == t.mrs;
	fputc('{', f);
	j_str(&w, "program", program);
	j_u64(&w, "pid", true, pid);
	j_u64(&w, "mrs", true, t.mrs);
	j_u64(&w, "bytes_registered", true, t.length);
	j_u64(&w, "pages", true, t.pages);
	j_u64(&w, "page_size", true, t.page_size);
	j_bool(&w, "reported", all);
	j_u64(&w, "reported_mrs", true, t.reported);
	j_str(&w, "error", all ? NULL : why_not(&t));
	j_u64(&w, "kernel_bytes", t.reported, t.kernel_bytes);
	j_u64(&w, "kernel_pages", true, t.kernel_pages);
	j_ratio(&w, "bytes_per_page", t.reported, t.kernel_bytes, t.kernel_pages);
	j_u64(&w, "stock_estimate_bytes", t.estimated, t.stock_bytes);
	j_ratio(&w, "stock_estimate_bytes_per_page", t.estimated, t.stock_bytes,
		t.est_pages);
	j_bool(&w, "estimate_upper_bound", t.upper_bound);
	j_bool(&w, "estimate_driver_unknown", t.driver_unknown);
	j_key(&w, "mr");
	fputc('[', f);
	for (i = 0; i < nr; i++) {
		struct jw m = { .f = f, .first = true };

		fputs(i ? ",{" : "{", f);
		json_mr(&m, &v[i], page_size);
		fputc('}', f);
	}
	fputs("]}\n", f);
}
