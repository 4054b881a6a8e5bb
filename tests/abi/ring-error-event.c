// SPDX-License-Identifier: MIT
/*
 * ring-error-event: a request that is accepted and then fails still
 * produces a normal event (spec section 5): data = aio_data, obj = the
 * iocb index, res = -errno, res2 = 0 - also when its event meets a full
 * CQ ring (the 2018 snapshot dereferenced NULL there and swapped
 * obj/data).
 *
 * The failing request is an O_DIRECT read at an offset that is not a
 * multiple of the logical block size: the block layer (or iomap) rejects
 * it with EINVAL after the iocb was accepted.  On an interrupt ring and a
 * polled ring (N = 4): first alone, then with the CQ already full of 7
 * good events, then mixed with good reads.  A submission may instead
 * report the error itself (the entry then stays in the SQ); either way no
 * event is lost or garbled.
 */
#include "ring_util.h"

#define N	4

static struct target tgt;
static uint64_t seed;
static uint8_t *bufs;

static void prep(struct ring *r, unsigned int slot, uint64_t off, uint32_t tag,
		 unsigned int i, unsigned int aio_flags)
{
	iocb_prep(&r->iocbs[slot], IOCB_CMD_PREAD, tgt.fd,
		  bufs + (size_t)slot * RING_BS, RING_BS, off, AIO_DATA(tag, i),
		  aio_flags);
	sq_push(r, slot);
}

/* Submit what is queued; returns entries consumed, or -errno. */
static long submit_all(struct ring *r)
{
	long ret = ring_enter(r, sq_count(r), 0, IORING_FLAG_SUBMIT);

	return ret < 0 ? -errno : ret;
}

static int check_error_event(const struct io_event *ev, uint32_t tag,
			     unsigned int slot, const char *what)
{
	return ok(ev->data == AIO_DATA(tag, 0) && ev->obj == slot &&
		  ev->res == -EINVAL && ev->res2 == 0,
		  "%s: event data %#llx obj %llu res %lld res2 %lld (want data %#llx obj %u res %d)",
		  what, (unsigned long long)ev->data, (unsigned long long)ev->obj,
		  (long long)ev->res, (long long)ev->res2,
		  (unsigned long long)AIO_DATA(tag, 0), slot, -EINVAL);
}

static void run(unsigned int flags)
{
	unsigned int aio_flags = flags & IOCTX_FLAG_IOPOLL ? IOCB_FLAG_HIPRI : 0;
	const char *mode = flags & IOCTX_FLAG_IOPOLL ? "polled ring" : "irq ring";
	struct io_event ev[16];
	struct ring r;
	unsigned int i, got, bad, filled;
	long ret;

	ring_setup_or_bail(&r, N, flags);

	/* alone */
	prep(&r, 2, RING_BS + 256, 0xe1, 0, aio_flags);
	ret = submit_all(&r);
	if (ret < 0) {
		ok(ret == -EINVAL && sq_count(&r) == 1,
		   "%s: misaligned read refused at submit with EINVAL, entry kept (%ld)",
		   mode, ret);
		diag("%s: the error comes from submission: the event path is not reachable this way",
		     mode);
		ring_destroy(&r);
		return;
	}
	ok(ret == 1, "%s: misaligned O_DIRECT read accepted (SUBMIT returns %ld)",
	   mode, ret);
	got = ring_reap_wait(&r, ev, 1, 10000);
	ok(got == 1, "%s: its event arrives", mode);
	if (got == 1)
		check_error_event(&ev[0], 0xe1, 2, label("%s, alone", mode));

	/* with the CQ full of good events */
	filled = 0;
	while (filled < 2 * N - 1) {
		unsigned int k = 2 * N - 1 - filled < N - 1 ? 2 * N - 1 - filled : N - 1;
		int64_t end = now_ns() + 10 * 1000000000LL;

		for (i = 0; i < k; i++)
			prep(&r, i, (uint64_t)(filled + i) * RING_BS, 0xe2, filled + i,
			     aio_flags);
		if (submit_all(&r) != (long)k)
			break;
		filled += k;
		/* polled: make them land in the CQ */
		while (cq_count(&r) < filled && now_ns() < end)
			if (ring_enter(&r, 0, cq_count(&r) + 1, IORING_FLAG_GETEVENTS) < 0 &&
			    errno != EAGAIN && errno != EINTR)
				break;
		if (!(flags & IOCTX_FLAG_IOPOLL))
			while (cq_count(&r) < filled && now_ns() < end)
				ms_sleep(5);
	}
	ok(cq_count(&r) == 2 * N - 1, "%s: CQ full of 7 good events (%u)", mode,
	   cq_count(&r));
	prep(&r, 3, RING_BS + 512 + 256, 0xe3, 0, aio_flags);
	ret = submit_all(&r);
	diag("%s: misaligned read with a full CQ: SUBMIT %ld", mode, ret);
	ok(ret == 1 || ret == -EAGAIN,
	   "%s: with the CQ full the failing read is taken (1) or EAGAIN (got %ld)",
	   mode, ret);
	if (ret == -EAGAIN) {
		got = 0;
		while (got < 16 && cq_pop(&r, &ev[got]))
			got++;
		ret = submit_all(&r);
		ok(ret == 1, "%s: after reaping, it is taken (%ld)", mode, ret);
	}
	/* reap everything: the 7 good ones (if still there) and the error */
	got = 0;
	bad = 0;
	{
		int64_t end = now_ns() + 10 * 1000000000LL;
		int found = 0;

		watchdog_arm(15);
		while (!found && now_ns() < end && !watchdog_fired) {
			struct io_event e;

			if (cq_pop(&r, &e)) {
				if ((e.data >> 32) == 0xe3) {
					found = 1;
					check_error_event(&e, 0xe3, 3,
							  label("%s, CQ was full", mode));
				} else if ((e.data >> 32) != 0xe2 || e.res != RING_BS ||
					   e.obj >= N) {
					bad++;
				}
				continue;
			}
			if (ring_enter(&r, 0, 1, IORING_FLAG_GETEVENTS) < 0 &&
			    errno != EAGAIN && errno != EINTR)
				break;
		}
		watchdog_disarm();
		ok(found, "%s: the failing read's event arrives after the full CQ drains",
		   mode);
		ok(!bad, "%s: the good events around it are intact (%u bad)", mode, bad);
	}

	/* mixed: good, bad, good */
	prep(&r, 0, 0, 0xe4, 0, aio_flags);
	prep(&r, 1, 256, 0xe5, 0, aio_flags);
	prep(&r, 2, RING_BS, 0xe4, 1, aio_flags);
	ret = submit_all(&r);
	ok(ret == 3, "%s: good, misaligned, good: SUBMIT returns 3 (got %ld)", mode, ret);
	got = ring_reap_wait(&r, ev, ret > 0 ? ret : 0, 10000);
	for (i = 0, bad = 0; i < got; i++) {
		if ((ev[i].data >> 32) == 0xe5)
			check_error_event(&ev[i], 0xe5, 1, label("%s, mixed", mode));
		else if ((ev[i].data >> 32) != 0xe4 || ev[i].res != RING_BS ||
			 pattern_check(bufs + (size_t)ev[i].obj * RING_BS, RING_BS,
				       (ev[i].data & 1) * RING_BS, seed) >= 0)
			bad++;
	}
	ok(got == 3 && !bad, "%s: the good reads around it return their blocks (%u events, %u bad)",
	   mode, got, bad);
	ok(ring_destroy(&r) == 0, "%s: io_destroy returns 0", mode);
}

int main(void)
{
	uint8_t *w;
	long start;

	require_aioring();
	start = aio_nr();
	seed = pattern_seed();
	if (target_pick(&tgt, 1u << 20))
		skip_all("no O_DIRECT target");
	diag("target %s", tgt.name);
	w = map_pages(16 * RING_BS);
	pattern_fill(w, 16 * RING_BS, 0, seed);
	if (pwrite(tgt.fd, w, 16 * RING_BS, 0) != 16 * RING_BS)
		bail_out("pwrite");
	unmap_pages(w, 16 * RING_BS);
	bufs = map_pages((size_t)N * RING_BS);
	run(IOCTX_FLAG_SCQRING);
	run(IOCTX_FLAG_SCQRING | IOCTX_FLAG_IOPOLL);
	unmap_pages(bufs, (size_t)N * RING_BS);
	target_close(&tgt);
	ok_aio_nr_back(start);
	return tap_done();
}
