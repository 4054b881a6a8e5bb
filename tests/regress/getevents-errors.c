// SPDX-License-Identifier: MIT
/*
 * getevents-errors: io_getevents() arguments, errors and timeouts
 * (fs/aio.c sys_io_getevents(), do_io_getevents(), read_events(),
 * aio_read_events_ring()).
 *
 *   min_nr > nr, min_nr < 0, nr < 0: EINVAL
 *   bad context (0, forged ring header, destroyed): EINVAL
 *   unreadable timeout: EFAULT, read before the context is looked up
 *   timeout expiring with nothing to reap: 0, after >= the timeout
 *   zero timeout: 0 at once; min_nr 0 / nr 0 with no timeout: 0 at once
 *   6 completions: nr 2 returns 2, the rest come next, in completion
 *     (FIFO) order, each event once; then the ring is empty
 *   fewer than min_nr available: waits for the timeout, then returns
 *     what it has (2 of min_nr 3)
 *   events array unwritable while events are available: EFAULT, and the
 *     event stays in the ring for the next call
 *   min_nr 1 and no timeout: sleeps until a completion arrives
 */
#include "aio_sys.h"

#include <poll.h>
#include <sys/wait.h>

static int64_t elapsed_ms(int64_t t0)
{
	return (now_ns() - t0) / 1000000;
}

int main(void)
{
	struct aio_target t;
	uint64_t seed = pattern_seed();
	struct timespec zero = { 0, 0 }, t100 = { 0, 100000000 }, ts5 = { 5, 0 };
	struct io_event ev[16];
	struct iocb cbs[6], *ptrs[6];
	struct { unsigned int id, nr; } forged = { 0, 0 };
	aio_context_t ctx, dead;
	uint8_t *buf;
	int64_t t0;
	long i, r, r2, inorder;
	int fd;

	fd = scratch_target_file(&t, 0, 0);
	buf = xalign(4096, 6 * 4096);
	pattern_fill(buf, 6 * 4096, 0, seed);
	if (pwrite(fd, buf, 6 * 4096, 0) != 6 * 4096)
		bail_out("pwrite");
	ctx = setup_or_bail(16);

	ok_errno(sys_io_getevents(ctx, 2, 1, ev, &zero), EINVAL, "min_nr 2 > nr 1");
	ok_errno(sys_io_getevents(ctx, -1, 1, ev, &zero), EINVAL, "min_nr -1");
	ok_errno(sys_io_getevents(ctx, 0, -1, ev, &zero), EINVAL, "nr -1");
	ok_errno(sys_io_getevents(ctx, LONG_MIN, 0, ev, &zero), EINVAL, "min_nr LONG_MIN");
	ok_errno(sys_io_getevents(0, 0, 1, ev, &zero), EINVAL, "context 0");
	ok_errno(sys_io_getevents((aio_context_t)&forged, 0, 1, ev, &zero), EINVAL,
		 "forged ring header in user memory as context");
	dead = setup_or_bail(4);
	ok(sys_io_destroy(dead) == 0, "io_destroy of a second context");
	ok_errno(sys_io_getevents(dead, 0, 1, ev, &zero), EINVAL, "destroyed context");
	ok_errno(sys_io_destroy(dead), EINVAL, "io_destroy of it again");
	ok_errno(sys_io_getevents(ctx, 0, 1, ev, (struct timespec *)8), EFAULT,
		 "unreadable timeout");
	ok_errno(sys_io_getevents(0, 0, 1, ev, (struct timespec *)8), EFAULT,
		 "unreadable timeout with context 0: the timeout is read first");

	t0 = now_ns();
	r = sys_io_getevents(ctx, 1, 4, ev, &t100);
	ok(r == 0, "min_nr 1 with nothing to reap: 0 when the 100 ms timeout expires (got %ld errno %d)",
	   r, r < 0 ? errno : 0);
	ok(elapsed_ms(t0) >= 100, "after at least 100 ms (%lld ms)", (long long)elapsed_ms(t0));
	t0 = now_ns();
	r = sys_io_getevents(ctx, 1, 4, ev, &zero);
	ok(r == 0 && elapsed_ms(t0) < 1000, "zero timeout: 0 at once (got %ld, %lld ms)", r,
	   (long long)elapsed_ms(t0));
	t0 = now_ns();
	r = sys_io_getevents(ctx, 0, 0, NULL, NULL);
	ok(r == 0 && elapsed_ms(t0) < 1000, "min_nr 0, nr 0, no timeout: 0 at once (got %ld)", r);
	r = sys_io_getevents(ctx, 0, 4, ev, NULL);
	ok(r == 0 && elapsed_ms(t0) < 1000, "min_nr 0, no timeout, empty ring: 0 at once (got %ld)", r);

	/* 6 buffered reads complete inside io_submit, in submission order */
	memset(buf, 0, 6 * 4096);
	for (i = 0; i < 6; i++) {
		iocb_prep(&cbs[i], IOCB_CMD_PREAD, fd, buf + i * 4096, 4096, i * 4096,
			  AIO_DATA(0x90, i), 0);
		ptrs[i] = &cbs[i];
	}
	r = sys_io_submit(ctx, 6, ptrs);
	ok(r == 6, "6 reads submitted (got %ld)", r);
	ms_sleep(20);
	r = sys_io_getevents(ctx, 0, 2, ev, &zero);
	ok(r == 2, "nr 2 returns 2 of the 6 completions (got %ld)", r);
	r2 = sys_io_getevents(ctx, 0, 16, ev + 2, &zero);
	ok(r2 == 4, "the next call returns the other 4 (got %ld)", r2);
	check_events("6 reads reaped in two calls", ev, (r > 0 ? r : 0) + (r2 > 0 ? r2 : 0),
		     ptrs, 6, 0x90, NULL, 4096);
	for (i = 0, inorder = 1; i < 6; i++)
		if (ev[i].data != AIO_DATA(0x90, i))
			inorder = 0;
	ok(inorder, "events come out in completion (FIFO) order");
	ok_pattern(buf, 6 * 4096, 0, seed, "the 6 reads returned the file's bytes");
	ok(sys_io_getevents(ctx, 0, 16, ev, &zero) == 0, "the ring is empty afterwards");

	/* fewer than min_nr */
	r = sys_io_submit(ctx, 2, ptrs);
	ok(r == 2, "2 more reads submitted (got %ld)", r);
	ms_sleep(20);
	t0 = now_ns();
	r = sys_io_getevents(ctx, 3, 4, ev, &t100);
	ok(r == 2, "min_nr 3 with 2 available: returns 2 when the timeout expires (got %ld)", r);
	ok(elapsed_ms(t0) >= 100, "having waited the 100 ms (%lld ms)", (long long)elapsed_ms(t0));

	/* unwritable events array */
	r = sys_io_submit(ctx, 1, ptrs);
	ok(r == 1, "1 more read submitted (got %ld)", r);
	ms_sleep(20);
	ok_errno(sys_io_getevents(ctx, 1, 1, (struct io_event *)8, &ts5), EFAULT,
		 "events array unwritable with an event available");
	r = sys_io_getevents(ctx, 1, 1, ev, &zero);
	ok(r == 1 && ev[0].data == AIO_DATA(0x90, 0) && ev[0].obj == (uintptr_t)&cbs[0] &&
	   ev[0].res == 4096,
	   "the event was kept in the ring and the next call returns it (got %ld)", r);

	/* block without timeout until a completion */
	{
		int pp[2];
		pid_t pid;
		struct iocb pcb, *p = &pcb;

		if (pipe(pp))
			bail_out("pipe");
		iocb_prep_poll(&pcb, pp[0], POLLIN, AIO_DATA(0x91, 0));
		ok(sys_io_submit(ctx, 1, &p) == 1, "pending poll submitted");
		pid = fork();
		if (pid == 0) {
			ms_sleep(150);
			_exit(write(pp[1], "x", 1) == 1 ? 0 : 1);
		}
		t0 = now_ns();
		r = sys_io_getevents(ctx, 1, 1, ev, NULL);
		ok(r == 1 && ev[0].data == AIO_DATA(0x91, 0) && (ev[0].res & POLLIN),
		   "min_nr 1, no timeout: returns the completion (got %ld)", r);
		ok(elapsed_ms(t0) >= 100, "after sleeping until it happened (%lld ms)",
		   (long long)elapsed_ms(t0));
		waitpid(pid, NULL, 0);
		close(pp[0]);
		close(pp[1]);
	}

	ok(sys_io_destroy(ctx) == 0, "io_destroy");
	ok_errno(sys_io_getevents(ctx, 0, 1, ev, &zero), EINVAL, "io_getevents after io_destroy");
	ok_errno(sys_io_destroy(ctx), EINVAL, "io_destroy twice");
	close(fd);
	target_cleanup(&t);
	free(buf);
	return tap_done();
}
