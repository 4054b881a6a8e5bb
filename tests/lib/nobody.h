/* SPDX-License-Identifier: MIT */
/* Unprivileged children: uid/gid 65534 with no capabilities left. */
#ifndef AIORING_TEST_NOBODY_H
#define AIORING_TEST_NOBODY_H

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

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
		int e;

		close(p[0]);
		if (setup)
			setup(arg);
		e = drop_to_nobody();
		if (e) {
			fprintf(stderr, "drop to nobody: %s\n", strerror(-e));
			_exit(3);
		}
		memset(res, 0, len);
		fn(arg, res);
		if (write(p[1], res, len) != (ssize_t)len)
			_exit(4);
		_exit(0);
	}
	close(p[1]);
	n = read(p[0], res, len);
	close(p[0]);
	if (waitpid(pid, &st, 0) != pid)
		bail_out("waitpid");
	if (n != (ssize_t)len || !WIFEXITED(st) || WEXITSTATUS(st)) {
		diag("unprivileged child failed: read %zd of %zu, status %#x", n,
		     len, st);
		return -1;
	}
	return 0;
}

#endif
