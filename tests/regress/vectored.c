// SPDX-License-Identifier: MIT
/*
 * vectored: classic aio IOCB_CMD_PWRITEV / IOCB_CMD_PREADV
 * (aio_buf = struct iovec array, aio_nbytes = number of segments).
 *
 * On every target, buffered and (where supported) O_DIRECT: 16 vectored
 * writes in flight, each gathering 4 segments of different sizes into one
 * extent at a shuffled offset; res must be the sum of the segment
 * lengths.  The extents are read back with a synchronous pread() and with
 * 16 vectored reads that scatter into a different segment split, compared
 * byte for byte.
 *
 * Errors and limits (fs/aio.c aio_setup_rw() -> __import_iovec(),
 * lib/iov_iter.c of 6.1), on a file of the first directory:
 *   1024 (UIO_MAXIOV) one-byte segments: accepted, res 1024, data right
 *   1025 segments: io_submit fails with EINVAL
 *   0 segments: accepted, res 0
 *   a segment length that is negative as ssize_t (with 2 segments): EINVAL
 *   an unreadable iovec array: EFAULT
 *   a segment base in kernel space: EFAULT (access_ok)
 */
#include "aio_sys.h"

#include <sys/mman.h>
#include <sys/uio.h>

#define NR_IOCBS	16
#define NR_SEGS		4

/* segment lengths in units (1 byte buffered, the DIO alignment direct) */
static const unsigned int wsplit[NR_SEGS] = { 1, 3, 8, 4 };	/* sum 16 */
static const unsigned int rsplit[NR_SEGS] = { 5, 5, 2, 4 };	/* sum 16 */

static void run_target(struct aio_target *t, int fd, int direct,
		       unsigned int unit, uint64_t seed)
{
	const unsigned int per = 16 * unit * (direct ? 1 : 37);	/* bytes per iocb */
	const unsigned int scale = direct ? unit : unit * 37;
	size_t region = (size_t)NR_IOCBS * per;
	uint8_t *wbuf = xalign(4096, region), *rbuf = xalign(4096, region);
	struct iovec wiov[NR_IOCBS][NR_SEGS], riov[NR_IOCBS][NR_SEGS];
	struct iocb cbs[NR_IOCBS], *ptrs[NR_IOCBS];
	struct io_event ev[NR_IOCBS];
	aio_context_t ctx = setup_or_bail(NR_IOCBS);
	char what[PATH_MAX + 64];
	long i, j, r, got, bad;

	snprintf(what, sizeof(what), "%s %s", t->name, direct ? "O_DIRECT" : "buffered");
	for (i = 0; i < NR_IOCBS; i++) {
		uint64_t off = (uint64_t)((i * 5) % NR_IOCBS) * per;
		uint8_t *p = wbuf + i * per;

		/*
		 * Segment j carries the bytes of the extent that follow
		 * segments 0..j-1, but the segments lie in memory in reverse
		 * order (segment 0 last), so a gather that ignored the iovec
		 * order would be caught.
		 */
		{
			uint8_t *q = p + per;
			uint64_t at = off;

			for (j = 0; j < NR_SEGS; j++) {
				size_t len = wsplit[j] * scale;

				q -= len;
				pattern_fill(q, len, at, seed);
				wiov[i][j].iov_base = q;
				wiov[i][j].iov_len = len;
				at += len;
			}
		}
		memset(&cbs[i], 0, sizeof(cbs[i]));
		cbs[i].aio_lio_opcode = IOCB_CMD_PWRITEV;
		cbs[i].aio_fildes = fd;
		cbs[i].aio_buf = (uintptr_t)wiov[i];
		cbs[i].aio_nbytes = NR_SEGS;
		cbs[i].aio_offset = off;
		cbs[i].aio_data = AIO_DATA(0x77, i);
		ptrs[i] = &cbs[i];
	}
	r = sys_io_submit(ctx, NR_IOCBS, ptrs);
	ok(r == NR_IOCBS, "%s: io_submit of %d PWRITEV returns %d (got %ld errno %d)",
	   what, NR_IOCBS, NR_IOCBS, r, r < 0 ? errno : 0);
	got = wait_events(ctx, r > 0 ? r : 0, ev, 10000);
	check_events(label("%s PWRITEV", what), ev, got, ptrs, NR_IOCBS, 0x77, NULL, per);

	memset(rbuf, 0x5a, region);
	r = pread(fd, rbuf, region, 0);
	ok(r == (long)region, "%s: pread of the region returns %zu (got %ld)", what, region, r);
	ok_pattern(rbuf, region, 0, seed,
		   "%s: PWRITEV gathered every segment in order at its offset", what);

	/* scatter reads with another split; segments in memory in order */
	memset(rbuf, 0xa5, region);
	for (i = 0; i < NR_IOCBS; i++) {
		uint64_t off = (uint64_t)((i * 3 + 1) % NR_IOCBS) * per;
		uint8_t *p = rbuf + i * per;

		for (j = 0; j < NR_SEGS; j++) {
			riov[i][j].iov_base = p;
			riov[i][j].iov_len = rsplit[j] * scale;
			p += riov[i][j].iov_len;
		}
		memset(&cbs[i], 0, sizeof(cbs[i]));
		cbs[i].aio_lio_opcode = IOCB_CMD_PREADV;
		cbs[i].aio_fildes = fd;
		cbs[i].aio_buf = (uintptr_t)riov[i];
		cbs[i].aio_nbytes = NR_SEGS;
		cbs[i].aio_offset = off;
		cbs[i].aio_data = AIO_DATA(0x72, i);
	}
	r = sys_io_submit(ctx, NR_IOCBS, ptrs);
	ok(r == NR_IOCBS, "%s: io_submit of %d PREADV returns %d (got %ld errno %d)",
	   what, NR_IOCBS, NR_IOCBS, r, r < 0 ? errno : 0);
	got = wait_events(ctx, r > 0 ? r : 0, ev, 10000);
	check_events(label("%s PREADV", what), ev, got, ptrs, NR_IOCBS, 0x72, NULL, per);
	bad = 0;
	for (i = 0; i < NR_IOCBS; i++) {
		uint64_t off = (uint64_t)((i * 3 + 1) % NR_IOCBS) * per;

		if (pattern_check(rbuf + i * per, per, off, seed) >= 0 && !bad++)
			diag("%s: PREADV of extent at %llu differs", what,
			     (unsigned long long)off);
	}
	ok(!bad, "%s: PREADV scattered every extent correctly", what);
	ok(sys_io_destroy(ctx) == 0, "%s: io_destroy", what);
	free(wbuf);
	free(rbuf);
}

static long submit_one(aio_context_t ctx, struct iocb *cb)
{
	return sys_io_submit(ctx, 1, &cb);
}

static void run_limits(struct aio_target *t, uint64_t seed)
{
	aio_context_t ctx = setup_or_bail(8);
	struct iovec *iov = calloc(1025, sizeof(*iov));
	uint8_t *buf = xalign(4096, 4096), *back = xalign(4096, 4096);
	struct iocb cb, *p = &cb;
	struct io_event ev;
	void *unmapped;
	long i, r;
	int fd = target_open(t, O_RDWR);

	if (fd < 0 || !iov) {
		ok(0, "%s: open for the iovec limits: %s", t->name, strerror(-fd));
		return;
	}
	pattern_fill(buf, 1024, 0, seed);
	for (i = 0; i < 1025; i++) {
		iov[i].iov_base = buf + i;
		iov[i].iov_len = 1;
	}

	/* exactly UIO_MAXIOV segments */
	memset(&cb, 0, sizeof(cb));
	cb.aio_lio_opcode = IOCB_CMD_PWRITEV;
	cb.aio_fildes = fd;
	cb.aio_buf = (uintptr_t)iov;
	cb.aio_nbytes = 1024;
	cb.aio_data = AIO_DATA(1, 0);
	r = submit_one(ctx, &cb);
	ok(r == 1, "PWRITEV with 1024 (UIO_MAXIOV) segments is accepted (got %ld errno %d)",
	   r, r < 0 ? errno : 0);
	if (r == 1)
		check_events("PWRITEV 1024 segments", &ev, wait_events(ctx, 1, &ev, 10000),
			     &p, 1, 1, NULL, 1024);
	r = pread(fd, back, 1024, 0);
	ok(r == 1024, "pread after the 1024-segment PWRITEV returns 1024 (got %ld)", r);
	ok_pattern(back, 1024, 0, seed, "1024 one-byte segments landed in order");

	cb.aio_lio_opcode = IOCB_CMD_PREADV;
	memset(buf, 0, 1024);
	r = submit_one(ctx, &cb);
	ok(r == 1, "PREADV with 1024 segments is accepted (got %ld errno %d)", r,
	   r < 0 ? errno : 0);
	if (r == 1)
		check_events("PREADV 1024 segments", &ev, wait_events(ctx, 1, &ev, 10000),
			     &p, 1, 1, NULL, 1024);
	ok_pattern(buf, 1024, 0, seed, "PREADV filled 1024 one-byte segments in order");

	cb.aio_nbytes = 1025;
	ok_errno(submit_one(ctx, &cb), EINVAL, "PREADV with 1025 segments (> UIO_MAXIOV)");
	cb.aio_lio_opcode = IOCB_CMD_PWRITEV;
	ok_errno(submit_one(ctx, &cb), EINVAL, "PWRITEV with 1025 segments (> UIO_MAXIOV)");

	/* zero segments: no iovec is read, the write moves 0 bytes */
	cb.aio_nbytes = 0;
	cb.aio_buf = 0;
	r = submit_one(ctx, &cb);
	ok(r == 1, "PWRITEV with 0 segments is accepted (got %ld errno %d)", r,
	   r < 0 ? errno : 0);
	if (r == 1)
		check_events("PWRITEV 0 segments", &ev, wait_events(ctx, 1, &ev, 10000),
			     &p, 1, 1, NULL, 0);
	cb.aio_lio_opcode = IOCB_CMD_PREADV;
	r = submit_one(ctx, &cb);
	ok(r == 1, "PREADV with 0 segments is accepted (got %ld errno %d)", r,
	   r < 0 ? errno : 0);
	if (r == 1)
		check_events("PREADV 0 segments", &ev, wait_events(ctx, 1, &ev, 10000),
			     &p, 1, 1, NULL, 0);

	/*
	 * A length negative as ssize_t: copy_iovec_from_user() -> EINVAL.
	 * Two segments, since later kernels take a single segment through
	 * a ubuf fast path.
	 */
	iov[0].iov_len = 1;
	iov[1].iov_len = (size_t)-4096;
	cb.aio_buf = (uintptr_t)iov;
	cb.aio_nbytes = 2;
	ok_errno(submit_one(ctx, &cb), EINVAL, "PREADV with a negative segment length");
	cb.aio_lio_opcode = IOCB_CMD_PWRITEV;
	ok_errno(submit_one(ctx, &cb), EINVAL, "PWRITEV with a negative segment length");

	/* the iovec array itself unreadable */
	unmapped = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (unmapped == MAP_FAILED)
		bail_out("mmap");
	munmap(unmapped, 4096);
	cb.aio_buf = (uintptr_t)unmapped;
	cb.aio_nbytes = 2;
	ok_errno(submit_one(ctx, &cb), EFAULT, "PWRITEV with an unmapped iovec array");
	cb.aio_lio_opcode = IOCB_CMD_PREADV;
	ok_errno(submit_one(ctx, &cb), EFAULT, "PREADV with an unmapped iovec array");

	/* a segment in kernel space fails access_ok() */
	iov[0].iov_base = (void *)0xffff880000000000ULL;
	iov[0].iov_len = 512;
	iov[1].iov_base = buf;
	iov[1].iov_len = 512;
	cb.aio_buf = (uintptr_t)iov;
	ok_errno(submit_one(ctx, &cb), EFAULT, "PREADV with a kernel-space segment");
	cb.aio_lio_opcode = IOCB_CMD_PWRITEV;
	ok_errno(submit_one(ctx, &cb), EFAULT, "PWRITEV with a kernel-space segment");

	/* none of the failed submissions produced an event */
	{
		struct timespec zero = { 0, 0 };

		r = sys_io_getevents(ctx, 0, 1, &ev, &zero);
		ok(r == 0, "rejected vectored iocbs leave no event (got %ld)", r);
	}
	ok(sys_io_destroy(ctx) == 0, "io_destroy after the iovec limits");
	close(fd);
	free(iov);
	free(buf);
	free(back);
}

int main(void)
{
	struct aio_target t[MAX_TARGETS];
	int n = aio_targets(t, MAX_TARGETS, TGT_BDEV | TGT_DIRS);
	uint64_t seed = pattern_seed();
	int i, fd, first_dir = -1;

	if (!n)
		skip_all("no target");
	for (i = 0; i < n; i++) {
		unsigned int align;

		if (!t[i].is_bdev && first_dir < 0)
			first_dir = i;
		fd = target_open(&t[i], O_RDWR);
		if (fd < 0) {
			ok(0, "%s: open: %s", t[i].name, strerror(-fd));
			continue;
		}
		run_target(&t[i], fd, 0, 1, seed ^ 0x1111);
		close(fd);

		fd = target_open_direct(&t[i]);
		if (fd < 0) {
			skip("%s O_DIRECT vectored: O_DIRECT not supported (%s)",
			     t[i].name, strerror(-fd));
			target_cleanup(&t[i]);
			continue;
		}
		align = target_dio_align(&t[i], fd);
		if (!align) {
			skip("%s O_DIRECT vectored: no usable O_DIRECT block size", t[i].name);
		} else {
			run_target(&t[i], fd, 1, align, seed ^ 0x2222);
		}
		close(fd);
		target_cleanup(&t[i]);
	}
	if (first_dir >= 0) {
		run_limits(&t[first_dir], seed ^ 0x3333);
		target_cleanup(&t[first_dir]);
	}
	return tap_done();
}
