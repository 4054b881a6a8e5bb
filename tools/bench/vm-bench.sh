#!/bin/bash
# 'make bench': aioring-bench --compare on the guest's null_blk device,
# by interrupt and polled, printed as TAP diagnostics (the table is the
# result; the checks only say the runs worked).  BENCH_RUNTIME seconds
# per engine (default 5).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"
bench=$top/build/tools/bench/aioring-bench
secs=${BENCH_RUNTIME:-5}

[ -x "$bench" ] || { echo "1..0 # SKIP aioring-bench not built"; exit 77; }
echo "# kernel $(uname -r), $(nproc) CPUs"
for mode in "" "--polled"; do
	out=$("$bench" --compare $mode --runtime "$secs" -q /dev/nullb0 2>&1)
	rc=$?
	echo "# === aioring-bench --compare $mode --runtime $secs /dev/nullb0"
	sed -n '/^engine /,$p' <<<"$out" | sed 's/^/# /'
	tap_ok "[ $rc = 0 ]" "compare ${mode:-(interrupt)} on nullb0 (exit $rc)"
done

# the same job in fio: the aio-ring engine next to fio's own
engine=$top/build/tools/fio/aio-ring.so
if [ -f "$engine" ] && command -v fio >/dev/null; then
	for mode in "" "--hipri"; do
		echo "# === fio randread 4k iodepth 32 ${mode:-(interrupt)} --runtime $secs /dev/nullb0"
		for e in external:$engine io_uring libaio; do
			extra=$mode
			[ "$e" = libaio ] && [ -n "$mode" ] && continue	# no polled libaio in fio
			out=$(fio --output-format=json --name=job --ioengine="$e" $extra \
				--filename=/dev/nullb0 --direct=1 --rw=randread --bs=4k \
				--iodepth=32 --size=256m --time_based --runtime="$secs" 2>&1)
			rc=$?
			iops=$(sed -n '/^{/,$p' <<<"$out" | python3 -c '
import json, sys
j = json.load(sys.stdin)["jobs"][0]["read"]
print("%8.1fk IOPS  p50 %6.1fus  p99 %6.1fus" % (j["iops"] / 1e3,
      j["clat_ns"]["percentile"]["50.000000"] / 1e3,
      j["clat_ns"]["percentile"]["99.000000"] / 1e3))' 2>/dev/null)
			name=${e#external:}
			printf '# %-10s %s\n' "$(basename "${name%.so}")" "${iops:-failed}"
			tap_ok "[ $rc = 0 ]" "fio ${name##*/} ${mode:-(interrupt)} (exit $rc)"
		done
	done
else
	echo "# fio engine not built (make -C tools fio): fio runs left out"
fi
tap_done
