#!/bin/bash
# libaioring as a client sees it: pkg-config finds it, the shared library
# is libaioring.so.2 and exports only the calls documented (a page each,
# listed in libaioring(3)), in
# AIORING_2.0, its structures have their soname-2 sizes, and a program
# links against the shared and the static library and runs (calls that
# never reach io_setup2/io_ring_enter only: this runs on the build host).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"
lib=$top/build/tools/lib
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cc=${CC:-gcc}

so=$lib/libaioring.so.2.0.0
if [ ! -f "$so" ]; then
	echo "1..0 # SKIP libaioring not built (make tools)"
	exit 77
fi

soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
tap_ok "[ '$soname' = libaioring.so.2 ]" "SONAME is libaioring.so.2 ($soname)"
tap_ok "[ \"\$(readlink $lib/libaioring.so.2)\" = libaioring.so.2.0.0 ] && [ \"\$(readlink $lib/libaioring.so)\" = libaioring.so.2 ]" \
	"libaioring.so -> .so.2 -> .so.2.0.0"

# the dynamic symbol table holds the calls of libaioring(3) and nothing
# else, each in the one version node of the soname
public="aioring_disabled aioring_exit aioring_flag_name aioring_flags_str
	aioring_init aioring_io_ring_enter aioring_io_setup2 aioring_probe
	aioring_setup_strerror aioring_submit aioring_submit_and_wait
	aioring_unsupported_flag aioring_unsupported_strerror aioring_wait"
want=$(tr -s ' \t\n' '\n' <<<"$public" | sed '/^$/d' | sort)
dyn=$(nm -D --defined-only "$so")
exported=$(awk '$2 != "A" { print $3 }' <<<"$dyn" | sort)
tap_ok "[ \"\$(sed 's/@.*//' <<<\"\$exported\")\" = \"\$want\" ]" \
	"exported: exactly the $(wc -l <<<"$want") documented calls"
diff <(sed 's/@.*//' <<<"$exported") <(echo "$want") | sed -n 's/^[<>]/# &/p'
tap_ok "! grep -qv '@@AIORING_2\.0\$' <<<\"\$exported\"" \
	"every exported call is in version node AIORING_2.0"
tap_ok "[ \"\$(awk '\$2 == \"A\" { print \$3 }' <<<\"\$dyn\")\" = AIORING_2.0 ]" \
	"AIORING_2.0 is the only version node"
tap_ok "! nm -D $so | grep -q 'AIORING_1'" "no AIORING_1.x node left"
for f in mem_alloc mem_free try_flags flag_setup_flags dev_io_poll path_io_poll; do
	tap_ok "! readelf --dyn-syms -W $so | grep -qw 'aioring_$f'" \
		"aioring_$f is not in the dynamic symbol table"
	tap_ok "! grep -qw 'aioring_$f' $top/tools/include/aioring.h $top/tools/man/*.3" \
		"nor declared in aioring.h or documented in a man page"
done
for f in $public; do
	page=$top/tools/man/$f.3
	to=$(sed -n '1s|^\.so man3/||p' "$page" 2>/dev/null)
	tap_ok "grep -q '^\\.BI \".*[ *]$f(' ${to:+$top/tools/man/}${to:-$page}" \
		"$f is in the SYNOPSIS of its page $f(3)${to:+ (${to%.3}(3))}"
done

# debian/libaioring2.symbols: exactly what the library exports (the
# strictest check of dpkg-gensymbols), and no package version in it
# (those come from kernel/version.env only)
symbols=$top/debian/libaioring2.symbols
. "$top/kernel/version.env"
tap_ok "! grep -qF '${DEBIAN_SOURCE_VERSION%-*}' $symbols && ! grep -q '^ [^ ]* [1-9]' $symbols" \
	"libaioring2.symbols carries no package version"
if command -v dpkg-gensymbols >/dev/null; then
	tap_ok "(cd $top && dpkg-gensymbols -plibaioring2 -v2.0.0-1 -e$so -I$symbols -O$t/symbols -c4) >$t/gensymbols.log 2>&1" \
		"dpkg-gensymbols -c4: libaioring2.symbols matches libaioring.so.2"
	sed 's/^/# /' "$t/gensymbols.log"
else
	echo "ok $((tap_n += 1)) - libaioring2.symbols # SKIP dpkg-gensymbols not installed"
fi

# the structures a program allocates: sizes of the soname-2 ABI, with
# room at the end
cat >"$t/sizes.c" <<'EOT'
#include <stdio.h>
#include <aioring.h>

int main(void)
{
	printf("%zu %zu %zu %zu %d\n", sizeof(struct aioring),
	       sizeof(struct aioring_params), sizeof(struct aioring_sys),
	       sizeof(struct aioring_probe), AIORING_PROBE_MAX_FLAGS);
	return 0;
}
EOT
$cc -std=c11 -Wall -Wextra -Werror -I"$top/tools/include" -o "$t/sizes" "$t/sizes.c" 2>&1 | sed 's/^/# /'
tap_ok "[ \"\$($t/sizes)\" = '192 64 64 192 32' ]" \
	"struct aioring 192, aioring_params 64, aioring_sys 64, aioring_probe 192 bytes, flag_error[32]"

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
tap_ok "PKG_CONFIG_PATH=$t pkg-config --modversion aioring | grep -qx '2\.0\.0'" "version 2.0.0"

cat >"$t/client.c" <<'EOT'
#include <stdio.h>
#include <string.h>
#include <aioring.h>

int main(void)
{
	struct aioring_params p = { .reserved = { 1 } };
	struct aioring r;
	char buf[64];

	aioring_flags_str(IOCTX_FLAG_IOPOLL | IOCTX_FLAG_SCQRING, buf, sizeof(buf));
	if (strcmp(buf, "IOPOLL|SCQRING"))
		return 1;

	/* reserved space must be zero; checked before any system call */
	if (aioring_init(&r, 7, IOCTX_FLAG_SCQRING, &p) != -EINVAL)
		return 2;
	puts("client ok");
	return 0;
}
EOT
# shellcheck disable=SC2046 # pkg-config's flags are words
$cc -std=gnu11 -Wall -Wextra -Werror -o "$t/client-so" "$t/client.c" \
	$(PKG_CONFIG_PATH=$t pkg-config --cflags --libs aioring) 2>&1 | sed 's/^/# /'
tap_ok "[ \"\$(LD_LIBRARY_PATH=$lib $t/client-so)\" = 'client ok' ]" \
	"a client built with pkg-config flags runs against libaioring.so.2"
tap_ok "readelf -d $t/client-so | grep -q 'NEEDED.*libaioring.so.2'" "the client needs libaioring.so.2"
$cc -std=gnu11 -Wall -Wextra -Werror -I"$top/tools/include" -o "$t/client-a" \
	"$t/client.c" "$lib/libaioring.a" 2>&1 | sed 's/^/# /'
tap_ok "[ \"\$($t/client-a)\" = 'client ok' ]" "the same client linked statically"
tap_done
