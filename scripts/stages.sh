#!/usr/bin/env bash
# Run make targets one after another and print how long each took.
#   bg:TARGET    start TARGET in the background (its output goes to .cache/stages/TARGET.log)
#   wait:TARGET  wait for it, print its output and fail when it failed
# CI uses this for the version matrix's unit tests and sanity, which mostly wait
# on pip and can run while Molecule's test hosts keep the CPUs busy.
set -euo pipefail
total=$(date +%s)
declare -A pids started
mkdir -p .cache/stages
for target in "$@"; do
  start=$(date +%s)
  case $target in
    bg:*)
      name=${target#bg:}
      echo "::: stage $name started in the background (log: .cache/stages/$name.log)"
      make --no-print-directory "$name" >".cache/stages/$name.log" 2>&1 &
      pids[$name]=$!
      started[$name]=$start
      ;;
    wait:*)
      name=${target#wait:}
      rc=0
      wait "${pids[$name]}" || rc=$?
      echo "::: stage $name (background) output:"
      cat ".cache/stages/$name.log"
      echo "::: stage $name took $(( $(date +%s) - ${started[$name]} )) s in the background, exit status $rc"
      [ "$rc" = 0 ] || exit "$rc"
      ;;
    *)
      echo "::: stage $target"
      make --no-print-directory "$target"
      echo "::: stage $target took $(( $(date +%s) - start )) s"
      ;;
  esac
done
echo "::: stages $* passed in $(( $(date +%s) - total )) s"
