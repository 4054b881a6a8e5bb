// SPDX-License-Identifier: MIT
/*
 * sqthread-final-fput: a file whose last reference the SQ thread drops
 * is closed right then, not when the thread exits (review finding M2).
 *
 * An io thread's final fput() is queued as task_work, which runs when a
 * task returns to user space, and the SQ thread never does; unless the
 * thread runs it, a file the application closed while a request of the
 * thread held it stays open for the life of the context: a pipe's reader
 * never sees EOF, a deleted file keeps its blocks.
 *
 * For SQTHREAD and SQTHREAD|SQPOLL: the pipe is filled to its capacity,
 * a 4 KiB write of it goes through the SQ thread and blocks there, the
 * application closes its write end, then drains the pipe. Checks: the
 * write completes (res 4096), the reader gets every byte, then EOF
 * within 5 s, while the context still exists.
 */
#include "ring2_util.h"

#define WLEN	4096

/* Wait up to ms for this process's SQ thread to sleep in pipe_write(). */
static int thread_in_pipe_write(int ms)
{
	int64_t end = now_ns() + (int64_t)ms * 1000000LL;
	char path[64], wchan[64];
	pid_t tid = 0;

	do {
		if (find_sq_threads(0, getpid(), &tid) == 1) {
			snprintf(path, sizeof(path), "/proc/self/task/%d/wchan", (int)tid);
			if (!read_file(path, wchan, sizeof(wchan)) &&
			    !strcmp(wchan, "pipe_write"))
				return 1;
		}
		ms_sleep(10);
	} while (now_ns() < end);
	return 0;
}

static void one_mode(unsigned int flags, const char *what)
{
	static char wbuf[WLEN], rbuf[65536];
	long cap, got = 0, want;
	struct io_event ev;
	struct ring r;
	int p[2], eof = 0, nev;
	int64_t end;

	if (pipe(p))
		bail_out("pipe");
	cap = fcntl(p[1], F_GETPIPE_SZ);
	if (cap <= 0 || cap > (long)sizeof(rbuf))
		bail_out("F_GETPIPE_SZ: %ld", cap);
	for (want = 0; want < cap; want += WLEN)
		if (write(p[1], wbuf, WLEN) != WLEN)
			bail_out("fill the pipe");
	want = cap + WLEN;

	ring_setup_or_bail(&r, 4, flags);
	iocb_prep(&r.iocbs[0], IOCB_CMD_PWRITE, p[1], wbuf, WLEN, 0, 0xf1, 0);
	sq_push(&r, 0);
	ring_enter(&r, 1, 0, IORING_FLAG_SUBMIT);
	/* the thread took it and waits in the write (its head moves after) */
	ok(thread_in_pipe_write(5000) && cq_count(&r) == 0,
	   "%s: the thread waits in the write of a full pipe", what);
	close(p[1]);

	end = now_ns() + 5000000000LL;
	while (!eof && now_ns() < end) {
		struct pollfd pfd = { p[0], POLLIN, 0 };
		ssize_t n;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = read(p[0], rbuf, sizeof(rbuf));
		if (n < 0)
			bail_out("read the pipe");
		if (n == 0)
			eof = 1;
		got += n;
	}
	nev = ring_reap_wait(&r, &ev, 1, 1000);
	ok(nev == 1 && ev.res == WLEN && ev.data == 0xf1,
	   "%s: the write completes (%d event, res %lld)", what, nev,
	   nev ? (long long)ev.res : 0LL);
	ok(got == want, "%s: the reader gets all %ld bytes (%ld)", what, want, got);
	ok(eof, "%s: then EOF within 5 s of closing the write end, the context alive", what);
	ok(ring_destroy(&r) == 0, "%s: io_destroy", what);
	close(p[0]);
}

int main(void)
{
	return r2_main_sq_modes(one_mode, 5);
}
