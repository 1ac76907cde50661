# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import datetime

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.hardening.docker.plugins.filter.x509_facts import FilterModule, certificate_facts, x509_facts
from ansible_collections.hardening.docker.tests.unit.plugins.x509_helpers import NOW, ca_cert, ec_key, pem, server_cert


@pytest.fixture(scope='module')
def pki():
    ca_key, host_key = ec_key(), ec_key()
    return dict(ca_key=ca_key, ca=ca_cert(ca_key), server=server_cert(host_key, ca_key))


def test_registered():
    assert FilterModule().filters()['x509_facts'] is x509_facts


def test_server_certificate_facts(pki):
    facts = certificate_facts(pki['server'], valid_at={'renew': 30, 'late': 400}, now=NOW)
    assert facts['not_before'] == '20260601120000Z'
    assert facts['not_after'] == '20270601120000Z'
    assert facts['expired'] is False
    assert facts['days_left'] == 365
    assert facts['subject'] == {'commonName': 'host1'}
    assert facts['issuer_ordered'] == [['commonName', 'hardening.docker CA']]
    assert facts['subject_alt_name'] == ['DNS:localhost', 'IP:127.0.0.1', 'IP:fd00::1']
    assert facts['is_ca'] is False
    assert facts['key_usage'] == ['digitalSignature'] and facts['key_usage_critical'] is True
    assert facts['extended_key_usage'] == ['serverAuth']
    assert facts['subject_key_identifier'] is None
    assert facts['valid_at'] == {'renew': True, 'late': False}


def test_the_server_names_its_ca_by_key_identifier(pki):
    ca, server = x509_facts(pem(pki['ca'])), x509_facts(pem(pki['server']))
    assert ca['is_ca'] is True and ca['basic_constraints_critical'] is True
    assert ca['key_usage'] == ['keyCertSign', 'cRLSign']
    assert server['authority_key_identifier'] == ca['subject_key_identifier']
    assert server['issuer'] == ca['subject']
    # Colon-separated lowercase hex, as x509_certificate_info gives it.
    assert len(ca['fingerprints']['sha256']) == 32 * 3 - 1 and ca['fingerprints']['sha256'] == ca['fingerprints']['sha256'].lower()
    assert ca['public_key_sha256'] != server['public_key_sha256']


def test_expired_and_not_yet_valid(pki):
    later = NOW + datetime.timedelta(days=366)
    facts = certificate_facts(pki['server'], valid_at={'now': 0}, now=later)
    assert facts['expired'] is True and facts['days_left'] < 0 and facts['valid_at'] == {'now': False}
    earlier = NOW - datetime.timedelta(days=1)
    assert certificate_facts(pki['server'], valid_at={'now': 0}, now=earlier)['valid_at'] == {'now': False}


@pytest.mark.parametrize('text', [None, '', 'not a certificate', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'])
def test_no_certificate_is_an_error_entry_not_a_failure(text):
    facts = x509_facts(text)
    assert set(facts) == {'error'} and 'not_after' not in facts


def test_bytes_and_text_alike(pki):
    assert x509_facts(pem(pki['ca']).encode('ascii'))['subject'] == x509_facts(pem(pki['ca']))['subject']


@pytest.mark.parametrize('valid_at, message', [
    ([30], 'valid_at must be a dict'),
    ({'renew': 'soon'}, 'valid_at.renew must be a number of days'),
    ({'renew': True}, 'valid_at.renew must be a number of days'),
])
def test_bad_valid_at(pki, valid_at, message):
    with pytest.raises(AnsibleFilterError, match=message):
        x509_facts(pem(pki['ca']), valid_at=valid_at)


def test_days_as_strings_from_templates(pki):
    assert x509_facts(pem(pki['ca']), valid_at={'renew': '30'})['valid_at'] == {'renew': True}


def test_input_of_another_type():
    with pytest.raises(AnsibleFilterError, match='must be PEM text, got'):
        x509_facts(['pem'])
