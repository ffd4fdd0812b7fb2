/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * What the guest test programs that use libibverbs share (apart from
 * guest_util.h, which programs without libibverbs link too).
 */
#ifndef PHYR_GUEST_VERBS_H
#define PHYR_GUEST_VERBS_H

#include <infiniband/verbs.h>

/* The device called @name opened, or NULL with errno ENODEV. */
struct ibv_context *open_device_named(const char *name);

#endif /* PHYR_GUEST_VERBS_H */
