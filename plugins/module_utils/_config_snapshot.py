# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The snapshot of dockerd's configuration files: one format, read by daemon_state, written back by daemon_restore.

An entry is ``{content: base64, mode: '0644', owner: name, group: name}``;
an owner without a name is recorded as its number.
"""

from __future__ import annotations

import base64
import glob
import grp
import os
import pwd
import stat


def dropins(directories):
    """The ``*.conf`` drop-ins of ``directories`` that are files, in order."""
    found = []
    for directory in directories:
        found.extend(sorted(p for p in glob.glob(os.path.join(directory, '*.conf')) if os.path.isfile(p)))
    return found


def _name(lookup, ident):
    try:
        return lookup(ident)[0]
    except KeyError:
        return str(ident)


def _id(lookup, name, index):
    if str(name).isdigit():
        return int(name)
    return getattr(lookup(name), index)


def snapshot_file(path):
    """The entry of one file (links followed), or None when it is not a regular file."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            return None
        with open(path, 'rb') as handle:
            content = handle.read()
    except (IOError, OSError):
        return None
    return {'content': base64.b64encode(content).decode('ascii'), 'mode': '%04o' % stat.S_IMODE(st.st_mode),
            'owner': _name(pwd.getpwuid, st.st_uid), 'group': _name(grp.getgrgid, st.st_gid)}


def decode_entry(entry):
    """(bytes, mode, uid, gid) of an entry; KeyError, TypeError or ValueError when it is not one."""
    return (base64.b64decode(entry['content'], validate=True), int(str(entry['mode']), 8),
            _id(pwd.getpwnam, entry['owner'], 'pw_uid'), _id(grp.getgrnam, entry['group'], 'gr_gid'))
