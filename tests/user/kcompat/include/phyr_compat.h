/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * The few kernel interfaces kernel/ib_umem_phyr/lib/ and include/linux/phyr.h
 * use, for building them unchanged in userspace (the Check unit tests and
 * bench/phyr_list_bench).  Every
 * <linux/...> and <asm/...> header they include is a one-line file in this
 * folder that includes this one.
 *
 * Both allocators (kmalloc() and __get_free_page()) can be
 * made to fail after a given number of calls, and live objects are counted,
 * so tests can check every -ENOMEM path for leaks and for the list being
 * left as it was.
 */
#ifndef _PHYR_COMPAT_H
#define _PHYR_COMPAT_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef uint64_t phys_addr_t;
typedef unsigned int gfp_t;

#define U32_MAX			UINT32_MAX
#define U64_MAX			UINT64_MAX
#define PAGE_SHIFT		12
#define PAGE_SIZE		(1UL << PAGE_SHIFT)

#define GFP_KERNEL		0x1u
#define GFP_NOWAIT		0x2u
#define GFP_ATOMIC		0x4u
#define __GFP_NOWARN		0x8u

#define BIT(n)			(1UL << (n))
#define BIT_ULL(n)		(1ULL << (n))
#define GENMASK_ULL(h, l)	((~0ULL >> (63 - (h))) & (~0ULL << (l)))
#define lower_32_bits(n)	((u32)((n) & 0xffffffff))
#define upper_32_bits(n)	((u32)((n) >> 32))

#undef static_assert
#define static_assert(expr, ...)	_Static_assert(expr, #expr)

/* The unit tests build the code as a kernel with KUnit would. */
#define CONFIG_KUNIT		1
#define IS_ENABLED(option)	(option)

#define __must_check		__attribute__((warn_unused_result))
#define __maybe_unused		__attribute__((unused))
#define EXPORT_SYMBOL_GPL(sym)	extern int phyr_compat_export_##sym

#define min(a, b)		((a) < (b) ? (a) : (b))
#define max(a, b)		((a) > (b) ? (a) : (b))
#define min_t(t, a, b)		((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define max_t(t, a, b)		((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#define ALIGN(x, a)		(((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a)	((x) & ~((__typeof__(x))(a) - 1))
#define round_up(x, y)		ALIGN(x, y)
#define container_of(ptr, type, member)	\
	((type *)((char *)(ptr) - offsetof(type, member)))
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define check_add_overflow(a, b, d)	__builtin_add_overflow(a, b, d)

#define WARN_ON_ONCE(cond)	({ bool __c = (cond); if (__c) phyr_compat_warn(#cond, __FILE__, __LINE__); __c; })
#define WARN_ON(cond)		WARN_ON_ONCE(cond)

static inline bool is_power_of_2(u64 n)
{
	return n && !(n & (n - 1));
}

static inline unsigned int ilog2(u64 n)
{
	return 63 - __builtin_clzll(n);
}

static inline u64 roundup_pow_of_two(u64 n)
{
	return n <= 1 ? 1 : 1ULL << (64 - __builtin_clzll(n - 1));
}

static inline unsigned long __ffs(unsigned long word)
{
	return __builtin_ctzl(word);
}

static inline unsigned long __ffs64(u64 word)
{
	return __builtin_ctzll(word);
}

static inline void might_alloc(gfp_t gfp)
{
	(void)gfp;
}

/* All allocators are malloc(), so ASan sees every overflow and leak. */
/* Fail the Nth allocation from now (0: the next one); -1: never. */
extern long phyr_compat_fail_at;
/* Objects allocated and not yet freed. */
extern long phyr_compat_live;
/* WARN_ON hits; tests expect none unless they provoke one. */
extern long phyr_compat_warnings;

void phyr_compat_warn(const char *cond, const char *file, int line);
void *kmalloc(size_t size, gfp_t gfp);
void *kmalloc_array(size_t n, size_t size, gfp_t gfp);
void kfree(const void *p);
unsigned long __get_free_page(gfp_t gfp);
void free_page(unsigned long addr);

#endif /* _PHYR_COMPAT_H */
