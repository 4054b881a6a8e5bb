// SPDX-License-Identifier: MIT
/*
 * aioring-bench: latency histogram.
 *
 * Values below 64 ns have a bucket each; above, every power of two is
 * split into 64 equal buckets, so a bucket is at most 1/64 (1.6 %) of its
 * values wide.  Percentiles use the nearest-rank method: the p-th
 * percentile is the smallest recorded value with at least p % of all
 * values at or below it; the histogram answers with the middle of that
 * value's bucket, clamped to the observed min and max.
 */
#include <math.h>
#include <string.h>

#include "bench.h"

void lat_init(struct lat_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

unsigned int lat_bucket(uint64_t ns)
{
	unsigned int msb, shift;

	if (ns < LAT_SUB)
		return (unsigned int)ns;
	msb = 63 - (unsigned int)__builtin_clzll(ns);
	shift = msb - LAT_SUB_BITS;
	/* group msb - LAT_SUB_BITS + 1, sub-bucket from the next 6 bits */
	return (shift + 1) * LAT_SUB + (unsigned int)((ns >> shift) & (LAT_SUB - 1));
}

uint64_t lat_bucket_low(unsigned int b)
{
	unsigned int group = b / LAT_SUB, sub = b % LAT_SUB, shift;

	if (!group)
		return b;
	shift = group - 1;
	return ((uint64_t)(LAT_SUB + sub)) << shift;
}

uint64_t lat_bucket_high(unsigned int b)
{
	unsigned int group = b / LAT_SUB;

	if (!group)
		return b;
	return lat_bucket_low(b) + ((uint64_t)1 << (group - 1)) - 1;
}

void lat_add(struct lat_hist *h, uint64_t ns)
{
	h->bucket[lat_bucket(ns)]++;
	h->count++;
	h->sum += ns;
	h->sumsq += (double)ns * (double)ns;
	if (ns < h->min)
		h->min = ns;
	if (ns > h->max)
		h->max = ns;
}

double lat_mean(const struct lat_hist *h)
{
	return h->count ? (double)h->sum / (double)h->count : 0;
}

/* population standard deviation, 0 for fewer than two samples */
double lat_stddev(const struct lat_hist *h)
{
	double mean, var;

	if (h->count < 2)
		return 0;
	mean = lat_mean(h);
	var = h->sumsq / (double)h->count - mean * mean;
	return var > 0 ? sqrt(var) : 0;
}

/* pct in (0, 100]; 0 when nothing was recorded */
uint64_t lat_percentile(const struct lat_hist *h, double pct)
{
	uint64_t rank, seen = 0, v;
	unsigned int b;

	if (!h->count)
		return 0;
	if (pct <= 0)
		return h->min;
	if (pct >= 100)
		return h->max;
	/* ceil(pct% of count), forgiving the rounding of pct (99.9) */
	rank = (uint64_t)ceil(pct * (double)h->count / 100.0 * (1 - 1e-12));
	if (rank < 1)
		rank = 1;
	for (b = 0; b < LAT_BUCKETS; b++) {
		seen += h->bucket[b];
		if (seen >= rank)
			break;
	}
	if (b == LAT_BUCKETS)
		return h->max;
	v = lat_bucket_low(b) + (lat_bucket_high(b) - lat_bucket_low(b)) / 2;
	if (v < h->min)
		v = h->min;
	if (v > h->max)
		v = h->max;
	return v;
}

/* add the samples of src to dst, as if lat_add() had seen them all */
void lat_merge(struct lat_hist *dst, const struct lat_hist *src)
{
	unsigned int b;

	if (!src->count)
		return;
	for (b = 0; b < LAT_BUCKETS; b++)
		dst->bucket[b] += src->bucket[b];
	dst->count += src->count;
	dst->sum += src->sum;
	dst->sumsq += src->sumsq;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

/*
 * One run's counters from the runs of several threads side by side:
 * counts and histograms add up, the run lasted as long as the longest
 * thread; CPU times add up (the caller may measure the process instead).
 */
void stats_merge(struct run_stats *dst, const struct run_stats *src)
{
	unsigned int d;

	for (d = 0; d < DIR_NR; d++) {
		dst->dir[d].ios += src->dir[d].ios;
		dst->dir[d].bytes += src->dir[d].bytes;
		dst->dir[d].cachehits += src->dir[d].cachehits;
		lat_merge(&dst->dir[d].slat, &src->dir[d].slat);
		lat_merge(&dst->dir[d].clat, &src->dir[d].clat);
		lat_merge(&dst->dir[d].lat, &src->dir[d].lat);
	}
	dst->ios += src->ios;
	dst->bytes += src->bytes;
	dst->reads += src->reads;
	dst->writes += src->writes;
	dst->cachehits += src->cachehits;
	dst->calls += src->calls;
	dst->eagain += src->eagain;
	dst->verify_blocks += src->verify_blocks;
	dst->verify_errors += src->verify_errors;
	if (src->elapsed_ns > dst->elapsed_ns)
		dst->elapsed_ns = src->elapsed_ns;
	dst->cpu_user_ns += src->cpu_user_ns;
	dst->cpu_sys_ns += src->cpu_sys_ns;
	lat_merge(&dst->lat, &src->lat);
}

void stats_init(struct run_stats *st)
{
	unsigned int d;

	memset(st, 0, sizeof(*st));
	lat_init(&st->lat);
	for (d = 0; d < DIR_NR; d++) {
		lat_init(&st->dir[d].slat);
		lat_init(&st->dir[d].clat);
		lat_init(&st->dir[d].lat);
	}
}
