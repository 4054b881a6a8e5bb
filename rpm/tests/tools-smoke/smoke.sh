#!/bin/bash
# aioring-bench starts, the man pages are installed, a libaioring client
# builds with pkg-config and links libaioring.so.1, and fio loads the
# engine. Nothing here issues io_setup2: it runs on any kernel.
set -euo pipefail
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
aioring-bench --help | grep -qi usage
for page in aioring-bench.1 io_setup2.2 io_ring_enter.2 libaioring.3; do
	man -w "${page%.*}" >/dev/null
done
cat >"$t/client.c" <<'C'
#include <aioring.h>
int main(void) { return __NR_io_setup2 == 335 && __NR_io_ring_enter == 336 ? 0 : 1; }
C
# shellcheck disable=SC2046
gcc -o "$t/client" "$t/client.c" $(pkg-config --cflags --libs aioring)
"$t/client"
ldd "$t/client" | grep -q 'libaioring.so.1 '
engine=$(rpm -ql fio-engine-aio-ring | grep '/aio-ring\.so$')
# --parse-only dlopens the engine and looks up its entry point, no IO.
fio --name=smoke --ioengine="external:$engine" --filename="$t/f" --size=4k \
	--parse-only >"$t/fio.out" 2>&1 ||
	{ cat "$t/fio.out"; echo "FAIL: fio does not load $engine" >&2; exit 1; }
echo "PASS: aioring-bench, man pages, libaioring client, fio engine"
