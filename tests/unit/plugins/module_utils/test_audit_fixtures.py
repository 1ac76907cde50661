# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Walk the whole catalog over the recorded host states in tests/unit/fixtures/hoststates/."""

from __future__ import annotations

import json
import os

import pytest
import yaml

from ansible_collections.hardening.docker.plugins.module_utils._audit_checks import evaluate, evaluate_all
from ansible_collections.hardening.docker.plugins.module_utils._audit_model import STATUSES, summarize
from ansible_collections.hardening.docker.plugins.module_utils._audit_runtime_checks import RUNTIME_TYPES

HERE = os.path.dirname(__file__)
ROOT = os.path.normpath(os.path.join(HERE, '..', '..', '..', '..'))
FIXTURES = os.path.join(ROOT, 'tests', 'unit', 'fixtures', 'hoststates')

with open(os.path.join(ROOT, 'controls', 'catalog.yml'), 'rb') as _handle:
    CONTROLS = yaml.safe_load(_handle)['controls']


def load(name):
    with open(os.path.join(FIXTURES, name + '.json'), 'r', encoding='utf-8') as handle:
        return json.load(handle)


def statuses(name):
    return dict((r['id'], r['status']) for r in evaluate_all(load(name), CONTROLS))


def test_fixtures_exist():
    assert sorted(f for f in os.listdir(FIXTURES) if f.endswith('.json')) == [
        'broken.json', 'debian12-hardened.json', 'debian12-stock.json', 'debian13.json']


@pytest.mark.parametrize('name', ['debian12-stock', 'debian12-hardened', 'debian13'])
@pytest.mark.parametrize('control', CONTROLS, ids=[c['id'] for c in CONTROLS])
def test_every_control_decided(name, control):
    state = load(name)
    result = evaluate(state, control)
    assert result['status'] in STATUSES
    if 'runtime' not in state and control['check']['type'] in RUNTIME_TYPES:
        # recorded before the runtime audit: an error that says so, never a pass
        assert result['status'] == 'error' and 'not inspected' in result['evidence']
        return
    if 'dockerd_running' not in state and control['check']['type'] == 'daemon_in_sync':
        # recorded before the running daemon was compared with its configuration
        assert result['status'] == 'error' and 'not inspected' in result['evidence']
        return
    assert result['status'] != 'error', result['evidence']
    assert result['evidence']
    json.dumps(result)  # results are JSON-serialisable


def test_stock_debian12():
    got = statuses('debian12-stock')
    for cid in ['1.1.1', '1.1.3', '1.1.18', '2.2', '2.8', '2.9', '2.14', '2.15', '2.16', '5.26', 'HD-4', 'HD-5', 'HD-6']:
        assert got[cid] == 'fail', cid
    for cid in ['2.3', '2.4', '2.5', '2.6', '3.1', '3.2', '3.15', '3.16', '3.23', '3.24', '5.1', '5.2', '5.22',
                'HD-2', 'HD-3', 'HD-7']:
        assert got[cid] == 'pass', cid
    for cid in ['1.1.11', '1.1.13', '2.7', '3.9', '3.14', '3.17', '3.21', '5.3', 'HD-1']:
        assert got[cid] == 'not_applicable', cid
    for cid in ['1.1.2', '1.2.1', '1.2.2', '2.1', '2.17']:
        assert got[cid] == 'manual', cid


def test_hardened_debian12():
    got = statuses('debian12-hardened')
    # The fixture was recorded before the authz role (2.12) and the running-daemon comparison (HD-10) existed.
    remediated = [c['id'] for c in CONTROLS if c['remediation'] and c['id'] not in ('2.12', 'HD-10')]
    assert got['HD-10'] == 'error'
    not_passing = dict((cid, got[cid]) for cid in remediated if got[cid] not in ('pass', 'not_applicable'))
    assert not_passing == {}
    # 2.12 (see above); no role remediates the others, so the hardened host still fails them
    assert [cid for cid, st in got.items() if st == 'fail'] == ['2.12', '5.14', '5.30']


def test_debian13():
    got = statuses('debian13')
    assert got['1.1.7'] == 'pass'          # rule through the /lib symlink: same inode
    assert got['1.1.18'] == 'fail'         # rule on the /usr/bin/runc symlink: not the binary
    assert got['1.1.4'] == 'pass'          # syscall-form rule
    assert got['1.1.5'] == 'fail'          # decided from rule files: auditctl is refused in the container
    assert got['5.2'] == 'not_applicable'  # no AppArmor in that kernel
    assert got['HD-6'] == 'fail'           # docker-hardened profile not installed
    assert got['2.16'] == 'pass'           # --userland-proxy=false from DOCKER_OPTS
    assert got['2.13'] == 'fail' and got['HD-5'] == 'pass'   # local driver with max-size
    assert got['3.16'] == got['HD-3'] == 'fail'               # socket chmod-ed to 0666
    assert got['3.18'] == 'pass'           # 0640 is within 0644


def test_broken_host():
    state = load('broken')
    results = evaluate_all(state, CONTROLS)
    got = dict((r['id'], r) for r in results)
    needs_info = [c['id'] for c in CONTROLS if c['check']['type'] in ('docker_info', 'security_option', 'lsm')
                  and not (c['check']['type'] == 'lsm' and c['check']['lsm'] == 'selinux')]
    for cid in needs_info:
        assert got[cid]['status'] == 'error', cid
        assert 'docker info unavailable' in got[cid]['evidence']
    for cid in ['2.2', '2.7', 'HD-2', 'HD-5', 'HD-7']:
        assert got[cid]['status'] == 'error' and 'invalid JSON' in got[cid]['evidence']
    # what does not need docker info or daemon.json is still decided
    assert got['1.1.3']['status'] == 'pass' and 'rule files' in got['1.1.3']['evidence']
    assert got['1.1.4']['status'] == 'fail'
    assert got['3.5']['status'] == got['3.6']['status'] == 'fail'
    assert got['3.17']['status'] == got['3.18']['status'] == 'fail'
    assert got['3.15']['status'] == 'not_applicable'
    assert got['1.1.1']['status'] == 'error'
    assert got['HD-6']['status'] == 'error'
    assert got['1.2.1']['status'] == 'manual'
    summary = summarize(results)
    assert summary['total'] == len(CONTROLS)
    assert summary['pass'] and summary['fail'] and summary['error']
