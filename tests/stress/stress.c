// SPDX-License-Identifier: MIT
/*
 * stress: several processes x contexts x modes doing verified IO for a
 * fixed time on every target of the test VM (null_blk with and without
 * the regression suite's share, NVMe, files on ext4 and xfs).
 *
 * Every 4 KiB block written carries a header (magic, target id, context
 * id, byte offset, generation, run seed) and a 64-bit checksum over the
 * whole block; the rest is a pattern of the offset and generation.  Each
 * context owns a slice of one target, keeps the generation of each of
 * its blocks, never has two IOs on one block at once, and checks every
 * read: checksum, and header = what it last wrote there.  The contexts
 * are remade every few seconds (io_destroy after a drain, io_setup2
 * again).  At the end every block written is read back once more
 * (pread) and checked.  Modes: inline, iopoll, sqthread, sqpoll, sqwq
 * (buffered files), fixedbufs, assigned round-robin.
 *
 *   stress [-t SECONDS] [-p PROCESSES] [-c CONTEXTS] [-s SEED]
 *
 * Targets: AIORING_TEST_BDEV (its last quarter; the regression suite
 * uses the start), AIORING_POLL_BDEVS (first 64 MiB), a 16 MiB file in
 * each AIORING_TEST_DIRS directory.  Prints TAP and the figures
 * stress.seconds, stress.ios_verified, stress.bytes_verified,
 * stress.mismatches and stress.processes.  Only in the test VM (syscalls
 * 335/336).
 */
#include "../abi/ring2_util.h"

#include <getopt.h>

#define BS		4096u
#define MAGIC		0x53525453524f4941ULL	/* "AIORSTRS" */
#define BDEV_SPAN	(64ull << 20)
#define FILE_SPAN	(16ull << 20)
#define EPOCH_S		8		/* contexts are remade this often */
#define MAX_CTX		64
#define MAX_TGT		8

enum { S_INLINE, S_IOPOLL, S_SQTHREAD, S_SQPOLL, S_SQWQ, S_FIXEDBUFS, S_MODES };
static const char *const smode_name[S_MODES] = {
	"inline", "iopoll", "sqthread", "sqpoll", "sqwq", "fixedbufs",
};

struct hdr {
	uint64_t magic;
	uint32_t target, ctx;
	uint64_t offset, generation, seed;
	uint64_t sum;		/* over the block with sum = 0 */
};

struct stgt {
	char name[96], path[PATH_MAX];
	int is_bdev, polled, created;
	uint64_t base, span;
	int nctx;		/* contexts on it */
};

/* per process, in shared memory */
struct pstats {
	unsigned long ios, reads_verified, bytes_verified, final_verified;
	unsigned long mismatches, errors, contexts_made;
	char msg[256];
	int done;
};

static struct stgt tg[MAX_TGT];
static int ntg;
static uint64_t seed;
static int seconds = 60, nproc = 4, nctx = 3;
static struct pstats *ps;

static uint64_t block_sum(const void *blk)
{
	const uint64_t *w = blk;
	uint64_t h = 0x6a09e667f3bcc909ULL;
	size_t i;

	for (i = 0; i < BS / 8; i++) {
		uint64_t v = i == offsetof(struct hdr, sum) / 8 ? 0 : w[i];

		h ^= v * 0x9e3779b97f4a7c15ULL;
		h = ((h << 27) | (h >> 37)) * 0xc2b2ae3d27d4eb4fULL;
	}
	return h;
}

static void block_make(void *blk, uint32_t target, uint32_t ctx, uint64_t off,
		       uint64_t gen)
{
	struct hdr *h = blk;

	pattern_fill(blk, BS, off, seed ^ (gen * 0x100000001b3ULL));
	h->magic = MAGIC;
	h->target = target;
	h->ctx = ctx;
	h->offset = off;
	h->generation = gen;
	h->seed = seed;
	h->sum = 0;
	h->sum = block_sum(blk);
}

/* 0 when blk is what (target, ctx, off, gen) wrote; else a reason. */
static const char *block_check(const void *blk, uint32_t target, uint32_t ctx,
			       uint64_t off, uint64_t gen)
{
	const struct hdr *h = blk;

	if (h->magic != MAGIC)
		return "no header";
	if (h->sum != block_sum(blk))
		return "checksum";
	if (h->seed != seed)
		return "seed of another run";
	if (h->target != target || h->offset != off)
		return "another location's block";
	if (h->ctx != ctx)
		return "another context's block";
	if (h->generation != gen)
		return h->generation < gen ? "stale generation" : "future generation";
	return NULL;
}

/* ------------------------------------------------------------------ */

struct sslot {
	uint32_t block;
	uint8_t write, busy;
	uint64_t gen;
};

struct sctx {
	int id, mode, tgt, fd, buffered;
	unsigned int flags, n;
	uint64_t base;			/* byte offset of the slice */
	uint32_t nblocks;
	uint64_t *gen;			/* last completed write's generation */
	uint8_t *busy;			/* per block: an IO in flight */
	struct ring r;
	struct slot_bufs b;
	struct sslot *slot;
	unsigned int *free_slots, nfree, queued, inflight;
	uint64_t rs;
	struct pstats *st;
	pthread_mutex_t *lock;
};

static uint64_t srand64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

__attribute__((format(printf, 2, 3)))
static void snote(struct sctx *c, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(c->lock);
	if (!c->st->msg[0]) {
		va_start(ap, fmt);
		vsnprintf(c->st->msg, sizeof(c->st->msg), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(c->lock);
}

static int sctx_setup(struct sctx *c)
{
	static const size_t plain[] = { BS };
	static const size_t fixed[] = { BS, 2 * BS, 4 * BS };
	unsigned int i;

	c->n = 8 + (unsigned int)(srand64(&c->rs) % 56);
	slot_bufs_alloc(&c->b, c->n, (c->flags & IOCTX_FLAG_FIXEDBUFS) ? fixed : plain,
			(c->flags & IOCTX_FLAG_FIXEDBUFS) ? 3 : 1);
	c->slot = calloc(c->n, sizeof(*c->slot));
	c->free_slots = calloc(c->n, sizeof(*c->free_slots));
	if (!c->slot || !c->free_slots)
		return -ENOMEM;
	c->nfree = c->queued = c->inflight = 0;
	for (i = c->n; i-- > 0;)
		c->free_slots[c->nfree++] = i;
	if (ring_setup_bufs(&c->r, c->n, c->flags, (unsigned int)(c->id % 2 &&
			    sysconf(_SC_NPROCESSORS_ONLN) > 1),
			    (c->flags & IOCTX_FLAG_FIXEDBUFS) ? c->b.buf : NULL,
			    (c->flags & IOCTX_FLAG_FIXEDBUFS) ? c->b.len : NULL)) {
		int e = errno;

		slot_bufs_free(&c->b);
		free(c->slot);
		free(c->free_slots);
		return -e;
	}
	__atomic_fetch_add(&c->st->contexts_made, 1, __ATOMIC_RELAXED);
	return 0;
}

static void sctx_free(struct sctx *c)
{
	if (ring_destroy(&c->r)) {
		__atomic_fetch_add(&c->st->errors, 1, __ATOMIC_RELAXED);
		snote(c, "ctx %d: io_destroy: %s", c->id, strerror(errno));
	}
	slot_bufs_free(&c->b);
	free(c->slot);
	free(c->free_slots);
}

static void sctx_fill(struct sctx *c)
{
	struct ring *r = &c->r;
	unsigned int tail = sq_tail(r), k = 0, space = sq_space(r);

	while (c->nfree && k < space) {
		unsigned int s, tries;
		uint32_t blk = 0;
		struct sslot *sl;
		uint8_t *buf;
		uint64_t off;

		for (tries = 0; tries < 8; tries++) {
			blk = (uint32_t)(srand64(&c->rs) % c->nblocks);
			if (!c->busy[blk])
				break;
		}
		if (c->busy[blk])
			break;
		s = c->free_slots[--c->nfree];
		sl = &c->slot[s];
		sl->block = blk;
		sl->write = !c->gen[blk] || srand64(&c->rs) % 100 < 40;
		sl->gen = sl->write ? c->gen[blk] + 1 : c->gen[blk];
		sl->busy = 1;
		c->busy[blk] = 1;
		off = c->base + (uint64_t)blk * BS;
		/* an IO at a random page of a fixed buffer */
		buf = c->b.buf[s] + (srand64(&c->rs) % (c->b.len[s] / BS)) * BS;
		if (sl->write)
			block_make(buf, (uint32_t)c->tgt, (uint32_t)c->id, off, sl->gen);
		else
			memset(buf, 0xa5, BS);
		iocb_prep(&r->iocbs[s], sl->write ? IOCB_CMD_PWRITE : IOCB_CMD_PREAD, c->fd,
			  buf, BS, off, ((uint64_t)blk << 16) | s,
			  (c->flags & IOCTX_FLAG_IOPOLL) ? IOCB_FLAG_HIPRI : 0);
		r->sq->array[tail] = s;
		tail = (tail + 1) % r->n;
		k++;
	}
	if (k) {
		__atomic_store_n(&r->sq->tail, tail, __ATOMIC_RELEASE);
		c->queued += k;
	}
}

static void sctx_reap(struct sctx *c)
{
	struct io_event ev;

	while (cq_pop(&c->r, &ev)) {
		uint64_t s = ev.obj;
		struct sslot *sl;
		const uint8_t *buf;

		if (s >= c->n || !c->slot[s].busy ||
		    (ev.data & 0xffff) != s || (ev.data >> 16) != c->slot[s].block) {
			__atomic_fetch_add(&c->st->errors, 1, __ATOMIC_RELAXED);
			snote(c, "ctx %d: stray event data %#llx obj %llu", c->id,
			      (unsigned long long)ev.data, (unsigned long long)ev.obj);
			continue;
		}
		sl = &c->slot[s];
		sl->busy = 0;
		c->busy[sl->block] = 0;
		c->inflight--;
		__atomic_fetch_add(&c->st->ios, 1, __ATOMIC_RELAXED);
		buf = (const uint8_t *)(uintptr_t)c->r.iocbs[s].aio_buf;
		if (ev.res != BS) {
			__atomic_fetch_add(&c->st->errors, 1, __ATOMIC_RELAXED);
			snote(c, "ctx %d (%s, %s): %s of block %u: res %lld", c->id,
			      smode_name[c->mode], tg[c->tgt].name,
			      sl->write ? "write" : "read", sl->block, (long long)ev.res);
			/* a failed write leaves the block unknown: stop checking it */
			if (sl->write)
				c->gen[sl->block] = 0;
		} else if (sl->write) {
			c->gen[sl->block] = sl->gen;
		} else {
			const char *why = block_check(buf, (uint32_t)c->tgt, (uint32_t)c->id,
						      c->base + (uint64_t)sl->block * BS,
						      sl->gen);

			__atomic_fetch_add(&c->st->reads_verified, 1, __ATOMIC_RELAXED);
			__atomic_fetch_add(&c->st->bytes_verified, BS, __ATOMIC_RELAXED);
			if (why) {
				__atomic_fetch_add(&c->st->mismatches, 1, __ATOMIC_RELAXED);
				snote(c, "ctx %d (%s, %s): block %u (offset %llu, generation %llu): %s",
				      c->id, smode_name[c->mode], tg[c->tgt].name, sl->block,
				      (unsigned long long)(c->base + (uint64_t)sl->block * BS),
				      (unsigned long long)sl->gen, why);
			}
		}
		c->free_slots[c->nfree++] = (unsigned int)s;
	}
}

static int sctx_kick(struct sctx *c, int wait)
{
	struct ring *r = &c->r;
	unsigned int pending = sq_count(r), fl = 0;
	long ret = 0;

	if (c->flags & IOCTX_FLAG_SQPOLL) {
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (pending && (__atomic_load_n(&r->sq->kflags, __ATOMIC_RELAXED) &
				IORING_SQ_NEED_WAKEUP))
			ret = ring_enter(r, pending, 0, IORING_FLAG_SUBMIT);
		if (ret >= 0 && wait && (c->inflight || c->queued) && !cq_count(r))
			ret = ring_enter(r, 0, 1, IORING_FLAG_GETEVENTS);
	} else {
		if (pending)
			fl |= IORING_FLAG_SUBMIT;
		if (wait && (c->inflight || c->queued) && !cq_count(r))
			fl |= IORING_FLAG_GETEVENTS;
		if (fl)
			ret = ring_enter(r, pending, 1, fl);
	}
	{
		unsigned int consumed = c->queued - sq_count(r);

		c->queued -= consumed;
		c->inflight += consumed;
	}
	if (ret < 0 && errno != EAGAIN && errno != EINTR) {
		__atomic_fetch_add(&c->st->errors, 1, __ATOMIC_RELAXED);
		snote(c, "ctx %d (%s): io_ring_enter: %s", c->id, smode_name[c->mode],
		      strerror(errno));
		return -1;
	}
	return 0;
}

static void sctx_drain(struct sctx *c)
{
	int64_t end = now_ns() + 60 * 1000000000LL;

	while ((c->inflight || c->queued) && now_ns() < end) {
		if (sctx_kick(c, 1))
			break;
		sctx_reap(c);
	}
	if (c->inflight || c->queued) {
		__atomic_fetch_add(&c->st->errors, 1, __ATOMIC_RELAXED);
		snote(c, "ctx %d (%s): %u IOs never completed", c->id,
		      smode_name[c->mode], c->inflight + c->queued);
	}
}

/* The final pass: every block this context wrote, read with pread. */
static void sctx_readback(struct sctx *c)
{
	uint8_t *buf = map_pages(BS);
	uint32_t b;

	for (b = 0; b < c->nblocks; b++) {
		uint64_t off = c->base + (uint64_t)b * BS;
		const char *why;

		if (!c->gen[b])
			continue;
		if (pread(c->fd, buf, BS, (off_t)off) != BS) {
			__atomic_fetch_add(&c->st->errors, 1, __ATOMIC_RELAXED);
			snote(c, "ctx %d: read-back pread at %llu: %s", c->id,
			      (unsigned long long)off, strerror(errno));
			continue;
		}
		why = block_check(buf, (uint32_t)c->tgt, (uint32_t)c->id, off, c->gen[b]);
		__atomic_fetch_add(&c->st->final_verified, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&c->st->reads_verified, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&c->st->bytes_verified, BS, __ATOMIC_RELAXED);
		if (why) {
			__atomic_fetch_add(&c->st->mismatches, 1, __ATOMIC_RELAXED);
			snote(c, "ctx %d (%s, %s): read-back of block %u (generation %llu): %s",
			      c->id, smode_name[c->mode], tg[c->tgt].name, b,
			      (unsigned long long)c->gen[b], why);
		}
	}
	unmap_pages(buf, BS);
}

static void *sctx_thread(void *p)
{
	struct sctx *c = p;
	int64_t end = now_ns() + (int64_t)seconds * 1000000000LL;

	while (now_ns() < end) {
		int64_t epoch_end = now_ns() + (int64_t)(EPOCH_S / 2 +
				     srand64(&c->rs) % EPOCH_S) * 1000000000LL;
		int e = sctx_setup(c);

		if (e) {
			__atomic_fetch_add(&c->st->errors, 1, __ATOMIC_RELAXED);
			snote(c, "ctx %d (%s, flags %#x): io_setup2: %s", c->id,
			      smode_name[c->mode], c->flags, strerror(-e));
			break;
		}
		while (now_ns() < epoch_end && now_ns() < end) {
			sctx_fill(c);
			if (sctx_kick(c, 1))
				break;
			sctx_reap(c);
			if ((c->flags & IOCTX_FLAG_SQPOLL) && !cq_count(&c->r))
				sched_yield();
		}
		sctx_drain(c);
		sctx_free(c);
	}
	if (c->fd >= 0 && c->buffered)
		fsync(c->fd);
	sctx_readback(c);
	return NULL;
}

static unsigned int mode_flags(int mode)
{
	switch (mode) {
	case S_IOPOLL:
		return IOCTX_FLAG_SCQRING | IOCTX_FLAG_IOPOLL;
	case S_SQTHREAD:
		return IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD;
	case S_SQPOLL:
		return IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD | IOCTX_FLAG_SQPOLL;
	case S_SQWQ:
		return IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQWQ;
	case S_FIXEDBUFS:
		return IOCTX_FLAG_SCQRING | IOCTX_FLAG_FIXEDBUFS;
	default:
		return IOCTX_FLAG_SCQRING;
	}
}

/* Context g's target: round robin, polled devices for IOPOLL, files for SQWQ. */
static int target_of(int g)
{
	int m = g % S_MODES, j;

	for (j = 0; j < ntg; j++) {
		int cand = (g + j) % ntg;

		if (m == S_IOPOLL && !(tg[cand].is_bdev && tg[cand].polled))
			continue;
		if (m == S_SQWQ && tg[cand].is_bdev)
			continue;
		return cand;
	}
	return g % ntg;
}

/* Process p: contexts p*nctx .. p*nctx + nctx - 1. */
static void process(int p)
{
	pthread_t th[MAX_CTX];
	struct sctx *cs = calloc(nctx, sizeof(*cs));
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	int i;

	if (!cs)
		_exit(2);
	for (i = 0; i < nctx; i++) {
		struct sctx *c = &cs[i];
		int g = p * nctx + i, k, slot = 0, t;

		c->id = g;
		c->mode = g % S_MODES;
		c->flags = mode_flags(c->mode);
		c->st = &ps[p];
		c->lock = &lock;
		c->rs = seed ^ ((uint64_t)(g + 1) << 32);
		t = target_of(g);
		if (c->mode == S_IOPOLL && !(tg[t].is_bdev && tg[t].polled) && tg[t].is_bdev)
			c->flags &= ~IOCTX_FLAG_IOPOLL;	/* no polled device here */
		c->tgt = t;
		/* my slice: the how-many-th context on this target I am */
		for (k = 0; k < g; k++)
			if (target_of(k) == t)
				slot++;
		c->nblocks = (uint32_t)(tg[t].span / tg[t].nctx / BS);
		c->base = tg[t].base + (uint64_t)slot * c->nblocks * BS;
		c->buffered = c->mode == S_SQWQ && !tg[t].is_bdev;
		c->fd = open(tg[t].path, O_RDWR | (c->buffered ? 0 : O_DIRECT));
		c->gen = calloc(c->nblocks, sizeof(*c->gen));
		c->busy = calloc(c->nblocks, 1);
		if (c->fd < 0 || !c->gen || !c->busy) {
			snprintf(ps[p].msg, sizeof(ps[p].msg), "ctx %d: open %s: %s", g,
				 tg[t].path, strerror(errno));
			ps[p].errors++;
			_exit(3);
		}
	}
	for (i = 0; i < nctx; i++)
		if (pthread_create(&th[i], NULL, sctx_thread, &cs[i]))
			_exit(4);
	for (i = 0; i < nctx; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < nctx; i++)
		close(cs[i].fd);
	ps[p].done = 1;
	_exit(0);
}

static void count_contexts(void)
{
	int g;

	for (g = 0; g < nproc * nctx; g++)
		tg[target_of(g)].nctx++;
}

static void add_bdev(const char *path, int quarter)
{
	unsigned long long size = 0;
	struct stgt *t = &tg[ntg];
	const char *base = strrchr(path, '/');
	int fd;

	if (ntg >= MAX_TGT)
		return;
	fd = open(path, O_RDWR | O_DIRECT);
	if (fd < 0 || ioctl(fd, BLKGETSIZE64, &size)) {
		diag("%s: not used: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
	memset(t, 0, sizeof(*t));
	snprintf(t->path, sizeof(t->path), "%s", path);
	snprintf(t->name, sizeof(t->name), "%s", base ? base + 1 : path);
	t->is_bdev = 1;
	t->polled = bdev_io_poll(path) == 1;
	if (quarter) {
		t->base = (size * 3 / 4) & ~(uint64_t)(BS - 1);
		t->span = size - t->base;
	} else {
		t->span = size < BDEV_SPAN ? size : BDEV_SPAN;
	}
	t->span &= ~(uint64_t)(BS - 1);
	ntg++;
}

static void add_file(const char *dir)
{
	struct stgt *t = &tg[ntg];
	int fd;

	if (ntg >= MAX_TGT)
		return;
	memset(t, 0, sizeof(*t));
	snprintf(t->path, sizeof(t->path), "%.4000s/stress-%d", dir, (int)getpid());
	snprintf(t->name, sizeof(t->name), "file@%.80s",
		 strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir);
	fd = open(t->path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || posix_fallocate(fd, 0, FILE_SPAN)) {
		diag("%s: not used: %s", t->path, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(t->path);
		return;
	}
	close(fd);
	t->created = 1;
	t->span = FILE_SPAN;
	ntg++;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: %s [-t SECONDS] [-p PROCESSES] [-c CONTEXTS] [-s SEED]\n"
		"Verified aio-ring IO from PROCESSES x CONTEXTS contexts for SECONDS\n"
		"(default 60 s, 4 x 3) on the test VM's targets; TAP and figures on stdout.\n",
		program_invocation_short_name);
}

int main(int argc, char **argv)
{
	unsigned long ios = 0, rv = 0, bv = 0, fv = 0, mm = 0, errs = 0, made = 0;
	char list[4096], *save = NULL, *w;
	const char *env;
	int opt, p, seeded = 0, all_exited = 1;
	int64_t t0;
	double secs;

	while ((opt = getopt(argc, argv, "t:p:c:s:h")) != -1) {
		switch (opt) {
		case 't':
			seconds = atoi(optarg);
			break;
		case 'p':
			nproc = atoi(optarg);
			break;
		case 'c':
			nctx = atoi(optarg);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			seeded = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (seconds < 1 || nproc < 1 || nctx < 1 || nproc * nctx > MAX_CTX) {
		usage(stderr);
		return 2;
	}
	if (!seeded)
		seed = (uint64_t)now_ns() ^ ((uint64_t)getpid() << 40);
	require_aioring();

	env = getenv("AIORING_TEST_BDEV");
	if (env && *env)
		add_bdev(env, 1);
	env = getenv("AIORING_POLL_BDEVS");
	if (env) {
		snprintf(list, sizeof(list), "%s", env);
		for (w = strtok_r(list, " \t:,", &save); w; w = strtok_r(NULL, " \t:,", &save))
			add_bdev(w, 0);
	}
	env = getenv("AIORING_TEST_DIRS");
	if (env) {
		save = NULL;
		snprintf(list, sizeof(list), "%s", env);
		for (w = strtok_r(list, ":", &save); w; w = strtok_r(NULL, ":", &save))
			add_file(w);
	}
	if (!ntg)
		skip_all("no target (AIORING_TEST_BDEV, AIORING_POLL_BDEVS, AIORING_TEST_DIRS)");
	count_contexts();
	tap_plan(nproc + 3);
	diag("seed %llu (replay: %s -t %d -p %d -c %d -s %llu)", (unsigned long long)seed,
	     program_invocation_short_name, seconds, nproc, nctx, (unsigned long long)seed);
	for (p = 0; p < ntg; p++)
		diag("target %d: %s, %s%s, %llu MiB at %llu MiB, %d contexts", p, tg[p].name,
		     tg[p].is_bdev ? "block device" : "file",
		     tg[p].polled ? " with poll queues" : "",
		     (unsigned long long)(tg[p].span >> 20),
		     (unsigned long long)(tg[p].base >> 20), tg[p].nctx);

	ps = mmap(NULL, sizeof(*ps) * nproc, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ps == MAP_FAILED)
		bail_out("mmap");
	memset(ps, 0, sizeof(*ps) * nproc);
	t0 = now_ns();
	fflush(stdout);
	{
		pid_t pids[MAX_CTX];
		int st;

		for (p = 0; p < nproc; p++) {
			pids[p] = fork();
			if (pids[p] < 0)
				bail_out("fork");
			if (!pids[p])
				process(p);
		}
		for (p = 0; p < nproc; p++) {
			/* the run plus a minute for drains and the read-back */
			if (!reap_within(pids[p], &st, (seconds + 120) * 1000)) {
				diag("process %d did not finish:", p);
				dump_tasks(pids[p]);
				kill(pids[p], SIGKILL);
				waitpid(pids[p], &st, 0);
				all_exited = 0;
			}
			ok(WIFEXITED(st) && WEXITSTATUS(st) == 0 && ps[p].done &&
			   !ps[p].mismatches && !ps[p].errors,
			   "process %d: %d contexts (%lu made), %lu IOs, %lu reads verified, %lu mismatches, %lu errors%s%s",
			   p, nctx, ps[p].contexts_made, ps[p].ios, ps[p].reads_verified,
			   ps[p].mismatches, ps[p].errors, ps[p].msg[0] ? ": " : "",
			   ps[p].msg);
			ios += ps[p].ios;
			rv += ps[p].reads_verified;
			bv += ps[p].bytes_verified;
			fv += ps[p].final_verified;
			mm += ps[p].mismatches;
			errs += ps[p].errors;
			made += ps[p].contexts_made;
		}
	}
	secs = (now_ns() - t0) / 1e9;
	ok(all_exited, "every process finished within the run time + 120 s");
	ok(fv > 0, "final read-back: %lu blocks written during the run read back and checked",
	   fv);
	ok(mm == 0 && errs == 0, "%lu IOs in %.0f s, %lu reads verified (%lu MiB), %lu mismatches, %lu errors, %lu contexts made",
	   ios, secs, rv, bv >> 20, mm, errs, made);
	for (p = 0; p < ntg; p++)
		if (tg[p].created)
			unlink(tg[p].path);
	diag("figure: stress.seconds %.0f", secs);
	diag("figure: stress.ios_verified %lu", rv);
	diag("figure: stress.bytes_verified %lu", bv);
	diag("figure: stress.mismatches %lu", mm);
	diag("figure: stress.processes %d", nproc);
	diag("figure: stress.contexts %d", nproc * nctx);
	diag("figure: stress.ios %lu", ios);
	return tap_done();
}
