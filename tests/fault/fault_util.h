/* SPDX-License-Identifier: MIT */
/*
 * Shared parts of the fault suite (tests/fault), on top of tests/lib
 * (ring.h, target.h, child.h, nobody.h, tasks.h, sysfs.h):
 *
 *  - the six modes (inline, iopoll, sqthread, sqpoll, sqwq, fixedbufs),
 *    their io_setup2 flags and targets;
 *  - a seeded generator (splitmix64): the seed is printed and a run is
 *    replayed with -s SEED (or AIORING_FAULT_SEED);
 *  - the size knob: -r ROUNDS (or AIORING_FAULT_ROUNDS) per case, the
 *    short form by default, and AIORING_FAULT_LONG=1 for ten times more;
 *  - the baseline after each case: fs.aio-nr, VmPin/VmLck of this
 *    process, the system's pinned pages (nr_foll_pin_acquired -
 *    nr_foll_pin_released), this process's thread count and no
 *    "aio-sq-*" thread anywhere; every difference that does not go away
 *    within a few seconds counts as a leak;
 *  - the locked-memory charge (user->locked_vm, not visible in /proc):
 *    a child as uid 65534 with RLIMIT_MEMLOCK = FAULT_MEMLOCK registers
 *    exactly that much in fixed buffers; it only fits when every charge
 *    of earlier contexts of that user was returned;
 *  - kmemleak: a scan at the end of a program (if debugfs has it) and
 *    the number of objects it reports;
 *  - the figure lines the reliability report collects.
 */
#ifndef AIORING_FAULT_UTIL_H
#define AIORING_FAULT_UTIL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "child.h"
#include "mem.h"
#include "nobody.h"
#include "pattern.h"
#include "ring.h"
#include "sysfs.h"
#include "tap.h"
#include "target.h"
#include "tasks.h"
#include "test_util.h"

/* ------------------------------------------------------------------ */
/* Modes                                                               */

enum fmode { M_INLINE, M_IOPOLL, M_SQTHREAD, M_SQPOLL, M_SQWQ, M_FIXEDBUFS,
	     M_COUNT };

static const char *const fmode_name[M_COUNT] = {
	"inline", "iopoll", "sqthread", "sqpoll", "sqwq", "fixedbufs",
};

/* The flags that define a mode; fault_mode_flags() may add others. */
static const unsigned int fmode_flags[M_COUNT] = {
	IOCTX_FLAG_SCQRING,
	IOCTX_FLAG_SCQRING | IOCTX_FLAG_IOPOLL,
	IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD,
	IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD | IOCTX_FLAG_SQPOLL,
	IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQWQ,
	IOCTX_FLAG_SCQRING | IOCTX_FLAG_FIXEDBUFS,
};

/* ------------------------------------------------------------------ */
/* Seeded randomness                                                   */

static uint64_t frand_state;

static inline uint64_t frand(void)
{
	uint64_t z = (frand_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* uniform in [0, n) (n > 0) */
static inline uint32_t frand_below(uint32_t n)
{
	return (uint32_t)(frand() % n);
}

/* 1 with probability pct / 100 */
static inline int frand_pct(unsigned int pct)
{
	return frand_below(100) < pct;
}

/* Extra flags a mode may get: more kernel paths under the same faults. */
static inline unsigned int fault_mode_flags(int mode)
{
	unsigned int f = fmode_flags[mode];

	switch (mode) {
	case M_SQPOLL:
		if (frand_pct(40))
			f |= IOCTX_FLAG_IOPOLL;
		if (frand_pct(40))
			f |= IOCTX_FLAG_FIXEDBUFS;
		break;
	case M_SQTHREAD:
	case M_IOPOLL:
		if (frand_pct(30))
			f |= IOCTX_FLAG_FIXEDBUFS;
		break;
	case M_SQWQ:
		if (frand_pct(40))
			f |= IOCTX_FLAG_SQTHREAD;
		if (frand_pct(30))
			f |= IOCTX_FLAG_FIXEDBUFS;
		break;
	}
	return f;
}

/* ------------------------------------------------------------------ */
/* Options: -s SEED, -r ROUNDS, -h                                     */

static uint64_t fault_seed;
static unsigned int fault_rounds;
static const char *fault_usage_text;

static inline void fault_options(int argc, char **argv, unsigned int short_rounds,
				 const char *what)
{
	const char *env;
	int opt, have_seed = 0;

	fault_usage_text = what;
	fault_rounds = short_rounds;
	env = getenv("AIORING_FAULT_LONG");
	if (env && *env && strcmp(env, "0"))
		fault_rounds = short_rounds * 10;
	env = getenv("AIORING_FAULT_ROUNDS");
	if (env && *env)
		fault_rounds = (unsigned int)strtoul(env, NULL, 0);
	env = getenv("AIORING_FAULT_SEED");
	if (env && *env) {
		fault_seed = strtoull(env, NULL, 0);
		have_seed = 1;
	}
	while ((opt = getopt(argc, argv, "s:r:h")) != -1) {
		switch (opt) {
		case 's':
			fault_seed = strtoull(optarg, NULL, 0);
			have_seed = 1;
			break;
		case 'r':
			fault_rounds = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'h':
			printf("usage: %s [-s SEED] [-r ROUNDS]\n%s\n"
			       "  -s SEED    replay a run (default: from the clock)\n"
			       "  -r ROUNDS  rounds per case (default %u; env AIORING_FAULT_ROUNDS,\n"
			       "             AIORING_FAULT_LONG=1 for ten times the default)\n"
			       "Runs only in the test VM (io_setup2 is syscall 335 there).\n",
			       program_invocation_short_name, what, short_rounds);
			exit(0);
		default:
			fprintf(stderr, "usage: %s [-s SEED] [-r ROUNDS] (-h for help)\n",
				program_invocation_short_name);
			exit(2);
		}
	}
	if (!fault_rounds)
		fault_rounds = 1;
	if (!have_seed)
		fault_seed = (uint64_t)now_ns() ^ ((uint64_t)getpid() << 40);
	frand_state = fault_seed;
	diag("seed %llu, %u rounds (replay: %s -s %llu -r %u)",
	     (unsigned long long)fault_seed, fault_rounds,
	     program_invocation_short_name, (unsigned long long)fault_seed,
	     fault_rounds);
}

/* ------------------------------------------------------------------ */
/* Targets                                                             */

/*
 * The targets of the suite: polled[] the block devices with poll queues
 * (IOPOLL), direct[] every O_DIRECT target (polled devices and files on
 * ext4/xfs), buffered[] a page-cache file per AIORING_TEST_DIRS directory
 * (SQWQ).  Each mode uses its own region of FAULT_REGION bytes.
 */
#define FAULT_REGION	(1u << 20)
#define FAULT_BS	4096u

struct ftarget {
	struct target t;
	int fd;
	int buffered;
};

static struct ftarget ft_polled[MAX_TARGETS], ft_direct[MAX_TARGETS],
		      ft_buffered[MAX_TARGETS];
static int ft_npolled, ft_ndirect, ft_nbuffered;

/* A buffered file of size bytes in dir: fd or -errno. */
static inline int fault_buffered_file(struct ftarget *f, const char *dir,
				      size_t size)
{
	static int serial;
	int fd;

	memset(f, 0, sizeof(*f));
	snprintf(f->t.path, sizeof(f->t.path), "%s/fault-%s-%d-%d", dir,
		 program_invocation_short_name, (int)getpid(), serial++);
	snprintf(f->t.name, sizeof(f->t.name), "buffered@%s",
		 strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir);
	fd = open(f->t.path, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		return -errno;
	f->t.created = 1;
	f->t.is_bdev = 0;
	f->t.size = size;
	if (ftruncate(fd, (off_t)size)) {
		int e = errno;

		close(fd);
		unlink(f->t.path);
		return -e;
	}
	f->fd = fd;
	f->t.fd = fd;
	f->buffered = 1;
	return fd;
}

/* Open every target; need bytes of each. Returns the number usable. */
static inline int fault_targets_open(uint64_t need)
{
	struct target t[MAX_TARGETS];
	int n = targets_collect(t, MAX_TARGETS, TGT_ALL), i;
	const char *dirs = getenv("AIORING_TEST_DIRS");

	for (i = 0; i < n; i++) {
		int fd = target_open(&t[i]);

		if (fd < 0 || t[i].size < need) {
			if (fd < 0)
				diag("%s: cannot open: %s", t[i].name, strerror(-fd));
			target_close(&t[i]);
			continue;
		}
		ft_direct[ft_ndirect].t = t[i];
		ft_direct[ft_ndirect].fd = fd;
		if (t[i].is_bdev && t[i].polled)
			ft_polled[ft_npolled++] = ft_direct[ft_ndirect];
		ft_ndirect++;
	}
	if (!dirs || !*dirs)
		dirs = "/var/tmp";
	{
		char list[4096], *save = NULL, *d;

		snprintf(list, sizeof(list), "%s", dirs);
		for (d = strtok_r(list, ":", &save); d && ft_nbuffered < MAX_TARGETS;
		     d = strtok_r(NULL, ":", &save)) {
			int fd = fault_buffered_file(&ft_buffered[ft_nbuffered], d,
						     need);

			if (fd < 0)
				diag("%s: no buffered file: %s", d, strerror(-fd));
			else
				ft_nbuffered++;
		}
	}
	diag("targets: %d polled, %d O_DIRECT, %d buffered", ft_npolled,
	     ft_ndirect, ft_nbuffered);
	return ft_ndirect + ft_nbuffered;
}

static inline void fault_targets_close(void)
{
	int i;

	for (i = 0; i < ft_ndirect; i++)
		target_close(&ft_direct[i].t);
	for (i = 0; i < ft_nbuffered; i++)
		target_close(&ft_buffered[i].t);
	ft_ndirect = ft_npolled = ft_nbuffered = 0;
}

/* A random target usable by mode (NULL: none). */
static inline struct ftarget *fault_pick_target(int mode, unsigned int flags)
{
	if (mode == M_SQWQ)
		return ft_nbuffered ? &ft_buffered[frand_below(ft_nbuffered)] : NULL;
	if (flags & IOCTX_FLAG_IOPOLL) {
		/* polled devices, and now and then a file (iomap iopoll) */
		if (ft_npolled && (frand_pct(75) || ft_ndirect == ft_npolled))
			return &ft_polled[frand_below(ft_npolled)];
	}
	return ft_ndirect ? &ft_direct[frand_below(ft_ndirect)] : NULL;
}

/* Write the pattern of seed over [base, base + len) synchronously. */
static inline int fault_prefill(struct ftarget *f, uint64_t base, size_t len,
				uint64_t seed)
{
	uint8_t *buf = map_pages(len);
	ssize_t n;

	pattern_fill(buf, len, base, seed);
	n = pwrite(f->fd, buf, len, (off_t)base);
	unmap_pages(buf, len);
	if (n != (ssize_t)len)
		return -1;
	return f->buffered ? fsync(f->fd) : 0;
}

/*
 * Open the targets and fill each mode's region of them with the pattern
 * of data_seed (buffered targets: the SQWQ region only); skips the program
 * when there is no target.
 */
static inline void fault_targets_prepare(uint64_t data_seed)
{
	int i, mode;

	if (!fault_targets_open(FAULT_REGION * M_COUNT))
		skip_all("no target");
	for (i = 0; i < ft_ndirect; i++)
		for (mode = 0; mode < M_COUNT; mode++)
			if (fault_prefill(&ft_direct[i], (uint64_t)mode * FAULT_REGION,
					  FAULT_REGION, data_seed))
				bail_out("prefill %s", ft_direct[i].t.name);
	for (i = 0; i < ft_nbuffered; i++)
		if (fault_prefill(&ft_buffered[i], (uint64_t)M_SQWQ * FAULT_REGION,
				  FAULT_REGION, data_seed))
			bail_out("prefill %s", ft_buffered[i].t.name);
}

/* 0 when [base, base + len) holds the pattern of seed, else -1 (diag). */
static inline int fault_region_intact(struct ftarget *f, uint64_t base,
				      size_t len, uint64_t seed)
{
	uint8_t *buf = map_pages(len);
	ssize_t n = pread(f->fd, buf, len, (off_t)base);
	long bad = -1;

	if (n != (ssize_t)len)
		diag("%s: pread of %zu at %llu: %zd (%s)", f->t.name, len,
		     (unsigned long long)base, n, n < 0 ? strerror(errno) : "short");
	else
		bad = pattern_check(buf, len, base, seed);
	if (bad >= 0)
		diag("%s: region at %llu: first wrong byte at %llu", f->t.name,
		     (unsigned long long)base, (unsigned long long)(base + bad));
	unmap_pages(buf, len);
	return n == (ssize_t)len && bad < 0 ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* Baselines                                                           */

static unsigned long fault_leaks;	/* baseline checks that failed */

static inline int fault_thread_count(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* Threads named "aio-sq-*" in the whole system (any process). */
static inline int fault_sq_threads_anywhere(void)
{
	DIR *d = opendir("/proc"), *t;
	struct dirent *de, *te;
	char path[PATH_MAX], comm[64];
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task", de->d_name);
		t = opendir(path);
		if (!t)
			continue;
		while ((te = readdir(t))) {
			if (te->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/proc/%s/task/%s/comm",
				 de->d_name, te->d_name);
			if (!read_file(path, comm, sizeof(comm)) &&
			    !strncmp(comm, "aio-sq-", 7))
				n++;
		}
		closedir(t);
	}
	closedir(d);
	return n;
}

struct fbase {
	long aio_nr;
	long long pins;		/* system: pins acquired - released */
	long vm_pin, vm_lck;	/* this process, kB */
	int threads;		/* this process */
	int sq_threads;		/* anywhere */
};

static inline void fault_base_take(struct fbase *b)
{
	b->aio_nr = aio_nr();
	b->pins = pin_balance();
	b->vm_pin = vm_pin_kb();
	b->vm_lck = vm_lck_kb();
	b->threads = fault_thread_count();
	b->sq_threads = fault_sq_threads_anywhere();
}

static inline int fault_base_equal(const struct fbase *a, const struct fbase *b)
{
	return a->aio_nr == b->aio_nr && a->pins == b->pins &&
	       a->vm_pin == b->vm_pin && a->vm_lck == b->vm_lck &&
	       a->threads == b->threads && a->sq_threads == b->sq_threads;
}

/*
 * One assertion: everything is back to base within ms (teardown may
 * finish in a work item after the process is reaped).  A failure is a
 * leak: counted, and the differences are printed.
 */
static inline int fault_base_check(const struct fbase *base, int ms,
				   const char *what)
{
	int64_t end = now_ns() + (int64_t)ms * 1000000LL;
	struct fbase now;
	int same;

	for (;;) {
		fault_base_take(&now);
		same = fault_base_equal(base, &now);
		if (same || now_ns() > end)
			break;
		ms_sleep(25);
	}
	if (!same) {
		fault_leaks++;
		diag("%s: aio-nr %ld/%ld, pins %lld/%lld, VmPin %ld/%ld kB, VmLck %ld/%ld kB, threads %d/%d, aio-sq threads %d/%d (baseline/now)",
		     what, base->aio_nr, now.aio_nr, base->pins, now.pins,
		     base->vm_pin, now.vm_pin, base->vm_lck, now.vm_lck,
		     base->threads, now.threads, base->sq_threads, now.sq_threads);
	}
	return ok(same, "%s: aio-nr, pinned pages, VmPin/VmLck, threads and SQ threads back to baseline",
		  what);
}

/* ------------------------------------------------------------------ */
/* Locked memory of an unprivileged user                               */

#define FAULT_MEMLOCK	(1u << 20)	/* RLIMIT_MEMLOCK of the nobody children */

/* In a child (as root): limit locked memory, then become nobody. */
static inline int fault_become_nobody(rlim_t memlock)
{
	struct rlimit rl = { memlock, memlock };

	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		return -errno;
	return drop_to_nobody();
}

struct memlock_res {
	long ret, err, destroy;
};

/* The pages the rings of an n-entry context pin, charged with its buffers. */
static inline rlim_t ring_pin_bytes(unsigned int n)
{
	return page_round(aioring_sq_ring_size(n)) + page_round(aioring_iocbs_size(n)) +
	       page_round(aioring_cq_ring_size(n));
}

static void memlock_probe_fn(void *arg, void *out)
{
	static const size_t sz[] = { 64 << 10 };
	unsigned int n = FAULT_MEMLOCK / (64 << 10);
	struct memlock_res *res = out;
	struct slot_bufs b;
	struct ring r;
	/* FAULT_MEMLOCK of fixed buffers, and their rings, fit exactly */
	rlim_t lim = FAULT_MEMLOCK + ring_pin_bytes(n);
	struct rlimit rl = { lim, lim };

	(void)arg;
	setrlimit(RLIMIT_MEMLOCK, &rl);	/* lowering is allowed */
	slot_bufs_alloc(&b, n, sz, 1);
	res->ret = ring_setup_bufs(&r, n, IOCTX_FLAG_SCQRING | IOCTX_FLAG_FIXEDBUFS,
				   0, b.buf, b.len);
	res->err = res->ret ? errno : 0;
	res->destroy = res->ret ? 0 : ring_destroy(&r);
}

/*
 * The locked-memory charge of uid 65534 is back at zero: a context that
 * pins exactly its RLIMIT_MEMLOCK (FAULT_MEMLOCK of fixed buffers and the
 * rings' pages) fits.
 */
static inline int fault_memlock_check(const char *what)
{
	struct memlock_res res;
	int okay;

	if (run_as_nobody(NULL, memlock_probe_fn, NULL, &res, sizeof(res))) {
		fault_leaks++;
		return ok(0, "%s: locked-memory probe ran", what);
	}
	okay = res.ret == 0 && res.destroy == 0;
	if (!okay) {
		fault_leaks++;
		diag("%s: io_setup2 with %u KiB of fixed buffers as nobody: %ld (%s)",
		     what, FAULT_MEMLOCK >> 10, res.ret, strerror((int)res.err));
	}
	return ok(okay, "%s: uid 65534 can register its whole RLIMIT_MEMLOCK (%u KiB) again: no locked memory left charged",
		  what, FAULT_MEMLOCK >> 10);
}

/* ------------------------------------------------------------------ */
/* Cases in a child process                                            */

struct fault_case_arg {
	void (*fn)(void *arg);
	void *arg;
	uint64_t rseed;
};

static void fault_case_trampoline(void *p)
{
	struct fault_case_arg *c = p;

	frand_state = c->rseed;
	c->fn(c->arg);
}

/* The kernel's view of a stuck case: running CPUs' and blocked tasks' stacks. */
static inline void fault_sysrq_dump(void)
{
	int fd = open("/proc/sysrq-trigger", O_WRONLY);

	if (fd < 0)
		return;
	if (write(fd, "l", 1) != 1 || write(fd, "w", 1) != 1)
		diag("sysrq: %s", strerror(errno));
	close(fd);
	diag("kernel backtraces (sysrq l, w) are in the kernel log");
}

/*
 * Run one case, fn(arg), in a child whose TAP lines become ours: a case
 * that hangs is reported after timeout_s with the state and kernel stack
 * of each of its threads (and sysrq backtraces in the kernel log), then
 * killed, instead of stalling the whole run.  The child draws its random
 * numbers from a seed taken here, so the parent's sequence goes on the
 * same.  Returns the child's exit status, -1 when it hung.
 */
static inline int fault_case(const char *what, void (*fn)(void *arg), void *arg,
			     int timeout_s)
{
	struct fault_case_arg c = { fn, arg, frand() };

	return run_child_ex(what, fault_case_trampoline, &c, timeout_s,
			    fault_sysrq_dump, 1);
}

/* ------------------------------------------------------------------ */
/* kmemleak and the figures                                            */

#define KMEMLEAK_PATH	"/sys/kernel/debug/kmemleak"

/* Objects kmemleak reports now, after a scan; -1 without kmemleak. */
static inline long fault_kmemleak_scan(void)
{
	char line[512];
	long n = 0;
	FILE *f;

	if (access(KMEMLEAK_PATH, W_OK))
		return -1;
	{
		int fd = open(KMEMLEAK_PATH, O_WRONLY);

		if (fd < 0 || write(fd, "scan", 4) != 4) {
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
	}
	f = fopen(KMEMLEAK_PATH, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "unreferenced object"))
			n++;
	fclose(f);
	return n;
}

static long fault_kmemleak_start = -1;

/* At the start of a program: what kmemleak already reported before it. */
static inline void fault_kmemleak_begin(void)
{
	const char *env = getenv("AIORING_FAULT_KMEMLEAK");

	if (env && !strcmp(env, "0"))
		return;
	fault_kmemleak_start = fault_kmemleak_scan();
}

/*
 * At the end: kmemleak only reports objects older than 5 s, so wait that
 * long, scan and count what is new.  Adds to the leak count, prints the
 * figure line, and returns the assertion.
 */
static inline void fault_finish(const char *what)
{
	long now = -1;

	if (fault_kmemleak_start >= 0) {
		ms_sleep(5500);
		now = fault_kmemleak_scan();
		if (now > fault_kmemleak_start) {
			fault_leaks += now - fault_kmemleak_start;
			diag("kmemleak: %ld new unreferenced objects (see %s)",
			     now - fault_kmemleak_start, KMEMLEAK_PATH);
		}
		ok(now >= 0 && now <= fault_kmemleak_start,
		   "%s: kmemleak reports nothing new (%ld before, %ld after)", what,
		   fault_kmemleak_start, now);
	}
	diag("figure: fault.leaks %lu", fault_leaks);
}

#endif
