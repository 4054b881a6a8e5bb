# shellcheck shell=bash
# Sourced by the installed-system tests: $src (the source tree), $K (the
# flavour's kernel release, from the version file of the tree's base, or
# AIORING_PKGTEST_KERNEL) and $running_k (1 when that kernel is running).
# The base is BASE, or the one the tree's debian/changelog names (a
# source package of the trixie base says trixie; kernel/scripts/base.sh).
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck disable=SC2034 # base.sh reads $top
top=$src
# shellcheck source=kernel/scripts/base.sh
. "$src/kernel/scripts/base.sh"
K=${AIORING_PKGTEST_KERNEL:-$DEBIAN_ABI-$FLAVOUR}
# shellcheck disable=SC2034 # used by the sourcing scripts
if [ "$(uname -r)" = "$K" ]; then running_k=1; else running_k=0; fi
# shellcheck source=tests/lib/tap.sh
. "$src/tests/lib/tap.sh"
