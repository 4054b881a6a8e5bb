// SPDX-License-Identifier: MIT
/*
 * iopoll-errors: what a polled context refuses (spec section 7, IOPOLL),
 * on an SCQRING|IOPOLL ring (io_ring_enter fails, the SQ entry is not
 * consumed, no event) and on an IOPOLL context without rings (io_submit
 * fails):
 *
 *   iocb without IOCB_FLAG_HIPRI                         EINVAL
 *   a buffered fd (the target opened without O_DIRECT)   EOPNOTSUPP
 *   a file on tmpfs                                      EOPNOTSUPP
 *   an O_DIRECT fd without ->iopoll (packet pipe)        EOPNOTSUPP
 *   IOCB_CMD_FSYNC / FDSYNC / POLL                       EINVAL
 *   IOCB_FLAG_RESFD                                      EINVAL
 *
 * A batch [valid, no HIPRI] submits 1 on both paths.  HIPRI on io_setup2
 * contexts without IOPOLL (flags 0, SCQRING) is EINVAL; on a classic
 * io_setup context it is ignored as in stock 6.1: the read completes by
 * itself, even on a device with poll queues.  The polled contexts still
 * work after all refusals.
 */
#include "ring_util.h"
#include <sys/eventfd.h>

#define N		8
#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC	0x01021994
#endif

static struct target tgt;
static uint64_t seed;
static uint8_t *buf;

static void ring_refuses(struct ring *r, const struct iocb *cb, int want,
			 const char *what)
{
	unsigned int h = sq_head(r);
	struct io_event ev = { 0 };
	long ret;
	int e;

	r->iocbs[1] = *cb;
	sq_push(r, 1);
	ret = ring_enter(r, 1, 0, IORING_FLAG_SUBMIT);
	e = errno;
	ok(ret == -1 && e == want && sq_head(r) == h && cq_count(r) == 0,
	   "ring: %s: %s, entry not consumed (got ret %ld errno %d %s, head %u -> %u)",
	   what, strerrorname_np(want), ret, ret < 0 ? e : 0,
	   ret < 0 ? strerror(e) : "-", h, sq_head(r));
	if (ret > 0)
		ring_reap_wait(r, &ev, 1, 2000);
	else
		__atomic_store_n(&r->sq->tail, sq_head(r), __ATOMIC_RELEASE);
}

static void submit_refuses(aio_context_t ctx, struct iocb *cb, int want,
			   const char *what)
{
	struct io_event ev = { 0 };
	long ret = sys_io_submit(ctx, 1, &cb);
	int e = errno;

	ok(ret == -1 && e == want,
	   "io_submit: %s: %s (got ret %ld errno %d %s)", what,
	   strerrorname_np(want), ret, ret < 0 ? e : 0, ret < 0 ? strerror(e) : "-");
	if (ret > 0)
		getevents_wait(ctx, 1, &ev, 2000);
}

static void both_refuse(struct ring *r, struct ring *s, struct iocb *cb, int want,
			const char *what)
{
	ring_refuses(r, cb, want, what);
	submit_refuses(s->ctx, cb, want, what);
}

/* A valid polled read of block 0 through the ring, checked. */
static void ring_read_ok(struct ring *r, const char *what)
{
	struct io_event ev = { 0 };
	long ret;

	while (cq_pop(r, &ev))
		diag("stale event in the CQ: data %#llx res %lld",
		     (unsigned long long)ev.data, (long long)ev.res);
	memset(buf, 0, RING_BS);
	iocb_prep(&r->iocbs[2], IOCB_CMD_PREAD, tgt.fd, buf, RING_BS, 0,
		  AIO_DATA(0x99, 2), IOCB_FLAG_HIPRI);
	sq_push(r, 2);
	watchdog_arm(15);
	ret = ring_enter(r, 1, 1, IORING_FLAG_SUBMIT | IORING_FLAG_GETEVENTS);
	watchdog_disarm();
	ok(ret == 1 && ring_reap_wait(r, &ev, 1, 10000) == 1 &&
	   ev.data == AIO_DATA(0x99, 2) && ev.obj == 2 && ev.res == RING_BS &&
	   pattern_check(buf, RING_BS, 0, seed) < 0,
	   "ring: %s: a valid polled read works (ret %ld, res %lld)", what, ret,
	   (long long)ev.res);
}

static void submit_read_ok(struct ring *s, const char *what)
{
	struct io_event ev = { 0 };
	struct iocb *p = &s->iocbs[0];
	long ret;

	memset(buf, 0, RING_BS);
	iocb_prep(p, IOCB_CMD_PREAD, tgt.fd, buf, RING_BS, 0, AIO_DATA(0x98, 0),
		  IOCB_FLAG_HIPRI);
	ret = sys_io_submit(s->ctx, 1, &p);
	ok(ret == 1 && getevents_wait(s->ctx, 1, &ev, 10000) == 1 &&
	   ev.data == AIO_DATA(0x98, 0) && ev.obj == (uint64_t)(uintptr_t)p &&
	   ev.res == RING_BS && pattern_check(buf, RING_BS, 0, seed) < 0,
	   "io_submit: %s: a valid polled read works (ret %ld, res %lld)", what,
	   ret, (long long)ev.res);
}

static void refusals(struct ring *r, struct ring *s)
{
	struct iocb cb;
	struct statfs sfs;
	char path[PATH_MAX];
	const char *const dirs[] = { "/dev/shm", getenv("TMPDIR"), "/tmp", "/run" };
	int fd, p[2], efd;
	unsigned int i;

	iocb_prep(&cb, IOCB_CMD_PREAD, tgt.fd, buf, RING_BS, 0, AIO_DATA(1, 1), 0);
	both_refuse(r, s, &cb, EINVAL, "read without IOCB_FLAG_HIPRI");
	iocb_prep(&cb, IOCB_CMD_PWRITE, tgt.fd, buf, RING_BS, 0, AIO_DATA(1, 1), 0);
	both_refuse(r, s, &cb, EINVAL, "write without IOCB_FLAG_HIPRI");

	/* buffered fd of the same target */
	fd = open(tgt.path, O_RDWR);
	if (fd < 0)
		bail_out("open %s", tgt.path);
	iocb_prep(&cb, IOCB_CMD_PREAD, fd, buf, RING_BS, 0, AIO_DATA(1, 2),
		  IOCB_FLAG_HIPRI);
	both_refuse(r, s, &cb, EOPNOTSUPP, label("HIPRI read on %s opened without O_DIRECT", tgt.name));
	close(fd);

	/* tmpfs */
	fd = -1;
	for (i = 0; i < ARRAY_SIZE(dirs) && fd < 0; i++) {
		if (!dirs[i] || statfs(dirs[i], &sfs) || sfs.f_type != TMPFS_MAGIC)
			continue;
		snprintf(path, sizeof(path), "%s/abi-iopoll-errors-%d", dirs[i],
			 (int)getpid());
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0) {
			unlink(path);
			if (ftruncate(fd, 65536))
				bail_out("ftruncate");
		}
	}
	if (fd < 0) {
		skip("no tmpfs directory: tmpfs file not tested");
	} else {
		iocb_prep(&cb, IOCB_CMD_PREAD, fd, buf, RING_BS, 0, AIO_DATA(1, 3),
			  IOCB_FLAG_HIPRI);
		both_refuse(r, s, &cb, EOPNOTSUPP, "HIPRI read of a tmpfs file");
		close(fd);
	}

	/* O_DIRECT but no ->iopoll */
	if (pipe2(p, O_DIRECT | O_NONBLOCK))
		bail_out("pipe2(O_DIRECT | O_NONBLOCK)");
	if (write(p[1], buf, 512) != 512)
		bail_out("write pipe");
	iocb_prep(&cb, IOCB_CMD_PREAD, p[0], buf, 512, 0, AIO_DATA(1, 4),
		  IOCB_FLAG_HIPRI);
	both_refuse(r, s, &cb, EOPNOTSUPP, "HIPRI read of an O_DIRECT (packet) pipe");

	/* opcodes */
	iocb_prep(&cb, IOCB_CMD_FSYNC, tgt.fd, NULL, 0, 0, AIO_DATA(1, 6),
		  IOCB_FLAG_HIPRI);
	both_refuse(r, s, &cb, EINVAL, "IOCB_CMD_FSYNC with HIPRI");
	cb.aio_flags = 0;
	both_refuse(r, s, &cb, EINVAL, "IOCB_CMD_FSYNC without HIPRI");
	iocb_prep(&cb, IOCB_CMD_FDSYNC, tgt.fd, NULL, 0, 0, AIO_DATA(1, 7),
		  IOCB_FLAG_HIPRI);
	both_refuse(r, s, &cb, EINVAL, "IOCB_CMD_FDSYNC with HIPRI");
	iocb_prep_poll(&cb, p[0], POLLIN, AIO_DATA(1, 8));
	cb.aio_flags = IOCB_FLAG_HIPRI;
	both_refuse(r, s, &cb, EINVAL, "IOCB_CMD_POLL with HIPRI");
	close(p[0]);
	close(p[1]);

	/* RESFD */
	efd = eventfd(0, EFD_CLOEXEC);
	if (efd < 0)
		bail_out("eventfd");
	iocb_prep(&cb, IOCB_CMD_PREAD, tgt.fd, buf, RING_BS, 0, AIO_DATA(1, 9),
		  IOCB_FLAG_HIPRI | IOCB_FLAG_RESFD);
	cb.aio_resfd = efd;
	both_refuse(r, s, &cb, EINVAL, "HIPRI read with IOCB_FLAG_RESFD");
	close(efd);
}

static void mixed_batches(struct ring *r, struct ring *s)
{
	uint8_t *b2 = map_pages(2 * RING_BS);
	struct iocb *ptrs[2];
	struct io_event ev = { 0 };
	unsigned int h;
	long ret;

	/* io_submit [valid, no HIPRI] */
	iocb_prep(&s->iocbs[0], IOCB_CMD_PREAD, tgt.fd, b2, RING_BS, 0,
		  AIO_DATA(0x70, 0), IOCB_FLAG_HIPRI);
	iocb_prep(&s->iocbs[1], IOCB_CMD_PREAD, tgt.fd, b2 + RING_BS, RING_BS, 0,
		  AIO_DATA(0x70, 1), 0);
	ptrs[0] = &s->iocbs[0];
	ptrs[1] = &s->iocbs[1];
	ret = sys_io_submit(s->ctx, 2, ptrs);
	ok(ret == 1, "io_submit [HIPRI read, read without HIPRI] returns 1 (got %ld errno %d)",
	   ret, ret < 0 ? errno : 0);
	if (ret == 1)
		ok(getevents_wait(s->ctx, 1, &ev, 10000) == 1 &&
		   ev.obj == (uint64_t)(uintptr_t)ptrs[0] && ev.res == RING_BS,
		   "io_submit: the first one completes (res %lld)", (long long)ev.res);

	/* ring [valid, no HIPRI] */
	h = sq_head(r);
	iocb_prep(&r->iocbs[3], IOCB_CMD_PREAD, tgt.fd, b2, RING_BS, 0,
		  AIO_DATA(0x71, 3), IOCB_FLAG_HIPRI);
	iocb_prep(&r->iocbs[4], IOCB_CMD_PREAD, tgt.fd, b2 + RING_BS, RING_BS, 0,
		  AIO_DATA(0x71, 4), 0);
	sq_push(r, 3);
	sq_push(r, 4);
	ret = ring_enter(r, 2, 0, IORING_FLAG_SUBMIT);
	ok(ret == 1 && sq_head(r) == (h + 1) % N,
	   "ring [HIPRI read, read without HIPRI]: SUBMIT returns 1 (got %ld errno %d), head on the bad one",
	   ret, ret < 0 ? errno : 0);
	ok(ring_reap_wait(r, &ev, 1, 10000) == 1 && ev.obj == 3 && ev.res == RING_BS,
	   "ring: the first one completes (obj %llu res %lld)",
	   (unsigned long long)ev.obj, (long long)ev.res);
	r->iocbs[4].aio_flags = IOCB_FLAG_HIPRI;
	ret = ring_enter(r, 1, 1, IORING_FLAG_SUBMIT | IORING_FLAG_GETEVENTS);
	ok(ret == 1 && ring_reap_wait(r, &ev, 1, 10000) == 1 && ev.obj == 4 &&
	   ev.res == RING_BS,
	   "ring: after setting HIPRI on it, the second one goes through (ret %ld)", ret);
	unmap_pages(b2, 2 * RING_BS);
}

static void hipri_elsewhere(void)
{
	struct ring f0, sq;
	struct iocb cb, *p = &cb;
	struct io_event ev = { 0 };
	struct timespec ts = { 10, 0 };
	aio_context_t classic = 0;
	long ret;

	ring_setup_or_bail(&f0, N, 0);
	iocb_prep(&cb, IOCB_CMD_PREAD, tgt.fd, buf, RING_BS, 0, AIO_DATA(2, 1),
		  IOCB_FLAG_HIPRI);
	submit_refuses(f0.ctx, &cb, EINVAL, "HIPRI on an io_setup2 flags-0 ctx");
	ok(ring_destroy(&f0) == 0, "flags-0 ctx: io_destroy returns 0");

	ring_setup_or_bail(&sq, N, IOCTX_FLAG_SCQRING);
	ring_refuses(&sq, &cb, EINVAL, "HIPRI on an SCQRING ctx without IOPOLL");
	ok(ring_destroy(&sq) == 0, "SCQRING ctx: io_destroy returns 0");

	if (sys_io_setup(N, &classic))
		bail_out("io_setup");
	memset(buf, 0, RING_BS);
	ret = sys_io_submit(classic, 1, &p);
	ok(ret == 1, "classic io_setup ctx: HIPRI read accepted (flag ignored) (got %ld errno %d)",
	   ret, ret < 0 ? errno : 0);
	if (ret == 1) {
		ret = sys_io_getevents(classic, 1, 1, &ev, &ts);
		ok(ret == 1 && ev.res == RING_BS && ev.obj == (uint64_t)(uintptr_t)p &&
		   pattern_check(buf, RING_BS, 0, seed) < 0,
		   "classic ctx: it completes without polling on %s (ret %ld res %lld)",
		   tgt.name, ret, ret == 1 ? (long long)ev.res : 0LL);
	}
	ok(sys_io_destroy(classic) == 0, "classic ctx: io_destroy returns 0");
}

int main(void)
{
	struct ring r, s;
	long start;

	require_aioring();
	start = aio_nr();
	seed = pattern_seed();
	if (target_pick(&tgt, 1u << 20))
		skip_all("no O_DIRECT target");
	diag("target %s (%s)", tgt.name, tgt.polled ? "poll queues" : "no poll queues");
	buf = map_pages(RING_BS);
	pattern_fill(buf, RING_BS, 0, seed);
	if (pwrite(tgt.fd, buf, RING_BS, 0) != RING_BS)
		bail_out("pwrite block 0");

	ring_setup_or_bail(&r, N, IOCTX_FLAG_SCQRING | IOCTX_FLAG_IOPOLL);
	ring_setup_or_bail(&s, N, IOCTX_FLAG_IOPOLL);
	refusals(&r, &s);
	mixed_batches(&r, &s);
	ring_read_ok(&r, "after the refusals");
	submit_read_ok(&s, "after the refusals");
	ok(ring_destroy(&r) == 0, "IOPOLL ring: io_destroy returns 0");
	ok(ring_destroy(&s) == 0, "IOPOLL ctx: io_destroy returns 0");
	hipri_elsewhere();
	target_close(&tgt);
	unmap_pages(buf, RING_BS);
	ok_aio_nr_back(start);
	return tap_done();
}
