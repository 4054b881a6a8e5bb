// SPDX-License-Identifier: MIT
/*
 * ring-unmap: the application unmaps its rings while the context lives
 * (spec section 10: no user action may oops, hang or leak; unmapped
 * rings).  What the calls return then is not specified; what is: they
 * return (no hang), io_destroy returns 0 and fs.aio-nr goes back.  The
 * kernel log of the VM run catches an oops or a KASAN report.
 *
 * 1. SCQRING ring: 16 O_DIRECT writes submitted, then the CQ ring is
 *    unmapped before they are reaped; GETEVENTS; io_destroy.
 * 2. SCQRING|IOPOLL ring: the same with polled writes (the kernel has to
 *    place completions in a CQ that is gone).
 * 3. SCQRING ring: the SQ ring and the iocb array are unmapped, then
 *    SUBMIT is called with entries "queued".
 * 4. The CQ region is replaced by a fresh anonymous mapping at the same
 *    address (MAP_FIXED) with IO in flight.
 */
#include "ring_util.h"

static uint64_t seed;

static void report(long ret, int e, const char *what)
{
	diag("%s: returned %ld errno %d (%s)", what, ret, ret < 0 ? e : 0,
	     ret < 0 ? strerror(e) : "-");
}

static void queue_writes(struct ring *r, int fd, uint8_t *bufs, unsigned int count,
			 unsigned int aio_flags)
{
	unsigned int i;

	for (i = 0; i < count; i++) {
		pattern_fill(bufs + (size_t)i * RING_BS, RING_BS,
			     (uint64_t)i * RING_BS, seed);
		iocb_prep(&r->iocbs[i], IOCB_CMD_PWRITE, fd, bufs + (size_t)i * RING_BS,
			  RING_BS, (uint64_t)i * RING_BS, AIO_DATA(0x55, i), aio_flags);
		sq_push(r, i);
	}
}

static void case_cq_gone(struct target *t, unsigned int flags, int remap,
			 const char *what)
{
	unsigned int aio_flags = flags & IOCTX_FLAG_IOPOLL ? IOCB_FLAG_HIPRI : 0;
	uint8_t *bufs = map_pages(16 * RING_BS);
	long before = aio_nr(), ret;
	struct ring r;
	int e;

	ring_setup_or_bail(&r, 17, flags);
	queue_writes(&r, t->fd, bufs, 16, aio_flags);
	ret = ring_enter(&r, 16, 0, IORING_FLAG_SUBMIT);
	ok(ret == 16, "%s: 16 writes submitted (got %ld errno %d)", what, ret,
	   ret < 0 ? errno : 0);
	if (remap) {
		void *p = mmap(r.cq, page_round(r.cq_len), PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

		if (p != r.cq)
			bail_out("mmap MAP_FIXED");
	} else {
		munmap(r.cq, page_round(r.cq_len));
	}
	watchdog_arm(20);
	ret = ring_enter(&r, 0, 16, IORING_FLAG_GETEVENTS);
	e = errno;
	watchdog_disarm();
	report(ret, e, label("%s: GETEVENTS(0, 16) after the CQ went away", what));
	ok(!watchdog_fired, "%s: GETEVENTS did not hang", what);
	ret = sys_io_destroy(r.ctx);
	ok(ret == 0, "%s: io_destroy returns 0 (got %ld errno %d)", what, ret,
	   ret < 0 ? errno : 0);
	ok(aio_nr() == before, "%s: aio-nr back to %ld (%ld)", what, before, aio_nr());
	if (!remap)
		r.cq = NULL;
	ring_mem_free(&r);
	unmap_pages(bufs, 16 * RING_BS);
}

static void case_sq_gone(int fd)
{
	const char *what = "SCQRING, SQ ring and iocbs unmapped";
	uint8_t *bufs = map_pages(4 * RING_BS);
	long before = aio_nr(), ret;
	struct ring r;
	int e;

	ring_setup_or_bail(&r, 8, IOCTX_FLAG_SCQRING);
	queue_writes(&r, fd, bufs, 4, 0);
	munmap(r.sq, page_round(r.sq_len));
	munmap(r.iocbs, page_round(r.iocbs_len));
	r.sq = NULL;
	r.iocbs = NULL;
	watchdog_arm(20);
	ret = ring_enter(&r, 4, 1, IORING_FLAG_SUBMIT | IORING_FLAG_GETEVENTS);
	e = errno;
	watchdog_disarm();
	report(ret, e, label("%s: SUBMIT|GETEVENTS(4, 1)", what));
	ok(!watchdog_fired, "%s: the call returned", what);
	ok(ret < 0 || ret <= 4, "%s: it did not claim more than 4 entries", what);
	ret = sys_io_destroy(r.ctx);
	ok(ret == 0, "%s: io_destroy returns 0 (got %ld errno %d)", what, ret,
	   ret < 0 ? errno : 0);
	ok(aio_nr() == before, "%s: aio-nr back (%ld)", what, aio_nr());
	ring_mem_free(&r);
	unmap_pages(bufs, 4 * RING_BS);
}

int main(void)
{
	struct target t;
	long start;
	int fd;

	require_aioring();
	start = aio_nr();
	seed = pattern_seed();
	fd = scratch_file("abi-ring-unmap", 0);
	case_sq_gone(fd);
	close(fd);
	if (target_pick(&t, 1u << 20)) {
		skip("no O_DIRECT target: rings unmapped with device IO in flight not tested");
	} else {
		case_cq_gone(&t, IOCTX_FLAG_SCQRING, 0, label("SCQRING on %s, CQ unmapped", t.name));
		case_cq_gone(&t, IOCTX_FLAG_SCQRING | IOCTX_FLAG_IOPOLL, 0,
			     label("SCQRING|IOPOLL on %s, CQ unmapped", t.name));
		case_cq_gone(&t, IOCTX_FLAG_SCQRING, 1,
			     label("SCQRING on %s, CQ replaced by a new mapping", t.name));
		case_cq_gone(&t, IOCTX_FLAG_SCQRING | IOCTX_FLAG_IOPOLL, 1,
			     label("SCQRING|IOPOLL on %s, CQ replaced by a new mapping", t.name));
		target_close(&t);
	}
	ok_aio_nr_back(start);
	return tap_done();
}
