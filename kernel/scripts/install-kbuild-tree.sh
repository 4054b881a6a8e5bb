#!/bin/bash
# Copy what building out-of-tree modules needs from a kernel built in tree
# (make bzImage modules, no O=) into DEST: the tree behind
# /lib/modules/K/build of the headers/devel packages
# (Debian: /usr/src/linux-headers-K, RPM: /usr/src/kernels/K).
#
#   install-kbuild-tree.sh KERNEL_TREE DEST
#
# DEST gets .config, Module.symvers, System.map, the Makefiles and Kconfig
# files, include/, arch/x86 (Makefiles, include/, generated headers),
# scripts/ with its built programs (fixdep, modpost, sign-file...) and
# scripts/module.lds, and tools/objtool/objtool. Object files and .cmd
# files are left out: an external module build runs the built programs,
# it never rebuilds them. The private module signing key is never copied.
# The result is checked: a missing piece fails here, not in a user's build.
set -euo pipefail

die() { echo "install-kbuild-tree: $*" >&2; exit 1; }

[ $# = 2 ] || die "usage: install-kbuild-tree.sh KERNEL_TREE DEST"
tree=$1
dest=$2
arch=x86
cd "$tree"
if [ ! -f .config ] || [ ! -f include/config/kernel.release ]; then
	die "$tree is not a configured and built kernel tree"
fi
enabled() { grep -q "^$1=y" .config; }

# Sources: every Makefile/Kconfig (Kbuild reads the ones of the tree it
# descends into), the headers, and the arch glue.
src_files() {
	find . -path ./tools -prune -o -path ./Documentation -prune -o \
	     \( -name 'Makefile*' -o -name 'Kconfig*' -o -name Kbuild \) -type f -print
	find include scripts -type f
	find "arch/$arch" \( -name include -o -name scripts \) -type d \
	     -exec find {} -type f \;
	find "arch/$arch" -maxdepth 1 -type f -name 'Makefile*'
}

# Build products an external module build reads or runs.
obj_files() {
	echo .config
	echo System.map
	[ -f Module.symvers ] && echo Module.symvers
	if enabled CONFIG_OBJTOOL; then
		echo tools/objtool/objtool
	fi
	if enabled CONFIG_GCC_PLUGINS; then
		find scripts/gcc-plugins -name '*.so'
	fi
}

mkdir -p "$dest"
{ src_files; obj_files; } |
	sed 's|^\./||' |
	grep -vE '(\.o|\.cmd|\.a)$|^certs/signing_key|\.pem$|\.priv$' |
	sort -u |
	tar -cf - --no-recursion --verbatim-files-from -T - |
	tar -xf - -C "$dest"

# The checks a packaged tree must pass (each one a failure seen in the wild
# when it was missing).
need=(.config Makefile System.map include/config/auto.conf
      include/generated/utsrelease.h "arch/$arch/include/generated/asm/syscalls_64.h"
      scripts/basic/fixdep)
enabled CONFIG_MODULES && need+=(Module.symvers scripts/mod/modpost scripts/module.lds)
enabled CONFIG_MODULE_SIG && need+=(scripts/sign-file)
enabled CONFIG_OBJTOOL && need+=(tools/objtool/objtool)
for f in "${need[@]}"; do
	[ -e "$dest/$f" ] || die "$f missing from $dest"
done
for f in scripts/basic/fixdep scripts/mod/modpost scripts/sign-file tools/objtool/objtool; do
	[ ! -e "$dest/$f" ] || [ -x "$dest/$f" ] || die "$f in $dest is not executable"
done
! find "$dest" -name 'signing_key.pem' | grep -q . ||
	die "the private signing key ended up in $dest"
echo "install-kbuild-tree: $(find "$dest" -type f | wc -l) files in $dest"
