// SPDX-License-Identifier: MIT
/*
 * poll-cancel: IOCB_CMD_POLL and io_cancel (fs/aio.c aio_poll(),
 * aio_poll_wake(), aio_poll_cancel(), sys_io_cancel()).
 *
 *   a POLLIN poll on an empty pipe stays pending (no event), completes
 *     once the pipe is written, and is one-shot
 *   a poll whose events are already ready completes at submit with
 *     res = the requested ready events (POLLOUT on a pipe's write end,
 *     POLLIN on a pipe holding data, POLLIN on a regular file)
 *   closing the writer completes a pending POLLIN poll with POLLHUP
 *   32 pending polls on 32 pipes: writing to 16 completes exactly those
 *   io_cancel of a pending poll: -1/EINPROGRESS, then an event with res 0;
 *     cancelling it again, or a completed one: EINVAL
 *   io_cancel of a read: EINVAL (reads are never cancellable in 6.1)
 *   io_cancel with aio_key != 0: EINVAL; bad iocb pointer: EFAULT;
 *     bad context: EINVAL; never-submitted iocb: EINVAL
 *   poll iocb validation: aio_buf > 0xffff, aio_offset, aio_nbytes or
 *     aio_rw_flags set: EINVAL; no event mask on a file without ->poll
 *     (nothing can ever be reported): EINVAL
 *   io_destroy with pending polls returns 0 promptly (they are cancelled)
 */
#include "aio_sys.h"

#include <poll.h>
#include <sys/socket.h>

#define NPIPES	32

static long submit1(aio_context_t ctx, struct iocb *cb)
{
	return sys_io_submit(ctx, 1, &cb);
}

static long pending_events(aio_context_t ctx, int ms)
{
	struct io_event ev[4];
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	return sys_io_getevents(ctx, 0, 4, ev, &ts);
}

static void basic(aio_context_t ctx)
{
	struct iocb cb, *p = &cb;
	struct io_event ev;
	int pp[2];
	char c;
	long r;

	if (pipe(pp))
		bail_out("pipe");
	iocb_prep_poll(&cb, pp[0], POLLIN, AIO_DATA(0x10, 0));
	r = submit1(ctx, &cb);
	ok(r == 1, "POLLIN poll on an empty pipe is accepted (got %ld errno %d)", r,
	   r < 0 ? errno : 0);
	ok(pending_events(ctx, 0) == 0, "no event right after submit: the poll is pending");
	ok(pending_events(ctx, 50) == 0, "no event after 50 ms either");
	ok(write(pp[1], "a", 1) == 1, "write one byte to the pipe");
	check_events("poll completed by a pipe write", &ev, wait_events(ctx, 1, &ev, 10000),
		     &p, 1, 0x10, NULL, RES_ANY);
	/* inline wakeup stores the key (EPOLLIN|EPOLLRDNORM), the work path
	 * vfs_poll() & requested (EPOLLIN): both are 6.1 */
	ok(ev.res == POLLIN || ev.res == (POLLIN | POLLRDNORM),
	   "poll res is POLLIN (got %#llx)", (long long)ev.res);
	ok(write(pp[1], "b", 1) == 1, "write again");
	ok(pending_events(ctx, 50) == 0, "a completed poll is one-shot: no second event");
	ok_errno(sys_io_cancel(ctx, &cb, &ev), EINVAL, "io_cancel of a completed poll");

	/* already ready at submit: completed synchronously with vfs_poll() & events */
	iocb_prep_poll(&cb, pp[0], POLLIN, AIO_DATA(0x11, 0));
	ok(submit1(ctx, &cb) == 1, "POLLIN poll on a pipe holding data is accepted");
	check_events("poll ready at submit", &ev, wait_events(ctx, 1, &ev, 10000), &p, 1,
		     0x11, NULL, POLLIN);
	iocb_prep_poll(&cb, pp[1], POLLOUT, AIO_DATA(0x12, 0));
	ok(submit1(ctx, &cb) == 1, "POLLOUT poll on a pipe's write end is accepted");
	check_events("POLLOUT poll on writable pipe", &ev, wait_events(ctx, 1, &ev, 10000),
		     &p, 1, 0x12, NULL, POLLOUT);
	while (read(pp[0], &c, 1) == 1 && c != 'b')
		;

	/* hangup */
	iocb_prep_poll(&cb, pp[0], POLLIN, AIO_DATA(0x13, 0));
	ok(submit1(ctx, &cb) == 1, "POLLIN poll on the drained pipe is accepted");
	ok(pending_events(ctx, 0) == 0, "and pending");
	close(pp[1]);
	check_events("poll completed by closing the writer", &ev,
		     wait_events(ctx, 1, &ev, 10000), &p, 1, 0x13, NULL, RES_ANY);
	ok(ev.res & POLLHUP, "closing the write end reports POLLHUP (got %#llx)",
	   (long long)ev.res);
	close(pp[0]);
}

static void socket_poll(aio_context_t ctx)
{
	struct iocb cb, *p = &cb;
	struct io_event ev;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		bail_out("socketpair");
	iocb_prep_poll(&cb, sv[0], POLLIN, AIO_DATA(0x14, 0));
	ok(submit1(ctx, &cb) == 1, "POLLIN poll on a unix socket is accepted");
	ok(pending_events(ctx, 20) == 0, "and pending");
	ok(send(sv[1], "z", 1, 0) == 1, "send on the peer");
	check_events("socket poll", &ev, wait_events(ctx, 1, &ev, 10000), &p, 1, 0x14,
		     NULL, RES_ANY);
	ok(ev.res & POLLIN, "socket poll res has POLLIN (got %#llx)", (long long)ev.res);
	close(sv[0]);
	close(sv[1]);
}

static void many(aio_context_t ctx)
{
	int pp[NPIPES][2];
	struct iocb cbs[NPIPES], *ptrs[NPIPES], *odd[NPIPES / 2];
	struct io_event ev[NPIPES];
	long i, r, got;

	for (i = 0; i < NPIPES; i++) {
		if (pipe(pp[i]))
			bail_out("pipe");
		iocb_prep_poll(&cbs[i], pp[i][0], POLLIN, AIO_DATA(0x20, i));
		ptrs[i] = &cbs[i];
	}
	r = sys_io_submit(ctx, NPIPES, ptrs);
	ok(r == NPIPES, "io_submit of %d polls on %d empty pipes returns %d (got %ld)",
	   NPIPES, NPIPES, NPIPES, r);
	ok(pending_events(ctx, 20) == 0, "all %d polls pending", NPIPES);
	for (i = 0; i < NPIPES; i += 2)
		if (write(pp[i][1], "x", 1) != 1)
			bail_out("write");
	got = wait_events(ctx, NPIPES / 2, ev, 10000);
	ok(got == NPIPES / 2, "writing to the %d even pipes gives %d events (got %ld)",
	   NPIPES / 2, NPIPES / 2, got);
	{
		long wrong = 0;

		for (i = 0; i < got; i++)
			if ((ev[i].data & 1) || (ev[i].data >> 32) != 0x20 ||
			    ev[i].obj != (uintptr_t)&cbs[ev[i].data & 0xffffffff] ||
			    !(ev[i].res & POLLIN))
				wrong++;
		ok(!wrong, "exactly the polls of the written pipes completed, with POLLIN");
	}
	ok(pending_events(ctx, 20) == 0, "the other %d polls are still pending", NPIPES / 2);

	/* cancel the odd ones one by one */
	r = 0;
	for (i = 1; i < NPIPES; i += 2) {
		struct io_event res;

		odd[i / 2] = &cbs[i];
		if (sys_io_cancel(ctx, &cbs[i], &res) == -1 && errno == EINPROGRESS)
			r++;
	}
	ok(r == NPIPES / 2, "io_cancel of each pending poll returns EINPROGRESS (%ld of %d)",
	   r, NPIPES / 2);
	{
		struct io_event cev[NPIPES / 2];

		/* map aio_data index 2k+1 to odd[k] for check_events() */
		got = wait_events(ctx, NPIPES / 2, cev, 10000);
		for (i = 0; i < got; i++) {
			uint64_t idx = cev[i].data & 0xffffffff;

			cev[i].data = (idx & 1) && (cev[i].data >> 32) == 0x20 ?
				      AIO_DATA(0x21, idx / 2) : 0;
		}
		check_events("cancelled polls (res 0)", cev, got, odd, NPIPES / 2, 0x21,
			     NULL, 0);
	}
	ok(pending_events(ctx, 20) == 0, "nothing left after the cancellations");
	for (i = 0; i < NPIPES; i++) {
		close(pp[i][0]);
		close(pp[i][1]);
	}
}

static void cancel(aio_context_t ctx, int fd)
{
	struct iocb cb, rd, never, *p = &cb, *q = &rd;
	struct io_event ev;
	uint8_t *buf = xalign(4096, 4096);
	int pp[2];
	long r;

	if (pipe(pp))
		bail_out("pipe");
	iocb_prep_poll(&cb, pp[0], POLLIN, AIO_DATA(0x30, 0));
	cb.aio_key = 0x5555;
	ok(submit1(ctx, &cb) == 1, "pending poll for io_cancel is accepted");
	ok(cb.aio_key == 0, "io_submit set aio_key to 0 (KIOCB_KEY) (got %#x)", cb.aio_key);

	cb.aio_key = 1;
	ok_errno(sys_io_cancel(ctx, &cb, &ev), EINVAL, "io_cancel with aio_key != 0");
	cb.aio_key = 0;
	ok_errno(sys_io_cancel(ctx, (struct iocb *)8, &ev), EFAULT,
		 "io_cancel with an unreadable iocb pointer");
	ok_errno(sys_io_cancel(ctx + 4096, &cb, &ev), EINVAL, "io_cancel with a bad context");
	memset(&never, 0, sizeof(never));
	ok_errno(sys_io_cancel(ctx, &never, &ev), EINVAL, "io_cancel of an iocb never submitted");
	ok(pending_events(ctx, 0) == 0, "the failed io_cancel calls left the poll pending");

	memset(&ev, 0x77, sizeof(ev));
	ok_errno(sys_io_cancel(ctx, &cb, &ev), EINPROGRESS, "io_cancel of the pending poll");
	check_events("cancelled poll", &ev, wait_events(ctx, 1, &ev, 10000), &p, 1, 0x30,
		     NULL, 0);
	ok_errno(sys_io_cancel(ctx, &cb, &ev), EINVAL, "io_cancel of the same poll again");
	ok(write(pp[1], "x", 1) == 1 && pending_events(ctx, 50) == 0,
	   "a write after the cancellation produces no event");

	/* reads are not cancellable */
	iocb_prep(&rd, IOCB_CMD_PREAD, fd, buf, 4096, 0, AIO_DATA(0x31, 0), 0);
	r = submit1(ctx, &rd);
	ok(r == 1, "read for io_cancel is accepted (got %ld errno %d)", r, r < 0 ? errno : 0);
	ok_errno(sys_io_cancel(ctx, &rd, &ev), EINVAL, "io_cancel of a read");
	check_events("read after io_cancel attempt", &ev, wait_events(ctx, 1, &ev, 10000),
		     &q, 1, 0x31, NULL, 4096);
	close(pp[0]);
	close(pp[1]);
	free(buf);
}

static void validation(aio_context_t ctx, int fd)
{
	struct iocb cb, *p = &cb;
	struct io_event ev;
	int pp[2];

	if (pipe(pp))
		bail_out("pipe");
	iocb_prep_poll(&cb, pp[0], 0x10000, 0);
	ok_errno(submit1(ctx, &cb), EINVAL, "poll with aio_buf 0x10000 (> 16-bit event mask)");
	iocb_prep_poll(&cb, pp[0], POLLIN, 0);
	cb.aio_offset = 1;
	ok_errno(submit1(ctx, &cb), EINVAL, "poll with aio_offset set");
	iocb_prep_poll(&cb, pp[0], POLLIN, 0);
	cb.aio_nbytes = 1;
	ok_errno(submit1(ctx, &cb), EINVAL, "poll with aio_nbytes set");
	iocb_prep_poll(&cb, pp[0], POLLIN, 0);
	cb.aio_rw_flags = RWF_HIPRI;
	ok_errno(submit1(ctx, &cb), EINVAL, "poll with aio_rw_flags set");
	ok(pending_events(ctx, 0) == 0, "rejected polls leave no event");

	/* a regular file has no ->poll: DEFAULT_POLLMASK, ready at once */
	iocb_prep_poll(&cb, fd, POLLIN, AIO_DATA(0x40, 0));
	ok(submit1(ctx, &cb) == 1, "POLLIN poll on a regular file is accepted");
	check_events("poll on a regular file", &ev, wait_events(ctx, 1, &ev, 10000), &p, 1,
		     0x40, NULL, POLLIN);
	/* ... and with no events requested it can never complete: EINVAL */
	iocb_prep_poll(&cb, fd, 0, AIO_DATA(0x41, 0));
	ok_errno(submit1(ctx, &cb), EINVAL, "poll with no events on a regular file");
	close(pp[0]);
	close(pp[1]);
}

static void destroy_pending(void)
{
	aio_context_t ctx = setup_or_bail(16);
	struct iocb cbs[8], *ptrs[8];
	struct io_event ev;
	int pp[2], i;
	int64_t t0;
	long r;

	if (pipe(pp))
		bail_out("pipe");
	for (i = 0; i < 8; i++) {
		iocb_prep_poll(&cbs[i], pp[0], POLLIN, AIO_DATA(0x50, i));
		ptrs[i] = &cbs[i];
	}
	r = sys_io_submit(ctx, 8, ptrs);
	ok(r == 8, "8 polls pending on one pipe (got %ld)", r);
	t0 = now_ns();
	ok(sys_io_destroy(ctx) == 0, "io_destroy with 8 pending polls returns 0");
	ok(now_ns() - t0 < 5000000000LL, "io_destroy did not wait for the polls (%lld ms)",
	   (long long)((now_ns() - t0) / 1000000));
	ok_errno(sys_io_getevents(ctx, 0, 1, &ev, NULL), EINVAL,
		 "io_getevents on the destroyed context");
	ok_errno(sys_io_cancel(ctx, &cbs[0], &ev), EINVAL,
		 "io_cancel on the destroyed context");
	close(pp[0]);
	close(pp[1]);
}

int main(void)
{
	struct aio_target t;
	aio_context_t ctx;
	int fd;

	fd = scratch_target_file(&t, 4096, 0);

	ctx = setup_or_bail(64);
	basic(ctx);
	socket_poll(ctx);
	many(ctx);
	cancel(ctx, fd);
	validation(ctx, fd);
	ok(sys_io_destroy(ctx) == 0, "io_destroy");
	destroy_pending();
	close(fd);
	target_cleanup(&t);
	return tap_done();
}
