// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/* Userspace stand-ins for the kernel allocator; see phyr_compat.h. */
#include <stdio.h>
#include "include/phyr_compat.h"

long phyr_compat_fail_at = -1;
long phyr_compat_live;
long phyr_compat_warnings;

void phyr_compat_warn(const char *cond, const char *file, int line)
{
	phyr_compat_warnings++;
	fprintf(stderr, "WARNING: %s at %s:%d\n", cond, file, line);
}

/* The one allocator behind all the kernel ones. */
static void *compat_alloc(size_t size)
{
	void *p;

	if (phyr_compat_fail_at >= 0 && phyr_compat_fail_at-- == 0)
		return NULL;
	p = malloc(size);
	if (p)
		phyr_compat_live++;
	return p;
}

static void compat_free(const void *p)
{
	if (p)
		phyr_compat_live--;
	free((void *)p);
}

void *kmalloc(size_t size, gfp_t gfp)
{
	(void)gfp;
	return compat_alloc(size);
}

void *kmalloc_array(size_t n, size_t size, gfp_t gfp)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return kmalloc(bytes, gfp);
}

void kfree(const void *p)
{
	compat_free(p);
}

unsigned long __get_free_page(gfp_t gfp)
{
	(void)gfp;
	return (unsigned long)compat_alloc(PAGE_SIZE);
}

void free_page(unsigned long addr)
{
	compat_free((void *)addr);
}
