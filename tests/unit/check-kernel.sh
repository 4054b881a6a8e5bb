#!/bin/bash
# make check CHECK_KERNEL=IMAGE|DEB (CI boots its vm-debug package's
# kernel): tests/vm/kernel-image.sh takes a bzImage as it is and the
# /boot/vmlinuz-* of a linux-image .deb, and refuses anything else; make
# check then boots that image in the guest of BASE without building a
# kernel for it, while the other base's guest still builds its own.
# Offline, on stand-in images and a stand-in .deb.
# shellcheck disable=SC2016 # tap_ok evaluates its checks
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
# shellcheck disable=SC2034 # tap_ok evaluates the checks that use it
img=$top/tests/vm/kernel-image.sh

# a stand-in bzImage: the setup header's magic "HdrS" at offset 0x202
fake_bzimage() {
	head -c 4096 /dev/zero >"$1"
	printf 'HdrS' | dd of="$1" bs=1 seek=514 conv=notrunc status=none
	echo "$2" >>"$1"
}
fake_bzimage "$t/bzImage" plain
mkdir -p "$t/deb/DEBIAN" "$t/deb/boot" "$t/nodeb/DEBIAN" "$t/nodeb/boot"
fake_bzimage "$t/deb/boot/vmlinuz-1.2.3-test" packaged
echo config >"$t/deb/boot/config-1.2.3-test"
for d in deb nodeb; do
	printf 'Package: linux-image-test\nVersion: 1\nArchitecture: amd64\nMaintainer: t <t@linux-aioring.invalid>\nDescription: t\n' \
		>"$t/$d/DEBIAN/control"
	dpkg-deb -Zgzip --build "$t/$d" "$t/$d.deb" >/dev/null
done
echo "not a kernel" >"$t/text"

tap_ok '"$img" "$t/bzImage" "$t/out/a" >/dev/null && cmp -s "$t/bzImage" "$t/out/a"' \
	"a bzImage is taken as it is"
tap_ok '"$img" "$t/deb.deb" "$t/out/b" >/dev/null && cmp -s "$t/deb/boot/vmlinuz-1.2.3-test" "$t/out/b"' \
	"a linux-image .deb gives its /boot/vmlinuz-*"
tap_ok '! "$img" "$t/text" "$t/out/c" 2>/dev/null && [ ! -e "$t/out/c" ]' \
	"a file that is not a bzImage is refused, nothing written"
tap_ok '! "$img" "$t/nodeb.deb" "$t/out/d" 2>/dev/null && [ ! -e "$t/out/d" ]' \
	"a .deb without /boot/vmlinuz-* is refused, nothing written"

# What make check would run (tap.sh's make_plan; CHECK points the logs
# away from build/check).
make_plan check BASE=trixie OTHER_PROFILE=vm-debug CHECK="$t/check" \
	CHECK_KERNEL="$t/deb.deb" >"$t/plan"
sed -n '/run-vm.sh/{s/^/# /;p}' "$t/plan"
tap_ok 'matches -F "tests/vm/kernel-image.sh $t/deb.deb $t/check/vmlinuz-trixie" <"$t/plan" &&
	matches -E "run-vm.sh -n check-trixie .*-k $t/check/vmlinuz-trixie" <"$t/plan"' \
	"the guest of BASE boots CHECK_KERNEL's image"
sed '/run-vm.sh -n check-trixie/q' "$t/plan" >"$t/first"
tap_ok '! matches "kernel/scripts/build.sh" <"$t/first" &&
	matches -E "run-vm.sh -n check .*-k build/obj-vm-debug/arch/x86/boot/bzImage" <"$t/plan"' \
	"no kernel is built for it; the other base's guest boots its own build"

# make other-check: that second guest alone (CI runs it beside make check
# CHECK_OTHER=0), with its own summary
make_plan other-check BASE=trixie OTHER_PROFILE=vm CHECK="$t/other" >"$t/other-plan"
make_plan check BASE=trixie CHECK_OTHER=0 CHECK="$t/check0" CHECK_KERNEL="$t/deb.deb" >"$t/plan0"
tap_ok 'matches -E "run-vm.sh -n check .*-k build/obj-vm/arch/x86/boot/bzImage" <"$t/other-plan" &&
	matches -F "tests/summarize.sh $t/other/vm.tap" <"$t/other-plan" &&
	! matches "run-vm.sh -n check-trixie" <"$t/other-plan"' \
	"make other-check boots only the other base's OTHER_PROFILE kernel and sums up its results"
tap_ok 'matches "run-vm.sh -n check-trixie" <"$t/plan0" && ! matches -E "run-vm.sh -n check " <"$t/plan0"' \
	"make check CHECK_OTHER=0 boots only the guest of BASE"
tap_done
