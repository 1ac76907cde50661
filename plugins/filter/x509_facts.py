# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""hardening.docker.x509_facts: what a role compares about a PEM certificate, parsed in the controller's process.

community.crypto.x509_certificate_info gives the same facts, but as a module each call forks a Python on the
controller that imports cryptography again (about a second per call); a filter runs inside the controller.
"""

from __future__ import annotations

import binascii
import datetime
import hashlib

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_bytes
from ansible_collections.hardening.docker.plugins.module_utils._type_names import type_name

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    HAS_CRYPTOGRAPHY = True
except ImportError:  # pragma: no cover - cryptography is a controller requirement of the collection
    HAS_CRYPTOGRAPHY = False

# The format of x509_certificate_info's not_before / not_after, which the roles' to_datetime calls read.
ASN1_TIME = '%Y%m%d%H%M%SZ'

# keyUsage bits by the names community.crypto's CSR modules take (key_usage: [keyCertSign, ...]).
KEY_USAGE_NAMES = (
    ('digital_signature', 'digitalSignature'),
    ('content_commitment', 'nonRepudiation'),
    ('key_encipherment', 'keyEncipherment'),
    ('data_encipherment', 'dataEncipherment'),
    ('key_agreement', 'keyAgreement'),
    ('key_cert_sign', 'keyCertSign'),
    ('crl_sign', 'cRLSign'),
)


def _hex(data):
    text = binascii.hexlify(data).decode('ascii')
    return ':'.join(text[i:i + 2] for i in range(0, len(text), 2))


def _name_pairs(name):
    # OpenSSL's long names (commonName, organizationName), as x509_certificate_info gives them.
    return [[attribute.oid._name, attribute.value] for attribute in name]


def _general_name(value):
    if isinstance(value, x509.DNSName):
        return 'DNS:' + value.value
    if isinstance(value, x509.IPAddress):
        return 'IP:' + str(value.value)
    if isinstance(value, x509.RFC822Name):
        return 'email:' + value.value
    if isinstance(value, x509.UniformResourceIdentifier):
        return 'URI:' + value.value
    return 'other:' + str(value.value)


def _utc(cert, name):
    # cryptography >= 42 has the aware *_utc properties; older ones only the naive UTC values.
    value = getattr(cert, name + '_utc', None)
    if value is None:
        value = getattr(cert, name).replace(tzinfo=datetime.timezone.utc)
    return value


def _extension(cert, kind):
    try:
        return cert.extensions.get_extension_for_class(kind)
    except x509.ExtensionNotFound:
        return None


def _key_usage(extension):
    if extension is None:
        return []
    return [name for attribute, name in KEY_USAGE_NAMES if getattr(extension.value, attribute)]


def certificate_facts(cert, valid_at=None, now=None):
    """The facts of a loaded ``cryptography`` certificate (see x509_facts)."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    not_before = _utc(cert, 'not_valid_before')
    not_after = _utc(cert, 'not_valid_after')
    constraints = _extension(cert, x509.BasicConstraints)
    key_usage = _extension(cert, x509.KeyUsage)
    ext_key_usage = _extension(cert, x509.ExtendedKeyUsage)
    sans = _extension(cert, x509.SubjectAlternativeName)
    ski = _extension(cert, x509.SubjectKeyIdentifier)
    aki = _extension(cert, x509.AuthorityKeyIdentifier)
    public_der = cert.public_key().public_bytes(serialization.Encoding.DER,
                                                serialization.PublicFormat.SubjectPublicKeyInfo)
    facts = dict(
        not_before=not_before.strftime(ASN1_TIME),
        not_after=not_after.strftime(ASN1_TIME),
        expired=now > not_after,
        days_left=(not_after - now).days,
        subject=dict(_name_pairs(cert.subject)),
        subject_ordered=_name_pairs(cert.subject),
        issuer=dict(_name_pairs(cert.issuer)),
        issuer_ordered=_name_pairs(cert.issuer),
        subject_alt_name=[_general_name(value) for value in sans.value] if sans else [],
        is_ca=bool(constraints and constraints.value.ca),
        basic_constraints_critical=bool(constraints and constraints.critical),
        key_usage=_key_usage(key_usage),
        key_usage_critical=bool(key_usage and key_usage.critical),
        extended_key_usage=[usage._name for usage in ext_key_usage.value] if ext_key_usage else [],
        subject_key_identifier=_hex(ski.value.digest) if ski else None,
        authority_key_identifier=_hex(aki.value.key_identifier) if aki and aki.value.key_identifier else None,
        fingerprints=dict(sha256=_hex(cert.fingerprint(hashes.SHA256()))),
        public_key_sha256=_hex(hashlib.sha256(public_der).digest()),
    )
    if valid_at:
        facts['valid_at'] = dict((name, not_before <= now + datetime.timedelta(days=days) <= not_after)
                                 for name, days in valid_at.items())
    return facts


def _days(valid_at):
    if valid_at is None:
        return {}
    if not isinstance(valid_at, dict):
        raise AnsibleFilterError('x509_facts: valid_at must be a dict of name to days, got %s' % type_name(valid_at))
    days = {}
    for name, value in valid_at.items():
        try:
            if isinstance(value, bool):
                raise ValueError
            days[name] = int(value)
        except (TypeError, ValueError):
            raise AnsibleFilterError('x509_facts: valid_at.%s must be a number of days, got %r' % (name, value))
    return days


def x509_facts(pem, valid_at=None):
    """Facts of the first certificate in the PEM text ``pem``; ``{'error': ...}`` when there is none.

    A missing or broken certificate is not an error of the filter: the roles treat it like a missing one
    (they issue a new one), and test ``not_after is defined`` as they did with x509_certificate_info.
    """
    days = _days(valid_at)
    if not HAS_CRYPTOGRAPHY:  # pragma: no cover
        raise AnsibleFilterError('x509_facts: the Python library cryptography is missing on the controller')
    if pem is None or pem == '':
        return dict(error='no certificate (empty input)')
    if not isinstance(pem, (str, bytes)):
        raise AnsibleFilterError('x509_facts: the input must be PEM text, got %s' % type_name(pem))
    try:
        cert = x509.load_pem_x509_certificate(to_bytes(pem))
    except ValueError as exc:
        return dict(error='not a PEM certificate: %s' % exc)
    return certificate_facts(cert, valid_at=days)


class FilterModule(object):
    """Certificate facts filter."""

    def filters(self):
        return {'x509_facts': x509_facts}
