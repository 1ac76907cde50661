# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hardening.docker.audit: read-only, validated input, results/summary/host facts."""

from __future__ import annotations

import json
import os

import pytest
import yaml

from ansible_collections.hardening.docker.plugins.module_utils._audit_gather import Gatherer
from ansible_collections.hardening.docker.plugins.module_utils._audit_runtime_checks import RUNTIME_TYPES
from ansible_collections.hardening.docker.plugins.modules import audit

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
with open(os.path.join(ROOT, 'controls', 'catalog.yml'), 'rb') as _handle:
    CONTROLS = yaml.safe_load(_handle)['controls']


def fixture_state(name):
    folder, _sep, base = name.rpartition('/')
    with open(os.path.join(ROOT, 'tests', 'unit', 'fixtures', folder or 'hoststates', base + '.json'), 'r',
              encoding='utf-8') as handle:
        return json.load(handle)


@pytest.fixture
def recorded(monkeypatch):
    """Make the module gather a recorded state instead of this machine's."""
    seen = {}

    def use(name):
        def fake_gather(self, controls):
            seen['gatherer'] = self
            st = fixture_state(name)
            st['options'] = dict(self.options)
            return st
        monkeypatch.setattr(Gatherer, 'gather', fake_gather)
        return seen
    return use


def test_stock_host(run_module, recorded):
    recorded('debian12-stock')
    result = run_module(audit.main, {'controls': CONTROLS})
    assert result['changed'] is False
    assert len(result['results']) == len(CONTROLS)
    # default: CIS Docker Benchmark v1.8.0 numbering, which has every catalog control
    assert [r['id'] for r in result['results']] == [c['cis'].get('1.8', c['id']) for c in CONTROLS]
    assert [r['catalog_id'] for r in result['results']] == [c['id'] for c in CONTROLS]
    assert result['benchmark_version'] == '1.8' and result['profile_level'] == 1
    assert result['summary']['total'] == len(CONTROLS)
    # recorded before the runtime audit and the running-daemon comparison (HD-10): only those cannot be decided
    errors = [r for r in result['results'] if r['status'] == 'error']
    assert errors and all(r['check_type'] in RUNTIME_TYPES + ('daemon_in_sync',) and 'not inspected' in r['evidence']
                          for r in errors)
    assert result['runtime']['available'] is False and result['runtime']['results'] == []
    assert result['host']['engine_version'] == '20.10.24+dfsg1'
    assert result['host']['os'] == 'Debian GNU/Linux 12 (bookworm)' and result['host']['docker_available'] is True
    assert 'state' not in result
    json.dumps(result)


def test_check_mode_and_options_reach_the_state(run_module, recorded):
    seen = recorded('debian12-hardened')
    result = run_module(audit.main, {'controls': CONTROLS, 'tls_expiry_threshold_days': 400,
                                     'trusted_users': ['deploy'], 'return_state': True,
                                     'daemon_json': '/srv/daemon.json', 'docker_bin': '/opt/docker'}, check=True)
    assert result['changed'] is False
    by_id = dict((r['id'], r) for r in result['results'])
    assert by_id['HD-1']['status'] == 'fail'           # 365 days left < 400
    assert by_id['1.1.2']['status'] == 'pass'
    assert result['state']['options']['tls_expiry_threshold_days'] == 400
    assert seen['gatherer'].daemon_json_option == '/srv/daemon.json' and seen['gatherer'].docker_bin == '/opt/docker'


def test_docker_down_reports_errors_not_failure(run_module, recorded):
    recorded('broken')
    result = run_module(audit.main, {'controls': CONTROLS})
    assert result['host']['docker_available'] is False and result['host']['docker_error']
    assert result['summary']['error'] > 0 and result['summary']['pass'] > 0


def test_subset_of_controls(run_module, recorded):
    recorded('debian13')
    subset = [c for c in CONTROLS if c['id'] in ('2.2', 'HD-3')]
    result = run_module(audit.main, {'controls': subset})
    assert [(r['id'], r['status']) for r in result['results']] == [('2.2', 'pass'), ('HD-3', 'fail')]


def test_runtime_results_and_options(run_module, recorded):
    seen = recorded('runtime/state-debian13')
    result = run_module(audit.main, {'controls': CONTROLS, 'include_stopped': True, 'volume_scan_limit': 50})
    assert seen['gatherer'].options['include_stopped'] is True
    assert seen['gatherer'].options['volume_scan_limit'] == 50
    runtime = result['runtime']
    assert runtime['available'] is True and runtime['error'] is None
    assert [c['name'] for c in runtime['containers']][:3] == ['rt-device', 'rt-etc', 'rt-hostipc']
    assert all(len(c['id']) == 12 for c in runtime['containers'])
    ruled = [c for c in CONTROLS if c['check'].get('container_rule')]
    assert runtime['summary']['total'] == len(runtime['results']) == len(runtime['containers']) * len(ruled)
    socket = [r for r in runtime['results'] if r['id'] == '5.32' and r['status'] == 'fail']
    assert sorted(r['container'] for r in socket) == ['rt-rootfs', 'rt-socket']
    assert runtime['volumes']['scan']['limit'] == 10000   # the recorded state was gathered with the default
    assert dict((r['id'], r['status']) for r in result['results'])['5.5'] == 'fail'
    json.dumps(result)


def test_scan_limit_must_be_positive(fail_module):
    result = fail_module(audit.main, {'controls': CONTROLS, 'volume_scan_limit': 0})
    assert 'audit_volume_scan_limit' in result['msg'] and 'positive' in result['msg']


def test_malformed_controls_fail(fail_module):
    bad = [dict(CONTROLS[0], check={'type': 'no_such_check'})]
    result = fail_module(audit.main, {'controls': bad})
    assert 'not implemented by the audit module' in result['msg']


def test_real_gather_on_this_machine(run_module):
    """No fake: the module reads this machine and never errors out as a whole."""
    result = run_module(audit.main, {'controls': CONTROLS, 'return_state': True})
    assert result['changed'] is False
    assert result['summary']['total'] == len(CONTROLS)
    assert result['state']['schema'] == 1
    assert 'runtime' in result['state'] and isinstance(result['runtime']['results'], list)
    json.dumps(result)


def _by(result, key):
    return dict((r[key], r) for r in result['results'])


def test_benchmark_1_8_numbers_tls_2_8(run_module, recorded):
    recorded('debian12-hardened')
    result = run_module(audit.main, {'controls': CONTROLS, 'benchmark_version': '1.8'})
    by_id = _by(result, 'id')
    assert by_id['2.8']['uid'] == 'daemon-tls' and by_id['2.8']['catalog_id'] == '2.7'
    assert by_id['2.8']['check_type'] == 'tls'
    assert by_id['2.7']['uid'] == 'daemon-no-devicemapper'
    assert by_id['2.9']['uid'] == 'daemon-default-ulimits'
    assert by_id['2.19']['uid'] == 'daemon-no-experimental'
    assert by_id['3.1']['catalog_id'] == '3.1' and by_id['HD-1']['catalog_id'] == 'HD-1'


def test_benchmark_1_6_keeps_todays_ids(run_module, recorded):
    recorded('debian12-hardened')
    result = run_module(audit.main, {'controls': CONTROLS, 'benchmark_version': '1.6'})
    by_id = _by(result, 'id')
    assert by_id['2.7']['uid'] == 'daemon-tls' and by_id['2.7']['check_type'] == 'tls'
    assert '2.19' not in by_id
    # v1.6 has no devicemapper control: it is not decided at all
    assert 'daemon-no-devicemapper' not in _by(result, 'uid')
    assert result['summary']['total'] == len(CONTROLS) - 1
    assert [r['id'] for r in result['results']] == [r['catalog_id'] for r in result['results']]


def test_benchmark_1_7_numbers_like_1_6(run_module, recorded):
    recorded('debian12-hardened')
    result = run_module(audit.main, {'controls': CONTROLS, 'benchmark_version': '1.7'})
    assert _by(result, 'uid')['daemon-tls']['id'] == '2.7'
    assert result['benchmark_version'] == '1.7'


def test_unknown_benchmark_version_is_refused(fail_module):
    result = fail_module(audit.main, {'controls': CONTROLS, 'benchmark_version': '1.9'})
    assert 'benchmark_version' in result['msg'] and '1.8' in result['msg']


def test_devicemapper_storage_driver_fails(run_module, recorded, monkeypatch):
    recorded('debian12-stock')
    control = [c for c in CONTROLS if c['uid'] == 'daemon-no-devicemapper']
    passed = run_module(audit.main, {'controls': control})['results'][0]
    assert (passed['id'], passed['status']) == ('2.7', 'pass')     # overlay2

    def devicemapper_host(self, controls):
        state = fixture_state('debian12-stock')
        state['docker_info']['data']['Driver'] = 'devicemapper'
        state['options'] = dict(self.options)
        return state
    monkeypatch.setattr(Gatherer, 'gather', devicemapper_host)
    failed = run_module(audit.main, {'controls': control})['results'][0]
    assert failed['status'] == 'fail' and 'devicemapper' in failed['evidence']


def test_level_1_does_not_count_level_2_failures(run_module, recorded):
    recorded('debian12-stock')
    level1 = run_module(audit.main, {'controls': CONTROLS})
    level2 = run_module(audit.main, {'controls': CONTROLS, 'profile_level': 2})
    central_logging = _by(level1, 'uid')['daemon-central-logging']
    assert central_logging['status'] == 'fail' and central_logging['in_profile'] is False
    assert _by(level2, 'uid')['daemon-central-logging']['in_profile'] is True
    level2_fails = [r for r in level2['results'] if r['status'] == 'fail' and r['level'] == 2]
    assert level2_fails
    assert level1['summary']['fail'] == level2['summary']['fail'] - len(level2_fails)
    assert level1['summary']['not_in_profile'] == len([c for c in CONTROLS if c['level'] == 2])
    assert level2['summary']['not_in_profile'] == 0
    for summary in (level1['summary'], level2['summary']):
        assert sum(v for k, v in summary.items() if k != 'total') == summary['total'] == len(CONTROLS)


@pytest.mark.parametrize('fixture', ['debian12-stock', 'debian12-hardened'])
@pytest.mark.parametrize('version', ['1.6', '1.8'])
def test_without_controls_decides_the_whole_catalog(run_module, recorded, fixture, version):
    # The playbook passes no controls: the module's own copy must give exactly what the lookup's list gives.
    recorded(fixture)
    given = run_module(audit.main, {'controls': CONTROLS, 'benchmark_version': version, 'profile_level': 2})
    recorded(fixture)
    own = run_module(audit.main, {'benchmark_version': version, 'profile_level': 2})
    assert json.dumps(own, sort_keys=True) == json.dumps(given, sort_keys=True)
