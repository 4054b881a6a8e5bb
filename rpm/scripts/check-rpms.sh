#!/bin/bash
# Check the RPMs of a base (made by 'make rpm [BASE=...]'), as TAP:
#   - every package is there; rpmlint with rpm/rpmlintrc reports nothing;
#   - relations: kernel-uname-r, kernel-devel-uname-r, the metapackages on
#     their ABI's packages, the exact fio of the engine, -devel on -libs;
#     no package named or owning the files of kernel / kernel-headers;
#   - the kernel scriptlets call depmod and kernel-install, which are
#     required in their phases;
#   - the kernel package is not install-only and upgrades an older build
#     of its ABI (check-kernel-upgrade.sh); no module signing key is left
#     in the build tree;
#   - contents: the files each package must hold, and nothing outside the
#     places it may write;
#   - install: all RPMs into a scratch root (rpm --root, --nodeps because
#     the root holds nothing else, --noscripts because the scriptlets would
#     run depmod and kernel-install inside that empty root), then rpm -V
#     and the installed file lists against the packages; a module and a
#     libaioring client built against the installed files;
#   - the tmt plan and tests under rpm/ parse as YAML (tmt itself is not
#     packaged for Debian 12, so its own lint cannot run here).
# Never runs anything that issues io_setup2/io_ring_enter.
#
#   [BASE=...] check-rpms.sh [RPM_TOPDIR]
#       default the base's build/pkg/rpm or build/BASE/pkg/rpm
# tap_ok evaluates its condition string, where shellcheck cannot see uses.
# shellcheck disable=SC2034,SC2317
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=kernel/scripts/base.sh
. "$top/kernel/scripts/base.sh"
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"
rpmdir=$(realpath -m "${1:-$base_build/pkg/rpm}")
K=$DEBIAN_ABI-$FLAVOUR
evr=$("$top/rpm/scripts/rpm-evr.sh" "$base_dir/version.env")
version=${evr%-*}
# under the work tree: a build root sees it at the same path
mkdir -p "$top/build/tmp"
work=$(mktemp -d "$top/build/tmp/check-rpms.XXXXXX")
trap 'rm -rf "$work"' EXIT

note() { sed 's/^/# /'; }
# the kernel and its build tree under names with the ABI, their metapackages
kpkg=kernel-aioring-$DEBIAN_ABI
# the names in extended regular expressions: Debian 13's ABI has a '+'
ere() { sed 's/[][\.*^$+?(){}|]/\\&/g' <<<"$1"; }
K_re=$(ere "$K") kpkg_re=$(ere "$kpkg")
pkgs=(kernel-aioring kernel-aioring-devel "$kpkg" "$kpkg-devel" aioring-tools
      aioring-libs aioring-devel fio-engine-aio-ring)
srpms=(kernel-aioring aioring-tools)

# The newest RPM of NAME (several releases may lie in RPMS).
rpm_of() {
	local f best=
	for f in "$rpmdir"/RPMS/*/"$1"-"$version"-*.rpm "$rpmdir"/SRPMS/"$1"-"$version"-*.src.rpm; do
		[ -f "$f" ] || continue
		case $2 in
		bin) [ "${f%.src.rpm}" != "$f" ] && continue ;;
		src) [ "${f%.src.rpm}" = "$f" ] && continue ;;
		esac
		[ "$(rpm -qp --qf '%{NAME}' "$f" 2>/dev/null)" = "$1" ] || continue
		[ -z "$best" ] || [ "$f" -nt "$best" ] && best=$f
	done
	echo "$best"
}

declare -A file
for p in "${pkgs[@]}"; do
	file[$p]=$(rpm_of "$p" bin)
	tap_ok "[ -n '${file[$p]}' ]" "$p: binary RPM built ${file[$p]#"$rpmdir"/}"
done
for p in "${srpms[@]}"; do
	file[$p.src]=$(rpm_of "$p" src)
	tap_ok "[ -n '${file[$p.src]}' ]" "$p: source RPM built ${file[$p.src]#"$rpmdir"/}"
done
all=()
for f in "${file[@]}"; do
	[ -n "$f" ] && all+=("$f")
done
if [ ${#all[@]} != $((${#pkgs[@]} + ${#srpms[@]})) ]; then
	echo "# RPMs missing: run 'make rpm PKG_PROFILE=vm' first"
	tap_done
fi

# --- rpmlint --------------------------------------------------------------
# Every E: and W: line counts: the filters in rpm/rpmlintrc say why a
# message does not apply.
if command -v rpmlint >/dev/null; then
	# (the source RPMs bring their specs)
	rpmlint -c "$top/rpm/rpmlint.toml" -r "$top/rpm/rpmlintrc" "${all[@]}" >"$work/lint" 2>&1
	grep -E ': [EW]: ' "$work/lint" >"$work/lint.msgs"
	note <"$work/lint.msgs"
	tap_ok "[ ! -s '$work/lint.msgs' ]" "rpmlint -c rpm/rpmlint.toml -r rpm/rpmlintrc: no errors, no warnings ($(tail -n1 "$work/lint"))"
else
	echo "ok $((++tap_n)) # SKIP rpmlint not installed"
fi

# --- relations --------------------------------------------------------------
q() { rpm -qp "$@" 2>/dev/null; }
has() { grep -qxF -- "$2" <<<"$(q "$1" "${file[$3]}")"; }
tap_ok "has --provides 'kernel-uname-r = $K' $kpkg" "$kpkg provides kernel-uname-r = $K"
tap_ok "has --provides 'kernel-devel-uname-r = $K' $kpkg-devel" "$kpkg-devel provides kernel-devel-uname-r = $K"
# uname -r has no package release: two install-only builds of one ABI
# would both own /lib/modules/K (rpm/README)
tap_ok "! (for f in \"\${all[@]}\"; do q --provides \"\$f\"; done | matches '^installonlypkg(')" \
	"no package is install-only (installonlypkg): a new build of one ABI upgrades the old one"
tap_ok "has --requires '$kpkg = $evr' kernel-aioring" "kernel-aioring requires $kpkg = $evr (the metapackage pulls in its own build)"
tap_ok "has --requires '$kpkg-devel = $evr' kernel-aioring-devel" "kernel-aioring-devel requires $kpkg-devel = $evr"
# The scriptlets' commands, in the phases they run in (Fedora's
# kernel.spec): without them rpm may order kernel-install or dracut after
# the kernel in one transaction.
reqs=$(q --qf '[%{REQUIREFLAGS:deptype} %{REQUIRENAME}\n]' "${file[$kpkg]}")
for r in 'pre /usr/bin/kernel-install' 'pre dracut' 'post kmod' 'preun /usr/bin/kernel-install'; do
	tap_ok "grep -qxF '$r' <<<\"\$reqs\"" "$kpkg: Requires(${r% *}): ${r#* }"
done
fio_ver=$(dpkg-query -W -f='${Version}' fio 2>/dev/null || echo none)
fio_ver=${fio_ver%-*}
tap_ok "has --requires 'fio = $fio_ver' fio-engine-aio-ring" "fio-engine-aio-ring requires fio = $fio_ver (the fio it was built against)"
tap_ok "has --requires 'aioring-libs(x86-64) = $(q --qf '%{VERSION}-%{RELEASE}' "${file[aioring-libs]}")' aioring-devel" \
	"aioring-devel requires the same aioring-libs"
names=$(for f in "${all[@]}"; do q --qf '%{NAME}\n' "$f"; done)
tap_ok "! grep -qxE 'kernel|kernel-headers|kernel-devel|kernel-core' <<<\"\$names\"" \
	"no package is named kernel, kernel-headers, kernel-devel or kernel-core"
tap_ok "! (for f in \"\${all[@]}\"; do q -l \"\$f\"; done | matches -E '^/usr/include/(linux|asm|asm-generic)/')" \
	"no package owns kernel-headers' files (/usr/include/linux, asm, asm-generic)"
tap_ok "! (for f in \"\${all[@]}\"; do q --provides \"\$f\"; done | matches -E '^(kernel-headers|kernel)( |$)')" \
	"no package provides kernel or kernel-headers"

scripts=$(q --scripts "${file[$kpkg]}")
tap_ok "grep -qE 'depmod -a $K_re' <<<\"\$scripts\"" "$kpkg %post runs depmod -a $K"
tap_ok "grep -qF 'kernel-install add $K /lib/modules/$K/vmlinuz' <<<\"\$scripts\"" \
	"$kpkg %posttrans runs kernel-install add $K /lib/modules/$K/vmlinuz"
tap_ok "grep -qF 'kernel-install remove $K' <<<\"\$scripts\"" "$kpkg %preun runs kernel-install remove $K"
tap_ok "[ -z \"\$(q --scripts '${file[kernel-aioring]}' '${file[kernel-aioring-devel]}')\" ]" \
	"the metapackages have no scriptlets"

# Two builds of one ABI, two ABIs: rpm transactions with stand-ins.
"$top/rpm/scripts/check-kernel-upgrade.sh" "${file[$kpkg]}" >"$work/upgrade.tap" 2>&1
note <"$work/upgrade.tap"
tap_ok "! grep -q '^not ok\|^Bail out' '$work/upgrade.tap' && grep -q '^1\.\.' '$work/upgrade.tap'" \
	"check-kernel-upgrade.sh: $kpkg upgrades an older build of its ABI and stays next to another ABI's kernel"
# pkg-kernel-build.sh removes the key kbuild made; -devel must not carry it
# either (below).
left=$(find "$rpmdir/BUILD" \( -name signing_key.pem -o -name signing_key.priv \) -print 2>/dev/null | sed -n 1,3p)
tap_ok "[ -z '$left' ]" "no module signing key is left in the rpm build tree${left:+ (found: $left)}"

# --- contents -------------------------------------------------------------
# need PKG PATH...: each path is in the package's file list.
need() {
	local p=$1 f miss=()
	shift
	q -l "${file[$p]}" >"$work/$p.list"
	for f in "$@"; do
		grep -qxF -- "$f" "$work/$p.list" || miss+=("$f")
	done
	tap_ok "[ ${#miss[@]} = 0 ]" "$p holds ${*##*/}${miss[*]:+ (missing: ${miss[*]})}"
}
# only PKG REGEX: every file of the package matches REGEX.
only() {
	local stray
	stray=$(q -l "${file[$1]}" | grep -vE "$2" | sed -n 1,5p)
	tap_ok "[ -z '$stray' ]" "$1 installs only below its own places${stray:+ (stray: $stray)}"
}
kd=/usr/src/kernels/$K
need "$kpkg" "/lib/modules/$K/vmlinuz" "/lib/modules/$K/System.map" \
	"/lib/modules/$K/config" "/boot/vmlinuz-$K" "/boot/initramfs-$K.img" \
	"/lib/modules/$K/modules.order" "/lib/modules/$K/kernel" "/lib/modules/$K/symvers.gz" \
	"/usr/share/licenses/$kpkg/COPYING" "/usr/share/licenses/$kpkg/copyright.debian"
only "$kpkg" "^(/lib/modules/$K_re(/.*)?|/boot/(vmlinuz|System\.map|config|initramfs)-$K_re(\.img)?|/usr/share/licenses/$kpkg_re(/.*)?)$"
ghosts=$(rpm -qp --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' "${file[$kpkg]}" | awk '$1 ~ /g/ {print $2}')
tap_ok "grep -qxF /boot/vmlinuz-$K <<<\"\$ghosts\" && grep -qxF /lib/modules/$K/modules.dep <<<\"\$ghosts\"" \
	"$kpkg: /boot files and depmod's modules.dep are %ghost"
# Debian's copyright file of the kernel (debian/copyright.linux), whole
tap_ok "rpm2cpio '${file[$kpkg]}' | cpio -i --quiet --to-stdout ./usr/share/licenses/$kpkg/copyright.debian 2>/dev/null | cmp -s - '$top/debian/copyright.linux'" \
	"$kpkg carries debian/copyright.linux as %license"
tap_ok "[ -z \"\$(q -l '${file[kernel-aioring]}' '${file[kernel-aioring-devel]}' | grep -v '^(contains no files)$')\" ]" \
	"the metapackages hold no files"
need "$kpkg-devel" "$kd/.config" "$kd/Module.symvers" "$kd/Makefile" \
	"$kd/scripts/module.lds" "$kd/scripts/mod/modpost" \
	"$kd/tools/objtool/objtool" "$kd/include/generated/utsrelease.h" \
	"$kd/include/config/auto.conf" "/lib/modules/$K/build" \
	"/usr/share/licenses/$kpkg-devel/COPYING" "/usr/share/licenses/$kpkg-devel/copyright.debian"
# sign-file is built (and needed, by DKMS) only for a kernel that signs
# its modules.
rpm2cpio "${file[$kpkg-devel]}" | (cd "$work" && cpio -id --quiet ".$kd/.config")
if grep -q '^CONFIG_MODULE_SIG=y' "$work$kd/.config" 2>/dev/null; then
	need "$kpkg-devel" "$kd/scripts/sign-file"
else
	echo "ok $((++tap_n)) # SKIP $kpkg-devel: the packaged kernel does not sign modules (CONFIG_MODULE_SIG off), so no scripts/sign-file"
fi
only "$kpkg-devel" "^($(ere "$kd")(/.*)?|/lib/modules/$K_re/(build|source)|/usr/share/licenses/$kpkg_re-devel(/.*)?)$"
tap_ok "! q -l '${file[$kpkg-devel]}' | matches -E 'signing_key\.(pem|priv)$'" \
	"$kpkg-devel does not ship the module signing key"
need aioring-tools /usr/bin/aioring-bench /usr/share/man/man1/aioring-bench.1.gz \
	/usr/share/man/man2/io_setup2.2.gz /usr/share/man/man2/io_ring_enter.2.gz
only aioring-tools '^(/usr/bin/aioring-bench|/usr/share/man/man[12]/.*|/usr/lib/\.build-id(/.*)?)$'
need aioring-libs /usr/lib64/libaioring.so.2 /usr/lib64/libaioring.so.2.0.0
only aioring-libs '^(/usr/lib64/libaioring\.so\.2(\.[0-9.]+)?|/usr/lib/\.build-id(/.*)?)$'
need aioring-devel /usr/include/aioring.h /usr/lib64/libaioring.so /usr/lib64/libaioring.a \
	/usr/lib64/pkgconfig/aioring.pc /usr/share/man/man3/libaioring.3.gz \
	/usr/share/man/man3/aioring_init.3.gz /usr/share/man/man3/aioring_exit.3.gz
only aioring-devel '^(/usr/include/aioring\.h|/usr/lib64/(libaioring\.(so|a)|pkgconfig/aioring\.pc)|/usr/share/man/man3/(libaioring|aioring_[a-z0-9_]+)\.3\.gz)$'
need fio-engine-aio-ring /usr/lib64/aioring/fio-aioring.so
only fio-engine-aio-ring '^(/usr/lib64/aioring(/fio-aioring\.so)?|/usr/lib/\.build-id(/.*)?)$'

# --- install into a scratch root --------------------------------------------
root=$work/root
bins=()
for p in "${pkgs[@]}"; do bins+=("${file[$p]}"); done
rpm --root "$root" --initdb
tap_ok "rpm --root '$root' --nodeps --noscripts -i ${bins[*]} >'$work/install.log' 2>&1" \
	"rpm --root SCRATCH --nodeps --noscripts -i: all ${#bins[@]} RPMs install"
note <"$work/install.log"
tap_ok "[ \"\$(rpm --root '$root' -qa --qf '%{NAME}\n' | sort)\" = \"\$(printf '%s\n' ${pkgs[*]} | sort)\" ]" \
	"the scratch root's rpm database holds exactly the ${#pkgs[@]} packages"
rpm --root "$root" -Va --nodeps --noscripts >"$work/verify" 2>&1
note <"$work/verify"
tap_ok "[ ! -s '$work/verify' ]" "rpm -V: every installed file has its packaged size, digest, mode and owner"
for p in "${pkgs[@]}"; do
	rpm --root "$root" -ql "$p" >"$work/$p.installed" 2>&1
	tap_ok "cmp -s '$work/$p.installed' <(q -l '${file[$p]}')" "$p: installed file list is the package's"
done
missing=$(rpm --root "$root" -qa --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' |
	awk '$1 !~ /g/ {print $2}' | while read -r f; do
		[ -e "$root$f" ] || [ -L "$root$f" ] || echo "$f"
	done | sed -n 1,5p)
tap_ok "[ -z '$missing' ]" "every non-%ghost file is in the scratch root${missing:+ (missing: $missing)}"
tap_ok "[ \"\$(readlink '$root/lib/modules/$K/build')\" = '$kd' ] && [ -f '$root$kd/Makefile' ]" \
	"/lib/modules/$K/build points at $kd"
# K has three '-' where an RPM version has one (see the spec): the
# provides are recorded verbatim and found by name; rpm 4.18 does not
# match a versioned query ('kernel-uname-r = K') against them.
tap_ok "[ \"\$(rpm --root '$root' -q --qf '%{NAME}' --whatprovides kernel-uname-r)\" = $kpkg ]" \
	"rpm -q --whatprovides kernel-uname-r finds $kpkg"
tap_ok "[ \"\$(rpm --root '$root' -q --qf '%{NAME}' --whatprovides kernel-devel-uname-r)\" = $kpkg-devel ]" \
	"rpm -q --whatprovides kernel-devel-uname-r finds $kpkg-devel"
# what rpm/tests/boot/boot.sh asks (a versioned kernel-uname-r query finds
# nothing in rpm 4.18, see the spec)
tap_ok "[ \"\$(rpm --root '$root' -q --qf '%{NAME}' -f '/lib/modules/$K/vmlinuz')\" = $kpkg ]" \
	"rpm -qf /lib/modules/$K/vmlinuz names $kpkg"

# A trivial module against the installed -devel tree (relocated into the
# scratch root: the tree must not refer to the build directory), built by
# the tree's "gcc": the system compiler of an RPM system, which must be
# the kernel's (gcc 14 for 6.12, as on EL10): for a base of another Debian
# release than this machine's, gcc of a root of that release
# (debian/bin/build-root.sh).
if grep -q '^CONFIG_MODULES=y' "$root$kd/.config" 2>/dev/null; then
	in_root=()
	if [ "$DEBIAN_SUITE" != "$host_suite" ]; then
		build_root=$(BASE=$BASE "$top/debian/bin/build-root.sh" 2>/dev/null) ||
			{ echo "Bail out! no $DEBIAN_SUITE build root to build a module in"; exit 1; }
		in_root=("$top/debian/bin/in-build-root.sh" "$build_root" "$top")
	fi
	mkdir -p "$work/mod"
	cat >"$work/mod/hello.c" <<-'EOF'
	#include <linux/module.h>
	static int __init hello_init(void) { return 0; }
	static void __exit hello_exit(void) { }
	module_init(hello_init);
	module_exit(hello_exit);
	MODULE_LICENSE("GPL");
	EOF
	echo 'obj-m := hello.o' >"$work/mod/Kbuild"
	"${in_root[@]}" make -C "$root$kd" M="$work/mod" modules >"$work/mod.log" 2>&1
	note <"$work/mod.log"
	tap_ok "[ -f '$work/mod/hello.ko' ] && modinfo -F vermagic '$work/mod/hello.ko' | matches -E '^$K_re '" \
		"a module builds against $kpkg-devel, vermagic $K"
else
	echo "ok $((++tap_n)) # SKIP the packaged kernel has CONFIG_MODULES off: no module build test"
fi

# libaioring as a client of the installed aioring-devel sees it (built and
# linked only: running it could reach io_setup2 on this host).
cat >"$work/client.c" <<'EOF'
#include <aioring.h>
/* a library call is referenced (so the program links libaioring.so.2),
 * never made */
int (*volatile init_fn)() = (int (*)())aioring_init;
int main(void) { return __NR_io_setup2 == 335 && init_fn ? 0 : 1; }
EOF
tap_ok "PKG_CONFIG_SYSROOT_DIR='$root' PKG_CONFIG_LIBDIR='$root/usr/lib64/pkgconfig' \
	gcc -o '$work/client' '$work/client.c' \$(PKG_CONFIG_SYSROOT_DIR='$root' \
	PKG_CONFIG_LIBDIR='$root/usr/lib64/pkgconfig' pkg-config --cflags --libs aioring) \
	-Wl,-rpath-link,'$root/usr/lib64' 2>'$work/client.log' &&
	readelf -d '$work/client' | matches 'NEEDED.*libaioring.so.2'" \
	"a client compiles with pkg-config aioring from the scratch root and links libaioring.so.2"
note <"$work/client.log"
tap_ok "'$root/usr/bin/aioring-bench' --help | matches -i usage" "the installed aioring-bench runs (--help)"

# --- tmt metadata -------------------------------------------------------------
fmf_files=()
while IFS= read -r f; do fmf_files+=("$f"); done < <(cd "$top" && find rpm -name '*.fmf' | sort)
tap_ok "[ -f '$top/.fmf/version' ] && [ ${#fmf_files[@]} -ge 2 ]" \
	"the source tree is an fmf tree (.fmf/version) with a plan and tests under rpm/ (${#fmf_files[@]} .fmf files)"
for f in "${fmf_files[@]}"; do
	tap_ok "python3 -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); assert isinstance(d, dict)' '$top/$f' 2>'$work/yaml.err'" \
		"$f parses as YAML (tmt is not installable here)"
	note <"$work/yaml.err"
done
# Each test's command: every word with a '/' is a script (relative to the
# test's directory) that must exist and be executable; likewise the
# scripts the plan's prepare steps name (relative to the tree's top, also
# inside "$(...)").
for f in "$top"/rpm/tests/*/main.fmf; do
	t=$(python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1])).get("test", ""))' "$f" 2>/dev/null)
	d=$(dirname "$f")
	bad=
	for w in $t; do
		case $w in */*) [ -x "$d/$w" ] || bad="$bad $w" ;; esac
	done
	tap_ok "[ -n '$t' ] && [ -z '$bad' ]" "${d#"$top"/}: test '$t' runs executables that exist${bad:+ (missing:$bad)}"
done
for f in "$top"/rpm/plans/*.fmf; do
	scripts=$(python3 -c '
import re, sys, yaml
for p in yaml.safe_load(open(sys.argv[1])).get("prepare", []):
    if p.get("how") == "shell":
        print(*re.findall(r"[\w.-]*/[\w./-]+", p["script"]))' "$f" 2>/dev/null)
	bad=
	for w in $scripts; do
		[ -x "$top/$w" ] || bad="$bad $w"
	done
	tap_ok "[ -n '$scripts' ] && [ -z '$bad' ]" "${f#"$top"/}: prepare scripts exist and are executable${bad:+ (missing:$bad)}"
done
tap_done
