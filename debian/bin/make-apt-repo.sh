#!/bin/bash
# A local, signed apt repository of the packages 'make deb' built (the apt
# half of 'make repo'):
#
#   debian/bin/make-apt-repo.sh [DEBDIR [REPODIR]]
#        (defaults: build/pkg/deb and build/pkg/repo)
#
# writes REPODIR/apt (pool/ + dists/aioring/main, Packages and Sources
# indexes by apt-ftparchive, Release signed as InRelease and Release.gpg)
# and REPODIR/linux-aioring-archive-keyring.gpg, the public key for
# "signed-by". REPODIR/apt/linux-aioring.sources is a deb822 entry for
# this machine.
#
# The signing key lives outside the work tree, in AIORING_ARCHIVE_KEY_DIR
# (a GnuPG home; default ~/.local/share/linux-aioring/archive-key, under
# XDG_DATA_HOME when set), so 'make distclean' and fresh clones keep
# signing with the key that installed machines already trust. It is made
# there on first use with gpg --batch (no passphrase: it signs a local
# test archive only); a key left in build/pkg/keys/gnupg by older
# versions is taken over.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
case ${1:-} in -h|--help) sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;; esac
debdir=$(realpath -m "${1:-$top/build/pkg/deb}")
repo=$(realpath -m "${2:-$top/build/pkg/repo}")
keys=${AIORING_ARCHIVE_KEY_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/linux-aioring/archive-key}
suite=aioring
uid="linux-aioring local archive <devel@linux-aioring.invalid>"

die() { echo "make-apt-repo: $*" >&2; exit 1; }
ls "$debdir"/*.deb >/dev/null 2>&1 || die "no .deb in $debdir (run 'make deb' first)"
for c in apt-ftparchive gpg gpgv; do
	command -v "$c" >/dev/null || die "$c missing (apt-get install apt-utils gnupg gpgv)"
done

case $(realpath -m "$keys")/ in
"$top"/*) die "AIORING_ARCHIVE_KEY_DIR=$keys is inside the work tree; keep the key out of it" ;;
esac
gpgk() { gpg --batch --quiet --homedir "$keys" "$@"; }
# gpg starts an agent for the key directory; stop it when done
trap 'gpgconf --homedir "$keys" --kill gpg-agent 2>/dev/null || true' EXIT
old=$top/build/pkg/keys/gnupg
if [ ! -e "$keys" ] && [ -d "$old" ]; then
	mkdir -p "$(dirname "$keys")"
	cp -a "$old" "$keys"
	echo "make-apt-repo: copied the archive signing key from ${old#"$top"/} to $keys"
fi
if [ ! -d "$keys" ] || ! gpgk --list-secret-keys "$uid" >/dev/null 2>&1; then
	mkdir -p "$keys"
	chmod 700 "$keys"
	gpgk --passphrase '' --quick-generate-key "$uid" rsa3072 sign never
	echo "make-apt-repo: made the archive signing key in $keys"
fi
fpr=$(gpgk --with-colons --list-secret-keys "$uid" | awk -F: '$1 == "fpr" { print $10; exit }')

rm -rf "$repo/apt"
mkdir -p "$repo/apt/pool/main" "$repo/apt/dists/$suite/main/binary-amd64" \
	 "$repo/apt/dists/$suite/main/source"
cp "$debdir"/*.deb "$repo/apt/pool/main/"
for f in "$debdir"/*.dsc "$debdir"/*.tar.*; do
	[ -f "$f" ] && cp "$f" "$repo/apt/pool/main/"
done

cd "$repo/apt"
# (no override file: every package keeps the section and priority of
# its control file, which apt-ftparchive would otherwise report)
apt-ftparchive packages pool 2> >(grep -v 'override entry' >&2) >"dists/$suite/main/binary-amd64/Packages"
apt-ftparchive sources pool 2> >(grep -v 'override entry' >&2) >"dists/$suite/main/source/Sources"
for f in "dists/$suite/main/binary-amd64/Packages" "dists/$suite/main/source/Sources"; do
	gzip -9nk "$f"
	xz -k "$f"
done
apt-ftparchive \
	-o APT::FTPArchive::Release::Origin=linux-aioring \
	-o APT::FTPArchive::Release::Label=linux-aioring \
	-o APT::FTPArchive::Release::Suite=$suite \
	-o APT::FTPArchive::Release::Codename=$suite \
	-o APT::FTPArchive::Release::Architectures=amd64 \
	-o APT::FTPArchive::Release::Components=main \
	-o "APT::FTPArchive::Release::Description=linux-aioring packages (local build)" \
	release "dists/$suite" >"$repo/Release.tmp"
mv "$repo/Release.tmp" "dists/$suite/Release"
gpgk --yes --local-user "$fpr" --clearsign -o "dists/$suite/InRelease" "dists/$suite/Release"
gpgk --yes --local-user "$fpr" --armor --detach-sign -o "dists/$suite/Release.gpg" "dists/$suite/Release"

keyring=$repo/linux-aioring-archive-keyring.gpg
gpgk --export "$fpr" >"$keyring"
# what apt will do: check both signatures against the exported keyring
gpgv --keyring "$keyring" "dists/$suite/InRelease" 2>/dev/null ||
	die "InRelease does not verify with $keyring"
gpgv --keyring "$keyring" "dists/$suite/Release.gpg" "dists/$suite/Release" 2>/dev/null ||
	die "Release.gpg does not verify with $keyring"

cat >linux-aioring.sources <<EOF
Types: deb deb-src
URIs: file:$repo/apt
Suites: $suite
Components: main
Signed-By: $keyring
EOF
echo "make-apt-repo: $(grep -c '^Package:' "dists/$suite/main/binary-amd64/Packages") packages in ${repo#"$top"/}/apt, signed by $fpr"
echo "  one-line entry: deb [signed-by=$keyring] file:$repo/apt $suite main"
echo "  deb822 entry:   $repo/apt/linux-aioring.sources"
