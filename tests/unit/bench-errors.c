// SPDX-License-Identifier: MIT
/*
 * aioring-bench: an io_setup2() failure becomes a clear message and the
 * documented exit status.  A fake kernel plays the interesting kernels:
 * one without the interface, one with it restricted, and one that knows
 * IOPOLL and SCQRING only (the first part of the series).  The
 * fs.aio-ring-disabled sysctl is a file of the test
 * ($AIORING_SYSCTL_DISABLED).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "aioring.h"
#include "bench.h"
#include "fake_kernel.h"
#include "tap.h"

static char msg[512], dir[] = "/tmp/bench-errors.XXXXXX", path[64];

/* the fs.aio-ring-disabled the library reads: a file of ours, or none */
static void sysctl_is(const char *value)
{
	FILE *f;

	snprintf(path, sizeof(path), "%s/aio-ring-disabled", dir);
	unlink(path);
	if (value) {
		f = fopen(path, "w");
		fprintf(f, "%s\n", value);
		fclose(f);
	}
	setenv("AIORING_SYSCTL_DISABLED", path, 1);
}

/*
 * The sysctl decides before any system call: without it aioring-bench
 * stops with exit 77 for the engines that need the interface.  With
 * it, EPERM is the administrator's setting or, when that allows the
 * call, seccomp or an LSM.
 */
static void test_sysctl(void)
{
	struct bench_opts o = { .engine = ENG_AIORING };
	int ret;

	sysctl_is(NULL);
	ret = setup2_error(-ENOSYS, IOCTX_FLAG_SCQRING, &fake_sys, msg, sizeof(msg));
	ok(ret == EXIT_NOKERNEL && strstr(msg, "no aio-ring interface") &&
	   strstr(msg, "no fs.aio-ring-disabled sysctl") &&
	   strstr(msg, "io_setup2 not called"),
	   "ENOSYS without the sysctl: exit 77, '%s'", msg);
	ret = bench_kernel_check(&o, msg, sizeof(msg));
	ok(ret == EXIT_NOKERNEL && strstr(msg, "no aio-ring interface") &&
	   !strchr(msg, '\n'), "no sysctl, engine aioring: exit 77 before the target, '%s'", msg);
	o.engine = ENG_LIBAIO;
	o.polled = 1;
	ok(bench_kernel_check(&o, msg, sizeof(msg)) == EXIT_NOKERNEL,
	   "no sysctl, libaio --polled (an IOPOLL io_setup2 context): exit 77");
	o.polled = 0;
	ok(!bench_kernel_check(&o, msg, sizeof(msg)), "no sysctl, plain libaio: runs");
	o.engine = ENG_AIORING;
	o.compare = 1;
	ok(!bench_kernel_check(&o, msg, sizeof(msg)),
	   "no sysctl, --compare: runs (aioring is a row that says n/a)");
	o.compare = 0;

	sysctl_is("0");
	ok(!bench_kernel_check(&o, msg, sizeof(msg)), "sysctl 0: the kernel is asked");
	ret = setup2_error(-ENOSYS, IOCTX_FLAG_SCQRING, &fake_sys, msg, sizeof(msg));
	ok(ret == EXIT_NOKERNEL && strstr(msg, "io_setup2 is ENOSYS"),
	   "ENOSYS with the sysctl: the system call said so, '%s'", msg);
	ret = setup2_error(-EPERM, IOCTX_FLAG_SCQRING, &fake_sys, msg, sizeof(msg));
	ok(ret == EXIT_NOKERNEL && strstr(msg, "not permitted") &&
	   strstr(msg, "seccomp or an LSM") && !strstr(msg, "administrator"),
	   "EPERM while fs.aio-ring-disabled is 0: seccomp or an LSM, '%s'", msg);
	sysctl_is("2");
	ret = setup2_error(-EPERM, IOCTX_FLAG_SCQRING, &fake_sys, msg, sizeof(msg));
	ok(ret == EXIT_NOKERNEL && strstr(msg, "fs.aio-ring-disabled to 2") &&
	   !strstr(msg, "seccomp"),
	   "EPERM while fs.aio-ring-disabled is 2: the administrator, '%s'", msg);
	unlink(path);
	rmdir(dir);
	unsetenv("AIORING_SYSCTL_DISABLED");
}

int main(void)
{
	int ret;

	if (!mkdtemp(dir))
		return 1;
	fake_reset(0);
	fk.present = 0;
	test_sysctl();

	fake_reset(IOCTX_FLAG_IOPOLL | IOCTX_FLAG_SCQRING);
	ret = setup2_error(-EINVAL, IOCTX_FLAG_SCQRING | IOCTX_FLAG_FIXEDBUFS,
			   &fake_sys, msg, sizeof(msg));
	ok(ret == EXIT_UNSUPPORTED &&
	   strstr(msg, "IOCTX_FLAG_FIXEDBUFS (--fixedbufs) is not supported by this kernel"),
	   "FIXEDBUFS on an IOPOLL+SCQRING kernel: exit 3, '%s'", msg);
	ret = setup2_error(-EINVAL, IOCTX_FLAG_SCQRING | IOCTX_FLAG_IOPOLL |
			   IOCTX_FLAG_SQTHREAD | IOCTX_FLAG_SQPOLL, &fake_sys, msg,
			   sizeof(msg));
	ok(ret == EXIT_UNSUPPORTED && strstr(msg, "IOCTX_FLAG_SQTHREAD (--sqthread)"),
	   "SQPOLL: the missing SQTHREAD is named first, '%s'", msg);
	ret = setup2_error(-EINVAL, IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQWQ,
			   &fake_sys, msg, sizeof(msg));
	ok(ret == EXIT_UNSUPPORTED && strstr(msg, "IOCTX_FLAG_SQWQ (--sqwq)"),
	   "SQWQ: exit 3, '%s'", msg);
	ok(fk.setup_ok == fk.destroys, "the retries leave no context behind");

	fake_reset(AIORING_CTX_FLAGS_ALL);
	ret = setup2_error(-EINVAL, IOCTX_FLAG_SCQRING | IOCTX_FLAG_SQTHREAD,
			   &fake_sys, msg, sizeof(msg));
	ok(ret == EXIT_UNSUPPORTED && strstr(msg, "CPU online"),
	   "EINVAL although each flag works: asks about the CPU, '%s'", msg);
	ret = setup2_error(-EAGAIN, IOCTX_FLAG_SCQRING, &fake_sys, msg, sizeof(msg));
	ok(ret == EXIT_IOERR && strstr(msg, "aio-max-nr"), "EAGAIN: exit 1, '%s'", msg);
	ret = setup2_error(-ENOMEM, IOCTX_FLAG_SCQRING | IOCTX_FLAG_FIXEDBUFS,
			   &fake_sys, msg, sizeof(msg));
	ok(ret == EXIT_IOERR && strstr(msg, "locked memory"),
	   "ENOMEM with fixed buffers: exit 1, mentions the memlock limit");
	return tap_done();
}
