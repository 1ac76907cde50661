# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A file or directory that must have given content, mode and owner root:root.

Planned first (what differs, for check mode and the diff), then applied: new
content through _atomic_write (temp file, fsync, rename, optional backup), a
mode or owner that alone differs fixed in place, as ansible.builtin.copy does.
"""

from __future__ import annotations

import os
import stat

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.hardening.docker.plugins.module_utils._atomic_write import write_atomically


def _attr_changes(st, mode):
    """What differs in mode and owner (owner only when running as root, who alone can set it)."""
    changes = []
    if stat.S_IMODE(st.st_mode) != mode:
        changes.append('mode %04o -> %04o' % (stat.S_IMODE(st.st_mode), mode))
    if os.geteuid() == 0 and (st.st_uid, st.st_gid) != (0, 0):
        changes.append('owner %d:%d -> 0:0' % (st.st_uid, st.st_gid))
    return changes


def plan_file(module, path, data, mode):
    """(changes, the current content or None): ``content`` is among the changes when the bytes differ."""
    try:
        st = os.stat(path)
    except OSError:
        return ['created'], None
    if not stat.S_ISREG(st.st_mode):
        module.fail_json(msg='%s exists and is not a regular file; remove it' % path)
    try:
        with open(path, 'rb') as handle:
            before = handle.read()
    except (IOError, OSError) as exc:
        module.fail_json(msg='cannot read %s: %s' % (path, to_native(exc)))
    changes = [] if before == data else ['content']
    return changes + _attr_changes(st, mode), before


def apply_file(module, path, data, mode, changes, backup=False):
    """Make the planned ``changes``; returns the backup's path (or None)."""
    if 'created' in changes or 'content' in changes:
        return write_atomically(module, path, data, mode, backup=backup)
    if changes:
        _set_attrs(module, path, mode)
    return None


def plan_directory(module, path, mode):
    try:
        st = os.stat(path)
    except OSError:
        return ['created']
    if not stat.S_ISDIR(st.st_mode):
        module.fail_json(msg='%s exists and is not a directory; remove it' % path)
    return _attr_changes(st, mode)


def apply_directory(module, path, mode, changes):
    if 'created' in changes:
        try:
            os.makedirs(path, mode)
        except OSError as exc:
            module.fail_json(msg='cannot create directory %s: %s' % (path, to_native(exc)))
    if changes:
        _set_attrs(module, path, mode)


def _set_attrs(module, path, mode):
    try:
        os.chmod(path, mode)
        if os.geteuid() == 0:
            os.chown(path, 0, 0)
    except OSError as exc:
        module.fail_json(msg='cannot set the mode and owner of %s: %s' % (path, to_native(exc)))
