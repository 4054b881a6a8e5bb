/* SPDX-License-Identifier: MIT */
/*
 * O_DIRECT targets of the test VM (environment of tests/vm/guest-init.sh):
 *   AIORING_POLL_BDEVS   block devices with poll queues (scratch)
 *   AIORING_NOPOLL_BDEV  a scratch block device without poll queues
 *   AIORING_TEST_DIRS    ':'-separated directories for O_DIRECT files
 * A device listed as polled is only treated as polled when
 * /sys/block/X/queue/io_poll reads 1.  Only the first FILE_TARGET_SIZE
 * (8 MiB) of a device is used (and, on null_blk, written once at open,
 * see bdev_prefill_nullb()).
 */
#ifndef AIORING_TEST_TARGET_H
#define AIORING_TEST_TARGET_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/fs.h>

#include "mem.h"
#include "sysfs.h"
#include "tap.h"

#define MAX_TARGETS	8
#define FILE_TARGET_SIZE	(8u << 20)	/* O_DIRECT test file size */

enum {
	TGT_POLL_BDEVS = 1,	/* AIORING_POLL_BDEVS */
	TGT_NOPOLL_BDEV = 2,	/* AIORING_NOPOLL_BDEV */
	TGT_FILES = 4,		/* a file in each AIORING_TEST_DIRS dir */
	TGT_ALL = 7,
};

struct target {
	char name[96];		/* "nullb0", "vdc", "file@/run/aioring/xfs" */
	char path[PATH_MAX];
	char dir[PATH_MAX];	/* files only */
	int is_bdev;
	int polled;		/* block device with io_poll == 1 */
	int created;		/* path is a file we created */
	int fd;			/* O_DIRECT fd once opened, else -1 */
	uint64_t size;		/* usable bytes */
};

/* /sys/block/NAME/queue/ATTR of a /dev/NAME path as a number, or -1. */
static inline long bdev_queue_long(const char *path, const char *attr)
{
	const char *base = strrchr(path, '/');
	char sys[PATH_MAX];

	base = base ? base + 1 : path;
	snprintf(sys, sizeof(sys), "/sys/block/%s/queue/%s", base, attr);
	return read_sysctl_long(sys);
}

/* /sys/block/NAME/queue/io_poll of a /dev/NAME path: 1, 0 or -1. */
static inline int bdev_io_poll(const char *path)
{
	return (int)bdev_queue_long(path, "io_poll");
}

static inline void target_add_bdev(struct target *t, int *n, int max,
				   const char *path)
{
	struct stat st;
	const char *base = strrchr(path, '/');

	if (*n >= max)
		return;
	if (stat(path, &st) || !S_ISBLK(st.st_mode)) {
		diag("%s: not a block device here, not used", path);
		return;
	}
	memset(&t[*n], 0, sizeof(t[*n]));
	snprintf(t[*n].name, sizeof(t[*n].name), "%s", base ? base + 1 : path);
	snprintf(t[*n].path, sizeof(t[*n].path), "%s", path);
	t[*n].is_bdev = 1;
	t[*n].polled = bdev_io_poll(path) == 1;
	t[*n].fd = -1;
	(*n)++;
}

/* Fill t[] with the targets selected by which; returns the count. */
static inline int targets_collect(struct target *t, int max, int which)
{
	const char *env;
	char list[4096], *save = NULL, *w;
	int n = 0;

	env = getenv("AIORING_POLL_BDEVS");
	if ((which & TGT_POLL_BDEVS) && env) {
		snprintf(list, sizeof(list), "%s", env);
		for (w = strtok_r(list, " \t:,", &save); w;
		     w = strtok_r(NULL, " \t:,", &save)) {
			int before = n;

			target_add_bdev(t, &n, max, w);
			if (n > before && !t[before].polled)
				diag("%s: io_poll is not 1, used as a device without poll queues",
				     w);
		}
	}
	env = getenv("AIORING_NOPOLL_BDEV");
	if ((which & TGT_NOPOLL_BDEV) && env && *env)
		target_add_bdev(t, &n, max, env);
	env = getenv("AIORING_TEST_DIRS");
	if ((which & TGT_FILES)) {
		if (!env || !*env)
			env = "/var/tmp";
		snprintf(list, sizeof(list), "%s", env);
		save = NULL;
		for (w = strtok_r(list, ":", &save); w && n < max;
		     w = strtok_r(NULL, ":", &save)) {
			const char *fs = strrchr(w, '/');

			memset(&t[n], 0, sizeof(t[n]));
			snprintf(t[n].name, sizeof(t[n].name), "file@%s",
				 fs && fs[1] ? fs + 1 : w);
			snprintf(t[n].dir, sizeof(t[n].dir), "%s", w);
			t[n].fd = -1;
			n++;
		}
	}
	return n;
}

/*
 * null_blk (memory_backed=1) allocates its backing page for a sector on
 * the first write, and on a poll queue it does so from ->poll(), which
 * iocb_bio_iopoll() calls under rcu_read_lock(): the debug kernel then
 * reports "sleeping function called from invalid context" (stock 6.1
 * null_blk; io_uring IOPOLL writes trigger it the same way).  So the part
 * of a null_blk device the tests use is written once, synchronously and
 * without polling, before any polled write: later writes find the pages.
 */
static inline int bdev_prefill_nullb(int fd, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t chunk = 1u << 20;
	uint8_t *zero;
	uint64_t off;
	int ret = 0;

	base = base ? base + 1 : path;
	if (strncmp(base, "nullb", 5))
		return 0;
	zero = map_pages(chunk);
	for (off = 0; off < FILE_TARGET_SIZE; off += chunk)
		if (pwrite(fd, zero, chunk, (off_t)off) != (ssize_t)chunk) {
			ret = -(errno ? errno : EIO);
			break;
		}
	unmap_pages(zero, chunk);
	return ret;
}

/*
 * Open a target for O_DIRECT IO (O_RDWR).  A file target is created in
 * its directory, written full of zeroes through the page cache and
 * synced (later O_DIRECT writes are overwrites of allocated blocks), then
 * reopened with O_DIRECT.  Returns the fd (also in t->fd) or -errno.
 */
static inline int target_open(struct target *t)
{
	static int serial;
	int fd;

	if (t->is_bdev) {
		unsigned long long bytes = 0;

		fd = open(t->path, O_RDWR | O_DIRECT);
		if (fd < 0)
			return -errno;
		if (ioctl(fd, BLKGETSIZE64, &bytes) < 0) {
			int e = errno;

			close(fd);
			return -e;
		}
		t->size = bytes;
		if (bytes >= FILE_TARGET_SIZE && bdev_prefill_nullb(fd, t->path) < 0) {
			int e = errno;

			close(fd);
			return -e;
		}
		t->fd = fd;
		return fd;
	}
	if (!t->created) {
		char *zero = calloc(1, 1 << 20);
		unsigned int i;
		int len;

		if (!zero)
			bail_out("calloc");
		{
			char tmp[PATH_MAX];

			len = snprintf(tmp, sizeof(tmp), "%s/abi-%s-%d-%d",
				       t->dir, program_invocation_short_name,
				       (int)getpid(), serial++);
			if (len < 0 || len >= (int)sizeof(tmp)) {
				free(zero);
				return -ENAMETOOLONG;
			}
			memcpy(t->path, tmp, sizeof(tmp));
		}
		fd = open(t->path, O_RDWR | O_CREAT | O_EXCL, 0600);
		if (fd < 0) {
			free(zero);
			return -errno;
		}
		t->created = 1;
		for (i = 0; i < FILE_TARGET_SIZE >> 20; i++) {
			if (pwrite(fd, zero, 1 << 20, (off_t)i << 20) != 1 << 20) {
				int e = errno ? errno : EIO;

				free(zero);
				close(fd);
				return -e;
			}
		}
		free(zero);
		if (fsync(fd)) {
			int e = errno;

			close(fd);
			return -e;
		}
		close(fd);
		t->size = FILE_TARGET_SIZE;
	}
	fd = open(t->path, O_RDWR | O_DIRECT);
	if (fd < 0)
		return -errno;
	t->fd = fd;
	return fd;
}

static inline void target_close(struct target *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (t->created) {
		unlink(t->path);
		t->created = 0;
	}
}

/*
 * Open every target; the ones that fail are reported (diag) and get
 * fd -1.  Returns how many opened.
 */
static inline int targets_open_all(struct target *t, int n, uint64_t need)
{
	int i, usable = 0;

	for (i = 0; i < n; i++) {
		int fd = target_open(&t[i]);

		if (fd < 0) {
			diag("%s: cannot open for O_DIRECT: %s", t[i].name,
			     strerror(-fd));
			target_close(&t[i]);
			continue;
		}
		if (t[i].size < need) {
			diag("%s: %llu bytes, %llu needed: not used", t[i].name,
			     (unsigned long long)t[i].size,
			     (unsigned long long)need);
			target_close(&t[i]);
			continue;
		}
		usable++;
	}
	return usable;
}

static inline void targets_close_all(struct target *t, int n)
{
	int i;

	for (i = 0; i < n; i++)
		target_close(&t[i]);
}

/*
 * One O_DIRECT target for programs that need a single one: the first
 * polled block device, else the no-poll device, else a file.  Returns
 * 0 with *t opened, or -1 (diag printed).
 */
static inline int target_pick(struct target *out, uint64_t need)
{
	struct target t[MAX_TARGETS];
	int n = targets_collect(t, MAX_TARGETS, TGT_ALL);
	int pass, i;

	for (pass = 0; pass < 3; pass++) {
		for (i = 0; i < n; i++) {
			int fd;

			if (pass == 0 && !(t[i].is_bdev && t[i].polled))
				continue;
			if (pass == 1 && !(t[i].is_bdev && !t[i].polled))
				continue;
			if (pass == 2 && t[i].is_bdev)
				continue;
			fd = target_open(&t[i]);
			if (fd < 0) {
				diag("%s: cannot open for O_DIRECT: %s",
				     t[i].name, strerror(-fd));
				target_close(&t[i]);
				continue;
			}
			if (t[i].size < need) {
				target_close(&t[i]);
				continue;
			}
			*out = t[i];
			return 0;
		}
	}
	return -1;
}

#endif
