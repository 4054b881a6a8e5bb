#!/bin/bash
# aioring-bench --verify (pattern write, read-back check) on every kind
# of target of the guest, polled and by interrupt, with the ring sizes
# clients use (depth + 1, not a power of two), fixed buffers, and the
# other engines.  --polled must be refused where there are no poll queues.
# Sizes are small (KASAN under TCG): each run still covers several
# wraps of the ring, and every block is checked.
. "$(dirname "$0")/lib.sh"
require_aioring

run 0 "verify on nullb0, interrupt completions" --verify --size 4m /dev/nullb0
has 'verify +1024 blocks read back, 0 mismatches' "nullb0: 1024 blocks checked, 0 mismatches"
run 0 "verify on nullb0, polled" --verify --polled --size 4m /dev/nullb0
has '\(IOPOLL\|SCQRING\)' "polled: the context is IOPOLL|SCQRING"
has 'verify +1024 blocks read back, 0 mismatches' "nullb0 polled: 1024 blocks, 0 mismatches"
run 0 "sequential 64k, polled" --verify --polled --rw write --bs 64k --size 4m /dev/nullb0
run 0 "depth 1 (a 2-entry ring)" --verify --depth 1 --size 1m /dev/nullb0
run 0 "depth 100 (a 101-entry ring), batches of 7 and 13" --verify --polled --depth 100 \
	--batch-submit 7 --batch-complete 13 --size 4m /dev/nullb0
run 0 "fixed buffers" --verify --fixedbufs --size 2m /dev/nullb0
run 0 "fixed buffers, polled" --verify --fixedbufs --polled --size 2m /dev/nullb0

if [ "$(io_poll nvme0n1)" = 1 ]; then
	run 0 "verify on nvme0n1, polled" --verify --polled --size 2m /dev/nvme0n1
else
	skip "nvme0n1 has no poll queues here"
fi

run 3 "--polled on vdc (no poll queues) is refused" --polled --runtime 1 /dev/vdc
has 'vdc has no poll queues' "the refusal says why"
run 0 "verify on vdc by interrupt" --verify --size 2m /dev/vdc

for fs in ext4 xfs; do
	f=/run/aioring/$fs/bench-verify.dat
	run 0 "verify on an $fs file with O_DIRECT" --verify --size 2m "$f"
	has 'verify +512 blocks read back, 0 mismatches' "$fs: 512 blocks, 0 mismatches"
	run 3 "--polled on an $fs file over a device without poll queues" --polled --runtime 1 "$f"
	rm -f "$f"
done

run 0 "libaio --polled: io_setup2(IOPOLL) context, io_submit + polling io_getevents" \
	--engine libaio --polled --verify --size 2m /dev/nullb0
has 'io_setup2 IOPOLL' "libaio --polled used an io_setup2 IOPOLL context"
run 0 "io_uring --polled" --engine io_uring --polled --verify --size 2m /dev/nullb0
run 0 "libaio" --engine libaio --verify --size 2m /dev/nullb0
run 0 "psync" --engine psync --verify --size 1m /dev/nullb0
tap_done
