// SPDX-License-Identifier: MIT
/*
 * sqwq-worker-bound: the workers that run IOCTX_FLAG_SQWQ requests which
 * block are threads of the submitting process, so that they count against
 * its user's RLIMIT_NPROC and its pids cgroup; each context has a bounded
 * number of them, and fs.aio-ring-max-workers bounds them all (review
 * finding H1: with a workqueue per context, every blocked request held a
 * root-owned kworker, counted against nothing).
 *
 * As uid 65534 under RLIMIT_NPROC = NPROC_LIM, in a child: NCTX SQWQ
 * contexts (each has a worker from the start), then NREQ 512-byte reads
 * of its own empty pipe on each, more than the limit leaves workers for.
 * A second later:
 *  - every io_setup2 returned 0 and every read was queued;
 *  - the number of kernel threads (children of kthreadd) grew by at most
 *    KTHREAD_SLACK (the old series: one kworker per blocked read);
 *  - at least one "aio-wq-<tgid>" thread per context runs in the process,
 *    at most NPROC_LIM tasks in all (the reads beyond wait for a worker);
 * then each pipe gets NREQ tagged 512-byte chunks: every read completes
 * with res 512 and one whole chunk of its own pipe, each chunk once; after
 * io_destroy no aio-wq thread is left within 5 s.
 *
 * As root: with fs.aio-ring-max-workers = 2 and no other SQWQ context on
 * the system, two SQWQ contexts are made and a third fails with EAGAIN;
 * with a blocked read in each, still no more than 2 workers. The sysctl is
 * restored, and fs.aio-nr is back at the end.
 */
#include "ring2_util.h"

#include <sys/resource.h>

#define NCTX		8
#define NREQ		24
#define RING_N		32
#define CHUNK		512
#define NPROC_LIM	24
#define KTHREAD_SLACK	8
#define MAX_WORKERS_PATH "/proc/sys/fs/aio-ring-max-workers"

/* Kernel threads: tasks whose parent is kthreadd (pid 2). */
static int count_kthreads(void)
{
	char path[PATH_MAX], buf[512];
	struct dirent *de;
	DIR *d = opendir("/proc");
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char *p;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		if (read_file(path, buf, sizeof(buf)))
			continue;
		p = strrchr(buf, ')');
		/* ") S ppid" */
		if (p && strlen(p) > 4 && atoi(p + 4) == 2)
			n++;
	}
	closedir(d);
	return n;
}

static int wait_workers(int want, int ms)
{
	int64_t end = now_ns() + (int64_t)ms * 1000000LL;
	int n;

	while ((n = count_threads("aio-wq", NULL, NULL)) != want && now_ns() < end)
		ms_sleep(20);
	return n;
}

static void chunk_fill(uint8_t *p, unsigned int c, unsigned int seq)
{
	unsigned int i;

	for (i = 0; i < CHUNK; i++)
		p[i] = (uint8_t)(c * 131 + seq * 7 + i);
	p[0] = (uint8_t)c;
	p[1] = (uint8_t)seq;
}

/* The sequence number of the chunk in p from pipe c, or -1. */
static int chunk_seq(const uint8_t *p, unsigned int c)
{
	uint8_t want[CHUNK];

	if (p[0] != c || p[1] >= NREQ)
		return -1;
	chunk_fill(want, c, p[1]);
	return memcmp(p, want, CHUNK) ? -1 : p[1];
}

static void limited(void *arg)
{
	static uint8_t buf[NCTX][NREQ][CHUNK];
	struct rlimit rl = { NPROC_LIM, NPROC_LIM };
	int pipes[NCTX][2], kt0, kt1, workers, tasks;
	unsigned int c, i, setup_ok = 0, queued = 0, good = 0, got = 0;
	unsigned int seen[NCTX] = { 0 };
	struct ring r[NCTX];
	int64_t end;

	(void)arg;
	if (setrlimit(RLIMIT_NPROC, &rl))
		bail_out("setrlimit(RLIMIT_NPROC)");
	if (drop_to_nobody())
		bail_out("drop to uid 65534");
	kt0 = count_kthreads();
	for (c = 0; c < NCTX; c++) {
		if (pipe(pipes[c]))
			bail_out("pipe");
		if (ring_setup(&r[c], RING_N, IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQWQ))
			diag("context %u: io_setup2: %s", c, strerror(errno));
		else
			setup_ok++;
	}
	for (c = 0; c < NCTX && setup_ok == NCTX; c++) {
		for (i = 0; i < NREQ; i++) {
			iocb_prep(&r[c].iocbs[i], IOCB_CMD_PREAD, pipes[c][0],
				  buf[c][i], CHUNK, 0, AIO_DATA(c, i), 0);
			sq_push(&r[c], i);
		}
		if (ring_enter(&r[c], NREQ, 0, IORING_FLAG_SUBMIT) == NREQ)
			queued += NREQ;
		else
			diag("context %u: submit: %s", c, strerror(errno));
	}
	ok(setup_ok == NCTX && queued == NCTX * NREQ,
	   "uid 65534, RLIMIT_NPROC %d: %u contexts made, %u of %u reads queued",
	   NPROC_LIM, setup_ok, queued, NCTX * NREQ);
	if (setup_ok != NCTX)
		bail_out("cannot go on without every context");
	ms_sleep(1000);
	kt1 = count_kthreads();
	workers = count_threads("aio-wq", NULL, &tasks);
	ok(kt0 >= 0 && kt1 - kt0 <= KTHREAD_SLACK,
	   "%u blocked reads made no kernel threads (%d before, %d after)",
	   queued, kt0, kt1);
	ok(workers >= NCTX && tasks <= NPROC_LIM,
	   "they wait in threads of the process: %d aio-wq threads, %d tasks (RLIMIT_NPROC %d)",
	   workers, tasks, NPROC_LIM);

	for (c = 0; c < NCTX; c++)
		for (i = 0; i < NREQ; i++) {
			uint8_t chunk[CHUNK];

			chunk_fill(chunk, c, i);
			if (write(pipes[c][1], chunk, CHUNK) != CHUNK)
				bail_out("write the pipe");
		}
	end = now_ns() + 20000000000LL;
	while (got < NCTX * NREQ && now_ns() < end) {
		int progress = 0;

		for (c = 0; c < NCTX; c++) {
			struct io_event ev;

			while (cq_pop(&r[c], &ev)) {
				unsigned int idx = (uint32_t)ev.data;
				int seq;

				progress = 1;
				got++;
				if (ev.data >> 32 != c || idx >= NREQ || ev.res != CHUNK) {
					diag("context %u: event data %#llx res %lld", c,
					     (unsigned long long)ev.data, (long long)ev.res);
					continue;
				}
				seq = chunk_seq(buf[c][idx], c);
				if (seq < 0 || (seen[c] & (1u << seq))) {
					diag("context %u read %u: %s", c, idx,
					     seq < 0 ? "not a chunk of its pipe" : "chunk twice");
					continue;
				}
				seen[c] |= 1u << seq;
				good++;
			}
		}
		if (!progress)
			ms_sleep(5);
	}
	ok(got == NCTX * NREQ && good == got,
	   "every read completes with one whole chunk of its pipe, each once (%u events, %u good, of %u)",
	   got, good, NCTX * NREQ);
	for (c = 0; c < NCTX; c++) {
		ring_destroy(&r[c]);
		close(pipes[c][0]);
		close(pipes[c][1]);
	}
	ok(wait_workers(0, 5000) == 0, "no aio-wq thread left 5 s after io_destroy");
}

static void global_cap(void)
{
	long old = read_sysctl_long(MAX_WORKERS_PATH);
	struct ring r[3];
	long ret[3];
	int p[2], e3, i, n;
	uint8_t b[2][CHUNK];

	ok(old > 0, "fs.aio-ring-max-workers is there (%ld)", old);
	if (old <= 0)
		return;
	if (pipe(p))
		bail_out("pipe");
	if (write_sysctl_long(MAX_WORKERS_PATH, 2))
		bail_out("set fs.aio-ring-max-workers");
	for (i = 0; i < 3; i++)
		ret[i] = ring_setup(&r[i], 4, IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQWQ);
	e3 = errno;
	ok(!ret[0] && !ret[1] && ret[2] < 0 && e3 == EAGAIN,
	   "with fs.aio-ring-max-workers 2: two SQWQ contexts, the third EAGAIN (%ld %ld %ld, %s)",
	   ret[0], ret[1], ret[2], strerror(e3));
	for (i = 0; i < 2; i++) {
		if (ret[i])
			continue;
		iocb_prep(&r[i].iocbs[0], IOCB_CMD_PREAD, p[0], b[i], CHUNK, 0, i, 0);
		iocb_prep(&r[i].iocbs[1], IOCB_CMD_PREAD, p[0], b[i], CHUNK, 0, i, 0);
		sq_push(&r[i], 0);
		sq_push(&r[i], 1);
		ring_enter(&r[i], 2, 0, IORING_FLAG_SUBMIT);
	}
	ms_sleep(500);
	n = count_threads("aio-wq", NULL, NULL);
	ok(n <= 2, "four blocked reads, still %d workers (at most 2)", n);
	for (i = 0; i < 3; i++)
		if (!ret[i])
			ring_destroy(&r[i]);
	write_sysctl_long(MAX_WORKERS_PATH, old);
	ok(read_sysctl_long(MAX_WORKERS_PATH) == old, "fs.aio-ring-max-workers restored");
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	long nr0 = aio_nr();

	require_aioring();
	tap_plan(5 + 4 + 1);
	run_child_ex("limited", limited, NULL, 60, NULL, 1);
	global_cap();
	ok(aio_nr_wait(nr0, 5000) == nr0, "fs.aio-nr back to %ld", nr0);
	return tap_done();
}
