# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import datetime
import hashlib
import os
import shutil

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from ansible_collections.hardening.docker.plugins.lookup.tls_clients_state import LookupModule, clients_state
from ansible_collections.hardening.docker.tests.unit.plugins.x509_helpers import (
    LEAF_USAGE, NOW, ca_cert, ec_key, key_pem, name, pem)

USAGE = ['digitalSignature']
OPTIONS = dict(key_type='ECC', key_curve='secp384r1', key_usage=USAGE)


def client_cert(key, ca_key, common_name, days=365, eku=ExtendedKeyUsageOID.CLIENT_AUTH, san=None, issuer='hardening.docker CA'):
    """A client certificate as openssl_csr_pipe and x509_certificate (ownca) make the role's."""
    return (x509.CertificateBuilder().subject_name(name(common_name)).issuer_name(name(issuer))
            .public_key(key.public_key()).serial_number(3)
            .not_valid_before(NOW).not_valid_after(NOW + datetime.timedelta(days=days))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(san or common_name)]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([eku]), critical=False)
            .add_extension(x509.KeyUsage(**LEAF_USAGE), critical=True)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))


def write(path, data, mode):
    path.write_bytes(data if isinstance(data, bytes) else data.encode('ascii'))
    os.chmod(path, mode)


@pytest.fixture(scope='module')
def ca_key():
    return ec_key(ec.SECP384R1)


@pytest.fixture
def pki(tmp_path, ca_key):
    """A controller PKI as the role's tasks leave it: the CA and two clients."""
    (tmp_path / 'ca').mkdir()
    write(tmp_path / 'ca' / 'ca.pem', pem(ca_cert(ca_key)), 0o444)
    clients = tmp_path / 'clients'
    clients.mkdir(mode=0o700)
    os.chmod(clients, 0o700)
    for client in ('operator', 'alice'):
        issue(tmp_path, ca_key, client)
    return tmp_path


def issue(pki, ca_key, client, key=None, **cert_options):
    directory = pki / 'clients' / client
    directory.mkdir(mode=0o700, exist_ok=True)
    os.chmod(directory, 0o700)
    key = key or ec_key(ec.SECP384R1)
    for file_name in ('key.pem', 'cert.pem', 'ca.pem'):
        if (directory / file_name).exists():
            os.chmod(directory / file_name, 0o600)
    write(directory / 'key.pem', key_pem(key), 0o400)
    write(directory / 'cert.pem', pem(client_cert(key, ca_key, client, **cert_options)), 0o444)
    shutil.copyfile(pki / 'ca' / 'ca.pem', directory / 'ca.pem')
    os.chmod(directory / 'ca.pem', 0o444)
    return key


def decide(pki, renew_days=-1, users=(), host_users=None, clients=('operator', 'alice'), ca='ca/ca.pem'):
    return clients_state(str(pki / 'clients'), list(clients), ca_cert=str(pki / ca) if ca else '', users=users,
                         host_users=host_users, renew_days=renew_days, now=NOW + datetime.timedelta(days=1), **OPTIONS)


def test_the_role_s_own_files_are_current(pki):
    result = decide(pki, renew_days=30)
    assert result == dict(current=True, pending=[], users_pending=[], problems={'operator': [], 'alice': []},
                          user_problems={})


def test_through_the_lookup(pki):
    plugin = LookupModule()
    options = dict(clients_dir=str(pki / 'clients'), clients=['operator'], ca_cert=str(pki / 'ca' / 'ca.pem'),
                   users=[], host_users={}, renew_days=-1, key_size=4096, **OPTIONS)
    plugin.set_options = lambda **_kw: None
    plugin.get_option = options.__getitem__
    # The real clock: the helpers' certificates start on NOW and last a year.
    assert plugin.run([], variables={})[0]['pending'] == []


@pytest.mark.parametrize('change, problem', [
    (lambda pki: os.remove(pki / 'clients' / 'alice' / 'cert.pem'), 'alice/cert.pem is missing'),
    (lambda pki: os.remove(pki / 'clients' / 'alice' / 'key.pem'), 'alice/key.pem is missing'),
    (lambda pki: os.chmod(pki / 'clients' / 'alice' / 'key.pem', 0o600), 'key.pem has mode 0600, not 0400'),
    (lambda pki: os.chmod(pki / 'clients' / 'alice', 0o755), 'alice has mode 0755, not 0700'),
    (lambda pki: write(pki / 'clients' / 'alice' / 'ca.pem', pem(ca_cert(ec_key(), 'other')), 0o444),
     'ca.pem is not the CA certificate'),
    (lambda pki: write(pki / 'clients' / 'alice' / 'cert.pem', 'not a certificate', 0o444), 'cert.pem is not a certificate'),
    (lambda pki: write(pki / 'clients' / 'alice' / 'key.pem', key_pem(ec_key(ec.SECP384R1)), 0o400),
     'the certificate is not of the key'),
    (lambda pki: write(pki / 'clients' / 'alice' / 'key.pem', key_pem(ec_key(ec.SECP384R1), b'pw'), 0o400),
     'key.pem is not an unencrypted PEM private key'),
    (lambda pki: write(pki / 'clients' / 'alice' / 'key.pem', key_pem(ec_key(ec.SECP256R1)), 0o400),
     'the key is not ECC on secp384r1'),
])
def test_what_makes_a_client_pending(pki, change, problem):
    change(pki)
    result = decide(pki)
    assert result['pending'] == ['alice'] and result['current'] is False
    assert any(problem in text for text in result['problems']['alice']), result['problems']['alice']
    assert result['problems']['operator'] == []


def test_certificates_the_role_would_not_keep(pki, ca_key):
    issue(pki, ca_key, 'alice', eku=ExtendedKeyUsageOID.SERVER_AUTH)
    issue(pki, ca_key, 'operator', san='someone-else')
    problems = decide(pki)['problems']
    assert any('not clientAuth' in text for text in problems['alice']), problems
    assert any('subject alternative name is not DNS:operator' in text for text in problems['operator']), problems


def test_a_certificate_of_another_ca(pki):
    issue(pki, ec_key(ec.SECP384R1), 'alice')
    assert decide(pki)['problems']['alice'] == ["the certificate was not signed by the controller's CA"]


def test_expiry_only_with_a_renewal_threshold(pki, ca_key):
    issue(pki, ca_key, 'alice', days=10)
    assert decide(pki, renew_days=-1)['pending'] == []
    problems = decide(pki, renew_days=30)['problems']['alice']
    assert problems == ['it is not valid for 30 more days (not after %s)'
                        % (NOW + datetime.timedelta(days=10)).strftime('%Y%m%d%H%M%SZ')]


def test_no_ca_yet_and_a_bad_clients_directory(pki):
    assert decide(pki, ca='')['pending'] == ['operator', 'alice']
    os.chmod(pki / 'clients', 0o755)
    result = decide(pki)
    assert result['pending'] == ['operator', 'alice'] and 'has mode 0755, not 0700' in result['problems']['alice'][0]


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def host_copy(pki, client, uid=1000, gid=1000):
    """tls_host_state's reading of a user whose ~/.docker holds the role's copies of the client's files."""
    directory = pki / 'clients' / client
    files = dict((file_name, dict(exists=True, kind='file', mode=mode, uid=uid, gid=gid, sha256=digest(directory / file_name)))
                 for file_name, mode in (('ca.pem', '0444'), ('cert.pem', '0444'), ('key.pem', '0400')))
    return dict(exists=True, uid=uid, gid=gid, home='/home/x',
                dir=dict(exists=True, kind='directory', mode='0700', uid=uid, gid=gid), files=files)


USERS = [('root', 'operator'), ('alice', 'alice')]


def test_users_with_current_copies(pki):
    hosts = dict(root=host_copy(pki, 'operator', 0, 0), alice=host_copy(pki, 'alice'))
    result = decide(pki, users=USERS, host_users=hosts)
    assert result['current'] is True and result['users_pending'] == []
    assert result['user_problems'] == {'root': [], 'alice': []}
    # Digests only: nothing of a key in the answer.
    assert 'PRIVATE' not in repr(result)


@pytest.mark.parametrize('change, problem', [
    (lambda user: user['files'].update({'cert.pem': dict(exists=False)}), "~alice/.docker/cert.pem is not the controller's"),
    (lambda user: user['files']['key.pem'].update(sha256='0' * 64), "~alice/.docker/key.pem is not the controller's"),
    (lambda user: user['files']['key.pem'].update(mode='0444'), '~alice/.docker/key.pem is not a file 0400 of the user'),
    (lambda user: user['files']['ca.pem'].update(uid=0), '~alice/.docker/ca.pem is not a file 0444 of the user'),
    (lambda user: user['files']['ca.pem'].update(kind='link'), '~alice/.docker/ca.pem is not a file 0444 of the user'),
    (lambda user: user['dir'].update(mode='0755'), '~alice/.docker is not a directory 0700 of the user'),
    (lambda user: user.update(exists=False), 'user alice does not exist on the host'),
])
def test_what_makes_a_user_pending(pki, change, problem):
    hosts = dict(root=host_copy(pki, 'operator', 0, 0), alice=host_copy(pki, 'alice'))
    change(hosts['alice'])
    result = decide(pki, users=USERS, host_users=hosts)
    assert result['users_pending'] == ['alice'] and result['pending'] == [] and result['current'] is False
    assert problem in result['user_problems']['alice'] and result['user_problems']['root'] == []


def test_users_of_a_client_issued_anew(pki):
    hosts = dict(root=host_copy(pki, 'operator', 0, 0), alice=host_copy(pki, 'alice'))
    os.remove(pki / 'clients' / 'operator' / 'cert.pem')
    result = decide(pki, users=USERS, host_users=hosts)
    assert result['pending'] == ['operator'] and result['users_pending'] == ['root']
    assert result['user_problems']['root'] == ['client operator is issued anew']
