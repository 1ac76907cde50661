# -*- coding: utf-8 -*-
# Copyright: hardening.docker contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read the runtime state of a host: its containers and its named volumes.

Containers come from the Engine API over the unix socket: one list call, then
the inspect of every container on the same keep-alive connection, in this
process (no process per container: hundreds of containers stay fast). Without a
reachable socket the Docker CLI is used with one ``docker ps`` and ONE
``docker inspect`` of all containers.

Only the fields the runtime checks read are kept (``container_subset``), so the
state stays small with hundreds of containers. Volumes: owner and mode of the
volumes root and of each local volume's directories, and a bounded scan for
files other host users can write or read.
"""

from __future__ import annotations

import http.client
import json
import os
import posixpath
import socket
import stat

API_TIMEOUT = 15
DEFAULT_SCAN_LIMIT = 10000
SAMPLE_LIMIT = 20  # offending paths kept per volume and kind


class RuntimeGatherError(Exception):
    """The containers could not be listed at all."""


class UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP over the Docker API's unix socket (shared with _audit_gather)."""

    def __init__(self, path, timeout=API_TIMEOUT):
        http.client.HTTPConnection.__init__(self, 'localhost', timeout=timeout)
        self._socket_path = path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self._socket_path)
        self.sock = sock


class EngineClient(object):
    """GET requests to the Engine API over one keep-alive unix-socket connection."""

    def __init__(self, socket_path):
        self.socket_path = socket_path
        self._conn = None
        self.requests = 0

    def get(self, url):
        if self._conn is None:
            self._conn = UnixHTTPConnection(self.socket_path)
        try:
            self._conn.request('GET', url, headers={'Host': 'docker'})
            response = self._conn.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        self.requests += 1
        if response.status == 404:
            return None
        if response.status != 200:
            raise ValueError('HTTP %s from %s: %s' % (response.status, url, body[:200]))
        return json.loads(body.decode('utf-8'))

    def close(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _get(data, *path):
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def container_subset(inspect):
    """The fields of one ``docker inspect`` entry the runtime checks read (any Engine version)."""
    host_config = inspect.get('HostConfig') or {}
    config = inspect.get('Config') or {}
    state = inspect.get('State') or {}
    mounts = []
    for mount in inspect.get('Mounts') or []:
        mounts.append({
            'type': mount.get('Type'),
            'name': mount.get('Name'),
            'source': mount.get('Source'),
            'destination': mount.get('Destination'),
            'rw': mount.get('RW'),
            'propagation': mount.get('Propagation') or '',
        })
    ports = []
    for port, bindings in sorted((_get(inspect, 'NetworkSettings', 'Ports') or {}).items()):
        for binding in bindings or []:
            ports.append({'port': port, 'host_ip': binding.get('HostIp'), 'host_port': binding.get('HostPort')})
    devices = []
    for device in host_config.get('Devices') or []:
        devices.append('%s:%s:%s' % (device.get('PathOnHost'), device.get('PathInContainer'),
                                     device.get('CgroupPermissions')))
    return {
        'id': inspect.get('Id'),
        'name': (inspect.get('Name') or '').lstrip('/'),
        'image': config.get('Image') or inspect.get('Image'),
        'state': state.get('Status') or ('running' if state.get('Running') else 'unknown'),
        'privileged': bool(host_config.get('Privileged')),
        'cap_add': list(host_config.get('CapAdd') or []),
        'cap_drop': list(host_config.get('CapDrop') or []),
        'security_opt': list(host_config.get('SecurityOpt') or []),
        'apparmor_profile': inspect.get('AppArmorProfile'),
        'network_mode': host_config.get('NetworkMode'),
        'pid_mode': host_config.get('PidMode'),
        'ipc_mode': host_config.get('IpcMode'),
        'uts_mode': host_config.get('UTSMode'),
        'userns_mode': host_config.get('UsernsMode'),
        'memory': host_config.get('Memory'),
        'pids_limit': host_config.get('PidsLimit'),
        'readonly_rootfs': bool(host_config.get('ReadonlyRootfs')),
        'devices': devices,
        'device_cgroup_rules': list(host_config.get('DeviceCgroupRules') or []),
        'mounts': mounts,
        'ports': ports,
    }


def annotate_mounts(container, realpath=os.path.realpath):
    """Add the host's real path of each bind source (``/var/run`` is ``/run`` on Debian)."""
    for mount in container['mounts']:
        if mount['type'] == 'bind' and mount.get('source'):
            mount['source_real'] = realpath(mount['source'])
    return container


def list_containers_api(client, include_stopped):
    listed = client.get('/containers/json?all=%d' % (1 if include_stopped else 0))
    if not isinstance(listed, list):
        raise RuntimeGatherError('unexpected answer to /containers/json')
    containers = []
    for entry in listed:
        inspect = client.get('/containers/%s/json' % entry['Id'])
        if inspect is None:
            continue  # removed between the list and the inspect
        containers.append(container_subset(inspect))
    return containers


def list_volumes_api(client):
    answer = client.get('/volumes') or {}
    return [_volume_entry(v) for v in answer.get('Volumes') or []]


def _volume_entry(volume):
    return {'name': volume.get('Name'), 'driver': volume.get('Driver'), 'mountpoint': volume.get('Mountpoint')}


def list_containers_cli(run, docker, include_stopped):
    argv = [docker, 'ps', '--quiet', '--no-trunc'] + (['--all'] if include_stopped else [])
    rc, out, err = run(argv)
    if rc != 0:
        raise RuntimeGatherError('docker ps: %s' % (err.strip() or 'rc=%s' % rc))
    ids = out.split()
    if not ids:
        return []
    rc, out, err = run([docker, 'inspect', '--type', 'container'] + ids)
    # rc 1 when a container went away meanwhile: the others are still printed
    try:
        entries = json.loads(out) if out.strip() else []
    except ValueError:
        raise RuntimeGatherError('docker inspect: %s' % (err.strip() or 'unreadable output'))
    return [container_subset(entry) for entry in entries]


def list_volumes_cli(run, docker):
    rc, out, err = run([docker, 'volume', 'ls', '--quiet'])
    if rc != 0:
        raise RuntimeGatherError('docker volume ls: %s' % (err.strip() or 'rc=%s' % rc))
    names = out.split()
    if not names:
        return []
    rc, out, err = run([docker, 'volume', 'inspect'] + names)
    try:
        return [_volume_entry(v) for v in (json.loads(out) if out.strip() else [])]
    except ValueError:
        raise RuntimeGatherError('docker volume inspect: %s' % (err.strip() or 'unreadable output'))


# ----------------------------------------------------------------- volumes

def _stat_entry(path):
    try:
        st = os.lstat(path)
    except OSError as exc:
        return {'path': path, 'exists': False, 'error': str(exc)}
    return {'path': path, 'exists': True, 'mode': '%04o' % stat.S_IMODE(st.st_mode), 'uid': st.st_uid,
            'gid': st.st_gid, 'dir': stat.S_ISDIR(st.st_mode)}


def others_can_reach(path):
    """Whether every directory from / down to ``path`` lets other users through (o+x)."""
    current = '/'
    prefixes = ['/']
    for part in [p for p in posixpath.normpath(path).split('/') if p]:
        current = posixpath.join(current, part)
        prefixes.append(current)
    for prefix in prefixes:
        try:
            st = os.stat(prefix)
        except OSError:
            return False
        if not st.st_mode & stat.S_IXOTH:
            return False
    return True


def scan_tree(top, budget, sample=SAMPLE_LIMIT):
    """Walk ``top`` without following symlinks, at most ``budget`` entries.

    Returns counts and samples of world-writable entries and of world-readable
    files other users can reach (every directory on the way o+x), the number of
    entries scanned and whether the budget stopped the walk.
    """
    result = {'scanned': 0, 'truncated': False, 'world_writable': 0, 'world_readable': 0,
              'world_writable_paths': [], 'world_readable_paths': []}
    # (directory, whether other users can reach its entries)
    stack = [(top, others_can_reach(top))]
    while stack:
        directory, reachable = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in sorted(entries, key=lambda e: e.name):
            if result['scanned'] >= budget:
                result['truncated'] = True
                return result
            result['scanned'] += 1
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISLNK(st.st_mode):
                continue  # a link's own mode means nothing; its target is scanned where it lives
            mode = st.st_mode
            if mode & stat.S_IWOTH:
                result['world_writable'] += 1
                if len(result['world_writable_paths']) < sample:
                    result['world_writable_paths'].append('%s (%04o)' % (entry.path, stat.S_IMODE(mode)))
            if stat.S_ISREG(mode) and reachable and mode & stat.S_IROTH:
                result['world_readable'] += 1
                if len(result['world_readable_paths']) < sample:
                    result['world_readable_paths'].append('%s (%04o)' % (entry.path, stat.S_IMODE(mode)))
            if stat.S_ISDIR(mode):
                stack.append((entry.path, reachable and bool(mode & stat.S_IXOTH)))
    return result


def gather_volumes(docker_root, volumes, limit=DEFAULT_SCAN_LIMIT):
    """Owner/mode of ``<docker_root>/volumes`` and of each local volume, plus the bounded scan."""
    root = posixpath.join(docker_root, 'volumes')
    data = {'root': _stat_entry(root), 'volumes': [], 'scan': {'limit': limit, 'scanned': 0, 'truncated': False}}
    budget = limit
    for volume in sorted(volumes, key=lambda v: v.get('name') or ''):
        entry = dict(volume)
        mountpoint = volume.get('mountpoint') or ''
        if volume.get('driver') != 'local' or not mountpoint:
            entry['skipped'] = 'driver %s: data not on this file system' % volume.get('driver')
            data['volumes'].append(entry)
            continue
        entry['dir'] = _stat_entry(posixpath.dirname(mountpoint.rstrip('/')))
        entry['data'] = _stat_entry(mountpoint)
        if budget <= 0:
            entry['scan'] = {'scanned': 0, 'truncated': True}
            data['scan']['truncated'] = True
        elif entry['data'].get('exists'):
            entry['scan'] = scan_tree(mountpoint, budget)
            budget -= entry['scan']['scanned']
            data['scan']['scanned'] += entry['scan']['scanned']
            data['scan']['truncated'] = data['scan']['truncated'] or entry['scan']['truncated']
        data['volumes'].append(entry)
    return data


def gather_runtime(sockets, run, docker, docker_root, include_stopped=False, scan_limit=DEFAULT_SCAN_LIMIT):
    """The runtime part of the host state. Never raises: failures land in ``error``."""
    runtime = {'available': False, 'source': None, 'include_stopped': include_stopped, 'containers': [],
               'volumes': None, 'error': None, 'requests': 0}
    errors = []
    volumes = None
    for path in sockets:
        if not os.path.exists(path):
            continue
        client = EngineClient(path)
        try:
            runtime['containers'] = list_containers_api(client, include_stopped)
            volumes = list_volumes_api(client)
            runtime.update(available=True, source='api', socket=path)
        except (OSError, ValueError, RuntimeGatherError, http.client.HTTPException) as exc:
            errors.append('%s: %s' % (path, exc))
        finally:
            runtime['requests'] += client.requests
            client.close()
        if runtime['available']:
            break
    if not runtime['available'] and docker:
        try:
            runtime['containers'] = list_containers_cli(run, docker, include_stopped)
            volumes = list_volumes_cli(run, docker)
            runtime.update(available=True, source='cli')
        except RuntimeGatherError as exc:
            errors.append(str(exc))
    if not runtime['available']:
        runtime['error'] = '; '.join(errors) or 'no Docker socket and no docker client'
        return runtime
    # the sockets as the host resolves them, for the docker-socket rule (5.32)
    runtime['sockets_real'] = sorted(set(os.path.realpath(p) for p in sockets if os.path.exists(p)))
    for container in runtime['containers']:
        annotate_mounts(container)
    if docker_root:
        runtime['volumes'] = gather_volumes(docker_root, volumes or [], scan_limit)
    return runtime
