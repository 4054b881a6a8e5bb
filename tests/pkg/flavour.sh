# shellcheck shell=bash
# Sourced by the installed-system tests: $src (the source tree), $K (the
# flavour's kernel release, from kernel/version.env, or
# AIORING_PKGTEST_KERNEL) and $running_k (1 when that kernel is running).
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=kernel/version.env
. "$src/kernel/version.env"
K=${AIORING_PKGTEST_KERNEL:-$DEBIAN_ABI-$FLAVOUR}
# shellcheck disable=SC2034 # used by the sourcing scripts
if [ "$(uname -r)" = "$K" ]; then running_k=1; else running_k=0; fi
# shellcheck source=tests/lib/tap.sh
. "$src/tests/lib/tap.sh"
