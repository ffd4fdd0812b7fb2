// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * `make unit`: every Check suite, each test in its own process, under ASan
 * and UBSan.  Set CK_TAP_LOG_FILE_NAME for TAP output (make check does).
 * Prints "N passed, N failed" last; exits non-zero on any failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include "unit.h"

int main(void)
{
	SRunner *sr = srunner_create(NULL);
	int run, failed;

	add_kunit_suites(sr);
	srunner_add_suite(sr, phyr_property_suite());
	srunner_run_all(sr, CK_NORMAL);
	run = srunner_ntests_run(sr);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	printf("%d passed, %d failed\n", run - failed, failed);
	return failed || !run ? EXIT_FAILURE : EXIT_SUCCESS;
}
