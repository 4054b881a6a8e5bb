#!/bin/bash
# The fio engine and fio's statistics: IOEV_RES2_CACHEHIT of buffered
# SQWQ reads becomes fio's "Cachehit=" and JSON read.cachehit; fixed
# buffers over the locked-memory limit give the engine's memlock hint.
. "$(dirname "$0")/lib.sh"
require_fio_engine
require_aioring

# IOEV_RES2_CACHEHIT in fio's figures: half of a cold file is read once
# (cached), then random reads over all of it with SQWQ are about half
# hits and half misses; fio prints "Cachehit=" only when both are not 0
f=/run/aioring/ext4/fio-cachehit.dat
dd if=/dev/urandom of="$f" bs=1M count=4 oflag=direct status=none
sync
echo 3 >/proc/sys/vm/drop_caches
fio_run "buffered first pass over half the file (warms it)" --sqwq --direct=0 \
	--filename="$f" --rw=read --bs=4k --size=2m --invalidate=0
tap_ok "[ '$err' = 0 ] && [ ${rios:-0} = 512 ]" "first pass: $rios of 512 reads"
out=$(timeout -k 5 120 fio --name=job --ioengine=external:"$engine" --sqwq \
	--direct=0 --filename="$f" --rw=randread --bs=4k --size=4m \
	--invalidate=0 --iodepth=8 --output-format=normal,json 2>&1)
rc=$?
grep -E 'read: IOPS|Cachehit' <<<"$out" | sed 's/^/# /'
tap_ok "[ $rc = 0 ] && grep -Eq '^ +read: IOPS=.*; Cachehit=[0-9]+\.[0-9]+%' <<<\"\$out\"" \
	"second pass (text): the read line carries Cachehit="
hit=$(sed -n '/^{/,/^}/p' <<<"$out" | python3 -c '
import json, sys
print(json.load(sys.stdin)["jobs"][0]["read"].get("cachehit", -1))' 2>/dev/null)
echo "# JSON cachehit: ${hit:-none}"
tap_ok "python3 -c 'import sys; h = float(sys.argv[1]); sys.exit(not 20 < h < 100)' '${hit:--1}'" \
	"second pass (JSON): read.cachehit ${hit:-missing}%, between 20 and 100"
rm -f "$f"

# fixed buffers over the locked-memory limit (not exempt: nobody, no
# capabilities): ENOMEM from io_setup2, and the engine says why
f=/run/aioring/ext4/fio-memlock.dat
dd if=/dev/zero of="$f" bs=1M count=4 status=none
chmod 644 "$f"
if command -v setpriv >/dev/null; then
	# shellcheck disable=SC2016 # $1 and $2 are the inner shell's
	out=$(timeout 60 setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all --bounding-set=-all bash -c 'ulimit -l 64 &&
		exec fio --name=job --ioengine=external:"$1" --fixedbufs --readonly \
		--filename="$2" --direct=1 --rw=read --bs=64k --iodepth=32 --size=4m' \
		memlock "$engine" "$f" 2>&1)
	grep 'aioring' <<<"$out" | sed 's/^/# /'
	tap_ok "grep -q 'locked memory limit, ulimit -l: 64 KiB' <<<\"\$out\"" \
		"fixed buffers over RLIMIT_MEMLOCK: the engine's error has the memlock hint"
else
	skip "setpriv is missing"
fi
rm -f "$f"

tap_done
