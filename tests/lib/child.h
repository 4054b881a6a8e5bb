/* SPDX-License-Identifier: MIT */
/*
 * Children whose TAP lines become the parent's: a case runs in a forked
 * child, its ok/not ok/diag lines are relayed with the parent's
 * numbering, and a child that hangs is reported (with its threads'
 * kernel stacks) and killed instead of stalling the program.
 */
#ifndef AIORING_TEST_CHILD_H
#define AIORING_TEST_CHILD_H

#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "tasks.h"
#include "test_util.h"

/*
 * fork() with a pipe from the child to the parent.  Returns the child's
 * pid in the parent, *fd being the read end, and 0 in the child, *fd
 * being the write end; the other end is closed on each side.  stdout is
 * flushed first so that the child does not print the parent's lines.
 */
static inline pid_t fork_piped(int *fd)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		bail_out("pipe");
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		bail_out("fork");
	close(p[pid ? 1 : 0]);
	*fd = p[pid ? 0 : 1];
	return pid;
}

/* waitpid(pid) for up to ms milliseconds: 1 when reaped (status in *st). */
static inline int reap_within(pid_t pid, int *st, int ms)
{
	int64_t end = now_ns() + (int64_t)ms * 1000000LL;

	do {
		pid_t w = waitpid(pid, st, WNOHANG);

		if (w == pid)
			return 1;
		if (w < 0)
			return 0;
		ms_sleep(5);
	} while (now_ns() < end);
	return 0;
}

/*
 * Run fn(arg, res) in a forked child and bring res (len bytes, zeroed
 * first) back through a pipe.  fn may _exit() with a non-zero status when
 * it cannot run.  Returns 0, or -1 (diag printed) when the child failed.
 */
static inline int run_for_result(void (*fn)(void *arg, void *res), void *arg,
				 void *res, size_t len)
{
	int fd, st = 0;
	ssize_t n;
	pid_t pid;

	pid = fork_piped(&fd);
	if (pid == 0) {
		memset(res, 0, len);
		fn(arg, res);
		_exit(write(fd, res, len) == (ssize_t)len ? 0 : 4);
	}
	n = read(fd, res, len);
	close(fd);
	if (waitpid(pid, &st, 0) != pid)
		bail_out("waitpid");
	if (n != (ssize_t)len || !WIFEXITED(st) || WEXITSTATUS(st)) {
		diag("child failed: read %zd of %zu bytes, status %#x", n, len, st);
		return -1;
	}
	return 0;
}

/* Re-emit one TAP line of a child as our own. */
static inline void relay_tap_line(const char *what, char *line)
{
	const char *msg;
	int pass;

	if (!strncmp(line, "ok ", 3))
		pass = 1;
	else if (!strncmp(line, "not ok ", 7))
		pass = 0;
	else if (!strncmp(line, "# ", 2)) {
		diag("%s", line + 2);
		return;
	} else if (!strncmp(line, "Bail out!", 9)) {
		ok(0, "%s: child: %s", what, line);
		return;
	} else {
		if (*line)
			diag("%s: child says: %s", what, line);
		return;
	}
	msg = strstr(line, " - ");
	msg = msg ? msg + 3 : line;
	if (pass) {
		char *d = strstr(line, " # SKIP");

		if (d && !d[7]) {
			*d = 0;
			skip("%s", msg);
			return;
		}
	}
	ok(pass, "%s", msg);
}

/*
 * Run fn(arg) in a forked child whose TAP lines (ok/not ok/diag, its
 * own numbering) are relayed as this program's.  A child that does not
 * finish within timeout_s seconds (e.g. stuck in io_destroy or in exit)
 * is a failure: on_hang runs when given, the child's threads' kernel
 * stacks are printed, it gets SIGKILL, and it is waited for up to 10
 * more seconds (an unkillable child is reported and left behind).  With
 * signal_fails, a child that dies of a signal is a failure too.  Returns
 * the child's exit status (128 + signal number when killed), or -1 when
 * it did not finish.
 */
static inline int run_child_ex(const char *what, void (*fn)(void *arg),
			       void *arg, int timeout_s,
			       void (*on_hang)(void), int signal_fails)
{
	int fd, st = 0, done = 0;
	char buf[8192];
	size_t have = 0;
	int64_t deadline;
	pid_t pid;

	pid = fork_piped(&fd);
	if (pid == 0) {
		dup2(fd, STDOUT_FILENO);
		close(fd);
		tap_count = 0;
		tap_failed = 0;
		tap_planned = 1;
		fn(arg);
		fflush(stdout);
		_exit(tap_failed ? 1 : 0);
	}
	deadline = now_ns() + (int64_t)timeout_s * 1000000000LL;
	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		int64_t left = (deadline - now_ns()) / 1000000;
		ssize_t n;
		char *nl;

		if (left <= 0)
			break;
		if (poll(&pfd, 1, (int)(left > 1000 ? 1000 : left)) <= 0)
			continue;
		n = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (n <= 0) {
			done = 1;	/* EOF: the child exited (or closed) */
			break;
		}
		have += n;
		buf[have] = 0;
		while ((nl = strchr(buf, '\n'))) {
			*nl = 0;
			relay_tap_line(what, buf);
			have -= nl + 1 - buf;
			memmove(buf, nl + 1, have + 1);
		}
		if (have == sizeof(buf) - 1) {
			relay_tap_line(what, buf);
			have = 0;
		}
	}
	close(fd);
	if (done) {
		if (reap_within(pid, &st, 10000)) {
			if (!WIFSIGNALED(st))
				return WEXITSTATUS(st);
			if (signal_fails)
				ok(0, "%s: the child died of signal %d", what,
				   WTERMSIG(st));
			return 128 + WTERMSIG(st);
		}
		diag("%s: child closed its output but did not exit", what);
	}
	ok(0, "%s: the child (pid %d) finished within %d s", what, (int)pid,
	   timeout_s);
	dump_tasks(pid);
	if (on_hang)
		on_hang();
	kill(pid, SIGKILL);
	if (!reap_within(pid, &st, 10000)) {
		diag("%s: child %d not reaped 10 s after SIGKILL:", what, (int)pid);
		dump_tasks(pid);
	}
	return -1;
}

static inline int run_child(const char *what, void (*fn)(void *arg),
			    void *arg, int timeout_s)
{
	return run_child_ex(what, fn, arg, timeout_s, NULL, 0);
}

#endif
