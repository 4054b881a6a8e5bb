// SPDX-License-Identifier: MIT
/*
 * iocb-flags: aio_flags, aio_reqprio and aio_rw_flags of a classic iocb
 * (fs/aio.c io_submit_one(), aio_prep_rw(); block/ioprio.c
 * ioprio_check_cap(); include/linux/fs.h kiocb_set_rw_flags()).
 *
 * 6.1 interprets only two aio_flags bits, IOCB_FLAG_RESFD (1 << 0) and
 * IOCB_FLAG_IOPRIO (1 << 1); no bit is rejected.  So bit 1 << 2 (the HIPRI
 * flag of the new interface) and every other unknown bit are ignored on a
 * classic io_setup() context: the I/O is done exactly as without them.
 *
 * On every target, buffered and (where supported) O_DIRECT, 4 writes and
 * 4 reads in flight per case, events checked and data compared:
 *   IOCB_FLAG_IOPRIO with BE levels 0, 4, 7, IDLE, NONE level 0, RT 4
 *     (RT needs CAP_SYS_ADMIN or CAP_SYS_NICE: run as root)
 *   aio_flags 1 << 2; 1 << 2 | IOPRIO(BE 4); 0xfffffffc (all unknown
 *     bits); 1 << 31
 *   aio_reqprio of an invalid class without IOCB_FLAG_IOPRIO: ignored
 *   aio_rw_flags RWF_HIPRI (accepted; IOCB_HIPRI is cleared, no polling),
 *     RWF_DSYNC, RWF_SYNC
 * Rejected by io_submit:
 *   IOPRIO class 7 (INVALID), 4, 5, 6, or class NONE with a level:
 *     EINVAL, for PREAD and PWRITE
 *   aio_rw_flags 0x80000000: EOPNOTSUPP; 0x20 (not in 6.1's
 *     RWF_SUPPORTED): EOPNOTSUPP on 6.1 (later kernels define it as
 *     RWF_NOAPPEND, so only asserted when running 6.1)
 * Not checked for other opcodes: an invalid IOPRIO on FSYNC or POLL is
 * accepted (aio_prep_rw() is only used for reads and writes), and so is
 * aio_flags 1 << 2 there.
 * RWF_APPEND: a write at offset 0 lands at end of file (files only).
 */
#include "aio_sys.h"

#include <poll.h>
#include <linux/ioprio.h>

#define NR	4
#define BS	4096

#define PRIO(class, data)	((int16_t)(((class) << IOPRIO_CLASS_SHIFT) | (data)))

struct flagcase {
	const char *name;
	uint32_t aio_flags;
	int16_t reqprio;
	uint32_t rw_flags;
	int needs_root;
};

static const struct flagcase good[] = {
	{ "IOPRIO BE/0", IOCB_FLAG_IOPRIO, PRIO(IOPRIO_CLASS_BE, 0), 0, 0 },
	{ "IOPRIO BE/4", IOCB_FLAG_IOPRIO, PRIO(IOPRIO_CLASS_BE, 4), 0, 0 },
	{ "IOPRIO BE/7", IOCB_FLAG_IOPRIO, PRIO(IOPRIO_CLASS_BE, 7), 0, 0 },
	{ "IOPRIO IDLE", IOCB_FLAG_IOPRIO, PRIO(IOPRIO_CLASS_IDLE, 0), 0, 0 },
	{ "IOPRIO NONE/0", IOCB_FLAG_IOPRIO, PRIO(IOPRIO_CLASS_NONE, 0), 0, 0 },
	{ "IOPRIO RT/4", IOCB_FLAG_IOPRIO, PRIO(IOPRIO_CLASS_RT, 4), 0, 1 },
	{ "aio_flags 1<<2", 1u << 2, 0, 0, 0 },
	{ "aio_flags 1<<2 | IOPRIO BE/4", (1u << 2) | IOCB_FLAG_IOPRIO,
	  PRIO(IOPRIO_CLASS_BE, 4), 0, 0 },
	{ "aio_flags 0xfffffffc", 0xfffffffcu, 0, 0, 0 },
	{ "aio_flags 1<<31", 1u << 31, 0, 0, 0 },
	{ "invalid aio_reqprio without IOCB_FLAG_IOPRIO", 0, PRIO(7, 0), 0, 0 },
	{ "aio_rw_flags RWF_HIPRI", 0, 0, RWF_HIPRI, 0 },
	{ "aio_rw_flags RWF_HIPRI, aio_flags 1<<2", 1u << 2, 0, RWF_HIPRI, 0 },
	{ "aio_rw_flags RWF_DSYNC", 0, 0, RWF_DSYNC, 0 },
	{ "aio_rw_flags RWF_SYNC", 0, 0, RWF_SYNC, 0 },
};

static void set_flags(struct iocb *cb, const struct flagcase *fc)
{
	cb->aio_flags = fc->aio_flags;
	cb->aio_reqprio = fc->reqprio;
	cb->aio_rw_flags = fc->rw_flags;
}

static void run_case(aio_context_t ctx, int fd, uint8_t *buf, uint64_t base,
		     const struct flagcase *fc, uint64_t seed, const char *mode)
{
	char what[700];
	struct iocb cbs[NR], *ptrs[NR];
	struct io_event ev[NR];
	long i, r;

	snprintf(what, sizeof(what), "%s: %s", mode, fc->name);
	for (i = 0; i < NR; i++) {
		uint64_t off = base + (uint64_t)((i * 3) % NR) * BS;

		pattern_fill(buf + i * BS, BS, off, seed);
		iocb_prep(&cbs[i], IOCB_CMD_PWRITE, fd, buf + i * BS, BS, off, AIO_DATA(0xd0, i), 0);
		set_flags(&cbs[i], fc);
		ptrs[i] = &cbs[i];
	}
	r = sys_io_submit(ctx, NR, ptrs);
	ok(r == NR, "%s: %d writes accepted (got %ld errno %d)", what, NR, r, r < 0 ? errno : 0);
	check_events(label("%s: writes", what), ev, r > 0 ? wait_events(ctx, r, ev, 10000) : 0,
		     ptrs, NR, 0xd0, NULL, BS);

	memset(buf, 0, NR * BS);
	for (i = 0; i < NR; i++) {
		iocb_prep(&cbs[i], IOCB_CMD_PREAD, fd, buf + i * BS, BS, base + i * BS,
			  AIO_DATA(0xd1, i), 0);
		set_flags(&cbs[i], fc);
	}
	r = sys_io_submit(ctx, NR, ptrs);
	ok(r == NR, "%s: %d reads accepted (got %ld errno %d)", what, NR, r, r < 0 ? errno : 0);
	check_events(label("%s: reads", what), ev, r > 0 ? wait_events(ctx, r, ev, 10000) : 0,
		     ptrs, NR, 0xd1, NULL, BS);
	ok_pattern(buf, NR * BS, base, seed, "%s: data read back byte for byte", what);
}

static void run_target(struct aio_target *t, int fd, int direct, uint64_t base,
		       uint64_t seed)
{
	aio_context_t ctx = setup_or_bail(16);
	uint8_t *buf = xalign(4096, NR * BS);
	char mode[600];
	unsigned int i;

	snprintf(mode, sizeof(mode), "%s", label("%s %s", t->name,
						 direct ? "O_DIRECT" : "buffered"));
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (good[i].needs_root && geteuid() != 0) {
			skip("%s: %s: needs CAP_SYS_ADMIN or CAP_SYS_NICE", mode, good[i].name);
			continue;
		}
		run_case(ctx, fd, buf, base, &good[i], seed + i, mode);
	}
	ok(sys_io_destroy(ctx) == 0, "%s: io_destroy", mode);
	free(buf);
}

static void rejects(int fd)
{
	static const struct { const char *name; int16_t prio; } bad[] = {
		{ "class 7 (IOPRIO_CLASS_INVALID)", PRIO(7, 0) },
		{ "class 4", PRIO(4, 0) },
		{ "class 5", PRIO(5, 1) },
		{ "class 6", PRIO(6, 0) },
		{ "class NONE with level 3", PRIO(IOPRIO_CLASS_NONE, 3) },
	};
	aio_context_t ctx = setup_or_bail(8);
	uint8_t *buf = xalign(4096, BS);
	struct iocb cb, *p = &cb;
	struct io_event ev;
	struct timespec zero = { 0, 0 };
	unsigned int i;
	int pp[2];
	long r;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		iocb_prep(&cb, IOCB_CMD_PREAD, fd, buf, BS, 0, 0, 0);
		cb.aio_flags = IOCB_FLAG_IOPRIO;
		cb.aio_reqprio = bad[i].prio;
		ok_errno(sys_io_submit(ctx, 1, &p), EINVAL, label("PREAD, IOPRIO %s", bad[i].name));
		cb.aio_lio_opcode = IOCB_CMD_PWRITE;
		ok_errno(sys_io_submit(ctx, 1, &p), EINVAL, label("PWRITE, IOPRIO %s", bad[i].name));
	}

	iocb_prep(&cb, IOCB_CMD_PREAD, fd, buf, BS, 0, 0, 0);
	cb.aio_rw_flags = 0x80000000u;
	ok_errno(sys_io_submit(ctx, 1, &p), EOPNOTSUPP, "PREAD, aio_rw_flags 0x80000000");
	cb.aio_lio_opcode = IOCB_CMD_PWRITE;
	ok_errno(sys_io_submit(ctx, 1, &p), EOPNOTSUPP, "PWRITE, aio_rw_flags 0x80000000");
	if (kernel_is_6_1()) {
		cb.aio_rw_flags = 0x20;
		ok_errno(sys_io_submit(ctx, 1, &p), EOPNOTSUPP,
			 "PWRITE, aio_rw_flags 0x20 (outside 6.1 RWF_SUPPORTED)");
	} else {
		skip("aio_rw_flags 0x20: EOPNOTSUPP asserted on 6.1 only (later kernels define RWF_NOAPPEND)");
	}
	r = sys_io_getevents(ctx, 0, 1, &ev, &zero);
	ok(r == 0, "the rejected iocbs left no event (got %ld)", r);

	/* FSYNC and POLL do not look at aio_reqprio, nor at unknown flags */
	iocb_prep_sync(&cb, IOCB_CMD_FSYNC, fd, AIO_DATA(0xd2, 0));
	cb.aio_flags = IOCB_FLAG_IOPRIO | (1u << 2);
	cb.aio_reqprio = PRIO(7, 0);
	r = sys_io_submit(ctx, 1, &p);
	ok(r == 1, "FSYNC with IOPRIO class 7 and aio_flags 1<<2 is accepted (got %ld errno %d)",
	   r, r < 0 ? errno : 0);
	check_events("FSYNC with ignored flags", &ev, r == 1 ? wait_events(ctx, 1, &ev, 10000) : 0,
		     &p, 1, 0xd2, NULL, 0);
	if (pipe(pp))
		bail_out("pipe");
	iocb_prep_poll(&cb, pp[1], POLLOUT, AIO_DATA(0xd3, 0));
	cb.aio_flags = IOCB_FLAG_IOPRIO | (1u << 2);
	cb.aio_reqprio = PRIO(7, 0);
	r = sys_io_submit(ctx, 1, &p);
	ok(r == 1, "POLL with IOPRIO class 7 and aio_flags 1<<2 is accepted (got %ld errno %d)",
	   r, r < 0 ? errno : 0);
	check_events("POLL with ignored flags", &ev, r == 1 ? wait_events(ctx, 1, &ev, 10000) : 0,
		     &p, 1, 0xd3, NULL, POLLOUT);
	close(pp[0]);
	close(pp[1]);
	ok(sys_io_destroy(ctx) == 0, "io_destroy after the rejects");
	free(buf);
}

static void append(struct aio_target *t, uint64_t seed)
{
	aio_context_t ctx = setup_or_bail(8);
	uint8_t *buf = xalign(4096, 3 * BS);
	struct iocb cb, *p = &cb;
	struct io_event ev;
	struct stat st;
	long r;
	int fd;

	target_cleanup(t);
	fd = target_open(t, O_RDWR);
	if (fd < 0) {
		ok(0, "open for RWF_APPEND: %s", strerror(-fd));
		return;
	}
	pattern_fill(buf, 2 * BS, 0, seed);
	if (pwrite(fd, buf, 2 * BS, 0) != 2 * BS)
		bail_out("pwrite");
	pattern_fill(buf, BS, 2 * BS, seed);
	iocb_prep(&cb, IOCB_CMD_PWRITE, fd, buf, BS, 0, AIO_DATA(0xd4, 0), 0);
	cb.aio_rw_flags = RWF_APPEND;
	r = sys_io_submit(ctx, 1, &p);
	ok(r == 1, "PWRITE with RWF_APPEND at offset 0 is accepted (got %ld errno %d)", r,
	   r < 0 ? errno : 0);
	check_events("RWF_APPEND write", &ev, r == 1 ? wait_events(ctx, 1, &ev, 10000) : 0,
		     &p, 1, 0xd4, NULL, BS);
	if (fstat(fd, &st))
		st.st_size = -1;
	ok(st.st_size == 3 * BS, "RWF_APPEND: the file grew to %d bytes (%lld)", 3 * BS,
	   (long long)st.st_size);
	memset(buf, 0, 3 * BS);
	r = pread(fd, buf, 3 * BS, 0);
	ok(r == 3 * BS, "read the whole file (got %ld)", r);
	ok_pattern(buf, 3 * BS, 0, seed,
		   "RWF_APPEND: the data landed at end of file, offset 0 untouched");
	close(fd);
	ok(sys_io_destroy(ctx) == 0, "io_destroy after RWF_APPEND");
	free(buf);
}

int main(void)
{
	struct aio_target t[MAX_TARGETS];
	int n = aio_targets(t, MAX_TARGETS, TGT_BDEV | TGT_DIRS);
	uint64_t seed = pattern_seed();
	int i, fd, first_dir = -1;

	if (!n)
		skip_all("no target");
	for (i = 0; i < n; i++) {
		/* on a device: an area of its own past 64 MiB */
		uint64_t base = t[i].is_bdev ? 64ULL << 20 : 0;

		if (!t[i].is_bdev && first_dir < 0)
			first_dir = i;
		fd = target_open(&t[i], O_RDWR);
		if (fd < 0) {
			ok(0, "%s: open: %s", t[i].name, strerror(-fd));
			continue;
		}
		if (t[i].is_bdev && t[i].size < 80ULL << 20) {
			skip("%s: device smaller than 80 MiB", t[i].name);
			close(fd);
			continue;
		}
		run_target(&t[i], fd, 0, base, seed ^ 0x100);
		close(fd);
		fd = target_open_direct(&t[i]);
		if (fd < 0) {
			skip("%s O_DIRECT: not supported (%s)", t[i].name, strerror(-fd));
			target_cleanup(&t[i]);
			continue;
		}
		if (!target_dio_align(&t[i], fd)) {
			skip("%s O_DIRECT: no usable block size", t[i].name);
		} else {
			run_target(&t[i], fd, 1, base, seed ^ 0x200);
		}
		close(fd);
		target_cleanup(&t[i]);
	}
	if (first_dir >= 0) {
		fd = target_open(&t[first_dir], O_RDWR);
		if (fd < 0)
			bail_out("open %s", t[first_dir].dir);
		rejects(fd);
		close(fd);
		append(&t[first_dir], seed ^ 0x300);
		target_cleanup(&t[first_dir]);
	}
	return tap_done();
}
