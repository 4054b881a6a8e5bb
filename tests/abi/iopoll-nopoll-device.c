// SPDX-License-Identifier: MIT
/*
 * iopoll-nopoll-device: polled contexts on a block device without poll
 * queues (AIORING_NOPOLL_BDEV, /dev/vdc in the VM: io_poll reads 0).  The
 * spec (section 7, IOPOLL): "On a device without poll queues the IO still
 * completes (by interrupt)" - the poller must find those completions and
 * nothing may hang.
 *
 * SCQRING|IOPOLL rings at depth 1 and 32 and an IOPOLL context without
 * rings (io_submit/io_getevents) at depth 32: HIPRI writes of a per-block
 * pattern, a synchronous check, HIPRI reads compared byte for byte; every
 * event exactly once with the right data/obj/res/res2.  A last pass asks
 * GETEVENTS for 8 completions per call.
 */
#include "ring_util.h"

int main(void)
{
	struct target t[MAX_TARGETS];
	struct ring r;
	struct rw_pass p;
	uint64_t seed = pattern_seed();
	long start;
	int n;

	require_aioring();
	start = aio_nr();
	n = targets_collect(t, MAX_TARGETS, TGT_NOPOLL_BDEV);
	if (!n || !targets_open_all(t, n, 4u << 20))
		skip_all("no usable AIORING_NOPOLL_BDEV");
	diag("%s: io_poll = %d", t[0].path, bdev_io_poll(t[0].path));
	if (t[0].polled)
		diag("%s has poll queues after all: polled IO is tested anyway", t[0].name);

	ring_setup_or_bail(&r, 2, IOCTX_FLAG_SCQRING | IOCTX_FLAG_IOPOLL);
	rw_write_read(&r, t[0].fd, 0, 32, 1, IOCB_FLAG_HIPRI, 0, seed,
		      label("%s polled ring depth 1", t[0].name));
	ok(ring_destroy(&r) == 0, "depth 1 ring: io_destroy returns 0");

	ring_setup_or_bail(&r, 33, IOCTX_FLAG_SCQRING | IOCTX_FLAG_IOPOLL);
	rw_write_read(&r, t[0].fd, 1u << 20, 128, 32, IOCB_FLAG_HIPRI, 1, seed + 1,
		      label("%s polled ring depth 32", t[0].name));
	memset(&p, 0, sizeof(p));
	p.fd = t[0].fd;
	p.write = 0;
	p.nblocks = 128;
	p.base = 1u << 20;
	p.seed = seed + 1;
	p.depth = 32;
	p.mult = 5;
	p.aio_flags = IOCB_FLAG_HIPRI;
	p.min_complete = 8;
	p.tag = 0x38;
	rw_pass_run(&r, &p);
	rw_pass_report(&p, label("%s polled ring, min_complete 8", t[0].name));
	ok(ring_destroy(&r) == 0, "depth 32 ring: io_destroy returns 0");

	ring_setup_or_bail(&r, 33, IOCTX_FLAG_IOPOLL);
	rw_write_read(&r, t[0].fd, 2u << 20, 128, 32, IOCB_FLAG_HIPRI, 0, seed + 2,
		      label("%s IOPOLL io_submit depth 32", t[0].name));
	ok(ring_destroy(&r) == 0, "IOPOLL ctx: io_destroy returns 0");

	targets_close_all(t, n);
	ok_aio_nr_back(start);
	return tap_done();
}
