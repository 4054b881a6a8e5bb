// SPDX-License-Identifier: MIT
/*
 * ring-enter-errors: the error rows and trivial cases of io_ring_enter()
 * (spec section 6), on contexts whose IO needs no device (reads of
 * /dev/zero):
 *
 * - unknown ctx ids (0, 1, an unmapped address, a mapped page that is not
 *   a context), a destroyed ctx, contexts without SCQRING (io_setup2
 *   flags 0, IOPOLL only, classic io_setup), and the ctx of the parent in
 *   a forked child: EINVAL;
 * - unknown flag bits (1<<2, 1<<31, with and without SUBMIT): EINVAL, and
 *   no SQ entry is consumed;
 * - flags 0 returns 0 and consumes nothing; SUBMIT with to_submit 0
 *   returns 0; GETEVENTS alone returns 0, with min_complete 0 or 1 and
 *   nothing in flight it returns at once;
 * - an SQ tail >= N written by the application: SUBMIT is EINVAL and the
 *   head does not move (lead's decision); once the tail is valid again
 *   the same ring works.
 */
#include "ring_util.h"

#define N	8

static int zero_fd;

/* Queue one read of /dev/zero in slot, submit it and reap its event. */
static int one_read(struct ring *r, unsigned int slot, uint32_t tag,
		    const char *what)
{
	uint8_t *buf = map_pages(RING_BS);
	struct io_event ev = { 0 };
	unsigned int i, nonzero = 0;
	long ret;
	int all;

	memset(buf, 0xff, RING_BS);
	iocb_prep(&r->iocbs[slot], IOCB_CMD_PREAD, zero_fd, buf, RING_BS, 0,
		  AIO_DATA(tag, slot), 0);
	sq_push(r, slot);
	watchdog_arm(20);
	ret = ring_enter(r, 1, 1, IORING_FLAG_SUBMIT | IORING_FLAG_GETEVENTS);
	watchdog_disarm();
	all = ok(ret == 1 && sq_head(r) == sq_tail(r),
		 "%s: SUBMIT|GETEVENTS of one read returns 1 (got %ld errno %d), SQ drained",
		 what, ret, ret < 0 ? errno : 0);
	if (ret != 1 || ring_reap_wait(r, &ev, 1, 10000) != 1) {
		ok(0, "%s: the read's event arrives", what);
		return 0;
	}
	for (i = 0; i < RING_BS; i++)
		nonzero += buf[i] != 0;
	all &= ok(ev.data == AIO_DATA(tag, slot) && ev.obj == slot &&
		  ev.res == RING_BS && ev.res2 == 0 && !nonzero,
		  "%s: event data %#llx obj %llu res %lld res2 %lld, buffer zeroed",
		  what, (unsigned long long)ev.data, (unsigned long long)ev.obj,
		  (long long)ev.res, (long long)ev.res2);
	unmap_pages(buf, RING_BS);
	return all;
}

static void bad_ids(void)
{
	static const unsigned int fl[] = {
		IORING_FLAG_GETEVENTS, IORING_FLAG_SUBMIT,
		IORING_FLAG_SUBMIT | IORING_FLAG_GETEVENTS, 0,
	};
	uint8_t *fake = map_pages(PAGE_SZ);
	aio_context_t ids[4];
	const char *names[4] = { "ctx 0", "ctx 1", "unmapped address as ctx",
				 "zeroed anonymous page as ctx" };
	unsigned int i, f;

	ids[0] = 0;
	ids[1] = 1;
	ids[2] = (aio_context_t)(uintptr_t)unmapped_address();
	ids[3] = (aio_context_t)(uintptr_t)fake;
	for (i = 0; i < 4; i++)
		for (f = 0; f < 4; f++)
			ok_errno(aioring_io_ring_enter(ids[i], 1, 1, fl[f]), EINVAL,
				 label("%s, flags %#x", names[i], fl[f]));
	unmap_pages(fake, PAGE_SZ);
}

static void dead_and_ringless(void)
{
	struct ring d, r0, rp;
	aio_context_t classic = 0, dead;

	ring_setup_or_bail(&d, N, IOCTX_FLAG_SCQRING);
	dead = d.ctx;
	ok(sys_io_destroy(dead) == 0, "io_destroy of an SCQRING context returns 0");
	ok_errno(aioring_io_ring_enter(dead, 0, 1, IORING_FLAG_GETEVENTS), EINVAL,
		 "destroyed ctx, GETEVENTS");
	ok_errno(aioring_io_ring_enter(dead, 1, 0, IORING_FLAG_SUBMIT), EINVAL,
		 "destroyed ctx, SUBMIT");
	ok_errno(aioring_io_ring_enter(dead, 0, 0, 0), EINVAL, "destroyed ctx, flags 0");
	ring_mem_free(&d);

	ring_setup_or_bail(&r0, N, 0);
	ok_errno(ring_enter(&r0, 0, 1, IORING_FLAG_GETEVENTS), EINVAL,
		 "io_setup2 flags-0 ctx, GETEVENTS");
	ok_errno(ring_enter(&r0, 1, 0, IORING_FLAG_SUBMIT), EINVAL,
		 "io_setup2 flags-0 ctx, SUBMIT");
	ok_errno(ring_enter(&r0, 0, 0, 0), EINVAL, "io_setup2 flags-0 ctx, flags 0");
	ok(ring_destroy(&r0) == 0, "flags-0 ctx still destroys (0)");

	ring_setup_or_bail(&rp, N, IOCTX_FLAG_IOPOLL);
	ok_errno(ring_enter(&rp, 0, 1, IORING_FLAG_GETEVENTS), EINVAL,
		 "IOPOLL-only ctx, GETEVENTS");
	ok_errno(ring_enter(&rp, 1, 0, IORING_FLAG_SUBMIT), EINVAL,
		 "IOPOLL-only ctx, SUBMIT");
	ok_errno(ring_enter(&rp, 0, 0, 0), EINVAL, "IOPOLL-only ctx, flags 0");
	ok(ring_destroy(&rp) == 0, "IOPOLL-only ctx still destroys (0)");

	if (sys_io_setup(N, &classic))
		bail_out("io_setup");
	ok_errno(aioring_io_ring_enter(classic, 0, 1, IORING_FLAG_GETEVENTS), EINVAL,
		 "classic io_setup ctx, GETEVENTS");
	ok_errno(aioring_io_ring_enter(classic, 1, 0, IORING_FLAG_SUBMIT), EINVAL,
		 "classic io_setup ctx, SUBMIT");
	ok(sys_io_destroy(classic) == 0, "classic ctx still destroys (0)");
}

static void bad_flags_and_trivial(void)
{
	static const unsigned int bad[] = {
		1u << 2, 1u << 31, IORING_FLAG_SUBMIT | (1u << 2),
		IORING_FLAG_GETEVENTS | (1u << 3), 0xffffffffu,
	};
	struct ring r;
	uint8_t *buf = map_pages(RING_BS);
	unsigned int i;
	long ret;

	ring_setup_or_bail(&r, N, IOCTX_FLAG_SCQRING);
	/* one entry waits in the SQ through the error cases */
	iocb_prep(&r.iocbs[0], IOCB_CMD_PREAD, zero_fd, buf, RING_BS, 0,
		  AIO_DATA(0x11, 0), 0);
	sq_push(&r, 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ok_errno(ring_enter(&r, 1, 0, bad[i]), EINVAL,
			 label("SCQRING ctx, unknown flag bits %#x", bad[i]));
	}
	ok(sq_head(&r) == 0 && sq_tail(&r) == 1 && cq_tail(&r) == 0,
	   "the queued entry was not consumed by the rejected calls (head %u tail %u)",
	   sq_head(&r), sq_tail(&r));

	ret = ring_enter(&r, 1, 1, 0);
	ok(ret == 0 && sq_head(&r) == 0,
	   "flags 0 (to_submit 1, min 1) returns 0 (got %ld errno %d), consumes nothing",
	   ret, ret < 0 ? errno : 0);
	ret = ring_enter(&r, 0, 0, IORING_FLAG_SUBMIT);
	ok(ret == 0 && sq_head(&r) == 0,
	   "SUBMIT with to_submit 0 returns 0 (got %ld errno %d), consumes nothing",
	   ret, ret < 0 ? errno : 0);
	ret = ring_enter(&r, 1, 0, IORING_FLAG_GETEVENTS);
	ok(ret == 0 && sq_head(&r) == 0,
	   "GETEVENTS alone (to_submit 1, min 0) returns 0 (got %ld errno %d), consumes nothing",
	   ret, ret < 0 ? errno : 0);
	watchdog_arm(10);
	ret = ring_enter(&r, 0, 1, IORING_FLAG_GETEVENTS);
	watchdog_disarm();
	ok(ret == 0,
	   "GETEVENTS min 1 with nothing in flight returns 0 at once (got %ld errno %d%s)",
	   ret, ret < 0 ? errno : 0, watchdog_fired ? ", blocked until the watchdog" : "");
	ok(cq_tail(&r) == 0, "and no event appeared");

	/* drop the waiting entry again: tail back to head */
	__atomic_store_n(&r.sq->tail, 0, __ATOMIC_RELEASE);

	/* tail values >= N */
	{
		static const unsigned int tails[] = { N, N + 1, 0xffffffffu };

		for (i = 0; i < 3; i++) {
			__atomic_store_n(&r.sq->tail, tails[i], __ATOMIC_RELEASE);
			ok_errno(ring_enter(&r, 1, 0, IORING_FLAG_SUBMIT), EINVAL,
				 label("SQ tail %u (N %u), SUBMIT", tails[i], N));
			ok(sq_head(&r) == 0, "SQ tail %u: head did not move (%u)",
			   tails[i], sq_head(&r));
		}
		__atomic_store_n(&r.sq->tail, N, __ATOMIC_RELEASE);
		ok_errno(ring_enter(&r, N - 1, 1,
				    IORING_FLAG_SUBMIT | IORING_FLAG_GETEVENTS),
			 EINVAL, "SQ tail N, SUBMIT|GETEVENTS");
		__atomic_store_n(&r.sq->tail, 0, __ATOMIC_RELEASE);
	}
	ok(cq_tail(&r) == 0 && sq_head(&r) == 0,
	   "no event and no consumption from the bad tails");
	one_read(&r, 3, 0x22, "after the bad tails");
	one_read(&r, 5, 0x23, "and again");
	ok(ring_destroy(&r) == 0, "io_destroy returns 0");
	unmap_pages(buf, RING_BS);
}

static void forked_child(void)
{
	struct ring r;
	pid_t pid;
	int status;

	ring_setup_or_bail(&r, N, IOCTX_FLAG_SCQRING);
	pid = fork();
	if (pid < 0)
		bail_out("fork");
	if (!pid) {
		long a = aioring_io_ring_enter(r.ctx, 0, 1, IORING_FLAG_GETEVENTS);
		int ea = errno;
		long b = aioring_io_ring_enter(r.ctx, 1, 0, IORING_FLAG_SUBMIT);
		int eb = errno;

		_exit(a == -1 && ea == EINVAL && b == -1 && eb == EINVAL ? 0 : 1);
	}
	if (waitpid(pid, &status, 0) != pid)
		bail_out("waitpid");
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "a forked child gets EINVAL for the parent's ctx (GETEVENTS and SUBMIT)");
	one_read(&r, 0, 0x33, "parent's ring after the child");
	ok(ring_destroy(&r) == 0, "parent's io_destroy returns 0");
}

int main(void)
{
	long start;

	require_aioring();
	start = aio_nr();
	zero_fd = open("/dev/zero", O_RDONLY);
	if (zero_fd < 0)
		bail_out("open /dev/zero");
	bad_ids();
	dead_and_ringless();
	bad_flags_and_trivial();
	forked_child();
	close(zero_fd);
	ok_aio_nr_back(start);
	return tap_done();
}
