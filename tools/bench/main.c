// SPDX-License-Identifier: MIT
/*
 * aioring-bench: drive IO at a file or block device through aio-ring (or
 * io_uring, libaio, psync for comparison) and report what it costs.
 *
 * One job: open the target, check that the mode can work there, let the
 * engine set up, then run_loop() (prep, submit, reap) until the time,
 * the IO count or the verify passes are done, or SIGINT.  With -n, each
 * of several threads runs one job on its own CPU (run_threads()) and
 * their statistics are merged into one result.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <linux/fs.h>

#include "bench.h"

static const struct engine *const engines[ENG_NR] = {
	[ENG_AIORING] = &engine_aioring,
	[ENG_IO_URING] = &engine_io_uring,
	[ENG_LIBAIO] = &engine_libaio,
	[ENG_PSYNC] = &engine_psync,
};

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static unsigned int min_u(unsigned int a, unsigned int b)
{
	return a < b ? a : b;
}

__attribute__((format(printf, 1, 2)))
static void error_msg(const char *fmt, ...)
{
	va_list ap;

	fputs("aioring-bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ------------------------------------------------------------------ */
/* Target                                                              */

struct target {
	const char *path;
	int fd;
	int is_bdev;
	int io_poll;		/* 1, 0 or -errno (path_io_poll) */
	uint64_t area;		/* bytes used from offset 0 */
};

static int needs_write(const struct bench_opts *o)
{
	return o->verify || (o->rw != RW_READ && o->rw != RW_RANDREAD);
}

/*
 * Write bytes [from, to) of a regular file with data and flush them:
 * reads of a hole (what ftruncate leaves) are answered without any IO,
 * so a benchmark over a sparse file measures nothing.  0 or -errno.
 */
static int layout_file(int fd, const char *path, uint64_t from, uint64_t to)
{
	size_t chunk = 1 << 20;
	unsigned char *buf;
	uint64_t off;
	int ret = 0;

	buf = malloc(chunk);
	if (!buf)
		return -ENOMEM;
	for (off = 0; off < chunk; off++)
		buf[off] = (unsigned char)(off * 131 + 7);
	if (to - from >= (64 << 20))
		fprintf(stderr, "aioring-bench: laying out %s (%llu MiB)\n", path,
			(unsigned long long)((to - from) >> 20));
	for (off = from; off < to && !ret; ) {
		size_t n = to - off < chunk ? (size_t)(to - off) : chunk;
		ssize_t w = pwrite(fd, buf, n, (off_t)off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			ret = w < 0 ? -errno : -EIO;
		else
			off += (uint64_t)w;
	}
	if (!ret && fsync(fd))
		ret = -errno;
	free(buf);
	return ret;
}

/* a missing regular file is created, written whole, when --size says how big */
static int target_create(const struct bench_opts *o, char *err, size_t len)
{
	int fd, ret;

	if (!o->size || !strncmp(o->target, "/dev/", 5)) {
		snprintf(err, len, "%s: %s%s", o->target, strerror(ENOENT),
			 strncmp(o->target, "/dev/", 5) ?
			 " (give --size to create a file)" : "");
		return EXIT_USAGE;
	}
	fd = open(o->target, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, len, "%s: cannot create: %s", o->target,
			 strerror(errno));
		return EXIT_USAGE;
	}
	ret = layout_file(fd, o->target, 0, o->size);
	close(fd);
	if (ret) {
		snprintf(err, len, "%s: cannot write it: %s", o->target,
			 strerror(-ret));
		unlink(o->target);
		return EXIT_USAGE;
	}
	return 0;
}

static int target_open(const struct bench_opts *o, struct target *t, char *err,
		       size_t len)
{
	int flags = (needs_write(o) ? O_RDWR : O_RDONLY) | O_CLOEXEC;
	uint64_t size;
	struct stat st;
	int ret;

	memset(t, 0, sizeof(*t));
	t->path = o->target;
	t->fd = -1;
	if (stat(o->target, &st)) {
		if (errno != ENOENT) {
			snprintf(err, len, "%s: %s", o->target, strerror(errno));
			return EXIT_USAGE;
		}
		ret = target_create(o, err, len);
		if (ret)
			return ret;
		if (stat(o->target, &st)) {
			snprintf(err, len, "%s: %s", o->target, strerror(errno));
			return EXIT_USAGE;
		}
	}
	if (!S_ISBLK(st.st_mode) && !S_ISREG(st.st_mode)) {
		snprintf(err, len, "%s: not a regular file or block device",
			 o->target);
		return EXIT_USAGE;
	}
	t->is_bdev = S_ISBLK(st.st_mode);
	if (!o->buffered)
		flags |= O_DIRECT;
	t->fd = open(o->target, flags);
	if (t->fd < 0) {
		int e = errno;

		if (e == EINVAL && !o->buffered) {
			snprintf(err, len,
				 "%s: the file system does not support O_DIRECT: use --buffered",
				 o->target);
			return EXIT_UNSUPPORTED;
		}
		snprintf(err, len, "%s: %s", o->target, strerror(e));
		return EXIT_USAGE;
	}
	if (t->is_bdev) {
		unsigned long long bytes = 0;

		if (ioctl(t->fd, BLKGETSIZE64, &bytes)) {
			snprintf(err, len, "%s: BLKGETSIZE64: %s", o->target,
				 strerror(errno));
			return EXIT_USAGE;
		}
		size = bytes;
		if (o->size > size) {
			snprintf(err, len, "%s: --size %llu is larger than the device (%llu bytes)",
				 o->target, (unsigned long long)o->size,
				 (unsigned long long)size);
			return EXIT_USAGE;
		}
	} else {
		size = (uint64_t)st.st_size;
		if (o->size > size) {
			/* extended with data, not with a hole */
			int wfd = needs_write(o) ?
				  open(o->target, O_WRONLY | O_CLOEXEC) : -1;
			int lret = wfd < 0 ? -EBADF :
				   layout_file(wfd, o->target, size, o->size);

			if (wfd >= 0)
				close(wfd);
			if (lret) {
				snprintf(err, len, "%s: only %llu bytes, --size is %llu",
					 o->target, (unsigned long long)size,
					 (unsigned long long)o->size);
				return EXIT_USAGE;
			}
			size = o->size;
		}
	}
	t->area = o->size ? o->size : size;
	t->area -= t->area % o->bs;
	if (!t->area) {
		snprintf(err, len, "%s: smaller than one block of %u bytes",
			 o->target, o->bs);
		return EXIT_USAGE;
	}
	if (!t->is_bdev && !needs_write(o) &&
	    (uint64_t)st.st_blocks * 512 < t->area)
		fprintf(stderr,
			"aioring-bench: %s has holes (%llu of %llu bytes allocated): reads of a hole do no IO; write the file first, or let --size create it\n",
			o->target, (unsigned long long)st.st_blocks * 512,
			(unsigned long long)t->area);
	t->io_poll = path_io_poll(o->target, NULL);
	return 0;
}

static void target_close(struct target *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

/* --polled needs poll queues under the target; 0 or EXIT_UNSUPPORTED */
static int polled_check(const struct target *t, char *why, size_t len)
{
	if (t->io_poll == 0) {
		snprintf(why, len,
			 "%s has no poll queues (queue/io_poll is 0 in sysfs): --polled cannot be used here; run without it",
			 t->is_bdev ? t->path : "the device under this file");
		return EXIT_UNSUPPORTED;
	}
	if (t->io_poll == -ENODEV) {
		snprintf(why, len,
			 "%s is not on a block device: --polled needs one with poll queues",
			 t->path);
		return EXIT_UNSUPPORTED;
	}
	return 0;	/* 1, or unknown: the kernel decides */
}

/* ------------------------------------------------------------------ */
/* Job                                                                 */

enum { PHASE_RUN, PHASE_WRITE, PHASE_READ };

struct runner {
	struct job j;
	const struct bench_opts *o;
	struct run_result *res;
	struct run_stats *st;
	unsigned int *free_slots, nfree;
	/* slots queued to the engine, oldest first: the kernel takes them in order */
	unsigned int *subq, subq_head, subq_len;
	void *bufs;
	size_t bufs_len;
	struct offgen gen;
	uint64_t nblocks, issued, limit, seed, rng;
	uint64_t start, deadline, last_tick;
	uint64_t ramp_end;		/* 0: no ramp, or it is over */
	uint64_t calls_base;		/* system calls of the ramp */
	struct rusage ru0;		/* CPU time at the start of the figures */
	struct run_stats tick_base;
	int phase, draining;
};

static void subq_push(struct runner *rn, unsigned int slot)
{
	rn->subq[(rn->subq_head + rn->subq_len++) % rn->j.nslots] = slot;
}

/* the kernel took the n oldest queued IOs now: their submission time */
static void subq_taken(struct runner *rn, unsigned int n, uint64_t now)
{
	while (n-- && rn->subq_len) {
		rn->j.io[rn->subq[rn->subq_head]].submit_ns = now;
		rn->subq_head = (rn->subq_head + 1) % rn->j.nslots;
		rn->subq_len--;
	}
}

static int can_issue(const struct runner *rn)
{
	return !rn->draining && rn->issued < rn->limit;
}

static void tick(struct runner *rn, uint64_t now)
{
	struct tick t;

	t.t = (now - rn->start) / 1e9;
	t.secs = (now - rn->last_tick) / 1e9;
	t.ios = rn->st->ios - rn->tick_base.ios;
	t.bytes = rn->st->bytes - rn->tick_base.bytes;
	t.calls = rn->j.calls - rn->calls_base - rn->tick_base.calls;
	t.cachehits = rn->st->cachehits - rn->tick_base.cachehits;
	t.inflight = rn->j.inflight;
	t.has_cachehit = rn->res->engine == ENG_AIORING;
	if (!rn->o->quiet && !rn->o->json)
		report_tick(stdout, &t);
	rn->tick_base.ios = rn->st->ios;
	rn->tick_base.bytes = rn->st->bytes;
	rn->tick_base.calls = rn->j.calls - rn->calls_base;
	rn->tick_base.cachehits = rn->st->cachehits;
	rn->last_tick = now;
}

/* for run_threads(): what this thread has done so far */
static void live_publish(struct runner *rn)
{
	struct live_stats *l = &rn->res->live;

	__atomic_store_n(&l->ios, rn->st->ios, __ATOMIC_RELAXED);
	__atomic_store_n(&l->bytes, rn->st->bytes, __ATOMIC_RELAXED);
	__atomic_store_n(&l->calls, rn->j.calls - rn->calls_base, __ATOMIC_RELAXED);
	__atomic_store_n(&l->cachehits, rn->st->cachehits, __ATOMIC_RELAXED);
	__atomic_store_n(&l->inflight, rn->j.inflight, __ATOMIC_RELAXED);
}

/* time limit, SIGINT, the turn from writing to reading, the second line */
static void clock_step(struct runner *rn)
{
	uint64_t now = now_ns();

	if (rn->o->threads > 1)
		live_publish(rn);

	if (rn->ramp_end && now >= rn->ramp_end) {
		/* the figures start now: what the ramp did is not counted */
		stats_init(rn->st);
		memset(&rn->tick_base, 0, sizeof(rn->tick_base));
		rn->calls_base = rn->j.calls;
		rn->start = rn->last_tick = now;
		getrusage(RUSAGE_SELF, &rn->ru0);
		rn->ramp_end = 0;
	}
	if (rn->deadline && now >= rn->deadline)
		rn->draining = 1;
	if (interrupted && !rn->draining) {
		rn->draining = 1;
		rn->res->interrupted = 1;
	}
	if (rn->phase == PHASE_WRITE && rn->issued == rn->limit &&
	    !rn->j.inflight && !rn->j.queued) {
		rn->phase = PHASE_READ;
		rn->issued = 0;
		offgen_init(&rn->gen, rn->nblocks, rn->o->rw >= RW_RANDREAD, 1,
			    rn->seed + 1);
	}
	if (now - rn->last_tick >= 1000000000ULL)
		tick(rn, now);
}

static unsigned int io_prep(struct runner *rn)
{
	const struct bench_opts *o = rn->o;
	unsigned int slot = rn->free_slots[--rn->nfree];
	struct io_unit *u = &rn->j.io[slot];

	if (rn->phase != PHASE_RUN)
		u->write = rn->phase == PHASE_WRITE;
	else if (o->rw == RW_RANDRW)
		u->write = rng_next(&rn->rng) % 100 >= o->rwmix_read;
	else
		u->write = o->rw == RW_WRITE || o->rw == RW_RANDWRITE;
	u->off = offgen_next(&rn->gen) * o->bs;
	u->len = o->bs;
	if (u->write && o->verify)
		pattern_fill(u->buf, u->len, u->off, rn->seed);
	u->start_ns = now_ns();
	rn->issued++;
	return slot;
}

/* record the first failure of the run; the run goes on */
__attribute__((format(printf, 3, 4)))
static void set_status(struct runner *rn, int status, const char *fmt, ...)
{
	va_list ap;

	if (rn->res->status)
		return;		/* keep the first reason */
	rn->res->status = status;
	va_start(ap, fmt);
	vsnprintf(rn->res->message, sizeof(rn->res->message), fmt, ap);
	va_end(ap);
}

/* a failure that ends the run: no more IO is issued */
#define fail_run(rn, ...)			\
	do {					\
		(rn)->draining = 1;		\
		set_status((rn), __VA_ARGS__);	\
	} while (0)

static void verify_block(struct runner *rn, const struct io_unit *u)
{
	long bad = pattern_check(u->buf, u->len, u->off, rn->seed);

	rn->st->verify_blocks++;
	if (bad < 0)
		return;
	if (rn->st->verify_errors++ < 5)
		error_msg("verify: block at offset %llu differs from byte %ld on",
			  (unsigned long long)u->off, bad);
	/* the rest of the area is still checked */
	set_status(rn, EXIT_IOERR, "verify: data read back differs from what was written");
}

static void io_complete(struct runner *rn, const struct io_done *d)
{
	struct job *j = &rn->j;
	struct dir_stats *ds;
	struct io_unit *u;
	uint64_t now;

	if (d->slot >= j->depth) {
		fail_run(rn, EXIT_IOERR, "completion for unknown IO slot %u", d->slot);
		return;
	}
	u = &j->io[d->slot];
	j->inflight--;
	if (d->res == -EAGAIN) {	/* polled IO may be asked to retry */
		rn->st->eagain++;
		j->e->queue(j, d->slot);
		subq_push(rn, d->slot);
		j->queued++;
		return;
	}
	rn->free_slots[rn->nfree++] = d->slot;
	if (d->res != (int)u->len) {
		const char *op = u->write ? "write" : "read";

		if (d->res >= 0)
			fail_run(rn, EXIT_IOERR, "short %s at offset %llu: %d of %u bytes",
				 op, (unsigned long long)u->off, d->res, u->len);
		else
			fail_run(rn, d->res == -EOPNOTSUPP ? EXIT_UNSUPPORTED : EXIT_IOERR,
				 "%s at offset %llu failed: %s%s", op,
				 (unsigned long long)u->off, strerror(-d->res),
				 d->res == -EOPNOTSUPP && rn->o->polled ?
				 " (no polled IO on this file)" : "");
		return;
	}
	now = now_ns();
	ds = &rn->st->dir[u->write ? DIR_WRITE : DIR_READ];
	if (u->submit_ns < u->start_ns)	/* not seen taken (engine quirk) */
		u->submit_ns = u->start_ns;
	lat_add(&rn->st->lat, now - u->start_ns);
	lat_add(&ds->lat, now - u->start_ns);
	lat_add(&ds->slat, u->submit_ns - u->start_ns);
	lat_add(&ds->clat, now - u->submit_ns);
	ds->ios++;
	ds->bytes += u->len;
	if (!u->write)
		ds->cachehits += d->cachehit;
	rn->st->ios++;
	rn->st->bytes += u->len;
	if (u->write) {
		rn->st->writes++;
	} else {
		rn->st->reads++;
		rn->st->cachehits += d->cachehit;
		if (rn->o->verify)
			verify_block(rn, u);
	}
}

static void submit_error(struct runner *rn, int ret)
{
	if (ret == -EOPNOTSUPP)
		fail_run(rn, EXIT_UNSUPPORTED, "%s: submit: %s%s", rn->o->target,
			 strerror(-ret), rn->o->polled ?
			 " (polled IO is not supported on this file)" : "");
	else
		fail_run(rn, EXIT_IOERR, "%s: submit: %s", rn->o->target,
			 strerror(-ret));
}

/* The hot loop: prep, submit, reap. */
static void run_loop(struct runner *rn)
{
	const struct bench_opts *o = rn->o;
	struct job *j = &rn->j;
	struct io_done done[64];
	unsigned int n, i, wait;
	int ret;

	for (;;) {
		clock_step(rn);
		if (!can_issue(rn) && !j->inflight && !j->queued)
			break;

		/* prep */
		for (n = 0; n < o->batch_submit && rn->nfree && can_issue(rn); n++) {
			unsigned int slot = io_prep(rn);

			j->e->queue(j, slot);
			subq_push(rn, slot);
		}
		j->queued += n;

		/* submit; wait for completions only when no more can be prepped */
		wait = rn->nfree && can_issue(rn) ? 0 :
		       min_u(j->inflight + j->queued, o->batch_complete);
		ret = j->e->submit(j, wait);
		if (ret < 0 && ret != -EAGAIN && ret != -EINTR) {
			submit_error(rn, ret);
			break;
		}
		if (ret > 0) {
			ret = min_u((unsigned int)ret, j->queued);
			subq_taken(rn, (unsigned int)ret, now_ns());
			j->queued -= ret;
			j->inflight += ret;
		}

		/* reap */
		while ((n = j->e->reap(j, done, ARRAY_SIZE(done))))
			for (i = 0; i < n; i++)
				io_complete(rn, &done[i]);
	}
}

static int runner_init(struct runner *rn, const struct bench_opts *o,
		       enum engine_id e, const struct target *t,
		       struct run_result *res)
{
	size_t slot_len = (o->bs + 4095) & ~(size_t)4095;
	unsigned int i;

	memset(rn, 0, sizeof(*rn));
	rn->o = o;
	rn->res = res;
	rn->st = &res->st;
	rn->j.o = o;
	rn->j.e = engines[e];
	rn->j.fd = t->fd;
	rn->j.path = t->path;
	rn->j.depth = e == ENG_PSYNC ? 1 : o->depth;
	rn->j.nslots = rn->j.depth + 1;
	res->depth = rn->j.depth;

	rn->bufs_len = slot_len * rn->j.nslots;
	rn->bufs = mmap(NULL, rn->bufs_len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	rn->j.io = calloc(rn->j.nslots, sizeof(*rn->j.io));
	rn->free_slots = calloc(rn->j.nslots, sizeof(*rn->free_slots));
	rn->subq = calloc(rn->j.nslots, sizeof(*rn->subq));
	if (rn->bufs == MAP_FAILED || !rn->j.io || !rn->free_slots || !rn->subq) {
		if (rn->bufs == MAP_FAILED)
			rn->bufs = NULL;
		snprintf(res->message, sizeof(res->message), "out of memory");
		return EXIT_IOERR;
	}
	rn->seed = ((uint64_t)getpid() << 32) ^ now_ns();
	rn->rng = rn->seed;
	for (i = 0; i < rn->j.nslots; i++) {
		rn->j.io[i].buf = (char *)rn->bufs + i * slot_len;
		if (needs_write(o) && !o->verify)
			pattern_fill(rn->j.io[i].buf, o->bs, i * (uint64_t)o->bs,
				     rn->seed);
	}
	for (i = 0; i < rn->j.depth; i++)
		rn->free_slots[rn->nfree++] = rn->j.depth - 1 - i;

	rn->nblocks = t->area / o->bs;
	if (o->verify) {
		rn->phase = PHASE_WRITE;
		rn->limit = o->ios && o->ios < rn->nblocks ? o->ios : rn->nblocks;
		rn->nblocks = rn->limit;
	} else {
		rn->phase = PHASE_RUN;
		rn->limit = o->ios ? o->ios : UINT64_MAX;
	}
	offgen_init(&rn->gen, rn->nblocks, o->rw >= RW_RANDREAD, o->verify,
		    rn->seed);
	return 0;
}

static void runner_free(struct runner *rn)
{
	if (rn->bufs)
		munmap(rn->bufs, rn->bufs_len);
	free(rn->j.io);
	free(rn->free_slots);
	free(rn->subq);
}

static uint64_t tv_ns(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000000ULL + (uint64_t)tv->tv_usec * 1000;
}

/* One engine on the open target; the outcome is in *res. */
static void run_one(const struct bench_opts *o, enum engine_id e,
		    const struct target *t, struct run_result *res)
{
	struct rusage ru1;
	struct runner rn;
	int ret;

	memset(res, 0, sizeof(*res));
	res->o = o;
	res->engine = e;
	stats_init(&res->st);

	ret = opts_mode_check(o, e, res->message, sizeof(res->message));
	if (!ret && o->polled)
		ret = polled_check(t, res->message, sizeof(res->message));
	if (ret) {
		res->status = ret;
		return;
	}
	ret = runner_init(&rn, o, e, t, res);
	if (ret) {
		res->status = ret;
		runner_free(&rn);
		return;
	}
	ret = rn.j.e->setup(&rn.j);
	snprintf(res->flags, sizeof(res->flags), "%s", rn.j.flags);
	if (ret) {
		res->status = ret;
		snprintf(res->message, sizeof(res->message), "%s", rn.j.err);
		runner_free(&rn);
		return;
	}

	getrusage(RUSAGE_SELF, &rn.ru0);
	rn.start = rn.last_tick = now_ns();
	if (o->ramp > 0)
		rn.ramp_end = rn.start + (uint64_t)(o->ramp * 1e9);
	if (o->runtime > 0 && !o->verify)
		rn.deadline = rn.start + (uint64_t)((o->ramp + o->runtime) * 1e9);
	run_loop(&rn);
	res->st.elapsed_ns = now_ns() - rn.start;
	res->st.calls = rn.j.calls - rn.calls_base;
	rn.j.e->cleanup(&rn.j);		/* waits for IO still in flight */
	getrusage(RUSAGE_SELF, &ru1);
	res->st.cpu_user_ns = tv_ns(&ru1.ru_utime) - tv_ns(&rn.ru0.ru_utime);
	res->st.cpu_sys_ns = tv_ns(&ru1.ru_stime) - tv_ns(&rn.ru0.ru_stime);
	if (o->verify && !res->status && !res->interrupted &&
	    res->st.verify_blocks != rn.limit)
		fail_run(&rn, EXIT_IOERR, "verify: %llu of %llu blocks read back",
			 (unsigned long long)res->st.verify_blocks,
			 (unsigned long long)rn.limit);
	runner_free(&rn);
}

static void install_sigint(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sa.sa_flags = SA_RESETHAND;	/* a second ^C ends the program */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
}

/* ------------------------------------------------------------------ */
/* Several threads (-n)                                                */

struct worker {
	pthread_t tid;
	struct bench_opts o;		/* o.target: this thread's */
	const struct target *t;
	int cpu;			/* pinned to it, -1: not pinned */
	int pinned;
	int done;
	struct run_result res;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	cpu_set_t set;

	if (w->cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(w->cpu, &set);
		w->pinned = !pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	}
	run_one(&w->o, w->o.engine, w->t, &w->res);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* the CPUs this process may run on, in order; how many */
static int allowed_cpus(int *cpus, int max)
{
	cpu_set_t set;
	int cpu, n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 0;
	for (cpu = 0; cpu < CPU_SETSIZE && n < max; cpu++)
		if (CPU_ISSET(cpu, &set))
			cpus[n++] = cpu;
	return n;
}

/* the per-second line of all threads together, until every one is done */
static void watch_workers(const struct bench_opts *o, struct worker *w,
			  unsigned int n)
{
	uint64_t start = now_ns(), last = start, base[4] = { 0 };
	unsigned int i, running;
	struct tick t;

	do {
		struct timespec ts = { 0, 50 * 1000000L };
		uint64_t sum[4] = { 0 }, now;

		nanosleep(&ts, NULL);
		now = now_ns();
		running = 0;
		for (i = 0; i < n; i++)
			running += !__atomic_load_n(&w[i].done, __ATOMIC_ACQUIRE);
		if (!running || now - last < 1000000000ULL)
			continue;
		memset(&t, 0, sizeof(t));
		for (i = 0; i < n; i++) {
			const struct live_stats *l = &w[i].res.live;

			sum[0] += __atomic_load_n(&l->ios, __ATOMIC_RELAXED);
			sum[1] += __atomic_load_n(&l->bytes, __ATOMIC_RELAXED);
			sum[2] += __atomic_load_n(&l->calls, __ATOMIC_RELAXED);
			sum[3] += __atomic_load_n(&l->cachehits, __ATOMIC_RELAXED);
			t.inflight += __atomic_load_n(&l->inflight, __ATOMIC_RELAXED);
		}
		t.t = (now - start) / 1e9;
		t.secs = (now - last) / 1e9;
		t.ios = sum[0] - base[0];
		t.bytes = sum[1] - base[1];
		t.calls = sum[2] - base[2];
		t.cachehits = sum[3] - base[3];
		t.has_cachehit = o->engine == ENG_AIORING;
		if (!o->quiet && !o->json)
			report_tick(stdout, &t);
		memcpy(base, sum, sizeof(base));
		last = now;
	} while (running);
}

/* the threads' results as one: counters added, the first failure kept */
static void merge_workers(struct run_result *all, const struct bench_opts *mo,
			  const struct worker *w, unsigned int n)
{
	unsigned int i;

	memset(all, 0, sizeof(*all));
	all->o = mo;
	all->engine = mo->engine;
	all->depth = w[0].res.depth;
	all->threads = n;
	snprintf(all->flags, sizeof(all->flags), "%s", w[0].res.flags);
	stats_init(&all->st);
	for (i = 0; i < n; i++) {
		const struct run_result *r = &w[i].res;

		stats_merge(&all->st, &r->st);
		all->interrupted |= r->interrupted;
		if (r->status && !all->status) {
			all->status = r->status;
			snprintf(all->message, sizeof(all->message),
				 "thread %u (%s): %s", i, w[i].o.target, r->message);
		}
	}
}

static void report_workers(FILE *f, const struct worker *w, unsigned int n)
{
	unsigned int i;
	char a[32];

	for (i = 0; i < n; i++) {
		const struct run_result *r = &w[i].res;

		fprintf(f, "thread %u on CPU %d%s: %s, %s IOPS, %llu IOs%s%s\n", i,
			w[i].cpu, w[i].pinned ? "" : " (not pinned)", w[i].o.target,
			fmt_count(a, sizeof(a), result_iops(r)),
			(unsigned long long)r->st.ios, r->status ? ", " : "",
			r->status ? r->message : "");
	}
}

static int run_threads(const struct bench_opts *o)
{
	struct target t[MAX_TARGETS];
	static int cpus[CPU_SETSIZE];
	struct bench_opts mo = *o;
	struct rusage ru0, ru1;
	struct run_result *all;
	struct worker *w;
	char err[512], names[512] = "";
	unsigned int i, k, started = 0, failed = 0;
	int ncpu, ret = 0;

	for (k = 0; k < o->ntargets; k++)
		t[k].fd = -1;
	for (k = 0; k < o->ntargets && !ret; k++) {
		struct bench_opts to = *o;

		to.target = o->targets[k];
		ret = target_open(&to, &t[k], err, sizeof(err));
		if (ret)
			error_msg("%s", err);
		snprintf(names + strlen(names), sizeof(names) - strlen(names),
			 "%s%s", k ? " " : "", o->targets[k]);
	}
	w = ret ? NULL : calloc(o->threads, sizeof(*w));
	all = ret ? NULL : calloc(1, sizeof(*all));
	if (!ret && (!w || !all)) {
		error_msg("out of memory");
		ret = EXIT_IOERR;
	}
	if (ret)
		goto out;

	ncpu = allowed_cpus(cpus, CPU_SETSIZE);
	for (i = 0; i < o->threads; i++) {
		w[i].o = *o;
		w[i].o.target = o->targets[i % o->ntargets];
		w[i].o.quiet = 1;	/* the per-second line is for all */
		if (o->sqthread)	/* not the thread's own CPU once pinned */
			w[i].o.sq_cpu = bench_sq_cpu(o);
		w[i].t = &t[i % o->ntargets];
		w[i].cpu = ncpu ? cpus[i % ncpu] : -1;
	}
	install_sigint();
	getrusage(RUSAGE_SELF, &ru0);
	for (i = 0; i < o->threads; i++, started++) {
		int rc = pthread_create(&w[i].tid, NULL, worker_main, &w[i]);

		if (rc) {
			error_msg("cannot start thread %u: %s", i, strerror(rc));
			interrupted = 1;	/* the others stop early */
			failed = 1;
			break;
		}
	}
	watch_workers(o, w, started);
	for (i = 0; i < started; i++)
		pthread_join(w[i].tid, NULL);
	getrusage(RUSAGE_SELF, &ru1);

	mo.target = names;
	merge_workers(all, &mo, w, started);
	/* the process: SQ threads and workers included, as with one thread */
	all->st.cpu_user_ns = tv_ns(&ru1.ru_utime) - tv_ns(&ru0.ru_utime);
	all->st.cpu_sys_ns = tv_ns(&ru1.ru_stime) - tv_ns(&ru0.ru_stime);
	if (failed) {
		ret = EXIT_IOERR;
	} else if (all->status && !all->st.ios && !all->st.elapsed_ns) {
		error_msg("%s", all->message);	/* none ran at all */
		ret = all->status;
		goto out;
	}
	if (o->json) {
		report_json_doc(stdout, all, 1);
	} else {
		report_workers(stdout, w, started);
		report_text(stdout, all);
	}
	if (all->status)
		error_msg("%s", all->message);
	if (!ret)
		ret = all->status;
out:
	for (k = 0; k < o->ntargets; k++)
		target_close(&t[k]);
	free(w);
	free(all);
	return ret;
}

static int run_compare(const struct bench_opts *o, const struct target *t)
{
	struct run_result res[ENG_NR];
	int e, n = 0, status = 0;

	for (e = 0; e < ENG_NR && !interrupted; e++, n++) {
		if (!o->json && !o->quiet)
			printf("--- %s\n", engine_name(e));
		run_one(o, e, t, &res[n]);
		if (!o->json) {
			if (res[n].status && !res[n].st.ios)
				printf("%s: n/a: %s\n", engine_name(e), res[n].message);
			else
				report_text(stdout, &res[n]);
		}
		/* an engine that cannot run here is a row, not a failure */
		if (res[n].status == EXIT_IOERR && res[n].st.ios)
			status = EXIT_IOERR;
	}
	if (o->json)
		report_json_doc(stdout, res, n);
	else
		report_compare(stdout, res, n);
	return status;
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	struct run_result res;
	struct target t;
	char err[512];
	int ret;

	ret = opts_parse(&o, argc, argv, err, sizeof(err));
	if (ret > 0)
		return 0;
	if (ret < 0) {
		error_msg("%s", err);
		fputs("Try 'aioring-bench --help'.\n", stderr);
		return EXIT_USAGE;
	}
	if (o.probe)
		return bench_probe_print(&o);
	/* a mode the engine cannot do is refused before the target is touched */
	if (!o.compare) {
		ret = opts_mode_check(&o, o.engine, err, sizeof(err));
		if (!ret)
			ret = bench_kernel_check(&o, err, sizeof(err));
		if (ret) {
			error_msg("%s", err);
			return ret;
		}
	}

	if (o.threads > 1 || o.ntargets > 1)
		return run_threads(&o);

	ret = target_open(&o, &t, err, sizeof(err));
	if (ret) {
		error_msg("%s", err);
		target_close(&t);
		return ret;
	}
	install_sigint();
	if (o.compare) {
		ret = run_compare(&o, &t);
		target_close(&t);
		return ret;
	}

	run_one(&o, o.engine, &t, &res);
	target_close(&t);
	if (res.status && !res.st.ios && !res.st.elapsed_ns) {
		/* did not run at all */
		error_msg("%s", res.message);
		return res.status;
	}
	if (o.json)
		report_json_doc(stdout, &res, 1);
	else
		report_text(stdout, &res);
	if (res.status)
		error_msg("%s", res.message);
	return res.status;
}
