#!/bin/bash
# A local, signed apt repository of the packages 'make deb' built for each
# base (the apt half of 'make repo'), one distribution per Debian release:
#
#   debian/bin/make-apt-repo.sh [REPODIR [SUITE=DEBDIR...]]
#        (default build/pkg/repo)
#
# Each base whose packages are built (bookworm: build/pkg/deb; another,
# such as trixie: build/BASE/pkg/deb), or each SUITE=DEBDIR given,
# becomes a distribution, named by the base's DEBIAN_SUITE: REPODIR/apt/pool/SUITE and dists/SUITE/main, with
# Packages and Sources indexes by apt-ftparchive and the Release signed as
# InRelease and Release.gpg, all by one key. REPODIR/
# linux-aioring-archive-keyring.gpg is the public key for "signed-by";
# REPODIR/apt/linux-aioring.sources a deb822 entry for this machine's
# release.
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
repo=$(realpath -m "${1:-$top/build/pkg/repo}")
[ $# = 0 ] || shift
keys=$("$top/debian/bin/archive-key-dir.sh")
uid="linux-aioring local archive <devel@linux-aioring.invalid>"

die() { echo "make-apt-repo: $*" >&2; exit 1; }
# SUITE DEBDIR, for each base with packages (or as given)
suites=() bases=()
for a in "$@"; do
	[[ $a == [a-z]*=?* ]] || die "'$a' is not SUITE=DEBDIR"
	suites+=("${a%%=*}" "$(realpath -m "${a#*=}")")
done
if [ $# = 0 ]; then
	for env in "$top"/kernel/bases/*/version.env; do
		bases+=("$(basename "$(dirname "$env")")")
	done
	for b in bookworm "${bases[@]}"; do
		# the base's release and package directory (base.sh)
		# shellcheck source=kernel/scripts/base.sh
		read -r suite debdir < <(BASE=$b && . "$top/kernel/scripts/base.sh" &&
			echo "$DEBIAN_SUITE $base_build/pkg/deb")
		ls "$debdir"/*.deb >/dev/null 2>&1 && suites+=("$suite" "$debdir")
	done
fi
[ ${#suites[@]} -gt 0 ] || die "no .deb of any base (run 'make deb' first)"
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

keyring=$repo/linux-aioring-archive-keyring.gpg
rm -rf "$repo/apt"
mkdir -p "$repo/apt"
gpgk --export "$fpr" >"$keyring"
cd "$repo/apt"

# one distribution: its pool directory, indexes and signed Release
one_suite() {
	local suite=$1 debdir=$2 f
	mkdir -p "pool/$suite" "dists/$suite/main/binary-amd64" "dists/$suite/main/source"
	cp "$debdir"/*.deb "pool/$suite/"
	for f in "$debdir"/*.dsc "$debdir"/*.tar.*; do
		[ -f "$f" ] && cp "$f" "pool/$suite/"
	done
	# (no override file: every package keeps the section and priority of
	# its control file, which apt-ftparchive would otherwise report)
	apt-ftparchive packages "pool/$suite" 2> >(grep -v 'override entry' >&2) \
		>"dists/$suite/main/binary-amd64/Packages"
	apt-ftparchive sources "pool/$suite" 2> >(grep -v 'override entry' >&2) \
		>"dists/$suite/main/source/Sources"
	for f in "dists/$suite/main/binary-amd64/Packages" "dists/$suite/main/source/Sources"; do
		gzip -9nk "$f"
		xz -k "$f"
	done
	apt-ftparchive \
		-o APT::FTPArchive::Release::Origin=linux-aioring \
		-o APT::FTPArchive::Release::Label=linux-aioring \
		-o APT::FTPArchive::Release::Suite="$suite" \
		-o APT::FTPArchive::Release::Codename="$suite" \
		-o APT::FTPArchive::Release::Architectures=amd64 \
		-o APT::FTPArchive::Release::Components=main \
		-o "APT::FTPArchive::Release::Description=linux-aioring packages for Debian $suite (local build)" \
		release "dists/$suite" >"$repo/Release.tmp"
	mv "$repo/Release.tmp" "dists/$suite/Release"
	gpgk --yes --local-user "$fpr" --clearsign -o "dists/$suite/InRelease" "dists/$suite/Release"
	gpgk --yes --local-user "$fpr" --armor --detach-sign -o "dists/$suite/Release.gpg" "dists/$suite/Release"
	# what apt will do: check both signatures against the exported keyring
	gpgv --keyring "$keyring" "dists/$suite/InRelease" 2>/dev/null ||
		die "$suite: InRelease does not verify with $keyring"
	gpgv --keyring "$keyring" "dists/$suite/Release.gpg" "dists/$suite/Release" 2>/dev/null ||
		die "$suite: Release.gpg does not verify with $keyring"
	echo "make-apt-repo: $suite: $(grep -c '^Package:' "dists/$suite/main/binary-amd64/Packages") packages from ${debdir#"$top"/}"
}
for ((i = 0; i < ${#suites[@]}; i += 2)); do
	one_suite "${suites[i]}" "${suites[i + 1]}"
done

host=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -d "dists/$host" ] || host=${suites[0]}
cat >linux-aioring.sources <<EOF
Types: deb deb-src
URIs: file:$repo/apt
Suites: $host
Components: main
Signed-By: $keyring
EOF
names=()
for ((i = 0; i < ${#suites[@]}; i += 2)); do names+=("${suites[i]}"); done
echo "make-apt-repo: ${repo#"$top"/}/apt (${names[*]}), signed by $fpr"
echo "  one-line entry: deb [signed-by=$keyring] file:$repo/apt $host main"
echo "  deb822 entry:   $repo/apt/linux-aioring.sources"
