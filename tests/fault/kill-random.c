// SPDX-License-Identifier: MIT
/*
 * kill-random: SIGKILL at random points of a process doing aio-ring IO,
 * in every mode (inline, iopoll, sqthread, sqpoll, sqwq, fixedbufs; the
 * modes also get extra flags at random: SQPOLL with IOPOLL and fixed
 * buffers, SQWQ with the SQ thread, ...).
 *
 * Each round forks a victim that cycles through: io_setup2 with a random
 * ring size (fixed buffers pinned at setup), a random number of random
 * reads and writes (fault_io.h: every read checked against the pattern
 * of its offset), then io_destroy, or io_destroy after a drain, or no
 * io_destroy at all (contexts left alive with IO in flight).  Half of
 * the victims run as uid 65534 with a locked-memory limit, so their
 * fixed buffers are charged to a user.  After a random delay (seeded:
 * often inside io_setup2, mostly during IO, sometimes inside io_destroy)
 * the victim gets SIGKILL.  Then:
 *  - it is reaped within 5 s, killed by SIGKILL;
 *  - what it saw before was right: no wrong data, no stray or duplicate
 *    event, no failed IO, no unexpected error;
 *  - its region of the target still holds the pattern everywhere (a
 *    write from freed or reused memory after the kill would show);
 *  - fs.aio-nr, the system's pinned pages, this program's threads and
 *    VmPin/VmLck are back at the baseline and no aio-sq-* thread is
 *    left anywhere.
 * After the rounds of a mode, uid 65534 can register its whole
 * RLIMIT_MEMLOCK in fixed buffers again (no charge left behind).  At the
 * end a kmemleak scan finds nothing new.
 *
 * Figures: "fault.<mode>.injected N" (kills delivered) per mode and
 * "fault.leaks N".  Options: -s SEED (replay), -r ROUNDS per mode.
 */
#include "fault_io.h"

#define SHORT_ROUNDS	10
#define VICTIM_MEMLOCK	(8u << 20)

static uint64_t data_seed;
static struct fx_stats *st;
static const char *const phase_name[] = { "idle", "setup", "io", "destroy", "exit" };

/* The victim: never returns; SIGKILL ends it. */
static void victim(int mode, unsigned int flags, struct ftarget *f,
		   uint64_t base, int nobody, uint64_t rseed)
{
	struct fx ctxs[3];
	int live = 0;

	frand_state = rseed;
	if (nobody) {
		int e = fault_become_nobody(VICTIM_MEMLOCK);

		if (e) {
			snprintf(st->msg, sizeof(st->msg), "drop to nobody: %s",
				 strerror(-e));
			st->errors++;
			for (;;)
				pause();
		}
	}
	for (;;) {
		struct fx *x = &ctxs[live];
		unsigned int n = 4 + frand_below(61);
		int choice;

		if (fx_setup(x, mode, flags, f, base, FAULT_REGION / FAULT_BS,
			     data_seed, n, st)) {
			st->errors++;
			st->last_err = errno;
			snprintf(st->msg, sizeof(st->msg),
				 "io_setup2(%u, %#x) as %s: %s", n, flags,
				 nobody ? "nobody" : "root", strerror(errno));
			for (;;)
				pause();
		}
		fx_run(x, 10 + frand_below(300), 20000);
		choice = (int)frand_below(10);
		if (choice < 6) {
			fx_destroy(x);
		} else if (choice < 8) {
			fx_drain(x, 20000);
			fx_destroy(x);
		} else if (live < 2) {
			/* leave it alive with whatever is in flight */
			fx_fill(x, x->r.n);
			fx_kick(x, 0);
			live++;
		} else {
			fx_destroy(x);
		}
	}
}

static unsigned long injected[M_COUNT], phases[M_COUNT][5];
static unsigned long ios[M_COUNT];

static void one_kill(int mode, unsigned int round, const struct fbase *base)
{
	unsigned int flags = fault_mode_flags(mode);
	struct ftarget *f = fault_pick_target(mode, flags);
	int nobody = frand_pct(50);
	unsigned int delay = frand_pct(20) ? frand_below(40) : frand_below(500);
	uint64_t rseed = frand(), rbase = (uint64_t)mode * FAULT_REGION;
	const char *what = label("%s #%u (flags %#x, %s, %s, kill after %u ms)",
				 fmode_name[mode], round, flags, f ? f->t.name : "-",
				 nobody ? "nobody" : "root", delay);
	int64_t t0;
	int status = 0, reaped = 0, phase, good;
	pid_t pid;

	if (!f) {
		skip("%s: no target for this mode", what);
		return;
	}
	memset(st, 0, sizeof(*st));
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		bail_out("fork");
	if (pid == 0)
		victim(mode, flags, f, rbase, nobody, rseed);
	ms_sleep(delay);
	phase = __atomic_load_n(&st->phase, __ATOMIC_RELAXED);
	kill(pid, SIGKILL);
	t0 = now_ns();
	reaped = reap_within(pid, &status, 5000);
	if (!reaped) {
		ok(0, "%s: the victim is reaped within 5 s of SIGKILL", what);
		dump_tasks(pid);
		fault_sysrq_dump();
		/* an unkillable victim is left behind: the run goes on */
		reaped = reap_within(pid, &status, 10000);
	}
	injected[mode]++;
	phases[mode][phase >= 0 && phase < 5 ? phase : 0]++;
	ios[mode] += st->completed;
	good = reaped && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL &&
	       !st->bad_data && !st->bad_event && !st->bad_res && !st->errors;
	if (!good)
		diag("%s: status %#x, %lu contexts, %lu IOs completed, %lu verified, bad data %lu, stray events %lu, failed IOs %lu, errors %lu: %s",
		     what, status, st->contexts, st->completed, st->verified,
		     st->bad_data, st->bad_event, st->bad_res, st->errors,
		     st->msg[0] ? st->msg : "-");
	good &= fault_region_intact(f, rbase, FAULT_REGION, data_seed) == 0;
	ok(good, "%s: killed in %s after %lu IOs, reaped in %.2f s, everything it saw was right, its region intact",
	   what, phase_name[phase >= 0 && phase < 5 ? phase : 0], st->completed,
	   (now_ns() - t0) / 1e9);
	fault_base_check(base, 5000, what);
}

int main(int argc, char **argv)
{
	struct fbase base;
	int mode;
	unsigned int round;

	fault_options(argc, argv, SHORT_ROUNDS,
		      "SIGKILL at random points during aio-ring IO, every mode.");
	require_aioring();
	if (geteuid() != 0)
		skip_all("needs root (uid changes, vm/stat_refresh)");
	fault_kmemleak_begin();
	st = fx_shared(4096);
	data_seed = frand();
	fault_targets_prepare(data_seed);
	fault_base_take(&base);
	if (base.pins == LLONG_MIN)
		diag("no nr_foll_pin_* in /proc/vmstat: pinned pages are not compared");
	fault_memlock_check("before the kills");

	for (mode = 0; mode < M_COUNT; mode++) {
		if (mode == M_IOPOLL && !ft_npolled)
			diag("iopoll: no polled block device; files only");
		for (round = 0; round < fault_rounds; round++)
			one_kill(mode, round, &base);
		fault_memlock_check(label("%s: after %lu kills", fmode_name[mode],
					  injected[mode]));
		diag("%s: %lu kills (%lu in setup, %lu during IO, %lu in destroy, %lu idle), %lu IOs done by the victims",
		     fmode_name[mode], injected[mode], phases[mode][FX_SETUP],
		     phases[mode][FX_IO], phases[mode][FX_DESTROY],
		     phases[mode][FX_IDLE], ios[mode]);
	}
	fault_targets_close();
	for (mode = 0; mode < M_COUNT; mode++)
		diag("figure: fault.%s.injected %lu", fmode_name[mode], injected[mode]);
	fault_finish("kill-random");
	return tap_done();
}
