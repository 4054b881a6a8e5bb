#!/bin/bash
# The kernel steps of the package builds, shared by debian/rules and
# rpm/kernel-aioring.spec so both build the same kernel the same way:
#
#   pkg-kernel-build.sh prepare SRCDIR PROFILE
#       copy or unpack Debian's source of the pinned upload into SRCDIR
#       (see unpack_source below), apply the base's patches/series with
#       patch -p1 --fuzz=0 (no git needed), write SRCDIR/.config for
#       PROFILE (distro|vm) with configure.sh; the build is in tree
#   pkg-kernel-build.sh build SRCDIR
#       bzImage, vmlinux and the modules
#   pkg-kernel-build.sh modules_install SRCDIR DESTDIR
#       DESTDIR/lib/modules/RELEASE, without depmod (the package's
#       postinst runs it); modules stripped of debug info unless NOSTRIP=1;
#       then the module-signing private key is deleted from SRCDIR
#   pkg-kernel-build.sh release | compiler
#       print the kernel release (uname -r) of the packages, or the
#       compiler the kernel is built with (the headers depend on it)
#
# Environment: BASE (kernel/scripts/base.sh: which base's version file and
# series; default trixie); PKG_VERSION (package version) and PKG_DATE
# (YYYY-MM-DD of its changelog entry) go into /proc/version; JOBS
# (default nproc).
# ccache is used when installed, with CCACHE_BASEDIR=SRCDIR so that the
# deb and rpm builds of one profile share hits.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=kernel/scripts/base.sh
. "$top/kernel/scripts/base.sh"
release=$DEBIAN_ABI-$FLAVOUR
# The compiler is pinned, the one Debian builds that release's kernel
# with: the headers package depends on exactly this one.
compiler=${DEBIAN_GCC:?the version file of $BASE sets no DEBIAN_GCC}

die() { echo "pkg-kernel-build: $*" >&2; exit 1; }
usage() { sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p}' "$0"; }

# Same flags for every make call, so modules_install never rebuilds.
kmake() {
	local srcdir=$1 cc=$compiler
	shift
	if command -v ccache >/dev/null; then
		cc="ccache $compiler"
		export CCACHE_BASEDIR=$srcdir
		# every compile's result, summed up after the build
		export CCACHE_STATSLOG=$srcdir.ccache-stats
	fi
	# Fixed identity: /proc/version names the project and the package
	# version, and the build is reproducible. /proc/version takes
	# KBUILD_BUILD_VERSION_TIMESTAMP (Debian's kbuild patch, in
	# linux-source-6.1) when set; KBUILD_BUILD_TIMESTAMP must stay a date
	# for the initramfs and kheaders archives.
	export KBUILD_BUILD_USER=devel KBUILD_BUILD_HOST=linux-aioring.invalid
	export KBUILD_BUILD_VERSION=1
	export KBUILD_BUILD_VERSION_TIMESTAMP="linux-aioring ${PKG_VERSION:?PKG_VERSION unset} (${PKG_DATE:?PKG_DATE unset})"
	KBUILD_BUILD_TIMESTAMP=$(date -u -R -d "$PKG_DATE")
	export KBUILD_BUILD_TIMESTAMP
	# The packagers' CFLAGS/LDFLAGS (dpkg-buildflags, rpm's optflags) are
	# for userspace; the kernel's own tools (objtool) would pick them up.
	# One locale for both families: ccache hashes LANG and LC_*, and
	# rpmbuild's environment has none while dpkg-buildpackage keeps the
	# caller's, so the rpm build would miss every object of the deb one.
	env -u CFLAGS -u CPPFLAGS -u CXXFLAGS -u LDFLAGS \
	    -u LANG -u LC_CTYPE -u LC_MESSAGES LC_ALL=C \
	make -C "$srcdir" CC="$cc" HOSTCC="$compiler" KERNELRELEASE="$release" \
		-j"${JOBS:-$(nproc)}" "$@"
}

# The source: an unpacked tree (AIORING_LINUX_TREE, the orig-linux
# component of the Debian source package), a tarball (AIORING_LINUX_TARBALL,
# the RPM's Source0) or the one get-source.sh fetches; a tarball's sha256
# must be the base's version file's before it is unpacked.
unpack_source() {
	local srcdir=$1 tarball=${AIORING_LINUX_TARBALL:-} sum
	if [ -n "${AIORING_LINUX_TREE:-}" ]; then
		[ -f "$AIORING_LINUX_TREE/Makefile" ] || die "AIORING_LINUX_TREE=$AIORING_LINUX_TREE is not a kernel tree"
		cp -a "$AIORING_LINUX_TREE/." "$srcdir/"
		return
	fi
	if [ -z "$tarball" ]; then
		# get-source.sh checks the hash of what it prints
		tarball=$("$top/kernel/scripts/get-source.sh" "$base_dir/version.env") || exit
	else
		sum=$(sha256sum "$tarball" | cut -d' ' -f1)
		[ "$sum" = "$DEBIAN_SOURCE_SHA256" ] ||
			die "$tarball: sha256 $sum, the version file of $BASE says $DEBIAN_SOURCE_SHA256"
	fi
	tar -xf "$tarball" -C "$srcdir" --strip-components=1
}

prepare() {
	local srcdir=$1 profile=$2 p n=0 dest=$1 changed
	command -v "$compiler" >/dev/null || die "$compiler is not installed"

	# AIORING_PKG_RESUME_TREE (build-debs.sh, AIORING_PKG_RESUME=1): the
	# tree of the last build becomes SRCDIR, the new one is prepared
	# beside it, and only files whose content differs are copied over
	# (their time is then now; the others keep theirs), so that make
	# compiles again only what they touch.
	if [ -f "${AIORING_PKG_RESUME_TREE:-}/.config" ]; then
		command -v rsync >/dev/null || die "taking up $AIORING_PKG_RESUME_TREE needs rsync"
		rm -rf "$srcdir"
		mkdir -p "$(dirname "$srcdir")"
		mv "$AIORING_PKG_RESUME_TREE" "$srcdir"
		dest=$srcdir.next
	fi
	rm -rf "$dest"
	mkdir -p "$dest"
	unpack_source "$dest"
	while read -r p; do
		patch -d "$dest" -p1 --fuzz=0 --no-backup-if-mismatch -s -N \
			<"$base_dir/patches/$p" || die "$p does not apply at fuzz 0"
		n=$((n + 1))
	done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$base_dir/patches/series")
	echo "pkg-kernel-build: applied $n patch(es) to $DEBIAN_SOURCE_PACKAGE $DEBIAN_SOURCE_VERSION"
	KERNEL_TREE=$dest KERNEL_OBJ=$dest "$top/kernel/scripts/configure.sh" "$profile"
	if [ "$dest" != "$srcdir" ]; then
		changed=$(rsync -rlpc --itemize-changes "$dest/" "$srcdir/" | grep -c '^>f' || true)
		rm -rf "$dest"
		echo "pkg-kernel-build: took up the last build's tree, $changed file(s) changed"
	fi
}

build() {
	local srcdir=$1 start
	start=$(date +%s)
	rm -f "$srcdir.ccache-stats"
	kmake "$srcdir" bzImage vmlinux modules
	# DKMS signs modules with the headers' scripts/sign-file; a config
	# without module signing (vm) does not build it, so build it as
	# scripts/Makefile would.
	if [ ! -x "$srcdir/scripts/sign-file" ]; then
		# shellcheck disable=SC2046 # pkg-config prints several words
		"$compiler" -O2 -Wall -I"$srcdir/scripts" -o "$srcdir/scripts/sign-file" \
			"$srcdir/scripts/sign-file.c" \
			$(pkg-config --cflags --libs libcrypto 2>/dev/null || echo -lcrypto)
	fi
	echo "pkg-kernel-build: $release built in $(( $(date +%s) - start )) s"
	# A deb and an rpm build of one profile should share most objects:
	# say how many came from ccache (the misses: the files before a
	# cache_miss line of SRCDIR.ccache-stats)
	if [ -s "$srcdir.ccache-stats" ]; then
		echo "pkg-kernel-build: ccache: $(grep -c '^direct_cache_hit$\|^preprocessed_cache_hit$' "$srcdir.ccache-stats") hits, $(grep -c '^cache_miss$' "$srcdir.ccache-stats") misses (${srcdir##*/}.ccache-stats)"
	fi
}

modules_install() {
	local srcdir=$1 destdir=$2 strip=(INSTALL_MOD_STRIP=1)
	[ "${NOSTRIP:-0}" = 1 ] && strip=()
	kmake "$srcdir" INSTALL_MOD_PATH="$destdir" DEPMOD=/bin/true "${strip[@]}" modules_install
	# build and source links are the headers package's business
	rm -f "$destdir/lib/modules/$release/build" "$destdir/lib/modules/$release/source"
	# The modules are signed now: the per-build private key must not
	# outlive the build (only its certificate stays, built into the image).
	# A rebuild in this tree needs 'prepare' again.
	rm -f "$srcdir/certs/signing_key.pem"
}

case ${1:-} in
prepare)         [ $# = 3 ] || die "usage: $0 prepare SRCDIR PROFILE"; prepare "$(realpath -m "$2")" "$3" ;;
build)           [ $# = 2 ] || die "usage: $0 build SRCDIR"; build "$(realpath "$2")" ;;
modules_install) [ $# = 3 ] || die "usage: $0 modules_install SRCDIR DESTDIR"
		 modules_install "$(realpath "$2")" "$(realpath -m "$3")" ;;
release)         echo "$release" ;;
compiler)        echo "$compiler" ;;
-h|--help)       usage ;;
*)               usage >&2; exit 2 ;;
esac
