// SPDX-License-Identifier: MIT
/*
 * aioring-bench: command line.  Every knob has a default; opts_parse()
 * only parses and checks the options against each other, the target and
 * the kernel are looked at later.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bench.h"

#define DEFAULT_DEPTH	32
#define DEFAULT_BS	4096
#define DEFAULT_RUNTIME	10.0
#define MAX_DEPTH	65535
#define MAX_BS		(64u << 20)
#define MAX_FIXED_BS	(4u << 20)	/* spec: a fixed buffer is <= 4 MiB */

static const char *const engine_names[ENG_NR] = {
	[ENG_AIORING] = "aioring",
	[ENG_IO_URING] = "io_uring",
	[ENG_LIBAIO] = "libaio",
	[ENG_PSYNC] = "psync",
};

static const char *const rw_names[] = {
	[RW_READ] = "read",
	[RW_WRITE] = "write",
	[RW_RANDREAD] = "randread",
	[RW_RANDWRITE] = "randwrite",
	[RW_RANDRW] = "randrw",
};

const char *engine_name(enum engine_id e)
{
	return (unsigned int)e < ENG_NR ? engine_names[e] : "?";
}

int engine_by_name(const char *name)
{
	int i;

	for (i = 0; i < ENG_NR; i++)
		if (!strcmp(name, engine_names[i]))
			return i;
	return -1;
}

const char *rw_name(enum rw_mode rw)
{
	return (unsigned int)rw < ARRAY_SIZE(rw_names) ? rw_names[rw] : "?";
}

void opts_usage(FILE *f)
{
	fputs(
"usage: aioring-bench [OPTIONS] FILE|DEVICE...\n"
"       aioring-bench --probe [FILE|DEVICE]\n"
"\n"
"Drive IO at a file or block device and report IOPS, bandwidth, latency\n"
"percentiles, CPU and system calls per IO.\n"
"\n"
"  -e, --engine NAME       aioring (default), io_uring, libaio or psync\n"
"  -d, --depth N           IOs in flight (default 32)\n"
"  -b, --bs SIZE           IO size, a multiple of 512 (default 4k)\n"
"  -w, --rw MODE           read, write, randread (default), randwrite, randrw\n"
"      --rwmix PCT         percentage of reads with randrw (default 50)\n"
"  -p, --polled            polled IO (IOCTX_FLAG_IOPOLL; needs poll queues)\n"
"  -B, --fixedbufs         fixed buffers (IOCTX_FLAG_FIXEDBUFS); also -f\n"
"  -O, --direct 0|1        O_DIRECT (default 1); -O0 goes through the page\n"
"                          cache\n"
"      --buffered          the same as -O0\n"
"      --sqthread[=CPU]    kernel submission thread (IOCTX_FLAG_SQTHREAD),\n"
"                          on CPU (default: the highest CPU allowed)\n"
"      --sqpoll            the thread polls the SQ ring (IOCTX_FLAG_SQPOLL,\n"
"                          implies --sqthread)\n"
"      --sqwq              blocking IO goes to kernel workers (IOCTX_FLAG_SQWQ)\n"
"  -s, --batch-submit N    IOs prepped per submit call (default depth/4)\n"
"  -c, --batch-complete N  completions waited for at once (default depth/4)\n"
"  -r, --runtime SECONDS   run time (default 10 s; 0: no limit)\n"
"      --ios N             stop after N IOs\n"
"      --ramp SECONDS      run this long before the figures start (IO of\n"
"                          the ramp is not counted; --runtime follows it)\n"
"  -S, --size SIZE         bytes of the target to use (default: all of it;\n"
"                          a missing file is created with this size)\n"
"  -V, --verify            write a pattern over the area, read it back and\n"
"                          check it (ends when both passes are done)\n"
"  -j, --json              print the summary as JSON (no per-second lines)\n"
"  -q, --quiet             no per-second lines\n"
"  -P, --probe             print what the kernel and the target support\n"
"  -C, --compare           run every engine in turn, then compare them\n"
"  -n, --threads N         submitting threads, each with its own ring and\n"
"                          pinned to its own CPU; FILEs are dealt out to\n"
"                          them in turn (default: one thread per FILE);\n"
"                          one summary of all\n"
"  -h, --help              this text\n"
"      --version           the version of aioring-bench\n"
"\n"
"SIZE takes k, m, g, t suffixes (powers of 1024); SECONDS takes ms, s, m.\n"
"As in fio's t/io_uring, -p and -B take an optional 0 or 1 (-p1, -B 0).\n"
"Exit status: 0 ok, 1 IO error or verify mismatch, 2 usage or missing\n"
"target, 3 mode not supported by the kernel or target, 77 kernel without\n"
"the aio-ring interface.\n", f);
}

/* "4096", "4k", "1M", "2GiB": a byte count */
int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	}
	/* optional unit: "B", or "iB" after a suffix */
	if (!strcasecmp(end, "b") || (shift && !strcasecmp(end, "ib")))
		end += strlen(end);
	if (*end)
		return -EINVAL;
	if (shift && v > (ULLONG_MAX >> shift))
		return -ERANGE;
	*out = (uint64_t)v << shift;
	return 0;
}

/* "10", "2.5", "500ms", "3s", "1m": seconds */
int parse_seconds(const char *s, double *out)
{
	double v, scale = 1;
	char *end;

	if (!s || ((*s < '0' || *s > '9') && *s != '.'))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s)
		return -EINVAL;
	if (!strcmp(end, "ms"))
		scale = 0.001;
	else if (!strcmp(end, "m") || !strcmp(end, "min"))
		scale = 60;
	else if (*end && strcmp(end, "s"))
		return -EINVAL;
	if (v < 0 || v * scale > 1e7)
		return -ERANGE;
	*out = v * scale;
	return 0;
}

static int parse_uint(const char *s, unsigned int min, unsigned int max,
		      unsigned int *out)
{
	uint64_t v;

	if (parse_size(s, &v) || v < min || v > max)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

enum {
	OPT_RWMIX = 256,
	OPT_SQTHREAD,
	OPT_SQPOLL,
	OPT_SQWQ,
	OPT_VERSION,
	OPT_BUFFERED,
	OPT_IOS,
	OPT_RAMP,
};

/* "-n 2 /dev/nullb0 /dev/nullb1": one thread (and ring) per target */

static const struct option long_opts[] = {
	{ "engine",		required_argument, NULL, 'e' },
	{ "depth",		required_argument, NULL, 'd' },
	{ "bs",			required_argument, NULL, 'b' },
	{ "rw",			required_argument, NULL, 'w' },
	{ "rwmix",		required_argument, NULL, OPT_RWMIX },
	{ "polled",		no_argument,	   NULL, 'p' },
	{ "fixedbufs",		no_argument,	   NULL, 'B' },
	{ "direct",		required_argument, NULL, 'O' },
	{ "buffered",		no_argument,	   NULL, OPT_BUFFERED },
	{ "sqthread",		optional_argument, NULL, OPT_SQTHREAD },
	{ "sqpoll",		no_argument,	   NULL, OPT_SQPOLL },
	{ "sqwq",		no_argument,	   NULL, OPT_SQWQ },
	{ "batch-submit",	required_argument, NULL, 's' },
	{ "batch-complete",	required_argument, NULL, 'c' },
	{ "runtime",		required_argument, NULL, 'r' },
	{ "ios",		required_argument, NULL, OPT_IOS },
	{ "ramp",		required_argument, NULL, OPT_RAMP },
	{ "size",		required_argument, NULL, 'S' },
	{ "verify",		no_argument,	   NULL, 'V' },
	{ "json",		no_argument,	   NULL, 'j' },
	{ "quiet",		no_argument,	   NULL, 'q' },
	{ "probe",		no_argument,	   NULL, 'P' },
	{ "compare",		no_argument,	   NULL, 'C' },
	{ "threads",		required_argument, NULL, 'n' },
	{ "help",		no_argument,	   NULL, 'h' },
	{ "version",		no_argument,	   NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 }
};

/* is c the value of an option (a short one, or one of the long-only)? */
static int known_val(int c)
{
	const struct option *lo;

	for (lo = long_opts; lo->name; lo++)
		if (lo->val == c)
			return 1;
	return 0;
}

/* "--name" of "--name=value" */
static void long_name(const char *arg, char *name, size_t len)
{
	size_t n = strcspn(arg, "=");

	snprintf(name, len, "%.*s", (int)(n < len ? n : len - 1), arg);
}

/*
 * getopt_long() said '?' or ':'.  A short option is named by optopt
 * (argv[optind - 1] may be an earlier word when the option sat inside a
 * group such as -qx); a long one by its word.  A long prefix that fits
 * several options is ambiguous and lists them.
 */
static int opt_error(int c, char **argv, char *err, size_t errlen)
{
	const char *arg = argv[optind - 1];
	const struct option *lo;
	char name[64], cand[256];
	size_t plen;
	int n = 0, is_long = !strncmp(arg, "--", 2);

	if (c == ':') {
		if (is_long) {
			long_name(arg, name, sizeof(name));
			return fail(err, errlen, "option '%s' needs a value", name);
		}
		return fail(err, errlen, "option '-%c' needs a value", optopt);
	}
	/* '?': an unknown short option, or a long option gone wrong */
	if (optopt == 't')
		return fail(err, errlen,
			    "unknown option '-t' (latencies are always tracked; the run time is -r SECONDS)");
	if (optopt && !known_val(optopt))
		return fail(err, errlen, "unknown option '-%c'", optopt);
	long_name(arg, name, sizeof(name));
	if (optopt)	/* a known option that takes no value got one */
		return fail(err, errlen, "option '%s' takes no value ('%s')",
			    name, arg);
	plen = strlen(name) - 2;
	cand[0] = 0;
	for (lo = long_opts; lo->name; lo++) {
		if (strncmp(lo->name, name + 2, plen))
			continue;
		snprintf(cand + strlen(cand), sizeof(cand) - strlen(cand),
			 "%s--%s", n++ ? ", " : "", lo->name);
	}
	if (n > 1)
		return fail(err, errlen, "option '%s' is ambiguous: %s", name,
			    cand);
	return fail(err, errlen, "unknown option '%s'", name);
}

/*
 * "--sqthread 3 FILE": the CPU of --sqthread goes after '=', a separate
 * word is not its value but a FILE.  When that word is a number and the
 * command line has one FILE too many, say so.
 */
static int sqthread_word(const char *word)
{
	return word && *word && strspn(word, "0123456789") == strlen(word);
}

/*
 * The value of a t/io_uring style switch (-p, -B): attached ("-p1"), the
 * next word when it is a lone 0 or 1 ("-B 0"), else 1.  0 or 1, -1 when
 * the attached value is not one of them.
 */
static int switch_value(int argc, char **argv)
{
	const char *next = optind < argc ? argv[optind] : NULL;

	if (optarg)
		return !strcmp(optarg, "0") ? 0 : !strcmp(optarg, "1") ? 1 : -1;
	if (strncmp(argv[optind - 1], "--", 2) && next &&
	    (!strcmp(next, "0") || !strcmp(next, "1"))) {
		optind++;
		return next[0] - '0';
	}
	return 1;
}

/*
 * Parse argv into *o.  Returns 0 to run, 1 when --help or --version was
 * asked for (printed to stdout), -1 on a bad command line (err says why).
 */
int opts_parse(struct bench_opts *o, int argc, char **argv, char *err,
	       size_t errlen)
{
	int runtime_set = 0, engine_set = 0, c, e;
	const char *sq_next = NULL;	/* the word after a bare --sqthread */
	unsigned int v;

	memset(o, 0, sizeof(*o));
	o->engine = ENG_AIORING;
	o->rw = RW_RANDREAD;
	o->depth = DEFAULT_DEPTH;
	o->bs = DEFAULT_BS;
	o->rwmix_read = 50;
	o->sq_cpu = -1;
	o->runtime = DEFAULT_RUNTIME;
	if (errlen)
		err[0] = 0;

	optind = 0;	/* glibc: full re-initialisation, parse may repeat */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":e:d:b:w:p::fB::O:s:c:r:S:VjqPCn:h",
				long_opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			e = engine_by_name(optarg);
			if (e < 0)
				return fail(err, errlen,
					    "unknown engine '%s' (aioring, io_uring, libaio, psync)",
					    optarg);
			o->engine = e;
			engine_set = 1;
			break;
		case 'd':
			if (parse_uint(optarg, 1, MAX_DEPTH, &o->depth))
				return fail(err, errlen,
					    "--depth must be 1..%u, not '%s'",
					    MAX_DEPTH, optarg);
			break;
		case 'b':
			if (parse_uint(optarg, 512, MAX_BS, &v) || v % 512)
				return fail(err, errlen,
					    "--bs must be a multiple of 512 up to 64m, not '%s'",
					    optarg);
			o->bs = v;
			break;
		case 'w':
			for (v = 0; v < ARRAY_SIZE(rw_names); v++)
				if (!strcmp(optarg, rw_names[v]))
					break;
			if (v == ARRAY_SIZE(rw_names))
				return fail(err, errlen,
					    "unknown --rw '%s' (read, write, randread, randwrite, randrw)",
					    optarg);
			o->rw = v;
			break;
		case OPT_RWMIX:
			if (parse_uint(optarg, 0, 100, &o->rwmix_read))
				return fail(err, errlen,
					    "--rwmix must be 0..100, not '%s'",
					    optarg);
			break;
		case 'p':
			o->polled = switch_value(argc, argv);
			if (o->polled < 0)
				return fail(err, errlen,
					    "-p takes 0 or 1 (-p1), not '%s'",
					    optarg);
			break;
		case 'f':
			o->fixedbufs = 1;
			break;
		case 'B':
			o->fixedbufs = switch_value(argc, argv);
			if (o->fixedbufs < 0)
				return fail(err, errlen,
					    "-B (fixed buffers) takes 0 or 1 (-B1), not '%s'",
					    optarg);
			break;
		case 'O':
			if (strcmp(optarg, "0") && strcmp(optarg, "1"))
				return fail(err, errlen,
					    "-O takes 0 (through the page cache) or 1 (O_DIRECT), not '%s'",
					    optarg);
			o->buffered = optarg[0] == '0';
			break;
		case OPT_BUFFERED:
			o->buffered = 1;
			break;
		case OPT_SQTHREAD:
			o->sqthread = 1;
			if (optarg) {
				if (parse_uint(optarg, 0, 65535, &v))
					return fail(err, errlen,
						    "--sqthread=CPU needs a CPU number, not '%s'",
						    optarg);
				o->sq_cpu = (int)v;
			} else if (optind < argc) {
				sq_next = argv[optind];
			}
			break;
		case OPT_SQPOLL:
			o->sqpoll = 1;
			o->sqthread = 1;
			break;
		case OPT_SQWQ:
			o->sqwq = 1;
			break;
		case 's':
			if (parse_uint(optarg, 1, MAX_DEPTH, &o->batch_submit))
				return fail(err, errlen,
					    "--batch-submit must be 1..depth, not '%s'",
					    optarg);
			break;
		case 'c':
			if (parse_uint(optarg, 1, MAX_DEPTH, &o->batch_complete))
				return fail(err, errlen,
					    "--batch-complete must be 1..depth, not '%s'",
					    optarg);
			break;
		case 'r':
			if (parse_seconds(optarg, &o->runtime))
				return fail(err, errlen,
					    "--runtime takes seconds (10, 2.5, 500ms, 1m), not '%s'",
					    optarg);
			runtime_set = 1;
			break;
		case OPT_RAMP:
			if (parse_seconds(optarg, &o->ramp))
				return fail(err, errlen,
					    "--ramp takes seconds (1, 0.5, 500ms), not '%s'",
					    optarg);
			break;
		case OPT_IOS:
			if (parse_size(optarg, &o->ios) || !o->ios)
				return fail(err, errlen,
					    "--ios must be a positive count, not '%s'",
					    optarg);
			break;
		case 'S':
			if (parse_size(optarg, &o->size) || !o->size)
				return fail(err, errlen,
					    "--size must be a positive size (64m, 1g), not '%s'",
					    optarg);
			break;
		case 'V':
			o->verify = 1;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'P':
			o->probe = 1;
			break;
		case 'C':
			o->compare = 1;
			break;
		case 'n':
			if (parse_uint(optarg, 1, MAX_THREADS, &o->threads))
				return fail(err, errlen,
					    "--threads must be 1..%u, not '%s'",
					    MAX_THREADS, optarg);
			break;
		case 'h':
			opts_usage(stdout);
			return 1;
		case OPT_VERSION:
			printf("aioring-bench %s\n", AIORING_VERSION);
			return 1;
		default:
			return opt_error(c, argv, err, errlen);
		}
	}

	while (optind < argc && o->ntargets < MAX_TARGETS)
		o->targets[o->ntargets++] = argv[optind++];
	o->target = o->targets[0];
	if (sqthread_word(sq_next) && o->ntargets > 1 &&
	    (o->targets[0] == sq_next || o->targets[1] == sq_next))
		return fail(err, errlen,
			    "'%s' after --sqthread is taken as a FILE: give the CPU as --sqthread=CPU (--sqthread=%s)",
			    sq_next, sq_next);
	if (optind < argc)
		return fail(err, errlen, "at most %u FILEs or DEVICEs ('%s' is extra)",
			    MAX_TARGETS, argv[optind]);
	if (!o->target && !o->probe)
		return fail(err, errlen, "no FILE or DEVICE given");
	if (o->compare && engine_set)
		return fail(err, errlen, "--compare runs every engine: drop --engine");
	if (o->compare && o->probe)
		return fail(err, errlen, "--probe and --compare exclude each other");
	if (!o->threads)
		o->threads = o->ntargets ? o->ntargets : 1;
	if ((o->probe || o->compare) && (o->ntargets > 1 || o->threads > 1))
		return fail(err, errlen, "--%s takes one FILE or DEVICE and no -n",
			    o->probe ? "probe" : "compare");
	if (o->threads < o->ntargets)
		return fail(err, errlen,
			    "-n %u for %u FILEs: each thread drives one target, give -n %u or more",
			    o->threads, o->ntargets, o->ntargets);
	if (o->verify && o->threads > o->ntargets)
		return fail(err, errlen,
			    "--verify with -n %u: one thread per target (threads sharing a target would overwrite each other's pattern)",
			    o->threads);

	if (!o->batch_submit)
		o->batch_submit = o->depth / 4 ? o->depth / 4 : 1;
	if (!o->batch_complete)
		o->batch_complete = o->depth / 4 ? o->depth / 4 : 1;
	if (o->batch_submit > o->depth || o->batch_complete > o->depth)
		return fail(err, errlen,
			    "--batch-submit and --batch-complete must not exceed --depth (%u)",
			    o->depth);
	if (o->ramp > 0 && o->verify)
		return fail(err, errlen,
			    "--ramp with --verify: the verify passes are counted whole");
	/* the CPU time of several threads is the process's, ramp included */
	if (o->ramp > 0 && o->threads > 1)
		return fail(err, errlen, "--ramp works with one thread only (not -n %u)",
			    o->threads);
	/* --ios or --verify alone end the run; no time limit then */
	if (!runtime_set && (o->ios || o->verify))
		o->runtime = 0;
	if (o->size && o->size < o->bs)
		return fail(err, errlen, "--size must hold at least one --bs block");
	return 0;
}

/*
 * Can engine e run the options at all, whatever the kernel and target?
 * 0, or EXIT_UNSUPPORTED with the reason in why.
 */
int opts_mode_check(const struct bench_opts *o, enum engine_id e, char *why,
		    size_t len)
{
	const char *no = NULL;

	if (o->polled && o->buffered)
		no = "polled IO needs O_DIRECT: drop --buffered (-O0) or --polled";
	else if (e == ENG_AIORING && o->fixedbufs && o->bs > MAX_FIXED_BS)
		no = "a fixed buffer holds at most 4 MiB: use a smaller --bs";
	else if (e == ENG_IO_URING && o->sqthread && !o->sqpoll)
		no = "io_uring has no submission thread that does not poll: use --sqpoll";
	else if (e == ENG_LIBAIO && o->fixedbufs)
		no = "libaio has no fixed buffers (--fixedbufs, -B)";
	else if (e == ENG_LIBAIO && o->sqthread)
		no = "libaio has no submission thread (--sqthread, --sqpoll)";
	else if (e == ENG_LIBAIO && o->sqwq)
		no = "libaio has no submission workers (--sqwq)";
	else if (e == ENG_PSYNC && o->polled)
		no = "psync cannot poll (synchronous polled IO is gone from Linux)";
	else if (e == ENG_PSYNC && (o->fixedbufs || o->sqthread || o->sqwq))
		no = "psync has no fixed buffers, submission thread or workers";
	if (!no)
		return 0;
	snprintf(why, len, "%s", no);
	return EXIT_UNSUPPORTED;
}
