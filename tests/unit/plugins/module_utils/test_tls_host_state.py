# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import grp
import hashlib
import json
import os
import pwd
import re
import sys

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ansible_collections.hardening.docker.plugins.module_utils import _tls_host_state as state
from ansible_collections.hardening.docker.plugins.filter.x509_facts import x509_facts
from ansible_collections.hardening.docker.plugins.modules import tls_host_state
from ansible_collections.hardening.docker.tests.unit.plugins.x509_helpers import ec_key, key_pem, pem, server_cert

SHOW = 'LoadState=loaded\nMainPID=0\n\nMainPID=4242\nLoadState=loaded\n'


def fake_run(out=SHOW, rc=0, err=''):
    calls = []

    def run(argv):
        calls.append(argv)
        return rc, out, err
    run.calls = calls
    return run


def proc(tmp_path, pid, argv):
    (tmp_path / 'proc' / str(pid)).mkdir(parents=True)
    (tmp_path / 'proc' / str(pid) / 'cmdline').write_bytes(b'\0'.join(argv) + b'\0')
    return str(tmp_path)


def test_gather_in_one_systemctl_call(tmp_path):
    cert = tmp_path / 'server-cert.pem'
    cert.write_text('-----BEGIN CERTIFICATE-----\n')
    run = fake_run()
    root = proc(tmp_path, 4242, [b'/usr/bin/dockerd', b'-H', b'fd://', b'--containerd=/run/containerd/containerd.sock'])
    result = state.gather(run, '/bin/systemctl', 'docker.socket', 'docker.service',
                          [str(tmp_path / 'server-key.pem'), str(cert)], [str(cert), str(tmp_path / 'ca.pem')], root=root)
    assert run.calls == [['/bin/systemctl', 'show', '--property=LoadState', '--property=MainPID', '--',
                          'docker.socket', 'docker.service']]
    assert result['socket_load_state'] == 'loaded' and result['main_pid'] == '4242'
    # Split as the role split the slurped cmdline: the empty string after the last NUL stays.
    assert result['cmdline'] == ['/usr/bin/dockerd', '-H', 'fd://', '--containerd=/run/containerd/containerd.sock', '']
    assert result['exists'] == {str(tmp_path / 'server-key.pem'): False, str(cert): True}
    assert result['texts'] == {str(cert): '-----BEGIN CERTIFICATE-----\n'}
    assert isinstance(result['crypto_present'], bool)


def test_no_socket_unit_and_stopped_dockerd(tmp_path):
    run = fake_run('LoadState=not-found\nMainPID=0\n\nLoadState=loaded\nMainPID=0\n')
    result = state.gather(run, 'systemctl', 'docker.socket', 'docker.service', [], [], root=str(tmp_path))
    assert result['socket_load_state'] == 'not-found' and result['main_pid'] == '0' and result['cmdline'] == []


@pytest.mark.parametrize('run, message', [
    (fake_run(rc=1, err='Failed to connect to bus'), 'failed (rc 1): Failed to connect to bus'),
    (fake_run('LoadState=loaded\n'), 'gave 1 property blocks, not 2'),
])
def test_systemctl_problems(run, message):
    with pytest.raises(RuntimeError, match=re.escape(message)):
        state.unit_states(run, 'systemctl', 'docker.socket', 'docker.service')


def test_crypto_present(monkeypatch):
    assert state.crypto_present() is True

    def missing(name):
        raise ImportError(name)
    monkeypatch.setattr(state.importlib, 'import_module', missing)
    assert state.crypto_present() is False


def test_module_is_read_only_and_reports_failures(monkeypatch, run_module, fail_module, tmp_path):
    monkeypatch.setattr(tls_host_state.AnsibleModule, 'get_bin_path', lambda self, *a, **k: '/bin/systemctl')
    monkeypatch.setattr(tls_host_state.AnsibleModule, 'run_command',
                        lambda self, argv, **k: (0, 'LoadState=loaded\nMainPID=0\n\nLoadState=loaded\nMainPID=0\n', ''))
    result = run_module(tls_host_state.main, {'exists': [str(tmp_path)]}, check=True)
    assert result['changed'] is False and result['exists'] == {str(tmp_path): True} and result['cmdline'] == []
    monkeypatch.setattr(tls_host_state.AnsibleModule, 'run_command', lambda self, argv, **k: (1, '', 'no bus'))
    assert 'no bus' in fail_module(tls_host_state.main, {})['msg']


def write_key(path, key, password=None):
    path.write_bytes(key_pem(key, password))
    return str(path)


def test_public_facts_of_an_ec_key_never_the_key(tmp_path):
    key = ec_key(ec.SECP384R1)
    path = write_key(tmp_path / 'server-key.pem', key)
    facts = state.public_key(path)
    # The same digest x509_facts gives for a certificate of this key: the role compares the two.
    cert = server_cert(key, ec_key())
    assert facts == dict(exists=True, loaded=True, type='ECC', size=384, curve='secp384r1',
                         public_key_sha256=x509_facts(pem(cert))['public_key_sha256'])
    assert 'PRIVATE' not in json.dumps(facts) and key_pem(key).decode()[40:80] not in json.dumps(facts)


def test_public_facts_of_an_rsa_key(tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    facts = state.public_key(write_key(tmp_path / 'key.pem', key))
    assert (facts['type'], facts['size'], facts['loaded']) == ('RSA', 2048, True) and 'curve' not in facts


def test_keys_that_do_not_load_say_why_without_their_text(tmp_path):
    encrypted = write_key(tmp_path / 'enc.pem', ec_key(), password=b'secret')
    broken = tmp_path / 'broken.pem'
    broken.write_text('-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n')
    assert state.public_key(encrypted) == dict(exists=True, loaded=False,
                                               problem='%s is not an unencrypted PEM private key' % encrypted)
    assert state.public_key(str(broken))['problem'] == '%s is not an unencrypted PEM private key' % broken
    assert state.public_key(str(tmp_path / 'none.pem')) == dict(exists=False, loaded=False,
                                                                problem='%s does not exist' % (tmp_path / 'none.pem'))


def test_a_key_without_the_library(tmp_path, monkeypatch):
    path = write_key(tmp_path / 'key.pem', ec_key())
    monkeypatch.setitem(sys.modules, 'cryptography.hazmat.primitives.serialization', None)
    assert state.public_key(path) == dict(exists=True, loaded=False, problem='the Python library cryptography is missing')


def test_owner_group_and_mode_of_files(tmp_path):
    directory, key = tmp_path / 'tls', tmp_path / 'tls' / 'server-key.pem'
    directory.mkdir(mode=0o750)
    os.chmod(str(directory), 0o750)
    key.write_text('x')
    os.chmod(str(key), 0o400)
    user, group = pwd.getpwuid(os.getuid())[0], grp.getgrgid(os.getgid())[0]
    assert state.file_stats([str(directory), str(key), str(tmp_path / 'missing')]) == {
        str(directory): dict(exists=True, kind='directory', mode='0750', owner=user, group=group),
        str(key): dict(exists=True, kind='file', mode='0400', owner=user, group=group),
        str(tmp_path / 'missing'): dict(exists=False),
    }


def test_gather_returns_key_facts_and_modes_only_when_asked(tmp_path):
    key = write_key(tmp_path / 'server-key.pem', ec_key())
    asked = state.gather(fake_run(), 'systemctl', 'docker.socket', 'docker.service', [], [], root=proc(tmp_path, 4242, [b'd']),
                         key=key, mode_paths=[key])
    assert asked['key']['loaded'] is True and asked['stats'][key]['exists'] is True
    plain = state.gather(fake_run(), 'systemctl', 'docker.socket', 'docker.service', [], [], root=str(tmp_path))
    assert plain['key'] == {} and plain['stats'] == {}


def test_module_passes_key_and_modes(monkeypatch, run_module, tmp_path):
    monkeypatch.setattr(tls_host_state.AnsibleModule, 'get_bin_path', lambda self, *a, **k: '/bin/systemctl')
    monkeypatch.setattr(tls_host_state.AnsibleModule, 'run_command',
                        lambda self, argv, **k: (0, 'LoadState=loaded\nMainPID=0\n\nLoadState=loaded\nMainPID=0\n', ''))
    key = write_key(tmp_path / 'server-key.pem', ec_key())
    result = run_module(tls_host_state.main, {'key': key, 'modes': [str(tmp_path)]}, check=True)
    assert result['key']['type'] == 'ECC' and result['stats'][str(tmp_path)]['kind'] == 'directory'
    assert 'BEGIN' not in json.dumps(result)


def fake_user(monkeypatch, home, uid=1000, gid=1000):
    entry = pwd.struct_passwd(('alice', 'x', uid, gid, '', str(home), '/bin/sh'))

    def getpwnam(name):
        if name != 'alice':
            raise KeyError(name)
        return entry
    monkeypatch.setattr(state.pwd, 'getpwnam', getpwnam)


def test_users_client_files_by_digest_never_content(tmp_path, monkeypatch):
    home = tmp_path / 'alice'
    docker = home / '.docker'
    docker.mkdir(parents=True)
    os.chmod(str(docker), 0o700)
    (docker / 'ca.pem').write_text('CA')
    os.chmod(str(docker / 'ca.pem'), 0o444)
    (docker / 'key.pem').write_text('-----BEGIN PRIVATE KEY-----\nsecret\n')
    os.chmod(str(docker / 'key.pem'), 0o400)
    (docker / 'cert.pem').symlink_to(docker / 'ca.pem')
    fake_user(monkeypatch, home)
    uid, gid = os.getuid(), os.getgid()
    users = state.user_files(['alice', 'bob'])
    assert users['bob'] == dict(exists=False)
    alice = users['alice']
    assert (alice['exists'], alice['uid'], alice['gid'], alice['home']) == (True, 1000, 1000, str(home))
    assert alice['dir'] == dict(exists=True, kind='directory', mode='0700', uid=uid, gid=gid)
    assert alice['files']['ca.pem'] == dict(exists=True, kind='file', mode='0444', uid=uid, gid=gid,
                                            sha256=hashlib.sha256(b'CA').hexdigest())
    # A link is reported as one, not followed: the role's copy replaces it.
    assert alice['files']['cert.pem']['kind'] == 'link' and 'sha256' not in alice['files']['cert.pem']
    assert alice['files']['key.pem']['sha256'] == hashlib.sha256(b'-----BEGIN PRIVATE KEY-----\nsecret\n').hexdigest()
    assert 'secret' not in json.dumps(users) and 'PRIVATE' not in json.dumps(users)


def test_a_user_without_docker_directory_and_gather_passes_users(tmp_path, monkeypatch):
    fake_user(monkeypatch, tmp_path / 'alice')
    stopped = 'LoadState=loaded\nMainPID=0\n\nLoadState=loaded\nMainPID=0\n'
    result = state.gather(fake_run(stopped), 'systemctl', 'docker.socket', 'docker.service', [], [], root=str(tmp_path),
                          users=['alice'])
    assert result['users']['alice']['dir'] == dict(exists=False)
    assert result['users']['alice']['files'] == {'ca.pem': dict(exists=False), 'cert.pem': dict(exists=False),
                                                 'key.pem': dict(exists=False)}
    assert state.gather(fake_run(stopped), 'systemctl', 'docker.socket', 'docker.service', [], [],
                        root=str(tmp_path))['users'] == {}
