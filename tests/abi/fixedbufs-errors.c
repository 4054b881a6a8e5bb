// SPDX-License-Identifier: MIT
/*
 * fixedbufs-errors: the error cases of IOCTX_FLAG_FIXEDBUFS.
 *
 * At io_setup2 (each call leaves fs.aio-nr, VmPin and the global
 * pinned-page balance of /proc/vmstat as they were):
 *   a slot's buffer NULL (first, middle, last slot)      EFAULT
 *   a slot's buffer of 4 MiB + 4 KiB                     EFAULT
 *   a slot's buffer of 0 bytes                           EFAULT
 *   a slot's buffer unmapped, half unmapped, PROT_NONE,
 *   read-only (PROT_READ)                                EFAULT
 *   FIXEDBUFS (and FIXEDBUFS|IOPOLL) without SCQRING     EINVAL
 *   a buffer of exactly 4 MiB                            works
 *
 * At submission on a FIXEDBUFS context (inline io_ring_enter):
 *   PREADV / PWRITEV                                     -1 EINVAL
 *   aio_buf in another slot's buffer                     -1 EFAULT
 *   [aio_buf, +nbytes) running over the slot's end       -1 EFAULT
 *   aio_buf before the slot's start / just past its end  -1 EFAULT
 * the failing entry stays at the SQ head and no event is posted; fixed in
 * place, the same entry is then consumed and completes.  A batch
 * [valid, bad, valid] submits 1 and stops at the bad one.  The last 512
 * bytes of a slot are valid.  After the errors, writes and reads with
 * data verification still work on the same context.
 *
 * With SQTHREAD the same bad iocbs become events (res -EFAULT / -EINVAL,
 * data = aio_data, obj = slot) and the thread goes on with valid ones.
 */
#include "ring2_util.h"

#define N	8
#define SLOT	8192u

/*
 * Changes to slot 2 made after the rings are mapped, right before
 * io_setup2, so that no later mmap can land in a hole made here.
 */
enum { HOOK_NONE, HOOK_UNMAPPED, HOOK_HALF, HOOK_PROT_NONE };
static void *hook_map;

static void slot2_hook(struct ring *r, int hook)
{
	uint8_t *m;

	if (hook == HOOK_NONE)
		return;
	m = mmap(NULL, 2 * 4096, hook == HOOK_PROT_NONE ? PROT_NONE :
		 PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		bail_out("mmap");
	if (hook == HOOK_UNMAPPED) {
		munmap(m, 2 * 4096);
	} else if (hook == HOOK_HALF) {
		m[0] = 1;
		munmap(m + 4096, 4096);
	}
	hook_map = hook == HOOK_UNMAPPED ? NULL : m;
	r->iocbs[2].aio_buf = (uintptr_t)m;
	r->iocbs[2].aio_nbytes = 2 * 4096;
}

static void setup_fail_hook(unsigned int flags, uint8_t **bufs, size_t *lens,
			    int want, const char *what, int hook);

static void setup_fail(unsigned int flags, uint8_t **bufs, size_t *lens,
		       int want, const char *what)
{
	setup_fail_hook(flags, bufs, lens, want, what, HOOK_NONE);
}

static void setup_fail_hook(unsigned int flags, uint8_t **bufs, size_t *lens,
			    int want, const char *what, int hook)
{
	long nr0 = aio_nr(), pin0 = vm_pin_kb();
	long long bal0 = pin_balance(), bal1;
	struct ring r;
	long ret;
	int e;

	if (flags & IOCTX_FLAG_SCQRING) {
		ring_prepare(&r, N, flags, 0, bufs, lens);
		slot2_hook(&r, hook);
		ret = ring_create(&r);
		e = errno;
		if (ret == 0)
			ring_destroy(&r);
		if (hook_map) {
			munmap(hook_map, 2 * 4096);
			hook_map = NULL;
		}
	} else {
		aio_context_t ctx = 0;

		ret = aioring_io_setup2(N, flags, NULL, NULL, &ctx);
		e = errno;
		if (ret == 0)
			sys_io_destroy(ctx);
	}
	bal1 = pin_balance();
	ok(ret == -1 && e == want && aio_nr() == nr0 && vm_pin_kb() == pin0 &&
	   bal1 == bal0,
	   "%s: %s (got ret %ld errno %d %s); aio-nr %ld -> %ld, VmPin %ld -> %ld kB, pins held %lld -> %lld",
	   what, strerrorname_np(want), ret, ret ? e : 0, ret ? strerror(e) : "-",
	   nr0, aio_nr(), pin0, vm_pin_kb(), bal0, bal1);
}

static void setup_errors(void)
{
	static const size_t sz[] = { SLOT };
	struct slot_bufs b;
	uint8_t *save;
	size_t savelen;
	void *big, *ro;
	struct ring r;
	long ret;

	slot_bufs_alloc(&b, N, sz, 1);

	save = b.buf[0];
	b.buf[0] = NULL;
	setup_fail(IOCTX_FLAG_SCQRING | IOCTX_FLAG_FIXEDBUFS, b.buf, b.len, EFAULT,
		   "slot 0 buffer NULL");
	b.buf[0] = save;
	save = b.buf[4];
	b.buf[4] = NULL;
	setup_fail(IOCTX_FLAG_SCQRING | IOCTX_FLAG_FIXEDBUFS, b.buf, b.len, EFAULT,
		   "slot 4 buffer NULL (slots 0-3 pinned first)");
	b.buf[4] = save;
	save = b.buf[N - 1];
	b.buf[N - 1] = NULL;
	setup_fail(IOCTX_FLAG_SCQRING | IOCTX_FLAG_FIXEDBUFS, b.buf, b.len, EFAULT,
		   "last slot buffer NULL");
	b.buf[N - 1] = save;

	if (posix_memalign(&big, 4096, (4u << 20) + 4096))
		bail_out("posix_memalign");
	memset(big, 0, (4u << 20) + 4096);
	save = b.buf[3];
	savelen = b.len[3];
	b.buf[3] = big;
	b.len[3] = (4u << 20) + 4096;
	setup_fail(IOCTX_FLAG_SCQRING | IOCTX_FLAG_FIXEDBUFS, b.buf, b.len, EFAULT,
		   "slot 3 buffer of 4 MiB + 4 KiB");
	b.len[3] = (4u << 20) + 1;
	setup_fail(IOCTX_FLAG_SCQRING | IOCTX_FLAG_FIXEDBUFS, b.buf, b.len, EFAULT,
		   "slot 3 buffer of 4 MiB + 1 byte");
	b.len[3] = 4u << 20;
	{
		/* the buffers, and the rings' pages pinned with them */
		long want = 4096 + (N - 1) * SLOT / 1024 +
			    (long)(page_round(aioring_sq_ring_size(N)) +
				   page_round(aioring_iocbs_size(N)) +
				   page_round(aioring_cq_ring_size(N))) / 1024;
		long pin0 = vm_pin_kb();
		long pin1;

		ret = ring_setup_bufs(&r, N, IOCTX_FLAG_SCQRING | IOCTX_FLAG_FIXEDBUFS, 0,
				      b.buf, b.len);
		pin1 = vm_pin_kb();
		ok(ret == 0 && pin1 - pin0 == want,
		   "slot 3 buffer of exactly 4 MiB: io_setup2 returns 0 (errno %d), VmPin +%ld kB (want %ld: buffers and rings)",
		   ret ? errno : 0, pin1 - pin0, want);
		if (ret == 0)
			ring_destroy(&r);
	}
	b.buf[3] = save;
	b.len[3] = savelen;
	free(big);

	b.len[6] = 0;
	setup_fail(IOCTX_FLAG_SCQRING | IOCTX_FLAG_FIXEDBUFS, b.buf, b.len, EFAULT,
		   "slot 6 buffer of 0 bytes");
	b.len[6] = SLOT;

	setup_fail_hook(IOCTX_FLAG_SCQRING | IOCTX_FLAG_FIXEDBUFS, b.buf, b.len,
			EFAULT, "slot 2 buffer unmapped", HOOK_UNMAPPED);
	setup_fail_hook(IOCTX_FLAG_SCQRING | IOCTX_FLAG_FIXEDBUFS, b.buf, b.len,
			EFAULT, "slot 2 buffer whose second page is unmapped",
			HOOK_HALF);
	setup_fail_hook(IOCTX_FLAG_SCQRING | IOCTX_FLAG_FIXEDBUFS, b.buf, b.len,
			EFAULT, "slot 2 buffer PROT_NONE", HOOK_PROT_NONE);
	ro = mmap(NULL, SLOT, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro == MAP_FAILED)
		bail_out("mmap");
	save = b.buf[2];
	b.buf[2] = ro;
	setup_fail(IOCTX_FLAG_SCQRING | IOCTX_FLAG_FIXEDBUFS, b.buf, b.len, EFAULT,
		   "slot 2 buffer read-only (PROT_READ)");
	munmap(ro, SLOT);
	b.buf[2] = save;

	setup_fail(IOCTX_FLAG_FIXEDBUFS, NULL, NULL, EINVAL,
		   "FIXEDBUFS without SCQRING");
	setup_fail(IOCTX_FLAG_FIXEDBUFS | IOCTX_FLAG_IOPOLL, NULL, NULL, EINVAL,
		   "FIXEDBUFS|IOPOLL without SCQRING");
	slot_bufs_free(&b);
}

/* Queue slot's iocb and submit inline; the entry must stay, no event. */
static void inline_reject(struct ring *r, int want, const char *what)
{
	unsigned int head = sq_head(r);
	unsigned int cq0 = cq_count(r);
	long ret;
	int e;

	ret = ring_enter(r, 1, 0, IORING_FLAG_SUBMIT);
	e = errno;
	ms_sleep(20);
	ok(ret == -1 && e == want && sq_head(r) == head && sq_count(r) == 1 &&
	   cq_count(r) == cq0,
	   "%s: io_ring_enter(SUBMIT 1) %s (got ret %ld errno %s), the entry stays (head %u -> %u), no event (%u)",
	   what, strerrorname_np(want), ret, ret < 0 ? strerrorname_np(e) : "-",
	   head, sq_head(r), cq_count(r) - cq0);
}

/* Submit what is queued and collect want events. */
static int drain(struct ring *r, unsigned int want, struct io_event *ev)
{
	unsigned int pending = sq_count(r);
	long ret = 0;

	if (pending)
		ret = ring_enter(r, pending, 0, IORING_FLAG_SUBMIT);
	if (ret < 0)
		diag("io_ring_enter(SUBMIT %u): %s", pending, strerror(errno));
	return (int)ring_reap_wait(r, ev, want, 5000);
}

static void submit_errors(struct target *t, uint64_t seed)
{
	static const size_t sz[] = { SLOT };
	struct slot_bufs b;
	struct io_event ev[4];
	struct iovec iov;
	struct ring r;
	long ret;
	int got;

	slot_bufs_alloc(&b, N, sz, 1);
	ret = ring_setup_bufs(&r, N, IOCTX_FLAG_SCQRING | IOCTX_FLAG_FIXEDBUFS, 0, b.buf,
			      b.len);
	if (!ok(ret == 0, "%s: io_setup2(SCQRING|FIXEDBUFS) returns 0 (errno %d)",
		t->name, ret ? errno : 0)) {
		slot_bufs_free(&b);
		return;
	}

	/* vectored */
	iov.iov_base = b.buf[1];
	iov.iov_len = 4096;
	iocb_prep(&r.iocbs[1], IOCB_CMD_PREADV, t->fd, &iov, 1, 0, 0x101, 0);
	sq_push(&r, 1);
	inline_reject(&r, EINVAL, "PREADV on a FIXEDBUFS ctx");
	r.iocbs[1].aio_lio_opcode = IOCB_CMD_PWRITEV;
	inline_reject(&r, EINVAL, "PWRITEV on a FIXEDBUFS ctx");
	/* the same entry, fixed in place */
	pattern_fill(b.buf[1], 4096, 0, seed);
	iocb_prep(&r.iocbs[1], IOCB_CMD_PWRITE, t->fd, b.buf[1], 4096, 0, 0x102, 0);
	got = drain(&r, 1, ev);
	ok(got == 1 && ev[0].data == 0x102 && ev[0].obj == 1 && ev[0].res == 4096,
	   "the rejected entry, fixed in place to a PWRITE, is consumed and completes (events %d, res %lld)",
	   got, got ? (long long)ev[0].res : 0);

	/* another slot's buffer */
	iocb_prep(&r.iocbs[1], IOCB_CMD_PREAD, t->fd, b.buf[2], 4096, 0, 0x103, 0);
	sq_push(&r, 1);
	inline_reject(&r, EFAULT, "slot 1 iocb with slot 2's buffer");
	r.iocbs[1].aio_buf = (uintptr_t)(b.buf[1] + SLOT - 512);
	r.iocbs[1].aio_nbytes = 1024;
	inline_reject(&r, EFAULT, "range running 512 bytes over the slot's end");
	r.iocbs[1].aio_buf = (uintptr_t)(b.buf[1] - 512);
	inline_reject(&r, EFAULT, "range starting 512 bytes before the slot");
	r.iocbs[1].aio_buf = (uintptr_t)(b.buf[1] + SLOT);
	r.iocbs[1].aio_nbytes = 512;
	inline_reject(&r, EFAULT, "range starting just past the slot's end");
	r.iocbs[1].aio_buf = (uintptr_t)b.buf[1];
	r.iocbs[1].aio_nbytes = SLOT + 4096;
	inline_reject(&r, EFAULT, "whole slot plus 4 KiB");
	/* valid: the last 512 bytes of the slot */
	memset(b.buf[1], 0xa5, SLOT);
	r.iocbs[1].aio_buf = (uintptr_t)(b.buf[1] + SLOT - 512);
	r.iocbs[1].aio_nbytes = 512;
	r.iocbs[1].aio_offset = 512;
	got = drain(&r, 1, ev);
	ok(got == 1 && ev[0].data == 0x103 && ev[0].obj == 1 && ev[0].res == 512 &&
	   pattern_check(b.buf[1] + SLOT - 512, 512, 512, seed) < 0,
	   "fixed in place to the last 512 bytes of the slot: consumed, res 512, data right (res %lld)",
	   got ? (long long)ev[0].res : 0);

	/* a batch [valid, bad, valid] stops at the bad one */
	{
		unsigned int head = sq_head(&r);

		iocb_prep(&r.iocbs[3], IOCB_CMD_PREAD, t->fd, b.buf[3], 4096, 0, 0x301, 0);
		iocb_prep(&r.iocbs[4], IOCB_CMD_PREAD, t->fd, b.buf[3], 4096, 0, 0x401, 0);
		iocb_prep(&r.iocbs[5], IOCB_CMD_PREAD, t->fd, b.buf[5], 4096, 0, 0x501, 0);
		sq_push(&r, 3);
		sq_push(&r, 4);
		sq_push(&r, 5);
		ret = ring_enter(&r, 3, 0, IORING_FLAG_SUBMIT);
		got = (int)ring_reap_wait(&r, ev, 1, 5000);
		ok(ret == 1 && (sq_head(&r) + N - head) % N == 1 && sq_count(&r) == 2 &&
		   got == 1 && ev[0].data == 0x301 && ev[0].res == 4096,
		   "batch [valid, slot 4 with slot 3's buffer, valid]: SUBMIT 3 returns 1 (%ld), head moved 1, the first completes",
		   ret);
		r.iocbs[4].aio_buf = (uintptr_t)b.buf[4];
		got = drain(&r, 2, ev);
		ok(got == 2 && ev[0].res == 4096 && ev[1].res == 4096 &&
		   ((ev[0].data == 0x401 && ev[1].data == 0x501) ||
		    (ev[0].data == 0x501 && ev[1].data == 0x401)),
		   "after fixing it the other two are submitted and complete (%d events)",
		   got);
	}

	/* afterwards: data-verified IO on the same ctx */
	{
		struct r2_pass p;

		memset(&p, 0, sizeof(p));
		p.r = &r;
		p.fd = t->fd;
		p.write = 1;
		p.mode = R2_ENTER;
		p.nops = 64;
		p.depth = N - 1;
		p.base = 1 << 20;
		p.seed = seed + 1;
		p.bufs = b.buf;
		p.tag = 0x71;
		r2_pass_run(&p);
		r2_pass_report(&p, "after the errors: write");
		memset(&p, 0, sizeof(p));
		p.r = &r;
		p.fd = t->fd;
		p.write = 0;
		p.mode = R2_ENTER;
		p.nops = 64;
		p.depth = N - 1;
		p.base = 1 << 20;
		p.seed = seed + 1;
		p.mult = 7;
		p.bufs = b.buf;
		p.tag = 0x72;
		r2_pass_run(&p);
		r2_pass_report(&p, "after the errors: read");
	}
	ok(ring_destroy(&r) == 0, "io_destroy returns 0");
	slot_bufs_free(&b);
}

struct thread_arg {
	struct target *t;
	uint64_t seed;
};

/* With the SQ thread the same errors become events (in a child). */
static void thread_errors(void *a)
{
	struct target *t = ((struct thread_arg *)a)->t;
	uint64_t seed = ((struct thread_arg *)a)->seed;
	static const size_t sz[] = { SLOT };
	struct slot_bufs b;
	struct io_event ev[8];
	struct iovec iov;
	struct ring r;
	long ret;
	unsigned int got, i, seen = 0, bad = 0;

	slot_bufs_alloc(&b, N, sz, 1);
	ret = ring_setup_bufs(&r, N, IOCTX_FLAG_SCQRING | IOCTX_FLAG_FIXEDBUFS |
			      IOCTX_FLAG_SQTHREAD, 0, b.buf, b.len);
	if (!ok(ret == 0, "io_setup2(SCQRING|FIXEDBUFS|SQTHREAD) returns 0 (errno %d)",
		ret ? errno : 0)) {
		slot_bufs_free(&b);
		return;
	}
	pattern_fill(b.buf[0], 4096, 2 << 20, seed);
	if (pwrite(t->fd, b.buf[0], 4096, 2 << 20) != 4096)
		bail_out("pwrite");
	iov.iov_base = b.buf[1];
	iov.iov_len = 4096;
	iocb_prep(&r.iocbs[1], IOCB_CMD_PREADV, t->fd, &iov, 1, 0, 0xe1, 0);
	iocb_prep(&r.iocbs[2], IOCB_CMD_PREAD, t->fd, b.buf[3], 4096, 0, 0xe2, 0);
	iocb_prep(&r.iocbs[3], IOCB_CMD_PREAD, t->fd, b.buf[3] + SLOT - 512, 1024,
		  0, 0xe3, 0);
	memset(b.buf[4], 0xa5, SLOT);
	iocb_prep(&r.iocbs[4], IOCB_CMD_PREAD, t->fd, b.buf[4], 4096, 2 << 20, 0xe4, 0);
	for (i = 1; i <= 4; i++)
		sq_push(&r, i);
	ret = ring_enter(&r, 4, 0, IORING_FLAG_SUBMIT);
	got = ring_reap_wait(&r, ev, 4, 5000);
	for (i = 0; i < got; i++) {
		switch (ev[i].data) {
		case 0xe1:
			bad += ev[i].res != -EINVAL || ev[i].obj != 1;
			break;
		case 0xe2:
			bad += ev[i].res != -EFAULT || ev[i].obj != 2;
			break;
		case 0xe3:
			bad += ev[i].res != -EFAULT || ev[i].obj != 3;
			break;
		case 0xe4:
			bad += ev[i].res != 4096 || ev[i].obj != 4;
			break;
		default:
			bad++;
		}
		seen |= 1u << (ev[i].data & 0xf);
		if (bad)
			diag("event data %#llx obj %llu res %lld",
			     (unsigned long long)ev[i].data,
			     (unsigned long long)ev[i].obj, (long long)ev[i].res);
	}
	ok(ret == 4 && got == 4 && seen == 0x1e && !bad,
	   "SQTHREAD: SUBMIT 4 returns 4 (%ld); PREADV -> event -EINVAL, other slot's buffer and over-the-end -> events -EFAULT, each with its aio_data and slot; the valid read completes (%u events)",
	   ret, got);
	ok(pattern_check(b.buf[4], 4096, 2 << 20, seed) < 0,
	   "SQTHREAD: the valid read's data is right");
	ok(sq_wait_drained(&r, 1000) == 0, "SQTHREAD: every entry was consumed");
	ok(ring_destroy(&r) == 0, "SQTHREAD: io_destroy returns 0");
	slot_bufs_free(&b);
}

int main(void)
{
	struct target t;
	uint64_t seed = pattern_seed();
	long start, pin0;

	require_aioring();
	start = aio_nr();
	pin0 = vm_pin_kb();
	if (pin_balance() == LLONG_MIN)
		diag("/proc/vmstat has no nr_foll_pin_* counters: pin balance not checked");
	setup_errors();
	if (target_pick(&t, 4u << 20)) {
		skip("no O_DIRECT target for the submission errors");
	} else {
		diag("target %s", t.name);
		submit_errors(&t, seed);
		{
			struct thread_arg ta = { &t, seed + 7 };

			run_child("SQTHREAD errors", thread_errors, &ta, 20);
		}
		target_close(&t);
	}
	ok(vm_pin_kb() == pin0, "VmPin back to %ld kB (now %ld)", pin0,
	   vm_pin_kb());
	ok_aio_nr_back(start);
	return tap_done();
}
