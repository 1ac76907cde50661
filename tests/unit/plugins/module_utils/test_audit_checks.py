# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Each check type of the audit decides pass AND fail (and its not_applicable/error cases)."""

from __future__ import annotations

import copy

from ansible_collections.hardening.docker.plugins.module_utils._audit_checks import CHECKS, evaluate


def state(**overrides):
    """A small, healthy host state; tests change what they need."""
    base = {
        'collected_at': '2026-01-15T10:00:00Z',
        'options': {'tls_expiry_threshold_days': 30, 'trusted_users': None},
        'units': {
            'docker.service': {'argv': ['/usr/sbin/dockerd', '-H', 'fd://', '--containerd=/run/containerd/containerd.sock']},
            'docker.socket': {'listen': ['/run/docker.sock'], 'socket_mode': '0660', 'socket_user': 'root', 'socket_group': 'docker'},
        },
        'daemon_json': {'path': '/etc/docker/daemon.json', 'exists': True, 'content': {}, 'error': None},
        'docker_info': {'available': True, 'data': {
            'ServerVersion': '20.10.24+dfsg1', 'Driver': 'overlay2', 'DockerRootDir': '/var/lib/docker',
            'LoggingDriver': 'json-file', 'LiveRestoreEnabled': False, 'ExperimentalBuild': False,
            'SecurityOptions': ['name=apparmor', 'name=seccomp,profile=default'],
            'Swarm': {'LocalNodeState': 'inactive'}}},
        'paths': {
            '/run/docker.sock': {'exists': True, 'type': 'socket', 'realpath': '/run/docker.sock', 'mode': '0660',
                                 'owner': 'root', 'group': 'docker'},
            '/var/run/docker.sock': {'exists': True, 'type': 'socket', 'realpath': '/run/docker.sock', 'mode': '0660',
                                     'owner': 'root', 'group': 'docker'},
            '/etc/docker': {'exists': True, 'type': 'dir', 'realpath': '/etc/docker', 'mode': '0755', 'owner': 'root', 'group': 'root'},
            '/etc/sysconfig/docker': {'exists': False},
        },
        'globs': {},
        'audit': {'auditctl': {'available': True, 'rules': [], 'error': None}, 'rules_files': {}, 'canonical': {}},
        'groups': {'docker': {'exists': True, 'gid': 105, 'members': []}},
        'mounts': ['/', '/var/lib/docker'],
        'apparmor': {'kernel_enabled': True, 'parser': '/usr/sbin/apparmor_parser', 'installed_profiles': [],
                     'loaded_profiles': {'docker-default': 'enforce'}},
        'selinux': {'present': False, 'enforcing': None},
        'certs': {},
        'host': {'engine_version': '20.10.24+dfsg1'},
        'os': {'pretty_name': 'Debian GNU/Linux 12 (bookworm)'},
    }
    base.update(copy.deepcopy(overrides))
    return base


def control(check, cid='T.1'):
    return {'id': cid, 'title': 'test', 'section': 'T', 'level': 1, 'scored': True, 'profile': 'cis',
            'check': check, 'remediation': None, 'rationale': 'x.'}


def decide(st, check):
    return evaluate(st, control(check))


def with_daemon_json(content, **more):
    return state(daemon_json={'path': '/etc/docker/daemon.json', 'exists': True, 'content': content, 'error': None}, **more)


# ------------------------------------------------------------------ manual
def test_manual_shows_facts():
    result = decide(state(), {'type': 'manual', 'facts': ['engine_version', 'os']})
    assert result['status'] == 'manual'
    assert '20.10.24+dfsg1' in result['evidence']
    assert result['details']['facts']['os'].startswith('Debian')


# -------------------------------------------------------------- daemon_key
ICC = {'type': 'daemon_key', 'key': 'icc', 'expect': False, 'default': True}


def test_daemon_key_pass_from_daemon_json():
    result = decide(with_daemon_json({'icc': False}), ICC)
    assert result['status'] == 'pass'
    assert result['details']['source'] == 'daemon.json'


def test_daemon_key_fail_on_default():
    result = decide(state(), ICC)
    assert result['status'] == 'fail'
    assert 'engine default' in result['evidence']


def test_daemon_key_pass_from_flag_and_string_bool():
    st = state()
    st['units']['docker.service']['argv'].append('--icc=false')
    assert decide(st, ICC)['status'] == 'pass'
    assert decide(with_daemon_json({'icc': 'false'}), ICC)['status'] == 'pass'


def test_daemon_key_conflict_fails():
    st = with_daemon_json({'icc': False})
    st['units']['docker.service']['argv'].append('--icc=false')
    result = decide(st, ICC)
    assert result['status'] == 'fail'
    assert 'refuses to start' in result['evidence']


def test_daemon_key_expect_set_and_unset():
    assert decide(state(), {'type': 'daemon_key', 'key': 'userns-remap', 'expect_set': True})['status'] == 'fail'
    assert decide(with_daemon_json({'userns-remap': 'default'}),
                  {'type': 'daemon_key', 'key': 'userns-remap', 'expect_set': True})['status'] == 'pass'
    check = {'type': 'daemon_key', 'key': 'insecure-registries', 'expect_unset': True}
    assert decide(state(), check)['status'] == 'pass'
    assert decide(with_daemon_json({'insecure-registries': []}), check)['status'] == 'pass'
    result = decide(with_daemon_json({'insecure-registries': ['10.0.0.5:5000']}), check)
    assert result['status'] == 'fail' and '10.0.0.5:5000' in result['evidence']
    st = state()
    st['units']['docker.service']['argv'].append('--insecure-registry=reg:5000')
    assert decide(st, check)['status'] == 'fail'


def test_daemon_key_forbid():
    check = {'type': 'daemon_key', 'key': 'log-driver', 'default': 'json-file', 'forbid': ['json-file', 'local']}
    assert decide(state(), check)['status'] == 'fail'
    st = with_daemon_json({'log-driver': 'journald'})
    st['docker_info']['data']['LoggingDriver'] = 'journald'
    assert decide(st, check)['status'] == 'pass'


def test_daemon_key_forbid_item_prefix():
    check = {'type': 'daemon_key', 'key': 'storage-opts', 'forbid_item_prefix': 'dm.basesize'}
    assert decide(state(), check)['status'] == 'pass'
    assert decide(with_daemon_json({'storage-opts': ['dm.basesize=20G']}), check)['status'] == 'fail'


def test_daemon_key_when_set_manual():
    check = {'type': 'daemon_key', 'key': 'cgroup-parent', 'when_set': 'manual'}
    assert decide(state(), check)['status'] == 'pass'
    result = decide(with_daemon_json({'cgroup-parent': '/foobar'}), check)
    assert result['status'] == 'manual' and 'confirm' in result['evidence']


def test_daemon_key_running_value_must_agree():
    check = {'type': 'daemon_key', 'key': 'live-restore', 'expect': True, 'default': False, 'info_field': 'LiveRestoreEnabled'}
    st = with_daemon_json({'live-restore': True})
    result = decide(st, check)
    assert result['status'] == 'fail' and 'restart pending' in result['evidence']
    st['docker_info']['data']['LiveRestoreEnabled'] = True
    assert decide(st, check)['status'] == 'pass'
    st['docker_info'] = {'available': False, 'error': 'down'}
    result = decide(st, check)
    assert result['status'] == 'pass' and 'running value unknown' in result['evidence']


def test_daemon_key_bad_daemon_json_is_error():
    st = state(daemon_json={'path': '/etc/docker/daemon.json', 'exists': True, 'content': None, 'error': 'invalid JSON: x'})
    result = decide(st, ICC)
    assert result['status'] == 'error' and 'invalid JSON' in result['evidence']


def test_daemon_key_not_an_object_is_error():
    assert decide(with_daemon_json(['icc']), ICC)['status'] == 'error'


def test_daemon_key_process_argv_when_no_unit():
    st = state(units={}, process={'argv': ['/usr/sbin/dockerd', '--icc=false']})
    result = decide(st, ICC)
    assert result['status'] == 'pass' and result['details']['argv_source'] == 'process'


# ------------------------------------------------------------- docker_info
def test_docker_info_allowed_and_forbid():
    swarm = {'type': 'docker_info', 'field': 'Swarm.LocalNodeState', 'allowed': ['inactive', '']}
    st = state()
    assert decide(st, swarm)['status'] == 'pass'
    st['docker_info']['data']['Swarm']['LocalNodeState'] = 'active'
    assert decide(st, swarm)['status'] == 'fail'
    aufs = {'type': 'docker_info', 'field': 'Driver', 'forbid': ['aufs']}
    assert decide(st, aufs)['status'] == 'pass'
    st['docker_info']['data']['Driver'] = 'aufs'
    assert decide(st, aufs)['status'] == 'fail'


def test_docker_info_unavailable_is_error():
    st = state(docker_info={'available': False, 'error': 'connection refused'})
    result = decide(st, {'type': 'docker_info', 'field': 'Driver', 'forbid': ['aufs']})
    assert result['status'] == 'error' and 'connection refused' in result['evidence']


# --------------------------------------------------------- security_option
def test_security_option():
    userns = {'type': 'security_option', 'name': 'userns', 'absent_status': 'fail'}
    st = state()
    assert decide(st, userns)['status'] == 'fail'
    st['docker_info']['data']['SecurityOptions'].append('name=userns')
    assert decide(st, userns)['status'] == 'pass'
    rootless = {'type': 'security_option', 'name': 'rootless', 'absent_status': 'manual'}
    assert decide(st, rootless)['status'] == 'manual'
    seccomp = {'type': 'security_option', 'name': 'seccomp', 'forbid': {'profile': ['unconfined']}}
    assert decide(st, seccomp)['status'] == 'pass'
    st['docker_info']['data']['SecurityOptions'] = ['name=seccomp,profile=unconfined']
    assert decide(st, seccomp)['status'] == 'fail'
    st['docker_info'] = {'available': False, 'error': 'down'}
    assert decide(st, seccomp)['status'] == 'error'


# --------------------------------------------------------------------- tls
TLS_CONFIG = {'hosts': ['fd://', 'tcp://0.0.0.0:2376'], 'tlsverify': True, 'tlscacert': '/etc/docker/tls/ca.pem',
              'tlscert': '/etc/docker/tls/cert.pem', 'tlskey': '/etc/docker/tls/key.pem'}


def without_host_flag():
    st = state()
    st['units']['docker.service']['argv'] = ['/usr/sbin/dockerd']
    return st


def test_tls_not_applicable_without_tcp():
    assert decide(state(), {'type': 'tls'})['status'] == 'not_applicable'


def test_tls_pass_and_fail():
    st = without_host_flag()
    st['daemon_json']['content'] = dict(TLS_CONFIG)
    assert decide(st, {'type': 'tls'})['status'] == 'pass'
    st['daemon_json']['content'].pop('tlsverify')
    assert decide(st, {'type': 'tls'})['status'] == 'fail'
    st['daemon_json']['content'] = dict(TLS_CONFIG, tlskey='')
    result = decide(st, {'type': 'tls'})
    assert result['status'] == 'fail' and 'tlskey' in result['evidence']


def test_tls_tcp_from_flag_without_scheme():
    st = state()
    st['units']['docker.service']['argv'] += ['-H', '0.0.0.0:2375']
    assert decide(st, {'type': 'tls'})['status'] == 'fail'


# ---------------------------------------------------------- tls_cert_expiry
def cert_state(not_after, **cert):
    st = without_host_flag()
    st['daemon_json']['content'] = dict(TLS_CONFIG)
    st['certs'] = {'/etc/docker/tls/cert.pem': dict({'exists': True, 'not_after': not_after, 'error': None}, **cert)}
    return st


def test_cert_expiry():
    check = {'type': 'tls_cert_expiry', 'key': 'tlscert'}
    assert decide(cert_state('2026-06-01T00:00:00Z'), check)['status'] == 'pass'
    result = decide(cert_state('2026-02-01T00:00:00Z'), check)
    assert result['status'] == 'fail' and 'expires in 16 days' in result['evidence']
    assert 'expired' in decide(cert_state('2025-12-01T00:00:00Z'), check)['evidence']
    st = cert_state('2026-02-01T00:00:00Z')
    st['options']['tls_expiry_threshold_days'] = 10
    assert decide(st, check)['status'] == 'pass'


def test_cert_expiry_na_missing_and_unreadable():
    check = {'type': 'tls_cert_expiry'}
    assert decide(state(), check)['status'] == 'not_applicable'
    st = cert_state(None, exists=False)
    assert decide(st, check)['status'] == 'fail'
    st = cert_state(None, error='bad PEM')
    assert decide(st, check)['status'] == 'error'
    st = cert_state('2027-01-01T00:00:00Z')
    st['certs'] = {}
    assert decide(st, check)['status'] == 'error'
    st = without_host_flag()
    st['daemon_json']['content'] = {'hosts': ['tcp://0.0.0.0:2375']}
    assert decide(st, check)['status'] == 'fail'


# ---------------------------------------------------------- no_plaintext_tcp
def test_no_plaintext_tcp():
    check = {'type': 'no_plaintext_tcp'}
    assert decide(state(), check)['status'] == 'pass'
    st = without_host_flag()
    st['daemon_json']['content'] = {'hosts': ['unix:///run/docker.sock', 'tcp://0.0.0.0:2375']}
    assert decide(st, check)['status'] == 'fail'
    st['daemon_json']['content']['tls'] = True
    assert decide(st, check)['status'] == 'fail'
    st['daemon_json']['content']['tlsverify'] = True
    assert decide(st, check)['status'] == 'pass'


# ---------------------------------------------------------------- file_mode
def test_file_mode_owner_and_mode():
    st = state()
    assert decide(st, {'type': 'file_mode', 'paths': ['/etc/docker'], 'owner': 'root', 'group': 'root'})['status'] == 'pass'
    assert decide(st, {'type': 'file_mode', 'paths': ['/etc/docker'], 'max_mode': '0755'})['status'] == 'pass'
    st['paths']['/etc/docker'].update(mode='0775', group='adm')
    result = decide(st, {'type': 'file_mode', 'paths': ['/etc/docker'], 'max_mode': '0755'})
    assert result['status'] == 'fail' and '0775' in result['evidence']
    result = decide(st, {'type': 'file_mode', 'paths': ['/etc/docker'], 'owner': 'root', 'group': 'root'})
    assert result['status'] == 'fail' and 'group adm' in result['evidence']


def test_file_mode_special_bits_fail():
    st = state()
    st['paths']['/etc/docker']['mode'] = '1755'
    assert decide(st, {'type': 'file_mode', 'paths': ['/etc/docker'], 'max_mode': '0755'})['status'] == 'fail'


def test_file_mode_not_applicable_and_dedup():
    st = state()
    assert decide(st, {'type': 'file_mode', 'paths': ['/etc/sysconfig/docker'], 'max_mode': '0644'})['status'] == 'not_applicable'
    result = decide(st, {'type': 'file_mode', 'paths': ['/run/docker.sock', '/var/run/docker.sock'], 'max_mode': '0660'})
    assert result['status'] == 'pass' and len(result['details']['checked']) == 1


def test_file_mode_not_inspected_is_error():
    result = decide(state(), {'type': 'file_mode', 'paths': ['/nowhere'], 'max_mode': '0644'})
    assert result['status'] == 'error'


def test_file_mode_from_key_and_unit_and_glob():
    st = without_host_flag()
    check = {'type': 'file_mode', 'from_key': 'tlskey', 'max_mode': '0400'}
    assert decide(st, check)['status'] == 'not_applicable'
    st['daemon_json']['content'] = dict(TLS_CONFIG)
    st['paths']['/etc/docker/tls/key.pem'] = {'exists': True, 'type': 'file', 'realpath': '/etc/docker/tls/key.pem',
                                              'mode': '0600', 'owner': 'root', 'group': 'root'}
    assert decide(st, check)['status'] == 'fail'
    st['paths']['/etc/docker/tls/key.pem']['mode'] = '0400'
    assert decide(st, check)['status'] == 'pass'

    st['units']['docker.service']['fragment_path'] = '/etc/systemd/system/docker.service'
    st['paths']['/etc/systemd/system/docker.service'] = {'exists': True, 'type': 'file', 'mode': '0664', 'owner': 'root',
                                                         'group': 'root', 'realpath': '/etc/systemd/system/docker.service'}
    assert decide(st, {'type': 'file_mode', 'unit': 'docker.service', 'max_mode': '0644'})['status'] == 'fail'

    glob_check = {'type': 'file_mode', 'globs': ['/etc/docker/certs.d/*/*'], 'max_mode': '0444'}
    assert decide(st, glob_check)['status'] == 'error'   # glob never expanded by the gatherer
    st['globs'] = {'/etc/docker/certs.d/*/*': []}
    assert decide(st, glob_check)['status'] == 'not_applicable'
    st['globs'] = {'/etc/docker/certs.d/*/*': ['/etc/docker/certs.d/r:5000/ca.crt']}
    st['paths']['/etc/docker/certs.d/r:5000/ca.crt'] = {'exists': True, 'type': 'file', 'mode': '0644', 'owner': 'root',
                                                        'group': 'root', 'realpath': '/etc/docker/certs.d/r:5000/ca.crt'}
    assert decide(st, glob_check)['status'] == 'fail'


# -------------------------------------------------------------- socket_mode
HD3 = {'type': 'socket_mode', 'unit': 'docker.socket', 'paths': ['/run/docker.sock', '/var/run/docker.sock'],
       'owner': 'root', 'group': 'docker', 'mode': '0660'}


def test_socket_mode():
    st = state()
    result = decide(st, HD3)
    assert result['status'] == 'pass' and 'docker.socket declares 0660' in result['evidence']
    st['paths']['/run/docker.sock']['mode'] = '0600'
    st['paths']['/var/run/docker.sock']['mode'] = '0600'
    assert decide(st, HD3)['status'] == 'fail'   # exact mode, not "at most"
    st['paths']['/run/docker.sock'] = {'exists': False}
    st['paths']['/var/run/docker.sock'] = {'exists': False}
    result = decide(st, HD3)
    assert result['status'] == 'fail' and 'no Docker unix socket' in result['evidence']


def test_socket_mode_and_owner_follow_a_renamed_docker_group():
    st = state()
    for path in ('/run/docker.sock', '/var/run/docker.sock'):
        st['paths'][path]['group'] = 'dockerusers'
    assert decide(st, HD3)['status'] == 'fail'
    st['options']['docker_group'] = 'dockerusers'
    result = decide(st, HD3)
    assert result['status'] == 'pass' and 'root:dockerusers' in result['evidence']
    owner = {'type': 'file_mode', 'paths': ['/run/docker.sock', '/var/run/docker.sock'], 'owner': 'root', 'group': 'docker'}
    assert decide(st, owner)['status'] == 'pass'
    # A group other than "docker" in the catalog is taken as written.
    st['paths']['/etc/docker']['group'] = 'dockerusers'
    assert decide(st, {'type': 'file_mode', 'paths': ['/etc/docker'], 'owner': 'root', 'group': 'root'})['status'] == 'fail'


# --------------------------------------------------------------- audit_rule
def audit_state(rules, loaded=True, canonical=None, **paths):
    st = state()
    st['paths'].update(paths)
    st['audit'] = {'auditctl': {'available': loaded, 'rules': rules if loaded else [],
                                'error': None if loaded else 'auditctl not installed'},
                   'rules_files': {} if loaded else {'/etc/audit/rules.d/docker.rules': rules},
                   'canonical': canonical or {}}
    return st


RUNC = {'/usr/sbin/runc': {'exists': True, 'type': 'file', 'realpath': '/usr/sbin/runc'},
        '/usr/bin/runc': {'exists': True, 'type': 'file', 'realpath': '/usr/sbin/runc', 'symlink': True}}
RUNC_CHECK = {'type': 'audit_rule', 'paths': ['/usr/sbin/runc', '/usr/bin/runc']}


def test_audit_rule_pass_and_fail():
    st = audit_state(['-w /usr/sbin/runc -p rwxa -k docker'], **RUNC)
    assert decide(st, RUNC_CHECK)['status'] == 'pass'
    st = audit_state(['-w /usr/sbin/dockerd -p rwxa -k docker'], **RUNC)
    assert decide(st, RUNC_CHECK)['status'] == 'fail'


def test_audit_rule_on_symlink_does_not_count():
    st = audit_state(['-w /usr/bin/runc -p rwxa -k docker'], canonical={'/usr/bin/runc': '/usr/bin/runc'}, **RUNC)
    result = decide(st, RUNC_CHECK)
    assert result['status'] == 'fail'
    assert 'symlink /usr/bin/runc' in result['evidence']


def test_audit_rule_through_symlinked_directory_counts():
    unit = {'/usr/lib/systemd/system/docker.service': {'exists': True, 'type': 'file',
                                                       'realpath': '/usr/lib/systemd/system/docker.service'},
            '/lib/systemd/system/docker.service': {'exists': True, 'type': 'file',
                                                   'realpath': '/usr/lib/systemd/system/docker.service'}}
    st = audit_state(['-w /lib/systemd/system/docker.service -p wa -k docker'],
                     canonical={'/lib/systemd/system/docker.service': '/usr/lib/systemd/system/docker.service'}, **unit)
    check = {'type': 'audit_rule', 'paths': ['/usr/lib/systemd/system/docker.service', '/lib/systemd/system/docker.service']}
    assert decide(st, check)['status'] == 'pass'


def test_audit_rule_syscall_form_and_never():
    containerd = {'/run/containerd': {'exists': True, 'type': 'dir', 'realpath': '/run/containerd'}}
    check = {'type': 'audit_rule', 'paths': ['/run/containerd']}
    st = audit_state(['-a always,exit -S all -F path=/run/containerd -F perm=rwa -F key=docker'], **containerd)
    assert decide(st, check)['status'] == 'pass'
    st = audit_state(['-a never,exit -F path=/run/containerd'], **containerd)
    assert decide(st, check)['status'] == 'fail'


def test_audit_rule_rule_files_when_auditctl_unusable():
    st = audit_state(['-w /usr/sbin/runc -k docker'], loaded=False, **RUNC)
    result = decide(st, RUNC_CHECK)
    assert result['status'] == 'pass' and 'rule files' in result['evidence']
    st = audit_state([], loaded=False, **RUNC)
    st['audit']['rules_files'] = {}
    result = decide(st, RUNC_CHECK)
    assert result['status'] == 'fail' and 'auditctl not installed' in result['evidence']


def test_audit_rule_not_applicable():
    st = audit_state([])
    assert decide(st, {'type': 'audit_rule', 'paths': ['/etc/sysconfig/docker']})['status'] == 'not_applicable'


# ------------------------------------------------------------ group_members
def test_group_members():
    check = {'type': 'group_members', 'group': 'docker'}
    st = state()
    assert decide(st, check)['status'] == 'pass'
    st['groups']['docker']['members'] = ['alice', 'deploy']
    assert decide(st, check)['status'] == 'manual'
    st['options']['trusted_users'] = ['deploy']
    result = decide(st, check)
    assert result['status'] == 'fail' and 'alice' in result['evidence']
    st['options']['trusted_users'] = ['deploy', 'alice']
    assert decide(st, check)['status'] == 'pass'
    st['groups']['docker'] = {'exists': False, 'members': []}
    assert decide(st, check)['status'] == 'pass'
    st['groups'] = {}
    assert decide(st, check)['status'] == 'error'


def test_group_members_of_a_renamed_docker_group():
    check = {'type': 'group_members', 'group': 'docker'}
    st = state(groups={'docker': {'exists': False, 'members': []},
                       'dockerusers': {'exists': True, 'gid': 200, 'members': ['mallory']}})
    st['options'].update(docker_group='dockerusers', trusted_users=['alice'])
    result = decide(st, check)
    assert result['status'] == 'fail' and 'mallory' in result['evidence'] and 'dockerusers' in result['evidence']


# -------------------------------------------------------------- mount_point
def test_mount_point():
    check = {'type': 'mount_point', 'path': '/var/lib/docker', 'use_docker_root': True}
    st = state()
    assert decide(st, check)['status'] == 'pass'
    st['mounts'] = ['/']
    result = decide(st, check)
    assert result['status'] == 'fail' and 'lives on /' in result['evidence']
    st['mounts'] = ['/', '/srv/docker']
    st['docker_info']['data']['DockerRootDir'] = '/srv/docker/100000.100000'
    st['docker_info']['data']['SecurityOptions'].append('name=userns')
    assert decide(st, check)['status'] == 'pass'
    st['mounts'] = None
    assert decide(st, check)['status'] == 'error'


# --------------------------------------------------------------------- lsm
def test_lsm_apparmor():
    check = {'type': 'lsm', 'lsm': 'apparmor'}
    st = state()
    assert decide(st, check)['status'] == 'pass'
    st['docker_info']['data']['SecurityOptions'] = ['name=seccomp,profile=default']
    assert decide(st, check)['status'] == 'fail'
    st['apparmor']['kernel_enabled'] = False
    assert decide(st, check)['status'] == 'not_applicable'


def test_lsm_selinux():
    check = {'type': 'lsm', 'lsm': 'selinux'}
    st = state()
    assert decide(st, check)['status'] == 'not_applicable'
    st['selinux'] = {'present': True, 'enforcing': True}
    assert decide(st, check)['status'] == 'fail'
    st['docker_info']['data']['SecurityOptions'].append('name=selinux')
    assert decide(st, check)['status'] == 'pass'


# -------------------------------------------------------- apparmor_profiles
def test_apparmor_profiles():
    check = {'type': 'apparmor_profiles', 'profiles': ['docker-default'], 'files': [], 'profile_dir': '/etc/apparmor.d'}
    st = state()
    assert decide(st, check)['status'] == 'pass'
    st['apparmor']['loaded_profiles'] = {}
    assert decide(st, check)['status'] == 'fail'
    st['apparmor']['loaded_profiles'] = None
    assert decide(st, check)['status'] == 'error'
    st['apparmor']['kernel_enabled'] = False
    assert decide(st, check)['status'] == 'pass'
    st['apparmor']['parser'] = None
    assert decide(st, check)['status'] == 'fail'
    st['apparmor']['parser'] = '/usr/sbin/apparmor_parser'
    files = dict(check, files=['docker-hardened'])
    assert decide(st, files)['status'] == 'fail'
    st['apparmor']['installed_profiles'] = ['docker-hardened']
    assert decide(st, files)['status'] == 'pass'


def test_apparmor_profiles_do_not_apply_to_a_selinux_host_without_apparmor():
    check = {'type': 'apparmor_profiles', 'profiles': ['docker-default'], 'files': ['docker-hardened'],
             'profile_dir': '/etc/apparmor.d'}
    st = state()
    st['selinux'] = {'present': True, 'enforcing': True}
    st['apparmor'].update(kernel_enabled=False, parser=None, installed_profiles=[])
    assert decide(st, check)['status'] == 'not_applicable'
    # AppArmor active beside SELinux: the profiles matter again.
    st['apparmor']['kernel_enabled'] = True
    assert decide(st, check)['status'] == 'fail'


# ------------------------------------------------------------ log_rotation
HD5 = {'type': 'log_rotation', 'size_drivers': ['json-file', 'local'], 'rotating_drivers': ['journald', 'syslog']}


def test_log_rotation():
    assert decide(state(), HD5)['status'] == 'fail'
    st = with_daemon_json({'log-opts': {'max-size': '10m', 'max-file': '3'}})
    assert decide(st, HD5)['status'] == 'pass'
    st = with_daemon_json({'log-driver': 'journald'})
    st['docker_info']['data']['LoggingDriver'] = 'journald'
    assert decide(st, HD5)['status'] == 'pass'
    st['docker_info']['data']['LoggingDriver'] = 'json-file'
    assert 'restart pending' in decide(st, HD5)['evidence']
    st = with_daemon_json({'log-driver': 'gelf'})
    st['docker_info']['data']['LoggingDriver'] = 'gelf'
    assert decide(st, HD5)['status'] == 'fail'
    st = state()
    st['units']['docker.service']['argv'] += ['--log-opt', 'max-size=5m']
    assert decide(st, HD5)['status'] == 'pass'


# -------------------------------------------------------------- unix_socket
HD7 = {'type': 'unix_socket', 'unit': 'docker.socket', 'paths': ['/run/docker.sock', '/var/run/docker.sock']}


def test_unix_socket():
    st = state()
    result = decide(st, HD7)
    assert result['status'] == 'pass' and 'fd://' in result['evidence']
    st = without_host_flag()
    st['daemon_json']['content'] = {'hosts': ['tcp://0.0.0.0:2376'], 'tlsverify': True}
    result = decide(st, HD7)
    assert result['status'] == 'fail' and 'no unix socket' in result['evidence']
    st['daemon_json']['content']['hosts'].append('unix:///run/docker.sock')
    assert decide(st, HD7)['status'] == 'pass'
    st['paths']['/run/docker.sock'] = {'exists': False}
    st['paths']['/var/run/docker.sock'] = {'exists': False}
    assert decide(st, HD7)['status'] == 'fail'
    st = without_host_flag()
    assert 'default unix socket' in decide(st, HD7)['evidence']


# ---------------------------------------------------------------- evaluate
def test_unknown_type_is_error():
    assert decide(state(), {'type': 'nope'})['status'] == 'error'


def test_result_shape():
    result = evaluate(state(), dict(control(ICC, cid='2.2'), remediation={'role': 'daemon', 'variable': 'daemon_rule_2_2',
                                                                          'tag': 'rule_2_2'}))
    assert set(result) == {'id', 'title', 'section', 'level', 'scored', 'profile', 'check_type', 'status',
                           'evidence', 'details', 'remediation'}
    assert result['check_type'] == 'daemon_key' and result['remediation']['tag'] == 'rule_2_2'


def test_every_check_type_has_a_test_here():
    import inspect
    import sys
    source = inspect.getsource(sys.modules[__name__])
    for ctype in CHECKS:
        assert "'type': '%s'" % ctype in source, ctype


def test_runtime_check_types_through_evaluate():
    """The runtime types are dispatched like the others (decisions: test_audit_runtime_*.py)."""
    privileged = {'id': 'abcdef0123456789', 'name': 'web', 'image': 'busybox', 'state': 'running', 'privileged': True,
                  'mounts': []}
    st = state(runtime={'available': True, 'include_stopped': False, 'containers': [privileged], 'volumes': None})
    control = {'id': '5.5', 'title': 'privileged', 'check': {'type': 'containers', 'container_rule': 'privileged'}}
    result = evaluate(st, control)
    assert result['status'] == 'fail' and result['evidence'] == '1 of 1 running containers fail: web: runs with --privileged'
    st['runtime']['containers'] = []
    assert evaluate(st, control)['status'] == 'not_applicable'
    for check in ({'type': 'volume_dirs'}, {'type': 'volume_files'}):
        result = evaluate(st, {'id': 'HD-8', 'title': 'volumes', 'check': check})
        assert result['status'] == 'error' and 'DockerRootDir unknown' in result['evidence']


def test_daemon_in_sync_pass_and_fail():
    # the comparison itself is tested in test_daemon_sync.py; here: evaluate() wiring and both outcomes
    st = state()
    st['dockerd_running'] = {'pid': 7, 'argv': list(st['units']['docker.service']['argv']), 'started_at': 1000.0,
                             'tcp_listeners': [], 'error': None}
    st['config_mtimes'] = {'/etc/docker/daemon.json': 900.0}
    control = {'id': 'HD-10', 'title': 'in sync', 'check': {'type': 'daemon_in_sync'}}
    assert evaluate(st, control)['status'] == 'pass'
    st['dockerd_running']['tcp_listeners'] = ['0.0.0.0:2375']
    result = evaluate(st, control)
    assert result['status'] == 'fail' and '0.0.0.0:2375' in result['evidence']
