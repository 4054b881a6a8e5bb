#!/bin/sh
# Print the GnuPG home of the key that signs the project's apt and dnf
# repositories (debian/bin/make-apt-repo.sh makes it there on first use;
# rpm/scripts/make-dnf-repo.sh signs with it): AIORING_ARCHIVE_KEY_DIR,
# default linux-aioring/archive-key under XDG_DATA_HOME (~/.local/share),
# outside the work tree so that fresh clones sign with the key installed
# machines already trust.
echo "${AIORING_ARCHIVE_KEY_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/linux-aioring/archive-key}"
