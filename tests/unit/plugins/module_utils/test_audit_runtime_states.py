# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The whole catalog over host states recorded on the runtime_audit test hosts.

tests/unit/fixtures/runtime/state-debian12.json (Engine 20.10) and
state-debian13.json (Engine 26.1): ``hardening.docker.audit`` with
``include_stopped: true`` and ``return_state: true`` after the scenario's prepare.
"""

from __future__ import annotations

import json
import os

import pytest
import yaml

from ansible_collections.hardening.docker.plugins.module_utils._audit_checks import evaluate_with_runtime

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
with open(os.path.join(ROOT, 'controls', 'catalog.yml'), 'rb') as _handle:
    CONTROLS = yaml.safe_load(_handle)['controls']

HOST_LEVEL = {
    '5.2': 'not_applicable', '5.4': 'fail', '5.5': 'fail', '5.6': 'fail', '5.10': 'fail', '5.11': 'fail',
    '5.13': 'fail', '5.16': 'fail', '5.17': 'fail', '5.18': 'fail', '5.20': 'fail', '5.21': 'fail',
    '5.22': 'fail', '5.26': 'fail', '5.29': 'fail', '5.31': 'fail', '5.32': 'fail', 'HD-8': 'pass', 'HD-9': 'fail',
    '5.8': 'fail', '5.14': 'fail',
}


def load(name):
    with open(os.path.join(ROOT, 'tests', 'unit', 'fixtures', 'runtime', 'state-%s.json' % name), 'r',
              encoding='utf-8') as handle:
        return json.load(handle)


@pytest.mark.parametrize('name', ['debian12', 'debian13'])
def test_host_level_results(name):
    results, per_container = evaluate_with_runtime(load(name), CONTROLS)
    got = dict((r['id'], r) for r in results)
    assert dict((cid, got[cid]['status']) for cid in HOST_LEVEL) == HOST_LEVEL
    # recorded before the running daemon was compared with its configuration (HD-10)
    assert [r['id'] for r in results if r['status'] == 'error'] == ['HD-10']
    assert 'not inspected' in got['HD-10']['evidence']
    # 5.22: the daemon default passes, a container fails it
    assert got['5.22']['evidence'].startswith('name=seccomp is active')
    assert 'rt-seccomp: seccomp=unconfined' in got['5.22']['evidence']
    assert 'open-to-all (0666)' in got['HD-9']['evidence'] and 'scanned 1 of at most 10000' in got['HD-9']['evidence']
    assert got['HD-9']['details']['truncated'] is False
    # every container x every per-container control, container by container
    ruled = [c for c in CONTROLS if c['check'].get('container_rule')]
    assert len(per_container) == 17 * len(ruled)
    json.dumps(results)
    json.dumps(per_container)


@pytest.mark.parametrize('name', ['debian12', 'debian13'])
def test_risky_containers_by_name_id_and_evidence(name):
    _results, per_container = evaluate_with_runtime(load(name), CONTROLS)
    failing = dict(((r['id'], r['container']), r) for r in per_container if r['status'] == 'fail')
    for cid, container, piece in (('5.5', 'rt-privileged', '--privileged'), ('5.32', 'rt-socket', '/var/run/docker.sock:/s'),
                                  ('5.32', 'rt-rootfs', '/:/h'), ('5.6', 'rt-rootfs', '/:/h'), ('5.16', 'rt-hostpid', '--pid=host'),
                                  ('5.10', 'rt-hostnet', '--network=host'), ('5.4', 'rt-sysadmin', 'SYS_ADMIN'),
                                  ('5.22', 'rt-seccomp', 'seccomp=unconfined'), ('5.18', 'rt-device', '/dev/null'),
                                  ('5.20', 'rt-shared', 'shared'), ('5.17', 'rt-hostipc', '--ipc=host'),
                                  ('5.21', 'rt-hostuts', '--uts=host'), ('5.31', 'rt-userns', '--userns=host'),
                                  ('5.8', 'rt-ports', '80 -> 8080/tcp'), ('5.14', 'rt-ports', '0.0.0.0:80')):
        result = failing[(cid, container)]
        assert piece in result['evidence'], (cid, container, result['evidence'])
        assert len(result['container_id']) == 12 and result['image'] == 'busybox:latest'
    assert failing[('5.5', 'rt-privileged')]['state'] == 'created'
    ordinary = [r for r in per_container if r['container'] == 'rt-ordinary']
    assert ordinary and all(r['status'] in ('pass', 'not_applicable') for r in ordinary)


def test_engines_agree():
    def decisions(name):
        return sorted((r['id'], r['container'], r['status']) for r in evaluate_with_runtime(load(name), CONTROLS)[1])
    assert decisions('debian12') == decisions('debian13')
