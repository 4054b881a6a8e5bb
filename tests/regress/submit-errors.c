// SPDX-License-Identifier: MIT
/*
 * submit-errors: the error paths of io_submit() (fs/aio.c sys_io_submit(),
 * io_submit_one(), __io_submit_one(), aio_read()/aio_write()), in the
 * order 6.1 checks them.
 *
 *   nr < 0: EINVAL; nr == 0: 0 (iocbpp not read)
 *   bad context (0, inside the ring, unmapped, a forged ring header in
 *     user memory, destroyed): EINVAL
 *   iocbpp unreadable, iocbpp[0] NULL / unmapped: EFAULT; an iocb in
 *     read-only memory (aio_key cannot be written): EFAULT
 *   aio_reserved2 != 0: EINVAL, checked before the fd (bad fd too: EINVAL)
 *   aio_nbytes negative as ssize_t: EINVAL
 *   closed fd / fd 0xffffffff: EBADF, checked before the opcode
 *   opcodes 4 (old PREADX), 6 (NOOP), 9, 100, 0xffff: EINVAL
 *   PWRITE on an O_RDONLY fd, PREAD on an O_WRONLY fd: EBADF
 *   PREAD on a directory (no ->read_iter): EINVAL
 *   negative aio_offset on a regular file: EINVAL (rw_verify_area)
 *   aio_buf in kernel space: EFAULT (access_ok)
 *   a buffer that passes access_ok but is unmapped: accepted, and the
 *     event has res -EFAULT
 *   a batch stops at the first bad iocb: returns the number submitted
 *     before it (or the error if it is the first); later iocbs are not
 *     submitted; an unreadable iocbpp[1] likewise
 *   a full completion ring: EAGAIN; still EAGAIN while the completions are
 *     unreaped; accepted again once they are reaped
 * None of the rejected iocbs produces an event.
 */
#include "aio_sys.h"

#include <poll.h>
#include <sched.h>
#include <sys/mman.h>

static aio_context_t ctx;
static struct io_event ev[64];
static struct timespec zero;

static long submit1(struct iocb *cb)
{
	return sys_io_submit(ctx, 1, &cb);
}

static long no_events(void)
{
	return sys_io_getevents(ctx, 0, 64, ev, &zero);
}

static void bad_context(int fd, uint8_t *buf)
{
	struct iocb cb, *p = &cb;
	aio_context_t dead = 0;
	struct { unsigned int id, nr; } forged = { 0, 0 };
	void *gone;

	iocb_prep(&cb, IOCB_CMD_PREAD, fd, buf, 512, 0, 0, 0);
	ok_errno(sys_io_submit(ctx, -1, &p), EINVAL, "io_submit with nr -1");
	ok_errno(sys_io_submit(ctx, LONG_MIN, &p), EINVAL, "io_submit with nr LONG_MIN");
	ok(sys_io_submit(ctx, 0, &p) == 0, "io_submit with nr 0 returns 0");
	ok(sys_io_submit(ctx, 0, NULL) == 0, "io_submit with nr 0 and iocbpp NULL returns 0");
	ok_errno(sys_io_submit(0, 1, &p), EINVAL, "io_submit on context 0");
	ok_errno(sys_io_submit(ctx + 4, 1, &p), EINVAL, "io_submit on an address inside the ring");
	gone = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(gone, 4096);
	ok_errno(sys_io_submit((aio_context_t)gone, 1, &p), EINVAL,
		 "io_submit on an unmapped address");
	ok_errno(sys_io_submit((aio_context_t)&forged, 1, &p), EINVAL,
		 "io_submit on a forged ring header (id 0) in user memory");
	dead = setup_or_bail(4);
	ok(sys_io_destroy(dead) == 0, "io_destroy of a second context");
	ok_errno(sys_io_submit(dead, 1, &p), EINVAL, "io_submit on a destroyed context");
	ok_errno(sys_io_submit(ctx, -1, NULL), EINVAL, "nr -1 is checked before iocbpp");
	ok(no_events() == 0, "no event from the bad-context submissions");
}

static void bad_pointers(int fd, uint8_t *buf)
{
	struct iocb cb, *p, *ro;
	struct iocb *nullp = NULL;
	void *gone;

	iocb_prep(&cb, IOCB_CMD_PREAD, fd, buf, 512, 0, 0, 0);
	ok_errno(sys_io_submit(ctx, 1, NULL), EFAULT, "io_submit with iocbpp NULL");
	ok_errno(sys_io_submit(ctx, 1, (struct iocb **)8), EFAULT,
		 "io_submit with iocbpp unreadable");
	ok_errno(sys_io_submit(ctx, 1, &nullp), EFAULT, "io_submit with iocbpp[0] NULL");
	gone = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(gone, 4096);
	p = gone;
	ok_errno(sys_io_submit(ctx, 1, &p), EFAULT, "io_submit with iocbpp[0] unmapped");

	/* readable but not writable: put_user(KIOCB_KEY, &aio_key) fails */
	ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro == MAP_FAILED)
		bail_out("mmap");
	*ro = cb;
	mprotect(ro, 4096, PROT_READ);
	ok_errno(sys_io_submit(ctx, 1, &ro), EFAULT, "io_submit of an iocb in read-only memory");
	munmap(ro, 4096);
	ok(no_events() == 0, "no event from the bad-pointer submissions");
}

static void bad_fields(int fd, int rdonly, int wronly, int dirfd, uint8_t *buf)
{
	static const unsigned int opcodes[] = { 4, 6, 9, 100, 0xffff };
	struct iocb cb;
	int closed = dup(fd);
	unsigned int i;
	void *gone;
	long r;

	close(closed);

	iocb_prep(&cb, IOCB_CMD_PREAD, fd, buf, 512, 0, 0, 0);
	cb.aio_reserved2 = 1;
	ok_errno(submit1(&cb), EINVAL, "aio_reserved2 = 1");
	cb.aio_reserved2 = 1ULL << 63;
	ok_errno(submit1(&cb), EINVAL, "aio_reserved2 = 1 << 63");
	cb.aio_fildes = closed;
	ok_errno(submit1(&cb), EINVAL, "aio_reserved2 set and a closed fd: reserved2 first");
	cb.aio_reserved2 = 0;
	cb.aio_fildes = fd;
	cb.aio_nbytes = (uint64_t)-1;
	ok_errno(submit1(&cb), EINVAL, "aio_nbytes -1 (negative as ssize_t)");
	cb.aio_nbytes = 1ULL << 63;
	ok_errno(submit1(&cb), EINVAL, "aio_nbytes 1 << 63");

	iocb_prep(&cb, IOCB_CMD_PREAD, closed, buf, 512, 0, 0, 0);
	ok_errno(submit1(&cb), EBADF, "PREAD on a closed fd");
	cb.aio_fildes = 0xffffffffu;
	ok_errno(submit1(&cb), EBADF, "PREAD on fd 0xffffffff");
	cb.aio_lio_opcode = IOCB_CMD_NOOP;
	ok_errno(submit1(&cb), EBADF, "bad opcode and bad fd: the fd is checked first");

	for (i = 0; i < sizeof(opcodes) / sizeof(opcodes[0]); i++) {
		iocb_prep(&cb, opcodes[i], fd, buf, 512, 0, 0, 0);
		ok_errno(submit1(&cb), EINVAL, label("opcode %u", opcodes[i]));
	}

	iocb_prep(&cb, IOCB_CMD_PWRITE, rdonly, buf, 512, 0, 0, 0);
	ok_errno(submit1(&cb), EBADF, "PWRITE on an O_RDONLY fd");
	cb.aio_lio_opcode = IOCB_CMD_PWRITEV;
	ok_errno(submit1(&cb), EBADF, "PWRITEV on an O_RDONLY fd");
	iocb_prep(&cb, IOCB_CMD_PREAD, wronly, buf, 512, 0, 0, 0);
	ok_errno(submit1(&cb), EBADF, "PREAD on an O_WRONLY fd");
	cb.aio_lio_opcode = IOCB_CMD_PREADV;
	ok_errno(submit1(&cb), EBADF, "PREADV on an O_WRONLY fd");
	iocb_prep(&cb, IOCB_CMD_PREAD, dirfd, buf, 512, 0, 0, 0);
	ok_errno(submit1(&cb), EINVAL, "PREAD on a directory (no read_iter)");

	iocb_prep(&cb, IOCB_CMD_PREAD, fd, buf, 512, -512, 0, 0);
	ok_errno(submit1(&cb), EINVAL, "PREAD at offset -512 of a regular file");
	cb.aio_lio_opcode = IOCB_CMD_PWRITE;
	ok_errno(submit1(&cb), EINVAL, "PWRITE at offset -512 of a regular file");

	iocb_prep(&cb, IOCB_CMD_PREAD, fd, (void *)0xffff880000000000ULL, 512, 0, 0, 0);
	ok_errno(submit1(&cb), EFAULT, "PREAD into a kernel-space buffer");
	cb.aio_lio_opcode = IOCB_CMD_PWRITE;
	ok_errno(submit1(&cb), EFAULT, "PWRITE from a kernel-space buffer");
	ok(no_events() == 0, "no event from the rejected iocbs");

	/* accepted, fails when the data is copied */
	gone = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(gone, 4096);
	iocb_prep(&cb, IOCB_CMD_PREAD, fd, gone, 512, 0, AIO_DATA(0x80, 0), 0);
	r = submit1(&cb);
	ok(r == 1, "buffered PREAD into an unmapped user buffer is accepted (got %ld errno %d)",
	   r, r < 0 ? errno : 0);
	{
		struct iocb *p = &cb;

		check_events("PREAD into an unmapped buffer", ev,
			     r == 1 ? wait_events(ctx, 1, ev, 10000) : 0, &p, 1, 0x80,
			     NULL, -EFAULT);
	}
}

static void partial_batches(int fd, uint8_t *buf, uint64_t seed)
{
	struct iocb cbs[3], *ptrs[3];
	struct iocb **tail;
	uint8_t *page;
	long r;

	iocb_prep(&cbs[0], IOCB_CMD_PREAD, fd, buf, 512, 0, AIO_DATA(0x81, 0), 0);
	iocb_prep(&cbs[1], 6 /* IOCB_CMD_NOOP */, fd, buf + 512, 512, 512, AIO_DATA(0x81, 1), 0);
	iocb_prep(&cbs[2], IOCB_CMD_PREAD, fd, buf + 1024, 512, 1024, AIO_DATA(0x81, 2), 0);
	ptrs[0] = &cbs[0];
	ptrs[1] = &cbs[1];
	ptrs[2] = &cbs[2];
	memset(buf, 0, 1536);
	r = sys_io_submit(ctx, 3, ptrs);
	ok(r == 1, "batch [good, bad opcode, good] returns 1 (got %ld errno %d)", r,
	   r < 0 ? errno : 0);
	r = wait_events(ctx, 2, ev, 300);
	ok(r == 1 && ev[0].data == AIO_DATA(0x81, 0) && ev[0].res == 512,
	   "exactly one event, for the first iocb (got %ld)", r);
	ok_pattern(buf, 512, 0, seed, "the first iocb of the batch read its data");
	{
		long z = 0;

		while (z < 1024 && !buf[512 + z])
			z++;
		ok(z == 1024, "the iocbs after the bad one did not run");
	}

	r = sys_io_submit(ctx, 2, ptrs + 1);
	ok(r == -1 && errno == EINVAL, "batch [bad opcode, good] fails with EINVAL (got %ld errno %d)",
	   r, r < 0 ? errno : 0);
	ok(no_events() == 0, "and submits nothing");

	/* iocbpp[1] on an unmapped page */
	page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		bail_out("mmap");
	munmap(page + 4096, 4096);
	tail = (struct iocb **)(page + 4096) - 1;
	tail[0] = &cbs[0];
	r = sys_io_submit(ctx, 2, tail);
	ok(r == 1, "batch whose iocbpp[1] is unreadable returns 1 (got %ld errno %d)", r,
	   r < 0 ? errno : 0);
	r = wait_events(ctx, 1, ev, 10000);
	ok(r == 1 && ev[0].data == AIO_DATA(0x81, 0) && ev[0].obj == (uintptr_t)&cbs[0],
	   "and the first iocb completes");
	ok(no_events() == 0, "nothing else was submitted");
	munmap(page, 4096);
}

static void ring_full(void)
{
	aio_context_t c = setup_or_bail(8);
	unsigned int ring_nr = ((unsigned int *)c)[1];
	struct iocb *cbs;
	struct io_event *evs;
	cpu_set_t one;
	long n = 0, r = 0, got;
	int pp[2], i;

	/* one CPU: reqs_available batches are per CPU */
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu() >= 0 ? sched_getcpu() : 0, &one);
	sched_setaffinity(0, sizeof(one), &one);

	if (pipe(pp))
		bail_out("pipe");
	cbs = calloc(ring_nr + 1, sizeof(*cbs));
	evs = calloc(ring_nr + 1, sizeof(*evs));
	if (!cbs || !evs)
		bail_out("calloc");
	for (;;) {
		struct iocb *p = &cbs[n];

		if (n > ring_nr)
			break;
		iocb_prep_poll(p, pp[0], POLLIN, AIO_DATA(0x82, n));
		r = sys_io_submit(c, 1, &p);
		if (r != 1)
			break;
		n++;
	}
	ok(r == -1 && errno == EAGAIN, "pending polls fill the ring, then io_submit fails with EAGAIN (got %ld errno %d after %ld)",
	   r, r < 0 ? errno : 0, n);
	ok(n >= 8 && n < (long)ring_nr, "the ring took at least the 8 events asked for and fewer than its %u slots (took %ld)",
	   ring_nr, n);
	ok(write(pp[1], "x", 1) == 1, "complete all the polls with one pipe write");
	ms_sleep(50);
	{
		struct iocb extra, *p = &extra;

		iocb_prep_poll(&extra, pp[1], POLLOUT, 0);
		ok_errno(sys_io_submit(c, 1, &p), EAGAIN,
			 "still EAGAIN while the completions sit unreaped in the ring");
	}
	got = wait_events(c, n, evs, 10000);
	ok(got == n, "all %ld completions are reaped (got %ld)", n, got);
	for (i = 0, r = 0; i < got; i++)
		if ((evs[i].data >> 32) != 0x82 || !(evs[i].res & POLLIN))
			r++;
	ok(got == n && r == 0, "each with its aio_data and POLLIN");
	{
		struct iocb extra, *p = &extra;

		iocb_prep_poll(&extra, pp[1], POLLOUT, AIO_DATA(0x83, 0));
		r = sys_io_submit(c, 1, &p);
		ok(r == 1, "after reaping, io_submit is accepted again (got %ld errno %d)", r,
		   r < 0 ? errno : 0);
		check_events("poll after reaping a full ring", evs,
			     r == 1 ? wait_events(c, 1, evs, 10000) : 0, &p, 1, 0x83, NULL,
			     POLLOUT);
	}
	ok(sys_io_destroy(c) == 0, "io_destroy of the full-ring context");
	close(pp[0]);
	close(pp[1]);
	free(cbs);
	free(evs);
}

int main(void)
{
	struct aio_target t;
	uint64_t seed = pattern_seed();
	uint8_t *buf;
	int fd, rdonly, wronly, dirfd;

	fd = scratch_target_file(&t, 0, 0);
	buf = xalign(4096, 8192);
	pattern_fill(buf, 8192, 0, seed);
	if (pwrite(fd, buf, 8192, 0) != 8192)
		bail_out("pwrite");
	rdonly = target_open(&t, O_RDONLY);
	wronly = target_open(&t, O_WRONLY);
	dirfd = open(t.dir, O_RDONLY | O_DIRECTORY);
	if (rdonly < 0 || wronly < 0 || dirfd < 0)
		bail_out("open");

	ctx = setup_or_bail(64);
	bad_context(fd, buf);
	bad_pointers(fd, buf);
	bad_fields(fd, rdonly, wronly, dirfd, buf);
	partial_batches(fd, buf, seed);
	ok(sys_io_destroy(ctx) == 0, "io_destroy");
	ring_full();

	close(fd);
	close(rdonly);
	close(wronly);
	close(dirfd);
	target_cleanup(&t);
	free(buf);
	return tap_done();
}
