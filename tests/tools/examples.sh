#!/bin/bash
# tools/examples, built by 'make tools', run on the aio-ring kernel: each
# writes a pattern, reads it back through a ring and checks every block.
#   polled-read   IOPOLL + FIXEDBUFS on /dev/nullb0 (poll queues)
#   sqpoll-loop   SQTHREAD + SQPOLL on /dev/nullb1: no system call while
#                 IO flows
#   cachehit-read buffered SQWQ reads of an ext4 file: IOEV_RES2_CACHEHIT
. "$(dirname "$0")/lib.sh"
require_aioring
ex=$top/build/tools/examples

# example NAME ARGS...: run it (exit 0 wanted), its output in $out
example() {
	local name=$1
	shift
	if [ ! -x "$ex/$name" ]; then
		skip "$name: not built (make tools)"
		out=
		return 1
	fi
	out=$(timeout -k 5 "${RUN_TIMEOUT:-180}" "$ex/$name" "$@" 2>&1)
	rc=$?
	comment <<<"$out"
	tap_ok "[ $rc = 0 ]" "$name $* (exit $rc)"
}

if [ "$(io_poll nullb0)" = 1 ]; then
	if example polled-read /dev/nullb0 512; then
		has 'polled-read: 512 blocks .*data verified' "polled-read: 512 blocks written and verified"
	fi
else
	skip "polled-read: /dev/nullb0 has no poll queues"
fi

if example sqpoll-loop "${AIORING_TEST_BDEV:-/dev/nullb1}" 2048; then
	has 'sqpoll-loop: 2048 blocks .*data verified' "sqpoll-loop: 2048 blocks verified"
	n=$(sed -n 's/.*verified, \([0-9]*\) io_ring_enter calls.*/\1/p' <<<"$out")
	tap_ok "[ -n '$n' ] && [ '$n' -le 2 ]" \
		"sqpoll-loop: the loop entered the kernel ${n:-?} times for 2048 reads (SQ thread awake)"
fi

dir=${AIORING_TEST_DIRS:-/run/aioring/ext4}
f=${dir%%:*}/examples-cachehit.dat
if example cachehit-read "$f" 512; then
	has 'cachehit-read: 512 blocks read back twice, data verified' "cachehit-read: both passes verified"
	warm=$(sed -n 's|.*warm \([0-9]*\)/512 cache hits.*|\1|p' <<<"$out")
	tap_ok "[ -n '$warm' ] && [ '$warm' -ge 460 ]" \
		"cachehit-read: ${warm:-?}/512 reads of the just-written file are IOEV_RES2_CACHEHIT"
fi
rm -f "$f"
tap_done
