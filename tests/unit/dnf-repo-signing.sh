#!/bin/bash
# rpm/scripts/make-dnf-repo.sh signs with the archive key that
# debian/bin/make-apt-repo.sh keeps in AIORING_ARCHIVE_KEY_DIR (one key
# for both repositories): the packages and repomd.xml carry signatures that
# verify against the exported key, and the .repo file asks dnf to check
# them. Offline, on a stand-in RPM and a throwaway key; skipped where the
# RPM tools are not installed (the Debian package build).
# shellcheck disable=SC2016 # tap_ok evaluates its checks
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"
for c in rpmbuild rpmsign rpmkeys createrepo_c gpg; do
	command -v "$c" >/dev/null || { echo "1..0 # SKIP $c is not installed"; exit 0; }
done
t=$(mktemp -d)
trap 'gpgconf --homedir "$t/key" --kill gpg-agent 2>/dev/null; rm -rf "$t"' EXIT

mkdir -m 700 "$t/key"
gpg --batch --quiet --homedir "$t/key" --passphrase '' \
	--quick-gen-key "test archive <test@linux-aioring.invalid>" ed25519 sign never 2>/dev/null
"$top/rpm/scripts/stand-in-rpm.sh" "$t/rpm/RPMS/x86_64" kernel-aioring-test 1 1 test-k >/dev/null
AIORING_ARCHIVE_KEY_DIR=$t/key "$top/rpm/scripts/make-dnf-repo.sh" "$t/rpm" "$t/repo" >"$t/out" 2>&1
rc=$?
sed 's/^/# /' "$t/out"
tap_ok '[ $rc = 0 ] && matches -x "gpgcheck=1" <"$t/repo/linux-aioring.repo" &&
	matches -x "repo_gpgcheck=1" <"$t/repo/linux-aioring.repo"' \
	"the .repo file asks dnf to check packages and metadata (rc $rc)"
mkdir "$t/db"
rpmkeys --dbpath "$t/db" --import "$t/repo/RPM-GPG-KEY-linux-aioring" 2>/dev/null
tap_ok 'rpmkeys --dbpath "$t/db" --checksig "$t"/repo/Packages/*.rpm | matches "signatures OK"' \
	"the package is signed by the archive key"
tap_ok 'gpg --batch --homedir "$t/key" --verify "$t/repo/repodata/repomd.xml.asc" "$t/repo/repodata/repomd.xml" 2>/dev/null' \
	"repomd.xml is signed by the archive key"
tap_done
