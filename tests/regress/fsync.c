// SPDX-License-Identifier: MIT
/*
 * fsync: IOCB_CMD_FSYNC and IOCB_CMD_FDSYNC (fs/aio.c aio_fsync(),
 * run from a workqueue with the submitter's credentials).
 *
 * On every target: data written by 16 aio writes, then one FSYNC and one
 * FDSYNC; both complete with res 0, res2 0, the right aio_data and obj.
 * 8 FSYNC/FDSYNC iocbs in flight at once all complete with res 0.  After
 * dropping the page cache (POSIX_FADV_DONTNEED) a fresh fd reads the data
 * back byte for byte.  A read-only fd can be synced; so can a directory.
 *
 * Rejected by io_submit (aio_fsync()): aio_buf, aio_offset, aio_nbytes or
 * aio_rw_flags nonzero -> EINVAL; a file without ->fsync (pipe, eventfd)
 * -> EINVAL; a closed fd -> EBADF.  Rejected iocbs leave no event.
 */
#include "aio_sys.h"

#include <sys/eventfd.h>

#define NR_W	16
#define BS	4096

static void run_target(struct aio_target *t, uint64_t base, uint64_t seed)
{
	uint8_t *buf = xalign(4096, NR_W * BS);
	struct iocb cbs[NR_W], *ptrs[NR_W];
	struct io_event ev[NR_W];
	aio_context_t ctx = setup_or_bail(32);
	const char *what = t->name;
	long i, r;
	int fd, rfd;

	fd = target_open(t, O_RDWR);
	if (fd < 0) {
		ok(0, "%s: open: %s", what, strerror(-fd));
		return;
	}
	for (i = 0; i < NR_W; i++) {
		uint64_t off = base + (uint64_t)i * BS;

		pattern_fill(buf + i * BS, BS, off, seed);
		iocb_prep(&cbs[i], IOCB_CMD_PWRITE, fd, buf + i * BS, BS, off,
			  AIO_DATA(0x70, i), 0);
		ptrs[i] = &cbs[i];
	}
	r = sys_io_submit(ctx, NR_W, ptrs);
	ok(r == NR_W, "%s: 16 writes submitted (got %ld)", what, r);
	check_events(label("%s: writes before fsync", what), ev, wait_events(ctx, NR_W, ev, 10000), ptrs, NR_W, 0x70, NULL, BS);

	iocb_prep_sync(&cbs[0], IOCB_CMD_FSYNC, fd, AIO_DATA(0x71, 0));
	iocb_prep_sync(&cbs[1], IOCB_CMD_FDSYNC, fd, AIO_DATA(0x71, 1));
	r = sys_io_submit(ctx, 2, ptrs);
	ok(r == 2, "%s: FSYNC + FDSYNC submitted (got %ld errno %d)", what, r,
	   r < 0 ? errno : 0);
	check_events(label("%s: FSYNC and FDSYNC", what), ev, wait_events(ctx, 2, ev, 10000), ptrs, 2, 0x71, NULL, 0);

	for (i = 0; i < 8; i++)
		iocb_prep_sync(&cbs[i], (i & 1) ? IOCB_CMD_FDSYNC : IOCB_CMD_FSYNC, fd,
			       AIO_DATA(0x72, i));
	r = sys_io_submit(ctx, 8, ptrs);
	ok(r == 8, "%s: 8 syncs in flight at once (got %ld)", what, r);
	check_events(label("%s: 8 concurrent syncs", what), ev, wait_events(ctx, 8, ev, 10000), ptrs, 8, 0x72, NULL, 0);

	/* read-only fd */
	rfd = target_open(t, O_RDONLY);
	if (rfd >= 0) {
		iocb_prep_sync(&cbs[0], IOCB_CMD_FSYNC, rfd, AIO_DATA(0x73, 0));
		r = sys_io_submit(ctx, 1, ptrs);
		ok(r == 1, "%s: FSYNC on an O_RDONLY fd is accepted (got %ld errno %d)",
		   what, r, r < 0 ? errno : 0);
		check_events(label("%s: FSYNC on O_RDONLY fd", what), ev, wait_events(ctx, 1, ev, 10000), ptrs, 1, 0x73, NULL, 0);
		close(rfd);
	} else {
		ok(0, "%s: open O_RDONLY: %s", what, strerror(-rfd));
	}

	/* drop the cache, read back through a new fd */
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
	rfd = target_open(t, O_RDONLY);
	memset(buf, 0, NR_W * BS);
	r = rfd >= 0 ? pread(rfd, buf, NR_W * BS, base) : -1;
	ok(r == NR_W * BS, "%s: reopen and read the synced data (got %ld)", what, r);
	ok_pattern(buf, NR_W * BS, base, seed, "%s: synced data reads back byte for byte", what);
	if (rfd >= 0)
		close(rfd);

	if (!t->is_bdev) {
		int dfd = open(t->dir, O_RDONLY | O_DIRECTORY);

		iocb_prep_sync(&cbs[0], IOCB_CMD_FSYNC, dfd, AIO_DATA(0x74, 0));
		r = dfd >= 0 ? sys_io_submit(ctx, 1, ptrs) : -1;
		ok(r == 1, "%s: FSYNC of the directory is accepted (got %ld errno %d)",
		   what, r, r < 0 ? errno : 0);
		check_events(label("%s: directory FSYNC", what), ev, r == 1 ? wait_events(ctx, 1, ev, 10000) : 0, ptrs, 1,
			     0x74, NULL, 0);
		if (dfd >= 0)
			close(dfd);
	}
	ok(sys_io_destroy(ctx) == 0, "%s: io_destroy", what);
	free(buf);
}

static void errors(struct aio_target *t)
{
	aio_context_t ctx = setup_or_bail(8);
	struct iocb cb, *p = &cb;
	struct io_event ev;
	struct timespec zero = { 0, 0 };
	int fd = target_open(t, O_RDWR), pp[2], efd, closed;

	if (fd < 0 || pipe(pp) || (efd = eventfd(0, 0)) < 0)
		bail_out("fsync error setup");

	iocb_prep_sync(&cb, IOCB_CMD_FSYNC, fd, 0);
	cb.aio_buf = 1;
	ok_errno(sys_io_submit(ctx, 1, &p), EINVAL, "FSYNC with aio_buf set");
	iocb_prep_sync(&cb, IOCB_CMD_FDSYNC, fd, 0);
	cb.aio_offset = 4096;
	ok_errno(sys_io_submit(ctx, 1, &p), EINVAL, "FDSYNC with aio_offset set");
	iocb_prep_sync(&cb, IOCB_CMD_FSYNC, fd, 0);
	cb.aio_nbytes = 4096;
	ok_errno(sys_io_submit(ctx, 1, &p), EINVAL, "FSYNC with aio_nbytes set");
	iocb_prep_sync(&cb, IOCB_CMD_FDSYNC, fd, 0);
	cb.aio_rw_flags = RWF_DSYNC;
	ok_errno(sys_io_submit(ctx, 1, &p), EINVAL, "FDSYNC with aio_rw_flags set");
	iocb_prep_sync(&cb, IOCB_CMD_FSYNC, pp[1], 0);
	ok_errno(sys_io_submit(ctx, 1, &p), EINVAL, "FSYNC of a pipe (no ->fsync)");
	iocb_prep_sync(&cb, IOCB_CMD_FDSYNC, efd, 0);
	ok_errno(sys_io_submit(ctx, 1, &p), EINVAL, "FDSYNC of an eventfd (no ->fsync)");
	closed = dup(fd);
	close(closed);
	iocb_prep_sync(&cb, IOCB_CMD_FSYNC, closed, 0);
	ok_errno(sys_io_submit(ctx, 1, &p), EBADF, "FSYNC of a closed fd");
	ok(sys_io_getevents(ctx, 0, 1, &ev, &zero) == 0, "rejected syncs leave no event");
	ok(sys_io_destroy(ctx) == 0, "io_destroy after the sync errors");
	close(fd);
	close(pp[0]);
	close(pp[1]);
	close(efd);
}

int main(void)
{
	struct aio_target t[MAX_TARGETS];
	int n = aio_targets(t, MAX_TARGETS, TGT_BDEV | TGT_DIRS);
	uint64_t seed = pattern_seed();
	int i, first_dir = -1;

	if (!n)
		skip_all("no target");
	for (i = 0; i < n; i++) {
		if (!t[i].is_bdev && first_dir < 0)
			first_dir = i;
		if (t[i].is_bdev) {
			int fd = target_open(&t[i], O_RDONLY);

			if (fd < 0) {
				ok(0, "%s: open: %s", t[i].name, strerror(-fd));
				continue;
			}
			close(fd);
			if (t[i].size < 64ULL << 20) {
				skip("%s: device smaller than 64 MiB", t[i].name);
				continue;
			}
		}
		/* on a device: past the areas other programs use first */
		run_target(&t[i], t[i].is_bdev ? 32ULL << 20 : 0, seed + i);
		target_cleanup(&t[i]);
	}
	if (first_dir >= 0) {
		errors(&t[first_dir]);
		target_cleanup(&t[first_dir]);
	}
	return tap_done();
}
