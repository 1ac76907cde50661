# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the socket role reads from the host: its own users, docker.socket's state and drop-in lines."""

from __future__ import annotations

import glob
import os
import pwd
import re

# A line of a drop-in that sets the socket's owner, group or mode.
SETTING = re.compile(r'^\s*(Socket(?:Mode|User|Group))\s*=\s*(.*?)\s*$')


def run_users(pid, proc='/proc'):
    """Names of the real users owning PID and its ancestors: the connection's user and the become chain.

    Enforcement must never remove them from the socket group, or the run
    would lock itself out. Uids without a name are left out.
    """
    uids = set()
    # The process itself always counts, even as PID 1 (the first process of a
    # container); init is not part of the chain above it.
    start = pid
    while pid > 1 or pid == start:
        try:
            with open(os.path.join(proc, str(pid), 'status')) as handle:
                status = dict(line.split(':', 1) for line in handle if ':' in line)
        except (IOError, OSError):
            break
        try:
            uids.add(int(status['Uid'].split()[0]))
            pid = int(status['PPid'].split()[0])
        except (KeyError, IndexError, ValueError):
            break
    names = set()
    for uid in uids:
        try:
            names.add(pwd.getpwuid(uid).pw_name)
        except KeyError:
            pass
    return sorted(names)


def parse_listen(text):
    """(LoadState, socket paths) from `systemctl show --property=LoadState --property=Listen`."""
    load_state = ''
    paths = []
    for line in text.splitlines():
        key, sep, value = line.partition('=')
        if not sep:
            continue
        if key == 'LoadState':
            load_state = value.strip()
        elif key == 'Listen' and value.startswith('/'):
            path = value.split(' ', 1)[0]
            if path not in paths:
                paths.append(path)
    return load_state, paths


def dropin_settings(roots, unit, exclude=()):
    """Every SocketMode/User/Group line of the unit's drop-ins under ROOTS, but those of the files named in EXCLUDE.

    One dict per line: path, line (its number, a string), name (the file's),
    setting and value.
    """
    out = []
    for root in roots:
        directory = os.path.join(root, unit + '.d')
        if not os.path.isdir(directory):
            continue
        for path in sorted(glob.glob(os.path.join(directory, '*.conf'))):
            name = os.path.basename(path)
            if name in exclude:
                continue
            try:
                with open(path, 'rb') as handle:
                    lines = handle.read().decode('utf-8', errors='replace').splitlines()
            except (IOError, OSError):
                continue
            for number, line in enumerate(lines, 1):
                match = SETTING.match(line)
                if match:
                    out.append(dict(path=path, line=str(number), name=name, setting=match.group(1), value=match.group(2)))
    return out
