#!/bin/bash
# Check the Debian packages that 'make deb' wrote, as TAP:
#
#   tests/pkg/check-debs.sh [DIR]        (default build/pkg/deb)
#
# - lintian on the .changes (source and binaries) reports no error and no
#   warning, and each override in debian/ carries a comment saying why;
# - contents: the image has vmlinuz, System.map, config and modules.order
#   (no depmod output, no build link) and its /proc/version string names
#   the project and the package version; the headers tree has .config,
#   Module.symvers, the built host programs (sign-file, modpost, fixdep,
#   objtool), scripts/module.lds and the build link, but no signing key;
#   no package ships a file of linux-libc-dev; aioring.h is only in
#   libaioring-dev;
# - relations: the metapackages depend on the exact ABI packages, the
#   headers on gcc-12, the fio engine on fio (= the installed version);
# - the source package unpacks (dpkg-source -x) when a .dsc is there.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"
case ${1:-} in -h|--help) sed -n '2,/^set -u/{/^set -u/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;; esac
dir=$(realpath -m "${1:-$top/build/pkg/deb}")
. "$top/kernel/version.env"
krel=$DEBIAN_ABI-$FLAVOUR
version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

deb() {	# PACKAGE -> path of its .deb in $dir
	local f
	for f in "$dir/$1_${version#*:}_"*.deb; do
		[ -f "$f" ] && echo "$f" && return
	done
}
field() { dpkg-deb -f "$(deb "$1")" "$2" 2>/dev/null; }
files() { dpkg-deb -c "$(deb "$1")" | awk '{ sub(/^\./, "", $6); print $6 }'; }
diag() { sed 's/^/# /'; }

changes=$(find "$dir" -maxdepth 1 -name '*.changes' | sort | head -n 1)
if [ -z "$changes" ]; then
	echo "1..0 # SKIP no .changes in $dir (make deb PKG_PROFILE=vm first)"
	exit 77
fi

packages=("linux-image-$krel" "linux-headers-$krel" linux-image-aioring-amd64
	  linux-headers-aioring-amd64 libaioring1 libaioring-dev aioring-tools
	  fio-engine-aio-ring)
for p in "${packages[@]}"; do
	tap_ok "[ -n '$(deb "$p")' ]" "package $p was built"
done
tap_ok "[ -z '$(find "$dir" -maxdepth 1 -name 'linux-libc-dev_*')' ]" "no package is named linux-libc-dev"

# --- lintian ------------------------------------------------------------
lintian --fail-on error,warning --display-info "$changes" >"$t/lintian" 2>&1
rc=$?
diag <"$t/lintian"
tap_ok "[ $rc = 0 ]" "lintian: no error or warning on ${changes##*/} ($(grep -c '^[EW]:' "$t/lintian") E/W, $(grep -c '^I:' "$t/lintian") I tags)"
# every override line (a tag) follows a comment that says why
unjustified=$(for f in "$top"/debian/*.lintian-overrides "$top"/debian/source/lintian-overrides; do
	[ -f "$f" ] || continue
	awk -v f="${f#"$top"/}" '/^#/ { why = 1; next } /^[[:space:]]*$/ { why = 0; next }
		!why { print f ": " $0 }' "$f"
done)
[ -z "$unjustified" ] || echo "$unjustified" | diag
tap_ok "[ -z \"\$unjustified\" ]" "every lintian override in debian/ has a comment"

# --- image ---------------------------------------------------------------
img=linux-image-$krel
files "$img" >"$t/img"
for f in /boot/vmlinuz-$krel /boot/System.map-$krel /boot/config-$krel \
	 /lib/modules/$krel/modules.order /lib/modules/$krel/modules.builtin; do
	tap_ok "grep -qx '$f' '$t/img'" "$img contains $f"
done
tap_ok "! grep -qE '/lib/modules/$krel/(modules\\.dep|modules\\.alias|build|source)\$' '$t/img'" \
	"$img has no depmod output and no build/source link"
nko=$(grep -c '\.ko$' "$t/img")
tap_ok "[ $nko = \$(dpkg-deb --fsys-tarfile '$(deb "$img")' | tar -xO ./lib/modules/$krel/modules.order | wc -l) ]" \
	"$img: its $nko modules are the ones in modules.order"
dpkg-deb -e "$(deb "$img")" "$t/img-ctl"
tap_ok "grep -q 'depmod -a \"\$version\"' '$t/img-ctl/postinst' && grep -q 'linux-update-symlinks \"\$change\"' '$t/img-ctl/postinst' && grep -q /etc/kernel/postinst.d '$t/img-ctl/postinst'" \
	"$img postinst: depmod, linux-update-symlinks, run-parts postinst.d"
tap_ok "grep -q /etc/kernel/preinst.d '$t/img-ctl/preinst' && grep -q /etc/kernel/prerm.d '$t/img-ctl/prerm' && grep -q 'linux-update-symlinks remove' '$t/img-ctl/postrm' && grep -q /etc/kernel/postrm.d '$t/img-ctl/postrm'" \
	"$img preinst/prerm/postrm: run-parts and linux-update-symlinks remove"

# /proc/version: decompress the bzImage with the headers' extract-vmlinux
mkdir -p "$t/img-x" "$t/hdr-x"
dpkg-deb -x "$(deb "$img")" "$t/img-x"
dpkg-deb -x "$(deb "linux-headers-$krel")" "$t/hdr-x"
hdr=$t/hdr-x/usr/src/linux-headers-$krel
procver=$("$hdr/scripts/extract-vmlinux" "$t/img-x/boot/vmlinuz-$krel" 2>/dev/null |
	  strings | grep -m1 "^Linux version $krel ")
echo "# $procver"
tap_ok "[[ \"\$procver\" == *'(devel@linux-aioring.invalid)'*'linux-aioring $version ('* ]]" \
	"/proc/version names linux-aioring $version"

# --- headers -------------------------------------------------------------
h=linux-headers-$krel
files "$h" >"$t/hdr"
for f in .config Module.symvers Makefile scripts/module.lds include/generated/autoconf.h \
	 include/generated/utsrelease.h arch/x86/include/generated/asm/syscalls_64.h; do
	tap_ok "grep -qx '/usr/src/$h/$f' '$t/hdr'" "$h contains $f"
done
progs=(scripts/sign-file scripts/mod/modpost scripts/basic/fixdep)
grep -q '^CONFIG_MODVERSIONS=y' "$hdr/.config" && progs+=(scripts/genksyms/genksyms)
grep -q '^CONFIG_OBJTOOL=y' "$hdr/.config" && progs+=(tools/objtool/objtool)
for f in "${progs[@]}"; do
	tap_ok "[ -x '$hdr/$f' ] && file -b '$hdr/$f' | grep -q ELF" "$h contains the built $f"
done
tap_ok "[ \"\$(readlink '$t/hdr-x/lib/modules/$krel/build')\" = /usr/src/$h ]" \
	"/lib/modules/$krel/build -> /usr/src/$h"
tap_ok "[ \"\$(cat '$hdr/include/config/kernel.release')\" = $krel ]" "kernel.release of the headers is $krel"
tap_ok "! grep -qE 'signing_key\\.(pem|priv)|\\.o\$|/\\.[^/]*\\.cmd\$' '$t/hdr'" \
	"$h holds no private key, no object and no .cmd file"
tap_ok "grep -q '^CC.*= \$(CROSS_COMPILE)gcc-12\$' '$hdr/Makefile'" "the headers' Makefile builds with gcc-12"
dpkg-deb -e "$(deb "$h")" "$t/hdr-ctl"
tap_ok "grep -q 'run-parts.*' '$t/hdr-ctl/postinst' && grep -q /etc/kernel/header_postinst.d '$t/hdr-ctl/postinst'" \
	"$h postinst runs /etc/kernel/header_postinst.d"

# An out-of-tree module builds against the unpacked headers alone, with
# the pinned compiler (no "compiler differs" warning) and the release's
# vermagic.
mkdir -p "$t/hello"
cat >"$t/hello/hello.c" <<'EOF'
#include <linux/module.h>
#include <linux/init.h>
static int __init hello_init(void) { pr_info("hello\n"); return 0; }
static void __exit hello_exit(void) { }
module_init(hello_init);
module_exit(hello_exit);
MODULE_LICENSE("GPL");
EOF
echo 'obj-m := hello.o' >"$t/hello/Kbuild"
make -C "$hdr" M="$t/hello" modules >"$t/hello.log" 2>&1
rc=$?
[ $rc = 0 ] || diag <"$t/hello.log"
tap_ok "[ $rc = 0 ] && [ -f '$t/hello/hello.ko' ]" "an out-of-tree module builds against the unpacked $h"
tap_ok "! grep -q 'compiler differs' '$t/hello.log'" "it is built with the kernel's compiler"
vermagic=$(modinfo -F vermagic "$t/hello/hello.ko" 2>/dev/null)
tap_ok "[[ '$vermagic' == '$krel '* ]]" "its vermagic is '$vermagic'"

# --- files of other packages ----------------------------------------------
for p in "${packages[@]}"; do files "$p"; done | grep -v '/$' | sort >"$t/all"
if dpkg-query -W linux-libc-dev >/dev/null 2>&1; then
	dpkg-query -L linux-libc-dev | sort >"$t/libc-dev"
	clash=$(comm -12 "$t/all" "$t/libc-dev")
	tap_ok "[ -z '$clash' ]" "no file of linux-libc-dev in any package${clash:+: $clash}"
else
	echo "ok $((tap_n += 1)) - no file of linux-libc-dev in any package # SKIP linux-libc-dev not installed"
fi
owners=$(for p in "${packages[@]}"; do files "$p" | grep -qx /usr/include/aioring.h && echo "$p"; done | paste -sd' ')
tap_ok "[ '$owners' = libaioring-dev ]" "/usr/include/aioring.h is only in libaioring-dev ($owners)"
tap_ok "files libaioring1 | grep -q '/libaioring\\.so\\.1\$' && ! files libaioring1 | grep -q '/libaioring\\.so\$'" \
	"libaioring1 has libaioring.so.1 and not the development link"
tap_ok "dpkg-deb -I '$(deb libaioring1)' symbols | grep -q '^ aioring_init@AIORING_1.0 '" \
	"libaioring1 ships a symbols file"

# --- relations ------------------------------------------------------------
tap_ok "field linux-image-aioring-amd64 Depends | grep -qF 'linux-image-$krel (= $version)'" \
	"linux-image-aioring-amd64 depends on linux-image-$krel (= $version)"
tap_ok "field linux-headers-aioring-amd64 Depends | grep -qF 'linux-headers-$krel (= $version)'" \
	"linux-headers-aioring-amd64 depends on linux-headers-$krel (= $version)"
tap_ok "field $h Depends | tr ',' '\\n' | grep -qx ' *gcc-12'" "$h depends on gcc-12 ($(field "$h" Depends))"
tap_ok "field $img Depends | grep -q 'linux-base (>= 4.3~)' && field $img Depends | grep -q kmod" \
	"$img depends on kmod and linux-base (>= 4.3~)"
fio_dep=$(field fio-engine-aio-ring Depends | tr ',' '\n' | sed -n 's/^ *fio (= \(.*\))$/\1/p')
tap_ok "[ -n '$fio_dep' ] && [ '$fio_dep' = '$(dpkg-query -W -f='${Version}' fio 2>/dev/null)' ]" \
	"fio-engine-aio-ring depends on fio (= $fio_dep), the installed fio"

# --- source package ---------------------------------------------------------
dsc=$(find "$dir" -maxdepth 1 -name '*.dsc' | sort | head -n 1)
if [ -n "$dsc" ]; then
	tap_ok "dpkg-source -x '$dsc' '$t/src' >/dev/null 2>&1 && [ -x '$t/src/debian/rules' ] && [ -f '$t/src/fio/fio.h' ] && [ -f '$t/src/kernel/patches/series' ]" \
		"${dsc##*/} unpacks with the fio component and the patch series"
else
	echo "ok $((tap_n += 1)) - source package unpacks # SKIP no .dsc (binary-only build)"
fi

tap_done
