#!/bin/bash
# The fio external engine aioring (tools/fio, fio-aioring.so) in Debian's
# fio: timed runs by interrupt and polled, data verification (fio's
# verify=crc32c), fixed buffers, the submission thread, and buffered IO
# with SQWQ.  (fio-load.sh: loading it; fio-cachehit.sh: cache hits and
# the locked-memory hint.)
. "$(dirname "$0")/lib.sh"
require_fio_engine
require_aioring

dev=/dev/nullb0
fio_run "randread on nullb0" --filename=$dev --direct=1 --rw=randread --bs=4k \
	--iodepth=32 --size=64m --io_size=8m
tap_ok "[ '$err' = 0 ] && [ ${rios:-0} = 2048 ]" "randread: $rios of 2048 reads, no error"
fio_run "randread on nullb0, hipri (polled)" --hipri --filename=$dev --direct=1 \
	--rw=randread --bs=4k --iodepth=32 --size=64m --io_size=8m
tap_ok "[ '$err' = 0 ] && [ ${rios:-0} = 2048 ]" "polled randread: $rios of 2048 reads"
fio_run "write + verify (crc32c), polled, fixed buffers" --hipri --fixedbufs \
	--filename=$dev --direct=1 --rw=randwrite --bs=4k --iodepth=16 --size=16m \
	--verify=crc32c --do_verify=1 --verify_fatal=1
tap_ok "[ '$err' = 0 ] && [ ${wios:-0} = 4096 ] && [ ${rios:-0} = 4096 ]" \
	"verify: 4096 blocks written and read back with matching checksums"
fio_run "write + verify, iodepth 7 (an 8-entry ring)" --filename=$dev --direct=1 \
	--rw=write --bs=8k --iodepth=7 --size=8m --verify=md5 --do_verify=1 --verify_fatal=1
tap_ok "[ '$err' = 0 ] && [ ${rios:-0} = 1024 ]" "verify at depth 7: 1024 blocks"
fio_run "submission thread on CPU 0" --sqthread=0 --filename=$dev --direct=1 \
	--rw=randread --bs=4k --iodepth=16 --size=16m --io_size=2m
tap_ok "[ '$err' = 0 ] && [ ${rios:-0} = 512 ]" "sqthread: $rios of 512 reads"
fio_run "polling submission thread" --sqthread=$(( $(nproc) - 1 )) --sqthread_poll --filename=$dev \
	--direct=1 --rw=randread --bs=4k --iodepth=16 --size=16m --io_size=2m
tap_ok "[ '$err' = 0 ] && [ ${rios:-0} = 512 ]" "sqthread_poll: $rios of 512 reads"
f=/run/aioring/ext4/fio-engine.dat
fio_run "buffered reads with SQWQ on ext4" --sqwq --filename=$f --direct=0 \
	--rw=randread --bs=4k --iodepth=16 --size=16m --io_size=2m
tap_ok "[ '$err' = 0 ] && [ ${rios:-0} = 512 ]" "buffered SQWQ: $rios of 512 reads"
rm -f "$f"

out=$(timeout 60 fio --name=job --ioengine=external:"$engine" --hipri \
	--filename=/run/aioring/ext4/x --direct=0 --size=1m 2>&1)
rc=$?
comment <<<"$out"
tap_ok "[ $rc != 0 ] && grep -q 'hipri (polled IO) needs direct=1' <<<\"\$out\"" \
	"hipri without direct=1 is refused with a message"
rm -f /run/aioring/ext4/x
tap_done
