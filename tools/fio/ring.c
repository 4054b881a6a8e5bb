// SPDX-License-Identifier: MIT
/*
 * The aio-ring side of the fio engine: libaioring on one context.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "aioring.h"
#include "ring.h"

_Static_assert(FRING_IOPOLL == IOCTX_FLAG_IOPOLL &&
	       FRING_SCQRING == IOCTX_FLAG_SCQRING &&
	       FRING_FIXEDBUFS == IOCTX_FLAG_FIXEDBUFS &&
	       FRING_SQTHREAD == IOCTX_FLAG_SQTHREAD &&
	       FRING_SQWQ == IOCTX_FLAG_SQWQ &&
	       FRING_SQPOLL == IOCTX_FLAG_SQPOLL, "FRING_* are IOCTX_FLAG_*");

struct fring {
	struct aioring ring;
	unsigned int aio_flags;		/* IOCB_FLAG_HIPRI on IOPOLL */
};

static const char *flag_option(unsigned int flag)
{
	switch (flag) {
	case IOCTX_FLAG_IOPOLL:		return "hipri";
	case IOCTX_FLAG_FIXEDBUFS:	return "fixedbufs";
	case IOCTX_FLAG_SQTHREAD:	return "sqthread";
	case IOCTX_FLAG_SQWQ:		return "sqwq";
	case IOCTX_FLAG_SQPOLL:		return "sqthread_poll";
	default:			return NULL;
	}
}

int fring_open(struct fring **out, unsigned int nr_events, unsigned int flags,
	       unsigned int sq_cpu, void *const *bufs, size_t buf_len,
	       char *why, size_t why_len)
{
	struct aioring_params p = { .sq_thread_cpu = sq_cpu };
	struct fring *r = calloc(1, sizeof(*r));
	struct iovec *iov = NULL;
	unsigned int i;
	int ret;

	snprintf(why, why_len, "out of memory");
	if (!r)
		return -ENOMEM;
	if (flags & IOCTX_FLAG_FIXEDBUFS) {
		iov = calloc(nr_events, sizeof(*iov));
		if (!iov) {
			free(r);
			return -ENOMEM;
		}
		for (i = 0; i < nr_events; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = buf_len;
		}
		p.bufs = iov;
	}
	ret = aioring_init(&r->ring, nr_events, flags, &p);
	free(iov);
	if (!ret) {
		r->aio_flags = (flags & IOCTX_FLAG_IOPOLL) ? IOCB_FLAG_HIPRI : 0;
		*out = r;
		return 0;
	}
	free(r);
	if (ret == -EINVAL)
		aioring_unsupported_strerror(flags, flag_option, NULL, why, why_len);
	else
		aioring_setup_strerror(ret, flags, why, why_len);
	return ret;
}

void fring_close(struct fring *r)
{
	if (!r)
		return;
	aioring_exit(&r->ring);
	free(r);
}

unsigned int fring_sq_space(const struct fring *r)
{
	return aioring_sq_space(&r->ring);
}

static const int opcodes[] = {
	[FRING_READ] = IOCB_CMD_PREAD,
	[FRING_WRITE] = IOCB_CMD_PWRITE,
	[FRING_FSYNC] = IOCB_CMD_FSYNC,
	[FRING_FDSYNC] = IOCB_CMD_FDSYNC,
};

void fring_queue(struct fring *r, unsigned int slot, enum fring_op op, int fd,
		 void *buf, size_t len, uint64_t off)
{
	struct iocb *cb = aioring_iocb(&r->ring, slot);

	aioring_prep_rw(cb, opcodes[op], fd, buf, len, (__s64)off, slot);
	cb->aio_flags = r->aio_flags;
	aioring_sq_queue(&r->ring, slot);
}

/* publish and submit; SQ entries taken or -errno */
int fring_submit(struct fring *r)
{
	return aioring_submit(&r->ring);
}

int fring_wait(struct fring *r, unsigned int min_complete)
{
	if (r->ring.flags & IOCTX_FLAG_SQPOLL)
		return 0;	/* the thread completes; the caller watches the CQ */
	return aioring_wait(&r->ring, min_complete);
}

unsigned int fring_reap(struct fring *r, struct fring_event *ev,
			unsigned int max)
{
	struct io_event *e;
	unsigned int n = 0;

	while (n < max && (e = aioring_cq_peek(&r->ring))) {
		ev[n].data = e->data;
		ev[n].res = e->res;
		ev[n].res2 = (uint64_t)e->res2;
		aioring_cq_advance(&r->ring, 1);
		n++;
	}
	return n;
}

unsigned int fring_cachehit(void)
{
	return IOEV_RES2_CACHEHIT;
}
