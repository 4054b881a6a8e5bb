// SPDX-License-Identifier: MIT
/*
 * sqwq-res2-pipe: IOEV_RES2_CACHEHIT means that a buffered read was
 * served from the page cache; a pipe or a socket has none, so their reads
 * never carry it, nor does a character device or an eventfd (review
 * finding L2: any read that the inline non-blocking try completed got
 * the hint).
 *
 * On an SCQRING|SQWQ context, with the data already there so that the
 * inline try completes each read:
 *  - a 512-byte read of a pipe holding 100 bytes: res 100, res2 0, data;
 *  - the same on a socket pair: res 100, res2 0, data;
 *  - a 512-byte read of /dev/zero: res 512, res2 0, zeroes;
 *  - an 8-byte read of an eventfd whose count is 7: res 8, res2 0;
 *  - the control: a read of a regular file's page just written (so in
 *    the page cache), on the first ext4 or xfs directory of
 *    AIORING_TEST_DIRS: res 4096, res2 IOEV_RES2_CACHEHIT, data.
 */
#include "ring2_util.h"

#include <sys/eventfd.h>
#include <sys/socket.h>

static struct ring r;

static int read_one(int fd, void *buf, size_t len, struct io_event *ev)
{
	unsigned int slot = sq_tail(&r);

	iocb_prep(&r.iocbs[slot], IOCB_CMD_PREAD, fd, buf, len, 0, slot + 100, 0);
	sq_push(&r, slot);
	if (ring_enter(&r, 1, 0, IORING_FLAG_SUBMIT) != 1)
		return -1;
	return ring_reap_wait(&r, ev, 1, 5000) == 1 ? 0 : -1;
}

int main(void)
{
	static uint8_t src[4096], dst[4096];
	struct io_event ev = { 0 };
	struct r2_fsdir dir;
	int p[2], s[2], fd, zfd, efd, ret;
	long nr0 = aio_nr();

	require_aioring();
	tap_plan(6);
	pattern_fill(src, sizeof(src), 0, 5);
	ring_setup_or_bail(&r, 8, IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQWQ);

	if (pipe(p) || write(p[1], src, 100) != 100)
		bail_out("pipe");
	memset(dst, 0, sizeof(dst));
	ret = read_one(p[0], dst, 512, &ev);
	ok(!ret && ev.res == 100 && ev.res2 == 0 && !memcmp(dst, src, 100),
	   "pipe: res %lld, res2 %#llx (want 100, 0), data right",
	   (long long)ev.res, (unsigned long long)ev.res2);

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, s) || write(s[1], src, 100) != 100)
		bail_out("socketpair");
	memset(dst, 0, sizeof(dst));
	memset(&ev, 0, sizeof(ev));
	ret = read_one(s[0], dst, 512, &ev);
	ok(!ret && ev.res == 100 && ev.res2 == 0 && !memcmp(dst, src, 100),
	   "socket: res %lld, res2 %#llx (want 100, 0), data right",
	   (long long)ev.res, (unsigned long long)ev.res2);

	zfd = open("/dev/zero", O_RDONLY);
	if (zfd < 0)
		bail_out("open /dev/zero");
	memset(dst, 0xff, sizeof(dst));
	memset(&ev, 0, sizeof(ev));
	ret = read_one(zfd, dst, 512, &ev);
	ok(!ret && ev.res == 512 && ev.res2 == 0 && !dst[0] && !dst[511],
	   "/dev/zero: res %lld, res2 %#llx (want 512, 0), zeroes",
	   (long long)ev.res, (unsigned long long)ev.res2);

	efd = eventfd(7, 0);
	if (efd < 0)
		bail_out("eventfd");
	memset(dst, 0, sizeof(dst));
	memset(&ev, 0, sizeof(ev));
	ret = read_one(efd, dst, 8, &ev);
	ok(!ret && ev.res == 8 && ev.res2 == 0 && dst[0] == 7,
	   "eventfd: res %lld, res2 %#llx (want 8, 0), its count",
	   (long long)ev.res, (unsigned long long)ev.res2);

	if (r2_fs_dirs(&dir, 1) != 1) {
		skip("no ext4 or xfs directory in AIORING_TEST_DIRS");
	} else {
		setenv("TMPDIR", dir.dir, 1);
		fd = scratch_file("sqwq-res2-pipe", 0);
		if (pwrite(fd, src, sizeof(src), 0) != sizeof(src))
			bail_out("pwrite");
		memset(dst, 0, sizeof(dst));
		memset(&ev, 0, sizeof(ev));
		ret = read_one(fd, dst, sizeof(dst), &ev);
		ok(!ret && ev.res == sizeof(dst) && ev.res2 == IOEV_RES2_CACHEHIT &&
		   !memcmp(dst, src, sizeof(dst)),
		   "%s file in the page cache: res %lld, res2 %#llx (want 4096, CACHEHIT), data right",
		   dir.fs, (long long)ev.res, (unsigned long long)ev.res2);
		close(fd);
	}

	ring_destroy(&r);
	ok(aio_nr_wait(nr0, 5000) == nr0, "fs.aio-nr back to %ld", nr0);
	return tap_done();
}
