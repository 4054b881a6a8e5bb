// SPDX-License-Identifier: MIT
/*
 * ring-file-backed: a CQ ring in a MAP_SHARED mapping of a file.
 *
 * shmem (every kernel): the CQ ring of a 256-entry context is a shared
 * mapping of a memfd. NREQ 8-byte reads of /dev/zero complete into it,
 * the later ones into the ring's second page; after io_destroy and
 * munmap, the memfd read with pread() holds each event.
 *
 * A file on the first ext4 or xfs directory of AIORING_TEST_DIRS:
 * - before Linux 6.5 (the 6.1 base): accepted, as v9 accepted it. After
 *   io_setup2 the file is synced (its pages are clean), the reads
 *   complete, then io_destroy, munmap, fsync and drop_caches: the file
 *   read back from the disk holds every event where the kernel put it
 *   (review finding L3: the ring pages were unpinned without being
 *   marked dirty, and the file lost what the kernel wrote).
 * - from Linux 6.5 on (the 6.12 base): GUP refuses a long-term writable
 *   pin of a file mapping whose file system tracks dirty pages, so
 *   io_setup2 fails with EFAULT (the project's decision, see io_setup2(2)
 *   and aio-ring.rst), creates no context and leaves nothing pinned: the
 *   SQ ring and iocb array it pinned before the CQ ring are let go.
 */
#include "ring2_util.h"

#define N	256
#define NREQ	200

static uint8_t bufs[NREQ][8];

/* the first event in the ring's second page */
static unsigned int first_in_page2(void)
{
	return (4096 - sizeof(struct aio_cq_ring)) / sizeof(struct io_event);
}

/* A context whose CQ ring is a shared mapping of fd; -1 and errno on error */
static int setup_file_ring(struct ring *r, int fd)
{
	ring_mem_alloc(r, N);
	unmap_pages(r->cq, r->cq_len);
	r->cq = mmap(NULL, r->cq_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (r->cq == MAP_FAILED)
		bail_out("mmap the CQ ring file");
	r->cq->nr_events = 2 * N;
	r->flags = IOCTX_FLAG_SCQRING;
	return aioring_io_setup2(N, r->flags, r->sq, r->cq, &r->ctx) ? -1 : 0;
}

/* NREQ reads of /dev/zero through the ring; 1 when all completed */
static int reads_complete(struct ring *r, int zfd, const char *what)
{
	unsigned int i;
	long got;

	for (i = 0; i < NREQ; i++) {
		memset(bufs[i], 0xff, 8);
		iocb_prep(&r->iocbs[i], IOCB_CMD_PREAD, zfd, bufs[i], 8, 0, i, 0);
		sq_push(r, i);
	}
	got = ring_enter(r, NREQ, NREQ, IORING_FLAG_SUBMIT | IORING_FLAG_GETEVENTS);
	return ok(got == NREQ && cq_tail(r) == NREQ && first_in_page2() < NREQ,
		  "%s: %d reads of /dev/zero complete into the ring (tail %u), %u of them past its first page",
		  what, NREQ, cq_tail(r), NREQ - first_in_page2());
}

/* How many of the NREQ events the file holds where the kernel put them */
static unsigned int events_in_file(int fd)
{
	unsigned int i, good = 0;
	struct io_event ev;

	for (i = 0; i < NREQ; i++) {
		off_t off = sizeof(struct aio_cq_ring) + (off_t)i * sizeof(ev);

		if (pread(fd, &ev, sizeof(ev), off) == sizeof(ev) && ev.data == i &&
		    ev.res == 8)
			good++;
	}
	return good;
}

static void shmem_ring(int zfd)
{
	struct ring r;
	unsigned int good;
	int ret, err, fd = memfd_create("ring-file-backed", 0);

	if (fd < 0 || ftruncate(fd, (off_t)page_round(aioring_cq_ring_size(N))))
		bail_out("memfd_create");
	ret = setup_file_ring(&r, fd);
	err = errno;
	if (!ok(ret == 0, "shmem: io_setup2 with a CQ ring mapped from a memfd")) {
		diag("io_setup2: %s", strerror(err));
		skip("shmem: the reads (no context)");
		skip("shmem: the events in the memfd (no context)");
		close(fd);
		return;
	}
	reads_complete(&r, zfd, "shmem");
	if (ring_destroy(&r))
		bail_out("io_destroy");
	good = events_in_file(fd);
	ok(good == NREQ, "shmem: the memfd read back holds all %d events (%u right)",
	   NREQ, good);
	close(fd);
}

/* from 6.5: EFAULT, no context, nothing pinned */
static void disk_file_refused(const struct r2_fsdir *dir, int fd)
{
	long nr0 = aio_nr(), pin0 = vm_pin_kb();
	long long bal0 = pin_balance();
	struct ring r;
	int ret, err;
	long long bal;

	ret = setup_file_ring(&r, fd);
	err = errno;
	ok(ret == -1 && err == EFAULT,
	   "%s: io_setup2 with a CQ ring mapped from a file fails with EFAULT (ret %d, errno %d)",
	   dir->fs, ret, err);
	if (ret == 0)
		ring_destroy(&r);
	else
		ring_mem_free(&r);
	ok(aio_nr() == nr0, "%s: no context was made (fs.aio-nr %ld, was %ld)",
	   dir->fs, aio_nr(), nr0);
	bal = pin_balance();
	ok(vm_pin_kb() == pin0 && bal == bal0,
	   "%s: nothing left pinned (VmPin %ld kB, was %ld; pages pinned in the system %lld, were %lld)",
	   dir->fs, vm_pin_kb(), pin0, bal, bal0);
}

/* before 6.5: accepted, and the events reach the disk */
static void disk_file_kept(const struct r2_fsdir *dir, int fd, int zfd)
{
	struct ring r;
	unsigned int good;

	ok(setup_file_ring(&r, fd) == 0,
	   "%s: io_setup2 with a CQ ring mapped from a file", dir->fs);
	if (fsync(fd))
		bail_out("fsync");
	reads_complete(&r, zfd, dir->fs);
	ok(ring_destroy(&r) == 0 && !fsync(fd) &&
	   !write_sysctl_long("/proc/sys/vm/drop_caches", 1),
	   "%s: io_destroy, munmap, fsync, drop_caches", dir->fs);
	good = events_in_file(fd);
	ok(good == NREQ, "%s: the file read back holds all %d events (%u right; %u in its first page)",
	   dir->fs, NREQ, good, first_in_page2());
}

int main(void)
{
	struct r2_fsdir dir;
	long nr0 = aio_nr();
	int have_dir, refused = kernel_at_least(6, 5);
	int fd, zfd;

	require_aioring();
	if (geteuid() != 0)
		skip_all("needs root (drop_caches, the system's pin counters)");
	have_dir = r2_fs_dirs(&dir, 1) == 1;
	tap_plan(3 + (refused ? 3 : 4));

	zfd = open("/dev/zero", O_RDONLY);
	if (zfd < 0)
		bail_out("open /dev/zero");
	shmem_ring(zfd);

	if (!have_dir) {
		for (int i = 0; i < (refused ? 3 : 4); i++)
			skip("no ext4 or xfs directory in AIORING_TEST_DIRS");
	} else {
		setenv("TMPDIR", dir.dir, 1);
		fd = scratch_file("ring-file-backed",
				  (off_t)page_round(aioring_cq_ring_size(N)));
		if (refused)
			disk_file_refused(&dir, fd);
		else
			disk_file_kept(&dir, fd, zfd);
		close(fd);
	}
	close(zfd);
	diag("fs.aio-nr %ld (was %ld)", aio_nr_wait(nr0, 5000), nr0);
	return tap_done();
}
