// SPDX-License-Identifier: MIT
/*
 * sqthread-cpuset: the SQ thread's CPU must be one the creator's cpuset
 * allows (review finding H2: only cpu_online() was checked, so a task
 * confined to some CPUs could park a spinning SQPOLL thread on others).
 *
 * The test makes a cgroup v2 "aioring-cpuset-<pid>" with the cpuset
 * controller, allowed CPU 0 only, and moves a child into it. There:
 *  - sq_thread_cpu = 1 (online, outside the cpuset): EINVAL, for
 *    SQTHREAD and for SQTHREAD|SQPOLL, and fs.aio-nr is unchanged;
 *  - sq_thread_cpu = 0: the context is made, its thread runs on CPU 0
 *    (Cpus_allowed_list "0"), a read of /dev/zero through it completes;
 *  - after the cpuset is widened to 0-1, sq_thread_cpu = 1 works.
 * Needs two online CPUs and a writable cgroup v2 hierarchy with cpuset;
 * otherwise the whole program is skipped, with the reason.
 */
#include "ring2_util.h"

#define CG_ROOT	"/sys/fs/cgroup"

static char cg[PATH_MAX];

/* Write val to the knob file of cgroup directory dir: 0 or -errno. */
static int cg_write(const char *dir, const char *file, const char *val)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return write_file_str(path, val);
}

static void child(void *arg)
{
	static char zero[512];
	char buf[16], allowed[64] = "";
	long nr0 = aio_nr(), ret;
	struct io_event ev = { 0 };
	struct ring r;
	pid_t tid = 0;
	unsigned int got;
	int e;

	(void)arg;
	snprintf(buf, sizeof(buf), "%d", (int)getpid());
	if (cg_write(cg, "cgroup.procs", buf))
		bail_out("move into %s", cg);

	ret = ring_setup_bufs(&r, 4, IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD, 1, NULL, NULL);
	e = errno;
	ok(ret < 0 && e == EINVAL,
	   "cpuset 0: SQTHREAD on CPU 1 is EINVAL (%ld, %s)", ret, strerror(e));
	if (!ret)
		ring_destroy(&r);
	ret = ring_setup_bufs(&r, 4, IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD |
			      IOCTX_FLAG_SQPOLL, 1, NULL, NULL);
	e = errno;
	ok(ret < 0 && e == EINVAL,
	   "cpuset 0: SQPOLL on CPU 1 is EINVAL (%ld, %s)", ret, strerror(e));
	if (!ret)
		ring_destroy(&r);
	ok(aio_nr() == nr0, "fs.aio-nr unchanged (%ld)", aio_nr());

	ret = ring_setup_bufs(&r, 4, IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD, 0, NULL, NULL);
	ok(ret == 0, "cpuset 0: SQTHREAD on CPU 0 works (%ld, %s)", ret,
	   ret ? strerror(errno) : "ok");
	if (!ret) {
		int fd = open("/dev/zero", O_RDONLY);

		wait_sq_threads(1, 2000, &tid);
		task_cpus_allowed(tid, allowed, sizeof(allowed));
		memset(zero, 0x55, sizeof(zero));
		iocb_prep(&r.iocbs[0], IOCB_CMD_PREAD, fd, zero, sizeof(zero), 0, 9, 0);
		sq_push(&r, 0);
		ring_enter(&r, 1, 0, IORING_FLAG_SUBMIT);
		got = ring_reap_wait(&r, &ev, 1, 5000);
		ok(tid && !strcmp(allowed, "0") && got == 1 &&
		   ev.res == sizeof(zero) && ev.data == 9 && !zero[0] && !zero[511],
		   "its thread runs on CPU 0 only (%s), a read through it completes",
		   allowed);
		ring_destroy(&r);
		close(fd);
	} else {
		ok(0, "no thread to look at");
	}

	if (cg_write(cg, "cpuset.cpus", "0-1"))
		bail_out("widen the cpuset");
	ret = ring_setup_bufs(&r, 4, IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD, 1, NULL, NULL);
	ok(ret == 0, "cpuset 0-1: SQTHREAD on CPU 1 works (%ld, %s)", ret,
	   ret ? strerror(errno) : "ok");
	if (!ret)
		ring_destroy(&r);
}

int main(void)
{
	char ctl[256] = "";
	int st;

	require_aioring();
	if (cpu_online(0) == 0 || cpu_online(1) != 1)
		skip_all("needs CPUs 0 and 1 online");
	if (read_file(CG_ROOT "/cgroup.controllers", ctl, sizeof(ctl)) ||
	    !strstr(ctl, "cpuset"))
		skip_all("no cgroup v2 hierarchy with cpuset at " CG_ROOT);
	if (cg_write(CG_ROOT, "cgroup.subtree_control", "+cpuset"))
		skip_all("cannot enable cpuset in " CG_ROOT);
	snprintf(cg, sizeof(cg), CG_ROOT "/aioring-cpuset-%d", (int)getpid());
	if (mkdir(cg, 0755))
		bail_out("mkdir %s", cg);
	if (cg_write(cg, "cpuset.cpus", "0"))
		bail_out("cpuset.cpus of %s", cg);

	tap_plan(6);
	st = run_child_ex("cpuset", child, NULL, 60, NULL, 1);
	if (st < 0)
		diag("the child did not finish");
	if (rmdir(cg))
		diag("rmdir %s: %s", cg, strerror(errno));
	return tap_done();
}
