#!/bin/bash
# libaioring as a client sees it: pkg-config finds it, the shared library
# is libaioring.so.1 and exports only the aioring_* calls, and a program
# links against the shared and the static library and runs (calls that
# never reach io_setup2/io_ring_enter only: this runs on the build host).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"
lib=$top/build/tools/lib
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cc=${CC:-gcc}

if [ ! -f "$lib/libaioring.so.1.0.0" ]; then
	echo "1..0 # SKIP libaioring not built (make tools)"
	exit 77
fi

soname=$(readelf -d "$lib/libaioring.so.1.0.0" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
tap_ok "[ '$soname' = libaioring.so.1 ]" "SONAME is libaioring.so.1 ($soname)"
tap_ok "[ \"\$(readlink $lib/libaioring.so.1)\" = libaioring.so.1.0.0 ] && [ \"\$(readlink $lib/libaioring.so)\" = libaioring.so.1 ]" \
	"libaioring.so -> .so.1 -> .so.1.0.0"
exported=$(nm -D --defined-only "$lib/libaioring.so.1.0.0" | awk '$2 == "T" { print $3 }' | sed 's/@.*//' | sort)
tap_ok "! grep -qv '^aioring_' <<<\"\$exported\"" "only aioring_* symbols exported"
tap_ok "nm -D --defined-only $lib/libaioring.so.1.0.0 | grep -q 'aioring_init@@AIORING_1.0'" \
	"symbols carry the version node AIORING_1.0"
calls="init exit submit submit_and_wait wait probe mem_alloc mem_free try_flags
	flag_name flags_str flag_setup_flags dev_io_poll path_io_poll
	io_setup2 io_ring_enter disabled unsupported_flag setup_strerror"
for f in $calls; do
	grep -qx "aioring_$f" <<<"$exported" || echo "# aioring_$f missing"
done
ncalls=$(wc -w <<<"$calls")
tap_ok "[ \$(wc -l <<<\"\$exported\") = $ncalls ]" "$ncalls calls exported"
tap_ok "nm -D --defined-only $lib/libaioring.so.1.0.0 | grep -q 'aioring_io_setup2@@AIORING_1.1'" \
	"the raw system calls are new in AIORING_1.1"
tap_ok "nm -D --defined-only $lib/libaioring.so.1.0.0 | grep -q 'aioring_disabled@@AIORING_1.1'" \
	"so is aioring_disabled()"

if ! command -v pkg-config >/dev/null; then
	echo "ok $((tap_n += 1)) - pkg-config # SKIP pkg-config not installed"
	tap_done
fi

# the .pc file of an install: libdir and includedir follow ${prefix}
make -s -C "$top/tools" O="$t/pc" PREFIX=/opt/aioring LIBDIR=/opt/aioring/lib/x86_64-linux-gnu \
	"$t/pc/tools/lib/aioring.pc" >/dev/null 2>&1
pc=$t/pc/tools/lib/aioring.pc
tap_ok "grep -qx 'prefix=/opt/aioring' $pc && grep -qx 'libdir=\${prefix}/lib/x86_64-linux-gnu' $pc && grep -qx 'includedir=\${prefix}/include' $pc" \
	"aioring.pc: libdir and includedir are \${prefix}/..."
moved=$(PKG_CONFIG_PATH=$t/pc/tools/lib pkg-config --define-variable=prefix=/srv/x --cflags --libs aioring 2>&1)
moved=${moved% }
tap_ok "[ '$moved' = '-I/srv/x/include -L/srv/x/lib/x86_64-linux-gnu -laioring' ]" \
	"a relocated prefix moves both: $moved"

# the .pc file, with the prefix pointed at the build tree
sed -e "s|^libdir=.*|libdir=$lib|" -e "s|^includedir=.*|includedir=$top/tools/include|" \
	"$lib/aioring.pc" >"$t/aioring.pc"
flags=$(PKG_CONFIG_PATH=$t pkg-config --cflags --libs aioring 2>&1)
tap_ok "grep -q -- '-laioring' <<<\"\$flags\" && grep -q -- '-I$top/tools/include' <<<\"\$flags\"" \
	"pkg-config --cflags --libs aioring: $flags"
tap_ok "PKG_CONFIG_PATH=$t pkg-config --modversion aioring | grep -qx '1\.0\.0'" "version 1.0.0"

cat >"$t/client.c" <<'EOT'
#include <stdio.h>
#include <string.h>
#include <aioring.h>

int main(void)
{
	struct aioring r;
	char buf[64];

	aioring_flags_str(IOCTX_FLAG_IOPOLL | IOCTX_FLAG_SCQRING, buf, sizeof(buf));
	if (strcmp(buf, "IOPOLL|SCQRING"))
		return 1;
	r.sys = NULL;
	if (aioring_mem_alloc(&r, 7) || r.cq->nr_events != 14)
		return 2;
	aioring_mem_free(&r);
	puts("client ok");
	return 0;
}
EOT
# shellcheck disable=SC2046 # pkg-config's flags are words
$cc -std=gnu11 -Wall -Wextra -Werror -o "$t/client-so" "$t/client.c" \
	$(PKG_CONFIG_PATH=$t pkg-config --cflags --libs aioring) 2>&1 | sed 's/^/# /'
tap_ok "[ \"\$(LD_LIBRARY_PATH=$lib $t/client-so)\" = 'client ok' ]" \
	"a client built with pkg-config flags runs against libaioring.so.1"
tap_ok "readelf -d $t/client-so | grep -q 'NEEDED.*libaioring.so.1'" "the client needs libaioring.so.1"
$cc -std=gnu11 -Wall -Wextra -Werror -I"$top/tools/include" -o "$t/client-a" \
	"$t/client.c" "$lib/libaioring.a" 2>&1 | sed 's/^/# /'
tap_ok "[ \"\$($t/client-a)\" = 'client ok' ]" "the same client linked statically"
tap_done
