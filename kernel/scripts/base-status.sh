#!/bin/bash
# 'make base-status': the pinned Debian upload (kernel/version.env) and the
# newest one the configured archive offers, for a daily job:
#
#   base-status.sh [VERSION_ENV]
#
# Without VERSION_ENV: the version file of BASE (kernel/scripts/base.sh).
# Exit 0 when the pinned upload is the newest, 1 when it is behind (the
# line names the command that rebases), 2 when the archive could not be
# asked. Reads apt's lists as they are; run 'apt-get update' first for a
# fresh answer.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
if [ $# -gt 0 ]; then
	env_file=$1
else
	. "$top/kernel/scripts/base.sh"
	env_file=$base_dir/version.env
fi
. "$top/kernel/scripts/base-env.sh"
base_env "$env_file"

newest=$("$top/kernel/scripts/newest-upload.sh" "$DEBIAN_SOURCE_PACKAGE") || exit 2
echo "pinned: $DEBIAN_SOURCE_PACKAGE $DEBIAN_SOURCE_VERSION (ABI $DEBIAN_ABI)"
echo "newest: $DEBIAN_SOURCE_PACKAGE $newest"
if [ "$newest" = "$DEBIAN_SOURCE_VERSION" ]; then
	echo "current"
	exit 0
fi
if dpkg --compare-versions "$newest" lt "$DEBIAN_SOURCE_VERSION"; then
	echo "ahead: the archive's newest is older than the pinned upload"
	exit 0
fi
echo "behind: rebase with 'make rebase-base' (or 'make rebase-base VERSION=$newest')"
exit 1
