// SPDX-License-Identifier: MIT
/*
 * fixedbufs-memlock: fixed buffers are charged to the user's locked
 * memory (RLIMIT_MEMLOCK, CAP_IPC_LOCK exempt) and to the process's
 * pinned memory (mm->pinned_vm, VmPin in /proc/self/status).
 *
 * The context registers 33 slots x 64 KiB = 528 pages, and its three
 * rings take a page each: 531 pages (2124 kB) are pinned and charged.
 *  - unprivileged child (uid/gid 65534, no capabilities), RLIMIT_MEMLOCK
 *    64 KiB: io_setup2 fails with ENOMEM; VmPin unchanged;
 *  - unprivileged child, RLIMIT_MEMLOCK exactly 2124 KiB: io_setup2
 *    works; VmPin rises by exactly 2124 kB (VmLck does not move); a
 *    second such context while the first lives: ENOMEM (the charge is
 *    per user and cumulative); right after io_destroy returns VmPin is
 *    back at its start value, and the second context can now be made
 *    (the charge was released);
 *  - root (CAP_IPC_LOCK) with RLIMIT_MEMLOCK 64 KiB: works, VmPin +2124
 *    kB while it lives, back after io_destroy;
 *  - fs.aio-nr back at the end.
 */
#include "ring2_util.h"

#define N		33
#define BUF		(64u << 10)
/* the SQ ring, the iocb array and the CQ ring of N: a page each */
#define RING_PAGES	3
#define PAGES		(N * (BUF / 4096) + RING_PAGES)	/* 531 */
#define PIN_KB		(PAGES * 4)			/* 2124 */

struct res {
	long ret1, err1;		/* first io_setup2 */
	long pin0, lck0, pin1, lck1;	/* before, while it lives */
	long ret2, err2;		/* second one while the first lives */
	long destroy, pin2;		/* io_destroy, VmPin right after */
	long ret3, err3, pin3;		/* second one after the destroy */
	long destroy3, pin4;
	long aio_nr0, aio_nr1;
};

struct arg {
	rlim_t limit;
	int second;			/* try the second context */
};

static void set_limit(void *a)
{
	struct arg *arg = a;
	struct rlimit rl = { arg->limit, arg->limit };

	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		_exit(5);
}

static void bufs_for(struct slot_bufs *b)
{
	static const size_t sz[] = { BUF };

	slot_bufs_alloc(b, N, sz, 1);
}

/* Runs in the child (or in root for the exemption case); prints nothing. */
static void scenario(void *a, void *out)
{
	struct arg *arg = a;
	struct res *res = out;
	struct slot_bufs b1, b2;
	struct ring r1, r2;

	bufs_for(&b1);
	bufs_for(&b2);
	res->aio_nr0 = aio_nr();
	res->pin0 = vm_pin_kb();
	res->lck0 = vm_lck_kb();
	res->ret1 = ring_setup_bufs(&r1, N, IOCTX_FLAG_SCQRING | IOCTX_FLAG_FIXEDBUFS, 0,
				    b1.buf, b1.len);
	res->err1 = res->ret1 ? errno : 0;
	res->pin1 = vm_pin_kb();
	res->lck1 = vm_lck_kb();
	res->ret2 = res->ret3 = res->destroy3 = -2;
	if (res->ret1 == 0) {
		if (arg->second) {
			res->ret2 = ring_setup_bufs(&r2, N, IOCTX_FLAG_SCQRING |
						    IOCTX_FLAG_FIXEDBUFS, 0, b2.buf,
						    b2.len);
			res->err2 = res->ret2 ? errno : 0;
			if (res->ret2 == 0)
				ring_destroy(&r2);
		}
		res->destroy = ring_destroy(&r1);
		res->pin2 = vm_pin_kb();
		if (arg->second) {
			res->ret3 = ring_setup_bufs(&r2, N, IOCTX_FLAG_SCQRING |
						    IOCTX_FLAG_FIXEDBUFS, 0, b2.buf,
						    b2.len);
			res->err3 = res->ret3 ? errno : 0;
			res->pin3 = vm_pin_kb();
			if (res->ret3 == 0)
				res->destroy3 = ring_destroy(&r2);
			res->pin4 = vm_pin_kb();
		}
	}
	res->aio_nr1 = aio_nr();
	slot_bufs_free(&b1);
	slot_bufs_free(&b2);
}

int main(void)
{
	struct arg arg;
	struct res res;
	long start;

	require_aioring();
	if (geteuid() != 0)
		skip_all("needs root (to fork unprivileged children)");
	if (page_round(aioring_sq_ring_size(N)) + page_round(aioring_iocbs_size(N)) +
	    page_round(aioring_cq_ring_size(N)) != RING_PAGES * 4096)
		bail_out("the rings of %d entries are not %d pages", N, RING_PAGES);
	start = aio_nr();

	/* 1. unprivileged, 64 KiB limit */
	arg.limit = 64 << 10;
	arg.second = 0;
	if (run_as_nobody(set_limit, scenario, &arg, &res, sizeof(res)) == 0) {
		ok(res.ret1 == -1 && res.err1 == ENOMEM,
		   "nobody, RLIMIT_MEMLOCK 64 KiB, 33 x 64 KiB fixed buffers: ENOMEM (ret %ld errno %s)",
		   res.ret1, res.ret1 ? strerrorname_np((int)res.err1) : "-");
		ok(res.pin1 == res.pin0,
		   "nobody, 64 KiB: VmPin unchanged after the failure (%ld -> %ld kB)",
		   res.pin0, res.pin1);
		ok(res.aio_nr1 == res.aio_nr0, "nobody, 64 KiB: aio-nr unchanged (%ld -> %ld)",
		   res.aio_nr0, res.aio_nr1);
	} else {
		ok(0, "unprivileged child (64 KiB) ran");
	}

	/* 2. unprivileged, exactly enough */
	arg.limit = (rlim_t)PAGES * 4096;
	arg.second = 1;
	if (run_as_nobody(set_limit, scenario, &arg, &res, sizeof(res)) == 0) {
		ok(res.ret1 == 0,
		   "nobody, RLIMIT_MEMLOCK %u KiB (exactly the buffers and rings): io_setup2 returns 0 (errno %s)",
		   PIN_KB, res.ret1 ? strerrorname_np((int)res.err1) : "-");
		ok(res.pin1 - res.pin0 == PIN_KB,
		   "nobody: VmPin rises by %u kB while the context lives (%ld -> %ld kB)",
		   PIN_KB, res.pin0, res.pin1);
		ok(res.lck1 == res.lck0, "nobody: VmLck does not move (%ld -> %ld kB)",
		   res.lck0, res.lck1);
		ok(res.ret2 == -1 && res.err2 == ENOMEM,
		   "nobody: a second such context while the first lives: ENOMEM (ret %ld errno %s)",
		   res.ret2, res.ret2 == -1 ? strerrorname_np((int)res.err2) : "-");
		ok(res.destroy == 0 && res.pin2 == res.pin0,
		   "nobody: right after io_destroy returns (%ld) VmPin is back at %ld kB (%ld)",
		   res.destroy, res.pin0, res.pin2);
		ok(res.ret3 == 0 && res.pin3 - res.pin0 == PIN_KB,
		   "nobody: after the destroy the charge is released: a new context works (ret %ld errno %s, VmPin %ld)",
		   res.ret3, res.ret3 ? strerrorname_np((int)res.err3) : "-", res.pin3);
		ok(res.destroy3 == 0 && res.pin4 == res.pin0,
		   "nobody: io_destroy of it returns 0, VmPin back (%ld kB)", res.pin4);
		ok(res.aio_nr1 == res.aio_nr0, "nobody: aio-nr back (%ld -> %ld)",
		   res.aio_nr0, res.aio_nr1);
	} else {
		ok(0, "unprivileged child (exact limit) ran");
	}

	/* 3. root: CAP_IPC_LOCK is exempt */
	{
		struct rlimit old, rl = { 64 << 10, 64 << 10 };

		arg.second = 0;
		getrlimit(RLIMIT_MEMLOCK, &old);
		if (setrlimit(RLIMIT_MEMLOCK, &rl))
			bail_out("setrlimit");
		memset(&res, 0, sizeof(res));
		scenario(&arg, &res);
		setrlimit(RLIMIT_MEMLOCK, &old);
		ok(res.ret1 == 0,
		   "root (CAP_IPC_LOCK), RLIMIT_MEMLOCK 64 KiB: io_setup2 with 2124 KiB of fixed buffers and rings returns 0 (errno %s)",
		   res.ret1 ? strerrorname_np((int)res.err1) : "-");
		ok(res.pin1 - res.pin0 == PIN_KB && res.destroy == 0 &&
		   res.pin2 == res.pin0,
		   "root: VmPin +%u kB while it lives (%ld -> %ld), back right after io_destroy (%ld)",
		   PIN_KB, res.pin0, res.pin1, res.pin2);
	}
	ok_aio_nr_back(start);
	return tap_done();
}
