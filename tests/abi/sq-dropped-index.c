// SPDX-License-Identifier: MIT
/*
 * sq-dropped-index: an SQ entry whose iocb index is >= N (spec section 5)
 * is dropped: the SQ head advances past it, no event is produced for it,
 * it is not counted in io_ring_enter's return value, and the valid
 * entries around it are submitted.
 *
 * N = 8, writes of a per-block pattern to a scratch file (read back with
 * pread): dropped indexes N, N+1, 0xffffffff between valid ones (also
 * across the wrap point of the SQ), a ring of only dropped entries, the
 * largest valid index N-1, and to_submit larger than what is queued.  On
 * an SCQRING|IOPOLL ring (when an O_DIRECT target exists) the same mix
 * with polled IO.
 */
#include "ring_util.h"

#define N	8
#define BAD	0xffffffffu

static uint64_t seed;
static unsigned int next_block;

struct entry_plan {
	unsigned int idx;	/* SQ array value; >= N: dropped */
};

/*
 * Queue the plan (valid entries write a fresh block each), submit with
 * to_submit, reap and check.  Returns 1 when every check held.
 */
static int run_plan(struct ring *r, int fd, unsigned int aio_flags,
		    const unsigned int *plan, unsigned int count,
		    unsigned int to_submit, uint8_t *bufs, const char *what)
{
	unsigned int i, valid = 0, old_head = sq_head(r), got;
	uint64_t offs[N];
	struct io_event ev[2 * N];
	long ret;
	int all = 1, bad = 0;

	for (i = 0; i < count; i++) {
		unsigned int idx = plan[i];

		if (idx < N) {
			uint64_t off = (uint64_t)(next_block++) * RING_BS;

			offs[idx] = off;
			pattern_fill(bufs + (size_t)idx * RING_BS, RING_BS, off, seed);
			iocb_prep(&r->iocbs[idx], IOCB_CMD_PWRITE, fd,
				  bufs + (size_t)idx * RING_BS, RING_BS, off,
				  AIO_DATA(0xd0, idx), aio_flags);
			valid++;
		}
		sq_push(r, idx);
	}
	watchdog_arm(20);
	ret = ring_enter(r, to_submit, 0, IORING_FLAG_SUBMIT);
	watchdog_disarm();
	all &= ok(ret == (long)valid,
		  "%s: SUBMIT(%u) of %u entries, %u valid, returns %u (got %ld errno %d)",
		  what, to_submit, count, valid, valid, ret, ret < 0 ? errno : 0);
	all &= ok(sq_head(r) == sq_tail(r) &&
		  sq_head(r) == (old_head + count) % N,
		  "%s: SQ head advanced past every entry, dropped ones included (head %u, tail %u)",
		  what, sq_head(r), sq_tail(r));
	got = ring_reap_wait(r, ev, valid, 10000);
	/* anything more would be an event for a dropped entry */
	watchdog_arm(10);
	if (ring_enter(r, 0, 0, IORING_FLAG_GETEVENTS) < 0)
		diag("%s: final GETEVENTS: %s", what, strerror(errno));
	watchdog_disarm();
	ms_sleep(20);
	while (got < 2 * N && cq_pop(r, &ev[got]))
		got++;
	all &= ok(got == valid, "%s: exactly %u events (got %u)", what, valid, got);
	for (i = 0; i < got; i++) {
		uint64_t idx = ev[i].data & 0xffffffffULL;

		if ((ev[i].data >> 32) != 0xd0 || idx >= N || ev[i].obj != idx ||
		    ev[i].res != RING_BS || ev[i].res2 != 0) {
			if (!bad++)
				diag("%s: event data %#llx obj %llu res %lld", what,
				     (unsigned long long)ev[i].data,
				     (unsigned long long)ev[i].obj,
				     (long long)ev[i].res);
			continue;
		}
		{
			uint8_t *chk = map_pages(RING_BS);

			if (pread(fd, chk, RING_BS, offs[idx]) != RING_BS ||
			    pattern_check(chk, RING_BS, offs[idx], seed) >= 0) {
				if (!bad++)
					diag("%s: block of iocb %llu not written",
					     what, (unsigned long long)idx);
			}
			unmap_pages(chk, RING_BS);
		}
	}
	all &= ok(!bad, "%s: events are the valid iocbs (obj = index, res 4096) and their data landed",
		  what);
	return all;
}

static void plans(struct ring *r, int fd, unsigned int aio_flags,
		  const char *mode_arg)
{
	uint8_t *bufs = map_pages((size_t)N * RING_BS);
	char mode[128];
	static const unsigned int mix[] = { 0, N, 1, BAD, 2 };
	static const unsigned int lone[] = { N };
	static const unsigned int top[] = { N - 1 };
	static const unsigned int all_bad[] = { N, N + 1, N + 2, BAD, 1u << 31, 100, N };
	static const unsigned int bad_first[] = { N + 5, 3 };
	static const unsigned int wrap_mix[] = { 4, N + 100, 5, BAD, 6 };

	snprintf(mode, sizeof(mode), "%s", mode_arg);	/* label() rotates */

	run_plan(r, fd, aio_flags, mix, 5, 5, bufs,
		 label("%s: valid, N, valid, 0xffffffff, valid", mode));
	run_plan(r, fd, aio_flags, lone, 1, 1, bufs,
		 label("%s: one entry with index N", mode));
	run_plan(r, fd, aio_flags, top, 1, 1, bufs,
		 label("%s: index N-1 is valid", mode));
	run_plan(r, fd, aio_flags, all_bad, 7, 7, bufs,
		 label("%s: a full SQ of dropped entries", mode));
	run_plan(r, fd, aio_flags, bad_first, 2, 100, bufs,
		 label("%s: dropped then valid, to_submit 100", mode));
	/* the head is now at (5+1+1+7+2) % 8 = 0; move it to 6 */
	run_plan(r, fd, aio_flags, top, 1, 1, bufs, label("%s: filler 1", mode));
	run_plan(r, fd, aio_flags, lone, 1, 1, bufs, label("%s: filler 2", mode));
	run_plan(r, fd, aio_flags, mix, 4, 4, bufs, label("%s: filler 3", mode));
	diag("%s: SQ head now %u", mode, sq_head(r));
	run_plan(r, fd, aio_flags, wrap_mix, 5, 5, bufs,
		 label("%s: valid/dropped mix across the SQ wrap point", mode));
	unmap_pages(bufs, (size_t)N * RING_BS);
}

int main(void)
{
	struct ring r;
	struct target t;
	long start;
	int fd;

	require_aioring();
	start = aio_nr();
	seed = pattern_seed();

	fd = scratch_file("abi-sq-dropped", 0);

	ring_setup_or_bail(&r, N, IOCTX_FLAG_SCQRING);
	plans(&r, fd, 0, "irq, buffered file");
	ok(ring_destroy(&r) == 0, "irq ring: io_destroy returns 0");
	close(fd);

	if (target_pick(&t, 4u << 20)) {
		skip("no O_DIRECT target: dropped indexes on a polled ring not tested");
	} else {
		next_block = 0;
		ring_setup_or_bail(&r, N, IOCTX_FLAG_SCQRING | IOCTX_FLAG_IOPOLL);
		plans(&r, t.fd, IOCB_FLAG_HIPRI, label("polled, %s", t.name));
		ok(ring_destroy(&r) == 0, "polled ring: io_destroy returns 0");
		target_close(&t);
	}
	ok_aio_nr_back(start);
	return tap_done();
}
