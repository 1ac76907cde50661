#!/usr/bin/env bash
# Run make targets one after another and print how long each took.
set -euo pipefail
total=$(date +%s)
for target in "$@"; do
  start=$(date +%s)
  echo "::: stage $target"
  make --no-print-directory "$target"
  echo "::: stage $target took $(( $(date +%s) - start )) s"
done
echo "::: stages $* passed in $(( $(date +%s) - total )) s"
