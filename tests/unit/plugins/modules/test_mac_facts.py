# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.hardening.docker.plugins.modules import mac_facts


def fake_sys(root, files):
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return str(root)


@pytest.fixture
def no_parser(monkeypatch):
    monkeypatch.setattr(mac_facts.AnsibleModule, 'get_bin_path', lambda self, *a, **k: None)


def test_no_apparmor_kernel_reports_install_only(tmp_path, monkeypatch, run_module, no_parser):
    monkeypatch.setattr(mac_facts, 'ROOT', fake_sys(tmp_path, {'sys/kernel/.keep': ''}))
    result = run_module(mac_facts.main, {'profiles': ['docker-hardened']}, check=True)
    facts = result['ansible_facts']['hardening_docker_mac']
    assert result['changed'] is False
    assert facts['action'] == 'install_only'
    assert facts['apparmor'] == 'absent'
    assert facts['profiles'] == {'docker-hardened': {'path': '/etc/apparmor.d/docker-hardened', 'installed': False, 'mode': None}}
    assert facts['apparmor_parser'] is None


def test_apparmor_kernel_reports_load_and_modes(tmp_path, monkeypatch, run_module):
    root = fake_sys(tmp_path, {
        'sys/module/apparmor/parameters/enabled': 'Y\n',
        'sys/kernel/security/apparmor/profiles': 'docker-default (enforce)\ndocker-hardened (enforce)\n',
    })
    monkeypatch.setattr(mac_facts, 'ROOT', root)
    monkeypatch.setattr(mac_facts.AnsibleModule, 'get_bin_path', lambda self, *a, **k: '/usr/sbin/apparmor_parser')
    (tmp_path / 'aa').mkdir()
    (tmp_path / 'aa/docker-hardened').write_text('profile docker-hardened {}\n')
    args = {'profiles': ['docker-hardened', 'docker-web'], 'profile_dir': '/aa'}
    facts = run_module(mac_facts.main, args)['ansible_facts']['hardening_docker_mac']
    assert facts['action'] == 'load'
    assert facts['profiles'] == {
        'docker-hardened': {'path': '/aa/docker-hardened', 'installed': True, 'mode': 'enforce'},
        'docker-web': {'path': '/aa/docker-web', 'installed': False, 'mode': None},
    }
    assert facts['apparmor_parser'] == '/usr/sbin/apparmor_parser'


def test_selinux_kernel_reports_selinux(tmp_path, monkeypatch, run_module, no_parser):
    monkeypatch.setattr(mac_facts, 'ROOT', fake_sys(tmp_path, {'sys/fs/selinux/enforce': '0'}))
    facts = run_module(mac_facts.main, {})['ansible_facts']['hardening_docker_mac']
    assert (facts['selinux'], facts['action']) == ('permissive', 'selinux')


def test_missing_profiles_interface_fails_with_the_path(tmp_path, monkeypatch, fail_module, no_parser):
    root = fake_sys(tmp_path, {'sys/module/apparmor/parameters/enabled': 'Y\n',
                               'sys/kernel/security/apparmor/.keep': ''})
    monkeypatch.setattr(mac_facts, 'ROOT', root)
    result = fail_module(mac_facts.main, {})
    assert '/sys/kernel/security/apparmor/profiles' in result['msg']


def test_header_lists_the_files_the_role_did_not_write(tmp_path, monkeypatch, run_module, no_parser):
    monkeypatch.setattr(mac_facts, 'ROOT', fake_sys(tmp_path, {
        'aa/ours': 'x\n# mine\nprofile ours {}\n',
        'aa/theirs': 'profile theirs {}\n',
    }))
    (tmp_path / 'aa/adir').mkdir()
    (tmp_path / 'aa/link').symlink_to(tmp_path / 'aa/ours')
    args = {'profiles': ['ours', 'theirs', 'adir', 'link', 'missing'], 'profile_dir': '/aa', 'header': '# mine'}
    facts = run_module(mac_facts.main, args)['ansible_facts']['hardening_docker_mac']
    assert facts['foreign_files'] == ['/aa/adir', '/aa/link', '/aa/theirs']
    assert 'foreign_files' not in run_module(mac_facts.main, {'profiles': ['theirs'], 'profile_dir': '/aa'})['ansible_facts'][
        'hardening_docker_mac']


def test_security_options_quote_docker_info(tmp_path, monkeypatch, run_module):
    monkeypatch.setattr(mac_facts, 'ROOT', fake_sys(tmp_path, {'sys/kernel/.keep': ''}))
    monkeypatch.setattr(mac_facts.AnsibleModule, 'get_bin_path', lambda self, name, *a, **k: '/usr/bin/' + name)
    calls = []

    def run_command(self, argv, **kwargs):
        calls.append(argv)
        return 0, '["name=seccomp,profile=builtin","name=cgroupns"]\n', ''

    monkeypatch.setattr(mac_facts.AnsibleModule, 'run_command', run_command)
    result = run_module(mac_facts.main, {'security_options': True})
    assert result['dockerd_security_options'] == ['name=seccomp,profile=builtin', 'name=cgroupns']
    assert calls == [['/usr/bin/docker', 'info', '--format', '{{json .SecurityOptions}}']]
    monkeypatch.setattr(mac_facts.AnsibleModule, 'run_command', lambda self, argv, **k: (1, '', 'Cannot connect'))
    assert run_module(mac_facts.main, {'security_options': True})['dockerd_security_options'] is None
    assert 'dockerd_security_options' not in run_module(mac_facts.main, {})


def test_packages_missing_from_one_dpkg_query(tmp_path, monkeypatch, run_module):
    monkeypatch.setattr(mac_facts, 'ROOT', fake_sys(tmp_path, {'sys/kernel/.keep': ''}))
    calls = []

    def run_command(module, argv, **kwargs):
        calls.append(argv)
        return 1, 'apparmor\tinstall ok installed\n', ''
    monkeypatch.setattr(mac_facts.AnsibleModule, 'get_bin_path',
                        lambda self, name, *a, **k: '/usr/bin/dpkg-query' if name == 'dpkg-query' else None)
    monkeypatch.setattr(mac_facts.AnsibleModule, 'run_command', run_command)
    facts = run_module(mac_facts.main, {'packages': ['apparmor', 'apparmor-utils']})['ansible_facts']['hardening_docker_mac']
    assert facts['packages_missing'] == ['apparmor-utils']
    assert len(calls) == 1
    assert run_module(mac_facts.main, {})['ansible_facts']['hardening_docker_mac']['packages_missing'] == []
    assert len(calls) == 1


def test_without_dpkg_every_package_counts_as_missing(tmp_path, monkeypatch, run_module, no_parser):
    monkeypatch.setattr(mac_facts, 'ROOT', fake_sys(tmp_path, {'sys/kernel/.keep': ''}))
    facts = run_module(mac_facts.main, {'packages': ['apparmor']})['ansible_facts']['hardening_docker_mac']
    assert facts['packages_missing'] == ['apparmor']
