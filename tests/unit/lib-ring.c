// SPDX-License-Identifier: MIT
/*
 * libaioring on a fake kernel: region sizes and alignment, the header
 * fields io_setup2 checks, index arithmetic with wrap for ring sizes that
 * are not powers of two, the SQ/CQ protocol through many wraps, and when
 * aioring_submit_and_wait() enters the kernel (NEED_WAKEUP included).
 */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "aioring.h"
#include "internal.h"
#include "fake_kernel.h"
#include "tap.h"

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

static void test_index_arith(void)
{
	unsigned int n, i, k, bad_next = 0, bad_add = 0, bad_dist = 0;

	for (n = 1; n <= 67; n++) {
		for (i = 0; i < n; i++) {
			if (aioring_idx_next(i, n) != (i + 1) % n)
				bad_next++;
			for (k = 0; k <= n; k++) {
				unsigned int j = aioring_idx_add(i, k, n);

				if (j != (i + k) % n)
					bad_add++;
				if (k < n && aioring_idx_dist(i, j, n) != k)
					bad_dist++;
			}
		}
	}
	ok(!bad_next, "idx_next wraps at n for n = 1..67 (%u wrong)", bad_next);
	ok(!bad_add, "idx_add(i, k <= n) is (i + k) mod n (%u wrong)", bad_add);
	ok(!bad_dist, "idx_dist inverts idx_add (%u wrong)", bad_dist);
	ok(aioring_idx_add(0xfffffffeu, 0xfffffffeu, 0xffffffffu) == 0xfffffffdu &&
	   aioring_idx_dist(0xfffffffeu, 1, 0xffffffffu) == 2,
	   "index arithmetic does not overflow near 2^32");
}

static void test_sizes(void)
{
	static const unsigned int ns[] = { 1, 2, 3, 32, 33, 63, 64, 65, 127, 1000 };
	unsigned int i, bad = 0;

	ok(sizeof(struct aio_sq_ring) == 64 && sizeof(struct aio_cq_ring) == 32 &&
	   sizeof(struct iocb) == 64 && sizeof(struct io_event) == 32,
	   "ring headers 64 and 32 bytes, iocb 64, io_event 32");
	ok(offsetof(struct aio_sq_ring, kflags) == 14 &&
	   offsetof(struct aio_sq_ring, iocbs) == 16 &&
	   offsetof(struct aio_sq_ring, array) == 64 &&
	   offsetof(struct aio_cq_ring, events) == 32,
	   "field offsets: kflags 14, iocbs 16, array 64, events 32");
	for (i = 0; i < ARRAY_LEN(ns); i++) {
		unsigned int n = ns[i];

		if (aioring_sq_ring_size(n) != 64 + 4 * (size_t)n ||
		    aioring_iocbs_size(n) != 64 * (size_t)n ||
		    aioring_cq_ring_size(n) != 32 + 64 * (size_t)n)
			bad++;
	}
	ok(!bad, "sizes: SQ 64+4N, iocbs 64N, CQ 32+64N");
	ok(aioring_cq_ring_size(0x100000) == 32 + ((size_t)64 << 20),
	   "CQ size of a 1M-entry ring computed in size_t");
}

static void test_mem_alloc(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct aioring r = { 0 };
	int ret;

	ret = aioring_mem_alloc(&r, 33);
	ok(!ret, "mem_alloc(33) succeeds");
	if (ret)
		return;
	ok(!((uintptr_t)r.sq % pg) && !((uintptr_t)r.iocbs % pg) &&
	   !((uintptr_t)r.cq % pg), "all three regions are page aligned");
	ok(r.sq_len == (size_t)pg && r.iocbs_len == (size_t)pg &&
	   r.cq_len == (size_t)((32 + 64 * 33 + pg - 1) / pg * pg),
	   "lengths rounded up to pages (sq %zu, iocbs %zu, cq %zu)",
	   r.sq_len, r.iocbs_len, r.cq_len);
	ok(r.sq->nr_events == 33 && r.cq->nr_events == 66 &&
	   r.sq->iocbs == (uintptr_t)r.iocbs && r.sq_entries == 33 &&
	   r.cq_entries == 66,
	   "headers filled: sq nr_events N, cq 2N, sq->iocbs");
	ok(r.sq->head == 0 && r.sq->tail == 0 && r.cq->head == 0 &&
	   r.cq->tail == 0 && r.iocbs[32].aio_buf == 0, "memory zeroed");
	aioring_mem_free(&r);
	ok(!r.sq && !r.iocbs && !r.cq, "mem_free clears the pointers");
	ok(aioring_mem_alloc(&r, 0) == -EINVAL &&
	   aioring_mem_alloc(&r, 0x80000000u) == -EINVAL,
	   "mem_alloc refuses 0 and 2^31 entries");
}

static void test_init(void)
{
	struct aioring_params p = { .sys = &fake_sys, .sq_thread_cpu = 1 };
	struct iovec bufs[9];
	static char mem[9][512];
	struct aioring r;
	int ret, i;

	fake_reset(IOCTX_FLAG_IOPOLL | IOCTX_FLAG_SCQRING);
	ret = aioring_init(&r, 9, IOCTX_FLAG_SCQRING | IOCTX_FLAG_IOPOLL, &p);
	ok(!ret && r.ctx && fk.last_nr == 9 && r.sq && r.sq->sq_thread_cpu == 1,
	   "init(9, SCQRING|IOPOLL) on the fake kernel: ctx %#llx (ret %d)",
	   (unsigned long long)r.ctx, ret);
	aioring_exit(&r);
	ok(fk.destroys == 1 && !r.ctx && !r.sq, "exit destroys and unmaps");

	ret = aioring_init(&r, 4, IOCTX_FLAG_IOPOLL, &p);
	ok(!ret && !r.sq && !r.cq && fk.last_flags == IOCTX_FLAG_IOPOLL,
	   "init without SCQRING passes no rings (io_submit context)");
	aioring_exit(&r);

	ret = aioring_init(&r, 4, IOCTX_FLAG_SCQRING | IOCTX_FLAG_FIXEDBUFS, &p);
	ok(ret == -EINVAL && fk.setups == 2,
	   "FIXEDBUFS without buffers: EINVAL before the kernel is asked");
	ret = aioring_init(&r, 4, IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQPOLL |
			   IOCTX_FLAG_SQTHREAD, &p);
	ok(ret == -EINVAL && !r.sq && !r.ctx,
	   "a flag the kernel refuses: its EINVAL, nothing left mapped");

	fk.flags_ok = AIORING_CTX_FLAGS_ALL;
	for (i = 0; i < 9; i++) {
		bufs[i].iov_base = mem[i];
		bufs[i].iov_len = sizeof(mem[i]);
	}
	p.bufs = bufs;
	ret = aioring_init(&r, 9, IOCTX_FLAG_SCQRING | IOCTX_FLAG_FIXEDBUFS, &p);
	ok(!ret && fk.fixed_ok && r.iocbs[3].aio_buf == (uintptr_t)mem[3] &&
	   r.iocbs[8].aio_nbytes == 512,
	   "FIXEDBUFS: slot i carries buffer i at io_setup2 time");
	aioring_exit(&r);

	fake_reset(0);
	fk.present = 0;
	ret = aioring_init(&r, 4, IOCTX_FLAG_SCQRING, &p);
	ok(ret == -ENOSYS && !r.sq && !r.ctx,
	   "kernel without the interface: -ENOSYS, rings unmapped");
	ok(aioring_init(&r, 0, IOCTX_FLAG_SCQRING, &p) == -EINVAL,
	   "nr_events 0: EINVAL");
}

/*
 * Drive the rings by hand (the test plays the kernel) for many wraps:
 * the SQ holds N-1, the CQ 2N-1, everything comes out in order.
 */
static void test_protocol(unsigned int n)
{
	struct aioring r = { 0 };
	unsigned int round, i, bad = 0, next_data = 0, expect = 0;
	struct io_event evs[8];

	if (aioring_mem_alloc(&r, n)) {
		ok(0, "N=%u: mem_alloc", n);
		return;
	}
	ok(aioring_sq_space(&r) == n - 1 && aioring_sq_pending(&r) == 0,
	   "N=%u: empty SQ has room for N-1", n);
	for (i = 0; i < n - 1; i++)
		aioring_sq_queue(&r, i);
	ok(aioring_sq_space(&r) == 0 && aioring_sq_pending(&r) == n - 1 &&
	   r.sq->tail == 0, "N=%u: full at N-1, nothing published yet", n);
	aioring_sq_publish(&r);
	ok(r.sq->tail == (n - 1) % n, "N=%u: publish stores the tail", n);
	/* kernel consumes them all */
	r.sq->head = r.sq->tail;

	for (round = 0; round < 5 * n + 3; round++) {
		unsigned int batch = 1 + round % (n - 1 ? n - 1 : 1), got;

		if (batch > aioring_sq_space(&r))
			batch = aioring_sq_space(&r);
		for (i = 0; i < batch; i++) {
			unsigned int idx = (round + i) % n;

			aioring_prep_pread(aioring_iocb(&r, idx), 3, NULL, 512,
					   0, next_data++);
			aioring_sq_queue(&r, idx);
		}
		aioring_sq_publish(&r);
		/* the "kernel": consume, complete in order */
		while (r.sq->head != r.sq->tail) {
			unsigned int idx = r.sq->array[r.sq->head];
			struct io_event *ev = &r.cq->events[r.cq->tail];

			ev->data = r.iocbs[idx].aio_data;
			ev->obj = idx;
			ev->res = 512;
			r.cq->tail = (r.cq->tail + 1) % (2 * n);
			r.sq->head = (r.sq->head + 1) % n;
		}
		if (aioring_cq_ready(&r) != batch)
			bad++;
		/* reap alternately with peek/advance and with reap() */
		if (round & 1) {
			struct io_event *ev;

			while ((ev = aioring_cq_peek(&r))) {
				if (ev->data != expect++)
					bad++;
				aioring_cq_advance(&r, 1);
			}
		} else {
			while ((got = aioring_reap(&r, evs, 3)))
				for (i = 0; i < got; i++)
					if (evs[i].data != expect++)
						bad++;
		}
		if (r.cq->head != r.cq->tail || r.cq->head >= 2 * n ||
		    r.sq->tail >= n)
			bad++;
	}
	ok(!bad && expect == next_data,
	   "N=%u: %u IOs through %u wraps, in order, indexes < N / 2N (%u bad)",
	   n, next_data, next_data / n, bad);
	aioring_mem_free(&r);
}

static void test_cq_full(void)
{
	struct aioring r = { 0 };
	struct io_event evs[16];
	unsigned int i;

	aioring_mem_alloc(&r, 5);
	for (i = 0; i < 9; i++) {	/* 2N - 1 events: full */
		r.cq->events[r.cq->tail].data = i;
		r.cq->tail = (r.cq->tail + 1) % 10;
	}
	ok(aioring_cq_ready(&r) == 9, "CQ of N=5 holds 2N-1 = 9 events");
	ok(aioring_reap(&r, evs, 16) == 9 && evs[8].data == 8 &&
	   r.cq->head == 9, "reap takes all 9, head published");
	aioring_mem_free(&r);
}

static void test_submit(void)
{
	struct aioring_params p = { .sys = &fake_sys };
	struct io_event ev;
	struct aioring r;
	int ret, i;

	fake_reset(AIORING_CTX_FLAGS_ALL);
	aioring_init(&r, 5, IOCTX_FLAG_SCQRING, &p);
	ret = aioring_submit(&r);
	ok(ret == 0 && fk.enters == 0, "nothing queued, no wait: no system call");
	for (i = 0; i < 3; i++) {
		aioring_prep_pwrite(aioring_iocb(&r, i), 3, NULL, 4096, 0, 100 + i);
		aioring_sq_queue(&r, i);
	}
	ret = aioring_submit_and_wait(&r, 2);
	ok(ret == 3 && fk.enters == 1 && fk.last_to_submit == 3 &&
	   fk.last_min == 2 &&
	   fk.last_enter_flags == (IORING_FLAG_SUBMIT | IORING_FLAG_GETEVENTS),
	   "submit_and_wait(2): one io_ring_enter(3, 2, SUBMIT|GETEVENTS) = %d", ret);
	ok(r.nr_enter == 1, "nr_enter counts the call");
	ok(aioring_reap(&r, &ev, 1) == 1 && ev.data == 100 && ev.res == 4096,
	   "the first event carries aio_data and res");
	ret = aioring_wait(&r, 1);
	ok(ret == 0 && fk.last_enter_flags == IORING_FLAG_GETEVENTS &&
	   fk.last_to_submit == 0, "wait: GETEVENTS only");
	fk.enter_errno = EAGAIN;
	aioring_sq_queue(&r, 4);
	ret = aioring_submit(&r);
	ok(ret == -EAGAIN && aioring_sq_pending(&r) == 1,
	   "EAGAIN comes back as -EAGAIN, the entry stays queued");
	fk.enter_errno = 0;
	ret = aioring_submit(&r);
	ok(ret == 1 && aioring_sq_pending(&r) == 0,
	   "the retry submits the entry left behind");
	aioring_exit(&r);

	/* IOPOLL: every submit also polls once */
	aioring_init(&r, 5, IOCTX_FLAG_SCQRING | IOCTX_FLAG_IOPOLL, &p);
	fk.enters = 0;
	ret = aioring_submit(&r);
	ok(ret == 0 && fk.enters == 1 && fk.last_min == 0 &&
	   fk.last_enter_flags == IORING_FLAG_GETEVENTS,
	   "IOPOLL ring: submit with nothing queued still polls once");
	/*
	 * Events left in the CQ ring: the application has completions to
	 * reap, so a submit does not poll too (io_uring's enter skips its
	 * poll then); polled IO that completes at once would otherwise be
	 * polled one request per call.
	 */
	r.cq->events[r.cq->tail].data = 7;
	r.cq->tail = (r.cq->tail + 1) % r.cq_entries;
	fk.enters = 0;
	ret = aioring_submit(&r);
	ok(ret == 0 && fk.enters == 0,
	   "IOPOLL ring, an event in the CQ, nothing queued: no system call");
	aioring_prep_pread(aioring_iocb(&r, 0), 3, NULL, 512, 0, 8);
	aioring_sq_queue(&r, 0);
	ret = aioring_submit(&r);
	ok(ret == 1 && fk.enters == 1 && fk.last_enter_flags == IORING_FLAG_SUBMIT,
	   "IOPOLL ring, an event in the CQ: submit is SUBMIT only (flags %#x)",
	   fk.last_enter_flags);
	ret = aioring_submit_and_wait(&r, 1);
	ok(fk.enters == 2 && fk.last_min == 1 &&
	   (fk.last_enter_flags & IORING_FLAG_GETEVENTS),
	   "IOPOLL ring: a wait for events still enters with GETEVENTS");
	aioring_exit(&r);

	/* SQTHREAD: the kernel answers to_submit; we count what we published */
	fk.complete = 0;
	aioring_init(&r, 5, IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD, &p);
	aioring_sq_queue(&r, 0);
	aioring_sq_queue(&r, 1);
	ret = aioring_submit(&r);
	ok(ret == 2 && fk.last_enter_flags == IORING_FLAG_SUBMIT,
	   "SQTHREAD: SUBMIT wakes the thread, 2 handed over");
	aioring_exit(&r);

	/* SQPOLL: enter only when the thread sleeps */
	aioring_init(&r, 5, IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD |
		     IOCTX_FLAG_SQPOLL, &p);
	fk.enters = 0;
	aioring_sq_queue(&r, 0);
	ret = aioring_submit(&r);
	ok(ret == 1 && fk.enters == 0 && r.sq->tail == 1,
	   "SQPOLL, thread awake: tail published, no system call");
	r.sq->head = 1;		/* the thread took it */
	r.sq->kflags = IORING_SQ_NEED_WAKEUP;
	aioring_sq_queue(&r, 1);
	aioring_sq_queue(&r, 2);
	ret = aioring_submit(&r);
	ok(ret == 2 && fk.enters == 1 && fk.last_to_submit == 2 &&
	   fk.last_enter_flags == IORING_FLAG_SUBMIT && fk.last_min == 0,
	   "SQPOLL, NEED_WAKEUP set: io_ring_enter(ctx, 2, 0, SUBMIT)");
	r.sq->kflags = 0;
	ret = aioring_submit_and_wait(&r, 1);
	ok(ret == 0 && fk.enters == 2 &&
	   fk.last_enter_flags == IORING_FLAG_GETEVENTS,
	   "SQPOLL: waiting still enters, with GETEVENTS only");
	aioring_exit(&r);
}

int main(void)
{
	static const unsigned int sizes[] = { 2, 3, 5, 7, 33, 100 };
	unsigned int i;

	test_index_arith();
	test_sizes();
	test_mem_alloc();
	test_init();
	for (i = 0; i < ARRAY_LEN(sizes); i++)
		test_protocol(sizes[i]);
	test_cq_full();
	test_submit();
	return tap_done();
}
