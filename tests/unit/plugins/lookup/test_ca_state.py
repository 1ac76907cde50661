# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import datetime
import os

import pytest

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ansible_collections.hardening.docker.plugins.lookup.ca_state import LookupModule, ca_state
from ansible_collections.hardening.docker.tests.unit.plugins.x509_helpers import (
    CA_USAGE, NOW, ca_cert, ec_key, key_pem, pem)

CN = 'hardening.docker CA'


@pytest.fixture(scope='module')
def key():
    return ec_key(ec.SECP384R1)


def write(path, data, mode):
    path.write_bytes(data if isinstance(data, bytes) else data.encode('ascii'))
    os.chmod(path, mode)
    return str(path)


@pytest.fixture
def ca(tmp_path, key):
    """A CA as the role's community.crypto tasks leave it."""
    pki = tmp_path / 'pki'
    (pki / 'ca').mkdir(parents=True)
    os.chmod(pki, 0o700)
    os.chmod(pki / 'ca', 0o700)
    return dict(dirs=[str(pki), str(pki / 'ca')],
                cert=write(pki / 'ca' / 'ca.pem', pem(ca_cert(key, CN)), 0o444),
                key=write(pki / 'ca' / 'ca-key.pem', key_pem(key), 0o400),
                key_type='ECC', key_curve='secp384r1', common_name=CN, min_days=30)


def state(**kwargs):
    return ca_state(now=NOW + datetime.timedelta(days=1), **kwargs)


def test_complete_ca(ca):
    result = state(**ca)
    assert result['complete'] is True and result['problem'] == ''
    assert result['cert']['subject'] == {'commonName': CN}
    # Nothing of the key in the answer.
    assert 'PRIVATE' not in repr(result)


def test_through_the_lookup(ca):
    plugin = LookupModule()
    options = dict(ca, key_size=4096)
    # Option parsing needs the plugin loader; the option values are what is tested here.
    plugin.set_options = lambda **_kw: None
    plugin.get_option = options.__getitem__
    result = plugin.run([], variables={}, **options)
    # The real clock: the helper's CA starts on NOW and lasts ten years.
    assert len(result) == 1 and result[0]['cert']['subject'] == {'commonName': CN}


def test_only_directories(ca):
    assert state(dirs=ca['dirs'])['complete'] is True
    os.chmod(ca['dirs'][1], 0o755)
    assert state(dirs=ca['dirs']) == dict(complete=False, problem='%s has mode 0755, not 0700' % ca['dirs'][1])


@pytest.mark.parametrize('change, problem', [
    (lambda ca: os.remove(ca['key']), 'ca-key.pem is missing'),
    (lambda ca: os.remove(ca['cert']), 'ca.pem is missing'),
    (lambda ca: os.chmod(ca['key'], 0o600), 'has mode 0600, not 0400'),
    (lambda ca: os.chmod(ca['cert'], 0o644), 'has mode 0644, not 0444'),
    (lambda ca: os.chmod(ca['dirs'][0], 0o750), 'has mode 0750'),
])
def test_missing_or_wrong_mode(ca, change, problem):
    change(ca)
    result = state(**ca)
    assert result['complete'] is False and problem in result['problem']


def replace(path, data):
    os.chmod(path, 0o600)
    with open(path, 'wb') as handle:
        handle.write(data if isinstance(data, bytes) else data.encode('ascii'))
    os.chmod(path, 0o444 if path.endswith('ca.pem') else 0o400)


def test_another_key(ca):
    replace(ca['key'], key_pem(ec_key(ec.SECP384R1)))
    assert state(**ca)['problem'] == 'the certificate is not of the key'


def test_encrypted_key_needs_the_modules(ca, key):
    replace(ca['key'], key_pem(key, password=b'secret'))
    result = state(**ca)
    assert result['complete'] is False and result['problem'].endswith('is not an unencrypted PEM private key')


def test_key_of_another_type_or_curve(ca, key):
    assert state(**dict(ca, key_curve='secp256r1'))['problem'] == 'the key is not ECC on secp256r1'
    assert state(**dict(ca, key_type='RSA', key_size=4096))['problem'] == 'the key is not RSA of 4096 bits'


def test_rsa_key():
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    from ansible_collections.hardening.docker.plugins.lookup.ca_state import _key_problem
    assert _key_problem(rsa_key, 'RSA', 2048, None) == ''
    assert _key_problem(rsa_key, 'RSA', 4096, None) == 'the key is not RSA of 4096 bits'
    assert _key_problem(rsa_key, 'ECC', 0, 'secp384r1') == 'the key is not ECC on secp384r1'


@pytest.mark.parametrize('cert_kwargs, problem', [
    (dict(common_name='Other CA'), 'the certificate is not the self-signed CN=hardening.docker CA'),
    (dict(days=20), 'the certificate is not valid for 30 more days'),
    (dict(start=NOW + datetime.timedelta(days=5)), 'the certificate is not valid for 30 more days'),
    (dict(usage=dict(CA_USAGE, digital_signature=True)), 'the certificate has another keyUsage than the CA request'),
    (dict(extra=x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH])), 'another extendedKeyUsage'),
    (dict(ski=False), 'the certificate has no subject key identifier'),
])
def test_certificate_that_the_modules_would_redo(ca, key, cert_kwargs, problem):
    kwargs = dict(common_name=CN)
    kwargs.update(cert_kwargs)
    replace(ca['cert'], pem(ca_cert(key, **kwargs)))
    result = state(**ca)
    assert result['complete'] is False and problem in result['problem']


def test_not_a_certificate(ca):
    replace(ca['cert'], 'garbage')
    result = state(**ca)
    assert result['complete'] is False and 'error' in result['cert'] and 'not_after' not in result['cert']


def test_certificate_alone_is_read_but_never_complete(ca):
    result = state(cert=ca['cert'])
    assert result['complete'] is False and result['cert']['is_ca'] is True
