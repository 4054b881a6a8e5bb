// SPDX-License-Identifier: MIT
/*
 * eventfd: IOCB_FLAG_RESFD.  Each completed iocb that carries the flag
 * adds exactly 1 to the eventfd counter (fs/aio.c aio_complete() ->
 * eventfd_signal(ctx, 1)); iocbs without the flag add nothing.
 *
 *   16 writes with RESFD: counter 16 (read before the events are reaped),
 *   the events are still all in the ring and the data reads back right
 *   8 of 16 reads with RESFD: counter 8, data right
 *   an EFD_SEMAPHORE eventfd: 4 completions give 4 reads of 1, then EAGAIN
 *   a completion with an error (read into an unmapped buffer, res -EFAULT)
 *     also signals
 *   a pending IOCB_CMD_POLL with RESFD: counter 0 while pending, 1 once the
 *     pipe is written; a cancelled one signals too
 *   aio_resfd that is not an eventfd: io_submit EINVAL; a closed fd: EBADF
 *     (eventfd_ctx_fdget()); iocbs rejected at submit never signal
 *   aio_resfd set without IOCB_FLAG_RESFD: ignored
 */
#include "aio_sys.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>

#define NR	16

static long efd_read(int efd)
{
	uint64_t v = 0;

	if (read(efd, &v, sizeof(v)) != sizeof(v))
		return errno == EAGAIN ? 0 : -1;
	return (long)v;
}

static void run_rw(aio_context_t ctx, int fd, int efd, uint64_t seed)
{
	uint8_t *wbuf = xalign(4096, NR * 512), *rbuf = xalign(4096, NR * 512);
	struct iocb cbs[NR], *ptrs[NR];
	struct io_event ev[NR];
	long i, r, got, bad = 0;

	for (i = 0; i < NR; i++) {
		pattern_fill(wbuf + i * 512, 512, i * 512, seed);
		iocb_prep(&cbs[i], IOCB_CMD_PWRITE, fd, wbuf + i * 512, 512, i * 512,
			  AIO_DATA(0x45, i), 0);
		cbs[i].aio_flags = IOCB_FLAG_RESFD;
		cbs[i].aio_resfd = efd;
		ptrs[i] = &cbs[i];
	}
	r = sys_io_submit(ctx, NR, ptrs);
	ok(r == NR, "io_submit of %d writes with IOCB_FLAG_RESFD returns %d (got %ld errno %d)",
	   NR, NR, r, r < 0 ? errno : 0);
	{
		struct pollfd pfd = { .fd = efd, .events = POLLIN };

		ok(poll(&pfd, 1, 10000) == 1 && (pfd.revents & POLLIN),
		   "eventfd becomes readable after RESFD completions");
	}
	/* all 16 may not have completed yet for async files: wait for them */
	got = 0;
	{
		int64_t deadline = now_ns() + 10000000000LL;
		long c = 0;

		while (c < NR && now_ns() < deadline) {
			struct pollfd pfd = { .fd = efd, .events = POLLIN };

			if (poll(&pfd, 1, 100) == 1)
				c += efd_read(efd);
		}
		ok(c == NR, "eventfd counter sums to %d, one per completion (got %ld)", NR, c);
	}
	got = wait_events(ctx, NR, ev, 10000);
	check_events("RESFD writes, reaped after reading the eventfd", ev, got, ptrs,
		     NR, 0x45, NULL, 512);
	ok(efd_read(efd) == 0, "reaping the events does not add to the counter");

	/* reads: only the even ones carry the flag */
	for (i = 0; i < NR; i++) {
		iocb_prep(&cbs[i], IOCB_CMD_PREAD, fd, rbuf + i * 512, 512, i * 512,
			  AIO_DATA(0x46, i), 0);
		if (!(i & 1)) {
			cbs[i].aio_flags = IOCB_FLAG_RESFD;
			cbs[i].aio_resfd = efd;
		}
	}
	r = sys_io_submit(ctx, NR, ptrs);
	ok(r == NR, "io_submit of %d reads, %d with RESFD (got %ld)", NR, NR / 2, r);
	got = wait_events(ctx, NR, ev, 10000);
	check_events("half RESFD reads", ev, got, ptrs, NR, 0x46, NULL, 512);
	r = efd_read(efd);
	ok(r == NR / 2, "eventfd counter is %d: only flagged iocbs signal (got %ld)", NR / 2, r);
	for (i = 0; i < NR; i++)
		if (pattern_check(rbuf + i * 512, 512, i * 512, seed) >= 0)
			bad++;
	ok(!bad, "the RESFD writes read back byte for byte (%ld bad blocks)", bad);
	free(wbuf);
	free(rbuf);
}

static void run_semaphore(aio_context_t ctx, int fd)
{
	int sfd = eventfd(0, EFD_SEMAPHORE | EFD_NONBLOCK);
	uint8_t *buf = xalign(4096, 4 * 512);
	struct iocb cbs[4], *ptrs[4];
	struct io_event ev[4];
	long i, r, ones = 0;

	if (sfd < 0)
		bail_out("eventfd semaphore");
	for (i = 0; i < 4; i++) {
		iocb_prep(&cbs[i], IOCB_CMD_PREAD, fd, buf + i * 512, 512, i * 512,
			  AIO_DATA(0x53, i), 0);
		cbs[i].aio_flags = IOCB_FLAG_RESFD;
		cbs[i].aio_resfd = sfd;
		ptrs[i] = &cbs[i];
	}
	r = sys_io_submit(ctx, 4, ptrs);
	ok(r == 4, "io_submit of 4 reads signalling an EFD_SEMAPHORE eventfd (got %ld)", r);
	check_events("semaphore eventfd reads", ev, wait_events(ctx, 4, ev, 10000), ptrs,
		     4, 0x53, NULL, 512);
	for (i = 0; i < 5; i++) {
		uint64_t v = 0;

		if (read(sfd, &v, 8) == 8 && v == 1)
			ones++;
	}
	ok(ones == 4, "EFD_SEMAPHORE eventfd yields 4 reads of 1, then nothing (got %ld)", ones);
	close(sfd);
	free(buf);
}

static void run_error_completion(aio_context_t ctx, int fd, int efd)
{
	struct iocb cb, *p = &cb;
	struct io_event ev;
	void *gone = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long r;

	if (gone == MAP_FAILED)
		bail_out("mmap");
	munmap(gone, 4096);
	/* passes access_ok(); the copy to user fails at completion */
	iocb_prep(&cb, IOCB_CMD_PREAD, fd, gone, 512, 0, AIO_DATA(0x4f, 0), 0);
	cb.aio_flags = IOCB_FLAG_RESFD;
	cb.aio_resfd = efd;
	r = sys_io_submit(ctx, 1, &p);
	ok(r == 1, "buffered read into an unmapped buffer is accepted (got %ld errno %d)",
	   r, r < 0 ? errno : 0);
	if (r == 1)
		check_events("read into unmapped buffer", &ev,
			     wait_events(ctx, 1, &ev, 10000), &p, 1, 0x4f, NULL, -EFAULT);
	r = efd_read(efd);
	ok(r == 1, "a completion with res -EFAULT signals the eventfd once (got %ld)", r);
}

static void run_poll(aio_context_t ctx, int efd)
{
	struct iocb cb, *p = &cb;
	struct io_event ev;
	struct pollfd pfd = { .fd = efd, .events = POLLIN };
	int pp[2];
	long r;

	if (pipe(pp))
		bail_out("pipe");
	iocb_prep_poll(&cb, pp[0], POLLIN, AIO_DATA(0x50, 0));
	cb.aio_flags = IOCB_FLAG_RESFD;
	cb.aio_resfd = efd;
	r = sys_io_submit(ctx, 1, &p);
	ok(r == 1, "IOCB_CMD_POLL with RESFD on an empty pipe is accepted (got %ld errno %d)",
	   r, r < 0 ? errno : 0);
	ok(poll(&pfd, 1, 50) == 0, "eventfd stays at 0 while the poll is pending");
	ok(write(pp[1], "x", 1) == 1, "write to the pipe");
	ok(poll(&pfd, 1, 10000) == 1, "eventfd becomes readable when the poll completes");
	r = efd_read(efd);
	ok(r == 1, "poll completion adds 1 to the eventfd (got %ld)", r);
	/*
	 * res: the inline completion in aio_poll_wake() stores the whole
	 * wakeup key (pipe: EPOLLIN | EPOLLRDNORM), the work path
	 * vfs_poll() & requested events (EPOLLIN): either is 6.1 behaviour.
	 */
	check_events("RESFD poll", &ev, wait_events(ctx, 1, &ev, 10000), &p, 1, 0x50,
		     NULL, RES_ANY);
	ok(ev.res == POLLIN || ev.res == (POLLIN | POLLRDNORM),
	   "RESFD poll: res is POLLIN (or POLLIN|POLLRDNORM from the wakeup key) (got %#llx)",
	   (long long)ev.res);

	/* a cancelled poll completes, and signals, too */
	{
		char c;

		ok(read(pp[0], &c, 1) == 1, "drain the pipe");
	}
	iocb_prep_poll(&cb, pp[0], POLLIN, AIO_DATA(0x51, 0));
	cb.aio_flags = IOCB_FLAG_RESFD;
	cb.aio_resfd = efd;
	r = sys_io_submit(ctx, 1, &p);
	ok(r == 1, "second RESFD poll is accepted (got %ld)", r);
	ok_errno(sys_io_cancel(ctx, &cb, &ev), EINPROGRESS, "io_cancel of the RESFD poll");
	check_events("cancelled RESFD poll", &ev, wait_events(ctx, 1, &ev, 10000), &p, 1,
		     0x51, NULL, 0);
	r = efd_read(efd);
	ok(r == 1, "the cancelled poll's completion signals the eventfd (got %ld)", r);
	close(pp[0]);
	close(pp[1]);
}

static void run_errors(aio_context_t ctx, int fd, int efd)
{
	uint8_t *buf = xalign(4096, 512);
	struct iocb cb, *p = &cb;
	struct io_event ev;
	struct timespec zero = { 0, 0 };
	int pp[2], closed;
	long r;

	if (pipe(pp))
		bail_out("pipe");
	iocb_prep(&cb, IOCB_CMD_PREAD, fd, buf, 512, 0, AIO_DATA(0x58, 0), 0);
	cb.aio_flags = IOCB_FLAG_RESFD;
	cb.aio_resfd = pp[0];
	ok_errno(sys_io_submit(ctx, 1, &p), EINVAL, "aio_resfd is a pipe, not an eventfd");
	cb.aio_resfd = fd;
	ok_errno(sys_io_submit(ctx, 1, &p), EINVAL, "aio_resfd is a regular file");

	closed = dup(pp[0]);
	close(closed);
	cb.aio_resfd = closed;
	ok_errno(sys_io_submit(ctx, 1, &p), EBADF, "aio_resfd is a closed fd");

	/* rejected later in io_submit_one(): the eventfd is not signalled */
	cb.aio_resfd = efd;
	cb.aio_lio_opcode = IOCB_CMD_NOOP;
	ok_errno(sys_io_submit(ctx, 1, &p), EINVAL, "RESFD iocb with opcode IOCB_CMD_NOOP");
	cb.aio_lio_opcode = IOCB_CMD_PREAD;
	cb.aio_reserved2 = 1;
	ok_errno(sys_io_submit(ctx, 1, &p), EINVAL, "RESFD iocb with aio_reserved2 set");
	r = efd_read(efd);
	ok(r == 0, "iocbs rejected by io_submit never signal the eventfd (got %ld)", r);
	r = sys_io_getevents(ctx, 0, 1, &ev, &zero);
	ok(r == 0, "and leave no event (got %ld)", r);

	/* without the flag aio_resfd is not looked at */
	iocb_prep(&cb, IOCB_CMD_PREAD, fd, buf, 512, 0, AIO_DATA(0x59, 0), 0);
	cb.aio_resfd = 0x7fffffff;
	r = sys_io_submit(ctx, 1, &p);
	ok(r == 1, "aio_resfd set to a bad fd without IOCB_FLAG_RESFD is ignored (got %ld errno %d)",
	   r, r < 0 ? errno : 0);
	check_events("read with ignored aio_resfd", &ev, wait_events(ctx, 1, &ev, 10000),
		     &p, 1, 0x59, NULL, 512);
	close(pp[0]);
	close(pp[1]);
	free(buf);
}

int main(void)
{
	struct aio_target t;
	uint64_t seed = pattern_seed();
	aio_context_t ctx;
	int fd, efd;

	fd = scratch_target_file(&t, 0, 0);
	efd = eventfd(0, EFD_NONBLOCK);
	if (efd < 0)
		bail_out("eventfd");
	ctx = setup_or_bail(64);

	run_rw(ctx, fd, efd, seed);
	run_semaphore(ctx, fd);
	run_error_completion(ctx, fd, efd);
	run_poll(ctx, efd);
	run_errors(ctx, fd, efd);

	ok(sys_io_destroy(ctx) == 0, "io_destroy");
	close(efd);
	close(fd);
	target_cleanup(&t);
	return tap_done();
}
