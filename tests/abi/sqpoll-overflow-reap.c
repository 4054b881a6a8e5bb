// SPDX-License-Identifier: MIT
/*
 * sqpoll-overflow-reap: events that completed while the CQ ring was full
 * reach the ring once the application makes room, even when it never
 * enters the kernel again (review finding M3: with SQPOLL and nothing
 * left in the SQ ring the thread went to sleep with the events parked,
 * and an application that reaps only from the CQ ring, as the 2018 fio
 * engine does, waited for ever).
 *
 * For SQTHREAD|SQPOLL and SQTHREAD (no IOPOLL), nr_events 4 (the CQ
 * ring holds 7 events): 8 reads of /dev/zero, queued one at a time, each
 * once the thread took and completed the one before, nothing reaped: the
 * last one completes with the CQ ring full, and the SQ ring is empty.
 * After 1.5 s (the thread idles) the application reaps from the CQ ring
 * only, without any system call, for 5 s: every read arrives exactly once
 * with res 512 and zeroed data.
 */
#include "ring2_util.h"

#define RING_N	4
#define NREQ	(2 * RING_N)	/* one more than the CQ ring holds */
#define LEN	512

static void one_mode(unsigned int flags, const char *what)
{
	static uint8_t buf[NREQ][LEN];
	unsigned int i, got = 0, good = 0, seen = 0;
	struct io_event ev;
	struct ring r;
	int fd = open("/dev/zero", O_RDONLY);
	int64_t end;

	if (fd < 0)
		bail_out("open /dev/zero");
	memset(buf, 0xa5, sizeof(buf));
	ring_setup_or_bail(&r, RING_N, flags);
	for (i = 0; i < NREQ; i++) {
		unsigned int slot = sq_tail(&r);

		iocb_prep(&r.iocbs[slot], IOCB_CMD_PREAD, fd, buf[i], LEN, 0, i, 0);
		sq_push(&r, slot);
		ring_enter(&r, 1, 0, IORING_FLAG_SUBMIT);
		if (sq_wait_drained(&r, 5000))
			bail_out("%s: the thread did not take read %u", what, i);
		/* let it complete before the next: the CQ ring fills */
		ms_sleep(50);
	}
	ms_sleep(1500);
	end = now_ns() + 5000000000LL;
	while (got < NREQ && now_ns() < end) {
		if (!cq_pop(&r, &ev)) {
			ms_sleep(1);
			continue;
		}
		got++;
		if (ev.data < NREQ && ev.res == LEN && !(seen & (1u << ev.data)) &&
		    !buf[ev.data][0] && !buf[ev.data][LEN - 1]) {
			seen |= 1u << ev.data;
			good++;
		}
	}
	ok(got == NREQ && good == NREQ,
	   "%s: %d reads, more than the CQ ring holds, all reaped from the ring without a system call (%u events, %u good)",
	   what, NREQ, got, good);
	ok(ring_destroy(&r) == 0, "%s: io_destroy", what);
	close(fd);
}

int main(void)
{
	return r2_main_sq_modes(one_mode, 2);
}
