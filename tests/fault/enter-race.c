// SPDX-License-Identifier: MIT
/*
 * enter-race: threads racing io_ring_enter on one context (spec section
 * 6: one caller at a time is inside a context; the others get EBUSY).
 *
 * For every mode, Rounds times: one ring, four threads.  Each thread
 * loops: queue a random number of reads and writes in the SQ ring (the
 * application serializes its own ring updates with a mutex, as it
 * must), then io_ring_enter with random to_submit, min_complete and
 * flags, outside any lock, so the calls collide in the kernel; then reap
 * the CQ (under the CQ mutex).  Checks:
 *  - every call returns a count >= 0 or fails with EBUSY, EAGAIN or
 *    EINTR, nothing else; a SUBMIT never reports more than to_submit;
 *  - every IO queued completes exactly once (unique aio_data, no stray
 *    or duplicate event), with res = 4096, and every read holds the
 *    pattern of its offset;
 *  - the ring indexes stay in range; io_destroy returns 0.
 * The same race on an IOPOLL context without rings: four threads in
 * io_submit and io_getevents at once (concurrent pollers get EBUSY),
 * every IO reaped exactly once.  EBUSY counts are printed.  After each
 * case the baseline holds (fault_util.h); kmemleak at the end.
 */
#include "fault_io.h"

#define SHORT_ROUNDS	1
#define NTHREADS	4
#define OPS_PER_ROUND	1000u
#define PDEPTH		8

static uint64_t data_seed;

struct race {
	struct ring r;
	struct slot_bufs b;
	unsigned int flags;
	int fd;
	uint64_t base;
	pthread_mutex_t sq_lock, cq_lock;
	unsigned int *free_slots, nfree;
	struct fx_slot *slot;
	unsigned char *done;		/* per op: completions seen */
	unsigned int goal;
	unsigned int issued;		/* under sq_lock */
	unsigned long completed;	/* under cq_lock */
	unsigned long verified, bad_event, bad_res, bad_data, dup;
	unsigned long ebusy, eagain, eintr, bad_err, bad_ret, calls;
	int last_err;
	int64_t deadline;
	uint64_t seed;
};

static uint64_t rs_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void race_reap(struct race *a)
{
	struct io_event ev;

	pthread_mutex_lock(&a->cq_lock);
	while (cq_pop(&a->r, &ev)) {
		uint64_t s = ev.obj, op = ev.data >> 16;
		struct fx_slot *sl;

		if (s >= a->r.n || op == 0 || op > a->goal) {
			a->bad_event++;
			continue;
		}
		if (a->done[op - 1]++) {
			a->dup++;
			continue;
		}
		pthread_mutex_lock(&a->sq_lock);
		sl = &a->slot[s];
		if (!sl->busy || sl->data != ev.data) {
			a->bad_event++;
			pthread_mutex_unlock(&a->sq_lock);
			continue;
		}
		a->completed++;
		if (ev.res != FAULT_BS) {
			if (!a->bad_res++)
				diag("op %llu: res %lld", (unsigned long long)op,
				     (long long)ev.res);
		} else if (!sl->write) {
			a->verified++;
			if (pattern_check(a->b.buf[s], FAULT_BS, sl->off, data_seed) >= 0)
				a->bad_data++;
		}
		sl->busy = 0;
		a->free_slots[a->nfree++] = (unsigned int)s;
		pthread_mutex_unlock(&a->sq_lock);
	}
	pthread_mutex_unlock(&a->cq_lock);
}

static void race_queue(struct race *a, uint64_t *rs)
{
	struct ring *r = &a->r;
	unsigned int k, want, tail;

	pthread_mutex_lock(&a->sq_lock);
	want = (unsigned int)(rs_rand(rs) % r->n);
	if (want > sq_space(r))
		want = sq_space(r);
	if (want > a->nfree)
		want = a->nfree;
	if (want > a->goal - a->issued)
		want = a->goal - a->issued;
	tail = sq_tail(r);
	for (k = 0; k < want; k++) {
		unsigned int s = a->free_slots[--a->nfree];
		struct fx_slot *sl = &a->slot[s];

		sl->write = rs_rand(rs) % 100 < 40;
		sl->off = a->base + (rs_rand(rs) % (FAULT_REGION / FAULT_BS)) * FAULT_BS;
		sl->data = ((uint64_t)++a->issued << 16) | s;
		sl->busy = 1;
		if (sl->write)
			pattern_fill(a->b.buf[s], FAULT_BS, sl->off, data_seed);
		else
			memset(a->b.buf[s], 0xa5, FAULT_BS);
		iocb_prep(&r->iocbs[s], sl->write ? IOCB_CMD_PWRITE : IOCB_CMD_PREAD,
			  a->fd, a->b.buf[s], FAULT_BS, sl->off, sl->data,
			  (a->flags & IOCTX_FLAG_IOPOLL) ? IOCB_FLAG_HIPRI : 0);
		r->sq->array[tail] = s;
		tail = (tail + 1) % r->n;
	}
	if (want)
		__atomic_store_n(&r->sq->tail, tail, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&a->sq_lock);
}

static void race_count(struct race *a, long ret, int e, unsigned int to_submit,
		       unsigned int flags)
{
	pthread_mutex_lock(&a->cq_lock);
	a->calls++;
	if (ret >= 0) {
		if ((flags & IORING_FLAG_SUBMIT) ? ret > (long)to_submit : ret != 0)
			a->bad_ret++;
	} else if (e == EBUSY) {
		a->ebusy++;
	} else if (e == EAGAIN) {
		a->eagain++;
	} else if (e == EINTR) {
		a->eintr++;
	} else {
		a->bad_err++;
		a->last_err = e;
	}
	pthread_mutex_unlock(&a->cq_lock);
}

static void *race_thread(void *p)
{
	struct race *a = p;
	uint64_t rs = a->seed ^ (uint64_t)pthread_self();

	while (now_ns() < a->deadline) {
		unsigned int flags, to_submit, min;
		long ret;
		int e;

		pthread_mutex_lock(&a->cq_lock);
		if (a->completed >= a->goal) {
			pthread_mutex_unlock(&a->cq_lock);
			break;
		}
		pthread_mutex_unlock(&a->cq_lock);
		race_queue(a, &rs);
		flags = 1 + (unsigned int)(rs_rand(&rs) % 3);
		to_submit = (unsigned int)(rs_rand(&rs) % (a->r.n + 1));
		min = (unsigned int)(rs_rand(&rs) % 4);
		ret = ring_enter(&a->r, to_submit, min, flags);
		e = errno;
		race_count(a, ret, e, to_submit, flags);
		race_reap(a);
		if ((a->flags & IOCTX_FLAG_SQPOLL) && !(rs_rand(&rs) % 4))
			sched_yield();
	}
	return NULL;
}

static void ring_race(int mode, unsigned int round)
{
	static const size_t sz[] = { 4096 };
	unsigned int flags = fault_mode_flags(mode), n = 8 + frand_below(56), i;
	struct ftarget *f = fault_pick_target(mode, flags);
	const char *what = label("%s #%u (flags %#x, N %u, %s)", fmode_name[mode],
				 round, flags, n, f ? f->t.name : "-");
	pthread_t th[NTHREADS];
	struct race *a;
	int t, good;

	if (!f) {
		skip("%s: no target", what);
		return;
	}
	a = calloc(1, sizeof(*a));
	if (!a)
		bail_out("calloc");
	a->flags = flags;
	a->fd = f->fd;
	a->base = (uint64_t)mode * FAULT_REGION;
	a->goal = OPS_PER_ROUND;
	a->seed = frand();
	pthread_mutex_init(&a->sq_lock, NULL);
	pthread_mutex_init(&a->cq_lock, NULL);
	slot_bufs_alloc(&a->b, n, sz, 1);
	a->free_slots = calloc(n, sizeof(*a->free_slots));
	a->slot = calloc(n, sizeof(*a->slot));
	a->done = calloc(a->goal, 1);
	if (!a->free_slots || !a->slot || !a->done)
		bail_out("calloc");
	for (i = n; i-- > 0;)
		a->free_slots[a->nfree++] = i;
	if (ring_setup_bufs(&a->r, n, flags, 0, (flags & IOCTX_FLAG_FIXEDBUFS) ? a->b.buf : NULL,
			    (flags & IOCTX_FLAG_FIXEDBUFS) ? a->b.len : NULL)) {
		ok(0, "%s: io_setup2: %s", what, strerror(errno));
		return;
	}
	a->deadline = now_ns() + 60 * 1000000000LL;
	for (t = 0; t < NTHREADS; t++)
		if (pthread_create(&th[t], NULL, race_thread, a))
			bail_out("pthread_create");
	for (t = 0; t < NTHREADS; t++)
		pthread_join(th[t], NULL);
	/* what is left in flight after a timeout: reap it alone */
	{
		int64_t end = now_ns() + 10000000000LL;

		while (a->completed < a->issued && now_ns() < end) {
			unsigned int pending = sq_count(&a->r);

			ring_enter(&a->r, pending, 1,
				   (pending ? IORING_FLAG_SUBMIT : 0) | IORING_FLAG_GETEVENTS);
			race_reap(a);
		}
	}
	diag("%s: %lu calls: %lu EBUSY, %lu EAGAIN, %lu EINTR", what, a->calls,
	     a->ebusy, a->eagain, a->eintr);
	ok(!a->bad_err && !a->bad_ret,
	   "%s: four threads' io_ring_enter calls return counts, EBUSY, EAGAIN or EINTR only (%lu other errors%s%s, %lu bad counts)",
	   what, a->bad_err, a->bad_err ? ", last: " : "",
	   a->bad_err ? strerror(a->last_err) : "", a->bad_ret);
	good = a->issued == a->goal && a->completed == a->goal && !a->dup &&
	       !a->bad_event && !a->bad_res;
	ok(good, "%s: all %u IOs complete exactly once (%lu completed, %lu duplicates, %lu stray, %lu failed)",
	   what, a->goal, a->completed, a->dup, a->bad_event, a->bad_res);
	ok(a->verified && !a->bad_data, "%s: %lu reads hold their pattern (%lu wrong)",
	   what, a->verified, a->bad_data);
	ok(ring_indexes_sane(&a->r), "%s: ring indexes in range", what);
	ok(ring_destroy(&a->r) == 0, "%s: io_destroy", what);
	slot_bufs_free(&a->b);
	free(a->free_slots);
	free(a->slot);
	free(a->done);
	free(a);
}

/* ------------------------------------------------------------------ */
/* IOPOLL without rings: io_submit and io_getevents from four threads  */

struct prace {
	aio_context_t ctx;
	int fd;
	uint64_t base;
	unsigned int per_thread;
	unsigned char *done;
	unsigned char busy[NTHREADS][PDEPTH];
	uint8_t *bufs[NTHREADS];
	unsigned long completed, dup, bad, ebusy, bad_err, verified, bad_data;
	pthread_mutex_t lock;
	int id_next;
	uint64_t seed;
	int64_t deadline;
};

/* aio_data: op number (from 1) << 16 | thread << 8 | slot */
static void *prace_thread(void *p)
{
	struct prace *a = p;
	unsigned int i, sent = 0, id, total = a->per_thread * NTHREADS;
	struct iocb cbs[PDEPTH], *ptr;
	struct io_event ev[16];
	uint64_t rs;

	pthread_mutex_lock(&a->lock);
	id = (unsigned int)a->id_next++;
	pthread_mutex_unlock(&a->lock);
	rs = a->seed ^ (id + 1) * 0x51ed27ULL;
	while (now_ns() < a->deadline) {
		long got;

		for (i = 0; i < PDEPTH && sent < a->per_thread; i++) {
			uint8_t *buf = a->bufs[id] + (size_t)i * FAULT_BS;
			uint64_t off, op;

			if (__atomic_load_n(&a->busy[id][i], __ATOMIC_ACQUIRE))
				continue;
			off = a->base + (rs_rand(&rs) % (FAULT_REGION / FAULT_BS)) * FAULT_BS;
			op = (uint64_t)id * a->per_thread + sent + 1;
			memset(buf, 0xa5, FAULT_BS);
			iocb_prep(&cbs[i], IOCB_CMD_PREAD, a->fd, buf, FAULT_BS, off,
				  (op << 16) | (id << 8) | i, IOCB_FLAG_HIPRI);
			ptr = &cbs[i];
			__atomic_store_n(&a->busy[id][i], 1, __ATOMIC_RELEASE);
			if (sys_io_submit(a->ctx, 1, &ptr) == 1) {
				sent++;
			} else {
				__atomic_store_n(&a->busy[id][i], 0, __ATOMIC_RELEASE);
				if (errno != EAGAIN) {
					pthread_mutex_lock(&a->lock);
					a->bad_err++;
					pthread_mutex_unlock(&a->lock);
				}
			}
		}
		got = sys_io_getevents(a->ctx, 0, 16, ev, NULL);
		pthread_mutex_lock(&a->lock);
		if (got < 0 && errno == EBUSY)
			a->ebusy++;
		else if (got < 0 && errno != EINTR)
			a->bad_err++;
		for (i = 0; got > 0 && i < (unsigned int)got; i++) {
			uint64_t op = ev[i].data >> 16;
			unsigned int t = (ev[i].data >> 8) & 0xff, sl = ev[i].data & 0xff;
			struct iocb *cb = (struct iocb *)(uintptr_t)ev[i].obj;

			if (op == 0 || op > total || t >= NTHREADS || sl >= PDEPTH) {
				a->bad++;
				continue;
			}
			if (a->done[op - 1]++) {
				a->dup++;
				continue;
			}
			a->completed++;
			if (ev[i].res != FAULT_BS) {
				a->bad++;
			} else {
				a->verified++;
				if (pattern_check(a->bufs[t] + (size_t)sl * FAULT_BS, FAULT_BS,
						  (uint64_t)cb->aio_offset, data_seed) >= 0)
					a->bad_data++;
			}
			__atomic_store_n(&a->busy[t][sl], 0, __ATOMIC_RELEASE);
		}
		if (a->completed >= total) {
			pthread_mutex_unlock(&a->lock);
			break;
		}
		pthread_mutex_unlock(&a->lock);
	}
	return NULL;
}

static void poll_race(unsigned int round)
{
	const char *what = label("iopoll without rings #%u (%s)", round,
				 ft_npolled ? ft_polled[0].t.name : "-");
	pthread_t th[NTHREADS];
	struct prace *a;
	int t;

	if (!ft_npolled) {
		skip("%s: no polled block device", what);
		return;
	}
	a = calloc(1, sizeof(*a));
	if (!a)
		bail_out("calloc");
	a->fd = ft_polled[0].fd;
	a->base = (uint64_t)M_IOPOLL * FAULT_REGION;
	a->per_thread = OPS_PER_ROUND / NTHREADS;
	a->done = calloc(a->per_thread * NTHREADS, 1);
	a->seed = frand();
	a->deadline = now_ns() + 60 * 1000000000LL;
	pthread_mutex_init(&a->lock, NULL);
	for (t = 0; t < NTHREADS; t++)
		a->bufs[t] = map_pages(PDEPTH * FAULT_BS);
	if (aioring_io_setup2(NTHREADS * PDEPTH, IOCTX_FLAG_IOPOLL, NULL, NULL, &a->ctx)) {
		ok(0, "%s: io_setup2(IOPOLL): %s", what, strerror(errno));
		return;
	}
	for (t = 0; t < NTHREADS; t++)
		if (pthread_create(&th[t], NULL, prace_thread, a))
			bail_out("pthread_create");
	for (t = 0; t < NTHREADS; t++)
		pthread_join(th[t], NULL);
	diag("%s: %lu io_getevents calls answered EBUSY", what, a->ebusy);
	ok(!a->bad_err, "%s: io_submit and io_getevents from four threads fail with EAGAIN, EBUSY or EINTR only (%lu others)",
	   what, a->bad_err);
	ok(a->completed == a->per_thread * NTHREADS && !a->dup && !a->bad,
	   "%s: all %u polled reads reaped exactly once (%lu reaped, %lu duplicates, %lu bad)",
	   what, a->per_thread * NTHREADS, a->completed, a->dup, a->bad);
	ok(a->verified && !a->bad_data, "%s: %lu reads hold their pattern (%lu wrong)",
	   what, a->verified, a->bad_data);
	ok(sys_io_destroy(a->ctx) == 0, "%s: io_destroy", what);
	for (t = 0; t < NTHREADS; t++)
		unmap_pages(a->bufs[t], PDEPTH * FAULT_BS);
	free(a->done);
	free(a);
}

struct case_arg {
	int mode;		/* -1: IOPOLL without rings */
	unsigned int round;
};

static void race_case(void *p)
{
	struct case_arg *a = p;

	if (a->mode < 0)
		poll_race(a->round);
	else
		ring_race(a->mode, a->round);
}

static void run_case(int mode, unsigned int round, const struct fbase *base)
{
	struct case_arg a = { mode, round };
	const char *what = label("%s #%u", mode < 0 ? "iopoll without rings" :
				 fmode_name[mode], round);

	fault_case(what, race_case, &a, 150);
	fault_base_check(base, 5000, what);
}

int main(int argc, char **argv)
{
	struct fbase base;
	unsigned int round;
	int mode;

	fault_options(argc, argv, SHORT_ROUNDS,
		      "threads racing io_ring_enter on one context, every mode.");
	require_aioring();
	if (geteuid() != 0)
		skip_all("needs root (vm/stat_refresh)");
	fault_kmemleak_begin();
	data_seed = frand();
	fault_targets_prepare(data_seed);
	fault_base_take(&base);

	for (mode = 0; mode < M_COUNT; mode++)
		for (round = 0; round < fault_rounds; round++)
			run_case(mode, round, &base);
	for (round = 0; round < fault_rounds; round++)
		run_case(-1, round, &base);
	fault_targets_close();
	fault_finish("enter-race");
	return tap_done();
}
