#!/bin/bash
# aioring-bench as a command, on the build host: usage and exit statuses,
# refusals that come before any IO, and short runs with the engines that
# never touch io_setup2/io_ring_enter (psync, libaio without --polled):
# the per-second line, the summary, --json, --verify and SIGINT.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"
bench=$top/build/tools/bench/aioring-bench
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

if [ ! -x "$bench" ]; then
	echo "1..0 # SKIP aioring-bench not built (make tools)"
	exit 77
fi

run() {	# run ARGS... -> $rc, $out (stdout+stderr)
	out=$("$bench" "$@" 2>&1)
	rc=$?
}

run --help
tap_ok "[ $rc = 0 ] && grep -q '^usage: aioring-bench' <<<\"\$out\" && grep -q -- '--sqthread\[=CPU\]' <<<\"\$out\"" "--help: usage, exit 0"
run --version
tap_ok "[ $rc = 0 ] && grep -Eq '^aioring-bench [0-9]+\.[0-9]+\.[0-9]+$' <<<\"\$out\"" "--version: name and version, exit 0"
run
tap_ok "[ $rc = 2 ] && grep -q 'no FILE or DEVICE' <<<\"\$out\" && grep -q -- '--help' <<<\"\$out\"" "no target: exit 2 with a hint"
run --bogus x
tap_ok "[ $rc = 2 ] && grep -q \"unknown option '--bogus'\" <<<\"\$out\"" "unknown option: exit 2"
run --depth 0 x
tap_ok "[ $rc = 2 ]" "bad value: exit 2"
run --engine psync /dev/aioring-no-such-device
tap_ok "[ $rc = 2 ] && grep -q 'aioring-no-such-device: No such file or directory' <<<\"\$out\"" "missing device: exit 2 ($out)"
run --engine psync "$t/missing-file"
tap_ok "[ $rc = 2 ] && grep -q 'give --size to create' <<<\"\$out\"" "missing file without --size: exit 2"
run --engine psync --polled "$t/f"
tap_ok "[ $rc = 3 ] && grep -q 'psync cannot poll' <<<\"\$out\" && [ ! -e $t/f ]" \
	"unsupported mode: exit 3 before the target is created"
run --engine libaio --fixedbufs "$t/f"
tap_ok "[ $rc = 3 ] && grep -q 'no fixed buffers' <<<\"\$out\"" "libaio --fixedbufs: exit 3"
run --engine psync /dev/null
tap_ok "[ $rc = 2 ] && grep -q 'not a regular file or block device' <<<\"\$out\"" "a character device: exit 2"

# A kernel without the aio-ring interface has no fs.aio-ring-disabled
# sysctl (here a missing file of the test): one line, exit 77, before the
# target is created and without io_setup2 (traced when strace can).
nosysctl=$t/no-such-dir/aio-ring-disabled
AIORING_SYSCTL_DISABLED=$nosysctl run --size 1m --ios 8 "$t/absent"
tap_ok "[ $rc = 77 ] && [ \$(wc -l <<<\"\$out\") = 1 ] && grep -q '^aioring-bench: this kernel has no aio-ring interface (no fs.aio-ring-disabled sysctl; io_setup2 not called)' <<<\"\$out\" && [ ! -e $t/absent ]" \
	"no sysctl: exit 77, one line, target not created (exit $rc: $out)"
AIORING_SYSCTL_DISABLED=$nosysctl run --engine libaio --polled --ios 8 "$t/absent"
tap_ok "[ $rc = 77 ] && [ \$(wc -l <<<\"\$out\") = 1 ]" "no sysctl, libaio --polled: exit 77, one line"
AIORING_SYSCTL_DISABLED=$nosysctl run --probe
tap_ok "[ $rc = 77 ] && grep -q '^aio-ring    absent: .*io_setup2 not called' <<<\"\$out\"" \
	"no sysctl, --probe: absent, exit 77"
if command -v strace >/dev/null && strace -f -o "$t/true.trace" true 2>/dev/null; then
	AIORING_SYSCTL_DISABLED=$nosysctl strace -f -o "$t/trace" "$bench" --size 1m --ios 8 "$t/absent" >/dev/null 2>&1
	AIORING_SYSCTL_DISABLED=$nosysctl strace -f -o "$t/trace-probe" "$bench" --probe >/dev/null 2>&1
	tap_ok "grep -q 'no-such-dir/aio-ring-disabled' $t/trace && grep -q 'no-such-dir/aio-ring-disabled' $t/trace-probe && ! grep -Eq 'syscall_(0x14f|335)|io_setup2|io_ring_enter' $t/trace $t/trace-probe" \
		"strace: the sysctl was looked at, system call 335 was not made"
else
	echo "ok $((tap_n += 1)) - strace: no system call 335 # SKIP strace cannot trace here"
fi

# a short run through the page cache (any file system can do that)
run --engine psync --buffered --size 1m --runtime 1.2 "$t/data"
tap_ok "[ $rc = 0 ] && [ \$(stat -c %s $t/data) = 1048576 ]" "--size creates a missing file (exit $rc)"
tap_ok "grep -Eq '^\[ +1\.[0-9]s\] +[0-9.]+[kM]? IOPS +[0-9.]+ MiB/s +1\.00 calls/IO +hit +- +inflight [01]$' <<<\"\$out\"" \
	"per-second line: IOPS, MiB/s, calls/IO, hit, inflight"
tap_ok "grep -q '^psync randread 4k depth 1 on $t/data' <<<\"\$out\" && grep -q '  latency    min .* p50 .* p99 .* p99.9 .* max ' <<<\"\$out\" && grep -q '  CPU        .* us/IO' <<<\"\$out\" && grep -q '  syscalls   1.000 per IO' <<<\"\$out\"" \
	"summary: latency percentiles, CPU and syscalls per IO"
sed 's/^/# /' <<<"$out"

run --engine psync --buffered --verify --rw randwrite --size 1m --json "$t/data"
tap_ok "[ $rc = 0 ] && grep -q '\"errors\": 0' <<<\"\$out\" && grep -q '\"blocks\": 256' <<<\"\$out\"" \
	"psync --verify over 1 MiB: 256 blocks checked, 0 errors (exit $rc)"
if command -v python3 >/dev/null; then
	tap_ok "python3 -m json.tool >/dev/null <<<\"\$out\"" "--json output parses"
fi

if "$bench" --engine libaio --buffered --ios 64 -q "$t/data" >/dev/null 2>&1; then
	run --engine libaio --buffered --verify --depth 8 --size 1m "$t/data"
	tap_ok "[ $rc = 0 ] && grep -q 'verify     256 blocks read back, 0 mismatches' <<<\"\$out\"" \
		"libaio --verify, depth 8 (exit $rc)"
else
	echo "ok $((tap_n += 1)) - libaio --verify # SKIP io_setup does not work here"
fi

# SIGINT: the summary is still printed, exit 0
"$bench" --engine psync --buffered --runtime 60 "$t/data" >"$t/int.out" 2>&1 &
pid=$!
sleep 1.5
kill -INT $pid
wait $pid
rc=$?
tap_ok "[ $rc = 0 ] && grep -q 'interrupted' $t/int.out && grep -q '  IOs        [1-9]' $t/int.out" \
	"SIGINT ends the run with the summary (exit $rc)"
# a file made by --size is written whole (no holes: reads of a hole do
# no IO); an existing sparse file gets a warning
run --engine psync -O0 --size 4m --runtime 0.2 -q "$t/laid"
tap_ok "[ $rc = 0 ] && [ \$(( \$(stat -c %b '$t/laid') * 512 )) -ge 4194304 ]" \
	"--size creates the file with its 4 MiB allocated (exit $rc, $(stat -c %b "$t/laid" 2>/dev/null) blocks)"
truncate -s 4m "$t/sparse"
run --engine psync -O0 --runtime 0.2 -q "$t/sparse"
tap_ok "[ $rc = 0 ] && grep -q 'sparse has holes (0 of 4194304 bytes allocated)' <<<\"\$out\"" \
	"a sparse file is read with a warning about its holes"
# --ramp: run first, count only after it
t0=$(date +%s%N)
run --engine psync -O0 --size 1m --ramp 1 --runtime 1 --json "$t/laid"
t1=$(date +%s%N)
rt=$(python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["jobs"][0]["aioring-bench"]["runtime_s"])' <<<"$out" 2>/dev/null)
tap_ok "[ $rc = 0 ] && [ \$(( (t1 - t0) / 1000000 )) -ge 1900 ] && python3 -c 'import sys; sys.exit(not 0.9 <= float(sys.argv[1]) < 1.5)' '$rt'" \
	"--ramp 1 --runtime 1: two seconds of IO, one counted (runtime_s $rt, $(( (t1 - t0) / 1000000 )) ms)"
run --engine psync -O0 --size 1m --ramp 1 --verify "$t/laid"
tap_ok "[ $rc = 2 ] && grep -q -- '--ramp with --verify' <<<\"\$out\"" "--ramp with --verify is refused"
run --engine psync --ramp soon "$t/laid"
tap_ok "[ $rc = 2 ] && grep -q -- \"--ramp takes seconds\" <<<\"\$out\"" "a bad --ramp value is refused"

tap_done
