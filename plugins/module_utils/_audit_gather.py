# -*- coding: utf-8 -*-
# Copyright: hardening.docker contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read the host state the audit decides on, once, without changing anything.

The result is a JSON-serialisable dict (see tests/unit/fixtures/hoststates/
for recorded examples). Every step records its own error instead of raising,
so one unreadable source (docker info, auditctl, ...) never hides the others.

Commands are run through ``runner(argv) -> (rc, stdout, stderr)`` and looked
up through ``which(name) -> path|None`` so that the module can pass its own
``run_command``/``get_bin_path`` and tests can pass fakes.
"""

from __future__ import annotations

import datetime
import glob
import grp
import http.client
import json
import os
import platform
import posixpath
import pwd
import stat

from ansible_collections.hardening.docker.plugins.module_utils._audit_config import (
    effective_config,
    effective_group,
    is_unset,
    unix_socket_paths,
)
from ansible_collections.hardening.docker.plugins.module_utils._audit_runtime_checks import RUNTIME_TYPES
from ansible_collections.hardening.docker.plugins.module_utils._audit_runtime_gather import (
    UnixHTTPConnection,
    DEFAULT_SCAN_LIMIT,
    gather_runtime,
)
from ansible_collections.hardening.docker.plugins.module_utils._daemon_sync import add_sync_state
from ansible_collections.hardening.docker.plugins.module_utils._docker_info import read_docker_info
from ansible_collections.hardening.docker.plugins.module_utils._docker_paths import (
    canonical_watch_path,
    check_paths,
)
from ansible_collections.hardening.docker.plugins.module_utils._unit_flags import (
    UnitError,
    find_dropins,
    find_unit_file,
    load_service,
    parse_env_file,
    parse_unit_text,
)

# Whether to read certificates with cryptography (else openssl). It is imported only when a
# certificate is read: its import costs 30-90 ms of the module's start-up on every host, and
# most hosts of a first audit have no TLS certificate.
HAS_CRYPTOGRAPHY = True

STATE_SCHEMA = 1
UNIT_DIRS = ('/etc/systemd/system', '/run/systemd/system', '/usr/local/lib/systemd/system',
             '/usr/lib/systemd/system', '/lib/systemd/system')  # highest priority first
DEFAULT_SOCKETS = ('/run/docker.sock', '/var/run/docker.sock')
INFO_KEYS = ('ServerVersion', 'OperatingSystem', 'OSVersion', 'OSType', 'KernelVersion', 'Name',
             'Driver', 'DockerRootDir', 'LoggingDriver', 'CgroupDriver', 'CgroupVersion',
             'LiveRestoreEnabled', 'ExperimentalBuild', 'SecurityOptions', 'DefaultRuntime',
             'Swarm', 'RegistryConfig', 'Warnings')
API_TIMEOUT = 15


def _read(path, limit=1024 * 1024):
    with open(path, 'rb') as handle:
        return handle.read(limit).decode('utf-8', 'replace')


def _utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def _isoformat(value):
    return value.astimezone(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


class Gatherer(object):
    """Collect the state of one host. ``gather(controls)`` returns the state dict."""

    # where audit rules live on disk (read when auditctl cannot list the loaded ones)
    audit_rule_files = ('/etc/audit/audit.rules', '/etc/audit/rules.d/*.rules')

    def __init__(self, runner, which, daemon_json='/etc/docker/daemon.json', docker_bin='docker',
                 tls_expiry_threshold_days=30, trusted_users=None, unit_dirs=UNIT_DIRS, docker_group=None,
                 include_stopped=False, volume_scan_limit=DEFAULT_SCAN_LIMIT):
        self.runner = runner
        self.which = which
        self.unit_dirs = tuple(unit_dirs)
        self.daemon_json_option = daemon_json
        self.docker_bin = docker_bin
        self.options = {'tls_expiry_threshold_days': tls_expiry_threshold_days,
                        'trusted_users': trusted_users, 'docker_group': docker_group,
                        'include_stopped': include_stopped, 'volume_scan_limit': volume_scan_limit}
        self._systemctl_ok = None

    # ------------------------------------------------------------ commands
    def _run(self, argv):
        try:
            return self.runner(argv)
        except (OSError, ValueError) as exc:
            return 127, '', str(exc)

    def _systemctl(self):
        # No "systemctl show" probe first: the caller's own call fails the same way where systemd
        # does not answer, and its return code decides; one process fewer per host.
        if self._systemctl_ok is None:
            path = self.which('systemctl')
            self._systemctl_ok = path if path and os.path.isdir('/run/systemd/system') else False
        return self._systemctl_ok

    # --------------------------------------------------------------- units
    def gather_service(self, name):
        """ExecStart (expanded) and environment of a service, from its unit file and drop-ins."""
        unit = {'name': name, 'fragment_path': None, 'dropin_paths': [], 'exec_start': [], 'argv': [],
                'environment': {}, 'warnings': [], 'error': None}
        try:
            service = load_service(name, self.unit_dirs)
        except UnitError as exc:
            unit['error'] = str(exc)
            return unit
        unit.update(fragment_path=service.unit_path, dropin_paths=list(service.dropins),
                    environment_file_paths=list(service.environment_file_paths),
                    environment=dict((k, v[0]) for k, v in service.environment.items()),
                    warnings=list(service.warnings))
        if not service.found:
            unit['error'] = 'unit %s not found' % name
            return unit
        entries = service.exec_start
        if not entries:
            unit['error'] = '%s has no ExecStart' % name
            return unit
        entry = entries[0]
        for candidate in entries:
            if posixpath.basename(candidate.binary.value) == 'dockerd':
                entry = candidate
                break
        unit['exec_start'] = [entry.binary.raw] + [token.raw for token in entry.args]
        unit['argv'] = [entry.binary.value] + [arg for arg, _origin in service.expand(entry)]
        return unit

    def gather_socket(self, name):
        """ListenStream and socket ownership/mode of a socket unit (systemctl's effective values when it runs)."""
        unit = {'name': name, 'fragment_path': None, 'dropin_paths': [], 'listen': [],
                'socket_mode': None, 'socket_user': None, 'socket_group': None, 'source': 'files', 'error': None}
        fragment = find_unit_file(name, self.unit_dirs)
        if not fragment:
            unit['error'] = 'unit %s not found' % name
            return unit
        dropins = find_dropins(name, self.unit_dirs)
        unit.update(fragment_path=fragment, dropin_paths=dropins)
        for path in [fragment] + dropins:
            try:
                entries = parse_unit_text(_read(path))
            except (IOError, OSError) as exc:
                unit['error'] = 'cannot read %s: %s' % (path, exc)
                continue
            for section, key, value, _lineno in entries:
                if section != 'Socket':
                    continue
                if key == 'ListenStream':
                    unit['listen'] = [] if not value else unit['listen'] + [value]
                elif key == 'SocketMode':
                    unit['socket_mode'] = value
                elif key == 'SocketUser':
                    unit['socket_user'] = value
                elif key == 'SocketGroup':
                    unit['socket_group'] = value
        systemctl = self._systemctl()
        if systemctl:
            rc, out, _err = self._run([systemctl, 'show', name, '--property=SocketMode',
                                       '--property=SocketUser', '--property=SocketGroup'])
            if rc == 0:
                props = dict(line.split('=', 1) for line in out.splitlines() if '=' in line)
                # systemctl reports the effective values, defaults included
                unit['socket_mode'] = props.get('SocketMode') or unit['socket_mode']
                unit['socket_user'] = props.get('SocketUser') or unit['socket_user']
                unit['socket_group'] = props.get('SocketGroup') or unit['socket_group']
                unit['source'] = 'systemctl'
        return unit

    # ------------------------------------------------------------ process
    @staticmethod
    def gather_process():
        """argv of a running dockerd (used when no unit defines ExecStart)."""
        result = {'pid': None, 'argv': None}
        try:
            pids = [p for p in os.listdir('/proc') if p.isdigit()]
        except OSError:
            return result
        for pid in sorted(pids, key=int):
            try:
                if _read('/proc/%s/comm' % pid).strip() != 'dockerd':
                    continue
                argv = _read('/proc/%s/cmdline' % pid).split('\0')
            except (IOError, OSError):
                continue
            result['pid'] = int(pid)
            result['argv'] = [a for a in argv if a != '']
            break
        return result

    # -------------------------------------------------------- daemon.json
    @staticmethod
    def gather_daemon_json(path):
        data = {'path': path, 'exists': False, 'content': None, 'error': None}
        if not os.path.exists(path):
            return data
        data['exists'] = True
        try:
            text = _read(path)
        except (IOError, OSError) as exc:
            data['error'] = str(exc)
            return data
        if not text.strip():
            data['content'] = {}
            return data
        try:
            data['content'] = json.loads(text)
        except ValueError as exc:
            data['error'] = 'invalid JSON: %s' % exc
        return data

    # -------------------------------------------------------- docker info
    def gather_docker_info(self, sockets):
        data = {'available': False, 'source': None, 'socket': None, 'data': None, 'error': None}
        errors = []
        for path in sockets:
            if not os.path.exists(path):
                continue
            data['socket'] = path
            try:
                info = _api_get(path, '/info')
            except (OSError, ValueError, http.client.HTTPException) as exc:
                errors.append('%s: %s' % (path, exc))
                continue
            data.update(available=True, source='api', data=_subset(info))
            return data
        docker = self.which(self.docker_bin) if not os.path.isabs(self.docker_bin) else self.docker_bin
        if docker and os.path.exists(docker):
            # The roles' reader of `docker info` (hardening.docker.dockerd_facts), asked on the socket found above.
            info, error = read_docker_info(self._run, docker, 'unix://' + data['socket'] if data['socket'] else None)
            if not error:
                data.update(available=True, source='cli', data=_subset(info))
                return data
            errors.append('docker info: %s' % error)
        elif not errors:
            errors.append('no Docker socket at %s and no %s client' % (', '.join(sockets), self.docker_bin))
        data['error'] = '; '.join(errors) or 'daemon not reachable'
        return data

    # -------------------------------------------------------------- paths
    @staticmethod
    def stat_path(path):
        info = {'exists': False}
        if not os.path.lexists(path):
            return info
        try:
            st = os.stat(path)
        except OSError as exc:
            info['error'] = str(exc)
            info['dangling'] = os.path.islink(path)
            return info
        mode = st.st_mode
        if stat.S_ISSOCK(mode):
            kind = 'socket'
        elif stat.S_ISDIR(mode):
            kind = 'dir'
        elif stat.S_ISREG(mode):
            kind = 'file'
        else:
            kind = 'other'
        info.update({
            'exists': True,
            'type': kind,
            'symlink': os.path.islink(path),
            'realpath': os.path.realpath(path),
            'mode': '%04o' % stat.S_IMODE(mode),
            'uid': st.st_uid,
            'gid': st.st_gid,
            'owner': _user_name(st.st_uid),
            'group': _group_name(st.st_gid),
        })
        return info

    # -------------------------------------------------------------- audit
    def gather_audit(self):
        audit = {'auditctl': {'available': False, 'rules': [], 'error': None}, 'rules_files': {}, 'canonical': {}}
        auditctl = self.which('auditctl')
        if not auditctl:
            audit['auditctl']['error'] = 'auditctl not installed'
        else:
            rc, out, err = self._run([auditctl, '-l'])
            if rc == 0:
                lines = [line for line in out.splitlines() if line.strip() and line.strip() != 'No rules']
                audit['auditctl'].update(available=True, rules=lines)
            else:
                lines = [line.strip() for line in (err or out).splitlines() if line.strip()]
                audit['auditctl']['error'] = lines[0] if lines else 'auditctl -l failed (rc=%s)' % rc
        files = []
        for pattern in self.audit_rule_files:
            files.extend(sorted(glob.glob(pattern)))
        for path in files:
            try:
                lines = [line.strip() for line in _read(path).splitlines()]
            except (IOError, OSError):
                continue
            audit['rules_files'][path] = [line for line in lines if line and not line.startswith('#')]
        all_lines = list(audit['auditctl']['rules'])
        for lines in audit['rules_files'].values():
            all_lines.extend(lines)
        for line in all_lines:
            words = line.split()
            for i, word in enumerate(words[:-1]):
                target = None
                if word == '-w':
                    target = words[i + 1]
                elif word == '-F' and words[i + 1].split('=', 1)[0] in ('path', 'dir'):
                    target = words[i + 1].split('=', 1)[1]
                if target and target not in audit['canonical']:
                    audit['canonical'][target] = canonical_watch_path(target)
        return audit

    # ------------------------------------------------------------- groups
    @staticmethod
    def gather_group(name):
        group = {'exists': False, 'gid': None, 'members': []}
        try:
            entry = grp.getgrnam(name)
        except KeyError:
            return group
        members = set(entry.gr_mem)
        try:
            for user in pwd.getpwall():
                if user.pw_gid == entry.gr_gid:
                    members.add(user.pw_name)
        except (OSError, KeyError):
            pass
        group.update(exists=True, gid=entry.gr_gid, members=sorted(members))
        return group

    # ------------------------------------------------------------- kernel
    @staticmethod
    def gather_mounts():
        mounts = []
        for line in _read('/proc/self/mountinfo').splitlines():
            fields = line.split()
            if len(fields) > 4:
                mounts.append(_unescape_mount(fields[4]))
        return sorted(set(mounts))

    def gather_apparmor(self):
        data = {'kernel_enabled': False, 'parser': None, 'loaded_profiles': None,
                'installed_profiles': [], 'error': None}
        try:
            data['kernel_enabled'] = _read('/sys/module/apparmor/parameters/enabled').strip().upper().startswith('Y')
        except (IOError, OSError):
            data['kernel_enabled'] = False
        data['parser'] = self.which('apparmor_parser')
        try:
            data['installed_profiles'] = sorted(
                entry for entry in os.listdir('/etc/apparmor.d')
                if os.path.isfile(posixpath.join('/etc/apparmor.d', entry)))
        except OSError:
            data['installed_profiles'] = []
        if not data['kernel_enabled']:
            return data
        try:
            loaded = {}
            for line in _read('/sys/kernel/security/apparmor/profiles').splitlines():
                name, _sep, mode = line.rpartition(' (')
                if name:
                    loaded[name] = mode.rstrip(')')
            data['loaded_profiles'] = loaded
            return data
        except (IOError, OSError) as exc:
            data['error'] = str(exc)
        aa_status = self.which('aa-status')
        if aa_status:
            rc, out, err = self._run([aa_status, '--json'])
            try:
                parsed = json.loads(out) if rc == 0 else None
            except ValueError:
                parsed = None
            if isinstance(parsed, dict):
                data['loaded_profiles'] = dict(parsed.get('profiles') or {})
                data['error'] = None
            else:
                data['error'] = '%s; aa-status: %s' % (data['error'], (err or out).strip() or rc)
        return data

    @staticmethod
    def gather_selinux():
        data = {'present': False, 'enforcing': None}
        if os.path.exists('/sys/fs/selinux/enforce'):
            data['present'] = True
            try:
                data['enforcing'] = _read('/sys/fs/selinux/enforce').strip() == '1'
            except (IOError, OSError):
                data['enforcing'] = None
        return data

    # -------------------------------------------------------------- certs
    def gather_cert(self, path):
        cert = {'exists': os.path.exists(path), 'not_after': None, 'error': None, 'source': None}
        if not cert['exists']:
            return cert
        try:
            pem = open(path, 'rb').read()
        except (IOError, OSError) as exc:
            cert['error'] = str(exc)
            return cert
        x509 = _x509() if HAS_CRYPTOGRAPHY else None
        if x509 is not None:
            try:
                parsed = x509.load_pem_x509_certificate(pem)
                not_after = getattr(parsed, 'not_valid_after_utc', None)
                if not_after is None:
                    not_after = parsed.not_valid_after.replace(tzinfo=datetime.timezone.utc)
                cert.update(not_after=_isoformat(not_after), source='cryptography')
                return cert
            except (ValueError, TypeError) as exc:
                cert['error'] = 'cryptography: %s' % exc
        openssl = self.which('openssl')
        if not openssl:
            cert['error'] = cert['error'] or 'neither cryptography nor openssl available'
            return cert
        rc, out, err = self._run([openssl, 'x509', '-enddate', '-noout', '-in', path])
        if rc != 0 or 'notAfter=' not in out:
            cert['error'] = (err or out).strip() or 'openssl rc=%s' % rc
            return cert
        text = out.strip().split('notAfter=', 1)[1].strip()
        try:
            parsed = datetime.datetime.strptime(text.replace('  ', ' '), '%b %d %H:%M:%S %Y %Z')
        except ValueError as exc:
            cert['error'] = 'cannot parse %r: %s' % (text, exc)
            return cert
        cert.update(not_after=_isoformat(parsed.replace(tzinfo=datetime.timezone.utc)), source='openssl', error=None)
        return cert

    # --------------------------------------------------------------- main
    def gather(self, controls):
        types = set((c.get('check') or {}).get('type') for c in controls)
        state = {'schema': STATE_SCHEMA, 'collected_at': _isoformat(_utcnow()), 'options': dict(self.options),
                 'errors': {}}

        def step(name, func, *args):
            try:
                return func(*args)
            except Exception as exc:  # noqa: BLE001 - one broken source must not hide the rest
                state['errors'][name] = '%s: %s' % (type(exc).__name__, exc)
                return None

        state['os'] = step('os', _os_release) or {}
        state['units'] = {
            'docker.service': step('docker.service', self.gather_service, 'docker.service') or {},
            'docker.socket': step('docker.socket', self.gather_socket, 'docker.socket') or {},
        }
        state['process'] = step('process', self.gather_process) or {}
        state['daemon_json'] = {'path': self.daemon_json_option}
        provisional = effective_config(state)
        dj_path = provisional['config_file_flag'] or self.daemon_json_option
        state['daemon_json'] = step('daemon_json', self.gather_daemon_json, dj_path) or {
            'path': dj_path, 'exists': None, 'error': state['errors'].get('daemon_json')}
        eff = effective_config(state)
        config = eff['config'] if eff['ok'] else {}

        listen = state['units']['docker.socket'].get('listen')
        sockets = []
        for path in unix_socket_paths(config.get('hosts'), listen) + list(DEFAULT_SOCKETS):
            if path not in sockets:
                sockets.append(path)
        state['docker_info'] = step('docker_info', self.gather_docker_info, sockets) or {
            'available': False, 'error': state['errors'].get('docker_info')}

        if 'daemon_in_sync' in types:
            step('dockerd_running', add_sync_state, state, self._run, self.which('journalctl'))

        paths = set(sockets)
        globs = set()
        for control in controls:
            check = control.get('check') or {}
            paths.update(check_paths(check, state['units'], config))
            globs.update(check.get('globs') or [])
        state['globs'] = {}
        for pattern in sorted(globs):
            matches = sorted(p for p in glob.glob(pattern) if not os.path.isdir(p))
            state['globs'][pattern] = matches
            paths.update(matches)
        state['paths'] = {}
        for path in sorted(paths):
            state['paths'][path] = step('stat ' + path, self.stat_path, path) or {'exists': None}

        if 'audit_rule' in types:
            state['audit'] = step('audit', self.gather_audit) or {}
        groups = set(effective_group(self.options, (c.get('check') or {}).get('group', 'docker')) for c in controls
                     if (c.get('check') or {}).get('type') == 'group_members')
        state['groups'] = dict((name, step('group ' + name, self.gather_group, name)) for name in sorted(groups))
        state['subids'] = {}
        for name in ('subuid', 'subgid'):
            try:
                state['subids'][name] = [line for line in _read('/etc/' + name).splitlines() if line.strip()]
            except (IOError, OSError):
                state['subids'][name] = None
        if 'mount_point' in types:
            state['mounts'] = step('mounts', self.gather_mounts)
        state['apparmor'] = step('apparmor', self.gather_apparmor) or {}
        state['selinux'] = step('selinux', self.gather_selinux) or {}
        state['certs'] = {}
        cert_keys = set((c.get('check') or {}).get('key', 'tlscert') for c in controls
                        if (c.get('check') or {}).get('type') == 'tls_cert_expiry')
        for key in sorted(cert_keys):
            path = config.get(key)
            if not is_unset(path):
                state['certs'][path] = step('cert ' + path, self.gather_cert, path) or {'error': 'unreadable'}

        info = state['docker_info'].get('data') or {}
        if any((c.get('check') or {}).get('container_rule') for c in controls) or types & set(RUNTIME_TYPES):
            state['runtime'] = step('runtime', self.gather_runtime, sockets, info.get('DockerRootDir')) or {
                'available': False, 'error': state['errors'].get('runtime')}
        state['host'] = {
            'hostname': platform.node(),
            'kernel': platform.release(),
            'engine_version': info.get('ServerVersion') or step('engine_version', self._dockerd_version),
        }
        if not state['errors']:
            del state['errors']
        return state

    def gather_runtime(self, sockets, docker_root):
        docker = self.which(self.docker_bin) if not os.path.isabs(self.docker_bin) else self.docker_bin
        return gather_runtime(sockets, self._run, docker, docker_root,
                              include_stopped=self.options['include_stopped'],
                              scan_limit=self.options['volume_scan_limit'])

    def _dockerd_version(self):
        dockerd = self.which('dockerd')
        if not dockerd:
            return None
        rc, out, _err = self._run([dockerd, '--version'])
        if rc != 0:
            return None
        # "Docker version 20.10.24+dfsg1, build 297e128"
        words = out.replace(',', ' ').split()
        return words[2] if len(words) > 2 else out.strip()


# --------------------------------------------------------------------------
# module-level helpers
# --------------------------------------------------------------------------

def _api_get(socket_path, url):
    conn = UnixHTTPConnection(socket_path)
    try:
        conn.request('GET', url, headers={'Host': 'docker'})
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise ValueError('HTTP %s from %s: %s' % (response.status, url, body[:200]))
        return json.loads(body.decode('utf-8'))
    finally:
        conn.close()


def _x509():
    """cryptography's x509 module, or None where cryptography is not installed."""
    try:
        from cryptography import x509
    except ImportError:  # pragma: no cover - depends on the target host
        return None
    return x509


def _subset(info):
    return dict((key, info[key]) for key in INFO_KEYS if key in info)


def _user_name(uid):
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _group_name(gid):
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def _unescape_mount(text):
    out = []
    i = 0
    while i < len(text):
        if text[i] == '\\' and i + 4 <= len(text) and text[i + 1:i + 4].isdigit():
            out.append(chr(int(text[i + 1:i + 4], 8)))
            i += 4
        else:
            out.append(text[i])
            i += 1
    return ''.join(out)


def _os_release():
    data = {}
    for path in ('/etc/os-release', '/usr/lib/os-release'):
        try:
            text = _read(path)
        except (IOError, OSError):
            continue
        env = dict(parse_env_file(text))
        data = {'id': env.get('ID'), 'version_id': env.get('VERSION_ID'),
                'version_codename': env.get('VERSION_CODENAME'), 'pretty_name': env.get('PRETTY_NAME')}
        break
    return data
