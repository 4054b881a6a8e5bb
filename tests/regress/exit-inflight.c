// SPDX-License-Identifier: MIT
/*
 * exit-inflight: tearing down contexts with requests still in flight
 * (fs/aio.c sys_io_destroy(), exit_aio(), kill_ioctx(), free_ioctx_users()).
 *
 * On every target (O_DIRECT where supported, else buffered):
 *   a child submits 32 writes of 64 KiB (each block its own pattern) and
 *     4 polls that can never complete, then exits without reaping or
 *     io_destroy: it exits promptly (the polls are cancelled), with
 *     status 0; fs.aio-nr is back to its start; every block it wrote is
 *     on the target byte for byte (exit_aio() waits for the I/O)
 *   the same with the child killed by SIGKILL right after io_submit
 *   in one process: io_destroy with 32 writes and 4 polls in flight
 *     returns 0 promptly, after which all the data is there; the context
 *     is gone (io_getevents EINVAL) and fs.aio-nr is back
 */
#include "aio_sys.h"
#include "child.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

#define NR_W	32
#define BS	65536
#define NR_POLL	4

/* Submit the writes and polls on a new context; returns it, 0 on failure. */
static aio_context_t submit_all(int fd, int pfd, uint8_t *buf, uint64_t base,
				uint64_t seed, struct iocb *cbs)
{
	struct iocb *ptrs[NR_W + NR_POLL];
	aio_context_t ctx = 0;
	long i;

	if (sys_io_setup(64, &ctx))
		return 0;
	for (i = 0; i < NR_W; i++) {
		uint64_t off = base + (uint64_t)((i * 11) % NR_W) * BS;

		pattern_fill(buf + i * BS, BS, off, seed);
		iocb_prep(&cbs[i], IOCB_CMD_PWRITE, fd, buf + i * BS, BS, off,
			  AIO_DATA(0xa0, i), 0);
		ptrs[i] = &cbs[i];
	}
	for (i = 0; i < NR_POLL; i++) {
		iocb_prep_poll(&cbs[NR_W + i], pfd, POLLIN, AIO_DATA(0xa1, i));
		ptrs[NR_W + i] = &cbs[NR_W + i];
	}
	if (sys_io_submit(ctx, NR_W + NR_POLL, ptrs) != NR_W + NR_POLL)
		return 0;
	return ctx;
}

/* waitpid with a deadline: 1 and the status if reaped in time, else killed. */
static int reap(pid_t pid, int ms, int *st)
{
	if (reap_within(pid, st, ms))
		return 1;
	kill(pid, SIGKILL);
	waitpid(pid, st, 0);
	return 0;
}

static void verify(struct aio_target *t, int direct, uint64_t base, uint64_t seed,
		   const char *what)
{
	uint8_t *buf = xalign(4096, (size_t)NR_W * BS);
	int fd = target_open(t, O_RDONLY | (direct ? O_DIRECT : 0));
	long r;

	if (fd < 0) {
		ok(0, "%s: reopen to verify: %s", what, strerror(-fd));
		free(buf);
		return;
	}
	if (!direct)
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	r = pread(fd, buf, (size_t)NR_W * BS, base);
	ok(r == NR_W * BS, "%s: read back %d KiB (got %ld)", what, NR_W * BS / 1024, r);
	ok_pattern(buf, (size_t)NR_W * BS, base, seed, "%s: every block written is there", what);
	close(fd);
	free(buf);
}

static void child_case(struct aio_target *t, int direct, uint64_t base, uint64_t seed,
		       int killed)
{
	const char *what = label("%s %s child %s", t->name, direct ? "O_DIRECT" : "buffered",
				 killed ? "killed" : "exiting");
	char lbl[600];
	long start = aio_nr(), end;
	int sp[2], st = 0;
	char c = 0;
	pid_t pid;

	snprintf(lbl, sizeof(lbl), "%s", what);
	if (pipe(sp))
		bail_out("pipe");
	pid = fork();
	if (pid < 0)
		bail_out("fork");
	if (pid == 0) {
		struct iocb *cbs = calloc(NR_W + NR_POLL, sizeof(*cbs));
		uint8_t *buf = xalign(4096, (size_t)NR_W * BS);
		int fd = target_open(t, O_RDWR | (direct ? O_DIRECT : 0));
		int pp[2];
		aio_context_t ctx;

		close(sp[0]);
		if (fd < 0 || !cbs || pipe(pp))
			_exit(2);
		ctx = submit_all(fd, pp[0], buf, base, seed, cbs);
		c = ctx ? 'S' : 'F';
		if (write(sp[1], &c, 1) != 1)
			_exit(3);
		if (killed)
			raise(SIGKILL);
		_exit(ctx ? 0 : 4);	/* no reaping, no io_destroy */
	}
	close(sp[1]);
	ok(read(sp[0], &c, 1) == 1 && c == 'S',
	   "%s: child submitted %d writes and %d polls", lbl, NR_W, NR_POLL);
	close(sp[0]);
	ok(reap(pid, 10000, &st), "%s: child is gone within 10 s despite pending polls", lbl);
	if (killed)
		ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "%s: child died of SIGKILL", lbl);
	else
		ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: child exit status 0 (%#x)", lbl, st);
	end = aio_nr();
	ok(end == start, "%s: fs.aio-nr back to %ld (%ld)", lbl, start, end);
	verify(t, direct, base, seed, lbl);
}

static void destroy_case(struct aio_target *t, int direct, uint64_t base, uint64_t seed)
{
	char lbl[600];
	struct iocb *cbs = calloc(NR_W + NR_POLL, sizeof(*cbs));
	uint8_t *buf = xalign(4096, (size_t)NR_W * BS);
	int fd = target_open(t, O_RDWR | (direct ? O_DIRECT : 0));
	long start = aio_nr(), end;
	struct io_event ev;
	struct timespec zero = { 0, 0 };
	aio_context_t ctx;
	int pp[2];
	int64_t t0;

	snprintf(lbl, sizeof(lbl), "%s", label("%s %s io_destroy in flight", t->name,
					       direct ? "O_DIRECT" : "buffered"));
	if (fd < 0 || !cbs || pipe(pp))
		bail_out("%s: setup", lbl);
	ctx = submit_all(fd, pp[0], buf, base, seed, cbs);
	ok(ctx != 0, "%s: %d writes and %d polls submitted", lbl, NR_W, NR_POLL);
	t0 = now_ns();
	ok(ctx && sys_io_destroy(ctx) == 0, "%s: io_destroy returns 0", lbl);
	ok(now_ns() - t0 < 10000000000LL, "%s: promptly (%lld ms)", lbl,
	   (long long)((now_ns() - t0) / 1000000));
	/* the buffers may be reused now: io_destroy waited for the I/O */
	memset(buf, 0, (size_t)NR_W * BS);
	verify(t, direct, base, seed, lbl);
	ok_errno(sys_io_getevents(ctx, 0, 1, &ev, &zero), EINVAL,
		 label("%s: io_getevents on the destroyed context", lbl));
	end = aio_nr();
	ok(end == start, "%s: fs.aio-nr back to %ld (%ld)", lbl, start, end);
	close(fd);
	close(pp[0]);
	close(pp[1]);
	free(buf);
	free(cbs);
}

int main(void)
{
	struct aio_target t[MAX_TARGETS];
	int n = aio_targets(t, MAX_TARGETS, TGT_BDEV | TGT_DIRS);
	uint64_t seed = pattern_seed();
	int i;

	if (!n)
		skip_all("no target");
	if (aio_nr() < 0)
		skip_all("/proc/sys/fs/aio-nr not readable");
	for (i = 0; i < n; i++) {
		int fd = target_open_direct(&t[i]);
		int direct = fd >= 0;
		/* on a device: an area of its own past 48 MiB */
		uint64_t base = t[i].is_bdev ? 48ULL << 20 : 0;

		if (fd < 0) {
			diag("%s: no O_DIRECT (%s): buffered writes instead", t[i].name,
			     strerror(-fd));
			fd = target_open(&t[i], O_RDWR);
			if (fd < 0) {
				ok(0, "%s: open: %s", t[i].name, strerror(-fd));
				continue;
			}
		} else if (!target_dio_align(&t[i], fd)) {
			diag("%s: O_DIRECT unusable: buffered writes instead", t[i].name);
			direct = 0;
		}
		close(fd);
		if (t[i].is_bdev && t[i].size < 64ULL << 20) {
			skip("%s: device smaller than 64 MiB", t[i].name);
			continue;
		}
		child_case(&t[i], direct, base, seed + i * 3, 0);
		child_case(&t[i], direct, base, seed + i * 3 + 1, 1);
		destroy_case(&t[i], direct, base, seed + i * 3 + 2);
		target_cleanup(&t[i]);
	}
	return tap_done();
}
