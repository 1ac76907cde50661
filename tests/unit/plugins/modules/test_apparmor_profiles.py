# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.hardening.docker.plugins.modules import apparmor_profiles

HEADER = '# Managed by test'

# Stands in for apparmor_parser: logs its arguments, refuses a text with
# "not a rule" in line 3 as the real one does, names the profiles a text defines.
FAKE_PARSER = r'''#!/bin/sh
echo "$*" >> "$(dirname "$0")/parser.log"
case "$1" in
  -QTK)
    text=$(cat)
    echo "Cache read/write disabled: interface file missing." >&2
    if printf '%s\n' "$text" | grep -q 'not a rule'; then
      echo "AppArmor parser error at line 3: syntax error, unexpected TOK_ID" >&2
      exit 1
    fi ;;
  --names) sed -n 's/^profile \([^ ]*\) .*/\1/p' ;;
esac
exit 0
'''


def profile(name, **extra):
    entry = {'name': name, 'origin': 'apparmor_profiles', 'state': 'present',
             'text': 'profile %s {\n  file,\n}\n' % name}
    entry.update(extra)
    return entry


@pytest.fixture
def host(tmp_path, monkeypatch):
    """A fake root: /sys without AppArmor, an empty /etc/apparmor.d, the fake parser; no docker client."""
    (tmp_path / 'etc/apparmor.d').mkdir(parents=True)
    (tmp_path / 'sys/kernel').mkdir(parents=True)
    sbin = tmp_path / 'usr/sbin'
    sbin.mkdir(parents=True)
    parser = sbin / 'apparmor_parser'
    parser.write_text(FAKE_PARSER)
    parser.chmod(0o755)
    monkeypatch.setattr(apparmor_profiles, 'ROOT', str(tmp_path))
    monkeypatch.setattr(apparmor_profiles.AnsibleModule, 'get_bin_path', lambda self, *a, **k: None)
    return tmp_path


def enable_apparmor(root, loaded):
    (root / 'sys/module/apparmor/parameters').mkdir(parents=True)
    (root / 'sys/module/apparmor/parameters/enabled').write_text('Y\n')
    (root / 'sys/kernel/security/apparmor').mkdir(parents=True)
    (root / 'sys/kernel/security/apparmor/profiles').write_text(''.join('%s (%s)\n' % item for item in loaded.items()))


def args(*profiles, **extra):
    result = {'profiles': list(profiles), 'header': HEADER, 'parser': '/usr/sbin/apparmor_parser', 'packages': ['apparmor']}
    result.update(extra)
    return result


def parser_calls(root):
    log = root / 'usr/sbin/parser.log'
    return log.read_text().splitlines() if log.exists() else []


def test_installs_root_owned_0644_with_the_header_and_loads_nothing_without_apparmor(host, run_module):
    result = run_module(apparmor_profiles.main, args(profile('docker-web')))
    path = host / 'etc/apparmor.d/docker-web'
    assert path.read_text() == HEADER + '\nprofile docker-web {\n  file,\n}\n'
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert result['changed'] is True
    assert result['loaded'] == []
    assert result['profiles'][0]['written'] is True
    assert result['ansible_facts']['hardening_docker_mac']['profiles']['docker-web'] == {
        'path': '/etc/apparmor.d/docker-web', 'installed': True, 'mode': None}
    assert parser_calls(host) == ['-QTK', '--names']


def test_rerun_changes_nothing(host, run_module):
    run_module(apparmor_profiles.main, args(profile('docker-web')))
    again = run_module(apparmor_profiles.main, args(profile('docker-web')))
    assert again['changed'] is False
    assert again['profiles'][0]['changed'] is False


def test_other_mode_is_rewritten(host, run_module):
    run_module(apparmor_profiles.main, args(profile('docker-web')))
    (host / 'etc/apparmor.d/docker-web').chmod(0o666)
    assert run_module(apparmor_profiles.main, args(profile('docker-web')))['changed'] is True
    assert stat.S_IMODE((host / 'etc/apparmor.d/docker-web').stat().st_mode) == 0o644


def test_one_broken_profile_refuses_all_with_the_parser_words(host, fail_module):
    broken = profile('docker-broken', text='profile docker-broken {\n  file,\n  this is not a rule,\n}\n')
    result = fail_module(apparmor_profiles.main, args(profile('docker-new-good'), broken))
    assert result['msg'] == (
        'apparmor_parser refused 1 profile(s); none was installed. docker-broken (from apparmor_profiles): '
        'AppArmor parser error at line 3: syntax error, unexpected TOK_ID')
    assert os.listdir(str(host / 'etc/apparmor.d')) == []


def test_text_must_define_its_own_name(host, fail_module):
    wrong = profile('docker-a', text='profile docker-b {\n  file,\n}\n', origin='apparmor_default_profile_name')
    result = fail_module(apparmor_profiles.main, args(wrong))
    assert result['msg'].endswith(
        'docker-a (from apparmor_default_profile_name): the text defines docker-b, not a profile named docker-a.')
    assert os.listdir(str(host / 'etc/apparmor.d')) == []


def test_foreign_file_is_neither_overwritten_nor_removed(host, fail_module):
    (host / 'etc/apparmor.d/lsb_release').write_text('profile lsb_release {}\n')
    result = fail_module(apparmor_profiles.main, args(profile('lsb_release')))
    assert result['msg'].startswith('/etc/apparmor.d/lsb_release: present already and not written by this role')
    result = fail_module(apparmor_profiles.main, args({'name': 'lsb_release', 'state': 'absent'}))
    assert (host / 'etc/apparmor.d/lsb_release').read_text() == 'profile lsb_release {}\n'


def test_missing_parser_fails_but_check_mode_predicts(host, run_module, fail_module):
    (host / 'usr/sbin/apparmor_parser').unlink()
    result = fail_module(apparmor_profiles.main, args(profile('docker-web')))
    assert result['msg'].startswith('/usr/sbin/apparmor_parser is missing, so no profile can be checked')
    assert 'installs apparmor' in result['msg']
    checked = run_module(apparmor_profiles.main, args(profile('docker-web')), check=True)
    assert (checked['changed'], checked['syntax_checked']) == (True, False)
    assert not (host / 'etc/apparmor.d/docker-web').exists()


def test_check_mode_writes_nothing_and_shows_the_diff(host, run_module):
    result = run_module(apparmor_profiles.main, args(profile('docker-web')), check=True, diff=True)
    assert result['changed'] is True
    assert result['diff'][0]['after'].startswith(HEADER + '\nprofile docker-web')
    assert not (host / 'etc/apparmor.d/docker-web').exists()


def test_apparmor_kernel_loads_written_unloaded_and_wrong_mode(host, run_module):
    enable_apparmor(host, {'docker-hardened': 'enforce', 'docker-old': 'enforce'})
    run_module(apparmor_profiles.main, args(profile('docker-hardened', mode='complain')))
    result = run_module(apparmor_profiles.main, args(profile('docker-hardened', mode='complain'), profile('docker-web')))
    # docker-hardened: unchanged file but loaded in enforce; docker-web: new
    assert result['loaded'] == ['docker-web', 'docker-hardened']
    assert '--replace /etc/apparmor.d/docker-web' in ' '.join(parser_calls(host)).replace(str(host), '')


def test_check_mode_on_apparmor_kernel_predicts_loads_without_loading(host, run_module):
    enable_apparmor(host, {})
    result = run_module(apparmor_profiles.main, args(profile('docker-web')), check=True)
    assert result['loaded'] == ['docker-web']
    assert not [call for call in parser_calls(host) if call.startswith('--replace')]


def test_absent_profile_is_unloaded_and_removed(host, run_module):
    enable_apparmor(host, {'docker-old': 'enforce'})
    (host / 'etc/apparmor.d/docker-old').write_text(HEADER + '\nprofile docker-old {}\n')
    result = run_module(apparmor_profiles.main, args({'name': 'docker-old', 'state': 'absent'}))
    assert result['profiles'][0]['unloaded'] is True and result['profiles'][0]['removed'] is True
    assert not (host / 'etc/apparmor.d/docker-old').exists()
    assert any(call.startswith('--remove') and call.endswith('/etc/apparmor.d/docker-old') for call in parser_calls(host))
    assert run_module(apparmor_profiles.main, args({'name': 'docker-old', 'state': 'absent'}))['changed'] is False


def dpkg(monkeypatch, installed):
    """dpkg-query lists INSTALLED as installed; the docker client stays missing."""
    def run_command(module, argv, **kwargs):
        if argv[0] == '/usr/bin/dpkg-query':
            return 0, ''.join('%s\tinstall ok installed\n' % name for name in argv[5:] if name in installed), ''
        return real_run_command(module, argv, **kwargs)
    real_run_command = apparmor_profiles.AnsibleModule.run_command
    monkeypatch.setattr(apparmor_profiles.AnsibleModule, 'get_bin_path',
                        lambda self, name, *a, **k: '/usr/bin/dpkg-query' if name == 'dpkg-query' else None)
    monkeypatch.setattr(apparmor_profiles.AnsibleModule, 'run_command', run_command)


def test_only_when_ready_applies_where_the_tools_are_installed(host, monkeypatch, run_module):
    dpkg(monkeypatch, {'apparmor'})
    result = run_module(apparmor_profiles.main, args(profile('docker-web'), only_when_ready=True))
    assert (result['deferred'], result['deferred_reason'], result['changed']) == (False, None, True)
    assert (host / 'etc/apparmor.d/docker-web').is_file()
    assert result['ansible_facts']['hardening_docker_mac']['packages_missing'] == []


def test_only_when_ready_waits_for_a_missing_package_or_parser(host, monkeypatch, run_module):
    dpkg(monkeypatch, set())
    result = run_module(apparmor_profiles.main, args(profile('docker-web'), only_when_ready=True))
    assert (result['deferred'], result['deferred_reason'], result['changed']) == (True, 'tools_missing', False)
    assert (result['profiles'], result['loaded']) == ([], [])
    assert result['ansible_facts']['hardening_docker_mac']['packages_missing'] == ['apparmor']
    assert not (host / 'etc/apparmor.d/docker-web').exists()
    assert parser_calls(host) == []
    # Package installed, parser not there (yet): still waits.
    dpkg(monkeypatch, {'apparmor'})
    (host / 'usr/sbin/apparmor_parser').unlink()
    assert run_module(apparmor_profiles.main, args(profile('docker-web'), only_when_ready=True))['deferred'] is True
    # Without only_when_ready the same host gets the refusal that names the parser.


def test_only_when_ready_still_refuses_foreign_files_before_the_install(host, monkeypatch, fail_module):
    dpkg(monkeypatch, set())
    (host / 'etc/apparmor.d/lsb_release').write_text('profile lsb_release {}\n')
    result = fail_module(apparmor_profiles.main, args(profile('lsb_release'), only_when_ready=True))
    assert '/etc/apparmor.d/lsb_release: present already and not written by this role' in result['msg']


def test_only_when_ready_leaves_an_selinux_host_alone(host, monkeypatch, run_module):
    dpkg(monkeypatch, {'apparmor'})
    (host / 'sys/fs/selinux').mkdir(parents=True)
    (host / 'sys/fs/selinux/enforce').write_text('1')
    (host / 'etc/apparmor.d/lsb_release').write_text('profile lsb_release {}\n')
    result = run_module(apparmor_profiles.main, args(profile('lsb_release'), profile('docker-web'), only_when_ready=True))
    assert (result['deferred'], result['deferred_reason'], result['changed']) == (True, 'selinux', False)
    assert result['ansible_facts']['hardening_docker_mac']['action'] == 'selinux'
    assert not (host / 'etc/apparmor.d/docker-web').exists()
