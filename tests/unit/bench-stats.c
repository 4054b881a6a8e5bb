// SPDX-License-Identifier: MIT
/*
 * aioring-bench latency statistics: the histogram's buckets tile the
 * number line with at most 1/64 relative width, and percentiles follow
 * the nearest-rank definition within that resolution.
 */
#include <math.h>
#include <stdlib.h>

#include "bench.h"
#include "tap.h"

static struct lat_hist h;

static void test_buckets(void)
{
	unsigned int b, bad_tile = 0, bad_width = 0, bad_round = 0;
	uint64_t v;

	ok(lat_bucket(0) == 0 && lat_bucket(63) == 63 && lat_bucket(64) == 64 &&
	   lat_bucket(UINT64_MAX) == LAT_BUCKETS - 1,
	   "values below 64 ns are exact; UINT64_MAX is the last bucket");
	for (b = 0; b < LAT_BUCKETS; b++) {
		uint64_t lo = lat_bucket_low(b), hi = lat_bucket_high(b);

		if (lat_bucket(lo) != b || lat_bucket(hi) != b)
			bad_round++;
		if (b + 1 < LAT_BUCKETS && lat_bucket_low(b + 1) != hi + 1)
			bad_tile++;
		if (lo >= 64 && (double)(hi - lo + 1) / (double)lo > 1.0 / 64 + 1e-12)
			bad_width++;
	}
	ok(!bad_round, "low and high of every bucket map back to it");
	ok(!bad_tile, "buckets are contiguous (no gap, no overlap)");
	ok(!bad_width, "every bucket is at most 1/64 of its values wide");
	for (v = 1, bad_round = 0; v < (1ULL << 62); v = v * 3 + 1) {
		b = lat_bucket(v);
		if (v < lat_bucket_low(b) || v > lat_bucket_high(b))
			bad_round++;
	}
	ok(!bad_round, "sampled values fall inside their bucket");
}

static int close_to(uint64_t got, uint64_t want)
{
	double d = fabs((double)got - (double)want);

	return d <= (double)want / 64 + 1;
}

static void test_percentiles(void)
{
	uint64_t i;

	lat_init(&h);
	ok(lat_percentile(&h, 50) == 0 && lat_mean(&h) == 0,
	   "empty histogram: 0");

	lat_add(&h, 12345);
	ok(lat_percentile(&h, 50) == 12345 && lat_percentile(&h, 99.9) == 12345 &&
	   h.min == 12345 && h.max == 12345,
	   "one value: every percentile is that value (clamped to min/max)");

	lat_init(&h);
	for (i = 1; i <= 100; i++)
		lat_add(&h, i);
	ok(lat_percentile(&h, 50) == 50 && lat_percentile(&h, 99) == 99 &&
	   lat_percentile(&h, 99.9) == 100 && lat_percentile(&h, 1) == 1 &&
	   lat_percentile(&h, 100) == 100,
	   "1..100 ns (exact buckets): p50 50, p99 99, p99.9 100 (nearest rank)");
	ok(h.count == 100 && h.sum == 5050 && lat_mean(&h) == 50.5 &&
	   h.min == 1 && h.max == 100, "count, sum, mean, min, max");

	lat_init(&h);
	for (i = 1; i <= 1000000; i++)
		lat_add(&h, i * 1000);	/* 1 us .. 1 s */
	ok(close_to(lat_percentile(&h, 50), 500000000ULL) &&
	   close_to(lat_percentile(&h, 99), 990000000ULL) &&
	   close_to(lat_percentile(&h, 99.9), 999000000ULL),
	   "uniform 1 us..1 s: p50 %llu, p99 %llu, p99.9 %llu within 1/64",
	   (unsigned long long)lat_percentile(&h, 50),
	   (unsigned long long)lat_percentile(&h, 99),
	   (unsigned long long)lat_percentile(&h, 99.9));

	lat_init(&h);
	for (i = 0; i < 999; i++)
		lat_add(&h, 10000);
	lat_add(&h, 5000000);
	ok(close_to(lat_percentile(&h, 99.9), 10000) &&
	   lat_percentile(&h, 100) == 5000000,
	   "999 x 10 us + one 5 ms: p99.9 is 10 us (rank 999), max 5 ms");
	lat_add(&h, 5000000);
	ok(close_to(lat_percentile(&h, 99.9), 5000000),
	   "a second outlier moves p99.9 (rank 1000 of 1001) to 5 ms");
}

static void test_format(void)
{
	char b[32];

	ok(!strcmp(fmt_ns(b, sizeof(b), 850), "850ns") &&
	   !strcmp(fmt_ns(b, sizeof(b), 12345), "12.3us") &&
	   !strcmp(fmt_ns(b, sizeof(b), 1250000), "1.25ms") &&
	   !strcmp(fmt_ns(b, sizeof(b), 2100000000ULL), "2.10s"),
	   "fmt_ns: ns, us, ms, s");
	ok(!strcmp(fmt_count(b, sizeof(b), 950), "950") &&
	   !strcmp(fmt_count(b, sizeof(b), 41234), "41.2k") &&
	   !strcmp(fmt_count(b, sizeof(b), 1234567), "1.23M"),
	   "fmt_count: plain, k, M");
	ok(!strcmp(fmt_size(b, sizeof(b), 4096), "4k") &&
	   !strcmp(fmt_size(b, sizeof(b), 1 << 20), "1M") &&
	   !strcmp(fmt_size(b, sizeof(b), 1536), "1536"),
	   "fmt_size: 4k, 1M, 1536");
}

int main(void)
{
	test_buckets();
	test_percentiles();
	test_format();
	return tap_done();
}
