# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Gathering host state: files, units, sockets, commands (faked), certificates."""

from __future__ import annotations

import datetime
import http.server
import json
import os
import shutil
import socket
import socketserver
import threading

import pytest

from ansible_collections.hardening.docker.plugins.module_utils import _audit_gather as gather_mod
from ansible_collections.hardening.docker.plugins.module_utils._audit_gather import (
    Gatherer,
    canonical_watch_path,
)


class FakeRunner(object):
    def __init__(self, answers=None):
        self.answers = answers or {}
        self.calls = []

    def __call__(self, argv):
        self.calls.append(list(argv))
        key = os.path.basename(argv[0])
        answer = self.answers.get(key, (127, '', '%s: not found' % key))
        return answer(argv) if callable(answer) else answer


def make(tmp_path, runner=None, which=None, **kwargs):
    kwargs.setdefault('unit_dirs', (str(tmp_path / 'etc'), str(tmp_path / 'lib')))
    return Gatherer(runner or FakeRunner(), which or (lambda name: None), **kwargs)


# --------------------------------------------------------------- daemon.json
def test_daemon_json_missing_valid_empty_invalid(tmp_path):
    path = tmp_path / 'daemon.json'
    assert Gatherer.gather_daemon_json(str(path)) == {'path': str(path), 'exists': False, 'content': None, 'error': None}
    path.write_text('{"icc": false}')
    assert Gatherer.gather_daemon_json(str(path))['content'] == {'icc': False}
    path.write_text('  \n')
    assert Gatherer.gather_daemon_json(str(path))['content'] == {}
    path.write_text('{"icc": false,}')
    data = Gatherer.gather_daemon_json(str(path))
    assert data['exists'] and data['content'] is None and 'invalid JSON' in data['error']


# -------------------------------------------------------------------- paths
def test_stat_path_kinds(tmp_path):
    regular = tmp_path / 'f'
    regular.write_text('x')
    os.chmod(str(regular), 0o640)
    info = Gatherer.stat_path(str(regular))
    assert info['exists'] and info['type'] == 'file' and info['mode'] == '0640' and not info['symlink']
    assert info['owner'] and info['group']
    assert Gatherer.stat_path(str(tmp_path))['type'] == 'dir'
    assert Gatherer.stat_path(str(tmp_path / 'missing')) == {'exists': False}

    link = tmp_path / 'link'
    link.symlink_to(regular)
    info = Gatherer.stat_path(str(link))
    assert info['symlink'] and info['realpath'] == str(regular)

    dangling = tmp_path / 'dangling'
    dangling.symlink_to(tmp_path / 'nothing')
    info = Gatherer.stat_path(str(dangling))
    assert info['exists'] is False and info['dangling']

    sock_path = str(tmp_path / 's.sock')
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(sock_path)
        assert Gatherer.stat_path(sock_path)['type'] == 'socket'
    finally:
        sock.close()


def test_canonical_watch_path(tmp_path):
    real = tmp_path / 'usr' / 'lib'
    real.mkdir(parents=True)
    (tmp_path / 'lib').symlink_to(real)
    (real / 'unit').write_text('x')
    (real / 'alias').symlink_to(real / 'unit')
    assert canonical_watch_path(str(tmp_path / 'lib' / 'unit')) == str(real / 'unit')
    # the last component is not resolved: a watch on a symlink watches the link
    assert canonical_watch_path(str(tmp_path / 'lib' / 'alias')) == str(real / 'alias')
    assert canonical_watch_path('/') == '/'


# -------------------------------------------------------------------- units
def test_service_with_dropin_and_environment(tmp_path):
    etc = tmp_path / 'etc'
    lib = tmp_path / 'lib'
    (etc / 'docker.service.d').mkdir(parents=True)
    lib.mkdir()
    env = tmp_path / 'default-docker'
    env.write_text('DOCKER_OPTS="--icc=false --live-restore"\n')
    (lib / 'docker.service').write_text(
        '[Service]\nEnvironmentFile=-%s\nExecStart=/usr/sbin/dockerd -H fd:// $DOCKER_OPTS\n' % env)
    (etc / 'docker.service.d' / 'override.conf').write_text(
        '[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd --containerd=/run/containerd/containerd.sock \\\n  $DOCKER_OPTS\n')
    unit = make(tmp_path).gather_service('docker.service')
    assert unit['error'] is None
    assert unit['fragment_path'] == str(lib / 'docker.service')
    assert unit['dropin_paths'] == [str(etc / 'docker.service.d' / 'override.conf')]
    assert unit['exec_start'][-1] == '$DOCKER_OPTS'
    assert unit['argv'] == ['/usr/sbin/dockerd', '--containerd=/run/containerd/containerd.sock', '--icc=false', '--live-restore']
    assert unit['environment'] == {'DOCKER_OPTS': '--icc=false --live-restore'}


def test_service_missing(tmp_path):
    unit = make(tmp_path).gather_service('docker.service')
    assert 'not found' in unit['error'] and unit['argv'] == []


def test_socket_unit_files_and_systemctl(tmp_path, monkeypatch):
    lib = tmp_path / 'lib'
    lib.mkdir()
    (lib / 'docker.socket').write_text('[Socket]\nListenStream=/run/docker.sock\nSocketMode=0660\nSocketUser=root\nSocketGroup=docker\n')
    unit = make(tmp_path).gather_socket('docker.socket')
    assert unit['listen'] == ['/run/docker.sock'] and unit['socket_mode'] == '0660' and unit['source'] == 'files'

    runner = FakeRunner({'systemctl': (0, 'SocketMode=0600\nSocketUser=root\nSocketGroup=docker\n', '')})
    gatherer = make(tmp_path, runner=runner, which=lambda name: '/bin/systemctl' if name == 'systemctl' else None)
    monkeypatch.setattr(gatherer, '_systemctl', lambda: '/bin/systemctl')
    unit = gatherer.gather_socket('docker.socket')
    assert unit['socket_mode'] == '0600' and unit['source'] == 'systemctl'
    assert 'not found' in make(tmp_path).gather_socket('containerd.socket')['error']


# -------------------------------------------------------------------- audit
def test_audit_loaded_rules(tmp_path):
    runner = FakeRunner({'auditctl': (0, '-w /usr/sbin/dockerd -p rwxa -k docker\n'
                                         '-a always,exit -S all -F path=/run/containerd -F perm=rwa -F key=docker\n', '')})
    gatherer = make(tmp_path, runner=runner, which=lambda name: '/sbin/' + name)
    gatherer.audit_rule_files = (str(tmp_path / 'none'),)
    audit = gatherer.gather_audit()
    assert audit['auditctl']['available'] and len(audit['auditctl']['rules']) == 2
    assert set(audit['canonical']) == {'/usr/sbin/dockerd', '/run/containerd'}


def test_audit_no_rules_and_failures(tmp_path):
    rules = tmp_path / 'docker.rules'
    rules.write_text('# comment\n-w /etc/docker -k docker\n')
    runner = FakeRunner({'auditctl': (0, 'No rules\n', '')})
    gatherer = make(tmp_path, runner=runner, which=lambda name: '/sbin/' + name)
    gatherer.audit_rule_files = (str(tmp_path / '*.rules'),)
    audit = gatherer.gather_audit()
    assert audit['auditctl'] == {'available': True, 'rules': [], 'error': None}
    assert audit['rules_files'] == {str(rules): ['-w /etc/docker -k docker']}

    runner = FakeRunner({'auditctl': (1, '', 'You must be root to run this program.\n')})
    gatherer = make(tmp_path, runner=runner, which=lambda name: '/sbin/' + name)
    assert gatherer.gather_audit()['auditctl']['error'] == 'You must be root to run this program.'
    assert make(tmp_path).gather_audit()['auditctl']['error'] == 'auditctl not installed'


# -------------------------------------------------------------- docker info
class _InfoHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({'ServerVersion': '26.1.5', 'SecurityOptions': ['name=seccomp,profile=builtin'],
                           'Swarm': {'LocalNodeState': 'inactive'}, 'Containers': 3}).encode()
        self.send_response(200 if self.path == '/info' else 404)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class _UnixServer(socketserver.UnixStreamServer):
    def get_request(self):
        request, _addr = self.socket.accept()
        return request, ('local', 0)


@pytest.fixture
def api_socket(tmp_path):
    path = str(tmp_path / 'docker.sock')
    server = _UnixServer(path, _InfoHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield path
    server.shutdown()
    server.server_close()


def test_docker_info_over_the_socket(tmp_path, api_socket):
    data = make(tmp_path).gather_docker_info([str(tmp_path / 'absent.sock'), api_socket])
    assert data['available'] and data['source'] == 'api' and data['socket'] == api_socket
    assert data['data']['ServerVersion'] == '26.1.5'
    assert 'Containers' not in data['data']   # only the keys the checks use are kept


def test_docker_info_cli_fallback_and_errors(tmp_path):
    docker = tmp_path / 'docker'
    docker.write_text('#!/bin/sh\n')
    runner = FakeRunner({'docker': (0, json.dumps({'ServerVersion': '20.10.24', 'Driver': 'overlay2'}), '')})
    data = make(tmp_path, runner=runner, docker_bin=str(docker)).gather_docker_info([str(tmp_path / 'none.sock')])
    assert data['available'] and data['source'] == 'cli' and data['data']['Driver'] == 'overlay2'

    runner = FakeRunner({'docker': (1, json.dumps({'ServerErrors': ['Cannot connect to the Docker daemon']}), '')})
    data = make(tmp_path, runner=runner, docker_bin=str(docker)).gather_docker_info([str(tmp_path / 'none.sock')])
    assert not data['available'] and 'Cannot connect' in data['error']

    data = make(tmp_path).gather_docker_info([str(tmp_path / 'none.sock')])
    assert not data['available'] and 'no Docker socket' in data['error']

    stale = tmp_path / 'stale.sock'
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(stale))
    sock.close()   # a socket file nobody listens on
    data = make(tmp_path).gather_docker_info([str(stale)])
    assert not data['available'] and str(stale) in data['error']


def test_docker_info_cli_fallback_asks_the_socket_found(tmp_path):
    """A socket file the API cannot use is still the daemon the CLI is pointed at (the roles' reader)."""
    docker = tmp_path / 'docker'
    docker.write_text('#!/bin/sh\n')
    stale = tmp_path / 'docker.sock'
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(stale))
    sock.close()
    runner = FakeRunner({'docker': (0, json.dumps({'ServerErrors': ['permission denied'],
                                                   'ClientInfo': {'Version': '26.1.5'}}), '')})
    data = make(tmp_path, runner=runner, docker_bin=str(docker)).gather_docker_info([str(stale)])
    assert runner.calls == [[str(docker), '-H', 'unix://' + str(stale), 'info', '--format', '{{json .}}']]
    # Exit status 0 without a server's answer is not an answer.
    assert not data['available'] and 'docker info: permission denied' in data['error']


# -------------------------------------------------------------- certificates
def _self_signed(path, days):
    cryptography = pytest.importorskip('cryptography')
    assert cryptography
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'docker')])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=days)).sign(key, hashes.SHA256()))
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert


def test_cert_with_cryptography(tmp_path):
    path = tmp_path / 'cert.pem'
    _self_signed(path, 40)
    cert = make(tmp_path).gather_cert(str(path))
    assert cert['source'] == 'cryptography' and cert['error'] is None
    not_after = datetime.datetime.strptime(cert['not_after'], '%Y-%m-%dT%H:%M:%SZ')
    assert 39 <= (not_after - datetime.datetime.utcnow()).days <= 40
    assert make(tmp_path).gather_cert(str(tmp_path / 'missing.pem'))['exists'] is False


@pytest.mark.skipif(not shutil.which('openssl'), reason='openssl binary not installed')
def test_cert_with_openssl(tmp_path, monkeypatch):
    import subprocess
    path = tmp_path / 'cert.pem'
    _self_signed(path, 10)
    monkeypatch.setattr(gather_mod, 'HAS_CRYPTOGRAPHY', False)

    def run(argv):
        proc = subprocess.run(argv, capture_output=True, text=True, check=False)
        return proc.returncode, proc.stdout, proc.stderr
    cert = Gatherer(run, shutil.which).gather_cert(str(path))
    assert cert['source'] == 'openssl' and cert['error'] is None and cert['not_after'].endswith('Z')
    path.write_text('not a certificate')
    assert Gatherer(run, shutil.which).gather_cert(str(path))['error']


# ------------------------------------------------------------------- others
def test_group_and_mounts():
    root = Gatherer.gather_group('root')
    assert root['exists'] and root['gid'] == 0
    assert Gatherer.gather_group('no-such-group-hd') == {'exists': False, 'gid': None, 'members': []}
    assert '/' in Gatherer.gather_mounts()
    assert gather_mod._unescape_mount('/mnt/with\\040space') == '/mnt/with space'


def test_full_gather_on_this_machine(tmp_path):
    """The whole gather runs without any command available and yields a JSON-able state."""
    controls = [
        {'id': '1.1.1', 'check': {'type': 'mount_point'}},
        {'id': '1.1.2', 'check': {'type': 'group_members', 'group': 'root'}},
        {'id': '1.1.3', 'check': {'type': 'audit_rule', 'paths': ['/usr/sbin/dockerd']}},
        {'id': '3.7', 'check': {'type': 'file_mode', 'globs': [str(tmp_path / '*')], 'max_mode': '0444'}},
        {'id': '3.1', 'check': {'type': 'file_mode', 'unit': 'docker.service', 'owner': 'root'}},
        {'id': 'HD-1', 'check': {'type': 'tls_cert_expiry'}},
    ]
    (tmp_path / 'x.crt').write_text('x')
    gatherer = make(tmp_path, daemon_json=str(tmp_path / 'daemon.json'), docker_bin=str(tmp_path / 'no-docker'))
    gatherer.audit_rule_files = ()
    state = gatherer.gather(controls)
    json.dumps(state)
    assert state['schema'] == 1 and state['collected_at'].endswith('Z')
    assert state['daemon_json'] == {'path': str(tmp_path / 'daemon.json'), 'exists': False, 'content': None, 'error': None}
    assert state['globs'][str(tmp_path / '*')] == [str(tmp_path / 'x.crt')]
    assert str(tmp_path / 'x.crt') in state['paths'] and '/usr/sbin/dockerd' in state['paths']
    assert state['groups']['root']['exists']
    assert '/' in state['mounts']
    assert state['audit']['auditctl']['error'] == 'auditctl not installed'
    assert state['units']['docker.service']['error']
    assert set(state['apparmor']) >= {'kernel_enabled', 'parser', 'loaded_profiles', 'installed_profiles'}


def test_a_renamed_docker_group_is_the_one_gathered(tmp_path):
    controls = [{'id': '1.1.2', 'check': {'type': 'group_members', 'group': 'docker'}}]
    gatherer = make(tmp_path, docker_bin=str(tmp_path / 'no-docker'), docker_group='root')
    state = gatherer.gather(controls)
    assert list(state['groups']) == ['root'] and state['groups']['root']['exists']
    assert state['options']['docker_group'] == 'root'


def test_config_file_flag_moves_daemon_json(tmp_path):
    lib = tmp_path / 'lib'
    lib.mkdir()
    alt = tmp_path / 'alt.json'
    alt.write_text('{"icc": false}')
    (lib / 'docker.service').write_text('[Service]\nExecStart=/usr/sbin/dockerd --config-file %s\n' % alt)
    gatherer = make(tmp_path, docker_bin=str(tmp_path / 'no-docker'))
    gatherer.audit_rule_files = ()
    state = gatherer.gather([])
    assert state['daemon_json']['path'] == str(alt) and state['daemon_json']['content'] == {'icc': False}
