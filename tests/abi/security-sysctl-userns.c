// SPDX-License-Identifier: MIT
/*
 * security-sysctl-userns: fs.aio-ring-disabled (spec 10) cannot be got
 * round. sysctl-ring-disabled.c checks each value for root, nobody and
 * root without CAP_SYS_ADMIN; this program adds the ways round it:
 *
 *  - nobody cannot change the value (open for writing is EACCES), nor
 *    can root without CAP_SYS_ADMIN in its effective set (EPERM: a
 *    uid-0 process that value 1 keeps out must not be able to write 0),
 *    and the value stays;
 *  - with value 1, "root" of a new user namespace (all capabilities,
 *    but only in that namespace; made by root, and by nobody where
 *    unprivileged user namespaces are allowed) gets EPERM from io_setup2
 *    (flags 0 and SCQRING), cannot write the sysctl, and classic
 *    io_setup still works; with value 0 it may use io_setup2;
 *  - with value 2 the same namespace root gets EPERM too;
 *  - the value is put back to 0 at the end, also on signals.
 */
#include "ring2_util.h"
#include "knob.h"

#include <linux/capability.h>

#define SYSCTL	"/proc/sys/fs/aio-ring-disabled"

struct res {
	int in_ns;			/* unshare(CLONE_NEWUSER) worked */
	int unshare_err;
	long flags0, flags0_err, ring, ring_err, classic, classic_err;
	long write_ret;			/* write_sysctl_long() */
	long nr0, nr1;
};

static void try_calls(struct res *res)
{
	aio_context_t ctx = 0;
	struct ring r;

	res->nr0 = aio_nr();
	res->flags0 = aioring_io_setup2(4, 0, NULL, NULL, &ctx);
	res->flags0_err = res->flags0 ? errno : 0;
	if (!res->flags0)
		sys_io_destroy(ctx);
	ring_mem_alloc(&r, 4);
	res->ring = aioring_io_setup2(4, IOCTX_FLAG_SCQRING, r.sq, r.cq, &r.ctx);
	res->ring_err = res->ring ? errno : 0;
	if (!res->ring)
		sys_io_destroy(r.ctx);
	ring_mem_free(&r);
	ctx = 0;
	res->classic = sys_io_setup(4, &ctx);
	res->classic_err = res->classic ? errno : 0;
	if (!res->classic)
		sys_io_destroy(ctx);
	res->nr1 = aio_nr();
}

/* Drop CAP_SYS_ADMIN from the effective set only (still uid 0). */
static int drop_sys_admin(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[CAP_SYS_ADMIN / 32].effective &= ~(1u << (CAP_SYS_ADMIN % 32));
	return syscall(SYS_capset, &h, d) ? -1 : 0;
}

enum { AS_ROOT, AS_NOBODY, AS_ROOT_NO_ADMIN };

/* In a child: become who, maybe enter a new user namespace, try. */
static int run(int who, int new_ns, int try_write, struct res *res)
{
	int p[2], st;
	pid_t pid;

	if (pipe(p))
		bail_out("pipe");
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		bail_out("fork");
	if (pid == 0) {
		close(p[0]);
		memset(res, 0, sizeof(*res));
		if (who == AS_NOBODY && drop_to_nobody())
			_exit(3);
		if (who == AS_ROOT_NO_ADMIN && drop_sys_admin())
			_exit(3);
		if (new_ns) {
			res->in_ns = !unshare(CLONE_NEWUSER);
			res->unshare_err = res->in_ns ? 0 : errno;
		}
		if (!new_ns || res->in_ns) {
			try_calls(res);
			res->write_ret = try_write ? write_sysctl_long(SYSCTL, 0) : 0;
		}
		_exit(write(p[1], res, sizeof(*res)) == sizeof(*res) ? 0 : 4);
	}
	close(p[1]);
	memset(res, 0, sizeof(*res));
	st = read(p[0], res, sizeof(*res)) == sizeof(*res);
	close(p[0]);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : -1;
}

static const char *en(long ret, long err)
{
	return ret ? strerrorname_np((int)err) ?: "?" : "works";
}

static void check_ns(const char *who, int value, const struct res *res)
{
	int allowed = value == 0;

	if (allowed)
		ok(res->flags0 == 0 && res->ring == 0,
		   "value %d, %s: io_setup2 works (flags 0: %s, SCQRING: %s)", value, who,
		   en(res->flags0, res->flags0_err), en(res->ring, res->ring_err));
	else
		ok(res->flags0 == -1 && res->flags0_err == EPERM && res->ring == -1 &&
		   res->ring_err == EPERM,
		   "value %d, %s: io_setup2 is EPERM (flags 0: %s, SCQRING: %s)", value,
		   who, en(res->flags0, res->flags0_err), en(res->ring, res->ring_err));
	ok(res->classic == 0, "value %d, %s: classic io_setup works (%s)", value, who,
	   en(res->classic, res->classic_err));
	ok(res->nr0 == res->nr1, "value %d, %s: no context left behind (aio-nr %ld -> %ld)",
	   value, who, res->nr0, res->nr1);
}

int main(void)
{
	struct res res;
	long start, orig;
	int v, who;

	require_aioring();
	if (geteuid() != 0)
		skip_all("needs root");
	orig = read_sysctl_long(SYSCTL);
	if (orig < 0)
		skip_all("%s does not exist", SYSCTL);
	knob_save(SYSCTL, 0);
	signal(SIGALRM, knob_on_signal);
	start = aio_nr();

	/* nobody cannot change the value */
	write_sysctl_long(SYSCTL, 1);
	if (run(AS_NOBODY, 0, 1, &res) == 0)
		ok(res.write_ret == -EACCES && read_sysctl_long(SYSCTL) == 1,
		   "nobody cannot write fs.aio-ring-disabled (%s), the value stays 1 (%ld)",
		   strerrorname_np((int)-res.write_ret) ?: "no error",
		   read_sysctl_long(SYSCTL));
	else
		ok(0, "the unprivileged child ran");
	write_sysctl_long(SYSCTL, 1);
	if (run(AS_ROOT_NO_ADMIN, 0, 1, &res) == 0)
		ok(res.write_ret == -EPERM && read_sysctl_long(SYSCTL) == 1,
		   "root without CAP_SYS_ADMIN cannot write fs.aio-ring-disabled (%s), the value stays 1 (%ld)",
		   strerrorname_np((int)-res.write_ret) ?: "no error",
		   read_sysctl_long(SYSCTL));
	else
		ok(0, "the root child without CAP_SYS_ADMIN ran");

	for (who = 0; who < 2; who++) {
		const char *name = who ? "root of a user namespace made by nobody" :
					 "root of a user namespace made by root";

		for (v = 0; v <= 2; v++) {
			if (write_sysctl_long(SYSCTL, v) || read_sysctl_long(SYSCTL) != v) {
				ok(0, "setting fs.aio-ring-disabled to %d", v);
				continue;
			}
			if (run(who ? AS_NOBODY : AS_ROOT, 1, v == 1, &res)) {
				ok(0, "value %d, %s: the child ran", v, name);
				continue;
			}
			if (!res.in_ns) {
				skip("value %d, %s: unshare(CLONE_NEWUSER): %s", v, name,
				     strerror(res.unshare_err));
				continue;
			}
			check_ns(name, v, &res);
			if (v == 1)
				ok(res.write_ret < 0 && read_sysctl_long(SYSCTL) == 1,
				   "value 1, %s: writing the sysctl fails (%s), the value stays 1",
				   name, strerrorname_np((int)-res.write_ret) ?: "no error");
		}
	}
	knob_restore();
	ok(read_sysctl_long(SYSCTL) == 0, "fs.aio-ring-disabled is 0 again");
	ok_aio_nr_back(start);
	return tap_done();
}
