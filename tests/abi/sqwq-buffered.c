// SPDX-License-Identifier: MIT
/*
 * sqwq-buffered: IOCTX_FLAG_SQWQ, buffered (no O_DIRECT) IO through the
 * rings, the way t/aio-ring.c's buffered mode uses it
 * (SCQRING|FIXEDBUFS|SQWQ on a regular file), on ext4 and on xfs; also
 * with SQTHREAD|SQWQ (the thread makes the non-blocking try and punts)
 * and, on ext4, SQWQ without FIXEDBUFS (the workers copy from and to user
 * memory; a 2 MiB file to save time).
 *
 * For each: an 8 MiB file (sparse, ftruncate):
 *  - 2048 buffered 4 KiB writes through the ring at depth 32 (N = 33),
 *    in a permuted order, a pattern unique per byte offset: each
 *    completes once with res 4096 and res2 0; a pread of the whole file
 *    sees every byte; fsync works;
 *  - echo 3 > /proc/sys/vm/drop_caches: mincore() shows the file's pages
 *    gone from the page cache; with POSIX_FADV_RANDOM (no readahead, so
 *    that a page is only in the cache if it was read) a full pass of 2048
 *    reads in another order: data right, res2 only 0 or
 *    IOEV_RES2_CACHEHIT, and fewer than 10% with CACHEHIT;
 *  - a second pass: every read has CACHEHIT and its data right;
 *  - io_destroy returns 0.
 * SQWQ without SCQRING: EINVAL (SQWQ|IOPOLL is accepted: sqwq-iopoll).
 * Each context lives in a child process (a hang fails the check, not the
 * run).  fs.aio-nr is back at the end.
 */
#include "ring2_util.h"

#define N	33
#define DEPTH	32
#define FSIZE	(8u << 20)
#define NBLK	(FSIZE / 4096)

struct cfg {
	const char *dir;
	const char *fs;
	unsigned int flags;
	int mode;
	const char *name;
	unsigned int nblk;		/* file size in 4 KiB blocks */
};

static uint64_t seed;

static long resident_pages(int fd, unsigned int nblk)
{
	unsigned char vec[NBLK];
	size_t len = (size_t)nblk * 4096;
	void *m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	long n = 0;
	unsigned int i;

	if (m == MAP_FAILED)
		return -1;
	if (mincore(m, len, vec)) {
		munmap(m, len);
		return -1;
	}
	munmap(m, len);
	for (i = 0; i < nblk; i++)
		n += vec[i] & 1;
	return n;
}

static void pass(struct ring *r, int fd, uint8_t **bufs, int mode, int write,
		 unsigned int mult, uint32_t tag, unsigned int nblk,
		 struct r2_pass *p)
{
	memset(p, 0, sizeof(*p));
	p->r = r;
	p->fd = fd;
	p->write = write;
	p->mode = mode;
	p->nops = nblk;
	p->depth = DEPTH;
	p->base = 0;
	p->seed = seed;
	p->mult = mult;
	p->bufs = bufs;
	p->res2_mode = write ? R2_RES2_ZERO : R2_RES2_CACHEHIT_OK;
	p->timeout_s = 25;
	p->tag = tag;
	r2_pass_run(p);
}

static void run_cfg(void *arg)
{
	const struct cfg *c = arg;
	static const size_t sz[] = { 4096 };
	const char *nm = c->name;
	unsigned int nblk = c->nblk;
	size_t fsize = (size_t)nblk * 4096;
	char path[PATH_MAX];
	struct slot_bufs b;
	struct r2_pass p;
	struct ring r;
	uint8_t *all;
	long ret, res;
	int fd;

	snprintf(path, sizeof(path), "%s/abi-sqwq-%d", c->dir, (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)fsize)) {
		ok(0, "%s: create %s: %s", nm, path, strerror(errno));
		return;
	}
	slot_bufs_alloc(&b, N, sz, 1);
	ret = ring_setup_bufs(&r, N, c->flags, 0,
			      (c->flags & IOCTX_FLAG_FIXEDBUFS) ? b.buf : NULL, b.len);
	if (!ok(ret == 0, "%s: io_setup2(%#x) returns 0 (errno %d %s)", nm, c->flags,
		ret ? errno : 0, ret ? strerror(errno) : "-"))
		goto out;

	pass(&r, fd, b.buf, c->mode, 1, 37, 0x31, nblk, &p);
	r2_pass_report(&p, label("%s: buffered writes", nm));

	if (posix_memalign((void **)&all, 4096, fsize))
		bail_out("posix_memalign");
	memset(all, 0, fsize);
	res = pread(fd, all, fsize, 0);
	ok(res == (long)fsize && pattern_check(all, fsize, 0, seed) < 0,
	   "%s: a pread of the whole file sees every written byte (%ld)", nm, res);
	free(all);
	ok(fsync(fd) == 0, "%s: fsync works", nm);

	sync();
	ret = write_sysctl_long("/proc/sys/vm/drop_caches", 3);
	res = resident_pages(fd, nblk);
	ok(ret == 0 && res >= 0 && res <= nblk / 10,
	   "%s: after drop_caches %ld of %u pages of the file are cached", nm, res,
	   nblk);
	posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);

	pass(&r, fd, b.buf, c->mode, 0, 13, 0x32, nblk, &p);
	r2_pass_report(&p, label("%s: cold reads", nm));
	ok(p.completed == nblk && p.cachehit * 10 < nblk,
	   "%s: cold pass: %lu of %u reads (%.1f%%) have CACHEHIT (fewer than 10%%)",
	   nm, p.cachehit, nblk, 100.0 * p.cachehit / nblk);
	diag("%s: %ld of %u pages cached after the cold pass; %.2f s", nm,
	     resident_pages(fd, nblk), nblk, p.secs);

	pass(&r, fd, b.buf, c->mode, 0, 29, 0x33, nblk, &p);
	r2_pass_report(&p, label("%s: warm reads", nm));
	ok(p.completed == nblk && p.cachehit == nblk,
	   "%s: warm pass: %lu of %u reads (%.1f%%) have CACHEHIT (all)", nm,
	   p.cachehit, nblk, 100.0 * p.cachehit / nblk);

	ok(ring_destroy(&r) == 0, "%s: io_destroy returns 0", nm);
out:
	slot_bufs_free(&b);
	close(fd);
	unlink(path);
}

static void expect_einval(unsigned int flags, const char *what)
{
	long nr0 = aio_nr(), ret;
	struct ring r;
	int e;

	if (flags & IOCTX_FLAG_SCQRING) {
		ret = ring_setup_bufs(&r, N, flags, 0, NULL, NULL);
		e = errno;
		if (ret == 0)
			ring_destroy(&r);
	} else {
		aio_context_t ctx = 0;

		ret = aioring_io_setup2(N, flags, NULL, NULL, &ctx);
		e = errno;
		if (ret == 0)
			sys_io_destroy(ctx);
	}
	ok(ret == -1 && e == EINVAL && aio_nr() == nr0,
	   "%s: EINVAL (got ret %ld errno %s), aio-nr unchanged", what, ret,
	   ret ? strerrorname_np(e) : "-");
}

int main(void)
{
	struct r2_fsdir dirs[2];
	struct cfg cfgs[8];
	int n = 0, nd, i;
	long start;

	require_aioring();
	if (geteuid() != 0)
		skip_all("needs root (drop_caches)");
	start = aio_nr();
	seed = pattern_seed();

	expect_einval(IOCTX_FLAG_SQWQ, "SQWQ without SCQRING");

	nd = r2_fs_dirs(dirs, ARRAY_SIZE(dirs));
	for (i = 0; i < nd; i++) {
		const char *w = dirs[i].dir, *fs = dirs[i].fs;

		cfgs[n++] = (struct cfg){ w, fs,
			IOCTX_FLAG_SCQRING | IOCTX_FLAG_FIXEDBUFS | IOCTX_FLAG_SQWQ,
			R2_ENTER, strdup(label("%s FIXEDBUFS|SQWQ", fs)), NBLK };
		cfgs[n++] = (struct cfg){ w, fs,
			IOCTX_FLAG_SCQRING | IOCTX_FLAG_FIXEDBUFS | IOCTX_FLAG_SQWQ |
			IOCTX_FLAG_SQTHREAD,
			R2_THREAD, strdup(label("%s FIXEDBUFS|SQTHREAD|SQWQ", fs)), NBLK };
		if (!strcmp(fs, "ext4"))
			cfgs[n++] = (struct cfg){ w, fs,
				IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQWQ, R2_ENTER,
				strdup(label("%s SQWQ, no fixed buffers, 2 MiB", fs)),
				NBLK / 4 };
	}
	if (!n)
		skip_all("no ext4 or xfs directory in AIORING_TEST_DIRS");
	for (i = 0; i < n; i++)
		run_child(cfgs[i].name, run_cfg, &cfgs[i], 40);
	ok_aio_nr_back(start);
	return tap_done();
}
