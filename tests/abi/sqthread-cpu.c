// SPDX-License-Identifier: MIT
/*
 * sqthread-cpu: the submission thread of IOCTX_FLAG_SQTHREAD.
 *
 * Setup errors (no context may be left behind, fs.aio-nr unchanged):
 *   SQPOLL without SQTHREAD (SCQRING|SQPOLL)                EINVAL
 *   sq_thread_cpu 4096, 65535, nr of configured CPUs         EINVAL
 *   sq_thread_cpu of a CPU taken offline (cpu1, when it can
 *   be hot-unplugged; put back online afterwards)           EINVAL
 *
 * Each context with a thread lives in a child process, so that a
 * context whose teardown hangs fails the check instead of the program:
 *  - sq_thread_cpu = 1: exactly one thread "aio-sq-<tgid>" appears in
 *    /proc/self/task/<tid>/comm; its stat field 39 (processor) is 1 and
 *    its Cpus_allowed_list is "1"; it has the creator's uid;
 *  - data-verified IO through the thread on nullb0 (256 writes, then 256
 *    reads compared byte for byte, depth 32, N = 33): every
 *    io_ring_enter(SUBMIT, n) returns n;
 *  - an iocb with a bad fd comes back as an event (res -EBADF, data = its
 *    aio_data, obj = its slot), not as a syscall error (SUBMIT returns 1,
 *    the entry is consumed); in a batch [valid, bad fd, valid] all three
 *    complete, the valid ones with their data;
 *  - io_destroy returns 0 and then the thread is gone (within 3 s);
 *  - the same with sq_thread_cpu = 0 (processor 0, Cpus_allowed_list
 *    "0", 32 writes and reads through it);
 *  - fs.aio-nr back at the end.
 */
#include "ring2_util.h"
#include "knob.h"

#define N	33
#define DEPTH	32

static struct target tgt;
static uint64_t seed;

static void expect_einval(unsigned int flags, unsigned int cpu, const char *what)
{
	long nr0 = aio_nr(), ret;
	struct ring r;
	int e;

	ret = ring_setup_bufs(&r, N, flags, cpu, NULL, NULL);
	e = errno;
	if (ret == 0) {
		diag("%s: io_setup2 succeeded: destroyed again", what);
		ring_destroy(&r);
	}
	ok(ret == -1 && e == EINVAL && aio_nr() == nr0,
	   "%s: EINVAL (got ret %ld errno %s), aio-nr %ld -> %ld", what, ret,
	   ret ? strerrorname_np(e) : "-", nr0, aio_nr());
}

static void setup_errors(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);

	expect_einval(IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQPOLL, 0,
		      "SCQRING|SQPOLL without SQTHREAD");
	expect_einval(IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQPOLL | IOCTX_FLAG_IOPOLL, 0,
		      "SCQRING|SQPOLL|IOPOLL without SQTHREAD");
	expect_einval(IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD, 4096,
		      "sq_thread_cpu 4096");
	expect_einval(IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD, 65535,
		      "sq_thread_cpu 65535");
	expect_einval(IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD | IOCTX_FLAG_SQPOLL,
		      (unsigned int)ncpu,
		      label("SQPOLL, sq_thread_cpu %ld (= number of CPUs, none such)",
			    ncpu));

	/* an offline CPU */
	if (cpu_online(1) != 1) {
		skip("offline CPU: cpu1 is not online to start with");
		return;
	}
	{
		int e = write_sysctl_long("/sys/devices/system/cpu/cpu1/online", 0);

		if (e) {
			skip("offline CPU: cpu1 cannot be taken offline (%s)",
			     strerror(-e));
			return;
		}
	}
	knob_save("/sys/devices/system/cpu/cpu1/online", 1);
	if (cpu_online(1) != 0) {
		skip("offline CPU: cpu1 still online");
	} else {
		expect_einval(IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD, 1,
			      "sq_thread_cpu 1 while cpu1 is offline");
	}
	knob_restore();
	{
		int64_t end = now_ns() + 3000000000LL;

		while (cpu_online(1) != 1 && now_ns() < end)
			ms_sleep(20);
	}
	ok(cpu_online(1) == 1, "cpu1 is online again");
}

/* Wait for the thread to be on cpu with affinity exactly cpu. */
static void check_thread(pid_t tid, unsigned int cpu)
{
	char want[16], allowed[64] = "";
	int64_t end = now_ns() + 3000000000LL;
	int proc = -1;
	char path[64];
	long uid;

	snprintf(want, sizeof(want), "%u", cpu);
	while (now_ns() < end) {
		task_cpus_allowed(tid, allowed, sizeof(allowed));
		proc = task_cpu(tid);
		if (!strcmp(allowed, want) && proc == (int)cpu)
			break;
		ms_sleep(20);
	}
	ok(!strcmp(allowed, want), "cpu %u: the thread's Cpus_allowed_list is \"%s\" (\"%s\")",
	   cpu, want, allowed);
	ok(proc == (int)cpu, "cpu %u: the thread's stat field 39 (processor) is %u (%d)",
	   cpu, cpu, proc);
	snprintf(path, sizeof(path), "/proc/self/task/%d/status", (int)tid);
	uid = status_long(path, "Uid");
	ok(uid == (long)getuid(), "cpu %u: the thread runs as the creator's uid %d (%ld)",
	   cpu, (int)getuid(), uid);
}

static void rw_through_thread(struct ring *r, uint8_t **bufs, unsigned int nops,
			      uint64_t base, uint64_t s, const char *what)
{
	struct r2_pass p;

	memset(&p, 0, sizeof(p));
	p.r = r;
	p.fd = tgt.fd;
	p.write = 1;
	p.mode = R2_THREAD;
	p.nops = nops;
	p.depth = DEPTH;
	p.base = base;
	p.seed = s;
	p.mult = 11;
	p.bufs = bufs;
	p.tag = 0x77;
	r2_pass_run(&p);
	r2_pass_report(&p, label("%s: write through the thread", what));
	ok(r2_verify_sync(tgt.fd, base, (size_t)nops * RING_BS, s) < 0,
	   "%s: a synchronous pread sees every written block", what);
	memset(&p, 0, sizeof(p));
	p.r = r;
	p.fd = tgt.fd;
	p.write = 0;
	p.mode = R2_THREAD;
	p.nops = nops;
	p.depth = DEPTH;
	p.base = base;
	p.seed = s;
	p.mult = 29;
	p.bufs = bufs;
	p.tag = 0x78;
	r2_pass_run(&p);
	r2_pass_report(&p, label("%s: read through the thread", what));
}

static void bad_fd(struct ring *r, uint8_t **bufs, uint64_t base)
{
	struct io_event ev[3];
	unsigned int head = sq_head(r), got, i, bad = 0;
	int fd = dup(0);
	long ret;

	close(fd);	/* fd is now certainly not open */
	iocb_prep(&r->iocbs[5], IOCB_CMD_PREAD, fd, bufs[5], 4096, 0, 0xbadfd, 0);
	sq_push(r, 5);
	ret = ring_enter(r, 1, 0, IORING_FLAG_SUBMIT);
	got = ring_reap_wait(r, ev, 1, 5000);
	ok(ret == 1, "bad fd: io_ring_enter(SUBMIT 1) returns 1, not an error (ret %ld %s)",
	   ret, ret < 0 ? strerror(errno) : "");
	ok(got == 1 && ev[0].res == -EBADF && ev[0].data == 0xbadfd &&
	   ev[0].obj == 5 && ev[0].res2 == 0,
	   "bad fd: an event with res -EBADF, data = aio_data, obj = slot 5 (got %u: res %lld data %#llx obj %llu)",
	   got, got ? (long long)ev[0].res : 0,
	   got ? (unsigned long long)ev[0].data : 0ULL,
	   got ? (unsigned long long)ev[0].obj : 0ULL);
	sq_wait_drained(r, 1000);
	ok(sq_head(r) == (head + 1) % r->n,
	   "bad fd: the entry was consumed (SQ head %u -> %u)", head, sq_head(r));

	/* [valid, bad, valid] */
	for (i = 6; i <= 8; i++)
		memset(bufs[i], 0xa5, 4096);
	iocb_prep(&r->iocbs[6], IOCB_CMD_PREAD, tgt.fd, bufs[6], 4096, base, 0x601, 0);
	iocb_prep(&r->iocbs[7], IOCB_CMD_PREAD, fd, bufs[7], 4096, base, 0x701, 0);
	iocb_prep(&r->iocbs[8], IOCB_CMD_PREAD, tgt.fd, bufs[8], 4096, base + 4096,
		  0x801, 0);
	sq_push(r, 6);
	sq_push(r, 7);
	sq_push(r, 8);
	ret = ring_enter(r, 3, 0, IORING_FLAG_SUBMIT);
	got = ring_reap_wait(r, ev, 3, 5000);
	for (i = 0; i < got; i++) {
		if (ev[i].data == 0x601)
			bad += ev[i].res != 4096 || ev[i].obj != 6 ||
			       pattern_check(bufs[6], 4096, base, seed) >= 0;
		else if (ev[i].data == 0x701)
			bad += ev[i].res != -EBADF || ev[i].obj != 7;
		else if (ev[i].data == 0x801)
			bad += ev[i].res != 4096 || ev[i].obj != 8 ||
			       pattern_check(bufs[8], 4096, base + 4096, seed) >= 0;
		else
			bad++;
	}
	ok(ret == 3 && got == 3 && !bad,
	   "batch [valid, bad fd, valid]: SUBMIT returns 3 (%ld), 3 events (%u): -EBADF for the bad one, the reads with their data (%u wrong)",
	   ret, got, bad);
}

static void thread_ctx(void *arg)
{
	unsigned int cpu = *(unsigned int *)arg;
	static const size_t sz[] = { 4096 };
	struct slot_bufs b;
	struct ring r;
	pid_t tid = 0;
	int nthr;
	long ret;

	slot_bufs_alloc(&b, N, sz, 1);
	ret = ring_setup_bufs(&r, N, IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD, cpu, NULL, NULL);
	if (!ok(ret == 0, "cpu %u: io_setup2(SCQRING|SQTHREAD) returns 0 (errno %d %s)",
		cpu, ret ? errno : 0, ret ? strerror(errno) : "-"))
		return;
	nthr = wait_sq_threads(1, 3000, &tid);
	ok(nthr == 1, "cpu %u: exactly one thread named aio-sq-%d (%d)", cpu,
	   (int)getpid(), nthr);
	if (nthr >= 1)
		check_thread(tid, cpu);
	if (cpu == 1) {
		rw_through_thread(&r, b.buf, 256, 0, seed, "cpu 1");
		bad_fd(&r, b.buf, 0);
	} else {
		rw_through_thread(&r, b.buf, 32, 4u << 20, seed + 1, "cpu 0");
	}
	ret = ring_destroy(&r);
	ok(ret == 0, "cpu %u: io_destroy returns 0", cpu);
	nthr = wait_sq_threads(0, 3000, NULL);
	ok(nthr == 0, "cpu %u: after io_destroy the thread is gone (%d left)", cpu, nthr);
	slot_bufs_free(&b);
}

int main(void)
{
	long start;
	unsigned int cpu;

	require_aioring();
	start = aio_nr();
	seed = pattern_seed();

	setup_errors();

	if (r2_open_bdev("nullb0", &tgt) && target_pick(&tgt, 8u << 20))
		skip_all("no O_DIRECT target for IO through the thread");
	diag("IO target %s", tgt.name);

	if (sysconf(_SC_NPROCESSORS_ONLN) >= 2 && cpu_online(1) == 1) {
		cpu = 1;
		run_child("sq_thread_cpu 1", thread_ctx, &cpu, 25);
	} else {
		skip("sq_thread_cpu 1: fewer than 2 CPUs online");
	}
	cpu = 0;
	run_child("sq_thread_cpu 0", thread_ctx, &cpu, 20);

	target_close(&tgt);
	ok_aio_nr_back(start);
	return tap_done();
}
