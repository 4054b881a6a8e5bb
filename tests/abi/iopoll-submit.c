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
 *
 * The loop over targets and depths is rw_depths_main() (ring_util.h),
 * shared with ring-irq and ring-iopoll.
 */
#include "ring_util.h"

int main(void)
{
	static const struct rw_depths iopoll_submit = {
		.flags = IOCTX_FLAG_IOPOLL,
		.flags_name = "IOPOLL",
		.aio_flags = IOCB_FLAG_HIPRI,
		.vary_deepest = 1,
		.what = "IOPOLL io_submit",
	};

	return rw_depths_main(&iopoll_submit);
}
