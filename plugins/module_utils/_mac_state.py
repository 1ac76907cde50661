# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which mandatory access control a host enforces, and what the apparmor role may therefore do.

The decision only reads the kernel's own interfaces:

* ``/sys/module/apparmor/parameters/enabled``: ``Y`` when AppArmor is active,
  ``N`` when it is built in but switched off, missing when the kernel has none;
* ``/sys/kernel/security/apparmor``: the interface ``apparmor_parser`` loads
  profiles through (missing when securityfs is not mounted, e.g. in a container);
* ``/sys/fs/selinux/enforce``: ``1`` enforcing, ``0`` permissive, missing when
  SELinux is not active.

Actions: ``load`` (AppArmor usable: install and load profiles), ``selinux``
(no AppArmor, SELinux active: let dockerd label containers), ``install_only``
(neither: profiles can be installed and checked, never enforced).
"""

from __future__ import annotations

import json
import os

APPARMOR_ENABLED = '/sys/module/apparmor/parameters/enabled'
APPARMOR_FS = '/sys/kernel/security/apparmor'
APPARMOR_PROFILES = '/sys/kernel/security/apparmor/profiles'
SELINUX_ENFORCE = '/sys/fs/selinux/enforce'

APPARMOR_STATES = ('enabled', 'disabled', 'absent', 'unreachable')
SELINUX_STATES = ('enforcing', 'permissive', 'absent')
ACTIONS = ('load', 'install_only', 'selinux')


def apparmor_state(enabled_text, securityfs_present):
    """Return ``(state, reason)`` from the ``enabled`` parameter (``None`` when missing)."""
    if enabled_text is None:
        return 'absent', '%s is missing: the kernel has no AppArmor' % APPARMOR_ENABLED
    flag = enabled_text.strip()
    if not flag.upper().startswith('Y'):
        return 'disabled', ('%s is %r: AppArmor is built into the kernel but not active '
                            '(apparmor=0 on the kernel command line, or another major LSM)' % (APPARMOR_ENABLED, flag))
    if not securityfs_present:
        return 'unreachable', ('AppArmor is active in the kernel but %s is missing (securityfs is not mounted '
                               'here), so no profile can be loaded' % APPARMOR_FS)
    return 'enabled', 'AppArmor is active in the kernel (%s is Y)' % APPARMOR_ENABLED


def selinux_state(enforce_text):
    """Return the SELinux state from the content of ``enforce`` (``None`` when missing)."""
    if enforce_text is None:
        return 'absent'
    return 'enforcing' if enforce_text.strip() == '1' else 'permissive'


def decide(apparmor, selinux):
    """Return the action for an AppArmor and a SELinux state."""
    if apparmor not in APPARMOR_STATES:
        raise ValueError('unknown AppArmor state %r' % (apparmor,))
    if selinux not in SELINUX_STATES:
        raise ValueError('unknown SELinux state %r' % (selinux,))
    if apparmor == 'enabled':
        return 'load'
    if selinux != 'absent':
        return 'selinux'
    return 'install_only'


def summary(apparmor, apparmor_reason, selinux, action):
    """One plain sentence for operators: what is enforced on this host and what is not."""
    if action == 'load':
        return ('AppArmor is enforced by this kernel: profiles are installed and loaded; '
                'dockerd confines containers with docker-default unless --security-opt apparmor=<profile> names another.')
    if action == 'selinux':
        return ('SELinux is %s and AppArmor is not active (%s): dockerd labels containers only with '
                'selinux-enabled, so that key is set instead of loading AppArmor profiles.' % (selinux, apparmor_reason))
    return ('AppArmor enforcement is NOT available on this host (%s): profiles are installed and '
            'syntax-checked but not loaded, and containers run without any AppArmor profile.' % apparmor_reason)


def parse_loaded_profiles(text):
    """Parse ``/sys/kernel/security/apparmor/profiles`` (``name (mode)`` lines) into ``{name: mode}``."""
    loaded = {}
    for line in text.splitlines():
        line = line.strip()
        name, sep, mode = line.rpartition(' (')
        if sep and name and mode.endswith(')'):
            loaded[name] = mode[:-1]
    return loaded


def _read(path):
    """Content of a file, or ``None`` when it does not exist."""
    try:
        with open(path) as handle:
            return handle.read()
    except (IOError, OSError) as exc:
        if not os.path.exists(path):
            return None
        raise RuntimeError('cannot read %s: %s' % (path, exc))


def _under(root, path):
    return os.path.join(root, path.lstrip('/'))


def _profile(root, profile_dir, name, loaded):
    path = os.path.join(profile_dir, name)
    return {'path': path, 'installed': os.path.isfile(_under(root, path)), 'mode': loaded.get(name)}


def gather(root='/', profiles=(), profile_dir='/etc/apparmor.d'):
    """Read the host state under ``root`` and return the facts the role decides on.

    ``profiles``: names whose file ``<profile_dir>/<name>`` and loaded mode are
    reported (mode ``None`` when not loaded, or when nothing can be loaded here).
    """
    apparmor, reason = apparmor_state(_read(_under(root, APPARMOR_ENABLED)),
                                      os.path.isdir(_under(root, APPARMOR_FS)))
    selinux = selinux_state(_read(_under(root, SELINUX_ENFORCE)))
    action = decide(apparmor, selinux)
    loaded = {}
    if apparmor == 'enabled':
        text = _read(_under(root, APPARMOR_PROFILES))
        if text is None:
            raise RuntimeError('%s is missing although %s exists' % (APPARMOR_PROFILES, APPARMOR_FS))
        loaded = parse_loaded_profiles(text)
    return {
        'apparmor': apparmor,
        'apparmor_reason': reason,
        'selinux': selinux,
        'action': action,
        'apparmor_enforceable': action == 'load',
        'summary': summary(apparmor, reason, selinux, action),
        'loaded_count': len(loaded),
        'profiles': dict((name, _profile(root, profile_dir, name, loaded)) for name in profiles),
    }


def is_managed(path, header):
    """True when ``path`` is a regular file (not a link) with the line ``header``: a file the role wrote."""
    try:
        if not os.path.isfile(path) or os.path.islink(path):
            return False
        with open(path, 'rb') as handle:
            wanted = header.encode('utf-8')
            return any(line.rstrip(b'\r\n') == wanted for line in handle)
    except (IOError, OSError) as exc:
        raise RuntimeError('cannot read %s: %s' % (path, exc))


def foreign_files(root, profile_dir, names, header):
    """Paths ``<profile_dir>/<name>`` that exist (any type) and were not written by the role (no ``header`` line)."""
    foreign = []
    for name in names:
        path = os.path.join(profile_dir, name)
        on_disk = _under(root, path)
        if os.path.lexists(on_disk) and not is_managed(on_disk, header):
            foreign.append(path)
    return sorted(foreign)


SECURITY_OPTIONS_ARGV = ['info', '--format', '{{json .SecurityOptions}}']


def dockerd_security_options(run, docker):
    """The security options dockerd applies to containers (``docker info``), ``None`` when it does not answer.

    ``run(argv)`` returns ``(rc, stdout, stderr)``; ``docker`` is the client's path (``None`` when missing).
    """
    if not docker:
        return None
    rc, out, dummy = run([docker] + SECURITY_OPTIONS_ARGV)
    if rc != 0:
        return None
    try:
        return json.loads(out)
    except ValueError:
        return None
