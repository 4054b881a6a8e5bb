// SPDX-License-Identifier: MIT
/*
 * sqwq-iopoll: IOCTX_FLAG_SQWQ together with IOCTX_FLAG_IOPOLL is
 * accepted, as the 2018 kernel accepted it (its fio engine asks for the
 * pair when both options are set), and SQWQ then changes nothing: polled
 * IO is direct IO, issued inline and reaped by polling, and no worker is
 * made (review finding L4: io_setup2 returned EINVAL, which v9 never
 * did). The decision is documented in aio-ring.rst and io_setup2(2).
 *
 * On nullb0 (a polled null_blk; else nvme0n1), for SCQRING|IOPOLL|SQWQ
 * and SCQRING|IOPOLL|SQWQ|SQTHREAD|SQPOLL:
 *  - io_setup2 returns 0;
 *  - 16 polled 4 KiB writes of a pattern, then 16 polled reads of the same
 *    blocks: every event res 4096, the data read is the data written;
 *  - the process has no "aio-wq-<tgid>" thread;
 *  - io_destroy returns 0.
 * fs.aio-nr is back at the end.
 */
#include "ring2_util.h"

#define NIO	16
#define BS	4096

static struct target tgt;

/* NIO polled IOs of opcode op at depth NIO; returns how many were right. */
static unsigned int pass(struct ring *r, int op, uint8_t *bufs, uint64_t seed)
{
	struct io_event ev[NIO];
	unsigned int i, good = 0, got;

	for (i = 0; i < NIO; i++) {
		uint8_t *b = bufs + (size_t)i * BS;

		if (op == IOCB_CMD_PWRITE)
			pattern_fill(b, BS, (uint64_t)i * BS, seed);
		else
			memset(b, 0, BS);
		iocb_prep(&r->iocbs[i], op, tgt.fd, b, BS, (uint64_t)i * BS, i,
			  IOCB_FLAG_HIPRI);
		sq_push(r, i);
	}
	if (!(r->flags & IOCTX_FLAG_SQTHREAD) || r->sq->kflags & IORING_SQ_NEED_WAKEUP)
		ring_enter(r, NIO, 0, IORING_FLAG_SUBMIT);
	got = ring_reap_wait(r, ev, NIO, 10000);
	for (i = 0; i < got; i++) {
		unsigned int k = (unsigned int)ev[i].data;

		if (k < NIO && ev[i].res == BS &&
		    (op == IOCB_CMD_PWRITE ||
		     pattern_check(bufs + (size_t)k * BS, BS, (uint64_t)k * BS, seed) < 0))
			good++;
		else
			diag("event data %llu res %lld", (unsigned long long)ev[i].data,
			     (long long)ev[i].res);
	}
	return good;
}

static void one_mode(unsigned int flags, const char *what, uint8_t *bufs)
{
	uint64_t seed = pattern_seed();
	struct ring r;
	long ret;
	int e;

	ret = ring_setup_bufs(&r, NIO + 1, flags, 0, NULL, NULL);
	e = errno;
	ok(ret == 0, "%s: io_setup2 accepts it (%ld%s%s)", what, ret,
	   ret ? ", " : "", ret ? strerror(e) : "");
	if (ret) {
		skip("%s: no context", what);
		skip("%s: no context", what);
		skip("%s: no context", what);
		return;
	}
	ok(pass(&r, IOCB_CMD_PWRITE, bufs, seed) == NIO &&
	   pass(&r, IOCB_CMD_PREAD, bufs, seed) == NIO,
	   "%s: %d polled writes on %s, then reads: each res 4096, data read back",
	   what, NIO, tgt.name);
	ok(count_threads("aio-wq", NULL, NULL) == 0, "%s: no SQWQ worker thread", what);
	ok(ring_destroy(&r) == 0, "%s: io_destroy", what);
}

int main(void)
{
	long nr0 = aio_nr();
	void *bufs;

	require_aioring();
	if (r2_open_bdev("nullb0", &tgt) && r2_open_bdev("nvme0n1", &tgt))
		skip_all("no polled block device (nullb0, nvme0n1)");
	if (posix_memalign(&bufs, BS, (size_t)NIO * BS))
		bail_out("posix_memalign");
	tap_plan(2 * 4 + 1);
	one_mode(IOCTX_FLAG_SCQRING | IOCTX_FLAG_IOPOLL | IOCTX_FLAG_SQWQ,
		 "IOPOLL|SQWQ", bufs);
	one_mode(IOCTX_FLAG_SCQRING | IOCTX_FLAG_IOPOLL | IOCTX_FLAG_SQWQ |
		 IOCTX_FLAG_SQTHREAD | IOCTX_FLAG_SQPOLL,
		 "IOPOLL|SQWQ|SQTHREAD|SQPOLL", bufs);
	ok(aio_nr_wait(nr0, 5000) == nr0, "fs.aio-nr back to %ld", nr0);
	return tap_done();
}
