/* SPDX-License-Identifier: MIT */
/*
 * The IO engine of the fault suite: one io_setup2 context of a mode on a
 * target region, driven through the v9 ring protocol the way the mode
 * wants it (inline io_ring_enter, SQ thread woken by SUBMIT, SQPOLL with
 * the NEED_WAKEUP handshake), random 4 KiB reads and writes at depth up
 * to N-1, and every event checked: obj names a slot with an IO in
 * flight, data is that IO's, res its length, and a read returns the
 * pattern of its offset.
 *
 * Every write of a block writes the same bytes, the pattern of the
 * block's offset and the run's seed, over a region prefilled with it.
 * So the region must hold the pattern at any time, even after a process
 * was killed with writes in flight: a torn write of identical bytes is
 * still identical.  A read that finds anything else, during the run or
 * in the parent's check after a fault, is corruption.
 *
 * The counters live in struct fx_stats, which may be shared memory so
 * that a parent sees what a killed child did.
 */
#ifndef AIORING_FAULT_IO_H
#define AIORING_FAULT_IO_H

#include "fault_util.h"

enum { FX_IDLE, FX_SETUP, FX_IO, FX_DESTROY, FX_EXIT };

struct fx_stats {
	unsigned long submitted, completed, verified, enter_calls;
	unsigned long bad_data, bad_event, bad_res, errors, eagain;
	unsigned long contexts;
	int phase;
	int last_err;
	char msg[200];
};

struct fx_slot {
	uint64_t data;
	uint64_t off;
	uint32_t boff;
	uint8_t write, busy;
};

struct fx {
	struct ring r;
	struct slot_bufs b;
	int mode, fixed;
	unsigned int flags;
	struct ftarget *f;
	uint64_t base, seed;
	unsigned int nblocks;
	unsigned int *free_slots, nfree, queued, inflight;
	struct fx_slot *slot;
	uint64_t serial;
	struct fx_stats *st;
};

__attribute__((format(printf, 2, 3)))
static inline void fx_note(struct fx *x, const char *fmt, ...)
{
	va_list ap;

	if (x->st->msg[0])
		return;		/* keep the first one */
	va_start(ap, fmt);
	vsnprintf(x->st->msg, sizeof(x->st->msg), fmt, ap);
	va_end(ap);
}

static inline int fx_online_cpu(void)
{
	int n = (int)sysconf(_SC_NPROCESSORS_ONLN);

	if (n >= 2 && cpu_online(1) == 1 && frand_pct(50))
		return 1;
	return 0;
}

/*
 * Make the context: n slots, flags; with FIXEDBUFS every slot registers
 * 4..32 KiB.  Returns 0, or -1 with errno from io_setup2 (nothing left
 * allocated).
 */
static inline int fx_setup(struct fx *x, int mode, unsigned int flags,
			   struct ftarget *f, uint64_t base, unsigned int nblocks,
			   uint64_t seed, unsigned int n, struct fx_stats *st)
{
	static const size_t fixed_sizes[] = { 4096, 8192, 16384, 32768, 12288 };
	static const size_t plain[] = { 4096 };
	unsigned int i;
	int e;

	memset(x, 0, sizeof(*x));
	x->mode = mode;
	x->flags = flags;
	x->fixed = !!(flags & IOCTX_FLAG_FIXEDBUFS);
	x->f = f;
	x->base = base;
	x->nblocks = nblocks;
	x->seed = seed;
	x->st = st;
	if (x->fixed) {
		unsigned int first = frand_below(5);

		slot_bufs_alloc(&x->b, n, fixed_sizes + first, 1 + frand_below(5 - first));
	} else
		slot_bufs_alloc(&x->b, n, plain, 1);
	x->free_slots = calloc(n, sizeof(*x->free_slots));
	x->slot = calloc(n, sizeof(*x->slot));
	if (!x->free_slots || !x->slot)
		bail_out("calloc");
	st->phase = FX_SETUP;
	if (ring_setup_bufs(&x->r, n, flags, fx_online_cpu(),
			    x->fixed ? x->b.buf : NULL, x->fixed ? x->b.len : NULL)) {
		e = errno;
		slot_bufs_free(&x->b);
		free(x->free_slots);
		free(x->slot);
		st->phase = FX_IDLE;
		errno = e;
		return -1;
	}
	st->contexts++;
	for (i = n; i-- > 0;)
		x->free_slots[x->nfree++] = i;
	st->phase = FX_IO;
	return 0;
}

/* Queue up to max new IOs in the SQ ring (not yet submitted). */
static inline unsigned int fx_fill(struct fx *x, unsigned int max)
{
	struct ring *r = &x->r;
	unsigned int k, space = sq_space(r), tail = sq_tail(r);

	if (max > space)
		max = space;
	if (max > x->nfree)
		max = x->nfree;
	for (k = 0; k < max; k++) {
		unsigned int s = x->free_slots[--x->nfree];
		struct fx_slot *sl = &x->slot[s];
		uint64_t off = x->base + (uint64_t)frand_below(x->nblocks) * FAULT_BS;
		uint8_t *buf;

		sl->write = frand_pct(40);
		sl->off = off;
		sl->boff = (uint32_t)(frand_below((unsigned int)(x->b.len[s] / FAULT_BS)) *
				      FAULT_BS);
		sl->data = (++x->serial << 16) | s;
		sl->busy = 1;
		buf = x->b.buf[s] + sl->boff;
		if (sl->write)
			pattern_fill(buf, FAULT_BS, off, x->seed);
		else
			memset(buf, 0xa5, FAULT_BS);
		iocb_prep(&r->iocbs[s], sl->write ? IOCB_CMD_PWRITE : IOCB_CMD_PREAD,
			  x->f->fd, buf, FAULT_BS, off, sl->data,
			  (x->flags & IOCTX_FLAG_IOPOLL) ? IOCB_FLAG_HIPRI : 0);
		r->sq->array[tail] = s;
		tail = (tail + 1) % r->n;
	}
	if (k)
		__atomic_store_n(&r->sq->tail, tail, __ATOMIC_RELEASE);
	x->queued += k;
	return k;
}

/* Check and retire every event in the CQ; returns how many. */
static inline unsigned int fx_reap(struct fx *x)
{
	struct io_event ev;
	unsigned int got = 0;

	while (cq_pop(&x->r, &ev)) {
		struct fx_slot *sl;
		uint64_t s = ev.obj;

		got++;
		if (s >= x->r.n || !x->slot[s].busy || x->slot[s].data != ev.data) {
			x->st->bad_event++;
			fx_note(x, "event data %#llx obj %llu res %lld: no such IO in flight",
				(unsigned long long)ev.data, (unsigned long long)ev.obj,
				(long long)ev.res);
			continue;
		}
		sl = &x->slot[s];
		sl->busy = 0;
		x->inflight--;
		x->st->completed++;
		if (ev.res != FAULT_BS) {
			x->st->bad_res++;
			fx_note(x, "%s of %u at %llu (%s): res %lld",
				sl->write ? "write" : "read", FAULT_BS,
				(unsigned long long)sl->off, x->f->t.name,
				(long long)ev.res);
		} else if (!sl->write) {
			long bad = pattern_check(x->b.buf[s] + sl->boff, FAULT_BS,
						 sl->off, x->seed);

			x->st->verified++;
			if (bad >= 0) {
				x->st->bad_data++;
				fx_note(x, "read at %llu (%s): wrong byte at %llu",
					(unsigned long long)sl->off, x->f->t.name,
					(unsigned long long)(sl->off + bad));
			}
		}
		x->free_slots[x->nfree++] = (unsigned int)s;
	}
	return got;
}

/*
 * Hand what is queued to the kernel and, with wait, wait for one
 * completion, the way the mode does it.  Returns 0, or -errno for an
 * error other than EAGAIN/EINTR (also counted).
 */
static inline int fx_kick(struct fx *x, int wait)
{
	struct ring *r = &x->r;
	unsigned int pending = sq_count(r);
	long ret;
	int e = 0;

	if (x->flags & IOCTX_FLAG_SQPOLL) {
		if (pending) {
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			if (__atomic_load_n(&r->sq->kflags, __ATOMIC_RELAXED) &
			    IORING_SQ_NEED_WAKEUP) {
				x->st->enter_calls++;
				if (ring_enter(r, pending, 0, IORING_FLAG_SUBMIT) < 0)
					e = errno;
			}
		}
		if (!e && wait && (x->inflight || x->queued) && !cq_count(r)) {
			x->st->enter_calls++;
			if (ring_enter(r, 0, 1, IORING_FLAG_GETEVENTS) < 0)
				e = errno;
		}
	} else {
		unsigned int flags = 0;

		if (pending)
			flags |= IORING_FLAG_SUBMIT;
		if (wait && (x->inflight || x->queued) && !cq_count(r))
			flags |= IORING_FLAG_GETEVENTS;
		if (flags) {
			x->st->enter_calls++;
			ret = ring_enter(r, pending, 1, flags);
			if (ret < 0)
				e = errno;
		}
	}
	/* what the kernel (or its thread) consumed is now in flight */
	{
		unsigned int consumed = x->queued - sq_count(r);

		x->queued -= consumed;
		x->inflight += consumed;
		x->st->submitted += consumed;
	}
	if (!e)
		return 0;
	if (e == EAGAIN || e == EINTR) {
		x->st->eagain++;
		return 0;
	}
	x->st->errors++;
	x->st->last_err = e;
	fx_note(x, "io_ring_enter (%s, flags %#x): %s", fmode_name[x->mode],
		x->flags, strerror(e));
	return -e;
}

/* Keep IO flowing until nops more completed or timeout_ms; 0 or -errno. */
static inline int fx_run(struct fx *x, unsigned long nops, int timeout_ms)
{
	unsigned long goal = x->st->completed + nops;
	int64_t end = now_ns() + (int64_t)timeout_ms * 1000000LL;
	int ret = 0;

	while (x->st->completed < goal && now_ns() < end) {
		fx_fill(x, 1 + frand_below(x->r.n - 1));
		ret = fx_kick(x, 1);
		fx_reap(x);
		if (ret)
			break;
		if ((x->flags & IOCTX_FLAG_SQPOLL) && !cq_count(&x->r))
			sched_yield();
	}
	return ret;
}

/* Reap until nothing is queued or in flight; 0, or -1 after timeout_ms. */
static inline int fx_drain(struct fx *x, int timeout_ms)
{
	int64_t end = now_ns() + (int64_t)timeout_ms * 1000000LL;

	while ((x->inflight || x->queued) && now_ns() < end) {
		if (fx_kick(x, 1))
			break;
		fx_reap(x);
	}
	fx_reap(x);
	return x->inflight || x->queued ? -1 : 0;
}

/* io_destroy (whatever is in flight) and free; returns io_destroy's value. */
static inline long fx_destroy(struct fx *x)
{
	long ret;
	int e;

	x->st->phase = FX_DESTROY;
	ret = ring_destroy(&x->r);
	e = errno;
	slot_bufs_free(&x->b);
	free(x->free_slots);
	free(x->slot);
	x->free_slots = NULL;
	x->slot = NULL;
	x->st->phase = FX_IDLE;
	errno = e;
	return ret;
}

/* Shared, zeroed memory for stats a parent reads. */
static inline void *fx_shared(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		bail_out("mmap shared");
	return p;
}

#endif
