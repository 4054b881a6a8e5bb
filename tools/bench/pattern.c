// SPDX-License-Identifier: MIT
/*
 * aioring-bench: the verify pattern and the order of the blocks.
 *
 * Each 8-byte word of the target gets a value mixed from its offset and
 * the run's seed, so a block read back from the wrong place, a stale
 * block of an earlier run, or a torn write all show up.
 *
 * Random offsets are uniform; with --verify they are a permutation
 * instead, so each block is written (and read) exactly once: a full-period
 * LCG over the next power of two, skipping values past the end.
 */
#include "bench.h"

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t pattern_word(uint64_t word, uint64_t seed)
{
	return mix64(word * 0x9e3779b97f4a7c15ULL + seed);
}

/* off and len are multiples of 8 (IO is at least 512-byte aligned) */
void pattern_fill(void *buf, size_t len, uint64_t off, uint64_t seed)
{
	uint64_t *p = buf;
	size_t i;

	for (i = 0; i < len / 8; i++)
		p[i] = pattern_word(off / 8 + i, seed);
}

/* -1 when buf holds the pattern of [off, off + len), else the first bad byte */
long pattern_check(const void *buf, size_t len, uint64_t off, uint64_t seed)
{
	const uint64_t *p = buf;
	size_t i, b;

	for (i = 0; i < len / 8; i++) {
		uint64_t want = pattern_word(off / 8 + i, seed);

		if (p[i] == want)
			continue;
		for (b = 0; b < 8; b++)
			if (((const uint8_t *)&p[i])[b] != ((const uint8_t *)&want)[b])
				return (long)(i * 8 + b);
	}
	return -1;
}

/* xorshift64* (a zero state is replaced by a fixed one) */
uint64_t rng_next(uint64_t *state)
{
	uint64_t x = *state ? *state : 0x853c49e6748fea9bULL;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

void offgen_init(struct offgen *g, uint64_t nblocks, int random, int permute,
		 uint64_t seed)
{
	uint64_t m = 1;

	g->nblocks = nblocks ? nblocks : 1;
	g->random = random;
	g->permute = random && permute;
	g->rng = mix64(seed ^ 0x5851f42d4c957f2dULL);
	while (m < g->nblocks)
		m <<= 1;
	g->mask = m - 1;
	/* full period mod 2^k: multiplier = 1 mod 4, increment odd */
	g->mult = (rng_next(&g->rng) << 2) | 1;
	g->add = rng_next(&g->rng) | 1;
	g->next = g->permute ? rng_next(&g->rng) & g->mask : 0;
}

/* the next block number, 0..nblocks-1 */
uint64_t offgen_next(struct offgen *g)
{
	uint64_t b;

	if (!g->random) {
		b = g->next;
		g->next = g->next + 1 == g->nblocks ? 0 : g->next + 1;
		return b;
	}
	if (!g->permute)
		return (uint64_t)(((unsigned __int128)rng_next(&g->rng) *
				   g->nblocks) >> 64);
	do {
		b = g->next;
		g->next = (g->next * g->mult + g->add) & g->mask;
	} while (b >= g->nblocks);
	return b;
}
