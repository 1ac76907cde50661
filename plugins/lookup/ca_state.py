# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
name: ca_state
short_description: Whether a controller CA made by community.crypto is complete, read in the controller's process
version_added: 0.4.0
author:
  - hardening.docker maintainers (!UNKNOWN)
description:
  - Reads the controller's PKI directories, a CA key and a self-signed CA certificate and says whether
    C(community.crypto.openssl_privatekey) and C(community.crypto.x509_certificate) (provider C(selfsigned)),
    given the same options, would leave them as they are. A role runs those modules, each a forked Python,
    only when this lookup says V(false).
  - The answer errs on the side of V(false). Anything it does not recognise (an encrypted key, an extension
    the CA's signing request would not have, a certificate within O(min_days) of its end) means "run the modules",
    which then decide as before.
  - The key is loaded to compare it with the certificate; nothing of it is returned.
  - Also returns the certificate's facts (as the P(hardening.docker.x509_facts#filter) filter gives them).
options:
  dirs:
    description: Directories that must exist with mode C(0700).
    type: list
    elements: path
    default: []
  cert:
    description:
      - Path of the CA certificate (mode C(0444)). Empty to check only O(dirs).
      - O(cert) and O(key) are checked together; with only one of them, RV(_raw[].complete) is V(false).
    type: path
    default: ''
  key:
    description: Path of the CA key, unencrypted PEM (mode C(0400)). Empty with an empty O(cert).
    type: path
    default: ''
  key_type:
    description: Type the key must have.
    type: str
    choices: [RSA, ECC]
    default: RSA
  key_size:
    description: Size of an RSA key.
    type: int
    default: 4096
  key_curve:
    description: Curve of an ECC key, as community.crypto names it (V(secp384r1)).
    type: str
    default: secp384r1
  common_name:
    description: The only subject attribute the certificate must have, its common name.
    type: str
  min_days:
    description: The certificate must still be valid this many days from now.
    type: int
    default: 0
'''

EXAMPLES = r'''
- name: Check the CA in the controller's process
  ansible.builtin.set_fact:
    ca_state: >-
      {{ lookup('hardening.docker.ca_state', dirs=[pki_dir, pki_dir ~ '/ca'], cert=pki_dir ~ '/ca/ca.pem',
                key=pki_dir ~ '/ca/ca-key.pem', common_name='My CA', min_days=30) }}
'''

RETURN = r'''
_raw:
  description: One dictionary.
  type: list
  elements: dict
  contains:
    complete:
      description: True when the directories, the key and the certificate need no change.
      type: bool
    problem:
      description: The first thing found that needs the modules, empty when complete.
      type: str
    cert:
      description: Facts of the certificate (V({error}) when there is none or it is not one); absent without O(cert).
      type: dict
'''

import datetime
import os
import stat

from ansible.plugins.lookup import LookupBase

from ansible_collections.hardening.docker.plugins.filter.x509_facts import certificate_facts
from ansible_collections.hardening.docker.plugins.module_utils._private_keys import load_private_key

try:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.x509.oid import NameOID
except ImportError:  # pragma: no cover - cryptography is a controller requirement of the collection
    x509 = None

# Extensions the signing request of the role's CA gives the certificate (the key identifiers are added
# by x509_certificate itself and left out of its comparison).
KEY_IDS = (x509.SubjectKeyIdentifier, x509.AuthorityKeyIdentifier) if x509 else ()


def _mode_problem(path, kind, mode):
    try:
        info = os.stat(path)
    except OSError:
        return '%s is missing' % path
    if kind == 'dir' and not stat.S_ISDIR(info.st_mode):
        return '%s is not a directory' % path
    if kind == 'file' and not stat.S_ISREG(info.st_mode):
        return '%s is not a regular file' % path
    if stat.S_IMODE(info.st_mode) != mode:
        return '%s has mode %04o, not %04o' % (path, stat.S_IMODE(info.st_mode), mode)
    return ''


def _public_der(holder):
    return holder.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _read(path):
    with open(path, 'rb') as handle:
        return handle.read()


def _key_problem(key, key_type, key_size, key_curve):
    if key_type == 'RSA':
        if not isinstance(key, rsa.RSAPrivateKey) or key.key_size != key_size:
            return 'the key is not RSA of %d bits' % key_size
    elif not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != key_curve:
        return 'the key is not ECC on %s' % key_curve
    return ''


def _extensions_problem(cert, common_name):
    wanted = {
        # openssl_csr_pipe puts the common name in as the only name when none is given (use_common_name_for_san).
        x509.SubjectAlternativeName: (x509.SubjectAlternativeName([x509.DNSName(common_name)]), False),
        x509.BasicConstraints: (x509.BasicConstraints(ca=True, path_length=None), True),
        x509.KeyUsage: (x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                      data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                      crl_sign=True, encipher_only=False, decipher_only=False), True),
    }
    seen = set()
    for extension in cert.extensions:
        kind = type(extension.value)
        if kind in KEY_IDS:
            continue
        if kind not in wanted or wanted[kind] != (extension.value, extension.critical):
            return 'the certificate has another %s than the CA request' % extension.oid._name
        seen.add(kind)
    if seen != set(wanted):
        return 'the certificate lacks one of basicConstraints, keyUsage and subjectAltName'
    try:
        ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    except x509.ExtensionNotFound:
        return 'the certificate has no subject key identifier'
    if ski != x509.SubjectKeyIdentifier.from_public_key(cert.public_key()):
        return 'the subject key identifier is not that of the key'
    return ''


def _cert_problem(cert, common_name, min_days, now):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    if cert.subject != name or cert.issuer != name:
        return 'the certificate is not the self-signed CN=%s' % common_name
    try:
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, InvalidSignature):
        return 'the certificate is not self-signed'
    facts = certificate_facts(cert, valid_at=dict(now=0, wanted=min_days), now=now)
    if not (facts['valid_at']['now'] and facts['valid_at']['wanted']):
        return 'the certificate is not valid for %d more days' % min_days
    return _extensions_problem(cert, common_name)


def ca_state(dirs=(), cert='', key='', key_type='RSA', key_size=4096, key_curve='secp384r1', common_name=None,
             min_days=0, now=None):
    """``{complete, problem, cert}`` of the CA files (see DOCUMENTATION)."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    problems = [_mode_problem(path, 'dir', 0o700) for path in dirs]
    result = dict(complete=False, problem='')
    loaded_cert = loaded_key = None
    if cert:
        problems.append(_mode_problem(cert, 'file', 0o444))
        try:
            loaded_cert = x509.load_pem_x509_certificate(_read(cert))
            result['cert'] = certificate_facts(loaded_cert, now=now)
        except (OSError, ValueError) as exc:
            result['cert'] = dict(error='%s: %s' % (cert, exc))
            problems.append(result['cert']['error'])
    if key:
        problems.append(_mode_problem(key, 'file', 0o400))
        try:
            # Without OpenSSL's primality test of an RSA key (half a second for 4096 bits, on every run).
            loaded_key = load_private_key(_read(key))
        except (OSError, ValueError, TypeError, UnsupportedAlgorithm):
            # Never the exception's text: it could quote the key.
            problems.append('%s is not an unencrypted PEM private key' % key)
        else:
            problems.append(_key_problem(loaded_key, key_type, key_size, key_curve))
    if loaded_cert is not None and loaded_key is not None:
        if _public_der(loaded_cert) != _public_der(loaded_key):
            problems.append('the certificate is not of the key')
        else:
            problems.append(_cert_problem(loaded_cert, common_name, min_days, now))
    problems = [problem for problem in problems if problem]
    # The key is only known to match with both; either alone is never complete.
    result['complete'] = not problems and bool(cert) == bool(key)
    result['problem'] = problems[0] if problems else ''
    return result


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        return [ca_state(dirs=self.get_option('dirs'), cert=self.get_option('cert'), key=self.get_option('key'),
                         key_type=self.get_option('key_type'), key_size=self.get_option('key_size'),
                         key_curve=self.get_option('key_curve'), common_name=self.get_option('common_name'),
                         min_days=self.get_option('min_days'))]
