#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: hardening.docker contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Latency the authorization plugin adds to each Docker API request.

    scripts/bench_authz.py hd-authz-debian12            # a test host with the authz role applied
    scripts/bench_authz.py hd-authz-debian13 -n 1000 --rounds 3

On the test host (a container with its own dockerd), N ``GET /containers/json``
requests go over one keep-alive connection to dockerd's unix socket, timed one
by one, with the plugin named in daemon.json and without it (dockerd restarted
between the two, daemon.json restored at the end). Rounds alternate so that the
load of the machine weighs on both sides alike. Prints the medians and the
added latency per request; exits non-zero only when a step fails.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

DAEMON_JSON = '/etc/docker/daemon.json'

# Runs inside the test host with its python3: N timed requests, one connection.
CLIENT = r'''
import json, socket, sys, time
n, path = int(sys.argv[1]), sys.argv[2]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.connect(path)
request = b"GET /containers/json HTTP/1.1\r\nHost: docker\r\n\r\n"
reader = sock.makefile("rb")
times = []
for _ in range(n):
    start = time.perf_counter()
    sock.sendall(request)
    status = reader.readline()
    length = 0
    chunked = False
    while True:
        line = reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
        if name.lower() == "transfer-encoding" and "chunked" in value:
            chunked = True
    if chunked:
        while True:
            size = int(reader.readline().strip(), 16)
            reader.read(size + 2)
            if size == 0:
                break
    else:
        reader.read(length)
    times.append(time.perf_counter() - start)
    if not status.startswith(b"HTTP/1.1 200"):
        sys.exit("request failed: %r" % status)
print(json.dumps(times))
'''


def on_host(container, *argv, stdin=None):
    run = subprocess.run(['docker', 'exec', '-i', container] + list(argv), input=stdin,
                         capture_output=True, text=True, check=False)
    if run.returncode != 0:
        sys.exit('%s on %s failed: %s' % (' '.join(argv), container, (run.stderr or run.stdout).strip()))
    return run.stdout


def restart_dockerd(container):
    on_host(container, 'sh', '-c', 'systemctl reset-failed docker.service docker.socket 2>/dev/null; '
            'systemctl restart docker.socket docker.service && '
            'timeout 60 sh -c "until docker info >/dev/null 2>&1; do sleep 1; done"')


def authz_plugins(container):
    return on_host(container, 'docker', 'info', '--format', '{{json .Plugins.Authorization}}').strip()


def timed(container, count, socket_path):
    return json.loads(on_host(container, 'python3', '-', str(count), socket_path, stdin=CLIENT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('container', help='test host (docker container) where the authz role was applied')
    parser.add_argument('-n', '--requests', type=int, default=1000)
    parser.add_argument('--rounds', type=int, default=2, help='rounds with and without the plugin, alternating')
    parser.add_argument('--socket', default='/run/docker.sock')
    args = parser.parse_args()

    original = on_host(args.container, 'cat', DAEMON_JSON)
    config = json.loads(original)
    if not config.get('authorization-plugins'):
        sys.exit('%s: daemon.json names no authorization plugin: apply the authz role first '
                 '(make molecule SCENARIOS=authz MOLECULE_SEQUENCE=converge)' % args.container)
    without = dict(config)
    del without['authorization-plugins']

    samples = {'with': [], 'without': []}
    try:
        for _round in range(args.rounds):
            for side, text in (('without', json.dumps(without, indent=2) + '\n'), ('with', original)):
                on_host(args.container, 'sh', '-c', 'cat > %s' % DAEMON_JSON, stdin=text)
                restart_dockerd(args.container)
                plugins = authz_plugins(args.container)
                if (side == 'with') != (plugins not in ('null', '[]')):
                    sys.exit('dockerd reports authorization plugins %s, expected %s' % (plugins, side))
                timed(args.container, 50, args.socket)  # warm-up: connections, caches
                samples[side] += timed(args.container, args.requests, args.socket)
    finally:
        on_host(args.container, 'sh', '-c', 'cat > %s' % DAEMON_JSON, stdin=original)
        restart_dockerd(args.container)

    med = {side: statistics.median(values) * 1000 for side, values in samples.items()}
    p90 = {side: statistics.quantiles(values, n=10)[-1] * 1000 for side, values in samples.items()}
    print('%s: %d x GET /containers/json per side (%d rounds), plugins with: %s'
          % (args.container, len(samples['with']), args.rounds, authz_plugins(args.container)))
    for side in ('without', 'with'):
        print('  %-8s median %.3f ms  p90 %.3f ms' % (side, med[side], p90[side]))
    print('  added latency per request (median): %.3f ms (target < 2 ms)' % (med['with'] - med['without']))
    return 0


if __name__ == '__main__':
    sys.exit(main())
