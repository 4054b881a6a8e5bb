// SPDX-License-Identifier: MIT
/*
 * sq-inline-error: inline submission from the SQ stops at the first iocb
 * that fails before it is queued (spec section 6).  That SQ entry is not
 * consumed (sq->head stays on it), no event is produced for it, and
 * io_ring_enter returns the count submitted before it, or the error when
 * it was the first.  Since the entry stays in the SQ, the application can
 * fix the iocb and submit again; the kernel then reads the fixed iocb.
 *
 * Failures tried (N = 8, writes to a scratch file):
 *   aio_fildes not an open fd                EBADF
 *   a read on a write-only fd                EBADF
 *   aio_lio_opcode 99                        EINVAL
 *   aio_reserved2 != 0                       EINVAL
 * at the first position and after two valid iocbs, with SUBMIT alone and
 * with SUBMIT|GETEVENTS.
 */
#include "ring_util.h"

#define N	8

static uint64_t seed;
static int fd, wronly_fd;
static uint8_t *bufs;
static uint64_t offs[N];
static unsigned int next_block;

static void prep_write(struct ring *r, unsigned int slot)
{
	uint64_t off = (uint64_t)(next_block++) * RING_BS;

	offs[slot] = off;
	pattern_fill(bufs + (size_t)slot * RING_BS, RING_BS, off, seed);
	iocb_prep(&r->iocbs[slot], IOCB_CMD_PWRITE, fd,
		  bufs + (size_t)slot * RING_BS, RING_BS, off,
		  AIO_DATA(0xe0, slot), 0);
}

/* Reap exactly the events of the given slots; checks data landed. */
static int reap_slots(struct ring *r, const unsigned int *slots, unsigned int n,
		      const char *what)
{
	struct io_event ev[2 * N];
	unsigned int got, i, j, bad = 0, seen = 0;

	got = ring_reap_wait(r, ev, n, 10000);
	ms_sleep(10);
	while (got < 2 * N && cq_pop(r, &ev[got]))
		got++;
	for (i = 0; i < got; i++) {
		uint64_t idx = ev[i].data & 0xffffffffULL;
		int want = 0;

		for (j = 0; j < n; j++)
			if (slots[j] == idx)
				want = 1;
		if ((ev[i].data >> 32) != 0xe0 || !want || ev[i].obj != idx ||
		    ev[i].res != RING_BS || (seen & (1u << idx))) {
			if (!bad++)
				diag("%s: unexpected event data %#llx obj %llu res %lld",
				     what, (unsigned long long)ev[i].data,
				     (unsigned long long)ev[i].obj,
				     (long long)ev[i].res);
			continue;
		}
		seen |= 1u << idx;
		{
			uint8_t chk[RING_BS];

			if (pread(fd, chk, RING_BS, offs[idx]) != RING_BS ||
			    pattern_check(chk, RING_BS, offs[idx], seed) >= 0) {
				if (!bad++)
					diag("%s: data of slot %llu missing", what,
					     (unsigned long long)idx);
			}
		}
	}
	return ok(got == n && !bad,
		  "%s: exactly the %u expected events (got %u), obj = index, data landed",
		  what, n, got);
}

struct breakage {
	const char *name;
	int err;
	void (*breakit)(struct iocb *cb);
	void (*fix)(struct iocb *cb);
};

static void bad_fd(struct iocb *cb)
{
	cb->aio_fildes = 0x7fffffffu;
}

static void fix_fd(struct iocb *cb)
{
	cb->aio_fildes = fd;
}

static void read_wronly(struct iocb *cb)
{
	cb->aio_lio_opcode = IOCB_CMD_PREAD;
	cb->aio_fildes = wronly_fd;
}

static void fix_read_wronly(struct iocb *cb)
{
	cb->aio_lio_opcode = IOCB_CMD_PWRITE;
	cb->aio_fildes = fd;
}

static void bad_opcode(struct iocb *cb)
{
	cb->aio_lio_opcode = 99;
}

static void fix_opcode(struct iocb *cb)
{
	cb->aio_lio_opcode = IOCB_CMD_PWRITE;
}

static void bad_reserved(struct iocb *cb)
{
	cb->aio_reserved2 = 1;
}

static void fix_reserved(struct iocb *cb)
{
	cb->aio_reserved2 = 0;
}

static const struct breakage breakages[] = {
	{ "aio_fildes not open", EBADF, bad_fd, fix_fd },
	{ "read on a write-only fd", EBADF, read_wronly, fix_read_wronly },
	{ "opcode 99", EINVAL, bad_opcode, fix_opcode },
	{ "aio_reserved2 set", EINVAL, bad_reserved, fix_reserved },
};

static void one_breakage(struct ring *r, const struct breakage *b,
			 unsigned int enter_flags)
{
	const char *what = label("%s%s", b->name,
				 enter_flags & IORING_FLAG_GETEVENTS ?
				 " (SUBMIT|GETEVENTS)" : "");
	unsigned int h0 = sq_head(r), min = enter_flags & IORING_FLAG_GETEVENTS ? 1 : 0;
	static const unsigned int first_two[] = { 0, 1 };
	static const unsigned int last_two[] = { 2, 3 };
	long ret;
	int e;

	/* valid, valid, broken, valid */
	prep_write(r, 0);
	prep_write(r, 1);
	prep_write(r, 2);
	prep_write(r, 3);
	b->breakit(&r->iocbs[2]);
	sq_push(r, 0);
	sq_push(r, 1);
	sq_push(r, 2);
	sq_push(r, 3);
	watchdog_arm(20);
	ret = ring_enter(r, 4, min, IORING_FLAG_SUBMIT | enter_flags);
	watchdog_disarm();
	ok(ret == 2, "%s at position 3 of 4: returns 2 (got %ld errno %d)", what, ret,
	   ret < 0 ? errno : 0);
	ok(sq_head(r) == (h0 + 2) % N,
	   "%s: SQ head stops on the failing entry (head %u, want %u)", what,
	   sq_head(r), (h0 + 2) % N);
	reap_slots(r, first_two, 2, label("%s: the two before it", what));

	/* now it is first */
	watchdog_arm(20);
	ret = ring_enter(r, 2, min, IORING_FLAG_SUBMIT | enter_flags);
	e = errno;
	watchdog_disarm();
	ok(ret == -1 && e == b->err,
	   "%s as the first entry: io_ring_enter fails with %s (got ret %ld errno %d)",
	   what, strerrorname_np(b->err), ret, ret < 0 ? e : 0);
	ok(sq_head(r) == (h0 + 2) % N && cq_count(r) == 0,
	   "%s: entry still not consumed (head %u), no event for it", what,
	   sq_head(r));

	/* fixed in place: the kernel reads the iocb again */
	b->fix(&r->iocbs[2]);
	watchdog_arm(20);
	ret = ring_enter(r, 2, min, IORING_FLAG_SUBMIT | enter_flags);
	watchdog_disarm();
	ok(ret == 2 && sq_head(r) == sq_tail(r),
	   "%s: after fixing the iocb in place, SUBMIT returns 2 (got %ld errno %d), SQ drained",
	   what, ret, ret < 0 ? errno : 0);
	reap_slots(r, last_two, 2, label("%s: fixed entry and the one after", what));
}

int main(void)
{
	struct ring r;
	long start;
	char path[PATH_MAX];
	const char *dir = getenv("TMPDIR");
	unsigned int i;

	require_aioring();
	start = aio_nr();
	seed = pattern_seed();
	snprintf(path, sizeof(path), "%s/abi-sq-inline-%d", dir && *dir ? dir : "/tmp",
		 (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		bail_out("create %s", path);
	wronly_fd = open(path, O_WRONLY);
	if (wronly_fd < 0)
		bail_out("open %s", path);
	unlink(path);
	bufs = map_pages((size_t)N * RING_BS);

	ring_setup_or_bail(&r, N, IOCTX_FLAG_SCQRING);
	for (i = 0; i < ARRAY_SIZE(breakages); i++) {
		one_breakage(&r, &breakages[i], 0);
		one_breakage(&r, &breakages[i], IORING_FLAG_GETEVENTS);
	}
	ok(ring_destroy(&r) == 0, "io_destroy returns 0");
	close(fd);
	close(wronly_fd);
	ok_aio_nr_back(start);
	return tap_done();
}
