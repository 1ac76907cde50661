# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_docker_paths: the paths of a control, computed once for roles and audit."""

from __future__ import annotations

import os

from ansible_collections.hardening.docker.plugins.module_utils import _docker_paths as paths


def test_clear_mode_never_loosens():
    assert paths.clear_mode(0o777, 0o644) == 0o644
    assert paths.clear_mode(0o600, 0o644) == 0o600
    assert paths.clear_mode(0o4755, 0o755) == 0o755   # setuid cleared
    assert paths.clear_mode(0o1777, 0o755) == 0o755   # sticky cleared


def test_parse_systemctl_show_two_units():
    text = 'FragmentPath=/lib/systemd/system/docker.service\nDropInPaths=/etc/a.conf /etc/b.conf\n\n' \
           'FragmentPath=/lib/systemd/system/docker.socket\nDropInPaths=\n'
    blocks = paths.parse_systemctl_show(text)
    assert blocks == [{'FragmentPath': '/lib/systemd/system/docker.service', 'DropInPaths': '/etc/a.conf /etc/b.conf'},
                      {'FragmentPath': '/lib/systemd/system/docker.socket', 'DropInPaths': ''}]


def test_unit_files_adds_dropins_systemd_has_not_loaded(tmp_path):
    root = tmp_path / 'etc'
    (root / 'docker.service.d').mkdir(parents=True)
    (root / 'docker.service.d' / 'new.conf').write_text('[Service]\n')
    (root / 'docker.service.d' / 'readme.txt').write_text('not a drop-in\n')
    props = {'FragmentPath': '/lib/systemd/system/docker.service', 'DropInPaths': '/run/x/docker.service.d/old.conf'}
    files, dirs = paths.unit_files('docker.service', props, [str(root)])
    assert files == ['/lib/systemd/system/docker.service', '/run/x/docker.service.d/old.conf',
                     str(root / 'docker.service.d' / 'new.conf')]
    assert dirs == ['/run/x/docker.service.d', str(root / 'docker.service.d')]


def test_unit_files_without_systemd_reads_the_search_paths(tmp_path):
    lib = tmp_path / 'lib'
    lib.mkdir()
    (lib / 'docker.socket').write_text('[Socket]\n')
    files, dirs = paths.unit_files('docker.socket', None, (), unit_dirs=(str(tmp_path / 'etc'), str(lib)))
    assert files == [str(lib / 'docker.socket')]
    assert dirs == []


def test_real_targets_resolve_links_and_keep_the_wanted_kind(tmp_path):
    real = tmp_path / 'ca.pem'
    real.write_text('x')
    link = tmp_path / 'link.pem'
    link.symlink_to(real)
    (tmp_path / 'dir').mkdir()
    candidates = [str(link), str(real), str(tmp_path / 'dir'), str(tmp_path / 'missing')]
    assert paths.real_targets(candidates, 'f') == [str(real)]
    assert paths.real_targets(candidates, 'd') == [str(tmp_path / 'dir')]


def test_tls_paths_and_check_paths():
    config = {'tlscert': '/etc/docker/tls/cert.pem', 'tlskey': ''}
    assert paths.tls_paths(config, 'tlscert') == ['/etc/docker/tls/cert.pem']
    assert paths.tls_paths(config, 'tlskey') == []
    assert paths.tls_paths(None, 'tlscacert') == []
    units = {'docker.service': {'fragment_path': '/lib/systemd/system/docker.service'}}
    check = {'unit': 'docker.service', 'paths': ['/etc/systemd/system/docker.service']}
    assert paths.check_paths(check, units, config) == ['/etc/systemd/system/docker.service',
                                                       '/lib/systemd/system/docker.service']
    assert paths.check_paths({'from_key': 'tlscert'}, units, config) == ['/etc/docker/tls/cert.pem']


def test_files_below_recurses_and_lists_links(tmp_path):
    (tmp_path / 'reg' / 'sub').mkdir(parents=True)
    (tmp_path / 'reg' / 'ca.crt').write_text('x')
    (tmp_path / 'reg' / 'sub' / 'client.cert').write_text('x')
    (tmp_path / 'reg' / 'sys.crt').symlink_to('/etc/hostname')
    found = paths.files_below(str(tmp_path))
    assert found == [str(tmp_path / 'reg' / 'ca.crt'), str(tmp_path / 'reg' / 'sys.crt'),
                     str(tmp_path / 'reg' / 'sub' / 'client.cert')]


def test_watch_targets_existing_and_appearing(tmp_path):
    binary = tmp_path / 'sbin' / 'runc'
    binary.parent.mkdir()
    binary.write_text('')
    link = tmp_path / 'runc-link'
    link.symlink_to(binary)
    appear = tmp_path / 'sbin' / 'daemon.json'
    never = tmp_path / 'nodir' / 'daemon.json'
    out = paths.watch_targets([str(link), str(binary), str(tmp_path / 'gone')], [str(appear), str(never)])
    assert out == [str(binary), str(appear)]


def test_canonical_watch_path_keeps_the_last_component(tmp_path):
    target = tmp_path / 'real'
    target.mkdir()
    (tmp_path / 'alias').symlink_to(target)
    assert paths.canonical_watch_path(str(tmp_path / 'alias' / 'file')) == os.path.join(str(target), 'file')
    assert paths.canonical_watch_path('/') == '/'
