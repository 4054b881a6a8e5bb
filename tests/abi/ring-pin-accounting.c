// SPDX-License-Identifier: MIT
/*
 * ring-pin-accounting: the pages of the SQ ring, the iocb array and the
 * CQ ring, pinned for the life of a context, are charged like fixed
 * buffers: to the user's locked memory (RLIMIT_MEMLOCK, CAP_IPC_LOCK
 * exempt) and to the process's pinned memory (VmPin) (review finding M5:
 * they were charged to nothing, so contexts could pin memory without
 * limit).
 *
 * With nr_events 256 the rings take P pages (computed from the ABI
 * sizes; 10 on x86-64):
 *  - unprivileged child, RLIMIT_MEMLOCK (P - 1) pages: io_setup2 fails
 *    with ENOMEM, VmPin unchanged;
 *  - unprivileged child, RLIMIT_MEMLOCK P pages: io_setup2 works, VmPin
 *    rises by P pages, a second context is ENOMEM, and after io_destroy
 *    VmPin is back and a second context can be made;
 *  - root (CAP_IPC_LOCK) under RLIMIT_MEMLOCK 0: works, VmPin + P pages
 *    while it lives, back after io_destroy.
 * fs.aio-nr is back at the end.
 */
#include "ring2_util.h"

#define N	256

static long ring_pages(void)
{
	return (page_round(aioring_sq_ring_size(N)) + page_round(aioring_iocbs_size(N)) +
		page_round(aioring_cq_ring_size(N))) / 4096;
}

struct res {
	long ret1, err1, pin0, pin1, ret2, err2, destroy, pin2, ret3;
};

static void run(void *arg, void *out)
{
	struct rlimit rl = { *(rlim_t *)arg, *(rlim_t *)arg };
	struct res *res = out;
	struct ring r1, r2;

	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		return;
	res->pin0 = vm_pin_kb();
	res->ret1 = ring_setup(&r1, N, IOCTX_FLAG_SCQRING);
	res->err1 = errno;
	res->pin1 = vm_pin_kb();
	if (res->ret1)
		return;
	res->ret2 = ring_setup(&r2, N, IOCTX_FLAG_SCQRING);
	res->err2 = errno;
	if (!res->ret2)
		ring_destroy(&r2);
	res->destroy = ring_destroy(&r1);
	res->pin2 = vm_pin_kb();
	res->ret3 = ring_setup(&r2, N, IOCTX_FLAG_SCQRING);
	if (!res->ret3)
		ring_destroy(&r2);
}

static void limit_set(void *arg)
{
	(void)arg;
}

int main(void)
{
	long p = ring_pages(), kb = p * 4, nr0 = aio_nr();
	struct rlimit old, zero = { 0, 0 };
	struct res res;
	rlim_t lim;

	require_aioring();
	if (geteuid() != 0)
		skip_all("needs root (to fork unprivileged children)");
	tap_plan(7);

	lim = (rlim_t)(p - 1) * 4096;
	memset(&res, 0, sizeof(res));
	if (run_as_nobody(limit_set, run, &lim, &res, sizeof(res)))
		bail_out("unprivileged child");
	ok(res.ret1 < 0 && res.err1 == ENOMEM && res.pin1 == res.pin0,
	   "nobody, RLIMIT_MEMLOCK %ld pages, rings of %ld pages: ENOMEM (ret %ld, %s), VmPin unchanged",
	   p - 1, p, res.ret1, strerror((int)res.err1));

	lim = (rlim_t)p * 4096;
	memset(&res, 0, sizeof(res));
	if (run_as_nobody(limit_set, run, &lim, &res, sizeof(res)))
		bail_out("unprivileged child");
	ok(res.ret1 == 0 && res.pin1 - res.pin0 == kb,
	   "nobody, RLIMIT_MEMLOCK %ld pages: io_setup2 works, VmPin +%ld kB (%ld -> %ld)",
	   p, kb, res.pin0, res.pin1);
	ok(res.ret2 < 0 && res.err2 == ENOMEM,
	   "a second context while the first lives: ENOMEM (ret %ld, %s)", res.ret2,
	   strerror((int)res.err2));
	ok(res.destroy == 0 && res.pin2 == res.pin0 && res.ret3 == 0,
	   "after io_destroy VmPin is back (%ld) and a context can be made again (%ld)",
	   res.pin2, res.ret3);

	getrlimit(RLIMIT_MEMLOCK, &old);
	if (setrlimit(RLIMIT_MEMLOCK, &zero))
		bail_out("setrlimit");
	memset(&res, 0, sizeof(res));
	{
		struct ring r;

		res.pin0 = vm_pin_kb();
		res.ret1 = ring_setup(&r, N, IOCTX_FLAG_SCQRING);
		res.err1 = errno;
		res.pin1 = vm_pin_kb();
		if (!res.ret1)
			res.destroy = ring_destroy(&r);
		res.pin2 = vm_pin_kb();
	}
	setrlimit(RLIMIT_MEMLOCK, &old);
	ok(res.ret1 == 0, "root (CAP_IPC_LOCK), RLIMIT_MEMLOCK 0: io_setup2 works (%s)",
	   res.ret1 ? strerror((int)res.err1) : "ok");
	ok(res.pin1 - res.pin0 == kb && res.destroy == 0 && res.pin2 == res.pin0,
	   "its VmPin +%ld kB while it lives (%ld -> %ld), back after io_destroy (%ld)",
	   kb, res.pin0, res.pin1, res.pin2);
	ok(aio_nr_wait(nr0, 5000) == nr0, "fs.aio-nr back to %ld", nr0);
	return tap_done();
}
