// SPDX-License-Identifier: MIT
/*
 * setup2-errors: every error row of io_setup2() (spec section 4), each
 * with exactly one thing wrong and valid arguments otherwise, and the
 * exact errno.  No failing call may leave a context behind: fs.aio-nr is
 * compared before and after each one (a context created by mistake is
 * destroyed again so the rest of the program still means something).
 *
 *   unknown flag bits (each of 1<<6 .. 1<<31)            EINVAL
 *   ctxp NULL, unmapped, read-only                       EFAULT
 *   *ctxp != 0, nr_events == 0                           EINVAL
 *   nr_events > fs.aio-max-nr; over a lowered limit      EAGAIN
 *   FIXEDBUFS / SQTHREAD / SQWQ without SCQRING          EINVAL
 *   SQPOLL without SQTHREAD                              EINVAL
 *   SCQRING with NULL sq_ring or cq_ring                 EFAULT or EINVAL
 *   unaligned sq_ring, cq_ring, iocbs                    EINVAL
 *   NULL iocbs                                           EFAULT
 *   sq->nr_events != N, cq->nr_events != 2N              EFAULT
 *   ring region or iocb array whose last page is unmapped EFAULT
 *   read-only (PROT_READ) ring or iocb array             EFAULT
 */
#include "ring_util.h"
#include "knob.h"

#define N	16

/*
 * io_setup2 must fail with want (or want2, 0 for none); aio-nr unchanged.
 * ctx_readable: *ctxp can be read back to undo an unexpected success.
 */
static int expect_fail(unsigned int n, unsigned int flags,
		       struct aio_sq_ring *sq, struct aio_cq_ring *cq,
		       aio_context_t *ctxp, int ctx_readable, int want,
		       int want2, const char *what)
{
	long before = aio_nr(), after, ret;
	int e;

	if (ctx_readable)
		*ctxp = 0;
	errno = 0;
	ret = aioring_io_setup2(n, flags, sq, cq, ctxp);
	e = errno;
	if (ret >= 0 && ctx_readable && *ctxp) {
		diag("%s: io_setup2 succeeded (ctx %#llx): destroyed again", what,
		     (unsigned long long)*ctxp);
		sys_io_destroy(*ctxp);
	}
	after = aio_nr();
	return ok(ret == -1 && (e == want || (want2 && e == want2)) &&
		  after == before,
		  "%s: %s%s%s (got ret %ld errno %d %s), aio-nr %ld -> %ld",
		  what, strerrorname_np(want), want2 ? " or " : "",
		  want2 ? strerrorname_np(want2) : "", ret, ret < 0 ? e : 0,
		  ret < 0 ? strerror(e) : "-", before, after);
}

static void unknown_flags(struct ring *r)
{
	aio_context_t ctx;
	unsigned int bit, bad = 0;

	expect_fail(N, 1u << 6, NULL, NULL, &ctx, 1, EINVAL, 0,
		    "flags 1<<6 (first unknown bit)");
	expect_fail(N, 0x80000000u, NULL, NULL, &ctx, 1, EINVAL, 0,
		    "flags 0x80000000");
	expect_fail(N, IOCTX_FLAG_SCQRING | (1u << 6), r->sq, r->cq, &ctx, 1,
		    EINVAL, 0, "flags SCQRING | 1<<6 with valid rings");
	expect_fail(N, 0xffffffffu, r->sq, r->cq, &ctx, 1, EINVAL, 0,
		    "flags 0xffffffff");
	for (bit = 6; bit < 32; bit++) {
		unsigned int base;

		for (base = 0; base <= IOCTX_FLAG_SCQRING; base += IOCTX_FLAG_SCQRING) {
			long before = aio_nr(), ret;

			ctx = 0;
			ret = aioring_io_setup2(N, base | (1u << bit), r->sq,
						r->cq, &ctx);
			if (ret >= 0 && ctx)
				sys_io_destroy(ctx);
			if ((ret != -1 || errno != EINVAL || aio_nr() != before) &&
			    !bad++)
				diag("flags %#x: ret %ld errno %d", base | (1u << bit),
				     ret, ret < 0 ? errno : 0);
		}
	}
	ok(!bad, "each unknown flag bit 6..31, alone and with SCQRING: EINVAL, nothing created");
}

static void bad_ctxp(struct ring *r)
{
	aio_context_t *ro = map_pages(PAGE_SZ);
	aio_context_t ctx;
	aio_context_t *gone = unmapped_address();

	expect_fail(N, 0, NULL, NULL, NULL, 0, EFAULT, 0, "flags 0, ctxp NULL");
	expect_fail(N, IOCTX_FLAG_SCQRING, r->sq, r->cq, NULL, 0, EFAULT, 0,
		    "SCQRING, ctxp NULL");
	expect_fail(N, 0, NULL, NULL, gone, 0, EFAULT, 0, "flags 0, ctxp unmapped");
	expect_fail(N, IOCTX_FLAG_SCQRING, r->sq, r->cq, gone, 0, EFAULT, 0,
		    "SCQRING, ctxp unmapped");
	/* readable (holds 0) but not writable: the new id cannot be stored */
	if (mprotect(ro, PAGE_SZ, PROT_READ))
		bail_out("mprotect");
	expect_fail(N, 0, NULL, NULL, ro, 0, EFAULT, 0,
		    "flags 0, ctxp read-only (no leaked context)");
	expect_fail(N, IOCTX_FLAG_SCQRING, r->sq, r->cq, ro, 0, EFAULT, 0,
		    "SCQRING, ctxp read-only (no leaked context)");
	expect_fail(N, IOCTX_FLAG_IOPOLL, NULL, NULL, ro, 0, EFAULT, 0,
		    "IOPOLL, ctxp read-only (no leaked context)");
	unmap_pages(ro, PAGE_SZ);

	/* *ctxp != 0 */
	ctx = 1;
	{
		long before = aio_nr();
		long ret = aioring_io_setup2(N, 0, NULL, NULL, &ctx);
		int e = errno;

		if (ret == 0 && ctx != 1)
			sys_io_destroy(ctx);
		ok(ret == -1 && e == EINVAL && ctx == 1 && aio_nr() == before,
		   "flags 0, *ctxp = 1: EINVAL, *ctxp untouched (got ret %ld errno %d)",
		   ret, ret < 0 ? e : 0);
	}
	{
		struct ring other;
		long before, ret;
		int e;

		ring_setup_or_bail(&other, 4, 0);
		ctx = other.ctx;
		before = aio_nr();
		ret = aioring_io_setup2(N, IOCTX_FLAG_SCQRING, r->sq, r->cq, &ctx);
		e = errno;
		if (ret == 0 && ctx != other.ctx)
			sys_io_destroy(ctx);
		ok(ret == -1 && e == EINVAL && ctx == other.ctx && aio_nr() == before,
		   "SCQRING, *ctxp = id of a live context: EINVAL (got ret %ld errno %d)",
		   ret, ret < 0 ? e : 0);
		ok(ring_destroy(&other) == 0, "the live context is unharmed (io_destroy 0)");
	}
}

static void zero_events(void)
{
	struct ring z;
	aio_context_t ctx;

	expect_fail(0, 0, NULL, NULL, &ctx, 1, EINVAL, 0, "flags 0, nr_events 0");
	expect_fail(0, IOCTX_FLAG_IOPOLL, NULL, NULL, &ctx, 1, EINVAL, 0,
		    "IOPOLL, nr_events 0");
	ring_mem_alloc(&z, 1);
	z.sq->nr_events = 0;
	z.cq->nr_events = 0;
	expect_fail(0, IOCTX_FLAG_SCQRING, z.sq, z.cq, &ctx, 1, EINVAL, 0,
		    "SCQRING, nr_events 0 (ring headers say 0)");
	ring_mem_free(&z);
}

static void over_max(void)
{
	long max = aio_max_nr(), cur, ret;
	aio_context_t ctx;
	struct ring big, a, b;

	if (max <= 0 || max > 1 << 22) {
		skip("fs.aio-max-nr is %ld: nr_events over it not tested", max);
	} else {
		expect_fail((unsigned int)max + 1, 0, NULL, NULL, &ctx, 1, EAGAIN,
			    0, "flags 0, nr_events = aio-max-nr + 1");
		expect_fail((unsigned int)max + 1, IOCTX_FLAG_IOPOLL, NULL, NULL,
			    &ctx, 1, EAGAIN, 0, "IOPOLL, nr_events = aio-max-nr + 1");
		ring_mem_alloc(&big, (unsigned int)max + 1);
		expect_fail((unsigned int)max + 1, IOCTX_FLAG_SCQRING, big.sq,
			    big.cq, &ctx, 1, EAGAIN, 0,
			    "SCQRING, nr_events = aio-max-nr + 1 (rings of that size)");
		ring_mem_free(&big);
	}

	/* lower the limit to just above the current use */
	cur = aio_nr();
	knob_save(AIO_MAX_NR_PATH, max);
	if (write_sysctl_long(AIO_MAX_NR_PATH, cur + 8)) {
		knob_restore();
		skip("cannot write fs.aio-max-nr (not root?): lowered limit not tested");
		return;
	}
	diag("fs.aio-max-nr lowered to %ld (aio-nr %ld)", cur + 8, cur);
	expect_fail(9, 0, NULL, NULL, &ctx, 1, EAGAIN, 0,
		    "limit aio-nr+8: flags 0, nr_events 9");
	ring_mem_alloc(&big, 9);
	expect_fail(9, IOCTX_FLAG_SCQRING, big.sq, big.cq, &ctx, 1, EAGAIN, 0,
		    "limit aio-nr+8: SCQRING, nr_events 9");
	expect_fail(9, IOCTX_FLAG_SCQRING | IOCTX_FLAG_IOPOLL, big.sq, big.cq,
		    &ctx, 1, EAGAIN, 0, "limit aio-nr+8: SCQRING|IOPOLL, nr_events 9");
	ring_mem_free(&big);
	expect_fail(9, IOCTX_FLAG_IOPOLL, NULL, NULL, &ctx, 1, EAGAIN, 0,
		    "limit aio-nr+8: IOPOLL, nr_events 9");
	ret = ring_setup(&a, 5, IOCTX_FLAG_SCQRING);
	ok(ret == 0 && aio_nr() == cur + 5,
	   "limit aio-nr+8: SCQRING nr_events 5 fits (ret %ld, aio-nr %ld)", ret, aio_nr());
	ret = ring_setup(&b, 3, 0);
	ok(ret == 0 && aio_nr() == cur + 8,
	   "limit aio-nr+8: then flags 0 nr_events 3 fills it exactly (ret %ld, aio-nr %ld)",
	   ret, aio_nr());
	expect_fail(1, 0, NULL, NULL, &ctx, 1, EAGAIN, 0,
		    "limit reached: flags 0, nr_events 1");
	ring_mem_alloc(&big, 1);
	expect_fail(1, IOCTX_FLAG_SCQRING, big.sq, big.cq, &ctx, 1, EAGAIN, 0,
		    "limit reached: SCQRING, nr_events 1");
	ring_mem_free(&big);
	if (a.ctx)
		ring_destroy(&a);
	if (b.ctx)
		ring_destroy(&b);
	ok(aio_nr() == cur, "contexts under the lowered limit released (aio-nr %ld)",
	   aio_nr());
	knob_restore();
	ok(aio_max_nr() == max, "fs.aio-max-nr restored to %ld", max);
}

static void flag_combinations(struct ring *r)
{
	static const struct {
		unsigned int flags;
		const char *name;
	} need_scq[] = {
		{ IOCTX_FLAG_FIXEDBUFS, "FIXEDBUFS" },
		{ IOCTX_FLAG_SQTHREAD, "SQTHREAD" },
		{ IOCTX_FLAG_SQWQ, "SQWQ" },
		{ IOCTX_FLAG_IOPOLL | IOCTX_FLAG_FIXEDBUFS, "IOPOLL|FIXEDBUFS" },
		{ IOCTX_FLAG_IOPOLL | IOCTX_FLAG_SQTHREAD, "IOPOLL|SQTHREAD" },
		{ IOCTX_FLAG_IOPOLL | IOCTX_FLAG_SQWQ, "IOPOLL|SQWQ" },
		{ IOCTX_FLAG_SQTHREAD | IOCTX_FLAG_SQPOLL, "SQTHREAD|SQPOLL" },
	};
	aio_context_t ctx;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(need_scq); i++) {
		expect_fail(N, need_scq[i].flags, NULL, NULL, &ctx, 1, EINVAL, 0,
			    label("%s without SCQRING", need_scq[i].name));
		expect_fail(N, need_scq[i].flags, r->sq, r->cq, &ctx, 1, EINVAL, 0,
			    label("%s without SCQRING, valid rings passed",
				  need_scq[i].name));
	}
	expect_fail(N, IOCTX_FLAG_SQPOLL, NULL, NULL, &ctx, 1, EINVAL, 0,
		    "SQPOLL alone");
	expect_fail(N, IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQPOLL, r->sq, r->cq, &ctx,
		    1, EINVAL, 0, "SCQRING|SQPOLL without SQTHREAD");
	expect_fail(N, IOCTX_FLAG_SCQRING | IOCTX_FLAG_IOPOLL | IOCTX_FLAG_SQPOLL,
		    r->sq, r->cq, &ctx, 1, EINVAL, 0,
		    "SCQRING|IOPOLL|SQPOLL without SQTHREAD");
}

static void bad_rings(void)
{
	struct ring r;
	aio_context_t ctx;
	uint8_t *area;
	struct aio_sq_ring *usq;
	struct aio_cq_ring *ucq;
	unsigned int v;

	ring_mem_alloc(&r, N);

	expect_fail(N, IOCTX_FLAG_SCQRING, NULL, r.cq, &ctx, 1, EFAULT, EINVAL,
		    "SCQRING, sq_ring NULL");
	expect_fail(N, IOCTX_FLAG_SCQRING, r.sq, NULL, &ctx, 1, EFAULT, EINVAL,
		    "SCQRING, cq_ring NULL");
	expect_fail(N, IOCTX_FLAG_SCQRING, NULL, NULL, &ctx, 1, EFAULT, EINVAL,
		    "SCQRING, both rings NULL");
	expect_fail(N, IOCTX_FLAG_SCQRING | IOCTX_FLAG_IOPOLL, NULL, r.cq, &ctx, 1,
		    EFAULT, EINVAL, "SCQRING|IOPOLL, sq_ring NULL");

	/* unaligned rings: a valid-looking header at +64 / +32 of a page */
	area = map_pages(r.sq_len + r.cq_len + 2 * PAGE_SZ);
	usq = (struct aio_sq_ring *)(area + 64);
	usq->nr_events = N;
	usq->iocbs = (__u64)(uintptr_t)r.iocbs;
	expect_fail(N, IOCTX_FLAG_SCQRING, usq, r.cq, &ctx, 1, EINVAL, 0,
		    "SCQRING, sq_ring at page offset 64");
	ucq = (struct aio_cq_ring *)(area + page_round(r.sq_len + 64) + 32);
	ucq->nr_events = 2 * N;
	expect_fail(N, IOCTX_FLAG_SCQRING, r.sq, ucq, &ctx, 1, EINVAL, 0,
		    "SCQRING, cq_ring at page offset 32");
	unmap_pages(area, r.sq_len + r.cq_len + 2 * PAGE_SZ);

	r.sq->iocbs = (__u64)(uintptr_t)r.iocbs + 64;
	expect_fail(N, IOCTX_FLAG_SCQRING, r.sq, r.cq, &ctx, 1, EINVAL, 0,
		    "SCQRING, iocbs at page offset 64");
	r.sq->iocbs = (__u64)(uintptr_t)r.iocbs + 8;
	expect_fail(N, IOCTX_FLAG_SCQRING, r.sq, r.cq, &ctx, 1, EINVAL, 0,
		    "SCQRING, iocbs at page offset 8");
	r.sq->iocbs = 0;
	expect_fail(N, IOCTX_FLAG_SCQRING, r.sq, r.cq, &ctx, 1, EFAULT, 0,
		    "SCQRING, sq_ring->iocbs NULL");
	r.sq->iocbs = (__u64)(uintptr_t)r.iocbs;

	/* nr_events in the ring headers */
	for (v = 0; v <= 2 * N + 1; v++) {
		if (v != 0 && v != N - 1 && v != N + 1 && v != 2 * N)
			continue;
		r.sq->nr_events = v;
		expect_fail(N, IOCTX_FLAG_SCQRING, r.sq, r.cq, &ctx, 1, EFAULT, 0,
			    label("SCQRING N=%u, sq_ring->nr_events %u", N, v));
	}
	r.sq->nr_events = N;
	for (v = 0; v <= 2 * N + 1; v++) {
		if (v != 0 && v != N && v != 2 * N - 1 && v != 2 * N + 1)
			continue;
		r.cq->nr_events = v;
		expect_fail(N, IOCTX_FLAG_SCQRING, r.sq, r.cq, &ctx, 1, EFAULT, 0,
			    label("SCQRING N=%u, cq_ring->nr_events %u", N, v));
	}
	ring_mem_free(&r);
}

/* Ring regions of N=1024 (SQ 2 pages, CQ 17 pages) with a hole at the end. */
static void partly_mapped(void)
{
	const unsigned int n = 1024;
	struct ring r;
	aio_context_t ctx;

	ring_mem_alloc(&r, n);
	munmap((uint8_t *)r.sq + page_round(r.sq_len) - PAGE_SZ, PAGE_SZ);
	expect_fail(n, IOCTX_FLAG_SCQRING, r.sq, r.cq, &ctx, 1, EFAULT, 0,
		    "SCQRING N=1024, last page of the SQ ring unmapped");
	ring_mem_free(&r);

	ring_mem_alloc(&r, n);
	munmap((uint8_t *)r.cq + page_round(r.cq_len) - PAGE_SZ, PAGE_SZ);
	expect_fail(n, IOCTX_FLAG_SCQRING, r.sq, r.cq, &ctx, 1, EFAULT, 0,
		    "SCQRING N=1024, last page of the CQ ring unmapped");
	ring_mem_free(&r);

	ring_mem_alloc(&r, n);
	munmap((uint8_t *)r.cq + PAGE_SZ, 4 * PAGE_SZ);
	expect_fail(n, IOCTX_FLAG_SCQRING, r.sq, r.cq, &ctx, 1, EFAULT, 0,
		    "SCQRING N=1024, pages 1-4 of the CQ ring unmapped");
	ring_mem_free(&r);

	/* the iocb array too (Documentation/userspace-api/aio-ring.rst) */
	ring_mem_alloc(&r, n);
	munmap((uint8_t *)r.iocbs + page_round(r.iocbs_len) - PAGE_SZ, PAGE_SZ);
	expect_fail(n, IOCTX_FLAG_SCQRING, r.sq, r.cq, &ctx, 1, EFAULT, 0,
		    "SCQRING N=1024, last page of the iocb array unmapped");
	ring_mem_free(&r);
}

static void read_only(void)
{
	struct ring r;
	aio_context_t ctx;

	ring_mem_alloc(&r, N);
	if (mprotect(r.sq, page_round(r.sq_len), PROT_READ))
		bail_out("mprotect");
	expect_fail(N, IOCTX_FLAG_SCQRING, r.sq, r.cq, &ctx, 1, EFAULT, 0,
		    "SCQRING, SQ ring mapped PROT_READ");
	ring_mem_free(&r);

	ring_mem_alloc(&r, N);
	if (mprotect(r.cq, page_round(r.cq_len), PROT_READ))
		bail_out("mprotect");
	expect_fail(N, IOCTX_FLAG_SCQRING, r.sq, r.cq, &ctx, 1, EFAULT, 0,
		    "SCQRING, CQ ring mapped PROT_READ");
	expect_fail(N, IOCTX_FLAG_SCQRING | IOCTX_FLAG_IOPOLL, r.sq, r.cq, &ctx, 1,
		    EFAULT, 0, "SCQRING|IOPOLL, CQ ring mapped PROT_READ");
	ring_mem_free(&r);

	ring_mem_alloc(&r, N);
	if (mprotect(r.iocbs, page_round(r.iocbs_len), PROT_READ))
		bail_out("mprotect");
	expect_fail(N, IOCTX_FLAG_SCQRING, r.sq, r.cq, &ctx, 1, EFAULT, 0,
		    "SCQRING, iocb array mapped PROT_READ");
	ring_mem_free(&r);
}

int main(void)
{
	long start;
	struct ring valid;

	require_aioring();
	start = aio_nr();
	ring_mem_alloc(&valid, N);

	unknown_flags(&valid);
	bad_ctxp(&valid);
	zero_events();
	flag_combinations(&valid);
	bad_rings();
	partly_mapped();
	read_only();
	over_max();

	/* after all that, the valid rings still make a working context */
	{
		struct ring ok_ring;
		long ret = ring_setup(&ok_ring, N, IOCTX_FLAG_SCQRING);

		ok(ret == 0 && aio_nr() == start + N,
		   "a correct SCQRING io_setup2(N=%d) still succeeds (ret %ld errno %d), aio-nr +%d",
		   N, ret, ret < 0 ? errno : 0, N);
		if (ret == 0)
			ok(ring_destroy(&ok_ring) == 0, "and io_destroy of it returns 0");
	}
	ring_mem_free(&valid);
	ok_aio_nr_back(start);
	return tap_done();
}
