#!/bin/bash
# aioring-bench's answers to what cannot work: a missing device, bad
# options, a mode the target or kernel cannot do, io_setup2 switched off
# by the administrator (exit 77), and SIGINT in the middle of a run.
. "$(dirname "$0")/lib.sh"
require_aioring

run 2 "missing device" --runtime 1 /dev/nullb9
has 'nullb9: No such file or directory'
run 2 "bad option" --depth many /dev/nullb0
has "Try 'aioring-bench --help'"
run 3 "--polled with --buffered" --polled --buffered /dev/nullb0
has 'polled IO needs O_DIRECT'
run 3 "--polled on a file that is on no block device" --polled --runtime 1 --size 1m /tmp/bench-tmpfs.dat
has 'not on a block device|does not support O_DIRECT'

sysctl=/proc/sys/fs/aio-ring-disabled
if [ -w $sysctl ]; then
	old=$(cat $sysctl)
	echo 2 >$sysctl
	run 77 "io_setup2 disabled (fs.aio-ring-disabled = 2)" --runtime 1 /dev/nullb0
	has 'not permitted'
	run 0 "classic aio is not affected" --engine libaio --runtime 1 /dev/nullb0
	echo "$old" >$sysctl
else
	skip "no $sysctl on this kernel"
fi

# SIGINT: the run stops, drains and prints its summary; exit 0
"$bench" --runtime 60 /dev/nullb0 >/tmp/bench-int.out 2>&1 &
pid=$!
sleep 3
kill -INT $pid
wait $pid
rc=$?
out=$(cat /tmp/bench-int.out)
sed 's/^/# /' <<<"$out"
tap_ok "[ $rc = 0 ]" "SIGINT: exit 0 ($rc)"
has 'nullb0 \(SCQRING\): [0-9.]+ s, interrupted' "SIGINT: the summary says interrupted"
has 'latency +min .* p99\.9 ' "SIGINT: latency percentiles printed"
tap_done
