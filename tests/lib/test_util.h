/* SPDX-License-Identifier: MIT */
/* Small helpers shared by the test suites: array sizes, labels, time, sleeping. */
#ifndef AIORING_TEST_UTIL_H
#define AIORING_TEST_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/utsname.h>
#include <time.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* printf into one of 8 rotating buffers: for names passed to helpers */
__attribute__((format(printf, 1, 2)))
static inline const char *label(const char *fmt, ...)
{
	static char bufs[8][512];
	static unsigned int next;
	char *b = bufs[next++ % 8];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b, sizeof(bufs[0]), fmt, ap);
	va_end(ap);
	return b;
}

static inline int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Does v look like a kernel address (x86_64's upper half, not an -errno)? */
static inline int kptr_like(uint64_t v)
{
	return v >= 0xffff800000000000ULL && v < (uint64_t)-4095;
}

static inline void ms_sleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Is the running kernel major.minor or later? (An unreadable uname: no.) */
static inline int kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return 0;
	return ma > major || (ma == major && mi >= minor);
}

#endif
