// SPDX-License-Identifier: MIT
/*
 * iopoll-large-io: polled reads and writes larger than the device takes
 * in one request.  The block layer will not split a bio that carries
 * REQ_NOWAIT: it ends it at once with -EAGAIN (blk-merge.c).  6.1 gives
 * every async polled bio REQ_NOWAIT (bio_set_polled()), and the 6.12
 * series gives it to polled block-device IO, so without a reissue such an
 * IO came back with -EAGAIN on every try, for ever: io_submit and
 * io_ring_enter(SUBMIT) returned EAGAIN with the entry left in place, an
 * SQ thread retried it every tick.  Polled IO must complete whatever its
 * size, as it does without IOPOLL.
 *
 * Sizes: 128 KiB (just over null_blk's default 255-sector limit),
 * 1 MiB (more segments than virtio-blk takes; over QEMU NVMe's 512 KiB),
 * and with FIXEDBUFS 2 MiB in one bvec bio.  Every O_DIRECT target:
 * polled devices, the device without poll queues, a file on ext4 and xfs.
 * Each size is written with HIPRI, read back with HIPRI and compared byte
 * for byte, through io_submit on an IOPOLL context, through io_ring_enter
 * on SCQRING|IOPOLL rings (inline and with an SQ thread) and with fixed
 * buffers.  An EAGAIN is retried up to TRIES times, as an application
 * would; more is a livelock.
 */
#include "ring_util.h"

#define TRIES		2000
#define IO_OFF		(2u << 20)
#define FIXED_LEN	(2u << 20)

enum mode { M_SUBMIT, M_RING, M_SQTHREAD, M_FIXED };
static const char *const mode_name[] = {
	"io_submit", "ring", "ring+SQTHREAD", "ring+FIXEDBUFS",
};

/*
 * One IO of len bytes at IO_OFF, polled; returns the event's res, or
 * -errno when it could not be submitted or reaped.  *tries: EAGAINs.
 */
static long one_io(struct ring *r, enum mode m, int opcode, int fd,
		   uint8_t *buf, size_t len, unsigned int slot,
		   unsigned int *tries)
{
	struct io_event ev;
	struct iocb *cb = &r->iocbs[slot];
	uint64_t data = AIO_DATA(0x1a, slot);
	long ret;

	iocb_prep(cb, opcode, fd, buf, len, IO_OFF, data, IOCB_FLAG_HIPRI);
	*tries = 0;
	if (m == M_SQTHREAD) {
		/* the thread takes it; an entry it cannot issue stays queued */
		sq_push(r, slot);
		ret = ring_enter(r, 1, 0, IORING_FLAG_SUBMIT);
		if (ret != 1 || sq_wait_drained(r, 5000)) {
			diag("%s: io_ring_enter(SUBMIT) %ld, %u entries left in the SQ after 5 s",
			     mode_name[m], ret, sq_count(r));
			return -EAGAIN;
		}
	} else {
		if (m != M_SUBMIT)
			sq_push(r, slot);
		/* an EAGAIN leaves the entry queued: submit it again */
		while ((ret = m == M_SUBMIT ? sys_io_submit(r->ctx, 1, &cb) :
			      ring_enter(r, 1, 0, IORING_FLAG_SUBMIT)) != 1) {
			if (ret >= 0 || errno != EAGAIN || ++*tries > TRIES) {
				diag("%s: submit returned %ld (%s) after %u EAGAINs",
				     mode_name[m], ret,
				     ret < 0 ? strerror(errno) : "-", *tries);
				return ret < 0 ? -errno : -EIO;
			}
			/* reap what may hold the resources, then retry */
			if (m == M_SUBMIT)
				sys_io_getevents(r->ctx, 0, 1, &ev, NULL);
			else
				ring_enter(r, 0, 0, IORING_FLAG_GETEVENTS);
		}
	}
	if (m == M_SUBMIT) {
		if (getevents_wait(r->ctx, 1, &ev, 20000) != 1)
			return -ETIMEDOUT;
	} else if (ring_reap_wait(r, &ev, 1, 20000) != 1) {
		return -ETIMEDOUT;
	}
	if (ev.data != data) {
		diag("event data %#llx, expected %#llx",
		     (unsigned long long)ev.data, (unsigned long long)data);
		return -EPROTO;
	}
	return (long)ev.res;
}

static void run(struct target *t, enum mode m, size_t len, uint64_t seed)
{
	static const unsigned int setup_flags[] = {
		[M_SUBMIT]	= IOCTX_FLAG_IOPOLL,
		[M_RING]	= IOCTX_FLAG_IOPOLL | IOCTX_FLAG_SCQRING,
		[M_SQTHREAD]	= IOCTX_FLAG_IOPOLL | IOCTX_FLAG_SCQRING |
				  IOCTX_FLAG_SQTHREAD,
		[M_FIXED]	= IOCTX_FLAG_IOPOLL | IOCTX_FLAG_SCQRING |
				  IOCTX_FLAG_FIXEDBUFS,
	};
	const char *what = label("%s %s %zu KiB", t->name, mode_name[m],
				 len >> 10);
	uint8_t *wbuf = xalign(4096, len), *rbuf = xalign(4096, len);
	/* FIXEDBUFS: slots 0 and 2 write from wbuf, 1 and 3 read into rbuf */
	uint8_t *bufs[4] = { wbuf, rbuf, wbuf, rbuf };
	size_t lens[4] = { len, len, len, len };
	unsigned int wtries = 0, rtries = 0;
	struct ring r;
	long wres, rres, bad = -1;
	long ret;

	if (m == M_SUBMIT)
		ret = ring_setup(&r, 4, setup_flags[m]);
	else
		ret = ring_setup_bufs(&r, 4, setup_flags[m], 0,
				      m == M_FIXED ? bufs : NULL,
				      m == M_FIXED ? lens : NULL);
	if (ret) {
		ok(0, "%s: io_setup2: %s", what, strerror(errno));
		goto out;
	}
	pattern_fill(wbuf, len, IO_OFF, seed);
	memset(rbuf, 0xee, len);
	wres = one_io(&r, m, IOCB_CMD_PWRITE, t->fd, wbuf, len, 0, &wtries);
	rres = wres == (long)len ?
	       one_io(&r, m, IOCB_CMD_PREAD, t->fd, rbuf, len, 1, &rtries) : 0;
	if (rres == (long)len)
		bad = pattern_check(rbuf, len, IO_OFF, seed);
	if (wtries || rtries)
		diag("%s: %u and %u EAGAINs before the write and the read",
		     what, wtries, rtries);
	ok(wres == (long)len && rres == (long)len && bad < 0,
	   "%s: write res %ld, read res %ld, %s", what, wres, rres,
	   rres != (long)len ? "not compared" :
	   bad < 0 ? "data intact" : "data differs");
	ok(ring_destroy(&r) == 0, "%s: io_destroy returns 0", what);
out:
	free(wbuf);
	free(rbuf);
}

int main(void)
{
	static const size_t sizes[] = { 128u << 10, 1u << 20 };
	struct target t[MAX_TARGETS];
	uint64_t seed = pattern_seed();
	long start;
	unsigned int s;
	int i, n;

	require_aioring();
	start = aio_nr();
	n = targets_collect(t, MAX_TARGETS, TGT_ALL);
	if (!n || !targets_open_all(t, n, IO_OFF + FIXED_LEN))
		skip_all("no O_DIRECT target of %u bytes", IO_OFF + FIXED_LEN);

	for (i = 0; i < n; i++) {
		if (t[i].fd < 0)
			continue;
		diag("%s: io_poll %d, max_sectors_kb %ld", t[i].name,
		     t[i].is_bdev ? bdev_io_poll(t[i].path) : -1,
		     t[i].is_bdev ? bdev_queue_long(t[i].path, "max_sectors_kb") : -1L);
		for (s = 0; s < ARRAY_SIZE(sizes); s++) {
			run(&t[i], M_SUBMIT, sizes[s], seed + s);
			run(&t[i], M_RING, sizes[s], seed + s + 1);
		}
		run(&t[i], M_SQTHREAD, sizes[0], seed + 3);
		run(&t[i], M_FIXED, FIXED_LEN, seed + 4);
	}
	targets_close_all(t, n);
	ok_aio_nr_back(start);
	return tap_done();
}
