/* SPDX-License-Identifier: MIT */
/*
 * The tally of a unit test whose checks compare two integers: expect()
 * counts each and names a failing one, checks_done() prints the tally and
 * gives main's exit status.
 */
#ifndef MHSE_UNIT_CHECK_H
#define MHSE_UNIT_CHECK_H

#include <stdio.h>

static unsigned passed, failed;

static void expect(const char *what, long long want, long long got)
{
	if (want == got) {
		passed++;
		return;
	}
	failed++;
	fprintf(stderr, "FAIL %s: want %lld, got %lld\n", what, want, got);
}

static int checks_done(void)
{
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}

#endif
