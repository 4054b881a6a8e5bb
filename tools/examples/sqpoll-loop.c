// SPDX-License-Identifier: MIT
/*
 * sqpoll-loop: an IOCTX_FLAG_SQPOLL ring, where a kernel thread takes
 * the iocbs from the SQ ring: while IO keeps flowing the program makes
 * no system call at all, it only writes iocbs and reads events.  Writes
 * a pattern to the first BLOCKS 4 KiB blocks of TARGET with pwrite(2),
 * reads them back QD at a time through the ring, checks every block and
 * counts the io_ring_enter calls (only a sleeping SQ thread needs one).
 *
 *   sqpoll-loop TARGET [BLOCKS]      (TARGET: a block device or a file)
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "aioring.h"
#include "example.h"

#define QD	8
#define BS	4096

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int write_pattern(int fd, unsigned int blocks, void *buf)
{
	unsigned int b;

	for (b = 0; b < blocks; b++) {
		pattern_fill(buf, BS, b);
		if (pwrite(fd, buf, BS, (off_t)b * BS) != BS)
			return -1;
	}
	return fsync(fd);
}

/*
 * The loop: queue reads while a buffer is free, publish them (no system
 * call while the SQ thread is awake), and take whatever events are
 * there.  Events come in any order, so a buffer goes back to the free
 * list when its own event is taken; the event's data names the block
 * and the buffer.
 */
static int read_loop(struct aioring *r, int fd, unsigned int blocks,
		     void **bufs)
{
	unsigned int free_list[QD], nfree = QD, next = 0, done = 0, i;
	double deadline = now() + 60;
	aioring_iocb_t *cb;
	aioring_event_t *ev;
	int ret;

	for (i = 0; i < QD; i++)
		free_list[i] = i;
	while (done < blocks) {
		while (next < blocks && nfree && (cb = aioring_get_iocb(r))) {
			unsigned int b = free_list[--nfree];

			memset(bufs[b], 0, BS);
			aioring_prep_read(r, cb, fd, bufs[b], BS, (__s64)next * BS);
			aioring_iocb_set_data(cb, (__u64)next << 8 | b);
			next++;
		}
		ret = aioring_submit(r);
		if (ret < 0 && ret != -EAGAIN)	/* EAGAIN: reap, then again */
			return ret;
		while ((ev = aioring_cq_peek(r))) {
			unsigned int b = ev->data & 0xff;
			__u64 block = ev->data >> 8;

			if (ev->res != BS || b >= QD ||
			    pattern_check(bufs[b], BS, block)) {
				fprintf(stderr, "block %llu: res %lld\n",
					(unsigned long long)block, (long long)ev->res);
				return -EIO;
			}
			aioring_cq_advance(r, 1);
			free_list[nfree++] = b;
			done++;
		}
		if (now() > deadline)
			return -ETIMEDOUT;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int flags = IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD |
			     IOCTX_FLAG_SQPOLL;
	unsigned int blocks = argc > 2 ? (unsigned int)atoi(argv[2]) : 1024;
	struct aioring_params p = { 0 };
	void *bufs[QD];
	struct aioring r;
	unsigned int i;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int fd, ret, cpu;

	if (argc < 2 || !blocks) {
		fprintf(stderr, "usage: %s TARGET [BLOCKS]\n", argv[0]);
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_CREAT | O_DIRECT, 0644);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	for (i = 0; i < QD; i++)
		if (posix_memalign(&bufs[i], BS, BS))
			return 1;
	if (write_pattern(fd, blocks, bufs[0])) {
		perror("writing the pattern");
		return 1;
	}

	/* the SQ thread on another CPU than ours, when there is one */
	cpu = sched_getcpu();
	p.sq_thread_cpu = cpus > 1 && cpu >= 0 ? (unsigned int)((cpu + 1) % cpus) : 0;
	ret = aioring_init(&r, QD + 1, flags, &p);
	if (ret)
		return setup_failed(argv[0], ret, flags);

	ret = read_loop(&r, fd, blocks, bufs);
	if (ret) {
		fprintf(stderr, "%s: %s\n", argv[0], strerror(-ret));
	} else {
		printf("sqpoll-loop: %u blocks read back through the SQ thread (CPU %u), data verified, %lu io_ring_enter calls\n",
		       blocks, p.sq_thread_cpu, r.nr_enter);
		/* one wake-up per 1000 IOs at most: the thread slept */
		if (r.nr_enter * 1000 > blocks) {
			fprintf(stderr, "%s: too many system calls for an SQPOLL ring\n",
				argv[0]);
			ret = -EPROTO;
		}
	}
	aioring_exit(&r);
	close(fd);
	return ret ? 1 : 0;
}
