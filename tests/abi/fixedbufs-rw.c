// SPDX-License-Identifier: MIT
/*
 * fixedbufs-rw: IOCTX_FLAG_SCQRING|FIXEDBUFS contexts (and
 * SCQRING|FIXEDBUFS|IOPOLL with IOCB_FLAG_HIPRI on the devices with poll
 * queues) with N = 33 iocb slots, each registering its own buffer at
 * io_setup2 (posix_memalign(4096), sizes 4 KiB .. 64 KiB, different per
 * slot), used at depth 32 on nullb0, nvme0n1 and an O_DIRECT file on
 * ext4.
 *
 * Per target and context kind:
 *  - 128 writes, each the whole buffer of the slot it got (4..64 KiB) at
 *    its own 64 KiB-aligned region, with a pattern unique per byte offset;
 *    events: data, obj = slot, res = length, res2 = 0;
 *  - a synchronous O_DIRECT pread sees every written byte;
 *  - 128 reads in another order, each min(written length, slot size),
 *    into poisoned fixed buffers, compared byte for byte;
 *  - VmPin is the registered pages while the context lives (diag only
 *    here; fixedbufs-memlock asserts it);
 *  - sub-range IO on the block devices (512-byte sectors): a write from
 *    slot buffer + 512 of 1024 bytes lands exactly at [off+512, off+1536)
 *    (checked with pread, the rest of the block untouched); a read into
 *    buffer + 512 of 1024 bytes fills exactly those bytes; the same across
 *    a page boundary (buffer + 3584) and ending at the last byte of a
 *    64 KiB slot;
 *  - the same on a context whose buffers start inside their page (+512,
 *    +2048, +3584, six pages long), at offsets around the end of the
 *    first, short segment, across a later page boundary and at the end;
 *  - io_destroy returns 0; fs.aio-nr is back at the end.
 */
#include "ring2_util.h"

#define N	33
#define DEPTH	32
#define NOPS	128
#define REGION	(64u << 10)

struct geo {
	unsigned int wlen[NOPS];
	size_t *slot_len;
};

static void geom_write(struct r2_pass *p, unsigned int op, unsigned int slot,
		       uint64_t *off, unsigned int *len, unsigned int *boff)
{
	struct geo *g = p->user;

	*off = p->base + (uint64_t)op * REGION;
	*len = (unsigned int)g->slot_len[slot];
	*boff = 0;
	g->wlen[op] = *len;
}

static void geom_read(struct r2_pass *p, unsigned int op, unsigned int slot,
		      uint64_t *off, unsigned int *len, unsigned int *boff)
{
	struct geo *g = p->user;
	unsigned int region = r2_perm(p, op, NOPS);

	*off = p->base + (uint64_t)region * REGION;
	*len = g->wlen[region];
	if (*len > g->slot_len[slot])
		*len = (unsigned int)g->slot_len[slot];
	*boff = 0;
}

/* One IO through slot: returns the event's res, or a negative -errno. */
static long one_io(struct ring *r, unsigned int slot, int opcode, int fd,
		   void *buf, size_t len, uint64_t off, unsigned int aio_flags,
		   const char *what)
{
	struct io_event ev;
	long ret;

	iocb_prep(&r->iocbs[slot], opcode, fd, buf, len, off,
		  AIO_DATA(0x5b, slot), aio_flags);
	sq_push(r, slot);
	ret = ring_enter(r, 1, 1, IORING_FLAG_SUBMIT | IORING_FLAG_GETEVENTS);
	if (ret != 1) {
		diag("%s: io_ring_enter(SUBMIT 1) returned %ld (%s)", what, ret,
		     ret < 0 ? strerror(errno) : "-");
		return ret < 0 ? -errno : -EIO;
	}
	if (ring_reap_wait(r, &ev, 1, 5000) != 1) {
		diag("%s: no event", what);
		return -ETIMEDOUT;
	}
	if (ev.data != AIO_DATA(0x5b, slot) || ev.obj != slot || ev.res2) {
		diag("%s: event data %#llx obj %llu res2 %lld", what,
		     (unsigned long long)ev.data, (unsigned long long)ev.obj,
		     (long long)ev.res2);
		return -EPROTO;
	}
	return ev.res;
}

static int all_bytes(const uint8_t *b, size_t len, uint8_t v)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != v)
			return 0;
	return 1;
}

/*
 * Sub-range of the fixed buffer of slot: 1024 bytes at buffer offset
 * boff, to/from disk offset blk + boff % 4096 inside an 8 KiB window
 * [blk, blk + 8192) that holds another pattern around it.
 */
#define WIN	8192u

static void subrange(struct ring *r, struct slot_bufs *b, unsigned int slot,
		     size_t boff, int fd, uint64_t blk, unsigned int aio_flags,
		     uint64_t seed, const char *name)
{
	uint8_t *buf = b->buf[slot];
	size_t sub = boff % 4096;
	uint64_t io_off = blk + sub;
	void *tmp;
	long res;
	int good;

	if (posix_memalign(&tmp, 4096, WIN))
		bail_out("posix_memalign");
	/* the whole window with seed, synchronously */
	pattern_fill(tmp, WIN, blk, seed);
	if (pwrite(fd, tmp, WIN, (off_t)blk) != WIN)
		bail_out("pwrite");
	/* 1024 bytes of seed+1 from buf + boff */
	pattern_fill(buf + boff, 1024, io_off, seed + 1);
	res = one_io(r, slot, IOCB_CMD_PWRITE, fd, buf + boff, 1024, io_off,
		     aio_flags, name);
	ok(res == 1024, "%s: write of 1024 bytes from slot %u buffer + %zu (of %zu) returns 1024 (res %ld)",
	   name, slot, boff, b->len[slot], res);
	memset(tmp, 0, WIN);
	good = pread(fd, tmp, WIN, (off_t)blk) == WIN;
	good &= pattern_check(tmp, sub, blk, seed) < 0;
	good &= pattern_check((uint8_t *)tmp + sub, 1024, io_off, seed + 1) < 0;
	good &= pattern_check((uint8_t *)tmp + sub + 1024, WIN - sub - 1024,
			      io_off + 1024, seed) < 0;
	ok(good, "%s: of disk bytes [%llu, +8192) exactly [+%zu, +%zu) changed, to the buffer's bytes",
	   name, (unsigned long long)blk, sub, sub + 1024);

	/* read them back into a poisoned buffer */
	memset(buf, 0xa5, b->len[slot]);
	res = one_io(r, slot, IOCB_CMD_PREAD, fd, buf + boff, 1024, io_off,
		     aio_flags, name);
	ok(res == 1024, "%s: read of 1024 bytes into slot %u buffer + %zu returns 1024 (res %ld)",
	   name, slot, boff, res);
	good = pattern_check(buf + boff, 1024, io_off, seed + 1) < 0 &&
	       all_bytes(buf, boff, 0xa5) &&
	       all_bytes(buf + boff + 1024, b->len[slot] - boff - 1024, 0xa5);
	ok(good, "%s: the read filled exactly buffer bytes [%zu, %zu) with the data",
	   name, boff, boff + 1024);
	free(tmp);
}

/*
 * Registered buffers that start inside a page (+512, +2048, +3584) and
 * span six pages: their first segment is shorter than a page, and the
 * kernel's seek to an IO's offset in the buffer must count it. 1024-byte
 * IO just before, at and after the end of the first segment, two pages
 * further on across a page boundary, and at the end of the buffer, on a
 * context of its own with flags; disk window i is [blk + i * WIN, +WIN).
 */
static void unaligned_slots(struct target *t, unsigned int flags,
			    unsigned int aio_flags, uint64_t blk,
			    uint64_t seed, const char *nm)
{
	static const size_t starts[] = { 512, 2048, 3584 };
	const size_t len = 5 * 4096 + 1024;
	uint8_t *raw[ARRAY_SIZE(starts)], *bufs[ARRAY_SIZE(starts)];
	size_t lens[ARRAY_SIZE(starts)];
	struct slot_bufs b = { ARRAY_SIZE(starts), bufs, lens };
	unsigned int slot, i, w = 0;
	struct ring r;
	long ret;

	for (slot = 0; slot < b.n; slot++) {
		if (posix_memalign((void **)&raw[slot], 4096, len + 4096))
			bail_out("posix_memalign");
		bufs[slot] = raw[slot] + starts[slot];
		lens[slot] = len;
	}
	ret = ring_setup_bufs(&r, b.n, flags, 0, b.buf, b.len);
	if (ok(ret == 0, "%s: io_setup2 with %u fixed buffers starting at +512, +2048 and +3584 in their page returns 0 (errno %d %s)",
	       nm, b.n, ret ? errno : 0, ret ? strerror(errno) : "-")) {
		for (slot = 0; slot < b.n; slot++) {
			size_t first = 4096 - starts[slot];
			const size_t boffs[] = {
				first - 512, first, first + 512,
				first + 2 * 4096 - 512, len - 1024,
			};

			for (i = 0; i < ARRAY_SIZE(boffs); i++, w++)
				subrange(&r, &b, slot, boffs[i], t->fd,
					 blk + w * WIN, aio_flags, seed + w,
					 label("%s buffer at +%zu, IO at +%zu",
					       nm, starts[slot], boffs[i]));
		}
		ret = ring_destroy(&r);
		ok(ret == 0, "%s: io_destroy of the in-page buffers' context returns 0",
		   nm);
	}
	for (slot = 0; slot < b.n; slot++)
		free(raw[slot]);
}

static void run_ctx(struct target *t, int iopoll, uint64_t base, uint64_t seed)
{
	static const size_t sizes[] = {
		4096, 65536, 8192, 20480, 12288, 32768, 16384, 61440, 24576,
		49152, 28672, 36864, 40960, 45056, 53248, 57344,
	};
	unsigned int flags = IOCTX_FLAG_SCQRING | IOCTX_FLAG_FIXEDBUFS |
			     (iopoll ? IOCTX_FLAG_IOPOLL : 0);
	unsigned int aio_flags = iopoll ? IOCB_FLAG_HIPRI : 0;
	const char *name = label("%s %s", t->name,
				 iopoll ? "FIXEDBUFS|IOPOLL" : "FIXEDBUFS");
	char nm[128];
	struct slot_bufs b;
	struct r2_pass p;
	struct geo g;
	struct ring r;
	long pin0, pin1, ret;
	unsigned long pages = 0;
	unsigned int i, bad_sync = 0;

	snprintf(nm, sizeof(nm), "%s", name);
	slot_bufs_alloc(&b, N, sizes, ARRAY_SIZE(sizes));
	for (i = 0; i < N; i++)
		pages += b.len[i] / 4096;
	pin0 = vm_pin_kb();
	ret = ring_setup_bufs(&r, N, flags, 0, b.buf, b.len);
	if (!ok(ret == 0, "%s: io_setup2(%u, %#x) with %u fixed buffers of 4..64 KiB returns 0 (errno %d %s)",
		nm, N, flags, N, ret ? errno : 0, ret ? strerror(errno) : "-")) {
		slot_bufs_free(&b);
		return;
	}
	pin1 = vm_pin_kb();
	diag("%s: VmPin %ld kB -> %ld kB with the context (%lu pages registered)",
	     nm, pin0, pin1, pages);

	memset(&g, 0, sizeof(g));
	g.slot_len = b.len;
	memset(&p, 0, sizeof(p));
	p.r = &r;
	p.fd = t->fd;
	p.write = 1;
	p.mode = R2_ENTER;
	p.nops = NOPS;
	p.depth = DEPTH;
	p.aio_flags = aio_flags;
	p.base = base;
	p.seed = seed;
	p.geom = geom_write;
	p.user = &g;
	p.bufs = b.buf;
	p.tag = 0x57;
	r2_pass_run(&p);
	r2_pass_report(&p, label("%s depth %u write", nm, DEPTH));

	for (i = 0; i < NOPS && g.wlen[i]; i++)
		if (r2_verify_sync(t->fd, base + (uint64_t)i * REGION, g.wlen[i],
				   seed) >= 0)
			bad_sync++;
	ok(i == NOPS && !bad_sync,
	   "%s: a synchronous O_DIRECT pread sees every written byte (%u regions, %u wrong)",
	   nm, i, bad_sync);

	memset(&p, 0, sizeof(p));
	p.r = &r;
	p.fd = t->fd;
	p.write = 0;
	p.mode = R2_ENTER;
	p.nops = NOPS;
	p.depth = DEPTH;
	p.aio_flags = aio_flags;
	p.base = base;
	p.seed = seed;
	p.mult = 37;
	p.geom = geom_read;
	p.user = &g;
	p.bufs = b.buf;
	p.tag = 0x52;
	r2_pass_run(&p);
	r2_pass_report(&p, label("%s depth %u read", nm, DEPTH));

	if (t->is_bdev) {
		int ssz = 0;
		unsigned int big = N;

		for (i = 0; i < N; i++)
			if (b.len[i] == 65536) {
				big = i;
				break;
			}
		if (ioctl(t->fd, BLKSSZGET, &ssz) || ssz > 512) {
			skip("%s: sub-range IO needs 512-byte sectors (logical block size %d)",
			     nm, ssz);
		} else {
			uint64_t blk = base + (uint64_t)NOPS * REGION;

			subrange(&r, &b, 0, 512, t->fd, blk, aio_flags, seed + 100,
				 label("%s sub-range +512", nm));
			subrange(&r, &b, big, 4096 - 512, t->fd, blk + WIN,
				 aio_flags, seed + 200,
				 label("%s sub-range across a page", nm));
			subrange(&r, &b, big, 65536 - 1024, t->fd, blk + 2 * WIN,
				 aio_flags, seed + 300,
				 label("%s sub-range at the end", nm));
			unaligned_slots(t, flags, aio_flags, blk + 3 * WIN,
					seed + 400, nm);
		}
	}

	ret = ring_destroy(&r);
	ok(ret == 0, "%s: io_destroy returns 0", nm);
	ok(vm_pin_kb() == pin0, "%s: VmPin back to %ld kB after io_destroy (now %ld)",
	   nm, pin0, vm_pin_kb());
	slot_bufs_free(&b);
}

int main(void)
{
	struct target t[MAX_TARGETS];
	int n, i, used = 0;
	uint64_t seed = pattern_seed();
	long start;

	require_aioring();
	start = aio_nr();
	n = targets_collect(t, MAX_TARGETS, TGT_POLL_BDEVS | TGT_FILES);
	for (i = 0; i < n; i++) {
		int fd;

		/* the block devices with poll queues and the ext4 file */
		if (!t[i].is_bdev && !strstr(t[i].name, "ext4"))
			continue;
		fd = target_open(&t[i]);
		if (fd < 0) {
			diag("%s: cannot open for O_DIRECT: %s", t[i].name,
			     strerror(-fd));
			target_close(&t[i]);
			continue;
		}
		if (t[i].size < (uint64_t)(2 * NOPS + 1) * REGION &&
		    !(!t[i].is_bdev && t[i].size >= (uint64_t)NOPS * REGION)) {
			diag("%s: too small", t[i].name);
			target_close(&t[i]);
			continue;
		}
		used++;
		run_ctx(&t[i], 0, 0, seed + i * 1000);
		if (t[i].is_bdev && t[i].polled)
			run_ctx(&t[i], 1, t[i].is_bdev ? 16u << 20 : 0,
				seed + i * 1000 + 500);
		else if (t[i].is_bdev)
			diag("%s: no poll queues, IOPOLL not run", t[i].name);
		target_close(&t[i]);
	}
	if (!used)
		skip_all("no target: need AIORING_POLL_BDEVS or an ext4 dir in AIORING_TEST_DIRS");
	ok_aio_nr_back(start);
	return tap_done();
}
