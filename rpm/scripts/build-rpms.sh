#!/bin/bash
# Build the RPMs of linux-aioring with rpmbuild (make rpm):
#   kernel-aioring, kernel-aioring-devel       from rpm/kernel-aioring.spec.in
#   aioring-tools, aioring-libs, aioring-devel,
#   fio-engine-aio-ring                        from rpm/aioring-tools.spec.in
#
#   [BASE=trixie|bookworm] build-rpms.sh [-p distro|vm|vm-debug] [-S] [-R] [kernel|tools]...
#
# The kernel is the base's (kernel/scripts/base.sh: its version file,
# series and RPM changelogs, BASE_DIR/rpm/*.changelog), built with the
# compiler Debian builds that kernel with (DEBIAN_GCC): a base of another
# Debian release than this machine's runs rpmbuild of the kernel in a
# root of that release (debian/bin/build-root.sh), so 6.12's RPMs are
# built with trixie's gcc-14 as an EL10-style system's kernel is. The
# tools do not depend on the base; they are built here, with the
# installed fio, versioned like the kernel.
# -S writes the specs and sources only (no rpmbuild); -R reuses the
# unpacked and patched trees of the last build (rpmbuild --noprep: an
# incremental build after a change of the specs or scripts). -p picks the
# kernel config (default $PKG_PROFILE, else distro; vm is rpmbuild --with
# vm, vm-debug --with vmdebug). Without names both specs are built.
# Everything lives in a private rpmbuild tree, build/pkg/rpm
# (build/BASE/pkg/rpm for a base other than bookworm): SPECS (the specs
# written from the .spec.in files), SOURCES, BUILD (the kernel builds in tree in
# BUILD/linux-VERSION), RPMS, SRPMS, logs.
set -euo pipefail
# rpmbuild, unlike dpkg-buildpackage, keeps the caller's umask: a umask of
# 0 or 2 (a CI runner's, say) made SOURCES and the packaged files group-
# or world-writable, which rpmlint rightly rejects.
umask 022

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=kernel/scripts/base.sh
. "$top/kernel/scripts/base.sh"
export BASE
usage() { echo "usage: [BASE=...] build-rpms.sh [-p distro|vm] [-S] [-R] [kernel|tools]..." >&2; exit 2; }
die() { echo "build-rpms: $*" >&2; exit 1; }

profile=${PKG_PROFILE:-distro}
specs_only=0
noprep=()
while getopts p:SRh opt; do
	case $opt in
	p) profile=$OPTARG ;;
	S) specs_only=1 ;;
	R) noprep=(--noprep) ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
case $profile in distro|vm|vm-debug) ;; *) usage ;; esac
specs=("$@")
[ ${#specs[@]} -gt 0 ] || specs=(tools kernel)
for s in "${specs[@]}"; do
	case $s in kernel|tools) ;; *) usage ;; esac
done

command -v rpmbuild >/dev/null || die "rpmbuild missing (apt-get install rpm)"
topdir=$base_build/pkg/rpm
rel_topdir=${topdir#"$top"/}
# VERSION-RELEASE from the base's version file (rpm-evr.sh); the newest
# entry of both RPM changelogs of the base must be for it (it dates the
# build).
evr=$("$top/rpm/scripts/rpm-evr.sh" "$base_dir/version.env")
version=${evr%-*}
release=${evr##*-}
for spec in kernel-aioring aioring-tools; do
	log=$base_dir/rpm/$spec.changelog
	have=$(sed -n '1s/.* - \([^ ]*\)$/\1/p' "$log" 2>/dev/null) || have=
	[ "$have" = "$evr" ] ||
		die "the newest entry of ${log#"$top"/} is for '$have', the $BASE version file makes $evr; add one with rpm/scripts/new-changelog-entry.sh"
done
srcname=linux-aioring-$version-$release
mkdir -p "$topdir"/{SPECS,SOURCES,BUILD,RPMS,SRPMS,logs}
src=$topdir/SOURCES

# The project tarball: the tracked files as they are in the work tree (so
# 'make rpm' packages what you are testing), with fixed owners and times.
make_project_tarball() {
	local mtime
	mtime=$(git -C "$top" log -1 --format=%ct)
	(cd "$top" && git ls-files -z | while IFS= read -r -d '' f; do
		[ -e "$f" ] && printf '%s\0' "$f"
	done) | tar -C "$top" --null -T - --sort=name --owner=0 --group=0 \
		--mode=go-w --numeric-owner --mtime="@$mtime" --transform "s,^,$srcname/," \
		-cJf "$src/$srcname.tar.xz.new"
	mv "$src/$srcname.tar.xz.new" "$src/$srcname.tar.xz"
}

# Substitute the @NAMES@ of a .spec.in (which ends with %changelog) and
# append the base's changelog of that spec; any name left over is an
# error.
write_spec() {
	local in=$1 out=$2 name
	shift 2
	name=$(basename "$in" .spec.in)
	[ "$(tail -n 1 "$in")" = '%changelog' ] || die "$in does not end with %changelog"
	{
		sed "$@" -e "s|@VERSION@|$version|g" -e "s|@AIORING_RELEASE@|$release|g" \
			-e "s|@BASE@|$BASE|g" -e "s|@KERNEL_SERIES@|${DEBIAN_SOURCE_PACKAGE#linux-source-}|g" "$in"
		cat "$base_dir/rpm/$name.changelog"
	} >"$out.new"
	! grep -n '@[A-Z0-9_]*@' "$out.new" || die "unfilled names in $out"
	mv "$out.new" "$out"
}

# Debian's kernel source tarball (kernel/scripts/get-source.sh fetches and
# verifies it; exit 3: the archive no longer has the pinned upload), copied
# into SOURCES under its versioned name; Debian's copyright file of the
# kernel, which the kernel packages carry, must be in the project.
kernel_sources() {
	local tarball
	tarball=$("$top/kernel/scripts/get-source.sh" "$base_dir/version.env")
	kernel_tarball=${DEBIAN_SOURCE_PACKAGE}_$DEBIAN_SOURCE_VERSION.tar.xz
	cmp -s "$tarball" "$src/$kernel_tarball" ||
		cp --reflink=auto "$tarball" "$src/$kernel_tarball"
	# (the project tarball holds the files git tracks)
	if ! git -C "$top" ls-files --error-unmatch debian/copyright.linux >/dev/null 2>&1; then
		local msg="debian/copyright.linux (Debian's copyright file of $DEBIAN_SOURCE_PACKAGE) is not in git"
		[ $specs_only = 1 ] || die "$msg"
		echo "build-rpms: warning: $msg; rpmbuild would fail" >&2
	fi
}

# The module signing key that kbuild makes for a config that signs
# modules must not outlive the build (pkg-kernel-build.sh removes it).
no_signing_key() {
	local left
	left=$(find "$topdir/BUILD" -name 'signing_key.pem' -o -name 'signing_key.priv' 2>/dev/null | sed -n 1,3p)
	[ -z "$left" ] || die "module signing key left in the build tree: $left"
}

# PatchN: lines in series order, so %autopatch applies them in that order.
patch_lines() {
	local n=0 p dir=$base_dir/patches
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$dir/series" |
	while read -r p; do
		[ -f "$dir/$p" ] || die "series names $p, not in ${dir#"$top"/}"
		rm -f "$src/$p" && install -m 0644 "$dir/$p" "$src/$p"
		n=$((n + 1))
		printf 'Patch%d:%*s%s\\n' "$n" $((10 - ${#n})) '' "$p"
	done
}

fio_sources() {
	local ver dir
	ver=$(dpkg-query -W -f='${Version}' fio 2>/dev/null) ||
		die "fio is not installed (apt-get install fio): the engine builds against it"
	fio_version=${ver%-*}
	dir=$("$top/tools/fio/fetch-fio-source.sh" "$top/build/fio")
	[ -f "$(dirname "$dir")/fio_$fio_version.orig.tar.gz" ] ||
		die "no fio_$fio_version.orig.tar.gz next to $dir"
	rm -f "$src/fio_$fio_version.orig.tar.gz"
	install -m 0644 "$(dirname "$dir")/fio_$fio_version.orig.tar.gz" "$src/"
}

# rpmbuild on this Debian host: --nodeps because the BuildRequires name
# Fedora/RHEL packages (elfutils-libelf-devel, openssl-devel...) that rpm's
# own database here does not know; the Debian equivalents are installed by
# 'make deps'. Sources are already compressed: the source RPM payload is
# not compressed again; binary payloads use zstd like Fedora.
# Debian's brp-compress (rpm 4.18) is a bash script started as /bin/sh
# (dash: "read: Illegal option -d") and compresses nothing; run it with bash.
# Debian's brp-elfperms makes shared libraries 0644 (Debian policy); RPM
# distributions keep them 0755, rpmlint insists on it.
# Debian's rpm names doc and licence directories NAME-VERSION; Fedora's
# macros name them NAME (/usr/share/licenses/NAME), as check-rpms.sh expects.
# run_rpmbuild NAME [ROOT] -- RPMBUILD_ARGS: in ROOT (a build root) when
# one is given.
run_rpmbuild() {
	local name=$1 root=$2 start rc=0 in_root=()
	shift 3
	[ -z "$root" ] || in_root=("$top/debian/bin/in-build-root.sh" "$root" "$top")
	[ $specs_only = 0 ] || return 0
	start=$(date +%s)
	echo "build-rpms: rpmbuild $name${root:+ in a $DEBIAN_SUITE root} (log: $rel_topdir/logs/$name.log)"
	# --noclean keeps BUILD/linux-VERSION (rpm 4.18 removes it after a
	# build by default) for -R and for looking into a failed build.
	"${in_root[@]}" rpmbuild -ba --nodeps --noclean "${noprep[@]}" \
		--define "_topdir $topdir" \
		--define "_source_payload w0.ufdio" \
		--define "_binary_payload w3.zstdio" \
		--define "__brp_compress bash %{_rpmconfigdir}/brp-compress %{?_prefix}" \
		--define "__brp_elfperms %{nil}" \
		--define "_docdir_fmt %%{NAME}" \
		${RPM_DIST:+--define "dist $RPM_DIST"} \
		"$@" "$topdir/SPECS/$name.spec" >"$topdir/logs/$name.log" 2>&1 || rc=$?
	if [ $rc != 0 ]; then
		tail -n 40 "$topdir/logs/$name.log" >&2
		die "rpmbuild $name failed (exit $rc)"
	fi
	echo "build-rpms: $name built in $(( $(date +%s) - start )) s"
}

make_project_tarball
for s in "${specs[@]}"; do
	case $s in
	tools)
		fio_sources
		write_spec "$top/rpm/aioring-tools.spec.in" "$topdir/SPECS/aioring-tools.spec" \
			-e "s|@FIO_VERSION@|$fio_version|g"
		run_rpmbuild aioring-tools '' --
		;;
	kernel)
		kernel_sources
		patches=$(patch_lines)
		write_spec "$top/rpm/kernel-aioring.spec.in" "$topdir/SPECS/kernel-aioring.spec" \
			-e "s|@PATCHES@|$patches|" \
			-e "s|@DEBIAN_ABI@|$DEBIAN_ABI|g" -e "s|@FLAVOUR@|$FLAVOUR|g" \
			-e "s|@DEBIAN_SOURCE_VERSION@|$DEBIAN_SOURCE_VERSION|g" \
			-e "s|@DEBIAN_SOURCE_PACKAGE@|$DEBIAN_SOURCE_PACKAGE|g" \
			-e "s|@DEBIAN_SOURCE_SHA256@|$DEBIAN_SOURCE_SHA256|g"
		root=
		if [ "$DEBIAN_SUITE" != "$host_suite" ] && [ $specs_only = 0 ]; then
			root=$("$top/debian/bin/build-root.sh") ||
				die "no $DEBIAN_SUITE build root"
		fi
		case $profile in
		vm)       run_rpmbuild kernel-aioring "$root" -- --with vm ;;
		vm-debug) run_rpmbuild kernel-aioring "$root" -- --with vmdebug ;;
		*)        run_rpmbuild kernel-aioring "$root" -- ;;
		esac
		[ $specs_only = 1 ] || no_signing_key
		;;
	esac
done
echo "build-rpms: results in $rel_topdir/RPMS and $rel_topdir/SRPMS:"
(cd "$topdir" && find RPMS SRPMS -name '*.rpm' -printf '  %p\n' | sort)
