#!/bin/bash
# 'make bench' (guest side): the benchmark matrix on /dev/nullb0 (null_blk,
# 2 poll queues), 4 KiB random reads, one submitting thread, depths 1 and
# 32, BENCH_REPS interleaved repetitions (r1: every mode, r2: every
# mode, ...) of BENCH_RUNTIME seconds each (defaults 3 and 3):
#   aioring, io_uring: interrupt; polled; polled+fixedbufs;
#                      SQPOLL+polled+fixedbufs
#   libaio; psync (depth 1 only: it is synchronous)
# then fio (fio-aioring.so, io_uring, libaio) at depth 32 as a cross-check,
# and a buffered second pass (aioring --buffered --sqwq) on ext4.
# Every result is one TAP diagnostic line "# RESULT {json}" that
# tools/bench/bench-report.py turns into the report; the "ok" lines only
# say that the runs worked.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"
bench=$top/build/tools/bench/aioring-bench
engine=$top/build/tools/fio/fio-aioring.so
secs=${BENCH_RUNTIME:-3}
reps=${BENCH_REPS:-3}
dev=${BENCH_DEV:-/dev/nullb0}
tmp=$(mktemp -d)		# /tmp is a tmpfs in the guest
trap 'rm -rf "$tmp"' EXIT

[ -x "$bench" ] || { echo "1..0 # SKIP aioring-bench not built"; exit 77; }
echo "# kernel $(uname -r), $(nproc) CPUs, $dev, ${secs}s per run, $reps repetitions"

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
	"aioring-sqpoll-polled-fixed|-e aioring --sqpoll --polled --fixedbufs"
	"io_uring-irq|-e io_uring"
	"io_uring-polled|-e io_uring --polled"
	"io_uring-polled-fixed|-e io_uring --polled --fixedbufs"
	"io_uring-sqpoll-polled-fixed|-e io_uring --sqpoll --polled --fixedbufs"
	"libaio|-e libaio"
	"psync|-e psync"
)

run_bench() {	# LABEL REP KIND DEPTH ARGS...
	local label=$1 rep=$2 kind=$3 depth=$4 rc
	shift 4
	"$bench" --json "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	cat "$tmp/out" "$tmp/err" | result "$label" "$rep" "$kind" "$depth"
	case $rc in
	0) tap_ok true "$kind $label r$rep: $*" ;;
	3) tap_ok true "$kind $label r$rep: not supported here ($(tail -n 1 "$tmp/err"))" ;;
	*) tap_ok false "$kind $label r$rep: $* (exit $rc: $(tail -n 1 "$tmp/err"))" ;;
	esac
}

for rep in $(seq 1 "$reps"); do
	for depth in 1 32; do
		for m in "${modes[@]}"; do
			label=${m%%|*}
			[ "$label" = psync ] && [ "$depth" != 1 ] && continue
			# shellcheck disable=SC2086  # the options are words
			run_bench "$label" "$rep" bench "$depth" ${m#*|} -d "$depth" \
				--runtime "$secs" "$dev"
		done
	done
done

# fio as a cross-check, depth 32, once per mode
if [ -f "$engine" ] && command -v fio >/dev/null; then
	fio_modes=(
		"aioring-irq|external:$engine|"
		"aioring-polled-fixed|external:$engine|--hipri --fixedbufs"
		"io_uring-irq|io_uring|"
		"io_uring-polled-fixed|io_uring|--hipri --fixedbufs"
		"libaio|libaio|"
	)
	for m in "${fio_modes[@]}"; do
		IFS='|' read -r label e extra <<<"$m"
		# shellcheck disable=SC2086
		fio --output-format=json --name=job --ioengine="$e" $extra \
			--filename="$dev" --direct=1 --rw=randread --bs=4k \
			--iodepth=32 --iodepth_batch_submit=8 \
			--iodepth_batch_complete_min=1 --size=128m \
			--time_based --runtime="$secs" >"$tmp/out" 2>"$tmp/err"
		rc=$?
		result "$label" 1 fio 32 <"$tmp/out"
		tap_ok "[ $rc = 0 ]" "fio $label (exit $rc${extra:+, $extra}: $(tail -n 1 "$tmp/err"))"
	done
else
	echo "# fio or the fio engine (make -C tools fio) missing: fio runs left out"
fi

# buffered second pass on ext4: create, drop the page cache, read the file
# once in order (pass 1), then random reads over it (pass 2: all hits)
dir=${BENCH_DIR:-/run/aioring/ext4}
if [ -d "$dir" ] && [ -w "$dir" ]; then
	f=$dir/bench-buffered.dat
	dd if=/dev/urandom of="$f" bs=1M count=64 status=none && sync
	echo 3 >/proc/sys/vm/drop_caches
	run_bench buffered-pass1 1 buffered 32 -e aioring --buffered --sqwq \
		--rw read -d 32 --ios 16384 "$f"
	run_bench buffered-pass2 1 buffered 32 -e aioring --buffered --sqwq \
		-d 32 --runtime "$secs" "$f"
	rm -f "$f"
else
	echo "# $dir not writable: buffered second pass left out"
fi
tap_done
