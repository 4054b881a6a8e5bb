#!/bin/bash
# Check the Debian packages that 'make deb' wrote for a base, as TAP:
#
#   [BASE=bookworm|trixie] tests/pkg/check-debs.sh [DIR]
#        (default PKG/deb: build/pkg/deb, or build/BASE/pkg/deb)
#
# Packages of another Debian release than this machine's are checked
# with that release's tools where they must run: the out-of-tree module
# and the Build-Depends in the build root of build-debs.sh.
#
# - lintian on the .changes (source and binaries) reports no error and no
#   warning (initial-upload-closes-no-bugs suppressed: the packages are
#   not uploaded to Debian), each override in debian/ carries a comment
#   saying why, and no package ships an override of that tag;
# - contents: the image has vmlinuz, System.map, config and modules.order
#   (no depmod output, no build link) and its /proc/version string names
#   the project and the package version; the headers tree has .config,
#   Module.symvers, the built host programs (sign-file, modpost, fixdep,
#   objtool), scripts/module.lds and the build link, but no signing key;
#   no package ships a file of linux-libc-dev; aioring.h is only in
#   libaioring-dev; the kernel packages carry Debian's copyright file of
#   the kernel; no module-signing private key is left in the build trees;
# - relations: the metapackages depend on the exact ABI packages, the
#   headers on the base's compiler (DEBIAN_GCC), the fio engine on fio
#   (= the fio of the build; a build without the engine is a SKIP),
#   the image has the relations of Debian's linux-image-ABI-amd64;
# - the apt repository is signed with the same key twice in a row;
# - the source package (when a .dsc is there) carries Debian's kernel
#   tarball as orig-linux with the pinned sha256, unpacks (dpkg-source -x)
#   with linux/, fio/ and an up-to-date debian/control, and its
#   Build-Depends are met on this machine.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tap.sh"
case ${1:-} in -h|--help) sed -n '2,/^set -u/{/^set -u/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;; esac
# shellcheck source=kernel/scripts/base.sh
. "$top/kernel/scripts/base.sh"
export BASE
dir=$(realpath -m "${1:-$base_build/pkg/deb}")
krel=$DEBIAN_ABI-$FLAVOUR
version=$(dpkg-parsechangelog -l "$base_changelog" -S Version)
# under the work tree: the build root sees it at the same path
mkdir -p "$top/build/tmp"
t=$(mktemp -d "$top/build/tmp/check-debs.XXXXXX")
trap 'rm -rf "$t"' EXIT
# the build root of another release (debian/bin/build-root.sh, cached)
root=
if [ "$DEBIAN_SUITE" != "$host_suite" ]; then
	root=$(BASE=$BASE "$top/debian/bin/build-root.sh" 2>/dev/null) ||
		{ echo "Bail out! no $DEBIAN_SUITE build root to check its packages in"; exit 1; }
fi
# here or in the build root (in the current directory when the root sees
# it: under the work tree)
native() {
	local d=$PWD
	case $d/ in "$top"/*) ;; *) d=$top ;; esac
	if [ -n "$root" ]; then
		"$top/debian/bin/in-build-root.sh" "$root" "$d" "$@"
	else
		"$@"
	fi
}
# the fio the engine was built for (build-debs.sh's build-info.txt)
fio_built=$(awk '{ print $4 }' "$dir/build-info.txt" 2>/dev/null)

deb() {	# PACKAGE -> path of its .deb in $dir
	local f
	for f in "$dir/$1_${version#*:}_"*.deb; do
		[ -f "$f" ] && echo "$f" && return
	done
}
field() { dpkg-deb -f "$(deb "$1")" "$2" 2>/dev/null; }
files() { dpkg-deb -c "$(deb "$1")" | awk '{ sub(/^\./, "", $6); print $6 }'; }
diag() { sed 's/^/# /'; }

changes=$(find "$dir" -maxdepth 1 -name '*.changes' | sort | sed -n 1p)
if [ -z "$changes" ]; then
	echo "1..0 # SKIP no .changes in $dir (make deb PKG_PROFILE=vm first)"
	exit 77
fi

packages=("linux-image-$krel" "linux-headers-$krel" linux-image-aioring-amd64
	  linux-headers-aioring-amd64 libaioring2 libaioring-dev aioring-tools)
if [ "$fio_built" = none ]; then
	echo "ok $((tap_n += 1)) - package fio-engine-aio-ring was built # SKIP the archive did not offer the source of the build's fio"
else
	packages+=(fio-engine-aio-ring)
fi
for p in "${packages[@]}"; do
	tap_ok "[ -n '$(deb "$p")' ]" "package $p was built"
done
tap_ok "[ -z '$(find "$dir" -maxdepth 1 -name 'linux-libc-dev_*')' ]" "no package is named linux-libc-dev"

# --- lintian ------------------------------------------------------------
# Linting the orig-linux component (Debian's own 1.4 GB tree, checked by
# its sha256 below) takes lintian tens of minutes: by default the source
# package is linted without it, from a copy of the .dsc that does not
# list it (so debian/copyright's linux/* stanza matches nothing there).
# AIORING_LINT_FULL_SOURCE=1 (make release-check) lints it all.
lint_what=("$changes") suppress=initial-upload-closes-no-bugs
if [ "${AIORING_LINT_FULL_SOURCE:-0}" != 1 ] &&
   src_dsc=$(find "$dir" -maxdepth 1 -name '*.dsc' | sed -n 1p) && [ -n "$src_dsc" ]; then
	mkdir -p "$t/lint"
	for f in "$dir"/*; do
		case $f in *.orig-linux.tar.*|*.dsc|*.changes) ;; *) ln -s "$f" "$t/lint/" ;; esac
	done
	sed '/\.orig-linux\.tar\./d' "$src_dsc" >"$t/lint/${src_dsc##*/}"
	lint_what=("$t/lint/${src_dsc##*/}" "$t"/lint/*.deb)
	suppress=$suppress,superfluous-file-pattern
fi
lintian --fail-on error,warning --display-info \
	--suppress-tags "$suppress" "${lint_what[@]}" >"$t/lintian" 2>&1
rc=$?
diag <"$t/lintian"
tap_ok "[ $rc = 0 ]" "lintian: no error or warning on ${changes##*/}$([ ${#lint_what[@]} = 1 ] || echo ' (source without orig-linux)') ($(grep -c '^[EW]:' "$t/lintian") E/W, $(grep -c '^I:' "$t/lintian") I tags)"
# every override line (a tag) follows a comment that says why
unjustified=$(for f in "$top"/debian/*.lintian-overrides "$top"/debian/source/lintian-overrides; do
	[ -f "$f" ] || continue
	awk -v f="${f#"$top"/}" '/^#/ { why = 1; next } /^[[:space:]]*$/ { why = 0; next }
		!why { print f ": " $0 }' "$f"
done)
[ -z "$unjustified" ] || echo "$unjustified" | diag
tap_ok "[ -z \"\$unjustified\" ]" "every lintian override in debian/ has a comment"
# that tag is the lint step's business, not the users'
shipped=$(for p in "${packages[@]}"; do
	dpkg-deb --fsys-tarfile "$(deb "$p")" | tar -xO --wildcards './usr/share/lintian/overrides/*' 2>/dev/null |
		matches initial-upload-closes-no-bugs && echo "$p"
done)
tap_ok "[ -z '$shipped' ]" "no package ships an override of initial-upload-closes-no-bugs${shipped:+: $shipped}"

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
	  strings | grep "^Linux version $krel " | sed -n 1p)
echo "# $procver"
tap_ok "[[ \"\$procver\" == *'(devel@linux-aioring.invalid)'*'linux-aioring $version ('* ]]" \
	"/proc/version names linux-aioring $version"

# Debian's copyright file of the kernel, not the project's, in the
# kernel packages; the project's in the others
copyright() { dpkg-deb --fsys-tarfile "$(deb "$1")" | tar -xO "./usr/share/doc/$1/copyright" 2>/dev/null; }
copyright "$img" >"$t/img-copyright"
tap_ok "grep -q 'Linus Torvalds' '$t/img-copyright' && grep -q '^License: GPL-2\$' '$t/img-copyright' && ! grep -q '^Upstream-Name: linux-aioring' '$t/img-copyright'" \
	"$img: its copyright file is the kernel's (Linus Torvalds, GPL-2), not the project's"
for p in "$img" "linux-headers-$krel" "$img-dbg"; do
	[ -n "$(deb "$p")" ] || continue
	tap_ok "copyright $p | cmp -s - '$top/debian/copyright.linux'" "$p ships debian/copyright.linux as its copyright file"
done
tap_ok "copyright aioring-tools | cmp -s - '$top/debian/copyright'" "aioring-tools ships the project's copyright file"

# The build trees of the packages keep no module-signing private key
# (pkg-kernel-build.sh deletes it once the modules are signed).
srcdir=$(dirname "$dir")/src
if [ -d "$srcdir" ]; then
	keys=$(find "$srcdir" -name 'signing_key.pem' -o -name 'signing_key.priv' 2>/dev/null | sed "s,^$srcdir/,,")
	tap_ok "[ -z '$keys' ]" "no module-signing private key left in ${srcdir#"$top"/}${keys:+: $keys}"
else
	echo "ok $((tap_n += 1)) - no module-signing private key left in the build tree # SKIP no $srcdir"
fi

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
	tap_ok "[ -x '$hdr/$f' ] && file -b '$hdr/$f' | matches ELF" "$h contains the built $f"
done
tap_ok "[ \"\$(readlink '$t/hdr-x/lib/modules/$krel/build')\" = /usr/src/$h ]" \
	"/lib/modules/$krel/build -> /usr/src/$h"
tap_ok "[ \"\$(cat '$hdr/include/config/kernel.release')\" = $krel ]" "kernel.release of the headers is $krel"
tap_ok "! grep -qE 'signing_key\\.(pem|priv)|\\.o\$|/\\.[^/]*\\.cmd\$' '$t/hdr'" \
	"$h holds no private key, no object and no .cmd file"
tap_ok "grep -q '^CC.*= \$(CROSS_COMPILE)$DEBIAN_GCC\$' '$hdr/Makefile'" "the headers' Makefile builds with $DEBIAN_GCC"
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
native make -C "$hdr" M="$t/hello" modules >"$t/hello.log" 2>&1
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
owners=$(for p in "${packages[@]}"; do files "$p" | matches -x /usr/include/aioring.h && echo "$p"; done | paste -sd' ')
tap_ok "[ '$owners' = libaioring-dev ]" "/usr/include/aioring.h is only in libaioring-dev ($owners)"
tap_ok "files libaioring2 | matches '/libaioring\\.so\\.2\$' && ! files libaioring2 | matches '/libaioring\\.so\$'" \
	"libaioring2 has libaioring.so.2 and not the development link"
tap_ok "dpkg-deb -I '$(deb libaioring2)' symbols | matches '^ aioring_init@AIORING_2.0 '" \
	"libaioring2 ships a symbols file"

# --- relations ------------------------------------------------------------
tap_ok "field linux-image-aioring-amd64 Depends | matches -F 'linux-image-$krel (= $version)'" \
	"linux-image-aioring-amd64 depends on linux-image-$krel (= $version)"
tap_ok "field linux-headers-aioring-amd64 Depends | matches -F 'linux-headers-$krel (= $version)'" \
	"linux-headers-aioring-amd64 depends on linux-headers-$krel (= $version)"
tap_ok "field $h Depends | tr ',' '\\n' | matches -x ' *$DEBIAN_GCC'" "$h depends on $DEBIAN_GCC ($(field "$h" Depends))"
tap_ok "field $img Depends | matches 'linux-base (>= 4.3~)' && field $img Depends | matches kmod" \
	"$img depends on kmod and linux-base (>= 4.3~)"
fw_field=Recommends	# Debian 13's linux-image suggests the firmware
[ "$DEBIAN_SUITE" = bookworm ] || fw_field=Suggests
tap_ok "field $img Recommends | matches apparmor && field $img $fw_field | matches firmware-linux-free" \
	"$img recommends apparmor, ${fw_field,,} firmware-linux-free ($(field "$img" Recommends); $(field "$img" Suggests))"
# Every relation of Debian's own image of the same ABI, when apt knows it
debian_img=linux-image-$DEBIAN_ABI-amd64
# (apt of the base's release: base-env.sh)
if (. "$top/kernel/scripts/base-env.sh" && base_env "$base_dir/version.env" &&
    apt-cache show "$debian_img=$DEBIAN_SOURCE_VERSION") >"$t/debian-img" 2>/dev/null; then
	for f in Depends Recommends Suggests Breaks; do
		missing=$(sed -n "s/^$f: //p" "$t/debian-img" | sed -n 1p | tr ',' '\n' | sed 's/^ *//; /^$/d' |
			while IFS= read -r rel; do
				field "$img" "$f" | tr ',' '\n' | sed 's/^ *//' | matches -xF "$rel" || echo "$rel"
			done | paste -sd';')
		tap_ok "[ -z '$missing' ]" "$img has the $f of $debian_img${missing:+ (missing: $missing)}"
	done
else
	echo "ok $((tap_n += 1)) - $img has the relations of $debian_img # SKIP apt does not know $debian_img $DEBIAN_SOURCE_VERSION"
fi
if [ "$fio_built" != none ]; then
	# shellcheck disable=SC2016 # a dpkg-query format
	fio_have=$(native dpkg-query -W -f='${Version}' fio 2>/dev/null)
	fio_dep=$(field fio-engine-aio-ring Depends | tr ',' '\n' | sed -n 's/^ *fio (= \(.*\))$/\1/p')
	tap_ok "[ -n '$fio_dep' ] && [ '$fio_dep' = '$fio_have' ] && [ '$fio_dep' = '$fio_built' ]" \
		"fio-engine-aio-ring depends on fio (= $fio_dep), the fio of the build ($fio_have; build-info.txt: $fio_built)"
fi

# --- apt repository ----------------------------------------------------------
# The archive key outlives build/: two repositories made one after the
# other (the first one removed) are signed by the same key.
mkdir -p "$t/repo-debs"
cp "$(deb libaioring2)" "$t/repo-debs/"
signer() {
	rm -rf "$t/repo"
	"$top/debian/bin/make-apt-repo.sh" "$t/repo" "$DEBIAN_SUITE=$t/repo-debs" 2>&1 | sed -n 's/.*, signed by \([0-9A-F]*\)$/\1/p'
}
fpr1=$(signer)
fpr2=$(signer)
tap_ok "[ -n '$fpr1' ] && [ '$fpr1' = '$fpr2' ]" "make-apt-repo signs with the same key twice (${fpr1:-none}, ${fpr2:-none})"

# --- source package ---------------------------------------------------------
dsc=$(find "$dir" -maxdepth 1 -name '*.dsc' | sort | sed -n 1p)
if [ -n "$dsc" ]; then
	upstream=${version#*:}
	upstream=${upstream%-*}
	tap_ok "sed -n '/^Checksums-Sha256:/,/^[^ ]/p' '$dsc' | matches -x ' $DEBIAN_SOURCE_SHA256 [0-9]* linux-aioring_$upstream.orig-linux.tar.xz'" \
		"${dsc##*/} carries Debian's kernel tarball as orig-linux (sha256 of the version file of $BASE)"
	tap_ok "! grep -E '^Build-Depends' '$dsc' | matches -E 'linux-(source|config)-'" \
		"${dsc##*/}: no linux-source or linux-config in Build-Depends"
	fio_file=fio/fio.h
	[ "$fio_built" != none ] || fio_file=debian/rules	# no fio/ component
	tap_ok "dpkg-source -x '$dsc' '$t/src' >/dev/null 2>&1 && [ -x '$t/src/debian/rules' ] && [ -f '$t/src/$fio_file' ] && [ -f '$t/src/linux/Makefile' ] && [ -f '$t/src/$(realpath --relative-to="$top" "$base_dir")/patches/series' ]" \
		"${dsc##*/} unpacks with linux/, ${fio_file%%/*}/ and the patch series of $BASE"
	tap_ok "'$t/src/debian/bin/gencontrol.sh' --check" "its debian/control and scripts are generated for the version file of $BASE"
	tap_ok "(cd '$t/src' && native dpkg-checkbuilddeps)" \
		"its Build-Depends are met $([ -n "$root" ] && echo "in the $DEBIAN_SUITE build root" || echo "on this machine")"
else
	echo "ok $((tap_n += 1)) - source package unpacks # SKIP no .dsc (binary-only build)"
fi

tap_done
