# -*- coding: utf-8 -*-
# Copyright: hardening.docker contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Does the running dockerd match its configuration on disk?

A run that wrote daemon.json, a drop-in or /etc/default/docker and was
interrupted before its restart leaves a daemon that still serves the old
configuration (a plaintext TCP listener, for instance) while the files look
hardened. Shared by the audit (control "the running daemon matches its
configuration") and by the restart path, which restarts such a daemon.

``gather_dockerd`` reads the running process from /proc (no command needed);
``sync_findings`` is pure: it compares a recorded state with it and returns
one sentence per mismatch (empty: in sync).
"""

from __future__ import annotations

import ipaddress
import os
import posixpath
import socket
import time

from ansible_collections.hardening.docker.plugins.module_utils._audit_config import (
    effective_config,
    host_kind,
    is_unset,
    to_bool,
)

# A file written within this many seconds of dockerd's start is taken as read
# by it: the start time comes from clock ticks and /proc/uptime.
MTIME_TOLERANCE = 1.0
# dockerd's default TCP ports (plain and TLS) when -H names none.
DEFAULT_TCP_PORT = 2375
DEFAULT_TLS_PORT = 2376
# Ports a swarm node opens itself (manager API, gossip): not set by -H.
SWARM_PORTS = (2377, 7946)
LISTEN_STATE = '0A'
WILDCARDS = ('', '0.0.0.0', '::', '*')
RELOAD_MESSAGE = 'Reloaded configuration'


def _read(path, limit=1024 * 1024):
    with open(path, 'rb') as handle:
        return handle.read(limit).decode('utf-8', 'replace')


# --------------------------------------------------------------------------
# the running process
# --------------------------------------------------------------------------

def _decode_address(hexaddr):
    raw = bytes.fromhex(hexaddr)
    # the kernel prints each 32-bit word in host (little-endian) order
    words = b''.join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    family = socket.AF_INET if len(words) == 4 else socket.AF_INET6
    return _normalize(socket.inet_ntop(family, words))


def _normalize(address):
    """Canonical text of an IP (IPv4-mapped IPv6 as IPv4); names are kept."""
    text = address.strip('[]')
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return text
    mapped = getattr(ip, 'ipv4_mapped', None)
    return str(mapped or ip)


def parse_proc_net_tcp(text):
    """Listening sockets of a /proc/net/tcp or tcp6 table: ``{inode: (address, port)}``."""
    result = {}
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 10 or fields[3] != LISTEN_STATE:
            continue
        hexaddr, _sep, hexport = fields[1].partition(':')
        try:
            result[int(fields[9])] = (_decode_address(hexaddr), int(hexport, 16))
        except ValueError:
            continue
    return result


def format_endpoint(address, port):
    return ('[%s]:%d' if ':' in address else '%s:%d') % (address, port)


def _is_root_dockerd(proc, pid):
    try:
        if _read(posixpath.join(proc, str(pid), 'comm')).strip() != 'dockerd':
            return False
        for line in _read(posixpath.join(proc, str(pid), 'status')).splitlines():
            if line.startswith('Uid:'):
                return line.split()[1] == '0'
    except (IOError, OSError, IndexError):
        pass
    return False


def find_dockerd_pid(proc='/proc', pidfile='/var/run/docker.pid'):
    """The system dockerd: the one its pid file names, else the oldest one run by root.

    A host may run more than one dockerd (rootless daemons of users run as
    their user), so "the first process called dockerd" is not enough.
    """
    try:
        pid = int(_read(pidfile).strip())
        if _is_root_dockerd(proc, pid):
            return pid
    except (IOError, OSError, ValueError):
        pass
    for pid in sorted((int(p) for p in os.listdir(proc) if p.isdigit())):
        if _is_root_dockerd(proc, pid):
            return pid
    return None


def _started_at(proc, pid):
    """Wall-clock start of a process (seconds since the epoch)."""
    stat_text = _read(posixpath.join(proc, str(pid), 'stat'))
    # the command name may hold spaces and parentheses: fields follow the last ')'
    fields = stat_text.rsplit(')', 1)[1].split()
    start_ticks = int(fields[19])
    uptime = float(_read(posixpath.join(proc, 'uptime')).split()[0])
    return time.time() - (uptime - start_ticks / float(os.sysconf('SC_CLK_TCK')))


def gather_dockerd(pid=None, proc='/proc', pidfile='/var/run/docker.pid'):
    """pid, argv, start time and listening TCP endpoints of the running dockerd."""
    data = {'pid': None, 'argv': None, 'started_at': None, 'tcp_listeners': None, 'error': None}
    pid = pid or find_dockerd_pid(proc, pidfile)
    if not pid:
        data['error'] = 'no dockerd process is running'
        return data
    data['pid'] = pid
    base = posixpath.join(proc, str(pid))
    try:
        data['argv'] = [a for a in _read(posixpath.join(base, 'cmdline')).split('\0') if a]
        data['started_at'] = _started_at(proc, pid)
        inodes = set()
        for fd in os.listdir(posixpath.join(base, 'fd')):
            try:
                link = os.readlink(posixpath.join(base, 'fd', fd))
            except OSError:
                continue  # closed between listdir and readlink
            if link.startswith('socket:['):
                inodes.add(int(link[len('socket:['):-1]))
        listening = {}
        for table in ('tcp', 'tcp6'):
            try:
                listening.update(parse_proc_net_tcp(_read(posixpath.join(base, 'net', table), 16 * 1024 * 1024)))
            except (IOError, OSError):
                continue  # no IPv6 in this kernel
        data['tcp_listeners'] = sorted(format_endpoint(*listening[i]) for i in inodes if i in listening)
    except (IOError, OSError, ValueError, IndexError) as exc:
        data['error'] = 'cannot read dockerd (pid %s) from %s: %s' % (pid, proc, exc)
    return data


def file_mtimes(paths):
    """``{path: mtime}`` of the files that exist (links followed: dockerd reads the target)."""
    result = {}
    for path in paths:
        try:
            result[path] = os.stat(path).st_mtime
        except OSError:
            continue
    return result


# --------------------------------------------------------------------------
# the comparison (pure)
# --------------------------------------------------------------------------

def parse_tcp_endpoint(text, tls=False):
    """'tcp://0.0.0.0:2376', '127.0.0.1:2375', ':2375', '[::1]:2376', '2376' -> (address, port)."""
    text = text.strip()
    if text.startswith('tcp://'):
        text = text[len('tcp://'):]
    text = text.split('/', 1)[0]
    if text.isdigit():
        return '', int(text)
    if text.startswith('['):
        address, _sep, rest = text[1:].partition(']')
        port = rest.lstrip(':')
    elif text.count(':') > 1:
        address, port = text, ''
    else:
        address, _sep, port = text.partition(':')
    return _normalize(address), int(port) if port else (DEFAULT_TLS_PORT if tls else DEFAULT_TCP_PORT)


def expected_tcp_endpoints(config, socket_listen):
    """The TCP endpoints dockerd is configured to serve: ``{(address, port): 'where'}``."""
    hosts = config.get('hosts') or []
    if isinstance(hosts, str):
        hosts = [hosts]
    tls = to_bool(config.get('tlsverify')) is True or to_bool(config.get('tls')) is True
    expected = {}
    for host in hosts:
        kind = host_kind(host)
        if kind == 'tcp':
            expected[parse_tcp_endpoint(host, tls)] = host
        elif kind == 'fd':
            # socket activation: dockerd serves what docker.socket listens on
            for listen in socket_listen or []:
                if not listen.startswith('/') and not listen.startswith('@'):
                    expected[parse_tcp_endpoint(listen)] = 'docker.socket ListenStream=%s' % listen
    if not is_unset(config.get('metrics-addr')):
        expected[parse_tcp_endpoint(config['metrics-addr'])] = 'metrics-addr %s' % config['metrics-addr']
    return expected


def _matches(listener, endpoint):
    (l_addr, l_port), (e_addr, e_port) = listener, endpoint
    if l_port != e_port:
        return False
    if e_addr in WILDCARDS:
        # Go serves 0.0.0.0 on a dual-stack [::] socket
        return l_addr in WILDCARDS
    try:
        ipaddress.ip_address(e_addr)
    except ValueError:
        # a host name: its addresses are not resolved here, the port decides
        return e_addr != 'localhost' or ipaddress.ip_address(l_addr).is_loopback
    return l_addr == e_addr


def _split_endpoint(text):
    address, _sep, port = text.rpartition(':')
    return _normalize(address), int(port)


# daemon.json key -> (docker info field, how the info value is compared)
INFO_FIELDS = (
    ('live-restore', 'LiveRestoreEnabled', 'bool'),
    ('experimental', 'ExperimentalBuild', 'bool'),
    ('log-driver', 'LoggingDriver', 'text'),
    ('storage-driver', 'Driver', 'text'),
    ('default-runtime', 'DefaultRuntime', 'text'),
)


def _info_findings(config, info):
    findings = []
    for key, field, kind in INFO_FIELDS:
        if is_unset(config.get(key)) or field not in info:
            continue
        want = to_bool(config[key]) if kind == 'bool' else str(config[key])
        have = info[field]
        if want != have:
            findings.append('%s is %s in the configuration but docker info reports %s=%s'
                            % (key, _text(want), field, _text(have)))
    remap = config.get('userns-remap')
    names = [str(o).split(',', 1)[0].replace('name=', '') for o in info.get('SecurityOptions') or []]
    if 'SecurityOptions' in info and not is_unset(remap) and 'userns' not in names:
        findings.append('userns-remap is %s in the configuration but the running daemon does not remap' % remap)
    return findings


def _text(value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return str(value)


def _reloaded_after(reloads, mtime):
    return any(stamp > mtime for stamp in reloads or [])


def sync_findings(state):
    """Sentences naming each way the running dockerd differs from its configuration.

    ``state`` is an audit host state (see ``_audit_gather``) with
    ``dockerd_running`` (``gather_dockerd``), ``config_mtimes``
    (``{path: mtime}`` of daemon.json, the units, their drop-ins and
    environment files) and ``dockerd_reloads`` (times dockerd reloaded
    daemon.json, from its journal). Raises ValueError when the running daemon
    could not be read.
    """
    running = state.get('dockerd_running') or {}
    if running.get('error') or running.get('pid') is None:
        raise ValueError(running.get('error') or 'the running dockerd was not inspected')
    eff = effective_config(state)
    if not eff['ok']:
        raise ValueError(eff['error'])
    config = eff['config']
    findings = []

    # 1. listeners: a TCP socket dockerd holds must be one its configuration names
    socket_listen = ((state.get('units') or {}).get('docker.socket') or {}).get('listen')
    expected = expected_tcp_endpoints(config, socket_listen)
    info = (state.get('docker_info') or {}).get('data') or {}
    swarm = ((info.get('Swarm') or {}).get('LocalNodeState') or '') == 'active'
    listeners = [_split_endpoint(text) for text in running.get('tcp_listeners') or []]
    for listener in listeners:
        if swarm and listener[1] in SWARM_PORTS:
            continue
        if not any(_matches(listener, endpoint) for endpoint in expected):
            findings.append('dockerd listens on %s, which its configuration does not name (stale listener)'
                            % format_endpoint(*listener))
    for endpoint, where in sorted(expected.items()):
        if not any(_matches(listener, endpoint) for listener in listeners):
            findings.append('the configuration asks for %s but dockerd does not listen on %s'
                            % (where, format_endpoint(*endpoint)))

    # 2. command line: the unit's ExecStart (expanded) is what a restart would run
    unit_argv = eff['argv'] if eff['argv_source'] == 'unit' else None
    argv = running.get('argv') or []
    if unit_argv and argv and (posixpath.basename(unit_argv[0]) != posixpath.basename(argv[0])
                               or list(unit_argv[1:]) != list(argv[1:])):
        findings.append('dockerd runs as "%s" but its unit starts "%s"' % (' '.join(argv), ' '.join(unit_argv)))

    # 3. what docker info reports against the keys it shows
    findings.extend(_info_findings(config, info))

    # 4. files changed after the start (daemon.json also counts as read when reloaded since)
    started = running.get('started_at')
    dj_path = eff['daemon_json_path']
    for path, mtime in sorted((state.get('config_mtimes') or {}).items()):
        if started is None or mtime <= started + MTIME_TOLERANCE:
            continue
        if path == dj_path and _reloaded_after(state.get('dockerd_reloads'), mtime):
            continue
        findings.append('%s changed at %s, after dockerd started at %s'
                        % (path, _stamp(mtime), _stamp(started)))
    return findings


def _stamp(epoch):
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(epoch))


def parse_reload_lines(text):
    """Times of dockerd's "Reloaded configuration" lines in ``journalctl -o short-unix`` output."""
    stamps = []
    for line in text.splitlines():
        if RELOAD_MESSAGE not in line:
            continue
        try:
            stamps.append(float(line.split(None, 1)[0]))
        except (ValueError, IndexError):
            continue
    return stamps


# --------------------------------------------------------------------------
# reading the host (audit gather and the restart path's snapshot module)
# --------------------------------------------------------------------------

def config_paths(state, extra=()):
    """daemon.json, the units, their drop-ins and environment files a restart would read."""
    units = state.get('units') or {}
    paths = [(state.get('daemon_json') or {}).get('path')]
    for name in ('docker.service', 'docker.socket'):
        unit = units.get(name) or {}
        paths.append(unit.get('fragment_path'))
        paths.extend(unit.get('dropin_paths') or [])
        paths.extend(unit.get('environment_file_paths') or [])
    paths.extend(extra)
    result = []
    for path in paths:
        if path and path not in result:
            result.append(path)
    return result


def add_sync_state(state, run, journalctl, extra_paths=()):
    """Add ``dockerd_running``, ``config_mtimes`` and ``dockerd_reloads`` to an audit state.

    ``run(argv) -> (rc, out, err)``; ``journalctl`` is its path or None. The
    journal is read only when daemon.json is newer than the daemon: a reload
    (SIGHUP) applies daemon.json without a new process.
    """
    running = gather_dockerd((state.get('process') or {}).get('pid'))
    state['dockerd_running'] = running
    state['config_mtimes'] = file_mtimes(config_paths(state, extra_paths))
    state['dockerd_reloads'] = []
    dj_mtime = state['config_mtimes'].get((state.get('daemon_json') or {}).get('path'))
    started = running.get('started_at')
    if journalctl and dj_mtime and started and dj_mtime > started + MTIME_TOLERANCE:
        rc, out, _err = run([journalctl, '--no-pager', '--quiet', '--output=short-unix',
                             '_PID=%d' % running['pid'], '--since=@%d' % int(dj_mtime)])
        if rc == 0:
            state['dockerd_reloads'] = parse_reload_lines(out)
    return state
