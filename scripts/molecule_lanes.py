#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: hardening.docker contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run Molecule scenarios in a few lanes at once, each scenario's output kept whole.

    scripts/molecule_lanes.py --jobs 2 --sequence test SCENARIO [SCENARIO ...]

A scenario spends most of its time waiting: on systemd and dockerd starting
in its test hosts, on `docker exec` round trips, on dockerd restarts. Two
scenarios side by side keep the machine's cores busier than one, so the
Molecule stage takes well under the sum of its scenarios. Scenarios start in
the order given (list the longest first, so that the short ones fill the
other lanes). Each scenario's test hosts carry its own name
(hd-<scenario>-debian12/13), so two scenarios never share a host.

A scenario's output goes to .cache/molecule-lanes/<scenario>.log and is printed
in one piece when it ends. When one fails, no new one starts, the running ones
are stopped and their test hosts destroyed, and the exit status is 1.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
LOGS = os.path.join(ROOT, '.cache', 'molecule-lanes')


def molecule():
    """The virtualenv's molecule (make puts .venv/bin first in PATH)."""
    local = os.path.join(ROOT, '.venv', 'bin', 'molecule')
    return local if os.path.exists(local) else 'molecule'


def start(scenario, sequence):
    log_path = os.path.join(LOGS, scenario + '.log')
    log = open(log_path, 'wb')
    # A session of its own: stopping a scenario stops ansible-playbook and its workers too.
    proc = subprocess.Popen([molecule(), sequence, '-s', scenario], cwd=ROOT, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    return dict(scenario=scenario, proc=proc, log=log, log_path=log_path, started=time.time())


def show(run, verdict):
    run['log'].close()
    sys.stdout.write('=== molecule -s %s (output of the whole scenario)\n' % run['scenario'])
    sys.stdout.flush()
    with open(run['log_path'], 'rb') as handle:
        sys.stdout.buffer.write(handle.read())
    sys.stdout.write('=== scenario %s %s in %d s\n' % (run['scenario'], verdict, time.time() - run['started']))
    sys.stdout.flush()


def stop(run, why='another scenario failed'):
    """Stop a scenario that can no longer pass and remove its test hosts."""
    try:
        os.killpg(run['proc'].pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        run['proc'].wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(run['proc'].pid, signal.SIGKILL)
        run['proc'].wait()
    show(run, 'stopped (%s)' % why)
    subprocess.run([molecule(), 'destroy', '-s', run['scenario']], cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--jobs', type=int, default=2, help='scenarios running at once (default 2)')
    parser.add_argument('--sequence', default='test', help='molecule command to run (default test)')
    parser.add_argument('scenarios', nargs='+')
    args = parser.parse_args()
    if args.jobs < 1:
        parser.error('--jobs must be 1 or more')
    os.makedirs(LOGS, exist_ok=True)

    # make's Ctrl-C or CI's timeout reaches this process only: pass it on.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    waiting = list(args.scenarios)
    running = []
    began = time.time()
    failed = None
    try:
        failed = run_lanes(args, waiting, running)
    finally:
        for run in running:
            stop(run, 'the lanes were interrupted')
    print('=== molecule stage: %s in %d s with %d lanes'
          % ('scenario %s failed' % failed if failed else 'every scenario passed', time.time() - began, args.jobs),
          flush=True)
    return 1 if failed else 0


def run_lanes(args, waiting, running):
    """Keep args.jobs scenarios running; the name of the first that failed, or None."""
    failed = None
    while waiting or running:
        while waiting and len(running) < args.jobs and failed is None:
            scenario = waiting.pop(0)
            print('=== molecule %s -s %s started (%d running)' % (args.sequence, scenario, len(running) + 1), flush=True)
            running.append(start(scenario, args.sequence))
        time.sleep(2)
        for run in list(running):
            if run['proc'].poll() is None:
                continue
            running.remove(run)
            if run['proc'].returncode == 0:
                show(run, 'passed')
            else:
                show(run, 'FAILED (exit status %d)' % run['proc'].returncode)
                failed = run['scenario']
                waiting = []
                for other in list(running):
                    running.remove(other)
                    stop(other)
    return failed


if __name__ == '__main__':
    sys.exit(main())
