# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json
import hashlib
import os
import stat
import textwrap

import pytest

from ansible_collections.hardening.docker.plugins.modules import daemon_config

STOCK_UNIT = textwrap.dedent("""\
    [Unit]
    Description=Docker Application Container Engine
    After=network-online.target containerd.service

    [Service]
    Type=notify
    # the comment has -H tcp://0.0.0.0:2375, which is not a flag
    ExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock
    ExecReload=/bin/kill -s HUP $MAINPID

    [Install]
    WantedBy=multi-user.target
""")


class Host(object):
    """A fake root in tmp_path: systemd dirs, /etc/docker/daemon.json."""

    def __init__(self, root):
        self.root = root
        self.etc = root / 'etc' / 'systemd' / 'system'
        self.run = root / 'run' / 'systemd' / 'system'
        self.usr_lib = root / 'usr' / 'lib' / 'systemd' / 'system'
        self.lib = root / 'lib' / 'systemd' / 'system'
        for directory in (self.etc, self.run, self.usr_lib, self.lib):
            directory.mkdir(parents=True)
        self.path = root / 'etc' / 'docker' / 'daemon.json'
        self.search_paths = [str(d) for d in (self.etc, self.run, self.usr_lib, self.lib)]

    def unit(self, text, where=None, name='docker.service'):
        target = (where or self.lib) / name
        target.write_text(text)
        return target

    def dropin(self, where, name, text, unit='docker.service'):
        directory = where / (unit + '.d')
        directory.mkdir(exist_ok=True)
        target = directory / name
        target.write_text(text)
        return target

    def write_config(self, data):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            self.path.write_text(data)
        else:
            self.path.write_text(json.dumps(data, indent=2) + '\n')

    def args(self, **kwargs):
        args = dict(
            path=str(self.path),
            unit_search_paths=self.search_paths,
            validate='never',
            dockerd_path=str(self.root / 'no-dockerd'),
        )
        args.update(kwargs)
        return args


@pytest.fixture
def host(tmp_path):
    h = Host(tmp_path)
    h.unit(STOCK_UNIT)
    return h


def read_json(path):
    with open(str(path)) as handle:
        return json.load(handle)


def fake_dockerd(tmp_path, version='24.0.7', refuse=None):
    """A dockerd stand-in: prints a version, logs --validate calls, refuses files containing ``refuse``."""
    log = tmp_path / 'dockerd.log'
    script = tmp_path / 'dockerd'
    script.write_text(textwrap.dedent("""\
        #!/bin/sh
        echo "$@" >> "{log}"
        if [ "$1" = "--version" ]; then
            echo "Docker version {version}, build 0000000"
            exit 0
        fi
        if [ "$1" = "--validate" ]; then
            cp "$3" "{log}.config"
            if [ -n "{refuse}" ] && grep -q "{refuse}" "$3"; then
                echo "unable to configure the Docker daemon with file $3: invalid {refuse}" >&2
                exit 1
            fi
            echo "configuration OK"
            exit 0
        fi
        exit 2
    """).format(log=log, version=version, refuse=refuse or ''))
    script.chmod(0o755)
    return script, log


# --------------------------------------------------------------- create/merge

def test_creates_file_and_directory(host, run_module):
    result = run_module(daemon_config.main, host.args(settings={'icc': False, 'log-level': 'info'}))
    assert result['changed'] is True
    assert result['added_keys'] == ['icc', 'log-level']
    assert result['changed_keys'] == ['icc', 'log-level']
    assert result['modified_keys'] == [] and result['removed_keys'] == []
    assert result['restart_required'] is True and result['reload_required'] is False
    assert result['validated_with'] == ['schema']
    assert 'backup_file' not in result
    assert host.path.read_text() == '{\n  "icc": false,\n  "log-level": "info"\n}\n'
    assert stat.S_IMODE(os.stat(str(host.path)).st_mode) == 0o644
    assert stat.S_IMODE(os.stat(str(host.path.parent)).st_mode) == 0o755
    assert result['config'] == {'icc': False, 'log-level': 'info'}
    # no temporary file left behind
    assert sorted(os.listdir(str(host.path.parent))) == ['daemon.json']


def test_order_preserved_modified_in_place_new_appended(host, run_module):
    host.write_config('{"storage-driver": "overlay2", "icc": true, "data-root": "/var/lib/docker", '
                      '"x-custom": [1, 2]}')
    result = run_module(daemon_config.main, host.args(
        settings={'live-restore': True, 'icc': False},
        backup=False))
    assert result['changed'] is True
    assert result['modified_keys'] == ['icc']
    assert result['added_keys'] == ['live-restore']
    assert list(read_json(host.path)) == ['storage-driver', 'icc', 'data-root', 'x-custom', 'live-restore']
    # unmanaged keys keep their values, even a key the schema does not know
    assert read_json(host.path)['x-custom'] == [1, 2]
    assert read_json(host.path)['icc'] is False


def test_no_rewrite_when_nothing_changes(host, run_module):
    original = '{"icc":false,   "log-opts": {"max-size": "10m", "max-file": "3"}}'
    host.write_config(original)
    before = os.stat(str(host.path))
    result = run_module(daemon_config.main, host.args(
        settings={'icc': False, 'log-opts': {'max-file': '3', 'max-size': '10m'}}))
    assert result['changed'] is False
    assert result['changed_keys'] == []
    assert result['restart_required'] is False and result['reload_required'] is False
    assert host.path.read_text() == original
    after = os.stat(str(host.path))
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)
    assert 'backup_file' not in result
    assert sorted(os.listdir(str(host.path.parent))) == ['daemon.json']


def test_json_equality_is_type_strict(host, run_module):
    host.write_config({'x-flag': 1})
    result = run_module(daemon_config.main, host.args(
        settings={'x-flag': True}, allow_unknown_keys=['x-flag'], backup=False))
    assert result['changed'] is True
    assert result['modified_keys'] == ['x-flag']
    assert read_json(host.path) == {'x-flag': True}


def test_removal(host, run_module):
    host.write_config({'insecure-registries': ['reg:5000'], 'icc': False, 'debug': True})
    result = run_module(daemon_config.main, host.args(absent=['insecure-registries', 'not-there'], backup=False))
    assert result['changed'] is True
    assert result['removed_keys'] == ['insecure-registries']
    assert result['changed_keys'] == ['insecure-registries']
    # removing needs a restart even for a reload-only key
    assert result['restart_required'] is True and result['reload_required'] is False
    assert list(read_json(host.path)) == ['icc', 'debug']


def test_removal_of_missing_key_is_no_change(host, run_module):
    host.write_config({'icc': False})
    result = run_module(daemon_config.main, host.args(absent=['debug']))
    assert result['changed'] is False


def test_settings_and_absent_overlap_fails(host, fail_module):
    result = fail_module(daemon_config.main, host.args(settings={'icc': False}, absent=['icc']))
    assert 'icc' in result['msg'] and 'absent' in result['msg']


def test_empty_existing_file_is_empty_object(host, run_module):
    host.write_config('\n')
    result = run_module(daemon_config.main, host.args(settings={'icc': False}, backup=False))
    assert result['added_keys'] == ['icc']


def test_non_ascii_kept(host, run_module):
    host.write_config({'labels': ['owner=Zoë']})
    run_module(daemon_config.main, host.args(settings={'icc': False}, backup=False))
    assert 'Zoë' in host.path.read_text(encoding='utf-8')


# ------------------------------------------------------------------ corrupt

@pytest.mark.parametrize('content, fragment', [
    ('{"icc": false,,}', 'line 1 column 15'),
    ('{\n  "icc": false\n  "debug": true\n}\n', 'line 3 column 3'),
    ('["icc"]', 'JSON object'),
    ('null', 'JSON object'),
])
def test_corrupt_file_untouched(host, fail_module, content, fragment):
    host.write_config(content)
    before = host.path.read_bytes()
    result = fail_module(daemon_config.main, host.args(settings={'icc': False}))
    assert str(host.path) in result['msg']
    assert fragment in result['msg']
    assert host.path.read_bytes() == before
    assert sorted(os.listdir(str(host.path.parent))) == ['daemon.json']


def test_path_is_directory(host, fail_module):
    host.path.mkdir(parents=True)
    result = fail_module(daemon_config.main, host.args(settings={'icc': False}))
    assert 'directory' in result['msg']


# ------------------------------------------------------------ check and diff

def test_check_mode_same_result_no_write(host, run_module, tmp_path):
    host.write_config({'icc': True, 'debug': False})
    before = host.path.read_bytes()
    args = host.args(settings={'icc': False, 'live-restore': True}, absent=['debug'])
    checked = run_module(daemon_config.main, args, check=True, diff=True)
    assert host.path.read_bytes() == before
    assert sorted(os.listdir(str(host.path.parent))) == ['daemon.json']
    real = run_module(daemon_config.main, args, diff=True)
    assert 'backup_file' not in checked and 'backup_file' in real
    real.pop('backup_file')
    # The facts describe the file as each call left it: untouched in check mode.
    checked_file = checked.pop('ansible_facts')['hardening_docker_daemon_json']
    real_file = real.pop('ansible_facts')['hardening_docker_daemon_json']
    assert checked_file['sha256'] == hashlib.sha256(before).hexdigest()
    assert real_file['sha256'] == hashlib.sha256(host.path.read_bytes()).hexdigest() != checked_file['sha256']
    assert checked == real
    assert checked['changed'] is True
    assert checked['changed_keys'] == ['debug', 'icc', 'live-restore']


def test_the_digest_fact_follows_the_file(host, run_module):
    missing = run_module(daemon_config.main, host.args(settings={}))
    assert missing['ansible_facts']['hardening_docker_daemon_json'] == {'path': str(host.path), 'sha256': 'absent'}
    host.write_config({'icc': False})
    unchanged = run_module(daemon_config.main, host.args(settings={'icc': False}))
    assert unchanged['changed'] is False
    assert unchanged['ansible_facts']['hardening_docker_daemon_json']['sha256'] == \
        hashlib.sha256(host.path.read_bytes()).hexdigest()


def test_check_mode_new_file_not_created(host, run_module):
    result = run_module(daemon_config.main, host.args(settings={'icc': False}), check=True)
    assert result['changed'] is True
    assert not host.path.parent.exists()


def test_diff_output(host, run_module):
    host.write_config({'icc': True})
    result = run_module(daemon_config.main, host.args(settings={'icc': False}, backup=False), diff=True)
    diff = result['diff']
    assert diff['before_header'] == str(host.path) and diff['after_header'] == str(host.path)
    assert json.loads(diff['before']) == {'icc': True}
    assert diff['after'] == '{\n  "icc": false\n}\n'


def test_diff_for_new_file(host, run_module):
    result = run_module(daemon_config.main, host.args(settings={'icc': False}), diff=True)
    assert result['diff']['before'] == ''
    assert result['diff']['after'] == '{\n  "icc": false\n}\n'


PROXIED = {
    'proxies': {'http-proxy': 'http://user:secret@proxy:3128', 'https-proxy': 'https://user:secret@proxy:3129'},
    'http-proxy': 'http://old:secret@proxy:3128',
    'https-proxy': 'https://old:secret@proxy:3129',
}


@pytest.mark.parametrize('check', [False, True])
def test_proxy_credentials_never_in_the_diff_or_the_result(host, run_module, check):
    host.write_config(PROXIED)
    result = run_module(daemon_config.main, host.args(settings={'icc': False}), diff=True, check=check)
    assert result['changed'] is True
    assert 'secret' not in json.dumps(result)
    assert 'http://***@proxy:3128' in result['diff']['before'] and 'http://***@proxy:3128' in result['diff']['after']
    assert result['config']['proxies']['https-proxy'] == 'https://***@proxy:3129'
    # the file itself keeps the credentials
    assert read_json(host.path)['proxies'] == PROXIED['proxies']


def test_replaced_proxy_credentials_never_in_the_result(host, run_module):
    host.write_config(PROXIED)
    new = {'proxies': {'http-proxy': 'http://user:other-secret@proxy:3128'}}
    result = run_module(daemon_config.main, host.args(settings=new), diff=True)
    assert 'secret' not in json.dumps(result)
    assert read_json(host.path)['proxies'] == new['proxies']


def test_no_diff_key_without_diff_mode(host, run_module):
    result = run_module(daemon_config.main, host.args(settings={'icc': False}))
    assert 'diff' not in result


# ------------------------------------------------------------------- backup

def test_backup(host, run_module):
    host.write_config({'icc': True})
    original = host.path.read_bytes()
    result = run_module(daemon_config.main, host.args(settings={'icc': False}))
    backup = result['backup_file']
    assert os.path.dirname(backup) == str(host.path.parent)
    with open(backup, 'rb') as handle:
        assert handle.read() == original


def test_backup_false(host, run_module):
    host.write_config({'icc': True})
    result = run_module(daemon_config.main, host.args(settings={'icc': False}, backup=False))
    assert 'backup_file' not in result
    assert os.listdir(str(host.path.parent)) == ['daemon.json']


# ---------------------------------------------------------------- file mode

def test_existing_restrictive_mode_kept(host, run_module):
    host.write_config({'icc': True})
    os.chmod(str(host.path), 0o600)
    run_module(daemon_config.main, host.args(settings={'icc': False}, backup=False))
    assert stat.S_IMODE(os.stat(str(host.path)).st_mode) == 0o600


def test_existing_loose_mode_tightened(host, run_module):
    host.write_config({'icc': True})
    os.chmod(str(host.path), 0o666)
    run_module(daemon_config.main, host.args(settings={'icc': False}, backup=False))
    assert stat.S_IMODE(os.stat(str(host.path)).st_mode) == 0o644


# ------------------------------------------------------- restart vs reload

@pytest.mark.parametrize('settings, restart, reload', [
    ({'debug': True, 'labels': ['a=b'], 'live-restore': True}, False, True),
    ({'insecure-registries': [], 'registry-mirrors': ['https://mirror.example.com']}, False, True),
    ({'shutdown-timeout': 30, 'max-concurrent-downloads': 2, 'features': {'buildkit': True}}, False, True),
    ({'icc': False}, True, False),
    ({'debug': True, 'icc': False}, True, False),
])
def test_restart_vs_reload(host, run_module, settings, restart, reload):
    result = run_module(daemon_config.main, host.args(settings=settings))
    assert (result['restart_required'], result['reload_required']) == (restart, reload)


# --------------------------------------------------------------- validation

@pytest.mark.parametrize('settings, fragments', [
    ({'icc': 'false'}, ['icc', "'false'", 'boolean']),
    ({'log-level': 'verbose'}, ['log-level', 'verbose', 'debug, info, warn, error, fatal']),
    ({'log-opts': {'max-file': 3}}, ['log-opts', 'max-file', 'docker_log_opts']),
    ({'default-ulimits': {'nofile': {'Name': 'nofile', 'Soft': 10, 'Hard': 5}}}, ['nofile', 'soft=10 hard=5']),
    ({'hosts': ['npipe:////./pipe/docker_engine']}, ['hosts[0]', 'npipe']),
    ({'tlscacert': 'certs/ca.pem'}, ['tlscacert', 'absolute']),
    ({'userns-remap': 'Bad User'}, ['userns-remap', 'Bad User']),
    ({'icc': False, 'iptabels': False}, ['iptabels', 'allow_unknown_keys']),
])
def test_invalid_settings_fail_before_write(host, fail_module, settings, fragments):
    host.write_config({'icc': True})
    before = host.path.read_bytes()
    result = fail_module(daemon_config.main, host.args(settings=settings))
    for fragment in fragments:
        assert fragment in result['msg']
    assert result['errors']
    assert host.path.read_bytes() == before


def test_all_errors_reported_at_once(host, fail_module):
    result = fail_module(daemon_config.main, host.args(settings={'icc': 'no', 'debug': 1, 'foo': 2}))
    assert len(result['errors']) == 3


def test_unknown_key_allowed(host, run_module):
    result = run_module(daemon_config.main, host.args(
        settings={'some-new-option': {'a': 1}}, allow_unknown_keys=['some-new-option']))
    assert result['added_keys'] == ['some-new-option']


def test_known_key_checked_even_when_allowed(host, fail_module):
    result = fail_module(daemon_config.main, host.args(settings={'icc': 'yes'}, allow_unknown_keys=['icc']))
    assert 'icc' in result['msg']


def test_unmanaged_existing_keys_not_judged(host, run_module):
    host.write_config({'log-opts': {'max-file': 3}, 'iptabels': 'oops'})
    result = run_module(daemon_config.main, host.args(settings={'icc': False}, backup=False))
    assert result['changed'] is True
    assert read_json(host.path)['log-opts'] == {'max-file': 3}


def test_duplicate_keys_warned(host, run_module):
    host.write_config('{"icc": true, "icc": false}')
    result = run_module(daemon_config.main, host.args(settings={'icc': False}))
    assert result['changed'] is False
    assert any('duplicate' in w and 'icc' in w for w in result['warnings'])


# ------------------------------------------------------------ flag conflict

def test_flag_conflict_hosts(host, fail_module):
    result = fail_module(daemon_config.main, host.args(settings={'hosts': ['unix:///var/run/docker.sock']}))
    msg = result['msg']
    assert "'hosts'" in msg
    assert '-H fd://' in msg
    assert str(host.lib / 'docker.service') in msg
    assert 'flags_removed' in msg
    assert not host.path.exists()


def test_flag_conflict_containerd(host, fail_module):
    result = fail_module(daemon_config.main, host.args(settings={'containerd': '/run/containerd/containerd.sock'}))
    assert "'containerd'" in result['msg']
    assert '--containerd=/run/containerd/containerd.sock' in result['msg']


def test_flags_removed_exempts(host, run_module):
    result = run_module(daemon_config.main, host.args(
        settings={'hosts': ['unix:///var/run/docker.sock']}, flags_removed=['hosts']))
    assert result['changed'] is True


def test_no_conflict_for_key_not_set(host, run_module):
    # -H is in the unit but the run does not set hosts
    result = run_module(daemon_config.main, host.args(settings={'icc': False}))
    assert result['changed'] is True


def test_unit_missing_warns_and_skips(tmp_path, run_module):
    h = Host(tmp_path)
    result = run_module(daemon_config.main, h.args(settings={'hosts': ['fd://']}))
    assert result['changed'] is True
    assert any('docker.service was not found' in w for w in result['warnings'])


def test_conflict_from_dropin_and_environment_file(host, tmp_path, fail_module, run_module):
    env_file = tmp_path / 'default-docker'
    env_file.write_text('# options\nDOCKER_OPTS="--icc=false --log-level warn"\n')
    dropin = host.dropin(host.etc, '20-opts.conf', textwrap.dedent("""\
        [Service]
        EnvironmentFile=-{env}
        EnvironmentFile=-{missing}
        ExecStart=
        ExecStart=/usr/bin/dockerd \\
            --containerd=/run/containerd/containerd.sock $DOCKER_OPTS
    """).format(env=env_file, missing=tmp_path / 'missing'))
    result = fail_module(daemon_config.main, host.args(settings={'icc': False, 'log-level': 'info'}))
    msg = result['msg']
    assert "'icc'" in msg and '--icc=false' in msg and "'log-level'" in msg and '--log-level warn' in msg
    assert str(dropin) in msg
    assert '$DOCKER_OPTS' in msg and str(env_file) in msg
    assert len(result['errors']) == 2
    # the drop-in reset ExecStart: -H fd:// is gone, hosts may be set
    ok = run_module(daemon_config.main, host.args(settings={'hosts': ['unix:///var/run/docker.sock']}))
    assert ok['changed'] is True


def test_environment_directive_expansion(host, fail_module):
    host.dropin(host.etc, '30-env.conf', textwrap.dedent("""\
        [Service]
        Environment="EXTRA=--userns-remap=default --debug" OTHER=1
        ExecStart=
        ExecStart=/usr/bin/dockerd $EXTRA
    """))
    result = fail_module(daemon_config.main, host.args(settings={'userns-remap': 'default', 'debug': True}))
    assert "'userns-remap'" in result['msg'] and "'debug'" in result['msg']


def test_dropin_in_etc_masks_same_name_elsewhere(host, run_module):
    host.dropin(host.lib, '50-hosts.conf', '[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H tcp://0.0.0.0:2375\n')
    host.dropin(host.etc, '50-hosts.conf', '[Service]\nExecStart=\nExecStart=/usr/bin/dockerd\n')
    result = run_module(daemon_config.main, host.args(settings={'hosts': ['unix:///var/run/docker.sock']}))
    assert result['changed'] is True


def test_dropins_applied_in_lexical_order(host, fail_module):
    host.dropin(host.etc, '10-a.conf', '[Service]\nExecStart=\nExecStart=/usr/bin/dockerd\n')
    # a later name in a lower-priority directory still applies after 10-a.conf
    host.dropin(host.lib, '20-b.conf', '[Service]\nExecStart=\nExecStart=/usr/bin/dockerd --label a=b\n')
    result = fail_module(daemon_config.main, host.args(settings={'labels': ['a=b']}))
    assert '--label a=b' in result['msg'] and '20-b.conf' in result['msg']


def test_unit_in_etc_overrides_lib(host, run_module):
    host.unit('[Service]\nExecStart=/usr/bin/dockerd --containerd=/run/containerd/containerd.sock\n', where=host.etc)
    result = run_module(daemon_config.main, host.args(settings={'hosts': ['fd://']}))
    assert result['changed'] is True


def test_config_file_flag_warns(host, run_module):
    host.dropin(host.etc, '40-cfg.conf',
                '[Service]\nExecStart=\nExecStart=/usr/bin/dockerd --config-file /srv/other.json\n')
    result = run_module(daemon_config.main, host.args(settings={'icc': False}))
    assert any('/srv/other.json' in w for w in result['warnings'])


# --------------------------------------------------------- dockerd validate

def test_validate_auto_runs_on_new_engine(host, tmp_path, run_module):
    dockerd, log = fake_dockerd(tmp_path, '24.0.7')
    result = run_module(daemon_config.main, host.args(
        settings={'icc': False}, validate='auto', dockerd_path=str(dockerd)))
    assert result['validated_with'] == ['schema', 'dockerd']
    calls = log.read_text().splitlines()
    assert calls[0] == '--version'
    assert calls[1].startswith('--validate --config-file ')
    # the validated file is the one that was written
    assert (tmp_path / 'dockerd.log.config').read_text() == host.path.read_text()


def test_validate_auto_skipped_on_old_engine(host, tmp_path, run_module):
    dockerd, log = fake_dockerd(tmp_path, '20.10.24+dfsg1')
    result = run_module(daemon_config.main, host.args(
        settings={'icc': False}, validate='auto', dockerd_path=str(dockerd)))
    assert result['validated_with'] == ['schema']
    assert log.read_text().splitlines() == ['--version']


def test_validate_auto_skipped_when_unchanged(host, tmp_path, run_module):
    host.write_config({'icc': False})
    dockerd, log = fake_dockerd(tmp_path, '24.0.7')
    result = run_module(daemon_config.main, host.args(
        settings={'icc': False}, validate='auto', dockerd_path=str(dockerd)))
    assert result['validated_with'] == ['schema']
    assert not log.exists()


def test_validate_always_fails_on_old_engine(host, tmp_path, fail_module):
    dockerd, _log = fake_dockerd(tmp_path, '20.10.24')
    result = fail_module(daemon_config.main, host.args(
        settings={'icc': False}, validate='always', dockerd_path=str(dockerd)))
    assert '23.0' in result['msg'] and '--validate' in result['msg']
    assert not host.path.exists()


def test_validate_always_fails_without_dockerd(host, monkeypatch, fail_module):
    monkeypatch.setenv('PATH', str(host.root / 'empty-bin'))
    monkeypatch.setattr(daemon_config.AnsibleModule, 'get_bin_path', lambda self, *a, **k: None)
    result = fail_module(daemon_config.main, host.args(settings={'icc': False}, validate='always'))
    assert 'dockerd was found neither' in result['msg']


def test_validate_never_does_not_call_dockerd(host, tmp_path, run_module):
    dockerd, log = fake_dockerd(tmp_path, '24.0.7')
    result = run_module(daemon_config.main, host.args(
        settings={'icc': False}, validate='never', dockerd_path=str(dockerd)))
    assert result['validated_with'] == ['schema']
    assert not log.exists()


def test_dockerd_refusal_leaves_file_untouched(host, tmp_path, fail_module):
    host.write_config({'icc': True})
    before = host.path.read_bytes()
    dockerd, _log = fake_dockerd(tmp_path, '25.0.1', refuse='bad-thing')
    result = fail_module(daemon_config.main, host.args(
        settings={'bad-thing': 1}, allow_unknown_keys=['bad-thing'], validate='auto', dockerd_path=str(dockerd)))
    assert 'invalid bad-thing' in result['msg']
    assert host.path.read_bytes() == before
    assert sorted(os.listdir(str(host.path.parent))) == ['daemon.json']


def test_validate_in_check_mode_uses_module_tmpdir(host, tmp_path, run_module):
    dockerd, log = fake_dockerd(tmp_path, '24.0.7')
    result = run_module(daemon_config.main, host.args(
        settings={'icc': False}, validate='auto', dockerd_path=str(dockerd)), check=True)
    assert result['validated_with'] == ['schema', 'dockerd']
    validated = log.read_text().splitlines()[1].split()[-1]
    assert validated.startswith(str(tmp_path / '_module_tmp'))
    assert not os.path.exists(validated)
    assert not host.path.parent.exists()


def test_check_mode_does_not_validate_a_remap_that_would_create_dockremap(host, tmp_path, run_module, monkeypatch):
    dockerd, log = fake_dockerd(tmp_path, '26.1.5')

    def no_such_user(name):
        raise KeyError(name)

    monkeypatch.setattr(daemon_config.pwd, 'getpwnam', no_such_user)
    result = run_module(daemon_config.main, host.args(
        settings={'userns-remap': 'default'}, validate='auto', dockerd_path=str(dockerd)), check=True)
    assert result['changed'] is True and result['validated_with'] == ['schema']
    assert 'dockremap does not exist' in result['validate_skipped']
    assert not any(call.startswith('--validate') for call in log.read_text().splitlines())
    # Once the user exists, validation is harmless and runs.
    monkeypatch.setattr(daemon_config.pwd, 'getpwnam', lambda name: object())
    result = run_module(daemon_config.main, host.args(
        settings={'userns-remap': 'default'}, validate='auto', dockerd_path=str(dockerd)), check=True)
    assert result['validated_with'] == ['schema', 'dockerd'] and 'validate_skipped' not in result


def test_check_mode_does_not_validate_tls_files_not_made_yet(host, tmp_path, run_module):
    dockerd, log = fake_dockerd(tmp_path, '26.1.5')
    tls = {'tlsverify': True, 'tlscacert': str(tmp_path / 'ca.pem'), 'tlscert': str(tmp_path / 'cert.pem'),
           'tlskey': str(tmp_path / 'key.pem')}
    result = run_module(daemon_config.main, host.args(settings=tls, validate='auto', dockerd_path=str(dockerd)),
                        check=True)
    assert 'TLS files do not exist yet' in result['validate_skipped'] and str(tmp_path / 'key.pem') in result['validate_skipped']
    assert result['validated_with'] == ['schema']
    for name in ('ca.pem', 'cert.pem', 'key.pem'):
        (tmp_path / name).write_text('x')
    result = run_module(daemon_config.main, host.args(settings=tls, validate='auto', dockerd_path=str(dockerd)),
                        check=True)
    assert result['validated_with'] == ['schema', 'dockerd']
    # Outside check mode missing TLS files are dockerd's to judge (a real error).
    assert 'validate_skipped' not in run_module(daemon_config.main, host.args(
        settings=dict(tls, tlskey=str(tmp_path / 'gone.pem')), validate='auto', dockerd_path=str(dockerd)))


def test_validate_always_when_unchanged_checks_current_file(host, tmp_path, run_module):
    host.write_config({'icc': False})
    dockerd, log = fake_dockerd(tmp_path, '24.0.7')
    result = run_module(daemon_config.main, host.args(
        settings={'icc': False}, validate='always', dockerd_path=str(dockerd)))
    assert result['changed'] is False
    assert result['validated_with'] == ['schema', 'dockerd']
    assert json.loads((tmp_path / 'dockerd.log.config').read_text()) == {'icc': False}


@pytest.mark.skipif(not os.access('/usr/sbin/dockerd', os.X_OK), reason='no dockerd on this machine')
def test_real_dockerd_version_probe(host, run_module, fail_module):
    rc_version = os.popen('/usr/sbin/dockerd --version').read()
    result = run_module(daemon_config.main, host.args(
        settings={'icc': False}, validate='auto', dockerd_path='/usr/sbin/dockerd'), check=True)
    major = int(rc_version.split('version')[1].strip().split('.')[0])
    if major >= 23:
        assert result['validated_with'] == ['schema', 'dockerd']
    else:
        assert result['validated_with'] == ['schema']
        failed = fail_module(daemon_config.main, host.args(
            settings={'icc': False}, validate='always', dockerd_path='/usr/sbin/dockerd'), check=True)
        assert '23.0' in failed['msg']


# ------------------------------------------------------------- symbolic link

def test_symlinked_file_keeps_its_link_and_the_target_is_written(host, run_module, tmp_path):
    managed = tmp_path / 'srv' / 'config'
    managed.mkdir(parents=True)
    target = managed / 'daemon.json'
    target.write_text('{"labels": ["team=ops"]}\n')
    host.path.parent.mkdir(parents=True)
    # a relative link, as configuration management often makes
    os.symlink(os.path.relpath(str(target), str(host.path.parent)), str(host.path))
    result = run_module(daemon_config.main, host.args(settings={'icc': False}))
    assert result['changed'] is True and result['target'] == str(target)
    assert os.path.islink(str(host.path))
    assert os.path.realpath(str(host.path)) == str(target)
    assert read_json(target) == {'labels': ['team=ops'], 'icc': False}
    # the backup sits next to the target, not next to the link
    assert os.path.dirname(result['backup_file']) == str(managed)
    assert [p.name for p in host.path.parent.iterdir()] == ['daemon.json']
    # a second run reads through the link and changes nothing
    again = run_module(daemon_config.main, host.args(settings={'icc': False}))
    assert again['changed'] is False and os.path.islink(str(host.path))


def test_symlink_into_a_missing_directory_is_refused_naming_both(host, fail_module, tmp_path):
    host.path.parent.mkdir(parents=True)
    missing = tmp_path / 'gone' / 'daemon.json'
    os.symlink(str(missing), str(host.path))
    result = fail_module(daemon_config.main, host.args(settings={'icc': False}))
    assert str(host.path) in result['msg'] and str(missing) in result['msg']
    assert os.path.islink(str(host.path)) and not missing.exists()
