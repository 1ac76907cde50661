#!/bin/sh
# Short hash of the test-host recipe: every file that shapes the image.
here=$(cd "$(dirname "$0")" && pwd)
cd "$here" && cat build-image.sh Dockerfile dind-init.sh packages.txt | sha256sum | cut -c1-12
