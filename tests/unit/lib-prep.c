// SPDX-License-Identifier: MIT
/*
 * libaioring's liburing-like side on a fake kernel: aioring_get_iocb()
 * hands out the SQ slots until the ring is full and again once the
 * kernel took them, and the prep helpers that take the ring fill each
 * opcode's fields and set IOCB_FLAG_HIPRI exactly on a polled context.
 */
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/uio.h>

#include "aioring.h"
#include "fake_kernel.h"
#include "tap.h"

/* a ring of the fake kernel with these flags (SCQRING added) */
static void ring_init(struct aioring *r, unsigned int n, unsigned int flags)
{
	struct aioring_params p = { .sys = &fake_sys };

	fake_reset(AIORING_CTX_FLAGS_ALL);
	if (aioring_init(r, n, IOCTX_FLAG_SCQRING | flags, &p))
		exit(1);
}

static void test_get_iocb(void)
{
	struct aioring r;
	aioring_iocb_t *cb, *got[8];
	aioring_event_t ev[8];
	unsigned int i, n = 0, round, reaped = 0, bad = 0;

	ring_init(&r, 5, 0);
	while ((cb = aioring_get_iocb(&r)) && n < 8)
		got[n++] = cb;
	ok(n == 4 && !cb, "a 5-entry ring hands out 4 slots, then NULL (%u)", n);
	for (i = 0; i < n; i++)
		bad += got[i] != aioring_iocb(&r, i) ||
		       aioring_iocb_index(&r, got[i]) != i;
	ok(!bad, "slot i is iocb i (the fixed buffer's index)");
	ok(aioring_sq_pending(&r) == 4 && r.sq->tail == 0,
	   "the slots are queued, not yet published");
	for (i = 0; i < n; i++) {
		aioring_prep_read(&r, got[i], 3, NULL, 512, 512 * i);
		aioring_iocb_set_data(got[i], 1000 + i);
	}
	ok(aioring_submit(&r) == 4 && aioring_sq_space(&r) == 4,
	   "submit hands all 4 to the kernel, the ring is empty again");

	/* many wraps: every slot comes back, events carry the data */
	for (round = 0; round < 20; round++) {
		for (i = 0; i < 3; i++) {
			cb = aioring_get_iocb(&r);
			if (!cb)
				break;
			aioring_prep_write(&r, cb, 3, NULL, 4096, 0);
			aioring_iocb_set_data_ptr(cb, &got[aioring_iocb_index(&r, cb) % 8]);
		}
		bad += i != 3 || aioring_submit(&r) != 3;
		reaped += aioring_reap(&r, ev, 8);
	}
	reaped += aioring_reap(&r, ev, 8);
	ok(!bad && reaped == 4 + 60, "20 rounds of 3 through the wrap: %u events", reaped);
	ok(aioring_event_data_ptr(&ev[0]) >= (void *)got &&
	   aioring_event_data_ptr(&ev[0]) < (void *)(got + 8),
	   "set_data_ptr comes back as event_data_ptr");
	aioring_exit(&r);
}

static void test_prep(unsigned int flags)
{
	const char *what = flags ? "IOPOLL" : "plain";
	__u32 hipri = flags ? IOCB_FLAG_HIPRI : 0;
	struct iovec iov[3];
	char buf[16];
	struct aioring r;
	aioring_iocb_t *cb;

	ring_init(&r, 8, flags);
	cb = aioring_get_iocb(&r);
	if (!cb) {
		ok(0, "%s: get_iocb on an empty ring", what);
		return;
	}
	cb->aio_reqprio = 7;	/* a leftover of an earlier use */
	aioring_prep_read(&r, cb, 5, buf, sizeof(buf), 4096);
	ok(cb->aio_lio_opcode == AIORING_CMD_PREAD && cb->aio_fildes == 5 &&
	   cb->aio_buf == (__u64)(uintptr_t)buf && cb->aio_nbytes == 16 &&
	   cb->aio_offset == 4096 && cb->aio_flags == hipri &&
	   !cb->aio_reqprio && !cb->aio_data,
	   "%s: prep_read, HIPRI %s", what, hipri ? "set" : "clear");
	aioring_prep_write(&r, cb, 6, buf, 8, 8192);
	ok(cb->aio_lio_opcode == AIORING_CMD_PWRITE && cb->aio_fildes == 6 &&
	   cb->aio_nbytes == 8 && cb->aio_offset == 8192 && cb->aio_flags == hipri,
	   "%s: prep_write", what);
	aioring_prep_readv(&r, cb, 7, iov, 3, 512);
	ok(cb->aio_lio_opcode == AIORING_CMD_PREADV &&
	   cb->aio_buf == (__u64)(uintptr_t)iov && cb->aio_nbytes == 3 &&
	   cb->aio_offset == 512 && cb->aio_flags == hipri,
	   "%s: prep_readv: the iovec array and its count", what);
	aioring_prep_writev(&r, cb, 7, iov, 2, 0);
	ok(cb->aio_lio_opcode == AIORING_CMD_PWRITEV && cb->aio_nbytes == 2 &&
	   cb->aio_flags == hipri, "%s: prep_writev", what);
	aioring_prep_fsync(&r, cb, 9);
	ok(cb->aio_lio_opcode == AIORING_CMD_FSYNC && cb->aio_fildes == 9 &&
	   !cb->aio_buf && !cb->aio_nbytes && !cb->aio_flags,
	   "%s: prep_fsync, never HIPRI", what);
	aioring_prep_fdsync(&r, cb, 9);
	ok(cb->aio_lio_opcode == AIORING_CMD_FDSYNC && !cb->aio_flags,
	   "%s: prep_fdsync, never HIPRI", what);
	aioring_prep_poll(&r, cb, 4, POLLIN | POLLOUT);
	ok(cb->aio_lio_opcode == AIORING_CMD_POLL && cb->aio_fildes == 4 &&
	   cb->aio_buf == (POLLIN | POLLOUT) && !cb->aio_nbytes &&
	   !cb->aio_offset && !cb->aio_flags,
	   "%s: prep_poll: the events in aio_buf, never HIPRI", what);
	aioring_exit(&r);
}

int main(void)
{
	test_get_iocb();
	test_prep(0);
	test_prep(IOCTX_FLAG_IOPOLL);
	return tap_done();
}
