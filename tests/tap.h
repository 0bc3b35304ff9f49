/* SPDX-License-Identifier: MIT */
/*
 * A small TAP producer for the C tests, run by prove.  Every comparison
 * prints both sides when it fails.
 */
#ifndef DMO_TAP_H
#define DMO_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_count;
static int tap_failed;

static inline void tap_vresult(int ok, const char *fmt, va_list ap)
{
	tap_count++;
	if (!ok)
		tap_failed++;
	printf("%s %d - ", ok ? "ok" : "not ok", tap_count);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
}

static inline int ok(int cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vresult(cond, fmt, ap);
	va_end(ap);
	return cond;
}

#define is_int(got, want, ...) \
	tap_is_int((long long)(got), (long long)(want), #got, __FILE__, \
		   __LINE__, __VA_ARGS__)

static inline int tap_is_int(long long got, long long want, const char *expr,
			     const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vresult(got == want, fmt, ap);
	va_end(ap);
	if (got != want)
		printf("#   %s:%d: %s\n#        got: %lld\n#   expected: %lld\n",
		       file, line, expr, got, want);
	return got == want;
}

#define is_str(got, want, ...) \
	tap_is_str((got), (want), #got, __FILE__, __LINE__, __VA_ARGS__)

static inline int tap_is_str(const char *got, const char *want,
			     const char *expr, const char *file, int line,
			     const char *fmt, ...)
{
	va_list ap;
	int same = (got == NULL && want == NULL) ||
		   (got != NULL && want != NULL && strcmp(got, want) == 0);

	va_start(ap, fmt);
	tap_vresult(same, fmt, ap);
	va_end(ap);
	if (!same)
		printf("#   %s:%d: %s\n#        got: \"%s\"\n#   expected: \"%s\"\n",
		       file, line, expr, got ? got : "(null)",
		       want ? want : "(null)");
	return same;
}

static inline void diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("# ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

/* Ends the test: prints the plan, exits non-zero if anything failed. */
static inline int done_testing(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif /* DMO_TAP_H */
