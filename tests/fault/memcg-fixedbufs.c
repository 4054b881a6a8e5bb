// SPDX-License-Identifier: MIT
/*
 * memcg-fixedbufs: memory pressure while io_setup2 pins fixed buffers.
 *
 * A memory cgroup (v2) with a small memory.max (16 MiB, no swap) holds a
 * child that makes a FIXEDBUFS context whose buffers are not touched
 * before io_setup2, so pinning them faults them in and charges them to
 * the cgroup right there; their total is random between 2 and 40 MiB, so
 * the registration sometimes fits, sometimes hits the limit part way
 * (partial pins must be released).  Half of the time a balloon thread in
 * the same child allocates and touches memory at the same moment, and
 * some contexts also get the SQ thread.  Allowed outcomes: io_setup2
 * succeeds (then IO through the fixed buffers is checked and the context
 * destroyed), fails with ENOMEM or EFAULT, or the cgroup's OOM killer
 * kills the child.  Anything else fails.  After each round:
 *  - the child is gone, the cgroup's memory.current is back near its
 *    empty value (a leaked pin would keep the pages charged);
 *  - the baseline holds (fs.aio-nr, pinned pages, SQ threads, ...).
 * At the end the cgroup can be removed; kmemleak finds nothing new.
 * Skipped when cgroup v2 with the memory controller is not available.
 */
#include "fault_io.h"

#define SHORT_ROUNDS	8
#define CG_MAX		(16u << 20)
#define CG_SLACK	(1u << 20)	/* per-CPU charge caches */

static char cg[128];
static uint64_t data_seed;
static struct fx_stats *cst;

struct mres {
	long ret;
	int err;
	int stage;		/* 1 setup done, 2 IO done, 3 destroyed */
	unsigned long bytes;
	unsigned int flags;
};
static struct mres *mr;

static long long cg_long(const char *file)
{
	char path[PATH_MAX], buf[64];

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	if (read_file(path, buf, sizeof(buf)))
		return -1;
	return strtoll(buf, NULL, 10);
}

static long long cg_event(const char *key)
{
	char path[PATH_MAX];
	char line[128];
	long long v = -1;
	size_t kl = strlen(key);
	FILE *f;

	snprintf(path, sizeof(path), "%s/memory.events", cg);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ' ')
			v = strtoll(line + kl + 1, NULL, 10);
	fclose(f);
	return v;
}

/* Make the cgroup: 0, or a reason to skip. */
static const char *cg_make(void)
{
	char path[PATH_MAX], buf[256];

	if (read_file("/sys/fs/cgroup/cgroup.controllers", buf, sizeof(buf)))
		return "no cgroup v2 at /sys/fs/cgroup";
	if (!strstr(buf, "memory"))
		return "no memory controller in cgroup v2";
	if (write_file_str("/sys/fs/cgroup/cgroup.subtree_control", "+memory"))
		return "cannot enable the memory controller";
	snprintf(cg, sizeof(cg), "/sys/fs/cgroup/aioring-fault-%d", (int)getpid());
	if (mkdir(cg, 0755))
		return "cannot make a cgroup";
	snprintf(path, sizeof(path), "%s/memory.max", cg);
	snprintf(buf, sizeof(buf), "%u", CG_MAX);
	if (write_file_str(path, buf))
		return "cannot set memory.max";
	snprintf(path, sizeof(path), "%s/memory.swap.max", cg);
	write_file_str(path, "0");	/* absent without swap accounting */
	return NULL;
}

static volatile int balloon_go;

static void *balloon(void *p)
{
	size_t chunk = 256 << 10, total = 0, max = (size_t)(uintptr_t)p;

	while (!balloon_go)
		;
	while (total < max) {
		void *m = mmap(NULL, chunk, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (m == MAP_FAILED)
			break;
		memset(m, 0x77, chunk);
		total += chunk;
	}
	return NULL;
}

static void child(unsigned int flags, struct ftarget *f, int with_balloon,
		  uint64_t rseed)
{
	char path[PATH_MAX], pid[32];
	unsigned int n, i;
	size_t per;
	struct slot_bufs b;
	struct ring r;
	pthread_t th;
	struct fx x;

	frand_state = rseed;
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (write_file_str(path, pid))
		_exit(80);
	n = 4 + frand_below(29);
	per = (size_t)(2u << 20) / n + (size_t)frand_below((38u << 20) / n);
	per = (per + 4095) & ~(size_t)4095;
	if (per > (4u << 20))
		per = 4u << 20;
	mr->bytes = per * n;
	mr->flags = flags;
	/* untouched buffers: io_setup2's pinning faults them in */
	b.n = n;
	b.buf = calloc(n, sizeof(*b.buf));
	b.len = calloc(n, sizeof(*b.len));
	if (!b.buf || !b.len)
		_exit(81);
	for (i = 0; i < n; i++) {
		b.buf[i] = mmap(NULL, per, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (b.buf[i] == MAP_FAILED)
			_exit(82);
		b.len[i] = per;
	}
	if (with_balloon) {
		if (pthread_create(&th, NULL, balloon,
				   (void *)(uintptr_t)(CG_MAX / 2 + frand_below(CG_MAX))))
			_exit(83);
		balloon_go = 1;
	}
	ring_prepare(&r, n, flags, 0, b.buf, b.len);
	mr->ret = ring_create(&r);
	mr->err = mr->ret ? errno : 0;
	if (mr->ret)
		_exit(0);
	mr->stage = 1;
	/* IO through the pinned buffers, checked (fault_io.h engine) */
	memset(&x, 0, sizeof(x));
	x.r = r;
	x.b = b;
	x.mode = M_FIXEDBUFS;
	x.flags = flags;
	x.fixed = 1;
	x.f = f;
	x.base = (uint64_t)M_FIXEDBUFS * FAULT_REGION;
	x.nblocks = FAULT_REGION / FAULT_BS;
	x.seed = data_seed;
	x.st = cst;
	x.free_slots = calloc(n, sizeof(*x.free_slots));
	x.slot = calloc(n, sizeof(*x.slot));
	if (!x.free_slots || !x.slot)
		_exit(84);
	for (i = n; i-- > 0;)
		x.free_slots[x.nfree++] = i;
	fx_run(&x, 64, 20000);
	fx_drain(&x, 20000);
	mr->stage = 2;
	if (sys_io_destroy(r.ctx))
		_exit(85);
	mr->stage = 3;
	_exit(0);
}

int main(int argc, char **argv)
{
	unsigned long outcomes[4] = { 0 };	/* ok, ENOMEM, EFAULT, OOM kill */
	struct fbase base;
	long long empty, oom0;
	const char *why;
	unsigned int round;

	fault_options(argc, argv, SHORT_ROUNDS,
		      "memory pressure (memory cgroup) during fixed-buffer registration.");
	require_aioring();
	if (geteuid() != 0)
		skip_all("needs root (cgroups)");
	why = cg_make();
	if (why)
		skip_all("%s", why);
	fault_kmemleak_begin();
	cst = fx_shared(4096);
	mr = fx_shared(4096);
	data_seed = frand();
	if (!fault_targets_open(FAULT_REGION * M_COUNT) || !ft_ndirect) {
		rmdir(cg);
		skip_all("no O_DIRECT target");
	}
	{
		int i;

		for (i = 0; i < ft_ndirect; i++)
			if (fault_prefill(&ft_direct[i], (uint64_t)M_FIXEDBUFS * FAULT_REGION,
					  FAULT_REGION, data_seed))
				bail_out("prefill %s", ft_direct[i].t.name);
	}
	empty = cg_long("memory.current");
	oom0 = cg_event("oom_kill");
	diag("cgroup %s: memory.max %u, memory.current %lld when empty", cg, CG_MAX,
	     empty);
	fault_base_take(&base);

	for (round = 0; round < fault_rounds; round++) {
		unsigned int flags = IOCTX_FLAG_SCQRING | IOCTX_FLAG_FIXEDBUFS;
		struct ftarget *f;
		int bal = frand_pct(50), status = 0, killed, good;
		long long cur = -1;
		int64_t end;
		const char *what;
		pid_t pid;

		if (frand_pct(30))
			flags |= IOCTX_FLAG_SQTHREAD;
		f = fault_pick_target(M_FIXEDBUFS, flags);
		memset(cst, 0, sizeof(*cst));
		memset(mr, 0, sizeof(*mr));
		mr->ret = -2;
		fflush(stdout);
		pid = fork();
		if (pid < 0)
			bail_out("fork");
		if (pid == 0)
			child(flags, f, bal, frand());
		if (!reap_within(pid, &status, 120000)) {
			diag("child %d did not finish in 120 s:", (int)pid);
			dump_tasks(pid);
			fault_sysrq_dump();
			kill(pid, SIGKILL);
			if (!reap_within(pid, &status, 10000))
				diag("child %d cannot be reaped; left behind", (int)pid);
		}
		what = label("round %u (flags %#x, %lu KiB of fixed buffers, %s)", round,
			     mr->flags, mr->bytes >> 10, bal ? "with a balloon" : "alone");
		killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
		if (killed)
			outcomes[3]++;
		else if (mr->ret == 0)
			outcomes[0]++;
		else if (mr->err == ENOMEM)
			outcomes[1]++;
		else if (mr->err == EFAULT)
			outcomes[2]++;
		good = (killed && mr->ret != 0) ||
		       (WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
			(mr->ret == 0 ? mr->stage == 3 :
			 mr->ret == -1 && (mr->err == ENOMEM || mr->err == EFAULT)));
		/* killed after a successful setup (balloon): also fine */
		if (killed && mr->ret == 0)
			good = 1;
		ok(good && !cst->bad_data && !cst->bad_event && !cst->bad_res && !cst->errors,
		   "%s: io_setup2 %s%s, the child %s (status %#x; IO %lu, verified %lu, bad %lu)",
		   what, mr->ret == 0 ? "worked" : mr->ret == -2 ? "was not reached" :
		   "failed: ", mr->ret == -1 ? strerror(mr->err) : "",
		   killed ? "was OOM-killed" : "exited", status, cst->completed,
		   cst->verified, cst->bad_data + cst->bad_event + cst->bad_res);
		end = now_ns() + 5000000000LL;
		while ((cur = cg_long("memory.current")) > empty + CG_SLACK &&
		       now_ns() < end)
			ms_sleep(50);
		if (!ok(cur >= 0 && cur <= empty + CG_SLACK,
			"%s: the cgroup's memory.current is back to %lld (+1 MiB) (%lld)",
			what, empty, cur))
			fault_leaks++;
		fault_base_check(&base, 5000, what);
	}
	diag("outcomes: %lu set up and used, %lu ENOMEM, %lu EFAULT, %lu OOM-killed (memory.events oom_kill +%lld)",
	     outcomes[0], outcomes[1], outcomes[2], outcomes[3],
	     cg_event("oom_kill") - oom0);
	fault_targets_close();
	ok(rmdir(cg) == 0, "the cgroup can be removed (%s)", strerror(errno));
	fault_finish("memcg-fixedbufs");
	return tap_done();
}
