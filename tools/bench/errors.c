// SPDX-License-Identifier: MIT
/*
 * aioring-bench: what an io_setup2() failure means for the user.  A
 * kernel without the interface (ENOSYS) or with it switched off (EPERM)
 * is a skip (exit 77); a feature flag the kernel does not know yet
 * (EINVAL) is named with the option that asked for it (exit 3).
 */
#include <errno.h>
#include <string.h>
#include <sys/utsname.h>

#include "aioring.h"
#include "bench.h"

/* which option asks for an io_setup2 flag */
static const char *flag_option(unsigned int flag)
{
	switch (flag) {
	case IOCTX_FLAG_IOPOLL:		return "--polled";
	case IOCTX_FLAG_FIXEDBUFS:	return "--fixedbufs";
	case IOCTX_FLAG_SQTHREAD:	return "--sqthread";
	case IOCTX_FLAG_SQWQ:		return "--sqwq";
	case IOCTX_FLAG_SQPOLL:		return "--sqpoll";
	default:			return "";
	}
}

/*
 * Turn an io_setup2() failure into an exit status and a message.  For
 * EINVAL, try each asked-for feature on its own to name the one this
 * kernel lacks (sys: the system calls to try with, NULL the real ones).
 */
int setup2_error(int ret, unsigned int flags, const struct aioring_sys *sys,
		 char *err, size_t len)
{
	const char *why = "";
	struct utsname u;
	char names[96];
	unsigned int bit;

	if (uname(&u))
		strcpy(u.release, "?");
	switch (ret) {
	case -ENOSYS:
		snprintf(err, len,
			 "this kernel (%s) has no aio-ring interface: io_setup2() is ENOSYS; boot a linux-aioring kernel",
			 u.release);
		return EXIT_NOKERNEL;
	case -EPERM:
		snprintf(err, len,
			 "io_setup2() is not permitted here (EPERM): the administrator restricted it (sysctl fs.aio-ring-disabled)");
		return EXIT_NOKERNEL;
	case -EAGAIN:
		snprintf(err, len,
			 "io_setup2(): not enough room in fs.aio-max-nr (EAGAIN)");
		return EXIT_IOERR;
	case -EINVAL:
		for (bit = IOCTX_FLAG_IOPOLL; bit <= IOCTX_FLAG_SQPOLL; bit <<= 1) {
			if (!(flags & bit) || bit == IOCTX_FLAG_SCQRING)
				continue;
			if (aioring_try_flags(aioring_flag_setup_flags(bit), sys) == 0) {
				snprintf(err, len,
					 "IOCTX_FLAG_%s (%s) is not supported by this kernel (%s)",
					 aioring_flag_name(bit), flag_option(bit),
					 u.release);
				return EXIT_UNSUPPORTED;
			}
		}
		break;
	}
	aioring_flags_str(flags, names, sizeof(names));
	if (ret == -ENOMEM && (flags & IOCTX_FLAG_FIXEDBUFS))
		why = " (fixed buffers count against the locked memory limit, ulimit -l)";
	else if (ret == -EINVAL && (flags & IOCTX_FLAG_SQTHREAD))
		why = " (is the --sqthread CPU online? or a combination this kernel does not support)";
	else if (ret == -EINVAL)
		why = " (a combination this kernel does not support)";
	snprintf(err, len, "io_setup2(%s) failed: %s%s", names, strerror(-ret),
		 why);
	return ret == -EINVAL ? EXIT_UNSUPPORTED : EXIT_IOERR;
}
