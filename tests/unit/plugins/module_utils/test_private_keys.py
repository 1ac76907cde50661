# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ansible_collections.hardening.docker.plugins.module_utils import _private_keys as keys
from ansible_collections.hardening.docker.tests.unit.plugins.x509_helpers import ec_key, key_pem


@pytest.fixture(scope='module')
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public(key):
    return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def tampered(key, **changes):
    """The key's PEM with one of its private numbers changed (OpenSSL's full check refuses it)."""
    numbers = key.private_numbers()
    values = dict(p=numbers.p, q=numbers.q, d=numbers.d, dmp1=numbers.dmp1, dmq1=numbers.dmq1, iqmp=numbers.iqmp)
    values.update(dict((name, values[name] ^ 2) for name in changes))
    broken = rsa.RSAPrivateNumbers(public_numbers=numbers.public_numbers, **values)
    return key_pem(broken.private_key(unsafe_skip_rsa_key_validation=True))


def test_rsa_and_ec_keys_load(rsa_key):
    assert public(keys.load_private_key(key_pem(rsa_key))) == public(rsa_key)
    key = ec_key(ec.SECP384R1)
    assert public(keys.load_private_key(key_pem(key))) == public(key)


def test_the_slow_openssl_check_is_skipped(rsa_key, monkeypatch):
    calls = []
    real = serialization.load_pem_private_key

    def spy(data, password, **kwargs):
        calls.append(kwargs)
        return real(data, password, **kwargs)
    monkeypatch.setattr(serialization, 'load_pem_private_key', spy)
    keys.load_private_key(key_pem(rsa_key))
    assert calls == [dict(unsafe_skip_rsa_key_validation=True)]


@pytest.mark.parametrize('number', ['d', 'dmp1', 'dmq1', 'iqmp'])
def test_an_rsa_key_whose_numbers_do_not_fit_is_refused(rsa_key, number):
    data = tampered(rsa_key, **{number: True})
    # The check the fast path skips refuses it too.
    with pytest.raises(ValueError):
        serialization.load_pem_private_key(data, None)
    with pytest.raises(ValueError, match='not consistent'):
        keys.load_private_key(data)


def test_an_older_library_loads_with_its_full_check(rsa_key, monkeypatch):
    real = serialization.load_pem_private_key
    calls = []

    def old(data, password, **kwargs):
        calls.append(kwargs)
        if kwargs:
            raise TypeError("load_pem_private_key() got an unexpected keyword argument 'unsafe_skip_rsa_key_validation'")
        return real(data, password)
    monkeypatch.setattr(serialization, 'load_pem_private_key', old)
    assert public(keys.load_private_key(key_pem(rsa_key))) == public(rsa_key)
    assert calls == [dict(unsafe_skip_rsa_key_validation=True), {}]


def test_an_encrypted_key_still_raises(rsa_key):
    with pytest.raises(TypeError):
        keys.load_private_key(key_pem(rsa_key, password=b'secret'))
