// SPDX-License-Identifier: MIT
/*
 * sqthread-setup-race: a context's id is the address of its [aio]
 * mapping, which /proc/self/maps shows while io_setup2() is still
 * running, so any thread of the process can call io_destroy() and
 * io_ring_enter() on a context before io_setup2() has returned. Every
 * such call must find the context complete: with IOCTX_FLAG_SQTHREAD its
 * thread exists and runs from the moment the id can be used, and an
 * io_setup2() that fails leaves nothing behind (review finding C1).
 *
 * For AIORING_RACE_SECONDS (default 15) per run, the main thread of a
 * child creates SQTHREAD (every third one SQTHREAD|SQPOLL) contexts and
 * queues NREQ reads of /dev/zero on each, while two racer threads
 * scan /proc/self/maps and call io_destroy() or io_ring_enter(SUBMIT,
 * GETEVENTS with min 0) on every [aio] mapping they see. Two runs: as
 * root, and as uid 65534 under an RLIMIT_NPROC that leaves no room for
 * the thread every other round. Checks:
 *  - io_setup2 returns 0, or in the limited run EAGAIN (and both happen);
 *  - the racers' calls return 0, EINVAL (not a live context) or, for
 *    io_ring_enter, EAGAIN, EINTR or EBUSY (another caller is inside);
 *  - each context that no racer destroyed completes its NREQ reads, each
 *    exactly once (the racers' io_ring_enter(SUBMIT) only wakes the
 *    thread, never submits inline next to it), and its own io_destroy
 *    returns 0; one a racer destroyed never gets more than NREQ events;
 *  - the child ends in time, not by a signal, with no SQ thread left;
 *    fs.aio-nr is back at its baseline afterwards.
 * The harness fails the run on a KASAN, BUG or lockdep line as well.
 */
#include "ring2_util.h"

#include <sys/resource.h>

#define NREQ		4
#define RING_N		8

struct race {
	volatile int stop;
	int limited;
	unsigned int seconds;
	int zero_fd;
};

struct racer {
	struct race *rc;
	unsigned int seed;
	long bad_ret;		/* the first call with an unexpected result */
	int bad_err;
	unsigned long destroyed, entered;
};

/* The ids of the [aio] mappings in /proc/self/maps; returns how many. */
static int aio_ids(aio_context_t *ids, int max)
{
	static __thread char buf[65536];
	char *p, *line;
	int n = 0;

	if (read_file("/proc/self/maps", buf, sizeof(buf)))
		return 0;
	for (line = buf; line && *line && n < max; line = p ? p + 1 : NULL) {
		p = strchr(line, '\n');
		if (p)
			*p = 0;
		if (strstr(line, "[aio]"))
			ids[n++] = strtoull(line, NULL, 16);
	}
	return n;
}

static void *racer(void *arg)
{
	struct racer *z = arg;
	aio_context_t ids[64];
	unsigned int seed = z->seed;

	while (!z->rc->stop) {
		int n = aio_ids(ids, 64), i;

		for (i = 0; i < n; i++) {
			long ret;
			int e;

			seed = seed * 1103515245u + 12345u;
			/* mostly enter, so that some contexts live on */
			if ((seed >> 16) % 64 == 0) {
				ret = sys_io_destroy(ids[i]);
				e = errno;
				if (!ret)
					z->destroyed++;
				else if (e != EINVAL && !z->bad_ret) {
					z->bad_ret = ret;
					z->bad_err = e;
				}
			} else {
				ret = aioring_io_ring_enter(ids[i], 1, 0,
							    IORING_FLAG_SUBMIT |
							    IORING_FLAG_GETEVENTS);
				e = errno;
				if (ret >= 0)
					z->entered++;
				else if (e != EINVAL && e != EAGAIN && e != EINTR &&
					 e != EBUSY && !z->bad_ret) {
					z->bad_ret = ret;
					z->bad_err = e;
				}
			}
		}
	}
	return NULL;
}

/*
 * Reap until NREQ events or timeout: 0 when each read came exactly once,
 * 1 when the context is gone before they all came, -1 on a wrong event.
 */
static int reap_round(struct ring *r, unsigned int round, int want_all,
		      char *why, size_t len)
{
	unsigned int seen = 0, got = 0;
	int64_t end = now_ns() + 3000000000LL;
	int gone = 0;
	struct io_event ev;

	while (now_ns() < end && got < NREQ) {
		if (!cq_pop(r, &ev)) {
			if (!want_all)
				break;
			/* a racer destroyed it: take what is there and stop */
			if (aioring_io_ring_enter(r->ctx, 0, 0, 0) < 0 && errno == EINVAL) {
				gone = 1;
				want_all = 0;
				continue;
			}
			usleep(200);
			continue;
		}
		if (ev.data >> 8 != round || (ev.data & 0xff) >= NREQ) {
			snprintf(why, len, "stray event data %#llx",
				 (unsigned long long)ev.data);
			return -1;
		}
		if (seen & (1u << (ev.data & 0xff))) {
			snprintf(why, len, "read %u completed twice",
				 (unsigned int)(ev.data & 0xff));
			return -1;
		}
		seen |= 1u << (ev.data & 0xff);
		got++;
		if (ev.res != 512) {
			snprintf(why, len, "read %u: res %lld", (unsigned int)(ev.data & 0xff),
				 (long long)ev.res);
			return -1;
		}
	}
	while (cq_pop(r, &ev))
		got++;
	if (got > NREQ) {
		snprintf(why, len, "%u events for %u reads", got, NREQ);
		return -1;
	}
	if (want_all && got < NREQ) {
		snprintf(why, len, "%u of %u reads completed in 3 s", got, NREQ);
		return -1;
	}
	return gone;
}

static void run(void *arg)
{
	struct race *rc = arg;
	static char bufs[NREQ][512];
	unsigned int round = 0, ok_setups = 0, eagain = 0, lost = 0;
	unsigned long bad_setup = 0, bad_round = 0;
	char why[160] = "", first_bad[200] = "";
	struct racer z[2];
	pthread_t th[2];
	int64_t end;
	int i, threads;

	if (rc->limited) {
		struct rlimit rl;
		int e = drop_to_nobody();

		if (e)
			bail_out("drop to nobody: %s", strerror(-e));
		/* this child's three threads and one SQ thread at a time */
		rl.rlim_cur = rl.rlim_max = 4;
		if (setrlimit(RLIMIT_NPROC, &rl))
			bail_out("setrlimit(RLIMIT_NPROC)");
	}
	for (i = 0; i < 2; i++) {
		memset(&z[i], 0, sizeof(z[i]));
		z[i].rc = rc;
		z[i].seed = 0x9e3779b9u * (i + 1);
		if (pthread_create(&th[i], NULL, racer, &z[i]))
			bail_out("pthread_create");
	}

	end = now_ns() + (int64_t)rc->seconds * 1000000000LL;
	while (now_ns() < end) {
		unsigned int flags = IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD;
		struct ring r;
		long ret;
		int e;

		round = (round + 1) & 0xffffff;
		if (round % 3 == 0)
			flags |= IOCTX_FLAG_SQPOLL;
		if (rc->limited) {
			/* every other round no room for the thread: EAGAIN */
			struct rlimit rl = { round & 1 ? 3 : 4, 4 };

			if (setrlimit(RLIMIT_NPROC, &rl))
				bail_out("setrlimit(RLIMIT_NPROC)");
		}
		ring_prepare(&r, RING_N, flags, 0, NULL, NULL);
		ret = ring_create(&r);
		e = errno;
		if (ret) {
			if (rc->limited && e == EAGAIN) {
				eagain++;
			} else if (!bad_setup++) {
				snprintf(first_bad, sizeof(first_bad),
					 "io_setup2(%#x) = %ld (%s)", flags, ret, strerror(e));
			}
			ring_mem_free(&r);
			continue;
		}
		ok_setups++;
		/* (io_setup2 empties the rings: queue only now) */
		for (i = 0; i < NREQ; i++) {
			iocb_prep(&r.iocbs[i], IOCB_CMD_PREAD, rc->zero_fd, bufs[i], 512,
				  0, (uint64_t)round << 8 | i, 0);
			sq_push(&r, i);
		}
		aioring_io_ring_enter(r.ctx, NREQ, 0, IORING_FLAG_SUBMIT);
		/* all NREQ reads come, unless a racer destroys the context */
		ret = reap_round(&r, round, 1, why, sizeof(why));
		if (ret < 0) {
			if (!bad_round++)
				snprintf(first_bad, sizeof(first_bad), "round %u: %s", round, why);
			sys_io_destroy(r.ctx);
		} else if (ret > 0 || sys_io_destroy(r.ctx)) {
			/* a racer destroyed it (io_destroy then says EINVAL) */
			e = ret > 0 ? EINVAL : errno;
			lost++;
			if (e != EINVAL && !bad_round++)
				snprintf(first_bad, sizeof(first_bad),
					 "round %u: io_destroy: %s", round, strerror(e));
		}
		ring_mem_free(&r);
	}
	rc->stop = 1;
	pthread_join(th[0], NULL);
	pthread_join(th[1], NULL);
	threads = wait_sq_threads(0, 5000, NULL);

	diag("%u contexts, %u destroyed by a racer (%lu io_destroy, %lu io_ring_enter by racers)",
	     ok_setups, lost, z[0].destroyed + z[1].destroyed,
	     z[0].entered + z[1].entered);
	ok(ok_setups >= 20 && !bad_setup && (!rc->limited || eagain),
	   "io_setup2(SQTHREAD) returns 0%s (%u contexts, %u EAGAIN)%s%s",
	   rc->limited ? ", or EAGAIN when RLIMIT_NPROC leaves no room for the thread" : "",
	   ok_setups, eagain, bad_setup ? ": " : "", bad_setup ? first_bad : "");
	ok(!bad_round, "every context completes each of its reads once, or was destroyed by a racer%s%s",
	   bad_round ? ": " : "", bad_round ? first_bad : "");
	for (i = 0; i < 2; i++)
		ok(!z[i].bad_ret, "racer %d: io_destroy and io_ring_enter on a racing id return 0 or EINVAL%s%s",
		   i, z[i].bad_ret ? ": " : "", z[i].bad_ret ? strerror(z[i].bad_err) : "");
	ok(threads == 0, "no SQ thread left once every context is destroyed (%d)", threads);
}

int main(void)
{
	long nr0 = aio_nr();
	struct race rc;
	int limited;

	require_aioring();
	tap_plan(2 * 6 + 1);
	for (limited = 0; limited <= 1; limited++) {
		const char *what = limited ? "uid 65534, RLIMIT_NPROC 4" : "root";
		const char *s = getenv("AIORING_RACE_SECONDS");
		int st;

		memset(&rc, 0, sizeof(rc));
		rc.limited = limited;
		rc.seconds = s && atoi(s) > 0 ? (unsigned int)atoi(s) : 15;
		rc.zero_fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
		if (rc.zero_fd < 0)
			bail_out("open /dev/zero");
		st = run_child_ex(what, run, &rc, rc.seconds + 60, NULL, 1);
		ok(st == 0, "%s: the racing child exits 0 (status %d)", what, st);
		close(rc.zero_fd);
	}
	ok(aio_nr_wait(nr0, 5000) == nr0, "fs.aio-nr back to %ld", nr0);
	return tap_done();
}
