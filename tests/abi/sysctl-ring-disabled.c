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
#include "setup_tries.h"
#include "knob.h"

#define SYSCTL	"/proc/sys/fs/aio-ring-disabled"

static void try_all(void *arg, void *out)
{
	(void)arg;
	try_setups(out);
}

/* try_all() in a root child with CAP_SYS_ADMIN dropped from its effective set */
static void try_all_no_admin(void *arg, void *out)
{
	if (drop_effective_cap(CAP_SYS_ADMIN))
		_exit(6);
	try_all(arg, out);
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
	struct setup_tries res;
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
		check_setups("root", v, &res, v < 2);
		if (run_as_nobody(NULL, try_all, NULL, &res, sizeof(res)) == 0)
			check_setups("nobody", v, &res, v == 0);
		else
			ok(0, "value %d: the unprivileged child ran", v);
		if (v == 1) {
			if (run_for_result(try_all_no_admin, NULL, &res, sizeof(res)) == 0)
				check_setups("root without CAP_SYS_ADMIN", v, &res, 0);
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
