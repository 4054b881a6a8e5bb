// SPDX-License-Identifier: MIT
/*
 * ring-iopoll: SCQRING|IOPOLL contexts (every iocb with IOCB_FLAG_HIPRI,
 * GETEVENTS polls), O_DIRECT 4 KiB IO at depths 1, 32 and 128 (N = depth + 1,
 * as v9 clients size their rings, so not a power of two) on every target:
 * the polled block devices, the device without poll queues (polled IO
 * still completes there), and a file on each test filesystem (ext4, xfs).
 *
 * For each target and depth: writes of a pattern unique per block (offset
 * + seed) through the ring, then reads in another order.  Every IO
 * completes exactly once with data = aio_data, obj = the iocb index,
 * res = 4096, res2 = 0; SUBMIT returns the number of SQ entries the
 * kernel consumed (head moved by exactly that much) and GETEVENTS alone
 * returns 0; ring indexes stay in 0..N-1 / 0..2N-1; a synchronous
 * O_DIRECT pread sees the written data and every read matches it.
 * GETEVENTS polls until at least min_complete events are in the CQ: a
 * further pass at depth 32 asks for 8 per call (batches of varying size)
 * and checks the CQ holds at least that many when each call returns.
 *
 * The loop over targets and depths is rw_depths_main() (ring_util.h),
 * shared with ring-irq and iopoll-submit.
 */
#include "ring_util.h"

static void min_complete_pass(struct target *t, int i, uint64_t run_seed)
{
	uint64_t seed = run_seed ^ (0x1000 + i);
	struct ring r;
	struct rw_pass p;

	if (ring_setup(&r, 33, IOCTX_FLAG_SCQRING | IOCTX_FLAG_IOPOLL)) {
		ok(0, "%s: io_setup2(33, SCQRING|IOPOLL) (errno %d)", t->name, errno);
		return;
	}
	memset(&p, 0, sizeof(p));
	p.fd = t->fd;
	p.write = 1;
	p.nblocks = 96;
	p.base = 3u << 20;
	p.seed = seed;
	p.depth = 32;
	p.mult = 7;
	p.aio_flags = IOCB_FLAG_HIPRI;
	p.min_complete = 8;
	p.vary = 1;
	p.tag = 0x4d;
	rw_pass_run(&r, &p);
	rw_pass_report(&p, label("%s min_complete 8 write", t->name));
	p.write = 0;
	p.mult = 11;
	p.tag = 0x4e;
	p.submitted = p.completed = p.calls = p.eagain = p.short_submit = 0;
	p.bad_event = p.bad_obj = p.bad_res = p.bad_res2 = p.bad_data = 0;
	p.bad_ret = p.bad_index = p.bad_min = 0;
	if (!p.timed_out && !p.err) {
		rw_pass_run(&r, &p);
		rw_pass_report(&p, label("%s min_complete 8 read", t->name));
	}
	ok(ring_destroy(&r) == 0, "%s min_complete 8: io_destroy returns 0", t->name);
}

int main(void)
{
	static const struct rw_depths iopoll = {
		.flags = IOCTX_FLAG_SCQRING | IOCTX_FLAG_IOPOLL,
		.flags_name = "SCQRING|IOPOLL",
		.aio_flags = IOCB_FLAG_HIPRI,
		.per_target = min_complete_pass,
	};

	return rw_depths_main(&iopoll);
}
