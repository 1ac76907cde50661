# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Decisions of the os_packages module (pure functions, no host access).

Minimal and container images ship with empty apt package lists, so a package
install must first know whether the lists are there and fresh enough."""

from __future__ import annotations

import os
import re

# Index files apt-get update writes: "<host>_<path>_Packages" (possibly compressed
# with an extension such as .lz4 when apt is configured to keep them so).
_PACKAGES_INDEX = re.compile(r'_Packages(\.[a-z0-9]+)?$')
# `apt-get -s install` prints one "Inst <name> (<version> ...)" line per package it would unpack.
_SIMULATED_INST = re.compile(r'^Inst (\S+)', re.MULTILINE)
# The messages apt-get prints for a name no package list knows.
_UNKNOWN_PACKAGE = (
    re.compile(r'^E: Unable to locate package (\S+)$', re.MULTILINE),
    re.compile(r"^E: Package '(\S+)' has no installation candidate$", re.MULTILINE),
)


def lists_age(lists_dir, now):
    """Age in seconds of the newest package index in ``lists_dir``; None when there is none (never updated)."""
    try:
        names = os.listdir(lists_dir)
    except OSError:
        return None
    newest = None
    for name in names:
        if not _PACKAGES_INDEX.search(name):
            continue
        try:
            mtime = os.stat(os.path.join(lists_dir, name)).st_mtime
        except OSError:
            continue
        newest = mtime if newest is None else max(newest, mtime)
    return None if newest is None else max(0, now - newest)


def refresh_reason(age, cache_valid_time):
    """Why the lists must be refreshed before an install, or None when they are fresh enough."""
    if age is None:
        return 'the package lists are empty'
    if age > cache_valid_time:
        return 'the package lists are %d s old (older than cache_valid_time %d s)' % (age, cache_valid_time)
    return None


# What `dpkg-query -W -f FORMAT` prints per package, read by installed_names().
DPKG_QUERY_FORMAT = '${Package}\t${Status}\n'


def installed_names(dpkg_query_stdout):
    """Names whose dpkg status is "install ok installed", from `dpkg-query -W -f '${Package}\\t${Status}\\n'`."""
    installed = set()
    for line in dpkg_query_stdout.splitlines():
        name, _sep, status = line.partition('\t')
        if status.strip() == 'install ok installed':
            installed.add(name.split(':', 1)[0])
    return installed


def missing(names, installed):
    """The wanted names that are not installed, in the order they were asked for, without repeats."""
    out = []
    for name in names:
        if name not in installed and name not in out:
            out.append(name)
    return out


def missing_on_host(run_command, dpkg_query, names):
    """The names dpkg does not list as installed, asked with one dpkg-query call.

    ``run_command(argv)`` returns ``(rc, stdout, stderr)``; ``dpkg_query`` is its
    path, ``None`` on a host without dpkg: every name then counts as missing, so
    that the install step runs and says why it cannot install them.
    """
    names = list(names)
    if not names:
        return []
    if not dpkg_query:
        return missing(names, set())
    # dpkg-query exits 1 when a name is unknown to dpkg, and still prints the known ones.
    dummy_rc, out, dummy_err = run_command([dpkg_query, '-W', '-f', DPKG_QUERY_FORMAT, '--'] + names)
    return missing(names, installed_names(out))


def simulated_installs(apt_get_stdout):
    """Every package (dependencies included) `apt-get -s install` would unpack."""
    return _SIMULATED_INST.findall(apt_get_stdout)


def unknown_packages(apt_get_stderr):
    """Names apt-get reported as unknown or without an installation candidate."""
    names = []
    for pattern in _UNKNOWN_PACKAGE:
        names.extend(pattern.findall(apt_get_stderr))
    return names
