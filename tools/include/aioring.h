/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * aioring.h - the aio-ring user ABI (v9): io_setup2(), io_ring_enter(),
 * the shared SQ/CQ ring layouts and their flags; then libaioring, the
 * small library that allocates the rings and drives the v9 protocol
 * (link with -laioring, or `pkg-config --libs aioring`).  The ABI part
 * needs no library.
 *
 * Works next to the distribution's <linux/aio_abi.h>: everything that
 * header may already define is only defined here when it is missing, with
 * the same value, so a newer kernel header never conflicts.  It can be
 * included together with <linux/io_uring.h> or <liburing.h>, and with
 * <libaio.h>, which declares a struct iocb and struct io_event of its own
 * (same layout, other member names) and so cannot meet <linux/aio_abi.h>
 * in one translation unit: after <libaio.h>, or with AIORING_WITH_LIBAIO
 * defined before the first #include, this header does not include
 * <linux/aio_abi.h> and works with its own struct aioring_iocb and
 * struct aioring_event.  The API names them aioring_iocb_t and
 * aioring_event_t: struct iocb and struct io_event of <linux/aio_abi.h>
 * normally, the project's twins next to <libaio.h>.
 *
 * Standard C99 and later and C++ compile it without extensions warnings
 * (-pedantic); it declares no system call itself, the raw wrappers
 * aioring_io_setup2() and aioring_io_ring_enter() are in the library.
 */
#ifndef AIORING_H
#define AIORING_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/types.h>
#include <sys/uio.h>

#if defined(__LIBAIO_H) && !defined(AIORING_WITH_LIBAIO)
#define AIORING_WITH_LIBAIO 1
#endif
#ifndef AIORING_WITH_LIBAIO
#include <linux/aio_abi.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The kernel's struct iocb and struct io_event under the project's own
 * names: the same layout and member names as <linux/aio_abi.h> (the
 * library build checks it), usable where <libaio.h> owns the names.
 */
struct aioring_iocb {
	__u64 aio_data;			/* returned in aioring_event.data */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	__s32 aio_rw_flags;		/* RWF_* */
	__u32 aio_key;			/* set by the kernel */
#else
	__u32 aio_key;			/* set by the kernel */
	__s32 aio_rw_flags;		/* RWF_* */
#endif
	__u16 aio_lio_opcode;		/* AIORING_CMD_* */
	__s16 aio_reqprio;
	__u32 aio_fildes;
	__u64 aio_buf;
	__u64 aio_nbytes;
	__s64 aio_offset;
	__u64 aio_reserved2;
	__u32 aio_flags;		/* IOCB_FLAG_* */
	__u32 aio_resfd;
};

struct aioring_event {
	__u64 data;			/* the iocb's aio_data */
	__u64 obj;			/* the iocb's address (ring: its slot) */
	__s64 res;			/* bytes, or a negative errno */
	__s64 res2;			/* IOEV_RES2_CACHEHIT */
};

/* opcodes of aio_lio_opcode, the values of IOCB_CMD_* */
enum {
	AIORING_CMD_PREAD = 0,
	AIORING_CMD_PWRITE = 1,
	AIORING_CMD_FSYNC = 2,
	AIORING_CMD_FDSYNC = 3,
	AIORING_CMD_POLL = 5,
	AIORING_CMD_NOOP = 6,
	AIORING_CMD_PREADV = 7,
	AIORING_CMD_PWRITEV = 8,
};

#ifdef AIORING_WITH_LIBAIO
typedef struct aioring_iocb aioring_iocb_t;
typedef struct aioring_event aioring_event_t;
#ifndef __LINUX__AIO_ABI_H
typedef __kernel_ulong_t aio_context_t;
#endif
#else
typedef struct iocb aioring_iocb_t;
typedef struct io_event aioring_event_t;
#endif

#ifndef IOCB_FLAG_RESFD
#define IOCB_FLAG_RESFD		(1 << 0)
#endif
#ifndef IOCB_FLAG_IOPRIO
#define IOCB_FLAG_IOPRIO	(1 << 1)
#endif

/*
 * A kernel header that knows the interface defines the ring structures
 * together with IOCTX_FLAG_SCQRING; one without the flag has neither.
 */
#if defined(IOCTX_FLAG_SCQRING) && !defined(AIORING_WITH_LIBAIO)
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

/*
 * aio_sq_ring.kflags.  <linux/io_uring.h> has the same name for the same
 * meaning and value; the spelling is the same so both headers coexist.
 */
#ifndef IORING_SQ_NEED_WAKEUP
#define IORING_SQ_NEED_WAKEUP	(1U << 0)
#endif

/* io_event.res2 */
#ifndef IOEV_RES2_CACHEHIT
#define IOEV_RES2_CACHEHIT	(1 << 0)
#endif

/* iocb.aio_flags, next to IOCB_FLAG_RESFD and IOCB_FLAG_IOPRIO */
#ifndef IOCB_FLAG_HIPRI
#define IOCB_FLAG_HIPRI		(1 << 2)
#endif

/*
 * The kernel's uapi header spells the padding of the ring headers as an
 * anonymous union; here it is explicit reserved space (same offsets, same
 * member names), so strict C99 and C++ take the header without warnings.
 * C++ has no flexible array members: clang++ -pedantic is told that the
 * two below are meant.
 */
#ifndef AIORING_KERNEL_HAS_RINGS
#if defined(__cplusplus) && defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wc99-extensions"
#endif
struct aio_sq_ring {
	__u32 head;			/* kernel consumer head */
	__u32 tail;			/* app producer tail */
	__u32 nr_events;		/* max events in ring */
	__u16 sq_thread_cpu;		/* CPU of the SQ thread */
	__u16 kflags;			/* kernel-written flags */
	__u64 iocbs;			/* setup pointer to app iocbs */
	__u32 reserved[10];		/* up to the 64-byte header */
	__extension__ __u32 array[];	/* actual ring, index to iocbs */
};

struct aio_cq_ring {
	__u32 head;			/* app consumer head */
	__u32 tail;			/* kernel producer tail */
	__u32 nr_events;		/* max events in ring */
	__u32 reserved[5];		/* up to one io_event, 32 bytes */
	__extension__ aioring_event_t events[]; /* ring, array of io_events */
};
#if defined(__cplusplus) && defined(__clang__)
#pragma clang diagnostic pop
#endif
#endif

/* Sizes of the three shared regions for io_setup2(nr_events). */
static inline size_t aioring_sq_ring_size(unsigned int nr_events)
{
	return sizeof(struct aio_sq_ring) + (size_t)nr_events * sizeof(__u32);
}

static inline size_t aioring_iocbs_size(unsigned int nr_events)
{
	return (size_t)nr_events * sizeof(aioring_iocb_t);
}

static inline size_t aioring_cq_ring_size(unsigned int nr_events)
{
	return sizeof(struct aio_cq_ring) +
	       2 * (size_t)nr_events * sizeof(aioring_event_t);
}

/*
 * Raw system calls (tools/lib/ring.c): -1 and errno on failure, like
 * syscall(2); ENOSYS where the numbers are not known.  They ask the
 * kernel whatever it is: on a kernel without the interface another
 * system call may have these numbers, see aioring_disabled().
 */
long aioring_io_setup2(unsigned int nr_events, unsigned int flags,
		       struct aio_sq_ring *sq_ring, struct aio_cq_ring *cq_ring,
		       aio_context_t *ctxp);
long aioring_io_ring_enter(aio_context_t ctx, unsigned int to_submit,
			   unsigned int min_complete, unsigned int flags);

/* ==================================================================== */
/* libaioring: rings in the application's memory and the v9 protocol    */
/* ==================================================================== */

/*
 * Every call below returns 0 (or a count) on success and a negative errno
 * on failure, like the kernel (and liburing); errno itself is not used.
 *
 * Memory ordering (the C11 model, through the compiler's __atomic
 * built-ins, which C99 and C++ have as well): the application owns sq->tail and
 * cq->head and publishes them with release stores; it reads sq->head and
 * cq->tail, which the kernel owns, with acquire loads.  A release store of
 * the SQ tail makes the iocbs and array[] entries before it visible to the
 * kernel, and an acquire load of the CQ tail makes the events before it
 * visible to the application.
 */
#define aioring_load_acquire(p)		__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define aioring_load_relaxed(p)		__atomic_load_n((p), __ATOMIC_RELAXED)
#define aioring_store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define aioring_smp_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)

/*
 * The three system calls a ring needs, with kernel-style returns (the
 * value, or -errno).  A NULL table means the real system calls; tests and
 * tools inject their own to exercise the library without the kernel.
 */
struct aioring_sys {
	long (*setup2)(unsigned int nr_events, unsigned int flags,
		       struct aio_sq_ring *sq_ring, struct aio_cq_ring *cq_ring,
		       aio_context_t *ctxp);
	long (*enter)(aio_context_t ctx, unsigned int to_submit,
		      unsigned int min_complete, unsigned int flags);
	long (*destroy)(aio_context_t ctx);
	void *reserved[5];		/* NULL (later calls) */
};

/*
 * The structures below are allocated by the application and read by the
 * inline helpers, so their size and layout are the ABI of libaioring.so.2
 * (checked when the library is built).  Each ends in reserved space: a
 * later version of the soname gives a new member a piece of it, and the
 * value zero means "as before", so programs built earlier keep working.
 * Applications leave it zero (aioring_init() refuses a p->reserved that
 * is not); the library clears it where it writes the structure.
 */

/* One io_setup2() context and its rings.  All fields are readable. */
struct aioring {
	struct aio_sq_ring *sq;		/* NULL without IOCTX_FLAG_SCQRING */
	aioring_iocb_t *iocbs;		/* sq_entries iocbs */
	struct aio_cq_ring *cq;
	unsigned int sq_entries;	/* io_setup2 nr_events */
	unsigned int cq_entries;	/* 2 * sq_entries */
	unsigned int sq_tail;		/* next SQ slot the app fills */
	unsigned int sq_published;	/* tail last stored in sq->tail */
	unsigned int cq_head;		/* next CQ event the app reaps */
	unsigned int flags;		/* IOCTX_FLAG_* of io_setup2 */
	aio_context_t ctx;		/* 0 until io_setup2 succeeded */
	size_t sq_len, iocbs_len, cq_len; /* mapped (page-rounded) lengths */
	const struct aioring_sys *sys;	/* NULL: the real system calls */
	unsigned long nr_enter;		/* io_ring_enter() calls (statistic) */
	__u64 reserved[12];		/* up to 192 bytes */
};

/* Optional settings of aioring_init(); NULL means all zero. */
struct aioring_params {
	unsigned int sq_thread_cpu;	/* CPU of the IOCTX_FLAG_SQTHREAD thread */
	const struct iovec *bufs;	/* IOCTX_FLAG_FIXEDBUFS: one per iocb slot */
	const struct aioring_sys *sys;	/* NULL: the real system calls */
	__u64 reserved[5];		/* zero; up to 64 bytes */
};

/* --- index arithmetic: indexes run 0..n-1 and wrap (n any size >= 1) --- */

static inline unsigned int aioring_idx_next(unsigned int i, unsigned int n)
{
	return i + 1 == n ? 0 : i + 1;
}

/* i + k modulo n, for i < n and k <= n */
static inline unsigned int aioring_idx_add(unsigned int i, unsigned int k,
					   unsigned int n)
{
	return k >= n - i ? k - (n - i) : i + k;
}

/* entries from index 'from' up to (not including) index 'to' */
static inline unsigned int aioring_idx_dist(unsigned int from, unsigned int to,
					    unsigned int n)
{
	return to >= from ? to - from : n - from + to;
}

/* --- submission side --- */

/* SQ entries queued (published or not) that the kernel has not consumed */
static inline unsigned int aioring_sq_pending(const struct aioring *r)
{
	return aioring_idx_dist(aioring_load_acquire(&r->sq->head), r->sq_tail,
				r->sq_entries);
}

/* SQ entries that can still be queued (the ring holds sq_entries - 1) */
static inline unsigned int aioring_sq_space(const struct aioring *r)
{
	return r->sq_entries - 1 - aioring_sq_pending(r);
}

static inline aioring_iocb_t *aioring_iocb(const struct aioring *r,
					   unsigned int idx)
{
	return &r->iocbs[idx];
}

/*
 * Queue iocb slot idx at the local SQ tail; the kernel sees it after
 * aioring_sq_publish() (or aioring_submit()).  No space check: see
 * aioring_sq_space().
 */
static inline void aioring_sq_queue(struct aioring *r, unsigned int idx)
{
	r->sq->array[r->sq_tail] = idx;
	r->sq_tail = aioring_idx_next(r->sq_tail, r->sq_entries);
}

/*
 * Store the local tail in the shared ring.  Release: the iocbs and
 * array[] entries written before are visible to the kernel before the
 * new tail (pairs with the kernel's acquire load of sq->tail).
 */
static inline void aioring_sq_publish(struct aioring *r)
{
	aioring_store_release(&r->sq->tail, r->sq_tail);
	r->sq_published = r->sq_tail;
}

/*
 * IOCTX_FLAG_SQPOLL: after publishing, does the SQ thread sleep?  The
 * full barrier orders the tail store before the kflags load; it pairs
 * with the thread's barrier between setting NEED_WAKEUP and re-reading
 * the tail, so either the thread sees the new tail or we see the flag.
 */
static inline int aioring_sq_needs_wakeup(const struct aioring *r)
{
	aioring_smp_mb();
	return !!(aioring_load_relaxed(&r->sq->kflags) & IORING_SQ_NEED_WAKEUP);
}

/* --- completion side --- */

/* events in the CQ ring waiting to be reaped */
static inline unsigned int aioring_cq_ready(const struct aioring *r)
{
	return aioring_idx_dist(r->cq_head, aioring_load_acquire(&r->cq->tail),
				r->cq_entries);
}

/* the oldest unreaped event, or NULL; aioring_cq_advance() consumes it */
static inline aioring_event_t *aioring_cq_peek(const struct aioring *r)
{
	if (r->cq_head == aioring_load_acquire(&r->cq->tail))
		return NULL;
	return &r->cq->events[r->cq_head];
}

/*
 * Hand nr reaped events back to the kernel.  Release: our reads of the
 * events are done before the kernel can see the slots free.
 */
static inline void aioring_cq_advance(struct aioring *r, unsigned int nr)
{
	r->cq_head = aioring_idx_add(r->cq_head, nr, r->cq_entries);
	aioring_store_release(&r->cq->head, r->cq_head);
}

/* Copy up to max events out of the CQ ring; returns how many. */
static inline unsigned int aioring_reap(struct aioring *r,
					aioring_event_t *evs, unsigned int max)
{
	unsigned int tail = aioring_load_acquire(&r->cq->tail);
	unsigned int head = r->cq_head, n = 0;

	while (n < max && head != tail) {
		evs[n++] = r->cq->events[head];
		head = aioring_idx_next(head, r->cq_entries);
	}
	if (n) {
		r->cq_head = head;
		aioring_store_release(&r->cq->head, head);
	}
	return n;
}

/* --- iocb preparation --- */

static inline void aioring_prep_rw(aioring_iocb_t *cb, int opcode, int fd,
				   void *buf, size_t len, __s64 offset,
				   __u64 data)
{
	memset(cb, 0, sizeof(*cb));
	cb->aio_data = data;
	cb->aio_lio_opcode = (__u16)opcode;
	cb->aio_fildes = (__u32)fd;
	cb->aio_buf = (__u64)(uintptr_t)buf;
	cb->aio_nbytes = len;
	cb->aio_offset = offset;
}

static inline void aioring_prep_pread(aioring_iocb_t *cb, int fd, void *buf,
				      size_t len, __s64 offset, __u64 data)
{
	aioring_prep_rw(cb, AIORING_CMD_PREAD, fd, buf, len, offset, data);
}

static inline void aioring_prep_pwrite(aioring_iocb_t *cb, int fd, void *buf,
				       size_t len, __s64 offset, __u64 data)
{
	aioring_prep_rw(cb, AIORING_CMD_PWRITE, fd, buf, len, offset, data);
}

/*
 * The slot allocator: the iocb of the next free SQ entry, already queued
 * at the local SQ tail (aioring_submit() publishes it), or NULL when the
 * SQ ring is full.  Slot i of the SQ ring always takes iocb i, so with
 * IOCTX_FLAG_FIXEDBUFS the iocb's buffer must lie in bufs[i] of
 * aioring_init(), i = aioring_iocb_index().  Do not mix with
 * aioring_sq_queue() of slots of your own choosing on one ring.
 */
static inline aioring_iocb_t *aioring_get_iocb(struct aioring *r)
{
	unsigned int idx = r->sq_tail;

	if (!aioring_sq_space(r))
		return NULL;
	aioring_sq_queue(r, idx);
	return &r->iocbs[idx];
}

/* the slot of an iocb of the ring (its fixed buffer's index) */
static inline unsigned int aioring_iocb_index(const struct aioring *r,
					      const aioring_iocb_t *cb)
{
	return (unsigned int)(cb - r->iocbs);
}

/* what the iocb's event carries back in data */
static inline void aioring_iocb_set_data(aioring_iocb_t *cb, __u64 data)
{
	cb->aio_data = data;
}

static inline void aioring_iocb_set_data_ptr(aioring_iocb_t *cb, void *ptr)
{
	cb->aio_data = (__u64)(uintptr_t)ptr;
}

static inline void *aioring_event_data_ptr(const aioring_event_t *ev)
{
	return (void *)(uintptr_t)ev->data;
}

/*
 * Prep helpers that know the ring: a read or write on an IOCTX_FLAG_IOPOLL
 * context must be polled (IOCB_FLAG_HIPRI) and on any other io_setup2
 * context must not be, so they set the flag from r->flags.  aio_data is
 * 0: see aioring_iocb_set_data().
 */
static inline void aioring_prep_ring_rw(const struct aioring *r,
					aioring_iocb_t *cb, int opcode, int fd,
					const void *buf, size_t len,
					__s64 offset)
{
	aioring_prep_rw(cb, opcode, fd, (void *)(uintptr_t)buf, len, offset, 0);
	if (r->flags & IOCTX_FLAG_IOPOLL)
		cb->aio_flags = IOCB_FLAG_HIPRI;
}

static inline void aioring_prep_read(const struct aioring *r,
				     aioring_iocb_t *cb, int fd, void *buf,
				     size_t len, __s64 offset)
{
	aioring_prep_ring_rw(r, cb, AIORING_CMD_PREAD, fd, buf, len, offset);
}

static inline void aioring_prep_write(const struct aioring *r,
				      aioring_iocb_t *cb, int fd,
				      const void *buf, size_t len,
				      __s64 offset)
{
	aioring_prep_ring_rw(r, cb, AIORING_CMD_PWRITE, fd, buf, len, offset);
}

/* vectored: not with IOCTX_FLAG_FIXEDBUFS (the kernel says EINVAL) */
static inline void aioring_prep_readv(const struct aioring *r,
				      aioring_iocb_t *cb, int fd,
				      const struct iovec *iov, int nr_vecs,
				      __s64 offset)
{
	aioring_prep_ring_rw(r, cb, AIORING_CMD_PREADV, fd, iov,
			     (size_t)nr_vecs, offset);
}

static inline void aioring_prep_writev(const struct aioring *r,
				       aioring_iocb_t *cb, int fd,
				       const struct iovec *iov, int nr_vecs,
				       __s64 offset)
{
	aioring_prep_ring_rw(r, cb, AIORING_CMD_PWRITEV, fd, iov,
			     (size_t)nr_vecs, offset);
}

/*
 * fsync, fdatasync and poll are never polled IO: the kernel refuses them
 * on an IOCTX_FLAG_IOPOLL context, so they are prepared without HIPRI.
 */
static inline void aioring_prep_fsync(const struct aioring *r,
				      aioring_iocb_t *cb, int fd)
{
	(void)r;
	aioring_prep_rw(cb, AIORING_CMD_FSYNC, fd, NULL, 0, 0, 0);
}

static inline void aioring_prep_fdsync(const struct aioring *r,
				       aioring_iocb_t *cb, int fd)
{
	(void)r;
	aioring_prep_rw(cb, AIORING_CMD_FDSYNC, fd, NULL, 0, 0, 0);
}

/* one-shot poll for the poll(2) events (POLLIN, ...); res is the revents */
static inline void aioring_prep_poll(const struct aioring *r,
				     aioring_iocb_t *cb, int fd,
				     unsigned int events)
{
	(void)r;
	aioring_prep_rw(cb, AIORING_CMD_POLL, fd, NULL, 0, 0, 0);
	cb->aio_buf = (__u16)events;
}

/* --- system calls through the ring --- */

/* io_ring_enter() on the ring's context: the value or -errno. */
static inline int aioring_enter(struct aioring *r, unsigned int to_submit,
				unsigned int min_complete, unsigned int flags)
{
	long ret;

	r->nr_enter++;
	if (r->sys)
		return (int)r->sys->enter(r->ctx, to_submit, min_complete, flags);
	ret = aioring_io_ring_enter(r->ctx, to_submit, min_complete, flags);
	return ret < 0 ? -errno : (int)ret;
}

/* tools/lib/ring.c */
int aioring_init(struct aioring *r, unsigned int nr_events, unsigned int flags,
		 const struct aioring_params *p);
void aioring_exit(struct aioring *r);
int aioring_submit(struct aioring *r);
int aioring_submit_and_wait(struct aioring *r, unsigned int wait_nr);
int aioring_wait(struct aioring *r, unsigned int min_complete);

/* tools/lib/probe.c */
#define AIORING_NR_CTX_FLAGS	6	/* IOCTX_FLAG_IOPOLL .. SQPOLL, known now */
#define AIORING_CTX_FLAGS_ALL	((1U << AIORING_NR_CTX_FLAGS) - 1)
#define AIORING_PROBE_MAX_FLAGS	32	/* one per bit of the flags word */

struct aioring_probe {
	int present;		/* 1: the kernel has io_setup2() */
	int error;		/* why not usable at all: ENOSYS, EPERM, ... */
	unsigned int flags_ok;	/* IOCTX_FLAG_* a context was made with */
	int flag_error[AIORING_PROBE_MAX_FLAGS]; /* errno per refused bit */
	int reserved[13];	/* zero; up to 192 bytes */
};

#define AIORING_SYSCTL_DISABLED	"/proc/sys/fs/aio-ring-disabled"

int aioring_disabled(const char *path);
int aioring_probe(struct aioring_probe *pr, const struct aioring_sys *sys);
unsigned int aioring_unsupported_flag(unsigned int flags,
				      const struct aioring_sys *sys);
int aioring_setup_strerror(int err, unsigned int flags, char *buf, size_t len);
unsigned int aioring_unsupported_strerror(unsigned int flags,
					  const char *(*option)(unsigned int flag),
					  const struct aioring_sys *sys,
					  char *buf, size_t len);
const char *aioring_flag_name(unsigned int flag);
int aioring_flags_str(unsigned int flags, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* AIORING_H */
