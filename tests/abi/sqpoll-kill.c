// SPDX-License-Identifier: MIT
/*
 * sqpoll-kill: SIGKILL of a process whose SQ thread is busy (or asleep)
 * must tear everything down: the process and its SQ thread go away, the
 * context's aio-nr share is returned and every pinned page is unpinned.
 *
 * Scenarios, each in a forked child that is killed with SIGKILL:
 *   busy-iopoll  SCQRING|SQTHREAD|SQPOLL|IOPOLL|FIXEDBUFS on nullb0,
 *                4 KiB polled reads at depth 32 in a loop, no syscalls
 *   busy-irq     SCQRING|SQTHREAD|SQPOLL|FIXEDBUFS (interrupt
 *                completions) on the first other O_DIRECT target
 *   idle         SCQRING|SQTHREAD|SQPOLL|FIXEDBUFS, killed while the
 *                thread sleeps with IORING_SQ_NEED_WAKEUP set
 *   thread       SCQRING|SQTHREAD|FIXEDBUFS (no SQPOLL), reads in a loop
 *                with io_ring_enter(SUBMIT|GETEVENTS)
 * For each: while it runs, its "aio-sq-<pid>" thread exists, IO is
 * making progress (busy ones) and the global pinned-page balance of
 * /proc/vmstat (nr_foll_pin_acquired - nr_foll_pin_released, after
 * vm/stat_refresh) is up by at least its ring and buffer pages; after
 * SIGKILL: the child is reaped within 5 s (killed by SIGKILL), no
 * /proc/<pid> and no "aio-sq-<pid>" thread is left anywhere, fs.aio-nr is
 * back to its start value and the pin balance is back to its start value
 * (skipped with a reason if this kernel's vmstat lacks the counters).
 */
#include "ring2_util.h"

#define N	33
#define DEPTH	32

enum { BUSY_IOPOLL, BUSY_IRQ, IDLE, THREAD };

static const char *const names[] = { "busy-iopoll", "busy-irq", "idle", "thread" };

static struct target poll_t, irq_t;
static int have_poll, have_irq, two_cpus;
static volatile unsigned long *progress;	/* shared with the child */
static uint64_t seed;

/* aio-sq-<tgid> threads in any process */
static int sq_threads_anywhere(pid_t tgid)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] >= '1' && de->d_name[0] <= '9')
			n += find_sq_threads((pid_t)atoi(de->d_name), tgid, NULL);
	closedir(d);
	return n;
}

static void child(int sc, int wfd)
{
	static const size_t sz[] = { 4096 };
	unsigned int flags = IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD |
			     IOCTX_FLAG_FIXEDBUFS;
	struct target *t = sc == BUSY_IOPOLL ? &poll_t : &irq_t;
	struct slot_bufs b;
	struct r2_pass p;
	struct ring r;
	char c = 'R';
	unsigned int round = 0;

	if (sc != THREAD)
		flags |= IOCTX_FLAG_SQPOLL;
	if (sc == BUSY_IOPOLL)
		flags |= IOCTX_FLAG_IOPOLL;
	if (two_cpus) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(0, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	slot_bufs_alloc(&b, N, sz, 1);
	if (ring_setup_bufs(&r, N, flags, two_cpus ? 1 : 0, b.buf, b.len)) {
		c = 'F';
		if (write(wfd, &c, 1) != 1)
			_exit(2);
		_exit(1);
	}
	for (;;) {
		memset(&p, 0, sizeof(p));
		p.r = &r;
		p.fd = t->fd;
		p.write = round == 0;
		p.mode = sc == THREAD ? R2_THREAD : R2_SQPOLL;
		p.nops = sc == IDLE ? 32 : 256;
		p.depth = DEPTH;
		p.aio_flags = sc == BUSY_IOPOLL ? IOCB_FLAG_HIPRI : 0;
		p.base = 0;
		p.seed = seed;
		p.bufs = b.buf;
		p.yield_idle = !two_cpus;
		p.timeout_s = 60;
		p.tag = 0x40 + round % 16;
		r2_pass_run(&p);
		*progress += p.completed;
		round++;
		if (sc == IDLE) {
			/* wait for the thread to sleep, then say so */
			int64_t end = now_ns() + 4000000000LL;

			while (now_ns() < end &&
			       !(__atomic_load_n(&r.sq->kflags, __ATOMIC_ACQUIRE) &
				 IORING_SQ_NEED_WAKEUP))
				ms_sleep(20);
			if (!(r.sq->kflags & IORING_SQ_NEED_WAKEUP))
				c = 'W';
			if (write(wfd, &c, 1) != 1)
				_exit(2);
			for (;;)
				pause();
		}
		if (round == 2 && write(wfd, &c, 1) != 1)
			_exit(2);
	}
}

static void scenario(int sc)
{
	const char *nm = names[sc];
	long nr0 = aio_nr();
	long long bal0 = pin_balance(), bal1, bal2 = 0;
	unsigned long pages = 3 + N;	/* 3 ring pages, 33 buffer pages */
	int fd, st = 0, reaped = 0;
	pid_t pid;
	char c = 0;
	struct pollfd pfd;
	int64_t t0, end;

	*progress = 0;
	pid = fork_piped(&fd);
	if (pid == 0) {
		child(sc, fd);
		_exit(0);
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 15000) != 1 || read(fd, &c, 1) != 1)
		c = 0;
	close(fd);
	if (!ok(c == 'R', "%s: the child set up its context and runs IO (%c)", nm,
		c ? c : '-')) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		diag("%s: child exit status %#x", nm, st);
		return;
	}
	ok(find_sq_threads(pid, pid, NULL) == 1,
	   "%s: its thread aio-sq-%d exists", nm, (int)pid);
	bal1 = pin_balance();
	if (bal0 != LLONG_MIN)
		ok(bal1 - bal0 >= (long long)pages,
		   "%s: pinned pages up by %lld while it runs (at least %lu)", nm,
		   bal1 - bal0, pages);
	if (sc != IDLE) {
		/* the count moves a pass (256 reads) at a time: wait for one */
		unsigned long a = *progress, b2;
		int64_t end = now_ns() + 10000000000LL;

		do
			ms_sleep(50);
		while ((b2 = *progress) == a && now_ns() < end);
		ok(b2 > a, "%s: IO is flowing when the kill comes (%lu -> %lu completions)",
		   nm, a, b2);
	} else {
		unsigned long a = *progress;

		ms_sleep(300);
		ok(*progress == a, "%s: the child is idle, its thread asleep", nm);
	}

	kill(pid, SIGKILL);
	t0 = now_ns();
	reaped = reap_within(pid, &st, 5000);
	if (!ok(reaped && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
		"%s: killed by SIGKILL and reaped within 5 s (%.2f s, status %#x)",
		nm, (now_ns() - t0) / 1e9, st)) {
		dump_tasks(pid);
		return;
	}
	ok(kill(pid, 0) == -1 && errno == ESRCH, "%s: no process %d left", nm, (int)pid);
	ok(sq_threads_anywhere(pid) == 0, "%s: no aio-sq-%d thread anywhere", nm,
	   (int)pid);
	ok(aio_nr_wait(nr0, 3000) == nr0, "%s: fs.aio-nr back to %ld (%ld)", nm, nr0,
	   aio_nr());
	if (bal0 == LLONG_MIN) {
		skip("%s: pinned pages: /proc/vmstat has no nr_foll_pin_acquired/released", nm);
		return;
	}
	end = now_ns() + 3000000000LL;
	while (now_ns() < end && (bal2 = pin_balance()) != bal0)
		ms_sleep(50);
	ok(bal2 == bal0,
	   "%s: every page pinned for it is unpinned: nr_foll_pin_acquired - released back to %lld (%lld)",
	   nm, bal0, bal2);
}

int main(void)
{
	long start;
	int sc;

	require_aioring();
	if (geteuid() != 0)
		skip_all("needs root (vm/stat_refresh)");
	start = aio_nr();
	seed = pattern_seed();
	two_cpus = sysconf(_SC_NPROCESSORS_ONLN) >= 2 && cpu_online(1) == 1;
	progress = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (progress == MAP_FAILED)
		bail_out("mmap");
	if (pin_balance() == LLONG_MIN)
		diag("no nr_foll_pin_* in /proc/vmstat: the pinned-page checks are skipped");

	have_poll = r2_open_bdev("nullb0", &poll_t) == 0 && poll_t.polled;
	{
		struct target t[MAX_TARGETS];
		int n = targets_collect(t, MAX_TARGETS, TGT_ALL), i;

		for (i = 0; i < n && !have_irq; i++) {
			int fd;

			if (!strcmp(t[i].name, "nullb0"))
				continue;
			fd = target_open(&t[i]);
			if (fd >= 0 && t[i].size >= (4u << 20)) {
				irq_t = t[i];
				have_irq = 1;
			} else {
				target_close(&t[i]);
			}
		}
	}
	if (!have_irq && have_poll) {
		irq_t = poll_t;		/* nullb0 without HIPRI */
		have_irq = 1;
	}
	if (!have_poll && !have_irq)
		skip_all("no O_DIRECT target");
	diag("targets: polled %s, interrupt %s", have_poll ? poll_t.name : "-",
	     have_irq ? irq_t.name : "-");

	for (sc = 0; sc <= THREAD; sc++) {
		if (sc == BUSY_IOPOLL && !have_poll) {
			skip("busy-iopoll: no nullb0 with poll queues");
			continue;
		}
		scenario(sc);
	}
	if (have_irq && irq_t.fd != poll_t.fd)
		target_close(&irq_t);
	if (have_poll)
		target_close(&poll_t);
	ok_aio_nr_back(start);
	return tap_done();
}
