# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os
import stat
import textwrap

import pytest

from ansible_collections.hardening.docker.plugins.modules import daemon_config, daemon_unit

DOCKER_CE_UNIT = textwrap.dedent("""\
    [Unit]
    Description=Docker Application Container Engine

    [Service]
    Type=notify
    ExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock
    ExecReload=/bin/kill -s HUP $MAINPID
""")

DEBIAN_UNIT = textwrap.dedent("""\
    [Service]
    Type=notify
    EnvironmentFile=-{env}
    ExecStart=/usr/sbin/dockerd -H fd:// $DOCKER_OPTS
""")

HEADER = '# Managed by hardening.docker: listeners come from daemon.json "hosts".\n'


class Dirs(object):
    def __init__(self, root):
        self.root = root
        self.etc = root / 'etc' / 'systemd' / 'system'
        self.lib = root / 'lib' / 'systemd' / 'system'
        self.etc.mkdir(parents=True)
        self.lib.mkdir(parents=True)
        self.search_paths = [str(self.etc), str(self.lib)]
        self.dropin = self.etc / 'docker.service.d' / 'zz-hardening-docker-hosts.conf'

    def args(self, **kwargs):
        args = dict(unit_search_paths=self.search_paths)
        args.update(kwargs)
        return args


@pytest.fixture
def dirs(tmp_path):
    d = Dirs(tmp_path)
    (d.lib / 'docker.service').write_text(DOCKER_CE_UNIT)
    return d


def test_present_writes_dropin_and_keeps_containerd(dirs, run_module):
    result = run_module(daemon_unit.main, dirs.args())
    assert result['changed'] is True
    assert result['daemon_reload_required'] is True
    assert result['path'] == str(dirs.dropin)
    assert result['exec_start'] == '/usr/bin/dockerd --containerd=/run/containerd/containerd.sock'
    assert dirs.dropin.read_text() == (
        HEADER + '[Service]\nExecStart=\nExecStart=/usr/bin/dockerd --containerd=/run/containerd/containerd.sock\n')
    assert stat.S_IMODE(os.stat(str(dirs.dropin)).st_mode) == 0o644
    assert stat.S_IMODE(os.stat(str(dirs.dropin.parent)).st_mode) == 0o755
    assert os.listdir(str(dirs.dropin.parent)) == [dirs.dropin.name]


def test_idempotent(dirs, run_module):
    first = run_module(daemon_unit.main, dirs.args())
    content = dirs.dropin.read_bytes()
    second = run_module(daemon_unit.main, dirs.args())
    assert first['changed'] is True
    assert second['changed'] is False
    assert second['daemon_reload_required'] is False
    assert second['exec_start'] == first['exec_start']
    assert dirs.dropin.read_bytes() == content


def test_check_mode(dirs, run_module):
    checked = run_module(daemon_unit.main, dirs.args(), check=True, diff=True)
    assert not dirs.dropin.exists()
    real = run_module(daemon_unit.main, dirs.args(), diff=True)
    assert checked == real
    assert real['diff']['before'] == ''
    assert real['diff']['after'].startswith(HEADER)
    assert real['diff']['before_header'] == str(dirs.dropin)


def test_debian_unit_keeps_env_args(dirs, tmp_path, run_module):
    env = tmp_path / 'default-docker'
    env.write_text('#DOCKER_OPTS="--dns 8.8.8.8"\n')
    (dirs.lib / 'docker.service').write_text(DEBIAN_UNIT.format(env=env))
    result = run_module(daemon_unit.main, dirs.args())
    assert result['exec_start'] == '/usr/sbin/dockerd $DOCKER_OPTS'
    assert result['warnings'] == []


ENV_WITH_LISTENER = '# operator settings\nDOCKER_OPTS="--dns 10.0.0.2 -H tcp://0.0.0.0:2375 --icc=false -H fd://"\nOTHER=1\n'


def test_env_host_flags_remove_edits_the_environment_file(dirs, tmp_path, run_module):
    env = tmp_path / 'default-docker'
    env.write_text(ENV_WITH_LISTENER)
    env.chmod(0o640)
    (dirs.lib / 'docker.service').write_text(DEBIAN_UNIT.format(env=env))
    result = run_module(daemon_unit.main, dirs.args(env_host_flags='remove'), diff=True)
    assert result['changed'] is True and not result.get('warnings')
    assert env.read_text() == '# operator settings\nDOCKER_OPTS="--dns 10.0.0.2 --icc=false"\nOTHER=1\n'
    assert stat.S_IMODE(env.stat().st_mode) == 0o640
    [report] = result['env_files_changed']
    assert report['path'] == str(env) and report['variable'] == 'DOCKER_OPTS'
    assert report['removed'] == ['-H tcp://0.0.0.0:2375', '-H fd://']
    assert open(report['backup_file']).read() == ENV_WITH_LISTENER
    assert [d['after_header'] for d in result['diff']] == [str(dirs.dropin), str(env)]
    assert result['exec_start'] == '/usr/sbin/dockerd $DOCKER_OPTS'
    again = run_module(daemon_unit.main, dirs.args(env_host_flags='remove'))
    assert again['changed'] is False and again['env_files_changed'] == []


ENV_WITH_PROXY = ('http_proxy="http://user:secret@proxy:3128"\nexport HTTPS_PROXY=https://user:secret@proxy:3129\n'
                  'DOCKER_OPTS="-H tcp://0.0.0.0:2375 --registry-mirror https://user:secret@mirror.example"\n')


@pytest.mark.parametrize('check', [False, True])
def test_proxy_credentials_of_the_environment_file_never_in_the_diff_or_the_result(dirs, tmp_path, run_module, check):
    env = tmp_path / 'default-docker'
    env.write_text(ENV_WITH_PROXY)
    (dirs.lib / 'docker.service').write_text(DEBIAN_UNIT.format(env=env))
    result = run_module(daemon_unit.main, dirs.args(env_host_flags='remove'), diff=True, check=check)
    assert result['changed'] is True
    assert 'secret' not in str(result)
    env_diff = result['diff'][1]
    assert 'http_proxy="http://***@proxy:3128"' in env_diff['before'].splitlines()
    assert 'DOCKER_OPTS="--registry-mirror https://***@mirror.example"' in env_diff['after'].splitlines()
    # the file keeps its credentials, only the listener goes
    assert ('secret' in env.read_text()) and (('-H tcp' in env.read_text()) is check)


def test_env_host_flags_remove_in_check_mode_changes_nothing(dirs, tmp_path, run_module):
    env = tmp_path / 'default-docker'
    env.write_text(ENV_WITH_LISTENER)
    (dirs.lib / 'docker.service').write_text(DEBIAN_UNIT.format(env=env))
    result = run_module(daemon_unit.main, dirs.args(env_host_flags='remove'), check=True)
    assert result['changed'] is True and result['env_files_changed'][0]['removed'] == ['-H tcp://0.0.0.0:2375', '-H fd://']
    assert result['overrides'] == [dict(source=str(env), setting='DOCKER_OPTS', was='-H tcp://0.0.0.0:2375 -H fd://',
                                        now='removed (the other options are kept)')]
    assert env.read_text() == ENV_WITH_LISTENER and not dirs.dropin.exists()


def test_env_host_flags_set_in_the_unit_are_only_warned_about(dirs, tmp_path, run_module):
    (dirs.lib / 'docker.service').write_text(
        '[Service]\nEnvironment="DOCKER_OPTS=-H tcp://0.0.0.0:2375"\nExecStart=/usr/sbin/dockerd $DOCKER_OPTS\n')
    result = run_module(daemon_unit.main, dirs.args(env_host_flags='remove'))
    assert result['env_files_changed'] == []
    assert any('-H tcp://0.0.0.0:2375' in w for w in result['warnings'])


def test_keep_env_args_false(dirs, tmp_path, run_module):
    (dirs.lib / 'docker.service').write_text(DEBIAN_UNIT.format(env=tmp_path / 'none'))
    result = run_module(daemon_unit.main, dirs.args(keep_env_args=False))
    assert result['exec_start'] == '/usr/sbin/dockerd'


def test_warns_when_env_var_has_host_flag(dirs, tmp_path, run_module):
    env = tmp_path / 'default-docker'
    env.write_text('DOCKER_OPTS="-H tcp://0.0.0.0:2375 --icc=false"\n')
    (dirs.lib / 'docker.service').write_text(DEBIAN_UNIT.format(env=env))
    result = run_module(daemon_unit.main, dirs.args())
    assert any('-H tcp://0.0.0.0:2375' in w and 'DOCKER_OPTS' in w for w in result['warnings'])


@pytest.mark.parametrize('exec_start, expected', [
    ('/usr/bin/dockerd -H fd:// -H tcp://127.0.0.1:2375 --icc=false', '/usr/bin/dockerd --icc=false'),
    ('/usr/bin/dockerd --host=fd:// --debug', '/usr/bin/dockerd --debug'),
    ('/usr/bin/dockerd --host fd:// -Hunix:///run/d.sock --label "a=b c"', '/usr/bin/dockerd --label "a=b c"'),
    ('-/usr/bin/dockerd fd:// -D', '-/usr/bin/dockerd -D'),
])
def test_host_forms_removed(dirs, run_module, exec_start, expected):
    (dirs.lib / 'docker.service').write_text('[Service]\nExecStart=%s\n' % exec_start)
    result = run_module(daemon_unit.main, dirs.args())
    assert result['exec_start'] == expected


def test_effective_execstart_ignores_managed_dropin_but_sees_others(dirs, run_module):
    # an admin drop-in (lower-priority dir, earlier name) adds a flag: it is kept
    other = dirs.lib / 'docker.service.d'
    other.mkdir()
    (other / '05-site.conf').write_text(
        '[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock '
        '--iptables=false\n')
    result = run_module(daemon_unit.main, dirs.args())
    assert result['exec_start'] == '/usr/bin/dockerd --containerd=/run/containerd/containerd.sock --iptables=false'
    again = run_module(daemon_unit.main, dirs.args())
    assert again['changed'] is False


def test_later_dropin_with_execstart_warns(dirs, run_module):
    (dirs.etc / 'docker.service.d').mkdir()
    (dirs.etc / 'docker.service.d' / 'zzz-late.conf').write_text('[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd://\n')
    result = run_module(daemon_unit.main, dirs.args())
    assert any('zzz-late.conf' in w and 'overrides' in w for w in result['warnings'])


@pytest.mark.parametrize('name', ['override.conf', '90-late.conf', 'local.conf'])
def test_an_operator_override_is_read_and_its_listeners_dropped(dirs, run_module, name):
    # `systemctl edit docker` writes override.conf: the managed drop-in sorts
    # after it, keeps its other arguments and drops its plaintext listener.
    (dirs.etc / 'docker.service.d').mkdir()
    (dirs.etc / 'docker.service.d' / name).write_text(
        '[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// -H tcp://0.0.0.0:2375 --log-level=warn\n')
    result = run_module(daemon_unit.main, dirs.args())
    assert result['exec_start'] == '/usr/bin/dockerd --log-level=warn'
    assert not result.get('warnings')
    assert os.path.basename(result['path']) > name
    [override] = result['overrides']
    assert override['source'] == '%s line 3' % (dirs.etc / 'docker.service.d' / name)
    assert override['was'] == '-H tcp://0.0.0.0:2375'
    assert override['now'].startswith('removed by %s' % dirs.dropin)


def test_the_stock_fd_listener_is_no_override(dirs, run_module):
    assert run_module(daemon_unit.main, dirs.args())['overrides'] == []


def test_absent_removes_only_the_dropin(dirs, run_module):
    run_module(daemon_unit.main, dirs.args())
    keep = dirs.dropin.parent / '50-other.conf'
    keep.write_text('[Service]\nLimitNOFILE=1024\n')
    result = run_module(daemon_unit.main, dirs.args(state='absent'), diff=True)
    assert result['changed'] is True and result['daemon_reload_required'] is True
    assert not dirs.dropin.exists()
    assert keep.exists()
    assert result['exec_start'] == '/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock'
    assert result['diff']['after'] == ''
    again = run_module(daemon_unit.main, dirs.args(state='absent'))
    assert again['changed'] is False


def test_absent_check_mode(dirs, run_module):
    run_module(daemon_unit.main, dirs.args())
    result = run_module(daemon_unit.main, dirs.args(state='absent'), check=True)
    assert result['changed'] is True
    assert dirs.dropin.exists()


def test_backup(dirs, run_module):
    dirs.dropin.parent.mkdir()
    dirs.dropin.write_text('[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd://\n')
    result = run_module(daemon_unit.main, dirs.args(backup=True))
    assert os.path.exists(result['backup_file'])
    assert not result['backup_file'].endswith('.conf')


def test_changed_content_rewritten(dirs, run_module):
    dirs.dropin.parent.mkdir()
    dirs.dropin.write_text('[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd://\n')
    result = run_module(daemon_unit.main, dirs.args())
    assert result['changed'] is True
    assert '-H' not in dirs.dropin.read_text().split('ExecStart=')[-1]


def test_unit_not_found(tmp_path, fail_module):
    d = Dirs(tmp_path)
    result = fail_module(daemon_unit.main, d.args())
    assert 'docker.service was not found' in result['msg']


def test_multiple_execstart_refused(dirs, fail_module):
    (dirs.lib / 'docker.service').write_text('[Service]\nExecStart=/usr/bin/dockerd\nExecStart=/usr/bin/true\n')
    result = fail_module(daemon_unit.main, dirs.args())
    assert '2 ExecStart' in result['msg']


def test_no_execstart_refused(dirs, fail_module):
    (dirs.lib / 'docker.service').write_text('[Service]\nType=notify\n')
    result = fail_module(daemon_unit.main, dirs.args())
    assert 'no ExecStart' in result['msg']


@pytest.mark.parametrize('name', ['hosts', 'a/b.conf', '.conf'])
def test_bad_dropin_name(dirs, fail_module, name):
    result = fail_module(daemon_unit.main, dirs.args(dropin_name=name))
    assert 'dropin_name' in result['msg']


def test_together_with_daemon_config(dirs, tmp_path, run_module, fail_module):
    config = dict(path=str(tmp_path / 'daemon.json'), unit_search_paths=dirs.search_paths, validate='never',
                  settings={'hosts': ['unix:///var/run/docker.sock']})
    fail_module(daemon_config.main, config)
    run_module(daemon_unit.main, dirs.args())
    # once the drop-in is in place the -H flag is gone: no flags_removed needed
    result = run_module(daemon_config.main, config)
    assert result['changed'] is True
