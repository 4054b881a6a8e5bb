#!/bin/bash
# Where the bench puts the kernel's SQ thread by default: on a CPU the
# process may use, the same for aioring and io_uring. In a cpuset of CPU 0
# only, the old default (the count of online CPUs minus one) named CPU 1,
# which io_setup2 refuses there; io_uring's SQPOLL thread was not pinned.
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

echo $$ >"$cgroot/cgroup.procs"

# sqp_cpus ARGS...: the Cpus_allowed_list of io_uring's SQPOLL thread,
# read while aioring-bench ARGS runs; $sqp_rc: its exit status
sqp_cpus() {
	local pid t n comm seen=
	"$bench" "$@" >/dev/null 2>&1 &
	pid=$!
	allowed=
	# until the thread shows or the bench ends (setup can take seconds
	# on a loaded emulated guest)
	for n in $(seq 1 600); do
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
		for t in /proc/$pid/task/*; do
			comm=$(cat "$t/comm" 2>/dev/null)
			case " $seen " in *" $comm "*) ;; *) seen="$seen $comm" ;; esac
			case $comm in
			iou-sqp-*) allowed=$(awk '/^Cpus_allowed_list/ {print $2}' "$t/status") ;;
			esac
		done
		[ -n "$allowed" ] && break
	done
	[ -n "$allowed" ] || echo "# no iou-sqp thread seen; threads seen:$seen"
	wait $pid
	sqp_rc=$?
}

# outside the cpuset: the highest CPU this shell may use
want=$(awk '/^Cpus_allowed_list/ {print $2}' /proc/self/status | tr ',-' '\n\n' | sort -n | tail -n 1)
sqp_cpus --engine io_uring --sqpoll -q --runtime 3 /dev/nullb0
tap_ok "[ $sqp_rc = 0 ]" "io_uring --sqpoll ends well"
tap_ok "[ '$allowed' = '$want' ]" "io_uring's SQPOLL thread is pinned to CPU $want, where aioring's goes (Cpus_allowed_list '$allowed')"
sqp_cpus --engine io_uring --sqpoll --sqthread=0 -q --runtime 3 /dev/nullb0
tap_ok "[ '$allowed' = 0 ] && [ $sqp_rc = 0 ]" "--sqthread=0 pins io_uring's SQPOLL thread to CPU 0 (Cpus_allowed_list '$allowed')"
tap_done
