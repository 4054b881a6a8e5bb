// SPDX-License-Identifier: MIT
/*
 * iopoll-submit: polled aio without rings, the way v9's libaio engine
 * uses it: io_setup2(N, IOCTX_FLAG_IOPOLL, NULL, NULL, &ctx), iocbs with
 * IOCB_FLAG_HIPRI handed to io_submit(2) by pointer, and io_getevents(2)
 * polling for their completions.
 *
 * On every O_DIRECT target (polled block devices, the device without
 * poll queues, a file on ext4 and on xfs), at depths 1, 32 and 128
 * (the last with batches of varying size): writes of a per-block pattern,
 * a synchronous O_DIRECT check, then reads in another order.  Every IO
 * completes exactly once with data = aio_data, obj = the user iocb
 * pointer, res = 4096, res2 = 0, and every block reads back intact.
 */
#include "ring_util.h"

static const unsigned int depths[] = { 1, 32, 128 };

int main(void)
{
	struct target t[MAX_TARGETS];
	int nt, i;
	unsigned int d;
	uint64_t seed = pattern_seed();
	long start;

	require_aioring();
	start = aio_nr();
	nt = targets_collect(t, MAX_TARGETS, TGT_ALL);
	if (!targets_open_all(t, nt, 4u << 20))
		skip_all("no O_DIRECT target (AIORING_POLL_BDEVS, AIORING_NOPOLL_BDEV, AIORING_TEST_DIRS)");

	for (i = 0; i < nt; i++) {
		if (t[i].fd < 0)
			continue;
		for (d = 0; d < ARRAY_SIZE(depths); d++) {
			unsigned int depth = depths[d];
			unsigned int nblocks = depth == 1 ? 48 : 128;
			struct ring r;
			long ret;

			ret = ring_setup(&r, depth + 1, IOCTX_FLAG_IOPOLL);
			if (!ok(ret == 0, "%s depth %u: io_setup2(%u, IOPOLL) returns 0 (errno %d)",
				t[i].name, depth, depth + 1, ret ? errno : 0))
				continue;
			rw_write_read(&r, t[i].fd, (uint64_t)d << 20, nblocks, depth,
				      IOCB_FLAG_HIPRI, depth == 128,
				      seed + i * 131 + depth,
				      label("%s IOPOLL io_submit depth %u", t[i].name,
					    depth));
			ok(ring_destroy(&r) == 0, "%s depth %u: io_destroy returns 0",
			   t[i].name, depth);
		}
	}
	targets_close_all(t, nt);
	ok_aio_nr_back(start);
	return tap_done();
}
