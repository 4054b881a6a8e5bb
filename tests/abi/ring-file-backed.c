// SPDX-License-Identifier: MIT
/*
 * ring-file-backed: a CQ ring mapped MAP_SHARED from a file keeps the
 * events the kernel wrote into it (review finding L3: the ring pages were
 * unpinned without being marked dirty, so what the kernel wrote through
 * its own mapping was never written back, and the file lost it). A
 * file-backed ring is accepted, as v9 accepted it; see aio-ring.rst.
 *
 * On the first ext4 or xfs directory of AIORING_TEST_DIRS: the CQ ring of
 * a 256-entry context is a shared mapping of a file; after io_setup2 the
 * file is synced (its pages are clean). NREQ 8-byte reads of /dev/zero
 * complete, the later ones into the ring's second page, which the
 * application never writes. io_destroy, munmap, fsync, then the page
 * cache is dropped: the file, read back from the disk, holds each event
 * where the kernel put it (data i, res 8).
 */
#include "ring2_util.h"

#define N	256
#define NREQ	200

int main(void)
{
	static uint8_t bufs[NREQ][8];
	struct r2_fsdir dir;
	struct io_event ev;
	struct ring r;
	unsigned int i, good = 0, first2;
	int fd, zfd;
	long nr0 = aio_nr(), got;

	require_aioring();
	if (geteuid() != 0)
		skip_all("needs root (drop_caches)");
	if (r2_fs_dirs(&dir, 1) != 1)
		skip_all("no ext4 or xfs directory in AIORING_TEST_DIRS");
	tap_plan(4);

	ring_mem_alloc(&r, N);
	setenv("TMPDIR", dir.dir, 1);
	fd = scratch_file("ring-file-backed", (off_t)page_round(r.cq_len));
	unmap_pages(r.cq, r.cq_len);
	r.cq = mmap(NULL, r.cq_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (r.cq == MAP_FAILED)
		bail_out("mmap the CQ ring file");
	r.cq->nr_events = 2 * N;
	r.flags = IOCTX_FLAG_SCQRING;
	ok(aioring_io_setup2(N, r.flags, r.sq, r.cq, &r.ctx) == 0,
	   "%s: io_setup2 with a CQ ring mapped from a file", dir.fs);
	if (fsync(fd))
		bail_out("fsync");

	zfd = open("/dev/zero", O_RDONLY);
	if (zfd < 0)
		bail_out("open /dev/zero");
	for (i = 0; i < NREQ; i++) {
		memset(bufs[i], 0xff, 8);
		iocb_prep(&r.iocbs[i], IOCB_CMD_PREAD, zfd, bufs[i], 8, 0, i, 0);
		sq_push(&r, i);
	}
	got = ring_enter(&r, NREQ, NREQ, IORING_FLAG_SUBMIT | IORING_FLAG_GETEVENTS);
	/* the first event in the ring's second page */
	first2 = (4096 - sizeof(struct aio_cq_ring)) / sizeof(struct io_event);
	ok(got == NREQ && cq_tail(&r) == NREQ && first2 < NREQ,
	   "%d reads of /dev/zero complete into the ring (tail %u), %u of them past its first page",
	   NREQ, cq_tail(&r), NREQ - first2);

	ok(ring_destroy(&r) == 0 && !fsync(fd) &&
	   !write_sysctl_long("/proc/sys/vm/drop_caches", 1),
	   "io_destroy, munmap, fsync, drop_caches");
	for (i = 0; i < NREQ; i++) {
		off_t off = sizeof(struct aio_cq_ring) + (off_t)i * sizeof(ev);

		if (pread(fd, &ev, sizeof(ev), off) == sizeof(ev) && ev.data == i &&
		    ev.res == 8)
			good++;
	}
	ok(good == NREQ, "the file read back holds all %d events (%u right; %u in its first page)",
	   NREQ, good, first2);
	close(fd);
	close(zfd);
	diag("fs.aio-nr %ld (was %ld)", aio_nr_wait(nr0, 5000), nr0);
	return tap_done();
}
