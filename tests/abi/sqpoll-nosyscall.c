// SPDX-License-Identifier: MIT
/*
 * sqpoll-nosyscall: IOCTX_FLAG_SCQRING|SQTHREAD|SQPOLL|IOPOLL|FIXEDBUFS
 * on nullb0 (poll queues).  While IO keeps flowing the application never
 * enters the kernel: the SQ thread takes the iocbs from the SQ ring and
 * polls the device for their completions.
 *
 *  - NREADS (100000) 4 KiB reads (HIPRI) at depth 32 (N = 33, one 4 KiB fixed
 *    buffer per slot) over a 4 MiB region written beforehand with a
 *    pattern unique per byte offset; the program follows the v9 protocol
 *    (publish the tail, full barrier, io_ring_enter(SUBMIT) only if
 *    kflags has IORING_SQ_NEED_WAKEUP) and counts every io_ring_enter
 *    call it makes: fewer than 10 for the whole run; every event checked
 *    (data, obj = slot, res = 4096, res2 = 0) and every read compared
 *    with the pattern (memcmp against the image of the region);
 *  - then idle for 1.6 s: NEED_WAKEUP is set in kflags and the thread
 *    sleeps (state S, no CPU time used over 0.5 s);
 *  - one more read queued: the flag is seen after the barrier, one
 *    io_ring_enter(SUBMIT 1) returns 1, the flag clears within 1 s, the
 *    read completes with the right data without any other system call;
 *  - io_destroy returns 0, the thread is gone, fs.aio-nr back.
 * The SQ thread is on CPU 1 and the program on CPU 0 when there are two
 * CPUs; with one CPU both share it (the program yields while it waits).
 * The context lives in a child process (a hang fails the check, not the
 * run).  AIORING_SQPOLL_READS overrides NREADS.  On a machine too slow
 * for them (TCG with KASAN: ~1,400 reads/s, so ~75 s) no more reads are
 * queued after 90 s; then at least 20000 must have been done, and the
 * count is printed.
 */
#include "ring2_util.h"

#define N	33
#define DEPTH	32
#define NREADS	100000u
#define MIN_READS	20000u
#define SOFT_STOP_S	90	/* queue no more after this (slow machines) */
#define REGION	(4u << 20)
#define BASE	(64ull << 20)

static struct target tgt;
static uint8_t *image;
static unsigned int nreads = NREADS;
static int two_cpus;

static unsigned long thread_ticks(pid_t tid)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	int field = 3;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	if (read_file(path, buf, sizeof(buf)))
		return 0;
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	for (p++; *p && field <= 15; field++) {
		while (*p == ' ')
			p++;
		if (field == 14)
			ut = strtoul(p, NULL, 10);
		if (field == 15)
			st = strtoul(p, NULL, 10);
		while (*p && *p != ' ')
			p++;
	}
	return ut + st;
}

static char thread_state(pid_t tid)
{
	char path[64], buf[1024], *p;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	if (read_file(path, buf, sizeof(buf)))
		return '?';
	p = strrchr(buf, ')');
	return p && p[1] && p[2] ? p[2] : '?';
}

static int kflags_wakeup(struct ring *r)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return !!(__atomic_load_n(&r->sq->kflags, __ATOMIC_RELAXED) &
		  IORING_SQ_NEED_WAKEUP);
}

static void run(void *arg)
{
	static const size_t sz[] = { 4096 };
	unsigned int flags = IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD |
			     IOCTX_FLAG_SQPOLL | IOCTX_FLAG_IOPOLL |
			     IOCTX_FLAG_FIXEDBUFS;
	unsigned int cpu = two_cpus ? 1 : 0;
	struct slot_bufs b;
	struct r2_pass p;
	struct ring r;
	pid_t tid = 0;
	long ret;

	(void)arg;
	if (two_cpus) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(0, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			diag("sched_setaffinity(CPU 0): %s", strerror(errno));
	}
	slot_bufs_alloc(&b, N, sz, 1);
	ret = ring_setup_bufs(&r, N, flags, cpu, b.buf, b.len);
	if (!ok(ret == 0, "io_setup2(SCQRING|SQTHREAD|SQPOLL|IOPOLL|FIXEDBUFS, cpu %u) returns 0 (errno %d %s)",
		cpu, ret ? errno : 0, ret ? strerror(errno) : "-"))
		return;
	if (wait_sq_threads(1, 3000, &tid) != 1)
		diag("no SQ thread found");

	memset(&p, 0, sizeof(p));
	p.r = &r;
	p.fd = tgt.fd;
	p.mode = R2_SQPOLL;
	p.nops = nreads;
	p.depth = DEPTH;
	p.aio_flags = IOCB_FLAG_HIPRI;
	p.base = BASE;
	p.span = REGION / RING_BS;
	p.mult = 7;
	p.expect = image;
	p.bufs = b.buf;
	p.yield_idle = !two_cpus;
	p.timeout_s = SOFT_STOP_S + 30;
	p.soft_stop_s = SOFT_STOP_S;
	p.tag = 0x51;
	r2_pass_run(&p);
	diag("%lu reads in %.2f s (%.0f IOPS), %lu io_ring_enter calls, %lu wakeup checks, thread on CPU %u",
	     p.completed, p.secs, p.secs > 0 ? p.completed / p.secs : 0.0,
	     p.enter_calls, p.wake_checks, cpu);
	r2_pass_report(&p, label("SQPOLL depth %u", DEPTH));
	ok(p.completed >= (p.stopped_early ? MIN_READS : nreads),
	   "SQPOLL: %lu reads done (%u wanted; at least %u if the machine is too slow for them in %d s)",
	   p.completed, nreads, MIN_READS, SOFT_STOP_S);
	ok(p.enter_calls < 10,
	   "SQPOLL: %lu io_ring_enter calls for %lu reads (fewer than 10)",
	   p.enter_calls, p.completed);
	ok(p.verified == p.completed && !p.bad_data,
	   "SQPOLL: all %lu reads compared with the written data", p.verified);

	/* idle: the thread must go to sleep and ask for a wakeup */
	ms_sleep(1600);
	ok(kflags_wakeup(&r), "after 1.6 s idle, kflags has IORING_SQ_NEED_WAKEUP (kflags %#x)",
	   r.sq->kflags);
	if (tid) {
		unsigned long t0 = thread_ticks(tid), t1;
		char st;

		ms_sleep(500);
		t1 = thread_ticks(tid);
		st = thread_state(tid);
		ok(st == 'S' && t1 - t0 <= 1,
		   "the idle thread sleeps: state %c, %lu ticks of CPU time in 0.5 s",
		   st, t1 - t0);
	}

	/* one read, and the wakeup */
	{
		unsigned int slot = 3, got = 0;
		uint64_t off = BASE + 5 * RING_BS;
		struct io_event ev;
		int64_t end;
		int cleared = 0;
		unsigned long calls = 0;

		memset(b.buf[slot], 0xa5, 4096);
		iocb_prep(&r.iocbs[slot], IOCB_CMD_PREAD, tgt.fd, b.buf[slot], 4096,
			  off, 0x5eed, IOCB_FLAG_HIPRI);
		sq_push(&r, slot);
		if (kflags_wakeup(&r)) {
			calls++;
			ret = ring_enter(&r, 1, 0, IORING_FLAG_SUBMIT);
			ok(ret == 1, "with NEED_WAKEUP set after the barrier: io_ring_enter(SUBMIT 1) returns 1 (%ld %s)",
			   ret, ret < 0 ? strerror(errno) : "");
		} else {
			ok(0, "NEED_WAKEUP still set after queueing one read");
		}
		end = now_ns() + 1000000000LL;
		while (now_ns() < end) {
			if (!cleared && !(__atomic_load_n(&r.sq->kflags, __ATOMIC_ACQUIRE) &
					  IORING_SQ_NEED_WAKEUP))
				cleared = 1;
			if (!got && cq_pop(&r, &ev))
				got = 1;
			if (cleared && got)
				break;
			if (!two_cpus)
				sched_yield();
		}
		ok(cleared, "the wakeup clears NEED_WAKEUP within 1 s (kflags %#x)",
		   r.sq->kflags);
		ok(got && ev.data == 0x5eed && ev.obj == slot && ev.res == 4096 &&
		   ev.res2 == 0 && !memcmp(b.buf[slot], image + (off - BASE), 4096),
		   "the read completes, polled by the thread, with the right data and no further system call (%lu call)",
		   calls);
	}

	ret = ring_destroy(&r);
	ok(ret == 0, "io_destroy returns 0");
	ok(wait_sq_threads(0, 3000, NULL) == 0, "the SQ thread is gone");
	slot_bufs_free(&b);
}

int main(void)
{
	const char *env = getenv("AIORING_SQPOLL_READS");
	uint64_t seed = pattern_seed();
	unsigned int i;
	long start;

	require_aioring();
	start = aio_nr();
	if (env && atoi(env) > 0)
		nreads = (unsigned int)atoi(env);
	if (r2_open_bdev("nullb0", &tgt))
		skip_all("no /dev/nullb0 in AIORING_POLL_BDEVS");
	if (!tgt.polled)
		skip_all("/dev/nullb0 has no poll queues (io_poll != 1)");
	two_cpus = sysconf(_SC_NPROCESSORS_ONLN) >= 2 && cpu_online(1) == 1;
	if (!two_cpus)
		diag("one CPU online: the SQ thread and the program share CPU 0");

	/* the region, synchronously */
	if (posix_memalign((void **)&image, 4096, REGION))
		bail_out("posix_memalign");
	pattern_fill(image, REGION, BASE, seed);
	for (i = 0; i < REGION; i += 1u << 20)
		if (pwrite(tgt.fd, image + i, 1u << 20, (off_t)(BASE + i)) != 1 << 20)
			bail_out("pwrite");

	run_child("SQPOLL", run, NULL, SOFT_STOP_S + 60);
	target_close(&tgt);
	ok_aio_nr_back(start);
	return tap_done();
}
