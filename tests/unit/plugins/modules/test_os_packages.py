# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.hardening.docker.plugins.modules import os_packages


class FakeApt(object):
    """dpkg-query and apt-get as a host with ``installed`` packages and lists that ``update`` fills."""

    def __init__(self, installed, known=('auditd', 'apparmor', 'python3-cryptography'), fail_update=False):
        self.installed = set(installed)
        self.known = set(known)
        self.fail_update = fail_update
        self.calls = []

    def __call__(self, module, args, **kwargs):
        self.calls.append(list(args))
        tool = args[0].rsplit('/', 1)[-1]
        if tool == 'dpkg-query':
            names = args[args.index('--') + 1:]
            out = ''.join('%s\tinstall ok installed\n' % n for n in names if n in self.installed)
            return (0 if all(n in self.installed for n in names) else 1), out, ''
        if 'update' in args:
            return (100, '', 'E: Failed to fetch') if self.fail_update else (0, 'Reading package lists...', '')
        names = args[args.index('--') + 1:]
        unknown = [n for n in names if n not in self.known]
        if unknown:
            return 100, '', ''.join('E: Unable to locate package %s\n' % n for n in unknown)
        if '-s' in args:
            return 0, ''.join('Inst lib%s0 (1.0)\nInst %s (1.0)\n' % (n, n) for n in names), ''
        self.installed.update(names)
        return 0, '', ''


@pytest.fixture
def apt(monkeypatch, tmp_path):
    def make(installed, lists_age=None, **kwargs):
        fake = FakeApt(installed, **kwargs)

        def run_command(module, args, **kw):
            return fake(module, args, **kw)
        monkeypatch.setattr(os_packages.AnsibleModule, 'run_command', run_command)
        monkeypatch.setattr(os_packages.AnsibleModule, 'get_bin_path', lambda self, name, *a, **k: '/usr/bin/' + name)
        monkeypatch.setattr(os_packages._os_packages, 'lists_age', lambda d, now: lists_age)
        return fake
    return make


def test_everything_installed_touches_nothing(apt, run_module):
    fake = apt({'auditd'})
    result = run_module(os_packages.main, {'name': ['auditd']})
    assert result['changed'] is False and result['missing'] == []
    assert not [c for c in fake.calls if c[0].endswith('apt-get')]


def test_empty_lists_are_refreshed_before_the_install(apt, run_module):
    fake = apt(set(), lists_age=None)
    result = run_module(os_packages.main, {'name': ['auditd', 'apparmor']})
    assert result['changed'] is True
    assert result['installed'] == ['auditd', 'apparmor']
    assert result['cache_refresh'] == 'the package lists are empty'
    apt_calls = [c for c in fake.calls if c[0].endswith('apt-get')]
    assert 'update' in apt_calls[0] and 'install' in apt_calls[1]
    assert '--no-install-recommends' in apt_calls[1]


def test_fresh_lists_are_not_refreshed(apt, run_module):
    fake = apt(set(), lists_age=60)
    result = run_module(os_packages.main, {'name': ['auditd']})
    assert result['cache_refresh'] == ''
    assert not [c for c in fake.calls if 'update' in c]


def test_check_mode_names_the_packages_and_changes_nothing(apt, run_module):
    fake = apt(set(), lists_age=None)
    result = run_module(os_packages.main, {'name': ['auditd']}, check=True)
    assert result['changed'] is True
    assert result['would_install'] == ['auditd'] and result['installed'] == []
    assert result['cache_refresh'] == 'the package lists are empty'
    assert not [c for c in fake.calls if c[0].endswith('apt-get')], 'check mode must not update or install'
    assert 'auditd' not in fake.installed


def test_check_mode_with_lists_names_the_dependencies(apt, run_module):
    fake = apt(set(), lists_age=60)
    result = run_module(os_packages.main, {'name': ['auditd']}, check=True)
    assert result['would_install'] == ['libauditd0', 'auditd']
    assert all('-s' in c for c in fake.calls if c[0].endswith('apt-get'))


def test_unknown_package_is_named_without_traceback(apt, fail_module):
    apt(set(), lists_age=60)
    result = fail_module(os_packages.main, {'name': ['auditdd']})
    assert 'no package list of this host offers auditdd' in result['msg']
    assert 'Traceback' not in result['msg']


def test_failed_update_says_so(apt, fail_module):
    apt(set(), lists_age=None, fail_update=True)
    result = fail_module(os_packages.main, {'name': ['auditd']})
    assert result['msg'].startswith('os_packages: apt-get update failed (rc 100)')


def test_host_without_apt_get_is_refused(monkeypatch, fail_module):
    monkeypatch.setattr(os_packages.AnsibleModule, 'get_bin_path', lambda self, name, *a, **k: None)
    result = fail_module(os_packages.main, {'name': ['auditd']})
    assert 'has no apt-get; install auditd' in result['msg']
