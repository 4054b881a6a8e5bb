// SPDX-License-Identifier: MIT
/*
 * sqwq-iovec-stable: a vectored read handed to an SQWQ worker reads into
 * the buffers its iovec array named when it was submitted, as io_submit()
 * does: the kernel has the iocb and its iovecs once the entry is consumed,
 * and the application may reuse the array (often on its stack) at once.
 *
 * nr_events 2: the context has at most 2 workers. Two reads of an empty
 * pipe A keep both busy; then a PREADV of pipe B (one iovec: buffer
 * "orig") is submitted and queued for a worker. The iovec array is then
 * rewritten to name buffer "canary", pipe A gets its bytes (the workers
 * come free and take the queued read), and pipe B gets 64 bytes. The read
 * completes with 64, its data is in orig, and canary is untouched.
 */
#include "ring_util.h"

#define N	2
#define LEN	64

int main(void)
{
	static uint8_t orig[LEN], canary[LEN], blk[2][8], pat[LEN];
	struct iovec *iov = calloc(1, sizeof(*iov));
	struct io_event ev[3];
	unsigned int i, got, seen = 0;
	int a[2], b[2];
	struct ring r;

	require_aioring();
	if (!iov || pipe(a) || pipe(b))
		bail_out("setup: %s", strerror(errno));
	ring_setup_or_bail(&r, N, IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQWQ);
	memset(canary, 0xcc, sizeof(canary));
	for (i = 0; i < LEN; i++)
		pat[i] = (uint8_t)(0x40 + i);

	/* two blocking reads: the workers wait in pipe A */
	for (i = 0; i < 2; i++) {
		iocb_prep(&r.iocbs[0], IOCB_CMD_PREAD, a[0], blk[i], 1, 0, 100 + i, 0);
		sq_push(&r, 0);
		if (ring_enter(&r, 1, 0, IORING_FLAG_SUBMIT) != 1)
			bail_out("SUBMIT of blocking read %u: %s", i, strerror(errno));
	}
	ms_sleep(300);
	iov[0].iov_base = orig;
	iov[0].iov_len = LEN;
	iocb_prep(&r.iocbs[0], IOCB_CMD_PREADV, b[0], iov, 1, 0, 200, 0);
	sq_push(&r, 0);
	ok(ring_enter(&r, 1, 0, IORING_FLAG_SUBMIT) == 1, "PREADV of pipe B submitted");
	/* the application reuses its array once SUBMIT returned */
	iov[0].iov_base = canary;
	ms_sleep(100);
	if (write(a[1], "xy", 2) != 2 || write(b[1], pat, LEN) != LEN)
		bail_out("write to the pipes: %s", strerror(errno));
	got = ring_reap_wait(&r, ev, 3, 10000);
	for (i = 0; i < got; i++)
		if (ev[i].data == 200 && ev[i].res == LEN)
			seen++;
	ok(got == 3 && seen == 1, "3 events, the PREADV's with res %d (%u events)", LEN, got);
	ok(!memcmp(orig, pat, LEN), "the data is in the buffer named at submission");
	for (i = 0; i < LEN && canary[i] == 0xcc; i++)
		;
	ok(i == LEN, "the buffer the array named afterwards is untouched");
	ok(ring_destroy(&r) == 0, "io_destroy returns 0");
	free(iov);
	return tap_done();
}
