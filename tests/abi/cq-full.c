// SPDX-License-Identifier: MIT
/*
 * cq-full: with interrupt-driven (non-IOPOLL) completions no event is
 * ever lost when the CQ ring is full (spec section 5: the kernel keeps
 * such completions and flushes them when space appears; v9 dropped them).
 *
 * N = 4: the SQ holds 3 and the CQ 2N-1 = 7.  40 writes (each block its
 * own pattern) are submitted in rounds of 3 without reaping; SUBMIT may
 * answer EAGAIN while the CQ is full, and only then the program reaps and
 * retries.  At the end everything is reaped: every aio_data appears
 * exactly once with obj = the iocb index it was queued from (slots are
 * reused once the kernel consumed the entry: it copied the iocb), res =
 * 4096, res2 = 0, and every block holds its data.
 *
 * Run 1 writes a buffered scratch file (the write completes inside
 * SUBMIT, so the fill level is exact: the CQ must hold exactly
 * min(7, completed - reaped) events, and after reaping 3 of a full CQ a
 * GETEVENTS call refills it from the kept completions).  Run 2 does the
 * same with O_DIRECT writes to a block device or file, whose completions
 * come from interrupts.
 */
#include "ring_util.h"

#define N		4
#define TOTAL		40

struct op {
	unsigned int slot;
	int seen;
};

static uint64_t seed;

static void run(int fd, uint64_t base, int exact, const char *what)
{
	struct ring r;
	struct op ops[TOTAL];
	uint8_t *bufs = map_pages((size_t)TOTAL * RING_BS);
	unsigned int next = 0, consumed = 0, reaped = 0, slot_rr = 0, i;
	unsigned long eagain = 0, bad = 0, dup = 0, fill_bad = 0, max_cq = 0;
	int64_t end = now_ns() + 30 * 1000000000LL;
	struct io_event ev = { 0 };
	long ret;
	int err = 0;

	memset(ops, 0, sizeof(ops));
	ring_setup_or_bail(&r, N, IOCTX_FLAG_SCQRING);

#define REAP_ONE()							\
	do {								\
		uint64_t idx = ev.data & 0xffffffffULL;			\
		reaped++;						\
		if ((ev.data >> 32) != 0xc0 || idx >= next) {		\
			if (!bad++)					\
				diag("%s: stray event data %#llx", what,	\
				     (unsigned long long)ev.data);	\
		} else if (ops[idx].seen++) {				\
			if (!dup++)					\
				diag("%s: op %llu completed twice", what,	\
				     (unsigned long long)idx);		\
		} else if (ev.obj != ops[idx].slot || ev.res != RING_BS ||	\
			   ev.res2 != 0) {				\
			if (!bad++)					\
				diag("%s: op %llu: obj %llu (slot %u) res %lld res2 %lld", \
				     what, (unsigned long long)idx,	\
				     (unsigned long long)ev.obj, ops[idx].slot, \
				     (long long)ev.res, (long long)ev.res2);	\
		}							\
	} while (0)

	/* phase 1: submit everything, reaping only when told EAGAIN */
	while (consumed < TOTAL && now_ns() < end) {
		unsigned int k, h0;

		while (sq_space(&r) && next < TOTAL) {
			uint64_t off = base + (uint64_t)next * RING_BS;
			unsigned int slot = slot_rr++ % N;

			ops[next].slot = slot;
			pattern_fill(bufs + (size_t)next * RING_BS, RING_BS, off, seed);
			iocb_prep(&r.iocbs[slot], IOCB_CMD_PWRITE, fd,
				  bufs + (size_t)next * RING_BS, RING_BS, off,
				  AIO_DATA(0xc0, next), 0);
			sq_push(&r, slot);
			next++;
		}
		h0 = sq_head(&r);
		ret = ring_enter(&r, sq_count(&r), 0, IORING_FLAG_SUBMIT);
		k = (sq_head(&r) + N - h0) % N;
		if (ret < 0 && errno == EAGAIN) {
			eagain++;
			while (cq_pop(&r, &ev))
				REAP_ONE();
			continue;
		}
		if (ret < 0) {
			err = errno;
			diag("%s: SUBMIT: %s", what, strerror(err));
			break;
		}
		if ((unsigned int)ret != k && !bad++)
			diag("%s: SUBMIT returned %ld, consumed %u", what, ret, k);
		consumed += k;
		if (!exact)
			ms_sleep(3);	/* let the interrupts land */
		if (cq_count(&r) > max_cq)
			max_cq = cq_count(&r);
		if (exact) {
			unsigned int want = consumed - reaped;

			if (want > 2 * N - 1)
				want = 2 * N - 1;
			if (cq_count(&r) != want && !fill_bad++)
				diag("%s: %u completed, %u reaped: CQ holds %u, expected %u",
				     what, consumed, reaped, cq_count(&r), want);
		}
		if (!ring_indexes_sane(&r) && !bad++)
			diag("%s: ring indexes out of range", what);
	}
	ok(!err && consumed == TOTAL,
	   "%s: all %d writes submitted without reaping except on EAGAIN (%u submitted, %lu EAGAIN)",
	   what, TOTAL, consumed, eagain);
	ok(max_cq == 2 * N - 1 || eagain,
	   "%s: the CQ was driven full (max %lu of %u events) or SUBMIT said EAGAIN",
	   what, max_cq, 2 * N - 1);
	if (exact)
		ok(!fill_bad, "%s: the CQ held exactly min(2N-1, completed - reaped) events after each SUBMIT",
		   what);

	/* exact mode: reap 3 of a full CQ, GETEVENTS refills it */
	if (exact && cq_count(&r) == 2 * N - 1 && consumed - reaped > 2 * N - 1) {
		unsigned int want;

		for (i = 0; i < 3 && cq_pop(&r, &ev); i++)
			REAP_ONE();
		want = consumed - reaped < 2 * N - 1 ? consumed - reaped : 2 * N - 1;
		ret = ring_enter(&r, 0, 1, IORING_FLAG_GETEVENTS);
		ok(ret == 0 && cq_count(&r) == want,
		   "%s: after reaping 3 of a full CQ, GETEVENTS moves the kept completions in (ret %ld, CQ %u, want %u)",
		   what, ret, cq_count(&r), want);
	} else if (exact) {
		diag("%s: no kept completions at the end of phase 1 (CQ %u, %u unreaped)",
		     what, cq_count(&r), consumed - reaped);
	}

	/* phase 2: reap everything */
	watchdog_arm(30);
	while (reaped < consumed && !watchdog_fired && now_ns() < end) {
		if (cq_pop(&r, &ev)) {
			REAP_ONE();
			continue;
		}
		ret = ring_enter(&r, 0, 1, IORING_FLAG_GETEVENTS);
		if (ret < 0 && errno != EAGAIN && errno != EINTR) {
			diag("%s: GETEVENTS: %s", what, strerror(errno));
			break;
		}
	}
	watchdog_disarm();
	ret = ring_enter(&r, 0, 0, IORING_FLAG_GETEVENTS);
	ms_sleep(20);
	while (cq_pop(&r, &ev))
		REAP_ONE();
#undef REAP_ONE
	for (i = 0; i < consumed; i++)
		if (!ops[i].seen && !bad++)
			diag("%s: op %u never completed", what, i);
	ok(reaped == consumed && !bad && !dup,
	   "%s: every one of the %u aio_data came back exactly once (%u events, %lu bad, %lu duplicate)",
	   what, consumed, reaped, bad, dup);
	ok(verify_sync(fd, base, consumed, seed) < 0,
	   "%s: all %u blocks hold their data", what, consumed);
	ok(ring_destroy(&r) == 0, "%s: io_destroy returns 0", what);
	unmap_pages(bufs, (size_t)TOTAL * RING_BS);
}

int main(void)
{
	struct target t;
	long start;
	int fd;

	require_aioring();
	start = aio_nr();
	seed = pattern_seed();

	fd = scratch_file("abi-cq-full", 0);
	run(fd, 0, 1, "buffered file (completion inside SUBMIT)");
	close(fd);

	if (target_pick(&t, 1u << 20)) {
		skip("no O_DIRECT target: interrupt completions into a full CQ not tested");
	} else {
		run(t.fd, 0, 0, label("O_DIRECT %s (interrupt completions)", t.name));
		target_close(&t);
	}
	ok_aio_nr_back(start);
	return tap_done();
}
