# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""hardening.docker.subid_range: the subordinate id range of an owner in /etc/subuid or /etc/subgid."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text
from ansible_collections.hardening.docker.plugins.module_utils._type_names import type_name

# The highest valid id: (uid_t)-1 is reserved as "no id".
ID_MAX = 4294967294


def _int_arg(name, value, lowest):
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise AnsibleFilterError('subid_range: %s must be an integer, got %r' % (name, value))
    try:
        number = int(value)
    except ValueError:
        raise AnsibleFilterError('subid_range: %s must be an integer, got %r' % (name, value))
    if number < lowest or number > ID_MAX:
        raise AnsibleFilterError('subid_range: %s must be between %d and %d, got %d' % (name, lowest, ID_MAX, number))
    return number


def parse_subid_file(data):
    """``[(line_number, owner, start, count)]`` from the text (or list of lines) of a subid file.

    Blank lines and ``#`` comments are skipped. Any other line that is not ``owner:start:count`` is an
    error: a range that cannot be read could not be kept clear of.
    """
    if data is None:
        return []
    if isinstance(data, (list, tuple)):
        lines = [to_text(line) for line in data]
    elif isinstance(data, str):
        lines = to_text(data).splitlines()
    else:
        raise AnsibleFilterError('subid_range: the input must be the text of a subid file or a list of its lines, got %s'
                                 % type_name(data))
    entries = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith('#'):
            continue
        parts = line.split(':')
        if len(parts) != 3 or not parts[0] or not parts[1].isdigit() or not parts[2].isdigit():
            raise AnsibleFilterError('subid_range: line %d is not "owner:start:count": %r' % (number, raw))
        entries.append((number, parts[0], int(parts[1]), int(parts[2])))
    return entries


def _overlaps(start, count, entries):
    end = start + count
    for _number, _owner, other_start, other_count in entries:
        if other_count and start < other_start + other_count and other_start < end:
            return True
    return False


def subid_range(data, owner, count=65536, minimum=100000, maximum=600100000, owner_id=None, prefer=None):
    """The range ``owner`` holds in the subid file, or the lowest free one of ``count`` ids.

    Returns ``{owner, start, count, end, total, present, line}``. ``present`` is true when the file
    already gives ``owner`` (by name, or by ``owner_id``) at least one range; that range is returned as
    it is (the lowest one, which is what container root maps to) and ``total`` sums all of them.
    Otherwise the first range of ``count`` ids inside ``[minimum, maximum]`` that overlaps no existing
    line (of any owner) is returned, trying ``prefer`` first (to give uid and gid the same start).
    """
    if not isinstance(owner, str) or not owner or any(char in owner for char in ':\n\r#'):
        raise AnsibleFilterError('subid_range: owner must be a user name without ":", got %r' % (owner,))
    count = _int_arg('count', count, 1)
    minimum = _int_arg('minimum', minimum, 1)
    maximum = _int_arg('maximum', maximum, 1)
    if minimum + count - 1 > maximum:
        raise AnsibleFilterError('subid_range: no room for %d ids between minimum %d and maximum %d'
                                 % (count, minimum, maximum))
    names = {owner}
    if owner_id is not None and owner_id != '':
        names.add(str(_int_arg('owner_id', owner_id, 0)))

    entries = parse_subid_file(data)
    held = sorted((start, length) for _number, name, start, length in entries if name in names)
    if held:
        start, length = held[0]
        return dict(owner=owner, start=start, count=length, end=start + length - 1,
                    total=sum(length for _start, length in held), present=True,
                    line='%s:%d:%d' % (owner, start, length))

    candidates = []
    if prefer is not None and prefer != '':
        candidates.append(_int_arg('prefer', prefer, 1))
    candidates.append(minimum)
    # Every gap starts right after an existing range.
    candidates.extend(sorted(start + length for _number, _name, start, length in entries))
    for start in candidates:
        if start < minimum or start + count - 1 > maximum:
            continue
        if not _overlaps(start, count, entries):
            return dict(owner=owner, start=start, count=count, end=start + count - 1, total=count,
                        present=False, line='%s:%d:%d' % (owner, start, count))
    raise AnsibleFilterError('subid_range: no free range of %d ids between %d and %d that overlaps none of the '
                             '%d existing ranges; lower the count or raise the maximum' % (count, minimum, maximum, len(entries)))


class FilterModule(object):
    """Subordinate id range filter."""

    def filters(self):
        return {'subid_range': subid_range}
