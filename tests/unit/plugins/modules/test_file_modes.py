# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""file_modes: owner and maximum mode of several controls in one call (runs as root on real files)."""

from __future__ import annotations

import json
import os
import stat

import pytest

from ansible_collections.hardening.docker.plugins.modules import file_modes

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason='changes owners: needs root')

CONTROLS = [
    {'id': '3.5', 'title': 'dir owner', 'owner': 'root', 'group': 'root', 'targets': {'config_dir': None}},
    {'id': '3.6', 'title': 'dir mode', 'targets': {'config_dir': '0755'}},
    {'id': '3.9', 'title': 'ca owner', 'owner': 'root', 'group': 'root', 'targets': {'tlscacert': None}},
    {'id': '3.10', 'title': 'ca mode', 'targets': {'tlscacert': '0444'}},
    {'id': '3.18', 'title': 'daemon.json mode', 'targets': {'daemon_json': '0644'}},
]


def mode(path):
    return stat.S_IMODE(os.stat(str(path)).st_mode)


@pytest.fixture
def host(tmp_path):
    etc = tmp_path / 'docker'
    etc.mkdir()
    os.chmod(str(etc), 0o777)
    ca = tmp_path / 'ca.pem'
    ca.write_text('ca')
    os.chmod(str(ca), 0o666)
    os.chown(str(ca), 1, 1)
    link = etc / 'ca-link.pem'
    link.symlink_to(ca)
    daemon_json = etc / 'daemon.json'
    daemon_json.write_text(json.dumps({'tlscacert': str(link)}))
    os.chmod(str(daemon_json), 0o600)
    args = {'controls': CONTROLS, 'enabled': [c['id'] for c in CONTROLS],
            'paths': {'config_dir': str(etc), 'daemon_json': str(daemon_json), 'certs_dir': str(tmp_path / 'none'),
                      'dropin_roots': []}}
    return {'etc': etc, 'ca': ca, 'daemon_json': daemon_json, 'args': args}


def test_fixes_the_real_file_and_keeps_stricter_modes(host, run_module):
    result = run_module(file_modes.main, host['args'], diff=True)
    by_id = dict((r['id'], r) for r in result['results'])
    assert result['changed']
    assert by_id['3.6']['changed'] and mode(host['etc']) == 0o755
    assert by_id['3.9']['targets'] == [str(host['ca'])]   # the link's target, not the link
    assert os.stat(str(host['ca'])).st_uid == 0 and os.stat(str(host['ca'])).st_gid == 0
    assert mode(host['ca']) == 0o444
    assert not by_id['3.18']['changed'] and mode(host['daemon_json']) == 0o600   # stricter stays
    assert '3.10 %s 0:0 0666' % host['ca'] not in result['diff']['before']
    assert 'root:root 0444' in result['diff']['after']
    again = run_module(file_modes.main, host['args'])
    assert not again['changed'] and not any(r['changed'] for r in again['results'])


def test_check_mode_reports_and_changes_nothing(host, run_module):
    result = run_module(file_modes.main, host['args'], check=True)
    assert [r['id'] for r in result['results'] if r['changed']] == ['3.6', '3.9', '3.10']
    assert mode(host['etc']) == 0o777 and mode(host['ca']) == 0o666 and os.stat(str(host['ca'])).st_uid == 1


def test_only_enabled_controls_run(host, run_module):
    args = dict(host['args'], enabled=['3.10'])
    result = run_module(file_modes.main, args)
    assert [r['id'] for r in result['results']] == ['3.10']
    assert mode(host['ca']) == 0o444 and os.stat(str(host['ca'])).st_uid == 1   # owner left to 3.9
    assert mode(host['etc']) == 0o777


def test_invalid_daemon_json_stops_before_any_change(host, fail_module):
    host['daemon_json'].write_text('{not json')
    result = fail_module(file_modes.main, host['args'])
    assert 'is not valid JSON' in result['msg'] and 'json.tool' in result['msg']
    assert mode(host['etc']) == 0o777


def test_unknown_target_set_is_refused(host, fail_module):
    args = dict(host['args'], controls=[{'id': '9.9', 'targets': {'nowhere': '0644'}}], enabled=['9.9'])
    assert 'unknown target sets' in fail_module(file_modes.main, args)['msg']


def test_units_and_dropins_from_systemd(tmp_path, monkeypatch, run_module):
    fragment = tmp_path / 'docker.service'
    fragment.write_text('[Service]\n')
    os.chmod(str(fragment), 0o664)
    dropin_dir = tmp_path / 'etc' / 'docker.service.d'
    dropin_dir.mkdir(parents=True)
    os.chmod(str(dropin_dir), 0o775)
    dropin = dropin_dir / 'x.conf'
    dropin.write_text('[Service]\n')
    os.chmod(str(dropin), 0o666)
    props = [{'FragmentPath': str(fragment), 'DropInPaths': ''}, {'FragmentPath': '', 'DropInPaths': ''}]
    monkeypatch.setattr(file_modes, 'systemd_units', lambda module, units: props)
    args = {'controls': [{'id': '3.2', 'targets': {'service': '0644', 'service_dirs': '0755'}}], 'enabled': ['3.2'],
            'paths': {'dropin_roots': [str(tmp_path / 'etc')]}}
    result = run_module(file_modes.main, args)
    assert result['results'][0]['targets'] == [str(fragment), str(dropin), str(dropin_dir)]
    assert (mode(fragment), mode(dropin), mode(dropin_dir)) == (0o644, 0o644, 0o755)
