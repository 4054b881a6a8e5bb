// SPDX-License-Identifier: MIT
/*
 * aio-nr: the fs.aio-nr / fs.aio-max-nr accounting (fs/aio.c
 * ioctx_alloc(), kill_ioctx(), exit_aio(), aio_nr_sub()).
 *
 *   io_setup(nr) adds exactly nr to fs.aio-nr (what userspace passed,
 *     not the rounded-up ring size); io_destroy subtracts it again
 *   failed io_setup calls (EINVAL, EAGAIN, EFAULT on writing *ctxp) leave
 *     aio-nr unchanged; the EFAULT one leaves no [aio] mapping behind
 *   nr > fs.aio-max-nr: EAGAIN; the sum of contexts over the limit:
 *     EAGAIN; exactly up to the limit: accepted
 *   a child process that sets up contexts and exits (or is killed)
 *     without io_destroy: aio-nr is back where it was once it is reaped
 *   a forked child does not inherit the parent's contexts: io_submit,
 *     io_getevents and io_destroy on them fail with EINVAL there, and the
 *     parent's context keeps working
 *
 * Assumes no other process creates or destroys aio contexts meanwhile.
 */
#include "aio_sys.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

static int count_aio_maps(void)
{
	char line[512];
	int n = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "[aio]"))
			n++;
	fclose(f);
	return n;
}

static void basic(long start)
{
	aio_context_t a = 0, b = 0, c = 0;
	long r, now;

	r = sys_io_setup(37, &a);
	ok(r == 0, "io_setup(37) (got %ld errno %d)", r, r < 0 ? errno : 0);
	now = aio_nr();
	ok(now == start + 37, "fs.aio-nr grew by exactly 37 (%ld -> %ld)", start, now);
	ok(sys_io_setup(1, &b) == 0, "io_setup(1)");
	now = aio_nr();
	ok(now == start + 38, "fs.aio-nr grew by exactly 1 more (%ld)", now);
	ok(sys_io_setup(1000, &c) == 0, "io_setup(1000)");
	now = aio_nr();
	ok(now == start + 1038, "fs.aio-nr grew by exactly 1000 more (%ld)", now);
	ok(sys_io_destroy(a) == 0, "io_destroy of the 37-event context");
	now = aio_nr();
	ok(now == start + 1001, "fs.aio-nr dropped by exactly 37 (%ld)", now);
	ok(sys_io_destroy(c) == 0, "io_destroy of the 1000-event context");
	now = aio_nr();
	ok(now == start + 1, "fs.aio-nr dropped by exactly 1000 (%ld)", now);
	ok(sys_io_destroy(b) == 0, "io_destroy of the last context");
	now = aio_nr();
	ok(now == start, "fs.aio-nr is back to %ld (%ld)", start, now);
	ok_errno(sys_io_destroy(b), EINVAL, "io_destroy of a destroyed context");
	now = aio_nr();
	ok(now == start, "a failed io_destroy does not change fs.aio-nr (%ld)", now);
}

static void failures(long start)
{
	long max = aio_max_nr();
	aio_context_t ctx = 1, *ro, live = 0;
	int maps = count_aio_maps(), with;

	ok_errno(sys_io_setup(8, &ctx), EINVAL, "io_setup with *ctxp != 0");
	ctx = 0;
	ok_errno(sys_io_setup(0, &ctx), EINVAL, "io_setup with nr_events 0");
	ok_errno(sys_io_setup(8, NULL), EFAULT, "io_setup with ctxp NULL");
	ok(aio_nr() == start, "failed io_setup calls leave fs.aio-nr at %ld (%ld)", start, aio_nr());

	/* the ring of a live context is a shared "[aio]" mapping at ctx */
	if (sys_io_setup(8, &live))
		bail_out("io_setup");
	with = count_aio_maps();
	ok(with == maps + 1, "a live context adds one [aio] mapping (%d, was %d)", with, maps);
	sys_io_destroy(live);
	ok(count_aio_maps() == maps, "io_destroy removes it");

	/* *ctxp readable (0) but not writable: the new context is killed */
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro == MAP_FAILED)
		bail_out("mmap");
	ok_errno(sys_io_setup(8, ro), EFAULT, "io_setup with a read-only ctxp");
	with = count_aio_maps();
	ok(aio_nr() == start, "the killed context is not counted in fs.aio-nr (%ld)", aio_nr());
	ok(with == maps, "and its ring is unmapped (%d [aio] maps, was %d)", with, maps);
	munmap(ro, 4096);

	if (max <= 0) {
		ok(0, "read fs.aio-max-nr");
		return;
	}
	/* 6.1 ioctx_alloc(): 2 * nr over 0x10000000 / 32 is EINVAL before
	 * the limit is looked at; above that, nr > aio-max-nr is EAGAIN */
	if (max + 1 <= 4194304) {
		ctx = 0;
		ok_errno(sys_io_setup(max + 1, &ctx), EAGAIN,
			 label("io_setup(aio-max-nr + 1 = %ld)", max + 1));
	} else {
		skip("fs.aio-max-nr %ld too large to exceed without hitting the size check", max);
	}
	ctx = 0;
	ok_errno(sys_io_setup(4194305, &ctx), EINVAL,
		 "io_setup(4194305): ring size overflow check, EINVAL");
	ctx = 0;
	ok_errno(sys_io_setup(UINT_MAX, &ctx), EINVAL, "io_setup(UINT_MAX)");
	ok(aio_nr() == start, "fs.aio-nr unchanged after the over-limit calls (%ld)", aio_nr());
}

static void limit_sum(long start)
{
	long max = aio_max_nr();
	aio_context_t a = 0, b = 0;
	long room;

	if (sys_io_setup(100, &a))
		bail_out("io_setup(100)");
	room = max - aio_nr();
	if (room <= 0 || room > 131072) {
		skip("fs.aio-max-nr %ld: room %ld not testable within a small ring", max, room);
		skip("sum up to the limit not tested");
		sys_io_destroy(a);
		return;
	}
	ok_errno(sys_io_setup(room + 1, &b), EAGAIN,
		 label("io_setup(%ld) with %ld in use: one over fs.aio-max-nr %ld",
		       room + 1, max - room, max));
	b = 0;
	ok(sys_io_setup(room, &b) == 0,
	   "io_setup(%ld) filling fs.aio-max-nr exactly is accepted", room);
	ok(aio_nr() == max, "fs.aio-nr equals fs.aio-max-nr (%ld)", aio_nr());
	{
		aio_context_t c = 0;

		ok_errno(sys_io_setup(1, &c), EAGAIN, "io_setup(1) at the limit");
	}
	ok(sys_io_destroy(b) == 0 && sys_io_destroy(a) == 0, "io_destroy of both");
	room = aio_nr();
	ok(room == start, "fs.aio-nr back to %ld (%ld)", start, room);
}

/* Child: set up contexts, report aio-nr, then exit or die without io_destroy. */
static void child_exit(long start, int kill_self)
{
	aio_context_t parent = setup_or_bail(5);
	int pp[2], st;
	long seen = -1;
	pid_t pid;

	if (pipe(pp))
		bail_out("pipe");
	pid = fork();
	if (pid < 0)
		bail_out("fork");
	if (pid == 0) {
		aio_context_t x = 0, y = 0;
		struct io_event ev;
		struct timespec zero = { 0, 0 };
		long v = -1, code = 0;

		/* the parent's context does not exist in the child */
		if (sys_io_getevents(parent, 0, 1, &ev, &zero) != -1 || errno != EINVAL)
			code |= 1;
		if (sys_io_destroy(parent) != -1 || errno != EINVAL)
			code |= 2;
		if (sys_io_setup(100, &x) || sys_io_setup(23, &y))
			code |= 4;
		else
			v = aio_nr();
		if (write(pp[1], &v, sizeof(v)) != sizeof(v))
			code |= 8;
		if (kill_self)
			raise(SIGKILL);
		_exit(code);	/* no io_destroy */
	}
	close(pp[1]);
	if (read(pp[0], &seen, sizeof(seen)) != sizeof(seen))
		seen = -2;
	close(pp[0]);
	ok(waitpid(pid, &st, 0) == pid, "child reaped");
	if (kill_self) {
		ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "child died of SIGKILL");
	} else {
		ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		   "child: parent's context gives EINVAL to io_getevents and io_destroy, own io_setup works (status %#x)",
		   st);
	}
	ok(seen == start + 5 + 123,
	   "in the child fs.aio-nr counted the parent's 5 and its own 123 (%ld, expected %ld)",
	   seen, start + 128);
	ok(aio_nr() == start + 5,
	   "after the child %s without io_destroy, fs.aio-nr is back to %ld (%ld)",
	   kill_self ? "was killed" : "exited", start + 5, aio_nr());
	{
		struct io_event ev;
		struct timespec zero = { 0, 0 };

		ok(sys_io_getevents(parent, 0, 1, &ev, &zero) == 0,
		   "the parent's context still works after the child's io_destroy attempt");
	}
	ok(sys_io_destroy(parent) == 0, "parent io_destroy");
	seen = aio_nr();
	ok(seen == start, "fs.aio-nr back to %ld (%ld)", start, seen);
}

int main(void)
{
	long start = aio_nr();

	if (start < 0)
		skip_all("/proc/sys/fs/aio-nr not readable");
	diag("fs.aio-nr %ld, fs.aio-max-nr %ld", start, aio_max_nr());
	basic(start);
	failures(start);
	limit_sum(start);
	child_exit(start, 0);
	child_exit(start, 1);
	ok(aio_nr() == start, "fs.aio-nr ends where it started (%ld)", aio_nr());
	return tap_done();
}
