// SPDX-License-Identifier: MIT
/*
 * ring-eventfd: IOCB_FLAG_RESFD still works on ring contexts without
 * IOPOLL (spec section 7): every completion adds 1 to the eventfd, so the
 * counter equals the number of completions.
 *
 * SCQRING ring, N = 17: 16 reads of /dev/zero (complete inside SUBMIT),
 * then, when an O_DIRECT target exists, 64 O_DIRECT writes (interrupt
 * completions) with RESFD, and 16 iocbs without RESFD that must not
 * count.  The eventfd is read until it has counted every RESFD
 * completion; afterwards it must stay at 0.
 */
#include "ring_util.h"
#include <sys/eventfd.h>

#define N	17

static uint64_t read_eventfd_until(int efd, uint64_t want, int ms)
{
	int64_t end = now_ns() + (int64_t)ms * 1000000LL;
	uint64_t sum = 0, v;

	while (sum < want && now_ns() < end) {
		struct pollfd pfd = { efd, POLLIN, 0 };

		if (poll(&pfd, 1, 100) == 1 && read(efd, &v, 8) == 8)
			sum += v;
	}
	return sum;
}

int main(void)
{
	struct ring r;
	struct target t;
	struct io_event ev[N];
	uint8_t *bufs = map_pages((size_t)N * RING_BS);
	uint64_t seed = pattern_seed(), sum;
	unsigned int i, got, total, bad, round;
	int efd, zfd;
	long start, ret;

	require_aioring();
	start = aio_nr();
	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	zfd = open("/dev/zero", O_RDONLY);
	if (efd < 0 || zfd < 0)
		bail_out("eventfd / open /dev/zero");
	ring_setup_or_bail(&r, N, IOCTX_FLAG_SCQRING);

	/* 16 reads of /dev/zero, RESFD */
	for (i = 0; i < 16; i++) {
		iocb_prep(&r.iocbs[i], IOCB_CMD_PREAD, zfd, bufs + (size_t)i * RING_BS,
			  RING_BS, 0, AIO_DATA(0xef, i), IOCB_FLAG_RESFD);
		r.iocbs[i].aio_resfd = efd;
		sq_push(&r, i);
	}
	ret = ring_enter(&r, 16, 16, IORING_FLAG_SUBMIT | IORING_FLAG_GETEVENTS);
	ok(ret == 16, "16 RESFD reads of /dev/zero submitted (got %ld errno %d)", ret,
	   ret < 0 ? errno : 0);
	got = ring_reap_wait(&r, ev, 16, 10000);
	for (i = 0, bad = 0; i < got; i++)
		if (ev[i].res != RING_BS || (ev[i].data >> 32) != 0xef)
			bad++;
	ok(got == 16 && !bad, "their 16 events arrive (got %u, %u bad)", got, bad);
	sum = read_eventfd_until(efd, 16, 5000);
	ok(sum == 16, "the eventfd counted 16 completions (got %llu)",
	   (unsigned long long)sum);
	ok(eventfd_rest(efd) == 0, "and not more");

	/* 16 without RESFD: the counter must not move */
	for (i = 0; i < 16; i++) {
		iocb_prep(&r.iocbs[i], IOCB_CMD_PREAD, zfd, bufs + (size_t)i * RING_BS,
			  RING_BS, 0, AIO_DATA(0xee, i), 0);
		r.iocbs[i].aio_resfd = efd;	/* ignored without the flag */
		sq_push(&r, i);
	}
	ret = ring_enter(&r, 16, 16, IORING_FLAG_SUBMIT | IORING_FLAG_GETEVENTS);
	got = ring_reap_wait(&r, ev, 16, 10000);
	ok(ret == 16 && got == 16, "16 reads without RESFD complete (ret %ld, %u events)",
	   ret, got);
	ok(eventfd_rest(efd) == 0, "the eventfd did not count them");

	if (target_pick(&t, 1u << 20)) {
		skip("no O_DIRECT target: eventfd with interrupt completions not tested");
	} else {
		total = 0;
		bad = 0;
		for (round = 0; round < 4; round++) {
			for (i = 0; i < 16; i++) {
				uint64_t off = (uint64_t)(round * 16 + i) * RING_BS;

				pattern_fill(bufs + (size_t)i * RING_BS, RING_BS, off, seed);
				iocb_prep(&r.iocbs[i], IOCB_CMD_PWRITE, t.fd,
					  bufs + (size_t)i * RING_BS, RING_BS, off,
					  AIO_DATA(0xed, round * 16 + i),
					  IOCB_FLAG_RESFD);
				r.iocbs[i].aio_resfd = efd;
				sq_push(&r, i);
			}
			ret = ring_enter(&r, 16, 0, IORING_FLAG_SUBMIT);
			if (ret != 16 && !bad++)
				diag("SUBMIT of 16 O_DIRECT writes returned %ld (errno %d)",
				     ret, ret < 0 ? errno : 0);
			got = ring_reap_wait(&r, ev, ret > 0 ? ret : 0, 10000);
			for (i = 0; i < got; i++)
				if (ev[i].res != RING_BS && !bad++)
					diag("write res %lld", (long long)ev[i].res);
			total += got;
		}
		ok(total == 64 && !bad, "64 RESFD O_DIRECT writes to %s complete (%u)",
		   t.name, total);
		sum = read_eventfd_until(efd, 64, 5000);
		ok(sum == 64, "the eventfd counted 64 interrupt completions (got %llu)",
		   (unsigned long long)sum);
		ok(eventfd_rest(efd) == 0, "and not more");
		ok(verify_sync(t.fd, 0, 64, seed) < 0, "the 64 blocks hold their data");
		target_close(&t);
	}
	ok(ring_destroy(&r) == 0, "io_destroy returns 0");
	close(efd);
	close(zfd);
	unmap_pages(bufs, (size_t)N * RING_BS);
	ok_aio_nr_back(start);
	return tap_done();
}
