# -*- coding: utf-8 -*-
# Copyright: hardening.docker contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Effective dockerd configuration: daemon.json merged with the unit's flags.

Pure functions only (no I/O), so recorded host states can be replayed in tests.
dockerd refuses to start when a directive is both a flag and a daemon.json key,
so a merge never silently prefers one side: such keys are reported as conflicts.
"""

from __future__ import annotations

from ansible_collections.hardening.docker.plugins.module_utils._unit_flags import (
    BOOL_FLAGS,
    flag_to_key,
    parse_flags as unit_parse_flags,
)

# daemon.json keys whose flag may repeat, and how repeated values combine
LIST_KEYS = frozenset(('hosts', 'insecure-registries', 'storage-opts', 'authorization-plugins', 'labels',
                       'registry-mirrors', 'exec-opts', 'dns', 'dns-opts', 'dns-search', 'cdi-spec-dirs',
                       'allow-nondistributable-artifacts', 'node-generic-resources'))
KV_KEYS = frozenset(('log-opts',))
ULIMIT_KEYS = frozenset(('default-ulimits',))
BOOL_KEYS = frozenset(flag_to_key(name) for name in BOOL_FLAGS if flag_to_key(name))

_TRUE = ('1', 't', 'true', 'yes', 'on')
_FALSE = ('0', 'f', 'false', 'no', 'off')


def to_bool(value):
    """Coerce daemon.json / flag booleans ("true", True, 1) to bool; None stays None."""
    if isinstance(value, bool) or value is None:
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return value


def is_unset(value):
    return value is None or value == '' or value == [] or value == {}


def _parse_ulimit(text):
    name, _sep, limits = text.partition('=')
    soft, _sep, hard = limits.partition(':')
    try:
        soft_v = int(soft)
        hard_v = int(hard) if hard else soft_v
    except ValueError:
        return name, {'Name': name, 'Raw': limits}
    return name, {'Name': name, 'Soft': soft_v, 'Hard': hard_v}


def parse_flags(argv):
    """Map the flags of a dockerd command line (``argv[0]`` is the binary) to daemon.json keys.

    Flag syntax (pflag: ``--flag=v``, ``--flag v``, ``-H v``, ``-Hv``, bare
    booleans) is read by ``_unit_flags.parse_flags``; values are then shaped as
    daemon.json holds them (lists, ``log-opts`` mapping, ``default-ulimits``).
    Returns ``(flags, config_file)``.
    """
    flags = {}
    config_file = None
    for flag in unit_parse_flags(list(argv[1:]) if argv else []):
        if flag.name == 'config-file':
            config_file = flag.value
            continue
        key = flag.key
        if key is None:
            continue
        value = flag.value
        if key in BOOL_KEYS:
            flags[key] = True if value is None else to_bool(value)
        elif key in LIST_KEYS:
            flags.setdefault(key, []).append(value)
        elif key in KV_KEYS:
            k, _sep, v = (value or '').partition('=')
            flags.setdefault(key, {})[k] = v
        elif key in ULIMIT_KEYS:
            uname, limit = _parse_ulimit(value or '')
            flags.setdefault(key, {})[uname] = limit
        else:
            flags[key] = value
    return flags, config_file


def effective_config(state):
    """Compute the effective configuration from a recorded host state.

    Returns a dict::

        {'ok': bool, 'error': str|None, 'config': {key: value},
         'sources': {key: 'daemon.json'|'flag'}, 'conflicts': [keys],
         'argv': [...], 'argv_source': 'unit'|'process'|None,
         'config_file_flag': str|None, 'daemon_json_path': str}

    ``argv`` is the unit's effective ExecStart with variables already expanded
    (``units['docker.service']['argv']``), else a running dockerd's command line.

    ``ok`` is False when daemon.json exists but cannot be parsed: its keys are
    then unknown and every decision that needs them must report an error.
    """
    dj = state.get('daemon_json') or {}
    unit = (state.get('units') or {}).get('docker.service') or {}
    process = state.get('process') or {}

    argv = None
    argv_source = None
    if unit.get('argv'):
        argv = list(unit['argv'])
        argv_source = 'unit'
    elif process.get('argv'):
        argv = list(process['argv'])
        argv_source = 'process'
    flags, config_file = parse_flags(argv or [])

    result = {
        'ok': True,
        'error': None,
        'config': {},
        'sources': {},
        'conflicts': [],
        'argv': argv,
        'argv_source': argv_source,
        'config_file_flag': config_file,
        'daemon_json_path': dj.get('path'),
    }

    content = None
    if dj.get('error'):
        result['ok'] = False
        result['error'] = '%s could not be read: %s' % (dj.get('path'), dj.get('error'))
    elif dj.get('exists'):
        content = dj.get('content')
        if not isinstance(content, dict):
            result['ok'] = False
            result['error'] = '%s is not a JSON object' % dj.get('path')
            content = None

    config = {}
    sources = {}
    for key, value in (content or {}).items():
        config[key] = value
        sources[key] = 'daemon.json'
    for key, value in flags.items():
        if key in config:
            result['conflicts'].append(key)
            # keep the flag value: it is what the command line asks for, and
            # the conflict itself is reported as a failure by the checks
        config[key] = value
        sources[key] = 'flag' if key not in sources else 'daemon.json+flag'
    result['config'] = config
    result['sources'] = sources
    return result


def host_kind(host):
    """Classify a dockerd -H value: unix, fd, tcp, ssh, npipe."""
    host = (host or '').strip()
    for scheme in ('unix', 'fd', 'tcp', 'ssh', 'npipe'):
        if host.startswith(scheme + '://'):
            return scheme
    # dockerd treats a bare "host:port" (or ":port") as tcp
    return 'tcp'


def unix_socket_paths(hosts, socket_unit_listen=None, default='/var/run/docker.sock'):
    """Socket paths the daemon serves, from the effective hosts.

    No hosts at all means dockerd's default unix socket. ``fd://`` means the
    sockets handed over by docker.socket (its ListenStream paths).
    """
    if not hosts:
        return [default]
    paths = []
    for host in hosts:
        kind = host_kind(host)
        if kind == 'unix':
            paths.append(host[len('unix://'):] or default)
        elif kind == 'fd':
            for listen in socket_unit_listen or ['/run/docker.sock']:
                if listen.startswith('/'):
                    paths.append(listen)
    return paths


def effective_group(options, name):
    """The group a catalog check names, as this host calls it.

    The catalog says ``docker`` for the group that owns the socket; an operator
    may give it another name (audit option ``docker_group``, the socket role's
    ``socket_docker_group``). Other names are taken as written.
    """
    renamed = (options or {}).get('docker_group')
    return renamed if name == 'docker' and renamed else name
