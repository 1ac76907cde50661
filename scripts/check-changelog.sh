#!/usr/bin/env bash
# Every change to what users run carries a changelog fragment.
#   scripts/check-changelog.sh [BASE]
# 1. antsibull-changelog lint: every fragment is well formed.
# 2. Each commit on the first-parent line from BASE to HEAD (on main: each merge
#    and each direct commit) that touches plugins/, roles/, playbooks/ or
#    meta/runtime.yml adds or edits a file in changelogs/fragments/ in that same
#    commit, or says "Changelog: none" in its message (nothing a user would notice).
#    BASE (or CHANGELOG_BASE) defaults to the last release, i.e. the last commit that changed
#    changelogs/changelog.yaml; only its descendants are checked, so commits that
#    merged in later from older lines of work are judged by their merge commit.
# Works on a fresh clone with full history (CI); needs no other branch.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${BIN:-.venv/bin}

"$bin/antsibull-changelog" lint

base=${1:-${CHANGELOG_BASE:-$(git log -1 --format=%H -- changelogs/changelog.yaml)}}
if [ -z "$base" ]; then
  echo "check-changelog: no release recorded in changelogs/changelog.yaml and no BASE given" >&2
  exit 1
fi
missing=()
while read -r commit; do
  [ -n "$commit" ] || continue
  git log -1 --format=%B "$commit" | grep -qi '^Changelog: none$' && continue
  files=$(git diff --name-only "$commit^1" "$commit")
  if grep -qE '^(plugins|roles|playbooks)/|^meta/runtime\.yml$' <<<"$files" \
     && ! grep -qE '^changelogs/fragments/[^/]+\.ya?ml$' <<<"$files"; then
    missing+=("$(git log -1 --format='%h %s' "$commit")")
  fi
done < <(git rev-list --first-parent --ancestry-path "$base..HEAD")
if [ "${#missing[@]}" -gt 0 ]; then
  echo "check-changelog: these changes touch plugins/, roles/ or playbooks/ without a fragment in changelogs/fragments/:" >&2
  printf '  %s\n' "${missing[@]}" >&2
  echo "Add a fragment (see changelogs/fragments/*.yml and https://docs.ansible.com/ansible/latest/community/development_process.html#changelogs)." >&2
  exit 1
fi
echo "check-changelog: fragments lint clean; every change since $(git log -1 --format=%h "$base") that needs a fragment has one"
