# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.hardening.docker.plugins.module_utils import _mac_state as mac


def make_sys(root, apparmor=None, securityfs=False, profiles=None, selinux=None):
    """Build a fake kernel interface tree under ``root``; ``None`` leaves a file out."""
    if apparmor is not None:
        param = root / 'sys/module/apparmor/parameters'
        param.mkdir(parents=True)
        (param / 'enabled').write_text(apparmor)
    if securityfs:
        fs = root / 'sys/kernel/security/apparmor'
        fs.mkdir(parents=True)
        if profiles is not None:
            (fs / 'profiles').write_text(profiles)
    if selinux is not None:
        se = root / 'sys/fs/selinux'
        se.mkdir(parents=True)
        (se / 'enforce').write_text(selinux)
    return str(root)


# ---------------------------------------------------------------- decision

@pytest.mark.parametrize('apparmor, selinux, action', [
    ('enabled', 'absent', 'load'),
    ('enabled', 'permissive', 'load'),
    ('absent', 'absent', 'install_only'),
    ('disabled', 'absent', 'install_only'),
    ('unreachable', 'absent', 'install_only'),
    ('absent', 'enforcing', 'selinux'),
    ('absent', 'permissive', 'selinux'),
    ('disabled', 'enforcing', 'selinux'),
])
def test_decide(apparmor, selinux, action):
    assert mac.decide(apparmor, selinux) == action


@pytest.mark.parametrize('apparmor, selinux', [('yes', 'absent'), ('enabled', 'disabled')])
def test_decide_refuses_unknown_states(apparmor, selinux):
    with pytest.raises(ValueError):
        mac.decide(apparmor, selinux)


def test_apparmor_state_missing_parameter_is_absent():
    state, reason = mac.apparmor_state(None, securityfs_present=False)
    assert state == 'absent'
    assert mac.APPARMOR_ENABLED in reason


def test_apparmor_state_n_is_disabled_even_with_securityfs():
    state, reason = mac.apparmor_state('N\n', securityfs_present=True)
    assert state == 'disabled'
    assert "'N'" in reason


def test_apparmor_state_y_without_securityfs_is_unreachable():
    state, reason = mac.apparmor_state('Y\n', securityfs_present=False)
    assert state == 'unreachable'
    assert mac.APPARMOR_FS in reason


def test_apparmor_state_y_with_securityfs_is_enabled():
    assert mac.apparmor_state('Y\n', securityfs_present=True)[0] == 'enabled'


@pytest.mark.parametrize('text, state', [(None, 'absent'), ('1\n', 'enforcing'), ('0\n', 'permissive')])
def test_selinux_state(text, state):
    assert mac.selinux_state(text) == state


def test_parse_loaded_profiles_keeps_names_with_spaces_and_children():
    text = ('docker-default (enforce)\n'
            '/usr/bin/man (enforce)\n'
            'man_filter (complain)\n'
            'odd name (kill)\n'
            'docker-hardened//child (enforce)\n'
            '\n'
            'garbage line\n')
    assert mac.parse_loaded_profiles(text) == {
        'docker-default': 'enforce',
        '/usr/bin/man': 'enforce',
        'man_filter': 'complain',
        'odd name': 'kill',
        'docker-hardened//child': 'enforce',
    }


# ---------------------------------------------------------------- gather

def test_gather_kernel_without_apparmor(tmp_path):
    root = make_sys(tmp_path)
    (tmp_path / 'etc/apparmor.d').mkdir(parents=True)
    (tmp_path / 'etc/apparmor.d/docker-hardened').write_text('profile docker-hardened {}\n')
    facts = mac.gather(root, ['docker-hardened', 'docker-web'])
    assert facts['apparmor'] == 'absent'
    assert facts['selinux'] == 'absent'
    assert facts['action'] == 'install_only'
    assert facts['apparmor_enforceable'] is False
    assert facts['profiles'] == {
        'docker-hardened': {'path': '/etc/apparmor.d/docker-hardened', 'installed': True, 'mode': None},
        'docker-web': {'path': '/etc/apparmor.d/docker-web', 'installed': False, 'mode': None},
    }
    assert facts['loaded_count'] == 0
    assert facts['summary'].startswith('AppArmor enforcement is NOT available on this host')
    assert mac.APPARMOR_ENABLED in facts['summary']


def test_gather_apparmor_enabled_reports_modes(tmp_path):
    root = make_sys(tmp_path, apparmor='Y\n', securityfs=True,
                    profiles='docker-default (enforce)\ndocker-hardened (complain)\n')
    facts = mac.gather(root, ['docker-default', 'docker-hardened', 'docker-web'])
    assert facts['action'] == 'load'
    assert facts['apparmor_enforceable'] is True
    assert dict((k, v['mode']) for k, v in facts['profiles'].items()) == {
        'docker-default': 'enforce', 'docker-hardened': 'complain', 'docker-web': None}
    assert facts['loaded_count'] == 2
    assert 'NOT' not in facts['summary']


def test_gather_apparmor_enabled_without_profiles_file_fails(tmp_path):
    root = make_sys(tmp_path, apparmor='Y\n', securityfs=True, profiles=None)
    with pytest.raises(RuntimeError, match='profiles is missing'):
        mac.gather(root)


def test_gather_apparmor_in_container_without_securityfs(tmp_path):
    facts = mac.gather(make_sys(tmp_path, apparmor='Y\n'), ['docker-hardened'], profile_dir='/srv/aa')
    assert facts['apparmor'] == 'unreachable'
    assert facts['action'] == 'install_only'
    assert facts['profiles'] == {'docker-hardened': {'path': '/srv/aa/docker-hardened', 'installed': False, 'mode': None}}
    assert 'securityfs' in facts['summary']


def test_gather_selinux_host(tmp_path):
    facts = mac.gather(make_sys(tmp_path, selinux='1'))
    assert facts['apparmor'] == 'absent'
    assert facts['selinux'] == 'enforcing'
    assert facts['action'] == 'selinux'
    assert facts['apparmor_enforceable'] is False
    assert 'selinux-enabled' in facts['summary']


def test_gather_selinux_permissive_with_apparmor_disabled(tmp_path):
    facts = mac.gather(make_sys(tmp_path, apparmor='N', selinux='0'))
    assert (facts['apparmor'], facts['selinux'], facts['action']) == ('disabled', 'permissive', 'selinux')


def test_gather_unreadable_file_is_an_error(tmp_path):
    root = make_sys(tmp_path)
    # a directory where a file is expected: exists but cannot be read as a file
    (tmp_path / 'sys/module/apparmor/parameters/enabled').mkdir(parents=True)
    with pytest.raises(RuntimeError, match='cannot read'):
        mac.gather(root)
