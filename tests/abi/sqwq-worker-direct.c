// SPDX-License-Identifier: MIT
/*
 * sqwq-worker-direct: O_DIRECT reads of ext4 and xfs files that the
 * IOCTX_FLAG_SQWQ workers issue, checked byte for byte.
 *
 * The inline, non-blocking try of an O_DIRECT read gives up (-EAGAIN)
 * when the range has dirty page-cache pages, so each read here follows a
 * buffered write of its block: the worker writes the page back, issues
 * the read and returns through the file system's ->read_iter(). The
 * read may complete on the other CPU meanwhile. ext4 touches the kiocb
 * after issuing (the access time); a worker that held no reference of
 * its own let the completion free the request first: a KASAN
 * use-after-free in ext4_file_read_iter() in CI's short fuzz run, and a
 * corrupted kernel after it. On the debug kernel such an access is a
 * KASAN report, which fails the run.
 *
 * Per file system: a 4 MiB file (1024 blocks) with a base pattern, then
 * ROUNDS rounds; each round writes a new pattern into 32 distinct blocks
 * with pwrite() (buffered, no sync) and reads the same blocks with
 * O_DIRECT through the ring at depth 32. Every event: aio_data and obj
 * of its slot, res 4096, res2 0; every read sees the round's pattern,
 * which only a write-back before the direct read can give. A final
 * buffered read of the whole file sees each block's last pattern.
 * Each file system's context runs in a child (a hang fails the check).
 */
#include "ring2_util.h"

#define N	33
#define DEPTH	32
#define NBLK	1024u
#define ROUNDS	64u

/* the pattern seed of a block last written in round r (0: the base pattern) */
static uint64_t blk_seed(uint64_t seed, unsigned int r)
{
	return seed + 0x1000003ull * r;
}

static void run_fs(void *arg)
{
	const struct r2_fsdir *c = arg;
	uint64_t seed = pattern_seed();
	unsigned int *last = calloc(NBLK, sizeof(*last));
	unsigned int r, i, bad_res = 0, bad_data = 0, missing = 0, reads = 0;
	char path[PATH_MAX];
	uint8_t *bufs, *wbuf;
	struct ring r0;
	int dfd, bfd;
	long e;

	snprintf(path, sizeof(path), "%s/sqwq-worker-direct-%d", c->dir, (int)getpid());
	bfd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	dfd = bfd < 0 ? -1 : open(path, O_RDONLY | O_DIRECT);
	if (bfd < 0 || dfd < 0)
		bail_out("%s: open %s", c->fs, path);
	unlink(path);
	if (posix_memalign((void **)&bufs, 4096, (size_t)DEPTH * 4096) ||
	    posix_memalign((void **)&wbuf, 4096, (size_t)NBLK * 4096) || !last)
		bail_out("memory");

	/* the base pattern, on disk */
	pattern_fill(wbuf, (size_t)NBLK * 4096, 0, blk_seed(seed, 0));
	if (pwrite(bfd, wbuf, (size_t)NBLK * 4096, 0) != (ssize_t)NBLK * 4096 ||
	    fsync(bfd))
		bail_out("%s: write the base pattern", c->fs);

	if (ring_setup(&r0, N, IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQWQ)) {
		ok(0, "%s: io_setup2(SCQRING|SQWQ): %s", c->fs, strerror(errno));
		return;
	}
	for (r = 1; r <= ROUNDS; r++) {
		struct io_event ev[DEPTH];
		unsigned int got, blk[DEPTH];

		for (i = 0; i < DEPTH; i++) {
			/* distinct blocks: a stride coprime to NBLK */
			blk[i] = (r * 97u + i * 31u) % NBLK;
			pattern_fill(wbuf, 4096, (uint64_t)blk[i] * 4096, blk_seed(seed, r));
			if (pwrite(bfd, wbuf, 4096, (off_t)blk[i] * 4096) != 4096)
				bail_out("%s: pwrite block %u", c->fs, blk[i]);
			last[blk[i]] = r;
			memset(bufs + (size_t)i * 4096, 0xa5, 4096);
			iocb_prep(&r0.iocbs[i], IOCB_CMD_PREAD, dfd, bufs + (size_t)i * 4096,
				  4096, (uint64_t)blk[i] * 4096, AIO_DATA(r, i), 0);
			sq_push(&r0, i);
		}
		e = ring_enter(&r0, DEPTH, 0, IORING_FLAG_SUBMIT);
		if (e != DEPTH) {
			ok(0, "%s: round %u: io_ring_enter(SUBMIT, %u) = %ld (%s)",
			   c->fs, r, DEPTH, e, e < 0 ? strerror(errno) : "short");
			break;
		}
		got = ring_reap_wait(&r0, ev, DEPTH, 20000);
		missing += DEPTH - got;
		for (i = 0; i < got; i++) {
			unsigned int s = (uint32_t)ev[i].data;

			if (ev[i].data >> 32 != r || s >= DEPTH || ev[i].obj != s ||
			    ev[i].res != 4096 || ev[i].res2 != 0) {
				if (bad_res++ < 5)
					diag("%s: round %u: event data %#llx obj %llu res %lld res2 %lld",
					     c->fs, r, (unsigned long long)ev[i].data,
					     (unsigned long long)ev[i].obj,
					     (long long)ev[i].res, (long long)ev[i].res2);
				continue;
			}
			reads++;
			if (pattern_check(bufs + (size_t)s * 4096, 4096,
					  (uint64_t)blk[s] * 4096, blk_seed(seed, r)) >= 0 &&
			    bad_data++ < 5)
				diag("%s: round %u: block %u does not hold the data just written",
				     c->fs, r, blk[s]);
		}
		if (got < DEPTH)
			break;
	}
	ok(!missing && !bad_res, "%s: %u direct reads through the SQWQ workers completed, "
	   "each once with res 4096 and res2 0 (%u missing, %u wrong)",
	   c->fs, reads + bad_res, missing, bad_res);
	ok(reads && !bad_data, "%s: each direct read saw the buffered write before it "
	   "(%u of %u wrong)", c->fs, bad_data, reads);

	if (pread(bfd, wbuf, (size_t)NBLK * 4096, 0) != (ssize_t)NBLK * 4096)
		bail_out("%s: pread the file", c->fs);
	for (i = 0, bad_data = 0; i < NBLK; i++)
		bad_data += pattern_check(wbuf + (size_t)i * 4096, 4096,
					  (uint64_t)i * 4096, blk_seed(seed, last[i])) >= 0;
	ok(!bad_data, "%s: the file holds each block's last pattern (%u of %u wrong)",
	   c->fs, bad_data, NBLK);
	ok(ring_destroy(&r0) == 0, "%s: io_destroy returns 0", c->fs);
	close(dfd);
	close(bfd);
}

int main(void)
{
	struct r2_fsdir dirs[4];
	int n, i;
	long start;

	require_aioring();
	start = aio_nr();
	n = r2_fs_dirs(dirs, ARRAY_SIZE(dirs));
	if (!n)
		skip_all("no ext4 or xfs directory in AIORING_TEST_DIRS");
	for (i = 0; i < n; i++)
		run_child(label("%s, SQWQ worker O_DIRECT reads", dirs[i].fs),
			  run_fs, &dirs[i], 120);
	ok_aio_nr_back(start);
	return tap_done();
}
