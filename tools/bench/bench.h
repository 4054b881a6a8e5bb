/* SPDX-License-Identifier: MIT */
/*
 * aioring-bench: one job = one engine driving one target with a fixed
 * number of IO slots.  The loop in main.c preps, submits and reaps
 * through the engine operations below; engine-*.c hold the four engines.
 *
 * This header includes neither <linux/aio_abi.h> nor <libaio.h> (their
 * struct iocb clash), so every engine file can include the one it needs.
 */
#ifndef AIORING_BENCH_H
#define AIORING_BENCH_H

#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Exit statuses (aioring-bench(1)) */
#define EXIT_IOERR		1	/* IO error or verify mismatch */
#define EXIT_USAGE		2	/* bad options, missing target */
#define EXIT_UNSUPPORTED	3	/* mode the kernel or target cannot do */
#define EXIT_NOKERNEL		77	/* the kernel lacks the interface */

/* IOCB_FLAG_HIPRI, for the libaio engine (checked in engine-aioring.c) */
#define BENCH_IOCB_HIPRI	(1 << 2)

#define MAX_TARGETS	16		/* FILE|DEVICE arguments */
#define MAX_THREADS	64		/* -n */

enum rw_mode { RW_READ, RW_WRITE, RW_RANDREAD, RW_RANDWRITE, RW_RANDRW };
enum engine_id { ENG_AIORING, ENG_IO_URING, ENG_LIBAIO, ENG_PSYNC, ENG_NR };

struct bench_opts {
	enum engine_id engine;
	enum rw_mode rw;
	unsigned int depth;
	unsigned int bs;
	unsigned int rwmix_read;	/* % of reads with randrw */
	unsigned int batch_submit;	/* 0 until defaults are applied */
	unsigned int batch_complete;
	int polled, fixedbufs, buffered, sqthread, sqpoll, sqwq;
	int sq_cpu;			/* --sqthread=CPU, -1: default */
	double runtime;			/* seconds, 0: no limit */
	double ramp;			/* seconds before the figures start */
	uint64_t ios;			/* 0: no limit */
	uint64_t size;			/* bytes of the target, 0: all */
	int verify, json, probe, compare, quiet;
	const char *target;		/* targets[0], or the one a thread drives */
	const char *targets[MAX_TARGETS];
	unsigned int ntargets;
	unsigned int threads;		/* -n: submitting threads, one ring each */
};

/*
 * The CPU of the kernel's SQ thread, the same for every engine that has
 * one: --sqthread=CPU, else the highest CPU this process may run on (a
 * CPU id from the affinity mask, so offline CPUs and cpusets are
 * respected; io_setup2 refuses a CPU outside the caller's cpuset).
 */
static inline int bench_sq_cpu(const struct bench_opts *o)
{
	cpu_set_t set;
	int cpu;

	if (o->sq_cpu >= 0)
		return o->sq_cpu;
	if (sched_getaffinity(0, sizeof(set), &set))
		return 0;
	for (cpu = CPU_SETSIZE - 1; cpu > 0; cpu--)
		if (CPU_ISSET(cpu, &set))
			break;
	return cpu;
}

/* options.c */
int opts_parse(struct bench_opts *o, int argc, char **argv, char *err,
	       size_t errlen);
void opts_usage(FILE *f);
int parse_size(const char *s, uint64_t *out);
int parse_seconds(const char *s, double *out);
const char *rw_name(enum rw_mode rw);
const char *engine_name(enum engine_id e);
int engine_by_name(const char *name);
int opts_mode_check(const struct bench_opts *o, enum engine_id e, char *why,
		    size_t len);

/* stats.c: latency histogram, log-linear with 64 steps per power of two */
#define LAT_SUB_BITS	6
#define LAT_SUB		(1u << LAT_SUB_BITS)
#define LAT_BUCKETS	(LAT_SUB + (64 - LAT_SUB_BITS) * LAT_SUB)

struct lat_hist {
	uint64_t count, sum, min, max;
	double sumsq;			/* for the standard deviation */
	uint64_t bucket[LAT_BUCKETS];
};

void lat_init(struct lat_hist *h);
void lat_add(struct lat_hist *h, uint64_t ns);
unsigned int lat_bucket(uint64_t ns);
uint64_t lat_bucket_low(unsigned int b);
uint64_t lat_bucket_high(unsigned int b);
uint64_t lat_percentile(const struct lat_hist *h, double pct);
double lat_mean(const struct lat_hist *h);
double lat_stddev(const struct lat_hist *h);
void lat_merge(struct lat_hist *dst, const struct lat_hist *src);

/*
 * One direction of a run, as fio reports it: slat from prep to the
 * kernel taking the IO, clat from there to the completion being reaped,
 * lat both.
 */
enum { DIR_READ, DIR_WRITE, DIR_NR };

struct dir_stats {
	uint64_t ios, bytes, cachehits;
	struct lat_hist slat, clat, lat;
};

/* Counters of one run */
struct run_stats {
	struct dir_stats dir[DIR_NR];
	uint64_t ios, bytes, reads, writes;
	uint64_t cachehits;		/* aioring: res2 & IOEV_RES2_CACHEHIT */
	uint64_t calls;			/* system calls for IO */
	uint64_t eagain;		/* completions retried after -EAGAIN */
	uint64_t verify_blocks, verify_errors;
	uint64_t elapsed_ns;
	uint64_t cpu_user_ns, cpu_sys_ns;
	struct lat_hist lat;
};

void stats_merge(struct run_stats *dst, const struct run_stats *src);
void stats_init(struct run_stats *st);

/*
 * What a running thread has done so far, for the per-second line of a
 * run with several threads: stored by the thread with relaxed atomic
 * stores, read by the main thread.
 */
struct live_stats {
	uint64_t ios, bytes, calls, cachehits;
	unsigned int inflight;
};

/* One result row: what ran, how it went */
struct run_result {
	const struct bench_opts *o;
	enum engine_id engine;
	unsigned int depth;		/* effective (psync: 1) */
	char flags[96];			/* engine setup flags, e.g. SCQRING|IOPOLL */
	int status;			/* exit status of this run */
	char message[256];		/* why it failed or was not run */
	int interrupted;		/* SIGINT */
	unsigned int threads;		/* threads merged into st (0, 1: one) */
	struct run_stats st;
	struct live_stats live;
};

/* json.c: a small pretty-printing JSON writer */
#define JSON_MAX_DEPTH	16

struct json {
	FILE *f;
	int depth;
	int count[JSON_MAX_DEPTH];
};

void json_init(struct json *j, FILE *f);
void json_obj_begin(struct json *j, const char *key);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *v);
void json_u64(struct json *j, const char *key, uint64_t v);
void json_int(struct json *j, const char *key, long long v);
void json_dbl(struct json *j, const char *key, double v, int prec);
void json_bool(struct json *j, const char *key, int v);
void json_null(struct json *j, const char *key);
void json_end(struct json *j);

/* report.c */
struct tick {
	double t;			/* seconds since start */
	double secs;			/* length of the interval */
	uint64_t ios, bytes, calls, cachehits;
	unsigned int inflight;
	int has_cachehit;
};

char *fmt_ns(char *buf, size_t len, uint64_t ns);
char *fmt_count(char *buf, size_t len, double v);
char *fmt_size(char *buf, size_t len, uint64_t v);
void report_tick(FILE *f, const struct tick *t);
void report_text(FILE *f, const struct run_result *r);
void report_json(struct json *j, const struct run_result *r);
void report_json_doc(FILE *f, const struct run_result *r, int n);
void report_compare(FILE *f, const struct run_result *r, int n);
double result_iops(const struct run_result *r);
const char *workload_name(const struct bench_opts *o);

/* pattern.c: data pattern and offset generators */
void pattern_fill(void *buf, size_t len, uint64_t off, uint64_t seed);
long pattern_check(const void *buf, size_t len, uint64_t off, uint64_t seed);

struct offgen {
	uint64_t nblocks;
	uint64_t next;			/* sequential / permutation state */
	uint64_t mask;			/* permutation: 2^k - 1 >= nblocks - 1 */
	uint64_t mult, add;		/* permutation LCG */
	uint64_t rng;			/* xorshift state */
	int random, permute;
};

void offgen_init(struct offgen *g, uint64_t nblocks, int random, int permute,
		 uint64_t seed);
uint64_t offgen_next(struct offgen *g);
uint64_t rng_next(uint64_t *state);

/* --- jobs and engines --- */

struct io_unit {
	void *buf;
	uint64_t off;
	uint64_t start_ns;		/* prepped */
	uint64_t submit_ns;		/* taken by the kernel */
	unsigned int len;
	unsigned int write;
};

struct io_done {
	unsigned int slot;
	int res;			/* bytes transferred, or -errno */
	unsigned int cachehit;
};

struct engine;

struct job {
	const struct bench_opts *o;
	const struct engine *e;
	int fd;
	const char *path;
	unsigned int depth;		/* IO slots in use */
	unsigned int nslots;		/* depth + 1 buffers (fixed buffers) */
	struct io_unit *io;
	void *priv;			/* the engine's */
	char flags[96];			/* what the engine set up */
	char err[256];			/* message of a failed setup */
	uint64_t calls;			/* system calls, kept by the engine */
	unsigned int inflight;		/* taken by the kernel */
	unsigned int queued;		/* prepped, not yet taken */
};

struct engine {
	const char *name;
	/* 0, or an EXIT_* status with j->err set */
	int (*setup)(struct job *j);
	void (*queue)(struct job *j, unsigned int slot);
	/* submit what is queued, wait for wait_nr; IOs taken or -errno */
	int (*submit)(struct job *j, unsigned int wait_nr);
	unsigned int (*reap)(struct job *j, struct io_done *d, unsigned int max);
	void (*cleanup)(struct job *j);
};

extern const struct engine engine_aioring, engine_io_uring, engine_libaio,
	engine_psync;

/* errors.c */
struct aioring_sys;
int setup2_error(int ret, unsigned int flags, const struct aioring_sys *sys,
		 char *err, size_t len);
int bench_kernel_check(const struct bench_opts *o, char *err, size_t len);

/* engine-aioring.c: a polled context without rings, for libaio */
int bench_setup2_iopoll(unsigned int nr_events, unsigned long *ctx,
			char *err, size_t len);

/* iopoll.c: poll queues of a target's block device (1, 0, -errno) */
int dev_io_poll(const char *sysfs, unsigned int major, unsigned int minor);
int path_io_poll(const char *path, const char *sysfs);

/* probe.c: --probe */
int bench_probe_print(const struct bench_opts *o);

#endif
