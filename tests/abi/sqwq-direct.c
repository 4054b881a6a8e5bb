// SPDX-License-Identifier: MIT
/*
 * sqwq-direct: O_DIRECT reads and writes through IOCTX_FLAG_SQWQ on block
 * devices (null_blk, NVMe, the virtio disk without poll queues).
 *
 * A read that the inline non-blocking try gives to a worker is queued by
 * the worker and may complete (and be freed) before the worker's
 * aio_read() returns; aio_read() once looked at the request after that
 * (a use-after-free KASAN reported, found by aioring-fuzz). Many such
 * reads at depth 32: on the debug kernel, any access to a freed request
 * is a KASAN report, which fails the run.
 *
 * Per device: 512 writes of 4 KiB with a pattern, then 512 reads, each
 * checked byte for byte; events carry aio_data, obj = slot, res = 4096,
 * res2 = 0 (CACHEHIT is for the page cache only).
 */
#include "ring2_util.h"

#define N	33
#define OPS	512

int main(void)
{
	static const char *const devs[] = { "nullb0", "nvme0n1", "vdc" };
	static const size_t sizes[] = { 4096 };
	unsigned int d, tested = 0;
	long start;

	require_aioring();
	start = aio_nr();
	for (d = 0; d < ARRAY_SIZE(devs); d++) {
		struct slot_bufs b;
		struct target t;
		struct ring r;
		int w;

		if (r2_open_bdev(devs[d], &t)) {
			skip("%s: not here", devs[d]);
			continue;
		}
		slot_bufs_alloc(&b, N, sizes, 1);
		if (ring_setup_bufs(&r, N, IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQWQ, 0, NULL, NULL)) {
			ok(0, "%s: io_setup2(SCQRING|SQWQ): %s", devs[d], strerror(errno));
			target_close(&t);
			continue;
		}
		for (w = 1; w >= 0; w--) {
			struct r2_pass p;

			memset(&p, 0, sizeof(p));
			p.r = &r;
			p.fd = t.fd;
			p.write = w;
			p.mode = R2_ENTER;
			p.nops = OPS;
			p.depth = 32;
			p.bufs = b.buf;
			p.seed = 0x5d17ec7 + d;
			p.tag = 0x5d + d;
			p.res2_mode = R2_RES2_ZERO;
			r2_pass_run(&p);
			r2_pass_report(&p, label("%s, SQWQ, O_DIRECT", devs[d]));
		}
		ok(ring_destroy(&r) == 0, "%s: io_destroy returns 0", devs[d]);
		slot_bufs_free(&b);
		target_close(&t);
		tested++;
	}
	if (!tested)
		skip("no block device to test");
	ok_aio_nr_back(start);
	return tap_done();
}
