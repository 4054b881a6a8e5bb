/* SPDX-License-Identifier: MIT */
/* iocb builders, for io_submit(2) and for the iocbs of a ring alike. */
#ifndef AIORING_TEST_IOCB_H
#define AIORING_TEST_IOCB_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/aio_abi.h>

/* aio_data of operation i of a batch: a tag in the high half. */
#define AIO_DATA(tag, i)	(((uint64_t)(tag) << 32) | (uint32_t)(i))

/* A read or write (IOCB_CMD_PREAD, PWRITE, PREADV, PWRITEV). */
static inline void iocb_prep(struct iocb *cb, int opcode, int fd, void *buf,
			     size_t len, uint64_t off, uint64_t data,
			     unsigned int aio_flags)
{
	memset(cb, 0, sizeof(*cb));
	cb->aio_data = data;
	cb->aio_lio_opcode = opcode;
	cb->aio_fildes = fd;
	cb->aio_buf = (uint64_t)(uintptr_t)buf;
	cb->aio_nbytes = len;
	cb->aio_offset = (int64_t)off;
	cb->aio_flags = aio_flags;
}

static inline void iocb_prep_poll(struct iocb *cb, int fd, unsigned int events,
				  uint64_t data)
{
	memset(cb, 0, sizeof(*cb));
	cb->aio_data = data;
	cb->aio_lio_opcode = IOCB_CMD_POLL;
	cb->aio_fildes = fd;
	cb->aio_buf = events;
}

/* IOCB_CMD_FSYNC or IOCB_CMD_FDSYNC */
static inline void iocb_prep_sync(struct iocb *cb, int opcode, int fd,
				  uint64_t data)
{
	memset(cb, 0, sizeof(*cb));
	cb->aio_data = data;
	cb->aio_lio_opcode = opcode;
	cb->aio_fildes = fd;
}

#endif
