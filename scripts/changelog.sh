#!/usr/bin/env bash
# Fold the fragments into the release of galaxy.yml's version and regenerate
# CHANGELOG.rst (antsibull-changelog; fragments are kept, see changelogs/config.yaml).
# Run before tagging a release, and after merging changes that added fragments.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${BIN:-.venv/bin}
version=$(sed -n 's/^version: *//p' galaxy.yml)
# antsibull-changelog lists new plugins with ansible-doc, which must find this collection.
export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-$PWD/.cache/collections}
PATH="$bin:$PATH" "$bin/antsibull-changelog" release --version "$version" --update-existing
