// SPDX-License-Identifier: MIT
/*
 * aioring-bench engine "io_uring", through liburing: the same job on the
 * interface that replaced aio-ring upstream, for comparison.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <liburing.h>

#include "bench.h"

struct uring_engine {
	struct io_uring ring;
	int fixed;
};

static int ur_setup(struct job *j)
{
	const struct bench_opts *o = j->o;
	struct uring_engine *u = calloc(1, sizeof(*u));
	struct io_uring_params p;
	int ret;

	if (!u) {
		snprintf(j->err, sizeof(j->err), "out of memory");
		return EXIT_IOERR;
	}
	memset(&p, 0, sizeof(p));
	if (o->polled)
		p.flags |= IORING_SETUP_IOPOLL;
	if (o->sqpoll) {
		p.flags |= IORING_SETUP_SQPOLL;
		p.sq_thread_idle = 1000;
		/* pinned as aioring's SQ thread is, for a fair comparison */
		p.flags |= IORING_SETUP_SQ_AFF;
		p.sq_thread_cpu = (unsigned int)bench_sq_cpu(o);
	}
	snprintf(j->flags, sizeof(j->flags), "IORING_SETUP %s%s%s",
		 o->polled ? "IOPOLL" : o->sqpoll ? "" : "0",
		 o->polled && o->sqpoll ? "|" : "", o->sqpoll ? "SQPOLL" : "");
	if (o->fixedbufs)
		strncat(j->flags, ", fixed buffers",
			sizeof(j->flags) - strlen(j->flags) - 1);
	ret = io_uring_queue_init_params(j->depth, &u->ring, &p);
	if (ret) {
		free(u);
		snprintf(j->err, sizeof(j->err), "io_uring_queue_init: %s%s",
			 strerror(-ret), ret == -ENOSYS ?
			 " (this kernel has no io_uring)" : ret == -EPERM ?
			 " (io_uring is disabled here)" : "");
		return ret == -ENOSYS || ret == -EPERM ? EXIT_NOKERNEL :
		       ret == -EINVAL ? EXIT_UNSUPPORTED : EXIT_IOERR;
	}
	if (o->fixedbufs) {
		struct iovec *iov = calloc(j->depth, sizeof(*iov));
		unsigned int i;

		if (!iov) {
			io_uring_queue_exit(&u->ring);
			free(u);
			snprintf(j->err, sizeof(j->err), "out of memory");
			return EXIT_IOERR;
		}
		for (i = 0; i < j->depth; i++) {
			iov[i].iov_base = j->io[i].buf;
			iov[i].iov_len = o->bs;
		}
		ret = io_uring_register_buffers(&u->ring, iov, j->depth);
		free(iov);
		if (ret) {
			io_uring_queue_exit(&u->ring);
			free(u);
			snprintf(j->err, sizeof(j->err),
				 "io_uring_register_buffers: %s%s", strerror(-ret),
				 ret == -ENOMEM ? " (locked memory limit?)" : "");
			return EXIT_IOERR;
		}
		u->fixed = 1;
	}
	j->priv = u;
	return 0;
}

static void ur_queue(struct job *j, unsigned int slot)
{
	struct uring_engine *u = j->priv;
	struct io_unit *io = &j->io[slot];
	struct io_uring_sqe *sqe;
	int ret;

	/*
	 * At most depth IOs are queued or in flight, but with SQPOLL an IO
	 * can complete before the kernel thread has moved the SQ head past
	 * its entry: then the SQ ring is still full. Wake the thread if it
	 * sleeps and wait for room.
	 */
	while (!(sqe = io_uring_get_sqe(&u->ring))) {
		if (IO_URING_READ_ONCE(*u->ring.sq.kflags) &
		    IORING_SQ_NEED_WAKEUP)
			j->calls++;
		ret = io_uring_submit(&u->ring);
		if (ret >= 0 && !io_uring_sq_space_left(&u->ring)) {
			j->calls++;
			ret = io_uring_sqring_wait(&u->ring);
		}
		if (ret < 0 && ret != -EINTR && ret != -EAGAIN) {
			fprintf(stderr, "aioring-bench: io_uring: no room in the SQ ring: %s\n",
				strerror(-ret));
			exit(EXIT_IOERR);
		}
	}
	if (u->fixed && io->write)
		io_uring_prep_write_fixed(sqe, j->fd, io->buf, io->len, io->off,
					  (int)slot);
	else if (u->fixed)
		io_uring_prep_read_fixed(sqe, j->fd, io->buf, io->len, io->off,
					 (int)slot);
	else if (io->write)
		io_uring_prep_write(sqe, j->fd, io->buf, io->len, io->off);
	else
		io_uring_prep_read(sqe, j->fd, io->buf, io->len, io->off);
	io_uring_sqe_set_data64(sqe, slot);
}

static int ur_submit(struct job *j, unsigned int wait_nr)
{
	struct uring_engine *u = j->priv;
	int sqpoll = u->ring.flags & IORING_SETUP_SQPOLL;

	/* what liburing enters the kernel for (it does not tell) */
	if (wait_nr || (!sqpoll && (j->queued ||
				    (u->ring.flags & IORING_SETUP_IOPOLL))) ||
	    (sqpoll && j->queued &&
	     (IO_URING_READ_ONCE(*u->ring.sq.kflags) & IORING_SQ_NEED_WAKEUP)))
		j->calls++;
	return io_uring_submit_and_wait(&u->ring, wait_nr);
}

static unsigned int ur_reap(struct job *j, struct io_done *d, unsigned int max)
{
	struct uring_engine *u = j->priv;
	struct io_uring_cqe *cqes[64];
	unsigned int i, n;

	if (max > ARRAY_SIZE(cqes))
		max = ARRAY_SIZE(cqes);
	n = io_uring_peek_batch_cqe(&u->ring, cqes, max);
	for (i = 0; i < n; i++) {
		d[i].slot = (unsigned int)io_uring_cqe_get_data64(cqes[i]);
		d[i].res = cqes[i]->res;
		d[i].cachehit = 0;
	}
	io_uring_cq_advance(&u->ring, n);
	return n;
}

static void ur_cleanup(struct job *j)
{
	struct uring_engine *u = j->priv;

	if (!u)
		return;
	io_uring_queue_exit(&u->ring);
	free(u);
	j->priv = NULL;
}

const struct engine engine_io_uring = {
	.name = "io_uring",
	.setup = ur_setup,
	.queue = ur_queue,
	.submit = ur_submit,
	.reap = ur_reap,
	.cleanup = ur_cleanup,
};
