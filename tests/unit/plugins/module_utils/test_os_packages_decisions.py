# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os

from ansible_collections.hardening.docker.plugins.module_utils import _os_packages


def test_empty_lists_have_no_age(tmp_path):
    (tmp_path / 'lock').write_text('')
    (tmp_path / 'partial').mkdir()
    assert _os_packages.lists_age(str(tmp_path), 1000.0) is None
    assert _os_packages.lists_age(str(tmp_path / 'missing'), 1000.0) is None
    assert _os_packages.refresh_reason(None, 3600) == 'the package lists are empty'


def test_age_is_that_of_the_newest_index(tmp_path):
    old = tmp_path / 'deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages'
    new = tmp_path / 'deb.debian.org_debian_dists_bookworm-updates_main_binary-amd64_Packages.lz4'
    other = tmp_path / 'deb.debian.org_debian_dists_bookworm_InRelease'
    for path, mtime in ((old, 100), (new, 400), (other, 900)):
        path.write_text('x')
        os.utime(str(path), (mtime, mtime))
    assert _os_packages.lists_age(str(tmp_path), 1000.0) == 600
    assert _os_packages.refresh_reason(600, 3600) is None
    assert 'older than cache_valid_time 300' in _os_packages.refresh_reason(600, 300)


def test_installed_names_need_the_installed_status():
    out = ('auditd\tinstall ok installed\n'
           'apparmor\tdeinstall ok config-files\n'
           'libc6:amd64\tinstall ok installed\n')
    assert _os_packages.installed_names(out) == {'auditd', 'libc6'}


def test_missing_keeps_order_and_drops_repeats():
    assert _os_packages.missing(['b', 'a', 'b', 'c'], {'c'}) == ['b', 'a']


def test_simulation_lists_dependencies():
    out = ('NOTE: This is only a simulation!\n'
           'Inst libauparse0 (1:3.0.9-1 Debian:12/stable [amd64])\n'
           'Inst auditd (1:3.0.9-1 Debian:12/stable [amd64])\n'
           'Conf libauparse0 (1:3.0.9-1 Debian:12/stable [amd64])\n')
    assert _os_packages.simulated_installs(out) == ['libauparse0', 'auditd']


def test_unknown_packages_from_both_messages():
    err = ("E: Unable to locate package auditdd\n"
           "E: Package 'apparmor' has no installation candidate\n")
    assert _os_packages.unknown_packages(err) == ['auditdd', 'apparmor']


def test_missing_on_host_asks_dpkg_query_once_and_keeps_order():
    calls = []

    def run(argv):
        calls.append(argv)
        # dpkg-query exits 1 for a name it does not know and still prints the others.
        return 1, 'apparmor\tinstall ok installed\nauditd\tdeinstall ok config-files\n', 'no packages found matching x'
    assert _os_packages.missing_on_host(run, '/usr/bin/dpkg-query', ['x', 'apparmor', 'auditd']) == ['x', 'auditd']
    assert calls == [['/usr/bin/dpkg-query', '-W', '-f', '${Package}\t${Status}\n', '--', 'x', 'apparmor', 'auditd']]


def test_missing_on_host_without_names_or_dpkg():
    def run(argv):
        raise AssertionError('no call expected')
    assert _os_packages.missing_on_host(run, '/usr/bin/dpkg-query', []) == []
    assert _os_packages.missing_on_host(run, None, ['auditd', 'auditd']) == ['auditd']
