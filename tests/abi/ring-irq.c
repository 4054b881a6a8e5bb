// SPDX-License-Identifier: MIT
/*
 * ring-irq: SCQRING contexts with interrupt-driven completions (no
 * IOPOLL), O_DIRECT 4 KiB IO at queue depths 1, 32 and 128 (N = depth + 1,
 * as v9 clients size their rings, so not a power of two) on every target:
 * the polled block devices (used without HIPRI here), the device without
 * poll queues, and a file on each test filesystem (ext4, xfs).
 *
 * For each target and depth: writes of a pattern unique per block (offset
 * + seed) through the ring, then reads in another order.  Every IO
 * completes exactly once with data = aio_data, obj = the iocb index,
 * res = 4096, res2 = 0; SUBMIT returns the number of SQ entries the
 * kernel consumed (head moved by exactly that much) and GETEVENTS alone
 * returns 0; ring indexes stay in 0..N-1 / 0..2N-1; a synchronous
 * O_DIRECT pread sees the written data and every read matches it.
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

			ret = ring_setup(&r, depth + 1, IOCTX_FLAG_SCQRING);
			if (!ok(ret == 0, "%s depth %u: io_setup2(%u, SCQRING) returns 0 (errno %d)",
				t[i].name, depth, depth + 1, ret ? errno : 0))
				continue;
			rw_write_read(&r, t[i].fd, (uint64_t)d << 20, nblocks, depth,
				      0, 0, seed + i * 131 + depth,
				      label("%s depth %u N=%u", t[i].name, depth,
					    depth + 1));
			ok(ring_destroy(&r) == 0, "%s depth %u: io_destroy returns 0",
			   t[i].name, depth);
		}
	}
	targets_close_all(t, nt);
	ok_aio_nr_back(start);
	return tap_done();
}
