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
 *
 * The loop over targets and depths is rw_depths_main() (ring_util.h),
 * shared with ring-iopoll and iopoll-submit.
 */
#include "ring_util.h"

int main(void)
{
	static const struct rw_depths irq = {
		.flags = IOCTX_FLAG_SCQRING,
		.flags_name = "SCQRING",
	};

	return rw_depths_main(&irq);
}
