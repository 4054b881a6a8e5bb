#!/bin/bash
# What dnf does with two builds of one kernel ABI and with the kernels of
# two ABIs, tried with rpm on KERNEL_RPM (kernel-aioring-ABI) and tiny
# stand-ins (stand-in-rpm.sh) in a scratch rpm database, as TAP:
#   - the package is not install-only (no installonlypkg(kernel)), so dnf
#     upgrades it instead of installing a second build next to the first:
#     the kernel release (uname -r) has no package release in it, two
#     builds of one ABI share /lib/modules/K;
#   - its name carries the ABI of the kernel release it owns;
#   - rpm -U over an older build of the same ABI replaces it, and rpm -i
#     next to it (what dnf does with install-only packages) fails;
#   - a kernel of another ABI stays installed next to it.
#
#   check-kernel-upgrade.sh KERNEL_RPM
# tap_ok evaluates its condition string, where shellcheck cannot see uses.
# shellcheck disable=SC2034
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"
rpmfile=$(realpath "${1:?usage: check-kernel-upgrade.sh KERNEL_RPM}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
note() { sed 's/^/# /'; }

name=$(rpm -qp --qf '%{NAME}' "$rpmfile")
version=$(rpm -qp --qf '%{VERSION}' "$rpmfile")
k=$(rpm -qp --provides "$rpmfile" 2>/dev/null | sed -n 's/^kernel-uname-r = //p')
abi=${name#kernel-aioring-}
tap_ok "! rpm -qp --provides '$rpmfile' | matches '^installonlypkg('" \
	"$name is not install-only: dnf upgrades it rather than installing two builds of $k side by side"
tap_ok "[ -n '$k' ] && [ '$abi' != '$name' ] && [ '${k#"$abi"-}' != '$k' ]" \
	"the package name $name carries the ABI of the kernel release it owns ($k)"
# (no ABI in the name: nothing to try the transactions with)
if [ "$abi" = "$name" ] || ! [[ $abi =~ -[0-9]+$ ]]; then tap_done; fi

# the ABI next to this one: its last number minus one (or plus one)
n=${abi##*-}
other_abi=${abi%-*}-$(( n > 0 ? n - 1 : n + 1 ))
other_k=$other_abi${k#"$abi"}
if ! older=$("$top/rpm/scripts/stand-in-rpm.sh" "$work/rpms" "$name" "$version" 0.older "$k") ||
   ! other=$("$top/rpm/scripts/stand-in-rpm.sh" "$work/rpms" "kernel-aioring-$other_abi" "$version" 0.other "$other_k"); then
	echo "Bail out! the stand-in RPMs do not build"
	exit 1
fi

# Only the database: the file conflicts are found from the packages' file
# lists (--test and --justdb write no files).
r=(rpm --root "$work/root" --nodeps --noscripts)
rpm --root "$work/root" --initdb
"${r[@]}" -i --justdb "$older" "$other" 2>&1 | note
tap_ok "\"\${r[@]}\" -U --test '$rpmfile' >'$work/u.log' 2>&1" \
	"rpm -U of $name over an older build of it (release 0.older) replaces it"
note <"$work/u.log"
tap_ok "! \"\${r[@]}\" -i --test '$rpmfile' >'$work/i.log' 2>&1 && grep -q 'conflicts with file from package $name-$version-0.older' '$work/i.log'" \
	"rpm -i of $name next to that older build fails on their shared files (why it cannot be install-only)"
"${r[@]}" -U --justdb "$rpmfile" >"$work/u2.log" 2>&1
note <"$work/u2.log"
tap_ok "[ \"\$(rpm --root '$work/root' -q --qf '%{NAME}-%{RELEASE}\n' -a | sort)\" = \"\$(printf '%s\n' '$name-$(rpm -qp --qf '%{RELEASE}' "$rpmfile")' 'kernel-aioring-$other_abi-0.other' | sort)\" ]" \
	"after the upgrade: $name (this build) and the kernel of ABI $other_abi are installed side by side"
tap_done
