#!/bin/bash
# Make kernel release K the one the next boot starts (root):
#   select-boot.sh K
# With grubby (Fedora family) K becomes the default entry; with Debian's
# GRUB, grub-reboot picks K's entry for the next boot only, so a flavour
# that does not come up leaves the machine on its old default after a
# power cycle.
set -euo pipefail
k=${1:?usage: select-boot.sh KERNEL_RELEASE}
die() { echo "select-boot: $*" >&2; exit 1; }

[ -e "/boot/vmlinuz-$k" ] || die "no /boot/vmlinuz-$k: is the flavour installed?"
if command -v grubby >/dev/null; then
	grubby --set-default="/boot/vmlinuz-$k"
	echo "select-boot: grubby default is now $(grubby --default-kernel)"
	exit 0
fi
cfg=/boot/grub/grub.cfg
{ command -v grub-reboot >/dev/null && [ -f "$cfg" ]; } ||
	die "neither grubby nor GRUB (grub-reboot, $cfg): select $k by hand"
# The entry ids update-grub writes: 'gnulinux-K-advanced-UUID', inside the
# submenu 'gnulinux-advanced-UUID' unless GRUB_DISABLE_SUBMENU=y.
entry=$(grep -o "gnulinux-$k-advanced-[^']*" "$cfg" | sed -n 1p)
[ -n "$entry" ] || die "$cfg has no entry for $k (run update-grub)"
sub=$(sed -n "s/^submenu .*\\(gnulinux-advanced-[^']*\\)'.*/\\1/p" "$cfg" | sed -n 1p)
if [ -n "$sub" ] && grep -q "^[[:space:]]\\+menuentry .*'$entry'" "$cfg"; then
	entry="$sub>$entry"
fi
grub-reboot "$entry"
echo "select-boot: the next boot starts $entry"
