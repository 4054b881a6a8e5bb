/* SPDX-License-Identifier: MIT */
/*
 * io_setup2() contexts and the v9 ring protocol on their three shared
 * regions (spec section 5), for every suite that makes rings.
 *
 * Indexes run 0..N-1 and wrap; the SQ is empty when head == tail and
 * full when next(tail) == head (N-1 entries); the CQ has 2N slots (2N-1
 * entries).  The application owns sq->tail and cq->head and publishes
 * them with release stores; it reads sq->head and cq->tail with acquire
 * loads.
 *
 * The programs only run inside the test VM: the numbers 335 and 336 are
 * io_setup2 / io_ring_enter there and nothing else.
 */
#ifndef AIORING_TEST_RING_H
#define AIORING_TEST_RING_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aioring.h"
#include "aio_syscalls.h"
#include "iocb.h"
#include "mem.h"
#include "sysfs.h"
#include "tap.h"
#include "test_util.h"
#include "watchdog.h"

#ifndef __NR_io_setup2
#error "the aio-ring tests need x86_64 (io_setup2 is 335 there)"
#endif

_Static_assert(__NR_io_setup2 == 335, "io_setup2 is 335");
_Static_assert(__NR_io_ring_enter == 336, "io_ring_enter is 336");
_Static_assert(sizeof(struct iocb) == 64, "struct iocb is 64 bytes");
_Static_assert(sizeof(struct io_event) == 32, "struct io_event is 32 bytes");
_Static_assert(sizeof(struct aio_sq_ring) == 64, "SQ ring header is 64 bytes");
_Static_assert(sizeof(struct aio_cq_ring) == 32, "CQ ring header is 32 bytes");
_Static_assert(offsetof(struct aio_sq_ring, iocbs) == 16, "sq iocbs at 16");
_Static_assert(offsetof(struct aio_sq_ring, kflags) == 14, "sq kflags at 14");
_Static_assert(offsetof(struct aio_cq_ring, nr_events) == 8, "cq nr_events at 8");

struct ring {
	unsigned int n;			/* io_setup2 nr_events = SQ size */
	unsigned int cq_n;		/* 2 * n */
	unsigned int flags;		/* io_setup2 flags */
	aio_context_t ctx;
	struct aio_sq_ring *sq;		/* NULL without SCQRING */
	struct iocb *iocbs;		/* ring iocbs, or io_submit iocbs */
	struct aio_cq_ring *cq;
	size_t sq_len, iocbs_len, cq_len;
};

/*
 * Map the three regions for nr_events = n and fill the header fields the
 * application owns: sq->nr_events = n, cq->nr_events = 2n, sq->iocbs.
 */
static inline void ring_mem_alloc(struct ring *r, unsigned int n)
{
	memset(r, 0, sizeof(*r));
	r->n = n;
	r->cq_n = 2 * n;
	r->sq_len = aioring_sq_ring_size(n);
	r->iocbs_len = aioring_iocbs_size(n);
	r->cq_len = aioring_cq_ring_size(n);
	r->sq = map_pages(r->sq_len);
	r->iocbs = map_pages(r->iocbs_len);
	r->cq = map_pages(r->cq_len);
	r->sq->nr_events = n;
	r->sq->iocbs = (__u64)(uintptr_t)r->iocbs;
	r->cq->nr_events = 2 * n;
}

static inline void ring_mem_free(struct ring *r)
{
	unmap_pages(r->sq, r->sq_len);
	unmap_pages(r->iocbs, r->iocbs_len);
	unmap_pages(r->cq, r->cq_len);
	r->sq = NULL;
	r->iocbs = NULL;
	r->cq = NULL;
}

/*
 * Probe for the interface: a kernel without it answers ENOSYS, and the
 * whole program is skipped.  The probe cannot create a context (ctxp is
 * NULL).
 */
static inline void require_aioring(void)
{
	aio_context_t *none = NULL;

	if (aioring_io_setup2(1, 0, NULL, NULL, none) < 0 && errno == ENOSYS)
		skip_all("kernel has no io_setup2");
	if (aio_nr() < 0)
		diag("%s is not readable: the fs.aio-nr checks will fail", AIO_NR_PATH);
}

/* io_setup2 on rings made by ring_prepare(); unmapped again on failure */
static inline long ring_create(struct ring *r)
{
	long ret;
	int e;

	ret = aioring_io_setup2(r->n, r->flags, r->sq, r->cq, &r->ctx);
	e = errno;
	if (ret < 0 && e == ENOSYS)
		skip_all("kernel has no io_setup2");
	if (ret < 0)
		ring_mem_free(r);
	errno = e;
	return ret;
}

/*
 * io_setup2(n, flags): with SCQRING the rings are mapped first, without
 * it NULL ring pointers are passed and r->iocbs is plain memory for
 * io_submit.  Returns the syscall's value (errno kept).
 */
static inline long ring_setup(struct ring *r, unsigned int n, unsigned int flags)
{
	if (flags & IOCTX_FLAG_SCQRING) {
		ring_mem_alloc(r, n);
	} else {
		memset(r, 0, sizeof(*r));
		r->n = n;
		r->cq_n = 2 * n;
		r->iocbs_len = aioring_iocbs_size(n);
		r->iocbs = map_pages(r->iocbs_len);
	}
	r->flags = flags;
	r->ctx = 0;
	return ring_create(r);
}

static inline void ring_setup_or_bail(struct ring *r, unsigned int n,
				      unsigned int flags)
{
	if (ring_setup(r, n, flags))
		bail_out("io_setup2(%u, %#x)", n, flags);
}

/* io_destroy and unmap; returns io_destroy's value. */
static inline long ring_destroy(struct ring *r)
{
	long ret = sys_io_destroy(r->ctx);
	int e = errno;

	ring_mem_free(r);
	errno = e;
	return ret;
}

static inline long ring_enter(struct ring *r, unsigned int to_submit,
			      unsigned int min_complete, unsigned int flags)
{
	return aioring_io_ring_enter(r->ctx, to_submit, min_complete, flags);
}

static inline unsigned int sq_head(struct ring *r)
{
	return __atomic_load_n(&r->sq->head, __ATOMIC_ACQUIRE);
}

static inline unsigned int sq_tail(struct ring *r)
{
	return __atomic_load_n(&r->sq->tail, __ATOMIC_RELAXED);
}

static inline unsigned int cq_head(struct ring *r)
{
	return __atomic_load_n(&r->cq->head, __ATOMIC_RELAXED);
}

static inline unsigned int cq_tail(struct ring *r)
{
	return __atomic_load_n(&r->cq->tail, __ATOMIC_ACQUIRE);
}

/* Entries queued in the SQ and not yet consumed by the kernel. */
static inline unsigned int sq_count(struct ring *r)
{
	return (sq_tail(r) + r->n - sq_head(r)) % r->n;
}

/*
 * SQ-thread contexts: wait up to ms milliseconds for the thread to take
 * every queued entry; returns how many are left. The thread moves its
 * head once per batch, after submitting it, so the batch's events can
 * be seen before the head moves.
 */
static inline unsigned int sq_wait_drained(struct ring *r, unsigned int ms)
{
	while (sq_count(r) && ms--)
		usleep(1000);
	return sq_count(r);
}

static inline unsigned int sq_space(struct ring *r)
{
	return r->n - 1 - sq_count(r);
}

/* Publish one SQ entry naming iocb index idx (no space check). */
static inline void sq_push(struct ring *r, unsigned int idx)
{
	unsigned int tail = sq_tail(r);

	r->sq->array[tail] = idx;
	__atomic_store_n(&r->sq->tail, (tail + 1) % r->n, __ATOMIC_RELEASE);
}

static inline unsigned int cq_count(struct ring *r)
{
	return (cq_tail(r) + r->cq_n - cq_head(r)) % r->cq_n;
}

/* Reap one event; returns 0 when the CQ is empty. */
static inline int cq_pop(struct ring *r, struct io_event *ev)
{
	unsigned int head = cq_head(r);

	if (head == cq_tail(r))
		return 0;
	*ev = r->cq->events[head % r->cq_n];
	__atomic_store_n(&r->cq->head, (head + 1) % r->cq_n, __ATOMIC_RELEASE);
	return 1;
}

/* Ring indexes as the protocol allows them. */
static inline int ring_indexes_sane(struct ring *r)
{
	return sq_head(r) < r->n && sq_tail(r) < r->n &&
	       cq_head(r) < r->cq_n && cq_tail(r) < r->cq_n;
}

/*
 * Reap events until want have been collected from the CQ (calling
 * io_ring_enter(GETEVENTS, min 1) while short), within timeout_ms.
 * Returns the number collected.
 */
static inline unsigned int ring_reap_wait(struct ring *r, struct io_event *ev,
					  unsigned int want, int timeout_ms)
{
	int64_t end = now_ns() + (int64_t)timeout_ms * 1000000LL;
	unsigned int got = 0;

	watchdog_arm((timeout_ms + 999) / 1000 + 1);
	while (got < want) {
		if (cq_pop(r, &ev[got])) {
			got++;
			continue;
		}
		if (now_ns() > end || watchdog_fired)
			break;
		if (ring_enter(r, 0, 1, IORING_FLAG_GETEVENTS) < 0 &&
		    errno != EAGAIN && errno != EINTR) {
			diag("io_ring_enter(GETEVENTS) while reaping: %s",
			     strerror(errno));
			break;
		}
	}
	watchdog_disarm();
	return got;
}

/* Collect n events with io_getevents (contexts without rings). */
static inline long getevents_wait(aio_context_t ctx, long n,
				  struct io_event *ev, int timeout_ms)
{
	int64_t end = now_ns() + (int64_t)timeout_ms * 1000000LL;
	long got = 0;

	watchdog_arm((timeout_ms + 999) / 1000 + 1);
	while (got < n && !watchdog_fired && now_ns() < end) {
		long r = sys_io_getevents(ctx, 1, n - got, ev + got, NULL);

		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			diag("io_getevents: %s", strerror(errno));
			break;
		}
		got += r;
	}
	watchdog_disarm();
	return got;
}

/* The closing assertion of every program. */
static inline int ok_aio_nr_back(long start)
{
	long v = aio_nr_wait(start, 5000);

	return ok(start >= 0 && v == start,
		  "fs.aio-nr is back to its start value %ld (now %ld)", start, v);
}

/* ------------------------------------------------------------------ */
/* Setup with fixed buffers and the SQ thread's CPU                    */

/*
 * Fresh rings for io_setup2(n, flags), not yet created: sq_thread_cpu =
 * cpu; with bufs, iocb slot i names bufs[i] / lens[i] (the FIXEDBUFS
 * registration).
 */
static inline void ring_prepare(struct ring *r, unsigned int n, unsigned int flags,
				unsigned int cpu, uint8_t *const *bufs,
				const size_t *lens)
{
	unsigned int i;

	ring_mem_alloc(r, n);
	r->flags = flags;
	r->sq->sq_thread_cpu = (__u16)cpu;
	if (bufs)
		for (i = 0; i < n; i++) {
			r->iocbs[i].aio_buf = (uint64_t)(uintptr_t)bufs[i];
			r->iocbs[i].aio_nbytes = lens[i];
		}
	r->ctx = 0;
}

/*
 * ring_prepare() and ring_create(): the syscall's value with errno kept;
 * the rings are unmapped on failure.  ENOSYS skips the whole program.
 */
static inline long ring_setup_bufs(struct ring *r, unsigned int n,
				   unsigned int flags, unsigned int cpu,
				   uint8_t *const *bufs, const size_t *lens)
{
	ring_prepare(r, n, flags, cpu, bufs, lens);
	return ring_create(r);
}

/* Per-slot buffers, each from posix_memalign(4096). */
struct slot_bufs {
	unsigned int n;
	uint8_t **buf;
	size_t *len;
};

/* n buffers; buffer i has size sizes[i % nsizes] */
static inline void slot_bufs_alloc(struct slot_bufs *b, unsigned int n,
				   const size_t *sizes, unsigned int nsizes)
{
	unsigned int i;

	b->n = n;
	b->buf = calloc(n, sizeof(*b->buf));
	b->len = calloc(n, sizeof(*b->len));
	if (!b->buf || !b->len)
		bail_out("calloc");
	for (i = 0; i < n; i++) {
		void *p;

		b->len[i] = sizes[i % nsizes];
		if (posix_memalign(&p, 4096, b->len[i]))
			bail_out("posix_memalign(4096, %zu)", b->len[i]);
		memset(p, 0x5a, b->len[i]);
		b->buf[i] = p;
	}
}

static inline void slot_bufs_free(struct slot_bufs *b)
{
	unsigned int i;

	for (i = 0; i < b->n; i++)
		free(b->buf[i]);
	free(b->buf);
	free(b->len);
	memset(b, 0, sizeof(*b));
}

#endif
