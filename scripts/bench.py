#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: hardening.docker contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark the main job and the audit against a floor, on fresh stock test hosts.

    scripts/bench.py                      # 1 and 8 hosts (make bench)
    scripts/bench.py --hosts 1            # one host only
    scripts/bench.py --preinstalled       # also: a first run where the packages are already there

For each host count N it starts N fresh test hosts (hd-bench-1..N) from the
local Debian 12 image with the platform settings of .config/molecule/config.yml,
and runs side by side, with N forks:
  floor     tests/bench/floor.yml: one daemon.json write, one restart, docker info
  harden    hardening.docker.harden, first run and rerun, on another N fresh hosts
  audit     hardening.docker.audit on the hardened hosts
Host start-up is not timed. Stock hosts have empty apt lists and none of the
packages the roles install, so the first run of the main job includes apt-get
update and install; --preinstalled adds a first run on hosts where those
packages were installed beforehand (not timed).
Prints seconds, task executions per host, dockerd restarts per host, the
machine's busy CPU seconds (controller and hosts share its cores) and the
ratios of the acceptance criteria, with the lowest ratio the machine's cores
allow for N hosts. Removes its hosts at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import yaml

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
BIN = os.path.join(ROOT, '.venv', 'bin')
COLLECTIONS = os.path.join(ROOT, '.cache', 'collections')
BENCH = os.path.join(ROOT, 'tests', 'bench')
PACKAGES = ['auditd', 'apparmor', 'python3-cryptography']
PREFIX = ['hd-bench']
CORES = os.cpu_count() or 1


def sh(argv, check=True, **kwargs):
    proc = subprocess.run(argv, capture_output=True, text=True, check=False, **kwargs)
    if check and proc.returncode != 0:
        raise SystemExit('%s failed (rc=%s): %s' % (' '.join(argv), proc.returncode, (proc.stderr or proc.stdout)[-2000:]))
    return proc


def platform_settings():
    """The first platform of the one Molecule platform definition."""
    with open(os.path.join(ROOT, '.config', 'molecule', 'config.yml')) as handle:
        return yaml.safe_load(handle)['platforms'][0]


def image_name(platform):
    tag = os.environ.get('HD_TESTBED_TAG') or sh([os.path.join(ROOT, 'testbed', 'recipe-hash.sh')]).stdout.strip()
    return platform['image'].replace('${HD_TESTBED_TAG:-latest}', tag)


def run_argv(name, platform):
    argv = ['docker', 'run', '-d', '--name', name, '--hostname', name]
    for cap in platform.get('capabilities') or []:
        argv += ['--cap-add', cap]
    for opt in platform.get('security_opts') or []:
        argv += ['--security-opt', opt]
    if platform.get('cgroupns_mode'):
        argv += ['--cgroupns', platform['cgroupns_mode']]
    for mount in platform.get('tmpfs') or []:
        argv += ['--tmpfs', mount]
    for volume in platform.get('volumes') or []:
        argv += ['-v', volume]
    if platform.get('stop_signal'):
        argv += ['--stop-signal', platform['stop_signal']]
    return argv + [image_name(platform), platform['command']]


def destroy(names):
    if names:
        sh(['docker', 'rm', '-f', '-v'] + names, check=False)


def host_names(count):
    return ['%s-%d' % (PREFIX[0], i + 1) for i in range(count)]


def start_hosts(count, platform, preinstall=False):
    names = host_names(count)
    destroy(names)
    for name in names:
        sh(run_argv(name, platform))
    for name in names:
        deadline = time.monotonic() + 120
        while True:
            state = sh(['docker', 'exec', name, 'systemctl', 'is-system-running'], check=False).stdout.strip()
            ready = state in ('running', 'degraded') and \
                sh(['docker', 'exec', name, 'docker', 'info'], check=False).returncode == 0
            if ready:
                break
            if time.monotonic() > deadline:
                raise SystemExit('%s did not boot (state %r)' % (name, state))
            time.sleep(1)
        if preinstall:
            sh(['docker', 'exec', '-e', 'DEBIAN_FRONTEND=noninteractive', name, 'sh', '-c',
                'apt-get update -qq && apt-get install -y -qq --no-install-recommends ' + ' '.join(PACKAGES)])
    return names


def write_inventory(path, names):
    hosts = dict((name, None) for name in names)
    inventory = {'all': {'hosts': hosts, 'vars': {
        'ansible_connection': 'community.docker.docker',
        'ansible_python_interpreter': '/usr/bin/python3',
        # Stock hosts have no sudo: log in as root and become root with su, as Molecule does.
        'ansible_become_method': 'su',
    }}}
    with open(path, 'w') as handle:
        yaml.safe_dump(inventory, handle)


def dockerd_starts(name):
    """How many times systemd has started docker.service on the host (the journal's own record).

    Counted before and after a run, not "since a time": the journal's --since
    has one-second resolution, and a host whose boot start fell in the same
    second as the run's start counted its boot as a restart.
    """
    out = sh(['docker', 'exec', name, 'journalctl', '-u', 'docker.service', '--no-pager', '-o', 'cat'],
             check=False).stdout
    return sum(1 for line in out.splitlines() if line.startswith('Started docker'))


def machine_busy_seconds():
    """CPU seconds all cores of this machine spent busy since boot (/proc/stat).

    The test hosts are containers on the same cores as the controller, so the
    machine's busy time is the whole cost of a run: ansible-playbook and its
    forks, the docker CLI, dockerd's exec handling and the hosts' Python.
    Other load on the machine counts too: read it on a quiet machine.
    """
    with open('/proc/stat') as handle:
        fields = [int(value) for value in handle.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / float(os.sysconf('SC_CLK_TCK'))


def run_play(label, playbook, inventory, names, workdir, forks, extra=()):
    counts_file = os.path.join(workdir, 'counts-%s.json' % label)
    env = dict(os.environ)
    env.update({
        'ANSIBLE_COLLECTIONS_PATH': COLLECTIONS,
        'ANSIBLE_CALLBACK_PLUGINS': os.path.join(BENCH, 'callback_plugins'),
        'ANSIBLE_CALLBACKS_ENABLED': 'bench_counts' + (',ansible.posix.profile_tasks' if env.get('HD_BENCH_PROFILE') else ''),
        'ANSIBLE_HOST_KEY_CHECKING': 'False',
        'ANSIBLE_FORCE_COLOR': 'false',
        'ANSIBLE_LOCAL_TEMP': os.path.join(workdir, 'tmp'),
        'HD_BENCH_COUNTS': counts_file,
    })
    argv = [os.path.join(BIN, 'ansible-playbook'), '-i', inventory, '-f', str(forks), playbook] + list(extra)
    starts_before = dict((name, dockerd_starts(name)) for name in names)
    busy_before = machine_busy_seconds()
    usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False, cwd=workdir)
    elapsed = time.monotonic() - start
    usage_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy = machine_busy_seconds() - busy_before
    # ansible-playbook, its forks and the docker CLI they start (all reaped children).
    controller_cpu = (usage_after.ru_utime + usage_after.ru_stime) - (usage_before.ru_utime + usage_before.ru_stime)
    log = os.path.join(workdir, '%s.log' % label)
    with open(log, 'w') as handle:
        handle.write(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        raise SystemExit('%s failed (rc=%s), see %s:\n%s' % (label, proc.returncode, log, proc.stdout[-4000:]))
    with open(counts_file) as handle:
        counts = json.load(handle)
    restarts = [dockerd_starts(name) - starts_before[name] for name in names]
    tasks = [counts.get(name, {}).get('total', 0) for name in names]
    print('  %-28s %7.1f s, %s tasks/host, %s restarts, CPU %.1f s (controller %.1f s)'
          % (label, elapsed, span(tasks), span(restarts), busy, controller_cpu), flush=True)
    return {'label': label, 'seconds': elapsed, 'tasks': tasks, 'restarts': restarts,
            'cpu_seconds': busy, 'controller_cpu_seconds': controller_cpu, 'counts': counts, 'log': log}


def span(values):
    low, high = min(values), max(values)
    return str(low) if low == high else '%s-%s' % (low, high)


def bench(count, platform, workdir, preinstalled):
    forks = count
    rows = {}
    harden_extra = ['-e', 'daemon_tls_pki_dir=%s' % os.path.join(workdir, 'pki-%d' % count)]
    audit_extra = ['-e', 'audit_report_dir=%s' % os.path.join(workdir, 'reports-%d' % count)]
    inventory = os.path.join(workdir, 'inventory-%d.yml' % count)
    try:
        names = start_hosts(count, platform)
        write_inventory(inventory, names)
        floor = os.path.join(BENCH, 'floor.yml')
        rows['floor first'] = run_play('floor-first-%d' % count, floor, inventory, names, workdir, forks)
        rows['floor rerun'] = run_play('floor-rerun-%d' % count, floor, inventory, names, workdir, forks)
        destroy(names)

        names = start_hosts(count, platform)
        rows['harden first'] = run_play('harden-first-%d' % count, 'hardening.docker.harden', inventory, names,
                                        workdir, forks, harden_extra)
        rows['harden rerun'] = run_play('harden-rerun-%d' % count, 'hardening.docker.harden', inventory, names,
                                        workdir, forks, harden_extra)
        rows['audit'] = run_play('audit-%d' % count, 'hardening.docker.audit', inventory, names, workdir, forks,
                                 audit_extra)
        destroy(names)

        if preinstalled:
            names = start_hosts(count, platform, preinstall=True)
            rows['harden first, packages present'] = run_play(
                'harden-preinstalled-%d' % count, 'hardening.docker.harden', inventory, names, workdir, forks,
                harden_extra + ['-e', 'daemon_tls_pki_dir=%s' % os.path.join(workdir, 'pki-pre-%d' % count)])
    finally:
        destroy(host_names(count))
    return rows


def print_table(results):
    print('')
    columns = ('run (hosts, forks)', 'hosts', 'seconds', 'tasks/host', 'restarts', 'CPU s', 'ctrl CPU')
    print('%-34s %6s %9s %11s %9s %9s %9s' % columns)
    for count, rows in results:
        for name, row in rows.items():
            cells = (name, count, row['seconds'], span(row['tasks']), span(row['restarts']), row['cpu_seconds'],
                     row['controller_cpu_seconds'])
            print('%-34s %6d %9.1f %11s %9s %9.1f %9.1f' % cells)
    print('')
    print('ratios (acceptance limit in brackets)')
    by = dict(results)

    def ratio(text, num, den, limit):
        mark = 'ok' if num / den <= limit else 'OVER'
        print('  %-46s %6.2f  (<= %s) %s' % (text, num / den, limit, mark))

    if 1 in by:
        one = by[1]
        ratio('1 host: harden first / floor first', one['harden first']['seconds'], one['floor first']['seconds'], 6)
        ratio('1 host: harden rerun / floor rerun', one['harden rerun']['seconds'], one['floor rerun']['seconds'], 4)
        print('  %-46s %6s  (== 1)' % ('1 host: dockerd restarts, first run', span(one['harden first']['restarts'])))
        print('  %-46s %6s  (== 0)' % ('1 host: dockerd restarts, rerun', span(one['harden rerun']['restarts'])))
        audit = one['audit']['seconds']
        print('  %-46s %6.2f  (< 3 s) %s' % ('1 host: audit playbook seconds', audit, 'ok' if audit < 3 else 'OVER'))
        for count, rows in results:
            if count == 1:
                continue
            ratio('%d hosts / 1 host: harden first' % count, rows['harden first']['seconds'],
                  one['harden first']['seconds'], 2.5)
            ratio('%d hosts / 1 host: harden rerun' % count, rows['harden rerun']['seconds'],
                  one['harden rerun']['seconds'], 2.5)
            ratio('%d hosts / 1 host: audit' % count, rows['audit']['seconds'], one['audit']['seconds'], 2)
            # The same ratio for the floor play: what the machine allows a play that does
            # (almost) nothing, the reference for the limits above.
            for name in ('floor first', 'floor rerun'):
                print('  %-46s %6.2f  (reference: the floor play itself)'
                      % ('%d hosts / 1 host: %s' % (count, name), rows[name]['seconds'] / one[name]['seconds']))
            # The controller's own CPU time (ansible-playbook and its forks, counted
            # per process, so other load does not inflate it) cannot be spread over
            # more than this machine's cores: the N-host run cannot be faster than
            # that, whatever the forks.
            for name in ('harden rerun', 'audit'):
                print('  %-46s %6.2f  (%.1f controller CPU s / %d cores / %.1f s of 1 host)'
                      % ('%d hosts / 1 host: %s, CPU floor' % (count, name),
                         rows[name]['controller_cpu_seconds'] / CORES / one[name]['seconds'],
                         rows[name]['controller_cpu_seconds'], CORES, one[name]['seconds']))
            first, rerun = span(rows['harden first']['restarts']), span(rows['harden rerun']['restarts'])
            print('  %-46s %6s  (== 1)' % ('%d hosts: dockerd restarts per host, first run' % count, first))
            print('  %-46s %6s  (== 0)' % ('%d hosts: dockerd restarts per host, rerun' % count, rerun))
    print('')
    print('First runs include apt-get update and the package installs of the roles (stock hosts have empty apt lists).')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--hosts', default='1,8', help='comma-separated host counts (default 1,8)')
    parser.add_argument('--preinstalled', action='store_true',
                        help='also time a first run on hosts whose packages were installed beforehand')
    parser.add_argument('--keep-logs', metavar='DIR', help='write the playbook logs and counts to DIR')
    parser.add_argument('--prefix', default='hd-bench', help='container name prefix of the hosts (default hd-bench)')
    parser.add_argument('--profile', action='store_true', help='add profile_tasks timings to the playbook logs')
    args = parser.parse_args(argv)
    PREFIX[0] = args.prefix
    if args.profile:
        os.environ['HD_BENCH_PROFILE'] = '1'
    counts = [int(text) for text in args.hosts.split(',') if text.strip()]
    platform = platform_settings()
    results = []
    workdir = args.keep_logs or tempfile.mkdtemp(prefix='hd-bench-')
    os.makedirs(os.path.join(workdir, 'tmp'), exist_ok=True)
    print('image %s, logs in %s' % (image_name(platform), workdir), flush=True)
    for count in counts:
        rows = bench(count, platform, workdir, args.preinstalled)
        results.append((count, rows))
    print_table(results)
    with open(os.path.join(workdir, 'results.json'), 'w') as handle:
        json.dump([[count, rows] for count, rows in results], handle, indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main())
