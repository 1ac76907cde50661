# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
name: tls_clients_state
short_description: Which client certificates of the controller, and which users' copies of them, need a change
version_added: 0.4.0
author:
  - hardening.docker maintainers (!UNKNOWN)
description:
  - Reads, in the controller's process, each client's directory, key, certificate and CA copy as the daemon_tls
    role's community.crypto tasks leave them, and says per client whether those tasks (C(file), C(openssl_privatekey),
    C(openssl_csr_pipe), C(x509_certificate) with provider C(ownca), C(copy)) would leave them as they are. Each of
    those tasks forks a Python on the controller per client; the role runs them only for the clients this lookup
    does not find current.
  - With O(users) and O(host_users) (what M(hardening.docker.tls_host_state) read on the host), also whether each
    listed user's C(~/.docker) already holds that client's C(ca.pem), C(cert.pem) and C(key.pem) with the owner,
    group and mode the role gives them, compared by SHA-256.
  - The answer errs on the side of "not current". Anything it does not recognise (an encrypted key, an extension the
    signing request would not have, a certificate within O(renew_days) of its end) means "run the tasks", which
    then decide as before.
  - Keys are loaded to compare them with the certificates; nothing of them is returned.
options:
  clients_dir:
    description: The controller directory that holds one directory per client (mode C(0700)).
    type: path
    required: true
  clients:
    description: Names of the clients (the common name of each certificate and the name of its directory).
    type: list
    elements: str
    default: []
  ca_cert:
    description: The CA certificate that must have signed each client's certificate, and whose copy C(ca.pem) is.
      Empty when there is none yet (no client is current then).
    type: path
    default: ''
  key_type:
    description: Type the keys must have.
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
  key_usage:
    description: The critical key usage of the certificates, as community.crypto names it.
    type: list
    elements: str
    default: [digitalSignature, keyEncipherment]
  renew_days:
    description: A certificate must still be valid this many days from now; negative leaves expiry alone.
    type: int
    default: -1
  users:
    description: The users who get a copy of a client's files, as C([user, client]) pairs.
    type: list
    elements: list
    default: []
  host_users:
    description: RV(hardening.docker.tls_host_state#module:users) of the host, for the users of O(users).
    type: dict
    default: {}
'''

EXAMPLES = r'''
- name: Decide which clients and users need the issuing and copy tasks
  ansible.builtin.set_fact:
    clients_state: >-
      {{ lookup('hardening.docker.tls_clients_state', clients_dir=pki_dir ~ '/clients', clients=['operator'],
                ca_cert=pki_dir ~ '/ca/ca.pem', renew_days=30, users=[['root', 'operator']],
                host_users=tls_host.users) }}
'''

RETURN = r'''
_raw:
  description: One dictionary.
  type: list
  elements: dict
  contains:
    current:
      description: True when no client and no user needs a change.
      type: bool
    pending:
      description: The clients whose files need the issuing tasks, in the order of O(clients).
      type: list
      elements: str
    users_pending:
      description: The users of O(users) whose copies need the copy tasks (also those whose client is pending).
      type: list
      elements: str
    problems:
      description: Client name to what needs a change about its files (an empty list when current).
      type: dict
    user_problems:
      description: User name to what needs a change about its copies (an empty list when current).
      type: dict
'''

import datetime
import hashlib
import os

from ansible.plugins.lookup import LookupBase

from ansible_collections.hardening.docker.plugins.filter.tls_server_current import _extension_problems
from ansible_collections.hardening.docker.plugins.filter.x509_facts import certificate_facts
from ansible_collections.hardening.docker.plugins.lookup.ca_state import _key_problem, _mode_problem, _public_der, _read
from ansible_collections.hardening.docker.plugins.module_utils._private_keys import load_private_key

try:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
    from cryptography.x509.oid import NameOID
except ImportError:  # pragma: no cover - cryptography is a controller requirement of the collection
    x509 = None

# What the role gives a user's copies (clients.yml): file name to mode.
USER_MODES = (('ca.pem', '0444'), ('cert.pem', '0444'), ('key.pem', '0400'))


def _certificate_problems(cert, ca, name, key_usage, renew_days, now):
    problems = []
    try:
        cert.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return ["the certificate was not signed by the controller's CA"]
    if cert.subject != x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]):
        problems.append('its subject is not CN=%s' % name)
    facts = certificate_facts(cert, valid_at=dict(now=0, renew=max(renew_days, 0)), now=now)
    # openssl_csr_pipe makes the common name the only subject alternative name (use_common_name_for_san).
    sans = [extension for extension in cert.extensions if isinstance(extension.value, x509.SubjectAlternativeName)]
    if not sans or sans[0].critical or list(sans[0].value) != [x509.DNSName(name)]:
        problems.append('its subject alternative name is not DNS:%s' % name)
    problems.extend(_extension_problems(cert, facts, ca, key_usage, extended_key_usage='clientAuth'))
    ca_ids = [extension.value for extension in ca.extensions if isinstance(extension.value, x509.SubjectKeyIdentifier)]
    wanted = (x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ids[0]) if ca_ids
              else x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.public_key()))
    if [extension.value for extension in cert.extensions if isinstance(extension.value, x509.AuthorityKeyIdentifier)] != [wanted]:
        problems.append("its authority key identifier is not the CA's")
    if renew_days >= 0 and not (facts['valid_at']['now'] and facts['valid_at']['renew']):
        problems.append('it is not valid for %d more days (not after %s)' % (renew_days, facts['not_after']))
    return problems


def client_problems(directory, name, ca, ca_pem, key_type='RSA', key_size=4096, key_curve='secp384r1',
                    key_usage=('digitalSignature', 'keyEncipherment'), renew_days=-1, now=None):
    """What the role's tasks would change about one client's directory, key, certificate and CA copy."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    paths = dict((file_name, os.path.join(directory, file_name)) for file_name in ('key.pem', 'cert.pem', 'ca.pem'))
    problems = [_mode_problem(directory, 'dir', 0o700), _mode_problem(paths['key.pem'], 'file', 0o400),
                _mode_problem(paths['cert.pem'], 'file', 0o444), _mode_problem(paths['ca.pem'], 'file', 0o444)]
    if ca is None:
        problems.append('no CA certificate on the controller yet')
    else:
        try:
            if _read(paths['ca.pem']) != ca_pem:
                problems.append("%s is not the CA certificate" % paths['ca.pem'])
        except OSError:
            pass  # named by its mode check
    key = cert = None
    try:
        key = load_private_key(_read(paths['key.pem']))
    except OSError:
        pass
    except (ValueError, TypeError, UnsupportedAlgorithm):
        # Never the exception's text: it could quote the key.
        problems.append('%s is not an unencrypted PEM private key' % paths['key.pem'])
    else:
        problems.append(_key_problem(key, key_type, key_size, key_curve))
    try:
        cert = x509.load_pem_x509_certificate(_read(paths['cert.pem']))
    except OSError:
        pass
    except ValueError:
        problems.append('%s is not a certificate' % paths['cert.pem'])
    if cert is not None and key is not None and _public_der(cert) != _public_der(key):
        problems.append('the certificate is not of the key')
    if cert is not None and ca is not None:
        problems.extend(_certificate_problems(cert, ca, name, list(key_usage), renew_days, now))
    return [problem for problem in problems if problem]


def _digest(path):
    try:
        return hashlib.sha256(_read(path)).hexdigest()
    except OSError:
        return None


def user_problems(host_user, directory, user):
    """What the role's file and copy tasks would change about one user's ~/.docker (tls_host_state's reading)."""
    if not host_user.get('exists'):
        return ['user %s does not exist on the host' % user]
    owner = (host_user.get('uid'), host_user.get('gid'))
    problems = []
    found = host_user.get('dir') or {}
    if (found.get('kind'), found.get('mode'), found.get('uid'), found.get('gid')) != ('directory', '0700') + owner:
        problems.append('~%s/.docker is not a directory 0700 of the user' % user)
    files = host_user.get('files') or {}
    for file_name, mode in USER_MODES:
        found = files.get(file_name) or {}
        wanted = _digest(os.path.join(directory, file_name))
        if wanted is None or found.get('sha256') != wanted:
            problems.append("~%s/.docker/%s is not the controller's" % (user, file_name))
        elif (found.get('kind'), found.get('mode'), found.get('uid'), found.get('gid')) != ('file', mode) + owner:
            problems.append('~%s/.docker/%s is not a file %s of the user' % (user, file_name, mode))
    return problems


def clients_state(clients_dir, clients, ca_cert='', users=(), host_users=None, now=None, **options):
    """``{current, pending, users_pending, problems}`` (see DOCUMENTATION)."""
    ca = None
    ca_pem = b''
    if ca_cert:
        try:
            ca_pem = _read(ca_cert)
            ca = x509.load_pem_x509_certificate(ca_pem)
        except (OSError, ValueError):
            ca = None
    base = _mode_problem(clients_dir, 'dir', 0o700)
    problems = {}
    for name in clients:
        found = client_problems(os.path.join(clients_dir, name), name, ca, ca_pem, now=now, **options)
        problems[name] = ([base] if base else []) + found
    pending = [name for name in clients if problems[name]]
    users_pending, copies = [], {}
    for user, client in users:
        if client in pending:
            found = ['client %s is issued anew' % client]
        else:
            found = user_problems((host_users or {}).get(user) or {}, os.path.join(clients_dir, client), user)
        copies[user] = copies.get(user, []) + found
        if found and user not in users_pending:
            users_pending.append(user)
    return dict(current=not pending and not users_pending, pending=pending, users_pending=users_pending,
                problems=problems, user_problems=copies)


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        users = [tuple(pair) for pair in self.get_option('users')]
        return [clients_state(self.get_option('clients_dir'), self.get_option('clients'), ca_cert=self.get_option('ca_cert'),
                              users=users, host_users=self.get_option('host_users'),
                              key_type=self.get_option('key_type'), key_size=self.get_option('key_size'),
                              key_curve=self.get_option('key_curve'), key_usage=self.get_option('key_usage'),
                              renew_days=self.get_option('renew_days'))]
