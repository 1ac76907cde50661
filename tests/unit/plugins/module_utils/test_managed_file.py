# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.hardening.docker.plugins.module_utils import _managed_file


class FakeModule(object):
    def __init__(self, tmp_path):
        self.tmp_path = tmp_path

    def fail_json(self, msg, **kwargs):
        raise AssertionError(msg)

    def atomic_move(self, src, dest, unsafe_writes=False):
        os.rename(src, dest)

    def backup_local(self, path):
        backup = path + '.bak'
        with open(path, 'rb') as src, open(backup, 'wb') as dst:
            dst.write(src.read())
        return backup


def mode(path):
    return stat.S_IMODE(os.stat(str(path)).st_mode)


def test_a_new_file_is_created_with_its_mode(tmp_path):
    module, path = FakeModule(tmp_path), str(tmp_path / 'f')
    changes, before = _managed_file.plan_file(module, path, b'new\n', 0o644)
    assert (changes, before) == (['created'], None)
    assert _managed_file.apply_file(module, path, b'new\n', 0o644, changes, backup=True) is None
    assert open(path, 'rb').read() == b'new\n' and mode(path) == 0o644


def test_new_content_is_backed_up_and_written(tmp_path):
    module, path = FakeModule(tmp_path), tmp_path / 'f'
    path.write_bytes(b'old\n')
    path.chmod(0o644)
    changes, before = _managed_file.plan_file(module, str(path), b'new\n', 0o644)
    assert (changes, before) == (['content'], b'old\n')
    backup = _managed_file.apply_file(module, str(path), b'new\n', 0o644, changes, backup=True)
    assert open(backup, 'rb').read() == b'old\n' and path.read_bytes() == b'new\n'


def test_only_the_mode_is_fixed_when_the_content_is_right(tmp_path):
    module, path = FakeModule(tmp_path), tmp_path / 'f'
    path.write_bytes(b'same\n')
    path.chmod(0o600)
    inode = os.stat(str(path)).st_ino
    changes, _before = _managed_file.plan_file(module, str(path), b'same\n', 0o644)
    assert changes == ['mode 0600 -> 0644']
    assert _managed_file.apply_file(module, str(path), b'same\n', 0o644, changes) is None
    assert mode(path) == 0o644 and os.stat(str(path)).st_ino == inode


def test_a_file_as_required_has_no_changes(tmp_path):
    module, path = FakeModule(tmp_path), tmp_path / 'f'
    path.write_bytes(b'same\n')
    path.chmod(0o644)
    if os.geteuid() == 0:
        os.chown(str(path), 0, 0)
    assert _managed_file.plan_file(module, str(path), b'same\n', 0o644) == ([], b'same\n')


def test_directories(tmp_path):
    module, path = FakeModule(tmp_path), tmp_path / 'a' / 'b'
    changes = _managed_file.plan_directory(module, str(path), 0o755)
    assert changes == ['created']
    _managed_file.apply_directory(module, str(path), 0o755, changes)
    assert path.is_dir() and mode(path) == 0o755
    path.chmod(0o700)
    assert _managed_file.plan_directory(module, str(path), 0o755) == ['mode 0700 -> 0755']


def test_a_directory_where_a_file_goes_is_refused(tmp_path):
    with pytest.raises(AssertionError, match='is not a regular file'):
        _managed_file.plan_file(FakeModule(tmp_path), str(tmp_path), b'', 0o644)
