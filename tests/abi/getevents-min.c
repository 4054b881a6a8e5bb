// SPDX-License-Identifier: MIT
/*
 * getevents-min: what io_ring_enter(GETEVENTS, min_complete) waits for
 * and what it returns (spec section 6).
 *
 * Interrupt-driven ring (POLL iocbs on pipes, written by a helper thread
 * at known moments):
 * - with 4 POLLs in flight, min_complete 3 returns only once 3 events are
 *   in the CQ (v9 woke on the first; we wait for min_complete);
 * - with 1 in flight, min_complete 5 returns once that one event is in the
 *   CQ: min(min_complete, in flight), it does not block forever;
 * - the return value is never an event count: GETEVENTS alone returns 0,
 *   SUBMIT|GETEVENTS returns the number of entries submitted even with
 *   more events in the CQ;
 * - a waiter for 4 events that come 40 ms apart sleeps once: it is woken
 *   when its wait can end, not for every event (at most 2 voluntary
 *   context switches of the waiting thread; woken per event it makes 4).
 * With an O_DIRECT target: SUBMIT|GETEVENTS(16, 16) of 16 reads returns
 * 16 with all 16 events in the CQ, on an interrupt ring and on an IOPOLL
 * ring; on the IOPOLL ring GETEVENTS(0, 8) after a SUBMIT of 8 polls
 * until the 8 are in the CQ.
 */
#include <sys/resource.h>

#include "ring_util.h"

#define N	17
#define NP	4

static int pipes[NP][2];

struct writer {
	int delays_ms[NP];	/* < 0: do not write */
};

static void *writer_thread(void *arg)
{
	struct writer *w = arg;
	int64_t t0 = now_ns();
	int i;

	for (i = 0; i < NP; i++) {
		if (w->delays_ms[i] < 0)
			continue;
		while (now_ns() < t0 + (int64_t)w->delays_ms[i] * 1000000LL)
			ms_sleep(5);
		if (write(pipes[i][1], "x", 1) != 1)
			return NULL;
	}
	return NULL;
}

static void drain_pipes(void)
{
	char buf[16];
	int i;

	for (i = 0; i < NP; i++)
		while (read(pipes[i][0], buf, sizeof(buf)) > 0)
			;
}

static void queue_poll(struct ring *r, unsigned int i)
{
	iocb_prep_poll(&r->iocbs[i], pipes[i][0], POLLIN, AIO_DATA(0x90, i));
	sq_push(r, i);
}

/* voluntary context switches of the calling thread so far */
static long thread_nvcsw(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru))
		bail_out("getrusage");
	return ru.ru_nvcsw;
}

static void poll_semantics(void)
{
	struct ring r;
	struct writer w;
	pthread_t th;
	struct io_event ev = { 0 };
	unsigned int i, n;
	long ret, nvcsw;
	int64_t t0;

	for (i = 0; i < NP; i++) {
		if (pipe2(pipes[i], O_NONBLOCK))
			bail_out("pipe2");
	}
	ring_setup_or_bail(&r, N, IOCTX_FLAG_SCQRING);

	/* 4 in flight, min 3 */
	for (i = 0; i < NP; i++)
		queue_poll(&r, i);
	ret = ring_enter(&r, NP, 0, IORING_FLAG_SUBMIT);
	ok(ret == NP, "4 POLLs on empty pipes submitted (got %ld errno %d)", ret,
	   ret < 0 ? errno : 0);
	w.delays_ms[0] = 100;
	w.delays_ms[1] = 300;
	w.delays_ms[2] = 500;
	w.delays_ms[3] = -1;
	pthread_create(&th, NULL, writer_thread, &w);
	t0 = now_ns();
	watchdog_arm(10);
	ret = ring_enter(&r, 0, 3, IORING_FLAG_GETEVENTS);
	watchdog_disarm();
	n = cq_count(&r);
	ok(ret == 0 && n >= 3,
	   "GETEVENTS min 3 with 4 in flight returns 0 (got %ld errno %d) with >= 3 events in the CQ (%u, after %lld ms)",
	   ret, ret < 0 ? errno : 0, n, (long long)((now_ns() - t0) / 1000000));
	pthread_join(th, NULL);
	for (i = 0; i < n; i++)
		cq_pop(&r, &ev);

	/* 1 in flight, min 5 */
	w.delays_ms[0] = w.delays_ms[1] = w.delays_ms[2] = -1;
	w.delays_ms[3] = 200;
	pthread_create(&th, NULL, writer_thread, &w);
	watchdog_arm(10);
	ret = ring_enter(&r, 0, 5, IORING_FLAG_GETEVENTS);
	watchdog_disarm();
	n = cq_count(&r);
	ok(ret == 0 && n == 1 && !watchdog_fired,
	   "GETEVENTS min 5 with 1 in flight returns 0 (got %ld errno %d%s) once its event is in the CQ (%u)",
	   ret, ret < 0 ? errno : 0, watchdog_fired ? ", blocked" : "", n);
	pthread_join(th, NULL);
	if (n)
		ok(cq_pop(&r, &ev) && ev.data == AIO_DATA(0x90, 3) && ev.obj == 3 &&
		   (ev.res & POLLIN),
		   "it is the event of pipe 3 (data %#llx)", (unsigned long long)ev.data);

	/* return values: pipes are all readable now, POLLs complete inline */
	for (i = 0; i < 3; i++)
		queue_poll(&r, i);
	ret = ring_enter(&r, 3, 3, IORING_FLAG_SUBMIT | IORING_FLAG_GETEVENTS);
	ok(ret == 3 && cq_count(&r) == 3,
	   "SUBMIT|GETEVENTS(3, 3) of ready POLLs returns 3 (got %ld), 3 events in the CQ (%u)",
	   ret, cq_count(&r));
	queue_poll(&r, 3);
	ret = ring_enter(&r, 1, 1, IORING_FLAG_SUBMIT | IORING_FLAG_GETEVENTS);
	ok(ret == 1 && cq_count(&r) == 4,
	   "SUBMIT|GETEVENTS(1, 1) with 3 events already in the CQ returns 1, not an event count (got %ld, CQ %u)",
	   ret, cq_count(&r));
	ret = ring_enter(&r, 0, 4, IORING_FLAG_GETEVENTS);
	ok(ret == 0, "GETEVENTS(0, 4) with 4 events in the CQ returns 0 (got %ld)", ret);
	while (cq_pop(&r, &ev))
		;
	drain_pipes();

	/* 4 in flight, min 4, events 40 ms apart: one sleep */
	for (i = 0; i < NP; i++) {
		queue_poll(&r, i);
		w.delays_ms[i] = 40 * (i + 1);
	}
	ret = ring_enter(&r, NP, 0, IORING_FLAG_SUBMIT);
	ok(ret == NP, "4 POLLs on empty pipes submitted again (got %ld)", ret);
	pthread_create(&th, NULL, writer_thread, &w);
	nvcsw = thread_nvcsw();
	watchdog_arm(10);
	ret = ring_enter(&r, 0, NP, IORING_FLAG_GETEVENTS);
	watchdog_disarm();
	nvcsw = thread_nvcsw() - nvcsw;
	n = cq_count(&r);
	pthread_join(th, NULL);
	ok(ret == 0 && n == NP,
	   "GETEVENTS min 4 returns 0 (got %ld errno %d) with the 4 events in the CQ (%u)",
	   ret, ret < 0 ? errno : 0, n);
	ok(nvcsw <= 2,
	   "the waiter for 4 events 40 ms apart slept once, not once per event (%ld voluntary context switches)",
	   nvcsw);
	while (cq_pop(&r, &ev))
		;
	drain_pipes();
	ok(ring_destroy(&r) == 0, "io_destroy returns 0");
	for (i = 0; i < NP; i++) {
		close(pipes[i][0]);
		close(pipes[i][1]);
	}
}

static void batch_reads(struct target *t, unsigned int flags, uint64_t seed)
{
	const char *mode = flags & IOCTX_FLAG_IOPOLL ? "IOPOLL ring" : "irq ring";
	unsigned int aio_flags = flags & IOCTX_FLAG_IOPOLL ? IOCB_FLAG_HIPRI : 0;
	uint8_t *bufs = map_pages(16 * RING_BS);
	struct io_event ev = { 0 };
	struct ring r;
	unsigned int i, n, bad = 0;
	long ret;

	ring_setup_or_bail(&r, N, flags);
	for (i = 0; i < 16; i++) {
		iocb_prep(&r.iocbs[i], IOCB_CMD_PREAD, t->fd, bufs + (size_t)i * RING_BS,
			  RING_BS, (uint64_t)i * RING_BS, AIO_DATA(0x91, i), aio_flags);
		sq_push(&r, i);
	}
	watchdog_arm(20);
	ret = ring_enter(&r, 16, 16, IORING_FLAG_SUBMIT | IORING_FLAG_GETEVENTS);
	watchdog_disarm();
	n = cq_count(&r);
	ok(ret == 16 && n == 16,
	   "%s on %s: SUBMIT|GETEVENTS(16, 16) returns 16 (got %ld errno %d) with 16 events in the CQ (%u)",
	   mode, t->name, ret, ret < 0 ? errno : 0, n);
	while (cq_pop(&r, &ev)) {
		i = ev.data & 0xffff;
		if (ev.res != RING_BS || ev.obj != i ||
		    pattern_check(bufs + (size_t)i * RING_BS, RING_BS,
				  (uint64_t)i * RING_BS, seed) >= 0)
			bad++;
	}
	ring_reap_wait(&r, &ev, 16 - n, 5000);
	ok(!bad, "%s: the 16 reads returned their blocks", mode);

	if (flags & IOCTX_FLAG_IOPOLL) {
		for (i = 0; i < 8; i++) {
			iocb_prep(&r.iocbs[i], IOCB_CMD_PREAD, t->fd,
				  bufs + (size_t)i * RING_BS, RING_BS,
				  (uint64_t)i * RING_BS, AIO_DATA(0x92, i), aio_flags);
			sq_push(&r, i);
		}
		ret = ring_enter(&r, 8, 0, IORING_FLAG_SUBMIT);
		ok(ret == 8, "%s: SUBMIT of 8 polled reads returns 8 (got %ld)", mode, ret);
		watchdog_arm(20);
		ret = ring_enter(&r, 0, 8, IORING_FLAG_GETEVENTS);
		watchdog_disarm();
		ok(ret == 0 && cq_count(&r) == 8,
		   "%s: GETEVENTS(0, 8) polls until the 8 are in the CQ (ret %ld, CQ %u)",
		   mode, ret, cq_count(&r));
		while (cq_pop(&r, &ev))
			;
	}
	ok(ring_destroy(&r) == 0, "%s: io_destroy returns 0", mode);
	unmap_pages(bufs, 16 * RING_BS);
}

int main(void)
{
	struct target t;
	uint64_t seed = pattern_seed();
	uint8_t *buf;
	long start;

	require_aioring();
	start = aio_nr();
	poll_semantics();
	if (target_pick(&t, 1u << 20)) {
		skip("no O_DIRECT target: batches of device reads not tested");
	} else {
		buf = map_pages(16 * RING_BS);
		pattern_fill(buf, 16 * RING_BS, 0, seed);
		if (pwrite(t.fd, buf, 16 * RING_BS, 0) != 16 * RING_BS)
			bail_out("pwrite");
		unmap_pages(buf, 16 * RING_BS);
		batch_reads(&t, IOCTX_FLAG_SCQRING, seed);
		batch_reads(&t, IOCTX_FLAG_SCQRING | IOCTX_FLAG_IOPOLL, seed);
		target_close(&t);
	}
	ok_aio_nr_back(start);
	return tap_done();
}
