#!/bin/bash
# The io_uring engine with SQPOLL: a completion can arrive before the
# kernel thread has moved the SQ head, so the SQ ring can be full while
# fewer than depth IOs are in flight. The engine must wait for room, not
# take a NULL SQE (it crashed in 2 of 10 two-second runs before).
. "$(dirname "$0")/lib.sh"
require_aioring
RUN_TIMEOUT=30

# shallow rings fill up soonest: at depth 1 the ring is full as long as
# the thread has not published the head of the one entry it took
for d in 1 2 32; do
	for i in 1 2 3 4; do
		run 0 "io_uring --sqpoll depth $d run $i of 4" --engine io_uring --sqpoll -q --depth $d --runtime 2 /dev/nullb0
	done
done
run 0 "io_uring --sqpoll --polled" --engine io_uring --sqpoll --polled -q --runtime 2 /dev/nullb0
run 0 "io_uring --sqpoll --verify" --engine io_uring --sqpoll --verify --size 8m /dev/nullb0
has 'verify +2048 blocks read back, 0 mismatches' "8 MiB: 2048 blocks checked, 0 mismatches"
tap_done
