// SPDX-License-Identifier: MIT
/*
 * aioring-fuzz: a seeded, reproducible syscall fuzzer for io_setup2,
 * io_ring_enter, io_submit, io_getevents and io_destroy on io_setup2
 * contexts (spec sections 4-10).
 *
 * Every iteration is generated from its own random stream, derived from
 * (seed, iteration number), so one iteration can be replayed alone:
 *   aioring-fuzz --replay SEED --iteration I
 * replays the same calls and the same corruptions; only the timing of the
 * concurrent mutator thread differs. A crash that earlier iterations of
 * the same child set up replays with their batch: --iteration of the
 * batch's first (a multiple of 8) and --iterations 8.
 *
 * Iterations run in batches, each batch in a forked child (as root or,
 * every other batch, as nobody), so a crash of the fuzzer itself is
 * contained and reported with its seed and iteration. The parent watches
 * a heartbeat the child updates before every system call: a child that
 * makes no progress for 60 s is hung (its kernel stacks are printed).
 *
 * Kinds of iteration:
 *  setup   io_setup2 with random and boundary flags, sizes, pointers,
 *          ring headers that do not match nr_events, fixed buffers, SQ
 *          thread CPUs and ctxp values;
 *  live    a ring context (random valid flags) doing IO on a random
 *          target (null_blk, NVMe, files on ext4/xfs, /dev/zero, pipes,
 *          eventfd, sockets, closed fds, ...) with random iocbs (the
 *          blocking pipes, eventfd and sockets only where the kernel
 *          submits: SQTHREAD, SQWQ), while a
 *          second thread rewrites ring words, iocbs and buffers (munmap,
 *          mprotect, mremap, MAP_FIXED), races io_ring_enter, io_getevents,
 *          io_submit and io_destroy on the context;
 *  noring  io_setup2 contexts without rings (flags 0, IOPOLL): io_submit
 *          with random iocb pointers and iocbs, io_getevents with random
 *          arguments, io_submit/io_getevents on a ring context;
 *  badctx  every call on ids that are not live contexts of the right kind.
 *
 * What must hold after every call:
 *  - the errno is one the spec allows for that call (and exactly EINVAL
 *    where the spec says so: unknown flags, dead or wrong contexts);
 *  - return values are in range and no kernel address appears in a
 *    return value, a context id, an event or a ring word;
 *  - events: data is an aio_data the fuzzer wrote, obj an iocb index (or
 *    an iocb pointer for io_submit), res a length or -errno (no internal
 *    errno such as -EIOCBQUEUED), res2 0 or IOEV_RES2_CACHEHIT (SQWQ);
 *  - app-owned ring words are never written by the kernel, setup resets
 *    head and tail to 0;
 *  - no call hangs (3 s watchdog per blocking call, io_destroy waits for
 *    in-flight IO and is bounded by the parent's 60 s heartbeat);
 *  - after each batch fs.aio-nr is back at its baseline;
 *  - a killed child exits: one the kernel cannot kill (stuck in D state)
 *    fails the run, and the remaining seeds are not run.
 *
 * Output: TAP, "# seed: N" first, then "# figure: fuzz.* N" lines that
 * the reliability report collects.
 */
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
#include <sys/wait.h>
#include <linux/fs.h>

#include "child.h"
#include "mem.h"
#include "nobody.h"
#include "pattern.h"
#include "ring.h"
#include "sysfs.h"
#include "tap.h"
#include "target.h"
#include "test_util.h"
#include "watchdog.h"


#include <dirent.h>
#include <getopt.h>
#include <grp.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>

#define MAX_SEEDS	16
#define BATCH		8		/* iterations per child process */
#define HANG_SECS	60		/* no heartbeat for this long: hung */
#define CALL_SECS	3		/* watchdog of one blocking call */
#define ITER_SECS	8		/* an iteration stops its rounds after */
#define MAX_N		128		/* largest live ring */
#define MAX_FAIL_LINES	60

#define TAG		0x5a17ULL
#define DATA_OF(x)	((TAG << 48) | ((uint64_t)(x) & 0xffffffffffffULL))
#define POISON		0x5050505050505050ULL
#define ERRNO_MAX	133		/* EHWPOISON, the largest uapi errno */
#define MAX_RW		0x7ffff000LL	/* MAX_RW_COUNT on x86_64 */

/* ------------------------------------------------------------------ */
/* State shared by the parent and the batch children                    */

enum { K_SETUP, K_LIVE, K_NORING, K_BADCTX, K_NR };
static const char *const kind_name[K_NR] = { "setup", "live", "noring", "badctx" };

struct shared {
	volatile long iter;		/* iteration the child is in */
	volatile unsigned long beat;	/* bumped before every call */
	volatile char what[96];		/* the call it is making */
	volatile char desc[288];	/* what the iteration does */
	unsigned long syscalls;
	unsigned long corruptions;
	unsigned long iterations;
	unsigned long failures;
	unsigned long kinds[K_NR];
};

static struct shared *sh;
static uint64_t g_seed;
static int g_verbose;
static long cur_iter;
static int iter_failures;	/* failures reported in this iteration */

#define MAX_ITER_FAILS	4	/* lines one iteration may print */

/* ------------------------------------------------------------------ */
/* Random numbers: splitmix64, one stream per iteration                */

struct rng {
	uint64_t s;
};

static uint64_t rnext(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rbelow(struct rng *r, uint64_t n)
{
	return n ? rnext(r) % n : 0;
}

static int rpct(struct rng *r, unsigned int pct)
{
	return rbelow(r, 100) < pct;
}

static struct rng rng_for(uint64_t seed, long iter, uint64_t salt)
{
	struct rng r = { seed ^ ((uint64_t)iter * 0xd1b54a32d192ed03ULL) ^ salt };

	rnext(&r);
	return r;
}

#define PICK(r, arr)	((arr)[rbelow((r), ARRAY_SIZE(arr))])

/* ------------------------------------------------------------------ */
/* Failures and accounting (in a child, stdout is the parent's pipe)   */

__attribute__((format(printf, 1, 2)))
static void failf(const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	__atomic_fetch_add(&sh->failures, 1, __ATOMIC_RELAXED);
	/* one bug tends to fail many checks of one iteration: say a few */
	if (iter_failures++ < MAX_ITER_FAILS)
		printf("F %ld %s\n", cur_iter, msg);
	else
		printf("C %ld\n", cur_iter);	/* counted, not shown */
	fflush(stdout);
}

__attribute__((format(printf, 1, 2)))
static void vlog(const char *fmt, ...)
{
	va_list ap;

	if (!g_verbose)
		return;
	va_start(ap, fmt);
	printf("V %ld ", cur_iter);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
	va_end(ap);
}

/* Heartbeat and label before a call; counts the call. */
static void beat(const char *what)
{
	__atomic_fetch_add(&sh->syscalls, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add((unsigned long *)&sh->beat, 1, __ATOMIC_RELAXED);
	snprintf((char *)sh->what, sizeof(sh->what), "%s", what);
}

static void count_corruption(void)
{
	__atomic_fetch_add(&sh->corruptions, 1, __ATOMIC_RELAXED);
}

/* Looks like a kernel pointer: the upper half of the address space. */
/* ------------------------------------------------------------------ */
/* Memory the other thread may unmap: process_vm_readv/writev on self  */
/* fail with EFAULT instead of raising SIGSEGV.                         */

static int mem_read(void *dst, const void *src, size_t len)
{
	struct iovec l = { dst, len }, r = { (void *)src, len };

	return process_vm_readv(getpid(), &l, 1, &r, 1, 0) == (ssize_t)len ? 0 : -1;
}

static int mem_write(void *dst, const void *src, size_t len)
{
	struct iovec l = { (void *)src, len }, r = { dst, len };

	return process_vm_writev(getpid(), &l, 1, &r, 1, 0) == (ssize_t)len ? 0 : -1;
}

static void mem_write32(void *dst, uint32_t v)
{
	mem_write(dst, &v, sizeof(v));
}

/* ------------------------------------------------------------------ */
/* Watchdog of one blocking call (main thread; the mutator blocks it)   */

/* watchdog_arm(), watchdog_disarm(), watchdog_fired: watchdog.h */

/* ------------------------------------------------------------------ */
/* The calls, with what the spec allows each to fail with               */

enum call { C_SETUP2, C_ENTER, C_SUBMIT, C_GETEVENTS, C_DESTROY, C_NR };
static const char *const call_name[C_NR] = {
	"io_setup2", "io_ring_enter", "io_submit", "io_getevents", "io_destroy",
};

/*
 * Errors an iocb can make a submission fail with before it is queued
 * (spec 6: inline submission returns them): bad fd or eventfd, bad
 * buffer, reserved fields, ioprio, RWF flags, opcode, polled IO on a file
 * that cannot poll, no free request slot, allocation.
 */
#define SUBMIT_ERRNOS	EINVAL, EFAULT, EBADF, EOPNOTSUPP, EAGAIN, ENOMEM, \
			EPERM, EOVERFLOW
static const int ok_setup2[] = { EINVAL, EFAULT, EAGAIN, ENOMEM, EPERM, 0 };
static const int ok_enter[] = { EBUSY, EINTR, SUBMIT_ERRNOS, 0 };
static const int ok_submit[] = { SUBMIT_ERRNOS, 0 };
static const int ok_getevents[] = { EINVAL, EFAULT, EINTR, EBUSY, 0 };
static const int ok_destroy[] = { EINVAL, 0 };
static const int *const call_ok[C_NR] = {
	ok_setup2, ok_enter, ok_submit, ok_getevents, ok_destroy,
};

static int errno_allowed(enum call c, int e)
{
	const int *p;

	for (p = call_ok[c]; *p; p++)
		if (*p == e)
			return 1;
	return 0;
}

static const char *ename(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "E?";
}

/*
 * Judge a return: an errno outside the call's set, or one other than
 * want (when want != 0), or a return value that looks like a kernel
 * address is a failure. Returns ret.
 */
static long judge(enum call c, long ret, int e, int want, const char *args)
{
	if (ret == -1) {
		if (!errno_allowed(c, e))
			failf("%s(%s): errno %d %s is not one the spec allows for it",
			      call_name[c], args, e, ename(e));
		else if (want && e != want)
			failf("%s(%s): errno %s, the spec says %s", call_name[c],
			      args, ename(e), ename(want));
	} else if (ret < 0 || kptr_like((uint64_t)ret)) {
		failf("%s(%s): returned %ld (%#lx)", call_name[c], args, ret,
		      (unsigned long)ret);
	} else if (want) {
		failf("%s(%s): returned %ld, the spec says %s", call_name[c],
		      args, ret, ename(want));
	}
	return ret;
}

static long x_setup2(unsigned int nr, unsigned int flags, void *sq, void *cq,
		     void *ctxp, int *err)
{
	long ret;

	beat("io_setup2");
	ret = syscall(__NR_io_setup2, nr, flags, sq, cq, ctxp);
	*err = ret < 0 ? errno : 0;
	return ret;
}

static long x_enter(aio_context_t ctx, unsigned int sub, unsigned int min,
		    unsigned int flags, int *err, int timed)
{
	long ret;

	beat("io_ring_enter");
	if (timed)
		watchdog_arm(CALL_SECS);
	ret = syscall(__NR_io_ring_enter, ctx, sub, min, flags);
	*err = ret < 0 ? errno : 0;
	if (timed)
		watchdog_disarm();
	return ret;
}

static long x_submit(aio_context_t ctx, long nr, void *iocbpp, int *err)
{
	long ret;

	beat("io_submit");
	ret = syscall(__NR_io_submit, ctx, nr, iocbpp);
	*err = ret < 0 ? errno : 0;
	return ret;
}

static long x_getevents(aio_context_t ctx, long min, long nr, void *ev,
			void *ts, int *err, int timed)
{
	long ret;

	beat("io_getevents");
	if (timed)
		watchdog_arm(CALL_SECS);
	ret = syscall(__NR_io_getevents, ctx, min, nr, ev, ts);
	*err = ret < 0 ? errno : 0;
	if (timed)
		watchdog_disarm();
	return ret;
}

static long x_destroy(aio_context_t ctx, int *err)
{
	long ret;

	beat("io_destroy");
	ret = syscall(__NR_io_destroy, ctx);
	*err = ret < 0 ? errno : 0;
	return ret;
}

/* ------------------------------------------------------------------ */
/* Targets: opened once by the parent, inherited by the children        */

enum tkind {
	T_BDEV_POLL, T_BDEV, T_FILE_DIRECT, T_FILE_BUFFERED, T_ZERO, T_NULL,
	T_PIPE_R, T_PIPE_W, T_EVENTFD, T_SOCKET, T_RDONLY, T_DIR, T_NR
};

struct tgt {
	char name[112];
	int fd;
	enum tkind kind;
	uint64_t size;		/* bytes IO may address normally */
	int blocking;		/* reads and writes may wait for a peer */
};

#define MAX_TGT	32
static struct tgt tgts[MAX_TGT];
static int ntgt;
static struct target files[MAX_TARGETS];	/* created files, for cleanup */
static int nfiles;

static void tgt_add(const char *name, int fd, enum tkind kind, uint64_t size)
{
	if (fd < 0 || ntgt >= MAX_TGT)
		return;
	snprintf(tgts[ntgt].name, sizeof(tgts[ntgt].name), "%s", name);
	tgts[ntgt].fd = fd;
	tgts[ntgt].kind = kind;
	tgts[ntgt].size = size;
	tgts[ntgt].blocking = 0;
	ntgt++;
}

/*
 * Pipes, eventfd and sockets come twice. The non-blocking ones may end up
 * in any iocb. A read of an empty blocking one waits for a writer, as
 * classic aio's inline submission does; the fuzzer gives them only to
 * contexts whose IO the kernel submits (SQ thread, SQWQ workers), where
 * teardown must interrupt such a wait.
 */
static void tgt_add_peers(void)
{
	int blocking, p[2], sv[2];

	for (blocking = 0; blocking < 2; blocking++) {
		const char *in = blocking ? ", blocking" : "";
		const char *bare = blocking ? "(blocking)" : "";
		int first = ntgt;

		if (!pipe2(p, blocking ? 0 : O_NONBLOCK)) {
			tgt_add(label("pipe(read end%s)", in), p[0], T_PIPE_R, 1 << 20);
			tgt_add(label("pipe(write end%s)", in), p[1], T_PIPE_W, 1 << 20);
		}
		tgt_add(label("eventfd%s", bare),
			eventfd(0, blocking ? 0 : EFD_NONBLOCK), T_EVENTFD, 8);
		if (!socketpair(AF_UNIX, SOCK_STREAM | (blocking ? 0 : SOCK_NONBLOCK), 0, sv)) {
			tgt_add(label("socket%s", bare), sv[0], T_SOCKET, 1 << 20);
			tgt_add(label("socket(peer%s)", in), sv[1], T_SOCKET, 1 << 20);
		}
		for (; first < ntgt; first++)
			tgts[first].blocking = blocking;
	}
}

static void targets_setup(void)
{
	struct target t[MAX_TARGETS];
	int n = targets_collect(t, MAX_TARGETS, TGT_ALL), i;

	for (i = 0; i < n; i++) {
		int fd = target_open(&t[i]);

		if (fd < 0) {
			diag("%s: cannot open: %s (not used)", t[i].name, strerror(-fd));
			target_close(&t[i]);
			continue;
		}
		if (t[i].is_bdev) {
			tgt_add(t[i].name, fd, t[i].polled ? T_BDEV_POLL : T_BDEV,
				t[i].size < FILE_TARGET_SIZE ? t[i].size : FILE_TARGET_SIZE);
			continue;
		}
		tgt_add(t[i].name, fd, T_FILE_DIRECT, FILE_TARGET_SIZE);
		tgt_add(label("%s(buffered)", t[i].name), open(t[i].path, O_RDWR),
			T_FILE_BUFFERED, FILE_TARGET_SIZE);
		tgt_add(label("%s(read-only)", t[i].name), open(t[i].path, O_RDONLY),
			T_RDONLY, FILE_TARGET_SIZE);
		files[nfiles++] = t[i];
	}
	tgt_add("/dev/zero", open("/dev/zero", O_RDWR), T_ZERO, 1 << 20);
	tgt_add("/dev/null", open("/dev/null", O_RDWR), T_NULL, 1 << 20);
	tgt_add_peers();
	tgt_add("/ (directory)", open("/", O_RDONLY | O_DIRECTORY), T_DIR, 0);
}

/* Undo what writes did to the file targets (size; contents don't matter). */
static void targets_reset(void)
{
	int i;

	for (i = 0; i < nfiles; i++)
		if (files[i].fd >= 0 && ftruncate(files[i].fd, FILE_TARGET_SIZE))
			diag("ftruncate %s: %s", files[i].path, strerror(errno));
}

static void targets_cleanup(void)
{
	int i;

	for (i = 0; i < nfiles; i++)
		target_close(&files[i]);
}

/* Any target but the blocking ones (see tgt_add_peers()). */
static struct tgt *tgt_any(struct rng *r)
{
	struct tgt *t;

	do
		t = &tgts[rbelow(r, ntgt)];
	while (t->blocking);
	return t;
}

/* A target for a context's IO: polled contexts need O_DIRECT + iopoll. */
static struct tgt *tgt_for(struct rng *r, unsigned int flags)
{
	int cand[MAX_TGT], nc = 0, i;

	for (i = 0; i < ntgt; i++) {
		enum tkind k = tgts[i].kind;

		if (tgts[i].blocking &&
		    !(flags & (IOCTX_FLAG_SQTHREAD | IOCTX_FLAG_SQWQ)))
			continue;
		if (flags & IOCTX_FLAG_IOPOLL) {
			if (k == T_BDEV_POLL || k == T_BDEV || k == T_FILE_DIRECT)
				cand[nc++] = i;
		} else if (k <= T_NULL || rpct(r, 30)) {
			cand[nc++] = i;
		}
	}
	if (!nc || rpct(r, 5))
		return tgt_any(r);
	return &tgts[cand[rbelow(r, nc)]];
}

/* ------------------------------------------------------------------ */
/* Odd pointers                                                         */

struct zoo {
	void *ro;		/* a PROT_READ page */
	void *none;		/* a PROT_NONE page */
	void *straddle;		/* one page mapped, PROT_NONE on both sides */
	void *unmapped;
	void *scratch;		/* 64 KiB read-write: io_setup2's ctxp */
	void *junk;		/* 4 pages the kernel may write at will */
};

static struct zoo zoo;

/*
 * The arena: every ring and buffer the kernel may write through a fuzzed
 * length lives here, each followed by a PROT_NONE guard page, so a read
 * of 4 MiB into a 4 KiB buffer stops at the guard instead of overwriting
 * the fuzzer. Addresses are never handed out twice in a child (IO of a
 * context left alive may still land on old ones), and the holes munmap
 * leaves are filled with PROT_NONE again after each iteration.
 */
#define ARENA_SIZE	(8ULL << 30)

static uint8_t *arena, *arena_cur, *arena_mark;

static void arena_setup(void)
{
	arena = mmap(NULL, ARENA_SIZE, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (arena == MAP_FAILED) {
		failf("cannot reserve the arena: %s", strerror(errno));
		exit(1);
	}
	arena_cur = arena_mark = arena;
}

/* len bytes, page aligned, read-write, a guard page after; NULL when full */
static void *arena_alloc(size_t len)
{
	size_t rl = page_round(len ? len : 1);
	void *p;

	if (arena_cur + rl + PAGE_SZ > arena + ARENA_SIZE)
		return NULL;
	p = mmap(arena_cur, rl, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	arena_cur += rl + PAGE_SZ;
	return p;
}

/* Give back the pages used since the last call; keep the addresses. */
static void arena_release(void)
{
	if (arena_cur > arena_mark)
		mmap(arena_mark, arena_cur - arena_mark, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
	arena_mark = arena_cur;
}

static void zoo_setup(void)
{
	zoo.ro = mmap(NULL, PAGE_SZ, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	zoo.none = mmap(NULL, PAGE_SZ, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	zoo.straddle = mmap(NULL, 3 * PAGE_SZ, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	zoo.scratch = mmap(NULL, 16 * PAGE_SZ, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (zoo.ro == MAP_FAILED || zoo.none == MAP_FAILED ||
	    zoo.straddle == MAP_FAILED || zoo.scratch == MAP_FAILED) {
		failf("mmap of the pointer zoo failed: %s", strerror(errno));
		exit(1);
	}
	/*
	 * PROT_NONE pages, not holes (a later mapping could fill a hole),
	 * below and above the page: what lies next to the zoo (libc's .bss
	 * did) is never in reach of a straddling buffer.
	 */
	mprotect(zoo.straddle, PAGE_SZ, PROT_NONE);
	zoo.straddle = (char *)zoo.straddle + PAGE_SZ;
	mprotect((char *)zoo.straddle + PAGE_SZ, PAGE_SZ, PROT_NONE);
	/* below vm.mmap_min_addr: never mapped (a munmapped page may be) */
	zoo.unmapped = (void *)0x2000;
	arena_setup();
	zoo.junk = arena_alloc(4 * PAGE_SZ);
	arena_mark = arena_cur;
}

/*
 * A pointer for an object of len bytes: mostly good (the given one),
 * else NULL, unaligned, read-only, PROT_NONE, unmapped, kernel, past the
 * end of a mapping, non-canonical, or somewhere in the junk pages. good
 * must be arena memory (a write past it hits the guard).
 */
static uint64_t odd_ptr(struct rng *r, void *good, size_t len)
{
	uint64_t g = (uint64_t)(uintptr_t)good;

	switch (rbelow(r, 14)) {
	case 0: return 0;
	case 1: return g + 1 + rbelow(r, 63);
	case 2: return (uint64_t)(uintptr_t)zoo.ro;
	case 3: return (uint64_t)(uintptr_t)zoo.none;
	case 4: return (uint64_t)(uintptr_t)zoo.unmapped;
	case 5: return 0xffffffff81000000ULL;
	case 6: return 0xffff888000000000ULL;
	case 7: return (uint64_t)-4096;
	/* starts in the mapped page, runs into the PROT_NONE one */
	case 8: return (uint64_t)(uintptr_t)zoo.straddle + PAGE_SZ -
		       (len > 1 ? rbelow(r, len) % PAGE_SZ : 0);
	case 9: return 0x800000000000ULL - PAGE_SZ;	/* top of user space */
	case 10: return 0x0000800000000000ULL;		/* non-canonical */
	case 11: return (uint64_t)(uintptr_t)zoo.junk + PAGE_SZ * rbelow(r, 4) +
			(rpct(r, 50) ? 0 : rbelow(r, PAGE_SZ));
	default: return g;
	}
}

/* ------------------------------------------------------------------ */
/* iocbs                                                                */

static const int opcodes[] = {
	IOCB_CMD_PREAD, IOCB_CMD_PWRITE, IOCB_CMD_PREAD, IOCB_CMD_PWRITE,
	IOCB_CMD_FSYNC, IOCB_CMD_FDSYNC, IOCB_CMD_POLL, IOCB_CMD_NOOP,
	IOCB_CMD_PREADV, IOCB_CMD_PWRITEV, 4, 9, 255, 0x7fff, -1,
};

static const uint64_t lens[] = {
	0, 1, 511, 512, 4095, 4096, 4097, 8192, 65536, 1 << 20, 4 << 20,
	(4 << 20) + 1, 0x7fffffffffffffffULL, (uint64_t)-1, 0x80000000ULL,
};

static int64_t odd_offset(struct rng *r, uint64_t size)
{
	static const int64_t o[] = {
		0, 1, 511, 512, 4096, -1, -4096, INT64_MAX, INT64_MAX - 4095,
		1LL << 40, 1LL << 62,
	};

	switch (rbelow(r, 4)) {
	case 0: return PICK(r, o);
	case 1: return (int64_t)size + (int64_t)rbelow(r, 3) * 4096 - 4096;
	default: return (int64_t)(rbelow(r, size ? size / 4096 : 1) * 4096);
	}
}

struct bufs {
	unsigned int n;
	void *buf[MAX_N];
	size_t len[MAX_N];
};

/*
 * An iocb for slot of a context: mostly a sound read or write of the
 * slot's buffer on the target, else with some fields (or all) fuzzed.
 */
static void gen_iocb(struct rng *r, struct iocb *cb, unsigned int slot,
		     const struct bufs *b, const struct tgt *t,
		     unsigned int ctx_flags, int fuzz_pct)
{
	size_t blen = b->len[slot % b->n];
	uint64_t len = blen >= 4096 ? 4096 * (1 + rbelow(r, blen / 4096)) : blen;

	memset(cb, 0, sizeof(*cb));
	cb->aio_data = DATA_OF(rnext(r));
	cb->aio_lio_opcode = rpct(r, 50) ? IOCB_CMD_PREAD : IOCB_CMD_PWRITE;
	cb->aio_fildes = t->fd;
	cb->aio_buf = (uint64_t)(uintptr_t)b->buf[slot % b->n];
	cb->aio_nbytes = len;
	cb->aio_offset = (int64_t)(rbelow(r, t->size > len ? (t->size - len) / 4096 : 1) * 4096);
	if (ctx_flags & IOCTX_FLAG_IOPOLL)
		cb->aio_flags = IOCB_FLAG_HIPRI;
	if (!rpct(r, fuzz_pct))
		return;

	if (rpct(r, 30))
		cb->aio_lio_opcode = PICK(r, opcodes);
	if (rpct(r, 20)) {
		switch (rbelow(r, 4)) {
		case 0: cb->aio_fildes = tgt_any(r)->fd; break;
		case 1: cb->aio_fildes = (uint32_t)-1; break;
		case 2: cb->aio_fildes = 1000 + rbelow(r, 20); break;	/* closed */
		default: cb->aio_fildes = (uint32_t)rnext(r); break;
		}
	}
	if (rpct(r, 20))
		cb->aio_buf = odd_ptr(r, b->buf[slot % b->n], len);
	if (rpct(r, 20))
		cb->aio_nbytes = PICK(r, lens);
	if (rpct(r, 20))
		cb->aio_offset = odd_offset(r, t->size);
	if (rpct(r, 15))
		cb->aio_flags = (uint32_t)rbelow(r, 8) |
				(rpct(r, 20) ? 1u << rbelow(r, 32) : 0);
	if (rpct(r, 10))
		cb->aio_reqprio = (int16_t)rnext(r);
	if (rpct(r, 10))
		cb->aio_resfd = rpct(r, 50) ? (uint32_t)tgt_any(r)->fd : (uint32_t)rnext(r);
	if (rpct(r, 8))
		cb->aio_rw_flags = (int)(rpct(r, 50) ? rbelow(r, 32) : rnext(r));
	if (rpct(r, 3))
		cb->aio_reserved2 = rnext(r);
	if (rpct(r, 5))
		cb->aio_key = (uint32_t)rnext(r);
	if (cb->aio_lio_opcode == IOCB_CMD_POLL && rpct(r, 70)) {
		cb->aio_buf = rpct(r, 80) ? (POLLIN | POLLOUT) : rnext(r);
		cb->aio_nbytes = 0;
		cb->aio_offset = 0;
		cb->aio_rw_flags = 0;
	}
}

/* A value for a 32-bit ring word of a ring with n entries. */
static uint32_t odd_index(struct rng *r, unsigned int n)
{
	static const uint32_t v[] = { 0, 1, 0x7fffffff, 0x80000000, 0xffffffff,
				      0xfffffffe, 0x10000 };

	switch (rbelow(r, 6)) {
	case 0: return PICK(r, v);
	case 1: return n;
	case 2: return n + 1 + rbelow(r, 2 * n + 1);
	case 3: return (uint32_t)rnext(r);
	default: return rbelow(r, n);
	}
}

/* ------------------------------------------------------------------ */
/* Event checks                                                         */

/*
 * One event from a context of flags; obj_ok() says whether its obj names
 * something the fuzzer submitted. Returns 0 or -1 (failure reported).
 */
static int check_event(const struct io_event *ev, unsigned int flags,
		       int (*obj_ok)(uint64_t obj, void *arg), void *arg,
		       int check_data, const char *where)
{
	int bad = 0;

	if (check_data && (ev->data >> 48) != TAG) {
		failf("%s: event data %#llx is no aio_data the application wrote",
		      where, (unsigned long long)ev->data);
		bad = 1;
	}
	if (!obj_ok(ev->obj, arg)) {
		failf("%s: event obj %#llx names no submitted iocb%s", where,
		      (unsigned long long)ev->obj,
		      kptr_like(ev->obj) ? " (a kernel address)" : "");
		bad = 1;
	}
	if (ev->res < -ERRNO_MAX || ev->res > MAX_RW) {
		failf("%s: event res %lld (%#llx) is neither a length nor -errno",
		      where, (long long)ev->res, (unsigned long long)ev->res);
		bad = 1;
	}
	if (ev->res2 != 0 &&
	    !(ev->res2 == IOEV_RES2_CACHEHIT && (flags & IOCTX_FLAG_SQWQ))) {
		failf("%s: event res2 %#llx on a context with flags %#x",
		      where, (unsigned long long)ev->res2, flags);
		bad = 1;
	}
	return bad ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* Kind "setup": io_setup2 arguments                                    */

static const uint32_t nr_values[] = {
	0, 1, 2, 3, 4, 5, 7, 8, 16, 31, 32, 33, 64, 127, 128, 255, 256, 1024,
	4096, 65535, 65536, 65537, 4194304, 4194305, 8388608, 0x7fffffff,
	0x80000000, 0xffffffff,
};

static int is_zoo_fault(uint64_t p)
{
	return p == 0 || kptr_like(p) || p >= 0x800000000000ULL - PAGE_SZ ||
	       p == (uint64_t)(uintptr_t)zoo.ro || p == (uint64_t)(uintptr_t)zoo.none ||
	       p == (uint64_t)(uintptr_t)zoo.unmapped ||
	       (p >= (uint64_t)(uintptr_t)zoo.straddle &&
		p < (uint64_t)(uintptr_t)zoo.straddle + 2 * PAGE_SZ);
}

/*
 * What is wrong with one io_setup2 call, by the class of error the spec
 * gives it. The call must fail when anything is wrong; it must fail with
 * EINVAL when only "early" EINVAL conditions are present (unknown flags,
 * *ctxp != 0, nr_events 0, flag dependencies), since no other check can
 * then apply.
 */
struct setup_faults {
	int einval;		/* unknown flags, nr 0, *ctxp != 0, flag deps */
	int ctxp;		/* ctxp unreadable or unwritable */
	int ring;		/* matters with SCQRING: pointers, sizes, headers */
	int fixed;		/* matters with FIXEDBUFS: a slot's buffer */
	int cpu;		/* matters with SQTHREAD: sq_thread_cpu */
	int maybe;		/* something whose outcome is not certain */
};

static void iter_setup(struct rng *r)
{
	uint32_t nr = rpct(r, 85) ? PICK(r, nr_values) : (uint32_t)rnext(r);
	unsigned int flags = (unsigned int)rbelow(r, 64), map_n = 0;
	struct aio_sq_ring *sq = NULL;
	struct aio_cq_ring *cq = NULL;
	struct iocb *iocbs = NULL;
	uint64_t sq_arg = 0, cq_arg = 0, ctxp_arg;
	size_t sq_len = 0, io_len = 0, cq_len = 0;
	aio_context_t *ctxp = zoo.scratch, ctx = 0;
	struct setup_faults f = { 0 };
	int must_fail, want = 0, e, nproc = (int)sysconf(_SC_NPROCESSORS_ONLN);
	char args[256];
	long ret;
	void *fixed = NULL;

	if (rpct(r, 8))
		flags |= 1u << (6 + rbelow(r, 26));
	if (rpct(r, 60))
		flags |= IOCTX_FLAG_SCQRING;

	/* rings: real ones sized for nr, or for another size, or odd pointers */
	if (nr && nr <= 1024 && rpct(r, 80)) {
		unsigned int i;

		map_n = rpct(r, 90) ? nr : 1 + (unsigned int)rbelow(r, nr);
		sq_len = page_round(aioring_sq_ring_size(map_n));
		io_len = page_round(aioring_iocbs_size(map_n));
		cq_len = page_round(aioring_cq_ring_size(map_n));
		sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		iocbs = mmap(NULL, io_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		cq = mmap(NULL, cq_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (sq == MAP_FAILED || iocbs == MAP_FAILED || cq == MAP_FAILED) {
			failf("mmap of rings for %u entries: %s", map_n, strerror(errno));
			goto out;
		}
		sq->nr_events = nr;
		cq->nr_events = 2 * nr;
		sq->iocbs = (uint64_t)(uintptr_t)iocbs;
		sq->sq_thread_cpu = (uint16_t)rbelow(r, nproc);
		/* garbage the kernel must reset */
		sq->head = 1 + (uint32_t)rbelow(r, 1000);
		sq->tail = (uint32_t)rnext(r);
		cq->head = (uint32_t)rnext(r);
		cq->tail = 7;
		/* regions too small: the next mapping may follow, so not certain */
		if (map_n != nr)
			f.maybe = 1;
		if (rpct(r, 15)) {
			static const uint32_t d[] = { 1, (uint32_t)-1, 0x80000000 };

			sq->nr_events += PICK(r, d);
			f.ring = 1;
		}
		if (rpct(r, 15)) {
			static const uint32_t d[] = { 1, (uint32_t)-1, 0x80000000, 0 };
			uint32_t x = PICK(r, d);

			cq->nr_events = x ? cq->nr_events + x : nr;
			if (cq->nr_events != 2 * nr)
				f.ring = 1;
		}
		if (rpct(r, 10)) {
			uint64_t p = odd_ptr(r, iocbs, io_len);

			if (p != (uint64_t)(uintptr_t)iocbs) {
				sq->iocbs = p;
				if (is_zoo_fault(p) || (p & (PAGE_SZ - 1)))
					f.ring = 1;
				else
					f.maybe = 1;	/* junk pages: maybe big enough */
			}
		}
		if (rpct(r, 10)) {
			static const uint16_t c[] = { 0, 1, 2, 63, 64, 4095, 4096, 0xffff };
			uint16_t cpu = PICK(r, c);

			sq->sq_thread_cpu = cpu;
			if (cpu >= nproc)
				f.cpu = 1;
		}
		/* fixed buffers: slot i = 4 KiB i of one mapping, maybe one bad */
		fixed = mmap(NULL, (size_t)map_n * 4096, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (fixed == MAP_FAILED) {
			fixed = NULL;
			f.fixed = 1;
		} else {
			for (i = 0; i < map_n; i++) {
				iocbs[i].aio_buf = (uint64_t)(uintptr_t)fixed + i * 4096ULL;
				iocbs[i].aio_nbytes = 4096;
			}
			if (rpct(r, 20)) {
				i = (unsigned int)rbelow(r, map_n);
				if (rpct(r, 50)) {
					iocbs[i].aio_nbytes = PICK(r, lens);
					if (iocbs[i].aio_nbytes == 0 ||
					    iocbs[i].aio_nbytes > (4 << 20))
						f.fixed = 1;
					else if (iocbs[i].aio_nbytes > 4096)
						f.maybe = 1;
				} else {
					iocbs[i].aio_buf = odd_ptr(r, (char *)fixed + i * 4096, 4096);
					if (is_zoo_fault(iocbs[i].aio_buf))
						f.fixed = 1;
					else
						f.maybe = 1;
				}
			}
		}
		sq_arg = (uint64_t)(uintptr_t)sq;
		cq_arg = (uint64_t)(uintptr_t)cq;
		if (rpct(r, 10)) {
			sq_arg = odd_ptr(r, sq, sq_len);
			if (sq_arg != (uint64_t)(uintptr_t)sq)
				f.ring = 1;	/* nr_events there can't match */
		}
		if (rpct(r, 10)) {
			cq_arg = odd_ptr(r, cq, cq_len);
			if (cq_arg != (uint64_t)(uintptr_t)cq)
				f.ring = 1;
		}
	} else if (rpct(r, 70)) {
		sq_arg = odd_ptr(r, zoo.scratch, 64);
		cq_arg = odd_ptr(r, zoo.scratch, 32);
		f.maybe = 1;	/* the junk pages may hold anything */
		if (is_zoo_fault(sq_arg) || is_zoo_fault(cq_arg) ||
		    (sq_arg & (PAGE_SZ - 1)) || (cq_arg & (PAGE_SZ - 1)))
			f.ring = 1;
	} else {
		f.ring = 1;	/* NULL rings */
	}

	/* ctxp */
	memset(zoo.scratch, 0, 64);
	ctxp_arg = (uint64_t)(uintptr_t)ctxp;
	if (rpct(r, 10)) {
		ctxp_arg = odd_ptr(r, ctxp, sizeof(*ctxp));
		if (is_zoo_fault(ctxp_arg) || ctxp_arg >= 0x800000000000ULL)
			f.ctxp = 1;
		else if (ctxp_arg != (uint64_t)(uintptr_t)ctxp &&
			 !(ctxp_arg > (uint64_t)(uintptr_t)ctxp &&
			   ctxp_arg < (uint64_t)(uintptr_t)ctxp + 64))
			f.maybe = 1;	/* junk: zero or not */
	}
	if (rpct(r, 5)) {
		*ctxp = 1 + rbelow(r, 1000);
		if (ctxp_arg == (uint64_t)(uintptr_t)ctxp)
			f.einval = 1;
		else
			f.maybe = 1;
	}

	if ((flags >> 6) || !nr)
		f.einval = 1;
	if ((flags & (IOCTX_FLAG_FIXEDBUFS | IOCTX_FLAG_SQTHREAD | IOCTX_FLAG_SQWQ)) &&
	    !(flags & IOCTX_FLAG_SCQRING))
		f.einval = 1;
	if ((flags & IOCTX_FLAG_SQPOLL) && !(flags & IOCTX_FLAG_SQTHREAD))
		f.einval = 1;
	if (!(flags & IOCTX_FLAG_SCQRING))
		f.ring = f.fixed = f.cpu = 0;	/* rings are not looked at */
	if (!(flags & IOCTX_FLAG_FIXEDBUFS))
		f.fixed = 0;
	if (!(flags & IOCTX_FLAG_SQTHREAD))
		f.cpu = 0;
	must_fail = f.einval || f.ctxp || f.ring || f.fixed || f.cpu;
	if (f.einval && !f.ctxp && !f.ring && !f.fixed && !f.maybe)
		want = EINVAL;

	snprintf(args, sizeof(args), "nr %u, flags %#x, sq %#llx, cq %#llx, ctxp %#llx%s",
		 nr, flags, (unsigned long long)sq_arg, (unsigned long long)cq_arg,
		 (unsigned long long)ctxp_arg, must_fail ? ", must fail" : "");
	vlog("setup: %s", args);
	snprintf((char *)sh->desc, sizeof(sh->desc), "setup: %s", args);
	ret = x_setup2(nr, flags, (void *)(uintptr_t)sq_arg, (void *)(uintptr_t)cq_arg,
		       (void *)(uintptr_t)ctxp_arg, &e);
	if (ret == -1) {
		judge(C_SETUP2, ret, e, want, args);
		goto out;
	}
	ctx = ctxp_arg == (uint64_t)(uintptr_t)ctxp ? *ctxp : 0;
	if (ret != 0 || must_fail) {
		failf("io_setup2(%s) returned %ld, must fail", args, ret);
		if (ret != 0)
			goto out;
	}
	if (ctxp_arg != (uint64_t)(uintptr_t)ctxp)
		goto out;	/* the id went elsewhere: exit_aio() frees it */
	if (!ctx || kptr_like(ctx) || ctx >= 0x800000000000ULL) {
		failf("io_setup2(%s): context id %#llx is not a user address",
		      args, (unsigned long long)ctx);
		goto out;
	}
	if ((flags & IOCTX_FLAG_SCQRING) && sq_arg == (uint64_t)(uintptr_t)sq &&
	    cq_arg == (uint64_t)(uintptr_t)cq &&
	    (sq->head || sq->tail || cq->head || cq->tail || sq->kflags))
		failf("io_setup2(%s): heads and tails not reset (sq %u/%u kflags %u, cq %u/%u)",
		      args, sq->head, sq->tail, sq->kflags, cq->head, cq->tail);

	/* a call or two on it, then destroy (or leave it to exit) */
	if (rpct(r, 50)) {
		ret = x_enter(ctx, 0, 0, IORING_FLAG_GETEVENTS, &e, 1);
		judge(C_ENTER, ret, e, (flags & IOCTX_FLAG_SCQRING) ? 0 : EINVAL,
		      label("new ctx flags %#x, 0, 0, GETEVENTS", flags));
	}
	if (rpct(r, 85)) {
		ret = x_destroy(ctx, &e);
		judge(C_DESTROY, ret, e, 0, "a new context");
		ret = x_destroy(ctx, &e);
		judge(C_DESTROY, ret, e, EINVAL, "a destroyed context");
	}
out:
	if (sq && sq != MAP_FAILED)
		munmap(sq, sq_len);
	if (iocbs && iocbs != MAP_FAILED)
		munmap(iocbs, io_len);
	if (cq && cq != MAP_FAILED)
		munmap(cq, cq_len);
	if (fixed)
		munmap(fixed, (size_t)map_n * 4096);
}

/* ------------------------------------------------------------------ */
/* Kind "live": a ring context with IO in flight and a mutator thread  */

struct live {
	unsigned int n, flags;
	aio_context_t ctx;
	struct aio_sq_ring *sq;
	struct iocb *iocbs;
	struct aio_cq_ring *cq;
	size_t sq_len, io_len, cq_len;
	struct bufs b;
	struct tgt *t;
	unsigned int tail, head;	/* the application's sq tail, cq head */
	unsigned long events, spurious;
	int cq_gone;			/* the app's CQ mapping was replaced */
	int destroyed;			/* claimed by whoever destroys it */
	int dead;			/* set once that io_destroy returned */
	volatile int stop;
	struct rng mr;			/* the mutator's stream */
	unsigned long mut_ops;
	pthread_t mut;
	int mut_running;
};

static int live_obj_ok(uint64_t obj, void *arg)
{
	return obj < ((struct live *)arg)->n;
}

static void *map_rw(size_t len)
{
	return arena_alloc(len);
}

/* Reap what the CQ holds (safely: the ring may be gone); check it. */
static void live_reap(struct live *L)
{
	unsigned int cqn = 2 * L->n, tail, guard = 0;
	struct io_event ev;
	const struct io_event poison = { POISON, POISON, (int64_t)POISON, (int64_t)POISON };

	if (mem_read(&tail, &L->cq->tail, sizeof(tail)))
		return;
	while (L->head != tail && guard++ < cqn) {
		if (tail >= cqn)
			break;	/* a corrupted tail; the kernel rewrites it */
		if (mem_read(&ev, &L->cq->events[L->head], sizeof(ev)))
			return;
		if (ev.data == POISON || __atomic_load_n(&L->cq_gone, __ATOMIC_ACQUIRE)) {
			/* a slot no event was written to, or not the kernel's page */
			L->spurious++;
		} else {
			L->events++;
			check_event(&ev, L->flags, live_obj_ok, L, 1,
				    label("ring ctx flags %#x n %u, cq slot %u",
					  L->flags, L->n, L->head));
		}
		mem_write(&L->cq->events[L->head], &poison, sizeof(poison));
		L->head = (L->head + 1) % cqn;
		mem_write32(&L->cq->head, L->head);
		if (mem_read(&tail, &L->cq->tail, sizeof(tail)))
			return;
	}
}

/*
 * No kernel address in a ring word the kernel writes: the 64-bit words of
 * the SQ and CQ headers and the CQ events. The first words of both
 * headers are 32- and 16-bit fields (head, tail, nr_events, CPU, kflags)
 * that the mutator writes too, so two of them side by side can look like
 * an address (head 1, tail 0xffffffff) while none can hold one; word 2
 * of the SQ header is the app's iocbs pointer. (The mutator never writes
 * a kernel-looking 64-bit word.)
 */
static void live_scan(struct live *L)
{
	uint64_t w[8];
	unsigned int i, k;

	if (!mem_read(w, L->sq, 64))
		for (i = 3; i < 8; i++)
			if (kptr_like(w[i]))
				failf("SQ ring header word at %u holds %#llx, a kernel address",
				      i * 8, (unsigned long long)w[i]);
	if (!mem_read(w, L->cq, 32))
		for (i = 2; i < 4; i++)
			if (kptr_like(w[i]))
				failf("CQ ring header word at %u holds %#llx, a kernel address",
				      i * 8, (unsigned long long)w[i]);
	for (i = 0; i < 2 * L->n; i++) {
		uint64_t e[4];

		if (mem_read(e, &L->cq->events[i], sizeof(e)))
			break;
		for (k = 0; k < 4; k++)
			if (kptr_like(e[k]) && e[k] != POISON)
				failf("CQ event slot %u word %u holds %#llx, a kernel address",
				      i, k, (unsigned long long)e[k]);
	}
}

/* Write v at a random 32-bit ring word, never making a kernel address. */
static void mut_ring_word(struct live *L, struct rng *r)
{
	uint8_t *base;
	size_t off;
	uint64_t slot;
	uint32_t v;

	switch (rbelow(r, 3)) {
	case 0:	/* SQ header: head, tail, nr_events, cpu/kflags, pad */
		base = (uint8_t *)L->sq;
		off = PICK(r, ((const size_t[]){ 0, 4, 8, 12, 12, 0, 4, 24, 60 }));
		break;
	case 1:	/* SQ array */
		base = (uint8_t *)L->sq->array;
		off = 4 * rbelow(r, L->n);
		break;
	default: /* CQ header: head, tail, nr_events, pad */
		base = (uint8_t *)L->cq;
		off = PICK(r, ((const size_t[]){ 0, 4, 8, 0, 4, 28 }));
		break;
	}
	v = odd_index(r, base == (uint8_t *)L->cq ? 2 * L->n : L->n);
	if (base == (uint8_t *)L->sq && off == 12 && rpct(r, 50))
		v = (v & 0xffff) | (uint32_t)IORING_SQ_NEED_WAKEUP << 16;
	if (mem_read(&slot, base + (off & ~7UL), 8))
		return;
	if (off & 4)
		slot = (slot & 0xffffffffULL) | (uint64_t)v << 32;
	else
		slot = (slot & ~0xffffffffULL) | v;
	if (kptr_like(slot))
		slot &= ~(1ULL << 63);
	if (!mem_write(base + (off & ~7UL), &slot, 8))
		count_corruption();
}

static void mut_iocb(struct live *L, struct rng *r)
{
	unsigned int slot = (unsigned int)rbelow(r, L->n);
	struct iocb cb;

	if (rpct(r, 40)) {
		gen_iocb(r, &cb, slot, &L->b, L->t, L->flags, 80);
		mem_write(&L->iocbs[slot], &cb, sizeof(cb));
		return;
	}
	if (mem_read(&cb, &L->iocbs[slot], sizeof(cb)))
		return;
	switch (rbelow(r, 10)) {
	case 0: cb.aio_lio_opcode = PICK(r, opcodes); break;
	case 1: cb.aio_fildes = rpct(r, 50) ? (uint32_t)tgt_any(r)->fd : (uint32_t)rnext(r); break;
	case 2: cb.aio_buf = odd_ptr(r, L->b.buf[slot], cb.aio_nbytes); break;
	case 3: cb.aio_nbytes = PICK(r, lens); break;
	case 4: cb.aio_offset = odd_offset(r, L->t->size); break;
	case 5: cb.aio_flags ^= 1u << rbelow(r, 4); break;
	case 6: cb.aio_reqprio = (int16_t)rnext(r); cb.aio_flags |= IOCB_FLAG_IOPRIO; break;
	case 7: cb.aio_resfd = (uint32_t)tgt_any(r)->fd; cb.aio_flags |= IOCB_FLAG_RESFD; break;
	case 8: cb.aio_data = DATA_OF(rnext(r)); break;
	default: cb.aio_rw_flags = (int)rbelow(r, 64); break;
	}
	mem_write(&L->iocbs[slot], &cb, sizeof(cb));
}

/* munmap, mprotect, mremap or replace a slot buffer or a ring region. */
static void mut_memory(struct live *L, struct rng *r)
{
	void **pp;
	size_t len;
	void *p;

	if (rpct(r, 85)) {
		unsigned int s = (unsigned int)rbelow(r, L->b.n);

		pp = &L->b.buf[s];
		len = page_round(L->b.len[s]);
	} else {
		switch (rbelow(r, 3)) {
		case 0: pp = (void **)&L->sq; len = L->sq_len; break;
		case 1: pp = (void **)&L->iocbs; len = L->io_len; break;
		default: pp = (void **)&L->cq; len = L->cq_len; break;
		}
		/* the ring pointers stay valid addresses for mem_read: no mremap */
	}
	p = *pp;
	beat("mm");
	/* from now on the application's view of the CQ is not the kernel's */
	if (pp == (void **)&L->cq)
		__atomic_store_n(&L->cq_gone, 1, __ATOMIC_RELEASE);
	switch (rbelow(r, 6)) {
	case 0:
		munmap(p, len);
		break;
	case 1:
		mprotect(p, len, PROT_NONE);
		break;
	case 2:
		mprotect(p, len, PROT_READ);
		break;
	case 3:
		mprotect(p, len, PROT_READ | PROT_WRITE);
		break;
	case 4:
		/* a fresh mapping over the old one */
		mmap(p, len, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		break;
	default:
		if (pp >= &L->b.buf[0] && pp < &L->b.buf[MAX_N]) {
			/* move it to fresh arena space (a guard follows) */
			void *to = arena_alloc(len);
			void *q = to ? mremap(p, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, to) :
				       MAP_FAILED;

			if (q != MAP_FAILED)
				*pp = q;	/* the iocbs still name the old place */
		} else {
			mprotect(p, len, PROT_READ | PROT_WRITE);
		}
		break;
	}
	count_corruption();
}

/* Calls racing the main thread's. */
static void mut_call(struct live *L, struct rng *r)
{
	struct io_event ev[4];
	struct timespec zero = { 0, 0 };
	struct iocb *cbp = &L->iocbs[0];
	int dead = __atomic_load_n(&L->dead, __ATOMIC_ACQUIRE), e;
	long ret;

	switch (rbelow(r, 6)) {
	case 0:
	case 1:
		ret = x_enter(L->ctx, (unsigned int)rbelow(r, L->n + 2), 0,
			      (unsigned int)rbelow(r, 4), &e, 0);
		judge(C_ENTER, ret, e, dead ? EINVAL : 0, "racing, min 0");
		break;
	case 2:
		ret = x_getevents(L->ctx, 0, 4, ev, &zero, &e, 0);
		judge(C_GETEVENTS, ret, e, EINVAL, "a ring context");
		break;
	case 3:
		ret = x_submit(L->ctx, 1, &cbp, &e);
		judge(C_SUBMIT, ret, e, EINVAL, "a ring context");
		break;
	case 4:
		/* swap what a target fd number means for a moment */
		beat("dup2");
		if (rpct(r, 20)) {
			int fd = dup(L->t->fd);

			if (fd >= 0) {
				dup2(tgt_any(r)->fd, L->t->fd);
				dup2(fd, L->t->fd);
				close(fd);
			}
		}
		break;
	default:
		if (rpct(r, 5) && !__atomic_exchange_n(&L->destroyed, 1, __ATOMIC_ACQ_REL)) {
			ret = x_destroy(L->ctx, &e);
			judge(C_DESTROY, ret, e, 0, "racing the main thread");
			__atomic_store_n(&L->dead, 1, __ATOMIC_RELEASE);
		}
		break;
	}
}

static void *mutator(void *arg)
{
	struct live *L = arg;
	struct rng *r = &L->mr;
	unsigned long ops = 10 + rbelow(r, 400);
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	while (!L->stop && L->mut_ops < ops) {
		unsigned int what = (unsigned int)rbelow(r, 100);

		if (what < 45)
			mut_ring_word(L, r);
		else if (what < 75)
			mut_iocb(L, r);
		else if (what < 85)
			mut_memory(L, r);
		else
			mut_call(L, r);
		L->mut_ops++;
		if (rpct(r, 70))
			usleep((useconds_t)rbelow(r, 400));
	}
	return NULL;
}

/* Queue k iocbs in the SQ ring, at the application's own tail. */
static void live_queue(struct live *L, struct rng *r, unsigned int k, int fuzz_pct)
{
	unsigned int i, head = 0;

	if (!mem_read(&head, &L->sq->head, sizeof(head)) && head < L->n) {
		unsigned int space = L->n - 1 - (L->tail + L->n - head) % L->n;

		if (k > space && rpct(r, 90))
			k = space;
	}
	for (i = 0; i < k; i++) {
		unsigned int slot = (unsigned int)rbelow(r, L->n);
		struct iocb cb;

		gen_iocb(r, &cb, slot, &L->b, L->t, L->flags, fuzz_pct);
		mem_write(&L->iocbs[slot], &cb, sizeof(cb));
		if (rpct(r, 3))
			slot = odd_index(r, L->n);	/* an index the kernel drops */
		mem_write32(&L->sq->array[L->tail], slot);
		L->tail = (L->tail + 1) % L->n;
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	mem_write32(&L->sq->tail, L->tail);
}

static const unsigned int live_sizes[] = { 1, 2, 3, 4, 5, 8, 16, 31, 32, 64, 128 };
static const size_t buf_sizes[] = { 512, 4096, 4096, 8192, 65536, 1 << 20 };

static unsigned int live_flags(struct rng *r)
{
	unsigned int f = IOCTX_FLAG_SCQRING;

	if (rpct(r, 35))
		f |= IOCTX_FLAG_IOPOLL;
	if (rpct(r, 35))
		f |= IOCTX_FLAG_FIXEDBUFS;
	if (rpct(r, 35)) {
		f |= IOCTX_FLAG_SQTHREAD;
		if (rpct(r, 40))
			f |= IOCTX_FLAG_SQPOLL;
	}
	if (!(f & IOCTX_FLAG_IOPOLL) && rpct(r, 35))
		f |= IOCTX_FLAG_SQWQ;
	return f;
}

static void live_free(struct live *L)
{
	(void)L;
	arena_release();
}

static void iter_live(struct rng *r, uint64_t iter_salt)
{
	static struct live L;
	const struct io_event poison = { POISON, POISON, (int64_t)POISON, (int64_t)POISON };
	unsigned int i, rounds, nproc = (unsigned int)sysconf(_SC_NPROCESSORS_ONLN);
	int64_t end = now_ns() + ITER_SECS * 1000000000LL;
	long ret;
	int e, mutate;
	char args[160];

	memset(&L, 0, sizeof(L));
	L.n = PICK(r, live_sizes);
	L.flags = live_flags(r);
	L.t = tgt_for(r, L.flags);
	L.sq_len = page_round(aioring_sq_ring_size(L.n));
	L.io_len = page_round(aioring_iocbs_size(L.n));
	L.cq_len = page_round(aioring_cq_ring_size(L.n));
	L.sq = map_rw(L.sq_len);
	L.iocbs = map_rw(L.io_len);
	L.cq = map_rw(L.cq_len);
	L.b.n = L.n;
	{
		size_t bs = PICK(r, buf_sizes);

		/* at most 8 MiB of buffers (pinned with FIXEDBUFS) a context */
		if (bs * L.n > (8u << 20))
			bs = ((8u << 20) / L.n) & ~(size_t)4095;
		for (i = 0; i < L.n; i++) {
			L.b.len[i] = bs;
			L.b.buf[i] = map_rw(bs);
			if (!L.b.buf[i])
				L.b.buf[i] = zoo.unmapped;
		}
	}
	if (!L.sq || !L.iocbs || !L.cq) {
		failf("mmap of rings for %u entries: %s", L.n, strerror(errno));
		return;
	}
	L.sq->nr_events = L.n;
	L.cq->nr_events = 2 * L.n;
	L.sq->iocbs = (uint64_t)(uintptr_t)L.iocbs;
	L.sq->sq_thread_cpu = (uint16_t)rbelow(r, nproc);
	for (i = 0; i < 2 * L.n; i++)
		L.cq->events[i] = poison;
	for (i = 0; i < L.n; i++) {
		gen_iocb(r, &L.iocbs[i], i, &L.b, L.t, L.flags, 0);
		/* FIXEDBUFS registers each slot's whole buffer */
		L.iocbs[i].aio_buf = (uint64_t)(uintptr_t)L.b.buf[i];
		L.iocbs[i].aio_nbytes = L.b.len[i];
	}
	snprintf(args, sizeof(args), "n %u, flags %#x, target %s, buffers %zu",
		 L.n, L.flags, L.t->name, L.b.len[0]);
	vlog("live: %s", args);
	snprintf((char *)sh->desc, sizeof(sh->desc), "live: %s", args);

	ret = x_setup2(L.n, L.flags, L.sq, L.cq, &L.ctx, &e);
	if (ret) {
		/* valid arguments: only resource limits may refuse them */
		if (ret != -1 || (e != ENOMEM && e != EAGAIN))
			failf("io_setup2(%s): a valid setup failed: %ld %s", args,
			      ret, ret == -1 ? ename(e) : "");
		live_free(&L);
		return;
	}
	if (!L.ctx || L.ctx >= 0x800000000000ULL)
		failf("io_setup2(%s): context id %#llx", args, (unsigned long long)L.ctx);

	mutate = rpct(r, 80);
	L.mr = rng_for(g_seed, cur_iter, iter_salt ^ 0x6d75746174ULL);
	if (mutate && !pthread_create(&L.mut, NULL, mutator, &L))
		L.mut_running = 1;

	rounds = 3 + (unsigned int)rbelow(r, 30);
	for (i = 0; i < rounds && now_ns() < end; i++) {
		static const unsigned int big[] = { 0xffffffff, 0x80000000, 65536 };
		unsigned int k = (unsigned int)rbelow(r, L.n + 1), sub, min, fl;
		int dead = __atomic_load_n(&L.dead, __ATOMIC_ACQUIRE);

		live_queue(&L, r, k, 25);
		sub = rpct(r, 80) ? k : (rpct(r, 50) ? PICK(r, big) : (unsigned int)rbelow(r, 2 * L.n));
		min = rpct(r, 60) ? (unsigned int)rbelow(r, 2) :
		      (rpct(r, 70) ? (unsigned int)rbelow(r, 2 * L.n + 1) : PICK(r, big));
		fl = rpct(r, 90) ? (unsigned int)rbelow(r, 4) : (unsigned int)rnext(r);
		snprintf(args, sizeof(args), "n %u flags %#x: to_submit %u, min %u, flags %#x",
			 L.n, L.flags, sub, min, fl);
		ret = x_enter(L.ctx, sub, min, fl, &e, 1);
		if (ret == -1 && e == EINTR && !watchdog_fired)
			failf("io_ring_enter(%s): EINTR without a signal", args);
		judge(C_ENTER, ret, e, (fl & ~3u) || dead ? EINVAL : 0, args);
		if (ret >= 0 && !(fl & ~3u)) {
			if (!(fl & IORING_FLAG_SUBMIT) || !sub) {
				if (ret != 0)
					failf("io_ring_enter(%s) returned %ld without submitting",
					      args, ret);
			} else if (L.flags & IOCTX_FLAG_SQTHREAD) {
				if (ret != (long)sub)
					failf("io_ring_enter(%s) with an SQ thread returned %ld, not to_submit",
					      args, ret);
			} else if (ret > (long)sub || ret > (long)L.n - 1) {
				failf("io_ring_enter(%s) returned %ld: more than the SQ holds",
				      args, ret);
			}
		}
		live_reap(&L);
		live_scan(&L);
		if ((L.flags & IOCTX_FLAG_SQPOLL) && rpct(r, 10))
			ms_sleep(rbelow(r, 50));
	}
	L.stop = 1;
	if (L.mut_running && rpct(r, 90)) {
		pthread_join(L.mut, NULL);
		L.mut_running = 0;
	}
	if (!L.mut_ops) {
		/* nobody corrupted anything: the app-owned words are untouched */
		struct aio_sq_ring sqh;
		struct aio_cq_ring cqh;

		if (!mem_read(&sqh, L.sq, sizeof(sqh)) && !mem_read(&cqh, L.cq, sizeof(cqh)) &&
		    (sqh.nr_events != L.n || sqh.tail != L.tail ||
		     sqh.iocbs != (uint64_t)(uintptr_t)L.iocbs || cqh.nr_events != 2 * L.n ||
		     cqh.head != L.head || sqh.head >= L.n || cqh.tail >= 2 * L.n ||
		     (sqh.kflags & ~IORING_SQ_NEED_WAKEUP)))
			failf("ring ctx %s: ring header words wrong (sq head %u tail %u/%u nr %u kflags %#x, cq head %u/%u tail %u nr %u)",
			      args, sqh.head, sqh.tail, L.tail, sqh.nr_events, sqh.kflags,
			      cqh.head, L.head, cqh.tail, cqh.nr_events);
	}

	/* teardown: destroy with IO in flight, after a drain, or at exit */
	switch (rbelow(r, 4)) {
	case 0: {
		int64_t drain_end = now_ns() + 2000000000LL;

		while (now_ns() < drain_end && !__atomic_load_n(&L.destroyed, __ATOMIC_ACQUIRE)) {
			unsigned long before = L.events + L.spurious;

			ret = x_enter(L.ctx, 0, 1, IORING_FLAG_GETEVENTS, &e, 1);
			judge(C_ENTER, ret, e, 0, "drain");
			live_reap(&L);
			/* nothing came: nothing is in flight (or it never ends) */
			if ((ret == -1 && e != EAGAIN) || L.events + L.spurious == before)
				break;
		}
	}
		/* fallthrough */
	case 1:
	case 2:
		if (!__atomic_exchange_n(&L.destroyed, 1, __ATOMIC_ACQ_REL)) {
			ret = x_destroy(L.ctx, &e);
			judge(C_DESTROY, ret, e, 0, label("ring ctx %s", args));
		}
		ret = x_enter(L.ctx, 1, 1, 3, &e, 1);
		judge(C_ENTER, ret, e, EINVAL, "a destroyed context");
		ret = x_destroy(L.ctx, &e);
		judge(C_DESTROY, ret, e, EINVAL, "a destroyed context");
		break;
	default:
		break;	/* exit_aio() at the end of the batch */
	}
	L.stop = 1;
	if (L.mut_running)
		pthread_join(L.mut, NULL);
	live_scan(&L);
	vlog("live: %lu events, %lu spurious, %lu mutations", L.events, L.spurious,
	     L.mut_ops);
	live_free(&L);
}

/* ------------------------------------------------------------------ */
/* Kind "noring": io_submit / io_getevents on contexts without rings    */

struct noring {
	unsigned int n, flags;
	aio_context_t ctx;
	struct iocb *iocbs;		/* n + 1 iocbs */
	struct iocb **ptrs;		/* n + 1 pointers */
	struct bufs b;
	struct tgt *t;
	volatile int stop;
	struct rng mr;
};

static int in_array(const struct noring *N, uint64_t obj)
{
	uint64_t lo = (uint64_t)(uintptr_t)N->iocbs;

	return obj >= lo && obj < lo + (N->n + 1) * sizeof(struct iocb);
}

static int in_junk(uint64_t obj)
{
	uint64_t lo = (uint64_t)(uintptr_t)zoo.junk;

	return obj >= lo && obj < lo + 4 * PAGE_SZ;
}

/* an iocb of the array (maybe unaligned), or one in the junk pages */
static int noring_obj_ok(uint64_t obj, void *arg)
{
	return in_array(arg, obj) || in_junk(obj);
}

/*
 * An odd iocb pointer for io_submit. Unaligned ones stay 40 bytes into an
 * iocb, so the kernel's store of aio_key (offset 8) never reaches the
 * aio_data of the next one (events of aligned iocbs keep a checkable
 * aio_data).
 */
static uint64_t iocb_ptr(struct rng *r, struct noring *N, unsigned int s)
{
	uint64_t p = odd_ptr(r, &N->iocbs[s], sizeof(struct iocb));
	uint64_t g = (uint64_t)(uintptr_t)&N->iocbs[s];

	if (p > g && p < g + 64)
		p = g + 1 + rbelow(r, 40);
	return p;
}

static void *noring_mutator(void *arg)
{
	struct noring *N = arg;
	struct rng *r = &N->mr;
	sigset_t set;
	int k = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	while (!N->stop && k++ < 300) {
		unsigned int s = (unsigned int)rbelow(r, N->n);

		if (rpct(r, 60)) {
			struct iocb cb;

			gen_iocb(r, &cb, s, &N->b, N->t, N->flags, 60);
			mem_write(&N->iocbs[s], &cb, sizeof(cb));
		} else if (rpct(r, 70)) {
			uint64_t p = iocb_ptr(r, N, s);

			mem_write(&N->ptrs[s], &p, sizeof(p));
		} else {
			struct io_event ev[2];
			struct timespec zero = { 0, 0 };
			long ret;
			int e;

			ret = x_getevents(N->ctx, 0, 2, ev, &zero, &e, 0);
			judge(C_GETEVENTS, ret, e, 0, "racing, zero timeout");
		}
		count_corruption();
		usleep((useconds_t)rbelow(r, 300));
	}
	return NULL;
}

static void iter_noring(struct rng *r, uint64_t iter_salt)
{
	static struct noring N;
	/* room for 2n + 4 events, written up to 63 bytes unaligned */
	static struct io_event evbuf[2 * MAX_N + 16];
	unsigned int i, rounds;
	pthread_t mt;
	int mt_running = 0, e;
	long ret;
	char args[160];

	memset(&N, 0, sizeof(N));
	N.n = PICK(r, live_sizes);
	N.flags = rpct(r, 50) ? IOCTX_FLAG_IOPOLL : 0;
	N.t = tgt_for(r, N.flags);
	N.iocbs = map_rw((N.n + 1) * sizeof(struct iocb));
	N.ptrs = map_rw((N.n + 1) * sizeof(void *));
	N.b.n = N.n;
	for (i = 0; i < N.n; i++) {
		N.b.len[i] = 4096;
		N.b.buf[i] = map_rw(4096);
		if (!N.b.buf[i])
			N.b.buf[i] = zoo.unmapped;
	}
	if (!N.iocbs || !N.ptrs) {
		failf("mmap: %s", strerror(errno));
		return;
	}
	snprintf((char *)sh->desc, sizeof(sh->desc), "noring: n %u, flags %#x, target %s",
		 N.n, N.flags, N.t->name);
	ret = x_setup2(N.n, N.flags, NULL, NULL, &N.ctx, &e);
	if (ret) {
		if (ret != -1 || (e != ENOMEM && e != EAGAIN))
			failf("io_setup2(%u, %#x, NULL, NULL): a valid setup failed: %ld %s",
			      N.n, N.flags, ret, ret == -1 ? ename(e) : "");
		goto out;
	}
	for (i = 0; i < N.n; i++) {
		gen_iocb(r, &N.iocbs[i], i, &N.b, N.t, N.flags, 20);
		N.ptrs[i] = &N.iocbs[i];
	}
	N.mr = rng_for(g_seed, cur_iter, iter_salt ^ 0x6e6f72696e67ULL);
	if (rpct(r, 60) && !pthread_create(&mt, NULL, noring_mutator, &N))
		mt_running = 1;

	rounds = 2 + (unsigned int)rbelow(r, 12);
	for (i = 0; i < rounds; i++) {
		long nr;
		uint64_t pp = (uint64_t)(uintptr_t)N.ptrs;
		unsigned int s;

		for (s = 0; s < N.n; s++)
			if (rpct(r, 40)) {
				struct iocb cb;

				gen_iocb(r, &cb, s, &N.b, N.t, N.flags, 25);
				mem_write(&N.iocbs[s], &cb, sizeof(cb));
			}
		switch (rbelow(r, 8)) {
		case 0: nr = -1; break;
		case 1: nr = LONG_MAX; break;
		case 2: nr = 0; break;
		case 3: nr = N.n + 1; break;
		default: nr = 1 + (long)rbelow(r, N.n); break;
		}
		if (rpct(r, 10))
			pp = odd_ptr(r, N.ptrs, sizeof(void *));
		if (rpct(r, 10)) {
			uint64_t p = iocb_ptr(r, &N, (unsigned int)rbelow(r, N.n));

			mem_write(&N.ptrs[rbelow(r, N.n)], &p, sizeof(p));
		}
		snprintf(args, sizeof(args), "flags %#x n %u: nr %ld, iocbpp %#llx",
			 N.flags, N.n, nr, (unsigned long long)pp);
		ret = x_submit(N.ctx, nr, (void *)(uintptr_t)pp, &e);
		judge(C_SUBMIT, ret, e, nr < 0 ? EINVAL : 0, args);
		if (ret > nr || (ret > 0 && ret > N.n + 1))
			failf("io_submit(%s) returned %ld: more than it was given", args, ret);

		/* reap */
		{
			long min = (long)rbelow(r, 3), max = 1 + (long)rbelow(r, 2 * N.n + 4);
			struct timespec ts = { 0, 1000000 * (long)rbelow(r, 50) };
			uint64_t evp = (uint64_t)(uintptr_t)evbuf, tsp = (uint64_t)(uintptr_t)&ts;
			int want = 0;

			if (rpct(r, 8))
				evp = odd_ptr(r, evbuf, sizeof(evbuf));
			if (rpct(r, 8)) {
				tsp = odd_ptr(r, &ts, sizeof(ts));
				if (tsp != (uint64_t)(uintptr_t)&ts)
					want = 0;
			}
			if (rpct(r, 5))
				ts.tv_nsec = rpct(r, 50) ? -1 : 1000000000L;
			if (rpct(r, 5))
				min = max + 1;
			if (rpct(r, 3))
				min = -1;
			/* min out of range: EINVAL, unless the timeout faults first */
			if ((min > max || min < 0) && tsp == (uint64_t)(uintptr_t)&ts)
				want = EINVAL;
			snprintf(args, sizeof(args), "flags %#x: min %ld, nr %ld, events %#llx, timeout %#llx",
				 N.flags, min, max, (unsigned long long)evp, (unsigned long long)tsp);
			memset(evbuf, 0, sizeof(evbuf));
			ret = x_getevents(N.ctx, min, max, (void *)(uintptr_t)evp,
					  (void *)(uintptr_t)tsp, &e, 1);
			judge(C_GETEVENTS, ret, e, want, args);
			if (ret > max)
				failf("io_getevents(%s) returned %ld events", args, ret);
			if (ret > 0 && evp == (uint64_t)(uintptr_t)evbuf) {
				long k;

				for (k = 0; k < ret && k < (long)ARRAY_SIZE(evbuf); k++)
					check_event(&evbuf[k], N.flags, noring_obj_ok, &N,
						    in_array(&N, evbuf[k].obj) &&
						    (evbuf[k].obj - (uint64_t)(uintptr_t)N.iocbs) %
						    sizeof(struct iocb) == 0,
						    label("io_getevents, flags %#x, event %ld",
							  N.flags, k));
			}
		}
	}
	N.stop = 1;
	if (mt_running)
		pthread_join(mt, NULL);
	/* a ring-less context takes no io_ring_enter */
	ret = x_enter(N.ctx, 1, 1, 3, &e, 1);
	judge(C_ENTER, ret, e, EINVAL, "a context without rings");
	if (rpct(r, 80)) {
		ret = x_destroy(N.ctx, &e);
		judge(C_DESTROY, ret, e, 0, "a context without rings");
	}
out:
	arena_release();
}

/* ------------------------------------------------------------------ */
/* Kind "badctx": ids that are no live context of the right kind        */

static void iter_badctx(struct rng *r)
{
	aio_context_t classic = 0, dead = 0, plain = 0, id;
	struct io_event ev[2];
	struct timespec zero = { 0, 0 };
	struct iocb cb, *cbp = &cb;
	long ret;
	int e, i;

	/* all three first: a new context may take a dead one's address */
	if (sys_io_setup(4, &classic))
		classic = 0;
	if (x_setup2(4, 0, NULL, NULL, &plain, &e))
		plain = 0;
	if (!x_setup2(4, 0, NULL, NULL, &dead, &e)) {
		ret = x_destroy(dead, &e);
		judge(C_DESTROY, ret, e, 0, "a flags-0 io_setup2 context");
	} else {
		judge(C_SETUP2, -1, e, 0, "4, 0, NULL, NULL");
	}
	memset(&cb, 0, sizeof(cb));
	cb.aio_data = DATA_OF(1);
	cb.aio_fildes = (uint32_t)-1;

	for (i = 0; i < 6; i++) {
		const aio_context_t ids[] = {
			0, 1, (aio_context_t)-1, 0xffffffff81000000ULL, dead,
			(aio_context_t)(uintptr_t)zoo.scratch, classic + 1, plain + 8,
			(aio_context_t)(uintptr_t)zoo.unmapped,
		};

		id = PICK(r, ids);
		ret = x_enter(id, 1, 1, 3, &e, 1);
		judge(C_ENTER, ret, e, EINVAL, label("id %#llx", (unsigned long long)id));
		ret = x_submit(id, 1, &cbp, &e);
		judge(C_SUBMIT, ret, e, EINVAL, label("id %#llx", (unsigned long long)id));
		ret = x_getevents(id, 0, 2, ev, &zero, &e, 1);
		judge(C_GETEVENTS, ret, e, EINVAL, label("id %#llx", (unsigned long long)id));
		if (id != classic && id != plain && id) {
			ret = x_destroy(id, &e);
			judge(C_DESTROY, ret, e, EINVAL,
			      label("id %#llx", (unsigned long long)id));
		}
	}
	/* classic and ring-less contexts: io_ring_enter is EINVAL */
	if (classic) {
		ret = x_enter(classic, 0, 0, IORING_FLAG_GETEVENTS, &e, 1);
		judge(C_ENTER, ret, e, EINVAL, "an io_setup context");
		sys_io_destroy(classic);
	}
	if (plain) {
		ret = x_enter(plain, 0, 0, (unsigned int)rbelow(r, 4), &e, 1);
		judge(C_ENTER, ret, e, EINVAL, "a flags-0 io_setup2 context");
		ret = x_destroy(plain, &e);
		judge(C_DESTROY, ret, e, 0, "a flags-0 io_setup2 context");
	}
}

/* ------------------------------------------------------------------ */
/* A batch of iterations, in a child                                    */

static void run_iteration(long iter)
{
	struct rng r = rng_for(g_seed, iter, 0);
	unsigned int k = (unsigned int)rbelow(&r, 100);
	int kind = k < 22 ? K_SETUP : k < 72 ? K_LIVE : k < 90 ? K_NORING : K_BADCTX;

	cur_iter = iter;
	iter_failures = 0;
	sh->iter = iter;
	__atomic_fetch_add(&sh->kinds[kind], 1, __ATOMIC_RELAXED);
	vlog("kind %s", kind_name[kind]);
	snprintf((char *)sh->desc, sizeof(sh->desc), "%s", kind_name[kind]);
	switch (kind) {
	case K_SETUP: iter_setup(&r); break;
	case K_LIVE: iter_live(&r, rnext(&r)); break;
	case K_NORING: iter_noring(&r, rnext(&r)); break;
	default: iter_badctx(&r); break;
	}
	__atomic_fetch_add(&sh->iterations, 1, __ATOMIC_RELAXED);
}

static void become_nobody(void)
{
	int e = drop_to_nobody();

	if (e) {
		failf("cannot become uid %d: %s", NOBODY_ID, strerror(-e));
		_exit(1);
	}
}

/*
 * The process's own memory outside what the fuzzer hands to the kernel
 * must not change: glibc's default thread stack size (in libc's .bss)
 * is a sample. When it changes, say in which iteration and where the
 * process's mappings were, instead of dying in the next pthread_create.
 */
static size_t default_stack;

static void check_own_memory(void)
{
	pthread_attr_t a;
	size_t now = 0;
	char line[256];
	FILE *f;

	if (pthread_getattr_default_np(&a))
		return;
	pthread_attr_getstacksize(&a, &now);
	pthread_attr_destroy(&a);
	if (now == default_stack)
		return;
	failf("the fuzzer's own memory changed: glibc's default thread stack size %zu, was %zu",
	      now, default_stack);
	f = fopen("/proc/self/maps", "r");
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "libc") || strstr(line, "[aio]") || strstr(line, "ld-linux") ||
		    !strchr(line, '/'))
			printf("V %ld maps: %s", cur_iter, line);
	if (f)
		fclose(f);
	fflush(stdout);
	_exit(3);
}

static void child_batch(long first, long count, int as_nobody)
{
	struct rlimit fs = { 64 << 20, 64 << 20 };
	pthread_attr_t a;
	long i;

	signal(SIGXFSZ, SIG_IGN);	/* writes past 64 MiB: EFBIG events */
	signal(SIGPIPE, SIG_IGN);
	setrlimit(RLIMIT_FSIZE, &fs);
	if (as_nobody)
		become_nobody();
	zoo_setup();
	if (!pthread_getattr_default_np(&a)) {
		pthread_attr_getstacksize(&a, &default_stack);
		pthread_attr_destroy(&a);
	}
	for (i = first; i < first + count; i++) {
		run_iteration(i);
		check_own_memory();
	}
	fflush(stdout);
	_exit(0);
}

/* ------------------------------------------------------------------ */
/* The parent                                                           */

static int fail_lines;
static unsigned long total_failures;
/*
 * A child did not exit after SIGKILL: its IO may stay in flight for good,
 * and a truncate of a target file would wait for it (inode_dio_wait):
 * leave the files alone from then on.
 */
static int child_stuck;

/* A failure: a TAP line (the first MAX_FAIL_LINES, and always when forced). */
__attribute__((format(printf, 2, 3)))
static void report(int force, const char *fmt, ...)
{
	char msg[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	total_failures++;
	if (force || fail_lines++ < MAX_FAIL_LINES)
		ok(0, "%s", msg);
	else if (fail_lines == MAX_FAIL_LINES + 1)
		diag("more failures follow; only their count is reported");
}

#define report_failure(...)	report(0, __VA_ARGS__)
#define report_always(...)	report(1, __VA_ARGS__)

/*
 * A child hangs: give every blocking target what a blocked read or write
 * waits for (a kernel worker stuck in one cannot be killed), so the
 * child can exit after SIGKILL and the guest can go on.
 */
static void feed_targets(void)
{
	static char junk[65536];
	uint64_t one = 1;
	int i;

	for (i = 0; i < ntgt; i++) {
		ssize_t n = 0;

		switch (tgts[i].kind) {
		case T_EVENTFD:
			n = write(tgts[i].fd, &one, sizeof(one));
			break;
		case T_SOCKET:
		case T_PIPE_W: {
			int fl = fcntl(tgts[i].fd, F_GETFL);

			fcntl(tgts[i].fd, F_SETFL, fl | O_NONBLOCK);
			n = write(tgts[i].fd, junk, sizeof(junk));
			fcntl(tgts[i].fd, F_SETFL, fl);
			break;
		}
		case T_PIPE_R: {
			/* drain, so blocked writers go on */
			while (read(tgts[i].fd, junk, sizeof(junk)) > 0)
				;
			break;
		}
		default:
			break;
		}
		(void)n;
	}
}

static void dump_stacks(pid_t pid)
{
	char dir[64], path[PATH_MAX], buf[4096];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/task", (int)pid);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char *line, *save = NULL;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/stack", dir, de->d_name);
		if (read_file(path, buf, sizeof(buf)))
			continue;
		diag("task %s kernel stack:", de->d_name);
		for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			diag("  %s", line);
	}
	closedir(d);
}

/* Relay one line of a child: failures become TAP, the rest diagnostics. */
static void child_line(char *line, uint64_t seed)
{
	if (!strncmp(line, "F ", 2)) {
		char *msg;
		long it = strtol(line + 2, &msg, 10);

		report_failure("seed %llu iteration %ld:%s (replay: aioring-fuzz --replay %llu --iteration %ld)",
			       (unsigned long long)seed, it, msg,
			       (unsigned long long)seed, it);
	} else if (!strncmp(line, "C ", 2)) {
		total_failures++;
	} else if (!strncmp(line, "V ", 2)) {
		diag("%s", line + 2);
	} else if (!strncmp(line, "Bail out!", 9) || !strncmp(line, "not ok", 6)) {
		report_failure("seed %llu iteration %ld: %s", (unsigned long long)seed,
			       sh->iter, line);
	} else if (*line) {
		diag("child: %s", line);
	}
}

struct batch_result {
	int hung, crashed, aio_nr_bad;
};

/*
 * Run iterations [first, first + count) in a child; relay its lines;
 * kill it when its heartbeat stops. Returns what went wrong.
 */
static struct batch_result run_batch(uint64_t seed, long first, long count,
				     int as_nobody, long aio_nr_base)
{
	struct batch_result br = { 0, 0, 0 };
	char buf[8192];
	size_t have = 0;
	unsigned long last_beat;
	int64_t last_change;
	int fd, st = 0;
	pid_t pid;

	sh->iter = first;
	sh->beat = 0;
	pid = fork_piped(&fd);
	if (pid == 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		close(fd);
		child_batch(first, count, as_nobody);
	}
	last_beat = sh->beat;
	last_change = now_ns();
	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t n;
		char *nl;

		if (poll(&pfd, 1, 1000) > 0) {
			n = read(fd, buf + have, sizeof(buf) - 1 - have);
			if (n <= 0)
				break;
			have += n;
			buf[have] = 0;
			while ((nl = strchr(buf, '\n'))) {
				*nl = 0;
				child_line(buf, seed);
				have -= nl + 1 - buf;
				memmove(buf, nl + 1, have + 1);
			}
			if (have == sizeof(buf) - 1) {
				child_line(buf, seed);
				have = 0;
			}
		}
		if (sh->beat != last_beat) {
			last_beat = sh->beat;
			last_change = now_ns();
		} else if (now_ns() - last_change > HANG_SECS * 1000000000LL) {
			report_always("seed %llu iteration %ld: hang: no progress for %d s in %s [%s] (replay: aioring-fuzz --replay %llu --iteration %ld)",
				       (unsigned long long)seed, sh->iter, HANG_SECS,
				       (const char *)sh->what, (const char *)sh->desc,
				       (unsigned long long)seed, sh->iter);
			dump_stacks(pid);
			feed_targets();
			kill(pid, SIGKILL);
			br.hung = 1;
			break;
		}
	}
	close(fd);
	{
		int64_t end = now_ns() + 30000000000LL;
		pid_t w;

		while ((w = waitpid(pid, &st, WNOHANG)) == 0 && now_ns() < end) {
			ms_sleep(20);
			if (br.hung)
				feed_targets();
		}
		if (w != pid) {
			report_always("seed %llu iteration %ld: the child did not exit 30 s after SIGKILL",
				       (unsigned long long)seed, sh->iter);
			dump_stacks(pid);
			br.hung = 1;
			child_stuck = 1;
			return br;
		}
	}
	if (!br.hung && WIFSIGNALED(st)) {
		report_always("seed %llu iteration %ld: the fuzzer was killed by signal %d (%s) in %s [%s] (replay: aioring-fuzz --replay %llu --iteration %ld)",
			       (unsigned long long)seed, sh->iter, WTERMSIG(st),
			       strsignal(WTERMSIG(st)), (const char *)sh->what,
			       (const char *)sh->desc,
			       (unsigned long long)seed, sh->iter);
		br.crashed = 1;
	} else if (!br.hung && WIFEXITED(st) && WEXITSTATUS(st)) {
		report_failure("seed %llu iterations %ld..%ld: the child exited with %d",
			       (unsigned long long)seed, first, first + count - 1,
			       WEXITSTATUS(st));
		br.crashed = 1;
	}
	if (aio_nr_base >= 0) {
		long v = aio_nr_wait(aio_nr_base, 10000);

		if (v != aio_nr_base) {
			report_always("seed %llu iterations %ld..%ld: fs.aio-nr %ld after the batch, baseline %ld",
				       (unsigned long long)seed, first, first + count - 1,
				       v, aio_nr_base);
			br.aio_nr_bad = 1;
		}
	}
	if (!child_stuck)
		targets_reset();
	return br;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: aioring-fuzz [--seed N]... [--random] [--duration S] [--iterations N]\n"
"                    [--replay SEED [--iteration I]] [--verbose]\n"
"  --seed N        seed of a run (repeatable: one run per seed; default: from\n"
"                  the time)\n"
"  --random        add a run with a seed from the time\n"
"  --duration S    seconds each run lasts (default 60 unless --iterations)\n"
"  --iterations N  iterations each run does at most\n"
"  --replay SEED   replay a run of SEED; with --iteration I from iteration I,\n"
"                  verbosely: I alone, or --iterations N of them (a child\n"
"                  per 8 from I, as in the run when I is a multiple of 8)\n"
"  --verbose       say what each iteration does\n"
"Runs only inside the test VM (io_setup2 is syscall 335 there). TAP output,\n"
"then '# figure: fuzz.<name> <N>' lines. Exit 0: no failure, 1: failures.\n");
}

static uint64_t time_seed(void)
{
	return ((uint64_t)now_ns() ^ ((uint64_t)getpid() << 20)) % 1000000000000ULL;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "random", no_argument, NULL, 'r' },
		{ "duration", required_argument, NULL, 'd' },
		{ "iterations", required_argument, NULL, 'i' },
		{ "replay", required_argument, NULL, 'R' },
		{ "iteration", required_argument, NULL, 'I' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t seeds[MAX_SEEDS];
	int nseeds = 0, add_random = 0, opt, si;
	double duration = -1;
	long iterations = -1, only_iter = -1, aio_base;
	unsigned long tot_iters = 0;
	int64_t t0;
	int replay = 0;

	while ((opt = getopt_long(argc, argv, "s:rd:i:R:I:vh", lo, NULL)) != -1) {
		switch (opt) {
		case 's':
		case 'R':
			if (nseeds == MAX_SEEDS) {
				fprintf(stderr, "aioring-fuzz: at most %d seeds\n", MAX_SEEDS);
				return 2;
			}
			seeds[nseeds++] = strtoull(optarg, NULL, 0);
			replay |= opt == 'R';
			break;
		case 'r': add_random = 1; break;
		case 'd': duration = strtod(optarg, NULL); break;
		case 'i': iterations = strtol(optarg, NULL, 0); break;
		case 'I': only_iter = strtol(optarg, NULL, 0); break;
		case 'v': g_verbose = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc || (only_iter >= 0 && !replay)) {
		usage(stderr);
		return 2;
	}
	if (add_random || !nseeds)
		seeds[nseeds++] = time_seed();
	if (only_iter >= 0) {
		if (iterations < 0)
			iterations = 1;
		g_verbose = 1;
	}
	if (duration < 0 && iterations < 0)
		duration = 60;
	for (si = 0; si < nseeds; si++)
		printf("# seed: %llu\n", (unsigned long long)seeds[si]);
	fflush(stdout);

	require_aioring();
	if (read_sysctl_long("/proc/sys/fs/aio-ring-disabled") > 0)
		skip_all("fs.aio-ring-disabled is set");
	sh = mmap(NULL, page_round(sizeof(*sh)), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		bail_out("mmap shared");
	targets_setup();
	diag("%d targets:", ntgt);
	for (si = 0; si < ntgt; si++)
		diag("  %s (fd %d)", tgts[si].name, tgts[si].fd);
	aio_base = aio_nr();
	t0 = now_ns();

	for (si = 0; si < nseeds; si++) {
		uint64_t seed = seeds[si];
		int64_t start = now_ns();
		long iter = only_iter >= 0 ? only_iter : 0, stop = iterations >= 0 ? iter + iterations : LONG_MAX;
		unsigned long batches = 0, before_fail = total_failures, hangs = 0, crashes = 0,
			      leaks = 0, iters0 = sh->iterations;

		g_seed = seed;
		while (iter < stop &&
		       (duration < 0 || now_ns() - start < (int64_t)(duration * 1e9))) {
			long count = stop - iter < BATCH ? stop - iter : BATCH;
			struct batch_result br;

			br = run_batch(seed, iter, count, (int)(batches & 1) && only_iter < 0,
				       aio_base);
			hangs += br.hung;
			crashes += br.crashed;
			leaks += br.aio_nr_bad;
			if (br.aio_nr_bad)
				aio_base = aio_nr();	/* report a leak once */
			iter += count;
			batches++;
			if (br.hung)
				break;	/* a hung kernel task stays: stop this seed */
		}
		ok(total_failures == before_fail,
		   "seed %llu: %lu iterations in %lu child processes (%.0f s): every errno, return value, event and ring word as the spec says",
		   (unsigned long long)seed, sh->iterations - iters0, batches,
		   (now_ns() - start) / 1e9);
		ok(!hangs, "seed %llu: no call hung (%lu hangs)", (unsigned long long)seed, hangs);
		ok(!crashes, "seed %llu: no child died of an unexpected signal (%lu)",
		   (unsigned long long)seed, crashes);
		ok(!leaks, "seed %llu: fs.aio-nr back at its baseline after every batch (%lu leaks)",
		   (unsigned long long)seed, leaks);
		tot_iters = sh->iterations;
		/* a task the kernel cannot kill: later seeds would only hang too */
		if (child_stuck)
			break;
	}
	ok(!child_stuck, "no child stayed in the kernel after SIGKILL%s",
	   child_stuck && si + 1 < nseeds ? " (the remaining seeds were not run)" : "");
	if (!child_stuck)
		targets_cleanup();
	diag("iterations by kind: setup %lu, live %lu, noring %lu, badctx %lu",
	     sh->kinds[K_SETUP], sh->kinds[K_LIVE], sh->kinds[K_NORING], sh->kinds[K_BADCTX]);
	printf("# figure: fuzz.iterations %lu\n", tot_iters);
	printf("# figure: fuzz.seconds %.0f\n", (now_ns() - t0) / 1e9);
	for (si = 0; si < nseeds; si++)
		printf("# figure: fuzz.seed %llu\n", (unsigned long long)seeds[si]);
	printf("# figure: fuzz.syscalls %lu\n", sh->syscalls);
	printf("# figure: fuzz.ring_corruptions %lu\n", sh->corruptions);
	printf("# figure: fuzz.failures %lu\n", total_failures);
	return tap_done();
}
