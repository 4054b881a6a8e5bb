/* SPDX-License-Identifier: MIT */
/*
 * Watchdog: SIGALRM without SA_RESTART, so a blocked or polling call
 * returns EINTR and the check fails instead of the program hanging.
 */
#ifndef AIORING_TEST_WATCHDOG_H
#define AIORING_TEST_WATCHDOG_H

#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t watchdog_fired;

static void watchdog_handler(int sig)
{
	(void)sig;
	watchdog_fired = 1;
}

static inline void watchdog_arm(unsigned int secs)
{
	static int installed;

	if (!installed) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = watchdog_handler;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGALRM, &sa, NULL);
		installed = 1;
	}
	watchdog_fired = 0;
	alarm(secs);
}

static inline void watchdog_disarm(void)
{
	alarm(0);
}

#endif
