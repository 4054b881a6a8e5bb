// SPDX-License-Identifier: MIT
/*
 * aioring-bench command line: defaults, every option, the errors that
 * must give exit status 2, sizes and durations, and which engine can run
 * which mode (exit status 3 otherwise).
 */
#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>

#include "bench.h"
#include "tap.h"

static struct bench_opts o;
static char err[256];

/* parse a NULL-terminated argument list; stdout (usage) goes to /dev/null */
static int parse(const char *first, ...)
{
	char *argv[64];
	int argc = 0, ret, saved, null;
	const char *a;
	va_list ap;

	argv[argc++] = "aioring-bench";
	va_start(ap, first);
	for (a = first; a && argc < 63; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	fflush(stdout);
	saved = dup(1);
	null = open("/dev/null", O_WRONLY);
	dup2(null, 1);
	ret = opts_parse(&o, argc, argv, err, sizeof(err));
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	close(null);
	return ret;
}

static void test_defaults(void)
{
	int ret = parse("/dev/nullb0", NULL);

	ok(!ret && o.engine == ENG_AIORING && o.rw == RW_RANDREAD &&
	   o.depth == 32 && o.bs == 4096 && o.runtime == 10.0 && !o.ios &&
	   !o.size && !o.polled && !o.verify && o.sq_cpu == -1 &&
	   !strcmp(o.target, "/dev/nullb0"),
	   "defaults: aioring randread 4k depth 32 for 10 s");
	ok(o.batch_submit == 8 && o.batch_complete == 8,
	   "batches default to depth/4 (%u, %u)", o.batch_submit,
	   o.batch_complete);
	ret = parse("-d", "2", "x", NULL);
	ok(!ret && o.batch_submit == 1 && o.batch_complete == 1,
	   "depth 2: batches of 1");
}

static void test_options(void)
{
	int ret;

	ret = parse("--engine", "io_uring", "--depth", "128", "--bs", "64k",
		    "--rw", "randrw", "--rwmix", "70", "--polled", "--fixedbufs",
		    "--batch-submit", "16", "--batch-complete", "4",
		    "--runtime", "500ms", "--size", "1g", "--json", "-q", "f", NULL);
	ok(!ret && o.engine == ENG_IO_URING && o.depth == 128 &&
	   o.bs == 65536 && o.rw == RW_RANDRW && o.rwmix_read == 70 &&
	   o.polled && o.fixedbufs && o.batch_submit == 16 &&
	   o.batch_complete == 4 && o.runtime == 0.5 &&
	   o.size == (1ULL << 30) && o.json && o.quiet,
	   "long options parsed (%s)", err);
	ret = parse("-e", "libaio", "-d", "8", "-b", "512", "-w", "write", "-p",
		    "-O", "0", "-s", "2", "-c", "3", "-r", "2", "-S", "4m",
		    "-V", "-j", "dev", NULL);
	ok(!ret && o.engine == ENG_LIBAIO && o.depth == 8 && o.bs == 512 &&
	   o.rw == RW_WRITE && o.polled && o.buffered && !o.fixedbufs &&
	   o.batch_submit == 2 && o.batch_complete == 3 && o.runtime == 2 &&
	   o.size == (4u << 20) && o.verify && o.json,
	   "short options parsed (%s)", err);
	ret = parse("--sqthread", "f", NULL);
	ok(!ret && o.sqthread && o.sq_cpu == -1 && !o.sqpoll,
	   "--sqthread without a CPU");
	ret = parse("--sqthread=3", "f", NULL);
	ok(!ret && o.sqthread && o.sq_cpu == 3, "--sqthread=3");
	ret = parse("--sqpoll", "f", NULL);
	ok(!ret && o.sqpoll && o.sqthread, "--sqpoll implies --sqthread");
	ret = parse("--sqwq", "--buffered", "f", NULL);
	ok(!ret && o.sqwq && o.buffered, "--sqwq --buffered");
	ret = parse("--ios", "1000", "f", NULL);
	ok(!ret && o.ios == 1000 && o.runtime == 0,
	   "--ios alone: no time limit");
	ret = parse("--verify", "f", NULL);
	ok(!ret && o.verify && o.runtime == 0, "--verify alone: no time limit");
	ret = parse("--ios", "10", "--runtime", "3", "f", NULL);
	ok(!ret && o.runtime == 3, "--runtime kept next to --ios");
	ret = parse("--probe", NULL);
	ok(!ret && o.probe && !o.target, "--probe needs no target");
	ret = parse("--compare", "-r", "2", "f", NULL);
	ok(!ret && o.compare, "--compare");
	ok(parse("--help", NULL) == 1 && parse("-h", "x", NULL) == 1,
	   "--help: 1 (usage printed, exit 0)");
}

/* fio's t/io_uring: -B fixed buffers, -O O_DIRECT, -p polled, -r runtime */
static void test_t_io_uring(void)
{
	int ret;

	ret = parse("-B", "f", NULL);
	ok(!ret && o.fixedbufs && !o.buffered && !strcmp(o.target, "f"),
	   "-B: fixed buffers, as in t/io_uring (%s)", err);
	ret = parse("-B1", "-p1", "-d128", "-b512", "-s32", "-c32", "-r", "5",
		    "/dev/nvme0n1", NULL);
	ok(!ret && o.fixedbufs && o.polled && o.depth == 128 && o.bs == 512 &&
	   o.batch_submit == 32 && o.batch_complete == 32 && o.runtime == 5 &&
	   !strcmp(o.target, "/dev/nvme0n1"),
	   "t/io_uring -B1 -p1 -d128 -b512 -s32 -c32 -r 5 (%s)", err);
	ret = parse("-B", "1", "-p", "0", "f", NULL);
	ok(!ret && o.fixedbufs && !o.polled && !strcmp(o.target, "f"),
	   "-B 1 -p 0: a separate 0 or 1 is the value (%s)", err);
	ret = parse("-B0", "-f", "f", NULL);
	ok(!ret && o.fixedbufs, "-f is still fixed buffers");
	ret = parse("-B0", "f", NULL);
	ok(!ret && !o.fixedbufs, "-B0: no fixed buffers");
	ret = parse("-O0", "f", NULL);
	ok(!ret && o.buffered, "-O0: buffered (no O_DIRECT)");
	ret = parse("-O", "1", "f", NULL);
	ok(!ret && !o.buffered, "-O 1: O_DIRECT");
	ret = parse("f", NULL);
	ok(!ret && !o.buffered && !o.fixedbufs, "O_DIRECT and no fixed buffers by default");
	ret = parse("--buffered", "f", NULL);
	ok(!ret && o.buffered, "--buffered is -O0");
	ret = parse("-O", "2", "f", NULL);
	ok(ret == -1 && strstr(err, "-O"), "-O 2: an error naming -O (%s)", err);
	ret = parse("-B2", "f", NULL);
	ok(ret == -1 && strstr(err, "-B"), "-B2: an error naming -B (%s)", err);
	ret = parse("-n", "2", "/dev/nullb0", "/dev/nullb1", NULL);
	ok(!ret && o.threads == 2 && o.ntargets == 2 &&
	   !strcmp(o.targets[0], "/dev/nullb0") &&
	   !strcmp(o.targets[1], "/dev/nullb1") && o.target == o.targets[0],
	   "-n 2 with two devices: two threads, one per device (t/io_uring's -n)");
	ret = parse("/dev/nullb0", "/dev/nullb1", NULL);
	ok(!ret && o.threads == 2, "two devices: one thread each by default");
	ret = parse("--threads", "4", "-d", "8", "f", NULL);
	ok(!ret && o.threads == 4 && o.ntargets == 1 && o.depth == 8,
	   "--threads 4 on one file: four threads share it");
	ret = parse("-n2", "f", NULL);
	ok(!ret && o.threads == 2, "-n2 (attached)");
	ret = parse("f", NULL);
	ok(!ret && o.threads == 1 && o.ntargets == 1, "one file: one thread");
	ret = parse("-t", "2", "f", NULL);
	ok(ret == -1 && strstr(err, "-r"),
	   "-t is not the run time (t/io_uring: latency tracking); the error names -r (%s)",
	   err);
}

static void test_errors(void)
{
	static const struct {
		const char *a[6];
		const char *what;
	} bad[] = {
		{ { NULL }, "no target" },
		{ { "-n", "1", "a", "b" }, "-n 1 for two targets" },
		{ { "-n", "0", "f" }, "-n 0" },
		{ { "-n", "65", "f" }, "-n over 64" },
		{ { "-n", "2", "--verify", "f" }, "verify with threads sharing a target" },
		{ { "--compare", "a", "b" }, "compare with two targets" },
		{ { "--compare", "-n", "2", "f" }, "compare with threads" },
		{ { "--probe", "a", "b" }, "probe with two targets" },
		{ { "--engine", "spdk", "f" }, "unknown engine" },
		{ { "--depth", "0", "f" }, "depth 0" },
		{ { "--depth", "70000", "f" }, "depth over 65535" },
		{ { "--depth", "x", "f" }, "depth not a number" },
		{ { "--bs", "1000", "f" }, "bs not a multiple of 512" },
		{ { "--bs", "128m", "f" }, "bs over 64m" },
		{ { "--rw", "trim", "f" }, "unknown rw" },
		{ { "--rwmix", "101", "f" }, "rwmix over 100" },
		{ { "--runtime", "-1", "f" }, "negative runtime" },
		{ { "--runtime", "10x", "f" }, "runtime with a bad unit" },
		{ { "--ios", "0", "f" }, "ios 0" },
		{ { "--size", "0", "f" }, "size 0" },
		{ { "--size", "1k", "f" }, "size below one block" },
		{ { "--sqthread=cpu", "f" }, "sqthread CPU not a number" },
		{ { "-d", "4", "-s", "8", "f" }, "batch-submit over depth" },
		{ { "-d", "4", "-c", "5", "f" }, "batch-complete over depth" },
		{ { "--compare", "--engine", "psync", "f" }, "compare with engine" },
		{ { "--compare", "--probe", "f" }, "compare with probe" },
		{ { "--frobnicate", "f" }, "unknown option" },
		{ { "--depth" }, "missing value" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int ret = parse(bad[i].a[0], bad[i].a[1], bad[i].a[2], bad[i].a[3],
				bad[i].a[4], bad[i].a[5], NULL);

		ok(ret == -1 && err[0], "refused (exit 2): %s: %s", bad[i].what,
		   err);
	}
}

/*
 * The message names the option the user got wrong: a short option inside
 * a group is the letter itself (not the word before it), a long prefix
 * that fits several options lists them, and a CPU given to --sqthread
 * as a separate word is pointed to --sqthread=CPU.
 */
static void test_error_names(void)
{
	static const struct {
		const char *a[4];
		const char *want;
		const char *not;
	} cases[] = {
		{ { "-xq", "f" }, "unknown option '-x'", NULL },
		{ { "-q", "-xj", "f" }, "unknown option '-x'", "-q" },
		{ { "--quiet", "-jx", "f" }, "unknown option '-x'", "quiet" },
		{ { "--ver", "f" }, "option '--ver' is ambiguous: --verify, --version", NULL },
		{ { "--sq", "f" }, "ambiguous: --sqthread, --sqpoll, --sqwq", NULL },
		{ { "--bogus=3", "f" }, "unknown option '--bogus'", "=3" },
		{ { "--json=1", "f" }, "option '--json' takes no value", NULL },
		{ { "-qd" }, "option '-d' needs a value", "-qd" },
		{ { "-q", "--depth" }, "option '--depth' needs a value", NULL },
		{ { "--sqthread", "3", "FILE" }, "give the CPU as --sqthread=CPU (--sqthread=3)", NULL },
		{ { "FILE", "--sqthread", "3" }, "--sqthread=CPU", NULL },
	};
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ret = parse(cases[i].a[0], cases[i].a[1], cases[i].a[2],
			    cases[i].a[3], NULL);
		ok(ret == -1 && strstr(err, cases[i].want) &&
		   !(cases[i].not && strstr(err, cases[i].not)),
		   "%s %s %s: '%s'", cases[i].a[0],
		   cases[i].a[1] ? cases[i].a[1] : "",
		   cases[i].a[2] ? cases[i].a[2] : "", err);
	}
	ret = parse("--veri", "f", NULL);
	ok(!ret && o.verify, "an unambiguous prefix still works (--veri)");
	ret = parse("--sqthread", "f", "g", NULL);
	ok(!ret && o.ntargets == 2 && o.sqthread && o.sq_cpu == -1,
	   "--sqthread f g: two targets, no CPU taken from them");
}

static void test_sizes(void)
{
	static const struct {
		const char *s;
		uint64_t v;
	} good[] = {
		{ "0", 0 }, { "4096", 4096 }, { "4k", 4096 }, { "4K", 4096 },
		{ "4KiB", 4096 }, { "1m", 1 << 20 }, { "2G", 2ULL << 30 },
		{ "1t", 1ULL << 40 }, { "512b", 512 }, { "3MB", 3 << 20 },
	};
	static const char *const badv[] = { "", "k", "-1", "4x", "4kk", "1.5k",
					    "99999999999999999999", "20000000000t" };
	unsigned int i, nbad = 0;
	double d;
	uint64_t v;

	for (i = 0; i < ARRAY_SIZE(good); i++)
		if (parse_size(good[i].s, &v) || v != good[i].v) {
			diag("parse_size(%s) wrong", good[i].s);
			nbad++;
		}
	ok(!nbad, "sizes with k/m/g/t (and iB, B) suffixes");
	for (i = 0, nbad = 0; i < ARRAY_SIZE(badv); i++)
		if (!parse_size(badv[i], &v)) {
			diag("parse_size(%s) accepted", badv[i]);
			nbad++;
		}
	ok(!nbad, "malformed and overflowing sizes refused");
	ok(!parse_seconds("2.5", &d) && d == 2.5 &&
	   !parse_seconds("250ms", &d) && d == 0.25 &&
	   !parse_seconds("3s", &d) && d == 3 &&
	   !parse_seconds("1m", &d) && d == 60 &&
	   !parse_seconds(".5", &d) && d == 0.5,
	   "seconds: plain, ms, s, m");
	ok(parse_seconds("", &d) && parse_seconds("s", &d) &&
	   parse_seconds("1h", &d) && parse_seconds("-2", &d),
	   "bad durations refused");
}

static void test_modes(void)
{
	char why[256];
	int e;

	parse("f", NULL);
	for (e = 0; e < ENG_NR; e++)
		if (opts_mode_check(&o, e, why, sizeof(why)))
			break;
	ok(e == ENG_NR, "plain randread runs on every engine");
	parse("--polled", "--buffered", "f", NULL);
	ok(opts_mode_check(&o, ENG_AIORING, why, sizeof(why)) == EXIT_UNSUPPORTED &&
	   strstr(why, "O_DIRECT"), "--polled --buffered: 3 (%s)", why);
	parse("--polled", "f", NULL);
	ok(!opts_mode_check(&o, ENG_AIORING, why, sizeof(why)) &&
	   !opts_mode_check(&o, ENG_IO_URING, why, sizeof(why)) &&
	   !opts_mode_check(&o, ENG_LIBAIO, why, sizeof(why)) &&
	   opts_mode_check(&o, ENG_PSYNC, why, sizeof(why)) == EXIT_UNSUPPORTED,
	   "--polled: aioring, io_uring, libaio yes, psync no (%s)", why);
	parse("--sqthread", "f", NULL);
	ok(!opts_mode_check(&o, ENG_AIORING, why, sizeof(why)) &&
	   opts_mode_check(&o, ENG_IO_URING, why, sizeof(why)) == EXIT_UNSUPPORTED,
	   "--sqthread without --sqpoll: not with io_uring (%s)", why);
	parse("--sqpoll", "f", NULL);
	ok(!opts_mode_check(&o, ENG_IO_URING, why, sizeof(why)) &&
	   opts_mode_check(&o, ENG_LIBAIO, why, sizeof(why)) == EXIT_UNSUPPORTED,
	   "--sqpoll: io_uring yes, libaio no (%s)", why);
	parse("--fixedbufs", "f", NULL);
	ok(!opts_mode_check(&o, ENG_AIORING, why, sizeof(why)) &&
	   !opts_mode_check(&o, ENG_IO_URING, why, sizeof(why)) &&
	   opts_mode_check(&o, ENG_LIBAIO, why, sizeof(why)) == EXIT_UNSUPPORTED &&
	   opts_mode_check(&o, ENG_PSYNC, why, sizeof(why)) == EXIT_UNSUPPORTED,
	   "--fixedbufs: aioring and io_uring only");
	parse("--fixedbufs", "--bs", "8m", "f", NULL);
	ok(opts_mode_check(&o, ENG_AIORING, why, sizeof(why)) == EXIT_UNSUPPORTED,
	   "--fixedbufs with --bs 8m: a fixed buffer is at most 4 MiB (%s)", why);
	ok(!strcmp(engine_name(ENG_PSYNC), "psync") &&
	   engine_by_name("io_uring") == ENG_IO_URING &&
	   engine_by_name("uring") == -1 && !strcmp(rw_name(RW_RANDRW), "randrw"),
	   "engine and rw names");
}

int main(void)
{
	test_defaults();
	test_options();
	test_t_io_uring();
	test_errors();
	test_error_names();
	test_sizes();
	test_modes();
	return tap_done();
}
