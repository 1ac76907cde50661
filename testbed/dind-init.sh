#!/bin/sh
# PID 1 of a test host: prepares what a non-privileged container lacks for
# systemd plus a nested dockerd, then becomes systemd.
#  - cgroup v1 controller mounts arrive read-only: remount them read-write so
#    systemd and the nested dockerd can create cgroups below this container's own.
#  - Docker masks parts of /proc and /sys/firmware; while those masks exist the
#    kernel refuses a fresh proc mount inside a user namespace, so a nested
#    dockerd with userns-remap could not start containers. Remove the masks.
set -u
mountinfo=/proc/self/mountinfo
awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i+1) ~ /^cgroup2?$/) print $5; break } }' "$mountinfo" |
while read -r target; do
  mount -o remount,bind,rw "$target" 2>/dev/null || echo "dind-init: cannot remount $target read-write" >&2
done
# Deepest mount points first, so a parent is never unmounted before its child.
awk '$5 ~ /^\/proc\// || $5 == "/sys/firmware" { print length($5), $5 }' "$mountinfo" | sort -rn | cut -d' ' -f2- |
while read -r target; do
  umount -l "$target" 2>/dev/null || echo "dind-init: cannot unmount $target" >&2
done
exec /lib/systemd/systemd "$@"
