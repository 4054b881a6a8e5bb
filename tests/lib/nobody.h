/* SPDX-License-Identifier: MIT */
/* Unprivileged children: uid/gid 65534 with no capabilities left. */
#ifndef AIORING_TEST_NOBODY_H
#define AIORING_TEST_NOBODY_H

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "child.h"
#include "sysfs.h"
#include "tap.h"

#define NOBODY_ID	65534

/* Become uid/gid 65534 with no supplementary groups: 0 or -errno. */
static inline int drop_to_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(NOBODY_ID, NOBODY_ID, NOBODY_ID) ||
	    setresuid(NOBODY_ID, NOBODY_ID, NOBODY_ID))
		return -errno;
	/* no capability may be left: CapEff must be all zeroes */
	{
		char caps[64] = "x";

		status_str("/proc/self/status", "CapEff", caps, sizeof(caps));
		if (!caps[0] || strspn(caps, "0") != strlen(caps))
			return -EPERM;
	}
	return 0;
}

/* Remove one capability from the effective set (still uid 0): 0 or -1. */
static inline int drop_effective_cap(int cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[cap / 32].effective &= ~(1u << (cap % 32));
	return syscall(SYS_capset, &h, d) ? -1 : 0;
}

struct nobody_call {
	void (*setup)(void *arg);
	void (*fn)(void *arg, void *res);
	void *arg;
};

static inline void nobody_trampoline(void *p, void *res)
{
	struct nobody_call *c = p;
	int e;

	if (c->setup)
		c->setup(c->arg);
	e = drop_to_nobody();
	if (e) {
		fprintf(stderr, "drop to nobody: %s\n", strerror(-e));
		_exit(3);
	}
	c->fn(c->arg, res);
}

/*
 * Run fn(arg, res) in a forked child after setup(arg) (still root, may be
 * NULL) and the drop to nobody; res (len bytes) comes back to the caller.
 * The child must not print TAP lines.  Returns 0, or -1 when the child
 * failed to run fn (diag printed).
 */
static inline int run_as_nobody(void (*setup)(void *arg),
				void (*fn)(void *arg, void *res), void *arg,
				void *res, size_t len)
{
	struct nobody_call c = { setup, fn, arg };

	return run_for_result(nobody_trampoline, &c, res, len);
}

#endif
