# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the apparmor role does with its profiles, in the order it must happen.

1. every present profile's text is checked by ``apparmor_parser -QTK`` (no
   kernel needed) and must define a profile of its own name (``--names``);
   one refusal stops everything before the first write;
2. the files that differ are written (header line first, root 0644);
3. where the kernel loads profiles: the changed ones, the ones not loaded and
   a profile loaded in another mode than wanted are loaded (``--replace``);
4. the profiles set to absent are unloaded (when loaded and written by the
   role) and their files removed.

The host is reached through a small ``Host`` object so that tests can replace
the parser and the file writes.
"""

from __future__ import annotations

import os
import re

# Printed on every call where the kernel has no AppArmor: not part of a refusal.
CACHE_NOTICE = re.compile(r'^Cache read/write disabled')
FILE_MODE = 0o644


class Refused(Exception):
    """Input the role must refuse before it changes anything."""


def parser_refusal(profile, rc, out, err):
    """The message for a profile ``apparmor_parser -QTK`` refused, ``None`` when it passed."""
    if rc == 0:
        return None
    lines = [line for line in err.splitlines() + out.splitlines() if not CACHE_NOTICE.search(line)]
    return '%s (from %s): %s' % (profile['name'], profile['origin'], ' / '.join(lines))


def name_mismatch(profile, rc, out):
    """The message for a text that does not define the profile it is named after, ``None`` when it does."""
    defined = out.splitlines()
    if rc == 0 and profile['name'] in defined:
        return None
    return '%s (from %s): the text defines %s, not a profile named %s.' % (
        profile['name'], profile['origin'], ', '.join(defined) or 'no profile', profile['name'])


def file_bytes(header, text):
    return ('%s\n%s' % (header, text)).encode('utf-8')


def needs_write(current, wanted):
    """True when the file must be (re)written: missing, other content, other mode or owner.

    ``current`` is ``None`` (no file) or ``(data, mode, uid, gid)``.
    """
    if current is None:
        return True
    data, mode, uid, gid = current
    return data != wanted or mode != FILE_MODE or (uid, gid) != (0, 0)


def to_load(action, present, written, loaded_modes, wanted_modes):
    """Names to load, in order: written ones, then the not loaded, then those in another mode than wanted."""
    if action != 'load':
        return []
    names = [p['name'] for p in present]
    chosen = [n for n in names if n in written]
    chosen += [n for n in names if loaded_modes.get(n) is None]
    chosen += [n for n, mode in wanted_modes.items() if loaded_modes.get(n) not in (None, mode)]
    ordered = []
    for name in chosen:
        if name not in ordered:
            ordered.append(name)
    return ordered


def refuse_foreign(host, profiles, header, profile_dir):
    """Raise ``Refused`` when a profile's file exists and was not written by the role (no ``header`` line)."""
    paths = [os.path.join(profile_dir, p['name']) for p in profiles]
    foreign = sorted(path for path in paths if host.exists(path) and not host.managed(path))
    if foreign:
        raise Refused('%s: present already and not written by this role (no line "%s"): give the profile another '
                      'name in apparmor_profiles or apparmor_default_profile_name, or move the existing file away. '
                      'Nothing was changed.' % (', '.join(foreign), header))


def defer_reason(action, parser_present, packages_missing):
    """Why a call that may wait (``only_when_ready``) leaves the profiles alone, ``None`` when it goes ahead.

    On an SELinux host the role manages no AppArmor profile at all; elsewhere the
    profiles wait until the AppArmor tools are installed (``apparmor_parser``
    checks every text before the first write).
    """
    if action == 'selinux':
        return 'selinux'
    if not parser_present or packages_missing:
        return 'tools_missing'
    return None


def apply(host, profiles, header, profile_dir, action, loaded_modes):
    """Check, write, load and remove; return ``(changed, results, load_names, syntax_checked, diffs)``.

    ``changed`` covers files written or removed and, outside check mode, profiles
    loaded or unloaded.

    ``profiles``: dicts with name, origin, state and, when present, text and mode
    (the mode it must be loaded in, or ``None`` for any). ``loaded_modes``:
    ``{name: mode}`` before the changes (``None`` when not loaded).
    Raises ``Refused`` before the first change when a profile must be refused.
    """
    present = [p for p in profiles if p['state'] == 'present']
    absent = [p for p in profiles if p['state'] == 'absent']
    paths = dict((p['name'], os.path.join(profile_dir, p['name'])) for p in profiles)

    # Checked again here: since the role's first call (which may have deferred) the file may have appeared.
    refuse_foreign(host, profiles, header, profile_dir)

    syntax_checked = host.parser_present()
    if present and not syntax_checked and not host.check_mode:
        raise Refused('%s is missing, so no profile can be checked: keep apparmor_rule_5_2 true (it installs %s) or '
                      'install it yourself.' % (host.parser, ', '.join(host.packages)))
    if syntax_checked:
        errors = []
        passed = []
        for profile in present:
            rc, out, err = host.parse(['-QTK'], profile['text'])
            message = parser_refusal(profile, rc, out, err)
            if message:
                errors.append(message)
            else:
                passed.append(profile)
        for profile in passed:
            rc, out, dummy = host.parse(['--names'], profile['text'])
            message = name_mismatch(profile, rc, out)
            if message:
                errors.append(message)
        if errors:
            raise Refused('apparmor_parser refused %d profile(s); none was installed. %s' % (len(errors), ' '.join(errors)))

    results = dict((p['name'], {'name': p['name'], 'origin': p['origin'], 'state': p['state'], 'path': paths[p['name']],
                                'written': False, 'loaded': False, 'unloaded': False, 'removed': False})
                   for p in profiles)
    diffs = []
    written = []
    for profile in present:
        path = paths[profile['name']]
        wanted = file_bytes(header, profile['text'])
        current = host.read(path)
        if needs_write(current, wanted):
            written.append(profile['name'])
            results[profile['name']]['written'] = True
            before = current[0].decode('utf-8', 'replace') if current is not None else ''
            diffs.append({'before_header': path if current is not None else '/dev/null', 'after_header': path,
                          'before': before, 'after': wanted.decode('utf-8')})
            if not host.check_mode:
                host.write(path, wanted)

    wanted_modes = dict((p['name'], p['mode']) for p in present if p.get('mode'))
    load_names = to_load(action, present, written, loaded_modes, wanted_modes)
    for name in load_names:
        results[name]['loaded'] = True
        if not host.check_mode:
            host.load(['--replace', paths[name]], name)

    for profile in absent:
        path = paths[profile['name']]
        exists = host.exists(path)
        if loaded_modes.get(profile['name']) is not None and exists and host.managed(path):
            results[profile['name']]['unloaded'] = not host.check_mode
            if not host.check_mode:
                host.load(['--remove', path], profile['name'])
        if exists:
            results[profile['name']]['removed'] = True
            diffs.append({'before_header': path, 'after_header': path, 'before': 'present\n', 'after': 'absent\n'})
            if not host.check_mode:
                host.remove(path)

    ordered = [results[p['name']] for p in profiles]
    for result in ordered:
        result['changed'] = result['written'] or result['loaded'] or result['unloaded'] or result['removed']
    # In check mode a load is predicted, not made: the role says so in a task of its own.
    changed = any(r['written'] or r['removed'] or (not host.check_mode and (r['loaded'] or r['unloaded'])) for r in ordered)
    return changed, ordered, load_names, syntax_checked, diffs
