#!/bin/bash
# Write build/obj-PROFILE/.config for one profile:
#   distro    Debian's amd64 config of the pinned upload (vendored in
#             kernel/config/debian/) + kernel/config/aioring.config +
#             CONFIG_BUILD_SALT=<kernel release> from kernel/version.env;
#             'make listnewconfig' must print nothing (every new symbol is
#             decided in the fragment, none is left to a default)
#   vm        x86_64_defconfig + kvm_guest.config + kernel/config/vm.config
#   vm-debug  vm + kernel/config/vm-debug.config
# BASE=trixie: build/trixie/obj-PROFILE, Debian's config from
# kernel/bases/trixie/config/debian/, the same fragments.
# Every value a fragment asks for is checked in the result, so a symbol that
# Kconfig dropped (a typo, an unmet dependency) fails loudly.
# The config is only regenerated when one of its inputs changed.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
profile=${1:?usage: configure.sh distro|vm|vm-debug}
. "$top/kernel/scripts/base.sh"
tree=$(realpath -m "${KERNEL_TREE:-$base_build/linux}")
obj=$(realpath -m "${KERNEL_OBJ:-$base_build/obj-$profile}")
# the fragments serve every base; Debian's own config is the base's
cfg=$top/kernel/config
debian_config=$base_dir/config/debian/amd64_none_amd64.config

die() { echo "configure: $*" >&2; exit 1; }

mkdir -p "$obj"
# The release is named in kernel/version.env only; Debian's build sets
# BUILD_SALT to it the same way.
salt=$obj/.aioring-build-salt.config
echo "CONFIG_BUILD_SALT=\"$DEBIAN_ABI-$FLAVOUR\"" >"$salt.new"
cmp -s "$salt.new" "$salt" 2>/dev/null && rm "$salt.new" || mv "$salt.new" "$salt"

case $profile in
distro)   fragments=("$cfg/aioring.config" "$salt") ;;
vm)       fragments=("$tree/kernel/configs/kvm_guest.config" "$cfg/vm.config") ;;
vm-debug) fragments=("$tree/kernel/configs/kvm_guest.config" "$cfg/vm.config" "$cfg/vm-debug.config") ;;
*)        die "unknown profile '$profile' (distro, vm or vm-debug)" ;;
esac
[ "$profile" != distro ] || [ -f "$debian_config" ] || die "$debian_config missing"

# The tree's identity: its git HEAD (make kernel-tree), or the series hash
# for a tree that the package builds unpacked and patched without git.
tree_id() {
	if [ -e "$tree/.git" ]; then
		git -C "$tree" rev-parse HEAD
	else
		"$top/kernel/scripts/series-hash.sh"
	fi
}
inputs=$( (cat "${fragments[@]}"; [ "$profile" = distro ] && cat "$debian_config"
	   tree_id) | sha256sum | cut -d' ' -f1)
if [ -f "$obj/.config" ] && [ "$(cat "$obj/.aioring-config-inputs" 2>/dev/null)" = "$inputs" ]; then
	exit 0
fi

# -s and --no-print-directory: under a parent make (debian/rules) make -C
# would print "Entering directory" lines into what is read back below
kmake() { make -s --no-print-directory -C "$tree" O="$obj" "$@"; }

if [ "$profile" = distro ]; then
	cp "$debian_config" "$obj/.config"
else
	kmake x86_64_defconfig >/dev/null
fi
# merge_config.sh makes its temporary files in the current directory:
# in the objects', not the caller's (a work tree, where they were once
# committed)
(cd "$obj" && "$tree/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "${fragments[@]}" >/dev/null)

if [ "$profile" = distro ]; then
	new=$(kmake listnewconfig | grep "^CONFIG_" || true)
	[ -z "$new" ] || die "symbols without a decision in kernel/config/aioring.config:
$new"
fi
kmake olddefconfig

# Each value our own fragments ask for (a later one overrides an earlier
# one) must hold in the final config. Upstream's kvm_guest.config names
# symbols of other architectures, so it is not checked.
wanted() {
	local f
	for f in "${fragments[@]}"; do
		[ "${f#"$cfg"/}" != "$f" ] && cat "$f"
	done | sed -n -e 's/^\(CONFIG_[A-Za-z0-9_]*\)=\(.*\)/\1 \2/p' \
		      -e 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set/\1 n/p' |
		awk '{ v[$1] = $2 } END { for (k in v) print k, v[k] }'
}
bad=0
while read -r sym want; do
	got=$(grep -E "^$sym=" "$obj/.config" || true)
	if [ "$want" = n ]; then
		[ -z "$got" ] && continue
	elif [ "$got" = "$sym=$want" ]; then
		continue
	fi
	echo "  $sym: fragments want '$want', config has '${got:-not set}'" >&2
	bad=1
done < <(wanted)
[ $bad = 0 ] || die "the $profile config does not hold what the fragments ask for"
echo "$inputs" >"$obj/.aioring-config-inputs"
echo "configure: wrote ${obj#"$top"/}/.config"
