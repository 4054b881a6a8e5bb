// SPDX-License-Identifier: MIT
/*
 * ring-header-tamper: the kernel bounds every index with the ring sizes
 * it was given at io_setup2(), never with the nr_events fields of the
 * shared headers, which the application can overwrite at any time (spec
 * sections 5 and 10).
 *
 * N = 8.  After setup the application writes sq->nr_events = 1000 and
 * cq->nr_events = 3, and later 0 and 0xffffffff:
 * - an SQ index of 500 (valid for the fake size) is still dropped;
 * - an SQ tail of 20 (inside the fake size) is still EINVAL;
 * - 40 reads of /dev/zero still complete, with the CQ tail wrapping at
 *   2N = 16 (not at the fake 3) and the SQ head at N;
 * - changing sq->iocbs after setup does not move the iocb array.
 */
#include "ring_util.h"

#define N	8

static int zero_fd;

static unsigned int run_reads(struct ring *r, unsigned int count, uint8_t *bufs,
			      unsigned int *bad)
{
	struct io_event ev[2 * N];
	unsigned int done = 0, i, k, got;
	long ret;

	while (done < count) {
		k = count - done < N - 1 ? count - done : N - 1;
		for (i = 0; i < k; i++) {
			iocb_prep(&r->iocbs[i], IOCB_CMD_PREAD, zero_fd,
				  bufs + (size_t)i * RING_BS, RING_BS, 0,
				  AIO_DATA(0x7a, done + i), 0);
			sq_push(r, i);
		}
		ret = ring_enter(r, k, k, IORING_FLAG_SUBMIT | IORING_FLAG_GETEVENTS);
		if (ret != (long)k) {
			diag("SUBMIT(%u) returned %ld errno %d", k, ret,
			     ret < 0 ? errno : 0);
			(*bad)++;
			__atomic_store_n(&r->sq->tail, sq_head(r), __ATOMIC_RELEASE);
			break;
		}
		got = ring_reap_wait(r, ev, k, 10000);
		for (i = 0; i < got; i++)
			if (ev[i].res != RING_BS || ev[i].obj >= N ||
			    (ev[i].data >> 32) != 0x7a)
				(*bad)++;
		if (!ring_indexes_sane(r))
			(*bad)++;
		done += got;
		if (got != k)
			break;
	}
	return done;
}

int main(void)
{
	static const unsigned int fakes[][2] = {
		{ 1000, 3 }, { 0, 0 }, { 0xffffffffu, 0xffffffffu },
	};
	uint8_t *bufs = map_pages((size_t)N * RING_BS);
	struct iocb *other = map_pages(aioring_iocbs_size(N));
	struct io_event ev = { 0 };
	struct ring r;
	unsigned int f, bad, done, total = 0;
	long start, ret;

	require_aioring();
	start = aio_nr();
	zero_fd = open("/dev/zero", O_RDONLY);
	if (zero_fd < 0)
		bail_out("open /dev/zero");
	ring_setup_or_bail(&r, N, IOCTX_FLAG_SCQRING);

	for (f = 0; f < ARRAY_SIZE(fakes); f++) {
		const char *what = label("sq nr_events %u, cq nr_events %u",
					 fakes[f][0], fakes[f][1]);

		r.sq->nr_events = fakes[f][0];
		r.cq->nr_events = fakes[f][1];

		/* an index valid only for the fake size */
		iocb_prep(&r.iocbs[0], IOCB_CMD_PREAD, zero_fd, bufs, RING_BS, 0,
			  AIO_DATA(0x7b, 0), 0);
		sq_push(&r, 500);
		ret = ring_enter(&r, 1, 0, IORING_FLAG_SUBMIT);
		ok(ret == 0 && sq_head(&r) == sq_tail(&r),
		   "%s: SQ index 500 is dropped (ret %ld errno %d)", what, ret,
		   ret < 0 ? errno : 0);
		ret = ring_enter(&r, 0, 0, IORING_FLAG_GETEVENTS);
		ok(!cq_pop(&r, &ev), "%s: and produces no event", what);

		/* a tail inside the fake size */
		__atomic_store_n(&r.sq->tail, 20, __ATOMIC_RELEASE);
		ok_errno(ring_enter(&r, 1, 0, IORING_FLAG_SUBMIT), EINVAL,
			 label("%s: SQ tail 20 (N %u)", what, N));
		__atomic_store_n(&r.sq->tail, sq_head(&r), __ATOMIC_RELEASE);

		bad = 0;
		done = run_reads(&r, 40, bufs, &bad);
		total += done + 1;	/* + the dropped entry */
		ok(done == 40 && !bad,
		   "%s: 40 reads complete through the ring (%u, %u bad)", what, done,
		   bad);
	}
	/* 3 x (1 dropped entry + 40 reads): the positions are exact */
	ok(sq_head(&r) == total % N && cq_tail(&r) == (3 * 40) % (2 * N),
	   "SQ head %u (want %u) and CQ tail %u (want %u) wrapped at the real sizes",
	   sq_head(&r), total % N, cq_tail(&r), (3 * 40) % (2 * N));

	/* sq->iocbs changed after setup: the kernel keeps the original */
	memset(other, 0, aioring_iocbs_size(N));
	r.sq->iocbs = (__u64)(uintptr_t)other;
	bad = 0;
	done = run_reads(&r, 7, bufs, &bad);
	ok(done == 7 && !bad,
	   "sq->iocbs pointed elsewhere after setup: the original iocb array is still used (%u)",
	   done);

	ok(ring_destroy(&r) == 0, "io_destroy returns 0");
	unmap_pages(other, aioring_iocbs_size(N));
	unmap_pages(bufs, (size_t)N * RING_BS);
	close(zero_fd);
	ok_aio_nr_back(start);
	return tap_done();
}
