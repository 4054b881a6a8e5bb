// SPDX-License-Identifier: MIT
/*
 * aioring-bench --json: the writer's exact output (layout, separators,
 * escaping, non-finite numbers) and the members of a run summary and of
 * a --compare report.  When python3 is there, its json module parses the
 * reports too.
 */
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "bench.h"
#include "tap.h"

static char *out;
static size_t out_len;

static FILE *mem_open(void)
{
	FILE *f;

	free(out);
	out = NULL;
	f = open_memstream(&out, &out_len);
	if (!f)
		bail_out("open_memstream");
	return f;
}

static void test_writer(void)
{
	struct json j;
	FILE *f = mem_open();

	json_init(&j, f);
	json_obj_begin(&j, NULL);
	json_str(&j, "s", "a\"b\\c\nd\te\x01");
	json_u64(&j, "u", 18446744073709551615ULL);
	json_int(&j, "i", -5);
	json_dbl(&j, "d", 1.23456, 2);
	json_dbl(&j, "nan", NAN, 2);
	json_bool(&j, "t", 1);
	json_null(&j, "n");
	json_str(&j, "null string", NULL);
	json_arr_begin(&j, "a");
	json_u64(&j, NULL, 1);
	json_obj_begin(&j, NULL);
	json_obj_end(&j);
	json_arr_begin(&j, NULL);
	json_arr_end(&j);
	json_arr_end(&j);
	json_obj_end(&j);
	json_end(&j);
	fclose(f);
	ok(!strcmp(out,
		   "{\n"
		   "  \"s\": \"a\\\"b\\\\c\\nd\\te\\u0001\",\n"
		   "  \"u\": 18446744073709551615,\n"
		   "  \"i\": -5,\n"
		   "  \"d\": 1.23,\n"
		   "  \"nan\": null,\n"
		   "  \"t\": true,\n"
		   "  \"n\": null,\n"
		   "  \"null string\": null,\n"
		   "  \"a\": [\n"
		   "    1,\n"
		   "    {},\n"
		   "    []\n"
		   "  ]\n"
		   "}\n"),
	   "writer output is exact (escapes, null for NaN, empty containers)");
	if (strncmp(out, "{", 1))
		diag("got:\n%s", out);
}

static struct bench_opts o;

static void fill_dir(struct dir_stats *d, uint64_t ios, uint64_t base_ns)
{
	uint64_t i;

	lat_init(&d->slat);
	lat_init(&d->clat);
	lat_init(&d->lat);
	d->ios = ios;
	d->bytes = ios * 4096;
	for (i = 1; i <= 1000; i++) {
		lat_add(&d->slat, base_ns / 10);
		lat_add(&d->clat, i * base_ns);
		lat_add(&d->lat, i * base_ns + base_ns / 10);
	}
}

static void fill_result(struct run_result *r, enum engine_id e, double iops)
{
	uint64_t i;

	memset(r, 0, sizeof(*r));
	r->o = &o;
	r->engine = e;
	r->depth = 32;
	snprintf(r->flags, sizeof(r->flags), "SCQRING");
	r->st.elapsed_ns = 2000000000ULL;
	r->st.ios = (uint64_t)(iops * 2);
	r->st.reads = r->st.ios;
	r->st.bytes = r->st.ios * 4096;
	r->st.calls = r->st.ios / 8;
	r->st.cachehits = 3;
	r->st.cpu_user_ns = 100000000;
	r->st.cpu_sys_ns = 300000000;
	lat_init(&r->st.lat);
	for (i = 1; i <= 1000; i++)
		lat_add(&r->st.lat, i * 100);
	fill_dir(&r->st.dir[DIR_READ], r->st.ios, 100);
	r->st.dir[DIR_READ].cachehits = 3;
	fill_dir(&r->st.dir[DIR_WRITE], 0, 100);
}

/* 1 when python3's json module accepts the text (or python3 is absent) */
static int python_parses(const char *text, int *ran)
{
	char path[] = "/tmp/aioring-unit-json-XXXXXX", cmd[128];
	int fd = mkstemp(path), ret;

	*ran = 0;
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		bail_out("temp file");
	close(fd);
	if (system("command -v python3 >/dev/null 2>&1")) {
		unlink(path);
		return 1;
	}
	*ran = 1;
	snprintf(cmd, sizeof(cmd), "python3 -m json.tool %s >/dev/null", path);
	ret = system(cmd);
	unlink(path);
	return ret == 0;
}

/*
 * The document in fio's shape, checked by python3 the way a fio JSON
 * consumer reads it; 1 when it holds (or python3 is absent).
 */
static int fio_shape(const char *text, const char *checks, int *ran)
{
	char path[] = "/tmp/aioring-unit-json-XXXXXX", cmd[4096];
	int fd = mkstemp(path), ret;

	*ran = 0;
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		bail_out("temp file");
	close(fd);
	if (system("command -v python3 >/dev/null 2>&1")) {
		unlink(path);
		return 1;
	}
	*ran = 1;
	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import json, sys\n"
		 "d = json.load(open(sys.argv[1]))\n"
		 "j = d[\"jobs\"][0]; rd = j[\"read\"]; wr = j[\"write\"]\n"
		 "x = j[\"aioring-bench\"]\n"
		 "%s' %s", checks, path);
	ret = system(cmd);
	unlink(path);
	return ret == 0;
}

static void test_report(void)
{
	struct run_result r[3];
	struct json j;
	int ran, valid;
	FILE *f;

	memset(&o, 0, sizeof(o));
	o.rw = RW_RANDREAD;
	o.bs = 4096;
	o.target = "/dev/nullb0";
	fill_result(&r[0], ENG_AIORING, 40000);

	f = mem_open();
	report_json_doc(f, &r[0], 1);
	fclose(f);
	ok(strstr(out, "\"aioring-bench version\": \"aioring-bench-") &&
	   strstr(out, "\"jobs\": [") &&
	   strstr(out, "\"jobname\": \"aioring-randread\"") &&
	   strstr(out, "\"read\": {") && strstr(out, "\"write\": {") &&
	   strstr(out, "\"clat_ns\": {") && strstr(out, "\"percentile\": {") &&
	   strstr(out, "\"50.000000\": ") && strstr(out, "\"usr_cpu\": 5.0"),
	   "fio's shape: version, jobs[].jobname, read, write, clat_ns.percentile, usr_cpu");
	valid = fio_shape(out,
		     "assert set(d) == {\"aioring-bench version\", \"jobs\"}\n"
		     "for k in (\"io_bytes\", \"bw\", \"iops\", \"runtime\", \"total_ios\"):\n"
		     "    assert k in rd and k in wr, k\n"
		     "for k in (\"slat_ns\", \"clat_ns\", \"lat_ns\"):\n"
		     "    assert set(rd[k]) >= {\"min\", \"max\", \"mean\", \"stddev\"}, k\n"
		     "assert rd[\"total_ios\"] == 80000 and rd[\"io_bytes\"] == 80000 * 4096\n"
		     "assert rd[\"bw\"] == 160000 and rd[\"iops\"] == 40000 and rd[\"runtime\"] == 2000\n"
		     "assert wr[\"total_ios\"] == 0 and wr[\"iops\"] == 0\n"
		     "p = rd[\"clat_ns\"][\"percentile\"]\n"
		     "assert p[\"1.000000\"] <= p[\"50.000000\"] <= p[\"99.000000\"] <= p[\"99.990000\"]\n"
		     "assert 45000 <= p[\"50.000000\"] <= 55000, p[\"50.000000\"]\n"
		     "assert rd[\"clat_ns\"][\"min\"] == 100 and rd[\"clat_ns\"][\"max\"] == 100000\n"
		     "assert 28000 < rd[\"clat_ns\"][\"stddev\"] < 29000\n"
		     "assert rd[\"slat_ns\"][\"mean\"] == 10 and rd[\"slat_ns\"][\"stddev\"] == 0\n"
		     "assert j[\"usr_cpu\"] == 5 and j[\"sys_cpu\"] == 15 and rd[\"cachehit\"] == 3\n"
		     "assert x[\"syscalls_per_io\"] == 0.125 and x[\"cpu\"][\"us_per_io\"] == 5\n"
		     "assert x[\"cache_hits\"] == 3 and x[\"iops\"] == 40000 and x[\"status\"] == 0\n",
		     &ran);
	ok(valid, "fio's shape, read by python3: read/write with io_bytes, bw KiB/s, iops, runtime ms, total_ios, slat/clat/lat min max mean stddev, percentiles; usr_cpu/sys_cpu in %%; our figures under \"aioring-bench\"%s",
	   ran ? "" : " (python3 absent: not checked)");

	o.rw = RW_RANDRW;
	o.rwmix_read = 70;
	fill_dir(&r[0].st.dir[DIR_WRITE], 24000, 300);
	r[0].st.dir[DIR_READ].ios = 56000;
	r[0].st.dir[DIR_READ].bytes = 56000 * 4096;
	f = mem_open();
	report_json_doc(f, &r[0], 1);
	fclose(f);
	valid = fio_shape(out,
		     "assert rd[\"total_ios\"] == 56000 and wr[\"total_ios\"] == 24000\n"
		     "assert rd[\"iops\"] == 28000 and wr[\"iops\"] == 12000\n"
		     "assert wr[\"clat_ns\"][\"max\"] == 300000 and rd[\"clat_ns\"][\"max\"] == 100000\n"
		     "assert \"cachehit\" not in wr and j[\"job options\"][\"rwmixread\"] == 70\n",
		     &ran);
	ok(valid, "randrw: each direction its own IOs, IOPS and latencies");
	o.rw = RW_RANDREAD;
	fill_result(&r[0], ENG_AIORING, 40000);

	f = mem_open();
	json_init(&j, f);
	report_json(&j, &r[0]);
	json_end(&j);
	fclose(f);
	ok(strstr(out, "\"engine\": \"aioring\"") &&
	   strstr(out, "\"target\": \"/dev/nullb0\"") &&
	   strstr(out, "\"rw\": \"randread\"") &&
	   strstr(out, "\"iops\": 40000.0") &&
	   strstr(out, "\"ios\": 80000") &&
	   strstr(out, "\"mib_s\": 156.250") &&
	   strstr(out, "\"syscalls_per_io\": 0.1250") &&
	   strstr(out, "\"us_per_io\": 5.000") &&
	   strstr(out, "\"cache_hits\": 3") &&
	   strstr(out, "\"status\": 0") &&
	   strstr(out, "\"interrupted\": false"),
	   "run summary: engine, target, rw, iops, MiB/s, syscalls and CPU per IO");
	ok(strstr(out, "\"lat_ns\": {") && strstr(out, "\"p50\": ") &&
	   strstr(out, "\"p99\": ") && strstr(out, "\"p99.9\": ") &&
	   strstr(out, "\"min\": 100,") && strstr(out, "\"max\": 100000"),
	   "run summary: latency min, p50, p99, p99.9, max in ns");
	ok(!strstr(out, "\"verify\""), "no verify member without --verify");
	valid = python_parses(out, &ran);
	ok(valid, "run summary is valid JSON%s",
	   ran ? " (python3 json.tool)" : " (python3 absent: not checked)");

	o.verify = 1;
	r[0].st.verify_blocks = 1024;
	f = mem_open();
	json_init(&j, f);
	report_json(&j, &r[0]);
	json_end(&j);
	fclose(f);
	ok(strstr(out, "\"rw\": \"randwrite+randread\"") &&
	   strstr(out, "\"verify\": {\n      \"blocks\": 1024,\n      \"errors\": 0\n    }"),
	   "--verify: workload and the verify member");
	o.verify = 0;

	fill_result(&r[1], ENG_IO_URING, 60000);
	fill_result(&r[2], ENG_PSYNC, 0);
	r[2].status = EXIT_UNSUPPORTED;
	snprintf(r[2].message, sizeof(r[2].message), "psync \"cannot\" poll");
	o.compare = 1;
	f = mem_open();
	report_json_doc(f, r, 3);
	fclose(f);
	o.compare = 0;
	ok(strstr(out, "\"baseline\": \"aioring\"") &&
	   strstr(out, "\"jobs\": [") &&
	   strstr(out, "\"iops_ratio\": {\n    \"aioring\": 1.000,\n    \"io_uring\": 1.500,\n    \"psync\": null\n  }") &&
	   strstr(out, "\"message\": \"psync \\\"cannot\\\" poll\""),
	   "compare: baseline, one job per engine, IOPS ratios, null for an engine that did not run");
	ok(python_parses(out, &ran), "compare report is valid JSON");
}

int main(void)
{
	test_writer();
	test_report();
	free(out);
	return tap_done();
}
