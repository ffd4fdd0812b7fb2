/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * Just enough of <kunit/test.h> to run lib/phyr_kunit.c under Check: each
 * KUnit case becomes a Check test (tests/user/kunit_check.c registers
 * them).  EXPECT and ASSERT both stop the case at the first failure.
 */
#ifndef _PHYR_COMPAT_KUNIT_TEST_H
#define _PHYR_COMPAT_KUNIT_TEST_H

#include <check.h>
#include "../phyr_compat.h"

struct kunit {
	const char *name;
};

struct kunit_case {
	void (*run_case)(struct kunit *test);
	const char *name;
};

struct kunit_suite {
	const char *name;
	struct kunit_case *test_cases;
};

#define KUNIT_CASE(fn)	{ .run_case = fn, .name = #fn }

/* Suites register themselves before main(), as built-in KUnit suites do. */
void kunit_compat_register(struct kunit_suite *suite);
#define kunit_test_suite(s)						\
	static void __attribute__((constructor)) s##_register(void)	\
	{ kunit_compat_register(&s); }

#define KUNIT_BINARY(test, l, op, r) do {				\
	long long __l = (long long)(l), __r = (long long)(r);		\
	(void)(test);							\
	ck_assert_msg(__l op __r, "%s %s %s: %lld vs %lld (0x%llx vs 0x%llx)", \
		      #l, #op, #r, __l, __r, __l, __r);			\
} while (0)

#define KUNIT_EXPECT_EQ(t, l, r)	KUNIT_BINARY(t, l, ==, r)
#define KUNIT_EXPECT_NE(t, l, r)	KUNIT_BINARY(t, l, !=, r)
#define KUNIT_EXPECT_LE(t, l, r)	KUNIT_BINARY(t, l, <=, r)
#define KUNIT_EXPECT_LT(t, l, r)	KUNIT_BINARY(t, l, <, r)
#define KUNIT_EXPECT_GE(t, l, r)	KUNIT_BINARY(t, l, >=, r)
#define KUNIT_EXPECT_GT(t, l, r)	KUNIT_BINARY(t, l, >, r)
#define KUNIT_EXPECT_TRUE(t, c)		KUNIT_BINARY(t, !!(c), ==, 1)
#define KUNIT_EXPECT_FALSE(t, c)	KUNIT_BINARY(t, !!(c), ==, 0)
#define KUNIT_ASSERT_EQ			KUNIT_EXPECT_EQ
#define KUNIT_ASSERT_TRUE		KUNIT_EXPECT_TRUE
#define KUNIT_ASSERT_FALSE		KUNIT_EXPECT_FALSE
#define KUNIT_ASSERT_NOT_NULL(t, p)	KUNIT_EXPECT_TRUE(t, (p) != NULL)

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define MODULE_DESCRIPTION(s)	extern int phyr_compat_module_description
#define MODULE_LICENSE(s)	extern int phyr_compat_module_license

#endif /* _PHYR_COMPAT_KUNIT_TEST_H */
