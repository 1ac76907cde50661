# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Docker default ulimits: parsing of the friendly forms and validation of daemon.json's form.

Shared by the ``hardening.docker.docker_ulimits`` filter and the schema of
``hardening.docker.daemon_config``. Pure functions, no Ansible imports, so the
module side and the controller side use exactly the same rules.

daemon.json form (what dockerd reads)::

    "default-ulimits": {"nofile": {"Name": "nofile", "Soft": 1024, "Hard": 4096}}

Rules (those of dockerd's ulimit parser, plus one stricter rule on -1):

* the name is one of ``ULIMIT_NAMES`` (Docker refuses ``as`` and anything else);
* Soft and Hard are integers; ``-1`` means unlimited (RLIM_INFINITY), any other
  negative number is refused;
* Soft <= Hard, where ``-1`` counts as infinity (so ``-1:1024`` is refused: the
  kernel would refuse it when a container starts);
* ``nofile`` is never ``-1``: dockerd accepts it, but the kernel caps open files
  at ``fs.nr_open`` and refuses infinity, so no container could start.
"""

from __future__ import annotations

import re

from ansible_collections.hardening.docker.plugins.module_utils._type_names import plain, type_name

ULIMIT_NAMES = (
    'core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice',
    'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack',
)

UNLIMITED = -1

# Below 3 a container's first process cannot even hold stdin, stdout and
# stderr; dockerd accepts such a value and every container then fails.
MIN_NOFILE = 3

_INT_RE = re.compile(r'^\s*(-?\d+)\s*$')


class UlimitError(ValueError):
    """A ulimit value that dockerd would refuse (or that would break containers)."""


def _quote(value):
    return repr(plain(value))


def _check_name(name):
    if not isinstance(name, str) or name not in ULIMIT_NAMES:
        raise UlimitError(
            'unknown ulimit name %s; accepted names: %s' % (_quote(name), ', '.join(ULIMIT_NAMES)))


def parse_limit(name, which, value):
    """Return one limit (soft or hard) of ulimit ``name`` as an int.

    Accepts an int, a decimal string, ``-1``, ``unlimited`` or ``infinity``.
    """
    if isinstance(value, bool):
        raise UlimitError('%s %s limit must be an integer, got boolean %s' % (name, which, _quote(value)))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        text = value.strip().lower()
        if text in ('unlimited', 'infinity'):
            number = UNLIMITED
        else:
            match = _INT_RE.match(text)
            if not match:
                raise UlimitError('%s %s limit must be an integer (or -1/unlimited), got %s' % (name, which, _quote(value)))
            number = int(match.group(1))
    else:
        raise UlimitError('%s %s limit must be an integer, got %s %s' % (name, which, type_name(value), _quote(value)))
    if number < UNLIMITED:
        raise UlimitError('%s %s limit must be >= 0 (or -1 for unlimited), got %s' % (name, which, _quote(value)))
    if number > 2 ** 63 - 1:
        raise UlimitError('%s %s limit is larger than a 64-bit integer: %s' % (name, which, _quote(value)))
    return number


def _as_infinity(number):
    return float('inf') if number == UNLIMITED else number


def check_order(name, soft, hard):
    """Refuse soft > hard (-1 being unlimited)."""
    if _as_infinity(soft) > _as_infinity(hard):
        raise UlimitError(
            'ulimit %s: soft limit must be less than or equal to hard limit, got soft=%s hard=%s'
            % (name, soft, hard))


def check_bounded(name, soft, hard):
    """Refuse an unlimited nofile, which the kernel refuses when a container starts, and one too small to start."""
    if name == 'nofile' and UNLIMITED in (soft, hard):
        raise UlimitError(
            'ulimit nofile cannot be unlimited (-1): the kernel caps open files at fs.nr_open (1048576 by default) '
            'and refuses infinity, so every container would fail to start; give a number, for example 1024:8192')
    if name == 'nofile' and min(soft, hard) < MIN_NOFILE:
        raise UlimitError(
            'ulimit nofile must be at least %d (stdin, stdout and stderr), got soft=%s hard=%s: no container could '
            'start; give a number such as 1024:8192' % (MIN_NOFILE, soft, hard))


def make_entry(name, soft, hard):
    """Return daemon.json's entry for one ulimit, validated."""
    _check_name(name)
    soft = parse_limit(name, 'soft', soft)
    hard = parse_limit(name, 'hard', hard)
    check_order(name, soft, hard)
    check_bounded(name, soft, hard)
    return {'Name': name, 'Soft': soft, 'Hard': hard}


def _split_pair(name, text):
    """``"1024:4096"`` -> (soft, hard); ``"2048"`` -> (2048, 2048)."""
    parts = text.split(':')
    if len(parts) == 1:
        return parts[0], parts[0]
    if len(parts) == 2:
        return parts[0], parts[1]
    raise UlimitError('ulimit %s: too many values in %s, expected soft[:hard]' % (name, _quote(text)))


def parse_spec_string(text):
    """``"nofile=1024:4096"`` -> ``('nofile', entry)`` (Docker's --default-ulimit syntax)."""
    if not isinstance(text, str):
        raise UlimitError('expected a string like "nofile=1024:4096", got %s %s' % (type_name(text), _quote(text)))
    name, sep, rest = text.partition('=')
    name = name.strip()
    if not sep or not name:
        raise UlimitError('expected name=soft[:hard] (for example "nofile=1024:4096"), got %s' % _quote(text))
    _check_name(name)
    soft, hard = _split_pair(name, rest.strip())
    return name, make_entry(name, soft, hard)


def _entry_from_value(name, value):
    """One value of the dict input form."""
    if isinstance(value, dict):
        lowered = {}
        for key, item in value.items():
            if not isinstance(key, str) or key.lower() not in ('soft', 'hard', 'name'):
                raise UlimitError('ulimit %s: unexpected field %s, expected soft and hard' % (name, _quote(key)))
            lowered[key.lower()] = item
        if 'name' in lowered and lowered['name'] != name:
            raise UlimitError('ulimit %s: Name %s does not match its key %s' % (name, _quote(lowered['name']), _quote(name)))
        if 'soft' not in lowered and 'hard' not in lowered:
            raise UlimitError('ulimit %s: give soft and/or hard, got %s' % (name, _quote(value)))
        soft = lowered.get('soft', lowered.get('hard'))
        hard = lowered.get('hard', lowered.get('soft'))
        return make_entry(name, soft, hard)
    if isinstance(value, str):
        soft, hard = _split_pair(name, value.strip())
        return make_entry(name, soft, hard)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return make_entry(name, value, value)
    raise UlimitError(
        'ulimit %s: expected {soft: N, hard: N}, "soft:hard" or an integer, got %s %s'
        % (name, type_name(value), _quote(value)))


def normalize_ulimits(data):
    """Turn any accepted input form into daemon.json's ``default-ulimits`` dict.

    Accepted: ``{nofile: {soft: 1024, hard: 4096}}``, ``{nofile: "1024:4096"}``,
    ``{nofile: 2048}``, ``"nofile=1024:4096"`` or a list of such strings (or of
    such dicts). The output keeps the order of the input.
    """
    result = {}
    if isinstance(data, str):
        items = [data]
    elif isinstance(data, dict):
        items = [data]
    elif isinstance(data, (list, tuple)):
        items = list(data)
    else:
        raise UlimitError('expected a dict, a "name=soft:hard" string or a list of them, got %s %s'
                          % (type_name(data), _quote(data)))
    for item in items:
        if isinstance(item, str):
            name, entry = parse_spec_string(item)
            if name in result and result[name] != entry:
                raise UlimitError('ulimit %s given twice with different values' % name)
            result[name] = entry
        elif isinstance(item, dict):
            for name, value in item.items():
                _check_name(name)
                entry = _entry_from_value(name, value)
                if name in result and result[name] != entry:
                    raise UlimitError('ulimit %s given twice with different values' % name)
                result[name] = entry
        else:
            raise UlimitError('list items must be "name=soft:hard" strings or dicts, got %s %s'
                              % (type_name(item), _quote(item)))
    return result


def _strict_int(name, field, value):
    if isinstance(value, bool) or not isinstance(value, int):
        raise UlimitError('ulimit %s: %s must be an integer, got %s %s' % (name, field, type_name(value), _quote(value)))
    if value < UNLIMITED:
        raise UlimitError('ulimit %s: %s must be >= 0 (or -1 for unlimited), got %s' % (name, field, value))
    return value


def validate_daemon_ulimits(value):
    """Validate daemon.json's exact ``default-ulimits`` form; raise UlimitError on the first problem."""
    if not isinstance(value, dict):
        raise UlimitError('expected a mapping of ulimit name to {Name, Soft, Hard}, got %s %s'
                          % (type_name(value), _quote(value)))
    for name, entry in value.items():
        _check_name(name)
        if not isinstance(entry, dict):
            raise UlimitError('ulimit %s: expected {"Name": %s, "Soft": N, "Hard": N}, got %s'
                              % (name, _quote(name), _quote(entry)))
        keys = set(entry)
        expected = {'Name', 'Soft', 'Hard'}
        if keys != expected:
            missing = sorted(expected - keys)
            extra = sorted(str(k) for k in keys - expected)
            parts = []
            if missing:
                parts.append('missing %s' % ', '.join(missing))
            if extra:
                parts.append('unexpected %s' % ', '.join(extra))
            raise UlimitError('ulimit %s: fields must be exactly Name, Soft, Hard (%s), got %s'
                              % (name, '; '.join(parts), _quote(entry)))
        if entry['Name'] != name:
            raise UlimitError('ulimit %s: Name %s must equal its key %s' % (name, _quote(entry['Name']), _quote(name)))
        soft = _strict_int(name, 'Soft', entry['Soft'])
        hard = _strict_int(name, 'Hard', entry['Hard'])
        check_order(name, soft, hard)
        check_bounded(name, soft, hard)
    return value
