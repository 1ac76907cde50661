#!/usr/bin/env bash
# The execution environment definition renders: build the collection tarball,
# run `ansible-builder create` (no registry, no image pull) and check that the
# build context holds the tarball and the dependency files, and that the base
# image stays a build argument.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${BIN:-.venv/bin}
version=$(sed -n 's/^version: *//p' galaxy.yml)
tarball="hardening-docker-$version.tar.gz"
for file in execution-environment.yml ee/requirements.yml; do
  grep -q "$tarball" "$file" || { echo "check-ee: $file does not name $tarball (galaxy.yml version $version)" >&2; exit 1; }
done
mkdir -p build
"$bin/ansible-galaxy" collection build --force --output-path build . >/dev/null
context=.cache/ee-context
rm -rf "$context"
"$bin/ansible-builder" create -f execution-environment.yml -c "$context" --output-filename Containerfile >/dev/null
for file in Containerfile "_build/collections/$tarball" _build/requirements.yml _build/requirements.txt _build/bindep.txt; do
  [ -s "$context/$file" ] || { echo "check-ee: $context/$file missing or empty" >&2; exit 1; }
done
grep -q '^ARG EE_BASE_IMAGE=' "$context/Containerfile" || { echo "check-ee: base image is not a build argument" >&2; exit 1; }
grep -q 'ansible-galaxy collection install .* -r requirements.yml' "$context/Containerfile" \
  || { echo "check-ee: the Containerfile installs no collections" >&2; exit 1; }
echo "check-ee: build context rendered in $context ($(wc -l <"$context/Containerfile") Containerfile lines, $tarball included)"
