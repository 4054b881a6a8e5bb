// SPDX-License-Identifier: MIT
/*
 * ring-wrap: many wrap-arounds of the v9 wrapping indexes.  On every
 * O_DIRECT target, interrupt-driven (SCQRING) and polled
 * (SCQRING|IOPOLL), thousands of 4 KiB IOs go through rings of N = 33
 * (depth 32) in batches of varying size (1, 3, 7, 2, 31, ...), so the SQ
 * index wraps at every position, and through N = 2 (depth 1, the SQ holds
 * a single entry) and N = 5.
 *
 * Besides the per-IO checks of the engine (each IO completes exactly
 * once, data / obj = index / res / res2, written data reads back, SUBMIT
 * return = entries consumed, indexes always inside 0..N-1 and 0..2N-1),
 * the final positions must be exact: after E entries and E events,
 * sq->head == sq->tail == E mod N and cq->head == cq->tail == E mod 2N.
 */
#include "ring_util.h"

static const struct {
	unsigned int n, nblocks;
} shapes[] = {
	{ 33, 320 },
	{ 2, 40 },
	{ 5, 60 },
};

static void run(struct target *t, unsigned int flags, unsigned int n,
		unsigned int nblocks, uint64_t base, uint64_t seed)
{
	const char *mode = (flags & IOCTX_FLAG_IOPOLL) ? "polled" : "irq";
	const char *what = label("%s %s N=%u", t->name, mode, n);
	unsigned int aio_flags = (flags & IOCTX_FLAG_IOPOLL) ? IOCB_FLAG_HIPRI : 0;
	unsigned int e;
	struct ring r;
	struct rw_pass p;
	int all = 1;

	if (ring_setup(&r, n, flags)) {
		ok(0, "%s: io_setup2 (errno %d)", what, errno);
		return;
	}
	memset(&p, 0, sizeof(p));
	p.fd = t->fd;
	p.write = 1;
	p.nblocks = nblocks;
	p.base = base;
	p.seed = seed;
	p.depth = n - 1;
	p.mult = 29;
	p.aio_flags = aio_flags;
	p.vary = 1;
	p.tag = 0x57;
	rw_pass_run(&r, &p);
	all &= rw_pass_report(&p, label("%s write", what));
	if (!p.timed_out && !p.err) {
		memset(&p, 0, sizeof(p));
		p.fd = t->fd;
		p.write = 0;
		p.nblocks = nblocks;
		p.base = base;
		p.seed = seed;
		p.depth = n - 1;
		p.mult = 17;
		p.aio_flags = aio_flags;
		p.vary = 1;
		p.tag = 0x52;
		rw_pass_run(&r, &p);
		all &= rw_pass_report(&p, label("%s read", what));
	}
	e = 2 * nblocks;
	if (all)
		ok(sq_head(&r) == e % n && sq_tail(&r) == e % n &&
		   cq_head(&r) == e % (2 * n) && cq_tail(&r) == e % (2 * n),
		   "%s: after %u entries and events sq head/tail %u/%u (want %u), cq head/tail %u/%u (want %u)",
		   what, e, sq_head(&r), sq_tail(&r), e % n, cq_head(&r),
		   cq_tail(&r), e % (2 * n));
	else
		skip("%s: final index positions (earlier checks failed)", what);
	ok(ring_destroy(&r) == 0, "%s: io_destroy returns 0", what);
}

int main(void)
{
	struct target t[MAX_TARGETS];
	int nt, i;
	unsigned int s, m;
	uint64_t seed = pattern_seed();
	long start;

	require_aioring();
	start = aio_nr();
	nt = targets_collect(t, MAX_TARGETS, TGT_ALL);
	if (!targets_open_all(t, nt, 4u << 20))
		skip_all("no O_DIRECT target (AIORING_POLL_BDEVS, AIORING_NOPOLL_BDEV, AIORING_TEST_DIRS)");

	for (i = 0; i < nt; i++) {
		if (t[i].fd < 0)
			continue;
		for (m = 0; m < 2; m++)
			for (s = 0; s < ARRAY_SIZE(shapes); s++)
				run(&t[i], IOCTX_FLAG_SCQRING |
					   (m ? IOCTX_FLAG_IOPOLL : 0),
				    shapes[s].n, shapes[s].nblocks,
				    (uint64_t)(m * 3 + s) << 20 >> 1,
				    seed + i * 1000 + m * 100 + s);
	}
	targets_close_all(t, nt);
	ok_aio_nr_back(start);
	return tap_done();
}
