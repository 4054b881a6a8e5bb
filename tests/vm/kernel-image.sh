#!/bin/bash
# Put the kernel image make check is told to boot (CHECK_KERNEL) at OUT:
#
#   kernel-image.sh IMAGE|DEB OUT
#
# IMAGE is a bzImage; DEB a linux-image .deb (make deb PKG_PROFILE=vm-debug
# builds one whose kernel has the vm-debug config), whose /boot/vmlinuz-*
# is taken. The image must be a bzImage either way.
set -euo pipefail

src=${1:?usage: kernel-image.sh IMAGE|DEB OUT} out=${2:?usage: kernel-image.sh IMAGE|DEB OUT}
die() { echo "kernel-image: $*" >&2; exit 1; }
[ -f "$src" ] || die "no such file: $src"
mkdir -p "$(dirname "$out")"
case $src in
*.deb)
	# one pass over the package; a linux-image package has one image
	dpkg-deb --fsys-tarfile "$src" | tar -x -O --wildcards './boot/vmlinuz-*' >"$out.new" 2>/dev/null ||
		{ rm -f "$out.new"; die "$src holds no ./boot/vmlinuz-*"; }
	;;
*)
	cp "$src" "$out.new"
	;;
esac
# a bzImage's setup header: "HdrS" at offset 0x202
[ "$(dd if="$out.new" bs=1 skip=514 count=4 status=none)" = HdrS ] ||
	{ rm -f "$out.new"; die "$src: not a bzImage"; }
mv "$out.new" "$out"
echo "kernel-image: ${out} from ${src}"
