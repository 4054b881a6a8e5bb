// SPDX-License-Identifier: MIT
/*
 * aioring-bench --probe: what the running kernel and the target support,
 * asked of the kernel (libaioring's probe, io_uring and io_setup tries)
 * and of sysfs.  Exit 0 when the aio-ring interface is usable, 77 when
 * it is not, 2 when the target is missing.  On a kernel without the
 * fs.aio-ring-disabled sysctl io_setup2 is never called.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/fs.h>
#include <liburing.h>

#include "aioring.h"
#include "bench.h"

struct target_info {
	int exists, is_bdev, direct_ok, io_poll;
	int direct_errno;
	unsigned long long size;
	int lbs, pbs;
	unsigned int major, minor;
};

static int probe_io_uring(void)
{
	struct io_uring ring;
	int ret = io_uring_queue_init(2, &ring, 0);

	if (!ret)
		io_uring_queue_exit(&ring);
	return ret;
}

static int probe_libaio(void)
{
	aio_context_t ctx = 0;

	if (syscall(__NR_io_setup, 1, &ctx) < 0)
		return -errno;
	syscall(__NR_io_destroy, ctx);
	return 0;
}

static int probe_target(const char *path, struct target_info *ti)
{
	struct stat st;
	int fd;

	memset(ti, 0, sizeof(*ti));
	if (stat(path, &st))
		return -errno;
	ti->exists = 1;
	ti->is_bdev = S_ISBLK(st.st_mode);
	ti->size = (unsigned long long)st.st_size;
	ti->major = major(ti->is_bdev ? st.st_rdev : st.st_dev);
	ti->minor = minor(ti->is_bdev ? st.st_rdev : st.st_dev);
	ti->io_poll = path_io_poll(path, NULL);
	fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0) {
		ti->direct_errno = errno;
		return 0;
	}
	ti->direct_ok = 1;
	if (ti->is_bdev) {
		ioctl(fd, BLKGETSIZE64, &ti->size);
		ioctl(fd, BLKSSZGET, &ti->lbs);
		ioctl(fd, BLKPBSZGET, &ti->pbs);
	}
	close(fd);
	return 0;
}

static const char *poll_text(int io_poll)
{
	if (io_poll == 1)
		return "yes";
	if (io_poll == 0)
		return "no (queue/io_poll is 0)";
	if (io_poll == -ENODEV)
		return "no (not on a block device)";
	return "unknown (no queue/io_poll in sysfs)";
}

static void print_text(const struct utsname *u, const struct aioring_probe *pr,
		       int uring, int libaio, const char *path,
		       const struct target_info *ti)
{
	char why[256];
	unsigned int i;

	printf("kernel      %s %s\n", u->sysname, u->release);
	aioring_setup_strerror(-pr->error, 0, why, sizeof(why));
	if (!pr->present)
		printf("aio-ring    absent: %s\n", why);
	else if (pr->error)
		printf("aio-ring    present but not usable: %s\n", why);
	else
		printf("aio-ring    present: io_setup2() and io_ring_enter()\n");
	if (pr->present && !pr->error) {
		for (i = 0; i < AIORING_NR_CTX_FLAGS; i++) {
			const char *name = aioring_flag_name(1U << i);

			if (pr->flags_ok & (1U << i))
				printf("  IOCTX_FLAG_%-10s yes\n", name);
			else
				printf("  IOCTX_FLAG_%-10s no: %s\n", name,
				       pr->flag_error[i] == EINVAL ?
				       "not supported by this kernel (EINVAL)" :
				       strerror(pr->flag_error[i]));
		}
	}
	printf("io_uring    %s\n", uring ? strerror(-uring) : "yes");
	printf("libaio      %s\n", libaio ? strerror(-libaio) : "yes (io_setup)");
	if (!path)
		return;
	printf("target      %s: %s, %llu bytes", path,
	       ti->is_bdev ? "block device" : "file", ti->size);
	if (ti->lbs)
		printf(", logical block %d, physical block %d", ti->lbs, ti->pbs);
	printf("\n  device %u:%u\n", ti->major, ti->minor);
	printf("  O_DIRECT    %s\n", ti->direct_ok ? "yes" :
	       ti->direct_errno == EINVAL ? "no (not supported here)" :
	       strerror(ti->direct_errno));
	printf("  poll queues %s\n", poll_text(ti->io_poll));
	printf("  polled aio  %s\n",
	       ti->io_poll == 1 && ti->direct_ok && (pr->flags_ok & IOCTX_FLAG_IOPOLL) ?
	       "yes (--polled)" : "no");
}

static void print_json(const struct utsname *u, const struct aioring_probe *pr,
		       int uring, int libaio, const char *path,
		       const struct target_info *ti)
{
	struct json j;
	unsigned int i;

	json_init(&j, stdout);
	json_obj_begin(&j, NULL);
	json_str(&j, "kernel", u->release);
	json_obj_begin(&j, "aioring");
	json_bool(&j, "present", pr->present);
	json_str(&j, "error", pr->error ? strerror(pr->error) : NULL);
	json_obj_begin(&j, "flags");
	for (i = 0; i < AIORING_NR_CTX_FLAGS; i++)
		json_bool(&j, aioring_flag_name(1U << i),
			  !!(pr->flags_ok & (1U << i)));
	json_obj_end(&j);
	json_obj_end(&j);
	json_bool(&j, "io_uring", !uring);
	json_bool(&j, "libaio", !libaio);
	if (path) {
		json_obj_begin(&j, "target");
		json_str(&j, "path", path);
		json_str(&j, "type", ti->is_bdev ? "block" : "file");
		json_u64(&j, "size", ti->size);
		json_int(&j, "logical_block", ti->lbs);
		json_bool(&j, "direct", ti->direct_ok);
		if (ti->io_poll >= 0)
			json_bool(&j, "poll_queues", ti->io_poll);
		else
			json_null(&j, "poll_queues");
		json_obj_end(&j);
	}
	json_obj_end(&j);
	json_end(&j);
}

int bench_probe_print(const struct bench_opts *o)
{
	struct aioring_probe pr;
	struct target_info ti;
	struct utsname u;
	int uring, libaio, ret;

	if (o->target) {
		ret = probe_target(o->target, &ti);
		if (ret) {
			fprintf(stderr, "aioring-bench: %s: %s\n", o->target,
				strerror(-ret));
			return EXIT_USAGE;
		}
	}
	if (uname(&u))
		memset(&u, 0, sizeof(u));
	aioring_probe(&pr, NULL);
	uring = probe_io_uring();
	libaio = probe_libaio();
	if (o->json)
		print_json(&u, &pr, uring, libaio, o->target, &ti);
	else
		print_text(&u, &pr, uring, libaio, o->target, &ti);
	return pr.present && !pr.error ? 0 : EXIT_NOKERNEL;
}
