#!/bin/bash
# DKMS on the flavour: the sample module of tests/pkg/dkms-sample goes to
# /usr/src, then 'dkms add', 'dkms build -k K', 'dkms install -k K'; the
# .ko must then be installed under /lib/modules/K, known to modinfo
# (depmod ran) and built for K. When K is running, modprobe loads it. The
# module is removed again at the end. Needs root. TAP on stdout.
#
#   dkms-module.sh          (AIORING_PKGTEST_KERNEL overrides K)
set -euo pipefail
# shellcheck source=tests/pkg/flavour.sh
. "$(dirname "$0")/flavour.sh"

sample=$src/tests/pkg/dkms-sample
name=$(sed -n 's/^PACKAGE_NAME="\(.*\)"/\1/p' "$sample/dkms.conf")
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$sample/dkms.conf")
mod=aioring_dkms_sample

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP dkms needs root"
	exit 77
fi
command -v dkms >/dev/null || { echo "Bail out! dkms is not installed"; exit 1; }

# shellcheck disable=SC2317 # the EXIT trap
cleanup() {
	modprobe -r "$mod" 2>/dev/null || true
	dkms remove "$name/$ver" --all >/dev/null 2>&1 || true
	rm -rf "/usr/src/$name-$ver"
}
trap cleanup EXIT
cleanup

# step WHAT COMMAND...: one TAP result per dkms step, its output as comments
step() {
	local what=$1
	shift
	out=$("$@" 2>&1) && rc=0 || rc=$?
	sed 's/^/# /' <<<"$out"
	tap_ok "[ $rc = 0 ]" "$what (exit $rc)"
}

echo "# dkms $(dkms --version 2>/dev/null | sed -n 1p), kernel $K"
cp -r "$sample" "/usr/src/$name-$ver"
step "dkms add $name/$ver" dkms add -m "$name" -v "$ver"
step "dkms build -k $K" dkms build -m "$name" -v "$ver" -k "$K"
step "dkms install -k $K" dkms install -m "$name" -v "$ver" -k "$K"
status=$(dkms status -m "$name" -v "$ver" -k "$K" 2>&1 || true)
echo "# dkms status: $status"
tap_ok "grep -q 'installed' <<<\"\$status\"" "dkms status says installed for $K"
ko=$(find "/lib/modules/$K" -name "$mod.ko*" 2>/dev/null | sed -n 1p)
echo "# installed: ${ko:-nothing}"
tap_ok "[ -n '$ko' ]" "$mod.ko is installed under /lib/modules/$K"
vermagic=$(modinfo -k "$K" -F vermagic "$mod" 2>/dev/null || true)
echo "# vermagic: $vermagic"
tap_ok "[ '${vermagic%% *}' = '$K' ]" "modinfo -k $K finds it (depmod ran); vermagic names $K"

if [ "$running_k" = 0 ]; then
	echo "ok $((tap_n += 1)) - modprobe $mod # SKIP $K is not the running kernel"
	tap_done
fi
tap_ok "modprobe $mod token=9" "modprobe $mod"
tap_ok "[ \"\$(cat /sys/module/$mod/parameters/token 2>/dev/null)\" = 9 ]" \
	"its parameter reads back 9 from sysfs"
tap_ok "dmesg | matches '$mod: loaded into $K, token 9'" "its init function ran in $K"
tap_ok "modprobe -r $mod && [ ! -d /sys/module/$mod ]" "modprobe -r removes it"
step "dkms remove --all" dkms remove "$name/$ver" --all
tap_ok "[ -z \"\$(find /lib/modules/$K -name '$mod.ko*')\" ]" "dkms remove deletes the .ko"
tap_done
