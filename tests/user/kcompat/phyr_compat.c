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

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, unsigned int flags,
				     void (*ctor)(void *))
{
	struct kmem_cache *c = malloc(sizeof(*c));

	(void)name, (void)align, (void)flags, (void)ctor;
	if (!c)
		abort();	/* SLAB_PANIC */
	c->size = size;
	return c;
}

void *kmem_cache_alloc(struct kmem_cache *cache, gfp_t gfp)
{
	void *p;

	(void)gfp;
	if (phyr_compat_fail_at >= 0 && phyr_compat_fail_at-- == 0)
		return NULL;
	p = malloc(cache->size);
	if (p)
		phyr_compat_live++;
	return p;
}

void kmem_cache_free(struct kmem_cache *cache, void *p)
{
	(void)cache;
	if (p)
		phyr_compat_live--;
	free(p);
}
