/* SPDX-License-Identifier: MIT */
/*
 * What /proc says about threads: the system call a thread is blocked in,
 * the kernel's threads of a context ("aio-sq-<tgid>", "aio-wq-<tgid>"),
 * fields of a task's stat and status, and a dump of every thread of a
 * process (state, wchan, kernel stack) for a test that hangs.
 */
#ifndef AIORING_TEST_TASKS_H
#define AIORING_TEST_TASKS_H

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "sysfs.h"
#include "tap.h"
#include "test_util.h"

/* 1 when the syscall file at path names system call nr, 0 if not, -1 on error. */
static inline int syscall_file_is(const char *path, long nr)
{
	char buf[128];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 10) == nr;
}

/* Is thread tid of this process blocked in system call nr? */
static inline int thread_in_syscall(pid_t tid, long nr)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int)tid);
	return syscall_file_is(path, nr);
}

/* Same for another process. */
static inline int process_in_syscall(pid_t pid, long nr)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	return syscall_file_is(path, nr);
}

/*
 * Threads of process pid (0: self) whose comm is "aio-sq-<tgid>";
 * returns their number, the first tid in *tid.
 */
static inline int find_sq_threads(pid_t pid, pid_t tgid, pid_t *tid)
{
	char dir[64], path[PATH_MAX], comm[64], want[32];
	struct dirent *de;
	DIR *d;
	int found = 0;

	if (pid)
		snprintf(dir, sizeof(dir), "/proc/%d/task", (int)pid);
	else
		snprintf(dir, sizeof(dir), "/proc/self/task");
	snprintf(want, sizeof(want), "aio-sq-%d", (int)tgid);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/comm", dir, de->d_name);
		if (read_file(path, comm, sizeof(comm)))
			continue;
		if (!strcmp(comm, want)) {
			if (!found && tid)
				*tid = (pid_t)atoi(de->d_name);
			found++;
		}
	}
	closedir(d);
	return found;
}

/* Wait up to ms for the SQ thread count of self to become want. */
static inline int wait_sq_threads(int want, int ms, pid_t *tid)
{
	int64_t end = now_ns() + (int64_t)ms * 1000000LL;
	int n;

	while ((n = find_sq_threads(0, getpid(), tid)) != want &&
	       now_ns() < end)
		ms_sleep(10);
	return n;
}

/*
 * Threads of this process whose comm is "<prefix>-<tgid>" (the SQ thread
 * "aio-sq", the SQWQ workers "aio-wq"): their number, the first max of
 * their tids in tids (may be NULL), all the process's tasks in *all (may
 * be NULL).
 */
static inline int named_threads(const char *prefix, pid_t *tids, int max,
				int *all)
{
	char path[PATH_MAX], comm[64], want[32];
	struct dirent *de;
	DIR *d = opendir("/proc/self/task");
	int n = 0, tasks = 0;

	snprintf(want, sizeof(want), "%s-%d", prefix, (int)getpid());
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		tasks++;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", de->d_name);
		if (read_file(path, comm, sizeof(comm)) || strcmp(comm, want))
			continue;
		if (tids && n < max)
			tids[n] = (pid_t)atoi(de->d_name);
		n++;
	}
	if (d)
		closedir(d);
	if (all)
		*all = tasks;
	return n;
}

/* The same, with only the first tid in *tid (may be NULL). */
static inline int count_threads(const char *prefix, pid_t *tid, int *all)
{
	return named_threads(prefix, tid, 1, all);
}

/* Field n (from 1, as proc(5) counts) of /proc/self/task/TID/stat; -1 on error. */
static inline long long task_stat(pid_t tid, int n)
{
	char path[64], buf[1024], *p;
	int field = 3;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	if (read_file(path, buf, sizeof(buf)))
		return -1;
	p = strrchr(buf, ')');	/* comm may hold spaces */
	if (!p)
		return -1;
	p++;
	/* p points at " S ppid ...": field 3 is the state */
	while (*p) {
		while (*p == ' ')
			p++;
		if (field == n)
			return atoll(p);
		while (*p && *p != ' ')
			p++;
		field++;
	}
	return -1;
}

/* The CPU a task last ran on; -1 on error. */
static inline int task_cpu(pid_t tid)
{
	return (int)task_stat(tid, 39);
}

/* User plus system CPU time of a task in seconds; -1 on error. */
static inline double task_cpu_seconds(pid_t tid)
{
	long long u = task_stat(tid, 14), s = task_stat(tid, 15);

	return u < 0 || s < 0 ? -1 : (double)(u + s) / (double)sysconf(_SC_CLK_TCK);
}

static inline int task_cpus_allowed(pid_t tid, char *out, size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/status", (int)tid);
	return status_str(path, "Cpus_allowed_list", out, len);
}

/* diag() the state, wchan and kernel stack of every thread of pid. */
static inline void dump_tasks(pid_t pid)
{
	char dir[64], path[PATH_MAX], buf[4096];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/task", (int)pid);
	d = opendir(dir);
	if (!d) {
		diag("process %d: no %s", (int)pid, dir);
		return;
	}
	while ((de = readdir(d))) {
		char comm[64] = "?", stat[512] = "", wchan[128] = "", *st, *line,
		     *save = NULL;
		int lines = 0;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/comm", dir, de->d_name);
		read_file(path, comm, sizeof(comm));
		snprintf(path, sizeof(path), "%s/%s/stat", dir, de->d_name);
		read_file(path, stat, sizeof(stat));
		st = strrchr(stat, ')');
		snprintf(path, sizeof(path), "%s/%s/wchan", dir, de->d_name);
		read_file(path, wchan, sizeof(wchan));
		diag("  task %s (%s): state %c, wchan %s", de->d_name, comm,
		     st && st[1] ? st[2] : '?', wchan);
		snprintf(path, sizeof(path), "%s/%s/stack", dir, de->d_name);
		if (read_file(path, buf, sizeof(buf)) == 0)
			for (line = strtok_r(buf, "\n", &save); line && lines < 16;
			     line = strtok_r(NULL, "\n", &save), lines++)
				diag("    %s", line);
	}
	closedir(d);
}

#endif
