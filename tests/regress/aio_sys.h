/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers for the classic-aio regression programs of tests/regress,
 * on top of tests/lib (aio_syscalls.h: raw wrappers for the io_* system
 * calls, no libaio; iocb.h; pattern.h: a byte pattern that depends on the
 * file offset and a per-run seed; mem.h; sysfs.h): the list of scratch
 * targets taken from the environment, and checks of completion events.
 *
 * Every program includes "tap.h" through this header and reports TAP.
 *
 * Targets:
 *   AIORING_TEST_BDEV  a scratch block device that may be overwritten
 *   AIORING_TEST_DIRS  colon-separated directories (O_DIRECT capable fs)
 * When AIORING_TEST_DIRS is unset, $TMPDIR (or /tmp) is the only directory.
 *
 * Only the classic aio system calls are used, through their __NR_ names.
 * The numbers 335 and 336 are never passed to syscall(): the build fails
 * if one of the names below ever resolves to them.
 *
 * Build one program (no libaio needed):
 *   gcc -O2 -g -Wall -Wextra -Werror -I tests/lib -o /tmp/x tests/regress/FILE.c
 */
#ifndef AIORING_REGRESS_AIO_SYS_H
#define AIORING_REGRESS_AIO_SYS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <linux/aio_abi.h>	/* also brings in <linux/fs.h>: BLK*, RWF_* */

#include "aio_syscalls.h"
#include "iocb.h"
#include "mem.h"
#include "pattern.h"
#include "sysfs.h"
#include "tap.h"
#include "test_util.h"

_Static_assert(__NR_io_setup != 335 && __NR_io_setup != 336, "io_setup nr");
_Static_assert(__NR_io_destroy != 335 && __NR_io_destroy != 336, "io_destroy nr");
_Static_assert(__NR_io_submit != 335 && __NR_io_submit != 336, "io_submit nr");
_Static_assert(__NR_io_cancel != 335 && __NR_io_cancel != 336, "io_cancel nr");
_Static_assert(__NR_io_getevents != 335 && __NR_io_getevents != 336, "io_getevents nr");
_Static_assert(__NR_io_pgetevents != 335 && __NR_io_pgetevents != 336, "io_pgetevents nr");
_Static_assert(sizeof(struct iocb) == 64, "struct iocb is 64 bytes");
_Static_assert(sizeof(struct io_event) == 32, "struct io_event is 32 bytes");

/* ------------------------------------------------------------------ */
/* Kernel version: for the few details where 6.1 and later kernels     */
/* differ; the 6.1 behaviour is asserted only when running on 6.1.     */

static inline int kernel_is_6_1(void)
{
	char buf[128];

	if (read_file("/proc/sys/kernel/osrelease", buf, sizeof(buf)))
		return 0;
	return !strncmp(buf, "6.1.", 4) || !strcmp(buf, "6.1");
}

/* ------------------------------------------------------------------ */
/* Scratch targets                                                     */

#define MAX_TARGETS	8

struct aio_target {
	char name[PATH_MAX + 8];	/* "bdev:/dev/x" or "dir:/mnt/y" */
	char dir[PATH_MAX];		/* directory (files), empty for bdev */
	char path[PATH_MAX];		/* file or device path once opened */
	int is_bdev;
	int created;			/* path is a file we created */
	unsigned int lbs;		/* logical block size (bdev) */
	unsigned long long size;	/* device size (bdev) */
};

enum {
	TGT_BDEV = 1,	/* include AIORING_TEST_BDEV when set */
	TGT_DIRS = 2,	/* include every directory */
};

/*
 * Fill t[] with the targets of the environment; returns the count.
 * Directories come from AIORING_TEST_DIRS, or $TMPDIR / /tmp when unset.
 */
static inline int aio_targets(struct aio_target *t, int max, int which)
{
	const char *bdev = getenv("AIORING_TEST_BDEV");
	const char *dirs = getenv("AIORING_TEST_DIRS");
	char list[4096];
	char *save = NULL, *d;
	int n = 0;

	if ((which & TGT_BDEV) && bdev && *bdev && n < max) {
		memset(&t[n], 0, sizeof(t[n]));
		t[n].is_bdev = 1;
		snprintf(t[n].name, sizeof(t[n].name), "bdev:%s", bdev);
		snprintf(t[n].path, sizeof(t[n].path), "%s", bdev);
		n++;
	}
	if (!(which & TGT_DIRS))
		return n;
	if (!dirs || !*dirs) {
		dirs = getenv("TMPDIR");
		if (!dirs || !*dirs)
			dirs = "/tmp";
	}
	snprintf(list, sizeof(list), "%s", dirs);
	for (d = strtok_r(list, ":", &save); d && n < max;
	     d = strtok_r(NULL, ":", &save)) {
		if (!*d)
			continue;
		memset(&t[n], 0, sizeof(t[n]));
		snprintf(t[n].name, sizeof(t[n].name), "dir:%s", d);
		snprintf(t[n].dir, sizeof(t[n].dir), "%s", d);
		n++;
	}
	return n;
}

/*
 * Open the target with flags (O_RDWR | O_DIRECT ...).  For a directory a
 * new empty file named after the program is created (without O_DIRECT)
 * on first open and kept for reopening until target_cleanup().  Returns
 * the fd or -errno.
 */
static inline int target_open(struct aio_target *t, int flags)
{
	static int serial;
	int fd;

	if (t->is_bdev) {
		fd = open(t->path, flags);
		if (fd < 0)
			return -errno;
		if (ioctl(fd, BLKSSZGET, &t->lbs) < 0 ||
		    ioctl(fd, BLKGETSIZE64, &t->size) < 0) {
			int e = errno;

			close(fd);
			return -e;
		}
		return fd;
	}
	if (!t->created) {
		char tmp[PATH_MAX];
		int len = snprintf(tmp, sizeof(tmp), "%s/aio-regress-%s-%d-%d",
				   t->dir, program_invocation_short_name,
				   (int)getpid(), serial++);

		if (len < 0 || len >= (int)sizeof(tmp))
			return -ENAMETOOLONG;
		/* create it plainly first: an O_DIRECT refusal leaves no file */
		fd = open(tmp, O_RDWR | O_CREAT | O_EXCL, 0600);
		if (fd < 0)
			return -errno;
		close(fd);
		memcpy(t->path, tmp, sizeof(tmp));
		t->created = 1;
	}
	fd = open(t->path, flags);
	return fd < 0 ? -errno : fd;
}

/*
 * The file of the first scratch directory, opened O_RDWR, its first len
 * bytes holding the pattern of seed (none written when len is 0); the
 * test is skipped when there is no scratch directory.  Returns the fd.
 */
static inline int scratch_target_file(struct aio_target *t, size_t len, uint64_t seed)
{
	int fd;
	void *buf;

	if (!aio_targets(t, 1, TGT_DIRS))
		skip_all("no scratch directory");
	fd = target_open(t, O_RDWR);
	if (fd < 0)
		skip_all("cannot create a file in %s: %s", t->dir, strerror(-fd));
	if (!len)
		return fd;
	buf = xalign(4096, len);
	pattern_fill(buf, len, 0, seed);
	if (pwrite(fd, buf, len, 0) != (ssize_t)len)
		bail_out("pwrite");
	free(buf);
	return fd;
}

/* Remove the file created by target_open() (not for block devices). */
static inline void target_cleanup(struct aio_target *t)
{
	if (t->created) {
		unlink(t->path);
		t->created = 0;
	}
}

/*
 * Open a target for O_DIRECT I/O.  Returns the fd, or -errno; -EINVAL
 * means the filesystem does not support O_DIRECT (e.g. tmpfs on 6.1).
 */
static inline int target_open_direct(struct aio_target *t)
{
	int fd = target_open(t, O_RDWR | O_DIRECT);

	if (fd == -EINVAL && !t->is_bdev && t->created)
		target_cleanup(t);	/* O_CREAT made it; DIO refused */
	return fd;
}

/*
 * Smallest O_DIRECT block size that works on fd: the logical block size
 * of a device, or for a file the first of 512/4096 that a synchronous
 * pwrite() at offset 0 accepts (the file is truncated afterwards).
 * Returns 0 if neither works.
 */
static inline unsigned int target_dio_align(struct aio_target *t, int fd)
{
	static const unsigned int sizes[] = { 512, 4096 };
	unsigned int i, got = 0;
	void *buf;

	if (t->is_bdev)
		return t->lbs;
	buf = xalign(4096, 4096);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		if (pwrite(fd, buf, sizes[i], 0) == (ssize_t)sizes[i]) {
			got = sizes[i];
			break;
		}
	}
	free(buf);
	if (ftruncate(fd, 0))
		return 0;
	return got;
}

/* ------------------------------------------------------------------ */
/* Completions                                                         */

/*
 * Collect n events (waiting at most timeout_ms overall).  Returns the
 * number collected; stops early on an error (errno kept).
 */
static inline long wait_events(aio_context_t ctx, long n, struct io_event *ev,
			       int timeout_ms)
{
	int64_t deadline = now_ns() + (int64_t)timeout_ms * 1000000LL;
	long got = 0;

	while (got < n) {
		int64_t left = deadline - now_ns();
		struct timespec ts;
		long r;

		if (left <= 0)
			break;
		ts.tv_sec = left / 1000000000LL;
		ts.tv_nsec = left % 1000000000LL;
		r = sys_io_getevents(ctx, 1, n - got, ev + got, &ts);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		got += r;
	}
	return got;
}

/* want_all value for check_events(): res is checked by the caller */
#define RES_ANY		LLONG_MIN

/*
 * Check the events of a batch of n iocbs submitted with aio_data
 * AIO_DATA(tag, i): every iocb completed exactly once, obj is its address,
 * res equals want[i] (or want_all when want is NULL) and res2 is 0.
 * Emits four assertions (three with RES_ANY); returns 1 if all hold.
 */
static inline int check_events(const char *what, const struct io_event *ev,
			       long got, struct iocb *const *cbs, long n,
			       uint32_t tag, const long long *want,
			       long long want_all)
{
	char *seen = calloc(n ? n : 1, 1);
	long i, bad_data = 0, bad_obj = 0, bad_res = 0, bad_res2 = 0;
	int all = 1;

	if (!seen)
		bail_out("calloc");
	for (i = 0; i < got; i++) {
		uint64_t idx = ev[i].data & 0xffffffffULL;
		long long w;

		if ((ev[i].data >> 32) != tag || idx >= (uint64_t)n || seen[idx]) {
			if (!bad_data++)
				diag("%s: event %ld has data %#llx", what, i,
				     (unsigned long long)ev[i].data);
			continue;
		}
		seen[idx] = 1;
		if (ev[i].obj != (uint64_t)(uintptr_t)cbs[idx] && !bad_obj++)
			diag("%s: event for iocb %llu has obj %#llx, iocb at %p",
			     what, (unsigned long long)idx,
			     (unsigned long long)ev[i].obj, (void *)cbs[idx]);
		w = want ? want[idx] : want_all;
		if (!want && want_all == RES_ANY)
			w = ev[i].res;
		if (ev[i].res != w && !bad_res++)
			diag("%s: iocb %llu res %lld, expected %lld", what,
			     (unsigned long long)idx, (long long)ev[i].res, w);
		if (ev[i].res2 != 0 && !bad_res2++)
			diag("%s: iocb %llu res2 %lld", what,
			     (unsigned long long)idx, (long long)ev[i].res2);
	}
	all &= ok(got == n && !bad_data,
		  "%s: each of %ld iocbs completed exactly once (got %ld events)",
		  what, n, got);
	all &= ok(!bad_obj && got == n, "%s: event obj is the iocb address", what);
	if (want || want_all != RES_ANY)
		all &= ok(!bad_res && got == n,
			  "%s: event res is the expected result", what);
	all &= ok(!bad_res2 && got == n, "%s: event res2 is 0", what);
	free(seen);
	return all;
}

/* One ok() for a pattern comparison, with the first bad byte in diag. */
static inline int ok_pattern(const void *buf, size_t len, uint64_t off,
			     uint64_t seed, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static inline int ok_pattern(const void *buf, size_t len, uint64_t off,
			     uint64_t seed, const char *fmt, ...)
{
	char what[256];
	va_list ap;
	long bad;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	bad = pattern_check(buf, len, off, seed);
	if (bad >= 0)
		diag("%s: first wrong byte at file offset %llu: %#x, expected %#x",
		     what, (unsigned long long)(off + bad),
		     ((const uint8_t *)buf)[bad], pattern_byte(off + bad, seed));
	return ok(bad < 0, "%s", what);
}

/* Set up a context or bail out. */
static inline aio_context_t setup_or_bail(unsigned int nr)
{
	aio_context_t ctx = 0;

	if (sys_io_setup(nr, &ctx))
		bail_out("io_setup(%u)", nr);
	return ctx;
}

#endif
