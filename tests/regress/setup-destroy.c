// SPDX-License-Identifier: MIT
/*
 * setup-destroy: io_setup() and io_destroy() (fs/aio.c sys_io_setup(),
 * ioctx_alloc(), ioctx_add_table(), sys_io_destroy()).
 *
 *   io_setup fills *ctxp with a nonzero, page-aligned handle (the user
 *     address of the completion ring)
 *   *ctxp != 0: EINVAL; nr_events 0: EINVAL; ctxp NULL, unreadable or in
 *     kernel space: EFAULT; *ctxp is left untouched on failure
 *   nr_events 4194305 (2 * nr over 0x10000000 / sizeof(io_event)): EINVAL
 *   16 contexts: distinct handles; the ring ids are the table slots
 *     0..15 of this process; a destroyed slot is reused by the next
 *     io_setup
 *   contexts are independent: an event goes only to the context whose
 *     io_submit queued it
 *   a context holds the nr_events it was asked for: 512 pending polls on
 *     io_setup(512) are all accepted; io_destroy with them pending
 *     returns 0
 *   io_destroy: 0 once, then EINVAL; context 0, a forged ring header in
 *     user memory, an unmapped address: EINVAL; the ring mapping is gone
 *     after io_destroy; the other contexts keep working
 */
#include "aio_sys.h"

#include <poll.h>
#include <sys/mman.h>

#define NCTX	16

static int mapped_at(unsigned long addr)
{
	char line[512];
	int found = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && addr >= lo && addr < hi)
			found = 1;
	}
	fclose(f);
	return found;
}

static unsigned int ring_id(aio_context_t ctx)
{
	return ((volatile unsigned int *)ctx)[0];
}

/* a POLLOUT poll on a pipe's write end completes at once */
static long ready_poll(aio_context_t ctx, int wfd, struct iocb *cb, uint64_t data)
{
	iocb_prep_poll(cb, wfd, POLLOUT, data);
	return sys_io_submit(ctx, 1, &cb);
}

static void errors(void)
{
	aio_context_t ctx = 0x1234;
	struct { unsigned int id, nr; } forged = { 0, 0 };
	void *gone;

	ok_errno(sys_io_setup(8, &ctx), EINVAL, "io_setup with *ctxp != 0");
	ok(ctx == 0x1234, "*ctxp is left untouched by the failed io_setup");
	ctx = 0;
	ok_errno(sys_io_setup(0, &ctx), EINVAL, "io_setup with nr_events 0");
	ok(ctx == 0, "*ctxp still 0");
	ok_errno(sys_io_setup(8, NULL), EFAULT, "io_setup with ctxp NULL");
	ok_errno(sys_io_setup(8, (aio_context_t *)8), EFAULT, "io_setup with ctxp unreadable");
	ok_errno(sys_io_setup(8, (aio_context_t *)0xffff880000000000ULL), EFAULT,
		 "io_setup with ctxp in kernel space");
	ok_errno(sys_io_setup(4194305, &ctx), EINVAL,
		 "io_setup(4194305): over the ring size limit (6.1 checks this before aio-max-nr)");

	ok_errno(sys_io_destroy(0), EINVAL, "io_destroy(0)");
	ok_errno(sys_io_destroy((aio_context_t)&forged), EINVAL,
		 "io_destroy of a forged ring header (id 0) in user memory");
	gone = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(gone, 4096);
	ok_errno(sys_io_destroy((aio_context_t)gone), EINVAL, "io_destroy of an unmapped address");
}

static void many(int pp[2])
{
	aio_context_t ctx[NCTX];
	struct iocb cb;
	struct io_event ev;
	struct timespec zero = { 0, 0 };
	long bad_ids = 0, dup = 0, unaligned = 0, r;
	int i, j;

	for (i = 0; i < NCTX; i++) {
		ctx[i] = 0;
		r = sys_io_setup(4 + i, &ctx[i]);
		if (r)
			bail_out("io_setup #%d", i);
		if (ctx[i] & 4095)
			unaligned++;
		/* a fresh process: slots are handed out from 0 upwards */
		if (ring_id(ctx[i]) != (unsigned int)i)
			bad_ids++;
		for (j = 0; j < i; j++)
			if (ctx[j] == ctx[i])
				dup++;
	}
	ok(!unaligned, "%d contexts: every handle is page-aligned", NCTX);
	ok(!dup, "%d contexts: all handles distinct", NCTX);
	ok(!bad_ids, "%d contexts: ring ids are the table slots 0..%d", NCTX, NCTX - 1);
	ok(mapped_at(ctx[0]) == 1, "the handle is the address of a mapping (the ring)");

	/* events stay in their own context */
	r = ready_poll(ctx[5], pp[1], &cb, AIO_DATA(0xb0, 5));
	ok(r == 1, "io_submit on context #5");
	r = sys_io_getevents(ctx[4], 0, 1, &ev, &zero);
	ok(r == 0, "context #4 sees no event");
	r = wait_events(ctx[5], 1, &ev, 10000);
	ok(r == 1 && ev.data == AIO_DATA(0xb0, 5) && ev.obj == (uintptr_t)&cb &&
	   ev.res == POLLOUT, "context #5 gets its own event");

	/* destroy #3: its slot is the lowest free one and gets reused */
	ok(sys_io_destroy(ctx[3]) == 0, "io_destroy of context #3");
	ok(mapped_at(ctx[3]) == 0, "its ring is unmapped");
	ok_errno(sys_io_destroy(ctx[3]), EINVAL, "io_destroy of context #3 again");
	ok_errno(sys_io_submit(ctx[3], 0, NULL), EINVAL,
		 "io_submit on the destroyed context (even with nr 0)");
	ctx[3] = 0;
	ok(sys_io_setup(8, &ctx[3]) == 0, "a new io_setup");
	ok(ring_id(ctx[3]) == 3, "takes the freed slot 3 (id %u)", ring_id(ctx[3]));

	/* every context still works */
	for (i = 0, r = 0; i < NCTX; i++) {
		if (ready_poll(ctx[i], pp[1], &cb, AIO_DATA(0xb1, i)) != 1 ||
		    wait_events(ctx[i], 1, &ev, 10000) != 1 ||
		    ev.data != AIO_DATA(0xb1, i))
			r++;
	}
	ok(r == 0, "each of the %d contexts completes an iocb of its own (%ld failed)", NCTX, r);
	for (i = 0, r = 0; i < NCTX; i++)
		if (sys_io_destroy(ctx[i]))
			r++;
	ok(r == 0, "io_destroy of all %d contexts", NCTX);
	for (i = 0, r = 0; i < NCTX; i++)
		if (mapped_at(ctx[i]))
			r++;
	ok(r == 0, "no ring stays mapped");
}

static void capacity(int pp[2])
{
	aio_context_t ctx = setup_or_bail(512);
	struct iocb *cbs = calloc(512, sizeof(*cbs));
	long i, r, n = 0;

	if (!cbs)
		bail_out("calloc");
	for (i = 0; i < 512; i++) {
		struct iocb *p = &cbs[i];

		iocb_prep_poll(p, pp[0], POLLIN, AIO_DATA(0xb2, i));
		r = sys_io_submit(ctx, 1, &p);
		if (r != 1) {
			diag("poll %ld: io_submit returned %ld errno %d", i, r, errno);
			break;
		}
		n++;
	}
	ok(n == 512, "io_setup(512): 512 pending requests are accepted (%ld)", n);
	ok(sys_io_destroy(ctx) == 0, "io_destroy with 512 polls pending returns 0");
	free(cbs);
}

int main(void)
{
	aio_context_t ctx = 0;
	int pp[2];
	long r;

	if (pipe(pp))
		bail_out("pipe");
	errors();

	r = sys_io_setup(1, &ctx);
	ok(r == 0, "io_setup(1) (got %ld errno %d)", r, r < 0 ? errno : 0);
	ok(ctx != 0, "the handle is nonzero");
	ok(!(ctx & 4095), "the handle is page-aligned (%#lx)", (unsigned long)ctx);
	ok(sys_io_destroy(ctx) == 0, "io_destroy(1-event context)");
	ok_errno(sys_io_destroy(ctx), EINVAL, "io_destroy of it again");

	many(pp);
	capacity(pp);
	close(pp[0]);
	close(pp[1]);
	return tap_done();
}
