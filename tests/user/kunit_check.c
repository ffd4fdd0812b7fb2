// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * Runs the KUnit suites of lib/ (compiled against the compat <kunit/test.h>)
 * as Check tests: one TCase per KUnit case, named after it, running every
 * parameter of a parameterised case.  A case passes if no EXPECT or ASSERT
 * failed, it did not skip, it freed everything it allocated and it tripped
 * no WARN_ON.
 */
#include <stdarg.h>
#include <kunit/test.h>
#include "unit.h"

#define MAX_SUITES	8
#define MAX_CASES	256

static struct kunit_suite *suites[MAX_SUITES];
static unsigned int nr_suites;
static const struct kunit_case *cases[MAX_CASES];

void kunit_compat_register(struct kunit_suite *suite)
{
	if (nr_suites == MAX_SUITES)
		abort();
	suites[nr_suites++] = suite;
}

void kunit_compat_fail(struct kunit *test, bool assert, const char *file,
		       int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "    # %s%s%s: %s:%d: %s failed: ", test->name,
		test->param_desc[0] ? " " : "", test->param_desc, file, line,
		assert ? "ASSERT" : "EXPECT");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	test->failures++;
	if (assert)
		kunit_compat_abort(test);
}

void kunit_compat_abort(struct kunit *test)
{
	longjmp(*test->abort, 1);
}

int kunit_add_action_or_reset(struct kunit *test, kunit_action_t *fn,
			      void *ctx)
{
	if (test->nr_actions == KUNIT_COMPAT_ACTIONS) {
		fn(ctx);
		return -ENOMEM;
	}
	test->actions[test->nr_actions].fn = fn;
	test->actions[test->nr_actions++].ctx = ctx;
	return 0;
}

static void kfree_action(void *p)
{
	kfree(p);
}

void *kunit_kmalloc(struct kunit *test, size_t size, gfp_t gfp)
{
	void *p = kmalloc(size, gfp);

	if (p && kunit_add_action_or_reset(test, kfree_action, p))
		return NULL;
	return p;
}

void *kunit_kzalloc(struct kunit *test, size_t size, gfp_t gfp)
{
	void *p = kunit_kmalloc(test, size, gfp);

	if (p)
		memset(p, 0, size);
	return p;
}

/* One run of a case, for one parameter; the deferred actions after it. */
static void run_once(struct kunit *test, const struct kunit_case *c)
{
	jmp_buf abort;

	test->abort = &abort;
	if (!setjmp(abort))
		c->run_case(test);
	while (test->nr_actions) {
		test->nr_actions--;
		test->actions[test->nr_actions].fn(test->actions[test->nr_actions].ctx);
	}
}

START_TEST(run_kunit_case)
{
	static struct kunit test;
	const struct kunit_case *c = cases[_i];
	long live = phyr_compat_live;
	unsigned int runs = 0;

	memset(&test, 0, sizeof(test));
	test.name = c->name;
	if (!c->generate_params) {
		run_once(&test, c);
		runs++;
	} else {
		const void *param = NULL;

		while ((param = c->generate_params(param, test.param_desc))) {
			test.param_value = param;
			run_once(&test, c);
			test.param_desc[0] = 0;
			runs++;
		}
	}
	ck_assert_msg(runs > 0, "no parameters");
	ck_assert_msg(!test.skipped, "skipped");
	ck_assert_msg(!test.failures, "%u checks failed", test.failures);
	ck_assert_msg(phyr_compat_live == live, "%ld objects leaked",
		      phyr_compat_live - live);
	ck_assert_msg(!phyr_compat_warnings, "WARN_ON hit");
}
END_TEST

/*
 * The shim's own semantics, which the suites above rely on: a failed EXPECT
 * counts and the case goes on, a failed ASSERT ends it, u64 values at and
 * above 2^63 compare as themselves, deferred actions run newest first after
 * the case, an ASSERT included.  (Its three failures print above as
 * "kunit_shim_case ... failed": they are the expected ones.)
 */
static unsigned int shim_steps, shim_failures[4], shim_order[2], shim_ran;

static void shim_action(void *p)
{
	shim_order[shim_ran++] = (unsigned int)(uintptr_t)p;
}

static void kunit_shim_case(struct kunit *test)
{
	u64 big = 1ULL << 63;

	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, shim_action, (void *)1), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, shim_action, (void *)2), 0);
	KUNIT_EXPECT_EQ(test, 1, 2);			/* fails, the case goes on */
	shim_failures[shim_steps++] = test->failures;
	KUNIT_EXPECT_GT(test, big, (u64)1);		/* holds */
	KUNIT_EXPECT_GT(test, U64_MAX, big);		/* holds */
	KUNIT_EXPECT_EQ(test, big + 1, big + 1);	/* holds */
	shim_failures[shim_steps++] = test->failures;
	KUNIT_EXPECT_LT(test, big, (u64)1);		/* fails */
	shim_failures[shim_steps++] = test->failures;
	KUNIT_ASSERT_TRUE(test, false);			/* fails, ends the case */
	shim_steps++;
}

START_TEST(kunit_shim_semantics)
{
	static struct kunit test;
	static const struct kunit_case c = KUNIT_CASE(kunit_shim_case);

	memset(&test, 0, sizeof(test));
	test.name = c.name;
	run_once(&test, &c);
	ck_assert_uint_eq(shim_steps, 3);
	ck_assert_uint_eq(shim_failures[0], 1);
	ck_assert_uint_eq(shim_failures[1], 1);
	ck_assert_uint_eq(shim_failures[2], 2);
	ck_assert_uint_eq(test.failures, 3);
	ck_assert_uint_eq(shim_ran, 2);
	ck_assert_uint_eq(shim_order[0], 2);
	ck_assert_uint_eq(shim_order[1], 1);
}
END_TEST

void add_kunit_suites(SRunner *sr)
{
	Suite *shim = suite_create("kunit_shim");
	TCase *shim_tc = tcase_create("semantics");

	tcase_add_test(shim_tc, kunit_shim_semantics);
	suite_add_tcase(shim, shim_tc);
	srunner_add_suite(sr, shim);

	unsigned int s, n = 0;

	for (s = 0; s < nr_suites; s++) {
		Suite *suite = suite_create(suites[s]->name);
		const struct kunit_case *c;

		for (c = suites[s]->test_cases; c->run_case; c++, n++) {
			TCase *tc = tcase_create(c->name);

			if (n == MAX_CASES)
				abort();
			cases[n] = c;
			tcase_set_timeout(tc, 60);
			tcase_add_loop_test(tc, run_kunit_case, n, n + 1);
			suite_add_tcase(suite, tc);
		}
		srunner_add_suite(sr, suite);
	}
}
