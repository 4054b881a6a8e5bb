// SPDX-License-Identifier: MIT
/*
 * aioring-bench engine "aioring": an io_setup2() ring context through
 * libaioring.  Slot i of the job is iocb i of the ring (fixed buffer i).
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "aioring.h"
#include "bench.h"

_Static_assert(BENCH_IOCB_HIPRI == IOCB_FLAG_HIPRI, "IOCB_FLAG_HIPRI");

struct aioring_engine {
	struct aioring ring;
	unsigned int aio_flags;
};

static int ar_setup(struct job *j)
{
	const struct bench_opts *o = j->o;
	struct aioring_engine *a = calloc(1, sizeof(*a));
	struct aioring_params p = { 0 };
	struct iovec *iov = NULL;
	unsigned int flags = IOCTX_FLAG_SCQRING, i;
	int ret;

	if (!a) {
		snprintf(j->err, sizeof(j->err), "out of memory");
		return EXIT_IOERR;
	}
	if (o->polled) {
		flags |= IOCTX_FLAG_IOPOLL;
		a->aio_flags = IOCB_FLAG_HIPRI;
	}
	if (o->sqthread)
		flags |= IOCTX_FLAG_SQTHREAD;
	if (o->sqpoll)
		flags |= IOCTX_FLAG_SQPOLL;
	if (o->sqwq)
		flags |= IOCTX_FLAG_SQWQ;
	if (o->fixedbufs) {
		flags |= IOCTX_FLAG_FIXEDBUFS;
		iov = calloc(j->nslots, sizeof(*iov));
		if (!iov) {
			free(a);
			snprintf(j->err, sizeof(j->err), "out of memory");
			return EXIT_IOERR;
		}
		for (i = 0; i < j->nslots; i++) {
			iov[i].iov_base = j->io[i].buf;
			iov[i].iov_len = o->bs;
		}
		p.bufs = iov;
	}
	p.sq_thread_cpu = (unsigned int)bench_sq_cpu(o);

	/* depth + 1: the SQ ring holds nr_events - 1 */
	ret = aioring_init(&a->ring, j->depth + 1, flags, &p);
	free(iov);
	aioring_flags_str(flags, j->flags, sizeof(j->flags));
	if (ret) {
		free(a);
		return setup2_error(ret, flags, NULL, j->err, sizeof(j->err));
	}
	j->priv = a;
	return 0;
}

static void ar_queue(struct job *j, unsigned int slot)
{
	struct aioring_engine *a = j->priv;
	struct io_unit *u = &j->io[slot];
	struct iocb *cb = aioring_iocb(&a->ring, slot);

	aioring_prep_rw(cb, u->write ? IOCB_CMD_PWRITE : IOCB_CMD_PREAD, j->fd,
			u->buf, u->len, (__s64)u->off, slot);
	cb->aio_flags = a->aio_flags;
	aioring_sq_queue(&a->ring, slot);
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

/*
 * With a polling SQ thread the application does not enter the kernel
 * while IO flows (only to wake the thread): it waits by watching the CQ
 * ring, yielding now and then so that a thread sharing its CPU runs.
 */
static void ar_spin_wait(struct aioring_engine *a)
{
	unsigned int spins;

	for (spins = 1; !aioring_cq_ready(&a->ring) && spins < 100000; spins++) {
		if (!(spins % 64))
			sched_yield();
		else
			cpu_relax();
	}
}

static int ar_submit(struct job *j, unsigned int wait_nr)
{
	struct aioring_engine *a = j->priv;
	unsigned int sqflags = a->ring.flags & (IOCTX_FLAG_SQTHREAD | IOCTX_FLAG_SQPOLL);
	int ret;

	if (sqflags & IOCTX_FLAG_SQPOLL) {
		ret = aioring_submit_and_wait(&a->ring, 0);
		if (ret >= 0 && wait_nr)
			ar_spin_wait(a);
	} else {
		ret = aioring_submit_and_wait(&a->ring, wait_nr);
		/*
		 * A wait can end before the SQ thread took the entries just
		 * handed over (they are not in flight yet): let it run.
		 */
		if (sqflags && wait_nr && !aioring_cq_ready(&a->ring) &&
		    aioring_sq_pending(&a->ring))
			sched_yield();
	}
	j->calls = a->ring.nr_enter;
	return ret;
}

static unsigned int ar_reap(struct job *j, struct io_done *d, unsigned int max)
{
	struct aioring_engine *a = j->priv;
	struct io_event *ev;
	unsigned int n = 0;

	while (n < max && (ev = aioring_cq_peek(&a->ring))) {
		d[n].slot = (unsigned int)ev->data;
		d[n].res = (int)ev->res;
		d[n].cachehit = !!(ev->res2 & IOEV_RES2_CACHEHIT);
		aioring_cq_advance(&a->ring, 1);
		n++;
	}
	return n;
}

static void ar_cleanup(struct job *j)
{
	struct aioring_engine *a = j->priv;

	if (!a)
		return;
	aioring_exit(&a->ring);
	free(a);
	j->priv = NULL;
}

const struct engine engine_aioring = {
	.name = "aioring",
	.setup = ar_setup,
	.queue = ar_queue,
	.submit = ar_submit,
	.reap = ar_reap,
	.cleanup = ar_cleanup,
};

/*
 * For the libaio engine's --polled: an IOCTX_FLAG_IOPOLL context without
 * rings, driven by io_submit()/io_getevents() (the v9 polled libaio path).
 */
int bench_setup2_iopoll(unsigned int nr_events, unsigned long *ctx, char *err,
			size_t len)
{
	struct aioring r;
	int ret = aioring_init(&r, nr_events, IOCTX_FLAG_IOPOLL, NULL);

	if (ret)
		return setup2_error(ret, IOCTX_FLAG_IOPOLL, NULL, err, len);
	*ctx = r.ctx;
	return 0;
}
