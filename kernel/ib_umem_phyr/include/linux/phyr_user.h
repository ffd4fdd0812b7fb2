/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * Pinning user memory into phyr lists.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#ifndef _LINUX_PHYR_USER_H
#define _LINUX_PHYR_USER_H

#include <linux/phyr.h>

int pin_user_pages_phyr(unsigned long start, u64 len, unsigned int gup_flags,
			struct phyr_list *list);
void unpin_user_pages_phyr(const struct phyr_list *list, bool make_dirty);

#endif /* _LINUX_PHYR_USER_H */
