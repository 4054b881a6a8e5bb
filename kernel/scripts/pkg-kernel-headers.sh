#!/bin/bash
# Install the headers tree for out-of-tree modules from a kernel built in
# tree by pkg-kernel-build.sh:
#   pkg-kernel-headers.sh SRCDIR DESTDIR
# gives DESTDIR/usr/src/linux-headers-RELEASE and the link
# DESTDIR/lib/modules/RELEASE/build -> /usr/src/linux-headers-RELEASE.
#
# The tree is self-contained (unlike Debian's split into -common, -kbuild
# and the flavour package): the kbuild makefiles, include/ and
# arch/x86/include with the generated headers, .config, Module.symvers,
# the built host programs in scripts/ (fixdep, modpost, genksyms,
# sign-file, ...) with scripts/module.lds, and tools/objtool/objtool.
# Object files, .cmd files and the module signing key stay out.
# Shared by debian/rules and the RPM spec.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
die() { echo "pkg-kernel-headers: $*" >&2; exit 1; }
[ $# = 2 ] || die "usage: $0 SRCDIR DESTDIR"
src=$(realpath "$1")
release=$("$top/kernel/scripts/pkg-kernel-build.sh" release)
compiler=$("$top/kernel/scripts/pkg-kernel-build.sh" compiler)
dest=$(realpath -m "$2")/usr/src/linux-headers-$release
if [ ! -f "$src/Module.symvers" ] || [ ! -f "$src/scripts/mod/modpost" ]; then
	die "$src holds no built kernel (run pkg-kernel-build.sh build first)"
fi

enabled() { grep -q "^$1=y" "$src/.config"; }

list_files() {
	cd "$src"
	# kbuild makefiles and Kconfig files of the whole tree except other
	# architectures and the userspace tools
	find . \( -path ./arch -o -path ./tools -o -path ./Documentation \
		  -o -path ./debian \) -prune -o \
	       \( -name 'Makefile*' -o -name 'Kbuild*' -o -name 'Kconfig*' \) -type f -print
	find arch -maxdepth 1 -name 'Kconfig*' -type f
	find arch/x86 \( -name 'Makefile*' -o -name 'Kbuild*' -o -name 'Kconfig*' \
			 -o -name Platform \) -type f
	# headers (with the generated ones) and the kbuild scripts with the
	# built host programs
	# (scripts/atomic generates in-tree headers only; its fragments are
	# executable but not scripts)
	find include scripts arch/x86/include \( -type f -o -type l \) \
		! -path 'scripts/atomic/*' ! -name '*.o' ! -name '*.cmd' ! -name '*.a' ! -name '.*.d' ! -name .gitignore
	echo Module.symvers
	echo .config
	if enabled CONFIG_OBJTOOL; then
		echo tools/objtool/objtool
	fi
}

rm -rf "$dest"
mkdir -p "$dest"
list_files | sort -u | tar -C "$src" -c --no-recursion -T - -f - | tar -C "$dest" -x -f -

[ -f "$dest/scripts/module.lds" ] || die "scripts/module.lds missing from the built tree"
for f in scripts/basic/fixdep scripts/mod/modpost; do
	[ -x "$dest/$f" ] || die "$f missing from the built tree"
done
! enabled CONFIG_MODULE_SIG_FORMAT || [ -x "$dest/scripts/sign-file" ] ||
	die "scripts/sign-file missing from the built tree"
! enabled CONFIG_OBJTOOL || [ -x "$dest/tools/objtool/objtool" ] ||
	die "tools/objtool/objtool missing from the built tree"
rm -f "$dest/certs/signing_key.pem" "$dest/certs/signing_key.x509"

# What an out-of-tree build reads: the package's release (the in-tree
# build wrote the Makefile's version here) and the pinned compiler as
# the default CC, so 'make M=...' uses the compiler the kernel was built
# with, as Debian's headers do through linux-compiler-gcc-N-x86.
echo "$release" >"$dest/include/config/kernel.release"
sed -i -e "s/^CC\t\t= \$(CROSS_COMPILE)gcc\$/CC\t\t= \$(CROSS_COMPILE)$compiler/" \
       -e "s/^HOSTCC\t= gcc\$/HOSTCC\t= $compiler/" "$dest/Makefile"
grep -q "^CC.*$compiler\$" "$dest/Makefile" || die "could not pin CC=$compiler in the Makefile"

mkdir -p "$(realpath -m "$2")/lib/modules/$release"
ln -sfn "/usr/src/linux-headers-$release" "$(realpath -m "$2")/lib/modules/$release/build"
echo "pkg-kernel-headers: $(find "$dest" -type f | wc -l) files, $(du -sh "$dest" | cut -f1) in ${dest#"$(realpath -m "$2")"}"
