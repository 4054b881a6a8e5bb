// SPDX-License-Identifier: MIT
/*
 * sqwq-worker-context: a request an IOCTX_FLAG_SQWQ worker runs is done
 * as the submitting process would do it, with its limits and its IO
 * context, not as a kernel thread's (review finding M1: the workers
 * carried only the mm and the credentials).
 *
 * In a child that ignores SIGXFSZ, with RLIMIT_FSIZE = 8 KiB and the IO
 * priority best-effort 6 (ioprio_set):
 *  - a buffered 4 KiB write at offset 0 through an SQWQ ring completes
 *    with 4096 and its data reads back;
 *  - one at offset 16 KiB (past the limit) completes with -EFBIG and the
 *    file stays 4 KiB long;
 *  - a read of an empty pipe blocks in a thread of the process named
 *    "aio-wq-<tgid>", whose IO priority (ioprio_get) is the submitter's;
 *    feeding the pipe completes it with the data.
 */
#include "ring2_util.h"

#include <sys/resource.h>
#include <sys/syscall.h>

#define IOPRIO_WHO_PROCESS	1
#define IOPRIO_CLASS_BE		2
#define IOPRIO_PRIO(cl, lvl)	(((cl) << 13) | (lvl))

/* Wait up to ms for a worker thread; its tid, or 0. */
static pid_t find_worker(int ms)
{
	int64_t end = now_ns() + (int64_t)ms * 1000000LL;
	pid_t tid = 0;

	while (!count_threads("aio-wq", &tid, NULL) && now_ns() < end)
		ms_sleep(10);
	return tid;
}

static void child(void *arg)
{
	static uint8_t wbuf[4096] __attribute__((aligned(4096)));
	static uint8_t rbuf[4096] __attribute__((aligned(4096)));
	struct rlimit rl = { 8192, 8192 };
	int prio = IOPRIO_PRIO(IOPRIO_CLASS_BE, 6), fd, p[2], wprio;
	struct io_event ev = { 0 };
	struct ring r;
	struct stat st;
	unsigned int got;
	pid_t tid;

	(void)arg;
	signal(SIGXFSZ, SIG_IGN);
	if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, prio))
		bail_out("ioprio_set");
	fd = scratch_file("sqwq-worker-context", 0);
	if (setrlimit(RLIMIT_FSIZE, &rl))
		bail_out("setrlimit(RLIMIT_FSIZE)");
	ring_setup_or_bail(&r, 4, IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQWQ);

	pattern_fill(wbuf, sizeof(wbuf), 0, 77);
	iocb_prep(&r.iocbs[0], IOCB_CMD_PWRITE, fd, wbuf, 4096, 0, 1, 0);
	sq_push(&r, 0);
	ring_enter(&r, 1, 0, IORING_FLAG_SUBMIT);
	got = ring_reap_wait(&r, &ev, 1, 5000);
	ok(got == 1 && ev.res == 4096 &&
	   pread(fd, rbuf, 4096, 0) == 4096 && pattern_check(rbuf, 4096, 0, 77) < 0,
	   "a write inside RLIMIT_FSIZE completes (res %lld) and reads back",
	   got ? (long long)ev.res : 0LL);

	iocb_prep(&r.iocbs[1], IOCB_CMD_PWRITE, fd, wbuf, 4096, 16384, 2, 0);
	sq_push(&r, 1);
	ring_enter(&r, 1, 0, IORING_FLAG_SUBMIT);
	ev.res = 0;
	got = ring_reap_wait(&r, &ev, 1, 5000);
	if (fstat(fd, &st))
		bail_out("fstat");
	ok(got == 1 && ev.res == -EFBIG && st.st_size == 4096,
	   "a write past RLIMIT_FSIZE ends with -EFBIG (res %lld), the file stays 4096 bytes (%lld)",
	   (long long)ev.res, (long long)st.st_size);

	if (pipe(p))
		bail_out("pipe");
	iocb_prep(&r.iocbs[2], IOCB_CMD_PREAD, p[0], rbuf, 100, 0, 3, 0);
	sq_push(&r, 2);
	ring_enter(&r, 1, 0, IORING_FLAG_SUBMIT);
	tid = find_worker(2000);
	wprio = tid ? syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, tid) : -1;
	ok(tid > 0 && wprio == prio,
	   "the blocked read waits in thread %d of the process, IO priority %#x (the submitter's %#x)",
	   (int)tid, wprio, prio);
	if (write(p[1], wbuf, 100) != 100)
		bail_out("write the pipe");
	ev.res = 0;
	got = ring_reap_wait(&r, &ev, 1, 5000);
	ok(got == 1 && ev.res == 100 && !memcmp(rbuf, wbuf, 100),
	   "feeding the pipe completes the read with its data (res %lld)",
	   (long long)ev.res);
	ok(ring_destroy(&r) == 0, "io_destroy");
	close(fd);
}

int main(void)
{
	long nr0 = aio_nr();

	require_aioring();
	tap_plan(5 + 1);
	run_child_ex("child", child, NULL, 60, NULL, 1);
	ok(aio_nr_wait(nr0, 5000) == nr0, "fs.aio-nr back to %ld", nr0);
	return tap_done();
}
