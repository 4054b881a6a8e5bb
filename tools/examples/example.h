/* SPDX-License-Identifier: MIT */
/*
 * What the examples share: a data pattern that names its block (so a
 * block read from the wrong place or not at all is caught), and turning
 * an aioring_init() failure into a message and an exit status (77: this
 * kernel cannot run the example, as the test suites count a skip).
 */
#ifndef AIORING_EXAMPLE_H
#define AIORING_EXAMPLE_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "aioring.h"

#define EXIT_SKIP	77

/* each 8-byte word of block 'block': its block and its place in it */
static inline void pattern_fill(void *buf, size_t len, uint64_t block)
{
	uint64_t *w = buf;
	size_t i;

	for (i = 0; i < len / sizeof(*w); i++)
		w[i] = (block << 20 | i) * 0x9e3779b97f4a7c15ULL;
}

/* 0 when buf holds block 'block', else complain and return -1 */
static inline int pattern_check(const void *buf, size_t len, uint64_t block)
{
	const uint64_t *w = buf;
	size_t i;

	for (i = 0; i < len / sizeof(*w); i++) {
		if (w[i] != (block << 20 | i) * 0x9e3779b97f4a7c15ULL) {
			fprintf(stderr, "block %llu: wrong data at byte %zu\n",
				(unsigned long long)block, i * sizeof(*w));
			return -1;
		}
	}
	return 0;
}

/* the option names of the examples: the flags are fixed, so none */
static inline const char *no_option(unsigned int flag)
{
	(void)flag;
	return NULL;
}

/*
 * Why aioring_init(flags) failed; the exit status: 77 for a kernel
 * without the interface or without one of the flags, else 1.
 */
static inline int setup_failed(const char *prog, int err, unsigned int flags)
{
	unsigned int refused = 0;
	char why[256];

	if (err == -EINVAL)
		refused = aioring_unsupported_strerror(flags, no_option, NULL,
						       why, sizeof(why));
	else
		aioring_setup_strerror(err, flags, why, sizeof(why));
	fprintf(stderr, "%s: %s\n", prog, why);
	return err == -ENOSYS || err == -EPERM || refused ? EXIT_SKIP : 1;
}

#endif
