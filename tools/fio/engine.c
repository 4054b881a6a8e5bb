// SPDX-License-Identifier: GPL-2.0-only
/*
 * fio external engine "aioring": IO through the rings of io_setup2()
 * and io_ring_enter() (the aio-ring v9 interface of linux-aioring).
 *
 *   fio --ioengine=external:/usr/lib/x86_64-linux-gnu/aioring/fio-aioring.so \
 *       [--hipri] [--fixedbufs] [--sqthread=CPU [--sqthread_poll]] [--sqwq] ...
 *
 * The file is fio-aioring.so: fio 3.33 takes any engine name or path that
 * begins with "aio" (or "linuxaio") for libaio, so neither the name nor
 * a relative path may begin so (./ in front of a relative one does).
 *
 * Reads report IOEV_RES2_CACHEHIT (served from the page cache by the
 * SQWQ inline attempt) to fio's cache hit/miss counters: fio prints
 * "Cachehit=" and the JSON "cachehit" from them.
 *
 * Built against the headers of the fio it is loaded into (Debian's
 * fio 3.33): struct thread_data and the ioengine_ops version must match.
 * io_u->index is the iocb slot; the ring has iodepth + 1 entries because
 * its SQ holds one entry less than it has slots.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fio.h"
#include "optgroup.h"

#include "ring.h"

struct aioring_fio_options {
	void *pad;			/* an option must not sit at offset 0 */
	unsigned int hipri;
	unsigned int fixedbufs;
	unsigned int sqthread;
	unsigned int sqthread_set;
	unsigned int sqthread_poll;
	unsigned int sqwq;
};

struct aioring_fio_data {
	struct fring *ring;
	struct io_u **io_u_index;	/* slot -> io_u */
	struct fring_event *events;	/* reaped by getevents */
	struct io_u **pending;		/* queued, not yet taken: a FIFO */
	unsigned int pend_head, queued;
	unsigned int depth;
	unsigned int flags;		/* FRING_* */
};

static int sqthread_cb(void *data, unsigned long long *val)
{
	struct aioring_fio_options *o = data;

	o->sqthread = (unsigned int)*val;
	o->sqthread_set = 1;
	return 0;
}

static struct fio_option options[] = {
	{
		.name	= "hipri",
		.lname	= "High priority (polled) IO",
		.type	= FIO_OPT_STR_SET,
		.off1	= offsetof(struct aioring_fio_options, hipri),
		.help	= "Polled IO: IOCTX_FLAG_IOPOLL (needs direct=1 and poll queues)",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "fixedbufs",
		.lname	= "Fixed (pre-mapped) IO buffers",
		.type	= FIO_OPT_STR_SET,
		.off1	= offsetof(struct aioring_fio_options, fixedbufs),
		.help	= "Register the IO buffers at setup: IOCTX_FLAG_FIXEDBUFS",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "sqthread",
		.lname	= "Kernel submission thread",
		.type	= FIO_OPT_INT,
		.cb	= sqthread_cb,
		.help	= "Submit from a kernel thread on this CPU: IOCTX_FLAG_SQTHREAD",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "sqthread_poll",
		.lname	= "Kernel thread polls the SQ ring",
		.type	= FIO_OPT_STR_SET,
		.off1	= offsetof(struct aioring_fio_options, sqthread_poll),
		.help	= "The submission thread polls: IOCTX_FLAG_SQPOLL (needs sqthread)",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "sqwq",
		.lname	= "Kernel workers for blocking IO",
		.type	= FIO_OPT_STR_SET,
		.off1	= offsetof(struct aioring_fio_options, sqwq),
		.help	= "Hand IO that would block to kernel workers: IOCTX_FLAG_SQWQ",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= NULL,
	},
};

static int fio_aioring_prep(struct thread_data *td, struct io_u *io_u)
{
	(void)td;
	(void)io_u;
	return 0;	/* the iocb is written when the io_u is queued */
}

static struct io_u *fio_aioring_event(struct thread_data *td, int event)
{
	struct aioring_fio_data *ld = td->io_ops_data;
	struct fring_event *ev = &ld->events[event];
	struct io_u *io_u = ld->io_u_index[ev->data];

	if (io_u->ddir == DDIR_READ && ev->res >= 0) {
		if (ev->res2 & fring_cachehit())
			td->ts.cachehit++;
		else
			td->ts.cachemiss++;
	}
	if (ev->res != (int64_t)io_u->xfer_buflen) {
		if (ev->res < 0)
			io_u->error = (int)-ev->res;
		else
			io_u->resid = io_u->xfer_buflen - ev->res;
	} else {
		io_u->error = 0;
	}
	return io_u;
}

/* the io_us the kernel took: issue time, then fio's accounting */
static void fio_aioring_queued(struct thread_data *td, unsigned int nr)
{
	struct aioring_fio_data *ld = td->io_ops_data;
	struct timespec now;
	int fill = fio_fill_issue_time(td);

	if (fill)
		fio_gettime(&now, NULL);
	while (nr--) {
		struct io_u *io_u = ld->pending[ld->pend_head];

		ld->pend_head = (ld->pend_head + 1) % ld->depth;
		ld->queued--;
		if (fill) {
			memcpy(&io_u->issue_time, &now, sizeof(now));
			io_u_queued(td, io_u);
		}
	}
	if (fill && td->o.read_iolog_file)
		memcpy(&td->last_issue, &now, sizeof(now));
}

static int fio_aioring_commit(struct thread_data *td)
{
	struct aioring_fio_data *ld = td->io_ops_data;
	int ret;

	while (ld->queued) {
		ret = fring_submit(ld->ring);
		if (ret > 0) {
			if ((unsigned int)ret > ld->queued)
				ret = (int)ld->queued;
			fio_aioring_queued(td, (unsigned int)ret);
			io_u_mark_submit(td, ret);
			continue;
		}
		if (ret == 0 || ret == -EAGAIN || ret == -EINTR) {
			/* let getevents reap, then commit again */
			return 0;
		}
		td_verror(td, -ret, "io_ring_enter submit");
		return ret;
	}
	return 0;
}

static int fio_aioring_getevents(struct thread_data *td, unsigned int min,
				 unsigned int max, const struct timespec *t)
{
	struct aioring_fio_data *ld = td->io_ops_data;
	unsigned int events = 0;
	int r;

	(void)t;
	for (;;) {
		r = (int)fring_reap(ld->ring, ld->events + events, max - events);
		events += r;
		if (events >= min)
			break;
		if (ld->queued) {
			r = fio_aioring_commit(td);
			if (r < 0)
				return r;
		}
		r = fring_wait(ld->ring, min - events);
		if (r < 0 && r != -EAGAIN && r != -EINTR) {
			td_verror(td, -r, "io_ring_enter getevents");
			return r;
		}
		/*
		 * With a submission thread a wait can end before the thread
		 * took the entries (they are not in flight yet): let it run.
		 */
		if (ld->flags & FRING_SQTHREAD)
			sched_yield();
	}
	return (int)events;
}

static enum fio_q_status fio_aioring_queue(struct thread_data *td,
					   struct io_u *io_u)
{
	struct aioring_fio_data *ld = td->io_ops_data;
	enum fring_op op;

	fio_ro_check(td, io_u);

	if (ld->queued == ld->depth || !fring_sq_space(ld->ring))
		return FIO_Q_BUSY;

	if (io_u->ddir == DDIR_TRIM || (ddir_sync(io_u->ddir) &&
					(ld->flags & FRING_IOPOLL))) {
		/* done synchronously, in order with what is queued */
		if (ld->queued)
			return FIO_Q_BUSY;
		if (io_u->ddir == DDIR_TRIM)
			do_io_u_trim(td, io_u);
		else
			do_io_u_sync(td, io_u);
		io_u_mark_submit(td, 1);
		io_u_mark_complete(td, 1);
		return FIO_Q_COMPLETED;
	}

	if (io_u->ddir == DDIR_READ)
		op = FRING_READ;
	else if (io_u->ddir == DDIR_WRITE)
		op = FRING_WRITE;
	else if (io_u->ddir == DDIR_DATASYNC)
		op = FRING_FDSYNC;
	else
		op = FRING_FSYNC;
	fring_queue(ld->ring, io_u->index, op, io_u->file->fd, io_u->xfer_buf,
		    io_u->xfer_buflen, io_u->offset);
	ld->pending[(ld->pend_head + ld->queued) % ld->depth] = io_u;
	ld->queued++;
	return FIO_Q_QUEUED;
}

static void fio_aioring_cleanup(struct thread_data *td)
{
	struct aioring_fio_data *ld = td->io_ops_data;

	if (!ld)
		return;
	fring_close(ld->ring);
	free(ld->io_u_index);
	free(ld->events);
	free(ld->pending);
	free(ld);
	td->io_ops_data = NULL;
}

/* after the io_us exist: their buffers are the fixed buffers */
static int fio_aioring_post_init(struct thread_data *td)
{
	struct aioring_fio_data *ld = td->io_ops_data;
	struct aioring_fio_options *o = td->eo;
	void **bufs;
	char why[256];
	unsigned int i, cpu = 0;
	int ret;

	bufs = calloc(ld->depth + 1, sizeof(*bufs));
	if (!bufs) {
		td_verror(td, ENOMEM, "calloc");
		return 1;
	}
	for (i = 0; i < ld->depth; i++)
		bufs[i] = ld->io_u_index[i]->buf;
	bufs[ld->depth] = bufs[0];	/* the spare slot needs one too */
	if (o->sqthread_set)
		cpu = o->sqthread;
	ret = fring_open(&ld->ring, ld->depth + 1, ld->flags, cpu, bufs,
			 td_max_bs(td), why, sizeof(why));
	free(bufs);
	if (ret) {
		log_err("fio: aioring: %s\n", why);
		td_verror(td, -ret, "io_setup2");
		return 1;
	}
	return 0;
}

static int fio_aioring_init(struct thread_data *td)
{
	struct aioring_fio_options *o = td->eo;
	struct aioring_fio_data *ld;

	if (o->hipri && !td->o.odirect) {
		log_err("fio: aioring: hipri (polled IO) needs direct=1\n");
		return 1;
	}
	if (o->sqthread_poll && !o->sqthread_set) {
		log_err("fio: aioring: sqthread_poll needs sqthread=CPU\n");
		return 1;
	}
	ld = calloc(1, sizeof(*ld));
	if (!ld)
		return 1;
	ld->depth = td->o.iodepth;
	ld->flags = FRING_SCQRING;
	if (o->hipri)
		ld->flags |= FRING_IOPOLL;
	if (o->fixedbufs)
		ld->flags |= FRING_FIXEDBUFS;
	if (o->sqthread_set)
		ld->flags |= FRING_SQTHREAD;
	if (o->sqthread_poll)
		ld->flags |= FRING_SQPOLL;
	if (o->sqwq)
		ld->flags |= FRING_SQWQ;
	ld->io_u_index = calloc(ld->depth, sizeof(*ld->io_u_index));
	ld->events = calloc(ld->depth, sizeof(*ld->events));
	ld->pending = calloc(ld->depth, sizeof(*ld->pending));
	td->io_ops_data = ld;
	if (!ld->io_u_index || !ld->events || !ld->pending) {
		fio_aioring_cleanup(td);
		return 1;
	}
	return 0;
}

static int fio_aioring_io_u_init(struct thread_data *td, struct io_u *io_u)
{
	struct aioring_fio_data *ld = td->io_ops_data;

	ld->io_u_index[io_u->index] = io_u;
	return 0;
}

/* dlsym(handle, "ioengine") */
struct ioengine_ops ioengine = {
	.name			= "aioring",
	.version		= FIO_IOOPS_VERSION,
	.flags			= FIO_ASYNCIO_SYNC_TRIM |
				  FIO_ASYNCIO_SETS_ISSUE_TIME,
	.init			= fio_aioring_init,
	.post_init		= fio_aioring_post_init,
	.io_u_init		= fio_aioring_io_u_init,
	.prep			= fio_aioring_prep,
	.queue			= fio_aioring_queue,
	.commit			= fio_aioring_commit,
	.getevents		= fio_aioring_getevents,
	.event			= fio_aioring_event,
	.cleanup		= fio_aioring_cleanup,
	.open_file		= generic_open_file,
	.close_file		= generic_close_file,
	.get_file_size		= generic_get_file_size,
	.options		= options,
	.option_struct_size	= sizeof(struct aioring_fio_options),
};
