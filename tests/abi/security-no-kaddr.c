// SPDX-License-Identifier: MIT
/*
 * security-no-kaddr: no kernel address reaches user space through the
 * interface (spec 10) - the focused, deterministic counterpart of the
 * fuzzer's check.
 *
 * For each way of running a request (io_submit on flags 0 and IOPOLL
 * contexts; io_ring_enter inline, with IOPOLL, FIXEDBUFS, SQWQ, the SQ
 * thread and SQPOLL) and each request of a set that ends well or badly
 * (a good read; a read into the kernel's text and direct map; fd -1; an
 * unknown opcode; a huge length; a write on a read-only fd), in a fresh
 * context each:
 *  - the context id is the start of the context's "[aio]" mapping in
 *    /proc/self/maps, a user address;
 *  - return values are counts or -1 with a uapi errno (<= 133);
 *  - the event carries the iocb's aio_data, obj = slot (ring) or the
 *    iocb pointer (io_submit), res = length or -errno, res2 = 0;
 *  - no 8-byte word of the SQ ring, the CQ ring (every slot, the padding
 *    included) or the first page of the "[aio]" mapping lies in the
 *    kernel half of the address space (>= 0xffff800000000000, -errno
 *    values aside).
 */
#include "ring2_util.h"

#define KTEXT	0xffffffff81000000ULL
#define KDIRECT	0xffff888000000000ULL

enum { REQ_GOOD, REQ_KTEXT, REQ_KDIRECT, REQ_BADFD, REQ_OPCODE, REQ_HUGE,
       REQ_ROFD, REQ_NR };
static const char *const req_name[REQ_NR] = {
	"good read", "read into kernel text", "read into the direct map",
	"fd -1", "opcode 255", "length 2^62", "write on an O_RDONLY fd",
};

struct mode {
	const char *name;
	unsigned int flags;
	int ring;
	int needs_poll;
};

static const struct mode modes[] = {
	{ "io_submit", 0, 0, 0 },
	{ "io_submit IOPOLL", IOCTX_FLAG_IOPOLL, 0, 1 },
	{ "ring", IOCTX_FLAG_SCQRING, 1, 0 },
	{ "ring IOPOLL", IOCTX_FLAG_SCQRING | IOCTX_FLAG_IOPOLL, 1, 1 },
	{ "ring FIXEDBUFS", IOCTX_FLAG_SCQRING | IOCTX_FLAG_FIXEDBUFS, 1, 0 },
	{ "ring SQWQ", IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQWQ, 1, 0 },
	{ "ring SQ thread", IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD, 1, 0 },
	{ "ring SQPOLL", IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD | IOCTX_FLAG_SQPOLL, 1, 0 },
};

static unsigned long words_checked, bad_words;

static void scan(const void *p, size_t len, const char *what, const char *where)
{
	const uint64_t *w = p;
	size_t i;

	for (i = 0; i < len / 8; i++) {
		words_checked++;
		if (kptr_like(w[i]) && !bad_words++)
			diag("%s: %s word at %zu holds %#llx", where, what, i * 8,
			     (unsigned long long)w[i]);
	}
}

/* Is ctx the start of an "[aio]" mapping? */
static int ctx_is_aio_mapping(aio_context_t ctx)
{
	char line[512];
	int found = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strtoull(line, NULL, 16) == ctx && strstr(line, "[aio]"))
			found = 1;
	fclose(f);
	return found;
}

static void prep(struct iocb *cb, int req, int fd, int rofd, void *buf)
{
	iocb_prep(cb, IOCB_CMD_PREAD, fd, buf, 4096, 0, 0xda7a0000u + req, 0);
	switch (req) {
	case REQ_KTEXT: cb->aio_buf = KTEXT; break;
	case REQ_KDIRECT: cb->aio_buf = KDIRECT; break;
	case REQ_BADFD: cb->aio_fildes = (uint32_t)-1; break;
	case REQ_OPCODE: cb->aio_lio_opcode = 255; break;
	case REQ_HUGE: cb->aio_nbytes = 1ULL << 62; break;
	case REQ_ROFD: cb->aio_lio_opcode = IOCB_CMD_PWRITE; cb->aio_fildes = rofd; break;
	default: break;
	}
}

/* One request in a fresh context; returns 1 when all checks held. */
static int one(const struct mode *m, int req, int fd, int rofd, uint8_t *buf)
{
	const char *where = label("%s, %s", m->name, req_name[req]);
	unsigned int aio_flags = (m->flags & IOCTX_FLAG_IOPOLL) ? IOCB_FLAG_HIPRI : 0;
	size_t lens[4] = { 4096, 4096, 4096, 4096 };
	uint8_t *bufs[4] = { buf, buf, buf, buf };
	struct io_event ev;
	struct ring r;
	long ret, got = 0;
	int e, good = 1;

	memset(&ev, 0, sizeof(ev));
	if (m->ring)
		ret = ring_setup_bufs(&r, 4, m->flags, 0, bufs, lens);
	else
		ret = ring_setup(&r, 4, m->flags);
	if (ret) {
		return ok(0, "%s: io_setup2 works (%s)", where, strerror(errno));
	}
	good &= ctx_is_aio_mapping(r.ctx) && r.ctx < 0x800000000000ULL;
	if (!good)
		diag("%s: context id %#llx is not the start of an [aio] mapping", where,
		     (unsigned long long)r.ctx);
	scan((void *)(uintptr_t)r.ctx, 4096, "[aio] page", where);

	if (m->ring) {
		prep(&r.iocbs[1], req, fd, rofd, buf);
		r.iocbs[1].aio_flags |= aio_flags;
		sq_push(&r, 1);
		ret = ring_enter(&r, 1, 1, IORING_FLAG_SUBMIT | IORING_FLAG_GETEVENTS);
		e = errno;
		if (ret >= 0)
			got = ring_reap_wait(&r, &ev, 1, 10000);
		scan(r.sq, r.sq_len, "SQ ring", where);
		scan(r.cq, page_round(r.cq_len), "CQ ring", where);
	} else {
		struct iocb *cbp = &r.iocbs[1];

		prep(&r.iocbs[1], req, fd, rofd, buf);
		r.iocbs[1].aio_flags |= aio_flags;
		ret = sys_io_submit(r.ctx, 1, &cbp);
		e = errno;
		if (ret == 1)
			got = getevents_wait(r.ctx, 1, &ev, 10000);
	}
	scan((void *)(uintptr_t)r.ctx, 4096, "[aio] page", where);
	if (ret < 0) {
		good &= e > 0 && e <= 133;
		ok(good, "%s: the call fails with %s, no kernel address anywhere", where,
		   strerrorname_np(e) ?: "?");
	} else {
		uint64_t obj = m->ring ? 1 : (uint64_t)(uintptr_t)&r.iocbs[1];

		good &= got == 1 && ev.data == 0xda7a0000u + (unsigned int)req &&
			ev.obj == obj && ev.res >= -133 && ev.res <= 4096 && ev.res2 == 0;
		good &= !kptr_like(ev.data) && !kptr_like(ev.obj) &&
			!kptr_like((uint64_t)ev.res) && !kptr_like((uint64_t)ev.res2);
		ok(good && !bad_words,
		   "%s: returns %ld, event data %#llx obj %#llx res %lld res2 %lld; no kernel address anywhere",
		   where, ret, (unsigned long long)ev.data, (unsigned long long)ev.obj,
		   (long long)ev.res, (long long)ev.res2);
	}
	ring_destroy(&r);
	return good;
}

int main(void)
{
	struct target t;
	uint8_t *buf;
	long start;
	int rofd, req;
	unsigned int m;

	require_aioring();
	if (target_pick(&t, FILE_TARGET_SIZE))
		skip_all("no O_DIRECT target");
	rofd = open("/dev/zero", O_RDONLY);
	/*
	 * A guard page after the buffer: the huge read stops there. (An
	 * unmapped page is no guard: a later mapping may take its place.)
	 */
	buf = map_pages(2 * 4096);
	if (mprotect(buf + 4096, 4096, PROT_NONE))
		bail_out("mprotect");
	start = aio_nr();
	for (m = 0; m < ARRAY_SIZE(modes); m++) {
		if (modes[m].needs_poll && !t.polled && !t.is_bdev && !t.dir[0]) {
			skip("%s: the target cannot poll", modes[m].name);
			continue;
		}
		for (req = 0; req < REQ_NR; req++)
			one(&modes[m], req, t.fd, rofd, buf);
	}
	ok(!bad_words, "%lu ring and [aio] words checked, %lu held a kernel address",
	   words_checked, bad_words);
	close(rofd);
	target_close(&t);
	ok_aio_nr_back(start);
	return tap_done();
}
