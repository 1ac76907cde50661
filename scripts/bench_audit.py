#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: hardening.docker contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Time hardening.docker.audit: N ad-hoc runs against a test host, then median/min/max.

    scripts/bench_audit.py deb12-host            # a docker container (community.docker.docker connection)
    scripts/bench_audit.py --local               # this machine (connection local)
    scripts/bench_audit.py --local --inproc      # gather + evaluate in this process, no ansible overhead
    scripts/bench_audit.py deb12-host -n 15 --become

Prints figures, it is not a test: the exit code is non-zero only when a run fails.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
VENV_BIN = os.path.join(ROOT, '.venv', 'bin')
COLLECTIONS = os.path.join(ROOT, '.cache', 'collections')


def ansible_bin():
    candidate = os.path.join(VENV_BIN, 'ansible')
    return candidate if os.path.exists(candidate) else 'ansible'


def run_adhoc(args, workdir):
    host = 'localhost' if args.local else args.container
    module_args = {'controls': "{{ query('hardening.docker.control_catalog') }}"}
    if args.threshold is not None:
        module_args['tls_expiry_threshold_days'] = args.threshold
    argv = [ansible_bin(), host, '-m', 'hardening.docker.audit', '-a', json.dumps(module_args)]
    if args.local:
        argv += ['-c', 'local', '-i', 'localhost,']
    else:
        argv += ['-c', 'community.docker.docker', '-i', '%s,' % args.container]
    if args.become:
        argv.append('--become')
    env = dict(os.environ)
    env.update({
        'ANSIBLE_COLLECTIONS_PATH': env.get('ANSIBLE_COLLECTIONS_PATH', COLLECTIONS),
        'ANSIBLE_STDOUT_CALLBACK': 'json',
        'ANSIBLE_LOAD_CALLBACK_PLUGINS': '1',
        'ANSIBLE_HOST_KEY_CHECKING': 'False',
        'ANSIBLE_LOCAL_TEMP': os.path.join(workdir, 'tmp'),
    })
    # the controller's own interpreter for --local (discovery may find a broken shim), discovery otherwise
    env['ANSIBLE_PYTHON_INTERPRETER'] = args.python or env.get('ANSIBLE_PYTHON_INTERPRETER') or (
        sys.executable if args.local else 'auto_silent')
    start = time.monotonic()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - start
    try:
        data = json.loads(proc.stdout)
        result = data['plays'][0]['tasks'][0]['hosts'][host]
    except (ValueError, KeyError, IndexError):
        raise SystemExit('ansible run failed (rc=%s):\n%s\n%s' % (proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:]))
    if result.get('failed') or result.get('unreachable'):
        raise SystemExit('audit failed on %s: %s' % (host, result.get('msg')))
    return elapsed, result


def run_inproc(args):
    sys.path.insert(0, COLLECTIONS)
    import yaml
    from ansible_collections.hardening.docker.plugins.module_utils._audit_checks import evaluate_all
    from ansible_collections.hardening.docker.plugins.module_utils._audit_gather import Gatherer
    from ansible_collections.hardening.docker.plugins.module_utils._audit_model import summarize
    import shutil

    with open(os.path.join(ROOT, 'controls', 'catalog.yml'), 'rb') as handle:
        controls = yaml.safe_load(handle)['controls']

    def runner(argv):
        proc = subprocess.run(argv, capture_output=True, text=True, check=False, env=dict(os.environ, LC_ALL='C'))
        return proc.returncode, proc.stdout, proc.stderr

    def which(name):
        return shutil.which(name, path=os.environ.get('PATH', '') + ':/sbin:/usr/sbin:/usr/local/sbin')

    start = time.monotonic()
    state = Gatherer(runner, which, tls_expiry_threshold_days=args.threshold or 30).gather(controls)
    results = evaluate_all(state, controls)
    elapsed = time.monotonic() - start
    return elapsed, {'results': results, 'summary': summarize(results), 'host': state.get('host') or {}}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('container', nargs='?', help='name of a running docker container (a test host)')
    parser.add_argument('--local', action='store_true', help='audit this machine instead of a container')
    parser.add_argument('--inproc', action='store_true', help='with --local: time gather+evaluate without ansible')
    parser.add_argument('-n', '--runs', type=int, default=7, help='number of runs (default 7)')
    parser.add_argument('--become', action='store_true', help='run the module with become')
    parser.add_argument('--python', help='interpreter on the audited host')
    parser.add_argument('--threshold', type=int, help='tls_expiry_threshold_days')
    args = parser.parse_args(argv)
    if bool(args.container) == bool(args.local):
        parser.error('give a container name or --local (not both)')
    if args.inproc and not args.local:
        parser.error('--inproc needs --local')
    if args.runs < 1:
        parser.error('--runs must be at least 1')

    times = []
    last = None
    with tempfile.TemporaryDirectory(prefix='bench-audit-') as workdir:
        for index in range(args.runs):
            elapsed, last = run_inproc(args) if args.inproc else run_adhoc(args, workdir)
            times.append(elapsed)
            print('run %2d: %.3f s' % (index + 1, elapsed), flush=True)

    target = 'localhost (in process)' if args.inproc else ('localhost' if args.local else args.container)
    summary = last.get('summary') or {}
    print('')
    print('target            : %s' % target)
    print('engine            : %s' % ((last.get('host') or {}).get('engine_version') or 'unknown'))
    print('runs              : %d' % len(times))
    print('controls evaluated: %d' % len(last.get('results') or []))
    print('wall time median  : %.3f s' % statistics.median(times))
    print('wall time min     : %.3f s' % min(times))
    print('wall time max     : %.3f s' % max(times))
    print('last summary      : %s' % ', '.join('%s=%s' % (k, summary[k]) for k in sorted(summary)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
