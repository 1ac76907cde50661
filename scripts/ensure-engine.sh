#!/usr/bin/env bash
# Make sure a Docker engine answers on this machine: install docker.io and
# debootstrap when missing, start dockerd in the background when none answers.
# The machine has no systemd as PID 1, so dockerd is started directly.
set -euo pipefail
missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v rsync >/dev/null || missing+=(rsync)
dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)  # workload image for test hosts
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if docker info >/dev/null 2>&1; then
  exit 0
fi
log=/var/log/hd-dockerd.log
echo "starting dockerd (log: $log)"
nohup /usr/sbin/dockerd >"$log" 2>&1 &
for _ in $(seq 60); do
  docker info >/dev/null 2>&1 && { echo "dockerd is up"; exit 0; }
  sleep 1
done
echo "dockerd did not answer within 60 s; last lines of $log:" >&2
tail -20 "$log" >&2
exit 1
