/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * Buffers in a known physical layout (bench/layout.c).
 */
#ifndef PHYR_BENCH_LAYOUT_H
#define PHYR_BENCH_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#define PG		4096UL
#define MIB		(1UL << 20)
#define GIB		(1UL << 30)

struct layout {
	const char *name;
	size_t align;		/* physical run every buffer must be made of */
	char *(*map)(size_t len);	/* faulted in; NULL and errno on failure */
};

/* frag_4k, contig, thp, hugetlb_2m, hugetlb_1g, mixed */
extern const struct layout layouts[];
extern const size_t nr_layouts;

const struct layout *layout_find(const char *name);
/* NULL if @buf has the layout, else what is wrong.  Needs root. */
const char *layout_check(const struct layout *lay, const char *buf, size_t len);
/* Physical frame of the page at @p from pagemap @fd; 0 if not present. */
uint64_t layout_pfn_of(int fd, const char *p);

#endif /* PHYR_BENCH_LAYOUT_H */
