# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the daemon_tls role reads on a host before it decides anything, gathered in one module call.

Each read was its own task (a round trip of about half a second): whether the Python cryptography library
imports, the load state of docker.socket, dockerd's main PID and command line, whether the server's TLS
files exist, and the text of its certificates.
"""

from __future__ import annotations

import importlib
import os

from ansible_collections.hardening.docker.plugins.module_utils._docker_paths import parse_systemctl_show


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


def gather(run_command, systemctl, socket, service, stat_paths, read_paths, root='/'):
    load_state, main_pid = unit_states(run_command, systemctl, socket, service)
    return dict(
        crypto_present=crypto_present(),
        socket_load_state=load_state,
        main_pid=main_pid,
        cmdline=cmdline(root, main_pid),
        exists=dict((path, os.path.exists(path)) for path in stat_paths),
        texts=read_texts(read_paths),
    )
