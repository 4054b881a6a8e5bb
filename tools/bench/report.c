// SPDX-License-Identifier: MIT
/*
 * aioring-bench: the per-second line, the summary (text or JSON) and the
 * --compare table.
 */
#include <math.h>
#include <string.h>

#include "bench.h"

#define MIB	(1024.0 * 1024.0)

char *fmt_ns(char *buf, size_t len, uint64_t ns)
{
	if (ns < 1000)
		snprintf(buf, len, "%lluns", (unsigned long long)ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%.1fus", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.2fms", ns / 1e6);
	else
		snprintf(buf, len, "%.2fs", ns / 1e9);
	return buf;
}

/* 4096 -> "4k", 1048576 -> "1M", 1536 -> "1536" */
char *fmt_size(char *buf, size_t len, uint64_t v)
{
	if (v && !(v % (1024 * 1024)))
		snprintf(buf, len, "%lluM", (unsigned long long)(v >> 20));
	else if (v && !(v % 1024))
		snprintf(buf, len, "%lluk", (unsigned long long)(v >> 10));
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
	return buf;
}

char *fmt_count(char *buf, size_t len, double v)
{
	if (v < 10000)
		snprintf(buf, len, "%.0f", v);
	else if (v < 1e6)
		snprintf(buf, len, "%.1fk", v / 1e3);
	else
		snprintf(buf, len, "%.2fM", v / 1e6);
	return buf;
}

static double per(double a, double b)
{
	return b > 0 ? a / b : 0;
}

/* what the run did: --verify writes, then reads, in --rw's order */
const char *workload_name(const struct bench_opts *o)
{
	if (!o->verify)
		return rw_name(o->rw);
	return o->rw >= RW_RANDREAD ? "randwrite+randread" : "write+read";
}

double result_iops(const struct run_result *r)
{
	return per((double)r->st.ios, r->st.elapsed_ns / 1e9);
}

void report_tick(FILE *f, const struct tick *t)
{
	char iops[32];

	fprintf(f, "[%6.1fs] %7s IOPS %9.1f MiB/s %6.2f calls/IO ",
		t->t, fmt_count(iops, sizeof(iops), per((double)t->ios, t->secs)),
		per((double)t->bytes, t->secs) / MIB,
		per((double)t->calls, (double)t->ios));
	if (t->has_cachehit)
		fprintf(f, " hit %5.1f%%", 100 * per((double)t->cachehits,
						     (double)t->ios));
	else
		fputs(" hit     -", f);
	fprintf(f, "  inflight %u\n", t->inflight);
	fflush(f);
}

static const double pcts[] = { 50, 99, 99.9 };
static const char *const pct_names[] = { "p50", "p99", "p99.9" };

void report_text(FILE *f, const struct run_result *r)
{
	const struct run_stats *s = &r->st;
	const struct bench_opts *o = r->o;
	double secs = s->elapsed_ns / 1e9;
	double cpu = (s->cpu_user_ns + s->cpu_sys_ns) / 1e3;
	char a[32], b[32];
	unsigned int i;

	fprintf(f, "%s %s%s %s depth %u", engine_name(r->engine),
		o->verify ? "verify " : "", workload_name(o),
		fmt_size(a, sizeof(a), o->bs), r->depth);
	if (r->threads > 1)
		fprintf(f, " x %u threads", r->threads);
	fprintf(f, " on %s", o->target);
	if (r->flags[0])
		fprintf(f, " (%s)", r->flags);
	fprintf(f, ": %.2f s%s\n", secs, r->interrupted ? ", interrupted" : "");
	if (r->status && r->message[0])
		fprintf(f, "  error      %s\n", r->message);
	fprintf(f, "  IOs        %llu (%s IOPS, %.1f MiB/s; %llu reads, %llu writes)\n",
		(unsigned long long)s->ios, fmt_count(a, sizeof(a), result_iops(r)),
		per((double)s->bytes, secs) / MIB, (unsigned long long)s->reads,
		(unsigned long long)s->writes);
	if (s->lat.count) {
		fprintf(f, "  latency    min %s", fmt_ns(a, sizeof(a), s->lat.min));
		for (i = 0; i < ARRAY_SIZE(pcts); i++)
			fprintf(f, "  %s %s", pct_names[i],
				fmt_ns(b, sizeof(b), lat_percentile(&s->lat, pcts[i])));
		fprintf(f, "  max %s  mean %s\n", fmt_ns(a, sizeof(a), s->lat.max),
			fmt_ns(b, sizeof(b), (uint64_t)lat_mean(&s->lat)));
	}
	fprintf(f, "  CPU        %.2f us/IO (user %.2f s, sys %.2f s)\n",
		per(cpu, (double)s->ios), s->cpu_user_ns / 1e9,
		s->cpu_sys_ns / 1e9);
	fprintf(f, "  syscalls   %.3f per IO (%llu)\n",
		per((double)s->calls, (double)s->ios),
		(unsigned long long)s->calls);
	if (r->engine == ENG_AIORING)
		fprintf(f, "  cache hits %.1f%% (%llu)\n",
			100 * per((double)s->cachehits, (double)s->reads),
			(unsigned long long)s->cachehits);
	if (s->eagain)
		fprintf(f, "  retried    %llu IOs completed with EAGAIN\n",
			(unsigned long long)s->eagain);
	if (o->verify)
		fprintf(f, "  verify     %llu blocks read back, %llu mismatches\n",
			(unsigned long long)s->verify_blocks,
			(unsigned long long)s->verify_errors);
	fflush(f);
}

static void json_latency(struct json *j, const struct lat_hist *h)
{
	unsigned int i;

	json_obj_begin(j, "lat_ns");
	json_u64(j, "min", h->count ? h->min : 0);
	json_u64(j, "mean", (uint64_t)lat_mean(h));
	for (i = 0; i < ARRAY_SIZE(pcts); i++)
		json_u64(j, pct_names[i], lat_percentile(h, pcts[i]));
	json_u64(j, "max", h->max);
	json_obj_end(j);
}

/*
 * aioring-bench's own figures, the flat summary of earlier versions
 * (bench-report.py reads these): under the job's "aioring-bench" key.
 */
static void json_extras(struct json *j, const struct run_result *r)
{
	const struct run_stats *s = &r->st;
	const struct bench_opts *o = r->o;
	double secs = s->elapsed_ns / 1e9;

	json_obj_begin(j, "aioring-bench");
	json_str(j, "engine", engine_name(r->engine));
	json_str(j, "target", o->target);
	json_str(j, "rw", workload_name(o));
	json_u64(j, "bs", o->bs);
	json_u64(j, "depth", r->depth);
	json_u64(j, "threads", r->threads > 1 ? r->threads : 1);
	json_bool(j, "polled", o->polled);
	json_bool(j, "buffered", o->buffered);
	json_str(j, "flags", r->flags);
	json_int(j, "status", r->status);
	if (r->message[0])
		json_str(j, "message", r->message);
	json_bool(j, "interrupted", r->interrupted);
	json_dbl(j, "runtime_s", secs, 3);
	json_u64(j, "ios", s->ios);
	json_u64(j, "bytes", s->bytes);
	json_u64(j, "reads", s->reads);
	json_u64(j, "writes", s->writes);
	json_dbl(j, "iops", result_iops(r), 1);
	json_dbl(j, "mib_s", per((double)s->bytes, secs) / MIB, 3);
	json_latency(j, &s->lat);
	json_obj_begin(j, "cpu");
	json_dbl(j, "user_s", s->cpu_user_ns / 1e9, 3);
	json_dbl(j, "sys_s", s->cpu_sys_ns / 1e9, 3);
	json_dbl(j, "us_per_io", per((s->cpu_user_ns + s->cpu_sys_ns) / 1e3,
				     (double)s->ios), 3);
	json_obj_end(j);
	json_u64(j, "syscalls", s->calls);
	json_dbl(j, "syscalls_per_io", per((double)s->calls, (double)s->ios), 4);
	json_u64(j, "cache_hits", s->cachehits);
	json_u64(j, "eagain_retries", s->eagain);
	if (o->verify) {
		json_obj_begin(j, "verify");
		json_u64(j, "blocks", s->verify_blocks);
		json_u64(j, "errors", s->verify_errors);
		json_obj_end(j);
	}
	json_obj_end(j);
}

/* fio's {min, max, mean, stddev} of a latency, in ns */
static void json_lat_fio(struct json *j, const char *key,
			 const struct lat_hist *h, int percentiles)
{
	static const double fio_pcts[] = {
		1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.5, 99.9,
		99.95, 99.99,
	};
	char name[32];
	unsigned int i;

	json_obj_begin(j, key);
	json_u64(j, "min", h->count ? h->min : 0);
	json_u64(j, "max", h->max);
	json_dbl(j, "mean", lat_mean(h), 6);
	json_dbl(j, "stddev", lat_stddev(h), 6);
	json_u64(j, "N", h->count);
	if (percentiles && h->count) {
		json_obj_begin(j, "percentile");
		for (i = 0; i < ARRAY_SIZE(fio_pcts); i++) {
			snprintf(name, sizeof(name), "%f", fio_pcts[i]);
			json_u64(j, name, lat_percentile(h, fio_pcts[i]));
		}
		json_obj_end(j);
	}
	json_obj_end(j);
}

/* fio's "read" or "write" of a job: bytes, KiB/s, IOPS, ms, latencies */
static void json_dir(struct json *j, const char *key, const struct dir_stats *d,
		     uint64_t elapsed_ns, int reads)
{
	double secs = elapsed_ns / 1e9;

	json_obj_begin(j, key);
	json_u64(j, "io_bytes", d->bytes);
	json_u64(j, "io_kbytes", d->bytes / 1024);
	json_u64(j, "bw_bytes", (uint64_t)per((double)d->bytes, secs));
	json_u64(j, "bw", (uint64_t)(per((double)d->bytes, secs) / 1024));
	json_dbl(j, "iops", per((double)d->ios, secs), 6);
	json_u64(j, "runtime", d->ios ? (elapsed_ns + 500000) / 1000000 : 0);
	json_u64(j, "total_ios", d->ios);
	json_lat_fio(j, "slat_ns", &d->slat, 0);
	json_lat_fio(j, "clat_ns", &d->clat, 1);
	json_lat_fio(j, "lat_ns", &d->lat, 0);
	if (reads)
		json_u64(j, "cachehit", d->cachehits);
	json_obj_end(j);
}

/*
 * One entry of fio's "jobs": what ran, "read" and "write" with fio's
 * names and units, CPU in percent of the run time; aioring-bench's own
 * figures under "aioring-bench".
 */
void report_json(struct json *j, const struct run_result *r)
{
	const struct run_stats *s = &r->st;
	const struct bench_opts *o = r->o;
	double ns = (double)s->elapsed_ns;
	char name[64];

	snprintf(name, sizeof(name), "%s-%s", engine_name(r->engine),
		 workload_name(o));
	json_obj_begin(j, NULL);
	json_str(j, "jobname", name);
	json_int(j, "error", r->status);
	json_obj_begin(j, "job options");
	json_str(j, "ioengine", engine_name(r->engine));
	json_str(j, "rw", rw_name(o->rw));
	json_u64(j, "bs", o->bs);
	json_u64(j, "iodepth", r->depth);
	json_u64(j, "numjobs", r->threads > 1 ? r->threads : 1);
	json_str(j, "filename", o->target);
	json_bool(j, "direct", !o->buffered);
	json_bool(j, "hipri", o->polled);
	json_bool(j, "fixedbufs", o->fixedbufs);
	if (o->rw == RW_RANDRW)
		json_u64(j, "rwmixread", o->rwmix_read);
	json_obj_end(j);
	json_dir(j, "read", &s->dir[DIR_READ], s->elapsed_ns, 1);
	json_dir(j, "write", &s->dir[DIR_WRITE], s->elapsed_ns, 0);
	json_u64(j, "job_runtime", (s->elapsed_ns + 500000) / 1000000);
	json_dbl(j, "usr_cpu", ns ? 100.0 * s->cpu_user_ns / ns : 0, 6);
	json_dbl(j, "sys_cpu", ns ? 100.0 * s->cpu_sys_ns / ns : 0, 6);
	json_extras(j, r);
	json_obj_end(j);
}

/* the first result that ran, as the base of the ratios */
static const struct run_result *baseline(const struct run_result *r, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!r[i].status && r[i].st.ios)
			return &r[i];
	return NULL;
}

void report_compare(FILE *f, const struct run_result *r, int n)
{
	const struct run_result *base = baseline(r, n);
	char a[32], b[32], c[32], d[32];
	int i;

	fprintf(f, "\n%-9s %5s %8s %9s %9s %9s %9s %8s %8s %6s\n", "engine",
		"depth", "IOPS", "MiB/s", "p50", "p99", "p99.9", "calls/IO",
		"CPU/IO", base ? "ratio" : "");
	for (i = 0; i < n; i++) {
		const struct run_stats *s = &r[i].st;
		double secs = s->elapsed_ns / 1e9;

		if (r[i].status && !s->ios) {
			fprintf(f, "%-9s n/a: %s\n", engine_name(r[i].engine),
				r[i].message);
			continue;
		}
		fprintf(f, "%-9s %5u %8s %9.1f %9s %9s %9s %8.3f %6.1fus %6.2f%s\n",
			engine_name(r[i].engine), r[i].depth,
			fmt_count(a, sizeof(a), result_iops(&r[i])),
			per((double)s->bytes, secs) / MIB,
			fmt_ns(b, sizeof(b), lat_percentile(&s->lat, 50)),
			fmt_ns(c, sizeof(c), lat_percentile(&s->lat, 99)),
			fmt_ns(d, sizeof(d), lat_percentile(&s->lat, 99.9)),
			per((double)s->calls, (double)s->ios),
			per((s->cpu_user_ns + s->cpu_sys_ns) / 1e3, (double)s->ios),
			base ? per(result_iops(&r[i]), result_iops(base)) : 0,
			r[i].status ? "  (failed)" : "");
	}
	if (base)
		fprintf(f, "ratio: IOPS relative to %s\n", engine_name(base->engine));
	fflush(f);
}

static void compare_ratios(struct json *j, const struct run_result *r, int n)
{
	const struct run_result *base = baseline(r, n);
	int i;

	json_str(j, "baseline", base ? engine_name(base->engine) : NULL);
	json_obj_begin(j, "iops_ratio");
	for (i = 0; i < n; i++) {
		if (base && !r[i].status)
			json_dbl(j, engine_name(r[i].engine),
				 per(result_iops(&r[i]), result_iops(base)), 3);
		else
			json_null(j, engine_name(r[i].engine));
	}
	json_obj_end(j);
}

/*
 * The document of a run or a comparison, in fio's shape: a version
 * header and "jobs", one per run; --compare adds the IOPS ratios.
 */
void report_json_doc(FILE *f, const struct run_result *r, int n)
{
	struct json j;
	int i;

	json_init(&j, f);
	json_obj_begin(&j, NULL);
	json_str(&j, "aioring-bench version", "aioring-bench-" AIORING_VERSION);
	json_arr_begin(&j, "jobs");
	for (i = 0; i < n; i++)
		report_json(&j, &r[i]);
	json_arr_end(&j);
	if (n && r[0].o->compare)
		compare_ratios(&j, r, n);
	json_obj_end(&j);
	json_end(&j);
}
