/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/* The Check suites of `make unit`, added to one runner by unit_main.c. */
#ifndef PHYR_UNIT_H
#define PHYR_UNIT_H

#include <check.h>

void add_kunit_suites(SRunner *sr);
Suite *phyr_property_suite(void);

#endif
