# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""daemon.json as a set of owned keys: parse, merge, remove, render (pure functions).

* Keys that a run does not name keep their value and their position.
* A key set to a new value keeps its position; a new key goes to the end.
* Values compare by JSON equality (``true`` is not ``1``; object key order
  does not matter), so setting a key to the value it has is not a change.
"""

from __future__ import annotations

import hashlib
import json
import os
import re


class DaemonJsonError(ValueError):
    """The existing file cannot be used (not JSON, or not a JSON object)."""


_BOM = '\ufeff'

# dockerd's own configuration is at most a few levels deep (log-opts,
# default-address-pools); a deeper file is a mistake, and Python's parser
# would stop on its recursion limit (about 1000 levels) with a traceback.
MAX_DEPTH = 64


def nesting_depth(text):
    """Deepest nesting of JSON arrays and objects in ``text`` (brackets inside strings do not count)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == '\\':
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in '[{':
            depth += 1
            deepest = max(deepest, depth)
        elif char in ']}':
            depth -= 1
    return deepest


def parse_daemon_json(text, path='daemon.json'):
    """Parse the text of daemon.json.

    Returns ``(config, duplicate_keys)``: the top-level object as an ordered
    dict, and the top-level keys that appear more than once (the last value
    wins, as with dockerd). An empty (or whitespace-only) file is ``{}``.
    Raises DaemonJsonError naming ``path`` and the position of the error.
    """
    if text.startswith(_BOM):
        text = text[len(_BOM):]
    if not text.strip():
        return {}, []

    deepest = nesting_depth(text)
    if deepest > MAX_DEPTH:
        raise DaemonJsonError(
            '%s is nested %d levels deep, more than the %d any dockerd option needs; fix or remove the file, '
            'it was left untouched' % (path, deepest, MAX_DEPTH))

    depth = {'top': None}

    def pairs_hook(pairs):
        result = {}
        seen = set()
        dups = []
        for key, value in pairs:
            if key in seen:
                dups.append(key)
            seen.add(key)
            result[key] = value
        depth['top'] = dups
        return result

    try:
        value = json.loads(text, object_pairs_hook=pairs_hook)
    except json.JSONDecodeError as exc:
        raise DaemonJsonError(
            '%s is not valid JSON: %s at line %s column %s (char %s); fix or remove the file, '
            'it was left untouched' % (path, exc.msg, exc.lineno, exc.colno, exc.pos))
    except ValueError as exc:
        raise DaemonJsonError('%s is not valid JSON: %s; it was left untouched' % (path, exc))
    except RuntimeError:  # RecursionError; the pre-scan above should make this unreachable
        raise DaemonJsonError('%s is nested too deep to parse; fix or remove the file, it was left untouched' % path)
    if not isinstance(value, dict):
        raise DaemonJsonError(
            '%s must hold a JSON object ({...}) at the top level, found %s; it was left untouched'
            % (path, _json_type(value)))
    # the outermost object is the last one the hook sees
    duplicates = depth['top'] or []
    return value, sorted(set(duplicates))


def read_daemon_json(path):
    """The file as dockerd would read it: ``(text or None, config, duplicate_keys)``.

    The one reader of daemon.json on the host (M(hardening.docker.daemon_config)
    and M(hardening.docker.dockerd_facts)): a missing file is ``(None, {}, [])``;
    a directory, an unreadable file, text that is not UTF-8 or not a JSON object
    raises DaemonJsonError naming the file (and the position).
    """
    if os.path.isdir(path):
        raise DaemonJsonError('path %s is a directory; give the path of the daemon.json file' % path)
    if not os.path.exists(path):
        return None, {}, []
    try:
        with open(path, 'rb') as handle:
            raw = handle.read()
    except (IOError, OSError) as exc:
        raise DaemonJsonError('cannot read %s: %s' % (path, exc))
    try:
        text = raw.decode('utf-8')
    except UnicodeDecodeError as exc:
        raise DaemonJsonError('%s is not UTF-8 text (byte %d); it was left untouched' % (path, exc.start))
    config, duplicates = parse_daemon_json(text, path)
    return text, config, duplicates


def content_digest(path, text):
    """The file's path and the SHA-256 of its text (V(absent) when there is no file).

    Every call that reads or writes daemon.json leaves it in the host's facts
    (``hardening_docker_daemon_json``): a reading of the host taken with the
    same digest is still current.
    """
    digest = 'absent' if text is None else hashlib.sha256(text.encode('utf-8', 'surrogateescape')).hexdigest()
    return dict(path=path, sha256=digest)


def _json_type(value):
    if value is None:
        return 'null'
    if isinstance(value, bool):
        return 'a boolean'
    if isinstance(value, (int, float)):
        return 'a number'
    if isinstance(value, str):
        return 'a string'
    if isinstance(value, list):
        return 'an array'
    return 'an object'


def json_equal(left, right):
    """Equality of two JSON values: types matter (``true != 1``), object key order does not."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return left == right
    if isinstance(left, str) or isinstance(right, str):
        return isinstance(left, str) and isinstance(right, str) and left == right
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
        return len(left) == len(right) and all(json_equal(a, b) for a, b in zip(left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        if set(left) != set(right):
            return False
        return all(json_equal(left[key], right[key]) for key in left)
    return False


class MergeResult(object):
    """Outcome of :func:`merge`."""

    def __init__(self, config, added, modified, removed):
        self.config = config
        self.added = added
        self.modified = modified
        self.removed = removed

    @property
    def changed_keys(self):
        return sorted(set(self.added) | set(self.modified) | set(self.removed))

    @property
    def changed(self):
        return bool(self.added or self.modified or self.removed)


def merge(current, settings=None, absent=None):
    """Apply ``settings`` (keys to be present) and ``absent`` (keys to remove) to ``current``.

    ``current`` is not modified. Returns a MergeResult whose ``config`` keeps
    the order of ``current``; new keys are appended in the order of ``settings``.
    """
    settings = settings or {}
    absent = absent or []
    overlap = sorted(set(settings) & set(absent))
    if overlap:
        raise ValueError('keys both in settings and in absent: %s' % ', '.join(overlap))

    config = {}
    added, modified, removed = [], [], []
    for key, value in current.items():
        if key in absent:
            removed.append(key)
            continue
        if key in settings and not json_equal(value, settings[key]):
            config[key] = settings[key]
            modified.append(key)
        else:
            config[key] = value
    for key, value in settings.items():
        if key not in current:
            config[key] = value
            added.append(key)
    return MergeResult(config, added, modified, removed)


# user:password@ in a URL (a proxy or registry mirror with credentials). Greedy
# up to the last "@" before the path, whitespace or a closing quote, so that an
# unencoded "@" inside the password is covered too. It also runs over whole file
# texts (diffs of daemon.json and of /etc/default/docker).
_URL_CREDENTIALS = re.compile(r'(?<=://)[^/\s"\']*@')


def redact(value):
    """``value`` with the credentials of any URL in it replaced, for output and reports."""
    if isinstance(value, str):
        return _URL_CREDENTIALS.sub('***@', value)
    if isinstance(value, list):
        return [redact(item) for item in value]
    if isinstance(value, dict):
        return dict((key, redact(item)) for key, item in value.items())
    return value


def overrides(current, result, source):
    """The operator's values a merge replaced or removed: one entry per key, credentials redacted."""
    out = []
    for key in sorted(set(result.modified) | set(result.removed)):
        out.append(dict(source=source, setting=key, was=redact(current[key]),
                        now=redact(result.config[key]) if key in result.config else '(removed)'))
    return out


def render(config):
    """The text written to disk: 2-space indent, UTF-8 kept as is, trailing newline."""
    return json.dumps(config, indent=2, ensure_ascii=False) + '\n'
