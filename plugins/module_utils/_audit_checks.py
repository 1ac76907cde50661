# -*- coding: utf-8 -*-
# Copyright: hardening.docker contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Decisions of the audit: pure functions ``(state, control) -> result``.

``state`` is the dict gathered once per host by ``_audit_gather`` (or loaded
from a recorded fixture); nothing here touches the host. Every check type
named in ``controls/catalog.yml`` has exactly one function in ``CHECKS``.
"""

from __future__ import annotations

import datetime
import posixpath

from ansible_collections.hardening.docker.plugins.module_utils._audit_config import (
    effective_config,
    effective_group,
    host_kind,
    is_unset,
    to_bool,
    unix_socket_paths,
)
from ansible_collections.hardening.docker.plugins.module_utils._audit_model import (
    ERROR,
    FAIL,
    MANUAL,
    NOT_APPLICABLE,
    PASS,
    make_result,
)
from ansible_collections.hardening.docker.plugins.module_utils._daemon_sync import sync_findings
from ansible_collections.hardening.docker.plugins.module_utils._audit_runtime_checks import (
    RUNTIME_CHECKS,
    evaluate_runtime,
    merge_host_result,
)

DEFAULT_EXPIRY_THRESHOLD_DAYS = 30


class CheckError(Exception):
    """A decision cannot be made (missing input); becomes status ``error``."""


# --------------------------------------------------------------------------
# helpers over the recorded state
# --------------------------------------------------------------------------

def _config(state):
    """Effective config of the state (recomputed: the state is never mutated here)."""
    return effective_config(state)


def _config_or_error(state):
    eff = _config(state)
    if not eff['ok']:
        raise CheckError(eff['error'])
    return eff


def _docker_info(state):
    info = state.get('docker_info') or {}
    if not info.get('available'):
        raise CheckError('docker info unavailable: %s' % (info.get('error') or 'not collected'))
    return info.get('data') or {}


def _docker_info_optional(state):
    info = state.get('docker_info') or {}
    if info.get('available'):
        return info.get('data') or {}
    return None


def _dig(data, dotted):
    cur = data
    for part in dotted.split('.'):
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur


def _security_options(info):
    """['name=seccomp,profile=default', 'name=userns'] -> {'seccomp': {'profile': 'default'}, 'userns': {}}."""
    options = {}
    for entry in info.get('SecurityOptions') or []:
        props = {}
        name = None
        for part in str(entry).split(','):
            key, _sep, value = part.partition('=')
            if key == 'name':
                name = value
            else:
                props[key] = value
        if name is None:
            # very old engines: plain names such as "apparmor"
            name = str(entry)
        options[name] = props
    return options


def _path_info(state, path):
    return (state.get('paths') or {}).get(path) or {'exists': None}


def _existing_targets(state, paths):
    """Resolve candidate paths to the files that really exist (deduplicated by realpath)."""
    seen = {}
    unknown = []
    for path in paths:
        info = _path_info(state, path)
        if info.get('exists') is None:
            unknown.append(path)
            continue
        if info.get('exists'):
            real = info.get('realpath') or path
            seen.setdefault(real, dict(info, path=path, realpath=real))
    return list(seen.values()), unknown


def _mode_int(mode):
    if mode is None:
        return None
    if isinstance(mode, int):
        return mode
    return int(str(mode), 8)


def _fmt_mode(mode):
    return '%04o' % mode


_SOURCE_TEXT = {
    'daemon.json': 'set in daemon.json',
    'flag': 'set by a dockerd flag',
    'daemon.json+flag': 'set in daemon.json and by a flag',
}


def _fmt_value(value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if value is None:
        return 'unset'
    if isinstance(value, dict):
        return '{%s}' % ', '.join(sorted(str(k) for k in value))
    if isinstance(value, list):
        return '[%s]' % ', '.join(str(v) for v in value)
    return str(value)


# --------------------------------------------------------------------------
# check types
# --------------------------------------------------------------------------

def check_manual(state, control, params):
    facts = {}
    host = state.get('host') or {}
    info = _docker_info_optional(state) or {}
    for fact in params.get('facts') or []:
        if fact == 'engine_version':
            facts[fact] = info.get('ServerVersion') or host.get('engine_version')
        elif fact == 'security_options':
            facts[fact] = info.get('SecurityOptions')
        elif fact == 'seccomp_profile':
            facts[fact] = _config(state)['config'].get('seccomp-profile') if _config(state)['ok'] else None
        elif fact == 'os':
            facts[fact] = (state.get('os') or {}).get('pretty_name')
        else:
            facts[fact] = host.get(fact)
    shown = ', '.join('%s: %s' % (k, _fmt_value(v)) for k, v in facts.items() if v not in (None, [], ''))
    evidence = 'Manual review required' + (' (%s)' % shown if shown else '')
    return MANUAL, evidence, {'facts': facts}


def check_daemon_key(state, control, params):
    eff = _config_or_error(state)
    key = params['key']
    config = eff['config']
    present = key in config and not is_unset(config.get(key))
    value = config.get(key) if present else None
    source = eff['sources'].get(key) if present else 'default'
    default = params.get('default')
    effective = value if present else default
    details = {'key': key, 'value': value, 'source': source, 'default': default,
               'daemon_json': eff['daemon_json_path'], 'argv_source': eff['argv_source']}

    if key in eff['conflicts']:
        return FAIL, '%s is set both in daemon.json and as a dockerd flag; dockerd refuses to start' % key, details

    if present:
        shown = '%s is %s (%s)' % (key, _fmt_value(value), _SOURCE_TEXT.get(source, source))
    elif default is None:
        shown = '%s is not set' % key
    else:
        shown = '%s is %s (not set, engine default)' % (key, _fmt_value(default))
    status = PASS
    reason = None

    if 'expect' in params:
        expect = params['expect']
        got = to_bool(effective) if isinstance(expect, bool) else effective
        if got != expect:
            status = FAIL
            reason = '%s, expected %s' % (shown, _fmt_value(expect))
        else:
            reason = shown
    if params.get('expect_set'):
        if not present:
            status = FAIL
            reason = '%s is not set' % key
        elif reason is None:
            reason = shown
    if params.get('expect_unset'):
        if present:
            status = FAIL
            reason = shown
        else:
            reason = '%s is not set' % key
    if 'forbid' in params:
        if effective in params['forbid']:
            status = FAIL
            reason = '%s, which is not allowed' % shown
        elif reason is None:
            reason = shown
    if params.get('forbid_item_prefix'):
        prefix = params['forbid_item_prefix']
        items = value if isinstance(value, list) else ([value] if value else [])
        bad = [item for item in items if str(item).startswith(prefix)]
        if bad:
            status = FAIL
            reason = '%s contains %s' % (key, ', '.join(bad))
        elif reason is None:
            reason = '%s has no %s option' % (key, prefix)
    if params.get('when_set') and present and status == PASS:
        status = params['when_set']
        reason = '%s: confirm it is intended' % shown
    if reason is None:
        reason = shown

    info_field = params.get('info_field')
    if info_field:
        info = _docker_info_optional(state)
        if info is None:
            details['running'] = None
            reason += '; running value unknown (docker info unavailable)'
        else:
            running = info.get(info_field)
            details['running'] = running
            ok_running = True
            if 'expect' in params:
                ok_running = (to_bool(running) if isinstance(params['expect'], bool) else running) == params['expect']
            if 'forbid' in params:
                ok_running = ok_running and running not in params['forbid']
            if not ok_running:
                if status == PASS:
                    reason = '%s; but the running daemon reports %s=%s (restart pending?)' % (
                        reason, info_field, _fmt_value(running))
                status = FAIL
    return status, reason, details


def check_docker_info(state, control, params):
    info = _docker_info(state)
    field = params['field']
    value = _dig(info, field)
    details = {'field': field, 'value': value}
    if 'allowed' in params:
        allowed = ['' if a is None else a for a in params['allowed']]
        ok = ('' if value is None else value) in allowed
        return (PASS if ok else FAIL), '%s is %s' % (field, _fmt_value(value)), details
    if 'forbid' in params:
        ok = value not in params['forbid']
        return (PASS if ok else FAIL), '%s is %s' % (field, _fmt_value(value)), details
    raise CheckError('docker_info check needs allowed or forbid')


def check_security_option(state, control, params):
    info = _docker_info(state)
    options = _security_options(info)
    name = params['name']
    details = {'security_options': info.get('SecurityOptions') or [], 'name': name}
    if name == 'userns':
        remap = _config(state)['config'].get('userns-remap') if _config(state)['ok'] else None
        details['userns_remap'] = remap
        details['subuid'] = (state.get('subids') or {}).get('subuid')
        details['subgid'] = (state.get('subids') or {}).get('subgid')
    if name not in options:
        status = params.get('absent_status', FAIL)
        return status, 'docker info security options do not contain name=%s' % name, details
    props = options[name]
    for prop, bad_values in (params.get('forbid') or {}).items():
        if props.get(prop) in bad_values:
            return FAIL, 'name=%s is active with %s=%s' % (name, prop, props.get(prop)), details
    shown = ','.join('%s=%s' % kv for kv in sorted(props.items()))
    return PASS, 'name=%s is active%s' % (name, (' (%s)' % shown) if shown else ''), details


def _tcp_hosts(eff):
    hosts = eff['config'].get('hosts') or []
    if isinstance(hosts, str):
        hosts = [hosts]
    return [h for h in hosts if host_kind(h) == 'tcp'], hosts


def check_tls(state, control, params):
    eff = _config_or_error(state)
    tcp, hosts = _tcp_hosts(eff)
    config = eff['config']
    details = {'hosts': hosts, 'tcp_hosts': tcp}
    for key in ('tls', 'tlsverify', 'tlscacert', 'tlscert', 'tlskey'):
        details[key] = config.get(key)
    if not tcp:
        return NOT_APPLICABLE, 'dockerd does not listen on TCP', details
    missing = [k for k in ('tlscacert', 'tlscert', 'tlskey') if is_unset(config.get(k))]
    if to_bool(config.get('tlsverify')) is not True:
        return FAIL, 'TCP listener %s without tlsverify' % ', '.join(tcp), details
    if missing:
        return FAIL, 'tlsverify is on but %s not set explicitly' % ', '.join(missing), details
    return PASS, 'TCP listener %s uses tlsverify with CA, certificate and key' % ', '.join(tcp), details


def _now(state):
    text = state.get('collected_at')
    if text:
        return _parse_time(text)
    return datetime.datetime.now(datetime.timezone.utc)


def _parse_time(text):
    text = str(text).replace('Z', '+00:00')
    value = datetime.datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value


def check_tls_cert_expiry(state, control, params):
    eff = _config_or_error(state)
    key = params.get('key', 'tlscert')
    path = eff['config'].get(key)
    tcp, _hosts = _tcp_hosts(eff)
    threshold = int((state.get('options') or {}).get('tls_expiry_threshold_days', DEFAULT_EXPIRY_THRESHOLD_DAYS))
    details = {'key': key, 'path': path, 'threshold_days': threshold}
    if is_unset(path):
        if tcp:
            return FAIL, 'dockerd listens on TCP but %s is not set' % key, details
        return NOT_APPLICABLE, 'no TLS server certificate configured', details
    cert = (state.get('certs') or {}).get(path)
    if cert is None:
        raise CheckError('certificate %s was not inspected' % path)
    if not cert.get('exists', True):
        return FAIL, 'certificate %s does not exist' % path, details
    if cert.get('error'):
        raise CheckError('cannot read certificate %s: %s' % (path, cert['error']))
    not_after = _parse_time(cert['not_after'])
    days_left = (not_after - _now(state)).total_seconds() / 86400.0
    details.update({'not_after': cert['not_after'], 'days_left': int(days_left // 1)})
    if days_left < threshold:
        if days_left < 0:
            return FAIL, 'certificate %s expired on %s' % (path, cert['not_after']), details
        return FAIL, 'certificate %s expires in %d days (< %d)' % (path, int(days_left), threshold), details
    return PASS, 'certificate %s valid for %d more days (>= %d)' % (path, int(days_left), threshold), details


def check_no_plaintext_tcp(state, control, params):
    eff = _config_or_error(state)
    tcp, hosts = _tcp_hosts(eff)
    verify = to_bool(eff['config'].get('tlsverify')) is True
    details = {'hosts': hosts, 'tcp_hosts': tcp, 'tlsverify': eff['config'].get('tlsverify')}
    if not tcp:
        return PASS, 'no TCP listener', details
    if verify:
        return PASS, 'TCP listener %s requires tlsverify' % ', '.join(tcp), details
    return FAIL, 'plaintext TCP listener %s (no tlsverify)' % ', '.join(tcp), details


def _file_paths(state, params):
    """Candidate paths of a file_mode check: paths, unit fragment, globs, config key."""
    paths = list(params.get('paths') or [])
    unit_name = params.get('unit')
    if unit_name:
        unit = (state.get('units') or {}).get(unit_name) or {}
        if unit.get('fragment_path'):
            paths.insert(0, unit['fragment_path'])
    for pattern in params.get('globs') or []:
        matches = (state.get('globs') or {}).get(pattern)
        if matches is None:
            raise CheckError('glob %s was not expanded' % pattern)
        paths.extend(matches)
    key = params.get('from_key')
    if key:
        eff = _config_or_error(state)
        value = eff['config'].get(key)
        if not is_unset(value):
            paths.append(value)
    return paths


def check_file_mode(state, control, params):
    paths = _file_paths(state, params)
    key = params.get('from_key')
    if key and not paths:
        return NOT_APPLICABLE, '%s is not configured' % key, {'key': key}
    targets, unknown = _existing_targets(state, paths)
    if unknown:
        raise CheckError('not inspected: %s' % ', '.join(unknown))
    details = {'paths': paths, 'checked': []}
    if not targets:
        return NOT_APPLICABLE, 'none of %s exists' % ', '.join(paths) if paths else 'no matching files', details
    owner = params.get('owner')
    group = params.get('group') and effective_group(state.get('options'), params['group'])
    max_mode = _mode_int(params.get('max_mode'))
    problems = []
    for target in targets:
        if target.get('error'):
            raise CheckError('cannot stat %s: %s' % (target['realpath'], target['error']))
        mode = _mode_int(target.get('mode'))
        entry = {'path': target['realpath'], 'owner': target.get('owner'), 'group': target.get('group'),
                 'mode': _fmt_mode(mode) if mode is not None else None}
        details['checked'].append(entry)
        if owner and target.get('owner') != owner:
            problems.append('%s owner %s (expected %s)' % (target['realpath'], target.get('owner'), owner))
        if group and target.get('group') != group:
            problems.append('%s group %s (expected %s)' % (target['realpath'], target.get('group'), group))
        if max_mode is not None and mode & (0o7777 ^ (max_mode & 0o7777)):
            problems.append('%s mode %s (allowed at most %s)' % (target['realpath'], _fmt_mode(mode), _fmt_mode(max_mode)))
    if problems:
        return FAIL, '; '.join(problems), details
    parts = []
    if owner or group:
        parts.append('owned by %s:%s' % (owner or '*', group or '*'))
    if max_mode is not None:
        parts.append('mode within %s' % _fmt_mode(max_mode))
    names = ', '.join(t['realpath'] for t in targets)
    return PASS, '%s %s' % (names, ' and '.join(parts)), details


def _socket_unit(state, name):
    return (state.get('units') or {}).get(name) or {}


def check_socket_mode(state, control, params):
    eff = _config_or_error(state)
    unit = _socket_unit(state, params.get('unit', 'docker.socket'))
    served = unix_socket_paths(eff['config'].get('hosts'), unit.get('listen'))
    candidates = served + [p for p in params.get('paths') or [] if p not in served]
    targets, unknown = _existing_targets(state, candidates)
    sockets = [t for t in targets if t.get('type') == 'socket']
    details = {'candidates': candidates, 'unit': {k: unit.get(k) for k in ('socket_mode', 'socket_user', 'socket_group', 'listen')}}
    if not sockets:
        if unknown and not targets:
            raise CheckError('not inspected: %s' % ', '.join(unknown))
        return FAIL, 'no Docker unix socket found at %s' % ', '.join(candidates), details
    want_mode = _mode_int(params.get('mode', '0660'))
    owner = params.get('owner', 'root')
    group = effective_group(state.get('options'), params.get('group', 'docker'))
    problems = []
    checked = []
    for sock in sockets:
        mode = _mode_int(sock.get('mode'))
        checked.append({'path': sock['realpath'], 'mode': _fmt_mode(mode), 'owner': sock.get('owner'), 'group': sock.get('group')})
        if mode != want_mode or sock.get('owner') != owner or sock.get('group') != group:
            problems.append('%s is %s %s:%s' % (sock['realpath'], _fmt_mode(mode), sock.get('owner'), sock.get('group')))
    details['checked'] = checked
    declared = ''
    if unit.get('socket_mode'):
        declared = ' (docker.socket declares %s %s:%s)' % (
            unit.get('socket_mode'), unit.get('socket_user') or 'root', unit.get('socket_group') or 'root')
    if problems:
        return FAIL, '%s, expected %s %s:%s%s' % ('; '.join(problems), _fmt_mode(want_mode), owner, group, declared), details
    return PASS, '%s is %s %s:%s%s' % (', '.join(c['path'] for c in checked), _fmt_mode(want_mode), owner, group, declared), details


def _rule_watch_paths(line):
    """Paths a single audit rule line watches (-w PATH, -F path=, -F dir=)."""
    words = line.split()
    if not words or words[0].startswith('#'):
        return []
    if '-a' in words:
        action = words[words.index('-a') + 1] if words.index('-a') + 1 < len(words) else ''
        if action.startswith('never') or action.endswith(',never'):
            return []
    found = []
    for i, word in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else ''
        if word == '-w' and nxt:
            found.append(nxt)
        elif word == '-F' and (nxt.startswith('path=') or nxt.startswith('dir=')):
            found.append(nxt.split('=', 1)[1])
    return found


def _canonical_rule_path(state, path):
    canonical = (state.get('audit') or {}).get('canonical') or {}
    if path in canonical:
        return canonical[path]
    return posixpath.normpath(path)


def check_audit_rule(state, control, params):
    paths = list(params.get('paths') or [])
    targets, unknown = _existing_targets(state, paths)
    if unknown and not targets:
        raise CheckError('not inspected: %s' % ', '.join(unknown))
    audit = state.get('audit') or {}
    auditctl = audit.get('auditctl') or {}
    details = {'paths': paths, 'targets': [t['realpath'] for t in targets]}
    if not targets:
        return NOT_APPLICABLE, 'none of %s exists on this host' % ', '.join(paths), details

    if auditctl.get('available'):
        lines = auditctl.get('rules') or []
        where = 'loaded rules (auditctl -l)'
    else:
        lines = []
        for _name, file_lines in sorted((audit.get('rules_files') or {}).items()):
            lines.extend(file_lines)
        where = 'rule files (auditctl unusable: %s)' % (auditctl.get('error') or 'not installed')
    details['source'] = where
    watched = {}
    for line in lines:
        for raw in _rule_watch_paths(line):
            watched.setdefault(_canonical_rule_path(state, raw), line.strip())
    missing = [t['realpath'] for t in targets if t['realpath'] not in watched]
    details['rules'] = dict((t['realpath'], watched.get(t['realpath'])) for t in targets)
    hints = []
    for path in paths:
        info = _path_info(state, path)
        canon = _canonical_rule_path(state, path)
        if info.get('symlink') and info.get('realpath') in missing and canon in watched:
            hints.append('a rule watches the symlink %s, not its target %s' % (path, info['realpath']))
    if hints:
        details['hints'] = hints
    if not auditctl.get('available') and not lines:
        return FAIL, 'no audit rules: %s and no rule files in /etc/audit' % (
            auditctl.get('error') or 'auditctl not installed'), details
    if missing:
        return FAIL, 'no audit rule for %s in %s%s' % (
            ', '.join(missing), where, ('; ' + '; '.join(hints)) if hints else ''), details
    return PASS, 'audit rule present for %s in %s' % (', '.join(t['realpath'] for t in targets), where), details


def check_group_members(state, control, params):
    group_name = effective_group(state.get('options'), params.get('group', 'docker'))
    group = (state.get('groups') or {}).get(group_name)
    if group is None:
        raise CheckError('group %s was not inspected' % group_name)
    members = sorted(set(group.get('members') or []))
    allowed = params.get('allowed')
    if allowed is None:
        allowed = (state.get('options') or {}).get('trusted_users')
    details = {'group': group_name, 'exists': group.get('exists'), 'members': members, 'allowed': allowed}
    if not group.get('exists'):
        return PASS, 'group %s does not exist: only root can use the socket' % group_name, details
    if not members:
        return PASS, 'group %s has no members' % group_name, details
    if allowed is None:
        return MANUAL, 'group %s members: %s (no allow-list given; review them)' % (group_name, ', '.join(members)), details
    extra = [m for m in members if m not in allowed]
    if extra:
        return FAIL, 'untrusted members of %s: %s' % (group_name, ', '.join(extra)), details
    return PASS, 'all members of %s are allowed: %s' % (group_name, ', '.join(members)), details


def check_mount_point(state, control, params):
    path = params.get('path', '/var/lib/docker')
    info = _docker_info_optional(state)
    source = 'catalog'
    if params.get('use_docker_root', True) and info and info.get('DockerRootDir'):
        path = info['DockerRootDir']
        source = 'docker info'
        options = _security_options(info)
        if 'userns' in options:
            # with userns-remap the root is <data-root>/<uid>.<gid>
            path = posixpath.dirname(path.rstrip('/'))
    mounts = state.get('mounts')
    if mounts is None:
        raise CheckError('mount table was not read')
    details = {'path': path, 'path_source': source}
    best = '/'
    for mount in mounts:
        if path == mount or path.startswith(mount.rstrip('/') + '/'):
            if len(mount) > len(best):
                best = mount
    details['mounted_on'] = best
    if path in mounts:
        return PASS, '%s is a separate mount point' % path, details
    return FAIL, '%s is not a mount point (it lives on %s)' % (path, best), details


def check_lsm(state, control, params):
    lsm = params['lsm']
    apparmor = state.get('apparmor') or {}
    selinux = state.get('selinux') or {}
    details = {'lsm': lsm, 'apparmor_kernel': apparmor.get('kernel_enabled'), 'selinux': selinux.get('present')}
    if lsm == 'apparmor':
        if not apparmor.get('kernel_enabled'):
            return NOT_APPLICABLE, 'the kernel has no AppArmor enabled%s' % (
                ' (SELinux host)' if selinux.get('present') else ''), details
    elif lsm == 'selinux':
        if not selinux.get('present'):
            return NOT_APPLICABLE, 'SELinux is not enabled in the kernel', details
        details['enforcing'] = selinux.get('enforcing')
    else:
        raise CheckError('unknown lsm %s' % lsm)
    info = _docker_info(state)
    options = _security_options(info)
    details['security_options'] = info.get('SecurityOptions') or []
    if lsm in options:
        return PASS, 'dockerd applies %s to containers by default (name=%s)' % (lsm, lsm), details
    if lsm == 'selinux':
        return FAIL, 'SELinux is enabled but dockerd runs without selinux-enabled', details
    return FAIL, 'AppArmor is enabled but dockerd does not use it (apparmor_parser missing?)', details


def check_apparmor_profiles(state, control, params):
    apparmor = state.get('apparmor') or {}
    profiles = params.get('profiles') or []
    files = params.get('files') or []
    profile_dir = params.get('profile_dir', '/etc/apparmor.d')
    installed = apparmor.get('installed_profiles') or []
    details = {'kernel_enabled': apparmor.get('kernel_enabled'), 'parser': apparmor.get('parser'),
               'profiles': profiles, 'files': files}
    missing_files = [f for f in files if f not in installed]
    # As the apparmor role decides (mac_facts): without an active AppArmor, a
    # SELinux host confines containers with SELinux labels (control 5.3, selinux-enabled).
    if (state.get('selinux') or {}).get('present') and not apparmor.get('kernel_enabled'):
        return NOT_APPLICABLE, 'SELinux host without AppArmor: containers are confined by SELinux labels (5.3)', details
    if not apparmor.get('parser'):
        return FAIL, 'apparmor_parser is not installed', details
    if missing_files:
        return FAIL, 'profiles not installed in %s: %s' % (profile_dir, ', '.join(missing_files)), details
    if not apparmor.get('kernel_enabled'):
        return PASS, 'AppArmor tools%s installed; the kernel has no AppArmor, so nothing can be loaded' % (
            ' and profiles' if files else ''), details
    loaded = apparmor.get('loaded_profiles')
    if loaded is None:
        raise CheckError('loaded AppArmor profiles unreadable: %s' % (apparmor.get('error') or 'unknown'))
    details['loaded'] = dict((p, loaded.get(p)) for p in profiles + files)
    not_loaded = [p for p in profiles + files if p not in loaded]
    if not_loaded:
        return FAIL, 'AppArmor profiles not loaded: %s' % ', '.join(not_loaded), details
    return PASS, 'loaded: %s' % ', '.join('%s (%s)' % (p, loaded.get(p)) for p in profiles + files), details


def check_log_rotation(state, control, params):
    eff = _config_or_error(state)
    config = eff['config']
    driver = config.get('log-driver') or 'json-file'
    opts = config.get('log-opts') or {}
    info = _docker_info_optional(state)
    running = info.get('LoggingDriver') if info else None
    size_drivers = params.get('size_drivers', ['json-file', 'local'])
    rotating = params.get('rotating_drivers', ['journald', 'syslog'])
    details = {'log_driver': driver, 'log_opts': opts, 'running_driver': running,
               'source': eff['sources'].get('log-driver', 'default')}
    if running and running != driver:
        return FAIL, 'configured log driver %s but the running daemon uses %s (restart pending?)' % (driver, running), details
    if driver in rotating:
        return PASS, 'log driver %s hands logs to the host logger' % driver, details
    if driver in size_drivers:
        if not is_unset(opts.get('max-size')):
            return PASS, 'log driver %s with max-size=%s%s' % (
                driver, opts['max-size'], (' max-file=%s' % opts['max-file']) if opts.get('max-file') else ''), details
        return FAIL, 'log driver %s without max-size: container logs grow unbounded' % driver, details
    return FAIL, 'log driver %s: rotation cannot be verified' % driver, details


def check_unix_socket(state, control, params):
    eff = _config_or_error(state)
    hosts = eff['config'].get('hosts') or []
    if isinstance(hosts, str):
        hosts = [hosts]
    unit = _socket_unit(state, params.get('unit', 'docker.socket'))
    kinds = [host_kind(h) for h in hosts]
    details = {'hosts': hosts}
    if hosts and 'unix' not in kinds and 'fd' not in kinds:
        return FAIL, 'dockerd serves only %s: no unix socket' % ', '.join(hosts), details
    served = unix_socket_paths(hosts, unit.get('listen'))
    candidates = served + [p for p in params.get('paths') or [] if p not in served]
    targets, unknown = _existing_targets(state, candidates)
    details['candidates'] = candidates
    sockets = [t['realpath'] for t in targets if t.get('type') == 'socket']
    details['sockets'] = sockets
    how = 'socket-activated (fd://)' if 'fd' in kinds else ('unix://' if 'unix' in kinds else 'default unix socket')
    if sockets:
        return PASS, '%s: %s exists' % (how, ', '.join(sockets)), details
    if unknown and not targets:
        raise CheckError('not inspected: %s' % ', '.join(unknown))
    return FAIL, '%s configured but no socket exists at %s' % (how, ', '.join(candidates)), details


def check_daemon_in_sync(state, control, params):
    """The running dockerd serves what daemon.json and its unit say (no restart pending)."""
    if 'dockerd_running' not in state:
        raise CheckError('the running dockerd was not inspected: %s'
                         % ((state.get('errors') or {}).get('dockerd_running') or 'no data'))
    try:
        findings = sync_findings(state)
    except ValueError as exc:
        raise CheckError(str(exc))
    running = state['dockerd_running']
    details = {'pid': running.get('pid'), 'tcp_listeners': running.get('tcp_listeners'),
               'argv': running.get('argv'), 'findings': findings}
    if findings:
        return FAIL, '; '.join(findings), details
    listeners = ', '.join(running.get('tcp_listeners') or []) or 'no TCP socket'
    return PASS, ('dockerd (pid %s) runs as its unit says, serves %s as configured, and no configuration '
                  'file changed since it started' % (running.get('pid'), listeners)), details


CHECKS = {
    'manual': check_manual,
    'daemon_key': check_daemon_key,
    'docker_info': check_docker_info,
    'security_option': check_security_option,
    'tls': check_tls,
    'tls_cert_expiry': check_tls_cert_expiry,
    'no_plaintext_tcp': check_no_plaintext_tcp,
    'file_mode': check_file_mode,
    'socket_mode': check_socket_mode,
    'audit_rule': check_audit_rule,
    'group_members': check_group_members,
    'mount_point': check_mount_point,
    'lsm': check_lsm,
    'apparmor_profiles': check_apparmor_profiles,
    'log_rotation': check_log_rotation,
    'unix_socket': check_unix_socket,
    'daemon_in_sync': check_daemon_in_sync,
}
CHECKS.update(RUNTIME_CHECKS)

CHECK_TYPES = tuple(sorted(CHECKS))


def evaluate(state, control):
    """Decide one control against a host state. Never raises for host data."""
    check = dict(control.get('check') or {})
    ctype = check.pop('type', None)
    func = CHECKS.get(ctype)
    if func is None:
        return make_result(control, ERROR, 'unknown check type %r' % (ctype,), {})
    try:
        status, evidence, details = func(state, control, check)
    except CheckError as exc:
        return make_result(control, ERROR, str(exc), {})
    except (KeyError, TypeError, ValueError) as exc:
        return make_result(control, ERROR, 'cannot evaluate %s check: %s: %s' % (ctype, type(exc).__name__, exc), {})
    return make_result(control, status, evidence, details)


def evaluate_with_runtime(state, controls):
    """(host-level results, per-container results).

    A control decided from a daemon default that also has a container rule
    (5.22, 5.26, 5.31) fails at host level when a container fails it.
    """
    per_container = evaluate_runtime(state, controls)
    by_id = {}
    for result in per_container:
        by_id.setdefault(result['id'], []).append(result)
    results = []
    for control in controls:
        result = evaluate(state, control)
        check = control.get('check') or {}
        if check.get('container_rule') and check.get('type') != 'containers' and result['status'] != ERROR:
            result = merge_host_result(result, state, by_id.get(str(control.get('id')), []))
        results.append(result)
    return results, per_container


def evaluate_all(state, controls):
    return evaluate_with_runtime(state, controls)[0]
