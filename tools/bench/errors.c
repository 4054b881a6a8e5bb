// SPDX-License-Identifier: MIT
/*
 * aioring-bench: what an io_setup2() failure means for the user.  A
 * kernel without the interface (ENOSYS) or with it switched off (EPERM)
 * is a skip (exit 77); a feature flag the kernel does not know yet
 * (EINVAL) is named with the option that asked for it (exit 3).  A
 * kernel without the interface is recognised before any system call.
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
	default:			return NULL;
	}
}

/*
 * Turn an io_setup2() failure into an exit status and a message (the
 * words are libaioring's, shared with the fio engine).  For EINVAL, the
 * library tries each asked-for feature on its own to name the one this
 * kernel lacks (sys: the system calls to try with, NULL the real ones).
 */
int setup2_error(int ret, unsigned int flags, const struct aioring_sys *sys,
		 char *err, size_t len)
{
	struct utsname u;
	char names[96], text[256];

	if (ret == -EINVAL) {
		aioring_unsupported_strerror(flags, flag_option, sys, err, len);
		return EXIT_UNSUPPORTED;
	}
	aioring_setup_strerror(ret, flags, text, sizeof(text));
	switch (ret) {
	case -ENOSYS:
		if (uname(&u))
			strcpy(u.release, "?");
		snprintf(err, len, "%s; boot a linux-aioring kernel (this is %s)",
			 text, u.release);
		return EXIT_NOKERNEL;
	case -EPERM:
		snprintf(err, len, "%s", text);
		return EXIT_NOKERNEL;
	case -EAGAIN:
		snprintf(err, len, "%s", text);
		return EXIT_IOERR;
	}
	aioring_flags_str(flags, names, sizeof(names));
	/* text starts with "io_setup2: " */
	snprintf(err, len, "io_setup2(%s) failed: %s", names,
		 strncmp(text, "io_setup2: ", 11) ? text : text + 11);
	return EXIT_IOERR;
}

/*
 * Before the target is opened: an engine that needs the aio-ring
 * interface on a kernel without it (no fs.aio-ring-disabled sysctl) ends
 * here with EXIT_NOKERNEL and one line, and no system call of the
 * interface is made.  0 otherwise (the kernel has its say later).
 */
int bench_kernel_check(const struct bench_opts *o, char *err, size_t len)
{
	int needs = o->compare ? 0 : o->engine == ENG_AIORING ||
		    (o->engine == ENG_LIBAIO && o->polled);

	if (!needs || aioring_disabled(NULL) != -ENOSYS)
		return 0;
	return setup2_error(-ENOSYS, IOCTX_FLAG_SCQRING, NULL, err, len);
}
