#!/bin/bash
# aioring-bench's answers to what cannot work: a missing device, bad
# options, a mode the target or kernel cannot do, io_setup2 switched off
# by the administrator (exit 77), a kernel without the sysctl (exit 77,
# no system call), fixed buffers over the memlock limit, and SIGINT in
# the middle of a run.
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
	has 'not permitted \(EPERM\): the administrator set fs.aio-ring-disabled to 2'
	run 0 "classic aio is not affected" --engine libaio --runtime 1 /dev/nullb0
	echo "$old" >$sysctl
else
	skip "no $sysctl on this kernel"
fi

# the sysctl decides before any system call: pointed at a missing file,
# the bench takes this aio-ring kernel for another one (exit 77, one line)
out=$(AIORING_SYSCTL_DISABLED=/nonexistent/aio-ring-disabled "$bench" --runtime 1 /dev/nullb0 2>&1)
rc=$?
comment <<<"$out"
tap_ok "[ $rc = 77 ] && [ \$(wc -l <<<\"\$out\") = 1 ] && grep -q 'io_setup2 not called' <<<\"\$out\"" \
	"no fs.aio-ring-disabled: exit 77 without io_setup2 ($rc)"

# fixed buffers over the locked-memory limit (nobody, no capabilities:
# not exempt): io_setup2 is ENOMEM and the message says what to raise
f=/run/aioring/ext4/bench-memlock.dat
dd if=/dev/zero of="$f" bs=1M count=4 status=none
chmod 644 "$f"
if command -v setpriv >/dev/null; then
	# shellcheck disable=SC2016 # $1 and $2 are the inner shell's
	out=$(timeout 60 setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all --bounding-set=-all bash -c 'ulimit -l 64 &&
		exec "$1" --fixedbufs --bs 64k --depth 32 --ios 64 -q "$2"' \
		memlock "$bench" "$f" 2>&1)
	rc=$?
	comment <<<"$out"
	tap_ok "[ $rc = 1 ] && grep -q 'locked memory limit, ulimit -l: 64 KiB' <<<\"\$out\"" \
		"--fixedbufs over RLIMIT_MEMLOCK: exit 1 with the memlock hint ($rc)"
else
	skip "setpriv is missing"
fi
rm -f "$f"

# SIGINT: the run stops, drains and prints its summary; exit 0
"$bench" --runtime 60 /dev/nullb0 >/tmp/bench-int.out 2>&1 &
pid=$!
sleep 3
kill -INT $pid
wait $pid
rc=$?
out=$(cat /tmp/bench-int.out)
comment <<<"$out"
tap_ok "[ $rc = 0 ]" "SIGINT: exit 0 ($rc)"
has 'nullb0 \(SCQRING\): [0-9.]+ s, interrupted' "SIGINT: the summary says interrupted"
has 'latency +min .* p99\.9 ' "SIGINT: latency percentiles printed"
tap_done
