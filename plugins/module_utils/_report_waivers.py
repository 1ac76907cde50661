# -*- coding: utf-8 -*-
# Copyright: hardening.docker contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Waivers: accepted deviations, with a reason and an optional expiry date.

A waivers file is YAML (or JSON), either a list or a mapping with a
``waivers`` list, of entries::

    - id: "2.12"                 # control id, quoted
      reason: No authorization plugin is approved yet (TICKET-123)
      expires: 2026-06-30        # optional, YYYY-MM-DD; expired waivers never apply
      hosts: [web*, db01]        # optional, fnmatch patterns of inventory names

A waiver applies to a ``fail`` or ``manual`` result of a matching host and
control while it has not expired (it expires at the end of its ``expires``
day). A waived result is reported as waived, never as pass.
"""

from __future__ import annotations

import datetime
import fnmatch
import json

WAIVABLE = ('fail', 'manual')
ACTIVE = 'active'
EXPIRED = 'expired'


class WaiverError(ValueError):
    pass


def _yaml_loader():
    """PyYAML and its loader for waivers, or (None, None) without PyYAML.

    Imported here, when there is a waivers file to read, not with this module: the
    report module imports this module on every run and most runs have no waivers
    file, and PyYAML's import is a sizeable part of that module's start-up.
    """
    try:
        import yaml
    except ImportError:  # pragma: no cover - the controller always has PyYAML
        return None, None

    class _DatesAsTextLoader(yaml.SafeLoader):  # pylint: disable=too-many-ancestors
        """Safe YAML, but dates stay text: PyYAML raises a bare ValueError on 2026-02-30,
        which _parse_date turns into a message naming the waiver."""

    _DatesAsTextLoader.add_constructor(
        'tag:yaml.org,2002:timestamp', lambda loader, node: loader.construct_scalar(node))
    return yaml, _DatesAsTextLoader


def parse_waivers_text(text, source='waivers file'):
    """Parse YAML/JSON text into a list of raw waiver dicts."""
    if not text.strip():
        return []
    yaml, loader = _yaml_loader()
    if yaml is not None:
        try:
            data = yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader
        except yaml.YAMLError as exc:
            raise WaiverError('%s is not valid YAML: %s' % (source, exc))
    else:
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise WaiverError('%s: PyYAML is not installed and the file is not JSON: %s' % (source, exc))
    if data is None:
        return []
    if isinstance(data, dict) and 'waivers' in data:
        data = data['waivers']
    if not isinstance(data, list):
        raise WaiverError('%s must be a list of waivers (or a mapping with a "waivers" list)' % source)
    return data


def _parse_date(value, where):
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.datetime.strptime(str(value).strip(), '%Y-%m-%d').date()
    except ValueError:
        raise WaiverError('%s: expires must be a date YYYY-MM-DD, got %r' % (where, value))


def normalize_waivers(raw, today):
    """Validate raw waivers; return a list of dicts with ``state`` active/expired."""
    waivers = []
    problems = []
    for index, entry in enumerate(raw):
        where = 'waiver #%d' % (index + 1)
        if not isinstance(entry, dict):
            problems.append('%s must be a mapping' % where)
            continue
        unknown = sorted(set(entry) - {'id', 'reason', 'expires', 'hosts'})
        if unknown:
            problems.append('%s: unknown keys %s' % (where, ', '.join(unknown)))
        cid = entry.get('id')
        if isinstance(cid, float):
            problems.append('%s: id %r must be quoted (YAML reads 2.10 as the number 2.1)' % (where, cid))
            continue
        if not isinstance(cid, str) or not cid.strip():
            problems.append('%s: id is required (a string such as "2.2" or "HD-1")' % where)
            continue
        where = 'waiver %s' % cid
        reason = entry.get('reason')
        if not isinstance(reason, str) or not reason.strip():
            problems.append('%s: reason is required' % where)
            continue
        hosts = entry.get('hosts')
        if hosts is not None and (not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts)):
            problems.append('%s: hosts must be a list of host names or patterns' % where)
            continue
        try:
            expires = _parse_date(entry.get('expires'), where)
        except WaiverError as exc:
            problems.append(str(exc))
            continue
        state = EXPIRED if expires is not None and expires < today else ACTIVE
        waivers.append({
            'id': cid.strip(),
            'reason': reason.strip(),
            'expires': expires.isoformat() if expires else None,
            'hosts': hosts,
            'state': state,
            'applied_to': [],
        })
    if problems:
        raise WaiverError('invalid waivers:\n  ' + '\n  '.join(problems))
    return waivers


def load_waivers(path, today):
    if not path:
        return []
    try:
        with open(path, 'rb') as handle:
            text = handle.read().decode('utf-8')
    except (IOError, OSError) as exc:
        raise WaiverError('cannot read waivers file %s: %s' % (path, exc))
    return normalize_waivers(parse_waivers_text(text, path), today)


def host_matches(waiver, host):
    if not waiver.get('hosts'):
        return True
    return any(fnmatch.fnmatchcase(host, pattern) for pattern in waiver['hosts'])


def find_waiver(waivers, host, control_id, state=ACTIVE):
    """First waiver of the given state matching (host, control_id), or None."""
    for waiver in waivers:
        if waiver['state'] == state and waiver['id'] == control_id and host_matches(waiver, host):
            return waiver
    return None
