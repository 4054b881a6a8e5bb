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

/*
 * -n: the statistics of several threads become one: merging histograms
 * gives what one histogram of all samples gives, counters add up, the
 * run lasts as long as its longest thread.
 */
static void test_merge(void)
{
	static struct lat_hist a, b, one;
	static struct run_stats s1, s2, all;
	uint64_t v;

	lat_init(&a);
	lat_init(&b);
	lat_init(&one);
	for (v = 1; v <= 1000; v++) {
		lat_add(v % 3 ? &a : &b, v * 1000);
		lat_add(&one, v * 1000);
	}
	lat_merge(&a, &b);
	ok(a.count == one.count && a.sum == one.sum && a.min == one.min &&
	   a.max == one.max && a.sumsq == one.sumsq &&
	   !memcmp(a.bucket, one.bucket, sizeof(a.bucket)),
	   "lat_merge of two halves is the histogram of all samples");
	ok(lat_percentile(&a, 99) == lat_percentile(&one, 99) &&
	   lat_stddev(&a) == lat_stddev(&one), "the same p99 and stddev");
	lat_init(&b);
	lat_merge(&one, &b);
	ok(one.count == 1000 && one.min == 1000, "merging an empty histogram changes nothing");

	stats_init(&s1);
	stats_init(&s2);
	stats_init(&all);
	s1.ios = 100; s1.reads = 60; s1.writes = 40; s1.bytes = 409600;
	s1.dir[DIR_READ].ios = 60; s1.calls = 30; s1.cachehits = 5;
	s1.elapsed_ns = 2000000000ULL;
	lat_add(&s1.lat, 5000);
	lat_add(&s1.dir[DIR_READ].clat, 4000);
	s2.ios = 50; s2.reads = 50; s2.bytes = 204800; s2.dir[DIR_READ].ios = 50;
	s2.calls = 20; s2.eagain = 2; s2.elapsed_ns = 2100000000ULL;
	lat_add(&s2.lat, 7000);
	lat_add(&s2.dir[DIR_READ].clat, 6000);
	stats_merge(&all, &s1);
	stats_merge(&all, &s2);
	ok(all.ios == 150 && all.reads == 110 && all.writes == 40 &&
	   all.bytes == 614400 && all.dir[DIR_READ].ios == 110 &&
	   all.calls == 50 && all.cachehits == 5 && all.eagain == 2,
	   "stats_merge adds the counters of both threads");
	ok(all.elapsed_ns == 2100000000ULL, "the run lasted as long as the longest thread");
	ok(all.lat.count == 2 && all.lat.min == 5000 && all.lat.max == 7000 &&
	   all.dir[DIR_READ].clat.count == 2 && !all.dir[DIR_WRITE].lat.count,
	   "the latencies of both threads, per direction");
}

int main(void)
{
	test_buckets();
	test_percentiles();
	test_format();
	test_merge();
	return tap_done();
}
