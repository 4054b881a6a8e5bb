// SPDX-License-Identifier: MIT
/*
 * destroy-blocked-worker: io_destroy and process exit must not wait
 * forever for a request that blocks for good in the SQ thread or in an
 * SQWQ worker (spec 8, 10: no user action may hang). A read of an empty
 * eventfd, socket or pipe never completes by itself; teardown has to
 * interrupt it (its event, -EINTR, goes nowhere: the context is dead).
 *
 * For each of SQWQ, SQ thread, SQ thread + SQWQ and SQPOLL, and each of
 * an eventfd (counter 0), a socket and a pipe, all blocking, in a child:
 * a read is queued, 300 ms later (the request is blocked by then)
 *  - io_destroy returns 0 within 5 s;
 *  - or, the other case, the process exits with the context alive and is
 *    reaped within 5 s;
 * and fs.aio-nr is back within 5 s (a worker blocked in the request must
 * not keep the context of a dead process alive). When teardown hangs (the bug this guards
 * against) the test fails, then feeds the file so the blocked request
 * ends and the guest can go on.
 */
#include "ring2_util.h"

#include <sys/eventfd.h>
#include <sys/socket.h>

enum { F_EVENTFD, F_SOCKET, F_PIPE, F_NR };
static const char *const fname[F_NR] = { "eventfd", "socket", "pipe" };

static const struct {
	const char *name;
	unsigned int flags;
} modes[] = {
	{ "SQWQ", IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQWQ },
	{ "SQ thread", IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD },
	{ "SQ thread + SQWQ", IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD | IOCTX_FLAG_SQWQ },
	{ "SQPOLL", IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD | IOCTX_FLAG_SQPOLL },
};

struct fds {
	int rd;		/* what the request reads */
	int feed;	/* what unblocks it */
};

static int make_fds(int kind, struct fds *f)
{
	int p[2];

	switch (kind) {
	case F_EVENTFD:
		f->rd = f->feed = eventfd(0, 0);
		return f->rd < 0 ? -1 : 0;
	case F_SOCKET:
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, p))
			return -1;
		break;
	default:
		if (pipe(p))
			return -1;
		break;
	}
	f->rd = p[0];
	f->feed = p[1];
	return 0;
}

static void close_fds(struct fds *f)
{
	close(f->rd);
	if (f->feed != f->rd)
		close(f->feed);
}

/* Give the blocked read what it waits for. */
static void feed(const struct fds *f)
{
	uint64_t one = 1;
	ssize_t n = write(f->feed, &one, sizeof(one));

	(void)n;
}

/*
 * In a child: queue the read, wait, then io_destroy (destroy) or exit.
 * Writes one byte to report when io_destroy returned 0.
 */
static void child(unsigned int flags, const struct fds *f, int destroy, int rep)
{
	struct ring r;
	uint8_t *buf = map_pages(4096);
	char c = 'x';

	if (ring_setup_bufs(&r, 4, flags, 0, NULL, NULL))
		_exit(3);
	iocb_prep(&r.iocbs[0], IOCB_CMD_PREAD, f->rd, buf, 8, 0, 0xb10c, 0);
	sq_push(&r, 0);
	if (ring_enter(&r, 1, 0, IORING_FLAG_SUBMIT) != 1)
		_exit(4);
	ms_sleep(300);
	if (destroy) {
		if (sys_io_destroy(r.ctx))
			_exit(5);
		if (write(rep, &c, 1) != 1)
			_exit(6);
	}
	_exit(0);
}

static void one(unsigned int m, int kind, int destroy)
{
	const char *what = label("%s, blocked read of %s: %s", modes[m].name,
				 fname[kind], destroy ? "io_destroy" : "exit");
	long start = aio_nr();
	int fd, st = 0, done = 0, fed = 0;
	int64_t t0, end;
	struct fds f;
	pid_t pid;

	if (make_fds(kind, &f))
		bail_out("fds");
	pid = fork_piped(&fd);
	if (pid == 0)
		child(modes[m].flags, &f, destroy, fd);
	t0 = now_ns();
	end = t0 + 5300000000LL;	/* 300 ms of setup, 5 s of teardown */
	while (now_ns() < end) {
		struct pollfd pfd = { fd, POLLIN, 0 };

		if (waitpid(pid, &st, WNOHANG) == pid) {
			done = 2;
			break;
		}
		if (destroy && poll(&pfd, 1, 20) > 0) {
			char c;

			if (read(fd, &c, 1) == 1)
				done = 1;
			break;
		}
		if (!destroy)
			ms_sleep(20);
	}
	if (!done) {
		diag("%s: teardown still waits after 5 s; feeding the %s", what, fname[kind]);
		dump_tasks(pid);
		feed(&f);
		fed = 1;
	}
	if (done != 2 && !reap_within(pid, &st, 10000)) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	ok(!fed && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	   "%s: done within 5 s (%.2f s, exit status %d)", what, (now_ns() - t0) / 1e9,
	   WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	/*
	 * The process is gone; its context must be too (a worker still
	 * blocked in the request would keep it, and fs.aio-nr, for good).
	 */
	{
		long v = aio_nr_wait(start, 5000);

		ok(v == start, "%s: fs.aio-nr back within 5 s (%ld -> %ld)", what, start, v);
		if (v != start && !fed) {
			diag("%s: the context outlives its process; feeding the %s", what,
			     fname[kind]);
			feed(&f);
			aio_nr_wait(start, 10000);
		}
	}
	close(fd);
	close_fds(&f);
}

int main(void)
{
	unsigned int m;
	int kind, destroy;
	long start;

	require_aioring();
	start = aio_nr();
	for (m = 0; m < ARRAY_SIZE(modes); m++)
		for (kind = 0; kind < F_NR; kind++)
			for (destroy = 1; destroy >= 0; destroy--)
				one(m, kind, destroy);
	ok_aio_nr_back(start);
	return tap_done();
}
