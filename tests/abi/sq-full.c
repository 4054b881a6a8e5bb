// SPDX-License-Identifier: MIT
/*
 * sq-full: the SQ holds N-1 entries, and SUBMIT takes only what is
 * present (spec section 5 and 6).  N = 8, writes to a scratch file, each
 * block with its own pattern:
 *
 * - the application can queue exactly N-1 = 7 entries (then
 *   next(tail) == head); SUBMIT(7) returns 7 and all 7 complete;
 * - again with the head in the middle of the ring (the 7 wrap);
 * - to_submit 100 with 3 present returns 3; to_submit 2 with 5 present
 *   returns 2 and moves the head by 2, a later SUBMIT(10) takes the 3
 *   others;
 * - an iocb whose index is written into array[tail] but whose tail is not
 *   published is not submitted (no event, its block keeps old data).
 */
#include "ring_util.h"

#define N	8

static uint64_t seed;
static int fd;
static uint8_t *bufs;
static uint64_t offs[N];
static unsigned int next_block;

static void queue_write(struct ring *r, unsigned int slot, int publish)
{
	uint64_t off = (uint64_t)(next_block++) * RING_BS;

	offs[slot] = off;
	pattern_fill(bufs + (size_t)slot * RING_BS, RING_BS, off, seed);
	iocb_prep(&r->iocbs[slot], IOCB_CMD_PWRITE, fd,
		  bufs + (size_t)slot * RING_BS, RING_BS, off,
		  AIO_DATA(0xf0, slot), 0);
	if (publish)
		sq_push(r, slot);
	else
		r->sq->array[sq_tail(r)] = slot;
}

static int reap_check(struct ring *r, unsigned int want, const char *what)
{
	struct io_event ev[2 * N];
	unsigned int got, i, bad = 0, seen = 0;

	got = ring_reap_wait(r, ev, want, 10000);
	ms_sleep(10);
	while (got < 2 * N && cq_pop(r, &ev[got]))
		got++;
	for (i = 0; i < got; i++) {
		uint64_t idx = ev[i].data & 0xffffffffULL;
		uint8_t chk[RING_BS];

		if ((ev[i].data >> 32) != 0xf0 || idx >= N || ev[i].obj != idx ||
		    ev[i].res != RING_BS || (seen & (1u << idx)) ||
		    pread(fd, chk, RING_BS, offs[idx]) != RING_BS ||
		    pattern_check(chk, RING_BS, offs[idx], seed) >= 0) {
			if (!bad++)
				diag("%s: event data %#llx obj %llu res %lld", what,
				     (unsigned long long)ev[i].data,
				     (unsigned long long)ev[i].obj,
				     (long long)ev[i].res);
			continue;
		}
		seen |= 1u << idx;
	}
	return ok(got == want && !bad,
		  "%s: %u events (got %u), each once, obj = index, data landed",
		  what, want, got);
}

static void fill_and_submit(struct ring *r, const char *what)
{
	unsigned int i, queued = 0;
	long ret;

	for (i = 0; i < N && sq_space(r); i++) {
		queue_write(r, i, 1);
		queued++;
	}
	ok(queued == N - 1 && (sq_tail(r) + 1) % N == sq_head(r),
	   "%s: the SQ takes exactly N-1 = %u entries (queued %u, head %u tail %u)",
	   what, N - 1, queued, sq_head(r), sq_tail(r));
	ret = ring_enter(r, queued, 0, IORING_FLAG_SUBMIT);
	ok(ret == (long)queued && sq_head(r) == sq_tail(r),
	   "%s: SUBMIT(%u) returns %u (got %ld errno %d), SQ empty", what, queued,
	   queued, ret, ret < 0 ? errno : 0);
	reap_check(r, queued, what);
}

int main(void)
{
	struct ring r;
	long start, ret;
	uint8_t chk[RING_BS];
	unsigned int i, z;
	uint64_t hidden_off;

	require_aioring();
	start = aio_nr();
	seed = pattern_seed();
	fd = scratch_file("abi-sq-full", 1 << 20);
	bufs = map_pages((size_t)N * RING_BS);

	ring_setup_or_bail(&r, N, IOCTX_FLAG_SCQRING);
	fill_and_submit(&r, "full SQ from index 0");

	/* head to 3, then fill again across the wrap */
	for (i = 0; i < 4; i++)
		queue_write(&r, i, 1);
	ret = ring_enter(&r, 4, 0, IORING_FLAG_SUBMIT);
	ok(ret == 4, "4 more entries submitted (got %ld)", ret);
	reap_check(&r, 4, "4 more");
	diag("SQ head %u", sq_head(&r));
	fill_and_submit(&r, label("full SQ from index %u (wrapping)", sq_head(&r)));

	/* to_submit larger than what is present */
	for (i = 0; i < 3; i++)
		queue_write(&r, i, 1);
	ret = ring_enter(&r, 100, 0, IORING_FLAG_SUBMIT);
	ok(ret == 3 && sq_head(&r) == sq_tail(&r),
	   "to_submit 100 with 3 present: returns 3 (got %ld errno %d)", ret,
	   ret < 0 ? errno : 0);
	reap_check(&r, 3, "to_submit 100, 3 present");

	/* to_submit smaller than what is present */
	for (i = 0; i < 5; i++)
		queue_write(&r, i, 1);
	z = sq_head(&r);
	ret = ring_enter(&r, 2, 0, IORING_FLAG_SUBMIT);
	ok(ret == 2 && sq_head(&r) == (z + 2) % N && sq_count(&r) == 3,
	   "to_submit 2 with 5 present: returns 2 (got %ld), head moved by 2 (%u -> %u)",
	   ret, z, sq_head(&r));
	reap_check(&r, 2, "to_submit 2 of 5");
	ret = ring_enter(&r, 10, 0, IORING_FLAG_SUBMIT);
	ok(ret == 3 && sq_head(&r) == sq_tail(&r),
	   "then to_submit 10 takes the other 3 (got %ld errno %d)", ret,
	   ret < 0 ? errno : 0);
	reap_check(&r, 3, "remaining 3 of 5");

	/* an index written beyond the published tail is not taken */
	queue_write(&r, 0, 1);
	queue_write(&r, 1, 1);
	queue_write(&r, 5, 0);	/* array[tail] = 5, tail not moved */
	hidden_off = offs[5];
	ret = ring_enter(&r, 7, 0, IORING_FLAG_SUBMIT);
	ok(ret == 2 && sq_head(&r) == sq_tail(&r),
	   "2 published + 1 unpublished entry, to_submit 7: returns 2 (got %ld errno %d)",
	   ret, ret < 0 ? errno : 0);
	reap_check(&r, 2, "published entries only");
	memset(chk, 0xee, sizeof(chk));
	ok(pread(fd, chk, RING_BS, hidden_off) == RING_BS &&
	   chk[0] == 0 && !memcmp(chk, chk + 1, RING_BS - 1),
	   "the unpublished iocb was not executed (its block is still zero)");

	ok(ring_destroy(&r) == 0, "io_destroy returns 0");
	close(fd);
	ok_aio_nr_back(start);
	return tap_done();
}
