// SPDX-License-Identifier: MIT
/*
 * ring-busy: one waiter per context (spec section 6).
 *
 * An SCQRING ring with one POLL iocb on an empty pipe in flight; thread A
 * blocks in io_ring_enter(GETEVENTS, min 1).  While it is blocked (seen
 * in /proc/self/task/TID/syscall), a second io_ring_enter(GETEVENTS) on
 * the same ctx from the main thread fails with EBUSY at once, and A stays
 * blocked.  Writing the pipe completes the POLL: A returns 0 and the event
 * (data, obj = index, res with POLLIN) is in the CQ.
 *
 * A signal to a waiter ends the wait with EINTR, and the context is not
 * left busy: the next GETEVENTS works.
 */
#include "ring_util.h"

#define N	8

struct waiter {
	struct ring *r;
	pid_t tid;
	long ret;
	int err;
	int done;		/* __atomic */
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;
	sigset_t set;

	/* the watchdog's SIGALRM belongs to the main thread */
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	w->tid = (pid_t)syscall(SYS_gettid);
	w->ret = ring_enter(w->r, 0, 1, IORING_FLAG_GETEVENTS);
	w->err = errno;
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void usr1(int sig)
{
	(void)sig;
}

/* Wait up to 10 s until the thread sits in io_ring_enter. */
static int wait_blocked(struct waiter *w)
{
	int64_t end = now_ns() + 10 * 1000000000LL;

	while (now_ns() < end) {
		if (__atomic_load_n(&w->done, __ATOMIC_ACQUIRE))
			return 0;
		if (w->tid && thread_in_syscall(w->tid, __NR_io_ring_enter) == 1) {
			ms_sleep(50);
			return thread_in_syscall(w->tid, __NR_io_ring_enter) == 1;
		}
		ms_sleep(10);
	}
	return 0;
}

static int join_within(pthread_t th, struct waiter *w, int secs)
{
	int64_t end = now_ns() + (int64_t)secs * 1000000000LL;

	while (!__atomic_load_n(&w->done, __ATOMIC_ACQUIRE) && now_ns() < end)
		ms_sleep(10);
	if (!__atomic_load_n(&w->done, __ATOMIC_ACQUIRE))
		return 0;
	pthread_join(th, NULL);
	return 1;
}

static void submit_poll(struct ring *r, unsigned int slot, int fd, uint32_t tag)
{
	long ret;

	iocb_prep_poll(&r->iocbs[slot], fd, POLLIN, AIO_DATA(tag, slot));
	sq_push(r, slot);
	ret = ring_enter(r, 1, 0, IORING_FLAG_SUBMIT);
	if (ret != 1)
		bail_out("SUBMIT of a POLL iocb returned %ld", ret);
}

int main(void)
{
	struct ring r;
	struct waiter w;
	pthread_t th;
	struct io_event ev = { 0 };
	struct sigaction sa;
	int p[2], blocked;
	char c;
	long start, ret;

	require_aioring();
	start = aio_nr();
	if (pipe(p))
		bail_out("pipe");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = usr1;	/* no SA_RESTART */
	sigaction(SIGUSR1, &sa, NULL);

	ring_setup_or_bail(&r, N, IOCTX_FLAG_SCQRING);
	submit_poll(&r, 2, p[0], 0xb1);

	memset(&w, 0, sizeof(w));
	w.r = &r;
	if (pthread_create(&th, NULL, wait_thread, &w))
		bail_out("pthread_create");
	blocked = wait_blocked(&w);
	ok(blocked, "thread A blocks in io_ring_enter(GETEVENTS, min 1) with a POLL in flight");
	if (!blocked)
		bail_out("waiter did not block (ret %ld errno %d)", w.ret, w.err);

	watchdog_arm(10);
	ret = ring_enter(&r, 0, 1, IORING_FLAG_GETEVENTS);
	watchdog_disarm();
	ok_errno(ret, EBUSY, "second io_ring_enter(GETEVENTS, min 1) while A waits");
	ok(!watchdog_fired, "the second caller was not made to wait");
	ok(thread_in_syscall(w.tid, __NR_io_ring_enter) == 1 && !w.done,
	   "thread A is still waiting");

	if (write(p[1], "x", 1) != 1)
		bail_out("write pipe");
	ok(join_within(th, &w, 10) && w.ret == 0,
	   "writing the pipe ends A's wait: it returns 0 (got %ld errno %d)",
	   w.ret, w.ret < 0 ? w.err : 0);
	ok(cq_pop(&r, &ev) && ev.data == AIO_DATA(0xb1, 2) && ev.obj == 2 &&
	   (ev.res & POLLIN) && ev.res2 == 0,
	   "the POLL event is in the CQ (data %#llx obj %llu res %#llx)",
	   (unsigned long long)ev.data, (unsigned long long)ev.obj,
	   (unsigned long long)ev.res);
	if (read(p[0], &c, 1) != 1)
		bail_out("read pipe");

	/* EINTR */
	submit_poll(&r, 5, p[0], 0xb2);
	memset(&w, 0, sizeof(w));
	w.r = &r;
	if (pthread_create(&th, NULL, wait_thread, &w))
		bail_out("pthread_create");
	blocked = wait_blocked(&w);
	ok(blocked, "thread B blocks in io_ring_enter(GETEVENTS, min 1)");
	if (blocked) {
		pthread_kill(th, SIGUSR1);
		ok(join_within(th, &w, 10) && w.ret == -1 && w.err == EINTR,
		   "a signal ends B's wait with EINTR (got %ld errno %d)", w.ret,
		   w.ret < 0 ? w.err : 0);
	}
	if (write(p[1], "y", 1) != 1)
		bail_out("write pipe");
	watchdog_arm(10);
	ret = ring_enter(&r, 0, 1, IORING_FLAG_GETEVENTS);
	watchdog_disarm();
	ok(ret == 0, "the ctx is not left busy: GETEVENTS min 1 returns 0 (got %ld errno %d)",
	   ret, ret < 0 ? errno : 0);
	ok(cq_pop(&r, &ev) && ev.data == AIO_DATA(0xb2, 5) && ev.obj == 5 &&
	   (ev.res & POLLIN),
	   "the second POLL event arrives (data %#llx obj %llu)",
	   (unsigned long long)ev.data, (unsigned long long)ev.obj);

	ok(ring_destroy(&r) == 0, "io_destroy returns 0");
	close(p[0]);
	close(p[1]);
	ok_aio_nr_back(start);
	return tap_done();
}
