// SPDX-License-Identifier: MIT
/*
 * libaioring feature probing on fake kernels (no interface, interface
 * restricted, today's kernel with IOPOLL and SCQRING only, a complete
 * one), and flag names.  aioring_try_flags() and
 * aioring_flag_setup_flags() are the library's own (internal.h).
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aioring.h"
#include "internal.h"
#include "fake_kernel.h"
#include "tap.h"

static void test_probe_absent(void)
{
	struct aioring_probe pr;
	int ret;

	fake_reset(0);
	fk.present = 0;
	ret = aioring_probe(&pr, &fake_sys);
	ok(ret == -ENOSYS && !pr.present && pr.error == ENOSYS && !pr.flags_ok,
	   "kernel without io_setup2: -ENOSYS, not present");
	ok(fk.setups == 1 && fk.last_nr == 1 && fk.last_flags == 0,
	   "absent: one io_setup2(1, 0, NULL, NULL, NULL), no context tried");
}

/*
 * The real system calls on a kernel without the fs.aio-ring-disabled
 * sysctl (the test points $AIORING_SYSCTL_DISABLED at a missing file):
 * the library answers -ENOSYS and makes no system call.  Were io_setup2
 * called, an aio-ring kernel would make a context (and another kernel
 * may have another system call at 335): the answers would differ.
 */
static void test_sysctl_absent(void)
{
	struct aioring_probe pr;
	struct aioring r;
	int ret;

	setenv("AIORING_SYSCTL_DISABLED", "/nonexistent/aio-ring-disabled", 1);
	ok(aioring_disabled(NULL) == -ENOSYS, "no sysctl file: aioring_disabled() is -ENOSYS");
	ok(aioring_disabled("/nonexistent") == -ENOSYS, "an explicit path is read too");
	ret = aioring_probe(&pr, NULL);
	ok(ret == -ENOSYS && !pr.present && pr.error == ENOSYS,
	   "aioring_probe(real calls) without the sysctl: -ENOSYS, absent, io_setup2 not called");
	ret = aioring_init(&r, 4, IOCTX_FLAG_SCQRING, NULL);
	ok(ret == -ENOSYS && !r.ctx && !r.sq,
	   "aioring_init(real calls) without the sysctl: -ENOSYS, nothing mapped");
	ok(aioring_try_flags(IOCTX_FLAG_IOPOLL, NULL) == -ENOSYS,
	   "aioring_try_flags(real calls) without the sysctl: -ENOSYS");
	unsetenv("AIORING_SYSCTL_DISABLED");
}

static void test_sysctl_values(void)
{
	char path[] = "/tmp/lib-probe.XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, "2\n", 2) != 2) {
		ok(0, "temporary file for the sysctl");
		return;
	}
	close(fd);
	ok(aioring_disabled(path) == 2, "a sysctl that reads 2 is 2");
	setenv("AIORING_SYSCTL_DISABLED", path, 1);
	ok(aioring_disabled(NULL) == 2, "$AIORING_SYSCTL_DISABLED names the file");
	unsetenv("AIORING_SYSCTL_DISABLED");
	unlink(path);
}

static void test_probe_eperm(void)
{
	struct aioring_probe pr;
	int ret;

	fake_reset(AIORING_CTX_FLAGS_ALL);
	fk.setup_errno = EPERM;
	ret = aioring_probe(&pr, &fake_sys);
	ok(ret == -EPERM && pr.present && pr.error == EPERM && !pr.flags_ok,
	   "io_setup2 restricted by the admin: present, -EPERM");
}

static void test_probe_today(void)
{
	struct aioring_probe pr;
	unsigned int i;
	int ret;

	fake_reset(IOCTX_FLAG_IOPOLL | IOCTX_FLAG_SCQRING);
	ret = aioring_probe(&pr, &fake_sys);
	ok(!ret && pr.present && !pr.error, "IOPOLL+SCQRING kernel: present");
	ok(pr.flags_ok == (IOCTX_FLAG_IOPOLL | IOCTX_FLAG_SCQRING),
	   "flags_ok = IOPOLL|SCQRING (%#x)", pr.flags_ok);
	for (i = 2; i < AIORING_NR_CTX_FLAGS; i++)
		if (pr.flag_error[i] != EINVAL)
			break;
	ok(i == AIORING_NR_CTX_FLAGS && !pr.flag_error[0] && !pr.flag_error[1],
	   "FIXEDBUFS, SQTHREAD, SQWQ, SQPOLL refused with EINVAL");
	ok(fk.setup_ok == 2 && fk.destroys == 2,
	   "every context the probe made was destroyed (%u made, %u destroyed)",
	   fk.setup_ok, fk.destroys);
}

static void test_probe_full(void)
{
	struct aioring_probe pr;
	int ret;

	fake_reset(AIORING_CTX_FLAGS_ALL);
	ret = aioring_probe(&pr, &fake_sys);
	ok(!ret && pr.flags_ok == AIORING_CTX_FLAGS_ALL,
	   "complete kernel: all six flags (%#x)", pr.flags_ok);
	ok(fk.setups == 7 && fk.flags_seen[1] == IOCTX_FLAG_IOPOLL &&
	   fk.flags_seen[2] == IOCTX_FLAG_SCQRING &&
	   fk.flags_seen[3] == (IOCTX_FLAG_SCQRING | IOCTX_FLAG_FIXEDBUFS) &&
	   fk.flags_seen[4] == (IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD) &&
	   fk.flags_seen[5] == (IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQWQ) &&
	   fk.flags_seen[6] == (IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD |
				IOCTX_FLAG_SQPOLL),
	   "each feature tried with the flags it needs (SCQRING, SQTHREAD)");
	ok(fk.fixed_ok, "FIXEDBUFS tried with a buffer in every iocb slot");
	ok(fk.setup_ok == fk.destroys, "no context left behind");

	fake_reset(AIORING_CTX_FLAGS_ALL);
	fk.flag_enomem = IOCTX_FLAG_FIXEDBUFS;
	ret = aioring_probe(&pr, &fake_sys);
	ok(!ret && !(pr.flags_ok & IOCTX_FLAG_FIXEDBUFS) &&
	   pr.flag_error[2] == ENOMEM && (pr.flags_ok & IOCTX_FLAG_SQPOLL),
	   "an ENOMEM for one flag is reported as such, the rest still probed");
}

static void test_try_flags(void)
{
	fake_reset(IOCTX_FLAG_IOPOLL | IOCTX_FLAG_SCQRING);
	ok(aioring_try_flags(IOCTX_FLAG_SCQRING | IOCTX_FLAG_IOPOLL, &fake_sys) == 1,
	   "try_flags: accepted -> 1");
	ok(aioring_try_flags(IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQWQ, &fake_sys) == 0,
	   "try_flags: EINVAL -> 0");
	fk.present = 0;
	ok(aioring_try_flags(IOCTX_FLAG_SCQRING, &fake_sys) == -ENOSYS,
	   "try_flags: ENOSYS -> -ENOSYS");
	ok(aioring_flag_setup_flags(IOCTX_FLAG_IOPOLL) == IOCTX_FLAG_IOPOLL &&
	   aioring_flag_setup_flags(IOCTX_FLAG_SQWQ) ==
	   (IOCTX_FLAG_SQWQ | IOCTX_FLAG_SCQRING),
	   "flag_setup_flags adds SCQRING where needed only");
}

static void test_names(void)
{
	char buf[64];
	int n;

	ok(!strcmp(aioring_flag_name(IOCTX_FLAG_IOPOLL), "IOPOLL") &&
	   !strcmp(aioring_flag_name(IOCTX_FLAG_SQPOLL), "SQPOLL") &&
	   !aioring_flag_name(0) && !aioring_flag_name(3) &&
	   !aioring_flag_name(1 << 6), "flag_name: single known bits only");
	aioring_flags_str(IOCTX_FLAG_SCQRING | IOCTX_FLAG_IOPOLL, buf, sizeof(buf));
	ok(!strcmp(buf, "IOPOLL|SCQRING"), "flags_str: '%s'", buf);
	aioring_flags_str(0, buf, sizeof(buf));
	ok(!strcmp(buf, "0"), "flags_str(0): '%s'", buf);
	aioring_flags_str(IOCTX_FLAG_SQWQ | 0x100, buf, sizeof(buf));
	ok(!strcmp(buf, "SQWQ|0x100"), "flags_str with an unknown bit: '%s'", buf);
	n = aioring_flags_str(AIORING_CTX_FLAGS_ALL, buf, 8);
	ok(n == (int)strlen("IOPOLL|SCQRING|FIXEDBUFS|SQTHREAD|SQWQ|SQPOLL") &&
	   strlen(buf) == 7 && !strncmp(buf, "IOPOLL|", 7),
	   "flags_str truncates safely and returns the full length (%d)", n);
}

/* the fio engine's option names (a tool's own words for the flags) */
static const char *fio_option(unsigned int flag)
{
	return flag == IOCTX_FLAG_SQWQ ? "sqwq" :
	       flag == IOCTX_FLAG_SQTHREAD ? "sqthread" : NULL;
}

/*
 * One text for "which flag is unsupported", whatever tool asks: the
 * flag, the tool's option, the kernel; or the combination.
 */
static void test_unsupported_strerror(void)
{
	char buf[256];
	unsigned int bit;

	fake_reset(IOCTX_FLAG_IOPOLL | IOCTX_FLAG_SCQRING);
	bit = aioring_unsupported_strerror(IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQWQ,
					   fio_option, &fake_sys, buf, sizeof(buf));
	ok(bit == IOCTX_FLAG_SQWQ &&
	   !strncmp(buf, "IOCTX_FLAG_SQWQ (sqwq) is not supported by this kernel (", 56),
	   "unsupported_strerror names flag and option: '%s'", buf);
	ok(fk.setup_ok == fk.destroys, "no context left behind");
	bit = aioring_unsupported_strerror(IOCTX_FLAG_SCQRING | IOCTX_FLAG_FIXEDBUFS,
					   fio_option, &fake_sys, buf, sizeof(buf));
	ok(bit == IOCTX_FLAG_FIXEDBUFS &&
	   !strncmp(buf, "IOCTX_FLAG_FIXEDBUFS is not supported by this kernel (", 54),
	   "no option name for the flag: none in the text, '%s'", buf);
	bit = aioring_unsupported_strerror(IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQWQ,
					   NULL, &fake_sys, buf, 16);
	ok(bit == IOCTX_FLAG_SQWQ && strlen(buf) == 15, "truncated safely: '%s'", buf);

	fake_reset(AIORING_CTX_FLAGS_ALL);
	bit = aioring_unsupported_strerror(IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD,
					   fio_option, &fake_sys, buf, sizeof(buf));
	ok(!bit && strstr(buf, "io_setup2(SCQRING|SQTHREAD) failed: ") &&
	   strstr(buf, "is the sqthread CPU online?"),
	   "each flag taken alone: the CPU or the combination, '%s'", buf);
	bit = aioring_unsupported_strerror(IOCTX_FLAG_SCQRING | IOCTX_FLAG_IOPOLL,
					   NULL, &fake_sys, buf, sizeof(buf));
	ok(!bit && strstr(buf, "a combination this kernel does not support") &&
	   !strstr(buf, "CPU"), "no SQ thread: the combination, '%s'", buf);
}

int main(void)
{
	test_probe_absent();
	test_sysctl_absent();
	test_sysctl_values();
	test_probe_eperm();
	test_probe_today();
	test_probe_full();
	test_try_flags();
	test_names();
	test_unsupported_strerror();
	return tap_done();
}
