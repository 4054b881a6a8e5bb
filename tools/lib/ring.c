// SPDX-License-Identifier: MIT
/*
 * libaioring: the memory of an io_setup2() context (SQ ring, iocb array,
 * CQ ring, each page aligned) and submission through io_ring_enter().
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "aioring.h"
#include "internal.h"

/* the structures programs allocate keep their size (aioring.h) */
_Static_assert(sizeof(void *) != 8 ||
	       (sizeof(struct aioring) == 192 &&
		sizeof(struct aioring_params) == 64 &&
		sizeof(struct aioring_sys) == 64 &&
		sizeof(struct aioring_probe) == 192),
	       "the ABI of libaioring.so.2: sizes of its structures");

/* the project's twins of the kernel's iocb and io_event (aioring.h) */
#define SAME_MEMBER(a, b, m) \
	(offsetof(a, m) == offsetof(b, m) && \
	 sizeof(((a *)0)->m) == sizeof(((b *)0)->m))
_Static_assert(sizeof(struct aioring_iocb) == sizeof(struct iocb) &&
	       SAME_MEMBER(struct aioring_iocb, struct iocb, aio_data) &&
	       SAME_MEMBER(struct aioring_iocb, struct iocb, aio_key) &&
	       SAME_MEMBER(struct aioring_iocb, struct iocb, aio_rw_flags) &&
	       SAME_MEMBER(struct aioring_iocb, struct iocb, aio_lio_opcode) &&
	       SAME_MEMBER(struct aioring_iocb, struct iocb, aio_reqprio) &&
	       SAME_MEMBER(struct aioring_iocb, struct iocb, aio_fildes) &&
	       SAME_MEMBER(struct aioring_iocb, struct iocb, aio_buf) &&
	       SAME_MEMBER(struct aioring_iocb, struct iocb, aio_nbytes) &&
	       SAME_MEMBER(struct aioring_iocb, struct iocb, aio_offset) &&
	       SAME_MEMBER(struct aioring_iocb, struct iocb, aio_reserved2) &&
	       SAME_MEMBER(struct aioring_iocb, struct iocb, aio_flags) &&
	       SAME_MEMBER(struct aioring_iocb, struct iocb, aio_resfd),
	       "struct aioring_iocb is struct iocb");
_Static_assert(sizeof(struct aioring_event) == sizeof(struct io_event) &&
	       SAME_MEMBER(struct aioring_event, struct io_event, data) &&
	       SAME_MEMBER(struct aioring_event, struct io_event, obj) &&
	       SAME_MEMBER(struct aioring_event, struct io_event, res) &&
	       SAME_MEMBER(struct aioring_event, struct io_event, res2),
	       "struct aioring_event is struct io_event");
_Static_assert((int)AIORING_CMD_PREAD == (int)IOCB_CMD_PREAD &&
	       (int)AIORING_CMD_PWRITE == (int)IOCB_CMD_PWRITE &&
	       (int)AIORING_CMD_FSYNC == (int)IOCB_CMD_FSYNC &&
	       (int)AIORING_CMD_FDSYNC == (int)IOCB_CMD_FDSYNC &&
	       (int)AIORING_CMD_POLL == (int)IOCB_CMD_POLL &&
	       (int)AIORING_CMD_NOOP == (int)IOCB_CMD_NOOP &&
	       (int)AIORING_CMD_PREADV == (int)IOCB_CMD_PREADV &&
	       (int)AIORING_CMD_PWRITEV == (int)IOCB_CMD_PWRITEV,
	       "AIORING_CMD_* are IOCB_CMD_*");

long aioring_io_setup2(unsigned int nr_events, unsigned int flags,
		       struct aio_sq_ring *sq_ring, struct aio_cq_ring *cq_ring,
		       aio_context_t *ctxp)
{
#ifdef __NR_io_setup2
	return syscall(__NR_io_setup2, nr_events, flags, sq_ring, cq_ring, ctxp);
#else
	(void)nr_events; (void)flags; (void)sq_ring; (void)cq_ring; (void)ctxp;
	errno = ENOSYS;
	return -1;
#endif
}

long aioring_io_ring_enter(aio_context_t ctx, unsigned int to_submit,
			   unsigned int min_complete, unsigned int flags)
{
#ifdef __NR_io_ring_enter
	return syscall(__NR_io_ring_enter, ctx, to_submit, min_complete, flags);
#else
	(void)ctx; (void)to_submit; (void)min_complete; (void)flags;
	errno = ENOSYS;
	return -1;
#endif
}

static size_t page_round(size_t len)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	return (len + pg - 1) & ~(pg - 1);
}

static void *map_region(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static long sys_setup2(unsigned int nr_events, unsigned int flags,
		       struct aio_sq_ring *sq, struct aio_cq_ring *cq,
		       aio_context_t *ctxp)
{
	long ret = aioring_io_setup2(nr_events, flags, sq, cq, ctxp);

	return ret < 0 ? -errno : ret;
}

static long sys_destroy(aio_context_t ctx)
{
	long ret = syscall(__NR_io_destroy, ctx);

	return ret < 0 ? -errno : ret;
}

/*
 * Map the three regions for nr_events = n: SQ ring 64 + 4n bytes, iocbs
 * 64n, CQ ring 32 + 32 * 2n, each rounded up to whole pages (zeroed), and
 * fill the header fields the application owns.  The context is not made.
 */
int aioring_mem_alloc(struct aioring *r, unsigned int nr_events)
{
	memset(r, 0, sizeof(*r));
	/* the CQ ring has 2n slots and its index must fit in 32 bits */
	if (!nr_events || nr_events > UINT32_MAX / 2)
		return -EINVAL;
	r->sq_entries = nr_events;
	r->cq_entries = 2 * nr_events;
	r->sq_len = page_round(aioring_sq_ring_size(nr_events));
	r->iocbs_len = page_round(aioring_iocbs_size(nr_events));
	r->cq_len = page_round(aioring_cq_ring_size(nr_events));
	r->sq = map_region(r->sq_len);
	r->iocbs = map_region(r->iocbs_len);
	r->cq = map_region(r->cq_len);
	if (!r->sq || !r->iocbs || !r->cq) {
		aioring_mem_free(r);
		return -ENOMEM;
	}
	r->sq->nr_events = nr_events;
	r->sq->iocbs = (__u64)(uintptr_t)r->iocbs;
	r->cq->nr_events = 2 * nr_events;
	return 0;
}

void aioring_mem_free(struct aioring *r)
{
	if (r->sq)
		munmap(r->sq, r->sq_len);
	if (r->iocbs)
		munmap(r->iocbs, r->iocbs_len);
	if (r->cq)
		munmap(r->cq, r->cq_len);
	r->sq = NULL;
	r->iocbs = NULL;
	r->cq = NULL;
}

/*
 * Make an io_setup2() context with nr_events and flags.  With
 * IOCTX_FLAG_SCQRING the rings are mapped first (ring clients use depth +
 * 1 entries: the SQ ring holds nr_events - 1); without it the context is
 * for io_submit()/io_getevents() and r has no rings.  IOCTX_FLAG_FIXEDBUFS
 * registers p->bufs[i] as the buffer of iocb slot i.  With the real
 * system calls, a kernel without the fs.aio-ring-disabled sysctl is
 * -ENOSYS before any system call (see aioring_disabled()).
 */
int aioring_init(struct aioring *r, unsigned int nr_events, unsigned int flags,
		 const struct aioring_params *p)
{
	static const struct aioring_params none;
	const struct aioring_sys *sys;
	long ret;

	unsigned int i;

	if (!p)
		p = &none;
	sys = p->sys;
	memset(r, 0, sizeof(*r));
	r->sys = sys;
	if (!nr_events)
		return -EINVAL;
	/* reserved for later settings: zero is "as this version does it" */
	for (i = 0; i < sizeof(p->reserved) / sizeof(p->reserved[0]); i++)
		if (p->reserved[i])
			return -EINVAL;
	/* another kernel may have another system call at io_setup2's number */
	if (!sys && aioring_disabled(NULL) == -ENOSYS)
		return -ENOSYS;
	if ((flags & IOCTX_FLAG_FIXEDBUFS) && !p->bufs)
		return -EINVAL;
	if (flags & IOCTX_FLAG_SCQRING) {
		ret = aioring_mem_alloc(r, nr_events);
		r->sys = sys;
		if (ret)
			return (int)ret;
		r->sq->sq_thread_cpu = (__u16)p->sq_thread_cpu;
		if (flags & IOCTX_FLAG_FIXEDBUFS) {
			for (i = 0; i < nr_events; i++) {
				r->iocbs[i].aio_buf =
					(__u64)(uintptr_t)p->bufs[i].iov_base;
				r->iocbs[i].aio_nbytes = p->bufs[i].iov_len;
			}
		}
	} else {
		r->sq_entries = nr_events;
		r->cq_entries = 2 * nr_events;
	}
	r->flags = flags;
	r->ctx = 0;
	ret = sys ? sys->setup2(nr_events, flags, r->sq, r->cq, &r->ctx) :
		    sys_setup2(nr_events, flags, r->sq, r->cq, &r->ctx);
	if (ret < 0) {
		aioring_mem_free(r);
		r->ctx = 0;
		return (int)ret;
	}
	return 0;
}

/* io_destroy() (waits for the IO in flight), then unmap the rings. */
void aioring_exit(struct aioring *r)
{
	if (r->ctx) {
		if (r->sys)
			r->sys->destroy(r->ctx);
		else
			sys_destroy(r->ctx);
	}
	r->ctx = 0;
	aioring_mem_free(r);
}

/*
 * Publish the queued SQ entries and enter the kernel when it is needed:
 * to submit (not with IOCTX_FLAG_SQPOLL, unless its thread sleeps), to
 * wait for wait_nr events, or to poll once on an IOCTX_FLAG_IOPOLL ring
 * that has no polling thread and no event left to reap.  Returns the
 * number of SQ entries handed to the kernel by this call: the ones it
 * took, or with a submission thread the ones newly published; or -errno
 * (EAGAIN: reap and retry).
 */
int aioring_submit_and_wait(struct aioring *r, unsigned int wait_nr)
{
	unsigned int fresh = aioring_idx_dist(r->sq_published, r->sq_tail,
					      r->sq_entries);
	unsigned int pending, flags = 0;
	int ret;

	aioring_sq_publish(r);
	pending = aioring_sq_pending(r);
	if (r->flags & IOCTX_FLAG_SQPOLL) {
		if (pending && aioring_sq_needs_wakeup(r))
			flags |= IORING_FLAG_SUBMIT;
	} else if (pending) {
		flags |= IORING_FLAG_SUBMIT;
	}
	/* a pass per submit would poll IO that completes at once one by one */
	if (wait_nr || ((r->flags & IOCTX_FLAG_IOPOLL) &&
			!(r->flags & IOCTX_FLAG_SQPOLL) && !aioring_cq_ready(r)))
		flags |= IORING_FLAG_GETEVENTS;
	if (!flags)
		return (r->flags & IOCTX_FLAG_SQTHREAD) ? (int)fresh : 0;

	ret = aioring_enter(r, pending, wait_nr, flags);
	if (ret < 0)
		return ret;
	if (r->flags & IOCTX_FLAG_SQTHREAD)
		return (int)fresh;
	return (flags & IORING_FLAG_SUBMIT) ? ret : 0;
}

int aioring_submit(struct aioring *r)
{
	return aioring_submit_and_wait(r, 0);
}

/* Wait until min_complete events are in the CQ ring (polls on IOPOLL). */
int aioring_wait(struct aioring *r, unsigned int min_complete)
{
	return aioring_enter(r, 0, min_complete, IORING_FLAG_GETEVENTS);
}
