// SPDX-License-Identifier: MIT
/*
 * sqthread-cq-stall: an SQ thread whose entries cannot be submitted,
 * because the application does not reap and the CQ ring is full, must
 * neither spin nor hold up teardown (spec 5: completions wait for room in
 * the CQ ring; no user action may hang the kernel).  The fuzzer found
 * the thread spinning in that state without ever scheduling; on a
 * non-preemptible kernel that starved the RCU grace period io_destroy
 * needs, and io_destroy hung for good.
 *
 * For the SQ thread and SQPOLL: nr_events 4 (the SQ ring holds 3 entries,
 * the CQ ring 7 events), writes to a buffered scratch file (they complete
 * inside the thread).  The application queues writes and never reaps
 * until the SQ ring stays full: the CQ ring is full, one completion waits
 * for room and the thread leaves the rest in the SQ ring.  Then
 *  - once SQPOLL's idle second is over, the thread uses less than half a
 *    CPU over one second (it sleeps while it cannot submit);
 *  - the application reaps, and the thread goes on by itself (no more
 *    io_ring_enter calls): every write completes exactly once, res 4096;
 *  - in a child left in the stalled state, io_destroy returns 0 within
 *    5 s.
 */
#include "ring2_util.h"

#define N		4
#define TOTAL		64

static const struct {
	const char *name;
	unsigned int flags;
} modes[] = {
	{ "SQ thread", IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD },
	{ "SQPOLL", IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD | IOCTX_FLAG_SQPOLL },
};

struct stall {
	struct ring r;
	int fd;
	uint8_t *buf;
	unsigned int queued;
	unsigned char seen[TOTAL];
};

/*
 * Queue writes without reaping until the SQ ring has stayed full for
 * 300 ms. Slots go round robin: the SQ ring holds N - 1 entries, so a
 * slot's previous entry has been consumed (its iocb copied) when it comes
 * round again. Returns 0 when stalled, -1 when that did not happen.
 */
static int fill_until_stalled(struct stall *s, unsigned int m)
{
	int64_t end = now_ns() + 10000000000LL, full_since = 0;

	if (ring_setup_bufs(&s->r, N, modes[m].flags, 0, NULL, NULL))
		return -1;
	while (now_ns() < end && s->queued < TOTAL) {
		unsigned int slot = s->queued % s->r.n;

		if (!sq_space(&s->r)) {
			if (!full_since)
				full_since = now_ns();
			if (now_ns() - full_since > 300000000LL)
				return 0;
			ms_sleep(10);
			continue;
		}
		full_since = 0;
		iocb_prep(&s->r.iocbs[slot], IOCB_CMD_PWRITE, s->fd, s->buf, RING_BS,
			  (uint64_t)s->queued * RING_BS, s->queued + 1, 0);
		sq_push(&s->r, slot);
		s->queued++;
		ring_enter(&s->r, 1, 0, IORING_FLAG_SUBMIT);
	}
	return -1;
}

static unsigned int reap(struct stall *s, unsigned long *bad)
{
	struct io_event ev;
	unsigned int n = 0;

	while (cq_pop(&s->r, &ev)) {
		if (ev.data < 1 || ev.data > s->queued || s->seen[ev.data - 1]++ ||
		    ev.res != RING_BS)
			(*bad)++;
		n++;
	}
	return n;
}

static void stall_and_recover(unsigned int m)
{
	const char *what = modes[m].name;
	struct stall s = { .fd = scratch_file("abi-sqthread-cq-stall", 0), .buf = map_pages(RING_BS) };
	unsigned int done = 0;
	unsigned long bad = 0;
	double c0, c1, secs;
	int64_t t0, end;
	pid_t tid = 0;

	memset(s.buf, 0x5a, RING_BS);
	if (fill_until_stalled(&s, m)) {
		ok(0, "%s: the SQ ring stays full while the CQ ring is full (%u writes queued)",
		   what, s.queued);
		if (s.r.ctx)
			ring_destroy(&s.r);
		close(s.fd);
		return;
	}
	ok(1, "%s: stalled with the CQ ring full, %u writes queued, %u left in the SQ ring",
	   what, s.queued, sq_count(&s.r));
	ok(wait_sq_threads(1, 1000, &tid) == 1, "%s: the SQ thread is there", what);
	ms_sleep(1500);		/* past SQPOLL's idle second */
	t0 = now_ns();
	c0 = task_cpu_seconds(tid);
	ms_sleep(1000);
	c1 = task_cpu_seconds(tid);
	secs = (now_ns() - t0) / 1e9;
	ok(c0 >= 0 && c1 >= 0 && (c1 - c0) / secs < 0.5,
	   "%s: the stalled thread sleeps: %.2f s of CPU in %.2f s", what, c1 - c0, secs);

	/* reap only: the thread must go on without being woken */
	end = now_ns() + 10000000000LL;
	while (done < s.queued && now_ns() < end) {
		unsigned int n = reap(&s, &bad);

		done += n;
		if (!n)
			ms_sleep(5);
	}
	ok(done == s.queued && !bad,
	   "%s: after reaping, all %u writes complete without another io_ring_enter (%u, %lu wrong)",
	   what, s.queued, done, bad);
	ok(ring_destroy(&s.r) == 0, "%s: io_destroy", what);
	close(s.fd);
	unmap_pages(s.buf, RING_BS);
}

static void destroy_stalled(void *arg)
{
	unsigned int m = *(unsigned int *)arg;
	struct stall s = { .fd = scratch_file("abi-sqthread-cq-stall", 0), .buf = map_pages(RING_BS) };
	int64_t t0;
	long ret;

	if (fill_until_stalled(&s, m)) {
		ok(0, "%s: stalled before io_destroy", modes[m].name);
		return;
	}
	t0 = now_ns();
	ret = sys_io_destroy(s.r.ctx);
	ok(ret == 0 && now_ns() - t0 < 5000000000LL,
	   "%s: io_destroy of the stalled context returns 0 within 5 s (%ld, %.2f s)",
	   modes[m].name, ret, (now_ns() - t0) / 1e9);
}

int main(void)
{
	unsigned int m;
	long start;

	require_aioring();
	start = aio_nr();
	for (m = 0; m < ARRAY_SIZE(modes); m++) {
		stall_and_recover(m);
		run_child(label("%s: io_destroy while stalled", modes[m].name),
			  destroy_stalled, &m, 30);
	}
	ok_aio_nr_back(start);
	return tap_done();
}
