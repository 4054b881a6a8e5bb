#!/bin/bash
# The dnf repository of a base's linux-aioring RPMs (part of 'make repo'):
#
#   make-dnf-repo.sh
#       one repository for each base with RPMs: build/pkg/repo/dnf/BASE
#       from the base's RPM tree (build/pkg/rpm for bookworm,
#       build/BASE/pkg/rpm for the others), as make-apt-repo.sh makes a
#       distribution for each base with packages
#   [BASE=...] make-dnf-repo.sh RPM_TOPDIR REPO_DIR
#       one repository of the RPMs of BASE in RPM_TOPDIR
#
# One repository per base, as the kernels of two bases are two products
# (Linux 6.12 for an EL10-style system, 6.1): each has its own
# kernel-aioring metapackage following that base's newest ABI.
# Copies the newest binary RPM of each package from RPM_TOPDIR/RPMS into
# REPO_DIR/Packages, signs them and the repository metadata when a signing
# key is at hand, runs createrepo_c, and writes REPO_DIR/linux-aioring.repo
# for /etc/yum.repos.d (baseurl: $DNF_REPO_BASEURL, default the file://
# URL of REPO_DIR). The result is checked: every package is in the
# metadata, and signed packages verify against the exported key.
#
# Signing: with the apt repository's key, kept in the GnuPG home that
# debian/bin/archive-key-dir.sh names (AIORING_ARCHIVE_KEY_DIR; made by
# debian/bin/make-apt-repo.sh on first use, 'make repo' runs that first).
# Without a secret key there the repository is published unsigned and
# the .repo file says gpgcheck=0, with a comment saying why.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
die() { echo "make-dnf-repo: $*" >&2; exit 1; }
if [ $# = 0 ]; then
	made=0
	for b in bookworm $(cd "$top/kernel/bases" && ls); do
		# shellcheck source=kernel/scripts/base.sh
		rpms=$(BASE=$b && . "$top/kernel/scripts/base.sh" && echo "$base_build/pkg/rpm")
		ls "$rpms"/RPMS/*/*.rpm >/dev/null 2>&1 || continue
		BASE=$b "$0" "$rpms" "$top/build/pkg/repo/dnf/$b" || exit
		made=1
	done
	[ $made = 1 ] || die "no RPMs of any base (run 'make rpm' first)"
	exit 0
fi
[ $# = 2 ] || die "usage: make-dnf-repo.sh [RPM_TOPDIR REPO_DIR]"
# shellcheck source=kernel/scripts/base.sh
. "$top/kernel/scripts/base.sh"
rpmdir=$(realpath -m "$1")
repo=$(realpath -m "$2")
keys=$(realpath -m "$("$top/debian/bin/archive-key-dir.sh")")
baseurl=${DNF_REPO_BASEURL:-file://$repo}

command -v createrepo_c >/dev/null || die "createrepo_c missing (apt-get install createrepo-c)"

# newest RPM per package name (the RPMS tree may hold older releases)
declare -A newest
while IFS= read -r f; do
	n=$(rpm -qp --qf '%{NAME}' "$f" 2>/dev/null) || continue
	if [ -z "${newest[$n]:-}" ] || [ "$f" -nt "${newest[$n]}" ]; then
		newest[$n]=$f
	fi
done < <(find "$rpmdir/RPMS" -name '*.rpm' ! -name '*.src.rpm' 2>/dev/null)
[ ${#newest[@]} -gt 0 ] || die "no RPMs in $rpmdir/RPMS (run 'make rpm' first)"

rm -rf "$repo.new"
mkdir -p "$repo.new/Packages"
cp -p "${newest[@]}" "$repo.new/Packages/"

# The signing key: a secret key in the shared gpg home.
keyid=
if [ -d "$keys" ]; then
	keyid=$(GNUPGHOME=$keys gpg --batch --with-colons --list-secret-keys 2>/dev/null |
		awk -F: '$1 == "fpr" { print $10; exit }')
fi
if [ -n "$keyid" ]; then
	command -v rpmsign >/dev/null || die "rpmsign missing (package rpm)"
	GNUPGHOME=$keys gpg --batch --armor --export "$keyid" >"$repo.new/RPM-GPG-KEY-linux-aioring"
	# Debian's rpm looks for gpg as gpg2, which Debian does not have.
	GNUPGHOME=$keys rpmsign --define "__gpg $(command -v gpg)" \
		--define "_gpg_name $keyid" --define "_gpg_path $keys" \
		--addsign "$repo.new"/Packages/*.rpm 2>&1 >/dev/null |
		{ grep -v 'Could not set GPG_TTY' >&2 || true; }
fi

createrepo_c --quiet --simple-md-filenames "$repo.new" >/dev/null
if [ -n "$keyid" ]; then
	GNUPGHOME=$keys gpg --batch --yes --local-user "$keyid" --armor \
		--detach-sign "$repo.new/repodata/repomd.xml"
	gpgcheck="gpgcheck=1
repo_gpgcheck=1
gpgkey=$baseurl/RPM-GPG-KEY-linux-aioring"
else
	gpgcheck="# No signing key was available when the repository was made
# (none in the archive key directory, debian/bin/archive-key-dir.sh):
# packages and metadata are unsigned.
gpgcheck=0
repo_gpgcheck=0"
fi
cat >"$repo.new/linux-aioring.repo" <<EOF
# linux-aioring: kernel-aioring (Linux ${DEBIAN_SOURCE_PACKAGE#linux-source-}), aioring-tools and friends.
# Copy to /etc/yum.repos.d/; baseurl is where this directory is served.
[linux-aioring]
name=linux-aioring (Linux ${DEBIAN_SOURCE_PACKAGE#linux-source-})
baseurl=$baseurl
enabled=1
$gpgcheck
EOF

# Checks: every package is in the primary metadata; signatures verify.
primary=$(find "$repo.new/repodata" -name 'primary.xml*')
for n in "${!newest[@]}"; do
	zcat -f "$primary" | grep "<name>$n</name>" >/dev/null || die "$n missing from the repository metadata"
done
if [ -n "$keyid" ]; then
	db=$(mktemp -d)
	trap 'rm -rf "$db"' EXIT
	rpmkeys --dbpath "$db" --import "$repo.new/RPM-GPG-KEY-linux-aioring"
	for f in "$repo.new"/Packages/*.rpm; do
		rpmkeys --dbpath "$db" --checksig "$f" | grep 'signatures OK' >/dev/null ||
			die "${f##*/}: signature does not verify"
	done
	GNUPGHOME=$keys gpg --batch --verify "$repo.new/repodata/repomd.xml.asc" \
		"$repo.new/repodata/repomd.xml" 2>/dev/null || die "repomd.xml.asc does not verify"
fi
rm -rf "$repo"
mv "$repo.new" "$repo"
echo "make-dnf-repo: ${#newest[@]} packages in ${repo#"$top"/}${keyid:+, signed by $keyid}; .repo file: ${repo#"$top"/}/linux-aioring.repo"
