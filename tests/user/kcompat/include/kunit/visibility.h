/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/* The unit tests build as KUnit does with CONFIG_KUNIT: everything visible. */
#ifndef _PHYR_COMPAT_KUNIT_VISIBILITY_H
#define _PHYR_COMPAT_KUNIT_VISIBILITY_H

#include "../phyr_compat.h"

#define VISIBLE_IF_KUNIT
#define EXPORT_SYMBOL_IF_KUNIT(sym)	extern int phyr_compat_export_##sym

#endif /* _PHYR_COMPAT_KUNIT_VISIBILITY_H */
