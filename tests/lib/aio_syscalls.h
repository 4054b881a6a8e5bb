/* SPDX-License-Identifier: MIT */
/*
 * The classic aio system calls, raw: -1 and errno on failure, so tests can
 * assert exact error codes (libaio's wrappers return -errno instead).
 * Shared by tests/regress and tests/abi.
 */
#ifndef AIORING_TEST_AIO_SYSCALLS_H
#define AIORING_TEST_AIO_SYSCALLS_H

#include <linux/aio_abi.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static inline long sys_io_setup(unsigned int nr_events, aio_context_t *ctxp)
{
	return syscall(__NR_io_setup, nr_events, ctxp);
}

static inline long sys_io_destroy(aio_context_t ctx)
{
	return syscall(__NR_io_destroy, ctx);
}

static inline long sys_io_submit(aio_context_t ctx, long nr, struct iocb **iocbpp)
{
	return syscall(__NR_io_submit, ctx, nr, iocbpp);
}

static inline long sys_io_cancel(aio_context_t ctx, struct iocb *iocb,
				 struct io_event *result)
{
	return syscall(__NR_io_cancel, ctx, iocb, result);
}

static inline long sys_io_getevents(aio_context_t ctx, long min_nr, long nr,
				    struct io_event *events,
				    struct timespec *timeout)
{
	return syscall(__NR_io_getevents, ctx, min_nr, nr, events, timeout);
}

/* struct __aio_sigset of fs/aio.c (not exported by the uapi headers). */
struct aio_sigset {
	const sigset_t *sigmask;
	size_t sigsetsize;
};

/* The kernel's sigset_t size (8 on x86_64), not glibc's 128-byte one. */
#define KERNEL_SIGSET_SIZE	(_NSIG / 8)

static inline long sys_io_pgetevents(aio_context_t ctx, long min_nr, long nr,
				     struct io_event *events,
				     struct timespec *timeout,
				     const struct aio_sigset *usig)
{
	return syscall(__NR_io_pgetevents, ctx, min_nr, nr, events, timeout,
		       usig);
}

#endif
