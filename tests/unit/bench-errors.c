// SPDX-License-Identifier: MIT
/*
 * aioring-bench: an io_setup2() failure becomes a clear message and the
 * documented exit status.  A fake kernel plays the interesting kernels:
 * one without the interface, one with it restricted, and one that knows
 * IOPOLL and SCQRING only (the first part of the series).
 */
#include "aioring.h"
#include "bench.h"
#include "fake_kernel.h"
#include "tap.h"

static char msg[512];

int main(void)
{
	int ret;

	fake_reset(0);
	fk.present = 0;
	ret = setup2_error(-ENOSYS, IOCTX_FLAG_SCQRING, &fake_sys, msg, sizeof(msg));
	ok(ret == EXIT_NOKERNEL && strstr(msg, "no aio-ring interface") &&
	   strstr(msg, "ENOSYS"), "ENOSYS: exit 77, '%s'", msg);

	ret = setup2_error(-EPERM, IOCTX_FLAG_SCQRING, &fake_sys, msg, sizeof(msg));
	ok(ret == EXIT_NOKERNEL && strstr(msg, "not permitted") &&
	   strstr(msg, "aio-ring-disabled"), "EPERM: exit 77, '%s'", msg);

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
