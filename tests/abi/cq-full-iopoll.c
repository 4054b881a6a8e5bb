// SPDX-License-Identifier: MIT
/*
 * cq-full-iopoll: a full CQ on a polled ring (spec section 5: "polled
 * reaping leaves completions queued and io_ring_enter returns EAGAIN").
 *
 * SCQRING|IOPOLL, N = 4 (SQ 3, CQ 2N-1 = 7), polled O_DIRECT writes of a
 * per-block pattern.  Three batches of 3 are submitted; after each the
 * program polls (GETEVENTS, min 1) without reaping.  Once 7 events fill
 * the CQ and 2 writes are still unreaped, GETEVENTS must answer EAGAIN
 * and must not overwrite the CQ.  After the application reaps the 7, the
 * remaining 2 arrive.  All 9 aio_data come back exactly once, obj = iocb
 * index, res = 4096, and the data is on disk.  The same is repeated a
 * few times on the same ring (other index positions).  GETEVENTS is
 * called with min_complete = events already in the CQ + 1, so by the
 * spec's rule (poll until min_complete events are in the CQ) every call
 * has to make progress or report the full CQ.
 */
#include "ring_util.h"

#define N	4
#define BATCH	3
#define ROUNDS	4

static uint64_t seed;

static void round_trip(struct ring *r, int fd, uint64_t base, unsigned int round)
{
	const unsigned int total = 3 * BATCH;
	uint8_t *bufs = map_pages((size_t)total * RING_BS);
	unsigned int slots[3 * BATCH], seen[3 * BATCH];
	unsigned int next = 0, b, reaped = 0, i, bad = 0;
	unsigned long eagain_full = 0, eagain_early = 0, calls = 0;
	struct io_event ev = { 0 };
	int64_t end;
	long ret;
	const char *what = label("round %u (SQ head %u, CQ head %u)", round,
				 sq_head(r), cq_head(r));

	memset(seen, 0, sizeof(seen));
	for (b = 0; b < 3; b++) {
		unsigned int want_cq = (b + 1) * BATCH;

		for (i = 0; i < BATCH; i++, next++) {
			uint64_t off = base + (uint64_t)next * RING_BS;

			slots[next] = next % N;
			pattern_fill(bufs + (size_t)next * RING_BS, RING_BS, off, seed);
			iocb_prep(&r->iocbs[slots[next]], IOCB_CMD_PWRITE, fd,
				  bufs + (size_t)next * RING_BS, RING_BS, off,
				  AIO_DATA(0xa0 + round, next), IOCB_FLAG_HIPRI);
			sq_push(r, slots[next]);
		}
		/* submit the batch; retry on a short count */
		end = now_ns() + 10 * 1000000000LL;
		while (sq_count(r) && now_ns() < end) {
			ret = ring_enter(r, sq_count(r), 0, IORING_FLAG_SUBMIT);
			if (ret < 0 && errno != EAGAIN) {
				diag("%s: SUBMIT: %s", what, strerror(errno));
				break;
			}
		}
		if (want_cq > 2 * N - 1)
			want_cq = 2 * N - 1;
		/* poll until the CQ holds what fits, or EAGAIN with a full CQ */
		watchdog_arm(15);
		end = now_ns() + 10 * 1000000000LL;
		while (now_ns() < end && !watchdog_fired) {
			/* "until at least min_complete events are in the CQ" */
			ret = ring_enter(r, 0, cq_count(r) + 1,
					 IORING_FLAG_GETEVENTS);
			calls++;
			if (ret < 0 && errno == EAGAIN) {
				if (cq_count(r) == 2 * N - 1)
					eagain_full++;
				else
					eagain_early++;
				if (b == 2 && cq_count(r) == 2 * N - 1)
					break;
				continue;
			}
			if (ret < 0 && errno != EINTR) {
				diag("%s: GETEVENTS: %s", what, strerror(errno));
				break;
			}
			if (b < 2 && cq_count(r) >= want_cq)
				break;
		}
		watchdog_disarm();
	}
	ok(cq_count(r) == 2 * N - 1,
	   "%s: 9 polled writes without reaping fill the CQ to 2N-1 = 7 (holds %u)",
	   what, cq_count(r));
	ok(eagain_full > 0,
	   "%s: GETEVENTS with a full CQ and completions pending returns EAGAIN (%lu times, %lu calls)",
	   what, eagain_full, calls);
	if (eagain_early)
		diag("%s: %lu EAGAIN with room in the CQ (a polled request said EAGAIN?)",
		     what, eagain_early);

	/* reap everything: the 7, then the kept 2 */
	watchdog_arm(20);
	end = now_ns() + 15 * 1000000000LL;
	while (reaped < total && now_ns() < end && !watchdog_fired) {
		if (cq_pop(r, &ev)) {
			uint64_t idx = ev.data & 0xffffffffULL;

			reaped++;
			if ((ev.data >> 32) != 0xa0 + round || idx >= total ||
			    seen[idx]++ || ev.obj != slots[idx] ||
			    ev.res != RING_BS || ev.res2 != 0) {
				if (!bad++)
					diag("%s: event data %#llx obj %llu res %lld",
					     what, (unsigned long long)ev.data,
					     (unsigned long long)ev.obj,
					     (long long)ev.res);
			}
			continue;
		}
		ret = ring_enter(r, 0, 1, IORING_FLAG_GETEVENTS);
		if (ret < 0 && errno != EAGAIN && errno != EINTR) {
			diag("%s: GETEVENTS: %s", what, strerror(errno));
			break;
		}
	}
	watchdog_disarm();
	ok(reaped == total && !bad,
	   "%s: after reaping, all 9 events arrive exactly once, obj = index, res 4096 (%u, %u bad)",
	   what, reaped, bad);
	ok(cq_count(r) == 0 && ring_indexes_sane(r), "%s: nothing more in the CQ", what);
	ok(verify_sync(fd, base, total, seed) < 0, "%s: the 9 blocks hold their data", what);
	unmap_pages(bufs, (size_t)total * RING_BS);
}

int main(void)
{
	struct target t;
	struct ring r;
	unsigned int round;
	long start;

	require_aioring();
	start = aio_nr();
	seed = pattern_seed();
	if (target_pick(&t, 1u << 20))
		skip_all("no O_DIRECT target for polled IO");
	diag("target %s (%s)", t.name, t.polled ? "poll queues" : "no poll queues");
	ring_setup_or_bail(&r, N, IOCTX_FLAG_SCQRING | IOCTX_FLAG_IOPOLL);
	for (round = 0; round < ROUNDS; round++)
		round_trip(&r, t.fd, (uint64_t)round * 16 * RING_BS, round);
	ok(ring_destroy(&r) == 0, "io_destroy returns 0");
	target_close(&t);
	ok_aio_nr_back(start);
	return tap_done();
}
