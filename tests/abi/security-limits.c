// SPDX-License-Identifier: MIT
/*
 * security-limits: an unprivileged user cannot get past RLIMIT_MEMLOCK
 * through fixed buffers, nor past fs.aio-max-nr through io_setup2, with
 * many contexts, several processes, or failed attempts (spec 7, 10).
 * fixedbufs-memlock.c checks one context against the limit; this program
 * checks that the charge adds up over contexts and processes of one user
 * and that failures give back all they took.
 *
 * As uid/gid 65534 without capabilities, RLIMIT_MEMLOCK 304 KiB, each
 * context registering 4 slots x 16 KiB = 64 KiB, and pinning 12 KiB of
 * rings, 76 KiB in all:
 *  1. contexts are made until one fails: exactly 4 work, the 5th is
 *     ENOMEM; VmPin rose by exactly 304 kB, VmLck did not move;
 *  2. one more context of one 4 KiB slot: ENOMEM (the limit is reached
 *     exactly);
 *  3. with 3 contexts alive, 4 slots x 32 KiB (the rings and the first
 *     two slots fit): ENOMEM, and VmPin is back where it was: the partly
 *     pinned context left nothing charged, so a 76 KiB one works after;
 *  4. a second process of the same user, its own contexts none, while
 *     the first holds 228 KiB: one 76 KiB context works, a second is
 *     ENOMEM (the charge is per user, not per process);
 *  5. after io_destroy of everything VmPin is back at its start.
 *
 * fs.aio-max-nr lowered by root to fs.aio-nr + 64; as nobody, contexts
 * of nr_events 8 with flags 0, SCQRING, IOPOLL, SCQRING|FIXEDBUFS and
 * SCQRING|SQTHREAD in turn:
 *  6. exactly 8 are made, the 9th is EAGAIN whatever its flags; fs.aio-nr
 *     never passes fs.aio-max-nr;
 *  7. a FIXEDBUFS or SQTHREAD context refused with EAGAIN pins nothing
 *     and starts no thread (VmPin, thread count unchanged);
 *  8. classic io_setup(1) is EAGAIN too (one limit for both);
 *  9. after one io_destroy a new context works; after all, fs.aio-nr is
 *     back at its start (fs.aio-max-nr is restored, also on signals).
 */
#include "ring2_util.h"
#include "knob.h"

#define SLOTS		4
#define SLOT_KB		16
/* the SQ ring, iocb array and CQ ring of a context of SLOTS (or 1): a page each */
#define RING_KB		12
#define CTX_KB		(SLOTS * SLOT_KB + RING_KB)	/* 76 */
#define LIMIT_KB	(4 * CTX_KB)			/* 304 */
#define MAXCTX		16

static long saved_max_nr = -1;

/* A FIXEDBUFS context of slots x kb KiB; buffers stay allocated. */
static long fixed_ctx(struct ring *r, unsigned int slots, unsigned int kb)
{
	size_t sizes[1] = { (size_t)kb << 10 };
	struct slot_bufs b;

	slot_bufs_alloc(&b, slots, sizes, 1);
	/* the buffers are leaked on purpose: the pages must stay mapped */
	return ring_setup_bufs(r, slots, IOCTX_FLAG_SCQRING | IOCTX_FLAG_FIXEDBUFS, 0,
			       b.buf, b.len);
}

struct memlock_res {
	long pin0, lck0;
	int made;			/* contexts before the first failure */
	long fail_err;			/* its errno */
	long pin_full, lck_full;
	long ret_one, err_one;		/* one more 4 KiB slot */
	long ret_partial, err_partial;	/* 4 x 32 KiB with 3 alive */
	long pin_before_partial, pin_after_partial;
	long ret_refill, err_refill;	/* 76 KiB after that */
	long child_ret1, child_err1, child_ret2, child_err2, child_ok;
	long destroy_fail;
	long pin_end;
};

static void set_memlock(void *arg)
{
	struct rlimit rl = { (rlim_t)LIMIT_KB << 10, (rlim_t)LIMIT_KB << 10 };

	(void)arg;
	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		_exit(5);
}

/* The second process: its own contexts, the same user's charge. */
static void second_process(struct memlock_res *res)
{
	int p[2], st;
	pid_t pid;
	long out[4] = { -9, 0, -9, 0 };

	if (pipe(p))
		return;
	pid = fork();
	if (pid == 0) {
		struct ring a, b;

		close(p[0]);
		out[0] = fixed_ctx(&a, SLOTS, SLOT_KB);
		out[1] = out[0] ? errno : 0;
		out[2] = fixed_ctx(&b, SLOTS, SLOT_KB);
		out[3] = out[2] ? errno : 0;
		_exit(write(p[1], out, sizeof(out)) == sizeof(out) ? 0 : 1);
	}
	close(p[1]);
	if (pid > 0 && read(p[0], out, sizeof(out)) == sizeof(out) &&
	    waitpid(pid, &st, 0) == pid && WIFEXITED(st) && !WEXITSTATUS(st))
		res->child_ok = 1;
	close(p[0]);
	res->child_ret1 = out[0];
	res->child_err1 = out[1];
	res->child_ret2 = out[2];
	res->child_err2 = out[3];
}

static void memlock_scenario(void *arg, void *out)
{
	struct memlock_res *res = out;
	struct ring r[MAXCTX], extra;
	int i, alive;

	(void)arg;
	res->pin0 = vm_pin_kb();
	res->lck0 = vm_lck_kb();
	for (i = 0; i < MAXCTX; i++) {
		if (fixed_ctx(&r[i], SLOTS, SLOT_KB)) {
			res->fail_err = errno;
			break;
		}
	}
	res->made = alive = i;
	res->pin_full = vm_pin_kb();
	res->lck_full = vm_lck_kb();
	res->ret_one = fixed_ctx(&extra, 1, 4);
	res->err_one = res->ret_one ? errno : 0;
	if (!res->ret_one)
		ring_destroy(&extra);

	/* down to 3 alive, then a context that fits only in part */
	while (alive > 3)
		res->destroy_fail |= ring_destroy(&r[--alive]) != 0;
	res->pin_before_partial = vm_pin_kb();
	res->ret_partial = fixed_ctx(&extra, SLOTS, 2 * SLOT_KB);
	res->err_partial = res->ret_partial ? errno : 0;
	if (!res->ret_partial)
		ring_destroy(&extra);
	res->pin_after_partial = vm_pin_kb();

	/* 228 KiB held here: another process of the same user */
	second_process(res);

	res->ret_refill = fixed_ctx(&r[alive], SLOTS, SLOT_KB);
	res->err_refill = res->ret_refill ? errno : 0;
	if (!res->ret_refill)
		alive++;
	while (alive > 0)
		res->destroy_fail |= ring_destroy(&r[--alive]) != 0;
	res->pin_end = vm_pin_kb();
}

static void check_memlock(void)
{
	struct memlock_res res;

	if (run_as_nobody(set_memlock, memlock_scenario, NULL, &res, sizeof(res))) {
		ok(0, "memlock: the unprivileged child ran");
		return;
	}
	ok(res.made == 4 && res.fail_err == ENOMEM,
	   "nobody, RLIMIT_MEMLOCK %u KiB: %d contexts of %u KiB (fixed buffers and rings) work, the next is ENOMEM (%s)",
	   LIMIT_KB, res.made, CTX_KB, strerrorname_np((int)res.fail_err) ?: "-");
	ok(res.pin_full - res.pin0 == (long)res.made * CTX_KB && res.lck_full == res.lck0,
	   "nobody: VmPin rose by %ld kB for %d contexts, VmLck did not move (%ld -> %ld kB)",
	   res.pin_full - res.pin0, res.made, res.lck0, res.lck_full);
	ok(res.ret_one == -1 && res.err_one == ENOMEM,
	   "nobody: at the limit, one more 4 KiB slot is ENOMEM (ret %ld, %s)",
	   res.ret_one, res.ret_one ? strerrorname_np((int)res.err_one) : "-");
	ok(res.ret_partial == -1 && res.err_partial == ENOMEM &&
	   res.pin_after_partial == res.pin_before_partial,
	   "nobody: 4 x 32 KiB with 228 KiB charged (two slots fit) is ENOMEM and leaves VmPin at %ld kB (now %ld)",
	   res.pin_before_partial, res.pin_after_partial);
	ok(res.child_ok && res.child_ret1 == 0 && res.child_ret2 == -1 &&
	   res.child_err2 == ENOMEM,
	   "nobody: a second process of the same user gets one 76 KiB context (%s), the next is ENOMEM (%s)",
	   res.child_ret1 ? strerrorname_np((int)res.child_err1) ?: "?" : "ok",
	   res.child_ret2 ? strerrorname_np((int)res.child_err2) ?: "?" : "made");
	ok(res.ret_refill == 0,
	   "nobody: once the other process exited its charge is gone: a 76 KiB context works (%s)",
	   res.ret_refill ? strerrorname_np((int)res.err_refill) ?: "?" : "ok");
	ok(!res.destroy_fail && res.pin_end == res.pin0,
	   "nobody: io_destroy of every context returns 0, VmPin is back at %ld kB (%ld)",
	   res.pin0, res.pin_end);
}

/* ------------------------------------------------------------------ */

struct maxnr_res {
	long nr0, limit;
	int made;
	long fail_ret[5], fail_err[5];	/* the 9th context, each flag set */
	long pin_before[5], pin_after[5];
	int thr_before[5], thr_after[5];
	long peak;
	long classic_ret, classic_err;
	long again_ret, again_err;
	long destroy_fail;
	long nr_end;
};

static const unsigned int maxnr_flags[5] = {
	0, IOCTX_FLAG_SCQRING, IOCTX_FLAG_IOPOLL,
	IOCTX_FLAG_SCQRING | IOCTX_FLAG_FIXEDBUFS,
	IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD,
};

static int thread_count(void)
{
	return (int)status_long("/proc/self/status", "Threads");
}

static long maxnr_ctx(struct ring *r, unsigned int flags)
{
	if (flags & IOCTX_FLAG_FIXEDBUFS) {
		size_t sizes[1] = { 4096 };
		struct slot_bufs b;

		slot_bufs_alloc(&b, 8, sizes, 1);
		return ring_setup_bufs(r, 8, flags, 0, b.buf, b.len);
	}
	if (flags & IOCTX_FLAG_SCQRING)
		return ring_setup_bufs(r, 8, flags, 0, NULL, NULL);
	return ring_setup(r, 8, flags);
}

static void maxnr_scenario(void *arg, void *out)
{
	struct maxnr_res *res = out;
	struct ring r[MAXCTX];
	aio_context_t classic = 0;
	int i, k, alive;

	(void)arg;
	res->nr0 = aio_nr();
	res->limit = aio_max_nr();
	for (i = 0; i < MAXCTX; i++) {
		long v;

		if (maxnr_ctx(&r[i], maxnr_flags[i % 5]))
			break;
		v = aio_nr();
		if (v > res->peak)
			res->peak = v;
	}
	res->made = alive = i;
	for (k = 0; k < 5; k++) {
		struct ring x;

		res->pin_before[k] = vm_pin_kb();
		res->thr_before[k] = thread_count();
		res->fail_ret[k] = maxnr_ctx(&x, maxnr_flags[k]);
		res->fail_err[k] = res->fail_ret[k] ? errno : 0;
		if (!res->fail_ret[k])
			ring_destroy(&x);
		ms_sleep(50);	/* a thread that was started would show now */
		res->pin_after[k] = vm_pin_kb();
		res->thr_after[k] = thread_count();
	}
	res->classic_ret = sys_io_setup(1, &classic);
	res->classic_err = res->classic_ret ? errno : 0;
	if (!res->classic_ret)
		sys_io_destroy(classic);
	if (alive)
		res->destroy_fail |= ring_destroy(&r[--alive]) != 0;
	res->again_ret = maxnr_ctx(&r[alive], IOCTX_FLAG_SCQRING);
	res->again_err = res->again_ret ? errno : 0;
	if (!res->again_ret)
		alive++;
	while (alive > 0)
		res->destroy_fail |= ring_destroy(&r[--alive]) != 0;
	res->nr_end = aio_nr_wait(res->nr0, 5000);
}

static void check_max_nr(void)
{
	struct maxnr_res res;
	long start = aio_nr(), k;

	saved_max_nr = aio_max_nr();
	if (start < 0 || saved_max_nr < 0) {
		ok(0, "fs.aio-nr and fs.aio-max-nr are readable");
		return;
	}
	knob_save(AIO_MAX_NR_PATH, saved_max_nr);
	if (write_sysctl_long(AIO_MAX_NR_PATH, start + 64)) {
		ok(0, "root can lower fs.aio-max-nr to %ld", start + 64);
		return;
	}
	if (run_as_nobody(NULL, maxnr_scenario, NULL, &res, sizeof(res))) {
		ok(0, "aio-max-nr: the unprivileged child ran");
		knob_restore();
		return;
	}
	knob_restore();
	ok(res.made == 8,
	   "nobody, fs.aio-max-nr = aio-nr + 64: exactly 8 contexts of nr_events 8 are made (%d)",
	   res.made);
	ok(res.peak <= res.limit, "nobody: fs.aio-nr never passed fs.aio-max-nr (peak %ld, limit %ld)",
	   res.peak, res.limit);
	for (k = 0; k < 5; k++) {
		ok(res.fail_ret[k] == -1 && res.fail_err[k] == EAGAIN,
		   "nobody: at the limit, io_setup2(8, %#x) is EAGAIN (ret %ld, %s)",
		   maxnr_flags[k], res.fail_ret[k],
		   res.fail_ret[k] ? strerrorname_np((int)res.fail_err[k]) ?: "?" : "-");
		if (maxnr_flags[k] & (IOCTX_FLAG_FIXEDBUFS | IOCTX_FLAG_SQTHREAD))
			ok(res.pin_after[k] == res.pin_before[k] &&
			   res.thr_after[k] == res.thr_before[k],
			   "nobody: the refused %#x context left no pinned page and no thread (VmPin %ld -> %ld kB, threads %d -> %d)",
			   maxnr_flags[k], res.pin_before[k], res.pin_after[k],
			   res.thr_before[k], res.thr_after[k]);
	}
	ok(res.classic_ret == -1 && res.classic_err == EAGAIN,
	   "nobody: classic io_setup(1) shares the limit: EAGAIN (ret %ld, %s)",
	   res.classic_ret,
	   res.classic_ret ? strerrorname_np((int)res.classic_err) ?: "?" : "-");
	ok(res.again_ret == 0,
	   "nobody: after one io_destroy a new context can be made (%s)",
	   res.again_ret ? strerrorname_np((int)res.again_err) ?: "?" : "ok");
	ok(!res.destroy_fail && res.nr_end == res.nr0,
	   "nobody: every io_destroy returned 0, fs.aio-nr is back at %ld (%ld)",
	   res.nr0, res.nr_end);
	ok(aio_max_nr() == saved_max_nr, "fs.aio-max-nr restored to %ld", saved_max_nr);
}

int main(void)
{
	long start;

	require_aioring();
	if (geteuid() != 0)
		skip_all("needs root (to fork unprivileged children and set fs.aio-max-nr)");
	if (page_round(aioring_sq_ring_size(SLOTS)) + page_round(aioring_iocbs_size(SLOTS)) +
	    page_round(aioring_cq_ring_size(SLOTS)) != RING_KB << 10)
		bail_out("the rings of %d entries are not %d KiB", SLOTS, RING_KB);
	start = aio_nr();
	check_memlock();
	check_max_nr();
	ok_aio_nr_back(start);
	return tap_done();
}
