# -*- coding: utf-8 -*-
# Copyright: hardening.docker contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shape of ``controls/catalog.yml`` and its validation.

Used by the ``control_catalog`` lookup (controller), the ``audit`` module
(to reject a malformed ``controls`` list early) and the unit tests.
"""

from __future__ import annotations

import re

from ansible_collections.hardening.docker.plugins.module_utils._audit_checks import CHECK_TYPES
from ansible_collections.hardening.docker.plugins.module_utils._audit_model import id_norm
from ansible_collections.hardening.docker.plugins.module_utils._audit_runtime_checks import RULES, RUNTIME_TYPES

# Roles of docs/design.md that remediate controls (daemon_restart remediates none).
ROLES = ('daemon', 'limits', 'daemon_tls', 'socket', 'file_permissions', 'auditd', 'userns', 'apparmor', 'authz',
         'daemon_restart')
PROFILES = ('cis', 'hardening')
SECTIONS = ('1', '2', '3', '5', 'HD')

REQUIRED = ('id', 'uid', 'cis', 'title', 'section', 'level', 'scored', 'profile', 'check', 'remediation', 'rationale')
_ID = re.compile(r'^(\d+(\.\d+)+|HD-\d+)$')
_CIS_ID = re.compile(r'^\d+(\.\d+)+$')
_UID = re.compile(r'^[a-z0-9]+(-[a-z0-9]+)*$')
# CIS Docker Benchmark versions the catalog maps (newest last: the default).
BENCHMARK_VERSIONS = ('1.6', '1.7', '1.8')

# parameters each check type accepts (besides ``type``); required ones first
CHECK_PARAMS = {
    'manual': ((), ('facts',)),
    'daemon_key': (('key',), ('expect', 'expect_set', 'expect_unset', 'forbid', 'forbid_item_prefix',
                              'default', 'when_set', 'info_field')),
    'docker_info': (('field',), ('allowed', 'forbid')),
    'security_option': (('name',), ('absent_status', 'forbid')),
    'tls': ((), ()),
    'tls_cert_expiry': ((), ('key',)),
    'no_plaintext_tcp': ((), ()),
    'file_mode': ((), ('paths', 'unit', 'globs', 'from_key', 'owner', 'group', 'max_mode')),
    'socket_mode': ((), ('paths', 'unit', 'owner', 'group', 'mode')),
    'audit_rule': (('paths',), ()),
    'group_members': ((), ('group', 'allowed')),
    'mount_point': ((), ('path', 'use_docker_root')),
    'lsm': (('lsm',), ()),
    'apparmor_profiles': ((), ('profiles', 'files', 'profile_dir')),
    'log_rotation': ((), ('size_drivers', 'rotating_drivers')),
    'unix_socket': ((), ('paths', 'unit')),
    'daemon_in_sync': ((), ()),
    'containers': (('container_rule',), ()),
    'volume_dirs': ((), ()),
    'volume_files': ((), ()),
}
# any check type may also be decided per container (see _audit_runtime_checks)
GENERIC_PARAMS = ('container_rule',)


class CatalogError(ValueError):
    pass


def _check_errors(where, check):
    errors = []
    if not isinstance(check, dict):
        return ['%s: check must be a mapping' % where]
    ctype = check.get('type')
    if ctype not in CHECK_TYPES:
        return ['%s: check.type %r is not implemented by the audit module (known: %s)'
                % (where, ctype, ', '.join(CHECK_TYPES))]
    required, optional = CHECK_PARAMS.get(ctype, ((), ()))
    for name in required:
        if name not in check:
            errors.append('%s: check type %s needs %r' % (where, ctype, name))
    for name in check:
        if name != 'type' and name not in required and name not in optional and name not in GENERIC_PARAMS:
            errors.append('%s: check type %s does not take %r' % (where, ctype, name))
    if 'container_rule' in check and check['container_rule'] not in RULES:
        errors.append('%s: check.container_rule %r is not a container rule (known: %s)'
                      % (where, check['container_rule'], ', '.join(sorted(RULES))))
    if ctype == 'file_mode':
        if not any(check.get(k) for k in ('paths', 'unit', 'globs', 'from_key')):
            errors.append('%s: file_mode needs paths, unit, globs or from_key' % where)
        if not any(k in check for k in ('owner', 'group', 'max_mode')):
            errors.append('%s: file_mode needs owner, group or max_mode' % where)
    for key in ('max_mode', 'mode'):
        if key in check:
            value = check[key]
            if not isinstance(value, str) or not re.match(r'^0[0-7]{3,4}$', value):
                errors.append('%s: check.%s must be an octal string such as "0644"' % (where, key))
    for key in ('paths', 'globs', 'profiles', 'files', 'facts'):
        if key in check and not (isinstance(check[key], list) and all(isinstance(p, str) for p in check[key])):
            errors.append('%s: check.%s must be a list of strings' % (where, key))
    if ctype == 'daemon_key':
        ops = [k for k in ('expect', 'expect_set', 'expect_unset', 'forbid', 'forbid_item_prefix', 'when_set') if k in check]
        if not ops:
            errors.append('%s: daemon_key needs one of expect, expect_set, expect_unset, forbid, forbid_item_prefix, when_set' % where)
    return errors


def _cis_errors(where, entry):
    cis = entry['cis']
    if not isinstance(cis, dict):
        return ['%s: cis must be a mapping of benchmark version to id, e.g. {"1.6": "2.7"}' % where]
    errors = []
    for version, number in cis.items():
        if version not in BENCHMARK_VERSIONS:
            errors.append('%s: cis version %r is not one of %s' % (where, version, ', '.join(BENCHMARK_VERSIONS)))
        if not isinstance(number, str) or not _CIS_ID.match(number):
            errors.append('%s: cis id for %s must look like "2.7" (a string)' % (where, version))
    if entry.get('profile') == 'hardening':
        if cis:
            errors.append('%s: HD-* controls have no CIS ids (cis: {})' % where)
    elif not cis:
        errors.append('%s: a CIS control needs its id in at least one benchmark version' % where)
    elif '1.6' in cis and cis['1.6'] != entry['id']:
        errors.append('%s: the catalog id is the v1.6 id (cis["1.6"] is %s)' % (where, cis['1.6']))
    elif '1.6' not in cis and entry['id'] != entry['uid']:
        errors.append('%s: a control without a v1.6 id uses its uid as catalog id' % where)
    return errors


def validate_control(entry, index=None):
    """Return a list of human-readable problems of one catalog entry."""
    where = 'control #%s' % index if index is not None else 'control'
    if not isinstance(entry, dict):
        return ['%s: must be a mapping, got %s' % (where, type(entry).__name__)]
    if entry.get('id') is not None:
        where = 'control %s' % entry.get('id')
    errors = []
    for name in REQUIRED:
        if name not in entry:
            errors.append('%s: missing %r' % (where, name))
    extra = sorted(set(entry) - set(REQUIRED))
    if extra:
        errors.append('%s: unknown fields %s' % (where, ', '.join(extra)))
    if errors:
        return errors
    cid = entry['id']
    uid = entry['uid']
    if not isinstance(uid, str) or not _UID.match(uid):
        errors.append('%s: uid must be lower-case words joined by "-" (a string)' % where)
    errors.extend(_cis_errors(where, entry))
    if not isinstance(cid, str) or not (_ID.match(cid) or cid == uid):
        errors.append('%s: id must look like "2.2" or "HD-1" (a string), or be the uid' % where)
    if not isinstance(entry['title'], str) or not entry['title'].strip():
        errors.append('%s: title must be a non-empty string' % where)
    if str(entry['section']) not in SECTIONS:
        errors.append('%s: section must be one of %s' % (where, ', '.join(SECTIONS)))
    elif isinstance(cid, str) and cid != uid and not (cid.startswith(str(entry['section']) + '.') or
                                                      (entry['section'] == 'HD' and cid.startswith('HD-'))):
        errors.append('%s: id does not belong to section %s' % (where, entry['section']))
    if entry['level'] not in (1, 2) or isinstance(entry['level'], bool):
        errors.append('%s: level must be 1 or 2' % where)
    if not isinstance(entry['scored'], bool):
        errors.append('%s: scored must be true or false' % where)
    if entry['profile'] not in PROFILES:
        errors.append('%s: profile must be one of %s' % (where, ', '.join(PROFILES)))
    elif isinstance(cid, str) and (entry['profile'] == 'hardening') != cid.startswith('HD-'):
        errors.append('%s: HD-* controls use profile hardening, CIS controls profile cis' % where)
    if not isinstance(entry['rationale'], str) or not entry['rationale'].strip():
        errors.append('%s: rationale must be a non-empty sentence' % where)
    errors.extend(_check_errors(where, entry['check']))
    rem = entry['remediation']
    if rem is not None:
        if not isinstance(rem, dict) or set(rem) != {'role', 'variable', 'tag'}:
            errors.append('%s: remediation must be null or {role, variable, tag}' % where)
        else:
            if rem['role'] not in ROLES:
                errors.append('%s: remediation.role %r is not a role of docs/design.md' % (where, rem['role']))
            if isinstance(cid, str):
                if rem['variable'] != '%s_rule_%s' % (rem['role'], id_norm(cid)):
                    errors.append('%s: remediation.variable must be %s_rule_%s' % (where, rem['role'], id_norm(cid)))
                if rem['tag'] != 'rule_%s' % id_norm(cid):
                    errors.append('%s: remediation.tag must be rule_%s' % (where, id_norm(cid)))
    # workload findings (containers, volume data) have no host role to fix them
    elif entry['check'].get('type') not in ('manual',) + RUNTIME_TYPES and entry['profile'] == 'hardening':
        errors.append('%s: hardening controls must name the role that remediates them' % where)
    return errors


def validate_catalog(controls):
    """Validate a whole catalog (list of entries); raise CatalogError listing every problem."""
    if not isinstance(controls, list):
        raise CatalogError('the catalog must be a list of controls')
    errors = []
    seen = set()
    seen_uid = set()
    seen_cis = {}
    for index, entry in enumerate(controls):
        errors.extend(validate_control(entry, index))
        if isinstance(entry, dict):
            cid = entry.get('id')
            if cid in seen:
                errors.append('control %s: duplicate id' % cid)
            seen.add(cid)
            uid = entry.get('uid')
            if uid in seen_uid:
                errors.append('control %s: duplicate uid %s' % (cid, uid))
            seen_uid.add(uid)
            cis = entry.get('cis')
            for version, number in (cis.items() if isinstance(cis, dict) else ()):
                other = seen_cis.setdefault((version, number), cid)
                if other != cid:
                    errors.append('control %s: v%s id %s is also the id of %s' % (cid, version, number, other))
    if errors:
        raise CatalogError('invalid control catalog:\n  ' + '\n  '.join(errors))
    return controls
