/* SPDX-License-Identifier: MIT */
/*
 * A fake aio-ring kernel for the unit tests of libaioring: a struct
 * aioring_sys whose io_setup2 checks its arguments the way the spec
 * (section 4) says, and whose io_ring_enter consumes the SQ ring and
 * completes every iocb at once into the CQ ring.  The unit tests run on
 * any build host, where the real system calls 335/336 must never be made.
 */
#ifndef AIORING_UNIT_FAKE_KERNEL_H
#define AIORING_UNIT_FAKE_KERNEL_H

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "aioring.h"

struct fake_kernel {
	int present;			/* 0: every call is ENOSYS */
	int setup_errno;		/* forced io_setup2 error, 0: none */
	unsigned int flags_ok;		/* IOCTX flags this kernel knows */
	unsigned int flag_enomem;	/* setup with this flag: ENOMEM */
	int enter_errno;		/* forced io_ring_enter error */
	int complete;			/* SUBMIT also completes (default 1) */
	/* what happened */
	unsigned int setups, setup_ok, destroys, enters;
	unsigned int last_flags, last_nr, last_to_submit, last_min, last_enter_flags;
	unsigned int flags_seen[32];	/* flags of each io_setup2, in order */
	int fixed_ok;			/* FIXEDBUFS setup saw every buffer */
	/* the live context */
	struct aio_sq_ring *sq;
	struct aio_cq_ring *cq;
	unsigned int n;
	aio_context_t next_ctx;
};

static struct fake_kernel fk;

static void fake_reset(unsigned int flags_ok)
{
	memset(&fk, 0, sizeof(fk));
	fk.present = 1;
	fk.flags_ok = flags_ok;
	fk.complete = 1;
	fk.next_ctx = 0x7f0000001000ULL;
}

static int fake_aligned(const void *p)
{
	return !((uintptr_t)p & 4095);
}

static long fake_setup2(unsigned int nr, unsigned int flags,
			struct aio_sq_ring *sq, struct aio_cq_ring *cq,
			aio_context_t *ctxp)
{
	fk.setups++;
	if (fk.setups <= 32)
		fk.flags_seen[fk.setups - 1] = flags;
	fk.last_flags = flags;
	fk.last_nr = nr;
	if (!fk.present)
		return -ENOSYS;
	if (fk.setup_errno)
		return -fk.setup_errno;
	if (flags & ~fk.flags_ok)
		return -EINVAL;
	if (!ctxp)
		return -EFAULT;
	if (*ctxp || !nr)
		return -EINVAL;
	if ((flags & (IOCTX_FLAG_FIXEDBUFS | IOCTX_FLAG_SQTHREAD |
		      IOCTX_FLAG_SQWQ)) && !(flags & IOCTX_FLAG_SCQRING))
		return -EINVAL;
	if ((flags & IOCTX_FLAG_SQPOLL) && !(flags & IOCTX_FLAG_SQTHREAD))
		return -EINVAL;
	if (flags & fk.flag_enomem)
		return -ENOMEM;
	if (flags & IOCTX_FLAG_SCQRING) {
		struct iocb *iocbs;
		unsigned int i;

		if (!sq || !cq)
			return -EFAULT;
		iocbs = (struct iocb *)(uintptr_t)sq->iocbs;
		if (!fake_aligned(sq) || !fake_aligned(cq) || !iocbs ||
		    !fake_aligned(iocbs))
			return -EINVAL;
		if (sq->nr_events != nr || cq->nr_events != 2 * nr)
			return -EFAULT;
		if (flags & IOCTX_FLAG_FIXEDBUFS) {
			fk.fixed_ok = 1;
			for (i = 0; i < nr; i++)
				if (!iocbs[i].aio_buf ||
				    iocbs[i].aio_nbytes > (4u << 20))
					return -EFAULT;
		}
		sq->head = sq->tail = 0;
		cq->head = cq->tail = 0;
		fk.sq = sq;
		fk.cq = cq;
		fk.n = nr;
	}
	*ctxp = fk.next_ctx;
	fk.next_ctx += 0x1000;
	fk.setup_ok++;
	return 0;
}

static long fake_enter(aio_context_t ctx, unsigned int to_submit,
		       unsigned int min_complete, unsigned int flags)
{
	unsigned int done = 0;

	(void)ctx;
	fk.enters++;
	fk.last_to_submit = to_submit;
	fk.last_min = min_complete;
	fk.last_enter_flags = flags;
	if (!fk.present)
		return -ENOSYS;
	if (fk.enter_errno)
		return -fk.enter_errno;
	if ((flags & IORING_FLAG_SUBMIT) && fk.sq) {
		struct iocb *iocbs = (struct iocb *)(uintptr_t)fk.sq->iocbs;

		while (done < to_submit && fk.sq->head != fk.sq->tail) {
			unsigned int idx = fk.sq->array[fk.sq->head];

			if (fk.complete) {
				struct io_event *ev = &fk.cq->events[fk.cq->tail];

				ev->data = iocbs[idx].aio_data;
				ev->obj = idx;
				ev->res = (__s64)iocbs[idx].aio_nbytes;
				ev->res2 = 0;
				fk.cq->tail = (fk.cq->tail + 1) % (2 * fk.n);
			}
			fk.sq->head = (fk.sq->head + 1) % fk.n;
			done++;
		}
	}
	return (flags & IORING_FLAG_SUBMIT) ? (long)done : 0;
}

static long fake_destroy(aio_context_t ctx)
{
	(void)ctx;
	fk.destroys++;
	fk.sq = NULL;
	fk.cq = NULL;
	return 0;
}

static const struct aioring_sys fake_sys = {
	.setup2 = fake_setup2,
	.enter = fake_enter,
	.destroy = fake_destroy,
};

#endif
