#!/usr/bin/env bash
# ansible-test sanity on a copy of the collection placed at
# ansible_collections/hardening/docker in a temporary tree (no ignore file).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# ansible-test --venv downloads a pip bootstrap script, which this network does
# not allow: use a dedicated virtualenv and let --requirements fill it from PyPI.
# SANITY_VENV and SANITY_CORE (a pip requirement) let `make matrix` test other ansible-core releases.
venv=${SANITY_VENV:-"$top/.cache/sanity-venv"}
core=${SANITY_CORE:-$(grep '^ansible-core==' "$top/requirements.txt")}
# ansible-test skips its shellcheck test, with only a warning, when the program is missing.
if ! command -v shellcheck >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null
fi
if [ ! -x "$venv/bin/ansible-test" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "$core"
fi
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
dest="$tree/ansible_collections/hardening/docker"
mkdir -p "$dest"
# Exactly the files git would ship: tracked plus untracked-but-not-ignored.
(cd "$top" && git ls-files -z --cached --others --exclude-standard) |
  (cd "$top" && rsync -a --from0 --files-from=- ./ "$dest/")
# ansible-test's own per-test virtualenvs bootstrap pip with a script it
# downloads; place the offline stand-in where it looks first.
pip_version=$(grep -o "pip='[0-9.]*'" "$venv"/lib/python3*/site-packages/ansible_test/_internal/python_requirements.py | head -1 | cut -d"'" -f2)
cache="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
mkdir -p "$(dirname "$cache")"
cp "$top/scripts/get_pip_offline.py" "$cache"
cd "$dest"
git init -q && git add -A
"$venv/bin/ansible-test" sanity --python 3.11 --local --requirements --color no "$@"
