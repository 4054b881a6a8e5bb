// SPDX-License-Identifier: MIT
/*
 * aioring-bench engine "libaio": classic native aio, io_submit() and
 * io_getevents() through libaio.  --polled uses an io_setup2()
 * IOCTX_FLAG_IOPOLL context with IOCB_FLAG_HIPRI iocbs (v9's polled
 * libaio path), so it needs the aio-ring kernel.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <libaio.h>

#include "bench.h"

struct libaio_engine {
	io_context_t ctx;
	struct iocb *iocbs;		/* one per slot */
	struct iocb **pending;		/* queued, not yet submitted */
	unsigned int npending;
	struct io_event *events;	/* reaped by submit, handed out by reap */
	unsigned int nevents, next_event;
	unsigned int hipri;
};

static int la_setup(struct job *j)
{
	struct libaio_engine *l = calloc(1, sizeof(*l));
	int ret;

	if (!l)
		goto nomem;
	l->iocbs = calloc(j->depth, sizeof(*l->iocbs));
	l->pending = calloc(j->depth, sizeof(*l->pending));
	l->events = calloc(j->depth, sizeof(*l->events));
	if (!l->iocbs || !l->pending || !l->events)
		goto nomem;
	if (j->o->polled) {
		unsigned long ctx = 0;

		ret = bench_setup2_iopoll(j->depth, &ctx, j->err, sizeof(j->err));
		if (ret)
			goto fail;
		l->ctx = (io_context_t)ctx;
		l->hipri = BENCH_IOCB_HIPRI;
		snprintf(j->flags, sizeof(j->flags), "io_setup2 IOPOLL");
	} else {
		ret = io_setup((int)j->depth, &l->ctx);
		if (ret) {
			snprintf(j->err, sizeof(j->err), "io_setup(%u): %s%s",
				 j->depth, strerror(-ret), ret == -EAGAIN ?
				 " (fs.aio-max-nr too small)" : "");
			ret = ret == -ENOSYS ? EXIT_NOKERNEL : EXIT_IOERR;
			goto fail;
		}
		snprintf(j->flags, sizeof(j->flags), "io_setup");
	}
	j->priv = l;
	return 0;
nomem:
	snprintf(j->err, sizeof(j->err), "out of memory");
	ret = EXIT_IOERR;
fail:
	if (l) {
		free(l->iocbs);
		free(l->pending);
		free(l->events);
	}
	free(l);
	return ret;
}

static void la_queue(struct job *j, unsigned int slot)
{
	struct libaio_engine *l = j->priv;
	struct io_unit *u = &j->io[slot];
	struct iocb *cb = &l->iocbs[slot];

	if (u->write)
		io_prep_pwrite(cb, j->fd, u->buf, u->len, (long long)u->off);
	else
		io_prep_pread(cb, j->fd, u->buf, u->len, (long long)u->off);
	cb->data = (void *)(uintptr_t)slot;
	cb->u.c.flags |= l->hipri;
	l->pending[l->npending++] = cb;
}

/* io_submit() what is queued, then io_getevents() for wait_nr */
static int la_submit(struct job *j, unsigned int wait_nr)
{
	struct libaio_engine *l = j->priv;
	int taken = 0, ret;

	if (l->npending) {
		ret = io_submit(l->ctx, l->npending, l->pending);
		j->calls++;
		if (ret < 0 && ret != -EAGAIN)
			return ret;
		if (ret > 0) {
			taken = ret;
			l->npending -= ret;
			memmove(l->pending, l->pending + ret,
				l->npending * sizeof(*l->pending));
		}
	}
	/* never wait for more than is in flight */
	if (wait_nr > j->inflight + taken)
		wait_nr = j->inflight + taken;
	if (wait_nr && l->next_event == l->nevents) {
		ret = io_getevents(l->ctx, wait_nr, j->depth, l->events, NULL);
		j->calls++;
		if (ret < 0)
			return taken ? taken : ret;
		l->nevents = ret;
		l->next_event = 0;
	}
	return taken;
}

static unsigned int la_reap(struct job *j, struct io_done *d, unsigned int max)
{
	struct libaio_engine *l = j->priv;
	unsigned int n = 0;

	while (n < max && l->next_event < l->nevents) {
		struct io_event *ev = &l->events[l->next_event++];

		d[n].slot = (unsigned int)(uintptr_t)ev->data;
		d[n].res = (int)(long)ev->res;
		d[n].cachehit = 0;
		n++;
	}
	return n;
}

static void la_cleanup(struct job *j)
{
	struct libaio_engine *l = j->priv;

	if (!l)
		return;
	io_destroy(l->ctx);
	free(l->iocbs);
	free(l->pending);
	free(l->events);
	free(l);
	j->priv = NULL;
}

const struct engine engine_libaio = {
	.name = "libaio",
	.setup = la_setup,
	.queue = la_queue,
	.submit = la_submit,
	.reap = la_reap,
	.cleanup = la_cleanup,
};
