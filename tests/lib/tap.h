/* SPDX-License-Identifier: MIT */
/*
 * Minimal TAP producer shared by the test programs of tests/regress and
 * tests/abi.  Each program is one TAP stream: a plan, one line per
 * assertion, and an exit status that agrees with the lines (0: all passed,
 * 1: something failed, 77: the whole program was skipped).
 */
#ifndef AIORING_TEST_TAP_H
#define AIORING_TEST_TAP_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAP_SKIP_EXIT 77

static int tap_count;
static int tap_failed;
static int tap_planned;

static inline void tap_plan(int n)
{
	printf("1..%d\n", n);
	fflush(stdout);
	tap_planned = 1;
}

static inline void tap_vline(int pass, const char *directive, const char *fmt,
			     va_list ap)
{
	printf("%sok %d - ", pass ? "" : "not ", ++tap_count);
	vprintf(fmt, ap);
	if (directive)
		printf(" # %s", directive);
	putchar('\n');
	fflush(stdout);
	if (!pass)
		tap_failed++;
}

/* ok(cond, "what was checked"): one assertion. Returns cond. */
__attribute__((format(printf, 2, 3)))
static inline int ok(int pass, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vline(pass, NULL, fmt, ap);
	va_end(ap);
	return pass;
}

/* A diagnostic line; never changes the result. */
__attribute__((format(printf, 1, 2)))
static inline void diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("# ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
	va_end(ap);
}

/* Skip one assertion with a reason (counts as a skip, never as a pass). */
__attribute__((format(printf, 1, 2)))
static inline void skip(const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	printf("ok %d - %s # SKIP\n", ++tap_count, why);
	fflush(stdout);
}

/* Skip the whole program: "1..0 # SKIP reason", exit 77. */
__attribute__((format(printf, 1, 2), noreturn))
static inline void skip_all(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("1..0 # SKIP ");
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	exit(TAP_SKIP_EXIT);
}

/* A failure that makes the rest of the program meaningless. */
__attribute__((format(printf, 1, 2), noreturn))
static inline void bail_out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("Bail out! ");
	vprintf(fmt, ap);
	printf(" (errno %d: %s)\n", errno, strerror(errno));
	va_end(ap);
	exit(1);
}

/* Assert that a raw syscall returned -1 with the given errno. */
#define ok_errno(ret, want, what)					\
	({								\
		long __r = (ret);					\
		int __e = errno;					\
		ok(__r == -1 && __e == (want),				\
		   "%s: errno %s (got ret %ld errno %d %s)", (what),	\
		   #want, __r, __r == -1 ? __e : 0,			\
		   __r == -1 ? strerror(__e) : "-");			\
	})

/*
 * End of program: prints the plan if none was given up front, and returns
 * an exit status that agrees with the lines printed.
 */
static inline int tap_done(void)
{
	if (!tap_planned)
		tap_plan(tap_count);
	if (tap_failed)
		diag("%d of %d assertions failed", tap_failed, tap_count);
	return tap_failed ? 1 : 0;
}

#endif
