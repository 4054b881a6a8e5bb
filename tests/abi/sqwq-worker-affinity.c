// SPDX-License-Identifier: MIT
/*
 * sqwq-worker-affinity: an IOCTX_FLAG_SQWQ worker may run on every CPU
 * the context's creator may use (its cpuset), whichever thread made it.
 * Review, session 14: a new worker took the CPU mask of the thread that
 * made it, so with an SQ thread every worker after the first was bound
 * to sq_thread_cpu, next to a thread that may spin there, and a
 * submitter that had pinned itself bound the workers it made.
 *
 * Needs two online CPUs.  In a child:
 *  - SCQRING|SQTHREAD|SQWQ with sq_thread_cpu = the last CPU: four reads
 *    of empty pipes block in four workers (the SQ thread makes three);
 *  - SCQRING|SQWQ, the submitting thread pinned to CPU 0 after
 *    io_setup2(): four reads of empty pipes, workers made by it.
 * Every worker's Cpus_allowed_list must be the one the child had before
 * it pinned anything; feeding the pipes then completes every read with
 * its data.  From Linux 6.2 the scheduler keeps an affinity a program
 * set (sched_setaffinity) when the kernel sets a task's CPUs, and a new
 * thread inherits it: workers that the pinned submitter made may keep
 * its CPU 0 there, as io_uring's io-wq workers do (the spec is silent;
 * CHANGELOG records the decision).
 */
#include "ring2_util.h"

#define NREADS	4

/* Cpus_allowed_list of /proc/self/task/TID/status; 0 or -1. */
static int task_cpus(pid_t tid, char *out, size_t len)
{
	return status_str(label("/proc/self/task/%d/status", (int)tid),
			  "Cpus_allowed_list", out, len);
}

/*
 * Wait up to 5 s for want "aio-wq-<pid>" threads, then check each one's
 * CPU list against expect (or also). Returns the number of workers seen.
 */
static int check_workers(const char *what, int want, const char *expect,
			 const char *also)
{
	int64_t end = now_ns() + 5000 * 1000000LL;
	pid_t tids[4 * NREADS];
	char cpus[256];
	int i, n, bad = 0;

	while (count_threads("aio-wq", NULL, NULL) < want && now_ns() < end)
		ms_sleep(10);
	n = named_threads("aio-wq", tids, ARRAY_SIZE(tids), NULL);
	for (i = 0; i < n && i < (int)ARRAY_SIZE(tids); i++)
		if (task_cpus(tids[i], cpus, sizeof(cpus)) ||
		    (strcmp(cpus, expect) && (!also || strcmp(cpus, also)))) {
			diag("%s: worker %d may run on CPUs %s", what,
			     (int)tids[i], cpus);
			bad++;
		}
	ok(n >= want && !bad,
	   "%s: %d workers (%d wanted), %d bound to other CPUs than %s%s%s",
	   what, n, want, bad, expect, also ? " or " : "", also ? also : "");
	return n;
}

static void run(const char *what, unsigned int flags, unsigned int cpu,
		int pin, const char *expect)
{
	static uint8_t buf[NREADS][128];
	int p[NREADS][2], i, good = 0;
	struct io_event ev[NREADS];
	unsigned int got;
	struct ring r;

	if (ring_setup_bufs(&r, 8, flags, cpu, NULL, NULL))
		bail_out("%s: io_setup2", what);
	if (pin) {
		cpu_set_t one;

		CPU_ZERO(&one);
		CPU_SET(0, &one);
		if (sched_setaffinity(0, sizeof(one), &one))
			bail_out("sched_setaffinity(CPU 0)");
	}
	for (i = 0; i < NREADS; i++) {
		if (pipe(p[i]))
			bail_out("pipe");
		iocb_prep(&r.iocbs[i], IOCB_CMD_PREAD, p[i][0], buf[i],
			  sizeof(buf[i]), 0, AIO_DATA(0x5a, i), 0);
		sq_push(&r, i);
	}
	if (ring_enter(&r, NREADS, 0, IORING_FLAG_SUBMIT) != NREADS)
		diag("%s: io_ring_enter(SUBMIT, %d): %s", what, NREADS,
		     strerror(errno));
	/* a program's own affinity is kept from 6.2 on (see above) */
	check_workers(what, NREADS, expect,
		      pin && kernel_at_least(6, 2) ? "0" : NULL);

	for (i = 0; i < NREADS; i++) {
		memset(buf[i], 0, sizeof(buf[i]));
		if (write(p[i][1], what, 8) != 8)
			bail_out("write the pipe");
	}
	got = ring_reap_wait(&r, ev, NREADS, 10000);
	for (i = 0; i < (int)got; i++) {
		unsigned int k = (uint32_t)ev[i].data;

		if (k < NREADS && ev[i].res == 8 && !memcmp(buf[k], what, 8))
			good++;
	}
	ok(good == NREADS, "%s: %d of %d reads completed with their data",
	   what, good, NREADS);
	ok(ring_destroy(&r) == 0, "%s: io_destroy", what);
	for (i = 0; i < NREADS; i++) {
		close(p[i][0]);
		close(p[i][1]);
	}
}

static void child(void *arg)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	char all[256];

	(void)arg;
	if (task_cpus(getpid(), all, sizeof(all)))
		bail_out("Cpus_allowed_list");
	diag("the process may run on CPUs %s", all);
	run("SQTHREAD on the last CPU",
	    IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD | IOCTX_FLAG_SQWQ,
	    (unsigned int)(ncpu - 1), 0, all);
	run("submitter pinned to CPU 0", IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQWQ,
	    0, 1, all);
}

int main(void)
{
	long nr0 = aio_nr();

	require_aioring();
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		skip_all("needs two online CPUs");
	tap_plan(2 * 3 + 1);
	run_child_ex("child", child, NULL, 60, NULL, 1);
	ok(aio_nr_wait(nr0, 5000) == nr0, "fs.aio-nr back to %ld", nr0);
	return tap_done();
}
