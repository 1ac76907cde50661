# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""controls/catalog.yml against docs/design.md, the audit module and docs/controls.md."""

from __future__ import annotations

import importlib.util
import os
import re

import pytest
import yaml

from ansible_collections.hardening.docker.plugins.module_utils._audit_catalog import (
    ROLES,
    CatalogError,
    validate_catalog,
)
from ansible_collections.hardening.docker.plugins.module_utils._audit_checks import CHECKS
from ansible_collections.hardening.docker.plugins.module_utils._audit_model import id_norm, sort_key

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..'))
CATALOG = os.path.join(ROOT, 'controls', 'catalog.yml')
DESIGN = os.path.join(ROOT, 'docs', 'design.md')


@pytest.fixture(scope='module')
def controls():
    with open(CATALOG, 'rb') as handle:
        return yaml.safe_load(handle)['controls']


@pytest.fixture(scope='module')
def by_id(controls):
    return dict((c['id'], c) for c in controls)


def design_ownership():
    """{role: text of its 'controls it remediates' cell} from the design table."""
    owners = {}
    with open(DESIGN, 'r', encoding='utf-8') as handle:
        for line in handle:
            match = re.match(r'^\|\s*`([a-z_]+)`\s*\|(.*)\|\s*$', line)
            if match:
                owners[match.group(1)] = match.group(2)
    return owners


def expand_ids(text, all_ids):
    """'2.2 icc, 3.1-3.14, 3.15/3.16, HD-1 ...' -> set of catalog ids."""
    found = set()
    for match in re.finditer(r'(HD-\d+)|(\d+(?:\.\d+)+)(?:-(\d+(?:\.\d+)+))?', text):
        if match.group(1):
            found.add(match.group(1))
            continue
        start, end = match.group(2), match.group(3)
        if not end:
            found.add(start)
            continue
        prefix = start.rsplit('.', 1)[0]
        low, high = int(start.rsplit('.', 1)[1]), int(end.rsplit('.', 1)[1])
        for cid in all_ids:
            if not cid.startswith('HD') and cid.rsplit('.', 1)[0] == prefix and low <= int(cid.rsplit('.', 1)[1]) <= high:
                found.add(cid)
    return found


def test_catalog_validates(controls):
    assert validate_catalog(controls) is controls


def test_ids_unique_and_strings(controls):
    ids = [c['id'] for c in controls]
    assert len(ids) == len(set(ids))
    assert all(isinstance(i, str) for i in ids)


def test_catalog_order_is_natural(controls):
    """In the newest benchmark's order (the devicemapper control sits at v1.8's 2.7)."""
    ids = [c['cis'].get('1.8', c['id']) for c in controls]
    assert ids == sorted(ids, key=sort_key)


def test_every_control_has_a_stable_uid_and_its_cis_ids(controls):
    uids = [c['uid'] for c in controls]
    assert len(uids) == len(set(uids))
    for control in controls:
        if control['profile'] == 'hardening':
            assert control['cis'] == {}, control['id']
        else:
            assert set(control['cis']) <= {'1.6', '1.7', '1.8'} and '1.8' in control['cis'], control['id']


def test_benchmark_renumbering(by_id):
    """v1.7 keeps v1.6's numbers; v1.8 inserts 2.7 (devicemapper) and moves 2.7-2.18 one up."""
    assert by_id['2.7']['cis'] == {'1.6': '2.7', '1.7': '2.7', '1.8': '2.8'}      # TLS
    assert by_id['2.8']['cis']['1.8'] == '2.9' and by_id['2.9']['cis']['1.8'] == '2.10'
    assert by_id['2.18']['cis']['1.8'] == '2.19'
    assert by_id['2.6']['cis']['1.8'] == '2.6' and by_id['3.1']['cis']['1.8'] == '3.1'
    devicemapper = by_id['daemon-no-devicemapper']
    assert devicemapper['cis'] == {'1.8': '2.7'} and devicemapper['check']['key'] == 'storage-driver'
    for control in by_id.values():
        assert control['cis'].get('1.7', control['cis'].get('1.6')) == control['cis'].get('1.6')


def test_catalog_without_uid_or_cis_is_refused(controls):
    broken = [dict(c) for c in controls[:2]]
    del broken[0]['uid']
    broken[1]['cis'] = {'1.6': '9.9'}
    with pytest.raises(CatalogError) as info:
        validate_catalog(broken)
    assert "missing 'uid'" in str(info.value) and 'catalog id is the v1.6 id' in str(info.value)


def test_cis_sections_complete(by_id):
    expected = ['1.1.%d' % i for i in range(1, 19)] + ['1.2.1', '1.2.2']
    expected += ['2.%d' % i for i in range(1, 19)] + ['3.%d' % i for i in range(1, 25)]
    missing = [i for i in expected if i not in by_id]
    assert not missing
    extra = [i for i in by_id if i[0] in '123' and i not in expected]
    assert not extra


def test_section5_host_defaults(by_id):
    for cid in ('5.1', '5.2', '5.3', '5.26'):
        assert by_id[cid]['section'] == '5'
    assert 'swarm' in by_id['5.1']['title'].lower()
    assert 'apparmor' in by_id['5.2']['title'].lower()
    assert 'selinux' in by_id['5.3']['title'].lower()
    assert 'privileges' in by_id['5.26']['title'].lower()


def test_hardening_controls(by_id):
    assert sorted('HD-%d' % i for i in range(1, 11)) == sorted(i for i in by_id if i.startswith('HD-'))
    assert all(by_id['HD-%d' % i]['profile'] == 'hardening' for i in range(1, 11))


def test_section5_per_container(by_id):
    # CIS Docker Benchmark v1.6.0 numbering of the per-container recommendations
    titles = {'5.4': 'capabilities', '5.5': 'privileged', '5.6': 'sensitive host system directories',
              '5.10': 'network namespace', '5.11': 'memory', '5.13': 'read only', '5.16': 'process namespace',
              '5.17': 'ipc namespace', '5.18': 'host devices', '5.20': 'mount propagation', '5.21': 'uts namespace',
              '5.22': 'seccomp', '5.26': 'additional privileges', '5.29': 'pids cgroup', '5.31': 'user namespaces',
              '5.32': 'docker socket', '5.2': 'apparmor'}
    for cid, words in titles.items():
        assert words in by_id[cid]['title'].lower(), cid
        assert by_id[cid]['check'].get('container_rule'), cid
    # decided from the daemon default too: the host-level check stays
    assert by_id['5.22']['check']['type'] == 'security_option'
    assert by_id['5.26']['check']['type'] == 'daemon_key'
    assert by_id['5.31']['check']['type'] == 'daemon_key'
    assert by_id['2.14']['check'].get('container_rule') is None


def test_container_rule_validated(by_id):
    import copy
    entry = copy.deepcopy(by_id['5.5'])
    entry['check']['container_rule'] = 'nope'
    with pytest.raises(CatalogError) as exc:
        validate_catalog([entry])
    assert "container_rule 'nope' is not a container rule" in str(exc.value)
    entry['check'] = {'type': 'containers'}
    with pytest.raises(CatalogError) as exc:
        validate_catalog([entry])
    assert "needs 'container_rule'" in str(exc.value)
    # workload findings have no role; other hardening controls still need one
    assert by_id['HD-8']['remediation'] is None and validate_catalog([by_id['HD-8']])
    entry = copy.deepcopy(by_id['HD-7'])
    entry['remediation'] = None
    with pytest.raises(CatalogError):
        validate_catalog([entry])


def test_design_roles_match(controls):
    owners = design_ownership()
    assert set(owners) == set(ROLES)
    for control in controls:
        if control['remediation']:
            assert control['remediation']['role'] in owners


def test_ownership_follows_design(controls):
    owners = design_ownership()
    all_ids = [c['id'] for c in controls]
    expected = {}
    for role, text in owners.items():
        for cid in expand_ids(text, all_ids):
            assert cid not in expected, '%s claimed by %s and %s' % (cid, expected[cid], role)
            expected[cid] = role
    for control in controls:
        role = (control['remediation'] or {}).get('role')
        assert role == expected.get(control['id']), control['id']
    assert set(expected) <= set(all_ids)


def test_variables_and_tags(controls):
    for control in controls:
        rem = control['remediation']
        if rem is None:
            continue
        assert rem['variable'] == '%s_rule_%s' % (rem['role'], id_norm(control['id']))
        assert rem['tag'] == 'rule_%s' % id_norm(control['id'])


def test_examples_of_id_forms():
    assert id_norm('2.2') == '2_2'
    assert id_norm('HD-1') == 'hd_1'
    assert id_norm('1.1.18') == '1_1_18'


def test_every_check_type_implemented(controls):
    for control in controls:
        assert control['check']['type'] in CHECKS, control['id']


def test_levels_scored_rationale(controls):
    for control in controls:
        assert control['level'] in (1, 2)
        assert isinstance(control['scored'], bool)
        assert control['rationale'].strip().endswith('.')


def test_manual_controls_have_no_role(controls):
    for control in controls:
        if control['check']['type'] == 'manual':
            assert control['remediation'] is None
            assert control['scored'] is False


def test_debian_paths(by_id):
    assert by_id['1.1.3']['check']['paths'][0] == '/usr/sbin/dockerd'
    assert '/usr/sbin/runc' in by_id['1.1.18']['check']['paths']
    assert by_id['1.1.7']['check']['paths'][0] == '/usr/lib/systemd/system/docker.service'
    assert by_id['1.1.9']['check']['paths'][0] == '/usr/lib/systemd/system/docker.socket'
    for cid, path in (('1.1.14', '/usr/bin/containerd'), ('1.1.15', '/usr/bin/containerd-shim'),
                      ('1.1.16', '/usr/bin/containerd-shim-runc-v1'), ('1.1.17', '/usr/bin/containerd-shim-runc-v2'),
                      ('1.1.10', '/etc/default/docker'), ('1.1.11', '/etc/docker/daemon.json'),
                      ('1.1.12', '/etc/containerd/config.toml'), ('1.1.8', '/run/containerd/containerd.sock')):
        assert by_id[cid]['check']['paths'] == [path]


@pytest.mark.parametrize('mutate, fragment', [
    (lambda c: c.update(id=2.2), 'id must look like'),
    (lambda c: c.update(level=3), 'level must be 1 or 2'),
    (lambda c: c.update(scored='yes'), 'scored must be'),
    (lambda c: c['check'].update(type='nope'), 'not implemented'),
    (lambda c: c['check'].pop('key'), "needs 'key'"),
    (lambda c: c['check'].update(bogus=1), "does not take 'bogus'"),
    (lambda c: c['remediation'].update(role='firewall'), 'not a role'),
    (lambda c: c['remediation'].update(variable='daemon_rule_2.2'), 'variable must be daemon_rule_2_2'),
    (lambda c: c['remediation'].update(tag='rule_2.2'), 'tag must be rule_2_2'),
    (lambda c: c.pop('rationale'), "missing 'rationale'"),
    (lambda c: c.update(extra=1), 'unknown fields'),
    (lambda c: c.update(section='3'), 'does not belong to section'),
])
def test_validation_errors(by_id, mutate, fragment):
    import copy
    entry = copy.deepcopy(by_id['2.2'])
    mutate(entry)
    with pytest.raises(CatalogError) as exc:
        validate_catalog([entry])
    assert fragment in str(exc.value)


def test_duplicate_ids_rejected(by_id):
    with pytest.raises(CatalogError) as exc:
        validate_catalog([by_id['2.2'], by_id['2.2']])
    assert 'duplicate id' in str(exc.value)


def test_docs_controls_md_up_to_date(controls):
    spec = importlib.util.spec_from_file_location('gen_control_docs', os.path.join(ROOT, 'scripts', 'gen_control_docs.py'))
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    with open(os.path.join(ROOT, 'docs', 'controls.md'), 'r', encoding='utf-8') as handle:
        current = handle.read()
    assert current == gen.render(controls), 'docs/controls.md is stale: run scripts/gen_control_docs.py'
    for control in controls:
        assert '| %s |' % control['id'] in current
