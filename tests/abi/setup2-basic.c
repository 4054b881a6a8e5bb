// SPDX-License-Identifier: MIT
/*
 * setup2-basic: the success paths of io_setup2() in this kernel part.
 *
 * - flags 0, IOPOLL, SCQRING and SCQRING|IOPOLL each succeed with a
 *   non-power-of-two nr_events (33, 129, 2), store a non-zero id in *ctxp
 *   and raise fs.aio-nr by exactly nr_events; io_destroy gives it back,
 *   and a second io_destroy of the same id is EINVAL;
 * - at setup the kernel resets both rings' head and tail to 0 and leaves
 *   the fields the application owns (nr_events, iocbs) as they were;
 * - two contexts get different ids;
 * - a flags-0 context behaves like io_setup(2): io_submit / io_getevents /
 *   io_pgetevents work on it, the event's obj is the iocb pointer, written
 *   data reads back, and io_getevents with a timeout returns 0 when idle.
 */
#include "ring_util.h"

static void accounting(void)
{
	static const unsigned int flag_sets[] = {
		0, IOCTX_FLAG_IOPOLL, IOCTX_FLAG_SCQRING,
		IOCTX_FLAG_SCQRING | IOCTX_FLAG_IOPOLL,
	};
	static const unsigned int sizes[] = { 33, 129, 2 };
	unsigned int f, s;

	for (f = 0; f < ARRAY_SIZE(flag_sets); f++) {
		for (s = 0; s < ARRAY_SIZE(sizes); s++) {
			unsigned int fl = flag_sets[f], n = sizes[s];
			long before = aio_nr(), during, after, ret, dret;
			struct ring r;
			aio_context_t id;

			ret = ring_setup(&r, n, fl);
			during = aio_nr();
			ok(ret == 0 && r.ctx != 0 && during == before + n,
			   "flags %#x nr_events %u: io_setup2 returns 0 (got %ld errno %d), ctx %#llx, aio-nr %ld -> %ld (+%u)",
			   fl, n, ret, ret < 0 ? errno : 0,
			   (unsigned long long)r.ctx, before, during, n);
			if (ret)
				continue;
			id = r.ctx;
			dret = ring_destroy(&r);
			after = aio_nr();
			ok(dret == 0 && after == before,
			   "flags %#x nr_events %u: io_destroy returns 0 (got %ld), aio-nr back to %ld (%ld)",
			   fl, n, dret, before, after);
			ok_errno(sys_io_destroy(id), EINVAL,
				 label("flags %#x nr_events %u: second io_destroy", fl, n));
		}
	}
}

static void ring_reset(void)
{
	const unsigned int n = 16;
	struct ring r;
	long ret;

	ring_mem_alloc(&r, n);
	r.sq->head = 3;
	r.sq->tail = 5;
	r.cq->head = 7;
	r.cq->tail = 9;
	r.flags = IOCTX_FLAG_SCQRING;
	ret = aioring_io_setup2(n, IOCTX_FLAG_SCQRING, r.sq, r.cq, &r.ctx);
	ok(ret == 0, "SCQRING N=16 with stale head/tail values: io_setup2 returns 0 (got %ld errno %d)",
	   ret, ret < 0 ? errno : 0);
	if (ret) {
		ring_mem_free(&r);
		return;
	}
	ok(r.sq->head == 0 && r.sq->tail == 0 && r.cq->head == 0 && r.cq->tail == 0,
	   "setup reset sq head/tail (%u/%u) and cq head/tail (%u/%u) to 0",
	   r.sq->head, r.sq->tail, r.cq->head, r.cq->tail);
	ok(r.sq->nr_events == n && r.cq->nr_events == 2 * n &&
	   r.sq->iocbs == (__u64)(uintptr_t)r.iocbs,
	   "setup left sq nr_events (%u), cq nr_events (%u) and sq iocbs as set",
	   r.sq->nr_events, r.cq->nr_events);
	ok(ring_destroy(&r) == 0, "io_destroy of it returns 0");
}

static void distinct_ids(void)
{
	struct ring a, b, c;

	ring_setup_or_bail(&a, 4, 0);
	ring_setup_or_bail(&b, 4, IOCTX_FLAG_SCQRING);
	ring_setup_or_bail(&c, 4, IOCTX_FLAG_IOPOLL);
	ok(a.ctx != b.ctx && b.ctx != c.ctx && a.ctx != c.ctx,
	   "three live contexts have three different ids (%#llx %#llx %#llx)",
	   (unsigned long long)a.ctx, (unsigned long long)b.ctx,
	   (unsigned long long)c.ctx);
	ok(ring_destroy(&b) == 0 && ring_destroy(&a) == 0 && ring_destroy(&c) == 0,
	   "all three io_destroy in another order return 0");
}

static int open_scratch(struct target *t)
{
	char path[PATH_MAX];
	const char *dir = getenv("TMPDIR");
	int fd;

	if (!target_pick(t, 1 << 20))
		return t->fd;
	/* no O_DIRECT target: a buffered file works with classic aio */
	memset(t, 0, sizeof(*t));
	snprintf(path, sizeof(path), "%s/abi-setup2-basic-%d", dir ? dir : "/tmp",
		 (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	if (ftruncate(fd, 1 << 20))
		bail_out("ftruncate");
	snprintf(t->path, sizeof(t->path), "%s", path);
	snprintf(t->name, sizeof(t->name), "buffered tmp file");
	t->created = 1;
	t->fd = fd;
	t->size = 1 << 20;
	return fd;
}

static void like_io_setup(void)
{
	struct target t;
	struct ring r;
	uint64_t seed = pattern_seed();
	struct io_event ev[4];
	struct timespec ts = { 0, 20 * 1000000 };
	struct aio_sigset ss = { NULL, _NSIG / 8 };
	struct iocb *p;
	uint8_t *buf;
	long ret;
	int fd = open_scratch(&t);

	if (fd < 0) {
		skip("no scratch file: flags-0 data path not tested");
		return;
	}
	diag("flags-0 context data path on %s", t.name);
	ring_setup_or_bail(&r, 33, 0);
	rw_write_read(&r, fd, 0, 64, 32, 0, 1, seed,
		      label("flags 0 N=33 io_submit on %s", t.name));

	ret = sys_io_getevents(r.ctx, 1, 4, ev, &ts);
	ok(ret == 0, "flags 0: idle io_getevents with a 20 ms timeout returns 0 (got %ld errno %d)",
	   ret, ret < 0 ? errno : 0);

	buf = map_pages(RING_BS);
	iocb_prep(&r.iocbs[0], IOCB_CMD_PREAD, fd, buf, RING_BS, 0,
		  AIO_DATA(0x77, 1), 0);
	p = &r.iocbs[0];
	ret = sys_io_submit(r.ctx, 1, &p);
	ok(ret == 1, "flags 0: io_submit of one read returns 1 (got %ld errno %d)", ret,
	   ret < 0 ? errno : 0);
	ts.tv_sec = 10;
	ts.tv_nsec = 0;
	ret = sys_io_pgetevents(r.ctx, 1, 4, ev, &ts, &ss);
	ok(ret == 1 && ev[0].data == AIO_DATA(0x77, 1) &&
	   ev[0].obj == (uint64_t)(uintptr_t)p && ev[0].res == RING_BS &&
	   ev[0].res2 == 0,
	   "flags 0: io_pgetevents returns the event (ret %ld, data %#llx, res %lld)",
	   ret, ret == 1 ? (unsigned long long)ev[0].data : 0ULL,
	   ret == 1 ? (long long)ev[0].res : 0LL);
	ok(pattern_check(buf, RING_BS, 0, seed) < 0,
	   "flags 0: that read returned the block's pattern");
	ok(ring_destroy(&r) == 0, "flags 0: io_destroy returns 0");
	unmap_pages(buf, RING_BS);
	target_close(&t);
}

int main(void)
{
	long start;

	require_aioring();
	start = aio_nr();
	accounting();
	ring_reset();
	distinct_ids();
	like_io_setup();
	ok_aio_nr_back(start);
	return tap_done();
}
