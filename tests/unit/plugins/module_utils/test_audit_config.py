# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Effective dockerd configuration: daemon.json merged with the unit's flags."""

from __future__ import annotations

import pytest

from ansible_collections.hardening.docker.plugins.module_utils._audit_config import (
    effective_config,
    host_kind,
    is_unset,
    parse_flags,
    to_bool,
    unix_socket_paths,
)


def test_parse_flags_shapes():
    flags, config_file = parse_flags([
        '/usr/sbin/dockerd', '-H', 'fd://', '--host=tcp://0.0.0.0:2376', '--tlsverify', '--icc=false',
        '--log-opt', 'max-size=10m', '--log-opt=max-file=3', '--default-ulimit', 'nofile=100:200',
        '--insecure-registry', 'r:5000', '-l', 'warn', '--config-file', '/etc/docker/alt.json', '--userland-proxy=false'])
    assert flags['hosts'] == ['fd://', 'tcp://0.0.0.0:2376']
    assert flags['tlsverify'] is True and flags['icc'] is False and flags['userland-proxy'] is False
    assert flags['log-opts'] == {'max-size': '10m', 'max-file': '3'}
    assert flags['default-ulimits'] == {'nofile': {'Name': 'nofile', 'Soft': 100, 'Hard': 200}}
    assert flags['insecure-registries'] == ['r:5000']
    assert flags['log-level'] == 'warn'
    assert config_file == '/etc/docker/alt.json'
    assert 'config-file' not in flags


def test_parse_flags_empty():
    assert parse_flags([]) == ({}, None)
    assert parse_flags(['/usr/sbin/dockerd']) == ({}, None)


@pytest.mark.parametrize('value, expected', [
    (True, True), ('true', True), ('1', True), ('False', False), ('off', False), (None, None), ('maybe', 'maybe')])
def test_to_bool(value, expected):
    assert to_bool(value) == expected


def test_is_unset():
    assert all(is_unset(v) for v in (None, '', [], {}))
    assert not any(is_unset(v) for v in (False, 0, 'x', ['a']))


def test_merge_sources_and_conflicts():
    state = {
        'daemon_json': {'path': '/etc/docker/daemon.json', 'exists': True, 'content': {'icc': False, 'hosts': ['fd://']}},
        'units': {'docker.service': {'argv': ['/usr/sbin/dockerd', '-H', 'fd://', '--live-restore']}},
    }
    eff = effective_config(state)
    assert eff['ok'] and eff['argv_source'] == 'unit'
    assert eff['config']['icc'] is False and eff['sources']['icc'] == 'daemon.json'
    assert eff['config']['live-restore'] is True and eff['sources']['live-restore'] == 'flag'
    assert eff['conflicts'] == ['hosts']


def test_missing_and_broken_daemon_json():
    eff = effective_config({'daemon_json': {'path': '/x', 'exists': False}})
    assert eff['ok'] and eff['config'] == {}
    eff = effective_config({'daemon_json': {'path': '/x', 'exists': True, 'error': 'invalid JSON'}})
    assert not eff['ok'] and 'invalid JSON' in eff['error']
    eff = effective_config({'daemon_json': {'path': '/x', 'exists': True, 'content': [1]}})
    assert not eff['ok']


def test_process_argv_fallback():
    eff = effective_config({'units': {'docker.service': {'argv': []}}, 'process': {'argv': ['dockerd', '--iptables=false']}})
    assert eff['argv_source'] == 'process' and eff['config']['iptables'] is False


@pytest.mark.parametrize('host, kind', [
    ('fd://', 'fd'), ('unix:///run/docker.sock', 'unix'), ('tcp://0.0.0.0:2376', 'tcp'), ('0.0.0.0:2375', 'tcp'),
    (':2375', 'tcp'), ('ssh://me@host', 'ssh')])
def test_host_kind(host, kind):
    assert host_kind(host) == kind


def test_unix_socket_paths():
    assert unix_socket_paths(None) == ['/var/run/docker.sock']
    assert unix_socket_paths(['fd://'], ['/run/docker.sock']) == ['/run/docker.sock']
    assert unix_socket_paths(['fd://'], None) == ['/run/docker.sock']
    assert unix_socket_paths(['unix:///srv/d.sock', 'tcp://x:1']) == ['/srv/d.sock']
    assert unix_socket_paths(['tcp://x:1']) == []
