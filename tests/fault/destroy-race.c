// SPDX-License-Identifier: MIT
/*
 * destroy-race: io_destroy racing completions (spec section 8: teardown
 * reaps polled IO, waits for every request, stops the thread and the
 * workers; after it every call on the id is EINVAL).
 *
 * For every mode, Rounds times: an IO thread keeps random reads and
 * writes flowing on a ring (fault_io.h: every event and every read
 * checked) while the main thread calls io_destroy after a random delay;
 * sometimes a third thread calls io_destroy at the same moment, and
 * sometimes the IO thread is blocked in io_ring_enter(GETEVENTS) with a
 * large min_complete when the destroy comes.  Checks:
 *  - exactly one io_destroy returns 0, a concurrent one gets EINVAL;
 *  - the IO thread's next call gets EINVAL and it ends within 5 s (a
 *    waiter is not left sleeping on a dead context);
 *  - every event it reaped before was right (no duplicate, no stray, no
 *    failed IO, reads hold their pattern);
 *  - once io_destroy has returned, the kernel no longer writes the rings:
 *    SQ head and CQ tail and the CQ's events stay as they are for 200 ms;
 *  - VmPin of this process is back (the rings and buffers unpinned when
 *    io_destroy returns), and the whole baseline holds;
 *  - the region holds its pattern.
 * kmemleak at the end.
 */
#include "fault_io.h"

#define SHORT_ROUNDS	3

static uint64_t data_seed;

struct drace {
	struct fx x;
	struct fx_stats st;
	volatile int stop;
	int blocker;		/* block in GETEVENTS with a large min */
	long after_ret;		/* the first call that failed */
	int after_err;
	volatile int done;
};

static void *io_thread(void *p)
{
	struct drace *d = p;
	struct fx *x = &d->x;

	for (;;) {
		long ret;

		if (d->blocker && x->inflight + x->queued > 0 && frand_pct(50)) {
			/* sleep in the kernel for more than will ever come */
			ret = ring_enter(&x->r, 0, 4 * x->r.n, IORING_FLAG_GETEVENTS);
			if (ret < 0 && errno != EINTR && errno != EAGAIN) {
				d->after_ret = ret;
				d->after_err = errno;
				break;
			}
			fx_reap(x);
			continue;
		}
		fx_fill(x, 1 + frand_below(x->r.n - 1));
		ret = fx_kick(x, 1);
		fx_reap(x);
		if (ret) {
			d->after_ret = -1;
			d->after_err = -(int)ret;
			break;
		}
		if (d->stop)
			break;
		if ((x->flags & IOCTX_FLAG_SQPOLL) && !cq_count(&x->r))
			sched_yield();
	}
	__atomic_store_n(&d->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

struct destroyer {
	aio_context_t ctx;
	long ret;
	int err;
	volatile int *go;
};

static void *destroy_thread(void *p)
{
	struct destroyer *z = p;

	while (!__atomic_load_n(z->go, __ATOMIC_ACQUIRE))
		;
	z->ret = sys_io_destroy(z->ctx);
	z->err = errno;
	return NULL;
}

static void one_race(int mode, unsigned int round)
{
	unsigned int flags = fault_mode_flags(mode);
	struct ftarget *f = fault_pick_target(mode, flags);
	uint64_t rbase = (uint64_t)mode * FAULT_REGION;
	unsigned int delay = frand_below(300);
	int two = frand_pct(30), blocker = frand_pct(30), ended = 0, zeros;
	const char *what = label("%s #%u (flags %#x, %s, destroy after %u ms%s%s)",
				 fmode_name[mode], round, flags, f ? f->t.name : "-",
				 delay, two ? ", two destroyers" : "",
				 blocker ? ", a waiter in GETEVENTS" : "");
	struct destroyer z1, z2;
	volatile int go = 0;
	pthread_t th, tz;
	struct drace *d;
	struct io_event *snap;
	unsigned int sqh, cqt;
	int64_t end;
	long pin_before;

	if (!f) {
		skip("%s: no target", what);
		return;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		bail_out("calloc");
	d->blocker = blocker;
	pin_before = vm_pin_kb();
	if (fx_setup(&d->x, mode, flags, f, rbase, FAULT_REGION / FAULT_BS, data_seed,
		     4 + frand_below(60), &d->st)) {
		ok(0, "%s: io_setup2: %s", what, strerror(errno));
		free(d);
		return;
	}
	if (pthread_create(&th, NULL, io_thread, d))
		bail_out("pthread_create");
	ms_sleep(delay);
	z1.ctx = z2.ctx = d->x.r.ctx;
	z1.go = z2.go = &go;
	if (two && pthread_create(&tz, NULL, destroy_thread, &z2))
		bail_out("pthread_create");
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	z1.ret = sys_io_destroy(z1.ctx);
	z1.err = errno;
	if (two)
		pthread_join(tz, NULL);
	/* the kernel is done with the rings: take a snapshot now */
	sqh = __atomic_load_n(&d->x.r.sq->head, __ATOMIC_ACQUIRE);
	cqt = __atomic_load_n(&d->x.r.cq->tail, __ATOMIC_ACQUIRE);
	snap = malloc(d->x.r.cq_len);
	if (!snap)
		bail_out("malloc");
	memcpy(snap, d->x.r.cq->events, d->x.r.cq_n * sizeof(*snap));

	zeros = (z1.ret == 0) + (two && z2.ret == 0);
	ok(zeros == 1 && (z1.ret == 0 || z1.err == EINVAL) &&
	   (!two || z2.ret == 0 || z2.err == EINVAL),
	   "%s: one io_destroy returns 0%s (%ld/%s%s)", what,
	   two ? ", the other EINVAL" : "", z1.ret, z1.ret ? strerror(z1.err) : "0",
	   two ? (z2.ret ? label(", %s", strerror(z2.err)) : ", 0") : "");
	end = now_ns() + 5000000000LL;
	while (!(ended = __atomic_load_n(&d->done, __ATOMIC_ACQUIRE)) && now_ns() < end)
		ms_sleep(5);
	if (!ended) {
		diag("%s: the IO thread is still running; its state:", what);
		dump_tasks(getpid());
		d->stop = 1;
		pthread_kill(th, SIGALRM);
	}
	ok(ended && d->after_ret == -1 && d->after_err == EINVAL,
	   "%s: the IO thread's next call fails with EINVAL and it ends (%s)", what,
	   ended ? strerror(d->after_err) : "still running");
	if (ended)
		pthread_join(th, NULL);
	ok(!d->st.bad_data && !d->st.bad_event && !d->st.bad_res,
	   "%s: %lu events before the destroy were right (%lu reads verified; bad data %lu, stray %lu, failed %lu%s%s)",
	   what, d->st.completed, d->st.verified, d->st.bad_data, d->st.bad_event,
	   d->st.bad_res, d->st.msg[0] ? ": " : "", d->st.msg);
	ms_sleep(200);
	ok(__atomic_load_n(&d->x.r.sq->head, __ATOMIC_ACQUIRE) == sqh &&
	   __atomic_load_n(&d->x.r.cq->tail, __ATOMIC_ACQUIRE) == cqt &&
	   !memcmp(snap, d->x.r.cq->events, d->x.r.cq_n * sizeof(*snap)),
	   "%s: after io_destroy returned the kernel wrote nothing more to the rings",
	   what);
	ok(vm_pin_kb() == pin_before, "%s: VmPin back at %ld kB right after io_destroy (%ld)",
	   what, pin_before, vm_pin_kb());
	free(snap);
	/* io_destroy was called: free only the memory */
	ring_mem_free(&d->x.r);
	slot_bufs_free(&d->x.b);
	free(d->x.free_slots);
	free(d->x.slot);
	free(d);
	ok(fault_region_intact(f, rbase, FAULT_REGION, data_seed) == 0,
	   "%s: the region holds its pattern", what);
}

struct case_arg {
	int mode;
	unsigned int round;
};

static void race_case(void *p)
{
	struct case_arg *a = p;

	one_race(a->mode, a->round);
}

static void alarm_nop(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	struct fbase base;
	unsigned int round;
	int mode;

	fault_options(argc, argv, SHORT_ROUNDS,
		      "io_destroy racing completions, every mode.");
	require_aioring();
	if (geteuid() != 0)
		skip_all("needs root (vm/stat_refresh)");
	signal(SIGALRM, alarm_nop);
	fault_kmemleak_begin();
	data_seed = frand();
	fault_targets_prepare(data_seed);
	fault_base_take(&base);

	for (mode = 0; mode < M_COUNT; mode++)
		for (round = 0; round < fault_rounds; round++) {
			struct case_arg a = { mode, round };
			const char *what = label("%s #%u", fmode_name[mode], round);

			fault_case(what, race_case, &a, 120);
			fault_base_check(&base, 5000, what);
		}
	fault_targets_close();
	fault_finish("destroy-race");
	return tap_done();
}
