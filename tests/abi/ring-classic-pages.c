// SPDX-License-Identifier: MIT
/*
 * ring-classic-pages: a ring context (IOCTX_FLAG_SCQRING) posts its events
 * to the CQ ring in the application's memory, so the kernel keeps none of
 * the classic aio event ring for it: its "[aio]" mapping, whose address is
 * the context id, is the one-page ring header, whatever nr_events is.
 * (Before, io_setup2(4096) also made the 129 KiB event ring of
 * io_setup(4096) and never used it.)
 *
 * - io_setup2(n, SCQRING) and (n, SCQRING|IOPOLL) for n = 1, 32, 1024,
 *   4096: the [aio] mapping at the context id is 4 KiB;
 * - io_setup(4096) keeps its full event ring (more than 4 KiB), so the
 *   check tells the two apart;
 * - a 1024-entry ring context still takes 1000 requests in flight at
 *   once (POLL iocbs on a pipe: the request quota is not cut to what one
 *   page of events would hold) and posts all 1000 events once the pipe is
 *   readable.
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <aioring.h>
#include "aio_syscalls.h"
#include "tap.h"
#include "test_util.h"

struct rings {
	struct aio_sq_ring *sq;
	struct iocb *iocbs;
	struct aio_cq_ring *cq;
	unsigned int n;
};

static void *map_zero(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		bail_out("mmap %zu bytes: %s", len, strerror(errno));
	return p;
}

static void rings_alloc(struct rings *r, unsigned int n)
{
	r->n = n;
	r->sq = map_zero(aioring_sq_ring_size(n));
	r->iocbs = map_zero(aioring_iocbs_size(n));
	r->cq = map_zero(aioring_cq_ring_size(n));
	r->sq->nr_events = n;
	r->sq->iocbs = (uint64_t)(uintptr_t)r->iocbs;
	r->cq->nr_events = 2 * n;
}

static void rings_free(struct rings *r)
{
	munmap(r->sq, aioring_sq_ring_size(r->n));
	munmap(r->iocbs, aioring_iocbs_size(r->n));
	munmap(r->cq, aioring_cq_ring_size(r->n));
}

/* Size of the [aio] mapping that starts at the context id, 0 if none. */
static unsigned long aio_mapping_size(aio_context_t ctx)
{
	unsigned long start, end, size = 0;
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		bail_out("/proc/self/maps: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx", &start, &end) == 2 &&
		    start == ctx && strstr(line, "[aio]"))
			size = end - start;
	fclose(f);
	return size;
}

static void one_size(unsigned int n, unsigned int flags, const char *name)
{
	aio_context_t ctx = 0;
	struct rings r;
	long ret;

	rings_alloc(&r, n);
	ret = aioring_io_setup2(n, flags, r.sq, r.cq, &ctx);
	if (!ok(ret == 0, "io_setup2(%u, %s) (%ld, %s)", n, name, ret,
		ret ? strerror(errno) : "ok")) {
		skip("no context");
		rings_free(&r);
		return;
	}
	ok(aio_mapping_size(ctx) == 4096,
	   "io_setup2(%u, %s): the [aio] mapping at the context id is one page (%lu bytes)",
	   n, name, aio_mapping_size(ctx));
	sys_io_destroy(ctx);
	rings_free(&r);
}

static void many_in_flight(void)
{
	const unsigned int n = 1024, nr = 1000;
	unsigned int i, head, tail;
	aio_context_t ctx = 0;
	struct rings r;
	int p[2];
	long ret;

	if (pipe(p))
		bail_out("pipe: %s", strerror(errno));
	rings_alloc(&r, n);
	ret = aioring_io_setup2(n, IOCTX_FLAG_SCQRING, r.sq, r.cq, &ctx);
	if (ret)
		bail_out("io_setup2(%u, SCQRING): %s", n, strerror(errno));
	for (i = 0; i < nr; i++) {
		memset(&r.iocbs[i], 0, sizeof(r.iocbs[i]));
		r.iocbs[i].aio_lio_opcode = IOCB_CMD_POLL;
		r.iocbs[i].aio_fildes = (uint32_t)p[0];
		r.iocbs[i].aio_buf = POLLIN;
		r.iocbs[i].aio_data = 0x5000 + i;
		r.sq->array[i] = i;
	}
	aioring_store_release(&r.sq->tail, nr);
	ret = aioring_io_ring_enter(ctx, nr, 0, IORING_FLAG_SUBMIT);
	ok(ret == nr, "%u POLL iocbs in flight at once on a %u-entry ring (SUBMIT returned %ld%s%s)",
	   nr, n, ret, ret < 0 ? ", " : "", ret < 0 ? strerror(errno) : "");
	if (write(p[1], "x", 1) != 1)
		bail_out("write to the pipe: %s", strerror(errno));
	ret = aioring_io_ring_enter(ctx, 0, nr, IORING_FLAG_GETEVENTS);
	head = r.cq->head;
	tail = aioring_load_acquire(&r.cq->tail);
	ok(ret == 0 && tail - head == nr,
	   "the pipe readable: GETEVENTS(%u) returns with %u events in the CQ ring (%ld)",
	   nr, tail - head, ret);
	sys_io_destroy(ctx);
	rings_free(&r);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	static const unsigned int sizes[] = { 1, 32, 1024, 4096 };
	aio_context_t ctx = 0;
	unsigned int i;

	tap_plan(2 * 2 * ARRAY_SIZE(sizes) + 1 + 2);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		one_size(sizes[i], IOCTX_FLAG_SCQRING, "SCQRING");
		one_size(sizes[i], IOCTX_FLAG_SCQRING | IOCTX_FLAG_IOPOLL,
			 "SCQRING|IOPOLL");
	}
	if (sys_io_setup(4096, &ctx))
		bail_out("io_setup(4096): %s", strerror(errno));
	ok(aio_mapping_size(ctx) > 4096,
	   "io_setup(4096) keeps its event ring: [aio] mapping of %lu bytes",
	   aio_mapping_size(ctx));
	sys_io_destroy(ctx);
	many_in_flight();
	return tap_done();
}
