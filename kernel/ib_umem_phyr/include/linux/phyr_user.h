/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * Pinning user memory into phyr lists.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#ifndef _LINUX_PHYR_USER_H
#define _LINUX_PHYR_USER_H

#include <linux/math.h>
#include <linux/phyr.h>

struct mm_struct;

/**
 * struct user_phyr - User memory pinned for a long time, as a phyr list.
 * @list: the CPU list: exactly the pinned user bytes, in virtual order.
 * @mm: the mm charged for the pin (grabbed), NULL when nothing is pinned.
 *	The charge, pages spanned by @list, is not stored: @list tells it.
 * @writable: pinned with FOLL_WRITE, so the pages may be dirtied.
 *
 * Filled by get_user_phyr(), released with unpin_user_phyr().  Until then
 * @list may be read (iterated, seeked, mapped with dma_map_phyr()) but not
 * changed.
 */
struct user_phyr {
	struct phyr_list list;
	struct mm_struct *mm;
	bool writable;
};

/**
 * user_phyr_nr_pages() - Pages a pin spans, as charged to RLIMIT_MEMLOCK.
 * @up: the pin.
 *
 * Return: the number of PAGE_SIZE pages [start, start + len) touches.
 */
static inline unsigned long user_phyr_nr_pages(const struct user_phyr *up)
{
	if (phyr_list_empty(&up->list))
		return 0;
	return DIV_ROUND_UP((phyr_list_first_addr(&up->list) & ~PAGE_MASK) +
			    phyr_list_length(&up->list), PAGE_SIZE);
}

int get_user_phyr(struct user_phyr *up, unsigned long start, u64 len,
		  unsigned int gup_flags);
void unpin_user_phyr(struct user_phyr *up, bool dirty);

#endif /* _LINUX_PHYR_USER_H */
