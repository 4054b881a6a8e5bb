// SPDX-License-Identifier: MIT
/*
 * rw-direct: classic aio O_DIRECT IOCB_CMD_PWRITE / IOCB_CMD_PREAD.
 *
 * On every target (scratch block device and each test directory), for
 * block sizes 512, 4 KiB and 64 KiB: 32 writes in flight at distinct,
 * shuffled offsets, each block with its own pattern; every event must
 * carry the iocb's aio_data and address, res == block size, res2 == 0.
 * Then 32 reads in flight (submitted in four batches, another order) read
 * the blocks back, compared byte for byte; a synchronous O_DIRECT pread()
 * and a buffered pread() of the whole region must see the same bytes.
 * On a block device an O_DIRECT read at an offset that is not a multiple
 * of the logical block size completes with res == -EINVAL (block/fops.c
 * blkdev_dio_unaligned(); io_submit itself succeeds since the error comes
 * from ->read_iter, see aio_rw_done()).
 */
#include "aio_sys.h"

#define NR_IOCBS	32
#define TAG_W		0x57
#define TAG_R		0x52

static const unsigned int sizes[] = { 512, 4096, 65536 };

static void run_size(struct aio_target *t, int fd, unsigned int bs,
		     uint64_t base, uint64_t seed)
{
	size_t region = (size_t)NR_IOCBS * bs;
	uint8_t *wbuf = xalign(4096, region);
	uint8_t *rbuf = xalign(4096, region);
	struct iocb cbs[NR_IOCBS], *ptrs[NR_IOCBS];
	struct io_event ev[NR_IOCBS];
	aio_context_t ctx = setup_or_bail(NR_IOCBS);
	char what[PATH_MAX + 64];
	long i, r, got, bad;
	int bfd;

	snprintf(what, sizeof(what), "%s bs=%u", t->name, bs);

	/* 32 writes in flight, offsets shuffled: slot = i * 13 mod 32 */
	for (i = 0; i < NR_IOCBS; i++) {
		uint64_t off = base + (uint64_t)((i * 13) % NR_IOCBS) * bs;

		pattern_fill(wbuf + i * bs, bs, off, seed);
		iocb_prep(&cbs[i], IOCB_CMD_PWRITE, fd, wbuf + i * bs, bs, off,
			  AIO_DATA(TAG_W, i), 0);
		ptrs[i] = &cbs[i];
	}
	r = sys_io_submit(ctx, NR_IOCBS, ptrs);
	ok(r == NR_IOCBS, "%s: io_submit of %d O_DIRECT writes returns %d (got %ld, errno %d)",
	   what, NR_IOCBS, NR_IOCBS, r, r < 0 ? errno : 0);
	got = wait_events(ctx, r > 0 ? r : 0, ev, 10000);
	check_events(label("%s direct write", what), ev, got, ptrs, NR_IOCBS, TAG_W, NULL, bs);

	/* read back: other order (slot = i * 5 + 3 mod 32), four batches */
	memset(rbuf, 0xa5, region);
	for (i = 0; i < NR_IOCBS; i++) {
		uint64_t off = base + (uint64_t)((i * 5 + 3) % NR_IOCBS) * bs;

		iocb_prep(&cbs[i], IOCB_CMD_PREAD, fd, rbuf + i * bs, bs, off,
			  AIO_DATA(TAG_R, i), 0);
	}
	bad = 0;
	for (i = 0; i < NR_IOCBS; i += 8) {
		r = sys_io_submit(ctx, 8, ptrs + i);
		if (r != 8 && !bad++)
			diag("io_submit batch at %ld returned %ld errno %d", i, r, errno);
	}
	ok(!bad, "%s: four io_submit batches of 8 O_DIRECT reads each return 8", what);
	got = wait_events(ctx, NR_IOCBS, ev, 10000);
	check_events(label("%s direct read", what), ev, got, ptrs, NR_IOCBS, TAG_R, NULL, bs);
	bad = 0;
	for (i = 0; i < NR_IOCBS; i++) {
		uint64_t off = base + (uint64_t)((i * 5 + 3) % NR_IOCBS) * bs;

		if (pattern_check(rbuf + i * bs, bs, off, seed) >= 0 && !bad++)
			diag("block read at offset %llu differs", (unsigned long long)off);
	}
	ok(!bad, "%s: all %d blocks read back by aio match what was written", what, NR_IOCBS);

	/* whole region with a synchronous O_DIRECT pread */
	memset(rbuf, 0x5a, region);
	r = pread(fd, rbuf, region, base);
	ok(r == (long)region, "%s: synchronous O_DIRECT pread of the region returns %zu (got %ld)",
	   what, region, r);
	ok_pattern(rbuf, region, base, seed,
		   "%s: synchronous O_DIRECT pread sees every block at its offset", what);

	/* and through the page cache (O_DIRECT writes invalidate it) */
	bfd = target_open(t, O_RDONLY);
	if (bfd >= 0) {
		memset(rbuf, 0x3c, region);
		r = pread(bfd, rbuf, region, base);
		ok(r == (long)region, "%s: buffered pread of the region returns %zu (got %ld)",
		   what, region, r);
		ok_pattern(rbuf, region, base, seed,
			   "%s: buffered pread sees the O_DIRECT data", what);
		close(bfd);
	} else {
		ok(0, "%s: reopen without O_DIRECT (errno %d)", what, -bfd);
	}

	ok(sys_io_destroy(ctx) == 0, "%s: io_destroy", what);
	free(wbuf);
	free(rbuf);
}

static void run_misaligned_bdev(struct aio_target *t, int fd)
{
	aio_context_t ctx = setup_or_bail(4);
	uint8_t *buf = xalign(4096, 4096);
	struct iocb cb, *p = &cb;
	struct io_event ev;
	unsigned int half = t->lbs / 2;
	long r;

	iocb_prep(&cb, IOCB_CMD_PREAD, fd, buf, t->lbs, half, AIO_DATA(1, 0), 0);
	r = sys_io_submit(ctx, 1, &p);
	ok(r == 1, "%s: O_DIRECT read at misaligned offset %u is accepted by io_submit (got %ld errno %d)",
	   t->name, half, r, r < 0 ? errno : 0);
	if (r == 1)
		check_events(label("%s misaligned direct read", t->name), &ev, wait_events(ctx, 1, &ev, 10000),
			     &p, 1, 1, NULL, -EINVAL);
	sys_io_destroy(ctx);
	free(buf);
}

int main(void)
{
	struct aio_target t[MAX_TARGETS];
	int n = aio_targets(t, MAX_TARGETS, TGT_BDEV | TGT_DIRS);
	int fds[MAX_TARGETS];
	uint64_t seed = pattern_seed();
	int i, usable = 0;
	unsigned int s;

	for (i = 0; i < n; i++) {
		fds[i] = target_open_direct(&t[i]);
		if (fds[i] >= 0)
			usable++;
		else
			diag("%s: open O_DIRECT: %s", t[i].name, strerror(-fds[i]));
	}
	if (!usable)
		skip_all("no target supports O_DIRECT");

	for (i = 0; i < n; i++) {
		unsigned int align;

		if (fds[i] < 0) {
			for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
				skip("%s bs=%u: O_DIRECT not supported (%s)", t[i].name,
				     sizes[s], strerror(-fds[i]));
			continue;
		}
		align = target_dio_align(&t[i], fds[i]);
		diag("%s: O_DIRECT alignment %u", t[i].name, align);
		if (t[i].is_bdev && t[i].size < 16ULL << 20) {
			skip("%s: device smaller than 16 MiB", t[i].name);
			close(fds[i]);
			continue;
		}
		for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			/* on a device: one 4 MiB area per block size */
			uint64_t base = t[i].is_bdev ? (uint64_t)(s + 1) << 22 : 0;

			if (!align || sizes[s] < align) {
				skip("%s bs=%u: below the O_DIRECT alignment %u",
				     t[i].name, sizes[s], align);
				continue;
			}
			run_size(&t[i], fds[i], sizes[s], base, seed + sizes[s]);
		}
		if (t[i].is_bdev && t[i].lbs >= 512)
			run_misaligned_bdev(&t[i], fds[i]);
		close(fds[i]);
		target_cleanup(&t[i]);
	}
	return tap_done();
}
