// SPDX-License-Identifier: MIT
/*
 * getevents-sqthread-race: io_ring_enter(SUBMIT|GETEVENTS, 1, 1) on an
 * SQ-thread context returns only once an event is in the CQ ring (review
 * finding M4: the waiter read the in-flight count before the SQ head, so
 * when the thread took the entry between the two reads it saw nothing in
 * flight and nothing pending, and returned with no event).
 *
 * For SQTHREAD and SQTHREAD|SQPOLL, for AIORING_RACE_SECONDS (default 5)
 * each: queue one read of /dev/zero, io_ring_enter(SUBMIT|GETEVENTS,
 * 1, 1); on return the CQ ring must hold its event (res 512). Every
 * return without it is counted; the check is that there are none.
 */
#include "ring2_util.h"

#define LEN	512

static void one_mode(unsigned int flags, const char *what, unsigned int secs)
{
	static uint8_t buf[LEN];
	unsigned long rounds = 0, early = 0, bad = 0;
	int fd = open("/dev/zero", O_RDONLY);
	int64_t end = now_ns() + (int64_t)secs * 1000000000LL;
	struct io_event ev;
	struct ring r;

	if (fd < 0)
		bail_out("open /dev/zero");
	ring_setup_or_bail(&r, 4, flags);
	while (now_ns() < end) {
		unsigned int slot = sq_tail(&r);
		long ret;

		iocb_prep(&r.iocbs[slot], IOCB_CMD_PREAD, fd, buf, LEN, 0, rounds, 0);
		sq_push(&r, slot);
		ret = ring_enter(&r, 1, 1, IORING_FLAG_SUBMIT | IORING_FLAG_GETEVENTS);
		if (ret < 0 && errno != EINTR && errno != EAGAIN)
			bail_out("%s: io_ring_enter", what);
		if (!cq_count(&r))
			early++;
		/* catch up, so that each round starts with empty rings */
		if (ring_reap_wait(&r, &ev, 1, 5000) != 1) {
			bad++;
			break;
		}
		if (ev.res != LEN || ev.data != rounds)
			bad++;
		rounds++;
	}
	ok(rounds > 100 && !early && !bad,
	   "%s: %lu rounds, %lu returned with an empty CQ ring, %lu wrong events",
	   what, rounds, early, bad);
	ok(ring_destroy(&r) == 0, "%s: io_destroy", what);
	close(fd);
}

int main(void)
{
	const char *s = getenv("AIORING_RACE_SECONDS");
	unsigned int secs = s && atoi(s) > 0 ? atoi(s) : 5;
	long nr0 = aio_nr();

	require_aioring();
	tap_plan(2 * 2 + 1);
	one_mode(IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD, "SQTHREAD", secs);
	one_mode(IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD | IOCTX_FLAG_SQPOLL, "SQPOLL", secs);
	ok(aio_nr_wait(nr0, 5000) == nr0, "fs.aio-nr back to %ld", nr0);
	return tap_done();
}
