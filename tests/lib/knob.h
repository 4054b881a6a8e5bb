/* SPDX-License-Identifier: MIT */
/*
 * Knobs a program changes (sysctls, sysfs files) are put back however it
 * ends: knob_save(path, value) records the value path must hold at the
 * end, and knob_restore() writes every recorded value back and forgets
 * it.  The program calls knob_restore() itself when done; it also runs
 * at exit and on SIGTERM, SIGINT and SIGHUP (the signal is then raised
 * again with its default action).  A program that wants the same on
 * SIGALRM installs knob_on_signal() for it.
 */
#ifndef AIORING_TEST_KNOB_H
#define AIORING_TEST_KNOB_H

#include <signal.h>
#include <stdlib.h>

#include "sysfs.h"
#include "tap.h"

#define KNOB_MAX	4

static struct {
	const char *path;
	long value;
} knobs[KNOB_MAX];
static int knob_count;

/* Write every saved value back, newest first, and forget them. */
static inline void knob_restore(void)
{
	while (knob_count > 0) {
		knob_count--;
		write_sysctl_long(knobs[knob_count].path, knobs[knob_count].value);
	}
}

static void knob_restore_at_exit(void)
{
	knob_restore();
}

static void knob_on_signal(int sig)
{
	knob_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* path (a string that lives on) must read value when the program ends. */
static inline void knob_save(const char *path, long value)
{
	static int installed;

	if (!installed) {
		atexit(knob_restore_at_exit);
		signal(SIGTERM, knob_on_signal);
		signal(SIGINT, knob_on_signal);
		signal(SIGHUP, knob_on_signal);
		installed = 1;
	}
	if (knob_count == KNOB_MAX)
		bail_out("knob_save(%s): more than %d knobs", path, KNOB_MAX);
	knobs[knob_count].path = path;
	knobs[knob_count].value = value;
	knob_count++;
}

#endif
