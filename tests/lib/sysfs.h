/* SPDX-License-Identifier: MIT */
/*
 * Readers and writers of small kernel files: sysctls under /proc/sys,
 * sysfs knobs, "Key: value" lines of /proc/.../status, /proc/vmstat
 * counters, and the fs.aio-nr accounting every suite checks.
 */
#ifndef AIORING_TEST_SYSFS_H
#define AIORING_TEST_SYSFS_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"

/* The number at the start of a file (a sysctl, a sysfs knob); -1 on error. */
static inline long read_sysctl_long(const char *path)
{
	char buf[64];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

/* Write "val\n" to a sysctl or sysfs knob: 0 or -errno. */
static inline int write_sysctl_long(const char *path, long val)
{
	char buf[64];
	int fd = open(path, O_WRONLY);
	int len, ret = 0;

	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%ld\n", val);
	if (write(fd, buf, len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

/* Write the string s to the file path (a sysfs or cgroup knob): 0 or -errno. */
static inline int write_file_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		ret = -errno;
	close(fd);
	return ret;
}

/* Read a small file into buf (NUL-terminated, trailing newline cut): 0 or -1. */
static inline int read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = 0;
	return 0;
}

/* "Key:   value kB" of a status file (/proc/<pid>/status); -1 when absent. */
static inline long status_long(const char *path, const char *key)
{
	char line[512];
	size_t kl = strlen(key);
	long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			v = strtol(line + kl + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* The string value of "Key:" in a status file (trimmed); 0 or -1. */
static inline int status_str(const char *path, const char *key, char *out,
			     size_t outlen)
{
	char line[512];
	size_t kl = strlen(key);
	int ret = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			char *s = line + kl + 1, *e;

			while (*s == ' ' || *s == '\t')
				s++;
			e = s + strlen(s);
			while (e > s && (e[-1] == '\n' || e[-1] == ' '))
				*--e = 0;
			snprintf(out, outlen, "%s", s);
			ret = 0;
			break;
		}
	fclose(f);
	return ret;
}

static inline long vm_pin_kb(void)
{
	return status_long("/proc/self/status", "VmPin");
}

static inline long vm_lck_kb(void)
{
	return status_long("/proc/self/status", "VmLck");
}

/* A counter of /proc/vmstat; -1 when it does not exist. */
static inline long long vmstat(const char *name)
{
	char line[256];
	size_t nl = strlen(name);
	long long v = -1;
	FILE *f = fopen("/proc/vmstat", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, nl) && line[nl] == ' ') {
			v = strtoll(line + nl + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* Fold the per-CPU vmstat deltas into the global counters (root). */
static inline int vmstat_refresh(void)
{
	return write_sysctl_long("/proc/sys/vm/stat_refresh", 1);
}

/*
 * Pages pinned in the whole system now (nr_foll_pin_acquired -
 * nr_foll_pin_released); LLONG_MIN without those counters.
 */
static inline long long pin_balance(void)
{
	long long a, r;

	vmstat_refresh();
	a = vmstat("nr_foll_pin_acquired");
	r = vmstat("nr_foll_pin_released");
	if (a < 0 || r < 0)
		return LLONG_MIN;
	return a - r;
}

/* 1 when cpu is online, 0 when offline or absent, -1 when unreadable. */
static inline int cpu_online(unsigned int cpu)
{
	char path[96], buf[16];

	if (cpu == 0)
		return 1;	/* cpu0 usually has no online file */
	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%u/online", cpu);
	if (read_file(path, buf, sizeof(buf)))
		return access(path, F_OK) == 0 ? -1 : 0;
	return atoi(buf) == 1;
}

/* fs.aio-nr and fs.aio-max-nr */

#define AIO_NR_PATH	"/proc/sys/fs/aio-nr"
#define AIO_MAX_NR_PATH	"/proc/sys/fs/aio-max-nr"

static inline long aio_nr(void)
{
	return read_sysctl_long(AIO_NR_PATH);
}

static inline long aio_max_nr(void)
{
	return read_sysctl_long(AIO_MAX_NR_PATH);
}

/* Wait up to ms for fs.aio-nr to read want; returns the last value. */
static inline long aio_nr_wait(long want, int ms)
{
	int64_t end = now_ns() + (int64_t)ms * 1000000LL;
	long v;

	while ((v = aio_nr()) != want && now_ns() < end)
		ms_sleep(20);
	return v;
}

#endif
