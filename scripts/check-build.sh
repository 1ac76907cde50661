#!/usr/bin/env bash
# The collection as users get it: build the tarball, install it into an empty
# collections path, and check ansible-doc lists every module and filter of
# plugins/ from the installed copy (not from this checkout).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/.venv/bin"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$top/scripts/install-tarball.sh" "$work/collections"
# Only the empty path: a copy installed elsewhere (ansible-lint makes one) must not count.
export ANSIBLE_COLLECTIONS_PATH="$work/collections"
missing=0
for kind in module filter lookup; do
  case $kind in module) dir=modules ;; *) dir=$kind ;; esac
  listed=$("$bin/ansible-doc" -t "$kind" -l hardening.docker 2>/dev/null | awk '{print $1}')
  for source in "$top"/plugins/"$dir"/*.py; do
    [ -e "$source" ] || continue
    name="hardening.docker.$(basename "$source" .py)"
    if grep -qx "$name" <<<"$listed"; then echo "  $kind $name"; else echo "MISSING: $kind $name" >&2; missing=1; fi
  done
done
"$bin/ansible-doc" -t role -l hardening.docker | grep -E '^hardening\.docker\.' | sed 's/:$//; s/^/  role /'
exit $missing
