# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""audit_rules: the watch rules of several controls in one call, one marked block per control."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.hardening.docker.plugins.modules import audit_rules

PERMS = {'binary': 'wxa', 'config': 'wa', 'data': 'wa'}


@pytest.fixture
def host(tmp_path, monkeypatch):
    (tmp_path / 'sbin').mkdir()
    (tmp_path / 'sbin' / 'dockerd').write_text('')
    (tmp_path / 'bin').mkdir()
    (tmp_path / 'bin' / 'runc').symlink_to(tmp_path / 'sbin' / 'dockerd')
    (tmp_path / 'etc').mkdir()
    (tmp_path / 'data').mkdir()
    daemon_json = tmp_path / 'etc' / 'daemon.json'
    refused = {'ok': False, 'locked': False, 'error': 'Operation not permitted', 'loaded': []}
    monkeypatch.setattr(audit_rules, 'kernel_state', lambda module: refused)
    watches = {
        '1.1.3': {'kind': 'binary', 'paths': [str(tmp_path / 'sbin' / 'dockerd'), str(tmp_path / 'bin' / 'dockerd')]},
        '1.1.5': {'kind': 'data', 'paths': [str(tmp_path / 'lib' / 'docker')]},
        '1.1.11': {'kind': 'config', 'paths': [], 'appear': [str(daemon_json)]},
        '1.1.18': {'kind': 'binary', 'paths': [str(tmp_path / 'bin' / 'runc')]},
        '1.1.13': {'kind': 'config', 'paths': [str(tmp_path / 'sysconfig' / 'docker')]},
    }
    rules = tmp_path / 'rules.d' / '50-hardening-docker.rules'
    rules.parent.mkdir()
    args = {'watches': watches, 'titles': {'1.1.3': 'daemon'}, 'enabled': list(watches), 'permissions': PERMS,
            'key_prefix': 'docker', 'rules_file': str(rules), 'daemon_json': str(daemon_json),
            'tmpfiles': {'path': str(tmp_path / 'tmpfiles.conf'), 'control': '1.1.3',
                         'dirs': [{'path': '/run/containerd', 'mode': '0711'}]}}
    return {'tmp': tmp_path, 'rules': rules, 'daemon_json': daemon_json, 'args': args}


def test_writes_one_block_per_control_with_real_paths(host, run_module):
    tmp = host['tmp']
    host['daemon_json'].write_text(json.dumps({'data-root': str(tmp / 'data')}))
    result = run_module(audit_rules.main, host['args'], diff=True)
    assert result['changed']
    text = host['rules'].read_text()
    assert text == (
        '# BEGIN hardening.docker CIS 1.1.3\n-w %(t)s/sbin/dockerd -p wxa -k docker_1_1_3\n# END hardening.docker CIS 1.1.3\n'
        '# BEGIN hardening.docker CIS 1.1.5\n-w %(t)s/data -p wa -k docker_1_1_5\n# END hardening.docker CIS 1.1.5\n'
        '# BEGIN hardening.docker CIS 1.1.11\n-w %(t)s/etc/daemon.json -p wa -k docker_1_1_11\n'
        '# END hardening.docker CIS 1.1.11\n'
        '# BEGIN hardening.docker CIS 1.1.18\n-w %(t)s/sbin/dockerd -p wxa -k docker_1_1_18\n'
        '# END hardening.docker CIS 1.1.18\n') % {'t': tmp}
    assert oct(os.stat(str(host['rules'])).st_mode & 0o777) == '0o640'
    by_id = dict((r['id'], r) for r in result['results'])
    assert by_id['1.1.3']['title'] == 'daemon' and by_id['1.1.3']['changed']
    assert by_id['1.1.13'] == {'id': '1.1.13', 'title': '', 'lines': [], 'changed': False}
    assert result['lines']['1.1.13'] == []
    assert result['kernel']['error'] == 'Operation not permitted'
    assert (tmp / 'tmpfiles.conf').read_text().endswith('d /run/containerd 0711 root root -\n')
    assert result['diff'][0]['before'] == '' and 'docker_1_1_3' in result['diff'][0]['after']
    again = run_module(audit_rules.main, host['args'])
    assert not again['changed'] and not any(r['changed'] for r in again['results'])


def test_other_lines_and_disabled_blocks_are_kept(host, run_module):
    host['rules'].write_text('-w /opt/mine -p wa -k operator\n# BEGIN hardening.docker CIS 1.1.18\n-w /old -p x -k docker_1_1_18\n'
                             '# END hardening.docker CIS 1.1.18\n')
    args = dict(host['args'], enabled=['1.1.3'])
    result = run_module(audit_rules.main, args)
    text = host['rules'].read_text()
    assert text.startswith('-w /opt/mine -p wa -k operator\n# BEGIN hardening.docker CIS 1.1.18\n-w /old')
    assert '-k docker_1_1_3\n# END hardening.docker CIS 1.1.3\n' in text
    assert [r['id'] for r in result['results']] == ['1.1.3']
    assert result['lines']['1.1.18'] == ['-w /old -p x -k docker_1_1_18']   # still in the file: still wanted


def test_a_block_whose_paths_are_gone_is_removed(host, run_module):
    host['rules'].write_text('# BEGIN hardening.docker CIS 1.1.13\n-w /etc/sysconfig/docker -p wa -k docker_1_1_13\n'
                             '# END hardening.docker CIS 1.1.13\n')
    result = run_module(audit_rules.main, dict(host['args'], enabled=['1.1.13']))
    assert result['changed'] and host['rules'].read_text() == ''


def test_check_mode_writes_nothing(host, run_module):
    result = run_module(audit_rules.main, host['args'], check=True)
    assert result['changed'] and not host['rules'].exists()
    assert result['lines']['1.1.3']


def test_bad_permissions_and_json(host, fail_module):
    assert 'permissions.data' in fail_module(audit_rules.main, dict(host['args'], permissions=dict(PERMS, data='q')))['msg']
    host['daemon_json'].write_text('{')
    assert 'is not valid JSON' in fail_module(audit_rules.main, host['args'])['msg']
    bad = dict(host['args'], watches={'1.1.3': {'kind': 'nope'}})
    assert 'watches[1.1.3]' in fail_module(audit_rules.main, bad)['msg']


def fake_dpkg(monkeypatch, installed):
    """dpkg-query at a fixed path that lists INSTALLED as installed; returns the argv of every call."""
    calls = []

    def run_command(module, argv, **kwargs):
        calls.append(argv)
        assert argv[:2] == ['/usr/bin/dpkg-query', '-W']
        return 0, ''.join('%s\tinstall ok installed\n' % name for name in argv[5:] if name in installed), ''
    monkeypatch.setattr(audit_rules.AnsibleModule, 'get_bin_path',
                        lambda self, name, *a, **k: '/usr/bin/dpkg-query' if name == 'dpkg-query' else None)
    monkeypatch.setattr(audit_rules.AnsibleModule, 'run_command', run_command)
    return calls


def test_reports_the_packages_that_are_not_installed(host, monkeypatch, run_module):
    calls = fake_dpkg(monkeypatch, {'auditd'})
    assert run_module(audit_rules.main, dict(host['args'], packages=['auditd']), check=True)['packages_missing'] == []
    assert run_module(audit_rules.main, dict(host['args'], packages=['auditd', 'audispd-plugins']),
                      check=True)['packages_missing'] == ['audispd-plugins']
    assert len(calls) == 2
    # Without packages to ask about, dpkg-query is not run.
    assert run_module(audit_rules.main, host['args'], check=True)['packages_missing'] == []
    assert len(calls) == 2


def test_without_dpkg_every_package_counts_as_missing(host, monkeypatch, run_module):
    monkeypatch.setattr(audit_rules.AnsibleModule, 'get_bin_path', lambda self, *a, **k: None)
    assert run_module(audit_rules.main, dict(host['args'], packages=['auditd']))['packages_missing'] == ['auditd']


def test_files_name_what_check_mode_would_write_and_nothing_on_a_rerun(host, run_module):
    assert run_module(audit_rules.main, host['args'], check=True)['files'] == [str(host['rules']), str(host['tmp'] / 'tmpfiles.conf')]
    run_module(audit_rules.main, host['args'])
    again = run_module(audit_rules.main, host['args'], check=True)
    assert (again['changed'], again['files']) == (False, [])
