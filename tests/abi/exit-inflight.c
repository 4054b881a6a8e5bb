// SPDX-License-Identifier: MIT
/*
 * exit-inflight: a process that exits with contexts and IO in flight and
 * never calls io_destroy (spec section 8: process exit reaps outstanding
 * polled IO, waits for all requests and releases the accounting).
 *
 * 1. A forked child sets up an SCQRING ring, an SCQRING|IOPOLL ring, an
 *    IOPOLL context without rings, a flags-0 io_setup2 context and an
 *    SCQRING ring holding a POLL on an empty pipe; the parent sees
 *    fs.aio-nr raised by the sum of their nr_events.  The child then
 *    submits 32 writes on each (polled ones never polled) and _exit()s.
 * 2. Same setup, but the child blocks in io_ring_enter(GETEVENTS) on the
 *    POLL ring and is killed with SIGKILL.
 * In both cases fs.aio-nr returns to its start value within a few
 * seconds.
 */
#include "ring_util.h"

#define DEPTH	32

static struct target tgt;
static int have_target;
static uint64_t seed;

struct kid {
	pid_t pid;
	int ready_fd;	/* child -> parent */
	int go_fd;	/* parent -> child */
};

static unsigned int total_events(void)
{
	return have_target ? (DEPTH + 1) * 2 + DEPTH * 2 + 8 : 8;
}

static void child_queue_writes(struct ring *r, unsigned int aio_flags, uint64_t base)
{
	uint8_t *bufs = map_pages((size_t)DEPTH * RING_BS);
	struct iocb *ptrs[DEPTH];
	unsigned int i;

	for (i = 0; i < DEPTH; i++) {
		uint64_t off = base + (uint64_t)i * RING_BS;

		pattern_fill(bufs + (size_t)i * RING_BS, RING_BS, off, seed);
		iocb_prep(&r->iocbs[i], IOCB_CMD_PWRITE, tgt.fd,
			  bufs + (size_t)i * RING_BS, RING_BS, off, AIO_DATA(0xcd, i),
			  aio_flags);
		ptrs[i] = &r->iocbs[i];
		if (r->sq)
			sq_push(r, i);
	}
	if (r->sq)
		ring_enter(r, DEPTH, 0, IORING_FLAG_SUBMIT);
	else
		sys_io_submit(r->ctx, DEPTH, ptrs);
}

static void child(int ready_fd, int go_fd, int block)
{
	struct ring a, b, c, d, e;
	int p[2];
	char x = 'R';

	if (pipe(p))
		_exit(2);
	if (have_target) {
		if (ring_setup(&a, DEPTH + 1, IOCTX_FLAG_SCQRING) ||
		    ring_setup(&b, DEPTH + 1, IOCTX_FLAG_SCQRING | IOCTX_FLAG_IOPOLL) ||
		    ring_setup(&c, DEPTH, IOCTX_FLAG_IOPOLL) ||
		    ring_setup(&d, DEPTH, 0))
			_exit(3);
	}
	if (ring_setup(&e, 8, IOCTX_FLAG_SCQRING))
		_exit(3);
	if (write(ready_fd, &x, 1) != 1 || read(go_fd, &x, 1) != 1)
		_exit(4);
	iocb_prep_poll(&e.iocbs[0], p[0], POLLIN, AIO_DATA(0xcc, 0));
	sq_push(&e, 0);
	if (ring_enter(&e, 1, 0, IORING_FLAG_SUBMIT) != 1)
		_exit(5);
	if (have_target) {
		child_queue_writes(&a, 0, 0);
		child_queue_writes(&b, IOCB_FLAG_HIPRI, 1u << 20);
		child_queue_writes(&c, IOCB_FLAG_HIPRI, 2u << 20);
		child_queue_writes(&d, 0, 3u << 20);
	}
	if (block) {
		x = 'B';
		if (write(ready_fd, &x, 1) != 1)
			_exit(6);
		ring_enter(&e, 0, 1, IORING_FLAG_GETEVENTS);
		_exit(7);	/* not reached: killed while waiting */
	}
	_exit(0);
}

static int start_child(struct kid *k, int block)
{
	int r[2], g[2];

	if (pipe(r) || pipe(g))
		bail_out("pipe");
	k->pid = fork();
	if (k->pid < 0)
		bail_out("fork");
	if (!k->pid) {
		close(r[0]);
		close(g[1]);
		child(r[1], g[0], block);
	}
	close(r[1]);
	close(g[0]);
	k->ready_fd = r[0];
	k->go_fd = g[1];
	return 0;
}

static int read_byte(int fd, char want, int ms)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	char c;

	if (poll(&pfd, 1, ms) != 1 || read(fd, &c, 1) != 1)
		return 0;
	return c == want;
}

static void run(int block, long start)
{
	const char *what = block ? "SIGKILL while waiting" : "_exit without io_destroy";
	struct kid k;
	int status, ready;
	long during, after;

	start_child(&k, block);
	ready = read_byte(k.ready_fd, 'R', 20000);
	during = aio_nr();
	ok(ready && during == start + (long)total_events(),
	   "%s: the child's contexts raise aio-nr by %u (%ld -> %ld)", what,
	   total_events(), start, during);
	if (write(k.go_fd, "G", 1) != 1)
		bail_out("write go");
	if (block) {
		int64_t end = now_ns() + 10 * 1000000000LL;
		int in = 0;

		if (read_byte(k.ready_fd, 'B', 20000))
			while (now_ns() < end &&
			       !(in = process_in_syscall(k.pid, __NR_io_ring_enter) == 1))
				ms_sleep(10);
		ok(in, "%s: the child blocks in io_ring_enter(GETEVENTS)", what);
		kill(k.pid, SIGKILL);
	}
	if (waitpid(k.pid, &status, 0) != k.pid)
		bail_out("waitpid");
	if (block)
		ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		   "%s: the child died of SIGKILL (status %#x)", what, status);
	else
		ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		   "%s: the child set up, submitted and exited (status %#x)", what,
		   status);
	after = aio_nr_wait(start, 10000);
	ok(after == start, "%s: aio-nr back to %ld after the child's exit (%ld)", what,
	   start, after);
	if (have_target)
		ok(verify_sync(tgt.fd, 0, DEPTH, seed) < 0 &&
		   verify_sync(tgt.fd, 1u << 20, DEPTH, seed) < 0 &&
		   verify_sync(tgt.fd, 2u << 20, DEPTH, seed) < 0 &&
		   verify_sync(tgt.fd, 3u << 20, DEPTH, seed) < 0,
		   "%s: the child's 4 x %d writes are all on disk", what, DEPTH);
	close(k.ready_fd);
	close(k.go_fd);
}

int main(void)
{
	long start;

	require_aioring();
	start = aio_nr();
	have_target = !target_pick(&tgt, 4u << 20);
	if (!have_target)
		diag("no O_DIRECT target: only the POLL ring is left in flight");
	else
		diag("target %s", tgt.name);

	seed = pattern_seed();
	run(0, start);
	seed = pattern_seed() + 1;
	run(1, start);
	if (have_target)
		target_close(&tgt);
	ok_aio_nr_back(start);
	return tap_done();
}
