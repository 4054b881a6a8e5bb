/* SPDX-License-Identifier: MIT */
/*
 * The three ways to make a context (io_setup2 with flags 0, io_setup2
 * with SCQRING rings, classic io_setup), tried by whoever the caller has
 * become, and the checks of what fs.aio-ring-disabled allows them
 * (sysctl-ring-disabled, security-sysctl-userns).
 */
#ifndef AIORING_TEST_SETUP_TRIES_H
#define AIORING_TEST_SETUP_TRIES_H

#include "ring2_util.h"

struct setup_tries {
	long flags0, flags0_err;	/* io_setup2(flags 0): return, errno */
	long ring, ring_err;		/* io_setup2(SCQRING) */
	long classic, classic_err;	/* io_setup */
	long nr0, nr1;			/* fs.aio-nr before and after */
};

/* The three calls; every context made is destroyed again. */
static inline void try_setups(struct setup_tries *t)
{
	aio_context_t ctx = 0;
	struct ring r;

	t->nr0 = aio_nr();
	t->flags0 = aioring_io_setup2(4, 0, NULL, NULL, &ctx);
	t->flags0_err = t->flags0 ? errno : 0;
	if (!t->flags0)
		sys_io_destroy(ctx);
	ring_mem_alloc(&r, 4);
	t->ring = aioring_io_setup2(4, IOCTX_FLAG_SCQRING, r.sq, r.cq, &r.ctx);
	t->ring_err = t->ring ? errno : 0;
	if (!t->ring)
		sys_io_destroy(r.ctx);
	ring_mem_free(&r);
	ctx = 0;
	t->classic = sys_io_setup(4, &ctx);
	t->classic_err = t->classic ? errno : 0;
	if (!t->classic)
		sys_io_destroy(ctx);
	t->nr1 = aio_nr();
}

static inline const char *setup_result(long ret, long err)
{
	return ret ? strerrorname_np((int)err) ?: "?" : "works";
}

/*
 * With sysctl value `value`, `who` may (allowed) or may not (EPERM) use
 * io_setup2; classic io_setup works either way and no context is left.
 */
static inline void check_setups(const char *who, int value,
				const struct setup_tries *t, int allowed)
{
	if (allowed)
		ok(t->flags0 == 0 && t->ring == 0,
		   "value %d, %s: io_setup2 works (flags 0: %s, SCQRING: %s)",
		   value, who, setup_result(t->flags0, t->flags0_err),
		   setup_result(t->ring, t->ring_err));
	else
		ok(t->flags0 == -1 && t->flags0_err == EPERM &&
		   t->ring == -1 && t->ring_err == EPERM,
		   "value %d, %s: io_setup2 gives EPERM (flags 0: %s, SCQRING: %s)",
		   value, who, setup_result(t->flags0, t->flags0_err),
		   setup_result(t->ring, t->ring_err));
	ok(t->classic == 0, "value %d, %s: classic io_setup works (%s)",
	   value, who, setup_result(t->classic, t->classic_err));
	ok(t->nr1 == t->nr0, "value %d, %s: no context left behind (aio-nr %ld -> %ld)",
	   value, who, t->nr0, t->nr1);
}

#endif
