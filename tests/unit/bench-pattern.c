// SPDX-License-Identifier: MIT
/*
 * aioring-bench --verify building blocks: the data pattern catches
 * wrong, stale and misplaced data; the offset generators stay in range,
 * sequential wraps, and the verify permutation visits every block once.
 */
#include <stdlib.h>

#include "bench.h"
#include "tap.h"

static void test_pattern(void)
{
	static uint64_t buf[512], other[512];
	long bad;

	pattern_fill(buf, sizeof(buf), 8192, 42);
	ok(pattern_check(buf, sizeof(buf), 8192, 42) == -1,
	   "a filled block checks clean");
	((uint8_t *)buf)[1234] ^= 0x10;
	bad = pattern_check(buf, sizeof(buf), 8192, 42);
	ok(bad == 1234, "one flipped bit is found at its byte (%ld)", bad);
	pattern_fill(buf, sizeof(buf), 8192, 42);
	ok(pattern_check(buf, sizeof(buf), 8192, 43) == 0,
	   "data of another run (seed) is caught");
	ok(pattern_check(buf, sizeof(buf), 12288, 42) == 0,
	   "data of another offset is caught");
	pattern_fill(other, sizeof(other), 8192 + 4096, 42);
	ok(memcmp(buf, other, sizeof(buf)) != 0 &&
	   pattern_check(other, 2048, 12288, 42) == -1,
	   "blocks differ by offset; a sub-range checks at its own offset");
	memset(buf, 0, sizeof(buf));
	ok(pattern_check(buf, sizeof(buf), 0, 42) == 0,
	   "a zeroed (never written) block is caught");
}

static void test_sequential(void)
{
	struct offgen g;
	unsigned int i, bad = 0;

	offgen_init(&g, 5, 0, 0, 1);
	for (i = 0; i < 12; i++)
		if (offgen_next(&g) != i % 5)
			bad++;
	ok(!bad, "sequential: 0..n-1, then wraps");
}

static void test_random(void)
{
	struct offgen g;
	unsigned int i, out = 0, hist[10] = { 0 }, lo = ~0u, hi = 0;

	offgen_init(&g, 10, 1, 0, 7);
	for (i = 0; i < 100000; i++) {
		uint64_t b = offgen_next(&g);

		if (b >= 10)
			out++;
		else
			hist[b]++;
	}
	for (i = 0; i < 10; i++) {
		lo = hist[i] < lo ? hist[i] : lo;
		hi = hist[i] > hi ? hist[i] : hi;
	}
	ok(!out && lo > 9000 && hi < 11000,
	   "uniform random: in range, each block 9000..11000 of 100000 (%u..%u)",
	   lo, hi);
}

static void test_permutation(void)
{
	static const uint64_t sizes[] = { 1, 2, 3, 7, 8, 9, 1000, 1023, 1024,
					  1025, 65537 };
	unsigned int i, bad = 0;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		uint64_t n = sizes[i], k;
		unsigned char *seen = calloc(n, 1);
		struct offgen g;
		int inorder = 1;

		offgen_init(&g, n, 1, 1, 1000 + i);
		for (k = 0; k < n; k++) {
			uint64_t b = offgen_next(&g);

			if (b >= n || seen[b]++)
				bad++;
			if (b != k)
				inorder = 0;
		}
		if (n > 8 && inorder)
			bad++;
		free(seen);
	}
	ok(!bad, "verify permutation: every block exactly once, shuffled, for 11 sizes");
}

int main(void)
{
	test_pattern();
	test_sequential();
	test_random();
	test_permutation();
	return tap_done();
}
