// SPDX-License-Identifier: MIT
/*
 * sysctl-ring-disabled: fs.aio-ring-disabled (spec section 10).
 *
 *  - the sysctl takes 0, 1 and 2 (read back after each write); 3 and -1
 *    are rejected by the write (EINVAL) and leave the value as it was;
 *  - for each value, io_setup2 (flags 0, and SCQRING with rings) as root
 *    and in an unprivileged child (uid/gid 65534, no capabilities):
 *      0: both succeed;  1: root succeeds, nobody gets EPERM;
 *      2: both get EPERM;
 *    with 1 a root child that dropped only CAP_SYS_ADMIN from its
 *    effective set gets EPERM (the check is the capability, not uid 0);
 *    classic io_setup works in every case for everybody;
 *  - a ring context made while 0 keeps working after the value becomes
 *    2 (a read of /dev/zero through it), and io_destroy works;
 *  - failed calls leave no context behind (fs.aio-nr);
 *  - the value is put back to 0 at the end, also on the failure paths
 *    (atexit and SIGTERM/SIGINT/SIGALRM handlers).
 */
#include "ring2_util.h"
#include "knob.h"

#include <linux/capability.h>

#define SYSCTL	"/proc/sys/fs/aio-ring-disabled"

struct res {
	long flags0_ret, flags0_err;
	long ring_ret, ring_err;
	long classic_ret, classic_err;
	long nr0, nr1;
};

/* The three calls; every context made is destroyed again. */
static void try_all(void *arg, void *out)
{
	struct res *res = out;
	aio_context_t ctx = 0;
	struct ring r;

	(void)arg;
	res->nr0 = aio_nr();
	res->flags0_ret = aioring_io_setup2(4, 0, NULL, NULL, &ctx);
	res->flags0_err = res->flags0_ret ? errno : 0;
	if (res->flags0_ret == 0)
		sys_io_destroy(ctx);
	ring_mem_alloc(&r, 4);
	res->ring_ret = aioring_io_setup2(4, IOCTX_FLAG_SCQRING, r.sq, r.cq, &r.ctx);
	res->ring_err = res->ring_ret ? errno : 0;
	if (res->ring_ret == 0)
		sys_io_destroy(r.ctx);
	ring_mem_free(&r);
	ctx = 0;
	res->classic_ret = sys_io_setup(4, &ctx);
	res->classic_err = res->classic_ret ? errno : 0;
	if (res->classic_ret == 0)
		sys_io_destroy(ctx);
	res->nr1 = aio_nr();
}

/* Drop CAP_SYS_ADMIN from the effective set only (still uid 0). */
static void drop_sys_admin(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		_exit(6);
	d[CAP_SYS_ADMIN / 32].effective &= ~(1u << (CAP_SYS_ADMIN % 32));
	if (syscall(SYS_capset, &h, d))
		_exit(7);
}

static int run_root_no_admin(struct res *res)
{
	int p[2], st;
	pid_t pid;
	ssize_t n;

	if (pipe(p))
		bail_out("pipe");
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		bail_out("fork");
	if (pid == 0) {
		close(p[0]);
		drop_sys_admin();
		memset(res, 0, sizeof(*res));
		try_all(NULL, res);
		_exit(write(p[1], res, sizeof(*res)) == sizeof(*res) ? 0 : 4);
	}
	close(p[1]);
	n = read(p[0], res, sizeof(*res));
	close(p[0]);
	waitpid(pid, &st, 0);
	return n == sizeof(*res) && WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : -1;
}

static const char *ename(long ret, long err)
{
	return ret == 0 ? "success" : strerrorname_np((int)err);
}

static void check(const char *who, int value, const struct res *res, int allowed)
{
	if (allowed)
		ok(res->flags0_ret == 0 && res->ring_ret == 0,
		   "value %d, %s: io_setup2 works (flags 0: %s, SCQRING: %s)",
		   value, who, ename(res->flags0_ret, res->flags0_err),
		   ename(res->ring_ret, res->ring_err));
	else
		ok(res->flags0_ret == -1 && res->flags0_err == EPERM &&
		   res->ring_ret == -1 && res->ring_err == EPERM,
		   "value %d, %s: io_setup2 gives EPERM (flags 0: %s, SCQRING: %s)",
		   value, who, ename(res->flags0_ret, res->flags0_err),
		   ename(res->ring_ret, res->ring_err));
	ok(res->classic_ret == 0, "value %d, %s: classic io_setup works (%s)",
	   value, who, ename(res->classic_ret, res->classic_err));
	ok(res->nr1 == res->nr0, "value %d, %s: no context left behind (aio-nr %ld -> %ld)",
	   value, who, res->nr0, res->nr1);
}

static int set_value(long v)
{
	int ret = write_sysctl_long(SYSCTL, v);

	return ok(ret == 0 && read_sysctl_long(SYSCTL) == v,
		  "writing %ld to fs.aio-ring-disabled works and reads back (ret %d, reads %ld)",
		  v, ret, read_sysctl_long(SYSCTL));
}

int main(void)
{
	struct res res;
	long orig, start;
	int v, ret;

	require_aioring();
	if (geteuid() != 0)
		skip_all("needs root");
	orig = read_sysctl_long(SYSCTL);
	if (orig < 0)
		skip_all("%s does not exist", SYSCTL);
	if (orig != 0)
		diag("fs.aio-ring-disabled was %ld at the start; it is left at 0", orig);
	knob_save(SYSCTL, 0);
	signal(SIGALRM, knob_on_signal);
	start = aio_nr();

	/* values the sysctl refuses */
	set_value(1);
	ret = write_sysctl_long(SYSCTL, 3);
	ok(ret == -EINVAL && read_sysctl_long(SYSCTL) == 1,
	   "writing 3 is refused with EINVAL (ret %d), the value stays 1 (%ld)",
	   ret, read_sysctl_long(SYSCTL));
	ret = write_sysctl_long(SYSCTL, -1);
	ok(ret == -EINVAL && read_sysctl_long(SYSCTL) == 1,
	   "writing -1 is refused with EINVAL (ret %d), the value stays 1 (%ld)",
	   ret, read_sysctl_long(SYSCTL));

	for (v = 0; v <= 2; v++) {
		if (!set_value(v))
			continue;
		memset(&res, 0, sizeof(res));
		try_all(NULL, &res);
		check("root", v, &res, v < 2);
		if (run_as_nobody(NULL, try_all, NULL, &res, sizeof(res)) == 0)
			check("nobody", v, &res, v == 0);
		else
			ok(0, "value %d: the unprivileged child ran", v);
		if (v == 1) {
			if (run_root_no_admin(&res) == 0)
				check("root without CAP_SYS_ADMIN", v, &res, 0);
			else
				ok(0, "value 1: the root child without CAP_SYS_ADMIN ran");
		}
	}

	/* a context made while allowed keeps working */
	{
		struct io_event ev;
		struct ring r;
		uint8_t *buf = map_pages(4096);
		int fd = open("/dev/zero", O_RDONLY);
		long r1, r2;

		set_value(0);
		ring_setup_or_bail(&r, 4, IOCTX_FLAG_SCQRING);
		set_value(2);
		memset(buf, 0xa5, 4096);
		iocb_prep(&r.iocbs[0], IOCB_CMD_PREAD, fd, buf, 4096, 0, 0xabc, 0);
		sq_push(&r, 0);
		r1 = ring_enter(&r, 1, 1, IORING_FLAG_SUBMIT | IORING_FLAG_GETEVENTS);
		ok(r1 == 1 && ring_reap_wait(&r, &ev, 1, 5000) == 1 &&
		   ev.data == 0xabc && ev.res == 4096 && buf[0] == 0 &&
		   buf[4095] == 0,
		   "value 2: a ring context made while 0 still works (read of /dev/zero, enter %ld)",
		   r1);
		r2 = ring_destroy(&r);
		ok(r2 == 0, "value 2: io_destroy of it returns 0");
		close(fd);
		unmap_pages(buf, 4096);
	}

	knob_restore();
	ok(read_sysctl_long(SYSCTL) == 0, "fs.aio-ring-disabled is 0 again");
	ok_aio_nr_back(start);
	return tap_done();
}
