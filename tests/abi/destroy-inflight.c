// SPDX-License-Identifier: MIT
/*
 * destroy-inflight: io_destroy(2) with IO in flight (spec section 8).
 * For each kind of context, IO is started and io_destroy is called at
 * once, without reaping:
 *
 *   SCQRING ring, 32 O_DIRECT writes just submitted
 *   SCQRING|IOPOLL ring, 32 polled writes submitted, never polled
 *   IOPOLL context without rings, 32 polled writes via io_submit
 *   io_setup2 flags-0 context, 32 writes via io_submit
 *   SCQRING ring with a POLL on an empty pipe (never completes) and
 *     unreaped events
 *   SCQRING|IOPOLL ring, N = 4, with a full CQ and completions pending
 *   SCQRING ring, N = 4, with 20 completions for 7 CQ slots (kept)
 *
 * io_destroy returns 0 (the program would hang on a teardown that spins),
 * fs.aio-nr drops back by nr_events, every write that was submitted is on
 * disk afterwards (teardown waits for the requests), and every call on
 * the dead id is EINVAL: io_ring_enter (GETEVENTS, SUBMIT), io_submit,
 * io_getevents, io_destroy.
 */
#include "ring_util.h"

#define DEPTH	32

static uint64_t seed;
static struct target tgt;
static int buffered_fd;

static void dead_ctx_checks(aio_context_t ctx, const char *what)
{
	struct iocb cb, *p = &cb;
	struct io_event ev = { 0 };
	struct timespec ts = { 0, 1000000 };

	iocb_prep(&cb, IOCB_CMD_PREAD, buffered_fd, NULL, 0, 0, 0, 0);
	ok_errno(aioring_io_ring_enter(ctx, 0, 1, IORING_FLAG_GETEVENTS), EINVAL,
		 label("%s: dead ctx, io_ring_enter GETEVENTS", what));
	ok_errno(aioring_io_ring_enter(ctx, 1, 0, IORING_FLAG_SUBMIT), EINVAL,
		 label("%s: dead ctx, io_ring_enter SUBMIT", what));
	ok_errno(sys_io_submit(ctx, 1, &p), EINVAL,
		 label("%s: dead ctx, io_submit", what));
	ok_errno(sys_io_getevents(ctx, 0, 1, &ev, &ts), EINVAL,
		 label("%s: dead ctx, io_getevents", what));
	ok_errno(sys_io_destroy(ctx), EINVAL, label("%s: dead ctx, io_destroy", what));
}

/* Destroy r, check accounting, data and the dead id. */
static void destroy_and_check(struct ring *r, long before, int fd, uint64_t base,
			      unsigned int nblocks, const char *what)
{
	aio_context_t ctx = r->ctx;
	int64_t t0 = now_ns();
	long ret = ring_destroy(r);

	ok(ret == 0, "%s: io_destroy with IO in flight returns 0 (got %ld errno %d) in %lld ms",
	   what, ret, ret < 0 ? errno : 0, (long long)((now_ns() - t0) / 1000000));
	ok(aio_nr() == before, "%s: aio-nr back to %ld (%ld)", what, before, aio_nr());
	if (nblocks)
		ok(verify_sync(fd, base, nblocks, seed) < 0,
		   "%s: all %u submitted writes are on disk after io_destroy", what,
		   nblocks);
	dead_ctx_checks(ctx, what);
}

static unsigned int queue_writes(struct ring *r, int fd, uint8_t *bufs,
				 uint64_t base, unsigned int count,
				 unsigned int aio_flags, unsigned int first_slot)
{
	unsigned int i;

	for (i = 0; i < count; i++) {
		uint64_t off = base + (uint64_t)i * RING_BS;
		unsigned int slot = (first_slot + i) % r->n;

		pattern_fill(bufs + (size_t)i * RING_BS, RING_BS, off, seed);
		iocb_prep(&r->iocbs[slot], IOCB_CMD_PWRITE, fd,
			  bufs + (size_t)i * RING_BS, RING_BS, off,
			  AIO_DATA(0xde, i), aio_flags);
		if (r->sq)
			sq_push(r, slot);
	}
	return count;
}

static void ring_kind(unsigned int flags, uint64_t base, const char *what)
{
	unsigned int aio_flags = flags & IOCTX_FLAG_IOPOLL ? IOCB_FLAG_HIPRI : 0;
	uint8_t *bufs = map_pages((size_t)DEPTH * RING_BS);
	long before = aio_nr(), ret;
	struct ring r;

	ring_setup_or_bail(&r, DEPTH + 1, flags);
	queue_writes(&r, tgt.fd, bufs, base, DEPTH, aio_flags, 0);
	ret = ring_enter(&r, DEPTH, 0, IORING_FLAG_SUBMIT);
	ok(ret == DEPTH, "%s: %d writes submitted (got %ld errno %d)", what, DEPTH,
	   ret, ret < 0 ? errno : 0);
	destroy_and_check(&r, before, tgt.fd, base, ret > 0 ? (unsigned int)ret : 0,
			  what);
	unmap_pages(bufs, (size_t)DEPTH * RING_BS);
}

static void submit_kind(unsigned int flags, uint64_t base, const char *what)
{
	unsigned int aio_flags = flags & IOCTX_FLAG_IOPOLL ? IOCB_FLAG_HIPRI : 0;
	uint8_t *bufs = map_pages((size_t)DEPTH * RING_BS);
	struct iocb *ptrs[DEPTH];
	long before = aio_nr(), ret;
	struct ring r;
	unsigned int i;

	ring_setup_or_bail(&r, DEPTH, flags);
	queue_writes(&r, tgt.fd, bufs, base, DEPTH, aio_flags, 0);
	for (i = 0; i < DEPTH; i++)
		ptrs[i] = &r.iocbs[i];
	ret = sys_io_submit(r.ctx, DEPTH, ptrs);
	ok(ret == DEPTH, "%s: %d writes submitted (got %ld errno %d)", what, DEPTH,
	   ret, ret < 0 ? errno : 0);
	destroy_and_check(&r, before, tgt.fd, base, ret > 0 ? (unsigned int)ret : 0,
			  what);
	unmap_pages(bufs, (size_t)DEPTH * RING_BS);
}

static void poll_pending(void)
{
	const char *what = "SCQRING, POLL on an empty pipe + unreaped events";
	uint8_t *bufs = map_pages(4 * RING_BS);
	long before = aio_nr(), ret;
	struct ring r;
	int p[2];

	if (pipe(p))
		bail_out("pipe");
	ring_setup_or_bail(&r, 8, IOCTX_FLAG_SCQRING);
	iocb_prep_poll(&r.iocbs[0], p[0], POLLIN, AIO_DATA(0xdf, 0));
	sq_push(&r, 0);
	queue_writes(&r, buffered_fd, bufs, 0, 4, 0, 1);
	ret = ring_enter(&r, 5, 0, IORING_FLAG_SUBMIT);
	ok(ret == 5, "%s: POLL + 4 writes submitted (got %ld errno %d)", what, ret,
	   ret < 0 ? errno : 0);
	destroy_and_check(&r, before, buffered_fd, 0, 4, what);
	close(p[0]);
	close(p[1]);
	unmap_pages(bufs, 4 * RING_BS);
}

static void polled_full_cq(void)
{
	const char *what = "SCQRING|IOPOLL N=4, full CQ, completions pending";
	uint8_t *bufs = map_pages(9 * RING_BS);
	long before = aio_nr(), ret;
	struct ring r;
	unsigned int b;
	int64_t end;

	ring_setup_or_bail(&r, 4, IOCTX_FLAG_SCQRING | IOCTX_FLAG_IOPOLL);
	for (b = 0; b < 3; b++) {
		queue_writes(&r, tgt.fd, bufs + (size_t)b * 3 * RING_BS,
			     (4u << 20) + (uint64_t)b * 3 * RING_BS, 3,
			     IOCB_FLAG_HIPRI, 0);
		ret = ring_enter(&r, 3, 0, IORING_FLAG_SUBMIT);
		if (ret != 3)
			diag("%s: batch %u: SUBMIT returned %ld (errno %d)", what, b,
			     ret, ret < 0 ? errno : 0);
		end = now_ns() + 5 * 1000000000LL;
		watchdog_arm(8);
		while (now_ns() < end && !watchdog_fired &&
		       cq_count(&r) < (b + 1) * 3 && cq_count(&r) < 7) {
			ret = ring_enter(&r, 0, cq_count(&r) + 1, IORING_FLAG_GETEVENTS);
			if (ret < 0 && errno == EAGAIN)
				break;
		}
		watchdog_disarm();
	}
	diag("%s: CQ holds %u before io_destroy", what, cq_count(&r));
	destroy_and_check(&r, before, tgt.fd, 4u << 20, 9, what);
	unmap_pages(bufs, 9 * RING_BS);
}

static void irq_overflow(void)
{
	const char *what = "SCQRING N=4, 20 completions for 7 CQ slots";
	uint8_t *bufs = map_pages(20 * RING_BS);
	long before = aio_nr(), ret;
	unsigned int done = 0;
	struct ring r;

	ring_setup_or_bail(&r, 4, IOCTX_FLAG_SCQRING);
	while (done < 20) {
		unsigned int k = 20 - done < 3 ? 20 - done : 3;

		queue_writes(&r, buffered_fd, bufs + (size_t)done * RING_BS,
			     (1u << 20) + (uint64_t)done * RING_BS, k, 0, done);
		ret = ring_enter(&r, k, 0, IORING_FLAG_SUBMIT);
		if (ret != (long)k) {
			diag("%s: SUBMIT returned %ld (errno %d) after %u", what, ret,
			     ret < 0 ? errno : 0, done);
			__atomic_store_n(&r.sq->tail, sq_head(&r), __ATOMIC_RELEASE);
			if (ret > 0)
				done += ret;
			break;
		}
		done += k;
	}
	ok(done > 7, "%s: %u writes completed without reaping (CQ holds %u)", what,
	   done, cq_count(&r));
	/* the buffered writes at (1 MiB + i * 4 KiB) came from bufs[i] */
	{
		uint64_t s = seed;
		long bad;
		uint8_t *chk = map_pages((size_t)done * RING_BS);

		destroy_and_check(&r, before, buffered_fd, 0, 0, what);
		bad = pread(buffered_fd, chk, (size_t)done * RING_BS, 1u << 20) ==
		      (ssize_t)done * RING_BS ?
		      pattern_check(chk, (size_t)done * RING_BS, 1u << 20, s) : 0;
		ok(bad < 0, "%s: the %u writes are in the file", what, done);
		unmap_pages(chk, (size_t)done * RING_BS);
	}
	unmap_pages(bufs, 20 * RING_BS);
}

int main(void)
{
	long start;

	require_aioring();
	start = aio_nr();
	seed = pattern_seed();
	buffered_fd = scratch_file("abi-destroy", 0);

	poll_pending();
	irq_overflow();
	if (target_pick(&tgt, 8u << 20)) {
		skip("no O_DIRECT target: device IO in flight at io_destroy not tested");
	} else {
		diag("target %s", tgt.name);
		ring_kind(IOCTX_FLAG_SCQRING, 0, "SCQRING ring, 32 writes in flight");
		ring_kind(IOCTX_FLAG_SCQRING | IOCTX_FLAG_IOPOLL, 1u << 20,
			  "SCQRING|IOPOLL ring, 32 polled writes never polled");
		submit_kind(IOCTX_FLAG_IOPOLL, 2u << 20,
			    "IOPOLL io_submit ctx, 32 polled writes never polled");
		submit_kind(0, 3u << 20, "flags-0 io_setup2 ctx, 32 writes in flight");
		polled_full_cq();
		target_close(&tgt);
	}
	close(buffered_fd);
	ok_aio_nr_back(start);
	return tap_done();
}
