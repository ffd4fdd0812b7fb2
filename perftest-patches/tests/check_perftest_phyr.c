// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * libperftest-phyr.so's pure parts, without a kernel or a device: perftest's
 * JSON options and command line, the sibling JSON name, the MRs' totals on
 * a phyr and on a stock kernel, the block and the JSON.  The JSON documents
 * are also left in the working directory (check-*.json, with blocks in
 * check-*.out) for a JSON parser and the tests' reader of blocks.
 * Expected figures are worked out by hand in the comments.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rdma/ib_user_ioctl_verbs.h>
#include "footprint.h"

#define PS	4096u

/* --- helpers -------------------------------------------------------------- */

static struct ibphyr_mr_rec rec(unsigned int fn, uint64_t addr, uint64_t length,
				int err)
{
	struct ibphyr_mr_rec m;

	memset(&m, 0, sizeof(m));
	m.r.pid = 42;
	m.r.fn = fn;
	m.addr = addr;
	m.r.length = length;
	m.r.err = err;
	return m;
}

/* A footprint as the phyr kernel reports one for root: exact */
static void reported(struct ibphyr_mr_rec *m, uint64_t pages, uint64_t cpu,
		     uint64_t driver, uint64_t runs)
{
	struct ibphyr_footprint *fp = &m->r.fp;

	fp->version = 1;
	fp->flags = IBPHYR_FP_EXACT | IBPHYR_FP_DMA_ALIAS;
	fp->driver_id = RDMA_DRIVER_RXE;
	fp->page_size = PS;
	fp->pages = pages;
	fp->cpu_bytes = cpu;
	fp->driver_bytes = driver;
	fp->kernel_bytes = cpu + driver;
	fp->runs = runs;
	fp->entries[IBPHYR_ENC_PACKED] = pages;
}

/* @t is @w, field by field */
static void total_is(const struct pt_total *t, const struct pt_total *w)
{
#define EQ(fld)	ck_assert_msg(t->fld == w->fld, #fld " %" PRIu64 ", want %" PRIu64, \
			      (uint64_t)t->fld, (uint64_t)w->fld)
	EQ(mrs); EQ(length); EQ(pages);
	EQ(reported); EQ(kernel_pages); EQ(kernel_bytes);
	EQ(not_reported); EQ(failed); EQ(first_err);
	EQ(estimated); EQ(est_pages); EQ(stock_bytes);
	EQ(upper_bound); EQ(driver_unknown); EQ(page_size);
#undef EQ
}

/* What the block of @v's totals, or @v's JSON, prints */
static char *render(bool json, const struct ibphyr_mr_rec *v, size_t nr,
		    const char *program, uint32_t pid)
{
	struct pt_total t;
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	ck_assert_ptr_nonnull(f);
	if (json) {
		pt_print_json(f, v, nr, PS, program, pid);
	} else {
		pt_total(v, nr, PS, &t);
		pt_print_block(f, &t, program, pid);
	}
	ck_assert_int_eq(fclose(f), 0);
	return s;
}

static void save(const char *name, const char *s)
{
	FILE *f = fopen(name, "w");

	ck_assert_ptr_nonnull(f);
	fputs(s, f);
	ck_assert_int_eq(fclose(f), 0);
}

/*
 * One phyr MR: 128 KiB = 32 pages in 32 runs, 136 bytes (4.250 B/page).
 * Stock: 32 scatterlist entries of 32 bytes, kmalloc(1024) = 1024, and
 * rxe's 16 bytes a page, kmalloc(512) = 512: 1536 (48.000 B/page).
 */
static struct ibphyr_mr_rec phyr_mr(void)
{
	struct ibphyr_mr_rec m = rec(IBPHYR_FN_REG_MR_IOVA2, 0x7f0000000000, 128 << 10, 0);

	reported(&m, 32, 128, 8, 32);
	m.r.dereg = 1;
	return m;
}

/*
 * Two MRs on a stock kernel (not reported): 4 pages at a page boundary on
 * rxe (the driver found), upper bound 4 entries, kmalloc(128) + rxe
 * kmalloc(64) = 192; 1 MiB 100 bytes into a page, 257 pages, driver
 * unknown: 257 entries in tables of 128 chained by their last entry, two
 * full pages and 3 entries, 2 * 4096 + kmalloc(96) = 8288.  8480 bytes for
 * 261 pages: 32.490 B/page.
 */
static void stock_mrs(struct ibphyr_mr_rec v[2])
{
	v[0] = rec(IBPHYR_FN_REG_MR, 0x10000, 4 * PS, EOPNOTSUPP);
	v[0].driver_id = RDMA_DRIVER_RXE;
	v[1] = rec(IBPHYR_FN_REG_MR_IOVA2, 0x20000 + 100, 1 << 20, EOPNOTSUPP);
	v[1].r.seq = 1;
}

/* --- perftest's command line ------------------------------------------- */

#define ARGS(...)	((char *[]){ "ib_write_bw", __VA_ARGS__ })
#define NARGS(...)	((int)(sizeof(ARGS(__VA_ARGS__)) / sizeof(char *)))
#define PARSE(a, ...)	pt_parse_args(NARGS(__VA_ARGS__), ARGS(__VA_ARGS__), a)

START_TEST(test_args)
{
	char *only[] = { "ib_write_bw" };
	struct pt_args a;

	pt_parse_args(1, only, &a);
	ck_assert(!a.out_json);
	ck_assert_ptr_null(a.json_file);
	pt_parse_args(0, NULL, &a);
	ck_assert(!a.out_json);

	PARSE(&a, "-d", "rxe0", "--out_json", "127.0.0.1");
	ck_assert(a.out_json);
	ck_assert_ptr_null(a.json_file);
	PARSE(&a, "--out_json_file=a.json");
	ck_assert(!a.out_json);
	ck_assert_str_eq(a.json_file, "a.json");
	PARSE(&a, "--out_json_file", "b.json", "--out_json");
	ck_assert(a.out_json);
	ck_assert_str_eq(a.json_file, "b.json");
	/* Abbreviations only "out_json_file" has; the last one counts */
	PARSE(&a, "--out_json_f=c", "--out_json_fi", "d", "--out_json_");
	ck_assert_str_eq(a.json_file, "d");
	PARSE(&a, "--out_json_=e");
	ck_assert_str_eq(a.json_file, "e");
	/* Not these: ambiguous, too long, with an argument, after "--" */
	PARSE(&a, "--out_js", "--out_json_filex=f", "--out_json=1", "-out_json");
	ck_assert(!a.out_json);
	ck_assert_ptr_null(a.json_file);
	PARSE(&a, "--", "--out_json", "--out_json_file=g");
	ck_assert(!a.out_json);
	ck_assert_ptr_null(a.json_file);
	PARSE(&a, "--out_json_file");
	ck_assert_ptr_null(a.json_file);
	/* The separate argument is taken whatever it looks like */
	PARSE(&a, "--out_json_file", "--out_json");
	ck_assert(!a.out_json);
	ck_assert_str_eq(a.json_file, "--out_json");
}
END_TEST

START_TEST(test_cmdline)
{
	char buf[64], *argv[8];

	memcpy(buf, "ib_write_bw\0-d\0rxe0\0", 20);
	ck_assert_int_eq(pt_split_cmdline(buf, 20, argv, 8), 3);
	ck_assert_str_eq(argv[0], "ib_write_bw");
	ck_assert_str_eq(argv[1], "-d");
	ck_assert_str_eq(argv[2], "rxe0");
	/* No NUL after the last argument: one is put there */
	memcpy(buf, "a\0bc!", 5);
	ck_assert_int_eq(pt_split_cmdline(buf, 4, argv, 8), 2);
	ck_assert_str_eq(argv[1], "bc");
	/* An empty argument is one */
	memcpy(buf, "a\0\0b\0", 5);
	ck_assert_int_eq(pt_split_cmdline(buf, 5, argv, 8), 3);
	ck_assert_str_eq(argv[1], "");
	ck_assert_str_eq(argv[2], "b");
	ck_assert_int_eq(pt_split_cmdline(buf, 5, argv, 2), 2);
	ck_assert_int_eq(pt_split_cmdline(buf, 0, argv, 8), 0);
}
END_TEST

START_TEST(test_sibling)
{
	char b[40];

	ck_assert_int_eq(pt_sibling_json(PT_JSON_DEFAULT, b, sizeof(b)), 0);
	ck_assert_str_eq(b, "perftest_out.footprint.json");
	ck_assert_int_eq(pt_sibling_json("/tmp/r/x.json", b, sizeof(b)), 0);
	ck_assert_str_eq(b, "/tmp/r/x.footprint.json");
	ck_assert_int_eq(pt_sibling_json("out", b, sizeof(b)), 0);
	ck_assert_str_eq(b, "out.footprint.json");
	ck_assert_int_eq(pt_sibling_json("d.json/out.JSON", b, sizeof(b)), 0);
	ck_assert_str_eq(b, "d.json/out.JSON.footprint.json");
	ck_assert_int_eq(pt_sibling_json(".json", b, sizeof(b)), 0);
	ck_assert_str_eq(b, ".footprint.json");
	ck_assert_int_eq(pt_sibling_json("", b, sizeof(b)), EINVAL);
	/* 25 + 15 does not fit 40 with its NUL; 24 + 15 does */
	ck_assert_int_eq(pt_sibling_json("aaaaaaaaaaaaaaaaaaaaaaaaa", b, sizeof(b)),
			 ENAMETOOLONG);
	ck_assert_int_eq(pt_sibling_json("aaaaaaaaaaaaaaaaaaaaaaaa", b, sizeof(b)), 0);
}
END_TEST

/* --- totals ------------------------------------------------------------- */

START_TEST(test_total_phyr)
{
	struct ibphyr_mr_rec v[2];
	struct pt_total t;

	v[0] = phyr_mr();
	pt_total(v, 1, PS, &t);
	total_is(&t, &(struct pt_total){
		.mrs = 1, .length = 128 << 10, .pages = 32, .reported = 1,
		.kernel_pages = 32, .kernel_bytes = 136, .estimated = 1,
		.est_pages = 32, .stock_bytes = 1536, .page_size = PS });

	/* Twice the same MR (--mr_per_qp -q 2): each counted, both summed */
	v[1] = v[0];
	pt_total(v, 2, PS, &t);
	total_is(&t, &(struct pt_total){
		.mrs = 2, .length = 256 << 10, .pages = 64, .reported = 2,
		.kernel_pages = 64, .kernel_bytes = 272, .estimated = 2,
		.est_pages = 64, .stock_bytes = 3072, .page_size = PS });

	/* Unprivileged: rounded bytes, no runs, so the estimate is a bound */
	v[1].r.fp.flags = 0;
	v[1].r.fp.runs = 0;
	pt_total(v, 2, PS, &t);
	ck_assert(t.upper_bound);
	ck_assert_uint_eq(t.stock_bytes, 3072);
}
END_TEST

START_TEST(test_total_stock)
{
	struct ibphyr_mr_rec v[3];
	struct pt_total t;
	struct pt_mr f;

	stock_mrs(v);
	pt_mr_figures(&v[0], PS, &f);
	ck_assert(!f.reported);
	ck_assert_uint_eq(f.pages, 4);
	ck_assert_uint_eq(f.page_size, PS);
	ck_assert_int_eq(f.est_err, 0);
	ck_assert_uint_eq(f.est.total_bytes, 192);
	pt_mr_figures(&v[1], PS, &f);
	ck_assert_uint_eq(f.pages, 257);
	ck_assert_uint_eq(f.est.total_bytes, 8288);
	ck_assert(f.est.flags & IBPHYR_EST_DRIVER_UNKNOWN);

	pt_total(v, 2, PS, &t);
	total_is(&t, &(struct pt_total){
		.mrs = 2, .length = 4 * PS + (1 << 20), .pages = 261,
		.not_reported = 2, .estimated = 2, .est_pages = 261,
		.stock_bytes = 8480, .upper_bound = true, .driver_unknown = true,
		.page_size = PS });

	/* A dmabuf MR pins nothing: no list on stock either */
	v[2] = rec(IBPHYR_FN_REG_DMABUF_MR, 0, 1 << 20, EOPNOTSUPP);
	pt_mr_figures(&v[2], PS, &f);
	ck_assert_int_eq(f.est_err, 0);
	ck_assert_uint_eq(f.est.total_bytes, 0);
	pt_total(v, 3, PS, &t);
	ck_assert_uint_eq(t.mrs, 3);
	ck_assert_uint_eq(t.stock_bytes, 8480);

	/* The range's last byte: one page, or two across a boundary */
	v[2] = rec(IBPHYR_FN_REG_MR, PS - 1, 1, EOPNOTSUPP);
	pt_mr_figures(&v[2], PS, &f);
	ck_assert_uint_eq(f.pages, 1);
	v[2] = rec(IBPHYR_FN_REG_MR, PS - 1, 2, EOPNOTSUPP);
	pt_mr_figures(&v[2], PS, &f);
	ck_assert_uint_eq(f.pages, 2);
	v[2] = rec(IBPHYR_FN_REG_MR, UINT64_MAX - PS + 1, 2 * PS, EOPNOTSUPP);
	pt_mr_figures(&v[2], PS, &f);
	ck_assert_uint_eq(f.pages, 1);
	v[2] = rec(IBPHYR_FN_REG_MR, 0, 0, EOPNOTSUPP);
	pt_mr_figures(&v[2], PS, &f);
	ck_assert_uint_eq(f.pages, 0);
}
END_TEST

START_TEST(test_total_mixed)
{
	struct ibphyr_mr_rec v[3];
	struct pt_total t;

	v[0] = phyr_mr();
	stock_mrs(v + 1);
	pt_total(v, 2, PS, &t);
	total_is(&t, &(struct pt_total){
		.mrs = 2, .length = (128 << 10) + 4 * PS, .pages = 36,
		.reported = 1, .kernel_pages = 32, .kernel_bytes = 136,
		.not_reported = 1, .estimated = 2, .est_pages = 36,
		.stock_bytes = 1536 + 192, .upper_bound = true, .page_size = PS });
	/* A failed query is not "not reported by this kernel" */
	v[2].r.err = ENODEV;
	v[1].r.err = EACCES;
	pt_total(v, 3, PS, &t);
	ck_assert_uint_eq(t.failed, 2);
	ck_assert_uint_eq(t.not_reported, 0);
	ck_assert_int_eq(t.first_err, EACCES);
	/* No MR: nothing */
	pt_total(v, 0, PS, &t);
	ck_assert_uint_eq(t.mrs, 0);
	ck_assert_uint_eq(t.page_size, PS);
}
END_TEST

/* --- the block ------------------------------------------------------------ */

#define LINE "---------------------------------------------------------------------------------------\n"

/* Every line within perftest's 87 columns */
static void lines_fit(const char *s)
{
	const char *nl;

	for (; (nl = strchr(s, '\n')); s = nl + 1)
		ck_assert_msg(nl - s <= 87, "too long: %.*s", (int)(nl - s), s);
	ck_assert_str_eq(s, "");
}

START_TEST(test_block_phyr)
{
	static const char want[] =
		" MR footprint of ib_write_bw (pid 42), by phyr-perftest:\n"
		LINE
		" #MRs   #bytes registered  kernel[B]     kernel[B/page]  stock est.[B]   stock[B/page]\n"
		" 1      131072             136           4.250           ~1536           48.000\n"
		" kernel[B]: what the kernel keeps for the MRs, as it reports it\n"
		" stock est.: ~ a stock 6.12 kernel's scatterlist and driver page array\n"
		LINE;
	struct ibphyr_mr_rec m = phyr_mr();
	char *s, *p;

	ck_assert_uint_eq(strlen(LINE), 88);	/* 87 dashes, as perftest's */
	s = render(false, &m, 1, "ib_write_bw", 42);
	ck_assert_str_eq(s, want);
	/* The header fits perftest's line */
	p = strstr(s, " #MRs");
	ck_assert_int_le(strchr(p, '\n') - p, 87);
	lines_fit(s);
	free(s);

	/* Unprivileged: rounded bytes, no runs, an upper bound */
	m.r.fp.flags = 0;
	m.r.fp.runs = 0;
	s = render(false, &m, 1, "ib_write_bw", 42);
	ck_assert_ptr_nonnull(strstr(s, " 1      131072             136           4.250           "
				     "<=1536          48.000\n"));
	ck_assert_ptr_nonnull(strstr(s, "\n stock est.: <= an upper bound, a scatterlist entry per "
				     "page (runs not reported)\n" LINE));
	lines_fit(s);
	free(s);
}
END_TEST

START_TEST(test_block_stock)
{
	struct ibphyr_mr_rec v[2];
	char *s;

	stock_mrs(v);
	s = render(false, v, 2, "ib_read_bw", 7);
	ck_assert_ptr_nonnull(strstr(s, " MR footprint of ib_read_bw (pid 7), by phyr-perftest:\n" LINE));
	ck_assert_ptr_nonnull(strstr(s,
		" 2      1064960            not reported  -               <=8480          32.490\n"));
	ck_assert_ptr_nonnull(strstr(s, "\n kernel[B]: not reported by this kernel\n"));
	ck_assert_ptr_nonnull(strstr(s, "\n stock est.: <= an upper bound, a scatterlist entry "
				     "per page of the MRs' ranges\n"));
	ck_assert_ptr_nonnull(strstr(s, "\n stock est.: without the driver's page array "
				     "(driver unknown)\n" LINE));
	ck_assert_ptr_null(strstr(s, "~"));
	lines_fit(s);
	free(s);

	/* The query failed: said so, with its error */
	v[0].r.err = ENODEV;
	s = render(false, v, 1, "x", 1);
	ck_assert_ptr_nonnull(strstr(s, " kernel[B]: not reported: the footprint query failed "
				     "(No such device)\n"));
	ck_assert_ptr_null(strstr(s, "this kernel"));
	free(s);
}
END_TEST

START_TEST(test_block_mixed)
{
	struct ibphyr_mr_rec v[3];
	char *s;

	v[0] = phyr_mr();
	stock_mrs(v + 1);
	s = render(false, v, 3, "ib_send_bw", 3);
	/* 136 bytes over the 32 reported pages; 1536 + 8480 over 293 */
	ck_assert_ptr_nonnull(strstr(s,
		" 3      1196032            136           4.250           <=10016         34.184\n"));
	ck_assert_ptr_nonnull(strstr(s, " kernel[B]: 1 of the 3 MRs, 32 pages; the others: not "
				     "reported by this kernel\n"));
	lines_fit(s);
	free(s);
}
END_TEST

/* --- JSON ------------------------------------------------------------------ */

START_TEST(test_json_phyr)
{
	static const char want[] =
		"{\"program\":\"ib_write_bw\",\"pid\":42,\"mrs\":1,\"bytes_registered\":131072,"
		"\"pages\":32,\"page_size\":4096,\"reported\":true,\"reported_mrs\":1,"
		"\"error\":null,\"kernel_bytes\":136,\"kernel_pages\":32,\"bytes_per_page\":4.250,"
		"\"stock_estimate_bytes\":1536,\"stock_estimate_bytes_per_page\":48.000,"
		"\"estimate_upper_bound\":false,\"estimate_driver_unknown\":false,\"mr\":["
		"{\"seq\":0,\"pid\":42,\"call\":\"ibv_reg_mr_iova2\",\"length\":131072,"
		"\"deregistered\":true,\"reported\":true,\"error\":null,\"page_size\":4096,"
		"\"pages\":32,\"pages_from\":\"kernel\",\"kernel_bytes\":136,"
		"\"bytes_per_page\":4.250,\"cpu_bytes\":128,\"dma_bytes\":0,\"driver_bytes\":8,"
		"\"runs\":32,\"exact\":true,\"driver_id\":" "%d" ",\"stock_estimate_bytes\":1536,"
		"\"stock_estimate_bytes_per_page\":48.000,\"estimate_upper_bound\":false,"
		"\"estimate_driver_unknown\":false}]}\n";
	struct ibphyr_mr_rec m = phyr_mr();
	char expect[sizeof(want) + 16];
	char *s;

	snprintf(expect, sizeof(expect), want, RDMA_DRIVER_RXE);
	s = render(true, &m, 1, "ib_write_bw", 42);
	ck_assert_str_eq(s, expect);
	save("check-phyr.json", s);
	free(s);
	s = render(false, &m, 1, "ib_write_bw", 42);
	save("check-phyr.out", s);
	free(s);
}
END_TEST

START_TEST(test_json_stock)
{
	struct ibphyr_mr_rec v[3];
	char *s;

	stock_mrs(v);
	v[2] = phyr_mr();
	v[2].r.err = ENODEV;
	s = render(true, v, 2, "ib_\"bw\"\n", 9);
	ck_assert_ptr_nonnull(strstr(s, "{\"program\":\"ib_\\\"bw\\\"\\u000a\",\"pid\":9,\"mrs\":2,"
				     "\"bytes_registered\":1064960,\"pages\":261,"));
	ck_assert_ptr_nonnull(strstr(s, "\"reported\":false,\"reported_mrs\":0,"
				     "\"error\":\"not reported by this kernel\",\"kernel_bytes\":null,"
				     "\"kernel_pages\":0,\"bytes_per_page\":null,"
				     "\"stock_estimate_bytes\":8480,"
				     "\"stock_estimate_bytes_per_page\":32.490,"
				     "\"estimate_upper_bound\":true,\"estimate_driver_unknown\":true,"));
	/* Per MR: the range's pages, no kernel figures, the driver if found */
	ck_assert_ptr_nonnull(strstr(s, "\"seq\":0,\"pid\":42,\"call\":\"ibv_reg_mr\",\"length\":16384,"
				     "\"deregistered\":false,\"reported\":false,"
				     "\"error\":\"not reported by this kernel\",\"page_size\":4096,"
				     "\"pages\":4,\"pages_from\":\"range\",\"kernel_bytes\":null,"
				     "\"bytes_per_page\":null,\"cpu_bytes\":null,\"dma_bytes\":null,"
				     "\"driver_bytes\":null,\"runs\":null,\"exact\":null,"
				     "\"driver_id\":"));
	ck_assert_ptr_nonnull(strstr(s, "\"stock_estimate_bytes\":192,"
				     "\"stock_estimate_bytes_per_page\":48.000,"
				     "\"estimate_upper_bound\":true,\"estimate_driver_unknown\":false}"));
	ck_assert_ptr_nonnull(strstr(s, "\"pages\":257,"));
	ck_assert_ptr_nonnull(strstr(s, "\"driver_id\":null,\"stock_estimate_bytes\":8288,"));
	ck_assert_ptr_nonnull(strstr(s, "}]}\n"));
	save("check-stock.json", s);
	free(s);
	/* Both drivers known, with the block: for the guest test's reader */
	v[1].driver_id = RDMA_DRIVER_RXE;
	s = render(true, v, 2, "ib_read_bw", 9);
	save("check-stock-rxe.json", s);
	free(s);
	s = render(false, v, 2, "ib_read_bw", 9);
	save("check-stock-rxe.out", s);
	free(s);

	/* A failed query and an unprivileged footprint, beside a reported one */
	v[0] = phyr_mr();
	v[0].r.fp.flags = 0;
	v[1].r.err = EACCES;
	s = render(true, v, 3, "ib_write_lat", 9);
	ck_assert_ptr_nonnull(strstr(s, "\"reported\":false,\"reported_mrs\":1,"
				     "\"error\":\"Permission denied\",\"kernel_bytes\":136,"));
	ck_assert_ptr_nonnull(strstr(s, "\"runs\":null,\"exact\":false,"));
	ck_assert_ptr_nonnull(strstr(s, "\"error\":\"No such device\","));
	save("check-mixed.json", s);
	free(s);
}
END_TEST

int main(void)
{
	const struct {
		const char *name;
		const TTest *test;
	} tests[] = {
		{ "perftest_args", test_args },
		{ "cmdline", test_cmdline },
		{ "sibling_json", test_sibling },
		{ "total_phyr", test_total_phyr },
		{ "total_stock", test_total_stock },
		{ "total_mixed", test_total_mixed },
		{ "block_phyr", test_block_phyr },
		{ "block_stock", test_block_stock },
		{ "block_mixed", test_block_mixed },
		{ "json_phyr", test_json_phyr },
		{ "json_stock", test_json_stock },
	};
	Suite *s = suite_create("perftest-phyr");
	SRunner *sr;
	size_t i;
	int bad;

	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		TCase *t = tcase_create(tests[i].name);

		tcase_add_test(t, tests[i].test);
		suite_add_tcase(s, t);
	}
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	bad = srunner_ntests_failed(sr) != 0;
	srunner_free(sr);
	return bad;
}
