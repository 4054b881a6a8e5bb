/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers of the aio-ring ABI suite (tests/abi): raw wrappers for
 * the classic io_* calls, the three shared regions of an io_setup2()
 * context and the v9 ring protocol on them, a byte pattern unique per
 * block (file offset + seed), the targets of the test VM, a watchdog so a
 * lost completion fails a check instead of hanging the program, and one
 * read/write engine used by the data-path programs.
 *
 * Ring protocol (spec section 5): indexes run 0..N-1 and wrap; the SQ is
 * empty when head == tail and full when next(tail) == head (N-1 entries);
 * the CQ has 2N slots (2N-1 entries).  The application owns sq->tail and
 * cq->head and publishes them with release stores; it reads sq->head and
 * cq->tail with acquire loads.
 *
 * Targets (environment of tests/vm/guest-init.sh):
 *   AIORING_POLL_BDEVS   block devices with poll queues (scratch)
 *   AIORING_NOPOLL_BDEV  a scratch block device without poll queues
 *   AIORING_TEST_DIRS    ':'-separated directories for O_DIRECT files
 * A device listed as polled is only treated as polled when
 * /sys/block/X/queue/io_poll reads 1.  Only the first FILE_TARGET_SIZE
 * (8 MiB) of a device is used (and, on null_blk, written once at open,
 * see bdev_prefill_nullb()).
 *
 * The programs only run inside the test VM: the numbers 335 and 336 are
 * io_setup2 / io_ring_enter there and nothing else.
 */
#ifndef AIORING_ABI_RING_UTIL_H
#define AIORING_ABI_RING_UTIL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <linux/fs.h>

#include "aioring.h"
#include "tap.h"

#ifndef __NR_io_setup2
#error "the aio-ring ABI suite needs x86_64 (io_setup2 is 335 there)"
#endif

_Static_assert(__NR_io_setup2 == 335, "io_setup2 is 335");
_Static_assert(__NR_io_ring_enter == 336, "io_ring_enter is 336");
_Static_assert(sizeof(struct iocb) == 64, "struct iocb is 64 bytes");
_Static_assert(sizeof(struct io_event) == 32, "struct io_event is 32 bytes");
_Static_assert(sizeof(struct aio_sq_ring) == 64, "SQ ring header is 64 bytes");
_Static_assert(sizeof(struct aio_cq_ring) == 32, "CQ ring header is 32 bytes");
_Static_assert(offsetof(struct aio_sq_ring, iocbs) == 16, "sq iocbs at 16");
_Static_assert(offsetof(struct aio_sq_ring, kflags) == 14, "sq kflags at 14");
_Static_assert(offsetof(struct aio_cq_ring, nr_events) == 8, "cq nr_events at 8");

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define RING_BS		4096u		/* every data-path IO is 4 KiB */
#define PAGE_SZ		4096u

/* ------------------------------------------------------------------ */
/* Classic aio system calls: -1 and errno on failure.                  */

#include "aio_syscalls.h"

/* ------------------------------------------------------------------ */
/* Small things                                                        */

#include "test_util.h"

static inline size_t page_round(size_t len)
{
	return (len + PAGE_SZ - 1) & ~((size_t)PAGE_SZ - 1);
}

/* Anonymous, page-aligned, zeroed memory; bails out on failure. */
static inline void *map_pages(size_t len)
{
	void *p = mmap(NULL, page_round(len), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		bail_out("mmap(%zu)", len);
	return p;
}

static inline void unmap_pages(void *p, size_t len)
{
	if (p)
		munmap(p, page_round(len));
}

/* An address that is certainly not mapped: a page mapped, then unmapped. */
static inline void *unmapped_address(void)
{
	void *p = map_pages(PAGE_SZ);

	munmap(p, PAGE_SZ);
	return p;
}

/* aio_data of operation i of a run: a tag in the high half. */
#define AIO_DATA(tag, i)	(((uint64_t)(tag) << 32) | (uint32_t)(i))

/* ------------------------------------------------------------------ */
/* Data pattern: each byte depends on its file offset and the seed.    */

static inline uint64_t pattern_word(uint64_t word_index, uint64_t seed)
{
	uint64_t z = word_index * 0x9e3779b97f4a7c15ULL + seed;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* off and len multiples of 8 (all IO here is 4 KiB aligned) */
static inline void pattern_fill(void *buf, size_t len, uint64_t off, uint64_t seed)
{
	uint64_t *p = buf;
	size_t i;

	for (i = 0; i < len / 8; i++)
		p[i] = pattern_word((off >> 3) + i, seed);
}

/* -1 when buf holds the pattern of [off, off+len), else the bad byte. */
static inline long pattern_check(const void *buf, size_t len, uint64_t off,
				 uint64_t seed)
{
	const uint64_t *p = buf;
	size_t i;

	for (i = 0; i < len / 8; i++)
		if (p[i] != pattern_word((off >> 3) + i, seed)) {
			uint64_t w = pattern_word((off >> 3) + i, seed);
			size_t b;

			for (b = 0; b < 8; b++)
				if (((const uint8_t *)&p[i])[b] != ((uint8_t *)&w)[b])
					return (long)(i * 8 + b);
		}
	return -1;
}

static inline uint64_t pattern_seed(void)
{
	return ((uint64_t)getpid() << 32) ^ (uint64_t)now_ns();
}

/* ------------------------------------------------------------------ */
/* sysctls                                                             */

static inline long read_sysctl_long(const char *path)
{
	char buf[64];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

static inline int write_sysctl_long(const char *path, long val)
{
	char buf[64];
	int fd = open(path, O_WRONLY);
	int len, ret = 0;

	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%ld\n", val);
	if (write(fd, buf, len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

#define AIO_NR_PATH	"/proc/sys/fs/aio-nr"
#define AIO_MAX_NR_PATH	"/proc/sys/fs/aio-max-nr"

static inline long aio_nr(void)
{
	return read_sysctl_long(AIO_NR_PATH);
}

static inline long aio_max_nr(void)
{
	return read_sysctl_long(AIO_MAX_NR_PATH);
}

/* Wait up to ms for fs.aio-nr to read want; returns the last value. */
static inline long aio_nr_wait(long want, int ms)
{
	int64_t end = now_ns() + (int64_t)ms * 1000000LL;
	long v;

	while ((v = aio_nr()) != want && now_ns() < end)
		ms_sleep(20);
	return v;
}

/* The closing assertion of every program. */
static inline int ok_aio_nr_back(long start)
{
	long v = aio_nr_wait(start, 5000);

	return ok(start >= 0 && v == start,
		  "fs.aio-nr is back to its start value %ld (now %ld)", start, v);
}

/* ------------------------------------------------------------------ */
/* Watchdog: SIGALRM without SA_RESTART, so a blocked or polling call   */
/* returns EINTR and the check fails instead of the program hanging.   */

static volatile sig_atomic_t watchdog_fired;

static void watchdog_handler(int sig)
{
	(void)sig;
	watchdog_fired = 1;
}

static inline void watchdog_arm(unsigned int secs)
{
	static int installed;

	if (!installed) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = watchdog_handler;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGALRM, &sa, NULL);
		installed = 1;
	}
	watchdog_fired = 0;
	alarm(secs);
}

static inline void watchdog_disarm(void)
{
	alarm(0);
}

/* ------------------------------------------------------------------ */
/* Contexts and rings                                                  */

struct ring {
	unsigned int n;			/* io_setup2 nr_events = SQ size */
	unsigned int cq_n;		/* 2 * n */
	unsigned int flags;		/* io_setup2 flags */
	aio_context_t ctx;
	struct aio_sq_ring *sq;		/* NULL without SCQRING */
	struct iocb *iocbs;		/* ring iocbs, or io_submit iocbs */
	struct aio_cq_ring *cq;
	size_t sq_len, iocbs_len, cq_len;
};

/*
 * Map the three regions for nr_events = n and fill the header fields the
 * application owns: sq->nr_events = n, cq->nr_events = 2n, sq->iocbs.
 */
static inline void ring_mem_alloc(struct ring *r, unsigned int n)
{
	memset(r, 0, sizeof(*r));
	r->n = n;
	r->cq_n = 2 * n;
	r->sq_len = aioring_sq_ring_size(n);
	r->iocbs_len = aioring_iocbs_size(n);
	r->cq_len = aioring_cq_ring_size(n);
	r->sq = map_pages(r->sq_len);
	r->iocbs = map_pages(r->iocbs_len);
	r->cq = map_pages(r->cq_len);
	r->sq->nr_events = n;
	r->sq->iocbs = (__u64)(uintptr_t)r->iocbs;
	r->cq->nr_events = 2 * n;
}

static inline void ring_mem_free(struct ring *r)
{
	unmap_pages(r->sq, r->sq_len);
	unmap_pages(r->iocbs, r->iocbs_len);
	unmap_pages(r->cq, r->cq_len);
	r->sq = NULL;
	r->iocbs = NULL;
	r->cq = NULL;
}

/*
 * Probe for the interface: a kernel without it answers ENOSYS, and the
 * whole program is skipped.  The probe cannot create a context (ctxp is
 * NULL).
 */
static inline void require_aioring(void)
{
	aio_context_t *none = NULL;

	if (aioring_io_setup2(1, 0, NULL, NULL, none) < 0 && errno == ENOSYS)
		skip_all("kernel has no io_setup2");
	if (aio_nr() < 0)
		diag("%s is not readable: the fs.aio-nr checks will fail", AIO_NR_PATH);
}

/*
 * io_setup2(n, flags): with SCQRING the rings are mapped first, without
 * it NULL ring pointers are passed and r->iocbs is plain memory for
 * io_submit.  Returns the syscall's value (errno kept).
 */
static inline long ring_setup(struct ring *r, unsigned int n, unsigned int flags)
{
	long ret;
	int e;

	if (flags & IOCTX_FLAG_SCQRING) {
		ring_mem_alloc(r, n);
	} else {
		memset(r, 0, sizeof(*r));
		r->n = n;
		r->cq_n = 2 * n;
		r->iocbs_len = aioring_iocbs_size(n);
		r->iocbs = map_pages(r->iocbs_len);
	}
	r->flags = flags;
	r->ctx = 0;
	ret = aioring_io_setup2(n, flags, r->sq, r->cq, &r->ctx);
	e = errno;
	if (ret < 0 && e == ENOSYS)
		skip_all("kernel has no io_setup2");
	if (ret < 0)
		ring_mem_free(r);
	errno = e;
	return ret;
}

/*
 * An unlinked scratch file "NAME-PID" in $TMPDIR (or /tmp), size bytes
 * long when size is not 0; bails out when it cannot be made.
 */
static inline int scratch_file(const char *name, off_t size)
{
	const char *dir = getenv("TMPDIR");
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s-%d", dir && *dir ? dir : "/tmp",
		 name, (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		bail_out("create %s", path);
	unlink(path);
	if (size && ftruncate(fd, size))
		bail_out("ftruncate %s", path);
	return fd;
}

static inline void ring_setup_or_bail(struct ring *r, unsigned int n,
				      unsigned int flags)
{
	if (ring_setup(r, n, flags))
		bail_out("io_setup2(%u, %#x)", n, flags);
}

/* io_destroy and unmap; returns io_destroy's value. */
static inline long ring_destroy(struct ring *r)
{
	long ret = sys_io_destroy(r->ctx);
	int e = errno;

	ring_mem_free(r);
	errno = e;
	return ret;
}

static inline long ring_enter(struct ring *r, unsigned int to_submit,
			      unsigned int min_complete, unsigned int flags)
{
	return aioring_io_ring_enter(r->ctx, to_submit, min_complete, flags);
}

static inline unsigned int sq_head(struct ring *r)
{
	return __atomic_load_n(&r->sq->head, __ATOMIC_ACQUIRE);
}

static inline unsigned int sq_tail(struct ring *r)
{
	return __atomic_load_n(&r->sq->tail, __ATOMIC_RELAXED);
}

static inline unsigned int cq_head(struct ring *r)
{
	return __atomic_load_n(&r->cq->head, __ATOMIC_RELAXED);
}

static inline unsigned int cq_tail(struct ring *r)
{
	return __atomic_load_n(&r->cq->tail, __ATOMIC_ACQUIRE);
}

/* Entries queued in the SQ and not yet consumed by the kernel. */
static inline unsigned int sq_count(struct ring *r)
{
	return (sq_tail(r) + r->n - sq_head(r)) % r->n;
}

/*
 * SQ-thread contexts: wait up to ms milliseconds for the thread to take
 * every queued entry; returns how many are left. The thread moves its
 * head once per batch, after submitting it, so the batch's events can
 * be seen before the head moves.
 */
static inline unsigned int sq_wait_drained(struct ring *r, unsigned int ms)
{
	while (sq_count(r) && ms--)
		usleep(1000);
	return sq_count(r);
}

static inline unsigned int sq_space(struct ring *r)
{
	return r->n - 1 - sq_count(r);
}

/* Publish one SQ entry naming iocb index idx (no space check). */
static inline void sq_push(struct ring *r, unsigned int idx)
{
	unsigned int tail = sq_tail(r);

	r->sq->array[tail] = idx;
	__atomic_store_n(&r->sq->tail, (tail + 1) % r->n, __ATOMIC_RELEASE);
}

static inline unsigned int cq_count(struct ring *r)
{
	return (cq_tail(r) + r->cq_n - cq_head(r)) % r->cq_n;
}

/* Reap one event; returns 0 when the CQ is empty. */
static inline int cq_pop(struct ring *r, struct io_event *ev)
{
	unsigned int head = cq_head(r);

	if (head == cq_tail(r))
		return 0;
	*ev = r->cq->events[head % r->cq_n];
	__atomic_store_n(&r->cq->head, (head + 1) % r->cq_n, __ATOMIC_RELEASE);
	return 1;
}

/* Ring indexes as the protocol allows them. */
static inline int ring_indexes_sane(struct ring *r)
{
	return sq_head(r) < r->n && sq_tail(r) < r->n &&
	       cq_head(r) < r->cq_n && cq_tail(r) < r->cq_n;
}

static inline void iocb_prep(struct iocb *cb, int opcode, int fd, void *buf,
			     size_t len, uint64_t off, uint64_t data,
			     unsigned int aio_flags)
{
	memset(cb, 0, sizeof(*cb));
	cb->aio_data = data;
	cb->aio_lio_opcode = opcode;
	cb->aio_fildes = fd;
	cb->aio_buf = (uint64_t)(uintptr_t)buf;
	cb->aio_nbytes = len;
	cb->aio_offset = (int64_t)off;
	cb->aio_flags = aio_flags;
}

static inline void iocb_prep_poll(struct iocb *cb, int fd, unsigned int events,
				  uint64_t data)
{
	memset(cb, 0, sizeof(*cb));
	cb->aio_data = data;
	cb->aio_lio_opcode = IOCB_CMD_POLL;
	cb->aio_fildes = fd;
	cb->aio_buf = events;
}

/*
 * Reap events until want have been collected from the CQ (calling
 * io_ring_enter(GETEVENTS, min 1) while short), within timeout_ms.
 * Returns the number collected.
 */
static inline unsigned int ring_reap_wait(struct ring *r, struct io_event *ev,
					  unsigned int want, int timeout_ms)
{
	int64_t end = now_ns() + (int64_t)timeout_ms * 1000000LL;
	unsigned int got = 0;

	watchdog_arm((timeout_ms + 999) / 1000 + 1);
	while (got < want) {
		if (cq_pop(r, &ev[got])) {
			got++;
			continue;
		}
		if (now_ns() > end || watchdog_fired)
			break;
		if (ring_enter(r, 0, 1, IORING_FLAG_GETEVENTS) < 0 &&
		    errno != EAGAIN && errno != EINTR) {
			diag("io_ring_enter(GETEVENTS) while reaping: %s",
			     strerror(errno));
			break;
		}
	}
	watchdog_disarm();
	return got;
}

/* Collect n events with io_getevents (contexts without rings). */
static inline long getevents_wait(aio_context_t ctx, long n,
				  struct io_event *ev, int timeout_ms)
{
	int64_t end = now_ns() + (int64_t)timeout_ms * 1000000LL;
	long got = 0;

	watchdog_arm((timeout_ms + 999) / 1000 + 1);
	while (got < n && !watchdog_fired && now_ns() < end) {
		long r = sys_io_getevents(ctx, 1, n - got, ev + got, NULL);

		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			diag("io_getevents: %s", strerror(errno));
			break;
		}
		got += r;
	}
	watchdog_disarm();
	return got;
}

/* ------------------------------------------------------------------ */
/* Targets                                                             */

#define MAX_TARGETS	8
#define FILE_TARGET_SIZE	(8u << 20)	/* O_DIRECT test file size */

enum {
	TGT_POLL_BDEVS = 1,	/* AIORING_POLL_BDEVS */
	TGT_NOPOLL_BDEV = 2,	/* AIORING_NOPOLL_BDEV */
	TGT_FILES = 4,		/* a file in each AIORING_TEST_DIRS dir */
	TGT_ALL = 7,
};

struct target {
	char name[96];		/* "nullb0", "vdc", "file@/run/aioring/xfs" */
	char path[PATH_MAX];
	char dir[PATH_MAX];	/* files only */
	int is_bdev;
	int polled;		/* block device with io_poll == 1 */
	int created;		/* path is a file we created */
	int fd;			/* O_DIRECT fd once opened, else -1 */
	uint64_t size;		/* usable bytes */
};

/* /sys/block/NAME/queue/io_poll of a /dev/NAME path: 1, 0 or -1. */
static inline int bdev_io_poll(const char *path)
{
	const char *base = strrchr(path, '/');
	char sys[PATH_MAX];

	base = base ? base + 1 : path;
	snprintf(sys, sizeof(sys), "/sys/block/%s/queue/io_poll", base);
	return (int)read_sysctl_long(sys);
}

static inline void target_add_bdev(struct target *t, int *n, int max,
				   const char *path)
{
	struct stat st;
	const char *base = strrchr(path, '/');

	if (*n >= max)
		return;
	if (stat(path, &st) || !S_ISBLK(st.st_mode)) {
		diag("%s: not a block device here, not used", path);
		return;
	}
	memset(&t[*n], 0, sizeof(t[*n]));
	snprintf(t[*n].name, sizeof(t[*n].name), "%s", base ? base + 1 : path);
	snprintf(t[*n].path, sizeof(t[*n].path), "%s", path);
	t[*n].is_bdev = 1;
	t[*n].polled = bdev_io_poll(path) == 1;
	t[*n].fd = -1;
	(*n)++;
}

/* Fill t[] with the targets selected by which; returns the count. */
static inline int targets_collect(struct target *t, int max, int which)
{
	const char *env;
	char list[4096], *save = NULL, *w;
	int n = 0;

	env = getenv("AIORING_POLL_BDEVS");
	if ((which & TGT_POLL_BDEVS) && env) {
		snprintf(list, sizeof(list), "%s", env);
		for (w = strtok_r(list, " \t:,", &save); w;
		     w = strtok_r(NULL, " \t:,", &save)) {
			int before = n;

			target_add_bdev(t, &n, max, w);
			if (n > before && !t[before].polled)
				diag("%s: io_poll is not 1, used as a device without poll queues",
				     w);
		}
	}
	env = getenv("AIORING_NOPOLL_BDEV");
	if ((which & TGT_NOPOLL_BDEV) && env && *env)
		target_add_bdev(t, &n, max, env);
	env = getenv("AIORING_TEST_DIRS");
	if ((which & TGT_FILES)) {
		if (!env || !*env)
			env = "/var/tmp";
		snprintf(list, sizeof(list), "%s", env);
		save = NULL;
		for (w = strtok_r(list, ":", &save); w && n < max;
		     w = strtok_r(NULL, ":", &save)) {
			const char *fs = strrchr(w, '/');

			memset(&t[n], 0, sizeof(t[n]));
			snprintf(t[n].name, sizeof(t[n].name), "file@%s",
				 fs && fs[1] ? fs + 1 : w);
			snprintf(t[n].dir, sizeof(t[n].dir), "%s", w);
			t[n].fd = -1;
			n++;
		}
	}
	return n;
}

/*
 * null_blk (memory_backed=1) allocates its backing page for a sector on
 * the first write, and on a poll queue it does so from ->poll(), which
 * iocb_bio_iopoll() calls under rcu_read_lock(): the debug kernel then
 * reports "sleeping function called from invalid context" (stock 6.1
 * null_blk; io_uring IOPOLL writes trigger it the same way).  So the part
 * of a null_blk device the tests use is written once, synchronously and
 * without polling, before any polled write: later writes find the pages.
 */
static inline int bdev_prefill_nullb(int fd, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t chunk = 1u << 20;
	uint8_t *zero;
	uint64_t off;
	int ret = 0;

	base = base ? base + 1 : path;
	if (strncmp(base, "nullb", 5))
		return 0;
	zero = map_pages(chunk);
	for (off = 0; off < FILE_TARGET_SIZE; off += chunk)
		if (pwrite(fd, zero, chunk, (off_t)off) != (ssize_t)chunk) {
			ret = -(errno ? errno : EIO);
			break;
		}
	unmap_pages(zero, chunk);
	return ret;
}

/*
 * Open a target for O_DIRECT IO (O_RDWR).  A file target is created in
 * its directory, written full of zeroes through the page cache and
 * synced (later O_DIRECT writes are overwrites of allocated blocks), then
 * reopened with O_DIRECT.  Returns the fd (also in t->fd) or -errno.
 */
static inline int target_open(struct target *t)
{
	static int serial;
	int fd;

	if (t->is_bdev) {
		unsigned long long bytes = 0;

		fd = open(t->path, O_RDWR | O_DIRECT);
		if (fd < 0)
			return -errno;
		if (ioctl(fd, BLKGETSIZE64, &bytes) < 0) {
			int e = errno;

			close(fd);
			return -e;
		}
		t->size = bytes;
		if (bytes >= FILE_TARGET_SIZE && bdev_prefill_nullb(fd, t->path) < 0) {
			int e = errno;

			close(fd);
			return -e;
		}
		t->fd = fd;
		return fd;
	}
	if (!t->created) {
		char *zero = calloc(1, 1 << 20);
		unsigned int i;
		int len;

		if (!zero)
			bail_out("calloc");
		{
			char tmp[PATH_MAX];

			len = snprintf(tmp, sizeof(tmp), "%s/abi-%s-%d-%d",
				       t->dir, program_invocation_short_name,
				       (int)getpid(), serial++);
			if (len < 0 || len >= (int)sizeof(tmp)) {
				free(zero);
				return -ENAMETOOLONG;
			}
			memcpy(t->path, tmp, sizeof(tmp));
		}
		fd = open(t->path, O_RDWR | O_CREAT | O_EXCL, 0600);
		if (fd < 0) {
			free(zero);
			return -errno;
		}
		t->created = 1;
		for (i = 0; i < FILE_TARGET_SIZE >> 20; i++) {
			if (pwrite(fd, zero, 1 << 20, (off_t)i << 20) != 1 << 20) {
				int e = errno ? errno : EIO;

				free(zero);
				close(fd);
				return -e;
			}
		}
		free(zero);
		if (fsync(fd)) {
			int e = errno;

			close(fd);
			return -e;
		}
		close(fd);
		t->size = FILE_TARGET_SIZE;
	}
	fd = open(t->path, O_RDWR | O_DIRECT);
	if (fd < 0)
		return -errno;
	t->fd = fd;
	return fd;
}

static inline void target_close(struct target *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (t->created) {
		unlink(t->path);
		t->created = 0;
	}
}

/*
 * Open every target; the ones that fail are reported (diag) and get
 * fd -1.  Returns how many opened.
 */
static inline int targets_open_all(struct target *t, int n, uint64_t need)
{
	int i, usable = 0;

	for (i = 0; i < n; i++) {
		int fd = target_open(&t[i]);

		if (fd < 0) {
			diag("%s: cannot open for O_DIRECT: %s", t[i].name,
			     strerror(-fd));
			target_close(&t[i]);
			continue;
		}
		if (t[i].size < need) {
			diag("%s: %llu bytes, %llu needed: not used", t[i].name,
			     (unsigned long long)t[i].size,
			     (unsigned long long)need);
			target_close(&t[i]);
			continue;
		}
		usable++;
	}
	return usable;
}

static inline void targets_close_all(struct target *t, int n)
{
	int i;

	for (i = 0; i < n; i++)
		target_close(&t[i]);
}

/*
 * One O_DIRECT target for programs that need a single one: the first
 * polled block device, else the no-poll device, else a file.  Returns
 * 0 with *t opened, or -1 (diag printed).
 */
static inline int target_pick(struct target *out, uint64_t need)
{
	struct target t[MAX_TARGETS];
	int n = targets_collect(t, MAX_TARGETS, TGT_ALL);
	int pass, i;

	for (pass = 0; pass < 3; pass++) {
		for (i = 0; i < n; i++) {
			int fd;

			if (pass == 0 && !(t[i].is_bdev && t[i].polled))
				continue;
			if (pass == 1 && !(t[i].is_bdev && !t[i].polled))
				continue;
			if (pass == 2 && t[i].is_bdev)
				continue;
			fd = target_open(&t[i]);
			if (fd < 0) {
				diag("%s: cannot open for O_DIRECT: %s",
				     t[i].name, strerror(-fd));
				target_close(&t[i]);
				continue;
			}
			if (t[i].size < need) {
				target_close(&t[i]);
				continue;
			}
			*out = t[i];
			return 0;
		}
	}
	return -1;
}

/* Synchronous O_DIRECT check of nblocks blocks at base against the pattern. */
static inline long verify_sync(int fd, uint64_t base, unsigned int nblocks,
			       uint64_t seed)
{
	size_t len = (size_t)nblocks * RING_BS;
	uint8_t *buf = map_pages(len);
	long bad = -1;
	ssize_t r = pread(fd, buf, len, (off_t)base);

	if (r != (ssize_t)len) {
		diag("synchronous pread of %zu bytes at %llu returned %zd (%s)",
		     len, (unsigned long long)base, r, r < 0 ? strerror(errno) : "short");
		bad = 0;
	} else {
		bad = pattern_check(buf, len, base, seed);
		if (bad >= 0)
			diag("synchronous pread: first wrong byte at offset %llu",
			     (unsigned long long)(base + bad));
	}
	unmap_pages(buf, len);
	return bad;
}

/* ------------------------------------------------------------------ */
/* The read/write engine                                               */

/*
 * A pass of nblocks 4 KiB IOs, all writes or all reads, at offsets
 * base + perm(i) * 4 KiB (perm a permutation of 0..nblocks-1 chosen by
 * mult), with up to depth in flight.  Writes carry the pattern of their
 * offset; reads are compared with it.  With rings (r->sq) the SQ/CQ
 * protocol is used with io_ring_enter(SUBMIT|GETEVENTS); without, the
 * iocbs are submitted with io_submit and reaped with io_getevents.
 */
struct rw_pass {
	/* input */
	int fd;
	int write;
	unsigned int nblocks;
	uint64_t base;
	uint64_t seed;
	unsigned int depth;
	unsigned int mult;		/* offset permutation, 0: in order */
	unsigned int aio_flags;		/* IOCB_FLAG_HIPRI for IOPOLL */
	unsigned int min_complete;	/* per call, 0 means 1 */
	int vary;			/* vary the batch sizes */
	int timeout_s;			/* whole pass, 0 means 20 */
	uint32_t tag;
	/* output */
	unsigned long submitted, completed, calls, eagain, short_submit;
	unsigned long bad_event, bad_obj, bad_res, bad_res2, bad_data;
	unsigned long bad_ret, bad_index, bad_min;
	int timed_out, err;
	int rings;			/* ran on SQ/CQ rings */
};

static const unsigned int rw_vary_sizes[] = { 1, 3, 7, 2, 31, 5, 16, 13, 4, 9 };

static inline unsigned int gcd_u(unsigned int a, unsigned int b)
{
	while (b) {
		unsigned int t = a % b;

		a = b;
		b = t;
	}
	return a;
}

static inline unsigned int rw_block(const struct rw_pass *p, unsigned int i)
{
	unsigned int m = p->mult;

	if (!m || p->nblocks < 2)
		return i;
	while (gcd_u(m, p->nblocks) != 1)
		m++;	/* keep it a permutation */
	return (unsigned int)(((uint64_t)i * m + 3) % p->nblocks);
}

struct rw_op {
	unsigned int slot;
	unsigned char done;
};

/* Check one event; frees its slot.  Returns 1 when it named a live op. */
static inline int rw_check_event(struct ring *r, struct rw_pass *p,
				 struct rw_op *ops, unsigned int nqueued,
				 const struct io_event *ev, uint8_t *bufs,
				 unsigned int *free_slots, unsigned int *nfree)
{
	uint64_t idx = ev->data & 0xffffffffULL;
	uint64_t want_obj;
	struct rw_op *op;

	if ((ev->data >> 32) != p->tag || idx >= nqueued || ops[idx].done) {
		if (!p->bad_event++)
			diag("event with data %#llx obj %#llx res %lld: no such IO in flight",
			     (unsigned long long)ev->data,
			     (unsigned long long)ev->obj, (long long)ev->res);
		return 0;
	}
	op = &ops[idx];
	op->done = 1;
	p->completed++;
	want_obj = r->sq ? op->slot : (uint64_t)(uintptr_t)&r->iocbs[op->slot];
	if (ev->obj != want_obj && !p->bad_obj++)
		diag("IO %llu: event obj %#llx, expected %#llx",
		     (unsigned long long)idx, (unsigned long long)ev->obj,
		     (unsigned long long)want_obj);
	if (ev->res != RING_BS && !p->bad_res++)
		diag("IO %llu (offset %llu): res %lld, expected %u",
		     (unsigned long long)idx,
		     (unsigned long long)(p->base + (uint64_t)rw_block(p, idx) * RING_BS),
		     (long long)ev->res, RING_BS);
	if (ev->res2 != 0 && !p->bad_res2++)
		diag("IO %llu: res2 %lld", (unsigned long long)idx,
		     (long long)ev->res2);
	if (!p->write && ev->res == RING_BS) {
		uint64_t off = p->base + (uint64_t)rw_block(p, idx) * RING_BS;
		long bad = pattern_check(bufs + (size_t)op->slot * RING_BS,
					 RING_BS, off, p->seed);

		if (bad >= 0 && !p->bad_data++)
			diag("read of offset %llu: first wrong byte at %llu",
			     (unsigned long long)off,
			     (unsigned long long)(off + bad));
	}
	free_slots[(*nfree)++] = op->slot;
	return 1;
}

/* After two passes timed out, later passes fail at once (bounded runtime). */
static int rw_passes_timed_out;

static inline void rw_pass_run(struct ring *r, struct rw_pass *p)
{
	unsigned int n = r->n, nfree = 0, next = 0, queued = 0, inflight = 0;
	unsigned int depth = p->depth, vi = 0, i;
	unsigned int *free_slots = calloc(n, sizeof(*free_slots));
	struct rw_op *ops = calloc(p->nblocks ? p->nblocks : 1, sizeof(*ops));
	uint8_t *bufs = map_pages((size_t)n * RING_BS);
	struct io_event *evs = calloc(n * 2, sizeof(*evs));
	struct iocb **ptrs = calloc(n, sizeof(*ptrs));
	int64_t deadline;

	if (!free_slots || !ops || !evs || !ptrs)
		bail_out("calloc");
	p->rings = r->sq != NULL;
	if (rw_passes_timed_out >= 2) {
		diag("pass not run: two earlier passes timed out");
		p->timed_out = 1;
		unmap_pages(bufs, (size_t)n * RING_BS);
		free(free_slots);
		free(ops);
		free(evs);
		free(ptrs);
		return;
	}
	if (r->sq && depth > n - 1)
		depth = n - 1;
	if (!r->sq && depth > n)
		depth = n;
	for (i = n; i-- > 0;)
		free_slots[nfree++] = i;
	if (!p->timeout_s)
		p->timeout_s = 20;
	deadline = now_ns() + (int64_t)p->timeout_s * 1000000000LL;
	watchdog_arm(p->timeout_s + 2);

	while (p->completed < p->nblocks) {
		unsigned int room, k, to_submit, flags = 0, min, old_head = 0;
		long ret;
		int e;

		if (watchdog_fired || now_ns() > deadline) {
			p->timed_out = 1;
			break;
		}
		/* prep */
		room = depth - inflight - queued;
		if (room > p->nblocks - next)
			room = p->nblocks - next;
		if (room > nfree)
			room = nfree;
		if (r->sq && room > sq_space(r))
			room = sq_space(r);
		if (p->vary && room > rw_vary_sizes[vi % 10])
			room = rw_vary_sizes[vi % 10];
		vi++;
		for (k = 0; k < room; k++) {
			unsigned int op = next++;
			unsigned int slot = free_slots[--nfree];
			uint64_t off = p->base + (uint64_t)rw_block(p, op) * RING_BS;
			uint8_t *buf = bufs + (size_t)slot * RING_BS;

			ops[op].slot = slot;
			if (p->write)
				pattern_fill(buf, RING_BS, off, p->seed);
			else
				memset(buf, 0xa5, RING_BS);
			iocb_prep(&r->iocbs[slot],
				  p->write ? IOCB_CMD_PWRITE : IOCB_CMD_PREAD,
				  p->fd, buf, RING_BS, off, AIO_DATA(p->tag, op),
				  p->aio_flags);
			if (r->sq)
				sq_push(r, slot);
			else
				ptrs[queued] = &r->iocbs[slot];
			queued++;
		}

		/* submit and wait */
		to_submit = queued;
		min = p->min_complete ? p->min_complete : 1;
		if (min > inflight + queued)
			min = inflight + queued;
		p->calls++;
		if (!r->sq) {
			unsigned int got;

			if (queued) {
				ret = sys_io_submit(r->ctx, queued, ptrs);
				e = errno;
				if (ret < 0 && e != EAGAIN) {
					p->err = e;
					diag("io_submit(%u): %s", queued, strerror(e));
					break;
				}
				if (ret < 0) {
					p->eagain++;
					ret = 0;
				}
				if ((unsigned long)ret > queued) {
					p->bad_ret++;
					ret = queued;
				}
				if ((unsigned int)ret < queued)
					p->short_submit++;
				memmove(ptrs, ptrs + ret, (queued - ret) * sizeof(*ptrs));
				queued -= ret;
				inflight += ret;
				p->submitted += ret;
			}
			if (!inflight)
				continue;
			ret = sys_io_getevents(r->ctx, min ? min : 1, inflight,
					       evs, NULL);
			if (ret < 0) {
				if (errno == EINTR || errno == EAGAIN)
					continue;
				p->err = errno;
				diag("io_getevents: %s", strerror(errno));
				break;
			}
			for (got = 0; got < ret; got++)
				if (rw_check_event(r, p, ops, next, &evs[got],
						   bufs, free_slots, &nfree))
					inflight--;
			continue;
		}

		if (to_submit)
			flags |= IORING_FLAG_SUBMIT;
		if (inflight + queued)
			flags |= IORING_FLAG_GETEVENTS;
		old_head = sq_head(r);
		ret = ring_enter(r, to_submit, min, flags);
		e = errno;
		k = (sq_head(r) + n - old_head) % n;	/* consumed */
		if (ret < 0) {
			if (e == EINTR && watchdog_fired) {
				p->timed_out = 1;
				break;
			}
			if (e != EAGAIN && e != EINTR) {
				p->err = e;
				diag("io_ring_enter(%u, %u, %#x): %s", to_submit,
				     min, flags, strerror(e));
				break;
			}
			if (e == EAGAIN)
				p->eagain++;
			if (k && !p->bad_ret++)
				diag("io_ring_enter failed (%s) but consumed %u SQ entries",
				     strerror(e), k);
		} else if (flags & IORING_FLAG_SUBMIT) {
			if ((unsigned long)ret != k && !p->bad_ret++)
				diag("io_ring_enter(SUBMIT %u) returned %ld, consumed %u entries",
				     to_submit, ret, k);
			if ((unsigned long)ret < to_submit)
				p->short_submit++;
		} else if (ret != 0 && !p->bad_ret++) {
			diag("io_ring_enter(GETEVENTS) returned %ld, expected 0", ret);
		}
		if (k > queued)
			k = queued;
		queued -= k;
		inflight += k;
		p->submitted += k;
		/*
		 * The CQ was empty before the call: GETEVENTS must return
		 * with at least min(min_complete, in flight) events in it.
		 */
		if (ret >= 0 && (flags & IORING_FLAG_GETEVENTS)) {
			unsigned int want = p->min_complete ? p->min_complete : 1;

			if (want > inflight)
				want = inflight;
			if (cq_count(r) < want && !p->bad_min++)
				diag("GETEVENTS min %u returned with %u events in the CQ, %u in flight",
				     want, cq_count(r), inflight);
		}
		if (!ring_indexes_sane(r) && !p->bad_index++)
			diag("ring indexes out of range: sq %u/%u cq %u/%u (N %u)",
			     sq_head(r), sq_tail(r), cq_head(r), cq_tail(r), n);
		/* reap */
		{
			struct io_event ev;

			while (cq_pop(r, &ev))
				if (rw_check_event(r, p, ops, next, &ev, bufs,
						   free_slots, &nfree))
					inflight--;
		}
	}
	watchdog_disarm();
	if (p->timed_out)
		rw_passes_timed_out++;
	if (p->timed_out)
		diag("pass timed out after %d s: %lu of %u IOs completed, %u in flight, %u queued",
		     p->timeout_s, p->completed, p->nblocks, inflight, queued);
	/*
	 * With IO still in flight the buffers must outlive it: leak them
	 * (the caller destroys the context, which waits for the IO).
	 */
	if (!inflight)
		unmap_pages(bufs, (size_t)n * RING_BS);
	free(free_slots);
	free(ops);
	free(evs);
	free(ptrs);
}

/*
 * The assertions of one pass; returns 1 when all hold.
 */
static inline int rw_pass_report(const struct rw_pass *p, const char *what)
{
	int all = 1;
	const char *kind = p->write ? "writes" : "reads";

	all &= ok(p->completed == p->nblocks && !p->bad_event && !p->timed_out &&
		  !p->err,
		  "%s: %u %s completed exactly once (%lu completed, %lu stray, %lu calls%s)",
		  what, p->nblocks, kind, p->completed, p->bad_event, p->calls,
		  p->timed_out ? ", timed out" : "");
	all &= ok(p->completed && !p->bad_obj && !p->bad_res && !p->bad_res2,
		  "%s: events carry aio_data, obj = %s, res = %u, res2 = 0",
		  what, p->rings ? "the iocb index" : "the iocb pointer", RING_BS);
	all &= ok(!p->bad_ret && !p->bad_index,
		  "%s: return values count SQ entries consumed, indexes in range",
		  what);
	if (p->rings)
		all &= ok(!p->bad_min,
			  "%s: GETEVENTS returned with min(min_complete, in flight) events in the CQ",
			  what);
	if (!p->write)
		all &= ok(p->completed == p->nblocks && !p->bad_data,
			  "%s: every block read back matches its pattern", what);
	if (p->eagain || p->short_submit)
		diag("%s: %lu EAGAIN, %lu short submits", what, p->eagain,
		     p->short_submit);
	return all;
}

/*
 * Write nblocks at base then read them back (both passes through ctx r
 * with the given depth and aio_flags), plus a synchronous O_DIRECT check
 * of the written data in between.  Returns 1 when all checks held.
 */
static inline int rw_write_read(struct ring *r, int fd, uint64_t base,
				unsigned int nblocks, unsigned int depth,
				unsigned int aio_flags, int vary, uint64_t seed,
				const char *what)
{
	struct rw_pass p;
	int all = 1;

	memset(&p, 0, sizeof(p));
	p.fd = fd;
	p.write = 1;
	p.nblocks = nblocks;
	p.base = base;
	p.seed = seed;
	p.depth = depth;
	p.mult = 37;
	p.aio_flags = aio_flags;
	p.vary = vary;
	p.tag = 0x57;
	rw_pass_run(r, &p);
	all &= rw_pass_report(&p, label("%s write", what));
	if (p.timed_out || p.err)
		return 0;
	all &= ok(verify_sync(fd, base, nblocks, seed) < 0,
		  "%s: synchronous O_DIRECT pread sees every written block", what);

	memset(&p, 0, sizeof(p));
	p.fd = fd;
	p.write = 0;
	p.nblocks = nblocks;
	p.base = base;
	p.seed = seed;
	p.depth = depth;
	p.mult = 13;
	p.aio_flags = aio_flags;
	p.vary = vary;
	p.tag = 0x52;
	rw_pass_run(r, &p);
	all &= rw_pass_report(&p, label("%s read", what));
	return all;
}

/* ------------------------------------------------------------------ */
/* Threads: is thread tid blocked in system call nr? (/proc/.../syscall) */

static inline int thread_in_syscall(pid_t tid, long nr)
{
	char path[64], buf[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int)tid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 10) == nr;
}

/* Same for another process. */
static inline int process_in_syscall(pid_t pid, long nr)
{
	char path[64], buf[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 10) == nr;
}

#endif
