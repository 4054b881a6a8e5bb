/* SPDX-License-Identifier: MIT */
/*
 * The aio-ring side of the fio engine, behind plain types: fio's headers
 * pull in <libaio.h>, whose struct iocb clashes with <linux/aio_abi.h>,
 * so engine.c (fio) and ring.c (libaioring) never include each other's
 * headers.
 */
#ifndef AIORING_FIO_RING_H
#define AIORING_FIO_RING_H

#include <stddef.h>
#include <stdint.h>

/* io_setup2 flags, same values as IOCTX_FLAG_* (checked in ring.c) */
#define FRING_IOPOLL	(1 << 0)
#define FRING_SCQRING	(1 << 1)
#define FRING_FIXEDBUFS	(1 << 2)
#define FRING_SQTHREAD	(1 << 3)
#define FRING_SQWQ	(1 << 4)
#define FRING_SQPOLL	(1 << 5)

enum fring_op { FRING_READ, FRING_WRITE, FRING_FSYNC, FRING_FDSYNC };

struct fring;

struct fring_event {
	uint64_t data;		/* the iocb's aio_data */
	int64_t res;		/* bytes, or -errno */
	uint64_t res2;		/* IOEV_RES2_CACHEHIT */
};

/*
 * nr_events iocb slots (the SQ ring holds nr_events - 1); bufs[i] of
 * buf_len bytes is slot i's fixed buffer with FRING_FIXEDBUFS.  Returns 0
 * or -errno; why[] says what went wrong.
 */
int fring_open(struct fring **out, unsigned int nr_events, unsigned int flags,
	       unsigned int sq_cpu, void *const *bufs, size_t buf_len,
	       char *why, size_t why_len);
void fring_close(struct fring *r);
unsigned int fring_sq_space(const struct fring *r);
void fring_queue(struct fring *r, unsigned int slot, enum fring_op op, int fd,
		 void *buf, size_t len, uint64_t off);
int fring_submit(struct fring *r);
int fring_wait(struct fring *r, unsigned int min_complete);
unsigned int fring_reap(struct fring *r, struct fring_event *ev,
			unsigned int max);
unsigned int fring_cachehit(void);

#endif
