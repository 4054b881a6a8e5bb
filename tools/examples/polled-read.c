// SPDX-License-Identifier: MIT
/*
 * polled-read: polled IO with fixed buffers.  Writes a pattern to the
 * first BLOCKS 4 KiB blocks of DEVICE and reads it back, both through
 * an IOCTX_FLAG_IOPOLL | IOCTX_FLAG_FIXEDBUFS ring, QD at a time, and
 * checks every block.  DEVICE needs poll queues (null_blk or NVMe with
 * poll_queues); its first BLOCKS blocks are overwritten.
 *
 *   polled-read DEVICE [BLOCKS]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "aioring.h"
#include "example.h"

#define QD	8
#define BS	4096

/* one fixed buffer per iocb slot: the ring has QD + 1 slots */
static void *bufs[QD + 1];

/*
 * One pass over the blocks: batches of up to QD, submitted and polled
 * for with io_ring_enter, then checked.  A slot (and its fixed
 * buffer) comes back from aioring_get_iocb() only after its batch is
 * done, so no buffer is reused while the kernel still has it.
 */
static int pass(struct aioring *r, int fd, unsigned int blocks, int write)
{
	unsigned int next = 0, n, done;
	aioring_iocb_t *cb;
	aioring_event_t *ev;
	int ret;

	while (next < blocks) {
		for (n = 0; n < QD && next < blocks; n++, next++) {
			void *buf;

			cb = aioring_get_iocb(r);
			if (!cb)
				return -EBUSY;	/* cannot happen: QD < ring size */
			buf = bufs[aioring_iocb_index(r, cb)];
			if (write) {
				pattern_fill(buf, BS, next);
				aioring_prep_write(r, cb, fd, buf, BS, (__s64)next * BS);
			} else {
				memset(buf, 0, BS);
				aioring_prep_read(r, cb, fd, buf, BS, (__s64)next * BS);
			}
			aioring_iocb_set_data(cb, next);
		}
		for (done = 0; done < n; ) {
			/*
			 * Submit what is still queued and poll for one event
			 * at least; -EAGAIN (the device was busy, the entries
			 * stay queued): reap, then call again.
			 */
			ret = aioring_submit_and_wait(r, 1);
			if (ret < 0 && ret != -EAGAIN)
				return ret;
			while ((ev = aioring_cq_peek(r))) {
				if (ev->res != BS) {
					fprintf(stderr, "block %llu: res %lld\n",
						(unsigned long long)ev->data,
						(long long)ev->res);
					return -EIO;
				}
				if (ev->obj > QD)
					return -EIO;
				if (!write && pattern_check(bufs[ev->obj], BS, ev->data))
					return -EIO;
				aioring_cq_advance(r, 1);
				done++;
			}
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int flags = IOCTX_FLAG_SCQRING | IOCTX_FLAG_IOPOLL |
			     IOCTX_FLAG_FIXEDBUFS;
	unsigned int blocks = argc > 2 ? (unsigned int)atoi(argv[2]) : 256;
	struct iovec iov[QD + 1];
	struct aioring_params p = { .bufs = iov };
	struct aioring r;
	unsigned int i;
	int fd, ret;

	if (argc < 2 || !blocks) {
		fprintf(stderr, "usage: %s DEVICE [BLOCKS]\n", argv[0]);
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_DIRECT);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	for (i = 0; i < QD + 1; i++) {
		if (posix_memalign(&bufs[i], BS, BS))
			return 1;
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = BS;
	}
	ret = aioring_init(&r, QD + 1, flags, &p);
	if (ret)
		return setup_failed(argv[0], ret, flags);

	ret = pass(&r, fd, blocks, 1);
	if (!ret)
		ret = pass(&r, fd, blocks, 0);
	if (ret)
		fprintf(stderr, "%s: %s\n", argv[0], strerror(-ret));
	else
		printf("polled-read: %u blocks written and read back polled with fixed buffers, data verified (%lu io_ring_enter calls)\n",
		       blocks, r.nr_enter);
	aioring_exit(&r);
	close(fd);
	return ret ? 1 : 0;
}
