/* SPDX-License-Identifier: MIT */
/* Test memory: anonymous pages, aligned buffers; both bail out on failure. */
#ifndef AIORING_TEST_MEM_H
#define AIORING_TEST_MEM_H

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "tap.h"

#define PAGE_SZ		4096u

static inline size_t page_round(size_t len)
{
	return (len + PAGE_SZ - 1) & ~((size_t)PAGE_SZ - 1);
}

/* Anonymous, page-aligned, zeroed memory. */
static inline void *map_pages(size_t len)
{
	void *p = mmap(NULL, page_round(len), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		bail_out("mmap(%zu)", len);
	return p;
}

static inline void unmap_pages(void *p, size_t len)
{
	if (p)
		munmap(p, page_round(len));
}

/* An address that is certainly not mapped: a page mapped, then unmapped. */
static inline void *unmapped_address(void)
{
	void *p = map_pages(PAGE_SZ);

	munmap(p, PAGE_SZ);
	return p;
}

/* len zeroed bytes aligned to align, for free(). */
static inline void *xalign(size_t align, size_t len)
{
	void *p = NULL;

	if (posix_memalign(&p, align, len))
		bail_out("posix_memalign(%zu, %zu)", align, len);
	memset(p, 0, len);
	return p;
}

#endif
