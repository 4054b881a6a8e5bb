// SPDX-License-Identifier: MIT
/*
 * classic-calls-on-ring: the classic aio calls on io_setup2 contexts
 * (spec section 7, SCQRING and IOPOLL).
 *
 * - On SCQRING and SCQRING|IOPOLL contexts io_submit, io_getevents and
 *   io_pgetevents are EINVAL; the iocb given to the refused io_submit is
 *   not executed (the file it would write keeps its old bytes).
 * - io_cancel on SCQRING, SCQRING|IOPOLL and IOPOLL-only contexts is
 *   EINVAL, also for an iocb of the ring that is in flight (a POLL on an
 *   empty pipe), which then still completes normally.
 * - The ring keeps working after all the refused calls.
 */
#include "ring_util.h"

#define N	8

static int scratch_fd;
static uint64_t seed;

static int file_untouched(uint64_t off)
{
	uint8_t buf[RING_BS];
	unsigned int i;

	if (pread(scratch_fd, buf, RING_BS, off) != RING_BS)
		return 0;
	for (i = 0; i < RING_BS; i++)
		if (buf[i])
			return 0;
	return 1;
}

static void refused_calls(struct ring *r, const char *what)
{
	uint8_t *buf = map_pages(RING_BS);
	struct io_event ev[2];
	struct timespec ts = { 0, 10 * 1000000 };
	struct aio_sigset ss = { NULL, _NSIG / 8 };
	struct iocb cb, *p = &cb;
	long ret;

	pattern_fill(buf, RING_BS, 8192, seed);
	iocb_prep(&cb, IOCB_CMD_PWRITE, scratch_fd, buf, RING_BS, 8192,
		  AIO_DATA(0x44, 0),
		  (r->flags & IOCTX_FLAG_IOPOLL) ? IOCB_FLAG_HIPRI : 0);
	ok_errno(sys_io_submit(r->ctx, 1, &p), EINVAL,
		 label("%s: io_submit", what));
	/* the same iocb from the ring's own array */
	r->iocbs[1] = cb;
	p = &r->iocbs[1];
	ok_errno(sys_io_submit(r->ctx, 1, &p), EINVAL,
		 label("%s: io_submit of an iocb of the ring's array", what));
	ok(file_untouched(8192), "%s: the refused write did not happen", what);
	ok_errno(sys_io_getevents(r->ctx, 0, 2, ev, &ts), EINVAL,
		 label("%s: io_getevents min 0", what));
	ok_errno(sys_io_getevents(r->ctx, 1, 2, ev, &ts), EINVAL,
		 label("%s: io_getevents min 1, 10 ms timeout", what));
	ok_errno(sys_io_getevents(r->ctx, 1, 2, ev, NULL), EINVAL,
		 label("%s: io_getevents min 1, no timeout", what));
	ok_errno(sys_io_pgetevents(r->ctx, 1, 2, ev, &ts, &ss), EINVAL,
		 label("%s: io_pgetevents", what));
	ok_errno(sys_io_cancel(r->ctx, &cb, &ev[0]), EINVAL,
		 label("%s: io_cancel", what));
	ret = sq_head(r) | sq_tail(r) | cq_tail(r);
	ok(ret == 0, "%s: rings untouched by the refused calls", what);
	unmap_pages(buf, RING_BS);
}

/* io_cancel of a POLL iocb in flight on an SCQRING ring. */
static void cancel_inflight_poll(void)
{
	struct ring r;
	struct io_event ev = { 0 };
	int p[2];
	long ret;

	if (pipe(p))
		bail_out("pipe");
	ring_setup_or_bail(&r, N, IOCTX_FLAG_SCQRING);
	iocb_prep_poll(&r.iocbs[2], p[0], POLLIN, AIO_DATA(0x50, 2));
	sq_push(&r, 2);
	ret = ring_enter(&r, 1, 0, IORING_FLAG_SUBMIT);
	ok(ret == 1, "SCQRING: POLL on an empty pipe submitted (ret %ld errno %d)",
	   ret, ret < 0 ? errno : 0);
	if (ret != 1) {
		ring_destroy(&r);
		return;
	}
	ok_errno(sys_io_cancel(r.ctx, &r.iocbs[2], &ev), EINVAL,
		 "SCQRING: io_cancel of the ring's in-flight POLL iocb");
	ok(cq_tail(&r) == 0, "no event after the refused cancel");
	if (write(p[1], "x", 1) != 1)
		bail_out("write pipe");
	ok(ring_reap_wait(&r, &ev, 1, 10000) == 1 && ev.data == AIO_DATA(0x50, 2) &&
	   ev.obj == 2 && (ev.res & POLLIN),
	   "the POLL then completes normally (data %#llx obj %llu res %#llx)",
	   (unsigned long long)ev.data, (unsigned long long)ev.obj,
	   (unsigned long long)ev.res);
	ok(ring_destroy(&r) == 0, "io_destroy returns 0");
	close(p[0]);
	close(p[1]);
}

static void cancel_iopoll_only(void)
{
	struct ring r;
	struct target t;
	struct io_event ev = { 0 };
	struct iocb *p;
	uint8_t *buf = map_pages(RING_BS);
	long ret;

	ring_setup_or_bail(&r, N, IOCTX_FLAG_IOPOLL);
	iocb_prep(&r.iocbs[0], IOCB_CMD_PREAD, 0, buf, RING_BS, 0,
		  AIO_DATA(0x60, 0), IOCB_FLAG_HIPRI);
	ok_errno(sys_io_cancel(r.ctx, &r.iocbs[0], &ev), EINVAL,
		 "IOPOLL-only: io_cancel of an iocb never submitted");
	if (target_pick(&t, 1 << 20)) {
		skip("no O_DIRECT target: io_cancel of an in-flight polled read not tested");
	} else {
		iocb_prep(&r.iocbs[0], IOCB_CMD_PREAD, t.fd, buf, RING_BS, 0,
			  AIO_DATA(0x60, 0), IOCB_FLAG_HIPRI);
		p = &r.iocbs[0];
		ret = sys_io_submit(r.ctx, 1, &p);
		ok(ret == 1, "IOPOLL-only: polled read on %s submitted (ret %ld errno %d)",
		   t.name, ret, ret < 0 ? errno : 0);
		ok_errno(sys_io_cancel(r.ctx, p, &ev), EINVAL,
			 "IOPOLL-only: io_cancel of the submitted polled read");
		if (ret == 1)
			ok(getevents_wait(r.ctx, 1, &ev, 10000) == 1 &&
			   ev.data == AIO_DATA(0x60, 0) && ev.res == RING_BS,
			   "IOPOLL-only: the read still completes (res %lld)",
			   (long long)ev.res);
		target_close(&t);
	}
	ok(ring_destroy(&r) == 0, "IOPOLL-only: io_destroy returns 0");
	unmap_pages(buf, RING_BS);
}

/* The ring still works: a buffered write through it, then a read. */
static void ring_still_works(struct ring *r, const char *what)
{
	uint8_t *buf = map_pages(RING_BS);
	struct io_event ev = { 0 };
	long ret;

	pattern_fill(buf, RING_BS, 12288, seed);
	iocb_prep(&r->iocbs[3], IOCB_CMD_PWRITE, scratch_fd, buf, RING_BS, 12288,
		  AIO_DATA(0x45, 3), 0);
	sq_push(r, 3);
	ret = ring_enter(r, 1, 1, IORING_FLAG_SUBMIT | IORING_FLAG_GETEVENTS);
	ok(ret == 1, "%s: a write through the ring is submitted (ret %ld errno %d)",
	   what, ret, ret < 0 ? errno : 0);
	ok(ret == 1 && ring_reap_wait(r, &ev, 1, 10000) == 1 &&
	   ev.data == AIO_DATA(0x45, 3) && ev.obj == 3 && ev.res == RING_BS,
	   "%s: its event arrives (res %lld)", what, (long long)ev.res);
	memset(buf, 0, RING_BS);
	ok(pread(scratch_fd, buf, RING_BS, 12288) == RING_BS &&
	   pattern_check(buf, RING_BS, 12288, seed) < 0,
	   "%s: the written block reads back", what);
	unmap_pages(buf, RING_BS);
}

int main(void)
{
	struct ring r;
	long start;

	require_aioring();
	start = aio_nr();
	seed = pattern_seed();
	scratch_fd = scratch_file("abi-classic-calls", 1 << 20);

	ring_setup_or_bail(&r, N, IOCTX_FLAG_SCQRING);
	refused_calls(&r, "SCQRING");
	ring_still_works(&r, "SCQRING");
	ok(ring_destroy(&r) == 0, "SCQRING: io_destroy returns 0");

	ring_setup_or_bail(&r, N, IOCTX_FLAG_SCQRING | IOCTX_FLAG_IOPOLL);
	refused_calls(&r, "SCQRING|IOPOLL");
	ok(ring_destroy(&r) == 0, "SCQRING|IOPOLL: io_destroy returns 0");

	cancel_inflight_poll();
	cancel_iopoll_only();
	close(scratch_fd);
	ok_aio_nr_back(start);
	return tap_done();
}
