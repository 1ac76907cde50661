# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.hardening.docker.plugins.module_utils import _plugin_probe
from ansible_collections.hardening.docker.plugins.modules import authz_plugin

UNIT = 'hd-authz.service'


class Host(object):
    """systemd and the plugin's socket as the module sees them."""

    def __init__(self, monkeypatch):
        self.state = dict(ActiveState='inactive', UnitFileState='', LoadState='not-found')
        self.commands = []
        self.answers = False
        self.fail = None
        self.broken = False
        host = self

        def run_command(module, args, **kwargs):
            if args[0] != '/bin/systemctl':  # lsattr, as backup_local asks it
                return 1, '', 'not here'
            verb = args[1]
            if verb == 'show':
                return 0, ''.join('%s=%s\n' % item for item in host.state.items()), ''
            host.commands.append(' '.join(args[1:]))
            if verb == host.fail:
                return 1, '', 'Job for %s failed.' % UNIT
            if verb in ('start', 'restart'):
                host.state.update(ActiveState='active', LoadState='loaded')
                host.answers = not host.broken
            if verb == 'enable':
                host.state['UnitFileState'] = 'enabled'
            return 0, '', ''

        def activate(path, timeout=5, connection=None):
            return (['authz'], 'implements authz') if host.answers else (None, 'Request failed: refused')

        monkeypatch.setattr(authz_plugin.AnsibleModule, 'run_command', run_command)
        monkeypatch.setattr(authz_plugin.AnsibleModule, 'get_bin_path', lambda self, name, *a, **k: '/bin/' + name)
        monkeypatch.setattr(_plugin_probe, 'activate', activate)
        monkeypatch.setattr(_plugin_probe.time, 'sleep', lambda seconds: None)


@pytest.fixture
def host(monkeypatch):
    return Host(monkeypatch)


@pytest.fixture
def paths(tmp_path):
    class Paths(object):
        lib = tmp_path / 'lib' / 'hardening-docker'
        etc = tmp_path / 'etc' / 'hardening-docker'
        unit_dir = tmp_path / 'systemd'
        program = lib / 'hd_authz.py'
        policy = etc / 'hd-authz.json'
        unit = unit_dir / UNIT
    Paths.unit_dir.mkdir()
    return Paths


def args(paths, policy='{"mode": "audit"}\n', program='print("plugin")\n', unit='[Service]\n', **extra):
    result = dict(plugin_name='hd-authz', socket='/run/docker/plugins/hd-authz.sock', unit=UNIT,
                  interpreter='/bin/sh', directories=[str(paths.lib), str(paths.etc)], probe_timeout=0,
                  files=[dict(name='plugin program', path=str(paths.program), content=program),
                         dict(name='policy (audit)', path=str(paths.policy), content=policy, on_change='reload',
                              backup=True),
                         dict(name='systemd unit', path=str(paths.unit), content=unit, unit_file=True)])
    result.update(extra)
    return result


def by_name(result):
    return {item['name']: item for item in result['results']}


def mode(path):
    return stat.S_IMODE(os.stat(str(path)).st_mode)


def test_first_run_installs_starts_and_probes(host, paths, run_module):
    result = run_module(authz_plugin.main, args(paths))
    assert result['changed'] and result['answers'] and result['probed']
    assert result['before'] == dict(answers=False, implements=None, msg='Request failed: refused')
    assert host.commands == ['daemon-reload', 'enable ' + UNIT, 'start ' + UNIT]
    assert paths.policy.read_text() == '{"mode": "audit"}\n' and mode(paths.policy) == 0o644
    assert mode(paths.lib) == 0o755 and mode(paths.program) == 0o644 and paths.unit.read_text() == '[Service]\n'
    assert by_name(result)['service']['actions'] == ['daemon-reload', 'enable', 'start']


def test_rerun_changes_and_restarts_nothing(host, paths, run_module):
    run_module(authz_plugin.main, args(paths))
    host.commands = []
    result = run_module(authz_plugin.main, args(paths))
    assert not result['changed'] and result['answers'] and result['before']['answers']
    assert host.commands == [] and not any(item['changed'] for item in result['results'])


def test_a_new_policy_is_a_reload_with_a_backup(host, paths, run_module):
    run_module(authz_plugin.main, args(paths))
    host.commands = []
    result = run_module(authz_plugin.main, args(paths, policy='{"mode": "enforce"}\n'), diff=True)
    assert host.commands == ['reload ' + UNIT]
    policy = by_name(result)['policy (audit)']
    assert policy['changes'] == ['content'] and open(policy['backup_file']).read() == '{"mode": "audit"}\n'
    assert result['diff'] == [dict(before_header=str(paths.policy), after_header=str(paths.policy),
                                   before='{"mode": "audit"}\n', after='{"mode": "enforce"}\n')]


@pytest.mark.parametrize('change, commands', [
    (dict(program='print("v2")\n'), ['restart ' + UNIT]),
    (dict(unit='[Service]\nRestart=always\n'), ['daemon-reload', 'restart ' + UNIT]),
])
def test_a_new_program_or_unit_is_a_restart(host, paths, run_module, change, commands):
    run_module(authz_plugin.main, args(paths))
    host.commands = []
    run_module(authz_plugin.main, args(paths, **change))
    assert host.commands == commands


def test_a_loose_mode_alone_is_fixed_without_a_restart(host, paths, run_module):
    run_module(authz_plugin.main, args(paths))
    host.commands = []
    paths.program.chmod(0o666)
    result = run_module(authz_plugin.main, args(paths))
    assert by_name(result)['plugin program']['changes'] == ['mode 0666 -> 0644'] and result['changed']
    assert mode(paths.program) == 0o644 and host.commands == []


def test_check_mode_reports_and_changes_nothing(host, paths, run_module):
    result = run_module(authz_plugin.main, args(paths), check=True, diff=True)
    assert result['changed'] and not result['probed'] and not result['answers']
    assert by_name(result)['service']['actions'] == ['daemon-reload', 'enable', 'start']
    assert host.commands == [] and not paths.lib.exists() and not paths.unit.exists()
    assert [d['after_header'] for d in result['diff']] == [str(paths.program), str(paths.policy), str(paths.unit)]


def test_check_mode_probes_a_plugin_that_answers(host, paths, run_module):
    run_module(authz_plugin.main, args(paths))
    host.commands = []
    result = run_module(authz_plugin.main, args(paths, policy='{}\n'), check=True)
    assert result['changed'] and result['probed'] and result['answers']
    assert host.commands == [] and paths.policy.read_text() == '{"mode": "audit"}\n'


def test_a_plugin_that_does_not_answer_fails_before_daemon_json(host, paths, fail_module):
    # systemd runs it, but it never answers
    host.broken = True
    host.state.update(ActiveState='active', UnitFileState='enabled', LoadState='loaded')
    result = fail_module(authz_plugin.main, args(paths))
    assert 'the plugin hd-authz did not answer Plugin.Activate on /run/docker/plugins/hd-authz.sock' in result['msg']
    assert 'journalctl -u hd-authz.service' in result['msg'] and result['changed']
    assert paths.program.exists() and not result['answers']


def test_a_missing_interpreter_stops_before_any_change(host, paths, fail_module):
    result = fail_module(authz_plugin.main, args(paths, interpreter='/nonexistent/python3'))
    assert result['msg'].startswith("authz: the plugin runs on the host's own /nonexistent/python3, which is missing.")
    assert not paths.lib.exists() and host.commands == []


def test_a_refused_systemctl_fails_naming_it(host, paths, fail_module):
    host.fail = 'start'
    result = fail_module(authz_plugin.main, args(paths))
    assert result['msg'].startswith('systemctl start hd-authz.service failed: Job for hd-authz.service failed.')


def test_install_false_only_asks(host, paths, run_module):
    host.answers = True
    result = run_module(authz_plugin.main, args(paths, install=False, interpreter='/nonexistent'))
    assert result == dict(changed=False, before=dict(answers=True, implements=['authz'], msg='implements authz'),
                          answers=True, msg='implements authz', warnings=[])
    assert not paths.lib.exists()
