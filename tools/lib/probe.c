// SPDX-License-Identifier: MIT
/*
 * libaioring: what the running kernel and a device support.
 *
 * The kernel is asked, never guessed from its version: a kernel without
 * the interface answers io_setup2() with ENOSYS, and each IOCTX flag is
 * tried by making (and destroying) a small context with it.  The system
 * calls go through a struct aioring_sys, so the logic can be tested with
 * a fake kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "aioring.h"
#include "internal.h"

static const char *const flag_names[AIORING_NR_CTX_FLAGS] = {
	"IOPOLL", "SCQRING", "FIXEDBUFS", "SQTHREAD", "SQWQ", "SQPOLL",
};

/* "IOPOLL" for IOCTX_FLAG_IOPOLL, ...; NULL for anything else */
const char *aioring_flag_name(unsigned int flag)
{
	unsigned int i;

	for (i = 0; i < AIORING_NR_CTX_FLAGS; i++)
		if (flag == 1U << i)
			return flag_names[i];
	return NULL;
}

/*
 * "SCQRING|IOPOLL" style, in bit order, unknown bits as hex; "0" for no
 * flags.  Returns the length snprintf would have written.
 */
int aioring_flags_str(unsigned int flags, char *buf, size_t len)
{
	unsigned int i, rest = flags & ~AIORING_CTX_FLAGS_ALL;
	int n = 0;

	if (len)
		buf[0] = 0;
	if (!flags)
		return snprintf(buf, len, "0");
	for (i = 0; i < AIORING_NR_CTX_FLAGS; i++) {
		if (!(flags & (1U << i)))
			continue;
		n += snprintf(buf + (n < (int)len ? n : (int)len),
			      n < (int)len ? len - n : 0, "%s%s",
			      n ? "|" : "", flag_names[i]);
	}
	if (rest)
		n += snprintf(buf + (n < (int)len ? n : (int)len),
			      n < (int)len ? len - n : 0, "%s%#x",
			      n ? "|" : "", rest);
	return n;
}

/*
 * The io_setup2() flags that exercise one feature flag: the features
 * that need rings get IOCTX_FLAG_SCQRING, SQPOLL also its thread.
 */
unsigned int aioring_flag_setup_flags(unsigned int flag)
{
	switch (flag) {
	case IOCTX_FLAG_IOPOLL:
	case IOCTX_FLAG_SCQRING:
		return flag;
	case IOCTX_FLAG_SQPOLL:
		return flag | IOCTX_FLAG_SQTHREAD | IOCTX_FLAG_SCQRING;
	default:
		return flag | IOCTX_FLAG_SCQRING;
	}
}

/*
 * Make a 2-entry context with exactly these flags and destroy it again.
 * Returns 1 when the kernel accepted the flags, 0 when it refused them
 * (EINVAL), else -errno (ENOSYS, EPERM, EAGAIN, ENOMEM, ...).
 */
int aioring_try_flags(unsigned int flags, const struct aioring_sys *sys)
{
	struct aioring_params p = { .sys = sys };
	struct iovec bufs[2];
	struct aioring r;
	void *mem = NULL;
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	int cpu, ret;

	if (flags & IOCTX_FLAG_FIXEDBUFS) {
		mem = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			return -ENOMEM;
		bufs[0].iov_base = mem;
		bufs[0].iov_len = pg;
		bufs[1].iov_base = (char *)mem + pg;
		bufs[1].iov_len = pg;
		p.bufs = bufs;
	}
	cpu = sched_getcpu();
	p.sq_thread_cpu = cpu < 0 ? 0 : (unsigned int)cpu;

	ret = aioring_init(&r, 2, flags, &p);
	if (!ret) {
		aioring_exit(&r);
		ret = 1;
	} else if (ret == -EINVAL) {
		ret = 0;
	}
	if (mem)
		munmap(mem, 2 * pg);
	return ret;
}

/*
 * Fill *pr: does io_setup2() exist, and which IOCTX flags does it take.
 * With the real system calls (sys NULL) the kernel is first asked
 * without one: only an aio-ring kernel has the fs.aio-ring-disabled
 * sysctl, and on another kernel io_setup2's number may belong to another
 * system call.  Then io_setup2 with a NULL ctxp, which can never make a
 * context: the kernel answers EFAULT, or EINVAL/EPERM, but not ENOSYS.
 * Returns 0, or -ENOSYS / -EPERM when the interface cannot be used at
 * all (pr->error says so).
 */
int aioring_probe(struct aioring_probe *pr, const struct aioring_sys *sys)
{
	long ret;
	unsigned int i;

	memset(pr, 0, sizeof(*pr));
	if (sys) {
		ret = sys->setup2(1, 0, NULL, NULL, NULL);
	} else if (aioring_disabled(NULL) == -ENOSYS) {
		ret = -ENOSYS;
	} else {
		ret = aioring_io_setup2(1, 0, NULL, NULL, NULL);
		if (ret < 0)
			ret = -errno;
	}
	if (ret == -ENOSYS) {
		pr->error = ENOSYS;
		return -ENOSYS;
	}
	pr->present = 1;
	if (ret == -EPERM) {
		pr->error = EPERM;
		return -EPERM;
	}

	for (i = 0; i < AIORING_NR_CTX_FLAGS; i++) {
		int ok = aioring_try_flags(aioring_flag_setup_flags(1U << i), sys);

		if (ok == 1)
			pr->flags_ok |= 1U << i;
		else
			pr->flag_error[i] = ok == 0 ? EINVAL : -ok;
		if (ok == -EPERM || ok == -ENOSYS) {
			/* the interface went away or is restricted: stop */
			pr->error = -ok;
			return ok;
		}
	}
	return 0;
}

/* a small non-negative number in a file, or -errno (-EIO: not one) */
int aioring_read_int_file(const char *path)
{
	char buf[32];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n <= 0)
		return n < 0 ? (int)n : -EIO;
	buf[n] = 0;
	if (buf[0] < '0' || buf[0] > '9')
		return -EIO;
	return (int)strtol(buf, NULL, 10);
}

/*
 * The fs.aio-ring-disabled sysctl, read without any system call of the
 * interface: 0 (anyone may call io_setup2), 1 (CAP_SYS_ADMIN only), 2
 * (nobody); -ENOSYS when it does not exist, i.e. the kernel has no
 * aio-ring interface (or /proc is not mounted); another -errno when it
 * cannot be read.  path NULL: $AIORING_SYSCTL_DISABLED when set (not in
 * set-user-ID programs; tests point it at a file of theirs), else
 * /proc/sys/fs/aio-ring-disabled.
 */
int aioring_disabled(const char *path)
{
	int ret;

	if (!path)
		path = secure_getenv("AIORING_SYSCTL_DISABLED");
	if (!path || !*path)
		path = AIORING_SYSCTL_DISABLED;
	ret = aioring_read_int_file(path);
	return ret == -ENOENT || ret == -ENOTDIR ? -ENOSYS : ret;
}

/*
 * The first of the feature flags in flags (SCQRING aside) that the
 * kernel refuses on its own, i.e. what an io_setup2() EINVAL is about;
 * 0 when each is taken alone (then the combination, or the SQ thread's
 * CPU, is the problem).
 */
unsigned int aioring_unsupported_flag(unsigned int flags,
				      const struct aioring_sys *sys)
{
	unsigned int bit;

	for (bit = IOCTX_FLAG_IOPOLL; bit <= IOCTX_FLAG_SQPOLL; bit <<= 1) {
		if (!(flags & bit) || bit == IOCTX_FLAG_SCQRING)
			continue;
		if (aioring_try_flags(aioring_flag_setup_flags(bit), sys) == 0)
			return bit;
	}
	return 0;
}

/*
 * An io_setup2(flags) EINVAL in words, the same in every tool: the first
 * feature flag the kernel refuses on its own, with the caller's name of
 * the option that asked for it (option(flag); option NULL, or a NULL
 * from it, names none) and the kernel release,
 *   "IOCTX_FLAG_SQWQ (--sqwq) is not supported by this kernel (6.1.0-..)",
 * or, when the kernel takes each flag alone, the combination (or the SQ
 * thread's CPU) is the problem:
 *   "io_setup2(SCQRING|SQTHREAD) failed: Invalid argument (is the
 *    --sqthread CPU online? or a combination this kernel does not support)".
 * Returns the refused flag, 0 for the second case.
 */
unsigned int aioring_unsupported_strerror(unsigned int flags,
					  const char *(*option)(unsigned int flag),
					  const struct aioring_sys *sys,
					  char *buf, size_t len)
{
	unsigned int bit = aioring_unsupported_flag(flags, sys);
	const char *opt = NULL;
	char names[96];
	struct utsname u;

	if (option)
		opt = option(bit ? bit : IOCTX_FLAG_SQTHREAD);
	if (bit) {
		if (uname(&u))
			strcpy(u.release, "?");
		snprintf(buf, len, "IOCTX_FLAG_%s%s%s%s is not supported by this kernel (%s)",
			 aioring_flag_name(bit), opt ? " (" : "", opt ? opt : "",
			 opt ? ")" : "", u.release);
		return bit;
	}
	aioring_flags_str(flags, names, sizeof(names));
	if (flags & IOCTX_FLAG_SQTHREAD)
		snprintf(buf, len,
			 "io_setup2(%s) failed: %s (is the %s CPU online? or a combination this kernel does not support)",
			 names, strerror(EINVAL), opt ? opt : "SQ thread's");
	else
		snprintf(buf, len,
			 "io_setup2(%s) failed: %s (a combination this kernel does not support)",
			 names, strerror(EINVAL));
	return 0;
}

/* does this process have CAP_SYS_ADMIN (bit 21 of CapEff)? */
static int has_sys_admin(void)
{
	unsigned long long caps = 0;
	char line[128];
	FILE *f = fopen("/proc/self/status", "re");
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "CapEff: %llx", &caps) == 1;
	fclose(f);
	return found && (caps & (1ULL << 21));
}

/*
 * Why io_setup2() with these flags failed with err (a negative errno),
 * for a person: ENOSYS (no interface), EPERM (the sysctl, or seccomp or
 * an LSM when the sysctl allows the call), EAGAIN (fs.aio-max-nr),
 * ENOMEM with fixed buffers (the locked-memory limit); other errors as
 * strerror().  Which feature an EINVAL is about is
 * aioring_unsupported_flag()'s question.  Returns what snprintf returns.
 */
int aioring_setup_strerror(int err, unsigned int flags, char *buf, size_t len)
{
	struct rlimit rl;
	int v;

	switch (err) {
	case -ENOSYS:
		if (aioring_disabled(NULL) == -ENOSYS)
			return snprintf(buf, len,
					"this kernel has no aio-ring interface (no fs.aio-ring-disabled sysctl; io_setup2 not called)");
		return snprintf(buf, len,
				"this kernel has no aio-ring interface (io_setup2 is ENOSYS)");
	case -EPERM:
		v = aioring_disabled(NULL);
		if (v == 0 || (v == 1 && has_sys_admin()))
			return snprintf(buf, len,
					"io_setup2 is not permitted (EPERM) although fs.aio-ring-disabled is %d: blocked by seccomp or an LSM",
					v);
		if (v == 1 || v == 2)
			return snprintf(buf, len,
					"io_setup2 is not permitted (EPERM): the administrator set fs.aio-ring-disabled to %d (%s)",
					v, v == 1 ? "CAP_SYS_ADMIN only" : "nobody");
		return snprintf(buf, len, "io_setup2 is not permitted (EPERM)");
	case -EAGAIN:
		return snprintf(buf, len,
				"io_setup2: not enough room in fs.aio-max-nr (EAGAIN)");
	case -ENOMEM:
		if (!(flags & IOCTX_FLAG_FIXEDBUFS))
			break;
		if (getrlimit(RLIMIT_MEMLOCK, &rl) || rl.rlim_cur == RLIM_INFINITY)
			return snprintf(buf, len,
					"io_setup2: %s (fixed buffers count against the locked memory limit, ulimit -l)",
					strerror(-err));
		return snprintf(buf, len,
				"io_setup2: %s (fixed buffers count against the locked memory limit, ulimit -l: %llu KiB; raise it, or use fewer or smaller buffers)",
				strerror(-err),
				(unsigned long long)rl.rlim_cur / 1024);
	}
	return snprintf(buf, len, "io_setup2: %s", strerror(err < 0 ? -err : err));
}
