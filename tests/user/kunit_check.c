// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * Runs the KUnit suites of lib/ (compiled against the compat <kunit/test.h>)
 * as Check tests: one TCase per KUnit case, named after it.  Each case must
 * also free everything it allocated and trip no WARN_ON.
 */
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

START_TEST(run_kunit_case)
{
	struct kunit test = { .name = cases[_i]->name };
	long live = phyr_compat_live;

	cases[_i]->run_case(&test);
	ck_assert_msg(phyr_compat_live == live, "%ld objects leaked",
		      phyr_compat_live - live);
	ck_assert_msg(!phyr_compat_warnings, "WARN_ON hit");
}
END_TEST

void add_kunit_suites(SRunner *sr)
{
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
