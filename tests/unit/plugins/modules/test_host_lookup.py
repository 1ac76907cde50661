# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import grp
import os
import pwd

from ansible_collections.hardening.docker.plugins.modules import host_lookup


def test_users_groups_and_files_in_one_call(tmp_path, run_module):
    me = pwd.getpwuid(os.getuid())
    my_group = grp.getgrgid(os.getgid())
    subuid = tmp_path / 'subuid'
    subuid.write_text('dockremap:165536:65536\n')
    result = run_module(host_lookup.main, {
        'users': [me.pw_name, 'no-such-user-hd'],
        'groups': [my_group.gr_name, 'no-such-group-hd'],
        'files': [str(subuid), str(tmp_path / 'subgid')],
    }, check=True)
    assert result['changed'] is False
    assert result['users'] == {me.pw_name: {'uid': me.pw_uid, 'gid': me.pw_gid, 'home': me.pw_dir, 'shell': me.pw_shell},
                               'no-such-user-hd': None}
    assert result['groups'][my_group.gr_name]['gid'] == my_group.gr_gid
    assert result['groups']['no-such-group-hd'] is None
    assert result['files'] == {str(subuid): {'exists': True, 'content': 'dockremap:165536:65536\n'},
                               str(tmp_path / 'subgid'): {'exists': False}}


def test_a_large_or_binary_file_is_refused_by_name(tmp_path, fail_module):
    big = tmp_path / 'big'
    big.write_bytes(b'x' * 11)
    assert 'larger than 10 bytes' in fail_module(host_lookup.main, {'files': [str(big)], 'max_file_size': 10})['msg']
    binary = tmp_path / 'binary'
    binary.write_bytes(b'\xff\xfe')
    assert 'not UTF-8' in fail_module(host_lookup.main, {'files': [str(binary)]})['msg']
