#!/bin/bash
# The kernel submission thread (IOCTX_FLAG_SQTHREAD), its polling mode
# (SQPOLL, where the application follows the NEED_WAKEUP protocol), and
# --probe, which makes a context with each flag.
. "$(dirname "$0")/lib.sh"
require_aioring
RUN_TIMEOUT=60

run 0 "--sqthread verify" --sqthread=0 --verify --size 8m /dev/nullb0
has 'SQTHREAD' "the context has SQTHREAD"
run 0 "--sqpoll verify" --sqpoll --verify --size 8m /dev/nullb0
run 0 "--sqpoll, polled IO" --sqpoll --polled --runtime 2 /dev/nullb0
run 0 "--probe" --probe /dev/nullb0
has 'IOCTX_FLAG_IOPOLL +yes' "--probe: IOPOLL"
has 'poll queues yes' "--probe: nullb0 has poll queues"
run 0 "--probe --json" --probe --json /dev/vdc
has '"poll_queues": false' "--probe: vdc has no poll queues"
tap_done
