# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one way this collection's modules replace a file on the host.

A temporary file in the target's own directory (so the rename cannot cross
file systems), written, flushed and synced, given its mode and owner, checked
by the caller if it wants, and only then renamed over the target with
AnsibleModule.atomic_move: a reader sees the old file or the new one, never a
half-written one, and an interrupted run leaves the old file in place.
"""

from __future__ import annotations

import os
import tempfile

from ansible.module_utils.common.text.converters import to_native


def ensure_directory(module, directory):
    """Create ``directory`` (0755) when it does not exist, or fail naming it."""
    if os.path.isdir(directory):
        return
    try:
        os.makedirs(directory, 0o755)
        os.chmod(directory, 0o755)
    except OSError as exc:
        module.fail_json(msg='cannot create directory %s: %s' % (directory, to_native(exc)))


def write_atomically(module, path, data, mode, uid=0, gid=0, check=None, backup=False):
    """Replace ``path`` with ``data`` (bytes), mode ``mode`` and owner ``uid:gid``.

    ``check(tmp_path)`` runs on the complete temporary file before the rename;
    it fails the module itself to keep the old file. With ``backup`` the old
    file is copied first (AnsibleModule.backup_local); its path is returned.
    The owner is set only when running as root (a non-root run cannot chown).
    """
    directory = os.path.dirname(path)
    fd, tmp_path = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), suffix='.tmp', dir=directory)
    backup_file = None
    try:
        try:
            with os.fdopen(fd, 'wb') as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp_path, mode)
            if os.geteuid() == 0:
                os.chown(tmp_path, uid, gid)
        except (IOError, OSError) as exc:
            module.fail_json(msg='cannot write a temporary file in %s: %s' % (directory, to_native(exc)))
        if check is not None:
            check(tmp_path)
        if backup and os.path.exists(path):
            backup_file = module.backup_local(path)
        module.atomic_move(tmp_path, path, unsafe_writes=False)
    finally:
        if os.path.exists(tmp_path):
            os.unlink(tmp_path)
    # atomic_move gives the new file the old one's attributes: set ours again
    os.chmod(path, mode)
    if os.geteuid() == 0:
        os.chown(path, uid, gid)
    return backup_file
