// SPDX-License-Identifier: MIT
/*
 * cpu-offline: the CPU an SQ thread is bound to goes offline under IO
 * (spec section 4 validates sq_thread_cpu at setup; nothing says the
 * CPU stays online afterwards, so the context must keep working).
 *
 * Rounds times, for SQTHREAD and SQPOLL (random extra flags): a ring
 * whose thread is bound to CPU 1, IO flowing (fault_io.h engine, every
 * read verified); CPU 1 is taken offline while IO is in flight, IO goes
 * on for a while, CPU 1 comes back, IO goes on, io_destroy.  Checks:
 * every IO completes exactly once and right, no call fails with anything
 * but EAGAIN/EINTR, the thread is bound to CPU 1 again once it is back
 * (we decide: the spec binds it there), io_destroy returns 0, and the
 * baseline holds.  While
 * CPU 1 is offline, io_setup2 with sq_thread_cpu = 1 is EINVAL.  Also a
 * process killed while its SQ thread's CPU is offline is torn down.
 * Skipped with fewer than two CPUs or when CPU 1 cannot go offline.
 */
#include "fault_io.h"

#define SHORT_ROUNDS	2
#define CPU1_ONLINE	"/sys/devices/system/cpu/cpu1/online"

static uint64_t data_seed;

static int cpu1_set(int on)
{
	return write_sysctl_long(CPU1_ONLINE, on);
}

/* io_setup2 with the thread on CPU 1: make sure fx_setup picks it. */
static int setup_on_cpu1(struct fx *x, int mode, unsigned int flags,
			 struct ftarget *f, uint64_t rbase, struct fx_stats *st)
{
	static const size_t sz[] = { 4096 };
	unsigned int n = 8 + frand_below(40), i;

	memset(x, 0, sizeof(*x));
	x->mode = mode;
	x->flags = flags;
	x->fixed = !!(flags & IOCTX_FLAG_FIXEDBUFS);
	x->f = f;
	x->base = rbase;
	x->nblocks = FAULT_REGION / FAULT_BS;
	x->seed = data_seed;
	x->st = st;
	slot_bufs_alloc(&x->b, n, sz, 1);
	x->free_slots = calloc(n, sizeof(*x->free_slots));
	x->slot = calloc(n, sizeof(*x->slot));
	if (!x->free_slots || !x->slot)
		bail_out("calloc");
	if (ring_setup_bufs(&x->r, n, flags, 1, x->fixed ? x->b.buf : NULL,
			    x->fixed ? x->b.len : NULL))
		return -1;
	for (i = n; i-- > 0;)
		x->free_slots[x->nfree++] = i;
	st->phase = FX_IO;
	return 0;
}

/* Cpus_allowed_list of this process's SQ thread, "" when not found. */
static const char *sq_thread_cpus(void)
{
	static char list[64];
	pid_t tid;

	if (find_sq_threads(0, getpid(), &tid) != 1 ||
	    task_cpus_allowed(tid, list, sizeof(list)))
		list[0] = 0;
	return list;
}

static void one_round(int mode, unsigned int round)
{
	unsigned int flags = fault_mode_flags(mode);
	struct ftarget *f = fault_pick_target(mode, flags);
	uint64_t rbase = (uint64_t)mode * FAULT_REGION;
	const char *what = label("%s #%u (flags %#x, %s)", fmode_name[mode], round,
				 flags, f ? f->t.name : "-");
	struct fx_stats st;
	struct fx x;
	struct ring r2;
	int off_ok, on_ok, e;

	if (!f) {
		skip("%s: no target", what);
		return;
	}
	memset(&st, 0, sizeof(st));
	if (setup_on_cpu1(&x, mode, flags, f, rbase, &st)) {
		ok(0, "%s: io_setup2 with the thread on CPU 1: %s", what, strerror(errno));
		return;
	}
	fx_run(&x, 100, 20000);
	fx_fill(&x, x.r.n);
	fx_kick(&x, 0);
	off_ok = cpu1_set(0) == 0;
	fx_run(&x, 200, 30000);
	/* a new thread cannot be bound to an offline CPU */
	if (off_ok) {
		ring_prepare(&r2, 4, IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD, 1, NULL, NULL);
		e = ring_create(&r2) ? errno : 0;
		if (!e)
			ring_destroy(&r2);
		ok(e == EINVAL, "%s: io_setup2 with sq_thread_cpu = 1 while it is offline: EINVAL (%s)",
		   what, e ? strerror(e) : "worked");
	}
	on_ok = cpu1_set(1) == 0;
	fx_run(&x, 200, 30000);
	/* the thread ran its loop under that IO: it is bound again */
	if (on_ok)
		ok(!strcmp(sq_thread_cpus(), "1"),
		   "%s: the SQ thread is bound to CPU 1 again once it is back (allowed: '%s')",
		   what, sq_thread_cpus());
	fx_drain(&x, 20000);
	ok(off_ok && on_ok, "%s: CPU 1 went offline and online again under IO", what);
	ok(!st.bad_data && !st.bad_event && !st.bad_res && !st.errors && !x.inflight &&
	   !x.queued,
	   "%s: %lu IOs across the offline CPU, %lu reads verified, all right (bad data %lu, stray %lu, failed %lu, errors %lu%s%s)",
	   what, st.completed, st.verified, st.bad_data, st.bad_event, st.bad_res,
	   st.errors, st.msg[0] ? ": " : "", st.msg);
	ok(fx_destroy(&x) == 0, "%s: io_destroy", what);
}

struct case_arg {
	int mode;
	unsigned int round;
};

static void offline_case(void *p)
{
	struct case_arg *a = p;

	one_round(a->mode, a->round);
	cpu1_set(1);
}

static void run_case(int mode, unsigned int round, const struct fbase *base)
{
	struct case_arg a = { mode, round };
	const char *what = label("%s #%u", fmode_name[mode], round);

	fault_case(what, offline_case, &a, 150);
	cpu1_set(1);
	fault_base_check(base, 5000, what);
}

/* A process whose SQ thread's CPU is offline gets SIGKILL. */
static void kill_offline(const struct fbase *base)
{
	struct fx_stats *st = fx_shared(4096);
	struct ftarget *f = fault_pick_target(M_SQPOLL, 0);
	int status = 0, reaped = 0;
	int64_t end;
	pid_t pid;

	if (!f) {
		skip("kill with the SQ thread's CPU offline: no target");
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		bail_out("fork");
	if (pid == 0) {
		struct fx x;

		if (setup_on_cpu1(&x, M_SQPOLL, fmode_flags[M_SQPOLL], f,
				  (uint64_t)M_SQPOLL * FAULT_REGION, st))
			_exit(1);
		st->phase = FX_EXIT;
		for (;;)
			fx_run(&x, 1000, 60000);
	}
	end = now_ns() + 20000000000LL;
	while (st->phase != FX_EXIT && now_ns() < end)
		ms_sleep(10);
	ms_sleep(200);
	cpu1_set(0);
	ms_sleep(200);
	kill(pid, SIGKILL);
	reaped = reap_within(pid, &status, 5000);
	if (!reaped)
		dump_tasks(pid);
	ok(reaped && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	   "kill with the SQ thread's CPU offline: reaped within 5 s (status %#x)", status);
	cpu1_set(1);
	if (!reaped)
		reap_within(pid, &status, 10000);
	fault_base_check(base, 5000, "kill with the SQ thread's CPU offline");
	munmap(st, 4096);
}

int main(int argc, char **argv)
{
	struct fbase base;
	unsigned int round;
	int i;

	fault_options(argc, argv, SHORT_ROUNDS,
		      "the SQ thread's CPU goes offline under IO.");
	require_aioring();
	if (geteuid() != 0)
		skip_all("needs root (CPU hotplug)");
	if (sysconf(_SC_NPROCESSORS_CONF) < 2 || access(CPU1_ONLINE, W_OK))
		skip_all("CPU 1 cannot be taken offline here");
	if (cpu1_set(1))
		skip_all("CPU 1 cannot be brought online");
	fault_kmemleak_begin();
	data_seed = frand();
	if (!fault_targets_open(FAULT_REGION * M_COUNT))
		skip_all("no target");
	for (i = 0; i < ft_ndirect; i++) {
		if (fault_prefill(&ft_direct[i], (uint64_t)M_SQTHREAD * FAULT_REGION,
				  FAULT_REGION, data_seed) ||
		    fault_prefill(&ft_direct[i], (uint64_t)M_SQPOLL * FAULT_REGION,
				  FAULT_REGION, data_seed))
			bail_out("prefill %s", ft_direct[i].t.name);
	}
	fault_base_take(&base);
	for (round = 0; round < fault_rounds; round++) {
		run_case(M_SQTHREAD, round, &base);
		run_case(M_SQPOLL, round, &base);
	}
	kill_offline(&base);
	cpu1_set(1);
	fault_targets_close();
	fault_finish("cpu-offline");
	return tap_done();
}
