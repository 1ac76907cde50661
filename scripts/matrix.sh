#!/usr/bin/env bash
# The controller-version matrix: for each ansible-core of tests/matrix/<version>.txt,
# a virtualenv (that ansible-core, the `ansible` package of the same release for
# its collections, the test tooling of tests/matrix/tools.txt), then the unit
# tests, ansible-test sanity and the default Molecule scenario under it; prints
# a result table with the time of each step.
#   MATRIX="2.16 2.17 2.18"            versions on this machine's Python 3.11 (default: 2.16-2.18;
#                                      2.19 is what `make test` itself runs with requirements.txt)
#   MATRIX_STEPS="unit sanity molecule"
#   MATRIX_MOLECULE="2.16 2.17 2.18"   versions that run the molecule step (default: all of MATRIX);
#                                      the others show it as not-run
#   MATRIX_SEQUENCE=test               Molecule sequence of the default scenario, or a list of
#                                      actions run one by one (e.g. "create prepare converge
#                                      idempotence side_effect verify destroy": no check step)
#   MATRIX_SCENARIO=default            scenario to run (its containers are hd-<scenario>-*)
#   MATRIX_CONTAINER="2.20 2.21"       versions that need Python >= 3.12: unit tests only, run with
#                                      Debian 13's python3 in a container of the trixie test-host
#                                      image (no pip or venv there: packages installed for 3.13
#                                      with pip --target here); "" skips them
#   MATRIX_RESET=1                     forget the results of earlier runs first
# Each result is kept in .cache/matrix/results/<version>.<step>, so that runs of
# different steps (CI runs unit and sanity next to Molecule, then the scenario)
# add up to one table: printed at the end and written to .cache/matrix/results.txt.
# Exit status: 1 when any step of this run failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
top=$PWD
versions=${MATRIX:-2.16 2.17 2.18}
container_versions=${MATRIX_CONTAINER-2.20 2.21}
scenario=${MATRIX_SCENARIO:-default}
steps=${MATRIX_STEPS:-unit sanity molecule}
molecule_versions=" ${MATRIX_MOLECULE-$versions} "
sequence=${MATRIX_SEQUENCE:-test}
[ "${MATRIX_RESET:-0}" = 1 ] && rm -rf .cache/matrix/results
mkdir -p .cache/matrix/results
export ANSIBLE_COLLECTIONS_PATH="$top/.cache/collections" PYTHONPATH="$top/.cache/collections"
export HD_TESTBED_TAG=${HD_TESTBED_TAG:-$(testbed/recipe-hash.sh)}
failed=0

# record VERSION STEP RESULT [SECONDS]
record() {
  echo "$3${4:+ $4s}" >".cache/matrix/results/$1.$2"
  [ "$3" = FAIL ] && failed=1
  return 0
}

venv_for() {
  local version=$1 venv=".cache/matrix/$1"
  local stamp
  stamp=$(cat "tests/matrix/$version.txt" tests/matrix/tools.txt | sha256sum | cut -c1-16)
  if [ "$(cat "$venv/.stamp" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv" &&
      "$venv/bin/pip" install --quiet --upgrade pip &&
      "$venv/bin/pip" install --quiet -r "tests/matrix/$version.txt" -r tests/matrix/tools.txt &&
      echo "$stamp" >"$venv/.stamp" || return 1
  fi
}

run_step() {
  local version=$1 step=$2 venv="$top/.cache/matrix/$1"
  case $step in
    unit) PATH="$venv/bin:$PATH" "$venv/bin/pytest" -q -p no:cacheprovider tests/unit ;;
    sanity)
      # ansible-core 2.16 still checks the Python 2 boilerplate of every module;
      # this collection's modules need Python 3 on the target (from __future__
      # import annotations), so those two tests do not apply.
      local skip=()
      [ "$version" = 2.16 ] && skip=(--skip-test future-import-boilerplate --skip-test metaclass-boilerplate)
      SANITY_VENV="$top/.cache/matrix/$version-sanity" \
        SANITY_CORE=$(grep '^ansible-core==' "tests/matrix/$version.txt") scripts/sanity.sh "${skip[@]}" ;;
    molecule)
      local action rc=0
      # A Molecule that loads no platform runs every action on no host and
      # "passes": count the test hosts first.
      local hosts
      hosts=$(PATH="$venv/bin:$PATH" "$venv/bin/molecule" list -s "$scenario" --format plain 2>/dev/null || true)
      if [[ $hosts != *"hd-$scenario-"* ]]; then
        echo "matrix: the molecule of ansible-core $version finds no test host in scenario $scenario" >&2
        return 1
      fi
      for action in $sequence; do
        PATH="$venv/bin:$PATH" "$venv/bin/molecule" "$action" -s "$scenario" || { rc=1; break; }
      done
      # a partial sequence must not leave its test hosts behind
      [ "$sequence" = test ] || PATH="$venv/bin:$PATH" "$venv/bin/molecule" destroy -s "$scenario" >/dev/null 2>&1
      return $rc ;;
  esac
}

container_unit() {
  local version=$1 target="$top/.cache/matrix/py313-$1"
  local stamp
  stamp=$(sha256sum <"tests/matrix/$version.txt" | cut -c1-16)
  if [ "$(cat "$target/.stamp" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$target"
    pip_bin=$(command -v "$top/.venv/bin/pip" || command -v pip3)
    "$pip_bin" install --quiet --target "$target" --python-version 3.13 --implementation cp --only-binary=:all: \
      --platform manylinux2014_x86_64 --platform manylinux_2_28_x86_64 --platform manylinux_2_34_x86_64 \
      -r "tests/matrix/$version.txt" && echo "$stamp" >"$target/.stamp" || return 1
  fi
  docker run --rm -v "$top:/src:ro" -w /src -e PYTHONDONTWRITEBYTECODE=1 \
    -e "PYTHONPATH=/src/.cache/matrix/py313-$version:/src/.cache/collections" \
    "local/hd-debian13:$HD_TESTBED_TAG" python3 -m pytest -q -p no:cacheprovider tests/unit
}

for version in $versions; do
  start=$(date +%s)
  echo "::: matrix ansible-core $version: virtualenv"
  if ! venv_for "$version"; then
    record "$version" venv FAIL
    continue
  fi
  record "$version" venv ok $(( $(date +%s) - start ))
  echo "::: matrix $(".cache/matrix/$version/bin/ansible" --version | head -1)"
  for step in $steps; do
    if [ "$step" = molecule ] && [[ $molecule_versions != *" $version "* ]]; then
      [ -e ".cache/matrix/results/$version.$step" ] || record "$version" "$step" not-run
      continue
    fi
    start=$(date +%s)
    echo "::: matrix ansible-core $version: $step"
    if run_step "$version" "$step"; then outcome=pass; else outcome=FAIL; fi
    record "$version" "$step" $outcome $(( $(date +%s) - start ))
    echo "::: matrix ansible-core $version: $step $outcome in $(( $(date +%s) - start )) s"
  done
done

for version in $container_versions; do
  start=$(date +%s)
  echo "::: matrix ansible-core $version (Python 3.13 in a Debian 13 container): unit"
  if container_unit "$version"; then outcome=pass; else outcome=FAIL; fi
  record "$version" unit $outcome $(( $(date +%s) - start ))
  record "$version" venv py3.13
done

{
  printf '%-14s %-12s %-14s %-14s %-14s\n' ansible-core venv unit sanity molecule
  for version in $(find .cache/matrix/results -type f -printf "%f\n" | sed "s/\.[a-z]*$//" | sort -uV); do
    printf '%-14s' "$version"
    for step in venv unit sanity molecule; do
      printf ' %-14s' "$(cat ".cache/matrix/results/$version.$step" 2>/dev/null || echo not-run)"
    done
    printf '\n'
  done
} | tee .cache/matrix/results.txt
exit $failed
