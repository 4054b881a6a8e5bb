// SPDX-License-Identifier: MIT
/*
 * fork-exec: fork and exec while an aio-ring context is active.
 *
 * Classic aio's semantics, which io_setup2 contexts keep: contexts
 * belong to the mm, a child of fork() inherits none of them (its copy of
 * the memory has no ioctx table), so every call on the parent's id is
 * EINVAL in the child, and pinned ring and buffer pages are copied for
 * the child at fork, so nothing the child does reaches the parent's
 * rings.  exec() drops the old mm and with it the contexts: the SQ
 * thread is gone, fs.aio-nr and pinned pages are returned.
 *
 * For every mode, Rounds times (seeded):
 *  1. fork, the child does not use the context: the parent has IO in
 *     flight when it forks; the child checks that io_ring_enter (SUBMIT,
 *     GETEVENTS), io_getevents and io_destroy on the id are EINVAL, that
 *     it has one thread and no SQ thread, then scribbles random bytes
 *     over its copies of the SQ ring, iocbs, CQ ring and buffers and
 *     calls io_ring_enter again.  Meanwhile the parent's IO goes on:
 *     every event right, every read verified, ring indexes sane.
 *  2. fork, the child uses the memory: it makes its own context with
 *     io_setup2 on its copies of the parent's rings (and fixed buffers)
 *     and runs IO on it while the parent runs IO on the original; both
 *     check every event and every read.
 *  3. exec: a child with a context of the mode and IO in flight execs
 *     this program in probe mode (from the main thread, or from a second
 *     thread while the main thread waits in io_ring_enter); the new image
 *     finds the old id EINVAL, one thread, no aio-sq thread of its pid;
 *     fs.aio-nr and pinned pages are back when it reports.
 *  4. a failed exec (ENOENT) leaves the context working.
 * After each case the baseline (fault_util.h) holds; kmemleak at the end.
 */
#include "fault_io.h"

#define SHORT_ROUNDS	1

static uint64_t data_seed;
static struct fx_stats *pst, *cst;	/* parent's and child's stats */
static char *self_exe;

/* ------------------------------------------------------------------ */
/* Checks a child makes on an id it inherited or kept across exec      */

/* Returns a bit mask of the checks that failed (0: all right). */
static int dead_id_checks(aio_context_t ctx)
{
	struct io_event ev;
	int bad = 0;

	if (!(aioring_io_ring_enter(ctx, 1, 0, IORING_FLAG_SUBMIT) == -1 &&
	      errno == EINVAL))
		bad |= 1;
	if (!(aioring_io_ring_enter(ctx, 0, 1, IORING_FLAG_GETEVENTS) == -1 &&
	      errno == EINVAL))
		bad |= 2;
	if (!(sys_io_getevents(ctx, 0, 1, &ev, NULL) == -1 && errno == EINVAL))
		bad |= 4;
	if (!(sys_io_destroy(ctx) == -1 && errno == EINVAL))
		bad |= 8;
	if (fault_thread_count() != 1)
		bad |= 16;
	if (find_sq_threads(0, getpid(), NULL) != 0)
		bad |= 32;
	return bad;
}

static void scribble(void *p, size_t len)
{
	uint64_t *w = p;
	size_t i;

	for (i = 0; i < len / 8; i++)
		w[i] = frand();
}

/* ------------------------------------------------------------------ */
/* 1 and 2: fork                                                       */

static int child_idle(struct fx *x)
{
	int bad = dead_id_checks(x->r.ctx);
	unsigned int i;

	scribble(x->r.sq, x->r.sq_len);
	scribble(x->r.iocbs, x->r.iocbs_len);
	scribble(x->r.cq, x->r.cq_len);
	for (i = 0; i < x->b.n; i++)
		scribble(x->b.buf[i], x->b.len[i]);
	/* "submit" what the scribbled ring says, on the parent's id */
	if (!(aioring_io_ring_enter(x->r.ctx, x->r.n, 1,
				    IORING_FLAG_SUBMIT | IORING_FLAG_GETEVENTS) == -1 &&
	      errno == EINVAL))
		bad |= 64;
	ms_sleep(50 + frand_below(100));
	return bad;
}

static int child_uses(struct fx *x)
{
	struct fx c = *x;
	unsigned int i;
	int bad = dead_id_checks(x->r.ctx);

	/* the copies of the rings and fixed buffers become the child's context */
	c.st = cst;
	c.r.ctx = 0;
	c.nfree = 0;
	c.queued = c.inflight = 0;
	c.slot = calloc(c.r.n, sizeof(*c.slot));
	c.free_slots = calloc(c.r.n, sizeof(*c.free_slots));
	if (!c.slot || !c.free_slots)
		return 128;
	for (i = c.r.n; i-- > 0;)
		c.free_slots[c.nfree++] = i;
	c.r.sq->nr_events = c.r.n;
	c.r.cq->nr_events = 2 * c.r.n;
	c.r.sq->iocbs = (uint64_t)(uintptr_t)c.r.iocbs;
	if (c.fixed)
		for (i = 0; i < c.r.n; i++) {
			c.r.iocbs[i].aio_buf = (uint64_t)(uintptr_t)c.b.buf[i];
			c.r.iocbs[i].aio_nbytes = c.b.len[i];
		}
	if (aioring_io_setup2(c.r.n, c.flags, c.r.sq, c.r.cq, &c.r.ctx)) {
		snprintf(cst->msg, sizeof(cst->msg), "io_setup2 on the copies: %s",
			 strerror(errno));
		return bad | 256;
	}
	if (fx_run(&c, 100 + frand_below(200), 20000) || fx_drain(&c, 20000))
		bad |= 512;
	if (sys_io_destroy(c.r.ctx))
		bad |= 1024;
	return bad;
}

static void fork_case(int mode, int uses, unsigned int round)
{
	unsigned int flags = fault_mode_flags(mode);
	struct ftarget *f = fault_pick_target(mode, flags);
	uint64_t rbase = (uint64_t)mode * FAULT_REGION;
	const char *what = label("fork, child %s, %s #%u (flags %#x, %s)",
				 uses ? "uses the memory" : "idle", fmode_name[mode],
				 round, flags, f ? f->t.name : "-");
	struct fx x;
	int status = 0, good;
	pid_t pid;

	if (!f) {
		skip("%s: no target", what);
		return;
	}
	memset(pst, 0, sizeof(*pst));
	memset(cst, 0, sizeof(*cst));
	if (fx_setup(&x, mode, flags, f, rbase, FAULT_REGION / FAULT_BS, data_seed,
		     8 + frand_below(40), pst)) {
		ok(0, "%s: io_setup2: %s", what, strerror(errno));
		return;
	}
	fx_run(&x, 20, 10000);
	fx_fill(&x, x.r.n);
	fx_kick(&x, 0);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		bail_out("fork");
	if (pid == 0)
		_exit(uses ? child_uses(&x) : child_idle(&x));
	fx_run(&x, 200 + frand_below(200), 30000);
	fx_drain(&x, 20000);
	if (waitpid(pid, &status, 0) != pid)
		bail_out("waitpid");
	good = ring_indexes_sane(&x.r) && !pst->bad_data && !pst->bad_event &&
	       !pst->bad_res && !pst->errors && !x.inflight && !x.queued;
	if (!good)
		diag("%s: parent: %lu IOs, %lu verified, bad data %lu, stray %lu, failed %lu, errors %lu, %u in flight: %s",
		     what, pst->completed, pst->verified, pst->bad_data,
		     pst->bad_event, pst->bad_res, pst->errors, x.inflight,
		     pst->msg[0] ? pst->msg : "-");
	ok(good, "%s: the parent's IO goes on right (%lu IOs, %lu reads verified)",
	   what, pst->completed, pst->verified);
	if (!ok(WIFEXITED(status) && WEXITSTATUS(status) == 0 && !cst->bad_data &&
		!cst->bad_event && !cst->bad_res && !cst->errors,
		"%s: the child finds the id EINVAL, no SQ thread%s (status %#x%s%s)",
		what, uses ? ", and its own context on the copies works" : "",
		status, cst->msg[0] ? ": " : "", cst->msg))
		diag("%s: child: %lu IOs, %lu verified, bad data %lu, stray %lu, failed %lu",
		     what, cst->completed, cst->verified, cst->bad_data,
		     cst->bad_event, cst->bad_res);
	ok(fx_destroy(&x) == 0, "%s: io_destroy", what);
	ok(fault_region_intact(f, rbase, FAULT_REGION, data_seed) == 0,
	   "%s: the region holds its pattern", what);
}

/* ------------------------------------------------------------------ */
/* 3 and 4: exec                                                       */

/*
 * The new image: argv = self --exec-probe CTX FD AIO_NR.  fs.aio-nr may
 * drop a moment after exec (an SQWQ worker still holding the old mm
 * runs its teardown when it lets go): wait for it a little.
 */
static int exec_probe(char **argv)
{
	aio_context_t ctx = strtoull(argv[2], NULL, 0);
	int fd = atoi(argv[3]), bad;
	long nr, want = strtol(argv[4], NULL, 10);
	char line[128];

	/* the old image's SQ thread may take a moment to be reaped */
	wait_sq_threads(0, 2000, NULL);
	bad = dead_id_checks(ctx);
	nr = aio_nr_wait(want, 3000);
	snprintf(line, sizeof(line), "%d %ld\n", bad, nr);
	if (write(fd, line, strlen(line)) < 0)
		return 3;
	return 0;
}

struct exec_arg {
	struct fx *x;
	int fd;
	int from_thread;
};

static long base_aio_nr;

static void do_exec(struct exec_arg *a)
{
	char ctx[32], fd[16], nr[32];
	char *argv[] = { self_exe, "--exec-probe", ctx, fd, nr, NULL };

	snprintf(ctx, sizeof(ctx), "%llu", (unsigned long long)a->x->r.ctx);
	snprintf(fd, sizeof(fd), "%d", a->fd);
	snprintf(nr, sizeof(nr), "%ld", base_aio_nr);
	execv(self_exe, argv);
	_exit(100 + errno);
}

static void *exec_thread(void *p)
{
	ms_sleep(50);	/* let the main thread block in io_ring_enter */
	do_exec(p);
	return NULL;
}

static void exec_child(int mode, unsigned int flags, struct ftarget *f,
		       uint64_t rbase, int fd, int from_thread)
{
	struct exec_arg a;
	struct fx x;
	pthread_t th;

	if (fx_setup(&x, mode, flags, f, rbase, FAULT_REGION / FAULT_BS, data_seed,
		     8 + frand_below(40), cst))
		_exit(90);
	fx_run(&x, 20 + frand_below(100), 10000);
	/* a failed exec first: the context must still work after it */
	{
		char *argv[] = { "/nonexistent/aioring-fault", NULL };

		if (execv(argv[0], argv) != -1 || errno != ENOENT)
			_exit(91);
		if (fx_run(&x, 20, 10000) || fx_drain(&x, 10000) || cst->bad_data ||
		    cst->bad_event || cst->bad_res)
			_exit(92);
	}
	fx_fill(&x, x.r.n);
	fx_kick(&x, 0);
	a.x = &x;
	a.fd = fd;
	a.from_thread = from_thread;
	if (!from_thread)
		do_exec(&a);
	if (pthread_create(&th, NULL, exec_thread, &a))
		_exit(93);
	/* wait in the kernel until the exec kills this thread */
	for (;;)
		ring_enter(&x.r, 0, x.r.n * 2, IORING_FLAG_GETEVENTS);
}

static void exec_case(int mode, int from_thread, unsigned int round)
{
	unsigned int flags = fault_mode_flags(mode);
	struct ftarget *f = fault_pick_target(mode, flags);
	uint64_t rbase = (uint64_t)mode * FAULT_REGION;
	const char *what = label("exec from the %s thread, %s #%u (flags %#x, %s)",
				 from_thread ? "second" : "main", fmode_name[mode],
				 round, flags, f ? f->t.name : "-");
	int fd, status = 0, bad = -1, n = 0;
	long nr = -1;
	char line[128] = "";
	struct pollfd pfd;
	pid_t pid;

	if (!f) {
		skip("%s: no target", what);
		return;
	}
	memset(cst, 0, sizeof(*cst));
	pid = fork_piped(&fd);
	if (pid == 0)
		exec_child(mode, flags, f, rbase, fd, from_thread);
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 30000) == 1)
		n = (int)read(fd, line, sizeof(line) - 1);
	close(fd);
	if (n > 0) {
		line[n] = 0;
		sscanf(line, "%d %ld", &bad, &nr);
	}
	if (n <= 0) {
		diag("%s: no word from the new image; child state:", what);
		dump_tasks(pid);
		kill(pid, SIGKILL);
	}
	waitpid(pid, &status, 0);
	ok(n > 0 && bad == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "%s: the new image finds the old id EINVAL, one thread, no SQ thread (checks %#x, status %#x)",
	   what, bad, status);
	ok(nr == base_aio_nr, "%s: fs.aio-nr is back at %ld in the new image (%ld)",
	   what, base_aio_nr, nr);
	if (cst->msg[0] || cst->bad_data || cst->bad_event || cst->bad_res)
		diag("%s: before the exec: bad data %lu, stray %lu, failed %lu: %s",
		     what, cst->bad_data, cst->bad_event, cst->bad_res, cst->msg);
	ok(fault_region_intact(f, rbase, FAULT_REGION, data_seed) == 0,
	   "%s: the region holds its pattern", what);
}

struct case_arg {
	int mode, kind;		/* kind: 0, 1 fork (child idle, uses); 2, 3 exec */
	unsigned int round;
};

static void fe_case(void *p)
{
	struct case_arg *a = p;

	if (a->kind < 2)
		fork_case(a->mode, a->kind, a->round);
	else
		exec_case(a->mode, a->kind - 2, a->round);
}

int main(int argc, char **argv)
{
	struct fbase base;
	unsigned int round;
	int mode;

	if (argc == 5 && !strcmp(argv[1], "--exec-probe"))
		return exec_probe(argv);
	fault_options(argc, argv, SHORT_ROUNDS,
		      "fork and exec with active aio-ring contexts, every mode.");
	require_aioring();
	if (geteuid() != 0)
		skip_all("needs root (vm/stat_refresh)");
	self_exe = realpath("/proc/self/exe", NULL);
	if (!self_exe)
		bail_out("realpath /proc/self/exe");
	fault_kmemleak_begin();
	pst = fx_shared(4096);
	cst = fx_shared(4096);
	data_seed = frand();
	fault_targets_prepare(data_seed);
	fault_base_take(&base);
	base_aio_nr = base.aio_nr;

	for (mode = 0; mode < M_COUNT; mode++)
		for (round = 0; round < fault_rounds; round++) {
			int kind;

			for (kind = 0; kind < 4; kind++) {
				static const char *const kn[] = {
					"fork, child idle", "fork, child uses the memory",
					"exec from the main thread", "exec from a second thread",
				};
				struct case_arg a = { mode, kind, round };
				const char *what = label("%s, %s #%u", kn[kind],
							 fmode_name[mode], round);

				fault_case(what, fe_case, &a, 150);
				fault_base_check(&base, 5000, what);
			}
		}
	fault_targets_close();
	fault_finish("fork-exec");
	return tap_done();
}
