/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the part-2 programs of the aio-ring ABI suite (fixed
 * buffers, the SQ thread, SQPOLL, SQWQ, fs.aio-ring-disabled), on top of
 * ring_util.h and tests/lib (ring.h: ring_setup_bufs() and slot_bufs;
 * tasks.h: the SQ thread and /proc; nobody.h: unprivileged children;
 * child.h: children whose TAP lines are relayed):
 *
 *  - r2_main_sq_modes(): main() of a test run with and without SQPOLL;
 *  - r2_pass: a read/write engine for any slot buffers (fixed or not),
 *    any IO geometry and three ways of driving the rings: inline
 *    io_ring_enter (R2_ENTER), SQ thread woken by SUBMIT (R2_THREAD), and
 *    SQPOLL where io_ring_enter is called only when the thread asks for a
 *    wakeup (R2_SQPOLL).  Every event is checked (data, obj = slot,
 *    res = length, res2) and reads are compared byte for byte with the
 *    pattern of their file offset.
 */
#ifndef AIORING_ABI_RING2_UTIL_H
#define AIORING_ABI_RING2_UTIL_H

#include "ring_util.h"

#include <dirent.h>
#include <grp.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "child.h"
#include "nobody.h"

/*
 * main() of a test that runs one_mode(flags, name) for an SQ-thread
 * context without and with SQPOLL, each making per_mode results, then
 * checks that fs.aio-nr is back.
 */
static inline int r2_main_sq_modes(void (*one_mode)(unsigned int flags,
						     const char *what),
				   int per_mode)
{
	long nr0 = aio_nr();

	require_aioring();
	tap_plan(2 * per_mode + 1);
	one_mode(IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD, "SQTHREAD");
	one_mode(IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD | IOCTX_FLAG_SQPOLL,
		 "SQPOLL");
	ok(aio_nr_wait(nr0, 5000) == nr0, "fs.aio-nr back to %ld", nr0);
	return tap_done();
}

/* A writable ext4 or xfs directory named in AIORING_TEST_DIRS. */
struct r2_fsdir {
	char *dir;
	const char *fs;		/* "ext4" or "xfs" */
};

/* Up to max of them, in the order given; returns how many. */
static inline int r2_fs_dirs(struct r2_fsdir *out, int max)
{
	const char *env = getenv("AIORING_TEST_DIRS");
	char list[4096], *save = NULL, *w;
	int n = 0;

	snprintf(list, sizeof(list), "%s", env ? env : "");
	for (w = strtok_r(list, ":", &save); w && n < max;
	     w = strtok_r(NULL, ":", &save)) {
		const char *fs = strstr(w, "ext4") ? "ext4" :
				 strstr(w, "xfs") ? "xfs" : NULL;

		if (fs && !access(w, W_OK))
			out[n++] = (struct r2_fsdir){ strdup(w), fs };
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* The read/write engine                                               */

enum { R2_ENTER, R2_THREAD, R2_SQPOLL };
enum { R2_RES2_ZERO, R2_RES2_CACHEHIT_OK };

struct r2_pass;

/* Geometry of operation op on slot: file offset, length, offset in buffer */
typedef void (*r2_geom_fn)(struct r2_pass *p, unsigned int op,
			   unsigned int slot, uint64_t *off, unsigned int *len,
			   unsigned int *boff);

struct r2_op {
	uint64_t off;
	unsigned int len, boff, slot;
	unsigned char done, check;
};

struct r2_pass {
	/* input */
	struct ring *r;
	int fd;
	int write;
	int mode;			/* R2_ENTER, R2_THREAD, R2_SQPOLL */
	unsigned int nops;
	unsigned int depth;
	unsigned int aio_flags;		/* IOCB_FLAG_HIPRI for IOPOLL */
	uint64_t base, seed;
	unsigned int bs;		/* default geometry: size (0: 4096) */
	unsigned int span;		/* default geometry: blocks (0: nops) */
	unsigned int mult;		/* default geometry: order, 0 in order */
	r2_geom_fn geom;		/* NULL: the default geometry */
	void *user;
	uint8_t **bufs;			/* r->n slot buffers */
	const uint8_t *expect;		/* reads: image of [base, base+span*bs) */
	unsigned int verify_every;	/* reads: check 1 in n (0, 1: all) */
	int res2_mode;
	int yield_idle;			/* R2_SQPOLL: sched_yield() when idle */
	int timeout_s;			/* 0: 20 */
	double soft_stop_s;		/* > 0: after this, queue no more, drain */
	uint32_t tag;
	/* output */
	unsigned long submitted, completed, verified, cachehit;
	unsigned long bad_event, bad_obj, bad_res, bad_res2, bad_data, bad_ret;
	unsigned long enter_calls, eagain, wake_checks;
	unsigned int goal;		/* IOs queued: nops, fewer after soft_stop */
	int timed_out, err, stopped_early;
	double secs;
};

static inline unsigned int r2_perm(const struct r2_pass *p, unsigned int i,
				   unsigned int n)
{
	unsigned int m = p->mult;

	if (!m || n < 2)
		return i;
	while (gcd_u(m, n) != 1)
		m++;
	return (unsigned int)(((uint64_t)i * m + 3) % n);
}

static inline void r2_geom_default(struct r2_pass *p, unsigned int op,
				   unsigned int slot, uint64_t *off,
				   unsigned int *len, unsigned int *boff)
{
	unsigned int span = p->span ? p->span : p->nops;
	unsigned int bs = p->bs ? p->bs : RING_BS;

	(void)slot;
	*off = p->base + (uint64_t)r2_perm(p, op % span, span) * bs;
	*len = bs;
	*boff = 0;
}

static inline long r2_enter(struct r2_pass *p, unsigned int to_submit,
			    unsigned int min, unsigned int flags)
{
	p->enter_calls++;
	return ring_enter(p->r, to_submit, min, flags);
}

static inline void r2_check_event(struct r2_pass *p, struct r2_op *ops,
				  unsigned int nprep, const struct io_event *ev,
				  unsigned int *free_slots, unsigned int *nfree)
{
	uint64_t idx = ev->data & 0xffffffffULL;
	struct r2_op *op;
	uint8_t *b;

	if ((ev->data >> 32) != p->tag || idx >= nprep || ops[idx].done) {
		if (!p->bad_event++)
			diag("event data %#llx obj %#llx res %lld res2 %lld: no such IO in flight",
			     (unsigned long long)ev->data,
			     (unsigned long long)ev->obj, (long long)ev->res,
			     (long long)ev->res2);
		return;
	}
	op = &ops[idx];
	op->done = 1;
	p->completed++;
	if (ev->obj != op->slot && !p->bad_obj++)
		diag("IO %llu: obj %#llx, expected slot %u",
		     (unsigned long long)idx, (unsigned long long)ev->obj, op->slot);
	if (ev->res != (int64_t)op->len && !p->bad_res++)
		diag("IO %llu (%s %u bytes at %llu, slot %u): res %lld",
		     (unsigned long long)idx, p->write ? "write" : "read",
		     op->len, (unsigned long long)op->off, op->slot,
		     (long long)ev->res);
	if (ev->res2 & IOEV_RES2_CACHEHIT)
		p->cachehit++;
	if ((p->res2_mode == R2_RES2_ZERO ? ev->res2 != 0 :
	     (ev->res2 & ~(int64_t)IOEV_RES2_CACHEHIT) != 0) && !p->bad_res2++)
		diag("IO %llu: res2 %#llx", (unsigned long long)idx,
		     (unsigned long long)ev->res2);
	b = p->bufs[op->slot] + op->boff;
	if (!p->write && op->check && ev->res == (int64_t)op->len) {
		long bad = -1;

		if (p->expect) {
			const uint8_t *x = p->expect + (op->off - p->base);

			if (memcmp(b, x, op->len)) {
				for (bad = 0; b[bad] == x[bad]; bad++)
					;
			}
		} else {
			bad = pattern_check(b, op->len, op->off, p->seed);
		}
		p->verified++;
		if (bad >= 0 && !p->bad_data++)
			diag("read of %u bytes at %llu (slot %u): first wrong byte at offset %llu",
			     op->len, (unsigned long long)op->off, op->slot,
			     (unsigned long long)(op->off + bad));
	}
	free_slots[(*nfree)++] = op->slot;
}

static inline void r2_pass_run(struct r2_pass *p)
{
	struct ring *r = p->r;
	unsigned int n = r->n, nfree = 0, next = 0, inflight = 0, i;
	unsigned int depth = p->depth ? p->depth : 1, every;
	unsigned int *free_slots = calloc(n, sizeof(*free_slots));
	struct r2_op *ops = calloc(p->nops ? p->nops : 1, sizeof(*ops));
	r2_geom_fn geom = p->geom ? p->geom : r2_geom_default;
	int64_t start = now_ns(), deadline, stuck_since = 0;

	if (!free_slots || !ops)
		bail_out("calloc");
	if (depth > n - 1)
		depth = n - 1;
	every = p->verify_every ? p->verify_every : 1;
	for (i = n; i-- > 0;)
		free_slots[nfree++] = i;
	if (!p->timeout_s)
		p->timeout_s = 20;
	deadline = start + (int64_t)p->timeout_s * 1000000000LL;
	if (p->mode != R2_SQPOLL)
		watchdog_arm(p->timeout_s + 2);

	p->goal = p->nops;
	while (p->completed < p->goal) {
		unsigned int room, k, queued_new = 0, pending;
		struct io_event ev;

		if (watchdog_fired || now_ns() > deadline) {
			p->timed_out = 1;
			break;
		}
		if (p->soft_stop_s > 0 && !p->stopped_early && next < p->goal &&
		    now_ns() - start > (int64_t)(p->soft_stop_s * 1e9)) {
			p->goal = next;
			p->stopped_early = 1;
			if (p->completed >= p->goal)
				break;
		}
		/* prepare and queue */
		room = depth - inflight;
		if (room > p->goal - next)
			room = p->goal - next;
		if (room > nfree)
			room = nfree;
		{
			/* once: an SQ thread moves the head meanwhile */
			unsigned int space = sq_space(r);

			if (room > space)
				room = space;
		}
		for (k = 0; k < room; k++) {
			unsigned int opn = next++;
			struct r2_op *op = &ops[opn];
			uint8_t *b;

			op->slot = free_slots[--nfree];
			geom(p, opn, op->slot, &op->off, &op->len, &op->boff);
			op->check = !p->write && (opn % every == 0);
			b = p->bufs[op->slot] + op->boff;
			if (p->write) {
				if (p->expect)
					memcpy(b, p->expect + (op->off - p->base),
					       op->len);
				else
					pattern_fill(b, op->len, op->off, p->seed);
			} else if (op->check) {
				memset(b, 0xa5, op->len);
			}
			iocb_prep(&r->iocbs[op->slot],
				  p->write ? IOCB_CMD_PWRITE : IOCB_CMD_PREAD,
				  p->fd, b, op->len, op->off,
				  AIO_DATA(p->tag, opn), p->aio_flags);
			r->sq->array[(sq_tail(r) + k) % n] = op->slot;
			queued_new++;
		}
		if (queued_new) {
			__atomic_store_n(&r->sq->tail,
					 (sq_tail(r) + queued_new) % n,
					 __ATOMIC_RELEASE);
			inflight += queued_new;
			p->submitted += queued_new;
		}
		pending = sq_count(r);

		if (p->mode == R2_SQPOLL) {
			/*
			 * The v9 protocol: a full barrier after the tail store,
			 * then io_ring_enter only if the thread sleeps.  Also
			 * when entries have waited 100 ms (should not happen:
			 * counted as a check, and the call as a call).
			 */
			int check = queued_new != 0;

			if (pending && !queued_new) {
				if (!stuck_since)
					stuck_since = now_ns();
				else if (now_ns() - stuck_since > 100000000LL) {
					check = 1;
					stuck_since = 0;
				}
			} else {
				stuck_since = 0;
			}
			if (check && pending) {
				p->wake_checks++;
				__atomic_thread_fence(__ATOMIC_SEQ_CST);
				if (__atomic_load_n(&r->sq->kflags, __ATOMIC_RELAXED) &
				    IORING_SQ_NEED_WAKEUP) {
					long ret = r2_enter(p, pending, 0,
							    IORING_FLAG_SUBMIT);

					if (ret != (long)pending && !p->bad_ret++)
						diag("io_ring_enter(SUBMIT %u) on an SQ thread returned %ld (%s)",
						     pending, ret,
						     ret < 0 ? strerror(errno) : "-");
				}
			}
		} else {
			unsigned int flags = 0, old_head = sq_head(r), to_submit;
			long ret;
			int e;

			to_submit = pending;
			if (to_submit)
				flags |= IORING_FLAG_SUBMIT;
			if (inflight)
				flags |= IORING_FLAG_GETEVENTS;
			if (!cq_count(r) || to_submit) {
				ret = r2_enter(p, to_submit, 1, flags);
				e = errno;
				if (ret < 0) {
					if (e == EINTR && watchdog_fired) {
						p->timed_out = 1;
						break;
					}
					if (e != EAGAIN && e != EINTR) {
						p->err = e;
						diag("io_ring_enter(%u, 1, %#x): %s",
						     to_submit, flags, strerror(e));
						break;
					}
					if (e == EAGAIN)
						p->eagain++;
				} else if (flags & IORING_FLAG_SUBMIT) {
					unsigned int consumed =
						(sq_head(r) + n - old_head) % n;

					if (p->mode == R2_THREAD) {
						if (ret != (long)to_submit && !p->bad_ret++)
							diag("io_ring_enter(SUBMIT %u) with an SQ thread returned %ld",
							     to_submit, ret);
					} else if (ret != (long)consumed && !p->bad_ret++) {
						diag("io_ring_enter(SUBMIT %u) returned %ld, consumed %u",
						     to_submit, ret, consumed);
					}
				} else if (ret != 0 && !p->bad_ret++) {
					diag("io_ring_enter(GETEVENTS) returned %ld", ret);
				}
			}
		}
		/* reap */
		k = 0;
		while (cq_pop(r, &ev)) {
			unsigned int before = p->completed;

			r2_check_event(p, ops, next, &ev, free_slots, &nfree);
			if (p->completed != before)
				inflight--;
			k++;
		}
		/* one CPU for us and the SQ thread: let it run */
		if (p->mode == R2_SQPOLL && p->yield_idle && !k && !queued_new)
			sched_yield();
	}
	if (p->mode != R2_SQPOLL)
		watchdog_disarm();
	p->secs = (now_ns() - start) / 1e9;
	if (p->timed_out)
		diag("pass timed out after %d s: %lu of %u IOs completed, %u in flight",
		     p->timeout_s, p->completed, p->nops, inflight);
	free(free_slots);
	free(ops);
}

/* The usual assertions of a pass; returns 1 when all hold. */
static inline int r2_pass_report(const struct r2_pass *p, const char *what)
{
	int all = 1;
	const char *kind = p->write ? "writes" : "reads";

	if (p->stopped_early)
		diag("%s: stopped after %.1f s with %u of %u %s queued", what,
		     p->soft_stop_s, p->goal, p->nops, kind);
	all &= ok(p->completed == p->goal && !p->bad_event && !p->timed_out &&
		  !p->err,
		  "%s: %u %s completed exactly once (%lu completed, %lu stray, %lu io_ring_enter calls, %.2f s)",
		  what, p->goal, kind, p->completed, p->bad_event,
		  p->enter_calls, p->secs);
	all &= ok(p->completed && !p->bad_obj && !p->bad_res && !p->bad_res2 &&
		  !p->bad_ret,
		  "%s: events carry aio_data, obj = slot, res = length, res2 %s; return values right",
		  what, p->res2_mode == R2_RES2_ZERO ? "= 0" : "0 or CACHEHIT");
	if (!p->write)
		all &= ok(p->verified && !p->bad_data,
			  "%s: %lu reads compared byte for byte with their pattern",
			  what, p->verified);
	if (p->eagain)
		diag("%s: %lu EAGAIN", what, p->eagain);
	return all;
}

/* Synchronous check of [off, off+len) against the pattern (O_DIRECT ok). */
static inline long r2_verify_sync(int fd, uint64_t off, size_t len,
				  uint64_t seed)
{
	void *buf;
	long bad;
	ssize_t n;

	if (posix_memalign(&buf, 4096, len))
		bail_out("posix_memalign");
	n = pread(fd, buf, len, (off_t)off);
	if (n != (ssize_t)len) {
		diag("pread of %zu bytes at %llu: %zd (%s)", len,
		     (unsigned long long)off, n, n < 0 ? strerror(errno) : "short");
		free(buf);
		return 0;
	}
	bad = pattern_check(buf, len, off, seed);
	if (bad >= 0)
		diag("pread at %llu: first wrong byte at %llu",
		     (unsigned long long)off, (unsigned long long)(off + bad));
	free(buf);
	return bad;
}

/* Open a polled block device of AIORING_POLL_BDEVS by name ("nullb0"). */
static inline int r2_open_bdev(const char *name, struct target *out)
{
	struct target t[MAX_TARGETS];
	int n = targets_collect(t, MAX_TARGETS, TGT_POLL_BDEVS | TGT_NOPOLL_BDEV);
	int i;

	for (i = 0; i < n; i++) {
		if (strcmp(t[i].name, name))
			continue;
		int fd = target_open(&t[i]);

		if (fd < 0) {
			diag("%s: cannot open: %s", t[i].path, strerror(-fd));
			return -1;
		}
		*out = t[i];
		return 0;
	}
	return -1;
}

#endif
