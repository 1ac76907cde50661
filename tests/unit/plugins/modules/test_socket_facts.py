# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""socket_facts: everything the socket role reads, in one read-only call."""

from __future__ import annotations

import grp
import os
import pwd

from ansible.module_utils import basic

from ansible_collections.hardening.docker.plugins.modules import socket_facts


def _systemctl(monkeypatch, rc=0, out='LoadState=loaded\nListen=/run/docker.sock (Stream)\n', err=''):
    calls = []

    def run_command(self, args, **kwargs):
        calls.append(args)
        return rc, out, err
    monkeypatch.setattr(basic.AnsibleModule, 'run_command', run_command)
    return calls


def test_reads_users_group_unit_and_dropins(monkeypatch, tmp_path, run_module):
    calls = _systemctl(monkeypatch)
    (tmp_path / 'docker.socket.d').mkdir()
    (tmp_path / 'docker.socket.d' / 'override.conf').write_text('[Socket]\nSocketMode=0666\n')
    group = grp.getgrgid(os.getgid()).gr_name
    result = run_module(socket_facts.main, {'group': group, 'dropin_roots': [str(tmp_path)]}, check=True)
    assert calls == [['systemctl', 'show', '--property=LoadState', '--property=Listen', '--', 'docker.socket']]
    assert not result['changed']
    assert result['unit'] == {'load_state': 'loaded', 'listen': ['/run/docker.sock']}
    assert result['users']['root'] == 0
    assert result['group']['exists'] and result['group']['gid'] == os.getgid()
    assert pwd.getpwuid(os.getuid()).pw_name in result['run_users']
    primary = [u.pw_name for u in pwd.getpwall() if u.pw_gid == os.getgid()]
    assert set(result['primary_members']) == set(primary)
    assert [s['value'] for s in result['dropin_settings']] == ['0666']


def test_a_missing_group_is_reported_not_refused(monkeypatch, run_module):
    _systemctl(monkeypatch, out='LoadState=not-found\n')
    result = run_module(socket_facts.main, {'group': 'hd-no-such-group', 'dropin_roots': []})
    assert result['group'] == {'exists': False, 'gid': None, 'members': []}
    assert result['primary_members'] == []
    assert result['unit'] == {'load_state': 'not-found', 'listen': []}


def test_systemctl_failure_is_refused(monkeypatch, fail_module):
    _systemctl(monkeypatch, rc=1, err='Failed to connect to bus')
    assert 'Failed to connect to bus' in fail_module(socket_facts.main, {'dropin_roots': []})['msg']
