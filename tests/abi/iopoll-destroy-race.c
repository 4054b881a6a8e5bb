// SPDX-License-Identifier: MIT
/*
 * iopoll-destroy-race: io_destroy racing a batched submission of polled
 * reads must finish (spec 8, 10).
 *
 * A polled request submitted after its context died is polled to
 * completion by its submitter (nobody else will). Batches of more than
 * two requests are submitted under a block plug, so the bio may still be
 * in the plug: the submitter then polled, forever, for an IO that never
 * started (found by aioring-fuzz: io_destroy waited for an SQ thread
 * spinning in aio_iopoll_one()). The plug is now flushed first.
 *
 * On a polled block device, 60 rounds each of: a context (IOPOLL, and
 * IOPOLL with an SQPOLL thread), a thread that keeps submitting batches
 * of 8 reads, io_destroy from another thread after 0-15 ms. Each round
 * must end within 10 s; fs.aio-nr back at the end. A round that hangs
 * fails the test (its child spins in the kernel and is left behind).
 */
#include "ring2_util.h"

#define ROUNDS	60
#define N	16

struct sub {
	struct ring *r;
	uint8_t *buf;
	int fd;
	volatile int stop;
};

static void *submitter(void *arg)
{
	struct sub *s = arg;
	unsigned int i;

	while (!s->stop) {
		struct io_event ev;

		for (i = 0; i < 8 && sq_space(s->r); i++) {
			unsigned int slot = sq_tail(s->r);

			iocb_prep(&s->r->iocbs[slot], IOCB_CMD_PREAD, s->fd,
				  s->buf + (size_t)slot * 4096, 4096,
				  (uint64_t)slot * 4096, slot, IOCB_FLAG_HIPRI);
			sq_push(s->r, slot);
		}
		if (ring_enter(s->r, 8, 0, IORING_FLAG_SUBMIT | IORING_FLAG_GETEVENTS) < 0 &&
		    errno == EINVAL)
			break;	/* destroyed */
		while (cq_pop(s->r, &ev))
			;
	}
	return NULL;
}

static void round_child(unsigned int flags, int fd, unsigned int delay_ms)
{
	struct sub s;
	struct ring r;
	pthread_t t;

	if (ring_setup_bufs(&r, N, flags, 0, NULL, NULL))
		_exit(3);
	s.r = &r;
	s.fd = fd;
	s.stop = 0;
	s.buf = map_pages((size_t)N * 4096);
	if (pthread_create(&t, NULL, submitter, &s))
		_exit(4);
	ms_sleep(delay_ms);
	if (sys_io_destroy(r.ctx))
		_exit(5);
	s.stop = 1;
	pthread_join(t, NULL);
	_exit(0);
}

int main(void)
{
	static const unsigned int modes[] = {
		IOCTX_FLAG_SCQRING | IOCTX_FLAG_IOPOLL,
		IOCTX_FLAG_SCQRING | IOCTX_FLAG_IOPOLL | IOCTX_FLAG_SQTHREAD | IOCTX_FLAG_SQPOLL,
	};
	struct target t;
	unsigned int m, i, hung = 0, bad = 0;
	long start;

	require_aioring();
	if (r2_open_bdev("nullb0", &t) && r2_open_bdev("nvme0n1", &t))
		skip_all("no polled block device");
	start = aio_nr();
	for (m = 0; m < ARRAY_SIZE(modes); m++) {
		double worst = 0;

		for (i = 0; i < ROUNDS && !hung; i++) {
			int64_t t0 = now_ns();
			int st = 0;
			pid_t pid;

			fflush(stdout);
			pid = fork();
			if (pid < 0)
				bail_out("fork");
			if (pid == 0)
				round_child(modes[m], t.fd, i % 16);
			if (!reap_within(pid, &st, 10000)) {
				diag("round %u: not done after 10 s:", i);
				dump_tasks(pid);
				kill(pid, SIGKILL);
				hung++;
				break;
			}
			if (!WIFEXITED(st) || WEXITSTATUS(st))
				bad++;
			if ((now_ns() - t0) / 1e9 > worst)
				worst = (now_ns() - t0) / 1e9;
		}
		ok(!hung && !bad,
		   "flags %#x, %s: %u rounds of io_destroy racing batched polled submissions end (slowest %.2f s, %u failed)",
		   modes[m], t.name, i, worst, bad);
	}
	if (!hung)
		ok_aio_nr_back(start);
	target_close(&t);
	return tap_done();
}
