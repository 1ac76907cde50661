# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Known daemon.json keys, their types and validators, and the reload-only keys.

Only the keys a run sets are judged: keys already in the file that the run
does not name are never validated here (``dockerd --validate`` judges the
whole file when the engine has it).

Every error names the key, the bad value and the fix.
"""

from __future__ import annotations

import ipaddress
import re

from ansible_collections.hardening.docker.plugins.module_utils._log_opts import (
    LogOptsError,
    validate_daemon_log_opts,
)
from ansible_collections.hardening.docker.plugins.module_utils._type_names import plain, type_name
from ansible_collections.hardening.docker.plugins.module_utils._ulimits import (
    UlimitError,
    validate_daemon_ulimits,
)

# Options dockerd re-reads on SIGHUP (`systemctl reload docker`), from the
# "Configuration reload behavior" table of the dockerd reference.
RELOAD_ONLY_KEYS = frozenset((
    'debug',
    'labels',
    'live-restore',
    'max-concurrent-downloads',
    'max-concurrent-uploads',
    'max-download-attempts',
    'default-runtime',
    'runtimes',
    'authorization-plugins',
    'allow-nondistributable-artifacts',
    'insecure-registries',
    'registry-mirrors',
    'shutdown-timeout',
    'features',
))

LOG_LEVELS = ('debug', 'info', 'warn', 'error', 'fatal')


class SchemaError(ValueError):
    """A value that dockerd would refuse or that breaks the daemon."""


def _show(value):
    if value is None:
        return 'null'
    if isinstance(value, bool):
        return 'boolean %s' % ('true' if value else 'false')
    if isinstance(value, str):
        return 'string %r' % value
    if isinstance(value, int):
        return 'integer %d' % value
    if isinstance(value, float):
        return 'number %r' % value
    if isinstance(value, list):
        return 'list %r' % (plain(value),)
    if isinstance(value, dict):
        return 'mapping %r' % (plain(value),)
    return '%s %r' % (type_name(value), plain(value))


# ---------------------------------------------------------------- primitives

def _bool(key, value):
    if not isinstance(value, bool):
        hint = ''
        if isinstance(value, str) and value.strip().lower() in ('true', 'false', 'yes', 'no', 'on', 'off', '1', '0'):
            hint = ' (a quoted string is not a boolean: write it unquoted, or apply the bool filter)'
        raise SchemaError('%s must be a boolean (true or false), got %s%s' % (key, _show(value), hint))


def _int(key, value, minimum=None, maximum=None):
    if isinstance(value, bool) or not isinstance(value, int):
        hint = ''
        if isinstance(value, str) and re.match(r'^-?\d+$', value.strip()):
            hint = ' (write it unquoted, or apply the int filter)'
        raise SchemaError('%s must be an integer, got %s%s' % (key, _show(value), hint))
    if minimum is not None and value < minimum:
        raise SchemaError('%s must be >= %d, got %d' % (key, minimum, value))
    if maximum is not None and value > maximum:
        raise SchemaError('%s must be <= %d, got %d' % (key, maximum, value))


def _str(key, value, allow_empty=False):
    if not isinstance(value, str):
        raise SchemaError('%s must be a string, got %s' % (key, _show(value)))
    if not allow_empty and not value.strip():
        raise SchemaError('%s must not be empty; remove the key (absent: [%s]) to use the default' % (key, key))


def _choice(key, value, choices):
    _str(key, value)
    if value not in choices:
        raise SchemaError('%s must be one of %s, got %s' % (key, ', '.join(choices), _show(value)))


def _abs_path(key, value):
    _str(key, value)
    if not value.startswith('/'):
        raise SchemaError('%s must be an absolute path (starting with /), got %s' % (key, _show(value)))
    if '\n' in value or '\x00' in value:
        raise SchemaError('%s must be a single path, got %s' % (key, _show(value)))


def _list_of_str(key, value, item_check=None):
    if not isinstance(value, list):
        hint = ''
        if isinstance(value, str):
            hint = ' (a single value must still be a list: [%r])' % value
        raise SchemaError('%s must be a list of strings, got %s%s' % (key, _show(value), hint))
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise SchemaError('%s[%d] must be a string, got %s' % (key, index, _show(item)))
        if not item.strip():
            raise SchemaError('%s[%d] must not be empty' % (key, index))
        if item_check is not None:
            item_check('%s[%d]' % (key, index), item)


def _dict(key, value):
    if not isinstance(value, dict):
        raise SchemaError('%s must be a mapping, got %s' % (key, _show(value)))


def _ip(key, value):
    _str(key, value)
    try:
        ipaddress.ip_address(value)
    except ValueError:
        raise SchemaError('%s must be an IP address, got %s' % (key, _show(value)))


def _cidr(key, value, version=None):
    _str(key, value)
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise SchemaError('%s must be a network in CIDR form such as 10.10.0.0/16, got %s' % (key, _show(value)))
    if '/' not in value:
        raise SchemaError('%s must give a prefix length (CIDR form such as 10.10.0.0/16), got %s' % (key, _show(value)))
    if version is not None and network.version != version:
        raise SchemaError('%s must be an IPv%d network, got %s' % (key, version, _show(value)))


def _key_value(key, value):
    if '=' not in value or not value.split('=', 1)[0].strip():
        raise SchemaError('%s must have the form name=value, got %s' % (key, _show(value)))


# ------------------------------------------------------------ specific keys

_USER_RE = re.compile(r'^[a-z_][a-z0-9_-]*\$?$')
_ID_RE = re.compile(r'^\d+$')


def _name_or_id(key, part, what):
    if _ID_RE.match(part):
        if int(part) > 4294967294:
            raise SchemaError('%s: %s id %s is out of range' % (key, what, part))
        return
    if len(part) > 32 or not _USER_RE.match(part):
        raise SchemaError(
            '%s: %r is not a valid %s name (useradd rules: lower case letter or _ first, then '
            'lower case letters, digits, _ or -, at most 32 characters) nor a numeric id' % (key, part, what))


def validate_userns_remap(key, value):
    """"default", "user", "user:group", "uid", "uid:gid" (a name or an id on each side)."""
    _str(key, value)
    if value == 'default':
        return
    parts = value.split(':')
    if len(parts) > 2 or not all(parts):
        raise SchemaError('%s must be "default", "user", "user:group", "uid" or "uid:gid", got %s' % (key, _show(value)))
    _name_or_id(key, parts[0], 'user')
    if len(parts) == 2:
        _name_or_id(key, parts[1], 'group')
    if parts[0] in ('root', '0'):
        raise SchemaError(
            '%s: remapping to root (%s) gives containers no isolation; use "default" (user dockremap) '
            'or a dedicated unprivileged user' % (key, _show(value)))


_HOSTNAME_RE = re.compile(r'^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$')


def _host_part(key, host, original, allow_empty=True):
    if host.startswith('['):
        if not host.endswith(']'):
            raise SchemaError('%s: bad IPv6 address in %s' % (key, _show(original)))
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise SchemaError('%s: bad IPv6 address in %s' % (key, _show(original)))
        return
    if host == '':
        if allow_empty:
            return
        raise SchemaError('%s: missing host name in %s' % (key, _show(original)))
    try:
        ipaddress.IPv4Address(host)
        return
    except ValueError:
        pass
    if not _HOSTNAME_RE.match(host):
        raise SchemaError('%s: %r is neither an IP address nor a host name in %s' % (key, host, _show(original)))


def _port(key, text, original):
    if not _ID_RE.match(text) or not 0 < int(text) < 65536:
        raise SchemaError('%s: port must be a number from 1 to 65535 in %s' % (key, _show(original)))


def validate_host(key, value):
    """One listener of ``hosts``: unix:///abs/path, tcp://host:port, fd:// or fd://N."""
    if value.startswith('unix://'):
        path = value[len('unix://'):]
        if not path.startswith('/'):
            raise SchemaError('%s: unix socket path must be absolute (unix:///var/run/docker.sock), got %s'
                              % (key, _show(value)))
        return
    if value.startswith('tcp://'):
        rest = value[len('tcp://'):]
        if '/' in rest:
            raise SchemaError('%s: give tcp://host:port without a path, got %s' % (key, _show(value)))
        host, sep, port = rest.rpartition(':')
        if not sep or (':' in host and not host.startswith('[')):
            raise SchemaError(
                '%s: give an explicit port (tcp://host:2376 for TLS), got %s' % (key, _show(value)))
        _host_part(key, host, value)
        _port(key, port, value)
        return
    if value.startswith('fd://'):
        rest = value[len('fd://'):]
        if rest and not _ID_RE.match(rest):
            raise SchemaError('%s: fd:// takes an optional socket number (fd://3), got %s' % (key, _show(value)))
        return
    if value.startswith('npipe://'):
        raise SchemaError('%s: npipe:// listeners exist only on Windows, got %s' % (key, _show(value)))
    if value.startswith('ssh://'):
        raise SchemaError('%s: ssh:// is a client address, dockerd cannot listen on it, got %s' % (key, _show(value)))
    raise SchemaError(
        '%s: listener must be unix:///path, tcp://host:port or fd://, got %s (write the scheme explicitly)'
        % (key, _show(value)))


_SIZE_RE = re.compile(r'^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$')


def validate_size(key, value):
    """A Docker size string such as 64M, 1.5G, 512MiB or 67108864."""
    if isinstance(value, bool) or not isinstance(value, str):
        raise SchemaError('%s must be a size string such as "64M" or "1G" (quoted), got %s' % (key, _show(value)))
    if not _SIZE_RE.match(value):
        raise SchemaError('%s must be a size such as "64M", "512MiB" or "1G", got %s' % (key, _show(value)))


def validate_seccomp(key, value):
    _str(key, value)
    if value in ('builtin', 'unconfined'):
        if value == 'unconfined':
            raise SchemaError('%s: "unconfined" turns seccomp off for every container; use "builtin" '
                              'or the absolute path of a profile' % key)
        return
    _abs_path(key, value)


def validate_registry(key, value):
    """An insecure registry: host, host:port, [v6]:port, an IP or a CIDR, no scheme."""
    if '://' in value:
        raise SchemaError('%s: give host[:port] or a CIDR without a scheme, got %s' % (key, _show(value)))
    if '/' in value:
        _cidr(key, value)
        return
    host, port = value, ''
    if value.startswith('['):
        host, _sep, rest = value.partition(']')
        host += ']'
        if rest:
            if not rest.startswith(':'):
                raise SchemaError('%s: expected [IPv6]:port, got %s' % (key, _show(value)))
            port = rest[1:]
    elif value.count(':') == 1:
        host, port = value.split(':')
    elif value.count(':') > 1:
        try:
            ipaddress.IPv6Address(value)
        except ValueError:
            raise SchemaError('%s: %s is not a registry address (host[:port], IP or CIDR)' % (key, _show(value)))
        return
    if port or value.endswith(':'):
        _port(key, port, value)
    _host_part(key, host, value, allow_empty=False)


def validate_mirror(key, value):
    match = re.match(r'^(https?)://([^/?#]+)(/[^?#]*)?$', value)
    if not match:
        raise SchemaError('%s must be an http:// or https:// URL without query or fragment, got %s'
                          % (key, _show(value)))


def validate_exec_opt(key, value):
    _key_value(key, value)
    name, _sep, opt = value.partition('=')
    if name.strip() == 'native.cgroupdriver' and opt.strip() not in ('cgroupfs', 'systemd'):
        raise SchemaError('%s: native.cgroupdriver must be cgroupfs or systemd, got %s' % (key, _show(value)))


def validate_address_pools(key, value):
    if not isinstance(value, list):
        raise SchemaError('%s must be a list of {base: CIDR, size: N}, got %s' % (key, _show(value)))
    for index, pool in enumerate(value):
        item = '%s[%d]' % (key, index)
        if not isinstance(pool, dict) or set(pool) != {'base', 'size'}:
            raise SchemaError('%s must be {base: "10.10.0.0/16", size: 24}, got %s' % (item, _show(pool)))
        _cidr(item + '.base', pool['base'])
        network = ipaddress.ip_network(pool['base'], strict=False)
        _int(item + '.size', pool['size'], minimum=network.prefixlen, maximum=network.max_prefixlen)


def validate_features(key, value):
    _dict(key, value)
    for name, flag in value.items():
        if not isinstance(flag, bool):
            raise SchemaError('%s.%s must be a boolean, got %s' % (key, name, _show(flag)))


def validate_runtimes(key, value):
    _dict(key, value)
    for name, spec in value.items():
        item = '%s.%s' % (key, name)
        if not isinstance(spec, dict):
            raise SchemaError('%s must be a mapping with path or runtimeType, got %s' % (item, _show(spec)))
        unknown = sorted(set(spec) - {'path', 'runtimeArgs', 'runtimeType', 'options'})
        if unknown:
            raise SchemaError('%s: unknown fields %s (known: path, runtimeArgs, runtimeType, options)'
                              % (item, ', '.join(unknown)))
        if 'path' in spec and 'runtimeType' in spec:
            raise SchemaError('%s: give either path (runc drop-in) or runtimeType (containerd shim), not both' % item)
        if 'path' not in spec and 'runtimeType' not in spec:
            raise SchemaError('%s: give path (runc drop-in) or runtimeType (containerd shim)' % item)
        if 'path' in spec:
            _str(item + '.path', spec['path'])
        if 'runtimeType' in spec:
            _str(item + '.runtimeType', spec['runtimeType'])
        if 'runtimeArgs' in spec:
            _list_of_str(item + '.runtimeArgs', spec['runtimeArgs'])
        if 'options' in spec:
            _dict(item + '.options', spec['options'])


def validate_labels(key, value):
    _list_of_str(key, value, _key_value)
    seen = {}
    for item in value:
        name, _sep, val = item.partition('=')
        if name in seen and seen[name] != val:
            raise SchemaError('%s: label %r is given twice with different values' % (key, name))
        seen[name] = val


def validate_proxies(key, value):
    _dict(key, value)
    for name, item in value.items():
        if name not in ('http-proxy', 'https-proxy', 'no-proxy'):
            raise SchemaError('%s: unknown field %r (known: http-proxy, https-proxy, no-proxy)' % (key, name))
        _str('%s.%s' % (key, name), item, allow_empty=True)


def validate_network_opts(key, value):
    _dict(key, value)
    for driver, opts in value.items():
        _dict('%s.%s' % (key, driver), opts)
        for name, item in opts.items():
            if not isinstance(item, str):
                raise SchemaError('%s.%s.%s must be a string, got %s' % (key, driver, name, _show(item)))


def _default_ulimits(key, value):
    try:
        validate_daemon_ulimits(value)
    except UlimitError as exc:
        raise SchemaError(
            '%s: %s (the hardening.docker.docker_ulimits filter builds this form from '
            '{nofile: "1024:4096"})' % (key, exc))


def _log_opts(key, value):
    try:
        validate_daemon_log_opts(value)
    except LogOptsError as exc:
        raise SchemaError('%s: %s' % (key, exc))


# ------------------------------------------------------------------- table

def _t(check, *args, **kwargs):
    return lambda key, value: check(key, value, *args, **kwargs)


SCHEMA = {
    # booleans
    'allow-direct-routing': _bool,
    'cri-containerd': _bool,
    'debug': _bool,
    'experimental': _bool,
    'icc': _bool,
    'init': _bool,
    'ip-forward': _bool,
    'ip-masq': _bool,
    'ip6tables': _bool,
    'iptables': _bool,
    'ipv6': _bool,
    'live-restore': _bool,
    'no-new-privileges': _bool,
    'raw-logs': _bool,
    'rootless': _bool,
    'selinux-enabled': _bool,
    'tls': _bool,
    'tlsverify': _bool,
    'userland-proxy': _bool,
    # strings with choices
    'default-cgroupns-mode': _t(_choice, ('host', 'private')),
    'default-ipc-mode': _t(_choice, ('private', 'shareable')),
    'log-format': _t(_choice, ('text', 'json')),
    'log-level': _t(_choice, LOG_LEVELS),
    # free strings
    'api-cors-header': _t(_str, allow_empty=True),
    'bridge': _str,
    'cgroup-parent': _str,
    'containerd-namespace': _str,
    'containerd-plugins-namespace': _str,
    'default-runtime': _str,
    'group': _str,
    'log-driver': _str,
    'metrics-addr': _str,
    'storage-driver': _str,
    'swarm-default-advertise-addr': _str,
    # paths
    'containerd': _abs_path,
    'data-root': _abs_path,
    'exec-root': _abs_path,
    'init-path': _abs_path,
    'pidfile': _abs_path,
    'tlscacert': _abs_path,
    'tlscert': _abs_path,
    'tlskey': _abs_path,
    'userland-proxy-path': _abs_path,
    'seccomp-profile': validate_seccomp,
    # addresses
    'bip': None,  # set below
    'default-gateway': _ip,
    'default-gateway-v6': _ip,
    'fixed-cidr': _t(_cidr, 4),
    'fixed-cidr-v6': _t(_cidr, 6),
    'host-gateway-ip': _ip,
    'ip': _ip,
    # integers
    'cpu-rt-period': _t(_int, minimum=0),
    'cpu-rt-runtime': _t(_int, minimum=0),
    'max-concurrent-downloads': _t(_int, minimum=1),
    'max-concurrent-uploads': _t(_int, minimum=1),
    'max-download-attempts': _t(_int, minimum=1),
    'mtu': _t(_int, minimum=0, maximum=65535),
    'network-control-plane-mtu': _t(_int, minimum=0, maximum=65535),
    'oom-score-adjust': _t(_int, minimum=-1000, maximum=1000),
    'shutdown-timeout': _t(_int, minimum=-1),
    # lists
    'allow-nondistributable-artifacts': _list_of_str,
    'authorization-plugins': _list_of_str,
    'cdi-spec-dirs': _t(_list_of_str, _abs_path),
    'dns': _t(_list_of_str, _ip),
    'dns-opts': _list_of_str,
    'dns-search': _list_of_str,
    'exec-opts': _t(_list_of_str, validate_exec_opt),
    'hosts': _t(_list_of_str, validate_host),
    'insecure-registries': _t(_list_of_str, validate_registry),
    'labels': validate_labels,
    'node-generic-resources': _t(_list_of_str, _key_value),
    'registry-mirrors': _t(_list_of_str, validate_mirror),
    'storage-opts': _t(_list_of_str, _key_value),
    'default-address-pools': validate_address_pools,
    # mappings
    'builder': _dict,
    'default-network-opts': validate_network_opts,
    'default-ulimits': _default_ulimits,
    'features': validate_features,
    'log-opts': _log_opts,
    'proxies': validate_proxies,
    'runtimes': validate_runtimes,
    # special strings
    'default-shm-size': validate_size,
    'userns-remap': validate_userns_remap,
}


def _bip(key, value):
    _str(key, value)
    if '/' not in value:
        raise SchemaError('%s must be an address with prefix such as 192.168.200.1/24, got %s' % (key, _show(value)))
    try:
        ipaddress.ip_interface(value)
    except ValueError:
        raise SchemaError('%s must be an address with prefix such as 192.168.200.1/24, got %s' % (key, _show(value)))


SCHEMA['bip'] = _bip

KNOWN_KEYS = frozenset(SCHEMA)


def validate_settings(settings, allow_unknown_keys=()):
    """Validate the keys a run sets. Returns a list of error messages (empty when all is fine).

    Keys in ``allow_unknown_keys`` that the schema does not know pass unchecked;
    a known key is always checked, even when listed there.
    """
    errors = []
    allowed = set(allow_unknown_keys or ())
    for key, value in settings.items():
        check = SCHEMA.get(key)
        if check is None:
            if key in allowed:
                continue
            errors.append(
                'unknown daemon.json key %r: it is not in the schema of hardening.docker.daemon_config; '
                'check its spelling, or list it in the allow_unknown_keys option to set it unchecked' % key)
            continue
        try:
            check(key, value)
        except SchemaError as exc:
            errors.append(str(exc))
    return errors


def classify(added, modified, removed):
    """Return ``(restart_required, reload_required)`` for a set of changes.

    A SIGHUP reload only applies options present in the file, so removing a
    key (even a reload-only one) needs a restart to take effect.
    """
    changed = list(added) + list(modified) + list(removed)
    if not changed:
        return False, False
    if removed:
        return True, False
    if all(key in RELOAD_ONLY_KEYS for key in changed):
        return False, True
    return True, False
