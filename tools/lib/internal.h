/* SPDX-License-Identifier: MIT */
/*
 * libaioring's own helpers: shared by ring.c and probe.c, linked into the
 * unit tests from the static library, and never exported from
 * libaioring.so (hidden here, and not in libaioring.map).  Not API: no
 * installed header declares them.
 */
#ifndef AIORING_LIB_INTERNAL_H
#define AIORING_LIB_INTERNAL_H

#include "aioring.h"

#pragma GCC visibility push(hidden)

/*
 * Map (and unmap) the three regions of an nr_events context without
 * making it: what aioring_init() does before io_setup2().
 */
int aioring_mem_alloc(struct aioring *r, unsigned int nr_events);
void aioring_mem_free(struct aioring *r);

/* the io_setup2() flags that exercise one feature flag */
unsigned int aioring_flag_setup_flags(unsigned int flag);
/* make and destroy a 2-entry context: 1 accepted, 0 EINVAL, or -errno */
int aioring_try_flags(unsigned int flags, const struct aioring_sys *sys);

/* a small non-negative number in a file, or -errno (-EIO: not one) */
int aioring_read_int_file(const char *path);

#pragma GCC visibility pop

#endif
