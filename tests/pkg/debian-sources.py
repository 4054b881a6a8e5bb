#!/usr/bin/python3
"""Print the host's Debian 12 apt sources as one deb822 file.

The debootstrapped test root (debian-root.sh) and the build root of
another release (debian/bin/build-root.sh) get their mirrors from the
machine they are built on, so the repository never names an archive host.
Only enabled binary ('deb') entries for bookworm suites are kept: a
third-party repository's key would be missing in the new root. --as
SUITE renames them to another release's suites (bookworm-security ->
trixie-security), on the same archive.

    debian-sources.py [--suite-prefix bookworm] [--as SUITE] [ETC_APT]
"""
import argparse
import glob
import os
import re
import sys


def one_line_entries(path):
    """Entries of a one-line-style sources.list as deb822 dicts."""
    out = []
    with open(path) as f:
        for line in f:
            m = re.match(r"\s*deb\s+(?:\[([^]]*)\]\s*)?(\S+)\s+(\S+)\s*(.*)",
                         line.split("#", 1)[0])
            if not m:
                continue
            opts = dict(o.split("=", 1) for o in (m.group(1) or "").split() if "=" in o)
            entry = {"Types": "deb", "URIs": m.group(2), "Suites": m.group(3),
                     "Components": m.group(4).strip() or "main"}
            if "signed-by" in opts:
                entry["Signed-By"] = opts["signed-by"]
            out.append(entry)
    return out


def deb822_entries(path):
    """Stanzas of a deb822 .sources file as dicts (continuation lines kept)."""
    out, cur, key = [], {}, None
    with open(path) as f:
        for raw in f.read().splitlines() + [""]:
            if raw.startswith("#"):
                continue
            if not raw.strip():
                if cur:
                    out.append(cur)
                cur, key = {}, None
            elif raw[0] in " \t" and key:
                cur[key] += "\n" + raw
            elif ":" in raw:
                key, val = raw.split(":", 1)
                cur[key.strip()] = val.strip()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--suite-prefix", default="bookworm")
    ap.add_argument("--as", dest="rename", metavar="SUITE",
                    help="rename the kept suites to this release's")
    ap.add_argument("etc", nargs="?", default="/etc/apt")
    args = ap.parse_args()

    entries = []
    lists = [os.path.join(args.etc, "sources.list")]
    lists += sorted(glob.glob(os.path.join(args.etc, "sources.list.d", "*.list")))
    for p in lists:
        if os.path.isfile(p):
            entries += one_line_entries(p)
    for p in sorted(glob.glob(os.path.join(args.etc, "sources.list.d", "*.sources"))):
        entries += deb822_entries(p)

    kept = 0
    for e in entries:
        if e.get("Enabled", "yes").lower() == "no":
            continue
        if "deb" not in e.get("Types", "").split():
            continue
        suites = [s for s in e.get("Suites", "").split()
                  if s.startswith(args.suite_prefix)]
        if not suites:
            continue
        if args.rename:
            suites = [args.rename + s[len(args.suite_prefix):] for s in suites]
        e = dict(e, Types="deb", Suites=" ".join(suites))
        for k, v in e.items():
            print(f"{k}: {v}")
        print()
        kept += 1
    if not kept:
        sys.exit(f"debian-sources: no enabled {args.suite_prefix} 'deb' "
                 f"source under {args.etc}")


if __name__ == "__main__":
    main()
