// SPDX-License-Identifier: MIT
/*
 * aioring-bench engine "psync": one pread()/pwrite() per IO, depth 1.
 * The baseline every asynchronous interface has to beat.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "bench.h"

struct psync_engine {
	unsigned int slot, queued;
	struct io_done done;
	unsigned int ndone;
};

static int ps_setup(struct job *j)
{
	struct psync_engine *p = calloc(1, sizeof(*p));

	if (!p) {
		snprintf(j->err, sizeof(j->err), "out of memory");
		return EXIT_IOERR;
	}
	snprintf(j->flags, sizeof(j->flags), "%s",
		 j->o->buffered ? "pread/pwrite" : "pread/pwrite O_DIRECT");
	j->priv = p;
	return 0;
}

static void ps_queue(struct job *j, unsigned int slot)
{
	struct psync_engine *p = j->priv;

	p->slot = slot;
	p->queued = 1;
}

/* the IO happens here, whatever wait_nr says */
static int ps_submit(struct job *j, unsigned int wait_nr)
{
	struct psync_engine *p = j->priv;
	struct io_unit *u;
	ssize_t ret;

	(void)wait_nr;
	if (!p->queued)
		return 0;
	u = &j->io[p->slot];
	if (u->write)
		ret = pwrite(j->fd, u->buf, u->len, (off_t)u->off);
	else
		ret = pread(j->fd, u->buf, u->len, (off_t)u->off);
	j->calls++;
	if (ret < 0 && errno == EINTR)
		return -EINTR;
	p->done.slot = p->slot;
	p->done.res = ret < 0 ? -errno : (int)ret;
	p->done.cachehit = 0;
	p->ndone = 1;
	p->queued = 0;
	return 1;
}

static unsigned int ps_reap(struct job *j, struct io_done *d, unsigned int max)
{
	struct psync_engine *p = j->priv;

	if (!p->ndone || !max)
		return 0;
	d[0] = p->done;
	p->ndone = 0;
	return 1;
}

static void ps_cleanup(struct job *j)
{
	free(j->priv);
	j->priv = NULL;
}

const struct engine engine_psync = {
	.name = "psync",
	.setup = ps_setup,
	.queue = ps_queue,
	.submit = ps_submit,
	.reap = ps_reap,
	.cleanup = ps_cleanup,
};
