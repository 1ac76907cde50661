#!/usr/bin/env bash
# Headless Chromium (Debian's package) for the HTML report test.
set -euo pipefail
command -v chromium >/dev/null && exit 0
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
