#!/usr/bin/env bash
# The collection as users get it: build the tarball from this checkout and
# install it into DEST, an empty collections path (any earlier install there is
# removed first).   usage: install-tarball.sh DEST
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/.venv/bin"
dest=${1:?usage: install-tarball.sh DEST}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin/ansible-galaxy" collection build --output-path "$work" "$top" >/dev/null
tarball=$(ls "$work"/hardening-docker-*.tar.gz)
rm -rf "$dest/ansible_collections/hardening/docker"
mkdir -p "$dest"
"$bin/ansible-galaxy" collection install --offline -p "$dest" "$tarball" >/dev/null
echo "installed $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KiB) into $dest"
