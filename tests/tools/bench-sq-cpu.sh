#!/bin/bash
# Where the bench puts the kernel's SQ thread by default: on a CPU the
# process may use. In a cpuset of CPU 0 only, the old default (the count
# of online CPUs minus one) named CPU 1, which io_setup2 refuses there.
. "$(dirname "$0")/lib.sh"
require_aioring
RUN_TIMEOUT=30
cgroot=/sys/fs/cgroup
cg=$cgroot/aioring-bench-cpu-$$

[ "$(nproc --all)" -ge 2 ] || { echo "1..0 # SKIP needs two CPUs"; exit 77; }
if ! { grep -qw cpuset "$cgroot/cgroup.controllers" 2>/dev/null &&
	echo +cpuset >"$cgroot/cgroup.subtree_control" &&
	mkdir "$cg" && echo 0 >"$cg/cpuset.cpus"; }; then
	echo "1..0 # SKIP no cgroup v2 cpuset at $cgroot"
	exit 77
fi
trap 'echo $$ >"$cgroot/cgroup.procs"; rmdir "$cg"' EXIT
echo $$ >"$cg/cgroup.procs"

run 0 "aioring --sqthread in a cpuset of CPU 0" --sqthread -q --runtime 1 /dev/nullb0
run 0 "aioring --sqpoll in a cpuset of CPU 0" --sqpoll -q --runtime 1 /dev/nullb0

tap_done
