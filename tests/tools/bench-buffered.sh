#!/bin/bash
# Buffered aio through the rings: IOCTX_FLAG_SQWQ on a file opened
# without O_DIRECT, and the page-cache hit hint (IOEV_RES2_CACHEHIT) that
# aioring-bench reports as cache-hit %.
. "$(dirname "$0")/lib.sh"
require_aioring

f=/run/aioring/ext4/bench-buffered.dat
run 0 "buffered verify with SQWQ" --buffered --sqwq --verify --size 8m "$f"
has '\(SCQRING\|SQWQ\)' "the context is SCQRING|SQWQ"
run 0 "buffered randread of a cached file with SQWQ" --buffered --sqwq --runtime 2 "$f"
has 'cache hits +(9[0-9]|100)\.[0-9]%' "reads of a cached file are cache hits (res2 & IOEV_RES2_CACHEHIT)"
has 'hit +(9[0-9]|100)\.[0-9]%' "the per-second line shows the hit rate"
sync
echo 3 >/proc/sys/vm/drop_caches
run 0 "buffered randread after drop_caches" --buffered --sqwq --ios 512 --depth 4 "$f"
has 'cache hits +[0-9]' "cache-hit % reported"
run 0 "buffered without SQWQ (inline)" --buffered --runtime 1 "$f"
rm -f "$f"
tap_done
