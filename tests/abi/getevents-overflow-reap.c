// SPDX-License-Identifier: MIT
/*
 * getevents-overflow-reap: a GETEVENTS waiter does not go to sleep while
 * completions are parked for want of CQ room (spec section 5: the kernel
 * keeps them and moves them in once there is room).
 *
 * A review of the wait path (issue 15) described a window: io_ring_enter()
 * moves parked events into the CQ ring, then looks whether its wait is
 * over. If the move filled the ring and another thread reaps from the
 * ring in between, the waiter finds the ring neither full nor holding
 * min_complete events, with requests still counted in flight (the parked
 * ones), and could sleep with nothing left to wake it. This program
 * drives that interleaving as hard as it can. The window was real: the
 * waiter always came back on the vm-debug kernel (22-233 rounds in 12 s),
 * but slept in 5 of 5 runs on the faster vm kernel and on 6.12, until
 * the wait loop flushed again instead of sleeping while events were
 * parked.
 *
 * nr_events 8 (SQ 7, CQ 15): 40 POLLIN polls on one pipe, all submitted,
 * then one byte written: 15 events land in the ring and 25 are parked.
 * A second thread reaps from the CQ ring only: one event whenever the ring
 * is full, all of them once nothing is parked any more; the main thread
 * calls GETEVENTS(min_complete 40) until the reaper has all 40. Each call
 * has 3 s before the watchdog interrupts it: a call that needed the
 * watchdog while events were parked is the hang. Rounds for 12 s; every
 * round every poll comes back exactly once with POLLIN.
 */
#include <poll.h>
#include <pthread.h>

#include "ring_util.h"

#define N	8
#define NPOLL	40
#define SECS	12

static struct ring r;
static unsigned int reaped, bad;
static uint64_t seen;
static volatile int round_on;

/*
 * Reap one event each time the ring is full, at once, so that the pop
 * lands while the waiter is between its move of parked events and its
 * look at the ring; everything once the rest is in the ring.
 */
static void *reaper(void *arg)
{
	struct io_event ev;

	(void)arg;
	while (__atomic_load_n(&round_on, __ATOMIC_ACQUIRE)) {
		unsigned int in_ring = cq_count(&r);

		if (in_ring != r.cq_n - 1 && reaped + in_ring < NPOLL)
			continue;
		if (!cq_pop(&r, &ev))
			continue;
		if (ev.data >= NPOLL || (seen & (1ULL << ev.data)) ||
		    !(ev.res & POLLIN))
			bad++;
		else
			seen |= 1ULL << ev.data;
		__atomic_store_n(&reaped, reaped + 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

int main(void)
{
	unsigned long rounds = 0, calls = 0, hangs = 0, errs = 0, short_rounds = 0;
	int64_t end;
	int p[2];

	require_aioring();
	ring_setup_or_bail(&r, N, IOCTX_FLAG_SCQRING);
	if (pipe(p))
		bail_out("pipe: %s", strerror(errno));

	end = now_ns() + SECS * 1000000000LL;
	while (now_ns() < end && !hangs) {
		unsigned int queued = 0, slot = 0;
		pthread_t th;
		char c;

		reaped = 0;
		seen = 0;
		while (queued < NPOLL) {
			while (sq_space(&r) && queued < NPOLL) {
				iocb_prep_poll(&r.iocbs[slot], p[0], POLLIN, queued++);
				sq_push(&r, slot);
				slot = (slot + 1) % N;
			}
			if (ring_enter(&r, sq_count(&r), 0, IORING_FLAG_SUBMIT) < 0)
				bail_out("SUBMIT of the polls: %s", strerror(errno));
		}
		__atomic_store_n(&round_on, 1, __ATOMIC_RELEASE);
		if (pthread_create(&th, NULL, reaper, NULL))
			bail_out("pthread_create");
		if (write(p[1], "x", 1) != 1)
			bail_out("write to the pipe: %s", strerror(errno));
		while (__atomic_load_n(&reaped, __ATOMIC_ACQUIRE) < NPOLL) {
			long ret;

			watchdog_arm(3);
			ret = ring_enter(&r, 0, NPOLL, IORING_FLAG_GETEVENTS);
			watchdog_disarm();
			calls++;
			if (ret < 0 && watchdog_fired &&
			    __atomic_load_n(&reaped, __ATOMIC_ACQUIRE) < NPOLL) {
				if (!hangs++)
					diag("round %lu: GETEVENTS slept 3 s with %u of %d events reaped and the rest parked",
					     rounds, reaped, NPOLL);
			} else if (ret < 0 && errno != EINTR && !errs++) {
				diag("GETEVENTS: %s", strerror(errno));
			}
			if (errs)
				break;
		}
		__atomic_store_n(&round_on, 0, __ATOMIC_RELEASE);
		pthread_join(th, NULL);
		if (reaped != NPOLL && !short_rounds++)
			diag("round %lu: %u of %d events", rounds, reaped, NPOLL);
		if (read(p[0], &c, 1) != 1)
			bail_out("read from the pipe: %s", strerror(errno));
		rounds++;
		if (errs)
			break;
	}
	diag("%lu rounds, %lu GETEVENTS calls", rounds, calls);
	ok(!hangs, "GETEVENTS never slept while events were parked and the CQ ring had room (%lu of %lu rounds)",
	   hangs, rounds);
	ok(!errs && !bad && !short_rounds && rounds > 0,
	   "every round: each of the %d polls came back once with POLLIN (%lu bad, %lu short rounds, %lu errors)",
	   NPOLL, (unsigned long)bad, short_rounds, errs);
	ok(ring_destroy(&r) == 0, "io_destroy returns 0");
	close(p[0]);
	close(p[1]);
	return tap_done();
}
