# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Per-container rules (CIS section 5) on recorded ``docker inspect`` output.

tests/unit/fixtures/runtime/inspect-debian12.json (Engine 20.10.24) and
inspect-debian13.json (Engine 26.1.5) are ``docker inspect $(docker ps -aq)``
recorded on the test hosts of molecule/runtime_audit after its prepare step:
one container per risk and rt-ordinary, which has limits and must pass.
"""

from __future__ import annotations

import json
import os

import pytest
import yaml

from ansible_collections.hardening.docker.plugins.module_utils._audit_runtime_checks import (
    RULES,
    aggregate,
    check_containers,
    decide_container,
    merge_host_result,
    runtime_context,
)
from ansible_collections.hardening.docker.plugins.module_utils._audit_runtime_gather import (
    annotate_mounts,
    container_subset,
)

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
FIXTURES = os.path.join(ROOT, 'tests', 'unit', 'fixtures', 'runtime')
ENGINES = {'20.10': 'inspect-debian12.json', '26.1': 'inspect-debian13.json'}
# Debian: /var/run is a symlink to /run
HOST_LINKS = {'/var/run/docker.sock': '/run/docker.sock'}

with open(os.path.join(ROOT, 'controls', 'catalog.yml'), 'rb') as _handle:
    CATALOG = dict((c['id'], c) for c in yaml.safe_load(_handle)['controls'])

RISKY = ['rt-device', 'rt-etc', 'rt-hostipc', 'rt-hostnet', 'rt-hostpid', 'rt-hostuts', 'rt-nnp-off',
         'rt-ports', 'rt-privileged', 'rt-rootfs', 'rt-seccomp', 'rt-shared', 'rt-socket', 'rt-sysadmin', 'rt-userns',
         'rt-volume']
EVERY_RISKY = set(RISKY)

# rule -> (containers that fail it, a piece of the evidence of each)
EXPECTED = {
    'capabilities': {'rt-privileged': 'every capability', 'rt-sysadmin': 'SYS_ADMIN'},
    'privileged': {'rt-privileged': '--privileged'},
    'sensitive_mounts': {'rt-etc': '/etc:/x (read-only)', 'rt-rootfs': '/:/h'},
    'host_network': {'rt-hostnet': '--network=host'},
    'host_pid': {'rt-hostpid': '--pid=host'},
    'host_ipc': {'rt-hostipc': '--ipc=host'},
    'host_uts': {'rt-hostuts': '--uts=host'},
    'host_userns': {'rt-userns': '--userns=host'},
    'devices': {'rt-privileged': 'every host device', 'rt-device': '/dev/null:/dev/xnull:rwm'},
    'mount_propagation': {'rt-shared': '/srv/rt-shared:/m (shared)'},
    'seccomp': {'rt-privileged': 'no seccomp filter', 'rt-seccomp': 'seccomp=unconfined'},
    'docker_socket': {'rt-socket': '/var/run/docker.sock:/s', 'rt-rootfs': '/:/h (holds /run/docker.sock)'},
    'privileged_ports': {'rt-ports': '80 -> 8080/tcp'},
    'host_interface': {'rt-ports': '0.0.0.0:80 -> 8080/tcp'},
    'memory': dict((name, 'no memory limit') for name in RISKY),
    'readonly_rootfs': dict((name, 'writable') for name in RISKY),
    'pids_limit': dict((name, 'no PIDs limit') for name in RISKY),
    'no_new_privileges': dict((name, 'neither on the container nor the daemon default') for name in RISKY
                              if name != 'rt-nnp-off'),
}
EXPECTED['no_new_privileges']['rt-nnp-off'] = 'no-new-privileges=false'


def containers(engine):
    with open(os.path.join(FIXTURES, ENGINES[engine]), 'r', encoding='utf-8') as handle:
        raw = json.load(handle)
    subsets = [annotate_mounts(container_subset(entry), lambda p: HOST_LINKS.get(p, p)) for entry in raw]
    return dict((c['name'], c) for c in subsets)


def context(**overrides):
    ctx = {'daemon_no_new_privileges': False, 'daemon_seccomp_profile': 'default', 'apparmor_kernel': False,
           'sockets': ['/run/docker.sock']}
    ctx.update(overrides)
    return ctx


def control_with(rule):
    for control in CATALOG.values():
        if control['check'].get('container_rule') == rule:
            return control
    raise AssertionError('no catalog control uses %s' % rule)


def test_fixtures_hold_every_risky_container_and_the_ordinary_one():
    for engine in ENGINES:
        names = set(containers(engine))
        assert names == EVERY_RISKY | {'rt-ordinary'}, engine


@pytest.mark.parametrize('engine', sorted(ENGINES))
@pytest.mark.parametrize('rule', sorted(EXPECTED))
def test_rule_finds_exactly_the_risky_containers(engine, rule):
    control = control_with(rule)
    got = {}
    for name, container in containers(engine).items():
        result = decide_container(control, container, context())
        assert result['container'] == name and len(result['container_id']) == 12
        assert result['image'] == 'busybox:latest'
        if result['status'] == 'fail':
            got[name] = result['evidence']
        else:
            assert result['status'] == 'pass', (name, result)
    assert sorted(got) == sorted(EXPECTED[rule])
    for name, piece in EXPECTED[rule].items():
        assert piece in got[name], (name, got[name])


@pytest.mark.parametrize('engine', sorted(ENGINES))
def test_ordinary_container_passes_every_rule(engine):
    ordinary = containers(engine)['rt-ordinary']
    for rule in RULES:
        result = decide_container(control_with(rule), ordinary, context())
        expected = 'not_applicable' if rule == 'apparmor' else 'pass'
        assert result['status'] == expected, (rule, result['evidence'])


def test_every_rule_has_a_catalog_control_and_an_expectation():
    assert set(EXPECTED) | {'apparmor'} == set(RULES)
    ids = sorted(c['id'] for c in CATALOG.values() if c['check'].get('container_rule'))
    assert ids == ['5.10', '5.11', '5.13', '5.14', '5.16', '5.17', '5.18', '5.2', '5.20', '5.21', '5.22', '5.26',
                   '5.29', '5.31', '5.32', '5.4', '5.5', '5.6', '5.8']


def test_no_new_privileges_follows_the_daemon_default():
    control = control_with('no_new_privileges')
    by_name = containers('26.1')
    results = dict((n, decide_container(control, c, context(daemon_no_new_privileges=True))) for n, c in by_name.items())
    assert [n for n, r in results.items() if r['status'] == 'fail'] == ['rt-nnp-off']
    assert 'daemon default' in results['rt-device']['evidence']
    assert 'set on the container' in results['rt-ordinary']['evidence']


def test_seccomp_follows_an_unconfined_daemon_default():
    control = control_with('seccomp')
    ordinary = containers('20.10')['rt-ordinary']
    result = decide_container(control, ordinary, context(daemon_seccomp_profile='unconfined'))
    assert result['status'] == 'fail' and 'daemon default' in result['evidence']
    custom = dict(ordinary, security_opt=['seccomp=/etc/docker/strict.json'])
    assert decide_container(control, custom, context(daemon_seccomp_profile='unconfined'))['status'] == 'pass'


def test_apparmor_where_the_kernel_has_it():
    control = control_with('apparmor')
    ordinary = containers('26.1')['rt-ordinary']
    ctx = context(apparmor_kernel=True)
    assert decide_container(control, dict(ordinary, apparmor_profile='docker-default'), ctx)['status'] == 'pass'
    unconfined = decide_container(control, dict(ordinary, apparmor_profile='unconfined'), ctx)
    assert unconfined['status'] == 'fail' and 'unconfined' in unconfined['evidence']
    asked = containers('26.1')['rt-ordinary']
    asked = dict(asked, security_opt=['apparmor=unconfined'])
    assert 'asks apparmor=unconfined' in decide_container(control, asked, context())['evidence']


def test_ports_bound_to_one_interface_pass():
    control = control_with('host_interface')
    ports = containers('26.1')['rt-ports']
    local = dict(ports, ports=[p for p in ports['ports'] if p['host_ip'] == '127.0.0.1'])
    result = decide_container(control, local, context())
    assert result['status'] == 'pass' and result['evidence'] == 'ports bound to 127.0.0.1:8081'
    assert decide_container(control_with('privileged_ports'), local, context())['status'] == 'pass'


def test_docker_socket_through_a_parent_directory():
    control = control_with('docker_socket')
    ordinary = containers('20.10')['rt-ordinary']
    runs = dict(ordinary, mounts=[{'type': 'bind', 'source': '/var/run', 'source_real': '/run', 'destination': '/r',
                                   'rw': True, 'propagation': 'rprivate'}])
    result = decide_container(control, runs, context())
    assert result['status'] == 'fail' and '(holds /run/docker.sock)' in result['evidence']
    volume = dict(ordinary, mounts=[{'type': 'volume', 'source': '/var/lib/docker/volumes/x/_data', 'destination': '/d',
                                     'rw': True, 'propagation': ''}])
    assert decide_container(control, volume, context())['status'] == 'pass'


def _state(container_list, available=True, include_stopped=False):
    return {'runtime': {'available': available, 'error': None if available else 'socket refused',
                        'include_stopped': include_stopped, 'containers': container_list,
                        'sockets_real': ['/run/docker.sock']}}


def test_host_level_counts_failing_containers_by_name():
    state = _state(list(containers('26.1').values()), include_stopped=True)
    status, evidence, details = check_containers(state, CATALOG['5.5'], {})
    assert status == 'fail'
    assert evidence.startswith('1 of 17 containers fail: rt-privileged: runs with --privileged')
    assert details['failing'][0].startswith('rt-privileged (')
    status, evidence, details = check_containers(state, CATALOG['5.11'], {})
    assert status == 'fail' and evidence.startswith('16 of 17 containers fail') and evidence.endswith('and 11 more')


def test_no_running_container_is_not_applicable_never_pass():
    status, evidence, _details = check_containers(_state([]), CATALOG['5.5'], {})
    assert (status, evidence) == ('not_applicable', 'no running containers')


def test_containers_not_listed_is_an_error():
    assert check_containers(_state([], available=False), CATALOG['5.5'], {})[:2] == (
        'error', 'containers could not be listed: socket refused')
    assert check_containers({}, CATALOG['5.5'], {})[:2] == ('error', 'containers were not inspected')


def test_all_pass_and_all_not_applicable():
    ordinary = containers('20.10')['rt-ordinary']
    assert check_containers(_state([ordinary]), CATALOG['5.5'], {})[:2] == ('pass', 'all 1 running containers pass')
    status, evidence, _details = check_containers(_state([ordinary]), CATALOG['5.2'], {})
    assert status == 'not_applicable' and 'no AppArmor' in evidence


def test_merge_turns_a_passing_daemon_default_into_a_failure():
    state = _state(list(containers('20.10').values()))
    ctx = runtime_context(state)
    per_container = [decide_container(CATALOG['5.22'], c, ctx) for c in state['runtime']['containers']]
    host = {'status': 'pass', 'evidence': 'name=seccomp is active (profile=default)', 'details': {}}
    merged = merge_host_result(dict(host), state, per_container)
    assert merged['status'] == 'fail'
    assert 'rt-seccomp: seccomp=unconfined' in merged['evidence']
    empty = merge_host_result(dict(host), _state([]), [])
    assert empty['status'] == 'pass' and empty['evidence'].endswith('; no running containers')


def test_aggregate_reports_errors():
    broken = {'container': 'x', 'container_id': 'abc', 'status': 'error', 'evidence': 'cannot evaluate'}
    status, evidence, _details = aggregate(_state([{}]), None, [broken])
    assert status == 'error' and 'could not be judged' in evidence


def test_subset_keeps_only_what_the_rules_read():
    subset = containers('26.1')['rt-shared']
    assert set(subset) == {'id', 'name', 'image', 'state', 'privileged', 'cap_add', 'cap_drop', 'security_opt',
                           'apparmor_profile', 'network_mode', 'pid_mode', 'ipc_mode', 'uts_mode', 'userns_mode',
                           'memory', 'pids_limit', 'readonly_rootfs', 'devices', 'device_cgroup_rules', 'mounts', 'ports'}
    assert subset['mounts'] == [{'type': 'bind', 'name': None, 'source': '/srv/rt-shared', 'destination': '/m',
                                 'rw': True, 'propagation': 'shared', 'source_real': '/srv/rt-shared'}]
    assert containers('20.10')['rt-privileged']['state'] == 'created'
