# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.hardening.docker.plugins.module_utils import _daemon_schema as schema

UL = {'nofile': {'Name': 'nofile', 'Soft': 1024, 'Hard': 4096}}

GOOD = [
    ('icc', False), ('iptables', True), ('ip-forward', True), ('ip-masq', False), ('live-restore', True),
    ('no-new-privileges', True), ('userland-proxy', False), ('experimental', False), ('debug', True),
    ('selinux-enabled', False), ('tls', True), ('tlsverify', True),
    ('log-level', 'info'), ('log-level', 'warn'), ('log-level', 'fatal'),
    ('log-driver', 'json-file'), ('log-driver', 'grafana/loki-docker-driver:latest'),
    ('log-opts', {'max-size': '10m', 'max-file': '3'}), ('log-opts', {}),
    ('default-ulimits', UL), ('default-ulimits', {'memlock': {'Name': 'memlock', 'Soft': -1, 'Hard': -1}}),
    ('default-ulimits', {'core': {'Name': 'core', 'Soft': 0, 'Hard': -1}}),
    ('hosts', ['unix:///var/run/docker.sock', 'tcp://0.0.0.0:2376', 'tcp://[::1]:2376', 'fd://', 'fd://3',
               'tcp://docker.example.com:2376', 'tcp://:2376']),
    ('tlscacert', '/etc/docker/ca.pem'), ('tlscert', '/etc/docker/cert.pem'), ('tlskey', '/etc/docker/key.pem'),
    ('userns-remap', 'default'), ('userns-remap', 'dockremap'), ('userns-remap', 'dockremap:dockremap'),
    ('userns-remap', '1000'), ('userns-remap', '1000:1000'), ('userns-remap', '_svc-user$'),
    ('insecure-registries', []), ('insecure-registries', ['reg.local:5000', '10.0.0.0/8', 'reg', '[::1]:5000']),
    ('registry-mirrors', ['https://mirror.gcr.io', 'http://10.0.0.1:5000/']),
    ('cgroup-parent', 'docker.slice'), ('default-shm-size', '64M'), ('default-shm-size', '512MiB'),
    ('default-shm-size', '1.5G'), ('default-shm-size', '67108864'),
    ('default-cgroupns-mode', 'private'), ('default-cgroupns-mode', 'host'),
    ('exec-opts', ['native.cgroupdriver=systemd']), ('data-root', '/var/lib/docker'),
    ('storage-driver', 'overlay2'), ('seccomp-profile', 'builtin'), ('seccomp-profile', '/etc/docker/seccomp.json'),
    ('authorization-plugins', ['opa-docker-authz']),
    ('default-address-pools', [{'base': '172.30.0.0/16', 'size': 24}]),
    ('features', {'buildkit': True}), ('labels', ['env=prod', 'team=a']),
    ('max-concurrent-downloads', 3), ('shutdown-timeout', 15), ('shutdown-timeout', -1),
    ('containerd', '/run/containerd/containerd.sock'), ('bip', '192.168.200.1/24'),
    ('default-runtime', 'runc'),
    ('runtimes', {'runsc': {'path': '/usr/bin/runsc', 'runtimeArgs': ['--platform=ptrace']},
                  'kata': {'runtimeType': 'io.containerd.kata.v2', 'options': {}}}),
    ('dns', ['1.1.1.1', '2606:4700:4700::1111']), ('dns-search', ['example.com']),
    ('proxies', {'http-proxy': 'http://proxy:3128', 'no-proxy': ''}),
    ('mtu', 1500), ('fixed-cidr', '172.17.0.0/16'), ('ip', '127.0.0.1'),
]


@pytest.mark.parametrize('key, value', GOOD, ids=['%s-%d' % (k, i) for i, (k, _v) in enumerate(GOOD)])
def test_good(key, value):
    assert schema.validate_settings({key: value}) == []


BAD = [
    ('icc', 'false', 'quoted string is not a boolean'),
    ('icc', 0, 'boolean'),
    ('debug', None, 'null'),
    ('log-level', 'verbose', 'one of debug, info, warn, error, fatal'),
    ('log-level', 'INFO', 'one of'),
    ('log-driver', '', 'must not be empty'),
    ('log-driver', 5, 'string'),
    ('log-opts', {'max-file': 3}, 'docker_log_opts'),
    ('log-opts', {'compress': True}, 'compress'),
    ('log-opts', ['max-size=10m'], 'mapping'),
    ('default-ulimits', {'nofile': {'Name': 'nofile', 'Soft': 4096, 'Hard': 1024}}, 'soft=4096 hard=1024'),
    ('default-ulimits', {'nofile': {'Name': 'nproc', 'Soft': 1, 'Hard': 1}}, 'must equal its key'),
    ('default-ulimits', {'as': {'Name': 'as', 'Soft': 1, 'Hard': 1}}, "unknown ulimit name 'as'"),
    ('default-ulimits', {'nofile': {'Name': 'nofile', 'Soft': '1024', 'Hard': 1024}}, 'Soft must be an integer'),
    ('default-ulimits', {'nofile': {'Name': 'nofile', 'Soft': -2, 'Hard': 1}}, '-1 for unlimited'),
    ('default-ulimits', {'nofile': {'Name': 'nofile', 'Soft': -1, 'Hard': 1024}}, 'soft=-1 hard=1024'),
    ('default-ulimits', {'nofile': {'Name': 'nofile', 'Soft': -1, 'Hard': -1}}, 'nofile cannot be unlimited'),
    ('default-ulimits', {'nofile': {'soft': 1, 'hard': 1}}, 'docker_ulimits'),
    ('default-ulimits', {'nofile': '1024:4096'}, 'docker_ulimits'),
    ('hosts', 'unix:///var/run/docker.sock', 'a single value must still be a list'),
    ('hosts', ['unix://var/run/docker.sock'], 'absolute'),
    ('hosts', ['tcp://0.0.0.0'], 'explicit port'),
    ('hosts', ['tcp://0.0.0.0:99999'], '1 to 65535'),
    ('hosts', ['tcp://0.0.0.0:2376/path'], 'without a path'),
    ('hosts', ['npipe:////./pipe/docker_engine'], 'Windows'),
    ('hosts', ['ssh://user@host'], 'client address'),
    ('hosts', ['0.0.0.0:2375'], 'write the scheme'),
    ('hosts', ['fd://abc'], 'socket number'),
    ('hosts', ['tcp://bad_host!:2376'], 'neither an IP address nor a host name'),
    ('tlscacert', 'ca.pem', 'absolute path'),
    ('tlskey', '', 'must not be empty'),
    ('userns-remap', 'Bad', 'useradd rules'),
    ('userns-remap', 'user:group:x', '"user:group"'),
    ('userns-remap', 'user:', '"user:group"'),
    ('userns-remap', 'a' * 33, 'at most 32'),
    ('userns-remap', 'root', 'no isolation'),
    ('userns-remap', '0:0', 'no isolation'),
    ('userns-remap', True, 'string'),
    ('insecure-registries', ['http://reg:5000'], 'without a scheme'),
    ('insecure-registries', ['reg:port'], '1 to 65535'),
    ('insecure-registries', ['10.0.0.0/33'], 'CIDR'),
    ('registry-mirrors', ['mirror.gcr.io'], 'http:// or https://'),
    ('registry-mirrors', ['https://m?x=1'], 'http:// or https://'),
    ('default-shm-size', 64, 'quoted'),
    ('default-shm-size', '64 megs', 'size such as'),
    ('default-cgroupns-mode', 'shared', 'host, private'),
    ('exec-opts', ['native.cgroupdriver=foo'], 'cgroupfs or systemd'),
    ('exec-opts', ['novalue'], 'name=value'),
    ('data-root', 'var/lib/docker', 'absolute'),
    ('seccomp-profile', 'unconfined', 'seccomp off'),
    ('seccomp-profile', 'profile.json', 'absolute'),
    ('authorization-plugins', [''], 'must not be empty'),
    ('authorization-plugins', [1], 'must be a string'),
    ('default-address-pools', [{'base': '10.0.0.0/8'}], 'size'),
    ('default-address-pools', [{'base': '10.0.0.0/16', 'size': 8}], '>= 16'),
    ('features', {'buildkit': 'true'}, 'boolean'),
    ('labels', ['noequals'], 'name=value'),
    ('labels', ['a=1', 'a=2'], 'twice'),
    ('max-concurrent-downloads', 0, '>= 1'),
    ('max-concurrent-downloads', '3', 'unquoted'),
    ('max-concurrent-downloads', True, 'integer'),
    ('shutdown-timeout', -5, '>= -1'),
    ('containerd', 'containerd.sock', 'absolute'),
    ('bip', '192.168.200.1', 'prefix'),
    ('bip', 'x/24', 'prefix'),
    ('runtimes', {'r': {'path': '/a', 'runtimeType': 'b'}}, 'not both'),
    ('runtimes', {'r': {}}, 'give path'),
    ('runtimes', {'r': {'path': '/a', 'args': []}}, 'unknown fields args'),
    ('dns', ['not-an-ip'], 'IP address'),
    ('proxies', {'ftp-proxy': 'x'}, 'unknown field'),
    ('fixed-cidr', '2001:db8::/64', 'IPv4'),
    ('mtu', 70000, '<= 65535'),
]


@pytest.mark.parametrize('key, value, fragment', BAD, ids=['%s-%d' % (k, i) for i, (k, _v, _f) in enumerate(BAD)])
def test_bad(key, value, fragment):
    errors = schema.validate_settings({key: value})
    assert len(errors) == 1
    assert key.split('[')[0] in errors[0]
    assert fragment in errors[0], errors[0]


def test_unknown_key_refused_and_allowed():
    errors = schema.validate_settings({'iptabels': False})
    assert len(errors) == 1 and "'iptabels'" in errors[0] and 'allow_unknown_keys' in errors[0]
    assert schema.validate_settings({'iptabels': False}, ['iptabels']) == []


def test_required_keys_are_known():
    required = (
        'icc iptables ip-forward ip-masq live-restore no-new-privileges userland-proxy experimental debug '
        'selinux-enabled log-level log-driver log-opts default-ulimits hosts tls tlsverify tlscacert tlscert '
        'tlskey userns-remap insecure-registries registry-mirrors cgroup-parent default-shm-size '
        'default-cgroupns-mode exec-opts data-root storage-driver seccomp-profile authorization-plugins '
        'default-address-pools features labels max-concurrent-downloads shutdown-timeout containerd bip '
        'default-runtime runtimes').split()
    assert set(required) <= schema.KNOWN_KEYS


def test_reload_only_keys_are_known():
    assert schema.RELOAD_ONLY_KEYS <= schema.KNOWN_KEYS


@pytest.mark.parametrize('added, modified, removed, expected', [
    ([], [], [], (False, False)),
    (['debug'], ['labels'], [], (False, True)),
    (['icc'], [], [], (True, False)),
    (['debug', 'icc'], [], [], (True, False)),
    ([], [], ['debug'], (True, False)),
])
def test_classify(added, modified, removed, expected):
    assert schema.classify(added, modified, removed) == expected
