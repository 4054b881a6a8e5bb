/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the aio-ring ABI suite (tests/abi) on top of tests/lib
 * (ring.h: contexts and the v9 ring protocol; target.h: the O_DIRECT
 * targets of the test VM; pattern.h, sysfs.h, tasks.h, watchdog.h):
 * scratch files, a synchronous check of written data, and one
 * read/write engine used by the data-path programs.
 */
#ifndef AIORING_ABI_RING_UTIL_H
#define AIORING_ABI_RING_UTIL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <linux/fs.h>

#include "aioring.h"
#include "aio_syscalls.h"
#include "iocb.h"
#include "mem.h"
#include "pattern.h"
#include "ring.h"
#include "sysfs.h"
#include "tap.h"
#include "target.h"
#include "tasks.h"
#include "test_util.h"
#include "watchdog.h"

#define RING_BS		4096u		/* every data-path IO is 4 KiB */

/*
 * What a non-blocking eventfd counted and not yet read, after 50 ms for
 * completions still on their way; 0 when nothing.
 */
static inline uint64_t eventfd_rest(int efd)
{
	uint64_t v = 0;

	ms_sleep(50);
	if (read(efd, &v, 8) != 8)
		return 0;
	return v;
}

/*
 * An unlinked scratch file "NAME-PID" in $TMPDIR (or /tmp), size bytes
 * long when size is not 0; bails out when it cannot be made.
 */
static inline int scratch_file(const char *name, off_t size)
{
	const char *dir = getenv("TMPDIR");
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s-%d", dir && *dir ? dir : "/tmp",
		 name, (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		bail_out("create %s", path);
	unlink(path);
	if (size && ftruncate(fd, size))
		bail_out("ftruncate %s", path);
	return fd;
}


/* Synchronous O_DIRECT check of nblocks blocks at base against the pattern. */
static inline long verify_sync(int fd, uint64_t base, unsigned int nblocks,
			       uint64_t seed)
{
	size_t len = (size_t)nblocks * RING_BS;
	uint8_t *buf = map_pages(len);
	long bad = -1;
	ssize_t r = pread(fd, buf, len, (off_t)base);

	if (r != (ssize_t)len) {
		diag("synchronous pread of %zu bytes at %llu returned %zd (%s)",
		     len, (unsigned long long)base, r, r < 0 ? strerror(errno) : "short");
		bad = 0;
	} else {
		bad = pattern_check(buf, len, base, seed);
		if (bad >= 0)
			diag("synchronous pread: first wrong byte at offset %llu",
			     (unsigned long long)(base + bad));
	}
	unmap_pages(buf, len);
	return bad;
}

/* ------------------------------------------------------------------ */
/* The read/write engine                                               */

/*
 * A pass of nblocks 4 KiB IOs, all writes or all reads, at offsets
 * base + perm(i) * 4 KiB (perm a permutation of 0..nblocks-1 chosen by
 * mult), with up to depth in flight.  Writes carry the pattern of their
 * offset; reads are compared with it.  With rings (r->sq) the SQ/CQ
 * protocol is used with io_ring_enter(SUBMIT|GETEVENTS); without, the
 * iocbs are submitted with io_submit and reaped with io_getevents.
 */
struct rw_pass {
	/* input */
	int fd;
	int write;
	unsigned int nblocks;
	uint64_t base;
	uint64_t seed;
	unsigned int depth;
	unsigned int mult;		/* offset permutation, 0: in order */
	unsigned int aio_flags;		/* IOCB_FLAG_HIPRI for IOPOLL */
	unsigned int min_complete;	/* per call, 0 means 1 */
	int vary;			/* vary the batch sizes */
	int timeout_s;			/* whole pass, 0 means 20 */
	uint32_t tag;
	/* output */
	unsigned long submitted, completed, calls, eagain, short_submit;
	unsigned long bad_event, bad_obj, bad_res, bad_res2, bad_data;
	unsigned long bad_ret, bad_index, bad_min;
	int timed_out, err;
	int rings;			/* ran on SQ/CQ rings */
};

static const unsigned int rw_vary_sizes[] = { 1, 3, 7, 2, 31, 5, 16, 13, 4, 9 };

static inline unsigned int gcd_u(unsigned int a, unsigned int b)
{
	while (b) {
		unsigned int t = a % b;

		a = b;
		b = t;
	}
	return a;
}

static inline unsigned int rw_block(const struct rw_pass *p, unsigned int i)
{
	unsigned int m = p->mult;

	if (!m || p->nblocks < 2)
		return i;
	while (gcd_u(m, p->nblocks) != 1)
		m++;	/* keep it a permutation */
	return (unsigned int)(((uint64_t)i * m + 3) % p->nblocks);
}

struct rw_op {
	unsigned int slot;
	unsigned char done;
};

/* Check one event; frees its slot.  Returns 1 when it named a live op. */
static inline int rw_check_event(struct ring *r, struct rw_pass *p,
				 struct rw_op *ops, unsigned int nqueued,
				 const struct io_event *ev, uint8_t *bufs,
				 unsigned int *free_slots, unsigned int *nfree)
{
	uint64_t idx = ev->data & 0xffffffffULL;
	uint64_t want_obj;
	struct rw_op *op;

	if ((ev->data >> 32) != p->tag || idx >= nqueued || ops[idx].done) {
		if (!p->bad_event++)
			diag("event with data %#llx obj %#llx res %lld: no such IO in flight",
			     (unsigned long long)ev->data,
			     (unsigned long long)ev->obj, (long long)ev->res);
		return 0;
	}
	op = &ops[idx];
	op->done = 1;
	p->completed++;
	want_obj = r->sq ? op->slot : (uint64_t)(uintptr_t)&r->iocbs[op->slot];
	if (ev->obj != want_obj && !p->bad_obj++)
		diag("IO %llu: event obj %#llx, expected %#llx",
		     (unsigned long long)idx, (unsigned long long)ev->obj,
		     (unsigned long long)want_obj);
	if (ev->res != RING_BS && !p->bad_res++)
		diag("IO %llu (offset %llu): res %lld, expected %u",
		     (unsigned long long)idx,
		     (unsigned long long)(p->base + (uint64_t)rw_block(p, idx) * RING_BS),
		     (long long)ev->res, RING_BS);
	if (ev->res2 != 0 && !p->bad_res2++)
		diag("IO %llu: res2 %lld", (unsigned long long)idx,
		     (long long)ev->res2);
	if (!p->write && ev->res == RING_BS) {
		uint64_t off = p->base + (uint64_t)rw_block(p, idx) * RING_BS;
		long bad = pattern_check(bufs + (size_t)op->slot * RING_BS,
					 RING_BS, off, p->seed);

		if (bad >= 0 && !p->bad_data++)
			diag("read of offset %llu: first wrong byte at %llu",
			     (unsigned long long)off,
			     (unsigned long long)(off + bad));
	}
	free_slots[(*nfree)++] = op->slot;
	return 1;
}

/* After two passes timed out, later passes fail at once (bounded runtime). */
static int rw_passes_timed_out;

static inline void rw_pass_run(struct ring *r, struct rw_pass *p)
{
	unsigned int n = r->n, nfree = 0, next = 0, queued = 0, inflight = 0;
	unsigned int depth = p->depth, vi = 0, i;
	unsigned int *free_slots = calloc(n, sizeof(*free_slots));
	struct rw_op *ops = calloc(p->nblocks ? p->nblocks : 1, sizeof(*ops));
	uint8_t *bufs = map_pages((size_t)n * RING_BS);
	struct io_event *evs = calloc(n * 2, sizeof(*evs));
	struct iocb **ptrs = calloc(n, sizeof(*ptrs));
	int64_t deadline;

	if (!free_slots || !ops || !evs || !ptrs)
		bail_out("calloc");
	p->rings = r->sq != NULL;
	if (rw_passes_timed_out >= 2) {
		diag("pass not run: two earlier passes timed out");
		p->timed_out = 1;
		unmap_pages(bufs, (size_t)n * RING_BS);
		free(free_slots);
		free(ops);
		free(evs);
		free(ptrs);
		return;
	}
	if (r->sq && depth > n - 1)
		depth = n - 1;
	if (!r->sq && depth > n)
		depth = n;
	for (i = n; i-- > 0;)
		free_slots[nfree++] = i;
	if (!p->timeout_s)
		p->timeout_s = 20;
	deadline = now_ns() + (int64_t)p->timeout_s * 1000000000LL;
	watchdog_arm(p->timeout_s + 2);

	while (p->completed < p->nblocks) {
		unsigned int room, k, to_submit, flags = 0, min, old_head = 0;
		long ret;
		int e;

		if (watchdog_fired || now_ns() > deadline) {
			p->timed_out = 1;
			break;
		}
		/* prep */
		room = depth - inflight - queued;
		if (room > p->nblocks - next)
			room = p->nblocks - next;
		if (room > nfree)
			room = nfree;
		if (r->sq && room > sq_space(r))
			room = sq_space(r);
		if (p->vary && room > rw_vary_sizes[vi % 10])
			room = rw_vary_sizes[vi % 10];
		vi++;
		for (k = 0; k < room; k++) {
			unsigned int op = next++;
			unsigned int slot = free_slots[--nfree];
			uint64_t off = p->base + (uint64_t)rw_block(p, op) * RING_BS;
			uint8_t *buf = bufs + (size_t)slot * RING_BS;

			ops[op].slot = slot;
			if (p->write)
				pattern_fill(buf, RING_BS, off, p->seed);
			else
				memset(buf, 0xa5, RING_BS);
			iocb_prep(&r->iocbs[slot],
				  p->write ? IOCB_CMD_PWRITE : IOCB_CMD_PREAD,
				  p->fd, buf, RING_BS, off, AIO_DATA(p->tag, op),
				  p->aio_flags);
			if (r->sq)
				sq_push(r, slot);
			else
				ptrs[queued] = &r->iocbs[slot];
			queued++;
		}

		/* submit and wait */
		to_submit = queued;
		min = p->min_complete ? p->min_complete : 1;
		if (min > inflight + queued)
			min = inflight + queued;
		p->calls++;
		if (!r->sq) {
			unsigned int got;

			if (queued) {
				ret = sys_io_submit(r->ctx, queued, ptrs);
				e = errno;
				if (ret < 0 && e != EAGAIN) {
					p->err = e;
					diag("io_submit(%u): %s", queued, strerror(e));
					break;
				}
				if (ret < 0) {
					p->eagain++;
					ret = 0;
				}
				if ((unsigned long)ret > queued) {
					p->bad_ret++;
					ret = queued;
				}
				if ((unsigned int)ret < queued)
					p->short_submit++;
				memmove(ptrs, ptrs + ret, (queued - ret) * sizeof(*ptrs));
				queued -= ret;
				inflight += ret;
				p->submitted += ret;
			}
			if (!inflight)
				continue;
			ret = sys_io_getevents(r->ctx, min ? min : 1, inflight,
					       evs, NULL);
			if (ret < 0) {
				if (errno == EINTR || errno == EAGAIN)
					continue;
				p->err = errno;
				diag("io_getevents: %s", strerror(errno));
				break;
			}
			for (got = 0; got < ret; got++)
				if (rw_check_event(r, p, ops, next, &evs[got],
						   bufs, free_slots, &nfree))
					inflight--;
			continue;
		}

		if (to_submit)
			flags |= IORING_FLAG_SUBMIT;
		if (inflight + queued)
			flags |= IORING_FLAG_GETEVENTS;
		old_head = sq_head(r);
		ret = ring_enter(r, to_submit, min, flags);
		e = errno;
		k = (sq_head(r) + n - old_head) % n;	/* consumed */
		if (ret < 0) {
			if (e == EINTR && watchdog_fired) {
				p->timed_out = 1;
				break;
			}
			if (e != EAGAIN && e != EINTR) {
				p->err = e;
				diag("io_ring_enter(%u, %u, %#x): %s", to_submit,
				     min, flags, strerror(e));
				break;
			}
			if (e == EAGAIN)
				p->eagain++;
			if (k && !p->bad_ret++)
				diag("io_ring_enter failed (%s) but consumed %u SQ entries",
				     strerror(e), k);
		} else if (flags & IORING_FLAG_SUBMIT) {
			if ((unsigned long)ret != k && !p->bad_ret++)
				diag("io_ring_enter(SUBMIT %u) returned %ld, consumed %u entries",
				     to_submit, ret, k);
			if ((unsigned long)ret < to_submit)
				p->short_submit++;
		} else if (ret != 0 && !p->bad_ret++) {
			diag("io_ring_enter(GETEVENTS) returned %ld, expected 0", ret);
		}
		if (k > queued)
			k = queued;
		queued -= k;
		inflight += k;
		p->submitted += k;
		/*
		 * The CQ was empty before the call: GETEVENTS must return
		 * with at least min(min_complete, in flight) events in it.
		 */
		if (ret >= 0 && (flags & IORING_FLAG_GETEVENTS)) {
			unsigned int want = p->min_complete ? p->min_complete : 1;

			if (want > inflight)
				want = inflight;
			if (cq_count(r) < want && !p->bad_min++)
				diag("GETEVENTS min %u returned with %u events in the CQ, %u in flight",
				     want, cq_count(r), inflight);
		}
		if (!ring_indexes_sane(r) && !p->bad_index++)
			diag("ring indexes out of range: sq %u/%u cq %u/%u (N %u)",
			     sq_head(r), sq_tail(r), cq_head(r), cq_tail(r), n);
		/* reap */
		{
			struct io_event ev;

			while (cq_pop(r, &ev))
				if (rw_check_event(r, p, ops, next, &ev, bufs,
						   free_slots, &nfree))
					inflight--;
		}
	}
	watchdog_disarm();
	if (p->timed_out)
		rw_passes_timed_out++;
	if (p->timed_out)
		diag("pass timed out after %d s: %lu of %u IOs completed, %u in flight, %u queued",
		     p->timeout_s, p->completed, p->nblocks, inflight, queued);
	/*
	 * With IO still in flight the buffers must outlive it: leak them
	 * (the caller destroys the context, which waits for the IO).
	 */
	if (!inflight)
		unmap_pages(bufs, (size_t)n * RING_BS);
	free(free_slots);
	free(ops);
	free(evs);
	free(ptrs);
}

/*
 * The assertions of one pass; returns 1 when all hold.
 */
static inline int rw_pass_report(const struct rw_pass *p, const char *what)
{
	int all = 1;
	const char *kind = p->write ? "writes" : "reads";

	all &= ok(p->completed == p->nblocks && !p->bad_event && !p->timed_out &&
		  !p->err,
		  "%s: %u %s completed exactly once (%lu completed, %lu stray, %lu calls%s)",
		  what, p->nblocks, kind, p->completed, p->bad_event, p->calls,
		  p->timed_out ? ", timed out" : "");
	all &= ok(p->completed && !p->bad_obj && !p->bad_res && !p->bad_res2,
		  "%s: events carry aio_data, obj = %s, res = %u, res2 = 0",
		  what, p->rings ? "the iocb index" : "the iocb pointer", RING_BS);
	all &= ok(!p->bad_ret && !p->bad_index,
		  "%s: return values count SQ entries consumed, indexes in range",
		  what);
	if (p->rings)
		all &= ok(!p->bad_min,
			  "%s: GETEVENTS returned with min(min_complete, in flight) events in the CQ",
			  what);
	if (!p->write)
		all &= ok(p->completed == p->nblocks && !p->bad_data,
			  "%s: every block read back matches its pattern", what);
	if (p->eagain || p->short_submit)
		diag("%s: %lu EAGAIN, %lu short submits", what, p->eagain,
		     p->short_submit);
	return all;
}

/*
 * Write nblocks at base then read them back (both passes through ctx r
 * with the given depth and aio_flags), plus a synchronous O_DIRECT check
 * of the written data in between.  Returns 1 when all checks held.
 */
static inline int rw_write_read(struct ring *r, int fd, uint64_t base,
				unsigned int nblocks, unsigned int depth,
				unsigned int aio_flags, int vary, uint64_t seed,
				const char *what)
{
	struct rw_pass p;
	int all = 1;

	memset(&p, 0, sizeof(p));
	p.fd = fd;
	p.write = 1;
	p.nblocks = nblocks;
	p.base = base;
	p.seed = seed;
	p.depth = depth;
	p.mult = 37;
	p.aio_flags = aio_flags;
	p.vary = vary;
	p.tag = 0x57;
	rw_pass_run(r, &p);
	all &= rw_pass_report(&p, label("%s write", what));
	if (p.timed_out || p.err)
		return 0;
	all &= ok(verify_sync(fd, base, nblocks, seed) < 0,
		  "%s: synchronous O_DIRECT pread sees every written block", what);

	memset(&p, 0, sizeof(p));
	p.fd = fd;
	p.write = 0;
	p.nblocks = nblocks;
	p.base = base;
	p.seed = seed;
	p.depth = depth;
	p.mult = 13;
	p.aio_flags = aio_flags;
	p.vary = vary;
	p.tag = 0x52;
	rw_pass_run(r, &p);
	all &= rw_pass_report(&p, label("%s read", what));
	return all;
}

/* ------------------------------------------------------------------ */
/* One driver for the data-path programs of the three context kinds    */

/*
 * ring-irq, ring-iopoll and iopoll-submit: on every O_DIRECT target
 * (polled block devices, the device without poll queues, a file on each
 * test filesystem) and at depths 1, 32 and 128 (N = depth + 1, as v9
 * clients size their rings, so not a power of two): io_setup2(N,
 * flags), rw_write_read() of 48 blocks at depth 1 and 128 otherwise,
 * io_destroy; then per_target() once per target when given; at the end
 * fs.aio-nr is back.
 */
struct rw_depths {
	unsigned int flags;		/* io_setup2 flags */
	const char *flags_name;		/* as the assertions name them */
	unsigned int aio_flags;		/* IOCB_FLAG_HIPRI for IOPOLL */
	int vary_deepest;		/* vary the batch sizes at depth 128 */
	const char *what;		/* pass name "T WHAT depth D"; NULL: "T depth D N=N" */
	void (*per_target)(struct target *t, int i, uint64_t seed);
};

static inline int rw_depths_main(const struct rw_depths *m)
{
	static const unsigned int depths[] = { 1, 32, 128 };
	struct target t[MAX_TARGETS];
	int nt, i;
	unsigned int d;
	uint64_t seed = pattern_seed();
	long start;

	require_aioring();
	start = aio_nr();
	nt = targets_collect(t, MAX_TARGETS, TGT_ALL);
	if (!targets_open_all(t, nt, 4u << 20))
		skip_all("no O_DIRECT target (AIORING_POLL_BDEVS, AIORING_NOPOLL_BDEV, AIORING_TEST_DIRS)");

	for (i = 0; i < nt; i++) {
		if (t[i].fd < 0)
			continue;
		for (d = 0; d < ARRAY_SIZE(depths); d++) {
			unsigned int depth = depths[d];
			unsigned int nblocks = depth == 1 ? 48 : 128;
			struct ring r;
			long ret;

			ret = ring_setup(&r, depth + 1, m->flags);
			if (!ok(ret == 0, "%s depth %u: io_setup2(%u, %s) returns 0 (errno %d)",
				t[i].name, depth, depth + 1, m->flags_name,
				ret ? errno : 0))
				continue;
			rw_write_read(&r, t[i].fd, (uint64_t)d << 20, nblocks, depth,
				      m->aio_flags, m->vary_deepest && depth == 128,
				      seed + i * 131 + depth,
				      m->what ? label("%s %s depth %u", t[i].name,
						      m->what, depth) :
						label("%s depth %u N=%u", t[i].name,
						      depth, depth + 1));
			ok(ring_destroy(&r) == 0, "%s depth %u: io_destroy returns 0",
			   t[i].name, depth);
		}
		if (m->per_target)
			m->per_target(&t[i], i, seed);
	}
	targets_close_all(t, nt);
	ok_aio_nr_back(start);
	return tap_done();
}

#endif
