// SPDX-License-Identifier: MIT
/*
 * queue-full: the device runs out of requests.  The block queue of a
 * null_blk device is shrunk to its minimum (queue/nr_requests = 4) and
 * every mode pushes up to 255 O_DIRECT reads and writes at it at once, so
 * most bios find no free tag.  A submitter that may block waits for one;
 * one that may not (IOCB_NOWAIT: the inline try of SQWQ, polled bios)
 * gets -EAGAIN, and the spec says what becomes of that: a polled request
 * is handed back to the submitter (io_ring_enter fails with EAGAIN, the
 * entry stays in the SQ ring), an SQWQ read is handed to a worker.  It
 * never reaches the application as an event: every IO must complete
 * with res = 4096 and every read hold its pattern.
 *
 * For every mode, Rounds times, on the polled null_blk device (or the
 * other one), with random extra flags.  nr_requests is restored at the
 * end.  Baseline after each; kmemleak at the end.
 */
#include "fault_io.h"
#include "knob.h"

#define SHORT_ROUNDS	1
#define N		256
#define OPS		2000u

static uint64_t data_seed;
static char nr_path[128];
static long nr_saved = -1;

static void one_round(int mode, unsigned int round, struct ftarget *f)
{
	unsigned int flags = fault_mode_flags(mode);
	uint64_t rbase = (uint64_t)mode * FAULT_REGION;
	const char *what;
	struct fx_stats st;
	struct fx x;
	int ret;

	if (mode == M_SQWQ)
		flags &= ~IOCTX_FLAG_FIXEDBUFS;	/* keep the slots 4 KiB */
	if (!(f->t.polled))
		flags &= ~IOCTX_FLAG_IOPOLL;
	what = label("%s #%u (flags %#x, %s, nr_requests 4)", fmode_name[mode], round,
		     flags, f->t.name);
	memset(&st, 0, sizeof(st));
	if (fx_setup(&x, mode, flags, f, rbase, FAULT_REGION / FAULT_BS, data_seed, N,
		     &st)) {
		ok(0, "%s: io_setup2: %s", what, strerror(errno));
		return;
	}
	/* full batches: as much at once as the SQ ring holds */
	{
		int64_t end = now_ns() + 60 * 1000000000LL;
		unsigned long goal = OPS;

		ret = 0;
		while (st.completed < goal && now_ns() < end && !ret) {
			fx_fill(&x, x.r.n);
			ret = fx_kick(&x, 1);
			fx_reap(&x);
		}
		if (!ret)
			ret = fx_drain(&x, 30000);
	}
	ok(!ret && !st.bad_event && !st.bad_res && !st.errors && st.completed >= OPS,
	   "%s: %lu IOs at depth %u through 4 requests: every one completed with res 4096 (failed %lu, stray %lu, errors %lu, %lu EAGAIN/EINTR returns%s%s)",
	   what, st.completed, N - 1, st.bad_res, st.bad_event, st.errors, st.eagain,
	   st.msg[0] ? ": " : "", st.msg);
	ok(st.verified && !st.bad_data, "%s: %lu reads hold their pattern (%lu wrong)",
	   what, st.verified, st.bad_data);
	ok(fx_destroy(&x) == 0, "%s: io_destroy", what);
}

struct case_arg {
	int mode;
	unsigned int round;
	struct ftarget *f;
};

static void queue_case(void *p)
{
	struct case_arg *a = p;

	one_round(a->mode, a->round, a->f);
}

int main(int argc, char **argv)
{
	struct ftarget *f = NULL;
	struct fbase base;
	unsigned int round;
	int mode, i;

	fault_options(argc, argv, SHORT_ROUNDS,
		      "the device's request queue is exhausted, every mode.");
	require_aioring();
	if (geteuid() != 0)
		skip_all("needs root (queue/nr_requests)");
	fault_kmemleak_begin();
	data_seed = frand();
	if (!fault_targets_open(FAULT_REGION * M_COUNT))
		skip_all("no target");
	for (i = 0; i < ft_ndirect && !f; i++)
		if (!strncmp(ft_direct[i].t.name, "nullb", 5) && ft_direct[i].t.polled)
			f = &ft_direct[i];
	for (i = 0; i < ft_ndirect && !f; i++)
		if (!strncmp(ft_direct[i].t.name, "nullb", 5))
			f = &ft_direct[i];
	if (!f)
		skip_all("no null_blk device");
	snprintf(nr_path, sizeof(nr_path), "/sys/block/%s/queue/nr_requests", f->t.name);
	nr_saved = read_sysctl_long(nr_path);
	if (nr_saved <= 0 || write_sysctl_long(nr_path, 4))
		skip_all("cannot set %s", nr_path);
	knob_save(nr_path, nr_saved);
	diag("%s: nr_requests %ld -> %ld", f->t.name, nr_saved, read_sysctl_long(nr_path));
	for (mode = 0; mode < M_COUNT; mode++)
		if (fault_prefill(f, (uint64_t)mode * FAULT_REGION, FAULT_REGION, data_seed))
			bail_out("prefill %s", f->t.name);
	fault_base_take(&base);
	for (mode = 0; mode < M_COUNT; mode++)
		for (round = 0; round < fault_rounds; round++) {
			struct case_arg a = { mode, round, f };
			const char *what = label("%s #%u", fmode_name[mode], round);

			fault_case(what, queue_case, &a, 150);
			fault_base_check(&base, 5000, what);
		}
	knob_restore();
	fault_targets_close();
	fault_finish("queue-full");
	return tap_done();
}
