// SPDX-License-Identifier: MIT
/*
 * ring-abi: the completion ring that io_setup() maps into the process,
 * as libaio and other user-space reapers rely on it (fs/aio.c struct
 * aio_ring, aio_setup_ring(), aio_complete(), aio_read_events_ring(),
 * user_refill_reqs_available(), aio_ring_mremap()).
 *
 *   the header at the handle: magic 0xa10a10a1, compat_features 1,
 *     incompat_features 0, header_length 32, id = table slot, head == tail
 *     == 0; nr >= 2 * nr_events + 2 and header + nr events fill whole
 *     pages, the size of the [aio] mapping
 *   completions are appended at io_events[tail]: after 5 completions tail
 *     is 5, head 0, and the 5 events sit in the ring in order with the
 *     right data, obj and res
 *   io_getevents advances head by the number it returns
 *   user-space reaping: reading io_events[head..tail) and storing head =
 *     tail consumes them (io_getevents then finds none), and frees their
 *     slots: 3 * nr completions reaped only from user space never make
 *     io_submit fail, the tail wraps around nr, and every event is seen
 *     once, in order, with the data read right
 *   mremap() of the ring moves the context: the new address works as the
 *     handle, the old one gives EINVAL; growing the ring with mremap fails
 */
#include "aio_sys.h"

#include <sys/mman.h>

struct aio_ring_hdr {
	unsigned int id;
	unsigned int nr;
	unsigned int head;
	unsigned int tail;
	unsigned int magic;
	unsigned int compat_features;
	unsigned int incompat_features;
	unsigned int header_length;
	struct io_event io_events[];
};

_Static_assert(sizeof(struct aio_ring_hdr) == 32, "aio_ring header is 32 bytes");

static unsigned long map_size_at(unsigned long addr)
{
	char line[512];
	unsigned long size = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && lo == addr &&
		    strstr(line, "[aio]"))
			size = hi - lo;
	}
	fclose(f);
	return size;
}

static void header(void)
{
	aio_context_t ctx = setup_or_bail(100);
	volatile struct aio_ring_hdr *r = (void *)ctx;
	unsigned long size = map_size_at(ctx);

	ok(r->magic == 0xa10a10a1, "ring magic is 0xa10a10a1 (%#x)", r->magic);
	ok(r->compat_features == 1, "compat_features is 1 (%u)", r->compat_features);
	ok(r->incompat_features == 0, "incompat_features is 0 (%u)", r->incompat_features);
	ok(r->header_length == 32, "header_length is 32 (%u)", r->header_length);
	ok(r->id == 0, "id is the table slot: 0 for the first context (%u)", r->id);
	ok(r->head == 0 && r->tail == 0, "head == tail == 0 (%u, %u)", r->head, r->tail);
	ok(r->nr >= 2 * 100 + 2, "nr (%u) >= 2 * nr_events + 2", r->nr);
	ok((r->nr + 1) * 32 % 4096 == 0, "header + nr events fill whole pages (%u bytes)",
	   (r->nr + 1) * 32);
	ok(size == (unsigned long)(r->nr + 1) * 32,
	   "the [aio] mapping at the handle is that size (%lu)", size);
	ok(sys_io_destroy(ctx) == 0, "io_destroy");
}

/* n buffered reads of 512 bytes at 512 * (first + i); all complete in io_submit */
static long submit_reads(aio_context_t ctx, int fd, uint8_t *buf, struct iocb *cbs,
			 long first, long n, uint32_t tag)
{
	struct iocb *ptrs[64];
	long i;

	for (i = 0; i < n; i++) {
		iocb_prep(&cbs[i], IOCB_CMD_PREAD, fd, buf + i * 512, 512,
			  ((first + i) % 64) * 512, AIO_DATA(tag, first + i), 0);
		ptrs[i] = &cbs[i];
	}
	return sys_io_submit(ctx, n, ptrs);
}

static void tail_head(int fd, uint64_t seed)
{
	aio_context_t ctx = setup_or_bail(16);
	volatile struct aio_ring_hdr *r = (void *)ctx;
	uint8_t *buf = xalign(4096, 64 * 512);
	struct iocb cbs[64];
	struct io_event ev[8];
	struct timespec zero = { 0, 0 };
	long i, bad = 0, got;

	ok(submit_reads(ctx, fd, buf, cbs, 0, 5, 0xc0) == 5, "5 reads submitted");
	ms_sleep(20);
	ok(r->tail == 5 && r->head == 0, "after 5 completions tail is 5, head 0 (%u, %u)",
	   r->tail, r->head);
	for (i = 0; i < 5; i++) {
		volatile struct io_event *e = &r->io_events[i];

		if (e->data != AIO_DATA(0xc0, i) || e->obj != (uintptr_t)&cbs[i] ||
		    e->res != 512 || e->res2 != 0)
			bad++;
	}
	ok(!bad, "io_events[0..4] hold the 5 completions in order");
	ok_pattern(buf, 5 * 512, 0, seed, "and the reads returned the file's bytes");
	got = sys_io_getevents(ctx, 2, 2, ev, &zero);
	ok(got == 2 && r->head == 2, "io_getevents of 2 moves head to 2 (got %ld, head %u)",
	   got, r->head);
	ok(got == 2 && ev[0].data == AIO_DATA(0xc0, 0) && ev[1].data == AIO_DATA(0xc0, 1),
	   "and returned the first two");

	/* reap the remaining 3 from user space */
	{
		unsigned int h = r->head, t = r->tail;

		for (i = 0; h != t; i++, h = (h + 1) % r->nr)
			if (r->io_events[h].data != AIO_DATA(0xc0, 2 + i))
				bad++;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		r->head = t;
		ok(i == 3 && !bad, "user space reads the other 3 events (%ld)", i);
	}
	got = sys_io_getevents(ctx, 0, 8, ev, &zero);
	ok(got == 0, "after head = tail, io_getevents finds nothing (got %ld)", got);
	ok(sys_io_destroy(ctx) == 0, "io_destroy");
	free(buf);
}

static void wraparound(int fd, uint64_t seed)
{
	aio_context_t ctx = setup_or_bail(8);
	volatile struct aio_ring_hdr *r = (void *)ctx;
	uint8_t *buf = xalign(4096, 64 * 512);
	struct iocb cbs[64];
	unsigned int nr = r->nr;
	long total = 3L * nr, done = 0, seen = 0, wrong = 0, fails = 0, wraps = 0;
	unsigned int last_tail = 0;

	while (done < total) {
		long batch = total - done < 16 ? total - done : 16;
		long s = submit_reads(ctx, fd, buf, cbs, done, batch, 0xc1);
		unsigned int h, t;

		if (s != batch) {
			diag("io_submit at %ld returned %ld errno %d", done, s, errno);
			fails++;
			break;
		}
		/* buffered reads complete inside io_submit */
		h = r->head;
		t = r->tail;
		if (t < last_tail)
			wraps++;
		last_tail = t;
		while (h != t) {
			volatile struct io_event *e = &r->io_events[h];
			long idx = (long)(e->data & 0xffffffff);

			if ((e->data >> 32) != 0xc1 || idx != seen ||
			    e->obj != (uintptr_t)&cbs[idx - done] || e->res != 512 ||
			    pattern_check(buf + (idx - done) * 512, 512, (idx % 64) * 512,
					  seed) >= 0)
				wrong++;
			seen++;
			h = (h + 1) % nr;
		}
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		r->head = h;
		done += batch;
	}
	ok(!fails, "%ld completions (3 x ring size %u) reaped from user space only: io_submit never fails",
	   total, nr);
	ok(seen == total, "every completion was seen in the ring (%ld of %ld)", seen, total);
	ok(!wrong, "each once, in order, with its data, obj, res and the file's bytes");
	ok(wraps >= 2, "the tail wrapped around the ring (%ld times)", wraps);
	{
		struct io_event ev;
		struct timespec zero = { 0, 0 };

		ok(sys_io_getevents(ctx, 0, 1, &ev, &zero) == 0,
		   "io_getevents finds nothing left");
	}
	ok(sys_io_destroy(ctx) == 0, "io_destroy");
	free(buf);
}

static void remap(void)
{
	aio_context_t ctx = setup_or_bail(8);
	unsigned long size = map_size_at(ctx);
	struct io_event ev;
	struct timespec zero = { 0, 0 };
	void *target, *moved;

	if (!size) {
		ok(0, "the ring mapping is found in /proc/self/maps");
		return;
	}
	moved = mremap((void *)ctx, size, size * 2, 0);
	ok(moved == MAP_FAILED && errno == EFAULT,
	   "mremap cannot grow the ring (VM_DONTEXPAND): EFAULT (errno %d)", errno);
	target = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (target == MAP_FAILED)
		bail_out("mmap");
	moved = mremap((void *)ctx, size, size, MREMAP_MAYMOVE | MREMAP_FIXED, target);
	ok(moved == target, "mremap moves the ring to a new address");
	if (moved != target) {
		sys_io_destroy(ctx);
		return;
	}
	ok(((struct aio_ring_hdr *)moved)->magic == 0xa10a10a1, "the moved ring keeps its header");
	ok(sys_io_getevents((aio_context_t)moved, 0, 1, &ev, &zero) == 0,
	   "the new address works as the context handle");
	ok_errno(sys_io_getevents(ctx, 0, 1, &ev, &zero), EINVAL, "the old handle is gone");
	ok(sys_io_destroy((aio_context_t)moved) == 0, "io_destroy through the new handle");
	ok(map_size_at((unsigned long)moved) == 0, "and the ring is unmapped");
}

int main(void)
{
	struct aio_target t;
	uint64_t seed = pattern_seed();
	int fd;

	fd = scratch_target_file(&t, 64 * 512, seed);

	header();
	tail_head(fd, seed);
	wraparound(fd, seed);
	remap();
	close(fd);
	target_cleanup(&t);
	return tap_done();
}
