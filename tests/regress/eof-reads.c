// SPDX-License-Identifier: MIT
/*
 * eof-reads: reads that reach the end of a file or device.
 *
 * Files (every directory), buffered and (where supported) O_DIRECT: a file
 * of 10000 bytes written by aio (size not a block multiple); 8 reads in
 * flight at once:
 *   wholly inside the file: res = nbytes
 *   crossing end of file: res = bytes up to EOF (a short read), the
 *     buffer holds exactly those bytes
 *   starting at EOF, past EOF, far past EOF (1 GiB): res 0
 *   PREADV crossing EOF: short, the segments filled in order
 * A write past EOF leaves a hole: the file grows to the end of that write
 * and an aio read of the hole returns zeroes with a full res.
 *
 * Block device (AIORING_TEST_BDEV), O_DIRECT and buffered: a read of 4
 * logical blocks starting one block before the end returns one block;
 * reads at and past the end return 0 (block/fops.c blkdev_read_iter()).
 */
#include "aio_sys.h"

#include <sys/uio.h>

#define FSIZE	10000

struct rcase {
	const char *name;
	uint64_t off;
	uint32_t len;
	int64_t want;
};

static void file_case(struct aio_target *t, int direct, uint64_t seed)
{
	/* offsets and lengths are multiples of 4096, valid for O_DIRECT */
	const struct rcase rc[] = {
		{ "inside the file", 0, 8192, 8192 },
		{ "inside, second block", 4096, 4096, 4096 },
		{ "crossing EOF (8192 + 4096 of 10000)", 8192, 4096, FSIZE - 8192 },
		{ "crossing EOF (4096 + 8192 of 10000)", 4096, 8192, FSIZE - 4096 },
		{ "starting at the block holding EOF, 64 KiB", 8192, 65536, FSIZE - 8192 },
		{ "starting past EOF (12288)", 12288, 4096, 0 },
		{ "far past EOF (1 GiB)", 1ULL << 30, 4096, 0 },
		{ "past EOF, 64 KiB", 16384, 65536, 0 },
	};
	const unsigned int n = sizeof(rc) / sizeof(rc[0]);
	aio_context_t ctx = setup_or_bail(16);
	uint8_t *bufs[8], *wbuf = xalign(4096, 12288);
	struct iocb cbs[8], *ptrs[8];
	struct io_event ev[8];
	long long want[8];
	char mode[600];
	unsigned int i;
	long r, bad;
	int fd;

	snprintf(mode, sizeof(mode), "%s", label("%s %s", t->name,
						 direct ? "O_DIRECT" : "buffered"));
	target_cleanup(t);
	fd = target_open(t, O_RDWR);
	if (fd < 0) {
		ok(0, "%s: create: %s", mode, strerror(-fd));
		return;
	}
	/* 10000 bytes through aio (buffered), then reopen in the mode */
	pattern_fill(wbuf, FSIZE, 0, seed);
	iocb_prep(&cbs[0], IOCB_CMD_PWRITE, fd, wbuf, FSIZE, 0, AIO_DATA(0xe0, 0), 0);
	ptrs[0] = &cbs[0];
	r = sys_io_submit(ctx, 1, ptrs);
	ok(r == 1 && wait_events(ctx, 1, ev, 10000) == 1 && ev[0].res == FSIZE,
	   "%s: aio write of %d bytes", mode, FSIZE);
	close(fd);
	fd = target_open(t, O_RDWR | (direct ? O_DIRECT : 0));
	if (fd < 0) {
		ok(0, "%s: reopen: %s", mode, strerror(-fd));
		return;
	}
	for (i = 0; i < n; i++) {
		bufs[i] = xalign(4096, rc[i].len);
		memset(bufs[i], 0xee, rc[i].len);
		iocb_prep(&cbs[i], IOCB_CMD_PREAD, fd, bufs[i], rc[i].len, rc[i].off,
			  AIO_DATA(0xe1, i), 0);
		ptrs[i] = &cbs[i];
		want[i] = rc[i].want;
	}
	r = sys_io_submit(ctx, n, ptrs);
	ok(r == n, "%s: %u reads around EOF in flight (got %ld errno %d)", mode, n, r,
	   r < 0 ? errno : 0);
	r = r > 0 ? wait_events(ctx, r, ev, 10000) : 0;
	check_events(label("%s: reads around EOF", mode), ev, r, ptrs, n, 0xe1, want, 0);
	for (i = 0; i < (unsigned int)r; i++) {
		unsigned int k = ev[i].data & 0xffffffff;

		if (k >= n)
			continue;
		ok(ev[i].res == rc[k].want, "%s: %s: res %lld (%lld)", mode, rc[k].name,
		   (long long)rc[k].want, (long long)ev[i].res);
	}
	for (i = 0, bad = 0; i < n; i++) {
		if (rc[i].want > 0 &&
		    pattern_check(bufs[i], rc[i].want, rc[i].off, seed) >= 0) {
			diag("%s: %s: data differs", mode, rc[i].name);
			bad++;
		}
	}
	ok(!bad, "%s: the bytes returned are the file's", mode);
	/* buffered: nothing is written past what was returned */
	if (!direct) {
		for (i = 0, bad = 0; i < n; i++) {
			uint32_t j;

			for (j = rc[i].want; j < rc[i].len; j++)
				if (bufs[i][j] != 0xee) {
					bad++;
					break;
				}
		}
		ok(!bad, "%s: buffered short reads leave the rest of the buffer alone", mode);
	}

	/* PREADV across EOF: segments 4096 + 4096 + 4096 from 4096 */
	{
		uint8_t *v = xalign(4096, 3 * 4096);
		struct iovec iov[3] = {
			{ v, 4096 }, { v + 4096, 4096 }, { v + 8192, 4096 },
		};

		memset(v, 0xee, 3 * 4096);
		memset(&cbs[0], 0, sizeof(cbs[0]));
		cbs[0].aio_lio_opcode = IOCB_CMD_PREADV;
		cbs[0].aio_fildes = fd;
		cbs[0].aio_buf = (uintptr_t)iov;
		cbs[0].aio_nbytes = 3;
		cbs[0].aio_offset = 4096;
		cbs[0].aio_data = AIO_DATA(0xe2, 0);
		r = sys_io_submit(ctx, 1, ptrs);
		ok(r == 1, "%s: PREADV across EOF accepted", mode);
		check_events(label("%s: PREADV across EOF", mode), ev,
			     r == 1 ? wait_events(ctx, 1, ev, 10000) : 0, ptrs, 1, 0xe2, NULL,
			     FSIZE - 4096);
		ok_pattern(v, FSIZE - 4096, 4096, seed, "%s: PREADV segments filled in order", mode);
		free(v);
	}

	/* a write past EOF leaves a hole that reads back as zeroes */
	{
		uint8_t *w = xalign(4096, 4096), *h = xalign(4096, 8192);
		struct stat st;
		long z;

		pattern_fill(w, 4096, 65536, seed);
		iocb_prep(&cbs[0], IOCB_CMD_PWRITE, fd, w, 4096, 65536, AIO_DATA(0xe3, 0), 0);
		r = sys_io_submit(ctx, 1, ptrs);
		check_events(label("%s: write at 64 KiB, past EOF", mode), ev,
			     r == 1 ? wait_events(ctx, 1, ev, 10000) : 0, ptrs, 1, 0xe3, NULL, 4096);
		if (fstat(fd, &st))
			st.st_size = -1;
		ok(st.st_size == 65536 + 4096, "%s: the file grew to 69632 (%lld)", mode,
		   (long long)st.st_size);
		memset(h, 0xee, 8192);
		iocb_prep(&cbs[0], IOCB_CMD_PREAD, fd, h, 8192, 16384, AIO_DATA(0xe4, 0), 0);
		r = sys_io_submit(ctx, 1, ptrs);
		check_events(label("%s: read of the hole", mode), ev,
			     r == 1 ? wait_events(ctx, 1, ev, 10000) : 0, ptrs, 1, 0xe4, NULL, 8192);
		for (z = 0; z < 8192 && !h[z]; z++)
			;
		ok(z == 8192, "%s: the hole reads as zeroes", mode);
		memset(h, 0, 4096);
		iocb_prep(&cbs[0], IOCB_CMD_PREAD, fd, h, 8192, 65536, AIO_DATA(0xe5, 0), 0);
		r = sys_io_submit(ctx, 1, ptrs);
		check_events(label("%s: read of the last block, to EOF", mode), ev,
			     r == 1 ? wait_events(ctx, 1, ev, 10000) : 0, ptrs, 1, 0xe5, NULL, 4096);
		ok_pattern(h, 4096, 65536, seed, "%s: the block past the hole reads back", mode);
		free(w);
		free(h);
	}

	for (i = 0; i < n; i++)
		free(bufs[i]);
	free(wbuf);
	close(fd);
	ok(sys_io_destroy(ctx) == 0, "%s: io_destroy", mode);
}

static void bdev_case(struct aio_target *t, int direct)
{
	aio_context_t ctx = setup_or_bail(8);
	unsigned int lbs = t->lbs ? t->lbs : 512;
	uint8_t *buf = xalign(4096, 4 * lbs > 4096 ? 4 * lbs : 4096);
	struct iocb cbs[3], *ptrs[3];
	struct io_event ev[3];
	long long want[3] = { lbs, 0, 0 };
	char mode[600];
	long r;
	int fd = target_open(t, O_RDONLY | (direct ? O_DIRECT : 0));

	snprintf(mode, sizeof(mode), "%s", label("%s %s", t->name,
						 direct ? "O_DIRECT" : "buffered"));
	if (fd < 0) {
		ok(0, "%s: open: %s", mode, strerror(-fd));
		return;
	}
	iocb_prep(&cbs[0], IOCB_CMD_PREAD, fd, buf, 4 * lbs, t->size - lbs, AIO_DATA(0xe6, 0), 0);
	iocb_prep(&cbs[1], IOCB_CMD_PREAD, fd, buf, lbs, t->size, AIO_DATA(0xe6, 1), 0);
	iocb_prep(&cbs[2], IOCB_CMD_PREAD, fd, buf, lbs, t->size + 64 * lbs, AIO_DATA(0xe6, 2), 0);
	ptrs[0] = &cbs[0];
	ptrs[1] = &cbs[1];
	ptrs[2] = &cbs[2];
	r = sys_io_submit(ctx, 3, ptrs);
	ok(r == 3, "%s: 3 reads at the end of the device (got %ld errno %d)", mode, r,
	   r < 0 ? errno : 0);
	check_events(label("%s: last block short read, reads at/after the end give 0", mode),
		     ev, r > 0 ? wait_events(ctx, r, ev, 10000) : 0, ptrs, 3, 0xe6, want, 0);
	close(fd);
	ok(sys_io_destroy(ctx) == 0, "%s: io_destroy", mode);
	free(buf);
}

int main(void)
{
	struct aio_target t[MAX_TARGETS];
	int n = aio_targets(t, MAX_TARGETS, TGT_BDEV | TGT_DIRS);
	uint64_t seed = pattern_seed();
	int i;

	if (!n)
		skip_all("no target");
	for (i = 0; i < n; i++) {
		int fd;
		unsigned int align;

		if (t[i].is_bdev) {
			fd = target_open(&t[i], O_RDONLY);
			if (fd < 0) {
				ok(0, "%s: open: %s", t[i].name, strerror(-fd));
				continue;
			}
			close(fd);
			bdev_case(&t[i], 0);
			bdev_case(&t[i], 1);
			continue;
		}
		file_case(&t[i], 0, seed + i);
		fd = target_open_direct(&t[i]);
		if (fd < 0) {
			skip("%s O_DIRECT reads at EOF: O_DIRECT not supported (%s)",
			     t[i].name, strerror(-fd));
			target_cleanup(&t[i]);
			continue;
		}
		align = target_dio_align(&t[i], fd);
		close(fd);
		if (!align || align > 4096)
			skip("%s O_DIRECT reads at EOF: alignment %u not usable", t[i].name, align);
		else
			file_case(&t[i], 1, seed + i + 100);
		target_cleanup(&t[i]);
	}
	return tap_done();
}
