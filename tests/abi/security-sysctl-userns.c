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
#include "setup_tries.h"
#include "knob.h"

#define SYSCTL	"/proc/sys/fs/aio-ring-disabled"

struct res {
	int in_ns;			/* unshare(CLONE_NEWUSER) worked */
	int unshare_err;
	struct setup_tries t;
	long write_ret;			/* write_sysctl_long() */
};

enum { AS_ROOT, AS_NOBODY, AS_ROOT_NO_ADMIN };

struct who {
	int who, new_ns, try_write;
};

/* In the child: become who, maybe enter a new user namespace, try. */
static void become_and_try(void *arg, void *out)
{
	const struct who *w = arg;
	struct res *res = out;

	if (w->who == AS_NOBODY && drop_to_nobody())
		_exit(3);
	if (w->who == AS_ROOT_NO_ADMIN && drop_effective_cap(CAP_SYS_ADMIN))
		_exit(3);
	if (w->new_ns) {
		res->in_ns = !unshare(CLONE_NEWUSER);
		res->unshare_err = res->in_ns ? 0 : errno;
	}
	if (!w->new_ns || res->in_ns) {
		try_setups(&res->t);
		res->write_ret = w->try_write ? write_sysctl_long(SYSCTL, 0) : 0;
	}
}

static int run(int who, int new_ns, int try_write, struct res *res)
{
	struct who w = { who, new_ns, try_write };

	return run_for_result(become_and_try, &w, res, sizeof(*res));
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
			check_setups(name, v, &res.t, v == 0);
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
