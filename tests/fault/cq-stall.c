// SPDX-License-Identifier: MIT
/*
 * cq-stall: a full CQ ring while the application is stalled (spec
 * section 5: a completion that finds the CQ full is kept and posted when
 * room appears; none is ever dropped while the context lives).
 *
 * For every mode, Rounds times, in a child process: a small ring (N 4..12,
 * so the CQ holds 2N-1 events) and more IO queued than the CQ can hold:
 * the child keeps queueing and submitting without reaping until the
 * kernel stops taking entries (EAGAIN, or an SQ thread that no longer
 * consumes).  Then the application stalls, one of:
 *   - it sleeps a random 100..800 ms;
 *   - the parent stops it with SIGSTOP for a random time, then SIGCONT
 *     (the SQ thread is part of the stopped process);
 * and resumes reaping: every IO queued completes exactly once, with
 * res 4096, every read holds its pattern, and the ring indexes stay in
 * range.  Several fill/stall/reap rounds per context, then
 * io_destroy.  After each: baseline (fault_util.h); kmemleak at the end.
 */
#include "fault_io.h"

#define SHORT_ROUNDS	2
#define CYCLES		3

static uint64_t data_seed;
static struct fx_stats *cst;

/* shared with the parent: the child's state */
struct stall_state {
	int phase;		/* 1: stalled, waiting; 2: reaping */
	unsigned long queued_max, lost, cq_over, overflowed;
};

/* the pool's index is in the low 16 bits of aio_data */
static struct stall_state *ss;

/*
 * The child's engine: iocb slots are reused as soon as the kernel has
 * consumed their SQ entry (it copied the iocb), and each IO has its own
 * buffer from a pool of 4N+8, so more IO can be out than the CQ holds.
 * With FIXEDBUFS every slot registers the whole pool.
 */
struct op {
	uint64_t off;
	int write, busy;
};

static void child(unsigned int flags, struct ftarget *f, uint64_t rbase,
		  int sigstop, uint64_t rseed)
{
	unsigned int n, npool, cycle, i, nfree = 0;
	unsigned int *freebuf;
	uint64_t serial = 0;
	struct op *ops;
	uint8_t *pool;
	struct ring r;

	frand_state = rseed;
	n = 4 + frand_below(9);
	npool = 4 * n + 8;
	pool = map_pages((size_t)npool * FAULT_BS);
	ops = calloc(npool, sizeof(*ops));
	freebuf = calloc(npool, sizeof(*freebuf));
	if (!ops || !freebuf)
		_exit(89);
	for (i = npool; i-- > 0;)
		freebuf[nfree++] = i;
	ring_prepare(&r, n, flags, 0, NULL, NULL);
	if (flags & IOCTX_FLAG_FIXEDBUFS)
		for (i = 0; i < n; i++) {
			r.iocbs[i].aio_buf = (uint64_t)(uintptr_t)pool;
			r.iocbs[i].aio_nbytes = (uint64_t)npool * FAULT_BS;
		}
	if (ring_create(&r))
		_exit(90);
	for (cycle = 0; cycle < CYCLES; cycle++) {
		unsigned long issued = 0, done = 0, idle = 0, out;
		int64_t end = now_ns() + 10000000000LL;
		struct io_event ev;

		/* fill: queue and submit, never reap, until nothing moves */
		while (now_ns() < end && idle < 50) {
			unsigned int head = sq_head(&r), q = 0;
			long ret;

			while (nfree && sq_space(&r)) {
				unsigned int b = freebuf[--nfree];
				unsigned int slot = sq_tail(&r);
				uint8_t *buf = pool + (size_t)b * FAULT_BS;

				/* SQ position = iocb slot: reused only after the kernel consumed it */
				ops[b].write = frand_pct(40);
				ops[b].off = rbase + (uint64_t)frand_below(FAULT_REGION / FAULT_BS) *
					     FAULT_BS;
				ops[b].busy = 1;
				if (ops[b].write)
					pattern_fill(buf, FAULT_BS, ops[b].off, data_seed);
				else
					memset(buf, 0xa5, FAULT_BS);
				iocb_prep(&r.iocbs[slot], ops[b].write ? IOCB_CMD_PWRITE :
					  IOCB_CMD_PREAD, f->fd, buf, FAULT_BS, ops[b].off,
					  (++serial << 16) | b,
					  (flags & IOCTX_FLAG_IOPOLL) ? IOCB_FLAG_HIPRI : 0);
				sq_push(&r, slot);
				q++;
				issued++;
			}
			if (flags & IOCTX_FLAG_SQPOLL) {
				__atomic_thread_fence(__ATOMIC_SEQ_CST);
				ret = (r.sq->kflags & IORING_SQ_NEED_WAKEUP) && sq_count(&r) ?
				      ring_enter(&r, sq_count(&r), 0, IORING_FLAG_SUBMIT) : 0;
			} else if (sq_count(&r)) {
				ret = ring_enter(&r, sq_count(&r), 0, IORING_FLAG_SUBMIT);
			} else {
				ret = 0;
			}
			if (ret < 0 && errno != EAGAIN && errno != EINTR) {
				cst->errors++;
				snprintf(cst->msg, sizeof(cst->msg), "io_ring_enter(SUBMIT): %s",
					 strerror(errno));
				break;
			}
			if (!ring_indexes_sane(&r))
				ss->cq_over++;
			if (head == sq_head(&r) && !q)
				idle++;
			else
				idle = 0;
			ms_sleep(2);
		}
		out = issued - sq_count(&r);
		if (out > ss->queued_max)
			ss->queued_max = out;
		if (out > 2 * n - 1)
			ss->overflowed++;
		/* the stall */
		__atomic_store_n(&ss->phase, 1, __ATOMIC_RELEASE);
		if (sigstop) {
			while (__atomic_load_n(&ss->phase, __ATOMIC_ACQUIRE) == 1)
				ms_sleep(5);
		} else {
			ms_sleep(100 + frand_below(700));
		}
		__atomic_store_n(&ss->phase, 2, __ATOMIC_RELEASE);
		/* resume: everything queued comes back exactly once */
		end = now_ns() + 20000000000LL;
		while (done < issued && now_ns() < end) {
			unsigned int pending = sq_count(&r);
			unsigned int fl = IORING_FLAG_GETEVENTS;

			if (!ring_indexes_sane(&r))
				ss->cq_over++;
			while (cq_pop(&r, &ev)) {
				unsigned int b = ev.data & 0xffff;

				if (b >= npool || !ops[b].busy || ev.obj >= n) {
					cst->bad_event++;
					continue;
				}
				ops[b].busy = 0;
				done++;
				cst->completed++;
				if (ev.res != FAULT_BS) {
					cst->bad_res++;
				} else if (!ops[b].write) {
					cst->verified++;
					if (pattern_check(pool + (size_t)b * FAULT_BS, FAULT_BS,
							  ops[b].off, data_seed) >= 0)
						cst->bad_data++;
				}
				freebuf[nfree++] = b;
			}
			if (done >= issued)
				break;
			if (pending)
				fl |= IORING_FLAG_SUBMIT;
			if (ring_enter(&r, pending, 1, fl) < 0 && errno != EAGAIN &&
			    errno != EINTR) {
				cst->errors++;
				snprintf(cst->msg, sizeof(cst->msg), "io_ring_enter(GETEVENTS): %s",
					 strerror(errno));
				break;
			}
		}
		if (done != issued)
			ss->lost += issued - done;
	}
	if (ring_destroy(&r))
		_exit(91);
	_exit(0);
}

static void one_stall(int mode, unsigned int round, const struct fbase *base)
{
	unsigned int flags = fault_mode_flags(mode);
	struct ftarget *f = fault_pick_target(mode, flags);
	uint64_t rbase = (uint64_t)mode * FAULT_REGION;
	int sigstop = frand_pct(50), status = 0, stalls = 0, reaped = 0;
	const char *what = label("%s #%u (flags %#x, %s, stalled by %s)",
				 fmode_name[mode], round, flags, f ? f->t.name : "-",
				 sigstop ? "SIGSTOP" : "sleeping");
	uint64_t rseed = frand();
	int64_t end;
	pid_t pid;

	if (!f) {
		skip("%s: no target", what);
		return;
	}
	memset(cst, 0, sizeof(*cst));
	memset(ss, 0, sizeof(*ss));
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		bail_out("fork");
	if (pid == 0)
		child(flags, f, rbase, sigstop, rseed);
	end = now_ns() + 90 * 1000000000LL;
	while (now_ns() < end) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			reaped = 1;
			break;
		}
		if (sigstop && __atomic_load_n(&ss->phase, __ATOMIC_ACQUIRE) == 1) {
			kill(pid, SIGSTOP);
			ms_sleep(100 + frand_below(700));
			__atomic_store_n(&ss->phase, 2, __ATOMIC_RELEASE);
			kill(pid, SIGCONT);
			stalls++;
		}
		ms_sleep(5);
	}
	if (!reaped) {
		diag("%s: the child did not finish in 90 s:", what);
		dump_tasks(pid);
		kill(pid, SIGKILL);
		if (!reap_within(pid, &status, 10000))
			diag("%s: child %d cannot be reaped; left behind", what, (int)pid);
	}
	ok(reaped && WIFEXITED(status) && WEXITSTATUS(status) == 0 && !ss->lost &&
	   !cst->bad_event && !cst->bad_res && !cst->errors,
	   "%s: %d stalls with IO out (up to %lu in the kernel; %lu times more than the CQ holds): every IO completed exactly once (%lu; lost %lu, stray %lu, failed %lu, errors %lu%s%s; status %#x)",
	   what, sigstop ? stalls : CYCLES, ss->queued_max, ss->overflowed,
	   cst->completed, ss->lost, cst->bad_event, cst->bad_res, cst->errors,
	   cst->msg[0] ? ": " : "", cst->msg, status);
	ok(cst->verified && !cst->bad_data && !ss->cq_over,
	   "%s: %lu reads hold their pattern (%lu wrong), the ring indexes stayed in range",
	   what, cst->verified, cst->bad_data);
	fault_base_check(base, 5000, what);
}

int main(int argc, char **argv)
{
	struct fbase base;
	unsigned int round;
	int mode;

	fault_options(argc, argv, SHORT_ROUNDS,
		      "a full CQ ring with the application stalled, every mode.");
	require_aioring();
	if (geteuid() != 0)
		skip_all("needs root (vm/stat_refresh)");
	fault_kmemleak_begin();
	cst = fx_shared(4096);
	ss = fx_shared(4096);
	data_seed = frand();
	fault_targets_prepare(data_seed);
	fault_base_take(&base);

	for (mode = 0; mode < M_COUNT; mode++)
		for (round = 0; round < fault_rounds; round++)
			one_stall(mode, round, &base);
	fault_targets_close();
	fault_finish("cq-stall");
	return tap_done();
}
