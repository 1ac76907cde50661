# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""hardening.docker.tls_server_current: whether a host's server key and certificates need no change.

The daemon_tls role makes the key on the host, a signing request on the host, signs it on the controller and
copies the certificates: five forked modules, about six seconds per host, that change nothing on most runs.
This filter, in the controller's process, reads what tls_host_state returned (the certificates' text, the
key's public facts, owners and modes) and says whether those modules would all leave the host as it is. It
errs on the side of "not current": anything it does not recognise runs the modules, which decide as before.
"""

from __future__ import annotations

import datetime
import ipaddress

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_bytes
from ansible_collections.hardening.docker.plugins.filter.x509_facts import certificate_facts
from ansible_collections.hardening.docker.plugins.module_utils._type_names import type_name

try:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.x509.oid import NameOID
except ImportError:  # pragma: no cover - cryptography is a controller requirement of the collection
    x509 = None

# Owner, group and mode the role gives the host's TLS files (server.yml).
WANTED_MODES = (('dir', 'directory', '0750'), ('key', 'file', '0400'), ('cert', 'file', '0444'),
                ('cacert', 'file', '0444'))


def _general_name(text):
    """``DNS:name`` / ``IP:address`` in the form x509_facts gives a certificate's (addresses compressed)."""
    kind, _sep, value = str(text).partition(':')
    if kind == 'IP':
        try:
            return 'IP:' + str(ipaddress.ip_address(value))
        except ValueError:
            return text
    return '%s:%s' % (kind, value.lower()) if kind == 'DNS' else text


def _mode_problems(stats, paths):
    problems = []
    for role, kind, mode in WANTED_MODES:
        path = paths[role]
        found = stats.get(path) or {}
        if not found.get('exists'):
            problems.append('%s is missing' % path)
        elif found.get('kind') != kind:
            problems.append('%s is not a %s' % (path, kind))
        elif (found.get('mode'), found.get('owner'), found.get('group')) != (mode, 'root', 'root'):
            problems.append('%s is %s %s:%s, not %s root:root' % (path, found.get('mode'), found.get('owner'),
                                                                  found.get('group'), mode))
    return problems


def _key_problems(key, key_type, key_size, key_curve):
    if not key.get('loaded'):
        return [key.get('problem') or 'the server key was not read']
    if key_type == 'RSA' and (key.get('type'), key.get('size')) != ('RSA', key_size):
        return ['the server key is %s %s, not RSA of %d bits' % (key.get('type'), key.get('size'), key_size)]
    if key_type == 'ECC' and (key.get('type'), key.get('curve')) != ('ECC', key_curve):
        return ['the server key is %s %s, not ECC on %s' % (key.get('type'), key.get('curve') or key.get('size'),
                                                            key_curve)]
    if key_type not in ('RSA', 'ECC'):
        return ['key type %s is not compared here' % key_type]
    return []


def _extension_problems(cert, facts, ca, key_usage, extended_key_usage='serverAuth'):
    """What differs from the extensions of a leaf certificate the role signs (also the clients', clientAuth)."""
    problems = []
    kinds = set(type(extension.value) for extension in cert.extensions)
    wanted_kinds = {x509.SubjectAlternativeName, x509.KeyUsage, x509.ExtendedKeyUsage, x509.BasicConstraints,
                    x509.SubjectKeyIdentifier, x509.AuthorityKeyIdentifier}
    if kinds != wanted_kinds:
        problems.append('the certificate has other extensions than the role issues')
    # openssl_csr_pipe marks it non-critical (extended_key_usage_critical defaults to false).
    eku_critical = any(extension.critical for extension in cert.extensions if isinstance(extension.value, x509.ExtendedKeyUsage))
    if facts['extended_key_usage'] != [extended_key_usage] or eku_critical:
        problems.append('its extended key usage is %s, not %s' % (', '.join(facts['extended_key_usage']), extended_key_usage))
    if sorted(facts['key_usage']) != sorted(key_usage) or not facts['key_usage_critical']:
        problems.append('its key usage is %s, not critical %s' % (', '.join(facts['key_usage']), ', '.join(key_usage)))
    if facts['is_ca'] or facts['basic_constraints_critical']:
        problems.append('its basic constraints are not CA:FALSE')
    if x509.SubjectKeyIdentifier in kinds and facts['subject_key_identifier'] != _hex_id(
            x509.SubjectKeyIdentifier.from_public_key(cert.public_key()).digest):
        problems.append('its subject key identifier is not that of its key')
    ca_ids = [extension.value.digest for extension in ca.extensions if isinstance(extension.value, x509.SubjectKeyIdentifier)]
    ca_id = ca_ids[0] if ca_ids else x509.SubjectKeyIdentifier.from_public_key(ca.public_key()).digest
    if x509.AuthorityKeyIdentifier in kinds and facts['authority_key_identifier'] != _hex_id(ca_id):
        problems.append("its authority key identifier is not the CA's")
    return problems


def _hex_id(digest):
    text = digest.hex()
    return ':'.join(text[i:i + 2] for i in range(0, len(text), 2))


def server_state(host_state, ca_pem, paths, common_name, sans, key_type='RSA', key_size=4096, key_curve='secp384r1',
                 key_usage=('digitalSignature', 'keyEncipherment'), renew_days=None, now=None):
    """``{current, problems, cert}`` (see tls_server_current); ``renew_days`` None leaves expiry alone (HD-1 off)."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    texts = host_state.get('texts') or {}
    problems = _mode_problems(host_state.get('stats') or {}, paths)
    problems.extend(_key_problems(host_state.get('key') or {}, key_type, key_size, key_curve))
    if not ca_pem:
        problems.append('no CA certificate on the controller yet')
    elif texts.get(paths['cacert']) != ca_pem:
        problems.append("%s is not the controller's CA certificate" % paths['cacert'])
    result = dict(current=False, problems=problems, cert={})
    try:
        cert = x509.load_pem_x509_certificate(to_bytes(texts.get(paths['cert']) or ''))
    except ValueError:
        problems.append('%s is missing or not a certificate' % paths['cert'])
        return result
    facts = certificate_facts(cert, valid_at=dict(now=0, renew=renew_days or 0), now=now)
    result['cert'] = facts
    try:
        ca = x509.load_pem_x509_certificate(to_bytes(ca_pem or ''))
        cert.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        problems.append("the certificate was not signed by the controller's CA")
        return result
    if (host_state.get('key') or {}).get('public_key_sha256') not in (None, facts['public_key_sha256']):
        problems.append('the certificate is not of the server key')
    if cert.subject != x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]):
        problems.append('its subject is not CN=%s' % common_name)
    have, want = sorted(set(map(_general_name, facts['subject_alt_name']))), sorted(set(map(_general_name, sans)))
    if have != want:
        problems.append('its names %s are not %s' % (', '.join(have), ', '.join(want)))
    problems.extend(_extension_problems(cert, facts, ca, list(key_usage)))
    if renew_days is not None and not (facts['valid_at']['now'] and facts['valid_at']['renew']):
        problems.append('it is not valid for %d more days (not after %s)' % (renew_days, facts['not_after']))
    result['current'] = not problems
    return result


def _wanted(name, value, kind):
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise AnsibleFilterError('tls_server_current: %s must be a %s, got %s' % (name, kind.__name__, type_name(value)))
    return value


def tls_server_current(host_state, ca_pem, paths, common_name, sans, key_type='RSA', key_size=4096,
                       key_curve='secp384r1', key_usage=None, renew_days=None):
    """Whether the host's server key, certificate and CA certificate need no change (see DOCUMENTATION)."""
    if x509 is None:  # pragma: no cover
        raise AnsibleFilterError('tls_server_current: the Python library cryptography is missing on the controller')
    _wanted('the input (a tls_host_state result)', host_state, dict)
    _wanted('paths', paths, dict)
    missing = [name for name, _kind, _mode in WANTED_MODES if name not in paths]
    if missing:
        raise AnsibleFilterError('tls_server_current: paths lacks %s' % ', '.join(missing))
    _wanted('sans', sans, list)
    try:
        size = int(key_size)
        days = None if renew_days is None else int(renew_days)
    except (TypeError, ValueError):
        raise AnsibleFilterError('tls_server_current: key_size and renew_days must be numbers, got %r and %r'
                                 % (key_size, renew_days))
    usage = list(key_usage) if key_usage is not None else ['digitalSignature', 'keyEncipherment']
    return server_state(host_state, ca_pem or '', paths, str(common_name), sans, key_type=key_type, key_size=size,
                        key_curve=key_curve, key_usage=usage, renew_days=days)


class FilterModule(object):
    """Server TLS files decision filter."""

    def filters(self):
        return {'tls_server_current': tls_server_current}
