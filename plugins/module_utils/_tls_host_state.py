# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the daemon_tls role reads on a host before it decides anything, gathered in one module call.

Each read was its own task (a round trip of about half a second): whether the Python cryptography library
imports, the load state of docker.socket, dockerd's main PID and command line, whether the server's TLS
files exist, and the text of its certificates. Also what the role compares to decide that the server's key
and certificates need no change (owner, group and mode of the TLS files, the public half of the server key), so
that a run which changes nothing skips the key, signing request, signing and copy tasks.
"""

from __future__ import annotations

import grp
import hashlib
import importlib
import os
import pwd
import stat

from ansible_collections.hardening.docker.plugins.module_utils._docker_paths import parse_systemctl_show
from ansible_collections.hardening.docker.plugins.module_utils._private_keys import load_private_key


def crypto_present():
    """Whether ``import cryptography`` works in this Python (community.crypto's modules run in it)."""
    try:
        importlib.import_module('cryptography')
    except ImportError:
        return False
    return True


def unit_states(run_command, systemctl, socket, service):
    """``(LoadState of socket, MainPID of service)``, as systemd_service's status gives them."""
    rc, out, err = run_command([systemctl, 'show', '--property=LoadState', '--property=MainPID', '--', socket, service])
    if rc != 0:
        raise RuntimeError('systemctl show %s %s failed (rc %d): %s' % (socket, service, rc, (err or out).strip()))
    blocks = parse_systemctl_show(out)
    if len(blocks) != 2:
        raise RuntimeError('systemctl show %s %s gave %d property blocks, not 2' % (socket, service, len(blocks)))
    return blocks[0].get('LoadState', ''), blocks[1].get('MainPID', '0') or '0'


def cmdline(root, pid):
    """The NUL-separated command line of ``pid`` split like the role did (a trailing empty string included)."""
    if str(pid) == '0':
        return []
    with open(os.path.join(root, 'proc', str(pid), 'cmdline'), 'rb') as handle:
        return handle.read().decode('utf-8', 'surrogateescape').split('\0')


def read_texts(paths):
    """``{path: text}`` of the files that exist; a certificate's text, never a key's (the result is logged)."""
    texts = {}
    for path in paths:
        try:
            with open(path, 'rb') as handle:
                texts[path] = handle.read().decode('utf-8', 'replace')
        except (FileNotFoundError, NotADirectoryError):
            continue
    return texts


def _name(lookup, number):
    try:
        return lookup(number)[0]
    except KeyError:
        return str(number)


def file_stats(paths):
    """``{path: {exists, kind, mode, owner, group}}`` (links followed), as the file module compares them."""
    stats = {}
    for path in paths:
        try:
            info = os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            stats[path] = dict(exists=False)
            continue
        kind = 'directory' if stat.S_ISDIR(info.st_mode) else ('file' if stat.S_ISREG(info.st_mode) else 'other')
        stats[path] = dict(exists=True, kind=kind, mode='%04o' % stat.S_IMODE(info.st_mode),
                           owner=_name(pwd.getpwuid, info.st_uid), group=_name(grp.getgrgid, info.st_gid))
    return stats


def _key_kind(key):
    asymmetric = 'cryptography.hazmat.primitives.asymmetric.'
    rsa, ec = importlib.import_module(asymmetric + 'rsa'), importlib.import_module(asymmetric + 'ec')
    if isinstance(key, rsa.RSAPrivateKey):
        return dict(type='RSA', size=key.key_size)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return dict(type='ECC', size=key.curve.key_size, curve=key.curve.name)
    return dict(type=type(key).__name__)


def public_key(path):
    """The public facts of the private key at ``path``: never a byte of the key itself.

    ``{exists, loaded, type, size, curve, public_key_sha256}``: the SHA-256 of the DER SubjectPublicKeyInfo (what
    x509_facts gives for a certificate), type and size (and curve) as community.crypto.openssl_privatekey compares
    them. A key that does not load (encrypted, broken, no library) has ``loaded`` false and ``problem``, never the
    exception's text, which could quote the key.
    """
    try:
        with open(path, 'rb') as handle:
            data = handle.read()
    except (FileNotFoundError, NotADirectoryError):
        return dict(exists=False, loaded=False, problem='%s does not exist' % path)
    except OSError as exc:
        return dict(exists=True, loaded=False, problem='%s cannot be read: %s' % (path, exc.strerror))
    try:
        # Imported here: the module must also answer on a host without the library (crypto_present false).
        serialization = importlib.import_module('cryptography.hazmat.primitives.serialization')
        unsupported = importlib.import_module('cryptography.exceptions').UnsupportedAlgorithm
    except ImportError:
        return dict(exists=True, loaded=False, problem='the Python library cryptography is missing')
    try:
        # Without OpenSSL's primality test of an RSA key where the library allows (_private_keys).
        key = load_private_key(data)
    except (ValueError, TypeError, unsupported):
        return dict(exists=True, loaded=False, problem='%s is not an unencrypted PEM private key' % path)
    public_der = key.public_key().public_bytes(serialization.Encoding.DER,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    facts = dict(exists=True, loaded=True, public_key_sha256=_colon_hex(hashlib.sha256(public_der).digest()))
    facts.update(_key_kind(key))
    return facts


def _colon_hex(data):
    text = data.hex()
    return ':'.join(text[i:i + 2] for i in range(0, len(text), 2))


# The client files the daemon_tls role copies into a listed user's ~/.docker.
USER_FILES = ('ca.pem', 'cert.pem', 'key.pem')
# A client file is a few kilobytes; anything far larger is not one (and is not read whole).
DIGEST_LIMIT = 1024 * 1024


def _entry(path, digest=False):
    """``{exists, kind, mode, uid, gid[, sha256]}`` of ``path`` itself (a link is a link: the role replaces it)."""
    try:
        info = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return dict(exists=False)
    kinds = ((stat.S_ISDIR, 'directory'), (stat.S_ISREG, 'file'), (stat.S_ISLNK, 'link'))
    kind = next((name for test, name in kinds if test(info.st_mode)), 'other')
    entry = dict(exists=True, kind=kind, mode='%04o' % stat.S_IMODE(info.st_mode), uid=info.st_uid, gid=info.st_gid)
    if digest and kind == 'file' and info.st_size <= DIGEST_LIMIT:
        with open(path, 'rb') as handle:
            entry['sha256'] = hashlib.sha256(handle.read()).hexdigest()
    return entry


def user_files(names, file_names=USER_FILES):
    """``{user: {exists, uid, gid, home, dir, files}}``: each user's ~/.docker and the client files in it.

    Owner and group as numbers, files by their SHA-256 (never their content: key.pem is a private key), so the
    controller can tell that the copies it would make are already there.
    """
    users = {}
    for name in names:
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            users[name] = dict(exists=False)
            continue
        docker_dir = os.path.join(entry.pw_dir, '.docker')
        users[name] = dict(exists=True, uid=entry.pw_uid, gid=entry.pw_gid, home=entry.pw_dir,
                           dir=_entry(docker_dir),
                           files=dict((file_name, _entry(os.path.join(docker_dir, file_name), digest=True))
                                      for file_name in file_names))
    return users


def gather(run_command, systemctl, socket, service, stat_paths, read_paths, root='/', key='', mode_paths=(), users=()):
    load_state, main_pid = unit_states(run_command, systemctl, socket, service)
    return dict(
        users=user_files(users),
        stats=file_stats(mode_paths),
        key=public_key(key) if key else {},
        crypto_present=crypto_present(),
        socket_load_state=load_state,
        main_pid=main_pid,
        cmdline=cmdline(root, main_pid),
        exists=dict((path, os.path.exists(path)) for path in stat_paths),
        texts=read_texts(read_paths),
    )
