// SPDX-License-Identifier: MIT
/*
 * pgetevents: io_pgetevents() and the signal behaviour of io_getevents()
 * (fs/aio.c sys_io_pgetevents(), kernel/signal.c set_user_sigmask()).
 *
 *   usig NULL, and usig with a NULL sigmask: like io_getevents; the
 *     events of 4 reads are returned with the right data/obj/res
 *   sigsetsize != 8 with a sigmask: EINVAL; unreadable usig or sigmask:
 *     EFAULT; unreadable timeout: EFAULT
 *   a timeout with nothing to reap: 0 after at least the timeout
 *   a signal masked by the call's sigmask, sent while the caller waits,
 *     does not interrupt: the wait goes on and returns the event; the
 *     signal is pending afterwards (the old mask is back) and is handled
 *     once unblocked
 *   a signal the call's sigmask unblocks (blocked in the process mask),
 *     sent during the wait: -1/EINTR, handled once, old mask restored;
 *     even with SA_RESTART (-ERESTARTNOHAND becomes EINTR)
 *   a blocked signal already pending that the sigmask unblocks: EINTR
 *     at once
 *   io_getevents interrupted by a handled signal: EINTR, even with
 *     SA_RESTART (sys_io_getevents() returns -EINTR itself)
 *
 * A child process sends the signals once /proc/<pid>/syscall shows the
 * parent inside the system call, so "during the wait" is not a guess.
 */
#include "aio_sys.h"

#include <poll.h>
#include <sys/wait.h>

static volatile sig_atomic_t usr1_count, usr2_count;

static void on_usr1(int sig)
{
	(void)sig;
	usr1_count++;
}

static void on_usr2(int sig)
{
	(void)sig;
	usr2_count++;
}

static void handle(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL))
		bail_out("sigaction");
}

/*
 * 1 once pid is seen inside system call nr (or sleeping, as fallback)
 * within ms milliseconds.  It always looks at least once: on a loaded
 * guest the deadline can pass before the first look.
 */
static int wait_in_syscall(pid_t pid, long nr, int ms)
{
	int64_t deadline = now_ns() + (int64_t)ms * 1000000LL;
	char path[64], buf[512];

	do {
		int fd;
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
		fd = open(path, O_RDONLY);
		if (fd >= 0) {
			n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			if (n > 0) {
				buf[n] = 0;
				if (strtol(buf, NULL, 10) == nr)
					return 1;
				ms_sleep(2);
				continue;
			}
		}
		/* no /proc/pid/syscall: sleeping state is the best we have */
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		fd = open(path, O_RDONLY);
		if (fd >= 0) {
			n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			if (n > 0) {
				char *p;

				buf[n] = 0;
				p = strrchr(buf, ')');
				if (p && p[1] == ' ' && p[2] == 'S')
					return 1;
			}
		}
		ms_sleep(2);
	} while (now_ns() < deadline);
	return 0;
}

/*
 * Fork a child that waits for the parent to be in syscall nr, sends sig,
 * then (if wfd >= 0) checks the parent is still in it after 100 ms and
 * writes a byte to wfd.  Child exit status: 0 all as planned, 1 the
 * parent was never seen in the call, 2 it had left the call.
 */
static pid_t signaller(long nr, int sig, int wfd)
{
	pid_t parent = getpid(), pid = fork();

	if (pid < 0)
		bail_out("fork");
	if (pid)
		return pid;
	if (!wait_in_syscall(parent, nr, 5000))
		_exit(1);
	ms_sleep(20);
	kill(parent, sig);
	if (wfd >= 0) {
		int still;

		/*
		 * Had the signal ended the call, the parent would be in
		 * waitpid() by now and never back in nr: a window of a
		 * second tells that apart from a parent that is only
		 * momentarily off the CPU's view on a loaded machine.
		 */
		ms_sleep(100);
		still = wait_in_syscall(parent, nr, 1000);
		if (write(wfd, "s", 1) != 1)
			_exit(3);
		_exit(still ? 0 : 2);
	}
	_exit(0);
}

static int child_status(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void basics(aio_context_t ctx, int fd, uint64_t seed)
{
	uint8_t *buf = xalign(4096, 4 * 4096);
	struct iocb cbs[4], *ptrs[4];
	struct io_event ev[4];
	struct timespec ts = { 5, 0 }, t100 = { 0, 100000000 }, zero = { 0, 0 };
	sigset_t set;
	struct aio_sigset us;
	int64_t t0;
	long i, r;

	for (i = 0; i < 4; i++) {
		iocb_prep(&cbs[i], IOCB_CMD_PREAD, fd, buf + i * 4096, 4096, i * 4096,
			  AIO_DATA(0x60, i), 0);
		ptrs[i] = &cbs[i];
	}
	ok(sys_io_submit(ctx, 4, ptrs) == 4, "submit 4 reads");
	r = sys_io_pgetevents(ctx, 4, 4, ev, &ts, NULL);
	ok(r == 4, "io_pgetevents with usig NULL returns the 4 events (got %ld errno %d)",
	   r, r < 0 ? errno : 0);
	check_events("io_pgetevents usig NULL", ev, r > 0 ? r : 0, ptrs, 4, 0x60, NULL, 4096);
	ok_pattern(buf, 4 * 4096, 0, seed, "the 4 reads returned the file's bytes");
	memset(buf, 0, 4 * 4096);

	ok(sys_io_submit(ctx, 4, ptrs) == 4, "submit 4 reads again");
	us.sigmask = NULL;
	us.sigsetsize = 0;
	r = sys_io_pgetevents(ctx, 4, 4, ev, &ts, &us);
	ok(r == 4, "io_pgetevents with a NULL sigmask (sigsetsize 0) returns 4 (got %ld errno %d)",
	   r, r < 0 ? errno : 0);
	check_events("io_pgetevents NULL sigmask", ev, r > 0 ? r : 0, ptrs, 4, 0x60, NULL, 4096);
	ok_pattern(buf, 4 * 4096, 0, seed, "the second 4 reads returned the file's bytes");

	sigemptyset(&set);
	us.sigmask = &set;
	us.sigsetsize = KERNEL_SIGSET_SIZE;
	r = sys_io_pgetevents(ctx, 0, 4, ev, &zero, &us);
	ok(r == 0, "io_pgetevents with an empty sigmask and zero timeout returns 0 (got %ld errno %d)",
	   r, r < 0 ? errno : 0);

	us.sigsetsize = 4;
	ok_errno(sys_io_pgetevents(ctx, 0, 4, ev, &zero, &us), EINVAL,
		 "io_pgetevents with sigsetsize 4");
	us.sigsetsize = sizeof(sigset_t);	/* glibc's 128 bytes */
	ok_errno(sys_io_pgetevents(ctx, 0, 4, ev, &zero, &us), EINVAL,
		 "io_pgetevents with sigsetsize 128 (glibc sigset_t)");
	us.sigsetsize = KERNEL_SIGSET_SIZE;
	us.sigmask = (sigset_t *)8;
	ok_errno(sys_io_pgetevents(ctx, 0, 4, ev, &zero, &us), EFAULT,
		 "io_pgetevents with an unreadable sigmask");
	ok_errno(sys_io_pgetevents(ctx, 0, 4, ev, &zero, (struct aio_sigset *)8), EFAULT,
		 "io_pgetevents with an unreadable usig");
	ok_errno(sys_io_pgetevents(ctx, 0, 4, ev, (struct timespec *)8, NULL), EFAULT,
		 "io_pgetevents with an unreadable timeout");
	ok_errno(sys_io_pgetevents(ctx + 1, 0, 4, ev, &zero, NULL), EINVAL,
		 "io_pgetevents with a bad context");
	ok_errno(sys_io_pgetevents(ctx, 2, 1, ev, &zero, NULL), EINVAL,
		 "io_pgetevents with min_nr > nr");

	us.sigmask = &set;
	t0 = now_ns();
	r = sys_io_pgetevents(ctx, 1, 4, ev, &t100, &us);
	ok(r == 0, "io_pgetevents with nothing to reap times out with 0 (got %ld errno %d)",
	   r, r < 0 ? errno : 0);
	ok(now_ns() - t0 >= 100000000LL, "after at least the 100 ms timeout (%lld ms)",
	   (long long)((now_ns() - t0) / 1000000));
	free(buf);
}

static void masked(aio_context_t ctx)
{
	struct iocb cb, *p = &cb;
	struct io_event ev;
	struct timespec ts = { 10, 0 };
	struct aio_sigset us;
	sigset_t block, cur, pend;
	int pp[2];
	pid_t pid;
	long r;

	if (pipe(pp))
		bail_out("pipe");
	handle(SIGUSR1, on_usr1, 0);
	usr1_count = 0;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);

	iocb_prep_poll(&cb, pp[0], POLLIN, AIO_DATA(0x61, 0));
	ok(sys_io_submit(ctx, 1, &p) == 1, "pending poll for the masked-signal wait");
	pid = signaller(__NR_io_pgetevents, SIGUSR1, pp[1]);
	us.sigmask = &block;
	us.sigsetsize = KERNEL_SIGSET_SIZE;
	r = sys_io_pgetevents(ctx, 1, 1, &ev, &ts, &us);
	ok(r == 1, "a SIGUSR1 masked by the sigmask does not interrupt: the event is returned (got %ld errno %d)",
	   r, r < 0 ? errno : 0);
	ok(child_status(pid) == 0,
	   "the signal was sent while io_pgetevents waited, and it kept waiting");
	ok(r == 1 && ev.data == AIO_DATA(0x61, 0) && ev.obj == (uintptr_t)&cb &&
	   (ev.res & POLLIN), "the returned event is the poll's");
	ok(usr1_count == 0, "the masked signal was not handled during the call");
	sigpending(&pend);
	ok(sigismember(&pend, SIGUSR1), "SIGUSR1 is pending after the call");
	sigprocmask(SIG_BLOCK, NULL, &cur);
	ok(sigismember(&cur, SIGUSR1), "the process mask (SIGUSR1 blocked) is unchanged");
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	ok(usr1_count == 1, "unblocking delivers it exactly once (count %d)", (int)usr1_count);
	close(pp[0]);
	close(pp[1]);
}

static void unmasked(aio_context_t ctx, int restart)
{
	struct io_event ev;
	struct timespec ts = { 10, 0 };
	struct aio_sigset us;
	sigset_t block, none, cur;
	const char *how = restart ? " (SA_RESTART)" : "";
	int64_t t0;
	pid_t pid;
	long r;

	handle(SIGUSR1, on_usr1, restart ? SA_RESTART : 0);
	usr1_count = 0;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&none);
	sigprocmask(SIG_BLOCK, &block, NULL);

	pid = signaller(__NR_io_pgetevents, SIGUSR1, -1);
	us.sigmask = &none;
	us.sigsetsize = KERNEL_SIGSET_SIZE;
	t0 = now_ns();
	r = sys_io_pgetevents(ctx, 1, 1, &ev, &ts, &us);
	ok(r == -1 && errno == EINTR,
	   "a signal the sigmask unblocks interrupts io_pgetevents with EINTR%s (got %ld errno %d)",
	   how, r, r < 0 ? errno : 0);
	ok(now_ns() - t0 < 9000000000LL, "well before the 10 s timeout%s", how);
	ok(child_status(pid) == 0, "the signal was sent during the wait%s", how);
	ok(usr1_count == 1, "its handler ran once%s (count %d)", how, (int)usr1_count);
	sigprocmask(SIG_BLOCK, NULL, &cur);
	ok(sigismember(&cur, SIGUSR1), "the process mask is restored: SIGUSR1 blocked again%s",
	   how);
	sigprocmask(SIG_UNBLOCK, &block, NULL);
}

static void already_pending(aio_context_t ctx)
{
	struct io_event ev;
	struct timespec ts = { 10, 0 };
	struct aio_sigset us;
	sigset_t block, none, cur;
	int64_t t0;
	long r;

	handle(SIGUSR2, on_usr2, 0);
	usr2_count = 0;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR2);
	sigemptyset(&none);
	sigprocmask(SIG_BLOCK, &block, NULL);
	raise(SIGUSR2);
	ok(usr2_count == 0, "SIGUSR2 raised while blocked stays pending");
	us.sigmask = &none;
	us.sigsetsize = KERNEL_SIGSET_SIZE;
	t0 = now_ns();
	r = sys_io_pgetevents(ctx, 1, 1, &ev, &ts, &us);
	ok(r == -1 && errno == EINTR,
	   "io_pgetevents unblocking an already pending signal returns EINTR (got %ld errno %d)",
	   r, r < 0 ? errno : 0);
	ok(now_ns() - t0 < 5000000000LL, "at once (%lld ms)",
	   (long long)((now_ns() - t0) / 1000000));
	ok(usr2_count == 1, "and the handler ran once (count %d)", (int)usr2_count);
	sigprocmask(SIG_BLOCK, NULL, &cur);
	ok(sigismember(&cur, SIGUSR2), "SIGUSR2 is blocked again after the call");
	sigprocmask(SIG_UNBLOCK, &block, NULL);
}

static void getevents_eintr(aio_context_t ctx, int restart)
{
	struct io_event ev;
	struct timespec ts = { 10, 0 };
	const char *how = restart ? " (SA_RESTART)" : "";
	pid_t pid;
	long r;

	handle(SIGUSR1, on_usr1, restart ? SA_RESTART : 0);
	usr1_count = 0;
	pid = signaller(__NR_io_getevents, SIGUSR1, -1);
	r = sys_io_getevents(ctx, 1, 1, &ev, &ts);
	ok(r == -1 && errno == EINTR,
	   "io_getevents interrupted by a handled signal returns EINTR%s (got %ld errno %d)",
	   how, r, r < 0 ? errno : 0);
	ok(child_status(pid) == 0, "the signal was sent during io_getevents%s", how);
	ok(usr1_count == 1, "the handler ran once%s", how);
}

int main(void)
{
	struct aio_target t;
	uint64_t seed = pattern_seed();
	aio_context_t ctx;
	int fd;

	fd = scratch_target_file(&t, 4 * 4096, seed);

	ctx = setup_or_bail(16);
	basics(ctx, fd, seed);
	masked(ctx);
	unmasked(ctx, 0);
	unmasked(ctx, 1);
	already_pending(ctx);
	getevents_eintr(ctx, 0);
	getevents_eintr(ctx, 1);
	ok(sys_io_destroy(ctx) == 0, "io_destroy");
	close(fd);
	target_cleanup(&t);
	return tap_done();
}
