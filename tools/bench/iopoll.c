// SPDX-License-Identifier: MIT
/*
 * aioring-bench: does the target's block device have poll queues?  The
 * answer is in sysfs (queue/io_poll), so it is asked without a system
 * call of the interface (and tested on a fake sysfs tree).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "bench.h"
#include "../lib/internal.h"

/*
 * Does block device major:minor have poll queues: 1, 0, or -errno.
 * Reads SYSFS/dev/block/M:m/queue/io_poll; a partition has no queue of
 * its own, its disk's (one directory up) counts.  sysfs NULL is "/sys".
 */
int dev_io_poll(const char *sysfs, unsigned int major, unsigned int minor)
{
	char path[PATH_MAX];
	int ret;

	if (!sysfs)
		sysfs = "/sys";
	snprintf(path, sizeof(path), "%s/dev/block/%u:%u/queue/io_poll",
		 sysfs, major, minor);
	ret = aioring_read_int_file(path);
	if (ret != -ENOENT)
		return ret;
	snprintf(path, sizeof(path), "%s/dev/block/%u:%u/../queue/io_poll",
		 sysfs, major, minor);
	return aioring_read_int_file(path);
}

/*
 * The same for a path: a block device itself, or the device a file's
 * file system lives on.  -ENODEV when there is no block device (tmpfs,
 * network and virtual file systems).
 */
int path_io_poll(const char *path, const char *sysfs)
{
	struct stat st;
	dev_t dev;

	if (stat(path, &st))
		return -errno;
	dev = S_ISBLK(st.st_mode) ? st.st_rdev : st.st_dev;
	if (!major(dev))
		return -ENODEV;
	return dev_io_poll(sysfs, major(dev), minor(dev));
}
