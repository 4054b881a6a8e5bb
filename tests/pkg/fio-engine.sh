#!/bin/bash
# The installed fio engine (fio-engine-aio-ring), on any kernel: fio loads
# it and lists its options; on the flavour, a verified fio job runs on it
# (buffered random writes through SQWQ, read back and checked). TAP on
# stdout.
#
#   fio-engine.sh      (AIORING_FIO_ENGINE: the engine .so, default: found
#                       under /usr/lib*; AIORING_PKGTEST_KERNEL overrides K)
set -euo pipefail
# shellcheck source=tests/pkg/flavour.sh
. "$(dirname "$0")/flavour.sh"
# shellcheck source=tests/pkg/smoke.sh
. "$(dirname "$0")/smoke.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/fio-engine.XXXXXX")
trap 'rm -rf "$work"' EXIT

engine=${AIORING_FIO_ENGINE:-$(find /usr/lib /usr/lib64 -name 'fio-aioring.so' -path '*aioring*' 2>/dev/null | sed -n 1p)}
tap_ok "[ -n '$engine' ] && [ -f '$engine' ]" "the fio engine is installed (${engine:-not found})"
# fio exits 0 even when it cannot load an engine: its output decides.
run "fio --enghelp=ENGINE.so" fio --enghelp="$engine"
has '^hipri +:' "  ... fio loads the engine and lists its options (hipri)"
has '^sqthread_poll +:' "  ... (sqthread_poll)"
if [ "$running_k" = 1 ]; then
	run "fio job on the engine: buffered randwrite + verify with SQWQ" \
		fio --name=smoke --ioengine=external:"$engine" --sqwq --direct=0 \
		--filename="$work/fio.dat" --rw=randwrite --bs=4k --size=4m --iodepth=8 \
		--verify=crc32c --do_verify=1 --verify_fatal=1
	has 'WRITE: bw=' "  ... fio reports the writes"
	has 'READ: bw=' "  ... and the verifying reads"
else
	echo "ok $((tap_n += 1)) - fio job on the engine # SKIP $K is not running"
fi
tap_done
