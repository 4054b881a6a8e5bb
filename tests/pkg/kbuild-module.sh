#!/bin/bash
# Build a trivial out-of-tree module (tests/pkg/kbuild-sample) against the
# installed headers of the flavour, /lib/modules/K/build, and check what
# was built; when the flavour is running (and we are root), load it, read
# its parameter back from sysfs, and unload it. TAP on stdout.
#
#   kbuild-module.sh        (AIORING_PKGTEST_KERNEL overrides K)
set -euo pipefail
# shellcheck source=tests/pkg/flavour.sh
. "$(dirname "$0")/flavour.sh"

kdir=/lib/modules/$K/build
work=$(mktemp -d "${TMPDIR:-/tmp}/kbuild.XXXXXX")
loaded=0
# shellcheck disable=SC2317 # the EXIT trap
cleanup() {
	[ "$loaded" = 0 ] || rmmod aioring_kbuild_sample 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

echo "# kernel $K, headers $kdir"
tap_ok "[ -f $kdir/.config ] && [ -f $kdir/Module.symvers ] && [ -f $kdir/Makefile ]" \
	"$kdir has .config, Module.symvers and a Makefile"
cp -r "$src/tests/pkg/kbuild-sample/." "$work/"
out=$(make -C "$kdir" M="$work" modules 2>&1) && rc=0 || rc=$?
sed 's/^/# /' <<<"$out"
ko=$work/aioring_kbuild_sample.ko
tap_ok "[ $rc = 0 ] && [ -f $ko ]" "make -C $kdir M=... modules builds aioring_kbuild_sample.ko"
# shellcheck disable=SC2016 # tap_ok evaluates it
tap_ok '! grep -Eiq "warning:|error:" <<<"$out"' "the build prints no warning"
vermagic=$(modinfo -F vermagic "$ko" 2>/dev/null || true)
echo "# vermagic: $vermagic"
tap_ok "[ '${vermagic%% *}' = '$K' ]" "the module's vermagic names $K"

if [ $running_k = 0 ] || [ "$(id -u)" != 0 ]; then
	echo "ok $((tap_n += 1)) - insmod, sysfs parameter, rmmod # SKIP not root on a running $K"
	tap_done
fi
tap_ok "insmod $ko token=7" "insmod aioring_kbuild_sample.ko token=7" && loaded=1
tap_ok "[ \"\$(cat /sys/module/aioring_kbuild_sample/parameters/token 2>/dev/null)\" = 7 ]" \
	"its parameter reads back 7 from sysfs"
tap_ok "dmesg | matches 'aioring_kbuild_sample: loaded into $K, token 7'" \
	"its init function ran in $K (kernel log)"
tap_ok "rmmod aioring_kbuild_sample && [ ! -d /sys/module/aioring_kbuild_sample ]" \
	"rmmod removes it" && loaded=0
tap_done
