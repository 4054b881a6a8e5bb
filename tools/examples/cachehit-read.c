// SPDX-License-Identifier: MIT
/*
 * cachehit-read: buffered reads through an IOCTX_FLAG_SQWQ ring.  A read
 * the page cache can serve completes at once and its event says so in
 * res2 (IOEV_RES2_CACHEHIT); one that would block goes to a worker.
 * Writes a pattern to FILE (buffered: it stays in the page cache), reads
 * it back through the ring, checks every block and reports the cache
 * hits; then drops the file's pages (POSIX_FADV_DONTNEED) and reads it
 * again, now mostly from the disk.
 *
 *   cachehit-read FILE [BLOCKS]      (FILE is created or overwritten)
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

static char bufs[QD][BS];

/* read every block QD at a time; *hits: events with IOEV_RES2_CACHEHIT */
static int read_pass(struct aioring *r, int fd, unsigned int blocks,
		     unsigned int *hits)
{
	unsigned int free_list[QD], nfree = QD, next = 0, done = 0, i;
	aioring_iocb_t *cb;
	aioring_event_t *ev;
	int ret;

	for (i = 0; i < QD; i++)
		free_list[i] = i;
	*hits = 0;
	while (done < blocks) {
		while (next < blocks && nfree && (cb = aioring_get_iocb(r))) {
			unsigned int b = free_list[--nfree];

			memset(bufs[b], 0, BS);
			aioring_prep_read(r, cb, fd, bufs[b], BS, (__s64)next * BS);
			aioring_iocb_set_data(cb, (__u64)next << 8 | b);
			next++;
		}
		ret = aioring_submit_and_wait(r, 1);
		if (ret < 0 && ret != -EAGAIN)
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
			if (ev->res2 & IOEV_RES2_CACHEHIT)
				(*hits)++;
			aioring_cq_advance(r, 1);
			free_list[nfree++] = b;
			done++;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int flags = IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQWQ;
	unsigned int blocks = argc > 2 ? (unsigned int)atoi(argv[2]) : 512;
	unsigned int b, warm, cold;
	struct aioring r;
	int fd, ret;

	if (argc < 2 || !blocks) {
		fprintf(stderr, "usage: %s FILE [BLOCKS]\n", argv[0]);
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	for (b = 0; b < blocks; b++) {
		pattern_fill(bufs[0], BS, b);
		if (write(fd, bufs[0], BS) != BS) {
			perror("writing the pattern");
			return 1;
		}
	}
	ret = aioring_init(&r, QD + 1, flags, NULL);
	if (ret)
		return setup_failed(argv[0], ret, flags);

	ret = read_pass(&r, fd, blocks, &warm);
	if (!ret) {
		/* written back first: only clean pages can be dropped */
		fdatasync(fd);
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		ret = read_pass(&r, fd, blocks, &cold);
	}
	if (ret) {
		fprintf(stderr, "%s: %s\n", argv[0], strerror(-ret));
	} else {
		printf("cachehit-read: %u blocks read back twice, data verified\n", blocks);
		printf("cachehit-read: warm %u/%u cache hits (%.1f%%), after POSIX_FADV_DONTNEED %u/%u\n",
		       warm, blocks, 100.0 * warm / blocks, cold, blocks);
	}
	aioring_exit(&r);
	close(fd);
	return ret ? 1 : 0;
}
