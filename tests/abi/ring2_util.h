/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the part-2 programs of the aio-ring ABI suite (fixed
 * buffers, the SQ thread, SQPOLL, SQWQ, fs.aio-ring-disabled), on top of
 * ring_util.h:
 *
 *  - r2_setup(): io_setup2() with sq_thread_cpu and per-slot fixed
 *    buffers filled in before the call;
 *  - r2_bufs: per-slot buffers from posix_memalign(4096);
 *  - /proc readers: VmPin/VmLck, the SQ thread ("aio-sq-<tgid>"), its CPU
 *    and affinity, /proc/vmstat counters;
 *  - r2_as_nobody(): run a function in a forked child with uid/gid 65534
 *    and no capabilities, results back through a pipe;
 *  - r2_pass: a read/write engine for any slot buffers (fixed or not),
 *    any IO geometry and three ways of driving the rings: inline
 *    io_ring_enter (R2_ENTER), SQ thread woken by SUBMIT (R2_THREAD), and
 *    SQPOLL where io_ring_enter is called only when the thread asks for a
 *    wakeup (R2_SQPOLL).  Every event is checked (data, obj = slot,
 *    res = length, res2) and reads are compared byte for byte with the
 *    pattern of their file offset.
 */
#ifndef AIORING_ABI_RING2_UTIL_H
#define AIORING_ABI_RING2_UTIL_H

#include "ring_util.h"

#include <dirent.h>
#include <grp.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#define R2_NOBODY	65534

/* ------------------------------------------------------------------ */
/* Setup with fixed buffers and the SQ thread's CPU                    */

/*
 * io_setup2(n, flags) on fresh rings; sq_thread_cpu = cpu; with bufs,
 * iocb slot i names bufs[i] / lens[i] (the FIXEDBUFS registration).
 * Returns the syscall's value with errno kept; the rings are unmapped on
 * failure.  ENOSYS skips the whole program.
 */
static inline void r2_prepare(struct ring *r, unsigned int n, unsigned int flags,
			      unsigned int cpu, uint8_t *const *bufs,
			      const size_t *lens)
{
	unsigned int i;

	ring_mem_alloc(r, n);
	r->flags = flags;
	r->sq->sq_thread_cpu = (__u16)cpu;
	if (bufs)
		for (i = 0; i < n; i++) {
			r->iocbs[i].aio_buf = (uint64_t)(uintptr_t)bufs[i];
			r->iocbs[i].aio_nbytes = lens[i];
		}
	r->ctx = 0;
}

/* io_setup2 on rings made by r2_prepare(); unmapped again on failure */
static inline long r2_create(struct ring *r)
{
	long ret;
	int e;

	ret = aioring_io_setup2(r->n, r->flags, r->sq, r->cq, &r->ctx);
	e = errno;
	if (ret < 0 && e == ENOSYS)
		skip_all("kernel has no io_setup2");
	if (ret < 0)
		ring_mem_free(r);
	errno = e;
	return ret;
}

static inline long r2_setup(struct ring *r, unsigned int n, unsigned int flags,
			    unsigned int cpu, uint8_t *const *bufs,
			    const size_t *lens)
{
	r2_prepare(r, n, flags, cpu, bufs, lens);
	return r2_create(r);
}

/* Per-slot buffers, each from posix_memalign(4096). */
struct r2_bufs {
	unsigned int n;
	uint8_t **buf;
	size_t *len;
};

/* n buffers; buffer i has size sizes[i % nsizes] */
static inline void r2_bufs_alloc(struct r2_bufs *b, unsigned int n,
				 const size_t *sizes, unsigned int nsizes)
{
	unsigned int i;

	b->n = n;
	b->buf = calloc(n, sizeof(*b->buf));
	b->len = calloc(n, sizeof(*b->len));
	if (!b->buf || !b->len)
		bail_out("calloc");
	for (i = 0; i < n; i++) {
		void *p;

		b->len[i] = sizes[i % nsizes];
		if (posix_memalign(&p, 4096, b->len[i]))
			bail_out("posix_memalign(4096, %zu)", b->len[i]);
		memset(p, 0x5a, b->len[i]);
		b->buf[i] = p;
	}
}

static inline void r2_bufs_free(struct r2_bufs *b)
{
	unsigned int i;

	for (i = 0; i < b->n; i++)
		free(b->buf[i]);
	free(b->buf);
	free(b->len);
	memset(b, 0, sizeof(*b));
}

/* ------------------------------------------------------------------ */
/* /proc                                                               */

/* "Key:   value kB" of /proc/<path>/status; -1 when absent. */
static inline long r2_status_long(const char *path, const char *key)
{
	char line[512];
	size_t kl = strlen(key);
	long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			v = strtol(line + kl + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* The string value of "Key:" in a status file (trimmed); 0 or -1. */
static inline int r2_status_str(const char *path, const char *key, char *out,
				size_t outlen)
{
	char line[512];
	size_t kl = strlen(key);
	int ret = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			char *s = line + kl + 1, *e;

			while (*s == ' ' || *s == '\t')
				s++;
			e = s + strlen(s);
			while (e > s && (e[-1] == '\n' || e[-1] == ' '))
				*--e = 0;
			snprintf(out, outlen, "%s", s);
			ret = 0;
			break;
		}
	fclose(f);
	return ret;
}

static inline long r2_vm_pin_kb(void)
{
	return r2_status_long("/proc/self/status", "VmPin");
}

static inline long r2_vm_lck_kb(void)
{
	return r2_status_long("/proc/self/status", "VmLck");
}

/* Write the string s to the file path (a sysfs or cgroup knob): 0 or -errno. */
static inline int r2_write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		ret = -errno;
	close(fd);
	return ret;
}

/* Read a small file into buf (NUL-terminated, trailing newline cut). */
static inline int r2_read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = 0;
	return 0;
}

/*
 * Threads of process pid (0: self) whose comm is "aio-sq-<tgid>";
 * returns their number, the first tid in *tid.
 */
static inline int r2_find_sq_threads(pid_t pid, pid_t tgid, pid_t *tid)
{
	char dir[64], path[PATH_MAX], comm[64], want[32];
	struct dirent *de;
	DIR *d;
	int found = 0;

	if (pid)
		snprintf(dir, sizeof(dir), "/proc/%d/task", (int)pid);
	else
		snprintf(dir, sizeof(dir), "/proc/self/task");
	snprintf(want, sizeof(want), "aio-sq-%d", (int)tgid);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/comm", dir, de->d_name);
		if (r2_read_file(path, comm, sizeof(comm)))
			continue;
		if (!strcmp(comm, want)) {
			if (!found && tid)
				*tid = (pid_t)atoi(de->d_name);
			found++;
		}
	}
	closedir(d);
	return found;
}

/*
 * Threads of this process whose comm is "<prefix>-<tgid>" (the SQ thread
 * "aio-sq", the SQWQ workers "aio-wq"): their number, the first tid in
 * *tid (may be NULL), all the process's tasks in *all (may be NULL).
 */
static inline int r2_count_threads(const char *prefix, pid_t *tid, int *all)
{
	char path[PATH_MAX], comm[64], want[32];
	struct dirent *de;
	DIR *d = opendir("/proc/self/task");
	int n = 0, tasks = 0;

	snprintf(want, sizeof(want), "%s-%d", prefix, (int)getpid());
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		tasks++;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", de->d_name);
		if (r2_read_file(path, comm, sizeof(comm)) || strcmp(comm, want))
			continue;
		if (!n && tid)
			*tid = (pid_t)atoi(de->d_name);
		n++;
	}
	if (d)
		closedir(d);
	if (all)
		*all = tasks;
	return n;
}

/*
 * main() of a test that runs one_mode(flags, name) for an SQ-thread
 * context without and with SQPOLL, each making per_mode results, then
 * checks that fs.aio-nr is back.
 */
static inline int r2_main_sq_modes(void (*one_mode)(unsigned int flags,
						     const char *what),
				   int per_mode)
{
	long nr0 = aio_nr();

	require_aioring();
	tap_plan(2 * per_mode + 1);
	one_mode(IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD, "SQTHREAD");
	one_mode(IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD | IOCTX_FLAG_SQPOLL,
		 "SQPOLL");
	ok(aio_nr_wait(nr0, 5000) == nr0, "fs.aio-nr back to %ld", nr0);
	return tap_done();
}

/* Wait up to ms for the SQ thread count of self to become want. */
static inline int r2_wait_sq_threads(int want, int ms, pid_t *tid)
{
	int64_t end = now_ns() + (int64_t)ms * 1000000LL;
	int n;

	while ((n = r2_find_sq_threads(0, getpid(), tid)) != want &&
	       now_ns() < end)
		ms_sleep(10);
	return n;
}

/* Field n (from 1, as proc(5) counts) of /proc/self/task/TID/stat; -1 on error. */
static inline long long r2_task_stat(pid_t tid, int n)
{
	char path[64], buf[1024], *p;
	int field = 3;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	if (r2_read_file(path, buf, sizeof(buf)))
		return -1;
	p = strrchr(buf, ')');	/* comm may hold spaces */
	if (!p)
		return -1;
	p++;
	/* p points at " S ppid ...": field 3 is the state */
	while (*p) {
		while (*p == ' ')
			p++;
		if (field == n)
			return atoll(p);
		while (*p && *p != ' ')
			p++;
		field++;
	}
	return -1;
}

/* The CPU a task last ran on; -1 on error. */
static inline int r2_task_cpu(pid_t tid)
{
	return (int)r2_task_stat(tid, 39);
}

/* User plus system CPU time of a task in seconds; -1 on error. */
static inline double r2_task_cpu_seconds(pid_t tid)
{
	long long u = r2_task_stat(tid, 14), s = r2_task_stat(tid, 15);

	return u < 0 || s < 0 ? -1 : (double)(u + s) / (double)sysconf(_SC_CLK_TCK);
}

static inline int r2_task_cpus_allowed(pid_t tid, char *out, size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/status", (int)tid);
	return r2_status_str(path, "Cpus_allowed_list", out, len);
}

/* A counter of /proc/vmstat; -1 when it does not exist. */
static inline long long r2_vmstat(const char *name)
{
	char line[256];
	size_t nl = strlen(name);
	long long v = -1;
	FILE *f = fopen("/proc/vmstat", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, nl) && line[nl] == ' ') {
			v = strtoll(line + nl + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* Fold the per-CPU vmstat deltas into the global counters (root). */
static inline int r2_vmstat_refresh(void)
{
	return write_sysctl_long("/proc/sys/vm/stat_refresh", 1);
}

static inline int r2_cpu_online(unsigned int cpu)
{
	char path[96], buf[16];

	if (cpu == 0)
		return 1;	/* cpu0 usually has no online file */
	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%u/online", cpu);
	if (r2_read_file(path, buf, sizeof(buf)))
		return access(path, F_OK) == 0 ? -1 : 0;
	return atoi(buf) == 1;
}

/* ------------------------------------------------------------------ */
/* Unprivileged children                                               */

/* Become uid/gid 65534 with no supplementary groups: 0 or -errno. */
static inline int r2_drop_to_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(R2_NOBODY, R2_NOBODY, R2_NOBODY) ||
	    setresuid(R2_NOBODY, R2_NOBODY, R2_NOBODY))
		return -errno;
	/* no capability may be left: CapEff must be all zeroes */
	{
		char caps[64] = "x";

		r2_status_str("/proc/self/status", "CapEff", caps, sizeof(caps));
		if (!caps[0] || strspn(caps, "0") != strlen(caps))
			return -EPERM;
	}
	return 0;
}

/*
 * Run fn(arg, res) in a forked child after setup(arg) (still root, may be
 * NULL) and the drop to nobody; res (len bytes) comes back to the caller.
 * The child must not print TAP lines.  Returns 0, or -1 when the child
 * failed to run fn (diag printed).
 */
static inline int r2_as_nobody(void (*setup)(void *arg),
			       void (*fn)(void *arg, void *res), void *arg,
			       void *res, size_t len)
{
	int p[2], st;
	pid_t pid;
	ssize_t n;

	if (pipe(p))
		bail_out("pipe");
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		bail_out("fork");
	if (pid == 0) {
		int e;

		close(p[0]);
		if (setup)
			setup(arg);
		e = r2_drop_to_nobody();
		if (e) {
			fprintf(stderr, "drop to nobody: %s\n", strerror(-e));
			_exit(3);
		}
		memset(res, 0, len);
		fn(arg, res);
		if (write(p[1], res, len) != (ssize_t)len)
			_exit(4);
		_exit(0);
	}
	close(p[1]);
	n = read(p[0], res, len);
	close(p[0]);
	if (waitpid(pid, &st, 0) != pid)
		bail_out("waitpid");
	if (n != (ssize_t)len || !WIFEXITED(st) || WEXITSTATUS(st)) {
		diag("unprivileged child failed: read %zd of %zu, status %#x", n,
		     len, st);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Children whose TAP lines become the parent's                        */

/* diag() the state, wchan and kernel stack of every thread of pid. */
static inline void r2_dump_tasks(pid_t pid)
{
	char dir[64], path[PATH_MAX], buf[4096];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/task", (int)pid);
	d = opendir(dir);
	if (!d) {
		diag("process %d: no %s", (int)pid, dir);
		return;
	}
	while ((de = readdir(d))) {
		char comm[64] = "?", stat[512] = "", wchan[128] = "", *st, *line,
		     *save = NULL;
		int lines = 0;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/comm", dir, de->d_name);
		r2_read_file(path, comm, sizeof(comm));
		snprintf(path, sizeof(path), "%s/%s/stat", dir, de->d_name);
		r2_read_file(path, stat, sizeof(stat));
		st = strrchr(stat, ')');
		snprintf(path, sizeof(path), "%s/%s/wchan", dir, de->d_name);
		r2_read_file(path, wchan, sizeof(wchan));
		diag("  task %s (%s): state %c, wchan %s", de->d_name, comm,
		     st && st[1] ? st[2] : '?', wchan);
		snprintf(path, sizeof(path), "%s/%s/stack", dir, de->d_name);
		if (r2_read_file(path, buf, sizeof(buf)) == 0)
			for (line = strtok_r(buf, "\n", &save); line && lines < 16;
			     line = strtok_r(NULL, "\n", &save), lines++)
				diag("    %s", line);
	}
	closedir(d);
}

/* Re-emit one TAP line of a child as our own. */
static inline void r2_relay_line(const char *what, char *line)
{
	const char *msg;
	int pass;

	if (!strncmp(line, "ok ", 3))
		pass = 1;
	else if (!strncmp(line, "not ok ", 7))
		pass = 0;
	else if (!strncmp(line, "# ", 2)) {
		diag("%s", line + 2);
		return;
	} else if (!strncmp(line, "Bail out!", 9)) {
		ok(0, "%s: child: %s", what, line);
		return;
	} else {
		if (*line)
			diag("%s: child says: %s", what, line);
		return;
	}
	msg = strstr(line, " - ");
	msg = msg ? msg + 3 : line;
	if (pass) {
		char *d = strstr(line, " # SKIP");

		if (d && !d[7]) {
			*d = 0;
			skip("%s", msg);
			return;
		}
	}
	ok(pass, "%s", msg);
}

/*
 * Run fn(arg) in a forked child whose TAP lines (ok/not ok/diag, its
 * own numbering) are relayed as this program's.  A child that does not
 * finish within timeout_s seconds (e.g. stuck in io_destroy or in exit)
 * is a failure: on_hang runs when given, the child's threads' kernel
 * stacks are printed, it gets SIGKILL, and it is waited for up to 10
 * more seconds (an unkillable child is reported and left behind).  With
 * signal_fails, a child that dies of a signal is a failure too.  Returns
 * the child's exit status (128 + signal number when killed), or -1 when
 * it did not finish.
 */
static inline int r2_run_child_ex(const char *what, void (*fn)(void *arg),
				  void *arg, int timeout_s,
				  void (*on_hang)(void), int signal_fails)
{
	int p[2], st = 0, done = 0;
	char buf[8192];
	size_t have = 0;
	int64_t deadline;
	pid_t pid;

	if (pipe(p))
		bail_out("pipe");
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		bail_out("fork");
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], STDOUT_FILENO);
		close(p[1]);
		tap_count = 0;
		tap_failed = 0;
		tap_planned = 1;
		fn(arg);
		fflush(stdout);
		_exit(tap_failed ? 1 : 0);
	}
	close(p[1]);
	deadline = now_ns() + (int64_t)timeout_s * 1000000000LL;
	for (;;) {
		struct pollfd pfd = { p[0], POLLIN, 0 };
		int64_t left = (deadline - now_ns()) / 1000000;
		ssize_t n;
		char *nl;

		if (left <= 0)
			break;
		if (poll(&pfd, 1, (int)(left > 1000 ? 1000 : left)) <= 0)
			continue;
		n = read(p[0], buf + have, sizeof(buf) - 1 - have);
		if (n <= 0) {
			done = 1;	/* EOF: the child exited (or closed) */
			break;
		}
		have += n;
		buf[have] = 0;
		while ((nl = strchr(buf, '\n'))) {
			*nl = 0;
			r2_relay_line(what, buf);
			have -= nl + 1 - buf;
			memmove(buf, nl + 1, have + 1);
		}
		if (have == sizeof(buf) - 1) {
			r2_relay_line(what, buf);
			have = 0;
		}
	}
	close(p[0]);
	if (done) {
		int64_t end = now_ns() + 10000000000LL;
		pid_t w;

		while ((w = waitpid(pid, &st, WNOHANG)) == 0 && now_ns() < end)
			ms_sleep(20);
		if (w == pid && WIFSIGNALED(st)) {
			if (signal_fails)
				ok(0, "%s: the child died of signal %d", what,
				   WTERMSIG(st));
			return 128 + WTERMSIG(st);
		}
		if (w == pid)
			return WEXITSTATUS(st);
		diag("%s: child closed its output but did not exit", what);
	}
	ok(0, "%s: the child (pid %d) finished within %d s", what, (int)pid,
	   timeout_s);
	r2_dump_tasks(pid);
	if (on_hang)
		on_hang();
	kill(pid, SIGKILL);
	{
		int64_t end = now_ns() + 10000000000LL;

		while (waitpid(pid, &st, WNOHANG) == 0 && now_ns() < end)
			ms_sleep(20);
		if (waitpid(pid, &st, WNOHANG) == 0) {
			diag("%s: child %d not reaped 10 s after SIGKILL:", what,
			     (int)pid);
			r2_dump_tasks(pid);
		}
	}
	return -1;
}

static inline int r2_run_child(const char *what, void (*fn)(void *arg),
			       void *arg, int timeout_s)
{
	return r2_run_child_ex(what, fn, arg, timeout_s, NULL, 0);
}

/* A writable ext4 or xfs directory named in AIORING_TEST_DIRS. */
struct r2_fsdir {
	char *dir;
	const char *fs;		/* "ext4" or "xfs" */
};

/* Up to max of them, in the order given; returns how many. */
static inline int r2_fs_dirs(struct r2_fsdir *out, int max)
{
	const char *env = getenv("AIORING_TEST_DIRS");
	char list[4096], *save = NULL, *w;
	int n = 0;

	snprintf(list, sizeof(list), "%s", env ? env : "");
	for (w = strtok_r(list, ":", &save); w && n < max;
	     w = strtok_r(NULL, ":", &save)) {
		const char *fs = strstr(w, "ext4") ? "ext4" :
				 strstr(w, "xfs") ? "xfs" : NULL;

		if (fs && !access(w, W_OK))
			out[n++] = (struct r2_fsdir){ strdup(w), fs };
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* The read/write engine                                               */

enum { R2_ENTER, R2_THREAD, R2_SQPOLL };
enum { R2_RES2_ZERO, R2_RES2_CACHEHIT_OK };

struct r2_pass;

/* Geometry of operation op on slot: file offset, length, offset in buffer */
typedef void (*r2_geom_fn)(struct r2_pass *p, unsigned int op,
			   unsigned int slot, uint64_t *off, unsigned int *len,
			   unsigned int *boff);

struct r2_op {
	uint64_t off;
	unsigned int len, boff, slot;
	unsigned char done, check;
};

struct r2_pass {
	/* input */
	struct ring *r;
	int fd;
	int write;
	int mode;			/* R2_ENTER, R2_THREAD, R2_SQPOLL */
	unsigned int nops;
	unsigned int depth;
	unsigned int aio_flags;		/* IOCB_FLAG_HIPRI for IOPOLL */
	uint64_t base, seed;
	unsigned int bs;		/* default geometry: size (0: 4096) */
	unsigned int span;		/* default geometry: blocks (0: nops) */
	unsigned int mult;		/* default geometry: order, 0 in order */
	r2_geom_fn geom;		/* NULL: the default geometry */
	void *user;
	uint8_t **bufs;			/* r->n slot buffers */
	const uint8_t *expect;		/* reads: image of [base, base+span*bs) */
	unsigned int verify_every;	/* reads: check 1 in n (0, 1: all) */
	int res2_mode;
	int yield_idle;			/* R2_SQPOLL: sched_yield() when idle */
	int timeout_s;			/* 0: 20 */
	double soft_stop_s;		/* > 0: after this, queue no more, drain */
	uint32_t tag;
	/* output */
	unsigned long submitted, completed, verified, cachehit;
	unsigned long bad_event, bad_obj, bad_res, bad_res2, bad_data, bad_ret;
	unsigned long enter_calls, eagain, wake_checks;
	unsigned int goal;		/* IOs queued: nops, fewer after soft_stop */
	int timed_out, err, stopped_early;
	double secs;
};

static inline unsigned int r2_perm(const struct r2_pass *p, unsigned int i,
				   unsigned int n)
{
	unsigned int m = p->mult;

	if (!m || n < 2)
		return i;
	while (gcd_u(m, n) != 1)
		m++;
	return (unsigned int)(((uint64_t)i * m + 3) % n);
}

static inline void r2_geom_default(struct r2_pass *p, unsigned int op,
				   unsigned int slot, uint64_t *off,
				   unsigned int *len, unsigned int *boff)
{
	unsigned int span = p->span ? p->span : p->nops;
	unsigned int bs = p->bs ? p->bs : RING_BS;

	(void)slot;
	*off = p->base + (uint64_t)r2_perm(p, op % span, span) * bs;
	*len = bs;
	*boff = 0;
}

static inline long r2_enter(struct r2_pass *p, unsigned int to_submit,
			    unsigned int min, unsigned int flags)
{
	p->enter_calls++;
	return ring_enter(p->r, to_submit, min, flags);
}

static inline void r2_check_event(struct r2_pass *p, struct r2_op *ops,
				  unsigned int nprep, const struct io_event *ev,
				  unsigned int *free_slots, unsigned int *nfree)
{
	uint64_t idx = ev->data & 0xffffffffULL;
	struct r2_op *op;
	uint8_t *b;

	if ((ev->data >> 32) != p->tag || idx >= nprep || ops[idx].done) {
		if (!p->bad_event++)
			diag("event data %#llx obj %#llx res %lld res2 %lld: no such IO in flight",
			     (unsigned long long)ev->data,
			     (unsigned long long)ev->obj, (long long)ev->res,
			     (long long)ev->res2);
		return;
	}
	op = &ops[idx];
	op->done = 1;
	p->completed++;
	if (ev->obj != op->slot && !p->bad_obj++)
		diag("IO %llu: obj %#llx, expected slot %u",
		     (unsigned long long)idx, (unsigned long long)ev->obj, op->slot);
	if (ev->res != (int64_t)op->len && !p->bad_res++)
		diag("IO %llu (%s %u bytes at %llu, slot %u): res %lld",
		     (unsigned long long)idx, p->write ? "write" : "read",
		     op->len, (unsigned long long)op->off, op->slot,
		     (long long)ev->res);
	if (ev->res2 & IOEV_RES2_CACHEHIT)
		p->cachehit++;
	if ((p->res2_mode == R2_RES2_ZERO ? ev->res2 != 0 :
	     (ev->res2 & ~(int64_t)IOEV_RES2_CACHEHIT) != 0) && !p->bad_res2++)
		diag("IO %llu: res2 %#llx", (unsigned long long)idx,
		     (unsigned long long)ev->res2);
	b = p->bufs[op->slot] + op->boff;
	if (!p->write && op->check && ev->res == (int64_t)op->len) {
		long bad = -1;

		if (p->expect) {
			const uint8_t *x = p->expect + (op->off - p->base);

			if (memcmp(b, x, op->len)) {
				for (bad = 0; b[bad] == x[bad]; bad++)
					;
			}
		} else {
			bad = pattern_check(b, op->len, op->off, p->seed);
		}
		p->verified++;
		if (bad >= 0 && !p->bad_data++)
			diag("read of %u bytes at %llu (slot %u): first wrong byte at offset %llu",
			     op->len, (unsigned long long)op->off, op->slot,
			     (unsigned long long)(op->off + bad));
	}
	free_slots[(*nfree)++] = op->slot;
}

static inline void r2_pass_run(struct r2_pass *p)
{
	struct ring *r = p->r;
	unsigned int n = r->n, nfree = 0, next = 0, inflight = 0, i;
	unsigned int depth = p->depth ? p->depth : 1, every;
	unsigned int *free_slots = calloc(n, sizeof(*free_slots));
	struct r2_op *ops = calloc(p->nops ? p->nops : 1, sizeof(*ops));
	r2_geom_fn geom = p->geom ? p->geom : r2_geom_default;
	int64_t start = now_ns(), deadline, stuck_since = 0;

	if (!free_slots || !ops)
		bail_out("calloc");
	if (depth > n - 1)
		depth = n - 1;
	every = p->verify_every ? p->verify_every : 1;
	for (i = n; i-- > 0;)
		free_slots[nfree++] = i;
	if (!p->timeout_s)
		p->timeout_s = 20;
	deadline = start + (int64_t)p->timeout_s * 1000000000LL;
	if (p->mode != R2_SQPOLL)
		watchdog_arm(p->timeout_s + 2);

	p->goal = p->nops;
	while (p->completed < p->goal) {
		unsigned int room, k, queued_new = 0, pending;
		struct io_event ev;

		if (watchdog_fired || now_ns() > deadline) {
			p->timed_out = 1;
			break;
		}
		if (p->soft_stop_s > 0 && !p->stopped_early && next < p->goal &&
		    now_ns() - start > (int64_t)(p->soft_stop_s * 1e9)) {
			p->goal = next;
			p->stopped_early = 1;
			if (p->completed >= p->goal)
				break;
		}
		/* prepare and queue */
		room = depth - inflight;
		if (room > p->goal - next)
			room = p->goal - next;
		if (room > nfree)
			room = nfree;
		{
			/* once: an SQ thread moves the head meanwhile */
			unsigned int space = sq_space(r);

			if (room > space)
				room = space;
		}
		for (k = 0; k < room; k++) {
			unsigned int opn = next++;
			struct r2_op *op = &ops[opn];
			uint8_t *b;

			op->slot = free_slots[--nfree];
			geom(p, opn, op->slot, &op->off, &op->len, &op->boff);
			op->check = !p->write && (opn % every == 0);
			b = p->bufs[op->slot] + op->boff;
			if (p->write) {
				if (p->expect)
					memcpy(b, p->expect + (op->off - p->base),
					       op->len);
				else
					pattern_fill(b, op->len, op->off, p->seed);
			} else if (op->check) {
				memset(b, 0xa5, op->len);
			}
			iocb_prep(&r->iocbs[op->slot],
				  p->write ? IOCB_CMD_PWRITE : IOCB_CMD_PREAD,
				  p->fd, b, op->len, op->off,
				  AIO_DATA(p->tag, opn), p->aio_flags);
			r->sq->array[(sq_tail(r) + k) % n] = op->slot;
			queued_new++;
		}
		if (queued_new) {
			__atomic_store_n(&r->sq->tail,
					 (sq_tail(r) + queued_new) % n,
					 __ATOMIC_RELEASE);
			inflight += queued_new;
			p->submitted += queued_new;
		}
		pending = sq_count(r);

		if (p->mode == R2_SQPOLL) {
			/*
			 * The v9 protocol: a full barrier after the tail store,
			 * then io_ring_enter only if the thread sleeps.  Also
			 * when entries have waited 100 ms (should not happen:
			 * counted as a check, and the call as a call).
			 */
			int check = queued_new != 0;

			if (pending && !queued_new) {
				if (!stuck_since)
					stuck_since = now_ns();
				else if (now_ns() - stuck_since > 100000000LL) {
					check = 1;
					stuck_since = 0;
				}
			} else {
				stuck_since = 0;
			}
			if (check && pending) {
				p->wake_checks++;
				__atomic_thread_fence(__ATOMIC_SEQ_CST);
				if (__atomic_load_n(&r->sq->kflags, __ATOMIC_RELAXED) &
				    IORING_SQ_NEED_WAKEUP) {
					long ret = r2_enter(p, pending, 0,
							    IORING_FLAG_SUBMIT);

					if (ret != (long)pending && !p->bad_ret++)
						diag("io_ring_enter(SUBMIT %u) on an SQ thread returned %ld (%s)",
						     pending, ret,
						     ret < 0 ? strerror(errno) : "-");
				}
			}
		} else {
			unsigned int flags = 0, old_head = sq_head(r), to_submit;
			long ret;
			int e;

			to_submit = pending;
			if (to_submit)
				flags |= IORING_FLAG_SUBMIT;
			if (inflight)
				flags |= IORING_FLAG_GETEVENTS;
			if (!cq_count(r) || to_submit) {
				ret = r2_enter(p, to_submit, 1, flags);
				e = errno;
				if (ret < 0) {
					if (e == EINTR && watchdog_fired) {
						p->timed_out = 1;
						break;
					}
					if (e != EAGAIN && e != EINTR) {
						p->err = e;
						diag("io_ring_enter(%u, 1, %#x): %s",
						     to_submit, flags, strerror(e));
						break;
					}
					if (e == EAGAIN)
						p->eagain++;
				} else if (flags & IORING_FLAG_SUBMIT) {
					unsigned int consumed =
						(sq_head(r) + n - old_head) % n;

					if (p->mode == R2_THREAD) {
						if (ret != (long)to_submit && !p->bad_ret++)
							diag("io_ring_enter(SUBMIT %u) with an SQ thread returned %ld",
							     to_submit, ret);
					} else if (ret != (long)consumed && !p->bad_ret++) {
						diag("io_ring_enter(SUBMIT %u) returned %ld, consumed %u",
						     to_submit, ret, consumed);
					}
				} else if (ret != 0 && !p->bad_ret++) {
					diag("io_ring_enter(GETEVENTS) returned %ld", ret);
				}
			}
		}
		/* reap */
		k = 0;
		while (cq_pop(r, &ev)) {
			unsigned int before = p->completed;

			r2_check_event(p, ops, next, &ev, free_slots, &nfree);
			if (p->completed != before)
				inflight--;
			k++;
		}
		/* one CPU for us and the SQ thread: let it run */
		if (p->mode == R2_SQPOLL && p->yield_idle && !k && !queued_new)
			sched_yield();
	}
	if (p->mode != R2_SQPOLL)
		watchdog_disarm();
	p->secs = (now_ns() - start) / 1e9;
	if (p->timed_out)
		diag("pass timed out after %d s: %lu of %u IOs completed, %u in flight",
		     p->timeout_s, p->completed, p->nops, inflight);
	free(free_slots);
	free(ops);
}

/* The usual assertions of a pass; returns 1 when all hold. */
static inline int r2_pass_report(const struct r2_pass *p, const char *what)
{
	int all = 1;
	const char *kind = p->write ? "writes" : "reads";

	if (p->stopped_early)
		diag("%s: stopped after %.1f s with %u of %u %s queued", what,
		     p->soft_stop_s, p->goal, p->nops, kind);
	all &= ok(p->completed == p->goal && !p->bad_event && !p->timed_out &&
		  !p->err,
		  "%s: %u %s completed exactly once (%lu completed, %lu stray, %lu io_ring_enter calls, %.2f s)",
		  what, p->goal, kind, p->completed, p->bad_event,
		  p->enter_calls, p->secs);
	all &= ok(p->completed && !p->bad_obj && !p->bad_res && !p->bad_res2 &&
		  !p->bad_ret,
		  "%s: events carry aio_data, obj = slot, res = length, res2 %s; return values right",
		  what, p->res2_mode == R2_RES2_ZERO ? "= 0" : "0 or CACHEHIT");
	if (!p->write)
		all &= ok(p->verified && !p->bad_data,
			  "%s: %lu reads compared byte for byte with their pattern",
			  what, p->verified);
	if (p->eagain)
		diag("%s: %lu EAGAIN", what, p->eagain);
	return all;
}

/* Synchronous check of [off, off+len) against the pattern (O_DIRECT ok). */
static inline long r2_verify_sync(int fd, uint64_t off, size_t len,
				  uint64_t seed)
{
	void *buf;
	long bad;
	ssize_t n;

	if (posix_memalign(&buf, 4096, len))
		bail_out("posix_memalign");
	n = pread(fd, buf, len, (off_t)off);
	if (n != (ssize_t)len) {
		diag("pread of %zu bytes at %llu: %zd (%s)", len,
		     (unsigned long long)off, n, n < 0 ? strerror(errno) : "short");
		free(buf);
		return 0;
	}
	bad = pattern_check(buf, len, off, seed);
	if (bad >= 0)
		diag("pread at %llu: first wrong byte at %llu",
		     (unsigned long long)off, (unsigned long long)(off + bad));
	free(buf);
	return bad;
}

/* Open a polled block device of AIORING_POLL_BDEVS by name ("nullb0"). */
static inline int r2_open_bdev(const char *name, struct target *out)
{
	struct target t[MAX_TARGETS];
	int n = targets_collect(t, MAX_TARGETS, TGT_POLL_BDEVS | TGT_NOPOLL_BDEV);
	int i;

	for (i = 0; i < n; i++) {
		if (strcmp(t[i].name, name))
			continue;
		int fd = target_open(&t[i]);

		if (fd < 0) {
			diag("%s: cannot open: %s", t[i].path, strerror(-fd));
			return -1;
		}
		*out = t[i];
		return 0;
	}
	return -1;
}

#endif
