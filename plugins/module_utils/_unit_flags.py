# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The effective ``ExecStart`` of a systemd unit and its drop-ins, and dockerd flag -> daemon.json key.

What is modelled of systemd (systemd.unit(5), systemd.service(5), systemd.exec(5)):

* the unit file is the first ``<unit>`` found in the search paths, which are
  given highest priority first (``/etc`` > ``/run`` > ``/usr/lib`` | ``/lib``);
* drop-ins are ``<unit>.d/*.conf`` in all search paths; a drop-in masks any
  drop-in of the same file name in a lower-priority directory; all are applied
  after the unit file in lexical order of their file names;
* ``ExecStart=`` with an empty value resets the list; prefixes ``@-:+!`` are
  understood; lines ending in a backslash continue on the next line;
* ``Environment=`` (quoted assignments) and ``EnvironmentFile=`` (``-`` prefix:
  optional) build the environment, files overriding ``Environment=``; an empty
  value resets each list;
* ``$VAR`` as a word of its own expands to zero or more words (split at
  whitespace), ``${VAR}`` expands inside a word, ``$$`` is a literal ``$``.

Not modelled: unit templates, ``service.d`` type-wide drop-ins, specifiers
other than ``%%``.
"""

from __future__ import annotations

import os
import re

DEFAULT_UNIT_SEARCH_PATHS = (
    '/etc/systemd/system',
    '/run/systemd/system',
    '/usr/lib/systemd/system',
    '/lib/systemd/system',
)

# dockerd's short flags
SHORT_FLAGS = {
    'D': 'debug',
    'G': 'group',
    'H': 'host',
    'b': 'bridge',
    'g': 'graph',
    'h': 'help',
    'l': 'log-level',
    'p': 'pidfile',
    's': 'storage-driver',
    'v': 'version',
}

# flags that take no separate value (`--icc false` is NOT how pflag reads booleans)
BOOL_FLAGS = frozenset((
    'allow-direct-routing', 'cri-containerd', 'debug', 'experimental', 'help', 'icc', 'init',
    'ip-forward', 'ip-masq', 'ip6tables', 'iptables', 'ipv6', 'live-restore', 'no-new-privileges',
    'raw-logs', 'rootless', 'selinux-enabled', 'tls', 'tlsverify', 'userland-proxy', 'validate',
    'version',
))

# flags whose daemon.json key is not the flag name
FLAG_KEYS = {
    'add-runtime': 'runtimes',
    'authorization-plugin': 'authorization-plugins',
    'cdi-spec-dir': 'cdi-spec-dirs',
    'default-address-pool': 'default-address-pools',
    'default-network-opt': 'default-network-opts',
    'default-ulimit': 'default-ulimits',
    'dns-opt': 'dns-opts',
    'exec-opt': 'exec-opts',
    'graph': 'data-root',
    'host': 'hosts',
    'http-proxy': 'proxies',
    'https-proxy': 'proxies',
    'insecure-registry': 'insecure-registries',
    'label': 'labels',
    'log-opt': 'log-opts',
    'no-proxy': 'proxies',
    'node-generic-resource': 'node-generic-resources',
    'registry-mirror': 'registry-mirrors',
    'storage-opt': 'storage-opts',
}

# flags with no daemon.json counterpart
NON_CONFIG_FLAGS = frozenset(('config-file', 'help', 'validate', 'version'))

_ENV_NAME = r'[A-Za-z_][A-Za-z0-9_]*'
_WHOLE_VAR_RE = re.compile(r'^\$(%s)$' % _ENV_NAME)
_ENV_REF_RE = re.compile(r'^\$(\{%s\}|%s)$' % (_ENV_NAME, _ENV_NAME))
_VALID_NAME_RE = re.compile(r'^%s$' % _ENV_NAME)
_EXEC_PREFIX_CHARS = '@-:+!'

_ESCAPES = {
    'a': '\a', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t', 'v': '\v',
    '\\': '\\', '"': '"', "'": "'", 's': ' ',
}


class UnitError(Exception):
    """A unit that cannot be used as asked."""


class Token(object):
    """One word of a command line: ``raw`` as written, ``value`` after unquoting."""

    def __init__(self, raw, value):
        self.raw = raw
        self.value = value

    @property
    def is_env_ref(self):
        """The word is only a variable reference ($VAR or ${VAR})."""
        return bool(_ENV_REF_RE.match(self.value))

    def __repr__(self):
        return 'Token(%r)' % self.raw


def split_words(text):
    """Split like systemd: whitespace separates, "..." and '...' quote, C escapes; keeps raw text."""
    tokens = []
    i = 0
    length = len(text)
    while i < length:
        while i < length and text[i].isspace():
            i += 1
        if i >= length:
            break
        start = i
        value = []
        quote = None
        while i < length:
            char = text[i]
            if quote:
                if char == quote:
                    quote = None
                    i += 1
                    continue
                if char == '\\' and quote == '"' and i + 1 < length:
                    nxt = text[i + 1]
                    value.append(_ESCAPES.get(nxt, '\\' + nxt))
                    i += 2
                    continue
                value.append(char)
                i += 1
                continue
            if char.isspace():
                break
            if char in ('"', "'"):
                quote = char
                i += 1
                continue
            if char == '\\' and i + 1 < length:
                nxt = text[i + 1]
                value.append(_ESCAPES.get(nxt, nxt))
                i += 2
                continue
            value.append(char)
            i += 1
        if quote:
            raise UnitError('unterminated %s quote in: %s' % (quote, text))
        tokens.append(Token(text[start:i], ''.join(value).replace('%%', '%')))
    return tokens


def parse_unit_text(text):
    """Return ``[(section, key, value, lineno)]`` of a unit file, continuation lines joined."""
    entries = []
    section = None
    buf = None
    start = 0
    for lineno, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if buf is None:
            if not stripped or stripped[0] in '#;':
                continue
            start = lineno
            current = stripped
        else:
            if stripped[:1] in ('#', ';'):
                continue
            current = buf + stripped
        if current.endswith('\\'):
            buf = current[:-1] + ' '
            continue
        buf = None
        if current.startswith('['):
            end = current.find(']')
            section = current[1:end] if end > 0 else None
            continue
        if '=' not in current:
            continue
        key, _sep, value = current.partition('=')
        entries.append((section, key.strip(), value.strip(), start))
    if buf is not None:
        key, _sep, value = buf.strip().partition('=')
        if _sep:
            entries.append((section, key.strip(), value.strip(), start))
    return entries


def parse_env_file(text):
    """Parse an EnvironmentFile: KEY=VALUE lines, # and ; comments, quotes, continuation lines."""
    result = []
    buf = None
    for line in text.splitlines():
        if buf is not None:
            line = buf + line
            buf = None
        stripped = line.strip()
        if not stripped or stripped[0] in '#;':
            continue
        if stripped.endswith('\\') and not stripped.endswith('\\\\'):
            buf = stripped[:-1]
            continue
        if stripped.startswith('export '):
            stripped = stripped[len('export '):].lstrip()
        name, sep, value = stripped.partition('=')
        name = name.strip()
        if not sep or not _VALID_NAME_RE.match(name):
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in ('"', "'"):
            inner = value[1:-1]
            if value[0] == '"':
                inner = re.sub(r'\\(.)', r'\1', inner)
            value = inner
        result.append((name, value))
    return result


def _read(path):
    with open(path, 'rb') as handle:
        return handle.read().decode('utf-8', errors='replace')


def find_unit_file(unit, search_paths):
    """The unit file systemd loads: the first ``<unit>`` in the search paths (highest priority first)."""
    for directory in search_paths:
        candidate = os.path.join(directory, unit)
        if os.path.isfile(candidate) or os.path.islink(candidate):
            return candidate
    return None


def find_dropins(unit, search_paths, exclude=()):
    """Drop-ins of ``unit`` in application order; same-name files in lower-priority dirs are masked.

    Paths in ``exclude`` are treated as if they did not exist (a same-name
    drop-in in a lower-priority directory then becomes visible).
    """
    excluded = set(os.path.abspath(p) for p in exclude)
    chosen = {}
    for directory in search_paths:
        dropin_dir = os.path.join(directory, unit + '.d')
        if not os.path.isdir(dropin_dir):
            continue
        for name in os.listdir(dropin_dir):
            if not name.endswith('.conf') or name in chosen:
                continue
            path = os.path.join(dropin_dir, name)
            if os.path.abspath(path) in excluded:
                continue
            if os.path.isfile(path) or os.path.islink(path):
                chosen[name] = path
    return [chosen[name] for name in sorted(chosen)]


class ExecStart(object):
    """One effective ``ExecStart=`` line."""

    def __init__(self, source, lineno, text):
        self.source = source
        self.lineno = lineno
        self.text = text
        stripped = text.lstrip()
        prefix_len = 0
        while prefix_len < len(stripped) and stripped[prefix_len] in _EXEC_PREFIX_CHARS:
            prefix_len += 1
        self.prefix = stripped[:prefix_len]
        self.tokens = split_words(stripped[prefix_len:])
        if not self.tokens:
            raise UnitError('%s line %d: ExecStart= has no command' % (source, lineno))
        # with "@", the second word is argv[0] as the process sees it, not an argument
        self.argv0_alias = self.tokens[1] if '@' in self.prefix and len(self.tokens) > 1 else None
        self.binary = self.tokens[0]
        self.args = self.tokens[2:] if self.argv0_alias is not None else self.tokens[1:]

    def render(self, args=None):
        """The command line with ``args`` (Tokens) in place of the current arguments."""
        words = [self.binary.raw]
        if self.argv0_alias is not None:
            words.append(self.argv0_alias.raw)
        words.extend(token.raw for token in (self.args if args is None else args))
        return self.prefix + ' '.join(words)

    @property
    def where(self):
        return '%s line %d' % (self.source, self.lineno)


class ServiceConfig(object):
    """What the unit and its drop-ins say about how the service starts."""

    def __init__(self, unit):
        self.unit = unit
        self.unit_path = None
        self.dropins = []
        self.exec_start = []
        self.environment = {}      # name -> (value, where it was set)
        self.environment_files = {}  # name -> EnvironmentFile that set its final value
        self.environment_file_paths = []  # every EnvironmentFile named, read or not
        self.warnings = []

    @property
    def found(self):
        return self.unit_path is not None

    def expand(self, entry):
        """Expanded arguments of an ExecStart entry: ``[(arg, origin)]``.

        ``origin`` is None for a literal word, else ``(variable, where it was set)``.
        """
        result = []
        for token in entry.args:
            match = _WHOLE_VAR_RE.match(token.value)
            if match:
                name = match.group(1)
                if name not in self.environment:
                    continue
                value, where = self.environment[name]
                try:
                    words = split_words(value)
                except UnitError:
                    words = [Token(w, w) for w in value.split()]
                for word in words:
                    result.append((word.value, (name, where)))
                continue
            origin = None
            if '$' in token.value:
                names = re.findall(r'\$\{(%s)\}' % _ENV_NAME, token.value)
                known = [n for n in names if n in self.environment]
                if known:
                    origin = (known[0], self.environment[known[0]][1])
                value = re.sub(
                    r'\$\$|\$\{(%s)\}' % _ENV_NAME,
                    lambda m: '$' if m.group(0) == '$$' else self.environment.get(m.group(1), ('', None))[0],
                    token.value)
            else:
                value = token.value
            result.append((value, origin))
        return result


def load_service(unit, search_paths=DEFAULT_UNIT_SEARCH_PATHS, exclude=()):
    """Read ``unit`` and its drop-ins; return a ServiceConfig (``found`` False when there is no unit)."""
    service = ServiceConfig(unit)
    service.unit_path = find_unit_file(unit, search_paths)
    service.dropins = find_dropins(unit, search_paths, exclude=exclude)
    files = ([service.unit_path] if service.unit_path else []) + service.dropins
    if not service.unit_path:
        return service

    assignments = []
    env_files = []
    for path in files:
        try:
            text = _read(path)
        except (IOError, OSError) as exc:
            raise UnitError('cannot read %s: %s' % (path, exc))
        for section, key, value, lineno in parse_unit_text(text):
            if section != 'Service':
                continue
            where = '%s line %d' % (path, lineno)
            if key == 'ExecStart':
                if value == '':
                    service.exec_start = []
                else:
                    service.exec_start.append(ExecStart(path, lineno, value))
            elif key == 'Environment':
                if value == '':
                    assignments = []
                    continue
                for word in split_words(value):
                    name, sep, val = word.value.partition('=')
                    if sep and _VALID_NAME_RE.match(name):
                        assignments.append((name, val, where))
            elif key == 'EnvironmentFile':
                if value == '':
                    env_files = []
                    continue
                optional = value.startswith('-')
                env_files.append((value[1:] if optional else value, optional, where))

    service.environment_file_paths = [env_path for env_path, _optional, _where in env_files]
    for name, val, where in assignments:
        service.environment[name] = (val, where)
    for env_path, optional, where in env_files:
        try:
            text = _read(env_path)
        except (IOError, OSError) as exc:
            if not optional:
                service.warnings.append(
                    'EnvironmentFile %s (%s) cannot be read (%s); its variables were not expanded'
                    % (env_path, where, exc.strerror or exc))
            continue
        for name, val in parse_env_file(text):
            service.environment[name] = (val, env_path)
            service.environment_files[name] = env_path
    return service


class Flag(object):
    """One dockerd flag found in an argument list."""

    def __init__(self, name, value, start, end, text):
        self.name = name          # long name without dashes ("host")
        self.value = value        # None for a bare boolean flag
        self.start = start        # index of the first argument of the flag
        self.end = end            # index after its last argument
        self.text = text          # as written, e.g. "-H fd://"

    @property
    def key(self):
        return flag_to_key(self.name)


def flag_to_key(name):
    """daemon.json key that a dockerd flag sets, or None when it has none."""
    if name in NON_CONFIG_FLAGS:
        return None
    return FLAG_KEYS.get(name, name)


def parse_flags(args):
    """Parse dockerd arguments (without the binary) as pflag does; returns a list of Flag.

    Words that are not flags (and flags after ``--``) are skipped.
    """
    flags = []
    i = 0
    count = len(args)
    while i < count:
        arg = args[i]
        if arg == '--':
            break
        if arg.startswith('--') and len(arg) > 2:
            name, sep, value = arg[2:].partition('=')
            if sep:
                flags.append(Flag(name, value, i, i + 1, arg))
            elif name in BOOL_FLAGS or i + 1 >= count:
                flags.append(Flag(name, None, i, i + 1, arg))
            else:
                flags.append(Flag(name, args[i + 1], i, i + 2, '%s %s' % (arg, args[i + 1])))
                i += 1
            i += 1
            continue
        if arg.startswith('-') and len(arg) > 1:
            # a group of short flags: booleans first, then at most one that takes a value
            letters = arg[1:]
            pos = 0
            consumed_next = False
            while pos < len(letters):
                letter = letters[pos]
                name = SHORT_FLAGS.get(letter, letter)
                rest = letters[pos + 1:]
                if name in BOOL_FLAGS:
                    if rest.startswith('='):
                        flags.append(Flag(name, rest[1:], i, i + 1, arg))
                        break
                    flags.append(Flag(name, None, i, i + 1, arg))
                    pos += 1
                    continue
                if rest:
                    flags.append(Flag(name, rest[1:] if rest.startswith('=') else rest, i, i + 1, arg))
                elif i + 1 < count:
                    flags.append(Flag(name, args[i + 1], i, i + 2, '%s %s' % (arg, args[i + 1])))
                    consumed_next = True
                else:
                    flags.append(Flag(name, None, i, i + 1, arg))
                break
            i += 2 if consumed_next else 1
            continue
        i += 1
    return flags


class FlagUse(object):
    """A dockerd flag that sets a daemon.json key, and where it comes from."""

    def __init__(self, key, flag, entry, origin):
        self.key = key
        self.flag = flag
        self.entry = entry
        self.origin = origin

    def describe(self):
        text = "flag '%s' in ExecStart of %s" % (self.flag, self.entry.where)
        if self.origin:
            text += ' (from $%s, set in %s)' % (self.origin[0], self.origin[1])
        return text


def flag_uses(service):
    """Every dockerd flag of the effective ExecStart that sets a daemon.json key: ``[FlagUse]``."""
    uses = []
    for entry in service.exec_start:
        expanded = service.expand(entry)
        args = [arg for arg, _origin in expanded]
        for flag in parse_flags(args):
            key = flag.key
            if key is None:
                continue
            origin = None
            for index in range(flag.start, flag.end):
                if expanded[index][1]:
                    origin = expanded[index][1]
                    break
            uses.append(FlagUse(key, flag.text, entry, origin))
    return uses


def config_file_flags(service):
    """Values of ``--config-file`` in the effective ExecStart."""
    result = []
    for entry in service.exec_start:
        args = [arg for arg, _origin in service.expand(entry)]
        result.extend(flag.value for flag in parse_flags(args) if flag.name == 'config-file' and flag.value)
    return result


def strip_host_args(entry, keep_env_args=True):
    """Arguments of ``entry`` (Tokens) without ``-H``/``--host`` flags and stray ``fd://`` words.

    With ``keep_env_args`` False, words that are only a variable reference
    (``$DOCKER_OPTS``, ``${DOCKER_OPTS}``) are dropped as well.
    """
    tokens = entry.args
    values = [token.value for token in tokens]
    drop = set()
    for flag in parse_flags(values):
        if flag.name == 'host':
            drop.update(range(flag.start, flag.end))
    kept = []
    for index, token in enumerate(tokens):
        if index in drop:
            continue
        if token.value.startswith('fd://'):
            continue
        if not keep_env_args and token.is_env_ref:
            continue
        kept.append(token)
    return kept
