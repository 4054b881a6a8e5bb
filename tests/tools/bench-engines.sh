#!/bin/bash
# Every engine of aioring-bench on nullb0 for a short timed run, the
# --json summary, and --compare (interrupt and polled).
. "$(dirname "$0")/lib.sh"
require_aioring

for e in aioring io_uring libaio psync; do
	out=$("$bench" --engine $e --runtime 1 --json /dev/nullb0 2>/dev/null)
	rc=$?
	comment <<<"$out"
	tap_ok "[ $rc = 0 ]" "--engine $e --runtime 1 on nullb0 (exit $rc)"
	json_ok "--engine $e: JSON parses"
	iops=$(python3 -c 'import json,sys; print(int(json.load(sys.stdin)["jobs"][0]["read"]["iops"]))' <<<"$out" 2>/dev/null)
	tap_ok "[ \"\${iops:-0}\" -gt 0 ]" "--engine $e: $iops IOPS"
done

run 0 "polled randread" --polled --runtime 2 /dev/nullb0
has '^\[ +1\.[0-9]s\] ' "a per-second line"
has 'syscalls +0\.[0-9]+ per IO' "fewer than one system call per IO"

RUN_TIMEOUT=180 run 0 "--compare on nullb0" --compare --runtime 1 /dev/nullb0
has '^engine +depth +IOPS +MiB/s +p50 +p99 +p99\.9 +calls/IO +CPU/IO +ratio' "compare: the table header"
for e in aioring io_uring libaio psync; do
	has "^$e +[0-9]+ +[0-9.]+[kM]? " "compare: a row for $e"
done
has '^aioring .* 1\.00$' "compare: aioring is the 1.00 baseline"
RUN_TIMEOUT=180 run 0 "--compare --polled on nullb0" --compare --polled --runtime 1 /dev/nullb0
has '^psync +n/a: psync cannot poll' "compare --polled: psync is n/a"
has '^libaio +[0-9]' "compare --polled: libaio polls through io_setup2"
out=$(timeout 120 "$bench" --compare --runtime 1 --json /dev/nullb0 2>/dev/null)
json_ok "--compare --json parses"
tap_done
