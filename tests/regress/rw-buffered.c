// SPDX-License-Identifier: MIT
/*
 * rw-buffered: classic aio IOCB_CMD_PWRITE / IOCB_CMD_PREAD through the
 * page cache (no O_DIRECT).
 *
 * On every target, for block sizes 512, 4 KiB, 64 KiB and an unaligned
 * case (1000-byte blocks at offsets 3 + k * 1000 from odd buffer
 * addresses): 32 writes submitted at once at shuffled offsets, every
 * event checked (aio_data, obj, res == length, res2 == 0); read back by
 * 32 aio reads and compared byte for byte; a synchronous pread() of the
 * region; then the fd is closed, the data written back and dropped from
 * the page cache (fdatasync + POSIX_FADV_DONTNEED), the target reopened
 * and read again by aio.  For files the size after the writes must be the
 * end of the last block.
 */
#include "aio_sys.h"

#define NR_IOCBS	32

struct shape {
	unsigned int bs;	/* length of each block */
	unsigned int start;	/* offset of the first block in the area */
	unsigned int misalign;	/* buffer address offset from 4096 */
};

static const struct shape shapes[] = {
	{ 512, 0, 0 },
	{ 4096, 0, 0 },
	{ 65536, 0, 0 },
	{ 1000, 3, 1 },
};

static int aio_read_back(aio_context_t ctx, int fd, uint8_t *buf,
			 const struct shape *sh, uint64_t base, uint64_t seed,
			 const char *what)
{
	struct iocb cbs[NR_IOCBS], *ptrs[NR_IOCBS];
	struct io_event ev[NR_IOCBS];
	long i, r, got, bad = 0;

	memset(buf, 0xa5, (size_t)NR_IOCBS * sh->bs);
	for (i = 0; i < NR_IOCBS; i++) {
		uint64_t off = base + sh->start + (uint64_t)((i * 7 + 1) % NR_IOCBS) * sh->bs;

		iocb_prep(&cbs[i], IOCB_CMD_PREAD, fd, buf + i * sh->bs, sh->bs,
			  off, AIO_DATA(0x52, i), 0);
		ptrs[i] = &cbs[i];
	}
	r = sys_io_submit(ctx, NR_IOCBS, ptrs);
	ok(r == NR_IOCBS, "%s: io_submit of %d buffered reads returns %d (got %ld)",
	   what, NR_IOCBS, NR_IOCBS, r);
	got = wait_events(ctx, r > 0 ? r : 0, ev, 10000);
	check_events(label("%s: buffered read", what), ev, got, ptrs, NR_IOCBS, 0x52, NULL, sh->bs);
	for (i = 0; i < NR_IOCBS; i++) {
		uint64_t off = base + sh->start + (uint64_t)((i * 7 + 1) % NR_IOCBS) * sh->bs;

		if (pattern_check(buf + i * sh->bs, sh->bs, off, seed) >= 0 && !bad++)
			diag("%s: block at offset %llu differs", what,
			     (unsigned long long)off);
	}
	return ok(!bad, "%s: all %d blocks read by aio match what was written",
		  what, NR_IOCBS);
}

static void run_shape(struct aio_target *t, const struct shape *sh,
		      uint64_t base, uint64_t seed)
{
	size_t region = (size_t)NR_IOCBS * sh->bs;
	uint8_t *wmem = xalign(4096, region + 4096);
	uint8_t *rmem = xalign(4096, region + 4096);
	uint8_t *wbuf = wmem + sh->misalign, *rbuf = rmem + sh->misalign;
	struct iocb cbs[NR_IOCBS], *ptrs[NR_IOCBS];
	struct io_event ev[NR_IOCBS];
	aio_context_t ctx = setup_or_bail(NR_IOCBS);
	char what[PATH_MAX + 64];
	long i, r, got;
	struct stat st;
	int fd;

	snprintf(what, sizeof(what), "%s bs=%u%s", t->name, sh->bs,
		 sh->misalign ? " unaligned" : "");
	fd = target_open(t, O_RDWR);
	if (fd < 0) {
		ok(0, "%s: open: %s", what, strerror(-fd));
		return;
	}
	for (i = 0; i < NR_IOCBS; i++) {
		uint64_t off = base + sh->start + (uint64_t)((i * 13) % NR_IOCBS) * sh->bs;

		pattern_fill(wbuf + i * sh->bs, sh->bs, off, seed);
		iocb_prep(&cbs[i], IOCB_CMD_PWRITE, fd, wbuf + i * sh->bs, sh->bs,
			  off, AIO_DATA(0x57, i), 0);
		ptrs[i] = &cbs[i];
	}
	r = sys_io_submit(ctx, NR_IOCBS, ptrs);
	ok(r == NR_IOCBS, "%s: io_submit of %d buffered writes returns %d (got %ld errno %d)",
	   what, NR_IOCBS, NR_IOCBS, r, r < 0 ? errno : 0);
	got = wait_events(ctx, r > 0 ? r : 0, ev, 10000);
	check_events(label("%s: buffered write", what), ev, got, ptrs, NR_IOCBS, 0x57, NULL, sh->bs);

	if (!t->is_bdev) {
		if (fstat(fd, &st))
			st.st_size = -1;
		ok((uint64_t)st.st_size == base + sh->start + region,
		   "%s: file size is the end of the last block (%llu, got %lld)",
		   what, (unsigned long long)(base + sh->start + region),
		   (long long)st.st_size);
	}

	aio_read_back(ctx, fd, rbuf, sh, base, seed, what);

	memset(rbuf, 0x5a, region);
	r = pread(fd, rbuf, region, base + sh->start);
	ok(r == (long)region, "%s: synchronous pread of the region returns %zu (got %ld)",
	   what, region, r);
	ok_pattern(rbuf, region, base + sh->start, seed,
		   "%s: synchronous pread sees every block at its offset", what);

	/* close, write back, drop the cached pages, reopen, read again */
	ok(fdatasync(fd) == 0, "%s: fdatasync", what);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	ok(close(fd) == 0, "%s: close", what);
	fd = target_open(t, O_RDONLY);
	if (fd < 0) {
		ok(0, "%s: reopen: %s", what, strerror(-fd));
	} else {
		char again[PATH_MAX + 96];

		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		snprintf(again, sizeof(again), "%s after reopen", what);
		aio_read_back(ctx, fd, rbuf, sh, base, seed, again);
		close(fd);
	}
	ok(sys_io_destroy(ctx) == 0, "%s: io_destroy", what);
	free(wmem);
	free(rmem);
}

int main(void)
{
	struct aio_target t[MAX_TARGETS];
	int n = aio_targets(t, MAX_TARGETS, TGT_BDEV | TGT_DIRS);
	uint64_t seed = pattern_seed();
	unsigned int s;
	int i;

	if (!n)
		skip_all("no target");
	for (i = 0; i < n; i++) {
		int fd = target_open(&t[i], O_RDWR);

		if (fd < 0) {
			ok(0, "%s: open: %s", t[i].name, strerror(-fd));
			continue;
		}
		close(fd);
		if (t[i].is_bdev && t[i].size < 32ULL << 20) {
			skip("%s: device smaller than 32 MiB", t[i].name);
			continue;
		}
		for (s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
			/* a device gets one 4 MiB area per shape, past 16 MiB */
			uint64_t base = t[i].is_bdev ? (uint64_t)(s + 4) << 22 : 0;

			if (!t[i].is_bdev) {
				/* a fresh, empty file for each shape */
				target_cleanup(&t[i]);
				fd = target_open(&t[i], O_RDWR);
				if (fd >= 0)
					close(fd);
			}
			run_shape(&t[i], &shapes[s], base, seed + s * 0x1000 + shapes[s].bs);
		}
		target_cleanup(&t[i]);
	}
	return tap_done();
}
