// SPDX-License-Identifier: MIT
/*
 * fio2018-job-end: the sequence of system calls of the December 2018 fio
 * "aio-ring" engine (fio d63a472d, engines/aioring.c), steady state and
 * job end, in each mode of issue 18, written anew from what the engine
 * does (spec sections 5 and 6):
 *
 *   setup     io_setup2(depth + 1, SCQRING [|IOPOLL] [|FIXEDBUFS]
 *             [|SQTHREAD|SQPOLL] [|SQWQ]); the CQ ring is sized for
 *             2 * (depth + 1) events and at most depth IOs are queued;
 *   commit    io_ring_enter(queued, 0, SUBMIT|GETEVENTS) until all queued
 *             entries are taken; on EAGAIN reap the CQ ring and retry;
 *             with SQPOLL only a wakeup when IORING_SQ_NEED_WAKEUP is set;
 *   getevents reap the CQ ring (moving its head at once); while fewer
 *             than min events were reaped, io_ring_enter(0, min,
 *             GETEVENTS) with the caller's whole min, not what is left
 *             of it (SQPOLL: no call, the loop spins on the CQ ring);
 *   job end   getevents(min 0) once, then getevents(min = IOs in flight),
 *             then io_destroy() with nothing in flight.
 *
 * The job end relies on GETEVENTS returning when fewer requests than
 * min_complete remain in flight (min(min_complete, in flight)); a kernel
 * that waited for min_complete there would never return. The checks:
 * the job end finishes within 10 s (watchdog), every IO completes exactly
 * once with res = 4096, the data read is the data written beforehand,
 * io_destroy() returns 0 and fs.aio-nr is back.
 *
 * The 2018 fio itself took 30 to 90 s per 3 s job on the debug kernel
 * under TCG (issue 18): it zeroes a System V shared memory area for 4096
 * jobs at start and detaches it at exit; see README.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "pattern.h"
#include "ring.h"

#define DEPTH		32
#define BS		4096
#define AREA		(16u << 20)	/* bytes read at random */
#define STEADY_NS	(1000LL * 1000000LL)
#define SEED		0x18f10ULL

struct job {
	struct ring r;
	struct slot_bufs b;
	int fd, sqpoll;
	unsigned int flags;
	unsigned int queued;		/* in the SQ ring, not yet taken */
	unsigned int in_flight;		/* taken, event not reaped */
	uint8_t busy[DEPTH + 1];	/* slot queued or in flight */
	uint64_t issued, completed, stray, bad_res, bad_data, eagain;
	uint64_t rnd;
};

static uint64_t next_off(struct job *j)
{
	j->rnd = j->rnd * 6364136223846793005ULL + 1442695040888963407ULL;
	return ((j->rnd >> 33) % (AREA / BS)) * BS;
}

/* The engine's queue(): one entry, if the ring and the depth allow. */
static int job_queue(struct job *j, unsigned int slot)
{
	struct iocb *cb = &j->r.iocbs[slot];

	if (j->queued + j->in_flight >= DEPTH || !sq_space(&j->r))
		return 0;
	if (j->flags & IOCTX_FLAG_FIXEDBUFS) {
		/* the registered buffer stays; only the offset changes */
		cb->aio_lio_opcode = IOCB_CMD_PREAD;
		cb->aio_fildes = (uint32_t)j->fd;
		cb->aio_offset = (int64_t)next_off(j);
		cb->aio_data = AIO_DATA(0xf10, slot);
		cb->aio_flags = j->flags & IOCTX_FLAG_IOPOLL ? IOCB_FLAG_HIPRI : 0;
	} else {
		iocb_prep(cb, IOCB_CMD_PREAD, j->fd, j->b.buf[slot], BS,
			  next_off(j), AIO_DATA(0xf10, slot),
			  j->flags & IOCTX_FLAG_IOPOLL ? IOCB_FLAG_HIPRI : 0);
	}
	j->busy[slot] = 1;
	sq_push(&j->r, slot);
	j->queued++;
	return 1;
}

/* Reap everything in the CQ ring; returns how many. */
static unsigned int job_reap(struct job *j)
{
	struct io_event ev;
	unsigned int n = 0, slot;

	while (cq_pop(&j->r, &ev)) {
		n++;
		slot = (unsigned int)ev.obj;
		if (slot > DEPTH || !j->busy[slot] ||
		    ev.data != AIO_DATA(0xf10, slot)) {
			j->stray++;
			continue;
		}
		if (ev.res != BS)
			j->bad_res++;
		else if (pattern_check(j->b.buf[slot], BS,
				       (uint64_t)j->r.iocbs[slot].aio_offset,
				       SEED) >= 0)
			j->bad_data++;
		j->busy[slot] = 0;
		j->in_flight--;
		j->completed++;
	}
	return n;
}

/* The engine's commit(). */
static int job_commit(struct job *j)
{
	long ret;

	if (!j->queued)
		return 0;
	if (j->sqpoll) {
		if (__atomic_load_n(&j->r.sq->kflags, __ATOMIC_ACQUIRE) &
		    IORING_SQ_NEED_WAKEUP)
			ring_enter(&j->r, j->queued, 0, IORING_FLAG_SUBMIT);
		j->in_flight += j->queued;
		j->issued += j->queued;
		j->queued = 0;
		return 0;
	}
	while (j->queued) {
		ret = ring_enter(&j->r, j->queued, 0,
				 IORING_FLAG_SUBMIT | IORING_FLAG_GETEVENTS);
		if (ret > 0) {
			j->queued -= (unsigned int)ret;
			j->in_flight += (unsigned int)ret;
			j->issued += (unsigned int)ret;
		} else if (ret < 0 && errno == EAGAIN) {
			j->eagain++;
			if (!job_reap(j))
				usleep(1);
		} else if (ret < 0) {
			diag("io_ring_enter(SUBMIT|GETEVENTS %u): %s", j->queued,
			     strerror(errno));
			return -1;
		}
		if (watchdog_fired)
			return -1;
	}
	return 0;
}

/* The engine's getevents(min): the whole min on every call. */
static int job_getevents(struct job *j, unsigned int min)
{
	unsigned int events = 0, r;
	long ret;

	do {
		r = job_reap(j);
		if (r) {
			events += r;
			continue;
		}
		if (watchdog_fired)
			return -1;
		if (j->sqpoll)
			continue;
		ret = ring_enter(&j->r, 0, min, IORING_FLAG_GETEVENTS);
		if (ret < 0 && errno != EAGAIN) {
			diag("io_ring_enter(GETEVENTS %u): %s", min,
			     strerror(errno));
			return -1;
		}
	} while (events < min);
	return (int)events;
}

static void one_mode(const char *name, const char *path, unsigned int flags)
{
	static const size_t sizes[] = { BS };
	struct job j;
	unsigned int slot;
	int64_t t_end;
	long ret, nr0 = aio_nr();
	int fail = 0;

	memset(&j, 0, sizeof(j));
	j.flags = IOCTX_FLAG_SCQRING | flags;
	j.sqpoll = !!(flags & IOCTX_FLAG_SQPOLL);
	j.rnd = 42;
	j.fd = open(path, O_RDONLY |
		    (flags & IOCTX_FLAG_SQWQ ? 0 : O_DIRECT));
	if (j.fd < 0) {
		skip("%s: open %s: %s", name, path, strerror(errno));
		skip("%s: no job", name);
		skip("%s: no job", name);
		return;
	}
	slot_bufs_alloc(&j.b, DEPTH + 1, sizes, 1);
	ret = ring_setup_bufs(&j.r, DEPTH + 1, j.flags, 0,
			      flags & IOCTX_FLAG_FIXEDBUFS ? j.b.buf : NULL,
			      flags & IOCTX_FLAG_FIXEDBUFS ? j.b.len : NULL);
	if (!ok(ret == 0, "%s: io_setup2(%u, %#x) (%s)", name, DEPTH + 1,
		j.flags, ret ? strerror(errno) : "ok")) {
		skip("%s: no context", name);
		skip("%s: no context", name);
		goto out;
	}

	/* steady state: keep DEPTH queued or in flight for a second */
	watchdog_arm(30);
	t_end = now_ns() + STEADY_NS;
	while (now_ns() < t_end && !fail) {
		for (slot = 0; slot <= DEPTH; slot++)
			if (!j.busy[slot])
				job_queue(&j, slot);
		fail = job_commit(&j) < 0 || job_getevents(&j, 1) < 0;
	}
	watchdog_disarm();

	/* job end: what fio's cleanup_pending_aio() asks of the engine */
	watchdog_arm(10);
	if (!fail)
		fail = job_getevents(&j, 0) < 0;
	if (!fail && j.in_flight)
		fail = job_getevents(&j, j.in_flight + j.queued) < 0;
	watchdog_disarm();
	ok(!fail && !watchdog_fired && !j.in_flight && !j.queued &&
	   j.issued && j.completed == j.issued && !j.stray && !j.bad_res &&
	   !j.bad_data,
	   "%s: the job end returns: %llu IOs issued, %llu completed once, %llu stray, %llu bad res, %llu bad data, %u left in flight, %llu EAGAIN%s",
	   name, (unsigned long long)j.issued,
	   (unsigned long long)j.completed, (unsigned long long)j.stray,
	   (unsigned long long)j.bad_res, (unsigned long long)j.bad_data,
	   j.in_flight, (unsigned long long)j.eagain,
	   watchdog_fired ? " (watchdog: 10 s passed)" : "");
	ret = ring_destroy(&j.r);
	ok(ret == 0 && aio_nr_wait(nr0, 5000) == nr0,
	   "%s: io_destroy with nothing in flight returns 0 (%ld), fs.aio-nr back to %ld",
	   name, ret, nr0);
out:
	slot_bufs_free(&j.b);
	close(j.fd);
}

/* Fill the area of path with the pattern, so reads can be checked. */
static int fill(const char *path, int create)
{
	uint8_t *buf;
	uint32_t off;
	int fd = open(path, O_WRONLY | (create ? O_CREAT | O_TRUNC : 0), 0600);

	if (fd < 0)
		return -1;
	if (posix_memalign((void **)&buf, 4096, BS))
		bail_out("posix_memalign");
	for (off = 0; off < AREA; off += BS) {
		pattern_fill(buf, BS, off, SEED);
		if (pwrite(fd, buf, BS, off) != BS) {
			close(fd);
			free(buf);
			return -1;
		}
	}
	free(buf);
	fsync(fd);
	close(fd);
	return 0;
}

int main(void)
{
	const char *bdev = getenv("AIORING_TEST_BDEV");
	const char *dirs = getenv("AIORING_TEST_DIRS");
	char file[512];

	require_aioring();
	if (!bdev)
		bdev = "/dev/nullb1";
	tap_plan(6 * 3);
	if (fill(bdev, 0))
		bail_out("cannot write the pattern to %s: %s", bdev,
			 strerror(errno));
	snprintf(file, sizeof(file), "%.*s/fio2018-job-end.dat",
		 dirs ? (int)strcspn(dirs, ":") : 4, dirs ? dirs : "/tmp");
	if (fill(file, 1))
		bail_out("cannot write %s: %s", file, strerror(errno));

	one_mode("plain (interrupts)", bdev, 0);
	one_mode("--hipri", bdev, IOCTX_FLAG_IOPOLL);
	one_mode("--fixedbufs", bdev, IOCTX_FLAG_FIXEDBUFS);
	one_mode("--hipri --fixedbufs", bdev,
		 IOCTX_FLAG_IOPOLL | IOCTX_FLAG_FIXEDBUFS);
	one_mode("--sqthread --sqthread_poll --hipri", bdev,
		 IOCTX_FLAG_SQTHREAD | IOCTX_FLAG_SQPOLL | IOCTX_FLAG_IOPOLL);
	one_mode("--sqwq --direct=0 (page cache)", file, IOCTX_FLAG_SQWQ);
	unlink(file);
	return tap_done();
}
