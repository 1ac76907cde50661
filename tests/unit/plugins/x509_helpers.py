# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Certificates for the x509_facts and ca_state tests, made as community.crypto makes the role's."""

from __future__ import annotations

import datetime
import ipaddress

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = datetime.datetime(2026, 6, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)
CA_USAGE = dict(digital_signature=False, content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False)
LEAF_USAGE = dict(CA_USAGE, digital_signature=True, key_cert_sign=False, crl_sign=False)


def ec_key(curve=ec.SECP256R1):
    return ec.generate_private_key(curve())


def name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def ca_cert(key, common_name='hardening.docker CA', days=3650, start=NOW, usage=None, extra=None, ski=True):
    builder = (x509.CertificateBuilder().subject_name(name(common_name)).issuer_name(name(common_name))
               .public_key(key.public_key()).serial_number(1)
               .not_valid_before(start).not_valid_after(start + datetime.timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(**(usage or CA_USAGE)), critical=True)
               .add_extension(x509.SubjectAlternativeName([x509.DNSName(common_name)]), critical=False))
    if ski:
        builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    if extra is not None:
        builder = builder.add_extension(extra, critical=False)
    return builder.sign(key, hashes.SHA256())


def server_cert(key, ca_key, issuer='hardening.docker CA', common_name='host1', days=365, start=NOW):
    return (x509.CertificateBuilder().subject_name(name(common_name)).issuer_name(name(issuer))
            .public_key(key.public_key()).serial_number(2)
            .not_valid_before(start).not_valid_after(start + datetime.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=False)
            .add_extension(x509.KeyUsage(**LEAF_USAGE), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName('localhost'),
                                                        x509.IPAddress(ipaddress.ip_address('127.0.0.1')),
                                                        x509.IPAddress(ipaddress.ip_address('fd00::1'))]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))


def pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM).decode('ascii')


def key_pem(key, password=None):
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, encryption)
