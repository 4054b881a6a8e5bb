#!/bin/bash
# Build the kernel of one profile in build/obj-PROFILE (out of tree, so
# build/linux stays a clean git tree): prepare the tree, configure, make.
# ccache and -j$(nproc); a rebuild after a one-line change is incremental.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
profile=${1:?usage: build.sh distro|vm|vm-debug}
. "$top/kernel/scripts/base.sh"
tree=${KERNEL_TREE:-$base_build/linux}
obj=$base_build/obj-$profile

# One build of a base at a time: the tree and the objects are shared (CI
# starts the other base's kernel early and make check asks for it again;
# the second waits for the first, then finds the kernel built).
mkdir -p "$base_build"
exec 9>"$base_build/.kernel-build.lock"
flock -n 9 || { echo "build: waiting for another kernel build of $BASE"; flock 9; }

"$top/kernel/scripts/prepare-tree.sh"
"$top/kernel/scripts/configure.sh" "$profile"

cc=gcc
command -v ccache >/dev/null && cc="ccache gcc"
# Fixed build identity: ccache hits, and reproducible version strings.
export KBUILD_BUILD_USER=linux-aioring KBUILD_BUILD_HOST=build
export KBUILD_BUILD_TIMESTAMP="$(git -C "$tree" log -1 --format=%cd --date=rfc2822)"
# LOCALVERSION= (set, empty) keeps setlocalversion from adding "+" for
# the git tree: the release is exactly what the config says.
args=(-C "$tree" O="$obj" CC="$cc" LOCALVERSION= -j"$(nproc)")
if [ "$profile" = distro ]; then
	args+=(KERNELRELEASE="$DEBIAN_ABI-$FLAVOUR" bzImage modules)
else
	args+=(bzImage)
fi

start=$(date +%s)
make "${args[@]}"
echo "build: $profile kernel $(cat "$obj/include/config/kernel.release") in $(( $(date +%s) - start )) s: ${obj#"$top"/}/arch/x86/boot/bzImage"
