# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The socket role's docker.socket drop-ins: their text, what writing them changes, and the socket as it is."""

from __future__ import annotations

import grp
import os
import pwd
import stat

from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.hardening.docker.plugins.module_utils._managed_file import (
    apply_directory,
    apply_file,
    plan_directory,
    plan_file as _managed_plan_file,
)

# The drop-ins belong to root and are world-readable, as systemd's own units.
FILE_MODE = 0o644


def render_owner(group):
    """The drop-in of CIS 3.15 (the text the role's template owner.conf.j2 wrote, byte for byte)."""
    return ('# Managed by Ansible (hardening.docker role socket, CIS 3.15).\n'
            '# The Docker API socket belongs to root and the group allowed to use Docker.\n'
            '[Socket]\nSocketUser=root\nSocketGroup=%s\n' % group)


def render_mode(mode):
    """The drop-in of CIS 3.16 (the text the role's template mode.conf.j2 wrote, byte for byte)."""
    return ('# Managed by Ansible (hardening.docker role socket, CIS 3.16).\n'
            '# Only root and the socket group may open the Docker API socket.\n'
            '[Socket]\nSocketMode=%s\n' % mode)


def fix_attributes(module, path, mode, apply):
    """What is wrong with directory PATH's mode and owner ('' when nothing); with APPLY, put it right."""
    changes = plan_directory(module, path, mode)
    if changes and apply:
        apply_directory(module, path, mode, changes)
    return ', '.join(changes)


def plan_file(module, path, text):
    """Whether PATH must be written to hold TEXT, 0644 root:root, with a message and a diff."""
    changes, before = _managed_plan_file(module, path, to_bytes(text, errors='surrogate_or_strict'), FILE_MODE)
    if not changes:
        return dict(changed=False)
    before_text = None if before is None else before.decode('utf-8', errors='replace')
    if before is None:
        msg = 'wrote %s' % path
    elif 'content' in changes:
        msg = 'rewrote %s' % path
    else:
        msg = '%s: %s' % (path, ', '.join(changes))
    return dict(changed=True, msg=msg, changes=changes,
                diff=dict(before_header=path, after_header=path, before=before_text or '', after=text))


def write_file(module, path, text, plan):
    """Write PATH (atomically) when its text changes, or only fix its mode and owner."""
    apply_file(module, path, to_bytes(text, errors='surrogate_or_strict'), FILE_MODE, plan['changes'])


def _name(lookup, ident):
    try:
        return lookup(ident)[0]
    except KeyError:
        return str(ident)


def socket_problems(paths, expect_mode, expect_owner):
    """([path is MODE USER:GROUP of each socket that differs], [paths that exist]).

    EXPECT_MODE ('0660') and EXPECT_OWNER ('root:docker') are checked when not
    empty; paths that are not sockets (dockerd not started yet) are skipped.
    """
    wrong = []
    seen = []
    for path in paths:
        try:
            st = os.lstat(path)
        except OSError:
            continue
        seen.append(path)
        if not stat.S_ISSOCK(st.st_mode):
            continue
        mode = '%04o' % stat.S_IMODE(st.st_mode)
        owner = '%s:%s' % (_name(pwd.getpwuid, st.st_uid), _name(grp.getgrgid, st.st_gid))
        if (expect_mode and mode != expect_mode) or (expect_owner and owner != expect_owner):
            wrong.append('%s is %s %s' % (path, mode, owner))
    return wrong, seen
