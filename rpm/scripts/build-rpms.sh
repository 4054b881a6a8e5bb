#!/bin/bash
# Build the RPMs of linux-aioring with rpmbuild (make rpm):
#   kernel-aioring, kernel-aioring-devel       from rpm/kernel-aioring.spec.in
#   aioring-tools, aioring-libs, aioring-devel,
#   fio-engine-aio-ring                        from rpm/aioring-tools.spec.in
#
#   build-rpms.sh [-p distro|vm] [-S] [-R] [kernel|tools]...
#
# -S writes the specs and sources only (no rpmbuild); -R reuses the
# unpacked and patched trees of the last build (rpmbuild --noprep: an
# incremental build after a change of the specs or scripts). -p picks the kernel config (default $PKG_PROFILE, else distro; vm is
# rpmbuild --with vm). Without names both specs are built. Everything lives
# in a private rpmbuild tree, build/pkg/rpm: SPECS (the specs written from
# the .spec.in files), SOURCES, BUILD (the kernel builds in tree in
# BUILD/linux-VERSION), RPMS, SRPMS, logs.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=kernel/version.env
. "$top/kernel/version.env"
usage() { echo "usage: build-rpms.sh [-p distro|vm] [-S] [-R] [kernel|tools]..." >&2; exit 2; }
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
case $profile in distro|vm) ;; *) usage ;; esac
specs=("$@")
[ ${#specs[@]} -gt 0 ] || specs=(tools kernel)
for s in "${specs[@]}"; do
	case $s in kernel|tools) ;; *) usage ;; esac
done

command -v rpmbuild >/dev/null || die "rpmbuild missing (apt-get install rpm)"
topdir=$top/build/pkg/rpm
version=${DEBIAN_SOURCE_VERSION%-*}
# As in Debian, the newest changelog entry names the release: the specs'
# top %changelog lines end in "- VERSION-RELEASE" (6.1.192-aioring1).
changelog_evr() {
	sed -n '/^%changelog/{n;s/.* - \([^ ]*\)$/\1/p;q}' "$1"
}
evr=$(changelog_evr "$top/rpm/kernel-aioring.spec.in")
release=${evr##*-}
[ "${evr%-*}" = "$version" ] ||
	die "the newest %changelog entry of rpm/kernel-aioring.spec.in is for '$evr', kernel/version.env says $version"
[ "$(changelog_evr "$top/rpm/aioring-tools.spec.in")" = "$evr" ] ||
	die "the newest %changelog entries of rpm/*.spec.in name different releases"
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
		--numeric-owner --mtime="@$mtime" --transform "s,^,$srcname/," \
		-cJf "$src/$srcname.tar.xz.new"
	mv "$src/$srcname.tar.xz.new" "$src/$srcname.tar.xz"
}

# Substitute the @NAMES@ of a .spec.in; any name left over is an error.
write_spec() {
	local in=$1 out=$2
	shift 2
	sed "$@" -e "s|@VERSION@|$version|g" -e "s|@AIORING_RELEASE@|$release|g" \
		"$in" >"$out.new"
	! grep -n '@[A-Z_]*@' "$out.new" || die "unfilled names in $out"
	mv "$out.new" "$out"
}

# Debian's kernel source and config, as Sources (links: rpmbuild reads
# through them when it writes the source RPM).
kernel_sources() {
	local tarball=/usr/src/linux-source-6.1.tar.xz
	local config=/usr/src/linux-config-6.1/config.amd64_none_amd64.xz
	local have
	have=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || echo none)
	if [ "$have" != "$DEBIAN_SOURCE_VERSION" ] || [ ! -f "$tarball" ]; then
		die "need linux-source-6.1 $DEBIAN_SOURCE_VERSION (installed: $have); run 'make deps'"
	fi
	[ -f "$config" ] || die "$config missing; apt-get install linux-config-6.1=$DEBIAN_SOURCE_VERSION"
	ln -sf "$tarball" "$src/linux-source-6.1.tar.xz"
	ln -sf "$config" "$src/config.amd64_none_amd64.xz"
}

# PatchN: lines in series order, so %autopatch applies them in that order.
patch_lines() {
	local n=0 p
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$top/kernel/patches/series" |
	while read -r p; do
		[ -f "$top/kernel/patches/$p" ] || die "series names $p, not in kernel/patches"
		ln -sf "$top/kernel/patches/$p" "$src/$p"
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
	ln -sf "$(dirname "$dir")/fio_$fio_version.orig.tar.gz" "$src/"
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
run_rpmbuild() {
	local name=$1 start rc=0
	shift
	[ $specs_only = 0 ] || return 0
	start=$(date +%s)
	echo "build-rpms: rpmbuild $name (log: build/pkg/rpm/logs/$name.log)"
	# --noclean keeps BUILD/linux-VERSION (rpm 4.18 removes it after a
	# build by default) for -R and for looking into a failed build.
	rpmbuild -ba --nodeps --noclean "${noprep[@]}" \
		--define "_topdir $topdir" \
		--define "_source_payload w0.ufdio" \
		--define "_binary_payload w3.zstdio" \
		--define "__brp_compress bash %{_rpmconfigdir}/brp-compress %{?_prefix}" \
		--define "__brp_elfperms %{nil}" \
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
		run_rpmbuild aioring-tools
		;;
	kernel)
		kernel_sources
		patches=$(patch_lines)
		write_spec "$top/rpm/kernel-aioring.spec.in" "$topdir/SPECS/kernel-aioring.spec" \
			-e "s|@PATCHES@|$patches|" \
			-e "s|@DEBIAN_ABI@|$DEBIAN_ABI|g" -e "s|@FLAVOUR@|$FLAVOUR|g" \
			-e "s|@DEBIAN_SOURCE_VERSION@|$DEBIAN_SOURCE_VERSION|g"
		if [ "$profile" = vm ]; then
			run_rpmbuild kernel-aioring --with vm
		else
			run_rpmbuild kernel-aioring
		fi
		;;
	esac
done
echo "build-rpms: results in build/pkg/rpm/RPMS and build/pkg/rpm/SRPMS:"
(cd "$topdir" && find RPMS SRPMS -name '*.rpm' -printf '  %p\n' | sort)
