# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Remove dockerd's -H flags from a variable of an EnvironmentFile.

Debian's docker.service runs ``dockerd -H fd:// ... $DOCKER_OPTS`` with
``EnvironmentFile=-/etc/default/docker``; operators put
``DOCKER_OPTS="-H tcp://0.0.0.0:2375"`` there. The listeners move to
daemon.json "hosts", so the flags must leave the variable (dockerd refuses an
option given both ways), while its other options stay as the operator wrote
them. Pure functions, no Ansible imports.
"""

from __future__ import annotations

import re

from ansible_collections.hardening.docker.plugins.module_utils._unit_flags import (
    UnitError,
    parse_flags,
    split_words,
)

_ASSIGNMENT_RE = re.compile(r'^(?P<lead>\s*(?:export\s+)?)(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*=(?P<value>.*)$')


def _unquote(value):
    """The value as parse_env_file reads it, and the quote it was written with ('' for none)."""
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in ('"', "'"):
        inner = value[1:-1]
        if value[0] == '"':
            inner = re.sub(r'\\(.)', r'\1', inner)
        return inner, value[0]
    return value, ''


def _quote(text, quote):
    if quote == "'" and "'" not in text:
        return "'%s'" % text
    if quote or re.search(r'[\s"\'\\]', text):
        return '"%s"' % text.replace('\\', '\\\\').replace('"', '\\"')
    return text


def _without_host_flags(value):
    """(remaining words as one string, removed flags) for one variable value."""
    tokens = split_words(value)
    values = [token.value for token in tokens]
    drop = set()
    removed = []
    for flag in parse_flags(values):
        if flag.name == 'host':
            drop.update(range(flag.start, flag.end))
            removed.append(flag.text)
    for index, token in enumerate(tokens):
        # a bare fd:// is the value of a -H split from its flag
        if index not in drop and token.value.startswith('fd://'):
            drop.add(index)
            removed.append(token.value)
    kept = [token.raw for index, token in enumerate(tokens) if index not in drop]
    return ' '.join(kept), removed


def strip_env_host_flags(text, name):
    """Return ``(new_text, removed)``: ``text`` with -H/--host flags removed from variable ``name``.

    Every assignment of ``name`` is rewritten (the last one is the value
    systemd uses); other lines stay byte for byte. Raises UnitError on an
    assignment continued on the next line, which this does not rewrite.
    """
    lines = text.splitlines(True)
    removed = []
    out = []
    for number, line in enumerate(lines, start=1):
        body = line.rstrip('\r\n')
        ending = line[len(body):]
        stripped = body.strip()
        match = _ASSIGNMENT_RE.match(body)
        if not stripped or stripped[0] in '#;' or not match or match.group('name') != name:
            out.append(line)
            continue
        if stripped.endswith('\\') and not stripped.endswith('\\\\'):
            raise UnitError('line %d assigns %s over several lines; remove its -H flags by hand' % (number, name))
        value, quote = _unquote(match.group('value'))
        kept, gone = _without_host_flags(value)
        if not gone:
            out.append(line)
            continue
        removed.extend(gone)
        out.append('%s%s=%s%s' % (match.group('lead'), name, _quote(kept, quote), ending))
    return ''.join(out), removed
