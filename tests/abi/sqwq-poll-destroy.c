// SPDX-License-Identifier: MIT
/*
 * sqwq-poll-destroy: io_destroy racing IOCB_CMD_POLL requests that the
 * IOCTX_FLAG_SQWQ workers arm (spec 8, 10: teardown cancels what waits,
 * no user action may hang).
 *
 * On an SQWQ context every poll goes to a worker. Teardown cancels the
 * armed polls once the context's last user is gone; a worker once armed
 * its poll without holding a user reference, so a poll armed just after
 * that cancel pass waited for good, and io_destroy with it (a kernel
 * reviewer found it; an unkillable process at exit).
 *
 * ROUNDS rounds in a child: 31 polls for POLLIN on an empty pipe, then
 * io_destroy after a delay that sweeps 0 to 1.9 ms, so that it meets the
 * workers at every stage. Checks: every io_destroy returns 0, the child
 * finishes within its time (a hang fails it; the pipe is fed then, so
 * that the guest can go on), fs.aio-nr is back at the end.
 */
#include "ring2_util.h"

#define N	32
#define ROUNDS	300

static int feed_fd[2] = { -1, -1 };

static void feed_pipe(void)
{
	static const char b[64];

	if (write(feed_fd[1], b, sizeof(b)) < 0)
		diag("feed the pipe: %s", strerror(errno));
}

static void run_rounds(void *arg)
{
	unsigned int r, i, bad = 0, polls = 0;

	(void)arg;
	for (r = 0; r < ROUNDS; r++) {
		struct ring rg;
		long e;

		if (ring_setup(&rg, N, IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQWQ)) {
			ok(0, "round %u: io_setup2(SCQRING|SQWQ): %s", r, strerror(errno));
			return;
		}
		for (i = 0; i < N - 1; i++) {
			iocb_prep_poll(&rg.iocbs[i], feed_fd[0], POLLIN, AIO_DATA(r, i));
			sq_push(&rg, i);
		}
		e = ring_enter(&rg, N - 1, 0, IORING_FLAG_SUBMIT);
		if (e != N - 1 && bad++ < 5)
			diag("round %u: io_ring_enter(SUBMIT, %u) = %ld (%s)", r, N - 1, e,
			     e < 0 ? strerror(errno) : "short");
		polls += e > 0 ? e : 0;
		if (r % 20)
			usleep((r % 20) * 100);
		e = ring_destroy(&rg);
		if (e && bad++ < 5)
			diag("round %u: io_destroy = %ld (%s)", r, e, strerror(errno));
	}
	ok(!bad, "%u rounds: %u polls armed by the workers, each io_destroy "
	   "returned 0 (%u failures)", ROUNDS, polls, bad);
}

int main(void)
{
	long start;

	require_aioring();
	start = aio_nr();
	if (pipe(feed_fd))
		bail_out("pipe");
	run_child_ex("SQWQ polls racing io_destroy", run_rounds, NULL, 240,
		     feed_pipe, 1);
	ok_aio_nr_back(start);
	return tap_done();
}
