// SPDX-License-Identifier: MIT
/*
 * aioring-bench's poll-queue lookup (tools/bench/iopoll.c) on a fake
 * sysfs tree: a disk, a disk without poll queues, a partition, an
 * unknown device, an unreadable value, a path on a virtual file system.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"
#include "tap.h"

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		bail_out("fopen %s", path);
	fputs(text, f);
	fclose(f);
}

static void test_io_poll(void)
{
	char root[] = "/tmp/aioring-unit-sysfs-XXXXXX", p[PATH_MAX], cmd[PATH_MAX + 16];

	if (!mkdtemp(root))
		bail_out("mkdtemp");
	/* /sys/dev/block/M:m are links into /sys/block/NAME (or a partition) */
#define MK(fmt, ...) do { snprintf(p, sizeof(p), fmt, root, ##__VA_ARGS__); \
		if (mkdir(p, 0755)) bail_out("mkdir %s", p); } while (0)
	MK("%s/dev");
	MK("%s/dev/block");
	MK("%s/block");
	MK("%s/block/nullb0");
	MK("%s/block/nullb0/queue");
	MK("%s/block/vdc");
	MK("%s/block/vdc/queue");
	MK("%s/block/nvme0n1");
	MK("%s/block/nvme0n1/queue");
	MK("%s/block/nvme0n1/nvme0n1p1");
	MK("%s/block/odd");
	MK("%s/block/odd/queue");
	snprintf(p, sizeof(p), "%s/block/nullb0/queue/io_poll", root);
	put_file(p, "1\n");
	snprintf(p, sizeof(p), "%s/block/vdc/queue/io_poll", root);
	put_file(p, "0\n");
	snprintf(p, sizeof(p), "%s/block/nvme0n1/queue/io_poll", root);
	put_file(p, "1\n");
	snprintf(p, sizeof(p), "%s/block/odd/queue/io_poll", root);
	put_file(p, "yes\n");
	snprintf(p, sizeof(p), "%s/dev/block/251:0", root);
	if (symlink("../../block/nullb0", p))
		bail_out("symlink");
	snprintf(p, sizeof(p), "%s/dev/block/254:32", root);
	if (symlink("../../block/vdc", p))
		bail_out("symlink");
	snprintf(p, sizeof(p), "%s/dev/block/259:1", root);
	if (symlink("../../block/nvme0n1/nvme0n1p1", p))
		bail_out("symlink");
	snprintf(p, sizeof(p), "%s/dev/block/7:7", root);
	if (symlink("../../block/odd", p))
		bail_out("symlink");

	ok(dev_io_poll(root, 251, 0) == 1, "io_poll 1: poll queues");
	ok(dev_io_poll(root, 254, 32) == 0, "io_poll 0: none");
	ok(dev_io_poll(root, 259, 1) == 1,
	   "a partition answers with its disk's queue");
	ok(dev_io_poll(root, 8, 0) == -ENOENT, "unknown device: -ENOENT");
	ok(dev_io_poll(root, 7, 7) == -EIO, "unreadable value: -EIO");
	ok(path_io_poll("/nonexistent/aioring", root) == -ENOENT,
	   "missing path: -ENOENT");
	ok(path_io_poll("/proc/self/status", root) == -ENODEV,
	   "a file on a virtual file system: -ENODEV");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd))
		diag("could not remove %s", root);
}

int main(void)
{
	test_io_poll();
	return tap_done();
}
