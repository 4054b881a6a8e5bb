#!/bin/bash
# aioring-bench -n: several submitting threads, one ring each, each
# pinned to its CPU, one merged summary; one run drives both null_blk
# devices from two CPUs.
. "$(dirname "$0")/lib.sh"
require_aioring

# ios_of N: the IO count of thread N's line in the last text run
ios_of() {
	sed -n "s/^thread $1 on CPU [0-9]*: .*, \([0-9]*\) IOs.*/\1/p" <<<"$out"
}

run 0 "two threads, two devices" -n 2 --runtime 2 /dev/nullb0 /dev/nullb1
has '^thread 0 on CPU [0-9]+: /dev/nullb0, ' "thread 0 drives nullb0, pinned"
has '^thread 1 on CPU [0-9]+: /dev/nullb1, ' "thread 1 drives nullb1, pinned"
cpu0=$(sed -n 's/^thread 0 on CPU \([0-9]*\):.*/\1/p' <<<"$out")
cpu1=$(sed -n 's/^thread 1 on CPU \([0-9]*\):.*/\1/p' <<<"$out")
tap_ok "[ -n '$cpu0' ] && [ -n '$cpu1' ] && { [ \$(nproc) = 1 ] || [ '$cpu0' != '$cpu1' ]; }" \
	"two CPUs: $cpu0 and $cpu1"
t0=$(ios_of 0)
t1=$(ios_of 1)
total=$(sed -n 's/^  IOs  *\([0-9]*\) .*/\1/p' <<<"$out")
tap_ok "[ \"\${t0:-0}\" -gt 0 ] && [ \"\${t1:-0}\" -gt 0 ] && [ \"\$((t0 + t1))\" = '${total:-x}' ]" \
	"both threads did IO ($t0 + $t1) and the summary adds them up (${total:-?})"
has 'depth 32 x 2 threads on /dev/nullb0 /dev/nullb1' "the summary names both threads and devices"
has '^\[ +1\.[0-9]s\] ' "one per-second line for all threads"

run 0 "polled, two threads" -n 2 --polled -q --runtime 2 /dev/nullb0 /dev/nullb1
has '\(SCQRING\|IOPOLL\)|\(IOPOLL\|SCQRING\)' "polled rings"

out=$(timeout -k 5 120 "$bench" -n 2 --runtime 2 --json /dev/nullb0 /dev/nullb1 2>/dev/null)
json_ok "-n 2 --json parses"
tap_ok "python3 -c '
import json, sys
job = json.load(sys.stdin)[\"jobs\"][0]
ab = job[\"aioring-bench\"]
sys.exit(not (job[\"job options\"][\"numjobs\"] == 2 and ab[\"threads\"] == 2 and
              job[\"read\"][\"total_ios\"] == ab[\"ios\"] > 0))' <<<\"\$out\"" \
	"--json: one job, numjobs 2, read.total_ios the IOs of both"

run 0 "--verify, one thread per device" -n 2 --verify -q --size 4m /dev/nullb0 /dev/nullb1
has 'verify +2048 blocks read back, 0 mismatches' "both devices verified (2 x 1024 blocks)"

run 2 "-n 1 for two devices" -n 1 /dev/nullb0 /dev/nullb1
has 'each thread drives one target' "the error says why"
tap_done
