// SPDX-License-Identifier: MIT
/*
 * ring-file-release: a ring context reuses its requests, but a request
 * that completed has let go of its file while the context lives on.
 *
 * For each kind of ring context (SCQRING; SCQRING|SQWQ; SCQRING|SQTHREAD
 * on CPU 0) and a fresh pipe: 24 writes of 100 bytes each to the pipe's
 * write end, through the ring in 3 rounds of 8 (so that requests come
 * back from the context's cache), half of them with IOCB_FLAG_RESFD.
 * Then the application closes its write end. The read end must return
 * the 2,400 bytes written, then end of file within 5 s, while
 * the context still exists: a request that kept its file would keep
 * the pipe's writer alive until io_destroy. The eventfd must have
 * counted exactly the 12 RESFD completions.
 *
 * The ABI orders nothing between requests in flight together: an SQWQ
 * context's workers run a round's writes on both CPUs, in any order.
 * So each round's 800 bytes must be that round's 8 writes, each whole
 * (a pipe write of at most PIPE_BUF bytes is atomic) and each once;
 * rounds follow each other, as each waits for the last's completions.
 */
#include "ring_util.h"
#include <stdbool.h>
#include <sys/eventfd.h>

#define SLOTS	8
#define ROUNDS	3
#define LEN	100

struct kind {
	const char *name;
	unsigned int flags;
};

static const struct kind kinds[] = {
	{ "SCQRING", IOCTX_FLAG_SCQRING },
	{ "SCQRING|SQWQ", IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQWQ },
	{ "SCQRING|SQTHREAD", IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD },
};

/* read LEN bytes or end of file (0) or nothing within ms (-1) */
static ssize_t read_wait(int fd, uint8_t *buf, size_t len, int ms)
{
	int64_t end = now_ns() + (int64_t)ms * 1000000LL;
	size_t got = 0;

	while (got < len && now_ns() < end) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t n;

		if (poll(&pfd, 1, 100) != 1)
			continue;
		n = read(fd, buf + got, len - got);
		if (n == 0)
			return got;
		if (n > 0)
			got += n;
	}
	return got ? (ssize_t)got : -1;
}

/* the bytes read are each round's writes, whole, once, in any order */
static bool rounds_match(const uint8_t *dst, const uint8_t *src)
{
	unsigned int round, i, j;

	for (round = 0; round < ROUNDS; round++) {
		bool seen[SLOTS] = { false };

		for (i = 0; i < SLOTS; i++) {
			const uint8_t *chunk = dst + (size_t)(round * SLOTS + i) * LEN;

			for (j = 0; j < SLOTS; j++)
				if (!seen[j] &&
				    !memcmp(chunk, src + (size_t)(round * SLOTS + j) * LEN, LEN))
					break;
			if (j == SLOTS)
				return false;
			seen[j] = true;
		}
	}
	return true;
}

static void one_kind(const struct kind *k)
{
	static uint8_t src[ROUNDS * SLOTS * LEN], dst[sizeof(src)];
	struct io_event ev[SLOTS];
	struct ring r;
	unsigned int round, i, got, bad = 0;
	ssize_t n;
	int p[2], efd;
	long ret;

	pattern_fill(src, sizeof(src), 0, 11);
	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (efd < 0 || pipe2(p, O_NONBLOCK | O_CLOEXEC))
		bail_out("eventfd / pipe");
	/* an SQ ring of n entries holds n - 1 */
	if (ring_setup_bufs(&r, 2 * SLOTS, k->flags, 0, NULL, NULL))
		bail_out("io_setup2(%u, %s)", 2 * SLOTS, k->name);

	for (round = 0; round < ROUNDS; round++) {
		for (i = 0; i < SLOTS; i++) {
			unsigned int nr = round * SLOTS + i;

			iocb_prep(&r.iocbs[i], IOCB_CMD_PWRITE, p[1],
				  src + (size_t)nr * LEN, LEN, 0, AIO_DATA(0xfe, nr),
				  nr % 2 ? IOCB_FLAG_RESFD : 0);
			r.iocbs[i].aio_resfd = efd;
			sq_push(&r, i);
		}
		ret = ring_enter(&r, SLOTS, 0, IORING_FLAG_SUBMIT);
		got = ring_reap_wait(&r, ev, ret > 0 ? ret : 0, 10000);
		if ((ret != SLOTS || got != SLOTS) && !bad++)
			diag("%s round %u: SUBMIT %ld (errno %d), %u events",
			     k->name, round, ret, ret < 0 ? errno : 0, got);
		for (i = 0; i < got; i++)
			if (ev[i].res != LEN && !bad++)
				diag("%s: write res %lld", k->name,
				     (long long)ev[i].res);
	}
	ok(!bad, "%s: %u writes of %u bytes to a pipe complete", k->name,
	   ROUNDS * SLOTS, LEN);

	close(p[1]);
	n = read_wait(p[0], dst, sizeof(dst), 5000);
	ok(n == (ssize_t)sizeof(dst) && rounds_match(dst, src),
	   "%s: the pipe holds the %zu bytes written, round by round (read %zd)",
	   k->name, sizeof(dst), n);
	n = read_wait(p[0], dst, 1, 5000);
	ok(n == 0, "%s: end of file once the application closed its write end, "
	   "before io_destroy (read %zd)", k->name, n);
	ok(eventfd_rest(efd) == ROUNDS * SLOTS / 2,
	   "%s: the eventfd counted the %u RESFD completions only", k->name,
	   ROUNDS * SLOTS / 2);

	ok(ring_destroy(&r) == 0, "%s: io_destroy", k->name);
	close(p[0]);
	close(efd);
}

int main(void)
{
	unsigned int i;
	long start;

	require_aioring();
	start = aio_nr();
	tap_plan(5 * ARRAY_SIZE(kinds) + 1);
	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		one_kind(&kinds[i]);
	ok_aio_nr_back(start);
	return tap_done();
}
