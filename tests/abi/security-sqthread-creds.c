// SPDX-License-Identifier: MIT
/*
 * security-sqthread-creds: the SQ thread and the SQWQ workers act with
 * the credentials of the context's creator, never with the kernel's
 * (spec 7 SQTHREAD, 10; defect 9 of the 2018 code).
 *
 *  1. credentials seen from /proc: for an unprivileged creator (uid/gid
 *     65534 with two supplementary groups, no capabilities) and for root
 *     with CAP_SYS_ADMIN and CAP_FSETID dropped from its effective set,
 *     the aio-sq thread's Uid, Gid, Groups and CapInh/CapPrm/CapEff/
 *     CapBnd/CapAmb lines equal the creator's;
 *  2. credentials as the filesystem sees them: a write to a set-user-ID
 *     file clears S_ISUID unless the writer has CAP_FSETID
 *     (file_remove_privs). The unprivileged creator writes 4 KiB to a
 *     world-writable 04777 root file on ext4 through each way a request
 *     can go: inline io_ring_enter, the SQ thread, SQPOLL, the SQWQ
 *     workers, the thread and the workers together. Each write completes
 *     (res 4096, data read back) and S_ISUID is gone: the thread and the
 *     workers had no CAP_FSETID. Root without CAP_FSETID: the same.
 *     Root with it (the control): S_ISUID stays, in every way;
 *  3. an fd the creator opened O_RDONLY cannot be written through the
 *     SQ thread or the workers: the event says -EBADF and the file is
 *     unchanged; inline, io_ring_enter returns EBADF.
 */
#include "ring2_util.h"

#define NMODES	5

static const unsigned int modes[NMODES] = {
	IOCTX_FLAG_SCQRING,
	IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD,
	IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD | IOCTX_FLAG_SQPOLL,
	IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQWQ,
	IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD | IOCTX_FLAG_SQWQ,
};
static const char *const mode_name[NMODES] = {
	"inline", "SQ thread", "SQPOLL", "SQWQ workers", "SQ thread + SQWQ",
};

static const char *const cred_keys[] = {
	"Uid", "Gid", "Groups", "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb",
};

struct res {
	int ran;
	/* 1 */
	int have_thread;
	char mismatch[256];		/* "key: thread 'x' creator 'y'" or "" */
	/* 2 */
	long wres[NMODES];		/* event res of the write */
	int data_ok[NMODES];
	int suid_after[NMODES];		/* S_ISUID still set */
	/* 3 */
	long ro_ret[NMODES], ro_err[NMODES], ro_res[NMODES];
	int ro_unchanged[NMODES];
};

struct arg {
	char files[NMODES][PATH_MAX];	/* 04777 files, one per mode */
	char rofile[PATH_MAX];		/* a file to open O_RDONLY */
};

/* Compare the credential lines of the SQ thread with the creator's. */
static void compare_creds(struct res *res)
{
	struct ring r;
	pid_t tid = 0;
	unsigned int i;

	if (ring_setup_bufs(&r, 4, IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD, 0, NULL, NULL)) {
		snprintf(res->mismatch, sizeof(res->mismatch),
			 "io_setup2(SQTHREAD): %s", strerror(errno));
		return;
	}
	res->have_thread = wait_sq_threads(1, 2000, &tid) == 1;
	for (i = 0; res->have_thread && i < ARRAY_SIZE(cred_keys); i++) {
		char path[64], mine[128] = "?", its[128] = "!";

		snprintf(path, sizeof(path), "/proc/self/task/%d/status", (int)tid);
		status_str("/proc/self/status", cred_keys[i], mine, sizeof(mine));
		status_str(path, cred_keys[i], its, sizeof(its));
		if (strcmp(mine, its)) {
			snprintf(res->mismatch, sizeof(res->mismatch),
				 "%s: thread '%s', creator '%s'", cred_keys[i], its, mine);
			break;
		}
	}
	ring_destroy(&r);
}

/* One request through a context of flags; its event res, or -1000 - errno. */
static long one_io(unsigned int flags, int fd, int opcode, void *buf,
		   long *enter_ret, long *enter_err)
{
	struct io_event ev;
	struct ring r;
	long ret;

	*enter_ret = 0;
	*enter_err = 0;
	if (ring_setup_bufs(&r, 4, flags, 0, NULL, NULL))
		return -1000 - errno;
	iocb_prep(&r.iocbs[0], opcode, fd, buf, 4096, 0, 0x5ec, 0);
	sq_push(&r, 0);
	ret = ring_enter(&r, 1, 1, IORING_FLAG_SUBMIT | IORING_FLAG_GETEVENTS);
	*enter_ret = ret;
	*enter_err = ret < 0 ? errno : 0;
	if (ret < 0) {
		ring_destroy(&r);
		return -2000;
	}
	if (ring_reap_wait(&r, &ev, 1, 10000) != 1 || ev.data != 0x5ec) {
		ring_destroy(&r);
		return -3000;
	}
	ring_destroy(&r);
	return ev.res;
}

static void scenario(void *a, void *out)
{
	struct arg *arg = a;
	struct res *res = out;
	uint8_t *buf = map_pages(4096), *back = map_pages(4096);
	int m;

	res->ran = 1;
	compare_creds(res);
	for (m = 0; m < NMODES; m++) {
		struct stat st;
		long er, ee;
		int fd = open(arg->files[m], O_RDWR);

		pattern_fill(buf, 4096, 0, 0x5e0 + m);
		res->wres[m] = fd < 0 ? -4000 - errno :
			       one_io(modes[m], fd, IOCB_CMD_PWRITE, buf, &er, &ee);
		if (res->wres[m] == -2000)
			res->wres[m] = -1000 - ee;
		res->data_ok[m] = fd >= 0 && pread(fd, back, 4096, 0) == 4096 &&
				  !memcmp(buf, back, 4096);
		res->suid_after[m] = !stat(arg->files[m], &st) && (st.st_mode & S_ISUID);
		if (fd >= 0)
			close(fd);

		/* a read-only fd is not writable through anybody */
		fd = open(arg->rofile, O_RDONLY);
		memset(buf, 0xee, 4096);
		res->ro_res[m] = one_io(modes[m], fd, IOCB_CMD_PWRITE, buf,
					&res->ro_ret[m], &res->ro_err[m]);
		res->ro_unchanged[m] = pread(fd, back, 4096, 0) == 4096 &&
				       pattern_check(back, 4096, 0, 0x5e5) < 0;
		close(fd);
	}
	unmap_pages(buf, 4096);
	unmap_pages(back, 4096);
}

enum who { AS_NOBODY, AS_ROOT_NOCAPS, AS_ROOT };

/*
 * Run scenario() in a child: as nobody with supplementary groups 100 and
 * 65533, as root without capabilities, or as root; its results come back
 * through a pipe.
 */
struct run_as_arg {
	enum who who;
	struct arg *arg;
};

static void become_and_run(void *a, void *out)
{
	const struct run_as_arg *ra = a;
	gid_t groups[2] = { 100, 65533 };

	if (ra->who == AS_NOBODY &&
	    (setgroups(2, groups) || setresgid(NOBODY_ID, NOBODY_ID, NOBODY_ID) ||
	     setresuid(NOBODY_ID, NOBODY_ID, NOBODY_ID)))
		_exit(3);
	/* root without the effective CAP_FSETID and CAP_SYS_ADMIN */
	if (ra->who == AS_ROOT_NOCAPS &&
	    (drop_effective_cap(CAP_FSETID) || drop_effective_cap(CAP_SYS_ADMIN)))
		_exit(3);
	scenario(ra->arg, out);
}

static int run_as(enum who who, struct arg *arg, struct res *res)
{
	struct run_as_arg ra = { who, arg };

	return run_for_result(become_and_run, &ra, res, sizeof(*res)) || !res->ran ? -1 : 0;
}

/* Fresh 04777 root-owned files, and the read-only file with its pattern. */
static int make_files(const char *dir, struct arg *arg, int round)
{
	uint8_t *buf = map_pages(4096);
	int m, fd;

	for (m = 0; m < NMODES; m++) {
		snprintf(arg->files[m], sizeof(arg->files[m]), "%s/sec-suid-%d-%d-%d",
			 dir, (int)getpid(), round, m);
		unlink(arg->files[m]);
		fd = open(arg->files[m], O_RDWR | O_CREAT | O_EXCL, 0600);
		if (fd < 0 || pwrite(fd, buf, 4096, 0) != 4096 || fchown(fd, 0, 0) ||
		    fchmod(fd, 04777)) {
			diag("%s: %s", arg->files[m], strerror(errno));
			return -1;
		}
		close(fd);
	}
	snprintf(arg->rofile, sizeof(arg->rofile), "%s/sec-ro-%d-%d", dir, (int)getpid(),
		 round);
	unlink(arg->rofile);
	pattern_fill(buf, 4096, 0, 0x5e5);
	fd = open(arg->rofile, O_RDWR | O_CREAT | O_EXCL, 0644);
	if (fd < 0 || pwrite(fd, buf, 4096, 0) != 4096) {
		diag("%s: %s", arg->rofile, strerror(errno));
		return -1;
	}
	close(fd);
	unmap_pages(buf, 4096);
	return 0;
}

static void remove_files(struct arg *arg)
{
	int m;

	for (m = 0; m < NMODES; m++)
		unlink(arg->files[m]);
	unlink(arg->rofile);
}

static void report(const char *who, const struct res *res, int expect_suid_kept)
{
	int m;

	ok(res->have_thread && !res->mismatch[0],
	   "%s: the aio-sq thread's Uid, Gid, Groups and capability sets equal the creator's%s%s",
	   who, res->mismatch[0] ? ": " : "", res->mismatch);
	for (m = 0; m < NMODES; m++) {
		ok(res->wres[m] == 4096 && res->data_ok[m],
		   "%s, %s: the write to the 04777 file completes (res %ld) and reads back",
		   who, mode_name[m], res->wres[m]);
		ok(res->suid_after[m] == expect_suid_kept,
		   "%s, %s: S_ISUID %s after the write (%s)", who, mode_name[m],
		   expect_suid_kept ? "kept" : "cleared",
		   res->suid_after[m] ? "set" : "clear");
		if (m == 0)
			ok(res->ro_ret[m] == -1 && res->ro_err[m] == EBADF && res->ro_unchanged[m],
			   "%s, %s: a write on an O_RDONLY fd: io_ring_enter EBADF (ret %ld, %s), file unchanged",
			   who, mode_name[m], res->ro_ret[m],
			   res->ro_ret[m] < 0 ? strerrorname_np((int)res->ro_err[m]) ?: "?" : "-");
		else
			ok(res->ro_res[m] == -EBADF && res->ro_unchanged[m],
			   "%s, %s: a write on an O_RDONLY fd: event res -EBADF (%ld), file unchanged",
			   who, mode_name[m], res->ro_res[m]);
	}
}

int main(void)
{
	struct target t[MAX_TARGETS];
	struct arg arg;
	struct res res;
	const char *dir = NULL;
	long start;
	int n, i;

	require_aioring();
	if (geteuid() != 0)
		skip_all("needs root (to make set-user-ID files and drop privileges)");
	n = targets_collect(t, MAX_TARGETS, TGT_FILES);
	for (i = 0; i < n && !dir; i++)
		if (strstr(t[i].dir, "ext4"))
			dir = t[i].dir;
	if (!dir && n)
		dir = t[0].dir;
	if (!dir)
		skip_all("no test directory");
	start = aio_nr();

	if (make_files(dir, &arg, 0) == 0 && run_as(AS_NOBODY, &arg, &res) == 0)
		report("nobody", &res, 0);
	else
		ok(0, "the unprivileged child ran");
	remove_files(&arg);

	if (make_files(dir, &arg, 1) == 0 && run_as(AS_ROOT_NOCAPS, &arg, &res) == 0)
		report("root without CAP_FSETID/CAP_SYS_ADMIN", &res, 0);
	else
		ok(0, "the root child without CAP_FSETID ran");
	remove_files(&arg);

	if (make_files(dir, &arg, 2) == 0 && run_as(AS_ROOT, &arg, &res) == 0)
		report("root (control)", &res, 1);
	else
		ok(0, "the root child ran");
	remove_files(&arg);

	ok_aio_nr_back(start);
	return tap_done();
}
