#!/usr/bin/env bash
# Build the test-host image for one Debian suite, without any registry:
# debootstrap a rootfs, `docker import` it, add the thin Dockerfile layer.
# The tag is a hash of this directory's recipe, so an unchanged recipe is reused
# and a changed one rebuilds.   usage: build-image.sh bookworm|trixie
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
suite=${1:?usage: build-image.sh bookworm|trixie}
case $suite in
  bookworm) name=local/hd-debian12; extra="" ;;
  trixie) name=local/hd-debian13; extra="docker-cli" ;;  # trixie's docker.io has no client
  *) echo "build-image.sh: unknown suite $suite (bookworm|trixie)" >&2; exit 2 ;;
esac
docker=${DOCKER:-docker}
tag=$("$here/recipe-hash.sh")
if "$docker" image inspect "$name:$tag" >/dev/null 2>&1; then
  echo "$name:$tag is up to date"
  "$docker" tag "$name:$tag" "$name:latest"
  exit 0
fi
work="$here/.work"
rootfs="$work/rootfs-$suite"
mkdir -p "$work"
rm -rf "$rootfs"
packages=$(grep -v '^#' "$here/packages.txt" | grep . | paste -sd, -)
[ -n "$extra" ] && packages="$packages,$extra"
echo "debootstrap $suite -> $rootfs"
start=$(date +%s)
debootstrap --variant=minbase --include="$packages" "$suite" "$rootfs" >"$work/debootstrap-$suite.log" 2>&1 ||
  { tail -30 "$work/debootstrap-$suite.log" >&2; exit 1; }
chroot "$rootfs" apt-get clean
rm -rf "$rootfs"/var/lib/apt/lists/*
: >"$rootfs/etc/machine-id"          # every container gets its own machine-id
rm -f "$rootfs/var/lib/dbus/machine-id"
# A 2 MB busybox image tarball, imported into the nested engine by Molecule's
# prepare: a workload to run, taken from the build machine's busybox-static so
# the test host itself gets no extra package.
busybox=/bin/busybox
dpkg -s busybox-static >/dev/null 2>&1 ||
  { echo "build-image.sh: needs busybox-static on this machine (scripts/ensure-engine.sh installs it)" >&2; exit 1; }
rm -rf "$work/busybox"
mkdir -p "$work/busybox/bin"
cp "$busybox" "$work/busybox/bin/busybox"
for applet in $("$work/busybox/bin/busybox" --list); do [ "$applet" = busybox ] || ln -sf busybox "$work/busybox/bin/$applet"; done
mkdir -p "$rootfs/usr/local/share/hd-testbed"
tar -C "$work/busybox" -cf "$rootfs/usr/local/share/hd-testbed/busybox.tar" .
tar -C "$rootfs" -c . | "$docker" import - "$name:rootfs-$tag" >/dev/null
DOCKER_BUILDKIT=0 "$docker" build -q --build-arg "ROOTFS_IMAGE=$name:rootfs-$tag" -t "$name:$tag" "$here" >/dev/null
"$docker" rmi "$name:rootfs-$tag" >/dev/null 2>&1 || true
"$docker" tag "$name:$tag" "$name:latest"
rm -rf "$rootfs"
echo "built $name:$tag in $(( $(date +%s) - start )) s"
