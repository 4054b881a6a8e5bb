#!/bin/bash
# 'make bench' (guest side): the benchmark matrix on /dev/nullb0 (null_blk,
# 2 poll queues), 4 KiB random reads after a 1 s ramp that is not
# counted, one submitting thread pinned to the first CPU and the SQ
# thread (SQPOLL modes) to the last, depths
# BENCH_DEPTHS (1 8 32 128), BENCH_REPS interleaved repetitions (r1: every
# mode and depth, r2: ...) of BENCH_RUNTIME seconds each (defaults 5, 3):
#   aioring, io_uring: interrupt; polled; polled+fixedbufs;
#                      SQPOLL+polled+fixedbufs
#   libaio; psync (depth 1 only: it is synchronous)
#   fio (fio-aioring.so, io_uring, libaio) with the same job and pinning,
#   at depths 1 and 32, in the same repetitions
# then a kernel profile (perf record, cpu-clock) of aioring and io_uring,
# polled+fixedbufs and interrupt mode at depth 32, and a buffered second
# pass (aioring -O0 --sqwq) on ext4.
# Every result is one TAP diagnostic line "# RESULT {json}" (profiles:
# "# PROFILE {json}") that tools/bench/bench-report.py turns into the
# report; the "ok" lines only say that the runs worked. Each run has a
# time limit (BENCH_RUN_LIMIT seconds, default 4 x BENCH_RUNTIME + 60): one
# that does not end is killed and reported, after the state of each of
# its threads (kernel stack, wchan, CPU time; user stack with eu-stack) is
# written as TAP diagnostics, and the matrix goes on. Each
# run is announced on the kernel log (the guest's console), which shows
# progress while the TAP output waits for the end.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"
bench=$top/build/tools/bench/aioring-bench
engine=$top/build/tools/fio/fio-aioring.so
secs=${BENCH_RUNTIME:-3}
limit=${BENCH_RUN_LIMIT:-$((4 * secs + 60))}
reps=${BENCH_REPS:-5}
depths=${BENCH_DEPTHS:-1 8 32 128}
dev=${BENCH_DEV:-/dev/nullb0}
tmp=$(mktemp -d)		# /tmp is a tmpfs in the guest
trap 'rm -rf "$tmp"' EXIT
# the submitter on the first CPU we may use, the SQ thread on the last
cpus=$(taskset -pc $$ | sed 's/.*: //')
sub_cpu=$(python3 -c 'import os; print(min(os.sched_getaffinity(0)))')
sq_cpu=$(python3 -c 'import os; print(max(os.sched_getaffinity(0)))')
pin=(taskset -c "$sub_cpu")
# the limit of one run: SIGTERM, then SIGKILL 10 s later (exit 124 or 137)
limited=(timeout -k 10 "$limit")
# progress on the console: "vm-bench: r2 depth 32 aioring-polled"
progress() { echo "vm-bench: $*" >/dev/kmsg 2>/dev/null || true; }
# what an exit status of a limited run says
why() { case $1 in 124|137) echo "no end within ${limit}s, killed" ;; *) echo "exit $1" ;; esac; }

# threads PID: what each thread of a process that does not end is doing,
# as TAP diagnostics
threads() {
	local t
	for t in /proc/"$1"/task/*; do
		echo "# thread ${t##*/} $(cat "$t/comm" 2>/dev/null):" \
			"state $(awk '/^State:/ { print $2 }' "$t/status" 2>/dev/null)," \
			"utime+stime $(awk '{ print $14 + $15 }' "$t/stat" 2>/dev/null) ticks," \
			"wchan $(cat "$t/wchan" 2>/dev/null)"
		sed 's/^/#     /' "$t/stack" 2>/dev/null
	done
	! command -v eu-stack >/dev/null || eu-stack -p "$1" 2>&1 | head -n 40 | sed 's/^/#   /'
}

# limited_run OUT ERR COMMAND...: COMMAND with the run limit (exit 124
# when it did not end); before such a run is stopped, threads() of it goes
# to the TAP output. wait -n returns as soon as the run or the timer ends.
limited_run() {
	local out=$1 err=$2 pid timer ended rc
	shift 2
	"$@" >"$out" 2>"$err" &
	pid=$!
	sleep "$limit" &
	timer=$!
	wait -n -p ended "$pid" "$timer"
	rc=$?
	if [ "$ended" = "$pid" ]; then
		kill "$timer" 2>/dev/null
		wait "$timer" 2>/dev/null
		return "$rc"
	fi
	echo "# no end within ${limit}s: $*"
	threads "$pid"
	sleep 5
	echo "# 5 s later:"
	threads "$pid"
	kill -TERM "$pid" 2>/dev/null
	sleep 10
	kill -KILL "$pid" 2>/dev/null
	wait "$pid"
	return 124
}

[ -x "$bench" ] || { echo "1..0 # SKIP aioring-bench not built"; exit 77; }
echo "# kernel $(uname -r), $(nproc) CPUs ($cpus), $dev, ${secs}s per run, $reps repetitions, depths $depths"
echo "# submitter on CPU $sub_cpu, SQ thread on CPU $sq_cpu"

# result LABEL REP KIND [DEPTH] < JSON: one "# RESULT" line, the JSON compacted
result() {
	python3 -c '
import json, sys
label, rep, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3]
depth = int(sys.argv[4]) if len(sys.argv) > 4 else None
text = sys.stdin.read()
try:
    r = json.JSONDecoder().raw_decode(text[text.index("{"):])[0]
except Exception as e:
    r = {"status": -1, "message": "no JSON: %s" % text.strip()[-200:]}
print("# RESULT " + json.dumps({"kind": kind, "mode": label, "rep": rep,
                                "depth": depth, "result": r},
                               separators=(",", ":")))
' "$@"
}

# label: engine and options of aioring-bench
modes=(
	"aioring-irq|-e aioring"
	"aioring-polled|-e aioring --polled"
	"aioring-polled-fixed|-e aioring --polled --fixedbufs"
	"aioring-sqpoll-polled-fixed|-e aioring --sqpoll --sqthread=$sq_cpu --polled --fixedbufs"
	"io_uring-irq|-e io_uring"
	"io_uring-polled|-e io_uring --polled"
	"io_uring-polled-fixed|-e io_uring --polled --fixedbufs"
	"io_uring-sqpoll-polled-fixed|-e io_uring --sqpoll --sqthread=$sq_cpu --polled --fixedbufs"
	"libaio|-e libaio"
	"psync|-e psync"
)

run_bench() {	# LABEL REP KIND DEPTH ARGS...
	local label=$1 rep=$2 kind=$3 depth=$4 rc
	shift 4
	progress "r$rep depth $depth $kind $label"
	limited_run "$tmp/out" "$tmp/err" "${pin[@]}" "$bench" --json "$@"
	rc=$?
	cat "$tmp/out" "$tmp/err" | result "$label" "$rep" "$kind" "$depth"
	case $rc in
	0) tap_ok true "$kind $label r$rep: $*" ;;
	3) tap_ok true "$kind $label r$rep: not supported here ($(tail -n 1 "$tmp/err"))" ;;
	*) tap_ok false "$kind $label r$rep: $* ($(why $rc): $(tail -n 1 "$tmp/err"))" ;;
	esac
}

# fio with the same job: label|ioengine|options
fio_modes=()
if [ -f "$engine" ] && command -v fio >/dev/null; then
	fio_modes=(
		"aioring-irq|external:$engine|"
		"aioring-polled-fixed|external:$engine|--hipri --fixedbufs"
		"io_uring-irq|io_uring|"
		"io_uring-polled-fixed|io_uring|--hipri --fixedbufs"
		"libaio|libaio|"
	)
else
	echo "# fio or the fio engine (make -C tools fio) missing: fio runs left out"
fi

run_fio() {	# LABEL REP DEPTH IOENGINE EXTRA
	local label=$1 rep=$2 depth=$3 e=$4 extra=$5 batch rc
	batch=$(( depth / 4 > 0 ? depth / 4 : 1 ))
	progress "r$rep depth $depth fio $label"
	# shellcheck disable=SC2086  # the options are words
	limited_run "$tmp/out" "$tmp/err" fio --output-format=json --name=job --ioengine="$e" $extra \
		--cpus_allowed="$sub_cpu" --filename="$dev" --direct=1 \
		--rw=randread --bs=4k --iodepth="$depth" \
		--iodepth_batch_submit="$batch" --iodepth_batch_complete_min=1 \
		--size=128m --time_based --ramp_time=1 --runtime="$secs"
	rc=$?
	result "$label" "$rep" fio "$depth" <"$tmp/out"
	tap_ok "[ $rc = 0 ]" "fio $label r$rep depth $depth ($(why $rc)${extra:+, $extra}: $(tail -n 1 "$tmp/err"))"
}

for rep in $(seq 1 "$reps"); do
	for depth in $depths; do
		for m in "${modes[@]}"; do
			label=${m%%|*}
			[ "$label" = psync ] && [ "$depth" != 1 ] && continue
			# shellcheck disable=SC2086  # the options are words
			run_bench "$label" "$rep" bench "$depth" ${m#*|} -d "$depth" \
				--ramp 1 --runtime "$secs" "$dev"
		done
	done
	for depth in 1 32; do
		for m in "${fio_modes[@]}"; do
			IFS='|' read -r label e extra <<<"$m"
			run_fio "$label" "$rep" "$depth" "$e" "$extra"
		done
	done
done

# Kernel profiles: where the CPU time per IO goes, by function, for the
# same job (cpu-clock samples: there is no PMU under TCG).
profile() {	# LABEL ARGS...
	local label=$1 rc
	shift
	progress "profile $label"
	HOME=$tmp "${limited[@]}" perf record -q -N -e cpu-clock -a -o "$tmp/perf.data" -- \
		"${pin[@]}" "$bench" -q "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	HOME=$tmp "${limited[@]}" perf report -i "$tmp/perf.data" --stdio -q --sort sym \
		--percent-limit 0.5 2>/dev/null | python3 -c '
import json, re, sys
label = sys.argv[1]
syms = []
for line in sys.stdin:
    m = re.match(r"\s*([0-9.]+)%\s+\[([k.])\]\s+(\S+)", line)
    if m:
        syms.append([float(m.group(1)), m.group(2) == "k", m.group(3)])
print("# PROFILE " + json.dumps({"mode": label, "depth": 32, "symbols": syms[:25]},
                                separators=(",", ":")))
' "$label"
	tap_ok "[ $rc = 0 ]" "profile $label ($(why $rc): $(tail -n 1 "$tmp/err"))"
}
if command -v perf >/dev/null; then
	echo 0 >/proc/sys/kernel/kptr_restrict 2>/dev/null
	echo -1 >/proc/sys/kernel/perf_event_paranoid 2>/dev/null
	for m in "${modes[@]}"; do
		label=${m%%|*}
		case $label in
		aioring-irq|aioring-polled-fixed|io_uring-irq|io_uring-polled-fixed)
			# shellcheck disable=SC2086
			profile "$label" ${m#*|} -d 32 --runtime "$secs" "$dev" ;;
		esac
	done
else
	echo "# perf missing (make deps installs linux-perf): no profiles"
fi

# buffered second pass on ext4: create, drop the page cache, read the file
# once in order (pass 1), then random reads over it (pass 2: all hits)
dir=${BENCH_DIR:-/run/aioring/ext4}
if [ -d "$dir" ] && [ -w "$dir" ]; then
	f=$dir/bench-buffered.dat
	dd if=/dev/urandom of="$f" bs=1M count=64 status=none && sync
	echo 3 >/proc/sys/vm/drop_caches
	run_bench buffered-pass1 1 buffered 32 -e aioring -O0 --sqwq \
		--rw read -d 32 --ios 16384 "$f"
	run_bench buffered-pass2 1 buffered 32 -e aioring -O0 --sqwq \
		-d 32 --runtime "$secs" "$f"
	rm -f "$f"
else
	echo "# $dir not writable: buffered second pass left out"
fi
tap_done
