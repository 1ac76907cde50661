# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The decision that lets daemon_tls skip its key, signing and copy tasks: each reason flips it."""

from __future__ import annotations

import copy
import datetime
import hashlib
import ipaddress

import pytest
from ansible.errors import AnsibleFilterError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from ansible_collections.hardening.docker.plugins.filter import tls_server_current as plugin
from ansible_collections.hardening.docker.tests.unit.plugins.x509_helpers import NOW, LEAF_USAGE, ca_cert, ec_key, name, pem

DIR = '/etc/docker/tls'
PATHS = dict(dir=DIR, key=DIR + '/server-key.pem', cert=DIR + '/server-cert.pem', cacert=DIR + '/ca.pem')
SANS = ('DNS:localhost', 'IP:127.0.0.1', 'DNS:host1', 'IP:fd00:0:0:0:0:0:0:1')
EC_USAGE = ['digitalSignature']
OPTIONS = dict(key_type='ECC', key_curve='secp256r1', key_usage=EC_USAGE, renew_days=30, now=NOW)


def general(text):
    kind, value = text.split(':', 1)
    return x509.IPAddress(ipaddress.ip_address(value)) if kind == 'IP' else x509.DNSName(value)


def leaf(key, ca_key, ca, sans=SANS, days=365, usage=None, eku=ExtendedKeyUsageOID.SERVER_AUTH, common_name='host1'):
    """A server certificate as openssl_csr_pipe + x509_certificate_pipe (ownca) make the role's."""
    return (x509.CertificateBuilder().subject_name(name(common_name)).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(7)
            .not_valid_before(NOW - datetime.timedelta(days=1)).not_valid_after(NOW + datetime.timedelta(days=days))
            .add_extension(x509.SubjectAlternativeName([general(san) for san in sans]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([eku]), critical=False)
            .add_extension(x509.KeyUsage(**(usage or LEAF_USAGE)), critical=True)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
                ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value), critical=False)
            .sign(ca_key, hashes.SHA256()))


def key_facts(key):
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    digest = hashlib.sha256(der).hexdigest()
    facts = dict(exists=True, loaded=True, public_key_sha256=':'.join(digest[i:i + 2] for i in range(0, 64, 2)))
    if isinstance(key, rsa.RSAPrivateKey):
        facts.update(type='RSA', size=key.key_size)
    else:
        facts.update(type='ECC', size=key.curve.key_size, curve=key.curve.name)
    return facts


def stats(changes):
    found = {DIR: dict(exists=True, kind='directory', mode='0750', owner='root', group='root')}
    for role, mode in (('key', '0400'), ('cert', '0444'), ('cacert', '0444')):
        found[PATHS[role]] = dict(exists=True, kind='file', mode=mode, owner='root', group='root')
    for path, change in changes.items():
        found[PATHS[path]].update(change)
    return found


@pytest.fixture(name='pki', scope='module')
def fixture_pki():
    ca_key = ec_key()
    ca = ca_cert(ca_key, start=NOW - datetime.timedelta(days=10))
    key = ec_key()
    return dict(ca_key=ca_key, ca=ca, ca_pem=pem(ca), key=key, cert=leaf(key, ca_key, ca))


def host(pki, cert=None, key=None, cacert=None, modes=None):
    return dict(texts={PATHS['cert']: pem(cert or pki['cert']), PATHS['cacert']: cacert or pki['ca_pem']},
                key=key_facts(key or pki['key']), stats=stats(modes or {}))


def decide(pki, state, **options):
    merged = dict(OPTIONS, **options)
    return plugin.server_state(state, pki['ca_pem'], PATHS, 'host1', list(SANS), **merged)


def test_registered():
    assert plugin.FilterModule().filters()['tls_server_current'] is plugin.tls_server_current


def test_the_role_s_own_files_are_current(pki):
    result = decide(pki, host(pki))
    assert result == dict(current=True, problems=[], cert=result['cert'])
    assert result['cert']['not_after'] == (NOW + datetime.timedelta(days=365)).strftime('%Y%m%d%H%M%SZ')


def test_san_order_and_address_forms_do_not_matter(pki):
    sans = list(reversed(SANS[:3])) + ['IP:fd00::1', 'DNS:HOST1']
    assert plugin.server_state(host(pki), pki['ca_pem'], PATHS, 'host1', sans, **OPTIONS)['current'] is True


def problems_of(pki, state=None, sans=SANS, common_name='host1', ca_pem=None, **options):
    result = plugin.server_state(state or host(pki), pki['ca_pem'] if ca_pem is None else ca_pem, PATHS, common_name,
                                 list(sans), **dict(OPTIONS, **options))
    assert result['current'] is False
    return ' | '.join(result['problems'])


def test_a_certificate_of_another_ca(pki):
    other_key = ec_key()
    other = ca_cert(other_key, start=NOW - datetime.timedelta(days=10))
    # Same subject as the run's CA: only the signature tells them apart.
    assert "not signed by the controller's CA" in problems_of(pki, host(pki, cert=leaf(pki['key'], other_key, other)))


def test_a_certificate_of_another_key(pki):
    assert 'not of the server key' in problems_of(pki, host(pki, key=ec_key()))


def test_a_name_added_or_removed(pki):
    assert 'its names' in problems_of(pki, sans=list(SANS) + ['DNS:new.example.com'])
    assert 'its names' in problems_of(pki, sans=list(SANS[:-1]))


def test_another_common_name(pki):
    assert 'its subject is not CN=host2' in problems_of(pki, common_name='host2')


def test_expiring_only_under_hd_1(pki):
    short = leaf(pki['key'], pki['ca_key'], pki['ca'], days=10)
    assert 'not valid for 30 more days' in problems_of(pki, host(pki, cert=short))
    # HD-1 switched off: the role never renews for time alone.
    assert decide(pki, host(pki, cert=short), renew_days=None)['current'] is True


def test_an_expired_certificate_under_hd_1(pki):
    state = host(pki)
    assert 'not valid for 30 more days' in problems_of(pki, state, now=NOW + datetime.timedelta(days=400))


def test_host_ca_certificate_differs(pki):
    other = pem(ca_cert(ec_key()))
    assert "/etc/docker/tls/ca.pem is not the controller's CA certificate" in problems_of(pki, host(pki, cacert=other))
    # Byte for byte: the same certificate with another line ending is not the controller's file.
    assert 'ca.pem is not' in problems_of(pki, host(pki, cacert=pki['ca_pem'].replace('\n', '\r\n')))
    state = host(pki)
    del state['texts'][PATHS['cacert']]
    assert 'ca.pem is not' in problems_of(pki, state)


def test_no_controller_ca_yet(pki):
    assert 'no CA certificate on the controller yet' in problems_of(pki, ca_pem='')


@pytest.mark.parametrize('role, change, message', [
    ('key', dict(mode='0600'), 'server-key.pem is 0600 root:root, not 0400 root:root'),
    ('cert', dict(mode='0644'), 'server-cert.pem is 0644 root:root, not 0444'),
    ('cacert', dict(owner='docker'), 'ca.pem is 0444 docker:root, not 0444'),
    ('dir', dict(group='docker'), '/etc/docker/tls is 0750 root:docker, not 0750'),
    ('dir', dict(mode='0755'), '/etc/docker/tls is 0755'),
    ('cert', dict(kind='other'), 'server-cert.pem is not a file'),
    ('key', dict(exists=False), 'server-key.pem is missing'),
])
def test_wrong_mode_owner_or_kind(pki, role, change, message):
    assert message in problems_of(pki, host(pki, modes={role: change}))


def test_wrong_key_type_size_or_curve(pki):
    assert 'not RSA of 4096 bits' in problems_of(pki, key_type='RSA', key_size=4096)
    assert 'not ECC on secp384r1' in problems_of(pki, key_curve='secp384r1')
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa_usage = dict(LEAF_USAGE, key_encipherment=True)
    state = host(pki, cert=leaf(rsa_key, pki['ca_key'], pki['ca'], usage=rsa_usage), key=rsa_key)
    rsa_options = dict(key_type='RSA', key_usage=['digitalSignature', 'keyEncipherment'])
    assert decide(pki, state, key_size=2048, **rsa_options)['current'] is True
    assert 'not RSA of 4096 bits' in problems_of(pki, state, key_size=4096, **rsa_options)


def test_a_key_that_did_not_load(pki):
    state = host(pki)
    state['key'] = dict(exists=True, loaded=False, problem='/etc/docker/tls/server-key.pem is not an unencrypted PEM private key')
    assert 'not an unencrypted PEM private key' in problems_of(pki, state)
    assert 'server key was not read' in problems_of(pki, dict(host(pki), key={}))


def test_other_usages_than_the_role_issues(pki):
    client = leaf(pki['key'], pki['ca_key'], pki['ca'], eku=ExtendedKeyUsageOID.CLIENT_AUTH)
    assert 'not serverAuth' in problems_of(pki, host(pki, cert=client))
    signing = leaf(pki['key'], pki['ca_key'], pki['ca'], usage=dict(LEAF_USAGE, key_encipherment=True))
    assert 'its key usage is digitalSignature, keyEncipherment' in problems_of(pki, host(pki, cert=signing))


def test_missing_or_broken_certificate(pki):
    state = host(pki)
    state['texts'][PATHS['cert']] = 'not a certificate'
    result = plugin.server_state(state, pki['ca_pem'], PATHS, 'host1', list(SANS), **OPTIONS)
    assert result['current'] is False and result['cert'] == {}
    assert result['problems'] == ['/etc/docker/tls/server-cert.pem is missing or not a certificate']


def test_every_reason_is_listed(pki):
    state = host(pki, key=ec_key(), cert=leaf(pki['key'], pki['ca_key'], pki['ca'], days=5))
    state['stats'][PATHS['key']]['mode'] = '0644'
    problems = plugin.server_state(state, pki['ca_pem'], PATHS, 'host1', list(SANS) + ['DNS:x'], **OPTIONS)['problems']
    assert len(problems) == 4
    assert not any('PRIVATE' in problem for problem in problems)


def test_filter_checks_its_arguments(pki):
    good = copy.deepcopy(host(pki))
    assert plugin.tls_server_current(good, pki['ca_pem'], PATHS, 'host1', list(SANS), key_type='ECC', key_size='256',
                                     key_curve='secp256r1', key_usage=EC_USAGE, renew_days='30')['current'] is True
    with pytest.raises(AnsibleFilterError, match='paths lacks cacert'):
        plugin.tls_server_current(good, pki['ca_pem'], {'dir': DIR, 'key': 'k', 'cert': 'c'}, 'host1', list(SANS))
    with pytest.raises(AnsibleFilterError, match='the input'):
        plugin.tls_server_current('text', pki['ca_pem'], PATHS, 'host1', list(SANS))
    with pytest.raises(AnsibleFilterError, match='key_size and renew_days must be numbers'):
        plugin.tls_server_current(good, pki['ca_pem'], PATHS, 'host1', list(SANS), key_size='big')
    with pytest.raises(AnsibleFilterError, match='sans must be a list'):
        plugin.tls_server_current(good, pki['ca_pem'], PATHS, 'host1', 'DNS:host1')
