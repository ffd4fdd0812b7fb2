/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * Enough of <kunit/test.h> to run lib/phyr_kunit.c under Check, with
 * KUnit's semantics: an EXPECT that fails marks the case failed and the
 * case goes on; an ASSERT that fails ends it (here with a longjmp back to
 * tests/user/kunit_check.c); integers compare by value whatever their
 * types, u64 values at and above 2^63 included; deferred actions
 * (kunit_add_action_or_reset(), kunit_kmalloc()) run when the case ends,
 * newest first; parameterised cases run once per parameter.
 */
#ifndef _PHYR_COMPAT_KUNIT_TEST_H
#define _PHYR_COMPAT_KUNIT_TEST_H

#include <setjmp.h>
#include <stdio.h>
#include "../phyr_compat.h"

#define KUNIT_PARAM_DESC_SIZE	128
#define KUNIT_COMPAT_ACTIONS	4096

typedef void (kunit_action_t)(void *);

struct kunit {
	const char *name;
	const void *param_value;
	char param_desc[KUNIT_PARAM_DESC_SIZE];
	unsigned int failures;
	bool skipped;
	jmp_buf *abort;
	unsigned int nr_actions;
	struct {
		kunit_action_t *fn;
		void *ctx;
	} actions[KUNIT_COMPAT_ACTIONS];
};

struct kunit_case {
	void (*run_case)(struct kunit *test);
	const char *name;
	const void *(*generate_params)(const void *prev, char *desc);
};

struct kunit_suite {
	const char *name;
	struct kunit_case *test_cases;
};

#define KUNIT_CASE(fn)	{ .run_case = fn, .name = #fn }
#define KUNIT_CASE_PARAM(fn, gen) \
	{ .run_case = fn, .name = #fn, .generate_params = gen }

#define KUNIT_ARRAY_PARAM(name, array, get_desc)			\
	static const void *name##_gen_params(const void *prev, char *desc) \
	{								\
		__typeof__((array)[0]) *__next = prev ?			\
			((__typeof__(__next))prev) + 1 : (array);	\
		if (__next - (array) < (long)ARRAY_SIZE(array)) {	\
			void (*__get_desc)(__typeof__(__next), char *) = get_desc; \
			if (__get_desc)					\
				__get_desc(__next, desc);		\
			return __next;					\
		}							\
		return NULL;						\
	}

/* Suites register themselves before main(), as built-in KUnit suites do. */
void kunit_compat_register(struct kunit_suite *suite);
#define kunit_test_suite(s)						\
	static void __attribute__((constructor)) s##_register(void)	\
	{ kunit_compat_register(&s); }

/* A failed check: counted, printed; an ASSERT also ends the case. */
void kunit_compat_fail(struct kunit *test, bool assert, const char *file,
		       int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void kunit_compat_abort(struct kunit *test) __attribute__((noreturn));

int kunit_add_action_or_reset(struct kunit *test, kunit_action_t *fn,
			      void *ctx);
void *kunit_kmalloc(struct kunit *test, size_t size, gfp_t gfp);
void *kunit_kzalloc(struct kunit *test, size_t size, gfp_t gfp);

static inline void *kunit_kcalloc(struct kunit *test, size_t n, size_t size,
				  gfp_t gfp)
{
	return size && n > SIZE_MAX / size ? NULL :
	       kunit_kzalloc(test, n * size, gfp);
}

#define kunit_info(test, fmt, ...) \
	fprintf(stderr, "    # %s: " fmt, (test)->name, ##__VA_ARGS__)

#define kunit_skip(test, fmt, ...) do {					\
	(test)->skipped = true;						\
	kunit_info(test, "skipped: " fmt "\n", ##__VA_ARGS__);		\
	kunit_compat_abort(test);					\
} while (0)

#define KUNIT_FAIL(test, fmt, ...) \
	kunit_compat_fail(test, false, __FILE__, __LINE__, fmt, ##__VA_ARGS__)

/*
 * Integers compare as the mathematical values they hold: both sides widen
 * to __int128, so a u64 of 2^63 and more stays positive and a negative
 * s64 stays negative.
 */
#define KUNIT_COMPAT_BINARY(test, assert, l, op, r, fmt, ...) do {	\
	__typeof__(l) __l = (l);					\
	__typeof__(r) __r = (r);					\
	if (!((__int128)__l op (__int128)__r)) {			\
		kunit_compat_fail(test, assert, __FILE__, __LINE__,	\
			"%s %s %s: %lld vs %lld (0x%llx vs 0x%llx)" fmt, \
			#l, #op, #r, (long long)__l, (long long)__r,	\
			(unsigned long long)__l, (unsigned long long)__r, \
			##__VA_ARGS__);					\
	}								\
} while (0)

#define KUNIT_COMPAT_PTR(test, assert, cond, what, p) do {		\
	const void *__p = (p);						\
	if (!(cond))							\
		kunit_compat_fail(test, assert, __FILE__, __LINE__,	\
				  "%s %s: %p", #p, what, __p);		\
} while (0)

#define KUNIT_EXPECT_EQ(t, l, r)	KUNIT_COMPAT_BINARY(t, false, l, ==, r, "")
#define KUNIT_EXPECT_NE(t, l, r)	KUNIT_COMPAT_BINARY(t, false, l, !=, r, "")
#define KUNIT_EXPECT_LE(t, l, r)	KUNIT_COMPAT_BINARY(t, false, l, <=, r, "")
#define KUNIT_EXPECT_LT(t, l, r)	KUNIT_COMPAT_BINARY(t, false, l, <, r, "")
#define KUNIT_EXPECT_GE(t, l, r)	KUNIT_COMPAT_BINARY(t, false, l, >=, r, "")
#define KUNIT_EXPECT_GT(t, l, r)	KUNIT_COMPAT_BINARY(t, false, l, >, r, "")
#define KUNIT_EXPECT_TRUE(t, c)		KUNIT_COMPAT_BINARY(t, false, !!(c), ==, 1, "")
#define KUNIT_EXPECT_FALSE(t, c)	KUNIT_COMPAT_BINARY(t, false, !!(c), ==, 0, "")
#define KUNIT_EXPECT_EQ_MSG(t, l, r, fmt, ...) \
	KUNIT_COMPAT_BINARY(t, false, l, ==, r, ": " fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_LE_MSG(t, l, r, fmt, ...) \
	KUNIT_COMPAT_BINARY(t, false, l, <=, r, ": " fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_GE_MSG(t, l, r, fmt, ...) \
	KUNIT_COMPAT_BINARY(t, false, l, >=, r, ": " fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_TRUE_MSG(t, c, fmt, ...) \
	KUNIT_COMPAT_BINARY(t, false, !!(c), ==, 1, ": " fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_FALSE_MSG(t, c, fmt, ...) \
	KUNIT_COMPAT_BINARY(t, false, !!(c), ==, 0, ": " fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_NULL(t, p) \
	KUNIT_COMPAT_PTR(t, false, __p == NULL, "is not NULL", p)
#define KUNIT_EXPECT_NOT_NULL(t, p) \
	KUNIT_COMPAT_PTR(t, false, __p != NULL, "is NULL", p)
#define KUNIT_EXPECT_PTR_EQ(t, l, r) \
	KUNIT_COMPAT_PTR(t, false, __p == (const void *)(r), "differs from " #r, l)
#define KUNIT_EXPECT_MEMEQ(t, l, r, n) \
	KUNIT_COMPAT_BINARY(t, false, memcmp(l, r, n), ==, 0, "")

#define KUNIT_ASSERT_EQ(t, l, r)	KUNIT_COMPAT_BINARY(t, true, l, ==, r, "")
#define KUNIT_ASSERT_NE(t, l, r)	KUNIT_COMPAT_BINARY(t, true, l, !=, r, "")
#define KUNIT_ASSERT_LE(t, l, r)	KUNIT_COMPAT_BINARY(t, true, l, <=, r, "")
#define KUNIT_ASSERT_GE(t, l, r)	KUNIT_COMPAT_BINARY(t, true, l, >=, r, "")
#define KUNIT_ASSERT_TRUE(t, c)		KUNIT_COMPAT_BINARY(t, true, !!(c), ==, 1, "")
#define KUNIT_ASSERT_FALSE(t, c)	KUNIT_COMPAT_BINARY(t, true, !!(c), ==, 0, "")
#define KUNIT_ASSERT_EQ_MSG(t, l, r, fmt, ...) \
	KUNIT_COMPAT_BINARY(t, true, l, ==, r, ": " fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_NOT_NULL(t, p) \
	KUNIT_COMPAT_PTR(t, true, __p != NULL, "is NULL", p)

#define MODULE_DESCRIPTION(s)	extern int phyr_compat_module_description
#define MODULE_LICENSE(s)	extern int phyr_compat_module_license
#define MODULE_IMPORT_NS(ns)	extern int phyr_compat_module_import_ns

#endif /* _PHYR_COMPAT_KUNIT_TEST_H */
