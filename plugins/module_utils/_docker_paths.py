# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which files and directories a control is about, computed once on the host.

One source for the roles' modules (``file_modes``, ``audit_rules``) and the
audit's gatherer: unit files and their drop-ins, the TLS files daemon.json
names, registry certificates, audit watch candidates, and their real paths.
Pure functions over the file system; nothing here changes the host.
"""

from __future__ import annotations

import glob
import os
import posixpath
import stat

from ansible_collections.hardening.docker.plugins.module_utils._unit_flags import (
    DEFAULT_UNIT_SEARCH_PATHS,
    find_dropins,
    find_unit_file,
)

TLS_KEYS = ('tlscacert', 'tlscert', 'tlskey')


def is_unset(value):
    return value is None or value == '' or value == [] or value == {}


def file_kind(path):
    """'f', 'd', 's' or 'o' for what ``path`` resolves to, None when it does not exist."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode):
        return 'f'
    if stat.S_ISDIR(mode):
        return 'd'
    if stat.S_ISSOCK(mode):
        return 's'
    return 'o'


def parse_systemctl_show(text):
    """Property blocks of ``systemctl show -p ... UNIT1 UNIT2`` (blank-line separated), in unit order."""
    blocks = []
    current = {}
    for line in text.splitlines():
        if not line.strip():
            if current:
                blocks.append(current)
                current = {}
            continue
        key, sep, value = line.partition('=')
        if sep:
            current[key] = value
    if current:
        blocks.append(current)
    return blocks


def unit_files(unit, systemd_props=None, dropin_roots=(), unit_dirs=DEFAULT_UNIT_SEARCH_PATHS):
    """(fragment + drop-ins, drop-in directories) of a unit.

    ``systemd_props`` is what systemd reports (FragmentPath, DropInPaths); drop-ins
    that systemd has not loaded yet are found in ``<root>/<unit>.d/*.conf``. Without
    systemd's answer the unit search paths are read directly.
    """
    if systemd_props is not None:
        fragment = [systemd_props.get('FragmentPath')] if systemd_props.get('FragmentPath') else []
        dropins = (systemd_props.get('DropInPaths') or '').split()
    else:
        found = find_unit_file(unit, unit_dirs)
        fragment = [found] if found else []
        dropins = find_dropins(unit, unit_dirs)
    for root in dropin_roots:
        directory = posixpath.join(root, unit + '.d')
        for path in sorted(glob.glob(posixpath.join(glob.escape(directory), '*.conf'))):
            if path not in dropins:
                dropins.append(path)
    dirs = []
    for path in dropins:
        parent = posixpath.dirname(path)
        if parent not in dirs:
            dirs.append(parent)
    return fragment + dropins, dirs


def tls_paths(config, key):
    """The file daemon.json names under ``key`` (tlscacert, tlscert, tlskey), as a list of 0 or 1 path."""
    value = (config or {}).get(key)
    return [] if is_unset(value) or not isinstance(value, str) else [value]


def files_below(directory):
    """Every entry below ``directory`` (recursively, links included): the controls judge what they resolve to."""
    found = []
    for root, dirs, files in os.walk(directory):
        dirs.sort()
        for name in sorted(files + [d for d in dirs if os.path.islink(posixpath.join(root, d))]):
            found.append(posixpath.join(root, name))
    return found


def check_paths(check, units, config):
    """Paths one catalog check looks at: its fixed paths, its unit's fragment, the file a daemon.json key names."""
    paths = list(check.get('paths') or [])
    if check.get('unit'):
        fragment = (units.get(check['unit']) or {}).get('fragment_path')
        if fragment:
            paths.append(fragment)
    if check.get('from_key'):
        paths.extend(tls_paths(config, check['from_key']))
    return paths


def real_targets(candidates, want):
    """Real paths of ``candidates`` that exist and are of kind ``want`` ('f', 'd', 's'), first seen first, no repeats."""
    out = []
    for path in candidates:
        real = os.path.realpath(path)
        if file_kind(real) == want and real not in out:
            out.append(real)
    return out


def canonical_watch_path(path):
    """Resolve symlinks in the directories of a watched path, not in its last component."""
    path = posixpath.normpath(path)
    if path == '/':
        return path
    parent, name = posixpath.split(path)
    return posixpath.join(os.path.realpath(parent), name)


def watch_targets(paths, appear=()):
    """Real paths to watch: each of ``paths`` that exists, each of ``appear`` whose parent exists."""
    out = []
    for path, may_appear in [(p, False) for p in paths] + [(p, True) for p in appear]:
        real = os.path.realpath(path)
        exists = os.path.lexists(real) or (may_appear and os.path.isdir(os.path.realpath(posixpath.dirname(path))))
        if exists and real not in out:
            out.append(real)
    return out


def clear_mode(mode, maximum):
    """``mode`` with every bit outside ``maximum`` cleared (special bits included): never loosens."""
    return mode & maximum & 0o7777
