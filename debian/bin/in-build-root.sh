#!/bin/bash
# Run a command in a build root of debian/bin/build-root.sh:
#
#   debian/bin/in-build-root.sh ROOT DIR COMMAND...
#
# COMMAND runs in DIR, chrooted in ROOT, in a private mount namespace (so
# nothing stays mounted): /proc, /sys and /dev, the work tree and the
# ccache directory at the same paths as on this machine, so that paths
# under the work tree mean the same inside and out. The environment is
# cleared but for PATH, HOME, LC_ALL, CCACHE_DIR and, when set,
# CCACHE_DISABLE, DEB_BUILD_OPTIONS and AIORING_PKG_RESUME_TREE. Needs
# root.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -ge 3 ] || { echo "usage: in-build-root.sh ROOT DIR COMMAND..." >&2; exit 2; }
root=$1 dir=$2
shift 2
[ -x "$root/bin/sh" ] || { echo "in-build-root: $root is not a root" >&2; exit 1; }
ccache_dir=
command -v ccache >/dev/null && ccache_dir=$(ccache -k cache_dir)
[ -z "$ccache_dir" ] || mkdir -p "$ccache_dir"

# shellcheck disable=SC2016 # expanded by the inner shell
exec unshare --mount --propagation private -- /bin/bash -c '
	r=$1 top=$2 cc=$3 dir=$4; shift 4
	mount -t proc proc "$r/proc" && mount -t sysfs sysfs "$r/sys" &&
	mount --rbind /dev "$r/dev" && mkdir -p "$r$top" &&
	mount --bind "$top" "$r$top" || exit 1
	if [ -n "$cc" ]; then
		mkdir -p "$r$cc" && mount --bind "$cc" "$r$cc" || exit 1
	fi
	exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LC_ALL=C.UTF-8 ${cc:+CCACHE_DIR=$cc} \
		${CCACHE_DISABLE:+CCACHE_DISABLE="$CCACHE_DISABLE"} \
		${DEB_BUILD_OPTIONS:+DEB_BUILD_OPTIONS="$DEB_BUILD_OPTIONS"} \
		${AIORING_PKG_RESUME_TREE:+AIORING_PKG_RESUME_TREE="$AIORING_PKG_RESUME_TREE"} \
		/bin/sh -c "cd \"\$0\" && exec \"\$@\"" "$dir" "$@"
' in-build-root "$root" "$top" "$ccache_dir" "$dir" "$@"
