/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * aioring.h - the aio-ring user ABI (v9): io_setup2(), io_ring_enter(),
 * the shared SQ/CQ ring layouts and their flags.
 *
 * Works next to the distribution's <linux/aio_abi.h>: everything that
 * header may already define is only defined here when it is missing, with
 * the same value, so a newer kernel header never conflicts.
 */
#ifndef AIORING_H
#define AIORING_H

#include <stddef.h>
#include <stdint.h>
#include <linux/aio_abi.h>
#include <linux/types.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A kernel header that knows the interface defines the ring structures
 * together with IOCTX_FLAG_SCQRING; one without the flag has neither.
 */
#ifdef IOCTX_FLAG_SCQRING
#define AIORING_KERNEL_HAS_RINGS 1
#endif

/* System call numbers (x86_64; v9 had no numbers elsewhere). */
#ifndef __NR_io_setup2
#if defined(__x86_64__) && !defined(__ILP32__)
#define __NR_io_setup2		335
#endif
#endif
#ifndef __NR_io_ring_enter
#if defined(__x86_64__) && !defined(__ILP32__)
#define __NR_io_ring_enter	336
#endif
#endif

/* io_setup2() flags */
#ifndef IOCTX_FLAG_IOPOLL
#define IOCTX_FLAG_IOPOLL	(1 << 0)	/* io_context is polled */
#endif
#ifndef IOCTX_FLAG_SCQRING
#define IOCTX_FLAG_SCQRING	(1 << 1)	/* Use SQ/CQ rings */
#endif
#ifndef IOCTX_FLAG_FIXEDBUFS
#define IOCTX_FLAG_FIXEDBUFS	(1 << 2)	/* IO buffers are fixed */
#endif
#ifndef IOCTX_FLAG_SQTHREAD
#define IOCTX_FLAG_SQTHREAD	(1 << 3)	/* Use SQ thread */
#endif
#ifndef IOCTX_FLAG_SQWQ
#define IOCTX_FLAG_SQWQ		(1 << 4)	/* Use SQ workqueue */
#endif
#ifndef IOCTX_FLAG_SQPOLL
#define IOCTX_FLAG_SQPOLL	(1 << 5)	/* SQ thread polls */
#endif

/* io_ring_enter() flags */
#ifndef IORING_FLAG_SUBMIT
#define IORING_FLAG_SUBMIT	(1 << 0)
#endif
#ifndef IORING_FLAG_GETEVENTS
#define IORING_FLAG_GETEVENTS	(1 << 1)
#endif

/* aio_sq_ring.kflags */
#ifndef IORING_SQ_NEED_WAKEUP
#define IORING_SQ_NEED_WAKEUP	(1 << 0)
#endif

/* io_event.res2 */
#ifndef IOEV_RES2_CACHEHIT
#define IOEV_RES2_CACHEHIT	(1 << 0)
#endif

/* iocb.aio_flags, next to IOCB_FLAG_RESFD and IOCB_FLAG_IOPRIO */
#ifndef IOCB_FLAG_HIPRI
#define IOCB_FLAG_HIPRI		(1 << 2)
#endif

#ifndef AIORING_KERNEL_HAS_RINGS
struct aio_sq_ring {
	union {
		struct {
			__u32 head;		/* kernel consumer head */
			__u32 tail;		/* app producer tail */
			__u32 nr_events;	/* max events in ring */
			__u16 sq_thread_cpu;	/* CPU of the SQ thread */
			__u16 kflags;		/* kernel-written flags */
			__u64 iocbs;		/* setup pointer to app iocbs */
		};
		__u32 pad[16];
	};
	__u32 array[];			/* actual ring, index to iocbs */
};

struct aio_cq_ring {
	union {
		struct {
			__u32 head;		/* app consumer head */
			__u32 tail;		/* kernel producer tail */
			__u32 nr_events;	/* max events in ring */
		};
		struct io_event pad;
	};
	struct io_event events[];	/* ring, array of io_events */
};
#endif

/* Sizes of the three shared regions for io_setup2(nr_events). */
static inline size_t aioring_sq_ring_size(unsigned int nr_events)
{
	return sizeof(struct aio_sq_ring) + (size_t)nr_events * sizeof(__u32);
}

static inline size_t aioring_iocbs_size(unsigned int nr_events)
{
	return (size_t)nr_events * sizeof(struct iocb);
}

static inline size_t aioring_cq_ring_size(unsigned int nr_events)
{
	return sizeof(struct aio_cq_ring) +
	       2 * (size_t)nr_events * sizeof(struct io_event);
}

#if defined(__NR_io_setup2) && defined(__NR_io_ring_enter)
/* Raw system calls: -1 and errno on failure, like syscall(2). */
static inline long aioring_io_setup2(unsigned int nr_events, unsigned int flags,
				     struct aio_sq_ring *sq_ring,
				     struct aio_cq_ring *cq_ring,
				     aio_context_t *ctxp)
{
	return syscall(__NR_io_setup2, nr_events, flags, sq_ring, cq_ring, ctxp);
}

static inline long aioring_io_ring_enter(aio_context_t ctx,
					 unsigned int to_submit,
					 unsigned int min_complete,
					 unsigned int flags)
{
	return syscall(__NR_io_ring_enter, ctx, to_submit, min_complete, flags);
}
#endif

#ifdef __cplusplus
}
#endif

#endif /* AIORING_H */
