#!/bin/bash
# Loading the fio engine: fio 3.33 takes any engine name or path that
# begins with "aio" (or "linuxaio") for libaio, so "aio-ring.so" given
# without a directory loaded libaio.  fio-aioring.so must load by an
# absolute path, by relative ones and by its bare name on
# LD_LIBRARY_PATH, and run a job from relative paths.
. "$(dirname "$0")/lib.sh"
require_fio_engine
require_aioring

engdir=$(dirname "$engine")
enghelp() {	# enghelp WHAT DIR ARG [ENV...]: fio --enghelp=ARG in DIR
	local what=$1 dir=$2 arg=$3
	shift 3
	out=$(cd "$dir" && env "$@" fio --enghelp="$arg" 2>&1)
	tap_ok "grep -q '^sqthread_poll' <<<\"\$out\"" "fio --enghelp=$arg ($what) lists the engine's options"
}
enghelp "absolute" / "$engine"
enghelp "relative to the top" "$top" build/tools/fio/fio-aioring.so
enghelp "relative, ./" "$engdir" ./fio-aioring.so
enghelp "bare name on LD_LIBRARY_PATH" "$engdir" fio-aioring.so LD_LIBRARY_PATH=.
for rel in build/tools/fio/fio-aioring.so ./fio-aioring.so; do
	dir=$top
	[ "$rel" = ./fio-aioring.so ] && dir=$engdir
	out=$(cd "$dir" && timeout -k 5 120 fio --name=job --ioengine=external:"$rel" \
		--filename=/dev/nullb0 --direct=1 --rw=randread --bs=4k --iodepth=8 \
		--size=16m --io_size=1m 2>&1)
	rc=$?
	tap_ok "[ $rc = 0 ] && grep -q 'issued rwts: total=256,' <<<\"\$out\"" \
		"--ioengine=external:$rel (relative) runs a job (exit $rc)"
done

tap_done
