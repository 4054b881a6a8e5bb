// SPDX-License-Identifier: MIT
/*
 * sqthread-getevents-wake: io_ring_enter(GETEVENTS) on an SQ-thread
 * context counts the entries the thread has not taken yet as in flight,
 * so it waits for them; it must then make sure the thread takes them
 * (review finding L5: a sleeping thread was never woken, and the caller
 * waited for ever).
 *
 * For SQTHREAD and SQTHREAD|SQPOLL (after the thread went to sleep: 1.5 s
 * idle): one read of /dev/zero is queued in the SQ ring without
 * IORING_FLAG_SUBMIT, then io_ring_enter(0, 1, GETEVENTS) under a 5 s
 * alarm: it returns 0, not EINTR, and the read's event (res 512, zeroed
 * data) is in the CQ ring.
 */
#include "ring2_util.h"

#define LEN	512

static void one_mode(unsigned int flags, const char *what)
{
	static uint8_t buf[LEN];
	int fd = open("/dev/zero", O_RDONLY), e;
	struct io_event ev = { 0 };
	unsigned int got;
	struct ring r;
	long ret;

	if (fd < 0)
		bail_out("open /dev/zero");
	memset(buf, 0x5a, sizeof(buf));
	ring_setup_or_bail(&r, 4, flags);
	ms_sleep(1500);
	iocb_prep(&r.iocbs[0], IOCB_CMD_PREAD, fd, buf, LEN, 0, 42, 0);
	sq_push(&r, 0);
	watchdog_arm(5);
	ret = ring_enter(&r, 0, 1, IORING_FLAG_GETEVENTS);
	e = errno;
	watchdog_disarm();
	got = cq_pop(&r, &ev);
	ok(ret == 0 && got == 1 && ev.res == LEN && ev.data == 42 && !buf[0],
	   "%s: GETEVENTS for an entry queued without SUBMIT returns with its event (%ld%s%s, %u event)",
	   what, ret, ret < 0 ? ", " : "", ret < 0 ? strerror(e) : "", got);
	if (!got) {
		/* let the thread take it before the context goes */
		ring_enter(&r, 1, 0, IORING_FLAG_SUBMIT);
		ring_reap_wait(&r, &ev, 1, 2000);
	}
	ok(ring_destroy(&r) == 0, "%s: io_destroy", what);
	close(fd);
}

int main(void)
{
	return r2_main_sq_modes(one_mode, 2);
}
