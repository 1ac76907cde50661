# -*- coding: utf-8 -*-
# Copyright: hardening.docker contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runtime decisions: CIS section 5 per container, and the volumes' permissions.

Pure functions of the state gathered by ``_audit_runtime_gather`` (or a
recorded fixture). A catalog entry opts in with ``check.container_rule``:

* ``check: {type: containers, container_rule: privileged}``: decided per
  container; the host-level result counts the failing containers.
* ``container_rule`` next to another check type (5.2, 5.14, 5.22, 5.26, 5.31): the daemon
  default is still decided at host level, and a failing container makes the
  host-level result fail too (the evidence names the containers).
"""

from __future__ import annotations

import posixpath

from ansible_collections.hardening.docker.plugins.module_utils._audit_config import effective_config, to_bool
from ansible_collections.hardening.docker.plugins.module_utils._audit_model import (
    ERROR,
    FAIL,
    MANUAL,
    NOT_APPLICABLE,
    PASS,
)

# CIS 5.6: host directories no container should see
SENSITIVE_DIRS = ('/boot', '/dev', '/etc', '/lib', '/proc', '/sys', '/usr')
NAMES_SHOWN = 5  # failing containers named in a host-level evidence sentence
RUNTIME_TYPES = ('containers', 'volume_dirs', 'volume_files')


# ------------------------------------------------------------------ context

def runtime_context(state):
    """Host facts the per-container rules need, computed once per host."""
    eff = effective_config(state)
    config = eff['config'] if eff['ok'] else {}
    info = (state.get('docker_info') or {}).get('data') or {}
    seccomp_profile = None
    for entry in info.get('SecurityOptions') or []:
        parts = dict(p.partition('=')[::2] for p in str(entry).split(','))
        if parts.get('name') == 'seccomp':
            seccomp_profile = parts.get('profile') or 'default'
    runtime = state.get('runtime') or {}
    return {
        'daemon_no_new_privileges': to_bool(config.get('no-new-privileges')) is True,
        'daemon_seccomp_profile': seccomp_profile,
        'apparmor_kernel': bool((state.get('apparmor') or {}).get('kernel_enabled')),
        'sockets': list(runtime.get('sockets_real') or ['/run/docker.sock']),
    }


def _opts(container):
    """SecurityOpt as {name: value}: 'seccomp=unconfined', 'seccomp:x', 'no-new-privileges'."""
    options = {}
    for entry in container.get('security_opt') or []:
        text = str(entry)
        sep = '=' if '=' in text else ':'
        name, _sep, value = text.partition(sep)
        options[name] = value if _sep else 'true'
    return options


def _binds(container):
    for mount in container.get('mounts') or []:
        if mount.get('type') == 'bind':
            yield mount, mount.get('source_real') or mount.get('source') or ''


def _mount_text(mount):
    return '%s:%s%s' % (mount.get('source'), mount.get('destination'), '' if mount.get('rw') else ' (read-only)')


# ---------------------------------------------------------------- the rules

def rule_apparmor(container, ctx):
    profile = container.get('apparmor_profile')
    asked = _opts(container).get('apparmor')
    details = {'apparmor_profile': profile, 'security_opt': container.get('security_opt')}
    if not ctx['apparmor_kernel']:
        return NOT_APPLICABLE, 'the kernel has no AppArmor%s' % (
            ' (the container asks apparmor=%s)' % asked if asked else ''), details
    if container.get('privileged') and not profile:
        return FAIL, 'privileged: no AppArmor profile', details
    if not profile or profile == 'unconfined' or asked == 'unconfined':
        return FAIL, 'AppArmor profile %s' % (profile or 'none'), details
    return PASS, 'AppArmor profile %s' % profile, details


def rule_capabilities(container, ctx):
    details = {'cap_add': container.get('cap_add'), 'cap_drop': container.get('cap_drop')}
    if container.get('privileged'):
        return FAIL, 'privileged: every capability', details
    if container.get('cap_add'):
        return FAIL, 'adds capabilities %s' % ', '.join(container['cap_add']), details
    drops = container.get('cap_drop') or []
    return PASS, 'no capability added%s' % (' (drops %s)' % ', '.join(drops) if drops else ''), details


def rule_privileged(container, ctx):
    if container.get('privileged'):
        return FAIL, 'runs with --privileged', {'privileged': True}
    return PASS, 'not privileged', {'privileged': False}


def rule_sensitive_mounts(container, ctx):
    found = []
    for mount, source in _binds(container):
        source = posixpath.normpath(source)
        if source == '/' or any(source == d or source.startswith(d + '/') for d in SENSITIVE_DIRS):
            found.append(_mount_text(mount))
    if found:
        return FAIL, 'binds %s' % ', '.join(found), {'mounts': found}
    return PASS, 'no sensitive host directory mounted', {'mounts': []}


def _namespace_rule(field, flag):
    def rule(container, ctx):
        mode = container.get(field) or ''
        details = {field: mode}
        if mode == 'host':
            return FAIL, 'shares the host namespace (%s=host)' % flag, details
        return PASS, '%s is %s' % (flag, mode or 'private (default)'), details
    return rule


def rule_memory(container, ctx):
    memory = container.get('memory') or 0
    if memory <= 0:
        return FAIL, 'no memory limit', {'memory': memory}
    return PASS, 'memory limit %d MiB' % (memory // (1024 * 1024)), {'memory': memory}


def rule_readonly_rootfs(container, ctx):
    if container.get('readonly_rootfs'):
        return PASS, 'root file system read-only', {'readonly_rootfs': True}
    return FAIL, 'root file system writable (no --read-only)', {'readonly_rootfs': False}


def rule_devices(container, ctx):
    devices = list(container.get('devices') or [])
    rules = list(container.get('device_cgroup_rules') or [])
    details = {'devices': devices, 'device_cgroup_rules': rules}
    if container.get('privileged'):
        return FAIL, 'privileged: every host device', details
    if devices or rules:
        shown = devices + ['cgroup rule %s' % r for r in rules]
        return FAIL, 'host devices %s' % ', '.join(shown), details
    return PASS, 'no host device', details


def rule_mount_propagation(container, ctx):
    shared = ['%s (%s)' % (_mount_text(m), m.get('propagation')) for m in container.get('mounts') or []
              if m.get('propagation') in ('shared', 'rshared')]
    if shared:
        return FAIL, 'shared mount propagation: %s' % ', '.join(shared), {'mounts': shared}
    return PASS, 'no mount with shared propagation', {'mounts': []}


def rule_seccomp(container, ctx):
    asked = _opts(container).get('seccomp')
    details = {'seccomp': asked, 'daemon_profile': ctx['daemon_seccomp_profile']}
    if container.get('privileged'):
        return FAIL, 'privileged: no seccomp filter', details
    if asked == 'unconfined':
        return FAIL, 'seccomp=unconfined', details
    if asked:
        return PASS, 'own seccomp profile %s' % asked, details
    if ctx['daemon_seccomp_profile'] == 'unconfined':
        return FAIL, 'daemon default seccomp profile is unconfined', details
    return PASS, 'daemon seccomp profile (%s)' % (ctx['daemon_seccomp_profile'] or 'default'), details


def rule_no_new_privileges(container, ctx):
    asked = _opts(container).get('no-new-privileges')
    details = {'no_new_privileges': asked, 'daemon_default': ctx['daemon_no_new_privileges']}
    if asked is not None:
        if to_bool(asked) is True:
            return PASS, 'no-new-privileges set on the container', details
        return FAIL, 'no-new-privileges=%s on the container' % asked, details
    if ctx['daemon_no_new_privileges']:
        return PASS, 'no-new-privileges from the daemon default', details
    return FAIL, 'no-new-privileges neither on the container nor the daemon default', details


def rule_pids_limit(container, ctx):
    limit = container.get('pids_limit')
    if not limit or limit < 0:
        return FAIL, 'no PIDs limit', {'pids_limit': limit}
    return PASS, 'PIDs limit %d' % limit, {'pids_limit': limit}


def rule_privileged_ports(container, ctx):
    low = ['%s -> %s' % (p.get('host_port'), p.get('port')) for p in container.get('ports') or []
           if str(p.get('host_port') or '').isdigit() and int(p['host_port']) < 1024]
    if low:
        return FAIL, 'privileged host ports %s' % ', '.join(low), {'ports': low}
    return PASS, 'no host port below 1024', {'ports': []}


def rule_host_interface(container, ctx):
    wide = ['%s:%s -> %s' % (p.get('host_ip') or '*', p.get('host_port'), p.get('port'))
            for p in container.get('ports') or [] if (p.get('host_ip') or '') in ('', '0.0.0.0', '::')]
    if wide:
        return FAIL, 'published on every host interface: %s' % ', '.join(wide), {'ports': wide}
    shown = ', '.join('%s:%s' % (p.get('host_ip'), p.get('host_port')) for p in container.get('ports') or [])
    return PASS, 'ports bound to %s' % shown if shown else 'no published port', {'ports': []}


def rule_docker_socket(container, ctx):
    found = []
    for mount, source in _binds(container):
        source = posixpath.normpath(source)
        for sock in ctx['sockets']:
            if sock == source:
                found.append(_mount_text(mount))
            elif source == '/' or sock.startswith(source.rstrip('/') + '/'):
                found.append('%s (holds %s)' % (_mount_text(mount), sock))
    if found:
        return FAIL, 'Docker socket mounted: %s' % ', '.join(found), {'mounts': found}
    return PASS, 'no Docker socket mounted', {'mounts': []}


RULES = {
    'apparmor': rule_apparmor,
    'capabilities': rule_capabilities,
    'privileged': rule_privileged,
    'sensitive_mounts': rule_sensitive_mounts,
    'privileged_ports': rule_privileged_ports,
    'host_network': _namespace_rule('network_mode', '--network'),
    'memory': rule_memory,
    'readonly_rootfs': rule_readonly_rootfs,
    'host_interface': rule_host_interface,
    'host_pid': _namespace_rule('pid_mode', '--pid'),
    'host_ipc': _namespace_rule('ipc_mode', '--ipc'),
    'devices': rule_devices,
    'mount_propagation': rule_mount_propagation,
    'host_uts': _namespace_rule('uts_mode', '--uts'),
    'seccomp': rule_seccomp,
    'no_new_privileges': rule_no_new_privileges,
    'pids_limit': rule_pids_limit,
    'host_userns': _namespace_rule('userns_mode', '--userns'),
    'docker_socket': rule_docker_socket,
}


# ------------------------------------------------------------- per container

def _runtime(state):
    """(containers, problem): problem is the reason no container can be judged, or None."""
    runtime = state.get('runtime')
    if runtime is None:
        return None, 'containers were not inspected'
    if not runtime.get('available'):
        return None, 'containers could not be listed: %s' % (runtime.get('error') or 'unknown error')
    return runtime.get('containers') or [], None


def container_result(control, container, status, evidence, details):
    return {
        'id': str(control.get('id')),
        'title': control.get('title', ''),
        'container': container.get('name'),
        'container_id': (container.get('id') or '')[:12],
        'image': container.get('image'),
        'state': container.get('state'),
        'status': status,
        'evidence': evidence,
        'details': details,
    }


def decide_container(control, container, ctx):
    rule = RULES.get((control.get('check') or {}).get('container_rule'))
    if rule is None:
        return container_result(control, container, ERROR, 'unknown container rule', {})
    try:
        status, evidence, details = rule(container, ctx)
    except (KeyError, TypeError, ValueError) as exc:
        status, evidence, details = ERROR, 'cannot evaluate: %s: %s' % (type(exc).__name__, exc), {}
    if status in (PASS, NOT_APPLICABLE):
        details = {}  # the sentence says it all; hundreds of containers keep the result small
    return container_result(control, container, status, evidence, details)


def evaluate_runtime(state, controls):
    """Per-container results of every control with a container rule (container by container)."""
    containers, problem = _runtime(state)
    if problem:
        return []
    ctx = runtime_context(state)
    ruled = [c for c in controls if (c.get('check') or {}).get('container_rule')]
    results = []
    for container in sorted(containers, key=lambda c: (c.get('name') or '', c.get('id') or '')):
        for control in ruled:
            results.append(decide_container(control, container, ctx))
    return results


def _scope(state):
    return 'containers' if (state.get('runtime') or {}).get('include_stopped') else 'running containers'


def aggregate(state, control, per_container):
    """Host-level (status, evidence, details) of one control from its per-container results."""
    containers, problem = _runtime(state)
    if problem:
        return ERROR, problem, {}
    scope = _scope(state)
    if not containers:
        return NOT_APPLICABLE, 'no %s' % scope, {'containers': 0}
    failing = [r for r in per_container if r['status'] == FAIL]
    errors = [r for r in per_container if r['status'] == ERROR]
    applicable = [r for r in per_container if r['status'] != NOT_APPLICABLE]
    details = {'containers': len(per_container),
               'failing': ['%s (%s)' % (r['container'], r['container_id']) for r in failing],
               'errors': ['%s (%s)' % (r['container'], r['container_id']) for r in errors]}
    if failing:
        shown = ', '.join('%s: %s' % (r['container'], r['evidence']) for r in failing[:NAMES_SHOWN])
        more = ' and %d more' % (len(failing) - NAMES_SHOWN) if len(failing) > NAMES_SHOWN else ''
        return FAIL, '%d of %d %s fail: %s%s' % (len(failing), len(per_container), scope, shown, more), details
    if errors:
        return ERROR, '%d of %d %s could not be judged: %s' % (
            len(errors), len(per_container), scope, errors[0]['evidence']), details
    if not applicable:
        return NOT_APPLICABLE, per_container[0]['evidence'], details
    return PASS, 'all %d %s pass' % (len(per_container), scope), details


def check_containers(state, control, params):
    ctx = runtime_context(state)
    containers, _problem = _runtime(state)
    ordered = sorted(containers or [], key=lambda c: (c.get('name') or '', c.get('id') or ''))
    return aggregate(state, control, [decide_container(control, c, ctx) for c in ordered])


def merge_host_result(result, state, per_container):
    """Fold the containers into a host-level result decided from the daemon's defaults."""
    containers, problem = _runtime(state)
    if problem:
        result['evidence'] += '; %s' % problem
        return result
    if not containers:
        result['evidence'] += '; no %s' % _scope(state)
        return result
    status, evidence, details = aggregate(state, None, per_container)
    result['details'] = dict(result.get('details') or {}, containers=details)
    if status == NOT_APPLICABLE:
        evidence = 'not applicable to the %d %s' % (len(per_container), _scope(state))
    result['evidence'] += '; %s' % evidence
    if status == FAIL and result['status'] != FAIL:
        result['status'] = FAIL
    return result


# -------------------------------------------------------------------- volumes

def _volumes(state):
    runtime = state.get('runtime')
    if runtime is None:
        return None, 'volumes were not inspected'
    if not runtime.get('available'):
        return None, 'volumes could not be listed: %s' % (runtime.get('error') or 'unknown error')
    if runtime.get('volumes') is None:
        return None, 'DockerRootDir unknown (docker info unavailable)'
    return runtime['volumes'], None


def _mode(entry):
    return int(entry.get('mode') or '0', 8)


def remapped_root_uid(state):
    """With userns-remap, DockerRootDir is <data-root>/<uid>.<gid>: the remapped root's uid."""
    info = (state.get('docker_info') or {}).get('data') or {}
    if not any(str(o).startswith('name=userns') for o in info.get('SecurityOptions') or []):
        return None
    uid, _sep, gid = posixpath.basename((info.get('DockerRootDir') or '').rstrip('/')).partition('.')
    return int(uid) if uid.isdigit() and gid.isdigit() else None


def check_volume_dirs(state, control, params):
    volumes, problem = _volumes(state)
    if problem:
        return ERROR, problem, {}
    root = volumes.get('root') or {}
    remapped = remapped_root_uid(state)
    details = {'root': root, 'volumes': [], 'remapped_root_uid': remapped}
    if not root.get('exists'):
        return NOT_APPLICABLE, '%s does not exist' % root.get('path'), details
    problems = []
    if root.get('uid') not in (0, remapped):
        problems.append('%s is owned by uid %s, not root%s' % (
            root['path'], root.get('uid'), ' or the remapped root %s' % remapped if remapped is not None else ''))
    if _mode(root) & 0o026:
        problems.append('%s is %s: other users can list or change the volumes' % (root['path'], root['mode']))
    local = [v for v in volumes.get('volumes') or [] if not v.get('skipped')]
    for volume in local:
        for key in ('dir', 'data'):
            entry = volume.get(key) or {}
            details['volumes'].append(dict(entry, volume=volume.get('name')))
            if entry.get('exists') and _mode(entry) & 0o002:
                problems.append('volume %s: %s is %s (world-writable)' % (volume.get('name'), entry['path'], entry['mode']))
    if problems:
        return FAIL, '; '.join(problems), details
    return PASS, '%s is %s uid %s; no directory of %d local volume(s) is world-writable' % (
        root['path'], root['mode'], root.get('uid'), len(local)), details


def check_volume_files(state, control, params):
    volumes, problem = _volumes(state)
    if problem:
        return ERROR, problem, {}
    scan = volumes.get('scan') or {}
    local = [v for v in volumes.get('volumes') or [] if not v.get('skipped')]
    details = {'limit': scan.get('limit'), 'scanned': scan.get('scanned'), 'truncated': bool(scan.get('truncated')),
               'volumes': []}
    if not local:
        return NOT_APPLICABLE, 'no local named volumes', details
    findings = []
    for volume in local:
        result = volume.get('scan') or {}
        details['volumes'].append({
            'volume': volume.get('name'), 'path': volume.get('mountpoint'), 'scanned': result.get('scanned', 0),
            'truncated': bool(result.get('truncated')),
            'world_writable': result.get('world_writable', 0), 'world_readable': result.get('world_readable', 0),
            'world_writable_paths': result.get('world_writable_paths', []),
            'world_readable_paths': result.get('world_readable_paths', []),
        })
        if result.get('world_writable'):
            findings.append('volume %s: %d world-writable (%s)' % (
                volume.get('name'), result['world_writable'], ', '.join(result['world_writable_paths'][:3])))
        if result.get('world_readable'):
            findings.append('volume %s: %d readable by every host user (%s)' % (
                volume.get('name'), result['world_readable'], ', '.join(result['world_readable_paths'][:3])))
    bound = 'scanned %s of at most %s entries%s' % (
        scan.get('scanned'), scan.get('limit'), ', truncated' if scan.get('truncated') else '')
    if findings:
        return FAIL, '%s (%s)' % ('; '.join(findings), bound), details
    if scan.get('truncated'):
        return MANUAL, 'nothing found before the scan limit stopped it (%s): raise volume_scan_limit' % bound, details
    return PASS, 'no world-writable or world-readable file in %d local volume(s) (%s)' % (len(local), bound), details


RUNTIME_CHECKS = {
    'containers': check_containers,
    'volume_dirs': check_volume_dirs,
    'volume_files': check_volume_files,
}
