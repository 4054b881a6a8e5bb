/* SPDX-License-Identifier: MIT */
/*
 * Data pattern: each byte depends on its file offset and a per-run seed,
 * so data at a wrong offset, stale data and zeroes are all caught.  Any
 * offset and length work; 8-byte aligned words are filled and compared
 * a word at a time.
 */
#ifndef AIORING_TEST_PATTERN_H
#define AIORING_TEST_PATTERN_H

#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"

static inline uint64_t pattern_word(uint64_t word_index, uint64_t seed)
{
	uint64_t z = word_index * 0x9e3779b97f4a7c15ULL + seed;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint8_t pattern_byte(uint64_t off, uint64_t seed)
{
	return (uint8_t)(pattern_word(off >> 3, seed) >> ((off & 7) * 8));
}

/* Fill buf with the bytes that belong at file offset off. */
static inline void pattern_fill(void *buf, size_t len, uint64_t off, uint64_t seed)
{
	uint8_t *p = buf;

	while (len && (off & 7)) {
		*p++ = pattern_byte(off++, seed);
		len--;
	}
	while (len >= 8) {
		uint64_t w = pattern_word(off >> 3, seed);

		memcpy(p, &w, 8);	/* little endian: byte k = bits 8k.. */
		p += 8;
		off += 8;
		len -= 8;
	}
	while (len) {
		*p++ = pattern_byte(off++, seed);
		len--;
	}
}

/*
 * Compare buf with the pattern of file offset off: returns -1 when all
 * bytes match, else the index of the first wrong byte.
 */
static inline long pattern_check(const void *buf, size_t len, uint64_t off,
				 uint64_t seed)
{
	const uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		uint64_t o = off + i;

		if (!(o & 7) && len - i >= 8) {
			uint64_t w = pattern_word(o >> 3, seed);

			if (!memcmp(p + i, &w, 8)) {
				i += 7;
				continue;
			}
		}
		if (p[i] != pattern_byte(o, seed))
			return (long)i;
	}
	return -1;
}

/* A seed that differs between runs, so stale data never passes. */
static inline uint64_t pattern_seed(void)
{
	return ((uint64_t)getpid() << 32) ^ (uint64_t)now_ns();
}

#endif
